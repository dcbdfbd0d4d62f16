/* Host tests of the guest's printf subset and fixed-point formatting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"

#define EXPECT_FMT(want, ...)                                          \
	do {                                                           \
		char b[128];                                           \
		int n = cp_snprintf(b, sizeof(b), __VA_ARGS__);        \
		assert_string_equal(b, want);                          \
		assert_int_equal(n, (int)strlen(want));                \
	} while (0)

static void test_integers(void **state)
{
	(void)state;
	EXPECT_FMT("0", "%d", 0);
	EXPECT_FMT("-42", "%d", -42);
	EXPECT_FMT("+42 -42 +0", "%+d %+d %+lld", 42, -42, 0LL);
	EXPECT_FMT("-9223372036854775808", "%lld", (long long)(-9223372036854775807LL - 1));
	EXPECT_FMT("18446744073709551615", "%llu", 18446744073709551615ULL);
	EXPECT_FMT("0xfed00000", "0x%llx", 0xfed00000ULL);
	EXPECT_FMT("00ff", "%04x", 0xff);
	EXPECT_FMT("  7|", "%3u|", 7);
	EXPECT_FMT("7  |", "%-3u|", 7);
	EXPECT_FMT("-07", "%03d", -7);
	EXPECT_FMT("ABC", "%X", 0xabc);
}

/* Found by tests/fuzz/fuzz_fmt.c (regressions/fuzz_fmt/plus-sign-after-zero-padding): the
 * zeros of "%+05d" went before the '+', and a negative '*' width was taken as no width
 * instead of left justification. */
static void test_sign_padding_and_star_width(void **state)
{
	(void)state;
	EXPECT_FMT("+0005", "%+05d", 5);
	EXPECT_FMT("-0005", "%+05d", -5);
	EXPECT_FMT("+0", "%+02lld", 0LL);
	EXPECT_FMT("3    |", "%*d|", -5, 3);
	EXPECT_FMT("3    |", "%0*d|", -5, 3);
	EXPECT_FMT("ab   |", "%*s|", -5, "ab");
	EXPECT_FMT("   ab|", "%*s|", 5, "ab");
}

static void test_strings(void **state)
{
	(void)state;
	EXPECT_FMT("hpet", "%s", "hpet");
	{
		const char *volatile nul = NULL; /* hidden from format checking on purpose */
		EXPECT_FMT("(null)", "%s", nul);
	}
	EXPECT_FMT("hp", "%.2s", "hpet");
	EXPECT_FMT("  ab", "%4s", "ab");
	EXPECT_FMT("x%y", "x%%y");
	EXPECT_FMT("c", "%c", 'c');
}

static void test_truncation(void **state)
{
	char b[5];
	int n = cp_snprintf(b, sizeof(b), "%s", "abcdefgh");

	(void)state;
	assert_string_equal(b, "abcd");
	assert_int_equal(n, 8);
	n = cp_snprintf(b, 0, "%d", 12345);
	assert_int_equal(n, 5);
}

static void test_fixed(void **state)
{
	char b[40];

	(void)state;
	cp_fmt_fixed(b, sizeof(b), 100000000000000LL, 6);
	assert_string_equal(b, "100000000.000000");
	cp_fmt_fixed(b, sizeof(b), -12345, 3);
	assert_string_equal(b, "-12.345");
	cp_fmt_fixed(b, sizeof(b), -5, 3);
	assert_string_equal(b, "-0.005");
	cp_fmt_fixed(b, sizeof(b), 42, 0);
	assert_string_equal(b, "42");
	cp_fmt_fixed(b, sizeof(b), (-9223372036854775807LL - 1), 3);
	assert_string_equal(b, "-9223372036854775.808");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers),
		cmocka_unit_test(test_sign_padding_and_star_width),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_fixed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
