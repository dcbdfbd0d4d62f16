/* CPUID as data: leaf and bit names, struct cpu_info, and the pure decoding that fills it.
 * No instruction is executed here: cpuid_decode_all() calls back through a cpuid_exec_fn,
 * which is the real CPUID in the guest (arch/x86/cpuid.c) and a table in host unit tests.
 * Sources: Intel SDM vol. 2A "CPUID", AMD APM vol. 3 appendix E, Linux
 * Documentation/virt/kvm/x86/cpuid.rst, Hyper-V TLFS "Feature and Interface Discovery". */
#ifndef CP_X86_CPUID_DECODE_H
#define CP_X86_CPUID_DECODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Register indexes in the r[4] arrays used throughout. */
enum { CPUID_EAX = 0, CPUID_EBX = 1, CPUID_ECX = 2, CPUID_EDX = 3 };

#define CPUID_LEAF_VENDOR            0x00000000u /* EAX max basic leaf; EBX,EDX,ECX vendor */
#define CPUID_LEAF_FEATURES          0x00000001u
#define   CPUID_1_ECX_X2APIC           (1u << 21)
#define   CPUID_1_ECX_TSC_DEADLINE     (1u << 24)
#define   CPUID_1_ECX_HYPERVISOR       (1u << 31)
#define   CPUID_1_EDX_TSC              (1u << 4)
#define   CPUID_1_EDX_APIC             (1u << 9)
#define CPUID_LEAF_STRUCT_EXT        0x00000007u /* subleaf 0 */
#define   CPUID_7_0_EBX_TSC_ADJUST     (1u << 1)
#define CPUID_LEAF_EXT_MAX           0x80000000u /* EAX max extended leaf */
#define CPUID_LEAF_EXT_FEATURES      0x80000001u
#define   CPUID_80000001_EDX_RDTSCP    (1u << 27)
#define CPUID_LEAF_BRAND_FIRST       0x80000002u /* three leaves, 16 ASCII bytes each */
#define CPUID_LEAF_APM               0x80000007u /* advanced power management */
#define   CPUID_80000007_EDX_INVARIANT_TSC (1u << 8)

/* A real max-extended-leaf value has the 0x8000 prefix; CPUs without extended leaves
 * answer 0x80000000 with other data (Intel: the highest basic leaf's). */
#define CPUID_EXT_RANGE_MASK         0xffff0000u

/* Hypervisor blocks: 0x40000000 + k * 0x100 (k = 0..0xff), EAX = that block's max leaf,
 * EBX,ECX,EDX = 12-byte signature. KVM moves to 0x40000100 behind Hyper-V enlightenments. */
#define CPUID_HV_FIRST               0x40000000u
#define CPUID_HV_LAST                0x4000ff00u
#define CPUID_HV_STEP                0x100u
#define CPUID_HV_BLOCK_MASK          0xffffff00u
#define CPUID_HV_RANGE_MASK          0xffff0000u /* 0x4000xxxx: the hypervisor leaf range */
#define CPUID_HV_MAX_BLOCKS          8

/* KVM block, offsets from its base (Documentation/virt/kvm/x86/cpuid.rst). */
#define KVM_CPUID_FEATURES_OFS       1u          /* EAX features, EDX hints */
#define   KVM_FEATURE_CLOCKSOURCE        (1u << 0)  /* MSRs 0x11/0x12 */
#define   KVM_FEATURE_CLOCKSOURCE2       (1u << 3)  /* MSRs 0x4b564d00/01 */
#define   KVM_FEATURE_CLOCKSOURCE_STABLE (1u << 24) /* honour PVCLOCK_TSC_STABLE_BIT */

/* Hyper-V block, offsets from its base (TLFS; Linux include/asm-generic/hyperv-tlfs.h). */
#define HV_CPUID_INTERFACE_OFS       1u          /* EAX interface signature */
#define   HV_INTERFACE_HV1             0x31237648u /* "Hv#1": TLFS semantics for 2..0xff */
#define HV_CPUID_FEATURES_OFS        3u          /* EAX/EBX partition privileges, EDX features */
#define   HV_EAX_TIME_REF_COUNT        (1u << 1)  /* MSR 0x40000020 */
#define   HV_EAX_REFERENCE_TSC         (1u << 9)  /* MSR 0x40000021, TSC page */
#define   HV_EAX_ACCESS_FREQUENCY_MSRS (1u << 11) /* MSRs 0x40000022/23 */
#define   HV_EAX_ACCESS_TSC_INVARIANT  (1u << 15) /* MSR 0x40000118 */
#define   HV_EDX_FREQUENCY_MSRS_AVAILABLE (1u << 8) /* "determining timer frequencies" */

struct cpu_hv_block {
	uint32_t base, max;  /* max = EAX of base: highest leaf of this block */
	char sig[13];        /* EBX,ECX,EDX bytes, may hold NULs ("KVMKVMKVM\0\0\0"); sig[12] = 0 */
	const char *name;    /* cpuid_hv_name(sig) */
	bool sig_swapped;    /* matched only with each register's bytes reversed */
};

