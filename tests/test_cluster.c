/* test_cluster.c -- the many-job cluster (aifsim cluster, src/ops/csim.c):
 *  - conservation: under every policy and placement, with failures, stragglers,
 *    hot spares and a curtailment, the invariant checker runs after every event
 *    (no GPU held twice, free counts per node and leaf equal a recount, every job
 *    waiting, running, paused or ended) and every job ends exactly once;
 *  - EASY backfill never starts the head job later than the reservation it was
 *    given, while later jobs do jump ahead of it;
 *  - the same seed gives the same result, another seed another;
 *  - SJF ahead of FIFO on mean JCT on generated loads;
 *  - checkpointing at the Young/Daly interval gives a higher ETTR than half and
 *    double that interval (averaged over seeds);
 *  - a failure stops every job touching the failed node;
 *  - a placement across leaves of an oversubscribed fabric slows a job by the
 *    share of the leaves' uplinks it gets: jobs spread over the same leaves slow
 *    each other, packed ones do not; the flow-level (max-min) sharing agrees with the
 *    closed form where that is exact and gives more to a job not held by the shared
 *    uplink where it is not;
 *  - the default job over 54 days against the Llama 3 paper (419 unexpected
 *    interruptions by cause, ETTR above 90%), its power dipping at restarts and
 *    checkpoints; other clusters' published failure counts (OPT, BLOOM) and mean
 *    time to failure by job size (Meta's RSC clusters), each in its stated band;
 *  - a curtailment window (pause, throttle) slips jobs and names them; a cap above
 *    the peak slips none;
 *  - per-tenant terms: a reserved tenant starts at once while another floods the
 *    cluster (and waits without the reservation), quotas hold, weights split fair share;
 *  - elastic jobs: start on what is free, grow when a job ends, shrink instead of
 *    being preempted, a makespan no longer than the rigid run on generated loads; an
 *    elastic training job's rate at a size is the training model's there;
 *  - SRTF and LAS preempt on a full cluster;
 *  - the synthetic generator; the operations section's errors. */
#include "aifsim/cluster.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "ops/csim.h"
#include "ops/jobs.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* nodes of 8 GPUs, 4 nodes per leaf, 16 per pod */
static aif_csim_topo topo(int nodes)
{
    aif_csim_topo t = {.gpus = nodes * 8, .gpn = 8, .nodes = nodes, .nics_per_node = 8, .domain_nodes = 1,
                       .leaf_nodes = 4 < nodes ? 4 : nodes, .pod_nodes = 16 < nodes ? 16 : nodes,
                       .leaf_ratio = 2, .pod_ratio = 4};
    return t;
}

static aif_ops quiet_ops(void)
{
    aif_ops o;
    aif_ops_defaults(&o);
    o.failures = false;
    o.ckpt_bytes_per_gpu = 0;
    return o;
}

static bool closed_form;   /* run(): share the uplinks by the closed form, not the flow-level solver */

static aif_rc run(const aif_ops *o, aif_csim_topo t, const aif_job_list *jl, aif_cluster_result *r, double *start,
                  double *end, double *resv)
{
    aif_err e;
    aif_csim_in in = {.ops = o, .topo = t, .jobs = jl, .check = true, .start_s = start, .end_s = end,
                      .reserved_s = resv, .idle_W = 1e6, .busy_gpu_W = 1000, .links_closed_form = closed_form};
    aif_rc rc = aif_csim_run(&in, r, &e);
    if (rc)
        fprintf(stderr, "aif_csim_run: %s\n", e.msg);
    return rc;
}

static void synth(aif_job_list *jl, int jobs, double rate_per_h, int max_gpus, unsigned long long seed)
{
    aif_err e;
    aif_synth_spec sp = {jobs, rate_per_h, max_gpus, 0.7, 1800, 1.0, 4, seed, 0};
    assert_int_equal(aif_jobs_synth(&sp, jl, &e), AIF_OK);
}

static void test_conservation(void **st)
{
    (void)st;
    aif_job_list jl;
    synth(&jl, 300, 120, 64, 7);
    double *end = malloc(sizeof *end * (size_t)jl.n), *start = malloc(sizeof *start * (size_t)jl.n);
    assert_non_null(end);
    assert_non_null(start);
    for (int pol = 0; pol < AIF_N_POLICY; pol++)
        for (int pl = 0; pl < AIF_N_PLACEMENT; pl++) {
            aif_ops o;
            aif_ops_defaults(&o);
            o.policy = pol;
            o.placement = pl;
            o.las_threshold_s = 600;
            for (int c = 0; c < AIF_N_FAIL; c++)
                o.fail_per_day[c] *= 200;   /* many failures in a small cluster */
            o.repair_s[AIF_FAIL_HOST] = 3600;
            o.spare_nodes = 1;
            o.straggler_per_day = 0.01;
            o.curtail_start_s = 7200;
            o.curtail_duration_s = 3600;
            o.curtail_cap_W = 1e6 + 64 * 1000;
            o.curtail_mode = pl % 2 ? AIF_CURTAIL_THROTTLE : AIF_CURTAIL_PAUSE;
            aif_cluster_result r;
            assert_int_equal(run(&o, topo(32), &jl, &r, start, end, NULL), AIF_OK);
            assert_int_equal(r.jobs_ended, jl.n);
            for (int j = 0; j < jl.n; j++) {
                assert_true(start[j] >= jl.jobs[j].submit_s);
                assert_true(end[j] >= start[j] + jl.jobs[j].duration_s * (1 - 1e-9));
            }
            assert_true(r.interruptions > 0);
            assert_true(r.gpu_utilization > 0 && r.gpu_utilization <= 1 + 1e-9);
            if (pol == AIF_POLICY_SRTF || pol == AIF_POLICY_LAS)
                assert_true(r.preemptions > 0);
        }
    free(end);
    free(start);
    aif_job_list_free(&jl);
}

/* whole-node jobs (1, 2 or 4 nodes) on 16 nodes, FIFO-equal priorities: each head's
 * start is at or before the reservation it got when it first blocked */
static void test_backfill_reservation(void **st)
{
    (void)st;
    aif_job_list jl;
    synth(&jl, 400, 60, 32, 3);
    for (int j = 0; j < jl.n; j++) {
        int g = jl.jobs[j].gpus;
        jl.jobs[j].gpus = jl.jobs[j].min_gpus = jl.jobs[j].max_gpus = g < 8 ? 8 : g;
    }
    double *start = malloc(sizeof *start * (size_t)jl.n), *resv = malloc(sizeof *resv * (size_t)jl.n);
    assert_non_null(start);
    assert_non_null(resv);
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_BACKFILL;
    aif_cluster_result r;
    assert_int_equal(run(&o, topo(16), &jl, &r, start, NULL, resv), AIF_OK);
    int reserved = 0, jumped = 0;
    for (int j = 0; j < jl.n; j++) {
        if (resv[j] >= 0 && isfinite(resv[j])) {
            reserved++;
            assert_true(start[j] <= resv[j] + 1e-6);
        }
        if (j > 0 && start[j] < start[j - 1])
            jumped++;
    }
    assert_true(reserved > 20);   /* the load is heavy enough to block heads */
    assert_true(jumped > 20);     /* and backfill did start later jobs first */
    free(start);
    free(resv);
    aif_job_list_free(&jl);
}

static void test_determinism(void **st)
{
    (void)st;
    aif_job_list jl;
    synth(&jl, 200, 100, 32, 11);
    aif_ops o;
    aif_ops_defaults(&o);
    for (int c = 0; c < AIF_N_FAIL; c++)
        o.fail_per_day[c] *= 100;
    static aif_cluster_result a, b, c;
    assert_int_equal(run(&o, topo(16), &jl, &a, NULL, NULL, NULL), AIF_OK);
    assert_int_equal(run(&o, topo(16), &jl, &b, NULL, NULL, NULL), AIF_OK);
    assert_memory_equal(&a, &b, sizeof a);
    o.seed = 2;
    assert_int_equal(run(&o, topo(16), &jl, &c, NULL, NULL, NULL), AIF_OK);
    assert_true(a.failures != c.failures || a.jct_mean_s != c.jct_mean_s);
    aif_job_list_free(&jl);
}

