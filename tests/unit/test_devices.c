/* Host tests of the pure parts of the HPET, PM timer, PIT and local APIC timer drivers:
 * register decoding, validation, nominal rates and the tear-free split read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../time/counter.c"
#include "../../time/hpet.h"
#include "../../time/pmtimer.h"
#include "../../time/pit.h"
#include "../../time/apic.h"

static void test_hpet_period_valid(void **state)
{
	(void)state;
	assert_false(hpet_period_valid(0));
	assert_true(hpet_period_valid(1));
	assert_true(hpet_period_valid(10000000));   /* QEMU, 100 MHz */
	assert_true(hpet_period_valid(69841279));   /* ICH 14.318 MHz (VirtualBox) */
	assert_true(hpet_period_valid(100000000));  /* spec maximum, 10 MHz */
	assert_false(hpet_period_valid(100000001));
	assert_false(hpet_period_valid(0xffffffffu)); /* floating bus */
}

static void test_hpet_nominal(void **state)
{
	(void)state;
	assert_true(hpet_nominal_uhz(10000000) == 100000000000000ull);  /* 100 MHz exactly */
	assert_true(hpet_nominal_uhz(69841279) == 14318179940547ull);   /* 14318179.940547 Hz */
	assert_true(hpet_nominal_uhz(100000000) == 10000000000000ull);
	/* 1e21 does not fit 64 bits: small periods saturate rather than wrap */
	assert_true(hpet_nominal_uhz(1) == UINT64_MAX);
	assert_true(hpet_nominal_uhz(54) == UINT64_MAX);
	assert_true(hpet_nominal_uhz(55) == 18181818181818181818ull);
	assert_true(hpet_nominal_uhz(0) == 0);
}

static void test_hpet_gcap(void **state)
{
	struct hpet_caps c;

	(void)state;
	hpet_decode_gcap(0x8086a201u, 10000000u, &c); /* QEMU */
	assert_int_equal(c.revision, 1);
	assert_int_equal(c.timers, 3);
	assert_true(c.count64);
	assert_true(c.legacy_capable);
	assert_int_equal(c.vendor, 0x8086);
	assert_int_equal(c.period_fs, 10000000);

	hpet_decode_gcap(0x10de1f01u, 69841279u, &c); /* 32 timers, 32-bit counter, no legacy */
	assert_int_equal(c.timers, 32);
	assert_false(c.count64);
	assert_false(c.legacy_capable);
	assert_int_equal(c.vendor, 0x10de);
}

/* A fake HPET: the counter advances `step` ticks on every register access; with
 * hi_jumps it also bumps the high half on every high read (a broken device). */
struct fake_hpet {
	uint64_t count, step;
	unsigned accesses;
	int hi_jumps;
};

static uint32_t fake_read(void *ctx, unsigned off)
{
	struct fake_hpet *f = ctx;
	uint64_t v = f->count;

	f->count += f->step;
	f->accesses++;
	if (off == HPET_MAIN_CNT)
		return (uint32_t)v;
	assert_int_equal(off, HPET_MAIN_CNT_HI);
	if (f->hi_jumps)
		f->count += 1ull << 32;
	return (uint32_t)(v >> 32);
}

static void test_hpet_split_no_wrap(void **state)
{
	struct fake_hpet f = { 0x123456789ull, 7, 0, 0 };
	uint64_t retries = 0, v, start = f.count;
	bool exhausted = false;

	(void)state;
	v = hpet_read_split(fake_read, &f, &retries, &exhausted);
	assert_true(v >= start && v < f.count);
	assert_int_equal(retries, 0);
	assert_false(exhausted);
	assert_int_equal(f.accesses, 3);
}

/* The low half wraps between the low and the second high read: retry once. */
static void test_hpet_split_wrap(void **state)
{
	struct fake_hpet f = { 0xfffffffeull, 1, 0, 0 };
	uint64_t retries = 0, v, start = f.count;
	bool exhausted = false;

	(void)state;
	v = hpet_read_split(fake_read, &f, &retries, &exhausted);
	assert_int_equal(retries, 1);
	assert_false(exhausted);
	assert_true(v >= start && v < f.count);
	assert_true(v == 0x100000001ull);
}

/* What the split read protects against: the same device read low half then high half
 * (as QEMU splits an 8-byte load) across that wrap gives a value 2^32 too large. */
static void test_hpet_plain_load_tears(void **state)
{
	struct fake_hpet f = { 0xffffffffull, 1, 0, 0 };
	uint64_t lo, hi, plain;

	(void)state;
	lo = fake_read(&f, HPET_MAIN_CNT);
	hi = fake_read(&f, HPET_MAIN_CNT_HI);
	plain = hi << 32 | lo;
	assert_true(plain == 0x1ffffffffull);
	assert_true(plain > f.count); /* outside any bracket of safe reads */
}

