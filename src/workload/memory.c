/* memory.c -- per-GPU memory footprint of a training job (model in memory.h). */
#include "workload/memory.h"
#include "workload/offload.h"
#include "workload/schedule.h"
#include "workload/transformer.h"

#include <string.h>

typedef struct per_layer {
    double dense, moe, full;
    double full_extra;   /* of full, the kept outputs a layer without recompute does not hold (out_proj, mlpwo) */
} per_layer;

/* Per-op selective checkpointing (a stack with selective_gemm_share > 0: torchtitan's
 * selective_ac_option "op", pytorch/torchtitan parallelize_llama.py _apply_ac_to_transformer_block
 * at 9dec370, e7c0cae and 2c8b5947): each block runs under a checkpoint whose policy keeps
 * the outputs of the ops in its save list (aten.mm, the SDPA flash and efficient kernels,
 * reduce-scatter, max) but every second aten.mm of the block, counted from one in the
 * block's forward, and recomputes every other op in the backward.  Between a block's
 * forward and its backward it therefore holds its input, the attention kernel's output and
 * log-sum-exp, and the outputs of the odd-numbered mms in the order the block calls them
 * (Llama: wq, wk, wv, wo, w1, w3, w2: wq, wv, w1 and w2 kept).  A GEMM in fp8 or fp4 is
 * kept and counted the same: torchao's Float8Linear calls torch.mm on its Float8Tensor
 * operands (torchao/float8/float8_linear.py, matmul_with_hp_or_float8_args.forward), and the
 * checkpoint's dispatch mode sees that aten.mm, with its bf16 output, before the tensor
 * subclass turns it into torch._scaled_mm (PyTorch runs a dispatch mode ahead of a subclass's
 * __torch_dispatch__); the published peaks agree: fp8 within 0.3% of bf16 at the same
 * settings (validation/memory.csv, tt2412-8b-*-compile-fp8-mem).  A MoE
 * layer's routed experts run as a grouped mm, also outside the list; its router and
 * shared experts are mms.  Under tensor parallelism a column-parallel mm's output is
 * split over tp, a row-parallel one's (wo, w2) is the whole sequence's partial sum before
 * its reduce-scatter, and with sequence parallelism the two reduce-scatters' outputs
 * (the sequence shard, in the save list too) are kept as well, in every precision. */
static double op_sac_layer(const aif_scenario *s, const aif_dims *d, int moe_layer)
{
    const aif_model *m = &s->model;
    const aif_train *tr = &s->train;
    double t = tr->par.tp, c = tr->par.cp, h = m->hidden;
    double T = (double)tr->mbs * tr->seq / c;
    double el = tr->par.sp && t > 1 ? T / t : T;
    double kept = 2 * el * h + 2 * T * d->out_in / t + 4 * T * m->heads / t;   /* input, SDPA out and lse */
    if (tr->par.sp && t > 1)
        kept += 2 * 2 * el * h;   /* wo's and w2's reduce-scatter outputs */
    double kv = d->kv_dim / 2 / t > m->head_dim ? d->kv_dim / 2 / t : m->head_dim;
    double out[16];   /* each mm's output elements, in the block's order */
    int n = 0;
    out[n++] = T * d->q_dim / t;
    out[n++] = T * kv;
    out[n++] = T * kv;
    out[n++] = T * h;   /* wo: row-parallel, the partial sum */
    double ffn = m->ffn;
    if (moe_layer) {
        out[n++] = T * m->moe.experts;   /* the router, replicated */
        ffn = m->moe.expert_ffn * m->moe.shared_experts;
    }
    if (ffn > 0) {
        out[n++] = T * ffn / t;
        if (d->gated)
            out[n++] = T * ffn / t;
        out[n++] = T * h;   /* w2: row-parallel */
    }
    for (int i = 0; i < n; i += 2)   /* the first, third, ... mm */
        kept += 2 * out[i];
    return kept;
}

/* Bytes a kept GEMM input takes (layer_activations): 2 (bf16: a bf16 recipe, or a stack that
 * keeps the bf16 input, framework.bf16_saved_inputs), else the recipe's format as Transformer
 * Engine keeps it, fp8's 1 byte a value, fp4's half
 * byte and one scale byte per block (NVFP4: 16 values, MXFP4: 32; Transformer Engine's
 * quantized tensors).  MXFP8's and blockwise fp8's scales (a byte per 32 or 128 values) and the
 * bf16 layers a recipe keeps (train.bf16_first_layers, _last_layers) are left out. */
