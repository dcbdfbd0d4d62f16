/* MSR register dictionary: the indexes clockprobe reads, their fields, and pure field decoders.
 * Header-only and free of hardware access, so host unit tests include it too.
 * Sources: Intel SDM vol. 4 (architectural MSRs, MSR_PLATFORM_INFO), Linux
 * Documentation/virt/kvm/x86/msr.rst, Hyper-V TLFS (Linux include/asm-generic/hyperv-tlfs.h). */
#ifndef CP_X86_MSR_H
#define CP_X86_MSR_H
#include <stdint.h>

#define MSR_IA32_TSC                 0x00000010u /* time-stamp counter (same as RDTSC) */
#define MSR_IA32_APIC_BASE           0x0000001bu
#define   IA32_APIC_BASE_BSP           (1ull << 8)  /* this CPU is the bootstrap processor */
#define   IA32_APIC_BASE_EXTD          (1ull << 10) /* x2APIC mode enabled */
#define   IA32_APIC_BASE_EN            (1ull << 11) /* APIC globally enabled */
#define   IA32_APIC_BASE_ADDR_MASK     0x000ffffffffff000ull /* bits 51:12, up to MAXPHYADDR */
#define MSR_IA32_TSC_ADJUST          0x0000003bu /* exists when CPUID.(7,0):EBX[1] */
#define MSR_PLATFORM_INFO            0x000000ceu /* Intel only (Nehalem and later) */
#define   PLATFORM_INFO_MAX_NONTURBO_RATIO_SHIFT 8 /* bits 15:8, multiples of the bus clock */
#define   PLATFORM_INFO_MAX_NONTURBO_RATIO_MASK  0xffu
/* Bus clock the ratio multiplies on Sandy Bridge and later; Nehalem/Westmere used 133.33 MHz. */
#define PLATFORM_INFO_BUS_HZ_SNB     100000000ull

/* kvm-clock, read only here (writing one registers a guest page). */
#define MSR_KVM_WALL_CLOCK           0x00000011u /* KVM_FEATURE_CLOCKSOURCE */
#define MSR_KVM_SYSTEM_TIME          0x00000012u
#define MSR_KVM_WALL_CLOCK_NEW       0x4b564d00u /* KVM_FEATURE_CLOCKSOURCE2 */
#define MSR_KVM_SYSTEM_TIME_NEW      0x4b564d01u

/* Hyper-V synthetic time MSRs, read only here. */
#define HV_X64_MSR_TIME_REF_COUNT    0x40000020u /* partition reference counter, 100 ns units */
#define HV_X64_MSR_REFERENCE_TSC     0x40000021u /* bit 0 enable, bits 63:12 TSC page GPA frame */
#define HV_X64_MSR_TSC_FREQUENCY     0x40000022u /* Hz */
#define HV_X64_MSR_APIC_FREQUENCY    0x40000023u /* Hz */

/* Self-test index: outside every MSR range Intel and AMD define (0x0-0x1fff, 0x40000000-
 * 0x400000ff for hypervisors, 0xc0000000-0xc0001fff, 0xc0010000-0xc001ffff), so RDMSR must #GP. */
#define MSR_SELFTEST_UNIMPLEMENTED   0xdeadbeefu

static inline unsigned msr_platform_info_ratio(uint64_t v)
{
	return (unsigned)(v >> PLATFORM_INFO_MAX_NONTURBO_RATIO_SHIFT) &
	       PLATFORM_INFO_MAX_NONTURBO_RATIO_MASK;
}

#endif
