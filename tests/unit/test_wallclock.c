/* Host unit tests for time/wallclock.c: moving two wall readings to one instant through the
 * TSC, the widening by brackets and by the TSC rate's uncertainty, the time-zone diagnosis,
 * and the checks wall_compare prints. A 1 GHz TSC (10^15 uHz) makes cycles read as ns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../lib/report.c"
#include "../../time/wallclock.c"

#define GHZ_UHZ 1000000000000000ULL
#define S 1000000000LL

#include "capture.h"

static int setup(void **state)
{
	(void)state;
	n_readings = 0;
	capture_start();
	report_begin("t");
	return 0;
}

/* GetTime() read 100 s (resolution 1 s) at TSC 1000; the RTC's edge to 102 s 1.5 s later:
 * at the GetTime() instant the RTC read 100.5 s, so efi - rtc lies in [-0.5, +0.5] s. */
static void test_offset_same_clock(void **state)
{
	struct wall_reading a = { "efi", 100 * S, 101 * S, 1000, 1000 };
	struct wall_reading b = { "rtc", 102 * S, 102 * S, 1000 + 1500000000ULL, 1000 + 1500000000ULL };
	int64_t lo, hi;

	(void)state;
	assert_true(wall_offset(&a, &b, GHZ_UHZ, 0, &lo, &hi));
	assert_int_equal(lo, -S / 2);
	assert_int_equal(hi, S / 2);
	/* The other way round: the interval mirrors. */
	assert_true(wall_offset(&b, &a, GHZ_UHZ, 0, &lo, &hi));
	assert_int_equal(lo, -S / 2);
	assert_int_equal(hi, S / 2);
	/* No TSC rate: no instant in common. */
	assert_false(wall_offset(&a, &b, 0, 0, &lo, &hi));
}

/* Half of each bracket, and 4 sigma of the TSC rate over the distance, widen the interval. */
static void test_offset_widening(void **state)
{
	struct wall_reading a = { "rtc", 50 * S, 50 * S, 0, 2000 };           /* midpoint 1000 */
	struct wall_reading b = { "kvmclock", 52 * S, 52 * S, 2000000000ULL - 3000, 2000000000ULL + 1000 };
	int64_t lo, hi;

	(void)state;
	/* b's midpoint is 2e9 - 1000, i.e. 1999998000 ns after a's: at a's instant b read
	 * 52 s - 1.999998 s = 50.000002 s, so a - b = -2000 ns; widen 1000 + 2000 ns. */
	assert_true(wall_offset(&a, &b, GHZ_UHZ, 0, &lo, &hi));
	assert_int_equal(lo, -2000 - 3000);
	assert_int_equal(hi, -2000 + 3000);
	/* 1 ppm (1000 milli-ppm) over 1.999998 s: 4 x 1999.998 ns = 7999 ns more each side. */
	assert_true(wall_offset(&a, &b, GHZ_UHZ, 1000, &lo, &hi));
	assert_int_equal(lo, -2000 - 3000 - 7999);
	assert_int_equal(hi, -2000 + 3000 + 7999);
	/* At 2 GHz the same cycles are half the time. */
	assert_true(wall_offset(&a, &b, 2 * GHZ_UHZ, 0, &lo, &hi));
	assert_int_equal(lo, 50 * S - (52 * S - 999999000) - 1500);
}

/* wall_rewrite_s: which RTC edge may date a rewrite. 1 GHz TSC, reach 2 s. */
static void test_edge_use(void **state)
{
	struct wall_reading w = { "kvmclock", 100 * S, 100 * S, 10 * S, 10 * S + 2000 };
	struct wall_reading e = { "rtc", 99 * S, 99 * S, 10 * S - 600000000, 10 * S - 599000000 };
	int64_t lo, hi;

	(void)state;
	assert_int_equal(wall_edge_use(&w, &e, 2 * S), WALL_EDGE_USE);
	/* The edge's midpoint is 0.599501 s before the read's: at the read the RTC showed
	 * 99.599501 s, so kvm-clock's wall clock is 0.400499 s ahead of it; half of each bracket
	 * (1 us, 0.5 ms) widens the interval. */
	assert_true(wall_offset(&w, &e, GHZ_UHZ, 0, &lo, &hi));
	assert_int_equal(lo, 400499000 - 501000);
	assert_int_equal(hi, 400499000 + 501000);
	/* an edge before a 3 s pause: wait for the next one */
	e.tsc_lo = 10 * S - 3200000000LL;
	e.tsc_hi = 10 * S - 3199000000LL;
	assert_int_equal(wall_edge_use(&w, &e, 2 * S), WALL_EDGE_WAIT);
	/* the next edge, 0.4 s after the read: in reach; after 2.5 s: too late */
	e.tsc_lo = 10 * S + 400000000;
	e.tsc_hi = e.tsc_lo + 1000000;
	assert_int_equal(wall_edge_use(&w, &e, 2 * S), WALL_EDGE_USE);
	e.tsc_lo = 10 * S + 2500000000LL;
	e.tsc_hi = e.tsc_lo + 1000000;
	assert_int_equal(wall_edge_use(&w, &e, 2 * S), WALL_EDGE_TOO_LATE);
	/* exactly at the reach: in */
	e.tsc_lo = e.tsc_hi = 10 * S + 1000 + 2 * S;
	assert_int_equal(wall_edge_use(&w, &e, 2 * S), WALL_EDGE_USE);
}

