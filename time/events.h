/* Clock events seen from inside the guest (drift mode): a pause, a snapshot restore, a
 * migration or a host step shows as clocks disagreeing about how much time one sample
 * interval took. Pure bookkeeping, host unit-tested (tests/unit/test_events.c); time/drift.c
 * feeds it and prints the `# event` lines (docs/log-format.md).
 *
 * Every source's offset from the TSC (its elapsed seconds minus the TSC's) is observed at
 * each sample (fine sources) or at each value change (coarse ones: the RTC's second edges,
 * timed to the poll period). Between observations the offset moves by the pair's drift only
 * (500 ppm is 0.5 ms a second); a move beyond EV_MIN_JUMP_US is a jump. Jumps seen within
 * EV_SETTLE_US of the first make one event. A source's "excess" across the event is how much
 * more than the clocks that stood still: its jump from the TSC minus the smallest jump among
 * the sources that did not go backwards and that another of them shares (events.c ev_base).
 * Under TCG a pause stops the TSC, HPET and PM timer
 * (excess 0, "froze") and the RTC gains the pause on them; under KVM the TSC and RTC run on
 * and kvm-clock, HPET and PM timer gain nothing. */
#ifndef CP_TIME_EVENTS_H
#define CP_TIME_EVENTS_H
#include <stdbool.h>
#include <stdint.h>

#define EV_MAX_SOURCES 8
/* A jump: far beyond drift over an interval (0.5 ms/s at 500 ppm) and the jitter of back-to-
 * back reads, far below the pauses and steps looked for (seconds; a snapshot's age). */
#define EV_MIN_JUMP_US 20000
/* A coarse source's edge is known only to the bracket between the read before it and the read
 * that saw it (a sample's print gap is ~100 ms in the nested lab). Two edges each timed within
 * half the jump threshold cannot make a jump between them; wider ones are not observed. */
#define EV_MAX_EDGE_BRACKET_US (EV_MIN_JUMP_US / 2)
/* Jumps within this of the first belong to one event: the RTC's next edge comes up to 1 s
 * after the guest runs again. */
#define EV_SETTLE_US 1500000

/* Per source, from its excess: ran_on, more than a tenth of the largest excess (and more than
 * EV_MIN_JUMP_US): it kept counting through the event or jumped forward; froze, the rest when
 * some source ran on; behind, less than the interval; back, went backwards over it; unknown,
 * re-anchored (a narrow counter whose wraps in the gap cannot be counted). */
enum ev_class { EV_STEADY, EV_FROZE, EV_RAN_ON, EV_BEHIND, EV_BACK, EV_UNKNOWN };

struct ev_source {
	bool present, coarse;
	bool have;             /* an observation exists */
	int64_t offset_us;     /* at the last observation */
	int64_t jump_us;       /* its offset change across the event */
	bool unknown;          /* re-anchored in the event: advance known only modulo its wrap */
	int64_t reanchored_us; /* TSC time of its last re-anchor (INT64_MIN: none) */
};

struct ev_state {
	struct ev_source s[EV_MAX_SOURCES];
	int64_t sample_us;     /* the sample period */
	bool open;
	uint64_t seq;          /* sample at which the open event was first seen */
	int64_t open_at_us;    /* TSC time of that */
	int64_t tsc_excess_us; /* the TSC's: the largest interval excess while the event was open */
	int64_t last_interval_excess_us; /* the last completed sample interval's TSC length - period */
	uint64_t events;
};

struct ev_report {
	uint64_t seq;
	int64_t tsc_excess_us;
	int64_t excess_us[EV_MAX_SOURCES];
	enum ev_class cls[EV_MAX_SOURCES];
	bool unknown[EV_MAX_SOURCES];
};

void ev_init(struct ev_state *e, int64_t sample_us);
/* An observation of source i at TSC time now_us with offset offset_us (source minus TSC);
 * seq is the current sample. */
void ev_observe(struct ev_state *e, unsigned i, int64_t offset_us, int64_t now_us, uint64_t seq);
/* Source i was re-anchored (cs_read_tsc): its advance across this gap is unknowable. A
 * re-anchor alone is no event (a narrow counter on a slow host re-anchors often); it makes the
 * source `unknown` in an event open within EV_SETTLE_US of it. */
void ev_unknown(struct ev_state *e, unsigned i, int64_t now_us, uint64_t seq);
/* A sample interval completed: its TSC length minus the sample period (the TSC's excess:
 * it ran on through a pause when this is large). Call at every sample, after observing. */
void ev_interval(struct ev_state *e, int64_t excess_us);
/* Close the open event once EV_SETTLE_US passed (or force): fills r, returns true once. */
bool ev_close(struct ev_state *e, int64_t now_us, bool force, struct ev_report *r);
const char *ev_class_name(enum ev_class c);

#endif
