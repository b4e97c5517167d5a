/* graph.h -- the step graph: the contract between workloads and engines.
 *
 * A graph is a table of segments, each a straight-line run of ops that one GPU
 * executes (a transformer layer's forward, its backward, the embedding, the
 * end-of-step work of training; a prefill or decode iteration of a serving
 * engine).  The ops of segment i are ops[seg[i].first .. seg[i].first +
 * seg[i].n), and segments never share ops.  Each segment carries its own kind
 * and name, given by the lowering that built it: the training lowering
 * (aif_graph_lower) makes exactly AIF_N_SEG segments, segment i of kind i
 * (aif_seg), empty where the model has no such work; other lowerings add their
 * own.  The tables grow without a fixed cap and live in an arena the graph owns
 * (aif_graph_init / aif_graph_free).
 *
 * Training: every GPU of a pipeline rank runs the same segments (tensor,
 * context, expert and data parallel peers are symmetric), so a rank's work per
 * microbatch is a count of each segment, given by aif_graph_stage.
 * Data-parallel replicas are identical and are not repeated.
 *
 * Timing semantics of a segment (both engines honour them):
 *  - compute ops run one after another on the compute stream;
 *  - a comm op with overlap AIF_OVL_NONE blocks: it starts when the compute
 *    stream is idle and the compute stream waits for it;
 *  - AIF_OVL_NEXT: the comm op runs beside the next compute op (a collective
 *    chunked with the GEMM it feeds or follows, as Transformer Engine does);
 *  - AIF_OVL_SEGMENT: the comm op runs on the comm stream beside the rest of
 *    the segment (FSDP prefetch, async weight-gradient all-gather); the
 *    segment ends when both streams are done.
 *  - AIF_OVL_ASYNC: a pipeline send the sending rank does not wait for (Megatron-Core's
 *    overlap_p2p_comm, on with the interleaved schedule): it runs on the comm stream
 *    while the sender goes on to its next chunk, and the receiving stage waits for it
 *    before the unit that needs it.  A segment's time counts it in full (its transfer);
 *    the analytical engine charges a microbatch only what outlasts a chunk's compute,
 *    the fill and drain the whole transfer per hop.
 * Step-level data-parallel ops (segment STEP) overlap, when train.dp_overlap
 * is on, with the backward (reduce-scatter) or forward (all-gather) of one
 * microbatch, as Megatron-LM's bucketed gradient reduction does: in dp_buckets
 * buckets of at least max(40M, 1M x dp) parameters each (Megatron-Core's
 * DistributedDataParallel default, which keeps a bucket's ring reduce-scatter
 * bandwidth-bound at large dp), each a collective of its own; the last bucket's
 * reduction (the first bucket's all-gather) cannot overlap. */
#ifndef AIFSIM_GRAPH_H
#define AIFSIM_GRAPH_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aif_op_kind { AIF_OP_GEMM, AIF_OP_ATTN_FWD, AIF_OP_ATTN_BWD, AIF_OP_MEM, AIF_OP_COMM } aif_op_kind;
typedef enum aif_coll {
    AIF_COLL_ALLREDUCE, AIF_COLL_ALLGATHER, AIF_COLL_REDUCESCATTER, AIF_COLL_ALLTOALL, AIF_COLL_SENDRECV,
    AIF_COLL_BROADCAST,
    /* an expert dispatch kernel (DeepEP, HybridEP: Megatron-Core's flex dispatcher): every
     * token to the ranks of its experts, one copy per rank, as an all-to-all that runs at the
     * links' rate from the first megabytes (AIF_COLL_ALLTOALL is NCCL's, which does not) */
    AIF_COLL_DISPATCH
} aif_coll;
/* Collective algorithms as NCCL names them; AUTO picks the fastest that applies.
 * COLLNET: all-reduce reduced in the network switches (InfiniBand SHARP), when the
 * fabric can and cluster.network.sharp is on; PAT: NCCL 2.23's Parallel Aggregated
 * Trees for all-gather and reduce-scatter with one GPU per scale-up domain. */
