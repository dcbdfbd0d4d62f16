/* Host tests of the k=v configuration parser and its override order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "../../lib/config.c"

static void test_parse_words(void **state)
{
	static struct config c;
	const char *t = "duration=20 checks=all\n# comment=ignored\n\twindow_ms=0x10";

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(config_parse(&c, t, strlen(t), "file"), 3);
	assert_string_equal(config_str(&c, "checks", "-"), "all");
	assert_int_equal(config_u64(&c, "duration", 0), 20);
	assert_int_equal(config_u64(&c, "window_ms", 0), 16);
	assert_null(config_find(&c, "comment"));
	assert_string_equal(config_find(&c, "duration")->source, "file");
}

static void test_later_source_wins(void **state)
{
	static struct config c;

	(void)state;
	memset(&c, 0, sizeof(c));
	config_parse(&c, "a=1 b=2", 7, "esp-file");
	config_parse(&c, "b=3", 3, "fw_cfg");
	assert_int_equal(config_u64(&c, "a", 0), 1);
	assert_int_equal(config_u64(&c, "b", 0), 3);
	assert_string_equal(config_find(&c, "b")->source, "fw_cfg");
	assert_int_equal(c.n, 2);
}

static void test_malformed(void **state)
{
	static struct config c;
	const char *t = "noequals =x y= Bad=1 ok=1 clockprobe.efi";
	char longval[200];

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(config_parse(&c, t, strlen(t), "load-options"), 1);
	assert_int_equal(c.rejected, 5);
	memset(longval, 'v', sizeof(longval));
	memcpy(longval, "k=", 2);
	assert_int_equal(config_parse(&c, longval, sizeof(longval), "x"), 0);
	/* not NUL-terminated input is bounded by len */
	assert_int_equal(config_parse(&c, "z=12345", 3, "x"), 1);
	assert_string_equal(config_str(&c, "z", ""), "1");
}

static void test_numbers_and_bools(void **state)
{
	static struct config c;
	const char *t = "big=18446744073709551616 hex=0xFFff junk=12ab on=yes off=0 odd=maybe";
	uint64_t v;

	(void)state;
	memset(&c, 0, sizeof(c));
	config_parse(&c, t, strlen(t), "x");
	assert_int_equal(config_u64(&c, "big", 7), 7);
	assert_int_equal(config_u64(&c, "hex", 0), 0xffff);
	assert_int_equal(config_u64(&c, "junk", 9), 9);
	assert_true(config_bool(&c, "on", false));
	assert_false(config_bool(&c, "off", true));
	assert_true(config_bool(&c, "odd", true));
	assert_true(parse_u64("18446744073709551615", &v));
	assert_true(v == UINT64_MAX);
	assert_false(parse_u64("", &v));
	assert_false(parse_u64("0x", &v));
}

static void test_capacity(void **state)
{
	static struct config c;
	char w[16];
	unsigned i;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < CONFIG_MAX_KEYS + 3; i++) {
		int n = snprintf(w, sizeof(w), "k%u=1", i);
		config_parse(&c, w, (size_t)n, "x");
	}
	assert_int_equal(c.n, CONFIG_MAX_KEYS);
	assert_int_equal(c.rejected, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_words),
		cmocka_unit_test(test_later_source_wins),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_numbers_and_bools),
		cmocka_unit_test(test_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
