/* The configuration in force and every word that was not (docs/log-format.md, Configuration):
 * the guest's boot/main.c and the configuration fuzz target both report through this. */
#include "config.h"
#include "fmt.h"
#include "report.h"

/* The words in force and every word that was not: a bad word fails `config` (named, with
 * its source and why) and its key keeps the default; the run measures everything anyway. */
void config_report(const struct config *c)
{
	char msg[400];
	int n;
	unsigned i;

	for (i = 0; i < c->n; i++)
		info("config", "%s=%s (from %s)", c->e[i].key, c->e[i].val, c->e[i].source);
	metric_u64("config.rejected_words", c->rejected, "count");
	if (!c->rejected) {
		check_pass("config");
		return;
	}
	for (i = 0; i < c->problems; i++)
		diag("config: %s (from %s) not applied: %s", c->problem[i].word, c->problem[i].source, c->problem[i].why);
	n = cp_snprintf(msg, sizeof(msg), "%u word%s not applied (defaults kept):", c->rejected, c->rejected == 1 ? "" : "s");
	for (i = 0; i < c->problems && n > 0 && (size_t)n < sizeof(msg); i++)
		n += cp_snprintf(msg + n, sizeof(msg) - (size_t)n, "%s %s (%s: %s)", i ? ";" : "", c->problem[i].word,
				 c->problem[i].source, c->problem[i].why);
	if (c->rejected > c->problems && n > 0 && (size_t)n < sizeof(msg))
		cp_snprintf(msg + n, sizeof(msg) - (size_t)n, "; %u more", c->rejected - c->problems);
	check_fail("config", "%s", msg);
}
