/* Host tests of the PVH boot path's decoders (boot/pvh_info.c): start_info versions 0 and 1,
 * the memory map (RAM sum, the AP start-up page), the RSDP scan and the EBDA pointer. The
 * layouts are built here from Xen's public start_info.h description and the loaders' maps
 * (QEMU's pvh.bin from SeaBIOS's E820, Firecracker's, Cloud Hypervisor's). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../arch/x86/acpi_tables.c"
#include "../../boot/pvh_info.c"

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static uint8_t *entry(uint8_t *m, unsigned i, uint64_t addr, uint64_t size, uint32_t type)
{
	uint8_t *e = m + i * PVH_MEMMAP_ENTRY_LEN;

	put64(e + PVH_MEMMAP_ADDR, addr);
	put64(e + PVH_MEMMAP_SIZE, size);
	put32(e + PVH_MEMMAP_TYPE, type);
	put32(e + PVH_MEMMAP_TYPE + 4, 0);
	return e;
}

static void test_start_info(void **state)
{
	uint8_t b[PVH_SI_V1_LEN];
	struct pvh_info p;
	char why[128];

	(void)state;
	memset(b, 0, sizeof(b));
	memset(&p, 0, sizeof(p));
	put32(b + PVH_SI_MAGIC, PVH_START_MAGIC);
	put32(b + PVH_SI_VERSION, 1);
	put32(b + PVH_SI_FLAGS, 0x2);
	put64(b + PVH_SI_CMDLINE_PADDR, 0x20000);
	put64(b + PVH_SI_RSDP_PADDR, 0xf59e0);
	put64(b + PVH_SI_MEMMAP_PADDR, 0x7000);
	put32(b + PVH_SI_MEMMAP_ENTRIES, 5);
	assert_true(pvh_start_decode(b, sizeof(b), &p, why, sizeof(why)));
	assert_int_equal(p.version, 1);
	assert_int_equal(p.flags, 2);
	assert_int_equal(p.cmdline_paddr, 0x20000);
	assert_int_equal(p.rsdp_paddr, 0xf59e0);
	assert_int_equal(p.memmap_paddr, 0x7000);
	assert_int_equal(p.memmap_entries, 5);

	/* Version 0 has no map fields, whatever bytes follow. */
	put32(b + PVH_SI_VERSION, 0);
	assert_true(pvh_start_decode(b, sizeof(b), &p, why, sizeof(why)));
	assert_int_equal(p.version, 0);
	assert_int_equal(p.memmap_paddr, 0);
	assert_int_equal(p.memmap_entries, 0);
	/* Version 1 but only the version 0 bytes readable. */
	put32(b + PVH_SI_VERSION, 1);
	assert_true(pvh_start_decode(b, PVH_SI_V0_LEN, &p, why, sizeof(why)));
	assert_int_equal(p.memmap_entries, 0);

	put32(b + PVH_SI_MAGIC, 0x12345678);
	assert_false(pvh_start_decode(b, sizeof(b), &p, why, sizeof(why)));
	assert_string_equal(why, "start_info magic 0x12345678, want 0x336ec578");
	assert_false(pvh_start_decode(b, 8, &p, why, sizeof(why)));
	assert_string_equal(why, "start_info: only 8 bytes readable");
}

