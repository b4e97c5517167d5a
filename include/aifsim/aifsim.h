/* aifsim.h -- public API of libaifsim, a digital twin of an AI factory.
 *
 * Pipeline (one direction): catalogs + scenario -> typed specs (aif_scenario)
 * -> step graph (aif_graph, see graph.h) -> engine (aif_estimate) -> aif_train_result.
 *
 * Conventions kept by every function here:
 *  - Functions that can fail return an aif_rc and fill an aif_err; they never
 *    print and never exit.  AIF_EINPUT means the user's input was wrong; the
 *    error then names file:line:col and the field path.
 *  - Every physical quantity carries its unit in its name: _s, _bytes, _Bps
 *    (bytes per second), _W, _J, _flops, _usd.
 *  - Structs are plain data; a scenario owns nothing on the heap, so it can be
 *    copied by value and changed field by field (sweeps do exactly that).
 */
#ifndef AIFSIM_H
#define AIFSIM_H

#include <stddef.h>
#include <stdbool.h>

#include "aifsim/version.h"   /* AIF_VERSION, generated from CMakeLists.txt's project(VERSION) */
#define AIFSIM_SERVE_SPEC_ONLY
#include "aifsim/serve.h"     /* aif_serve: the scenario's serve section (plain data) */
#undef AIFSIM_SERVE_SPEC_ONLY
#define AIFSIM_CLUSTER_SPEC_ONLY
#include "aifsim/cluster.h"   /* aif_ops: the scenario's operations section (plain data) */
#undef AIFSIM_CLUSTER_SPEC_ONLY

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- errors */

typedef enum aif_rc {
    AIF_OK = 0,
    AIF_EINPUT = 2,    /* bad user input: scenario, catalog, option, CSV */
    AIF_EIO = 3,       /* a file could not be read or written */
    AIF_ENOMEM = 4,
    AIF_EINTERNAL = 5  /* a broken invariant: a bug in aifsim */
} aif_rc;

typedef struct aif_err {
    aif_rc rc;
    char file[256];   /* input file, "<command line>", "<built-in:data/x.yaml>" or "" */
    int line, col;    /* 1-based; 0 when unknown */
    char path[160];   /* field path, e.g. "train.tp" */
    char msg[768];    /* what was wrong and what is accepted */
} aif_err;

/* Formats "file:line:col: path: msg" (the parts that are known) into buf. */
void aif_err_format(const aif_err *e, char *buf, size_t n);

/* Removes the temporary files of outputs being written (a report, a trace) that
 * have not yet been renamed into place.  Async-signal-safe: a program's handler for
 * SIGINT, SIGTERM or SIGPIPE calls it, then re-raises the signal, so an interrupted
 * run leaves no temporary file behind (the aifsim command does this). */
void aif_output_remove_temps(void);

/* ------------------------------------------------------------- catalogs */

typedef enum aif_prec { AIF_FP32, AIF_TF32, AIF_BF16, AIF_FP8, AIF_FP4, AIF_N_PREC } aif_prec;
/* The fp4 formats of Blackwell's block-scaled tensor cores: NVFP4 (E2M1 in blocks of 16
 * with an E4M3 scale, and an fp32 scale per tensor) and MXFP4 (OCP microscaling: blocks
 * of 32 with a power-of-two E8M0 scale). */
typedef enum aif_fp4_format { AIF_NVFP4, AIF_MXFP4, AIF_N_FP4_FORMAT } aif_fp4_format;
/* LoRA's adapted weights (train.lora.targets; aif_lora_target_names) */
typedef enum aif_lora_targets { AIF_LORA_ATTENTION, AIF_LORA_ALL, AIF_LORA_QKV } aif_lora_targets;
/* How the expert all-to-all moves tokens (train.ep_dispatch, aif_ep_dispatch_names: auto alltoall
 * deepep deepep-fp8 hybridep): alltoall sends every routed copy to its expert's rank in bf16 (NCCL
 * all-to-all, Megatron-Core's alltoall dispatcher; its NVLink term reaches the links' rate only
 * at large buffers, the scale-up fabric's a2a_half); deepep is a dispatch kernel at the links'
 * rate (AIF_COLL_DISPATCH: DeepEP, Megatron-Core's flex dispatcher with DeepEP), in
 * bf16, that sends a token once to each destination scale-up domain and fans it out there, and
 * inside one domain once to each rank that holds one of its experts; deepep-fp8 as deepep with the transfers that feed
 * the expert GEMMs in fp8 (DeepSeek-V3's own training); hybridep as deepep, with the
 * routing map all-gathered over the expert group before each forward dispatch (HybridEP's
 * metadata, Megatron-Core's flex dispatcher with moe_flex_dispatcher_backend hybridep);
 * auto is deepep for a model with node-limited routing (moe.max_nodes), else alltoall. */
/* How context parallelism moves the sequence (train.cp_comm, aif_cp_comm_names: auto p2p a2a
 * allgather; Megatron-Core's cp_comm_type): p2p passes each rank's keys and values round a ring,
 * a fused attention kernel per step over the local queries and one step's keys (Transformer
 * Engine's AttnFuncWithCPAndKVP2P, PyTorch's ring attention), the sends beside the kernels; a2a
 * exchanges queries, keys and values by all-to-all so that each rank holds the whole sequence for
 * 1/cp of the heads, one kernel over it, and the output back (DeepSpeed-Ulysses's, Transformer
 * Engine's AttnFuncWithCPAndQKVOA2A); allgather gathers the keys and values before one kernel over
 * the local queries and every key, their gradients reduce-scattered (MaxText's all_gather); auto
 * is the software stack's (data/frameworks.yaml cp_comm; Megatron-Core's p2p). */
typedef enum aif_cp_comm { AIF_CP_AUTO, AIF_CP_P2P, AIF_CP_A2A, AIF_CP_ALLGATHER, AIF_N_CP_COMM } aif_cp_comm;
typedef enum aif_ep_dispatch {
    AIF_EP_AUTO, AIF_EP_ALLTOALL, AIF_EP_DEEPEP, AIF_EP_DEEPEP_FP8, AIF_EP_HYBRIDEP, AIF_N_EP_DISPATCH
} aif_ep_dispatch;
/* The element type of the data-parallel gradient buffer and of its reduction
 * (train.grad_dtype, aif_grad_dtype_names: auto fp32 bf16), for optimizer none and
 * distributed (Megatron-Core's DistributedDataParallel): fp32 is Megatron-LM's rule for
 * bf16 training (accumulate_allreduce_grads_in_fp32), bf16 its --grad-reduce-in-bf16 and
 * Megatron-Bridge's grad_reduce_in_fp32 False; auto is fp32 for those optimizers and the
 * optimizer's own bf16 gradients for zero1, zero2, zero3 and fsdp. */
typedef enum aif_grad_dtype { AIF_GRAD_AUTO, AIF_GRAD_FP32, AIF_GRAD_BF16, AIF_N_GRAD_DTYPE } aif_grad_dtype;
/* Where a job's ranks sit (train.rank_order, aif_rank_order_names): the order of the parallel
 * dimensions from the fastest-varying rank index to the slowest, tp always first, as
 * Megatron-Core's RankGenerator takes it without ep.  tp-cp-dp-pp is Megatron-Core's default
 * (tp-cp-ep-dp-pp): a pipeline stage's ranks are consecutive, so its data-parallel peers share
 * a scale-up domain when they fit in one; tp-cp-pp-dp is its use_tp_pp_dp_mapping
 * (tp-cp-ep-pp-dp, MLPerf Training v5.1's TP_PP_DP_MAPPING): a model replica's ranks are
 * consecutive, its pipeline inside the domain and the data-parallel peers across domains;
 * tp-pp-cp-dp is NeMo 25.04's mapping of the same flag (tp-ep-pp-cp-dp). */
typedef enum aif_rank_order {
    AIF_ORDER_TP_CP_DP_PP, AIF_ORDER_TP_CP_PP_DP, AIF_ORDER_TP_PP_CP_DP, AIF_ORDER_TP_DP_CP_PP,
    AIF_ORDER_TP_DP_PP_CP, AIF_ORDER_TP_PP_DP_CP, AIF_N_RANK_ORDER
} aif_rank_order;

#define AIF_NAME_MAX 48
#define AIF_DESC_MAX 256
/* Other names of a catalog entry (its `aliases:` list), space-separated. */
#define AIF_ALIASES_MAX 160

/* Achieved fractions of peak for one accelerator family; see data/calibration.yaml
 * for the values and their sources.  All in (0, 1]. */
