/* Host unit tests for time/pvclock.c: pvclock scaling with positive and negative shifts,
 * products beyond 64 bits, TSC readings before tsc_timestamp, the TSC rate encoded in
 * mul/shift (checked against Linux's pvclock_tsc_khz), and the Hyper-V TSC page formula.
 * mul/shift vectors come from KVM's kvm_get_time_scale(10^9, tsc_hz) run in Python. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../time/pvclock.c"

struct scale_vec {
	uint64_t hz;
	uint32_t mul;
	int shift;
	uint64_t hz_back; /* 10^9 * 2^32 / (mul * 2^shift), truncated */
};

static const struct scale_vec vecs[] = {
	{ 2100000000ULL, 0xf3cf3cf3u, -1, 2100000000ULL },
	{ 2096000000ULL, 0xf44659e4u, -1, 2096000000ULL },
	{ 500000000ULL, 0x80000000u, 2, 500000000ULL },
	{ 1000000000ULL, 0x80000000u, 1, 1000000000ULL },
	{ 3000000000ULL, 0xaaaaaaaau, -1, 3000000000ULL },
	{ 100000000ULL, 0xa0000000u, 4, 100000000ULL },
	{ 5000000000ULL, 0xccccccccu, -2, 5000000001ULL }, /* mul truncation shows up */
};

static void test_scale_delta(void **state)
{
	(void)state;
	/* mul 0.5 with shift 1: ns == cycles. */
	assert_int_equal(pvclock_scale_delta(123456789, 0x80000000u, 1), 123456789);
	/* 2.1 GHz: 10^12 cycles = 476.19 s. */
	assert_int_equal(pvclock_scale_delta(1000000000000ULL, 0xf3cf3cf3u, -1), 476190476096ULL);
	/* (2^40 * 0xffffffff) needs 72 bits. */
	assert_int_equal(pvclock_scale_delta(1ULL << 40, 0xffffffffu, 0), 1099511627520ULL);
	/* A 64-bit delta with a negative shift: the product needs 95 bits. */
	assert_int_equal(pvclock_scale_delta((1ULL << 63) + 12345, 0xf3cf3cf3u, -1),
			 4392081921442584310ULL);
	/* Positive shift moving bits past 64 (Linux would lose them). */
	assert_int_equal(pvclock_scale_delta(1ULL << 62, 0x20000000u, 4), 1ULL << 63);
	assert_int_equal(pvclock_scale_delta(0, 0xffffffffu, 5), 0);
	assert_int_equal(pvclock_scale_delta(1000, 0x80000000u, 64), 0);  /* nonsense shift */
	assert_int_equal(pvclock_scale_delta(1000, 0x80000000u, -64), 0);
}

static void test_ns_at(void **state)
{
	struct pvclock_snapshot s = { .tsc_timestamp = 1000000, .system_time = 5000000000ULL,
				      .mul = 0x80000000u, .shift = 1 };
	bool before = true;

	(void)state;
	assert_int_equal(pvclock_ns_at(&s, 1000000, &before), 5000000000ULL);
	assert_false(before);
	assert_int_equal(pvclock_ns_at(&s, 1000500, &before), 5000000500ULL);
	assert_false(before);
	/* A TSC behind tsc_timestamp steps back instead of wrapping to ~2^64 cycles. */
	assert_int_equal(pvclock_ns_at(&s, 999000, &before), 4999999000ULL);
	assert_true(before);
	assert_int_equal(pvclock_ns_at(&s, 999000, NULL), 4999999000ULL);
}

static void test_tsc_hz(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		assert_int_equal(pvclock_tsc_hz(vecs[i].mul, vecs[i].shift), vecs[i].hz_back);
		/* Linux's kHz formula agrees to the kHz. */
		assert_int_equal(pvclock_tsc_khz_linux(vecs[i].mul, vecs[i].shift), vecs[i].hz / 1000);
		/* And scaling one second of cycles gives one second, within the mul truncation. */
		assert_in_range(pvclock_scale_delta(vecs[i].hz, vecs[i].mul, vecs[i].shift),
				999999990ULL, 1000000000ULL);
	}
	assert_int_equal(pvclock_tsc_hz(0, 0), 0);
	assert_int_equal(pvclock_tsc_khz_linux(0, 0), 0);
	/* Tiny mul with a large negative shift saturates instead of wrapping. */
	assert_int_equal(pvclock_tsc_hz(1, -40), UINT64_MAX);
}

static void test_tsc_uhz(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		assert_int_equal(pvclock_tsc_uhz(vecs[i].mul, vecs[i].shift) / 1000000, vecs[i].hz_back);
	/* 2.1 GHz: the 32-bit mul rounds the rate by 0.2 ppb, visible in micro-hertz. */
	assert_int_equal(pvclock_tsc_uhz(0xf3cf3cf3u, -1), 2100000000415602ULL);
	assert_int_equal(pvclock_tsc_uhz(0, 0), 0);
	assert_int_equal(pvclock_tsc_uhz(1, -46), UINT64_MAX);
	assert_int_equal(pvclock_tsc_uhz(0xffffffffu, -45), UINT64_MAX);
	assert_int_equal(hv_tsc_uhz_from_scale(0x0138138138138138ULL), 2100000000000000ULL);
	assert_int_equal(hv_tsc_uhz_from_scale(0), 0);
}

/* A host update that continues the old line is no jump; one that restarts system_time
 * elsewhere shows the step, signed, at any TSC after the update. */
