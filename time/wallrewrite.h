/* kvm-clock wall-clock refresh (config wall_rewrite_s=S; docs/log-format.md, "Wall-clock
 * rewrite lines"). The wall-clock MSR (MSR_KVM_WALL_CLOCK_NEW, or MSR_KVM_WALL_CLOCK with only
 * KVM_FEATURE_CLOCKSOURCE) makes the host fill {sec, nsec} = its wall time at kvm-clock zero,
 * once per write: a guest that never writes it again keeps the base of its boot while the
 * host's wall clock is slewed by NTP, stepped, or the VM is paused (kvm-clock is kept
 * continuous across a pause, so the base moves by the pause). In drift mode the guest writes
 * the MSR again at the first sample at least S s (TSC) after the previous write and prints,
 * per rewrite, how far the base moved (the new wall clock minus the old one carried forward
 * by kvm-clock), the new wall clock itself (the runner compares it with the line's host
 * stamp) and the new wall clock minus the RTC at a second edge. Without drift mode: one
 * rewrite after the measurements. Without kvm-clock: check kvmclock.wall_rewrite is a SKIP
 * naming why. The arithmetic is pure (time/pvclock.c, time/wallclock.c) and unit-tested. */
#ifndef CP_TIME_WALLREWRITE_H
#define CP_TIME_WALLREWRITE_H
#include <stdbool.h>
#include <stdint.h>

/* An RTC second edge timed to within this (the drift loop polls every 1 ms; an RTC read is
 * two port accesses, ~1 ms in the nested lab) dates the RTC well enough; a wider bracket (the
 * VM paused between two polls) is not used. */
#define WR_RTC_BRACKET_MAX_US 20000
/* An edge at most this far (TSC) from the rewrite is compared with it: the wall clock is moved
 * to the edge through the TSC rate, whose error (at most tol_unc_ppm, 4 sigma) adds at most
 * 0.4 ms at 2 s and 50 ppm. */
#define WR_RTC_DISTANCE_MAX_US 2000000
/* Without drift mode: wait at most this for the RTC edge after the one rewrite (an edge comes
 * every second). */
#define WR_RTC_WAIT_US 1500000

/* Drift mode start: true when rewrites will be made (wall_rewrite_s set, kvm-clock's wall
 * clock readable, tsc_uhz known); otherwise the SKIP of kvmclock.wall_rewrite says why
 * (nothing at all when wall_rewrite_s is 0). */
bool wall_rewrite_start(uint64_t tsc_uhz);
/* After drift sample seq: rewrite when S s (TSC) passed since the previous one. */
void wall_rewrite_poll(uint64_t seq);
/* The drift loop saw the RTC's second change to unix_s between TSC tsc_lo and tsc_hi. */
void wall_rewrite_rtc_edge(uint64_t unix_s, uint64_t tsc_lo, uint64_t tsc_hi);
/* Drift mode end: the summary metrics and check kvmclock.wall_rewrite. */
void wall_rewrite_end(void);
/* Without drift mode: one rewrite now, compared with the next RTC edge, and the check. */
void wall_rewrite_once(uint64_t tsc_uhz);

#endif
