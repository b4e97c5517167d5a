/* transformer.h -- closed-form sizes of a decoder-only transformer: parameter
 * counts and the forward FLOPs that define model FLOP/s and MFU.
 * Conventions (Narayanan et al. SC'21 eq. 3; Megatron-LM num_floating_point_operations):
 * a multiply-add is 2 FLOPs; attention scores count the full s x s square (no
 * causal halving); the backward pass is twice the forward. */
#ifndef AIF_TRANSFORMER_H
#define AIF_TRANSFORMER_H

#include "aifsim/aifsim.h"

typedef struct aif_dims {
    double q_dim, kv_dim;      /* query width a*d_qk, key+value width (per full model) */
    double dqk, dv;            /* head dims of scores and values */
    double out_in;             /* input width of the output projection a*d_v */
    double attn_params;        /* attention weights per layer */
    double mlp_params;         /* dense MLP weights per layer */
    double expert_params;      /* one routed expert's weights */
    double shared_params;      /* all shared experts' weights per MoE layer */
    double router_params;      /* per MoE layer */
    double norm_params;        /* per layer */
    double final_norm_params;  /* after the last layer */
    double embed_params;       /* input embedding (+ learned positions) */
    double head_params;        /* output projection (0 when tied) */
    double mtp_proj_params;    /* one multi-token-prediction block's own weights beside its layer: the
                                  projection of [hidden; embedding] (2h x h) and its two RMSNorms */
    int gated;                 /* MLP has gate and up projections (SwiGLU, GeGLU) */
    int dropout;               /* the model trains with dropout (GPT-era, learned positions) */
} aif_dims;

void aif_model_dims(const aif_model *m, aif_dims *d);
/* Forward matmul FLOPs of one layer for one token attending to `ctx` tokens (unmasked). */
double aif_layer_fwd_flops_per_token(const aif_model *m, int moe_layer, double ctx);
/* Forward matmul FLOPs of the whole model for one sequence of length seq. */
double aif_model_fwd_flops_per_seq(const aif_model *m, double seq);
/* aif_model_params and aif_model_active_params at once (the model's dimensions once). */
void aif_model_param_counts(const aif_model *m, double *params_all, double *params_active);
/* LoRA: the summed input and output widths of one layer's adapted weights on one GPU of
 * a tp group (targets, aif_lora_target_names: 0 attention, the q, k, v and output
 * projections; 1 all, those and a dense layer's MLP, or an MoE layer's shared experts;
 * 2 qkv, the fused q, k, v projection alone, one adapter), so its adapters hold
 * rank x (in + out) parameters and cost 2 x rank x (in + out) FLOPs per token forward. */
void aif_lora_widths(const aif_model *m, const aif_dims *d, int targets, int moe_layer, double tp, double *in,
                     double *out);
/* Multi-token prediction (model.mtp_layers; DeepSeek-V3 report arXiv:2412.19437 sec. 2.2):
 * whether its blocks are MoE layers (the kind of the model's last layer), and the forward
 * FLOPs of all of them per token at context ctx: each block's layer, its 2h x h projection
 * and one more pass of the shared output head. */
int aif_mtp_is_moe(const aif_model *m);
double aif_mtp_fwd_flops_per_token(const aif_model *m, double ctx);
/* Sliding-window attention (model.sliding_window, full_attention_every): the share of the
 * model's layers that attend a window, and the keys a query of a sequence of length seq
 * attends on average in such a layer, causal: (W seq - W (W - 1) / 2) / seq for seq >= W
 * (the first W queries see fewer), against (seq + 1) / 2 for full causal attention. */
double aif_model_window_share(const aif_model *m);
/* Whether layer i (0-based) of m attends a sliding window: model.sliding_window set, and i
 * not one of the full-attention layers ((i + 1) % full_attention_every == 0). */
int aif_layer_windowed(const aif_model *m, int i);
double aif_window_keys_per_query(double window, double seq);
/* Keys per query a fused kernel of block_n-key tiles computes for a causal band of
 * `window` keys, averaged over the query tiles: a tile of queries reads every key tile its
 * band touches (masked parts included), 1 + ceil((window - 1) / block_n) of them once the
 * band is whole, i + 1 for tile i before (the causal start); 0 when block_n is 0 or the
 * window covers the sequence.  Tiles are square (a query tile as tall as a key tile is
 * wide); a sequence that is not a whole number of tiles ends in a partial tile of each, and
 * a tile longer than the sequence is the sequence (one tile, every key: MaxText's
 * min(block, seq)). */
