/* Cross-CPU TSC tests, one AP at a time against the boot CPU (see tsc_sync.h and the method
 * in tsc_sync_math.h). Under TCG or any hypervisor a vCPU may be descheduled for milliseconds
 * mid-test: every loop and wait is bounded on the local TSC, nothing assumes the partner runs
 * concurrently, and what was actually measured (handoffs, rounds) is reported. */
#include "tsc_sync.h"
#include "tsc_sync_math.h"
#include "counter.h"
#include "kvmclock.h"
#include "sources.h"
#include "wait.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/io.h"
#include "../arch/x86/smp.h"
#include "../lib/fmt.h"
#include "../lib/mem.h"
#include "../lib/report.h"

#define TSC_SYNC_WARP_US      20000    /* Linux check_tsc_warp: 20 ms per pair */
/* ... longer while the CPUs alternated under the lock fewer than TSC_SYNC_MIN_HANDOFFS times:
 * a host with fewer free cores than vCPU threads runs the two in turns of a few ms (measured
 * here: 3 alternations in 20 ms with a second process busy on one of two cores). */
#define TSC_SYNC_WARP_MAX_US  100000
#define TSC_SYNC_MIN_HANDOFFS 100
#define TSC_SYNC_MAX_LOOPS    10000000 /* Linux's bound on lock rounds, whatever the clock says */
/* A PAUSE every this many rounds: single-threaded TCG (and -icount) switches vCPU only at a
 * PAUSE or the end of a time slice, so without it each CPU ran the whole loop in one turn
 * (measured: 1 alternation). Rare enough not to thin out the loop anywhere else. */
#define TSC_SYNC_PAUSE_EVERY  64
/* A lock holder descheduled by the host for this long is taken to be gone: the pair's test
 * ends (a lock timeout, reported) instead of spinning on. */
#define TSC_SYNC_LOCK_US      100000
#define TSC_SYNC_PING_ROUNDS  2000     /* offset rounds per AP; the best one counts */
#define TSC_SYNC_PING_US      20000    /* and this long, or until TSC_SYNC_MIN_ROUNDS answered */
#define TSC_SYNC_PING_MAX_US  100000
#define TSC_SYNC_MIN_ROUNDS   100
/* One answer. Longer means the partner was descheduled: the round is dropped, not waited for. */
#define TSC_SYNC_ROUND_US     5000
/* Either side waiting for the other's next step (start, end of the warp loop). */
#define TSC_SYNC_PHASE_US     500000

#define CACHELINE 64
/* Clocks the guest computes per vCPU from the TSC (kvm-clock, the Hyper-V TSC page): each
 * is read under the same lock as the TSC, in the style of kvm-unit-tests' kvmclock_test
 * (one shared last value; warps and stalls counted). */
#define SYNC_CLOCKS 2

struct sync_shared {
	uint32_t lock __attribute__((aligned(CACHELINE)));
	struct tsc_warp w;             /* under lock */
	struct tsc_warp cw[SYNC_CLOCKS]; /* the per-vCPU clocks, under the same lock */
	uint32_t ap_ready __attribute__((aligned(CACHELINE)));
	uint32_t go, warp_stop, ap_warp_done, ap_lock_timeout, stop;
	uint64_t seq __attribute__((aligned(CACHELINE)));  /* boot CPU -> AP */
	uint64_t ack __attribute__((aligned(CACHELINE)));  /* AP -> boot CPU, after t_ap */
	uint64_t t_ap;
};

struct pair_result {
	bool measured;                 /* the warp loop ran on both sides */
	bool lock_timeout;
	char why[96];                  /* why not measured */
	struct tsc_warp w;
	struct tsc_warp cw[SYNC_CLOCKS];
	struct tsc_offset o;
	uint64_t round_timeouts;
};

static struct clocksource *clocks[SYNC_CLOCKS];
static unsigned nclocks;

static struct sync_shared sh;
static struct pair_result res[MAX_CPUS];
static uint64_t elapsed_cycles;
static bool ran;

