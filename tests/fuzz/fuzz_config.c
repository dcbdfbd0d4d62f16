/* libFuzzer target: the configuration parser (lib/config.c config_parse over several
 * sources), the typed settings (lib/settings.c settings_load) and the log emitter
 * (lib/report.c) reporting them as lib/config_report.c's config_report() does. Checked:
 *   - no word is lost: every word of every source is either accepted or counted as rejected
 *     (a source over CONFIG_TEXT_MAX is one rejection), and after settings_load every entry
 *     is either applied or one more rejection;
 *   - every entry is a well-formed key=value word that occurs in the source it names;
 *   - every setting is within its declaration (range, boolean, choice, name);
 *   - parse_u64 agrees with an independent parse;
 *   - every log line is printable 7-bit ASCII ending in exactly one '\n' (tests/fuzz/fuzz.h).
 *
 * Input: up to four sources separated by the byte 0x1e, applied in order as esp-file,
 * load-options, fw_cfg, then a fourth. Seeds: tests/fuzz/corpus/fuzz_config. Inputs up to
 * 16 KiB, so that a source can exceed the 4096-byte limit:
 * fuzz-options: -max_len=16384
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include "../../lib/fmt.c"
#include "../../lib/report.c"
#include "../../lib/config.c"
#include "../../lib/settings.c"
#include "../../lib/config_report.c"
#include "fuzz.h"

#define SEP 0x1e
#define MAX_SOURCES 4


FUZZ_NOCOV static bool sp(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\0';
}

/* Words in a source as the documentation describes them: whitespace separated, '#' at the
 * start of a word comments out the rest of the line. */
FUZZ_NOCOV static unsigned count_words(const char *t, size_t len)
{
	unsigned n = 0;
	size_t i = 0;

	while (i < len) {
		if (sp(t[i])) {
			i++;
		} else if (t[i] == '#') {
			while (i < len && t[i] != '\n')
				i++;
		} else {
			n++;
			while (i < len && !sp(t[i]))
				i++;
		}
	}
	return n;
}

/* Does "key=val" occur as a whole word of t? */
FUZZ_NOCOV static bool has_word(const char *t, size_t len, const char *key, const char *val)
{
	size_t k = strlen(key), v = strlen(val), w = k + 1 + v, i;

	for (i = 0; i + w <= len; i++)
		if ((i == 0 || sp(t[i - 1])) && (i + w == len || sp(t[i + w])) && !memcmp(t + i, key, k) &&
		    t[i + k] == '=' && !memcmp(t + i + k + 1, val, v))
			return true;
	return false;
}

/* parse_u64's contract, independently: decimal, or 0x/0X hex, no sign, no empty digits,
 * fits 64 bits. */
FUZZ_NOCOV static bool ref_u64(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int d = *s >= '0' && *s <= '9' ? *s - '0'
		      : base == 16 && *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
		      : base == 16 && *s >= 'A' && *s <= 'F' ? *s - 'A' + 10 : -1;

		if (d < 0)
			return false;
		v = v * base + (unsigned)d;
		if (v > UINT64_MAX)
			return false;
	}
	*out = (uint64_t)v;
	return true;
}

FUZZ_NOCOV static unsigned choice_count(const char *choices)
{
	unsigned n = 1;

	for (; *choices; choices++)
		n += *choices == '|';
	return n;
}

FUZZ_NOCOV static void check_entries(const struct config *c, const char *const *src, const size_t *len,
			  const char *const *names, unsigned nsrc)
{
	unsigned i, j, k;

	FUZZ_CHECK(c->n <= CONFIG_MAX_KEYS && c->problems <= CONFIG_MAX_PROBLEMS && c->words <= CONFIG_MAX_WORDS,
		   "n %u problems %u words %u", c->n, c->problems, c->words);
	FUZZ_CHECK(c->problems <= c->rejected, "%u problems named, %u rejected", c->problems, c->rejected);
	for (i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->e[i];
		bool found = false;

		FUZZ_TERMINATED(e->key, sizeof(e->key));
		FUZZ_TERMINATED(e->val, sizeof(e->val));
		FUZZ_CHECK(e->key[0] && e->val[0], "empty key or value");
		for (k = 0; e->key[k]; k++)
			FUZZ_CHECK(key_char(e->key[k]), "key byte 0x%02x", (unsigned char)e->key[k]);
		for (k = 0; e->val[k]; k++)
			FUZZ_CHECK(e->val[k] > 0x20 && e->val[k] < 0x7f, "value byte 0x%02x", (unsigned char)e->val[k]);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(c->e[j].key, e->key), "key %s twice", e->key);
		for (j = 0; j < nsrc; j++)
			if (e->source == names[j])
				found = has_word(src[j], len[j], e->key, e->val);
		FUZZ_CHECK(found, "%s=%s is not a word of %s", e->key, e->val, e->source ? e->source : "(null)");
	}
	for (i = 0; i < c->problems; i++) {
		FUZZ_TERMINATED(c->problem[i].word, sizeof(c->problem[i].word));
		FUZZ_TERMINATED(c->problem[i].why, sizeof(c->problem[i].why));
		FUZZ_CHECK(c->problem[i].source && c->problem[i].why[0], "problem %u without source or reason", i);
	}
}

