/* Host tests of ACPI discovery. Synthetic RSDP/XSDT/RSDT/FADT/HPET/MADT bytes go through
 * the pure decoders (arch/x86/acpi_tables.c) and, placed in a fake physical memory, through
 * the guest's own walker (arch/x86/acpi.c), whose memcpy_safe is replaced here by one that
 * faults (returns #PF + 1) outside the fake memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../lib/report.c"
#include "../../arch/x86/acpi_tables.c"
#include "../../arch/x86/acpi.c"

/* ---- fake physical memory and the guest primitives acpi.c uses ---- */

#define RAM_BASE 0x100000u
#define RAM_SIZE (256u * 1024u)
#define PF_VECTOR 14
static uint8_t ram[RAM_SIZE];

int memcpy_safe(void *dst, const void *src, size_t n)
{
	uintptr_t a = (uintptr_t)src;

	if (a < RAM_BASE || a - RAM_BASE > RAM_SIZE || n > RAM_SIZE - (a - RAM_BASE))
		return PF_VECTOR + 1;
	memcpy(dst, ram + (a - RAM_BASE), n);
	return 0;
}

const char *exception_name(unsigned v)
{
	return v == PF_VECTOR ? "#PF" : "other";
}

static uint8_t *at(uint64_t phys)
{
	assert_true(phys >= RAM_BASE && phys < RAM_BASE + RAM_SIZE);
	return ram + (phys - RAM_BASE);
}

/* ---- captured log ---- */

#include "capture.h"

static int setup(void **state)
{
	(void)state;
	memset(ram, 0, sizeof(ram));
	capture_start();
	report_begin("test");
	return 0;
}

#define assert_log(s) assert_non_null(strstr(out, s))
#define assert_no_log(s) assert_null(strstr(out, s))

/* ---- table builders ---- */

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void fix_sum(uint8_t *t, size_t n, size_t sum_at)
{
	t[sum_at] = 0;
	t[sum_at] = (uint8_t)(0x100 - acpi_sum(t, n));
}

/* Header with a correct checksum once the body is written and seal() is called. */
static uint8_t *header(uint8_t *t, const char *sig, uint8_t rev, uint32_t len)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + ACPI_HDR_LENGTH, len);
	t[ACPI_HDR_REVISION] = rev;
	memcpy(t + ACPI_HDR_OEMID, "TESTOE", 6);
	memcpy(t + ACPI_HDR_OEM_TABLE_ID, "TABLE   ", 8);
	put32(t + ACPI_HDR_OEM_REVISION, 7);
	return t;
}

static void seal(uint8_t *t)
{
	fix_sum(t, acpi_get32(t + ACPI_HDR_LENGTH), ACPI_HDR_CHECKSUM);
}

static void gas(uint8_t *p, uint8_t space, uint64_t addr)
{
	p[GAS_ADDRESS_SPACE_ID] = space;
	p[GAS_REGISTER_BIT_WIDTH] = 32;
	put64(p + GAS_ADDRESS, addr);
}

static uint32_t fadt(uint8_t *t, uint8_t rev, uint32_t len, uint32_t pm_tmr_blk, uint32_t flags)
{
	header(t, "FACP", rev, len);
	put32(t + FADT_PM_TMR_BLK, pm_tmr_blk);
	t[FADT_PM_TMR_LEN] = 4;
	t[FADT_CENTURY] = 0x32;
	put16(t + FADT_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_8042);
	put32(t + FADT_FLAGS, flags);
	seal(t);
	return len;
}

static uint32_t hpet(uint8_t *t, uint8_t space, uint64_t base)
{
	header(t, "HPET", 1, HPET_TABLE_LEN);
	put32(t + HPET_EVENT_TIMER_BLOCK_ID, 0x8086a201);
	gas(t + HPET_BASE_ADDRESS, space, base);
	t[HPET_NUMBER] = 0;
	put16(t + HPET_MIN_CLOCK_TICK, 128);
	t[HPET_PAGE_PROTECTION] = 0;
	seal(t);
	return HPET_TABLE_LEN;
}

/* MADT builder: entries appended one by one, length patched as we go. */
static uint32_t madt_begin(uint8_t *t)
{
	header(t, "APIC", 1, MADT_ENTRIES);
	put32(t + MADT_LOCAL_APIC_ADDRESS, 0xfee00000);
	put32(t + MADT_FLAGS, MADT_FLAG_PCAT_COMPAT);
	return MADT_ENTRIES;
}

static uint32_t madt_add(uint8_t *t, uint32_t len, const uint8_t *e, uint8_t elen)
{
	memcpy(t + len, e, elen);
	len += elen;
	put32(t + ACPI_HDR_LENGTH, len);
	seal(t);
	return len;
}

static uint32_t madt_lapic(uint8_t *t, uint32_t len, uint8_t uid, uint8_t id, uint32_t flags)
{
	uint8_t e[MADT_LAPIC_LEN] = { MADT_TYPE_LOCAL_APIC, MADT_LAPIC_LEN, uid, id };

	put32(e + MADT_LAPIC_FLAGS, flags);
	return madt_add(t, len, e, sizeof(e));
}

static uint32_t madt_x2apic(uint8_t *t, uint32_t len, uint32_t id, uint32_t flags)
{
	uint8_t e[MADT_X2APIC_LEN] = { MADT_TYPE_LOCAL_X2APIC, MADT_X2APIC_LEN };

	put32(e + MADT_X2APIC_ID, id);
	put32(e + MADT_X2APIC_FLAGS, flags);
	return madt_add(t, len, e, sizeof(e));
}

static uint32_t madt_ioapic(uint8_t *t, uint32_t len)
{
	uint8_t e[12] = { 1, 12, 0, 0 }; /* type 1 I/O APIC: not decoded, only walked over */

	put32(e + 4, 0xfec00000);
	return madt_add(t, len, e, sizeof(e));
}

