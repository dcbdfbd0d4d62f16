/* PVH entry, C side. boot/pvh_entry.asm calls pvh_main() in 64-bit mode, on identity-mapped
 * page tables and its own stack, with the physical address of the loader's hvm_start_info.
 * This collects what the loader gave into the same struct fw_info that efi_main fills (RSDP,
 * memory map, configuration words, a page for the AP start-up code) and runs the same
 * boot/main.c. What only UEFI gives (GetTime, firmware vendor and revision, its memory map,
 * ResetSystem) stays absent and is reported so (fw.no_uefi).
 * There is no IDT before cpu_init(): every read here is of memory the entry mapped, checked
 * against pvh_map_limit; the fault-safe accessors need the per-CPU area and are not used. */
#include <stdarg.h>
#include "firmware.h"
#include "pvh_info.h"
#include "../arch/x86/io.h"
#include "../arch/x86/serial.h"
#include "../arch/x86/fwcfg.h"
#include "../lib/report.h"
#include "../lib/mem.h"
#include "../lib/fmt.h"

#define CFG_MAX_BYTES 4096
#define RSDP_SOURCE_LEN 128

/* boot/pvh_entry.asm */
extern uint64_t pvh_entry_tsc;   /* TSC at the entry's first instruction */
extern uint64_t pvh_map_limit;   /* bytes identity-mapped from physical 0 */
void pvh_main(uint32_t start_info) __attribute__((noreturn));

static struct fw_info fw;
static char cfg_text[CFG_MAX_BYTES];
static char cmdline[CFG_MAX_BYTES];
static char rsdp_source[RSDP_SOURCE_LEN];
static uint8_t memmap[PVH_MEMMAP_MAX_ENTRIES * PVH_MEMMAP_ENTRY_LEN];

static bool mapped(uint64_t addr, uint64_t len)
{
	return len <= pvh_map_limit && addr <= pvh_map_limit - len;
}

/* A physical address as a pointer. Laundered through an empty asm so the compiler does not
 * treat low constant addresses (the BDA's 0x40e) as offsets from a null pointer. */
static const void *phys(uint64_t addr)
{
	uintptr_t p = (uintptr_t)addr;

	__asm__("" : "+r"(p));
	return (const void *)p;
}

