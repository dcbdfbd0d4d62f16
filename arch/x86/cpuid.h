/* CPU identification for the rest of the guest: runs CPUID once, keeps the result in `cpu`,
 * reports it, and gives every later CPUID consumer a range-checked accessor. */
#ifndef CP_X86_CPUID_H
#define CP_X86_CPUID_H
#include <stdbool.h>
#include <stdint.h>
#include "cpuid_decode.h"

extern struct cpu_info cpu;

/* Fill `cpu` from this CPU and report metrics and the cpuid.tsc / cpuid.hypervisor checks. */
void cpuid_probe(void);

/* Read a leaf only if it exists (basic <= max_basic, 0x80000000.. <= max_ext, hypervisor leaf
 * <= its block's max: cpuid_leaf_exists()); otherwise zero r and return false without executing
 * CPUID. Under QEMU TCG a leaf above the max returns the max leaf's data, so every consumer
 * (TSC frequency hints from 0x15/0x16/0x40000010, ...) must go through this. Decodes `cpu`
 * silently first if cpuid_probe() has not run yet. */
bool cpuid_leaf(uint32_t leaf, uint32_t subleaf, uint32_t r[4]);

/* arch/x86/msr_probe.c: read the MSRs CPUID advertises (fault-safe, read only), report them,
 * and run the msr.safe_access / msr.fault_recovery checks. Needs cpuid_probe() first. */
void msr_probe(void);

#endif
