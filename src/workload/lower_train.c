/* lower_train.c -- a training step of a transformer under tp/pp/vpp/cp/ep/dp
 * parallelism into the step graph (graph.h), the way Megatron-Core runs it,
 * through the op builder (graph.c).  It makes the AIF_N_SEG training segments
 * in aif_seg order, so that seg[i] has kind i, and ops of no size (a collective
 * on a group of one, or of zero bytes) are left out.
 *
 * Per GPU, for one microbatch of b sequences of length s (T = b*s/cp tokens
 * of each sequence chunk):
 *  - tensor parallelism (Shoeybi et al. 2019) splits heads and FFN columns; with
 *    sequence parallelism (Korthikanti et al. 2022) each layer does, forward,
 *    all-gather -> column-parallel GEMM ... row-parallel GEMM -> reduce-scatter
 *    twice (attention, MLP), and backward the mirror image plus a re-gather of
 *    the sequence-sharded input for the weight gradient (overlapped with dgrad);
 *  - context parallelism (ring attention) passes K and V around the cp ring,
 *    overlapped with the attention kernel;
 *  - expert parallelism dispatches top-k token copies by all-to-all to the
 *    experts' owners and combines them back; expert weights are split by ep and
 *    by etp (expert tensor parallelism; with etp > 1 the etp ranks all-gather
 *    their dispatched tokens and reduce-scatter the results);
 *  - data parallelism reduces gradients at the end of the step (all-reduce, or
 *    reduce-scatter + all-gather when the optimizer is sharded); ZeRO-3/FSDP
 *    gather each layer's weights before use and reduce-scatter its gradients;
 *    under hybrid sharding (train.dp_shard) those run in the shard groups and each
 *    reduce-scattered gradient shard is all-reduced across the replicate group;
 *  - recompute: full replays each layer's forward before its backward;
 *    selective replays the modules train.recompute_modules names, by default the
 *    attention core (free with flash attention, which recomputes scores anyway),
 *    each just before the backward that needs it (replay_mlp_modules).
 * Backward GEMMs are dgrad (m, k, n) and wgrad (k, n, m) of a forward (m, n, k).
 * fp8 GEMMs (Transformer Engine) carry the cast-transpose of their activation
 * operand as a memory-bound op.
 * fp4 GEMMs (NVFP4 or MXFP4, "Pretraining Large Language Models with NVFP4", NVIDIA
 * 2025, and Transformer Engine's NVFP4BlockScaling recipe) run fprop, dgrad and wgrad
 * block-scaled on the fp4 tensor cores; each carries the quantization of its
 * activation or gradient operand as one memory-bound op: read the bf16 tensor (2 bytes),
 * read it again for the per-tensor amax (NVFP4 only), write a row-wise copy and a
 * column-wise copy for wgrad after the 16x16 random Hadamard transform (each 0.5 byte
 * per element plus one scale per block: E4M3 per 16, NVFP4; E8M0 per 32, MXFP4).
 * Stochastic rounding of the gradients is the same kernel's conversion instruction on
 * Blackwell (cvt with .rs), no extra pass; weights are quantized (16x16 blocks) once per
 * step, as fp8's are cast, in the step's optimizer segment ("weights.quantize").
 * Attention (QK^T, softmax, AV), embeddings, the
 * output head, the router and norms stay in bf16, and so do the recipe's first and last
 * layers (train.bf16_first_layers, _last_layers): their share of the layer GEMMs' FLOPs,
 * averaged over the model's layers, is aif_op.hp_share (each pipeline stage is given the
 * average, not its own layers' precision).
 * Flash-attention backward does 2.5x the forward FLOPs (five GEMMs to two).
 * The software stack (s->framework, data/frameworks.yaml) scales what a stack without
 * fused kernels moves: normalisation ops by norm_traffic, rotary ops by rope_traffic (absent:
 * norm_traffic), activation and
 * residual ops by act_traffic, each such op launched as elementwise_kernels kernels;
 * the fp8 cast by fp8_cast_factor; with fsdp_prefetch 0 the ZeRO-3/FSDP weight
 * gathers are not hidden behind the layer; with fsdp_per_tensor each weight tensor is
 * gathered and reduced by its own collective beside its own GEMM, with fsdp_rank_ops
 * host operations per rank before it and no prefetch past fsdp_live_params gathered
 * weights (DeepSpeed's ZeRO-3, tensor_colls).  Megatron-Core's profile is 1 everywhere.
 * Pipeline ranks: each rank's chunks and stage (chunk_layers, aif_graph_stage), and
 * the stage classes, runs of equal ranks that every loop over ranks takes instead
 * (aif_graph_stage_classes: at most AIF_MAX_STAGE_CLASSES, whatever pp). */
#include "aifsim/graph.h"
#include "base/base.h"
#include "scenario/catalog.h"
#include "workload/lower_train.h"
#include "workload/memory.h"
#include "workload/ranks.h"
#include "net/collective.h"
#include "net/topology.h"
#include "workload/transformer.h"

#include <math.h>
#include <string.h>

typedef struct lw {
    aif_graph *g;
    const aif_scenario *s;
    aif_dims d;
    double b, seq, t, c, T, tok_el, h;
    int sp, fp8, flash, flash2, tp_ovl, fsdp, zero2, ep, etp;   /* fsdp, zero2: aif_layer_sharding */
    int attn_fp8;                   /* train.attention_dtype fp8: the fused attention's operands */
    int cp_comm;                    /* aif_cp_comm as resolved (train.cp_comm): how cp > 1 moves the sequence */
    int lora;         /* LoRA rank (0: every weight trained): frozen weights get no wgrad */
    double hp_share;  /* share of the layers' low-precision GEMM FLOPs a recipe keeps in bf16 */
    double quant_bytes; /* HBM bytes per element of an operand's quantization (fp8 cast, fp4 quantize) */
    double gather_el_bytes; /* bytes per element of a sequence-parallel gather before a GEMM (2: bf16) */
    int gathers_input;      /* the comms just emitted gather the next GEMM's input: 1 in bf16 (its
                               cast must follow them), 2 quantized (the cast of the rank's shard
                               precedes them, the gathered copy is transposed after) */
    double quant_t_bytes;   /* of quant_bytes, the transposed copy's write (0 under LoRA) */
    int chunks_next;        /* the next GEMM runs in this many chunks, pipelined with the TP
                               collective beside it (0: one GEMM) */
    int rs_splits;          /* chunks of a GEMM whose output is reduce-scattered beside it */
    int dtensor;            /* sequence-parallel tensor parallelism through PyTorch's DTensor
                               (framework tp_dtensor): batch-major activations, a collective's
                               copies (comm()), gathered inputs kept for the backward */
    int keeps_gathered;     /* the backward reads the gathered input a GEMM kept (DTensor's mm
                               saves what it read), no re-gather beside the dgrad; not under the
                               stack's per-op selective policy, which recomputes the gather */
    int fused_next;         /* the next collective comm() emits is fused with the GEMM beside it
                               (gather_input under tp_overlap, tp_reduce_before): async TP's */
    int full_replay;        /* lowering the backward of a layer a full recompute replayed */
    aif_ovl ep_ovl;   /* how the expert all-to-all runs beside compute */
    aif_cat cat;      /* category for compute ops being emitted */
    double norm_x, rope_x, act_x, cast_x;   /* the stack's traffic factors (1 = fused kernels) */
    int ew_kernels;                 /* kernels per elementwise op (1 = fused) */
    aif_ovl fsdp_ovl;               /* ZeRO-3/FSDP gathers: hidden (prefetched) or exposed */
    int fsdp_tensor;                /* the stack gathers and reduces each weight tensor on its own */
    int rank_ops;                   /* host operations per rank in each such collective (0: flat buffer) */
    int fsdp_copy;                  /* FSDP2: copy-out after each all-gather, copy-in before each reduce-scatter */
    double rs_bytes;                /* bytes an element of the gradient reduce-scatter (FSDP2's reduce dtype) */
    double loss_fwd_b, loss_bwd_b;  /* bytes per logit of the loss's forward and backward */
    double live_limit_el;           /* gathered weights above which the stack prefetches nothing (0: none) */
    double live_el;                 /* gathered weights held when the next tensor would be prefetched */
    double reuse_limit_el;          /* a gathered weight used again within fewer weights is kept (0: never) */
    double reuse_layer_el;          /* a full recompute: the layer's weights, whose tail it keeps */
    double reuse_prefix_el;         /* ... the weights replayed so far, and those of them kept */
    double reuse_kept_el;
    double reuse_seen_el;           /* a layer's backward: the weights gone through so far */
    int tensor_coll;                /* emitting a sharded layer per tensor: 1 forward (gather before the
                                       GEMM), 2 backward (reduce-scatter, and the gather again unless
                                       a recompute gathered it, before the dgrad) */
    double replay_share;            /* > 0 while replaying a layer under the stack's selective policy:
                                       the share of its GEMMs recomputed (attention core and
                                       collectives saved, elementwise ops recomputed) */
    int replay_pruned;              /* while a full recompute replays a layer: the stack replays only
                                       what the backward reads (framework replay_pruned) */
    unsigned replay_saved;          /* while a full recompute replays a layer: what it kept instead
                                       (train.recompute_saved, bit 1 << AIF_RCS_x), not replayed */
    int keep_acts;                  /* lowering the backward of a layer that kept its activations
                                       (train.recompute_layers): no replay, whatever train.recompute */
    int cast_only;                  /* the next GEMM is one a replay kept: its low-precision input cast
                                       alone (the weight gradient reads that copy), not the GEMM */
    unsigned groups_read;           /* bit g: comm() was asked about group g (its size decides) */
} lw;

static void mem(lw *w, const char *name, double bytes, int kernels);

/* What a full recompute under a stack that replays only what the backward reads leaves out,
 * as the outputs it keeps: a dense MLP's down projection (mlpwo), whose output only the
 * residual add and the next layer read (framework replay_pruned); a MoE layer's shared
 * experts' down projection likewise (aif_shared_down_flops_per_seq), its routed experts'
 * outputs kept for the router's gradient */
static unsigned replay_pruned_saved(const aif_framework *f)
{
    return f->replay_pruned ? 1u << AIF_RCS_MLPWO : 0;
}

/* The backward of a column-parallel GEMM whose output is x: whether it reads the gathered
 * input the forward or the replay kept (keeps_gathered), or must gather it again: a full
 * replay that kept x's output (train.recompute_saved) ran neither that GEMM nor its gather
 * (MLA's projections are replayed whatever it keeps) */
static int kept_gathered(const lw *w, aif_recompute_saved x)
{
    if (!w->keeps_gathered)
        return 0;
    if (!w->full_replay || (x == AIF_RCS_QKV_PROJ && w->s->model.attention == AIF_ATTN_MLA))
        return 1;
    return !(w->s->train.recompute_saved >> x & 1u);
}

/* while a full recompute replays a layer: whether it kept output x (train.recompute_saved) */
static int kept(const lw *w, aif_recompute_saved x)
{
    return (w->replay_saved >> x & 1u) != 0;
}

/* the kernels beside a DTensor sequence-parallel collective (comm()) */
static const char tp_ag_copy[] = "tp.ag.copy", tp_rs_copy[] = "tp.rs.copy", tp_ag_local[] = "tp.ag.local",
                  tp_rs_reduce[] = "tp.rs.reduce";
static int is_dtensor_kernel(const aif_op *o)
{
    return o->name == tp_ag_copy || o->name == tp_rs_copy || o->name == tp_ag_local || o->name == tp_rs_reduce;
}

/* The op just added (a GEMM operand's cast) moved before the collectives emitted to run
 * beside that GEMM (AIF_OVL_NEXT: a TP gather or reduce-scatter chunked with it, a
 * gradient gather beside a dgrad), so that they overlap the GEMM, not the cast: the cast
 * reads a tensor none of them writes (a gather of the GEMM's own input in bf16 is the
 * exception, and the caller keeps it: gathers_input). */
static void cast_before_comms(aif_graph *g)
{
    if (!g->open || g->n_ops < 2)
        return;
    int first = g->seg[g->n_seg - 1].first, i = g->n_ops - 1, j = i;
    while (j - 1 >= first && ((g->ops[j - 1].kind == AIF_OP_COMM && g->ops[j - 1].overlap == AIF_OVL_NEXT) ||
                              is_dtensor_kernel(&g->ops[j - 1])))   /* a collective's kernel stays beside it */
        j--;
    if (j == i)
        return;
    aif_op cast = g->ops[i];
    memmove(&g->ops[j + 1], &g->ops[j], (size_t)(i - j) * sizeof *g->ops);
    g->ops[j] = cast;
}
static void tensor_colls(lw *w, const char *name, double weight_el);

/* A GEMM; wgrad: a weight gradient, whose name says "wgrad" (Debug builds check it; a
 * flag rather than a search of the name for every op of every estimate). */
static aif_op *gemm_of(lw *w, const char *name, int wgrad, double m, double n, double k, double batch, int fp8)
{
    AIF_ASSERT(wgrad == (strstr(name, "wgrad") != NULL));
    /* LoRA: a frozen weight has no gradient; the attention core's "wgrad" GEMMs are the
     * gradients of its keys and values, and the adapters' own are trained */
    if (w->lora && wgrad && strncmp(name, "attn.", 5) != 0 && strncmp(name, "lora.", 5) != 0)
        return NULL;
    if (w->replay_share > 0)   /* a partial replay recomputes that share of each GEMM's rows */
        m *= w->replay_share;
    /* fp8 GEMMs read operands that Transformer Engine first casts (and transposes, for
     * the weight gradient) from bf16: read 2 bytes, write 1 + 1.  The wgrad reuses
     * the transposed copies; weights are cast once per step, in the step's optimizer
     * segment ("weights.cast", below), with Megatron-Core's gradient buffer. */
    double lp = w->hp_share > 0 ? 1 - w->hp_share : 1;   /* the bf16 layers quantize nothing */
    if (fp8 && !wgrad && lp > 0) {
        double el = m * k * batch * lp * w->cast_x, bytes = el * w->quant_bytes;
        if (w->gathers_input == 2)   /* quantized on the shard (1/t of the rows), gathered, then transposed
                                        (read and write the transposed copy's bytes; TE's _all_gather_fp8) */
            bytes = el / w->t * (w->quant_bytes - w->quant_t_bytes) + el * 2 * w->quant_t_bytes;
        mem(w, fp8 >= AIF_GEMM_FP4 ? "fp4.quantize" : "fp8.cast", bytes, 1);
        if (w->gathers_input != 1)
            cast_before_comms(w->g);
    }
    w->gathers_input = 0;
    if (w->cast_only) {   /* a kept output: the GEMM is not replayed, its input still quantized */
        w->cast_only = 0;
        w->chunks_next = 0;
        return NULL;
    }
    /* ZeRO-3 per tensor: a weight's fprop or dgrad (n x k (x batch) weights) gathers it
     * (and reduce-scatters its gradient) beside this GEMM: after its operands' cast, so
     * that the GEMM is the compute the collective overlaps */
    if (w->tensor_coll && !wgrad && strncmp(name, "attn.", 5) != 0 && strncmp(name, "lora.", 5) != 0)
        tensor_colls(w, name, n * k * batch);
    aif_op *o = aif_graph_add_gemm(w->g, name, w->cat, m, n, k, batch, fp8);
    if (o && fp8)
        o->hp_share = w->hp_share;
    if (o && w->chunks_next > 1) {   /* at most 255 (aif_op.chunks): a TP that wide is no overlap anyone runs */
        int c = w->chunks_next < 255 ? w->chunks_next : 255;
        o->chunks = (unsigned char)c;
        o->n_kernels = (unsigned)c;
    }
    w->chunks_next = 0;
    return o;
}