/* On a loaded cluster, shortest-job-first gives a lower mean JCT than FIFO on every
 * generated sample (the ordering the trace papers report). */
static void test_sjf_beats_fifo(void **st)
{
    (void)st;
    for (unsigned long long seed = 1; seed <= 5; seed++) {
        aif_job_list jl;
        synth(&jl, 400, 150, 32, seed);
        aif_ops o = quiet_ops();
        aif_cluster_result f, s;
        o.policy = AIF_POLICY_FIFO;
        assert_int_equal(run(&o, topo(16), &jl, &f, NULL, NULL, NULL), AIF_OK);
        o.policy = AIF_POLICY_SJF;
        assert_int_equal(run(&o, topo(16), &jl, &s, NULL, NULL, NULL), AIF_OK);
        assert_true(s.jct_mean_s < f.jct_mean_s);
        assert_true(f.queue_wait_mean_s > 0);
        aif_job_list_free(&jl);
    }
}

/* One job on 8 nodes, node failures at a job MTBF of one hour, a checkpoint write
 * (and read) of 60 s, a restart of 60 s: the Young/Daly interval sqrt(2 x 60 x 3600)
 * = 657 s.  Per failure the job loses the restart, the read and on average half a
 * cycle (tau + w)/2, and every cycle pays w: ETTR about 0.80 at the interval, 0.79 at
 * half of it (twice the writes) and 0.74 at double (twice the lost work); the run
 * gives 0.800, 0.791 and 0.738.  Over 30 days a run sees about 720 failures, and
 * the three intervals see the same failure times (the same seeds), so the spread of
 * a difference is well under 0.1%; four seeds (1..4, fixed so the test is the same on
 * every machine) averaged leave the 0.9% gap to half the interval at many times the
 * noise, and the test asks for 0.3%. */
static double ettr_at(double interval_s)
{
    aif_ops o = quiet_ops();
    o.failures = true;
    for (int c = 0; c < AIF_N_FAIL; c++)
        o.fail_per_day[c] = 0;
    o.fail_per_day[AIF_FAIL_HOST] = 24.0 / 8;   /* per node and day: 8 nodes, one failure an hour */
    o.repair_s[AIF_FAIL_HOST] = 3600;
    o.spare_nodes = 1000;
    o.restart_s = 60;
    o.ckpt_interval_s = interval_s;
    o.ckpt_bytes_per_gpu = 60.0 * 1e9 / 64;   /* 60 GB over 64 GPUs ... */
    o.storage_bw_Bps = 1e9;                  /* ... at 1 GB/s: 60 s */
    o.horizon_s = 30 * 86400;
    aif_job j = {.id = 0, .kind = AIF_JOB_GENERIC, .submit_s = 0, .duration_s = 1e9, .gpus = 64,
                 .min_gpus = 64, .max_gpus = 64};
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_job_list jl = {&j, 1, tn, 1};
    double sum = 0;
    for (unsigned long long seed = 1; seed <= 4; seed++) {
        o.seed = seed;
        aif_cluster_result r;
        aif_err e;
        aif_csim_in in = {.ops = &o, .topo = topo(8), .jobs = &jl};
        assert_int_equal(aif_csim_run(&in, &r, &e), AIF_OK);
        assert_true(r.interruptions > 500);
        if (interval_s == 0)
            assert_true(fabs(r.young_daly_s - sqrt(2 * 60.0 * 3600)) < 1);
        sum += r.ettr;
    }
    return sum / 4;
}

static void test_young_daly(void **st)
{
    (void)st;
    double yd = sqrt(2 * 60.0 * 3600);
    double at = ettr_at(0), half = ettr_at(yd / 2), twice = ettr_at(yd * 2);
    assert_true(at > half + 0.003);
    assert_true(at > twice + 0.03);
    assert_true(at > 0.75 && at < 0.85);
}

/* One node, eight 1-GPU jobs packed on it, host failures, no spares: every failure
 * of the node stops all eight (each requeued until the node is back). */
static void test_failure_stops_every_job(void **st)
{
    (void)st;
    aif_job js[8];
    char tn[1][AIF_TENANT_MAX] = {"t"};
    for (int i = 0; i < 8; i++)
        js[i] = (aif_job){.id = i, .duration_s = 1e9, .gpus = 1, .min_gpus = 1, .max_gpus = 1};
    aif_job_list jl = {js, 8, tn, 1};
    aif_ops o = quiet_ops();
    o.failures = true;
    for (int c = 0; c < AIF_N_FAIL; c++)
        o.fail_per_day[c] = 0;
    o.fail_per_day[AIF_FAIL_HOST] = 2;
    o.repair_s[AIF_FAIL_HOST] = 3600;
    o.spare_nodes = 0;
    o.horizon_s = 20 * 86400;
    aif_cluster_result r;
    assert_int_equal(run(&o, topo(1), &jl, &r, NULL, NULL, NULL), AIF_OK);
    assert_true(r.failures > 10);
    assert_int_equal(r.interruptions, 8 * r.failures);
    assert_int_equal(r.requeues, 8 * r.failures);
    /* with a spare, the jobs restart in place: the same interruptions, no requeue */
    o.spare_nodes = 1000;
    assert_int_equal(run(&o, topo(1), &jl, &r, NULL, NULL, NULL), AIF_OK);
    assert_int_equal(r.interruptions, 8 * r.failures);
    assert_int_equal(r.requeues, 0);
    assert_int_equal(r.spare_swaps, r.failures);
}

/* Placement on a fabric whose leaves are 4:1 oversubscribed (two leaf groups of 4
 * nodes, one pod): a leaf's uplinks carry 8 GPUs' traffic at full speed.  Packed
 * keeps a 2-node job in one leaf (factor 1); spread puts it over both leaves, where
 * alone its 8 GPUs per leaf fit the uplinks (factor 1) but two such jobs share
 * them (16 GPUs per leaf: share 1/2, factor 1 + c (2 - 1)) until one ends, when the
 * other speeds up again; two packed jobs do not slow each other; an 8-node job over
 * both whole leaves gets 8/32 of its bandwidth, 1 + c (4 - 1), the fully loaded case. */
static void test_placement_slowdown(void **st)
{
    (void)st;
    aif_job js[2];
    for (int k = 0; k < 2; k++)
        js[k] = (aif_job){.id = k, .duration_s = 1000.0 * (k + 1), .gpus = 16, .min_gpus = 16, .max_gpus = 16};
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_ops o = quiet_ops();
    o.comm_share = 0.3;
    aif_cluster_result r;
    double end[2];
    aif_csim_topo t = topo(8);
    t.leaf_ratio = t.pod_ratio = 4;
    aif_job_list one = {js, 1, tn, 1}, two = {js, 2, tn, 1};
    o.placement = AIF_PLACE_PACKED;
    assert_int_equal(run(&o, t, &one, &r, NULL, end, NULL), AIF_OK);
    assert_true(fabs(end[0] - 1000) < 1e-6);
    assert_int_equal(r.multi_leaf_jobs, 0);
    assert_int_equal(run(&o, t, &two, &r, NULL, end, NULL), AIF_OK);   /* packed: no shared uplink */
    assert_true(fabs(end[0] - 1000) < 1e-6 && fabs(end[1] - 2000) < 1e-6);
    o.placement = AIF_PLACE_SPREAD;
    assert_int_equal(run(&o, t, &one, &r, NULL, end, NULL), AIF_OK);
    assert_true(fabs(end[0] - 1000) < 1e-6);   /* alone: its traffic fits the uplinks */
    assert_int_equal(r.multi_leaf_jobs, 1);
    assert_int_equal(run(&o, t, &two, &r, NULL, end, NULL), AIF_OK);
    assert_int_equal(r.multi_leaf_jobs, 2);
    assert_true(fabs(end[0] - 1300) < 1e-6);          /* 1000 s at factor 1.3 */
    assert_true(fabs(end[1] - (1300 + 1000)) < 1e-6); /* 1000 s of work at 1.3, then 1000 s alone at 1 */
    js[0].gpus = js[0].min_gpus = js[0].max_gpus = 64;
    assert_int_equal(run(&o, t, &one, &r, NULL, end, NULL), AIF_OK);
    assert_true(fabs(end[0] - 1000 * (1 + 0.3 * (4 - 1))) < 1e-6);
}