static void rsdp(uint8_t *b, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(b, 0, RSDP_V2_LEN);
	memcpy(b, ACPI_RSDP_SIGNATURE, 8);
	memcpy(b + RSDP_OEMID, "TESTOE", 6);
	b[RSDP_REVISION] = rev;
	put32(b + RSDP_RSDT_ADDRESS, rsdt);
	fix_sum(b, RSDP_V1_LEN, RSDP_CHECKSUM);
	if (rev >= 2) {
		put32(b + RSDP_LENGTH, RSDP_V2_LEN);
		put64(b + RSDP_XSDT_ADDRESS, xsdt);
		fix_sum(b, RSDP_V2_LEN, RSDP_EXTENDED_CHECKSUM);
	}
}

static uint32_t root(uint8_t *t, bool xsdt, const uint64_t *e, unsigned n)
{
	uint32_t w = xsdt ? XSDT_ENTRY_LEN : RSDT_ENTRY_LEN, len = ACPI_HDR_LEN + n * w;
	unsigned i;

	header(t, xsdt ? "XSDT" : "RSDT", 1, len);
	for (i = 0; i < n; i++) {
		if (xsdt)
			put64(t + ACPI_HDR_LEN + i * w, e[i]);
		else
			put32(t + ACPI_HDR_LEN + i * w, (uint32_t)e[i]);
	}
	seal(t);
	return len;
}

static bool check_table(const uint8_t *t, struct acpi_check *c)
{
	return acpi_check_header(t, 0, c) && acpi_check_sum(t, c);
}

/* ---- pure decoder tests ---- */

static void test_rsdp(void **state)
{
	uint8_t b[ACPI_RSDP_MAX_LEN];
	struct acpi_rsdp r;

	(void)state;
	rsdp(b, 2, 0x1000, 0x123456789ull);
	assert_int_equal(acpi_rsdp_bytes_needed(b, 20), 36);
	assert_int_equal(acpi_rsdp_bytes_needed(b, 36), 36);
	assert_true(acpi_rsdp_decode(b, 36, &r));
	assert_int_equal(r.revision, 2);
	assert_int_equal(r.rsdt, 0x1000);
	assert_true(r.xsdt == 0x123456789ull);
	assert_string_equal(r.oem_id, "TESTOE");

	/* Truncated read: the decoder refuses instead of reading past n. */
	assert_false(acpi_rsdp_decode(b, 20, &r));
	assert_true(r.v1_valid);

	/* Extended checksum broken: the ACPI 1.0 part (RSDT) stays usable. */
	b[RSDP_XSDT_ADDRESS] ^= 1;
	assert_false(acpi_rsdp_decode(b, 36, &r));
	assert_true(r.v1_valid);
	assert_non_null(strstr(r.why, "bad extended checksum"));

	/* Revision 0: 20 bytes only; XSDT fields are not looked at. */
	rsdp(b, 0, 0x2000, 0);
	memset(b + 20, 0xee, 16);
	assert_int_equal(acpi_rsdp_bytes_needed(b, 20), 20);
	assert_true(acpi_rsdp_decode(b, 20, &r));
	assert_int_equal(r.xsdt, 0);

	/* First checksum and signature. */
	rsdp(b, 0, 0x2000, 0);
	b[RSDP_RSDT_ADDRESS] ^= 0x10;
	assert_false(acpi_rsdp_decode(b, 20, &r));
	assert_false(r.v1_valid);
	assert_string_equal(r.why, "bad checksum (sum 0x10)");
	rsdp(b, 0, 0x2000, 0);
	b[0] = 'X';
	assert_false(acpi_rsdp_decode(b, 20, &r));
	assert_string_equal(r.why, "bad signature");

	/* Impossible Length: never asks for more than the fixed size, and refuses. */
	rsdp(b, 2, 0x1000, 0x2000);
	put32(b + RSDP_LENGTH, 0x10000);
	fix_sum(b, RSDP_V2_LEN, RSDP_EXTENDED_CHECKSUM);
	assert_int_equal(acpi_rsdp_bytes_needed(b, 36), 36);
	assert_false(acpi_rsdp_decode(b, 36, &r));
	assert_non_null(strstr(r.why, "impossible length 65536"));
	/* A longer but sane Length is read in full. */
	rsdp(b, 2, 0x1000, 0x2000);
	put32(b + RSDP_LENGTH, 40);
	memset(b + 36, 0, 4);
	fix_sum(b, 40, RSDP_EXTENDED_CHECKSUM);
	assert_int_equal(acpi_rsdp_bytes_needed(b, 36), 40);
	assert_true(acpi_rsdp_decode(b, 40, &r));
}