static aif_op *gemm(lw *w, const char *name, double m, double n, double k, double batch, int fp8)
{
    return gemm_of(w, name, 0, m, n, k, batch, fp8);
}
static aif_op *wgrad_gemm(lw *w, const char *name, double m, double n, double k, double batch, int fp8)
{
    return gemm_of(w, name, 1, m, n, k, batch, fp8);
}

/* dgrad and wgrad of a forward GEMM (m, n, k) */
static void gemm_bwd(lw *w, const char *dname, const char *wname, double m, double n, double k, double batch,
                     int fp8)
{
    gemm(w, dname, m, k, n, batch, fp8);
    wgrad_gemm(w, wname, k, n, m, batch, fp8);
}

static void mem(lw *w, const char *name, double bytes, int kernels)
{
    aif_graph_add_mem(w->g, name, w->cat, bytes, kernels);
}

/* normalisation and rotary ops, and activation and residual ops, as the stack runs them */
static void norm_op(lw *w, const char *name, double bytes)
{
    aif_graph_add_mem(w->g, name, w->cat, bytes * w->norm_x, w->ew_kernels);
}
static void act_op(lw *w, const char *name, double bytes)
{
    aif_graph_add_mem(w->g, name, w->cat, bytes * w->act_x, w->ew_kernels);
}

/* train.fp8_act_input: the activation's input (el elements) cast to fp8 for the backward after
 * the forward's activation and back to bf16 before the backward's (Megatron-Core's
 * fused_bias_swiglu.py: input.to(torch.float8_e4m3fn), then .to(ori_input_dtype)): a kernel
 * each, reading 2 bytes and writing 1, or reading 1 and writing 2 */
static void act_fp8_cast(lw *w, const char *name, double el)
{
    if (w->s->train.fp8_act_input)
        aif_graph_add_mem(w->g, name, w->cat, el * 3, 1);
}

static void comm(lw *w, const char *name, aif_cat cat, aif_coll coll, aif_group grp, double bytes, aif_ovl ovl)
{
    w->groups_read |= 1u << grp;
    int fused = w->fused_next;
    w->fused_next = 0;
    if (w->g->groups[grp].size <= 1 || bytes <= 0 || w->replay_share > 0)   /* a partial replay keeps them */
        return;
    /* DTensor's sequence parallelism (framework tp_dtensor), its compute-stream kernels beside
     * each collective, emitted first so that a pipelined collective stays next to its GEMM.
     * Plain: the activations are batch-major and split along the sequence, so the gather's
     * output and the reduce-scatter's input are copied between rank-major and batch-major
     * order, read and written.  Fused with its GEMM (async TP: the compiler's fused
     * all-gather-matmul and matmul-reduce-scatter on symmetric memory, which work on views; a
     * gather feeding a GEMM, a reduce-scatter of one GEMM's output, as the lowering pipelines
     * them, fused_next; a reduce-scatter of a sum of GEMMs, the backward's, is not):
     * the gather copies the rank's own shard into the exchange buffer and into the gathered
     * output (2 x 2 / t of the bytes); the reduce-scatter's GEMM writes every rank's partial,
     * and after the exchange a reduction kernel reads them all and writes the rank's share. */
    if (w->dtensor && cat == AIF_CAT_TP && grp == AIF_GRP_TP &&
        (coll == AIF_COLL_ALLGATHER || coll == AIF_COLL_REDUCESCATTER)) {
        int ag = coll == AIF_COLL_ALLGATHER, t = w->g->groups[grp].size;
        if (fused)
            aif_graph_add_mem(w->g, ag ? tp_ag_local : tp_rs_reduce, w->cat, ag ? 4 * bytes / t : bytes * (1 + 1.0 / t),
                              ag ? 2 : 1);
        else
            aif_graph_add_mem(w->g, ag ? tp_ag_copy : tp_rs_copy, w->cat, 2 * bytes, 1);
    }
    aif_graph_add_comm(w->g, name, cat, coll, grp, bytes, ovl);
}

/* The rotary embedding of a layer's queries and keys: bytes as a fused kernel moves them (read
 * and write), or, where the stack's fused kernel refuses the model's YaRN scale (framework
 * yarn_rope_unfused, model.rope_mscale != 1: Megatron-Core's rope_utils.py raises "mscale is
 * not supported by TE's fused RoPE" since NVIDIA/Megatron-LM 987395813b and runs
 * _apply_rotary_pos_emb_bshd), PyTorch's unfused sequence: t * cos, rotate_half's neg of one
 * half and cat, * sin, the sum, the final cat: 12 passes of the tensor's bytes against the
 * fused kernel's 2, six kernels; its backward through autograd 9 passes, five kernels. */
static void rope_op(lw *w, const char *name, double fused_bytes, int bwd)
{
    const aif_model *m = &w->s->model;
    if (w->s->framework.yarn_rope_unfused && m->rope_mscale > 0 && m->rope_mscale != 1) {
        aif_graph_add_mem(w->g, name, w->cat, fused_bytes * (bwd ? 4.5 : 6), bwd ? 5 : 6);
        return;
    }
    aif_graph_add_mem(w->g, name, w->cat, fused_bytes * w->rope_x, w->ew_kernels);
}

static double kv_local(const lw *w);

static void attn_core(lw *w, int bwd)
{
    if (w->replay_share > 0)   /* the stack's selective policy saves the attention output */
        return;
    const aif_model *m = &w->s->model;
    double heads = m->heads / w->t, sq = w->seq / w->c, sk = w->seq;
    double unmasked = 2 * w->b * heads * sq * sk * (w->d.dqk + w->d.dv);
    /* context parallelism over a ring (train.cp_comm p2p): Transformer Engine's
     * AttnFuncWithCPAndKVP2P, as PyTorch's ring attention, runs a kernel a step, cp of them,
     * on the rank's two load-balanced chunks of seq / 2cp: the causal diagonal over both, then
     * both against one chunk of keys (steps up to the rank's index) or the later chunk against
     * two; rank cp - 1 (the two middle chunks) takes the first kind at every step, seq / 2cp
     * keys a query (a curve of twice that, seq / cp), the slowest, and the ring waits for it,
     * so each kernel's curve reads the local sequence, seq / cp, and pays its own launch.  a2a and allgather run one kernel over
     * the whole sequence's keys */
    int ring = w->c > 1 && w->cp_comm == AIF_CP_P2P;
    if (w->flash) {
        int flags = (w->flash2 ? AIF_ATTN_OP_FLASH2 : 0) | (w->attn_fp8 ? AIF_ATTN_OP_FP8 : 0);
        /* the layers a recipe keeps in bf16 (aif_op.hp_share's) run their attention in bf16: their
         * share of each op apart, as the ops of the bf16 kernel */
        double lp = w->attn_fp8 && w->hp_share > 0 ? 1 - w->hp_share : 1;
        if (w->attn_fp8 && lp > 0) {
            /* fp8 operands (Transformer Engine's FusedAttnFunc at 4329ff84): the queries, keys and
             * values quantized before the forward kernel, the output's gradient before the
             * backward's, each read in bf16 and written in fp8 */
            double kv = m->attention == AIF_ATTN_MLA ? heads * (w->d.dqk + w->d.dv) : kv_local(w);
            aif_graph_add_mem(w->g, bwd ? "attn.fp8.cast.bwd" : "attn.fp8.cast", w->cat,
                              3 * w->T * (bwd ? heads * w->d.dv : w->d.q_dim / w->t + kv) * lp, 1);
        }
        /* sliding-window layers (model.sliding_window) compute their band, in whole key tiles
         * where the family gives the kernel's tile (calibration attn_block_n), at the rate of a
         * kernel of that key length; the graph's layer is the average of the model's layers, so
         * the two kinds are two ops, each with its share of the layers.  In fp8 the backward
         * computes the whole causal square (cuDNN 9.22's: its time grows with the square of the
         * sequence, validation/kernels/attention_cudnn_fp8.csv), the forward its band */
        double ws = aif_model_window_share(m), W = m->sliding_window;
        if (!(ws > 0 && W < sk))
            ws = 0;
        double io = w->T * (heads * (w->d.dqk * 2 + w->d.dv * 2)) * 2 * (bwd ? 2 : 1), x = bwd ? 2.5 : 1.0;
        for (int part = 0; part < 2; part++) {
            double sh = part == 0 ? lp : 1 - lp;
            int fl = part == 0 ? flags : flags & ~AIF_ATTN_OP_FP8, b_fp8 = fl & AIF_ATTN_OP_FP8;
            double bnd = b_fp8 && bwd ? 0 : ws;   /* the share of layers that compute a band */
            if (!(sh > 0))
                continue;
            if (bnd < 1) {
                aif_op *op = aif_graph_add_attn(w->g, bwd ? "attn.bwd" : "attn.fwd", w->cat, bwd,
                                                unmasked * 0.5 * x * (1 - bnd) * sh,   /* causal: half the square */
                                                ring ? sk / w->c : sk, w->d.dqk, io * (1 - bnd) * sh, fl);
                if (op && ring)   /* NULL: out of memory, the graph's fault set */
                    op->n_kernels = (unsigned)w->c;
            }
            if (bnd > 0) {
                /* a kernel of attn_block_n-key tiles (train.attn_block, attn_block_bwd where the job
                 * sets its kernel's tile) computes whole tiles: a query tile's band spans the tiles
                 * under W + block_n - 1 keys, masked parts included (aif_window_kernel_keys) */
                const aif_train *tr = &w->s->train;
                int blk = bwd && tr->attn_block_bwd > 0 ? tr->attn_block_bwd
                          : tr->attn_block > 0          ? tr->attn_block
                                                        : w->s->cluster.gpu.calib.attn_block_n;
                double kk = aif_window_kernel_keys(W, sk, blk);
                double keys = kk > 0 ? kk : aif_window_keys_per_query(W, sk);
                aif_graph_add_attn(w->g, bwd ? "attn.window.bwd" : "attn.window.fwd", w->cat, bwd,
                                   2 * w->b * heads * sq * keys * (w->d.dqk + w->d.dv) * x * bnd * sh,
                                   aif_attn_curve_keys(keys), w->d.dqk, io * bnd * sh, fl);
            }
        }
        return;
    }
    /* unfused: batched GEMMs over b*heads plus memory-bound softmax and dropout on the s x s scores */
    double bh = w->b * heads, sc = bh * sq * sk;
    if (!bwd) {
        gemm(w, "attn.qk", sq, sk, w->d.dqk, bh, 0);
        mem(w, "attn.softmax", sc * 4, 1);
        if (w->d.dropout)
            mem(w, "attn.dropout", sc * 5, 1);
        gemm(w, "attn.av", sq, w->d.dv, sk, bh, 0);
    } else {
        gemm_bwd(w, "attn.av.dgrad", "attn.av.wgrad", sq, w->d.dv, sk, bh, 0);
        if (w->d.dropout)
            mem(w, "attn.dropout.bwd", sc * 5, 1);
        mem(w, "attn.softmax.bwd", sc * 6, 1);
        gemm_bwd(w, "attn.qk.dgrad", "attn.qk.wgrad", sq, sk, w->d.dqk, bh, 0);
    }
}

/* A sequence-parallel gather of the next GEMM's input (a forward input, an output gradient),
 * of tokens x h elements; layer: a layer's GEMM at the layout's precision, its input
 * gathered quantized when the stack does (fp8_tp_gather) and the GEMM pipelined with the
 * gather under tp_overlap, one chunk per shard as it arrives; 0: bf16, one GEMM.  Nothing
 * when the collective is not emitted (a partial replay keeps its collectives). */
static void gather_input(lw *w, const char *name, double tokens, int layer)
{
    int n0 = w->g->n_ops;
    double eb = layer ? w->gather_el_bytes : 2;
    w->fused_next = w->tp_ovl;   /* under async TP a gather feeding a GEMM is the fused op */
    comm(w, name, AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, tokens * w->h * eb, w->tp_ovl ? AIF_OVL_NEXT : AIF_OVL_NONE);
    if (w->g->n_ops == n0)
        return;
    w->gathers_input = eb < 2 ? 2 : 1;
    w->chunks_next = w->tp_ovl && layer ? w->t : 0;
}

/* the TP collective that precedes a column-parallel GEMM (forward); layer: a layer's GEMM,
 * at the layout's precision and pipelined with the gather when the stack overlaps TP
 * comm; 0: the output head's (bf16, Megatron's own column-parallel layer, not chunked) */
static void tp_gather(lw *w, const char *name, double tokens, int layer)
{
    if (w->t > 1 && w->sp)
        gather_input(w, name, tokens, layer);
}

/* the TP collective after a row-parallel GEMM (forward); emitted before the GEMM
 * when overlapped, since it is chunked with it */
static void tp_reduce(lw *w, const char *name, double tokens)
{
    if (w->t > 1)
        comm(w, name, AIF_CAT_TP, w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP,
             tokens * w->h * 2, w->tp_ovl ? AIF_OVL_NEXT : AIF_OVL_NONE);
}

/* the reduction of a row-parallel GEMM's output, pipelined with it: emitted before it, and
 * the GEMM run in the stack's chunks */
static void tp_reduce_before(lw *w, const char *name, double tokens)
{
    int n0 = w->g->n_ops;
    w->fused_next = w->t > 1;   /* under async TP the GEMM and its reduce-scatter are the fused op */
    tp_reduce(w, name, tokens);
    if (w->g->n_ops > n0)
        w->chunks_next = w->rs_splits;
}

static double kv_local(const lw *w)
{
    /* KV heads are split by tp, or replicated when tp exceeds them */
    const aif_model *m = &w->s->model;
    if (m->attention == AIF_ATTN_MLA)
        return w->d.kv_dim / w->t;
    double g = m->kv_heads / w->t;
    return (g < 1 ? 1 : g) * 2 * m->head_dim;
}

/* Context parallelism's exchange around the attention core (train.cp_comm), before it
 * (after 0) or after it: p2p sends the keys and values round the ring beside the kernels (the
 * backward their gradients too, twice the bytes); a2a exchanges the queries, keys and values
 * (the backward the output's gradient) before the kernel and the output (the backward the
 * three gradients) after it, each rank holding the whole sequence for 1/cp of the heads; allgather
 * gathers the keys and values before the kernel (again before the backward's, Transformer
 * Engine's AttnFuncWithCPAndKVAllGather keeping its shard) and reduce-scatters their gradients
 * after it.  The collectives of a2a and allgather block: the kernel needs them whole.  Bytes in
 * bf16 (the all-to-all's a rank's buffer, the gather's the gathered one). */
