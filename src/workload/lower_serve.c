/* lower_serve.c -- a serving iteration as a step graph, its fast evaluator and the
 * memory of one GPU of a replica (equations in lower_serve.h and docs/SERVING.md).
 *
 * Invariants: the reference lowering and the fast evaluator build their ops
 * through the same functions (lower_layer, lower_embed, lower_head, lower_send,
 * attn_op), so the two agree to rounding; every collective blocks, so a
 * segment's time is the sum of its ops' times. */
#include "workload/lower_serve.h"
#include "aifsim/names.h"
#include "base/base.h"
#include "hw/compute.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double prec_bytes(int p) { return p == AIF_FP4 ? 0.5 : p == AIF_FP8 ? 1 : 2; }

void aif_serve_shape_of(const aif_scenario *s, aif_serve_shape *sh)
{
    const aif_model *m = &s->model;
    const aif_serve *sv = &s->serve;
    memset(sh, 0, sizeof *sh);
    sh->tp = sv->tp;
    sh->pp = sv->pp;
    sh->ep = sv->ep;
    sh->etp = sv->tp / (sv->ep > 0 ? sv->ep : 1);
    sh->dp = sv->dp_attention ? sv->tp : 1;
    int atp = sv->dp_attention ? 1 : sv->tp;   /* the ranks one attention layer is split over */
    int dense = m->moe.experts ? m->moe.dense_layers : m->layers;
    sh->dense_layers = dense;
    sh->expert_slots = m->moe.experts ? m->moe.experts + sv->redundant_experts : 0;
    sh->moe_layers = m->layers - dense;
    for (int i = 0; i < m->layers; i++)
        sh->win_layers += aif_layer_windowed(m, i);
    int heads = m->heads, kvh = m->kv_heads > 0 ? m->kv_heads : m->heads;
    int hd = m->head_dim > 0 ? m->head_dim : m->hidden / m->heads;
    sh->heads = (double)heads / atp;
    double kvb = prec_bytes(sv->kv_precision < 0 ? sv->precision : sv->kv_precision);
    if (m->attention == AIF_ATTN_MLA && m->mla.kv_lora_rank > 0) {
        sh->qk_dim = m->mla.qk_nope_head_dim + m->mla.qk_rope_head_dim;
        sh->v_dim = m->mla.v_head_dim;
        sh->kv_heads = 1;
        sh->kv_bytes_token_layer = (m->mla.kv_lora_rank + m->mla.qk_rope_head_dim) * kvb;   /* on every tp rank */
    } else {
        sh->qk_dim = sh->v_dim = hd;
        sh->kv_heads = ceil((double)kvh / atp);
        sh->kv_bytes_token_layer = 2 * sh->kv_heads * hd * kvb;
    }
    sh->w_bytes = prec_bytes(aif_serve_weight_prec(sv));
    sh->a_bytes = prec_bytes(sv->precision);
    sh->gemm_prec = sv->precision == AIF_FP4 ? 2 : sv->precision == AIF_FP8 ? 1 : 0;
    int ep = aif_serve_expert_prec(sv);
    sh->e_w_bytes = prec_bytes(aif_serve_expert_weight_prec(sv));
    sh->e_a_bytes = prec_bytes(ep);
    sh->e_gemm_prec = ep == AIF_FP4 ? 2 : ep == AIF_FP8 ? 1 : 0;
}

static void set_groups(const aif_scenario *s, const aif_serve_shape *sh, aif_graph *g)
{
    int dom = s->cluster.scaleup_domain > 0 ? s->cluster.scaleup_domain : 1;
    g->groups[AIF_GRP_TP] = (aif_group_shape){sh->tp, sh->tp < dom ? sh->tp : dom};
    g->groups[AIF_GRP_EP] = (aif_group_shape){sh->ep, sh->ep < dom ? sh->ep : dom};
    /* pipeline stages are tp GPUs apart: in one domain when the replica fits in it */
    int pp_dom = sh->tp * sh->pp <= dom ? sh->pp : 1;
    g->groups[AIF_GRP_PP] = (aif_group_shape){sh->pp, pp_dom};
}

