/* The shared part of the clock source interface: software extension of raw counters. */
#include "clocksource.h"
#include "../lib/fmt.h"
#include <stdarg.h>

void cs_reset(struct clocksource *cs)
{
	cs->ext_started = false;
	cs->ext = 0;
	cs->last_tsc = 0;
}

static uint64_t extend(struct clocksource *cs, uint64_t raw)
{
	if (!cs->ext_started) {
		/* Start the extended count at the raw value (inverted for down counters) so that
		 * a 64-bit up-counter keeps its own value. */
		cs->ext = cs->down ? counter_mask(cs->width) - raw : raw;
		cs->ext_started = true;
	} else {
		cs->ext += (uint64_t)counter_signed_delta(cs->last_raw, raw, cs->width, cs->down);
	}
	cs->last_raw = raw;
	return cs->ext;
}

uint64_t cs_read(struct clocksource *cs)
{
	cs->last_tsc = 0; /* the next cs_read_tsc cannot measure its gap */
	return extend(cs, cs->read_raw(cs));
}

/* The advance a gap should hold (at the rate since the anchor, times CS_REANCHOR_SAFETY)
 * against the counter's range: 0, under half the range: the signed delta, so a step back
 * shows; 1, half the range or more: a step back cannot be told from a forward step, but no
 * whole wrap fits, so the forward delta is exact; 2, the whole range or more: whole wraps may
 * hide in the gap, re-anchor. */
static int gap_class(const struct clocksource *cs, uint64_t gap, uint64_t seg_ticks)
{
	unsigned __int128 e = (unsigned __int128)gap * seg_ticks * CS_REANCHOR_SAFETY;
	unsigned __int128 range_cycles = ((unsigned __int128)1 << cs->width) * (cs->last_tsc - cs->anchor_tsc);

	if (e >= range_cycles)
		return 2;
	return e * 2 >= range_cycles ? 1 : 0;
}

uint64_t cs_read_tsc(struct clocksource *cs, uint64_t tsc)
{
	uint64_t raw = cs->read_raw(cs), seg_ticks;

	if (cs->ext_started && cs->last_tsc && cs->width < 64 && cs->last_tsc != cs->anchor_tsc) {
		seg_ticks = cs->ext - cs->anchor_ext;
		if ((int64_t)seg_ticks >= COUNTER_RATE_MIN_TICKS) {
			int k = gap_class(cs, tsc - cs->last_tsc, seg_ticks);

			if (k) {
				cs->ext += counter_delta(cs->last_raw, raw, cs->width, cs->down);
				cs->last_raw = raw;
				if (k == 2) {
					cs->reanchors++;
					cs->reanchor_gap_cycles = tsc - cs->last_tsc;
					cs->anchor_tsc = tsc;
					cs->anchor_ext = cs->ext;
				}
				cs->last_tsc = tsc;
				return cs->ext;
			}
		}
	}
	extend(cs, raw);
	if (!cs->last_tsc) {
		cs->anchor_tsc = tsc;
		cs->anchor_ext = cs->ext;
	}
	cs->last_tsc = tsc;
	return cs->ext;
}

void cs_set_absent(struct clocksource *cs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cp_vsnprintf(cs->reason, sizeof(cs->reason), fmt, ap);
	va_end(ap);
	cs->present = false;
}

void cs_provenance(struct clocksource *cs, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cp_vsnprintf(cs->provenance, sizeof(cs->provenance), fmt, ap);
	va_end(ap);
}
