/* The whole run after the boot path (boot/efi_main.c after boot services, or boot/pvh_main.c):
 * CPU setup, firmware facts, probes, clock sources, comparisons, verdict. Read this file top
 * to bottom to follow a run. */
#include "firmware.h"
#include "../arch/x86/cpu.h"
#include "../arch/x86/traps.h"
#include "../arch/x86/fault_selftest.h"
#include "../arch/x86/acpi.h"
#include "../arch/x86/cpuid.h"
#include "../arch/x86/smp.h"
#include "../time/sources.h"
#include "../time/wait.h"
#include "../time/compare.h"
#include "../time/tsc_hints.h"
#include "../time/rtc.h"
#include "../time/kvmclock.h"
#include "../time/hyperv.h"
#include "../time/tsc_sync.h"
#include "../time/counter.h"
#include "../arch/x86/io.h"
#include "../lib/report.h"
#include "../lib/config.h"
#include "../lib/settings.h"

static void crash_exit(void) __attribute__((noreturn));
static void crash_exit(void)
{
	platform_exit(VERDICT_CRASH);
}

/* What the PVH loader gave (boot/pvh_main.c). */
static void report_pvh(const struct pvh_info *p)
{
	metric_hex("pvh.start_info", p->start_info, "addr");
	metric_u64("pvh.start_info.version", p->version, "rev");
	metric_hex("pvh.start_info.flags", p->flags, "hex");
	metric_u64("pvh.start_info.nr_modules", p->nr_modules, "count");
	metric_hex("pvh.start_info.rsdp_paddr", p->rsdp_paddr, "addr");
	metric_u64("pvh.identity_map_bytes", p->map_limit, "bytes");
	if (p->memmap) {
		metric_u64("pvh.memmap_entries", p->memmap_entries, "count");
		metric_u64("pvh.memmap_usable_bytes", p->memmap_usable_bytes, "bytes");
	}
	if (p->note[0])
		info("pvh.note", "%s", p->note);
	info("pvh.cmdline", "%s", p->cmdline && p->cmdline[0] ? p->cmdline : "-");
}

/* What only UEFI gives: firmware identity, memory map, ExitBootServices. */
static void report_uefi(const struct fw_info *fw)
{
	info("efi.vendor", "%s", fw->vendor);
	metric_hex("efi.fw_revision", fw->fw_revision, "hex");
	metric_hex("efi.uefi_revision", fw->uefi_revision, "hex");
	metric_u64("efi.mmap_entries", fw->mmap_entries, "count");
	metric_u64("efi.mmap_usable_bytes", fw->mmap_conventional_bytes, "bytes");
	metric_u64("efi.exit_boot_attempts", fw->exit_boot_attempts, "count");
}

static void report_firmware(const struct fw_info *fw)
{
	const struct efi_time_info *t = &fw->time;

	extern char ImageBase[];

	info("boot.path", "%s", fw->boot_path);
	/* Where we were loaded: subtract from a crash dump's RIP to find the symbol. */
	metric_hex("image.base", (uint64_t)(uintptr_t)ImageBase, "addr");
	if (fw->no_uefi)
		report_pvh(&fw->pvh);
	else
		report_uefi(fw);
	metric_hex("acpi.rsdp", fw->rsdp, "addr");
	info("acpi.rsdp.source", "%s", fw->rsdp ? fw->rsdp_source
	     : fw->rsdp_absent_why ? fw->rsdp_absent_why : "not in EFI configuration table");
	metric_u64("fwcfg.present", fw->fwcfg, "bool");
	if (fw->no_uefi)
		check_skip("efi.gettime", "%s", fw->no_uefi);
	else
		check(t->ok, "efi.gettime", "GetTime() returned status 0x%llx",
		      (unsigned long long)t->status);
	if (t->ok) {
		info("efi.time", "%04u-%02u-%02uT%02u:%02u:%02u.%09u tz=%d daylight=%u", t->year,
		     t->month, t->day, t->hour, t->minute, t->second, t->nanosecond, t->timezone,
		     t->daylight);
		metric_u64("efi.time.resolution_hz", t->resolution_hz, "Hz");
		metric_u64("efi.time.accuracy", t->accuracy_ppb_e3, "1e-6ppm");
		metric_u64("efi.time.sets_to_zero", t->sets_to_zero, "bool");
		metric_u64("efi.gettime_cycles", t->tsc_after - t->tsc_before, "cycles");
	}
}

/* The guest's own run time, from its entry to the verdict, on the measured TSC (not printed
 * if the TSC was never calibrated). Under -icount,sleep=off the TSC is virtual time, so this
 * figure does not depend on the host's load: the boot tests judge the guest's speed by it. */
static void report_run_time(const struct fw_info *fw)
{
	uint64_t hz = wait_tsc_hz();

	if (hz == WAIT_TSC_ASSUMED_HZ)
		return;
	metric_fixed("run.guest_ms", (int64_t)mul_div_u64(rdtsc_ordered() - fw->tsc_entry, 1000000, hz),
		     3, "ms");
}

void clockprobe_main(struct fw_info *fw)
{
	const char *crash;

	cpu_init(0);
	traps_set_crash_handler(crash_exit);
	platform_exit_init(fw);
	/* Before anything relies on fault recovery (MSR probes, MMIO bases from ACPI). */
	fault_selftest();
	report_firmware(fw);
	settings_load(&settings, &fw->config);
	config_report(&fw->config);
	acpi_probe(fw->rsdp, fw->rsdp_absent_why);
	platform_exit_report();
	cpuid_probe();
	msr_probe();

	/* Test hook (crash=ud|pf|gp|de): an unexpected exception must dump and end with status crash. */
	crash = settings_text(&settings, SET_CRASH);
	if (setting(SET_CRASH))
		trigger_exception(crash);

	wait_set_stuck(settings_text(&settings, SET_STUCK));
	efitime_report(fw);
	/* Test hook (rtc_set_unix=S): write S into the CMOS RTC first. QEMU 7.2 cannot start the
	 * RTC past ~2094 with -rtc base= (its offset overflows), so the 2099->2100 crossing is
	 * exercised by setting the registers from inside the guest. Changes the VM's clock. */
	if (setting(SET_RTC_SET_UNIX))
		rtc_set_test_time(setting(SET_RTC_SET_UNIX));
	rtc_set_edge_race(setting(SET_RTC_EDGE_RACE));
	rtc_set_edge_stall(setting(SET_RTC_EDGE_STALL));
	sources_discover();
	tsc_hints_set_fake(setting(SET_FAKE_HINT_HZ));
	tsc_hints_report();
	compare_run();
	/* APs start only now: the TSC rate is measured, so their waits and the sync figures are
	 * timed right. Each AP is started, tested against this CPU and halted in turn. */
	smp_setup(fw->ap_page, fw->ap_page_why, setting(SET_SMP) != 0);
	tsc_sync_run();
	smp_report();
	tsc_sync_report();
	kvmclock_report_counters();
	hyperv_report_counters();
	/* Stop the hypervisor writing into our pages before the machine is reset. */
	kvmclock_shutdown();
	hyperv_shutdown();
	report_run_time(fw);
	platform_exit(report_end());
}
