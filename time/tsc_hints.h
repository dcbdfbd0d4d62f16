/* TSC frequency hints: what CPUID leaves, MSRs and hypervisor interfaces claim the TSC
 * rate is. Hints are claims to be checked against the measured rate, never used as truth. */
#ifndef CP_TIME_TSC_HINTS_H
#define CP_TIME_TSC_HINTS_H
#include <stdint.h>

#define TSC_HINT_DETAIL_LEN 96
#define TSC_HINTS_MAX 10

struct tsc_hint {
	const char *source; /* metric part: cpuid15, cpuid16, cpuid_40000010, kvmclock, hyperv,
	                       hyperv_tsc_page, vmware, platform_info, fake */
	uint64_t hz;
	char detail[TSC_HINT_DETAIL_LEN];
};

/* Usable hints, each only from a leaf/MSR/interface that exists. Returns the count. */
unsigned tsc_hints_collect(struct tsc_hint *out, unsigned max);
/* Print tsc.hint_hz.<source> (Hz) and "info tsc.hint.<source> <detail>" for every usable
 * hint, and "info tsc.hint_rejected.<source>" for sources that exist but carry no hint. */
void tsc_hints_report(void);
/* Test hook (config fake_hint_hz=N): add a hint with source "fake"; 0 removes it. */
void tsc_hints_set_fake(uint64_t hz);

#endif
