/* kvm-clock (KVM's pvclock) as a clock source. The driver registers a per-CPU
 * pvclock_vcpu_time_info page with the host and reads it with the version protocol;
 * arithmetic is in time/pvclock.c. */
#ifndef CP_TIME_KVMCLOCK_H
#define CP_TIME_KVMCLOCK_H
#include <stdbool.h>
#include <stddef.h>
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

/* kvm-clock's wall clock (MSR_KVM_WALL_CLOCK_NEW, or MSR_KVM_WALL_CLOCK with only
 * KVM_FEATURE_CLOCKSOURCE): one fill of {version, sec, nsec} and kvm-clock read right after. */
struct kvmclock_wall {
	uint32_t version, sec, nsec; /* sec.nsec: host wall time at kvm-clock 0 */
	uint64_t kvmclock_ns;        /* kvm-clock read after the fill */
	uint64_t tsc_lo, tsc_hi;     /* the TSC before and after that read */
	int64_t unix_ns;             /* sec.nsec + kvmclock_ns: the wall clock at that read */
};
/* NULL when the wall clock can be refilled, else why not (kvm-clock absent and its reason, or
 * the discovery fill failed). */
const char *kvmclock_wall_unavailable(void);
/* The wall-clock MSR in use: 0x4b564d00 (CLOCKSOURCE2), 0x11 (CLOCKSOURCE only), 0 (none). */
uint32_t kvmclock_wall_msr(void);
/* The fill kvmclock_discover made (kvmclock.wall_unix_s). False when unavailable. */
bool kvmclock_wall_first(struct kvmclock_wall *w);
/* Write the wall-clock MSR again, wait (bounded, 100 ms) for the host to refill the structure
 * (its version changes), read it and kvm-clock. False with the reason in why. */
bool kvmclock_wall_refill(struct kvmclock_wall *w, char *why, size_t n);

/* kvmclock.version_changes, .read_retries, .tsc_before_timestamp, .read_failures and the
 * update jumps (how far each host update stepped the clock) since
 * discovery: printed on demand (e.g. after the comparison runs). */
void kvmclock_report_counters(void);

#endif
