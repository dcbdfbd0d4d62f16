/* Drift mode. Each second (by the calibrated TSC) it prints
 *   # sample <seq> <src>=<ticks> <src>=<ticks> ...
 * with the extended, up-counting value of every present source read back to back. Between
 * samples it keeps reading every source so that narrow counters (PIT: 27 ms half wrap)
 * stay extended. The runner converts ticks to seconds with the nominal (or measured) rates
 * printed before and fits each source against host time (its line stamps). */
#include "drift.h"
#include "sources.h"
#include "counter.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"
#include "../lib/fmt.h"
#include "../lib/settings.h"
#include "events.h"
#include "wallrewrite.h"

#define DRIFT_POLL_US 1000 /* re-read every source at least every millisecond */

/* The detector's state (time/events.h) and what it needs per source. */
static struct ev_state ev;
static struct {
	uint64_t uhz;          /* rate for seconds: nominal, else measured (0: not tracked) */
	uint64_t t0, tsc0;     /* first observation */
	uint64_t last_v;       /* coarse sources: value at the last edge */
	uint64_t read_tsc;     /* TSC before the last read */
	uint64_t edge_tsc;     /* coarse sources: the last edge's time, to within edge_half (0: none yet) */
	uint64_t edge_half;
	uint64_t upd0;         /* parameter updates before the open event */
	int64_t step0;         /* and their net step */
} dr[SRC_COUNT];
static uint64_t tsc_hz_now, drift_tsc0, interval_start_tsc, sample_cycles;
static uint64_t rtc_before;

static uint64_t period_cycles(unsigned i)
{
	return dr[i].uhz ? mul_div_u64(tsc_hz_now, 1000000, dr[i].uhz) : 0;
}
static uint64_t print_gap[2], print_gap_max, edge_waits; /* let_coarse_edges_pass */

static int64_t us_of(uint64_t ticks, uint64_t uhz)
{
	return (int64_t)mul_div_u64(ticks, 1000000000000ULL, uhz);
}

static int64_t tsc_us(uint64_t tsc)
{
	return (int64_t)mul_div_u64(tsc - drift_tsc0, 1000000, tsc_hz_now);
}

static int64_t excess_now(uint64_t tsc)
{
	return (int64_t)mul_div_u64(tsc - interval_start_tsc, 1000000, tsc_hz_now) -
	       (int64_t)mul_div_u64(sample_cycles, 1000000, tsc_hz_now);
}

/* Source i read v at TSC tsc: its offset from the TSC, in us, to the detector. */
static void observe(unsigned i, uint64_t v, uint64_t tsc, uint64_t seq)
{
	if (!dr[i].uhz)
		return;
	if (!dr[i].tsc0) {
		dr[i].t0 = v;
		dr[i].tsc0 = tsc;
	}
	ev_observe(&ev, i, us_of(v - dr[i].t0, dr[i].uhz) - (int64_t)mul_div_u64(tsc - dr[i].tsc0, 1000000, tsc_hz_now),
		   tsc_us(tsc), seq);
}

static void say_reanchor(const struct clocksource *cs, uint64_t seq)
{
	diag("reanchor %llu %s gap_us=%llu", (unsigned long long)seq, cs->name,
	     (unsigned long long)mul_div_u64(cs->reanchor_gap_cycles, 1000000, tsc_hz_now));
	ev_unknown(&ev, (unsigned)(cs - sources), tsc_us(rdtsc_ordered()), seq);
}

/* One read of source i with the TSC of the read: re-anchors are said at once (cs_read_tsc
 * never steps a narrow counter back across a gap that may hide a wrap), and a coarse
 * source's value change is an observation for the detector, timed to this read. */
static uint64_t read_one(unsigned i, uint64_t seq)
{
	struct clocksource *cs = &sources[i];
	uint64_t before = cs->reanchors, tsc = rdtsc_ordered(), v = cs_read_tsc(cs, tsc);

	if (cs->reanchors != before)
		say_reanchor(cs, seq);
	if (cs->coarse && v != dr[i].last_v) {
		if (dr[i].last_v) {
			uint64_t latch = cs->latch_tsc ? cs->latch_tsc : tsc;

			/* the edge came after the previous read began and before this one latched */
			uint64_t width = latch - dr[i].read_tsc;

			if (mul_div_u64(width, 1000000, tsc_hz_now) <= EV_MAX_EDGE_BRACKET_US) {
				observe(i, v, latch, seq);
				dr[i].edge_tsc = latch;
				dr[i].edge_half = 0;
			} else if (width <= period_cycles(i) / 4) {
				/* too loose for the detector, close enough to find the next edge by: else an
				 * edge phase-locked in the print gap (after a snapshot, say) stays there */
				dr[i].edge_tsc = dr[i].read_tsc + width / 2;
				dr[i].edge_half = width / 2;
			}
			if (i == SRC_RTC)
				wall_rewrite_rtc_edge(v, dr[i].read_tsc, latch);
		}
		dr[i].last_v = v;
	}
	dr[i].read_tsc = tsc;
	return v;
}

