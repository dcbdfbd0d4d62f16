/* Pure CPUID decoding (see cpuid_decode.h): turns register values into struct cpu_info and
 * decides which leaves exist and which MSRs CPUID advertises. No hardware access: the
 * guest and the host unit tests share this file. */
#include "cpuid_decode.h"
#include "msr.h"
#include "../../lib/mem.h"

void cpuid_regs_to_sig(char out[13], uint32_t r0, uint32_t r1, uint32_t r2)
{
	const uint32_t r[3] = { r0, r1, r2 };
	unsigned i, b;

	for (i = 0; i < 3; i++)
		for (b = 0; b < 4; b++)
			out[i * 4 + b] = (char)((r[i] >> (8 * b)) & 0xff);
	out[12] = 0;
}

void cpuid_decode_fms(uint32_t eax, unsigned *family, unsigned *model, unsigned *stepping)
{
	unsigned base_family = (eax >> 8) & 0xf;
	unsigned ext_family = (eax >> 20) & 0xff;
	unsigned base_model = (eax >> 4) & 0xf;
	unsigned ext_model = (eax >> 16) & 0xf;

	*family = base_family == 0xf ? base_family + ext_family : base_family;
	*model = (base_family == 0x6 || base_family == 0xf) ? (ext_model << 4) | base_model
							    : base_model;
	*stepping = eax & 0xf;
}

uint32_t cpuid_sanitize_max_ext(uint32_t eax)
{
	return (eax & CPUID_EXT_RANGE_MASK) == CPUID_LEAF_EXT_MAX ? eax : 0;
}

bool cpuid_hv_block_sane(uint32_t base, uint32_t eax)
{
	return eax >= base && eax <= base + (CPUID_HV_STEP - 1);
}

/* Signatures as the 12 bytes EBX,ECX,EDX hold; padding is ignored when comparing.
 * Parallels: " lrpepyh  vr" is "prl hyperv  " with each register's bytes reversed, and is
 * what Parallels reports; the unswapped form is listed too. QNX documents only "QNXQVMBS"
 * for EBX,ECX (compared after htonl in its own sample); "QNXQVMBSQG" is what detectors use. */
static const struct {
	char sig[13];
	const char *name;
} hv_sigs[] = {
	{ "KVMKVMKVM\0\0\0", "kvm" },
	{ "TCGTCGTCGTCG", "tcg" },
	{ "Microsoft Hv", "hyperv" },
	{ "Linux KVM Hv", "hyperv" }, /* KVM's own Hyper-V emulation signature */
	{ "XenVMMXenVMM", "xen" },
	{ "VMwareVMware", "vmware" },
	{ "VBoxVBoxVBox", "virtualbox" },
	{ "bhyve bhyve ", "bhyve" },
	{ "ACRNACRNACRN", "acrn" },
	{ "QNXQVMBSQG", "qnx" },
	{ " lrpepyh  vr", "parallels" },
	{ "prl hyperv  ", "parallels" },
};

static bool is_pad(char ch)
{
	return ch == ' ' || ch == '\0';
}

/* Compare two 12-byte signatures with leading/trailing spaces and NULs removed. */
static bool sig_equal_trimmed(const char *a, const char *b)
{
	unsigned as = 0, ae = 12, bs = 0, be = 12;

	while (as < ae && is_pad(a[as]))
		as++;
	while (ae > as && is_pad(a[ae - 1]))
		ae--;
	while (bs < be && is_pad(b[bs]))
		bs++;
	while (be > bs && is_pad(b[be - 1]))
		be--;
	return ae - as == be - bs && ae > as && memcmp(a + as, b + bs, ae - as) == 0;
}

static const char *sig_lookup(const char *sig)
{
	unsigned i;

	for (i = 0; i < sizeof(hv_sigs) / sizeof(hv_sigs[0]); i++)
		if (sig_equal_trimmed(sig, hv_sigs[i].sig))
			return hv_sigs[i].name;
	return 0;
}

