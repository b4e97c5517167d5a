/* serve.h -- inference serving: the scenario's `serve:` section, the result of a
 * serving run, and the pipeline call that produces it.
 *
 * A deployment is `replicas` copies of the model, each on tp x pp GPUs (ep of the
 * tp ranks hold different experts of a MoE layer).  Requests arrive by a Poisson
 * or gamma process at `qps` (server mode), all at t = 0 (offline mode), or from a
 * trace file; a router sends each to a replica; each replica batches
 * continuously (a token budget, a maximum batch, chunked prefill), keeps a paged
 * KV cache of 16-token blocks in the HBM its weights leave, preempts the newest
 * request when the cache fills, by recompute or by a swap to host memory over the
 * GPU's host link (serve.preemption) (or, with serve.admission no_evict,
 * reserves each request's prompt and output blocks at admission and never
 * preempts), and skips the prefill of blocks a
 * trace's hash ids say are cached.  An iteration's time is the step graph of
 * that batch timed by the analytical engine (docs/SERVING.md has the equations).
 *
 * The spec part (aif_serve and its name tables) is plain data inside
 * aif_scenario, so aifsim.h includes it alone (AIFSIM_SERVE_SPEC_ONLY); the rest
 * needs aifsim.h. */
#ifndef AIFSIM_SERVE_SPEC_H
#define AIFSIM_SERVE_SPEC_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aif_serve_mode { AIF_SERVE_SERVER, AIF_SERVE_OFFLINE } aif_serve_mode;
typedef enum aif_arrival { AIF_ARRIVAL_POISSON, AIF_ARRIVAL_GAMMA } aif_arrival;
/* Token-length distributions: fixed = the mean; uniform on [1, 2 mean - 1];
 * exponential with that mean; lognormal with that mean and sigma 1; every draw
 * rounded and clipped to [1, max]. */
typedef enum aif_len_dist { AIF_LEN_FIXED, AIF_LEN_UNIFORM, AIF_LEN_EXPONENTIAL, AIF_LEN_LOGNORMAL } aif_len_dist;
/* cache-aware: the prefix/KV-aware router of SGLang's and vLLM's routers (sim.c gives the rule) */
typedef enum aif_router_kind { AIF_ROUTER_ROUND_ROBIN, AIF_ROUTER_LEAST_OUTSTANDING, AIF_ROUTER_CACHE_AWARE } aif_router_kind;
/* KV-cache admission: evict admits a request once its prompt's blocks are free and
 * preempts the newest by recompute when the cache fills (vLLM's default);
 * no_evict admits it only when the blocks of its prompt and its whole output fit
 * beside the running requests' reservations, and never preempts (TensorRT-LLM's
 * default capacity scheduler, GUARANTEED_NO_EVICT); sglang admits it only while the
 * cache holds its prompt and its output (up to 4,096 tokens) beside the running
 * requests' remaining outputs times a ratio that decays from 0.7 and rises when a
 * decode retracts requests, and runs prefill batches apart from decode batches
 * (SGLang's scheduler with its defaults; docs/SERVING.md). */
typedef enum aif_serve_admission { AIF_ADMIT_EVICT, AIF_ADMIT_NO_EVICT, AIF_ADMIT_SGLANG } aif_serve_admission;
/* What a preempted sequence loses (admission evict): recompute frees its blocks and
 * computes its prompt and generated tokens again on readmission (vLLM's default);
 * swap copies its blocks to host memory over the GPU's host link and back when it
 * is readmitted, each copy charged to the replica's iteration that does it. */
typedef enum aif_serve_preemption { AIF_PREEMPT_RECOMPUTE, AIF_PREEMPT_SWAP } aif_serve_preemption;
/* What gpu_memory_fraction is a share of: hbm, the whole HBM, which holds the weights,
 * activations, workspace and cache together (vLLM's gpu_memory_utilization); free, the
 * memory left once the weights, activations and workspace are in place, all of that share
 * going to the KV cache (TensorRT-LLM's KvCacheConfig free_gpu_memory_fraction, whose
 * KV-cache manager sizes the cache from the device's free memory after the engine loads). */
