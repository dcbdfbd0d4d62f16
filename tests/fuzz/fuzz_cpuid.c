/* libFuzzer target: CPUID decoding (arch/x86/cpuid_decode.c) and TSC frequency hint decoding
 * (time/tsc_hints_decode.c). cpuid_decode_all() runs against a CPU whose leaves come from
 * the input; the hint decoders get the leaves the guest would give them (0x15, 0x16,
 * 0x40000010) and MSR / paravirtual values from the input. Checked: every text field is
 * NUL-terminated inside its array, cpuid_escape() output is printable, fits and round-trips,
 * each hint's Hz is exactly its documented formula when the decoder says it is usable, and
 * every detail string is NUL-terminated within the n bytes it was given (ASan: not beyond).
 *
 * Input: a 48-byte header, then 24-byte leaves (leaf, subleaf, EAX, EBX, ECX, EDX, u32 LE).
 *   0      flags: bits 0-1 what a leaf not in the input returns: 0 zeros, 1 the highest
 *          basic leaf's data (Intel, QEMU TCG), 2 bytes derived from the leaf number, 3 the
 *          leaf number in every register; bit 2 a leaf's subleaf is ignored
 *   1      cpuid_escape() output size
 *   2      cpuid_msr_plan() max (mod MSR_PLAN_MAX + 1)
 *   3      hint detail buffer size
 *   4-11   Hyper-V HV_X64_MSR_TSC_FREQUENCY    12-19  MSR_PLATFORM_INFO
 *   20-23  kvm-clock tsc_to_system_mul         24-27  kvm-clock tsc_shift (int32)
 *   28-39  VMware GETHZ EAX, EBX, ECX          40-43  a leaf for cpuid_leaf_exists()
 *   44-47  unused
 * Seeds: tests/fuzz/corpus/fuzz_cpuid (tests/fuzz/make_corpus.py). */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include "../../lib/fmt.c"
#include "../../arch/x86/cpuid_decode.c"
#include "../../time/pvclock.c"
#include "../../time/tsc_hints_decode.c"
#include "fuzz.h"

#define HDR 48
#define LEAF_LEN 24
#define MAX_CALLS 1024 /* the decoder's whole identification: ~280 leaves */

struct fake {
	const uint8_t *leaves;
	size_t n;
	unsigned policy;
	bool any_subleaf;
	unsigned calls;
};

FUZZ_NOCOV static bool find(const struct fake *f, uint32_t leaf, uint32_t sub, bool any_sub, uint32_t r[4])
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		const uint8_t *p = f->leaves + i * LEAF_LEN;

		if (fuzz_get32(p) == leaf && (any_sub || fuzz_get32(p + 4) == sub)) {
			r[0] = fuzz_get32(p + 8);
			r[1] = fuzz_get32(p + 12);
			r[2] = fuzz_get32(p + 16);
			r[3] = fuzz_get32(p + 20);
			return true;
		}
	}
	return false;
}

static void exec(uint32_t leaf, uint32_t sub, uint32_t r[4], void *ctx)
{
	struct fake *f = ctx;
	uint32_t top[4];
	unsigned i;

	FUZZ_CHECK(++f->calls <= MAX_CALLS, "more than %u CPUID executions", MAX_CALLS);
	if (find(f, leaf, sub, f->any_subleaf, r))
		return;
	switch (f->policy) {
	case 0:
		memset(r, 0, 4 * sizeof(uint32_t));
		break;
	case 1:
		if (find(f, 0, 0, true, top) && find(f, top[0], sub, true, r))
			break;
		memset(r, 0, 4 * sizeof(uint32_t));
		break;
	case 2:
		for (i = 0; i < 4; i++)
			r[i] = (leaf ^ (sub << 7)) * 2654435761u + i * 0x9e3779b9u;
		break;
	default:
		for (i = 0; i < 4; i++)
			r[i] = leaf;
		break;
	}
}

/* cpuid_escape() of len bytes into exactly size bytes: printable, terminated, and decoding
 * the \xHH escapes gives back a prefix of the input. */
FUZZ_NOCOV static void check_escape(const char *s, size_t len, size_t size)
{
	char *out = malloc(size ? size : 1);
	size_t n = cpuid_escape(out, size, s, len), i, k = 0;

	if (!size) {
		FUZZ_CHECK(n == 0, "wrote %zu bytes into none", n);
		free(out);
		return;
	}
	FUZZ_CHECK(n < size && out[n] == 0 && strlen(out) == n, "escape length %zu, size %zu", n, size);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)out[i];

		FUZZ_CHECK(ch >= '!' && ch <= '~', "byte 0x%02x in escaped text", ch);
		if (ch == '\\') {
			unsigned v;

			FUZZ_CHECK(i + 3 < n, "cut escape");
			FUZZ_CHECK(out[i + 1] == 'x' && sscanf(out + i + 2, "%2x", &v) == 1, "bad escape");
			FUZZ_CHECK(k < len && (unsigned char)s[k] == v, "escape does not round-trip");
			i += 3;
		} else {
			FUZZ_CHECK(k < len && s[k] == (char)ch, "plain byte does not round-trip");
		}
		k++;
	}
	free(out);
}