static double quantized_input_bytes(const aif_scenario *s)
{
    if (s->framework.bf16_saved_inputs)
        return 2;
    if (s->train.precision == AIF_FP8)
        return 1;
    if (s->train.precision == AIF_FP4)
        return 0.5 + (s->train.fp4_format == AIF_MXFP4 ? 1.0 / 32 : 1.0 / 16);
    return 2;
}

/* Activations one layer keeps for its backward (Korthikanti et al. 2022, "Reducing Activation
 * Recomputation in Large Transformer Models", sec. 4: bytes per tensor saved), by kind of
 * layer, and under full recompute its input alone.  Selective recompute by module
 * (train.recompute_modules; Megatron-Core's recompute_modules, transformer_config.py) drops
 * what a module made inside and keeps what it is given: core_attn the unfused kernel's scores
 * (flash attention keeps none); layernorm each norm's output (every GEMM input counted below
 * that is one: CheckpointWithoutOutput frees the tensor, whoever holds it, and recomputes it
 * before its first use in the backward); mla_up_proj the attention core's query, key and value
 * (its inputs, the latents, are the up-projections' saved inputs either way, which this count
 * leaves out as before); mlp a dense layer's fc1 output and activation output, moe everything
 * inside an MoE layer, shared_experts the shared experts' two, each keeping its input (the norm
 * output: tensor_parallel.checkpoint saves the inputs of the function it replays); moe_act the
 * routed experts' activation output (the fc2 input). */