typedef enum aif_coll_algo {
    AIF_ALGO_AUTO, AIF_ALGO_RING, AIF_ALGO_TREE, AIF_ALGO_NVLS, AIF_ALGO_COLLNET, AIF_ALGO_PAT
} aif_coll_algo;

/* Closed-form time of one collective on n contiguous ranks of the cluster (the
 * equations of src/net/collective.h); *chosen (may be NULL) gets the algorithm
 * used.  bytes is the buffer size as nccl-tests prints it. */
double aif_collective_time_s(const aif_cluster *cl, aif_coll coll, int n_ranks, double bytes, aif_coll_algo algo,
                             aif_coll_algo *chosen);
/* nccl-tests' bus-bandwidth factor: busbw = algbw x factor (PERFORMANCE.md of nccl-tests). */
double aif_busbw_factor(aif_coll coll, int n_ranks);
/* Communicator groups, Megatron-Core order: tp fastest, then cp, dp, pp.  AIF_GRP_DP and
 * AIF_GRP_EDP are the ranks a sharded optimizer's state spans: all of dp*cp (edp), or
 * under hybrid sharding (aif_parallel.dp_shard) its shard group, dp_shard*cp consecutive
 * ranks (edp / (dp / dp_shard)); AIF_GRP_DPR is then the replicate group, dp / dp_shard
 * ranks strided by tp*cp*dp_shard (torchtitan's mesh order dp_replicate, dp_shard, cp,
 * tp: the replicate dimension outermost), of size 1 without hybrid sharding. */
typedef enum aif_group {
    AIF_GRP_TP, AIF_GRP_CP, AIF_GRP_EP, AIF_GRP_DP, AIF_GRP_EDP, AIF_GRP_PP, AIF_GRP_ETP, AIF_GRP_DPR, AIF_N_GRP
} aif_group;
/* What an op's time is charged to in the breakdown. */
typedef enum aif_cat {
    AIF_CAT_COMPUTE, AIF_CAT_RECOMPUTE, AIF_CAT_TP, AIF_CAT_CP, AIF_CAT_EP, AIF_CAT_PP, AIF_CAT_DP, AIF_CAT_OPT,
    AIF_N_CAT
} aif_cat;
typedef enum aif_ovl { AIF_OVL_NONE, AIF_OVL_NEXT, AIF_OVL_SEGMENT, AIF_OVL_ASYNC } aif_ovl;

enum { AIF_OP_MAX_KERNELS = (1 << 25) - 1 };
typedef struct aif_op {
    const char *name;         /* static string, e.g. "qkv", "fc1.dgrad", "tp.allgather" */
    unsigned char kind;       /* aif_op_kind */
    unsigned char cat;        /* aif_cat */
    union {
        unsigned char coll;   /* AIF_OP_COMM: aif_coll */
        unsigned char chunks; /* AIF_OP_GEMM: run as this many GEMMs of m / chunks rows one after
                                 another (a TP collective pipelined with it); 0 or 1 = one GEMM */
    };
    union {
        unsigned char group;  /* AIF_OP_COMM: aif_group */
        unsigned char mixed;  /* AIF_OP_GEMM of a MoE's routed experts: 0, or 1 + the aif_gemm_prec of its
                                 weights where they are stored narrower than its math (4-bit weights under
                                 bf16 math: W4A16; under fp8: W4A8); 4-bit ones are widened in the main loop
                                 at the family's mixed_input_factor, except under fp8 math on a GPU with fp4
                                 tensor cores, which takes both as they are */
    };
    /* in one 32-bit word: */
    unsigned overlap : 2;     /* AIF_OP_COMM: aif_ovl */
    unsigned fp8 : 2;         /* AIF_OP_GEMM: the tensor cores it runs on, an aif_gemm_prec (0 bf16, 1 fp8,
                                 2 fp4, 3 block-scaled fp4 of a training recipe); attention: AIF_ATTN_OP_* flags */
    unsigned grouped : 1;     /* AIF_OP_GEMM: one grouped GEMM over `batch` experts of m rows each (a MoE
                                 layer's experts), timed with the family's grouped_m_half and grouped_factor */
    unsigned grouped_pass : 2;/* AIF_OP_GEMM of a MoE layer's experts: aif_grouped_pass (the family's
                                 grouped_factor, grouped_dgrad_factor, grouped_wgrad_factor) */
    unsigned n_kernels : 25;  /* kernel launches the op stands for (at most AIF_OP_MAX_KERNELS: a
                                 collective's per-rank host work counts one per rank) */
    double flops;             /* FLOPs executed (attention: causal work actually done) */
    double bytes;             /* compute: HBM bytes moved; comm: message size as nccl-tests counts it */
    double m, n, k, batch;    /* GEMM shape per GPU; batch = independent GEMMs of that shape;
                                 attention: k = the rate's curve length, twice the keys a query computes
                                 (a causal layer's sequence), n = head dimension */
    double hp_share;          /* AIF_OP_GEMM in fp8 or fp4: the share of its FLOPs that runs in bf16 (the
                                 layers a low-precision recipe keeps in bf16, averaged over the model's
                                 layers); 0 = all of it in its own precision */
} aif_op;