static void cp_exchange(lw *w, int bwd, int after)
{
    if (w->c <= 1)
        return;
    const aif_model *m = &w->s->model;
    double T = w->T, kv = m->attention == AIF_ATTN_MLA ? m->heads / w->t * (w->d.dqk + w->d.dv) : kv_local(w);
    double q = w->d.q_dim / w->t, o = m->heads / w->t * w->d.dv;
    /* fp8 attention (train.attention_dtype) outside an MXFP8 (blockwise) recipe: Transformer
     * Engine quantizes the queries, keys and values, the output's gradient and the three
     * gradients before it moves them, one byte each (context_parallel.py at d0067d0:
     * AttnFuncWithCPAndQKVOA2A and AttnFuncWithCPAndKVP2P send the uint8 data), and the output
     * in fp8 where the delayed recipe's backward reads it so; MXFP8 moves bf16 */
    int f8 = w->attn_fp8 && w->s->framework.fp8_recipe != AIF_FP8_BLOCKWISE;
    double e = f8 ? 1 : 2, eo = f8 && w->s->framework.fp8_recipe == AIF_FP8_DELAYED ? 1 : 2;
    switch (w->cp_comm) {
    case AIF_CP_A2A:
        if (!after)
            comm(w, bwd ? "cp.a2a.dout" : "cp.a2a.qkv", AIF_CAT_CP, AIF_COLL_ALLTOALL, AIF_GRP_CP,
                 T * (bwd ? o : q + kv) * e, AIF_OVL_NONE);
        else
            comm(w, bwd ? "cp.a2a.dqkv" : "cp.a2a.out", AIF_CAT_CP, AIF_COLL_ALLTOALL, AIF_GRP_CP,
                 T * (bwd ? (q + kv) * e : o * eo), AIF_OVL_NONE);
        return;
    case AIF_CP_ALLGATHER:
        if (!after)
            comm(w, bwd ? "cp.ag.kv.bwd" : "cp.ag.kv", AIF_CAT_CP, AIF_COLL_ALLGATHER, AIF_GRP_CP,
                 w->c * T * kv * 2, AIF_OVL_NONE);
        else if (bwd)
            comm(w, "cp.rs.dkv", AIF_CAT_CP, AIF_COLL_REDUCESCATTER, AIF_GRP_CP, w->c * T * kv * 2, AIF_OVL_NONE);
        return;
    default:
        if (!after)
            comm(w, bwd ? "cp.dkv" : "cp.kv", AIF_CAT_CP, AIF_COLL_SENDRECV, AIF_GRP_CP,
                 T * kv * (bwd ? e + 2 : e) * (w->c - 1), AIF_OVL_NEXT);   /* backward: the keys and
                 values again beside their gradients, in bf16 */
        return;
    }
}

static void attention_fwd(lw *w)
{
    const aif_model *m = &w->s->model;
    double T = w->T, el = w->tok_el, h = w->h;
    norm_op(w, "norm1", el * h * 4);
    if (!kept(w, AIF_RCS_QKV_PROJ) || m->attention == AIF_ATTN_MLA)
        tp_gather(w, "tp.ag.qkv", T, 1);
    if (m->attention == AIF_ATTN_MLA) {
        double ql = m->mla.q_lora_rank, kvl = m->mla.kv_lora_rank, rope = m->mla.qk_rope_head_dim;
        if (ql > 0) {
            gemm(w, "q.down", T, ql, h, 1, w->fp8);
            gemm(w, "q.up", T, w->d.q_dim / w->t, ql, 1, w->fp8);
        } else {
            gemm(w, "q", T, w->d.q_dim / w->t, h, 1, w->fp8);
        }
        gemm(w, "kv.down", T, kvl + rope, h, 1, w->fp8);
        gemm(w, "kv.up", T, w->d.kv_dim / w->t, kvl, 1, w->fp8);
    } else {   /* a replay that kept them casts its input alone */
        w->cast_only = kept(w, AIF_RCS_QKV_PROJ);
        gemm(w, "qkv", T, w->d.q_dim / w->t + kv_local(w), h, 1, w->fp8);
    }
    if (m->position == AIF_POS_ROPE)
        rope_op(w, "rope", T * (w->d.q_dim / w->t + kv_local(w) / 2) * 4, 0);
    if (!kept(w, AIF_RCS_CONTEXT)) {   /* a replay that kept it: no ring, no core */
        cp_exchange(w, 0, 0);
        attn_core(w, 0);
        cp_exchange(w, 0, 1);
    }
    if (!kept(w, AIF_RCS_OUT_PROJ)) {
        if (w->tp_ovl)
            tp_reduce_before(w, "tp.rs.out", T);
        gemm(w, "out", T, h, w->d.out_in / w->t, 1, w->fp8);
        if (!w->tp_ovl)
            tp_reduce(w, "tp.rs.out", T);
    } else {   /* kept: its input's cast alone */
        w->cast_only = 1;
        gemm(w, "out", T, h, w->d.out_in / w->t, 1, w->fp8);
    }
    act_op(w, "residual1", el * h * (6 + w->d.dropout));
}

static void attention_bwd(lw *w)
{
    const aif_model *m = &w->s->model;
    double T = w->T, el = w->tok_el, h = w->h;
    act_op(w, "residual1.bwd", el * h * (4 + w->d.dropout));
    /* backward of the reduce-scatter: gather the output gradient */
    if (w->t > 1 && w->sp)
        gather_input(w, "tp.ag.out.grad", T, 1);   /* the dgrad's input */
    gemm_bwd(w, "out.dgrad", "out.wgrad", T, h, w->d.out_in / w->t, 1, w->fp8);
    cp_exchange(w, 1, 0);
    attn_core(w, 1);
    cp_exchange(w, 1, 1);
    if (m->position == AIF_POS_ROPE)
        rope_op(w, "rope.bwd", T * (w->d.q_dim / w->t + kv_local(w) / 2) * 4, 1);
    double n_qkv = m->attention == AIF_ATTN_MLA ? w->d.q_dim / w->t + w->d.kv_dim / w->t : w->d.q_dim / w->t + kv_local(w);
    double k_qkv = h;
    if (w->t > 1 && w->sp && !kept_gathered(w, AIF_RCS_QKV_PROJ))   /* re-gather the sequence-sharded input for wgrad, beside dgrad */
        comm(w, "tp.ag.qkv.input", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, T * h * w->gather_el_bytes, AIF_OVL_NEXT);
    if (m->attention == AIF_ATTN_MLA) {
        double ql = m->mla.q_lora_rank, kvl = m->mla.kv_lora_rank, rope = m->mla.qk_rope_head_dim;
        gemm_bwd(w, "kv.up.dgrad", "kv.up.wgrad", T, w->d.kv_dim / w->t, kvl, 1, w->fp8);
        if (ql > 0)
            gemm_bwd(w, "q.up.dgrad", "q.up.wgrad", T, w->d.q_dim / w->t, ql, 1, w->fp8);
        gemm(w, "qkv.down.dgrad", T, h, (ql > 0 ? ql : w->d.q_dim / w->t) + kvl + rope, 1, w->fp8);
        if (w->t > 1)
            comm(w, w->sp ? "tp.rs.qkv.grad" : "tp.ar.qkv.grad", AIF_CAT_TP,
                 w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NEXT);
        wgrad_gemm(w, "qkv.down.wgrad", h, (ql > 0 ? ql : w->d.q_dim / w->t) + kvl + rope, T, 1, w->fp8);
    } else {
        gemm(w, "qkv.dgrad", T, k_qkv, n_qkv, 1, w->fp8);
        if (w->t > 1)   /* input-gradient reduction beside wgrad */
            comm(w, w->sp ? "tp.rs.qkv.grad" : "tp.ar.qkv.grad", AIF_CAT_TP,
                 w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NEXT);
        wgrad_gemm(w, "qkv.wgrad", k_qkv, n_qkv, T, 1, w->fp8);
    }
    norm_op(w, "norm1.bwd", el * h * 6);
}

static void mlp_fwd(lw *w, double ffn, const char *pfx_fc1, const char *pfx_act, const char *pfx_cast,
                    const char *pfx_fc2)
{
    double T = w->T, h = w->h, gm = w->d.gated ? 2 : 1;
    gemm(w, pfx_fc1, T, ffn * gm / w->t, h, 1, w->fp8);
    act_op(w, pfx_act, T * ffn / w->t * 2 * (gm + 1));
    act_fp8_cast(w, pfx_cast, T * ffn * gm / w->t);
    w->cast_only = w->replay_pruned;   /* a replay that has no reader for its output: the input's cast alone */
    gemm(w, pfx_fc2, T, h, ffn / w->t, 1, w->fp8);
}

/* The dense MLP module between its norm and its residual: what Megatron-Core's `mlp`
 * recompute module checkpoints (transformer_layer.py, recompute_mlp) */
static void dense_mlp_core(lw *w)
{
    double h = w->h, T = w->T;
    if (!kept(w, AIF_RCS_MLPWI))   /* a replay that kept fc1's output gathers nothing for it */
        tp_gather(w, "tp.ag.fc1", T, 1);
    double gm = w->d.gated ? 2 : 1, ffn = w->s->model.ffn;
    w->cast_only = kept(w, AIF_RCS_MLPWI);   /* kept: its input's cast alone */
    gemm(w, "fc1", T, ffn * gm / w->t, h, 1, w->fp8);
    act_op(w, "act", T * ffn / w->t * 2 * (gm + 1));
    act_fp8_cast(w, "act.fp8", T * ffn * gm / w->t);
    if (kept(w, AIF_RCS_MLPWO) || w->replay_pruned) {   /* a replay that kept its output, or one
                                                           that has no reader for it: its input's cast alone */
        w->cast_only = 1;
        gemm(w, "fc2", T, h, ffn / w->t, 1, w->fp8);
        return;
    }
    if (w->tp_ovl)
        tp_reduce_before(w, "tp.rs.fc2", T);
    gemm(w, "fc2", T, h, ffn / w->t, 1, w->fp8);
    if (!w->tp_ovl)
        tp_reduce(w, "tp.rs.fc2", T);
}

static void dense_mlp_fwd(lw *w)
{
    double el = w->tok_el, h = w->h;
    norm_op(w, "norm2", el * h * 4);
    dense_mlp_core(w);
    if (!w->replay_pruned)
        act_op(w, "residual2", el * h * (6 + w->d.dropout));
}

static void dense_mlp_bwd(lw *w)
{
    double el = w->tok_el, h = w->h, T = w->T;
    double gm = w->d.gated ? 2 : 1, ffn = w->s->model.ffn;
    act_op(w, "residual2.bwd", el * h * (4 + w->d.dropout));
    if (w->t > 1 && w->sp)
        gather_input(w, "tp.ag.fc2.grad", T, 1);   /* the dgrad's input */
    gemm_bwd(w, "fc2.dgrad", "fc2.wgrad", T, h, ffn / w->t, 1, w->fp8);
    act_fp8_cast(w, "act.fp8.bwd", T * ffn * gm / w->t);
    act_op(w, "act.bwd", T * ffn / w->t * 2 * (2 * gm + 1));
    if (w->t > 1 && w->sp && !kept_gathered(w, AIF_RCS_MLPWI))   /* re-gather fc1's input for its wgrad */
        comm(w, "tp.ag.fc1.input", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, T * h * w->gather_el_bytes, AIF_OVL_NEXT);
    gemm(w, "fc1.dgrad", T, h, ffn * gm / w->t, 1, w->fp8);
    if (w->t > 1)
        comm(w, w->sp ? "tp.rs.fc1.grad" : "tp.ar.fc1.grad", AIF_CAT_TP,
             w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NEXT);
    wgrad_gemm(w, "fc1.wgrad", h, ffn * gm / w->t, T, 1, w->fp8);
    norm_op(w, "norm2.bwd", el * h * 6);
}

/* The routing load imbalance the step waits for (train.ep_imbalance): the busiest
 * expert-parallel rank receives that many times the mean token copies, computes its
 * experts' GEMMs over them and is the last to finish each all-to-all (its receive in the
 * dispatch, its send in the combine), so every rank waits for it.  Senders are balanced
 * (each token leaves its own rank), so the permutes are not scaled.  With ep 1 every GPU
 * holds every expert and the imbalance changes nothing. */
static double ep_imbalance(const lw *w)
{
    return w->ep > 1 && w->s->train.ep_imbalance > 1 ? w->s->train.ep_imbalance : 1;
}

/* A grouped GEMM over a MoE layer's local experts, forward or input gradient (compute.c:
 * grouped_m_half, grouped_factor, grouped_dgrad_factor). */
static void grouped(aif_op *o, aif_grouped_pass pass)
{
    if (o) {
        o->grouped = 1;
        o->grouped_pass = pass;
    }
}

/* The weight gradients of a MoE layer's local experts (compute.c: grouped_wgrad_factor). */
static void grouped_wgrad(aif_op *o)
{
    if (o)
        o->grouped_pass = AIF_GROUPED_WGRAD;
}

/* How the expert all-to-all moves tokens: deepep (train.ep_dispatch; auto: a model whose
 * routing is node-limited, moe.max_nodes, as DeepSeek-V3 and every published run of it
 * dispatch through DeepEP or Megatron-Core's flex dispatcher) or NCCL's all-to-all. */
static int ep_deepep(const lw *w)
{
    int d = w->s->train.ep_dispatch;
    return d == AIF_EP_DEEPEP || d == AIF_EP_DEEPEP_FP8 || d == AIF_EP_HYBRIDEP ||
           (d == AIF_EP_AUTO && w->s->model.moe.max_nodes > 0);
}

/* The expert all-to-all's kind: a dispatch kernel's (DeepEP, HybridEP), or NCCL's all-to-all
 * (Megatron-Core's all-to-all dispatcher), which reaches the links' rate only at large
 * buffers (the scale-up fabric's a2a_half, net/collective.c). */
static aif_coll ep_coll(const lw *w)
{
    return ep_deepep(w) ? AIF_COLL_DISPATCH : AIF_COLL_ALLTOALL;
}

/* Bytes per element of one token copy in an expert all-to-all, deduplication folded in
 * (aif_coll_dispatch_dedup).  to_experts: the transfers that feed the expert GEMMs (the
 * dispatch, and backward the combine's gradient): with deepep-fp8 in an fp8 or fp4 recipe
 * they move fp8 with one fp32 scale per 128 elements, as DeepSeek-V3 quantizes the
 * activations before the up-projections and the gradients before the down-projections
 * (arXiv:2412.19437 sec. 3.3.2; DeepEP's dispatch takes fp8 with per-128 scales); the others
 * stay bf16, and so does every copy of the all-to-all dispatcher and of deepep (Megatron-Core's
 * flex dispatcher hands DeepEP and HybridEP the bf16 activations). */
static double ep_bytes(const lw *w, int to_experts)
{
    if (!ep_deepep(w))
        return 2;
    const aif_train *tr = &w->s->train;
    double el = to_experts && tr->ep_dispatch == AIF_EP_DEEPEP_FP8 && (tr->precision == AIF_FP8 || tr->precision == AIF_FP4)
                    ? 1 + 4.0 / 128 : 2;
    return el * aif_coll_dispatch_dedup(w->g->groups[AIF_GRP_EP], w->s->model.moe.top_k, w->s->model.moe.max_nodes);
}

