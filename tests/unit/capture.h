/* Shared by host unit tests that assert on log lines: a report sink that keeps everything
 * the guest's emitter (lib/report.c) writes in `out`. Include after <cmocka.h> and the
 * report.c under test. */
#ifndef CP_TEST_CAPTURE_H
#define CP_TEST_CAPTURE_H
#include <string.h>

static char out[65536];
static size_t out_len;

static void capture(const char *s, size_t n)
{
	assert_true(out_len + n < sizeof(out));
	memcpy(out + out_len, s, n);
	out_len += n;
	out[out_len] = '\0';
}

/* Empty the buffer and route the emitter into it. */
static void capture_start(void)
{
	out_len = 0;
	out[0] = '\0';
	report_set_sink(capture);
}

#endif