/* The flow-level model of the shared uplinks (max-min fair, net/maxmin.h) against
 * the closed form it replaced, which stays as the check.
 *  - Where the closed form is exact they agree to the second: equal jobs placed
 *    symmetrically (every 16-GPU job spread over the same two leaves with 8 GPUs on
 *    each, so every leaf carries the same load), on the cases of
 *    test_placement_slowdown and on a generated load of such jobs, with failures.
 *  - Where they differ, unequal jobs: on 12 nodes (3 leaves of 4 nodes, uplinks of
 *    32 / 4 = 8 GPUs' worth each) under firstfit, A (40 GPUs: 32 on leaf 0, 8 on
 *    leaf 1), a filler (16 GPUs on leaf 1 alone) and B (16 GPUs: 8 on leaf 1, 8 on
 *    leaf 2).  Leaf 0 holds A to 8/32 = 0.25 in both.  The closed form gives B the
 *    equal per-GPU share of leaf 1, 8/16 = 0.5; max-min gives B what A cannot use
 *    there, (8 - 8 x 0.25) / 8 = 0.75.  With c = 0.3: A at 1 + 0.3 x 3 = 1.9 in
 *    both, B at 1.3 (closed) against 1 + 0.3 x (1/0.75 - 1) = 1.1 (flow). */
static void test_links_flow_vs_closed(void **st)
{
    (void)st;
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_cluster_result r;
    aif_ops o = quiet_ops();
    o.comm_share = 0.3;
    o.placement = AIF_PLACE_SPREAD;
    aif_csim_topo t = topo(8);
    t.leaf_ratio = t.pod_ratio = 4;
    aif_job js[3];
    for (int k = 0; k < 2; k++)
        js[k] = (aif_job){.id = k, .duration_s = 1000.0 * (k + 1), .gpus = 16, .min_gpus = 16, .max_gpus = 16};
    aif_job_list two = {js, 2, tn, 1};
    double flow[3], closed[3];
    for (int m = 0; m < 2; m++) {
        closed_form = m;
        assert_int_equal(run(&o, t, &two, &r, NULL, m ? closed : flow, NULL), AIF_OK);
    }
    closed_form = false;
    assert_true(fabs(flow[0] - 1300) < 1e-6 && fabs(flow[1] - 2300) < 1e-6);
    assert_true(fabs(closed[0] - flow[0]) < 1e-9 && fabs(closed[1] - flow[1]) < 1e-9);
    /* a generated load of equal jobs, all on the same two leaves, with failures */
    aif_job_list jl;
    synth(&jl, 200, 20, 16, 3);
    for (int k = 0; k < jl.n; k++)
        jl.jobs[k].gpus = jl.jobs[k].min_gpus = jl.jobs[k].max_gpus = 16;
    double *ef = malloc(sizeof *ef * (size_t)jl.n), *ec = malloc(sizeof *ec * (size_t)jl.n);
    assert_non_null(ef);
    assert_non_null(ec);
    aif_ops of = o;
    of.failures = true;
    for (int c = 0; c < AIF_N_FAIL; c++)
        of.fail_per_day[c] *= 100;
    of.repair_s[AIF_FAIL_HOST] = 3600;
    aif_cluster_result rf, rc;
    assert_int_equal(run(&of, t, &jl, &rf, NULL, ef, NULL), AIF_OK);
    closed_form = true;
    assert_int_equal(run(&of, t, &jl, &rc, NULL, ec, NULL), AIF_OK);
    closed_form = false;
    assert_true(rf.multi_leaf_jobs > 100 && rf.interruptions > 0);
    assert_true(rf.slowdown_mean > 1.01);   /* they did share the uplinks */
    for (int k = 0; k < jl.n; k++)
        assert_true(fabs(ef[k] - ec[k]) <= 1e-9 * ec[k]);
    free(ef);
    free(ec);
    aif_job_list_free(&jl);
    /* unequal jobs: the flow-level model gives B what A leaves on the shared leaf */
    o.placement = AIF_PLACE_FIRSTFIT;
    o.policy = AIF_POLICY_FIFO;
    t = topo(12);
    t.leaf_ratio = t.pod_ratio = 4;
    js[0] = (aif_job){.id = 0, .duration_s = 1000, .gpus = 40, .min_gpus = 40, .max_gpus = 40};
    js[1] = (aif_job){.id = 1, .duration_s = 5000, .gpus = 16, .min_gpus = 16, .max_gpus = 16};
    js[2] = (aif_job){.id = 2, .duration_s = 1000, .gpus = 16, .min_gpus = 16, .max_gpus = 16};
    aif_job_list three = {js, 3, tn, 1};
    for (int m = 0; m < 2; m++) {
        closed_form = m;
        assert_int_equal(run(&o, t, &three, &r, NULL, m ? closed : flow, NULL), AIF_OK);
        assert_int_equal(r.multi_leaf_jobs, 2);
    }
    closed_form = false;
    assert_true(fabs(flow[0] - 1900) < 1e-6 && fabs(closed[0] - 1900) < 1e-6);
    assert_true(fabs(flow[1] - 5000) < 1e-6 && fabs(closed[1] - 5000) < 1e-6);
    assert_true(fabs(closed[2] - 1300) < 1e-6);
    assert_true(fabs(flow[2] - 1100) < 1e-6);
}

/* The default job (Llama 3 405B on 16,384 H100) over 54 days against Dubey et al.
 * 2024 (sec. 3.3.4, Table 5): 419 unexpected interruptions, ETTR above 90%.  The
 * rates come from that table (data/failures.yaml), so the count checks the failure
 * process and the accounting, not a prediction: within 4 standard deviations of a
 * Poisson count (sqrt 419 = 20.5), and each class within 4 sigma of its row. */
static void test_llama3_54_days(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_cluster_run run;
    aif_err e;
    aif_override ov[] = {{"operations.horizon", "54d", "--days"}};
    assert_int_equal(aif_scenario_load_sections(cat, NULL, ov, 1, AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e), AIF_OK);
    aif_cluster_opts o = {.load = AIF_LOAD_DEFAULT_JOB};
    assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
    const aif_cluster_result *r = &run.r;
    assert_true(fabs((double)r->interruptions - 419) < 4 * sqrt(419));
    const double rows[AIF_N_FAIL] = {196, 72, 7, 35, 46, 63};
    for (int c = 0; c < AIF_N_FAIL; c++)
        assert_true(fabs((double)r->by_cause[c] - rows[c]) < 4 * sqrt(rows[c]) + 1);
    assert_true(r->ettr > 0.90 && r->ettr < 1);
    assert_true(r->gpu_utilization > 0.99);
    assert_true(r->power_mean_W > 1e7 && r->energy_J > 0);
    /* restarts and checkpoint writes draw idle power: the mean is below the peak */
    double stalled = 0;
    for (int i = 0; i < r->n_series; i++)
        stalled += r->stalled[i];
    assert_true(stalled > 0);
    assert_true(r->power_mean_W < r->power_peak_W);
}

/* Two other clusters' published failure counts against the model with its default,
 * Llama 3-derived rates (data/failures.yaml), as docs/VALIDATION.md states them: OPT-175B
 * on 992 A100 for about 60 days (Zhang et al. 2022, sec. 2.5: at least 35 manual and an
 * estimated 70+ automatic restarts for hardware, so at least 105) and BLOOM on 384 A100
 * (Bekman 2022: 1-2 GPU failures a week).  The model is below both: the rates of a 2024
 * H100 cluster under-predict these 2022 A100 clusters.  Each run's count is a Poisson draw,
 * so five seeds are summed, and the figures asserted are the bands the docs give: the
 * model's hardware interruptions at 0.15-0.35 of OPT's, its GPU failures (gpu and hbm
 * classes) per week at 0.25-1.0 of BLOOM's 1.5.  A change of the default rates that moves
 * either outside its band fails here and must be stated in the docs. */
