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

static bool add_word(struct config *c, const char *w, size_t n, const char *source)
{
	size_t eq, i;
	struct config_entry *e = 0;
	char key[CONFIG_KEY_LEN];

	for (eq = 0; eq < n && w[eq] != '='; eq++)
		if (!key_char(w[eq]))
			return false;
	if (eq == 0 || eq + 1 >= n || eq >= CONFIG_KEY_LEN || n - eq - 1 >= CONFIG_VAL_LEN)
		return false;
	memcpy(key, w, eq);
	key[eq] = '\0';
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].key, key))
			e = &c->e[i];
	if (!e) {
		if (c->n == CONFIG_MAX_KEYS)
			return false;
		e = &c->e[c->n++];
		memcpy(e->key, key, eq + 1);
	}
	memcpy(e->val, w + eq + 1, n - eq - 1);
	e->val[n - eq - 1] = '\0';
	e->source = source;
	return true;
}

unsigned config_parse(struct config *c, const char *text, size_t len, const char *source)
{
	unsigned ok = 0;
	size_t i = 0;

	while (i < len) {
		size_t start;

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
		if (add_word(c, text + start, i - start, source))
			ok++;
		else
			c->rejected++;
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

uint64_t config_u64(const struct config *c, const char *key, uint64_t dflt)
{
	const char *s = config_str(c, key, 0);
	uint64_t v;

	return s && parse_u64(s, &v) ? v : dflt;
}

bool config_bool(const struct config *c, const char *key, bool dflt)
{
	const char *s = config_str(c, key, 0);

	if (!s)
		return dflt;
	if (!strcmp(s, "1") || !strcmp(s, "yes") || !strcmp(s, "on") || !strcmp(s, "true"))
		return true;
	if (!strcmp(s, "0") || !strcmp(s, "no") || !strcmp(s, "off") || !strcmp(s, "false"))
		return false;
	return dflt;
}