/* A GEMM of m x n x k (`batch` of them) at the replica's precisions (expert: the routed
 * experts'): its math's rate, its activations and weights read at their own widths. */
static aif_op *gemm_at(aif_graph *g, const char *name, double m, double n, double k, double batch, int prec,
                       double a_bytes, double w_bytes)
{
    aif_op *o = aif_graph_add_gemm(g, name, AIF_CAT_COMPUTE, m, n, k, batch, prec != 0);
    if (!o)
        return NULL;
    o->fp8 = (unsigned char)prec;
    o->bytes = (m * k * a_bytes + k * n * w_bytes + m * n * 2) * batch;
    return o;
}

static void gemm(aif_graph *g, const aif_serve_shape *sh, const char *name, double m, double n, double k, double batch)
{
    gemm_at(g, name, m, n, k, batch, sh->gemm_prec, sh->a_bytes, sh->w_bytes);
}

/* The routed experts' GEMMs; with weights narrower than the math's operands (4-bit weights under
 * bf16 math, W4A16; under fp8, W4A8) a mixed-input grouped kernel (aif_op.mixed), the kind whose
 * table the families' mixed_input_factor comes from.  A dense layer's narrower weights
 * (serve.weight_precision) are timed at their math's rate: no such dense kernel is measured. */
static void expert_gemm(aif_graph *g, const aif_serve_shape *sh, const char *name, double m, double n, double k,
                        double batch)
{
    aif_op *o = gemm_at(g, name, m, n, k, batch, sh->e_gemm_prec, sh->e_a_bytes, sh->e_w_bytes);
    if (o && sh->e_w_bytes < sh->e_a_bytes)   /* the input's width is the math's (aif_serve_shape_of) */
        o->mixed = (unsigned char)(1 + (sh->e_w_bytes < 1 ? AIF_GEMM_FP4 : AIF_GEMM_FP8));
}

void aif_serve_kv_layers(const aif_model *m, int pp, int *full, int *window)
{
    int per = (m->layers + pp - 1) / pp;
    *full = *window = 0;
    for (int first = 0; first < m->layers; first += per) {
        int f = 0, w = 0;
        for (int l = first; l < first + per && l < m->layers; l++)
            w += aif_layer_windowed(m, l), f += !aif_layer_windowed(m, l);
        if (f > *full || (f == *full && w > *window))
            *full = f, *window = w;
    }
}

void aif_serve_batch_add_prefill(aif_serve_batch *b, double p, double c, int done, double window)
{
    b->prefill_tokens += c;
    b->prefill_pairs += c * (p + (c + 1) / 2);
    b->prefill_kv_tokens += p + c;
    b->prefill_done += done;
    if (window > 0) {
        /* pairs of positions 0 .. n-1: n (n + 1) / 2 up to W, then W per position */
        double e = p + c, f1 = e <= window ? e * (e + 1) / 2 : window * (window + 1) / 2 + (e - window) * window;
        double f0 = p <= window ? p * (p + 1) / 2 : window * (window + 1) / 2 + (p - window) * window;
        b->prefill_win_pairs += f1 - f0;
        b->prefill_win_kv_tokens += e - (p - window + 1 > 0 ? p - window + 1 : 0);
    }
}

void aif_serve_batch_add_decode(aif_serve_batch *b, double keys, double window)
{
    b->decode_seqs += 1;
    b->decode_kv_tokens += keys;
    if (window > 0)
        b->decode_win_kv_tokens += keys < window ? keys : window;
}

/* The attention op of the decodes (decode 1) or of the prefill chunks (0), in a full
 * (win 0) or a sliding-window layer (1): its fields, as aif_graph_add_attn sets them;
 * 0 when the batch has no such work. */
