/* test_agreement.c -- the two engines agree over the published rows.
 *
 * Every row of validation/train.csv runs through aif_estimate and aif_simulate;
 * where nothing contends they model the same step, so their step times must stay
 * within the bound docs/VALIDATION.md states (median 0.2%, as measured): asserted
 * here as 5% on every row, and median <= 1%.  Six rows of one microbatch a step had been
 * held apart, each at its own bound (MLPerf's Llama 3.1 8B on 512 and 1,024 Blackwell
 * GPUs, 9-10% apart, and gpt-oss-20b on 512 GB300, 39%, and on 128 H100, 7.6%): with
 * Megatron-Core's default bucket, dozens of buckets behind one backward, the estimate's
 * closed form leaves more of the reduction exposed than the simulator, which starts each
 * bucket's reduction as its gradients are ready (and runs a MoE's dense and expert
 * buckets at once, where the estimate serves them on one stream).  With the
 * bucket their configurations set (column dp_bucket, 768M parameters) the two agree
 * within 4% on each.  The 405B runs on 2,560 and
 * 5,120 GB200, once past 5% by ECMP collisions on their cross-rack pipeline sends, agree
 * since their InfiniBand routes adaptively (the fabric's own routing, data/fabrics.yaml)
 * and their pipelines sit in one rack (train.rank_order tp-cp-pp-dp, as MLPerf's
 * TP_PP_DP_MAPPING).  Any row past 5% fails (docs/VALIDATION.md, the simulating
 * engine).
 *
 * No row is held to a bound of its own: the two TPU v5p rows once held to 10% (TP16
 * over a 512-chip ICI torus, the estimate giving the group every link of its chips,
 * the simulator a ring over two) agree since the estimate rings a group inside a
 * torus over two links too (src/net/collective.c).  A tensor-parallel group inside a
 * torus is checked on its own below (test_torus_group).
 *
 * Pure data parallelism at scale (llama3-8b, TP1 PP1, 1K .. 64K GPUs, adaptive
 * routing so that nothing contends): the same 5% bound.  Each gradient bucket is a
 * ring collective over every replica whose latency grows with the GPU count; both
 * engines make the buckets Megatron-LM makes (at least max(40M, 1M x dp)
 * parameters) and pay each bucket's latency, so they agree where they once
 * differed tenfold (one latency per layer in the simulator, one per step in the
 * estimate, and the last bucket's reduction taken as hidden).
 *
 * Hybrid sharding (train.dp_shard) on four jobs: the same 5% bound without pipelining,
 * 10% with it (test_hsdp says why).
 *
 * Activation offload (train.offload): the analytical engine's copy-stream recurrence
 * (workload/offload.h) against the simulator's copy stream on its own clock, on a
 * GB200 NVL72 (NVLink-C2C) and an H100 (PCIe Gen5) job, dp_overlap on (the simulator's
 * layers then run beside the parameter gathers, the estimate's not), a few layers and
 * most of them offloaded, and a MoE job: the same 5% bound, and the exposed copy time
 * within 10%. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "engine/estimate.h"
#include "aifsim/sim.h"
#include "aifsim/validate.h"
#include "aifsim/collective.h"
#include "aifsim/names.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DIFF 0.05     /* every row, and the jobs below, uncontended */
#define MEDIAN_DIFF 0.01  /* median of the same */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_engines_agree(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    size_t len;
    const char *csv = aif_builtin_validation_csv(&len);
    aif_validation est, sim;
    assert_int_equal(aif_validate_csv(cat, csv, len, "train.csv", &est, &e), AIF_OK);
    assert_int_equal(aif_validate_csv_sim(cat, csv, len, "train.csv", &sim, &e), AIF_OK);
    assert_int_equal(est.n, sim.n);
    assert_true(est.n >= 80);
    double *d = malloc(sizeof *d * (size_t)est.n);
    assert_non_null(d);
    int worst = 0, past = 0;
    for (int i = 0; i < est.n; i++) {
        assert_string_equal(est.rows[i].id, sim.rows[i].id);
        double te = est.rows[i].r.step_time_s, ts = sim.rows[i].r.step_time_s;
        assert_true(te > 0 && ts > 0);
        d[i] = fabs(te / ts - 1);   /* relative to the simulated time, as docs/VALIDATION.md */
        if (d[i] > MAX_DIFF) {
            printf("past %.0f%%: %s %.2f%%\n", 100 * MAX_DIFF, est.rows[i].id, 100 * d[i]);
            past++;
        }
        if (d[i] > d[worst])
            worst = i;
    }
    double max = d[worst];
    const char *worst_id = est.rows[worst].id;
    qsort(d, (size_t)est.n, sizeof *d, cmp_double);
    double median = est.n % 2 ? d[est.n / 2] : (d[est.n / 2 - 1] + d[est.n / 2]) / 2;
    printf("engines over %d rows: max %.2f%% (%s), median %.2f%%\n", est.n, 100 * max, worst_id, 100 * median);
    if (past)
        fail_msg("%d rows past %.0f%%, the worst %s: the engines differ by %.2f%%", past, 100 * MAX_DIFF, worst_id,
                 100 * max);
    if (median > MEDIAN_DIFF)
        fail_msg("median difference %.2f%% (bound %.0f%%)", 100 * median, 100 * MEDIAN_DIFF);
    free(d);
    aif_validation_free(&est);
    aif_validation_free(&sim);
    aif_catalog_free(cat);
}

