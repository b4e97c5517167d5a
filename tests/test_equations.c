/* test_equations.c -- each equation of the analytical model against a case
 * computed by hand, and the step graph against the closed-form FLOP count. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

#include "aifsim/graph.h"
#include "engine/estimate.h"
#include "hw/compute.h"
#include "net/collective.h"
#include "scenario/catalog.h"
#include "aifsim/sim.h"
#include "aifsim/validate.h"
#include "workload/memory.h"
#include "workload/lower_serve.h"
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

/* s loaded from yaml and its step graph lowered into g (which the caller frees). */
static void lower_yaml(aif_scenario *s, aif_graph *g, const char *yaml)
{
    load(s, yaml);
    aif_err e;
    assert_int_equal(aif_graph_lower(s, g, &e), AIF_OK);
}

/* Megatron-LM / SC'21: forward FLOPs = 24 B s l h^2 (1 + s/(6h) + V/(16 l h)) * 4/3 ... per pass:
 * 24 B s l h^2 + 4 B s^2 l h + 2 B s h V for a GPT model (MHA, GELU, ffn = 4h). */
static void test_flops_match_megatron(void **state)
{
    (void)state;
    const aif_model *m = aif_catalog_find_model(cat, "gpt3-175b");
    double s = 2048, l = m->layers, h = m->hidden, V = m->vocab;
    double megatron = 24 * s * l * h * h + 4 * s * s * l * h + 2 * s * h * V;
    CLOSE(aif_model_fwd_flops_per_seq(m, s), megatron, 1e-12);
    aif_scenario sc;
    load(&sc, "cluster: {system: dgx-a100-80g, gpus: 8}\nmodel: gpt3-175b\n"
              "train: {tp: 8, seq: 2048, gbs: 4, mbs: 1}\n");
    double conv = aif_flops_by_convention("megatron", &sc, NULL);
    CLOSE(conv, 3 * 4 * megatron, 1e-12);
}

static void test_gemm_roofline(void **state)
{
    (void)state;
    aif_gpu g;
    memset(&g, 0, sizeof g);
    g.peak_flops[AIF_BF16] = 1000e12;
    g.hbm_bw_Bps = 3e12;
    g.calib = (aif_calib){.matmul_eff = 0.8, .matmul_k_half = 64, .mem_eff = 0.9, .kernel_overhead_s = 5e-6,
                          .n_sm = 100, .tile_m = 128, .tile_n = 128, .attn_fwd_eff = 0.5, .attn_bwd_eff = 0.4,
                          .attn_kv_half = 128};
    aif_op op = {.kind = AIF_OP_GEMM, .m = 8192, .n = 8192, .k = 8192, .batch = 1, .n_kernels = 1};
    op.flops = 2.0 * 8192 * 8192 * 8192;
    op.bytes = 3.0 * 8192 * 8192 * 2;
    /* tiles = 64*64 = 4096, waves = 41 -> wave efficiency 4096/4100 */
    double eff = 0.8 * (4096.0 / 4100.0) * (8192.0 / (8192.0 + 64));
    CLOSE(aif_compute_time(&g, &op, 1.0), op.flops / (1000e12 * eff) + 5e-6, 1e-12);
    /* halving the clock doubles the compute-bound part */
    CLOSE(aif_compute_time(&g, &op, 0.5), 2 * op.flops / (1000e12 * eff) + 5e-6, 1e-12);
    aif_op mem = {.kind = AIF_OP_MEM, .bytes = 3e9, .n_kernels = 2};
    CLOSE(aif_compute_time(&g, &mem, 1.0), 3e9 / (3e12 * 0.9) + 10e-6, 1e-12);
    /* the same GEMM in 8 chunks of 1,024 rows (pipelined with a TP collective): each launch
     * 8 x 64 = 512 tiles in 6 waves of 100, wave efficiency 512/600; eight launches */
    aif_op ch = op;
    ch.chunks = 8;
    ch.n_kernels = 8;
    double eff_ch = 0.8 * (512.0 / 600.0) * (8192.0 / (8192.0 + 64));
    CLOSE(aif_compute_time(&g, &ch, 1.0), op.flops / (1000e12 * eff_ch) + 8 * 5e-6, 1e-12);
    /* a skinny GEMM is memory bound */
    aif_op sk = {.kind = AIF_OP_GEMM, .m = 1, .n = 8192, .k = 8192, .batch = 1, .n_kernels = 1};
    sk.flops = 2.0 * 8192 * 8192;
    sk.bytes = (8192.0 + 8192.0 * 8192) * 2 + 8192 * 2;
    CLOSE(aif_compute_time(&g, &sk, 1.0), sk.bytes / (3e12 * 0.9) + 5e-6, 1e-12);
    aif_op at = {.kind = AIF_OP_ATTN_FWD, .flops = 1e12, .k = 4096, .n_kernels = 1};
    CLOSE(aif_compute_time(&g, &at, 1.0), 1e12 / (1000e12 * 0.5 * 4096 / (4096 + 128.0)) + 5e-6, 1e-12);
    /* split-K: 128 x 1,280 x 16,384 has 10 tiles, one tenth of the SMs.  Split in s slices of k/s
     * (s x 10 tiles <= 100), the compute is F / (P 0.8 (10 s / 100) (k/s) / (k/s + 64)); the partial
     * sums add 2 x 4 m n s bytes and the reduction one launch.  By hand, F = 5.37e9 flop and 46.5 MB
     * of operands at 2.7e12 B/s: s = 1 67.4 us of compute; s = 2 33.8 us against 18.2 us of memory;
     * s = 3 22.6 against 18.7; s = 4 17.0 against 19.2, memory bound at 19.2 + 5 us of reduction
     * launch = 24.2 us; s = 5 24.6; more slices only add partial sums.  So s = 4. */
    aif_op sp = {.kind = AIF_OP_GEMM, .m = 128, .n = 1280, .k = 16384, .batch = 1, .n_kernels = 1};
    sp.flops = 2.0 * 128 * 1280 * 16384;
    sp.bytes = (128.0 * 16384 + 1280.0 * 16384 + 128.0 * 1280) * 2;
    assert_int_equal(aif_gemm_split_k(&g, &sp, 10, 1000e12 * 0.8), 4);
    CLOSE(aif_compute_time(&g, &sp, 1.0), (sp.bytes + 8.0 * 128 * 1280 * 4) / 2.7e12 + 10e-6, 1e-12);
    /* unsplit it would have been compute bound on 10 of the 100 SMs: 72.4 against 29.2 us */
    double unsplit = sp.flops / (1000e12 * 0.8 * 0.1 * 16384 / (16384 + 64.0)) + 5e-6;
    assert_true(unsplit > 2.4 * aif_compute_time(&g, &sp, 1.0));
    /* a launch that fills its wave, a chunk of a pipelined GEMM and a grouped GEMM are not split */
    assert_int_equal(aif_gemm_split_k(&g, &op, 4096, 1000e12 * 0.8), 1);
    aif_op spc = sp;
    spc.chunks = 2;
    spc.n_kernels = 2;
    double tiles_c = 1280 / 128;   /* 64 rows per chunk: one tile row of 10 tiles */
    CLOSE(aif_compute_time(&g, &spc, 1.0),
          sp.flops / (1000e12 * 0.8 * tiles_c / 100 * 16384 / (16384 + 64.0)) + 10e-6, 1e-12);
    /* a decode GEMV (one row) is memory bound: the partial sums would only add bytes */
    assert_int_equal(aif_gemm_split_k(&g, &sk, 64, 1000e12 * 0.8), 1);
    /* a grouped GEMM of 4 experts x 64 rows (4 tiles of the 100 SMs) is not split */
    aif_op gr = sp;
    gr.m = 64;
    gr.n = 128;
    gr.batch = 4;
    gr.grouped = 1;
    gr.flops = 2.0 * 64 * 128 * 16384 * 4;
    gr.bytes = (64.0 * 16384 + 128.0 * 16384 + 64.0 * 128) * 2 * 4;
    double t_gr = fmax(gr.flops / (1000e12 * 0.8 * 4 / 100 * 16384 / (16384 + 64.0)), gr.bytes / 2.7e12) + 5e-6;
    CLOSE(aif_compute_time(&g, &gr, 1.0), t_gr, 1e-12);
    /* each slice keeps at least 128 of K: with no memory roof and no launch cost more slices
     * would always win, and one tile over k = 1,024 stops at 1,024 / 128 = 8 */
    aif_gpu fast = g;
    fast.hbm_bw_Bps = 1e30;
    fast.calib.kernel_overhead_s = 0;
    aif_op one = {.kind = AIF_OP_GEMM, .m = 128, .n = 128, .k = 1024, .batch = 1, .n_kernels = 1};
    one.flops = 2.0 * 128 * 128 * 1024;
    one.bytes = 1;
    assert_int_equal(aif_gemm_split_k(&fast, &one, 1, 1000e12 * 0.8), 8);
}

/* Thin GEMMs against the kernel tables: deepseek-ai/DeepGEMM README (commit 327ec92f), "Normal GEMMs
 * for dense models", FP8 on H800 SXM5 (132 SMs, 3.35 TB/s: the H100 SXM's compute and memory): DeepGEMM's
 * TFLOP/s and its speed-up over "an internally optimized CUTLASS 3.6 implementation" (CUTLASS's time is
 * DeepGEMM's x the speed-up).  The rows of 64 and 128 tokens are serving's decode batches and short
 * prefills; a 128 x 256 tile fills 9 to 56 of the 132 SMs there.  The model must lie between the fastest
 * published kernel (DeepGEMM, less 10%) and the general library (CUTLASS, plus 50%): without split-K
 * three of the twelve were 1.8-1.9 times CUTLASS's time. */
static void test_thin_gemms_against_kernel_tables(void **state)
{
    (void)state;
    static const double rows[][5] = {
        {64, 2112, 7168, 206, 2.7},  {64, 24576, 1536, 289, 1.7},  {64, 32768, 512, 219, 1.8},
        {64, 7168, 16384, 336, 1.4}, {64, 4096, 7168, 287, 1.4},   {64, 7168, 2048, 295, 1.7},
        {128, 2112, 7168, 352, 2.4}, {128, 24576, 1536, 535, 1.6}, {128, 32768, 512, 358, 1.5},
        {128, 7168, 16384, 645, 1.4}, {128, 4096, 7168, 533, 2.0}, {128, 7168, 2048, 510, 1.7},
    };
    const aif_gpu *g = aif_catalog_find_gpu(cat, "h100-sxm");
    assert_non_null(g);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        double m = rows[i][0], n = rows[i][1], k = rows[i][2];
        aif_op op = {.kind = AIF_OP_GEMM, .m = m, .n = n, .k = k, .batch = 1, .n_kernels = 1, .fp8 = 1};
        op.flops = 2 * m * n * k;
        op.bytes = m * k + n * k + 2 * m * n;   /* fp8 operands, bf16 output */
        double t = aif_compute_time(g, &op, 1.0);
        double deepgemm = op.flops / (rows[i][3] * 1e12), cutlass = deepgemm * rows[i][4];
        if (t < 0.9 * deepgemm || t > 1.5 * cutlass)
            fail_msg("%g x %g x %g: %.1f us outside [%.1f, %.1f] us (DeepGEMM %.1f, CUTLASS 3.6 %.1f)", m, n, k,
                     t * 1e6, 0.9 * deepgemm * 1e6, 1.5 * cutlass * 1e6, deepgemm * 1e6, cutlass * 1e6);
    }
}

/* The fused-attention rate by head dimension (compute.c, aif_attn_eff_hd): through the measured
 * points at 64, 128 and 192, linear between them, the end value beyond; a side without its point
 * takes attn_hd_half's curve from 128. */
static void test_attention_rate_by_head_dim(void **state)
{
    (void)state;
    aif_calib c = {.attn_fwd_eff = 0.6, .attn_bwd_eff = 0.5, .attn_hd_half = 54, .attn_fwd_eff_hd64 = 0.4,
                   .attn_bwd_eff_hd64 = 0.45, .attn_fwd_eff_hd192 = 0.64, .attn_bwd_eff_hd192 = 0.42};
    CLOSE(aif_attn_eff_hd(&c, 1, 128), 0.6, 1e-15);
    CLOSE(aif_attn_eff_hd(&c, 1, 0), 0.6, 1e-15);          /* no head dimension: the 128 figure */
    CLOSE(aif_attn_eff_hd(&c, 1, 96), 0.5, 1e-12);         /* half way from 64 to 128 */
    CLOSE(aif_attn_eff_hd(&c, 0, 96), 0.475, 1e-12);
    CLOSE(aif_attn_eff_hd(&c, 1, 160), 0.62, 1e-12);       /* half way from 128 to 192 */
    CLOSE(aif_attn_eff_hd(&c, 0, 160), 0.46, 1e-12);
    CLOSE(aif_attn_eff_hd(&c, 1, 32), 0.4, 1e-15);         /* beyond the points: their value */
    CLOSE(aif_attn_eff_hd(&c, 0, 256), 0.42, 1e-15);
    c.attn_fwd_eff_hd192 = 0;                              /* no point above 128: the curve */
    CLOSE(aif_attn_eff_hd(&c, 1, 192), 0.6 * (192.0 / 246) / (128.0 / 182), 1e-12);
    CLOSE(aif_attn_eff_hd(&c, 1, 64), 0.4, 1e-15);         /* the other side keeps its point */
}

/* A table of validation/kernels/ opened past its header line. */
static FILE *kernel_table(const char *name)
{
    char path[1024], line[512];
    snprintf(path, sizeof path, "%s/validation/kernels/%s", AIFSIM_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof line, f))
        fail_msg("%s: no table, or no header line", path);
    return f;
}

/* Memory-bound kernels against cuDNN's normalisation table (validation/kernels/norm_cudnn.csv:
 * cudnn-frontend's norms benchmark, commit fb682ce, bf16, on GB200, GB300 and H200): an RMSNorm
 * of the sizes training runs (at least 16M values: 4,096 tokens of a 4,096-wide model, or QK-norm's
 * 131,072 rows of 128) timed as the training lowering times its norms, 4 bytes a value forward and 6
 * backward at the family's mem_eff, one launch each.  The model lies within 0.75x to 1.3x of cuDNN
 * on every such kernel (forward 0.95-1.22x, backward 0.77-1.09x).  Smaller norms (fewer QK-norm
 * rows, 2,048 tokens) and the LayerNorm backward at 1,024 rows are launch-bound or cuDNN's weaker
 * kernels and are not held. */
static void test_norms_against_kernel_table(void **state)
{
    (void)state;
    FILE *f = kernel_table("norm_cudnn.csv");
    char line[512];
    int held = 0;
    while (fgets(line, sizeof line, f)) {
        char gpu[16], model[48], norm[16];
        int ver;
        double n, c, fwd_ms, bwd_ms;
        assert_int_equal(sscanf(line, "%15[^,],%d,%47[^,],%15[^,],%lf,%lf,%lf,%lf,", gpu, &ver, model, norm, &n, &c,
                                &fwd_ms, &bwd_ms), 8);
        if (strcmp(norm, "rms_norm") || n * c < 16e6)
            continue;
        const aif_gpu *g = aif_catalog_find_gpu(cat, gpu);
        assert_non_null(g);
        for (int bwd = 0; bwd < 2; bwd++) {
            aif_op op = {.kind = AIF_OP_MEM, .bytes = (bwd ? 6 : 4) * n * c, .n_kernels = 1};
            double r = aif_compute_time(g, &op, 1.0) / ((bwd ? bwd_ms : fwd_ms) * 1e-3);
            if (r < 0.75 || r > 1.3)
                fail_msg("%s %s %gx%g %s: model %.2fx cuDNN's time", gpu, model, n, c, bwd ? "bwd" : "fwd", r);
            held++;
        }
    }
    fclose(f);
    assert_true(held >= 50);
}

