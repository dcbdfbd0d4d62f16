/* Walks the firmware's ACPI tables and reports them. All decisions are in acpi_tables.c;
 * this file only copies bytes out of (identity-mapped) firmware memory with memcpy_safe,
 * so a pointer into unmapped memory becomes an "untrusted" finding instead of a crash,
 * and every table is checked and decoded from one private copy. */
#include "acpi.h"
#include "cpu.h"
#include "../../lib/fmt.h"
#include "../../lib/mem.h"
#include "../../lib/report.h"

#define ACPI_MAX_TABLES   128 /* root table entries we walk; real firmware lists < 64 */
#define ACPI_FINDINGS_LEN 400 /* the acpi.tables.checksums failure message */

struct acpi_info acpi;

/* One table at a time: copied whole, then checksummed and decoded from the copy. */
static uint8_t table_buf[ACPI_TABLE_MAX_LEN] __attribute__((aligned(16)));
static uint64_t entries[ACPI_MAX_TABLES];
static char findings[ACPI_FINDINGS_LEN];
static char names_seen[ACPI_MAX_TABLES + 4][5];
static unsigned names_n;

static const void *phys(uint64_t addr)
{
	return (const void *)(uintptr_t)addr;
}

/* Copy the table at addr into table_buf and check header and checksum.
 * Returns the copy, or 0 (c says why) if it must not be used. */
static const uint8_t *fetch(uint64_t addr, const char *expect, struct acpi_check *c)
{
	uint8_t hdr[ACPI_HDR_LEN];
	int f;

	memset(c, 0, sizeof(*c));
	if (!addr) {
		acpi_distrust(c, "null pointer");
		return 0;
	}
	f = memcpy_safe(hdr, phys(addr), sizeof(hdr));
	if (f) {
		acpi_distrust(c, "header unreadable (%s)", exception_name(FAULT_VECTOR(f)));
		return 0;
	}
	if (!acpi_check_header(hdr, expect, c))
		return 0;
	f = memcpy_safe(table_buf, phys(addr), c->h.length);
	if (f) {
		acpi_distrust(c, "%u bytes unreadable (%s)", c->h.length, exception_name(FAULT_VECTOR(f)));
		return 0;
	}
	return acpi_check_sum(table_buf, c) ? table_buf : 0;
}

/* Info name for a table: acpi.table.<sig>, with .2, .3 ... for later tables of one signature. */
static const char *table_name(const struct acpi_check *c, const char *expect)
{
	static char name[40];
	char sig[5];
	unsigned i, same = 1;

	if (c->header_read || expect)
		acpi_sig_name(sig, c->header_read ? c->h.signature : expect);
	else
		memcpy(sig, "none", sizeof(sig)); /* no header read, nothing expected */
	for (i = 0; i < names_n; i++)
		same += !strcmp(names_seen[i], sig);
	if (names_n < sizeof(names_seen) / sizeof(names_seen[0]))
		memcpy(names_seen[names_n++], sig, sizeof(sig));
	if (same > 1)
		cp_snprintf(name, sizeof(name), "acpi.table.%s.%u", sig, same);
	else
		cp_snprintf(name, sizeof(name), "acpi.table.%s", sig);
	return name;
}

static void report_table(uint64_t addr, const char *expect, const struct acpi_check *c)
{
	const char *name = table_name(c, expect);
	const struct acpi_header *h = &c->h;
	char where[160];
	size_t n = 0, cap = sizeof(findings);

	if (c->header_read)
		cp_snprintf(where, sizeof(where), "%s at 0x%llx length %u revision %u oem \"%s\" \"%s\" oem_rev 0x%x",
			    h->signature, (unsigned long long)addr, h->length, h->revision, h->oem_id,
			    h->oem_table_id, h->oem_revision);
	else
		cp_snprintf(where, sizeof(where), "%s at 0x%llx", expect ? expect : "table",
			    (unsigned long long)addr);
	if (c->trusted) {
		info(name, "trusted, %s: %s", c->use ? c->use : "checked", where);
		return;
	}
	info(name, "untrusted: %s: %s, %s", c->why, where, c->use ? c->use : "not used");
	n = strlen(findings);
	if (n + 1 < cap)
		cp_snprintf(findings + n, cap - n, "%s%s at 0x%llx %s", n ? "; " : "",
			    c->header_read ? h->signature : expect ? expect : "table",
			    (unsigned long long)addr, c->why);
}

static void probe_table(uint64_t addr, const char *expect)
{
	struct acpi_check c;
	const uint8_t *t = fetch(addr, expect, &c);

	acpi_absorb(&acpi, addr, t, &c);
	report_table(addr, expect, &c);
}

