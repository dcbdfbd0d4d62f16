/* Least squares of TSC cycles against source ticks, integer-only. See fit.h. */
#include "fit.h"

#define FIT_MAX_SAMPLES 8192
#define FIT_CENTRE_SHIFT 16

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

/* Sums of one segment, relative to its first sample (keeps the numbers small). A segment is
 * a run of samples whose extended tick counts are known to be continuous; each segment gets
 * its own intercept and all share one slope. */
struct seg {
	uint32_t id;
	unsigned n;
	s128 sx, sy, sxx, sxy;
	uint64_t x0, y0, t_last;
};

struct model {
	struct seg seg[FIT_MAX_SEGMENTS];
	unsigned nseg;
	unsigned n;    /* samples in segments of two or more */
	unsigned dof;  /* n - (segments of two or more) - 1 */
	s128 cxx;      /* within-segment centred sum of squares of x */
	s128 b_q32;    /* shared slope, cycles per tick, Q32 */
	uint64_t span; /* TSC cycles covered by the segments */
};

static struct seg *seg_of(struct model *m, const struct fit_sample *p)
{
	struct seg *g = m->nseg ? &m->seg[m->nseg - 1] : 0;

	if (g && g->id == p->segment)
		return g;
	if (m->nseg == FIT_MAX_SEGMENTS)
		return 0; /* too fragmented: later samples are not used */
	g = &m->seg[m->nseg++];
	*g = (struct seg){ .id = p->segment, .x0 = p->ticks, .y0 = p->tsc, .t_last = p->tsc };
	return g;
}

/* Least squares with one slope and per-segment intercepts; false if degenerate. */
static bool solve(struct model *m, const struct fit_sample *smp, unsigned n, const bool *keep)
{
	s128 cxy = 0;
	unsigned i, k, multi = 0;

	m->nseg = 0;
	m->n = 0;
	m->cxx = 0;
	m->span = 0;
	for (i = 0; i < n; i++) {
		struct seg *g;
		s128 x, y;

		if (!keep[i] || !(g = seg_of(m, &smp[i])))
			continue;
		x = (s128)(int64_t)(smp[i].ticks - g->x0); /* a step back is negative, not 2^64 - 1 */
		y = (s128)(int64_t)(smp[i].tsc - g->y0);
		g->n++;
		g->sx += x;
		g->sy += y;
		g->sxx += x * x;
		g->sxy += x * y;
		g->t_last = smp[i].tsc;
	}
	for (k = 0; k < m->nseg; k++) {
		struct seg *g = &m->seg[k];

		if (g->n < 2)
			continue;
		multi++;
		m->n += g->n;
		/* Centred sums scaled by 2^FIT_CENTRE_SHIFT before dividing by n, so that few
		 * samples with small x (coarse sources: x = 0, 1, 2) keep their fractions. */
		m->cxx += ((g->n * g->sxx - g->sx * g->sx) << FIT_CENTRE_SHIFT) / g->n;
		cxy += (g->n * g->sxy - g->sx * g->sy) * ((s128)1 << FIT_CENTRE_SHIFT) / g->n; /* may be < 0 */
		m->span += g->t_last - g->y0;
	}
	if (!multi || m->cxx <= 0)
		return false;
	m->dof = m->n > multi + 1 ? m->n - multi - 1 : 0;
	/* Keep cxy << 32 inside 127 bits: scale both down together if needed. */
	while ((cxy < 0 ? -cxy : cxy) >= ((s128)1 << 94)) {
		cxy >>= 1;
		m->cxx >>= 1;
	}
	if (m->cxx <= 0)
		return false;
	m->b_q32 = cxy * ((s128)1 << 32) / m->cxx; /* a multiply: cxy may be negative */
	return true;
}

/* Residual of sample p in Q16 cycles (Q16 keeps its square and sums in range). */
static s128 residual_q16(const struct model *m, const struct fit_sample *p)
{
	const struct seg *g = 0;
	unsigned k;
	s128 a_q32, x, y;

	for (k = m->nseg; k-- > 0;)
		if (m->seg[k].id == p->segment) {
			g = &m->seg[k];
			break;
		}
	if (!g || g->n < 2)
		return 0;
	a_q32 = ((g->sy << 32) - m->b_q32 * g->sx) / g->n;
	x = (s128)(p->ticks - g->x0);
	y = (s128)(p->tsc - g->y0);
	return ((y << 32) - (a_q32 + m->b_q32 * x)) >> 16;
}

