/* Long-run drift mode (config duration=S): one line per second with every source's
 * extended count, for the runner to fit against its host stamps. */
#ifndef CP_TIME_DRIFT_H
#define CP_TIME_DRIFT_H
#include <stdint.h>

/* duration= and sample_ms= from lib/settings.h. */
void drift_run(uint64_t tsc_uhz);

#endif
