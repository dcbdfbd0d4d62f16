/* Host tests of the cross-CPU TSC bookkeeping (time/tsc_sync_math.c): warps under the lock
 * (Linux check_tsc_warp semantics) and the ping-pong offset bounds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../time/tsc_sync_math.c"

/* Synchronised CPUs taking turns: no warp, every turn a handoff. */
static void test_warp_none(void **state)
{
	struct tsc_warp w;

	(void)state;
	tsc_warp_reset(&w);
	assert_int_equal(tsc_warp_step(&w, 0, 1000), 0);
	assert_int_equal(tsc_warp_step(&w, 1, 1010), 0);
	assert_int_equal(tsc_warp_step(&w, 0, 1020), 0);
	assert_int_equal(tsc_warp_step(&w, 0, 1030), 0); /* same CPU again: no handoff */
	assert_int_equal(w.reads, 4);
	assert_int_equal(w.handoffs, 2);
	assert_int_equal(w.warps, 0);
	assert_int_equal(w.max_warp, 0);
	assert_int_equal(w.max_from, TSC_SYNC_NOBODY);
}

/* A clock that stands still across a handoff (same value) is a stall, not a warp. */
static void test_warp_stall(void **state)
{
	struct tsc_warp w;

	(void)state;
	tsc_warp_reset(&w);
	(void)tsc_warp_step(&w, 0, 5000);
	(void)tsc_warp_step(&w, 1, 5000); /* handoff, same value: stall */
	(void)tsc_warp_step(&w, 1, 5000); /* same CPU again: no comparison across CPUs */
	(void)tsc_warp_step(&w, 0, 4990); /* handoff, below: warp */
	assert_int_equal(w.handoffs, 2);
	assert_int_equal(w.stalls, 1);
	assert_int_equal(w.warps, 1);
	assert_int_equal(w.max_warp, 10);
}

/* CPU 1 runs 500 cycles behind: reading right after CPU 0 it sees a smaller value. */
static void test_warp_behind(void **state)
{
	struct tsc_warp w;

	(void)state;
	tsc_warp_reset(&w);
	tsc_warp_step(&w, 0, 10000);
	assert_int_equal(tsc_warp_step(&w, 1, 10000 + 20 - 500), 480);
	tsc_warp_step(&w, 0, 10040);
	assert_int_equal(tsc_warp_step(&w, 1, 10060 - 500), 480);
	assert_int_equal(tsc_warp_step(&w, 1, 10080 - 500), 0); /* against itself: monotonic */
	assert_int_equal(tsc_warp_step(&w, 0, 10100), 0);       /* CPU 0 after CPU 1: forwards */
	assert_int_equal(w.warps, 2);
	assert_int_equal(w.max_warp, 480);
	assert_int_equal(w.max_from, 0);
	assert_int_equal(w.max_to, 1);
	/* a larger warp the other way replaces the maximum */
	tsc_warp_step(&w, 1, 20000);
	assert_int_equal(tsc_warp_step(&w, 0, 19000), 1000);
	assert_int_equal(w.max_warp, 1000);
	assert_int_equal(w.max_from, 1);
	assert_int_equal(w.max_to, 0);
	assert_int_equal(w.warps, 3);
}

/* The first read compares with nothing, whatever its value. */
static void test_warp_first(void **state)
{
	struct tsc_warp w;

	(void)state;
	tsc_warp_reset(&w);
	assert_int_equal(tsc_warp_step(&w, 1, 0), 0);
	assert_int_equal(w.handoffs, 0);
	assert_int_equal(w.warps, 0);
}

