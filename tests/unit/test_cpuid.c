/* Host tests for arch/x86/cpuid_decode.c and msr.h: signatures, family/model rules, the
 * sane-max-leaf rule, feature bits, leaf existence, MSR plan, PLATFORM_INFO decode.
 * Whole-CPU tests run cpuid_decode_all() against fake CPUs that answer out-of-range leaves
 * the way QEMU TCG and Intel do: with the highest basic leaf's data. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../arch/x86/cpuid_decode.c"

/* ---- fake CPU ---- */

struct fake_leaf {
	uint32_t leaf, sub;
	uint32_t r[4];
};

struct fake_cpu {
	const struct fake_leaf *leaves;
	unsigned n;
	unsigned calls;
};

static const struct fake_leaf *fake_find(const struct fake_cpu *f, uint32_t leaf, uint32_t sub)
{
	unsigned i;

	for (i = 0; i < f->n; i++)
		if (f->leaves[i].leaf == leaf && f->leaves[i].sub == sub)
			return &f->leaves[i];
	return NULL;
}

/* Unknown leaves return the highest basic leaf (leaf 0's EAX) with the same subleaf, like
 * TCG and Intel; that is exactly what the decoder must not be fooled by. */
static void fake_exec(uint32_t leaf, uint32_t sub, uint32_t r[4], void *ctx)
{
	struct fake_cpu *f = ctx;
	const struct fake_leaf *l = fake_find(f, leaf, sub);

	f->calls++;
	if (!l) {
		const struct fake_leaf *l0 = fake_find(f, 0, 0);
		l = l0 ? fake_find(f, l0->r[0], sub) : NULL;
		if (!l && l0)
			l = fake_find(f, l0->r[0], 0);
	}
	if (l)
		memcpy(r, l->r, sizeof(l->r));
	else
		memset(r, 0, 4 * sizeof(uint32_t));
}

#define FAKE(arr) { arr, sizeof(arr) / sizeof(arr[0]), 0 }

/* Little-endian register from four characters. */
#define R4AT(s, o) ((uint32_t)(uint8_t)(s)[(o)] | (uint32_t)(uint8_t)(s)[(o) + 1] << 8 | \
		    (uint32_t)(uint8_t)(s)[(o) + 2] << 16 | (uint32_t)(uint8_t)(s)[(o) + 3] << 24)
#define R4(s) R4AT(s, 0)
/* EBX, ECX, EDX of a 12-byte hypervisor signature. */
#define SIG3(s) R4AT(s, 0), R4AT(s, 4), R4AT(s, 8)

/* QEMU 7.2 TCG -cpu max as observed: AuthenticAMD, max basic 0xd, TCG block only. */
static const struct fake_leaf tcg_max[] = {
	{ 0x0, 0, { 0xd, R4("Auth"), R4("cAMD"), R4("enti") } },
	{ 0x1, 0, { 0x00060fb1, 0, 0x80000000u | (1u << 0), (1u << 4) | (1u << 9) } },
	{ 0x7, 0, { 0, 0, 0, 0 } },
	{ 0xd, 0, { 0x7, 0x340, 0x340, 0 } },
	{ 0x80000000, 0, { 0x8000000a, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 0, 1u << 27 } },
	{ 0x80000002, 0, { R4("QEMU"), R4(" TCG"), R4(" CPU"), R4(" ver") } },
	{ 0x80000003, 0, { R4("sion"), R4(" 2.5"), R4("+\0\0\0"), 0 } },
	{ 0x80000004, 0, { 0, 0, 0, 0 } },
	{ 0x80000007, 0, { 0, 0, 0, 0 } },
	{ 0x40000000, 0, { 0x40000001, SIG3("TCGTCGTCGTCG") } },
	{ 0x40000001, 0, { 0, 0, 0, 0 } },
};

