/* The comparison engine. Works on struct clocksource only; no device is special-cased.
 * Order of a run:
 *   1. warm every read path (TCG translates code on first execution; caches, exits);
 *   2. rate window: read every fine-grained source round robin, each read bracketed by two
 *      ordered TSC reads, for window_ms measured on the best reference; fit cycles per tick;
 *   3. coarse sources (ticks much longer than a read) are timed by their value changes
 *      (edges) in the same window, which lasts until they have two;
 *   4. TSC rate from each reference and from the best, every source's rate and ppm, the
 *      pairwise matrix, hints, ground truth;
 *   5. read cost, granularity and monotonicity per source, now that cycles convert to ns;
 *   6. watchdog prediction, wall clocks, summary table; then the drift mode if asked. */
#include "compare.h"
#include "sources.h"
#include "fit.h"
#include "tolerance.h"
#include "wait.h"
#include "tsc_hints.h"
#include "drift.h"
#include "wallclock.h"
#include "watchdog_model.h"
#include "../arch/x86/io.h"
#include "../arch/x86/acpi.h"
#include "../lib/report.h"
#include "../lib/fmt.h"
#include "../lib/mem.h"
#include "../lib/settings.h"

#define WARM_READS 200
#define MAX_SAMPLES 2048         /* per source; decimated by doubling the stride when full */
#define COST_READS 1000
#define WD_INTERVALS 500
/* A gap between two reads of a narrow counter longer than this many times the shortest gap
 * seen (a host preemption, an SMI) is checked for a hidden wrap (counter_gap_may_wrap): only
 * then do the samples after it start a new fit segment. 1000 x a few-us loop is still far
 * below the PIT's 27 ms half wrap. Breaking at every long gap would fragment a loaded host's
 * window into FIT_MAX_SEGMENTS pieces within a second and drop the rest of the samples. */
#define GAP_BREAK_FACTOR 1000

struct stats {
	struct clocksource *cs;
	struct fit_sample smp[MAX_SAMPLES];
	unsigned n, stride, tick;
	struct fit_result fit;
	uint64_t tsc_uhz_implied; /* TSC rate this source implies (needs nominal) */
	uint64_t freq_uhz;
	int64_t ppm_m;            /* vs nominal, milli-ppm */
	uint32_t cost_p50, cost_p99;
	uint64_t stalls, backwards, min_step;
	uint64_t last_t1, min_gap;
	uint64_t last_v, seg_t, seg_v; /* last read; first read of the current segment */
	bool own_gap;       /* the engine itself kept this source unread since its last read */
	uint32_t segment;
	unsigned spoiled;   /* coarse edges skipped because the poll was preempted */
	uint64_t spoiled_max; /* coarse: the widest skipped edge's bracket, cycles */
	uint64_t c_prev_t0, c_prev_v, c_min_poll; /* coarse: the last poll, the quickest poll gap */
	uint64_t last_edge; /* coarse: TSC of the last edge seen (used or spoiled), 0: none */
	bool anchored, anchor_judged; /* coarse: smp[0] is the driver's edge; judged by the window's rule */
	bool unjudged;      /* rate too uncertain to judge (its error within its noise) */
	uint64_t unc_m;     /* 1 sigma of the rate against nominal, milli-ppm (fit and reference) */
	int64_t worst_back;
	bool failed;
};

static struct stats st[SRC_COUNT];
static uint32_t scratch[COST_READS > WD_INTERVALS ? COST_READS : WD_INTERVALS];
static uint64_t tsc_uhz, tsc_unc_mppm; /* the TSC rate from the best reference, its 1-sigma */
static uint32_t bracket_overhead;

struct tol {
	uint64_t pair_ppm, hint_ppm, truth_ppm, unc_ppm, scale_ppm, wall_ms;
	uint64_t truth_tsc_hz; /* 0 = no ground truth declared */
};

static bool fine(const struct stats *s)
{
	return s->cs->present && !s->cs->coarse;
}

static void add_sample(struct stats *s, uint64_t t0, uint64_t t1, uint64_t v)
{
	unsigned i;

	if (s->tick++ % s->stride)
		return;
	if (s->n == MAX_SAMPLES) {
		for (i = 0; i < MAX_SAMPLES / 2; i++)
			s->smp[i] = s->smp[2 * i];
		s->n = MAX_SAMPLES / 2;
		s->stride *= 2;
	}
	s->smp[s->n++] = (struct fit_sample){ .tsc = t0 + (t1 - t0) / 2, .ticks = v, .width = (uint32_t)(t1 - t0),
					      .segment = s->segment };
}

/* Start a new fit segment after a gap long enough to have hidden a counter wrap at the rate
 * the counter showed in its current segment. */
static void note_gap(struct stats *s, uint64_t t0, uint64_t t1, uint64_t v)
{
	if (!s->last_t1) {
		s->seg_t = t1;
		s->seg_v = v;
	} else if (s->cs->width < 64) {
		uint64_t gap = t0 - s->last_t1;

		if (s->min_gap && (gap > s->min_gap * GAP_BREAK_FACTOR || s->own_gap) &&
		    counter_gap_may_wrap(gap, s->last_v - s->seg_v, s->last_t1 - s->seg_t, s->cs->width)) {
			s->segment++;
			s->seg_t = t1;
			s->seg_v = v;
		}
		if (!s->min_gap || gap < s->min_gap)
			s->min_gap = gap ? gap : 1;
	}
	s->last_t1 = t1;
	s->last_v = v;
	s->own_gap = false;
}

/* The timebase that ends the window: the first fine source with a nominal rate (table order is
 * the preference: HPET, PM timer, PIT, kvm-clock, Hyper-V). NULL: use the TSC's assumed bound. */
static struct stats *timebase(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (fine(&st[i]) && st[i].cs->nominal_uhz && i != SRC_TSC)
			return &st[i];
	return 0;
}