/* A job written as YAML through both engines: their results and |estimate / sim - 1|. */
static double both_engines(aif_catalog *cat, const char *yaml, aif_train_result *re, aif_train_result *rs)
{
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "job", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("scenario: %s: %s", e.path, e.msg);
    assert_int_equal(aif_estimate(&s, re, &e), AIF_OK);
    assert_int_equal(aif_simulate(&s, NULL, rs, NULL, &e), AIF_OK);
    return fabs(re->step_time_s / rs->step_time_s - 1);
}

static void test_pure_dp_scaling(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    for (int n = 1024; n <= 65536; n *= 2) {
        char y[512];
        snprintf(y, sizeof y,
                 "cluster: {system: dgx-h100, gpus: %d, network: {routing: adaptive}}\nmodel: llama3-8b\n"
                 "train: {tp: 1, pp: 1, mbs: 1, gbs: %d, seq: 4096}\n", n, n);
        aif_train_result re, rs;
        double d = both_engines(cat, y, &re, &rs);
        printf("pure data parallelism on %d GPUs: estimate %.4f s, simulated %.4f s (%.2f%%)\n", n, re.step_time_s,
               rs.step_time_s, 100 * d);
        if (d > MAX_DIFF)
            fail_msg("%d GPUs: estimate %.4f s, simulated %.4f s (bound %.0f%%)", n, re.step_time_s, rs.step_time_s,
                     100 * MAX_DIFF);
    }
    aif_catalog_free(cat);
}

/* Hybrid sharding (train.dp_shard): the shards' gathers and reduce-scatters inside a
 * node, the replicate all-reduce of each layer's gradient shard across nodes, beside the
 * backward.  Without pipelining (FSDP gathering every layer; with cp) the 5% bound.  With
 * pipelining the gradients are reduce-scattered per microbatch (zero2, and zero3 with pp),
 * where the engines differ already without hybrid sharding (llama3-70b below: 1.7%,
 * mixtral 2.3%): the estimate runs a segment's background collectives one after another
 * on one comm stream, the simulator each group's on its own stream, so that the
 * replicate all-reduce runs beside the reduce-scatter it follows in FSDP2 (mixtral 8.9%, measured,
 * 6.3% before NCCL's ring pass loss slowed its 4-GPU reduce-scatter by 13%; sharded over all of
 * dp instead: 2.7%).  Those jobs are held to 10%, and to at most 6.5 points more than the same job
 * sharded over all of dp. */
