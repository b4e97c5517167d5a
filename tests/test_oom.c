/* test_oom.c -- every out-of-memory path of the library runs, and fails cleanly.
 *
 * Linked with -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup against
 * the static library, so every allocation libaifsim's own objects make comes here
 * (those of libyaml, json-c and libc inside themselves do not).  Each case runs once
 * to count its allocations, then once per allocation with that one failing: the
 * call must return AIF_ENOMEM with a message (or NULL where that is the documented
 * answer), never succeed with a part silently missing, and never crash; the
 * sanitizer build's leak check catches what a failed path forgot to free, and a
 * private TMPDIR that must end empty the files it forgot.  The first argument is
 * the source tree (data/ files). */
#include "aifsim/aifsim.h"
#include "aifsim/report.h"
#include "aifsim/run.h"
#include "aifsim/sim.h"
#include "aifsim/sweep.h"
#include "aifsim/validate.h"
#include "ops/jobs.h"
#include "serve/requests.h"
#include "serve/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__wrap_strdup(const char *s);

/* counted atomically: a sweep's worker threads allocate beside the calling thread, and a
 * lost increment would leave an allocation unnumbered and its failure never injected */
static long n_allocs;   /* allocations since the case started */
static long fail_at;    /* the allocation that fails (1-based); 0 = none */
static int failed;      /* the injected failure happened */

static int fail_now(void)
{
    if (__atomic_add_fetch(&n_allocs, 1, __ATOMIC_SEQ_CST) != __atomic_load_n(&fail_at, __ATOMIC_SEQ_CST))
        return 0;
    __atomic_store_n(&failed, 1, __ATOMIC_SEQ_CST);
    return 1;
}
void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t n, size_t size) { return fail_now() ? NULL : __real_calloc(n, size); }
void *__wrap_realloc(void *p, size_t n) { return fail_now() ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return fail_now() ? NULL : __real_strdup(s); }

static const char *src_dir = ".";
static char work_dir[256];     /* TMPDIR of the library's temporary files: must end empty */
static aif_catalog *cat;
static aif_scenario small;     /* a 16-GPU job the simulator runs in milliseconds */
static int n_bad;

/* A case: prep (allocations not counted, never failing) sets up what run needs;
 * run makes the library calls under test and returns the rc they ended with;
 * done (not counted) frees what a successful run made. */
typedef struct oom_case {
    const char *name;
    void (*prep)(void);
    aif_rc (*run)(aif_err *e);
    void (*done)(void);
} oom_case;

static aif_catalog *made_cat;
static void done_catalog(void);
static aif_rc run_catalog(aif_err *e)
{
    aif_rc rc = aif_catalog_load_builtin(&made_cat, e);
    if (rc == AIF_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/validation/extra-models.yaml", src_dir);
        rc = aif_catalog_add_file(made_cat, path, e);
        if (rc != AIF_OK)
            done_catalog();   /* a failed add leaves the catalog to its owner */
    }
    return rc;
}
static void done_catalog(void)
{
    aif_catalog_free(made_cat);
    made_cat = NULL;
}

static aif_scenario scen;
static aif_rc run_scenario(aif_err *e)
{
    static const aif_override ov[] = {{"train.recompute", "selective", "--recompute"}};
    char path[4096];
    snprintf(path, sizeof path, "%s/data/scenarios/mixtral-8x7b.yaml", src_dir);
    aif_rc rc = aif_scenario_load(cat, NULL, ov, 1, &scen, e);
    if (rc == AIF_OK)
        rc = aif_scenario_load(cat, path, NULL, 0, &scen, e);
    return rc;
}

static aif_train_result res;
static aif_rc run_estimate(aif_err *e) { return aif_estimate(&small, &res, e); }
static aif_rc run_simulate(aif_err *e)
{
    static aif_sim_stats st;
    return aif_simulate(&small, NULL, &res, &st, e);
}

/* A larger job, every replica its own timeline, with a Chrome trace. */
static aif_scenario mid;
static aif_rc run_simulate_full(aif_err *e)
{
    static aif_sim_stats st;
    char trace[300];
    snprintf(trace, sizeof trace, "%s/trace.json", work_dir);
    aif_trace tr = {0};
    aif_sim_opts o = {.full = true, .trace = &tr};
    aif_rc rc = aif_simulate(&mid, &o, &res, &st, e);
    if (rc == AIF_OK)
        rc = aif_trace_write(&tr, trace, e);
    aif_trace_free(&tr);
    remove(trace);
    return rc;
}

