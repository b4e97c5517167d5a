/* test_classes.c -- the training and serving tables' error by class of run: what `aifsim
 * validate --classes` and `--infer-classes` write (aif_validation_classes_write,
 * aif_validation_serve_classes_write), counted by hand on small tables, and the classes a
 * job falls in, read from the built-in tables: a training job's (aif_job_classes,
 * validation/classes.csv) kind (LoRA; an expert-parallel MoE's dispatcher; dense or MoE),
 * family and stack when each has at least AIF_RUN_CLASS_MIN_RUNS rows, then every run; a
 * serving deployment's (aif_serve_classes, validation/infer_classes.csv) least accurate
 * class per metric group.  That the embedded tables are what the two print today is the
 * ctests validation_classes and validation_infer_classes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/aifsim.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "aifsim/validate.h"
#include "scenario/catalog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

static aif_val_row row(double err, int moe, const char *dispatch, const char *arch, const char *fw, int lora)
{
    aif_val_row r;
    memset(&r, 0, sizeof r);
    strcpy(r.metric, "tokens_per_s_per_gpu");   /* a rate: the error's sign is the bias's */
    r.err = err;
    r.moe = moe;
    strcpy(r.dispatch, dispatch);
    strcpy(r.arch, arch);
    strcpy(r.framework, fw);
    r.lora_rank = lora;
    return r;
}

/* What a classes writer prints for table v, as a string the caller frees. */
static char *written(aif_rc (*write)(const aif_validation *, FILE *, aif_err *), const aif_validation *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    aif_err e;
    assert_int_equal(write(v, f, &e), AIF_OK);
    fclose(f);
    return buf;
}

/* Four rows, every class's median, p90 (linear between ranks) and bias by hand. */
static void test_write(void **state)
{
    (void)state;
    aif_val_row rows[4] = {row(0.10, 0, "", "hopper", "megatron-core", 0), row(-0.05, 0, "", "hopper", "torchtitan", 0),
                           row(0.30, 1, "alltoall", "blackwell", "megatron-core", 0),
                           row(-0.02, 0, "", "blackwell", "megatron-core", 16)};
    aif_validation v = {.rows = rows, .n = 4, .median_ape = 7.5, .p90_ape = 24, .bias_pct = 4};
    char *buf = written(aif_validation_classes_write, &v);
    const char *want = "class,name,runs,median_ape_pct,p90_ape_pct,bias_pct\n"
                       "all,all,4,7.500,24.000,4.000\n"
                       "kind,dense,3,5.000,9.000,-2.000\n"        /* 10 5 2; rates .10 -.05 -.02 */
                       "kind,moe,1,30.000,30.000,30.000\n"
                       "dispatch,alltoall,1,30.000,30.000,30.000\n"
                       "lora,lora,1,2.000,2.000,-2.000\n"
                       "family,blackwell,2,16.000,27.200,14.000\n"  /* 30 2: 2 + 0.9 x 28 */
                       "family,hopper,2,7.500,9.500,2.500\n"
                       "stack,megatron-core,3,10.000,26.000,10.000\n"   /* 2 10 30: 10 + 0.8 x 20 */
                       "stack,torchtitan,1,5.000,5.000,-5.000\n";
    assert_string_equal(buf, want);
    free(buf);
}

static aif_val_row srow(const char *metric, double err, const char *sched, const char *arch, int moe)
{
    aif_val_row r = row(err, moe, "", arch, sched, 0);
    strcpy(r.metric, metric);
    return r;
}

/* The serving writer on five rows, by hand: each metric group (throughput; TTFT; TPOT with
 * the time between tokens) apart, schedulers and families within dense and MoE models
 * apart, a class with no row left out, a time's bias taken as its rate's (measured /
 * predicted - 1). */