static void layer_activations(const aif_scenario *s, const aif_dims *d, int rc, per_layer *pl)
{
    const aif_model *m = &s->model;
    const aif_train *tr = &s->train;
    double t = tr->par.tp, c = tr->par.cp, h = m->hidden;
    double T = (double)tr->mbs * tr->seq / c;
    int sp = tr->par.sp && t > 1;
    double el = sp ? T / t : T;
    /* the modules, Megatron-Core's only (a stack with its own per-op policy: op_sac_layer) */
    unsigned mods = rc != AIF_RC_SELECTIVE || s->framework.selective_gemm_share > 0 ? 0 : aif_recompute_modules_of(tr);
    int norm_rc = (mods >> AIF_RCM_LAYERNORM) & 1, mla_rc = (mods >> AIF_RCM_MLA_UP_PROJ) & 1;
    int mlp_rc = (mods >> AIF_RCM_MLP) & 1, moe_rc = (mods >> AIF_RCM_MOE) & 1;
    int shared_rc = (mods >> AIF_RCM_SHARED_EXPERTS) & 1, act_rc = (mods >> AIF_RCM_MOE_ACT) & 1;
    /* a low-precision GEMM's saved input: bf16 (2 bytes), or the recipe's format where the
     * stack keeps it quantized (Transformer Engine's Linear and LayerNormLinear save the fp8 or
     * fp4 copy the wgrad GEMM reads; framework.bf16_saved_inputs: torchao's bf16 input) */
    int lora = tr->lora.rank > 0;   /* the adapters read their inputs in bf16; the frozen GEMMs keep none */
    double qb = lora ? 2 : quantized_input_bytes(s);
    /* one kept copy of a norm's output, the next GEMM's input: the rank's sequence shard, or
     * under DTensor's sequence parallelism (framework tp_dtensor) the gathered sequence, which
     * the column-parallel mm saves as it read it (its backward gathers nothing again): in the
     * low-precision format where the stack gathers it so (fp8_tp_gather: torchao's
     * Float8ColwiseParallel casts before the gather, and the float8 mm saves that tensor) */
    double norm_out = norm_rc ? 0 : qb * el * h;
    if (!norm_rc && sp && s->framework.tp_dtensor) {
        double gb = aif_tp_gather_lp_bytes(tr, &s->framework);
        norm_out = (!lora && gb < 2 ? gb : qb) * T * h;
    }
    double norm_bf16 = norm_rc ? 0 : 2 * el * h;   /* the same in bf16: what a checkpointed module or the router keeps */
    double kvl = m->attention == AIF_ATTN_MLA ? d->kv_dim / t
                 : (m->kv_heads / t < 1 ? 1 : m->kv_heads / t) * 2.0 * m->head_dim;
    double qkv = m->attention == AIF_ATTN_MLA && mla_rc ? 0 : 2 * T * (d->q_dim / t + kvl);
    double attn = 2 * el * h + norm_out + qkv + 2 * T * d->out_in / t + el * h * d->dropout;
    if (qb < 2)   /* the output projection's quantized input, beside the attention output its kernel keeps */
        attn += qb * T * d->out_in / t;
    if (tr->attention != AIF_ATTN_UNFUSED)
        attn += 4 * T * m->heads / t;
    else if (rc == AIF_RC_NONE || (rc == AIF_RC_SELECTIVE && !(mods & 1u << AIF_RCM_CORE_ATTN) &&
                                   !(s->framework.selective_gemm_share > 0)))
        attn += (d->dropout ? 5.0 : 2.0) * tr->mbs * (m->heads / t) * (tr->seq / c) * tr->seq;
    double gm = d->gated ? 2 : 1;
    /* the activation function's input, kept for its backward: bf16, or fp8 under train.fp8_act_input
     * (Megatron-Core's activation_func_fp8_input_store: megatron/core/fusions/fused_bias_swiglu.py
     * saves input.to(torch.float8_e4m3fn), the dense, shared and routed experts' SwiGLU alike; under
     * the moe_act recompute module the routed experts' checkpoint keeps its bf16 input instead, the
     * fp8 copy living only from the replay to the backward) */
    double ai = tr->fp8_act_input ? 1 : 2;
    /* LoRA: a frozen GEMM's input is kept only for its weight gradient (Transformer
     * Engine's Linear and LayerNormLinear save it only when the weight requires grad),
     * so a frozen MLP keeps neither fc1's input (the norm output) nor fc2's (the
     * activation output); the attention's inputs stay: the adapters on qkv (every
     * target) read the norm output, and flash attention keeps its own output, o's input */
    int frozen_mlp = tr->lora.rank > 0 && tr->lora.targets != AIF_LORA_ALL;
    double mlp = mlp_rc ? 2 * el * h + norm_bf16 + el * h * d->dropout   /* its input, the norm output */
                        : 2 * el * h + (frozen_mlp ? 0 : norm_out + qb * T * m->ffn / t) + ai * T * m->ffn * gm / t +
                              el * h * d->dropout;
    double moe = 0;
    if (m->moe.experts) {
        double imb = tr->par.ep > 1 && tr->ep_imbalance > 1 ? tr->ep_imbalance : 1;   /* the busiest rank */
        double et = tr->par.etp, slots = el * m->moe.top_k * et * imb, fe = m->moe.expert_ffn;
        double fs = fe * m->moe.shared_experts;
        /* norm input, router input, dispatched tokens (the expert fc1 input), activation
         * input and fc2 input; the all-to-all buffers are not kept for backward.  Under
         * LoRA the router and routed experts are frozen: their GEMMs' inputs not kept.  The
         * router keeps its input in bf16 (it is no Transformer Engine GEMM); the experts'
         * grouped GEMMs their quantized inputs */
        if (moe_rc) {   /* its input, the norm output */
            moe = 2 * el * h + norm_bf16;
        } else {
            moe = 2 * el * h + (lora ? 0 : norm_bf16 + qb * slots * h + (act_rc ? 0 : qb * slots * fe / et)) +
                  (act_rc ? 2 : ai) * slots * fe * gm / et;
            if (fs > 0 && shared_rc)   /* its input, the norm output */
                moe += norm_bf16;
            else if (fs > 0)
                moe += (frozen_mlp ? 0 : norm_out + qb * T * fs / t) + ai * T * fs * gm / t;
        }
    }
    pl->dense = attn + mlp;
    pl->moe = attn + moe;
    if (rc == AIF_RC_SELECTIVE && s->framework.selective_gemm_share > 0 && tr->attention != AIF_ATTN_UNFUSED) {
        pl->dense = op_sac_layer(s, d, 0);
        pl->moe = op_sac_layer(s, d, 1);
    }
    pl->full = 2 * el * h;
    /* what a full recompute keeps besides the layer's input (train.recompute_saved, JAX's
     * save_only_these_names in MaxText): each named output in bf16 */
    unsigned saved = rc == AIF_RC_FULL ? tr->recompute_saved : 0;
    if (saved & 1u << AIF_RCS_QKV_PROJ)
        pl->full += 2 * T * (d->q_dim / t + kvl);
    if (saved & 1u << AIF_RCS_CONTEXT)   /* the attention output and its softmax statistics */
        pl->full += 2 * T * d->out_in / t + 4 * T * m->heads / t;
    if (saved & 1u << AIF_RCS_MLPWI)   /* the MLP's input projections' outputs (a gated MLP's two) */
        pl->full += 2 * T * (double)m->ffn * (d->gated ? 2 : 1) / t;
    pl->full_extra = 0;
    if (saved & 1u << AIF_RCS_OUT_PROJ)
        pl->full_extra += 2 * el * h;
    if (saved & 1u << AIF_RCS_MLPWO)
        pl->full_extra += 2 * el * h;
    pl->full += pl->full_extra;
}

