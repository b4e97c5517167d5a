/* test_framework.c -- software-stack profiles (data/frameworks.yaml, train.framework):
 * every built-in profile loads and estimates; an unknown name is refused at its field
 * with a did-you-mean; the default (megatron-core, named or not) reproduces the model
 * without a profile bit for bit; a compiled stack is never slower than its eager one;
 * CUDA graphs remove the per-kernel launch overhead; a stack's attention factors scale its
 * family's attention efficiencies and nothing else; FSDP2's copy-out and copy-in
 * around its collectives and its reduce dtype; a stack without an overlap runs
 * without it, in the estimate and in the best-layout search; DTensor's sequence parallelism
 * (copies or async TP's kernels beside each collective, gathered inputs kept); FSDP gathers without
 * prefetch are exposed; a per-op selective policy replays part of each layer; ZeRO-3
 * as DeepSpeed runs it (a collective per weight tensor, per-rank lists, no prefetch past
 * stage3_max_live_parameters) and its cost growing with the data-parallel ranks; the
 * validation table has a group per profile with rows, and its rows split by calibration
 * family and into dense and mixture-of-experts groups. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/aifsim.h"
#include "aifsim/graph.h"
#include "aifsim/names.h"
#include "aifsim/search.h"
#include "aifsim/sim.h"
#include "workload/transformer.h"
#include "aifsim/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

static const char *const builtin[] = {"megatron-core", "torchtitan", "torchtitan-compile", "deepspeed",
                                      "maxtext", "maxtext-gpu", "rocm-megatron", "rocm-torchtitan", "llm-foundry", NULL};

/* A Llama 3 8B job on one DGX H100 with the given extra train fields. */
static aif_rc load(const char *system, const char *model, const char *train, aif_scenario *s, aif_err *e)
{
    char y[1024];
    snprintf(y, sizeof y, "cluster: {system: %s, gpus: 8}\nmodel: %s\ntrain: {seq: 4096, gbs: 16, mbs: 2%s%s}\n",
             system, model, train[0] ? ", " : "", train);
    return aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, s, e);
}

/* The built-in catalog plus a catalog file holding text: the file's load status (the
 * catalog is made either way; the caller frees it). */
static aif_rc catalog_with(const char *text, aif_catalog **c, aif_err *e)
{
    char path[] = "/tmp/aifsim-fw-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    assert_int_equal(aif_catalog_load_builtin(c, e), AIF_OK);
    aif_rc rc = aif_catalog_add_file(*c, path, e);
    unlink(path);
    return rc;
}

static double step(const char *system, const char *model, const char *train)
{
    aif_scenario s;
    aif_err e;
    aif_train_result r;
    if (load(system, model, train, &s, &e) != AIF_OK)
        fail_msg("%s: %s: %s", train, e.path, e.msg);
    if (aif_estimate(&s, &r, &e) != AIF_OK)
        fail_msg("%s: %s", train, e.msg);
    return r.step_time_s;
}

