/* Pure counter arithmetic shared by every source: wrap-safe deltas for counters of any
 * width and direction, and fixed-point scaling. Host unit-tested (tests/unit/test_counter.c). */
#ifndef CP_TIME_COUNTER_H
#define CP_TIME_COUNTER_H
#include <stdbool.h>
#include <stdint.h>

/* Ticks elapsed from `before` to `after` for a `width`-bit counter (1..64), counting up,
 * or down when `down`. Assumes less than one full wrap elapsed. */
uint64_t counter_delta(uint64_t before, uint64_t after, unsigned width, bool down);

/* The same delta read as a signed step: a change of more than half the range is taken as
 * a step backwards. Callers must read at least every half wrap (PIT 16 bits: 27 ms). */
int64_t counter_signed_delta(uint64_t before, uint64_t after, unsigned width, bool down);

/* Whether a gap of gap_cycles between two reads of a width-bit counter may have hidden a
 * wrap, given that it advanced seg_ticks in the seg_cycles before the gap: at that rate the
 * gap, times COUNTER_WRAP_GAP_SAFETY, spans half the range (where the signed delta turns).
 * Too few ticks to know the rate (fewer than COUNTER_RATE_MIN_TICKS) answers yes. */
bool counter_gap_may_wrap(uint64_t gap_cycles, uint64_t seg_ticks, uint64_t seg_cycles, unsigned width);

/* Room for the rate estimate's error (a few coarse ticks) and a source running fast. */
#define COUNTER_WRAP_GAP_SAFETY 4
/* Below this many ticks a rate estimate may be off by more than the safety factor. */
#define COUNTER_RATE_MIN_TICKS 16

/* Mask for a width-bit counter. */
uint64_t counter_mask(unsigned width);

/* (a * b) / c with a 128-bit intermediate; saturates at UINT64_MAX; c == 0 returns 0. */
uint64_t mul_div_u64(uint64_t a, uint64_t b, uint64_t c);

#endif
