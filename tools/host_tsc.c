/* host_tsc: print one (TSC, CLOCK_MONOTONIC ns) pair, the TSC read taken between two clock
 * reads as close together as 1000 attempts allow. Two calls some seconds apart give the
 * host's TSC rate against the clock QEMU's virtual time follows (CLOCK_MONOTONIC): the
 * ground truth for a TCG guest's measured TSC rate (../shared/docs/qemu-clocks.md). */
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(void)
{
	uint64_t best_w = UINT64_MAX, best_tsc = 0, best_ns = 0;
	int i;

	for (i = 0; i < 1000; i++) {
		uint64_t a = mono_ns();
		uint64_t t = __rdtsc();
		uint64_t b = mono_ns();

		if (b - a < best_w) {
			best_w = b - a;
			best_tsc = t;
			best_ns = a + (b - a) / 2;
		}
	}
	printf("%llu %llu %llu\n", (unsigned long long)best_tsc, (unsigned long long)best_ns,
	       (unsigned long long)best_w);
	return 0;
}