/* TPU7x (Ironwood) against Google's own microbenchmarks of the chip (validation/kernels/
 * tpu7x_microbenchmarks.csv: AI-Hypercomputer/accelerator-microbenchmarks at 36fc5e66), the
 * source of the tpu-v7 family's GEMM and HBM efficiencies.  A JAX device is one of the chip's
 * two TensorCores, so a per-device figure is half the chip's: a square bf16 GEMM per device is
 * the chip running two at once (batch 2), an HBM copy of B bytes per core moves 2 x 2B bytes on
 * the chip (read and write, both cores).  The model holds the large GEMMs (4,096 and up, the
 * sizes training runs) and the copies of 128 MiB and more within 10%; below that it is faster
 * than measured (1,024 and 2,048: 1.3-1.5x, the matmul_k_half estimate), which the test also
 * states so that a change to it is seen. */
static void test_tpu7x_against_kernel_table(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "tpu7x");
    assert_non_null(g);
    assert_false(g->calib.roofline);
    FILE *f = kernel_table("tpu7x_microbenchmarks.csv");
    char line[512];
    int held = 0, fast = 0;
    while (fgets(line, sizeof line, f)) {
        double m = 0, n = 0, k = 0, bytes = 0, value = 0;
        if (sscanf(line, "gemm,%lf,%lf,%lf,,%lf,", &m, &n, &k, &value) == 4) {
            aif_op op = {.kind = AIF_OP_GEMM, .m = m, .n = n, .k = k, .batch = 2, .n_kernels = 1};
            op.flops = 2 * (2 * m * n * k);
            op.bytes = 2 * (m * k + n * k + m * n) * 2;
            double r = op.flops / 2 / aif_compute_time(g, &op, 1.0) / (value * 1e12);   /* model / measured rate */
            if (m >= 4096 && fabs(r - 1) > 0.10)
                fail_msg("tpu7x gemm %g^3: model %.2fx the measured rate", m, r);
            held += m >= 4096;
            fast += m >= 1024 && m <= 2048 && r > 1.2;
        } else if (sscanf(line, "hbm_copy,,,,%lf,%lf,", &bytes, &value) == 2) {
            aif_op op = {.kind = AIF_OP_MEM, .bytes = 2 * 2 * bytes, .n_kernels = 1};
            double r = 2 * bytes / aif_compute_time(g, &op, 1.0) / (value * 1e9);
            if (bytes >= 128 * 1048576.0 && fabs(r - 1) > 0.10)
                fail_msg("tpu7x hbm copy of %g B: model %.2fx the measured bandwidth", bytes, r);
            held += bytes >= 128 * 1048576.0;
        } else
            fail_msg("tpu7x_microbenchmarks.csv: unreadable line %s", line);
    }
    fclose(f);
    assert_int_equal(held, 3 + 7);
    assert_int_equal(fast, 2);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* MoE experts' grouped GEMMs on TPU7x against the kernel's own table (validation/kernels/
 * gmm_tokamax_tpu7x.csv: openxla/tokamax's autotuning timings of its Pallas Mosaic ragged dot at
 * 0a69d978, one device = one TensorCore, so a chip runs two at once, each on its own tokens),
 * the source the tpu-v7 family's grouped constants were fitted to (scripts/fit_grouped.py).
 * Each kernel is timed as the lowering builds a chip's (lower_train.c moe_core, moe_bwd): the
 * groups as the batch, twice a device's rows in each; forward and input gradient grouped by
 * expert (m = a group's rows), the weight gradient with k = a group's rows.  Of the 70 kernels whose dimensions are multiples of
 * 128 the model's median rate is within 10% of the measured one and at least 66 lie within
 * 0.75x-1.33x; gpt-oss's three 2,880-wide kernels run at about half the aligned fit's rate, the
 * family's grouped_unaligned_factor: with it each lies within 0.75x-1.33x, without it (the
 * factor set to 0) each is at least 1.5x fast. */
static void test_grouped_gemm_against_kernel_table(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "tpu7x");
    assert_non_null(g);
    assert_true(g->calib.grouped_factor > 0 && g->calib.grouped_dgrad_factor > 0 &&
                g->calib.grouped_wgrad_factor > 0);
    FILE *f = kernel_table("gmm_tokamax_tpu7x.csv");
    char line[512];
    double ratio[128];
    int n_aligned = 0, held = 0, unaligned_fast = 0, unaligned_held = 0, n_unaligned = 0;
    while (fgets(line, sizeof line, f)) {
        char gpu[16], pass[8];
        double rows, k, n, groups, ms;
        assert_int_equal(sscanf(line, "%15[^,],%7[^,],%lf,%lf,%lf,%lf,%lf,", gpu, pass, &rows, &k, &n, &groups, &ms),
                         7);
        double per = 2 * rows / groups;   /* a chip's rows in a group, as the lowering builds it */
        aif_op op = {.kind = AIF_OP_GEMM, .batch = groups, .n_kernels = 1};
        if (!strcmp(pass, "wgrad")) {
            op.m = k, op.n = n, op.k = per;
            op.grouped_pass = AIF_GROUPED_WGRAD;
        } else {
            op.m = per, op.n = n, op.k = k;
            op.grouped = 1;
            op.grouped_pass = strcmp(pass, "fwd") ? AIF_GROUPED_DGRAD : AIF_GROUPED_FWD;
        }
        op.flops = 2 * (2 * rows * k * n);
        op.bytes = 2 * (op.m * op.k + op.k * op.n + op.m * op.n) * groups;
        double r = (ms * 1e-3) / aif_compute_time(g, &op, 1.0);   /* model rate / measured rate */
        if (fmod(k, 128) == 0 && fmod(n, 128) == 0) {
            assert_true(n_aligned < 128);
            ratio[n_aligned++] = r;
            held += r >= 0.75 && r <= 1.33;
        } else {
            n_unaligned++;
            unaligned_held += r >= 0.75 && r <= 1.33;
            aif_gpu aligned = *g;
            aligned.calib.grouped_unaligned_factor = 0;
            unaligned_fast += (ms * 1e-3) / aif_compute_time(&aligned, &op, 1.0) >= 1.5;
        }
    }
    fclose(f);
    assert_int_equal(n_aligned, 70);
    qsort(ratio, (size_t)n_aligned, sizeof ratio[0], cmp_double);
    double med = (ratio[n_aligned / 2 - 1] + ratio[n_aligned / 2]) / 2;
    if (fabs(med - 1) > 0.10)
        fail_msg("grouped GEMMs on tpu7x: the model's median rate is %.2fx the measured", med);
    if (held < 66)
        fail_msg("grouped GEMMs on tpu7x: %d of 70 within 0.75-1.33x", held);
    assert_int_equal(n_unaligned, 3);
    assert_int_equal(unaligned_fast, 3);
    assert_int_equal(unaligned_held, 3);
}

/* One row group of validation/kernels/moe_trtllm.csv (a GPU, a dtype, a layer's shape): the
 * model's ratio to the measured time at each token count, all of them (all) and those with at least
 * 64 tokens per expert (large: past the weights-bound decode sizes). */
typedef struct moe_class {
    char gpu[8], dtype[20];
    double all[512], large[512], plain_large[512];   /* plain: mixed_input_factor off */
    int n_all, n_large;
} moe_class;

static double median_of(const double *v, int n)
{
    double s[512];
    assert_true(n > 0 && n <= 512);
    memcpy(s, v, (size_t)n * sizeof v[0]);
    qsort(s, (size_t)n, sizeof s[0], cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The time of one layer's expert ops (the serving lowering's expert.fc1, expert.act, expert.fc2)
 * for a prefill of `tokens`, in ms; plain: on a copy of the GPU without its mixed_input_factor. */
static double serve_experts_ms(const aif_scenario *s, double tokens, int plain)
{
    aif_scenario c = *s;
    if (plain)
        c.cluster.gpu.calib.mixed_input_factor = 0;
    aif_serve_batch b = {0};
    aif_serve_batch_add_prefill(&b, 0, tokens, 1, 0);
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_serve_lower_batch(&c, &b, &g, &e), AIF_OK);
    double t = 0;
    for (int i = 0; i < g.n_ops; i++)
        if (!strncmp(g.ops[i].name, "expert.", 7))
            t += aif_op_time_s(&c, &g, &g.ops[i]);
    aif_graph_free(&g);
    return t / c.model.layers * 1e3;
}

/* Serving's MoE layer against TensorRT-LLM's fused MoE kernel (validation/kernels/moe_trtllm.csv:
 * NVIDIA's aiconfigurator collector, TensorRT-LLM 1.3.0rc20, one GPU holding every expert,
 * balanced routing, on H100, H200, B200, GB200, B300 and GB300): each row's layer lowered as a serving
 * prefill of its tokens (lower_serve.c) and its expert ops timed.  bf16 and fp8 weights: the
 * median over every token count within 0.88x-1.12x of the measured on each GPU (0.90-1.10).  4-bit
 * weights under bf16 math (W4A16, the mixed-input kernel gpt-oss is served with on Hopper): with the
 * family's mixed_input_factor within 0.8x-1.1x from 64 tokens per expert (0.85 on GB300, 0.92-1.00
 * elsewhere), which is how the factor is fitted (the median of the model's ratio without it over
 * the family's W4A16 rows of that size: hopper 0.60 from H100 and H200, blackwell 0.27 from B200
 * and GB200, blackwell-ultra 0.25 from B300 and GB300, each held here within 0.02); 4-bit weights
 * under fp8 math on Blackwell (W4A8) run on the fp4 tensor cores as they are, so the factor does
 * not touch them, and they lie within 0.8x-1.1x (0.83-0.87).  Not fitted and held as what they
 * are: block-scaled fp8 (fp8_block) on Hopper from 64 tokens per expert, 0.5x-0.75x (0.57-0.62:
 * TensorRT-LLM's CUTLASS block-scaled kernel runs at about half its per-tensor fp8 rate), and
 * NVFP4 on Blackwell and Blackwell Ultra over every size, 0.5x-0.8x (0.57-0.72: its grouped kernel
 * below the dense fp4 GEMM's matmul_eff_fp4).  The weights-bound sizes below 64 tokens per expert
 * stay fast in W4A16 (the factor derates the math, not the kernel's HBM rate). */
static void test_serving_moe_against_kernel_table(void **state)
{
    (void)state;
    static moe_class cls[40];
    int n_cls = 0, rows = 0;
    FILE *f = kernel_table("moe_trtllm.csv");
    char line[512], key[128] = "";
    aif_scenario s;
    while (fgets(line, sizeof line, f)) {
        char gpu[8], ver[16], dtype[20], kernel[40];
        double hid, inter, topk, experts, tokens, ms;
        assert_int_equal(sscanf(line, "%7[^,],%15[^,],%19[^,],%39[^,],%lf,%lf,%lf,%lf,%lf,%lf", gpu, ver, dtype,
                                kernel, &hid, &inter, &topk, &experts, &tokens, &ms),
                         10);
        rows++;
        char k[128];
        snprintf(k, sizeof k, "%s %s %.0f %.0f %.0f %.0f", gpu, dtype, hid, inter, topk, experts);
        if (strcmp(k, key)) {   /* a new layer: its scenario */
            strcpy(key, k);
            const char *sys = !strcmp(gpu, "h100")    ? "dgx-h100"
                              : !strcmp(gpu, "h200")  ? "hgx-h200"
                              : !strcmp(gpu, "b200")  ? "hgx-b200"
                              : !strcmp(gpu, "gb200") ? "gb200-nvl72"
                              : !strcmp(gpu, "b300")  ? "hgx-b300"
                                                      : "gb300-nvl72";
            const char *prec = !strcmp(dtype, "bfloat16")      ? "precision: bf16"
                               : !strcmp(dtype, "nvfp4")       ? "precision: fp4"
                               : !strcmp(dtype, "w4a16_mxfp4") ? "precision: bf16, expert_weight_precision: fp4"
                               : !strcmp(dtype, "w4a8_mxfp4_mxfp8")
                                   ? "precision: bf16, expert_precision: fp8, expert_weight_precision: fp4"
                                   : "precision: fp8";
            char y[512];
            snprintf(y, sizeof y,
                     "cluster: {system: %s, gpus: 1}\nmodel: {base: qwen3-235b-a22b, arch: llama, hidden: %.0f, "
                     "moe: {experts: %.0f, top_k: %.0f, expert_ffn: %.0f}}\nserve: {tp: 1, %s}\n",
                     sys, hid, experts, topk, inter, prec);
            aif_err e;
            if (aif_scenario_parse_sections(cat, y, strlen(y), "test", NULL, 0,
                                            AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SERVE, &s, &e) != AIF_OK) {
                char b[1200];
                aif_err_format(&e, b, sizeof b);
                fail_msg("%s", b);
            }
        }
        moe_class *c = NULL;
        for (int i = 0; i < n_cls && !c; i++)
            if (!strcmp(cls[i].gpu, gpu) && !strcmp(cls[i].dtype, dtype))
                c = &cls[i];
        if (!c) {
            assert_true(n_cls < 40);
            c = &cls[n_cls++];
            strcpy(c->gpu, gpu);
            strcpy(c->dtype, dtype);
        }
        assert_true(c->n_all < 512);
        c->all[c->n_all++] = serve_experts_ms(&s, tokens, 0) / ms;
        if (tokens * topk / experts >= 64) {
            c->large[c->n_large] = serve_experts_ms(&s, tokens, 1) / ms;
            c->plain_large[c->n_large] = c->large[c->n_large];
            c->large[c->n_large++] = serve_experts_ms(&s, tokens, 0) / ms;
        }
    }
    fclose(f);
    assert_int_equal(rows, 9558);
    /* [hopper, blackwell, blackwell-ultra] the plain ratios of their W4A16 rows of 64 tokens per expert and up */
    double fit[3][512];
    int n_fit[3] = {0, 0, 0}, held = 0;
    for (int i = 0; i < n_cls; i++) {
        moe_class *c = &cls[i];
        int hopper = c->gpu[0] == 'h', fam = hopper ? 0 : strstr(c->gpu, "300") ? 2 : 1;
        double all = median_of(c->all, c->n_all), large = median_of(c->large, c->n_large);
        printf("    %-6s %-17s model / measured: median %.2f over %3d rows, %.2f over %3d of 64 tokens per expert and up\n",
               c->gpu, c->dtype, all, c->n_all, large, c->n_large);
        if (!strcmp(c->dtype, "bfloat16") || !strcmp(c->dtype, "fp8")) {
            if (all < 0.88 || all > 1.12)
                fail_msg("%s %s: the model's median is %.2fx the measured", c->gpu, c->dtype, all);
            held++;
        } else if (!strcmp(c->dtype, "w4a16_mxfp4")) {
            if (large < 0.8 || large > 1.1)
                fail_msg("%s W4A16: the model's median is %.2fx the measured", c->gpu, large);
            for (int j = 0; j < c->n_large; j++) {
                assert_true(n_fit[fam] < 512);
                fit[fam][n_fit[fam]++] = c->plain_large[j];
            }
            held++;
        } else if (!strcmp(c->dtype, "w4a8_mxfp4_mxfp8")) {
            assert_false(hopper);
            if (large < 0.8 || large > 1.1)
                fail_msg("%s W4A8: the model's median is %.2fx the measured", c->gpu, large);
            for (int j = 0; j < c->n_large; j++)   /* native: the factor does not touch it */
                assert_true(fabs(c->plain_large[j] - c->large[j]) < 1e-12 * c->large[j]);
            held++;
        } else if (!strcmp(c->dtype, "fp8_block") && hopper) {
            if (large < 0.5 || large > 0.75)
                fail_msg("%s fp8_block: the model's median is %.2fx the measured (held at 0.5-0.75)", c->gpu, large);
            held++;
        } else if (!strcmp(c->dtype, "nvfp4")) {
            if (all < 0.5 || all > 0.8)
                fail_msg("%s nvfp4: the model's median is %.2fx the measured (held at 0.5-0.8)", c->gpu, all);
            held++;
        }
    }
    assert_int_equal(held, 28);   /* bf16 and fp8 x 6, W4A16 x 6, W4A8 x 4, fp8_block x 2, nvfp4 x 4 */
    const char *fam[3] = {"h200", "b200", "b300"};
    for (int i = 0; i < 3; i++) {
        double fac = aif_catalog_find_gpu(cat, fam[i])->calib.mixed_input_factor;
        double med = median_of(fit[i], n_fit[i]);
        printf("    %s family: mixed_input_factor fitted %.3f over %d W4A16 rows\n", fam[i], med, n_fit[i]);
        if (fabs(fac - med) > 0.02)
            fail_msg("%s family: mixed_input_factor %.3f, the W4A16 table's fit %.3f", fam[i], fac, med);
    }
}

