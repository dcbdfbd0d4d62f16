/* Runs CPUID on the boot CPU, keeps the decoded result in `cpu` and reports it: identity,
 * the timer-related feature bits, and every hypervisor block found (KVM and Hyper-V clock
 * features decoded). Decoding itself is in cpuid_decode.c. */
#include "cpuid.h"
#include "io.h"
#include "../../lib/report.h"

struct cpu_info cpu;

static void exec_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4], void *ctx)
{
	(void)ctx;
	cpuid_count(leaf, subleaf, r);
}

static void ensure_decoded(void)
{
	if (!cpu.valid)
		cpuid_decode_all(&cpu, exec_cpuid, 0);
}

bool cpuid_leaf(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	ensure_decoded();
	if (!cpuid_leaf_exists(&cpu, leaf)) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return false;
	}
	cpuid_count(leaf, subleaf, r);
	return true;
}

static void report_identity(void)
{
	char esc[13 * 4 + 1];

	cpuid_escape(esc, sizeof(esc), cpu.vendor, 12);
	info("cpu.vendor", "%s", esc);
	if (cpu.brand[0])
		info("cpu.brand", "%s", cpu.brand);
	else
		info("cpu.brand", "none (max extended leaf 0x%x < 0x80000004)", cpu.max_ext);
	metric_hex("cpu.signature", cpu.signature, "hex");
	metric_hex("cpu.family", cpu.family, "hex");
	metric_hex("cpu.model", cpu.model, "hex");
	metric_hex("cpu.stepping", cpu.stepping, "hex");
	metric_hex("cpu.max_basic_leaf", cpu.max_basic, "hex");
	metric_hex("cpu.max_ext_leaf", cpu.max_ext, "hex");
	if (cpu.raw_max_ext != cpu.max_ext)
		diag("CPUID 0x80000000 returned EAX=0x%x, not an extended max leaf: no extended leaves",
		     cpu.raw_max_ext);
}

static void report_features(void)
{
	metric_u64("cpu.feature.tsc", cpu.tsc, "bool");
	metric_u64("cpu.feature.rdtscp", cpu.rdtscp, "bool");
	metric_u64("cpu.feature.invariant_tsc", cpu.invariant_tsc, "bool");
	metric_u64("cpu.feature.tsc_adjust", cpu.tsc_adjust, "bool");
	metric_u64("cpu.feature.tsc_deadline", cpu.tsc_deadline, "bool");
	metric_u64("cpu.feature.x2apic", cpu.x2apic, "bool");
	metric_u64("cpu.feature.apic", cpu.apic, "bool");
	metric_u64("cpu.feature.hypervisor", cpu.hypervisor, "bool");
}

static void report_hv_blocks(void)
{
	char esc[13 * 4 + 1];
	unsigned i;

	/* Scanning without the bit is safe because only self-consistent blocks are kept. */
	info("cpuid.hv_scan", "hypervisor bit %s: scanned 0x%x-0x%x step 0x%x, kept blocks whose "
	     "max leaf is in [base, base+0xff]%s", cpu.hypervisor ? "set" : "clear",
	     CPUID_HV_FIRST, CPUID_HV_LAST, CPUID_HV_STEP,
	     cpu.hypervisor ? "" : " (scanned anyway: some hypervisors hide the bit)");
	metric_u64("hv.count", cpu.hv_count, "count");
	metric_u64("hv.hidden", !cpu.hypervisor && cpu.hv_count, "bool");
	if (cpu.hv_dropped)
		metric_u64("hv.dropped", cpu.hv_dropped, "count");
	if (!cpu.hv_count) {
		info("hv.name", "none");
		return;
	}
	cpuid_escape(esc, sizeof(esc), cpu.hv_signature, 12);
	info("hv.signature", "%s", esc);
	info("hv.name", "%s", cpu.hv_name);
	metric_hex("hv.base", cpu.hv_base, "hex");
	metric_hex("hv.max_leaf", cpu.hv_max, "hex");
	for (i = 0; i < cpu.hv_count; i++) {
		const struct cpu_hv_block *b = &cpu.hv[i];

		cpuid_escape(esc, sizeof(esc), b->sig, 12);
		info("hv.block", "0x%08x %s %s max=0x%08x%s", b->base, esc, b->name, b->max,
		     b->sig_swapped ? " byte-swapped" : "");
	}
}

static void report_kvm_hyperv(void)
{
	char esc[4 * 4 + 1];
	char iface[4];

	if (cpu.kvm_base) {
		metric_hex("kvm.base", cpu.kvm_base, "hex");
		metric_hex("kvm.features", cpu.kvm_features, "hex");
		metric_hex("kvm.hints", cpu.kvm_hints, "hex");
		metric_u64("kvm.feature.clocksource", cpu.kvm_clocksource, "bool");
		metric_u64("kvm.feature.clocksource2", cpu.kvm_clocksource2, "bool");
		metric_u64("kvm.feature.clocksource_stable", cpu.kvm_clocksource_stable, "bool");
	}
	if (cpu.hyperv_base) {
		metric_hex("hyperv.base", cpu.hyperv_base, "hex");
		iface[0] = (char)(cpu.hyperv_interface & 0xff);
		iface[1] = (char)((cpu.hyperv_interface >> 8) & 0xff);
		iface[2] = (char)((cpu.hyperv_interface >> 16) & 0xff);
		iface[3] = (char)(cpu.hyperv_interface >> 24);
		cpuid_escape(esc, sizeof(esc), iface, 4);
		info("hyperv.interface", "%s", esc);
		metric_hex("hyperv.features_eax", cpu.hyperv_features_eax, "hex");
		metric_hex("hyperv.features_ebx", cpu.hyperv_features_ebx, "hex");
		metric_hex("hyperv.features_edx", cpu.hyperv_features_edx, "hex");
		metric_u64("hyperv.feature.time_ref_count", cpu.hyperv_time_ref_count, "bool");
		metric_u64("hyperv.feature.ref_tsc_page", cpu.hyperv_ref_tsc_page, "bool");
		metric_u64("hyperv.feature.freq_msrs", cpu.hyperv_freq_msrs, "bool");
		metric_u64("hyperv.feature.freq_msrs_edx", cpu.hyperv_freq_msrs_edx, "bool");
		metric_u64("hyperv.feature.tsc_invariant", cpu.hyperv_tsc_invariant, "bool");
	}
}

void cpuid_probe(void)
{
	cpu.valid = false;
	ensure_decoded();
	report_identity();
	report_features();
	report_hv_blocks();
	report_kvm_hyperv();

	check(cpu.tsc, "cpuid.tsc", "CPUID.1:EDX[4] (TSC) is clear: no time-stamp counter");
	if (cpu.hv_count) {
		diag("cpuid.hypervisor: %s at 0x%x%s", cpu.hv_name, cpu.hv_base,
		     cpu.hypervisor ? "" : " (hypervisor bit clear)");
		check_pass("cpuid.hypervisor");
	} else if (cpu.hypervisor) {
		diag("cpuid.hypervisor: bit set, but no block in 0x%x-0x%x has a sane max leaf",
		     CPUID_HV_FIRST, CPUID_HV_LAST);
		check_pass("cpuid.hypervisor");
	} else {
		check_skip("cpuid.hypervisor", "bare metal: no hypervisor bit");
	}
}
