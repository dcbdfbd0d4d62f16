/* Every configuration key, declared once (lib/settings.c) with its type, range, default and
 * meaning; docs/log-format.md's configuration table is checked against this declaration
 * (tests/unit/test_catalogue.py). The parsed words (lib/config.c) are turned into typed
 * settings once at boot: an unknown key, an unparseable or out-of-range value is named in the
 * configuration's problem list (the failing `config` check) and the key keeps its default, so
 * a bad word is never blamed on the hardware and everything else is still measured. */
#ifndef CP_SETTINGS_H
#define CP_SETTINGS_H
#include <stdbool.h>
#include <stdint.h>
#include "config.h"

enum setting_id {
	SET_WINDOW_MS, SET_DURATION, SET_SAMPLE_MS, SET_WALL_REWRITE_S, SET_PROFILE,
	SET_TOL_PPM, SET_TOL_HINT_PPM, SET_TOL_TRUTH_PPM, SET_TOL_UNC_PPM, SET_TOL_SCALE_PPM, SET_TOL_WALL_MS,
	SET_TRUTH_TSC_HZ, SET_SMP,
	SET_EXIT, SET_RSDP,
	SET_FAKE_HINT_HZ, SET_STUCK, SET_CRASH, SET_RTC_SET_UNIX, SET_RTC_EDGE_RACE,
	SET_RTC_EDGE_STALL,
	SET_COUNT
};

enum setting_type {
	ST_U64,    /* decimal or 0x hex, min..max */
	ST_BOOL,   /* 1/0, yes/no, on/off, true/false */
	ST_CHOICE, /* one of the '|'-separated choices; the value is its index */
	ST_NAME,   /* a dotted name [a-z0-9_.], at most CONFIG_VAL_LEN - 1 characters */
};

struct setting_decl {
	const char *key;
	enum setting_type type;
	uint64_t min, max, dflt; /* ST_U64 range and default; ST_BOOL/ST_CHOICE default */
	const char *choices;     /* ST_CHOICE: "a|b|c" */
	const char *unit;
	const char *meaning;     /* one line */
};

extern const struct setting_decl setting_decls[SET_COUNT];

struct settings {
	uint64_t v[SET_COUNT];                    /* the number, 0/1, or the choice's index */
	char name[SET_COUNT][CONFIG_VAL_LEN];      /* ST_NAME values ("" when unset) */
	const char *source[SET_COUNT];            /* where the value came from; NULL: default */
};

/* Apply the configuration's words; problems are added to c (config_problem). */
void settings_load(struct settings *s, struct config *c);
/* Defaults only. */
void settings_defaults(struct settings *s);
/* The choice's text (ST_CHOICE) or the name (ST_NAME; NULL when unset). */
const char *settings_text(const struct settings *s, enum setting_id id);

/* The run's settings (boot/main.c loads them once). */
extern struct settings settings;
static inline uint64_t setting(enum setting_id id)
{
	return settings.v[id];
}

#endif