static void test_update_jump(void **state)
{
	struct pvclock_snapshot a = { .tsc_timestamp = 1000000, .system_time = 5000000000ULL,
				      .mul = 0x80000000u, .shift = 1 }; /* 1 GHz: ns == cycles */
	struct pvclock_snapshot b = a;

	(void)state;
	b.tsc_timestamp = 3000000;
	b.system_time = pvclock_ns_at(&a, b.tsc_timestamp, 0);
	assert_int_equal(pvclock_update_jump(&a, &b, 3500000), 0);
	b.system_time += 250000; /* stepped 250 us forward */
	assert_int_equal(pvclock_update_jump(&a, &b, 3500000), 250000);
	b.system_time -= 1000000; /* 750 us back */
	assert_int_equal(pvclock_update_jump(&a, &b, 9000000), -750000);
	/* A new rate from the same point: the jump grows with the distance from it. */
	b = a;
	b.mul = 0x80000000u + 0x800; /* 0.95 ppm faster */
	assert_int_equal(pvclock_update_jump(&a, &b, a.tsc_timestamp), 0);
	assert_int_equal(pvclock_update_jump(&a, &b, a.tsc_timestamp + 1000000000ULL), 953);

	assert_int_equal(hv_update_jump(1ULL << 63, 100, 1ULL << 63, 100, 12345678), 0);
	assert_int_equal(hv_update_jump(1ULL << 63, 100, 1ULL << 63, 40, 12345678), -60);
}

static void test_update_steps(void **state)
{
	struct update_steps u = { 0 };

	(void)state;
	update_steps_note(&u, 1, 1);    /* rounding */
	update_steps_note(&u, -1, 1);
	update_steps_note_after(&u, 250, 1, 7000000000ULL);
	update_steps_note_after(&u, -900, 1, 61000000000ULL);
	update_steps_note_after(&u, 400, 1, 3000000000ULL);
	assert_int_equal(u.back, 1);
	assert_int_equal(u.min, -900);
	assert_int_equal(u.updates, 5);
	assert_int_equal(u.steps, 3);
	assert_int_equal(u.max, -900);
	assert_int_equal(u.max_after_ns, 61000000000ULL); /* the interval belongs to the largest step */
	assert_int_equal(u.net, -250);
}

/* The wall-clock structure: wall time at kvm-clock zero; a rewrite's base change is the new
 * wall clock minus the old one carried forward by kvm-clock, exact across KVM's u32 wrap. */
static void test_wall(void **state)
{
	(void)state;
	assert_int_equal(pvclock_wall_unix_ns(1700000000u, 123456789u, 0), 1700000000123456789LL);
	/* plus kvm-clock: 3 days of uptime */
	assert_int_equal(pvclock_wall_unix_ns(1700000000u, 999999999u, 259200000000001ULL),
			 1700259201000000000LL);
	/* the largest u32 second and nsec, the largest kvm-clock: saturates instead of wrapping */
	assert_int_equal(pvclock_wall_unix_ns(UINT32_MAX, UINT32_MAX, 0), 4294967295000000000LL + UINT32_MAX);
	assert_int_equal(pvclock_wall_unix_ns(UINT32_MAX, 0, UINT64_MAX), INT64_MAX);

	/* unchanged; 312 ns of NTP slew; a 3 s pause kvm-clock was kept continuous across */
	assert_int_equal(pvclock_wall_base_change(1700000000u, 500, 1700000000u, 500), 0);
	assert_int_equal(pvclock_wall_base_change(1700000000u, 999999900u, 1700000001u, 212u), 312);
	assert_int_equal(pvclock_wall_base_change(1700000000u, 400000000u, 1700000003u, 412000000u), 3012000000LL);
	/* a host clock stepped back 1.5 s */
	assert_int_equal(pvclock_wall_base_change(1700000002u, 0, 1700000000u, 500000000u), -1500000000LL);
	/* across the 2106 wrap of u32 seconds: 1 s + 1 ns later */
	assert_int_equal(pvclock_wall_base_change(UINT32_MAX, 999999999u, 0, 0), 1);
	assert_int_equal(pvclock_wall_base_change(UINT32_MAX, 0, 0, 1), 1000000001LL);
	assert_int_equal(pvclock_wall_base_change(0, 1, UINT32_MAX, 0), -1000000001LL);
	/* the extremes of the signed 32-bit difference: +-68 years, no overflow */
	assert_int_equal(pvclock_wall_base_change(0, 0, 0x7fffffffu, 999999999u), 2147483647999999999LL);
	assert_int_equal(pvclock_wall_base_change(0x80000000u, 999999999u, 0, 0), -2147483648999999999LL);
}

static void test_hyperv(void **state)
{
	const uint64_t scale = 0x0138138138138138ULL; /* 10^7 * 2^64 / 2.1e9 */

	(void)state;
	assert_int_equal(hv_ref_time(1000000000000ULL, scale, -5000), 4761899761ULL);
	assert_int_equal(hv_ref_time(0, scale, 42), 42);
	/* Full-range operands: (2^64-1)^2 >> 64 = 2^64 - 2. */
	assert_int_equal(hv_ref_time(UINT64_MAX, UINT64_MAX, 0), UINT64_MAX - 1);
	assert_int_equal(hv_tsc_hz_from_scale(scale), 2100000000ULL);
	assert_int_equal(hv_tsc_hz_from_scale(0), 0);
	assert_int_equal(hv_tsc_hz_from_scale(1), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scale_delta),
		cmocka_unit_test(test_ns_at),
		cmocka_unit_test(test_tsc_hz),
		cmocka_unit_test(test_tsc_uhz),
		cmocka_unit_test(test_update_jump),
		cmocka_unit_test(test_update_steps),
		cmocka_unit_test(test_wall),
		cmocka_unit_test(test_hyperv),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