static void test_serve_write(void **state)
{
    (void)state;
    aif_val_row rows[5] = {srow("throughput_tokens_per_s", 0.10, "no_evict", "hopper", 0),
                           srow("throughput_tokens_per_s", -0.20, "sglang", "hopper", 1),
                           srow("ttft_p50_s", 0.25, "no_evict", "hopper", 0),      /* rate 1/1.25 - 1 = -20% */
                           srow("itl_p50_s", -0.50, "sglang", "blackwell", 0),     /* rate 1/0.5 - 1 = +100% */
                           srow("tpot_mean_s", 0.10, "no_evict", "hopper", 0)};    /* rate 1/1.1 - 1 = -9.091% */
    aif_validation v = {.rows = rows, .n = 5};
    char *buf = written(aif_validation_serve_classes_write, &v);
    const char *want = "class,name,runs,median_ape_pct,p90_ape_pct,bias_pct\n"
                       "throughput,all,2,15.000,19.000,-5.000\n"     /* 10 20: 10 + 0.9 x 10; rates +.10 -.20 */
                       "throughput-kind,dense,1,10.000,10.000,10.000\n"
                       "throughput-kind,moe,1,20.000,20.000,-20.000\n"
                       "throughput-kind-scheduler,dense/no_evict,1,10.000,10.000,10.000\n"
                       "throughput-kind-family,dense/hopper,1,10.000,10.000,10.000\n"
                       "throughput-kind-scheduler,moe/sglang,1,20.000,20.000,-20.000\n"
                       "throughput-kind-family,moe/hopper,1,20.000,20.000,-20.000\n"
                       "ttft,all,1,25.000,25.000,-20.000\n"
                       "ttft-kind,dense,1,25.000,25.000,-20.000\n"
                       "ttft-kind-scheduler,dense/no_evict,1,25.000,25.000,-20.000\n"
                       "ttft-kind-family,dense/hopper,1,25.000,25.000,-20.000\n"
                       "tpot,all,2,30.000,46.000,45.455\n"            /* 10 50: 10 + 0.9 x 40; (100 - 9.091) / 2 */
                       "tpot-kind,dense,2,30.000,46.000,45.455\n"
                       "tpot-kind-scheduler,dense/no_evict,1,10.000,10.000,-9.091\n"
                       "tpot-kind-scheduler,dense/sglang,1,50.000,50.000,100.000\n"
                       "tpot-kind-family,dense/blackwell,1,50.000,50.000,100.000\n"
                       "tpot-kind-family,dense/hopper,1,10.000,10.000,-9.091\n";
    assert_string_equal(buf, want);
    free(buf);
    assert_string_equal(aif_serve_metric_group("requests_per_s"), "throughput");
    assert_string_equal(aif_serve_metric_group("itl_p99_s"), "tpot");
}

static int load(const char *yaml, aif_scenario *s)
{
    aif_err e;
    aif_rc rc = aif_scenario_parse(cat, yaml, strlen(yaml), "job.yaml", NULL, 0, s, &e);
    if (rc)
        fail_msg("%s", e.msg);
    return rc;
}

/* The line of class cls and name in an embedded table, its runs and median (-1: none). */
static int in_table_runs(const char *t, const char *cls, const char *name, double *median)
{
    assert_non_null(t);
    char key[512];
    snprintf(key, sizeof key, "\n%s,%s,", cls, name);
    const char *p = strstr(t, key);
    if (!p)
        return -1;
    int runs;
    assert_int_equal(sscanf(p + strlen(key), "%d,%lf", &runs, median), 2);
    return runs;
}

/* a deployment: cluster, model, site and the serve section bound, as aifsim infer binds them */
static void load_serve(const char *yaml, aif_scenario *s)
{
    aif_err e;
    if (aif_scenario_parse_sections(cat, yaml, strlen(yaml), "job.yaml", NULL, 0,
                                    AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE, s,
                                    &e))
        fail_msg("%s", e.msg);
    assert_true(s->serve.present);
}

static int table_runs(const char *cls, const char *name, double *median)
{
    size_t len;
    return in_table_runs(aif_builtin_classes_csv(&len), cls, name, median);
}

static void same_as_table(const aif_run_class *c, const char *cls, const char *name)
{
    double med;
    assert_string_equal(c->cls, cls);
    assert_string_equal(c->name, name);
    assert_int_equal(c->runs, table_runs(cls, name, &med));
    assert_true(c->runs >= AIF_RUN_CLASS_MIN_RUNS || !strcmp(cls, "all"));
    assert_true(c->median_ape == med);
    assert_true(c->p90_ape >= c->median_ape);
}

