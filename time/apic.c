/* Local APIC timer of this CPU as a clock source: a 32-bit down counter at the (unknown) bus
 * clock, divide-by-1, LVT masked so it never interrupts. Base and mode (xAPIC MMIO or x2APIC
 * MSRs) come from IA32_APIC_BASE. The rate is not architectural: nominal_uhz = 0 and the
 * comparison engine measures it.
 *
 * Periodic mode with initial count 0xffffffff reloads at 0 with a period of exactly 2^32 ticks,
 * which is a free-running 32-bit down counter: cs_read extends it like any other. The brief
 * proposed one-shot mode plus re-arming; one-shot stops at 0 and the time spent there is lost,
 * so periodic is used and the re-arm is only a fallback in read_raw for implementations that
 * stop at 0 anyway. A re-arm looks like an ordinary wrap (0 -> 0xffffffff, one tick) to cs_read,
 * so the extended count then misses however long the counter sat at 0; `rearms` counts them. */
#include "apic.h"
#include "clocksource.h"
#include "wait.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/io.h"
#include "../arch/x86/msr.h"
#include "../lib/report.h"

/* At >= 1 MHz the count moves within 1 us; 10 ms leaves room for VM exits and TCG. */
#define APIC_ADVANCE_TIMEOUT_US 10000

struct apic_dev {
	bool x2apic;
	uintptr_t base;
	uint32_t last;     /* last current count read */
	uint64_t rearms;   /* current count found at 0 and restarted */
	uint64_t faults;   /* x2APIC MSR accesses that faulted */
};

static struct apic_dev dev;

/* xAPIC: a plain load. Discovery read the version register through mmio_read32_safe first,
 * so the mapping is known to work by the time anything calls this, and the hot read path
 * (the timer's current count) keeps the cost of one load. */
static uint32_t apic_read(struct apic_dev *d, unsigned offset, uint32_t dflt)
{
	uint64_t v;

	if (!d->x2apic)
		return mmio_read32(d->base + offset);
	if (rdmsr_safe(X2APIC_MSR(offset), &v)) {
		d->faults++;
		return dflt;
	}
	return (uint32_t)v;
}

static void apic_write(struct apic_dev *d, unsigned offset, uint32_t v)
{
	if (!d->x2apic)
		mmio_write32(d->base + offset, v);
	else if (wrmsr_safe(X2APIC_MSR(offset), v))
		d->faults++;
}

static uint64_t read_raw(struct clocksource *cs)
{
	struct apic_dev *d = cs->priv;
	uint32_t v = apic_read(d, APIC_TMCCT, d->last);

	if (v == 0) {
		apic_write(d, APIC_TMICT, APIC_TMICT_FULL);
		d->rearms++;
	}
	d->last = v;
	return v;
}

struct advance {
	uint32_t first;
};

static bool advanced(void *arg)
{
	return apic_read(&dev, APIC_TMCCT, 0) != ((struct advance *)arg)->first;
}

void apic_discover(struct clocksource *cs)
{
	struct advance a;
	uint64_t msr;
	uint32_t svr, lvt, version;
	bool sw_enabled_by_us = false;
	int fault;

	if (!cpu.apic) {
		cs_set_absent(cs, "no local APIC (CPUID.1:EDX.APIC = 0)");
		return;
	}
	fault = rdmsr_safe(MSR_IA32_APIC_BASE, &msr);
	if (fault) {
		cs_set_absent(cs, "reading IA32_APIC_BASE raised %s", exception_name(FAULT_VECTOR(fault)));
		return;
	}
	dev.x2apic = (msr & IA32_APIC_BASE_EXTD) != 0;
	dev.base = (uintptr_t)(msr & IA32_APIC_BASE_ADDR_MASK);
	metric_hex("apic.base", dev.base, "addr");
	metric_u64("apic.x2apic_mode", dev.x2apic, "bool");
	if (!(msr & IA32_APIC_BASE_EN)) {
		cs_set_absent(cs, "local APIC globally disabled (IA32_APIC_BASE.EN = 0)");
		return;
	}

	/* The base is whatever IA32_APIC_BASE says; a hypervisor that maps nothing there must
	 * make the source absent, not crash the run. The first MMIO access is recovered. */
	if (!dev.x2apic) {
		fault = mmio_read32_safe(dev.base + APIC_VERSION, &version);
		if (fault) {
			metric_u64("apic.probe_fault_vector", (uint64_t)FAULT_VECTOR(fault), "index");
			cs_set_absent(cs, "local APIC MMIO read at 0x%llx faulted (%s, vector %d)",
				      (unsigned long long)(dev.base + APIC_VERSION),
				      exception_name((unsigned)FAULT_VECTOR(fault)), FAULT_VECTOR(fault));
			return;
		}
	} else {
		version = apic_read(&dev, APIC_VERSION, 0);
	}
	metric_hex("apic.version", version, "hex");

	/* Software-disabled APICs force every LVT masked and may not run the timer (SDM 11.4.7.2). */
	svr = apic_read(&dev, APIC_SVR, 0);
	if (!(svr & APIC_SVR_SW_ENABLE)) {
		apic_write(&dev, APIC_SVR, svr | APIC_SVR_SW_ENABLE);
		sw_enabled_by_us = true;
	}
	metric_u64("apic.enabled_by_us", sw_enabled_by_us, "bool");

	lvt = apic_read(&dev, APIC_LVT_TIMER, 0);
	apic_write(&dev, APIC_LVT_TIMER, (lvt & APIC_LVT_VECTOR_MASK) | APIC_LVT_MASKED |
		   APIC_LVT_TIMER_PERIODIC);
	apic_write(&dev, APIC_TDCR, APIC_TDCR_DIV_1);
	apic_write(&dev, APIC_TMICT, APIC_TMICT_FULL);
	metric_u64("apic.divide", apic_tdcr_divisor(apic_read(&dev, APIC_TDCR, 0)), "count");
	lvt = apic_read(&dev, APIC_LVT_TIMER, 0);
	info("apic.timer_mode", "%s%s (LVT timer 0x%x)",
	     (lvt & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_PERIODIC ? "periodic" :
	     (lvt & APIC_LVT_TIMER_MODE_MASK) == APIC_LVT_TIMER_ONESHOT ? "one-shot" : "other",
	     lvt & APIC_LVT_MASKED ? ", masked" : ", NOT masked", lvt);
	if (dev.faults) {
		cs_set_absent(cs, "%llu x2APIC MSR accesses faulted", (unsigned long long)dev.faults);
		return;
	}

	a.first = apic_read(&dev, APIC_TMCCT, 0);
	if (!check(wait_until("apic", advanced, &a, APIC_ADVANCE_TIMEOUT_US), "apic.advances",
		   "timer current count stayed at 0x%x (%s)", a.first, wait_last_failure())) {
		cs_set_absent(cs, "local APIC timer does not count: %s", wait_last_failure());
		return;
	}

	dev.last = a.first;
	cs->present = true;
	cs->nominal_uhz = 0;
	cs->width = APIC_TIMER_BITS;
	cs->down = true;
	cs->read_raw = read_raw;
	cs->priv = &dev;
	cs_provenance(cs, "base 0x%llx and %s mode from IA32_APIC_BASE; divide 1, periodic reload "
		      "0xffffffff; rate not architectural: measured", (unsigned long long)dev.base,
		      dev.x2apic ? "x2APIC (MSR)" : "xAPIC (MMIO)");
}
