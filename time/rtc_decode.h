/* Pure MC146818 (CMOS RTC) register decoding and civil-date arithmetic: BCD or binary
 * fields, 12 or 24 hour mode, optional century register, validation of every field, and
 * proleptic Gregorian date -> unix seconds. No hardware access: host unit-tested
 * (tests/unit/test_rtc.c) and shared with time/efitime.c. */
#ifndef CP_TIME_RTC_DECODE_H
#define CP_TIME_RTC_DECODE_H
#include <stdbool.h>
#include <stdint.h>

/* Status register B bits (MC146818 datasheet, "Register B"). */
#define RTC_B_24H  (1u << 1) /* 1 = 24 hour mode, 0 = 12 hour mode */
#define RTC_B_DM   (1u << 2) /* data mode: 1 = binary, 0 = BCD */
/* In 12 hour mode bit 7 of the hours register is the PM flag, in either data mode. */
#define RTC_HOUR_PM (1u << 7)

/* Years assumed when the platform has no century register (FADT CENTURY = 0). */
#define RTC_DEFAULT_CENTURY 20

/* Raw register contents of one consistent read. */
struct rtc_regs {
	uint8_t sec, min, hour, day, mon, year;
	uint8_t century;      /* only meaningful when has_century */
	bool has_century;
	uint8_t status_b;
};

struct civil_time {
	unsigned year, month, day, hour, minute, second;
};

/* Two BCD digits -> value; false if a nibble is above 9. */
bool rtc_bcd_decode(uint8_t v, unsigned *out);

/* Registers -> civil time. On failure *why names the bad field (static text). */
bool rtc_decode(const struct rtc_regs *r, struct civil_time *out, const char **why);

/* Civil time -> register values in the data mode and hour mode of r->status_b (the
 * inverse of rtc_decode; r->has_century says whether to fill r->century). False if t is not
 * civil_valid. Used by the test hook that sets the clock (time/rtc.c). */
bool rtc_encode(const struct civil_time *t, struct rtc_regs *r);

bool civil_is_leap(unsigned year);
unsigned civil_days_in_month(unsigned year, unsigned month);
/* All fields in range (month 1..12, day within that month, hour 0..23, min 0..59,
 * sec 0..59; year 1970..9999 so unix seconds stay non-negative). */
bool civil_valid(const struct civil_time *t);
/* Seconds since 1970-01-01T00:00:00 UTC (no leap seconds, as POSIX). Caller validates. */
int64_t civil_to_unix(const struct civil_time *t);
/* Inverse of civil_to_unix for s >= 0. */
void unix_to_civil(int64_t s, struct civil_time *t);

/* EFI_TIME zone fields (UEFI 2.10 sec. 8.3.1 GetTime, "Related Definitions"). */
#define EFI_TZ_UNSPECIFIED   0x07ff /* EFI_UNSPECIFIED_TIMEZONE: the time is local time */
#define EFI_TZ_MAX_MINUTES   1440   /* valid TimeZone values are -1440..1440 */
#define EFI_DAYLIGHT_IN_DST  0x02   /* EFI_TIME_IN_DAYLIGHT: the time was moved forward 1 h */

enum efi_tz_use {
	EFI_TZ_APPLIED,      /* TimeZone (and Daylight) applied */
	EFI_TZ_ASSUMED_UTC,  /* unspecified: local time of unknown zone, taken as UTC */
	EFI_TZ_INVALID,      /* out of range: taken as UTC */
};

/* UEFI defines Localtime = UTC - TimeZone (minutes), so UTC = local + TimeZone * 60, minus
 * one hour when EFI_TIME_IN_DAYLIGHT says the local time includes daylight saving. (Several
 * EDK2 EmbeddedPkg RTC libraries apply the opposite sign; see time/efitime.c.) */
enum efi_tz_use efi_local_to_utc(int64_t local_s, int16_t timezone, uint8_t daylight, int64_t *utc_s);

#endif
