/* Wall-clock comparison (see wallclock.h). The arithmetic is pure and host unit-tested
 * (tests/unit/test_wallclock.c); only wall_compare() prints. */
#include "wallclock.h"
#include "../lib/report.h"
#include "../lib/fmt.h"

#define NS_PER_S 1000000000LL
/* A time zone differs from UTC by a multiple of 15 minutes (UTC+05:45, +08:45 and +12:45
 * are the finest in use). Within a minute of one, on top of the 1 s resolution of RTC
 * and GetTime, the offset is taken to be a zone: one clock keeps local time. */
#define WALL_TZ_STEP_S (15 * 60)
#define WALL_TZ_SLACK_S 60

static struct wall_reading readings[WALL_MAX];
static unsigned n_readings;

void wall_note(const char *name, int64_t lo_ns, int64_t hi_ns, uint64_t tsc_lo, uint64_t tsc_hi)
{
	if (n_readings == WALL_MAX) {
		diag("wall: no room for the %s reading (WALL_MAX %u)", name, WALL_MAX);
		return;
	}
	readings[n_readings++] = (struct wall_reading){ name, lo_ns, hi_ns, tsc_lo, tsc_hi };
}

static int64_t cycles_to_ns_signed(int64_t cycles, uint64_t tsc_uhz)
{
	__int128 ns = (__int128)cycles * 1000000000000000LL / (__int128)tsc_uhz;

	return (int64_t)ns;
}

static uint64_t mid(const struct wall_reading *r)
{
	return r->tsc_lo + (r->tsc_hi - r->tsc_lo) / 2;
}

bool wall_offset(const struct wall_reading *a, const struct wall_reading *b, uint64_t tsc_uhz,
		 uint64_t unc_mppm, int64_t *lo, int64_t *hi)
{
	int64_t d_ns, widen;

	if (!tsc_uhz)
		return false;
	/* b was read d_ns after a: at a's instant, b read d_ns less. */
	d_ns = cycles_to_ns_signed((int64_t)(mid(b) - mid(a)), tsc_uhz);
	/* Where inside its bracket each read happened is unknown: half of each bracket. The TSC
	 * rate's error scales the distance between the reads: 4 sigma of it. */
	widen = cycles_to_ns_signed((int64_t)((a->tsc_hi - a->tsc_lo) / 2 + (b->tsc_hi - b->tsc_lo) / 2), tsc_uhz);
	widen += (int64_t)((__int128)(d_ns < 0 ? -d_ns : d_ns) * 4 * (__int128)unc_mppm / 1000000000LL);
	*lo = a->lo_ns - (b->hi_ns - d_ns) - widen;
	*hi = a->hi_ns - (b->lo_ns - d_ns) + widen;
	return true;
}

enum wall_edge_use wall_edge_use(const struct wall_reading *a, const struct wall_reading *edge, uint64_t max_cycles)
{
	uint64_t ma = mid(a), me = mid(edge);

	if ((int64_t)(me - ma) > (int64_t)max_cycles)
		return WALL_EDGE_TOO_LATE;
	if ((int64_t)(ma - me) > (int64_t)max_cycles)
		return WALL_EDGE_WAIT;
	return WALL_EDGE_USE;
}

int64_t wall_tz_minutes(int64_t lo_ns, int64_t hi_ns)
{
	int64_t m = lo_ns / 2 + hi_ns / 2, a = m < 0 ? -m : m;
	int64_t steps = (a + WALL_TZ_STEP_S * NS_PER_S / 2) / (WALL_TZ_STEP_S * NS_PER_S);
	int64_t rest = a - steps * WALL_TZ_STEP_S * NS_PER_S;

	if (!steps || (rest < 0 ? -rest : rest) > WALL_TZ_SLACK_S * NS_PER_S)
		return 0;
	return (m < 0 ? -steps : steps) * (WALL_TZ_STEP_S / 60);
}

static void compare_pair(const struct wall_reading *a, const struct wall_reading *b, uint64_t tsc_uhz,
			 uint64_t unc_mppm, uint64_t tol_ms)
{
	char name[48], lo_s[24], hi_s[24], tz[80] = "";
	int64_t lo, hi, tol = (int64_t)tol_ms * 1000000, m, tzm;

	cp_snprintf(name, sizeof(name), "wall.%s.%s", a->name, b->name);
	if (!wall_offset(a, b, tsc_uhz, unc_mppm, &lo, &hi)) {
		check_skip(name, "TSC rate not measured: readings cannot be brought to one instant");
		return;
	}
	m = lo / 2 + hi / 2;
	metric_fixed(mname(name, "offset_ms"), m / 1000, 3, "ms");
	metric_fixed(mname(name, "bound_ms"), (hi / 2 - lo / 2) / 1000, 3, "ms");
	cp_fmt_fixed(lo_s, sizeof(lo_s), lo / 1000000, 3);
	cp_fmt_fixed(hi_s, sizeof(hi_s), hi / 1000000, 3);
	tzm = wall_tz_minutes(lo, hi);
	if (tzm)
		cp_snprintf(tz, sizeof(tz), "; that is %+lld min, a time zone: one of them keeps local time",
			    (long long)tzm);
	check(lo <= tol && hi >= -tol, name, "%s minus %s is %s..%s s (resolution included), beyond %llu ms%s",
	      a->name, b->name, lo_s, hi_s, (unsigned long long)tol_ms, tz);
}

void wall_compare(uint64_t tsc_uhz, uint64_t unc_mppm, uint64_t tol_ms)
{
	unsigned i, j;

	if (n_readings < 2) {
		check_skip("wall.clocks", "%u wall clock%s read (%s): nothing to compare", n_readings,
			   n_readings == 1 ? "" : "s", n_readings ? readings[0].name : "none");
		return;
	}
	for (i = 0; i < n_readings; i++)
		for (j = i + 1; j < n_readings; j++)
			compare_pair(&readings[i], &readings[j], tsc_uhz, unc_mppm, tol_ms);
}
