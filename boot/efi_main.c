/* UEFI entry. Collects what only firmware knows (RSDP, GetTime, memory map, configuration),
 * leaves boot services by the book (UEFI 2.10 sec. 7.4, ExitBootServices: get the map, exit
 * with its key, on EFI_INVALID_PARAMETER get the map again without allocating and retry),
 * then switches to our own stack and never returns to firmware. */
#include <efi.h>
#include "firmware.h"
#include "../arch/x86/io.h"
#include "../arch/x86/serial.h"
#include "../arch/x86/fwcfg.h"
#include "../arch/x86/cpu.h"
#include "../lib/report.h"
#include "../lib/mem.h"
#include "../lib/fmt.h"

#define MMAP_SPARE_DESCRIPTORS 16 /* room for the map growing between the size query and the call */
#define CFG_MAX_BYTES CONFIG_TEXT_MAX
/* A Start-up IPI starts an AP at page VV of the first MiB, VV below 0xA0 (Intel SDM vol. 3A
 * 9.4.4.1; vectors 0xA0-0xBF are reserved). */
#define AP_PAGE_MAX_ADDRESS 0x9ffff

static struct fw_info fw;
static EFI_RUNTIME_SERVICES *runtime;
static uint8_t main_stack[CPU_STACK_SIZE] __attribute__((aligned(16)));
static char cfg_text[CFG_MAX_BYTES];

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID simple_fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;

static void find_rsdp(EFI_SYSTEM_TABLE *st)
{
	UINTN i;

	for (i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID))) {
			fw.rsdp = (uint64_t)(uintptr_t)t->VendorTable;
			fw.rsdp_source = "EFI configuration table ACPI_20_TABLE_GUID";
			return;
		}
		if (!memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)) && !fw.rsdp) {
			fw.rsdp = (uint64_t)(uintptr_t)t->VendorTable;
			fw.rsdp_source = "EFI configuration table ACPI_TABLE_GUID";
		}
	}
}

static void get_time(EFI_SYSTEM_TABLE *st)
{
	EFI_TIME t;
	EFI_TIME_CAPABILITIES cap;
	EFI_STATUS s;

	memset(&cap, 0, sizeof(cap));
	fw.time.tsc_before = rdtsc_ordered();
	s = uefi_call_wrapper(st->RuntimeServices->GetTime, 2, &t, &cap);
	fw.time.tsc_after = rdtsc_ordered();
	fw.time.status = s;
	fw.time.ok = !EFI_ERROR(s);
	if (!fw.time.ok)
		return;
	fw.time.year = t.Year;
	fw.time.month = t.Month;
	fw.time.day = t.Day;
	fw.time.hour = t.Hour;
	fw.time.minute = t.Minute;
	fw.time.second = t.Second;
	fw.time.nanosecond = t.Nanosecond;
	fw.time.timezone = t.TimeZone;
	fw.time.daylight = t.Daylight;
	fw.time.resolution_hz = cap.Resolution;
	fw.time.accuracy_ppb_e3 = cap.Accuracy;
	fw.time.sets_to_zero = cap.SetsToZero;
}

/* UCS-2 load options to ASCII; anything non-printable means binary data: ignore it all. */
static void config_from_load_options(EFI_LOADED_IMAGE *li)
{
	const CHAR16 *w = li->LoadOptions;
	UINTN n = li->LoadOptionsSize / sizeof(CHAR16), i;

	if (!w || !n)
		return;
	if (n >= CFG_MAX_BYTES) {
		config_reject_source(&fw.config, "load-options", "over the 4096-byte limit: no word of it applied");
		return;
	}
	for (i = 0; i < n && w[i]; i++) {
		/* Text with tabs or line ends is a command line (its words are checked one by one);
		 * anything else is the boot manager's binary data, not configuration. */
		if (w[i] > 0x7e || (w[i] < 0x20 && w[i] != '\t' && w[i] != '\r' && w[i] != '\n'))
			return;
		cfg_text[i] = (char)w[i];
	}
	fw.config_words[1] = config_parse(&fw.config, cfg_text, i, "load-options");
}

static void config_from_esp_file(EFI_SYSTEM_TABLE *st, EFI_LOADED_IMAGE *li)
{
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root, f;
	UINTN len = sizeof(cfg_text);
	EFI_BOOT_SERVICES *bs = st->BootServices;

	if (EFI_ERROR(uefi_call_wrapper(bs->HandleProtocol, 3, li->DeviceHandle, &simple_fs_guid,
					(void **)&fs)))
		return;
	if (EFI_ERROR(uefi_call_wrapper(fs->OpenVolume, 2, fs, &root)))
		return;
	if (!EFI_ERROR(uefi_call_wrapper(root->Open, 5, root, &f, (CHAR16 *)L"\\clockprobe.cfg",
					 EFI_FILE_MODE_READ, 0))) {
		if (!EFI_ERROR(uefi_call_wrapper(f->Read, 3, f, &len, cfg_text))) {
			char more;
			UINTN extra = 1;

			/* A full buffer may be a longer file: refuse it whole rather than cut it. */
			if (len == sizeof(cfg_text) &&
			    !EFI_ERROR(uefi_call_wrapper(f->Read, 3, f, &extra, &more)) && extra)
				config_reject_source(&fw.config, "esp-file", "over the 4096-byte limit: no word of it applied");
			else
				fw.config_words[0] = config_parse(&fw.config, cfg_text, len, "esp-file");
		}
		uefi_call_wrapper(f->Close, 1, f);
	}
	uefi_call_wrapper(root->Close, 1, root);
}