const char *cpuid_hv_name(const char sig[12], bool *swapped)
{
	char rev[12];
	const char *name;
	unsigned i;

	if (swapped)
		*swapped = false;
	name = sig_lookup(sig);
	if (name)
		return name;
	/* A hypervisor that stored its string as a multi-character constant. */
	for (i = 0; i < 12; i++)
		rev[i] = sig[(i & ~3u) + 3 - (i & 3u)];
	name = sig_lookup(rev);
	if (name) {
		if (swapped)
			*swapped = true;
		return name;
	}
	return "unknown";
}

static const struct cpu_hv_block *find_block(const struct cpu_info *c, uint32_t base)
{
	unsigned i;

	for (i = 0; i < c->hv_count; i++)
		if (c->hv[i].base == base)
			return &c->hv[i];
	return 0;
}

bool cpuid_leaf_exists(const struct cpu_info *c, uint32_t leaf)
{
	const struct cpu_hv_block *b;

	if (!c->valid)
		return leaf == CPUID_LEAF_VENDOR;
	if (leaf < CPUID_HV_FIRST)
		return leaf <= c->max_basic;
	if ((leaf & CPUID_HV_RANGE_MASK) == CPUID_HV_FIRST) {
		b = find_block(c, leaf & CPUID_HV_BLOCK_MASK);
		return b && leaf <= b->max;
	}
	if ((leaf & CPUID_EXT_RANGE_MASK) == CPUID_LEAF_EXT_MAX)
		return c->max_ext != 0 && leaf <= c->max_ext;
	return false;
}

static void decode_brand(struct cpu_info *c, cpuid_exec_fn fn, void *ctx)
{
	uint32_t r[4];
	char raw[49];
	unsigned i, j, b, start = 0, end;

	for (i = 0; i < 3; i++) {
		fn(CPUID_LEAF_BRAND_FIRST + i, 0, r, ctx);
		for (j = 0; j < 4; j++)
			for (b = 0; b < 4; b++)
				raw[i * 16 + j * 4 + b] = (char)((r[j] >> (8 * b)) & 0xff);
	}
	raw[48] = 0;
	end = (unsigned)strlen(raw);
	/* Older Intel parts right-justify the brand string with leading spaces. */
	while (start < end && raw[start] == ' ')
		start++;
	while (end > start && raw[end - 1] == ' ')
		end--;
	memcpy(c->brand, raw + start, end - start);
	c->brand[end - start] = 0;
}

static void scan_hypervisors(struct cpu_info *c, cpuid_exec_fn fn, void *ctx)
{
	struct cpu_hv_block *b;
	uint32_t base, r[4];

	for (base = CPUID_HV_FIRST; base <= CPUID_HV_LAST; base += CPUID_HV_STEP) {
		fn(base, 0, r, ctx);
		if (!cpuid_hv_block_sane(base, r[CPUID_EAX]))
			continue;
		if (c->hv_count == CPUID_HV_MAX_BLOCKS) {
			c->hv_dropped++;
			continue;
		}
		b = &c->hv[c->hv_count++];
		b->base = base;
		b->max = r[CPUID_EAX];
		cpuid_regs_to_sig(b->sig, r[CPUID_EBX], r[CPUID_ECX], r[CPUID_EDX]);
		b->name = cpuid_hv_name(b->sig, &b->sig_swapped);
	}
	if (c->hv_count) {
		c->hv_base = c->hv[0].base;
		c->hv_max = c->hv[0].max;
		memcpy(c->hv_signature, c->hv[0].sig, sizeof(c->hv_signature));
		c->hv_name = c->hv[0].name;
	}
}

static void decode_kvm(struct cpu_info *c, const struct cpu_hv_block *b, cpuid_exec_fn fn,
		       void *ctx)
{
	uint32_t r[4];

	c->kvm_base = b->base;
	if (b->max < b->base + KVM_CPUID_FEATURES_OFS)
		return;
	fn(b->base + KVM_CPUID_FEATURES_OFS, 0, r, ctx);
	c->kvm_features = r[CPUID_EAX];
	c->kvm_hints = r[CPUID_EDX];
	c->kvm_clocksource = r[CPUID_EAX] & KVM_FEATURE_CLOCKSOURCE;
	c->kvm_clocksource2 = r[CPUID_EAX] & KVM_FEATURE_CLOCKSOURCE2;
	c->kvm_clocksource_stable = r[CPUID_EAX] & KVM_FEATURE_CLOCKSOURCE_STABLE;
}

