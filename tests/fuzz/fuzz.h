/* Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c): an invariant check that aborts (a
 * crash libFuzzer saves as an artifact) and a report sink that holds every emitted log line
 * to the schema: printable 7-bit ASCII, one '\n' at the end and nowhere else, at most one
 * LINE_MAX_LEN line. Include after the lib/report.c under test. */
#ifndef CP_FUZZ_H
#define CP_FUZZ_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                          \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz invariant failed at %s:%d: %s: ", __FILE__, \
				__LINE__, #cond);                                      \
			fprintf(stderr, __VA_ARGS__);                                  \
			fputc('\n', stderr);                                           \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* The harness's own checking code: not coverage-instrumented, so the fuzzer neither spends
 * its time there nor steers by its branches. */
#define FUZZ_NOCOV __attribute__((no_sanitize("coverage"), noinline))

/* A NUL within the first cap bytes of a fixed-size text field. */
#define FUZZ_TERMINATED(s, cap) FUZZ_CHECK(memchr((s), 0, (cap)) != NULL, "%s not NUL-terminated", #s)

#ifdef LINE_MAX_LEN /* lib/report.c is included */
static unsigned long fuzz_lines;
static int fuzz_print = -1; /* FUZZ_PRINT=1 in the environment: echo every line to stdout */

/* The line-based log schema (docs/log-format.md): whatever firmware or configuration put
 * into a message, each record is one line of printable ASCII. */
FUZZ_NOCOV static void fuzz_sink(const char *s, size_t n)
{
	size_t i;

	FUZZ_CHECK(n >= 1 && s[n - 1] == '\n', "line of %zu bytes does not end in a newline", n);
	FUZZ_CHECK(n <= LINE_MAX_LEN, "line of %zu bytes, over LINE_MAX_LEN", n);
	for (i = 0; i + 1 < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] <= 0x7e, "byte 0x%02x at %zu of line \"%.*s\"",
			   (unsigned char)s[i], i, (int)n, s);
	/* Records a fuzz target can cause: diagnostics and check results, never a protocol
	 * marker, plan or TAP header (those are printed only by report_begin/report_end). */
	FUZZ_CHECK(!strncmp(s, "# ", 2) || !strncmp(s, "ok ", 3) || !strncmp(s, "not ok ", 7),
		   "unexpected record \"%.*s\"", (int)n, s);
	fuzz_lines++;
	if (fuzz_print < 0)
		fuzz_print = getenv("FUZZ_PRINT") != NULL;
	if (fuzz_print)
		fwrite(s, 1, n, stdout);
}
#endif

/* Little-endian loads from the fuzz input. */
static inline uint32_t fuzz_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t fuzz_get64(const uint8_t *p)
{
	return (uint64_t)fuzz_get32(p) | (uint64_t)fuzz_get32(p + 4) << 32;
}

#endif
