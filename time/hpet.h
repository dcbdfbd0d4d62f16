/* HPET register dictionary and the pure decoding the driver (time/hpet.c) and the host unit
 * tests (tests/unit/test_devices.c) share. Names follow the IA-PC HPET specification 1.0a,
 * section 2.3 (and Intel PCH datasheets: GCAP_ID, GEN_CONF, MAIN_CNT). No hardware access here.
 * The register block is accessed 32 bits at a time: QEMU splits an 8-byte access into two
 * 4-byte ones, so a 64-bit load can tear (see hpet_read_split). */
#ifndef CP_TIME_HPET_H
#define CP_TIME_HPET_H
#include <stdbool.h>
#include <stdint.h>

#define HPET_GCAP_ID            0x000 /* General Capabilities and ID, low half */
#define   HPET_REV_ID_MASK          0xffu       /* bits 7:0, must not be 0 */
#define   HPET_NUM_TIM_CAP_SHIFT    8           /* bits 12:8: number of timers - 1 */
#define   HPET_NUM_TIM_CAP_MASK     0x1fu
#define   HPET_COUNT_SIZE_CAP       (1u << 13)  /* main counter is 64 bits wide */
#define   HPET_LEG_RT_CAP           (1u << 15)  /* legacy replacement routing capable */
#define   HPET_VENDOR_ID_SHIFT      16          /* bits 31:16, PCI vendor ID */
#define HPET_GCAP_ID_HI         0x004 /* bits 63:32: COUNTER_CLK_PER_CAP, main counter period in fs */
#define HPET_GEN_CONF           0x010 /* General Configuration */
#define   HPET_ENABLE_CNF           (1u << 0)   /* main counter runs, timers may interrupt */
#define   HPET_LEG_RT_CNF           (1u << 1)   /* legacy replacement routing on */
#define HPET_GINTR_STA          0x020 /* General Interrupt Status */
#define HPET_MAIN_CNT           0x0f0 /* Main Counter Value, low half; writable only while halted */
#define HPET_MAIN_CNT_HI        0x0f4 /* its high half (reads 0 on a 32-bit counter) */
#define HPET_TIMN_CONF(n)       (0x100 + 0x20 * (n)) /* Timer N Configuration and Capability */

/* Spec 2.3.4: the period is at most 0x05F5E100 fs (100 ns), i.e. the counter runs at >= 10 MHz. */
#define HPET_PERIOD_MAX_FS      100000000u
#define HPET_FS_PER_S           1000000000000000ull /* 1e15 */
#define HPET_UHZ_PER_HZ         1000000ull

/* Tear-free split read: times the high half may change under us before we give up (a counter
 * whose high half changes on every read is broken, not busy). */
#define HPET_READ_SPLIT_RETRIES 8

struct hpet_caps {
	unsigned revision;      /* REV_ID */
	unsigned timers;        /* NUM_TIM_CAP + 1 */
	bool count64;           /* COUNT_SIZE_CAP */
	bool legacy_capable;    /* LEG_RT_CAP */
	unsigned vendor;        /* VENDOR_ID */
	uint32_t period_fs;     /* COUNTER_CLK_PER_CAP */
};

static inline void hpet_decode_gcap(uint32_t lo, uint32_t hi, struct hpet_caps *c)
{
	c->revision = lo & HPET_REV_ID_MASK;
	c->timers = ((lo >> HPET_NUM_TIM_CAP_SHIFT) & HPET_NUM_TIM_CAP_MASK) + 1;
	c->count64 = (lo & HPET_COUNT_SIZE_CAP) != 0;
	c->legacy_capable = (lo & HPET_LEG_RT_CAP) != 0;
	c->vendor = lo >> HPET_VENDOR_ID_SHIFT;
	c->period_fs = hi;
}

/* A usable period: non-zero and no longer than the spec's maximum. */
static inline bool hpet_period_valid(uint32_t period_fs)
{
	return period_fs > 0 && period_fs <= HPET_PERIOD_MAX_FS;
}

/* Nominal rate in micro-hertz: 1e21 / period_fs, with a 128-bit numerator (1e21 > 2^64).
 * Exact to 1 uHz (truncated). Periods below 55 fs (> 18 THz) saturate at UINT64_MAX;
 * period 0 returns 0 (unknown): callers validate with hpet_period_valid first. */
static inline uint64_t hpet_nominal_uhz(uint32_t period_fs)
{
	unsigned __int128 q;

	if (!period_fs)
		return 0;
	q = (unsigned __int128)HPET_FS_PER_S * HPET_UHZ_PER_HZ / period_fs;
	return q > UINT64_MAX ? UINT64_MAX : (uint64_t)q;
}

/* Reads one 32-bit register at a byte offset of the block. */
typedef uint32_t (*hpet_reg_read_fn)(void *ctx, unsigned offset);

/* 64-bit main counter from 32-bit halves without tearing: high, low, high; if the high half
 * changed, the low half may belong to either, so start over (bounded). *retries counts the
 * restarts; *exhausted is set if HPET_READ_SPLIT_RETRIES ran out (the value returned then pairs
 * the last low half with the high half read after it and may be torn). */
static inline uint64_t hpet_read_split(hpet_reg_read_fn rd, void *ctx, uint64_t *retries,
				       bool *exhausted)
{
	uint32_t hi = rd(ctx, HPET_MAIN_CNT_HI), lo = 0, hi2;
	unsigned i;

	for (i = 0; i <= HPET_READ_SPLIT_RETRIES; i++) {
		lo = rd(ctx, HPET_MAIN_CNT);
		hi2 = rd(ctx, HPET_MAIN_CNT_HI);
		if (hi2 == hi)
			return (uint64_t)hi << 32 | lo;
		(*retries)++;
		hi = hi2;
	}
	*exhausted = true;
	return (uint64_t)hi << 32 | lo;
}

#endif