static void decode_hyperv(struct cpu_info *c, const struct cpu_hv_block *b, uint32_t interface,
			  cpuid_exec_fn fn, void *ctx)
{
	uint32_t r[4];

	c->hyperv_base = b->base;
	c->hyperv_interface = interface;
	if (b->max < b->base + HV_CPUID_FEATURES_OFS)
		return;
	fn(b->base + HV_CPUID_FEATURES_OFS, 0, r, ctx);
	c->hyperv_features_eax = r[CPUID_EAX];
	c->hyperv_features_ebx = r[CPUID_EBX];
	c->hyperv_features_edx = r[CPUID_EDX];
	c->hyperv_time_ref_count = r[CPUID_EAX] & HV_EAX_TIME_REF_COUNT;
	c->hyperv_ref_tsc_page = r[CPUID_EAX] & HV_EAX_REFERENCE_TSC;
	c->hyperv_freq_msrs = r[CPUID_EAX] & HV_EAX_ACCESS_FREQUENCY_MSRS;
	c->hyperv_tsc_invariant = r[CPUID_EAX] & HV_EAX_ACCESS_TSC_INVARIANT;
	c->hyperv_freq_msrs_edx = r[CPUID_EDX] & HV_EDX_FREQUENCY_MSRS_AVAILABLE;
}

/* KVM: first block signed KVM. Hyper-V: first block signed as Hyper-V or whose interface
 * leaf says "Hv#1" (the TLFS bases compatibility on the interface, not the vendor: VirtualBox's
 * Hyper-V provider signs "VBoxVBoxVBox"). */
static void decode_hv_leaves(struct cpu_info *c, cpuid_exec_fn fn, void *ctx)
{
	uint32_t r[4], interface;
	unsigned i;

	for (i = 0; i < c->hv_count; i++) {
		const struct cpu_hv_block *b = &c->hv[i];

		if (!c->kvm_base && strcmp(b->name, "kvm") == 0)
			decode_kvm(c, b, fn, ctx);
		if (c->hyperv_base)
			continue;
		interface = 0;
		if (b->max >= b->base + HV_CPUID_INTERFACE_OFS) {
			fn(b->base + HV_CPUID_INTERFACE_OFS, 0, r, ctx);
			interface = r[CPUID_EAX];
		}
		if (strcmp(b->name, "hyperv") == 0 || interface == HV_INTERFACE_HV1)
			decode_hyperv(c, b, interface, fn, ctx);
	}
}

void cpuid_decode_all(struct cpu_info *c, cpuid_exec_fn fn, void *ctx)
{
	uint32_t r[4];

	memset(c, 0, sizeof(*c));
	fn(CPUID_LEAF_VENDOR, 0, r, ctx);
	c->max_basic = r[CPUID_EAX];
	cpuid_regs_to_sig(c->vendor, r[CPUID_EBX], r[CPUID_EDX], r[CPUID_ECX]);

	if (c->max_basic >= CPUID_LEAF_FEATURES) {
		fn(CPUID_LEAF_FEATURES, 0, r, ctx);
		c->signature = r[CPUID_EAX];
		cpuid_decode_fms(r[CPUID_EAX], &c->family, &c->model, &c->stepping);
		c->tsc = r[CPUID_EDX] & CPUID_1_EDX_TSC;
		c->apic = r[CPUID_EDX] & CPUID_1_EDX_APIC;
		c->x2apic = r[CPUID_ECX] & CPUID_1_ECX_X2APIC;
		c->tsc_deadline = r[CPUID_ECX] & CPUID_1_ECX_TSC_DEADLINE;
		c->hypervisor = r[CPUID_ECX] & CPUID_1_ECX_HYPERVISOR;
	}
	if (c->max_basic >= CPUID_LEAF_STRUCT_EXT) {
		fn(CPUID_LEAF_STRUCT_EXT, 0, r, ctx);
		c->tsc_adjust = r[CPUID_EBX] & CPUID_7_0_EBX_TSC_ADJUST;
	}

	fn(CPUID_LEAF_EXT_MAX, 0, r, ctx);
	c->raw_max_ext = r[CPUID_EAX];
	c->max_ext = cpuid_sanitize_max_ext(r[CPUID_EAX]);
	if (c->max_ext >= CPUID_LEAF_EXT_FEATURES) {
		fn(CPUID_LEAF_EXT_FEATURES, 0, r, ctx);
		c->rdtscp = r[CPUID_EDX] & CPUID_80000001_EDX_RDTSCP;
	}
	if (c->max_ext >= CPUID_LEAF_BRAND_FIRST + 2)
		decode_brand(c, fn, ctx);
	if (c->max_ext >= CPUID_LEAF_APM) {
		fn(CPUID_LEAF_APM, 0, r, ctx);
		c->invariant_tsc = r[CPUID_EDX] & CPUID_80000007_EDX_INVARIANT_TSC;
	}

	scan_hypervisors(c, fn, ctx);
	decode_hv_leaves(c, fn, ctx);
	c->valid = true;
}