static void test_tz_minutes(void **state)
{
	(void)state;
	assert_int_equal(wall_tz_minutes(3595 * S, 3596 * S), 60);            /* an hour, 5 s late */
	assert_int_equal(wall_tz_minutes(-19800 * S - S / 2, -19800 * S), -330); /* UTC+05:30 */
	assert_int_equal(wall_tz_minutes(20700 * S, 20700 * S), 345);          /* UTC+05:45 */
	assert_int_equal(wall_tz_minutes(-S, S), 0);                           /* agreement */
	assert_int_equal(wall_tz_minutes(420 * S, 420 * S), 0);                /* 7 min: no zone */
	assert_int_equal(wall_tz_minutes(961 * S, 962 * S), 0);                /* 61 s past 15 min */
	assert_int_equal(wall_tz_minutes(959 * S, 960 * S), 15);
}

static void test_compare_pass_fail_skip(void **state)
{
	(void)state;
	wall_compare(GHZ_UHZ, 0, 1000);
	assert_non_null(strstr(out, "ok 1 - wall.clocks # SKIP 0 wall clocks read (none): nothing to compare"));

	setup(state);
	wall_note("efi", 100 * S, 101 * S, 1000, 1000);
	wall_compare(GHZ_UHZ, 0, 1000);
	assert_non_null(strstr(out, "# SKIP 1 wall clock read (efi)"));

	setup(state);
	wall_note("efi", 100 * S, 101 * S, 1000, 1000);
	wall_note("rtc", 102 * S, 102 * S, 1000 + 1500000000ULL, 1000 + 1500000000ULL);
	/* An RTC keeping UTC+1 while kvm-clock keeps UTC. */
	wall_note("kvmclock", 100 * S - 3600 * S + 250000000, 100 * S - 3600 * S + 250000000, 1000, 1000);
	wall_compare(GHZ_UHZ, 0, 1000);
	assert_non_null(strstr(out, "# metric wall.efi.rtc.offset_ms 0.000 ms\n"));
	assert_non_null(strstr(out, "# metric wall.efi.rtc.bound_ms 500.000 ms\n"));
	assert_non_null(strstr(out, "ok 1 - wall.efi.rtc\n"));
	assert_non_null(strstr(out, "not ok 2 - wall.efi.kvmclock\n"));
	assert_non_null(strstr(out, "# fail: efi minus kvmclock is 3599.750..3600.750 s (resolution included), "
				    "beyond 1000 ms; that is +60 min, a time zone: one of them keeps local time\n"));
	assert_non_null(strstr(out, "# metric wall.rtc.kvmclock.offset_ms 3600250.000 ms\n"));
	assert_non_null(strstr(out, "not ok 3 - wall.rtc.kvmclock\n"));

	/* Just inside the tolerance: an RTC started 0.9 s late against an exact clock passes;
	 * 1.1 s does not. */
	setup(state);
	wall_note("rtc", 10 * S, 10 * S, 0, 0);
	wall_note("kvmclock", 10 * S + 900000000, 10 * S + 900000000, 0, 0);
	wall_note("x", 10 * S + 1100000000, 10 * S + 1100000000, 0, 0);
	wall_compare(GHZ_UHZ, 0, 1000);
	assert_non_null(strstr(out, "ok 1 - wall.rtc.kvmclock\n"));
	assert_non_null(strstr(out, "not ok 2 - wall.rtc.x\n"));
	assert_non_null(strstr(out, "# fail: rtc minus x is -1.100..-1.100 s (resolution included), beyond 1000 ms\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_offset_same_clock, setup),
		cmocka_unit_test_setup(test_offset_widening, setup),
		cmocka_unit_test_setup(test_edge_use, setup),
		cmocka_unit_test_setup(test_tz_minutes, setup),
		cmocka_unit_test_setup(test_compare_pass_fail_skip, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