static int attn_op(const aif_serve_shape *sh, const aif_serve_batch *b, int decode, int win, aif_op *o)
{
    double q = (decode ? b->decode_seqs : b->prefill_tokens) / sh->dp;   /* one rank's share (dp > 1) */
    double pairs = (decode ? (win ? b->decode_win_kv_tokens : b->decode_kv_tokens)
                           : (win ? b->prefill_win_pairs : b->prefill_pairs)) / sh->dp;
    double keys = (decode ? (win ? b->decode_win_kv_tokens : b->decode_kv_tokens)
                          : (win ? b->prefill_win_kv_tokens : b->prefill_kv_tokens)) / sh->dp;
    if (q <= 0 || pairs <= 0)
        return 0;
    memset(o, 0, sizeof *o);
    o->name = decode ? (win ? "attn.window.decode" : "attn.decode") : (win ? "attn.window.prefill" : "attn.prefill");
    o->kind = AIF_OP_ATTN_FWD;
    o->cat = AIF_CAT_COMPUTE;
    o->n_kernels = 1;
    o->batch = 1;
    o->flops = 2 * sh->heads * pairs * (sh->qk_dim + sh->v_dim);
    o->k = aif_attn_curve_keys(pairs / q);   /* the efficiency curve's length: twice the keys a query reads */
    o->n = sh->qk_dim;
    o->bytes = keys * sh->kv_bytes_token_layer + q * sh->heads * (sh->qk_dim + sh->v_dim) * 2;
    return 1;
}

/* One transformer layer for m tokens of the replica; the attention ops only when
 * with_attn.  Under data-parallel attention (dp > 1) everything but the experts runs
 * on one rank's m / dp tokens with whole widths and no tensor-parallel collective. */
