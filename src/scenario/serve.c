/* serve.c -- the scenario's `serve:` section into aif_serve (include/aifsim/serve.h).
 *
 *   serve: {replicas, tp, pp, ep, precision: bf16|fp8|fp4, kv_precision,
 *           weight_precision, expert_precision, expert_weight_precision,
 *           mode: server|offline, qps, arrival: poisson | {dist: poisson|gamma, cv},
 *           requests, input_tokens: N | {dist, mean, max}, output_tokens: (same),
 *           trace: FILE (Azure CSV or Mooncake JSONL, relative to the scenario file),
 *           max_batch, token_budget, chunked_prefill, dp_attention, redundant_experts,
 *           prefix_caching,
 *           router: round-robin|least-outstanding|cache-aware, admission: evict|no_evict|sglang,
 *           overlap_schedule,
 *           preemption: recompute|swap, host_link, concurrency,
 *           gpu_memory_fraction, kv_memory: hbm|free, window_cache: window|full,
 *           slo: {ttft_p99, tpot_p99, e2e_p99}, seed,
 *           speculative: {tokens, acceptance, draft_layers},
 *           disaggregate: {prefill, decode},
 *           agentic: {calls, system_prompt, tool_latency, max_context, retrieval: {bytes}}}
 * (retrieval reads from the cluster's storage tier: its time is fixed here, once the
 * replicas are known)
 *
 * Invariants after a successful bind: tp, pp, ep >= 1; tp divides the attention
 * heads, and the key/value heads or is a multiple of them (not checked under
 * dp_attention, where every GPU holds whole heads); ep divides tp and the
 * model's experts with their redundant copies (ep 1 for a dense model); dp_attention only on a mixture of
 * experts with ep = tp and pp 1; replicas x tp x pp <= cluster.gpus;
 * the precisions are ones the GPU has; token_budget >= max_batch when prefill is
 * chunked.  The trace is only named here: aif_run_serve reads it. */
#include "scenario/serve.h"
#include "base/base.h"

#include <stdio.h>
#include <string.h>

const char *const aif_serve_mode_names[] = {"server", "offline", NULL};
const char *const aif_arrival_names[] = {"poisson", "gamma", NULL};
const char *const aif_len_dist_names[] = {"fixed", "uniform", "exponential", "lognormal", NULL};
const char *const aif_router_names[] = {"round-robin", "least-outstanding", "cache-aware", NULL};
const char *const aif_serve_admission_names[] = {"evict", "no_evict", "sglang", NULL};
const char *const aif_serve_kv_memory_names[] = {"hbm", "free", NULL};
const char *const aif_serve_window_cache_names[] = {"window", "full", NULL};
const char *const aif_serve_preemption_names[] = {"recompute", "swap", NULL};

int aif_serve_weight_prec(const aif_serve *sv) { return sv->weight_precision >= 0 ? sv->weight_precision : sv->precision; }

int aif_serve_expert_prec(const aif_serve *sv) { return sv->expert_precision >= 0 ? sv->expert_precision : sv->precision; }

int aif_serve_expert_weight_prec(const aif_serve *sv)
{
    if (sv->expert_weight_precision >= 0)
        return sv->expert_weight_precision;
    int w = aif_serve_weight_prec(sv), e = aif_serve_expert_prec(sv);
    return w > e ? w : e;   /* the narrower (aif_prec runs from wide to narrow) */
}

void aif_serve_defaults(aif_serve *sv)
{
    memset(sv, 0, sizeof *sv);
    sv->tp = sv->pp = sv->ep = 1;
    sv->precision = AIF_BF16;
    sv->kv_precision = -1;
    sv->weight_precision = sv->expert_precision = sv->expert_weight_precision = -1;
    sv->mode = AIF_SERVE_SERVER;
    sv->qps = 1;
    sv->arrival = AIF_ARRIVAL_POISSON;
    sv->arrival_cv = 1;
    sv->requests = 1000;
    sv->input_tokens = (aif_len_spec){AIF_LEN_FIXED, 1024, 1 << 20};
    sv->output_tokens = (aif_len_spec){AIF_LEN_FIXED, 256, 1 << 20};
    sv->max_batch = 256;
    sv->token_budget = 8192;
    sv->chunked_prefill = true;
    sv->prefix_caching = true;
    sv->router = AIF_ROUTER_LEAST_OUTSTANDING;
    sv->gpu_memory_fraction = 0.9;
    sv->seed = 1;
    sv->spec.acceptance = 0.7;
    sv->agentic.system_prompt = 2000;
    sv->agentic.tool_latency_s = 2;
    sv->agentic.max_context = 131072;
    sv->spec.draft_layers = 1;
}

