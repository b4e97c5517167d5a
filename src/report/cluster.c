/* cluster.c (report) -- a many-job cluster run (aifsim cluster) as text and JSON.
 * Formats only: every figure comes from aif_cluster_run as the pipeline computed it. */
#include "aifsim/cluster.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "report/format.h"
#include "report/json.h"

#include <stdlib.h>
#include <string.h>

static const char *const load_names[] = {"default job", "trace", "synthetic"};

/* A duration as people read it: s, min, h or d with three significant digits. */
static void fmt_dur(char *b, size_t n, double s)
{
    if (s < 120)
        aif_fmt_si(b, n, s, "s");
    else if (s < 7200)
        snprintf(b, n, "%.3g min", s / 60);
    else if (s < 172800)
        snprintf(b, n, "%.3g h", s / 3600);
    else
        snprintf(b, n, "%.3g d", s / 86400);
}

void aif_report_cluster_text(FILE *f, const aif_cluster_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_ops *op = &s->ops;
    const aif_cluster_result *r = &run->r;
    char a[32], b[32], c[32], d[32];
    aif_report_header_text(f, s, "cluster");
    fputc('\n', f);
    aif_fmt_count(a, sizeof a, r->gpus);
    fprintf(f, "  cluster  %s x %s", a, s->cluster.gpu.name);
    if (s->cluster.system.name[0])
        fprintf(f, " in %s", s->cluster.system.name);
    fprintf(f, ": %d nodes of %d, %d per leaf group (%d), %d per pod (%d); %d hot spare nodes\n", r->nodes,
            r->gpus_per_node, r->nodes_per_leaf, r->leaves, r->nodes_per_pod, r->pods,
            op->failures ? op->spare_nodes : 0);
    fmt_dur(a, sizeof a, op->horizon_s);
    fprintf(f, "  load     %s (%s), policy %s, placement %s, %s%s, seed %llu\n", load_names[run->load], run->source,
            aif_cluster_policy_names[op->policy], aif_placement_names[op->placement],
            op->horizon_s > 0 ? "horizon " : "until the last job ends", op->horizon_s > 0 ? a : "", op->seed);
    aif_fmt_count(a, sizeof a, (double)r->jobs);
    aif_fmt_count(b, sizeof b, (double)r->jobs_ended);
    aif_fmt_count(c, sizeof c, (double)r->jobs_unfinished);
    fprintf(f, "  jobs     %s submitted, %s ended, %s unfinished", a, b, c);
    if (run->skipped)
        fprintf(f, " (%ld trace rows not a run, skipped)", run->skipped);
    fputc('\n', f);
    if (r->jobs_ended) {
        fmt_dur(a, sizeof a, r->jct_mean_s);
        fmt_dur(b, sizeof b, r->jct_p50_s);
        fmt_dur(c, sizeof c, r->jct_p99_s);
        fprintf(f, "  JCT      mean %s, p50 %s, p99 %s\n", a, b, c);
    }
    fmt_dur(a, sizeof a, r->queue_wait_mean_s);
    fmt_dur(b, sizeof b, r->makespan_s);
    fprintf(f, "  queue    wait mean %s; makespan %s\n", a, b);
    fprintf(f, "  GPUs     utilisation %.1f%%, fragmentation %.1f%% of free GPUs on partly used nodes\n",
            100 * r->gpu_utilization, 100 * r->fragmentation);
    fprintf(f, "  place    step-time factor %.3f (GPU-weighted); jobs over several leaves %ld, over several pods %ld\n",
            r->slowdown_mean, r->multi_leaf_jobs, r->multi_pod_jobs);
    fprintf(f, "  failures %ld component failures, %ld job interruptions:", r->failures, r->interruptions);
    for (int k = 0; k < AIF_N_FAIL; k++)
        fprintf(f, "%s %s %ld", k ? "," : "", aif_failure_class_names[k], r->by_cause[k]);
    fprintf(f, "\n           %ld hot-spare swaps, %ld requeues, %ld preemptions\n", r->spare_swaps, r->requeues,
            r->preemptions);
    if (r->elastic_jobs)
        fprintf(f, "  elastic  %ld jobs, %ld resizes\n", r->elastic_jobs, r->resizes);
    if (r->serve_gpus > 0)
        fprintf(f, "  serving  %d replicas on %d GPUs (the serving model), %.0f W per GPU at the facility\n",
                r->serve_replicas, r->serve_gpus, r->serve_gpu_W);
    aif_fmt_si(a, sizeof a, r->ckpt_bytes, "B");
    fmt_dur(b, sizeof b, r->ckpt_interval_s);
    fmt_dur(c, sizeof c, r->young_daly_s);
    fmt_dur(d, sizeof d, r->mtbf_s);
    fprintf(f, "  ckpt     %s every %s (Young/Daly %s), MTBF %s of the largest job; ", a, b, c, d);
    fmt_dur(a, sizeof a, r->ckpt_write_s);
    aif_fmt_si(b, sizeof b, op->storage == AIF_STORAGE_NVME ? op->nvme_bw_Bps : op->storage_bw_Bps, "B/s");
    fprintf(f, "write %s on %s (%s%s", a, aif_storage_names[op->storage], b,
            op->storage == AIF_STORAGE_NVME ? " per node" : " shared");
    if (op->storage_source == AIF_CKPT_BW_TIER)
        fprintf(f, ": storage tier %g x %s", s->cluster.storage_units, s->cluster.storage.name);
    else if (op->storage_source == AIF_CKPT_BW_GIVEN)
        fputs(": storage_bw", f);
    fputs(")\n", f);
    aif_fmt_count(a, sizeof a, r->lost_gpu_hours);
    aif_fmt_count(b, sizeof b, r->ckpt_gpu_hours);
    aif_fmt_count(c, sizeof c, r->gpu_hours);
    fprintf(f, "  ETTR     %.1f%%, goodput %.1f%%; GPU-hours %s held, %s lost, %s writing checkpoints\n",
            100 * r->ettr, 100 * r->goodput, c, a, b);
    aif_fmt_si(a, sizeof a, r->power_mean_W, "W");
    aif_fmt_si(b, sizeof b, r->power_peak_W, "W");
    aif_fmt_energy_J(c, sizeof c, r->energy_J);
    aif_fmt_usd(d, sizeof d, r->cost_usd);
    fprintf(f, "  power    mean %s, peak %s; energy %s; cost %s (owned)\n", a, b, c, d);
    if (op->curtail_cap_W > 0 && op->curtail_duration_s > 0) {
        aif_fmt_si(a, sizeof a, op->curtail_cap_W, "W");
        fmt_dur(b, sizeof b, op->curtail_duration_s);
        fmt_dur(c, sizeof c, op->curtail_start_s);
        fprintf(f, "  curtail  %s cap for %s from %s (%s): %ld jobs slipped", a, b, c,
                aif_curtail_mode_names[op->curtail_mode], r->slipped_jobs);
        if (r->slipped_jobs) {
            fmt_dur(a, sizeof a, r->slip_max_s);
            fmt_dur(b, sizeof b, r->slip_total_s);
            fprintf(f, ", most %s, in all %s", a, b);
        }
        fputc('\n', f);
        for (int i = 0; i < r->n_slipped && i < 5; i++) {
            fmt_dur(a, sizeof a, r->slipped[i].slip_s);
            fprintf(f, "           %s slipped %s\n", r->slipped[i].name, a);
        }
    }
    fprintf(f, "  tenants  %-20s %10s %7s %10s %10s\n", "name", "GPU-hours", "share", "energy", "cost");
    for (int i = 0; i < r->n_tenants; i++) {
        const aif_cluster_tenant *t = &r->tenants[i];
        aif_fmt_count(a, sizeof a, t->gpu_hours);
        aif_fmt_energy_J(b, sizeof b, t->energy_J);
        aif_fmt_usd(c, sizeof c, t->cost_usd);
        fprintf(f, "           %-20s %10s %6.1f%% %10s %10s\n", t->name, a, 100 * t->share, b, c);
        if (t->quota_gpus > 0 || t->reserved_gpus > 0) {   /* its terms, where operations.tenants or a quota set them */
            fprintf(f, "           %-20s peak %d GPUs", "", t->peak_gpus);
            if (t->quota_gpus > 0)
                fprintf(f, " of quota %d", t->quota_gpus);
            if (t->reserved_gpus > 0)
                fprintf(f, ", reserved %d used %.1f%%", t->reserved_gpus, 100 * t->reserved_use);
            fputc('\n', f);
        }
    }
}