static uint64_t us_cycles(uint64_t us)
{
	return mul_div_u64(us, wait_tsc_hz(), 1000000);
}

/* Spin until *p == want or timeout_us pass on this CPU's TSC. Used by both sides (the AP must
 * not use wait_until: its failure text is one shared buffer). */
static bool spin_until(uint32_t *p, uint32_t want, uint64_t timeout_us)
{
	uint64_t start = rdtsc_ordered(), budget = us_cycles(timeout_us);

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) != want) {
		if (rdtsc_ordered() - start > budget)
			return false;
		cpu_relax();
	}
	return true;
}

static bool lock_take(void)
{
	uint64_t start = rdtsc_ordered(), budget = us_cycles(TSC_SYNC_LOCK_US);

	while (__atomic_exchange_n(&sh.lock, 1, __ATOMIC_ACQUIRE)) {
		if (rdtsc_ordered() - start > budget)
			return false;
		cpu_relax();
	}
	return true;
}

static void lock_give(void)
{
	__atomic_store_n(&sh.lock, 0, __ATOMIC_RELEASE);
}

/* Both CPUs take turns reading the TSC under the lock. The boot CPU (me == 0) decides when
 * enough was seen and tells the AP; either side stops at TSC_SYNC_WARP_MAX_US of its own TSC.
 * False on a lock timeout. */
static bool warp_loop(unsigned me)
{
	uint64_t start = rdtsc_ordered(), min = us_cycles(TSC_SYNC_WARP_US);
	uint64_t max = us_cycles(TSC_SYNC_WARP_MAX_US), now, handoffs;
	unsigned long i;
	unsigned k;

	for (i = 0; i < TSC_SYNC_MAX_LOOPS; i++) {
		if (!lock_take())
			return false;
		now = rdtsc_ordered();
		tsc_warp_step(&sh.w, me, now);
		for (k = 0; k < nclocks; k++)
			tsc_warp_step(&sh.cw[k], me, cs_read(clocks[k]));
		handoffs = sh.w.handoffs;
		lock_give();
		if (now - start > max)
			break;
		if (me && __atomic_load_n(&sh.warp_stop, __ATOMIC_ACQUIRE))
			break;
		if (!me && now - start > min && handoffs >= TSC_SYNC_MIN_HANDOFFS)
			break;
		if (i % TSC_SYNC_PAUSE_EVERY == TSC_SYNC_PAUSE_EVERY - 1)
			cpu_relax();
	}
	if (!me)
		__atomic_store_n(&sh.warp_stop, 1, __ATOMIC_RELEASE);
	return true;
}

/* The AP's side; runs on the AP between smp_start_ap and smp_park_ap. */
static void ap_work(void *arg)
{
	unsigned me = this_cpu()->index;
	uint64_t seen = 0, s, last = rdtsc_ordered(), idle = us_cycles(TSC_SYNC_PHASE_US), now;

	(void)arg;
	(void)kvmclock_cpu_init(); /* false without kvm-clock: nothing to undo then */
	__atomic_store_n(&sh.ap_ready, 1, __ATOMIC_RELEASE);
	if (spin_until(&sh.go, 1, TSC_SYNC_PHASE_US)) {
		if (!warp_loop(me))
			__atomic_store_n(&sh.ap_lock_timeout, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&sh.ap_warp_done, 1, __ATOMIC_RELEASE);
		last = rdtsc_ordered(); /* the silence is counted from here, not from ap_work's start */
		/* Answer pings until told to stop, or until the boot CPU has been silent too long. */
		while (!__atomic_load_n(&sh.stop, __ATOMIC_ACQUIRE)) {
			s = __atomic_load_n(&sh.seq, __ATOMIC_ACQUIRE);
			now = rdtsc_ordered();
			if (s != seen) {
				__atomic_store_n(&sh.t_ap, now, __ATOMIC_RELAXED);
				__atomic_store_n(&sh.ack, s, __ATOMIC_RELEASE);
				seen = s;
				last = now;
			} else if (now - last > idle) {
				break;
			}
			cpu_relax();
		}
	}
	kvmclock_shutdown();
}

