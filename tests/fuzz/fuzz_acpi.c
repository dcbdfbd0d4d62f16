/* libFuzzer target: ACPI table parsing (arch/x86/acpi_tables.c) and the guest's walker
 * (arch/x86/acpi.c), under the exact contract arch/x86/acpi.c gives the decoders:
 *   - RSDP: bytes are copied in steps (20, then what acpi_rsdp_bytes_needed() asks for) and
 *     acpi_rsdp_decode() sees only the bytes copied so far;
 *   - a table: its 36 header bytes are copied and checked (acpi_check_header), and only if the
 *     header passes are Length bytes copied, checksummed and decoded.
 * Here every copy is a heap buffer of exactly the bytes the caller would have, so reading one
 * byte past what the length fields allow is an ASan report, not a silent read of stale data.
 *
 * Input: byte 0 = flags, the rest = memory.
 *   flags bit 0  fix every checksum before it is checked (lets the fuzzer past the sums)
 *   flags bit 1  memory is a physical memory image at FUZZ_PHYS_BASE with the RSDP at its
 *                start: acpi_probe() walks it (pointers are FUZZ_PHYS_BASE + offset; a read
 *                outside the image faults, as memcpy_safe reports a #PF)
 *                else memory is a stream of tables back to back (each Length long), every one
 *                checked, decoded with all three decoders and absorbed into one acpi_info,
 *                and the first bytes are also decoded as an RSDP
 *   flags bits 2-3  stream mode: the signature the header check expects (none, XSDT, RSDT, DSDT)
 * Seeds: tests/fuzz/corpus/fuzz_acpi (tests/fuzz/make_corpus.py); memory images up to 8 KiB:
 * fuzz-options: -max_len=8192
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include "../../lib/fmt.c"
#include "../../lib/report.c"
#include "../../arch/x86/acpi_tables.c"
#include "../../arch/x86/acpi.c"
#include "fuzz.h"

#define FUZZ_PHYS_BASE 0x100000u
#define PF_VECTOR 14

static uint8_t *mem;
static size_t mem_len;
static bool fix_sums;

/* A fixed checksum byte so that the n bytes at t sum to 0. */
static void fix_sum(uint8_t *t, size_t n, size_t sum_at)
{
	if (sum_at >= n)
		return;
	t[sum_at] = 0;
	t[sum_at] = (uint8_t)(0x100 - acpi_sum(t, n));
}

/* The guest's fault-safe copy over the fake memory: anything outside it faults. With
 * fix_sums, a copy of a whole table (Length bytes at an address whose header says Length)
 * gets its checksum fixed first, so the walker's decoders see trusted tables. */
int memcpy_safe(void *dst, const void *src, size_t n)
{
	uintptr_t a = (uintptr_t)src;
	size_t off;

	if (a < FUZZ_PHYS_BASE || a - FUZZ_PHYS_BASE > mem_len || n > mem_len - (a - FUZZ_PHYS_BASE))
		return PF_VECTOR + 1;
	off = a - FUZZ_PHYS_BASE;
	if (fix_sums && n > ACPI_HDR_LEN && acpi_get32(mem + off + ACPI_HDR_LENGTH) == n)
		fix_sum(mem + off, n, ACPI_HDR_CHECKSUM);
	memcpy(dst, mem + off, n);
	return 0;
}

const char *exception_name(unsigned v)
{
	return v == PF_VECTOR ? "#PF" : "other";
}