static double other_cluster(const char *gpus, const char *days, const char *model, const char *tp, const char *pp,
                            const char *gbs, int hardware_only)
{
    static aif_scenario s;
    static aif_cluster_run run;
    aif_err e;
    double total = 0;
    for (int seed = 1; seed <= 5; seed++) {
        char sd[8];
        snprintf(sd, sizeof sd, "%d", seed);
        aif_override ov[] = {{"operations.horizon", days, "t"}, {"cluster.system", "dgx-a100-80g", "t"},
                             {"cluster.gpus", gpus, "t"},         {"model", model, "t"},
                             {"train.tp", tp, "t"},               {"train.pp", pp, "t"},
                             {"train.vpp", "1", "t"},             {"train.gbs", gbs, "t"},
                             {"train.seq", "2048", "t"},          {"train.optimizer", "zero1", "t"},
                             {"train.recompute", "full", "t"},    {"operations.seed", sd, "t"}};
        assert_int_equal(aif_scenario_load_sections(cat, NULL, ov, sizeof ov / sizeof *ov,
                                                    AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e),
                         AIF_OK);
        aif_cluster_opts o = {.load = AIF_LOAD_DEFAULT_JOB};
        assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
        const aif_cluster_result *r = &run.r;
        total += hardware_only ? (double)(r->interruptions - r->by_cause[AIF_FAIL_SOFTWARE])
                               : (double)(r->by_cause[AIF_FAIL_GPU] + r->by_cause[AIF_FAIL_HBM]);
    }
    return total / 5;
}

static void test_other_clusters(void **st)
{
    (void)st;
    double opt = other_cluster("992", "60d", "opt-175b", "8", "1", "992", 1);   /* hardware restarts in 60 days */
    assert_true(opt > 0.15 * 105 && opt < 0.35 * 105);
    double bloom = other_cluster("384", "70d", "bloom-176b", "4", "12", "2048", 0) / 10;   /* GPU failures per week */
    assert_true(bloom > 0.25 * 1.5 && bloom < 1.0 * 1.5);
}

/* Reliability by job size: Kokolis et al., "Revisiting Reliability in Large-Scale
 * Machine Learning Research Clusters" (HPCA 2025, arXiv:2410.21680; Meta's RSC-1 and
 * RSC-2, A100, 11 months), Fig. 7 and its text: measured mean time to failure of 47.7
 * days for 8-GPU jobs and 7.9 hours for 1024-GPU jobs; 2048-4096 GPU job runs on
 * RSC-1 at an average ETTR over 0.9 with a one-hour checkpoint interval
 * (validation/cluster_failures.csv).  The model (default, Llama 3-derived rates) runs
 * a job of that size alone on DGX A100 nodes, five seeds summed, and its MTTF is the
 * run time over all its interruptions (every class: the paper's job failures include
 * system software).  The bands are what docs/VALIDATION.md states:
 *  - the model's failure rate (published MTTF / model MTTF) is 0.10-0.25 of RSC's at
 *    both sizes (measured 0.16 and 0.15): the H100 rates under-predict these A100
 *    research clusters, as they do OPT's;
 *  - the shape: the MTTF falls from 8 to 1024 GPUs by 0.6-1.3 of the paper's factor
 *    (47.7 days / 7.9 hours = 145; the model's is 128 by construction, per node, up
 *    to the draws);
 *  - ETTR above 0.9 for a 2048-GPU job at a one-hour interval. */
static double rsc_run(int gpus, const char *days, const char *interval, double *ettr)
{
    static aif_scenario s;
    static aif_cluster_run run;
    aif_err e;
    char g[16], gbs[16];
    snprintf(g, sizeof g, "%d", gpus);
    snprintf(gbs, sizeof gbs, "%d", gpus);
    double total = 0, et = 0;
    for (int seed = 1; seed <= 5; seed++) {
        char sd[8];
        snprintf(sd, sizeof sd, "%d", seed);
        aif_override ov[] = {{"operations.horizon", days, "t"}, {"cluster.system", "dgx-a100-80g", "t"},
                             {"cluster.gpus", g, "t"},            {"model", "llama3-8b", "t"},
                             {"train.tp", "8", "t"},              {"train.pp", "1", "t"},
                             {"train.vpp", "1", "t"},             {"train.gbs", gbs, "t"},
                             {"train.seq", "2048", "t"},          {"operations.seed", sd, "t"},
                             {"operations.checkpoint.interval", interval ? interval : "0s", "t"}};
        assert_int_equal(aif_scenario_load_sections(cat, NULL, ov, sizeof ov / sizeof *ov,
                                                    AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e), AIF_OK);
        aif_cluster_opts o = {.load = AIF_LOAD_DEFAULT_JOB};
        assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
        total += (double)run.r.interruptions;
        et += run.r.ettr;
        if (seed == 1)
            assert_true(run.r.makespan_s == s.ops.horizon_s);   /* the job ran throughout */
    }
    if (ettr)
        *ettr = et / 5;
    return total;
}

static void test_reliability_by_job_size(void **st)
{
    (void)st;
    double n8 = rsc_run(8, "5000d", NULL, NULL), n1024 = rsc_run(1024, "60d", NULL, NULL);
    assert_true(n8 > 30 && n1024 > 30);
    double mttf8_h = 5 * 5000 * 24 / n8, mttf1024_h = 5 * 60 * 24 / n1024;
    double r8 = 47.7 * 24 / mttf8_h, r1024 = 7.9 / mttf1024_h;
    assert_true(r8 > 0.10 && r8 < 0.25);
    assert_true(r1024 > 0.10 && r1024 < 0.25);
    double shape = (mttf8_h / mttf1024_h) / (47.7 * 24 / 7.9);
    assert_true(shape > 0.6 && shape < 1.3);
    double ettr;
    rsc_run(2048, "30d", "1h", &ettr);
    assert_true(ettr > 0.9 && ettr < 1);
}

/* A curtailment window below the site's power during a synthetic load: paused or
 * throttled, some jobs end later than without the window, and the result names
 * them, the largest slip first; a cap above the peak slips nothing. */
static void test_curtailment(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_cluster_run run;
    aif_err e;
    aif_override ov[] = {{"cluster.gpus", "1024", "t"}, {"operations.synthetic.jobs", "400", "t"},
                         {"operations.synthetic.rate_per_h", "100", "t"},
                         {"operations.synthetic.max_gpus", "128", "t"},
                         {"operations.failures.enabled", "false", "t"}};
    assert_int_equal(aif_scenario_load_sections(cat, "llama3-8b-8gpu", ov, 5, AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e),
                     AIF_OK);
    aif_cluster_opts o = {.load = AIF_LOAD_SYNTHETIC};
    assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
    double peak = run.r.power_peak_W, idle = run.r.power_W[0];
    for (int i = 0; i < run.r.n_series; i++)
        idle = fmin(idle, run.r.power_W[i]);
    assert_int_equal(run.r.slipped_jobs, 0);
    for (int mode = 0; mode < 2; mode++) {
        s.ops.curtail_start_s = 3 * 3600;
        s.ops.curtail_duration_s = 2 * 3600;
        s.ops.curtail_cap_W = idle + 0.3 * (peak - idle);
        s.ops.curtail_mode = mode;
        assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
        assert_true(run.r.slipped_jobs > 0);
        assert_true(run.r.n_slipped > 0 && run.r.slipped[0].slip_s == run.r.slip_max_s);
        for (int i = 1; i < run.r.n_slipped; i++)
            assert_true(run.r.slipped[i].slip_s <= run.r.slipped[i - 1].slip_s);
        if (mode == AIF_CURTAIL_PAUSE)
            assert_true(run.r.preemptions > 0);
    }
    s.ops.curtail_cap_W = peak * 2;
    assert_int_equal(aif_run_cluster(cat, &s, &o, &run, &e), AIF_OK);
    assert_int_equal(run.r.slipped_jobs, 0);
}