/* A slow timebase leaves a 1 s window few, noisy samples: in the nested lab every HPET read is
 * a VM exit costing 0.4-0.7 ms, and its rate came out 4-16 ppm off (kvm-clock -15 ppm from the
 * HPET at +-8 ppm; a 5 s window gave +0.16 +- 0.6 ppm). Unless window_ms was set, a timebase
 * whose reads take WINDOW_SLOW_READ_NS or more (timed in its own ticks before the window) gets
 * WINDOW_SLOW_MS. One window, no pause in it: a pause to refit cost the lab's PIT whole wraps.
 * Under TCG an HPET read takes ~0.5 us and nothing changes. */
/* 50 us: ten times a VM exit to the VMM's user space on hardware (1-5 us), a tenth of the lab's
 * HPET read; QEMU TCG's HPET read measures 4 us in its own ticks. */
#define WINDOW_SLOW_READ_NS 50000
#define WINDOW_SLOW_MS 8000
#define WINDOW_PROBE_READS 16

/* Nanoseconds per read of the timebase, timed by itself (0: no timebase): the median step of
 * WINDOW_PROBE_READS back-to-back reads, so one preempted read (a loaded host under TCG took
 * 0.15 ms once in 16) does not make a fast timebase look slow. */
static uint64_t timebase_read_ns(void)
{
	struct stats *tb = timebase();
	uint64_t prev, v;
	uint32_t step[WINDOW_PROBE_READS];
	unsigned k;

	if (!tb)
		return 0;
	prev = cs_read(tb->cs);
	for (k = 0; k < WINDOW_PROBE_READS; k++) {
		v = cs_read(tb->cs);
		step[k] = v - prev > UINT32_MAX ? UINT32_MAX : (uint32_t)(v - prev);
		prev = v;
	}
	return mul_div_u64(percentile_u32(step, WINDOW_PROBE_READS, 50), 1000000000000000ULL, tb->cs->nominal_uhz);
}

/* Coarse sources (ticks much longer than a read: the RTC's seconds) are timed by the moments
 * their value changes (edges), in the same window as the fine sources, not after it. An edge
 * lies between the previous poll's start and the moment this read latched its value
 * (clocksource.h latch_tsc; the read's end when the driver does not say): the midpoint is the
 * estimate, the span its width. The read that sees the change may be slower after the latch
 * (the driver decodes more), which must not widen the bracket.
 *  - A coarse source is polled once per round of the window; once the window's timebase gives
 *    a TSC rate, the next edge is predicted (last edge + nominal period) and the source is
 *    polled alone from COARSE_DUE_MARGIN_PPM of a period before it until it changes, so the
 *    edge is bracketed by one read, not by a round.
 *  - An edge the driver timed at discovery (clocksource.h edge_hi) is the first sample: the
 *    window then needs one more edge, not two.
 *  - The window lasts window_ms and until every coarse source has COARSE_MIN_EDGES edges, or
 *    COARSE_EXTRA_PERIODS periods more (plus one per spoiled edge, up to
 *    COARSE_SPOILED_RETRIES) have passed. With fewer edges than a longer wait would
 *    give, the rate's uncertainty says so: it is the edges' bracket widths over their span
 *    (fit.c, FIT_MIN_DOF_STATS).
 *  - An edge whose bracket is stretched (the vCPU was preempted, or a host lock was
 *    contended) beyond both COARSE_EDGE_WIDTH_FACTOR quickest polls and edge_gap_ppm
 *    of the period is not used (counted as spoiled): the next edge is awaited instead. */
#define COARSE_MIN_EDGES 2       /* one period: the fewest edges that give a rate */
#define COARSE_EXTRA_PERIODS 3
/* Each spoiled edge buys one more period, up to this many: a 2-core host compiling beside
 * the run spoiled five edges in a row (measured); past that the rate is reported unmeasured. */
#define COARSE_SPOILED_RETRIES 8
#define COARSE_EDGE_WIDTH_FACTOR 8
/* The widest usable edge, in ppm of the period: the run's tol_unc_ppm (default 50). An edge
 * so bracketed keeps a one-period rate's uncertainty (bracket over span, fit.c) within what
 * the run judges, and the width is in it. Multi-threaded TCG (-smp 2) stretches the poll at
 * an RTC edge by 0.2-6 us, and in about one run in eight, on a quiet host, by 38-44 us (at
 * times 61-70), often at several edges in a row: a read at the edge waits for QEMU's lock,
 * likely held by its RTC update timer, which fires there. At a fixed 10 ppm one such run
 * spoiled 13 edges in a row, took 13.6 s and left the RTC unmeasured. A preemption is
 * 0.5 ms and more. */
static uint64_t edge_gap_ppm = TOL_UNC_PPM;
/* 2000 ppm of the period (2 ms for the RTC) either side of a predicted edge: four times the
 * 500 ppm a conforming source may be off, plus the provisional TSC rate's error (a 50 ms
 * timebase baseline: well under 100 ppm). An edge outside it is still seen by the once-a-round
 * poll, only with a round's width. The fine sources are not read while the source is polled
 * alone: 4 ms, far below the PIT's 27 ms half wrap. */
#define COARSE_DUE_MARGIN_PPM 2000
/* The timebase gives a provisional TSC rate once it has covered this fraction of the window. */
#define COARSE_RATE_AFTER_DIV 20

static void note_spoiled(struct stats *s, uint64_t width)
{
	s->spoiled++;
	if (width > s->spoiled_max)
		s->spoiled_max = width;
}

static void coarse_sample(struct stats *s, uint64_t lo, uint64_t hi, uint64_t v)
{
	if (s->n == MAX_SAMPLES)
		return;
	s->smp[s->n++] = (struct fit_sample){ .tsc = lo + (hi - lo) / 2, .ticks = v, .width = (uint32_t)(hi - lo) };
	s->last_edge = hi;
}

/* One poll of a coarse source; period: its nominal period in TSC cycles (0: not yet known).
 * Returns true when its value changed (an edge, used or spoiled). */
