/* Host tests of the log emitter: the exact lines docs/log-format.md promises. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../lib/report.c"

#include "capture.h"

static int setup(void **state)
{
	(void)state;
	capture_start();
	return 0;
}

static void test_pass_run(void **state)
{
	(void)state;
	report_begin("v1");
	check_pass("a.b");
	check_skip("c", "absent: %s", "no table");
	metric_u64("hpet.period_fs", 10000000, "fs");
	metric_hex("hpet.base", 0xfed00000, "addr");
	metric_fixed("tsc.ppm", -12345, 3, "ppm");
	metric_i64("x.step", -3, "ticks");
	info("cpu.brand", "QEMU TCG\nCPU");
	assert_int_equal(report_end(), VERDICT_PASS);
	assert_string_equal(out, "CLOCKPROBE-START protocol=1\n"
				 "TAP version 13\n"
				 "# info clockprobe.build v1\n"
				 "ok 1 - a.b\n"
				 "ok 2 - c # SKIP absent: no table\n"
				 "# metric hpet.period_fs 10000000 fs\n"
				 "# metric hpet.base 0xfed00000 addr\n"
				 "# metric tsc.ppm -12.345 ppm\n"
				 "# metric x.step -3 ticks\n"
				 "# info cpu.brand QEMU TCG CPU\n"
				 "1..2\n"
				 "# summary: 1 passed, 0 failed, 1 skipped\n"
				 "CLOCKPROBE-END status=pass\n");
}

static void test_fail_and_crash(void **state)
{
	(void)state;
	report_begin("v1");
	assert_false(check(false, "tsc.hint.fake", "off by %d ppm", 23000));
	assert_true(check(true, "ok.one", "unused"));
	assert_int_equal(report_end(), VERDICT_FAIL);
	assert_non_null(strstr(out, "not ok 1 - tsc.hint.fake\n# fail: off by 23000 ppm\nok 2 - ok.one\n"));
	assert_non_null(strstr(out, "# summary: 1 passed, 1 failed, 0 skipped\nCLOCKPROBE-END status=fail\n"));
	out_len = 0;
	report_bail_out("unexpected exception #PF");
	assert_string_equal(out, "Bail out! unexpected exception #PF\nCLOCKPROBE-END status=crash\n");
}

/* A host finding (the lab's host without a master clock) does not fail the run; the same
 * check with a host that promised it does. */
static void test_host_finding(void **state)
{
	(void)state;
	report_begin("v1");
	assert_false(check_host(false, "stable bit clear", "kvmclock.updates", "stepped at %d of %d updates", 29, 1541));
	assert_true(check_host(true, "stable bit clear", "kvmclock.monotonic", "unused"));
	assert_int_equal(report_end(), VERDICT_PASS);
	assert_non_null(strstr(out, "not ok 1 - kvmclock.updates # TODO host finding\n"
				    "# host-finding: stable bit clear: stepped at 29 of 1541 updates\n"
				    "ok 2 - kvmclock.monotonic\n"));
	assert_non_null(strstr(out, "# summary: 1 passed, 0 failed, 0 skipped, 1 host findings\n"
				    "CLOCKPROBE-END status=pass\n"));
	out_len = 0;
	report_begin("v1");
	assert_false(check_host(false, NULL, "tsc.sync", "%d warps", 6264));
	assert_int_equal(report_end(), VERDICT_FAIL);
	assert_non_null(strstr(out, "not ok 1 - tsc.sync\n# fail: 6264 warps\n"));
}

static void test_long_line_is_one_line(void **state)
{
	char big[2000];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	info("long", "%s", big);
	assert_int_equal(out[out_len - 1], '\n');
	assert_null(memchr(out, '\n', out_len - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_pass_run, setup),
		cmocka_unit_test_setup(test_fail_and_crash, setup),
		cmocka_unit_test_setup(test_host_finding, setup),
		cmocka_unit_test_setup(test_long_line_is_one_line, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
