/* test_graph.c -- the step graph as a general IR: the arena under it, the op
 * builder (tables that grow without a cap, segments that tile the ops, misuse
 * reported), a decode-like serving segment built by hand and timed by the
 * analytical engine against the roofline worked out here, and the per-op
 * timing table behind `aifsim train --ops`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/graph.h"
#include "base/arena.h"
#include "hand_roofline.h"

#include <math.h>
#include <stdalign.h>
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

/* Allocations are aligned, disjoint and keep their contents while the arena grows. */
static void test_arena(void **state)
{
    (void)state;
    aif_arena *a = NULL;
    long *p[200];
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(1 + i * 37 % 5000);   /* up to ~40 KB: several blocks, some oversize */
        p[i] = aif_arena_alloc(&a, n * sizeof(long));
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % alignof(max_align_t), 0);
        for (size_t k = 0; k < n; k++)
            p[i][k] = i;
    }
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(1 + i * 37 % 5000);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(p[i][k], i);
    }
    aif_arena_free(&a);
    assert_null(a);
    aif_arena_free(&a);   /* an empty arena frees to itself */
}

/* An arena that starts in the caller's buffer: the first allocations come from it,
 * the rest from the heap with their contents kept, and freeing leaves the buffer
 * (on the stack here: freeing it would be an error the sanitizer build reports). */
static void test_arena_buffer(void **state)
{
    (void)state;
    alignas(max_align_t) unsigned char buf[4096];
    aif_arena *a;
    aif_arena_init_buffer(&a, buf, sizeof buf);
    assert_non_null(a);
    char *first = aif_arena_alloc(&a, 1000);
    assert_true(first >= (char *)buf && first + 1000 <= (char *)buf + sizeof buf);
    memset(first, 7, 1000);
    char *big = aif_arena_alloc(&a, 8000);   /* does not fit: a heap block */
    assert_non_null(big);
    assert_true(big + 8000 <= (char *)buf || big >= (char *)buf + sizeof buf);
    memset(big, 9, 8000);
    assert_int_equal(first[999], 7);
    assert_int_equal(big[7999], 9);
    aif_arena_free(&a);
    assert_null(a);
    aif_arena_init_buffer(&a, buf, 8);   /* too small for a block: an ordinary arena */
    assert_null(a);
    /* a graph lowered into a buffer gives the graph lowered on the heap */
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 128}\nmodel: llama3-405b\n"
             "train: {tp: 8, pp: 16, gbs: 16, seq: 8192}\n");
    alignas(max_align_t) static unsigned char gbuf[AIF_GRAPH_BUF_BYTES];
    aif_graph g1, g2;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &g1, &e), AIF_OK);
    assert_int_equal(aif_graph_lower_in(&s, &g2, gbuf, sizeof gbuf, &e), AIF_OK);
    assert_true((unsigned char *)g2.ops >= gbuf && (unsigned char *)(g2.ops + g2.n_ops) <= gbuf + sizeof gbuf);
    assert_int_equal(g1.n_ops, g2.n_ops);
    assert_int_equal(g1.n_seg, g2.n_seg);
    assert_memory_equal(g1.ops, g2.ops, (size_t)g1.n_ops * sizeof *g1.ops);
    aif_graph_free(&g1);
    aif_graph_free(&g2);
}