FUZZ_NOCOV static void check_cpu(const struct cpu_info *c, size_t esc)
{
	unsigned i;

	FUZZ_CHECK(c->valid, "not valid after decode");
	FUZZ_CHECK(c->vendor[12] == 0, "vendor not terminated");
	FUZZ_TERMINATED(c->brand, sizeof(c->brand));
	if (c->brand[0])
		FUZZ_CHECK(c->brand[0] != ' ' && c->brand[strlen(c->brand) - 1] != ' ', "brand not trimmed");
	FUZZ_CHECK(c->max_ext == 0 || (c->max_ext & CPUID_EXT_RANGE_MASK) == CPUID_LEAF_EXT_MAX, "max_ext 0x%x",
		   c->max_ext);
	FUZZ_CHECK(c->hv_count <= CPUID_HV_MAX_BLOCKS, "%u blocks", c->hv_count);
	FUZZ_CHECK(c->hv_count || (!c->hv_name && !c->hv_base), "hv_name without a block");
	for (i = 0; i < c->hv_count; i++) {
		const struct cpu_hv_block *b = &c->hv[i];

		FUZZ_CHECK((b->base & CPUID_HV_RANGE_MASK) == CPUID_HV_FIRST && !(b->base & 0xff), "base 0x%x", b->base);
		FUZZ_CHECK(cpuid_hv_block_sane(b->base, b->max), "insane block kept");
		FUZZ_CHECK(i == 0 || b->base > c->hv[i - 1].base, "blocks out of order");
		FUZZ_CHECK(b->sig[12] == 0 && b->name, "signature");
		FUZZ_CHECK(cpuid_leaf_exists(c, b->base) && cpuid_leaf_exists(c, b->max), "own leaves");
		FUZZ_CHECK(!cpuid_leaf_exists(c, b->max + 1) || b->max + 1 > b->base + 0xff, "leaf past max");
		FUZZ_CHECK(!strcmp(cpuid_hv_name(b->sig, NULL), b->name), "name differs without swap flag");
		check_escape(b->sig, 12, esc);
	}
	if (c->hv_count)
		FUZZ_CHECK(c->hv_name == c->hv[0].name && c->hv_base == c->hv[0].base, "primary block");
	if (c->kvm_base)
		FUZZ_CHECK(cpuid_leaf_exists(c, c->kvm_base), "KVM block does not exist");
	if (c->hyperv_base)
		FUZZ_CHECK(cpuid_leaf_exists(c, c->hyperv_base), "Hyper-V block does not exist");
	FUZZ_CHECK(cpuid_leaf_exists(c, CPUID_LEAF_VENDOR), "leaf 0");
	check_escape(c->vendor, 12, esc);
	check_escape(c->brand, strlen(c->brand), esc);
}

FUZZ_NOCOV static void check_plan(const struct cpu_info *c, unsigned max)
{
	struct msr_plan_item *p = malloc((max ? max : 1) * sizeof(*p));
	unsigned n = cpuid_msr_plan(c, p, max), i;

	FUZZ_CHECK(n <= max, "%u plan items for max %u", n, max);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(p[i].name && p[i].name[0], "plan item %u unnamed", i);
	free(p);
}

/* The detail buffer is exactly n bytes: ASan catches a write past it; a terminator inside. */
FUZZ_NOCOV static char *detail_buf(size_t n)
{
	char *d = malloc(n ? n : 1);

	memset(d, 'X', n ? n : 1);
	return d;
}

FUZZ_NOCOV static void check_detail(char *d, size_t n, const char *who)
{
	if (n)
		FUZZ_CHECK(memchr(d, 0, n) != NULL, "%s detail not terminated within %zu", who, n);
	free(d);
}

FUZZ_NOCOV static void check_hint(bool ok, uint64_t hz, bool want_ok, uint64_t want_hz, const char *who)
{
	FUZZ_CHECK(ok == want_ok, "%s usable %d, expected %d (hz %llu)", who, ok, want_ok, (unsigned long long)hz);
	if (ok)
		FUZZ_CHECK(hz == want_hz && hz != 0, "%s hz %llu, expected %llu", who, (unsigned long long)hz,
			   (unsigned long long)want_hz);
}

/* 10^9 * 2^32 / (mul * 2^shift) Hz, exact; UINT64_MAX when the micro-hertz figure (x 10^6)
 * does not fit 64 bits (pvclock.h); 0 when mul is 0 or |shift| > 63. */
