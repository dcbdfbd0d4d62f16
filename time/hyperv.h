/* Hyper-V reference time as a clock source: the reference TSC page when the hypervisor
 * offers a valid one, else the TIME_REF_COUNT MSR. Both count 100 ns units. */
#ifndef CP_TIME_HYPERV_H
#define CP_TIME_HYPERV_H
#include <stdbool.h>
#include <stdint.h>

#define HYPERV_NOMINAL_UHZ 10000000000000ULL /* 10 MHz: 100 ns units */
#define HV_REFERENCE_TSC_ENABLE 1ULL         /* bit 0 of HV_X64_MSR_REFERENCE_TSC */
#define HV_REFERENCE_TSC_PFN_MASK 0xfffffffffffff000ULL /* bits 63:12: GPA of the page */

/* Put HV_X64_MSR_REFERENCE_TSC back to what the firmware left (before leaving the guest). */
void hyperv_shutdown(void);
/* TscScale of the page, if the page path is in use (for the TSC frequency hint). */
bool hyperv_tsc_page_scale(uint64_t *scale);
/* hyperv.msr_fallbacks (page invalid at read time) and hyperv.page_retries so far. */
void hyperv_report_counters(void);

#endif
