/* Host tests of the clock-event detector (time/events.c), fed with the pause figures the
 * issue gives: under TCG a 3 s pause stops the TSC, HPET and PM timer and the RTC runs on;
 * under KVM (the nested lab) the TSC ran on +3.068 s, the RTC +3 s, HPET and PM timer
 * +0.062 s and kvm-clock +0.065 s. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "../../time/events.c"

enum { TSC, HPET, PM, PIT, RTC, KVM };
#define P 1000000 /* sample period, us */

static void observe_all(struct ev_state *e, const int64_t *off, int64_t now, uint64_t seq, int64_t excess)
{
	unsigned i;

	for (i = 0; i <= KVM; i++)
		if (e->s[i].present && i != RTC)
			ev_observe(e, i, off[i], now, seq);
	ev_interval(e, excess);
}

static void setup(struct ev_state *e)
{
	unsigned i;

	ev_init(e, P);
	for (i = 0; i <= KVM; i++)
		e->s[i].present = true;
	e->s[RTC].coarse = true;
}

static void test_tcg_pause(void **state)
{
	struct ev_state e;
	struct ev_report r;
	int64_t off[6] = { 0 };
	uint64_t seq;

	(void)state;
	setup(&e);
	/* steady samples and RTC edges at phase 0.3 s */
	for (seq = 0; seq < 5; seq++) {
		observe_all(&e, off, (int64_t)seq * P, seq, 0);
		ev_observe(&e, RTC, -300000, (int64_t)seq * P + 300000, seq);
	}
	assert_false(e.open);
	/* the pause: the TSC stood still, so did HPET/PM/PIT; the RTC gained 3 s on it */
	observe_all(&e, off, 5 * P, 5, 0);
	ev_observe(&e, RTC, -300000 + 3000400, 5 * P + 700000, 5);
	assert_true(e.open);
	assert_false(ev_close(&e, 5 * P + 800000, false, &r)); /* still settling */
	assert_true(ev_close(&e, 8 * P, false, &r));
	assert_int_equal(r.seq, 5);
	assert_int_equal(r.excess_us[RTC], 3000400);
	assert_int_equal(r.cls[RTC], EV_RAN_ON);
	assert_int_equal(r.excess_us[TSC], 0);
	assert_int_equal(r.cls[TSC], EV_FROZE);
	assert_int_equal(r.cls[HPET], EV_FROZE);
	assert_int_equal(e.events, 1);
	assert_false(ev_close(&e, 9 * P, true, &r)); /* nothing open */
}

static void test_kvm_pause(void **state)
{
	struct ev_state e;
	struct ev_report r;
	int64_t off[6] = { 0 };
	uint64_t seq;

	(void)state;
	setup(&e);
	for (seq = 0; seq < 3; seq++) {
		observe_all(&e, off, (int64_t)seq * P, seq, 0);
		ev_observe(&e, RTC, 0, (int64_t)seq * P + 500000, seq);
	}
	/* the interval holding the pause took 3.068 s more on the TSC; relative to it HPET and
	 * PM timer lost 3.006 s, kvm-clock 3.003 s, the RTC 0.068 s; the PIT was re-anchored */
	off[HPET] = off[PM] = -3006000;
	off[KVM] = -3003000;
	ev_unknown(&e, PIT, 3 * P + 3068000, 3);
	observe_all(&e, off, 3 * P + 3068000, 3, 3068000);
	ev_observe(&e, RTC, -68000, 3 * P + 3068000 + 400000, 3);
	assert_true(ev_close(&e, 6 * P + 3068000, false, &r));
	/* relative to the clocks that stood still (HPET, PM timer): the prototype's table, less
	 * the 62 ms those still counted around the pause */
	assert_int_equal(r.tsc_excess_us, 3006000);
	assert_int_equal(r.excess_us[TSC], 3006000);
	assert_int_equal(r.cls[TSC], EV_RAN_ON);
	assert_int_equal(r.excess_us[HPET], 0);
	assert_int_equal(r.cls[HPET], EV_FROZE);
	assert_int_equal(r.excess_us[KVM], 3000);
	assert_int_equal(r.cls[KVM], EV_FROZE);
	assert_int_equal(r.excess_us[RTC], 2938000);
	assert_int_equal(r.cls[RTC], EV_RAN_ON);
	assert_int_equal(r.cls[PIT], EV_UNKNOWN);
}

