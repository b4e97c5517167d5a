/* transformer.c -- parameter counts and forward FLOPs of a decoder-only
 * transformer (see transformer.h for the counting conventions).
 * Attention projections: MHA/GQA/MQA use Q [h, a*d], K and V [h, g*d] each, O
 * [a*d, h].  MLA (DeepSeek-V2/V3) uses a low-rank query path h->q_lora->a*(nope+rope),
 * a joint KV down-projection h->(kv_lora+rope) and up-projection
 * kv_lora->a*(nope+v), and O [a*v, h].  MLPs: gated (SwiGLU, GeGLU) have three
 * h x ffn matrices, others two. */
#include "workload/transformer.h"
#include "aifsim/names.h"
#include <math.h>

void aif_model_dims(const aif_model *m, aif_dims *d)
{
    double h = m->hidden, a = m->heads, g = m->kv_heads, hd = m->head_dim;
    d->gated = m->activation == AIF_ACT_SWIGLU || m->activation == AIF_ACT_GEGLU;
    d->dropout = m->position == AIF_POS_LEARNED;
    if (m->attention == AIF_ATTN_MLA) {
        double nope = m->mla.qk_nope_head_dim, rope = m->mla.qk_rope_head_dim, v = m->mla.v_head_dim;
        double ql = m->mla.q_lora_rank, kvl = m->mla.kv_lora_rank;
        d->dqk = nope + rope;
        d->dv = v;
        d->q_dim = a * d->dqk;
        d->kv_dim = a * (nope + v);
        d->out_in = a * v;
        double q = ql > 0 ? h * ql + ql * a * d->dqk + ql : h * a * d->dqk;
        d->attn_params = q + h * (kvl + rope) + kvl * a * (nope + v) + kvl + a * v * h;
    } else {
        d->dqk = d->dv = hd;
        d->q_dim = a * hd;
        d->kv_dim = 2 * g * hd;
        d->out_in = a * hd;
        d->attn_params = h * (d->q_dim + d->kv_dim) + d->out_in * h;
    }
    double mats = d->gated ? 3 : 2;
    d->mlp_params = mats * h * m->ffn;
    d->expert_params = m->moe.experts ? mats * h * m->moe.expert_ffn : 0;
    d->shared_params = m->moe.experts ? m->moe.shared_experts * mats * h * m->moe.expert_ffn : 0;
    d->router_params = m->moe.experts ? h * m->moe.experts : 0;
    d->norm_params = 2 * h * (m->norm == AIF_NORM_LAYER ? 2 : 1);
    d->final_norm_params = h * (m->norm == AIF_NORM_LAYER ? 2 : 1);
    d->embed_params = (double)m->vocab * h + (m->position == AIF_POS_LEARNED && m->max_seq > 0 ? (double)m->max_seq * h : 0);
    d->head_params = m->tied_embeddings ? 0 : (double)m->vocab * h;
    d->mtp_proj_params = 2 * h * h + 2 * h;
}

void aif_lora_widths(const aif_model *m, const aif_dims *d, int targets, int moe_layer, double tp, double *in,
                     double *out)
{
    double h = m->hidden;
    *in = h;                                         /* qkv reads h */
    *out = (d->q_dim + d->kv_dim) / tp;
    if (targets == AIF_LORA_QKV)   /* the fused query-key-value projection alone */
        return;
    *in += d->out_in / tp;                           /* o reads its heads' outputs */
    *out += h;
    if (targets == AIF_LORA_ALL) {   /* all: the MLP (an MoE layer's shared experts; routed experts stay frozen) */
        double f = moe_layer ? (double)m->moe.shared_experts * m->moe.expert_ffn : m->ffn;
        if (f > 0) {
            double up = (d->gated ? 2 : 1) * f / tp;
            *in += h + f / tp;
            *out += up + h;
        }
    }
}

int aif_layer_is_moe(const aif_model *m, int i)
{
    return m->moe.experts > 0 && i >= m->moe.dense_layers;
}

