/* test_machines.c -- every built-in system runs: a training step and a serving deployment
 * on each, with no error and figures in a sane range; every gpu, system and fabric has a
 * status; announced and uncalibrated (roofline) parts are said so in every writer's output;
 * the facility's network power takes the scale-out fabric's own per-port figures.
 * The ranges: a calibrated family's MFU lies in (1%, 80%) (the best published dense runs
 * are near 55-60%, docs/VALIDATION.md); a roofline part's in (1%, 120%]: every kernel at
 * peak, and the model FLOP count (attention unmasked, Megatron-LM's convention) exceeds
 * the causal kernels' work, so a roofline MFU can pass 100% a little. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/facility_data.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "scenario/catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define SECTIONS (AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE)

static void must(aif_rc rc, const aif_err *e, const char *what)
{
    if (rc != AIF_OK) {
        char b[1200];
        aif_err_format(e, b, sizeof b);
        fail_msg("%s: %s", what, b);
    }
}

/* GPUs of a job that fills whole nodes and whole scale-up domains of system sy */
static int whole_gpus(const aif_system *sy)
{
    int d = sy->scaleup_domain > sy->gpus_per_node ? sy->scaleup_domain : sy->gpus_per_node;
    return d % sy->gpus_per_node ? d * sy->gpus_per_node : d;
}

static void test_every_system_trains(void **state)
{
    (void)state;
    static aif_train_run run;
    for (int i = 0; i < aif_catalog_n_systems(cat); i++) {
        const aif_system *sy = aif_catalog_system(cat, i);
        char y[512];
        int n = whole_gpus(sy);
        snprintf(y, sizeof y, "cluster: {system: %s, gpus: %d}\nmodel: llama3-8b\n"
                 "train: {tp: 1, pp: 1, cp: 1, mbs: 1, gbs: %d, seq: 4096, tokens: 1T}\n", sy->name, n, n);
        aif_scenario s;
        aif_err e;
        must(aif_scenario_parse(cat, y, strlen(y), sy->name, NULL, 0, &s, &e), &e, sy->name);
        must(aif_run_train(cat, &s, NULL, &run, &e), &e, sy->name);
        double mfu = run.train.mfu, hi = s.cluster.gpu.calib.roofline ? 1.2 : 0.8;
        if (!(mfu > 0.01 && mfu <= hi))
            fail_msg("%s: MFU %.3f outside (0.01, %.1f]", sy->name, mfu, hi);
        if (!(run.train.step_time_s > 0 && run.train.tokens_per_s > 0))
            fail_msg("%s: step %.3g s, %.3g tokens/s", sy->name, run.train.step_time_s, run.train.tokens_per_s);
    }
}

static void test_every_system_serves(void **state)
{
    (void)state;
    static aif_serve_run run;
    for (int i = 0; i < aif_catalog_n_systems(cat); i++) {
        const aif_system *sy = aif_catalog_system(cat, i);
        char y[512];
        snprintf(y, sizeof y, "cluster: {system: %s, gpus: %d}\nmodel: llama3-8b\n"
                 "serve: {tp: 1, mode: offline, requests: 64, input_tokens: 512, output_tokens: 64, seed: 1}\n",
                 sy->name, sy->gpus_per_node);
        static aif_scenario s;
        aif_err e;
        must(aif_scenario_parse_sections(cat, y, strlen(y), sy->name, NULL, 0, SECTIONS, &s, &e), &e, sy->name);
        must(aif_run_serve(cat, &s, NULL, &run, &e), &e, sy->name);
        if (!(run.serve.throughput_tokens_per_s > 0 && run.serve.tpot.p50_s > 0 && run.serve.tpot.p50_s < 1))
            fail_msg("%s: %.3g tokens/s, TPOT p50 %.3g s", sy->name, run.serve.throughput_tokens_per_s,
                     run.serve.tpot.p50_s);
    }
}

/* every built-in gpu, those without a system too (the edge part, Rubin CPX, the variants),
 * serves on its own: one device, fp4 weights where it has fp4 tensor cores; an announced
 * one says so; a variant at a lower TDP decodes no faster than its base and prefills slower */
