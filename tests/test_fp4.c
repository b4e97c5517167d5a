/* test_fp4.c -- fp4 training (NVFP4 and MXFP4 recipes, docs/SCENARIOS.md and
 * docs/PERFORMANCE.md): the precision's names and refusals, the block-scaled GEMM's
 * time by hand, the recipe's bf16 layers and quantization kernels in the step graph,
 * the weights' bytes, and fp8 runs left as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/graph.h"
#include "engine/estimate.h"
#include "hw/compute.h"
#include "scenario/catalog.h"
#include "workload/memory.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define CLOSE(a, b, rel) do { double a_ = (a), b_ = (b); \
    if (fabs(a_ - b_) > (rel) * fabs(b_)) fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); } while (0)

static void load(aif_scenario *s, const char *yaml)
{
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "test", NULL, 0, s, &e) != AIF_OK) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

static void refused(const char *yaml, const char *path, const char *needle)
{
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_parse(cat, yaml, strlen(yaml), "t", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, path);
    if (!strstr(e.msg, needle))
        fail_msg("'%s' lacks '%s'", e.msg, needle);
}

#define B200_70B "cluster: {system: hgx-b200, gpus: 64}\nmodel: llama3-70b\ntrain: {tp: 4, pp: 2, gbs: 64, seq: 8192"

/* nvfp4 and mxfp4 are fp4 with its format; the recipe's default bf16 layers; refusals */
static void test_names_and_refusals(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, B200_70B ", precision: nvfp4}\n");
    assert_int_equal(s.train.precision, AIF_FP4);
    assert_int_equal(s.train.fp4_format, AIF_NVFP4);
    assert_int_equal(s.train.bf16_first_layers, 0);   /* Megatron-Bridge's NVFP4 recipe: none */
    assert_int_equal(s.train.bf16_last_layers, 0);
    load(&s, B200_70B ", precision: mxfp4, bf16_last_layers: 1}\n");
    assert_int_equal(s.train.precision, AIF_FP4);
    assert_int_equal(s.train.fp4_format, AIF_MXFP4);
    assert_int_equal(s.train.bf16_first_layers, 0);
    assert_int_equal(s.train.bf16_last_layers, 1);
    load(&s, B200_70B ", precision: fp4, fp4_format: mxfp4}\n");
    assert_int_equal(s.train.fp4_format, AIF_MXFP4);
    load(&s, B200_70B ", precision: fp8}\n");   /* fp8 keeps every layer in fp8, as before */
    assert_int_equal(s.train.bf16_first_layers + s.train.bf16_last_layers, 0);
    /* a GPU without fp4 tensor cores is refused, naming what has them */
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {precision: nvfp4}\n", "train.precision",
            "h100-sxm has no fp4 tensor cores");
    refused("cluster: {system: mi300x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {precision: mxfp4}\n", "train.precision",
            "use bf16 or fp8");
    refused(B200_70B ", precision: mxfp4, fp4_format: nvfp4}\n", "train.fp4_format", "contradicts precision mxfp4");
    /* MI355X has fp4 for MXFP4, not NVFP4 */
    refused("cluster: {system: mi355x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {precision: nvfp4}\n", "train.precision",
            "not NVIDIA's NVFP4: use mxfp4");
    load(&s, "cluster: {system: mi355x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {precision: mxfp4}\n");
    assert_int_equal(s.train.fp4_format, AIF_MXFP4);
    refused(B200_70B ", bf16_last_layers: 2}\n", "train.bf16_last_layers", "precision fp8 or fp4");
    refused(B200_70B ", precision: fp4x}\n", "train.precision", "accepted: bf16, fp8, fp4, nvfp4, mxfp4");
}

/* one block-scaled GEMM on b200 by hand: t = F / (P_fp4 * e_fp4 * waves * K/(K + K_half)),
 * and a share h kept in bf16 at the bf16 roof */