static json_object *series(const double *v, int n)
{
    json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_double(v[i]));
    return a;
}

char *aif_report_cluster_json(const aif_cluster_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_ops *op = &s->ops;
    const aif_cluster_result *r = &run->r;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object();
    aif_json_str(o, "aifsim_version", AIF_VERSION);
    aif_json_str(o, "scenario", s->name);
    aif_report_base_json(o, s);
    json_object *in = json_object_new_object();
    aif_json_str(in, "load", load_names[run->load]);
    aif_json_str(in, "source", run->source);
    aif_json_str(in, "gpu", s->cluster.gpu.name);
    aif_json_str(in, "system", s->cluster.system.name);
    aif_json_int(in, "gpus", r->gpus);
    aif_json_int(in, "nodes", r->nodes);
    aif_json_int(in, "nodes_per_leaf", r->nodes_per_leaf);
    aif_json_int(in, "nodes_per_pod", r->nodes_per_pod);
    aif_json_str(in, "policy", aif_cluster_policy_names[op->policy]);
    aif_json_str(in, "placement", aif_placement_names[op->placement]);
    aif_json_num(in, "horizon_s", op->horizon_s);
    aif_json_int(in, "seed", (long long)op->seed);
    aif_json_int(in, "spare_nodes", op->spare_nodes);
    aif_json_str(in, "storage", aif_storage_names[op->storage]);
    json_object_object_add(o, "inputs", in);
    aif_json_int(o, "jobs", r->jobs);
    aif_json_int(o, "jobs_ended", r->jobs_ended);
    aif_json_int(o, "jobs_unfinished", r->jobs_unfinished);
    aif_json_int(o, "trace_rows_skipped", run->skipped);
    aif_json_num(o, "jct_mean_s", r->jct_mean_s);
    aif_json_num(o, "jct_p50_s", r->jct_p50_s);
    aif_json_num(o, "jct_p99_s", r->jct_p99_s);
    aif_json_num(o, "queue_wait_mean_s", r->queue_wait_mean_s);
    aif_json_num(o, "gpu_utilization", r->gpu_utilization);
    aif_json_num(o, "makespan_s", r->makespan_s);
    aif_json_num(o, "fragmentation", r->fragmentation);
    json_object *it = json_object_new_object();
    aif_json_int(it, "total", r->interruptions);
    for (int k = 0; k < AIF_N_FAIL; k++)
        aif_json_int(it, aif_failure_class_names[k], r->by_cause[k]);
    json_object_object_add(o, "interruptions", it);
    json_object *fl = json_object_new_object();
    aif_json_int(fl, "total", r->failures);
    for (int k = 0; k < AIF_N_FAIL; k++)
        aif_json_int(fl, aif_failure_class_names[k], r->failures_by_cause[k]);
    json_object_object_add(o, "failures", fl);
    aif_json_int(o, "spare_swaps", r->spare_swaps);
    aif_json_int(o, "requeues", r->requeues);
    aif_json_int(o, "preemptions", r->preemptions);
    aif_json_int(o, "elastic_jobs", r->elastic_jobs);
    aif_json_int(o, "resizes", r->resizes);
    if (r->serve_gpus > 0) {   /* operations.serve */
        json_object *sv = json_object_new_object();
        aif_json_int(sv, "replicas", r->serve_replicas);
        aif_json_int(sv, "gpus", r->serve_gpus);
        aif_json_num(sv, "facility_W_per_gpu", r->serve_gpu_W);
        json_object_object_add(o, "serving", sv);
    }
    aif_json_num(o, "ettr", r->ettr);
    aif_json_num(o, "goodput", r->goodput);
    aif_json_num(o, "gpu_hours", r->gpu_hours);
    aif_json_num(o, "lost_gpu_hours", r->lost_gpu_hours);
    aif_json_num(o, "checkpoint_gpu_hours", r->ckpt_gpu_hours);
    json_object *ck = json_object_new_object();
    aif_json_num(ck, "bytes", r->ckpt_bytes);
    aif_json_num(ck, "write_s", r->ckpt_write_s);
    aif_json_num(ck, "interval_s", r->ckpt_interval_s);
    aif_json_num(ck, "young_daly_s", r->young_daly_s);
    aif_json_num(ck, "mtbf_s", r->mtbf_s);
    aif_json_str(ck, "storage_source", aif_ckpt_bw_source_names[op->storage_source]);
    aif_json_num(ck, "storage_write_bw_Bps", op->storage_bw_Bps);
    aif_json_num(ck, "storage_read_bw_Bps", op->storage_read_bw_Bps);
    aif_json_num(ck, "storage_latency_s", op->storage_lat_s);
    aif_json_str(ck, "storage_tier", op->storage_source == AIF_CKPT_BW_TIER ? s->cluster.storage.name : "");
    json_object_object_add(o, "checkpoint", ck);
    aif_json_num(o, "placement_slowdown_mean", r->slowdown_mean);
    aif_json_int(o, "multi_leaf_jobs", r->multi_leaf_jobs);
    aif_json_int(o, "multi_pod_jobs", r->multi_pod_jobs);
    aif_json_num(o, "energy_J", r->energy_J);
    aif_json_num(o, "cost_usd", r->cost_usd);
    aif_json_num(o, "power_mean_W", r->power_mean_W);
    aif_json_num(o, "power_peak_W", r->power_peak_W);
    json_object *cu = json_object_new_object();
    aif_json_int(cu, "slipped_jobs", r->slipped_jobs);
    aif_json_num(cu, "slip_total_s", r->slip_total_s);
    aif_json_num(cu, "slip_max_s", r->slip_max_s);
    json_object *sl = json_object_new_array();
    for (int i = 0; i < r->n_slipped; i++) {
        json_object *j = json_object_new_object();
        aif_json_str(j, "job", r->slipped[i].name);
        aif_json_num(j, "slip_s", r->slipped[i].slip_s);
        json_object_array_add(sl, j);
    }
    json_object_object_add(cu, "slipped", sl);
    json_object_object_add(o, "curtailment", cu);
    json_object *tn = json_object_new_array();
    for (int i = 0; i < r->n_tenants; i++) {
        json_object *t = json_object_new_object();
        aif_json_str(t, "name", r->tenants[i].name);
        aif_json_int(t, "jobs", r->tenants[i].jobs);
        aif_json_num(t, "gpu_hours", r->tenants[i].gpu_hours);
        aif_json_num(t, "share", r->tenants[i].share);
        aif_json_int(t, "peak_gpus", r->tenants[i].peak_gpus);
        aif_json_int(t, "quota_gpus", r->tenants[i].quota_gpus);
        aif_json_int(t, "reserved_gpus", r->tenants[i].reserved_gpus);
        aif_json_num(t, "reserved_use", r->tenants[i].reserved_use);
        aif_json_num(t, "energy_J", r->tenants[i].energy_J);
        aif_json_num(t, "cost_usd", r->tenants[i].cost_usd);
        json_object_array_add(tn, t);
    }
    json_object_object_add(o, "tenants", tn);
    json_object *ts = json_object_new_object();
    aif_json_num(ts, "dt_s", r->series_dt_s);
    json_object_object_add(ts, "utilization", series(r->util, r->n_series));
    json_object_object_add(ts, "stalled", series(r->stalled, r->n_series));
    json_object_object_add(ts, "queue", series(r->queue, r->n_series));
    json_object_object_add(ts, "down", series(r->down, r->n_series));
    json_object_object_add(ts, "power_W", series(r->power_W, r->n_series));
    json_object_object_add(o, "series", ts);
    json_object_object_add(o, "jct_deciles_s", series(r->jct_decile_s, r->jobs_ended ? 11 : 0));
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