/* The builder grows past any old fixed cap, and segments tile the ops in order. */
static void test_builder_grows(void **state)
{
    (void)state;
    aif_graph g;
    aif_graph_init(&g);
    aif_err e;
    enum { SEGS = 40, PER = 50 };   /* 2,000 ops */
    for (int sg = 0; sg < SEGS; sg++) {
        assert_int_equal(aif_graph_seg_begin(&g, 1000 + sg, "layer"), sg);
        for (int i = 0; i < PER; i++) {
            aif_op *o = aif_graph_add_mem(&g, "m", AIF_CAT_COMPUTE, sg * PER + i, 1);
            assert_non_null(o);
        }
        aif_graph_seg_end(&g);
    }
    assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
    assert_int_equal(g.n_ops, SEGS * PER);
    assert_int_equal(g.n_seg, SEGS);
    int next = 0;
    for (int sg = 0; sg < SEGS; sg++) {
        assert_int_equal(g.seg[sg].first, next);
        assert_int_equal(g.seg[sg].n, PER);
        assert_int_equal(g.seg[sg].kind, 1000 + sg);
        next += g.seg[sg].n;
    }
    for (int i = 0; i < g.n_ops; i++)   /* nothing lost when the table moved */
        assert_true(g.ops[i].bytes == i && g.ops[i].kind == AIF_OP_MEM && g.ops[i].n_kernels == 1);
    aif_graph_free(&g);
    assert_null(g.ops);
    assert_int_equal(g.n_ops, 0);

    /* misuse is recorded and reported once, at the end */
    aif_graph_init(&g);
    assert_null(aif_graph_add_mem(&g, "orphan", AIF_CAT_COMPUTE, 1, 1));
    assert_int_equal(aif_graph_seg_begin(&g, 0, "late"), -1);
    assert_int_equal(aif_graph_finish(&g, &e), AIF_EINTERNAL);
    aif_graph_free(&g);
    aif_graph_init(&g);
    assert_int_equal(aif_graph_seg_begin(&g, 0, "open"), 0);
    assert_int_equal(aif_graph_finish(&g, &e), AIF_EINTERNAL);   /* left open */
    aif_graph_seg_end(&g);
    assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
    assert_int_equal(aif_graph_seg_begin(&g, 0, "a"), 1);
    assert_int_equal(aif_graph_seg_begin(&g, 0, "b"), -1);        /* opened twice */
    assert_int_equal(aif_graph_finish(&g, &e), AIF_EINTERNAL);
    aif_graph_free(&g);
}

/* One decode iteration of a Llama-3-70B-like layer on 8-way tensor parallelism:
 * 64 sequences each add one token against 4,096 cached keys.  Nothing in it is
 * training: the segment has its own kind and name, and the engine times it by
 * the same two-stream rules.  Decode attention is memory-bound (it reads the
 * whole KV cache for one query per sequence), which the test checks. */
