/* test_format.c -- the numbers a person reads (src/report/format.c): one convention for
 * every text writer.  Hand-written cases at every magnitude from 1e-9 to 1e18 of watts,
 * joules, tonnes, dollars and counts; then a sweep over all of them checking the
 * invariants: no exponent, a mantissa of at most three significant digits in [1, 1000),
 * a nonzero value never printed as zero, and the printed value within 0.5% of the true. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/report.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SI(x, unit, want)                                                                                        \
    do {                                                                                                         \
        char b_[64];                                                                                             \
        aif_fmt_si(b_, sizeof b_, (x), (unit));                                                                  \
        assert_string_equal(b_, (want));                                                                         \
    } while (0)
#define FMT(fn, x, want)                                                                                         \
    do {                                                                                                         \
        char b_[64];                                                                                             \
        fn(b_, sizeof b_, (x));                                                                                  \
        assert_string_equal(b_, (want));                                                                         \
    } while (0)

static void power_and_bandwidth(void **st)
{
    (void)st;
    SI(0, "W", "0 W");
    SI(1e-9, "W", "1 nW");
    SI(4.59e-3, "W", "4.59 mW");
    SI(999.6, "W", "1 kW");             /* rounding carries into the next prefix */
    SI(42e3, "W", "42 kW");
    SI(1.44e9, "W", "1.44 GW");         /* was "1.44e+03 MW" */
    SI(1e18, "W", "1 EW");
    SI(3.2768e15, "b/s", "3.28 Pb/s");
    SI(450e9, "B/s", "450 GB/s");
    SI(-1.5e6, "W", "-1.5 MW");
    SI(3.7e-6, "s", "3.7 us");
}

static void energy_mass_money_counts(void **st)
{
    (void)st;
    FMT(aif_fmt_energy_J, 4.59e-3 * 3.6e12, "4.59 MWh");   /* was "0.00459 GWh" */
    FMT(aif_fmt_energy_J, 3.6e3, "1 Wh");
    FMT(aif_fmt_energy_J, 3.6e-6, "1 nWh");
    FMT(aif_fmt_mass_kg, 0.382e3, "382 kg");               /* was "0 t embodied" */
    FMT(aif_fmt_mass_kg, 0.4, "400 g");
    FMT(aif_fmt_mass_kg, 19632e3, "19.6 kt");
    FMT(aif_fmt_mass_kg, 1e-9, "1 ug");
    FMT(aif_fmt_mass_kg, 0, "0 g");
    FMT(aif_fmt_usd, 0, "$0");
    FMT(aif_fmt_usd, 0.46, "$0.46");
    FMT(aif_fmt_usd, 1e-9, "$0.000000001");
    FMT(aif_fmt_usd, 1.39e9, "$1.39B");
    FMT(aif_fmt_usd, 920e3, "$920K");
    FMT(aif_fmt_usd, 999.7e3, "$1M");
    FMT(aif_fmt_count, 405.85e9, "406B");
    FMT(aif_fmt_count, 1.48e16, "14.8Q");                   /* was "1.48e+04T" */
    FMT(aif_fmt_count, 1e18, "1x10^18");
    FMT(aif_fmt_count, 2.5e19, "2.5x10^19");
    FMT(aif_fmt_count, 8, "8");
    FMT(aif_fmt_count, 1e-9, "0.000000001");
    FMT(aif_fmt_count, 32768, "32.8K");
}

/* The number before the unit or suffix: digits, one '.', a sign. */
static double leading(const char *s, const char **rest)
{
    char *end;
    if (*s == '$')
        s++;
    double v = strtod(s, &end);
    *rest = end;
    return v;
}

static void every_magnitude(void **st)
{
    (void)st;
    int n = 0;
    for (double e = -9; e <= 18.0001; e += 0.0625) {
        double x = pow(10, e) * 1.2345;
        char b[5][64];
        aif_fmt_si(b[0], sizeof b[0], x, "W");
        aif_fmt_energy_J(b[1], sizeof b[1], x);
        aif_fmt_mass_kg(b[2], sizeof b[2], x);
        aif_fmt_usd(b[3], sizeof b[3], x);
        aif_fmt_count(b[4], sizeof b[4], x);
        for (int k = 0; k < 5; k++) {
            if (strstr(b[k], "e+") || strstr(b[k], "e-"))
                fail_msg("exponent in '%s' for %g", b[k], x);
            const char *rest;
            double m = leading(b[k], &rest);
            if (m == 0)
                fail_msg("'%s' reads zero for %g", b[k], x);
            int digits = 0, lead = 1;
            for (const char *p = b[k]; p < rest; p++) {
                if (*p == '0' && lead)
                    continue;
                if (isdigit((unsigned char)*p)) {
                    digits++;
                    lead = 0;
                }
            }
            if (digits > 3)
                fail_msg("'%s' has %d significant digits", b[k], digits);
            if ((k < 3 || x >= 1) && !strstr(b[k], "x10^") && (m < 1 || m >= 1000))
                fail_msg("mantissa of '%s' outside [1, 1000)", b[k]);
            n++;
        }
    }
    assert_true(n > 2000);
    /* the value read back is the value within rounding to three digits */
    static const struct { const char *p; double f; } pre[] = {{"n", 1e-9}, {"u", 1e-6}, {"m", 1e-3}, {"k", 1e3},
                                                             {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15},
                                                             {"E", 1e18}};
    for (double e = -9; e <= 18.9; e += 0.37) {
        double x = pow(10, e);
        char b[64];
        aif_fmt_si(b, sizeof b, x, "W");
        char *end;
        double v = strtod(b, &end);
        double f = 1;
        for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
            if (!strncmp(end + 1, pre[i].p, strlen(pre[i].p)) && end[1 + strlen(pre[i].p)] == 'W')
                f = pre[i].f;
        if (fabs(v * f - x) > 0.005 * x)
            fail_msg("'%s' reads %g, not %g", b, v * f, x);
    }
}

static void table_figures(void **st)
{
    (void)st;
    FMT(aif_fmt_plain, 29340.4, "29340");                  /* was "2.934e+04" in aifsim validate */
    FMT(aif_fmt_plain, 845.44, "845.4");
    FMT(aif_fmt_plain, 0.00012345, "0.0001234");
    FMT(aif_fmt_plain, 1.2341e-9, "0.000000001234");
    FMT(aif_fmt_plain, 1e18, "1000000000000000000");
    FMT(aif_fmt_plain, 0, "0");
}

static void bounded_and_terminated(void **st)
{
    (void)st;
    char b[6];
    aif_fmt_si(b, sizeof b, 1.44e9, "W");
    assert_int_equal(strlen(b), 5);
    aif_fmt_usd(b, 3, 1.39e9);
    assert_string_equal(b, "$1");
    aif_fmt_count(b, 1, 7);
    assert_string_equal(b, "");
    char nan_b[32];
    aif_fmt_si(nan_b, sizeof nan_b, NAN, "W");
    assert_string_equal(nan_b, "n/a W");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(power_and_bandwidth),
        cmocka_unit_test(energy_mass_money_counts),
        cmocka_unit_test(every_magnitude),
        cmocka_unit_test(table_figures),
        cmocka_unit_test(bounded_and_terminated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
