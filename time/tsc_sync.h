/* Cross-CPU TSC synchronisation: for each AP in turn (arch/x86/smp.c starts it), a Linux-style
 * warp test against the boot CPU and a ping-pong offset estimate. Metrics tsc.sync.*, checks
 * tsc.sync (any warp fails) and tsc.sync.offset (an offset proven nonzero fails). */
#ifndef CP_TIME_TSC_SYNC_H
#define CP_TIME_TSC_SYNC_H

/* After smp_setup and the TSC calibration (the loops are timed on the TSC). */
void tsc_sync_run(void);
void tsc_sync_report(void);

#endif