typedef struct aif_calib {
    char name[AIF_NAME_MAX];
    double matmul_eff;        /* large bf16 GEMM, fraction of dense peak */
    double matmul_eff_fp8;    /* large fp8 GEMM, fraction of dense fp8 peak (0 = as bf16) */
    double matmul_eff_fp4;    /* large block-scaled fp4 GEMM (NVFP4, MXFP4) of a training recipe, fraction
                                 of dense fp4 peak (0 = as fp8) */
    double matmul_k_half;     /* K at which a GEMM reaches half its large-K rate (elements) */
    double attn_fwd_eff;      /* fused (flash) attention forward, fraction of peak */
    double attn_bwd_eff;      /* fused (flash) attention backward, fraction of peak */
    double attn_kv_half;      /* length at which fused attention reaches half its long-sequence rate: a causal
                                 kernel's sequence, twice the keys a query computes (aif_op.k) */
    double attn_hd_half;      /* head dimension at which fused attention reaches half its large-head rate */
    double attn_fwd_eff_hd64, attn_bwd_eff_hd64;     /* measured at head dimension 64 and 192: the rate is then */
    double attn_fwd_eff_hd192, attn_bwd_eff_hd192;   /* piecewise linear in the head dimension through 64, 128
                                                        (attn_*_eff) and 192, constant beyond; 0 = attn_hd_half's curve */
    double attn_fp8_fwd_factor, attn_fp8_bwd_factor;             /* the fused attention in fp8 (train.attention_dtype */
    double attn_fp8_fwd_factor_hd64, attn_fp8_bwd_factor_hd64;   /* fp8): its rate over the bf16 kernel's at the same */
    double attn_fp8_fwd_factor_hd192, attn_fp8_bwd_factor_hd192; /* shape, at head dimension 128 (and 64, 192: linear
                                                        between, constant beyond); 0 = no measured fp8 kernel: refused */
    int attn_block_n;         /* keys per tile of the fused kernel's inner loop: a sliding-window layer computes
                                 whole tiles, window + attn_block_n keys per query; 0 = its band only */
    double attn_flash2_factor;/* FlashAttention-2's rate relative to the best fused kernel (attn_*_eff) */
    double overlap_slowdown;  /* extra compute time while communication kernels run beside it */
    double speed_spread;      /* standard deviation of one GPU's sustained compute speed across a fleet of
                                 its part, a fraction of the typical GPU's (manufacturing and power
                                 management): a synchronous job runs at its slowest GPU's pace
                                 (aif_scenario_pace); 0 = none published */
    double mem_eff;           /* streaming kernels, fraction of HBM bandwidth */
    double kernel_overhead_s; /* launch + tail per kernel */
    int n_sm;                 /* compute units that share a GEMM's tiles (wave quantisation) */
    int tile_m, tile_n;       /* output tile of the GEMM library's large-GEMM kernels */
    double grouped_m_half;    /* grouped GEMM (MoE experts): rows per group at which it reaches half its
                                 dense rate, rate(m) x m / (m + grouped_m_half); 0 = no such loss */
    double grouped_factor;    /* grouped GEMM of a MoE layer's experts, forward, fitted to a grouped kernel's
                                 own table: rate = the family's large-GEMM rate x this x k / (k + matmul_k_half)
                                 x g / (g + grouped_m_half), g a group's rows (no wave of one GEMM's tiles);
                                 0 = timed as one GEMM of its shape (and grouped_m_half) */
    double grouped_dgrad_factor; /* the same for the experts' input gradients */
    double grouped_wgrad_factor; /* the same for their weight gradients, k = g (a transposed grouped GEMM) */
    double grouped_unaligned_factor; /* with the grouped factors: a grouped GEMM whose weight's dimensions are not
                                 all multiples of the vector unit's 128 lanes runs at this fraction of the
                                 aligned rate (the kernel masks its partial tiles); 0 = no such loss */
    double mixed_input_factor; /* serving: a MoE's grouped expert GEMM whose 4-bit weights are widened in the
                                 kernel's main loop (under bf16 math, W4A16; under fp8 math on a GPU without
                                 fp4 tensor cores) runs at this fraction of its math's rate, fitted to a
                                 mixed-input kernel's own table; 0 = at its math's rate (none measured) */
    double workspace_bytes;   /* per GPU beside the model's state: runtime context, library workspaces, allocator slack */
    bool roofline;            /* no published kernel measurement: every efficiency is 1, so the figures
                                 computed with it are a roofline bound, and outputs say so */
} aif_calib;

/* A software stack (data/frameworks.yaml, scenario field train.framework): what it
 * changes in the compute model, each figure relative to the calibration family's, whose
 * efficiencies were measured on Megatron-Core with Transformer Engine kernels (the
 * default profile, megatron-core, is 1 and true everywhere and changes nothing).  At
 * load (aif_scenario_load) the profile is folded into the job's copy of the calibration
 * (src/scenario/scenario.c, framework_apply, each field by aif_framework_calib_factor)
 * and into the lowering (src/workload/lower_train.c): no engine reads it.  Factors are
 * > 0, but for those documented with 0 meaning absent (the attention factors: 1). */
typedef struct aif_framework {
    char name[AIF_NAME_MAX];
    char description[AIF_DESC_MAX];
    int attention;               /* aif_attn_kernel: the best fused attention the stack runs; a
                                    job asking for a better one gets this one */
    double matmul_factor;        /* bf16 GEMM rate relative to the family's (cuBLASLt/hipBLASLt = 1) */
    double fp8_matmul_factor;    /* fp8 GEMM rate relative to Transformer Engine's */
    int fp8_recipe;              /* aif_fp8_recipe: how fp8 scales are found (named in outputs) */
    double fp8_cast_factor;      /* bytes of the bf16 -> fp8 cast (and transpose) per fp8 GEMM operand,
                                    relative to Transformer Engine's fused cast-transpose */
    int tp_overlap_rs_splits;    /* with tp_overlap: the chunks a GEMM whose output is reduce-scattered
                                    beside it runs in (0 = tp, one per rank); a GEMM whose input is
                                    gathered beside it runs in tp chunks */
    bool fp8_tp_gather;          /* sequence-parallel all-gathers before a low-precision GEMM (its input,
                                    its output gradient) move the quantized operand (1 byte an element
                                    in fp8, the fp4 format's bytes in fp4) instead of bf16 */
    double norm_traffic;         /* HBM bytes of normalisation and rotary-embedding ops relative to
                                    fused kernels (1 = fused) */
    double rope_traffic;         /* the rotary embedding's own, where it differs from the norms' (a
                                    compiler that cannot fuse complex arithmetic); 0 = norm_traffic */
    double act_traffic;          /* HBM bytes of activation and residual ops relative to fused kernels */
    int elementwise_kernels;     /* kernels per normalisation, rotary, activation or residual op (1 = fused) */
    double launch_factor;        /* per-kernel launch and tail overhead relative to the family's */
    bool cuda_graphs;            /* launches captured in graphs: the per-kernel overhead falls to graph_tail */
    double graph_tail;           /* share of the per-kernel overhead left under CUDA graphs */
    bool tp_overlap;             /* can overlap TP collectives with GEMMs (userbuffers, async TP) */
    bool dp_overlap;             /* can overlap data-parallel reduction and gathers with compute */
    bool ep_overlap;             /* can overlap the expert all-to-all with another microbatch */
    int fsdp_prefetch;           /* layers of sharded (ZeRO-3/FSDP) weights gathered ahead of use;
                                    0 = gathered when needed, exposed */
    bool fsdp_per_tensor;        /* ZeRO-3/FSDP collectives per weight tensor (DeepSpeed's one all-gather
                                    and one reduce-scatter per partitioned parameter), each beside one
                                    GEMM of its tensor, instead of one per layer beside the layer */
    int fsdp_rank_ops;           /* host operations per data-parallel rank in each ZeRO-3/FSDP collective
                                    (a collective over a list of per-rank tensors: a view and a copy per
                                    rank), each at the family's per-kernel overhead, on the compute
                                    stream; 0 = a collective on one flat buffer */
    double fsdp_live_params;     /* per tensor: gathered weights (elements) at which the stack stops
                                    prefetching (DeepSpeed's stage3_max_live_parameters); 0 = no limit */
    double fsdp_reuse_params;    /* per tensor: a gathered weight is kept for its next use only when fewer
                                    weights (elements) are used in between (DeepSpeed's
                                    stage3_max_reuse_distance), else released and gathered again; 0 =
                                    never kept */
    double workspace_extra_bytes;/* memory per GPU beyond the family's workspace */
    double selective_gemm_share; /* recompute: selective as the stack runs it: the share of a layer's
                                    forward GEMMs replayed before its backward, with its elementwise
                                    ops (0: Megatron's, the attention core alone) */
    double loss_bytes;           /* bytes per logit the loss holds at its peak (0: Megatron-Core's 6) */
    double pp_grad_accum_bytes;  /* FSDP with pipelining: bytes per parameter of the unsharded gradients
                                    accumulated over the microbatches before one reduce-scatter (PyTorch's
                                    pipeline stages; 0: reduce-scattered per microbatch, zero2's) */
    int offload_prefetch;        /* train.offload: layers each copy runs ahead of the layer that waits for it
                                    (the stack's own scheduler: XLA's); 0 = Transformer Engine's synchronizer
                                    (workload/offload.h) */
    bool tp_dtensor;             /* tensor parallelism through PyTorch's DTensor: batch-major activations split
                                    along the sequence, so a plain all-gather's output and reduce-scatter's
                                    input are copied (read and written once, on the compute stream); under
                                    tp_overlap (async TP on symmetric memory) a gather feeding a GEMM copies
                                    the rank's shard twice and a reduce-scatter of a GEMM's output sums the
                                    peers' partials in a kernel of its own; a column-parallel GEMM keeps its
                                    gathered input for the backward (no re-gather) but under the per-op
                                    selective policy or after a replay that kept its output */
    bool replay_pruned;          /* recompute full replays only what the backward reads (autodiff over a
                                    traced program: JAX's remat, torch.compile's partitioner): a dense
                                    layer's last GEMM and residual add, read only by the next layer,
                                    are not replayed; false: the whole layer (a reentrant checkpoint) */
    bool offload_recompute;      /* train.offload under recompute full: the stack offloads the checkpointed
                                    layer inputs (MaxText's remat policies naming decoder_layer_input
                                    offload); false: offload is an alternative to recompute (Megatron-Core) */
    bool moe_eager_extras;       /* around its fused expert kernels the stack clamps a clamped GLU's input
                                    (chunk, two clamps, cat) and adds the second expert linear's biases
                                    (a loop over the local experts, then cat) in eager PyTorch:
                                    Megatron-Core's TEGroupedMLP */
    bool yarn_rope_unfused;      /* the stack's fused rotary embedding refuses a YaRN scale other than 1
                                    (model.rope_mscale) and runs the unfused one: Megatron-Core with
                                    Transformer Engine */
    bool bf16_saved_inputs;      /* a low-precision GEMM keeps its input for the weight gradient in bf16
                                    (torchao); false: in the recipe's format, 1 byte a value in fp8, 0.5
                                    and a scale per block in fp4 (Transformer Engine) */
    double attn_fwd_factor;      /* the stack's fused attention forward relative to the kernel the family's
                                    attention efficiencies describe (0 or 1: that kernel; AOTriton under
                                    PyTorch on ROCm is slower than the CK kernels the CDNA figures are) */
    double attn_bwd_factor;      /* the same for the attention backward */
    int cp_comm;                 /* aif_cp_comm: the stack's context parallelism when the job leaves it auto
                                    (0 or p2p: Megatron-Core's ring) */
    bool fsdp_copy;              /* FSDP over per-parameter tensors (PyTorch's FSDP2): each all-gather's
                                    output is copied out into the parameters (2 bytes read and 2 written
                                    an element) and each reduce-scatter's input copied in from the
                                    gradients (2 read, fsdp_reduce_bytes written), in kernels the
                                    compute stream waits for */
    double fsdp_reduce_bytes;    /* bytes an element of ZeRO-2/3 and FSDP's gradient reduce-scatter (and
                                    HSDP's all-reduce) moves: FSDP2's reduce dtype; 0: 2 (bf16) */
    double loss_fwd_bytes;       /* HBM bytes per logit the loss's forward moves (0: Megatron-LM's
                                    vocab-parallel cross entropy in fp32, 22) */
    double loss_bwd_bytes;       /* the same for its backward (0: 14) */
    double grad_accum_bytes;     /* with unsharded gradients (no ZeRO-2/3, FSDP): HBM bytes per trained
                                    parameter the stack moves after every micro-batch's backward to add
                                    its gradients into an fp32 buffer (DeepSpeed's BF16_Optimizer: a cast
                                    and an add, 18); 0: accumulated inside the wgrad GEMMs (Megatron-Core's
                                    gradient_accumulation_fusion) */
    bool pp_p2p_serial;          /* the pipeline's send and receive of a micro-batch run one after the
                                    other on the compute stream, four transfers a micro-batch (DeepSpeed's
                                    PipelineEngine: dist.send, dist.recv), not two exchanges both ways at
                                    once (Megatron's batch_isend_irecv) */
    char attn_factor_families[AIF_ALIASES_MAX]; /* the calibration families (space-separated) whose
                                    kernels the attention factors were measured against; on others
                                    the stack runs its family's kernel; empty: every family */
    char aliases[AIF_ALIASES_MAX];
    char base[AIF_NAME_MAX];      /* a variant's base stack (`base:` in the catalog; empty otherwise): the
                                    same stack at another release, its own fields over the base's */
} aif_framework;

