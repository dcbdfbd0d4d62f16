/* Least squares of TSC cycles against source ticks, integer-only. See fit.h. */
#include "fit.h"

#define FIT_MAX_SAMPLES 8192

static void sort_u32(uint32_t *v, unsigned n)
{
	unsigned gap, i, j;

	/* Shell sort (Ciura-like gaps): small, in place, fast enough for a few thousand values. */
	for (gap = n / 2; gap > 0; gap = gap == 2 ? 1 : gap * 5 / 11) {
		for (i = gap; i < n; i++) {
			uint32_t x = v[i];

			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

uint32_t percentile_u32(uint32_t *v, unsigned n, unsigned p)
{
	unsigned idx;

	if (!n)
		return 0;
	sort_u32(v, n);
	idx = (unsigned)(((uint64_t)(n - 1) * p + 50) / 100);
	return v[idx < n ? idx : n - 1];
}

uint64_t isqrt_u128(u128 v)
{
	u128 r = 0, bit = (u128)1 << 126;

	while (bit > v)
		bit >>= 2;
	while (bit) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
		bit >>= 2;
	}
	return (uint64_t)r;
}

struct sums {
	unsigned n;
	s128 sx, sy, sxx, sxy;
	uint64_t x0, y0;
};

static void add(struct sums *s, const struct fit_sample *p)
{
	s128 x = (s128)(p->ticks - s->x0), y = (s128)(p->tsc - s->y0);

	s->n++;
	s->sx += x;
	s->sy += y;
	s->sxx += x * x;
	s->sxy += x * y;
}

/* slope (Q32) and intercept (Q32) from the sums; false if degenerate. */
static bool solve(const struct sums *s, s128 *b_q32, s128 *a_q32)
{
	s128 n = s->n, dxx = n * s->sxx - s->sx * s->sx, dxy = n * s->sxy - s->sx * s->sy;
	unsigned shift = 0;

	if (s->n < 2 || dxx <= 0)
		return false;
	/* Keep dxy << 32 inside 127 bits: scale both down together if needed. */
	while ((dxy < 0 ? -dxy : dxy) >= ((s128)1 << 94)) {
		dxy >>= 1;
		dxx >>= 1;
		shift++;
	}
	if (dxx <= 0)
		return false;
	*b_q32 = (dxy << 32) / dxx;
	*a_q32 = ((s->sy << 32) - *b_q32 * s->sx) / n;
	return true;
}

static s128 residual_q32(const struct fit_sample *p, const struct sums *s, s128 b, s128 a)
{
	s128 x = (s128)(p->ticks - s->x0), y = (s128)(p->tsc - s->y0);

	return (y << 32) - (a + b * x);
}

void fit_cycles_per_tick(const struct fit_sample *smp, unsigned n, struct fit_result *r)
{
	static bool keep[FIT_MAX_SAMPLES];
	static uint32_t widths[FIT_MAX_SAMPLES];
	struct sums s;
	s128 b = 0, a = 0;
	u128 rss = 0;
	unsigned i, pass, first, last;
	uint32_t max_width;

	*r = (struct fit_result){ 0 };
	r->n_in = n;
	if (n < 2 || n > FIT_MAX_SAMPLES)
		return;
	for (i = 0; i < n; i++)
		widths[i] = smp[i].width;
	r->median_width = percentile_u32(widths, n, 50);
	max_width = r->median_width * FIT_MAX_WIDTH_FACTOR;
	if (max_width < r->median_width + 1)
		max_width = r->median_width + 1;
	for (i = 0; i < n; i++) {
		keep[i] = smp[i].width <= max_width;
		r->n_wide += !keep[i];
	}
	for (pass = 0; pass < 2; pass++) {
		s128 limit;

		s = (struct sums){ .x0 = smp[0].ticks, .y0 = smp[0].tsc };
		for (i = 0; i < n; i++)
			if (keep[i])
				add(&s, &smp[i]);
		if (!solve(&s, &b, &a) || b <= 0)
			return;
		rss = 0;
		for (i = 0; i < n; i++) {
			if (keep[i]) {
				s128 e = residual_q32(&smp[i], &s, b, a) >> 16; /* Q16 keeps e*e in range */

				rss += (u128)(e * e);
			}
		}
		if (pass == 1 || s.n < 8)
			break;
		/* limit^2 = sigmas^2 * rss / n, compared in Q32 (e in Q16). */
		limit = (s128)isqrt_u128(rss / s.n) * FIT_MAX_RESIDUAL_SIGMAS;
		if (limit <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (keep[i]) {
				s128 e = residual_q32(&smp[i], &s, b, a) >> 16;

				if (e > limit || e < -limit) {
					keep[i] = false;
					r->n_outliers++;
				}
			}
		}
		if (!r->n_outliers)
			break;
	}
	for (first = 0; !keep[first]; first++)
		;
	for (last = n - 1; !keep[last]; last--)
		;
	r->n_used = s.n;
	r->cpt_q32 = (u128)b;
	r->span_cycles = smp[last].tsc - smp[first].tsc;
	r->rms_q32 = (uint64_t)isqrt_u128(rss / s.n) << 16;
	{
		/* se(b)^2 = (rss / (n - 2)) / Sxx, Sxx = dxx / n. In Q32: se = sqrt(rss_q32^2 ...). */
		s128 dxx = (s128)s.n * s.sxx - s.sx * s.sx;
		u128 var_q32sq, se_q32;

		if (s.n > 2 && dxx > 0) {
			/* rss is in Q16^2 = Q32 units of cycles^2; var(b) = rss*n / ((n-2) * dxx).
			 * se_q32 = sqrt(var(b) * 2^64) = sqrt(rss * 2^32 * n / ((n-2) dxx)). */
			var_q32sq = ((u128)rss << 32) / (u128)(s.n - 2) * s.n / (u128)dxx;
			se_q32 = isqrt_u128(var_q32sq);
		} else {
			/* Two samples: the bracket widths bound the error. */
			se_q32 = ((u128)r->median_width << 32) / (r->span_cycles ? r->span_cycles : 1) * (u128)b >> 32;
		}
		r->unc_mppm = (uint64_t)(se_q32 * 1000000000ULL / (u128)b);
	}
	r->ok = true;
}

uint64_t tsc_uhz_from_ref(uint64_t nominal_uhz, u128 cpt_q32)
{
	return (uint64_t)(((u128)nominal_uhz * cpt_q32) >> 32);
}

uint64_t source_uhz(uint64_t tsc_uhz, u128 cpt_q32)
{
	return cpt_q32 ? (uint64_t)(((u128)tsc_uhz << 32) / cpt_q32) : 0;
}

int64_t ppm_milli(uint64_t measured, uint64_t nominal)
{
	s128 d = (s128)measured - (s128)nominal;

	return nominal ? (int64_t)(d * 1000000000 / (s128)nominal) : 0;
}