typedef enum aif_serve_kv_memory { AIF_KV_MEMORY_HBM, AIF_KV_MEMORY_FREE } aif_serve_kv_memory;
/* serve.window_cache: what a sliding-window layer caches of a sequence: its window (vLLM's
 * hybrid KV cache manager, TensorRT-LLM's variable sliding-window cache) or every token (an
 * engine without one: vLLM with --disable-hybrid-kv-cache-manager). */
typedef enum aif_serve_window_cache { AIF_WINDOW_CACHE_WINDOW, AIF_WINDOW_CACHE_FULL } aif_serve_window_cache;

extern const char *const aif_serve_mode_names[];     /* "server", "offline" */
extern const char *const aif_arrival_names[];        /* "poisson", "gamma" */
extern const char *const aif_len_dist_names[];       /* "fixed", "uniform", "exponential", "lognormal" */
extern const char *const aif_router_names[];         /* "round-robin", "least-outstanding", "cache-aware" */
extern const char *const aif_serve_admission_names[]; /* "evict", "no_evict", "sglang" */
extern const char *const aif_serve_preemption_names[]; /* "recompute", "swap" */
extern const char *const aif_serve_kv_memory_names[]; /* "hbm", "free" */
extern const char *const aif_serve_window_cache_names[]; /* "window", "full" */

typedef struct aif_len_spec {
    int dist;                 /* aif_len_dist */
    double mean;              /* tokens */
    int max;                  /* tokens; every draw is clipped to it */
} aif_len_spec;

/* Targets a request must meet to count in the goodput (0 = no target). */
typedef struct aif_slo {
    double ttft_s;            /* time to first token (key ttft_p99) */
    double tpot_s;            /* mean time per output token after the first (key tpot_p99) */
    double e2e_s;             /* arrival to last token (key e2e_p99) */
} aif_slo;

#define AIF_SERVE_BLOCK_TOKENS 16   /* paged KV cache block (vLLM's default) */

