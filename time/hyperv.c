/* Hyper-V reference time driver (Hyper-V TLFS "Partition Reference Counter" and "Partition
 * Reference TSC Mechanism"; Linux drivers/clocksource/hyperv_timer.c). Present when CPUID
 * 0x40000003 EAX advertises the TIME_REF_COUNT MSR and/or the reference TSC page. The page
 * path is preferred: time = ((tsc * TscScale) >> 64) + TscOffset; a TscSequence of 0 means
 * the page is invalid right now, and that read falls back to the MSR (counted). The page is a
 * static, page-aligned buffer whose identity-mapped address is its guest-physical address. */
#include "hyperv.h"
#include "pvclock.h"
#include "clocksource.h"
#include "../arch/x86/io.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/msr.h"
#include "../lib/report.h"

#define PAGE_SIZE 4096
/* The sequence protocol retries while the hypervisor rewrites the page (rare, short). */
#define HYPERV_READ_RETRIES 1000
/* A page update that continues reference time exactly still reads one unit off at worst:
 * both sides truncate the 128-bit product. Larger is a step. */
#define HYPERV_UPDATE_ROUNDING 1

static union {
	struct hv_ref_tsc_page p;
	uint8_t bytes[PAGE_SIZE];
} tsc_page __attribute__((aligned(PAGE_SIZE)));

static struct {
	bool msr_ok;           /* TIME_REF_COUNT advertised and readable */
	bool page_enabled;     /* we wrote REFERENCE_TSC */
	uint64_t saved_reference_tsc;
	uint64_t msr_fallbacks, page_retries, read_failures;
	uint64_t last;
	uint32_t last_seq;           /* TscSequence of the last good page read, 0 = none yet */
	uint64_t last_scale;
	int64_t last_offset;
	struct update_steps updates; /* sequence changes and their steps, 100 ns units */
} hv;

/* The page changed (a new TscSequence): how far the new scale/offset put reference time from
 * where the old pair would have, at this read's TSC (migration to a host with another TSC
 * rate, or a hypervisor re-basing the offset, steps the guest's clock here). */
static void note_sequence(uint32_t seq, uint64_t scale, int64_t offset, uint64_t tsc)
{
	if (hv.last_seq && seq != hv.last_seq)
		update_steps_note(&hv.updates, hv_update_jump(hv.last_scale, hv.last_offset, scale, offset, tsc),
				  HYPERV_UPDATE_ROUNDING);
	hv.last_seq = seq;
	hv.last_scale = scale;
	hv.last_offset = offset;
}

/* False when TscSequence is 0 (page invalid) or never stable. */
static bool page_read(uint64_t *t100ns, uint64_t *scale_out)
{
	volatile struct hv_ref_tsc_page *p = &tsc_page.p;
	unsigned i;

	for (i = 0; i < HYPERV_READ_RETRIES; i++) {
		uint32_t seq = p->tsc_sequence;
		uint64_t scale, tsc;
		int64_t offset;

		if (!seq)
			return false;
		barrier();
		scale = p->tsc_scale;
		offset = p->tsc_offset;
		tsc = rdtsc_ordered();
		barrier();
		if (p->tsc_sequence == seq) {
			note_sequence(seq, scale, offset, tsc);
			*t100ns = hv_ref_time(tsc, scale, offset);
			if (scale_out)
				*scale_out = scale;
			return true;
		}
		hv.page_retries++;
	}
	return false;
}

static uint64_t hyperv_read(struct clocksource *cs)
{
	uint64_t t;

	(void)cs;
	if (hv.page_enabled && page_read(&t, 0))
		return hv.last = t;
	if (hv.page_enabled)
		hv.msr_fallbacks++;
	if (hv.msr_ok && !rdmsr_safe(HV_X64_MSR_TIME_REF_COUNT, &t))
		return hv.last = t;
	hv.read_failures++;
	return hv.last;
}

void hyperv_shutdown(void)
{
	if (!hv.page_enabled)
		return;
	(void)wrmsr_safe(HV_X64_MSR_REFERENCE_TSC, hv.saved_reference_tsc);
	hv.page_enabled = false;
}

bool hyperv_tsc_page_scale(uint64_t *scale)
{
	uint64_t t;

	return hv.page_enabled && page_read(&t, scale);
}

void hyperv_report_counters(void)
{
	if (!hv.page_enabled && !hv.msr_ok)
		return;
	metric_u64("hyperv.msr_fallbacks", hv.msr_fallbacks, "count");
	metric_u64("hyperv.page_retries", hv.page_retries, "count");
	metric_u64("hyperv.read_failures", hv.read_failures, "count");
	if (hv.page_enabled) {
		metric_u64("hyperv.sequence_changes", hv.updates.updates, "count");
		metric_u64("hyperv.update_jumps", hv.updates.steps, "count");
		metric_i64("hyperv.update_jump_max_ns", hv.updates.max * 100, "ns");
		metric_i64("hyperv.update_jump_net_ns", hv.updates.net * 100, "ns");
	}
}

