/* Bounded waits. Every loop in the guest that waits for hardware goes through wait_until(),
 * which gives up after a timeout measured on the TSC and names the source that got stuck.
 * Before the TSC is calibrated, deadlines assume the fastest plausible TSC (so a wait may
 * last longer than asked, never forever). A TSC that stops advancing ends the wait too. */
#ifndef CP_TIME_WAIT_H
#define CP_TIME_WAIT_H
#include <stdbool.h>
#include <stdint.h>

/* Assumed TSC rate until calibrated: above any shipping x86 TSC, so waits are never short. */
#define WAIT_TSC_ASSUMED_HZ 10000000000ULL

void wait_set_tsc_hz(uint64_t hz);
uint64_t wait_tsc_hz(void);
/* Test hook (config stuck=<who>): waits by that source never see their condition. */
void wait_set_stuck(const char *who);

/* Poll done(arg) until true or timeout_us elapse. Returns false on timeout and records why
 * (wait_last_failure()). `who` names the source, e.g. "pit" or "rtc.uip". */
bool wait_until(const char *who, bool (*done)(void *arg), void *arg, uint64_t timeout_us);
const char *wait_last_failure(void);

/* Busy delay of at least us microseconds (TSC based, same bounds). */
void delay_us(uint64_t us);
/* Busy delay of exactly this many TSC cycles, whether or not the TSC is calibrated yet (same
 * bound: a TSC that stops advancing ends it). */
void delay_cycles(uint64_t cycles);

#endif