static void test_gemm_by_hand(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "b200");
    const aif_calib *c = &g->calib;
    assert_true(c->matmul_eff_fp4 > 0 && c->matmul_eff_fp4 < c->matmul_eff_fp8);
    aif_op o;
    memset(&o, 0, sizeof o);
    o.kind = AIF_OP_GEMM;
    o.m = 16384, o.n = 6144, o.k = 4096, o.batch = 1, o.n_kernels = 1;
    o.flops = 2 * o.m * o.n * o.k;
    o.fp8 = AIF_GEMM_FP4_BLOCK;
    /* tiles 64 x 24 = 1536 on 148 SMs: 11 waves */
    double shape = 1536.0 / (11 * 148) * (4096.0 / (4096 + c->matmul_k_half));
    double t4 = o.flops / (9000e12 * c->matmul_eff_fp4 * shape) + c->kernel_overhead_s;
    CLOSE(aif_compute_time(g, &o, 1), t4, 1e-12);
    /* the vLLM microbenchmark this efficiency is read from: 3,904 TFLOP/s at this shape */
    CLOSE(o.flops / (t4 - c->kernel_overhead_s), 3904e12, 0.02);
    o.hp_share = 0.25;
    double th = 0.75 * o.flops / (9000e12 * c->matmul_eff_fp4 * shape) +
                0.25 * o.flops / (2250e12 * c->matmul_eff * shape) + c->kernel_overhead_s;
    CLOSE(aif_compute_time(g, &o, 1), th, 1e-12);
    /* a serving fp4 GEMM is the same block-scaled kernel: the same efficiency */
    o.hp_share = 0;
    o.fp8 = AIF_GEMM_FP4;
    CLOSE(aif_compute_time(g, &o, 1), t4, 1e-12);
    /* on a GPU without fp4 the op falls back to fp8 (the scenario refuses it before) */
    o.fp8 = AIF_GEMM_FP4_BLOCK;
    const aif_gpu *h = aif_catalog_find_gpu(cat, "h100-sxm");
    assert_true(aif_compute_time(h, &o, 1) > aif_compute_time(g, &o, 1));
}

/* the step graph: every layer GEMM block-scaled with the recipe's bf16 share; attention,
 * router and head in bf16; one quantize op before each fprop and dgrad, by hand */
static void test_lowering(void **state)
{
    (void)state;
    for (int fmt = 0; fmt < 2; fmt++) {
        aif_scenario s;
        /* the NVFP4 paper's recipe: the first 2 and the last 8 layers in bf16 */
        load(&s, fmt ? B200_70B ", precision: mxfp4, bf16_first_layers: 2, bf16_last_layers: 8}\n"
                     : B200_70B ", precision: nvfp4, bf16_first_layers: 2, bf16_last_layers: 8}\n");
        aif_graph g;
        aif_err e;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        double hp = 10.0 / 80;   /* llama3-70b: 80 layers, first 2 and last 8 in bf16 */
        double qb = fmt ? 2 + 2 * (0.5 + 1.0 / 32) : 2 + 2 + 2 * (0.5 + 1.0 / 16);
        int n_fp4 = 0, n_quant = 0;
        for (int i = 0; i < g.n_ops; i++) {
            const aif_op *o = &g.ops[i];
            if (o->kind == AIF_OP_GEMM) {
                int layer = !strcmp(o->name, "qkv") || !strncmp(o->name, "qkv.", 4) || !strncmp(o->name, "out", 3) ||
                            !strncmp(o->name, "fc1", 3) || !strncmp(o->name, "fc2", 3);
                if (layer) {
                    assert_int_equal(o->fp8, AIF_GEMM_FP4_BLOCK);
                    CLOSE(o->hp_share, hp, 1e-15);
                    n_fp4++;
                } else {
                    assert_int_equal(o->fp8, AIF_GEMM_BF16);   /* logits, router */
                }
            }
            if (!strcmp(o->name, "fp4.quantize")) {
                int j = i + 1;   /* the GEMM it feeds, after the collectives that run beside that GEMM */
                while (g.ops[j].kind == AIF_OP_COMM)
                    j++;
                const aif_op *next = &g.ops[j];
                assert_int_equal(next->kind, AIF_OP_GEMM);
                double el = next->m * next->k * next->batch * (1 - hp), eb = fmt ? 0.5 + 1.0 / 32 : 0.5 + 1.0 / 16;
                int t = s.train.par.tp;
                const char *own[] = {"tp.ag.qkv", "tp.ag.fc1", "tp.ag.out.grad", "tp.ag.fc2.grad"};
                int gathered = 0;   /* beside it (overlapped: after it; not: before it) */
                for (int q = 0; q < 4; q++)
                    gathered |= !strcmp(g.ops[i + 1].name, own[q]) || (i > 0 && !strcmp(g.ops[i - 1].name, own[q]));
                if (gathered)
                    /* its input gathered quantized (fp8_tp_gather): the shard's rows quantized, the
                       gathered copy's transpose read and written */
                    CLOSE(o->bytes, el / t * (qb - eb) + el * 2 * eb, 1e-12);
                else
                    CLOSE(o->bytes, el * qb, 1e-12);
                n_quant++;
            }
            assert_true(strcmp(o->name, "fp8.cast") != 0);
        }
        /* dense layer: qkv, out, fc1, fc2 forward; each dgrad and wgrad backward (x2 with the
         * recomputed forward absent); quantize before the 4 fprops and 4 dgrads of each */
        assert_int_equal(n_fp4, 4 * 3);
        assert_int_equal(n_quant, 4 * 2);
        aif_graph_free(&g);
    }
}

