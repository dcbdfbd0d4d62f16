/* Collects TSC frequency hints. Every source is consulted only when it exists: CPUID leaves
 * through cpuid_leaf() (under QEMU TCG a leaf above the maximum returns another leaf's data),
 * MSRs only when advertised or vendor-defined and always fault-safe, the VMware backdoor only
 * after the VMware signature. Decoding is pure, in time/tsc_hints_decode.c. */
#include "tsc_hints.h"
#include "tsc_hints_decode.h"
#include "kvmclock.h"
#include "hyperv.h"
#include "pvclock.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/msr.h"
#include "../lib/report.h"
#include "../lib/mem.h"
#include "../lib/fmt.h"

#define CPUID_LEAF_TSC_CRYSTAL 0x15u
#define CPUID_LEAF_PROC_FREQ   0x16u
#define CPUID_LEAF_HV_TIMING   0x40000010u /* VMware-defined; KVM/QEMU fill it with vmware-cpuid-freq */

/* VMware backdoor (open-vm-tools backdoor_def.h): magic in EAX, command in ECX, port in DX. */
#define VMWARE_BDOOR_MAGIC     0x564d5868u
#define VMWARE_BDOOR_PORT      0x5658u
#define VMWARE_BDOOR_CMD_GETHZ 45u

struct candidate {
	struct tsc_hint h;
	bool usable;
};

static uint64_t fake_hz;

void tsc_hints_set_fake(uint64_t hz)
{
	fake_hz = hz;
}

static void vmware_gethz(uint32_t *eax, uint32_t *ebx, uint32_t *ecx)
{
	uint32_t a = VMWARE_BDOOR_MAGIC, b = VMWARE_GETHZ_FAILED, c = VMWARE_BDOOR_CMD_GETHZ,
		 d = VMWARE_BDOOR_PORT;

	__asm__ volatile("inl %%dx, %%eax" : "+a"(a), "+b"(b), "+c"(c), "+d"(d) : : "memory");
	*eax = a;
	*ebx = b;
	*ecx = c;
}

struct list {
	struct candidate *c;
	unsigned n, max;
};

/* The next free candidate for `source`, or NULL when the list is full. */
static struct candidate *slot(struct list *l, const char *source)
{
	struct candidate *k;

	if (l->n >= l->max)
		return 0;
	k = &l->c[l->n];
	memset(k, 0, sizeof(*k));
	k->h.source = source;
	return k;
}

static void keep(struct list *l, bool usable)
{
	l->c[l->n++].usable = usable;
}

static void msr_fault_detail(struct candidate *k, uint32_t msr, int f)
{
	cp_snprintf(k->h.detail, sizeof(k->h.detail), "rdmsr 0x%x faulted (%s)", msr,
		    exception_name((unsigned)FAULT_VECTOR(f)));
}

static void gather_cpuid(struct list *l)
{
	struct candidate *k;
	uint32_t r[4];

	if (cpuid_leaf(CPUID_LEAF_TSC_CRYSTAL, 0, r) && (k = slot(l, "cpuid15")))
		keep(l, hint_decode_cpuid15(r[CPUID_EAX], r[CPUID_EBX], r[CPUID_ECX], &k->h.hz,
					    k->h.detail, sizeof(k->h.detail)));
	if (cpuid_leaf(CPUID_LEAF_PROC_FREQ, 0, r) && (k = slot(l, "cpuid16")))
		keep(l, hint_decode_cpuid16(r[CPUID_EAX], r[CPUID_EBX], r[CPUID_ECX], &k->h.hz,
					    k->h.detail, sizeof(k->h.detail)));
	/* Exists only if the block at 0x40000000 reports a max leaf >= 0x40000010. */
	if (cpuid_leaf(CPUID_LEAF_HV_TIMING, 0, r) && (k = slot(l, "cpuid_40000010")))
		keep(l, hint_decode_cpuid_40000010(r[CPUID_EAX], r[CPUID_EBX], &k->h.hz, k->h.detail,
						   sizeof(k->h.detail)));
}

