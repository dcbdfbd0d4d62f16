/* Host tests of the clock source extension (time/clocksource.c): a narrow counter read
 * across a gap that may hide a wrap is re-anchored, never stepped back. The figures are the
 * nested-lab ones: a 3 s pause of the VM under KVM made the PIT's extended count step back
 * 4 ms and the APIC timer's by 1.2e9 ticks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../time/counter.c"
#include "../../time/clocksource.c"

#define TSC_HZ 2445447010ull /* the lab's L2 TSC */
#define PIT_HZ 1193182ull
#define APIC_HZ 1000006522ull

static uint64_t script[16];
static unsigned script_pos;

static uint64_t scripted(struct clocksource *cs)
{
	(void)cs;
	return script[script_pos++];
}

static uint64_t cycles(uint64_t ticks, uint64_t hz)
{
	return ticks * TSC_HZ / hz;
}

/* Poll every ms for 10 ms, then a 3.068 s gap; the down counter's raw value comes back
 * 4773 ticks above where it was (4 ms "backwards" to a signed delta). */
static void test_pit_pause(void **state)
{
	struct clocksource cs = {.name = "pit", .width = 16, .down = true, .read_raw = scripted};
	uint64_t raw = 40000, tsc = 1000000, v, before;
	unsigned k;

	(void)state;
	script_pos = 0;
	for (k = 0; k <= 10; k++) {
		script[k] = raw - 1193 * k;
		v = cs_read_tsc(&cs, tsc + k * cycles(1193, PIT_HZ));
	}
	before = v;
	assert_int_equal(cs.reanchors, 0);
	script[11] = script[10] + 4773;
	v = cs_read_tsc(&cs, tsc + 10 * cycles(1193, PIT_HZ) + 3068000000ull / 1000 * TSC_HZ / 1000000);
	assert_int_equal(cs.reanchors, 1);
	assert_true(v > before);
	assert_int_equal(v - before, 65536 - 4773); /* moved on modulo the wrap */
	assert_true(cs.reanchor_gap_cycles > TSC_HZ * 3);
	/* polling resumes: no further re-anchor */
	script[12] = script[11] - 1193;
	v = cs_read_tsc(&cs, tsc + 3 * TSC_HZ + 11 * cycles(1193, PIT_HZ) + 8000000);
	assert_int_equal(cs.reanchors, 1);
}

/* A loaded TCG host deschedules the vCPU for 10-25 ms between polls: the PIT's count stays
 * exact (no re-anchor, no lost wrap), a 10 ms gap still shows a step back as one. */
static void test_pit_preempted(void **state)
{
	struct clocksource cs = {.name = "pit", .width = 16, .down = true, .read_raw = scripted};
	uint64_t tsc = 1000, v = 0, before;
	unsigned k;

	(void)state;
	script_pos = 0;
	for (k = 0; k <= 10; k++) {
		script[k] = 60000 - 1193 * k;
		v = cs_read_tsc(&cs, tsc + k * cycles(1193, PIT_HZ));
	}
	before = v;
	tsc += 10 * cycles(1193, PIT_HZ);
	/* 25 ms: 29830 ticks; past a quarter of the range, so the forward delta counts */
	script[11] = (script[10] - 29830) & 0xffff;
	v = cs_read_tsc(&cs, tsc + cycles(29830, PIT_HZ));
	assert_int_equal(v - before, 29830);
	assert_int_equal(cs.reanchors, 0);
}

/* The same pause for the 32-bit APIC timer at ~1 GHz: 3.068e9 ticks passed, which a signed
 * delta reads as -1.227e9; modulo the wrap it is exact (less than one wrap passed). */
static void test_apic_pause(void **state)
{
	struct clocksource cs = {.name = "apic", .width = 32, .down = true, .read_raw = scripted};
	uint64_t tsc = 5000, v0, v;
	uint64_t passed = 3068000000ull * APIC_HZ / 1000000000ull;

	(void)state;
	script_pos = 0;
	script[0] = 0xf0000000u;
	script[1] = script[0] - 1000007;
	script[2] = (script[1] - passed) & 0xffffffffu;
	v0 = cs_read_tsc(&cs, tsc);
	v = cs_read_tsc(&cs, tsc + cycles(1000007, APIC_HZ));
	assert_int_equal(v - v0, 1000007);
	v0 = v;
	assert_true((int64_t)counter_signed_delta(script[1], script[2], 32, true) < -1200000000ll);
	v = cs_read_tsc(&cs, tsc + cycles(1000007, APIC_HZ) + 3068 * (TSC_HZ / 1000));
	assert_int_equal(cs.reanchors, 1);
	assert_true(v - v0 == passed);
}

/* A 64-bit counter never re-anchors; nor does a counter read through plain cs_read, whose
 * gaps cs_read_tsc cannot know (the next cs_read_tsc starts a new segment instead). */
static void test_wide_and_unknown_gaps(void **state)
{
	struct clocksource wide = {.name = "hpet", .width = 64, .read_raw = scripted};
	struct clocksource pit = {.name = "pit", .width = 16, .down = true, .read_raw = scripted};

	(void)state;
	script_pos = 0;
	script[0] = 100;
	script[1] = 100 + 300000000000ull;
	(void)cs_read_tsc(&wide, 1000);
	assert_int_equal(cs_read_tsc(&wide, 1000 + 3 * TSC_HZ), 100 + 300000000000ull);
	assert_int_equal(wide.reanchors, 0);

	script_pos = 0;
	script[0] = 1000;
	script[1] = 900;  /* 100 ticks on */
	script[2] = 1100; /* a small step back: a real backward step, reported as one */
	(void)cs_read(&pit);
	(void)cs_read_tsc(&pit, 10 * TSC_HZ);
	assert_int_equal(cs_read_tsc(&pit, 10 * TSC_HZ + 1000), (uint64_t)(0xffff - 1000 + 100 - 200));
	assert_int_equal(pit.reanchors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pit_pause),
		cmocka_unit_test(test_apic_pause),
		cmocka_unit_test(test_pit_preempted),
		cmocka_unit_test(test_wide_and_unknown_gaps),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
