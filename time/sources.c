/* Discovery of every clock source through the one interface, and the generic report of
 * what was found. Device-specific parameters are reported by the drivers themselves. */
#include "sources.h"
#include "../lib/report.h"
#include "../lib/mem.h"

struct clocksource sources[SRC_COUNT];

static const struct {
	const char *name;
	void (*discover)(struct clocksource *cs);
} table[SRC_COUNT] = {
	[SRC_TSC] = { "tsc", tsc_discover },
	[SRC_HPET] = { "hpet", hpet_discover },
	[SRC_PMTIMER] = { "pmtimer", pmtimer_discover },
	[SRC_PIT] = { "pit", pit_discover },
	[SRC_RTC] = { "rtc", rtc_discover },
	[SRC_KVMCLOCK] = { "kvmclock", kvmclock_discover },
	[SRC_HYPERV] = { "hyperv", hyperv_discover },
	[SRC_APIC] = { "apic", apic_discover },
};

static void report_source(const struct clocksource *cs)
{
	metric_u64(mname(cs->name, "present"), cs->present, "bool");
	if (!cs->present) {
		info(mname(cs->name, "absent_reason"), "%s", cs->reason[0] ? cs->reason : "no reason given");
		check_skip(mname(cs->name, "discover"), "absent: %s", cs->reason);
		return;
	}
	if (cs->nominal_uhz)
		metric_fixed(mname(cs->name, "nominal_hz"), (int64_t)cs->nominal_uhz, 6, "Hz");
	metric_u64(mname(cs->name, "counter_bits"), cs->width, "bits");
	metric_u64(mname(cs->name, "counts_down"), cs->down, "bool");
	info(mname(cs->name, "provenance"), "%s", cs->provenance[0] ? cs->provenance : "-");
	check(cs->read_raw != 0 && cs->width >= 1 && cs->width <= 64, mname(cs->name, "discover"),
	      "driver left an unusable description (read=%p width=%u)", (void *)cs->read_raw, cs->width);
}

void sources_discover(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct clocksource *cs = &sources[i];

		memset(cs, 0, sizeof(*cs));
		cs->name = table[i].name;
		table[i].discover(cs);
		report_source(cs);
	}
}

struct clocksource *source_by_name(const char *name)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (!strcmp(sources[i].name, name))
			return &sources[i];
	return 0;
}