static void lower_layer(aif_graph *g, const aif_scenario *s, const aif_serve_shape *sh, const aif_serve_batch *b,
                        double m_all, int moe, int with_attn, int win)
{
    const aif_model *md = &s->model;
    double h = md->hidden;
    double m = m_all / sh->dp;   /* this rank's tokens */
    int tp = sh->dp > 1 ? 1 : sh->tp;   /* the ranks the dense parts are split over */
    int gated = md->activation == AIF_ACT_SWIGLU || md->activation == AIF_ACT_GEGLU;
    aif_graph_add_mem(g, "norm.attn", AIF_CAT_COMPUTE, m * h * 2 * 2, 1);
    if (md->attention == AIF_ATTN_MLA && md->mla.kv_lora_rank > 0) {
        double ql = md->mla.q_lora_rank;
        if (ql > 0) {
            gemm(g, sh, "q.down", m, ql, h, 1);
            gemm(g, sh, "q.up", m, sh->heads * sh->qk_dim, ql, 1);
        } else {
            gemm(g, sh, "q", m, sh->heads * sh->qk_dim, h, 1);
        }
        gemm(g, sh, "kv.down", m, md->mla.kv_lora_rank + md->mla.qk_rope_head_dim, h, 1);
        gemm(g, sh, "kv.up", m, sh->heads * (md->mla.qk_nope_head_dim + sh->v_dim), md->mla.kv_lora_rank, 1);
    } else {
        gemm(g, sh, "qkv", m, (sh->heads + 2 * sh->kv_heads) * sh->qk_dim, h, 1);
    }
    aif_graph_add_mem(g, "kv.write", AIF_CAT_COMPUTE, m * sh->kv_bytes_token_layer, 1);
    aif_op a;
    for (int dec = 1; with_attn && dec >= 0; dec--)
        if (attn_op(sh, b, dec, win, &a))
            aif_graph_add_attn(g, a.name, AIF_CAT_COMPUTE, 0, a.flops, a.k, a.n, a.bytes, 0);
    gemm(g, sh, "out", m, h, sh->heads * sh->v_dim, 1);
    if (tp > 1)
        aif_graph_add_comm(g, "tp.allreduce.attn", AIF_CAT_TP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, m * h * 2, AIF_OVL_NONE);
    aif_graph_add_mem(g, "norm.mlp", AIF_CAT_COMPUTE, m * h * 2 * 2, 1);
    if (!moe) {
        double f = (double)md->ffn / tp;
        gemm(g, sh, "fc1", m, (gated ? 2 : 1) * f, h, 1);
        aif_graph_add_mem(g, "act", AIF_CAT_COMPUTE, m * f * 2 * (gated ? 3 : 2), 1);
        gemm(g, sh, "fc2", m, h, f, 1);
    } else {
        double e = md->moe.experts, topk = md->moe.top_k;
        double ef = md->moe.expert_ffn > 0 ? md->moe.expert_ffn : md->ffn;
        /* the local experts that receive a token (expected, uniform routing) are the ones
         * whose weights are read: all of them in a large batch, few in a small decode */
        /* slots: the experts and their redundant copies, the tokens spread over them all (EPLB) */
        double slots = sh->expert_slots > 0 ? sh->expert_slots : e;
        double local = slots / sh->ep;   /* of the whole batch's m_all tokens (every rank's, under dp) */
        double active = m_all > 0 ? local * (1 - pow(1 - topk / slots, m_all)) : 0;
        double me = active > 0 ? m_all * topk / sh->ep / active : 0;   /* tokens per active expert */
        aif_graph_add_gemm(g, "router", AIF_CAT_COMPUTE, m, e, h, 1, 0);
        if (sh->ep > 1)
            aif_graph_add_comm(g, "ep.dispatch", AIF_CAT_EP, AIF_COLL_ALLTOALL, AIF_GRP_EP, m * topk * h * sh->e_a_bytes,
                               AIF_OVL_NONE);
        expert_gemm(g, sh, "expert.fc1", me, (gated ? 2 : 1) * ef / sh->etp, h, active);
        aif_graph_add_mem(g, "expert.act", AIF_CAT_COMPUTE, me * active * ef / sh->etp * 2 * (gated ? 3 : 2), 1);
        expert_gemm(g, sh, "expert.fc2", me, h, ef / sh->etp, active);
        if (sh->ep > 1)
            aif_graph_add_comm(g, "ep.combine", AIF_CAT_EP, AIF_COLL_ALLTOALL, AIF_GRP_EP, m * topk * h * 2,
                               AIF_OVL_NONE);
        if (md->moe.shared_experts > 0) {
            double sf = md->moe.shared_experts * ef / tp;
            gemm(g, sh, "shared.fc1", m, (gated ? 2 : 1) * sf, h, 1);
            gemm(g, sh, "shared.fc2", m, h, sf, 1);
        }
    }
    if (tp > 1)
        aif_graph_add_comm(g, "tp.allreduce.mlp", AIF_CAT_TP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, m * h * 2, AIF_OVL_NONE);
}

static void lower_embed(aif_graph *g, const aif_scenario *s, const aif_serve_shape *sh, double m)
{
    aif_graph_add_mem(g, "embed", AIF_CAT_COMPUTE, m / sh->dp * s->model.hidden * 2 * 2, 1);
}

/* The output head for the n sequences that sample a token: logits, their gather, sampling
 * (dp > 1: one rank's n / dp sequences over the whole vocabulary, nothing gathered). */
static void lower_head(aif_graph *g, const aif_scenario *s, const aif_serve_shape *sh, double n_all)
{
    int tp = sh->dp > 1 ? 1 : sh->tp;
    double n = n_all / sh->dp;
    double v = (double)s->model.vocab / tp;
    aif_graph_add_mem(g, "norm.final", AIF_CAT_COMPUTE, n * s->model.hidden * 2 * 2, 1);
    aif_graph_add_gemm(g, "head", AIF_CAT_COMPUTE, n, v, s->model.hidden, 1, 0);
    if (tp > 1)
        aif_graph_add_comm(g, "tp.gather.logits", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, n * s->model.vocab * 2,
                           AIF_OVL_NONE);
    aif_graph_add_mem(g, "sample", AIF_CAT_COMPUTE, n * s->model.vocab * 4, 1);
}

