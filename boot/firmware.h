/* What only the firmware knows, collected by efi_main before ExitBootServices and
 * handed to the rest of the guest, which never calls boot services. */
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

struct fw_info {
	uint64_t rsdp;                 /* physical address, 0 = none */
	const char *rsdp_source;       /* which configuration table GUID it came from */
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
	unsigned config_words[4];      /* accepted words per source: file, load options, fw_cfg */
	bool fwcfg;                    /* QEMU fw_cfg interface present */
	void *runtime_services;        /* EFI_RUNTIME_SERVICES *, for ResetSystem */
	uint64_t ap_page;              /* page below 1 MiB for the AP start-up code, 0 = none */
	uint64_t ap_page_status;       /* EFI_STATUS of its AllocatePages */
};

/* boot/main.c: everything after boot services, from CPU setup to verdict. */
void clockprobe_main(struct fw_info *fw) __attribute__((noreturn));

/* boot/exit.c: leave with the verdict (isa-debug-exit on QEMU, else ResetSystem). */
void platform_exit(int verdict) __attribute__((noreturn));
void platform_exit_init(struct fw_info *fw);

#endif