static void test_header_and_checksum(void **state)
{
	static uint8_t t[512];
	struct acpi_check c;

	(void)state;
	hpet(t, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	assert_true(check_table(t, &c));
	assert_string_equal(c.h.signature, "HPET");
	assert_string_equal(c.h.oem_id, "TESTOE");
	assert_string_equal(c.h.oem_table_id, "TABLE");
	assert_int_equal(c.h.length, 56);
	assert_int_equal(c.why[0], 0);

	t[HPET_NUMBER] ^= 0x5a;
	assert_true(acpi_check_header(t, 0, &c));
	assert_false(acpi_check_sum(t, &c));
	assert_string_equal(c.why, "bad checksum (sum 0x5a)");

	/* Truncated: HPET shorter than its fixed fields, any table shorter than a header. */
	header(t, "HPET", 1, 40);
	seal(t);
	assert_false(acpi_check_header(t, 0, &c));
	assert_string_equal(c.why, "impossible length 40 (HPET minimum 56)");
	header(t, "FACP", 1, 100);
	assert_false(acpi_check_header(t, 0, &c));
	assert_string_equal(c.why, "impossible length 100 (FACP minimum 116)");
	header(t, "APIC", 1, 40);
	assert_false(acpi_check_header(t, 0, &c));
	header(t, "SSDT", 1, 36);
	assert_true(acpi_check_header(t, 0, &c));
	put32(t + ACPI_HDR_LENGTH, 35);
	assert_false(acpi_check_header(t, 0, &c));
	put32(t + ACPI_HDR_LENGTH, ACPI_TABLE_MAX_LEN + 1);
	assert_false(acpi_check_header(t, 0, &c));
	assert_string_equal(c.why, "impossible length 1048577 (maximum 1048576)");
	put32(t + ACPI_HDR_LENGTH, 0xffffffffu);
	assert_false(acpi_check_header(t, 0, &c));

	/* Expected signature, and a damaged one that must not pass for the real thing. */
	header(t, "FACP", 1, 116);
	assert_false(acpi_check_header(t, "DSDT", &c));
	assert_string_equal(c.why, "signature \"FACP\" where DSDT was expected");
	t[3] = 0x01;
	assert_true(acpi_check_header(t, 0, &c));
	assert_string_equal(c.h.signature, "FAC?");
}

static void test_root(void **state)
{
	static uint8_t t[256];
	const uint64_t e[3] = { 0x1000, 0x123456789000ull, 0x3000 };
	struct acpi_check c;

	(void)state;
	root(t, true, e, 3);
	assert_true(check_table(t, &c) && acpi_root_check(&c, true));
	assert_int_equal(acpi_root_count(c.h.length, true), 3);
	assert_true(acpi_root_entry(t, true, 1) == 0x123456789000ull);
	root(t, false, e, 3);
	assert_true(check_table(t, &c) && acpi_root_check(&c, false));
	assert_int_equal(acpi_root_count(c.h.length, false), 3);
	assert_int_equal(acpi_root_entry(t, false, 2), 0x3000);
	/* A length that is not header + whole entries. */
	root(t, true, e, 3);
	put32(t + ACPI_HDR_LENGTH, ACPI_HDR_LEN + 20);
	seal(t);
	assert_true(check_table(t, &c));
	assert_false(acpi_root_check(&c, true));
	assert_non_null(strstr(c.why, "not the 36-byte header plus 8-byte entries"));
}

static void test_fadt_rev1(void **state)
{
	static uint8_t t[300];
	struct acpi_check c;
	struct acpi_fadt f;

	(void)state;
	fadt(t, 1, FADT_V1_LEN, 0xb008, 0);
	assert_true(check_table(t, &c));
	assert_true(acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.revision, 1);
	assert_int_equal(f.pm_tmr_port, 0xb008);
	assert_int_equal(f.pm_tmr_bits, 24);
	assert_string_equal(f.pm_tmr_source, "PM_TMR_BLK");
	assert_string_equal(f.pm_tmr_note, "");
	assert_int_equal(f.century, 0x32);
	assert_int_equal(f.iapc_boot_arch, IAPC_BOOT_ARCH_8042);
	assert_false(f.no_cmos_rtc);
	assert_false(f.hw_reduced);
	assert_false(f.has_x_pm_tmr);

	/* Revision 1 but long enough: X_ fields are not defined, so not looked at. */
	fadt(t, 1, 244, 0xb008, 0);
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x608);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0xb008);

	/* Revision 3 yet only 116 bytes long: no X_ fields to read. */
	fadt(t, 3, FADT_V1_LEN, 0xb008, 0);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_false(f.has_x_pm_tmr);
	assert_string_equal(f.pm_tmr_source, "PM_TMR_BLK");

	/* TMR_VAL_EXT, no CMOS RTC, PM_TMR_LEN wrong. */
	fadt(t, 1, FADT_V1_LEN, 0xb008, FADT_FLAG_TMR_VAL_EXT);
	put16(t + FADT_IAPC_BOOT_ARCH, IAPC_BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
	t[FADT_PM_TMR_LEN] = 2;
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_bits, 32);
	assert_true(f.no_cmos_rtc);
	assert_string_equal(f.pm_tmr_note, "PM_TMR_LEN is 2 (spec: 4)");

	/* No PM timer; and a port that is not a port. */
	fadt(t, 1, FADT_V1_LEN, 0, 0);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0);
	assert_string_equal(f.pm_tmr_source, "none");
	fadt(t, 1, FADT_V1_LEN, 0x10008, 0);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0);
	assert_non_null(strstr(f.pm_tmr_note, "does not fit 16 bits"));
}

static void test_fadt_rev3(void **state)
{
	static uint8_t t[300];
	struct acpi_check c;
	struct acpi_fadt f;

	(void)state;
	/* q35: X_PM_TMR_BLK in SystemIO, same port as PM_TMR_BLK. */
	fadt(t, 3, 244, 0x608, 0x84a5);
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x608);
	put64(t + FADT_X_DSDT, 0x7000);
	put32(t + FADT_DSDT, 0x6000);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_true(f.has_x_pm_tmr);
	assert_int_equal(f.pm_tmr_port, 0x608);
	assert_string_equal(f.pm_tmr_source, "X_PM_TMR_BLK");
	assert_string_equal(f.pm_tmr_note, "");
	assert_int_equal(f.pm_tmr_bits, 24);
	assert_int_equal(f.dsdt, 0x7000);

	/* X_PM_TMR_BLK in SystemMemory: we use port I/O, so PM_TMR_BLK. */
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_MEMORY, 0xfe000008);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0x608);
	assert_string_equal(f.pm_tmr_source, "PM_TMR_BLK");
	assert_non_null(strstr(f.pm_tmr_note, "address space 0, not SystemIO"));

	/* X_PM_TMR_BLK SystemIO but beyond 16 bits. */
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x10608);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_string_equal(f.pm_tmr_source, "PM_TMR_BLK");
	assert_non_null(strstr(f.pm_tmr_note, "does not fit 16 bits"));

	/* X_ and legacy disagree: X_ wins (ACPI 5.2.9), and it is noted. */
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x408);
	put64(t + FADT_X_DSDT, 0);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0x408);
	assert_string_equal(f.pm_tmr_note, "X_PM_TMR_BLK 0x408 differs from PM_TMR_BLK 0x608");
	assert_int_equal(f.dsdt, 0x6000);

	/* X_PM_TMR_BLK zero: legacy field. */
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_string_equal(f.pm_tmr_source, "PM_TMR_BLK");
	assert_string_equal(f.pm_tmr_note, "");

	/* TMR_VAL_EXT with X_. */
	fadt(t, 5, 268, 0x608, FADT_FLAG_TMR_VAL_EXT);
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x608);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_bits, 32);
	assert_string_equal(f.pm_tmr_source, "X_PM_TMR_BLK");

	/* Hardware-reduced with PM timer fields (Cloud Hypervisor: HW_REDUCED_ACPI | RESET_REG_SUP |
	 * TMR_VAL_EXT, X_PM_TMR_BLK SystemIO): used as Linux uses them, with a note. */
	fadt(t, 6, 276, 0xb008, FADT_FLAG_HW_REDUCED_ACPI | FADT_FLAG_RESET_REG_SUP | FADT_FLAG_TMR_VAL_EXT);
	gas(t + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0xb008);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_true(f.hw_reduced);
	assert_int_equal(f.pm_tmr_port, 0xb008);
	assert_int_equal(f.pm_tmr_bits, 32);
	assert_string_equal(f.pm_tmr_source, "X_PM_TMR_BLK");
	assert_string_equal(f.pm_tmr_note, "HW_REDUCED_ACPI, yet X_PM_TMR_BLK gives port 0xb008: used, "
			    "as Linux does (ACPI says to ignore it)");

	/* Hardware-reduced without them (Firecracker): none. */
	fadt(t, 6, 276, 0, FADT_FLAG_HW_REDUCED_ACPI);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.pm_tmr_port, 0);
	assert_string_equal(f.pm_tmr_source, "none");
	assert_string_equal(f.pm_tmr_note, "HW_REDUCED_ACPI and no PM timer fields: no PM timer");
}