/* Serving's tensor-parallel all-reduce against the serving engines' own (validation/kernels/
 * allreduce_serving_h200.csv: NVIDIA's aiconfigurator collector timing TensorRT-LLM 1.3.0rc20's
 * AUTO all-reduce and vLLM 0.14's custom all-reduce on 2, 4 and 8 H200s, bf16, in CUDA graphs).
 * The model times every collective as NCCL does.  On 8 GPUs from 16 MB up, where both engines
 * hand the all-reduce to NCCL, it lies within 0.97x-1.05x of each (0.99-1.03x); on 2 and 4 GPUs
 * from 32 MB up within 0.90x-1.18x of both (0.92-1.11, median 1.02: NCCL's ring pass loss,
 * fitted on nccl-tests and not on this table, took them from 0.75-0.92; the 2-GPU rings at
 * 32 MB run 6-8% fast since Hopper's rings pay no pipeline fill, scripts/fit_ring_fill.py, the
 * fixed cost of 2-GPU rings at medium sizes the nccl-tests sweeps show too); up to 128 KB the
 * engines' one-shot kernels take 1.7x-5x less than the model's NCCL figure (1.74-4.93) on every
 * GPU count.
 * The model keeps NCCL's figure: timing serving at the engines' small all-reduces makes the
 * serving table worse (docs/VALIDATION.md, the latest round), so the small-message figures are
 * held as what they are, a stand-in stated, not a fit. */
static void test_serving_allreduce_against_kernel_table(void **state)
{
    (void)state;
    FILE *f = kernel_table("allreduce_serving_h200.csv");
    char line[256];
    int large8 = 0, large24 = 0, small = 0, rows = 0;
    aif_scenario s;
    load(&s, "cluster: {system: hgx-h200, gpus: 8}\nmodel: llama3-70b\n");
    while (fgets(line, sizeof line, f)) {
        char fw[16], ver[40], kernel[32];
        double gpus, bytes, us;
        assert_int_equal(sscanf(line, "%15[^,],%39[^,],%31[^,],%lf,%lf,%lf", fw, ver, kernel, &gpus, &bytes, &us), 6);
        rows++;
        double r = aif_coll_time(&s.cluster, AIF_COLL_ALLREDUCE, (aif_group_shape){(int)gpus, (int)gpus}, bytes) /
                   (us * 1e-6);
        if (gpus == 8 && bytes >= 16 << 20) {
            if (r < 0.97 || r > 1.05)
                fail_msg("%s, 8 GPUs, %.0f B: the model is %.2fx the measured", fw, bytes, r);
            large8++;
        } else if (gpus < 8 && bytes >= 32 << 20) {
            if (r < 0.90 || r > 1.18)
                fail_msg("%s, %.0f GPUs, %.0f B: the model is %.2fx the measured", fw, gpus, bytes, r);
            large24++;
        } else if (bytes <= 128 << 10) {
            if (r < 1.7 || r > 5)
                fail_msg("%s, %.0f GPUs, %.0f B: the model is %.2fx the measured", fw, gpus, bytes, r);
            small++;
        }
    }
    fclose(f);
    assert_int_equal(rows, 138);
    assert_int_equal(large8, 14);   /* 16 MB to 1 GB, both engines */
    assert_int_equal(large24, 24);  /* 32 MB to 1 GB on 2 and 4, both engines */
    assert_int_equal(small, 60);    /* 256 B to 128 KB: 10 sizes x 3 GPU counts x 2 engines */
}

/* A low-precision GEMM's saved input (memory.c): Transformer Engine's Linear and LayerNormLinear
 * keep the quantized copy their weight-gradient GEMM reads (megatron-core), torchao the bf16
 * input (torchtitan: framework bf16_saved_inputs).  For a Llama 3 8B layer (no tensor
 * parallelism, 4,096 tokens) the fp8 layer keeps, against the bf16 one, one byte less per value
 * of the two norm outputs (qkv's and fc1's input) and of fc2's input (the SwiGLU output), and
 * one byte more per value of the output projection's input, its own fp8 copy beside the
 * attention output flash attention keeps; NVFP4 half a byte and a scale per 16 values. */
static void test_quantized_saved_inputs(void **state)
{
    (void)state;
    const char *base = "cluster: {system: dgx-b200, gpus: 8}\nmodel: llama3-8b\n"
                       "train: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 4096, recompute: none, precision: %s, framework: %s}\n";
    char y[400];
    aif_scenario bf16, fp8, fp4, tt_bf16, tt_fp8;
    snprintf(y, sizeof y, base, "bf16", "megatron-core");
    load(&bf16, y);
    snprintf(y, sizeof y, base, "fp8", "megatron-core");
    load(&fp8, y);
    snprintf(y, sizeof y, base, "nvfp4", "megatron-core");
    load(&fp4, y);
    snprintf(y, sizeof y, base, "bf16", "torchtitan");
    load(&tt_bf16, y);
    snprintf(y, sizeof y, base, "fp8", "torchtitan");
    load(&tt_fp8, y);
    assert_true(!bf16.framework.bf16_saved_inputs && tt_bf16.framework.bf16_saved_inputs);
    double b[2], f8[2], f4[2], tb[2], tf[2];
    aif_memory_layer_bytes(&bf16, b);
    aif_memory_layer_bytes(&fp8, f8);
    aif_memory_layer_bytes(&fp4, f4);
    aif_memory_layer_bytes(&tt_bf16, tb);
    aif_memory_layer_bytes(&tt_fp8, tf);
    double T = 4096, h = 4096, ffn = 14336, out_in = 32 * 128;
    CLOSE(b[0] - f8[0], (2 - 1) * T * (2 * h + ffn) - 1 * T * out_in, 1e-12);
    double q4 = 0.5 + 1.0 / 16;
    CLOSE(b[0] - f4[0], (2 - q4) * T * (2 * h + ffn) - q4 * T * out_in, 1e-12);
    assert_true(tf[0] == tb[0]);   /* torchao keeps the bf16 input */
    /* a module checkpointed by recompute_modules keeps its bf16 input: with the MLP replayed only
     * the attention's terms move (qkv's input one byte less, the projection's fp8 copy one more:
     * out_in = h here, so none) */
    aif_scenario bm = bf16, fm = fp8;
    bm.train.recompute = fm.train.recompute = AIF_RC_SELECTIVE;
    bm.train.recompute_modules = fm.train.recompute_modules = 1u << AIF_RCM_MLP;
    aif_memory_layer_bytes(&bm, b);
    aif_memory_layer_bytes(&fm, f8);
    CLOSE(f8[0], b[0], 1e-12);
    /* LoRA: the frozen GEMMs keep nothing, the adapters read bf16: fp8 keeps what bf16 does */
    aif_scenario bl = bf16, fl = fp8;
    bl.train.lora.rank = fl.train.lora.rank = 16;
    aif_memory_layer_bytes(&bl, b);
    aif_memory_layer_bytes(&fl, f8);
    CLOSE(f8[0], b[0], 1e-12);
    /* a MoE layer: the router keeps the norm output in bf16, the routed experts' grouped GEMMs their
     * dispatched tokens (top 2 of 4,096) and the SwiGLU outputs at a byte: Mixtral 8x7B, 2 x 4,096 x
     * (4,096 + 14,336) bytes less, the attention's terms cancelling again */
    const char *moe = "cluster: {system: dgx-b200, gpus: 8}\nmodel: mixtral-8x7b\n"
                      "train: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 4096, recompute: none, precision: %s}\n";
    aif_scenario mb, mf;
    snprintf(y, sizeof y, moe, "bf16");
    load(&mb, y);
    snprintf(y, sizeof y, moe, "fp8");
    load(&mf, y);
    aif_memory_layer_bytes(&mb, b);
    aif_memory_layer_bytes(&mf, f8);
    CLOSE(b[1] - f8[1], 2.0 * 4096 * (4096 + 14336), 1e-12);
}

/* One kernel of the attention tables as lower_train.c's attn_core lowers it: the causal square's
 * half, or a sliding window's band in whole tiles of the family's attn_block_n keys; with fp8
 * operands (flags AIF_ATTN_OP_FP8) a window's backward computes the whole square. */
static aif_op kernel_attn_op(const aif_gpu *g, int bwd, int b, int s, int h, int dqk, int dv, int w, int flags)
{
    double x = bwd ? 2.5 : 1.0, keys = (s + 1) / 2.0, k = s;
    if (w > 0 && w < s && !(flags & AIF_ATTN_OP_FP8 && bwd)) {
        double kk = aif_window_kernel_keys(w, s, g->calib.attn_block_n);
        keys = kk > 0 ? kk : aif_window_keys_per_query(w, s);
        k = aif_attn_curve_keys(keys);
    }
    aif_op op = {.kind = bwd ? AIF_OP_ATTN_BWD : AIF_OP_ATTN_FWD, .fp8 = (unsigned)flags & 3, .k = k, .n = dqk,
                 .n_kernels = 1};
    op.flops = 2.0 * b * h * s * keys * (dqk + dv) * x;
    op.bytes = (double)b * s * h * (dqk * 2 + dv * 2) * 2 * (bwd ? 2 : 1);
    return op;
}

/* The median of a GPU's n kernels within `bound` of |log error| (err), or a failure naming them. */
static void median_within(const double *err, int n, double bound, const char *gpu, const char *what)
{
    int below = 0;
    for (int i = 0; i < n; i++)
        below += err[i] <= bound;
    if (2 * below < n)
        fail_msg("%s: only %d of %d %s within %.0f%% of cuDNN", gpu, below, n, what, bound * 100);
}

/* Fused attention against its kernel table: validation/kernels/attention_cudnn.csv, cuDNN's own SDPA
 * training benchmark (NVIDIA/cudnn-frontend benchmark/sdpa_benchmark_training/results, commit fb682ce;
 * bf16, causal, the backward non-deterministic) on GB200 and GB300 (cuDNN 9.19.1 and 9.22) and H200
 * (9.19.1).  Each row is lowered as a training layer's attention core (src/workload/lower_train.c): the
 * causal square's half, or a window's band in whole tiles of the family's attn_block_n keys.  The
 * Blackwell families were fitted to their rows (scripts/fit_attention.py) and derated by 0.875 to the
 * clock a training run sustains, as their GEMMs are (the table's kernels are bursts of 10 iterations):
 * the model's times x 0.875 meet cuDNN's, the median |log error| of each family under 0.05 (the
 * efficiency curve reading twice the keys a query computes, aif_attn_curve_keys; under 0.08 with a
 * window's keys once) and no row off by more than a factor 1.6 (the worst, gpt-oss's window of 128
 * at 32,768 keys forward, where cuDNN's time per token rises 2.6x over 16,384: 1.56x on GB300).  Hopper's constants are FlashAttention-3's
 * 2024 rates (data/calibration.yaml), not this table's: cuDNN 9.19 is up to 1.35x faster at 32K
 * keys, and no row may be further off than that either way. */
static void test_attention_against_kernel_table(void **state)
{
    (void)state;
    FILE *f = kernel_table("attention_cudnn.csv");
    char line[512];
    static const char *const gpus[] = {"gb200", "gb300", "h200"};
    double err[3][80];
    int n[3] = {0, 0, 0};
    while (fgets(line, sizeof line, f)) {
        char gpu[16], model[32], pass[8];
        int ver, b, s, h, dqk, dv, w;
        double ms;
        assert_int_equal(sscanf(line, "%15[^,],%d,%31[^,],%d,%d,%d,%d,%d,%d,%7[^,],%lf,", gpu, &ver, model, &b, &s, &h,
                                &dqk, &dv, &w, pass, &ms), 11);
        int gi = 0;
        while (gi < 3 && strcmp(gpus[gi], gpu))
            gi++;
        assert_true(gi < 3 && n[gi] < 80);
        const aif_gpu *g = aif_catalog_find_gpu(cat, gpu);
        assert_non_null(g);
        aif_op op = kernel_attn_op(g, !strcmp(pass, "bwd"), b, s, h, dqk, dv, w, 0);
        double burst = gi < 2 ? 0.875 : 1.0;   /* the fitted families' sustained-clock derating */
        double t = aif_compute_time(g, &op, 1.0) * burst, e = log(t / (ms * 1e-3));
        err[gi][n[gi]++] = fabs(e);
        double worst = gi < 2 ? log(1.6) : log(1.35);
        if (fabs(e) > worst)
            fail_msg("%s %s b%d s%d h%d d%d/%d w%d %s: model %.3f ms, cuDNN %.3f ms", gpu, model, b, s, h, dqk, dv, w,
                     pass, t * 1e3, ms);
    }
    fclose(f);
    for (int gi = 0; gi < 2; gi++) {   /* the fitted families: the median row within 5% */
        assert_true(n[gi] >= 60);
        median_within(err[gi], n[gi], 0.05, gpus[gi], "kernels");
    }
    assert_true(n[2] >= 20);
}

/* Fused attention with fp8 operands (train.attention_dtype fp8) against its kernel table:
 * validation/kernels/attention_cudnn_fp8.csv, the same cuDNN benchmark's causal kernels in bf16 and
 * MXFP8 at one shape on GB200 and GB300 (cuDNN 9.22).  Each MXFP8 kernel is timed as
 * lower_train.c's attn_core lowers it with fp8 operands: the forward as in bf16 (a window's band in
 * whole tiles), the backward of a window as the whole causal square (the MXFP8 kernel's time grows
 * with the square of the sequence), at the family's bf16 rate times its attn_fp8_* factor.  The
 * model's times x 0.875 (the sustained-clock derating of the bf16 fit) meet cuDNN's: the median
 * within 10% per GPU and none off by more than 1.6x; and the model's speedup over its own bf16
 * kernel is the measured one's within 1.65x either way (the factors are medians over lengths; the
 * worst, gpt-oss's window forward at 32,768 keys, 1.61x measured where the factor is 1.00, is the
 * bf16 kernel's own slowdown there, test_attention_against_kernel_table's worst row too). */
static void test_fp8_attention_against_kernel_table(void **state)
{
    (void)state;
    FILE *f = kernel_table("attention_cudnn_fp8.csv");
    char line[512];
    static const char *const gpus[] = {"gb200", "gb300"};
    double err[2][40];
    int n[2] = {0, 0};
    while (fgets(line, sizeof line, f)) {
        char gpu[16], model[32], pass[8];
        int ver, b, s, h, dqk, dv, w;
        double ms_bf16, ms_mx;
        assert_int_equal(sscanf(line, "%15[^,],%d,%31[^,],%d,%d,%d,%d,%d,%d,%7[^,],%lf,%lf,", gpu, &ver, model, &b, &s,
                                &h, &dqk, &dv, &w, pass, &ms_bf16, &ms_mx), 12);
        int gi = !strcmp(gpu, "gb300");
        assert_true((gi || !strcmp(gpu, "gb200")) && n[gi] < 40);
        const aif_gpu *g = aif_catalog_find_gpu(cat, gpu);
        assert_non_null(g);
        int bwd = !strcmp(pass, "bwd");
        aif_op op = kernel_attn_op(g, bwd, b, s, h, dqk, dv, w, 0),
               op8 = kernel_attn_op(g, bwd, b, s, h, dqk, dv, w, AIF_ATTN_OP_FP8);
        double t = aif_compute_time(g, &op8, 1.0) * 0.875, e = log(t / (ms_mx * 1e-3));
        err[gi][n[gi]++] = fabs(e);
        if (fabs(e) > log(1.6))
            fail_msg("%s %s s%d d%d w%d %s in fp8: model %.3f ms, cuDNN %.3f ms", gpu, model, s, dqk, w, pass, t * 1e3,
                     ms_mx);
        double speedup = aif_compute_time(g, &op, 1.0) / aif_compute_time(g, &op8, 1.0), meas = ms_bf16 / ms_mx;
        if (fabs(log(speedup / meas)) > log(1.65))
            fail_msg("%s %s s%d d%d w%d %s: fp8 over bf16 %.2fx in the model, %.2fx measured", gpu, model, s, dqk, w,
                     pass, speedup, meas);
    }
    fclose(f);
    for (int gi = 0; gi < 2; gi++) {
        assert_true(n[gi] >= 35);
        median_within(err[gi], n[gi], 0.10, gpus[gi], "fp8 kernels");
    }
}

