/* The declaration of every configuration key and its typed parse (lib/settings.h). Pure:
 * unit-tested on the host (tests/unit/test_config.c). */
#include "settings.h"
#include "mem.h"
#include "../time/tolerance.h"

#define PPM_MAX 1000000ULL /* a tolerance of 100% already judges nothing */

const struct setting_decl setting_decls[SET_COUNT] = {
	[SET_WINDOW_MS] = { "window_ms", ST_U64, 10, 60000, 1000, 0, "ms",
			    "rate window: every fine source read round robin for this long" },
	[SET_DURATION] = { "duration", ST_U64, 0, 86400, 0, 0, "s", "drift mode: sample every source for this long (0: off)" },
	[SET_SAMPLE_MS] = { "sample_ms", ST_U64, 10, 60000, 1000, 0, "ms", "drift mode: one sample line this often" },
	[SET_WALL_REWRITE_S] = { "wall_rewrite_s", ST_U64, 0, 86400, 0, 0, "s",
				 "kvm-clock: write the wall-clock MSR again this often in drift mode (once without it) and report how far the host moved its base (0: off)" },
	[SET_PROFILE] = { "profile", ST_CHOICE, 0, 0, 0, "spec|icount", "",
			  "spec: tolerances from specifications; icount: the -icount ground truth (TSC = 1 GHz)" },
	[SET_TOL_PPM] = { "tol_ppm", ST_U64, 1, PPM_MAX, TOL_PAIR_PPM, 0, "ppm", "two sources must agree within this" },
	[SET_TOL_HINT_PPM] = { "tol_hint_ppm", ST_U64, 1, PPM_MAX, TOL_HINT_PPM, 0, "ppm",
			       "a TSC frequency hint must match the measured rate within this" },
	[SET_TOL_TRUTH_PPM] = { "tol_truth_ppm", ST_U64, 1, PPM_MAX, TOL_TRUTH_PPM, 0, "ppm",
				"with a declared ground truth, every source within this of nominal" },
	[SET_TOL_UNC_PPM] = { "tol_unc_ppm", ST_U64, 1, PPM_MAX, TOL_UNC_PPM, 0, "ppm",
			      "a rate more uncertain (1 sigma) than this is judged only where its error is significant" },
	[SET_TOL_SCALE_PPM] = { "tol_scale_ppm", ST_U64, 1, PPM_MAX, TOL_SCALE_PPM, 0, "ppm",
				"a TSC-derived source must keep to its own published scale within this" },
	[SET_TOL_WALL_MS] = { "tol_wall_ms", ST_U64, 1, 86400000, TOL_WALL_MS, 0, "ms", "wall clocks must agree within this" },
	[SET_TRUTH_TSC_HZ] = { "truth_tsc_hz", ST_U64, 0, 100000000000ULL, 0, 0, "Hz",
			       "a declared true TSC rate to judge against (0: none)" },
	[SET_SMP] = { "smp", ST_BOOL, 0, 1, 1, 0, "", "start the other CPUs (TSC and kvm-clock sync tests)" },
	[SET_EXIT] = { "exit", ST_CHOICE, 0, 0, 0, "poweroff|reset", "",
		       "how the run ends without isa-debug-exit or UEFI: ACPI S5 power-off, or a reset (Firecracker)" },
	[SET_RSDP] = { "rsdp", ST_CHOICE, 0, 0, 0, "given|scan", "",
		       "PVH: take start_info's RSDP, or test hook scan: find it in the EBDA and 0xE0000-0xFFFFF" },
	[SET_FAKE_HINT_HZ] = { "fake_hint_hz", ST_U64, 0, 100000000000ULL, 0, 0, "Hz",
			       "test hook: offer this TSC frequency hint as source 'fake'" },
	[SET_STUCK] = { "stuck", ST_NAME, 0, 0, 0, 0, "", "test hook: the named wait never succeeds (e.g. pit, smp.ap)" },
	[SET_CRASH] = { "crash", ST_CHOICE, 0, 0, 0, "none|ud|pf|gp|de", "",
			"test hook: raise this unexpected exception (must dump registers and end with status crash)" },
	[SET_RTC_SET_UNIX] = { "rtc_set_unix", ST_U64, 0, 7258118399ULL, 0, 0, "s",
			       "test hook: write this Unix time into the CMOS RTC first (up to 2199-12-31)" },
	[SET_RTC_EDGE_RACE] = { "rtc_edge_race", ST_BOOL, 0, 1, 0, 0, "",
				"test hook: a second edge falls between the RTC's first read and its edge wait (as on a slow host)" },
	[SET_RTC_EDGE_STALL] = { "rtc_edge_stall_cycles", ST_U64, 0, 10000000000ULL, 0, 0, "cycles",
				 "test hook: the RTC read that sees a second edge takes this many more TSC cycles (a read "
				 "waiting for the hypervisor's lock at the edge)" },
};