/* Boot CPU side of the offset rounds. */
static void ping(struct pair_result *r)
{
	uint64_t start = rdtsc_ordered(), min = us_cycles(TSC_SYNC_PING_US), elapsed = 0;
	uint64_t max = us_cycles(TSC_SYNC_PING_MAX_US), round = us_cycles(TSC_SYNC_ROUND_US), t0, t1, i;
	bool answered;

	tsc_offset_reset(&r->o);
	for (i = 1; i <= TSC_SYNC_PING_ROUNDS && elapsed < max &&
	     (elapsed < min || r->o.rounds < TSC_SYNC_MIN_ROUNDS); i++) {
		t0 = rdtsc_ordered();
		__atomic_store_n(&sh.seq, i, __ATOMIC_RELEASE);
		while (!(answered = __atomic_load_n(&sh.ack, __ATOMIC_ACQUIRE) == i) &&
		       rdtsc_ordered() - t0 <= round)
			cpu_relax();
		t1 = rdtsc_ordered();
		if (answered)
			tsc_offset_add(&r->o, t0, __atomic_load_n(&sh.t_ap, __ATOMIC_RELAXED), t1);
		else
			r->round_timeouts++;
		elapsed = t1 - start;
	}
}

static void test_ap(unsigned cpu, struct pair_result *r)
{
	unsigned k;

	memset(&sh, 0, sizeof(sh));
	tsc_warp_reset(&sh.w);
	for (k = 0; k < SYNC_CLOCKS; k++)
		tsc_warp_reset(&sh.cw[k]);
	if (!smp_start_ap(cpu, ap_work, 0)) {
		cp_snprintf(r->why, sizeof(r->why), "not started");
		return;
	}
	if (!spin_until(&sh.ap_ready, 1, TSC_SYNC_PHASE_US)) {
		cp_snprintf(r->why, sizeof(r->why), "AP never reached the test");
		goto park;
	}
	__atomic_store_n(&sh.go, 1, __ATOMIC_RELEASE);
	r->lock_timeout = !warp_loop(0);
	if (!spin_until(&sh.ap_warp_done, 1, TSC_SYNC_PHASE_US)) {
		cp_snprintf(r->why, sizeof(r->why), "AP did not finish the warp loop within %u ms",
			    TSC_SYNC_PHASE_US / 1000);
		goto park;
	}
	r->lock_timeout |= __atomic_load_n(&sh.ap_lock_timeout, __ATOMIC_ACQUIRE);
	r->w = sh.w; /* both sides are out of the loop */
	for (k = 0; k < SYNC_CLOCKS; k++)
		r->cw[k] = sh.cw[k];
	r->measured = !r->lock_timeout;
	if (r->lock_timeout)
		cp_snprintf(r->why, sizeof(r->why), "lock held over %u ms (partner descheduled?)",
			    TSC_SYNC_LOCK_US / 1000);
	ping(r);
park:
	__atomic_store_n(&sh.stop, 1, __ATOMIC_RELEASE);
	(void)smp_park_ap(cpu);
}

void tsc_sync_run(void)
{
	uint64_t t0 = rdtsc_ordered();
	unsigned cpu;

	if (smp_unavailable())
		return;
	ran = true;
	for (cpu = 0; cpu < SRC_COUNT && nclocks < SYNC_CLOCKS; cpu++)
		if (sources[cpu].present && sources[cpu].scale_tsc_uhz)
			clocks[nclocks++] = &sources[cpu];
	for (cpu = 1; cpu < smp_cpus(); cpu++)
		test_ap(cpu, &res[cpu]);
	elapsed_cycles = rdtsc_ordered() - t0;
}

static bool rate_known(void)
{
	return wait_tsc_hz() != WAIT_TSC_ASSUMED_HZ;
}

static uint64_t cycles_ns(uint64_t c)
{
	return mul_div_u64(c, 1000000000, wait_tsc_hz());
}