/* TPU7x's fused attention against its kernel table: validation/kernels/splash_tpu7x.csv, Google's
 * benchmark of the splash-attention kernel on one TPU7x device (openxla/tokamax microbenchmarks.pdf,
 * November 2025: causal, bf16, 32 query heads, 4,096 to 131,072 keys), which the tpu-v7 family's
 * attention constants were fitted to (scripts/fit_attention_tpu.py).  A chip is two devices, each
 * running the kernel on its own batch at once: each kernel is lowered as a training layer's
 * attention core at batch 2 and timed on the chip.  At head dimensions 128/128 and 192/128 every
 * kernel lies within 10% of the measured time and the median within 5%.  The 256/256 kernels run
 * at 1.3-1.7x the rate the model gives them (it holds 192's rate beyond 192; no TPU row has such
 * heads), which the test states. */
static void test_splash_attention_against_kernel_table(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "tpu7x");
    assert_non_null(g);
    FILE *f = kernel_table("splash_tpu7x.csv");
    char line[256];
    double err[16];
    int n = 0, wide = 0;
    while (fgets(line, sizeof line, f)) {
        char pass[8];
        int b, s, h, hkv, dqk, dv;
        double ms, mfu;
        assert_int_equal(sscanf(line, "tpu7x,%d,%d,%d,%d,%d,%d,%7[^,],%lf,%lf", &b, &s, &h, &hkv, &dqk, &dv, pass, &ms,
                                &mfu), 9);
        aif_op op = kernel_attn_op(g, !strcmp(pass, "bwd"), 2 * b, s, h, dqk, dv, 0, 0);
        double r = aif_compute_time(g, &op, 1.0) / (ms * 1e-3);   /* model / measured time */
        if (dqk <= 192) {
            if (fabs(log(r)) > log(1.10))
                fail_msg("tpu7x splash s%d d%d/%d %s: model %.2fx the measured time", s, dqk, dv, pass, r);
            assert_true(n < 16);
            err[n++] = fabs(log(r));
        } else {
            if (r < 1.3 || r > 1.7)
                fail_msg("tpu7x splash s%d d%d/%d %s: model %.2fx the measured time, not 1.3-1.7x", s, dqk, dv, pass, r);
            wide++;
        }
    }
    fclose(f);
    assert_int_equal(n, 16);
    assert_int_equal(wide, 8);
    qsort(err, n, sizeof *err, cmp_double);
    if (err[n / 2] > 0.05)
        fail_msg("tpu7x splash: median |log error| %.3f, above 0.05", err[n / 2]);
}

/* GEMMs on one H200 against their own measurement (validation/kernels/gemm_h200.csv: cuBLAS
 * through PyTorch 2.11 at the board's 700 W limit, scripts/measure_h200.py), the table the hopper
 * family's matmul_eff, matmul_eff_fp8 and matmul_k_half were fitted to (scripts/fit_gemm.py).  Each
 * row is timed as one GEMM launch of its shape.  Of one wave or more (tiles >= SMs): the median
 * |log error| under 0.04, each within 0.85x-1.18x of the measured time, but where the model's fixed
 * 128 x 256 tile leaves a fifth of the last wave idle (n = 1,280: 320 tiles on 132 SMs, e_wave 0.81)
 * cuBLAS picks another tile and runs 1.18-1.29x faster than the model, which the test states.  The
 * thinner launches the model splits along K (fewer tiles than SMs: 0.98x-1.21x) lie within 0.6x-1.6x;
 * the 512^3 and 1024^3 GEMMs (20 us each, bound by PyTorch's launch from the host) are not held. */
static void test_gemm_against_h200_table(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "h200");
    assert_non_null(g);
    const aif_calib *c = &g->calib;
    FILE *f = kernel_table("gemm_h200.csv");
    char line[512];
    double err[64];
    int n = 0, split = 0, wave_loss = 0;
    while (fgets(line, sizeof line, f)) {
        char gpu[16], dtype[8], layout[8], set[40];
        double m, k, nn, ms, tf;
        assert_int_equal(sscanf(line, "%15[^,],%7[^,],%7[^,],%39[^,],%lf,%lf,%lf,%lf,%lf,", gpu, dtype, layout, set,
                                &m, &k, &nn, &ms, &tf), 9);
        int fp8 = !strcmp(dtype, "fp8");
        aif_op op = {.kind = AIF_OP_GEMM, .m = m, .n = nn, .k = k, .batch = 1, .n_kernels = 1, .fp8 = fp8};
        op.flops = 2 * m * nn * k;
        op.bytes = (fp8 ? 1 : 2) * (m * k + k * nn) + 2 * m * nn;
        double r = aif_compute_time(g, &op, 1.0) / (ms * 1e-3);   /* model / measured time */
        double tiles = ceil(m / c->tile_m) * ceil(nn / c->tile_n);
        double e_wave = tiles / (ceil(tiles / c->n_sm) * c->n_sm);
        if (ms < 0.025)
            continue;   /* 512^3 and 1024^3 (20 us): bound by the host's launch, not the GPU */
        if (tiles < c->n_sm) {
            if (r < 0.6 || r > 1.6)
                fail_msg("h200 %s %s %gx%gx%g (split along K): model %.2fx the measured time", dtype, set, m, k, nn, r);
            split++;
        } else if (e_wave < 0.9) {
            if (r < 1.1 || r > 1.35)
                fail_msg("h200 %s %s %gx%gx%g (e_wave %.2f): model %.2fx the measured time, not 1.1-1.35x", dtype, set,
                         m, k, nn, e_wave, r);
            wave_loss++;
        } else {
            if (r < 0.85 || r > 1.18)
                fail_msg("h200 %s %s %gx%gx%g: model %.2fx the measured time", dtype, set, m, k, nn, r);
            assert_true(n < 64);
            err[n++] = fabs(log(r));
        }
    }
    fclose(f);
    qsort(err, n, sizeof *err, cmp_double);
    if (err[n / 2] > 0.04)
        fail_msg("h200 GEMMs: median |log error| %.3f", err[n / 2]);
    assert_int_equal(n, 47);
    assert_int_equal(wave_loss, 3);
    assert_int_equal(split, 3);
}

/* GEMMs at a settled clock (validation/kernels/gemm_cublaslt_settled.csv: cuBLASLt after 10,000
 * warm-up iterations, one harness, fp8 on H100, H200, GB200 and GB300 and fp16 on A100), the table
 * GB200's and GB300's own GEMM figures and the ampere family's come from
 * (scripts/fit_gemm_settled.py).  Each row of one wave or more, the last at least 0.9 full, every
 * dimension at least 1,024, timed as one launch: on Hopper the model is 1.03-1.15x the harness's
 * time (its figures are the project's own H200 table's, which reads below this harness: the offset
 * the fit carries), and on GB200, GB300 and the A100 the median model / measured time is Hopper's
 * within 3%.  The table's fp4 rows are not taken, and the test states it: on GB200 the model times
 * them at 1.3-1.8x the harness (the blackwell family's fp4 figure is another kernel's, CUTLASS's
 * on B200), on GB300 at 1.3-1.6x (the blackwell-ultra family's is that figure times B300's and
 * GB300's NVFP4 rate against B200's in TensorRT-LLM's tables, validation/kernels/gemm_fp4_trtllm.csv:
 * this harness too reads GB300's fp4 slower against GB200's than their peaks are). */
static double settled_median(const char *gpu, const char *entry, const char *dtype)
{
    const aif_gpu *g = aif_catalog_find_gpu(cat, entry);   /* the table's gpu, as data/gpus.yaml names it */
    assert_non_null(g);
    const aif_calib *c = &g->calib;
    FILE *f = kernel_table("gemm_cublaslt_settled.csv");
    char line[512], name[16], dt[8], drv[32], cuda[16];
    double r[32];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        double m, k, nn, tf;
        int newest;
        if (sscanf(line, "%15[^,],%7[^,],%lf,%lf,%lf,%lf,%31[^,],%15[^,],%d,", name, dt, &m, &k, &nn, &tf, drv, cuda,
                   &newest) != 9)
            continue;   /* the header */
        if (strcmp(dt, dtype) || strcmp(gpu, name) || !newest)
            continue;   /* another chip's, or a reading at a driver since superseded */
        double tiles = ceil(m / c->tile_m) * ceil(nn / c->tile_n);
        if (tiles < c->n_sm || tiles / (ceil(tiles / c->n_sm) * c->n_sm) < 0.9 || fmin(m, fmin(k, nn)) < 1024)
            continue;
        int fp4 = !strcmp(dtype, "fp4"), half = !strcmp(dtype, "fp16");   /* fp16 runs as bf16 */
        aif_op op = {.kind = AIF_OP_GEMM, .m = m, .n = nn, .k = k, .batch = 1, .n_kernels = 1,
                     .fp8 = fp4 ? AIF_GEMM_FP4_BLOCK : half ? AIF_GEMM_BF16 : AIF_GEMM_FP8};
        op.flops = 2 * m * nn * k;
        op.bytes = (fp4 ? 0.5 : half ? 2 : 1) * (m * k + k * nn) + 2 * m * nn;
        assert_true(n < 32);
        r[n++] = aif_compute_time(g, &op, 1.0) / (op.flops / (tf * 1e12));
    }
    fclose(f);
    assert_true(n >= 3);
    qsort(r, n, sizeof *r, cmp_double);
    return n % 2 ? r[n / 2] : (r[n / 2 - 1] + r[n / 2]) / 2;
}

static void test_gemm_against_settled_table(void **state)
{
    (void)state;
    double h100 = settled_median("h100", "h100-sxm", "fp8"), h200 = settled_median("h200", "h200", "fp8");
    double gb200 = settled_median("gb200", "gb200", "fp8"), gb300 = settled_median("gb300", "gb300", "fp8");
    printf("model / settled harness: h100 %.3f, h200 %.3f, gb200 %.3f, gb300 %.3f\n", h100, h200, gb200, gb300);
    double hopper = (h100 + h200) / 2;
    if (hopper < 1.03 || hopper > 1.15)
        fail_msg("hopper: model %.3fx the settled harness's time, not 1.03-1.15x", hopper);
    if (fabs(gb200 / hopper - 1) > 0.03 || fabs(gb300 / hopper - 1) > 0.03)
        fail_msg("gb200 %.3f, gb300 %.3f: not Hopper's offset %.3f within 3%%", gb200, gb300, hopper);
    double a100 = settled_median("a100", "a100-80g", "fp16");   /* the ampere family's bf16 figure */
    printf("a100 (fp16) %.3f\n", a100);
    if (fabs(a100 / hopper - 1) > 0.03)
        fail_msg("a100 %.3f: not Hopper's offset %.3f within 3%%", a100, hopper);
    double f4 = settled_median("gb200", "gb200", "fp4"), f4u = settled_median("gb300", "gb300", "fp4");
    printf("fp4, not taken: gb200 %.3f, gb300 %.3f\n", f4, f4u);
    if (f4 < 1.3 || f4 > 1.8 || f4u < 1.3 || f4u > 1.6)
        fail_msg("fp4: gb200 %.3f (stated 1.3-1.8), gb300 %.3f (stated 1.3-1.6)", f4, f4u);
}

/* Fused attention on one H200 through PyTorch's SDPA (validation/kernels/attention_h200_torch.csv,
 * scripts/measure_h200.py: bf16, causal, 16K tokens a launch, head dim 128 and 64) on its two
 * backends: "flash" (FlashAttention-2, the model's attention flash2: the family's rates x
 * attn_flash2_factor) and "cudnn" (cuDNN 9.19's fused kernel, the model's default attention, whose
 * Hopper rates are FlashAttention-3's paper figures).  Lowered as the training layer's attention core
 * (the causal half of the square; the backward 2.5x the forward's FLOPs), every case lies within
 * 0.7x-1.3x of the measured time: FlashAttention-2 at head dimension 128 within 16% from 2,048 keys up,
 * faster than measured at 1,024 keys (0.73x-0.83x: the kernel's fixed costs), slower at head
 * dimension 64 (1.14x-1.29x: FlashAttention-2 loses less at 64 than the family's head-dimension
 * curve, set on FlashAttention-3); slower than cuDNN 9.19 from 2,048 keys up (1.01x-1.25x): the
 * hopper family keeps FlashAttention-3's 2024 rates (the cuDNN table above says the same). */
static void test_attention_against_h200_torch(void **state)
{
    (void)state;
    const aif_gpu *g = aif_catalog_find_gpu(cat, "h200");
    assert_non_null(g);
    FILE *f = kernel_table("attention_h200_torch.csv");
    char line[512];
    int n = 0;
    while (fgets(line, sizeof line, f)) {
        char gpu[16], backend[16];
        int b, h, s, d;
        double fwd_ms, both_ms;
        assert_int_equal(sscanf(line, "%15[^,],%15[^,],%d,%d,%d,%d,%lf,%lf,", gpu, backend, &b, &h, &s, &d, &fwd_ms,
                                &both_ms), 8);
        int fa2 = !strcmp(backend, "flash");
        for (int bwd = 0; bwd < 2; bwd++) {
            aif_op op = {.kind = bwd ? AIF_OP_ATTN_BWD : AIF_OP_ATTN_FWD, .k = s, .n = d, .n_kernels = 1, .fp8 = fa2};
            op.flops = 2.0 * b * h * s * ((s + 1) / 2.0) * (2.0 * d) * (bwd ? 2.5 : 1.0);
            op.bytes = (double)b * s * h * d * 4 * 2 * (bwd ? 2 : 1);
            double ms = bwd ? both_ms - fwd_ms : fwd_ms;
            double r = aif_compute_time(g, &op, 1.0) / (ms * 1e-3);
            if (r < 0.7 || r > 1.3 || (fa2 && d == 128 && s >= 2048 && fabs(r - 1) > 0.16))
                fail_msg("h200 %s b%d h%d s%d d%d %s: model %.2fx the measured time", backend, b, h, s, d,
                         bwd ? "bwd" : "fwd", r);
            n++;
        }
    }
    fclose(f);
    assert_int_equal(n, 28);
}

static aif_cluster cluster(void)
{
    aif_cluster c;
    memset(&c, 0, sizeof c);
    c.scaleup.port_bw_Bps = 300e9;
    c.scaleup.efficiency = 0.8;
    c.scaleup.latency_s = 1e-6;
    c.fabric.port_bw_Bps = 25e9;
    c.fabric.efficiency = 0.9;
    c.fabric.latency_s = 5e-6;
    c.nic_bw_Bps = 25e9;
    c.nics_per_node = 8;
    c.gpus_per_node = 8;
    c.scaleup_domain = 8;
    c.gpus = 1024;
    c.nccl = *aif_catalog_nccl(cat);   /* NCCL's tuning table (data/nccl.yaml), as the tests below quote it */
    return c;
}