static const char *const prec_near[] = {"fp16", "bf16", "half", "bf16", "float16", "bf16", "fp8e4m3", "fp8",
                                        "e4m3", "fp8", "nvfp4", "fp4", "mxfp4", "fp4", NULL};
#define SERVE_PRECS (1u << AIF_BF16 | 1u << AIF_FP8 | 1u << AIF_FP4)

static const field len_fields[] = {
    {.key = "dist", .type = F_ENUM, .off = offsetof(aif_len_spec, dist), .names = aif_len_dist_names},
    {.key = "mean", .type = F_NUM, .off = offsetof(aif_len_spec, mean), .min = 1, .max = 1e8},
    {.key = "max", .type = F_INT, .off = offsetof(aif_len_spec, max), .min = 1, .max = 100000000},
};
static const schema len_schema = {len_fields, sizeof len_fields / sizeof len_fields[0], NULL};

typedef struct arrival_in { int dist; double cv; } arrival_in;
static const field arrival_fields[] = {
    {.key = "dist", .type = F_ENUM, .off = offsetof(arrival_in, dist), .names = aif_arrival_names},
    {.key = "cv", .type = F_NUM, .off = offsetof(arrival_in, cv), .min = 0.01, .max = 100},
};
static const schema arrival_schema = {arrival_fields, sizeof arrival_fields / sizeof arrival_fields[0], NULL};

static const field slo_fields[] = {
    {.key = "ttft_p99", .type = F_QTY, .off = offsetof(aif_slo, ttft_s), .qty = AIF_Q_TIME, .max = 1e7},
    {.key = "tpot_p99", .type = F_QTY, .off = offsetof(aif_slo, tpot_s), .qty = AIF_Q_TIME, .max = 1e7},
    {.key = "e2e_p99", .type = F_QTY, .off = offsetof(aif_slo, e2e_s), .qty = AIF_Q_TIME, .max = 1e7},
};
static const schema slo_schema = {slo_fields, sizeof slo_fields / sizeof slo_fields[0], NULL};

typedef struct spec_t { int tokens; double acceptance; int draft_layers; } spec_t;
static const field spec_fields[] = {
    {.key = "tokens", .type = F_INT, .off = offsetof(spec_t, tokens), .min = 0, .max = 16},
    {.key = "acceptance", .type = F_NUM, .off = offsetof(spec_t, acceptance), .min = 0, .max = 1},
    {.key = "draft_layers", .type = F_INT, .off = offsetof(spec_t, draft_layers), .min = 1, .max = 64},
};
static const schema spec_schema = {spec_fields, sizeof spec_fields / sizeof spec_fields[0], NULL};

typedef struct agentic_t {
    int calls; int system_prompt; double tool_latency_s; int max_context;
    double retrieval_bytes, retrieval_s;
} agentic_t;
static const field retrieval_fields[] = {
    {.key = "bytes", .type = F_QTY, .off = 0, .qty = AIF_Q_BYTES, .min = 1, .max = 1e15},
};
static const schema retrieval_schema = {retrieval_fields, 1, NULL};
static const field agentic_fields[] = {
    {.key = "calls", .type = F_INT, .off = offsetof(agentic_t, calls), .min = 1, .max = 100000},
    {.key = "system_prompt", .type = F_INT, .off = offsetof(agentic_t, system_prompt), .min = 0, .max = 10000000},
    {.key = "tool_latency", .type = F_QTY, .off = offsetof(agentic_t, tool_latency_s), .qty = AIF_Q_TIME, .max = 1e6},
    {.key = "max_context", .type = F_INT, .off = offsetof(agentic_t, max_context), .min = 1, .max = 100000000},
    {.key = "retrieval", .type = F_SUB, .off = offsetof(agentic_t, retrieval_bytes), .sub = &retrieval_schema},
};
static const schema agentic_schema = {agentic_fields, sizeof agentic_fields / sizeof agentic_fields[0], NULL};

