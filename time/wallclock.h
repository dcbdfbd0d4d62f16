/* Wall clocks compared with each other. A wall clock here is anything that tells UTC: the
 * firmware's GetTime(), the CMOS RTC at a second edge, kvm-clock's wall-clock structure.
 * Each is read once, wherever its driver reads it, as an interval of unix time (its
 * resolution) stamped with the TSC bracket of the read; once the TSC rate is known every pair
 * is moved to a common instant and their offset interval is judged. No device is special-
 * cased: a reading is a name, an interval and a bracket. */
#ifndef CP_TIME_WALLCLOCK_H
#define CP_TIME_WALLCLOCK_H
#include <stdbool.h>
#include <stdint.h>

#define WALL_MAX 4

struct wall_reading {
	const char *name;       /* metric component: efi, rtc, kvmclock */
	int64_t lo_ns, hi_ns;   /* the clock's reading lies in [lo, hi], unix ns (its resolution) */
	uint64_t tsc_lo, tsc_hi; /* the read happened between these TSC values */
};

/* Record a reading (drivers call this when they read their clock). */
void wall_note(const char *name, int64_t lo_ns, int64_t hi_ns, uint64_t tsc_lo, uint64_t tsc_hi);

/* Offset a - b, as an interval [*lo, *hi] in ns: both readings moved to a's TSC midpoint with
 * the TSC rate tsc_uhz (1-sigma uncertainty unc_mppm, widened by 4 sigma), widened by both
 * brackets. False if tsc_uhz is 0. Pure. */
bool wall_offset(const struct wall_reading *a, const struct wall_reading *b, uint64_t tsc_uhz,
		 uint64_t unc_mppm, int64_t *lo, int64_t *hi);

/* Can reading `edge` (an RTC second edge, say) be compared with reading `a` at most
 * max_cycles of TSC away (midpoint to midpoint)? USE: within reach; WAIT: an older edge too
 * far before a, a later one may come; TOO_LATE: the edge is after a and already too far. Pure. */
enum wall_edge_use { WALL_EDGE_USE, WALL_EDGE_WAIT, WALL_EDGE_TOO_LATE };
enum wall_edge_use wall_edge_use(const struct wall_reading *a, const struct wall_reading *edge, uint64_t max_cycles);

/* Whole minutes of a time-zone-like offset (a multiple of 15 min, at least 15 min, within
 * WALL_TZ_SLACK_S), else 0: one of the two clocks probably keeps local time. Pure. */
int64_t wall_tz_minutes(int64_t lo_ns, int64_t hi_ns);

/* Every pair of readings: wall.<a>.<b>.offset_ms (interval midpoint), .bound_ms (half width)
 * and a check wall.<a>.<b> that passes when the interval reaches within tol_ms of zero. */
void wall_compare(uint64_t tsc_uhz, uint64_t unc_mppm, uint64_t tol_ms);

#endif