/* Megatron-Core's all-to-all dispatcher (NVIDIA/Megatron-LM megatron/core/transformer/moe/
 * token_dispatcher.py at d98e8a64, MoEAlltoAllTokenDispatcher) beside its NCCL all-to-all of
 * the tokens:
 *  - preprocess all-gathers every rank's per-expert token counts over the expert tensor- and
 *    expert-parallel group (gather_from_sequence_parallel_region of num_local_tokens_per_expert)
 *    wherever ep or etp > 1, on the compute stream and waited on: E int64 from each of ep x
 *    etp ranks (charged over the ep group, the bytes scaled by etp; latency-bound);
 *  - token_dispatch sends the routing probabilities in an all-to-all of their own, one fp32
 *    per copy, and its backward sends their gradients back;
 *  - NCCL delivers each peer's tokens as one chunk, so wherever a GPU holds more than one
 *    expert dispatch_postprocess sorts the received copies by local expert after the expert
 *    tensor-parallel all-gather, and combine_preprocess sorts them back before its
 *    reduce-scatter (sort_chunks_by_idxs, "Permutation 2": one read and one write of the
 *    copies; the backward runs the inverse sort).
 * The flex dispatcher hands DeepEP (train.ep_dispatch deepep) the tokens unpermuted with
 * their top-k indices and probabilities, and DeepEP learns the layout inside its dispatch
 * (its notify kernel, part of the dispatch's measured time); HybridEP (hybridep) takes the
 * routing map and the probabilities and all-gathers the map first (hybridep_routing below).
 * One permutation after either orders the copies by expert. */
static int ep_alltoall_dispatcher(const lw *w)
{
    return (w->ep > 1 || w->etp > 1) && !ep_deepep(w);
}
static void ep_sort(lw *w, const char *name)
{
    if (ep_alltoall_dispatcher(w) && w->s->model.moe.experts / w->ep > 1)
        mem(w, name, w->tok_el * w->s->model.moe.top_k * w->etp * ep_imbalance(w) * w->h * 4, 1);   /* slots x h, bf16 in and out */
}
/* HybridEP builds its dispatch plan from every rank's routing map: without a cached handle
 * (Megatron-Core's flex dispatcher passes none: the routing changes with every layer and
 * microbatch) HybridEPBuffer.dispatch_with_permute all-gathers the tokens x experts boolean
 * map over the expert tensor- and expert-parallel group before the metadata kernel and the
 * dispatch, on the dispatch's stream (deepseek-ai/DeepEP deep_ep/hybrid_ep_buffer.py at
 * 098da2a6, dispatch and dispatch_with_permute: all_gather_into_tensor of routing_map;
 * NVIDIA/Megatron-LM megatron/core/transformer/moe/fused_a2a.py and token_dispatcher.py at
 * d98e8a64, HybridEPDispatch.forward, _HybridEPManager).  With expert tensor parallelism the
 * map has E x etp columns, one per expert and tensor rank, from each of ep x etp ranks;
 * charged over the ep group (the model has no ep x etp group), the bytes the whole gather's.
 * The combine and the backward reuse the plan. */
static void hybridep_routing(lw *w)
{
    if (w->s->train.ep_dispatch == AIF_EP_HYBRIDEP && w->ep * w->etp > 1)
        comm(w, "ep.ag.routing", AIF_CAT_EP, AIF_COLL_ALLGATHER, AIF_GRP_EP,
             w->tok_el * w->s->model.moe.experts * w->etp * w->ep * w->etp, w->ep_ovl);   /* one byte a token and column */
}
static void ep_probs(lw *w, const char *name)
{
    if (ep_alltoall_dispatcher(w) && w->ep > 1)
        comm(w, name, AIF_CAT_EP, AIF_COLL_ALLTOALL, AIF_GRP_EP, w->tok_el * w->s->model.moe.top_k * 4 * ep_imbalance(w), w->ep_ovl);
}

/* MoE MLP: router, dispatch (all-to-all over ep, all-gather over tp), grouped expert
 * GEMMs over the local experts, combine; shared experts as a dense MLP beside it. */
/* The shared experts, beside the routed ones: Megatron-Core's `shared_experts` recompute
 * module (moe_layer.py, shared_experts_compute) */
static void shared_core(lw *w)
{
    const aif_model *m = &w->s->model;
    if (m->moe.shared_experts > 0) {
        tp_gather(w, "tp.ag.shared", w->T, 1);
        mlp_fwd(w, m->moe.expert_ffn * m->moe.shared_experts, "shared.fc1", "shared.act", "shared.act.fp8",
                "shared.fc2");
        if (!w->replay_pruned)
            tp_reduce(w, "tp.rs.shared", w->T);
    }
}

/* A clamped GLU (model.glu_clamp: gpt-oss's limit 7) and biased experts (model.expert_bias) under
 * a stack that handles them in eager PyTorch around its fused expert kernels (framework
 * moe_eager_extras: Megatron-Core's TEGroupedMLP at the rows' pins, NVIDIA/Megatron-LM experts.py
 * and fusions/fused_bias_geglu.py): weighted_bias_quick_geglu_impl chunks the fc1 output and
 * clamps both halves before the fused activation (the clamps read and write it once, the cat
 * again: 4 passes of its bytes; backward 3), and _apply_bias adds fc2's bias times each token's
 * routing probability expert by expert (b * p written, t + b p read twice and written, the cat
 * read and written: 6 passes of fc2's output; backward 2, the bias's and the probability's
 * gradients). */
static int eager_clamp(const lw *w)
{
    return w->s->framework.moe_eager_extras && w->s->model.glu_clamp > 0 && w->d.gated;
}
static int eager_bias(const lw *w)
{
    return w->s->framework.moe_eager_extras && w->s->model.expert_bias;
}

/* The routed experts' activation: Megatron-Core's `moe_act` recompute module (experts.py,
 * activation_checkpoint) */
static void experts_act(lw *w)
{
    const aif_model *m = &w->s->model;
    double gm = w->d.gated ? 2 : 1, fe = m->moe.expert_ffn, et = w->etp;
    double slots = w->tok_el * m->moe.top_k * et * ep_imbalance(w);
    act_op(w, "experts.act", slots * fe / et * 2 * (gm + 1));
    act_fp8_cast(w, "experts.act.fp8", slots * fe * gm / et);
    if (eager_clamp(w))   /* its input clamped first, in eager PyTorch: two clamps and a cat */
        mem(w, "experts.clamp", slots * fe * gm / et * 2 * 4, 3);
}

/* The MoE module between its norm and its residual: router, dispatch, experts, combine,
 * shared experts; Megatron-Core's `moe` recompute module checkpoints all of it
 * (moe_layer.py, moe_layer_recompute: custom_forward) */
static void moe_core(lw *w)
{
    const aif_model *m = &w->s->model;
    double el = w->tok_el, h = w->h, k = m->moe.top_k, E = m->moe.experts, ep = w->ep;
    double gm = w->d.gated ? 2 : 1, fe = m->moe.expert_ffn;
    double imb = ep_imbalance(w);                /* the busiest expert rank's share over the mean */
    double et = w->etp, slots = el * k * et * imb;    /* token copies this GPU's experts process */
    gemm(w, "router", el, E, h, 1, 0);
    if (ep_alltoall_dispatcher(w))   /* int64 counts, one per expert */
        comm(w, "ep.ag.counts", AIF_CAT_EP, AIF_COLL_ALLGATHER, AIF_GRP_EP, E * 8 * ep * et, AIF_OVL_NONE);
    mem(w, "moe.permute", el * k * h * 4, 2);
    hybridep_routing(w);
    comm(w, "ep.dispatch", AIF_CAT_EP, ep_coll(w), AIF_GRP_EP, el * k * h * ep_bytes(w, 1) * imb, w->ep_ovl);
    ep_probs(w, "ep.dispatch.probs");
    comm(w, "etp.ag.experts", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_ETP, slots * h * 2, AIF_OVL_NONE);
    ep_sort(w, "moe.sort");
    double per_expert = slots * ep / E, local = E / ep;
    grouped(gemm(w, "experts.fc1", per_expert, fe * gm / et, h, local, w->fp8), AIF_GROUPED_FWD);
    experts_act(w);
    grouped(gemm(w, "experts.fc2", per_expert, h, fe / et, local, w->fp8), AIF_GROUPED_FWD);
    if (eager_bias(w))   /* one multiply and add per local expert, then the cat */
        mem(w, "experts.bias", slots * h * 2 * 6, (int)(2 * local) + 1);
    ep_sort(w, "moe.unsort");
    comm(w, "etp.rs.experts", AIF_CAT_TP, AIF_COLL_REDUCESCATTER, AIF_GRP_ETP, slots * h * 2, AIF_OVL_NONE);
    comm(w, "ep.combine", AIF_CAT_EP, ep_coll(w), AIF_GRP_EP, el * k * h * ep_bytes(w, 0) * imb, w->ep_ovl);
    /* a pruned replay keeps it: its bytes are the permutation back to token order, whose output
     * the routing weights' gradient reads (only the weighted sum after it is dead) */
    mem(w, "moe.unpermute", el * k * h * 4, 2);
    shared_core(w);
}

static void moe_fwd(lw *w)
{
    double el = w->tok_el, h = w->h;
    norm_op(w, "norm2", el * h * 4);
    moe_core(w);
    if (!w->replay_pruned)
        act_op(w, "residual2", el * h * 6);
}

static void moe_bwd(lw *w)
{
    const aif_model *m = &w->s->model;
    double el = w->tok_el, h = w->h, T = w->T, k = m->moe.top_k, E = m->moe.experts, ep = w->ep;
    double imb = ep_imbalance(w);
    double gm = w->d.gated ? 2 : 1, fe = m->moe.expert_ffn, et = w->etp, slots = el * k * et * imb;
    double per_expert = slots * ep / E, local = E / ep;
    act_op(w, "residual2.bwd", el * h * 4);
    if (m->moe.shared_experts > 0) {
        double f = fe * m->moe.shared_experts;
        if (w->t > 1 && w->sp)
            comm(w, "tp.ag.shared.grad", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, T * h * w->gather_el_bytes, AIF_OVL_NONE);
        gemm_bwd(w, "shared.fc2.dgrad", "shared.fc2.wgrad", T, h, f / w->t, 1, w->fp8);
        act_fp8_cast(w, "shared.act.fp8.bwd", T * f * gm / w->t);
        act_op(w, "shared.act.bwd", T * f / w->t * 2 * (2 * gm + 1));
        gemm_bwd(w, "shared.fc1.dgrad", "shared.fc1.wgrad", T, f * gm / w->t, h, 1, w->fp8);
        if (w->t > 1)
            comm(w, "tp.rs.shared.grad", AIF_CAT_TP, w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE,
                 AIF_GRP_TP, T * h * 2, AIF_OVL_NONE);
    }
    mem(w, "moe.unpermute.bwd", el * k * h * 4, 2);
    comm(w, "ep.combine.bwd", AIF_CAT_EP, ep_coll(w), AIF_GRP_EP, el * k * h * ep_bytes(w, 1) * imb, w->ep_ovl);
    comm(w, "etp.ag.experts.grad", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_ETP, slots * h * 2, AIF_OVL_NONE);
    ep_sort(w, "moe.unsort.bwd");
    /* dgrad is grouped by expert as the forward; wgrad reduces over each expert's rows, K = per_expert */
    if (eager_bias(w))   /* the bias's and the probabilities' gradients, expert by expert */
        mem(w, "experts.bias.bwd", slots * h * 2 * 2, (int)(2 * local));
    grouped(gemm(w, "experts.fc2.dgrad", per_expert, fe / et, h, local, w->fp8), AIF_GROUPED_DGRAD);
    grouped_wgrad(wgrad_gemm(w, "experts.fc2.wgrad", fe / et, h, per_expert, local, w->fp8));
    act_fp8_cast(w, "experts.act.fp8.bwd", slots * fe * gm / et);
    act_op(w, "experts.act.bwd", slots * fe / et * 2 * (2 * gm + 1));
    if (eager_clamp(w))   /* the two clamps' masked gradients */
        mem(w, "experts.clamp.bwd", slots * fe * gm / et * 2 * 3, 2);
    grouped(gemm(w, "experts.fc1.dgrad", per_expert, h, fe * gm / et, local, w->fp8), AIF_GROUPED_DGRAD);
    grouped_wgrad(wgrad_gemm(w, "experts.fc1.wgrad", h, fe * gm / et, per_expert, local, w->fp8));
    ep_sort(w, "moe.sort.bwd");
    comm(w, "etp.rs.experts.grad", AIF_CAT_TP, AIF_COLL_REDUCESCATTER, AIF_GRP_ETP, slots * h * 2, AIF_OVL_NONE);
    ep_probs(w, "ep.dispatch.probs.bwd");
    comm(w, "ep.dispatch.bwd", AIF_CAT_EP, ep_coll(w), AIF_GRP_EP, el * k * h * ep_bytes(w, 0) * imb, w->ep_ovl);
    mem(w, "moe.permute.bwd", el * k * h * 4, 2);
    gemm_bwd(w, "router.dgrad", "router.wgrad", el, E, h, 1, 0);
    norm_op(w, "norm2.bwd", el * h * 6);
}

/* weights of one layer held by one GPU (tp- and ep-sharded) */
static double layer_params_local(const lw *w, int moe)
{
    const aif_model *m = &w->s->model;
    double p = w->d.attn_params / w->t + w->d.norm_params;
    if (moe)
        p += w->d.router_params + w->d.shared_params / w->t + w->d.expert_params * m->moe.experts / w->ep / w->etp;
    else
        p += w->d.mlp_params / w->t;
    return p;
}

aif_layer_shard aif_layer_sharding(int optimizer, int pp)
{
    if (optimizer == AIF_OPT_ZERO3 || optimizer == AIF_OPT_FSDP)
        return pp > 1 ? AIF_SHARD_GRADS : AIF_SHARD_ALL;
    return optimizer == AIF_OPT_ZERO2 ? AIF_SHARD_GRADS : AIF_SHARD_NONE;
}

int aif_layer_sharding_key(const aif_scenario *s)
{
    const aif_train *t = &s->train;
    aif_layer_shard sh = aif_layer_sharding(t->optimizer, t->par.pp);
    if (sh == AIF_SHARD_GRADS && t->optimizer >= AIF_OPT_ZERO3 && s->framework.pp_grad_accum_bytes > 0)
        return 3;
    return (int)sh;
}

/* The tensors of a norm: its weight, and a layer norm's bias. */
static int norm_tensors(const aif_model *m)
{
    return m->norm == AIF_NORM_LAYER ? 2 : 1;
}

/* The small tensors of a dense layer, which DeepSpeed's ZeRO-3 keeps whole in use (under
 * stage3_param_persistence_threshold): the two norms' and, with model linear_bias, the four
 * linears' biases; their elements on one GPU in *el (may be NULL). */
static int layer_small_tensors(const lw *w, double *el)
{
    const aif_model *m = &w->s->model;
    if (el)
        *el = w->d.norm_params +
              (m->linear_bias ? (w->d.q_dim + w->d.kv_dim + m->ffn * (w->d.gated ? 2 : 1)) / w->t + 2 * w->h : 0);
    return 2 * norm_tensors(m) + (m->linear_bias ? 4 : 0);
}

/* The small tensors whose gradients DeepSpeed's ZeRO-3 reduces beside a weight's: it hooks
 * every parameter and reduce-scatters each gradient on its own (stage3.py
 * create_reduce_and_remove_grad_hooks; with contiguous_gradients, which the Megatron + ZeRO-3
 * example config sets: partition_parameters.py _reduce_scatter_gradients, one reduce_scatter
 * per tensor), the small ones kept whole under stage3_param_persistence_threshold too: the
 * linear's bias (model linear_bias) and, beside a block's first linear (qkv, fc1), its norm's
 * weight and a layer norm's bias.  Each pays the ring's latency over the data-parallel ranks
 * and the per-rank list work, beside the same GEMM: host (1) the list work, with the
 * weight's, before the collectives; else the reduce-scatters after the weight's. */