static bool coarse_poll(struct stats *s, uint64_t period)
{
	struct clocksource *cs = s->cs;
	uint64_t t0 = rdtsc_ordered(), t1, v, gap = t0 - s->c_prev_t0, hi;
	uint64_t gap_ok = mul_div_u64(period, edge_gap_ppm, 1000000);

	cs->latch_tsc = 0;
	v = cs_read(cs);
	t1 = rdtsc_ordered();
	if (v == s->c_prev_v) {
		if (gap < s->c_min_poll)
			s->c_min_poll = gap;
		s->c_prev_t0 = t0;
		return false;
	}
	hi = cs->latch_tsc >= t0 && cs->latch_tsc <= t1 ? cs->latch_tsc : t1;
	/* The bracket is [previous poll's start, latch]: a stall before this poll or inside its
	 * latching read (under load a CMOS read at the edge waited 8 ms for QEMU's lock) widens it. */
	if (hi - s->c_prev_t0 > s->c_min_poll * COARSE_EDGE_WIDTH_FACTOR && hi - s->c_prev_t0 > gap_ok) {
		s->last_edge = hi;
		note_spoiled(s, hi - s->c_prev_t0);
	} else {
		coarse_sample(s, s->c_prev_t0, hi, v);
		/* Printed at once: the runner's host stamp of this line dates the edge. */
		metric_u64(mname(cs->name, "edge_ticks"), v, "ticks");
	}
	s->c_prev_t0 = t0;
	s->c_prev_v = v;
	return true;
}

static void coarse_start(struct stats *s)
{
	struct clocksource *cs = s->cs;

	s->n = 0;
	s->c_min_poll = UINT64_MAX;
	if (cs->edge_hi && cs->edge_hi >= cs->edge_lo) {
		coarse_sample(s, cs->edge_lo, cs->edge_hi, cs->edge_v);
		s->anchored = true;
	}
	s->c_prev_t0 = rdtsc_ordered();
	s->c_prev_v = cs_read(cs);
}

/* The driver's edge is used only if its bracket passes the window's own rule (a preempted
 * discovery wait gave the RTC a 4 ms bracket once, under load): judged once the period and
 * the quickest poll are known, long before the next edge. It still dates the phase. */
static void coarse_judge_anchor(struct stats *s, uint64_t period)
{
	unsigned i;

	if (!s->anchored || s->anchor_judged || !period || s->c_min_poll == UINT64_MAX)
		return;
	s->anchor_judged = true;
	if (s->smp[0].width <= s->c_min_poll * COARSE_EDGE_WIDTH_FACTOR ||
	    s->smp[0].width <= mul_div_u64(period, edge_gap_ppm, 1000000))
		return;
	note_spoiled(s, s->smp[0].width);
	for (i = 1; i < s->n; i++)
		s->smp[i - 1] = s->smp[i];
	s->n--;
}

/* Poll a coarse source in this round: alone around its predicted edge, else once. True when
 * that took more than a poll: a tight loop, or an edge line printed (in a nested guest every
 * byte to the UART is a VM exit: ~15 ms a line in the lab, past a quarter of the PIT's half
 * wrap). */
static bool coarse_round(struct stats *s, uint64_t period)
{
	uint64_t margin = period / (1000000 / COARSE_DUE_MARGIN_PPM), now = rdtsc_ordered(), due, k;

	coarse_judge_anchor(s, period);
	if (!period || !s->last_edge)
		return coarse_poll(s, period);
	k = (now + margin - s->last_edge) / period; /* periods since the last edge */
	due = s->last_edge + (k ? k : 1) * period;
	if (now + margin < due || now >= due + margin) /* not due yet, or missed: poll once */
		return coarse_poll(s, period);
	while (!coarse_poll(s, period) && rdtsc_ordered() < due + margin)
		;
	return true;
}

/* The fine sources were kept unread by the engine itself: their next read's gap is checked
 * for a hidden wrap whatever its length against the quickest gap (note_gap). */
static void own_gaps(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (fine(&st[i]))
			st[i].own_gap = true;
}

/* A coarse source's nominal period in TSC cycles, from the TSC's provisional rate against the
 * timebase so far (0: not known yet). */
static uint64_t coarse_period(const struct stats *s, const struct stats *tb, uint64_t tb_done, uint64_t tb_ticks,
			      uint64_t cycles)
{
	if (!tb || !s->cs->nominal_uhz || tb_done < tb_ticks / COARSE_RATE_AFTER_DIV || !tb_done)
		return 0;
	/* cycles per timebase tick x ticks per second / periods per second (both in uHz) */
	return mul_div_u64(cycles, tb->cs->nominal_uhz, tb_done) / s->cs->nominal_uhz;
}

static bool coarse_done(const struct stats *s, uint64_t elapsed, uint64_t period)
{
	uint64_t periods = COARSE_MIN_EDGES + COARSE_EXTRA_PERIODS +
			   (s->spoiled < COARSE_SPOILED_RETRIES ? s->spoiled : COARSE_SPOILED_RETRIES);

	if (s->n >= COARSE_MIN_EDGES)
		return true;
	return period ? elapsed >= period * periods : elapsed >= mul_div_u64(wait_tsc_hz(), periods, 1);
}