/* What a catalog entry's figures are (`status:` in data/gpus.yaml, systems.yaml and
 * fabrics.yaml): measured (the part ships and published measurements of it are in
 * validation/), specification (the vendor's published
 * figures for a shipping part), announced (figures from an announcement, for a part not yet
 * generally available: usable, and every output that uses it says so).  unstated: the entry
 * gives none (user catalogs; every built-in entry has one). */
typedef enum aif_status {
    AIF_STATUS_UNSTATED, AIF_STATUS_MEASURED, AIF_STATUS_SPECIFICATION, AIF_STATUS_ANNOUNCED
} aif_status;

typedef struct aif_gpu {
    char name[AIF_NAME_MAX], description[AIF_DESC_MAX], vendor[24], arch[24], scaleup[AIF_NAME_MAX];
    double peak_flops[AIF_N_PREC]; /* dense FLOP/s per precision; 0 = not supported */
    double hbm_bytes, hbm_bw_Bps, tdp_W, scaleup_bw_Bps, price_usd;
    double embodied_kg;            /* manufacturing carbon, kg CO2e (optional; 0 = data/facility.yaml's) */
    int scaleup_domain;
    int status;                    /* aif_status */
    aif_calib calib;               /* resolved from `arch` */
    char aliases[AIF_ALIASES_MAX]; /* other names it is found by, space-separated */
    /* A variant (`base: NAME` in the catalog): the entry it was made from, by its own name, and
     * its compute clock relative to that entry's, derived from a lower `tdp` by the cubic
     * clock-power law where the variant gives no peak_tflops of its own (1: its own figures).
     * base is empty and clock_factor 0 for an entry that is not a variant. */
    char base[AIF_NAME_MAX];
    double clock_factor;
    /* Of its rated peaks, the share it holds under sustained load where its board power, not its
     * rated clock, sets the clock: a variant with its own peak_tflops and a lower tdp than its
     * base's, whose clock by the cubic clock-power law at that tdp (relative to the base) is
     * below its rated one (its bf16 peak over the base's), holds law / rated of them (the
     * MI350X: the MI355X's chip at 1,000 W of 1,400 W, 0.869 by the law against AMD's
     * 2,200/2,400 = 0.917, so 0.948).  1, or 0 read as 1, otherwise. */
    double sustained_clock;
    /* The GPU's own large-GEMM efficiencies (catalog `matmul_eff`, `matmul_eff_fp8`) where its
     * own matrix-multiply microbenchmark differs from its family's: they replace the family's
     * in calib.  0 = the family's. */
    double own_matmul_eff, own_matmul_eff_fp8;
} aif_gpu;

typedef enum aif_fabric_kind {
    AIF_FAB_INFINIBAND, AIF_FAB_ROCE, AIF_FAB_ETHERNET, AIF_FAB_NVLINK, AIF_FAB_XGMI,
    AIF_FAB_ICI, AIF_FAB_NEURONLINK
} aif_fabric_kind;
typedef enum aif_transport { AIF_RDMA, AIF_TCP } aif_transport;

typedef struct aif_fabric {
    char name[AIF_NAME_MAX], description[AIF_DESC_MAX];
    int kind;         /* aif_fabric_kind */
    int transport;    /* aif_transport */
    double port_bw_Bps, latency_s, efficiency;
    double nvls_efficiency;   /* all-reduce bus bandwidth with in-switch reduction (NVLink SHARP)
                                 as a fraction of port_bw; 0 = the fabric has none */
    int nvls_min_ranks;       /* the fewest GPUs of one domain NCCL runs an NVLS all-reduce on
                                 (below, its tuner rates the ring faster); 0 = 3 */
    /* NCCL's pipeline on a scale-up fabric (collective.h, "medium sizes"): every step of a
     * collective waits on its peers once per chunk, and chunks are cut for smaller messages;
     * the time this adds is min(chunk_ramp x the bandwidth term, steps x step_fill_s), smoothly.
     * 0 = none (the fabric's sweeps show no such loss). */
    double chunk_ramp;     /* extra time per unit of bandwidth time while chunks are cut (dimensionless) */
    double step_fill_s;    /* extra time per algorithm step once chunks are full (the pipeline's fill) */
    /* the same two for NVLS (an all-reduce reduced in the switch: its own chunks and steps),
     * given together: the catalog copies chunk_ramp and step_fill into a fabric that gives
     * neither and refuses one that gives one alone */
    double nvls_chunk_ramp, nvls_step_fill_s;
    double ll_max_bw_Bps;  /* NCCL's cap on the LL protocol's bus bandwidth on one node (llMaxBws); 0 = none */
    /* NCCL's all-to-all (a send and a receive to every peer) on this scale-up fabric: the buffer
     * size at which it runs at half its large-message bus bandwidth, its bandwidth term
     * t_bw (1 + sqrt(a2a_half / S)) (collective.h); 0 = none (no sweep shows such a loss) */
    double a2a_half_bytes;
    bool in_network_reduction;   /* the switches can reduce (InfiniBand SHARP): NCCL's CollNet */
    int routing;                 /* aif_routing, ecmp or adaptive: how its switches route as deployed, what
                                    cluster.network.routing auto takes (default ecmp) */
    double cpu_core_bw_Bps;      /* TCP: bytes per second one host core's network stack moves (0: RDMA, none) */
    int switch_radix;            /* ports per switch (optional in the catalog: data/fabrics.yaml's fabric_defaults) */
    double switch_per_port_W;    /* switch power per port at port_bw (ASIC share, fans), optics apart; 0 = the
                                    facility's power.switch_per_port (data/facility.yaml) */
    double optic_per_port_W;     /* transceiver power per cable end (0 = the facility's power.optic_per_port) */
    int optics;                  /* aif_optics: the switches' optics as sold (pluggable unless the entry says cpo) */
    double cpo_per_port_W;       /* co-packaged optical engine per switch port (0 = the facility's power.cpo_per_port) */
    int status;                  /* aif_status */
    char aliases[AIF_ALIASES_MAX];   /* other names it is found by, space-separated */
} aif_fabric;