static void lower_send(aif_graph *g, const aif_scenario *s, double m)
{
    aif_graph_add_comm(g, "pp.send", AIF_CAT_PP, AIF_COLL_SENDRECV, AIF_GRP_PP, m * s->model.hidden * 2, AIF_OVL_NONE);
}

aif_rc aif_serve_lower_batch(const aif_scenario *s, const aif_serve_batch *b, aif_graph *g, aif_err *err)
{
    aif_serve_shape sh;
    aif_serve_shape_of(s, &sh);
    aif_graph_init(g);
    set_groups(s, &sh, g);
    double m = b->prefill_tokens + b->decode_seqs;
    if (aif_graph_seg_begin(g, AIF_SSEG_EMBED, "embedding") >= 0) {
        lower_embed(g, s, &sh, m);
        aif_graph_seg_end(g);
    }
    for (int l = 0; l < s->model.layers; l++) {
        int moe = l >= sh.dense_layers;
        if (aif_graph_seg_begin(g, moe ? AIF_SSEG_MOE : AIF_SSEG_DENSE, moe ? "moe layer" : "dense layer") < 0)
            break;
        lower_layer(g, s, &sh, b, m, moe, 1, aif_layer_windowed(&s->model, l));
        aif_graph_seg_end(g);
    }
    for (int i = 0; i + 1 < sh.pp; i++)
        if (aif_graph_seg_begin(g, AIF_SSEG_SEND, "stage send") >= 0) {
            lower_send(g, s, m);
            aif_graph_seg_end(g);
        }
    if (aif_graph_seg_begin(g, AIF_SSEG_HEAD, "output head") >= 0) {
        lower_head(g, s, &sh, b->decode_seqs + b->prefill_done);
        aif_graph_seg_end(g);
    }
    return aif_graph_finish(g, err);
}

/* Adds op o's time to t, as compute, memory or communication: a compute op by the
 * roof that binds it (compute.h; a split GEMM's partial sums counted in its bytes). */
static void add_op(const aif_scenario *s, const aif_graph *g, const aif_op *o, aif_serve_time *t)
{
    if (o->kind == AIF_OP_COMM) {
        double d = aif_op_time_s(s, g, o);
        t->total_s += d;
        t->comm_s += d;
        return;
    }
    int memory_bound;
    double d = aif_compute_time_bound(&s->cluster.gpu, o, s->cluster.clock_factor > 0 ? s->cluster.clock_factor : 1.0,
                                      &memory_bound);
    t->total_s += d;
    if (memory_bound)
        t->memory_s += d;
    else
        t->compute_s += d;
}

void aif_serve_graph_time(const aif_scenario *s, const aif_graph *g, aif_serve_time *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < g->n_seg; i++) {
        aif_seg_time st;
        aif_segment_time(s, g, i, &st);
        aif_serve_time part = {0};
        for (int k = g->seg[i].first; k < g->seg[i].first + g->seg[i].n; k++)
            add_op(s, g, &g->ops[k], &part);
        /* blocking collectives only: the segment is the sum of its ops */
        AIF_ASSERT(fabs(part.total_s - st.total_s) <= 1e-9 * st.total_s + 1e-15);
        t->total_s += st.total_s;
        t->compute_s += part.compute_s;
        t->memory_s += part.memory_s;
        t->comm_s += part.comm_s;
    }
}

/* ---- the fast evaluator */

enum { K_DENSE, K_MOE, K_EMBED, K_HEAD, K_SEND };