typedef struct aif_serve {
    bool present;             /* the scenario has a serve: section (or the CLI made one) */
    int replicas;             /* 0 = as many as the cluster's GPUs hold */
    int tp, pp, ep;           /* per replica; ep divides tp and the model's experts */
    /* Data-parallel attention (serve.dp_attention, the DeepSeek / SGLang large-EP
     * deployment): the replica's tp GPUs each run the attention, the dense layers,
     * the embedding and the head for their own share of the batch with the whole
     * weights of those parts and their own sequences' whole KV cache; the expert
     * layers spread the experts over all of them (ep = tp), the tokens dispatched
     * and combined by all-to-all over the replica's links, across nodes when it
     * spans them.  pp 1.  false: tensor-parallel attention. */
    bool dp_attention;
    /* Redundant experts (serve.redundant_experts, SGLang's --ep-num-redundant-experts
     * with DeepSeek's EPLB): this many extra copies of routed experts, so the expert
     * layers hold experts + redundant_experts slots, split ep ways (ep divides their
     * sum); the copies cost weights, and the tokens spread over all the slots. */
    int redundant_experts;
    int precision;            /* aif_prec of the weights and GEMMs: bf16, fp8, fp4 */
    /* Weight-only and expert quantization (each -1 = unset, read through aif_serve_*_prec):
     * weight_precision stores the GEMM weights no wider than their math (precision): fp4 under
     * bf16 is W4A16 (Marlin, AWQ); expert_precision is the routed experts' GEMM math, and
     * expert_weight_precision their weights' storage, by default the narrower of
     * weight_precision and expert_precision (gpt-oss's MXFP4 experts: fp4 weights, with bf16
     * math on Hopper and fp8 on Blackwell under TensorRT-LLM's W4A8_MXFP4_MXFP8). */
    int weight_precision, expert_precision, expert_weight_precision;
    int kv_precision;         /* aif_prec of the KV cache: bf16, fp8, fp4; -1 = as precision (fp8 under fp4 weights) */
    int mode;                 /* aif_serve_mode */
    double qps;               /* server mode: mean arrival rate, requests per second */
    int arrival;              /* aif_arrival */
    double arrival_cv;        /* gamma: coefficient of variation of the gaps (1 = Poisson) */
    int requests;             /* requests simulated (a trace: at most this many, 0 = all) */
    aif_len_spec input_tokens, output_tokens;
    char trace[256];          /* Azure CSV or Mooncake JSONL ("" = synthetic); read by aif_run_serve */
    int max_batch;            /* sequences in one iteration */
    int token_budget;         /* tokens (prefill + decode) in one iteration */
    bool chunked_prefill;     /* split a prompt over iterations to fit the budget */
    bool prefix_caching;      /* a trace's hash_ids: cached blocks skip prefill */
    int router;               /* aif_router_kind */
    int admission;            /* aif_serve_admission (default evict) */
    int preemption;           /* aif_serve_preemption (default recompute) */
    /* The scheduler runs one batch ahead of the GPU (SGLang's default since v0.4, its
     * "zero-overhead batch scheduler"; TensorRT-LLM's PyTorch executor's overlap
     * scheduler): while iteration k runs, the CPU forms iteration k + 1 from the requests
     * that had arrived when k started, so a request arriving during k waits for k + 1
     * to end before it can be scheduled; a replica with nothing formed ahead takes it at
     * the end of k.  false: each iteration is formed when the one before ends. */
    bool overlap_schedule;
    double host_link_Bps;     /* swap: one GPU's link to host memory, each way (0: from the GPU: NVLink-C2C
                                 450 GB/s on Grace systems, PCIe Gen4 x16 32 GB/s on Ampere, else PCIe Gen5
                                 x16 64 GB/s) */
    /* A closed loop (serve.concurrency): N clients, each sending its next request the
     * instant its last one finished (as genai-perf, vLLM's benchmark_serving
     * --max-concurrency and SGLang's bench_serving run); the first N requests at
     * t = 0, the arrival process and qps unused.  0: off (open arrivals). */
    int concurrency;
    double gpu_memory_fraction;   /* share of HBM the engine may use (vLLM gpu_memory_utilization), or under
                                     kv_memory free the share of the free memory the KV cache takes */
    int kv_memory;            /* aif_serve_kv_memory (default hbm) */
    int window_cache;         /* aif_serve_window_cache (default window): a sliding-window layer's cache */
    aif_slo slo;
    unsigned seed;
    /* Speculative decoding (serve.speculative): each iteration a decoding sequence
     * drafts `tokens` tokens with a draft of `draft_layers` layers of the model's
     * width and its output head (an MTP module, an EAGLE head), the model verifies
     * them and its own next token in one pass (tokens + 1 query positions), and each
     * draft is accepted with probability `acceptance` until the first rejection.
     * tokens 0: off. */
    struct { int tokens; double acceptance; int draft_layers; } spec;
    /* Prefill/decode disaggregation (serve.disaggregate): `prefill` replicas take the
     * arrivals and compute prompts; each prompt's KV cache then crosses the scale-out
     * network to one of `decode` replicas, which generates the rest.  0, 0: off
     * (every replica does both).  replicas = prefill + decode. */
    struct { int prefill, decode; } disagg;
    /* A daily load curve (serve.daily_curve: 24 hourly weights): the arrival rate in
     * hour h of the day is qps x curve[h] / mean(curve), the run starting at
     * daily_start_hour; n_curve 0: a constant rate.  Arrivals keep their process
     * (Poisson or gamma) in time stretched by the curve. */
    double curve[24];
    int n_curve;
    double daily_start_hour;
    /* Agentic sessions (serve.agentic): arrivals at qps are sessions of `calls` model
     * calls each; a call's prompt is the shared system prompt, everything the session
     * said and heard so far, and input_tokens new tokens (a tool result, the user);
     * the next call comes tool_latency (exponential, this mean) after the previous
     * one finished, and goes to the replica that served it (its cache is there).
     * calls 0: off (independent requests).  retrieval_bytes (serve.agentic.retrieval.bytes):
     * what each tool call reads from the cluster's storage tier; retrieval_s, set when bound,
     * is the tier's latency + retrieval_bytes / (its aggregate read bandwidth / replicas),
     * added to every tool wait. */
    struct {
        int calls; int system_prompt; double tool_latency_s; int max_context;
        double retrieval_bytes, retrieval_s;
    } agentic;
} aif_serve;