static void test_collectives(void **state)
{
    (void)state;
    aif_cluster c = cluster();
    double S = 1e9, us = 1e-6;
    /* a ring's bandwidth term grows by NCCL's pass loss over its steps, 1 + f / steps
     * (data/nccl.yaml, 0.51 steps) */
    double f = c.nccl.ring_pass_loss;
    assert_true(f == 0.51);
#define PASS(steps) (1 + f / (steps))
    /* in one NVLink domain, a large all-reduce rings with the Simple protocol:
     * NCCL's base 8.4 us + 2(n-1) steps x 3.4 us + 2(n-1)/n S / B (1 + f / (2(n-1))) */
    double t = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){8, 8}, S, AIF_ALGO_RING, NULL);
    CLOSE(t, (8.4 + 14 * 3.4) * us + 2 * 7.0 / 8 * S / 240e9 * PASS(14), 1e-12);
    /* a tiny one uses LL: 6.6 us + 14 x 0.6 us, half the bandwidth */
    t = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){8, 8}, 8, AIF_ALGO_RING, NULL);
    CLOSE(t, (6.6 + 14 * 0.6) * us + 2 * 7.0 / 8 * 8 / (240e9 * 0.5) * PASS(14), 1e-12);
    /* all-gather: n-1 steps, (n-1)/n S */
    t = aif_coll_time(&c, AIF_COLL_ALLGATHER, (aif_group_shape){8, 8}, S);
    CLOSE(t, (8.4 + 7 * 3.4) * us + 7.0 / 8 * S / 240e9 * PASS(7), 1e-12);
    /* one rank per node across 64 nodes: each GPU's NIC share 25 GB/s x 0.9, network step
     * latencies (Simple 14 us) plus the fabric's own 5 us per step */
    t = aif_coll_time_algo(&c, AIF_COLL_REDUCESCATTER, (aif_group_shape){64, 1}, S, AIF_ALGO_RING, NULL);
    CLOSE(t, (8.4 + 63 * 14.0) * us + 63.0 / 64 * S / 22.5e9 * PASS(63) + 63 * 5 * us, 1e-12);
    /* PAT (NCCL 2.23, one GPU per node): the same bytes in log2(64) = 6 Simple steps; picked when faster */
    aif_coll_algo used;
    double pat = aif_coll_time_algo(&c, AIF_COLL_REDUCESCATTER, (aif_group_shape){64, 1}, S, AIF_ALGO_AUTO, &used);
    CLOSE(pat, (8.4 + 6 * 14.0) * us + 63.0 / 64 * S / 22.5e9 + 6 * 5 * us, 1e-12);
    assert_int_equal(used, AIF_ALGO_PAT);
    assert_true(isinf(aif_coll_time_algo(&c, AIF_COLL_REDUCESCATTER, (aif_group_shape){64, 8}, S, AIF_ALGO_PAT, NULL)));
    /* 8 ranks per node across 16 nodes: the flat ring's bus bandwidth is min(240, 8 x 22.5) = 180 GB/s;
     * of its 254 steps the 2 x 15 that leave a node pay the network's latency and the fabric's
     * 5 us, the other 224 NVLink's raised to the network proxy's overhead (NCCL's tuning model:
     * max(1.9, 1.0) us for LL128, max(3.4, 3.0) for Simple); at 1 GB Simple's full bandwidth wins.
     * The hierarchical form (reduce-scatter in the node, 1/8 of the buffer across nodes,
     * all-gather) is pipelined: max(2 t_node, t_across) */
    double ring = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S, AIF_ALGO_RING, NULL);
    double bus = 2 * 127.0 / 128 * S;
    double simple = (8.4 + 224 * 3.4 + 30 * 14.0) * us + bus / 180e9 * PASS(254),
           ll128 = (14.0 + 224 * 1.9 + 30 * 4.0) * us + bus / (180e9 * 120 / 128) * PASS(254);
    assert_true(simple < ll128);
    CLOSE(ring, simple + 30 * 5 * us, 1e-12);
    /* a small all-gather across the 16 nodes: LL, 112 steps at the proxy's 1.0 us (above NVLink's
     * 0.6), 15 at the network's 2.7 us and the fabric's 5 */
    t = aif_coll_time_algo(&c, AIF_COLL_ALLGATHER, (aif_group_shape){128, 8}, 4096, AIF_ALGO_RING, NULL);
    CLOSE(t, (6.6 + 112 * 1.0 + 15 * 2.7) * us + 127.0 / 128 * 4096 / (180e9 * 0.5) * PASS(127) + 15 * 5 * us, 1e-12);
    double hier = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S, AIF_ALGO_TREE, &used);
    double node = (8.4 + 7 * 3.4) * us + 7.0 / 8 * S / 240e9 * PASS(7);   /* a ring in the node */
    double across = (8.4 + 8 * 14.0) * us + 2 * 15.0 / 16 * S / 8 / 22.5e9 + 8 * 5 * us;
    CLOSE(hier, fmax(2 * node, across), 1e-12);
    assert_int_equal(used, AIF_ALGO_TREE);
    CLOSE(aif_coll_time(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S), fmin(ring, hier), 1e-12);
    assert_true(aif_coll_time(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){1, 1}, S) == 0);
    /* CollNet (SHARP), when the fabric can and the scenario allows: reduce-scatter in the node,
     * each GPU's eighth of the buffer up the switches and back once, all-gather in the node */
    c.fabric.in_network_reduction = true;
    CLOSE(aif_coll_time(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S), fmin(ring, hier), 1e-12);
    c.net.sharp = true;
    double cn = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S, AIF_ALGO_AUTO, &used);
    CLOSE(cn, fmax(2 * node, (8.4 + 2 * 14.0) * us + S / 8 / 22.5e9 + 2 * 5 * us), 1e-12);
    assert_int_equal(used, AIF_ALGO_COLLNET);
    c.net.sharp = false;
    /* with NVLink SHARP the switch reduces: 25 us + 2(n-1)/n S / (e_nvls B_port), when faster */
    c.scaleup.nvls_efficiency = 1.06;
    t = aif_coll_time(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){8, 8}, S);
    CLOSE(t, 25 * us + 2 * 7.0 / 8 * S / (300e9 * 1.06), 1e-12);
    /* ... on groups of at least nvls_min_ranks GPUs (below, NCCL's tuner rates the ring faster):
     * with 5, 4 GPUs ring, 5 take NVLS; asked for, NVLS runs on 4 */
    c.scaleup.nvls_min_ranks = 5;
    aif_coll_algo picked;
    t = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){4, 8}, S, AIF_ALGO_AUTO, &picked);
    CLOSE(t, (8.4 + 6 * 3.4) * us + 2 * 3.0 / 4 * S / 240e9 * PASS(6), 1e-12);
    assert_int_equal(picked, AIF_ALGO_RING);
    t = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){4, 8}, S, AIF_ALGO_NVLS, &picked);
    CLOSE(t, 25 * us + 2 * 3.0 / 4 * S / (300e9 * 1.06), 1e-12);
    assert_int_equal(picked, AIF_ALGO_NVLS);
    t = aif_coll_time_algo(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){5, 8}, S, AIF_ALGO_AUTO, &picked);
    CLOSE(t, 25 * us + 2 * 4.0 / 5 * S / (300e9 * 1.06), 1e-12);
    assert_int_equal(picked, AIF_ALGO_NVLS);
    c.scaleup.nvls_min_ranks = 0;
    /* ... but not across domains */
    t = aif_coll_time(&c, AIF_COLL_ALLREDUCE, (aif_group_shape){128, 8}, S);
    CLOSE(t, fmin(ring, hier), 1e-12);
    c.scaleup.nvls_efficiency = 0;
    /* point to point at one NIC share */
    t = aif_coll_time(&c, AIF_COLL_SENDRECV, (aif_group_shape){2, 1}, S);
    CLOSE(t, S / 22.5e9 + 8.4 * us + 5 * us, 1e-12);
    /* all-to-all over 16 ranks, 8 per domain: half the data leaves the node, in NCCL's 15
     * rounds of a send and a receive, which lose a ring's pass */
    t = aif_coll_time(&c, AIF_COLL_ALLTOALL, (aif_group_shape){16, 8}, S);
    CLOSE(t, S * 8.0 / 16 / 22.5e9 * PASS(15) + 8.4 * us + 15.0 / 8 * 5 * us, 1e-12);
    /* a dispatch kernel sends to every peer at once: no rounds */
    t = aif_coll_time(&c, AIF_COLL_DISPATCH, (aif_group_shape){16, 8}, S);
    CLOSE(t, S * 8.0 / 16 / 22.5e9 + 8.4 * us + 15.0 / 8 * 5 * us, 1e-12);
    /* broadcast: a pipelined chain, bus bandwidth factor 1 */
    CLOSE(aif_coll_time(&c, AIF_COLL_BROADCAST, (aif_group_shape){8, 8}, S), (8.4 + 7 * 3.4) * us + S / 240e9 * PASS(7), 1e-12);
#undef PASS
    CLOSE(aif_busbw_factor(AIF_COLL_ALLREDUCE, 8), 2 * 7.0 / 8, 1e-12);
    CLOSE(aif_busbw_factor(AIF_COLL_ALLGATHER, 8), 7.0 / 8, 1e-12);
    CLOSE(aif_busbw_factor(AIF_COLL_BROADCAST, 8), 1, 1e-12);
}

/* The step's optimizer-segment op named name (lower_train.c: "adam", "grad.zero",
 * "weights.cast", "weights.quantize"), or NULL where there is none; never two, and none of
 * that name anywhere else in the graph. */
static const aif_op *step_op(const aif_graph *g, const char *name)
{
    const aif_op *found = NULL;
    int first = g->seg[AIF_SEG_STEP_OPT].first, end = first + g->seg[AIF_SEG_STEP_OPT].n;
    for (int i = 0; i < g->n_ops; i++)
        if (!strcmp(g->ops[i].name, name)) {
            assert_true(i >= first && i < end && !found);
            found = &g->ops[i];
        }
    return found;
}

/* The bytes of the step's op named name, or -1 where there is none. */
static double step_op_bytes(const aif_graph *g, const char *name)
{
    const aif_op *o = step_op(g, name);
    return o ? o->bytes : -1;
}

/* The bytes of the step's Adam op, which must be there. */
static double adam_bytes(const aif_graph *g)
{
    double b = step_op_bytes(g, "adam");
    assert_true(b > 0);
    return b;
}

/* The result's optimizer line is the step's optimizer segment, all of it. */
static void optimizer_line_is_segment(const aif_scenario *s, const aif_graph *g, const aif_train_result *r)
{
    aif_seg_time st;
    aif_segment_time(s, g, AIF_SEG_STEP_OPT, &st);
    CLOSE(r->bd.optimizer_s, st.total_s, 1e-9);
}

/* The step's per-weight work besides Adam, with Megatron-Core's gradient buffer (optimizer
 * none or distributed): the buffer zeroed (the rank's weights x the gradient's bytes), and
 * under an fp8 or fp4 recipe the layers' GEMM weights quantized once (read 2, write 1 + 1
 * in fp8; with fp8 parameters the transposed copy alone, read 1 and write 1), none of it
 * under LoRA's frozen weights or with sharded gradients (FSDP reduces them layer by layer),
 * no cast in bf16; and all of it on the step's time, booked as the optimizer's. */
static void test_step_weight_work(void **state)
{
    (void)state;
    const char *base = "cluster: {system: dgx-h100, gpus: 2}\n"
                       "model: {arch: llama, layers: 2, hidden: 1024, heads: 16, kv_heads: 4, ffn: 4096, vocab: 1024}\n"
                       "train: {tp: 2, mbs: 1, gbs: 1, seq: 1024, precision: %s, optimizer: %s, grad_dtype: %s%s}\n";
    struct { const char *prec, *opt, *grad, *extra; double zero_b, cast_b; } cases[] = {
        {"fp8", "distributed", "bf16", "", 2, 4},
        {"fp8", "distributed", "fp32", ", fp8_params: true", 4, 2},
        {"bf16", "none", "fp32", "", 4, 0},
        {"fp8", "distributed", "bf16", ", lora: {rank: 8, targets: all}", -1, 0},
        {"fp8", "fsdp", "auto", "", 0, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[600];
        snprintf(y, sizeof y, base, cases[k].prec, cases[k].opt, cases[k].grad, cases[k].extra);
        aif_scenario s;
        load(&s, y);
        aif_graph g;
        aif_err e;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        aif_dims d;
        aif_model_dims(&s.model, &d);
        double layers_gemm = 2 * (d.attn_params + d.mlp_params) / 2;   /* two layers at TP 2 */
        double local = 2 * (d.attn_params / 2 + d.norm_params + d.mlp_params / 2) + d.embed_params / 2 +
                       d.head_params / 2 + d.final_norm_params;
        double zero = step_op_bytes(&g, "grad.zero"), cast = step_op_bytes(&g, "weights.cast");
        if (cases[k].zero_b > 0)
            CLOSE(zero, local * cases[k].zero_b, 1e-9);
        else if (cases[k].zero_b == 0)
            assert_true(zero < 0);
        else   /* LoRA: the adapters' gradients alone, a sliver of the weights' */
            assert_true(zero > 0 && zero < 0.05 * local * 2);
        if (cases[k].cast_b > 0) {
            CLOSE(cast, layers_gemm * cases[k].cast_b, 1e-9);
            /* one cast per weight: qkv, out, fc1, fc2 of two layers */
            assert_int_equal(step_op(&g, "weights.cast")->n_kernels, 8);
        }
        else
            assert_true(cast < 0);
        /* on the step's time, as the optimizer's: the estimate's optimizer line is the segment's */
        aif_train_result r;
        assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
        optimizer_line_is_segment(&s, &g, &r);
        aif_graph_free(&g);
    }
}

/* Megatron-Core's gradient buckets: the rank's weights cut into buckets of the job's
 * train.dp_bucket parameters, or of its default max(40M, 1M x dp): Llama 3 8B unsharded at
 * DP 8 and DP 64 takes 40M and 64M (200 and 125 buckets), at 768M, as NVIDIA's MLPerf
 * configurations set it, 10, and at 10M, below the default, 803; zero1 is cut alike. */
static void test_dp_bucket(void **state)
{
    (void)state;
    struct { int gpus; const char *bucket; double params; } cases[] = {
        {8, "", 40e6}, {64, "", 64e6}, {64, ", dp_bucket: 768M", 768e6}, {8, ", dp_bucket: 2000000000", 2e9},
        {64, ", dp_bucket: 10M", 10e6}, {64, ", dp_bucket: 10M, optimizer: zero1", 10e6},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        char y[300];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: %d}\nmodel: llama3-8b\n"
                 "train: {mbs: 1, gbs: %d, seq: 4096%s}\n",
                 cases[k].gpus, cases[k].gpus, cases[k].bucket);
        aif_scenario s;
        aif_graph g;
        lower_yaml(&s, &g, y);
        CLOSE(aif_dp_bucket_params(&s.train), cases[k].params, 1e-12);
        aif_dims d;
        aif_model_dims(&s.model, &d);
        double local = s.model.layers * (d.attn_params + d.norm_params + d.mlp_params) + d.embed_params +
                       d.head_params + d.final_norm_params;
        assert_int_equal(g.dp_buckets, (int)floor(local / cases[k].params));
        aif_graph_free(&g);
    }
}

/* The op of g named name in segment seg (NULL: none). */
static const aif_op *seg_op(const aif_graph *g, int seg, const char *name)
{
    for (int i = g->seg[seg].first; i < g->seg[seg].first + g->seg[seg].n; i++)
        if (!strcmp(g->ops[i].name, name))
            return &g->ops[i];
    return NULL;
}

/* train.cp_comm, Llama 3 8B at CP 4 (seq 8,192: 2,048 tokens a rank, 8 KV heads of 128 at
 * TP 1: 2,048 values of K and V a token) on GB200, by hand.  p2p: the ring's sends, 3 steps
 * of the rank's K and V forward and twice that backward, and the attention a kernel a
 * step, cp of them, each at the local sequence's curve (seq / cp); a2a: the queries, keys
 * and values exchanged before the one kernel over the whole sequence and the output after it
 * (the backward the output's gradient before, the three gradients after); allgather: the
 * keys and values gathered before the forward's kernel and the backward's, their gradients
 * reduce-scattered after.  MaxText's stack resolves auto to allgather; the job's own wins. */
