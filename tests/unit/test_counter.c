/* Host tests of the counter arithmetic every clock source relies on (time/counter.c):
 * wrap-safe deltas for the widths and directions real devices have, and 128-bit scaling. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../time/counter.c"

static void test_mask(void **state)
{
	(void)state;
	assert_int_equal(counter_mask(1), 1);
	assert_int_equal(counter_mask(16), 0xffff);
	assert_int_equal(counter_mask(24), 0xffffff);
	assert_int_equal(counter_mask(32), 0xffffffffull);
	assert_int_equal(counter_mask(63), INT64_MAX);
	assert_true(counter_mask(64) == UINT64_MAX);
}

/* PIT: 16-bit down counter, reload 65536. */
static void test_pit_down16(void **state)
{
	(void)state;
	assert_int_equal(counter_delta(1000, 400, 16, true), 600);
	/* wrap: 5 -> 0 -> 0xffff(=65535) -> ... -> 0xfff0 */
	assert_int_equal(counter_delta(5, 0xfff0, 16, true), 21);
	assert_int_equal(counter_delta(0, 0xffff, 16, true), 1);
	assert_int_equal(counter_delta(0x1234, 0x1234, 16, true), 0);
	assert_int_equal(counter_signed_delta(5, 0xfff0, 16, true), 21);
	/* the count going up is a step backwards */
	assert_int_equal(counter_signed_delta(400, 1000, 16, true), -600);
	/* exactly half the range reads as backwards: callers read at least every half wrap */
	assert_int_equal(counter_signed_delta(0x8000, 0, 16, true), -32768);
	assert_int_equal(counter_signed_delta(0x8000, 1, 16, true), 32767);
	/* bits above the width are ignored */
	assert_int_equal(counter_delta(0xabcd0005, 0x1234fff0, 16, true), 21);
}

/* ACPI PM timer: 24-bit up counter. */
static void test_pm_up24(void **state)
{
	(void)state;
	assert_int_equal(counter_delta(100, 3579645, 24, false), 3579545);
	assert_int_equal(counter_delta(0xfffff0, 0x10, 24, false), 0x20);
	assert_int_equal(counter_delta(0xffffff, 0, 24, false), 1);
	assert_int_equal(counter_signed_delta(0xfffff0, 0x10, 24, false), 0x20);
	assert_int_equal(counter_signed_delta(0x10, 0xfffff0, 24, false), -0x20);
	assert_int_equal(counter_signed_delta(0, 0x7fffff, 24, false), 0x7fffff);
	assert_int_equal(counter_signed_delta(0, 0x800000, 24, false), -0x800000);
	/* a 24-bit read with junk above bit 23 (unmasked inl) still gives the right delta */
	assert_int_equal(counter_delta(0xff000005, 0x00000009, 24, false), 4);
}

/* HPET in 32-bit mode and the 32-bit APIC timer (down). */
static void test_32(void **state)
{
	(void)state;
	assert_int_equal(counter_delta(0xfffffff0u, 0x10, 32, false), 0x20);
	assert_int_equal(counter_signed_delta(0x10, 0xfffffff0u, 32, false), -0x20);
	assert_int_equal(counter_delta(0x10, 0xfffffff0u, 32, true), 0x20);
	assert_int_equal(counter_delta(0, 0xffffffffu, 32, true), 1);
	assert_int_equal(counter_signed_delta(0xfffffff0u, 0x10, 32, true), -0x20);
	assert_int_equal(counter_signed_delta(0, 0x7fffffff, 32, false), INT32_MAX);
	assert_int_equal(counter_signed_delta(0, 0x80000000u, 32, false), -2147483648LL);
}

/* HPET 64-bit and TSC: the full width, where a wrap is the plain uint64 overflow. */
static void test_64(void **state)
{
	(void)state;
	assert_true(counter_delta(UINT64_MAX - 1, 3, 64, false) == 5);
	assert_true(counter_delta(3, UINT64_MAX - 1, 64, true) == 5);
	assert_true(counter_signed_delta(10, 4, 64, false) == -6);
	assert_true(counter_signed_delta(0, (uint64_t)INT64_MAX, 64, false) == INT64_MAX);
	assert_true(counter_signed_delta(0, 1ull << 63, 64, false) == INT64_MIN);
	assert_true(counter_delta(0, UINT64_MAX, 64, false) == UINT64_MAX);
}