#ifdef __cplusplus
}
#endif
#endif /* AIFSIM_SERVE_SPEC_H */

#ifndef AIFSIM_SERVE_SPEC_ONLY
#ifndef AIFSIM_SERVE_H
#define AIFSIM_SERVE_H

#include "aifsim/aifsim.h"
#include "aifsim/run.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The precisions serving runs at, the serve section's unset ones resolved: the weights of
 * the GEMMs other than the routed experts', the experts' GEMMs, and their weights. */
int aif_serve_weight_prec(const aif_serve *sv);
int aif_serve_expert_prec(const aif_serve *sv);
int aif_serve_expert_weight_prec(const aif_serve *sv);

/* Memory of one GPU of a replica (bytes). */
typedef struct aif_serve_memory {
    double hbm_bytes;             /* the GPU's HBM */
    double usable_bytes;          /* hbm_bytes x serve.gpu_memory_fraction (kv_memory free: weights, activations,
                                     workspace and the KV cache) */
    double weights_bytes;         /* the busiest stage's weights / tp, at their storage precisions */
    double activations_bytes;     /* the largest iteration's activations and logits */
    double workspace_bytes;       /* runtime context and library workspaces (calibration) */
    double kv_bytes_per_token;    /* one token's keys and values on this GPU (its layers, its heads) */
    double kv_capacity_bytes;     /* usable - weights - activations - workspace */
    long kv_blocks;               /* kv_capacity_bytes / (16 tokens x kv_bytes_per_token): the replica's blocks
                                     (dp_attention: tp times one GPU's, each GPU caching its own sequences) */
    int kv_window_layers;         /* on the stage a long sequence fills most (the most full-attention layers), its
                                     layers attending model.sliding_window: a sequence keeps only its window's
                                     blocks there (0: every layer keeps every token) */
    int kv_full_layers;           /* and its full-attention layers (0 when kv_window_layers is 0) */
} aif_serve_memory;

typedef struct aif_latency { double mean_s, p50_s, p90_s, p99_s, max_s; } aif_latency;

/* Latency distributions for plotting: cdf[i] is the quantile i / (AIF_SERVE_CDF - 1)
 * by nearest rank (cdf[0] the least, cdf[AIF_SERVE_CDF - 1] the most; cdf[50] = p50,
 * cdf[99] = p99). */
#define AIF_SERVE_CDF 101
typedef struct aif_latency_cdf { double ttft_s[AIF_SERVE_CDF], tpot_s[AIF_SERVE_CDF], e2e_s[AIF_SERVE_CDF]; } aif_latency_cdf;

/* The run over time in at most AIF_SERVE_SERIES buckets of dt_s each (bucket i covers
 * [i dt_s, (i + 1) dt_s)), by the iterations that start in it over all replicas.  The
 * loop fills fixed arrays and, when time passes the last bucket, merges them in pairs
 * and doubles dt_s, so the cost is a few additions per iteration whatever the length. */
#define AIF_SERVE_SERIES 128
typedef struct aif_serve_series {
    int n;                        /* buckets in use (the last one may be partial) */
    double dt_s;
    double batch_mean[AIF_SERVE_SERIES];   /* sequences per iteration, mean over the bucket's iterations (0: none) */
    double kv_peak[AIF_SERVE_SERIES];      /* highest KV-cache occupancy (blocks in use / blocks) at an
                                              iteration's start in the bucket, over replicas */
    long iterations[AIF_SERVE_SERIES];     /* iterations started in the bucket */
} aif_serve_series;