/* Times one memo entry: the part of kind k that depends on m alone. */
static aif_rc fill(aif_serve_model *sm, int k, int m, aif_serve_time *out, aif_err *err)
{
    aif_graph g;
    aif_graph_init(&g);
    set_groups(sm->s, &sm->sh, &g);
    if (aif_graph_seg_begin(&g, 0, "memo") >= 0) {
        if (k <= K_MOE)
            lower_layer(&g, sm->s, &sm->sh, NULL, m, k == K_MOE, 0, 0);
        else if (k == K_EMBED)
            lower_embed(&g, sm->s, &sm->sh, m);
        else if (k == K_HEAD)
            lower_head(&g, sm->s, &sm->sh, m);
        else
            lower_send(&g, sm->s, m);
        aif_graph_seg_end(&g);
    }
    aif_rc rc = aif_graph_finish(&g, err);
    memset(out, 0, sizeof *out);
    for (int i = 0; !rc && i < g.n_ops; i++)
        add_op(sm->s, &g, &g.ops[i], out);
    aif_graph_free(&g);
    return rc;
}

aif_rc aif_serve_model_init(aif_serve_model *sm, const aif_scenario *s, int max_tokens, aif_err *err)
{
    memset(sm, 0, sizeof *sm);
    sm->s = s;
    aif_serve_shape_of(s, &sm->sh);
    aif_graph_init(&sm->groups_only);
    set_groups(s, &sm->sh, &sm->groups_only);
    sm->n_memo = max_tokens + 1;
    aif_serve_time **tabs[5] = {&sm->memo_layer[0], &sm->memo_layer[1], &sm->memo_embed, &sm->memo_head,
                                &sm->memo_send};
    for (int k = 0; k < 5; k++) {
        *tabs[k] = malloc((size_t)sm->n_memo * sizeof **tabs[k]);
        if (!*tabs[k]) {
            aif_serve_model_free(sm);
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the iteration table");
        }
        for (int i = 0; i < sm->n_memo; i++)
            (*tabs[k])[i].total_s = -1;
    }
    return AIF_OK;
}

void aif_serve_model_free(aif_serve_model *sm)
{
    free(sm->memo_layer[0]);
    free(sm->memo_layer[1]);
    free(sm->memo_embed);
    free(sm->memo_head);
    free(sm->memo_send);
    aif_graph_free(&sm->groups_only);
    memset(sm, 0, sizeof *sm);
}

static aif_rc memo(aif_serve_model *sm, int k, double mv, const aif_serve_time **out, aif_err *err)
{
    aif_serve_time *tab[5] = {sm->memo_layer[0], sm->memo_layer[1], sm->memo_embed, sm->memo_head, sm->memo_send};
    int m = (int)mv;
    if (m < 0 || m >= sm->n_memo || m != mv)
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "serve", "iteration of %g tokens outside the table (0..%d)",
                           mv, sm->n_memo - 1);
    if (tab[k][m].total_s < 0) {
        aif_rc rc = fill(sm, k, m, &tab[k][m], err);
        if (rc)
            return rc;
    }
    *out = &tab[k][m];
    return AIF_OK;
}

static void add(aif_serve_time *t, const aif_serve_time *p, double n)
{
    t->total_s += n * p->total_s;
    t->compute_s += n * p->compute_s;
    t->memory_s += n * p->memory_s;
    t->comm_s += n * p->comm_s;
}