typedef struct disagg_t { int prefill, decode; } disagg_t;
static const field disagg_fields[] = {
    {.key = "prefill", .type = F_INT, .off = offsetof(disagg_t, prefill), .min = 1, .max = 1000000},
    {.key = "decode", .type = F_INT, .off = offsetof(disagg_t, decode), .min = 1, .max = 1000000},
};
static const schema disagg_schema = {disagg_fields, sizeof disagg_fields / sizeof disagg_fields[0], NULL};

enum { S_REPLICAS, S_TP, S_PP, S_EP, S_PREC, S_KVPREC, S_MODE, S_QPS, S_REQ, S_TRACE, S_MAXB, S_BUDGET };
static const field serve_fields[] = {
    {.key = "replicas", .type = F_INT, .off = offsetof(aif_serve, replicas), .min = 1, .max = 1000000},
    {.key = "tp", .type = F_INT, .off = offsetof(aif_serve, tp), .min = 1, .max = 4096},
    {.key = "pp", .type = F_INT, .off = offsetof(aif_serve, pp), .min = 1, .max = 1024},
    {.key = "ep", .type = F_INT, .off = offsetof(aif_serve, ep), .min = 1, .max = 4096},
    {.key = "precision", .type = F_ENUM, .off = offsetof(aif_serve, precision), .names = aif_prec_names,
     .accept = SERVE_PRECS, .near = prec_near},
    {.key = "kv_precision", .type = F_ENUM, .off = offsetof(aif_serve, kv_precision), .names = aif_prec_names,
     .accept = SERVE_PRECS, .near = prec_near},
    {.key = "weight_precision", .type = F_ENUM, .off = offsetof(aif_serve, weight_precision), .names = aif_prec_names,
     .accept = SERVE_PRECS, .near = prec_near},
    {.key = "expert_precision", .type = F_ENUM, .off = offsetof(aif_serve, expert_precision), .names = aif_prec_names,
     .accept = SERVE_PRECS, .near = prec_near},
    {.key = "expert_weight_precision", .type = F_ENUM, .off = offsetof(aif_serve, expert_weight_precision),
     .names = aif_prec_names, .accept = SERVE_PRECS, .near = prec_near},
    {.key = "mode", .type = F_ENUM, .off = offsetof(aif_serve, mode), .names = aif_serve_mode_names},
    {.key = "qps", .type = F_NUM, .off = offsetof(aif_serve, qps), .min = 1e-9, .max = 1e9},
    {.key = "requests", .type = F_INT, .off = offsetof(aif_serve, requests), .min = 1, .max = 100000000},
    FLD(aif_serve, "trace", F_STR, trace),
    {.key = "max_batch", .type = F_INT, .off = offsetof(aif_serve, max_batch), .min = 1, .max = 1000000},
    {.key = "token_budget", .type = F_INT, .off = offsetof(aif_serve, token_budget), .min = 1, .max = 100000000},
    FLD(aif_serve, "chunked_prefill", F_BOOL, chunked_prefill),
    FLD(aif_serve, "dp_attention", F_BOOL, dp_attention),
    {.key = "redundant_experts", .type = F_INT, .off = offsetof(aif_serve, redundant_experts), .min = 0,
     .max = 100000},
    FLD(aif_serve, "prefix_caching", F_BOOL, prefix_caching),
    {.key = "router", .type = F_ENUM, .off = offsetof(aif_serve, router), .names = aif_router_names},
    {.key = "admission", .type = F_ENUM, .off = offsetof(aif_serve, admission), .names = aif_serve_admission_names},
    {.key = "preemption", .type = F_ENUM, .off = offsetof(aif_serve, preemption), .names = aif_serve_preemption_names},
    FLD(aif_serve, "overlap_schedule", F_BOOL, overlap_schedule),
    {.key = "host_link", .type = F_QTY, .off = offsetof(aif_serve, host_link_Bps), .qty = AIF_Q_BW, .min = 1e6,
     .max = 1e14},
    {.key = "concurrency", .type = F_INT, .off = offsetof(aif_serve, concurrency), .min = 1, .max = 10000000},
    {.key = "gpu_memory_fraction", .type = F_NUM, .off = offsetof(aif_serve, gpu_memory_fraction), .min = 0.05,
     .max = 1},
    {.key = "kv_memory", .type = F_ENUM, .off = offsetof(aif_serve, kv_memory), .names = aif_serve_kv_memory_names},
    {.key = "window_cache", .type = F_ENUM, .off = offsetof(aif_serve, window_cache),
     .names = aif_serve_window_cache_names},
    {.key = "slo", .type = F_SUB, .off = offsetof(aif_serve, slo), .sub = &slo_schema},
    {.key = "speculative", .type = F_SUB, .off = offsetof(aif_serve, spec), .sub = &spec_schema},
    {.key = "disaggregate", .type = F_SUB, .off = offsetof(aif_serve, disagg), .sub = &disagg_schema},
    {.key = "agentic", .type = F_SUB, .off = offsetof(aif_serve, agentic), .sub = &agentic_schema},
    {.key = "daily_start_hour", .type = F_NUM, .off = offsetof(aif_serve, daily_start_hour), .min = 0, .max = 23.999},
    {.key = "seed", .type = F_INT, .off = offsetof(aif_serve, seed), .min = 0, .max = 4294967295.0},
};
static const char *const serve_skip[] = {"arrival", "input_tokens", "output_tokens", "daily_curve", NULL};
static const schema serve_schema = {serve_fields, sizeof serve_fields / sizeof serve_fields[0], serve_skip};