static void test_one_bit(void **state)
{
	(void)state;
	assert_int_equal(counter_delta(0, 1, 1, false), 1);
	assert_int_equal(counter_delta(1, 0, 1, false), 1);
	assert_int_equal(counter_signed_delta(0, 1, 1, false), -1);
	assert_int_equal(counter_signed_delta(1, 1, 1, false), 0);
}

static void test_mul_div(void **state)
{
	(void)state;
	assert_true(mul_div_u64(10, 20, 4) == 50);
	assert_true(mul_div_u64(7, 1, 2) == 3); /* truncates */
	/* the product overflows 64 bits but the quotient fits */
	assert_true(mul_div_u64(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	assert_true(mul_div_u64(1ull << 40, 1ull << 40, 1ull << 30) == 1ull << 50);
	/* 1 s of a 2.096 GHz TSC to ns */
	assert_true(mul_div_u64(2096000000ull, 1000000000ull, 2096000000ull) == 1000000000ull);
	/* 1e21 / period through the generic helper */
	assert_true(mul_div_u64(1000000000000000ull, 1000000, 10000000) == 100000000000000ull);
	/* quotient too large: saturates */
	assert_true(mul_div_u64(UINT64_MAX, 2, 1) == UINT64_MAX);
	assert_true(mul_div_u64(1ull << 63, 1ull << 63, 1ull << 62) == UINT64_MAX);
	/* just fits */
	assert_true(mul_div_u64(UINT64_MAX, 3, 3) == UINT64_MAX);
	assert_true(mul_div_u64(UINT64_MAX - 1, 2, 2) == UINT64_MAX - 1);
	/* division by zero is defined as 0 */
	assert_true(mul_div_u64(5, 5, 0) == 0);
	assert_true(mul_div_u64(0, UINT64_MAX, 1) == 0);
}

/* Segment breaks in the rate window: numbers from a 2.096 GHz TSC under TCG. */
static void test_gap_may_wrap(void **state)
{
	const uint64_t ms = 2096000; /* TSC cycles per ms */

	(void)state;
	/* APIC timer, 32 bits at 1 GHz (half wrap 2.1 s): a 2.2 ms preemption cannot hide a wrap */
	assert_false(counter_gap_may_wrap(2 * ms, 500000000, 500 * ms, 32));
	/* ... but a quarter of the half wrap (safety 4) can */
	assert_true(counter_gap_may_wrap(540 * ms, 1000000000, 1000 * ms, 32));
	assert_false(counter_gap_may_wrap(530 * ms, 1000000000, 1000 * ms, 32));
	/* PIT, 16 bits at 1.193182 MHz (half wrap 27.5 ms): 2 ms is safe, 7 ms is a quarter */
	assert_false(counter_gap_may_wrap(2 * ms, 119318, 100 * ms, 16));
	assert_true(counter_gap_may_wrap(7 * ms, 119318, 100 * ms, 16));
	/* PM timer, 24 bits at 3.579545 MHz (half wrap 2.3 s) */
	assert_false(counter_gap_may_wrap(100 * ms, 3579545, 1000 * ms, 24));
	assert_true(counter_gap_may_wrap(600 * ms, 3579545, 1000 * ms, 24));
	/* too few ticks (or no time) to know the rate: assume the worst */
	assert_true(counter_gap_may_wrap(10, COUNTER_RATE_MIN_TICKS - 1, 1000 * ms, 32));
	assert_false(counter_gap_may_wrap(10, COUNTER_RATE_MIN_TICKS, 1000 * ms, 32));
	assert_true(counter_gap_may_wrap(10, 1000, 0, 32));
	/* a backward step seen as a huge advance: break (conservative) */
	assert_true(counter_gap_may_wrap(ms, UINT64_MAX - 5, ms, 32));
	/* 64-bit counters never wrap in practice */
	assert_false(counter_gap_may_wrap(UINT64_MAX, UINT64_MAX, 1, 64));
	/* no overflow at the extremes of 63 bits */
	assert_true(counter_gap_may_wrap(UINT64_MAX, UINT64_MAX, UINT64_MAX, 63));
	assert_false(counter_gap_may_wrap(1, 1ull << 20, UINT64_MAX, 63));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_pit_down16),
		cmocka_unit_test(test_pm_up24),
		cmocka_unit_test(test_32),
		cmocka_unit_test(test_64),
		cmocka_unit_test(test_one_bit),
		cmocka_unit_test(test_mul_div),
		cmocka_unit_test(test_gap_may_wrap),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