void fit_cycles_per_tick(const struct fit_sample *smp, unsigned n, struct fit_result *r)
{
	static bool keep[FIT_MAX_SAMPLES];
	static uint32_t widths[FIT_MAX_SAMPLES];
	static struct model m;
	u128 rss = 0;
	unsigned i, pass;
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
		unsigned dropped = 0;

		if (!solve(&m, smp, n, keep) || m.b_q32 <= 0)
			return;
		rss = 0;
		for (i = 0; i < n; i++) {
			if (keep[i]) {
				s128 e = residual_q16(&m, &smp[i]);

				rss += (u128)(e * e);
			}
		}
		if (pass == 1 || m.n < 8)
			break;
		limit = (s128)isqrt_u128(rss / m.n) * FIT_MAX_RESIDUAL_SIGMAS;
		if (limit <= 0)
			break;
		for (i = 0; i < n; i++) {
			if (keep[i]) {
				s128 e = residual_q16(&m, &smp[i]);

				if (e > limit || e < -limit) {
					keep[i] = false;
					dropped++;
				}
			}
		}
		r->n_outliers += dropped;
		if (!dropped)
			break;
	}
	r->n_used = m.n;
	r->segments = m.nseg;
	r->cpt_q32 = (u128)m.b_q32;
	r->span_cycles = m.span;
	r->rms_q32 = (uint64_t)isqrt_u128(rss / m.n) << 16;
	{
		u128 se_q32;

		if (m.dof > 0) {
			/* var(b) = (rss / 2^32) / dof / (cxx / 2^16); se in Q32 = sqrt(var(b) * 2^64). */
			u128 t = ((u128)rss << 32) / m.dof;

			se_q32 = isqrt_u128(t < ((u128)1 << (127 - FIT_CENTRE_SHIFT))
						    ? (t << FIT_CENTRE_SHIFT) / (u128)m.cxx
						    : t / ((u128)m.cxx >> FIT_CENTRE_SHIFT ? (u128)m.cxx >> FIT_CENTRE_SHIFT : 1));
		} else {
			se_q32 = 0;
		}
		if (m.dof < FIT_MIN_DOF_STATS) {
			/* Few samples (coarse edges): the scatter of a handful of residuals can be small
			 * by chance, but each sample's time is only known within its bracket, so the
			 * bracket width over the span bounds the slope's error from below. */
			u128 floor_q32 = ((u128)r->median_width << 32) / (m.span ? m.span : 1) * (u128)m.b_q32 >> 32;

			if (floor_q32 > se_q32)
				se_q32 = floor_q32;
		}
		r->unc_mppm = (uint64_t)(se_q32 * 1000000000ULL / (u128)m.b_q32);
	}
	r->ok = true;
}

uint64_t unc_rss(uint64_t a, uint64_t b)
{
	u128 a2 = (u128)a * a, b2 = (u128)b * b;

	return a2 > ~(u128)0 - b2 ? UINT64_MAX : isqrt_u128(a2 + b2);
}

uint64_t sat_mul(uint64_t a, uint64_t b)
{
	u128 p = (u128)a * b;

	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

enum judged judge_dev(int64_t dev_m, uint64_t unc_m, uint64_t tol_m, uint64_t unc_limit_m)
{
	uint64_t mag = dev_m < 0 ? (uint64_t)0 - (uint64_t)dev_m : (uint64_t)dev_m;
	uint64_t reach = sat_add(tol_m, sat_mul(JUDGE_SIGMAS, unc_m));

	if (mag > reach)
		return JUDGED_FAIL;
	if (unc_m > unc_limit_m)
		return NOT_JUDGED;
	return mag <= tol_m ? JUDGED_PASS : JUDGED_FAIL;
}

uint64_t tsc_uhz_from_ref(uint64_t nominal_uhz, u128 cpt_q32)
{
	return (uint64_t)(((u128)nominal_uhz * cpt_q32) >> 32);
}

uint64_t source_uhz(uint64_t tsc_uhz, u128 cpt_q32)
{
	return cpt_q32 ? (uint64_t)(((u128)tsc_uhz << 32) / cpt_q32) : 0;
}

uint64_t source_nhz(uint64_t tsc_uhz, u128 cpt_q32)
{
	u128 q;

	if (!cpt_q32)
		return 0;
	q = ((u128)tsc_uhz * 1000 << 32) / cpt_q32; /* tsc_uhz < 2^64: the product < 2^106 */
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

int64_t ppm_milli(uint64_t measured, uint64_t nominal)
{
	s128 d = (s128)measured - (s128)nominal;

	return nominal ? (int64_t)(d * 1000000000 / (s128)nominal) : 0;
}

int64_t source_ppm_milli(uint64_t tsc_uhz, uint64_t nominal_uhz, u128 cpt_q32)
{
	return ppm_milli(tsc_uhz, tsc_uhz_from_ref(nominal_uhz, cpt_q32));
}