/* x is a whole number that a double holds exactly, with room for sums of such. */
static int exact_whole(double x)
{
    return x >= 0 && x < 4503599627370496.0 /* 2^52 */ && x == (double)(long long)x;
}

/* Parameters of the whole model (active: routed experts counted top_k times, not
 * experts times).  Every count is a whole number far below 2^53, so the per-layer sum
 * equals the product form exactly; the layer loop remains for counts that are not
 * (none of today's models), where the order of the additions would matter. */
static double params(const aif_model *m, const aif_dims *dims, int active)
{
    const aif_dims d = *dims;
    double total = d.embed_params + d.head_params + d.final_norm_params;
    double common = d.attn_params + d.norm_params;
    double moe = d.router_params + d.shared_params + d.expert_params * (active ? m->moe.top_k : m->moe.experts);
    int n_dense = m->layers, n_moe = 0;
    if (m->moe.experts > 0) {
        n_dense = m->moe.dense_layers < 0 ? 0 : m->moe.dense_layers < m->layers ? m->moe.dense_layers : m->layers;
        n_moe = m->layers > n_dense ? m->layers - n_dense : 0;
    }
    if (m->layers >= 0) {
        double closed = total + m->layers * common + n_dense * d.mlp_params + n_moe * moe;
        if (exact_whole(total) && exact_whole(common) && exact_whole(d.mlp_params) && exact_whole(moe) &&
            exact_whole(closed))
            return closed;
    }
    for (int i = 0; i < m->layers; i++) {
        total += d.attn_params + d.norm_params;
        if (aif_layer_is_moe(m, i))
            total += d.router_params + d.shared_params + d.expert_params * (active ? m->moe.top_k : m->moe.experts);
        else
            total += d.mlp_params;
    }
    return total;
}

static double params_of(const aif_model *m, int active)
{
    aif_dims d;
    aif_model_dims(m, &d);
    return params(m, &d, active);
}

double aif_model_params(const aif_model *m) { return params_of(m, 0); }
double aif_model_active_params(const aif_model *m) { return params_of(m, 1); }

void aif_model_param_counts(const aif_model *m, double *params_all, double *params_active)
{
    aif_dims d;
    aif_model_dims(m, &d);
    *params_all = params(m, &d, 0);
    *params_active = params(m, &d, 1);
}

static double layer_flops(const aif_model *m, const aif_dims *d, int moe_layer, double ctx)
{
    double f = 2 * d->attn_params;                         /* projections */
    f += 2 * ctx * m->heads * (d->dqk + d->dv);            /* scores and weighted sum, unmasked */
    if (moe_layer)
        f += 2 * (d->router_params + d->shared_params + m->moe.top_k * d->expert_params);
    else
        f += 2 * d->mlp_params;
    return f;
}

double aif_layer_fwd_flops_per_token(const aif_model *m, int moe_layer, double ctx)
{
    aif_dims d;
    aif_model_dims(m, &d);
    return layer_flops(m, &d, moe_layer, ctx);
}

/* the model's dimensions once for both kinds of layer (an estimate asks for this
 * per configuration) */
double aif_model_fwd_flops_per_seq(const aif_model *m, double seq)
{
    aif_dims d;
    aif_model_dims(m, &d);
    int n_moe = m->moe.experts ? m->layers - m->moe.dense_layers : 0;
    double per_tok = (m->layers - n_moe) * layer_flops(m, &d, 0, seq) + n_moe * layer_flops(m, &d, 1, seq) +
                     2.0 * m->hidden * m->vocab;
    return (per_tok + aif_mtp_fwd_flops_per_token(m, seq)) * seq;
}

int aif_mtp_is_moe(const aif_model *m)
{
    return m->moe.experts > 0 && m->layers > m->moe.dense_layers;
}

