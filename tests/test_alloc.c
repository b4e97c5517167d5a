/* test_alloc.c -- a job is not its cluster (aif_alloc, train.gpus and
 * train.first_node):
 *  - by default a job holds the whole cluster: naming all of it changes nothing;
 *  - a job on part of a cluster gets the same estimate as the same job alone on a
 *    cluster of its size;
 *  - the simulator places the job on its GPUs: packed under one leaf it runs as
 *    alone on its own cluster; spread over two leaves of an oversubscribed
 *    fabric its data-parallel traffic crosses the spine and the step is longer;
 *  - the pipeline charges a job on part of a cluster its share of the site and
 *    money: the same figures as the job alone on a cluster of its size;
 *  - an allocation off the cluster is an input error naming the field. */
#include "aifsim/run.h"
#include "aifsim/sim.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

static aif_rc scen(aif_scenario *s, aif_err *e, const char *fmt, ...)
{
    char y[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(y, sizeof y, fmt, ap);
    va_end(ap);
    return aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, s, e);
}

/* 16 nodes of 8 H100 on a fat-tree whose leaves hold 7.5 nodes and have 4 uplinks
 * for 60 NIC ports; a 2-node job (tp 8, dp 2).  ECMP: its collisions on the 4 uplinks
 * expose the spread job's gradient reduction (InfiniBand's own adaptive routing, the
 * fabric's default, halves its rate and the backward still hides it). */
#define NET "network: {topology: fat-tree, oversubscription: 16, routing: ecmp}"
#define JOB "model: llama3-8b\ntrain: {tp: 8, gbs: 16%s}\n"

static void test_default_is_whole_cluster(void **state)
{
    (void)state;
    aif_scenario a, b;
    aif_err e;
    aif_train_result ra, rb;
    assert_int_equal(scen(&a, &e, "cluster: {system: dgx-h100, gpus: 16, " NET "}\n" JOB, ""), AIF_OK);
    assert_int_equal(scen(&b, &e, "cluster: {system: dgx-h100, gpus: 16, " NET "}\n" JOB, ", gpus: 16, first_node: 0"),
                     AIF_OK);
    assert_int_equal(a.train.alloc.gpus, 0);
    assert_int_equal(aif_alloc_gpus(&a), 16);
    assert_int_equal(aif_estimate(&a, &ra, &e), AIF_OK);
    assert_int_equal(aif_estimate(&b, &rb, &e), AIF_OK);
    assert_true(ra.step_time_s == rb.step_time_s);
    assert_int_equal(aif_simulate(&a, NULL, &ra, NULL, &e), AIF_OK);
    assert_int_equal(aif_simulate(&b, NULL, &rb, NULL, &e), AIF_OK);
    assert_true(ra.step_time_s == rb.step_time_s);
}

static void test_part_estimates_as_alone(void **state)
{
    (void)state;
    aif_scenario part, alone;
    aif_err e;
    aif_train_result rp, ra;
    assert_int_equal(scen(&part, &e, "cluster: {system: dgx-h100, gpus: 128}\n" JOB, ", gpus: 16, first_node: 6"),
                     AIF_OK);
    assert_int_equal(scen(&alone, &e, "cluster: {system: dgx-h100, gpus: 16}\n" JOB, ""), AIF_OK);
    assert_int_equal(part.train.par.dp, 2);   /* the default dp fills the job, not the cluster */
    assert_int_equal(aif_estimate(&part, &rp, &e), AIF_OK);
    assert_int_equal(aif_estimate(&alone, &ra, &e), AIF_OK);
    assert_true(rp.step_time_s == ra.step_time_s);
    assert_true(rp.tokens_per_s_per_gpu == ra.tokens_per_s_per_gpu);
    assert_true(rp.mfu == ra.mfu);
    assert_true(rp.mem.total_bytes == ra.mem.total_bytes);
}

