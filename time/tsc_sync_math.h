/* Pure bookkeeping of the cross-CPU TSC tests (time/tsc_sync.c), host unit-tested
 * (tests/unit/test_tsc_sync.c). No hardware access.
 *
 * Warp (Linux arch/x86/kernel/tsc_sync.c check_tsc_warp): CPUs take turns under one lock,
 * each reading the TSC and comparing with the last value any CPU read under it. The lock
 * orders the reads in time, so a value below the previous one is a TSC going backwards
 * across CPUs, by that many cycles.
 *
 * Offset (ping-pong): the boot CPU reads t0, asks, the AP answers with its TSC t_ap, the boot
 * CPU reads t1. t_ap was read between t0 and t1, so with equal rates the AP's offset lies in
 * [t_ap - t1, t_ap - t0] for every round, and in the intersection of all rounds. The best
 * round (shortest round trip) gives the estimate: t_ap - midpoint. */
#ifndef CP_TIME_TSC_SYNC_MATH_H
#define CP_TIME_TSC_SYNC_MATH_H
#include <stdbool.h>
#include <stdint.h>

#define TSC_SYNC_NOBODY 0xffffffffu /* no read under the lock yet */

struct tsc_warp {
	uint64_t last;                 /* last TSC value read under the lock */
	unsigned last_cpu;             /* who read it, TSC_SYNC_NOBODY before the first read */
	uint64_t reads;                /* reads under the lock */
	uint64_t handoffs;             /* reads following another CPU's: the comparisons that test sync */
	uint64_t warps;                /* reads below the previous one */
	uint64_t stalls;               /* handoffs that read the very value of the previous read */
	uint64_t max_warp;             /* largest such step, cycles */
	unsigned max_from, max_to;     /* CPU of the larger (earlier) and of the smaller (later) read */
};

void tsc_warp_reset(struct tsc_warp *w);
/* CPU `me` read `now` under the lock. Returns the backward step (0 = none). */
uint64_t tsc_warp_step(struct tsc_warp *w, unsigned me, uint64_t now);

struct tsc_offset {
	uint64_t rounds;               /* rounds used */
	uint64_t bad_rounds;           /* t1 < t0: the boot CPU's own TSC went backwards */
	uint64_t best_rtt;             /* shortest round trip, cycles */
	int64_t best_offset;           /* AP minus boot CPU at that round: t_ap - midpoint */
	int64_t lo, hi;                /* intersection of every round's interval */
};

void tsc_offset_reset(struct tsc_offset *o);
void tsc_offset_add(struct tsc_offset *o, uint64_t t0, uint64_t t_ap, uint64_t t1);
/* Rounds disagree: no constant offset fits them all (the rates differ, or a TSC jumped). */
bool tsc_offset_inconsistent(const struct tsc_offset *o);
/* The offset is provably nonzero: every round puts it on one side of zero. *at_least gets
 * the smallest magnitude the rounds allow. */
bool tsc_offset_proven(const struct tsc_offset *o, uint64_t *at_least);

#endif