static void gather_hypervisor(struct list *l)
{
	struct candidate *k;
	uint32_t mul, a, b, c;
	uint64_t v;
	int shift, f;

	if (kvmclock_scale(&mul, &shift) && (k = slot(l, "kvmclock")))
		keep(l, hint_decode_kvmclock(mul, shift, &k->h.hz, k->h.detail, sizeof(k->h.detail)));
	if (cpu.hyperv_freq_msrs && (k = slot(l, "hyperv"))) {
		f = rdmsr_safe(HV_X64_MSR_TSC_FREQUENCY, &v);
		if (f)
			msr_fault_detail(k, HV_X64_MSR_TSC_FREQUENCY, f);
		keep(l, !f && hint_decode_hyperv(v, &k->h.hz, k->h.detail, sizeof(k->h.detail)));
	}
	if (hyperv_tsc_page_scale(&v) && (k = slot(l, "hyperv_tsc_page"))) {
		k->h.hz = hv_tsc_hz_from_scale(v);
		cp_snprintf(k->h.detail, sizeof(k->h.detail),
			    "Hyper-V reference TSC page TscScale=0x%llx: 10^7 * 2^64 / scale", (unsigned long long)v);
		keep(l, k->h.hz != 0);
	}
	if (cpu.hv_name && !strcmp(cpu.hv_name, "vmware") && (k = slot(l, "vmware"))) {
		vmware_gethz(&a, &b, &c);
		keep(l, hint_decode_vmware(a, b, c, &k->h.hz, k->h.detail, sizeof(k->h.detail)));
	}
}

static unsigned gather(struct candidate *c, unsigned max)
{
	struct list l = { c, 0, max };
	struct candidate *k;
	uint64_t v;
	int f;

	gather_cpuid(&l);
	gather_hypervisor(&l);
	/* Intel-defined MSR; TCG reads it as 0, which the decoder rejects (ratio 0). */
	if (!strcmp(cpu.vendor, "GenuineIntel") && (k = slot(&l, "platform_info"))) {
		f = rdmsr_safe(MSR_PLATFORM_INFO, &v);
		if (f)
			msr_fault_detail(k, MSR_PLATFORM_INFO, f);
		keep(&l, !f && hint_decode_platform_info(v, &k->h.hz, k->h.detail, sizeof(k->h.detail)));
	}
	if (fake_hz && (k = slot(&l, "fake"))) {
		k->h.hz = fake_hz;
		cp_snprintf(k->h.detail, sizeof(k->h.detail), "test hook fake_hint_hz=%llu",
			    (unsigned long long)fake_hz);
		keep(&l, true);
	}
	return l.n;
}

unsigned tsc_hints_collect(struct tsc_hint *out, unsigned max)
{
	struct candidate c[TSC_HINTS_MAX];
	unsigned n = gather(c, TSC_HINTS_MAX), i, k = 0;

	for (i = 0; i < n && k < max; i++)
		if (c[i].usable)
			out[k++] = c[i].h;
	return k;
}

void tsc_hints_report(void)
{
	struct candidate c[TSC_HINTS_MAX];
	unsigned n = gather(c, TSC_HINTS_MAX), i, usable = 0;
	char name[64];

	for (i = 0; i < n; i++) {
		if (c[i].usable) {
			cp_snprintf(name, sizeof(name), "tsc.hint_hz.%s", c[i].h.source);
			metric_u64(name, c[i].h.hz, "Hz");
			cp_snprintf(name, sizeof(name), "tsc.hint.%s", c[i].h.source);
			info(name, "%s", c[i].h.detail);
			usable++;
		} else {
			cp_snprintf(name, sizeof(name), "tsc.hint_rejected.%s", c[i].h.source);
			info(name, "%s", c[i].h.detail);
		}
	}
	metric_u64("tsc.hints", usable, "count");
}
