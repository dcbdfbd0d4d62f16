/* Guest configuration: whitespace-separated k=v words from several sources.
 * Sources are applied in order (defaults, ESP file, load options, fw_cfg);
 * a later word for the same key replaces the earlier one. See docs/log-format.md. */
#ifndef CP_CONFIG_H
#define CP_CONFIG_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CONFIG_MAX_KEYS 48     /* distinct keys kept (more than every declared key) */
#define CONFIG_MAX_WORDS 256   /* words accepted over all sources; more are rejected and named */
#define CONFIG_TEXT_MAX 4096   /* bytes per source; a longer source is rejected whole, never cut */
#define CONFIG_KEY_LEN 32
#define CONFIG_VAL_LEN 96
#define CONFIG_MAX_PROBLEMS 16 /* named in the `config` check; more are counted */
#define CONFIG_PROBLEM_WORD 48
#define CONFIG_PROBLEM_WHY 80

struct config_entry {
	char key[CONFIG_KEY_LEN];
	char val[CONFIG_VAL_LEN];
	const char *source;
};

/* A word (or a whole source) that was not applied, and why. The word is kept as read (cut
 * to CONFIG_PROBLEM_WORD - 1 bytes for naming only); the log escapes it. */
struct config_problem {
	char word[CONFIG_PROBLEM_WORD];
	char why[CONFIG_PROBLEM_WHY];
	const char *source;
};

struct config {
	struct config_entry e[CONFIG_MAX_KEYS];
	unsigned n;
	unsigned words;    /* words accepted */
	unsigned rejected; /* words or sources not applied (all problems, also past CONFIG_MAX_PROBLEMS) */
	struct config_problem problem[CONFIG_MAX_PROBLEMS];
	unsigned problems; /* kept in problem[] */
};

/* Record a problem with key=val (or a raw word when val is NULL). */
void config_problem(struct config *c, const char *key, const char *val, const char *source, const char *why);
void config_problem_range(struct config *c, const struct config_entry *e, uint64_t min, uint64_t max, const char *unit);
void config_problem_choice(struct config *c, const struct config_entry *e, const char *choices);
/* A whole source refused (e.g. over CONFIG_TEXT_MAX): none of its words is applied. */
void config_reject_source(struct config *c, const char *source, const char *why);

/* Parse text (not necessarily NUL-terminated, len bytes); '#' starts a comment to end of line.
 * Returns the number of words accepted. A text over CONFIG_TEXT_MAX is rejected whole; a word
 * that is malformed, too long, not printable ASCII or over CONFIG_MAX_WORDS is rejected and
 * named. Values are checked against their declarations later (lib/settings.h). */
unsigned config_parse(struct config *c, const char *text, size_t len, const char *source);
/* `# info config` per key in force, config.rejected_words, and the `config` check naming every
 * problem (lib/config_report.c; uses the log emitter). */
void config_report(const struct config *c);

const struct config_entry *config_find(const struct config *c, const char *key);
const char *config_str(const struct config *c, const char *key, const char *dflt);
/* Strict number parse (decimal or 0x hex) used by lib/settings.c; false on junk or overflow. */
bool parse_u64(const char *s, uint64_t *out);

#endif