/* What one layer's backward rebuilds on top of what the layers keep: a recomputed layer
 * (full recompute, or the recomputed ops of a selective one) holds its saved tensors
 * again, one layer at a time, until its backward frees them (Korthikanti et al. 2022,
 * sec. 5: the recomputation's memory is one layer's). */
static double recompute_transient(const aif_scenario *s, const aif_dims *d, const per_layer *kept)
{
    int rc = s->train.recompute;
    if (rc == AIF_RC_NONE)
        return 0;
    per_layer none;
    layer_activations(s, d, AIF_RC_NONE, &none);
    double full_in_none = kept->full - kept->full_extra;   /* what the replayed layer holds anyway */
    double dense = none.dense - (rc == AIF_RC_FULL ? full_in_none : kept->dense);
    double moe = s->model.moe.experts ? none.moe - (rc == AIF_RC_FULL ? full_in_none : kept->moe) : 0;
    double most = dense > moe ? dense : moe;
    return most > 0 ? most : 0;
}

/* Bytes per logit the loss holds at its peak: the stack's, else Megatron-Core's vocab-parallel
 * cross entropy (the bf16 logits and their fp32 softmax, data/frameworks.yaml loss_bytes). */
static double loss_bytes(const aif_scenario *s)
{
    return s->framework.loss_bytes > 0 ? s->framework.loss_bytes : 6;
}

void aif_memory_layer_bytes(const aif_scenario *s, double out[2])
{
    aif_dims d;
    aif_model_dims(&s->model, &d);
    per_layer pl;
    layer_activations(s, &d, s->train.recompute, &pl);
    out[0] = s->train.recompute == AIF_RC_FULL ? pl.full : pl.dense;
    out[1] = s->model.moe.experts ? (s->train.recompute == AIF_RC_FULL ? pl.full : pl.moe) : 0;
}

/* Activation offload (memory.h): the most any `keep` consecutive layers of the stage hold
 * (L - N under Transformer Engine's synchronizer; a stack running each copy D layers ahead
 * holds D + 1 in flight, workload/offload.h), layers [0, nd) dense and the rest MoE, so a
 * window's sum is monotone in its start and the most is at the first window left on the
 * GPU (layers 1 .. keep) or the last (L-keep .. L-1); *host gets layers 0 .. N-1. */
static double offload_kept(int layers, int nd, int n, int keep, double dense, double moe, double *host)
{
    double first = 0, last = 0;
    for (int j = 1; j <= keep; j++)
        first += j < nd ? dense : moe;
    for (int j = layers - keep; j < layers; j++)
        last += j < nd ? dense : moe;
    *host = 0;
    for (int j = 0; j < n; j++)
        *host += j < nd ? dense : moe;
    return first > last ? first : last;
}

/* The layers an offloading stage holds at once: L - N (Transformer Engine), or the D + 1 in
 * flight of a stack that runs each copy D layers ahead, whichever is more, at most L. */
static int offload_window(int layers, int n, int ahead)
{
    int keep = layers - n, d = aif_offload_ahead(layers, n, ahead) + 1;
    keep = d > keep ? d : keep;
    return keep < layers ? keep : layers;
}

void aif_memory_estimate(const aif_scenario *s, const aif_graph *g, aif_memory *out)
{
    aif_dims d;
    aif_model_dims(&s->model, &d);
    aif_memory_estimate_dims(s, g, &d, out);
}