/* The step time of the scenario yaml read against catalog c (a user catalog of test stacks). */
static double step_in(const aif_catalog *c, const char *yaml)
{
    aif_scenario s;
    aif_err e;
    aif_train_result r;
    if (aif_scenario_parse(c, yaml, strlen(yaml), "t", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s: %s", yaml, e.path, e.msg);
    if (aif_estimate(&s, &r, &e) != AIF_OK)
        fail_msg("%s: %s", yaml, e.msg);
    return r.step_time_s;
}

static void test_every_profile_loads(void **state)
{
    (void)state;
    assert_true(aif_catalog_n_frameworks(cat) >= 8);
    for (int i = 0; builtin[i]; i++) {
        const aif_framework *f = aif_catalog_find_framework(cat, builtin[i]);
        assert_non_null(f);
        assert_true(f->matmul_factor > 0 && f->fp8_matmul_factor > 0 && f->norm_traffic > 0 && f->act_traffic > 0);
        assert_true(f->elementwise_kernels >= 1 && f->fp8_cast_factor > 0);
        char t[80];
        snprintf(t, sizeof t, "framework: %s", builtin[i]);
        aif_scenario s;
        aif_err e;
        assert_int_equal(load(strncmp(builtin[i], "maxtext", 7) || strchr(builtin[i] + 7, 'g') ? "dgx-h100" : "tpu-v5p",
                              "llama3-8b", t, &s, &e), AIF_OK);
        assert_string_equal(s.train.framework, builtin[i]);   /* the output names it */
        assert_string_equal(s.framework.name, builtin[i]);
        assert_true(step("dgx-h100", "llama3-8b", t) > 0);
    }
    /* an alias finds its entry, and the scenario names the entry */
    aif_scenario s;
    aif_err e;
    assert_int_equal(load("dgx-h100", "llama3-8b", "framework: NeMo", &s, &e), AIF_OK);
    assert_string_equal(s.train.framework, "megatron-core");
}

static void test_unknown_name(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(load("dgx-h100", "llama3-8b", "framework: torchtitn", &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.framework");
    assert_non_null(strstr(e.msg, "did you mean 'torchtitan'"));
    assert_non_null(strstr(e.msg, "aifsim catalog frameworks"));
    assert_true(e.line == 3);
    /* a name of another kind says what it is */
    assert_int_equal(load("dgx-h100", "llama3-8b", "framework: h100-sxm", &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.framework");
}

/* The default is the model as it was: no name, megatron-core named, and a scenario with
 * no profile at all (zeroed, the catalog's own calibration) give the same bits. */
static void test_default_is_identity(void **state)
{
    (void)state;
    static const char *const trains[] = {"", "precision: fp8", "recompute: selective", "recompute: full, tp: 8",
                                         "optimizer: fsdp", "attention: flash2", "tp: 4, pp: 2, vpp: 2", NULL};
    static const char *const models[] = {"llama3-8b", "mixtral-8x7b", NULL};
    for (int m = 0; models[m]; m++)
        for (int i = 0; trains[i]; i++) {
            aif_scenario a, b, z;
            aif_err e;
            char t[160];
            snprintf(t, sizeof t, "%s%sframework: megatron-core", trains[i], trains[i][0] ? ", " : "");
            assert_int_equal(load("dgx-h100", models[m], trains[i], &a, &e), AIF_OK);
            assert_int_equal(load("dgx-h100", models[m], t, &b, &e), AIF_OK);
            z = a;
            memset(&z.framework, 0, sizeof z.framework);
            z.cluster.gpu.calib = aif_catalog_find_gpu(cat, "h100-sxm")->calib;
            assert_true(memcmp(&a.cluster.gpu.calib, &z.cluster.gpu.calib, sizeof z.cluster.gpu.calib) == 0);
            aif_train_result ra, rb, rz;
            assert_int_equal(aif_estimate(&a, &ra, &e), AIF_OK);
            assert_int_equal(aif_estimate(&b, &rb, &e), AIF_OK);
            assert_int_equal(aif_estimate(&z, &rz, &e), AIF_OK);
            assert_true(ra.step_time_s == rb.step_time_s && ra.step_time_s == rz.step_time_s);
            assert_true(ra.mem.total_bytes == rz.mem.total_bytes);
        }
}

/* torch.compile's profile is never slower than eager on any of these jobs, and no
 * figure of it is worse */
static void test_compiled_never_slower(void **state)
{
    (void)state;
    static const char *const trains[] = {"", "precision: fp8", "recompute: selective", "recompute: full",
                                         "optimizer: fsdp", "tp: 8", "tp: 8, precision: fp8, recompute: selective",
                                         "tp: 2, pp: 2", NULL};
    static const char *const models[] = {"llama3-8b", "llama3-70b", "mixtral-8x7b", NULL};
    const aif_framework *eager = aif_catalog_find_framework(cat, "torchtitan");
    const aif_framework *comp = aif_catalog_find_framework(cat, "torchtitan-compile");
    assert_true(comp->norm_traffic <= eager->norm_traffic && comp->act_traffic <= eager->act_traffic &&
                comp->rope_traffic <= eager->rope_traffic);
    assert_true(comp->fp8_cast_factor <= eager->fp8_cast_factor && comp->elementwise_kernels <= eager->elementwise_kernels);
    assert_true(comp->matmul_factor >= eager->matmul_factor && comp->attention <= eager->attention);
    int n = 0;
    for (int m = 0; models[m]; m++)
        for (int i = 0; trains[i]; i++) {
            char te[160], tc[160];
            const char *sep = trains[i][0] ? ", " : "";
            snprintf(te, sizeof te, "%s%sframework: torchtitan", trains[i], sep);
            snprintf(tc, sizeof tc, "%s%sframework: torchtitan-compile", trains[i], sep);
            double se = step("dgx-h100", models[m], te), sc = step("dgx-h100", models[m], tc);
            if (sc > se)
                fail_msg("%s %s: compiled %.6f s > eager %.6f s", models[m], trains[i], sc, se);
            n += sc < se;
        }
    assert_true(n > 10);   /* and faster where its fusions apply */
}

/* rope_traffic scales the rotary embedding alone: absent, it is norm_traffic (the same step);
 * below it, the step is shorter by the rotary bytes saved and nothing else (a model without
 * rotary positions does not move). */
static void test_rope_traffic(void **state)
{
    (void)state;
    const char *common = "    attention: flash2\n    matmul_factor: 1\n    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n"
                         "    norm_traffic: 4\n    act_traffic: 1\n    elementwise_kernels: 1\n    launch_factor: 1\n"
                         "    dp_overlap: true\n    fsdp_prefetch: 1\n";
    char text[1400];
    snprintf(text, sizeof text, "frameworks:\n  rope-absent:\n%s  rope-same:\n%s    rope_traffic: 4\n"
             "  rope-fused:\n%s    rope_traffic: 1\n", common, common, common);
    aif_catalog *c;
    aif_err e;
    assert_int_equal(catalog_with(text, &c, &e), AIF_OK);
    static const char *const names[] = {"rope-absent", "rope-same", "rope-fused"};
    static const char *const models[] = {"llama3-8b", "gpt3-175b"};   /* rotary positions, learned ones */
    for (int m = 0; m < 2; m++) {
        double t[3];
        for (int i = 0; i < 3; i++) {
            char y[256];
            snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8}\nmodel: %s\ntrain: {seq: 2048, gbs: 8, tp: 8, "
                     "framework: %s}\n", models[m], names[i]);
            t[i] = step_in(c, y);
        }
        assert_true(t[0] == t[1]);
        if (m == 0)
            assert_true(t[2] < t[1]);
        else
            assert_true(t[2] == t[1]);
    }
    aif_catalog_free(c);
}

/* A user catalog of two stacks alike but for CUDA graphs: captured launches leave the
 * graph tail of each kernel's overhead (0 here), i.e. the job without any overhead. */
static void test_cuda_graphs_remove_launch_overhead(void **state)
{
    (void)state;
    const char *common = "    attention: flash3\n    matmul_factor: 1\n    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n"
                         "    norm_traffic: 9\n    act_traffic: 1.67\n    elementwise_kernels: 4\n    launch_factor: 1\n"
                         "    graph_tail: 0\n    dp_overlap: true\n    fsdp_prefetch: 1\n";
    char text[1024];
    snprintf(text, sizeof text, "frameworks:\n  eager-test:\n%s    cuda_graphs: false\n  graphs-test:\n%s    cuda_graphs: true\n",
             common, common);
    aif_catalog *c;
    aif_err e;
    assert_int_equal(catalog_with(text, &c, &e), AIF_OK);
    const char *y0 = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 2048, gbs: 8, framework: eager-test}\n";
    const char *y1 = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 2048, gbs: 8, framework: graphs-test}\n";
    aif_scenario s0, s1;
    assert_int_equal(aif_scenario_parse(c, y0, strlen(y0), "t", NULL, 0, &s0, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y1, strlen(y1), "t", NULL, 0, &s1, &e), AIF_OK);
    assert_true(s0.cluster.gpu.calib.kernel_overhead_s > 0);
    assert_true(s1.cluster.gpu.calib.kernel_overhead_s == 0);
    aif_train_result r0, r1, rn;
    assert_int_equal(aif_estimate(&s0, &r0, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s1, &r1, &e), AIF_OK);
    assert_true(r1.step_time_s < r0.step_time_s);
    s0.cluster.gpu.calib.kernel_overhead_s = 0;   /* the eager job with no launch overhead at all */
    assert_int_equal(aif_estimate(&s0, &rn, &e), AIF_OK);
    assert_true(fabs(rn.step_time_s - r1.step_time_s) <= 1e-12 * r1.step_time_s);
    aif_catalog_free(c);
}

/* A stack's attention factors scale its family's attention efficiencies, forward and
 * backward apart, at every head dimension: a job under the profile times as the same job
 * without it with the efficiencies scaled by hand, and it is slower. */
static void test_attention_factors(void **state)
{
    (void)state;
    const char *common = "    attention: flash3\n    matmul_factor: 1\n    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n"
                         "    norm_traffic: 1\n    act_traffic: 1\n    elementwise_kernels: 1\n    launch_factor: 1\n";
    char text[2048];
    snprintf(text, sizeof text,
             "frameworks:\n  kernel-test:\n%s  slow-attn-test:\n%s    attn_fwd_factor: 0.5\n    attn_bwd_factor: 0.25\n"
             "  amd-attn-test:\n%s    attn_fwd_factor: 0.5\n    attn_bwd_factor: 0.25\n    attn_factor_families: [cdna3]\n",
             common, common, common);
    aif_catalog *c;
    aif_err e;
    assert_int_equal(catalog_with(text, &c, &e), AIF_OK);
    const char *y0 = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: kernel-test}\n";
    const char *y1 = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: slow-attn-test}\n";
    aif_scenario s0, s1;
    assert_int_equal(aif_scenario_parse(c, y0, strlen(y0), "t", NULL, 0, &s0, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y1, strlen(y1), "t", NULL, 0, &s1, &e), AIF_OK);
    const aif_calib *c0 = &s0.cluster.gpu.calib, *c1 = &s1.cluster.gpu.calib;
    assert_true(c0->attn_fwd_eff > 0 && c0->attn_bwd_eff > 0);
    assert_true(c1->attn_fwd_eff == c0->attn_fwd_eff * 0.5 && c1->attn_bwd_eff == c0->attn_bwd_eff * 0.25);
    assert_true(c1->attn_fwd_eff_hd64 == c0->attn_fwd_eff_hd64 * 0.5 && c1->attn_bwd_eff_hd64 == c0->attn_bwd_eff_hd64 * 0.25);
    assert_true(c1->attn_fwd_eff_hd192 == c0->attn_fwd_eff_hd192 * 0.5 &&
                c1->attn_bwd_eff_hd192 == c0->attn_bwd_eff_hd192 * 0.25);
    assert_true(c1->matmul_eff == c0->matmul_eff && c1->kernel_overhead_s == c0->kernel_overhead_s);   /* nothing else */
    aif_train_result r0, r1, rh;
    assert_int_equal(aif_estimate(&s0, &r0, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s1, &r1, &e), AIF_OK);
    assert_true(r1.step_time_s > r0.step_time_s * 1.05);   /* 8K tokens: attention is a fair share of the step */
    aif_calib *h = &s0.cluster.gpu.calib;   /* the same scaling by hand */
    h->attn_fwd_eff *= 0.5, h->attn_fwd_eff_hd64 *= 0.5, h->attn_fwd_eff_hd192 *= 0.5;
    h->attn_bwd_eff *= 0.25, h->attn_bwd_eff_hd64 *= 0.25, h->attn_bwd_eff_hd192 *= 0.25;
    assert_int_equal(aif_estimate(&s0, &rh, &e), AIF_OK);
    assert_true(rh.step_time_s == r1.step_time_s);
    /* factors measured on another family leave this one's kernel; a roofline GPU (peak rates,
     * no calibration) is a bound whatever the stack */
    const char *y2 = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: amd-attn-test}\n";
    const char *y3 = "cluster: {system: mi300x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: amd-attn-test}\n";
    const char *y4 = "cluster: {system: mi300x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: kernel-test}\n";
    const char *y5 = "cluster: {gpu: rubin, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: slow-attn-test}\n";
    const char *y6 = "cluster: {gpu: rubin, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 8192, gbs: 8, framework: kernel-test}\n";
    aif_scenario s2, s3, s4, s5, s6;
    assert_int_equal(aif_scenario_parse(c, y2, strlen(y2), "t", NULL, 0, &s2, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y3, strlen(y3), "t", NULL, 0, &s3, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y4, strlen(y4), "t", NULL, 0, &s4, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y5, strlen(y5), "t", NULL, 0, &s5, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y6, strlen(y6), "t", NULL, 0, &s6, &e), AIF_OK);
    assert_true(s2.cluster.gpu.calib.attn_fwd_eff == c0->attn_fwd_eff * 2 &&   /* c0 was halved by hand above */
                s2.cluster.gpu.calib.attn_bwd_eff == c0->attn_bwd_eff * 4);
    assert_string_equal(s3.cluster.gpu.calib.name, "cdna3");
    assert_true(s3.cluster.gpu.calib.attn_fwd_eff == s4.cluster.gpu.calib.attn_fwd_eff * 0.5 &&
                s3.cluster.gpu.calib.attn_bwd_eff == s4.cluster.gpu.calib.attn_bwd_eff * 0.25);
    assert_true(s5.cluster.gpu.calib.roofline);
    assert_true(memcmp(&s5.cluster.gpu.calib, &s6.cluster.gpu.calib, sizeof s5.cluster.gpu.calib) == 0);
    aif_catalog_free(c);
    /* a family the factors name must exist: a typo is an error at its field, with a guess */
    snprintf(text, sizeof text, "frameworks:\n  typo-test:\n%s    attn_fwd_factor: 0.5\n    attn_factor_families: [cnda3]\n",
             common);
    assert_int_equal(catalog_with(text, &c, &e), AIF_EINPUT);
    assert_non_null(strstr(e.path, "attn_factor_families"));
    assert_non_null(strstr(e.msg, "did you mean 'cdna3'"));
    aif_catalog_free(c);
}