aif_rc aif_serve_model_time(aif_serve_model *sm, const aif_serve_batch *b, aif_serve_time *t, aif_err *err)
{
    memset(t, 0, sizeof *t);
    double m = b->prefill_tokens + b->decode_seqs;
    const aif_serve_time *p;
    aif_rc rc;
    if ((rc = memo(sm, K_EMBED, m, &p, err)))
        return rc;
    add(t, p, 1);
    if (sm->sh.dense_layers) {
        if ((rc = memo(sm, K_DENSE, m, &p, err)))
            return rc;
        add(t, p, sm->sh.dense_layers);
    }
    if (sm->sh.moe_layers) {
        if ((rc = memo(sm, K_MOE, m, &p, err)))
            return rc;
        add(t, p, sm->sh.moe_layers);
    }
    aif_op a;
    int layers = sm->sh.dense_layers + sm->sh.moe_layers;
    for (int win = 0; win < 2; win++)
        for (int dec = 1; dec >= 0; dec--) {
            int n = win ? sm->sh.win_layers : layers - sm->sh.win_layers;
            if (n > 0 && attn_op(&sm->sh, b, dec, win, &a)) {
                aif_serve_time one = {0};
                add_op(sm->s, &sm->groups_only, &a, &one);
                add(t, &one, n);
            }
        }
    if (sm->sh.pp > 1) {
        if ((rc = memo(sm, K_SEND, m, &p, err)))
            return rc;
        add(t, p, sm->sh.pp - 1);
    }
    if ((rc = memo(sm, K_HEAD, b->decode_seqs + b->prefill_done, &p, err)))
        return rc;
    add(t, p, 1);
    return AIF_OK;
}

/* ---- memory of one GPU */

