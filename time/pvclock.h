/* Pure paravirtual clock arithmetic: the KVM/Xen pvclock ABI structures and scaling
 * (Linux arch/x86/include/asm/pvclock{,-abi}.h, Documentation/virt/kvm/x86/msr.rst) and the
 * Hyper-V reference TSC page formula (Hyper-V TLFS, "Partition Reference TSC Mechanism").
 * No hardware access: host unit-tested (tests/unit/test_pvclock.c). */
#ifndef CP_TIME_PVCLOCK_H
#define CP_TIME_PVCLOCK_H
#include <stdbool.h>
#include <stdint.h>
#include "clocksource.h"

/* Written by the host, one per vCPU; 4-byte aligned, 32 bytes. */
struct pvclock_vcpu_time_info {
	uint32_t version;           /* odd while the host updates the fields */
	uint32_t pad0;
	uint64_t tsc_timestamp;     /* TSC at system_time */
	uint64_t system_time;       /* ns since kvm-clock zero */
	uint32_t tsc_to_system_mul; /* (0.32) fraction: ns per (TSC << shift) */
	int8_t tsc_shift;
	uint8_t flags;
#define PVCLOCK_TSC_STABLE_BIT   (1u << 0) /* honour only with CPUID KVM_FEATURE_CLOCKSOURCE_STABLE_BIT */
#define PVCLOCK_GUEST_STOPPED    (1u << 1) /* the host paused the guest since the flag was cleared */
	uint8_t pad[2];
} __attribute__((packed));
_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock ABI");

/* Wall clock at kvm-clock zero, filled once per MSR write. */
struct pvclock_wall_clock {
	uint32_t version;
	uint32_t sec;
	uint32_t nsec;
} __attribute__((packed));
_Static_assert(sizeof(struct pvclock_wall_clock) == 12, "pvclock ABI");

/* The wall clock the structure names at kvm-clock reading kvmclock_ns: sec * 10^9 + nsec +
 * kvmclock_ns, unix ns (128-bit intermediate; saturates at INT64_MAX, past the year 2262). */
int64_t pvclock_wall_unix_ns(uint32_t sec, uint32_t nsec, uint64_t kvmclock_ns);
/* How far the host moved the wall-clock base (wall time at kvm-clock zero) from one fill to the
 * next, ns: the new wall clock minus the old one carried forward by kvm-clock, at any kvm-clock
 * reading. The seconds differ modulo 2^32 (KVM's u32 sec wraps in 2106): taken as a signed
 * 32-bit difference, so a change within +-68 years is exact across the wrap. */
int64_t pvclock_wall_base_change(uint32_t old_sec, uint32_t old_nsec, uint32_t new_sec, uint32_t new_nsec);

/* The fields a reader copies out under one version (see time/kvmclock.c). */
struct pvclock_snapshot {
	uint64_t tsc_timestamp, system_time;
	uint32_t mul;
	int8_t shift;
	uint8_t flags;
};

/* ((delta << shift) * mul_frac) >> 32, negative shift = right shift, computed exactly in 128
 * bits (Linux truncates delta << shift to 64 bits; only differs after 2^63 cycles). */
uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul_frac, int shift);

/* kvm-clock ns at `tsc`: system_time + scaled (tsc - tsc_timestamp). A TSC value before
 * tsc_timestamp (another CPU's TSC behind, or a stale structure) scales the distance
 * backwards instead of wrapping to a huge delta; *before is set then (may be NULL). Raw: no
 * clamping to a previous value, unlike Linux's pvclock_clocksource_read. */
uint64_t pvclock_ns_at(const struct pvclock_snapshot *s, uint64_t tsc, bool *before);

/* The TSC rate the host encoded in mul/shift: 10^9 * 2^32 / (mul * 2^shift) Hz, 0 if mul is
 * 0 or the shift absurd; UINT64_MAX when the micro-hertz figure below saturates. */
uint64_t pvclock_tsc_hz(uint32_t mul, int shift);
/* The same in micro-hertz (0 if mul is 0 or the shift is absurd), for ppm comparisons. */
uint64_t pvclock_tsc_uhz(uint32_t mul, int shift);
/* How far kvm-clock stepped when the host rewrote the structure: the new parameters' reading
 * minus the old parameters' reading at the same `tsc`, ns. 0 for a continuous update. */
int64_t pvclock_update_jump(const struct pvclock_snapshot *old, const struct pvclock_snapshot *new, uint64_t tsc);
/* Host updates of a TSC-scaled clock (kvm-clock structure, Hyper-V TSC page) and how far
 * they stepped it: a step within `rounding` units is integer truncation, not a step. */
void update_steps_note(struct update_steps *u, int64_t step, int64_t rounding);
/* The same, knowing how long the old parameters had been in force (ns; 0: not known). */
void update_steps_note_after(struct update_steps *u, int64_t step, int64_t rounding, uint64_t after_ns);
/* Linux's pvclock_tsc_khz(): ((10^6 << 32) / mul) then >> shift (<< -shift), 64-bit. */
uint64_t pvclock_tsc_khz_linux(uint32_t mul, int shift);

/* Hyper-V reference TSC page (TLFS): 100 ns units. */
struct hv_ref_tsc_page {
	volatile uint32_t tsc_sequence; /* 0 = invalid: use the TIME_REF_COUNT MSR instead */
	uint32_t reserved1;
	volatile uint64_t tsc_scale;    /* (0.64) fraction: 100 ns units per TSC tick */
	volatile int64_t tsc_offset;    /* 100 ns units */
};
_Static_assert(sizeof(struct hv_ref_tsc_page) == 24, "TLFS reference TSC page layout");
#define HV_REF_TIME_HZ 10000000ULL /* TIME_REF_COUNT and the TSC page count 100 ns units */

/* ((tsc * scale) >> 64) + offset, 128-bit product. */
uint64_t hv_ref_time(uint64_t tsc, uint64_t scale, int64_t offset);
/* TSC rate implied by the page: 10^7 * 2^64 / scale Hz (0 if scale is 0; UINT64_MAX when
 * the micro-hertz figure saturates). */
uint64_t hv_tsc_hz_from_scale(uint64_t scale);
/* The same in micro-hertz. */
uint64_t hv_tsc_uhz_from_scale(uint64_t scale);
/* Step of reference time when the page changed from (old_scale, old_offset) to the new pair,
 * at the same `tsc`, in 100 ns units. */
int64_t hv_update_jump(uint64_t old_scale, int64_t old_offset, uint64_t new_scale, int64_t new_offset, uint64_t tsc);

#endif