/* aif_op.grouped_pass: which of the experts' grouped GEMMs an op is (the weight gradient's k is a
 * group's rows, and it is not `grouped`: one GEMM of its shape where the family has no grouped table) */
typedef enum { AIF_GROUPED_NONE, AIF_GROUPED_FWD, AIF_GROUPED_DGRAD, AIF_GROUPED_WGRAD } aif_grouped_pass;

/* aif_op.fp8 of a GEMM.  AIF_GEMM_FP4 is a serving lowering's NVFP4/MXFP4 weights,
 * AIF_GEMM_FP4_BLOCK a training recipe's block-scaled fp4 GEMM (whose operands' quantization
 * the lowering charges as ops of its own); both are the same block-scaled kernel on the fp4
 * peak at the family's matmul_eff_fp4 (a kernel-level figure), or its fp8 efficiency where
 * the family has none. */
typedef enum aif_gemm_prec { AIF_GEMM_BF16, AIF_GEMM_FP8, AIF_GEMM_FP4, AIF_GEMM_FP4_BLOCK } aif_gemm_prec;

/* The segments of a training step, in the order the training lowering makes them;
 * in a training graph, seg[i] is the segment of kind i. */
typedef enum aif_seg {
    AIF_SEG_DENSE_FWD, AIF_SEG_DENSE_BWD, AIF_SEG_MOE_FWD, AIF_SEG_MOE_BWD,
    AIF_SEG_DENSE_BWD_KEEP,   /* under train.recompute_layers: the backward of a layer that kept its */
    AIF_SEG_MOE_BWD_KEEP,     /* activations (no replay); empty otherwise */
    AIF_SEG_EMBED_FWD, AIF_SEG_EMBED_BWD, AIF_SEG_HEAD_FWD, AIF_SEG_HEAD_BWD,
    AIF_SEG_P2P,              /* one pipeline send/recv of activations (per chunk boundary and direction) */
    AIF_SEG_STEP_RS,          /* after the last backward: gradient reduce(-scatter) */
    AIF_SEG_STEP_OPT,         /* optimizer */
    AIF_SEG_STEP_AG,          /* parameter all-gather before the next forward */
    AIF_N_SEG
} aif_seg;

typedef struct aif_segment {
    int first, n;             /* its ops: ops[first .. first + n) */
    int kind;                 /* the lowering's label (training: its aif_seg) */
    const char *name;         /* static string, e.g. "dense layer forward" */
} aif_segment;

typedef struct aif_group_shape {
    int size;                 /* ranks in the group */
    int per_domain;           /* of which share one scale-up (NVLink) domain */
} aif_group_shape;

struct aif_arena;

/* Work of one pipeline rank per microbatch (summed over its vpp chunks). */
typedef struct aif_stage {
    int dense_layers, moe_layers;
    int keep_dense, keep_moe; /* of them, those whose backward replays nothing under train.recompute_layers
                                 (the layers past the first recompute_layers of each chunk; 0 otherwise) */
    int embed, head;          /* 1 if the rank holds the embedding / output head */
    int p2p;                  /* activation sends per direction per microbatch */
} aif_stage;