static void small_grad_colls(lw *w, const char *name, double weight_el, int n, aif_ovl ovl, int host)
{
    const aif_model *m = &w->s->model;
    size_t len = strcspn(name, ".");
    int qkv = len == 3 && !strncmp(name, "qkv", 3), fc1 = len == 3 && !strncmp(name, "fc1", 3);
    int out = len == 3 && !strncmp(name, "out", 3), fc2 = len == 3 && !strncmp(name, "fc2", 3);
    double el[3];
    int k = 0;
    if (m->linear_bias && (qkv || out || fc1 || fc2))
        el[k++] = fc2 ? w->h : weight_el / w->h;   /* the output width: the hidden size for fc2 */
    if (qkv || fc1)
        for (int i = 0; i < norm_tensors(m); i++)
            el[k++] = w->h;
    for (int i = 0; i < k; i++) {
        if (host && w->rank_ops > 0)
            aif_graph_add_mem(w->g, "dp.rs.lists", AIF_CAT_DP, el[i] * 2 * 2, w->rank_ops * n);
        if (!host)
            comm(w, "dp.rs.small", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_DP, el[i] * 2, ovl);
    }
}

/* ZeRO-3 per tensor (the stack's fsdp_per_tensor; DeepSpeed's partition_parameters.py
 * of 2021 issues one all_gather per partitioned parameter, _allgather_param, and one
 * reduce_scatter per parameter's gradient, _reduce_scatter_gradient): each collective
 * pays its own latency, NCCL's ring over every data-parallel rank (net/collective.c).
 * DeepSpeed prefetches one parameter ahead and ends every fetch with a device-wide
 * synchronize (stage3.py fetch_sub_module, _synchronize_communication), and reduces a
 * gradient one parameter behind, so a collective runs beside one neighbouring GEMM: it
 * is placed beside the GEMM of its own tensor (AIF_OVL_NEXT), the one of the same size.
 * No prefetch is issued while the gathered weights held reach stage3_max_live_parameters
 * (live_limit_el; prefetch_next_sub_modules): in the forward only the tensor in use is
 * held (each is released after its module), in a recompute every tensor gathered so far
 * in the layer (kept for the backward that follows: its reuse distance is short); such a
 * gather is exposed.
 * A gathered weight is kept for its next use only when the weights used in between are
 * fewer than reuse_limit_el (release_sub_module, _keep_for_later: stage3_max_reuse_distance,
 * measured on the traced step, which holds a recompute's forward and the backward after it).
 * After a full recompute tensor i of a layer is used again by its backward once the later
 * tensors have each run forward and backward: a distance of twice their weights.  The last
 * tensors are thus kept; the others are released and gathered a third time (of a 175B
 * layer qkv, proj and fc1: 2 x 1.2e9 and more against 1e9).  Norms and biases, which stay
 * whole, are left out of the distance (under 1e5 elements each, against limits of 1e9).
 * The forward's weights are used next by the recompute or the backward, layers away: released.
 * Its per-rank lists (a view per rank in Python, a copy per rank into or out of c10d's
 * flat buffer: ProcessGroupNCCL's allgather and reduce_scatter over tensor lists) are
 * host work the synchronize leaves exposed: rank_ops x ranks operations, each at the
 * family's per-kernel overhead, with the copies' bytes (read and write the tensor). */
static void tensor_colls(lw *w, const char *name, double weight_el)
{
    int bwd = w->tensor_coll == 2 || strstr(name, "dgrad");
    double bytes = weight_el * 2;
    /* the group's size decides even when it is 1 (no collective): the estimate memo keys
     * a part by the groups its lowering read (engine/estimate.c) */
    w->groups_read |= 1u << AIF_GRP_DP;
    int n = w->g->groups[AIF_GRP_DP].size, recomputed = !w->keep_acts && w->s->train.recompute == AIF_RC_FULL;
    aif_ovl ovl = w->fsdp_ovl == AIF_OVL_NONE ? AIF_OVL_NONE : AIF_OVL_NEXT;
    if (n <= 1 || w->replay_share > 0)
        return;
    int gather = !bwd || !recomputed;
    if (bwd && recomputed) {   /* kept since the recompute only when used again soon enough */
        gather = !(2 * w->reuse_seen_el < w->reuse_limit_el);
        w->reuse_seen_el += weight_el;
    }
    /* the host work first, so that the collectives wait beside the GEMM, not beside that work */
    if (w->rank_ops > 0 && gather)
        aif_graph_add_mem(w->g, "dp.ag.lists", AIF_CAT_DP, bytes * 2, w->rank_ops * n);
    if (w->rank_ops > 0 && bwd)
        aif_graph_add_mem(w->g, "dp.rs.lists", AIF_CAT_DP, bytes * 2, w->rank_ops * n);
    if (bwd)
        small_grad_colls(w, name, weight_el, n, ovl, 1);
    if (gather) {
        int ahead = w->live_limit_el <= 0 || w->live_el < w->live_limit_el;
        comm(w, "dp.ag.weights", AIF_CAT_DP, AIF_COLL_ALLGATHER, AIF_GRP_DP, bytes, ahead ? ovl : AIF_OVL_NONE);
        /* held: the tensor in use, and in a recompute those kept for the backward; which
         * of them are kept is known from the layer's weights (the tensors still to come
         * run forward and backward before this one's backward) */
        if (w->cat == AIF_CAT_RECOMPUTE) {
            w->reuse_prefix_el += weight_el;
            w->live_el = w->reuse_kept_el + weight_el;
            if (2 * (w->reuse_layer_el - w->reuse_prefix_el) < w->reuse_limit_el)
                w->reuse_kept_el += weight_el;
        } else {
            w->live_el = weight_el;
        }
    }
    if (bwd) {
        comm(w, "dp.rs.grads", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_DP, bytes, ovl);
        small_grad_colls(w, name, weight_el, n, ovl, 0);
    }
}

/* the weights of a layer's last GEMM, held when the next layer's first is prefetched */
static double last_tensor_el(const lw *w, int moe)
{
    const aif_model *m = &w->s->model;
    if (!moe)
        return m->ffn / w->t * w->h;
    if (m->moe.shared_experts > 0)
        return m->moe.expert_ffn * m->moe.shared_experts / w->t * w->h;
    return m->moe.experts / w->ep * m->moe.expert_ffn / w->etp * w->h;
}

/* Hybrid sharding (HSDP, train.dp_shard): the gradient shards just reduce-scattered in
 * the shard groups, all-reduced across the replicate group, beside the backward pass.
 * This is FSDP2's foreach_reduce with a 2-D mesh (PyTorch torch/distributed/fsdp/
 * _fully_shard/_fsdp_collectives.py: reduce_scatter_tensor over the shard group, then
 * dist.all_reduce of its output over the replicate group, "not None iff HSDP", on a stream
 * that waits for the reduce-scatter), once per layer per backward.  dense_el and
 * expert_el: the layer's gradients reduce-scattered over the dp and edp shard groups; the
 * shards of both are one all-reduce (the same replicate ranks).  Reads the three groups'
 * sizes: the estimate memo keys by them (groups_read). */
static void replicate_ar(lw *w, double dense_el, double expert_el)
{
    const aif_group_shape *gs = w->g->groups;
    w->groups_read |= 1u << AIF_GRP_DP | 1u << AIF_GRP_EDP;
    double shard_el = dense_el / gs[AIF_GRP_DP].size + (expert_el > 0 ? expert_el / gs[AIF_GRP_EDP].size : 0);
    comm(w, "dpr.ar.grads", AIF_CAT_DP, AIF_COLL_ALLREDUCE, AIF_GRP_DPR, shard_el * w->rs_bytes, AIF_OVL_SEGMENT);
}

static void fsdp_ops(lw *w, int moe, int bwd)
{
    if (w->fsdp && w->fsdp_tensor) {
        return;   /* per tensor, beside its GEMMs (tensor_colls) */
    } else if (w->fsdp) {
        double p = layer_params_local(w, moe);
        comm(w, "dp.ag.weights", AIF_CAT_DP, AIF_COLL_ALLGATHER, AIF_GRP_DP, p * 2, w->fsdp_ovl);
        /* FSDP2 (the stack's fsdp_copy; PyTorch torch/distributed/fsdp/_fully_shard/
         * _fsdp_collectives.py): the all-gather's flat output is split into the parameters
         * (foreach_all_gather_copy_out, torch.split_with_sizes_copy, on the stream that then
         * computes), the gradients concatenated into the reduce-scatter's input in its reduce
         * dtype (foreach_reduce_scatter_copy_in, torch._chunk_cat, which the compute stream
         * waits for before it frees them): one kernel each, booked with the collectives */
        if (w->fsdp_copy)
            aif_graph_add_mem(w->g, "dp.ag.copy_out", AIF_CAT_DP, p * 4, 1);
        if (bwd) {
            if (w->fsdp_copy)
                aif_graph_add_mem(w->g, "dp.rs.copy_in", AIF_CAT_DP, p * (2 + w->rs_bytes), 1);
            comm(w, "dp.rs.grads", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_DP, p * w->rs_bytes, AIF_OVL_SEGMENT);
            replicate_ar(w, p, 0);
        }
    } else if (w->zero2 && bwd) {
        /* this microbatch's gradients into their shards (in the stack's reduce dtype), beside the backward pass:
         * the dense part over data parallelism, the experts over expert data parallelism */
        const aif_model *m = &w->s->model;
        double all = layer_params_local(w, moe);
        double expert = moe ? w->d.expert_params * m->moe.experts / w->ep / w->etp : 0;
        /* FSDP2's copy-in comes with each reduce-scatter it issues; a stack that accumulates
         * the unsharded gradients over the microbatches under pipelining (pp_grad_accum_bytes:
         * PyTorch's pipeline stages) copies once a step, not here */
        if (w->fsdp_copy && aif_layer_sharding_key(w->s) != 3)   /* the memo and the search key by it */
            aif_graph_add_mem(w->g, "dp.rs.copy_in", AIF_CAT_DP, all * (2 + w->rs_bytes), 1);
        comm(w, "dp.rs.grads", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_DP, (all - expert) * w->rs_bytes, AIF_OVL_SEGMENT);
        if (expert > 0)
            comm(w, "edp.rs.grads", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_EDP, expert * w->rs_bytes, AIF_OVL_SEGMENT);
        replicate_ar(w, all - expert, expert);
    }
}

/* LoRA adapters of one layer, all targets together: x A (rank outputs) then B (the
 * targets' outputs); backward their dgrad and wgrad. */
static void lora_ops(lw *w, int moe, int bwd)
{
    if (!w->lora)
        return;
    double in, out, r = w->lora;
    aif_lora_widths(&w->s->model, &w->d, w->s->train.lora.targets, moe, w->t, &in, &out);
    if (!bwd) {
        gemm(w, "lora.down", w->T, r, in, 1, 0);
        gemm(w, "lora.up", w->T, out, r, 1, 0);
    } else {
        gemm_bwd(w, "lora.up.dgrad", "lora.up.wgrad", w->T, out, r, 1, 0);
        gemm_bwd(w, "lora.down.dgrad", "lora.down.wgrad", w->T, r, in, 1, 0);
    }
}

static void layer_fwd(lw *w, int moe)
{
    int keep_tc = w->tensor_coll;
    if (w->fsdp && w->fsdp_tensor) {
        w->tensor_coll = 1;
        w->live_el = last_tensor_el(w, moe);
    }
    fsdp_ops(w, moe, 0);
    attention_fwd(w);
    if (moe)
        moe_fwd(w);
    else
        dense_mlp_fwd(w);
    lora_ops(w, moe, 0);
    w->tensor_coll = keep_tc;
}

int aif_layer_recompute(const aif_train *tr, const aif_framework *f)
{
    if (tr->recompute == AIF_RC_SELECTIVE && tr->attention != AIF_ATTN_UNFUSED && !(f->selective_gemm_share > 0) &&
        aif_recompute_modules_of(tr) == 1u << AIF_RCM_CORE_ATTN)
        return AIF_RC_NONE;   /* the fused kernel recomputes its scores anyway: nothing replayed */
    return tr->recompute;
}

/* Selective recompute by module (train.recompute_modules), as Megatron-Core runs each
 * (megatron/core/transformer/transformer_config.py, recompute_modules): a module replays its
 * forward in the backward, just before the backward that needs what it dropped.  mlp, moe and
 * shared_experts are checkpointed whole (tensor_parallel.checkpoint: the forward again from
 * the saved input, its tensor-parallel and expert all-to-all collectives included);
 * layernorm, moe_act and mla_up_proj discard their output after the forward and recompute it
 * alone (CheckpointWithoutOutput: discard_output_and_register_recompute).  These run before
 * the MLP's or MoE's backward: the pre-MLP norm (transformer_layer.py, pre_mlp_norm_checkpoint),
 * the dense MLP (recompute_mlp; MoE layers ignore mlp), the MoE layer (moe_layer.py,
 * moe_layer_recompute), its shared experts (shared_experts_recompute: inside moe's replay a
 * checkpoint again, so replayed once more) and the routed experts' activation (experts.py,
 * activation_recompute; likewise once more under moe). */
static void replay_mlp_modules(lw *w, int moe, unsigned mods)
{
    if (mods & 1u << AIF_RCM_LAYERNORM)
        norm_op(w, "norm2", w->tok_el * w->h * 4);
    if (!moe) {
        if (mods & 1u << AIF_RCM_MLP)
            dense_mlp_core(w);
        return;
    }
    if (mods & 1u << AIF_RCM_MOE)
        moe_core(w);
    if (mods & 1u << AIF_RCM_SHARED_EXPERTS)
        shared_core(w);
    if (mods & 1u << AIF_RCM_MOE_ACT)
        experts_act(w);
}

/* ... and before the attention's backward: the input norm (input_layernorm_checkpoint) and the
 * MLA up-projections with the rotary embedding (multi_latent_attention.py, qkv_up_checkpoint:
 * q up (the query's whole projection without a low rank), kv up and RoPE, which make the
 * attention core's query, key and value) */
static void replay_attn_modules(lw *w, unsigned mods)
{
    const aif_model *m = &w->s->model;
    double T = w->T, h = w->h;
    if (mods & 1u << AIF_RCM_LAYERNORM)
        norm_op(w, "norm1", w->tok_el * h * 4);
    if (mods & 1u << AIF_RCM_MLA_UP_PROJ && m->attention == AIF_ATTN_MLA) {
        double ql = m->mla.q_lora_rank, kvl = m->mla.kv_lora_rank;
        if (ql > 0)
            gemm(w, "q.up", T, w->d.q_dim / w->t, ql, 1, w->fp8);
        else
            gemm(w, "q", T, w->d.q_dim / w->t, h, 1, w->fp8);
        gemm(w, "kv.up", T, w->d.kv_dim / w->t, kvl, 1, w->fp8);
        if (m->position == AIF_POS_ROPE)
            rope_op(w, "rope", T * (w->d.q_dim / w->t + kv_local(w) / 2) * 4, 0);
    }
}

/* A stack that adds each micro-batch's gradients into an fp32 buffer after the backward
 * (framework grad_accum_bytes; DeepSpeed's BF16_Optimizer, deepspeed/runtime/bf16_optimizer.py
 * update_hp_grads, which the pipeline engine calls after every micro-batch's backward: for each
 * weight tensor a cast of its bf16 gradient to fp32 and an add into its slice of the buffer, two
 * kernels): params trained weights of `tensors` tensors.  Only with unsharded gradients (ZeRO-2/3
 * and FSDP reduce them in the backward); LoRA's adapters are too few to count. */