size_t cpuid_escape(char *out, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, i;

	if (!size)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool plain = ch >= '!' && ch <= '~' && ch != '\\';
		size_t need = plain ? 1 : 4;

		if (n + need >= size)
			break;
		if (plain) {
			out[n++] = (char)ch;
		} else {
			out[n++] = '\\';
			out[n++] = 'x';
			out[n++] = hex[ch >> 4];
			out[n++] = hex[ch & 0xf];
		}
	}
	out[n] = 0;
	return n;
}

static unsigned plan_add(struct msr_plan_item *out, unsigned n, unsigned max, uint32_t index,
			 const char *name, unsigned flags)
{
	if (n < max) {
		out[n].index = index;
		out[n].name = name;
		out[n].flags = flags;
		return n + 1;
	}
	return n;
}

unsigned cpuid_msr_plan(const struct cpu_info *c, struct msr_plan_item *out, unsigned max)
{
	unsigned n = 0;

	if (c->tsc)
		n = plan_add(out, n, max, MSR_IA32_TSC, "ia32_tsc", 0);
	if (c->tsc_adjust)
		n = plan_add(out, n, max, MSR_IA32_TSC_ADJUST, "ia32_tsc_adjust", 0);
	else
		n = plan_add(out, n, max, MSR_IA32_TSC_ADJUST, "ia32_tsc_adjust_unadvertised",
			     MSR_PLAN_UNADVERTISED);
	if (c->apic)
		n = plan_add(out, n, max, MSR_IA32_APIC_BASE, "ia32_apic_base", 0);
	/* Intel family 6 only; older family 6 parts #GP, which is recorded, not fatal. */
	if (strcmp(c->vendor, "GenuineIntel") == 0 && c->family == 6)
		n = plan_add(out, n, max, MSR_PLATFORM_INFO, "platform_info", 0);
	if (c->kvm_clocksource2) {
		n = plan_add(out, n, max, MSR_KVM_WALL_CLOCK_NEW, "kvm_wall_clock_new", 0);
		n = plan_add(out, n, max, MSR_KVM_SYSTEM_TIME_NEW, "kvm_system_time_new", 0);
	}
	if (c->kvm_clocksource) {
		n = plan_add(out, n, max, MSR_KVM_WALL_CLOCK, "kvm_wall_clock", 0);
		n = plan_add(out, n, max, MSR_KVM_SYSTEM_TIME, "kvm_system_time", 0);
	}
	if (c->hyperv_time_ref_count)
		n = plan_add(out, n, max, HV_X64_MSR_TIME_REF_COUNT, "hv_time_ref_count", 0);
	if (c->hyperv_ref_tsc_page)
		n = plan_add(out, n, max, HV_X64_MSR_REFERENCE_TSC, "hv_reference_tsc", 0);
	if (c->hyperv_freq_msrs) {
		n = plan_add(out, n, max, HV_X64_MSR_TSC_FREQUENCY, "hv_tsc_frequency", 0);
		n = plan_add(out, n, max, HV_X64_MSR_APIC_FREQUENCY, "hv_apic_frequency", 0);
	}
	return n;
}
