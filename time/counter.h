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

/* Mask for a width-bit counter. */
uint64_t counter_mask(unsigned width);

/* (a * b) / c with a 128-bit intermediate; saturates at UINT64_MAX; c == 0 returns 0. */
uint64_t mul_div_u64(uint64_t a, uint64_t b, uint64_t c);

#endif