static void test_memmap(void **state)
{
	uint8_t m[8 * PVH_MEMMAP_ENTRY_LEN];
	uint64_t ram, page;

	(void)state;
	/* SeaBIOS's E820 under QEMU (256 MiB): RAM to 0x9fc00, EBDA reserved, BIOS, RAM above. */
	entry(m, 0, 0, 0x9fc00, 1);
	entry(m, 1, 0x9fc00, 0x400, 2);
	entry(m, 2, 0xf0000, 0x10000, 2);
	entry(m, 3, 0x100000, 0xfee0000 - 0x100000, 1);
	entry(m, 4, 0xfee0000, 0x20000, 2);
	pvh_memmap_scan(m, 5, &ram, &page);
	assert_int_equal(ram, 0x9fc00 + 0xfee0000 - 0x100000);
	assert_int_equal(page, 0x9e000); /* 0x9f000 would reach into the EBDA */

	/* A whole low RAM entry (Cloud Hypervisor: 0 .. 0xa0000). */
	entry(m, 0, 0, 0xa0000, 1);
	pvh_memmap_scan(m, 1, &ram, &page);
	assert_int_equal(page, 0x9f000);

	/* A reserved entry starting inside the best page (not only covering its start). */
	entry(m, 1, 0x9f800, 0x100, 2);
	pvh_memmap_scan(m, 2, &ram, &page);
	assert_int_equal(page, 0x9e000);

	/* Low memory all reserved but page 0 and page 1: page 0 is never used. */
	entry(m, 0, 0, 0x2000, 1);
	entry(m, 1, 0x2000, 0x9e000, 2);
	pvh_memmap_scan(m, 2, &ram, &page);
	assert_int_equal(page, 0x1000);
	entry(m, 0, 0, 0x1000, 1);
	pvh_memmap_scan(m, 2, &ram, &page);
	assert_int_equal(page, 0);

	/* No map at all, and RAM only above 1 MiB. */
	pvh_memmap_scan(m, 0, &ram, &page);
	assert_int_equal(ram, 0);
	assert_int_equal(page, 0);
	entry(m, 0, 0x100000, 0x1000000, 1);
	pvh_memmap_scan(m, 1, &ram, &page);
	assert_int_equal(page, 0);

	/* An entry reaching past 2^64 does not wrap into low memory. */
	entry(m, 0, 0x9000, 0x1000, 1);
	entry(m, 1, 0xffffffffffff0000ull, 0x20000, 2);
	pvh_memmap_scan(m, 2, &ram, &page);
	assert_int_equal(page, 0x9000);
}

static void rsdp_at(uint8_t *p)
{
	memcpy(p, ACPI_RSDP_SIGNATURE, 8);
	memcpy(p + RSDP_OEMID, "FIRECK", 6);
	p[RSDP_REVISION] = 2;
	p[RSDP_CHECKSUM] = 0;
	p[RSDP_CHECKSUM] = (uint8_t)(0x100 - acpi_sum(p, RSDP_V1_LEN));
}

static void test_rsdp_scan(void **state)
{
	static uint8_t area[BIOS_AREA_END - BIOS_AREA_START];

	(void)state;
	memset(area, 0, sizeof(area));
	assert_int_equal(pvh_rsdp_scan(area, sizeof(area)), -1);
	/* Firecracker: at 0xE0000 itself. */
	rsdp_at(area);
	assert_int_equal(pvh_rsdp_scan(area, sizeof(area)), 0);
	/* A bad checksum is skipped; so is a signature off the 16-byte grid. */
	area[RSDP_CHECKSUM]++;
	rsdp_at(area + 0x15a38);
	rsdp_at(area + 0x159e0);
	assert_int_equal(pvh_rsdp_scan(area, sizeof(area)), 0x159e0);
	/* One too close to the end to hold 20 bytes is not read past the end. */
	memset(area, 0, sizeof(area));
	memcpy(area + sizeof(area) - 16, ACPI_RSDP_SIGNATURE, 8);
	assert_int_equal(pvh_rsdp_scan(area, sizeof(area)), -1);
}

static void test_ebda(void **state)
{
	(void)state;
	assert_int_equal(pvh_ebda_base(0x9fc0), 0x9fc00);
	assert_int_equal(pvh_ebda_base(0), 0);     /* Firecracker: zeroed BDA */
	assert_int_equal(pvh_ebda_base(0x40), 0);  /* inside the BDA */
	assert_int_equal(pvh_ebda_base(0xa000), 0); /* the VGA hole, not RAM */
	assert_int_equal(pvh_ebda_base(0xf000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_info),
		cmocka_unit_test(test_memmap),
		cmocka_unit_test(test_rsdp_scan),
		cmocka_unit_test(test_ebda),
	};

	return cmocka_run_group_tests(tests, 0, 0);
}
