/* Guest configuration: whitespace-separated k=v words from several sources.
 * Sources are applied in order (defaults, ESP file, load options, fw_cfg);
 * a later word for the same key replaces the earlier one. See docs/log-format.md. */
#ifndef CP_CONFIG_H
#define CP_CONFIG_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CONFIG_MAX_KEYS 48
#define CONFIG_KEY_LEN 32
#define CONFIG_VAL_LEN 96

struct config_entry {
	char key[CONFIG_KEY_LEN];
	char val[CONFIG_VAL_LEN];
	const char *source;
};

struct config {
	struct config_entry e[CONFIG_MAX_KEYS];
	unsigned n;
	unsigned rejected; /* malformed words or overflow */
};

/* Parse text (not necessarily NUL-terminated, len bytes); '#' starts a comment to end of line.
 * Returns the number of words accepted. */
unsigned config_parse(struct config *c, const char *text, size_t len, const char *source);
const struct config_entry *config_find(const struct config *c, const char *key);
const char *config_str(const struct config *c, const char *key, const char *dflt);
/* Decimal or 0x hex; returns dflt when absent or malformed. */
uint64_t config_u64(const struct config *c, const char *key, uint64_t dflt);
bool config_bool(const struct config *c, const char *key, bool dflt);
/* Strict number parse used by config_u64; returns false on junk or overflow. */
bool parse_u64(const char *s, uint64_t *out);

#endif
