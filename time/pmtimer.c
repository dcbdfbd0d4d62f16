/* ACPI PM timer as a clock source: port and width from the FADT (acpi_probe decides between
 * X_PM_TMR_BLK and PM_TMR_BLK), nominal 3.579545 MHz by the ACPI spec.
 * Reads are single `inl`s masked to the width: a conformance probe should see what the device
 * returns, and a triple read would triple the cost the comparison engine measures. Discover
 * counts out-of-order values in a burst of single reads; only if it finds any does read_raw
 * switch to Linux's verified triple read, and says so. */
#include "pmtimer.h"
#include "clocksource.h"
#include "wait.h"
#include "../arch/x86/acpi.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"

/* One tick is 279 ns; 10 ms leaves room for VM exits and TCG translation. */
#define PM_TMR_ADVANCE_TIMEOUT_US 10000
/* Single reads checked for order at discover: ~2.5 us each under emulation, a few ms in all,
 * far below the 4.69 s wrap of a 24-bit counter. */
#define PM_TMR_BURST_READS 2000
/* Verified read: triples tried before giving up (Linux retries without bound). */
#define PM_TMR_VERIFY_TRIES 10

struct pmtimer_dev {
	uint16_t port;
	unsigned bits;
	uint32_t mask;
	bool verified;           /* read_raw uses the triple read */
	uint64_t verify_retries; /* triples rejected */
	uint64_t verify_failures;/* reads that ran out of tries */
};

static struct pmtimer_dev dev;

static uint32_t read_once(const struct pmtimer_dev *d)
{
	return inl(d->port) & d->mask;
}

static uint32_t read_verified(struct pmtimer_dev *d)
{
	uint32_t v1, v2, v3;
	unsigned i;

	for (i = 0; i < PM_TMR_VERIFY_TRIES; i++) {
		v1 = read_once(d);
		v2 = read_once(d);
		v3 = read_once(d);
		if (pmtimer_in_order(v1, v2, v3, d->bits))
			return v2;
		d->verify_retries++;
	}
	d->verify_failures++;
	return v3;
}

static uint64_t read_raw(struct clocksource *cs)
{
	struct pmtimer_dev *d = cs->priv;

	return d->verified ? read_verified(d) : read_once(d);
}

struct advance {
	uint32_t first;
};

static bool advanced(void *arg)
{
	return read_once(&dev) != ((struct advance *)arg)->first;
}

/* Values in a burst of single reads that break the order of their neighbours. */
static unsigned count_bad_reads(void)
{
	uint32_t a = read_once(&dev), b = read_once(&dev), c;
	unsigned i, bad = 0;

	for (i = 0; i < PM_TMR_BURST_READS; i++) {
		c = read_once(&dev);
		bad += !pmtimer_in_order(a, b, c, dev.bits);
		a = b;
		b = c;
	}
	return bad;
}

void pmtimer_discover(struct clocksource *cs)
{
	struct advance a;
	unsigned bad;

	if (acpi.hw_reduced && !acpi.pm_tmr_port) {
		cs_set_absent(cs, "ACPI hardware-reduced platform (FADT HW_REDUCED_ACPI) without PM timer "
			      "fields: no PM timer");
		return;
	}
	if (!acpi.pm_tmr_port && acpi.none_why) {
		cs_set_absent(cs, "no PM timer (%s)", acpi.none_why);
		return;
	}
	if (!acpi.pm_tmr_port) {
		cs_set_absent(cs, "no ACPI PM timer (FADT %s)",
			      acpi.fadt_present ? "PM_TMR_BLK and X_PM_TMR_BLK are 0" : "not found");
		return;
	}
	dev.port = acpi.pm_tmr_port;
	dev.bits = acpi.pm_tmr_bits == PM_TMR_BITS_EXT ? PM_TMR_BITS_EXT : PM_TMR_BITS_DEFAULT;
	dev.mask = (uint32_t)counter_mask(dev.bits);
	metric_hex("pmtimer.port", dev.port, "port");
	metric_u64("pmtimer.bits", dev.bits, "bits");

	a.first = read_once(&dev);
	if (!check(wait_until("pmtimer", advanced, &a, PM_TMR_ADVANCE_TIMEOUT_US), "pmtimer.advances",
		   "port 0x%x stayed at 0x%x (%s)", dev.port, a.first, wait_last_failure())) {
		cs_set_absent(cs, "PM timer at port 0x%x does not advance: %s", dev.port,
			      wait_last_failure());
		return;
	}

	bad = count_bad_reads();
	metric_u64("pmtimer.burst_reads", PM_TMR_BURST_READS, "count");
	metric_u64("pmtimer.bad_reads", bad, "count");
	check(bad == 0, "pmtimer.read_order", "%u of %u single reads were out of order with their "
	      "neighbours: using verified triple reads", bad, PM_TMR_BURST_READS);
	dev.verified = bad != 0;
	metric_u64("pmtimer.verified_reads", dev.verified, "bool");

	cs->present = true;
	cs->nominal_uhz = (uint64_t)PM_TMR_FREQ_HZ * 1000000u;
	cs->width = dev.bits;
	cs->down = false;
	cs->read_raw = read_raw;
	cs->priv = &dev;
	cs_provenance(cs, "port 0x%x from FADT %s; %u bits from FADT TMR_VAL_EXT; %u Hz by ACPI spec",
		      dev.port, acpi.pm_tmr_source ? acpi.pm_tmr_source : "?", dev.bits, PM_TMR_FREQ_HZ);
}
