/* Counter arithmetic. Pure: no hardware access. */
#include "counter.h"

uint64_t counter_mask(unsigned width)
{
	return width >= 64 ? UINT64_MAX : (1ULL << width) - 1;
}

uint64_t counter_delta(uint64_t before, uint64_t after, unsigned width, bool down)
{
	uint64_t m = counter_mask(width);

	return (down ? before - after : after - before) & m;
}

int64_t counter_signed_delta(uint64_t before, uint64_t after, unsigned width, bool down)
{
	uint64_t d = counter_delta(before, after, width, down);

	if (width >= 64)
		return (int64_t)d;
	if (d >> (width - 1)) /* top bit of the width set: negative */
		return -(int64_t)((counter_mask(width) - d) + 1);
	return (int64_t)d;
}

bool counter_gap_may_wrap(uint64_t gap_cycles, uint64_t seg_ticks, uint64_t seg_cycles, unsigned width)
{
	if (width >= 64)
		return false;
	if (seg_ticks < COUNTER_RATE_MIN_TICKS || !seg_cycles)
		return true;
	/* gap * ticks / cycles * safety >= 2^(width-1), without dividing */
	return (unsigned __int128)gap_cycles * seg_ticks * COUNTER_WRAP_GAP_SAFETY >=
	       (unsigned __int128)seg_cycles << (width - 1);
}

uint64_t mul_div_u64(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 q;

	if (!c)
		return 0;
	q = (unsigned __int128)a * b / c;
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}
