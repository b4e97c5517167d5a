/* test_pace.c -- a synchronous training job runs at its slowest GPU's pace: one GPU's
 * sustained compute speed spreads across a fleet (calibration speed_spread, standard
 * deviation as a share of the typical GPU's), so a job of n GPUs computes at
 * 1 - speed_spread x E[max of n standard normals] of a typical GPU's clock
 * (aif_scenario_pace, the graph's pace), in both engines; the family's spread is the one its kernel table
 * gives (validation/kernels/gpu_spread_sgemm_v100.csv, scripts/fit_spread.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/sim.h"
#include "base/base.h"
#include "engine/estimate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define CLOSE(a, b, tol) \
    do { \
        double a_ = (a), b_ = (b); \
        if (!(fabs(a_ - b_) <= (tol) * fabs(b_))) \
            fail_msg("%s = %.9g, expected %.9g", #a, a_, b_); \
    } while (0)

/* The expected largest of n standard normal draws against its closed forms: 1/sqrt(pi) for
 * two, 3/(2 sqrt(pi)) for three, and the tabulated 1.42360 for eight (Teichroew 1956). */
static void test_expected_max(void **state)
{
    (void)state;
    assert_true(aif_expected_max_normal(1) == 0);
    assert_true(aif_expected_max_normal(0) == 0);
    CLOSE(aif_expected_max_normal(2), 1 / sqrt(3.14159265358979323846), 1e-6);
    CLOSE(aif_expected_max_normal(3), 1.5 / sqrt(3.14159265358979323846), 1e-6);
    CLOSE(aif_expected_max_normal(8), 1.42360, 1e-5);
    /* it grows as sqrt(2 ln n), slowly: 3.97 at 16,384, under 6 at a hundred million */
    CLOSE(aif_expected_max_normal(16384), 3.97, 0.01);
    assert_true(aif_expected_max_normal(1e8) > 5 && aif_expected_max_normal(1e8) < 6);
}

static void load(aif_scenario *s, const char *yaml)
{
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "test", NULL, 0, s, &e))
        fail_msg("%s: %s", e.path, e.msg);
}

/* The pace follows the job's GPUs and the spread, the family's unless the cluster gives one;
 * a job of one GPU has no slower partner (serving graphs keep the clock: test_serve's
 * fast path against a fresh graph, test_graph's decode segment). */
static void test_pace_of_a_job(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 64, seq: 4096}\n");
    CLOSE(s.cluster.speed_spread, s.cluster.gpu.calib.speed_spread, 0);
    assert_true(s.cluster.gpu.calib.speed_spread > 0);
    CLOSE(aif_scenario_pace(&s), 1 - s.cluster.speed_spread * aif_expected_max_normal(64), 1e-12);
    load(&s, "cluster: {system: dgx-h100, gpus: 64, speed_spread: 0.03}\nmodel: llama3-8b\n"
             "train: {tp: 1, gbs: 64, seq: 4096}\n");
    CLOSE(aif_scenario_pace(&s), 1 - 0.03 * aif_expected_max_normal(64), 1e-12);
    /* a job on 16 of the 64 GPUs waits for the slowest of its own 16 */
    load(&s, "cluster: {system: dgx-h100, gpus: 64, speed_spread: 0.03}\nmodel: llama3-8b\n"
             "train: {tp: 1, gbs: 16, seq: 4096, gpus: 16}\n");
    CLOSE(aif_scenario_pace(&s), 1 - 0.03 * aif_expected_max_normal(16), 1e-12);
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 1, seq: 4096}\n");
    assert_true(aif_scenario_pace(&s) == 1);
}

/* A compute-bound kernel's time is its typical time over the pace (the pace scales the
 * clock, so a kernel bound by its memory is not slowed), and each engine's step slows by
 * no more than that: communication runs at the links' rate. */
