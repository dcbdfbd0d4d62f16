/* Bounded polling on the TSC. */
#include "wait.h"
#include "counter.h"
#include "../arch/x86/io.h"
#include "../lib/fmt.h"
#include "../lib/mem.h"

#define WAIT_TSC_STUCK_POLLS 100000 /* that many polls with no TSC change: the TSC is not running */

static uint64_t tsc_hz = WAIT_TSC_ASSUMED_HZ;
static const char *stuck;
static char failure[160];

void wait_set_tsc_hz(uint64_t hz)
{
	if (hz)
		tsc_hz = hz;
}

uint64_t wait_tsc_hz(void)
{
	return tsc_hz;
}

void wait_set_stuck(const char *who)
{
	stuck = who;
}

const char *wait_last_failure(void)
{
	return failure;
}

/* Poll done(arg) for at most budget TSC cycles (timeout_us only names it in the failure). */
static bool poll_until(const char *who, bool (*done)(void *arg), void *arg, uint64_t budget, uint64_t timeout_us)
{
	uint64_t start = rdtsc_ordered(), last = start, now;
	unsigned same = 0;
	bool never = stuck && !strcmp(stuck, who);

	for (;;) {
		if (!never && done(arg))
			return true;
		now = rdtsc_ordered();
		if (now - start > budget) {
			cp_snprintf(failure, sizeof(failure), "%s: condition not met within %llu us%s", who,
				    (unsigned long long)timeout_us, never ? " (stuck= test hook)" : "");
			return false;
		}
		same = now == last ? same + 1 : 0;
		last = now;
		if (same > WAIT_TSC_STUCK_POLLS) {
			cp_snprintf(failure, sizeof(failure), "%s: TSC stopped advancing while waiting", who);
			return false;
		}
		cpu_relax();
	}
}

bool wait_until(const char *who, bool (*done)(void *arg), void *arg, uint64_t timeout_us)
{
	return poll_until(who, done, arg, mul_div_u64(timeout_us, tsc_hz, 1000000), timeout_us);
}

static bool never_done(void *arg)
{
	(void)arg;
	return false;
}

void delay_us(uint64_t us)
{
	(void)wait_until("delay", never_done, 0, us);
}

void delay_cycles(uint64_t cycles)
{
	(void)poll_until("delay", never_done, 0, cycles, mul_div_u64(cycles, 1000000, tsc_hz));
}
