/* Pure decoders for the TSC frequency hints that CPUID leaves, MSRs and hypervisor
 * interfaces advertise (see docs in time/tsc_hints.c). Each takes the raw register values
 * and returns false when they carry no usable hint. No hardware access: host unit-tested
 * (tests/unit/test_hints.c). */
#ifndef CP_TIME_TSC_HINTS_DECODE_H
#define CP_TIME_TSC_HINTS_DECODE_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define HINT_MHZ 1000000ULL
#define HINT_KHZ 1000ULL
/* VMware GETHZ leaves EBX at this value (what the caller loaded) when it fails. */
#define VMWARE_GETHZ_FAILED 0xffffffffu

/* CPUID 0x15: TSC Hz = ECX (crystal Hz) * EBX / EAX. Any zero field = no hint. */
bool hint_decode_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n);
/* CPUID 0x16: EAX[15:0] processor base MHz (not necessarily the TSC rate). */
bool hint_decode_cpuid16(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n);
/* CPUID 0x40000010: EAX TSC kHz, EBX APIC bus kHz. */
bool hint_decode_cpuid_40000010(uint32_t eax, uint32_t ebx, uint64_t *hz, char *detail, size_t n);
/* kvm-clock tsc_to_system_mul / tsc_shift. */
bool hint_decode_kvmclock(uint32_t mul, int shift, uint64_t *hz, char *detail, size_t n);
/* Hyper-V HV_X64_MSR_TSC_FREQUENCY (Hz). */
bool hint_decode_hyperv(uint64_t msr, uint64_t *hz, char *detail, size_t n);
/* VMware backdoor GETHZ: Hz = EAX | EBX << 32; EBX == VMWARE_GETHZ_FAILED = failure. */
bool hint_decode_vmware(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n);
/* Intel MSR_PLATFORM_INFO: bits 15:8 ratio x 100 MHz; ratio 0 = no hint. */
bool hint_decode_platform_info(uint64_t msr, uint64_t *hz, char *detail, size_t n);

#endif