static void test_hpet(void **state)
{
	static uint8_t t[64];
	struct acpi_check c;
	struct acpi_hpet h;

	(void)state;
	hpet(t, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	assert_true(check_table(t, &c) && acpi_hpet_decode(t, &c, &h));
	assert_int_equal(h.block_id, 0x8086a201);
	assert_true(h.base.address == 0xfed00000);
	assert_int_equal(h.min_tick, 128);
	assert_int_equal(h.number, 0);

	hpet(t, GAS_SPACE_SYSTEM_IO, 0xfed00000);
	assert_true(check_table(t, &c));
	assert_false(acpi_hpet_decode(t, &c, &h));
	assert_string_equal(c.why, "base address space 1, HPET registers must be SystemMemory (0)");

	hpet(t, GAS_SPACE_SYSTEM_MEMORY, 0);
	assert_true(check_table(t, &c));
	assert_false(acpi_hpet_decode(t, &c, &h));
	assert_string_equal(c.why, "base address 0");
}

static void test_madt(void **state)
{
	static uint8_t t[2048];
	struct acpi_check c;
	struct acpi_madt m;
	uint32_t len;
	unsigned i;

	(void)state;
	len = madt_begin(t);
	len = madt_lapic(t, len, 0, 0, MADT_CPU_ENABLED);
	len = madt_ioapic(t, len);
	len = madt_lapic(t, len, 1, 1, MADT_CPU_ENABLED);
	len = madt_lapic(t, len, 2, 2, 0);                       /* absent */
	len = madt_lapic(t, len, 3, 3, MADT_CPU_ONLINE_CAPABLE); /* hot-pluggable */
	len = madt_x2apic(t, len, 0x1000, MADT_CPU_ENABLED);
	assert_true(check_table(t, &c) && acpi_madt_decode(t, &c, &m));
	assert_int_equal(m.cpus_enabled, 3);
	assert_int_equal(m.cpus_disabled, 2);
	assert_int_equal(m.cpus_online_capable, 1);
	assert_int_equal(m.lapic_entries, 4);
	assert_int_equal(m.x2apic_entries, 1);
	assert_int_equal(m.other_entries, 1);
	assert_int_equal(m.ids_listed, 3);
	assert_int_equal(m.apic_ids[0], 0);
	assert_int_equal(m.apic_ids[1], 1);
	assert_int_equal(m.apic_ids[2], 0x1000);
	assert_true(m.lapic_base == 0xfee00000);
	assert_false(m.lapic_override);
	assert_int_equal(m.duplicate_ids, 0);

	/* LAPIC address override. */
	{
		uint8_t e[MADT_LAPIC_OVERRIDE_LEN] = { MADT_TYPE_LAPIC_OVERRIDE, MADT_LAPIC_OVERRIDE_LEN };

		put64(e + MADT_LAPIC_OVERRIDE_ADDRESS, 0x1fee00000ull);
		len = madt_add(t, len, e, sizeof(e));
	}
	assert_true(check_table(t, &c) && acpi_madt_decode(t, &c, &m));
	assert_true(m.lapic_override);
	assert_true(m.lapic_base == 0x1fee00000ull);

	/* Duplicate enabled APIC ID. */
	len = madt_x2apic(t, len, 1, MADT_CPU_ENABLED);
	assert_true(check_table(t, &c) && acpi_madt_decode(t, &c, &m));
	assert_int_equal(m.duplicate_ids, 1);

	/* Entry length 0: untrusted, the walk stops (and terminates). */
	len = madt_begin(t);
	len = madt_lapic(t, len, 0, 0, MADT_CPU_ENABLED);
	{
		uint8_t e[8] = { MADT_TYPE_LOCAL_APIC, 0 };

		len = madt_add(t, len, e, sizeof(e));
	}
	assert_true(check_table(t, &c));
	assert_false(acpi_madt_decode(t, &c, &m));
	assert_string_equal(c.why, "entry at +52 (type 0): length 0, minimum 8");

	/* Entry running past the end of the table. */
	len = madt_begin(t);
	len = madt_lapic(t, len, 0, 0, MADT_CPU_ENABLED);
	t[len - MADT_LAPIC_LEN + 1] = 9;
	seal(t);
	assert_true(check_table(t, &c));
	assert_false(acpi_madt_decode(t, &c, &m));
	assert_string_equal(c.why, "entry at +44 (type 0): length 9 runs past the table end (52)");

	/* Unknown type with length 1; x2APIC entry too short for its fields. */
	len = madt_begin(t);
	{
		uint8_t e[4] = { 0x7f, 1 };

		len = madt_add(t, len, e, sizeof(e));
	}
	assert_true(check_table(t, &c));
	assert_false(acpi_madt_decode(t, &c, &m));
	assert_non_null(strstr(c.why, "length 1, minimum 2"));
	len = madt_begin(t);
	{
		uint8_t e[8] = { MADT_TYPE_LOCAL_X2APIC, 8 };

		len = madt_add(t, len, e, sizeof(e));
	}
	assert_true(check_table(t, &c));
	assert_false(acpi_madt_decode(t, &c, &m));
	assert_non_null(strstr(c.why, "(type 9): length 8, minimum 16"));

	/* A single stray byte at the end. */
	len = madt_begin(t);
	len = madt_lapic(t, len, 0, 0, MADT_CPU_ENABLED);
	put32(t + ACPI_HDR_LENGTH, len + 1);
	seal(t);
	assert_true(check_table(t, &c));
	assert_false(acpi_madt_decode(t, &c, &m));
	assert_non_null(strstr(c.why, "1 stray bytes"));

	/* More CPUs than we list: all counted, first ACPI_MADT_MAX_IDS listed. */
	len = madt_begin(t);
	for (i = 0; i < ACPI_MADT_MAX_IDS + 6; i++)
		len = madt_x2apic(t, len, i * 2, MADT_CPU_ENABLED);
	assert_true(check_table(t, &c) && acpi_madt_decode(t, &c, &m));
	assert_int_equal(m.cpus_enabled, ACPI_MADT_MAX_IDS + 6);
	assert_int_equal(m.ids_listed, ACPI_MADT_MAX_IDS);
	assert_int_equal(m.apic_ids[ACPI_MADT_MAX_IDS - 1], (ACPI_MADT_MAX_IDS - 1) * 2);
}

static void test_absorb_first_trusted_wins(void **state)
{
	static uint8_t a[64], b[64];
	struct acpi_info ai;
	struct acpi_check c;

	(void)state;
	memset(&ai, 0, sizeof(ai));
	/* An untrusted HPET first, then a good one: the good one is used. */
	hpet(a, GAS_SPACE_SYSTEM_IO, 0xdead0000);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x1000, a, &c);
	assert_false(c.trusted);
	assert_string_equal(c.use, "not used");
	assert_false(ai.hpet_present);
	hpet(b, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	assert_true(check_table(b, &c));
	acpi_absorb(&ai, 0x2000, b, &c);
	assert_string_equal(c.use, "used");
	assert_true(ai.hpet_present && ai.hpet_base == 0xfed00000 && ai.hpet_table_addr == 0x2000);
	/* A second trusted one does not replace it; an identical one is a plain duplicate. */
	hpet(a, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x3000, a, &c);
	assert_string_equal(c.use, "duplicate, an earlier one is used");
	assert_true(ai.hpet_base == 0xfed00000);
	assert_int_equal(ai.hpet_conflicts, 0);
	/* A table that failed its header check is only counted. */
	header(a, "HPET", 1, 40);
	assert_false(acpi_check_header(a, 0, &c));
	acpi_absorb(&ai, 0x4000, 0, &c);
	assert_int_equal(ai.tables_seen, 4);
	assert_int_equal(ai.tables_untrusted, 2);
	assert_int_equal(ai.hpet_untrusted, 2);
}

/* Issue 11: "Two HPET tables with different bases are resolved silently." The first is kept
 * (Linux reads only the first HPET table), and a later one that disagrees in base or block ID
 * is counted, remembered and marked as ignored. */
static void test_absorb_hpet_conflict(void **state)
{
	static uint8_t a[64];
	struct acpi_info ai;
	struct acpi_check c;

	(void)state;
	memset(&ai, 0, sizeof(ai));
	hpet(a, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x2000, a, &c);
	assert_string_equal(c.use, "used");
	/* Another base. */
	hpet(a, GAS_SPACE_SYSTEM_MEMORY, 0xfed01000);
	a[HPET_NUMBER] = 1;
	seal(a);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x3000, a, &c);
	assert_true(c.trusted);
	assert_string_equal(c.use, "another HPET block (base or block ID differs), ignored: the first HPET table is used");
	assert_true(ai.hpet_base == 0xfed00000 && ai.hpet_table_addr == 0x2000 && ai.hpet_number == 0);
	assert_int_equal(ai.hpet_conflicts, 1);
	assert_true(ai.hpet_conflict_table_addr == 0x3000 && ai.hpet_conflict_base == 0xfed01000);
	assert_int_equal(ai.hpet_conflict_number, 1);
	/* Same base, another block ID: also a disagreement; the first conflict stays named. */
	hpet(a, GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	put32(a + HPET_EVENT_TIMER_BLOCK_ID, 0x10de8201);
	seal(a);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x4000, a, &c);
	assert_string_equal(c.use, "another HPET block (base or block ID differs), ignored: the first HPET table is used");
	assert_int_equal(ai.hpet_conflicts, 2);
	assert_true(ai.hpet_conflict_table_addr == 0x3000);
	assert_int_equal(ai.hpet_block_id, 0x8086a201);
	/* An untrusted one that disagrees is not a conflict, only untrusted. */
	hpet(a, GAS_SPACE_SYSTEM_IO, 0xfed02000);
	assert_true(check_table(a, &c));
	acpi_absorb(&ai, 0x5000, a, &c);
	assert_int_equal(ai.hpet_conflicts, 2);
	assert_int_equal(ai.hpet_untrusted, 1);
}