/* A length: a number (fixed) or {dist, mean, max}. */
static aif_rc bind_len(const bind_ctx *bc, const ynode *n, const char *path, aif_len_spec *out)
{
    if (!n)
        return AIF_OK;
    if (n->kind == Y_MAP)
        return bind_map(bc, n, &len_schema, out, path, NULL);
    const field f = {.key = "mean", .type = F_NUM, .off = offsetof(aif_len_spec, mean), .min = 1, .max = 1e8};
    out->dist = AIF_LEN_FIXED;
    return bind_value(bc, n, &f, out, path);
}

static aif_rc bind_arrival(const bind_ctx *bc, const ynode *n, aif_serve *sv)
{
    if (!n)
        return AIF_OK;
    arrival_in a = {sv->arrival, sv->arrival_cv};
    if (n->kind == Y_MAP) {
        aif_rc rc = bind_map(bc, n, &arrival_schema, &a, "serve.arrival", NULL);
        if (rc)
            return rc;
    } else {
        const field f = {.key = "dist", .type = F_ENUM, .off = offsetof(arrival_in, dist), .names = aif_arrival_names};
        aif_rc rc = bind_value(bc, n, &f, &a, "serve.arrival");
        if (rc)
            return rc;
    }
    sv->arrival = a.dist;
    sv->arrival_cv = a.dist == AIF_ARRIVAL_POISSON ? 1 : a.cv;
    return AIF_OK;
}