void aif_memory_estimate_dims(const aif_scenario *s, const aif_graph *g, const aif_dims *dims, aif_memory *out)
{
    const aif_model *m = &s->model;
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;
    const aif_dims d = *dims;
    per_layer pl, none = {0};
    layer_activations(s, &d, tr->recompute, &pl);
    if (g->recompute_layers > 0)
        layer_activations(s, &d, AIF_RC_NONE, &none);
    double transient = recompute_transient(s, &d, &pl);
    double t = p->tp;
    double n_dp = g->groups[AIF_GRP_DP].size, n_edp = g->groups[AIF_GRP_EDP].size;
    int opt = tr->optimizer;
    /* zero3/fsdp with pipelining keep the parameters gathered: zero2's memory, but for a stack
     * whose pipeline accumulates the gradients unsharded over the microbatches (PyTorch's
     * stages run every backward without gradient sync, FSDP2 keeping them in its reduce dtype) */
    int accum = opt != AIF_OPT_ZERO2 && aif_layer_sharding(opt, p->pp) == AIF_SHARD_GRADS &&
                s->framework.pp_grad_accum_bytes > 0;
    if (aif_layer_sharding(opt, p->pp) == AIF_SHARD_GRADS)
        opt = AIF_OPT_ZERO2;
    /* bf16 weights, plus the low-precision copy of the layers the recipe runs in fp8 or fp4 */
    double lp = 1 - aif_bf16_layer_share(tr, m->layers);
    double w_b = 2 + (tr->precision == AIF_FP8 ? 1 * lp : tr->precision == AIF_FP4 ? aif_fp4_elem_bytes(tr->fp4_format) * lp : 0),
           g_b, o_b = aif_optim_state_bytes(tr);
    if (tr->fp8_params)   /* fp8 alone where the recipe runs fp8, bf16 where it keeps layers (train.fp8_params) */
        w_b = aif_param_bytes(tr, m->layers);   /* master weights and Adam's moments (train.moments_dtype) */
    memset(out, 0, sizeof *out);
    out->hbm_bytes = s->cluster.gpu.hbm_bytes;
    double best = -1;
    /* over the stage classes (graph.h), each at its first rank: a class's ranks hold
     * the same weights and the first holds the most microbatches in flight (their
     * count does not grow with the rank, schedule.h), so the busiest rank is the one
     * a loop over every rank finds */
    for (int k = 0, n_classes = aif_graph_n_stage_classes(g); k < n_classes; k++) {
        aif_stage_class sc;
        aif_graph_stage_class(g, k, &sc);
        const aif_stage st = sc.st;
        int r = sc.rank;
        double attn_p = d.attn_params / t + d.norm_params;
        double dense = st.dense_layers * (attn_p + d.mlp_params / t) +
                       st.moe_layers * (attn_p + d.router_params + d.shared_params / t) +
                       st.embed * d.embed_params / t + st.head * (d.head_params / t + d.final_norm_params);
        if (st.head && m->tied_embeddings && p->pp > 1)
            dense += d.embed_params / t;
        /* of those, the embedding and the output head (with the final norm): weights the low-precision
         * recipe leaves in bf16 alone (Transformer Engine quantizes its Linear modules; the fp4 LoRA
         * runs' pre-quantization its decoder layers' alone: custom_callbacks.py), no fp8 or fp4 copy */
        double edge = st.embed * d.embed_params / t + st.head * (d.head_params / t + d.final_norm_params);
        if (st.head && m->tied_embeddings && p->pp > 1)
            edge += d.embed_params / t;
        double expert = st.moe_layers * d.expert_params * (m->moe.experts ? m->moe.experts : 0) / p->ep / p->etp;
        if (st.head && m->mtp_layers > 0) {   /* the prediction blocks' projections (their layers are the
                                                 stage's, aif_graph_shape) and the embedding they share */
            dense += m->mtp_layers * d.mtp_proj_params / t;
            if (!m->tied_embeddings && p->pp > 1) {
                dense += d.embed_params / t;
                edge += d.embed_params / t;
            }
        }
        double wt, gr, op;
        switch (opt) {
        case AIF_OPT_NONE: g_b = aif_grad_bytes(tr); wt = w_b * (dense + expert); gr = g_b * (dense + expert); op = o_b * (dense + expert); break;
        case AIF_OPT_DISTRIBUTED: g_b = aif_grad_bytes(tr); wt = w_b * (dense + expert); gr = g_b * (dense + expert);
            op = o_b * (dense / n_dp + expert / n_edp); break;
        case AIF_OPT_ZERO1: g_b = 2; wt = w_b * (dense + expert); gr = g_b * (dense + expert);
            op = o_b * (dense / n_dp + expert / n_edp); break;
        case AIF_OPT_ZERO2: g_b = 2; wt = w_b * (dense + expert); gr = g_b * (dense / n_dp + expert / n_edp);
            if (accum)
                gr = s->framework.pp_grad_accum_bytes * (dense + expert);
            op = o_b * (dense / n_dp + expert / n_edp); break;
        default: { /* zero3, fsdp: everything sharded, plus two gathered layers (current + prefetch) */
            double layer_full = (d.attn_params + (m->moe.experts ? d.shared_params : d.mlp_params)) / t +
                                (m->moe.experts ? d.expert_params * m->moe.experts / p->ep / p->etp : 0);
            g_b = 2;
            wt = w_b * (dense / n_dp + expert / n_edp) + 2 * 2 * layer_full;
            gr = g_b * (dense / n_dp + expert / n_edp) + 2 * layer_full;
            op = o_b * (dense / n_dp + expert / n_edp);
        }
        }
        /* the embedding and head in bf16 alone (sharded as the rest under zero3 and fsdp) */
        wt += (2 - w_b) * (opt > AIF_OPT_ZERO2 ? edge / n_dp : edge);
        /* a stack that accumulates each micro-batch's gradients into an fp32 buffer beside them
         * (framework grad_accum_bytes; DeepSpeed's BF16_Optimizer keeps the bf16 gradients and
         * an unsharded fp32 copy): 4 bytes more a weight */
        if (s->framework.grad_accum_bytes > 0 && opt <= AIF_OPT_ZERO1)
            gr += 4 * (dense + expert);
        if (tr->lora.rank > 0) {   /* frozen weights; the adapters' weights, gradients and optimizer state */
            double in0, out0, in1, out1;
            aif_lora_widths(m, &d, tr->lora.targets, 0, t, &in0, &out0);
            aif_lora_widths(m, &d, tr->lora.targets, 1, t, &in1, &out1);
            double ad = tr->lora.rank * (st.dense_layers * (in0 + out0) + st.moe_layers * (in1 + out1));
            wt += 2 * ad;   /* the adapters: bf16, their GEMMs run in bf16 */
            gr = g_b * ad;
            op = o_b * (opt == AIF_OPT_NONE ? ad : ad / n_dp);
        }
        double inflight = aif_sched_in_flight((aif_pipe){p->pp, p->vpp, g->microbatches}, r);
        double act_layer_d = tr->recompute == AIF_RC_FULL ? pl.full : pl.dense;
        double act_layer_m = tr->recompute == AIF_RC_FULL ? pl.full : pl.moe;
        /* under recompute_layers the layers past each chunk's first N hold what they would
         * without a replay (aif_stage.keep_*) */
        double act = ((st.dense_layers - st.keep_dense) * act_layer_d + st.keep_dense * none.dense +
                      (st.moe_layers - st.keep_moe) * act_layer_m + st.keep_moe * none.moe) * inflight,
               host = 0;
        if (g->offload_layers > 0)   /* pp 1: the stage is every layer, one microbatch in flight */
            act = offload_kept(g->layers, g->dense_layers, g->offload_layers,
                               offload_window(g->layers, g->offload_layers, s->framework.offload_prefetch),
                               act_layer_d, act_layer_m, &host);
        /* the peak: the loss's logits on the last stage (with the prediction blocks'), or a
         * recomputed layer's tensors in the backward, whichever is larger (the loss's are
         * freed before the first layer's backward runs) */
        double peak = 0;
        if (st.head)
            peak = (double)tr->mbs * tr->seq / p->cp * m->vocab / t * loss_bytes(s);
        if (st.head && m->mtp_layers > 0)   /* each block's projection input and its logits */
            peak += m->mtp_layers * ((double)tr->mbs * tr->seq / p->cp) * (4.0 * m->hidden + m->vocab / t * loss_bytes(s));
        act += peak > transient ? peak : transient;
        double total = wt + gr + op + act + s->cluster.gpu.calib.workspace_bytes;
        if (total > best) {
            best = total;
            out->weights_bytes = wt;
            out->grads_bytes = gr;
            out->optimizer_bytes = op;
            out->activations_bytes = act;
            out->host_bytes = host;
            out->workspace_bytes = s->cluster.gpu.calib.workspace_bytes;
            out->total_bytes = total;
        }
    }
}