static void rate_window(uint64_t window_ms)
{
	struct stats *tb = timebase();
	uint64_t start_tsc = rdtsc_ordered(), tb_start = tb ? cs_read(tb->cs) : 0;
	uint64_t tb_ticks = tb ? mul_div_u64(tb->cs->nominal_uhz, window_ms, 1000000000ULL) : 0;
	/* Hang bound independent of the timebase: the window at the fastest plausible TSC, x4,
	 * and the coarse sources' own bound. */
	uint64_t cap = mul_div_u64(wait_tsc_hz(), window_ms * 4, 1000) +
		       mul_div_u64(wait_tsc_hz(), 2 * (COARSE_MIN_EDGES + COARSE_EXTRA_PERIODS + COARSE_SPOILED_RETRIES), 1);
	unsigned i, coarse = 0;

	for (i = 0; i < SRC_COUNT; i++)
		if (st[i].cs->present && st[i].cs->coarse) {
			coarse_start(&st[i]);
			coarse++;
		}
	for (;;) {
		uint64_t now, tb_done = tb ? tb->cs->ext - tb_start : 0;
		bool done;

		for (i = 0; i < SRC_COUNT; i++) {
			struct stats *s = &st[i];
			uint64_t t0, t1, v;

			if (!fine(s))
				continue;
			t0 = rdtsc_ordered();
			v = cs_read(s->cs);
			t1 = rdtsc_ordered();
			note_gap(s, t0, t1, v);
			add_sample(s, t0, t1, v);
		}
		now = rdtsc_ordered();
		/* Without a timebase the coarse sources end the window (or the cap does). */
		done = tb ? tb_done >= tb_ticks : coarse > 0;
		for (i = 0; i < SRC_COUNT; i++) {
			struct stats *s = &st[i];
			uint64_t period;

			if (!s->cs->present || !s->cs->coarse)
				continue;
			period = coarse_period(s, tb, tb_done, tb_ticks, now - start_tsc);
			if (coarse_round(s, period))
				own_gaps();
			done = done && coarse_done(s, rdtsc_ordered() - start_tsc, period);
		}
		if (done)
			break;
		if (rdtsc_ordered() - start_tsc > cap) {
			if (tb)
				diag("rate window: timebase %s did not advance %llu ticks within the TSC bound",
				     tb->cs->name, (unsigned long long)tb_ticks);
			break;
		}
	}
	for (i = 0; i < SRC_COUNT; i++)
		if (st[i].cs->present && st[i].cs->coarse) {
			metric_u64(mname(st[i].cs->name, "edges_spoiled"), st[i].spoiled, "count");
			if (st[i].spoiled)
				metric_u64(mname(st[i].cs->name, "edge_spoiled_max_cycles"), st[i].spoiled_max, "cycles");
		}
	info("rate.timebase", "%s, window %llu ms%s", tb ? tb->cs->name : "tsc (assumed 10 GHz bound)",
	     (unsigned long long)window_ms, coarse ? ", coarse sources timed by their edges within it" : "");
}

/* A paravirtual source the host re-parameterised: did the new parameters continue the clock
 * (within the driver's rounding) or step it? A host that promises a stable clock promises
 * monotonic time, not continuity: KVM re-bases kvm-clock on its master clock at updates (e.g.
 * when a guest enables the Hyper-V TSC page), so a forward step is a host finding; a step
 * back fails. Without the promise every step is a host finding. */
#define UPDATES_FORWARD_ONLY "it promises monotonic time, not continuity: a forward step at a parameter " \
	"update is allowed (KVM re-bases kvm-clock on its master clock)"

static void update_steps_check(const struct clocksource *cs)
{
	const struct update_steps *u = cs->updates;
	int64_t unit = (int64_t)cs->update_unit_ns;
	char after[96] = "", s_txt[24], ppm_txt[24];

	if (!u)
		return;
	if (!u->updates) {
		check_skip(mname(cs->name, "updates"), "the host did not update the parameters during the run");
		return;
	}
	if (u->max_after_ns) {
		/* the largest step over the time its old parameters ran: a drift rate, milli-ppm */
		__int128 ppm_m = (__int128)u->max * unit * 1000000000 / (__int128)u->max_after_ns;

		cp_fmt_fixed(s_txt, sizeof(s_txt), (long long)(u->max_after_ns / 1000000), 3);
		cp_fmt_fixed(ppm_txt, sizeof(ppm_txt), (long long)ppm_m, 3);
		cp_snprintf(after, sizeof(after), " (%s s after the previous update: %s ppm of that time)", s_txt, ppm_txt);
	}
	check_host(!u->steps, cs->unpromised ? cs->unpromised : u->back ? NULL : UPDATES_FORWARD_ONLY,
		   mname(cs->name, "updates"), "%s stepped at %llu of %llu parameter updates (%llu back): largest %lld ns%s, "
		   "most negative %lld ns, net %lld ns", cs->name, (unsigned long long)u->steps,
		   (unsigned long long)u->updates, (unsigned long long)u->back, (long long)(u->max * unit), after,
		   (long long)(u->min * unit), (long long)(u->net * unit));
}

static void read_quality(struct stats *s)
{
	struct clocksource *cs = s->cs;
	uint64_t prev = cs_read(cs), t0, t1, v, deadline = mul_div_u64(tsc_uhz, 1, 20000000); /* 50 ms */
	uint64_t start = rdtsc_ordered();
	unsigned n;

	s->min_step = UINT64_MAX;
	for (n = 0; n < COST_READS && rdtsc_ordered() - start < deadline; n++) {
		int64_t step;

		t0 = rdtsc_ordered();
		v = cs_read(cs);
		t1 = rdtsc_ordered();
		scratch[n] = (uint32_t)(t1 - t0);
		step = (int64_t)(v - prev);
		if (step == 0)
			s->stalls++;
		else if (step < 0) {
			s->backwards++;
			if (step < s->worst_back)
				s->worst_back = step;
		} else if ((uint64_t)step < s->min_step)
			s->min_step = (uint64_t)step;
		prev = v;
	}
	s->cost_p99 = percentile_u32(scratch, n, 99);
	s->cost_p50 = percentile_u32(scratch, n, 50);
	s->cost_p50 = s->cost_p50 > bracket_overhead ? s->cost_p50 - bracket_overhead : 0;
	s->cost_p99 = s->cost_p99 > bracket_overhead ? s->cost_p99 - bracket_overhead : 0;
	if (s->min_step == UINT64_MAX)
		s->min_step = 0;
}