static void config_from_fwcfg(void)
{
	long n;

	fw.fwcfg = fwcfg_present();
	n = fwcfg_read_file("opt/clockprobe/args", cfg_text, sizeof(cfg_text));
	if (n > (long)sizeof(cfg_text))
		config_reject_source(&fw.config, "fw_cfg", "over the 4096-byte limit: no word of it applied");
	else if (n > 0)
		fw.config_words[2] = config_parse(&fw.config, cfg_text, (size_t)n, "fw_cfg");
}

static void collect_config(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_LOADED_IMAGE *li = 0;

	if (!EFI_ERROR(uefi_call_wrapper(st->BootServices->HandleProtocol, 3, image,
					 &loaded_image_guid, (void **)&li)) && li) {
		config_from_esp_file(st, li);
		memset(cfg_text, 0, sizeof(cfg_text));
		config_from_load_options(li);
	}
	memset(cfg_text, 0, sizeof(cfg_text));
	config_from_fwcfg();
}

static void summarize_map(const uint8_t *map, UINTN size, UINTN desc_size)
{
	UINTN off;

	fw.mmap_entries = size / desc_size;
	fw.mmap_conventional_bytes = 0;
	for (off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);

		if (d->Type == EfiConventionalMemory || d->Type == EfiBootServicesCode ||
		    d->Type == EfiBootServicesData || d->Type == EfiLoaderCode ||
		    d->Type == EfiLoaderData)
			fw.mmap_conventional_bytes += d->NumberOfPages * 4096;
	}
}

static EFI_STATUS exit_boot_services(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_BOOT_SERVICES *bs = st->BootServices;
	UINTN size = 0, key, desc_size, cap;
	UINT32 desc_ver;
	void *map = 0;
	EFI_STATUS s;

	s = uefi_call_wrapper(bs->GetMemoryMap, 5, &size, 0, &key, &desc_size, &desc_ver);
	if (s != EFI_BUFFER_TOO_SMALL)
		return s;
	cap = size + MMAP_SPARE_DESCRIPTORS * desc_size;
	s = uefi_call_wrapper(bs->AllocatePool, 3, EfiLoaderData, cap, &map);
	if (EFI_ERROR(s))
		return s;
	for (fw.exit_boot_attempts = 1; fw.exit_boot_attempts <= 2; fw.exit_boot_attempts++) {
		size = cap;
		s = uefi_call_wrapper(bs->GetMemoryMap, 5, &size, map, &key, &desc_size, &desc_ver);
		if (EFI_ERROR(s))
			return s;
		s = uefi_call_wrapper(bs->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(s)) {
			summarize_map(map, size, desc_size);
			return s;
		}
		/* Only GetMemoryMap may be called now (no allocation): fall through to retry. */
	}
	return s;
}

/* The AP start-up page (arch/x86/smp.c) must be ours before boot services end: after that
 * nothing tells us which low memory is free. EfiLoaderCode, not Data: APs execute it, and
 * firmware that maps data non-executable (DXE NX memory protection) spares code types. */
static void reserve_ap_page(EFI_SYSTEM_TABLE *st)
{
	EFI_PHYSICAL_ADDRESS a = AP_PAGE_MAX_ADDRESS;
	EFI_STATUS s = uefi_call_wrapper(st->BootServices->AllocatePages, 4, AllocateMaxAddress,
					 EfiLoaderCode, 1, &a);

	if (!EFI_ERROR(s))
		fw.ap_page = a;
	else
		cp_snprintf(fw.ap_page_why, sizeof(fw.ap_page_why), "AllocatePages status 0x%llx",
			    (unsigned long long)s);
}

/* boot/exit.c's way out when isa-debug-exit did not end the VM. */
static void efi_poweroff(int verdict)
{
	uefi_call_wrapper(runtime->ResetSystem, 4, EfiResetShutdown,
			  verdict ? EFI_ABORTED : EFI_SUCCESS, 0, NULL);
}

static void serial_sink(const char *s, size_t n)
{
	serial_write(s, n);
}

static void after_exit(void *arg)
{
	clockprobe_main(arg);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_STATUS s;
	unsigned i;

	fw.tsc_entry = rdtsc_ordered();
	fw.boot_path = "uefi";
	serial_init();
	report_set_sink(serial_sink);
	report_begin(CLOCKPROBE_VERSION);

	for (i = 0; st->FirmwareVendor && st->FirmwareVendor[i] && i < sizeof(fw.vendor) - 1; i++)
		fw.vendor[i] = st->FirmwareVendor[i] < 0x7f ? (char)st->FirmwareVendor[i] : '?';
	fw.fw_revision = st->FirmwareRevision;
	fw.uefi_revision = st->Hdr.Revision;
	runtime = st->RuntimeServices;
	fw.firmware_poweroff = efi_poweroff;
	find_rsdp(st);
	get_time(st);
	collect_config(image, st);
	reserve_ap_page(st);

	/* Stop the firmware watchdog (5 min by default): our run decides its own length. */
	uefi_call_wrapper(st->BootServices->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	s = exit_boot_services(image, st);
	fw.tsc_exit_boot = rdtsc_ordered();
	if (EFI_ERROR(s)) {
		report_bail_out("ExitBootServices failed");
		return s;
	}
	switch_stack(main_stack + sizeof(main_stack), after_exit, &fw);
}
