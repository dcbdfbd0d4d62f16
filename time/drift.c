/* Drift mode. Each second (by the calibrated TSC) it prints
 *   # sample <seq> <src>=<ticks> <src>=<ticks> ...
 * with the extended, up-counting value of every present source read back to back. Between
 * samples it keeps reading every source so that narrow counters (PIT: 27 ms half wrap)
 * stay extended. The runner converts ticks to seconds with the nominal (or measured) rates
 * printed before and fits each source against host time (its line stamps). */
#include "drift.h"
#include "sources.h"
#include "counter.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"
#include "../lib/fmt.h"
#include "../lib/settings.h"

#define DRIFT_POLL_US 1000 /* re-read every source at least every millisecond */

static void say_reanchor(const struct clocksource *cs, uint64_t seq, uint64_t tsc_hz)
{
	diag("reanchor %llu %s gap_us=%llu", (unsigned long long)seq, cs->name,
	     (unsigned long long)mul_div_u64(cs->reanchor_gap_cycles, 1000000, tsc_hz));
}

/* Read every source with the TSC of its read, so that a gap that may hide a wrap of a
 * narrow counter (the VM paused, the vCPU descheduled) re-anchors it (cs_read_tsc) instead
 * of stepping it back. Each re-anchor is said at once, with the gap by the TSC. */
static void poll_all(uint64_t seq, uint64_t tsc_hz)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct clocksource *cs = &sources[i];
		uint64_t before;

		if (!cs->present)
			continue;
		before = cs->reanchors;
		(void)cs_read_tsc(cs, rdtsc_ordered());
		if (cs->reanchors != before)
			say_reanchor(cs, seq, tsc_hz);
	}
}

void drift_run(uint64_t tsc_uhz)
{
	uint64_t duration = setting(SET_DURATION), seq, tsc_hz = tsc_uhz / 1000000;
	uint64_t next, poll_cycles, reanchors[SRC_COUNT];
	unsigned i;

	if (!duration)
		return;
	if (!tsc_hz) {
		check_fail("drift", "drift mode needs a measured TSC rate");
		return;
	}
	metric_u64("drift.duration_s", duration, "s");
	metric_u64("drift.tsc_hz", tsc_hz, "Hz");
	poll_cycles = mul_div_u64(tsc_hz, DRIFT_POLL_US, 1000000);
	/* Start every count afresh: the engine's last reads may be too long ago for narrow
	 * counters to extend across the gap. */
	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present)
			cs_reset(&sources[i]);
	poll_all(0, tsc_hz);
	next = rdtsc_ordered();
	for (seq = 0; seq <= duration; seq++) {
		char line[400];
		int len = 0;

		while ((int64_t)(rdtsc_ordered() - next) < 0) {
			uint64_t until = rdtsc_ordered() + poll_cycles;

			poll_all(seq, tsc_hz);
			while ((int64_t)(rdtsc_ordered() - until) < 0 && (int64_t)(rdtsc_ordered() - next) < 0)
				cpu_relax();
		}
		len = cp_snprintf(line, sizeof(line), "sample %llu", (unsigned long long)seq);
		for (i = 0; i < SRC_COUNT; i++)
			reanchors[i] = sources[i].reanchors;
		for (i = 0; i < SRC_COUNT && len < (int)sizeof(line); i++)
			if (sources[i].present)
				len += cp_snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu", sources[i].name,
						   (unsigned long long)cs_read_tsc(&sources[i], rdtsc_ordered()));
		diag("%s", line);
		for (i = 0; i < SRC_COUNT; i++)
			if (sources[i].reanchors != reanchors[i])
				say_reanchor(&sources[i], seq, tsc_hz);
		next += tsc_hz;
	}
	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present && sources[i].width < 64)
			metric_u64(mname(sources[i].name, "reanchors"), sources[i].reanchors, "count");
	check_pass("drift.samples");
}