static uint64_t cycles_to_ns(uint64_t c)
{
	return tsc_uhz ? mul_div_u64(c, 1000000000000000ULL, tsc_uhz) : 0;
}

/* Cost of an empty bracket (two adjacent ordered TSC reads): subtracted from read costs. */
static void measure_overhead(void)
{
	unsigned i;

	for (i = 0; i < COST_READS; i++) {
		uint64_t t0 = rdtsc_ordered(), t1 = rdtsc_ordered();

		scratch[i] = (uint32_t)(t1 - t0);
	}
	bracket_overhead = percentile_u32(scratch, COST_READS, 50);
}

/* <src>.rate: the source runs at its nominal rate (against the TSC calibrated by the best
 * reference) within tol_ppm, judged with its uncertainty (judge_dev): an error its noise
 * cannot explain fails whatever the noise; one it could explain is not judged. A source
 * without a nominal rate (the APIC timer) passes once its rate is measured precisely enough. */
static void judge_rate(struct stats *s, const struct stats *best, const struct tol *t)
{
	const char *n = s->cs->name;
	uint64_t unc = s->unc_m / 1000;
	enum judged j = judge_dev(s->cs->nominal_uhz ? s->ppm_m : 0, s->unc_m, sat_mul(t->pair_ppm, 1000),
				  sat_mul(t->unc_ppm, 1000));

	if (j == NOT_JUDGED) {
		s->unjudged = true;
		check_skip(mname(n, "rate"), "%s: rate uncertainty %llu ppm exceeds %llu ppm and could explain its "
			   "%lld ppm from nominal: not judged", n, (unsigned long long)unc,
			   (unsigned long long)t->unc_ppm, (long long)(s->ppm_m / 1000));
	} else if (!check(j == JUDGED_PASS, mname(n, "rate"), "%s runs %lld.%03lld ppm from its nominal rate (+- %llu ppm "
			  "1 sigma) against the TSC as %s measures it: beyond the %llu ppm tolerance%s", n,
			  (long long)(s->ppm_m / 1000), (long long)((s->ppm_m < 0 ? -s->ppm_m : s->ppm_m) % 1000),
			  (unsigned long long)unc, best->cs->name, (unsigned long long)t->pair_ppm,
			  unc > t->unc_ppm ? " by more than its uncertainty can explain" : "")) {
		s->failed = true;
	}
}

static void report_rates(const struct tol *t)
{
	struct stats *best = 0;
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		const char *n = s->cs->name;

		if (!s->cs->present || i == SRC_TSC)
			continue;
		if (!s->fit.ok) {
			if (s->spoiled) {
				/* It moved, but every usable edge was disturbed by the host: no measurement. */
				s->unjudged = true;
				check_skip(mname(n, "rate"), "%s: %u of its edges were preempted, %u usable: rate not measured",
					   n, s->spoiled, s->fit.n_in);
				continue;
			}
			s->failed = true;
			check_fail(mname(n, "rate"), "%s: no rate: %u samples, %u used (source did not advance?)", n,
				   s->fit.n_in, s->fit.n_used);
			continue;
		}
		metric_u64(mname(n, "rate_samples"), s->fit.n_used, "count");
		metric_u64(mname(n, "rate_rejected"), s->fit.n_wide + s->fit.n_outliers, "count");
		metric_u64(mname(n, "rate_segments"), s->fit.segments, "count");
		metric_fixed(mname(n, "rate_unc_ppm"), (int64_t)s->fit.unc_mppm, 3, "ppm");
		if (s->cs->nominal_uhz) {
			s->tsc_uhz_implied = tsc_uhz_from_ref(s->cs->nominal_uhz, s->fit.cpt_q32);
			metric_fixed(mname("tsc.freq_hz.vs", n), (int64_t)s->tsc_uhz_implied, 6, "Hz");
			if (!best && fine(s))
				best = s;
		}
	}
	if (!best) {
		for (i = 0; i < SRC_COUNT; i++)
			if (st[i].tsc_uhz_implied && !best)
				best = &st[i];
	}
	if (!best) {
		check_fail("tsc.freq", "no reference with a nominal rate produced a fit: TSC rate unknown");
		tsc_uhz = 0;
		return;
	}
	tsc_uhz = best->tsc_uhz_implied;
	tsc_unc_mppm = best->fit.unc_mppm;
	info("tsc.freq.reference", "%s", best->cs->name);
	metric_fixed("tsc.freq_hz", (int64_t)tsc_uhz, 6, "Hz");
	check_pass("tsc.freq");
	if (t->truth_tsc_hz) {
		int64_t ppm = ppm_milli(tsc_uhz, t->truth_tsc_hz * 1000000);

		metric_fixed("tsc.ppm", ppm, 3, "ppm");
		check(ppm <= (int64_t)t->truth_ppm * 1000 && ppm >= -(int64_t)t->truth_ppm * 1000, "truth.tsc",
		      "TSC %lld.%03lld ppm from the declared %llu Hz (tolerance %llu ppm)", (long long)(ppm / 1000),
		      (long long)((ppm < 0 ? -ppm : ppm) % 1000), (unsigned long long)t->truth_tsc_hz,
		      (unsigned long long)t->truth_ppm);
	}
	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		uint64_t ref_uhz = t->truth_tsc_hz ? t->truth_tsc_hz * 1000000 : tsc_uhz, nhz;

		if (!s->cs->present || !s->fit.ok || i == SRC_TSC)
			continue;
		s->freq_uhz = source_uhz(ref_uhz, s->fit.cpt_q32);
		s->cs->measured_uhz = s->freq_uhz;
		nhz = source_nhz(ref_uhz, s->fit.cpt_q32);
		if (nhz <= INT64_MAX)
			metric_fixed(mname(s->cs->name, "freq_hz"), (int64_t)nhz, 9, "Hz");
		else
			metric_fixed(mname(s->cs->name, "freq_hz"), (int64_t)s->freq_uhz, 6, "Hz");
		/* Residual jitter: RMS distance of the samples from the fitted line, in ns (the
		 * read's own timing noise plus the bracket; coarse sources: the edges' timing). */
		if (tsc_uhz)
			metric_fixed(mname(s->cs->name, "rate_jitter_ns"),
				     (int64_t)(((u128)s->fit.rms_q32 * 1000000000000000000ULL / tsc_uhz) >> 32), 3, "ns");
		/* freq_hz is this fit scaled by the TSC rate, so the reference's fit error is in it
		 * too (a declared ground truth has none; the reference itself is nominal by definition). */
		s->unc_m = t->truth_tsc_hz || s == best ? s->fit.unc_mppm : unc_rss(s->fit.unc_mppm, best->fit.unc_mppm);
		metric_fixed(mname(s->cs->name, "freq_unc_ppm"), (int64_t)s->unc_m, 3, "ppm");
		if (s->cs->nominal_uhz) {
			s->ppm_m = source_ppm_milli(ref_uhz, s->cs->nominal_uhz, s->fit.cpt_q32);
			metric_fixed(mname(s->cs->name, "ppm"), s->ppm_m, 3, "ppm");
		}
		judge_rate(s, best, t);
		if (!s->cs->nominal_uhz)
			continue;
		if (t->truth_tsc_hz) {
			int64_t lim = (int64_t)t->truth_ppm * 1000;

			if (!check(s->ppm_m <= lim && s->ppm_m >= -lim, mname("truth", s->cs->name),
				   "%s measured %lld milli-ppm from nominal against the declared TSC (tolerance %llu ppm)",
				   s->cs->name, (long long)s->ppm_m, (unsigned long long)t->truth_ppm))
				s->failed = true;
		}
	}
}