static aif_train_run run;
static aif_rc run_pipeline(aif_err *e)
{
    aif_run_opts o = {.engine = AIF_ENGINE_SIM, .scaling = true};   /* every stage: the searches too */
    return aif_run_train(cat, &small, &o, &run, e);
}

static char *json;
static void prep_json(void)
{
    aif_err e;
    aif_run_opts o = {.engine = AIF_ENGINE_ESTIMATE, .scaling = true};   /* the HTML report plots the curve */
    if (aif_run_train(cat, &small, &o, &run, &e) != AIF_OK)
        abort();
}
static aif_rc run_site(aif_err *e) { return aif_run_site(cat, &small, &run, e); }
static aif_rc run_json(aif_err *e)
{
    json = aif_report_train_json(&run);
    if (!json) {
        snprintf(e->msg, sizeof e->msg, "out of memory");   /* the documented answer: NULL */
        return AIF_ENOMEM;
    }
    return AIF_OK;
}
static void done_json(void)
{
    free(json);
    json = NULL;
}

static aif_validation val;
static aif_rc run_validate(aif_err *e)
{
    static const char csv[] =
        "id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured,flops_convention,source\n"
        "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,source a\n"
        "b,llama3-70b,dgx-h100,64,4,2,1,128,4096,tflops_per_gpu,400,megatron,source b\n";
    return aif_validate_csv(cat, csv, sizeof csv - 1, "t.csv", &val, e);
}
static void done_validate(void) { aif_validation_free(&val); }

/* The leave-one-source-out run (aifsim validate --holdout source) on a two-source table. */
static aif_holdout ho;
static char ho_path[200];
static void prep_holdout(void)
{
    if (!ho_path[0]) {
        snprintf(ho_path, sizeof ho_path, "%.180s/holdout.csv", work_dir);
        FILE *f = fopen(ho_path, "w");
        if (!f)
            abort();
        fputs("id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured,flops_convention,source,notes\n"
              "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,\"P, table 1\",mbs ASSUMED\n"
              "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,2,,owner/repo file,\n", f);
        fclose(f);
    }
}
static aif_rc run_holdout(aif_err *e) { return aif_validate_holdout(cat, ho_path, AIF_ENGINE_ESTIMATE, &ho, e); }
static void done_holdout(void) { aif_holdout_free(&ho); }

/* A scenario with an hourly carbon file (read when the scenario is loaded), and its site. */
static aif_scenario carbon;
static aif_facility_result fac;
static char carbon_path[200];
static void prep_carbon(void)
{
    if (!carbon_path[0]) {
        snprintf(carbon_path, sizeof carbon_path, "%.180s/carbon.csv", work_dir);
        FILE *f = fopen(carbon_path, "w");
        if (!f)
            abort();
        fputs("hour,g_per_kWh\n", f);
        for (int h = 0; h < 3000; h++)   /* enough lines to grow the table a few times */
            fprintf(f, "%d,%d\n", h, 100 + h % 300);
        fclose(f);
    }
    aif_err e;
    if (aif_estimate(&small, &res, &e) != AIF_OK)
        abort();
}
static aif_rc run_carbon(aif_err *e)
{
    const aif_override ov = {"facility.carbon", carbon_path, "--set facility.carbon"};
    aif_rc rc = aif_scenario_load(cat, "llama3-8b-8gpu", &ov, 1, &carbon, e);
    return rc ? rc : aif_facility_eval(&carbon, aif_catalog_facility(cat), &res, &fac, e);
}
static void done_carbon(void) { remove(carbon_path); }

/* One collective on the cluster's network, and the nccl-tests table reader. */
static aif_rc run_coll_sim(aif_err *e)
{
    aif_coll_sim *c;
    aif_rc rc = aif_coll_sim_new(&small.cluster, &c, e);
    if (rc != AIF_OK)
        return rc;
    aif_coll_algo used;
    double t = aif_coll_sim_time(c, AIF_COLL_ALLREDUCE, 16, 1 << 26, AIF_ALGO_AUTO, &used);
    aif_coll_sim_free(c);
    if (t != t) {   /* NaN: the pattern could not be made */
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return AIF_ENOMEM;
    }
    return AIF_OK;
}
static aif_rc run_coll_csv(aif_err *e)
{
    size_t len;
    const char *csv = aif_builtin_collectives_csv(&len);
    aif_rc rc = aif_validate_collectives_csv(cat, csv, len, "collectives.csv", &val, e);
    return rc;
}

