/* kvm-clock wall-clock refresh (see wallrewrite.h). Prints
 *   # wall_rewrite <n> seq=<sample|none> version=<v> unix_ns=<ns> base_change_ns=<+-ns> interval_ns=<ns>
 * right after each refill (the line's host stamp dates unix_ns), then, once an RTC edge dates
 * the RTC near it,
 *   # wall_rewrite <n> rtc minus_rtc_us=<+-us> bound_us=<us> edge_unix_s=<s>
 * or `# wall_rewrite <n> rtc none <why>`. */
#include "wallrewrite.h"
#include "kvmclock.h"
#include "pvclock.h"
#include "rtc.h"
#include "sources.h"
#include "wallclock.h"
#include "counter.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"
#include "../lib/fmt.h"
#include "../lib/settings.h"

#define NS_PER_S 1000000000ULL
#define CHECK_NAME "kvmclock.wall_rewrite"

static struct {
	bool on;
	uint64_t tsc_uhz, period_cycles, last_tsc;
	struct kvmclock_wall prev;       /* the last fill (discovery's at first) */
	uint64_t n, fails;               /* rewrites tried; of those, not refilled or unreadable */
	char first_fail[160];
	int64_t max_change, net_change;  /* largest |base change| (signed) and their sum, ns */
	bool pending;                    /* the last rewrite awaits its RTC comparison */
	uint64_t pending_n;
	struct kvmclock_wall pending_w;
	bool have_edge;                  /* the last narrow RTC edge */
	uint64_t edge_unix_s, edge_lo, edge_hi;
	uint64_t rtc_compared;
} wr;

static uint64_t cycles_of_us(uint64_t us)
{
	return mul_div_u64(wr.tsc_uhz, us, 1000000000000ULL);
}

static bool begin(uint64_t tsc_uhz, bool need_tsc)
{
	const char *why = kvmclock_wall_unavailable();

	wr = (typeof(wr)){ 0 };
	if (!setting(SET_WALL_REWRITE_S))
		return false;
	if (why) {
		check_skip(CHECK_NAME, "wall_rewrite_s=%llu not applicable: %s", (unsigned long long)setting(SET_WALL_REWRITE_S),
			   why);
		return false;
	}
	if (need_tsc && !tsc_uhz) {
		check_skip(CHECK_NAME, "wall_rewrite_s=%llu not applicable: no measured TSC rate to time the rewrites",
			   (unsigned long long)setting(SET_WALL_REWRITE_S));
		return false;
	}
	if (!kvmclock_wall_first(&wr.prev))
		return false;
	wr.on = true;
	wr.tsc_uhz = tsc_uhz;
	wr.period_cycles = mul_div_u64(tsc_uhz, setting(SET_WALL_REWRITE_S), 1000000);
	wr.last_tsc = rdtsc_ordered();
	metric_hex("kvmclock.wall_rewrite.msr", kvmclock_wall_msr(), "hex");
	metric_u64("kvmclock.wall_rewrite.period_s", setting(SET_WALL_REWRITE_S), "s");
	return true;
}

static void rtc_none(uint64_t n, const char *why)
{
	diag("wall_rewrite %llu rtc none %s", (unsigned long long)n, why);
}

/* The pending rewrite against the edge in wr.edge_*: true when it was compared (or cannot
 * ever be), false to wait for a later edge. */
static bool compare_rtc(void)
{
	struct wall_reading a = { "kvmclock", wr.pending_w.unix_ns, wr.pending_w.unix_ns, wr.pending_w.tsc_lo,
				  wr.pending_w.tsc_hi };
	struct wall_reading b = { "rtc", (int64_t)(wr.edge_unix_s * NS_PER_S), (int64_t)(wr.edge_unix_s * NS_PER_S),
				  wr.edge_lo, wr.edge_hi };
	int64_t lo, hi;

	if (!wr.tsc_uhz) {
		rtc_none(wr.pending_n, "no measured TSC rate: the RTC edge cannot be brought to the rewrite's instant");
		return true;
	}
	switch (wall_edge_use(&a, &b, cycles_of_us(WR_RTC_DISTANCE_MAX_US))) {
	case WALL_EDGE_WAIT:
		return false; /* an old edge (before a pause, say): wait for the next */
	case WALL_EDGE_TOO_LATE:
		rtc_none(wr.pending_n, "the first RTC second edge timed within 20 ms came more than 2 s after the rewrite");
		return true;
	case WALL_EDGE_USE:
	default:
		break;
	}
	if (!wall_offset(&a, &b, wr.tsc_uhz, setting(SET_TOL_UNC_PPM) * 1000, &lo, &hi))
		return false;
	diag("wall_rewrite %llu rtc minus_rtc_us=%+lld bound_us=%lld edge_unix_s=%llu", (unsigned long long)wr.pending_n,
	     (long long)((lo / 2 + hi / 2) / 1000), (long long)((hi / 2 - lo / 2) / 1000),
	     (unsigned long long)wr.edge_unix_s);
	wr.rtc_compared++;
	return true;
}

