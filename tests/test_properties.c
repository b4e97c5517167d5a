/* test_properties.c -- properties that must hold for any configuration:
 * more bandwidth never slows a step; more sharding never adds memory; more
 * GPUs at a fixed per-GPU batch never lowers total throughput of a DP job;
 * the same inputs give the same result bit for bit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/aifsim.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* a deterministic generator of configurations (xorshift) */
static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static int pick(const int *v, int n) { return v[next() % (uint64_t)n]; }

static int random_scenario(aif_scenario *s)
{
    static const char *const models[] = {"llama3-8b", "llama3-70b", "gpt3-175b", "mixtral-8x7b", "mpt-7b",
                                         "deepseek-v3", "llama2-13b"};
    static const char *const systems[] = {"dgx-h100", "dgx-a100-80g", "hgx-b200", "gb200-nvl72", "mi300x-8"};
    static const int tps[] = {1, 2, 4, 8}, pps[] = {1, 2, 4, 8}, cps[] = {1, 1, 2}, eps[] = {1, 1, 2, 8};
    char y[600];
    int tp = pick(tps, 4), pp = pick(pps, 4), cp = pick(cps, 3), ep = pick(eps, 4);
    int dp = 1 << (next() % 6);
    const char *m = models[next() % 7];
    int moe = !strcmp(m, "mixtral-8x7b") || !strcmp(m, "deepseek-v3");
    if (!moe)
        ep = 1;
    snprintf(y, sizeof y,
             "cluster: {system: %s, gpus: %d}\nmodel: %s\n"
             "train: {tp: %d, pp: %d, cp: %d, ep: %d, mbs: %d, gbs: %d, seq: %d, recompute: %s, optimizer: %s}\n",
             systems[next() % 5], tp * pp * cp * dp, m, tp, pp, cp, ep, 1 + (int)(next() % 2),
             dp * 2 * 8 * pp, 2048 << (next() % 3), (const char *[]){"none", "selective", "full"}[next() % 3],
             pp > 1 ? "distributed" : (const char *[]){"none", "distributed", "zero1", "zero3"}[next() % 4]);
    aif_err e;
    /* mbs*dp must divide gbs: gbs = dp*16*pp is a multiple of mbs*dp for mbs in {1, 2} */
    return aif_scenario_parse(cat, y, strlen(y), "random", NULL, 0, s, &e) == AIF_OK;
}

static double step(const aif_scenario *s)
{
    aif_train_result r;
    aif_err e;
    assert_int_equal(aif_estimate(s, &r, &e), AIF_OK);
    return r.step_time_s;
}

static void test_bandwidth_monotone(void **state)
{
    (void)state;
    int checked = 0;
    for (int i = 0; i < 400; i++) {
        aif_scenario s;
        if (!random_scenario(&s))
            continue;
        double t0 = step(&s);
        aif_scenario f = s;
        f.cluster.nic_bw_Bps *= 2;
        assert_true(step(&f) <= t0 * (1 + 1e-12));
        f = s;
        f.cluster.scaleup.port_bw_Bps *= 2;
        assert_true(step(&f) <= t0 * (1 + 1e-12));
        f = s;
        f.cluster.gpu.hbm_bw_Bps *= 2;
        assert_true(step(&f) <= t0 * (1 + 1e-12));
        f = s;
        f.cluster.gpu.peak_flops[AIF_BF16] *= 2;
        f.cluster.gpu.peak_flops[AIF_FP8] *= 2;
        assert_true(step(&f) <= t0 * (1 + 1e-12));
        f = s;
        f.cluster.fabric.latency_s /= 2;
        assert_true(step(&f) <= t0 * (1 + 1e-12));
        checked++;
    }
    assert_true(checked > 100);
}

static void test_sharding_monotone(void **state)
{
    (void)state;
    int checked = 0;
    for (int i = 0; i < 400; i++) {
        aif_scenario s;
        if (!random_scenario(&s) || s.train.par.pp > 1)
            continue;
        double prev = INFINITY;
        static const int order[] = {AIF_OPT_NONE, AIF_OPT_DISTRIBUTED, AIF_OPT_ZERO1, AIF_OPT_ZERO2, AIF_OPT_ZERO3};
        for (int k = 0; k < 5; k++) {
            s.train.optimizer = order[k];
            aif_train_result r;
            aif_err e;
            assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
            double state_bytes = r.mem.weights_bytes + r.mem.grads_bytes + r.mem.optimizer_bytes;
            if (state_bytes > prev * (1 + 1e-12) && s.train.par.dp > 1)
                fail_msg("optimizer %d holds %.4g bytes > %.4g", order[k], state_bytes, prev);
            prev = state_bytes;
        }
        /* recomputation never adds activation memory */
        double act[3];
        for (int rc = 0; rc < 3; rc++) {
            s.train.recompute = rc;
            aif_train_result r;
            aif_err e;
            assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
            act[rc] = r.mem.activations_bytes;
        }
        assert_true(act[2] <= act[1] && act[1] <= act[0]);
        checked++;
    }
    assert_true(checked > 30);
}

static void test_deterministic(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        aif_scenario s;
        if (!random_scenario(&s))
            continue;
        aif_train_result a, b;
        aif_err e;
        assert_int_equal(aif_estimate(&s, &a, &e), AIF_OK);
        assert_int_equal(aif_estimate(&s, &b, &e), AIF_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

static void test_more_tp_less_weight_memory(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\ntrain: {tp: 1, gbs: 64, seq: 4096}\n";
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    double prev = INFINITY;
    for (int tp = 1; tp <= 8; tp *= 2) {
        s.train.par.tp = tp;
        s.train.par.sp = tp > 1;
        s.train.par.dp = 64 / tp;
        aif_train_result r;
        assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
        assert_true(r.mem.weights_bytes < prev);
        prev = r.mem.weights_bytes;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bandwidth_monotone), cmocka_unit_test(test_sharding_monotone),
        cmocka_unit_test(test_deterministic), cmocka_unit_test(test_more_tp_less_weight_memory),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