static void test_every_gpu_serves(void **state)
{
    (void)state;
    static aif_serve_run run;
    static aif_scenario s;
    for (int i = 0; i < aif_catalog_n_gpus(cat); i++) {
        const aif_gpu *g = aif_catalog_gpu(cat, i);
        char y[512];
        snprintf(y, sizeof y, "cluster: {gpu: %s, gpus: 1}\nmodel: llama3-8b\n"
                 "serve: {tp: 1, precision: %s, mode: offline, requests: 16, input_tokens: 512, output_tokens: 64, "
                 "seed: 1}\n", g->name, g->peak_flops[AIF_FP4] > 0 ? "fp4" : g->peak_flops[AIF_FP8] > 0 ? "fp8" : "bf16");
        aif_err e;
        must(aif_scenario_parse_sections(cat, y, strlen(y), g->name, NULL, 0, SECTIONS, &s, &e), &e, g->name);
        must(aif_run_serve(cat, &s, NULL, &run, &e), &e, g->name);
        if (!(run.serve.throughput_tokens_per_s > 0 && run.serve.tpot.p50_s > 0 && run.serve.tpot.p50_s < 1))
            fail_msg("%s: %.3g tokens/s, TPOT p50 %.3g s", g->name, run.serve.throughput_tokens_per_s,
                     run.serve.tpot.p50_s);
    }
    /* the edge part: 8B in fp4 on 273GB/s LPDDR5X decodes far slower than on a B200 */
    double tpot[2];
    const char *const parts[2] = {"jetson-thor", "b200"};
    for (int k = 0; k < 2; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {gpu: %s, gpus: 1}\nmodel: llama3-8b\n"
                 "serve: {tp: 1, precision: fp4, mode: offline, requests: 1, input_tokens: 128, output_tokens: 64, "
                 "seed: 1}\n", parts[k]);
        aif_err e;
        must(aif_scenario_parse_sections(cat, y, strlen(y), parts[k], NULL, 0, SECTIONS, &s, &e), &e, parts[k]);
        must(aif_run_serve(cat, &s, NULL, &run, &e), &e, parts[k]);
        tpot[k] = run.serve.tpot.p50_s;
    }
    /* a lone request's decode reads every weight once per token: on the roofline part at least
     * 8.03B x 0.5 bytes / 273GB/s = 14.7 ms (the B200's is calibrated, with kernel overheads) */
    assert_true(tpot[0] >= 8.03e9 * 0.5 / 273e9 && tpot[0] > 5 * tpot[1]);
    assert_int_equal(aif_catalog_find_gpu(cat, "rubin-cpx")->status, AIF_STATUS_ANNOUNCED);
    assert_true(aif_catalog_find_gpu(cat, "rubin-cpx")->calib.roofline);
    assert_int_equal(aif_catalog_find_gpu(cat, "gaudi2")->status, AIF_STATUS_MEASURED);
}

/* a variant at a lower TDP trains slower than its base, by no more than its clock */
static void test_variants_train(void **state)
{
    (void)state;
    static aif_train_run run;
    double step[2];
    const char *const gpus[2] = {"h100-sxm", "h100-sxm-500w"};
    for (int k = 0; k < 2; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {gpu: %s, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 64, seq: 4096}\n",
                 gpus[k]);
        aif_scenario s;
        aif_err e;
        must(aif_scenario_parse(cat, y, strlen(y), gpus[k], NULL, 0, &s, &e), &e, gpus[k]);
        must(aif_run_train(cat, &s, NULL, &run, &e), &e, gpus[k]);
        step[k] = run.train.step_time_s;
    }
    double f = aif_catalog_find_gpu(cat, "h100-sxm-500w")->clock_factor;
    assert_true(f > 0.8 && f < 0.95);
    assert_true(step[1] > step[0] && step[1] <= step[0] / f * (1 + 1e-9));
}

/* every built-in gpu, system and fabric states what its figures are */
static void test_every_entry_has_a_status(void **state)
{
    (void)state;
    for (int i = 0; i < aif_catalog_n_gpus(cat); i++)
        if (aif_catalog_gpu(cat, i)->status == AIF_STATUS_UNSTATED)
            fail_msg("gpus.%s has no status", aif_catalog_gpu(cat, i)->name);
    for (int i = 0; i < aif_catalog_n_systems(cat); i++)
        if (aif_catalog_system(cat, i)->status == AIF_STATUS_UNSTATED)
            fail_msg("systems.%s has no status", aif_catalog_system(cat, i)->name);
    for (int i = 0; i < aif_catalog_n_fabrics(cat); i++)
        if (aif_catalog_fabric(cat, i)->status == AIF_STATUS_UNSTATED)
            fail_msg("fabrics.%s has no status", aif_catalog_fabric(cat, i)->name);
    /* an announced system's parts: the rack and its GPU are known only from an announcement */
    const aif_system *vr = aif_catalog_find_system(cat, "vr-nvl144");
    assert_non_null(vr);
    assert_int_equal(vr->status, AIF_STATUS_ANNOUNCED);
    assert_int_equal(aif_catalog_find_gpu(cat, vr->gpu)->status, AIF_STATUS_ANNOUNCED);
    /* a measured family is calibrated, a family without kernel measurements is not */
    assert_false(aif_catalog_find_gpu(cat, "h100-sxm")->calib.roofline);
    assert_true(aif_catalog_find_gpu(cat, "tpu-v6e")->calib.roofline);
    /* TPU7x has Google's own GEMM and HBM microbenchmarks: a family of its own */
    assert_false(aif_catalog_find_gpu(cat, "tpu7x")->calib.roofline);
    assert_string_equal(aif_catalog_find_gpu(cat, "tpu7x")->calib.name, "tpu-v7");
}

