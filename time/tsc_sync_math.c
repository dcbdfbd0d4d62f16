/* Warp and offset bookkeeping for the cross-CPU TSC tests (see tsc_sync_math.h). */
#include "tsc_sync_math.h"

void tsc_warp_reset(struct tsc_warp *w)
{
	*w = (struct tsc_warp){ .last_cpu = TSC_SYNC_NOBODY, .max_from = TSC_SYNC_NOBODY,
				.max_to = TSC_SYNC_NOBODY };
}

uint64_t tsc_warp_step(struct tsc_warp *w, unsigned me, uint64_t now)
{
	uint64_t warp = 0;

	w->reads++;
	if (w->last_cpu != TSC_SYNC_NOBODY) {
		if (w->last_cpu != me) {
			w->handoffs++;
			w->stalls += now == w->last;
		}
		if (now < w->last) {
			warp = w->last - now;
			w->warps++;
			if (warp > w->max_warp) {
				w->max_warp = warp;
				w->max_from = w->last_cpu;
				w->max_to = me;
			}
		}
	}
	w->last = now;
	w->last_cpu = me;
	return warp;
}

void tsc_offset_reset(struct tsc_offset *o)
{
	*o = (struct tsc_offset){ .best_rtt = UINT64_MAX, .lo = INT64_MIN, .hi = INT64_MAX };
}

void tsc_offset_add(struct tsc_offset *o, uint64_t t0, uint64_t t_ap, uint64_t t1)
{
	uint64_t rtt;
	int64_t lo, hi;

	if (t1 < t0) {
		o->bad_rounds++;
		return;
	}
	rtt = t1 - t0;
	/* Two's complement differences: offsets within +-2^63 cycles (decades) are exact. */
	lo = (int64_t)(t_ap - t1);
	hi = (int64_t)(t_ap - t0);
	o->rounds++;
	if (lo > o->lo)
		o->lo = lo;
	if (hi < o->hi)
		o->hi = hi;
	if (rtt < o->best_rtt) {
		o->best_rtt = rtt;
		o->best_offset = (int64_t)(t_ap - (t0 + rtt / 2));
	}
}

bool tsc_offset_inconsistent(const struct tsc_offset *o)
{
	return o->rounds && o->lo > o->hi;
}

bool tsc_offset_proven(const struct tsc_offset *o, uint64_t *at_least)
{
	if (!o->rounds || tsc_offset_inconsistent(o))
		return false;
	if (o->lo > 0) {
		*at_least = (uint64_t)o->lo;
		return true;
	}
	if (o->hi < 0) {
		*at_least = -(uint64_t)o->hi;
		return true;
	}
	return false;
}
