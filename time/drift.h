/* Long-run drift mode (config duration=S): one line per second with every source's
 * extended count, for the runner to fit against its host stamps. */
#ifndef CP_TIME_DRIFT_H
#define CP_TIME_DRIFT_H
#include <stdint.h>
#include "../lib/config.h"

void drift_run(const struct config *cfg, uint64_t tsc_uhz);

#endif