static void grad_accum(lw *w, double params, int tensors)
{
    double b = w->s->framework.grad_accum_bytes;
    if (b <= 0 || w->fsdp || w->zero2 || w->lora)
        return;
    mem(w, "grad.accum", params * b, 2 * tensors);
}

/* The weight tensors of a layer (a fused qkv, the output projection, the MLP's two or each local
 * expert's two, the router, the norms' weights and a layer norm's biases) */
static int layer_tensors(const lw *w, int moe)
{
    const aif_model *m = &w->s->model;
    int small = layer_small_tensors(w, NULL);
    if (!moe)
        return 4 + small;
    /* attention's two and their biases; the router; each local expert's two and their biases */
    int local = (int)ceil((double)m->moe.experts / w->ep);
    return 2 + small - (m->linear_bias ? 2 : 0) + 1 + 2 * local * (m->expert_bias ? 2 : 1) +
           (m->moe.shared_experts > 0 ? 2 : 0);
}

static void layer_bwd(lw *w, int moe)
{
    /* the estimate memo keys by it (a kept layer's backward: by recompute_layers alone) */
    int rc = w->keep_acts ? AIF_RC_NONE : aif_layer_recompute(&w->s->train, &w->s->framework);
    unsigned mods = aif_recompute_modules_of(&w->s->train);         /* and by these when rc is selective */
    w->full_replay = rc == AIF_RC_FULL;
    fsdp_ops(w, moe, 1);
    int saved = w->cat;
    if (rc == AIF_RC_FULL) {
        w->cat = AIF_CAT_RECOMPUTE;
        int keep = w->fsdp;
        w->fsdp = 0;
        if (keep && w->fsdp_tensor) {   /* the replay gathers each tensor again, for itself and the backward */
            w->tensor_coll = 1;
            w->live_el = 0;
            w->reuse_layer_el = layer_params_local(w, moe);
            w->reuse_prefix_el = w->reuse_kept_el = 0;
        }
        w->replay_saved = w->s->train.recompute_saved;
        w->replay_pruned = w->s->framework.replay_pruned;
        layer_fwd(w, moe);
        w->replay_saved = 0;
        w->replay_pruned = 0;
        w->tensor_coll = 0;
        w->fsdp = keep;
    } else if (rc == AIF_RC_SELECTIVE && w->s->framework.selective_gemm_share > 0) {
        /* the stack's per-op policy (torchtitan's SAC "op"): every other GEMM's output
         * and the attention output saved, the rest of the layer replayed */
        w->cat = AIF_CAT_RECOMPUTE;
        int keep = w->fsdp;
        w->fsdp = 0;
        w->replay_share = w->s->framework.selective_gemm_share;
        layer_fwd(w, moe);
        w->replay_share = 0;
        w->fsdp = keep;
    } else if (rc == AIF_RC_SELECTIVE) {   /* Megatron-Core's recompute modules */
        w->cat = AIF_CAT_RECOMPUTE;
        if (mods & 1u << AIF_RCM_CORE_ATTN && !w->flash)
            attn_core(w, 0);
        replay_mlp_modules(w, moe, mods);
    }
    w->cat = saved;
    lora_ops(w, moe, 1);
    if (w->fsdp && w->fsdp_tensor) {
        w->tensor_coll = 2;
        w->reuse_seen_el = 0;
        if (rc != AIF_RC_FULL)
            w->live_el = 0;
    }
    if (moe)
        moe_bwd(w);
    else
        dense_mlp_bwd(w);
    if (rc == AIF_RC_SELECTIVE && !(w->s->framework.selective_gemm_share > 0)) {
        int keep_tc = w->tensor_coll;   /* a replay's GEMMs gather nothing: the backward's own do */
        w->tensor_coll = 0;
        w->cat = AIF_CAT_RECOMPUTE;
        replay_attn_modules(w, mods);
        w->cat = saved;
        w->tensor_coll = keep_tc;
    }
    attention_bwd(w);
    w->tensor_coll = 0;
    w->full_replay = 0;
    grad_accum(w, layer_params_local(w, moe), layer_tensors(w, moe));
}

/* The loss's HBM bytes per logit unless the stack says (loss_fwd_bytes, loss_bwd_bytes):
 * softmax cross-entropy in fp32 as Megatron-LM's vocab_parallel_cross_entropy does it:
 * upcast (read 2, write 4), max (read 4), exp and sum (read 4, write 4, read 4), keep the
 * softmax for backward: 22 forward; backward: softmax - one-hot, scale, cast (read 4 + 4,
 * write 4 + 2): 14. */
static const double megatron_loss_fwd_b = 22, megatron_loss_bwd_b = 14;

/* The output head's forward: the final norm, the (vocab-parallel) logits and the loss (the
 * stack's bytes per logit, w->loss_fwd_b); the main model's (mtp 0) or a
 * multi-token-prediction block's second pass (mtp 1), the same ops under their own names. */
static void head_fwd(lw *w, int mtp)
{
    static const char *const names[2][5] = {
        {"final_norm", "tp.ag.logits", "logits", "cross_entropy", "tp.ar.softmax"},
        {"mtp.final_norm", "tp.ag.mtp.logits", "mtp.logits", "mtp.cross_entropy", "tp.ar.mtp.softmax"}};
    const char *const *n = names[mtp != 0];
    double T = w->T, el = w->tok_el, h = w->h, V = w->s->model.vocab;
    norm_op(w, n[0], el * h * 4);
    tp_gather(w, n[1], T, 0);
    gemm(w, n[2], T, V / w->t, h, 1, 0);
    mem(w, n[3], T * V / w->t * w->loss_fwd_b, 4);
    if (w->t > 1)
        comm(w, n[4], AIF_CAT_TP, AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * 4 * 3, AIF_OVL_NONE);
}

/* One multi-token-prediction block (model.mtp_layers; DeepSeek-V3 report arXiv:2412.19437
 * sec. 2.2, Megatron-Core's multi_token_prediction), on the last pipeline stage: the next
 * token's embedding (the shared table) and the main model's last hidden state, each
 * RMS-normalised, concatenated and projected 2h -> h; one transformer block of the last
 * layer's kind (counted as a layer of the stage, aif_graph_shape); the shared output head
 * and its loss again.  Here: all but the block, in the output head's segments. */
static void mtp_fwd(lw *w)
{
    double T = w->T, el = w->tok_el, h = w->h;
    mem(w, "mtp.embed", el * h * 2, 1);
    norm_op(w, "mtp.norms", el * h * 8);
    tp_gather(w, "tp.ag.mtp.proj", T, 1);
    gemm(w, "mtp.proj", T, h / w->t, 2 * h, 1, w->fp8);
    tp_reduce(w, "tp.rs.mtp.proj", T);
    head_fwd(w, 1);
}

static void mtp_bwd(lw *w)
{
    const aif_model *m = &w->s->model;
    double T = w->T, el = w->tok_el, h = w->h, V = m->vocab;
    mem(w, "mtp.cross_entropy.bwd", T * V / w->t * w->loss_bwd_b, 2);
    gemm_bwd(w, "mtp.logits.dgrad", "mtp.logits.wgrad", T, V / w->t, h, 1, 0);
    if (w->t > 1)
        comm(w, w->sp ? "tp.rs.mtp.logits.grad" : "tp.ar.mtp.logits.grad", AIF_CAT_TP,
             w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NEXT);
    norm_op(w, "mtp.final_norm.bwd", el * h * 6);
    gemm_bwd(w, "mtp.proj.dgrad", "mtp.proj.wgrad", T, h / w->t, 2 * h, 1, w->fp8);
    norm_op(w, "mtp.norms.bwd", el * h * 12);
    mem(w, "mtp.embed.grad", T * h * 6, 1);
}

/* Segment names, shown by `aifsim train --ops`; segment i of a training graph has kind i. */
static const char *const seg_names[AIF_N_SEG] = {
    "dense layer forward", "dense layer backward", "MoE layer forward", "MoE layer backward",
    "dense layer backward (no recompute)", "MoE layer backward (no recompute)", "embedding forward", "embedding backward", "output head forward", "output head backward",
    "pipeline send/recv", "step: gradient reduction", "step: optimizer", "step: parameter all-gather"};

/* Segments are made in aif_seg order, one of each, so that kind == index. */
static void begin(lw *w, aif_seg s)
{
    if (aif_graph_seg_begin(w->g, s, seg_names[s]) != (int)s && !w->g->fault)
        w->g->fault = AIF_EINTERNAL;
}
static void end(lw *w, aif_seg s) { (void)s; aif_graph_seg_end(w->g); }

static int clampi(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }

/* The communicator groups (graph.h).  Under hybrid sharding the data-parallel groups
 * are the shard groups, dps = dp_shard consecutive data-parallel ranks (times cp), so
 * that a shard of a scale-up domain's replicas stays in it; the replicate group, r =
 * dp / dps ranks, one per shard group, strides tp*cp*dps ranks: it leaves the domain as
 * soon as a shard group fills one. */
static void group_shapes(const aif_scenario *s, aif_group_shape *gs)
{
    const aif_parallel *p = &s->train.par;
    /* the domains the job fills (net/topology.h: whole trays, evenly: 512 GPUs on NVL72 racks
     * run as eight domains of 64), as the simulator places it */
    int D = aif_topo_domain_used(&s->cluster), t = p->tp, c = p->cp, dp = p->dp, ep = p->ep, et = p->etp;
    int dps = p->dp_shard > 0 && p->dp_shard < dp ? p->dp_shard : dp, r = dp / dps;
    int edp = t * c * dps / (et * ep);
    gs[AIF_GRP_TP] = (aif_group_shape){t, clampi(D, 1, t)};
    gs[AIF_GRP_CP] = (aif_group_shape){c, clampi(D / t, 1, c)};
    gs[AIF_GRP_DP] = (aif_group_shape){dps * c, clampi(D / t, 1, dps * c)};
    gs[AIF_GRP_ETP] = (aif_group_shape){et, clampi(D, 1, et)};
    gs[AIF_GRP_EP] = (aif_group_shape){ep, clampi(D / et, 1, ep)};
    gs[AIF_GRP_EDP] = (aif_group_shape){edp, clampi(D / (et * ep), 1, edp)};
    gs[AIF_GRP_PP] = (aif_group_shape){p->pp, clampi(D / (t * c * dp), 1, p->pp)};
    gs[AIF_GRP_DPR] = (aif_group_shape){r, clampi(D / (t * c * dps), 1, r)};
    /* another placement (a dense model's: scenario.c): the members of the group of GPU 0 that
     * share its domain, each group a set of digits of the GPU number (workload/ranks.h); an
     * order that places the ranks as the default does keeps the default's shapes */
    aif_rank_map rm;
    aif_rank_map_init(&rm, p, s->train.rank_order);
    if (rm.identity)
        return;
    const long cw[] = {rm.w_cp}, cn[] = {c}, dw[] = {rm.w_cp, rm.w_dp}, dn[] = {c, dps};
    const long pw[] = {rm.w_pp}, pn[] = {p->pp}, rw[] = {rm.w_dp * dps}, rn[] = {r};
    gs[AIF_GRP_CP].per_domain = aif_rank_count_below(cw, cn, 1, D);
    gs[AIF_GRP_DP].per_domain = aif_rank_count_below(dw, dn, 2, D);
    gs[AIF_GRP_PP].per_domain = aif_rank_count_below(pw, pn, 1, D);
    gs[AIF_GRP_DPR].per_domain = aif_rank_count_below(rw, rn, 1, D);
}

/* Layers [first, first+n) of pipeline chunk `chunk` out of n_chunks: as even as
 * possible, with the remainder going to middle chunks first, so that the first
 * and last chunks, which also hold the embedding and the output head, get fewer
 * (the balance the Llama 3 paper describes for 126 layers on 16 stages).
 * Closed form, O(1) per chunk (a running sum over the chunks before it made the
 * stage loop quadratic in pp * vpp): with base = layers / n_chunks and rem the
 * remainder, up to n_chunks - 2 extra layers go to chunks 1, 2, ... in order and
 * what is left (0, 1 or 2) to chunk 0 first and then to the last chunk; with at
 * most two chunks the first rem chunks get one each. */
static void chunk_layers(int layers, int n_chunks, int chunk, int *first, int *n)
{
    int base = layers / n_chunks, rem = layers % n_chunks;
    if (n_chunks <= 2) {
        *first = chunk * base + (chunk < rem ? chunk : rem);
        *n = base + (chunk < rem);
        return;
    }
    int middle = n_chunks - 2;
    int extra_mid = rem < middle ? rem : middle, extra_ends = rem - extra_mid;
    int e0 = extra_ends >= 1;                   /* chunk 0's extra layer */
    int before_mid = chunk - 1 < extra_mid ? chunk - 1 : extra_mid;   /* extras of chunks 1 .. chunk-1 */
    if (chunk == 0) {
        *first = 0;
        *n = base + e0;
    } else if (chunk == n_chunks - 1) {
        *first = chunk * base + e0 + extra_mid;
        *n = base + (extra_ends >= 2);
    } else {
        *first = chunk * base + e0 + before_mid;
        *n = base + (chunk - 1 < extra_mid);
    }
}

void aif_graph_chunk_layers(const aif_graph *g, int chunk, int *first, int *n)
{
    chunk_layers(g->layers, g->pp * g->vpp, chunk, first, n);
}

/* The share of the model's layers a full recompute replays: all, or under recompute_layers
 * the first N of each chunk (chunk_layers: n_chunks - rem chunks of base layers, rem of
 * base + 1), each layer weighed alike (a MoE model's dense prefix at the mean layer's FLOPs). */
double aif_graph_replayed_share(const aif_graph *g)
{
    int n_chunks = g->pp * g->vpp, N = g->recompute_layers;
    if (N <= 0 || g->layers <= 0 || n_chunks <= 0)
        return 1;
    int base = g->layers / n_chunks, rem = g->layers % n_chunks;
    double replayed = (double)(n_chunks - rem) * (N < base ? N : base) + (double)rem * (N < base + 1 ? N : base + 1);
    return replayed / g->layers;
}

/* Rank `rank`'s stage summed over its vpp chunks, O(vpp). */
static void rank_stage(const aif_graph *g, int rank, aif_stage *st)
{
    memset(st, 0, sizeof *st);
    int n_chunks = g->pp * g->vpp;
    for (int v = 0; v < g->vpp; v++) {
        int chunk = v * g->pp + rank, first = 0, n = 0;
        chunk_layers(g->layers, n_chunks, chunk, &first, &n);
        int dense_end = g->dense_layers;
        int nd = dense_end > first ? (dense_end < first + n ? dense_end - first : n) : 0;
        st->dense_layers += nd;
        st->moe_layers += n - nd;
        if (g->recompute_layers > 0 && g->recompute_layers < n) {   /* the chunk's first ones replay */
            int rc_end = first + g->recompute_layers;   /* layers [first, rc_end) replay */
            int kd = dense_end > rc_end ? (dense_end < first + n ? dense_end - rc_end : first + n - rc_end) : 0;
            st->keep_dense += kd;
            st->keep_moe += first + n - rc_end - kd;
        }
        if (chunk == 0)
            st->embed = 1;
        if (chunk == n_chunks - 1)
            st->head = 1;
        /* each chunk boundary is crossed once forward and once backward */
        if (chunk > 0)
            st->p2p++;
    }
}

