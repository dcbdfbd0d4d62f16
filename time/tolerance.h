/* Every tolerance a verdict uses, with its reason. All can be overridden by config words
 * (named in brackets); the runner's profile=icount tightens them to a measured ground truth. */
#ifndef CP_TIME_TOLERANCE_H
#define CP_TIME_TOLERANCE_H

/* [tol_ppm] Two sources with nominal rates must agree within 500 ppm: the NTP frequency
 * limit and the Linux clocksource watchdog's effective limit (250 us per 0.5 s). */
#define TOL_PAIR_PPM 500
/* [tol_hint_ppm] A TSC frequency hint is a promise the guest will time-keep with: the
 * same 500 ppm (the VirtualBox 2.3% hint drifts 6 s in 5 min; 500 ppm drifts 150 ms). */
#define TOL_HINT_PPM 500
/* [tol_truth_ppm] With a declared ground truth (profile=icount: -icount shift=N,sleep=off
 * -rtc clock=vm makes the TSC exactly 1 GHz and every device exact, ../shared/docs/qemu-clocks.md)
 * a source must match its nominal rate within 1 ppm. */
#define TOL_TRUTH_PPM 1
/* [tol_unc_ppm] A rate whose 1-sigma uncertainty exceeds 50 ppm is not a measurement worth
 * judging (a tenth of the 500 ppm limit). */
#define TOL_UNC_PPM 50
/* [tol_scale_ppm] A source the guest computes from the TSC with a published scale (kvm-clock,
 * Hyper-V TSC page) runs at exactly TSC x scale between host updates; the scale's own rounding
 * is below 0.001 ppm. A measurable difference is the host stepping the clock at updates.
 * Judged only when the fit resolves a quarter of it (4 sigma). */
#define TOL_SCALE_PPM 1
/* [tol_wall_ms] Wall clocks set from the same UTC (GetTime, CMOS RTC, kvm-clock's wall clock):
 * the CMOS RTC is set in whole seconds, and under QEMU + OVMF twice: QEMU truncates host time
 * at start, then OVMF's century-byte write (PcRtc ACPI callback) re-truncates it with a stale
 * sub-second phase, leaving RTC - UTC in (-2 s, +1 s), (-3 s, +1 s) when a firmware
 * read-then-write spans a second edge (traced over 7 boots, model within 2 ms; docs/design.md).
 * Any real fault (local time, a wrong base) is 15 minutes or more. */
#define TOL_WALL_MS 3000
/* Linux clocksource watchdog as Debian 12's kernel has it (6.1.192; time/watchdog_model.h):
 * WATCHDOG_MAX_SKEW is CONFIG_CLOCKSOURCE_WATCHDOG_MAX_SKEW_US, 100 us in Debian's config
 * (kernels from 6.4 derive 125 us x interval instead); the retries scale with the CPUs
 * (wd_max_retries); the watchdog runs every 0.5 s. */
#define WATCHDOG_MAX_SKEW_NS 100000
/* Predict "unstable" when the expected number of markings in one hour of 0.5 s intervals
 * reaches one. */
#define WATCHDOG_INTERVALS_PER_HOUR 7200

#endif
