/* Pure statistics for the comparison engine: a least-squares fit of TSC cycles against a
 * source's ticks, with bracket-width and residual outlier rejection, and order statistics.
 * Integer only (no FPU in the guest): 128-bit sums, slopes in Q32 fixed point.
 * Host unit-tested (tests/unit/test_fit.c). */
#ifndef CP_TIME_FIT_H
#define CP_TIME_FIT_H
#include <stdbool.h>
#include <stdint.h>

typedef unsigned __int128 u128;
typedef __int128 s128;

/* Samples whose TSC bracket is wider than this many times the median are dropped: the read
 * was stretched by an exit or preemption, so its timestamp is uncertain (Linux's calibration
 * rejects wide brackets the same way). */
#define FIT_MAX_WIDTH_FACTOR 2
/* Below this many degrees of freedom the uncertainty is at least the median bracket width
 * over the span: the scatter of a few residuals can be small by chance, while the bracket
 * bounds each sample's time whatever happened (coarse edges give 2 to 4 samples). */
#define FIT_MIN_DOF_STATS 8
/* After the first fit, residuals beyond this many RMS are dropped and the fit repeated once. */
#define FIT_MAX_RESIDUAL_SIGMAS 4

struct fit_sample {
	uint64_t tsc;     /* bracket midpoint, TSC cycles */
	uint64_t ticks;   /* source value (extended, counting up) */
	uint32_t width;   /* bracket width, TSC cycles */
	uint32_t segment; /* samples of one segment have continuous ticks; a new segment starts
	                     where the extension may have lost wraps (a long gap between reads) */
};

/* Most segments one fit joins (each gets its own intercept). */
#define FIT_MAX_SEGMENTS 64

struct fit_result {
	bool ok;
	unsigned n_in, n_used, n_wide, n_outliers, segments;
	u128 cpt_q32;            /* TSC cycles per source tick, Q32 */
	uint64_t span_cycles;    /* TSC span of the samples used */
	uint64_t rms_q32;        /* RMS residual, TSC cycles, Q32 */
	uint64_t unc_mppm;       /* 1-sigma uncertainty of the slope, milli-ppm */
	uint32_t median_width;   /* cycles */
};

/* Fit y = TSC on x = ticks: one slope, one intercept per segment. Samples must come in
 * segment order. Needs two samples with distinct ticks in one segment. Not reentrant. */
void fit_cycles_per_tick(const struct fit_sample *s, unsigned n, struct fit_result *r);

/* Order statistics on a scratch copy (sorted in place). p in percent (50 = median, 99). */
uint32_t percentile_u32(uint32_t *v, unsigned n, unsigned p);

/* Derived quantities. */
/* TSC rate implied by a reference with known nominal rate: nominal_uhz * cycles-per-tick. */
uint64_t tsc_uhz_from_ref(uint64_t nominal_uhz, u128 cpt_q32);
/* A source's rate given the TSC rate: tsc_uhz / cycles-per-tick. */
uint64_t source_uhz(uint64_t tsc_uhz, u128 cpt_q32);
/* (measured / nominal - 1) in milli-ppm, signed. */
int64_t ppm_milli(uint64_t measured, uint64_t nominal);
/* The same in nano-hertz (saturated), for slow sources: the RTC's 1 Hz in micro-hertz
 * would print (and compare) only to 1 ppm. */
uint64_t source_nhz(uint64_t tsc_uhz, u128 cpt_q32);
/* A source's rate over its nominal rate, minus 1, in milli-ppm, given the TSC rate: computed
 * from the TSC side (nominal x cycles per tick, ~2e9 Hz in uHz), so even a 1 Hz source keeps
 * 1e-15 resolution. With the TSC rate a published scale claims (kvm-clock, Hyper-V page), it
 * is how far the source ran from TSC x its own scale (positive: faster). */
int64_t source_ppm_milli(uint64_t tsc_uhz, uint64_t nominal_uhz, u128 cpt_q32);
/* Root sum of squares of two independent uncertainties (any one unit): a rate scaled by the
 * TSC rate carries the uncertainty of the reference that measured the TSC as well. */
uint64_t unc_rss(uint64_t a, uint64_t b);

/* Judging a deviation that has an uncertainty (all in milli-ppm):
 *   - beyond the tolerance by more than JUDGE_SIGMAS sigma: FAIL, whatever sigma is (a source
 *     at 1.95 Hz instead of 1 Hz fails even from a noisy measurement);
 *   - sigma above unc_limit and the deviation within that reach: NOT JUDGED (the noise could
 *     explain it, either way);
 *   - otherwise PASS within the tolerance, FAIL beyond it.
 * Saturating arithmetic: no tolerance or sigma overflows into a false verdict. */
#define JUDGE_SIGMAS 4 /* 4 sigma: a Gaussian error reaches it once in 16000 */
enum judged { JUDGED_PASS, JUDGED_FAIL, NOT_JUDGED };
enum judged judge_dev(int64_t dev_m, uint64_t unc_m, uint64_t tol_m, uint64_t unc_limit_m);
/* a * b and a + b, saturating at UINT64_MAX. */
uint64_t sat_mul(uint64_t a, uint64_t b);
uint64_t sat_add(uint64_t a, uint64_t b);
/* Integer square root of a 128-bit value. */
uint64_t isqrt_u128(u128 v);

#endif
