/* test_moe.c -- MoE as the runs have it: routing load imbalance as a parameter
 * (train.ep_imbalance, the busiest expert-parallel rank's token copies over the mean):
 * balanced (1) is the model as before, to the bit; above 1 the busiest rank's expert
 * GEMMs, its all-to-all share and its expert activations grow with it, in both engines;
 * with ep 1 it changes nothing; out of range it is refused naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/sim.h"

#include <math.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* Mixtral 8x7B on 64 H100, ep 8, the expert all-to-all not overlapped; imb NULL: not given */
static void run(const char *imb, const char *ep, int sim, aif_train_result *r)
{
    aif_override ov[] = {{"model", "mixtral-8x7b", "o"}, {"cluster.system", "dgx-h100", "o"},
                         {"cluster.gpus", "64", "o"}, {"train.tp", "1", "o"}, {"train.pp", "4", "o"},
                         {"train.ep", ep, "o"}, {"train.mbs", "1", "o"}, {"train.gbs", "64", "o"},
                         {"train.seq", "4096", "o"}, {"train.ep_overlap", "false", "o"},
                         {"train.ep_imbalance", imb, "o"}};
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, "", 0, "t", ov, imb ? 11 : 10, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    aif_rc rc = sim ? aif_simulate(&s, NULL, r, NULL, &e) : aif_estimate(&s, r, &e);
    if (rc != AIF_OK)
        fail_msg("%s", e.msg);
}

static void test_balanced_is_as_before(void **state)
{
    (void)state;
    aif_train_result a, b;
    run(NULL, "8", 0, &a);
    run("1", "8", 0, &b);
    assert_true(a.step_time_s == b.step_time_s);
    assert_true(a.mem.total_bytes == b.mem.total_bytes);
}

static void test_imbalance_slows(void **state)
{
    (void)state;
    aif_train_result a, b, sa, sb;
    run("1", "8", 0, &a);
    run("1.5", "8", 0, &b);
    assert_true(b.step_time_s > 1.1 * a.step_time_s);
    double ep = b.bd.ep_comm_s / a.bd.ep_comm_s;   /* the all-to-all waits for the busiest receiver */
    if (!(ep > 1.3 && ep <= 1.5 + 1e-9))
        fail_msg("expert all-to-all %.4f s -> %.4f s: x%.3f, expected about 1.5", a.bd.ep_comm_s, b.bd.ep_comm_s, ep);
    assert_true(b.bd.compute_s > 1.1 * a.bd.compute_s);   /* its expert GEMMs */
    assert_true(b.mem.total_bytes > a.mem.total_bytes);   /* its expert activations */
    /* the simulating engine runs the same graph: the same slowdown within 5% */
    run("1", "8", 1, &sa);
    run("1.5", "8", 1, &sb);
    double re = b.step_time_s / a.step_time_s, rs = sb.step_time_s / sa.step_time_s;
    if (fabs(re / rs - 1) > 0.05)
        fail_msg("slowdown: estimate x%.3f, simulation x%.3f", re, rs);
}

static void test_no_ep_no_effect(void **state)
{
    (void)state;
    aif_train_result a, b;
    run("1", "1", 0, &a);
    run("2", "1", 0, &b);
    assert_true(a.step_time_s == b.step_time_s);
}

static void test_refused(void **state)
{
    (void)state;
    aif_override ov[] = {{"train.ep_imbalance", "0.5", "--set"}};
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", ov, 1, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.ep_imbalance");
    assert_non_null(strstr(e.msg, "accepted: 1 to 64"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced_is_as_before), cmocka_unit_test(test_imbalance_slows),
        cmocka_unit_test(test_no_ep_no_effect), cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
