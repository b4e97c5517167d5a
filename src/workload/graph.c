/* graph.c -- the step graph's life and its op builder (graph.h): lowerings
 * (training today, serving iterations next) describe their work through these
 * calls and never touch the tables directly.
 *
 * Invariants: ops and seg are arrays in g->arena of cap_ops and cap_seg items
 * that grow by doubling (the old copy stays in the arena until aif_graph_free);
 * every op belongs to exactly one segment, the one open when it was added, so
 * the segments tile ops[0 .. n_ops) in order; g->fault keeps the first failure
 * and the builder does nothing after it, so a lowering may check once, at
 * aif_graph_finish. */
#include "aifsim/graph.h"
#include "base/arena.h"
#include "base/base.h"

#include <string.h>

enum { FIRST_OPS = 256, FIRST_SEGS = 16 };

void aif_graph_init(aif_graph *g)
{
    memset(g, 0, sizeof *g);
}

void aif_graph_init_buffer(aif_graph *g, void *buf, size_t bytes)
{
    aif_graph_init(g);
    aif_arena_init_buffer(&g->arena, buf, bytes);
}

void aif_graph_free(aif_graph *g)
{
    aif_arena_free(&g->arena);
    aif_graph_init(g);
}

/* Makes room for one more item in *table (of *cap items of `item` bytes, *n used). */
static int grow(aif_graph *g, void **table, int *cap, int n, size_t item, int first_cap)
{
    if (n < *cap)
        return 0;
    int c = *cap ? 2 * *cap : first_cap;
    void *t = aif_arena_alloc(&g->arena, (size_t)c * item);
    if (!t)
        return -1;
    if (n)
        memcpy(t, *table, (size_t)n * item);
    *table = t;
    *cap = c;
    return 0;
}

/* aif_graph_seg_begin's rare path, out of line as append_slow below. */
static AIF_NOINLINE int seg_begin_slow(aif_graph *g, int kind, const char *name)
{
    if (g->fault)
        return -1;
    if (g->open) {
        g->fault = AIF_EINTERNAL;
        return -1;
    }
    void *t = g->seg;
    if (grow(g, &t, &g->cap_seg, g->n_seg, sizeof *g->seg, FIRST_SEGS)) {
        g->fault = AIF_ENOMEM;
        return -1;
    }
    g->seg = t;
    g->seg[g->n_seg] = (aif_segment){.first = g->n_ops, .n = 0, .kind = kind, .name = name};
    g->open = 1;
    return g->n_seg++;
}

int aif_graph_seg_begin(aif_graph *g, int kind, const char *name)
{
    if (g->n_seg >= g->cap_seg || g->open || g->fault)
        return seg_begin_slow(g, kind, name);
    g->seg[g->n_seg] = (aif_segment){.first = g->n_ops, .n = 0, .kind = kind, .name = name};
    g->open = 1;
    return g->n_seg++;
}

void aif_graph_seg_end(aif_graph *g)
{
    if (!g->open && !g->fault)
        g->fault = AIF_EINTERNAL;
    g->open = 0;
}

/* append's rare path, out of line: the first op, a full table, a fault or no open
 * segment. */
static AIF_NOINLINE aif_op *append_slow(aif_graph *g, const aif_op *op)
{
    if (g->fault)
        return NULL;
    if (!g->open) {
        g->fault = AIF_EINTERNAL;
        return NULL;
    }
    void *t = g->ops;
    if (grow(g, &t, &g->cap_ops, g->n_ops, sizeof *g->ops, FIRST_OPS)) {
        g->fault = AIF_ENOMEM;
        return NULL;
    }
    g->ops = t;
    aif_op *o = &g->ops[g->n_ops++];
    g->seg[g->n_seg - 1].n++;
    *o = *op;
    return o;
}

/* The one way ops enter the table: *op appended to the open segment.  Every op of
 * every estimate comes through here, so the common path is a few instructions and
 * the rest is out of line (inlined, the growth made each op save and restore six
 * registers: a fifth of the lowering in bench_estimate's profile). */
static aif_op *append(aif_graph *g, const aif_op *op)
{
    if (g->n_ops < g->cap_ops && g->open && !g->fault) {
        aif_op *o = &g->ops[g->n_ops++];
        g->seg[g->n_seg - 1].n++;
        *o = *op;
        return o;
    }
    return append_slow(g, op);
}

aif_op *aif_graph_add(aif_graph *g, const char *name, aif_op_kind kind, aif_cat cat)
{
    return append(g, &(aif_op){.name = name, .kind = (unsigned char)kind, .cat = (unsigned char)cat, .n_kernels = 1,
                               .batch = 1});
}

aif_op *aif_graph_add_gemm(aif_graph *g, const char *name, aif_cat cat, double m, double n, double k, double batch,
                           int fp8)
{
    /* fp4: 4-bit elements and NVFP4's one-byte scale per 16 (MXFP4's per 32 is a little less) */
    double in_bytes = fp8 >= AIF_GEMM_FP4 ? 0.5 + 1.0 / 16 : fp8 ? 1 : 2;
    return append(g, &(aif_op){.name = name, .kind = AIF_OP_GEMM, .cat = (unsigned char)cat,
                               .fp8 = (unsigned char)(fp8 < 0 ? 0 : fp8 > AIF_GEMM_FP4_BLOCK ? AIF_GEMM_FP4_BLOCK : fp8),
                               .n_kernels = 1, .flops = 2 * m * n * k * batch,
                               .bytes = ((m * k + k * n) * in_bytes + m * n * 2) * batch, .m = m, .n = n, .k = k,
                               .batch = batch});
}

aif_op *aif_graph_add_attn(aif_graph *g, const char *name, aif_cat cat, int bwd, double flops, double kv_len,
                           double head_dim, double bytes, int flags)
{
    /* fp8, for attention ops: its AIF_ATTN_OP_* flags */
    return append(g, &(aif_op){.name = name, .kind = (unsigned char)(bwd ? AIF_OP_ATTN_BWD : AIF_OP_ATTN_FWD),
                               .cat = (unsigned char)cat, .fp8 = (unsigned char)(flags & 3), .n_kernels = 1,
                               .flops = flops, .bytes = bytes, .n = head_dim, .k = kv_len, .batch = 1});
}

aif_op *aif_graph_add_mem(aif_graph *g, const char *name, aif_cat cat, double bytes, int n_kernels)
{
    return append(g, &(aif_op){.name = name, .kind = AIF_OP_MEM, .cat = (unsigned char)cat,
                               .n_kernels = (unsigned)(n_kernels > AIF_OP_MAX_KERNELS ? AIF_OP_MAX_KERNELS : n_kernels < 0 ? 0 : n_kernels), .bytes = bytes, .batch = 1});
}

aif_op *aif_graph_add_comm(aif_graph *g, const char *name, aif_cat cat, aif_coll coll, aif_group group,
                           double bytes, aif_ovl overlap)
{
    return append(g, &(aif_op){.name = name, .kind = AIF_OP_COMM, .cat = (unsigned char)cat,
                               .coll = (unsigned char)coll, .group = (unsigned char)group,
                               .overlap = (unsigned char)overlap, .n_kernels = 1, .bytes = bytes, .batch = 1});
}

aif_rc aif_graph_finish(const aif_graph *g, aif_err *err)
{
    if (g->fault == AIF_ENOMEM)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory building the step graph");
    if (g->fault || g->open)
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL,
                           "step graph built out of order: an op outside a segment, or a segment opened twice "
                           "or left open (a bug in aifsim)");
    return AIF_OK;
}