static void close_pending(const char *why)
{
	if (wr.pending)
		rtc_none(wr.pending_n, why);
	wr.pending = false;
}

static void rewrite(bool drift, uint64_t seq)
{
	struct kvmclock_wall w;
	char why[160], seq_s[24];
	int64_t change;
	uint64_t n = wr.n++;

	close_pending(sources[SRC_RTC].present ? "no RTC second edge timed within 20 ms came within 2 s of the rewrite"
					       : "RTC absent");
	wr.last_tsc = rdtsc_ordered();
	if (!kvmclock_wall_refill(&w, why, sizeof(why))) {
		if (!wr.fails++)
			cp_snprintf(wr.first_fail, sizeof(wr.first_fail), "rewrite %llu: %s", (unsigned long long)n, why);
		diag("wall_rewrite %llu failed %s", (unsigned long long)n, why);
		return;
	}
	change = pvclock_wall_base_change(wr.prev.sec, wr.prev.nsec, w.sec, w.nsec);
	if (drift)
		cp_snprintf(seq_s, sizeof(seq_s), "%llu", (unsigned long long)seq);
	else
		cp_snprintf(seq_s, sizeof(seq_s), "none");
	/* First, right after the read: this line's host stamp dates unix_ns. */
	diag("wall_rewrite %llu seq=%s version=%u unix_ns=%lld base_change_ns=%+lld interval_ns=%lld",
	     (unsigned long long)n, seq_s, w.version, (long long)w.unix_ns, (long long)change,
	     (long long)(w.kvmclock_ns - wr.prev.kvmclock_ns));
	if ((change < 0 ? -change : change) > (wr.max_change < 0 ? -wr.max_change : wr.max_change))
		wr.max_change = change;
	wr.net_change += change;
	wr.prev = w;
	wr.pending = true;
	wr.pending_n = n;
	wr.pending_w = w;
	if (wr.have_edge && compare_rtc())
		wr.pending = false;
}

bool wall_rewrite_start(uint64_t tsc_uhz)
{
	return begin(tsc_uhz, true);
}

void wall_rewrite_poll(uint64_t seq)
{
	if (wr.on && rdtsc_ordered() - wr.last_tsc >= wr.period_cycles)
		rewrite(true, seq);
}

void wall_rewrite_rtc_edge(uint64_t unix_s, uint64_t tsc_lo, uint64_t tsc_hi)
{
	if (!wr.on)
		return;
	if (!wr.tsc_uhz) { /* no rate: no edge can be brought to the rewrite's instant */
		if (wr.pending)
			compare_rtc();
		wr.pending = false;
		return;
	}
	if (tsc_hi - tsc_lo > cycles_of_us(WR_RTC_BRACKET_MAX_US))
		return;
	wr.have_edge = true;
	wr.edge_unix_s = unix_s;
	wr.edge_lo = tsc_lo;
	wr.edge_hi = tsc_hi;
	if (wr.pending && compare_rtc())
		wr.pending = false;
}

void wall_rewrite_end(void)
{
	if (!wr.on)
		return;
	close_pending(sources[SRC_RTC].present ? "no RTC second edge timed within 20 ms came within 2 s of the rewrite"
					       : "RTC absent");
	metric_u64("kvmclock.wall_rewrites", wr.n - wr.fails, "count");
	metric_u64("kvmclock.wall_rewrite.failures", wr.fails, "count");
	metric_u64("kvmclock.wall_rewrite.rtc_compared", wr.rtc_compared, "count");
	metric_i64("kvmclock.wall_rewrite.base_change_max_ns", wr.max_change, "ns");
	metric_i64("kvmclock.wall_rewrite.base_change_net_ns", wr.net_change, "ns");
	if (!wr.n)
		check_skip(CHECK_NAME, "no rewrite was due: drift mode ended before wall_rewrite_s=%llu s passed",
			   (unsigned long long)setting(SET_WALL_REWRITE_S));
	else
		check(!wr.fails, CHECK_NAME, "%llu of %llu wall-clock MSR writes were not refilled by the host; first: %s",
		      (unsigned long long)wr.fails, (unsigned long long)wr.n, wr.first_fail);
	wr.on = false;
}

void wall_rewrite_once(uint64_t tsc_uhz)
{
	struct rtc_edge e;

	if (!begin(tsc_uhz, false))
		return;
	rewrite(false, 0);
	if (wr.pending && sources[SRC_RTC].present) {
		if (rtc_wait_edge_bracket(WR_RTC_WAIT_US, &e))
			wall_rewrite_rtc_edge(e.unix_s, e.tsc_lo, e.tsc_hi);
		else
			close_pending("no RTC second edge within 1.5 s");
	}
	wall_rewrite_end();
}