/* Check a root table; if walk, probe every table it lists. Returns whether it was trusted. */
static bool root_table(uint64_t addr, bool xsdt, bool walk)
{
	const char *sig = xsdt ? "XSDT" : "RSDT";
	struct acpi_check c;
	const uint8_t *t = fetch(addr, sig, &c);
	unsigned n = 0, i;

	if (t)
		acpi_root_check(&c, xsdt);
	acpi_absorb(&acpi, addr, 0, &c);
	if (c.trusted) {
		n = acpi_root_count(c.h.length, xsdt);
		if (n > ACPI_MAX_TABLES)
			n = ACPI_MAX_TABLES;
		/* Take the entries out before table_buf is reused for the tables they point to. */
		for (i = 0; i < n; i++)
			entries[i] = acpi_root_entry(t, xsdt, i);
		c.use = walk ? "walked" : "not walked, XSDT preferred";
	}
	report_table(addr, sig, &c);
	if (!c.trusted || !walk)
		return c.trusted;
	acpi.root_valid = true;
	acpi.xsdt_used = xsdt;
	if (acpi_root_count(c.h.length, xsdt) > n)
		info("acpi.root.not_walked", "%u entries beyond the first %u",
		     acpi_root_count(c.h.length, xsdt) - n, n);
	for (i = 0; i < n; i++)
		probe_table(entries[i], 0);
	return true;
}

static bool read_rsdp(uint64_t addr, struct acpi_rsdp *r)
{
	uint8_t b[ACPI_RSDP_MAX_LEN];
	size_t n = 0, need = RSDP_V1_LEN;
	int f;

	while (need > n) {
		f = memcpy_safe(b + n, phys(addr + n), need - n);
		if (f) {
			memset(r, 0, sizeof(*r));
			cp_snprintf(r->why, sizeof(r->why), "bytes %u..%u unreadable (%s)", (unsigned)n,
				    (unsigned)need - 1, exception_name(FAULT_VECTOR(f)));
			return false;
		}
		n = need;
		need = acpi_rsdp_bytes_needed(b, n);
	}
	return acpi_rsdp_decode(b, n, r);
}

static void report_metrics(void)
{
	const struct acpi_info *a = &acpi;
	char ids[ACPI_MADT_MAX_IDS * 11 + 32];
	size_t n = 0;
	unsigned i;

	metric_u64("acpi.xsdt", a->xsdt_used, "bool");
	metric_u64("acpi.tables", a->tables_seen, "count");
	metric_u64("acpi.tables_untrusted", a->tables_untrusted, "count");
	if (a->fadt_present) {
		metric_u64("acpi.fadt.revision", a->fadt_revision, "rev");
		metric_u64("acpi.fadt.length", a->fadt_length, "bytes");
		metric_hex("acpi.fadt.pm_tmr_port", a->pm_tmr_port, "port");
		metric_u64("acpi.fadt.pm_tmr_bits", a->pm_tmr_bits, "bits");
		info("acpi.fadt.pm_tmr_source", "%s", a->pm_tmr_source);
		if (a->pm_tmr_note[0])
			info("acpi.fadt.pm_tmr_note", "%s", a->pm_tmr_note);
		metric_hex("acpi.fadt.century_index", a->century_index, "hex");
		metric_hex("acpi.fadt.iapc_boot_flags", a->iapc_boot_flags, "hex");
		metric_u64("acpi.fadt.no_cmos_rtc", a->no_cmos_rtc, "bool");
		metric_hex("acpi.fadt.flags", a->fadt_flags, "hex");
		metric_u64("acpi.fadt.hw_reduced", a->hw_reduced, "bool");
	}
	if (a->dsdt_decoded) {
		if (a->s5_present)
			info("acpi.dsdt.s5", "SLP_TYPa %u SLP_TYPb %u", a->s5_slp_typa, a->s5_slp_typb);
		else
			info("acpi.dsdt.s5", "no \\_S5 package: no ACPI soft-off");
	}
	metric_u64("acpi.hpet.present", a->hpet_present, "bool");
	if (a->hpet_present) {
		metric_hex("acpi.hpet.base", a->hpet_base, "addr");
		metric_hex("acpi.hpet.block_id", a->hpet_block_id, "hex");
		metric_u64("acpi.hpet.number", a->hpet_number, "index");
		metric_u64("acpi.hpet.min_tick", a->hpet_min_tick, "ticks");
		metric_hex("acpi.hpet.page_protection", a->hpet_page_protection, "hex");
		metric_u64("acpi.hpet.conflicts", a->hpet_conflicts, "count");
		if (a->hpet_conflicts)
			info("acpi.hpet.conflict", "%u later HPET table%s disagree%s with the first: table at 0x%llx "
			     "base 0x%llx block_id 0x%x number %u ignored; using table at 0x%llx base 0x%llx "
			     "block_id 0x%x number %u (the first HPET table, the one Linux uses)",
			     a->hpet_conflicts, a->hpet_conflicts == 1 ? "" : "s", a->hpet_conflicts == 1 ? "s" : "",
			     (unsigned long long)a->hpet_conflict_table_addr,
			     (unsigned long long)a->hpet_conflict_base, a->hpet_conflict_block_id,
			     a->hpet_conflict_number, (unsigned long long)a->hpet_table_addr,
			     (unsigned long long)a->hpet_base, a->hpet_block_id, a->hpet_number);
	}
	if (a->madt_present) {
		metric_u64("acpi.madt.cpus", a->cpu_count, "count");
		metric_u64("acpi.madt.cpus_disabled", a->cpus_disabled, "count");
		metric_u64("acpi.madt.cpus_online_capable", a->cpus_online_capable, "count");
		metric_hex("acpi.madt.lapic_base", a->lapic_base, "addr");
		metric_u64("acpi.madt.lapic_override", a->lapic_override, "bool");
		metric_hex("acpi.madt.flags", a->madt_flags, "hex");
		ids[0] = '\0';
		for (i = 0; i < a->apic_ids_listed && n + 12 < sizeof(ids); i++)
			n += (size_t)cp_snprintf(ids + n, sizeof(ids) - n, "%s%u", i ? " " : "",
						 a->apic_ids[i]);
		if (a->cpu_count > a->apic_ids_listed)
			cp_snprintf(ids + n, sizeof(ids) - n, " (+%u not listed)",
				    a->cpu_count - a->apic_ids_listed);
		info("acpi.madt.apic_ids", "%s", ids);
	}
}