static void test_synth(void **st)
{
    (void)st;
    aif_job_list a, b;
    aif_err e;
    aif_synth_spec sp = {5000, 100, 256, 1, 600, 0.5, 5, 9, 0};
    assert_int_equal(aif_jobs_synth(&sp, &a, &e), AIF_OK);
    assert_int_equal(aif_jobs_synth(&sp, &b, &e), AIF_OK);
    assert_memory_equal(a.jobs, b.jobs, sizeof *a.jobs * (size_t)a.n);
    assert_true(a.jobs[0].submit_s == 0);
    double gap = a.jobs[a.n - 1].submit_s / (a.n - 1);
    assert_true(fabs(gap - 36) < 36 * 0.05);   /* 100 an hour */
    int ones = 0, t0 = 0;
    for (int i = 0; i < a.n; i++) {
        assert_int_equal(a.jobs[i].id, i);
        assert_true(i == 0 || a.jobs[i].submit_s >= a.jobs[i - 1].submit_s);
        int g = a.jobs[i].gpus;
        assert_true(g >= 1 && g <= 256 && (g & (g - 1)) == 0);
        ones += g == 1;
        t0 += a.jobs[i].tenant == 0;
    }
    /* weights 1/gpus over 1..256: a single GPU with 1 / (2 - 1/256) = 0.50 */
    assert_true(fabs(ones / 5000.0 - 0.5) < 0.03);
    /* Zipf over 5 tenants: the first with 1 / H5 = 0.44 */
    assert_true(fabs(t0 / 5000.0 - 1 / (1 + 0.5 + 1 / 3.0 + 0.25 + 0.2)) < 0.03);
    aif_job_list_free(&b);
    sp.jobs = 0;
    assert_int_equal(aif_jobs_synth(&sp, &b, &e), AIF_EINPUT);
    assert_null(b.jobs);
    aif_job_list_free(&a);
    aif_job_list_free(&b);
}

static void expect_error(const char *yaml, const char *path, const char *needle, int line)
{
    static aif_scenario s;
    aif_err e;
    const char *base = aif_default_scenario_yaml();
    char text[16384];
    snprintf(text, sizeof text, "%s%s", base, yaml);
    assert_int_equal(aif_scenario_parse_sections(cat, text, strlen(text), "ops.yaml", NULL, 0,
                                                 AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e),
                     AIF_EINPUT);
    if (!strstr(e.path, path) || !strstr(e.msg, needle) || (line && e.line != line))
        fprintf(stderr, "got %s:%d: %s: %s\n", e.file, e.line, e.path, e.msg);
    assert_non_null(strstr(e.path, path));
    assert_non_null(strstr(e.msg, needle));
    assert_string_equal(e.file, "ops.yaml");
}

/* A tenant quota (operations.tenant_quota_gpus): four 8-GPU jobs of one tenant run one
 * after another under a quota of 8 while another tenant's job starts at once; without
 * the quota all four start together; under every policy the checker (after every
 * event) finds no tenant over its quota and every job ends; a job larger than the
 * quota is refused. */
static void test_tenant_quota(void **st)
{
    (void)st;
    char tn[2][AIF_TENANT_MAX] = {"a", "b"};
    aif_job js[5];
    for (int k = 0; k < 5; k++)
        js[k] = (aif_job){.id = k, .kind = AIF_JOB_GENERIC, .submit_s = k == 4 ? 60 : 0, .duration_s = 3600,
                          .gpus = 8, .min_gpus = 8, .max_gpus = 8, .tenant = k == 4};
    aif_job_list jl = {js, 5, tn, 2};
    double start[5];
    aif_cluster_result r;
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_FIFO;
    assert_int_equal(run(&o, topo(8), &jl, &r, start, NULL, NULL), AIF_OK);
    for (int k = 0; k < 4; k++)
        assert_true(start[k] == 0);
    o.tenant_quota_gpus = 8;
    for (int p = 0; p < AIF_N_POLICY; p++) {
        o.policy = p;
        assert_int_equal(run(&o, topo(8), &jl, &r, start, NULL, NULL), AIF_OK);
        double sorted[4] = {start[0], start[1], start[2], start[3]};
        for (int a = 0; a < 4; a++)
            for (int b = a + 1; b < 4; b++)
                if (sorted[b] < sorted[a]) {
                    double x = sorted[a];
                    sorted[a] = sorted[b];
                    sorted[b] = x;
                }
        for (int k = 0; k < 4; k++)
            assert_true(sorted[k] >= 3600.0 * k - 1e-6);   /* one at a time */
        assert_true(start[4] == 60);                    /* the other tenant is not held */
    }
    o.tenant_quota_gpus = 4;
    aif_err e;
    aif_csim_in in = {.ops = &o, .topo = topo(8), .jobs = &jl, .idle_W = 1e6, .busy_gpu_W = 1000};
    assert_int_equal(aif_csim_run(&in, &r, &e), AIF_EINPUT);
    assert_string_equal(e.path, "operations.tenant_quota_gpus");
}

/* operations.tenants: a reserved tenant finds its GPUs free at once under every
 * policy (another tenant flooding the cluster), no tenant passes its quota (the
 * checker), the reservation's use and the peak are reported; without the
 * reservation the same load makes it wait. */
static void test_tenant_reservation(void **st)
{
    (void)st;
    char tn[2][AIF_TENANT_MAX] = {"a", "b"};
    enum { NB = 12, NA = 5, N = NB + NA };
    aif_job js[N];
    for (int k = 0; k < N; k++) {
        bool a = k >= NB;
        js[k] = (aif_job){.id = k, .kind = AIF_JOB_GENERIC, .submit_s = a ? 100.0 * (k - NB + 1) : 0,
                          .duration_s = a ? 7200 : 3600, .gpus = 8, .min_gpus = 8, .max_gpus = 8, .tenant = !a};
        snprintf(js[k].name, sizeof js[k].name, "j%d", k);
    }
    /* tenant a is 1, tenant b 0 */
    aif_job_list jl = {js, N, tn, 2};
    double start[N];
    aif_cluster_result r;
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_FIFO;
    assert_int_equal(run(&o, topo(8), &jl, &r, start, NULL, NULL), AIF_OK);
    assert_true(start[NB] > 100);   /* no reservation: tenant b's jobs hold the cluster */
    o.n_tenants = 2;
    o.tenants[0] = (aif_ops_tenant){.name = "b", .quota_gpus = 48, .share = 1};
    o.tenants[1] = (aif_ops_tenant){.name = "a", .quota_gpus = 32, .reserved_gpus = 32, .share = 1};
    for (int p = 0; p < AIF_N_POLICY; p++) {
        o.policy = p;
        assert_int_equal(run(&o, topo(8), &jl, &r, start, NULL, NULL), AIF_OK);
        for (int k = NB; k < NB + 4; k++)
            assert_true(start[k] == js[k].submit_s);   /* within its reservation: at once */
        assert_true(start[NB + 4] >= 7200 + 100);        /* its quota: after its first job ends */
        assert_int_equal(r.jobs_ended, N);
        for (int t = 0; t < r.n_tenants; t++) {
            const aif_cluster_tenant *ct = &r.tenants[t];
            if (!strcmp(ct->name, "b")) {
                assert_true(ct->peak_gpus <= 32);      /* never a's reserved GPUs */
                assert_int_equal(ct->quota_gpus, 48);
            } else {
                assert_int_equal(ct->peak_gpus, 32);
                assert_int_equal(ct->reserved_gpus, 32);
                assert_true(ct->reserved_use > 0 && ct->reserved_use <= 1);
            }
        }
    }
    /* a reservation the cluster cannot hold, and a job larger than what the others leave */
    aif_err e;
    aif_csim_in in = {.ops = &o, .topo = topo(8), .jobs = &jl, .idle_W = 1e6, .busy_gpu_W = 1000};
    o.tenants[1].reserved_gpus = 65;
    o.tenants[1].quota_gpus = 0;
    assert_int_equal(aif_csim_run(&in, &r, &e), AIF_EINPUT);
    assert_string_equal(e.path, "operations.tenants");
    o.tenants[1].reserved_gpus = 60;
    assert_int_equal(aif_csim_run(&in, &r, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "other tenants reserve 60"));
}

