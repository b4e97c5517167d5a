/* fuzz_sweep.c -- fuzz target for sweep files (aif_sweep_parse, docs/SWEEPS.md): the
 * YAML loader, then the sweep's own reading of ranges, zip groups, fixed fields and the
 * base.  Invariants checked: every input is a sweep of 1 to 10^8 points whose every
 * axis has a non-empty value at the first, a middle and the last point, with a key of
 * 16 hex digits, and the first point's scenario loads or is rejected with AIF_EINPUT
 * and a message; or the file is rejected with AIF_EINPUT, a message and a position;
 * nothing crashes, hangs or leaks.  Driver: fuzz_driver.c. */
#include "aifsim/aifsim.h"
#include "aifsim/sweep.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "fuzz_sweep";
const char *const fuzz_dict[] = {"base: ", "command: ", "engine: ", "set:\n", "axes:\n", "zip: ", "  ", "\n",
                                 "train", "facility", "infer", "estimate", "sim", "default", "neutral",
                                 "{from: 1, to: 8, factor: 2}", "{from: 64, to: 1024, step: 64}", "from", "to",
                                 "step", "factor", "[1, 2, 4]", "[", "]", "{", "}", ",", ": ", "train.tp",
                                 "cluster.gpus", "cluster.gpu", "h100-sxm", "0", "-1", "1e9", "nan", "1e308", "#"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static aif_scenario s;
static long n_sweeps;

static void cleanup(void)
{
    printf("fuzz_sweep: %ld inputs were sweeps\n", n_sweeps);
    aif_catalog_free(cat);
}

static void check_point(const aif_sweep *sw, long i)
{
    char key[17];
    aif_sweep_point_key(sw, i, key);
    if (strlen(key) != 16 || strspn(key, "0123456789abcdef") != 16)
        abort();
    for (int a = 0; a < aif_sweep_n_axes(sw); a++) {
        const char *v = aif_sweep_point_value(sw, i, a);
        if (!v || !v[0])
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err e;
    if (!cat) {
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
            abort();
        atexit(cleanup);
    }
    aif_sweep *sw;
    aif_rc rc = aif_sweep_parse((const char *)data, size, "<fuzz>", &sw, &e);
    if (rc != AIF_OK) {
        if (rc != AIF_EINPUT || !e.msg[0])
            abort();
        return 0;
    }
    long n = aif_sweep_n_points(sw);
    if (n < 1 || n > 100000000L || aif_sweep_n_axes(sw) < 1)
        abort();
    check_point(sw, 0);
    check_point(sw, n / 2);
    check_point(sw, n - 1);
    /* the first point as the sweep loads it: the base with its values as overrides */
    aif_override ov[32];
    int k = 0;
    for (int a = 0; a < aif_sweep_n_axes(sw) && k < 32; a++)
        ov[k++] = (aif_override){aif_sweep_axis_path(sw, a), aif_sweep_point_value(sw, 0, a), "<fuzz>"};
    rc = aif_scenario_load_job(cat, NULL, ov, k, &s, &e);
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    n_sweeps++;
    aif_sweep_free(sw);
    return 0;
}
