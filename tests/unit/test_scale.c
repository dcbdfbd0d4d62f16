/* Host test of the kvm-clock "keeps to its own scale" pipeline end to end, without a KVM
 * host: kvm-clock reads are synthesised with time/pvclock.c from a simulated TSC, fitted
 * with time/fit.c exactly as the guest's rate window does, and judged with
 * source_ppm_milli() as time/compare.c does. A host that never re-bases system_time gives
 * 0 ppm; one that steps it forward at every update shows the step rate; the update jump
 * arithmetic sees each step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>
#include "../../time/fit.c"
#include "../../time/pvclock.c"

#define KVM_NOMINAL_UHZ 1000000000000000ULL /* 1 GHz */
#define TSC_PER_SAMPLE 1050000ULL            /* 500 us at 2.1 GHz */
#define N 2000                              /* 1 s of samples */
#define UPDATE_EVERY 200                    /* a host update every 100 ms */

static struct fit_sample smp[N];

/* Simulate the window: the host writes `step_ns` more than the old line at every update. */
static int64_t run(int64_t step_ns, int64_t *jump_seen)
{
	struct pvclock_snapshot s = { .tsc_timestamp = 5000000, .system_time = 1000000000ULL,
				      .mul = 0xf3cf3cf3u, .shift = -1 }; /* KVM's scale for 2.1 GHz */
	struct fit_result r;
	uint64_t tsc = 7000000;
	unsigned i;

	srand(7);
	*jump_seen = 0;
	for (i = 0; i < N; i++) {
		uint64_t t0 = tsc + (uint64_t)(rand() % 30), read_at = t0 + 40 + (uint64_t)(rand() % 20);
		uint64_t t1 = read_at + 40 + (uint64_t)(rand() % 20);

		if (i && i % UPDATE_EVERY == 0) {
			struct pvclock_snapshot n = s;

			n.tsc_timestamp = read_at - 100;
			n.system_time = pvclock_ns_at(&s, n.tsc_timestamp, 0) + (uint64_t)step_ns;
			*jump_seen += pvclock_update_jump(&s, &n, read_at);
			s = n;
		}
		smp[i] = (struct fit_sample){ .tsc = t0 + (t1 - t0) / 2, .ticks = pvclock_ns_at(&s, read_at, 0),
					      .width = (uint32_t)(t1 - t0) };
		tsc += TSC_PER_SAMPLE;
	}
	fit_cycles_per_tick(smp, N, &r);
	assert_true(r.ok);
	return source_ppm_milli(pvclock_tsc_uhz(s.mul, s.shift), KVM_NOMINAL_UHZ, r.cpt_q32);
}

static void test_keeps_its_scale(void **state)
{
	int64_t jumps;

	(void)state;
	/* Within 0.05 ppm (the bracket noise over 1 s), not just within the 1 ppm tolerance. */
	assert_in_range(run(0, &jumps) + 50, 0, 100);
	/* Continuing the line exactly in integers is impossible: each update may truncate 1 ns
	 * differently (floor(a) + floor(b) vs floor(a + b)). */
	assert_in_range(jumps + 9, 0, 18);
}

/* +2 us every 100 ms is +20 ppm on average: the check must see it; 9 updates, 18 us. */
static void test_stepped_by_host(void **state)
{
	int64_t jumps, ppm = run(2000, &jumps);

	(void)state;
	assert_in_range(jumps, 9 * 2000 - 9, 9 * 2000 + 9);
	assert_in_range(ppm, 17000, 23000);
	/* Backwards steps read as running slow. */
	ppm = run(-500, &jumps);
	assert_in_range(jumps + 9 * 500 + 9, 0, 18);
	assert_in_range(ppm, -6000, -4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_its_scale),
		cmocka_unit_test(test_stepped_by_host),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
