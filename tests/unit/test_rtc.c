/* Host unit tests for time/rtc_decode.c: BCD/binary, 12/24 h, century handling, leap
 * years and the 1999->2000 and 2099->2100 crossings. Expected unix seconds come from
 * Python's calendar.timegm. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../time/rtc_decode.c"

#define BCD_24H 0x02 /* status B as QEMU and most firmware leave it: BCD, 24 h */
#define BIN_24H 0x06
#define BCD_12H 0x00
#define BIN_12H 0x04

static int64_t decode_ok(struct rtc_regs r)
{
	struct civil_time t;
	const char *why = "unset";

	assert_true(rtc_decode(&r, &t, &why));
	assert_null(why);
	return civil_to_unix(&t);
}

static void decode_fails(struct rtc_regs r)
{
	struct civil_time t;
	const char *why = 0;

	assert_false(rtc_decode(&r, &t, &why));
	assert_non_null(why);
}

static struct rtc_regs regs(uint8_t b, uint8_t cen, uint8_t yy, uint8_t mo, uint8_t d, uint8_t h,
			    uint8_t mi, uint8_t s)
{
	struct rtc_regs r = { .sec = s, .min = mi, .hour = h, .day = d, .mon = mo, .year = yy,
			      .century = cen, .has_century = true, .status_b = b };
	return r;
}

static void test_bcd(void **state)
{
	unsigned v;

	(void)state;
	assert_true(rtc_bcd_decode(0x59, &v));
	assert_int_equal(v, 59);
	assert_true(rtc_bcd_decode(0x00, &v));
	assert_int_equal(v, 0);
	assert_true(rtc_bcd_decode(0x99, &v));
	assert_int_equal(v, 99);
	assert_false(rtc_bcd_decode(0x1a, &v));
	assert_false(rtc_bcd_decode(0xa1, &v));
	assert_false(rtc_bcd_decode(0xff, &v));
}

static void test_century_crossings(void **state)
{
	(void)state;
	assert_int_equal(decode_ok(regs(BCD_24H, 0x19, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59)), 946684799);
	assert_int_equal(decode_ok(regs(BCD_24H, 0x20, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00)), 946684800);
	assert_int_equal(decode_ok(regs(BCD_24H, 0x20, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59)), 4102444799);
	assert_int_equal(decode_ok(regs(BCD_24H, 0x21, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00)), 4102444800);
	/* The same in binary mode. */
	assert_int_equal(decode_ok(regs(BIN_24H, 20, 99, 12, 31, 23, 59, 59)), 4102444799);
	assert_int_equal(decode_ok(regs(BIN_24H, 21, 0, 1, 1, 0, 0, 0)), 4102444800);
}

static void test_no_century_register(void **state)
{
	struct rtc_regs r = regs(BCD_24H, 0x77 /* ignored */, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59);

	(void)state;
	r.has_century = false;
	/* Assumed 20xx: 2099, not 1999. */
	assert_int_equal(decode_ok(r), 4102444799);
	r.year = 0x24;
	r.mon = 0x02;
	r.day = 0x29;
	assert_int_equal(decode_ok(r), 1709251199);
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(civil_is_leap(2000));
	assert_false(civil_is_leap(2100));
	assert_false(civil_is_leap(1900));
	assert_true(civil_is_leap(2024));
	assert_false(civil_is_leap(2023));
	assert_int_equal(civil_days_in_month(2000, 2), 29);
	assert_int_equal(civil_days_in_month(2100, 2), 28);
	assert_int_equal(civil_days_in_month(2100, 13), 0);
	assert_int_equal(decode_ok(regs(BCD_24H, 0x20, 0x00, 0x02, 0x29, 0x12, 0x00, 0x00)), 951825600);
	decode_fails(regs(BCD_24H, 0x21, 0x00, 0x02, 0x29, 0x12, 0x00, 0x00)); /* 2100-02-29 */
	assert_int_equal(decode_ok(regs(BCD_24H, 0x21, 0x00, 0x03, 0x01, 0x00, 0x00, 0x00)), 4107542400);
	decode_fails(regs(BCD_24H, 0x20, 0x23, 0x04, 0x31, 0x00, 0x00, 0x00)); /* April 31 */
}