/* Where a scale-out switch port turns electrical into light (aif_optics_names: pluggable cpo):
 * a pluggable transceiver at each cable end, or an optical engine co-packaged with the switch
 * ASIC (NVIDIA Quantum-X / Spectrum-X Photonics, Broadcom Bailly and Davisson); a NIC's end of
 * a cable keeps its pluggable transceiver either way.  facility/power.c sizes the network line. */
typedef enum aif_optics { AIF_OPTICS_PLUGGABLE, AIF_OPTICS_CPO, AIF_N_OPTICS } aif_optics;

/* Kinds of storage tier (aif_storage_class_names: pfs object nvme-of local). */
typedef enum aif_storage_class {
    AIF_STORE_PFS,        /* parallel file system appliance (Lustre, VAST, WEKA) */
    AIF_STORE_OBJECT,     /* S3-class object store */
    AIF_STORE_NVMEOF,     /* NVMe-over-Fabrics block array */
    AIF_STORE_LOCAL,      /* node-local NVMe drives */
    AIF_N_STORE
} aif_storage_class;

/* One storage building block of the catalog (data/storage.yaml): every figure per unit
 * (an appliance, a node, a drive), so a tier of `units` of them has units x each. */
typedef struct aif_storage_tier {
    char name[AIF_NAME_MAX], description[AIF_DESC_MAX], vendor[24];
    int storage_class;             /* aif_storage_class */
    double read_bw_Bps, write_bw_Bps;   /* sequential, per unit, as the client sees it */
    double capacity_bytes;         /* usable, per unit */
    double latency_s;              /* one small access, client to media and back */
    double power_W;                /* per unit, typical under load */
    double price_usd;              /* per unit (0 = not published) */
    int status;                    /* aif_status */
    char aliases[AIF_ALIASES_MAX]; /* other names it is found by, space-separated */
} aif_storage_tier;

typedef struct aif_system {
    char name[AIF_NAME_MAX], description[AIF_DESC_MAX], gpu[AIF_NAME_MAX], fabric[AIF_NAME_MAX];
    int gpus_per_node, nics_per_node, scaleup_domain;
    double nic_bw_Bps, host_power_W, max_power_W, price_usd;
    double host_link_Bps;            /* GPU <-> host memory, per GPU and per direction (NVLink-C2C, PCIe);
                                        0 = not given (activation offload refused) */
    int status;                      /* aif_status */
    char aliases[AIF_ALIASES_MAX];   /* other names it is found by, space-separated */
} aif_system;

typedef enum aif_act { AIF_ACT_GELU, AIF_ACT_RELU, AIF_ACT_SWIGLU, AIF_ACT_GEGLU, AIF_ACT_SQRELU } aif_act;
typedef enum aif_attn { AIF_ATTN_MHA, AIF_ATTN_GQA, AIF_ATTN_MQA, AIF_ATTN_MLA } aif_attn;
typedef enum aif_norm { AIF_NORM_LAYER, AIF_NORM_RMS } aif_norm;
typedef enum aif_pos { AIF_POS_ROPE, AIF_POS_LEARNED, AIF_POS_ALIBI } aif_pos;

typedef struct aif_model {
    char name[AIF_NAME_MAX], description[AIF_DESC_MAX];
    int layers, hidden, heads, kv_heads, head_dim, ffn, vocab, max_seq;
    int mtp_layers;                /* multi-token prediction depth (DeepSeek-V3: 1): each an extra block of the
                                      last layer's kind, with its own input projection, trained beside the model
                                      and sharing its embedding and output head; not in params (0 = none) */
    int sliding_window;            /* banded causal attention: a windowed layer's query attends the last
                                      sliding_window tokens (gpt-oss: 128); 0 = every layer attends all */
    int full_attention_every;      /* with sliding_window: every Nth layer (layer i with (i+1) % N == 0)
                                      attends the whole context, the others the window (gpt-oss: 2, its
                                      alternating layers); 0 = every layer windowed */
    double glu_clamp;              /* a gated activation's inputs clamped to this limit (gpt-oss: 7.0); 0 = none */
    bool expert_bias;              /* the routed experts' linear layers carry biases (gpt-oss) */
    bool linear_bias;              /* the layers' attention and MLP linears carry biases (GPT-3 as Megatron
                                      runs it, BLOOM, OPT, MPT, gpt-oss's attention): tensors of their own
                                      where a stack handles each tensor apart (DeepSpeed's ZeRO-3); not
                                      in params (a few per 10^4) */
    double rope_mscale;            /* YaRN's attention scale the rotary embedding multiplies its cos and sin by,
                                      0.1 ln(factor) + 1 (gpt-oss: factor 32, 1.347); 0 or 1 = none */
    int activation, attention, norm, position; /* aif_act, aif_attn, aif_norm, aif_pos */
    bool tied_embeddings;
    /* experts 0 = dense; max_nodes: node-limited routing, at most that many nodes (of the
     * expert-parallel group's scale-up domains) per token (DeepSeek-V3: 4); 0 = no limit */
    struct { int experts, top_k, shared_experts, expert_ffn, dense_layers, max_nodes; } moe;
    struct { int q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim; } mla;
    double params, active_params;  /* published counts (0 = not given) */
    char aliases[AIF_ALIASES_MAX]; /* other names it is found by, space-separated */
} aif_model;

typedef struct aif_catalog aif_catalog;   /* opaque: the loaded catalogs */

/* The kinds of catalog entry, in the order `aifsim catalog` lists them; their names
 * (the top-level keys of a catalog file) are aif_catalog_kind_names (names.h). */
typedef enum aif_catalog_kind {
    AIF_CAT_GPUS, AIF_CAT_SYSTEMS, AIF_CAT_FABRICS, AIF_CAT_MODELS, AIF_CAT_FRAMEWORKS, AIF_CAT_STORAGE, AIF_CAT_CALIBRATION,
    AIF_N_CATALOG_KIND
} aif_catalog_kind;

/* Loads the built-in catalogs (the data/ YAML files compiled into the library). */
aif_rc aif_catalog_load_builtin(aif_catalog **out, aif_err *err);
/* Adds the entries of a user catalog file (same format; a name already present is replaced). */
aif_rc aif_catalog_add_file(aif_catalog *c, const char *path, aif_err *err);
void aif_catalog_free(aif_catalog *c);

int aif_catalog_n_gpus(const aif_catalog *c);
int aif_catalog_n_systems(const aif_catalog *c);
int aif_catalog_n_fabrics(const aif_catalog *c);
int aif_catalog_n_models(const aif_catalog *c);
const aif_gpu *aif_catalog_gpu(const aif_catalog *c, int i);
const aif_system *aif_catalog_system(const aif_catalog *c, int i);
const aif_fabric *aif_catalog_fabric(const aif_catalog *c, int i);
const aif_model *aif_catalog_model(const aif_catalog *c, int i);
const aif_gpu *aif_catalog_find_gpu(const aif_catalog *c, const char *name);
const aif_system *aif_catalog_find_system(const aif_catalog *c, const char *name);
const aif_fabric *aif_catalog_find_fabric(const aif_catalog *c, const char *name);
const aif_model *aif_catalog_find_model(const aif_catalog *c, const char *name);
int aif_catalog_n_frameworks(const aif_catalog *c);
const aif_framework *aif_catalog_framework(const aif_catalog *c, int i);
const aif_framework *aif_catalog_find_framework(const aif_catalog *c, const char *name);
int aif_catalog_n_storage(const aif_catalog *c);
const aif_storage_tier *aif_catalog_storage(const aif_catalog *c, int i);
const aif_storage_tier *aif_catalog_find_storage(const aif_catalog *c, const char *name);
/* The names of one kind's entries (at most max, in catalog order), for listings and
 * did-you-mean; returns the count.  The pointers live as long as the catalog. */