double aif_window_kernel_keys(double window, double seq, int block_n);
/* The length a fused attention op's efficiency curve reads (aif_op.k; the calibration's
 * attn_kv_half, fitted on causal kernels whose k is the sequence): twice the keys a query
 * computes on average.  A causal kernel's query averages half the sequence, so a fixed cost
 * per query tile amortises the same way over a causal layer (k = seq), a sliding window's
 * band (k = twice its keys per query, in whole tiles where the kernel computes them) and a
 * serving batch's prefill or decode (twice its keys per query). */
double aif_attn_curve_keys(double keys_per_query);
/* Attention-core (scores and weighted sum) forward FLOPs of the whole model per sequence. */
double aif_model_attn_core_flops_per_seq(const aif_model *m, double seq);
/* Selective recompute by submodule (train.recompute_modules, Megatron-Core's --recompute-modules):
 * the AIF_RCM_* bits replayed, train.recompute_modules or core_attn when not given; 0 unless
 * recompute is selective. */
unsigned aif_recompute_modules_of(const aif_train *t);
/* The forward matmul FLOPs, whole model per sequence, that the modules `mods` (AIF_RCM_* bits)
 * replay, the attention core left out (aif_model_attn_core_flops_per_seq): each of the model's
 * layers and multi-token-prediction blocks (a layer of the last layer's kind) replays the MLA
 * up-projections (the query's projection whole when it has no low rank), a dense layer its MLP,
 * an MoE layer its router, routed (top_k) and shared experts (moe) and its shared experts again
 * (shared_experts: a checkpoint inside moe's replays its module once more, in the backward of
 * that replay); norms and activations are no matmuls. */
double aif_recompute_modules_flops_per_seq(const aif_model *m, unsigned mods, double seq);
/* The forward FLOPs a sequence of the outputs a full recompute keeps (train.recompute_saved,
 * bit 1 << AIF_RCS_x), which its replay does not run again: the qkv GEMMs (not MLA's), the
 * attention core, the output projection, a dense MLP's output projection. */
double aif_recompute_saved_flops_per_seq(const aif_model *m, unsigned saved, double seq);
/* bytes an element of a layer's sequence-parallel gather moves where the layer runs in low
 * precision: the quantized operand's where the stack gathers it so (framework fp8_tp_gather:
 * 1 in fp8, the fp4 format's bytes), else 2 (bf16) */
double aif_tp_gather_lp_bytes(const aif_train *t, const aif_framework *f);
/* forward FLOPs per sequence of the MoE layers' shared experts' down projections (0 without) */
double aif_shared_down_flops_per_seq(const aif_model *m, double seq);
/* Whether layer i (0-based) uses the MoE MLP. */
int aif_layer_is_moe(const aif_model *m, int i);
/* Low-precision recipes (train.precision fp8, fp4).  The share of a model of `layers`
 * layers that the recipe keeps in bf16: min(layers, first + last) / layers. */
double aif_bf16_layer_share(const aif_train *t, int layers);
/* Bytes a model weight is held in and gathered in: 2 (bf16), or under train.fp8_params 1 for
 * the layers the fp8 recipe runs and 2 for those it keeps in bf16; under an fp4 recipe with
 * LoRA, the frozen weights quantized once, before training, and held in fp4 alone: a row-wise
 * copy for the forward and a column-wise one for the input gradient, each aif_fp4_elem_bytes
 * (MLPerf Training v5.1 NVIDIA llama2_70b_lora PRE_QUANTIZED_MODEL: custom_callbacks.py
 * asserts both copies of every NVFP4 weight). */
double aif_param_bytes(const aif_train *t, int layers);
/* Bytes of one weight's gradient in the data-parallel buffer and its reduction
 * (train.grad_dtype): 4 (fp32) or 2 (bf16) under optimizer none and distributed, auto
 * being fp32; 2 under zero1, zero2, zero3 and fsdp. */
double aif_grad_bytes(const aif_train *t);
/* Bytes of the optimizer's state a weight: the fp32 master copy (4) and Adam's two moments,
 * 4 bytes each, or 2 each under train.moments_dtype bf16 (Megatron-Core's precision-aware
 * optimizer, --exp-avg-dtype bf16 --exp-avg-sq-dtype bf16; DeepSeek-V3's recipe): 12 or 8. */
double aif_optim_state_bytes(const aif_train *t);
/* Bytes per element of one fp4 tensor in HBM: 0.5 plus its block scale, one byte per 16
 * (NVFP4, E4M3) or per 32 (MXFP4, E8M0) elements. */
double aif_fp4_elem_bytes(int fp4_format);
/* HBM bytes per element the quantization of one fp4 GEMM operand moves: read bf16 (2),
 * read again for the per-tensor amax (NVFP4: 2), write the row-wise and the Hadamard-
 * transformed column-wise copies (2 x aif_fp4_elem_bytes). */
double aif_fp4_quant_bytes(int fp4_format);

#endif