static void test_hpet_split_exhausted(void **state)
{
	struct fake_hpet f = { 0, 1, 0, 1 };
	uint64_t retries = 0;
	bool exhausted = false;

	(void)state;
	(void)hpet_read_split(fake_read, &f, &retries, &exhausted);
	assert_true(exhausted);
	assert_int_equal(retries, HPET_READ_SPLIT_RETRIES + 1);
	assert_int_equal(f.accesses, 1 + 2 * (HPET_READ_SPLIT_RETRIES + 1));
}

static void test_pmtimer_order(void **state)
{
	(void)state;
	assert_true(pmtimer_in_order(10, 20, 30, 24));
	assert_true(pmtimer_in_order(10, 10, 10, 24));
	assert_true(pmtimer_in_order(10, 10, 11, 24));
	assert_true(pmtimer_in_order(0xfffff0, 0xfffffe, 0x5, 24)); /* across the wrap */
	assert_true(pmtimer_in_order(0xfffff0, 0x1, 0x5, 24));
	assert_false(pmtimer_in_order(10, 5, 20, 24));   /* middle glitched low */
	assert_false(pmtimer_in_order(10, 30, 20, 24));  /* middle glitched high */
	assert_false(pmtimer_in_order(10, 20, 10, 24));  /* back to the start */
	assert_false(pmtimer_in_order(0x5, 0xfffff0, 0x10, 24));
	/* Cyclic order only (as Linux): a last read that went backwards is indistinguishable from
	 * one taken almost a full wrap later, so this triple passes. */
	assert_true(pmtimer_in_order(20, 30, 10, 24));
	/* 32-bit timers (TMR_VAL_EXT) */
	assert_true(pmtimer_in_order(0xfffffff0u, 0xfffffffeu, 0x5, 32));
	assert_false(pmtimer_in_order(0xfffffff0u, 0x00fffffeu, 0x5, 32));
	assert_false(pmtimer_in_order(0xfffff0, 0x5, 0xfffffe, 32));
}

static void test_pit(void **state)
{
	(void)state;
	assert_int_equal(PIT_LATCH_COUNTER2, 0x80);
	assert_int_equal(PIT_CW2_MODE2, 0xb4);
	assert_int_equal(PIT_CW2_MODE0, 0xb0);
	assert_int_equal(pit_latch_value(0x34, 0x12), 0x1234);
	assert_int_equal(pit_latch_value(0xff, 0xff), 0xffff); /* floating bus */
	assert_int_equal(pit_latch_value(0x00, 0x00), 0);      /* reload 65536 reads as 0 */
	assert_int_equal(pit_nmi_sc_gate_on(0x00), 0x01);
	/* speaker off, status bits 7:4 not written back, NMI enables kept */
	assert_int_equal(pit_nmi_sc_gate_on(0xff), 0x0d);
	assert_int_equal(pit_nmi_sc_gate_on(0x32), 0x01);
	assert_int_equal(pit_nmi_sc_gate_on(0x0c), 0x0d);
}

static void test_apic(void **state)
{
	(void)state;
	assert_int_equal(apic_tdcr_divisor(0x0), 2);
	assert_int_equal(apic_tdcr_divisor(0x1), 4);
	assert_int_equal(apic_tdcr_divisor(0x2), 8);
	assert_int_equal(apic_tdcr_divisor(0x3), 16);
	assert_int_equal(apic_tdcr_divisor(0x8), 32);
	assert_int_equal(apic_tdcr_divisor(0x9), 64);
	assert_int_equal(apic_tdcr_divisor(0xa), 128);
	assert_int_equal(apic_tdcr_divisor(APIC_TDCR_DIV_1), 1);
	assert_int_equal(apic_tdcr_divisor(0x4 | 0xb), 1); /* bit 2 is reserved */
	/* SDM table 11-6 */
	assert_int_equal(X2APIC_MSR(APIC_SVR), 0x80f);
	assert_int_equal(X2APIC_MSR(APIC_LVT_TIMER), 0x832);
	assert_int_equal(X2APIC_MSR(APIC_TMICT), 0x838);
	assert_int_equal(X2APIC_MSR(APIC_TMCCT), 0x839);
	assert_int_equal(X2APIC_MSR(APIC_TDCR), 0x83e);
	/* the periodic reload of 0xffffffff is a 2^32 period: 0 -> 0xffffffff is one tick */
	assert_int_equal(counter_delta(0, APIC_TMICT_FULL, APIC_TIMER_BITS, true), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hpet_period_valid),
		cmocka_unit_test(test_hpet_nominal),
		cmocka_unit_test(test_hpet_gcap),
		cmocka_unit_test(test_hpet_split_no_wrap),
		cmocka_unit_test(test_hpet_split_wrap),
		cmocka_unit_test(test_hpet_plain_load_tears),
		cmocka_unit_test(test_hpet_split_exhausted),
		cmocka_unit_test(test_pmtimer_order),
		cmocka_unit_test(test_pit),
		cmocka_unit_test(test_apic),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