int aif_catalog_names(const aif_catalog *c, aif_catalog_kind kind, const char **out, int max);
/* The citation of one field of one entry ("" if none); kind is "gpus", "systems", ...
 * ("nccl", "nccl", field for data/nccl.yaml) */
const char *aif_catalog_source(const aif_catalog *c, const char *kind, const char *entry, const char *field);

/* Parameter counts computed from the architecture (embeddings included). */
double aif_model_params(const aif_model *m);
double aif_model_active_params(const aif_model *m);
/* Every catalog model's published `params` against the count computed from its
 * architecture: AIF_EINPUT at the figure's file:line when the two are more than
 * AIF_PARAMS_TOLERANCE apart (src/workload/params.c says why 5%).  Run after the user
 * catalogs are added. */
#define AIF_PARAMS_TOLERANCE 0.05
aif_rc aif_catalog_check_params(const aif_catalog *c, aif_err *err);

/* ------------------------------------------------------------- scenario */

typedef enum aif_recompute { AIF_RC_NONE, AIF_RC_SELECTIVE, AIF_RC_FULL } aif_recompute;
/* The submodules selective recompute replays (train.recompute_modules; aif_recompute_module_names),
 * Megatron-Core's --recompute-modules (megatron/core/transformer/transformer_config.py,
 * recompute_modules): bit 1 << AIF_RCM_x.  0 in aif_train means the default, core_attn. */
typedef enum aif_recompute_module {
    AIF_RCM_CORE_ATTN, AIF_RCM_MLA_UP_PROJ, AIF_RCM_LAYERNORM, AIF_RCM_MLP, AIF_RCM_MOE, AIF_RCM_MOE_ACT,
    AIF_RCM_SHARED_EXPERTS, AIF_N_RCM
} aif_recompute_module;
/* What a full recompute keeps of each layer instead of replaying it (train.recompute_saved;
 * aif_recompute_saved_names), the names JAX's save_only_these_names policies checkpoint in
 * MaxText (MaxText/layers/models.py remat_policy: save_qkv_proj keeps qkv_proj,
 * save_dot_except_mlp qkv_proj and out_proj, save_dot_except_mlpwi those and mlpwo,
 * save_dot_with_context_except_mlp qkv_proj, context and out_proj; minimal, JAX's
 * checkpoint_dots_with_no_batch_dims, every weight matmul's output: qkv_proj, out_proj,
 * mlpwi and mlpwo): bit 1 << AIF_RCS_x.
 * qkv_proj the query, key and value projections' outputs (their GEMMs not replayed);
 * context the attention core's output (its forward not replayed); out_proj the attention
 * output projection's; mlpwo a dense MLP's output projection's; mlpwi a dense MLP's input
 * projections' (the gate and up projections of a gated MLP; the activation is replayed
 * from them). */
typedef enum aif_recompute_saved {
    AIF_RCS_QKV_PROJ, AIF_RCS_CONTEXT, AIF_RCS_OUT_PROJ, AIF_RCS_MLPWO, AIF_RCS_MLPWI, AIF_N_RCS
} aif_recompute_saved;
/* What a training job keeps in host memory (train.offload, aif_offload_names: none activations):
 * activations = the saved activations of the first train.offload_layers layers, copied to the
 * host in the forward and back in the backward (Transformer Engine's cpu_offload). */
typedef enum aif_offload { AIF_OFFLOAD_NONE, AIF_OFFLOAD_ACTIVATIONS, AIF_N_OFFLOAD } aif_offload;
enum { AIF_OFFLOAD_MAX_LAYERS = 1024 };   /* train.offload_layers at most (the engines' copy tables) */
/* Attention kernel: flash3 = the fastest fused kernel of the architecture
 * (FlashAttention-3 or cuDNN on Hopper and later, FlashAttention-2 on Ampere);
 * flash2 = FlashAttention-2 everywhere; unfused = GEMMs plus a separate softmax. */
typedef enum aif_attn_kernel { AIF_ATTN_FLASH3, AIF_ATTN_FLASH2, AIF_ATTN_UNFUSED } aif_attn_kernel;
/* train.attention_dtype: the fused attention's operands */
typedef enum aif_attn_dtype { AIF_ATTN_DT_BF16, AIF_ATTN_DT_FP8 } aif_attn_dtype;
/* How an fp8 recipe finds its scales: delayed (Transformer Engine's amax history), current
 * (each tensor's own amax before its cast: torchao's tensorwise/rowwise), blockwise (a
 * scale per block: DeepSeek-V3's 1x128/128x128, MXFP8). */
typedef enum aif_fp8_recipe { AIF_FP8_DELAYED, AIF_FP8_CURRENT, AIF_FP8_BLOCKWISE } aif_fp8_recipe;
typedef enum aif_optim {
    AIF_OPT_NONE, AIF_OPT_DISTRIBUTED, AIF_OPT_ZERO1, AIF_OPT_ZERO2, AIF_OPT_ZERO3, AIF_OPT_FSDP
} aif_optim;

/* How the scale-out fabric is wired (cluster.network in a scenario; see
 * docs/NETWORK.md).  Read by the topology builder and the simulating engine;
 * the analytical engine assumes a non-blocking fabric. */
typedef enum aif_topo_kind {
    AIF_TOPO_AUTO,            /* rail-optimized when nodes have several NICs, else fat-tree */
    AIF_TOPO_FAT_TREE,        /* every NIC of a node on the same leaf */
    AIF_TOPO_RAIL_OPTIMIZED,  /* NIC k of every node of a group on leaf k of the group */
    AIF_TOPO_RAIL_ONLY        /* one Clos per rail, no switch path between rails */
} aif_topo_kind;
/* How the scale-out switches pick a path (cluster.network.routing, aif_routing_names: ecmp
 * adaptive auto): ECMP hashes each flow onto one path; adaptive takes the least-loaded port;
 * auto (the default) is the fabric's own (aif_fabric.routing, data/fabrics.yaml: adaptive on
 * InfiniBand, whose subnet manager has enabled it by default since MLNXSM 5.10, and on the
 * packet-spraying Spectrum-X and UEC; ECMP on RoCE, Ethernet and Omni-Path). */
typedef enum aif_routing { AIF_ROUTE_ECMP, AIF_ROUTE_ADAPTIVE, AIF_ROUTE_AUTO } aif_routing;
typedef struct aif_network {
    int topology;                  /* aif_topo_kind */
    int tiers;                     /* switch tiers 1..3; 0 = the fewest that hold the cluster */
    int radix;                     /* ports per switch; 0 = the fabric's switch_radix, doubled until the cluster
                                      fits in 3 tiers */
    double oversubscription;       /* leaf down:up ports (1 = non-blocking) */
    double spine_oversubscription; /* 3 tiers: aggregation down:up ports */
    int planes;                    /* independent planes per NIC port (2 = dual-plane, Alibaba HPN) */
    int routing;                   /* aif_routing; auto: the fabric's (aif_net_routing resolves it) */
    bool gpudirect;                /* false: transfers are staged through host memory */
    double host_bw_Bps;            /* host memory bandwidth a staged transfer crosses twice */
    int failed_links;              /* switch-to-switch cables down, chosen by seed */
    int degraded_links;            /* cables running at degraded_factor of their speed */
    double degraded_factor;
    double congestion_loss;        /* share of switch-link capacity lost to congestion control (RoCE PFC/ECN) */
    bool sharp;                    /* use in-network reduction where the fabric has it (NCCL CollNet plugin) */
    int optics;                    /* the switches' optics: 0 the scale-out fabric's own, else 1 + aif_optics
                                      (aif_net_optics_names: fabric pluggable cpo) */
    unsigned seed;
} aif_network;
/* The defaults a scenario starts from (non-blocking, one plane, the fabric's routing, GPUDirect on). */
void aif_network_defaults(aif_network *n);

/* NCCL's cost model (data/nccl.yaml, from NVIDIA/nccl src/graph/tuning.cc): per
 * algorithm (tree, ring) and protocol (LL, LL128, Simple) a base latency, a latency
 * per step on NVLink and on the network, and the share of the bus bandwidth each
 * protocol carries.  Latencies in microseconds, as NCCL writes them. */
enum { AIF_PROTO_LL, AIF_PROTO_LL128, AIF_PROTO_SIMPLE, AIF_N_PROTO };
typedef struct aif_nccl {
    double base_lat_us[2][AIF_N_PROTO];     /* [tree, ring][protocol] */
    double step_lat_us[2][2][AIF_N_PROTO];  /* [nvlink, network][tree, ring][protocol], per step */
    double proto_bw[AIF_N_PROTO];           /* share of the bus bandwidth, (0, 1] */
    double nvls_lat_us;                     /* NVLS all-reduce (Simple), per collective */
    double net_overhead_us[AIF_N_PROTO];    /* the least a step inside a domain costs in a ring
                                               that leaves it (NCCL's getNetOverhead) */
    double ring_pass_loss;                  /* a ring's bandwidth lost per pass of its steps, in
                                               steps: the bus bandwidth is e B steps / (steps + this) */
} aif_nccl;