/* A serving validation table: one row run, one skipped. */
static aif_serve_validation serve_val;
static aif_rc run_serve_csv(aif_err *e)
{
    static const char csv[] =
        "id,model,gpu,system,gpus,tp,pp,ep,precision,kv_precision,mode,input_tokens,output_tokens,qps,concurrency,"
        "metric,value,unit_note,software,source,notes\n"
        "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,512,128,2,,ttft_p99_s,0.1,per deployment,e,s,\n"
        "g,llama2-70b,npu-x,,8,,,,fp8,,offline,512,128,,,requests_per_s,1,per system,e,s,\n";
    return aif_validate_serve_csv(cat, csv, sizeof csv - 1, "infer.csv", &serve_val, e);
}
static void done_serve_csv(void) { aif_serve_validation_free(&serve_val); }

/* The cluster job traces: each format's sample (tests/data/jobs/), PAI from both tables. */
static aif_rc run_job_traces(aif_err *e)
{
    static const char *const file[] = {"philly_cluster_job_log.json", "helios_cluster_log.csv",
                                       "acme_trace_seren.csv", "pai_task_table.csv"};
    static const int format[] = {AIF_TRACE_PHILLY, AIF_TRACE_HELIOS, AIF_TRACE_ACME, AIF_TRACE_PAI};
    char path[4200];
    for (int k = 0; k < 5; k++) {
        if (k < 4)
            snprintf(path, sizeof path, "%s/tests/data/jobs/%s", src_dir, file[k]);
        else
            snprintf(path, sizeof path, "%s/tests/data/jobs/pai_job_table.csv,%s/tests/data/jobs/pai_task_table.csv",
                     src_dir, src_dir);
        aif_job_list l;
        aif_rc rc = aif_jobs_read(path, k < 4 ? format[k] : AIF_TRACE_PAI, 0, &l, NULL, e);
        if (rc)
            return rc;
        aif_job_list_free(&l);
    }
    return AIF_OK;
}

/* The step graph listing, the HTML report, the simulated network's JSON, the power checks. */
static aif_rc run_graph_text(aif_err *e)
{
    FILE *f = fopen("/dev/null", "w");
    if (!f)
        abort();
    aif_graph_timing gt;
    aif_rc rc = aif_graph_timing_eval(&small, &gt, e);
    if (rc == AIF_OK)
        aif_report_graph_text(f, &gt);
    aif_graph_timing_free(&gt);
    fclose(f);
    return rc;
}
static aif_rc run_html(aif_err *e)
{
    char path[300];
    snprintf(path, sizeof path, "%s/report.html", work_dir);
    aif_rc rc = aif_report_html(path, &run, e);
    remove(path);
    return rc;
}
static void prep_json_sim(void)
{
    aif_err e;
    aif_run_opts o = {.engine = AIF_ENGINE_SIM};
    if (aif_run_train(cat, &small, &o, &run, &e) != AIF_OK)
        abort();
}
static aif_rc run_json_sim(aif_err *e)
{
    json = aif_report_train_json(&run);
    if (!json) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return AIF_ENOMEM;
    }
    return AIF_OK;
}
static aif_rc run_power_checks(aif_err *e)
{
    static aif_power_row rows[64];
    return aif_validate_power(cat, rows, 64, e) < 0 ? e->rc : AIF_OK;
}

/* A small serving run (aif_run_serve: memory, requests, the event loop, power, money)
 * and its JSON; and a trace parsed with hash ids. */