/* FSDP2's copies (the stack's fsdp_copy): a layer's forward all-gather is followed by its
 * copy-out, 4 bytes a weight; its backward reduce-scatter preceded by its copy-in, 2 bytes
 * read and the reduce dtype's written, and the reduce-scatter moves the reduce dtype
 * (fsdp_reduce_bytes, torchtitan's fp32: 4 bytes a weight against Megatron-Core's 2).  A
 * stack without fsdp_copy lowers neither copy. */
static void test_fsdp2_copies(void **state)
{
    (void)state;
    const char *fmt = "cluster: {system: dgx-h100, gpus: 16}\nmodel: {base: llama3-8b, layers: 2}\n"
                      "train: {seq: 4096, mbs: 1, gbs: 16, tp: 1, pp: 1, optimizer: fsdp, framework: %s}\n";
    const char *stacks[2] = {"torchtitan", "megatron-core"};
    double ag[2] = {0}, copy_out[2] = {0}, copy_in[2] = {0}, rs[2] = {0};
    for (int k = 0; k < 2; k++) {
        char y[512];
        snprintf(y, sizeof y, fmt, stacks[k]);
        aif_scenario s;
        aif_err e;
        aif_graph g;
        assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        for (int i = g.seg[AIF_SEG_DENSE_FWD].first; i < g.seg[AIF_SEG_DENSE_FWD].first + g.seg[AIF_SEG_DENSE_FWD].n; i++) {
            if (!strcmp(g.ops[i].name, "dp.ag.weights"))
                ag[k] = g.ops[i].bytes;
            if (!strcmp(g.ops[i].name, "dp.ag.copy_out")) {
                copy_out[k] = g.ops[i].bytes;
                assert_int_equal(g.ops[i].n_kernels, 1);
            }
        }
        for (int i = g.seg[AIF_SEG_DENSE_BWD].first; i < g.seg[AIF_SEG_DENSE_BWD].first + g.seg[AIF_SEG_DENSE_BWD].n; i++) {
            if (!strcmp(g.ops[i].name, "dp.rs.grads"))
                rs[k] = g.ops[i].bytes;
            if (!strcmp(g.ops[i].name, "dp.rs.copy_in")) {
                copy_in[k] = g.ops[i].bytes;
                assert_true(i + 1 < g.n_ops && !strcmp(g.ops[i + 1].name, "dp.rs.grads"));   /* just before it */
            }
        }
        aif_graph_free(&g);
    }
    double w = ag[0] / 2;   /* the layer's weights on this rank (gathered in bf16) */
    assert_true(w > 1e6 && ag[1] == ag[0]);
    assert_true(copy_out[0] == 4 * w && copy_in[0] == (2 + 4) * w && rs[0] == 4 * w);
    assert_true(copy_out[1] == 0 && copy_in[1] == 0 && rs[1] == 2 * w);
}

/* The loss as the stack runs it (loss_fwd_bytes, loss_bwd_bytes): llm-foundry's fused cross
 * entropy moves 4 bytes a logit forward and 4 backward against Megatron-LM's fp32 22 and 14,
 * in the main output head and in a multi-token-prediction block's alike; a user's stack
 * moves what it says, and the engine times it (a cheaper loss, a shorter step).  FSDP1
 * (llm-foundry) gathers into its flat parameter: no FSDP2 copies, a bf16 reduce-scatter. */