void aif_graph_stage(const aif_graph *g, int rank, aif_stage *st)
{
    if (g->stage_table) {
        *st = g->stage_table[rank];
        return;
    }
    rank_stage(g, rank, st);
}

/* Stage classes.  What a chunk holds (chunk_layers, rank_stage) changes with the
 * chunk index c only at a few thresholds t (the property is constant on c < t and
 * on c >= t between them):
 *   1                 chunk 0 has the embedding and no send, every other one a send;
 *   rem, extra_mid+1  the remainder's extra layers end (at most two chunks: chunks
 *                     below rem; else middle chunks 1 .. extra_mid);
 *   n_chunks-1        the last chunk has the head and its own share of the remainder;
 *   c_d, c_d+1        c_d is the chunk where the dense prefix ends (the first whose
 *                     layers reach past dense_end): chunks before it are all dense,
 *                     after it all MoE.
 * Chunk c belongs to rank c mod pp, so rank r's chunks r, pp+r, ... cross threshold
 * t between ranks (t mod pp) - 1 and t mod pp: cutting the ranks at every t mod pp
 * leaves runs in which no chunk of any rank crosses a threshold, so every rank of a
 * run has the same stage (tests/test_equations.c checks it rank by rank).  Six
 * thresholds give at most seven runs; each run's stage is its first rank's, O(vpp). */
void aif_graph_stage_classes(aif_graph *g)
{
    int pp = g->pp < 1 ? 1 : g->pp, n_chunks = pp * (g->vpp < 1 ? 1 : g->vpp);
    int rem = g->layers % n_chunks, middle = n_chunks > 2 ? n_chunks - 2 : 0;
    int extra_mid = rem < middle ? rem : middle;
    int t[6] = {1, rem, extra_mid + 1, n_chunks - 1, -1, -1};
    if (g->dense_layers > 0 && g->dense_layers < g->layers) {
        int lo = 0, hi = n_chunks - 1;   /* the first chunk with first + n > dense_layers */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2, first, n;
            chunk_layers(g->layers, n_chunks, mid, &first, &n);
            if (first + n > g->dense_layers)
                hi = mid;
            else
                lo = mid + 1;
        }
        t[4] = lo;
        t[5] = lo + 1;
    }
    int cut[8], n_cut = 0;   /* ranks where a run starts, sorted, distinct */
    cut[n_cut++] = 0;
    for (int i = 0; i < 6; i++) {
        if (t[i] <= 0 || t[i] >= n_chunks)
            continue;
        int r = t[i] % pp, j = n_cut;
        for (int k = 0; k < n_cut; k++)
            if (cut[k] == r)
                j = -1;
        if (j < 0)
            continue;
        while (j > 0 && cut[j - 1] > r) {
            cut[j] = cut[j - 1];
            j--;
        }
        cut[j] = r;
        n_cut++;
    }
    g->n_stage_classes = n_cut;
    for (int k = 0; k < n_cut; k++) {
        aif_stage_class *c = &g->stage_class[k];
        c->rank = cut[k];
        c->n_ranks = (k + 1 < n_cut ? cut[k + 1] : pp) - cut[k];
        rank_stage(g, cut[k], &c->st);
    }
}

int aif_graph_n_stage_classes(const aif_graph *g) { return g->stage_table ? g->pp : g->n_stage_classes; }

void aif_graph_stage_class(const aif_graph *g, int k, aif_stage_class *c)
{
    if (g->stage_table)
        *c = (aif_stage_class){.rank = k, .n_ranks = 1, .st = g->stage_table[k]};
    else
        *c = g->stage_class[k];
}

/* aif_graph_shape but the stage classes; the groups copied from `groups` when not NULL */
static void shape_fields(const aif_scenario *s, aif_graph *g, const aif_group_shape *groups)
{
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;
    if (groups)
        memcpy(g->groups, groups, sizeof g->groups);
    else
        group_shapes(s, g->groups);
    g->pp = p->pp;
    g->vpp = p->vpp;
    g->microbatches = tr->gbs / (tr->mbs * p->dp);
    g->pace = aif_scenario_pace(s);   /* its slowest GPU's: both engines' compute clock */
    /* a multi-token-prediction block is one more layer of the last layer's kind after the
     * last one: the pipeline split gives it a layer's slot on the last stage, as the pipeline
     * layouts of Megatron-Bridge's DeepSeek-V3 recipes (pp_layout "...mL") and DualPipe place it;
     * its projection and second head pass are the output head's (mtp_fwd) */
    int mtp = s->model.mtp_layers > 0 ? s->model.mtp_layers : 0;
    g->layers = s->model.layers + mtp;
    g->dense_layers = s->model.moe.experts ? s->model.moe.dense_layers : s->model.layers + mtp;
    g->recompute_layers = tr->recompute == AIF_RC_FULL ? tr->recompute_layers : 0;
    /* activation offload (graph.h): with pp 1 (aif_scenario_check) the stage is the model */
    g->offload_layers = 0;
    g->offload_bytes[0] = g->offload_bytes[1] = 0;
    if (tr->offload == AIF_OFFLOAD_ACTIVATIONS && g->layers > 1) {
        int n = tr->offload_layers > 0 ? tr->offload_layers : g->layers - 1;
        g->offload_layers = n < AIF_OFFLOAD_MAX_LAYERS ? n : AIF_OFFLOAD_MAX_LAYERS;
        aif_memory_layer_bytes(s, g->offload_bytes);
    }
}

void aif_graph_shape(const aif_scenario *s, aif_graph *g)
{
    shape_fields(s, g, NULL);
    aif_graph_stage_classes(g);
}

/* The layer segments, AIF_SEG_DENSE_FWD .. AIF_SEG_HEAD_BWD: what a layer, the embedding and
 * the head cost one GPU per microbatch, in four parts (lower_train.h, AIF_LAYER_PART_*):
 * the layers' forward, their backward, the embedding and head.  They read no field the
 * estimate memo (engine/estimate.c) leaves out of its key: not pp, vpp, dp, dp_shard,
 * gbs, the token budget, dp_overlap or pp_overlap, the optimizer only through
 * aif_layer_sharding_key, the communicator groups only through comm() (which records the
 * groups it is asked about; tensor_colls and replicate_ar record those whose sizes they
 * read); the forward not the recompute mode, the embedding and head neither that nor the
 * precision.  A part not in `parts` leaves its segments there, empty. */
static void layer_segments(lw *w, unsigned parts, unsigned consulted[AIF_N_LAYER_PARTS])
{
    const aif_model *m = &w->s->model;
    int fwd = parts & 1u << AIF_LAYER_PART_FWD, bwd = parts & 1u << AIF_LAYER_PART_BWD;
    w->groups_read = 0;
    begin(w, AIF_SEG_DENSE_FWD); if (fwd) layer_fwd(w, 0); end(w, AIF_SEG_DENSE_FWD);
    consulted[AIF_LAYER_PART_FWD] = w->groups_read;
    w->groups_read = 0;
    begin(w, AIF_SEG_DENSE_BWD); if (bwd) layer_bwd(w, 0); end(w, AIF_SEG_DENSE_BWD);
    consulted[AIF_LAYER_PART_BWD] = w->groups_read;
    /* without experts the MoE segments are there, empty */
    w->groups_read = 0;
    begin(w, AIF_SEG_MOE_FWD); if (fwd && m->moe.experts) layer_fwd(w, 1); end(w, AIF_SEG_MOE_FWD);
    consulted[AIF_LAYER_PART_FWD] |= w->groups_read;
    w->groups_read = 0;
    begin(w, AIF_SEG_MOE_BWD); if (bwd && m->moe.experts) layer_bwd(w, 1); end(w, AIF_SEG_MOE_BWD);
    consulted[AIF_LAYER_PART_BWD] |= w->groups_read;
    /* the layers past the first recompute_layers of a chunk: their backward without a replay */
    int keep = parts & 1u << AIF_LAYER_PART_KEEP && w->g->recompute_layers > 0;
    w->groups_read = 0;
    w->keep_acts = 1;
    begin(w, AIF_SEG_DENSE_BWD_KEEP); if (keep) layer_bwd(w, 0); end(w, AIF_SEG_DENSE_BWD_KEEP);
    begin(w, AIF_SEG_MOE_BWD_KEEP); if (keep && m->moe.experts) layer_bwd(w, 1); end(w, AIF_SEG_MOE_BWD_KEEP);
    w->keep_acts = 0;
    consulted[AIF_LAYER_PART_KEEP] = w->groups_read;
    w->groups_read = 0;
    if (!(parts & 1u << AIF_LAYER_PART_ENDS)) {
        for (int i = AIF_SEG_EMBED_FWD; i <= AIF_SEG_HEAD_BWD; i++) {
            begin(w, (aif_seg)i);
            end(w, (aif_seg)i);
        }
        consulted[AIF_LAYER_PART_ENDS] = 0;
        return;
    }
    double T = w->T, el = w->tok_el, h = w->h, V = m->vocab;
    begin(w, AIF_SEG_EMBED_FWD);
    mem(w, "embed.lookup", el * h * 2 * (m->position == AIF_POS_LEARNED ? 3 : 1), 1);
    if (w->t > 1)
        comm(w, w->sp ? "tp.rs.embed" : "tp.ar.embed", AIF_CAT_TP,
             w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NONE);
    end(w, AIF_SEG_EMBED_FWD);
    begin(w, AIF_SEG_EMBED_BWD);
    if (!w->lora) {   /* LoRA: the embedding is frozen, no gradient reaches it */
        if (w->t > 1 && w->sp)
            comm(w, "tp.ag.embed.grad", AIF_CAT_TP, AIF_COLL_ALLGATHER, AIF_GRP_TP, T * h * 2, AIF_OVL_NONE);
        mem(w, "embed.grad", T * h * 6, 1);
    }
    grad_accum(w, w->d.embed_params / w->t, 1);
    end(w, AIF_SEG_EMBED_BWD);

    begin(w, AIF_SEG_HEAD_FWD);
    head_fwd(w, 0);
    for (int i = 0; i < m->mtp_layers; i++)
        mtp_fwd(w);
    end(w, AIF_SEG_HEAD_FWD);
    begin(w, AIF_SEG_HEAD_BWD);
    for (int i = 0; i < m->mtp_layers; i++)
        mtp_bwd(w);
    mem(w, "cross_entropy.bwd", T * V / w->t * w->loss_bwd_b, 2);
    gemm(w, "logits.dgrad", T, h, V / w->t, 1, 0);
    if (w->t > 1)
        comm(w, w->sp ? "tp.rs.logits.grad" : "tp.ar.logits.grad", AIF_CAT_TP,
             w->sp ? AIF_COLL_REDUCESCATTER : AIF_COLL_ALLREDUCE, AIF_GRP_TP, T * h * 2, AIF_OVL_NEXT);
    wgrad_gemm(w, "logits.wgrad", h, V / w->t, T, 1, 0);
    norm_op(w, "final_norm.bwd", el * h * 6);
    /* an untied output layer's weights (tied, the last stage's copy of the embedding is left out:
     * the embedding and head segments do not know the pipeline) and the final norm */
    grad_accum(w, w->d.head_params / w->t + w->d.final_norm_params, 2);
    end(w, AIF_SEG_HEAD_BWD);
    consulted[AIF_LAYER_PART_ENDS] = w->groups_read;
}

/* The lowering proper, into g as its caller initialised it (empty); of the layer segments
 * those of `parts` only (else empty), and the groups each part consulted in layer_groups
 * (may be NULL); what `known` (may be NULL) holds taken from it, not computed. */
