/* ACPI PM timer register dictionary and the pure read-order test shared by the driver
 * (time/pmtimer.c) and the host unit tests. ACPI 6.5 section 4.8.3.3 (PM Timer): a free-running
 * up counter at 3.579545 MHz in the I/O port PM_TMR_BLK (FADT), 24 bits wide unless the FADT
 * sets TMR_VAL_EXT (then 32). No hardware access here. */
#ifndef CP_TIME_PMTIMER_H
#define CP_TIME_PMTIMER_H
#include <stdbool.h>
#include <stdint.h>
#include "counter.h"

#define PM_TMR_FREQ_HZ          3579545u  /* ACPI 4.8.3.3: 14.31818 MHz / 4 */
#define PM_TMR_BITS_DEFAULT     24        /* TMR_VAL bits 23:0 */
#define PM_TMR_BITS_EXT         32        /* FADT TMR_VAL_EXT set */
/* Register: PM_TMR_BLK + 0, 32-bit read (TMR_VAL; bits above the width read as 0). */
#define PM_TMR_VAL              0

/* Linux (drivers/clocksource/acpi_pm.c): some chipsets return a wrong value on a few percent
 * of reads; three consecutive reads v1, v2, v3 are trusted only if they are in order going
 * forward modulo the wrap (v2 lies on the way from v1 to v3; equal values are fine). */
static inline bool pmtimer_in_order(uint32_t v1, uint32_t v2, uint32_t v3, unsigned bits)
{
	uint64_t d12 = counter_delta(v1, v2, bits, false), d23 = counter_delta(v2, v3, bits, false);

	return d12 + d23 <= counter_mask(bits);
}

#endif