/* ---- the walker over fake memory ---- */

#define P_RSDP 0x100000u
#define P_XSDT 0x101000u
#define P_RSDT 0x102000u
#define P_FADT 0x103000u
#define P_MADT 0x104000u
#define P_HPET 0x105000u
#define P_DSDT 0x106000u
#define P_HPET2 0x107000u

/* A q35-like set: RSDP v2, XSDT and RSDT listing FACP, APIC, HPET; DSDT from the FADT. */
static void machine(unsigned cpus, bool with_hpet)
{
	uint64_t e[4] = { P_FADT, P_MADT, P_HPET, 0 };
	unsigned n = with_hpet ? 3 : 2, i;
	uint32_t len;

	rsdp(at(P_RSDP), 2, P_RSDT, P_XSDT);
	root(at(P_XSDT), true, e, n);
	root(at(P_RSDT), false, e, n);
	fadt(at(P_FADT), 3, 244, 0x608, 0x84a5);
	gas(at(P_FADT) + FADT_X_PM_TMR_BLK, GAS_SPACE_SYSTEM_IO, 0x608);
	put32(at(P_FADT) + FADT_DSDT, P_DSDT);
	seal(at(P_FADT));
	len = madt_begin(at(P_MADT));
	for (i = 0; i < cpus; i++)
		len = madt_lapic(at(P_MADT), len, (uint8_t)i, (uint8_t)i, MADT_CPU_ENABLED);
	hpet(at(P_HPET), GAS_SPACE_SYSTEM_MEMORY, 0xfed00000);
	header(at(P_DSDT), "DSDT", 1, 100);
	seal(at(P_DSDT));
}

