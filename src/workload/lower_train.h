/* lower_train.h -- the training lowering's entry for the estimate memo
 * (engine/estimate.c), beside the public aif_graph_lower (graph.h).
 *
 * Invariant: the layer segments (AIF_SEG_DENSE_FWD .. AIF_SEG_HEAD_BWD) of a graph
 * lowered from s are a function of s->cluster, s->model, s->framework, s->train less
 * par.pp, par.vpp, par.dp, par.dp_shard, gbs, tokens, optimizer, dp_overlap, pp_overlap,
 * auto_fields, offload, offload_layers, grad_dtype, moments_dtype and recompute_layers,
 * aif_layer_sharding_key(s) (the optimizer as the layers see it), and the shapes of the communicator
 * groups they consulted; nothing else (and some parts less: AIF_LAYER_PART_*).  The
 * memo's key is exactly that list, and tests/test_memo.c checks the memoised estimate
 * against the plain one. */
#ifndef AIF_LOWER_TRAIN_H
#define AIF_LOWER_TRAIN_H

#include "aifsim/graph.h"
#include "workload/transformer.h"

/* The layer segments in four parts, each lowered or left empty as a whole: the layers'
 * forward (AIF_SEG_DENSE_FWD, AIF_SEG_MOE_FWD), which do not read train.recompute (nor
 * recompute_modules); their
 * backward (AIF_SEG_DENSE_BWD, AIF_SEG_MOE_BWD); the embedding and the head
 * (AIF_SEG_EMBED_FWD .. AIF_SEG_HEAD_BWD), which read neither train.recompute nor,
 * unless the model has multi-token-prediction blocks (whose projection they hold),
 * train.precision; the backward of the layers that keep their activations under
 * train.recompute_layers (AIF_SEG_DENSE_BWD_KEEP, AIF_SEG_MOE_BWD_KEEP: a backward without
 * recompute, empty when the field is not set), which reads the recompute mode only
 * through it. */
enum { AIF_LAYER_PART_FWD, AIF_LAYER_PART_BWD, AIF_LAYER_PART_ENDS, AIF_LAYER_PART_KEEP, AIF_N_LAYER_PARTS };
#define AIF_LAYER_PARTS_ALL 15u

/* The recompute mode as the layers' backward runs it: selective with a fused attention
 * kernel, no per-op policy of the stack (framework.selective_gemm_share) and the attention
 * core its only module (train.recompute_modules) replays nothing, as none (the backward
 * segments are the same; layer_bwd switches on this, and on the modules when selective). */
int aif_layer_recompute(const aif_train *tr, const aif_framework *f);
/* The layers' sharding as their lowering reads the optimizer: aif_layer_sharding (0 .. 2),
 * or 3 for a pipelined zero3 or fsdp job on a stack that accumulates the gradients
 * unsharded over the microbatches (framework pp_grad_accum_bytes: PyTorch's pipeline
 * stages), whose layers copy no gradients in per microbatch (lower_train.c fsdp_ops),
 * which zero2's do.  What the estimate memo and the layout search key the layers by. */
int aif_layer_sharding_key(const aif_scenario *s);
/* The communicator groups' shapes, as aif_graph_shape sets g->groups. */
void aif_graph_groups(const aif_scenario *s, aif_group_shape groups[AIF_N_GRP]);
/* What a caller that lowers many layouts of one job already knows, each exactly what the
 * lowering would compute again (each may be absent: NULL, or fwd_flops_per_seq < 0). */
typedef struct aif_lower_known {
    const aif_group_shape *groups;    /* [AIF_N_GRP]: aif_graph_groups(s) */
    const aif_dims *dims;             /* aif_model_dims(&s->model) */
    double fwd_flops_per_seq;         /* aif_model_fwd_flops_per_seq(&s->model, s->train.seq) */
    const aif_stage_class *classes;   /* [n_classes]: aif_graph_stage_classes of a graph of the same pp, vpp,
                                         layers and dense layers */
    int n_classes;
} aif_lower_known;

/* aif_graph_lower_in, with the layer segments of the parts in `parts` (bit p for part
 * p) made and the others there, empty (the caller has their times), and the
 * communicator groups each part's lowering consulted (bit g for aif_group g) in
 * layer_groups[part] (may be NULL; 0 for a part not made); what `known` (may be NULL)
 * holds is taken from it.  The other segments and every field of the graph are
 * aif_graph_lower_in's. */
aif_rc aif_graph_lower_part(const aif_scenario *s, aif_graph *g, void *buf, size_t bytes, unsigned parts,
                            unsigned layer_groups[AIF_N_LAYER_PARTS], const aif_lower_known *known, aif_err *err);

#endif
