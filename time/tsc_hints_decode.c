/* TSC frequency hint decoders. Pure: no hardware access. Each writes a one-line detail
 * saying which raw values the hint came from, also when it rejects them. */
#include "tsc_hints_decode.h"
#include "pvclock.h"
#include "../lib/fmt.h"
#include "../arch/x86/msr.h"

bool hint_decode_cpuid15(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n)
{
	cp_snprintf(detail, n, "CPUID 0x15 denominator=%u numerator=%u crystal_hz=%u", eax, ebx, ecx);
	if (!eax || !ebx || !ecx)
		return false;
	*hz = (uint64_t)((unsigned __int128)ecx * ebx / eax);
	return *hz != 0;
}

bool hint_decode_cpuid16(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n)
{
	uint32_t base = eax & 0xffff, max = ebx & 0xffff, bus = ecx & 0xffff;

	cp_snprintf(detail, n, "CPUID 0x16 processor base %u MHz (max %u, bus %u): base frequency, not necessarily the TSC rate",
		    base, max, bus);
	*hz = base * HINT_MHZ;
	return base != 0;
}

bool hint_decode_cpuid_40000010(uint32_t eax, uint32_t ebx, uint64_t *hz, char *detail, size_t n)
{
	cp_snprintf(detail, n, "CPUID 0x40000010 hypervisor timing leaf: tsc_khz=%u apic_bus_khz=%u", eax, ebx);
	*hz = eax * HINT_KHZ;
	return eax != 0;
}

bool hint_decode_kvmclock(uint32_t mul, int shift, uint64_t *hz, char *detail, size_t n)
{
	*hz = pvclock_tsc_hz(mul, shift);
	cp_snprintf(detail, n, "kvm-clock tsc_to_system_mul=0x%x tsc_shift=%d (Linux pvclock_tsc_khz %llu)",
		    mul, shift, (unsigned long long)pvclock_tsc_khz_linux(mul, shift));
	return *hz != 0;
}

bool hint_decode_hyperv(uint64_t msr, uint64_t *hz, char *detail, size_t n)
{
	cp_snprintf(detail, n, "Hyper-V MSR 0x40000022 TSC_FREQUENCY=%llu", (unsigned long long)msr);
	*hz = msr;
	return msr != 0;
}

bool hint_decode_vmware(uint32_t eax, uint32_t ebx, uint32_t ecx, uint64_t *hz, char *detail, size_t n)
{
	if (ebx == VMWARE_GETHZ_FAILED) {
		cp_snprintf(detail, n, "VMware GETHZ failed (EBX still 0x%x)", ebx);
		return false;
	}
	*hz = eax | (uint64_t)ebx << 32;
	cp_snprintf(detail, n, "VMware backdoor GETHZ eax=0x%x ebx=0x%x apic_hz=%u", eax, ebx, ecx);
	return *hz != 0;
}

bool hint_decode_platform_info(uint64_t msr, uint64_t *hz, char *detail, size_t n)
{
	unsigned ratio = msr_platform_info_ratio(msr);

	/* 100 MHz is the bus clock since Sandy Bridge; Nehalem/Westmere used 133.33 MHz. */
	cp_snprintf(detail, n, "MSR_PLATFORM_INFO 0xCE=0x%llx max non-turbo ratio %u x 100 MHz (bus clock assumed)",
		    (unsigned long long)msr, ratio);
	*hz = ratio * PLATFORM_INFO_BUS_HZ_SNB;
	return ratio != 0;
}
