/* kvm-clock (KVM's pvclock) as a clock source. The driver registers a per-CPU
 * pvclock_vcpu_time_info page with the host and reads it with the version protocol;
 * arithmetic is in time/pvclock.c. */
#ifndef CP_TIME_KVMCLOCK_H
#define CP_TIME_KVMCLOCK_H
#include <stdbool.h>
#include <stdint.h>

#define KVMCLOCK_NOMINAL_UHZ 1000000000000000ULL /* counts nanoseconds: 1 GHz */
#define KVMCLOCK_MSR_ENABLE  1ULL                /* bit 0 of the system-time MSR value */

/* Register this CPU's structure (the boot CPU does it in kvmclock_discover; an AP calls it
 * once after cpu_init). False if kvm-clock is absent or the MSR write faulted. */
bool kvmclock_cpu_init(void);
/* Ask the host to stop writing (system-time MSR = 0) on this CPU. Call on every registered
 * CPU before leaving the guest (reset, exit): the host would otherwise keep writing into
 * memory the next boot owns. The wall-clock MSR needs no undo: the host writes that
 * structure once per MSR write. */
void kvmclock_shutdown(void);

/* Current mul/shift of this CPU's structure (for the TSC frequency hint). */
bool kvmclock_scale(uint32_t *mul, int *shift);

/* kvmclock.version_changes, .read_retries, .tsc_before_timestamp, .read_failures and the
 * update jumps (how far each host update stepped the clock) since
 * discovery: printed on demand (e.g. after the comparison runs). */
void kvmclock_report_counters(void);

#endif