/* A lab migration: HPET, PM timer and kvm-clock stood still while the TSC and RTC ran on
 * 3.3 s; one more source (the lab's APIC timer; the PIT stands in) came out 0.49 s behind
 * them on its own. The reference is the clocks that agree, not that one. */
static void test_lone_source_behind(void **state)
{
	struct ev_state e;
	struct ev_report r;
	int64_t off[6] = { 0 };
	uint64_t seq;

	(void)state;
	setup(&e);
	for (seq = 0; seq < 3; seq++) {
		observe_all(&e, off, (int64_t)seq * P, seq, 0);
		ev_observe(&e, RTC, 0, (int64_t)seq * P + 500000, seq);
	}
	off[HPET] = off[PM] = -3300000;
	off[KVM] = -3302000;
	off[PIT] = -3790000;
	observe_all(&e, off, 3 * P + 3300000, 3, 3300000);
	ev_observe(&e, RTC, -1000, 3 * P + 3300000 + 400000, 3);
	assert_true(ev_close(&e, 6 * P + 3300000, false, &r));
	assert_int_equal(r.tsc_excess_us, 3302000);
	assert_int_equal(r.cls[TSC], EV_RAN_ON);
	assert_int_equal(r.cls[RTC], EV_RAN_ON);
	assert_int_equal(r.excess_us[KVM], 0);
	assert_int_equal(r.cls[KVM], EV_FROZE);
	assert_int_equal(r.cls[HPET], EV_FROZE);
	assert_int_equal(r.excess_us[PIT], -488000);
	assert_int_equal(r.cls[PIT], EV_BEHIND);
}

/* A narrow counter re-anchored on a slow host is no event by itself (the lab's PIT: every
 * few seconds). */
static void test_reanchor_alone(void **state)
{
	struct ev_state e;
	struct ev_report r;
	int64_t off[6] = { 0 };
	uint64_t seq;

	(void)state;
	setup(&e);
	for (seq = 0; seq < 10; seq++) {
		ev_unknown(&e, PIT, (int64_t)seq * P + 300000, seq);
		observe_all(&e, off, (int64_t)seq * P, seq, 0);
	}
	assert_false(e.open);
	assert_false(ev_close(&e, 20 * P, true, &r));
}

/* Jitter below EV_MIN_JUMP_US and slow drift open nothing; a clock stepped back is "back". */
static void test_no_event_and_step_back(void **state)
{
	struct ev_state e;
	struct ev_report r;
	int64_t off[6] = { 0 };
	uint64_t seq;

	(void)state;
	setup(&e);
	for (seq = 0; seq < 50; seq++) {
		off[HPET] = (int64_t)(seq % 3) * 5000 + (int64_t)seq * 500; /* 5 ms jitter, 500 ppm drift */
		observe_all(&e, off, (int64_t)seq * P, seq, 0);
	}
	assert_false(e.open);
	off[KVM] -= 1500000; /* kvm-clock stepped back 1.5 s within a 1 s interval */
	observe_all(&e, off, 50 * P, 50, 0);
	assert_true(ev_close(&e, 50 * P, true, &r));
	assert_int_equal(r.excess_us[KVM], -1500000);
	assert_int_equal(r.cls[KVM], EV_BACK);
	assert_int_equal(r.cls[HPET], EV_STEADY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcg_pause),
		cmocka_unit_test(test_kvm_pause),
		cmocka_unit_test(test_no_event_and_step_back),
		cmocka_unit_test(test_reanchor_alone),
		cmocka_unit_test(test_lone_source_behind),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