/* Synchronised TSCs across CPUs are what an invariant TSC promises (Linux trusts the TSC
 * across CPUs only then). Without the CPUID bit, warps are a finding about the host. */
static const char *tsc_unpromised(void)
{
	return cpu.invariant_tsc ? NULL : "the CPU does not advertise an invariant TSC (CPUID 0x80000007 EDX[8] "
					  "clear), so it promises no TSC synchronised across CPUs";
}

/* tsc.sync.cpu<N>.<suffix> */
static const char *pname(unsigned cpu, const char *suffix)
{
	static char name[48];

	cp_snprintf(name, sizeof(name), "tsc.sync.cpu%u.%s", cpu, suffix);
	return name;
}

/* " (N ns)" when the TSC rate was measured, else nothing. */
static const char *ns_text(uint64_t cycles)
{
	static char t[32];

	t[0] = '\0';
	if (rate_known())
		cp_snprintf(t, sizeof(t), " (%llu ns)", (unsigned long long)cycles_ns(cycles));
	return t;
}

static void report_pair(unsigned cpu, const struct pair_result *r)
{
	metric_u64(pname(cpu, "handoffs"), r->w.handoffs, "count");
	metric_u64(pname(cpu, "warps"), r->w.warps, "count");
	if (r->w.warps)
		metric_u64(pname(cpu, "max_warp_cycles"), r->w.max_warp, "cycles");
	metric_u64(pname(cpu, "rounds"), r->o.rounds, "count");
	if (r->round_timeouts)
		metric_u64(pname(cpu, "round_timeouts"), r->round_timeouts, "count");
	if (!r->o.rounds)
		return;
	metric_i64(pname(cpu, "offset_cycles"), r->o.best_offset, "cycles");
	metric_u64(pname(cpu, "rtt_cycles"), r->o.best_rtt, "cycles");
	if (!tsc_offset_inconsistent(&r->o)) {
		metric_i64(pname(cpu, "offset_min_cycles"), r->o.lo, "cycles");
		metric_i64(pname(cpu, "offset_max_cycles"), r->o.hi, "cycles");
	}
}

/* One per-vCPU clock over all measured pairs: warps (a read below another CPU's earlier read
 * under the lock) and stalls (the same value across a handoff). Linux reads such a clock raw
 * only when the host sets the stable bit; otherwise it clamps to a shared last value, and
 * every warp becomes time standing still. */
static void report_clock(unsigned k)
{
	const struct clocksource *cs = clocks[k];
	uint64_t warps = 0, stalls = 0, handoffs = 0, max_warp = 0;
	unsigned cpu, max_to = 0, max_from = 0, pairs = 0;
	char name[48];

	for (cpu = 1; cpu < smp_cpus(); cpu++) {
		const struct tsc_warp *w = &res[cpu].cw[k];

		if (!res[cpu].measured)
			continue;
		pairs++;
		warps += w->warps;
		stalls += w->stalls;
		handoffs += w->handoffs;
		if (w->warps && w->max_warp >= max_warp) {
			max_warp = w->max_warp;
			max_to = w->max_to;
			max_from = w->max_from;
		}
	}
	cp_snprintf(name, sizeof(name), "%s.sync", cs->name);
	if (!handoffs) {
		check_skip(name, "the CPUs never alternated under the lock: nothing compared");
		return;
	}
	metric_u64(mname(name, "handoffs"), handoffs, "count");
	metric_u64(mname(name, "warps"), warps, "count");
	metric_u64(mname(name, "stalls"), stalls, "count");
	metric_u64(mname(name, "max_warp_ns"), mul_div_u64(max_warp, 1000000000000000ULL, cs->nominal_uhz), "ns");
	check_host(!warps, cs->unpromised, name, "%llu warps over %llu handoffs in %u CPU pairs; largest %llu ns: "
		   "cpu%u read below cpu%u's earlier read%s", (unsigned long long)warps, (unsigned long long)handoffs,
		   pairs, (unsigned long long)mul_div_u64(max_warp, 1000000000000000ULL, cs->nominal_uhz), max_to,
		   max_from, cs->unpromised ? " (Linux would clamp each to its last value: time standing still)" : "");
}