typedef struct aif_serve_result {
    int gpus;                     /* replicas x tp x pp */
    int replicas;
    aif_serve_memory mem;
    long requests;                /* simulated (all complete) */
    double input_tokens, output_tokens, prefill_tokens;   /* prefill_tokens: computed (cache hits skipped, recompute added) */
    double duration_s;            /* first arrival to last completion */
    double throughput_tokens_per_s;  /* output tokens / duration */
    double requests_per_s;
    aif_latency ttft, tpot, e2e, queue;   /* queue: arrival to the first iteration that holds the request */
    aif_latency itl;              /* inter-token latency: every gap between a request's consecutive tokens,
                                     pooled over requests (SGLang's bench_serving median_itl_ms, vLLM's
                                     benchmark_serving ITL), where tpot is each request's mean gap; its
                                     quantiles within 2.3% (log bins, each at its gaps' mean) */
    double slo_goodput;           /* share of requests meeting every target of serve.slo */
    double mean_batch;            /* sequences per iteration, mean over iterations */
    double mean_in_system;        /* time average of requests arrived and not finished */
    double kv_cache_peak_fraction;   /* peak blocks in use / blocks, over replicas */
    long iterations, preemptions;
    double swap_bytes;            /* preemption swap: KV bytes one GPU moved to and from host memory */
    double swap_s;                /*   the time those copies added to the iterations, summed over replicas */
    long spec_drafted, spec_accepted;   /* speculative decoding: draft tokens proposed, accepted */
    long sessions;                /* agentic: sessions (0 when off) */
    aif_latency session;          /*   first call's arrival to last call's end */
    long kv_transfers;            /* disaggregation: prompts' caches moved to the decode pool */
    double kv_transfer_mean_s;    /*   their mean time from the prompt's end to the cache's arrival (the bytes at
                                     the rate the moves in flight leave them, then the fabric's latency) */
    double prefix_hit_fraction;   /* share of prompt tokens served from the prefix cache */
    double busy_fraction;         /* replica time in iterations / (replicas x duration) */
    double compute_frac, memory_frac, comm_frac;   /* shares of busy time (activity for power) */
    double gpu_avg_W;             /* per GPU, activity-weighted over the run */
    double facility_avg_W;        /* the serving GPUs' site power (hosts, network, cooling) */
    double energy_J;              /* facility energy over duration_s */
    double joules_per_token;      /* energy_J / output tokens */
    double usd_per_million_tokens;        /* owned: depreciation, operations, electricity */
    double usd_per_million_tokens_rented; /* at the scenario's cloud class */
    /* as aif_facility_result.power_known and aif_cost_result.price_known,
     * cloud_price_known: false = the figures above that need it are not estimates */
    bool power_known, price_known, cloud_price_known;
    aif_latency_cdf cdf;          /* the latency distributions (the report's serving page) */
    aif_serve_series series;      /* batch size and KV occupancy over time */
} aif_serve_result;

/* One iteration of one replica, for checks (aif_serve_opts.on_iteration).  With pp > 1 it
 * is one of the replica's virtual engines' (docs/SERVING.md): replica names the replica,
 * time_s runs from its start to its end through the stages (waits included), and the
 * KV blocks are that engine's share. */
typedef struct aif_serve_iter {
    int replica;
    double start_s, time_s;
    int decode_seqs, prefill_seqs, prefill_tokens;
    long kv_blocks_used, kv_blocks;   /* blocks of 16 tokens of every layer; with window layers in the cache
                                         (aif_serve_memory.kv_window_layers), blocks of one layer */
} aif_serve_iter;

typedef struct aif_serve_opts {
    void (*progress)(double done, void *ctx);     /* share of requests finished, now and then */
    void *progress_ctx;
    void (*on_iteration)(const aif_serve_iter *it, void *ctx);   /* after every iteration */
    void *iteration_ctx;
} aif_serve_opts;