static void test_probe_q35(void **state)
{
	(void)state;
	machine(2, true);
	acpi_probe(P_RSDP, 0);
	assert_true(acpi.rsdp_valid && acpi.xsdt_used && acpi.root_valid);
	assert_int_equal(acpi.rsdp_revision, 2);
	assert_true(acpi.fadt_present);
	assert_int_equal(acpi.fadt_revision, 3);
	assert_int_equal(acpi.pm_tmr_port, 0x608);
	assert_int_equal(acpi.pm_tmr_bits, 24);
	assert_string_equal(acpi.pm_tmr_source, "X_PM_TMR_BLK");
	assert_int_equal(acpi.century_index, 0x32);
	assert_true(acpi.hpet_present && acpi.hpet_base == 0xfed00000);
	assert_int_equal(acpi.hpet_block_id, 0x8086a201);
	assert_true(acpi.madt_present);
	assert_int_equal(acpi.cpu_count, 2);
	assert_true(acpi.lapic_base == 0xfee00000);
	/* XSDT, FACP, APIC, HPET, RSDT (checked, not walked), DSDT. */
	assert_int_equal(acpi.tables_seen, 6);
	assert_int_equal(acpi.tables_untrusted, 0);
	assert_log("ok 1 - acpi.rsdp\n");
	assert_log("# info acpi.table.xsdt trusted, walked: XSDT at 0x101000 length 60 revision 1 "
		   "oem \"TESTOE\" \"TABLE\" oem_rev 0x7\n");
	assert_log("# info acpi.table.rsdt trusted, not walked, XSDT preferred: RSDT at 0x102000");
	assert_log("# info acpi.table.hpet trusted, used: HPET at 0x105000");
	assert_log("# info acpi.table.dsdt trusted, used: DSDT at 0x106000");
	assert_log("# info acpi.dsdt.s5 no \\_S5 package: no ACPI soft-off\n");
	assert_true(acpi.dsdt_decoded && !acpi.s5_present);
	assert_log("# metric acpi.xsdt 1 bool\n");
	assert_log("# metric acpi.fadt.pm_tmr_port 0x608 port\n");
	assert_log("# metric acpi.fadt.pm_tmr_bits 24 bits\n");
	assert_log("# metric acpi.hpet.base 0xfed00000 addr\n");
	assert_log("# metric acpi.madt.cpus 2 count\n");
	assert_log("# info acpi.madt.apic_ids 0 1\n");
	assert_log("ok 2 - acpi.tables.checksums\n");
	assert_log("ok 3 - acpi.fadt\n");
	assert_log("ok 4 - acpi.hpet\n");
	assert_log("ok 5 - acpi.madt\n");
	assert_int_equal(report_end(), VERDICT_PASS);
}

static void test_probe_no_hpet(void **state)
{
	(void)state;
	machine(1, false);
	acpi_probe(P_RSDP, 0);
	assert_false(acpi.hpet_present);
	assert_log("# metric acpi.hpet.present 0 bool\n");
	assert_log("ok 4 - acpi.hpet # SKIP no HPET table\n");
	assert_log("# metric acpi.madt.cpus 1 count\n");
	assert_int_equal(report_end(), VERDICT_PASS);
}

static void test_probe_injected_bad_hpet(void **state)
{
	uint64_t e[4] = { P_FADT, P_MADT, P_HPET, P_HPET2 };

	(void)state;
	machine(2, true);
	hpet(at(P_HPET2), GAS_SPACE_SYSTEM_MEMORY, 0xfed01000);
	at(P_HPET2)[ACPI_HDR_CHECKSUM] += 0x5a;
	root(at(P_XSDT), true, e, 4);
	acpi_probe(P_RSDP, 0);
	assert_true(acpi.hpet_present && acpi.hpet_base == 0xfed00000);
	assert_int_equal(acpi.tables_untrusted, 1);
	assert_log("# info acpi.table.hpet.2 untrusted: bad checksum (sum 0x5a): HPET at 0x107000");
	assert_log("not ok 2 - acpi.tables.checksums\n"
		   "# fail: 1 of 7 tables untrusted: HPET at 0x107000 bad checksum (sum 0x5a)\n");
	assert_log("ok 4 - acpi.hpet\n");
	assert_int_equal(report_end(), VERDICT_FAIL);
}