/* A run of consecutive pipeline ranks [rank, rank + n_ranks) whose stages are equal.
 * Ranks differ only at a few places: rank 0 (embedding, its first chunk's share of
 * the remainder layers), the last rank (output head), where the remainder's extra
 * layers end, and around the chunk where the dense prefix of a MoE model ends; so a
 * training graph has at most AIF_MAX_STAGE_CLASSES runs whatever pp and vpp. */
typedef struct aif_stage_class {
    int rank, n_ranks;
    aif_stage st;
} aif_stage_class;
enum { AIF_MAX_STAGE_CLASSES = 8 };


typedef struct aif_graph {
    aif_op *ops;              /* n_ops ops, segment after segment (in the arena) */
    int n_ops;
    aif_segment *seg;         /* n_seg segments (in the arena) */
    int n_seg;
    aif_group_shape groups[AIF_N_GRP];   /* the communicator groups comm ops name */
    /* what the training lowering adds (zero in other graphs) */
    int pp, vpp, microbatches;
    double pace;              /* the job's compute clock over a typical GPU's (aif_scenario_pace) */
    int layers, dense_layers; /* layers [0, dense_layers) use the dense MLP */
    int recompute_layers;     /* recompute full with train.recompute_layers: the first N layers of each
                                 chunk replay, the rest run the *_BWD_KEEP segments; 0 = all replay */
    int dp_buckets;           /* gradient buckets of a stage with dp_overlap (Megatron-LM's bucket size), >= 1 */
    /* the pipeline ranks in runs of equal stages, in rank order (aif_graph_stage_classes,
       which aif_graph_shape calls): what the engines and the memory model loop over, so
       that an estimate costs the same at pp 1 and pp 1,024 */
    aif_stage_class stage_class[AIF_MAX_STAGE_CLASSES];
    int n_stage_classes;
    const aif_stage *stage_table;  /* NULL, or [pp]: each rank's stage, given by the caller; the loops
                                      over stage classes then take every rank as a class of its own
                                      (the per-rank reference tests compare the classes with) */
    /* activation offload (train.offload; aif_graph_shape): layers 0 .. offload_layers-1 of the
       stage copy their saved activations, offload_bytes[0] for a dense layer and [1] for a MoE
       layer per microbatch and GPU, to the host after their forward and back before their
       backward, on a copy stream of their own (Transformer Engine's DefaultOffloadSynchronizer:
       layer i's copy starts when layer i+1's forward starts and must end before layer
       layers - offload_layers + i's; its reload starts when the backward reaches layer
       layers - 1 - offload_layers + i).  Not ops: a copy's waits span segments, which the
       segment semantics above cannot say; the engines time them (aif_offload_exposed, the
       simulator's copy stream) at offload_bytes / cluster.host_link_Bps.  0 = no offload */
    int offload_layers;
    double offload_bytes[2];
    double fwd_flops_per_microbatch_model; /* the whole model (all stages, tp ranks), unmasked attention */
    double recompute_flops_per_microbatch; /* extra forward work from recomputation, whole model */
    /* owned: ops, seg and tables timed beside them; the builder's state */
    struct aif_arena *arena;
    int cap_ops, cap_seg;
    int open;                 /* 1 while a segment is being built (the last one) */
    aif_rc fault;             /* first builder failure (AIF_ENOMEM, or AIF_EINTERNAL for misuse) */
} aif_graph;

/* ---- life and building (src/workload/graph.c) */

/* An empty graph; allocates nothing, so it cannot fail. */
void aif_graph_init(aif_graph *g);
/* An empty graph whose tables start in buf (`bytes`, aligned for any type, outliving
 * g) and go to the heap only when they outgrow it; aif_graph_free leaves buf alone.
 * AIF_GRAPH_BUF_BYTES holds a training step graph's first tables (256 ops, 16
 * segments). */