aif_rc aif_serve_memory_eval(const aif_scenario *s, aif_serve_memory *mm, aif_err *err)
{
    const aif_serve *sv = &s->serve;
    const aif_model *md = &s->model;
    aif_serve_shape sh;
    aif_serve_shape_of(s, &sh);
    memset(mm, 0, sizeof *mm);
    const double GB = 1e9;
    mm->hbm_bytes = s->cluster.gpu.hbm_bytes;
    mm->usable_bytes = mm->hbm_bytes * sv->gpu_memory_fraction;
    /* the busiest stage holds ceil(layers / pp) layers (vLLM splits layers unevenly when pp does not divide them) */
    double stage_layers = ceil((double)md->layers / sv->pp);
    mm->weights_bytes = aif_model_params(md) * sh.w_bytes / sv->tp * stage_layers / md->layers;
    if (sh.dp > 1 || sv->redundant_experts > 0 || (md->moe.experts && sh.e_w_bytes != sh.w_bytes)) {
        /* the routed experts (with their redundant copies, at their own storage precision) split over the
         * replica's tp GPUs (ep x expert tp); the rest split tp ways, or whole on every GPU under
         * data-parallel attention */
        aif_dims d;
        aif_model_dims(md, &d);
        double routed = (double)sh.moe_layers * md->moe.experts * d.expert_params;
        double slots = (double)sh.expert_slots / md->moe.experts;
        mm->weights_bytes = ((aif_model_params(md) - routed) / (sh.dp > 1 ? 1 : sv->tp) +
                             routed * slots / sv->tp * (sh.e_w_bytes / sh.w_bytes)) *
                            sh.w_bytes * stage_layers / md->layers;
    }
    mm->workspace_bytes = s->cluster.gpu.calib.workspace_bytes;
    double ef = md->moe.expert_ffn > 0 ? md->moe.expert_ffn : md->ffn;
    double inner = md->moe.experts ? (md->moe.top_k + md->moe.shared_experts) * ef : md->ffn;
    if (md->ffn > inner)
        inner = md->ffn;
    int atp = sh.dp > 1 ? 1 : sv->tp;   /* under dp: a rank's share of the tokens at whole widths */
    mm->activations_bytes = (double)sv->token_budget / sh.dp * (4.0 * md->hidden + 2 * inner / atp) * 2 +
                            (double)sv->max_batch / sh.dp * md->vocab / atp * 4;
    mm->kv_bytes_per_token = sh.kv_bytes_token_layer * stage_layers;
    aif_serve_kv_layers(md, sv->pp, &mm->kv_full_layers, &mm->kv_window_layers);
    if (!mm->kv_window_layers || sv->window_cache == AIF_WINDOW_CACHE_FULL)   /* every layer keeps every token */
        mm->kv_full_layers = mm->kv_window_layers = 0;
    mm->kv_capacity_bytes = mm->usable_bytes - mm->weights_bytes - mm->activations_bytes - mm->workspace_bytes;
    if (sv->kv_memory == AIF_KV_MEMORY_FREE) {   /* TensorRT-LLM: the fraction of what the engine left free */
        double free_bytes = mm->hbm_bytes - mm->weights_bytes - mm->activations_bytes - mm->workspace_bytes;
        if (free_bytes <= 0 && mm->weights_bytes <= mm->hbm_bytes)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.tp",
                               "no room for the KV cache on a %s: weights %.1f GB, activations %.1f GB and workspace "
                               "%.1f GB exceed its %.1f GB of HBM by %.2f GB, so no memory is left free for "
                               "serve.kv_memory free's share (raise tp or pp, lower serve.precision or "
                               "serve.token_budget)",
                               s->cluster.gpu.name, mm->weights_bytes / GB, mm->activations_bytes / GB,
                               mm->workspace_bytes / GB, mm->hbm_bytes / GB, -free_bytes / GB);
        mm->kv_capacity_bytes = sv->gpu_memory_fraction * free_bytes;
        mm->usable_bytes = mm->kv_capacity_bytes + mm->weights_bytes + mm->activations_bytes + mm->workspace_bytes;
    }
    if (mm->weights_bytes > mm->hbm_bytes)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.tp",
                           "the weights of %s at %s%s%s need %.1f GB per GPU with tp %d x pp %d, more than the "
                           "%.1f GB of HBM of a %s (raise tp or pp, or narrow serve.precision, weight_precision or "
                           "expert_weight_precision)",
                           md->name, aif_prec_names[aif_serve_weight_prec(sv)],
                           md->moe.experts && sh.e_w_bytes != sh.w_bytes ? ", experts at " : "",
                           md->moe.experts && sh.e_w_bytes != sh.w_bytes
                               ? aif_prec_names[aif_serve_expert_weight_prec(sv)] : "",
                           mm->weights_bytes / GB, sv->tp, sv->pp, mm->hbm_bytes / GB, s->cluster.gpu.name);
    /* the replica's blocks: under dp each GPU caches only its own sequences, dp times as many in all */
    double blocks = sh.dp * floor(fmax(mm->kv_capacity_bytes, 0) / (AIF_SERVE_BLOCK_TOKENS * mm->kv_bytes_per_token));
    mm->kv_blocks = blocks >= 1 ? (long)fmin(blocks, 1e15) : 0;   /* 1e15 blocks: far past any HBM */
    if (mm->kv_blocks < 1 && sv->kv_memory == AIF_KV_MEMORY_FREE)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.tp",
                           "no room for the KV cache on a %s: %.0f%% of the %.3f GB that weights, activations and "
                           "workspace leave free holds no block of %d tokens (raise tp or pp, lower "
                           "serve.precision or serve.token_budget)",
                           s->cluster.gpu.name, sv->gpu_memory_fraction * 100,
                           (mm->hbm_bytes - mm->weights_bytes - mm->activations_bytes - mm->workspace_bytes) / GB,
                           AIF_SERVE_BLOCK_TOKENS);
    if (mm->kv_blocks < 1)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.tp",
                           "no room for the KV cache on a %s: %.1f GB usable (%.0f%% of %.1f GB) minus weights "
                           "%.1f GB, activations %.1f GB and workspace %.1f GB leaves %.2f GB (raise tp or pp, lower "
                           "serve.precision or serve.token_budget)",
                           s->cluster.gpu.name, mm->usable_bytes / GB, sv->gpu_memory_fraction * 100,
                           mm->hbm_bytes / GB, mm->weights_bytes / GB, mm->activations_bytes / GB,
                           mm->workspace_bytes / GB, mm->kv_capacity_bytes / GB);
    return AIF_OK;
}