static aif_rc check(const bind_ctx *bc, const ynode *sn, aif_scenario *s, uint64_t set)
{
    aif_serve *sv = &s->serve;
    const aif_model *m = &s->model;
    const aif_gpu *g = &s->cluster.gpu;
    const ynode *at;
#define AT(key) (at = sn ? ynode_get(sn, key) : NULL, at ? at : sn)
#define FAIL(key, ...) bind_error(bc, AT(key), "serve." key, __VA_ARGS__)
    if (sv->ep > 1 && m->moe.experts == 0)
        return FAIL("ep", "ep %d needs a mixture-of-experts model; %s is dense (ep 1)", sv->ep, m->name);
    if (sv->tp % sv->ep)
        return FAIL("ep", "ep %d does not divide tp %d (the expert layers split the tp ranks as ep x expert tp)",
                    sv->ep, sv->tp);
    if (sv->redundant_experts > 0 && !m->moe.experts)
        return FAIL("redundant_experts", "redundant experts copy a mixture of experts' experts; %s is dense",
                    m->name);
    if (m->moe.experts && sv->redundant_experts == 0 && m->moe.experts % sv->ep)
        return FAIL("ep", "ep %d does not divide the %d experts of %s", sv->ep, m->moe.experts, m->name);
    if (m->moe.experts && (m->moe.experts + sv->redundant_experts) % sv->ep)
        return FAIL("ep", "ep %d does not divide the %d experts of %s and their %d redundant copies (%d slots)",
                    sv->ep, m->moe.experts, m->name, sv->redundant_experts, m->moe.experts + sv->redundant_experts);
    int kvh = m->kv_heads > 0 ? m->kv_heads : m->heads;
    if (sv->dp_attention) {   /* whole heads on every GPU: the head checks below do not apply */
        if (!m->moe.experts)
            return FAIL("dp_attention", "data-parallel attention spreads a mixture of experts' experts over the "
                        "replica; %s is dense (use replicas of tp 1 instead)", m->name);
        if (sv->ep != sv->tp)
            return FAIL("ep", "with dp_attention the experts spread over every GPU of the replica: ep %d must equal "
                        "tp %d", sv->ep, sv->tp);
        if (sv->pp != 1)
            return FAIL("pp", "dp_attention runs one stage (pp 1), not pp %d", sv->pp);
    } else if (m->heads % sv->tp)
        return FAIL("tp", "tp %d does not divide the %d attention heads of %s", sv->tp, m->heads, m->name);
    if (!sv->dp_attention && m->attention != AIF_ATTN_MLA && (kvh >= sv->tp ? kvh % sv->tp : sv->tp % kvh))
        return FAIL("tp", "tp %d and the %d key/value heads of %s: one must divide the other (each GPU holds whole "
                    "heads, replicated when tp exceeds them)", sv->tp, kvh, m->name);
    if (sv->pp > m->layers)
        return FAIL("pp", "pp %d is more stages than the %d layers of %s", sv->pp, m->layers, m->name);
    if (sv->kv_precision < 0)   /* fp4 weights keep an fp8 cache, as NVFP4 checkpoints state (docs/SERVING.md) */
        sv->kv_precision = sv->precision == AIF_FP4 ? AIF_FP8 : sv->precision;
    if (g->peak_flops[sv->precision] <= 0)
        return FAIL("precision", "%s has no %s tensor cores (it has:%s%s%s)", g->name, aif_prec_names[sv->precision],
                    g->peak_flops[AIF_BF16] > 0 ? " bf16" : "", g->peak_flops[AIF_FP8] > 0 ? " fp8" : "",
                    g->peak_flops[AIF_FP4] > 0 ? " fp4" : "");
    if (sv->kv_precision == AIF_FP4 && g->peak_flops[AIF_FP4] <= 0)
        return FAIL("kv_precision", "%s has no fp4 support for an fp4 KV cache (accepted here: bf16, fp8)", g->name);
    if (sv->expert_precision >= 0 && !m->moe.experts)
        return FAIL("expert_precision", "%s is dense: it has no routed experts to run at their own precision (use "
                    "weight_precision for weight-only quantization)", m->name);
    if (sv->expert_weight_precision >= 0 && !m->moe.experts)
        return FAIL("expert_weight_precision", "%s is dense: it has no routed experts to store at their own "
                    "precision (use weight_precision for weight-only quantization)", m->name);
    int ep_ = aif_serve_expert_prec(sv);
    if (g->peak_flops[ep_] <= 0)
        return FAIL("expert_precision", "%s has no %s tensor cores for the experts' GEMMs (it has:%s%s%s)", g->name,
                    aif_prec_names[ep_], g->peak_flops[AIF_BF16] > 0 ? " bf16" : "",
                    g->peak_flops[AIF_FP8] > 0 ? " fp8" : "", g->peak_flops[AIF_FP4] > 0 ? " fp4" : "");
    /* aif_prec runs from wide to narrow: bf16 < fp8 < fp4 */
    if (aif_serve_weight_prec(sv) < sv->precision)
        return FAIL("weight_precision", "weights in %s are wider than the GEMMs' %s: weights are stored no wider "
                    "than their math runs (accepted: %s or narrower)", aif_prec_names[aif_serve_weight_prec(sv)],
                    aif_prec_names[sv->precision], aif_prec_names[sv->precision]);
    if (aif_serve_expert_weight_prec(sv) < ep_)
        return FAIL("expert_weight_precision", "expert weights in %s are wider than the experts' %s GEMMs "
                    "(serve.expert_precision, else serve.precision): accepted %s or narrower",
                    aif_prec_names[aif_serve_expert_weight_prec(sv)], aif_prec_names[ep_], aif_prec_names[ep_]);
    long long per = (long long)sv->tp * sv->pp;
    if ((sv->disagg.prefill > 0) != (sv->disagg.decode > 0))
        return FAIL("disaggregate", "disaggregation needs both pools: prefill and decode replicas, e.g. "
                    "{prefill: 1, decode: 3}");
    if (sv->disagg.prefill > 0) {
        long long pools = (long long)sv->disagg.prefill + sv->disagg.decode;
        if ((set & (1u << S_REPLICAS)) && sv->replicas != pools)
            return FAIL("replicas", "replicas %d is not prefill %d + decode %d (leave replicas out with disaggregate)",
                        sv->replicas, sv->disagg.prefill, sv->disagg.decode);
        if (pools > 1000000)
            return FAIL("disaggregate", "%lld replicas, at most 1000000", pools);
        sv->replicas = (int)pools;
        set |= 1u << S_REPLICAS;
    }
    if (!(set & (1u << S_REPLICAS))) {
        if (per > s->cluster.gpus)
            return FAIL("tp", "a replica of tp %d x pp %d needs %lld GPUs; the cluster has %d", sv->tp, sv->pp, per,
                        s->cluster.gpus);
        sv->replicas = (int)(s->cluster.gpus / per);
    }
    if (per * sv->replicas > s->cluster.gpus)
        return FAIL("replicas", "%d replicas of tp %d x pp %d need %lld GPUs; the cluster has %d (cluster.gpus)",
                    sv->replicas, sv->tp, sv->pp, per * sv->replicas, s->cluster.gpus);
    if (sv->chunked_prefill && sv->token_budget < sv->max_batch && (set & (1u << S_BUDGET)))
        return FAIL("token_budget", "token_budget %d is smaller than max_batch %d: a full batch of decodes "
                    "would not fit (accepted: at least max_batch)", sv->token_budget, sv->max_batch);
    if (sv->token_budget < sv->max_batch)
        sv->token_budget = sv->max_batch;
    if (sv->agentic.calls > 0 && sv->trace[0])
        return FAIL("agentic", "agentic sessions are generated, not read from a trace: leave out serve.trace");
    if (sv->agentic.calls > 0 && sv->mode != AIF_SERVE_SERVER)
        return FAIL("agentic", "agentic sessions arrive at serve.qps and wait on their tools: they need mode server");
    if (sv->concurrency > 0 && sv->agentic.calls > 0)
        return FAIL("concurrency", "a closed loop of clients and agentic sessions both decide when calls arrive: "
                    "leave out one of serve.concurrency and serve.agentic");
    if (sv->concurrency > 0 && sv->n_curve > 0)
        return FAIL("concurrency", "a closed loop's clients send on completions, not on a daily curve: leave out "
                    "serve.daily_curve");
    if (sv->host_link_Bps <= 0) {   /* the GPU's link to host memory, each way (docs/SERVING.md cites them) */
        int grace = !strncmp(g->name, "gb", 2) || !strncmp(g->name, "gh", 2);
        sv->host_link_Bps = grace ? 450e9 : !strcmp(g->arch, "ampere") ? 32e9 : 64e9;
    }
    if (sv->preemption == AIF_PREEMPT_SWAP && sv->admission == AIF_ADMIT_NO_EVICT)
        return FAIL("preemption", "admission no_evict never preempts, so there is nothing to swap (accepted with "
                    "no_evict: recompute)");
    if (sv->admission == AIF_ADMIT_SGLANG) {   /* what its scheduler model here leaves out (docs/SERVING.md) */
        if (sv->preemption == AIF_PREEMPT_SWAP)
            return FAIL("preemption", "admission sglang retracts requests and recomputes them, as SGLang does "
                        "(accepted with sglang: recompute)");
        if (sv->spec.tokens > 0)
            return FAIL("admission", "admission sglang is modelled without speculative decoding (accepted with "
                        "serve.speculative: evict or no_evict)");
        if (sv->disagg.prefill > 0)
            return FAIL("admission", "admission sglang is modelled without disaggregation (accepted with "
                        "serve.disaggregate: evict or no_evict)");
    }
    if (sv->n_curve > 0 && (sv->mode != AIF_SERVE_SERVER || sv->trace[0]))
        return FAIL("daily_curve", "a daily curve shapes synthetic arrivals at serve.qps: it needs mode server and no "
                    "trace");
    if (sv->trace[0] && !(set & (1u << S_REQ)))
        sv->requests = 0;   /* a trace replays all its requests unless told fewer */
    if (sv->input_tokens.max < 1 || sv->output_tokens.max < 1)
        return FAIL("input_tokens", "max must be at least 1");
#undef FAIL
#undef AT
    return AIF_OK;
}