struct settings settings;

void settings_defaults(struct settings *s)
{
	unsigned i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < SET_COUNT; i++)
		s->v[i] = setting_decls[i].dflt;
}

static bool parse_bool(const char *v, uint64_t *out)
{
	static const char *const yes[] = { "1", "yes", "on", "true" }, *const no[] = { "0", "no", "off", "false" };
	unsigned i;

	for (i = 0; i < 4; i++) {
		if (!strcmp(v, yes[i]) || !strcmp(v, no[i])) {
			*out = !strcmp(v, yes[i]);
			return true;
		}
	}
	return false;
}

/* Index of v among "a|b|c", or -1. */
static int choice_index(const char *choices, const char *v)
{
	size_t n = strlen(v);
	int k = 0;

	while (*choices) {
		const char *end = choices;

		while (*end && *end != '|')
			end++;
		if ((size_t)(end - choices) == n && !memcmp(choices, v, n))
			return k;
		k++;
		choices = *end ? end + 1 : end;
	}
	return -1;
}

static bool name_ok(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || *v == '_' || *v == '.'))
			return false;
	return true;
}

static int find_decl(const char *key)
{
	unsigned i;

	for (i = 0; i < SET_COUNT; i++)
		if (!strcmp(setting_decls[i].key, key))
			return (int)i;
	return -1;
}

void settings_load(struct settings *s, struct config *c)
{
	unsigned i;

	settings_defaults(s);
	for (i = 0; i < c->n; i++) {
		const struct config_entry *e = &c->e[i];
		int id = find_decl(e->key);
		const struct setting_decl *d;
		uint64_t v;
		int k;

		if (id < 0) {
			config_problem(c, e->key, e->val, e->source, "unknown key");
			continue;
		}
		d = &setting_decls[id];
		switch (d->type) {
		case ST_U64:
			if (!parse_u64(e->val, &v)) {
				config_problem(c, e->key, e->val, e->source, "not a number (decimal or 0x hex)");
				continue;
			}
			if (v < d->min || v > d->max) {
				config_problem_range(c, e, d->min, d->max, d->unit);
				continue;
			}
			break;
		case ST_BOOL:
			if (!parse_bool(e->val, &v)) {
				config_problem(c, e->key, e->val, e->source, "not a boolean (1/0, yes/no, on/off, true/false)");
				continue;
			}
			break;
		case ST_CHOICE:
			k = choice_index(d->choices, e->val);
			if (k < 0) {
				config_problem_choice(c, e, d->choices);
				continue;
			}
			v = (uint64_t)k;
			break;
		case ST_NAME:
		default:
			if (!name_ok(e->val)) {
				config_problem(c, e->key, e->val, e->source, "not a name ([a-z0-9_.])");
				continue;
			}
			memcpy(s->name[id], e->val, strlen(e->val) + 1);
			v = 1;
			break;
		}
		s->v[id] = v;
		s->source[id] = e->source;
	}
}

const char *settings_text(const struct settings *s, enum setting_id id)
{
	const struct setting_decl *d = &setting_decls[id];
	static char buf[CONFIG_VAL_LEN];
	const char *p = d->choices;
	uint64_t k;

	if (d->type == ST_NAME)
		return s->name[id][0] ? s->name[id] : 0;
	if (d->type != ST_CHOICE)
		return 0;
	for (k = 0; k < s->v[id] && *p; k++) {
		while (*p && *p != '|')
			p++;
		if (*p)
			p++;
	}
	for (k = 0; p[k] && p[k] != '|' && k < sizeof(buf) - 1; k++)
		buf[k] = p[k];
	buf[k] = '\0';
	return buf;
}