static void test_hsdp(void **state)
{
    (void)state;
    static const struct { const char *yaml; double bound; } jobs[] = {
        {"cluster: {system: dgx-h100, gpus: 128}\nmodel: llama3-8b\n"
         "train: {tp: 1, pp: 1, mbs: 1, gbs: 256, seq: 8192, optimizer: fsdp, dp_shard: 8, framework: torchtitan}\n",
         MAX_DIFF},
        {"cluster: {system: dgx-h100, gpus: 128}\nmodel: llama3-8b\n"
         "train: {tp: 1, pp: 1, cp: 2, mbs: 1, gbs: 64, seq: 16384, optimizer: fsdp, dp_shard: 8}\n", MAX_DIFF},
        {"cluster: {system: dgx-h100, gpus: 256}\nmodel: llama3-70b\n"
         "train: {tp: 8, pp: 4, mbs: 1, gbs: 256, seq: 8192, optimizer: zero3, dp_shard: 2}\n", 0.10},
        {"cluster: {system: dgx-h100, gpus: 128}\nmodel: mixtral-8x7b\n"
         "train: {tp: 2, pp: 2, ep: 4, mbs: 1, gbs: 128, seq: 4096, optimizer: zero2, dp_shard: 4}\n", 0.10},
    };
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        double d[2];
        for (int full = 0; full < 2; full++) {   /* as written, then sharded over all of dp */
            aif_scenario s;
            if (aif_scenario_parse(cat, jobs[i].yaml, strlen(jobs[i].yaml), "test", NULL, 0, &s, &e) != AIF_OK)
                fail_msg("scenario %zu: %s: %s", i, e.path, e.msg);
            assert_true(s.train.par.dp_shard > 0 && s.train.par.dp_shard < s.train.par.dp);
            if (full)
                s.train.par.dp_shard = 0;
            aif_train_result re, rs;
            assert_int_equal(aif_estimate(&s, &re, &e), AIF_OK);
            assert_int_equal(aif_simulate(&s, NULL, &rs, NULL, &e), AIF_OK);
            d[full] = fabs(re.step_time_s / rs.step_time_s - 1);
            printf("%s %zu: estimate %.4f s, simulated %.4f s (%.2f%%)\n", full ? "sharded over dp" : "hybrid sharding",
                   i, re.step_time_s, rs.step_time_s, 100 * d[full]);
        }
        if (d[0] > jobs[i].bound)
            fail_msg("job %zu: the engines differ by %.2f%% (bound %.0f%%)", i, 100 * d[0], 100 * jobs[i].bound);
        if (jobs[i].bound > MAX_DIFF && d[0] > d[1] + 0.065)
            fail_msg("job %zu: the engines differ by %.2f%%, %.2f%% sharded over all of dp", i, 100 * d[0], 100 * d[1]);
    }
    aif_catalog_free(cat);
}

/* Rank orders (train.rank_order): Llama 3 70B at TP4 PP8 on 512 GB200 (eight NVL72 racks of 64
 * GPUs), where the order decides what shares a rack: Megatron-Core's default keeps a stage's
 * ranks together (its data-parallel peers in the rack, the pipeline across racks),
 * tp-cp-pp-dp a replica's (its pipeline in the rack, the peers across).  Both engines within
 * the 5% bound in every order; and in both, tp-cp-pp-dp moves the pipeline's sends onto
 * NVLink (less of them exposed) and the gradient reduction onto the NICs (more). */
static void test_rank_order_agree(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    aif_train_result r[AIF_N_RANK_ORDER][2];
    for (int o = 0; o < AIF_N_RANK_ORDER; o++) {
        char y[512];
        snprintf(y, sizeof y,
                 "cluster: {system: gb200-nvl72, gpus: 512, scaleup_domain: 64}\nmodel: llama3-70b\n"
                 "train: {tp: 4, pp: 8, cp: 2, mbs: 1, gbs: 64, seq: 8192, rank_order: %s}\n", aif_rank_order_names[o]);
        double d = both_engines(cat, y, &r[o][0], &r[o][1]);
        printf("rank order %s: estimate %.4f s, simulated %.4f s (%.2f%%)\n", aif_rank_order_names[o],
               r[o][0].step_time_s, r[o][1].step_time_s, 100 * d);
        if (d > MAX_DIFF)
            fail_msg("rank order %s: the engines differ by %.2f%%", aif_rank_order_names[o], 100 * d);
    }
    for (int k = 0; k < 2; k++) {   /* estimate, simulator */
        const aif_train_result *def = &r[AIF_ORDER_TP_CP_DP_PP][k], *rep = &r[AIF_ORDER_TP_CP_PP_DP][k];
        if (!(rep->bd.pp_comm_s < def->bd.pp_comm_s && rep->bd.dp_comm_s > def->bd.dp_comm_s))
            fail_msg("%s: pipeline %.4f -> %.4f s, gradients %.4f -> %.4f s", k ? "simulated" : "estimate",
                     def->bd.pp_comm_s, rep->bd.pp_comm_s, def->bd.dp_comm_s, rep->bd.dp_comm_s);
    }
    /* without pipelining every order places the ranks as the default does, and gives its step to
     * the bit, also where a group's stride does not divide the domain (TP16 on 72-GPU racks) */
    aif_train_result flat[2][2];
    for (int o = 0; o < 2; o++) {
        char y[512];
        snprintf(y, sizeof y,
                 "cluster: {system: gb200-nvl72, gpus: 144}\nmodel: llama3-70b\n"
                 "train: {tp: 16, pp: 1, mbs: 1, gbs: 288, seq: 8192, rank_order: %s}\n",
                 aif_rank_order_names[o ? AIF_ORDER_TP_CP_PP_DP : AIF_ORDER_TP_CP_DP_PP]);
        both_engines(cat, y, &flat[o][0], &flat[o][1]);
    }
    for (int k = 0; k < 2; k++)
        if (flat[1][k].step_time_s != flat[0][k].step_time_s)
            fail_msg("pp 1, %s: tp-cp-pp-dp %.9g s against the default's %.9g s", k ? "simulated" : "estimate",
                     flat[1][k].step_time_s, flat[0][k].step_time_s);
    aif_catalog_free(cat);
}