static aif_rc lower(const aif_scenario *s, aif_graph *g, unsigned parts, unsigned *layer_groups,
                    const aif_lower_known *known, aif_err *err)
{
    const aif_model *m = &s->model;
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;
    lw w;
    memset(&w, 0, sizeof w);
    w.g = g;
    w.s = s;
    if (known && known->dims)
        w.d = *known->dims;
    else
        aif_model_dims(m, &w.d);
    w.b = tr->mbs;
    w.seq = tr->seq;
    w.t = p->tp;
    w.c = p->cp;
    w.ep = p->ep;
    w.etp = p->etp;
    /* Megatron-Core overlaps the all-to-all of expert parallelism alone: it refuses
     * overlap_moe_expert_parallel_comm at expert_model_parallel_size 1 (transformer_config.py).
     * A guard: at ep 1 no all-to-all is lowered and the expert-TP collectives never take
     * ep_ovl, so the step is the same either way (aif_scenario_note_unused names it unused) */
    w.ep_ovl = tr->ep_overlap && p->ep > 1 ? AIF_OVL_SEGMENT : AIF_OVL_NONE;
    w.h = m->hidden;
    w.T = w.b * w.seq / w.c;
    w.sp = p->sp && p->tp > 1;
    w.tok_el = w.sp ? w.T / w.t : w.T;
    w.fp8 = tr->precision == AIF_FP4 ? AIF_GEMM_FP4_BLOCK : tr->precision == AIF_FP8 ? AIF_GEMM_FP8 : AIF_GEMM_BF16;
    w.quant_bytes = w.fp8 == AIF_GEMM_FP4_BLOCK ? aif_fp4_quant_bytes(tr->fp4_format) : 4;
    if (tr->lora.rank > 0)   /* frozen weights, no wgrad: no transposed (columnwise) copy of an operand is
                                written (Transformer Engine quantizes columnwise only when a weight needs
                                its gradient); the adapters run in bf16 */
        w.quant_bytes -= w.fp8 == AIF_GEMM_FP4_BLOCK ? aif_fp4_elem_bytes(tr->fp4_format) : 1;
    w.hp_share = aif_bf16_layer_share(tr, m->layers);
    /* the stack's fp8_tp_gather: Transformer Engine gathers the quantized operand
     * (transformer_engine/pytorch/module/layernorm_linear.py and base.py
     * grad_output_preprocess in v1.13: the fp8 norm output and the fp8-cast output
     * gradient; distributed.py gather_along_first_dim in 2.x for fp8, MXFP8, block-scaled
     * fp8 and NVFP4), the layers a recipe keeps in bf16 gathering bf16 */
    double lp_gather = aif_tp_gather_lp_bytes(tr, &s->framework);
    w.gather_el_bytes = lp_gather < 2 ? w.hp_share * 2 + (1 - w.hp_share) * lp_gather : 2;
    w.quant_t_bytes = tr->lora.rank > 0 ? 0 : w.fp8 == AIF_GEMM_FP4_BLOCK ? aif_fp4_elem_bytes(tr->fp4_format) : 1;
    w.rs_splits = s->framework.tp_overlap_rs_splits > 0 ? s->framework.tp_overlap_rs_splits : p->tp;
    w.flash = tr->attention != AIF_ATTN_UNFUSED;
    w.flash2 = tr->attention == AIF_ATTN_FLASH2;
    w.attn_fp8 = tr->attention_dtype == AIF_ATTN_DT_FP8 && w.flash;
    w.cp_comm = aif_cp_comm_resolved(s);
    w.tp_ovl = tr->tp_overlap;
    w.dtensor = s->framework.tp_dtensor;
    w.keeps_gathered = w.dtensor && !(tr->recompute == AIF_RC_SELECTIVE && s->framework.selective_gemm_share > 0);
    w.fsdp = aif_layer_sharding(tr->optimizer, tr->par.pp) == AIF_SHARD_ALL;
    w.zero2 = aif_layer_sharding(tr->optimizer, tr->par.pp) == AIF_SHARD_GRADS;
    w.lora = tr->lora.rank;
    w.cat = AIF_CAT_COMPUTE;
    {   /* the stack's factors; a scenario built without one (no name) runs as Megatron-Core */
        const aif_framework *f = &s->framework;
        int named = f->name[0] != '\0';
        w.norm_x = named && f->norm_traffic > 0 ? f->norm_traffic : 1;
        w.rope_x = named ? aif_framework_rope_traffic(f) : 1;
        w.act_x = named && f->act_traffic > 0 ? f->act_traffic : 1;
        w.cast_x = named && f->fp8_cast_factor > 0 ? f->fp8_cast_factor : 1;
        w.ew_kernels = named && f->elementwise_kernels > 1 ? f->elementwise_kernels : 1;
        w.fsdp_ovl = named && f->fsdp_prefetch < 1 ? AIF_OVL_NONE : AIF_OVL_SEGMENT;
        w.fsdp_tensor = named && f->fsdp_per_tensor;
        w.rank_ops = named ? f->fsdp_rank_ops : 0;
        w.fsdp_copy = named && f->fsdp_copy;
        w.rs_bytes = named && f->fsdp_reduce_bytes > 0 ? f->fsdp_reduce_bytes : 2;
        w.loss_fwd_b = named && f->loss_fwd_bytes > 0 ? f->loss_fwd_bytes : megatron_loss_fwd_b;
        w.loss_bwd_b = named && f->loss_bwd_bytes > 0 ? f->loss_bwd_bytes : megatron_loss_bwd_b;
        w.live_limit_el = named ? f->fsdp_live_params : 0;
        w.reuse_limit_el = named ? f->fsdp_reuse_params : 0;
    }
    if (known && known->classes) {   /* the caller's, of this pp, vpp, layers and dense prefix */
        shape_fields(s, g, known->groups);
        memcpy(g->stage_class, known->classes, (size_t)known->n_classes * sizeof *known->classes);
        g->n_stage_classes = known->n_classes;
    } else {
        shape_fields(s, g, known ? known->groups : NULL);
        aif_graph_stage_classes(g);
    }

    unsigned consulted[AIF_N_LAYER_PARTS];
    layer_segments(&w, parts, consulted);
    if (layer_groups)
        memcpy(layer_groups, consulted, sizeof consulted);
    double T = w.T, h = w.h, V = m->vocab;

    /* Megatron's scatter/gather optimisation (Narayanan et al. SC'21 sec. 4.1): each tp rank
     * sends 1/tp of the activation over its own NIC; without sequence parallelism the
     * receiver all-gathers the pieces over NVLink.  Interleaved, the sends are asynchronous
     * (Megatron-Core's overlap_p2p_comm, the interleaved schedule's default in Megatron-LM
     * and NeMo; train.pp_overlap): the sender goes on to its next chunk (graph.h,
     * AIF_OVL_ASYNC) */
    aif_ovl p2p_ovl = s->train.par.vpp > 1 && s->train.pp_overlap && !s->framework.pp_p2p_serial ? AIF_OVL_ASYNC
                                                                                               : AIF_OVL_NONE;
    begin(&w, AIF_SEG_P2P);
    comm(&w, "pp.sendrecv", AIF_CAT_PP, AIF_COLL_SENDRECV, AIF_GRP_PP, T * h * 2 / w.t, p2p_ovl);
    /* a stack that sends and receives one after the other (framework pp_p2p_serial: DeepSpeed's
     * TrainSchedule runs SendActivation then RecvGrad, RecvActivation then SendGrad, each a
     * blocking dist.send or dist.recv on the peers' one NCCL stream) holds the stream for the
     * transfer the other way too: at each end of a micro-batch's pass, two transfers in a row */
    if (s->framework.pp_p2p_serial)
        comm(&w, "pp.recv", AIF_CAT_PP, AIF_COLL_SENDRECV, AIF_GRP_PP, T * h * 2 / w.t, p2p_ovl);
    if (w.t > 1 && !w.sp)
        comm(&w, "pp.tp.allgather", AIF_CAT_PP, AIF_COLL_ALLGATHER, AIF_GRP_TP, T * h * 2, p2p_ovl);
    end(&w, AIF_SEG_P2P);

    /* end of step: parameters held by the busiest rank (an upper bound for the others),
     * found over the stage classes: equal stages hold equal parameters */
    double dense_local = 0, expert_local = 0, lp_local = 0, lp_tensors = 0;
    {
        double most = -1;
        for (int k = 0, n_classes = aif_graph_n_stage_classes(g); k < n_classes; k++) {
            aif_stage_class sc;
            aif_graph_stage_class(g, k, &sc);
            const aif_stage st = sc.st;
            double dl = st.dense_layers * layer_params_local(&w, 0) +
                        st.moe_layers * (w.d.attn_params / w.t + w.d.norm_params + w.d.router_params +
                                         w.d.shared_params / w.t);
            double el_ = st.moe_layers * w.d.expert_params * m->moe.experts / w.ep / w.etp;
            dl += st.embed * w.d.embed_params / w.t + st.head * (w.d.head_params / w.t + w.d.final_norm_params);
            if (st.head && m->tied_embeddings && p->pp > 1)
                dl += w.d.embed_params / w.t;   /* the tied copy on the last stage */
            if (st.head && m->mtp_layers > 0) {   /* the blocks' projections (their layers are the stage's), the shared embedding */
                dl += m->mtp_layers * w.d.mtp_proj_params / w.t;
                if (!m->tied_embeddings && p->pp > 1)
                    dl += w.d.embed_params / w.t;
            }
            if (w.lora) {   /* only the adapters are trained: their gradients and optimizer state */
                double in0, out0, in1, out1;
                aif_lora_widths(m, &w.d, tr->lora.targets, 0, w.t, &in0, &out0);
                aif_lora_widths(m, &w.d, tr->lora.targets, 1, w.t, &in1, &out1);
                dl = w.lora * (st.dense_layers * (in0 + out0) + st.moe_layers * (in1 + out1));
                el_ = 0;
            }
            if (dl + el_ > most) {
                most = dl + el_;
                dense_local = dl;
                expert_local = el_;
                /* the layers' GEMM weights (not the embedding, head, norms or router), which an
                 * fp8 or fp4 recipe quantizes */
                lp_local = st.dense_layers * (w.d.attn_params + w.d.mlp_params) / w.t +
                           st.moe_layers * ((w.d.attn_params + w.d.shared_params) / w.t +
                                            w.d.expert_params * m->moe.experts / w.ep / w.etp);
                /* one cast per weight tensor: a dense layer's qkv, output, fc1 and fc2; an MoE
                 * layer's two attention ones, each local expert's two and the shared experts' */
                lp_tensors = st.dense_layers * 4 +
                             st.moe_layers * (2 + 2 * ceil((double)m->moe.experts / w.ep) +
                                              (m->moe.shared_experts > 0 ? 2 : 0));
            }
        }
    }
    /* Megatron-Core's DistributedDataParallel: the job's bucket_size (train.dp_bucket) or its
     * default max(40M, 1M x dp) parameters, "so that chunks used in NCCL ring-reduce
     * implementations are large enough to remain bandwidth-bound rather than latency-bound"
     * (megatron/core/distributed/distributed_data_parallel.py) */
    {
        double nb = floor((dense_local + expert_local) / aif_dp_bucket_params(tr));
        g->dp_buckets = nb < 1 ? 1 : nb > 1e6 ? 1000000 : (int)nb;
    }
    int opt = tr->optimizer;
    double grad_bytes = aif_grad_bytes(tr);   /* train.grad_dtype */
    begin(&w, AIF_SEG_STEP_RS);
    if (opt == AIF_OPT_NONE) {
        comm(&w, "dp.allreduce", AIF_CAT_DP, AIF_COLL_ALLREDUCE, AIF_GRP_DP, dense_local * grad_bytes, AIF_OVL_NONE);
        comm(&w, "edp.allreduce", AIF_CAT_DP, AIF_COLL_ALLREDUCE, AIF_GRP_EDP, expert_local * grad_bytes, AIF_OVL_NONE);
    } else if (!w.fsdp && !w.zero2) {   /* sharded modes reduced their gradients layer by layer */
        comm(&w, "dp.reducescatter", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_DP, dense_local * grad_bytes,
             AIF_OVL_NONE);
        comm(&w, "edp.reducescatter", AIF_CAT_DP, AIF_COLL_REDUCESCATTER, AIF_GRP_EDP, expert_local * grad_bytes,
             AIF_OVL_NONE);
    }
    end(&w, AIF_SEG_STEP_RS);
    begin(&w, AIF_SEG_STEP_OPT);
    {
        /* Adam on fp32 master weights: read the fp32 gradient (4) and the state, master and
         * moments (12, or 8 with bf16 moments: aif_optim_state_bytes), write the state and
         * the bf16 copy (2): 30 bytes a weight, 22 with bf16 moments */
        double shard = opt == AIF_OPT_NONE ? 1 : g->groups[AIF_GRP_DP].size;
        double eshard = opt == AIF_OPT_NONE ? 1 : g->groups[AIF_GRP_EDP].size;
        w.cat = AIF_CAT_OPT;
        mem(&w, "adam", (dense_local / shard + expert_local / eshard) * (6 + 2 * aif_optim_state_bytes(tr)), 4);
        if (aif_optim_has_grad_buffer(opt)) {
            /* Megatron-Core's DistributedDataParallel zeroes its flat gradient buffers before
             * each step (param_and_grad_buffer.py, _ParamAndGradBuffer.reset: grad_data.zero_(),
             * one kernel per buffer, dense and expert) */
            mem(&w, "grad.zero", (dense_local + expert_local) * grad_bytes, expert_local > 0 ? 2 : 1);
            /* and its GEMMs' low-precision weights are made once a step, on the first
             * microbatch, and reused by the rest (Transformer Engine's weight workspace, kept
             * while Megatron-Core passes is_first_microbatch false): the bf16 weight read and
             * both copies written, as an activation's cast (quant_bytes); with fp8 parameters
             * (train.fp8_params) the fp8 weight is the parameter and the step makes its
             * transposed copy alone (read 1, write 1).  LoRA's frozen weights are left uncast:
             * Transformer Engine would cast them again too, but the measured LoRA runs cannot
             * have paid it (docs/VALIDATION.md, the step's work per weight) */
            double lp = w.fp8 && !w.lora ? (1 - w.hp_share) * lp_local : 0;
            double per = tr->fp8_params ? 2 : w.quant_bytes;
            if (lp * per > 0)
                mem(&w, w.fp8 >= AIF_GEMM_FP4 ? "weights.quantize" : "weights.cast", lp * per,
                    (int)fmin(lp_tensors, AIF_OP_MAX_KERNELS));
        }
        w.cat = AIF_CAT_COMPUTE;
    }
    /* ZeRO-3 per tensor (DeepSpeed's): the backward ends by partitioning every parameter, the
     * small ones kept whole in use too, so the step ends by gathering those again (stage3.py
     * _post_step, partition_parameters.py _allgather_params): one flat all_gather of them all,
     * then a Python loop over each tensor and rank that copies the rank's piece out, exposed
     * before the next forward.  Their count and size as small_grad_colls has them (pp is 1
     * under ZeRO-3: every layer is this rank's) */
    if (w.fsdp && w.fsdp_tensor) {
        int n_dp = g->groups[AIF_GRP_DP].size;
        double layer_el, layer_n = layer_small_tensors(&w, &layer_el);
        double el = s->model.layers * layer_el + w.d.final_norm_params;
        double tensors = s->model.layers * layer_n + norm_tensors(&s->model);
        comm(&w, "dp.ag.persistent", AIF_CAT_DP, AIF_COLL_ALLGATHER, AIF_GRP_DP, el * 2, AIF_OVL_NONE);
        if (w.rank_ops > 0 && n_dp > 1)
            aif_graph_add_mem(w.g, "dp.ag.persistent.lists", AIF_CAT_DP, el * 2 * 2,
                              (int)fmin(w.rank_ops * (double)n_dp * tensors, AIF_OP_MAX_KERNELS));
    }
    end(&w, AIF_SEG_STEP_OPT);
    begin(&w, AIF_SEG_STEP_AG);
    if (opt != AIF_OPT_NONE && !w.fsdp) {
        /* the updated parameters, in bf16, or fp8 (train.fp8_params: Megatron-Core's --fp8-param-gather) */
        double pb = w.lora ? 2 : aif_param_bytes(tr, s->model.layers);   /* LoRA: the adapters, bf16 */
        comm(&w, "dp.allgather", AIF_CAT_DP, AIF_COLL_ALLGATHER, AIF_GRP_DP, dense_local * pb, AIF_OVL_NONE);
        comm(&w, "edp.allgather", AIF_CAT_DP, AIF_COLL_ALLGATHER, AIF_GRP_EDP, expert_local * pb, AIF_OVL_NONE);
    }
    end(&w, AIF_SEG_STEP_AG);

    double seqs = tr->mbs,
           fwd_per_seq = known && known->fwd_flops_per_seq >= 0 ? known->fwd_flops_per_seq
                                                                : aif_model_fwd_flops_per_seq(m, tr->seq);
    double heads_fl = 2.0 * h * V * tr->seq * (1 + (m->mtp_layers > 0 ? m->mtp_layers : 0));   /* not replayed */
    g->fwd_flops_per_microbatch_model = fwd_per_seq * seqs;
    g->recompute_flops_per_microbatch =
        tr->recompute == AIF_RC_FULL
            ? (fwd_per_seq - heads_fl -
               aif_recompute_saved_flops_per_seq(m, tr->recompute_saved | replay_pruned_saved(&s->framework), tr->seq) -
               (s->framework.replay_pruned ? aif_shared_down_flops_per_seq(m, tr->seq) : 0)) *
                  seqs *
                  aif_graph_replayed_share(g)
        : tr->recompute == AIF_RC_SELECTIVE && s->framework.selective_gemm_share > 0
            ? (fwd_per_seq - heads_fl - aif_model_attn_core_flops_per_seq(m, tr->seq)) *
                  s->framework.selective_gemm_share * seqs
        : tr->recompute == AIF_RC_SELECTIVE
            ? ((aif_recompute_modules_of(tr) & 1u << AIF_RCM_CORE_ATTN && !w.flash
                    ? aif_model_attn_core_flops_per_seq(m, tr->seq) : 0) +
               aif_recompute_modules_flops_per_seq(m, aif_recompute_modules_of(tr), tr->seq)) * seqs
        : 0;
    return aif_graph_finish(g, err);
}

aif_rc aif_graph_lower(const aif_scenario *s, aif_graph *g, aif_err *err)
{
    aif_graph_init(g);
    return lower(s, g, AIF_LAYER_PARTS_ALL, NULL, NULL, err);
}

aif_rc aif_graph_lower_in(const aif_scenario *s, aif_graph *g, void *buf, size_t bytes, aif_err *err)
{
    aif_graph_init_buffer(g, buf, bytes);
    return lower(s, g, AIF_LAYER_PARTS_ALL, NULL, NULL, err);
}

void aif_graph_groups(const aif_scenario *s, aif_group_shape groups[AIF_N_GRP]) { group_shapes(s, groups); }

aif_rc aif_graph_lower_part(const aif_scenario *s, aif_graph *g, void *buf, size_t bytes, unsigned parts,
                            unsigned layer_groups[AIF_N_LAYER_PARTS], const aif_lower_known *known, aif_err *err)
{
    aif_graph_init_buffer(g, buf, bytes);
    return lower(s, g, parts, layer_groups, known, err);
}