/* KVM with Hyper-V enlightenments: Hyper-V at 0x40000000, KVM at 0x40000100. */
static const struct fake_leaf kvm_hv[] = {
	{ 0x0, 0, { 0x16, R4("Genu"), R4("ntel"), R4("ineI") } },
	{ 0x1, 0, { 0x00050654, 0, (1u << 31) | (1u << 24) | (1u << 21), (1u << 4) | (1u << 9) } },
	{ 0x7, 0, { 0, 1u << 1, 0, 0 } },
	{ 0x16, 0, { 0x0bb8, 0x0e10, 0x64, 0 } },
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, { 0, 0, 0, 1u << 27 } },
	{ 0x80000002, 0, { R4("  In"), R4("tel("), R4("R) X"), R4("eon(") } },
	{ 0x80000003, 0, { R4("R) G"), R4("old "), R4("6130"), R4(" CPU") } },
	{ 0x80000004, 0, { R4(" @ 2"), R4(".10G"), R4("Hz  "), 0 } },
	{ 0x80000007, 0, { 0, 0, 0, 1u << 8 } },
	{ 0x40000000, 0, { 0x4000000b, SIG3("Microsoft Hv") } },
	{ 0x40000001, 0, { 0x31237648, 0, 0, 0 } },
	{ 0x40000003, 0, { (1u << 1) | (1u << 9) | (1u << 11), 0x1234, 0, 1u << 8 } },
	{ 0x40000100, 0, { 0x40000101, SIG3("KVMKVMKVM\0\0\0") } },
	{ 0x40000101, 0, { (1u << 0) | (1u << 3) | (1u << 24), 0, 0, 0x1 } },
};

/* Bare-metal Intel: no hypervisor bit; 0x40000000 returns leaf 0x16's data. An old part with
 * no extended leaves: 0x80000000 also returns leaf 0x16's data. */
static const struct fake_leaf bare_intel_old[] = {
	{ 0x0, 0, { 0x16, R4("Genu"), R4("ntel"), R4("ineI") } },
	{ 0x1, 0, { 0x000906ea, 0, 0, (1u << 4) | (1u << 9) } },
	{ 0x7, 0, { 0, 0, 0, 0 } },
	{ 0x16, 0, { 0x0e10, 0x1194, 0x64, 0 } },
};

/* Hypervisor bit hidden (e.g. "kvm=off"-style setups) but a KVM block still present. */
static const struct fake_leaf hidden_kvm[] = {
	{ 0x0, 0, { 0xd, R4("Auth"), R4("cAMD"), R4("enti") } },
	{ 0x1, 0, { 0x00a00f11, 0, 0, 1u << 4 } },
	{ 0x7, 0, { 0, 0, 0, 0 } },
	{ 0xd, 0, { 0x7, 0x340, 0x340, 0 } },
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x40000000, 0, { 0x40000001, SIG3("KVMKVMKVM\0\0\0") } },
	{ 0x40000001, 0, { 1u << 3, 0, 0, 0 } },
};

/* VirtualBox's Hyper-V provider: its own vendor signature, "Hv#1" interface. */
static const struct fake_leaf vbox_hv[] = {
	{ 0x0, 0, { 0xd, R4("Genu"), R4("ntel"), R4("ineI") } },
	{ 0x1, 0, { 0x000306c3, 0, 1u << 31, 1u << 4 } },
	{ 0xd, 0, { 0x7, 0x340, 0x340, 0 } },
	{ 0x80000000, 0, { 0x80000008, 0, 0, 0 } },
	{ 0x40000000, 0, { 0x40000006, SIG3("VBoxVBoxVBox") } },
	{ 0x40000001, 0, { 0x31237648, 0, 0, 0 } },
	{ 0x40000003, 0, { 1u << 1, 0, 0, 0 } },
};

/* ---- pure helpers ---- */

static void test_regs_to_sig(void **state)
{
	char s[13];

	(void)state;
	cpuid_regs_to_sig(s, R4("Genu"), R4("ineI"), R4("ntel"));
	assert_string_equal(s, "GenuineIntel");
	cpuid_regs_to_sig(s, 0x4b4d564b, 0x564b4d56, 0x0000004d);
	assert_memory_equal(s, "KVMKVMKVM\0\0\0", 13);
}