/* Fair share with weights: a tenant of weight 3 gets about three times the GPU-hours
 * of one of weight 1 when both keep the cluster busy. */
static void test_fairshare_weight(void **st)
{
    (void)st;
    char tn[2][AIF_TENANT_MAX] = {"a", "b"};
    enum { N = 400 };
    aif_job js[N];
    for (int k = 0; k < N; k++)
        js[k] = (aif_job){.id = k, .kind = AIF_JOB_GENERIC, .submit_s = 0, .duration_s = 3600, .gpus = 8,
                          .min_gpus = 8, .max_gpus = 8, .tenant = k % 2};
    aif_job_list jl = {js, N, tn, 2};
    aif_cluster_result r;
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_FAIRSHARE;
    o.horizon_s = 20 * 3600;   /* both tenants still waiting at the end */
    o.n_tenants = 1;
    o.tenants[0] = (aif_ops_tenant){.name = "a", .share = 3};
    assert_int_equal(run(&o, topo(8), &jl, &r, NULL, NULL, NULL), AIF_OK);
    double ga = 0, gb = 0;
    for (int t = 0; t < r.n_tenants; t++)
        *(strcmp(r.tenants[t].name, "a") ? &gb : &ga) = r.tenants[t].gpu_hours;
    assert_true(ga / gb > 2.5 && ga / gb < 3.5);
}

/* Elastic jobs (min_gpus < max_gpus): a lone one starts on every free GPU within its
 * bounds and runs at 1 + efficiency (g/g0 - 1); one that started small grows when a
 * job ends, its end to the second; under SRTF a long elastic job shrinks instead of
 * being preempted; on generated loads where every job is elastic the checker holds
 * after every event under every policy and the makespan is never longer than the
 * rigid run of the same jobs. */
static void test_elastic(void **st)
{
    (void)st;
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_job js[2];
    aif_cluster_result r;
    double end[2];
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_FIFO;
    o.comm_share = 0;   /* no placement slowdown: the sizes alone */
    js[0] = (aif_job){.id = 0, .duration_s = 3600, .gpus = 16, .min_gpus = 8, .max_gpus = 64};
    aif_job_list one = {js, 1, tn, 1};
    assert_int_equal(run(&o, topo(8), &one, &r, NULL, end, NULL), AIF_OK);
    assert_true(fabs(end[0] - 3600 / (1 + 0.9 * (64.0 / 16 - 1))) < 1e-6);
    assert_int_equal(r.elastic_jobs, 1);
    /* grows at 1000 s when the rigid job ends: 1000 s done, a 60 s resize, 9000 s at 1 + 0.9 */
    js[0] = (aif_job){.id = 0, .duration_s = 1000, .gpus = 32, .min_gpus = 32, .max_gpus = 32};
    js[1] = (aif_job){.id = 1, .duration_s = 10000, .gpus = 32, .min_gpus = 16, .max_gpus = 64};
    aif_job_list two = {js, 2, tn, 1};
    assert_int_equal(run(&o, topo(8), &two, &r, NULL, end, NULL), AIF_OK);
    assert_int_equal(r.resizes, 1);
    assert_true(fabs(end[1] - (1000 + 60 + 9000 / 1.9)) < 1e-6);
    /* SRTF: the short job arriving later takes GPUs the long elastic one gives back */
    js[0] = (aif_job){.id = 0, .submit_s = 0, .duration_s = 100000, .gpus = 32, .min_gpus = 16, .max_gpus = 64};
    js[1] = (aif_job){.id = 1, .submit_s = 600, .duration_s = 600, .gpus = 32, .min_gpus = 32, .max_gpus = 32};
    o.policy = AIF_POLICY_SRTF;
    double start[2];
    assert_int_equal(run(&o, topo(8), &two, &r, start, end, NULL), AIF_OK);
    assert_int_equal(r.preemptions, 0);
    assert_true(r.resizes >= 2);            /* shrank for the short job, grew after it */
    assert_true(start[1] < 600 + 61);       /* within the next preemption decision */
    /* generated loads */
    for (unsigned long long seed = 1; seed <= 3; seed++) {
        aif_job_list rigid, el;
        aif_err e;
        aif_synth_spec sp = {400, 10, 32, 0.7, 1800, 1.0, 4, seed, 0};
        assert_int_equal(aif_jobs_synth(&sp, &rigid, &e), AIF_OK);
        sp.elastic_share = 1;
        assert_int_equal(aif_jobs_synth(&sp, &el, &e), AIF_OK);
        for (int p = 0; p < AIF_N_POLICY; p++) {
            o = quiet_ops();
            o.policy = p;
            aif_cluster_result rr, re;
            assert_int_equal(run(&o, topo(8), &rigid, &rr, NULL, NULL, NULL), AIF_OK);
            assert_int_equal(run(&o, topo(8), &el, &re, NULL, NULL, NULL), AIF_OK);
            assert_int_equal(re.jobs_ended, el.n);
            if (re.makespan_s > rr.makespan_s)
                fprintf(stderr, "seed %llu policy %s: elastic %g rigid %g (resizes %ld)\n", seed,
                        aif_cluster_policy_names[p], re.makespan_s, rr.makespan_s, re.resizes);
            assert_true(re.makespan_s <= rr.makespan_s);
            assert_true(re.resizes > 0);
        }
        aif_job_list_free(&rigid);
        aif_job_list_free(&el);
    }
}

/* An elastic training job's rate at another size is the training model's there, as
 * `aifsim train --gpus G --dp G/(tp pp cp)` estimates it (the layout and global batch
 * kept), not the linear rule: llama3-8b at TP8 on DGX H100, asking 128 GPUs with
 * bounds 64..256.
 *  - aif_run_cluster, the job alone on 256 GPUs: it takes all 256 and ends at its
 *    duration (train.tokens at 128 GPUs) times T(256) / T(128);
 *  - the event loop, a rigid 128-GPU job beside it for 1000 s: at 1000 s it grows
 *    to 256 (one resize: 60 s) and its remaining work runs at T(128) / T(256);
 *    with the linear rule instead (no step-time function) the end differs. */
static aif_scenario el_s;
static const aif_override el_ov[] = {
    {"cluster.system", "dgx-h100", "t"}, {"cluster.gpus", "256", "t"}, {"model", "llama3-8b", "t"},
    {"train.tp", "8", "t"},              {"train.pp", "1", "t"},       {"train.vpp", "1", "t"},
    {"train.cp", "1", "t"},              {"train.gbs", "256", "t"},    {"train.seq", "8192", "t"},
    {"train.gpus", "128", "t"},          {"train.tokens", "2e9", "t"}, {"operations.elastic.min_gpus", "64", "t"},
    {"operations.elastic.max_gpus", "256", "t"}};

/* the step time at g GPUs as `aifsim train --gpus g --dp g/8` has it */
static double train_at(int g, void *ctx)
{
    (void)ctx;
    static aif_scenario s;
    aif_override ov[sizeof el_ov / sizeof *el_ov + 2];
    int n = 0;
    for (size_t k = 0; k < sizeof el_ov / sizeof *el_ov; k++)
        if (strcmp(el_ov[k].path, "train.gpus"))
            ov[n++] = el_ov[k];
    char gs[16], ds[16];
    snprintf(gs, sizeof gs, "%d", g);
    snprintf(ds, sizeof ds, "%d", g / 8);
    ov[n++] = (aif_override){"train.gpus", gs, "--gpus"};
    ov[n++] = (aif_override){"train.dp", ds, "--dp"};
    aif_err e;
    assert_int_equal(aif_scenario_load_sections(cat, NULL, ov, n, AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e), AIF_OK);
    aif_train_result tr;
    assert_int_equal(aif_estimate(&s, &tr, &e), AIF_OK);
    return tr.step_time_s;
}