/* Append to fw.pvh.note ("; " between items). */
static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	size_t n = strlen(fw.pvh.note);
	va_list ap;

	if (n && n + 2 < sizeof(fw.pvh.note)) {
		memcpy(fw.pvh.note + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	cp_vsnprintf(fw.pvh.note + n, sizeof(fw.pvh.note) - n, fmt, ap);
	va_end(ap);
}

static bool read_start_info(uint64_t addr, char *why, size_t why_len)
{
	uint8_t b[PVH_SI_V1_LEN];
	size_t n = sizeof(b);

	if (!addr || !mapped(addr, PVH_SI_V0_LEN)) {
		cp_snprintf(why, why_len, "start_info at 0x%llx (EBX) is not in the identity map "
			    "(0x%llx bytes)", (unsigned long long)addr, (unsigned long long)pvh_map_limit);
		return false;
	}
	if (!mapped(addr, n))
		n = PVH_SI_V0_LEN;
	memcpy(b, phys(addr), n); /* version 0 ends at 40 bytes: decode reads no further then */
	return pvh_start_decode(b, n, &fw.pvh, why, why_len);
}

static void read_memmap(void)
{
	struct pvh_info *p = &fw.pvh;
	uint32_t n = p->memmap_entries;

	if (p->version < 1) {
		note("no memory map: start_info version 0 has none");
		cp_snprintf(fw.ap_page_why, sizeof(fw.ap_page_why),
			    "start_info version 0 has no memory map: free low memory unknown");
		return;
	}
	if (!n || !p->memmap_paddr) {
		note("no memory map: memmap_entries %u, memmap_paddr 0x%llx", n,
		     (unsigned long long)p->memmap_paddr);
		cp_snprintf(fw.ap_page_why, sizeof(fw.ap_page_why),
			    "the loader gave no memory map: free low memory unknown");
		return;
	}
	if (n > PVH_MEMMAP_MAX_ENTRIES) {
		note("memory map has %u entries: read the first %u", n, PVH_MEMMAP_MAX_ENTRIES);
		n = PVH_MEMMAP_MAX_ENTRIES;
	}
	if (!mapped(p->memmap_paddr, (uint64_t)n * PVH_MEMMAP_ENTRY_LEN)) {
		note("memory map at 0x%llx is not in the identity map", (unsigned long long)p->memmap_paddr);
		cp_snprintf(fw.ap_page_why, sizeof(fw.ap_page_why), "memory map unreadable");
		return;
	}
	memcpy(memmap, phys(p->memmap_paddr), (size_t)n * PVH_MEMMAP_ENTRY_LEN);
	p->memmap = true;
	pvh_memmap_scan(memmap, n, &p->memmap_usable_bytes, &fw.ap_page);
	if (!fw.ap_page)
		cp_snprintf(fw.ap_page_why, sizeof(fw.ap_page_why),
			    "no free RAM page in 0x1000-0x9ffff in the PVH memory map");
}

/* start_info.rsdp_paddr, else where ACPI says an IA-PC RSDP may be: Firecracker gives 0 and
 * puts it at 0xE0000. Whatever is found, acpi_probe checks it again in full. The test hook
 * rsdp=scan ignores a given rsdp_paddr, so that QEMU (whose pvh.bin always gives one) runs
 * the scan Firecracker's guests need. */
static void find_rsdp(void)
{
	uint32_t ebda = pvh_ebda_base(*(const volatile uint16_t *)phys(BDA_EBDA_SEGMENT));
	const char *scan = config_str(&fw.config, "rsdp", 0);
	const char *why = "start_info.rsdp_paddr is 0";
	long off;

	if (scan && !strcmp(scan, "scan") && fw.pvh.rsdp_paddr)
		why = "start_info.rsdp_paddr ignored: rsdp=scan";
	else if (fw.pvh.rsdp_paddr) {
		fw.rsdp = fw.pvh.rsdp_paddr;
		fw.rsdp_source = "PVH start_info.rsdp_paddr";
		return;
	}
	if (ebda && (off = pvh_rsdp_scan(phys(ebda), EBDA_SCAN_LEN)) >= 0) {
		fw.rsdp = ebda + (uint64_t)off;
		cp_snprintf(rsdp_source, sizeof(rsdp_source), "scan of the EBDA at 0x%x (%s)", ebda, why);
	} else if ((off = pvh_rsdp_scan(phys(BIOS_AREA_START), BIOS_AREA_END - BIOS_AREA_START)) >= 0) {
		fw.rsdp = BIOS_AREA_START + (uint64_t)off;
		cp_snprintf(rsdp_source, sizeof(rsdp_source), "scan of 0xE0000-0xFFFFF (%s)", why);
	} else if (fw.pvh.rsdp_paddr) {
		fw.rsdp = fw.pvh.rsdp_paddr;
		fw.rsdp_source = "PVH start_info.rsdp_paddr (rsdp=scan found none)";
		return;
	} else {
		fw.rsdp_absent_why = ebda ? "no ACPI: start_info.rsdp_paddr is 0 and no RSDP in the "
			"EBDA or 0xE0000-0xFFFFF" : "no ACPI: start_info.rsdp_paddr is 0 and no RSDP in "
			"0xE0000-0xFFFFF (no EBDA)";
		return;
	}
	fw.rsdp_source = rsdp_source;
}

/* The command line as configuration words (source "pvh cmdline"). Bytes outside printable
 * ASCII become spaces: a word never spans them. */
static void read_cmdline(void)
{
	uint64_t a = fw.pvh.cmdline_paddr;
	size_t i;

	if (!a)
		return;
	for (i = 0; i < sizeof(cmdline) - 1; i++) {
		char c;

		if (!mapped(a + i, 1)) {
			note("command line at 0x%llx runs out of the identity map", (unsigned long long)a);
			break;
		}
		c = ((const volatile char *)phys(a))[i];
		if (!c)
			break;
		cmdline[i] = (c >= 0x20 && c <= 0x7e) || c == '\t' ? c : ' ';
	}
	if (i == sizeof(cmdline) - 1)
		note("command line longer than %u bytes: the rest is ignored", (unsigned)i);
	cmdline[i] = '\0';
	fw.config_words[3] = config_parse(&fw.config, cmdline, i, "pvh cmdline");
}

/* As under UEFI: QEMU's -fw_cfg name=opt/clockprobe/args, applied last (it wins). */
static void config_from_fwcfg(void)
{
	long n;

	fw.fwcfg = fwcfg_present();
	n = fwcfg_read_file("opt/clockprobe/args", cfg_text, sizeof(cfg_text));
	if (n > 0)
		fw.config_words[2] = config_parse(&fw.config, cfg_text,
						  (size_t)(n < (long)sizeof(cfg_text) ? n : (long)sizeof(cfg_text)),
						  "fw_cfg");
}

static void serial_sink(const char *s, size_t n)
{
	serial_write(s, n);
}

void pvh_main(uint32_t start_info)
{
	char why[128];

	fw.tsc_entry = pvh_entry_tsc;
	fw.boot_path = "pvh";
	fw.no_uefi = "no UEFI: booted through PVH";
	fw.pvh.start_info = start_info;
	fw.pvh.map_limit = pvh_map_limit;
	fw.pvh.cmdline = cmdline;
	serial_init();
	report_set_sink(serial_sink);
	report_begin(CLOCKPROBE_VERSION);
	if (!read_start_info(start_info, why, sizeof(why))) {
		fw.fwcfg = fwcfg_present(); /* so the crash verdict can leave through isa-debug-exit */
		platform_exit_init(&fw);
		report_bail_out(why);
		platform_exit(VERDICT_CRASH);
	}
	read_memmap();
	read_cmdline();
	config_from_fwcfg();
	find_rsdp(); /* after the configuration: rsdp=scan */
	clockprobe_main(&fw);
}