/* The invariant both engines assert: true on their results, false once a part moves. */
static void test_offload_agree(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    static const struct { const char *yaml; double min_exposed_s; } jobs[] = {
        {"cluster: {system: gb200-nvl72, gpus: 8}\nmodel: llama3-8b\n"
         "train: {tp: 2, pp: 1, mbs: 1, gbs: 16, seq: 16384, offload: activations, offload_layers: 24}\n", 0},
        {"cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
         "train: {tp: 1, pp: 1, mbs: 1, gbs: 16, seq: 8192, offload: activations, offload_layers: 8}\n", 0},
        {"cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
         "train: {tp: 1, pp: 1, mbs: 1, gbs: 16, seq: 8192, offload: activations, offload_layers: 28}\n", 0.1},
        /* MoE layers (their own copy size); dp_overlap off: at gbs 16 the engines' data-parallel
         * tails differ by 8% on this job with no offload at all */
        {"cluster: {system: dgx-h100, gpus: 16}\nmodel: mixtral-8x7b\n"
         "train: {tp: 2, pp: 1, ep: 8, mbs: 1, gbs: 64, seq: 4096, dp_overlap: false, offload: activations, "
         "offload_layers: 16}\n", 0.1},
    };
    for (size_t i = 0; i < sizeof jobs / sizeof jobs[0]; i++) {
        aif_train_result re, rs;
        double d = both_engines(cat, jobs[i].yaml, &re, &rs);
        printf("offload %zu: estimate %.4f s (exposed %.4f), sim %.4f s (exposed %.4f)\n", i, re.step_time_s,
               re.bd.offload_s, rs.step_time_s, rs.bd.offload_s);
        if (d > MAX_DIFF)
            fail_msg("offload job %zu: the engines differ by %.2f%%", i, 100 * d);
        assert_true(re.bd.offload_s >= jobs[i].min_exposed_s);
        if (re.bd.offload_s > 0.01 * re.step_time_s &&
            fabs(re.bd.offload_s / rs.bd.offload_s - 1) > 0.10)
            fail_msg("offload job %zu: exposed %.4f s estimated, %.4f s simulated", i, re.bd.offload_s, rs.bd.offload_s);
    }
    aif_catalog_free(cat);
}

/* A group inside a torus (no switch) rings over the two links to its neighbours: a TPU v5p
 * slice's 8 chips along one axis of its 8 x 8 x 8 torus all-gather a gigabyte in about three
 * times what the same 8 chips take as a whole torus of their own (every link of a chip,
 * 2 x 3); a job's TP8 over that axis exposes the same time in both engines (the axis wraps
 * round, so the simulated ring shares no link). */
static aif_scenario torus_job(aif_catalog *cat, int gpus, int tp)
{
    char y[256];
    snprintf(y, sizeof y,
             "cluster: {system: tpu-v5p-1024, gpus: %d}\nmodel: llama3-8b\n"
             "train: {tp: %d, pp: 1, mbs: 1, gbs: %d, seq: 4096, tp_overlap: false}\n", gpus, tp, gpus / tp);
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, y, strlen(y), "torus", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    return s;
}