void aif_graph_init_buffer(aif_graph *g, void *buf, size_t bytes);
enum { AIF_GRAPH_BUF_BYTES = 20 * 1024 };
/* Frees everything g holds (its arena) and leaves it empty, as after aif_graph_init. */
void aif_graph_free(aif_graph *g);
/* Opens a segment at the end of the table; the ops added until aif_graph_seg_end
 * are its ops.  Returns its index, or -1 (recorded in g->fault) when out of memory
 * or when a segment is already open.  name must outlive g (a string literal). */
int aif_graph_seg_begin(aif_graph *g, int kind, const char *name);
void aif_graph_seg_end(aif_graph *g);
/* Each appends one op to the open segment and returns it, or NULL (recorded in
 * g->fault) when out of memory or with no segment open.  A returned pointer stays
 * valid until the next op is added (the table may move as it grows); names must
 * outlive g.  Fields not named are zero, except n_kernels = 1 and batch = 1.
 *  gemm: m x n x k, `batch` independent GEMMs; flops = 2 m n k batch, bytes = the
 *        operands (1 byte per element in fp8, else 2) and a bf16 result;
 *  attn: fused attention; flops as executed, kv_len the rate's curve length (twice the keys
 *        a query computes: a causal layer's sequence), head_dim
 *        the head dimension, bytes of Q, K, V, O (and gradients), flash2: runs
 *        FlashAttention-2 (the attention efficiency of the older kernel);
 *  mem:  a memory-bound kernel moving `bytes` of HBM in n_kernels launches;
 *  comm: a collective on one of g->groups; bytes as nccl-tests counts them. */
aif_op *aif_graph_add(aif_graph *g, const char *name, aif_op_kind kind, aif_cat cat);
aif_op *aif_graph_add_gemm(aif_graph *g, const char *name, aif_cat cat, double m, double n, double k, double batch,
                           int fp8);
aif_op *aif_graph_add_attn(aif_graph *g, const char *name, aif_cat cat, int bwd, double flops, double kv_len,
                           double head_dim, double bytes, int flags);
/* aif_graph_add_attn's flags (aif_op.fp8 of an attention op): the kernel is FlashAttention-2
 * (the family's attn_flash2_factor); its operands are fp8 (attn_fp8_* factors) */
enum { AIF_ATTN_OP_FLASH2 = 1, AIF_ATTN_OP_FP8 = 2 };
aif_op *aif_graph_add_mem(aif_graph *g, const char *name, aif_cat cat, double bytes, int n_kernels);
aif_op *aif_graph_add_comm(aif_graph *g, const char *name, aif_cat cat, aif_coll coll, aif_group group,
                           double bytes, aif_ovl overlap);
/* AIF_OK when every call since aif_graph_init succeeded and no segment is open;
 * else the first failure, with a message in err. */
aif_rc aif_graph_finish(const aif_graph *g, aif_err *err);

/* ---- the training lowering (src/workload/lower_train.c) */

/* Lowers a checked scenario's training step into g, which it initialises (g
 * holds nothing before: free a graph before lowering into it again).  Free g
 * with aif_graph_free, on failure too. */
aif_rc aif_graph_lower(const aif_scenario *s, aif_graph *g, aif_err *err);
/* The same into a graph whose tables start in buf (aif_graph_init_buffer): an
 * estimate lowers into a buffer in its own frame and frees the graph before it
 * returns, with no malloc for a graph that fits. */
aif_rc aif_graph_lower_in(const aif_scenario *s, aif_graph *g, void *buf, size_t bytes, aif_err *err);
/* The shape alone, no ops: communicator groups, pp, vpp, microbatches, layers and
 * dense_layers, as aif_graph_lower sets them (it calls this).  Enough for
 * aif_graph_stage and the memory model; the best-layout search checks memory with
 * it before it lowers anything.  Sets only those fields of g. */
void aif_graph_shape(const aif_scenario *s, aif_graph *g);
/* Rank `rank`'s stage: g->stage_table[rank] when set, else summed over the rank's
 * vpp chunks (O(vpp); the reference for the classes below). */
