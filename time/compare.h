/* The comparison engine: read cost, granularity, monotonicity and rate of every present
 * source, the TSC rate from each reference, the pairwise matrix, hint verdicts, the watchdog
 * prediction and the long-run drift samples. Works on struct clocksource only. */
#ifndef CP_TIME_COMPARE_H
#define CP_TIME_COMPARE_H

/* Settings (window, tolerances, profile) come from lib/settings.h. */
void compare_run(void);

#endif