static void test_decode_segment(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\ntrain: {tp: 8, gbs: 8, seq: 4096}\n");
    assert_true(s.cluster.clock_factor == 0 || s.cluster.clock_factor == 1);
    const aif_gpu *gpu = &s.cluster.gpu;
    const aif_calib *c = &gpu->calib;
    enum { DECODE = 7 };   /* a serving lowering's own segment kind */
    double b = 64, h = 8192, heads = 64 / 8, kvh = 1, hd = 128, ffn = 28672 / 8, kv_len = 4096;

    aif_graph g;
    aif_graph_init(&g);
    g.groups[AIF_GRP_TP] = (aif_group_shape){8, 8};
    assert_int_equal(aif_graph_seg_begin(&g, DECODE, "decode iteration"), 0);
    aif_graph_add_mem(&g, "norm", AIF_CAT_COMPUTE, b * h * 2 * 2, 1);
    aif_graph_add_gemm(&g, "qkv", AIF_CAT_COMPUTE, b, (heads + 2 * kvh) * hd, h, 1, 0);
    double attn_flops = 2 * b * heads * 1 * kv_len * (hd + hd);       /* one query per sequence */
    double kv_bytes = b * kv_len * kvh * hd * 2 * 2;                 /* read K and V, bf16 */
    aif_graph_add_attn(&g, "attn.decode", AIF_CAT_COMPUTE, 0, attn_flops, 2 * kv_len, hd, kv_bytes, 0);   /* curve length */
    aif_graph_add_gemm(&g, "out", AIF_CAT_COMPUTE, b, h, heads * hd, 1, 0);
    double ar_bytes = b * h * 2;
    aif_graph_add_comm(&g, "tp.allreduce", AIF_CAT_TP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_NONE);
    aif_graph_add_gemm(&g, "fc1", AIF_CAT_COMPUTE, b, 2 * ffn, h, 1, 0);
    aif_graph_add_mem(&g, "act", AIF_CAT_COMPUTE, b * ffn * 2 * 3, 1);
    /* the MLP's all-reduce chunked with fc2, as a tensor-parallel serving engine may run it */
    aif_graph_add_comm(&g, "tp.allreduce.fc2", AIF_CAT_TP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_NEXT);
    aif_graph_add_gemm(&g, "fc2", AIF_CAT_COMPUTE, b, h, ffn, 1, 0);
    aif_graph_seg_end(&g);
    aif_err e;
    assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
    assert_int_equal(g.seg[0].kind, DECODE);
    assert_string_equal(g.seg[0].name, "decode iteration");
    assert_int_equal(g.pp, 0);   /* no training fields needed */

    int mb_qkv, mb_out, mb_fc1, mb_fc2;
    double t_norm = hand_mem(gpu, b * h * 2 * 2), t_act = hand_mem(gpu, b * ffn * 2 * 3);
    double t_qkv = hand_gemm(gpu, b, (heads + 2 * kvh) * hd, h, &mb_qkv);
    double t_out = hand_gemm(gpu, b, h, heads * hd, &mb_out);
    double t_fc1 = hand_gemm(gpu, b, 2 * ffn, h, &mb_fc1);
    double t_fc2 = hand_gemm(gpu, b, h, ffn, &mb_fc2);
    /* both sides of the roofline are exercised: 64 tokens fill few output tiles; split in K
     * (the partial sums added to their bytes), some of these GEMMs are bound by their bytes
     * and some by their compute */
    int n_mem_bound = mb_qkv + mb_out + mb_fc1 + mb_fc2;
    assert_true(n_mem_bound > 0 && n_mem_bound < 4);
    double h_d = (hd / (hd + c->attn_hd_half)) / (128.0 / (128.0 + c->attn_hd_half));
    double attn_c = attn_flops / (gpu->peak_flops[AIF_BF16] * c->attn_fwd_eff * kv_len / (kv_len + c->attn_kv_half) * h_d);
    double attn_m = kv_bytes / (gpu->hbm_bw_Bps * c->mem_eff);
    assert_true(attn_m > attn_c);
    double t_attn = attn_m + c->kernel_overhead_s;
    /* the collectives' closed form is tested in test_equations.c; here it is an input */
    double t_ar = aif_collective_time_s(&s.cluster, AIF_COLL_ALLREDUCE, 8, ar_bytes, AIF_ALGO_AUTO, NULL);
    assert_true(t_ar > 0);

    /* each op alone */
    const double want_op[] = {t_norm, t_qkv, t_attn, t_out, t_ar, t_fc1, t_act, t_ar, t_fc2};
    assert_int_equal(g.n_ops, 9);
    for (int i = 0; i < g.n_ops; i++)
        CLOSE(aif_op_time_s(&s, &g, &g.ops[i]), want_op[i], 1e-12);

    /* the segment: compute back to back, the blocking all-reduce added, the
     * overlapped one beside fc2, which it slows by sigma (data/calibration.yaml):
     * max(t_fc2 + sigma min(t_ar, t_fc2), t_ar) */
    double sigma = c->overlap_slowdown;
    double compute = t_norm + t_qkv + t_attn + t_out + t_fc1 + t_act + t_fc2;
    double beside = fmax(t_fc2 + sigma * fmin(t_ar, t_fc2), t_ar);
    aif_seg_time st;
    aif_segment_time(&s, &g, 0, &st);
    CLOSE(st.total_s, compute - t_fc2 + t_ar + beside, 1e-12);
    CLOSE(st.cat_s[AIF_CAT_COMPUTE], compute, 1e-12);
    CLOSE(st.cat_s[AIF_CAT_TP], t_ar + beside - t_fc2, 1e-12);
    CLOSE(st.membound_s, t_norm + t_act, 1e-12);
    aif_graph_free(&g);
}

/* A collective on the segment's background stream (AIF_OVL_SEGMENT) slows the compute
 * only while it is in flight: issued after a first kernel (a), it runs beside the
 * kernels after it, and the slowdown is sigma times that overlap, not sigma times the
 * time from the segment's start to its end (the estimate's rule until it was found to
 * over-charge a late dispatch); a second collective queued behind the first on the
 * stream starts when the first ends, and what the stream outlasts of the compute is
 * added whole. */
