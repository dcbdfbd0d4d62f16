/* Decoders for the PVH boot path; see pvh_info.h. */
#include "pvh_info.h"
#include "../arch/x86/acpi_tables.h"
#include "../lib/fmt.h"
#include "../lib/mem.h"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

bool pvh_start_decode(const uint8_t *b, size_t n, struct pvh_info *p, char *why, size_t why_len)
{
	uint32_t magic;

	if (n < PVH_SI_V0_LEN) {
		cp_snprintf(why, why_len, "start_info: only %u bytes readable", (unsigned)n);
		return false;
	}
	magic = get32(b + PVH_SI_MAGIC);
	if (magic != PVH_START_MAGIC) {
		cp_snprintf(why, why_len, "start_info magic 0x%08x, want 0x%08x", magic, PVH_START_MAGIC);
		return false;
	}
	p->version = get32(b + PVH_SI_VERSION);
	p->flags = get32(b + PVH_SI_FLAGS);
	p->nr_modules = get32(b + PVH_SI_NR_MODULES);
	p->cmdline_paddr = get64(b + PVH_SI_CMDLINE_PADDR);
	p->rsdp_paddr = get64(b + PVH_SI_RSDP_PADDR);
	p->memmap_paddr = 0;
	p->memmap_entries = 0;
	/* Version 1 added the map; later versions are backwards compatible. */
	if (p->version >= 1 && n >= PVH_SI_V1_LEN) {
		p->memmap_paddr = get64(b + PVH_SI_MEMMAP_PADDR);
		p->memmap_entries = get32(b + PVH_SI_MEMMAP_ENTRIES);
	}
	return true;
}

/* The page [p, p + 4 KiB) lies inside a RAM entry and overlaps no other entry. */
static bool page_free(const uint8_t *m, uint32_t entries, uint64_t p)
{
	bool in_ram = false;
	uint32_t i;

	for (i = 0; i < entries; i++) {
		const uint8_t *e = m + (size_t)i * PVH_MEMMAP_ENTRY_LEN;
		uint64_t a = get64(e + PVH_MEMMAP_ADDR), s = get64(e + PVH_MEMMAP_SIZE);

		if (!s)
			continue;
		if (get32(e + PVH_MEMMAP_TYPE) == PVH_MEMMAP_TYPE_RAM) {
			if (p >= a && s >= PVH_PAGE && p - a <= s - PVH_PAGE)
				in_ram = true;
		} else if (a >= p ? a < p + PVH_PAGE : p - a < s) { /* starts in it, or covers p */
			return false;
		}
	}
	return in_ram;
}

void pvh_memmap_scan(const uint8_t *m, uint32_t entries, uint64_t *ram_bytes, uint64_t *ap_page)
{
	uint32_t i;
	uint64_t p;

	*ram_bytes = 0;
	for (i = 0; i < entries; i++) {
		const uint8_t *e = m + (size_t)i * PVH_MEMMAP_ENTRY_LEN;

		if (get32(e + PVH_MEMMAP_TYPE) == PVH_MEMMAP_TYPE_RAM)
			*ram_bytes += get64(e + PVH_MEMMAP_SIZE);
	}
	*ap_page = 0;
	for (p = PVH_AP_PAGE_END - PVH_PAGE; p >= PVH_AP_PAGE_MIN; p -= PVH_PAGE)
		if (page_free(m, entries, p)) {
			*ap_page = p;
			return;
		}
}

long pvh_rsdp_scan(const uint8_t *area, size_t len)
{
	size_t off;

	for (off = 0; off + RSDP_V1_LEN <= len; off += 16)
		if (!memcmp(area + off, ACPI_RSDP_SIGNATURE, 8) && !acpi_sum(area + off, RSDP_V1_LEN))
			return (long)off;
	return -1;
}

uint32_t pvh_ebda_base(uint16_t segment)
{
	uint32_t base = (uint32_t)segment << 4;

	/* Above the BIOS data area, below the 640 KiB hole, with room for the KiB we scan. */
	if (base < 0x500 || base + EBDA_SCAN_LEN > PVH_AP_PAGE_END)
		return 0;
	return base;
}
