/* TAP 13 / metric emitter. See docs/log-format.md for the schema this must keep. */
#include "report.h"
#include "fmt.h"
#include "mem.h"
#include <stdarg.h>

#define LINE_MAX_LEN 512

static report_sink_fn sink;
static unsigned checks_run;
static struct report_counts counts;

void report_set_sink(report_sink_fn fn)
{
	sink = fn;
}

/* One record per line of printable 7-bit ASCII, whatever a configuration word, a firmware
 * string or an ACPI table put into the text: a newline or CR folds to a space (the schema is
 * line based), any other byte outside 0x20-0x7e is written as \xNN. The line is cut, never
 * wrapped, at LINE_MAX_LEN. */
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	static const char hex[] = "0123456789abcdef";
	char raw[LINE_MAX_LEN], line[LINE_MAX_LEN];
	size_t n = 0, i, o = 0;

	if (prefix)
		n = (size_t)cp_snprintf(raw, sizeof(raw), "%s", prefix);
	cp_vsnprintf(raw + n, sizeof(raw) - n, fmt, ap);
	n = strlen(raw);
	for (i = 0; i < n && o < sizeof(line) - 5; i++) {
		unsigned char ch = (unsigned char)raw[i];

		if (ch == '\n' || ch == '\r') {
			line[o++] = ' ';
		} else if (ch < 0x20 || ch > 0x7e) {
			line[o++] = '\\';
			line[o++] = 'x';
			line[o++] = hex[ch >> 4];
			line[o++] = hex[ch & 15];
		} else {
			line[o++] = (char)ch;
		}
	}
	line[o++] = '\n';
	if (sink)
		sink(line, o);
}

static void emitf(const char *prefix, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emitf(const char *prefix, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(prefix, fmt, ap);
	va_end(ap);
}

void report_line(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(0, fmt, ap);
	va_end(ap);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("# ", fmt, ap);
	va_end(ap);
}

void report_begin(const char *build)
{
	checks_run = 0;
	memset(&counts, 0, sizeof(counts));
	emitf(0, "CLOCKPROBE-START protocol=%d", REPORT_PROTOCOL_VERSION);
	emitf(0, "TAP version 13");
	info("clockprobe.build", "%s", build);
}

void check_pass(const char *name)
{
	counts.passed++;
	emitf(0, "ok %u - %s", ++checks_run, name);
}

static void check_fail_v(const char *name, const char *fmt, va_list ap)
{
	counts.failed++;
	emitf(0, "not ok %u - %s", ++checks_run, name);
	emit("# fail: ", fmt, ap);
}

void check_fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_fail_v(name, fmt, ap);
	va_end(ap);
}

void check_skip(const char *name, const char *fmt, ...)
{
	char why[LINE_MAX_LEN / 2];
	va_list ap;

	va_start(ap, fmt);
	cp_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	counts.skipped++;
	emitf(0, "ok %u - %s # SKIP %s", ++checks_run, name, why);
}

bool check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		check_pass(name);
		return true;
	}
	va_start(ap, fmt);
	check_fail_v(name, fmt, ap);
	va_end(ap);
	return false;
}

bool check_host(bool ok, const char *unpromised, const char *name, const char *fmt, ...)
{
	char msg[LINE_MAX_LEN / 2];
	va_list ap;

	va_start(ap, fmt);
	if (ok) {
		check_pass(name);
	} else if (!unpromised) {
		check_fail_v(name, fmt, ap);
	} else {
		cp_vsnprintf(msg, sizeof(msg), fmt, ap);
		counts.host++;
		emitf(0, "not ok %u - %s # TODO host finding", ++checks_run, name);
		emitf("# host-finding: ", "%s: %s", unpromised, msg);
	}
	va_end(ap);
	return ok;
}

void metric_u64(const char *name, uint64_t v, const char *unit)
{
	emitf("# metric ", "%s %llu %s", name, (unsigned long long)v, unit);
}

void metric_i64(const char *name, int64_t v, const char *unit)
{
	emitf("# metric ", "%s %lld %s", name, (long long)v, unit);
}

void metric_hex(const char *name, uint64_t v, const char *unit)
{
	emitf("# metric ", "%s 0x%llx %s", name, (unsigned long long)v, unit);
}

void metric_fixed(const char *name, int64_t v, int decimals, const char *unit)
{
	char num[40];

	cp_fmt_fixed(num, sizeof(num), v, decimals);
	emitf("# metric ", "%s %s %s", name, num, unit);
}

void info(const char *name, const char *fmt, ...)
{
	char text[LINE_MAX_LEN];
	va_list ap;

	va_start(ap, fmt);
	cp_vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	emitf("# info ", "%s %s", name, text[0] ? text : "-");
}

const char *mname(const char *a, const char *b)
{
	static char buf[4][96];
	static unsigned slot;
	char *p = buf[slot++ % 4];

	cp_snprintf(p, sizeof(buf[0]), "%s.%s", a, b);
	return p;
}

struct report_counts report_counts(void)
{
	return counts;
}

enum verdict report_end(void)
{
	enum verdict v = counts.failed ? VERDICT_FAIL : VERDICT_PASS;

	emitf(0, "1..%u", checks_run);
	if (counts.host)
		emitf("# summary: ", "%u passed, %u failed, %u skipped, %u host findings", counts.passed,
		      counts.failed, counts.skipped, counts.host);
	else
		emitf("# summary: ", "%u passed, %u failed, %u skipped", counts.passed, counts.failed,
		      counts.skipped);
	emitf(0, "CLOCKPROBE-END status=%s", v == VERDICT_PASS ? "pass" : "fail");
	return v;
}

void report_bail_out(const char *why)
{
	emitf(0, "Bail out! %s", why);
	emitf(0, "CLOCKPROBE-END status=crash");
}