static void test_job_classes(void **state)
{
    (void)state;
    aif_scenario s;
    aif_run_class c[AIF_RUN_CLASSES_MAX];
    /* a dense job on H100 under the default stack: its kind, family, stack, every run */
    load("cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {tp: 2, gbs: 16, seq: 4096}\n", &s);
    assert_int_equal(aif_job_classes(&s, c), 4);
    same_as_table(&c[0], "kind", "dense");
    same_as_table(&c[1], "family", "hopper");
    same_as_table(&c[2], "stack", "megatron-core");
    same_as_table(&c[3], "all", "all");

    /* an expert-parallel MoE: its dispatcher's rows, as the lowering resolves it */
    load("cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\n"
         "train: {tp: 1, pp: 1, ep: 8, gbs: 64, seq: 4096, ep_dispatch: alltoall}\n", &s);
    assert_int_equal(aif_job_classes(&s, c), 4);
    same_as_table(&c[0], "dispatch", "alltoall");
    /* a dispatcher of fewer rows than the least shown: the MoE rows instead */
    double med;
    assert_true(table_runs("dispatch", "deepep-fp8", &med) < AIF_RUN_CLASS_MIN_RUNS);
    load("cluster: {system: dgx-h100, gpus: 64}\nmodel: deepseek-v3\n"
         "train: {tp: 1, pp: 8, ep: 8, gbs: 64, seq: 4096, precision: fp8, ep_dispatch: deepep-fp8}\n", &s);
    assert_int_equal(aif_job_classes(&s, c), 4);
    same_as_table(&c[0], "kind", "moe");
    /* at ep 1 a MoE is a MoE, whatever its dispatcher */
    load("cluster: {system: dgx-h100, gpus: 8}\nmodel: mixtral-8x7b\ntrain: {tp: 8, pp: 1, ep: 1, gbs: 8, seq: 4096}\n",
         &s);
    aif_job_classes(&s, c);
    same_as_table(&c[0], "kind", "moe");

    /* the dispatcher as the lowering resolves it, when the job leaves it to the model */
    load("cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\ntrain: {tp: 1, pp: 1, ep: 8, gbs: 64, seq: 4096}\n",
         &s);
    aif_job_classes(&s, c);
    same_as_table(&c[0], "dispatch", aif_ep_dispatch_resolved(&s));
    /* LoRA of an MoE: the table's LoRA rows are all dense, so the MoE's class */
    load("cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\n"
         "train: {tp: 1, pp: 1, ep: 8, gbs: 64, seq: 4096, ep_dispatch: alltoall, lora: {rank: 16}}\n", &s);
    aif_job_classes(&s, c);
    same_as_table(&c[0], "dispatch", "alltoall");
    /* an uncalibrated (roofline) accelerator: its times are bounds, no published run is like it */
    load("cluster: {system: vr-nvl144, gpus: 144}\nmodel: llama3-70b\ntrain: {tp: 8, pp: 2, gbs: 144, seq: 8192}\n", &s);
    assert_true(s.cluster.gpu.calib.roofline);
    assert_int_equal(aif_job_classes(&s, c), 0);

    /* LoRA: the fine-tuning rows */
    load("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama2-70b\n"
         "train: {tp: 8, gbs: 8, seq: 4096, lora: {rank: 16}}\n", &s);
    aif_job_classes(&s, c);
    same_as_table(&c[0], "lora", "lora");

    /* a family and a stack with fewer rows than the least shown are left out */
    assert_true(table_runs("family", "cdna3", &med) < AIF_RUN_CLASS_MIN_RUNS);
    assert_true(table_runs("stack", "torchtitan", &med) < AIF_RUN_CLASS_MIN_RUNS);
    load("cluster: {gpu: mi300x, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 8, seq: 4096, framework: torchtitan}\n",
         &s);
    assert_string_equal(s.cluster.gpu.arch, "cdna3");
    assert_int_equal(aif_job_classes(&s, c), 2);
    same_as_table(&c[0], "kind", "dense");
    same_as_table(&c[1], "all", "all");
}

/* A serving deployment's classes, from the embedded validation/infer_classes.csv: for each
 * metric group the runs of its kind under its scheduler or on its family, the larger
 * median of those with enough rows; else its kind's; else every run, said so. */
