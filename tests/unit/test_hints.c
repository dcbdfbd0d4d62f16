/* Host unit tests for time/tsc_hints_decode.c: each hint decoder with usable and unusable
 * raw values. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../../lib/fmt.c"
#include "../../time/pvclock.c"
#include "../../time/tsc_hints_decode.c"

static char d[96];
static uint64_t hz;

static void test_cpuid15(void **state)
{
	(void)state;
	/* Skylake client: 24 MHz crystal, 176/2 -> 2.112 GHz. */
	assert_true(hint_decode_cpuid15(2, 176, 24000000, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2112000000ULL);
	assert_non_null(strstr(d, "crystal_hz=24000000"));
	/* Any zero field: no hint (ECX 0 = crystal not enumerated). */
	hz = 7;
	assert_false(hint_decode_cpuid15(0, 176, 24000000, &hz, d, sizeof(d)));
	assert_false(hint_decode_cpuid15(2, 0, 24000000, &hz, d, sizeof(d)));
	assert_false(hint_decode_cpuid15(2, 176, 0, &hz, d, sizeof(d)));
	assert_false(hint_decode_cpuid15(0, 0, 0, &hz, d, sizeof(d)));
	/* Product beyond 32 bits. */
	assert_true(hint_decode_cpuid15(1, 0xffffffffu, 0xffffffffu, &hz, d, sizeof(d)));
	assert_int_equal(hz, 0xfffffffe00000001ULL);
}

static void test_cpuid16(void **state)
{
	(void)state;
	assert_true(hint_decode_cpuid16(2100, 3700, 100, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2100000000ULL);
	assert_non_null(strstr(d, "base"));
	/* Only bits 15:0 are the frequency. */
	assert_true(hint_decode_cpuid16(0xabcd0000u | 2100, 0, 0, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2100000000ULL);
	assert_false(hint_decode_cpuid16(0, 3700, 100, &hz, d, sizeof(d)));
}

static void test_40000010(void **state)
{
	(void)state;
	assert_true(hint_decode_cpuid_40000010(2095996, 1000000, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2095996000ULL);
	assert_false(hint_decode_cpuid_40000010(0, 1000000, &hz, d, sizeof(d)));
	assert_true(hint_decode_cpuid_40000010(0xffffffffu, 0, &hz, d, sizeof(d)));
	assert_int_equal(hz, 0xffffffffULL * 1000);
}

static void test_kvmclock(void **state)
{
	(void)state;
	assert_true(hint_decode_kvmclock(0xf3cf3cf3u, -1, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2100000000ULL);
	assert_non_null(strstr(d, "tsc_shift=-1"));
	assert_non_null(strstr(d, "2100000"));
	assert_true(hint_decode_kvmclock(0xa0000000u, 4, &hz, d, sizeof(d)));
	assert_int_equal(hz, 100000000ULL);
	assert_false(hint_decode_kvmclock(0, 0, &hz, d, sizeof(d)));
}

static void test_hyperv(void **state)
{
	(void)state;
	assert_true(hint_decode_hyperv(2095999000ULL, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2095999000ULL);
	assert_false(hint_decode_hyperv(0, &hz, d, sizeof(d)));
}

static void test_vmware(void **state)
{
	(void)state;
	assert_true(hint_decode_vmware(0x7d2b7500u, 0, 66000000, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2100000000ULL);
	assert_true(hint_decode_vmware(0x12345678u, 1, 0, &hz, d, sizeof(d)));
	assert_int_equal(hz, 0x112345678ULL);
	/* EBX unchanged: the backdoor did not answer (bare metal returns EAX=0xffffffff too). */
	assert_false(hint_decode_vmware(0xffffffffu, VMWARE_GETHZ_FAILED, 0, &hz, d, sizeof(d)));
	assert_non_null(strstr(d, "failed"));
	assert_false(hint_decode_vmware(0, 0, 0, &hz, d, sizeof(d)));
}

static void test_platform_info(void **state)
{
	(void)state;
	/* Ratio 0x1c = 28 -> 2.8 GHz; other bits ignored. */
	assert_true(hint_decode_platform_info(0x80838f1011c00ULL, &hz, d, sizeof(d)));
	assert_int_equal(hz, 2800000000ULL);
	assert_true(hint_decode_platform_info(0xff00, &hz, d, sizeof(d)));
	assert_int_equal(hz, 25500000000ULL);
	/* TCG reads unknown MSRs as 0: ratio 0 is no hint. */
	assert_false(hint_decode_platform_info(0, &hz, d, sizeof(d)));
	assert_false(hint_decode_platform_info(0xffffffffffff00ffULL, &hz, d, sizeof(d)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpuid15),     cmocka_unit_test(test_cpuid16),
		cmocka_unit_test(test_40000010),    cmocka_unit_test(test_kvmclock),
		cmocka_unit_test(test_hyperv),      cmocka_unit_test(test_vmware),
		cmocka_unit_test(test_platform_info),
	};
	return cmocka_run_group_tests(tests, 0, 0);
}