static void test_part_pays_its_share(void **state)
{
    (void)state;
    static aif_scenario part, alone;
    static aif_train_run rp, ra;
    aif_err e;
    assert_int_equal(scen(&part, &e, "cluster: {system: dgx-h100, gpus: 128}\n" JOB, ", gpus: 16, first_node: 6, tokens: 1T"),
                     AIF_OK);
    assert_int_equal(scen(&alone, &e, "cluster: {system: dgx-h100, gpus: 16}\n" JOB, ", tokens: 1T"), AIF_OK);
    assert_int_equal(aif_run_train(cat, &part, NULL, &rp, &e), AIF_OK);
    assert_int_equal(aif_run_train(cat, &alone, NULL, &ra, &e), AIF_OK);
    assert_int_equal(rp.scenario.cluster.gpus, 128);   /* the run keeps the cluster it was given */
    assert_int_equal(rp.facility.nodes, 2);
    assert_int_equal(rp.facility.racks, ra.facility.racks);
    assert_true(rp.facility.it_avg_W == ra.facility.it_avg_W);
    assert_true(rp.facility.energy_J == ra.facility.energy_J);
    assert_true(rp.facility.co2_kg == ra.facility.co2_kg);
    assert_true(rp.cost.capex_usd == ra.cost.capex_usd);
    assert_true(rp.cost.owned_usd == ra.cost.owned_usd);
    assert_true(rp.cost.cloud_usd == ra.cost.cloud_usd);
    /* renting is GPU-hours of the job's GPUs only */
    assert_true(fabs(rp.cost.cloud_usd - rp.train.gpu_hours * rp.cost.cloud_usd_per_gpu_hour) <= 1e-9 * rp.cost.cloud_usd);
}

static void test_sim_places_the_job(void **state)
{
    (void)state;
    aif_scenario packed, spread, alone;
    aif_err e;
    aif_train_result rp, rs, ra;
    aif_sim_stats st;
    assert_int_equal(scen(&alone, &e, "cluster: {system: dgx-h100, gpus: 16, " NET "}\n" JOB, ""), AIF_OK);
    assert_int_equal(scen(&packed, &e, "cluster: {system: dgx-h100, gpus: 128, " NET "}\n" JOB,
                          ", gpus: 16, first_node: 0"), AIF_OK);
    assert_int_equal(scen(&spread, &e, "cluster: {system: dgx-h100, gpus: 128, " NET "}\n" JOB,
                          ", gpus: 16, first_node: 6"), AIF_OK);   /* nodes 6 and 7: leaves 0 and 1 */
    assert_int_equal(aif_simulate(&alone, NULL, &ra, NULL, &e), AIF_OK);
    assert_int_equal(aif_simulate(&packed, NULL, &rp, &st, &e), AIF_OK);
    assert_int_equal(st.topo.gpus, 128);   /* the network is the whole cluster's */
    assert_int_equal(aif_simulate(&spread, NULL, &rs, &st, &e), AIF_OK);
    assert_true(st.tier_bytes[AIF_TIER_LEAF] > 0);   /* spread: traffic crosses the spine */
    if (!(rp.step_time_s == ra.step_time_s))
        fail_msg("packed %.9g s vs alone %.9g s", rp.step_time_s, ra.step_time_s);
    if (!(rs.step_time_s > rp.step_time_s * 1.05))
        fail_msg("spread %.4f s vs packed %.4f s", rs.step_time_s, rp.step_time_s);
}

static void test_allocation_errors(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(scen(&s, &e, "cluster: {system: dgx-h100, gpus: 128}\n" JOB, ", gpus: 16, first_node: 15"),
                     AIF_EINPUT);
    assert_string_equal(e.path, "train.first_node");
    assert_int_equal(scen(&s, &e, "cluster: {system: dgx-h100, gpus: 16}\n" JOB, ", gpus: 32"), AIF_EINPUT);
    assert_string_equal(e.path, "train.gpus");
    assert_int_equal(scen(&s, &e, "cluster: {system: dgx-h100, gpus: 128}\n" JOB, ", gpus: 16, dp: 4"), AIF_EINPUT);
    assert_string_equal(e.path, "train.dp");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_is_whole_cluster),
        cmocka_unit_test(test_part_estimates_as_alone),
        cmocka_unit_test(test_part_pays_its_share),
        cmocka_unit_test(test_sim_places_the_job),
        cmocka_unit_test(test_allocation_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