static aif_scenario serve_s;
static aif_serve_run serve_run;
static void prep_serve(void)
{
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "serve: {tp: 2, replicas: 2, requests: 30, qps: 20, input_tokens: {dist: uniform, mean: 300},"
                    " output_tokens: 12, gpu_memory_fraction: 0.2}\n";
    if (aif_scenario_parse_sections(cat, y, strlen(y), "serve", NULL, 0,
                                    AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE,
                                    &serve_s, &e) != AIF_OK)
        abort();
}
static aif_rc run_serve(aif_err *e) { return aif_run_serve(cat, &serve_s, NULL, &serve_run, e); }
static void prep_serve_json(void)
{
    aif_err e;
    prep_serve();
    if (aif_run_serve(cat, &serve_s, NULL, &serve_run, &e) != AIF_OK)
        abort();
}
static aif_rc run_serve_json(aif_err *e)
{
    json = aif_report_serve_json(&serve_run);
    if (!json) {
        snprintf(e->msg, sizeof e->msg, "out of memory");
        return AIF_ENOMEM;
    }
    return AIF_OK;
}
/* A Mooncake trace's text parsed and served on scenario s. */
static aif_rc serve_text(const aif_scenario *s, const char *t, size_t n, aif_err *e)
{
    aif_req_stream rq;
    aif_rc rc = aif_requests_parse(t, n, "t.jsonl", 0, &rq, e);
    if (rc)
        return rc;
    aif_serve_result r;
    rc = aif_serve_simulate(s, &rq, 2000, NULL, &r, e);
    aif_requests_free(&rq);
    return rc;
}
static aif_rc run_trace(aif_err *e)
{
    static const char t[] = "{\"timestamp\": 0, \"input_length\": 900, \"output_length\": 5, \"hash_ids\": [1, 2]}\n"
                            "{\"timestamp\": 5, \"input_length\": 700, \"output_length\": 5, \"hash_ids\": [1, 3]}\n";
    return serve_text(&serve_s, t, sizeof t - 1, e);
}

/* A trace on the new paths: the cache-aware router's record, the scheduler one batch
 * ahead (its held requests), pp 2 (virtual engines, their stages) and a 1:1 split (the
 * caches' flows on the network model). */
static aif_rc run_trace_paths(aif_err *e)
{
    static const char t[] = "{\"timestamp\": 0, \"input_length\": 900, \"output_length\": 5, \"hash_ids\": [1, 2]}\n"
                            "{\"timestamp\": 5, \"input_length\": 700, \"output_length\": 5, \"hash_ids\": [1, 3]}\n"
                            "{\"timestamp\": 6, \"input_length\": 300, \"output_length\": 5, \"hash_ids\": [1]}\n";
    static aif_scenario w;
    w = serve_s;
    w.serve.router = AIF_ROUTER_CACHE_AWARE;
    w.serve.overlap_schedule = true;
    w.serve.pp = 2;
    w.serve.disagg.prefill = w.serve.disagg.decode = 1;
    return serve_text(&w, t, sizeof t - 1, e);
}

/* The best-layout search: a small space, ranked by cost (the site's figures), its top
 * two re-ranked by the simulator; then a job with a field written auto. */
static aif_scenario searched;
static aif_search_run srun;
static aif_rc run_search(aif_err *e)
{
    aif_search_opts o = {.objective = AIF_OBJ_COST, .top = 2, .engine = AIF_ENGINE_SIM};
    aif_best_space_all(&o.space);
    o.space.tp = 2;
    aif_rc rc = aif_run_search(cat, &searched, &o, &srun, e);
    if (rc == AIF_OK)
        rc = aif_run_train(cat, &searched, NULL, &run, e);
    return rc;
}

/* A sweep of two points (one the model rejects) into a store and a CSV, on one thread:
 * parsing the sweep file, the store, each point's pipeline, JSON and record, the commit
 * and the export.  The files are removed after every run, failed or not. */
static aif_rc run_sweep(aif_err *e)
{
    static const char y[] = "base: neutral\naxes:\n  train.tp: [1, 3]\n  cluster.gpu: [h100-sxm]\n";
    char db[300], csv[300], side[320];
    /* in memory where the machine has it: a store's creation and close wait for the disk */
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : work_dir;
    snprintf(db, sizeof db, "%s/aifsim-oom-%ld.db", dir, (long)getpid());
    snprintf(csv, sizeof csv, "%s/s.csv", work_dir);
    aif_sweep *sw;
    aif_rc rc = aif_sweep_parse(y, sizeof y - 1, "sweep.yaml", &sw, e);
    if (rc)
        return rc;
    const aif_sweep_opts o = {.jobs = 1, .csv = csv,
                              .writers = {aif_report_train_json, aif_report_facility_json, aif_report_serve_json}};
    aif_sweep_status st;
    rc = aif_sweep_run(cat, sw, db, &o, &st, e);
    if (!rc && (st.done != 2 || st.rejected != 1)) {
        snprintf(e->msg, sizeof e->msg, "sweep: %ld run, %ld rejected (expected 2, 1)", st.done, st.rejected);
        rc = AIF_EINTERNAL;
    }
    aif_sweep_free(sw);
    remove(db);
    remove(csv);
    snprintf(side, sizeof side, "%s-wal", db);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", db);
    remove(side);
    return rc;
}