void aif_graph_stage(const aif_graph *g, int rank, aif_stage *st);
/* Fills g->stage_class and g->n_stage_classes from g->pp, vpp, layers and
 * dense_layers, in O(vpp) (O(1) in pp): every rank in class k has stage
 * stage_class[k].st, and the classes tile ranks 0 .. pp-1 in order.  Call it again
 * after changing one of those fields (aif_graph_shape calls it). */
void aif_graph_stage_classes(aif_graph *g);
/* The classes a loop over pipeline ranks takes: g's stage classes, or one class per
 * rank (pp of them, rank r with stage_table[r]) when g->stage_table is set.  A loop
 * that keeps the first rank reaching the most of something (the busiest rank, the
 * most memory) gives the same answer over either, as long as what it measures does
 * not grow with the rank inside a class (it is the same for equal stages, or
 * decreasing, as the in-flight microbatches are: schedule.h). */
int aif_graph_n_stage_classes(const aif_graph *g);
void aif_graph_stage_class(const aif_graph *g, int k, aif_stage_class *c);
/* What the optimizer (aif_optim) does inside the layers, with pp pipeline stages:
 * AIF_SHARD_NONE (none, distributed, zero1: gradients reduced once at the step's end);
 * AIF_SHARD_GRADS (zero2, and zero3/fsdp with pipelining: parameters stay gathered
 * after the forward pass, as Llama 3 and torchtitan run FSDP with pipeline
 * parallelism; each microbatch's gradients are reduce-scattered in its backward pass);
 * AIF_SHARD_ALL (zero3, fsdp without pipelining: each layer's weights gathered before
 * its forward and backward, its gradients reduce-scattered after). */
typedef enum aif_layer_shard { AIF_SHARD_NONE, AIF_SHARD_GRADS, AIF_SHARD_ALL } aif_layer_shard;
aif_layer_shard aif_layer_sharding(int optimizer, int pp);
/* Layers [first, first + n) of pipeline chunk `chunk` (0 .. pp*vpp-1; chunk v*pp + r is
 * virtual chunk v of pipeline rank r). */
void aif_graph_chunk_layers(const aif_graph *g, int chunk, int *first, int *n);
/* The share of the model's layers a full recompute replays: 1, or under
 * g->recompute_layers = N > 0 the first N layers of each chunk over all layers (what
 * scales the replayed FLOPs, aif_graph.recompute_flops_per_microbatch). */
double aif_graph_replayed_share(const aif_graph *g);

/* ---- timing (the analytical engine, src/engine/estimate.c) */

typedef struct aif_seg_time {
    double total_s;               /* critical path of the segment */
    double cat_s[AIF_N_CAT];      /* what the critical path is made of, by category */
    double membound_s;            /* compute time in memory-bound kernels */
} aif_seg_time;

/* One op alone: the roofline of a compute op (src/hw/compute.h) on the scenario's
 * GPU at its clock factor, or the closed form of a collective on its group. */
double aif_op_time_s(const aif_scenario *s, const aif_graph *g, const aif_op *op);
/* Segment i_seg of g under the two-stream semantics above. */
void aif_segment_time(const aif_scenario *s, const aif_graph *g, int i_seg, aif_seg_time *out);

/* A scenario's training step graph with every op and segment timed: what
 * `aifsim train --ops` lists.  op_s and seg_t live in graph's arena. */
typedef struct aif_graph_timing {
    aif_graph graph;
    double *op_s;                 /* [graph.n_ops]: aif_op_time_s of each op */
    aif_seg_time *seg_t;          /* [graph.n_seg]: aif_segment_time of each segment */
} aif_graph_timing;

/* Checks and lowers s and times it into t (which needs no init); free t with
 * aif_graph_timing_free, on failure too. */
aif_rc aif_graph_timing_eval(const aif_scenario *s, aif_graph_timing *t, aif_err *err);
void aif_graph_timing_free(aif_graph_timing *t);

#ifdef __cplusplus
}
#endif
#endif