/* Synchronised TSCs: each round's interval contains 0; best round is the shortest. */
static void test_offset_zero(void **state)
{
	struct tsc_offset o;
	uint64_t least = 12345;

	(void)state;
	tsc_offset_reset(&o);
	tsc_offset_add(&o, 1000, 1400, 2000);  /* rtt 1000, interval [-600, 400] */
	tsc_offset_add(&o, 5000, 5150, 5300);  /* rtt 300, interval [-150, 150], midpoint 5150 */
	tsc_offset_add(&o, 9000, 9100, 10000); /* rtt 1000, interval [-900, 100] */
	assert_int_equal(o.rounds, 3);
	assert_int_equal(o.best_rtt, 300);
	assert_int_equal(o.best_offset, 0);
	assert_int_equal(o.lo, -150);
	assert_int_equal(o.hi, 100);
	assert_false(tsc_offset_inconsistent(&o));
	assert_false(tsc_offset_proven(&o, &least));
	assert_int_equal(least, 12345);
}

/* The AP 5000 cycles ahead: proven nonzero, by at least the intersection's lower end.
 * Behind: negative. */
static void test_offset_proven(void **state)
{
	struct tsc_offset o;
	uint64_t least = 0;

	(void)state;
	tsc_offset_reset(&o);
	tsc_offset_add(&o, 1000, 1100 + 5000, 1200); /* rtt 200, interval [4900, 5100] */
	tsc_offset_add(&o, 2000, 2050 + 5000, 2300); /* rtt 300, interval [4750, 5050] */
	assert_int_equal(o.best_offset, 5000);
	assert_true(tsc_offset_proven(&o, &least));
	assert_int_equal(least, 4900);
	assert_int_equal(o.hi, 5050);
	assert_true(o.lo > 0);

	tsc_offset_reset(&o);
	tsc_offset_add(&o, 100000, 100100 - 3000, 100200);
	assert_int_equal(o.best_offset, -3000);
	assert_true(tsc_offset_proven(&o, &least));
	assert_int_equal(least, 2900);
	assert_true(o.hi < 0);
}

/* An AP TSC below the boot CPU's raw value (unsigned wrap of t_ap - t): still signed right. */
static void test_offset_wrap(void **state)
{
	struct tsc_offset o;
	uint64_t least = 0;

	(void)state;
	tsc_offset_reset(&o);
	tsc_offset_add(&o, 10, 2, 20); /* AP read 2 while the BSP read 10..20 */
	assert_int_equal(o.best_offset, -13);
	assert_int_equal(o.lo, -18);
	assert_int_equal(o.hi, -8);
	assert_true(tsc_offset_proven(&o, &least));
	assert_int_equal(least, 8);
}

/* Rounds that no single offset fits (the AP's TSC jumped between them): inconsistent, and
 * not reported as a proven offset. A backwards BSP bracket is not a round. */
static void test_offset_inconsistent(void **state)
{
	struct tsc_offset o;
	uint64_t least = 0;

	(void)state;
	tsc_offset_reset(&o);
	tsc_offset_add(&o, 1000, 1050, 1100);         /* [-50, 50] */
	tsc_offset_add(&o, 2000, 2050 + 10000, 2100); /* [9950, 10050] */
	assert_true(tsc_offset_inconsistent(&o));
	assert_false(tsc_offset_proven(&o, &least));
	tsc_offset_add(&o, 3000, 3000, 2999);
	assert_int_equal(o.bad_rounds, 1);
	assert_int_equal(o.rounds, 2);
}

static void test_offset_empty(void **state)
{
	struct tsc_offset o;
	uint64_t least = 0;

	(void)state;
	tsc_offset_reset(&o);
	assert_false(tsc_offset_inconsistent(&o));
	assert_false(tsc_offset_proven(&o, &least));
	assert_true(o.best_rtt == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warp_none),
		cmocka_unit_test(test_warp_behind),
		cmocka_unit_test(test_warp_stall),
		cmocka_unit_test(test_warp_first),
		cmocka_unit_test(test_offset_zero),
		cmocka_unit_test(test_offset_proven),
		cmocka_unit_test(test_offset_wrap),
		cmocka_unit_test(test_offset_inconsistent),
		cmocka_unit_test(test_offset_empty),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
