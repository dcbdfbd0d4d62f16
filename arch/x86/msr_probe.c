/* Fault-safe, read-only MSR probes: the timer-related MSRs CPUID advertises (plan in
 * cpuid_msr_plan()), each reported with whether it faulted, plus a self-test that a read
 * of an unimplemented MSR faults and is recovered. Never writes an MSR: writing a kvm-clock
 * or Hyper-V MSR would register a guest page the host then writes into. */
#include "cpuid.h"
#include "cpu.h"
#include "io.h"
#include "msr.h"
#include "../../lib/report.h"
#include "../../lib/mem.h"


static unsigned probes_done, faults_seen;

/* One read; reports msr.<name> (only when it did not fault) and msr.<name>.fault. */
static bool probe(const char *name, uint32_t index, uint64_t *val)
{
	int rc = rdmsr_safe(index, val);

	probes_done++;
	metric_u64(mname(mname("msr", name), "fault"), rc != 0, "bool");
	if (rc) {
		faults_seen++;
		info(mname(mname("msr", name), "exception"), "%s (vector %d) reading MSR 0x%x",
		     exception_name((unsigned)FAULT_VECTOR(rc)), FAULT_VECTOR(rc), index);
		return false;
	}
	metric_hex(mname("msr", name), *val, "hex");
	return true;
}

/* IA32_TSC read between two ordered RDTSCs must fall between them. */
static void probe_tsc(const struct msr_plan_item *it)
{
	uint64_t t0, t1, v = 0;
	bool ok;

	t0 = rdtsc_ordered();
	ok = probe(it->name, it->index, &v);
	t1 = rdtsc_ordered();
	if (ok)
		metric_u64("msr.ia32_tsc.matches_rdtsc", t0 <= v && v <= t1, "bool");
}

static void decode(const struct msr_plan_item *it, uint64_t v)
{
	unsigned ratio;

	switch (it->index) {
	case MSR_IA32_APIC_BASE:
		metric_hex("msr.ia32_apic_base.base", v & IA32_APIC_BASE_ADDR_MASK, "addr");
		metric_u64("msr.ia32_apic_base.bsp", !!(v & IA32_APIC_BASE_BSP), "bool");
		metric_u64("msr.ia32_apic_base.enable", !!(v & IA32_APIC_BASE_EN), "bool");
		metric_u64("msr.ia32_apic_base.x2apic_mode", !!(v & IA32_APIC_BASE_EXTD), "bool");
		break;
	case MSR_PLATFORM_INFO:
		ratio = msr_platform_info_ratio(v);
		metric_u64("msr.platform_info.max_nonturbo_ratio", ratio, "count");
		if (ratio)
			info("msr.platform_info.note", "ratio %u x 100 MHz bus = %llu Hz, assuming the "
			     "100 MHz bus clock of Sandy Bridge and later (Nehalem: 133.33 MHz)", ratio,
			     (unsigned long long)(ratio * PLATFORM_INFO_BUS_HZ_SNB));
		break;
	case HV_X64_MSR_TSC_FREQUENCY:
		metric_u64("msr.hv_tsc_frequency.hz", v, "Hz");
		break;
	case HV_X64_MSR_APIC_FREQUENCY:
		metric_u64("msr.hv_apic_frequency.hz", v, "Hz");
		break;
	default:
		break;
	}
}

static void probe_planned(void)
{
	struct msr_plan_item plan[MSR_PLAN_MAX];
	unsigned n, i;
	uint64_t v;

	n = cpuid_msr_plan(&cpu, plan, MSR_PLAN_MAX);
	for (i = 0; i < n; i++) {
		if (plan[i].flags & MSR_PLAN_UNADVERTISED)
			diag("msr.%s: MSR 0x%x is not advertised by CPUID; read anyway to see whether "
			     "it faults", plan[i].name, plan[i].index);
		if (plan[i].index == MSR_IA32_TSC) {
			probe_tsc(&plan[i]);
			continue;
		}
		v = 0;
		if (probe(plan[i].name, plan[i].index, &v))
			decode(&plan[i], v);
	}
}

/* The recovery path must be exercised, not assumed: read an MSR no CPU implements. */
static void fault_self_test(void)
{
	const char *name = "msr.fault_recovery";
	bool tcg = cpu.hv_name && strcmp(cpu.hv_name, "tcg") == 0;
	uint64_t v = 0;
	int rc = rdmsr_safe(MSR_SELFTEST_UNIMPLEMENTED, &v);

	metric_u64("msr.selftest_unimplemented.fault", rc != 0, "bool");
	if (rc) {
		check(FAULT_VECTOR(rc) == X86_VECTOR_GP, name,
		      "RDMSR 0x%x raised %s (vector %d), expected #GP", MSR_SELFTEST_UNIMPLEMENTED,
		      exception_name((unsigned)FAULT_VECTOR(rc)), FAULT_VECTOR(rc));
	} else if (tcg) {
		check_skip(name, "TCG does not raise #GP on unknown MSRs");
	} else {
		check_fail(name, "RDMSR 0x%x returned 0x%llx without #GP, so fault recovery was not "
			   "exercised (a hypervisor ignoring unknown MSRs, e.g. KVM ignore_msrs=1?)",
			   MSR_SELFTEST_UNIMPLEMENTED, (unsigned long long)v);
	}
}

void msr_probe(void)
{
	probes_done = faults_seen = 0;
	probe_planned();
	metric_u64("msr.probes", probes_done, "count");
	metric_u64("msr.faults", faults_seen, "count");
	/* Reaching here means every fault was recovered; a lost fault would have crashed. */
	diag("msr.safe_access: %u probes, %u recovered faults", probes_done, faults_seen);
	check_pass("msr.safe_access");
	fault_self_test();
}