static void report_pairs(const struct tol *t)
{
	unsigned a, b;
	uint64_t lim = sat_mul(t->pair_ppm, 1000), unc;
	enum judged j;

	for (a = 0; a < SRC_COUNT; a++) {
		for (b = a + 1; b < SRC_COUNT; b++) {
			char name[64];
			int64_t ppm;

			if (!st[a].tsc_uhz_implied || !st[b].tsc_uhz_implied)
				continue;
			/* rate of a relative to its nominal, over the same for b, with both fits' noise */
			ppm = ppm_milli(st[b].tsc_uhz_implied, st[a].tsc_uhz_implied);
			unc = unc_rss(st[a].fit.unc_mppm, st[b].fit.unc_mppm);
			cp_snprintf(name, sizeof(name), "pair.%s.%s", st[a].cs->name, st[b].cs->name);
			metric_fixed(mname(name, "ppm"), ppm, 3, "ppm");
			j = judge_dev(ppm, unc, lim, sat_mul(t->unc_ppm, 1000));
			if (j == NOT_JUDGED) {
				check_skip(name, "%lld ppm within the pair's uncertainty (%llu ppm 1 sigma, limit %llu ppm): "
					   "not judged", (long long)(ppm / 1000), (unsigned long long)(unc / 1000),
					   (unsigned long long)t->unc_ppm);
				continue;
			}
			if (!check(j == JUDGED_PASS, name, "%s runs %lld.%03lld ppm from %s (+- %llu ppm 1 sigma; tolerance %llu ppm)",
				   st[a].cs->name, (long long)(ppm / 1000), (long long)((ppm < 0 ? -ppm : ppm) % 1000),
				   st[b].cs->name, (unsigned long long)(unc / 1000), (unsigned long long)t->pair_ppm)) {
				st[a].failed = st[b].failed = true;
			}
		}
	}
}

/* A source computed from the TSC with a published scale must run at exactly TSC x scale:
 * compare the TSC rate it implies (its nominal rate x measured cycles per tick) with the TSC
 * rate its scale claims. Positive: the source ran faster than its own scale. */
static void report_scales(const struct tol *t)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		const char *n = s->cs->name;
		uint64_t claimed;
		int64_t ppm, lim = (int64_t)t->scale_ppm * 1000;

		if (!s->cs->present || !s->cs->scale_tsc_uhz)
			continue;
		claimed = s->cs->scale_tsc_uhz(s->cs);
		if (claimed)
			metric_fixed(mname(n, "scale_tsc_hz"), (int64_t)claimed, 6, "Hz");
		if (!claimed || !s->fit.ok) {
			check_skip(mname(n, "scale"), "%s", claimed ? "rate not measured" : "scale unreadable now");
			continue;
		}
		ppm = source_ppm_milli(claimed, s->cs->nominal_uhz, s->fit.cpt_q32);
		metric_fixed(mname(n, "scale_ppm"), ppm, 3, "ppm");
		if (4 * s->fit.unc_mppm > (uint64_t)lim) {
			check_skip(mname(n, "scale"), "rate uncertainty %llu milli-ppm cannot resolve %llu ppm",
				   (unsigned long long)s->fit.unc_mppm, (unsigned long long)t->scale_ppm);
			continue;
		}
		if (!check_host(ppm <= lim && ppm >= -lim, s->cs->unpromised, mname(n, "scale"),
			   "%s ran %lld.%03lld ppm from the TSC x scale it publishes (scale says TSC %llu Hz; "
			   "tolerance %llu ppm): the host stepped it between reads", n, (long long)(ppm / 1000),
			   (long long)((ppm < 0 ? -ppm : ppm) % 1000), (unsigned long long)(claimed / 1000000),
			   (unsigned long long)t->scale_ppm) && !s->cs->unpromised)
			s->failed = true;
	}
}