/* serve.daily_curve: 24 non-negative hourly weights, at least one above zero. */
static aif_rc bind_curve(const bind_ctx *bc, const ynode *n, aif_serve *sv)
{
    if (!n)
        return AIF_OK;
    if (n->kind != Y_SEQ || n->n != 24)
        return bind_error(bc, n, "serve.daily_curve", "expected a list of 24 hourly weights (hour 0 to 23), e.g. "
                          "[0.4, 0.3, ..., 1.6]; got %s", n->kind == Y_SEQ ? "another count" : "no list");
    double sum = 0;
    for (int h = 0; h < 24; h++) {
        const ynode *v = n->kids[h];
        double x;
        char why[160];
        if (v->kind != Y_SCALAR || aif_parse_qty(v->s, AIF_Q_FRACTION, &x, why, sizeof why) != 0 || !(x >= 0) ||
            x > 1e6)
            return bind_error(bc, v, "serve.daily_curve", "hour %d: '%s' is not a weight (accepted: a number from "
                              "0 to 1e6)", h, v->kind == Y_SCALAR ? v->s : "(not a number)");
        sv->curve[h] = x;
        sum += x;
    }
    if (!(sum > 0))
        return bind_error(bc, n, "serve.daily_curve", "every hour is 0: no request would arrive");
    sv->n_curve = 24;
    return AIF_OK;
}

