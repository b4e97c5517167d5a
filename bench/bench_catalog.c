/* bench_catalog.c -- what a CLI call pays in process before the model: loading the
 * built-in catalogs from the compiled image (aif_catalog_load_builtin), parsing the
 * same YAML as every call did before the catalogs were compiled in
 * (aif_catalog_parse_builtin, what tools/catalog_gen.c runs at build time), and
 * loading the default scenario.  Median of 9 rounds of N calls each, microseconds per
 * call.  usage: aifsim-bench-catalog [N]   (default 200) */
#include "scenario/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static aif_scenario scen;

/* kind 0: image, 1: parse, 2: default scenario on cat */
static int one(int kind, const aif_catalog *cat, aif_err *e)
{
    aif_catalog *c;
    if (kind == 2)
        return aif_scenario_load(cat, NULL, NULL, 0, &scen, e) != AIF_OK;
    if ((kind ? aif_catalog_parse_builtin(&c, e) : aif_catalog_load_builtin(&c, e)) != AIF_OK)
        return 1;
    aif_catalog_free(c);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 200;
    if (n < 1)
        n = 1;
    aif_err e;
    aif_catalog *cat;
    if (aif_catalog_load_builtin(&cat, &e) != AIF_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    static const char *const what[] = {"built-in catalogs from the compiled image", "built-in catalogs parsed from YAML",
                                       "default scenario"};
    for (int k = 0; k < 3; k++) {
        double t_us[9];
        for (int r = 0; r < 9; r++) {
            double t0 = now_s();
            for (int i = 0; i < n; i++)
                if (one(k, cat, &e)) {
                    fprintf(stderr, "%s: %s\n", what[k], e.msg);
                    return 1;
                }
            t_us[r] = (now_s() - t0) / n * 1e6;
        }
        qsort(t_us, 9, sizeof *t_us, cmp);
        printf("%-45s %9.1f us per call (median of 9 x %d)\n", what[k], t_us[4], n);
    }
    aif_catalog_free(cat);
    return 0;
}