static void test_elastic_training_model(void **st)
{
    (void)st;
    aif_err e;
    assert_int_equal(aif_scenario_load_sections(cat, NULL, el_ov, sizeof el_ov / sizeof *el_ov,
                                                AIF_SECTION_ALL | AIF_SECTION_OPS, &el_s, &e), AIF_OK);
    el_s.ops.failures = false;
    double t64 = train_at(64, NULL), t128 = train_at(128, NULL), t256 = train_at(256, NULL);
    assert_true(t64 > t128 && t128 > t256);
    /* not the linear rule: 1 + 0.9 (256/128 - 1) = 1.9 */
    assert_true(fabs(t128 / t256 - 1.9) > 0.01);
    aif_train_result tr;
    assert_int_equal(aif_estimate(&el_s, &tr, &e), AIF_OK);
    assert_true(fabs(tr.step_time_s - t128) < 1e-12 * t128);
    static aif_cluster_run run;
    aif_cluster_opts co = {.load = AIF_LOAD_DEFAULT_JOB, .check = true};
    assert_int_equal(aif_run_cluster(cat, &el_s, &co, &run, &e), AIF_OK);
    assert_int_equal(run.r.elastic_jobs, 1);
    assert_int_equal(run.r.jobs_ended, 1);
    assert_true(fabs(run.r.jct_mean_s - tr.train_time_s * t256 / t128) < 1e-6 * run.r.jct_mean_s);
    /* bounds the layout cannot run at, or outside the job and the cluster, are refused */
    aif_scenario bad = el_s;
    bad.ops.elastic_min_gpus = 60;
    assert_int_equal(aif_run_cluster(cat, &bad, &co, &run, &e), AIF_EINPUT);
    assert_string_equal(e.path, "operations.elastic.min_gpus");
    assert_non_null(strstr(e.msg, "tp*pp*cp"));
    bad = el_s;
    bad.ops.elastic_max_gpus = 512;
    assert_int_equal(aif_run_cluster(cat, &bad, &co, &run, &e), AIF_EINPUT);
    assert_string_equal(e.path, "operations.elastic.max_gpus");

    /* a resize in the event loop */
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_job js[2] = {{.id = 0, .duration_s = 1000, .gpus = 128, .min_gpus = 128, .max_gpus = 128},
                     {.id = 1, .kind = AIF_JOB_TRAIN, .duration_s = 20000, .gpus = 128, .min_gpus = 64,
                      .max_gpus = 256}};
    aif_job_list two = {js, 2, tn, 1};
    aif_ops o = quiet_ops();
    o.policy = AIF_POLICY_FIFO;
    double end[2];
    aif_cluster_result r;
    aif_csim_in in = {.ops = &o, .topo = topo(32), .jobs = &two, .check = true, .end_s = end, .idle_W = 1e6,
                      .busy_gpu_W = 1000, .train_step_s = train_at, .train_unit_gpus = 8};
    in.topo.leaf_ratio = in.topo.pod_ratio = 1;   /* no placement slowdown: the sizes alone */
    assert_int_equal(aif_csim_run(&in, &r, &e), AIF_OK);
    assert_int_equal(r.resizes, 1);
    assert_true(fabs(end[1] - (1000 + 60 + 19000 * t256 / t128)) < 1e-6);
    in.train_step_s = NULL;
    assert_int_equal(aif_csim_run(&in, &r, &e), AIF_OK);
    assert_true(fabs(end[1] - (1000 + 60 + 19000 / 1.9)) < 1e-6);
}

/* SRTF on a full cluster: a short job arriving while a long one holds every GPU
 * preempts it at the next preemption decision (the scheduling pass used to be
 * skipped while no GPU was free, so the short job waited for the long one's end). */
static void test_srtf_full_cluster(void **st)
{
    (void)st;
    char tn[1][AIF_TENANT_MAX] = {"t"};
    aif_job js[2] = {{.id = 0, .submit_s = 0, .duration_s = 100000, .gpus = 64, .min_gpus = 64, .max_gpus = 64},
                     {.id = 1, .submit_s = 600, .duration_s = 600, .gpus = 32, .min_gpus = 32, .max_gpus = 32}};
    aif_job_list jl = {js, 2, tn, 1};
    aif_ops o = quiet_ops();
    double start[2];
    aif_cluster_result r;
    for (int p = AIF_POLICY_SRTF; p <= AIF_POLICY_LAS; p++) {
        o.policy = p;
        assert_int_equal(run(&o, topo(8), &jl, &r, start, NULL, NULL), AIF_OK);
        assert_true(start[1] < 600 + 61);
        assert_int_equal(r.preemptions, 1);
    }
}

/* SRTF and LAS decide preemption by merging the sorted running jobs into the queue
 * (pass_preempt); the slow reference sorts every waiting and running job at each
 * decision.  Both must start, preempt and end every job at the same times, on
 * backed-up loads with failures, per-tenant terms and elastic jobs. */
static void test_preempt_fast_equals_reference(void **st)
{
    (void)st;
    for (int k = 0; k < 4; k++) {
        aif_job_list jl;
        aif_err e;
        aif_synth_spec sp = {1500, 200, 64, 0.7, 1800, 1.2, 4, 11 + (unsigned long long)k, k >= 2 ? 0.5 : 0};
        assert_int_equal(aif_jobs_synth(&sp, &jl, &e), AIF_OK);
        aif_ops o;
        aif_ops_defaults(&o);   /* failures at the default rates, scaled up so that some strike */
        for (int c = 0; c < AIF_N_FAIL; c++)
            o.fail_per_day[c] *= 200;
        o.queue_depth = k % 2 ? 50 : 1000;
        if (k % 2) {
            o.n_tenants = 2;
            o.tenants[0] = (aif_ops_tenant){.name = "tenant1", .reserved_gpus = 32, .quota_gpus = 128, .share = 1};
            o.tenants[1] = (aif_ops_tenant){.name = "tenant0", .quota_gpus = 160, .share = 1};
        }
        for (int p = AIF_POLICY_SRTF; p <= AIF_POLICY_LAS; p++) {
            o.policy = p;
            enum { N = 1500 };
            static double s1[N], e1[N], s2[N], e2[N];
            aif_cluster_result r1, r2;
            aif_csim_in in = {.ops = &o, .topo = topo(32), .jobs = &jl, .check = k == 0, .start_s = s1, .end_s = e1,
                              .idle_W = 1e6, .busy_gpu_W = 1000};
            assert_int_equal(aif_csim_run(&in, &r1, &e), AIF_OK);
            in.reference = true;
            in.start_s = s2;
            in.end_s = e2;
            assert_int_equal(aif_csim_run(&in, &r2, &e), AIF_OK);
            assert_true(r1.preemptions > 0);
            assert_int_equal(r1.preemptions, r2.preemptions);
            assert_int_equal(r1.resizes, r2.resizes);
            assert_int_equal(r1.interruptions, r2.interruptions);
            for (int j = 0; j < jl.n; j++)
                if (s1[j] != s2[j] || e1[j] != e2[j]) {
                    fprintf(stderr, "load %d %s job %d: start %.17g / %.17g, end %.17g / %.17g\n", k,
                            aif_cluster_policy_names[p], j, s1[j], s2[j], e1[j], e2[j]);
                    fail();
                }
        }
        aif_job_list_free(&jl);
    }
}

/* operations.serve: the scenario's serving deployment joins the load with the
 * replica count the capacity plan finds for serve.slo at serve.qps (the same as
 * aif_plan_serve gives; more at a higher rate), holds its GPUs for its duration,
 * and its GPUs draw the serving model's power (the run uses more energy than
 * without it); without a serve section it is an error naming the field. */