static void report_checks(bool walked)
{
	const struct acpi_info *a = &acpi;

	if (!walked) {
		check_skip("acpi.tables.checksums", "no RSDT/XSDT to walk");
		check_skip("acpi.fadt", "no RSDT/XSDT to walk");
		check_skip("acpi.hpet", "no RSDT/XSDT to walk");
		check_skip("acpi.madt", "no RSDT/XSDT to walk");
		return;
	}
	check(!a->tables_untrusted, "acpi.tables.checksums", "%u of %u tables untrusted: %s",
	      a->tables_untrusted, a->tables_seen, findings);
	/* The FADT is mandatory on every ACPI system, hardware-reduced ones included. */
	check(a->fadt_present, "acpi.fadt", "no trusted FACP table");
	/* No HPET is a configuration, not an error; a refused one is already a failure above. */
	if (a->hpet_present)
		check_pass("acpi.hpet");
	else if (a->hpet_untrusted)
		check_skip("acpi.hpet", "no trusted HPET table (%u untrusted)", a->hpet_untrusted);
	else
		check_skip("acpi.hpet", "no HPET table");
	if (!a->madt_present)
		check_fail("acpi.madt", "no trusted APIC table");
	else
		check(a->cpu_count >= 1 && !a->duplicate_apic_ids, "acpi.madt",
		      "%u enabled CPUs, %u duplicate APIC IDs", a->cpu_count, a->duplicate_apic_ids);
}

void acpi_probe(uint64_t rsdp_phys, const char *absent_why)
{
	struct acpi_rsdp r;
	bool walked = false;

	memset(&acpi, 0, sizeof(acpi));
	findings[0] = '\0';
	names_n = 0;
	if (!rsdp_phys) {
		/* UEFI must give one; a direct-boot VMM without ACPI need not (absent_why says so). */
		acpi.none_why = absent_why;
		if (absent_why)
			check_skip("acpi.rsdp", "%s", absent_why);
		else
			check_fail("acpi.rsdp", "the firmware gave no RSDP");
		report_checks(false);
		return;
	}
	acpi.rsdp_valid = read_rsdp(rsdp_phys, &r);
	acpi.rsdp_revision = r.revision;
	memcpy(acpi.rsdp_oem, r.oem_id, sizeof(acpi.rsdp_oem));
	acpi.rsdt_addr = r.rsdt;
	acpi.xsdt_addr = r.xsdt;
	if (r.signature_ok) {
		metric_u64("acpi.rsdp.revision", r.revision, "rev");
		info("acpi.rsdp.oem", "%s", r.oem_id);
		metric_hex("acpi.rsdp.rsdt", r.rsdt, "addr");
		metric_hex("acpi.rsdp.xsdt", r.xsdt, "addr");
	}
	check(acpi.rsdp_valid, "acpi.rsdp", "RSDP at 0x%llx: %s", (unsigned long long)rsdp_phys, r.why);

	/* XSDT first (ACPI 6.5 5.2.5.3: OSPM uses it when present); the RSDT when the XSDT
	 * is absent or untrusted, or when only the 20-byte ACPI 1.0 part of the RSDP checks. */
	if (acpi.rsdp_valid && r.xsdt)
		walked = root_table(r.xsdt, true, true);
	if (r.v1_valid && root_table(r.rsdt, false, !walked))
		walked = true;
	if (acpi.fadt_present && acpi.dsdt_addr)
		probe_table(acpi.dsdt_addr, "DSDT");
	report_metrics();
	report_checks(walked);
}