#define AIF_SERVE_CLASSES_MAX 3   /* one a metric group: throughput, TTFT, TPOT */
typedef struct aif_serve_run {
    aif_scenario scenario;        /* as run */
    aif_serve_result serve;
    aif_run_note notes[AIF_MAX_RUN_NOTES];
    int n_notes;
    aif_run_class classes[AIF_SERVE_CLASSES_MAX];   /* the published runs like it (aif_serve_classes) */
    int n_classes;
} aif_serve_run;

/* The published serving runs like a deployment: for each metric group of the built-in
 * validation/infer_classes.csv (`aifsim validate --infer-classes`) in turn, throughput,
 * TTFT and TPOT, the runs of its kind (dense or MoE) under its scheduler (serve.admission)
 * or on its accelerator family, whichever has the larger median error (the scheduler's on
 * a tie) among those of at least AIF_RUN_CLASS_MIN_RUNS rows: the least accuracy the
 * simulator has shown on runs like it; else its kind's runs; else the group's every run,
 * marked other_kind.  Returns how many are in out: 0 without a built-in table, and on an
 * uncalibrated (roofline) accelerator.  aif_run_serve fills aif_serve_run.classes with it. */
int aif_serve_classes(const aif_scenario *s, aif_run_class out[AIF_SERVE_CLASSES_MAX]);
/* The line of the deployment's kind (dense or MoE) on its accelerator family in one
 * metric group ("throughput", "ttft", "tpot") of the built-in validation/infer_classes.csv,
 * into out: 1 when it holds at least AIF_RUN_CLASS_MIN_RUNS rows and the accelerator is
 * calibrated, else 0 (aifsim compare --infer's family column). */
int aif_serve_family_class(const aif_scenario *s, const char *group, aif_run_class *out);
/* The built-in validation/infer_classes.csv (NULL when the build has none). */
const char *aif_builtin_infer_classes_csv(size_t *len);

/* Runs a serving deployment: memory check (weights larger than HBM: AIF_EINPUT
 * naming both), requests (synthetic, or the trace file read here), the event
 * loop, then power, energy and cost.  s needs the cluster, model, site and serve
 * sections.  o may be NULL.  out owns nothing. */
aif_rc aif_run_serve(const aif_catalog *c, const aif_scenario *s, const aif_serve_opts *o, aif_serve_run *out,
                     aif_err *err);
/* Throughput and latency against offered load (the report's serving page): an
 * offline run of s's deployment gives its capacity C in requests/s, then server
 * runs with Poisson arrivals at AIF_SERVE_LOAD_POINTS rates from 0.2 C to 1.25 C,
 * each of min(serve.requests, 2,000) requests; the knee is where throughput stops
 * following the offered rate and latency leaves its floor.  A trace, agentic
 * sessions or a closed loop set their own arrivals: n 0 then (nothing run). */
#define AIF_SERVE_LOAD_POINTS 8
typedef struct aif_serve_load_curve {
    int n;
    double capacity_rps;          /* offline requests/s of the deployment */
    double qps[AIF_SERVE_LOAD_POINTS];   /* offered */
    double throughput_tokens_per_s[AIF_SERVE_LOAD_POINTS], requests_per_s[AIF_SERVE_LOAD_POINTS];
    double ttft_p50_s[AIF_SERVE_LOAD_POINTS], ttft_p99_s[AIF_SERVE_LOAD_POINTS];
    double tpot_p50_s[AIF_SERVE_LOAD_POINTS], tpot_p99_s[AIF_SERVE_LOAD_POINTS];
} aif_serve_load_curve;
aif_rc aif_run_serve_load_curve(const aif_catalog *c, const aif_scenario *s, aif_serve_load_curve *out,
                                aif_err *err);

/* The memory of one GPU of s's deployment; AIF_EINPUT when the weights, or the
 * weights with one iteration's activations, do not fit, naming the numbers. */
aif_rc aif_serve_memory_eval(const aif_scenario *s, aif_serve_memory *m, aif_err *err);
/* ------------------------------------------------ the capacity plan */

