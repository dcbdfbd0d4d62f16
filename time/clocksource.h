/* The one interface every clock source implements. A driver (time/<source>.c) fills a
 * struct clocksource in its discover function; the comparison engine (time/compare.c)
 * only ever sees this struct. Counter width, direction and wrap are handled in one place,
 * cs_read() below, so no caller subtracts raw counter values itself. */
#ifndef CP_TIME_CLOCKSOURCE_H
#define CP_TIME_CLOCKSOURCE_H
#include <stdbool.h>
#include <stdint.h>
#include "counter.h"

#define CS_REASON_LEN 128
#define CS_PROVENANCE_LEN 192

/* Paravirtual sources: at each parameter update (new pvclock version, new TSC-page
 * sequence) how far the new parameters put the clock from the old ones at the same TSC. */
struct update_steps {
	uint64_t updates, steps, back; /* updates seen; of those, steps beyond rounding; backward ones */
	int64_t max, net, min; /* largest |step| (signed), sum of steps, most negative step (0: none);
				* in the source's update unit */
	uint64_t max_after_ns; /* how long the old parameters had been in force at the largest
				* step, ns (0: not known): a step over that time is a drift rate */
};

struct clocksource {
	const char *name;         /* metric prefix: tsc, hpet, pmtimer, pit, rtc, kvmclock, hyperv, apic */
	bool present;
	char reason[CS_REASON_LEN];         /* why absent (or why a parameter is suspect) */
	char provenance[CS_PROVENANCE_LEN]; /* where each parameter came from */

	/* Nominal rate in micro-hertz (0 = not known a priori, e.g. the APIC timer).
	 * uHz keeps 1 Hz sources (RTC seconds) and HPET's 1e15/period_fs exact enough. */
	uint64_t nominal_uhz;
	uint64_t measured_uhz;    /* the comparison engine's measured rate (0: not measured) */
	unsigned width;           /* raw counter bits: 16, 24, 32 or 64 */
	bool down;                /* raw counter counts down (PIT, APIC timer) */
	/* Ticks change rarely compared to a read (RTC seconds): rate and offset are measured
	 * by timing value changes (edges) instead of by sampling. A property, not a device test.
	 * A read that sees a change may take longer (decoding more) after the value was
	 * latched, so the driver stores the TSC right after the latch in latch_tsc. */
	bool coarse;
	uint64_t latch_tsc;       /* coarse sources: TSC just after read_raw latched (0: unknown) */
	/* Coarse sources: an edge the driver already timed (its TSC bracket, and the value
	 * read_raw gives just after it; edge_hi 0: none). The engine takes it as its first edge,
	 * so its window needs one more edge, not two. */
	uint64_t edge_lo, edge_hi, edge_v;

	uint64_t (*read_raw)(struct clocksource *cs); /* one raw counter read */
	/* A source the guest computes from the TSC with a scale the hypervisor publishes
	 * (kvm-clock, Hyper-V TSC page): the TSC rate, in micro-hertz, that its current scale
	 * claims. The engine checks the source keeps to its own scale. NULL: not TSC-derived. */
	uint64_t (*scale_tsc_uhz)(struct clocksource *cs);
	/* What the host does not promise about this source, and why (NULL: it promises a
	 * continuous, monotonic clock). kvm-clock without PVCLOCK_TSC_STABLE_BIT, say: its steps
	 * and backward reads are then host findings (lib/report.h check_host), not failures. */
	const char *unpromised;
	/* Parameter updates the driver tracked (NULL: none), and their unit in ns. */
	const struct update_steps *updates;
	uint32_t update_unit_ns;
	void *priv;                                   /* driver state */

	/* Software extension to a 64-bit up-counter (cs_read). */
	uint64_t last_raw;
	uint64_t ext;
	bool ext_started;
	/* Re-anchoring (cs_read_tsc): TSC of the last read (0: unknown), the segment since the
	 * last anchor, and the gaps that could hide a wrap. */
	uint64_t last_tsc, anchor_tsc, anchor_ext;
	uint64_t reanchors, reanchor_gap_cycles;
};

/* Raw read extended to 64 bits, counting up; a backward step shows as a decrease. Must be
 * called at least once per half wrap (PIT: 27 ms; 24-bit PM timer: 2.3 s); callers that
 * cannot promise that call cs_reset first. */
uint64_t cs_read(struct clocksource *cs);
void cs_reset(struct clocksource *cs);

/* cs_read for callers that cannot promise the half-wrap rule (a VM paused, a vCPU
 * descheduled), given the TSC at the read. The advance a gap should hold is the gap times the
 * counter's own rate since its last anchor. From a quarter of its range on, the count moves
 * on by the raw difference modulo the wrap (exact unless the counter ran CS_REANCHOR_SAFETY
 * times its rate); from half its range on, whole wraps may hide in the gap: the count is
 * re-anchored (it moves on by the difference modulo the wrap and never steps back; how many
 * wraps the gap held is unknowable from the counter), cs->reanchors counts it and
 * cs->reanchor_gap_cycles keeps the gap. */
#define CS_REANCHOR_SAFETY 2
uint64_t cs_read_tsc(struct clocksource *cs, uint64_t tsc);

/* Convenience for drivers. */
void cs_set_absent(struct clocksource *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cs_provenance(struct clocksource *cs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every source's discover function, in the order the engine reports them. */
void tsc_discover(struct clocksource *cs);
void hpet_discover(struct clocksource *cs);
void pmtimer_discover(struct clocksource *cs);
void pit_discover(struct clocksource *cs);
void rtc_discover(struct clocksource *cs);
void kvmclock_discover(struct clocksource *cs);
void hyperv_discover(struct clocksource *cs);
void apic_discover(struct clocksource *cs);

#endif