/* The sweep report: a store of a small sweep made once (not counted), then its summary
 * read and drawn with each allocation failing. */
static char report_db[300];
static void prep_sweep_report(void)
{
    static const char y[] = "base: neutral\naxes:\n  train.tp: [1, 2, 3]\n  train.gbs: [8, 16]\n";
    aif_err e;
    aif_sweep *sw;
    if (report_db[0])
        return;
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : work_dir;
    snprintf(report_db, sizeof report_db, "%s/aifsim-oom-report-%ld.db", dir, (long)getpid());
    const aif_sweep_opts o = {.jobs = 1,
                              .writers = {aif_report_train_json, aif_report_facility_json, aif_report_serve_json}};
    if (aif_sweep_parse(y, sizeof y - 1, "sweep.yaml", &sw, &e) != AIF_OK ||
        aif_sweep_run(cat, sw, report_db, &o, NULL, &e) != AIF_OK)
        abort();
    aif_sweep_free(sw);
}
static aif_rc run_sweep_report(aif_err *e)
{
    char path[300];
    snprintf(path, sizeof path, "%s/sweep.html", work_dir);
    aif_sweep_summary sum;
    aif_rc rc = aif_sweep_summary_load(report_db, &sum, e);
    if (rc)
        return rc;
    rc = aif_report_sweep_html(path, &sum, e);
    aif_sweep_summary_free(&sum);
    remove(path);
    return rc;
}
static void done_sweep_report(void)
{
    char side[320];
    remove(report_db);
    snprintf(side, sizeof side, "%s-wal", report_db);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", report_db);
    remove(side);
}

/* The many-job cluster: a small synthetic load with failures, the facility's power
 * over time and the JSON writer. */
static aif_scenario cluster_s;
static aif_cluster_run cluster_run;
static void prep_cluster(void)
{
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {tp: 8}\n"
                    "operations: {load: synthetic, horizon: 1d, synthetic: {jobs: 40, max_gpus: 16}}\n";
    if (aif_scenario_parse_sections(cat, y, strlen(y), "cluster", NULL, 0, AIF_SECTION_ALL | AIF_SECTION_OPS,
                                    &cluster_s, &e) != AIF_OK)
        abort();
}
static aif_rc run_cluster(aif_err *e)
{
    const aif_cluster_opts o = {.load = AIF_LOAD_SYNTHETIC};
    aif_rc rc = aif_run_cluster(cat, &cluster_s, &o, &cluster_run, e);
    if (rc == AIF_OK) {
        json = aif_report_cluster_json(&cluster_run);
        if (!json) {
            snprintf(e->msg, sizeof e->msg, "out of memory");   /* the documented answer: NULL */
            return AIF_ENOMEM;
        }
        free(json);
        json = NULL;
    }
    return rc;
}

static const oom_case cases[] = {
    {"sweep", NULL, run_sweep, NULL},
    {"sweep_html", prep_sweep_report, run_sweep_report, NULL},
    {"search", NULL, run_search, NULL},
    {"run_serve", prep_serve, run_serve, NULL},
    {"serve_json", prep_serve_json, run_serve_json, done_json},
    {"serve_trace", prep_serve, run_trace, NULL},
    {"serve_paths", prep_serve, run_trace_paths, NULL},
    {"catalog", NULL, run_catalog, done_catalog},
    {"scenario", NULL, run_scenario, NULL},
    {"estimate", NULL, run_estimate, NULL},
    {"simulate", NULL, run_simulate, NULL},
    {"sim_full", NULL, run_simulate_full, NULL},
    {"run_train", NULL, run_pipeline, NULL},
    {"run_site", NULL, run_site, NULL},
    {"json", prep_json, run_json, done_json},
    {"json_sim", prep_json_sim, run_json_sim, done_json},
    {"graph", NULL, run_graph_text, NULL},
    {"html", prep_json, run_html, NULL},
    {"power", NULL, run_power_checks, NULL},
    {"validate", NULL, run_validate, done_validate},
    {"holdout", prep_holdout, run_holdout, done_holdout},   /* the file is removed at the end */
    {"carbon", prep_carbon, run_carbon, NULL},   /* the file is removed at the end */
    {"coll_sim", NULL, run_coll_sim, NULL},
    {"coll_csv", NULL, run_coll_csv, done_validate},
    {"serve_csv", NULL, run_serve_csv, done_serve_csv},
    {"job_traces", NULL, run_job_traces, NULL},
    {"cluster", prep_cluster, run_cluster, NULL},
};