void tsc_sync_report(void)
{
	const char *why = smp_unavailable();
	char warp_msg[200], off_msg[200];
	uint64_t warps = 0, max_warp = 0, handoffs = 0, at_least;
	unsigned cpu, measured = 0, offset_cpus = 0, max_cpu = 0, off_bad = 0;
	const struct pair_result *m = 0;

	if (!ran) {
		check_skip("tsc.sync", "no AP to test: %s", why ? why : "not run");
		check_skip("tsc.sync.offset", "no AP to test: %s", why ? why : "not run");
		return;
	}
	warp_msg[0] = off_msg[0] = '\0';
	for (cpu = 1; cpu < smp_cpus(); cpu++) {
		const struct pair_result *r = &res[cpu];

		if (!r->measured && !r->o.rounds) {
			if (r->why[0] && strcmp(r->why, "not started"))
				diag("tsc.sync cpu%u: %s", cpu, r->why);
			continue;
		}
		report_pair(cpu, r);
		if (r->measured) {
			measured++;
			handoffs += r->w.handoffs;
			warps += r->w.warps;
			if (r->w.warps && r->w.max_warp >= max_warp) {
				max_warp = r->w.max_warp;
				max_cpu = cpu;
				m = r;
			}
		}
		if (!r->o.rounds)
			continue;
		offset_cpus++;
		if (tsc_offset_inconsistent(&r->o) && !off_bad++)
			cp_snprintf(off_msg, sizeof(off_msg), "cpu%u: no constant offset fits %llu rounds "
				    "(the TSCs moved against each other during %u ms)", cpu,
				    (unsigned long long)r->o.rounds, TSC_SYNC_PING_US / 1000);
		else if (tsc_offset_proven(&r->o, &at_least) && !off_bad++)
			cp_snprintf(off_msg, sizeof(off_msg), "cpu%u TSC %s cpu0's by at least %llu cycles%s; "
				    "best round %lld +- %llu cycles", cpu, r->o.lo > 0 ? "ahead of" : "behind",
				    (unsigned long long)at_least, ns_text(at_least), (long long)r->o.best_offset,
				    (unsigned long long)(r->o.best_rtt + 1) / 2);
	}
	metric_u64("tsc.sync.cpus", measured + 1, "count");
	metric_u64("tsc.sync.warps", warps, "count");
	metric_u64("tsc.sync.max_warp_cycles", max_warp, "cycles");
	if (rate_known())
		metric_u64("tsc.sync.max_warp_ns", cycles_ns(max_warp), "ns");
	metric_u64("tsc.sync.handoffs", handoffs, "count");
	if (rate_known())
		metric_u64("tsc.sync.elapsed_ms", cycles_ns(elapsed_cycles) / 1000000, "ms");

	if (!measured)
		check_skip("tsc.sync", "no AP completed the warp test (see smp.failed)");
	else if (!handoffs)
		check_skip("tsc.sync", "the CPUs never alternated under the lock: nothing compared");
	else {
		if (m)
			cp_snprintf(warp_msg, sizeof(warp_msg), "%llu warps in %u CPU pairs; largest %llu "
				    "cycles%s: cpu%u read below cpu%u's earlier read (pair cpu0/cpu%u)",
				    (unsigned long long)warps, measured, (unsigned long long)max_warp,
				    ns_text(max_warp), m->w.max_to, m->w.max_from, max_cpu);
		check_host(!warps, tsc_unpromised(), "tsc.sync", "%s", warp_msg);
	}
	if (!offset_cpus)
		check_skip("tsc.sync.offset", "no AP answered a ping");
	else
		check_host(!off_bad, tsc_unpromised(), "tsc.sync.offset", "%s", off_msg);
	for (cpu = 0; cpu < nclocks; cpu++)
		report_clock(cpu);
}
