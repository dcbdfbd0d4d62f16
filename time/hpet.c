/* HPET main counter as a clock source. Base address from the trusted ACPI HPET table, period
 * and width from GCAP_ID; the counter is enabled if firmware left it halted (OVMF does). Every
 * register access is 32 bits wide; 64-bit values are assembled by hpet_read_split (hpet.h).
 * Discover also measures how often a plain 8-byte load of MAIN_CNT tears, because that is
 * what a guest which trusts 64-bit MMIO loads would see on this platform. */
#include "hpet.h"
#include "clocksource.h"
#include "wait.h"
#include "../arch/x86/acpi.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"

/* A >= 10 MHz counter moves within 100 ns; 10 ms leaves room for VM exits and TCG. */
#define HPET_ADVANCE_TIMEOUT_US 10000
/* Plain loads in the tear measurement: a few thousand keep it to tens of ms under TCG. */
#define HPET_TEAR_TRIALS 2000
/* Warm-up restarts used to measure the enable-to-load latency (the first runs pay for TCG
 * translation and are not representative). */
#define HPET_TEAR_LATENCY_RUNS 8
/* Sweep window: this many enable-to-load latencies plus a floor for latency jitter. */
#define HPET_TEAR_WINDOW_LATENCIES 4
#define HPET_TEAR_WINDOW_MIN 32
#define HPET_LOW_WRAP (1ull << 32)

struct hpet_dev {
	uintptr_t base;
	struct hpet_caps caps;
	uint64_t retries;   /* hpet_read_split restarts */
	bool exhausted;     /* a split read ran out of retries */
};

static struct hpet_dev dev;

/* Plain loads: discovery read GCAP_ID through mmio_read32_safe first, so the mapping is known
 * to work by the time anything calls these, and the hot read path keeps the cost of one load. */
static uint32_t reg_read(void *ctx, unsigned offset)
{
	return mmio_read32(((struct hpet_dev *)ctx)->base + offset);
}

static void reg_write(unsigned offset, uint32_t v)
{
	mmio_write32(dev.base + offset, v);
}

static uint64_t read_counter(struct hpet_dev *d)
{
	if (!d->caps.count64)
		return reg_read(d, HPET_MAIN_CNT);
	return hpet_read_split(reg_read, d, &d->retries, &d->exhausted);
}

static uint64_t read_raw(struct clocksource *cs)
{
	return read_counter(cs->priv);
}

struct advance {
	uint64_t first;
};

static bool advanced(void *arg)
{
	return read_counter(&dev) != ((struct advance *)arg)->first;
}

/* Halt the counter, load it with v, start it again. Spec 2.3.5: MAIN_CNT is written only
 * while halted. Other GEN_CONF bits (legacy routing) are kept as found. */
static void restart_at(uint32_t conf, uint64_t v)
{
	reg_write(HPET_GEN_CONF, conf & ~HPET_ENABLE_CNF);
	reg_write(HPET_MAIN_CNT, (uint32_t)v);
	reg_write(HPET_MAIN_CNT_HI, (uint32_t)(v >> 32));
	reg_write(HPET_GEN_CONF, conf | HPET_ENABLE_CNF);
}

struct tear {
	unsigned trials, torn, wraps;
	uint64_t latency_ticks; /* sweep only: enable to plain load */
	uint64_t window_ticks;  /* sweep only: wraps placed 1..window ticks after enable */
};

/* A plain load is torn if it lies outside the values safe reads saw around it. */
static bool torn(uint64_t before, uint64_t plain, uint64_t after)
{
	return plain < before || plain > after;
}

/* We own the counter (firmware left it halted): a low-half wrap only happens every 2^32
 * ticks, so place one deliberately. Each trial restarts the counter k ticks before a wrap,
 * k cycling over 1..window where the window spans a few enable-to-load latencies, so the
 * wraps land before, inside and after the plain load's two halves many times over.
 * Afterwards the counter continues from the value it had before the sweep. */
static void tear_sweep(struct tear *t)
{
	uint32_t conf = reg_read(&dev, HPET_GEN_CONF);
	uint64_t resume = read_counter(&dev), plain, after, window;
	unsigned i;

	for (i = 0; i < HPET_TEAR_LATENCY_RUNS; i++) {
		restart_at(conf, 0);
		t->latency_ticks = mmio_read64(dev.base + HPET_MAIN_CNT);
	}
	window = t->latency_ticks * HPET_TEAR_WINDOW_LATENCIES + HPET_TEAR_WINDOW_MIN;
	if (window > HPET_TEAR_TRIALS)
		window = HPET_TEAR_TRIALS;
	t->window_ticks = window;
	for (i = 0; i < HPET_TEAR_TRIALS; i++) {
		uint64_t start = HPET_LOW_WRAP - (1 + i % window);

		restart_at(conf, start);
		plain = mmio_read64(dev.base + HPET_MAIN_CNT);
		after = read_counter(&dev);
		t->trials++;
		t->torn += torn(start, plain, after);
		t->wraps += after >= HPET_LOW_WRAP;
	}
	restart_at(conf, resume);
}

/* Firmware runs the counter: leave its value alone and just look. Low-half wraps are rare
 * (every 2^32 ticks), so `wraps` says how many chances to tear the burst actually had. */