/* Only the page path is TSC-derived; the MSR is the hypervisor's own clock. */
static uint64_t hyperv_scale_tsc_uhz(struct clocksource *cs)
{
	uint64_t scale;

	(void)cs;
	return hyperv_tsc_page_scale(&scale) ? hv_tsc_uhz_from_scale(scale) : 0;
}

/* Enable the TSC page; false with *why if the MSR faults or the page stays invalid. */
static bool enable_page(const char **why)
{
	uint64_t phys = (uint64_t)(uintptr_t)&tsc_page.p, t, scale = 0;
	int f;

	if (rdmsr_safe(HV_X64_MSR_REFERENCE_TSC, &hv.saved_reference_tsc)) {
		*why = "rdmsr REFERENCE_TSC faulted";
		return false;
	}
	metric_hex("hyperv.reference_tsc_msr_initial", hv.saved_reference_tsc, "hex");
	f = wrmsr_safe(HV_X64_MSR_REFERENCE_TSC, (phys & HV_REFERENCE_TSC_PFN_MASK) | HV_REFERENCE_TSC_ENABLE);
	if (f) {
		*why = "wrmsr REFERENCE_TSC faulted";
		return false;
	}
	hv.page_enabled = true;
	metric_hex("hyperv.tsc_page_addr", phys, "addr");
	metric_u64("hyperv.tsc_sequence", tsc_page.p.tsc_sequence, "count");
	if (!page_read(&t, &scale)) {
		*why = "TscSequence 0: the hypervisor left the page invalid (KVM does so while it has no master "
		       "clock, i.e. the host's clocksource is not the TSC)";
		hyperv_shutdown();
		return false;
	}
	metric_hex("hyperv.tsc_scale", scale, "hex");
	metric_i64("hyperv.tsc_offset", tsc_page.p.tsc_offset, "count");
	return true;
}

void hyperv_discover(struct clocksource *cs)
{
	const char *page_why = "not advertised (CPUID 0x40000003 EAX bit 9)";
	uint64_t t;
	bool page;

	hv.page_enabled = hv.msr_ok = false;
	hv.last_seq = 0;
	if (!cpu.hyperv_base) {
		cs_set_absent(cs, "no Hyper-V signature in CPUID (hypervisor: %s)", cpu.hv_name ? cpu.hv_name : "none");
		return;
	}
	if (!cpu.hyperv_time_ref_count && !cpu.hyperv_ref_tsc_page) {
		cs_set_absent(cs, "CPUID 0x%x EAX=0x%x lacks TIME_REF_COUNT (bit 1) and REFERENCE_TSC (bit 9)",
			      cpu.hyperv_base + HV_CPUID_FEATURES_OFS, cpu.hyperv_features_eax);
		return;
	}
	if (cpu.hyperv_time_ref_count) {
		int f = rdmsr_safe(HV_X64_MSR_TIME_REF_COUNT, &t);

		hv.msr_ok = !f;
		if (f)
			diag("hyperv: rdmsr TIME_REF_COUNT faulted (%s) although advertised",
			     exception_name((unsigned)FAULT_VECTOR(f)));
		else
			metric_u64("hyperv.time_ref_count", t, "count");
	}
	page = cpu.hyperv_ref_tsc_page && enable_page(&page_why);
	if (!page && !hv.msr_ok) {
		cs_set_absent(cs, "TSC page unusable (%s) and TIME_REF_COUNT %s", page_why,
			      cpu.hyperv_time_ref_count ? "faulted" : "not advertised");
		return;
	}
	info("hyperv.path", "%s", page ? "reference TSC page" : "TIME_REF_COUNT MSR");
	if (!page)
		info("hyperv.tsc_page_unusable", "%s", page_why);
	cs->present = true;
	cs->nominal_uhz = HYPERV_NOMINAL_UHZ;
	cs->width = 64;
	cs->read_raw = hyperv_read;
	if (page) {
		cs->scale_tsc_uhz = hyperv_scale_tsc_uhz;
		cs->updates = &hv.updates;
		cs->update_unit_ns = 100;
	}
	cs->priv = &hv;
	cs_provenance(cs, "CPUID 0x%x EAX=0x%x; %s%s; 100 ns units",
		      cpu.hyperv_base + HV_CPUID_FEATURES_OFS, cpu.hyperv_features_eax,
		      page ? "reference TSC page (MSR 0x40000021), time = (tsc * scale >> 64) + offset" :
			     "TIME_REF_COUNT MSR 0x40000020",
		      page ? (hv.msr_ok ? ", MSR fallback when TscSequence is 0" : ", no MSR fallback") : "");
}
