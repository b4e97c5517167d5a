/* replica.h -- one serving replica's scheduler: continuous batching under a token
 * budget and a maximum batch, chunked prefill, a paged KV cache of 16-token
 * blocks, preemption (newest first) when it fills, by recompute or, with
 * cfg.swap, by copying its cache to host memory and back, and a prefix
 * cache of trace block hashes.  With cfg.no_evict a request is admitted only
 * when ceil((input + output) / 16) blocks, its whole life's, are free; it holds
 * them from admission to completion and nothing is ever preempted.  With cfg.sglang
 * the replica runs SGLang's scheduler instead (replica.c): a request is admitted while
 * its prompt and reserved output fit beside the running requests' remaining outputs
 * times new_token_ratio, a prefill batch runs apart from the decodes, and a decode
 * that finds no room retracts requests and raises the ratio.
 *
 * Invariants (asserted after every schedule): blocks in use never exceed the
 * replica's blocks; a running sequence holds exactly ceil(ctx / 16) blocks after
 * its scheduled work (with window layers, aif_replica_set_window: a full layer's
 * ceil(ctx / 16) and a window layer's from its window's first key on; no_evict:
 * its reservation, never fewer than that); no
 * preemption under no_evict; the batch holds at most max_batch sequences and at most
 * token_budget tokens, except one unchunked prompt alone in its batch. */
#ifndef AIF_SERVE_REPLICA_H
#define AIF_SERVE_REPLICA_H

#include "serve/requests.h"
#include "workload/lower_serve.h"

/* SGLang's scheduler defaults (sgl-project/sglang, python/sglang/srt/environ.py):
 * SGLANG_INIT_NEW_TOKEN_RATIO 0.7, SGLANG_MIN_NEW_TOKEN_RATIO_FACTOR 0.14 (the floor is
 * 0.7 x 0.14 = 0.098), SGLANG_NEW_TOKEN_RATIO_DECAY_STEPS 600 (the ratio falls from 0.7 to
 * its floor in 600 decode steps, managers/scheduler.py's init_new_token_ratio,
 * min_new_token_ratio and new_token_ratio_decay with schedule_conservativeness 1.0),
 * SGLANG_RETRACT_DECODE_STEPS 20 (a retraction frees room for 20 decode steps of those
 * left) and SGLANG_CLIP_MAX_NEW_TOKENS_ESTIMATION 4096 (no request reserves more output). */
#define AIF_SGLANG_INIT_RATIO 0.7
#define AIF_SGLANG_MIN_RATIO_FACTOR 0.14
#define AIF_SGLANG_DECAY_STEPS 600
#define AIF_SGLANG_RETRACT_STEPS 20
#define AIF_SGLANG_CLIP_OUTPUT 4096

/* What the scheduler keeps per request across replicas' iterations. */
typedef struct aif_req_state {
    int gen;                  /* output tokens generated so far */
    unsigned char scheduled;  /* has been in an iteration */
    unsigned char kv_ready;   /* disaggregation: its prompt's KV cache arrived from a prefill replica */
    double start_s;           /* first iteration that held it */
    double first_token_s, done_s;
    double last_token_s;      /* its latest token (the inter-token gaps, aif_replica.itl_*) */
    int swapped;              /* preemption swap: tokens whose KV cache waits in host memory (0: none) */

} aif_req_state;

typedef struct aif_seq {
    int req;
    int target;               /* tokens to prefill: input + gen at admission (recompute after preemption) */
    int ctx;                  /* tokens whose keys and values are cached */
    long blocks;              /* KV blocks held (blocks of one layer with window layers: past INT_MAX
                                 on a deep model's long request) */
    int chunk;                /* this iteration: prompt tokens computed (> 0), 0 for a decode, or minus
                                 the positions a speculative decode verifies (drafts + 1) */
    int in_batch;
} aif_seq;

/* Inter-token gaps, pooled over requests, in log bins of AIF_ITL_PER_DECADE per decade from
 * 1 us: each bin keeps its gaps' count and sum, so a quantile comes out at the mean of the
 * gaps in its bin (exact where they are equal, within one bin's 2.3% where they are not). */
enum { AIF_ITL_PER_DECADE = 100, AIF_ITL_BINS = 1000 };