double aif_mtp_fwd_flops_per_token(const aif_model *m, double ctx)
{
    if (m->mtp_layers <= 0)
        return 0;
    aif_dims d;
    aif_model_dims(m, &d);
    return m->mtp_layers * (layer_flops(m, &d, aif_mtp_is_moe(m), ctx) + 2 * 2.0 * m->hidden * m->hidden +
                            2.0 * m->hidden * m->vocab);
}

int aif_layer_windowed(const aif_model *m, int i)
{
    return m->sliding_window > 0 && !(m->full_attention_every > 0 && (i + 1) % m->full_attention_every == 0);
}

double aif_model_window_share(const aif_model *m)
{
    if (m->sliding_window <= 0 || m->layers <= 0)
        return 0;
    int n = 0;
    for (int i = 0; i < m->layers; i++)
        n += aif_layer_windowed(m, i);
    return (double)n / m->layers;
}

double aif_window_keys_per_query(double window, double seq)
{
    if (seq <= 0)
        return 0;
    if (window >= seq)
        return (seq + 1) / 2;
    return (window * seq - window * (window - 1) / 2) / seq;
}

double aif_window_kernel_keys(double window, double seq, int block_n)
{
    if (block_n <= 0 || seq <= 0 || window >= seq)
        return 0;
    /* query tile i (rows i B .. i B + B - 1) reads the key tiles from the one holding key
     * i B - W + 1 to its own: min(i + 1, full) of them, full = 1 + ceil((W - 1) / B) (i + 1
     * at the causal start).  Every tile but the last holds B rows and, reaching no further
     * than its own, B keys a tile; the last holds the r rows left and its own tile r keys.
     * The keys a query computes: the rows' sum over the sequence. */
    double B = block_n < seq ? block_n : seq, n = ceil(seq / B), full = 1 + ceil((window - 1) / B);
    double r = seq - (n - 1) * B, m = n - 1, k = m < full ? m : full;
    double first = k * (k + 1) / 2 + (m - k) * full;   /* key tiles of the n - 1 whole query tiles */
    double last = (n < full ? n : full) - 1;            /* the last query tile's whole key tiles */
    return (B * B * first + r * (last * B + r)) / seq;
}

double aif_attn_curve_keys(double keys_per_query)
{
    return 2 * keys_per_query;
}

double aif_model_attn_core_flops_per_seq(const aif_model *m, double seq)
{
    aif_dims d;
    aif_model_dims(m, &d);
    return m->layers * 2 * seq * seq * m->heads * (d.dqk + d.dv);
}

unsigned aif_recompute_modules_of(const aif_train *t)
{
    if (t->recompute != AIF_RC_SELECTIVE)
        return 0;
    return t->recompute_modules ? t->recompute_modules : 1u << AIF_RCM_CORE_ATTN;
}

/* A model's layers with their multi-token-prediction blocks: all, dense and MoE */
static void layer_counts(const aif_model *m, int *n_all, int *n_dense, int *n_moe)
{
    int mtp = m->mtp_layers > 0 ? m->mtp_layers : 0;
    *n_moe = (m->moe.experts ? m->layers - m->moe.dense_layers : 0) + (aif_mtp_is_moe(m) ? mtp : 0);
    *n_all = m->layers + mtp;
    *n_dense = *n_all - *n_moe;
}

double aif_tp_gather_lp_bytes(const aif_train *t, const aif_framework *f)
{
    if (!f->fp8_tp_gather)
        return 2;
    if (t->precision == AIF_FP8)
        return 1;
    if (t->precision == AIF_FP4)
        return aif_fp4_elem_bytes(t->fp4_format);
    return 2;
}

double aif_shared_down_flops_per_seq(const aif_model *m, double seq)
{
    int n_all, n_dense, n_moe;
    layer_counts(m, &n_all, &n_dense, &n_moe);
    return n_moe * 2.0 * m->moe.expert_ffn * (m->moe.shared_experts > 0 ? m->moe.shared_experts : 0) * m->hidden * seq;
}