static void test_hv_names(void **state)
{
	static const struct {
		const char *sig; /* 12 bytes */
		const char *name;
	} v[] = {
		{ "KVMKVMKVM\0\0\0", "kvm" },
		{ "TCGTCGTCGTCG", "tcg" },
		{ "Microsoft Hv", "hyperv" },
		{ "Linux KVM Hv", "hyperv" },
		{ "XenVMMXenVMM", "xen" },
		{ "VMwareVMware", "vmware" },
		{ "VBoxVBoxVBox", "virtualbox" },
		{ "bhyve bhyve ", "bhyve" },
		{ "ACRNACRNACRN", "acrn" },
		{ "QNXQVMBSQG\0\0", "qnx" },
		{ " QNXQVMBSQG ", "qnx" },
		{ " lrpepyh  vr", "parallels" },
		{ "prl hyperv  ", "parallels" },
		{ " KVMKVMKVM  ", "kvm" },
		{ "Jailhouse\0\0\0", "unknown" },
		{ "\0\0\0\0\0\0\0\0\0\0\0\0", "unknown" },
		{ "            ", "unknown" },
		{ "KVMKVMKVMKV\0", "unknown" },
	};
	unsigned i;
	bool sw;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char s[13];

		memcpy(s, v[i].sig, 12);
		s[12] = 0;
		assert_string_equal(cpuid_hv_name(s, &sw), v[i].name);
		assert_false(sw);
	}
	/* From register triples, as the scan sees them. */
	{
		char s[13];

		cpuid_regs_to_sig(s, 0x4b4d564b, 0x564b4d56, 0x0000004d);
		assert_string_equal(cpuid_hv_name(s, NULL), "kvm");
		cpuid_regs_to_sig(s, 0x7263694d, 0x666f736f, 0x76482074); /* TLFS values */
		assert_string_equal(cpuid_hv_name(s, NULL), "hyperv");
	}
}

static void test_hv_name_swapped(void **state)
{
	char s[13];
	bool sw = false;

	(void)state;
	/* "QNXQVMBSQG" stored as multi-character constants: each register byte-reversed. */
	memcpy(s, "QXNQSBMV\0\0GQ", 12);
	s[12] = 0;
	assert_string_equal(cpuid_hv_name(s, &sw), "qnx");
	assert_true(sw);
	memcpy(s, "TGCTCTGCGCTG", 12);
	assert_string_equal(cpuid_hv_name(s, &sw), "tcg");
	assert_true(sw);
}

static void test_fms(void **state)
{
	static const struct {
		uint32_t eax;
		unsigned f, m, s;
	} v[] = {
		{ 0x00050654, 0x6, 0x55, 4 },  /* Intel Skylake-SP: family 6 takes ext model */
		{ 0x000906ea, 0x6, 0x9e, 0xa }, /* Intel Coffee Lake */
		{ 0x000306c3, 0x6, 0x3c, 3 },  /* Intel Haswell */
		{ 0x00000f29, 0xf, 0x2, 9 },   /* Intel Pentium 4: family 0xf, ext family 0 */
		{ 0x00000663, 0x6, 0x6, 3 },   /* QEMU qemu64 */
		{ 0x00060fb1, 0xf, 0x6b, 1 },  /* QEMU TCG max: base family 0xf, ext model 6 */
		{ 0x00800f12, 0x17, 0x01, 2 }, /* AMD Zen (Naples): ext family 8 */
		{ 0x00830f10, 0x17, 0x31, 0 }, /* AMD Zen 2 (Rome) */
		{ 0x00a00f11, 0x19, 0x01, 1 }, /* AMD Zen 3 (Milan) */
		{ 0x00a10f11, 0x19, 0x11, 1 }, /* AMD Zen 4 (Genoa) */
		{ 0x00000683, 0x6, 0x8, 3 },   /* AMD K7: base family 6, ext model field 0 */
		{ 0x00000543, 0x5, 0x4, 3 },   /* Pentium MMX: family 5 ignores ext fields */
		{ 0x000f0543, 0x5, 0x4, 3 },   /*   even when ext model is set */
		{ 0x0ff00f00, 0x10e, 0x0, 0 }, /* max ext family */
	};
	unsigned i, f, m, s;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		cpuid_decode_fms(v[i].eax, &f, &m, &s);
		assert_int_equal(f, v[i].f);
		assert_int_equal(m, v[i].m);
		assert_int_equal(s, v[i].s);
	}
}

