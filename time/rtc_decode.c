/* MC146818 field decoding and civil date arithmetic. Pure: no hardware access. */
#include "rtc_decode.h"

#define RTC_MIN_YEAR 1970 /* unix epoch: earlier dates would need negative seconds */
#define RTC_MAX_YEAR 9999 /* 2 BCD digits of century + 2 of year */
#define SECS_PER_DAY 86400

bool rtc_bcd_decode(uint8_t v, unsigned *out)
{
	if ((v & 0x0f) > 9 || (v >> 4) > 9)
		return false;
	*out = (v >> 4) * 10u + (v & 0x0fu);
	return true;
}

static bool field(uint8_t v, bool binary, unsigned *out)
{
	if (binary) {
		*out = v;
		return true;
	}
	return rtc_bcd_decode(v, out);
}

bool civil_is_leap(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned civil_days_in_month(unsigned year, unsigned month)
{
	static const uint8_t days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (month < 1 || month > 12)
		return 0;
	return days[month - 1] + (month == 2 && civil_is_leap(year));
}

bool civil_valid(const struct civil_time *t)
{
	return t->year >= RTC_MIN_YEAR && t->year <= RTC_MAX_YEAR && t->month >= 1 &&
	       t->month <= 12 && t->day >= 1 && t->day <= civil_days_in_month(t->year, t->month) &&
	       t->hour <= 23 && t->minute <= 59 && t->second <= 59;
}

/* Days from 1970-01-01 to y-m-d, proleptic Gregorian: count in 400-year eras starting on
 * March 1 so the leap day is the last day of the shifted year. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;                                   /* 0..399 */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
	return era * 146097 + doe - 719468;                    /* 719468: 0000-03-01 to 1970-01-01 */
}

int64_t civil_to_unix(const struct civil_time *t)
{
	return days_from_civil(t->year, t->month, t->day) * SECS_PER_DAY +
	       (int64_t)t->hour * 3600 + (int64_t)t->minute * 60 + t->second;
}

void unix_to_civil(int64_t s, struct civil_time *t)
{
	int64_t z = s / SECS_PER_DAY + 719468, rem = s % SECS_PER_DAY;
	int64_t era = z / 146097, doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);

	t->day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	t->month = m;
	t->year = (unsigned)(yoe + era * 400 + (m <= 2));
	t->hour = (unsigned)(rem / 3600);
	t->minute = (unsigned)(rem / 60 % 60);
	t->second = (unsigned)(rem % 60);
}

/* 12 hour mode: the register holds 1..12 plus the PM flag; 12 AM is midnight (0) and
 * 12 PM is noon (12), hence (h % 12) + 12 * pm. */
static bool decode_hour(uint8_t v, bool binary, bool h24, unsigned *out)
{
	bool pm = !h24 && (v & RTC_HOUR_PM);
	unsigned h;

	if (!field(h24 ? v : (uint8_t)(v & ~RTC_HOUR_PM), binary, &h))
		return false;
	if (h24) {
		*out = h;
		return true;
	}
	if (h < 1 || h > 12)
		return false;
	*out = h % 12 + (pm ? 12 : 0);
	return true;
}

static uint8_t encode_field(unsigned v, bool binary)
{
	return binary ? (uint8_t)v : (uint8_t)((v / 10) << 4 | v % 10);
}

bool rtc_encode(const struct civil_time *t, struct rtc_regs *r)
{
	bool binary = r->status_b & RTC_B_DM, h24 = r->status_b & RTC_B_24H;
	unsigned h12 = t->hour % 12 ? t->hour % 12 : 12;

	if (!civil_valid(t))
		return false;
	r->sec = encode_field(t->second, binary);
	r->min = encode_field(t->minute, binary);
	r->hour = h24 ? encode_field(t->hour, binary) :
			(uint8_t)(encode_field(h12, binary) | (t->hour >= 12 ? RTC_HOUR_PM : 0));
	r->day = encode_field(t->day, binary);
	r->mon = encode_field(t->month, binary);
	r->year = encode_field(t->year % 100, binary);
	r->century = r->has_century ? encode_field(t->year / 100, binary) : 0;
	return true;
}

bool rtc_decode(const struct rtc_regs *r, struct civil_time *out, const char **why)
{
	bool binary = r->status_b & RTC_B_DM, h24 = r->status_b & RTC_B_24H;
	unsigned yy, cc = RTC_DEFAULT_CENTURY;

	*why = 0;
	if (!field(r->sec, binary, &out->second))
		*why = "seconds not BCD";
	else if (!field(r->min, binary, &out->minute))
		*why = "minutes not BCD";
	else if (!decode_hour(r->hour, binary, h24, &out->hour))
		*why = "hours not valid for the mode";
	else if (!field(r->day, binary, &out->day))
		*why = "day not BCD";
	else if (!field(r->mon, binary, &out->month))
		*why = "month not BCD";
	else if (!field(r->year, binary, &yy) || yy > 99)
		*why = "year not 0..99";
	else if (r->has_century && (!field(r->century, binary, &cc) || cc > 99))
		*why = "century not 0..99";
	if (*why)
		return false;
	out->year = cc * 100 + yy;
	if (!civil_valid(out)) {
		*why = "field out of range";
		return false;
	}
	return true;
}

enum efi_tz_use efi_local_to_utc(int64_t local_s, int16_t timezone, uint8_t daylight, int64_t *utc_s)
{
	*utc_s = local_s;
	if (timezone == EFI_TZ_UNSPECIFIED)
		return EFI_TZ_ASSUMED_UTC;
	if (timezone < -EFI_TZ_MAX_MINUTES || timezone > EFI_TZ_MAX_MINUTES)
		return EFI_TZ_INVALID;
	*utc_s = local_s + (int64_t)timezone * 60 - ((daylight & EFI_DAYLIGHT_IN_DST) ? 3600 : 0);
	return EFI_TZ_APPLIED;
}