/* the header of every text output and the JSON say so */
static void test_outputs_say_announced_and_roofline(void **state)
{
    (void)state;
    const char *y = "cluster: {system: vr-nvl144, gpus: 72}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 72}\n";
    aif_scenario s;
    aif_err e;
    must(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), &e, "vr-nvl144");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    aif_report_header_text(f, &s, NULL);
    fclose(f);
    assert_non_null(strstr(buf, "announced    gpu rubin, system vr-nvl144, scale-up fabric nvlink6"));
    assert_non_null(strstr(buf, "roofline     gpu rubin"));
    free(buf);
    const char *kind[AIF_MAX_ANNOUNCED], *name[AIF_MAX_ANNOUNCED];
    assert_int_equal(aif_report_announced(&s, kind, name), 3);
    static aif_train_run run;
    must(aif_run_train(cat, &s, NULL, &run, &e), &e, "run");
    char *json = aif_report_train_json(&run);
    assert_non_null(json);
    assert_non_null(strstr(json, "\"catalog_status\""));
    assert_non_null(strstr(json, "\"roofline_bound\": true"));
    free(json);
    /* a shipping, calibrated part: nothing printed, no key */
    y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 8}\n";
    must(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), &e, "dgx-h100");
    f = open_memstream(&buf, &len);
    aif_report_status_text(f, &s, "  ");
    fclose(f);
    assert_string_equal(buf, "");
    free(buf);
    must(aif_run_train(cat, &s, NULL, &run, &e), &e, "run");
    json = aif_report_train_json(&run);
    assert_null(strstr(json, "catalog_status"));
    free(json);
}

/* the facility's network power takes the scale-out fabric's per-port figures where its
 * catalog entry gives them (before: always data/facility.yaml's, whatever the fabric) */
static void test_network_power_uses_the_fabric(void **state)
{
    (void)state;
    char path[] = "/tmp/aifsim-fabpower-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "fabrics:\n  ndr-hot:\n    kind: infiniband\n    port_bw: 400Gb/s\n    latency: 3.7us\n"
                       "    efficiency: 0.94\n    switch_per_port: 40W\n    optic_per_port: 30W\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    aif_catalog *c;
    aif_err e;
    must(aif_catalog_load_builtin(&c, &e), &e, "builtin");
    must(aif_catalog_add_file(c, path, &e), &e, path);
    unlink(path);
    double net_W[2];
    static aif_train_run run;
    for (int i = 0; i < 2; i++) {
        char y[256];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 1024, fabric: %s}\nmodel: llama3-8b\n"
                 "train: {tp: 1, gbs: 1024}\n", i ? "ndr-hot" : "ib-ndr");
        aif_scenario s;
        must(aif_scenario_parse(c, y, strlen(y), "t", NULL, 0, &s, &e), &e, "parse");
        must(aif_run_train(c, &s, NULL, &run, &e), &e, "run");
        net_W[i] = run.facility.network_W;
    }
    aif_catalog_free(c);
    const aif_facility_data *fdat = aif_catalog_facility(cat);
    assert_true(fdat->switch_per_port_W == 20 && fdat->optic_per_port_W == 15);   /* data/facility.yaml */
    assert_true(net_W[0] > 0);
    assert_true(fabs(net_W[1] / net_W[0] - 2.0) < 1e-9);   /* both per-port figures doubled */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_has_a_status),
        cmocka_unit_test(test_outputs_say_announced_and_roofline),
        cmocka_unit_test(test_every_system_trains),
        cmocka_unit_test(test_every_system_serves),
        cmocka_unit_test(test_every_gpu_serves),
        cmocka_unit_test(test_variants_train),
        cmocka_unit_test(test_network_power_uses_the_fabric),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
