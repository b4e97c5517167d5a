/* graph.h -- the step graph: the contract between workloads and engines.
 *
 * A training step is lowered into segments (one transformer layer's forward,
 * its backward, the embedding, the output head, the end-of-step work).  Each
 * segment is a straight-line list of ops that one GPU runs; every GPU of a
 * pipeline rank runs the same segments (tensor, context, expert and data
 * parallel peers are symmetric), so a rank's work per microbatch is a count of
 * each segment, given by aif_graph_stage.  Data-parallel replicas are identical
 * and are not repeated.
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
 * Step-level data-parallel ops (segment STEP) overlap, when train.dp_overlap
 * is on, with the backward (reduce-scatter) or forward (all-gather) of one
 * microbatch, as Megatron-LM's bucketed gradient reduction does. */
#ifndef AIFSIM_GRAPH_H
#define AIFSIM_GRAPH_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aif_op_kind { AIF_OP_GEMM, AIF_OP_ATTN_FWD, AIF_OP_ATTN_BWD, AIF_OP_MEM, AIF_OP_COMM } aif_op_kind;
typedef enum aif_coll {
    AIF_COLL_ALLREDUCE, AIF_COLL_ALLGATHER, AIF_COLL_REDUCESCATTER, AIF_COLL_ALLTOALL, AIF_COLL_SENDRECV,
    AIF_COLL_BROADCAST
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
/* Communicator groups, Megatron-Core order: tp fastest, then cp, dp, pp. */
typedef enum aif_group { AIF_GRP_TP, AIF_GRP_CP, AIF_GRP_EP, AIF_GRP_DP, AIF_GRP_EDP, AIF_GRP_PP, AIF_GRP_ETP, AIF_N_GRP } aif_group;
/* What an op's time is charged to in the breakdown. */
typedef enum aif_cat {
    AIF_CAT_COMPUTE, AIF_CAT_RECOMPUTE, AIF_CAT_TP, AIF_CAT_CP, AIF_CAT_EP, AIF_CAT_PP, AIF_CAT_DP, AIF_CAT_OPT,
    AIF_N_CAT
} aif_cat;
typedef enum aif_ovl { AIF_OVL_NONE, AIF_OVL_NEXT, AIF_OVL_SEGMENT } aif_ovl;

typedef struct aif_op {
    const char *name;         /* static string, e.g. "qkv", "fc1.dgrad", "tp.allgather" */
    unsigned char kind;       /* aif_op_kind */
    unsigned char cat;        /* aif_cat */
    unsigned char coll;       /* AIF_OP_COMM: aif_coll */
    unsigned char group;      /* AIF_OP_COMM: aif_group */
    unsigned char overlap;    /* AIF_OP_COMM: aif_ovl */
    unsigned char fp8;        /* AIF_OP_GEMM: runs on fp8 tensor cores; attention: FlashAttention-2 */
    unsigned short n_kernels; /* kernel launches the op stands for */
    double flops;             /* FLOPs executed (attention: causal work actually done) */
    double bytes;             /* compute: HBM bytes moved; comm: message size as nccl-tests counts it */
    double m, n, k, batch;    /* GEMM shape per GPU; batch = independent GEMMs of that shape;
                                 attention: k = key/value length, n = head dimension */
} aif_op;

typedef enum aif_seg {
    AIF_SEG_DENSE_FWD, AIF_SEG_DENSE_BWD, AIF_SEG_MOE_FWD, AIF_SEG_MOE_BWD,
    AIF_SEG_EMBED_FWD, AIF_SEG_EMBED_BWD, AIF_SEG_HEAD_FWD, AIF_SEG_HEAD_BWD,
    AIF_SEG_P2P,              /* one pipeline send/recv of activations (per chunk boundary and direction) */
    AIF_SEG_STEP_RS,          /* after the last backward: gradient reduce(-scatter) */
    AIF_SEG_STEP_OPT,         /* optimizer */
    AIF_SEG_STEP_AG,          /* parameter all-gather before the next forward */
    AIF_N_SEG
} aif_seg;

#define AIF_GRAPH_MAX_OPS 320

typedef struct aif_group_shape {
    int size;                 /* ranks in the group */
    int per_domain;           /* of which share one scale-up (NVLink) domain */
} aif_group_shape;

typedef struct aif_graph {
    aif_op ops[AIF_GRAPH_MAX_OPS];
    int n_ops;
    struct { int first, n; } seg[AIF_N_SEG];
    aif_group_shape groups[AIF_N_GRP];
    int pp, vpp, microbatches;
    int layers, dense_layers; /* layers [0, dense_layers) use the dense MLP */
    double fwd_flops_per_microbatch_model; /* the whole model (all stages, tp ranks), unmasked attention */
    double recompute_flops_per_microbatch; /* extra forward work from recomputation, whole model */
} aif_graph;

/* Work of one pipeline rank per microbatch (summed over its vpp chunks). */
typedef struct aif_stage {
    int dense_layers, moe_layers;
    int embed, head;          /* 1 if the rank holds the embedding / output head */
    int p2p;                  /* activation sends per direction per microbatch */
} aif_stage;

/* Lowers a checked scenario into g (no allocation; g is large, keep it off small stacks). */
aif_rc aif_graph_lower(const aif_scenario *s, aif_graph *g, aif_err *err);
void aif_graph_stage(const aif_graph *g, int rank, aif_stage *st);
/* Layers [first, first + n) of pipeline chunk `chunk` (0 .. pp*vpp-1; chunk v*pp + r is
 * virtual chunk v of pipeline rank r). */
void aif_graph_chunk_layers(const aif_graph *g, int chunk, int *first, int *n);

#ifdef __cplusplus
}
#endif
#endif