static void test_sane_max(void **state)
{
	(void)state;
	assert_true(cpuid_hv_block_sane(0x40000000, 0x40000000));
	assert_true(cpuid_hv_block_sane(0x40000000, 0x40000001));
	assert_true(cpuid_hv_block_sane(0x40000000, 0x400000ff));
	assert_false(cpuid_hv_block_sane(0x40000000, 0x40000100));
	assert_false(cpuid_hv_block_sane(0x40000000, 0x3fffffff));
	assert_false(cpuid_hv_block_sane(0x40000000, 0));
	assert_false(cpuid_hv_block_sane(0x40000000, 0x7)); /* TCG leaf 0xd data */
	assert_true(cpuid_hv_block_sane(0x40000100, 0x40000101));
	assert_false(cpuid_hv_block_sane(0x40000100, 0x40000001)); /* first block's max */
	assert_true(cpuid_hv_block_sane(0x4000ff00, 0x4000ffff));
	assert_false(cpuid_hv_block_sane(0x4000ff00, 0x40010000));

	assert_int_equal(cpuid_sanitize_max_ext(0x80000008), 0x80000008);
	assert_int_equal(cpuid_sanitize_max_ext(0x80000000), 0x80000000);
	assert_int_equal(cpuid_sanitize_max_ext(0x8000ffff), 0x8000ffff);
	assert_int_equal(cpuid_sanitize_max_ext(0x0e10), 0);
	assert_int_equal(cpuid_sanitize_max_ext(0x80010000), 0);
	assert_int_equal(cpuid_sanitize_max_ext(0), 0);
}

