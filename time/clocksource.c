/* The shared part of the clock source interface: software extension of raw counters. */
#include "clocksource.h"
#include "../lib/fmt.h"
#include <stdarg.h>

void cs_reset(struct clocksource *cs)
{
	cs->ext_started = false;
	cs->ext = 0;
}

uint64_t cs_read(struct clocksource *cs)
{
	uint64_t raw = cs->read_raw(cs);

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