/* Runs one case with allocation `at` failing (0: none); returns its rc. */
static aif_rc run_once(const oom_case *c, long at, long *count, aif_err *e)
{
    memset(e, 0, sizeof *e);
    fail_at = 0;
    if (c->prep)
        c->prep();
    n_allocs = 0;
    failed = 0;
    fail_at = at;
    aif_rc rc = c->run(e);
    fail_at = 0;
    *count = n_allocs;
    if (rc == AIF_OK && c->done)
        c->done();
    return rc;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        src_dir = argv[1];
    const char *tmp = getenv("TMPDIR");
    snprintf(work_dir, sizeof work_dir, "%s/aifsim-oom-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(work_dir) || setenv("TMPDIR", work_dir, 1) != 0)
        return 2;
    aif_err e;
    if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
        return 2;
    static const aif_override ov[] = {{"cluster.gpus", "16", NULL}, {"train.tp", "4", NULL},
                                      {"train.pp", "2", NULL}, {"train.gbs", "16", NULL}};
    if (aif_scenario_load(cat, NULL, ov, 4, &small, &e) != AIF_OK) {
        char buf[1400];
        aif_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "test_oom: %s\n", buf);
        return 2;
    }
    static const aif_override ov_mid[] = {{"cluster.gpus", "64", NULL}, {"train.tp", "2", NULL},
                                          {"train.pp", "4", NULL}, {"train.gbs", "32", NULL},
                                          {"model", "mixtral-8x7b", NULL}, {"train.ep", "4", NULL}};
    if (aif_scenario_load(cat, NULL, ov_mid, 6, &mid, &e) != AIF_OK) {
        char buf[1400];
        aif_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "test_oom: %s\n", buf);
        return 2;
    }
    static const aif_override ov_search[] = {{"model", "llama3-8b", NULL}, {"cluster.gpus", "8", NULL},
                                             {"train.gbs", "8", NULL}, {"train.tp", "auto", NULL},
                                             {"train.pp", "2", NULL}};
    if (aif_scenario_load(cat, NULL, ov_search, 5, &searched, &e) != AIF_OK) {
        char buf[1400];
        aif_err_format(&e, buf, sizeof buf);
        fprintf(stderr, "test_oom: %s\n", buf);
        return 2;
    }
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const oom_case *c = &cases[k];
        long total;
        if (run_once(c, 0, &total, &e) != AIF_OK) {
            fprintf(stderr, "test_oom: %s fails without injection: %s\n", c->name, e.msg);
            return 1;
        }
        long n_ok = 0;
        for (long at = 1; at <= total; at++) {
            long count;
            aif_rc rc = run_once(c, at, &count, &e);
            if (rc == AIF_OK) {
                /* a failure swallowed: the result is missing a part (as the HTML report's
                 * plots once were) or the allocation was not needed */
                fprintf(stderr, "test_oom: %s, allocation %ld of %ld failing: the call succeeded\n", c->name, at,
                        total);
                n_ok++;
                n_bad++;
            } else if (rc != AIF_ENOMEM || !e.msg[0]) {
                fprintf(stderr, "test_oom: %s, allocation %ld of %ld failing: rc %d (%s), expected AIF_ENOMEM\n",
                        c->name, at, total, rc, e.msg);
                n_bad++;
            }
        }
        printf("%-10s %5ld allocations, each failed once: %ld AIF_ENOMEM, %ld swallowed\n", c->name, total,
               total - n_ok, n_ok);
    }
    done_carbon();
    if (ho_path[0])
        remove(ho_path);
    done_sweep_report();
    aif_catalog_free(cat);
    if (rmdir(work_dir) != 0) {   /* a failed path left a temporary file behind */
        fprintf(stderr, "test_oom: files left in %s\n", work_dir);
        n_bad++;
    }
    return n_bad ? 1 : 0;
}