static void test_escape(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(cpuid_escape(out, sizeof(out), "TCGTCGTCGTCG", 12), 12);
	assert_string_equal(out, "TCGTCGTCGTCG");
	cpuid_escape(out, sizeof(out), "KVMKVMKVM\0\0\0", 12);
	assert_string_equal(out, "KVMKVMKVM\\x00\\x00\\x00");
	cpuid_escape(out, sizeof(out), "bhyve bhyve ", 12);
	assert_string_equal(out, "bhyve\\x20bhyve\\x20");
	cpuid_escape(out, sizeof(out), "a\\b\xff", 4);
	assert_string_equal(out, "a\\x5cb\\xff");
	/* Truncation never splits an escape and always terminates. */
	assert_int_equal(cpuid_escape(out, 6, "ab\0cd", 5), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(cpuid_escape(out, 0, "ab", 2), 0);
}

static void test_platform_info(void **state)
{
	(void)state;
	assert_int_equal(msr_platform_info_ratio(0x0000000000001a00ull), 26);
	assert_int_equal(msr_platform_info_ratio(0x0000080838f12200ull), 0x22);
	assert_int_equal(msr_platform_info_ratio(0xffffffffffff00ffull), 0);
	assert_int_equal(msr_platform_info_ratio(0x000000000000ff00ull), 255);
}

/* ---- whole-CPU decoding ---- */

static void test_tcg_max(void **state)
{
	struct fake_cpu f = FAKE(tcg_max);
	struct cpu_info c;
	uint32_t l;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_true(c.valid);
	assert_string_equal(c.vendor, "AuthenticAMD");
	assert_string_equal(c.brand, "QEMU TCG CPU version 2.5+");
	assert_int_equal(c.max_basic, 0xd);
	assert_int_equal(c.max_ext, 0x8000000a);
	assert_int_equal(c.family, 0xf);
	assert_int_equal(c.model, 0x6b);
	assert_true(c.tsc && c.apic && c.rdtscp && c.hypervisor);
	assert_false(c.invariant_tsc || c.tsc_adjust || c.tsc_deadline || c.x2apic);
	assert_int_equal(c.hv_count, 1);
	assert_int_equal(c.hv_base, 0x40000000);
	assert_int_equal(c.hv_max, 0x40000001);
	assert_string_equal(c.hv_signature, "TCGTCGTCGTCG");
	assert_string_equal(c.hv_name, "tcg");
	assert_int_equal(c.kvm_base, 0);
	assert_int_equal(c.hyperv_base, 0);

	/* The whole hypervisor range was scanned: 256 blocks. */
	assert_true(f.calls >= 256);

	assert_true(cpuid_leaf_exists(&c, 0x0));
	assert_true(cpuid_leaf_exists(&c, 0xd));
	assert_false(cpuid_leaf_exists(&c, 0x15)); /* TCG would answer with leaf 0xd's data */
	assert_false(cpuid_leaf_exists(&c, 0x16));
	assert_true(cpuid_leaf_exists(&c, 0x40000000));
	assert_true(cpuid_leaf_exists(&c, 0x40000001));
	assert_false(cpuid_leaf_exists(&c, 0x40000002));
	assert_false(cpuid_leaf_exists(&c, 0x40000010)); /* no VMware timing leaf */
	assert_false(cpuid_leaf_exists(&c, 0x40000100));
	assert_true(cpuid_leaf_exists(&c, 0x80000000));
	assert_true(cpuid_leaf_exists(&c, 0x8000000a));
	assert_false(cpuid_leaf_exists(&c, 0x8000000b));
	for (l = 0x3fffff00; l != 0x40000000; l++)
		assert_false(cpuid_leaf_exists(&c, l));
	assert_false(cpuid_leaf_exists(&c, 0x20000000));
	assert_false(cpuid_leaf_exists(&c, 0xc0000000));
	assert_false(cpuid_leaf_exists(&c, 0x8fffffff));
}

static void test_kvm_hyperv(void **state)
{
	struct fake_cpu f = FAKE(kvm_hv);
	struct cpu_info c;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_string_equal(c.vendor, "GenuineIntel");
	assert_string_equal(c.brand, "Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz");
	assert_int_equal(c.family, 6);
	assert_int_equal(c.model, 0x55);
	assert_int_equal(c.stepping, 4);
	assert_true(c.tsc && c.rdtscp && c.invariant_tsc && c.tsc_adjust && c.tsc_deadline &&
		    c.x2apic && c.apic && c.hypervisor);

	assert_int_equal(c.hv_count, 2);
	assert_string_equal(c.hv_name, "hyperv");
	assert_int_equal(c.hv[0].base, 0x40000000);
	assert_int_equal(c.hv[0].max, 0x4000000b);
	assert_string_equal(c.hv[1].name, "kvm");
	assert_int_equal(c.hv[1].base, 0x40000100);
	assert_int_equal(c.hv[1].max, 0x40000101);

	assert_int_equal(c.kvm_base, 0x40000100);
	assert_int_equal(c.kvm_features, (1u << 0) | (1u << 3) | (1u << 24));
	assert_int_equal(c.kvm_hints, 1);
	assert_true(c.kvm_clocksource && c.kvm_clocksource2 && c.kvm_clocksource_stable);

	assert_int_equal(c.hyperv_base, 0x40000000);
	assert_int_equal(c.hyperv_interface, HV_INTERFACE_HV1);
	assert_int_equal(c.hyperv_features_eax, (1u << 1) | (1u << 9) | (1u << 11));
	assert_int_equal(c.hyperv_features_ebx, 0x1234);
	assert_true(c.hyperv_time_ref_count && c.hyperv_ref_tsc_page && c.hyperv_freq_msrs);
	assert_true(c.hyperv_freq_msrs_edx);
	assert_false(c.hyperv_tsc_invariant);

	assert_true(cpuid_leaf_exists(&c, 0x16));
	assert_false(cpuid_leaf_exists(&c, 0x17));
}

static void test_kvm_hyperv_limits(void **state)
{
	struct fake_cpu f = FAKE(kvm_hv);
	struct cpu_info c;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_true(cpuid_leaf_exists(&c, 0x4000000b));
	assert_false(cpuid_leaf_exists(&c, 0x4000000c));
	assert_false(cpuid_leaf_exists(&c, 0x40000010));
	assert_true(cpuid_leaf_exists(&c, 0x40000100));
	assert_true(cpuid_leaf_exists(&c, 0x40000101));
	assert_false(cpuid_leaf_exists(&c, 0x40000102));
	assert_false(cpuid_leaf_exists(&c, 0x40000200));
	assert_false(cpuid_leaf_exists(&c, 0x40010000));
}

static void test_bare_metal_old(void **state)
{
	struct fake_cpu f = FAKE(bare_intel_old);
	struct cpu_info c;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_false(c.hypervisor);
	assert_int_equal(c.hv_count, 0);
	assert_null(c.hv_name);
	assert_int_equal(c.raw_max_ext, 0x0e10);
	assert_int_equal(c.max_ext, 0);
	assert_string_equal(c.brand, "");
	assert_false(c.rdtscp || c.invariant_tsc);
	assert_int_equal(c.model, 0x9e);
	assert_false(cpuid_leaf_exists(&c, 0x80000000));
	assert_false(cpuid_leaf_exists(&c, 0x80000007));
	assert_false(cpuid_leaf_exists(&c, 0x40000000));
	assert_true(cpuid_leaf_exists(&c, 0x16));
}

static void test_hidden_hypervisor(void **state)
{
	struct fake_cpu f = FAKE(hidden_kvm);
	struct cpu_info c;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_false(c.hypervisor);
	assert_int_equal(c.hv_count, 1);
	assert_string_equal(c.hv_name, "kvm");
	assert_memory_equal(c.hv_signature, "KVMKVMKVM\0\0\0", 13);
	assert_int_equal(c.kvm_base, 0x40000000);
	assert_false(c.kvm_clocksource);
	assert_true(c.kvm_clocksource2);
	assert_false(c.kvm_clocksource_stable);
	assert_int_equal(c.family, 0x19);
	assert_int_equal(c.model, 0x01);
	assert_false(c.apic);
}

static void test_vbox_hyperv_interface(void **state)
{
	struct fake_cpu f = FAKE(vbox_hv);
	struct cpu_info c;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	assert_string_equal(c.hv_name, "virtualbox");
	assert_int_equal(c.hyperv_base, 0x40000000);
	assert_true(c.hyperv_time_ref_count);
	assert_false(c.hyperv_ref_tsc_page || c.hyperv_freq_msrs);
	assert_int_equal(c.kvm_base, 0);
}

/* More sane blocks than hv[] holds: keep the first ones, count the rest. */
static struct cpu_info many_c;
static void many_exec(uint32_t leaf, uint32_t sub, uint32_t r[4], void *ctx)
{
	(void)sub;
	(void)ctx;
	memset(r, 0, 4 * sizeof(uint32_t));
	if (leaf == 0) {
		r[0] = 1;
	} else if (leaf == 1) {
		r[2] = 1u << 31;
		r[3] = 1u << 4;
	} else if ((leaf & 0xffff00ffu) == 0x40000000u && leaf <= 0x40000b00u) {
		r[0] = leaf + 2;
		r[1] = R4("XenV");
		r[2] = R4("MMXe");
		r[3] = R4("nVMM");
	}
}

static void test_many_blocks(void **state)
{
	(void)state;
	cpuid_decode_all(&many_c, many_exec, NULL);
	assert_int_equal(many_c.hv_count, CPUID_HV_MAX_BLOCKS);
	assert_int_equal(many_c.hv_dropped, 12 - CPUID_HV_MAX_BLOCKS);
	assert_int_equal(many_c.hv[7].base, 0x40000700);
	assert_string_equal(many_c.hv[7].name, "xen");
	assert_int_equal(many_c.max_ext, 0);
}

static void test_not_decoded(void **state)
{
	struct cpu_info c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_true(cpuid_leaf_exists(&c, 0));
	assert_false(cpuid_leaf_exists(&c, 1));
	assert_false(cpuid_leaf_exists(&c, 0x40000000));
	assert_false(cpuid_leaf_exists(&c, 0x80000000));
}

/* ---- MSR plan ---- */

static const struct msr_plan_item *plan_find(const struct msr_plan_item *p, unsigned n,
					     uint32_t index)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (p[i].index == index)
			return &p[i];
	return NULL;
}