struct cpu_info {
	bool valid;                  /* filled by cpuid_decode_all() */
	char vendor[13];             /* EBX,EDX,ECX of leaf 0 */
	char brand[49];              /* 0x80000002..4, leading spaces removed; "" if absent */
	uint32_t max_basic, max_ext; /* max_ext = 0 when the CPU has no extended leaves */
	uint32_t raw_max_ext;        /* EAX of 0x80000000 as returned */
	uint32_t signature;          /* leaf 1 EAX */
	unsigned family, model, stepping;
	bool tsc, rdtscp, invariant_tsc, tsc_adjust, tsc_deadline, x2apic, apic, hypervisor;

	/* Primary hypervisor = first block of the scan (hv[0]); zeros and NULL when none. */
	uint32_t hv_base;
	uint32_t hv_max;
	char hv_signature[13];
	const char *hv_name; /* "kvm","tcg","hyperv","xen","vmware","virtualbox","bhyve","acrn",
	                        "qnx","parallels","unknown", or NULL when no block was found */
	unsigned hv_count;   /* blocks kept in hv[] */
	unsigned hv_dropped; /* sane blocks beyond CPUID_HV_MAX_BLOCKS */
	struct cpu_hv_block hv[CPUID_HV_MAX_BLOCKS];

	uint32_t kvm_base;   /* 0 = no KVM block */
	uint32_t kvm_features, kvm_hints;
	bool kvm_clocksource, kvm_clocksource2, kvm_clocksource_stable;

	uint32_t hyperv_base; /* 0 = no Hyper-V compatible block ("Microsoft Hv" or "Hv#1") */
	uint32_t hyperv_interface;
	uint32_t hyperv_features_eax, hyperv_features_ebx, hyperv_features_edx;
	bool hyperv_time_ref_count, hyperv_ref_tsc_page, hyperv_freq_msrs, hyperv_tsc_invariant;
	bool hyperv_freq_msrs_edx; /* EDX bit 8; Linux wants it as well as EAX bit 11 */
};

/* Executes (or emulates) CPUID: r[0..3] = EAX, EBX, ECX, EDX. */
typedef void (*cpuid_exec_fn)(uint32_t leaf, uint32_t subleaf, uint32_t r[4], void *ctx);

/* Everything below is pure. */

/* 12 bytes from three registers in the given order, little-endian, out[12] = 0. */
void cpuid_regs_to_sig(char out[13], uint32_t r0, uint32_t r1, uint32_t r2);

/* Family/model/stepping from leaf 1 EAX. Family adds the extended family only when the base
 * family is 0xf; model takes the extended model when the base family is 6 or 0xf (Intel SDM;
 * AMD's rule, base family 0xf only, gives the same result on every AMD part). */
void cpuid_decode_fms(uint32_t eax, unsigned *family, unsigned *model, unsigned *stepping);

/* 0x80000000's EAX if it has the extended-range prefix, else 0 (no extended leaves). */
uint32_t cpuid_sanitize_max_ext(uint32_t eax);

/* A hypervisor block is trusted only if its max leaf lies in [base, base + 0xff]: bare metal
 * and hypervisors without that block return other data there (Intel: the highest basic leaf's). */
bool cpuid_hv_block_sane(uint32_t base, uint32_t eax);

/* Name for a 12-byte signature, "unknown" if none matches. Leading/trailing spaces and NULs are
 * ignored (public tables disagree on padding, e.g. "KVMKVMKVM\0\0\0" vs " KVMKVMKVM  ").
 * *swapped (may be NULL) is set when only the per-register byte-reversed form matched. */
const char *cpuid_hv_name(const char sig[12], bool *swapped);

/* Does this leaf exist on the CPU described by c? Basic: <= max_basic. Extended: 0x80000000..
 * max_ext. Hypervisor: inside a block found by the scan and <= that block's max. Anything else
 * (0x20000000, 0xc0000000, ...) is not known to exist. */
bool cpuid_leaf_exists(const struct cpu_info *c, uint32_t leaf);

/* Run the whole identification through fn: vendor, signature, brand, limits, features,
 * hypervisor scan (every block, hypervisor bit or not, sane blocks only), KVM and Hyper-V leaves. */
void cpuid_decode_all(struct cpu_info *c, cpuid_exec_fn fn, void *ctx);

/* Printable one-token form of a fixed-size byte string: bytes outside '!'..'~' and '\' become
 * \xHH ("bhyve\x20bhyve\x20", "KVMKVMKVM\x00\x00\x00"). Returns the length written. */
size_t cpuid_escape(char *out, size_t size, const char *s, size_t len);

/* MSRs that CPUID says exist and are worth reading (read only), in probe order. */
enum {
	MSR_PLAN_UNADVERTISED = 1, /* CPUID does not advertise it: read to see whether it faults */
};
struct msr_plan_item {
	uint32_t index;
	const char *name; /* metric name part: msr.<name> */
	unsigned flags;
};
#define MSR_PLAN_MAX 16
unsigned cpuid_msr_plan(const struct cpu_info *c, struct msr_plan_item *out, unsigned max);

#endif