FUZZ_NOCOV static void check_settings(const struct settings *s, const struct config *c, unsigned rejected_before)
{
	unsigned i, applied = 0;

	for (i = 0; i < SET_COUNT; i++) {
		const struct setting_decl *d = &setting_decls[i];
		const struct config_entry *e = config_find(c, d->key);
		const char *text = settings_text(s, (enum setting_id)i);
		uint64_t v;

		if (s->source[i]) {
			applied++;
			FUZZ_CHECK(e && e->source == s->source[i], "%s applied from nowhere", d->key);
		} else {
			FUZZ_CHECK(s->v[i] == d->dflt, "%s changed without a source", d->key);
		}
		switch (d->type) {
		case ST_U64:
			FUZZ_CHECK(s->v[i] >= d->min && s->v[i] <= d->max, "%s = %llu", d->key, (unsigned long long)s->v[i]);
			if (s->source[i])
				FUZZ_CHECK(ref_u64(e->val, &v) && v == s->v[i], "%s=%s gave %llu", d->key, e->val,
					   (unsigned long long)s->v[i]);
			break;
		case ST_BOOL:
			FUZZ_CHECK(s->v[i] <= 1, "%s = %llu", d->key, (unsigned long long)s->v[i]);
			break;
		case ST_CHOICE:
			FUZZ_CHECK(s->v[i] < choice_count(d->choices) && text && text[0], "%s = %llu", d->key,
				   (unsigned long long)s->v[i]);
			if (s->source[i])
				FUZZ_CHECK(!strcmp(text, e->val), "%s=%s reads back as %s", d->key, e->val, text);
			break;
		case ST_NAME:
			FUZZ_TERMINATED(s->name[i], sizeof(s->name[i]));
			FUZZ_CHECK(!s->source[i] || (text && !strcmp(text, e->val)), "%s name", d->key);
			break;
		}
	}
	/* Every entry: applied, or named as a problem. */
	FUZZ_CHECK(applied + (c->rejected - rejected_before) == c->n, "%u entries, %u applied, %u new problems",
		   c->n, applied, c->rejected - rejected_before);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[MAX_SOURCES] = { "esp-file", "load-options", "fw_cfg", "extra" };
	static struct config c;
	static struct settings s;
	const char *src[MAX_SOURCES];
	size_t len[MAX_SOURCES], start = 0, i;
	unsigned nsrc = 0, words = 0, expect = 0, before;
	char *copy[MAX_SOURCES];

	report_set_sink(fuzz_sink);
	memset(&c, 0, sizeof(c));
	/* Split on SEP (the last source keeps any further SEP); each source is its own heap
	 * copy of exactly its bytes. */
	for (i = 0; nsrc < MAX_SOURCES; i++) {
		if (i == size || (data[i] == SEP && nsrc < MAX_SOURCES - 1)) {
			len[nsrc] = i - start;
			copy[nsrc] = malloc(len[nsrc] ? len[nsrc] : 1);
			memcpy(copy[nsrc], data + start, len[nsrc]);
			src[nsrc] = copy[nsrc];
			nsrc++;
			start = i + 1;
			if (i == size)
				break;
		}
	}
	for (i = 0; i < nsrc; i++) {
		words += config_parse(&c, src[i], len[i], names[i]);
		expect += len[i] > CONFIG_TEXT_MAX ? 1 : count_words(src[i], len[i]);
	}
	FUZZ_CHECK(words == c.words, "config_parse accepted %u, counted %u", words, c.words);
	FUZZ_CHECK(c.words + c.rejected == expect, "%u words: %u accepted + %u rejected", expect, c.words,
		   c.rejected);
	check_entries(&c, src, len, names, nsrc);
	for (i = 0; i < c.n; i++) {
		uint64_t a = 0, b = 0;
		bool pa = parse_u64(c.e[i].val, &a), pb = ref_u64(c.e[i].val, &b);

		FUZZ_CHECK(pa == pb && a == b, "parse_u64(%s) = %d %llu, expected %d %llu", c.e[i].val, pa,
			   (unsigned long long)a, pb, (unsigned long long)b);
	}

	before = c.rejected;
	settings_load(&s, &c);
	check_settings(&s, &c, before);
	check_entries(&c, src, len, names, nsrc);
	config_report(&c);

	for (i = 0; i < nsrc; i++)
		free(copy[i]);
	return 0;
}