static void test_msr_plan_tcg(void **state)
{
	struct fake_cpu f = FAKE(tcg_max);
	struct cpu_info c;
	struct msr_plan_item p[MSR_PLAN_MAX];
	unsigned n;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	n = cpuid_msr_plan(&c, p, MSR_PLAN_MAX);
	assert_int_equal(n, 3);
	assert_non_null(plan_find(p, n, MSR_IA32_TSC));
	assert_non_null(plan_find(p, n, MSR_IA32_APIC_BASE));
	assert_string_equal(plan_find(p, n, MSR_IA32_TSC_ADJUST)->name,
			    "ia32_tsc_adjust_unadvertised");
	assert_int_equal(plan_find(p, n, MSR_IA32_TSC_ADJUST)->flags, MSR_PLAN_UNADVERTISED);
	assert_null(plan_find(p, n, MSR_PLATFORM_INFO)); /* AMD vendor */
	assert_null(plan_find(p, n, MSR_KVM_SYSTEM_TIME_NEW));
	assert_null(plan_find(p, n, HV_X64_MSR_TIME_REF_COUNT));
}

static void test_msr_plan_kvm_hyperv(void **state)
{
	struct fake_cpu f = FAKE(kvm_hv);
	struct cpu_info c;
	struct msr_plan_item p[MSR_PLAN_MAX];
	unsigned n;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	n = cpuid_msr_plan(&c, p, MSR_PLAN_MAX);
	assert_int_equal(n, 12);
	assert_string_equal(plan_find(p, n, MSR_IA32_TSC_ADJUST)->name, "ia32_tsc_adjust");
	assert_int_equal(plan_find(p, n, MSR_IA32_TSC_ADJUST)->flags, 0);
	assert_non_null(plan_find(p, n, MSR_PLATFORM_INFO));
	assert_non_null(plan_find(p, n, MSR_KVM_WALL_CLOCK));
	assert_non_null(plan_find(p, n, MSR_KVM_SYSTEM_TIME));
	assert_non_null(plan_find(p, n, MSR_KVM_WALL_CLOCK_NEW));
	assert_non_null(plan_find(p, n, MSR_KVM_SYSTEM_TIME_NEW));
	assert_non_null(plan_find(p, n, HV_X64_MSR_TIME_REF_COUNT));
	assert_non_null(plan_find(p, n, HV_X64_MSR_REFERENCE_TSC));
	assert_non_null(plan_find(p, n, HV_X64_MSR_TSC_FREQUENCY));
	assert_non_null(plan_find(p, n, HV_X64_MSR_APIC_FREQUENCY));
	/* A short buffer is never overrun. */
	assert_int_equal(cpuid_msr_plan(&c, p, 2), 2);
}