static void test_probe_two_hpets_disagree(void **state)
{
	uint64_t e[4] = { P_FADT, P_MADT, P_HPET, P_HPET2 };

	(void)state;
	machine(2, true);
	hpet(at(P_HPET2), GAS_SPACE_SYSTEM_MEMORY, 0xfed01000);
	at(P_HPET2)[HPET_NUMBER] = 1;
	seal(at(P_HPET2));
	root(at(P_XSDT), true, e, 4);
	acpi_probe(P_RSDP, 0);
	assert_true(acpi.hpet_present && acpi.hpet_base == 0xfed00000);
	assert_int_equal(acpi.tables_untrusted, 0);
	assert_log("# info acpi.table.hpet.2 trusted, another HPET block (base or block ID differs), ignored: "
		   "the first HPET table is used: HPET at 0x107000");
	assert_log("# metric acpi.hpet.conflicts 1 count\n");
	assert_log("# info acpi.hpet.conflict 1 later HPET table disagrees with the first: table at 0x107000 "
		   "base 0xfed01000 block_id 0x8086a201 number 1 ignored; using table at 0x105000 base 0xfed00000 "
		   "block_id 0x8086a201 number 0 (the first HPET table, the one Linux uses)\n");
	assert_log("ok 4 - acpi.hpet\n");
	assert_int_equal(report_end(), VERDICT_PASS);

	/* The same table listed twice is no disagreement. */
	capture_start();
	e[3] = P_HPET;
	root(at(P_XSDT), true, e, 4);
	acpi_probe(P_RSDP, 0);
	assert_log("# info acpi.table.hpet.2 trusted, duplicate, an earlier one is used: HPET at 0x105000");
	assert_log("# metric acpi.hpet.conflicts 0 count\n");
	assert_no_log("acpi.hpet.conflict ");
}

static void test_probe_only_hpet_is_short(void **state)
{
	uint64_t e[3] = { P_FADT, P_MADT, P_HPET2 };

	(void)state;
	machine(2, false);
	header(at(P_HPET2), "HPET", 1, 40);
	seal(at(P_HPET2));
	root(at(P_XSDT), true, e, 3);
	acpi_probe(P_RSDP, 0);
	assert_false(acpi.hpet_present);
	assert_log("# info acpi.table.hpet untrusted: impossible length 40 (HPET minimum 56): HPET at 0x107000");
	assert_log("ok 4 - acpi.hpet # SKIP no trusted HPET table (1 untrusted)\n");
	assert_int_equal(report_end(), VERDICT_FAIL);
}

static void test_probe_bad_xsdt_falls_back_to_rsdt(void **state)
{
	(void)state;
	machine(2, true);
	at(P_XSDT)[ACPI_HDR_LEN] ^= 1; /* first entry changed: checksum off by one */
	acpi_probe(P_RSDP, 0);
	assert_false(acpi.xsdt_used);
	assert_true(acpi.root_valid && acpi.fadt_present && acpi.madt_present && acpi.hpet_present);
	assert_log("# info acpi.table.xsdt untrusted: bad checksum (sum 0x01): XSDT at 0x101000");
	assert_log("# info acpi.table.rsdt trusted, walked: RSDT at 0x102000");
	assert_log("# metric acpi.xsdt 0 bool\n");
	assert_log("# fail: 1 of 6 tables untrusted: XSDT at 0x101000 bad checksum (sum 0x01)\n");
	assert_int_equal(report_end(), VERDICT_FAIL);
}

static void test_probe_rsdp_v1_rsdt_only(void **state)
{
	(void)state;
	machine(4, true);
	rsdp(at(P_RSDP), 0, P_RSDT, 0);
	acpi_probe(P_RSDP, 0);
	assert_true(acpi.rsdp_valid && !acpi.xsdt_used && acpi.root_valid);
	assert_int_equal(acpi.rsdp_revision, 0);
	assert_int_equal(acpi.cpu_count, 4);
	assert_no_log("acpi.table.xsdt");
	assert_int_equal(report_end(), VERDICT_PASS);
}

static void test_probe_unmapped_pointers(void **state)
{
	uint64_t e[4] = { P_FADT, P_MADT, 0xdead000000ull, 0 };

	(void)state;
	machine(2, true);
	root(at(P_XSDT), true, e, 4);
	/* A MADT whose length runs off the end of memory. */
	memmove(at(RAM_BASE + RAM_SIZE - 64), at(P_MADT), 64);
	e[1] = RAM_BASE + RAM_SIZE - 64;
	put32(at(e[1]) + ACPI_HDR_LENGTH, 4096);
	root(at(P_XSDT), true, e, 4);
	acpi_probe(P_RSDP, 0);
	assert_log("# info acpi.table.none untrusted: header unreadable (#PF): table at 0xdead000000, not used\n");
	assert_log("# info acpi.table.none.2 untrusted: null pointer: table at 0x0, not used\n");
	assert_log("untrusted: 4096 bytes unreadable (#PF): APIC at 0x13ffc0");
	assert_false(acpi.madt_present);
	assert_int_equal(acpi.tables_untrusted, 3);
	assert_log("not ok 5 - acpi.madt\n# fail: no trusted APIC table\n");
	assert_int_equal(report_end(), VERDICT_FAIL);
}

/* AML as QEMU's DSDT has it: Name (_S5, Package (0x04) { Zero, Zero, Zero, Zero }); as
 * Cloud Hypervisor's: Name (\_S5_, Package { 5 }) with a root prefix and a BytePrefix. */
static void test_s5(void **state)
{
	static const uint8_t qemu[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t ch[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05 };
	static const uint8_t two[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x07, 0x02, 0x0a, 0x07, 0x0b, 0x03, 0x00 };
	/* "_S5_" as a method's name (MethodOp 0x14) and a long PkgLength (2 bytes). */
	static const uint8_t method[] = { 0x14, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x01,
					  0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x00, 0x01, 0x0a, 0x06 };
	static const uint8_t cut[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a };
	uint8_t t[ACPI_HDR_LEN + 64], a = 9, b = 9;

	(void)state;
#define S5(bytes) (memset(t, 0, sizeof(t)), memcpy(t + ACPI_HDR_LEN, bytes, sizeof(bytes)), \
		   acpi_s5_decode(t, ACPI_HDR_LEN + (uint32_t)sizeof(bytes), &a, &b))
	assert_true(S5(qemu));
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);
	assert_true(S5(ch));
	assert_int_equal(a, 5);
	assert_int_equal(b, 0);
	assert_true(S5(two));
	assert_int_equal(a, 7);
	assert_int_equal(b, 3);
	assert_true(S5(method));
	assert_int_equal(a, 6);
	a = b = 9;
	assert_false(S5(cut));
	assert_int_equal(a, 9);
	/* The name inside the header is not AML. */
	memset(t, 0, sizeof(t));
	memcpy(t + 10, "\x08_S5_", 5);
	assert_false(acpi_s5_decode(t, sizeof(t), &a, &b));