FUZZ_NOCOV static void check_info(const struct acpi_info *a)
{
	FUZZ_TERMINATED(a->rsdp_oem, sizeof(a->rsdp_oem));
	FUZZ_TERMINATED(a->pm_tmr_note, sizeof(a->pm_tmr_note));
	FUZZ_CHECK(a->tables_untrusted <= a->tables_seen, "%u untrusted of %u", a->tables_untrusted,
		   a->tables_seen);
	FUZZ_CHECK(a->hpet_untrusted <= a->tables_untrusted, "%u", a->hpet_untrusted);
	FUZZ_CHECK(a->apic_ids_listed <= ACPI_MADT_MAX_IDS, "%u APIC IDs listed", a->apic_ids_listed);
	if (a->madt_present)
		FUZZ_CHECK(a->apic_ids_listed == (a->cpu_count < ACPI_MADT_MAX_IDS ? a->cpu_count : ACPI_MADT_MAX_IDS),
			   "%u listed of %u CPUs", a->apic_ids_listed, a->cpu_count);
	if (a->fadt_present) {
		FUZZ_CHECK(a->pm_tmr_source != NULL, "FADT without a PM timer source");
		FUZZ_CHECK(a->pm_tmr_bits == 24 || a->pm_tmr_bits == 32, "%u bits", a->pm_tmr_bits);
		/* A hardware-reduced FADT's PM timer is used when given (Cloud Hypervisor gives one,
		 * Linux uses it), but never silently: the note says so. */
		FUZZ_CHECK(!a->pm_tmr_port || !a->hw_reduced || a->pm_tmr_note[0],
			   "HW_REDUCED FADT with PM timer port 0x%x and no note", a->pm_tmr_port);
	}
	if (a->hpet_present)
		FUZZ_CHECK(a->hpet_base != 0, "HPET present at base 0");
	if (a->hpet_conflicts)
		FUZZ_CHECK(a->hpet_present && (a->hpet_conflict_base != a->hpet_base ||
					       a->hpet_conflict_block_id != a->hpet_block_id),
			   "HPET conflict that agrees with the table in use");
}

FUZZ_NOCOV static void check_verdict(const struct acpi_check *c)
{
	FUZZ_TERMINATED(c->why, sizeof(c->why));
	FUZZ_TERMINATED(c->h.signature, sizeof(c->h.signature));
	FUZZ_TERMINATED(c->h.oem_id, sizeof(c->h.oem_id));
	FUZZ_TERMINATED(c->h.oem_table_id, sizeof(c->h.oem_table_id));
	FUZZ_CHECK(c->trusted || c->why[0], "untrusted without a reason");
	FUZZ_CHECK(!c->trusted || !c->why[0], "trusted with a reason: %s", c->why);
}

/* acpi.c's read_rsdp(): copy 20 bytes, then as many as acpi_rsdp_bytes_needed() asks for,
 * each step into a buffer of exactly the bytes copied. */
static void run_rsdp(const uint8_t *img, size_t len)
{
	uint8_t b[ACPI_RSDP_MAX_LEN], *exact;
	size_t n = 0, need = RSDP_V1_LEN;
	struct acpi_rsdp r;

	memset(b, 0, sizeof(b));
	while (need > n) {
		FUZZ_CHECK(need <= ACPI_RSDP_MAX_LEN, "RSDP asks for %zu bytes", need);
		if (need > len)
			return; /* the guest's copy faults: "bytes n..need-1 unreadable" */
		memcpy(b + n, img + n, need - n);
		n = need;
		if (fix_sums) {
			fix_sum(b, RSDP_V1_LEN, RSDP_CHECKSUM);
			if (n >= RSDP_V2_LEN && b[RSDP_REVISION] >= 2)
				fix_sum(b, n, RSDP_EXTENDED_CHECKSUM);
		}
		exact = malloc(n);
		memcpy(exact, b, n);
		need = acpi_rsdp_bytes_needed(exact, n);
		free(exact);
	}
	exact = malloc(n);
	memcpy(exact, b, n);
	if (acpi_rsdp_decode(exact, n, &r))
		FUZZ_CHECK(r.rsdt || r.xsdt, "valid RSDP without a root table");
	FUZZ_TERMINATED(r.why, sizeof(r.why));
	FUZZ_TERMINATED(r.oem_id, sizeof(r.oem_id));
	free(exact);
}

/* Every decoder on a copy of exactly Length bytes, whatever the signature: each one checks
 * the length itself, so none may read past it. */