static void poll_all(uint64_t seq)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present)
			(void)read_one(i, seq);
}

/* A sample stops the polling while its line is printed (in the nested lab tens of ms: every
 * UART byte is a VM exit), and a coarse source's edge in that gap is timed only to the gap,
 * too wide for a wall-clock comparison. Samples a whole number of the source's periods apart
 * would put its edge in every gap until something shifts the phase (the lab's RTC comparisons
 * of wall-clock rewrites before a pause were lost so). So a sample waits, polling, for a
 * coarse edge due within the larger of the last two gaps (a wall-clock rewrite adds to every
 * other one) plus how loosely the last edge was timed; each wait is bounded by twice that. */
static void let_coarse_edges_pass(uint64_t seq)
{
	uint64_t guard = print_gap[0] > print_gap[1] ? print_gap[0] : print_gap[1];
	unsigned i;

	for (i = 0; i < SRC_COUNT && guard; i++) {
		uint64_t period = period_cycles(i), slack = guard + dr[i].edge_half, now, due, v0, until;

		if (!sources[i].present || !sources[i].coarse || !dr[i].edge_tsc || !period)
			continue;
		now = rdtsc_ordered();
		if (period < 2 * slack || now < dr[i].edge_tsc)
			continue; /* edges too dense to step around */
		due = dr[i].edge_tsc + period * ((now - dr[i].edge_tsc) / period + 1);
		if (due - now > slack)
			continue;
		edge_waits++;
		v0 = dr[i].last_v;
		until = due + slack;
		while (dr[i].last_v == v0 && (int64_t)(rdtsc_ordered() - until) < 0)
			poll_all(seq);
	}
}

static void mark_updates(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++) {
		const struct update_steps *u = sources[i].updates;

		if (sources[i].present && u) {
			dr[i].upd0 = u->updates;
			dr[i].step0 = u->net;
		}
	}
}

/* # event <n> seq=<sample> tsc_excess_ms=<x> <src>=<class>:<excess ms> ... then what the
 * paravirtual sources' parameters did and the RTC before and after (docs/log-format.md). */
static void say_event(const struct ev_report *r)
{
	char line[480];
	int n;
	unsigned i;

	n = cp_snprintf(line, sizeof(line), "event %llu seq=%llu", (unsigned long long)(ev.events - 1),
			(unsigned long long)r->seq);
	for (i = 0; i < SRC_COUNT && n > 0 && (size_t)n < sizeof(line); i++) {
		const struct clocksource *cs = &sources[i];
		int64_t x = r->excess_us[i];

		if (!cs->present || (!dr[i].uhz && !r->unknown[i]))
			continue;
		if (r->unknown[i])
			n += cp_snprintf(line + n, sizeof(line) - (size_t)n, " %s=unknown", cs->name);
		else
			n += cp_snprintf(line + n, sizeof(line) - (size_t)n, " %s=%s:%s%lld.%03lld", cs->name,
					 ev_class_name(r->cls[i]), x < 0 ? "-" : "+", (long long)((x < 0 ? -x : x) / 1000),
					 (long long)((x < 0 ? -x : x) % 1000));
	}
	for (i = 0; i < SRC_COUNT && n > 0 && (size_t)n < sizeof(line); i++) {
		const struct update_steps *u = sources[i].updates;

		if (sources[i].present && u)
			n += cp_snprintf(line + n, sizeof(line) - (size_t)n, " %s.updates=%llu:%+lldns", sources[i].name,
					 (unsigned long long)(u->updates - dr[i].upd0),
					 (long long)((u->net - dr[i].step0) * (int64_t)sources[i].update_unit_ns));
	}
	if (sources[SRC_RTC].present && n > 0 && (size_t)n < sizeof(line))
		cp_snprintf(line + n, sizeof(line) - (size_t)n, " rtc_before=%llu rtc_after=%llu",
			    (unsigned long long)rtc_before, (unsigned long long)dr[SRC_RTC].last_v);
	diag("%s", line);
}

static void maybe_close(bool force)
{
	struct ev_report r;

	if (ev_close(&ev, tsc_us(rdtsc_ordered()), force, &r)) {
		say_event(&r);
		mark_updates();
	}
}