static void test_serve_job(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_cluster_run run;
    static aif_serve_plan plan;
    aif_err e;
    const char *y = "name: mixed\ncluster: {system: dgx-h100, gpus: 256}\nmodel: llama3-8b\n"
                    "train: {tp: 1, pp: 1, gbs: 512, seq: 8192}\n"
                    "serve: {tp: 1, qps: 40, requests: 400, slo: {ttft_p99: 500ms}}\n"
                    "operations: {load: synthetic, horizon: 2d, failures: {enabled: false},\n"
                    "  synthetic: {jobs: 100, rate_per_h: 10, max_gpus: 64, duration_median: 1h},\n"
                    "  serve: {start: 2h, duration: 12h}}\n";
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "mixed.yaml", NULL, 0,
                                                 AIF_SECTION_ALL | AIF_SECTION_OPS | AIF_SECTION_SERVE, &s, &e),
                     AIF_OK);
    assert_true(s.ops.serve_job && s.ops.serve_start_s == 7200 && s.ops.serve_duration_s == 43200);
    aif_cluster_opts co = {.load = AIF_LOAD_SYNTHETIC, .check = true};
    if (aif_run_cluster(cat, &s, &co, &run, &e))
        fprintf(stderr, "aif_run_cluster: %s: %s\n", e.path, e.msg);
    assert_int_equal(aif_run_cluster(cat, &s, &co, &run, &e), AIF_OK);
    const aif_cluster_result *r = &run.r;
    aif_plan_opts po = {.tps = {1}, .n_tp = 1, .precisions = {s.serve.precision}, .n_prec = 1, .max_gpus = 256};
    const aif_scenario *one = &s;
    assert_int_equal(aif_plan_serve(cat, &one, 1, &po, &plan, &e), AIF_OK);
    assert_true(plan.c[0].meets);
    assert_int_equal(r->serve_replicas, plan.c[0].replicas);
    assert_int_equal(r->serve_gpus, plan.c[0].replicas);   /* tp 1, pp 1 */
    assert_true(r->serve_replicas >= 2);                   /* 40 qps needs more than one */
    assert_true(r->serve_gpu_W > 0);
    assert_int_equal(r->jobs, 101);
    double serving_h = -1;
    for (int t = 0; t < r->n_tenants; t++)
        if (!strcmp(r->tenants[t].name, "serving"))
            serving_h = r->tenants[t].gpu_hours;
    assert_true(fabs(serving_h - r->serve_gpus * 12.0) < 1e-6);   /* its GPUs for its 12 hours */
    /* eight times the rate: more replicas; and the serving GPUs draw power (more energy than without them) */
    int reps = r->serve_replicas;
    double energy = r->energy_J;
    s.serve.qps *= 8;
    assert_int_equal(aif_run_cluster(cat, &s, &co, &run, &e), AIF_OK);
    assert_true(run.r.serve_replicas > reps);
    s.ops.serve_job = false;
    assert_int_equal(aif_run_cluster(cat, &s, &co, &run, &e), AIF_OK);
    assert_int_equal(run.r.serve_gpus, 0);
    assert_true(run.r.energy_J < energy);
    s.ops.serve_job = true;
    s.serve.present = false;
    assert_int_equal(aif_run_cluster(cat, &s, &co, &run, &e), AIF_EINPUT);
    assert_string_equal(e.path, "operations.serve");
}

static void test_section(void **st)
{
    (void)st;
    static aif_scenario s;
    aif_err e;
    const char *base = aif_default_scenario_yaml();
    char text[16384];
    snprintf(text, sizeof text,
             "%soperations:\n  policy: las\n  placement: most-allocated\n  horizon: 2d\n  seed: 42\n"
             "  failures: {spare_nodes: 3, gpu: {per_day: 0.001, repair: 1h}, straggler: {per_day: 0.1}}\n"
             "  checkpoint: {interval: 30min, storage: nvme, nvme_bw: 10GB/s}\n"
             "  curtailment: {start: 1h, duration: 2h, cap: 10MW, mode: throttle}\n"
             "  tenants: [{name: vc1, quota_gpus: 512, reserved_gpus: 128, share: 2}, {name: vc2}]\n",
             base);
    assert_int_equal(aif_scenario_parse_sections(cat, text, strlen(text), "ops.yaml", NULL, 0,
                                                 AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e),
                     AIF_OK);
    const aif_ops *o = &s.ops;
    assert_true(o->present);
    assert_int_equal(o->policy, AIF_POLICY_LAS);
    assert_int_equal(o->placement, AIF_PLACE_MOST_ALLOCATED);
    assert_true(o->horizon_s == 2 * 86400 && o->seed == 42 && o->spare_nodes == 3);
    assert_true(o->fail_per_day[AIF_FAIL_GPU] == 0.001 && o->repair_s[AIF_FAIL_GPU] == 3600);
    assert_true(o->fail_per_day[AIF_FAIL_HBM] > 0);   /* the defaults stay */
    assert_true(o->ckpt_interval_s == 1800 && o->storage == AIF_STORAGE_NVME && o->nvme_bw_Bps == 1e10);
    assert_true(o->curtail_cap_W == 1e7 && o->curtail_mode == AIF_CURTAIL_THROTTLE);
    assert_int_equal(o->n_tenants, 2);
    assert_string_equal(o->tenants[1].name, "vc2");
    assert_true(o->tenants[0].quota_gpus == 512 && o->tenants[0].reserved_gpus == 128 && o->tenants[0].share == 2);
    assert_true(o->tenants[1].share == 1 && o->tenants[1].quota_gpus == 0);
    /* the defaults: data/failures.yaml's rates */
    aif_ops d;
    aif_ops_defaults(&d);
    assert_true(fabs(d.fail_per_day[AIF_FAIL_GPU] - 196.0 / (16384 * 54)) < 1e-12);
    assert_true(fabs(d.fail_per_day[AIF_FAIL_SOFTWARE] - 63.0 / (2048 * 54)) < 1e-12);
    assert_true(fabs(d.fail_per_day[AIF_FAIL_NIC] - 7.0 / (2048 * 8 * 54)) < 1e-12);
    int n = 0;
    for (const char *p = base; *p; p++)
        n += *p == '\n';
    expect_error("operations:\n  policy: fifoo\n", "operations.policy", "did you mean 'fifo'", n + 2);
    expect_error("operations:\n  placement: packd\n", "operations.placement", "packed", n + 2);
    expect_error("operations:\n  failures: {gpu: {per_day: -1}}\n", "operations.failures.gpu.per_day", "", n + 2);
    expect_error("operations:\n  checkpoint: {storage: tape}\n", "operations.checkpoint.storage", "pfs", n + 2);
    expect_error("operations:\n  polcy: fifo\n", "operations.polcy", "policy", n + 2);
    expect_error("operations:\n  seed: 1.5\n", "operations.seed", "whole", n + 2);
    expect_error("operations:\n  tenants: [{name: a, quota_gpus: 8, reserved_gpus: 16}]\n", "operations.tenants[0]",
                 "within the quota", n + 2);
    expect_error("operations:\n  tenants: [{name: a}, {name: a}]\n", "operations.tenants[1]", "named twice", n + 2);
    expect_error("operations:\n  tenants: [{name: a, share: 0}]\n", "operations.tenants[0].share", "", n + 2);
    expect_error("operations:\n  tenants: {name: a}\n", "operations.tenants", "list of tenants", n + 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_conservation),
        cmocka_unit_test(test_backfill_reservation),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_sjf_beats_fifo),
        cmocka_unit_test(test_young_daly),
        cmocka_unit_test(test_failure_stops_every_job),
        cmocka_unit_test(test_placement_slowdown),
        cmocka_unit_test(test_links_flow_vs_closed),
        cmocka_unit_test(test_llama3_54_days),
        cmocka_unit_test(test_other_clusters),
        cmocka_unit_test(test_reliability_by_job_size),
        cmocka_unit_test(test_curtailment),
        cmocka_unit_test(test_synth),
        cmocka_unit_test(test_section),
        cmocka_unit_test(test_tenant_quota),
        cmocka_unit_test(test_tenant_reservation),
        cmocka_unit_test(test_fairshare_weight),
        cmocka_unit_test(test_elastic),
        cmocka_unit_test(test_elastic_training_model),
        cmocka_unit_test(test_srtf_full_cluster),
        cmocka_unit_test(test_preempt_fast_equals_reference),
        cmocka_unit_test(test_serve_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