static void run_decoders(const uint8_t *t, const struct acpi_check *checked)
{
	struct acpi_check c;
	struct acpi_fadt f;
	struct acpi_hpet h;
	struct acpi_madt m;

	c = *checked;
	if (acpi_fadt_decode(t, &c, &f)) {
		FUZZ_TERMINATED(f.pm_tmr_note, sizeof(f.pm_tmr_note));
		FUZZ_CHECK(f.pm_tmr_source != NULL, "no PM timer source");
	}
	check_verdict(&c);
	c = *checked;
	acpi_hpet_decode(t, &c, &h);
	check_verdict(&c);
	c = *checked;
	if (acpi_madt_decode(t, &c, &m))
		FUZZ_CHECK(m.ids_listed <= ACPI_MADT_MAX_IDS && m.ids_listed <= m.cpus_enabled,
			   "%u listed of %u", m.ids_listed, m.cpus_enabled);
	check_verdict(&c);
}

/* Tables back to back, each handled as acpi.c's fetch() + probe_table()/root_table() do. */
static void run_stream(const uint8_t *img, size_t len, const char *expect)
{
	struct acpi_info ai;
	size_t off = 0;

	memset(&ai, 0, sizeof(ai));
	while (len - off >= ACPI_HDR_LEN) {
		uint8_t *hdr = malloc(ACPI_HDR_LEN), *t = NULL;
		struct acpi_check c;
		uint32_t tlen;
		size_t step = ACPI_HDR_LEN;

		memcpy(hdr, img + off, ACPI_HDR_LEN);
		if (acpi_check_header(hdr, expect, &c)) {
			tlen = c.h.length;
			FUZZ_CHECK(tlen >= ACPI_HDR_LEN && tlen <= ACPI_TABLE_MAX_LEN, "length %u passed", tlen);
			if (tlen <= len - off) {
				step = tlen;
				t = malloc(tlen);
				memcpy(t, img + off, tlen);
				if (fix_sums)
					fix_sum(t, tlen, ACPI_HDR_CHECKSUM);
				if (acpi_check_sum(t, &c)) {
					bool xsdt = !memcmp(t, "XSDT", 4);

					if (xsdt || !memcmp(t, "RSDT", 4)) {
						unsigned i, n = acpi_root_count(tlen, xsdt);

						acpi_root_check(&c, xsdt);
						for (i = 0; i < n; i++)
							(void)acpi_root_entry(t, xsdt, i);
					}
					run_decoders(t, &c);
				} else {
					free(t);
					t = NULL;
				}
			} else {
				acpi_distrust(&c, "%u bytes unreadable (#PF)", tlen);
			}
		}
		acpi_absorb(&ai, FUZZ_PHYS_BASE + off, t, &c);
		check_verdict(&c);
		FUZZ_CHECK(c.use != NULL, "absorbed without a use");
		check_info(&ai);
		free(t);
		free(hdr);
		off += step;
	}
}

static void run_probe(const uint8_t *img, size_t len)
{
	mem = malloc(len ? len : 1);
	memcpy(mem, img, len);
	mem_len = len;
	if (fix_sums && len >= RSDP_V1_LEN) {
		fix_sum(mem, RSDP_V1_LEN, RSDP_CHECKSUM);
		if (mem[RSDP_REVISION] >= 2 && len >= RSDP_V2_LEN) {
			uint32_t n = acpi_get32(mem + RSDP_LENGTH);

			fix_sum(mem, n >= RSDP_V2_LEN && n <= len ? n : RSDP_V2_LEN, RSDP_EXTENDED_CHECKSUM);
		}
	}
	acpi_probe(FUZZ_PHYS_BASE, 0);
	check_info(&acpi);
	free(mem);
	mem = NULL;
	mem_len = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const expects[4] = { NULL, "XSDT", "RSDT", "DSDT" };
	uint8_t flags;

	if (size < 1)
		return 0;
	report_set_sink(fuzz_sink);
	flags = data[0];
	fix_sums = flags & 1;
	if (flags & 2) {
		run_probe(data + 1, size - 1);
	} else {
		run_rsdp(data + 1, size - 1);
		run_stream(data + 1, size - 1, expects[(flags >> 2) & 3]);
	}
	return 0;
}
