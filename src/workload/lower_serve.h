/* lower_serve.h -- a serving replica's iteration (prefill chunks and decodes in
 * one batch) as a step graph, timed by the analytical engine, and the fast
 * evaluator the serving simulator calls once per iteration.
 *
 * A batch is summarised by what the op shapes depend on (aif_serve_batch): the
 * GEMMs, norms and collectives by the tokens in it, the output head by the
 * sequences that sample, the attention by its query-key pairs and the KV bytes
 * it reads.  Every collective blocks (AIF_OVL_NONE, as vLLM and SGLang run tensor
 * parallelism), so a segment's time is the sum of its op times (aif_segment_time),
 * and the iteration's time is
 *   T = sum over layers (t_dense/moe(m) + t_attn_decode + t_attn_prefill)
 * (a sliding-window layer's two attention ops over its window's pairs and keys)
 *       + t_embed(m) + t_head(n_logits) + (pp - 1) t_send(m)
 * with one batch in flight through the pp stages.  The fast evaluator
 * (aif_serve_model_time) memoises the token-dependent part per m and times the
 * two attention ops of the batch through aif_op_time_s: it equals lowering and
 * timing a fresh graph (aif_serve_lower_batch + aif_serve_graph_time), which
 * tests/test_serve.c checks on random batches.
 *
 * Data-parallel attention (serve.dp_attention, dp = tp ranks): every GPU runs the
 * attention, the dense layers, the router, the shared experts, the embedding and
 * the head on m / dp tokens with whole weights and no tensor-parallel collective;
 * an expert layer dispatches its m / dp x top_k tokens to the experts' GPUs and
 * combines them back (all-to-all over the ep = tp group, across nodes when the
 * replica spans them), and each GPU's E / ep experts take m top_k / ep tokens from
 * the whole batch.  The iteration is the time of one rank: the batch's sequences
 * and keys are taken as split evenly over the ranks. */
#ifndef AIF_LOWER_SERVE_H
#define AIF_LOWER_SERVE_H

#include "aifsim/graph.h"
#include "aifsim/serve.h"

/* One iteration's batch. */
typedef struct aif_serve_batch {
    double prefill_tokens;      /* prompt tokens computed (sum of the chunks) */
    double prefill_pairs;       /* sum over chunks of c (p + (c + 1) / 2): causal query-key pairs, c the chunk, p the tokens before it */
    double prefill_kv_tokens;   /* sum over chunks of p + c: keys the chunks' attention reads */
    double prefill_done;        /* sequences whose prompt completes (they sample a token) */
    double decode_seqs;         /* sequences adding one token */
    double decode_kv_tokens;    /* sum over them of their keys (the new token included) */
    /* the same in a sliding-window layer (model.sliding_window W), where position t attends
     * the min(t + 1, W) keys ending at itself: the chunks' pairs, sum over t of min(t + 1, W);
     * the keys they read, p + c - max(0, p - W + 1); the decodes' keys, sum of min(keys, W).
     * Filled only when the model has window layers (the replica's aif_replica.window). */
    double prefill_win_pairs, prefill_win_kv_tokens, decode_win_kv_tokens;
} aif_serve_batch;

/* Segment kinds of a serving graph. */
enum { AIF_SSEG_DENSE = 100, AIF_SSEG_MOE, AIF_SSEG_EMBED, AIF_SSEG_HEAD, AIF_SSEG_SEND };

/* Time of one iteration and its shares (seconds, they add up to total_s). */
typedef struct aif_serve_time {
    double total_s;
    double compute_s;           /* compute ops bound by their FLOPs */
    double memory_s;            /* compute ops bound by HBM bytes */
    double comm_s;              /* collectives and pipeline sends */
} aif_serve_time;

/* Shapes of one replica, fixed for a run. */
typedef struct aif_serve_shape {
    int tp, pp, ep, etp;
    int dp;                         /* data-parallel attention ranks: tp under serve.dp_attention, else 1; each
                                       takes 1/dp of the batch (an even split) for the attention, the dense
                                       layers, the embedding and the head, with whole heads and widths */
    int dense_layers, moe_layers;   /* in the whole replica */
    int win_layers;                 /* of them, those attending a sliding window (model.sliding_window,
                                       full_attention_every): their attention reads the batch's win fields */
    int expert_slots;               /* routed experts and their redundant copies (serve.redundant_experts) */
    double heads, kv_heads;         /* per GPU (kv heads replicated when tp exceeds them; all of them when dp > 1) */
    double qk_dim, v_dim;           /* per head; MLA: nope + rope, v_head_dim */
    double kv_bytes_token_layer;    /* one token's cached K and V (MLA: the compressed latent) on one GPU, one layer
                                       (dp > 1: on the one GPU that holds the token) */
    double w_bytes, a_bytes;        /* bytes per weight and per GEMM input activation */
    int gemm_prec;                  /* aif_op.fp8: 0 bf16, 1 fp8, 2 fp4 */
    double e_w_bytes, e_a_bytes;    /* the same for the routed experts (serve.expert_precision, */
    int e_gemm_prec;                /*   expert_weight_precision) */
} aif_serve_shape;

typedef struct aif_serve_model {
    const aif_scenario *s;          /* borrowed: outlives the model */
    aif_serve_shape sh;
    aif_graph groups_only;          /* an empty graph holding the communicator groups attention ops are timed on */
    int n_memo;                     /* m = 0 .. n_memo-1 */
    aif_serve_time *memo_layer[2];  /* [dense, moe][m]: one layer without attention; total_s < 0: not yet */
    aif_serve_time *memo_embed, *memo_head, *memo_send;
} aif_serve_model;

/* The pipeline stage (of pp, ceil(layers / pp) layers each, the last shorter) whose cache a
 * long sequence fills most: the one with the most full-attention layers (of those, the most
 * window layers); its full and window layers.  *window 0: no window layers. */
void aif_serve_kv_layers(const aif_model *m, int pp, int *full, int *window);
/* Adds to b a prefill chunk of c tokens after p cached ones (done: its prompt completes),
 * and a decode over `keys` keys (the new token's included); window: the model's
 * sliding_window (0: none). */
void aif_serve_batch_add_prefill(aif_serve_batch *b, double p, double c, int done, double window);
void aif_serve_batch_add_decode(aif_serve_batch *b, double keys, double window);
/* The shapes of s's replica (s->serve, s->model, s->cluster). */
void aif_serve_shape_of(const aif_scenario *s, aif_serve_shape *sh);
/* Lowers one iteration of batch b into g (initialised here; free with aif_graph_free,
 * on failure too): every layer its own segment, then embedding, head and the pp-1 sends. */
aif_rc aif_serve_lower_batch(const aif_scenario *s, const aif_serve_batch *b, aif_graph *g, aif_err *err);
/* The sum of aif_segment_time over g's segments, split as aif_serve_time. */
void aif_serve_graph_time(const aif_scenario *s, const aif_graph *g, aif_serve_time *t);

/* The fast evaluator for batches of at most max_tokens tokens and sequences. */
aif_rc aif_serve_model_init(aif_serve_model *sm, const aif_scenario *s, int max_tokens, aif_err *err);
void aif_serve_model_free(aif_serve_model *sm);
/* Equals aif_serve_lower_batch + aif_serve_graph_time for the same batch; AIF_ENOMEM
 * only when a lowering for the memo fails. */
aif_rc aif_serve_model_time(aif_serve_model *sm, const aif_serve_batch *b, aif_serve_time *t, aif_err *err);

#endif