static void test_segment_stream_window(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\ntrain: {tp: 8, gbs: 8, seq: 4096}\n");
    const aif_gpu *gpu = &s.cluster.gpu;
    double sigma = gpu->calib.overlap_slowdown, ar_bytes = 64e6;
    double t_ar = aif_collective_time_s(&s.cluster, AIF_COLL_ALLREDUCE, 8, ar_bytes, AIF_ALGO_AUTO, NULL);
    double a_bytes = 4 * t_ar * gpu->hbm_bw_Bps * gpu->calib.mem_eff;   /* a: about 4 all-reduces long */
    double t_a = hand_mem(gpu, a_bytes);
    for (int two = 0; two < 2; two++) {
        double b_bytes = (two ? 1.5 : 3) * t_ar * gpu->hbm_bw_Bps * gpu->calib.mem_eff;
        double t_b = hand_mem(gpu, b_bytes);
        aif_graph g;
        aif_graph_init(&g);
        g.groups[AIF_GRP_TP] = (aif_group_shape){8, 8};
        assert_int_equal(aif_graph_seg_begin(&g, 7, "late collective"), 0);
        aif_graph_add_mem(&g, "a", AIF_CAT_COMPUTE, a_bytes, 1);
        aif_graph_add_comm(&g, "ep.a2a", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
        if (two)
            aif_graph_add_comm(&g, "ep.a2a.2", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
        aif_graph_add_mem(&g, "b", AIF_CAT_COMPUTE, b_bytes, 1);
        aif_graph_seg_end(&g);
        aif_err e;
        assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
        CLOSE(aif_op_time_s(&s, &g, &g.ops[1]), t_ar, 1e-12);
        aif_seg_time st;
        aif_segment_time(&s, &g, 0, &st);
        double want;
        if (!two) {   /* [t_a, t_a + t_ar) lies within the compute [0, t_a + t_b): overlap t_ar */
            assert_true(t_b > t_ar);
            want = t_a + t_b + sigma * t_ar;
        } else {      /* [t_a, t_a + 2 t_ar): t_b of it beside the compute, and the stream outlasts it */
            assert_true(t_b < 2 * t_ar && t_b + sigma * t_b < 2 * t_ar);
            want = t_a + 2 * t_ar;
        }
        CLOSE(st.total_s, want, 1e-12);
        CLOSE(st.cat_s[AIF_CAT_COMPUTE], t_a + t_b, 1e-12);
        CLOSE(st.cat_s[AIF_CAT_EP], want - t_a - t_b, 1e-12);   /* the slowdown booked to the traffic */
        if (!two)   /* the old rule's charge, sigma (t_a + t_ar), is far from it */
            assert_true(fabs(st.total_s - (t_a + t_b + sigma * (t_a + t_ar))) > 0.5 * sigma * t_a);
        aif_graph_free(&g);
    }
}

/* The stream's busy time is clipped at the compute's end (two collectives queued, compute
 * ending inside the second, the slowdown large enough to decide the total), and a
 * collective that ended before the next was issued counts whole. */
static void test_segment_stream_clip_retire(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\ntrain: {tp: 8, gbs: 8, seq: 4096}\n");
    const aif_gpu *gpu = &s.cluster.gpu;
    double sigma = gpu->calib.overlap_slowdown, ar_bytes = 64e6;
    double t_ar = aif_collective_time_s(&s.cluster, AIF_COLL_ALLREDUCE, 8, ar_bytes, AIF_ALGO_AUTO, NULL);
    double bw = gpu->hbm_bw_Bps * gpu->calib.mem_eff;
    for (int c = 0; c < 2; c++) {
        aif_graph g;
        aif_graph_init(&g);
        g.groups[AIF_GRP_TP] = (aif_group_shape){8, 8};
        assert_int_equal(aif_graph_seg_begin(&g, 7, "x"), 0);
        double want;
        if (c == 0) {   /* two queued, compute ends 1.9 t_ar in: busy 1.9 t_ar, not 2 */
            double a = 4 * t_ar * bw, b = 1.9 * t_ar * bw;
            aif_graph_add_mem(&g, "a", AIF_CAT_COMPUTE, a, 1);
            aif_graph_add_comm(&g, "c1", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
            aif_graph_add_comm(&g, "c2", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
            aif_graph_add_mem(&g, "b", AIF_CAT_COMPUTE, b, 1);
            double ta = hand_mem(gpu, a), tb = hand_mem(gpu, b);
            want = fmax(ta + tb + sigma * tb, ta + 2 * t_ar);
        } else {        /* c1 ends before c2 is issued (retired whole), c2 whole */
            double a = 2 * t_ar * bw, b = 3 * t_ar * bw, cc = 2 * t_ar * bw;
            aif_graph_add_mem(&g, "a", AIF_CAT_COMPUTE, a, 1);
            aif_graph_add_comm(&g, "c1", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
            aif_graph_add_mem(&g, "b", AIF_CAT_COMPUTE, b, 1);
            aif_graph_add_comm(&g, "c2", AIF_CAT_EP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, ar_bytes, AIF_OVL_SEGMENT);
            aif_graph_add_mem(&g, "c", AIF_CAT_COMPUTE, cc, 1);
            double ta = hand_mem(gpu, a), tb = hand_mem(gpu, b), tc = hand_mem(gpu, cc);
            double tcomp = ta + tb + tc, busy = 2 * t_ar;
            want = fmax(tcomp + sigma * busy, ta + tb + t_ar);
        }
        aif_graph_seg_end(&g);
        aif_err e;
        assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
        aif_seg_time st;
        aif_segment_time(&s, &g, 0, &st);
        CLOSE(st.total_s, want, 1e-12);
        aif_graph_free(&g);
    }
}

/* The timing table behind `aifsim train --ops`: the training graph's segments
 * in aif_seg order, every op and segment timed as the engine times them. */
static void test_timing_table(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 256}\nmodel: mixtral-8x7b\n"
             "train: {tp: 2, pp: 4, ep: 8, gbs: 64, seq: 4096}\n");
    aif_graph_timing t;
    aif_err e;
    assert_int_equal(aif_graph_timing_eval(&s, &t, &e), AIF_OK);
    const aif_graph *g = &t.graph;
    assert_int_equal(g->n_seg, AIF_N_SEG);
    int next = 0;
    for (int i = 0; i < g->n_seg; i++) {
        assert_int_equal(g->seg[i].kind, i);
        assert_non_null(g->seg[i].name);
        assert_int_equal(g->seg[i].first, next);
        next += g->seg[i].n;
        aif_seg_time st;
        aif_segment_time(&s, g, i, &st);
        assert_true(st.total_s == t.seg_t[i].total_s);
    }
    assert_int_equal(next, g->n_ops);
    assert_true(g->seg[AIF_SEG_MOE_FWD].n > 0 && g->seg[AIF_SEG_DENSE_FWD].n > 0);
    for (int i = 0; i < g->n_ops; i++)
        assert_true(t.op_s[i] == aif_op_time_s(&s, g, &g->ops[i]) && t.op_s[i] >= 0);
    aif_graph_timing_free(&t);

    /* a dense model keeps the (empty) MoE segments, so indices stay kinds */
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {gbs: 8, seq: 4096}\n");
    assert_int_equal(aif_graph_timing_eval(&s, &t, &e), AIF_OK);
    assert_int_equal(t.graph.n_seg, AIF_N_SEG);
    assert_int_equal(t.graph.seg[AIF_SEG_MOE_FWD].n, 0);
    assert_int_equal(t.graph.seg[AIF_SEG_MOE_BWD].n, 0);
    aif_graph_timing_free(&t);

    /* a layout the scenario check rejects: an error, and freeing is still safe */
    s.train.par.tp = 3;
    assert_int_equal(aif_graph_timing_eval(&s, &t, &e), AIF_EINPUT);
    aif_graph_timing_free(&t);
}

/* A graph lowered, freed and lowered again is the same graph (nothing leaks). */
static void test_relower(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\ntrain: {tp: 8, pp: 4, gbs: 16, seq: 4096}\n");
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    int n = g.n_ops;
    aif_graph_free(&g);
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    assert_int_equal(g.n_ops, n);
    assert_int_equal(g.n_seg, AIF_N_SEG);
    aif_graph_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena), cmocka_unit_test(test_arena_buffer), cmocka_unit_test(test_builder_grows), cmocka_unit_test(test_decode_segment),
        cmocka_unit_test(test_segment_stream_window), cmocka_unit_test(test_segment_stream_clip_retire),
        cmocka_unit_test(test_timing_table), cmocka_unit_test(test_relower),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