static void test_torus_group(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    aif_scenario slice = torus_job(cat, 512, 8), own = torus_job(cat, 8, 8);
    double sub = aif_collective_time_s(&slice.cluster, AIF_COLL_ALLGATHER, 8, 1 << 30, AIF_ALGO_AUTO, NULL);
    double whole = aif_collective_time_s(&own.cluster, AIF_COLL_ALLGATHER, 8, 1 << 30, AIF_ALGO_AUTO, NULL);
    printf("all-gather of 1 GiB over 8 chips: %.3f ms inside a 512-chip torus, %.3f ms as their own\n", 1e3 * sub,
           1e3 * whole);
    assert_true(sub > 2.9 * whole && sub < 3.0 * whole);
    aif_train_result re, rs;
    assert_int_equal(aif_estimate(&slice, &re, &e), AIF_OK);
    assert_int_equal(aif_simulate(&slice, NULL, &rs, NULL, &e), AIF_OK);
    printf("TP8 inside the torus: TP communication %.4f s estimated, %.4f s simulated\n", re.bd.tp_comm_s,
           rs.bd.tp_comm_s);
    assert_true(re.bd.tp_comm_s > 0.2 * re.step_time_s);   /* exposed: the check means something */
    if (fabs(re.bd.tp_comm_s / rs.bd.tp_comm_s - 1) > MAX_DIFF)
        fail_msg("TP communication %.4f s estimated, %.4f s simulated", re.bd.tp_comm_s, rs.bd.tp_comm_s);
    aif_catalog_free(cat);
}

/* A GEMM beside its TP collective and a background FSDP gather or reduce-scatter pays the
 * slowdown of each in both engines, and a background collective slows only what of an op
 * its stream would still run: this job was 4.8% apart (2.0% now) when the simulator counted the TP
 * collective alone (docs/VALIDATION.md, The simulating engine). */
static void test_two_collectives(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    const char *y = "cluster: {system: hgx-b200, gpus: 128}\nmodel: llama3-8b\n"
                    "train: {tp: 2, pp: 1, mbs: 1, gbs: 1024, seq: 8192, precision: fp8, optimizer: fsdp}\n";
    aif_train_result re, rs;
    double d = both_engines(cat, y, &re, &rs);
    printf("TP2 x FSDP on 128 B200s: estimate %.4f s, simulated %.4f s (%.2f%%)\n", re.step_time_s, rs.step_time_s,
           100 * d);
    assert_true(rs.bd.dp_comm_s > 0.1 * (rs.step_time_s - rs.bd.compute_s));   /* the slowdown is there */
    if (d > 0.03)
        fail_msg("the engines differ by %.2f%% (bound 3%%)", 100 * d);
    aif_catalog_free(cat);
}

static void test_breakdown_check(void **state)
{
    (void)state;
    aif_catalog *cat;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&cat, &e), AIF_OK);
    aif_scenario s;
    assert_int_equal(aif_scenario_load(cat, NULL, NULL, 0, &s, &e), AIF_OK);
    aif_train_result r;
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    assert_true(aif_breakdown_check(&r));
    aif_train_result bad = r;
    bad.bd.tp_comm_s += 1e-3 * r.step_time_s;
    assert_false(aif_breakdown_check(&bad));
    bad = r;
    bad.bd.recompute_s = 2 * r.bd.compute_s + 1;
    assert_false(aif_breakdown_check(&bad));
    assert_int_equal(aif_scenario_load(cat, "llama3-8b-8gpu", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_simulate(&s, NULL, &r, NULL, &e), AIF_OK);
    assert_true(aif_breakdown_check(&r));
    aif_catalog_free(cat);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_breakdown_check), cmocka_unit_test(test_engines_agree),
                                       cmocka_unit_test(test_pure_dp_scaling), cmocka_unit_test(test_hsdp),
                                       cmocka_unit_test(test_offload_agree), cmocka_unit_test(test_torus_group),
                                       cmocka_unit_test(test_two_collectives),
                                       cmocka_unit_test(test_rank_order_agree)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