typedef struct aif_cluster {
    aif_gpu gpu;
    aif_system system;
    aif_fabric fabric;       /* scale-out */
    aif_fabric scaleup;      /* NVLink or equivalent */
    int gpus, gpus_per_node, nics_per_node, scaleup_domain;
    double nic_bw_Bps;
    double host_link_Bps;    /* GPU <-> host memory per GPU and direction (cluster.host_link, else the
                                system's); 0 = unknown */
    double clock_factor;     /* compute clock relative to nominal (power limits, DVFS); 1 = nominal */
    double speed_spread;     /* cluster.speed_spread: the spread the run takes, the GPU family's
                                (aif_calib.speed_spread) unless given (aif_scenario_pace) */
    aif_network net;         /* wiring of the scale-out fabric (the simulating engine) */
    aif_nccl nccl;           /* NCCL's cost model, from the catalog (data/nccl.yaml) */
    /* the storage tier (cluster.storage): storage_units of one catalog entry; 0 units = none named
     * (the site's per-GPU storage figures apply).  Fractional when a job is charged its share. */
    aif_storage_tier storage;
    double storage_units;
} aif_cluster;
/* The routing the cluster's switches run: cluster.network.routing, or where it is auto the
 * scale-out fabric's own (ecmp or adaptive). */
int aif_net_routing(const aif_cluster *cl);

/* NCCL's cost model the catalog holds (data/nccl.yaml); scenarios copy it into their cluster. */
const aif_nccl *aif_catalog_nccl(const aif_catalog *c);

/* Parallel degrees.  etp is the tensor parallelism of expert layers (Megatron-Core
 * expert_tensor_parallel_size): expert layers regroup the tp*cp*dp ranks of a
 * pipeline stage as etp x ep x edp.  dp_shard (train.dp_shard) is hybrid sharded data
 * parallelism (HSDP, torchtitan's data_parallel_shard_degree): a sharded optimizer's
 * state spans dp_shard consecutive data-parallel ranks (times cp) and is replicated
 * dp / dp_shard times across them; 0 (or dp) shards over all of dp. */
typedef struct aif_parallel { int tp, pp, vpp, cp, ep, etp, dp; bool sp; int dp_shard; } aif_parallel;

/* Where a job sits on its cluster.  The cluster is the machine (cluster.gpus,
 * nodes, scale-up domains, network); the allocation is the job's share of it:
 * `gpus` GPUs from the first GPU of node `first_node` on, in the cluster's GPU
 * order (node by node), so rank r of the job runs on GPU
 * first_node * gpus_per_node + r.  gpus 0 means the whole cluster (the default:
 * one job on the whole machine).  Scenario fields train.gpus and train.first_node. */
typedef struct aif_alloc {
    int gpus;                /* GPUs the job holds; 0 = all of the cluster's */
    int first_node;          /* node of its first GPU (0-based) */
} aif_alloc;

/* Fields of a training job written `auto` (aif_train.auto_fields): the best-layout
 * search (search.h) fills them, by step time, in aif_run_train before the engine runs. */
enum {
    AIF_AUTO_TP = 1u << 0, AIF_AUTO_PP = 1u << 1, AIF_AUTO_VPP = 1u << 2, AIF_AUTO_CP = 1u << 3,
    AIF_AUTO_EP = 1u << 4, AIF_AUTO_ETP = 1u << 5, AIF_AUTO_MBS = 1u << 6,
    AIF_AUTO_LAYOUT = (1u << 7) - 1,  /* all of them (train.layout: auto, --layout auto) */
    /* not in layout: auto, each written auto on its own: a full recompute's layers per chunk
     * (the fewest that fit) and hybrid sharding's shard group */
    AIF_AUTO_RECOMPUTE_LAYERS = 1u << 7, AIF_AUTO_DP_SHARD = 1u << 8
};

typedef struct aif_train {
    aif_parallel par;
    aif_alloc alloc;         /* where the job runs on the cluster (default: all of it) */
    int mbs, gbs, seq;       /* micro and global batch in sequences; tokens per sequence */
    int precision;           /* aif_prec */
    int recompute;           /* aif_recompute */
    unsigned recompute_modules;   /* recompute selective: bit 1 << aif_recompute_module for each submodule
                                     replayed; 0 = not given, core_attn (Megatron-Core's default) */
    unsigned recompute_saved;     /* recompute full: bit 1 << aif_recompute_saved for each layer output
                                     kept rather than replayed; 0 = none (the whole layer replayed) */
    int recompute_layers;         /* recompute full: the first N layers of each pipeline chunk replay,
                                     the others keep their activations (Megatron-Core's recompute_method
                                     block, recompute_num_layers N); 0 = every layer replays */
    int optimizer;           /* aif_optim */
    int attention;           /* aif_attn_kernel */
    bool tp_overlap;         /* TP collectives overlapped with GEMMs (TE userbuffers) */
    bool dp_overlap;         /* DP gradient reduce / param gather overlapped with compute */
    bool ep_overlap;         /* expert all-to-all overlapped with another microbatch's compute
                                (DeepSeek DualPipe, Megatron-Core overlap_moe_expert_parallel_comm) */
    bool fp8_params;         /* fp8 recipe: the model's weights held in fp8 alone, not bf16 beside an fp8 copy, and
                                the distributed optimizer's parameter all-gather in fp8 (Megatron-Core's
                                --fp8-param-gather, Transformer Engine's fp8_model_init); under an fp4 recipe
                                with LoRA, the frozen weights held in fp4 alone, row-wise and column-wise
                                (MLPerf's PRE_QUANTIZED_MODEL); default false */
    bool fp8_act_input;      /* the MLP activation function's input kept for the backward in fp8, cast back
                                before it (Megatron-Core's activation_func_fp8_input_store); default false */
    bool pp_overlap;         /* interleaved (vpp > 1): pipeline sends asynchronous, overlapped with the next
                                chunk (Megatron-Core's overlap_p2p_comm); default true */
    double ep_imbalance;     /* routing load imbalance: token copies the busiest expert-parallel rank
                                receives over the mean (max / mean, >= 1; 1 = balanced, the default) */
    int ep_dispatch;         /* aif_ep_dispatch: how the expert all-to-all moves tokens (default auto) */
    int cp_comm;             /* aif_cp_comm: how context parallelism moves the sequence (default auto: the stack's) */
    int rank_order;          /* aif_rank_order: where the ranks sit, fastest dimension first (default tp-cp-dp-pp) */
    int grad_dtype;          /* aif_grad_dtype: the gradient buffer's and its reduction's type (default auto) */
    int attention_dtype;     /* aif_attn_dtype: the fused attention's operands, bf16 (default) or fp8 (Transformer
                                Engine's fp8 dot-product attention, Megatron-Core's --fp8-dot-product-attention;
                                MXFP8 under an MXFP8 recipe: the family's attn_fp8_* factors) */
    int attn_block;          /* keys per tile of the fused attention kernel where a sliding-window layer computes
                                whole tiles (MaxText's sa_block_kv, the splash kernel's); 0 = the calibration
                                family's attn_block_n (the GPU kernels' fixed tile) */
    int attn_block_bwd;      /* the same for the backward kernel (MaxText's sa_block_kv_dkv); 0 = attn_block's */
    int moments_dtype;       /* aif_grad_dtype's names: Adam's two moments' type (auto = fp32; bf16: Megatron-Core's
                                --use-precision-aware-optimizer --exp-avg-dtype bf16 --exp-avg-sq-dtype bf16) */
    double dp_bucket;        /* parameters per gradient bucket of Megatron-Core's DistributedDataParallel
                                (its bucket_size, Megatron-LM's --ddp-bucket-size), a whole number, under
                                optimizer none, distributed or zero1 with dp_overlap; 0 = the class's own
                                default, max(40M, 1M x dp), dp without context parallelism */
    double tokens;           /* training token budget (0 = not given) */
    char framework[AIF_NAME_MAX];   /* the software stack (data/frameworks.yaml); default megatron-core */
    /* LoRA fine-tuning (train.lora): the model's weights frozen, rank-r adapters trained
     * on the attention projections (targets attention), on those and the dense MLP
     * (targets all) or on the fused query-key-value projection alone (targets qkv,
     * NeMo's and Megatron-Bridge's default target, linear_qkv); rank 0: every weight trained */
    struct { int rank; int targets; } lora;
    /* A low-precision recipe (precision fp8 or fp4): the fp4 format (aif_fp4_format; fp4
     * only) and the transformer layers it keeps in bf16 at the start and at the end of the
     * model (default 0 and 0, Megatron-Bridge's performance recipes; the NVFP4 paper's
     * accuracy recipe keeps the first 2 and the last 8).  Their GEMMs run in bf16, averaged
     * over the layers (aif_op.hp_share). */
    int fp4_format;
    int bf16_first_layers, bf16_last_layers;
    /* Activation offload to host memory (train.offload, aif_offload; Transformer Engine's
     * get_cpu_offload_context, Megatron-Core's --cpu-offloading): the saved activations of
     * layers 0 .. offload_layers-1 of the stage go to the host over cluster.host_link in
     * the forward and come back in the backward, on a stream of their own.  offload_layers
     * 0 = the default, all of the stage's layers but the last (what TE accepts at most) */
    int offload;
    int offload_layers;
    unsigned auto_fields;    /* fields written `auto` (AIF_AUTO_* bits): filled by the best-layout
                                search in aif_run_train; until then they hold 1 and the layout is unchecked */
} aif_train;