/* `aifsim infer plan`: for each candidate deployment shape (a GPU kind, tp, the
 * weights' precision), the fewest replicas whose simulated p99 latencies meet every
 * target of serve.slo at serve.qps, and what that costs; ranked cheapest first. */
#define AIF_PLAN_MAX 1024
#define AIF_PLAN_MAX_TP 8
#define AIF_PLAN_MAX_PREC 3
#define AIF_PLAN_MAX_EP 4
#define AIF_PLAN_MAX_SPLIT 4

typedef struct aif_plan_opts {
    int tps[AIF_PLAN_MAX_TP], n_tp;           /* tp values tried (0: powers of two up to a node's GPUs) */
    int precisions[AIF_PLAN_MAX_PREC], n_prec; /* aif_prec of the weights (0: the scenario's) */
    int eps[AIF_PLAN_MAX_EP], n_ep;           /* ep values tried, 0 meaning ep = tp (none: the scenario's ep) */
    int splits[AIF_PLAN_MAX_SPLIT][2], n_split; /* prefill:decode ratios tried, {0, 0} colocated (none: colocated) */
    int max_gpus;                             /* largest deployment tried (0: 1,024 GPUs) */
    void (*progress)(double done, void *ctx); /* share of the candidates done */
    void *progress_ctx;
} aif_plan_opts;

typedef struct aif_plan_candidate {
    char gpu[AIF_NAME_MAX], system[AIF_NAME_MAX];
    int tp, precision;            /* aif_prec */
    int ep;                       /* expert parallelism of a replica */
    int split_p, split_d;         /* disaggregated: prefill:decode replicas in that ratio (0:0 colocated);
                                     `replicas` is then units x (split_p + split_d) */
    bool valid;                   /* the shape runs at all (memory, divisibility); else why */
    bool meets;                   /* `replicas` meet every target */
    char why[320];                /* not valid: the reason; not meeting: the best reached */
    int replicas, gpus;           /* meets: the fewest that do; else the most tried */
    int sims;                     /* deployments simulated for this candidate */
    double ttft_p99_s, tpot_p99_s, e2e_p99_s, slo_goodput, throughput_tokens_per_s;
    double usd_per_million_tokens, usd_per_million_tokens_rented, joules_per_token;
    bool price_known, power_known, cloud_price_known;
} aif_plan_candidate;

typedef struct aif_serve_plan {
    aif_scenario scenario;        /* the first candidate GPU's scenario, as given (for the header) */
    int n;                        /* candidates, ranked: meeting first, then cheapest per token */
    aif_plan_candidate c[AIF_PLAN_MAX];
    int n_meeting;
    int sims;                     /* deployments simulated in all */
    aif_run_class classes[AIF_SERVE_CLASSES_MAX];   /* the published runs like the best (c[0] when it
                                                       meets every target; aif_serve_classes) */
    int n_classes;
} aif_serve_plan;

/* Plans a deployment: scenarios[g] is the scenario loaded with candidate GPU kind g
 * (the shapes: GPU kind x tp x weight precision x ep x prefill:decode split)
 * (cluster.gpu set, so its system and calibration come from the catalog); each needs
 * server mode (serve.qps > 0) and at least one target in serve.slo.  For each shape
 * the replica count is found by doubling and then bisecting (assuming more replicas
 * never make the p99s worse).  out is large (~100 KB): allocate it. */
aif_rc aif_plan_serve(const aif_catalog *c, const aif_scenario *const *scenarios, int n_scenarios,
                      const aif_plan_opts *o, aif_serve_plan *out, aif_err *err);

/* The serve section's defaults (server mode, tp 1, bf16, poisson, 1,000 requests of
 * 1,024 input and 256 output tokens at 1 qps, max batch 256, budget 8,192). */
void aif_serve_defaults(aif_serve *sv);

#ifdef __cplusplus
}
#endif
#endif /* AIFSIM_SERVE_H */
#endif /* AIFSIM_SERVE_SPEC_ONLY */