/* serve.agentic.retrieval: each tool call reads `bytes` from the cluster's storage tier,
 * whose aggregate read bandwidth the replicas share evenly: latency + bytes / share. */
static aif_rc retrieval(const bind_ctx *bc, const ynode *sn, aif_scenario *s)
{
    aif_serve *sv = &s->serve;
    const aif_cluster *cl = &s->cluster;
    sv->agentic.retrieval_s = 0;
    if (sv->agentic.retrieval_bytes <= 0)
        return AIF_OK;
    const ynode *an = sn ? ynode_get(sn, "agentic") : NULL, *rn = an ? ynode_get(an, "retrieval") : NULL;
    if (cl->storage_units <= 0)
        return bind_error(bc, rn ? rn : sn, "serve.agentic.retrieval", "retrieval reads from the cluster's storage "
                          "tier: name one as cluster.storage: {kind: NAME, units: N} (aifsim catalog storage)");
    if (sv->agentic.calls <= 0)
        return bind_error(bc, rn ? rn : sn, "serve.agentic.retrieval", "retrieval happens in an agent's tool calls: "
                          "give serve.agentic.calls too");
    double share_Bps = cl->storage_units * cl->storage.read_bw_Bps / (sv->replicas > 0 ? sv->replicas : 1);
    sv->agentic.retrieval_s = cl->storage.latency_s + sv->agentic.retrieval_bytes / share_Bps;
    return AIF_OK;
}

aif_rc aif_serve_bind(const bind_ctx *bc, aif_scenario *s, const ynode *sn)
{
    aif_serve *sv = &s->serve;
    aif_serve_defaults(sv);
    sv->present = sn != NULL;
    uint64_t set = 0;
    if (sn) {
        aif_rc rc = bind_map(bc, sn, &serve_schema, sv, "serve", &set);
        if (!rc)
            rc = bind_arrival(bc, ynode_get(sn, "arrival"), sv);
        if (!rc)
            rc = bind_len(bc, ynode_get(sn, "input_tokens"), "serve.input_tokens", &sv->input_tokens);
        if (!rc)
            rc = bind_len(bc, ynode_get(sn, "output_tokens"), "serve.output_tokens", &sv->output_tokens);
        if (!rc)
            rc = bind_curve(bc, ynode_get(sn, "daily_curve"), sv);
        if (rc)
            return rc;
        const ynode *tr = ynode_get(sn, "trace");
        if (tr && sv->trace[0]) {
            char full[sizeof sv->trace];
            if (aif_resolve_path(tr->origin, sv->trace, full, sizeof full))
                return bind_error(bc, tr, "serve.trace", "path too long (at most %zu characters)", sizeof full - 1);
            aif_strlcpy(sv->trace, full, sizeof sv->trace);
        }
    }
    aif_rc rc = check(bc, sn, s, set);
    return rc ? rc : retrieval(bc, sn, s);
}
