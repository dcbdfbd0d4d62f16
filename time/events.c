/* Clock events from offset jumps (time/events.h). */
#include "events.h"

void ev_init(struct ev_state *e, int64_t sample_us)
{
	unsigned i;

	e->sample_us = sample_us;
	for (i = 0; i < EV_MAX_SOURCES; i++)
		e->s[i] = (struct ev_source){ .reanchored_us = INT64_MIN };
	e->open = false;
	e->events = 0;
	e->last_interval_excess_us = 0;
}

static void open_event(struct ev_state *e, int64_t now_us, uint64_t seq)
{
	unsigned i;

	if (e->open)
		return;
	e->open = true;
	e->seq = seq;
	e->open_at_us = now_us;
	for (i = 0; i < EV_MAX_SOURCES; i++)
		if (e->s[i].reanchored_us != INT64_MIN && now_us - e->s[i].reanchored_us <= EV_SETTLE_US)
			e->s[i].unknown = true;
	/* the event may lie in the interval completed just before (a coarse edge seen later) */
	e->tsc_excess_us = e->last_interval_excess_us > 0 ? e->last_interval_excess_us : 0;
}

void ev_interval(struct ev_state *e, int64_t excess_us)
{
	e->last_interval_excess_us = excess_us;
	if (e->open && excess_us > e->tsc_excess_us)
		e->tsc_excess_us = excess_us;
}

void ev_observe(struct ev_state *e, unsigned i, int64_t offset_us, int64_t now_us, uint64_t seq)
{
	struct ev_source *s = &e->s[i];
	int64_t d;

	if (i >= EV_MAX_SOURCES)
		return;
	if (!s->have) {
		s->have = true;
		s->offset_us = offset_us;
		return;
	}
	d = offset_us - s->offset_us;
	s->offset_us = offset_us;
	if (d > EV_MIN_JUMP_US || d < -EV_MIN_JUMP_US) {
		open_event(e, now_us, seq);
		s->jump_us += d;
	}
}

void ev_unknown(struct ev_state *e, unsigned i, int64_t now_us, uint64_t seq)
{
	(void)seq;
	if (i >= EV_MAX_SOURCES)
		return;
	e->s[i].reanchored_us = now_us;
	e->s[i].have = false; /* its offset starts afresh at the next observation */
	if (e->open)
		e->s[i].unknown = true;
}

static enum ev_class classify(int64_t jump, int64_t interval_us, int64_t excess, int64_t max_excess)
{
	int64_t ran = max_excess / 10 > EV_MIN_JUMP_US ? max_excess / 10 : EV_MIN_JUMP_US;

	if (interval_us + jump < -EV_MIN_JUMP_US)
		return EV_BACK; /* went backwards over the interval */
	if (excess > ran)
		return EV_RAN_ON;
	if (excess < -EV_MIN_JUMP_US)
		return EV_BEHIND;
	return max_excess > EV_MIN_JUMP_US ? EV_FROZE : EV_STEADY;
}

static bool ev_candidate(const struct ev_source *s, int64_t interval)
{
	return s->present && !s->unknown && interval + s->jump_us >= -EV_MIN_JUMP_US;
}

/* The clocks that stood still: the smallest jump from the TSC (whose own jump is 0) among the
 * sources that did not go backwards over the interval and that another such source shares
 * to EV_MIN_JUMP_US; the smallest alone when no two agree. One source left behind on its own
 * (the lab's APIC timer after a migration: -0.49 s from HPET, PM timer and kvm-clock) is then
 * "behind", not the reference that makes every other clock "ran_on". */
static int64_t ev_base(const struct ev_state *e, int64_t interval)
{
	int64_t lone = 0, shared = INT64_MAX;
	unsigned i, j;

	for (i = 0; i < EV_MAX_SOURCES; i++) {
		const struct ev_source *s = &e->s[i];

		if (!ev_candidate(s, interval))
			continue;
		if (s->jump_us < lone)
			lone = s->jump_us;
		for (j = 0; j < EV_MAX_SOURCES; j++)
			if (j != i && ev_candidate(&e->s[j], interval) && s->jump_us < shared &&
			    e->s[j].jump_us - s->jump_us <= EV_MIN_JUMP_US && s->jump_us - e->s[j].jump_us <= EV_MIN_JUMP_US)
				shared = s->jump_us;
	}
	return shared <= 0 ? shared : lone; /* never above the TSC's own 0, as before */
}

bool ev_close(struct ev_state *e, int64_t now_us, bool force, struct ev_report *r)
{
	int64_t max_excess = 0, base, interval = e->sample_us + e->tsc_excess_us;
	unsigned i;

	if (!e->open || (!force && now_us - e->open_at_us < EV_SETTLE_US))
		return false;
	r->seq = e->seq;
	base = ev_base(e, interval);
	r->tsc_excess_us = -base;
	for (i = 0; i < EV_MAX_SOURCES; i++) {
		r->excess_us[i] = e->s[i].jump_us - base;
		if (e->s[i].present && !e->s[i].unknown && r->excess_us[i] > max_excess)
			max_excess = r->excess_us[i];
	}
	for (i = 0; i < EV_MAX_SOURCES; i++) {
		struct ev_source *s = &e->s[i];

		r->unknown[i] = s->unknown;
		r->cls[i] = s->unknown ? EV_UNKNOWN : classify(e->s[i].jump_us, interval, r->excess_us[i], max_excess);
		s->unknown = false;
		s->jump_us = 0;
	}
	e->open = false;
	e->events++;
	return true;
}

const char *ev_class_name(enum ev_class c)
{
	static const char *const names[] = { "steady", "froze", "ran_on", "behind", "back", "unknown" };

	return c <= EV_UNKNOWN ? names[c] : "?";
}