static void test_engines_pace(void **state)
{
    (void)state;
    static const char *const yaml[] = {
        "cluster: {system: dgx-h100, gpus: 64, speed_spread: 0}\nmodel: llama3-70b\n"
        "train: {tp: 8, pp: 4, gbs: 32, mbs: 1, seq: 4096}\n",
        "cluster: {system: dgx-h100, gpus: 64, speed_spread: 0.02}\nmodel: llama3-70b\n"
        "train: {tp: 8, pp: 4, gbs: 32, mbs: 1, seq: 4096}\n",
    };
    aif_scenario s[2];
    aif_train_result est[2], sim[2];
    double gemm[2] = {0, 0}, launch = 0;
    aif_err e;
    for (int i = 0; i < 2; i++) {
        load(&s[i], yaml[i]);
        aif_graph g;
        assert_int_equal(aif_graph_lower(&s[i], &g, &e), AIF_OK);
        for (int k = 0; k < g.n_ops; k++)   /* the layer's first-MLP GEMM, a large compute-bound one */
            if (g.ops[k].kind == AIF_OP_GEMM && !strcmp(g.ops[k].name, "fc1")) {
                gemm[i] = aif_op_time_s(&s[i], &g, &g.ops[k]);
                launch = g.ops[k].n_kernels * s[i].cluster.gpu.calib.kernel_overhead_s;   /* not the clock's */
                break;
            }
        aif_graph_free(&g);
        assert_int_equal(aif_estimate(&s[i], &est[i], &e), AIF_OK);
        assert_int_equal(aif_simulate(&s[i], NULL, &sim[i], NULL, &e), AIF_OK);
    }
    double pace = aif_scenario_pace(&s[1]);
    CLOSE(est[1].pace, pace, 1e-15);
    CLOSE(sim[1].pace, pace, 1e-15);
    assert_true(est[0].pace == 1);
    assert_true(gemm[0] > 0);
    CLOSE(gemm[1] - launch, (gemm[0] - launch) / pace, 1e-9);
    assert_true(est[1].step_time_s > est[0].step_time_s && est[1].step_time_s <= est[0].step_time_s / pace * (1 + 1e-9));
    assert_true(sim[1].step_time_s > sim[0].step_time_s && sim[1].step_time_s <= sim[0].step_time_s / pace * (1 + 1e-9));
    /* the engines slow alike: within a percent of each other's ratio */
    CLOSE(sim[1].step_time_s / sim[0].step_time_s, est[1].step_time_s / est[0].step_time_s, 0.01);
}

/* The families' spread is the one the kernel table gives: its interquartile range over
 * 1.349 and the median GPU's time (scripts/fit_spread.py), to the catalog's three places. */
static void test_spread_from_table(void **state)
{
    (void)state;
    FILE *f = fopen(AIFSIM_SOURCE_DIR "/validation/kernels/gpu_spread_sgemm_v100.csv", "r");
    assert_non_null(f);
    char line[256];
    double t[1024];
    int n = 0;
    assert_non_null(fgets(line, sizeof line, f));   /* header */
    while (n < 1024 && fgets(line, sizeof line, f)) {
        char *c = strchr(line, ',');
        assert_non_null(c);
        c = strchr(c + 1, ',');   /* gpu, runs, time_ms */
        assert_non_null(c);
        t[n++] = strtod(c + 1, NULL);
    }
    fclose(f);
    assert_int_equal(n, 392);
    for (int i = 1; i < n; i++)   /* the table is sorted by time */
        assert_true(t[i] >= t[i - 1]);
    double k1 = (n - 1) * 0.25, k3 = (n - 1) * 0.75, k2 = (n - 1) * 0.5;
#define Q(k) (t[(int)(k)] + (t[(int)(k) + 1] - t[(int)(k)]) * ((k) - (int)(k)))
    double sigma = (Q(k3) - Q(k1)) / 1.349 / Q(k2);
#undef Q
    const aif_gpu *h100 = aif_catalog_find_gpu(cat, "h100-sxm");
    assert_non_null(h100);
    CLOSE(h100->calib.speed_spread, round(sigma * 1000) / 1000, 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_max),
        cmocka_unit_test(test_pace_of_a_job),
        cmocka_unit_test(test_engines_pace),
        cmocka_unit_test(test_spread_from_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
