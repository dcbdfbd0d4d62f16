/* Drift mode. Each second (by the calibrated TSC) it prints
 *   # sample <seq> <src>=<ticks> <src>=<ticks> ...
 * with the extended, up-counting value of every present source read back to back. Between
 * samples it keeps reading every source so that narrow counters (PIT: 27 ms half wrap)
 * stay extended. The runner converts ticks to seconds with the nominal (or measured) rates
 * printed before and fits each source against host time (its line stamps). */
#include "drift.h"
#include "sources.h"
#include "counter.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"
#include "../lib/fmt.h"

#define DRIFT_MAX_S 86400
#define DRIFT_POLL_US 1000 /* re-read every source at least every millisecond */

static void poll_all(void)
{
	unsigned i;

	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present)
			(void)cs_read(&sources[i]);
}

void drift_run(const struct config *cfg, uint64_t tsc_uhz)
{
	uint64_t duration = config_u64(cfg, "duration", 0), seq, tsc_hz = tsc_uhz / 1000000;
	uint64_t next, poll_cycles;
	unsigned i;

	if (!duration)
		return;
	if (!tsc_hz) {
		check_fail("drift", "drift mode needs a measured TSC rate");
		return;
	}
	if (duration > DRIFT_MAX_S)
		duration = DRIFT_MAX_S;
	metric_u64("drift.duration_s", duration, "s");
	metric_u64("drift.tsc_hz", tsc_hz, "Hz");
	poll_cycles = mul_div_u64(tsc_hz, DRIFT_POLL_US, 1000000);
	/* Start every count afresh: the engine's last reads may be too long ago for narrow
	 * counters to extend across the gap. */
	for (i = 0; i < SRC_COUNT; i++)
		if (sources[i].present)
			cs_reset(&sources[i]);
	poll_all();
	next = rdtsc_ordered();
	for (seq = 0; seq <= duration; seq++) {
		char line[400];
		int len = 0;

		while ((int64_t)(rdtsc_ordered() - next) < 0) {
			uint64_t until = rdtsc_ordered() + poll_cycles;

			poll_all();
			while ((int64_t)(rdtsc_ordered() - until) < 0 && (int64_t)(rdtsc_ordered() - next) < 0)
				cpu_relax();
		}
		len = cp_snprintf(line, sizeof(line), "sample %llu", (unsigned long long)seq);
		for (i = 0; i < SRC_COUNT && len < (int)sizeof(line); i++)
			if (sources[i].present)
				len += cp_snprintf(line + len, sizeof(line) - (size_t)len, " %s=%llu", sources[i].name,
						   (unsigned long long)cs_read(&sources[i]));
		diag("%s", line);
		next += tsc_hz;
	}
	check_pass("drift.samples");
}