static void test_12h(void **state)
{
	(void)state;
	/* 2000-01-01: 12 AM is midnight, 12 PM is noon, 1 PM is 13:00, 11 PM is 23:00. */
	assert_int_equal(decode_ok(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x12, 0, 0)), 946684800);
	assert_int_equal(decode_ok(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x92, 0, 0)), 946684800 + 12 * 3600);
	assert_int_equal(decode_ok(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x81, 0, 0)), 946684800 + 13 * 3600);
	assert_int_equal(decode_ok(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x91, 0, 0)), 946684800 + 23 * 3600);
	assert_int_equal(decode_ok(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x01, 0, 0)), 946684800 + 1 * 3600);
	/* Binary 12 h: the PM flag is still bit 7. */
	assert_int_equal(decode_ok(regs(BIN_12H, 20, 0, 1, 1, 0x8c, 0, 0)), 946684800 + 12 * 3600);
	assert_int_equal(decode_ok(regs(BIN_12H, 20, 0, 1, 1, 12, 0, 0)), 946684800);
	assert_int_equal(decode_ok(regs(BIN_12H, 20, 0, 1, 1, 0x8b, 0, 0)), 946684800 + 23 * 3600);
	/* Hour 0 and 13 do not exist in 12 h mode. */
	decode_fails(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x00, 0, 0));
	decode_fails(regs(BCD_12H, 0x20, 0x00, 0x01, 0x01, 0x13, 0, 0));
	decode_fails(regs(BIN_12H, 20, 0, 1, 1, 0x80, 0, 0));
	/* In 24 h mode bit 7 is not a PM flag: 0x92 is no hour. */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x01, 0x01, 0x92, 0, 0));
}

static void test_invalid_fields(void **state)
{
	(void)state;
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x01, 0x01, 0x00, 0x00, 0x60)); /* sec 60 */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x01, 0x01, 0x00, 0x5a, 0x00)); /* not BCD */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x01, 0x01, 0x24, 0x00, 0x00)); /* hour 24 */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x13, 0x01, 0x00, 0x00, 0x00)); /* month 13 */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00)); /* month 0 */
	decode_fails(regs(BCD_24H, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00)); /* day 0 */
	decode_fails(regs(BIN_24H, 20, 100, 1, 1, 0, 0, 0));                   /* year 100 */
	decode_fails(regs(BIN_24H, 100, 0, 1, 1, 0, 0, 0));                    /* century 100 */
	decode_fails(regs(BCD_24H, 0x19, 0x69, 0x12, 0x31, 0x23, 0x59, 0x59)); /* before 1970 */
	decode_fails(regs(BCD_24H, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)); /* absent device */
	assert_int_equal(decode_ok(regs(BCD_24H, 0x99, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59)), 253402300799);
	assert_int_equal(decode_ok(regs(BCD_24H, 0x19, 0x70, 0x01, 0x01, 0x00, 0x00, 0x00)), 0);
}

static void test_round_trip(void **state)
{
	static const int64_t v[] = { 0, 946684799, 946684800, 951825600, 4102444799, 4102444800,
				     4107542400, 253402300799, 1709251199 };
	struct civil_time t;
	unsigned i;
	int64_t s;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unix_to_civil(v[i], &t);
		assert_true(civil_valid(&t));
		assert_int_equal(civil_to_unix(&t), v[i]);
	}
	/* Every day boundary for 400 years (one Gregorian cycle) plus a few seconds. */
	for (s = 0; s < 146097LL * 86400; s += 86400 - 1) {
		unix_to_civil(s, &t);
		assert_true(civil_valid(&t));
		assert_int_equal(civil_to_unix(&t), s);
	}
	unix_to_civil(4102444800, &t);
	assert_int_equal(t.year, 2100);
	assert_int_equal(t.month, 1);
	assert_int_equal(t.day, 1);
}

