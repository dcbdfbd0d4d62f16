/* What only the firmware knows, collected by the boot path (efi_main before ExitBootServices,
 * or pvh_main from the PVH start_info) and handed to the rest of the guest, which never calls
 * firmware services. Facts one path cannot know stay zero and are reported absent. */
#ifndef CP_BOOT_FIRMWARE_H
#define CP_BOOT_FIRMWARE_H
#include <stdbool.h>
#include <stdint.h>
#include "../lib/config.h"

struct efi_time_info {
	bool ok;
	uint64_t status;               /* EFI_STATUS of GetTime() */
	uint16_t year;
	uint8_t month, day, hour, minute, second;
	uint32_t nanosecond;
	int16_t timezone;              /* minutes from UTC, 2047 = unspecified */
	uint8_t daylight;
	uint32_t resolution_hz;        /* capabilities: counts per second */
	uint32_t accuracy_ppb_e3;      /* capabilities: error rate in 1e-6 ppm (50 ppm = 50,000,000) */
	bool sets_to_zero;
	uint64_t tsc_before, tsc_after; /* TSC bracket around the GetTime() call */
};

/* What a PVH loader handed over (boot/pvh_main.c, Xen's hvm_start_info); zero under UEFI. */
struct pvh_info {
	uint64_t start_info;           /* physical address of hvm_start_info (EBX at entry) */
	uint32_t version;              /* 0: no memory map fields; 1: memmap_paddr/entries */
	uint32_t flags;                /* SIF_xxx */
	uint32_t nr_modules;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;           /* as given; 0 = none */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;       /* as given */
	bool memmap;                   /* a memory map was given and read */
	uint64_t memmap_usable_bytes;  /* type 1 (RAM) entries */
	uint64_t map_limit;            /* bytes identity-mapped from 0 (boot/pvh_entry.asm) */
	const char *cmdline;           /* copy of the command line, "" if none */
	char note[128];                /* why there is no memory map or command line ("" if both read) */
};

struct fw_info {
	const char *boot_path;         /* "uefi" or "pvh" (info boot.path) */
	const char *no_uefi;           /* why UEFI-only facts are absent; NULL under UEFI */
	uint64_t rsdp;                 /* physical address, 0 = none */
	const char *rsdp_source;       /* where it came from (configuration table GUID, start_info, scan) */
	const char *rsdp_absent_why;   /* no RSDP is a configuration here, not a failure: why (NULL: failure) */
	char vendor[64];               /* firmware vendor, ASCII */
	uint32_t fw_revision;
	uint32_t uefi_revision;
	struct efi_time_info time;
	uint64_t mmap_entries;
	uint64_t mmap_conventional_bytes;
	unsigned exit_boot_attempts;
	uint64_t tsc_entry;            /* TSC at efi_main entry */
	uint64_t tsc_exit_boot;        /* TSC right after ExitBootServices */
	struct config config;
	unsigned config_words[4];      /* accepted words per source: file, load options, fw_cfg, pvh cmdline */
	bool fwcfg;                    /* QEMU fw_cfg interface present */
	void (*firmware_poweroff)(int verdict); /* UEFI ResetSystem(EfiResetShutdown); NULL without UEFI */
	uint64_t ap_page;              /* page below 1 MiB for the AP start-up code, 0 = none */
	char ap_page_why[96];          /* why there is none */
	struct pvh_info pvh;
};

/* boot/main.c: everything after boot services, from CPU setup to verdict. */
void clockprobe_main(struct fw_info *fw) __attribute__((noreturn));

/* boot/exit.c: leave with the verdict: isa-debug-exit on QEMU, else UEFI ResetSystem, else
 * (PVH) ACPI S5, else (exit=reset) a reset, else halt. platform_exit_report() says which
 * before the end marker (after acpi_probe: S5 comes from the FADT and the DSDT). */
void platform_exit(int verdict) __attribute__((noreturn));
void platform_exit_init(struct fw_info *fw);
void platform_exit_report(void);

#endif
