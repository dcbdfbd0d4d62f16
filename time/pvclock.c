/* pvclock and Hyper-V reference time arithmetic. Pure: no hardware access. */
#include "pvclock.h"

#define NSEC_PER_SEC 1000000000ULL
#define USEC_PER_SEC 1000000ULL
#define PVCLOCK_MAX_SHIFT 63 /* a larger shift moves every bit out: treat as 0 */

static uint64_t sat64(unsigned __int128 v)
{
	return v > UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul_frac, int shift)
{
	unsigned __int128 d = delta;

	if (shift > PVCLOCK_MAX_SHIFT || shift < -PVCLOCK_MAX_SHIFT)
		return 0;
	if (shift >= 0)
		d <<= shift; /* at most 127 bits: delta < 2^64, shift <= 63 */
	else
		d >>= -shift;
	/* d < 2^127 and mul < 2^32 can exceed 128 bits only for absurd shifts: split the
	 * product so nothing is lost before the >> 32. */
	return (uint64_t)(((d >> 32) * mul_frac) + (((d & 0xffffffffu) * mul_frac) >> 32));
}

uint64_t pvclock_ns_at(const struct pvclock_snapshot *s, uint64_t tsc, bool *before)
{
	bool back = tsc < s->tsc_timestamp;

	if (before)
		*before = back;
	if (back)
		return s->system_time - pvclock_scale_delta(s->tsc_timestamp - tsc, s->mul, s->shift);
	return s->system_time + pvclock_scale_delta(tsc - s->tsc_timestamp, s->mul, s->shift);
}

uint64_t pvclock_tsc_uhz(uint32_t mul, int shift)
{
	unsigned __int128 num = (unsigned __int128)NSEC_PER_SEC * USEC_PER_SEC << 32, den = mul;

	if (!mul || shift > PVCLOCK_MAX_SHIFT || shift < -PVCLOCK_MAX_SHIFT)
		return 0;
	if (shift < -45)
		return UINT64_MAX; /* above 2^(82+45-32) uHz anyway; a larger left shift overflows */
	if (shift >= 0)
		den <<= shift;
	else
		num <<= -shift; /* 10^15 * 2^32 < 2^82: at most 2^127 */
	return sat64(num / den);
}

uint64_t pvclock_tsc_hz(uint32_t mul, int shift)
{
	uint64_t uhz = pvclock_tsc_uhz(mul, shift);

	return uhz == UINT64_MAX ? uhz : uhz / USEC_PER_SEC; /* floor(floor(x * 10^6) / 10^6) = floor(x) */
}

int64_t pvclock_update_jump(const struct pvclock_snapshot *old, const struct pvclock_snapshot *new, uint64_t tsc)
{
	return (int64_t)(pvclock_ns_at(new, tsc, 0) - pvclock_ns_at(old, tsc, 0));
}

void update_steps_note(struct update_steps *u, int64_t step, int64_t rounding)
{
	update_steps_note_after(u, step, rounding, 0);
}

void update_steps_note_after(struct update_steps *u, int64_t step, int64_t rounding, uint64_t after_ns)
{
	u->updates++;
	if (step <= rounding && step >= -rounding)
		return;
	u->steps++;
	u->net += step;
	if (step < 0) {
		u->back++;
		if (step < u->min)
			u->min = step;
	}
	if ((step < 0 ? -step : step) > (u->max < 0 ? -u->max : u->max)) {
		u->max = step;
		u->max_after_ns = after_ns;
	}
}

int64_t pvclock_wall_unix_ns(uint32_t sec, uint32_t nsec, uint64_t kvmclock_ns)
{
	unsigned __int128 ns = (unsigned __int128)sec * NSEC_PER_SEC + nsec + kvmclock_ns;

	return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

int64_t pvclock_wall_base_change(uint32_t old_sec, uint32_t old_nsec, uint32_t new_sec, uint32_t new_nsec)
{
	__int128 d = (__int128)(int32_t)(new_sec - old_sec) * (__int128)NSEC_PER_SEC + (__int128)new_nsec - old_nsec;

	return (int64_t)d; /* |d| < 2^31 * 10^9 + 2^32 < 2^62 */
}

uint64_t pvclock_tsc_khz_linux(uint32_t mul, int shift)
{
	uint64_t khz = 1000000ULL << 32;

	if (!mul || shift > PVCLOCK_MAX_SHIFT || shift < -PVCLOCK_MAX_SHIFT)
		return 0;
	khz /= mul;
	return shift < 0 ? khz << -shift : khz >> shift;
}

uint64_t hv_ref_time(uint64_t tsc, uint64_t scale, int64_t offset)
{
	return (uint64_t)(((unsigned __int128)tsc * scale) >> 64) + (uint64_t)offset;
}

uint64_t hv_tsc_uhz_from_scale(uint64_t scale)
{
	if (!scale)
		return 0;
	return sat64(((unsigned __int128)HV_REF_TIME_HZ * USEC_PER_SEC << 64) / scale); /* 10^13 * 2^64 < 2^108 */
}

uint64_t hv_tsc_hz_from_scale(uint64_t scale)
{
	uint64_t uhz = hv_tsc_uhz_from_scale(scale);

	return uhz == UINT64_MAX ? uhz : uhz / USEC_PER_SEC;
}

int64_t hv_update_jump(uint64_t old_scale, int64_t old_offset, uint64_t new_scale, int64_t new_offset, uint64_t tsc)
{
	return (int64_t)(hv_ref_time(tsc, new_scale, new_offset) - hv_ref_time(tsc, old_scale, old_offset));
}
