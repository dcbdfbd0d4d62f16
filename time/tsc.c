/* TSC as a clock source: ordered rdtsc, 64-bit up-counter. Its rate is not known a priori
 * (hints are collected separately, time/tsc_hints.c); the engine measures it against the
 * references. CPUID decides presence; invariance and TSC_ADJUST are reported as provenance. */
#include "clocksource.h"
#include "../arch/x86/io.h"
#include "../arch/x86/cpuid.h"

static uint64_t tsc_read(struct clocksource *cs)
{
	(void)cs;
	return rdtsc_ordered();
}

void tsc_discover(struct clocksource *cs)
{
	if (!cpu.tsc) {
		cs_set_absent(cs, "CPUID.1:EDX[4] (TSC) clear");
		return;
	}
	cs->present = true;
	cs->width = 64;
	cs->read_raw = tsc_read;
	cs_provenance(cs, "rdtsc with lfence before and after; CPUID.1:EDX[4]=1, invariant=%d "
		      "(CPUID 0x80000007:EDX[8]), TSC_ADJUST=%d (CPUID 7:EBX[1]); rate measured, not assumed",
		      cpu.invariant_tsc, cpu.tsc_adjust);
}