typedef enum aif_cooling { AIF_COOL_AIR, AIF_COOL_RDHX, AIF_COOL_LIQUID, AIF_COOL_IMMERSION, AIF_N_COOL } aif_cooling;
typedef enum aif_climate { AIF_CLIMATE_COLD, AIF_CLIMATE_TEMPERATE, AIF_CLIMATE_HOT, AIF_N_CLIMATE } aif_climate;
typedef enum aif_cloud_class {
    AIF_CLOUD_HYPERSCALER_ON_DEMAND, AIF_CLOUD_HYPERSCALER_RESERVED, AIF_CLOUD_NEOCLOUD_ON_DEMAND,
    AIF_CLOUD_NEOCLOUD_RESERVED, AIF_N_CLOUD
} aif_cloud_class;

/* A demand-response window: the grid operator asks the site to pause or to
 * throttle to a share of its power. */
typedef struct aif_dr_event { double start_s, duration_s, power_frac; bool pause; } aif_dr_event;
#define AIF_MAX_DR 16
/* An hourly carbon series holds at most one leap year.  It lives inside the scenario
 * as a fixed array (35 KiB of float, which holds a g/kWh figure to 7 digits, finer
 * than any grid's data), so a scenario still owns nothing on the heap and is copied
 * by value. */
#define AIF_MAX_CARBON_HOURS 8784

/* The site's energy supply (facility.supply): a list of sources dispatched hour by
 * hour in merit order (cheapest first) against the site's draw; the models are in
 * include/aifsim/facility.h (aif_supply_result).  A source's hourly capacity factor
 * repeats over the run; it holds at most a week of hours (a typical day by default).
 * With no source given the site draws everything from one grid at cost.electricity
 * and facility.carbon, as before the supply existed. */
typedef enum aif_supply_kind {
    AIF_SUPPLY_GRID, AIF_SUPPLY_PPA_SOLAR, AIF_SUPPLY_PPA_WIND, AIF_SUPPLY_NUCLEAR, AIF_SUPPLY_GAS_TURBINE,
    AIF_N_SUPPLY_KIND
} aif_supply_kind;
#define AIF_MAX_SUPPLY 8
#define AIF_MAX_SUPPLY_HOURS 168
typedef struct aif_supply_source {
    int kind;                     /* aif_supply_kind */
    double capacity_W;            /* nameplate; 0 = from share, or for the grid the power cap (none: unlimited) */
    double share;                 /* nameplate as a share of the site's facility peak (when capacity_W is 0) */
    double usd_per_J;             /* < 0: the site's electricity price (cost.electricity) */
    double carbon_kg_per_J;       /* < 0: the site's carbon (facility.carbon, constant or hourly) */
    char region[AIF_NAME_MAX];    /* the carbon region named, "" = none */
    char profile_csv[256];        /* the file the hourly profile was read from; "" = built-in */
    int n_hours;                  /* hours in cf (1 .. AIF_MAX_SUPPLY_HOURS) */
    float cf[AIF_MAX_SUPPLY_HOURS];   /* hour i's capacity factor, 0..1 */
} aif_supply_source;
/* A battery at the site's grid connection (facility.battery). */
typedef enum aif_battery_mode { AIF_BATTERY_NONE, AIF_BATTERY_GIVEN, AIF_BATTERY_AUTO } aif_battery_mode;
typedef struct aif_battery {
    int mode;                     /* aif_battery_mode */
    double capacity_J, power_W;   /* AIF_BATTERY_GIVEN; auto sizes them from the job's swing */
    double efficiency;            /* round trip, 0..1 (0 = data/facility.yaml's) */
    double ride_through_s;        /* the longest dip to hold the grid through (0 = data/facility.yaml's) */
} aif_battery;

/* The site and the prices (scenario sections `facility` and `cost`); see
 * include/aifsim/facility.h for the models that use them. */
typedef struct aif_site {
    int cooling;                  /* aif_cooling; -1 = auto: the cheapest that holds the rack */
    char cooling_at[256];         /* where the cooling was chosen (file), for errors found later */
    int cooling_line, cooling_col;
    int climate;                  /* aif_climate */
    bool dry_cooling;             /* heat rejection by dry coolers instead of evaporation */
    int nodes_per_rack;           /* 0 = the system's */
    double rack_limit_W[AIF_N_COOL];
    double pue;                   /* 0 = from cooling and climate */
    double power_cap_W;           /* grid connection of the site; 0 = none */
    double gpu_power_limit_W;     /* 0 = TDP */
    double carbon_kg_per_J;       /* constant intensity, when no hourly series is given */
    char carbon_csv[256];         /* the file the hourly series was read from; "" = constant */
    int n_carbon_hours;           /* hours in the series (0 = constant); it repeats over a longer run */
    float carbon_g_per_kWh[AIF_MAX_CARBON_HOURS];   /* hour i's grid intensity, read when the
                                                       scenario is bound (evaluation reads no file) */
    aif_dr_event dr[AIF_MAX_DR];
    int n_dr;
    double electricity_usd_per_J, depreciation_s, facility_depreciation_s, operations_frac;
    double network_per_gpu_usd, storage_per_gpu_usd;
    double gpu_price_usd;         /* 0 = from the system or accelerator price */
    double cloud_usd_per_gpu_hour[AIF_N_CLOUD];
    int cloud_class;              /* aif_cloud_class the comparison uses */
    double embodied_gpu_kg, embodied_node_kg;
    aif_supply_source supply[AIF_MAX_SUPPLY];   /* facility.supply, in the order given */
    int n_supply;                 /* 0 = one grid at cost.electricity and facility.carbon */
    aif_battery battery;          /* facility.battery */
} aif_site;

/* One thing a load did that the input did not literally say: a name asked for and
 * another used (a system swapped for the one built around the asked GPU, the fabric
 * that came with it), or a base's value dropped because an option reshaped the job.
 * Plain text, so a scenario stays copyable; every writer prints them all. */
#define AIF_MAX_NOTES 12
typedef struct aif_note {
    char field[40];            /* field path: "cluster.system" */
    char asked[80];            /* what the input (or the base) said: "dgx-h100", "tp 8, pp 16" */
    char used[80];             /* what the run uses: "hgx-b200", "tp 1, pp 1" */
    char why[160];             /* one clause: the reason */
} aif_note;

typedef struct aif_scenario {
    char name[AIF_NAME_MAX];
    char base[160];            /* where the run starts: "built-in default scenario", a file, an example */
    aif_note notes[AIF_MAX_NOTES];
    int n_notes;               /* at most AIF_MAX_NOTES; n_notes_dropped counts those past it */
    int n_notes_dropped;
    int n_options;             /* overrides (command-line options) applied on the base */
    char assumed[400];         /* the training settings that change a result by more than a few percent
                                  and that neither the input nor an option wrote (a code default or
                                  the built-in default scenario's): "framework megatron-core, mbs 1, ..."
                                  ("" when all were given, or the scenario has no training job) */
    unsigned assumed_given;    /* the training settings the input wrote, of those `assumed` lists (a bit each) */
    unsigned train_given;      /* AIF_GIVEN_* bits: the training settings without effect on some
                                  layouts that the input wrote (aif_scenario_note_unused) */
    unsigned train_given_true; /* of those, the switches it wrote true (a search may change them) */
    aif_cluster cluster;
    aif_model model;
    aif_train train;
    aif_site site;
    aif_serve serve;           /* the serve section (AIF_SECTION_SERVE; serve.present when bound) */
    aif_ops ops;               /* the operations section (AIF_SECTION_OPS; ops.present when bound) */
    aif_framework framework;   /* train.framework resolved: already folded into cluster.gpu.calib */
} aif_scenario;

/* The job's GPUs: s->train.alloc.gpus, or the whole cluster's when 0. */
int aif_alloc_gpus(const aif_scenario *s);
/* Whether the job's allocation lies on its cluster (aif_scenario_check calls it). */
aif_rc aif_alloc_check(const aif_scenario *s, aif_err *err);

/* One command-line override: a dotted field path and its text value, e.g.
 * {"train.tp", "8"}.  `origin` names the option for errors ("--tp"). */
typedef struct aif_override { const char *path, *value, *origin; } aif_override;