static void test_cp_comm(void **state)
{
    (void)state;
    static const char *const kinds[] = {"", ", cp_comm: a2a", ", cp_comm: allgather", ", cp_comm: p2p, framework: maxtext-gpu",
                                        ", framework: maxtext-gpu"};
    const double T = 2048, kv = 2048, q = 4096;
    for (int k = 0; k < 5; k++) {
        char y[300];
        snprintf(y, sizeof y, "cluster: {system: gb200-nvl72, gpus: 8}\nmodel: llama3-8b\n"
                 "train: {tp: 1, cp: 4, pp: 1, mbs: 1, gbs: 2, seq: 8192%s}\n", kinds[k]);
        aif_scenario s;
        aif_graph g;
        lower_yaml(&s, &g, y);
        int want = k == 1 ? AIF_CP_A2A : k == 2 || k == 4 ? AIF_CP_ALLGATHER : AIF_CP_P2P;
        assert_int_equal(aif_cp_comm_resolved(&s), want);
        const aif_op *af = seg_op(&g, AIF_SEG_DENSE_FWD, "attn.fwd"), *ab = seg_op(&g, AIF_SEG_DENSE_BWD, "attn.bwd");
        assert_non_null(af);
        assert_non_null(ab);
        const aif_op *kvf = seg_op(&g, AIF_SEG_DENSE_FWD, "cp.kv"), *kvb = seg_op(&g, AIF_SEG_DENSE_BWD, "cp.dkv");
        const aif_op *qkv = seg_op(&g, AIF_SEG_DENSE_FWD, "cp.a2a.qkv"), *out = seg_op(&g, AIF_SEG_DENSE_FWD, "cp.a2a.out");
        const aif_op *dout = seg_op(&g, AIF_SEG_DENSE_BWD, "cp.a2a.dout"), *dqkv = seg_op(&g, AIF_SEG_DENSE_BWD, "cp.a2a.dqkv");
        const aif_op *agf = seg_op(&g, AIF_SEG_DENSE_FWD, "cp.ag.kv"), *agb = seg_op(&g, AIF_SEG_DENSE_BWD, "cp.ag.kv.bwd");
        const aif_op *rs = seg_op(&g, AIF_SEG_DENSE_BWD, "cp.rs.dkv");
        if (want == AIF_CP_P2P) {
            CLOSE(af->k, 8192.0 / 4, 1e-12);
            CLOSE(ab->k, 8192.0 / 4, 1e-12);
            assert_int_equal(af->n_kernels, 4);
            assert_int_equal(ab->n_kernels, 4);
            assert_non_null(kvf);
            assert_non_null(kvb);
            CLOSE(kvf->bytes, T * kv * 2 * 3, 1e-12);
            CLOSE(kvb->bytes, 2 * T * kv * 2 * 3, 1e-12);
            assert_int_equal(kvf->coll, AIF_COLL_SENDRECV);
            assert_true(!qkv && !agf && !rs);
        } else {
            CLOSE(af->k, 8192, 1e-12);
            assert_int_equal(af->n_kernels, 1);
            assert_int_equal(ab->n_kernels, 1);
            assert_true(!kvf && !kvb);
        }
        if (want == AIF_CP_A2A) {
            assert_true(qkv && out && dout && dqkv);
            assert_int_equal(qkv->coll, AIF_COLL_ALLTOALL);
            CLOSE(qkv->bytes, T * (q + kv) * 2, 1e-12);
            CLOSE(out->bytes, T * q * 2, 1e-12);
            CLOSE(dout->bytes, T * q * 2, 1e-12);
            CLOSE(dqkv->bytes, T * (q + kv) * 2, 1e-12);
            assert_int_equal(qkv->overlap, AIF_OVL_NONE);
        }
        if (want == AIF_CP_ALLGATHER) {
            assert_true(agf && agb && rs && !qkv);
            assert_int_equal(agf->coll, AIF_COLL_ALLGATHER);
            assert_int_equal(rs->coll, AIF_COLL_REDUCESCATTER);
            CLOSE(agf->bytes, 4 * T * kv * 2, 1e-12);
            CLOSE(agb->bytes, 4 * T * kv * 2, 1e-12);
            CLOSE(rs->bytes, 4 * T * kv * 2, 1e-12);
        }
        aif_graph_free(&g);
    }
}

/* The bytes under fp8 attention (delayed scaling, Megatron-Core's recipe): Transformer Engine
 * moves the quantized values, one byte each (the a2a output too; the ring's backward sends
 * the gradients in bf16 beside the fp8 keys and values); MLA (DeepSeek-V3, 128 heads of
 * 192 + 128 at TP 8: 16 heads, 5,120 values of K and V a token) sends its up-projected keys and
 * values.  Refused: the ring with sliding-window layers (gpt-oss, which auto runs as a2a) and
 * a2a where cp does not divide a rank's heads (Llama 3 70B at TP 8: 8 query heads, 1 KV head). */
static void test_cp_comm_bytes_and_refusals(void **state)
{
    (void)state;
    const double T = 2048;
    for (int k = 0; k < 2; k++) {
        char y[320];
        snprintf(y, sizeof y, "cluster: {system: gb200-nvl72, gpus: 8}\nmodel: llama3-8b\n"
                 "train: {tp: 1, cp: 4, pp: 1, mbs: 1, gbs: 2, seq: 8192, precision: fp8, attention_dtype: fp8, "
                 "cp_comm: %s}\n", k ? "a2a" : "p2p");
        aif_scenario s;
        aif_graph g;
        lower_yaml(&s, &g, y);
        if (k) {
            CLOSE(seg_op(&g, AIF_SEG_DENSE_FWD, "cp.a2a.qkv")->bytes, T * (4096 + 2048), 1e-12);
            CLOSE(seg_op(&g, AIF_SEG_DENSE_FWD, "cp.a2a.out")->bytes, T * 4096, 1e-12);
            CLOSE(seg_op(&g, AIF_SEG_DENSE_BWD, "cp.a2a.dout")->bytes, T * 4096, 1e-12);
            CLOSE(seg_op(&g, AIF_SEG_DENSE_BWD, "cp.a2a.dqkv")->bytes, T * (4096 + 2048), 1e-12);
        } else {
            CLOSE(seg_op(&g, AIF_SEG_DENSE_FWD, "cp.kv")->bytes, T * 2048 * 3, 1e-12);
            CLOSE(seg_op(&g, AIF_SEG_DENSE_BWD, "cp.dkv")->bytes, T * 2048 * 3 * 3, 1e-12);
        }
        aif_graph_free(&g);
    }
    {
        aif_scenario s;
        aif_graph g;
        lower_yaml(&s, &g, "cluster: {system: gb200-nvl72, gpus: 16}\nmodel: deepseek-v3\n"
                           "train: {tp: 8, cp: 2, pp: 1, ep: 1, mbs: 1, gbs: 1, seq: 4096}\n");
        const aif_op *kv = seg_op(&g, AIF_SEG_MOE_FWD, "cp.kv");
        assert_non_null(kv);
        CLOSE(kv->bytes, 2048 * 16 * (192 + 128) * 2 * 1, 1e-12);   /* 2,048 tokens a rank, 1 step */
        aif_graph_free(&g);
    }
    static const struct { const char *yaml, *needle; int resolved; } cases[] = {
        {"model: gpt-oss-20b\ntrain: {tp: 1, cp: 4, pp: 1, ep: 1, gbs: 8, seq: 8192, cp_comm: p2p}",
         "Transformer Engine refuses with sliding-window attention", 0},
        {"model: gpt-oss-20b\ntrain: {tp: 1, cp: 4, pp: 1, ep: 1, gbs: 8, seq: 8192}", NULL, AIF_CP_A2A},
        {"model: llama3-70b\ntrain: {tp: 8, cp: 4, pp: 1, gbs: 4, seq: 8192, cp_comm: a2a}",
         "holds 8 query and 1 key-value heads", 0},
        {"model: llama3-70b\ntrain: {tp: 8, cp: 4, pp: 1, gbs: 4, seq: 8192}", NULL, AIF_CP_P2P},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char y[300];
        snprintf(y, sizeof y, "cluster: {system: gb200-nvl72, gpus: 32}\n%s\n", cases[i].yaml);
        aif_scenario s;
        aif_err e;
        aif_rc rc = aif_scenario_parse(cat, y, strlen(y), "test", NULL, 0, &s, &e);
        if (cases[i].needle) {
            assert_int_equal(rc, AIF_EINPUT);
            char b[1200];
            aif_err_format(&e, b, sizeof b);
            if (!strstr(b, cases[i].needle) || strcmp(e.path, "train.cp_comm"))
                fail_msg("'%s' lacks '%s' or names another field", b, cases[i].needle);
        } else {
            assert_int_equal(rc, AIF_OK);
            assert_int_equal(aif_cp_comm_resolved(&s), cases[i].resolved);
        }
    }
}

/* The same per-weight work on a mixture of experts (each rank's local experts quantized,
 * one kernel per weight tensor), in NVFP4 (weights.quantize at the recipe's quantize bytes),
 * with a recipe's bf16 layer left out, and booked as the optimizer's by the simulating
 * engine too: its optimizer line is the estimate's. */
static void test_step_weight_work_moe(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {system: dgx-b200, gpus: 16}\nmodel: mixtral-8x7b\n"
                 "train: {tp: 1, pp: 1, ep: 4, mbs: 1, gbs: 16, seq: 1024, precision: %s%s}\n",
                 k ? "fp4" : "fp8", k ? ", bf16_first_layers: 8" : "");
        aif_scenario s;
        load(&s, y);
        aif_graph g;
        aif_err e;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        aif_dims d;
        aif_model_dims(&s.model, &d);
        double L = s.model.layers, local = 8.0 / 4;
        double gemm = L * (d.attn_params + d.expert_params * local);
        double lp = k ? 1 - 8.0 / L : 1, per = k ? aif_fp4_quant_bytes(AIF_NVFP4) : 4;
        const char *name = k ? "weights.quantize" : "weights.cast";
        CLOSE(step_op_bytes(&g, name), gemm * lp * per, 1e-9);
        assert_true(step_op_bytes(&g, k ? "weights.cast" : "weights.quantize") < 0);
        /* q/k/v fused and the output; two per local expert */
        assert_int_equal(step_op(&g, name)->n_kernels, (unsigned)(L * (2 + 2 * local)));
        aif_train_result r[2];
        aif_sim_stats st;
        aif_sim_opts o = {0};
        assert_int_equal(aif_estimate(&s, &r[0], &e), AIF_OK);
        assert_int_equal(aif_simulate(&s, &o, &r[1], &st, &e), AIF_OK);
        optimizer_line_is_segment(&s, &g, &r[0]);
        optimizer_line_is_segment(&s, &g, &r[1]);
        aif_graph_free(&g);
    }
}

/* Korthikanti et al. 2022 eq. (1)/(2): activations per layer = s b h (34 + 5 a s / h)
 * without parallelism, and s b h (34 + 5 a s / h) / t with tensor and sequence parallelism. */
static void test_activation_memory(void **state)
{
    (void)state;
    const char *base = "cluster: {system: dgx-a100-80g, gpus: %d}\n"
                       "model: {layers: 1, hidden: 1024, heads: 16, ffn: 4096, vocab: 8, activation: gelu, "
                       "position: learned, tied_embeddings: true}\n"
                       "train: {tp: %d, mbs: 2, gbs: %d, seq: 512, attention: unfused, optimizer: none}\n";
    for (int t = 1; t <= 4; t *= 4) {
        char y[512];
        snprintf(y, sizeof y, base, t, t, 2);
        aif_scenario s;
        load(&s, y);
        aif_graph g;
        aif_err e;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        aif_memory m;
        aif_memory_estimate(&s, &g, &m);
        double sb = 512.0 * 2, h = 1024, a = 16, sq = 512;
        double layer = sb * h * (34 + 5 * a * sq / h) / t;
        double head = sb * 8 / t * 6;
        CLOSE(m.activations_bytes, layer + head, 1e-12);
        aif_graph_free(&g);
    }
    /* full recompute keeps only the layer input */
    aif_scenario s;
    load(&s, "cluster: {system: dgx-a100-80g, gpus: 1}\n"
             "model: {layers: 1, hidden: 1024, heads: 16, ffn: 4096, vocab: 8, activation: gelu}\n"
             "train: {mbs: 2, gbs: 2, seq: 512, recompute: full}\n");
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    aif_memory m;
    aif_memory_estimate(&s, &g, &m);
    /* and in the backward the layer being recomputed holds its tensors again, on top of
     * the input, beyond the logits' (freed before the first layer's backward) */
    aif_scenario s_none = s;
    s_none.train.recompute = AIF_RC_NONE;
    double none[2];
    aif_memory_layer_bytes(&s_none, none);
    double input = 2 * 1024.0 * 1024, logits = 1024.0 * 8 * 6;
    assert_true(none[0] - input > logits);
    CLOSE(m.activations_bytes, input + (none[0] - input), 1e-12);
    /* weights, grads and optimizer: 2 + 4 + 12 bytes per parameter without sharding */
    double p = aif_model_params(&s.model);
    CLOSE(m.weights_bytes + m.grads_bytes, 6 * p, 1e-9);
    CLOSE(m.optimizer_bytes, 12 * p, 1e-9);
    /* Adam's step reads the fp32 gradient and the state and writes the state and the bf16
     * copy: 4 + 12 + 12 + 2 bytes a weight */
    CLOSE(adam_bytes(&g), 30 * p, 1e-9);
    aif_graph_free(&g);
    /* with the moments in bf16 (train.moments_dtype, the precision-aware optimizer) the
     * state is 4 + 2 + 2 bytes a weight and the step moves 4 + 8 + 8 + 2; nothing else moves */
    aif_scenario s16 = s;
    s16.train.moments_dtype = AIF_GRAD_BF16;
    assert_int_equal(aif_graph_lower(&s16, &g, &e), AIF_OK);
    aif_memory m16;
    aif_memory_estimate(&s16, &g, &m16);
    CLOSE(m16.optimizer_bytes, 8 * p, 1e-9);
    CLOSE(m16.weights_bytes + m16.grads_bytes, 6 * p, 1e-9);
    CLOSE(m16.activations_bytes, m.activations_bytes, 1e-12);
    CLOSE(adam_bytes(&g), 22 * p, 1e-9);
    aif_graph_free(&g);
}

/* torchtitan's per-op selective checkpointing (data/frameworks.yaml selective_gemm_share):
 * a block keeps its input, SDPA's output and log-sum-exp and the outputs of its odd-numbered
 * mms (wq, wv, w1, w2 of wq, wk, wv, wo, w1, w3, w2), in fp8 the same (the checkpoint sees
 * torchao's aten.mm on Float8Tensors, with bf16 outputs, before the subclass calls
 * torch._scaled_mm).  The loss holds 12 bytes a logit (the bf16 logits, the fp32
 * copy, the log-softmax and two fp32 gradients), and the backward of a layer rebuilds
 * what it did not keep, the larger of the two on top of the kept layers. */
static void test_op_sac_memory(void **state)
{
    (void)state;
    for (int fp8 = 0; fp8 < 2; fp8++) {
        char y[600];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                 "train: {mbs: 1, gbs: 8, seq: 4096, recompute: selective, optimizer: fsdp, framework: torchtitan, "
                 "precision: %s}\n", fp8 ? "fp8" : "bf16");
        aif_scenario s;
        aif_graph g;
        lower_yaml(&s, &g, y);
        double T = 4096, h = 4096, q = 4096, kv = 1024, ffn = 14336, heads = 32, V = 128256;
        double layer = 2 * T * (h + q) + 4 * T * heads    /* input, SDPA out, lse */
                       + 2 * T * (q + kv + ffn + h);       /* wq, wv, w1, w2, bf16 in either precision */
        double b[2];
        aif_memory_layer_bytes(&s, b);
        CLOSE(b[0], layer, 1e-12);
        aif_scenario s_none = s;
        s_none.train.recompute = AIF_RC_NONE;
        double none[2];
        aif_memory_layer_bytes(&s_none, none);
        double transient = none[0] - layer, loss = T * V * 12;
        assert_true(loss > transient && transient > 0);
        aif_memory m;
        aif_memory_estimate(&s, &g, &m);
        CLOSE(m.activations_bytes, 32 * layer + loss, 1e-12);
        aif_graph_free(&g);
    }
    /* tp 2 with sequence parallelism: column-parallel outputs split, wo's and w2's kept
     * whole (the partial sums before their reduce-scatters), and the two reduce-scatter
     * outputs, the sequence shard, kept too */
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "train: {tp: 2, mbs: 1, gbs: 4, seq: 4096, recompute: selective, optimizer: fsdp, framework: torchtitan}\n");
    assert_true(s.train.par.sp);
    double T = 4096, h = 4096, q = 4096, kv = 1024, ffn = 14336, heads = 32, t = 2, el = T / t;
    double layer = 2 * el * h + 2 * T * q / t + 4 * T * heads / t + 2 * 2 * el * h +
                   2 * (T * q / t + T * kv / t + T * ffn / t + T * h);   /* wq, wv, w1, w2 */
    double b[2];
    aif_memory_layer_bytes(&s, b);
    CLOSE(b[0], layer, 1e-12);
}

