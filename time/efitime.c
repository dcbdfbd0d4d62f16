/* Reports the UEFI GetTime() result that efi_main kept (boot/firmware.h) as unix seconds,
 * so it can be compared with the CMOS RTC read later: efi.unix_s and efi.time.utc.
 * Time zone (UEFI 2.10 sec. 8.3.1): Localtime = UTC - TimeZone, so UTC = local + TimeZone
 * minutes. Implementations disagree on that sign (EDK2 EmbeddedPkg's PL031, Goldfish and
 * VirtualRealTimeClockLib compute local = UTC + TimeZone), so when a zone is given the other
 * reading is printed too. EFI_UNSPECIFIED_TIMEZONE (0x7FF, what OVMF's PC RTC driver
 * returns) means local time of an unknown zone: taken as UTC, and the line says so. */
#include "rtc.h"
#include "rtc_decode.h"
#include "../boot/firmware.h"
#include "wallclock.h"
#include "../lib/report.h"

/* For the wall-clock comparison: GetTime() truncates to its resolution (Capabilities
 * Resolution, counts per second; OVMF: 1), so the true time lies in [reading, reading + 1/res). */
static void note_reading(const struct efi_time_info *t, int64_t utc)
{
	uint64_t res = t->resolution_hz ? t->resolution_hz : 1;
	int64_t lo = utc * 1000000000LL + (t->nanosecond < 1000000000u ? t->nanosecond : 0);

	wall_note("efi", lo, lo + (int64_t)(1000000000ULL / res), t->tsc_before, t->tsc_after);
}

void efitime_report(const struct fw_info *fw)
{
	const struct efi_time_info *t = &fw->time;
	struct civil_time c = { t->year, t->month, t->day, t->hour, t->minute, t->second }, u;
	int64_t local, utc;
	enum efi_tz_use use;

	if (fw->no_uefi) /* efi.gettime already says why; no efi.* line that would lie */
		return;
	if (!t->ok) {
		info("efi.time.utc", "unknown: GetTime() returned status 0x%llx", (unsigned long long)t->status);
		return;
	}
	if (!civil_valid(&c)) {
		info("efi.time.utc", "unknown: GetTime() fields out of range (%u-%u-%u %u:%u:%u)", t->year,
		     t->month, t->day, t->hour, t->minute, t->second);
		return;
	}
	local = civil_to_unix(&c);
	use = efi_local_to_utc(local, t->timezone, t->daylight, &utc);
	if (utc < 0) {
		info("efi.time.utc", "unknown: before 1970 after applying TimeZone=%d", t->timezone);
		return;
	}
	metric_u64("efi.unix_s", (uint64_t)utc, "s");
	note_reading(t, utc);
	unix_to_civil(utc, &u);
	switch (use) {
	case EFI_TZ_APPLIED:
		info("efi.time.utc", "%04u-%02u-%02uT%02u:%02u:%02uZ (local + TimeZone %d min%s per UEFI; "
		     "opposite-sign reading would be %lld)", u.year, u.month, u.day, u.hour, u.minute,
		     u.second, t->timezone, (t->daylight & EFI_DAYLIGHT_IN_DST) ? " - 1 h daylight" : "",
		     (long long)(local - (int64_t)t->timezone * 60));
		break;
	case EFI_TZ_ASSUMED_UTC:
		info("efi.time.utc", "%04u-%02u-%02uT%02u:%02u:%02uZ (TimeZone unspecified 0x7FF: local time, assumed UTC)",
		     u.year, u.month, u.day, u.hour, u.minute, u.second);
		break;
	case EFI_TZ_INVALID:
		info("efi.time.utc", "%04u-%02u-%02uT%02u:%02u:%02uZ (TimeZone %d outside -1440..1440: assumed UTC)",
		     u.year, u.month, u.day, u.hour, u.minute, u.second, t->timezone);
		break;
	}
}