/* Once a search has filled a layout written auto (auto_fields cleared), s->assumed is
 * listed again for the layout found: the settings that matter on it (sp and tp_overlap at
 * tp > 1, the data-parallel ones at dp x cp > 1, ...) and the gradient bucket's
 * max(40M, 1M x dp) as the layout's figure. */
void aif_scenario_assumed_layout(aif_scenario *s);

/* The training settings the input wrote that have no effect on the job's layout as it
 * stands (train.cp_comm at cp 1, train.sp and train.tp_overlap at tp 1, train.ep_dispatch and
 * train.ep_overlap without an expert-parallel group, train.pp_overlap outside an interleaved
 * pipeline, train.dp_overlap on a dense model without a data-parallel group) are noted, each
 * as a substitution to "unused", so a setting that does nothing is never silent.  Called once
 * the layout is known: at load when no field is auto, after the search when one is. */
enum {
    AIF_GIVEN_SP = 1u << 0, AIF_GIVEN_TP_OVERLAP = 1u << 1, AIF_GIVEN_DP_OVERLAP = 1u << 2,
    AIF_GIVEN_EP_OVERLAP = 1u << 3, AIF_GIVEN_PP_OVERLAP = 1u << 4, AIF_GIVEN_EP_DISPATCH = 1u << 5,
    AIF_GIVEN_CP_COMM = 1u << 6,
};
void aif_scenario_note_unused(aif_scenario *s);

/* A training job's compute rate over a typical GPU's: a synchronous job waits at every
 * collective for its slowest GPU, so 1 - cluster.speed_spread x E[the largest of n standard
 * normal draws], n the job's GPUs (aif_alloc_gpus); 1 without a spread or with one GPU. */
double aif_scenario_pace(const aif_scenario *s);

/* Appends a note to s: the field, what was asked, what is used, and why (printf-style);
 * past AIF_MAX_NOTES it only counts it (n_notes_dropped), so a writer can say so. */
void aif_scenario_note(aif_scenario *s, const char *field, const char *asked, const char *used, const char *why_fmt,
                       ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/* Loads a scenario.  `path` NULL = the built-in default scenario; a name without
 * '/' that is no file names a built-in example (data/scenarios/NAME.yaml).
 * Overrides are applied on top of the file before validation. */
aif_rc aif_scenario_load(const aif_catalog *c, const char *path,
                         const aif_override *ov, int n_ov,
                         aif_scenario *out, aif_err *err);
/* The same, binding only the cluster section (model, train and site are not read or
 * checked): enough to build the cluster's network (aifsim topology). */
aif_rc aif_scenario_load_cluster(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                                 aif_scenario *out, aif_err *err);
/* Same, from YAML text in memory; `name` is used in error messages. */
aif_rc aif_scenario_parse(const aif_catalog *c, const char *text, size_t len, const char *name,
                          const aif_override *ov, int n_ov, aif_scenario *out, aif_err *err);

/* Sections of a scenario a load binds.  The cluster is always bound (every other
 * section needs it); the layout checks (aif_scenario_check) run when both model and
 * train are bound; a section not bound is left zero and none of its keys is read. */
typedef enum aif_section {
    AIF_SECTION_CLUSTER = 1u << 0,
    AIF_SECTION_MODEL = 1u << 1,
    AIF_SECTION_TRAIN = 1u << 2,
    AIF_SECTION_SITE = 1u << 3,   /* `facility` and `cost` */
    AIF_SECTION_ALL = 0xfu,       /* a training job's sections */
    AIF_SECTION_SERVE = 1u << 4,  /* `serve` (aifsim infer: with cluster, model and site) */
    AIF_SECTION_OPS = 1u << 5     /* `operations` (aifsim cluster: with every section of a training job) */
} aif_section;
/* aif_scenario_load and aif_scenario_parse binding only `sections` (aif_section bits). */
aif_rc aif_scenario_load_sections(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                                  unsigned sections, aif_scenario *out, aif_err *err);
aif_rc aif_scenario_parse_sections(const aif_catalog *c, const char *text, size_t len, const char *name,
                                   const aif_override *ov, int n_ov, unsigned sections, aif_scenario *out,
                                   aif_err *err);
/* Re-checks a scenario changed in code (sweeps): divisibility, ranges. */
aif_rc aif_scenario_check(const aif_scenario *s, aif_err *err);
/* The text of the built-in default scenario (Llama 3 405B on 16,384 H100). */
const char *aif_default_scenario_yaml(void);
/* The text of the neutral base (one DGX H100 node, Llama 3 8B, no model
 * parallelism), also the built-in example "base" (aifsim train base --gpus 16). */
const char *aif_base_scenario_yaml(void);
/* Where every job starts (aifsim train, facility, report; the api): path when given
 * (a file or a built-in example), else the built-in default scenario, with the
 * overrides on it.  The same as aif_scenario_load: kept as the name of that rule.
 * An override naming the model, or a GPU count (cluster.gpus, train.gpus) the base's
 * layout cannot hold, makes another job: the base's layout fields (train.tp, pp, vpp,
 * cp, ep, etp, dp, sp, gbs) not set by an override are derived again, and the change
 * is an aif_note of the scenario.  Every load follows this rule. */
aif_rc aif_scenario_load_job(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                             aif_scenario *out, aif_err *err);

/* --------------------------------------------------------------- result */

typedef struct aif_breakdown {   /* per step, seconds on the critical path */
    double compute_s;            /* forward + backward compute of the busiest pipeline rank */
    double recompute_s;          /* part of compute_s spent recomputing activations */
    double membound_s;           /* part of compute_s in memory-bound kernels */
    double tp_comm_s, cp_comm_s, ep_comm_s; /* exposed (not overlapped) */
    double pp_comm_s;            /* exposed pipeline send/recv */
    double pp_bubble_s;          /* pipeline fill and drain, and stage imbalance */
    double dp_comm_s;            /* exposed data-parallel gradient / parameter traffic */
    double optimizer_s;
    double offload_s;            /* exposed activation offload: compute waiting for a copy to or from the
                                    host (train.offload) */
} aif_breakdown;

typedef struct aif_memory {      /* bytes on the busiest GPU */
    double weights_bytes, grads_bytes, optimizer_bytes, activations_bytes, workspace_bytes, total_bytes;
    double hbm_bytes;
    double host_bytes;           /* activations held in host memory per GPU (train.offload; not in total) */
} aif_memory;

typedef struct aif_train_result {
    double step_time_s;
    aif_breakdown bd;
    int microbatches;            /* per pipeline per step */
    double tokens_per_step;
    double tokens_per_s, tokens_per_s_per_gpu;
    double model_flops_per_step; /* 3 x forward matmul FLOPs, attention unmasked (Megatron-LM count) */
    double hw_flops_per_step;    /* model FLOPs + recomputation */
    double model_tflops_per_gpu, hw_tflops_per_gpu;
    double mfu, hfu;
    aif_memory mem;
    bool fits_in_memory;
    double steps, train_time_s, gpu_hours;  /* for train.tokens; 0 when not given */
    double params, active_params;
    double pace;                 /* the compute clock the job ran at over a typical GPU's: its slowest
                                    GPU's (aif_scenario_pace; 1 without a speed spread) */
} aif_train_result;

/* Analytical engine: lowers the scenario to a step graph and walks its critical path. */
aif_rc aif_estimate(const aif_scenario *s, aif_train_result *r, aif_err *err);

/* A memo for sweeps of the analytical engine, owned by the caller (one per thread; no
 * global state).  A layer's lowered and timed segments depend on the model, the cluster,
 * the software stack and the per-GPU layout (tp, cp, ep, etp, mbs, seq, precision,
 * recompute, overlaps, ...), not on pp, vpp, dp, the batch or the optimizer (beyond what
 * it shards inside the layers), so a sweep over those reuses them.  The key is every
 * input they depend on (src/engine/estimate.c says which); a result is bit for bit
 * aif_estimate's.  The memo holds one (cluster, model, stack) at a time, emptied when
 * another comes, and at most max_entries layer keys (0: AIF_ESTIMATE_MEMO_DEFAULT,
 * about 0.6 KB each; 1 and 2 taken as 3, an estimate's parts), emptied when full. */
typedef struct aif_estimate_memo aif_estimate_memo;
enum { AIF_ESTIMATE_MEMO_DEFAULT = 1024 };
aif_rc aif_estimate_memo_new(int max_entries, aif_estimate_memo **out, aif_err *err);
void aif_estimate_memo_free(aif_estimate_memo *m);
/* Forgets every entry (what a new sweep starts from); a NULL memo is left alone. */
void aif_estimate_memo_clear(aif_estimate_memo *m);
/* Lookups that found their layer segments, and those that lowered them (0 and 0 for NULL). */
void aif_estimate_memo_stats(const aif_estimate_memo *m, long *hits, long *misses);
/* aif_estimate through the memo (m NULL: aif_estimate itself). */
aif_rc aif_estimate_memoized(const aif_scenario *s, aif_estimate_memo *m, aif_train_result *r, aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