/* A scenario's per-layer activations as its recompute keeps them, and with none. */
static void layer_kept_and_none(const aif_scenario *s, double kept[2], double none[2])
{
    aif_memory_layer_bytes(s, kept);
    aif_scenario s_none = *s;
    s_none.train.recompute = AIF_RC_NONE;
    aif_memory_layer_bytes(&s_none, none);
}

/* The layer a selective recompute rebuilds in the backward, larger than the logits here (a
 * vocabulary of 8): torchtitan's per-op policy and Megatron-Core's recompute_modules [mlp]
 * each add one layer's dropped tensors on top of the three kept layers. */
static void test_selective_transient(void **state)
{
    (void)state;
    const char *fw[] = {"framework: torchtitan, ", "recompute_modules: [mlp], "};
    for (int k = 0; k < 2; k++) {
        char y[600];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 1}\n"
                 "model: {layers: 3, hidden: 1024, heads: 16, ffn: 4096, vocab: 8, activation: gelu}\n"
                 "train: {mbs: 1, gbs: 1, seq: 2048, recompute: selective, %soptimizer: none}\n", fw[k]);
        aif_scenario s;
        load(&s, y);
        aif_graph g;
        aif_err e;
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        double kept[2], none[2];
        layer_kept_and_none(&s, kept, none);
        double logits = 2048.0 * 8 * (k ? 6 : 12);
        assert_true(none[0] - kept[0] > logits);
        aif_memory m;
        aif_memory_estimate(&s, &g, &m);
        CLOSE(m.activations_bytes, 3 * kept[0] + (none[0] - kept[0]), 1e-12);
        aif_graph_free(&g);
    }
    /* a MoE model (every layer MoE): the rebuilt layer is a MoE layer's, whose routed
     * experts' activation output moe_act drops (more than a dense layer of it would) */
    aif_scenario s;
    aif_graph g;
    lower_yaml(&s, &g, "cluster: {system: dgx-h100, gpus: 1}\n"
             "model: {layers: 3, hidden: 1024, heads: 16, ffn: 1024, vocab: 8, activation: swiglu,\n"
             "        moe: {experts: 8, top_k: 4, expert_ffn: 2048, dense_layers: 0}}\n"
             "train: {mbs: 1, gbs: 1, seq: 2048, recompute: selective, recompute_modules: [moe_act], optimizer: none}\n");
    double kept[2], none[2];
    layer_kept_and_none(&s, kept, none);
    assert_true(none[1] - kept[1] > none[0] - kept[0] && none[1] - kept[1] > 2048.0 * 8 * 6);
    aif_memory m;
    aif_memory_estimate(&s, &g, &m);
    CLOSE(m.activations_bytes, 3 * kept[1] + (none[1] - kept[1]), 1e-12);
    aif_graph_free(&g);
}

static void test_pipeline_layout(void **state)
{
    (void)state;
    aif_scenario s;
    aif_graph g;
    lower_yaml(&s, &g, "cluster: {system: dgx-h100, gpus: 128}\nmodel: llama3-405b\n"
             "train: {tp: 8, pp: 16, gbs: 16, seq: 8192}\n");
    int total = 0;
    for (int r = 0; r < 16; r++) {
        aif_stage st;
        aif_graph_stage(&g, r, &st);
        total += st.dense_layers + st.moe_layers;
        int want = (r == 0 || r == 15) ? 7 : 8;  /* 126 = 2 x 7 + 14 x 8: the ends carry embedding and head */
        assert_int_equal(st.dense_layers, want);
        assert_int_equal(st.embed, r == 0);
        assert_int_equal(st.head, r == 15);
        assert_int_equal(st.p2p, r > 0);
    }
    assert_int_equal(total, 126);
    aif_graph_free(&g);
}

/* The layer layout as it was computed before the closed form: one pass over the
 * chunks in order, each taking base layers plus one of the remainder (middle chunks
 * first, then chunk 0, then the last chunk).  The reference the closed form in
 * aif_graph_chunk_layers must equal, chunk for chunk. */
static void chunk_layers_loop(int layers, int n_chunks, int *first, int *n)
{
    int base = layers / n_chunks, rem = layers % n_chunks;
    int middle = n_chunks > 2 ? n_chunks - 2 : 0;
    int extra_mid = rem < middle ? rem : middle, extra_ends = rem - extra_mid;
    int start = 0;
    for (int i = 0; i < n_chunks; i++) {
        int gets;
        if (n_chunks <= 2)
            gets = i < rem;
        else if (i == 0 || i == n_chunks - 1)
            gets = (i == 0 && extra_ends >= 1) || (i == n_chunks - 1 && extra_ends >= 2);
        else
            gets = (i - 1) < extra_mid;
        first[i] = start;
        n[i] = base + gets;
        start += n[i];
    }
}

static void test_chunk_layers_closed_form(void **state)
{
    (void)state;
    static aif_graph g;
    static int want_first[4096], want_n[4096];
    static const int big[] = {384, 511, 512, 1000, 1023, 1024, 1536, 2047, 2048, 2999, 3000, 4095, 4096};
    int n_sizes = 300 + (int)(sizeof big / sizeof big[0]);
    for (int i_size = 0; i_size < n_sizes; i_size++) {
        int n_chunks = i_size < 300 ? i_size + 1 : big[i_size - 300];
        for (int layers = 1; layers <= 200; layers++) {
            chunk_layers_loop(layers, n_chunks, want_first, want_n);
            /* the same count of chunks as pp ranks x vpp chunks, both ways round */
            g.layers = layers;
            g.pp = n_chunks % 2 == 0 && n_chunks > 2 ? n_chunks / 2 : n_chunks;
            g.vpp = n_chunks / g.pp;
            for (int c = 0; c < n_chunks; c++) {
                int first = -1, n = -1;
                aif_graph_chunk_layers(&g, c, &first, &n);
                if (first != want_first[c] || n != want_n[c])
                    fail_msg("layers %d, %d chunks, chunk %d: [%d, +%d), want [%d, +%d)", layers, n_chunks, c, first,
                             n, want_first[c], want_n[c]);
            }
            assert_int_equal(want_first[n_chunks - 1] + want_n[n_chunks - 1], layers);
        }
    }
}

/* Stage classes (aif_graph_stage_classes): runs of ranks in order that tile 0 .. pp-1,
 * every rank's stage (summed over its chunks, aif_graph_stage) equal to its run's, at
 * most AIF_MAX_STAGE_CLASSES runs, on even and uneven layer counts, dense prefixes
 * and vpp up to 7, pp up to 4,096; with the layers past each chunk's first 1 or 3 kept
 * whole (train.recompute_layers: the stage's keep counts) as without. */
static void test_stage_classes_tile_ranks(void **state)
{
    (void)state;
    static const int pps[] = {1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 64, 100, 255, 256, 1000, 1024, 4096};
    static const int vpps[] = {1, 2, 3, 4, 7};
    long checked = 0;
    for (size_t a = 0; a < sizeof pps / sizeof pps[0]; a++)
        for (size_t b = 0; b < sizeof vpps / sizeof vpps[0]; b++) {
            int pp = pps[a], vpp = vpps[b], nc = pp * vpp;
            if (nc > 4096 || (vpp > 1 && pp == 1))
                continue;
            const int layer_counts[] = {nc, nc + 1, nc + 2, nc + 3, 2 * nc - 1, 2 * nc + 1, 3 * nc - 2, 126, 61, 2048, 4095};
            for (size_t c = 0; c < sizeof layer_counts / sizeof layer_counts[0]; c++) {
                int layers = layer_counts[c];
                if (layers < nc)
                    continue;
                const int denses[] = {0, 1, 3, layers / 3, layers / 2 + 1, layers - 1, layers};
                for (size_t d = 0; d < 3 * sizeof denses / sizeof denses[0]; d++) {
                    static const int rls[3] = {0, 1, 3};
                    aif_graph g;
                    aif_graph_init(&g);
                    g.pp = pp;
                    g.vpp = vpp;
                    g.layers = layers;
                    g.dense_layers = denses[d / 3];
                    g.recompute_layers = rls[d % 3];
                    aif_graph_stage_classes(&g);
                    assert_true(g.n_stage_classes >= 1 && g.n_stage_classes <= AIF_MAX_STAGE_CLASSES);
                    int next = 0;
                    for (int k = 0; k < g.n_stage_classes; k++) {
                        const aif_stage_class *sc = &g.stage_class[k];
                        if (sc->rank != next || sc->n_ranks < 1)
                            fail_msg("pp %d vpp %d layers %d dense %d: class %d starts at %d (+%d), want %d", pp, vpp,
                                     layers, denses[d / 3], k, sc->rank, sc->n_ranks, next);
                        for (int r = sc->rank; r < sc->rank + sc->n_ranks; r++) {
                            aif_stage st;
                            aif_graph_stage(&g, r, &st);
                            if (memcmp(&st, &sc->st, sizeof st))
                                fail_msg("pp %d vpp %d layers %d dense %d: rank %d has %d+%d layers, embed %d, head "
                                         "%d, p2p %d; its class %d has %d+%d, %d, %d, %d",
                                         pp, vpp, layers, denses[d / 3], r, st.dense_layers, st.moe_layers, st.embed,
                                         st.head, st.p2p, k, sc->st.dense_layers, sc->st.moe_layers, sc->st.embed,
                                         sc->st.head, sc->st.p2p);
                            checked++;
                        }
                        next = sc->rank + sc->n_ranks;
                    }
                    assert_int_equal(next, pp);
                }
            }
        }
    assert_true(checked > 100000);
}

static int same_or_close(double a, double b) { return a == b || fabs(a - b) <= 1e-12 * fabs(b); }

/* The engine's figures over the stage classes against the same engine taking every
 * rank on its own (aif_graph.stage_table, the per-rank reference): the step, every
 * part of the breakdown within 1e-12 relative (only the mean stage's sum is added
 * in another order), memory and everything else bit for bit; dense and MoE models
 * (a dense prefix), even and uneven layer counts, vpp 1 to 4, pp 1 to 1,024; at vpp 3
 * with the layers past each chunk's first kept whole (train.recompute_layers 1). */
static void test_stage_classes_estimate(void **state)
{
    (void)state;
    static const struct { const char *model; int layers, dense; } models[] = {
        {"llama3-405b", 126, -1}, {"llama3-405b", 127, -1}, {"llama3-405b", 2048, -1}, {"llama3-405b", 2047, -1},
        {"llama3-8b", 1000, -1}, {"deepseek-v3", 61, 3}, {"deepseek-v3", 1025, 3}, {"deepseek-v3", 301, 100},
        {"mixtral-8x7b", 37, 0},
    };
    static const int pps[] = {1, 2, 3, 4, 7, 8, 16, 24, 64, 256, 1024};
    int compared = 0;
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++)
        for (size_t a = 0; a < sizeof pps / sizeof pps[0]; a++)
            for (int vpp = 1; vpp <= 4; vpp++) {
                int pp = pps[a], dp = 2, tp = 8;
                if ((vpp > 1 && pp == 1) || pp * vpp > models[i].layers)
                    continue;
                char y[512];
                snprintf(y, sizeof y,
                         "cluster: {system: dgx-h100, gpus: %d}\nmodel: {base: %s, layers: %d}\n"
                         "train: {tp: %d, pp: %d, vpp: %d, gbs: %d, mbs: 1, seq: 4096, recompute: %s}\n",
                         tp * pp * dp, models[i].model, models[i].layers, tp, pp, vpp, dp * pp * 2,
                         vpp % 2 ? "full" : "selective");
                aif_scenario s;
                load(&s, y);
                if (models[i].dense >= 0)
                    s.model.moe.dense_layers = models[i].dense;
                if (vpp == 3)   /* full recompute of each chunk's first layer only: the stages' keep counts */
                    s.train.recompute_layers = 1;
                aif_err e;
                if (aif_scenario_check(&s, &e) != AIF_OK)
                    fail_msg("%s", e.msg);
                aif_graph g;
                assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
                aif_train_result rc, rr;
                aif_estimate_graph(&s, &g, &rc);
                static aif_stage table[4096];
                for (int r = 0; r < pp; r++)
                    aif_graph_stage(&g, r, &table[r]);
                g.stage_table = table;
                aif_estimate_graph(&s, &g, &rr);
                const double *pc = (const double *)&rc.bd, *pr = (const double *)&rr.bd;
                for (size_t k = 0; k < sizeof rc.bd / sizeof(double); k++)
                    if (!same_or_close(pc[k], pr[k]))
                        fail_msg("%s, %d layers, pp %d vpp %d: breakdown part %zu %.17g by classes, %.17g by ranks",
                                 models[i].model, models[i].layers, pp, vpp, k, pc[k], pr[k]);
                if (!same_or_close(rc.step_time_s, rr.step_time_s) || !same_or_close(rc.mfu, rr.mfu))
                    fail_msg("%s, %d layers, pp %d vpp %d: step %.17g s by classes, %.17g s by ranks",
                             models[i].model, models[i].layers, pp, vpp, rc.step_time_s, rr.step_time_s);
                if (memcmp(&rc.mem, &rr.mem, sizeof rc.mem))
                    fail_msg("%s, %d layers, pp %d vpp %d: memory %.17g bytes by classes, %.17g by ranks",
                             models[i].model, models[i].layers, pp, vpp, rc.mem.total_bytes, rr.mem.total_bytes);
                aif_graph_free(&g);
                compared++;
            }
    assert_true(compared > 200);
}

/* The parameter count as a sum over the layers, the reference for its product form. */
static double params_loop(const aif_model *m, int active)
{
    aif_dims d;
    aif_model_dims(m, &d);
    double total = d.embed_params + d.head_params + d.final_norm_params;
    for (int i = 0; i < m->layers; i++) {
        total += d.attn_params + d.norm_params;
        if (aif_layer_is_moe(m, i))
            total += d.router_params + d.shared_params + d.expert_params * (active ? m->moe.top_k : m->moe.experts);
        else
            total += d.mlp_params;
    }
    return total;
}

/* Every built-in model, also with fewer and more layers and other dense prefixes:
 * the product form is bit for bit the sum over layers. */
static void test_params_closed_form(void **state)
{
    (void)state;
    for (int i = 0; i < aif_catalog_n_models(cat); i++) {
        aif_model m = *aif_catalog_model(cat, i);
        static const int layers[] = {1, 2, 3, 61, 126, 1000, 4096};
        for (size_t k = 0; k < sizeof layers / sizeof layers[0]; k++) {
            m.layers = layers[k];
            for (int dense = 0; dense <= 3; dense++) {
                if (m.moe.experts)
                    m.moe.dense_layers = dense < m.layers ? dense : m.layers;
                if (aif_model_params(&m) != params_loop(&m, 0) || aif_model_active_params(&m) != params_loop(&m, 1))
                    fail_msg("%s with %d layers: %.17g / %.17g, want %.17g / %.17g", m.name, m.layers,
                             aif_model_params(&m), aif_model_active_params(&m), params_loop(&m, 0),
                             params_loop(&m, 1));
            }
        }
    }
}

/* A sweep that passes no error record learns the verdict alone (no message is formatted). */
static void test_estimate_without_err(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 128}\nmodel: llama3-405b\n"
             "train: {tp: 8, pp: 16, gbs: 16, seq: 8192}\n");
    aif_train_result r, r2;
    aif_err e;
    assert_int_equal(aif_estimate(&s, &r, NULL), AIF_OK);
    assert_int_equal(aif_estimate(&s, &r2, &e), AIF_OK);
    assert_true(r.step_time_s == r2.step_time_s);
    s.train.par.tp = 3;   /* does not divide the heads */
    assert_int_equal(aif_estimate(&s, &r, NULL), AIF_EINPUT);
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.tp");
}

/* The lowered graph's forward FLOPs, summed over tp ranks and pipeline stages, equal
 * the closed-form model count (attention at its unmasked size). */
static double seg_flops(const aif_graph *g, aif_seg seg)
{
    double f = 0;
    for (int i = g->seg[seg].first; i < g->seg[seg].first + g->seg[seg].n; i++) {
        const aif_op *o = &g->ops[i];
        if (o->kind == AIF_OP_GEMM)
            f += o->flops;
        else if (o->kind == AIF_OP_ATTN_FWD)
            f += 2 * o->flops;    /* undo the causal half */
    }
    return f;
}