/* weights: bf16 + the fp4 copy of the fp4 layers (the embedding and head bf16 alone); fp32 master weights and moments as
 * every recipe; all layers in bf16 equal the bf16 step */
static void test_memory_and_limits(void **state)
{
    (void)state;
    aif_scenario b, f8, f4, all;
    load(&b, B200_70B "}\n");
    load(&f8, B200_70B ", precision: fp8}\n");
    load(&f4, B200_70B ", precision: nvfp4, bf16_first_layers: 2, bf16_last_layers: 8}\n");
    load(&all, B200_70B ", precision: nvfp4, bf16_first_layers: 40, bf16_last_layers: 40}\n");
    aif_train_result rb, r8, r4, ra;
    aif_err e;
    assert_int_equal(aif_estimate(&b, &rb, &e), AIF_OK);
    assert_int_equal(aif_estimate(&f8, &r8, &e), AIF_OK);
    assert_int_equal(aif_estimate(&f4, &r4, &e), AIF_OK);
    assert_int_equal(aif_estimate(&all, &ra, &e), AIF_OK);
    double params = rb.mem.weights_bytes / 2;
    /* the embedding (or the head and final norm: the busiest stage's, TP 4) has no low-precision
     * copy: 128,256 x 8,192 / 4 weights at bf16's 2 bytes under every recipe */
    double edge = 3 * params - r8.mem.weights_bytes, emb = 128256.0 * 8192 / 4;
    assert_true(fabs(edge - emb) < 1 || fabs(edge - emb - 8192) < 1);
    CLOSE(r4.mem.weights_bytes, (2 + 0.5625 * (1 - 10.0 / 80)) * (params - edge) + 2 * edge, 1e-12);
    CLOSE(ra.mem.weights_bytes, 2 * params, 1e-12);
    CLOSE(r4.mem.optimizer_bytes, rb.mem.optimizer_bytes, 1e-15);
    CLOSE(r4.mem.grads_bytes, rb.mem.grads_bytes, 1e-15);
    /* every layer in bf16: the GEMMs at the bf16 rate, no quantization: the bf16 step
     * (the only difference left: fp4 operand bytes in GEMMs that are compute-bound) */
    CLOSE(ra.step_time_s, rb.step_time_s, 1e-9);
    /* a GEMM-bound step: fp4 faster than fp8, fp8 than bf16 */
    assert_true(r4.step_time_s < r8.step_time_s && r8.step_time_s < rb.step_time_s);
    CLOSE(r4.model_flops_per_step, rb.model_flops_per_step, 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_refusals), cmocka_unit_test(test_gemm_by_hand),
        cmocka_unit_test(test_lowering), cmocka_unit_test(test_memory_and_limits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