double aif_recompute_modules_flops_per_seq(const aif_model *m, unsigned mods, double seq)
{
    aif_dims d;
    aif_model_dims(m, &d);
    int n_all, n_dense, n_moe;
    layer_counts(m, &n_all, &n_dense, &n_moe);
    double per_tok = 0, h = m->hidden;
    if (mods & 1u << AIF_RCM_MLA_UP_PROJ && m->attention == AIF_ATTN_MLA) {
        double ql = m->mla.q_lora_rank, kvl = m->mla.kv_lora_rank;
        per_tok += n_all * 2 * ((ql > 0 ? ql : h) * d.q_dim + kvl * d.kv_dim);
    }
    if (mods & 1u << AIF_RCM_MLP)
        per_tok += n_dense * 2 * d.mlp_params;
    if (mods & 1u << AIF_RCM_MOE)
        per_tok += n_moe * 2 * (d.router_params + d.shared_params + m->moe.top_k * d.expert_params);
    if (mods & 1u << AIF_RCM_SHARED_EXPERTS)
        per_tok += n_moe * 2 * d.shared_params;
    return per_tok * seq;
}

double aif_recompute_saved_flops_per_seq(const aif_model *m, unsigned saved, double seq)
{
    aif_dims d;
    aif_model_dims(m, &d);
    int n_all, n_dense, n_moe;
    layer_counts(m, &n_all, &n_dense, &n_moe);
    double per_tok = 0, h = m->hidden, fl = 0;
    if (saved & 1u << AIF_RCS_QKV_PROJ && m->attention != AIF_ATTN_MLA)   /* MLA's projections are replayed */
        per_tok += n_all * 2 * h * (d.q_dim + d.kv_dim);
    if (saved & 1u << AIF_RCS_OUT_PROJ)
        per_tok += n_all * 2 * d.out_in * h;
    if (saved & 1u << AIF_RCS_MLPWO)
        per_tok += n_dense * 2 * (double)m->ffn * h;
    if (saved & 1u << AIF_RCS_MLPWI)
        per_tok += n_dense * 2 * (double)m->ffn * (d.gated ? 2 : 1) * h;
    if (saved & 1u << AIF_RCS_CONTEXT && m->layers > 0)   /* every layer's, the prediction blocks' too */
        fl = aif_model_attn_core_flops_per_seq(m, seq) / m->layers * n_all;
    return per_tok * seq + fl;
}

double aif_bf16_layer_share(const aif_train *t, int layers)
{
    if (t->precision != AIF_FP8 && t->precision != AIF_FP4)
        return 0;
    double n = (double)(t->bf16_first_layers > 0 ? t->bf16_first_layers : 0) +
               (t->bf16_last_layers > 0 ? t->bf16_last_layers : 0);
    return layers <= 0 ? 0 : n >= layers ? 1 : n / layers;
}

double aif_param_bytes(const aif_train *t, int layers)
{
    int fp4 = t->precision == AIF_FP4 && t->lora.rank > 0;
    if (!t->fp8_params || (t->precision != AIF_FP8 && !fp4))
        return 2;
    double keep = aif_bf16_layer_share(t, layers);
    return (fp4 ? 2 * aif_fp4_elem_bytes(t->fp4_format) : 1) * (1 - keep) + 2 * keep;
}

double aif_grad_bytes(const aif_train *t)
{
    if (!aif_optim_has_grad_buffer(t->optimizer))
        return 2;
    return t->grad_dtype == AIF_GRAD_BF16 ? 2 : 4;
}

double aif_optim_state_bytes(const aif_train *t) { return 4 + 2 * (t->moments_dtype == AIF_GRAD_BF16 ? 2 : 4); }

double aif_fp4_elem_bytes(int fp4_format) { return 0.5 + (fp4_format == AIF_MXFP4 ? 1.0 / 32 : 1.0 / 16); }

double aif_fp4_quant_bytes(int fp4_format)
{
    return 2 + (fp4_format == AIF_MXFP4 ? 0 : 2) + 2 * aif_fp4_elem_bytes(fp4_format);
}
