/* memory.h -- bytes a training job holds on one GPU.
 *  weights, gradients, optimizer state per parameter (bytes):
 *    none (replicated Adam, Megatron):   2 + 4 + 12
 *    distributed (Megatron dist. opt.):  2 + 4 + 12/N
 *    zero1 / zero2 / zero3, fsdp (ZeRO paper, Rajbhandari et al. 2020, K = 12):
 *                                        2 + 2 + 12/N,  2 + (2 + 12)/N,  (2 + 2 + 12)/N
 *    zero3/fsdp with pipelining keep zero2's, except that a stack whose pipeline accumulates
 *    the gradients unsharded over the microbatches (framework pp_grad_accum_bytes, torchtitan
 *    on PyTorch's pipeline stages: 4, fp32) holds them whole;
 *    N = data-parallel ranks sharing the state (dp*cp; dp*cp/ep for experts; under
 *    hybrid sharding, train.dp_shard, the shard groups: dp_shard*cp, and for experts
 *    edp / (dp / dp_shard); the communicator groups' sizes, graph.h);
 *    fp8 training keeps one more byte per weight (the fp8 copy), fp4 0.5625 (NVFP4: 4 bits
 *    and an E4M3 scale per 16) or 0.53125 (MXFP4: an E8M0 scale per 32), each only on the
 *    layers the recipe does not keep in bf16; the fp32 master weights and Adam moments (the
 *    12) are the same in every recipe (the NVFP4 paper keeps master weights in fp32), 8 with
 *    the moments in bf16 (train.moments_dtype, aif_optim_state_bytes).
 *  activations per layer and microbatch: the tensors each op saves for backward
 *    (Korthikanti et al. 2022, sec. 4: 34*s*b*h + 5*a*s^2*b for GPT with no
 *    parallelism; sharded by tp with sequence parallelism; flash attention keeps
 *    no s^2 term; full recompute keeps only the layer input; under LoRA a frozen
 *    GEMM's input, kept only for its weight gradient, is not kept: fc1's and fc2's
 *    inputs unless the MLP is adapted, the router's and routed experts' always), times the
 *    microbatches in flight on the rank (workload/schedule.h: min(w + 1, m vpp) / vpp
 *    for a warm-up of w chunks, min(m, pp - rank) under 1F1B);
 *    a stack with per-op selective checkpointing (selective_gemm_share > 0, torchtitan)
 *    keeps a block's input, SDPA's output and log-sum-exp, its odd-numbered mms' bf16
 *    outputs (fp8 ones too) and, with sequence parallelism, its reduce-scatters' (memory.c, op_sac_layer);
 *  on top of them the larger of the last rank's logits of one microbatch (the stack's
 *    loss_bytes a logit, 6 for Megatron-Core: bf16 logits and the fp32 softmax) and the
 *    layer a recompute rebuilds in the backward (its tensors without recompute less those
 *    kept), the logits being freed before the first layer's backward;
 *  activation offload (train.offload, pp 1): layers 0 .. N-1 (graph.h, offload_layers) leave
 *    HBM for host memory; Transformer Engine's synchronizer releases layer i before layer
 *    L - N + i runs, so at most L - N consecutive layers' activations are on the GPU at once
 *    (its get_cpu_offload_context: "activation memory usage is equal to (num_layers -
 *    num_offloaded_layers) * T"); the offloaded layers' bytes are host_bytes;
 *  workspace: CUDA context, cuBLAS workspace, NCCL buffers, allocator slack. */
#ifndef AIF_MEMORY_H
#define AIF_MEMORY_H

#include "aifsim/graph.h"
#include "workload/transformer.h"

/* Memory of the busiest pipeline rank. */
void aif_memory_estimate(const aif_scenario *s, const aif_graph *g, aif_memory *out);
/* The same with the model's dimensions known (aif_model_dims(&s->model)). */
void aif_memory_estimate_dims(const aif_scenario *s, const aif_graph *g, const aif_dims *dims, aif_memory *out);
/* The activations one layer saves for its backward per microbatch on one GPU: [0] a
 * dense layer's, [1] a MoE layer's (0 for a dense model), as s's recompute mode keeps them. */
void aif_memory_layer_bytes(const aif_scenario *s, double out[2]);

#endif