#undef S5
}

/* Power registers: PM1a/PM1b control from X_ GAS or the ports, sleep control, reset. */
static void test_fadt_power(void **state)
{
	uint8_t t[300];
	struct acpi_check c;
	struct acpi_fadt f;

	(void)state;
	/* Revision 1: the 32-bit ports, 2 bytes wide. */
	fadt(t, 1, FADT_V1_LEN, 0x608, 0);
	put32(t + FADT_PM1A_CNT_BLK, 0x604);
	t[FADT_PM1_CNT_LEN] = 2;
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.power.pm1a_cnt.space_id, GAS_SPACE_SYSTEM_IO);
	assert_int_equal(f.power.pm1a_cnt.address, 0x604);
	assert_int_equal(f.power.pm1a_cnt.bit_width, 16);
	assert_int_equal(f.power.pm1b_cnt.address, 0);
	assert_int_equal(f.power.sleep_control.address, 0);
	assert_false(f.power.reset_supported);

	/* Revision 3 with X_PM1a_CNT_BLK and a reset register (q35: 0xcf9 value 6). */
	fadt(t, 3, 244, 0x608, FADT_FLAG_RESET_REG_SUP);
	put32(t + FADT_PM1A_CNT_BLK, 0x604);
	gas(t + FADT_X_PM1A_CNT_BLK, GAS_SPACE_SYSTEM_IO, 0x704);
	gas(t + FADT_RESET_REG, GAS_SPACE_SYSTEM_IO, 0xcf9);
	t[FADT_RESET_VALUE] = 6;
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_int_equal(f.power.pm1a_cnt.address, 0x704);
	assert_true(f.power.reset_supported);
	assert_int_equal(f.power.reset_reg.address, 0xcf9);
	assert_int_equal(f.power.reset_value, 6);

	/* Hardware-reduced, ACPI 5.0+ length: the sleep control register. */
	fadt(t, 5, 276, 0, FADT_FLAG_HW_REDUCED_ACPI);
	gas(t + FADT_SLEEP_CONTROL_REG, GAS_SPACE_SYSTEM_IO, 0x3c0);
	seal(t);
	assert_true(check_table(t, &c) && acpi_fadt_decode(t, &c, &f));
	assert_true(f.hw_reduced);
	assert_int_equal(f.power.sleep_control.address, 0x3c0);
	assert_int_equal(f.power.sleep_control.space_id, GAS_SPACE_SYSTEM_IO);
}

/* A DSDT with \_S5 reaches acpi: what boot/exit.c uses. */
static void test_probe_s5(void **state)
{
	static const uint8_t s5[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x05 };

	(void)state;
	machine(1, true);
	header(at(P_DSDT), "DSDT", 1, ACPI_HDR_LEN + sizeof(s5));
	memcpy(at(P_DSDT) + ACPI_HDR_LEN, s5, sizeof(s5));
	seal(at(P_DSDT));
	acpi_probe(P_RSDP, 0);
	assert_true(acpi.s5_present);
	assert_int_equal(acpi.s5_slp_typa, 5);
	assert_log("# info acpi.dsdt.s5 SLP_TYPa 5 SLP_TYPb 0\n");
	assert_int_equal(report_end(), VERDICT_PASS);
}

/* No RSDP as a configuration (PVH without ACPI): a SKIP with the reason, kept for the drivers. */
static void test_probe_no_acpi_configured(void **state)
{
	(void)state;
	acpi_probe(0, "no ACPI: start_info.rsdp_paddr is 0");
	assert_log("ok 1 - acpi.rsdp # SKIP no ACPI: start_info.rsdp_paddr is 0\n");
	assert_log("ok 5 - acpi.madt # SKIP no RSDT/XSDT to walk\n");
	assert_string_equal(acpi.none_why, "no ACPI: start_info.rsdp_paddr is 0");
	assert_int_equal(report_end(), VERDICT_PASS);
}

static void test_probe_no_rsdp(void **state)
{
	(void)state;
	acpi_probe(0, 0);
	assert_log("not ok 1 - acpi.rsdp\n# fail: the firmware gave no RSDP\n");
	assert_log("ok 2 - acpi.tables.checksums # SKIP no RSDT/XSDT to walk\n");
	acpi_probe(0x10, 0);
	assert_log("# fail: RSDP at 0x10: bytes 0..19 unreadable (#PF)\n");
	assert_int_equal(report_end(), VERDICT_FAIL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rsdp, setup),
		cmocka_unit_test_setup(test_header_and_checksum, setup),
		cmocka_unit_test_setup(test_root, setup),
		cmocka_unit_test_setup(test_fadt_rev1, setup),
		cmocka_unit_test_setup(test_fadt_rev3, setup),
		cmocka_unit_test_setup(test_hpet, setup),
		cmocka_unit_test_setup(test_madt, setup),
		cmocka_unit_test_setup(test_absorb_first_trusted_wins, setup),
		cmocka_unit_test_setup(test_absorb_hpet_conflict, setup),
		cmocka_unit_test_setup(test_probe_q35, setup),
		cmocka_unit_test_setup(test_probe_no_hpet, setup),
		cmocka_unit_test_setup(test_probe_injected_bad_hpet, setup),
		cmocka_unit_test_setup(test_probe_two_hpets_disagree, setup),
		cmocka_unit_test_setup(test_probe_only_hpet_is_short, setup),
		cmocka_unit_test_setup(test_probe_bad_xsdt_falls_back_to_rsdt, setup),
		cmocka_unit_test_setup(test_probe_rsdp_v1_rsdt_only, setup),
		cmocka_unit_test_setup(test_probe_unmapped_pointers, setup),
		cmocka_unit_test_setup(test_probe_no_rsdp, setup),
		cmocka_unit_test_setup(test_s5, setup),
		cmocka_unit_test_setup(test_fadt_power, setup),
		cmocka_unit_test_setup(test_probe_s5, setup),
		cmocka_unit_test_setup(test_probe_no_acpi_configured, setup),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