typedef struct aif_replica {
    aif_seq *run;             /* running sequences in admission order (the newest last) */
    int n_run, cap_run;
    int *wait;                /* waiting requests: a ring, preempted ones pushed at the front */
    long wait_head, n_wait, cap_wait;
    long kv_used, kv_blocks, kv_peak;
    int outstanding;          /* routed here and not finished */
    /* prefix cache: hash -> stamp of last use; resident while clock - stamp < window */
    uint64_t *pc_key;
    long *pc_stamp;
    uint64_t *pc_tmp_key;     /* scratch of pc_cap entries for rebuilding the table */
    long *pc_tmp_stamp;
    long pc_cap, pc_n, pc_clock, pc_window;
    /* the iteration in flight */
    int busy;
    aif_serve_batch batch;
    double window;            /* the model's sliding window (0: none), for the batch's window layers */
    int kv_lf, kv_lw;         /* with window layers in the cache (aif_replica_set_window): the stage's full and
                                 window layers, and kv_blocks, kv_used and a sequence's blocks count blocks of
                                 16 tokens of one layer; both 0: blocks of 16 tokens of every layer */
    int kv_layers;            /*   and the layers of a GPU's cache (kv_blocks at init times them) */
    int batch_seqs;
    double spec_seqs, spec_kv_tokens;   /* this iteration's drafting sequences and their keys (the draft's batch) */
    uint64_t rng;             /* acceptance draws (speculative decoding), seeded per replica */
    long drafted, accepted;   /* draft tokens proposed and accepted over the run */
    int prefill_only;         /* disaggregation: a prefill replica (a request leaves once its first token is out) */
    long preemptions;         /* preempted (sglang: retracted) sequences */
    double new_token_ratio;   /* sglang: the share of the running requests' remaining outputs reserved */
    double swap_tokens;       /* this iteration: tokens of KV cache copied out to host memory and back in (as
                                 tokens of every layer: aif_replica_cache_tokens) */
    double prefix_hit_tokens, prompt_tokens, prefill_tokens;
    long itl_n[AIF_ITL_BINS];         /* gaps between a request's consecutive tokens, by bin */
    double itl_sum_s[AIF_ITL_BINS];
    double itl_max_s;
    double itl_last_gap_s;            /* the bin of the last gap binned: the sequences of one decode */
    int itl_last_bin;                 /*   iteration share their gap (one log10 per iteration, not token) */
} aif_replica;

typedef struct aif_sched_cfg {
    int max_batch, token_budget;
    bool chunked, prefix;
    bool no_evict;            /* serve.admission no_evict: reserve prompt + output blocks, never preempt */
    bool sglang;              /* serve.admission sglang: SGLang's admission, retraction and prefill batches */
    bool swap;                /* serve.preemption swap: a preempted sequence's cache goes to host memory */
    int spec_tokens;          /* serve.speculative.tokens: drafts per decoding sequence (0: off) */
    double spec_acceptance;   /* each draft accepted with this probability until the first rejection */
} aif_sched_cfg;

aif_rc aif_replica_init(aif_replica *rp, long kv_blocks, bool prefix, aif_err *err);
/* A model with a sliding window of `window` tokens: the batch's window fields (the attention
 * of its window layers); and, when window_layers of a stage (with full_layers beside them:
 * aif_serve_kv_layers) attend it, the cache counted per layer, a window layer holding the
 * blocks from its window's first key on (vLLM's hybrid KV cache manager: the blocks before it
 * are freed); kv_blocks becomes blocks of one layer, stage_layers (the GPU's layers, the
 * blocks' size at init) times those given at init. */
void aif_replica_set_window(aif_replica *rp, double window, int full_layers, int window_layers, int stage_layers);
/* The cache of a sequence of ctx tokens as tokens of every layer: ctx, or with window layers
 * (lf full ctx, lw window min(ctx, W)) / the cache's layers: what a swap or a transfer copies. */
double aif_replica_cache_tokens(const aif_replica *rp, double ctx);
/* The KV units a request of `tokens` tokens may hold at most (serve.admission no_evict
 * reserves them; the longest request a replica holds is bounded by them): ceil(tokens / 16)
 * blocks when lw is 0, else blocks of one layer, lf full layers' ceil(tokens / 16) each and
 * lw window layers' at most the blocks under a chunk of `chunk` tokens (the most one
 * iteration computes of it) and the W - 1 keys before it, each. */
long aif_kv_reserve(int lf, int lw, double window, long tokens, long chunk);
/* The most tokens one iteration computes of a request of `input` prompt tokens (a recompute
 * after a preemption: `input` its prompt and output so far): its prompt, or a chunk of
 * token_budget when prefill is chunked; a speculative verification's drafts + 1. */
long aif_kv_chunk(const aif_sched_cfg *cfg, long input);
/* blocks x layers (layers >= 1), held at LONG_MAX / 4 where it would pass it (a cache of
 * 1e15 blocks, the most the memory model gives, on a model of many layers). */
long aif_kv_layer_blocks(long blocks, int layers);
void aif_replica_free(aif_replica *rp);
aif_rc aif_replica_enqueue(aif_replica *rp, int req, int front, aif_err *err);
/* Chooses the next iteration's batch into rp->batch; 0 when there is nothing to run. */
int aif_replica_schedule(aif_replica *rp, const aif_sched_cfg *cfg, const aif_req_stream *rq, aif_req_state *st,
                         double now_s, aif_err *err, aif_rc *rc);
/* Applies the iteration that ended at t_s: tokens generated, requests done (their
 * indices appended to done[], returns how many).  On a prefill replica a request
 * whose first token is out leaves too (its done_s stays 0 while it has more to
 * generate: the caller hands it to a decode replica). */
int aif_replica_finish(aif_replica *rp, const aif_sched_cfg *cfg, const aif_req_stream *rq, aif_req_state *st,
                       double t_s, int *done);

#endif
