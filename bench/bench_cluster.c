/* bench_cluster.c -- the many-job cluster simulator's speed on one core.  Not a test.
 *
 * Two figures, each the wall time (CLOCK_MONOTONIC) of the call alone, catalogs,
 * scenario and the job list made before it:
 *   "1M jobs":  1,000,000 synthetic jobs (Poisson arrivals at 17,600 an hour, GPU
 *               counts 1..1,024 with weight 1/gpus, lognormal durations of median
 *               30 min and sigma 1, 16 tenants: about 80% of the GPUs asked for) on
 *               a 100,000-GPU cluster of DGX H100 (12,500 nodes) through
 *               aif_csim_run: backfill, packed, failures at the default rates;
 *               target (issue 12): at most 10 s;
 *   "llama3":   the default scenario's job over 54 days with failures through the
 *               whole pipeline (aif_run_cluster); target: under 1 s.
 * Usage: aifsim-bench-cluster [jobs, default 1000000] [policy, default backfill]
 *        [reference | links | links-closed]
 * ("reference": srtf and las decide preemption by the slow reference path, which
 * sorts every waiting and running job, to compare with the fast one; "links": the
 * fabric's leaves oversubscribed 4:1 (network.oversubscription 4), so every job
 * spanning leaves shares their uplinks through the flow-level max-min solver;
 * "links-closed": the same sharing in closed form, to compare with).
 * One JSON line each. */
#include "aifsim/cluster.h"
#include "aifsim/names.h"
#include "ops/csim.h"
#include "ops/jobs.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int fail(const aif_err *e)
{
    char buf[1400];
    aif_err_format(e, buf, sizeof buf);
    fprintf(stderr, "bench-cluster: %s\n", buf);
    return 1;
}

int main(int argc, char **argv)
{
    int jobs = argc > 1 ? atoi(argv[1]) : 1000000;
    int policy = argc > 2 ? aif_name_index(aif_cluster_policy_names, argv[2]) : AIF_POLICY_BACKFILL;
    if (jobs < 1 || policy < 0) {
        fprintf(stderr, "usage: aifsim-bench-cluster [jobs] [fifo|backfill|fairshare|sjf|srtf|las] [reference|links|links-closed]\n");
        return 2;
    }
    aif_catalog *cat;
    aif_err e;
    if (aif_catalog_load_builtin(&cat, &e))
        return fail(&e);
    static aif_scenario s;
    const char *mode = argc > 3 ? argv[3] : "";
    bool links = !strncmp(mode, "links", 5);
    const char *y = links ? "name: bench-cluster\ncluster: {system: dgx-h100, gpus: 100000, network: {oversubscription: 4}}\n"
                            "model: llama3-8b\ntrain: {tp: 1, pp: 1, gbs: 50000, seq: 8192}\n"
                          : "name: bench-cluster\ncluster: {system: dgx-h100, gpus: 100000}\nmodel: llama3-8b\n"
                            "train: {tp: 1, pp: 1, gbs: 50000, seq: 8192}\n";
    if (aif_scenario_parse_sections(cat, y, strlen(y), "bench", NULL, 0, AIF_SECTION_CLUSTER | AIF_SECTION_OPS, &s,
                                    &e))
        return fail(&e);
    aif_ops *op = &s.ops;
    op->policy = policy;
    aif_synth_spec sp = {jobs, 17600, 1024, 1, 1800, 1, 16, 1, 0};
    aif_job_list jl;
    if (aif_jobs_synth(&sp, &jl, &e))
        return fail(&e);
    aif_csim_in in = {.ops = op, .jobs = &jl, .idle_W = 0, .busy_gpu_W = 1000,
                      .reference = !strcmp(mode, "reference"), .links_closed_form = !strcmp(mode, "links-closed")};
    if (aif_csim_topo_from(&s.cluster, &in.topo, &e))
        return fail(&e);
    static aif_cluster_result r;
    double t0 = now_s();
    if (aif_csim_run(&in, &r, &e))
        return fail(&e);
    double t1 = now_s();
    printf("{\"bench\": \"1M jobs\", \"jobs\": %d, \"gpus\": %d, \"policy\": \"%s%s%s\", \"wall_s\": %.3f, "
           "\"jobs_per_s\": %.0f, \"utilization\": %.3f, \"makespan_h\": %.1f, \"interruptions\": %ld, "
           "\"multi_leaf_jobs\": %ld, \"slowdown_mean\": %.4f}\n",
           jobs, r.gpus, aif_cluster_policy_names[policy], mode[0] ? " " : "", mode, t1 - t0,
           jobs / (t1 - t0), r.gpu_utilization,
           r.makespan_s / 3600, r.interruptions, r.multi_leaf_jobs, r.slowdown_mean);
    aif_job_list_free(&jl);

    aif_override ov[] = {{"operations.horizon", "54d", "bench"}};
    if (aif_scenario_load_sections(cat, NULL, ov, 1, AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e))
        return fail(&e);
    static aif_cluster_run run;
    aif_cluster_opts co = {.load = AIF_LOAD_DEFAULT_JOB};
    t0 = now_s();
    if (aif_run_cluster(cat, &s, &co, &run, &e))
        return fail(&e);
    t1 = now_s();
    printf("{\"bench\": \"llama3\", \"days\": 54, \"wall_s\": %.4f, \"interruptions\": %ld, \"ettr\": %.4f}\n",
           t1 - t0, run.r.interruptions, run.r.ettr);
    aif_catalog_free(cat);
    return 0;
}
