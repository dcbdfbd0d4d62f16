/* k=v word parser for guest configuration. Pure: unit-tested on the host. */
#include "config.h"
#include "mem.h"

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\0';
}

static bool key_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '.' ||
	       ch == '-';
}

static void copy_cut(char *dst, size_t cap, const char *src, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static struct config_problem *new_problem(struct config *c, const char *source)
{
	struct config_problem *p;

	c->rejected++;
	if (c->problems == CONFIG_MAX_PROBLEMS)
		return 0;
	p = &c->problem[c->problems++];
	p->source = source;
	return p;
}

static void word_problem(struct config *c, const char *w, size_t n, const char *source, const char *why)
{
	struct config_problem *p = new_problem(c, source);

	if (!p)
		return;
	copy_cut(p->word, sizeof(p->word), w, n);
	copy_cut(p->why, sizeof(p->why), why, strlen(why));
}

void config_problem(struct config *c, const char *key, const char *val, const char *source, const char *why)
{
	char w[CONFIG_KEY_LEN + CONFIG_VAL_LEN + 1];
	size_t k = strlen(key), v = val ? strlen(val) : 0;

	memcpy(w, key, k);
	if (val) {
		w[k++] = '=';
		memcpy(w + k, val, v);
	}
	word_problem(c, w, k + v, source, why);
}

static size_t put_u64(char *p, uint64_t v)
{
	char t[24];
	size_t n = 0, i;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = t[n - 1 - i];
	return n;
}

void config_problem_range(struct config *c, const struct config_entry *e, uint64_t min, uint64_t max, const char *unit)
{
	char why[CONFIG_PROBLEM_WHY];
	size_t n = 0;

	memcpy(why, "out of range ", 13);
	n = 13;
	n += put_u64(why + n, min);
	why[n++] = '.';
	why[n++] = '.';
	n += put_u64(why + n, max);
	if (unit && *unit && n + strlen(unit) + 2 < sizeof(why)) {
		why[n++] = ' ';
		memcpy(why + n, unit, strlen(unit));
		n += strlen(unit);
	}
	why[n] = '\0';
	config_problem(c, e->key, e->val, e->source, why);
}

void config_problem_choice(struct config *c, const struct config_entry *e, const char *choices)
{
	char why[CONFIG_PROBLEM_WHY];
	size_t n = strlen(choices);

	memcpy(why, "not one of ", 11);
	if (n > sizeof(why) - 12)
		n = sizeof(why) - 12;
	memcpy(why + 11, choices, n);
	why[11 + n] = '\0';
	config_problem(c, e->key, e->val, e->source, why);
}

void config_reject_source(struct config *c, const char *source, const char *why)
{
	word_problem(c, "(whole source)", 14, source, why);
}

static bool printable(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)w[i] < 0x21 || (unsigned char)w[i] > 0x7e)
			return false;
	return true;
}

static bool has_eq(const char *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (w[i] == '=')
			return true;
	return false;
}

/* 0 or why the word cannot be taken. */
static const char *add_word(struct config *c, const char *w, size_t n, const char *source)
{
	size_t eq, i;
	struct config_entry *e = 0;
	char key[CONFIG_KEY_LEN];

	if (!printable(w, n))
		return "a byte outside printable ASCII";
	if (c->words == CONFIG_MAX_WORDS)
		return "over the 256-word limit";
	for (eq = 0; eq < n && w[eq] != '='; eq++)
		if (!key_char(w[eq]))
			return has_eq(w, n) ? "key not [a-z0-9_.-]" : "not key=value";
	if (eq == n)
		return "not key=value";
	if (eq == 0)
		return "empty key";
	if (eq + 1 >= n)
		return "empty value";
	if (eq >= CONFIG_KEY_LEN)
		return "key over 31 characters";
	if (n - eq - 1 >= CONFIG_VAL_LEN)
		return "value over 95 characters";
	memcpy(key, w, eq);
	key[eq] = '\0';
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key))
			e = &c->e[i];
	if (!e) {
		if (c->n == CONFIG_MAX_KEYS)
			return "over the 48-key limit";
		e = &c->e[c->n++];
		memcpy(e->key, key, eq + 1);
	}
	memcpy(e->val, w + eq + 1, n - eq - 1);
	e->val[n - eq - 1] = '\0';
	e->source = source;
	c->words++;
	return 0;
}

unsigned config_parse(struct config *c, const char *text, size_t len, const char *source)
{
	unsigned ok = 0;
	size_t i = 0;

	if (len > CONFIG_TEXT_MAX) {
		config_reject_source(c, source, "over the 4096-byte limit: no word of it applied");
		return 0;
	}
	while (i < len) {
		size_t start;
		const char *why;

		if (is_space(text[i])) {
			i++;
			continue;
		}
		if (text[i] == '#') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		start = i;
		while (i < len && !is_space(text[i]))
			i++;
		why = add_word(c, text + start, i - start, source);
		if (why)
			word_problem(c, text + start, i - start, source, why);
		else
			ok++;
	}
	return ok;
}

const struct config_entry *config_find(const struct config *c, const char *key)
{
	unsigned i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key))
			return &c->e[i];
	return 0;
}

const char *config_str(const struct config *c, const char *key, const char *dflt)
{
	const struct config_entry *e = config_find(c, key);

	return e ? e->val : dflt;
}

bool parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}
