/* The log protocol (docs/log-format.md): start/end markers, TAP 13 check lines,
 * metric and info diagnostics, summary. Everything the guest says goes through here.
 * Output leaves through report_set_sink(): the serial port in the guest, a buffer
 * in host unit tests. */
#ifndef CP_REPORT_H
#define CP_REPORT_H
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define REPORT_PROTOCOL_VERSION 1

enum verdict { VERDICT_PASS = 0, VERDICT_FAIL = 1, VERDICT_CRASH = 2 };

typedef void (*report_sink_fn)(const char *s, size_t n);
void report_set_sink(report_sink_fn fn);

void report_begin(const char *build);
/* Prints plan, summary and end marker; returns the verdict (fail if any check failed). */
enum verdict report_end(void);
/* For the exception path: TAP "Bail out!" plus end marker with status=crash. */
void report_bail_out(const char *why);

/* One TAP line per check. A failing check's message goes on a "# fail:" line after it. */
void check_pass(const char *name);
void check_fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void check_skip(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Pass if ok, else fail with the message. Returns ok. */
bool check(bool ok, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A host finding: the check did not hold, but the host never promised it (`unpromised` says
 * why, e.g. kvm-clock's stable bit clear). Prints "not ok N - name # TODO host finding" and
 * "# host-finding: <unpromised>: <message>"; it does not fail the run. With unpromised NULL
 * this is check(). Returns ok. */
bool check_host(bool ok, const char *unpromised, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "# metric <name> <value> <unit>". Names are dotted, [a-z0-9_.]. */
void metric_u64(const char *name, uint64_t v, const char *unit);
void metric_i64(const char *name, int64_t v, const char *unit);
void metric_hex(const char *name, uint64_t v, const char *unit);
/* value / 10^decimals, printed with that many decimals. */
void metric_fixed(const char *name, int64_t v, int decimals, const char *unit);
/* "# info <name> <text>": free text to the end of the line (no newline inside). */
void info(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A plain "# " diagnostic line. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Raw line, no prefix (markers, tables). */
void report_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Metric names built from parts: mname("hpet", "period_fs") -> "hpet.period_fs". */
const char *mname(const char *a, const char *b);

struct report_counts {
	unsigned passed, failed, skipped, host;
};
struct report_counts report_counts(void);

#endif