static void graph_matches_formula(const char *yaml)
{
    aif_scenario s;
    aif_graph g;
    lower_yaml(&s, &g, yaml);
    double t = s.train.par.tp, total = 0;
    for (int r = 0; r < g.pp; r++) {
        aif_stage st;
        aif_graph_stage(&g, r, &st);
        total += st.dense_layers * seg_flops(&g, AIF_SEG_DENSE_FWD) + st.moe_layers * seg_flops(&g, AIF_SEG_MOE_FWD) +
                 st.head * seg_flops(&g, AIF_SEG_HEAD_FWD);
    }
    /* replicated ops (the router under sequence parallelism runs on 1/t of the tokens) are exact too */
    CLOSE(total * t * s.train.par.cp, aif_model_fwd_flops_per_seq(&s.model, s.train.seq) * s.train.mbs, 1e-9);
    aif_graph_free(&g);
}

static void test_graph_flops(void **state)
{
    (void)state;
    graph_matches_formula("cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\n"
                          "train: {tp: 8, pp: 4, gbs: 16, mbs: 2, seq: 4096}\n");
    graph_matches_formula("cluster: {system: dgx-a100-80g, gpus: 64}\nmodel: gpt3-175b\n"
                          "train: {tp: 8, pp: 8, vpp: 3, gbs: 16, seq: 2048, attention: unfused}\n");
    graph_matches_formula("cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\n"
                          "train: {tp: 2, pp: 4, ep: 8, gbs: 16, seq: 4096}\n");
    graph_matches_formula("cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n"
                          "train: {tp: 2, cp: 4, gbs: 16, seq: 8192}\n");
}

static void test_breakdown_adds_up(void **state)
{
    (void)state;
    static const char *const ys[] = {
        "cluster: {system: dgx-h100, gpus: 16384}\nmodel: llama3-405b\ntrain: {tp: 8, pp: 16, vpp: 2, gbs: 2048, seq: 8192}\n",
        "cluster: {system: dgx-h100, gpus: 256}\nmodel: deepseek-v3\ntrain: {tp: 1, pp: 8, ep: 32, gbs: 1024, seq: 4096, precision: fp8}\n",
        "cluster: {system: dgx-a100-40g, gpus: 128}\nmodel: mpt-7b\ntrain: {optimizer: fsdp, mbs: 4, gbs: 512, seq: 2048, recompute: full}\n",
    };
    for (size_t i = 0; i < sizeof ys / sizeof *ys; i++) {
        aif_scenario s;
        load(&s, ys[i]);
        aif_train_result r;
        aif_err e;
        assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
        const aif_breakdown *b = &r.bd;
        double sum = b->compute_s + b->tp_comm_s + b->cp_comm_s + b->ep_comm_s + b->pp_comm_s + b->pp_bubble_s +
                     b->dp_comm_s + b->optimizer_s;
        CLOSE(sum, r.step_time_s, 1e-9);
        CLOSE(r.tokens_per_s_per_gpu * s.cluster.gpus * r.step_time_s, (double)s.train.gbs * s.train.seq, 1e-9);
        CLOSE(r.mfu, r.model_flops_per_step / r.step_time_s / s.cluster.gpus / s.cluster.gpu.peak_flops[s.train.precision], 1e-9);
        assert_true(r.hfu >= r.mfu);
        assert_true(r.mfu > 0.05 && r.mfu < 1);
    }
}

/* The expert all-to-all overlapped with compute (ep_overlap) is expert communication in
 * the breakdown, whatever of it stays exposed: it once went to the DP line. */
static void test_ep_overlap_booked_as_expert(void **state)
{
    (void)state;
    aif_train_result r[4];   /* estimate off, on; simulator off, on */
    for (int k = 0; k < 4; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\n"
                 "train: {tp: 1, pp: 1, ep: 8, gbs: 64, seq: 4096, ep_overlap: %s}\n", k % 2 ? "true" : "false");
        aif_scenario s;
        load(&s, y);
        aif_err e;
        aif_sim_stats st;
        aif_sim_opts o = {0};
        assert_int_equal(k < 2 ? aif_estimate(&s, &r[k], &e) : aif_simulate(&s, &o, &r[k], &st, &e), AIF_OK);
    }
    for (int k = 0; k < 4; k += 2) {
        assert_true(r[k].bd.ep_comm_s > 0);
        assert_true(r[k + 1].bd.ep_comm_s > 0);
        /* the switch hides expert traffic; it adds nothing to DP's but what the shorter
         * backward window exposes of the gradient reduction: at most the expert time it hid */
        assert_true(r[k + 1].bd.dp_comm_s <= r[k].bd.dp_comm_s + (r[k].bd.ep_comm_s - r[k + 1].bd.ep_comm_s) + 1e-9);
    }
}

/* FSDP (zero3, fsdp) with pipeline parallelism runs as Llama 3 and torchtitan run it:
 * parameters kept after the forward pass, gradients reduce-scattered per microbatch,
 * optimizer sharded: zero2's memory and time, said in a note; zero2 reduces each
 * microbatch's gradients in its backward pass, so it moves more bytes than zero1
 * (reduced once a step) and needs less gradient memory. */
static void test_fsdp_with_pipelining(void **state)
{
    (void)state;
    const char *opts[] = {"zero1", "zero2", "zero3", "fsdp"};
    aif_train_result r[4];
    for (int k = 0; k < 4; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n"
                 "train: {tp: 2, pp: 4, gbs: 256, seq: 4096, optimizer: %s}\n", opts[k]);
        aif_scenario s;
        load(&s, y);
        if (k >= 2) {
            assert_int_equal(s.n_notes, 1);
            assert_string_equal(s.notes[0].field, "train.optimizer");
            assert_non_null(strstr(s.notes[0].used, "zero2"));
        }
        aif_err e;
        assert_int_equal(aif_estimate(&s, &r[k], &e), AIF_OK);
    }
    for (int k = 2; k < 4; k++) {
        CLOSE(r[k].step_time_s, r[1].step_time_s, 1e-12);
        CLOSE(r[k].mem.total_bytes, r[1].mem.total_bytes, 1e-12);
    }
    assert_true(r[1].mem.grads_bytes < r[0].mem.grads_bytes / 2);
    assert_true(r[1].step_time_s >= r[0].step_time_s);   /* the same compute, more gradient traffic */
    /* a stack whose pipeline accumulates unsharded fp32 gradients over the microbatches
     * (torchtitan on PyTorch's pipeline stages, pp_grad_accum_bytes 4): zero1's unsharded
     * bf16 gradients twice over, the rest as zero2's; zero2 itself is left as it is */
    const char *tt[] = {"fsdp", "zero2"};
    for (int k = 0; k < 2; k++) {
        char y[512];
        snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n"
                 "train: {tp: 2, pp: 4, gbs: 256, seq: 4096, optimizer: %s, framework: torchtitan}\n", tt[k]);
        aif_scenario s;
        load(&s, y);
        assert_true(s.framework.pp_grad_accum_bytes == 4);
        aif_train_result rt;
        aif_err e;
        assert_int_equal(aif_estimate(&s, &rt, &e), AIF_OK);
        CLOSE(rt.mem.grads_bytes, k == 0 ? 2 * r[0].mem.grads_bytes : r[1].mem.grads_bytes, 1e-12);
        CLOSE(rt.mem.optimizer_bytes, r[1].mem.optimizer_bytes, 1e-12);
    }
}

/* LoRA: the frozen weights get no weight gradient (only the attention core's and the
 * adapters' "wgrad" GEMMs remain), gradients and optimizer state are the adapters'
 * (their count by hand: rank x (in + out) per layer), a step counts 2x the forward as
 * model FLOPs, it is faster than training every weight, and a sharded optimizer is
 * refused. */
static void test_lora(void **state)
{
    (void)state;
    const char *base = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                       "train: {tp: 2, gbs: 32, seq: 4096%s}\n";
    char y[512];
    aif_scenario s, full;
    snprintf(y, sizeof y, base, ", lora: {rank: 16, targets: all}");
    load(&s, y);
    snprintf(y, sizeof y, base, "");
    load(&full, y);
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    int adapters = 0;
    for (int i = 0; i < g.n_ops; i++) {
        const char *n = g.ops[i].name;
        if (strstr(n, "wgrad") && strncmp(n, "attn.", 5) && strncmp(n, "lora.", 5))
            fail_msg("a frozen weight's gradient: %s", n);
        adapters += !strcmp(n, "lora.up.wgrad");
    }
    assert_true(adapters > 0);
    aif_graph_free(&g);
    aif_train_result r, rf;
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    assert_int_equal(aif_estimate(&full, &rf, &e), AIF_OK);
    /* by hand: llama3-8b, tp 2: in = h + a d / 2 + h + ffn / 2, out = (a d + 2 g d) / 2 + h + 2 ffn / 2 + h */
    double h = 4096, ad = 32 * 128, kv = 2 * 8 * 128, f = 14336, t = 2;
    double in = h + ad / t + h + f / t, out = (ad + kv) / t + h + 2 * f / t + h;
    double params = 32 * 16 * (in + out);
    CLOSE(r.mem.grads_bytes, 4 * params, 1e-12);   /* distributed optimizer: fp32 gradients */
    CLOSE(r.mem.optimizer_bytes, 12 * params / 4, 1e-12);   /* sharded over dp 4 */
    CLOSE(r.model_flops_per_step, 2.0 / 3.0 * rf.model_flops_per_step, 1e-12);
    assert_true(r.step_time_s < rf.step_time_s);
    assert_true(r.mem.total_bytes < rf.mem.total_bytes);
    snprintf(y, sizeof y, base, ", optimizer: zero3, lora: {rank: 16}");
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.lora");
}

/* LoRA's frozen GEMMs keep no input for a weight gradient they do not compute: with the
 * MLP frozen (targets qkv or attention) a layer keeps neither fc1's input (the norm
 * output, h per token) nor fc2's (ffn / tp per token), in bf16; with the MLP adapted
 * (all) its activations are full training's.  Targets qkv adapt the fused projection
 * alone: rank x (h + (q + k + v) / tp) parameters per layer, by hand.  The frozen
 * embedding gets no gradient: no embed.grad op, no gather of its gradient.  In fp8 the
 * casts write no transposed copy for a weight gradient: 3 bytes per element (read 2,
 * write 1) where full training's write 2, so 3/4 of full training's cast traffic. */
static void test_lora_frozen(void **state)
{
    (void)state;
    const char *base = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                       "train: {tp: 2, sp: true, mbs: 1, gbs: 32, seq: 4096%s}\n";
    char y[512];
    aif_scenario s;
    aif_train_result full, qkv, attn, all;
    aif_err e;
    snprintf(y, sizeof y, base, "");
    load(&s, y);
    assert_int_equal(aif_estimate(&s, &full, &e), AIF_OK);
    snprintf(y, sizeof y, base, ", lora: {rank: 16, targets: qkv}");
    load(&s, y);
    assert_int_equal(aif_estimate(&s, &qkv, &e), AIF_OK);
    snprintf(y, sizeof y, base, ", lora: {rank: 16, targets: attention}");
    load(&s, y);
    assert_int_equal(aif_estimate(&s, &attn, &e), AIF_OK);
    snprintf(y, sizeof y, base, ", lora: {rank: 16, targets: all}");
    load(&s, y);
    assert_int_equal(aif_estimate(&s, &all, &e), AIF_OK);
    aif_graph g;
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    for (int i = 0; i < g.n_ops; i++)
        if (strstr(g.ops[i].name, "embed.grad"))
            fail_msg("the frozen embedding's gradient: %s", g.ops[i].name);
    aif_graph_free(&g);
    /* casts of operands not gathered (read 2, write 1 + 1 -> 1), and of operands gathered
     * quantized over tp 2 (the shard's rows read 2, write 1; then the gathered copy's
     * transpose, read 1, write 1, which LoRA does not make: 1.5 / 3.5) */
    double cast[2][2] = {{0, 0}, {0, 0}};
    for (int k = 0; k < 2; k++) {
        snprintf(y, sizeof y, base, k ? ", precision: fp8, lora: {rank: 16, targets: qkv}" : ", precision: fp8");
        load(&s, y);
        assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
        for (int i = 0; i < g.n_ops; i++)
            if (!strcmp(g.ops[i].name, "fp8.cast")) {
                const char *nx = g.ops[i + 1].name, *pv = i > 0 ? g.ops[i - 1].name : "";
                int gathered = !strcmp(nx, "tp.ag.qkv") || !strcmp(nx, "tp.ag.fc1") || !strcmp(nx, "tp.ag.out.grad") ||
                               !strcmp(nx, "tp.ag.fc2.grad") || !strcmp(pv, "tp.ag.qkv") || !strcmp(pv, "tp.ag.fc1") ||
                               !strcmp(pv, "tp.ag.out.grad") || !strcmp(pv, "tp.ag.fc2.grad");
                cast[gathered][k] += g.ops[i].bytes;
            }
        aif_graph_free(&g);
    }
    assert_true(cast[0][0] > 0 && cast[1][0] > 0);
    CLOSE(cast[0][1], 0.75 * cast[0][0], 1e-12);
    CLOSE(cast[1][1], 1.5 / 3.5 * cast[1][0], 1e-12);
    double h = 4096, f = 14336, t = 2, T = 4096, layers = 32;
    double frozen = layers * (2 * T / t * h + 2 * T * f / t);   /* pp 1: one microbatch in flight */
    CLOSE(full.mem.activations_bytes - qkv.mem.activations_bytes, frozen, 1e-12);
    CLOSE(attn.mem.activations_bytes, qkv.mem.activations_bytes, 1e-12);
    CLOSE(all.mem.activations_bytes, full.mem.activations_bytes, 1e-12);
    double ad = 32 * 128, kv = 2 * 8 * 128;
    CLOSE(qkv.mem.grads_bytes, 4 * layers * 16 * (h + (ad + kv) / t), 1e-12);
    assert_true(qkv.step_time_s < attn.step_time_s && attn.step_time_s < all.step_time_s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flops_match_megatron), cmocka_unit_test(test_gemm_roofline),
        cmocka_unit_test(test_thin_gemms_against_kernel_tables),
        cmocka_unit_test(test_attention_against_kernel_table),
        cmocka_unit_test(test_fp8_attention_against_kernel_table), cmocka_unit_test(test_splash_attention_against_kernel_table),
        cmocka_unit_test(test_gemm_against_h200_table), cmocka_unit_test(test_gemm_against_settled_table), cmocka_unit_test(test_attention_against_h200_torch), cmocka_unit_test(test_attention_rate_by_head_dim),
        cmocka_unit_test(test_quantized_saved_inputs), cmocka_unit_test(test_norms_against_kernel_table), cmocka_unit_test(test_tpu7x_against_kernel_table),
        cmocka_unit_test(test_grouped_gemm_against_kernel_table),
        cmocka_unit_test(test_collectives), cmocka_unit_test(test_activation_memory), cmocka_unit_test(test_step_weight_work), cmocka_unit_test(test_step_weight_work_moe), cmocka_unit_test(test_dp_bucket), cmocka_unit_test(test_cp_comm), cmocka_unit_test(test_cp_comm_bytes_and_refusals), cmocka_unit_test(test_op_sac_memory), cmocka_unit_test(test_selective_transient),
        cmocka_unit_test(test_pipeline_layout), cmocka_unit_test(test_chunk_layers_closed_form),
        cmocka_unit_test(test_stage_classes_tile_ranks), cmocka_unit_test(test_stage_classes_estimate),
        cmocka_unit_test(test_params_closed_form), cmocka_unit_test(test_estimate_without_err), cmocka_unit_test(test_graph_flops),
        cmocka_unit_test(test_breakdown_adds_up), cmocka_unit_test(test_ep_overlap_booked_as_expert),
        cmocka_unit_test(test_fsdp_with_pipelining), cmocka_unit_test(test_serving_moe_against_kernel_table),
        cmocka_unit_test(test_serving_allreduce_against_kernel_table),
        cmocka_unit_test(test_lora), cmocka_unit_test(test_lora_frozen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