static void test_msr_plan_gated(void **state)
{
	struct fake_cpu f = FAKE(hidden_kvm);
	struct cpu_info c;
	struct msr_plan_item p[MSR_PLAN_MAX];
	unsigned n;

	(void)state;
	cpuid_decode_all(&c, fake_exec, &f);
	n = cpuid_msr_plan(&c, p, MSR_PLAN_MAX);
	/* CLOCKSOURCE2 only: new MSRs, not the old ones; no APIC bit, no APIC_BASE. */
	assert_non_null(plan_find(p, n, MSR_KVM_SYSTEM_TIME_NEW));
	assert_null(plan_find(p, n, MSR_KVM_SYSTEM_TIME));
	assert_null(plan_find(p, n, MSR_IA32_APIC_BASE));
	c.hyperv_freq_msrs = false;
	c.kvm_clocksource2 = false;
	c.tsc = false;
	n = cpuid_msr_plan(&c, p, MSR_PLAN_MAX);
	assert_int_equal(n, 1); /* only the unadvertised TSC_ADJUST attempt */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regs_to_sig),
		cmocka_unit_test(test_hv_names),
		cmocka_unit_test(test_hv_name_swapped),
		cmocka_unit_test(test_fms),
		cmocka_unit_test(test_sane_max),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_platform_info),
		cmocka_unit_test(test_tcg_max),
		cmocka_unit_test(test_kvm_hyperv),
		cmocka_unit_test(test_kvm_hyperv_limits),
		cmocka_unit_test(test_bare_metal_old),
		cmocka_unit_test(test_hidden_hypervisor),
		cmocka_unit_test(test_vbox_hyperv_interface),
		cmocka_unit_test(test_many_blocks),
		cmocka_unit_test(test_not_decoded),
		cmocka_unit_test(test_msr_plan_tcg),
		cmocka_unit_test(test_msr_plan_kvm_hyperv),
		cmocka_unit_test(test_msr_plan_gated),
	};

	return cmocka_run_group_tests_name("cpuid", tests, NULL, NULL);
}