static void report_hints(const struct tol *t)
{
	struct tsc_hint h[TSC_HINTS_MAX];
	unsigned n = tsc_hints_collect(h, TSC_HINTS_MAX), i;
	int64_t lim = (int64_t)t->hint_ppm * 1000;

	if (!n)
		check_skip("tsc.hints", "no TSC frequency hint offered by CPUID, MSRs or the hypervisor");
	for (i = 0; i < n; i++) {
		char name[48];
		int64_t ppm;

		if (!tsc_uhz) {
			check_skip(mname("tsc.hint", h[i].source), "TSC rate not measured");
			continue;
		}
		ppm = ppm_milli(h[i].hz * 1000000, tsc_uhz);
		cp_snprintf(name, sizeof(name), "tsc.hint_ppm.%s", h[i].source);
		metric_fixed(name, ppm, 3, "ppm");
		check(ppm <= lim && ppm >= -lim, mname("tsc.hint", h[i].source),
		      "hint %s says %llu Hz, measured %llu Hz: %lld.%03lld ppm (tolerance %llu ppm); a guest "
		      "trusting it drifts %lld ms per 5 minutes",
		      h[i].source, (unsigned long long)h[i].hz, (unsigned long long)(tsc_uhz / 1000000),
		      (long long)(ppm / 1000), (long long)((ppm < 0 ? -ppm : ppm) % 1000),
		      (unsigned long long)t->hint_ppm, (long long)(ppm * 300 / 1000000));
	}
}

static void report_quality(void)
{
	unsigned i;
	uint32_t tsc_cost;

	for (i = 0; i < SRC_COUNT; i++)
		if (st[i].cs->present)
			read_quality(&st[i]);
	tsc_cost = st[SRC_TSC].cost_p50 ? st[SRC_TSC].cost_p50 : 1;
	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		const char *n = s->cs->name;

		if (!s->cs->present)
			continue;
		metric_u64(mname(n, "read_cost_cycles"), s->cost_p50, "cycles");
		metric_u64(mname(n, "read_cost_p99_cycles"), s->cost_p99, "cycles");
		if (tsc_uhz) {
			metric_u64(mname(n, "read_cost_ns"), cycles_to_ns(s->cost_p50), "ns");
			metric_u64(mname(n, "read_cost_p99_ns"), cycles_to_ns(s->cost_p99), "ns");
		}
		metric_fixed(mname(n, "read_cost_vs_tsc"), (int64_t)s->cost_p50 * 100 / tsc_cost, 2, "ratio");
		metric_u64(mname(n, "granularity"), s->min_step, "ticks");
		metric_u64(mname(n, "stalls"), s->stalls, "count");
		metric_u64(mname(n, "backwards"), s->backwards, "count");
		if (s->backwards)
			metric_i64(mname(n, "worst_backward_step"), s->worst_back, "ticks");
		if (!check_host(!s->backwards, s->cs->unpromised, mname(n, "monotonic"),
				"%s went backwards %llu times, worst step %lld ticks", n,
				(unsigned long long)s->backwards, (long long)s->worst_back) && !s->cs->unpromised)
			s->failed = true;
		update_steps_check(s->cs);
	}
}

/* Would Linux mark the TSC unstable with this source as its watchdog? Run the modelled
 * kernel's read (time/watchdog_model.h) WD_INTERVALS times, back to back, on real reads. */
static void watchdog_prediction(void)
{
	unsigned i, k, a, cpus = acpi.cpu_count ? acpi.cpu_count : 1, retries = wd_max_retries(cpus);

	info("watchdog.model", "%s: WATCHDOG_MAX_SKEW %u us, %u retries (ilog2(%u CPUs) / 2 + 1)", WD_MODEL_KERNEL,
	     WATCHDOG_MAX_SKEW_NS / 1000, retries, cpus);
	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		const char *n = s->cs->name;
		struct wd_prediction p;
		enum wd_read r = WD_READ_RETRY;
		char name[48];
		unsigned d = 0;

		if (!fine(s) || !s->cs->nominal_uhz || i == SRC_TSC)
			continue;
		wd_prediction_reset(&p);
		for (k = 0; k < WD_INTERVALS; k++) {
			for (a = 0, r = WD_READ_RETRY; r == WD_READ_RETRY; a++) {
				uint64_t w0 = cs_read(s->cs), w1, w2, delay, seq;

				(void)rdtsc_ordered();
				w1 = cs_read(s->cs);
				w2 = cs_read(s->cs);
				delay = mul_div_u64(w1 - w0, 1000000000000000ULL, s->cs->nominal_uhz);
				seq = mul_div_u64(w2 - w1, 1000000000000000ULL, s->cs->nominal_uhz);
				if (a == 0 && d < WD_INTERVALS)
					scratch[d++] = (uint32_t)(delay > UINT32_MAX ? UINT32_MAX : delay);
				wd_prediction_attempt(&p, delay, seq, WATCHDOG_MAX_SKEW_NS);
				r = wd_read_step(a, delay, seq, retries, WATCHDOG_MAX_SKEW_NS);
			}
			wd_prediction_add(&p, r);
		}
		wd_prediction_finish(&p, retries, WATCHDOG_INTERVALS_PER_HOUR);
		cp_snprintf(name, sizeof(name), "watchdog.%s", n);
		metric_u64(mname(name, "delay_p50_ns"), percentile_u32(scratch, d, 50), "ns");
		metric_u64(mname(name, "delay_p99_ns"), percentile_u32(scratch, d, 99), "ns");
		metric_u64(mname(name, "delay_max_ns"), scratch[d - 1], "ns");
		metric_u64(mname(name, "over_skew_permille"), (uint64_t)p.attempts_over * 1000 / p.attempts, "permille");
		metric_u64(mname(name, "skipped_permille"), (uint64_t)p.skip * 1000 / p.intervals, "permille");
		metric_u64(mname(name, "unstable_intervals"), p.unstable, "count");
		metric_fixed(mname(name, "unstable_per_hour"), (int64_t)p.per_hour_milli, 3, "count");
		if (p.skip * 2 > p.intervals)
			diag("watchdog %s: %u/%u intervals would skip the clock-skew test (watchdog reads slower than "
			     "%u us): Linux would rarely check the TSC against %s at all", n, p.skip, p.intervals,
			     WATCHDOG_MAX_SKEW_NS / 2000, n);
		check(p.per_hour_milli < 1000, mname("watchdog.tsc.vs", n),
		      "%s would mark the TSC unstable with %s as watchdog: %u/%u simulated intervals ended "
		      "'marking unstable' (%u skipped), %u/%u attempts over %u us without a slow wd-wd read; "
		      "expected %llu.%03llu times an hour", WD_MODEL_KERNEL, n, p.unstable, p.intervals, p.skip,
		      p.attempts_over, p.attempts, WATCHDOG_MAX_SKEW_NS / 1000,
		      (unsigned long long)(p.per_hour_milli / 1000), (unsigned long long)(p.per_hour_milli % 1000));
	}
}