FUZZ_NOCOV static uint64_t kvmclock_hz(uint32_t mul, int shift)
{
	unsigned __int128 num = (unsigned __int128)1000000000u << 32, den = mul, uhz;

	if (!mul || shift > 63 || shift < -63)
		return 0;
	if (shift < -45)
		return UINT64_MAX; /* at least 10^9 * 2^46 Hz: far beyond 2^64 micro-hertz */
	if (shift >= 0)
		den <<= shift;
	else
		num <<= -shift; /* < 2^107 */
	uhz = num * 1000000u / den; /* < 2^127 */
	return uhz >= UINT64_MAX ? UINT64_MAX : (uint64_t)(uhz / 1000000u);
}

static void run_hints(const uint8_t *h, struct fake *f)
{
	size_t n = h[3];
	uint64_t hz, v;
	uint32_t r[4], a, b, c;
	int shift;
	char *d;
	bool ok;

	/* The CPUID leaves, as the guest reads them. */
	exec(0x15, 0, r, f);
	d = detail_buf(n);
	hz = 0;
	ok = hint_decode_cpuid15(r[0], r[1], r[2], &hz, d, n);
	check_hint(ok, hz, r[0] && r[1] && r[2] && (uint64_t)r[2] * r[1] / r[0] != 0,
		   r[0] ? (uint64_t)r[2] * r[1] / r[0] : 0, "cpuid15");
	check_detail(d, n, "cpuid15");

	exec(0x16, 0, r, f);
	d = detail_buf(n);
	ok = hint_decode_cpuid16(r[0], r[1], r[2], &hz, d, n);
	check_hint(ok, hz, (r[0] & 0xffff) != 0, (uint64_t)(r[0] & 0xffff) * 1000000u, "cpuid16");
	check_detail(d, n, "cpuid16");

	exec(0x40000010, 0, r, f);
	d = detail_buf(n);
	ok = hint_decode_cpuid_40000010(r[0], r[1], &hz, d, n);
	check_hint(ok, hz, r[0] != 0, (uint64_t)r[0] * 1000u, "cpuid_40000010");
	check_detail(d, n, "cpuid_40000010");

	/* Paravirtual and MSR values straight from the input. */
	v = fuzz_get64(h + 4);
	d = detail_buf(n);
	ok = hint_decode_hyperv(v, &hz, d, n);
	check_hint(ok, hz, v != 0, v, "hyperv");
	check_detail(d, n, "hyperv");

	v = fuzz_get64(h + 12);
	d = detail_buf(n);
	ok = hint_decode_platform_info(v, &hz, d, n);
	check_hint(ok, hz, ((v >> 8) & 0xff) != 0, ((v >> 8) & 0xff) * 100000000ull, "platform_info");
	check_detail(d, n, "platform_info");

	a = fuzz_get32(h + 20);
	shift = (int)fuzz_get32(h + 24);
	d = detail_buf(n);
	ok = hint_decode_kvmclock(a, shift, &hz, d, n);
	check_hint(ok, hz, kvmclock_hz(a, shift) != 0, kvmclock_hz(a, shift), "kvmclock");
	check_detail(d, n, "kvmclock");
	/* The guest's shift is the ABI's int8_t. */
	d = detail_buf(n);
	ok = hint_decode_kvmclock(a, (int8_t)shift, &hz, d, n);
	check_hint(ok, hz, kvmclock_hz(a, (int8_t)shift) != 0, kvmclock_hz(a, (int8_t)shift), "kvmclock int8");
	check_detail(d, n, "kvmclock int8");

	a = fuzz_get32(h + 28);
	b = fuzz_get32(h + 32);
	c = fuzz_get32(h + 36);
	d = detail_buf(n);
	ok = hint_decode_vmware(a, b, c, &hz, d, n);
	v = a | (uint64_t)b << 32;
	check_hint(ok, hz, b != VMWARE_GETHZ_FAILED && v != 0, v, "vmware");
	check_detail(d, n, "vmware");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake f;
	struct cpu_info c;
	char *sig;
	bool swapped;

	if (size < HDR)
		return 0;
	f.leaves = data + HDR;
	f.n = (size - HDR) / LEAF_LEN;
	f.policy = data[0] & 3;
	f.any_subleaf = data[0] & 4;
	f.calls = 0;
	cpuid_decode_all(&c, exec, &f);
	check_cpu(&c, data[1]);
	check_plan(&c, data[2] % (MSR_PLAN_MAX + 1));
	(void)cpuid_leaf_exists(&c, fuzz_get32(data + 40));

	/* cpuid_hv_name() on 12 bytes of exactly 12 bytes (it must not read a 13th). */
	sig = malloc(12);
	memcpy(sig, data + 28, 12);
	FUZZ_CHECK(cpuid_hv_name(sig, &swapped) != NULL, "no name");
	check_escape(sig, 12, data[1]);
	free(sig);

	run_hints(data, &f);
	return 0;
}