/* encode then decode gives the same time, in all four modes, with and without century. */
static void test_encode_round_trip(void **state)
{
	static const uint8_t modes[] = { BCD_24H, BIN_24H, BCD_12H, BIN_12H };
	static const int64_t v[] = { 946684799, 946684800, 4102444799, 4102444800, 951825600,
				     951825600 + 12 * 3600, 951825600 - 12 * 3600, 1709251199 };
	struct rtc_regs r;
	struct civil_time t, back;
	const char *why;
	unsigned m, i, c;

	(void)state;
	for (m = 0; m < sizeof(modes); m++)
		for (c = 0; c < 2; c++)
			for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
				memset(&r, 0, sizeof(r));
				r.status_b = modes[m];
				r.has_century = c;
				unix_to_civil(v[i], &t);
				assert_true(rtc_encode(&t, &r));
				assert_true(rtc_decode(&r, &back, &why));
				/* Without a century register only 20xx survives. */
				if (c || t.year / 100 == RTC_DEFAULT_CENTURY)
					assert_int_equal(civil_to_unix(&back), v[i]);
			}
	/* Spot checks of the encoding itself. */
	memset(&r, 0, sizeof(r));
	r.status_b = BCD_12H;
	r.has_century = true;
	unix_to_civil(4102444799, &t); /* 2099-12-31T23:59:59 */
	assert_true(rtc_encode(&t, &r));
	assert_int_equal(r.hour, 0x91); /* 11 PM */
	assert_int_equal(r.century, 0x20);
	assert_int_equal(r.year, 0x99);
	assert_int_equal(r.sec, 0x59);
	t.month = 13;
	assert_false(rtc_encode(&t, &r));
}

/* UEFI: Localtime = UTC - TimeZone. */
static void test_efi_timezone(void **state)
{
	int64_t utc;

	(void)state;
	assert_int_equal(efi_local_to_utc(1000000, EFI_TZ_UNSPECIFIED, 0, &utc), EFI_TZ_ASSUMED_UTC);
	assert_int_equal(utc, 1000000);
	/* Daylight is meaningless without a zone: ignored. */
	assert_int_equal(efi_local_to_utc(1000000, EFI_TZ_UNSPECIFIED, EFI_DAYLIGHT_IN_DST, &utc), EFI_TZ_ASSUMED_UTC);
	assert_int_equal(utc, 1000000);
	/* US Pacific standard time: TimeZone +480, local 12:00 is 20:00 UTC. */
	assert_int_equal(efi_local_to_utc(43200, 480, 0, &utc), EFI_TZ_APPLIED);
	assert_int_equal(utc, 72000);
	/* UTC+8: TimeZone -480. */
	assert_int_equal(efi_local_to_utc(72000, -480, 0, &utc), EFI_TZ_APPLIED);
	assert_int_equal(utc, 43200);
	/* Pacific daylight time: local moved forward one hour. */
	assert_int_equal(efi_local_to_utc(43200, 480, EFI_DAYLIGHT_IN_DST, &utc), EFI_TZ_APPLIED);
	assert_int_equal(utc, 72000 - 3600);
	assert_int_equal(efi_local_to_utc(43200, 1440, 0, &utc), EFI_TZ_APPLIED);
	assert_int_equal(utc, 43200 + 86400);
	assert_int_equal(efi_local_to_utc(43200, 1441, 0, &utc), EFI_TZ_INVALID);
	assert_int_equal(utc, 43200);
	assert_int_equal(efi_local_to_utc(43200, -1441, 0, &utc), EFI_TZ_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd),
		cmocka_unit_test(test_century_crossings),
		cmocka_unit_test(test_no_century_register),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_12h),
		cmocka_unit_test(test_invalid_fields),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_efi_timezone),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