void drift_run(uint64_t tsc_uhz)
{
	uint64_t duration = setting(SET_DURATION), seq, samples, tsc_hz = tsc_uhz / 1000000;
	uint64_t next, poll_cycles, sample_ms = setting(SET_SAMPLE_MS), sample_tsc;
	unsigned i;

	if (!duration) {
		wall_rewrite_once(tsc_uhz); /* wall_rewrite_s without drift mode: one rewrite */
		return;
	}
	if (!tsc_hz) {
		check_fail("drift", "drift mode needs a measured TSC rate");
		(void)wall_rewrite_start(0); /* says why it cannot run */
		return;
	}
	metric_u64("drift.duration_s", duration, "s");
	metric_u64("drift.sample_ms", sample_ms, "ms");
	metric_u64("drift.tsc_hz", tsc_hz, "Hz");
	tsc_hz_now = tsc_hz;
	poll_cycles = mul_div_u64(tsc_hz, DRIFT_POLL_US, 1000000);
	sample_cycles = mul_div_u64(tsc_hz, sample_ms, 1000);
	samples = duration * 1000 / sample_ms;
	ev_init(&ev, (int64_t)sample_ms * 1000);
	/* Start every count afresh: the engine's last reads may be too long ago for narrow
	 * counters to extend across the gap. */
	for (i = 0; i < SRC_COUNT; i++) {
		dr[i] = (typeof(dr[i])){ .uhz = sources[i].nominal_uhz ? sources[i].nominal_uhz : sources[i].measured_uhz };
		ev.s[i].present = sources[i].present && i < EV_MAX_SOURCES;
		ev.s[i].coarse = sources[i].coarse;
		if (sources[i].present)
			cs_reset(&sources[i]);
	}
	if (SRC_TSC < SRC_COUNT)
		dr[SRC_TSC].uhz = tsc_uhz; /* the TSC against itself: offset 0, excess = the interval's */
	print_gap[0] = print_gap[1] = print_gap_max = edge_waits = 0;
	mark_updates();
	(void)wall_rewrite_start(tsc_uhz);
	drift_tsc0 = interval_start_tsc = rdtsc_ordered();
	poll_all(0);
	next = rdtsc_ordered();
	for (seq = 0; seq <= samples; seq++) {
		char line[400];
		int len = 0;

		while ((int64_t)(rdtsc_ordered() - next) < 0) {
			uint64_t until = rdtsc_ordered() + poll_cycles;

			poll_all(seq);
			while ((int64_t)(rdtsc_ordered() - until) < 0 && (int64_t)(rdtsc_ordered() - next) < 0)
				cpu_relax();
		}
		/* Woken a whole period late (the VM was paused while the TSC ran on): sample now and
		 * keep the period from here instead of catching up with a burst of samples. */
		if (rdtsc_ordered() - next > sample_cycles)
			next = rdtsc_ordered();
		let_coarse_edges_pass(seq);
		if (!ev.open)
			rtc_before = dr[SRC_RTC].last_v;
		sample_tsc = rdtsc_ordered();
		len = cp_snprintf(line, sizeof(line), "sample %llu", (unsigned long long)seq);
		for (i = 0; i < SRC_COUNT && len < (int)sizeof(line); i++) {
			if (!sources[i].present)
				continue;
			{
				uint64_t now = rdtsc_ordered(), v = read_one(i, seq);

				len += cp_snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu", sources[i].name,
						   (unsigned long long)v);
				if (!sources[i].coarse && seq)
					observe(i, v, i == SRC_TSC ? v : now, seq);
			}
		}
		diag("%s", line);
		if (seq)
			ev_interval(&ev, excess_now(sample_tsc));
		maybe_close(false);
		wall_rewrite_poll(seq);
		print_gap[seq & 1] = rdtsc_ordered() - sample_tsc;
		if (print_gap[seq & 1] > print_gap_max)
			print_gap_max = print_gap[seq & 1];
		interval_start_tsc = sample_tsc;
		next += sample_cycles;
	}
	maybe_close(true);
	wall_rewrite_end();
	metric_u64("drift.events", ev.events, "count");
	metric_u64("drift.print_gap_max_us", mul_div_u64(print_gap_max, 1000000, tsc_hz_now), "us");
	metric_u64("drift.edge_waits", edge_waits, "count");
	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present && sources[i].width < 64)
			metric_u64(mname(sources[i].name, "reanchors"), sources[i].reanchors, "count");
	check_pass("drift.samples");
}
