/* Linux's clocksource watchdog read, modelled on the kernel it names (pure, host
 * unit-tested in tests/unit/test_watchdog.c; measured by time/compare.c).
 *
 * Modelled kernel: Linux 6.1 as Debian 12 ships it (6.1.192, CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US
 * =100), kernel/time/clocksource.c cs_watchdog_read(). That kernel has the stable backport
 * that scales the retries with the CPUs (clocksource_get_max_watchdog_retry(): ilog2(online
 * CPUs) / 2 + 1; its clocksource.max_cswd_read_retries parameter is gone, which the lab's L1
 * shows). Every WATCHDOG_INTERVAL (0.5 s) it makes up to 1 + retries attempts, each reading,
 * with interrupts off,
 *     wdnow = watchdog; csnow = clocksource (the TSC); wd_end = watchdog; wd_end2 = watchdog
 *   - wd_delay = wd_end - wdnow <= WATCHDOG_MAX_SKEW: success, the skew test runs;
 *   - else wd_seq_delay = wd_end2 - wd_end > WATCHDOG_MAX_SKEW / 2: "clock-skew test skipped"
 *     (the host is too busy to judge; the interval is not counted against the TSC);
 *   - else retry; after the last attempt: "read-back delay ..., marking unstable".
 * So a slow but steady watchdog (every read slower than WATCHDOG_MAX_SKEW / 2) never marks
 * the TSC unstable: it skips every test. What marks it unstable is a watchdog whose read
 * pairs are slow while single reads are fast, attempt after attempt. */
#ifndef CP_TIME_WATCHDOG_MODEL_H
#define CP_TIME_WATCHDOG_MODEL_H
#include <stdint.h>

#define WD_MODEL_KERNEL "Linux 6.1 (Debian 6.1.192) cs_watchdog_read"

enum wd_read { WD_READ_SUCCESS, WD_READ_SKIP, WD_READ_RETRY, WD_READ_UNSTABLE };

/* The modelled kernel's retries on a machine with `cpus` online CPUs (1 for 0). */
unsigned wd_max_retries(unsigned cpus);

/* Attempt number `attempt` (0-based) of one interval read back delay_ns and seq_ns: what
 * the kernel does next. */
enum wd_read wd_read_step(unsigned attempt, uint64_t delay_ns, uint64_t seq_ns, unsigned retries,
			  uint64_t max_skew_ns);

struct wd_prediction {
	unsigned intervals, success, skip, unstable; /* simulated intervals and their outcomes */
	unsigned attempts, attempts_over;            /* attempts; of those over the skew but not skipping */
	/* Expected "marking unstable" events per hour (x1000): the larger of the direct estimate
	 * (unstable / intervals) and the independent-attempt extrapolation (over/attempts)^(1+retries)
	 * that sees rarer events than the simulated intervals can. */
	uint64_t per_hour_milli;
};

void wd_prediction_reset(struct wd_prediction *p);
void wd_prediction_add(struct wd_prediction *p, enum wd_read outcome);
void wd_prediction_attempt(struct wd_prediction *p, uint64_t delay_ns, uint64_t seq_ns, uint64_t max_skew_ns);
void wd_prediction_finish(struct wd_prediction *p, unsigned retries, unsigned intervals_per_hour);

#endif
