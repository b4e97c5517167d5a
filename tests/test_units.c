/* test_units.c -- quantities with units: accepted spellings and rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/base.h"

#include <string.h>

static double q(const char *s, aif_qty k)
{
    double v = -1;
    char why[256];
    assert_int_equal(aif_parse_qty(s, k, &v, why, sizeof why), 0);
    return v;
}

static void bad(const char *s, aif_qty k, const char *needle)
{
    double v;
    char why[256];
    assert_int_equal(aif_parse_qty(s, k, &v, why, sizeof why), -1);
    if (!strstr(why, needle))
        fail_msg("'%s': message '%s' lacks '%s'", s, why, needle);
}

static void test_bandwidth(void **state)
{
    (void)state;
    assert_true(q("400Gb/s", AIF_Q_BW) == 50e9);      /* bits */
    assert_true(q("400Gbps", AIF_Q_BW) == 50e9);
    assert_true(q("450GB/s", AIF_Q_BW) == 450e9);     /* bytes */
    assert_true(q("3.35TB/s", AIF_Q_BW) == 3.35e12);
    assert_true(q(" 25 GB/s ", AIF_Q_BW) == 25e9);
}

static void test_bytes_power_time(void **state)
{
    (void)state;
    assert_true(q("80GiB", AIF_Q_BYTES) == 80.0 * 1073741824.0);
    assert_true(q("80GB", AIF_Q_BYTES) == 80e9);
    assert_true(q("700W", AIF_Q_POWER) == 700);
    assert_true(q("10.2kW", AIF_Q_POWER) == 10200);
    assert_true(q("54d", AIF_Q_TIME) == 54 * 86400.0);
    assert_true(q("1.5us", AIF_Q_TIME) == 1.5e-6);
    assert_true(q("2h", AIF_Q_TIME) == 7200);
}

static void test_counts_money_fractions(void **state)
{
    (void)state;
    assert_true(q("15.6T", AIF_Q_COUNT) == 15.6e12);
    assert_true(q("405B", AIF_Q_COUNT) == 405e9);
    assert_true(q("16M", AIF_Q_COUNT) == 16e6);
    assert_true(q("8", AIF_Q_COUNT) == 8);
    assert_true(q("$30000", AIF_Q_MONEY) == 30000);
    assert_true(q("$2.5M", AIF_Q_MONEY) == 2.5e6);
    assert_true(q("30000USD", AIF_Q_MONEY) == 30000);
    assert_true(q("92%", AIF_Q_FRACTION) == 0.92);
    assert_true(q("0.92", AIF_Q_FRACTION) == 0.92);
    long long n;
    char why[128];
    assert_int_equal(aif_parse_int("16K", &n, why, sizeof why), 0);
    assert_int_equal(n, 16000);
    assert_int_equal(aif_parse_int("1.5", &n, why, sizeof why), -1);
}

static void test_rejections(void **state)
{
    (void)state;
    bad("80", AIF_Q_BYTES, "no unit");
    bad("400", AIF_Q_BW, "no unit");
    bad("700", AIF_Q_POWER, "no unit");
    bad("700V", AIF_Q_POWER, "unknown unit");
    bad("80GiB", AIF_Q_BW, "is a size");
    bad("400Gb/s", AIF_Q_BYTES, "is a bandwidth");
    bad("-5W", AIF_Q_POWER, "negative");
    bad("abc", AIF_Q_COUNT, "not a number");
    bad("0x10", AIF_Q_COUNT, "decimal");
    bad("inf", AIF_Q_COUNT, "not a number");
    bad("1e999GB", AIF_Q_BYTES, "finite");
    bad("$5W", AIF_Q_POWER, "money");
}

static void test_did_you_mean(void **state)
{
    (void)state;
    const char *c[] = {"gpus", "gpus_per_node", "fabric", "nic_bw"};
    assert_int_equal(aif_did_you_mean("gpu_per_node", c, 4), 1);
    assert_int_equal(aif_did_you_mean("fabirc", c, 4), 2);
    assert_int_equal(aif_did_you_mean("zzzzzz", c, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bandwidth), cmocka_unit_test(test_bytes_power_time),
        cmocka_unit_test(test_counts_money_fractions), cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_did_you_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