static void test_loss_traffic(void **state)
{
    (void)state;
    aif_catalog *c;
    aif_err e;
    assert_int_equal(catalog_with("frameworks:\n  my-loss:\n    attention: flash3\n    matmul_factor: 1\n"
                                  "    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n    norm_traffic: 1\n    act_traffic: 1\n"
                                  "    elementwise_kernels: 1\n    launch_factor: 1\n    tp_overlap: true\n    dp_overlap: true\n    ep_overlap: true\n"
                                  "    fsdp_prefetch: 1\n    loss_fwd_bytes: 10\n    loss_bwd_bytes: 7\n",
                                  &c, &e),
                     AIF_OK);
    const char *fmt = "cluster: {system: dgx-h100, gpus: 16}\nmodel: {base: %s, layers: %d}\n"
                      "train: {seq: 2048, mbs: 2, gbs: 32, tp: 1, pp: 1, ep: 1, optimizer: fsdp, framework: %s}\n";
    const char *stacks[3] = {"llm-foundry", "megatron-core", "my-loss"};
    const double want_f[3] = {4, 22, 10}, want_b[3] = {4, 14, 7};
    double t[3] = {0};
    for (int mtp = 0; mtp < 2; mtp++) {
        for (int k = 0; k < 3; k++) {
            char y[512];
            snprintf(y, sizeof y, fmt, mtp ? "deepseek-v3" : "mpt-7b", mtp ? 4 : 2, stacks[k]);
            aif_scenario s;
            aif_graph g;
            assert_int_equal(aif_scenario_parse(c, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
            assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
            double logits = 2.0 * 2048 * s.model.vocab, ag = 0, rs = 0;
            int seen = 0, copies = 0;
            for (int i = 0; i < g.n_ops; i++) {
                const aif_op *o = &g.ops[i];
                if (!strcmp(o->name, "cross_entropy") || (mtp && !strcmp(o->name, "mtp.cross_entropy"))) {
                    assert_true(o->bytes == want_f[k] * logits);
                    seen++;
                }
                if (!strcmp(o->name, "cross_entropy.bwd") || (mtp && !strcmp(o->name, "mtp.cross_entropy.bwd"))) {
                    assert_true(o->bytes == want_b[k] * logits);
                    seen++;
                }
                if (!strcmp(o->name, "dp.ag.weights") && !ag)
                    ag = o->bytes;
                if (!strcmp(o->name, "dp.rs.grads") && !rs)
                    rs = o->bytes;
                copies += !strcmp(o->name, "dp.ag.copy_out") || !strcmp(o->name, "dp.rs.copy_in");
            }
            assert_int_equal(seen, mtp ? 4 : 2);
            if (!mtp && k == 0) {
                assert_int_equal(copies, 0);
                assert_true(ag > 0 && rs == ag);   /* both in bf16 */
            }
            aif_graph_free(&g);
            if (!mtp) {
                aif_train_result r;
                assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
                t[k] = r.step_time_s;
            }
        }
    }
    aif_catalog_free(c);
    /* the same job and stack but the loss: the cheaper loss, the shorter step */
    assert_true(t[2] < t[1]);
}

/* DeepSpeed's pipeline engine (grad_accum_bytes, pp_p2p_serial): after each micro-batch's
 * backward every layer's gradients are added into the fp32 buffer (BF16_Optimizer), 18
 * bytes a weight in two kernels a tensor, with unsharded gradients only and not under
 * LoRA, the buffer held beside the gradients; the pipeline's send and receive run one
 * after the other, two blocking transfers at each end of a pass where Megatron's
 * schedule has one; each field alone costs what it says, in both engines. */
static void test_deepspeed_pipeline_costs(void **state)
{
    (void)state;
    aif_catalog *c;
    aif_err e;
    const char *common = "    attention: flash3\n    matmul_factor: 1\n    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n"
                         "    norm_traffic: 1\n    act_traffic: 1\n    elementwise_kernels: 1\n    launch_factor: 1\n"
                         "    tp_overlap: false\n    dp_overlap: true\n";
    char text[2048];
    snprintf(text, sizeof text, "frameworks:\n  plain:\n%s  accum:\n%s    grad_accum_bytes: 18\n  serial:\n%s    pp_p2p_serial: true\n",
             common, common, common);
    assert_int_equal(catalog_with(text, &c, &e), AIF_OK);
    const char *fmt = "cluster: {system: dgx-a100-80g, gpus: 64}\nmodel: llama3-8b\n"
                      "train: {seq: 2048, mbs: 1, gbs: 64, tp: 4, pp: 4, vpp: %d, sp: false, optimizer: %s, "
                      "dp_overlap: false, framework: %s%s}\n";
    const char *stacks[3] = {"plain", "accum", "serial"};
    const char *opts[6] = {"zero1", "none", "distributed", "zero2", "zero3", "fsdp"};
    aif_train_result rs[3][2], rm[3][2];   /* [stack][zero1, lora], estimate; simulating engine */
    double t_send = 0, t_seg = 0;          /* plain, zero1: the send's time, the pipeline segment's */
    for (int k = 0; k < 3; k++)
        for (int o = 0; o < 7; o++) {
            int lora = o == 6;
            char y[512];
            snprintf(y, sizeof y, fmt, k == 2 && o == 1 ? 2 : 1, lora ? "none" : opts[o], stacks[k],
                     lora ? ", lora: {rank: 16}" : "");
            aif_scenario s;
            aif_graph g;
            assert_int_equal(aif_scenario_parse(c, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
            assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
            aif_dims d;
            aif_model_dims(&s.model, &d);
            double layer = (d.attn_params + d.mlp_params) / 4 + d.norm_params;
            int accum = 0, sends = 0;
            double head = 0;
            for (int i = 0; i < g.n_ops; i++) {
                const aif_op *op = &g.ops[i];
                if (strcmp(op->name, "grad.accum"))
                    continue;
                accum++;
                const aif_segment *r = &g.seg[AIF_SEG_DENSE_BWD], *h = &g.seg[AIF_SEG_HEAD_BWD];
                if (i >= r->first && i < r->first + r->n) {
                    assert_true(fabs(op->bytes - 18 * layer) <= 1e-9 * op->bytes);
                    assert_int_equal(op->n_kernels, 2 * (4 + 2));   /* qkv, out, fc1, fc2, two RMS norms */
                }
                if (i >= h->first && i < h->first + h->n)
                    head = op->bytes;
            }
            /* the layers', the embedding's and the untied head's, unsharded gradients only, none under LoRA */
            assert_int_equal(accum, k == 1 && o < 3 ? 3 : 0);
            if (accum)
                assert_true(fabs(head - 18 * (d.head_params / 4 + d.final_norm_params)) <= 1e-9 * head);
            const aif_op *first = NULL;
            for (int i = g.seg[AIF_SEG_P2P].first; i < g.seg[AIF_SEG_P2P].first + g.seg[AIF_SEG_P2P].n; i++) {
                const aif_op *op = &g.ops[i];
                if (op->kind != AIF_OP_COMM || op->coll != AIF_COLL_SENDRECV)
                    continue;
                sends++;
                if (!first)
                    first = op;
                /* the receive moves the send's bytes, and blocks even interleaved (o == 1: vpp 2) */
                assert_true(op->bytes == first->bytes);
                if (k == 2)
                    assert_int_equal(op->overlap, AIF_OVL_NONE);
            }
            if (k == 0 && o == 0)
                for (int i = g.seg[AIF_SEG_P2P].first; i < g.seg[AIF_SEG_P2P].first + g.seg[AIF_SEG_P2P].n; i++) {
                    double t = aif_op_time_s(&s, &g, &g.ops[i]);
                    t_seg += t;
                    t_send += &g.ops[i] == first ? t : 0;
                }
            assert_int_equal(sends, k == 2 ? 2 : 1);
            aif_graph_free(&g);
            if (o != 0 && !lora)
                continue;
            assert_int_equal(aif_estimate(&s, &rs[k][lora], &e), AIF_OK);
            assert_int_equal(aif_simulate(&s, NULL, &rm[k][lora], NULL, &e), AIF_OK);
        }
    aif_catalog_free(c);
    const aif_train_result *p = &rs[0][0], *a = &rs[1][0], *q = &rs[2][0];
    /* the accumulation: compute only, and the fp32 buffer of every weight the stage holds */
    assert_true(a->bd.compute_s > p->bd.compute_s && a->bd.pp_comm_s == p->bd.pp_comm_s);
    assert_true(a->mem.grads_bytes > p->mem.grads_bytes * 2.9 && a->mem.grads_bytes < p->mem.grads_bytes * 3.1);
    assert_true(rs[1][1].step_time_s == rs[0][1].step_time_s);   /* LoRA: no gradients to add */
    /* the serial receive: one more send's time at each exposed end of a pass (beside the
     * receiver's gather of the tensor-parallel pieces), the compute the same */
    assert_true(q->bd.compute_s == p->bd.compute_s);
    assert_true(t_send > 0 && t_seg > t_send);
    assert_true(fabs((q->bd.pp_comm_s - p->bd.pp_comm_s) / p->bd.pp_comm_s - t_send / t_seg) < 0.02);
    /* the engines agree on what each adds: the accumulation's time within a tenth of it;
     * the receive the same share of each engine's own exposed sends (the engines count
     * those apart: the estimate every send of the busiest stage, the simulation the sends
     * its critical path waits for) */
    double de = rs[1][0].step_time_s - p->step_time_s, ds = rm[1][0].step_time_s - rm[0][0].step_time_s;
    assert_true(de > 0 && ds > 0 && fabs(de - ds) <= 0.1 * de);
    const aif_train_result *pm = &rm[0][0], *qm = &rm[2][0];
    assert_true(qm->step_time_s > pm->step_time_s && pm->bd.pp_comm_s > 0);
    assert_true(fabs((qm->bd.pp_comm_s - pm->bd.pp_comm_s) / pm->bd.pp_comm_s -
                     (q->bd.pp_comm_s - p->bd.pp_comm_s) / p->bd.pp_comm_s) < 0.05);
}

/* A stack without TP overlap runs without it, even asked; the search never tries it. */
static void test_missing_overlap(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(load("dgx-h100", "llama3-70b", "tp: 8, tp_overlap: true, framework: deepspeed", &s, &e), AIF_OK);
    assert_false(s.train.tp_overlap);
    assert_int_equal(s.train.attention, AIF_ATTN_FLASH2);   /* and its best attention kernel */
    assert_int_equal(load("dgx-h100", "llama3-70b", "tp: 8, tp_overlap: true, framework: megatron-core", &s, &e), AIF_OK);
    assert_true(s.train.tp_overlap);
    assert_int_equal(load("dgx-h100", "llama3-8b", "tp: 8, framework: deepspeed", &s, &e), AIF_OK);
    aif_best_opts o;
    memset(&o, 0, sizeof o);
    aif_best_space_all(&o.space);
    o.space.pp = 1;   /* a smaller space: tp, mbs, recompute, optimizer and the overlaps */
    o.space.vpp = o.space.cp = o.space.ep = o.space.etp = 1;
    o.top = 16;
    aif_best *b = malloc(sizeof *b);
    assert_non_null(b);
    assert_int_equal(aif_search_best(&s, &o, b, &e), AIF_OK);
    assert_true(b->n_results > 0);
    for (int i = 0; i < b->n_results; i++)
        assert_false(b->results[i].tp_overlap);
    long long without = b->candidates;
    /* Megatron-Core's stack tries TP overlap on and off wherever tp > 1: more candidates */
    assert_int_equal(load("dgx-h100", "llama3-8b", "tp: 8", &s, &e), AIF_OK);
    assert_int_equal(aif_search_best(&s, &o, b, &e), AIF_OK);
    assert_true(b->candidates > without);
    free(b);
}

/* FSDP gathers without prefetch are exposed: a slower step than with it. */
static void test_fsdp_prefetch(void **state)
{
    (void)state;
    aif_catalog *c;
    aif_err e;
    assert_int_equal(catalog_with("frameworks:\n  no-prefetch:\n    attention: flash3\n    matmul_factor: 1\n"
                                  "    fp8_matmul_factor: 1\n    fp8_cast_factor: 1\n    norm_traffic: 1\n    act_traffic: 1\n"
                                  "    elementwise_kernels: 1\n    launch_factor: 1\n    dp_overlap: true\n    fsdp_prefetch: 0\n",
                                  &c, &e),
                     AIF_OK);
    const char *y0 = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {seq: 4096, gbs: 16, optimizer: fsdp}\n";
    const char *y1 = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\n"
                     "train: {seq: 4096, gbs: 16, optimizer: fsdp, framework: no-prefetch}\n";
    aif_scenario s0, s1;
    assert_int_equal(aif_scenario_parse(c, y0, strlen(y0), "t", NULL, 0, &s0, &e), AIF_OK);
    assert_int_equal(aif_scenario_parse(c, y1, strlen(y1), "t", NULL, 0, &s1, &e), AIF_OK);
    aif_train_result r0, r1;
    assert_int_equal(aif_estimate(&s0, &r0, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s1, &r1, &e), AIF_OK);
    assert_true(r1.step_time_s > r0.step_time_s);
    aif_catalog_free(c);
}

/* torchtitan's per-op selective policy replays half of each layer's GEMMs; Megatron's
 * selective recompute with flash attention replays nothing */
static void test_selective_policy(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_train_result r;
    assert_int_equal(load("dgx-h100", "llama3-8b", "recompute: selective", &s, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    assert_true(r.bd.recompute_s == 0);
    assert_int_equal(load("dgx-h100", "llama3-8b", "recompute: selective, framework: torchtitan-compile", &s, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    double sel = r.bd.recompute_s;
    assert_int_equal(load("dgx-h100", "llama3-8b", "recompute: full, framework: torchtitan-compile", &s, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    assert_true(sel > 0.3 * r.bd.recompute_s && sel < 0.8 * r.bd.recompute_s);
}

/* A ZeRO-3 job of GPT-3 175B (GPT-3's 96 layers cut to 4) on `gpus` A100 80GB with
 * fixed micro-batch 1 and full recompute, the SC'21 comparison's setting. */
static aif_rc load_zero3(const char *framework, int gpus, const char *model, aif_scenario *s, aif_err *e)
{
    char y[512];
    snprintf(y, sizeof y,
             "cluster: {system: dgx-a100-80g, fabric: ib-hdr, gpus: %d}\nmodel: {base: %s, layers: 4}\n"
             "train: {seq: 2048, mbs: 1, gbs: %d, tp: 1, pp: 1, optimizer: zero3, recompute: full, "
             "precision: bf16, framework: %s}\n", gpus, model, gpus, framework);
    return aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, s, e);
}

/* ops named `name` in segment i_seg, and of those how many run with overlap `ovl` */
static int count_ops(const aif_graph *g, int i_seg, const char *name, int ovl, int *with_ovl, int *kernels)
{
    int n = 0;
    *with_ovl = 0;
    for (int i = g->seg[i_seg].first; i < g->seg[i_seg].first + g->seg[i_seg].n; i++)
        if (!strcmp(g->ops[i].name, name)) {
            n++;
            *with_ovl += g->ops[i].overlap == ovl;
            if (kernels)
                *kernels = g->ops[i].n_kernels;
        }
    return n;
}

/* In fp8 each per-tensor collective still overlaps its own GEMM: the operand's cast comes
 * before the gather (it used to sit between the two, and the gather hid behind the cast). */
static void test_zero3_fp8_beside_gemm(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: {base: llama3-8b, layers: 4}\n"
                    "train: {seq: 4096, mbs: 1, gbs: 64, tp: 1, pp: 1, optimizer: zero3, precision: fp8, "
                    "framework: deepspeed}\n";
    aif_scenario s;
    aif_err e;
    aif_graph g;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    int n = 0;
    for (int i = 0; i + 1 < g.n_ops; i++)
        if (!strcmp(g.ops[i].name, "dp.ag.weights") || !strcmp(g.ops[i].name, "dp.rs.grads")) {
            int j = i + 1;
            while (j < g.n_ops && g.ops[j].kind == AIF_OP_COMM)   /* a gather and its reduce-scatter side by side */
                j++;
            assert_true(j < g.n_ops);
            assert_int_equal(g.ops[j].kind, AIF_OP_GEMM);
            n++;
        }
    assert_int_equal(n, 12);   /* the dense layer's 4 gathers forward, 4 gathers and 4 reduce-scatters backward */
    aif_graph_free(&g);
}

/* DeepSpeed's ZeRO-3 gathers and reduces each weight tensor by its own collective (qkv,
 * out, fc1, fc2 of a dense layer: 4), each beside a GEMM, with a view and a copy per rank
 * on the host; Megatron-Core's FSDP one per layer beside the layer, with none. */
static void test_zero3_per_tensor(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_graph g;
    int ovl, k = 0;
    assert_int_equal(load_zero3("megatron-core", 64, "gpt3-175b", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.weights", AIF_OVL_SEGMENT, &ovl, NULL), 1);
    assert_int_equal(ovl, 1);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.lists", AIF_OVL_NONE, &ovl, NULL), 0);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.grads", AIF_OVL_SEGMENT, &ovl, NULL), 1);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.small", AIF_OVL_NEXT, &ovl, NULL), 0);
    assert_int_equal(count_ops(&g, AIF_SEG_STEP_OPT, "dp.ag.persistent", AIF_OVL_NONE, &ovl, NULL), 0);
    aif_graph_free(&g);

    assert_int_equal(load_zero3("deepspeed", 64, "gpt3-175b", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.weights", AIF_OVL_NEXT, &ovl, NULL), 4);
    assert_int_equal(ovl, 4);   /* every tensor under 1e9 weights: each prefetched beside a GEMM */
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.lists", AIF_OVL_NONE, &ovl, &k), 4);
    assert_int_equal(k, 2 * 64);   /* a view and a copy per rank */
    /* backward: the recompute gathers again (4), the backward a third time all but fc2 (3:
     * test_zero3_reuse_distance), the gradients reduce-scattered per tensor (4) */
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.ag.weights", AIF_OVL_NEXT, &ovl, NULL), 7);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.grads", AIF_OVL_NEXT, &ovl, NULL), 4);
    /* and each small tensor's gradient on its own, beside the same GEMMs: GPT-3's four
     * linears' biases and its two layer norms' weights and biases (8), each with its lists */
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.small", AIF_OVL_NEXT, &ovl, NULL), 8);
    assert_int_equal(ovl, 8);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.lists", AIF_OVL_NONE, &ovl, NULL), 4 + 8);
    for (int i = g.seg[AIF_SEG_DENSE_BWD].first; i < g.seg[AIF_SEG_DENSE_BWD].first + g.seg[AIF_SEG_DENSE_BWD].n; i++)
        if (!strcmp(g.ops[i].name, "dp.rs.small")) {   /* the collectives together, then their GEMM */
            int j = i;
            while (g.ops[j].kind == AIF_OP_COMM)
                j++;
            assert_int_equal(g.ops[j].kind, AIF_OP_GEMM);
            assert_true(g.ops[i].bytes <= 4 * s.model.hidden * 2);
        }
    /* the step ends by gathering the small tensors again (one collective) and copying each
     * rank's piece of each out: 2 x 64 ranks x (8 a layer + the final norm's 2) */
    int k2 = 0;
    assert_int_equal(count_ops(&g, AIF_SEG_STEP_OPT, "dp.ag.persistent", AIF_OVL_NONE, &ovl, NULL), 1);
    assert_int_equal(count_ops(&g, AIF_SEG_STEP_OPT, "dp.ag.persistent.lists", AIF_OVL_NONE, &ovl, &k2), 1);
    assert_int_equal(k2, 2 * 64 * (s.model.layers * 8 + 2));
    {   /* both engines book that gather as data-parallel work, not as the optimizer's */
        aif_train_result re, rsim;
        assert_int_equal(aif_estimate(&s, &re, &e), AIF_OK);
        assert_int_equal(aif_simulate(&s, NULL, &rsim, NULL, &e), AIF_OK);
        assert_true(fabs(re.bd.optimizer_s - rsim.bd.optimizer_s) <= 0.05 * rsim.bd.optimizer_s + 1e-9);
        assert_true(fabs(re.bd.dp_comm_s - rsim.bd.dp_comm_s) <= 0.2 * rsim.bd.dp_comm_s);
    }
    double ag = 0;   /* the tensors' gathers add up to the layer's weights */
    for (int i = g.seg[AIF_SEG_DENSE_FWD].first; i < g.seg[AIF_SEG_DENSE_FWD].first + g.seg[AIF_SEG_DENSE_FWD].n; i++)
        if (!strcmp(g.ops[i].name, "dp.ag.weights"))
            ag += g.ops[i].bytes;
    double h = s.model.hidden;
    assert_true(fabs(ag - 12 * h * h * 2) < 1e-6 * ag);   /* qkv 3h^2, out h^2, fc1 and fc2 4h^2 each */
    aif_graph_free(&g);

    /* the per-rank host work at the rows' scale: 1,536 ranks, 3,072 operations per list
     * (an op's kernel count held them to 255 once) */
    assert_int_equal(load_zero3("deepspeed", 1536, "gpt3-175b", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.lists", AIF_OVL_NONE, &ovl, &k), 4);
    assert_int_equal(k, 2 * 1536);
    aif_graph_free(&g);

    /* without recompute the backward gathers each tensor again beside its reduce-scatter:
     * both collectives wait for the dgrad GEMM, the host work before them */
    const char *y = "cluster: {system: dgx-a100-80g, fabric: ib-hdr, gpus: 64}\nmodel: {base: gpt3-175b, layers: 4}\n"
                    "train: {seq: 2048, mbs: 1, gbs: 64, tp: 1, pp: 1, optimizer: zero3, recompute: none, "
                    "framework: deepspeed}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.ag.weights", AIF_OVL_NEXT, &ovl, NULL), 4);
    assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.rs.grads", AIF_OVL_NEXT, &ovl, NULL), 4);
    for (int i = g.seg[AIF_SEG_DENSE_BWD].first; i < g.seg[AIF_SEG_DENSE_BWD].first + g.seg[AIF_SEG_DENSE_BWD].n; i++)
        if (g.ops[i].kind == AIF_OP_COMM && g.ops[i + 1].kind != AIF_OP_COMM)
            assert_int_equal(g.ops[i + 1].kind, AIF_OP_GEMM);
    aif_graph_free(&g);
}

/* stage3_max_live_parameters (1e9): a 530B layer's fc1 (1.68e9 weights) held in the
 * forward stops the prefetch of fc2, and in the recompute the layer's tensors held for
 * the backward stop the later ones: those gathers run exposed */
static void test_zero3_live_limit(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_graph g;
    int ovl;
    assert_int_equal(load_zero3("deepspeed", 64, "megatron-530b", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    int n = count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.weights", AIF_OVL_NONE, &ovl, NULL);
    assert_int_equal(n, 4);
    /* forward: after qkv (1.26e9), fc1 (1.68e9) and the last layer's fc2 nothing is
     * prefetched: out's, fc2's and qkv's gathers exposed; fc1's (after out, 4.2e8) hidden */
    assert_int_equal(ovl, 3);
    count_ops(&g, AIF_SEG_DENSE_BWD, "dp.ag.weights", AIF_OVL_NONE, &ovl, NULL);
    /* recompute: qkv (1.26e9) held stops out's prefetch, fc1 (1.68e9) fc2's, each released
     * after use but fc2 (kept for the backward: test_zero3_reuse_distance); the backward
     * gathers fc1 again with fc2 held (exposed), out with fc1 (exposed), qkv with out
     * (4.2e8: prefetched) */
    assert_int_equal(ovl, 4);
    aif_graph_free(&g);
    /* GPT-3 175B's tensors (at most 6e8) leave the forward prefetching every one */
    assert_int_equal(load_zero3("deepspeed", 64, "gpt3-175b", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    count_ops(&g, AIF_SEG_DENSE_FWD, "dp.ag.weights", AIF_OVL_NONE, &ovl, NULL);
    assert_int_equal(ovl, 0);
    count_ops(&g, AIF_SEG_DENSE_BWD, "dp.ag.weights", AIF_OVL_NONE, &ovl, NULL);
    assert_int_equal(ovl, 0);   /* the recompute releases each tensor but fc2: at most 6e8 held */
    aif_graph_free(&g);
}

/* Tensor parallelism in fp8 as Transformer Engine runs it (tp 4, sequence parallel, TP
 * overlap): the gathers before a GEMM (its input, its output gradient, its input again for
 * wgrad) move fp8, 1 byte an element, where a stack without fp8_tp_gather moves bf16; the
 * output head's gather (a bf16 GEMM) stays bf16; the reduce-scatters stay bf16.  Every
 * collective run beside a GEMM sits right before it, not before its operand's cast (the
 * cast reads nothing they write), except a bf16 gather of the GEMM's own input, which the
 * cast must follow.  The GEMMs pipelined with a collective run in chunks: tp for a gather
 * (ring exchange), the stack's 4 for a reduce-scatter (TE's pipelined method). */
static void test_tp_fp8_comm(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_graph g;
    for (int quantized = 1; quantized >= 0; quantized--) {
        assert_int_equal(load("dgx-h100", "llama3-70b", "tp: 4, pp: 1, sp: true, tp_overlap: true, precision: fp8", &s, &e), AIF_OK);
        s.framework.fp8_tp_gather = quantized;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        double T = (double)s.train.mbs * s.train.seq, h = s.model.hidden;
        int n_ag = 0, n_rs = 0, n_chunked = 0;
        for (int i = 0; i < g.n_ops; i++) {
            const aif_op *o = &g.ops[i];
            if (o->kind == AIF_OP_GEMM && o->chunks > 1) {
                n_chunked++;
                int ag = !strcmp(o->name, "qkv") || !strcmp(o->name, "fc1") || strstr(o->name, ".dgrad");
                assert_int_equal(o->chunks, ag ? 4 : s.framework.tp_overlap_rs_splits);
                assert_int_equal(o->n_kernels, o->chunks);
            }
            if (o->kind != AIF_OP_COMM || o->group != AIF_GRP_TP)
                continue;
            if (o->coll == AIF_COLL_ALLGATHER && strcmp(o->name, "tp.ag.logits") && strcmp(o->name, "tp.ag.embed.grad")) {
                n_ag++;
                assert_true(fabs(o->bytes - T * h * (quantized ? 1 : 2)) < 1e-6 * o->bytes);
            } else if (o->coll == AIF_COLL_ALLGATHER) {   /* the output head and the embedding: bf16 */
                assert_true(fabs(o->bytes - T * h * 2) < 1e-6 * o->bytes);
            } else if (o->coll == AIF_COLL_REDUCESCATTER) {
                n_rs++;
                assert_true(fabs(o->bytes - T * h * 2) < 1e-6 * o->bytes);
            }
            if (o->overlap != AIF_OVL_NEXT)
                continue;
            int j = i + 1;
            while (g.ops[j].kind == AIF_OP_COMM)
                j++;
            int gathered = !strcmp(o->name, "tp.ag.qkv") || !strcmp(o->name, "tp.ag.fc1") ||
                           !strcmp(o->name, "tp.ag.out.grad") || !strcmp(o->name, "tp.ag.fc2.grad");
            if (gathered && !quantized) {   /* gathered in bf16, then cast (read 2, write 1 + 1), then the GEMM */
                assert_string_equal(g.ops[j].name, "fp8.cast");
                assert_true(fabs(g.ops[j].bytes - T * h * 4) < 1e-9 * g.ops[j].bytes);
                assert_int_equal(g.ops[j + 1].kind, AIF_OP_GEMM);
            } else {
                assert_int_equal(g.ops[j].kind, AIF_OP_GEMM);
            }
            if (gathered && quantized) {   /* the cast before: the shard's rows (read 2, write 1), then
                                              the gathered copy transposed (read 1, write 1) */
                assert_string_equal(g.ops[i - 1].name, "fp8.cast");
                assert_true(fabs(g.ops[i - 1].bytes - (T / 4 * h * 3 + T * h * 2)) < 1e-9 * g.ops[i - 1].bytes);
            }
        }
        /* forward qkv, fc1; backward out.grad, fc2.grad, qkv.input, fc1.input */
        assert_int_equal(n_ag, 6);
        assert_int_equal(n_rs, 6);   /* out, fc2; qkv.grad, fc1.grad; the embedding, the logits gradient */
        assert_int_equal(n_chunked, 6);   /* qkv, out, fc1, fc2, out.dgrad, fc2.dgrad */
        aif_graph_free(&g);
    }
    /* a stack's own selective replay keeps its collectives: its GEMMs run whole, not in chunks */
    assert_int_equal(load("dgx-h100", "llama3-8b", "tp: 4, pp: 1, sp: true, tp_overlap: true, precision: fp8, "
                                                   "recompute: selective, framework: torchtitan-compile", &s, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    int n_replayed = 0;
    for (int i = 0; i < g.n_ops; i++)
        if (g.ops[i].kind == AIF_OP_GEMM && g.ops[i].cat == AIF_CAT_RECOMPUTE) {
            n_replayed++;
            assert_true(g.ops[i].chunks <= 1);
        }
    assert_true(n_replayed > 0);
    aif_graph_free(&g);
    /* quantized gathers move less: the step is no slower */
    aif_train_result r[2];
    for (int quantized = 0; quantized < 2; quantized++) {
        assert_int_equal(load("dgx-h100", "llama3-70b", "tp: 4, pp: 1, sp: true, tp_overlap: false, precision: fp8", &s, &e), AIF_OK);
        s.framework.fp8_tp_gather = quantized;
        assert_int_equal(aif_estimate(&s, &r[quantized], &e), AIF_OK);
    }
    assert_true(r[1].bd.tp_comm_s < r[0].bd.tp_comm_s);
}

/* A graph's DTensor kernels (framework tp_dtensor) and input re-gathers, each kernel checked
 * against the collective just after it: plain, a copy of twice its bytes; fused with the GEMM
 * after it (async TP, and only there), the gather's two copies of the rank's shard (4 / tp of
 * its bytes) or the reduce-scatter's reduction (its bytes and the rank's share written).
 * Every such kernel sits before a tensor-parallel collective, never an expert one. */
typedef struct dtensor_ops {
    int colls, expert_colls, copies, locals, reduces, regathers, replayed;
} dtensor_ops;

static dtensor_ops count_dtensor_ops(const char *yaml)
{
    aif_scenario s;
    aif_err e;
    aif_graph g;
    dtensor_ops c = {0};
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "test", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    double t = s.train.par.tp;
    for (int i = 0; i < g.n_ops; i++) {
        const aif_op *o = &g.ops[i];
        int copy = !strcmp(o->name, "tp.ag.copy") || !strcmp(o->name, "tp.rs.copy");
        int local = !strcmp(o->name, "tp.ag.local"), reduce = !strcmp(o->name, "tp.rs.reduce");
        if (o->kind == AIF_OP_MEM && (copy || local || reduce)) {
            assert_true(i + 1 < g.n_ops);
            const aif_op *c2 = &g.ops[i + 1];   /* its collective, just after it */
            assert_int_equal(c2->kind, AIF_OP_COMM);
            assert_int_equal(c2->group, AIF_GRP_TP);
            assert_int_equal(c2->coll, o->name[3] == 'a' ? AIF_COLL_ALLGATHER : AIF_COLL_REDUCESCATTER);
            double want = copy ? 2 * c2->bytes : local ? 4 * c2->bytes / t : c2->bytes * (1 + 1 / t);
            assert_true(fabs(o->bytes - want) < 1e-9 * o->bytes);
            if (!copy) {   /* async TP's fused op: a gather feeding the GEMM after it, or a
                              reduce-scatter pipelined with the GEMM after it (casts between) */
                assert_true(s.train.tp_overlap && c2->overlap == AIF_OVL_NEXT);
                int j = i + 2;
                while (j < g.n_ops && g.ops[j].kind == AIF_OP_MEM && strstr(g.ops[j].name, "cast"))
                    j++;
                assert_true(j < g.n_ops);
                assert_int_equal(g.ops[j].kind, AIF_OP_GEMM);
            }
            c.copies += copy;
            c.locals += local;
            c.reduces += reduce;
            c.replayed += o->cat == AIF_CAT_RECOMPUTE;
        }
        if (o->kind == AIF_OP_COMM && o->cat == AIF_CAT_TP && (o->coll == AIF_COLL_ALLGATHER || o->coll == AIF_COLL_REDUCESCATTER)) {
            c.colls += o->group == AIF_GRP_TP;
            c.expert_colls += o->group == AIF_GRP_ETP;
        }
        c.regathers += !strcmp(o->name, "tp.ag.qkv.input") || !strcmp(o->name, "tp.ag.fc1.input");
    }
    aif_graph_free(&g);
    return c;
}

/* Sequence parallelism through PyTorch's DTensor (framework tp_dtensor: torchtitan).  The
 * activations are batch-major and split along the sequence, so a plain collective has one
 * copy kernel just before it on the compute stream, reading and writing its whole tensor (in
 * fp8 where the gather is quantized), one sequence a microbatch or two, booked to the replay
 * inside a recompute; under async TP the collectives pipelined with their GEMMs have the
 * fused ops' kernels instead (the shard's copies, the partials' reduction) and the rest (the
 * embedding's reduce-scatter) the copy.  A column-parallel mm keeps the gathered input, so
 * the backward gathers nothing again, but under the stack's per-op selective policy (which
 * recomputes the gather); the memory model keeps that gathered input under no recompute, the
 * whole sequence's instead of the shard's, to the byte.  A MoE layer's expert-parallel
 * collectives get nothing; Megatron-Core's sequence-major layout nothing either.  The
 * copies slow the step in both engines. */
static void test_tp_dtensor(void **state)
{
    (void)state;
    static const char fmt[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: %s\n"
                              "train: {seq: 4096, gbs: 16, mbs: %d, tp: 4, pp: 1, sp: true, tp_overlap: %s, "
                              "precision: fp8, recompute: %s, framework: %s}\n";
    char y[512];
    snprintf(y, sizeof y, fmt, "llama3-8b", 2, "false", "full", "torchtitan-compile");
    dtensor_ops plain = count_dtensor_ops(y);
    assert_true(plain.colls > 0);
    assert_int_equal(plain.copies, plain.colls);
    assert_true(plain.replayed > 0 && plain.locals == 0 && plain.reduces == 0 && plain.regathers == 0);
    snprintf(y, sizeof y, fmt, "llama3-8b", 1, "false", "full", "torchtitan-compile");
    dtensor_ops one = count_dtensor_ops(y);   /* the rows' torch copies at one sequence too */
    assert_int_equal(one.copies, one.colls);
    snprintf(y, sizeof y, fmt, "llama3-8b", 2, "true", "full", "torchtitan-compile");
    dtensor_ops async = count_dtensor_ops(y);
    assert_true(async.locals > 0 && async.reduces > 0 && async.copies > 0);   /* the embedding's: a copy */
    assert_int_equal(async.copies + async.locals + async.reduces, async.colls);
    assert_int_equal(async.regathers, 0);
    snprintf(y, sizeof y, fmt, "llama3-8b", 2, "false", "selective", "torchtitan-compile");
    assert_true(count_dtensor_ops(y).regathers > 0);   /* per-op SAC gathers again */
    snprintf(y, sizeof y, fmt, "llama3-8b", 2, "false", "full", "megatron-core");
    dtensor_ops mc = count_dtensor_ops(y);
    assert_true(mc.copies + mc.locals + mc.reduces == 0 && mc.regathers > 0);
    static const char moe_y[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: {base: mixtral-8x7b, layers: 2}\n"
                                "train: {seq: 4096, gbs: 16, mbs: 2, tp: 4, pp: 1, ep: 2, etp: 2, sp: true, "
                                "tp_overlap: false, precision: fp8, recompute: none, framework: torchtitan-compile}\n";
    dtensor_ops moe = count_dtensor_ops(moe_y);   /* every kernel checked beside a TP collective, */
    assert_int_equal(moe.copies, moe.colls);      /* none beside the expert TP group's */
    assert_true(moe.expert_colls > 0);

    /* a full replay that kept qkv's and fc1's outputs (recompute_saved) gathered neither input:
     * the backward gathers both again for the weight gradients */
    {
        static const char kept_y[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                                     "train: {seq: 4096, gbs: 16, mbs: 2, tp: 4, pp: 1, sp: true, tp_overlap: false, "
                                     "precision: fp8, recompute: full, recompute_saved: [qkv_proj, mlpwi], "
                                     "framework: torchtitan-compile}\n";
        assert_true(count_dtensor_ops(kept_y).regathers > 0);
    }
    /* memory, no recompute: qkv's and fc1's inputs kept gathered */
    aif_train_result r[2], sim[2];
    for (int on = 0; on < 2; on++) {
        aif_scenario s;
        aif_err e;
        snprintf(y, sizeof y, fmt, "llama3-8b", 2, "false", "none", "torchtitan-compile");
        assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, &s, &e), AIF_OK);
        s.framework.tp_dtensor = on;
        assert_int_equal(aif_estimate(&s, &r[on], &e), AIF_OK);
        assert_int_equal(aif_simulate(&s, NULL, &sim[on], NULL, &e), AIF_OK);
        if (on) {
            /* gathered in fp8 (fp8_tp_gather), so kept in fp8, against the bf16 shard */
            double T = 2.0 * 4096, h = s.model.hidden, grew = 2 * (1 * T - 2 * T / 4) * h * s.model.layers;
            double got = r[1].mem.activations_bytes - r[0].mem.activations_bytes;
            if (fabs(got / grew - 1) > 1e-9)
                fail_msg("activations grew %.6g B, by hand %.6g", got, grew);
        }
    }
    assert_true(r[1].step_time_s > r[0].step_time_s && sim[1].step_time_s > sim[0].step_time_s);
    assert_true(r[1].bd.tp_comm_s < r[0].bd.tp_comm_s);   /* no re-gathers; the kernels are compute */
}

/* stage3_max_reuse_distance (1e9): after a full recompute tensor i is used again by its
 * backward once the later tensors have run forward and backward, twice their weights
 * later.  GPT-3 175B (h 12288): fc2 at distance 0 is kept; fc1 at 2 x 4h^2 = 1.2e9, out
 * at 2 x 8h^2, qkv at 2 x 9h^2 are released and gathered a third time, before their
 * dgrad.  A limit of 0 keeps nothing (4 gathers again), an unbounded one everything (0). */
static void test_zero3_reuse_distance(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_graph g;
    int ovl;
    const double limit[3] = {1e9, 0, 1e15};
    const int again[3] = {3, 4, 0};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(load_zero3("deepspeed", 64, "gpt3-175b", &s, &e), AIF_OK);
        s.framework.fsdp_reuse_params = limit[i];
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        assert_int_equal(count_ops(&g, AIF_SEG_DENSE_BWD, "dp.ag.weights", AIF_OVL_NEXT, &ovl, NULL), 4 + again[i]);
        double h = s.model.hidden, bytes = 0;
        int n_again = 0;
        const aif_segment *sg = &g.seg[AIF_SEG_DENSE_BWD];
        for (int j = sg->first; j < sg->first + sg->n; j++)
            if (!strcmp(g.ops[j].name, "dp.ag.weights")) {
                int k = j + 1;   /* the GEMM it runs beside: the replay's fprop, or the backward's dgrad */
                while (g.ops[k].kind == AIF_OP_COMM)
                    k++;
                assert_int_equal(g.ops[k].kind, AIF_OP_GEMM);
                if (strstr(g.ops[k].name, "dgrad")) {
                    bytes += g.ops[j].bytes;
                    n_again++;
                }
            }
        assert_int_equal(n_again, again[i]);
        const double want[3] = {8 * h * h * 2, 12 * h * h * 2, 0};   /* qkv + out + fc1; all; none */
        assert_true(fabs(bytes - want[i]) <= 1e-9 * want[1]);
        aif_graph_free(&g);
    }
    /* the third gathers cost time: DeepSpeed's step is slower with them than with everything kept */
    aif_train_result r[2];
    for (int i = 0; i < 2; i++) {
        assert_int_equal(load_zero3("deepspeed", 1536, "gpt3-175b", &s, &e), AIF_OK);
        s.framework.fsdp_reuse_params = i ? 1e15 : 1e9;
        assert_int_equal(aif_estimate(&s, &r[i], &e), AIF_OK);
    }
    assert_true(r[0].step_time_s > r[1].step_time_s);
}

/* At a fixed micro-batch per GPU the compute per GPU is fixed, and ZeRO-3's collectives
 * move the same bytes per GPU at any rank count, but each pays its ring's latency and its
 * per-rank lists, linear in the ranks: DeepSpeed's step grows with the data-parallel ranks,
 * several times more than a flat-buffer, layer-wise FSDP's. */
static void test_zero3_grows_with_ranks(void **state)
{
    (void)state;
    double t[2][2];
    const char *fw[2] = {"megatron-core", "deepspeed"};
    int gpus[2] = {64, 1024};
    for (int f = 0; f < 2; f++)
        for (int i = 0; i < 2; i++) {
            aif_scenario s;
            aif_err e;
            aif_train_result r;
            assert_int_equal(load_zero3(fw[f], gpus[i], "gpt3-175b", &s, &e), AIF_OK);
            assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
            t[f][i] = r.step_time_s;
        }
    double grow_fsdp = t[0][1] / t[0][0] - 1, grow_ds = t[1][1] / t[1][0] - 1;
    assert_true(t[1][0] >= t[0][0]);
    assert_true(grow_ds > 0.2);
    assert_true(grow_ds > 3 * grow_fsdp);
    /* the per-rank host work is the collectives' (DP), not memory-bound compute: on 2048
     * ranks it outlasts the layer's compute, and the breakdown still adds up with the
     * memory-bound share inside the compute, in both engines */
    for (int engine = 0; engine < 2; engine++) {
        aif_scenario s;
        aif_err e;
        aif_train_result r;
        assert_int_equal(load_zero3("deepspeed", 2048, "gpt3-175b", &s, &e), AIF_OK);
        if (engine)
            assert_int_equal(aif_simulate(&s, NULL, &r, NULL, &e), AIF_OK);
        else
            assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
        const aif_breakdown *b = &r.bd;
        assert_true(b->dp_comm_s > b->compute_s);
        assert_true(b->membound_s <= b->compute_s);
        double sum = b->compute_s + b->tp_comm_s + b->cp_comm_s + b->ep_comm_s + b->pp_comm_s + b->pp_bubble_s +
                     b->dp_comm_s + b->optimizer_s;
        assert_true(fabs(sum - r.step_time_s) < 1e-6 * r.step_time_s);
    }
}

/* aifsim validate groups its rows by stack, and every profile of the catalog has published
 * rows (issue 16): at least two each, so a profile added without rows, or whose rows are
 * dropped, fails here; every row names a catalog profile (empty: megatron-core) */
static void test_validation_groups(void **state)
{
    (void)state;
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_train_file(cat, NULL, 0, &v, &e), AIF_OK);
    int n_fw = aif_catalog_n_frameworks(cat), total = 0;
    assert_true(n_fw >= 8);
    for (int i = 0; i < n_fw; i++) {
        const char *name = aif_catalog_framework(cat, i)->name;
        aif_val_stats st;
        assert_int_equal(aif_validation_framework_stats(&v, name, &st, &e), AIF_OK);
        if (st.n < 2)
            fail_msg("%s: %d rows", name, st.n);
        assert_true(!strcmp(v.rows[st.worst].framework, name));
        total += st.n;
    }
    assert_int_equal(total, v.n);
    /* by calibration family: every row in exactly one, each family's worst row its own */
    total = 0;
    for (int i = 0; i < v.n; i++) {
        int first = 1;
        for (int j = 0; j < i && first; j++)
            first = strcmp(v.rows[j].arch, v.rows[i].arch) != 0;
        if (!first)
            continue;
        aif_val_stats st;
        assert_int_equal(aif_validation_arch_stats(&v, v.rows[i].arch, &st, &e), AIF_OK);
        assert_true(st.n >= 1 && !strcmp(v.rows[st.worst].arch, v.rows[i].arch));
        total += st.n;
    }
    assert_int_equal(total, v.n);
    /* dense and mixture of experts: both present, apart, and all rows between them */
    aif_val_stats dense, moe;
    assert_int_equal(aif_validation_moe_stats(&v, 0, &dense, &e), AIF_OK);
    assert_int_equal(aif_validation_moe_stats(&v, 1, &moe, &e), AIF_OK);
    assert_true(dense.n > 0 && moe.n > 0 && dense.n + moe.n == v.n);
    assert_true(!v.rows[dense.worst].moe && v.rows[moe.worst].moe);
    int deepseek = 0;
    for (int i = 0; i < v.n; i++)
        if (!strcmp(v.rows[i].model, "deepseek-v3")) {
            assert_true(v.rows[i].moe);
            deepseek++;
        } else if (!strcmp(v.rows[i].model, "llama3-70b")) {
            assert_false(v.rows[i].moe);
        }
    assert_true(deepseek > 0);
    /* by expert dispatcher: the MoE rows with an expert all-to-all (ep > 1), each in the group
     * of its resolved dispatcher; a column's value is the row's, auto resolves as the lowering */
    aif_val_stats a2a, flex, flex8, hyb;
    assert_int_equal(aif_validation_dispatch_stats(&v, "alltoall", &a2a, &e), AIF_OK);
    assert_int_equal(aif_validation_dispatch_stats(&v, "deepep", &flex, &e), AIF_OK);
    assert_int_equal(aif_validation_dispatch_stats(&v, "deepep-fp8", &flex8, &e), AIF_OK);
    assert_int_equal(aif_validation_dispatch_stats(&v, "hybridep", &hyb, &e), AIF_OK);
    int with_ep = 0, seen_a2a = 0, seen_flex = 0, seen_auto = 0, seen_hyb = 0;
    for (int i = 0; i < v.n; i++) {
        const aif_val_row *r = &v.rows[i];
        with_ep += r->dispatch[0] != 0;
        if (!r->moe)
            assert_int_equal(r->dispatch[0], 0);
        if (!strcmp(r->id, "mbr260401-b200-qwen3-235b-mxfp8"))   /* column ep_dispatch alltoall */
            seen_a2a = !strcmp(r->dispatch, "alltoall");
        if (!strcmp(r->id, "dsv3-h800-2048"))   /* column ep_dispatch deepep-fp8 */
            seen_flex = !strcmp(r->dispatch, "deepep-fp8");
        if (!strcmp(r->id, "mbr2608-gb200-qwen3-235b-mxfp8"))   /* column ep_dispatch hybridep */
            seen_hyb = !strcmp(r->dispatch, "hybridep");
        if (!strcmp(r->id, "amd-primus-mi355x-8x22b-bf16-64"))   /* no column: auto, Mixtral -> alltoall */
            seen_auto = !strcmp(r->dispatch, "alltoall");
        if (!strcmp(r->id, "iw-qwen3-235b-256-bf16"))   /* ep 1: no expert all-to-all */
            assert_int_equal(r->dispatch[0], 0);
    }
    assert_true(seen_a2a && seen_flex && seen_auto && seen_hyb);
    assert_true(a2a.n > 0 && flex.n > 0 && hyb.n > 0 && a2a.n + flex.n + flex8.n + hyb.n == with_ep && with_ep < moe.n);
    assert_string_equal(v.rows[a2a.worst].dispatch, "alltoall");
    assert_string_equal(v.rows[flex.worst].dispatch, "deepep");
    assert_true(flex8.n == 1);
    aif_validation_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_profile_loads), cmocka_unit_test(test_unknown_name),
        cmocka_unit_test(test_default_is_identity), cmocka_unit_test(test_compiled_never_slower),
        cmocka_unit_test(test_cuda_graphs_remove_launch_overhead), cmocka_unit_test(test_rope_traffic), cmocka_unit_test(test_attention_factors), cmocka_unit_test(test_fsdp2_copies), cmocka_unit_test(test_loss_traffic), cmocka_unit_test(test_deepspeed_pipeline_costs), cmocka_unit_test(test_missing_overlap),
        cmocka_unit_test(test_fsdp_prefetch), cmocka_unit_test(test_selective_policy),
        cmocka_unit_test(test_zero3_per_tensor), cmocka_unit_test(test_zero3_live_limit), cmocka_unit_test(test_zero3_reuse_distance), cmocka_unit_test(test_tp_fp8_comm), cmocka_unit_test(test_tp_dtensor),
        cmocka_unit_test(test_zero3_grows_with_ranks), cmocka_unit_test(test_zero3_fp8_beside_gemm),
        cmocka_unit_test(test_validation_groups),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