static void summary_table(void)
{
	unsigned i;

	diag("%-9s %-7s %18s %18s %12s %9s %-9s %s", "source", "present", "nominal_hz", "measured_hz", "ppm",
	     "read_ns", "monotonic", "verdict");
	for (i = 0; i < SRC_COUNT; i++) {
		struct stats *s = &st[i];
		char nom[24] = "-", meas[24] = "-", ppm[16] = "-", cost[16] = "-";

		if (s->cs->nominal_uhz)
			cp_fmt_fixed(nom, sizeof(nom), (int64_t)(s->cs->nominal_uhz / 1000), 3);
		if (i == SRC_TSC && tsc_uhz)
			cp_fmt_fixed(meas, sizeof(meas), (int64_t)(tsc_uhz / 1000), 3);
		else if (s->freq_uhz)
			cp_fmt_fixed(meas, sizeof(meas), (int64_t)(s->freq_uhz / 1000), 3);
		if (s->freq_uhz && s->cs->nominal_uhz)
			cp_fmt_fixed(ppm, sizeof(ppm), s->ppm_m, 3);
		if (s->cs->present && tsc_uhz)
			cp_snprintf(cost, sizeof(cost), "%llu", (unsigned long long)cycles_to_ns(s->cost_p50));
		diag("%-9s %-7s %18s %18s %12s %9s %-9s %s", s->cs->name, s->cs->present ? "yes" : "no", nom, meas, ppm,
		     cost, !s->cs->present ? "-" : s->backwards ? "NO" : "yes",
		     !s->cs->present ? "absent" : s->failed ? "FAIL" : "ok");
	}
}

static void fit_fine(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (fine(&st[i]) && i != SRC_TSC)
			fit_cycles_per_tick(st[i].smp, st[i].n, &st[i].fit);
}

void compare_run(void)
{
	struct tol t = {
		.pair_ppm = setting(SET_TOL_PPM),
		.hint_ppm = setting(SET_TOL_HINT_PPM),
		.truth_ppm = setting(SET_TOL_TRUTH_PPM),
		.unc_ppm = setting(SET_TOL_UNC_PPM),
		.scale_ppm = setting(SET_TOL_SCALE_PPM),
		.wall_ms = setting(SET_TOL_WALL_MS),
		.truth_tsc_hz = setting(SET_TRUTH_TSC_HZ),
	};
	const char *profile = settings_text(&settings, SET_PROFILE);
	uint64_t window, read_ns;
	unsigned i, k;

	if (!strcmp(profile, "icount") && !t.truth_tsc_hz)
		t.truth_tsc_hz = 1000000000; /* -icount: the TSC is virtual nanoseconds */
	info("compare.profile", "%s", profile);
	metric_u64("tol.pair_ppm", t.pair_ppm, "ppm");
	metric_u64("tol.hint_ppm", t.hint_ppm, "ppm");
	metric_u64("tol.unc_ppm", t.unc_ppm, "ppm");
	metric_u64("tol.scale_ppm", t.scale_ppm, "ppm");
	metric_u64("tol.wall_ms", t.wall_ms, "ms");
	if (t.truth_tsc_hz) {
		metric_u64("truth.tsc_hz", t.truth_tsc_hz, "Hz");
		metric_u64("tol.truth_ppm", t.truth_ppm, "ppm");
	}
	for (i = 0; i < SRC_COUNT; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		st[i].cs = &sources[i];
		st[i].stride = 1;
		if (!sources[i].present)
			continue;
		cs_reset(&sources[i]);
		for (k = 0; k < WARM_READS; k++)
			(void)cs_read(&sources[i]);
	}
	measure_overhead();
	window = setting(SET_WINDOW_MS);
	read_ns = timebase_read_ns();
	metric_u64("rate.timebase_read_ns", read_ns, "ns");
	if (!settings.source[SET_WINDOW_MS] && read_ns >= WINDOW_SLOW_READ_NS && window < WINDOW_SLOW_MS)
		window = WINDOW_SLOW_MS;
	metric_u64("rate.window_ms", window, "ms");
	edge_gap_ppm = t.unc_ppm;
	rate_window(window);
	fit_fine();
	for (i = 0; i < SRC_COUNT; i++)
		if (st[i].cs->present && st[i].cs->coarse)
			fit_cycles_per_tick(st[i].smp, st[i].n, &st[i].fit);
	/* Fine sources were not read while a coarse source was polled alone or an edge line was
	 * printed (a VM exit per byte in a nested guest): re-anchor their extension before
	 * anything reads them again. */
	for (i = 0; i < SRC_COUNT; i++)
		if (fine(&st[i]))
			cs_reset(st[i].cs);
	report_rates(&t);
	if (tsc_uhz)
		wait_set_tsc_hz(tsc_uhz / 1000000);
	report_pairs(&t);
	report_scales(&t);
	report_hints(&t);
	measure_overhead(); /* again, on warm paths, just before the cost loops */
	metric_u64("tsc.bracket_overhead_cycles", bracket_overhead, "cycles");
	report_quality();
	watchdog_prediction();
	wall_compare(tsc_uhz, tsc_unc_mppm, t.wall_ms);
	summary_table();
	drift_run(tsc_uhz);
}