static void tear_burst(struct tear *t)
{
	uint64_t before, plain, after;
	unsigned i;

	for (i = 0; i < HPET_TEAR_TRIALS; i++) {
		before = read_counter(&dev);
		plain = mmio_read64(dev.base + HPET_MAIN_CNT);
		after = read_counter(&dev);
		t->trials++;
		t->torn += torn(before, plain, after);
		t->wraps += (before >> 32) != (after >> 32);
	}
}

static void measure_tearing(bool own_counter)
{
	struct tear t = { 0, 0, 0, 0, 0 };

	if (!dev.caps.count64) {
		info("hpet.tear_method", "none: 32-bit counter, its high half is constant");
	} else if (own_counter) {
		tear_sweep(&t);
		info("hpet.tear_method",
		     "sweep: counter restarted 1..%llu ticks before a low-half wrap "
		     "(enable-to-load latency %llu ticks)", (unsigned long long)t.window_ticks,
		     (unsigned long long)t.latency_ticks);
	} else {
		tear_burst(&t);
		info("hpet.tear_method", "burst: firmware-enabled counter left untouched; tears need a "
		     "low-half wrap during a load");
	}
	metric_u64("hpet.plain_reads", t.trials, "count");
	metric_u64("hpet.torn_plain_reads", t.torn, "count");
	metric_u64("hpet.plain_read_wraps", t.wraps, "count");
}

/* One fault-safe register read for discovery; on a fault the source is absent, with why. */
static bool probe_read(unsigned offset, uint32_t *v, struct clocksource *cs)
{
	int fault = mmio_read32_safe(dev.base + offset, v);

	if (!fault)
		return true;
	metric_u64("hpet.probe_fault_vector", (uint64_t)FAULT_VECTOR(fault), "index");
	cs_set_absent(cs, "HPET MMIO read at 0x%llx faulted (%s, vector %d): nothing usable at "
		      "the ACPI HPET base", (unsigned long long)(dev.base + offset),
		      exception_name((unsigned)FAULT_VECTOR(fault)), FAULT_VECTOR(fault));
	return false;
}

void hpet_discover(struct clocksource *cs)
{
	struct advance a;
	uint32_t conf, gcap_lo, gcap_hi;
	bool enabled_by_us = false;

	if (!acpi.hpet_present || !acpi.hpet_base) {
		if (acpi.none_why)
			cs_set_absent(cs, "no HPET table (%s)", acpi.none_why);
		else
			cs_set_absent(cs, "no trusted ACPI HPET table");
		return;
	}
	dev.base = (uintptr_t)acpi.hpet_base;
	metric_hex("hpet.base", acpi.hpet_base, "addr");
	/* The base is only what ACPI claims: nothing may be mapped there, or it may not even be
	 * a valid address. Probe it with recovered loads so that is a finding, not a crash. */
	if (!probe_read(HPET_GCAP_ID, &gcap_lo, cs) || !probe_read(HPET_GCAP_ID_HI, &gcap_hi, cs))
		return;
	hpet_decode_gcap(gcap_lo, gcap_hi, &dev.caps);
	metric_u64("hpet.period_fs", dev.caps.period_fs, "fs");
	if (!hpet_period_valid(dev.caps.period_fs)) {
		cs_set_absent(cs, "GCAP_ID period %u fs outside (0, %u] (nothing at 0x%llx?)",
			      dev.caps.period_fs, HPET_PERIOD_MAX_FS, (unsigned long long)acpi.hpet_base);
		return;
	}
	metric_u64("hpet.timers", dev.caps.timers, "count");
	metric_hex("hpet.revision", dev.caps.revision, "hex");
	metric_hex("hpet.vendor", dev.caps.vendor, "hex");
	metric_u64("hpet.legacy_capable", dev.caps.legacy_capable, "bool");

	conf = reg_read(&dev, HPET_GEN_CONF);
	if (!(conf & HPET_ENABLE_CNF)) {
		reg_write(HPET_GEN_CONF, conf | HPET_ENABLE_CNF);
		enabled_by_us = true;
	}
	metric_u64("hpet.enabled_by_us", enabled_by_us, "bool");

	a.first = read_counter(&dev);
	if (!check(wait_until("hpet", advanced, &a, HPET_ADVANCE_TIMEOUT_US), "hpet.advances",
		   "main counter stayed at 0x%llx after ENABLE_CNF (%s)", (unsigned long long)a.first,
		   wait_last_failure())) {
		cs_set_absent(cs, "HPET main counter does not advance: %s", wait_last_failure());
		return;
	}

	measure_tearing(enabled_by_us);
	metric_u64("hpet.split_read_retries", dev.retries, "count");
	check(!dev.exhausted, "hpet.split_read",
	      "high half of MAIN_CNT changed on %u consecutive reads", HPET_READ_SPLIT_RETRIES + 1);

	cs->present = true;
	cs->nominal_uhz = hpet_nominal_uhz(dev.caps.period_fs);
	cs->width = dev.caps.count64 ? 64 : 32;
	cs->down = false;
	cs->read_raw = read_raw;
	cs->priv = &dev;
	cs_provenance(cs, "HPET base 0x%llx from ACPI HPET table; period %u fs from GCAP_ID; "
		      "%u-bit from COUNT_SIZE_CAP", (unsigned long long)acpi.hpet_base,
		      dev.caps.period_fs, cs->width);
}
