/* Host tests of the k=v configuration parser and its override order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "../../lib/config.c"
#include "../../lib/settings.c"

static struct config *fresh(void)
{
	static struct config c;

	memset(&c, 0, sizeof(c));
	return &c;
}

static void load(struct config *c, const char *text)
{
	config_parse(c, text, strlen(text), "fw_cfg");
	settings_load(&settings, c);
}

/* Issue 11's examples, each named in the problem list with the default kept. */
static void test_settings_typed(void **state)
{
	struct config *c = fresh();

	(void)state;
	load(c, "smp=no window_ms=2500 profile=icount tol_ppm=5000 stuck=pit crash=gp");
	assert_int_equal(c->rejected, 0);
	assert_int_equal(setting(SET_SMP), 0); /* "smp=no still starts the APs" */
	assert_int_equal(setting(SET_WINDOW_MS), 2500);
	assert_string_equal(settings_text(&settings, SET_PROFILE), "icount");
	assert_int_equal(setting(SET_TOL_PPM), 5000);
	assert_string_equal(settings_text(&settings, SET_STUCK), "pit");
	assert_string_equal(settings_text(&settings, SET_CRASH), "gp");
	assert_string_equal(settings.source[SET_SMP], "fw_cfg");
	assert_null(settings.source[SET_DURATION]);
}

static void test_settings_rejected_and_named(void **state)
{
	struct config *c = fresh();

	(void)state;
	load(c, "smp=maybe window_ms=0 tol_ppm=18446744073709551615 windw_ms=5 profile=fast duration=99999999 "
		"stuck=PIT! tol_wall_ms=12ab");
	assert_int_equal(c->rejected, 8);
	assert_int_equal(c->problems, 8);
	assert_string_equal(c->problem[0].word, "smp=maybe");
	assert_non_null(strstr(c->problem[0].why, "not a boolean"));
	assert_string_equal(c->problem[1].word, "window_ms=0"); /* was four "source did not advance" failures */
	assert_string_equal(c->problem[1].why, "out of range 10..60000 ms");
	assert_non_null(strstr(c->problem[2].why, "out of range 1..1000000 ppm")); /* tolerance near 2^64 */
	assert_string_equal(c->problem[3].word, "windw_ms=5");
	assert_string_equal(c->problem[3].why, "unknown key");
	assert_string_equal(c->problem[4].why, "not one of spec|icount");
	assert_non_null(strstr(c->problem[5].why, "out of range 0..86400 s"));
	assert_non_null(strstr(c->problem[6].why, "not a name"));
	assert_non_null(strstr(c->problem[7].why, "not a number"));
	/* every key kept its default */
	assert_int_equal(setting(SET_SMP), 1);
	assert_int_equal(setting(SET_WINDOW_MS), 1000);
	assert_int_equal(setting(SET_TOL_PPM), 500);
	assert_int_equal(setting(SET_DURATION), 0);
	assert_string_equal(settings_text(&settings, SET_PROFILE), "spec");
	assert_null(settings_text(&settings, SET_STUCK));
}

/* "Text over 4096 bytes is cut mid-word: tol_ppm=5000 became tol_ppm=5": now the whole
 * source is refused and said so; nothing of it applies. */
static void test_source_over_limit(void **state)
{
	struct config *c = fresh();
	static char big[CONFIG_TEXT_MAX + 64];
	size_t n;

	(void)state;
	memset(big, ' ', sizeof(big));
	n = sizeof(big) - 12;
	memcpy(big + n - 12, "tol_ppm=5000", 12);
	assert_int_equal(config_parse(c, big, n, "fw_cfg"), 0);
	assert_int_equal(c->rejected, 1);
	assert_string_equal(c->problem[0].word, "(whole source)");
	assert_non_null(strstr(c->problem[0].why, "4096-byte limit"));
	settings_load(&settings, c);
	assert_int_equal(setting(SET_TOL_PPM), 500);
}

/* "A 61st word is dropped": words up to CONFIG_MAX_WORDS apply (the last of a key wins);
 * beyond, each is named; non-ASCII bytes are refused, not passed on to the log. */
static void test_word_limits(void **state)
{
	struct config *c = fresh();
	char w[32];
	unsigned i;

	(void)state;
	for (i = 0; i < CONFIG_MAX_WORDS + 2; i++) {
		int n = snprintf(w, sizeof(w), "duration=%u", i % 100);
		config_parse(c, w, (size_t)n, "x");
	}
	assert_int_equal(c->words, CONFIG_MAX_WORDS);
	assert_int_equal(c->rejected, 2);
	assert_string_equal(c->problem[0].why, "over the 256-word limit");
	c = fresh();
	config_parse(c, "smp=\xc3\xa9 tol_ppm=\x1b[2J", 19, "x");
	assert_int_equal(c->n, 0);
	assert_int_equal(c->rejected, 2);
	assert_string_equal(c->problem[0].why, "a byte outside printable ASCII");
}

/* Every declared key has a meaning, a sane range and a default inside it. */
static void test_declarations(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < SET_COUNT; i++) {
		const struct setting_decl *d = &setting_decls[i];

		assert_non_null(d->key);
		assert_true(strlen(d->key) < CONFIG_KEY_LEN);
		assert_true(d->meaning && strlen(d->meaning) > 10);
		if (d->type == ST_U64)
			assert_true(d->min <= d->dflt && d->dflt <= d->max);
		for (j = 0; j < i; j++)
			assert_string_not_equal(d->key, setting_decls[j].key);
	}
}

static void test_parse_words(void **state)
{
	static struct config c;
	const char *t = "duration=20 checks=all\n# comment=ignored\n\twindow_ms=0x10";

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(config_parse(&c, t, strlen(t), "file"), 3);
	assert_string_equal(config_str(&c, "checks", "-"), "all");
	assert_string_equal(config_str(&c, "duration", "-"), "20");
	assert_string_equal(config_str(&c, "window_ms", "-"), "0x10");
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
	assert_string_equal(config_str(&c, "a", "-"), "1");
	assert_string_equal(config_str(&c, "b", "-"), "3");
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
	uint64_t v;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_false(parse_u64("18446744073709551616", &v));
	assert_true(parse_u64("0xFFff", &v) && v == 0xffff);
	assert_false(parse_u64("12ab", &v));
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
		cmocka_unit_test(test_settings_typed),
		cmocka_unit_test(test_settings_rejected_and_named),
		cmocka_unit_test(test_source_over_limit),
		cmocka_unit_test(test_word_limits),
		cmocka_unit_test(test_declarations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
