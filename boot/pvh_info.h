/* Decoders for what a PVH loader hands over (boot/pvh_main.c). Pure: every function works on
 * bytes the caller copied, so host unit tests (tests/unit/test_pvh.c) run the guest's code.
 * Layouts: Xen's public arch-x86/hvm/start_info.h (the x86/HVM direct boot ABI), the ACPI
 * 6.5 RSDP (5.2.5.1 finding it on IA-PC systems). */
#ifndef CP_BOOT_PVH_INFO_H
#define CP_BOOT_PVH_INFO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "firmware.h"

#define PVH_START_MAGIC          0x336ec578u /* "xEn3" with the 0x80 bit of the "E" set */
#define PVH_SI_MAGIC             0           /* u32 */
#define PVH_SI_VERSION           4           /* u32: 0, or 1 with the memory map fields */
#define PVH_SI_FLAGS             8           /* u32 SIF_xxx */
#define PVH_SI_NR_MODULES        12          /* u32 */
#define PVH_SI_MODLIST_PADDR     16          /* u64 */
#define PVH_SI_CMDLINE_PADDR     24          /* u64, NUL-terminated ASCII, 0 = none */
#define PVH_SI_RSDP_PADDR        32          /* u64, 0 = none given */
#define PVH_SI_V0_LEN            40
#define PVH_SI_MEMMAP_PADDR      40          /* u64, version >= 1 */
#define PVH_SI_MEMMAP_ENTRIES    48          /* u32, version >= 1; 0 = no map */
#define PVH_SI_V1_LEN            56

/* Memory map entry: {u64 addr, u64 size, u32 type, u32 reserved}; types as E820/ACPI. */
#define PVH_MEMMAP_ENTRY_LEN     24
#define PVH_MEMMAP_ADDR          0
#define PVH_MEMMAP_SIZE          8
#define PVH_MEMMAP_TYPE          16
#define PVH_MEMMAP_TYPE_RAM      1
#define PVH_MEMMAP_MAX_ENTRIES   512         /* we read at most this many */

/* Where ACPI says an IA-PC RSDP may be (5.2.5.1): the first KiB of the EBDA, whose segment
 * is the u16 at 0x40E, and the BIOS read-only area; on 16-byte boundaries. */
#define BDA_EBDA_SEGMENT         0x40e
#define EBDA_SCAN_LEN            1024
#define BIOS_AREA_START          0xe0000u
#define BIOS_AREA_END            0x100000u

/* A Start-up IPI starts an AP at page VV of the first MiB, VV below 0xA0 (SDM 3A 9.4.4.1). */
#define PVH_AP_PAGE_MIN          0x1000u     /* not page 0: real-mode IVT and BIOS data area */
#define PVH_AP_PAGE_END          0xa0000u
#define PVH_PAGE                 4096u

/* Decode the n bytes copied from the start_info into p (start_info .. memmap_entries). False
 * with why set if the magic is wrong or n is short. Version 0 leaves the memory map empty. */
bool pvh_start_decode(const uint8_t *b, size_t n, struct pvh_info *p, char *why, size_t why_len);

/* Sum of RAM (type 1) bytes in the map, and the highest page in [PVH_AP_PAGE_MIN,
 * PVH_AP_PAGE_END) that lies inside a RAM entry and in no other entry (0 = none). */
void pvh_memmap_scan(const uint8_t *m, uint32_t entries, uint64_t *ram_bytes, uint64_t *ap_page);

/* Offset of the first RSDP in area (whose physical start is 16-byte aligned): signature
 * "RSD PTR " on a 16-byte boundary whose first 20 bytes sum to 0. -1 if none. */
long pvh_rsdp_scan(const uint8_t *area, size_t len);

/* The EBDA's physical address from the BIOS data area's segment word, 0 if that cannot be an
 * EBDA below 640 KiB (a zeroed BDA, as under Firecracker, gives 0). */
uint32_t pvh_ebda_base(uint16_t segment);

#endif