static void test_serve_classes(void **state)
{
    (void)state;
    size_t len;
    const char *t = aif_builtin_infer_classes_csv(&len);
    aif_scenario s;
    aif_run_class c[AIF_SERVE_CLASSES_MAX];
    static const char *const groups[] = {"throughput", "ttft", "tpot"};
    double med, other;
    /* a dense deployment on H100 under TensorRT-LLM's scheduler: both classes held, the larger median */
    load_serve("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\nserve: {tp: 8, admission: no_evict}\n", &s);
    assert_int_equal(aif_serve_classes(&s, c), 3);
    for (int g = 0; g < 3; g++) {
        char sc[32], fc[32];
        snprintf(sc, sizeof sc, "%s-kind-scheduler", groups[g]);
        snprintf(fc, sizeof fc, "%s-kind-family", groups[g]);
        int rs = in_table_runs(t, sc, "dense/no_evict", &med), rf = in_table_runs(t, fc, "dense/hopper", &other);
        assert_true(rs >= AIF_RUN_CLASS_MIN_RUNS && rf >= AIF_RUN_CLASS_MIN_RUNS);
        int fam = other > med;
        assert_string_equal(c[g].cls, fam ? fc : sc);
        assert_string_equal(c[g].name, fam ? "dense/hopper" : "dense/no_evict");
        assert_int_equal(c[g].runs, fam ? rf : rs);
        assert_true(c[g].median_ape == (fam ? other : med) && !c[g].other_kind);
    }
    /* an MoE one: the MoE rows for throughput; no MoE row of TTFT or TPOT, so every run, said so */
    load_serve("cluster: {system: dgx-h100, gpus: 8}\nmodel: gpt-oss-120b\nserve: {tp: 2, admission: no_evict}\n", &s);
    assert_int_equal(aif_serve_classes(&s, c), 3);
    assert_int_equal(strncmp(c[0].cls, "throughput-kind", 15), 0);
    assert_int_equal(strncmp(c[0].name, "moe", 3), 0);
    assert_int_equal(c[0].runs, in_table_runs(t, c[0].cls, c[0].name, &med));
    assert_true(in_table_runs(t, "ttft-kind", "moe", &med) < 0 && in_table_runs(t, "tpot-kind", "moe", &med) < 0);
    for (int g = 1; g < 3; g++) {
        assert_string_equal(c[g].cls, groups[g]);
        assert_string_equal(c[g].name, "all");
        assert_true(c[g].other_kind);
        assert_int_equal(c[g].runs, in_table_runs(t, groups[g], "all", &med));
    }
    /* vLLM's scheduler, which no row runs: the family's rows alone */
    assert_true(in_table_runs(t, "throughput-kind-scheduler", "dense/evict", &med) < 0);
    load_serve("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\nserve: {tp: 8}\n", &s);
    aif_serve_classes(&s, c);
    assert_string_equal(c[0].cls, "throughput-kind-family");
    assert_string_equal(c[0].name, "dense/hopper");
    /* an uncalibrated (roofline) accelerator: no published run is like it */
    load_serve("cluster: {gpu: gaudi2, gpus: 8}\nmodel: llama3-8b\nserve: {tp: 1}\n", &s);
    assert_true(s.cluster.gpu.calib.roofline);
    assert_int_equal(aif_serve_classes(&s, c), 0);
    aif_run_class f;
    assert_int_equal(aif_serve_family_class(&s, "throughput", &f), 0);
}

/* A table of more distinct values of one class than the writer holds is refused by name. */
static void test_too_many_names(void **state)
{
    (void)state;
    enum { N = 300 };
    aif_val_row *rows = calloc(N, sizeof *rows);
    assert_non_null(rows);
    for (int i = 0; i < N; i++) {
        char fw[32];
        snprintf(fw, sizeof fw, "stack-%03d", i);
        rows[i] = row(0.01, 0, "", "hopper", fw, 0);
    }
    aif_validation v = {.rows = rows, .n = N};
    FILE *f = fopen("/dev/null", "w");
    assert_non_null(f);
    aif_err e;
    assert_int_equal(aif_validation_classes_write(&v, f, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "distinct values of one class (stack)"));
    for (int i = 0; i < N; i++)   /* the serving writer's schedulers alike */
        strcpy(rows[i].metric, "ttft_p50_s");
    assert_int_equal(aif_validation_serve_classes_write(&v, f, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "distinct values of one class (ttft-kind-scheduler)"));
    fclose(f);
    free(rows);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_write), cmocka_unit_test(test_job_classes),
                                       cmocka_unit_test(test_serve_write), cmocka_unit_test(test_serve_classes),
                                       cmocka_unit_test(test_too_many_names)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
