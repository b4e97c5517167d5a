/* test_serve.c -- inference serving: the iteration model against a freshly
 * lowered graph and against a decode iteration worked out by hand, memory and
 * its refusals, trace parsing and its errors at their lines, the scheduler's
 * KV-cache bound, and the queueing properties a serving simulator must keep
 * (Little's law, latency unbounded past capacity, more replicas lower TTFT,
 * offline throughput monotone in HBM bandwidth, determinism with a seed), and
 * the no_evict admission (no preemption, reservations that fit, exactly as many
 * requests admitted as their prompt and output blocks allow), and data-parallel
 * attention with wide expert parallelism (its memory and a decode by hand). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/report.h"
#include "aifsim/serve.h"
#include "hw/compute.h"
#include "serve/replica.h"
#include "serve/requests.h"
#include "serve/sim.h"
#include "workload/lower_serve.h"
#include "workload/transformer.h"
#include "hand_roofline.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define SECTIONS (AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE)

static aif_rc parse(aif_scenario *s, const char *yaml, aif_err *e)
{
    return aif_scenario_parse_sections(cat, yaml, strlen(yaml), "test", NULL, 0, SECTIONS, s, e);
}

static void load(aif_scenario *s, const char *yaml)
{
    aif_err e;
    if (parse(s, yaml, &e) != AIF_OK) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

static void run(const aif_scenario *s, const aif_serve_opts *o, aif_serve_run *out)
{
    aif_err e;
    if (aif_run_serve(cat, s, o, out, &e) != AIF_OK) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

/* A small deployment that runs in milliseconds: Llama 3 8B on one H100. */
static const char *SMALL = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                           "serve: {tp: 1, replicas: 1, requests: 300, input_tokens: 512, output_tokens: 64, seed: 3}\n";

/* ---- the iteration model */

/* A random batch of the model's window (0: none), its window sums filled as the scheduler fills them. */
static void random_batch(aif_rng *g, aif_serve_batch *b, int budget, double window)
{
    memset(b, 0, sizeof *b);
    int dec = (int)(aif_rng_uniform(g) * 200);
    for (int i = 0; i < dec; i++)
        aif_serve_batch_add_decode(b, 1 + floor(aif_rng_uniform(g) * 8000), window);
    int left = budget - dec;
    while (left > 0 && aif_rng_uniform(g) < 0.7) {
        double c = 1 + floor(aif_rng_uniform(g) * (left < 3000 ? left : 3000));
        double p = floor(aif_rng_uniform(g) * 4000);
        aif_serve_batch_add_prefill(b, p, c, aif_rng_uniform(g) < 0.5, window);
        left -= (int)c;
    }
}

static void check_fast_equals_fresh(const char *yaml)
{
    aif_scenario s;
    load(&s, yaml);
    aif_serve_model sm;
    aif_err e;
    assert_int_equal(aif_serve_model_init(&sm, &s, 8192 + 256, &e), AIF_OK);
    aif_rng g;
    aif_rng_seed(&g, 11);
    int windowed = 0;
    for (int i = 0; i < 60; i++) {
        aif_serve_batch b;
        random_batch(&g, &b, 8192, s.model.sliding_window);
        if (b.prefill_tokens + b.decode_seqs == 0)
            aif_serve_batch_add_decode(&b, 100, s.model.sliding_window);
        windowed += b.decode_win_kv_tokens > 0 && b.prefill_win_pairs > 0;
        aif_serve_time fast, fresh;
        assert_int_equal(aif_serve_model_time(&sm, &b, &fast, &e), AIF_OK);
        aif_graph gr;
        assert_int_equal(aif_serve_lower_batch(&s, &b, &gr, &e), AIF_OK);
        aif_serve_graph_time(&s, &gr, &fresh);
        aif_graph_free(&gr);
        if (fabs(fast.total_s - fresh.total_s) > 1e-9 * fresh.total_s)
            fail_msg("%s batch %d: fast %.15g s, fresh graph %.15g s", s.model.name, i, fast.total_s, fresh.total_s);
        assert_true(fabs(fast.compute_s - fresh.compute_s) <= 1e-9 * fresh.total_s);
        assert_true(fabs(fast.memory_s - fresh.memory_s) <= 1e-9 * fresh.total_s);
        assert_true(fabs(fast.comm_s - fresh.comm_s) <= 1e-9 * fresh.total_s);
        assert_true(fabs(fast.compute_s + fast.memory_s + fast.comm_s - fast.total_s) <= 1e-9 * fast.total_s);
    }
    assert_true(s.model.sliding_window ? windowed > 30 : windowed == 0);   /* a window model's batches use it */
    aif_serve_model_free(&sm);
}

/* The memoised evaluator equals lowering and timing a fresh graph, for a dense
 * model on tensor parallelism, a MoE with expert parallelism, an MLA model on
 * two pipeline stages in fp8, and an MLA MoE with data-parallel attention. */
static void test_fast_equals_fresh_graph(void **state)
{
    (void)state;
    check_fast_equals_fresh("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\nserve: {tp: 8, precision: fp8}\n");
    check_fast_equals_fresh("cluster: {system: dgx-h100, gpus: 8}\nmodel: mixtral-8x7b\nserve: {tp: 4, ep: 2}\n");
    check_fast_equals_fresh("cluster: {system: dgx-h200, gpus: 16}\nmodel: deepseek-v3\n"
                            "serve: {tp: 8, pp: 2, ep: 8, precision: fp8}\n");
    /* data-parallel attention with the experts over two nodes */
    check_fast_equals_fresh("cluster: {system: dgx-h100, gpus: 16}\nmodel: deepseek-v3\n"
                            "serve: {tp: 16, ep: 16, dp_attention: true, precision: fp8}\n");
}

/* A MoE layer reads the weights of the experts its tokens reach: one token of
 * DeepSeek-V3 (top 8 of 256, 32 experts per GPU at ep 8) reaches one local expert on
 * average; 4,096 tokens reach all 32. */
static double expert_gemms(const aif_scenario *s, double tokens)
{
    aif_serve_batch b = {.decode_seqs = tokens, .decode_kv_tokens = tokens * 100};
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_serve_lower_batch(s, &b, &g, &e), AIF_OK);
    double n = -1;
    for (int i = 0; i < g.n_ops && n < 0; i++)
        if (!strcmp(g.ops[i].name, "expert.fc1"))
            n = g.ops[i].batch;
    aif_graph_free(&g);
    return n;
}

static void test_moe_active_experts(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h200, gpus: 16}\nmodel: deepseek-v3\n"
             "serve: {tp: 8, pp: 2, ep: 8, precision: fp8}\n");
    assert_true(fabs(expert_gemms(&s, 1) - 1) < 1e-12);
    assert_true(fabs(expert_gemms(&s, 4096) - 32) < 1e-6);
    assert_true(expert_gemms(&s, 16) > 1 && expert_gemms(&s, 16) < 16);
}

/* A decode iteration of Llama 3 8B in bf16 on one H100, worked out from the
 * roofline equations (src/hw/compute.h): 32 sequences of 1,000 to 4,100 cached
 * tokens each add one token. */
static void test_hand_decode_dense(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {tp: 1}\n");
    const aif_gpu *gpu = &s.cluster.gpu;
    const aif_calib *c = &gpu->calib;
    double D = 32, h = 4096, heads = 32, kvh = 8, hd = 128, ffn = 14336, vocab = 128256, L = 32;
    double keys = 0;
    for (int i = 0; i < 32; i++)
        keys += 1000 + 100 * i;   /* the KV length of each sequence, its new token included */
    aif_serve_batch b = {.decode_seqs = D, .decode_kv_tokens = keys};
    double kv_tok = 2 * kvh * hd * 2;   /* bytes of one token's K and V in one layer, bf16 */
    double attn_flops = 2 * heads * keys * (hd + hd);
    double attn_bytes = keys * kv_tok + D * heads * 2 * hd * 2;
    double kv_len = keys / D;
    double h_d = (hd / (hd + c->attn_hd_half)) / (128.0 / (128.0 + c->attn_hd_half));
    double t_attn_c = attn_flops / (gpu->peak_flops[AIF_BF16] * c->attn_fwd_eff * kv_len / (kv_len + c->attn_kv_half) * h_d);
    double t_attn = fmax(t_attn_c, attn_bytes / (gpu->hbm_bw_Bps * c->mem_eff)) + c->kernel_overhead_s;
    assert_true(attn_bytes / (gpu->hbm_bw_Bps * c->mem_eff) > t_attn_c);   /* decode attention reads the cache */
    double layer = hand_mem(gpu, D * h * 4) + hand_gemm(gpu, D, (heads + 2 * kvh) * hd, h, NULL) +
                   hand_mem(gpu, D * kv_tok) + t_attn + hand_gemm(gpu, D, h, heads * hd, NULL) +
                   hand_mem(gpu, D * h * 4) + hand_gemm(gpu, D, 2 * ffn, h, NULL) + hand_mem(gpu, D * ffn * 2 * 3) +
                   hand_gemm(gpu, D, h, ffn, NULL);
    double edge = hand_mem(gpu, D * h * 4) + hand_mem(gpu, D * h * 4) + hand_gemm(gpu, D, vocab, h, NULL) +
                  hand_mem(gpu, D * vocab * 4);
    double expect = L * layer + edge;
    aif_serve_model sm;
    aif_err e;
    assert_int_equal(aif_serve_model_init(&sm, &s, 1024, &e), AIF_OK);
    aif_serve_time t;
    assert_int_equal(aif_serve_model_time(&sm, &b, &t, &e), AIF_OK);
    aif_serve_model_free(&sm);
    if (fabs(t.total_s - expect) > 1e-9 * expect)
        fail_msg("decode iteration %.12g s, by hand %.12g s", t.total_s, expect);
    /* the weights alone bound it from below: 8B parameters of bf16 read once */
    assert_true(t.total_s > 2 * aif_model_params(&s.model) / gpu->hbm_bw_Bps);
    assert_true(t.comm_s == 0);
}

/* ---- memory */

/* A GEMM split along K and bound by its bytes, its partial sums included, is memory time in
 * the iteration's split (and so in the power model): a decode qkv of 64 sequences of Llama 3
 * 70B at tp 8 on H100 in bf16, 5 tiles of 128 x 256 on 132 SMs. */
static void test_split_gemm_is_memory_time(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\nserve: {tp: 8, precision: bf16}\n");
    const aif_gpu *gpu = &s.cluster.gpu;
    const aif_calib *c = &gpu->calib;
    aif_graph g;
    aif_err e;
    aif_graph_init(&g);
    assert_int_equal(aif_graph_seg_begin(&g, AIF_SSEG_DENSE, "one gemm"), 0);
    aif_graph_add_gemm(&g, "qkv", AIF_CAT_COMPUTE, 64, 1280, 8192, 1, 0);
    aif_graph_seg_end(&g);
    assert_int_equal(aif_graph_finish(&g, &e), AIF_OK);
    const aif_op *o = &g.ops[0];
    double rate = gpu->peak_flops[AIF_BF16] * c->matmul_eff;
    int split = aif_gemm_split_k(gpu, o, 5, rate);
    assert_true(split > 1);
    double ks = 8192.0 / split;
    double t_c = o->flops / (rate * split * 5 / c->n_sm * ks / (ks + c->matmul_k_half));
    double t_m = (o->bytes + 8.0 * 64 * 1280 * split) / (gpu->hbm_bw_Bps * c->mem_eff);
    assert_true(t_m > t_c);   /* bound by its bytes once split */
    assert_true(o->bytes / (gpu->hbm_bw_Bps * c->mem_eff) < t_c);   /* not by the operands alone */
    aif_serve_time t;
    aif_serve_graph_time(&s, &g, &t);
    aif_graph_free(&g);
    assert_true(fabs(t.total_s - (t_m + 2 * c->kernel_overhead_s)) <= 1e-12 * t.total_s);
    assert_true(t.memory_s == t.total_s && t.compute_s == 0);
}

static void test_memory(void **state)
{
    (void)state;
    aif_scenario s;
    aif_serve_memory m;
    aif_err e;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\nserve: {tp: 8, precision: fp8}\n");
    assert_int_equal(aif_serve_memory_eval(&s, &m, &e), AIF_OK);
    /* GQA: 8 kv heads over tp 8 = one per GPU; 80 layers; fp8 */
    assert_true(m.kv_bytes_per_token == 80 * 2 * 1 * 128 * 1);
    assert_true(fabs(m.weights_bytes - aif_model_params(&s.model) / 8) < 1);
    assert_true(m.kv_blocks == (long)(m.kv_capacity_bytes / (16 * m.kv_bytes_per_token)));
    assert_true(m.kv_capacity_bytes + m.weights_bytes + m.activations_bytes + m.workspace_bytes <= m.hbm_bytes);
    /* MLA caches the compressed latent, the same on every tp rank */
    load(&s, "cluster: {system: dgx-h200, gpus: 16}\nmodel: deepseek-v3\nserve: {tp: 8, pp: 2, ep: 8, precision: fp8}\n");
    assert_int_equal(aif_serve_memory_eval(&s, &m, &e), AIF_OK);
    assert_true(m.kv_bytes_per_token == (512 + 64) * 1.0 * 31);   /* the busiest of 2 stages: 31 of 61 layers */

    /* weights larger than HBM: refused, naming both numbers */
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-405b\nserve: {tp: 1}\n");
    assert_int_equal(aif_serve_memory_eval(&s, &m, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "GB per GPU"));
    assert_non_null(strstr(e.msg, "85.5 GB"));   /* the H100's 81559 MiB */
    char want[32];
    snprintf(want, sizeof want, "%.1f GB", aif_model_params(&s.model) * 2 / 1e9);
    assert_non_null(strstr(e.msg, want));
    aif_serve_run r;
    assert_int_equal(aif_run_serve(cat, &s, NULL, &r, &e), AIF_EINPUT);
}

/* serve.kv_memory free (TensorRT-LLM's KV-cache sizing): the cache takes
 * gpu_memory_fraction of what the weights, activations and workspace left, by hand;
 * the same GPU under hbm (vLLM's rule, the default) keeps 0.1 x (those) less.  On
 * Llama 3.3 70B fp8 over two H100s with 5,000/500-token requests (a closed loop of
 * 100 that fills the cache) free holds 81 whole requests' reservations where hbm
 * holds 73, so fewer wait and TTFT falls (the NIM rows of validation/infer.csv:
 * 85 decoding, from throughput x ITL). */
static void test_kv_memory_free(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_serve_memory mh, mf;
    aif_err e;
    const char *y = "cluster: {gpu: h100-sxm, gpus: 2}\nmodel: llama3-70b\n"
                    "serve: {tp: 2, precision: fp8, admission: no_evict, input_tokens: 5000, output_tokens: 500,"
                    " concurrency: 100, requests: 600}\n";
    load(&s, y);
    assert_int_equal(s.serve.kv_memory, AIF_KV_MEMORY_HBM);   /* the default */
    assert_int_equal(aif_serve_memory_eval(&s, &mh, &e), AIF_OK);
    static aif_serve_run rh, rf;
    run(&s, NULL, &rh);
    aif_override ov[] = {{"serve.kv_memory", "free", "--set"}};
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "t", ov, 1, SECTIONS, &s, &e), AIF_OK);
    assert_int_equal(s.serve.kv_memory, AIF_KV_MEMORY_FREE);
    assert_int_equal(aif_serve_memory_eval(&s, &mf, &e), AIF_OK);
    double engine = mf.weights_bytes + mf.activations_bytes + mf.workspace_bytes;
    double hbm = s.cluster.gpu.hbm_bytes;
    assert_true(hbm == 81559.0 * 1048576);
    assert_true(fabs(mf.kv_capacity_bytes - 0.9 * (hbm - engine)) < 1);
    assert_true(fabs(mh.kv_capacity_bytes - (0.9 * hbm - engine)) < 1);
    assert_true(fabs(mf.kv_capacity_bytes - mh.kv_capacity_bytes - 0.1 * engine) < 1);
    assert_true(mf.kv_blocks == (long)(mf.kv_capacity_bytes / (16 * mf.kv_bytes_per_token)));
    assert_int_equal(mh.kv_blocks / 344, 84);   /* ceil(5500 / 16) = 344 blocks a request */
    assert_int_equal(mf.kv_blocks / 344, 92);
    run(&s, NULL, &rf);
    assert_true(rf.serve.mean_batch > rh.serve.mean_batch);
    assert_true(rf.serve.ttft.mean_s < 0.8 * rh.serve.ttft.mean_s);
    /* a misspelt value: did-you-mean at its field */
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {kv_memory: fre}\n",
                           &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.kv_memory");
    assert_non_null(strstr(e.msg, "hbm, free"));
    /* nothing left free: the shortfall as it is, not a share of a negative free memory
     * (which once printed 89.1 GB "usable" of 80) */
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {kv_memory: free, token_budget: 2000000}\n", &e), AIF_OK);
    assert_int_equal(aif_serve_memory_eval(&s, &mf, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "exceed its 85.5 GB of HBM by"));
    assert_null(strstr(e.msg, "usable"));
}

/* ---- the serve section */

static void test_section_errors(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {tpp: 2}\n", &e),
                     AIF_EINPUT);
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "tp"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: mixtral-8x7b\nserve: {tp: 4, ep: 3}\n",
                           &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.ep");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {tp: 3}\n", &e),
                     AIF_EINPUT);
    assert_non_null(strstr(e.msg, "tp 3 does not divide the 32 attention heads"));
    assert_int_equal(e.line, 3);
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {precision: fp4}\n",
                           &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "fp4"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {tp: 4, replicas: 3}\n",
                           &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "12 GPUs"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {output_tokens: {dist: normal, mean: 5}}\n", &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "lognormal"));
    /* replicas fill the cluster by default; a length is a number or {dist, mean, max} */
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 2, input_tokens: 100, output_tokens: {dist: exponential, mean: 50, max: 400},"
             " arrival: {dist: gamma, cv: 4}, slo: {ttft_p99: 2s, tpot_p99: 50ms}}\n");
    assert_int_equal(s.serve.replicas, 4);
    assert_int_equal(s.serve.input_tokens.dist, AIF_LEN_FIXED);
    assert_true(s.serve.input_tokens.mean == 100);
    assert_int_equal(s.serve.output_tokens.dist, AIF_LEN_EXPONENTIAL);
    assert_int_equal(s.serve.output_tokens.max, 400);
    assert_int_equal(s.serve.arrival, AIF_ARRIVAL_GAMMA);
    assert_true(s.serve.arrival_cv == 4);
    assert_true(fabs(s.serve.slo.tpot_s - 0.05) < 1e-12);
    /* every field settable by an override */
    aif_override ov[] = {{"serve.qps", "7", "--qps"}, {"serve.router", "round-robin", "--set"}};
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "t", ov, 2, SECTIONS, &s, &e), AIF_OK);
    assert_true(s.serve.qps == 7);
    assert_int_equal(s.serve.router, AIF_ROUTER_ROUND_ROBIN);
}

/* ---- requests and traces */

static void expect_trace_error(const char *text, int line, const char *words)
{
    aif_req_stream rq;
    aif_err e;
    assert_int_equal(aif_requests_parse(text, strlen(text), "t.trace", 0, &rq, &e), AIF_EINPUT);
    if (e.line != line || !strstr(e.msg, words))
        fail_msg("expected line %d with '%s', got line %d: %s", line, words, e.line, e.msg);
    assert_string_equal(e.file, "t.trace");
}

static void test_traces(void **state)
{
    (void)state;
    aif_req_stream rq;
    aif_err e;
    const char *az = "TIMESTAMP,ContextTokens,GeneratedTokens\r\n"
                     "2023-11-16 18:15:46.6805900,374,44\r\n"
                     "2023-11-16 18:15:50.9951690,396,109\r\n"
                     "2023-11-16 18:16:00.0000000+00:00,1000,1\r\n";
    assert_int_equal(aif_requests_parse(az, strlen(az), "az.csv", 0, &rq, &e), AIF_OK);
    assert_int_equal(rq.n, 3);
    assert_true(rq.r[0].arrival_s == 0);
    assert_true(fabs(rq.r[1].arrival_s - 4.314579) < 1e-6);
    assert_true(fabs(rq.r[2].arrival_s - 13.31941) < 1e-5);
    assert_int_equal(rq.r[1].input, 396);
    assert_int_equal(rq.r[1].output, 109);
    aif_requests_free(&rq);
    const char *mc = "{\"timestamp\": 27482, \"input_length\": 6955, \"output_length\": 52, \"hash_ids\": [46, 47]}\n"
                     "{\"timestamp\": 30535, \"input_length\": 6472, \"output_length\": 26, \"hash_ids\": [46, 52]}\n";
    assert_int_equal(aif_requests_parse(mc, strlen(mc), "mc.jsonl", 0, &rq, &e), AIF_OK);
    assert_int_equal(rq.n, 2);
    assert_true(fabs(rq.r[1].arrival_s - 3.053) < 1e-9);
    assert_int_equal(rq.r[1].n_hash, 2);
    assert_true(rq.hash[rq.r[1].hash_first] == 46 && rq.hash[rq.r[1].hash_first + 1] == 52);
    aif_requests_free(&rq);

    expect_trace_error("TIMESTAMP,Context,Generated\n1,2,3\n", 1, "header");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n0,10,10\n1,10\n", 3, "2 fields");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n0,10,10\n1,10,10\nyesterday,1,1\n", 4, "timestamp");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n5,10,10\n4,10,10\n", 3, "back in time");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n5,10,0\n", 2, "output length");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n5,ten,3\n", 2, "ContextTokens 'ten'");
    expect_trace_error("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 5}\n{\"timestamp\": 2,\n", 2,
                       "not a JSON object");
    expect_trace_error("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 5}\n\n"
                       "{\"timestamp\": 2, \"output_length\": 5}\n", 3, "input_length");
    expect_trace_error("{\"timestamp\": 1, \"input_length\": 5, \"output_length\": 5, \"hash_ids\": 7}\n", 1,
                       "hash_ids");
    /* found by fuzz_trace: a timestamp that overflows to infinity made every arrival NaN */
    expect_trace_error("{\"timestamp\": 1e3080, \"input_length\": 5, \"output_length\": 5}\n"
                       "{\"timestamp\": 250, \"input_length\": 5, \"output_length\": 5}\n", 1, "not a finite time");
    expect_trace_error("TIMESTAMP,ContextTokens,GeneratedTokens\n0,10,10\n1e400,10,10\n", 3, "timestamp");
}

/* Synthetic streams: the mean of the arrivals and lengths is what was asked. */
static void test_synthetic(void **state)
{
    (void)state;
    aif_serve sv;
    aif_serve_defaults(&sv);
    sv.requests = 20000;
    sv.qps = 5;
    sv.arrival = AIF_ARRIVAL_GAMMA;
    sv.arrival_cv = 3;
    sv.input_tokens = (aif_len_spec){AIF_LEN_LOGNORMAL, 1000, 1000000};
    sv.output_tokens = (aif_len_spec){AIF_LEN_UNIFORM, 100, 1000000};
    aif_req_stream rq;
    aif_err e;
    assert_int_equal(aif_requests_synth(&sv, &rq, &e), AIF_OK);
    double in = 0, out = 0, gap2 = 0;
    for (long i = 0; i < rq.n; i++) {
        in += rq.r[i].input;
        out += rq.r[i].output;
        assert_true(rq.r[i].output >= 1 && rq.r[i].output <= 199);
        if (i) {
            double g = rq.r[i].arrival_s - rq.r[i - 1].arrival_s;
            assert_true(g >= 0);
            gap2 += g * g;
        }
    }
    double mean_gap = rq.r[rq.n - 1].arrival_s / (rq.n - 1);
    double cv = sqrt(gap2 / (rq.n - 1) - mean_gap * mean_gap) / mean_gap;
    assert_true(fabs(mean_gap - 0.2) < 0.02);
    assert_true(fabs(cv - 3) < 0.4);
    assert_true(fabs(in / rq.n - 1000) < 50);
    assert_true(fabs(out / rq.n - 100) < 3);
    aif_requests_free(&rq);
}

/* ---- the simulation */

typedef struct kv_watch { long iterations, over, max_used, blocks; } kv_watch;
static void watch(const aif_serve_iter *it, void *ctx)
{
    kv_watch *w = ctx;
    w->iterations++;
    w->over += it->kv_blocks_used > it->kv_blocks;
    if (it->kv_blocks_used > w->max_used)
        w->max_used = it->kv_blocks_used;
    w->blocks = it->kv_blocks;
}

/* A cache held tight (a small share of HBM) by long requests: it fills, requests
 * are preempted, and no iteration ever holds more blocks than there are. */
static void test_kv_never_exceeds(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 1, replicas: 1, mode: offline, requests: 200, gpu_memory_fraction: 0.27,"
             " input_tokens: {dist: uniform, mean: 3000, max: 8000}, output_tokens: {dist: uniform, mean: 1500}}\n");
    kv_watch w = {0};
    aif_serve_opts o = {.on_iteration = watch, .iteration_ctx = &w};
    static aif_serve_run r;
    run(&s, &o, &r);
    assert_true(w.iterations == r.serve.iterations && w.iterations > 100);
    assert_int_equal(w.over, 0);
    assert_true(r.serve.preemptions > 0);
    assert_true(w.max_used <= w.blocks);
    assert_true(r.serve.kv_cache_peak_fraction > 0.9 && r.serve.kv_cache_peak_fraction <= 1);
    assert_true(r.serve.prefill_tokens > r.serve.input_tokens);   /* recompute after preemption */
}

/* gpt-oss on a tight cache (window layers counted per layer): under each admission rule
 * (evict, with recompute and with swap; no_evict; sglang) and with unchunked prefill, no
 * iteration holds more blocks than there are, evict preempts and no_evict never does, and
 * every request ends; caching every token of the window layers instead preempts far more.  A request longer than the cache holds is refused by name, also when
 * every layer is windowed and its prompt is one chunk; one a window as long as itself fits
 * as under full attention. */
static void test_window_tight_cache(void **state)
{
    (void)state;
    const char *base = "cluster: {system: hgx-b200, gpus: 1}\nmodel: gpt-oss-120b\n"
                       "serve: {tp: 1, replicas: 1, precision: fp4, mode: offline, requests: 120, "
                       "gpu_memory_fraction: 0.325, input_tokens: {dist: uniform, mean: 6000, max: 12000}, "
                       "output_tokens: {dist: uniform, mean: 2000}, %s}\n";
    const char *modes[] = {"admission: evict", "admission: evict, preemption: swap", "admission: no_evict",
                           "admission: sglang", "admission: evict, chunked_prefill: false"};
    for (size_t k = 0; k < sizeof modes / sizeof *modes; k++) {
        char y[600];
        snprintf(y, sizeof y, base, modes[k]);
        aif_scenario s;
        load(&s, y);
        kv_watch w = {0};
        aif_serve_opts o = {.on_iteration = watch, .iteration_ctx = &w};
        static aif_serve_run r;
        run(&s, &o, &r);
        if (w.over || w.max_used > w.blocks)
            fail_msg("%s: %ld iterations over the cache, most %ld of %ld", modes[k], w.over, w.max_used, w.blocks);
        assert_int_equal(r.serve.requests, 120);
        assert_true(r.serve.kv_cache_peak_fraction > 0.5 && r.serve.kv_cache_peak_fraction <= 1);
        if (k == 0) {
            assert_true(r.serve.preemptions > 0);
            /* the same load with the window layers caching every token (serve.window_cache full):
             * the cache binds twice as hard, more preemptions and a slower run */
            static aif_serve_run rf;
            s.serve.window_cache = AIF_WINDOW_CACHE_FULL;
            run(&s, NULL, &rf);
            assert_true(rf.serve.preemptions > 10 * r.serve.preemptions);
            assert_true(rf.serve.throughput_tokens_per_s < 0.5 * r.serve.throughput_tokens_per_s);
        }
        if (k == 2)
            assert_int_equal(r.serve.preemptions, 0);
    }
    aif_scenario s;
    aif_err e;
    static aif_serve_run r;
    const char *one = "cluster: {system: hgx-b200, gpus: 1}\nmodel: gpt-oss-120b\n"
                      "serve: {tp: 1, replicas: 1, precision: fp4, mode: offline, requests: 1, output_tokens: 16, "
                      "gpu_memory_fraction: 0.34, input_tokens: %d, chunked_prefill: %s}\n";
    char y[400];
    snprintf(y, sizeof y, one, 60000, "true");
    load(&s, y);
    s.model.sliding_window = 131072;   /* as long as the request: full attention's cache */
    run(&s, NULL, &r);
    s.model.sliding_window = 100000000;
    run(&s, NULL, &r);
    snprintf(y, sizeof y, one, 400000, "false");
    load(&s, y);
    s.model.full_attention_every = 0;   /* every layer windowed, the prompt one chunk */
    assert_int_equal(aif_run_serve(cat, &s, NULL, &r, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.input_tokens");
    assert_non_null(strstr(e.msg, "window layers"));
    snprintf(y, sizeof y, one, 400000, "true");
    load(&s, y);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &r, &e), AIF_EINPUT);   /* full layers hold every token */
    assert_non_null(strstr(e.msg, "18 full layers"));
    /* a short prompt and a long output, unchunked: without recompute (no_evict, swap) its
     * largest chunk is its prompt, and it runs; evict, which may recompute prompt and output
     * as one chunk, refuses it */
    const char *lng = "cluster: {system: hgx-b200, gpus: 1}\nmodel: gpt-oss-120b\n"
                      "serve: {tp: 1, replicas: 1, precision: fp4, mode: offline, requests: 4, input_tokens: 1000, "
                      "output_tokens: 30000, gpu_memory_fraction: 0.3263, chunked_prefill: false, %s}\n";
    const char *ok[] = {"admission: no_evict", "preemption: swap"};
    for (int k = 0; k < 2; k++) {
        snprintf(y, sizeof y, lng, ok[k]);
        load(&s, y);
        run(&s, NULL, &r);
        assert_int_equal(r.serve.requests, 4);
    }
    snprintf(y, sizeof y, lng, "admission: evict");
    load(&s, y);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &r, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "largest chunk of 31000"));
}

/* serve.admission no_evict on the load above, which preempts under evict: nothing
 * is preempted, no prompt is recomputed, and no iteration holds more blocks than
 * there are. */
static void test_no_evict_never_preempts(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "serve: {tp: 1, replicas: 1, mode: offline, requests: 200, gpu_memory_fraction: 0.27,"
                    " input_tokens: {dist: uniform, mean: 3000, max: 8000}, output_tokens: {dist: uniform, mean: 1500}}\n";
    aif_scenario s;
    static aif_serve_run ev, ne;
    load(&s, y);
    assert_int_equal(s.serve.admission, AIF_ADMIT_EVICT);   /* the default */
    run(&s, NULL, &ev);
    assert_true(ev.serve.preemptions > 0);
    aif_override ov[] = {{"serve.admission", "no_evict", "--set"}};
    aif_err e;
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "t", ov, 1, SECTIONS, &s, &e), AIF_OK);
    assert_int_equal(s.serve.admission, AIF_ADMIT_NO_EVICT);
    kv_watch w = {0};
    aif_serve_opts o = {.on_iteration = watch, .iteration_ctx = &w};
    run(&s, &o, &ne);
    assert_true(w.iterations == ne.serve.iterations && w.iterations > 100);
    assert_int_equal(ne.serve.preemptions, 0);
    assert_int_equal(w.over, 0);
    assert_true(w.max_used <= w.blocks);
    assert_true(ne.serve.prefill_tokens == ne.serve.input_tokens);   /* no recompute */
    assert_true(ne.serve.requests == ev.serve.requests && ne.serve.output_tokens == ev.serve.output_tokens);
}

/* The field: a misspelt value is refused at its line with a did-you-mean. */
static void test_admission_field(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {admission: no_evcit}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.admission");
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.msg, "did you mean 'no_evict'"));
    assert_non_null(strstr(e.msg, "evict, no_evict"));
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {admission: no_evict}\n");
    assert_int_equal(s.serve.admission, AIF_ADMIT_NO_EVICT);
}

/* By hand: 10 blocks of 16 tokens, five requests of 40 prompt + 24 output tokens.
 * no_evict reserves ceil(64 / 16) = 4 blocks each, so exactly 2 are admitted (8
 * blocks; a third would need 12); evict takes ceil(40 / 16) = 3 blocks each and
 * admits 3 (9 blocks), which then outgrow the cache and preempt.  Run to the end,
 * no_evict never preempts and never holds more than 10 blocks. */
static long hand_run(bool no_evict, int *first_admitted, long *first_used)
{
    aif_req reqs[5];
    for (int i = 0; i < 5; i++)
        reqs[i] = (aif_req){.arrival_s = 0, .input = 40, .output = 24};
    aif_req_stream rq = {.r = reqs, .n = 5};
    aif_req_state st[5];
    memset(st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 1000, .chunked = true, .prefix = false, .no_evict = no_evict};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    assert_int_equal(aif_replica_init(&rp, 10, false, &e), AIF_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(aif_replica_enqueue(&rp, i, 0, &e), AIF_OK);
    int done[17], n_done = 0;
    double t_s = 0;
    for (int it = 0; n_done < 5; it++) {
        assert_true(it < 10000);
        assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, t_s, &e, &rc), 1);
        assert_int_equal(rc, AIF_OK);
        assert_true(rp.kv_used <= rp.kv_blocks);
        if (it == 0) {
            *first_admitted = rp.n_run;
            *first_used = rp.kv_used;
        }
        t_s += 1;
        n_done += aif_replica_finish(&rp, &cfg, &rq, st, t_s, done);
    }
    assert_int_equal(rp.kv_used, 0);
    long pre = rp.preemptions;
    aif_replica_free(&rp);
    return pre;
}

static void test_no_evict_by_hand(void **state)
{
    (void)state;
    int admitted;
    long used;
    assert_int_equal(hand_run(true, &admitted, &used), 0);
    assert_int_equal(admitted, 2);
    assert_int_equal(used, 8);
    assert_true(hand_run(false, &admitted, &used) > 0);
    assert_int_equal(admitted, 3);
    assert_int_equal(used, 9);
}

/* Sliding-window layers (model.sliding_window W): the batch's window sums against a
 * position-by-position count; aif_layer_windowed against the model's share. */
static void test_window_batch_sums(void **state)
{
    (void)state;
    const double W = 32;
    const double ps[] = {0, 5, 31, 32, 33, 100}, cs[] = {1, 7, 32, 40, 200};
    for (size_t i = 0; i < sizeof ps / sizeof *ps; i++)
        for (size_t j = 0; j < sizeof cs / sizeof *cs; j++) {
            aif_serve_batch b;
            memset(&b, 0, sizeof b);
            aif_serve_batch_add_prefill(&b, ps[i], cs[j], 1, W);
            double pairs = 0, full = 0, lo = ps[i] - W + 1;
            for (double t = ps[i]; t < ps[i] + cs[j]; t++) {
                pairs += t + 1 < W ? t + 1 : W;
                full += t + 1;
            }
            assert_true(b.prefill_win_pairs == pairs && b.prefill_pairs == full);
            assert_true(b.prefill_win_kv_tokens == ps[i] + cs[j] - (lo > 0 ? lo : 0));
            assert_true(b.prefill_tokens == cs[j] && b.prefill_kv_tokens == ps[i] + cs[j] && b.prefill_done == 1);
        }
    aif_serve_batch b;
    memset(&b, 0, sizeof b);
    aif_serve_batch_add_decode(&b, 10, W);
    aif_serve_batch_add_decode(&b, 1000, W);
    assert_true(b.decode_seqs == 2 && b.decode_kv_tokens == 1010 && b.decode_win_kv_tokens == 10 + 32);
    memset(&b, 0, sizeof b);
    aif_serve_batch_add_decode(&b, 1000, 0);   /* no window: the window fields stay 0 */
    aif_serve_batch_add_prefill(&b, 10, 10, 0, 0);
    assert_true(b.decode_win_kv_tokens == 0 && b.prefill_win_pairs == 0 && b.prefill_win_kv_tokens == 0);
    const aif_model *m = aif_catalog_find_model(cat, "gpt-oss-120b");
    assert_non_null(m);
    int n = 0;
    for (int l = 0; l < m->layers; l++)
        n += aif_layer_windowed(m, l);
    assert_int_equal(n, 18);   /* 36 layers alternating, the first windowed */
    assert_true(aif_layer_windowed(m, 0) && !aif_layer_windowed(m, 1));
    assert_true(n == m->layers * aif_model_window_share(m));
    int f, w;
    aif_serve_kv_layers(m, 1, &f, &w);
    assert_true(f == 18 && w == 18);
    /* four stages of 9: layers 0-8 hold 4 full and 5 window layers, 9-17 five full (9, 11, ..., 17)
     * and four window: a long sequence fills the second most */
    aif_serve_kv_layers(m, 4, &f, &w);
    assert_true(f == 5 && w == 4);
}

/* gpt-oss in serving: the fast evaluator equals a fresh graph (window and full layers);
 * a window layer's attention reads only its window: with every context within W the two
 * kinds of layer cost the same, past it the window layers' ops are smaller and the
 * iteration faster than the same batch with no window. */
static void test_window_attention(void **state)
{
    (void)state;
    const char *y = "cluster: {system: hgx-b200, gpus: 8}\nmodel: gpt-oss-120b\nserve: {tp: 1, precision: fp4}\n";
    check_fast_equals_fresh(y);
    aif_scenario s;
    load(&s, y);
    aif_err e;
    double t[2];
    for (int k = 0; k < 2; k++) {   /* 64 decodes at 100 keys (within W = 128), then at 4,000 */
        aif_serve_batch b;
        memset(&b, 0, sizeof b);
        for (int i = 0; i < 64; i++)
            aif_serve_batch_add_decode(&b, k ? 4000 : 100, s.model.sliding_window);
        aif_graph g;
        assert_int_equal(aif_serve_lower_batch(&s, &b, &g, &e), AIF_OK);
        double wf = 0, ff = 0;
        int nw = 0, nf = 0;
        for (int i = 0; i < g.n_ops; i++) {
            if (!strcmp(g.ops[i].name, "attn.window.decode"))
                wf += g.ops[i].flops, nw++;
            else if (!strcmp(g.ops[i].name, "attn.decode"))
                ff += g.ops[i].flops, nf++;
        }
        aif_graph_free(&g);
        assert_int_equal(nw, 18);
        assert_int_equal(nf, 18);
        if (k == 0)
            assert_true(wf == ff);
        else
            assert_true(fabs(wf / ff - 128.0 / 4000) < 1e-12);
        aif_serve_model sm;
        assert_int_equal(aif_serve_model_init(&sm, &s, 256, &e), AIF_OK);
        aif_serve_time tw, tn;
        assert_int_equal(aif_serve_model_time(&sm, &b, &tw, &e), AIF_OK);
        aif_serve_model_free(&sm);
        aif_scenario s0 = s;
        s0.model.sliding_window = 0;
        assert_int_equal(aif_serve_model_init(&sm, &s0, 256, &e), AIF_OK);
        assert_int_equal(aif_serve_model_time(&sm, &b, &tn, &e), AIF_OK);
        aif_serve_model_free(&sm);
        if (k == 0)
            assert_true(fabs(tw.total_s - tn.total_s) <= 1e-12 * tn.total_s);
        else
            assert_true(tw.total_s < tn.total_s);
        t[k] = tw.total_s;
    }
    assert_true(t[1] > t[0]);
}

/* The cache of window layers by hand: W = 32, one full and one window layer (blocks of one
 * layer: 100 blocks of 16 tokens of both become 200), one request of 40 prompt + 60 output
 * tokens.  After each iteration the sequence holds ceil(end / 16) blocks of the full layer
 * and, of the window layer, the blocks of the keys from the last query's window on,
 * counted here key by key; the batch's window keys are min(keys, 32).  No-evict reserves
 * a full layer's ceil(100 / 16) = 7 and a window layer's min(7, ceil(31 + 1000) / 16 + 1). */
static void test_window_cache_by_hand(void **state)
{
    (void)state;
    aif_req req = {.arrival_s = 0, .input = 40, .output = 60};
    aif_req_stream rq = {.r = &req, .n = 1};
    aif_req_state st;
    memset(&st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 1000, .chunked = true};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    assert_int_equal(aif_replica_init(&rp, 100, false, &e), AIF_OK);
    aif_replica_set_window(&rp, 32, 1, 1, 2);
    assert_int_equal(rp.kv_blocks, 200);
    assert_int_equal(aif_replica_enqueue(&rp, 0, 0, &e), AIF_OK);
    int done[2], n_done = 0, freed = 0;
    for (int it = 0; n_done < 1; it++) {
        assert_true(it < 100);
        int ctx = it == 0 ? 0 : rp.run[0].ctx;
        assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, &st, it, &e, &rc), 1);
        int end = it == 0 ? 40 : ctx + 1;
        long full = (end + 15) / 16, win = 0, last = -1;
        for (int k = ctx - 31 > 0 ? ctx - 31 : 0; k < end; k++)
            if (k / 16 != last)
                win++, last = k / 16;
        if (rp.kv_used != full + win)
            fail_msg("iteration %d (ctx %d): %ld blocks used, %ld by hand", it, ctx, rp.kv_used, full + win);
        freed |= win < full;
        if (it > 0)
            assert_true(rp.batch.decode_kv_tokens == ctx + 1 &&
                        rp.batch.decode_win_kv_tokens == (ctx + 1 < 32 ? ctx + 1 : 32));
        n_done += aif_replica_finish(&rp, &cfg, &rq, &st, it + 1, done);
    }
    assert_true(freed);
    assert_int_equal(rp.kv_used, 0);
    assert_int_equal(st.gen, 60);
    assert_true(aif_replica_cache_tokens(&rp, 100) == (100 + 32) / 2.0);
    aif_replica_free(&rp);
    assert_int_equal(aif_kv_reserve(1, 1, 32, 100, 1000), 7 + 7);
    assert_int_equal(aif_kv_reserve(1, 1, 32, 100000, 1000), 6250 + (1031 + 15) / 16 + 1);
    assert_int_equal(aif_kv_reserve(1, 1, 32, 100000, 40), 6250 + (71 + 15) / 16 + 1);   /* a short prompt's chunk */
    assert_int_equal(aif_kv_reserve(0, 0, 32, 100, 1000), 7);
    assert_true(aif_kv_layer_blocks(100, 36) == 3600);
    assert_true(aif_kv_layer_blocks(1000000000000000L, 80000) == LONG_MAX / 4);   /* held, not overflowed */
    /* the largest chunk: the prompt, a budget's worth when chunked, a verification's drafts + 1 */
    aif_sched_cfg c2 = {.token_budget = 1000, .chunked = true};
    assert_int_equal(aif_kv_chunk(&c2, 40), 40);
    assert_int_equal(aif_kv_chunk(&c2, 5000), 1000);
    c2.chunked = false;
    assert_int_equal(aif_kv_chunk(&c2, 5000), 5000);
    c2.spec_tokens = 7;
    assert_int_equal(aif_kv_chunk(&c2, 3), 8);
}

/* gpt-oss-120b offline on one B200: its window layers keep 128 tokens a sequence, so
 * the cache peaks lower and the run is faster than the same model with no window; the
 * memory names the window layers. */
static void test_window_serving_run(void **state)
{
    (void)state;
    const char *y = "cluster: {system: hgx-b200, gpus: 1}\nmodel: gpt-oss-120b\n"
                    "serve: {tp: 1, replicas: 1, precision: fp4, mode: offline, requests: 300, input_tokens: 8000, "
                    "output_tokens: 200, seed: 5}\n";
    aif_scenario s;
    load(&s, y);
    aif_serve_opts o = {0};
    static aif_serve_run rw, rn;
    run(&s, &o, &rw);
    assert_int_equal(rw.serve.mem.kv_window_layers, 18);
    s.model.sliding_window = 0;
    run(&s, &o, &rn);
    assert_int_equal(rn.serve.mem.kv_window_layers, 0);
    assert_true(rw.serve.mem.kv_blocks == rn.serve.mem.kv_blocks);
    assert_true(rw.serve.kv_cache_peak_fraction < 0.6 * rn.serve.kv_cache_peak_fraction);
    assert_true(rw.serve.throughput_tokens_per_s > rn.serve.throughput_tokens_per_s);
    /* serve.window_cache full: the window layers still attend their window but cache every
     * token, so the cache fills as the model's with no window; it binds nowhere here (at most
     * 55% full), so the run is as fast as with the window cached alone */
    static aif_serve_run rf;
    load(&s, y);
    s.serve.window_cache = AIF_WINDOW_CACHE_FULL;
    run(&s, &o, &rf);
    assert_int_equal(rf.serve.mem.kv_window_layers, 0);
    assert_true(fabs(rf.serve.kv_cache_peak_fraction - rn.serve.kv_cache_peak_fraction) <
                0.05 * rn.serve.kv_cache_peak_fraction);
    assert_true(rn.serve.kv_cache_peak_fraction < 0.6);
    assert_true(rf.serve.throughput_tokens_per_s == rw.serve.throughput_tokens_per_s);
}

/* Weight-only and expert quantization: the defaults (weights as the math, the experts'
 * weights the narrower of the two), the refusals by field, and what they change: gpt-oss's
 * memory by hand (routed experts at half a byte a weight, the rest at two), the expert
 * GEMMs at fp8's rate with fp4 weights read, the dense GEMMs untouched, and W4A16 on a
 * GPU without fp4 tensor cores. */
static void test_weight_and_expert_precision(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    const char *moe = "cluster: {system: hgx-b200, gpus: 8}\nmodel: gpt-oss-120b\n";
    char y[512];
    load(&s, "cluster: {system: hgx-b200, gpus: 8}\nmodel: gpt-oss-120b\nserve: {precision: fp8}\n");
    assert_int_equal(aif_serve_weight_prec(&s.serve), AIF_FP8);
    assert_int_equal(aif_serve_expert_prec(&s.serve), AIF_FP8);
    assert_int_equal(aif_serve_expert_weight_prec(&s.serve), AIF_FP8);
    snprintf(y, sizeof y, "%sserve: {precision: bf16, weight_precision: fp4, expert_precision: fp8}\n", moe);
    load(&s, y);
    assert_int_equal(aif_serve_expert_weight_prec(&s.serve), AIF_FP4);   /* the narrower of fp4 and fp8 */
    struct { const char *serve, *path, *msg; } bad[] = {
        {"{precision: fp8, weight_precision: bf16}", "serve.weight_precision", "wider than the GEMMs' fp8"},
        {"{expert_precision: fp8, expert_weight_precision: bf16}", "serve.expert_weight_precision",
         "wider than the experts' fp8"},
        {"{weight_precision: fp16x}", "serve.weight_precision", "bf16"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(y, sizeof y, "%sserve: %s\n", moe, bad[i].serve);
        assert_int_equal(parse(&s, y, &e), AIF_EINPUT);
        assert_string_equal(e.path, bad[i].path);
        if (!strstr(e.msg, bad[i].msg))
            fail_msg("%s: %s", bad[i].serve, e.msg);
        assert_int_equal(e.line, 3);
    }
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {expert_precision: fp8}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.expert_precision");
    assert_non_null(strstr(e.msg, "dense"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: gpt-oss-120b\n"
                               "serve: {expert_precision: fp4}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.expert_precision");
    assert_non_null(strstr(e.msg, "no fp4 tensor cores"));
    /* W4A16 on Hopper: fp4 weights stored, bf16 math */
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: gpt-oss-120b\nserve: {weight_precision: fp4}\n");
    /* gpt-oss on one B200: the routed experts' R parameters at 0.5 bytes, the other P - R at 2 */
    snprintf(y, sizeof y, "%sserve: {tp: 1, precision: bf16, expert_precision: fp8, expert_weight_precision: fp4}\n",
             moe);
    load(&s, y);
    aif_serve_memory mm;
    assert_int_equal(aif_serve_memory_eval(&s, &mm, &e), AIF_OK);
    aif_dims d;
    aif_model_dims(&s.model, &d);
    double R = (double)s.model.layers * s.model.moe.experts * d.expert_params, P = aif_model_params(&s.model);
    assert_true(fabs(mm.weights_bytes - ((P - R) * 2 + R * 0.5)) <= 1e-9 * mm.weights_bytes);
    assert_true(R > 0.9 * P);
    aif_serve_batch b = {.decode_seqs = 64, .decode_kv_tokens = 64 * 1000.0};
    aif_graph g;
    assert_int_equal(aif_serve_lower_batch(&s, &b, &g, &e), AIF_OK);
    int seen = 0;
    for (int i = 0; i < g.n_ops; i++) {
        const aif_op *o = &g.ops[i];
        if (!strcmp(o->name, "expert.fc1") && !seen++) {
            assert_int_equal(o->fp8, 1);   /* fp8 math */
            assert_true(fabs(o->bytes - (o->m * o->k * 1 + o->k * o->n * 0.5 + o->m * o->n * 2) * o->batch) <=
                        1e-9 * o->bytes);
        }
        if (!strcmp(o->name, "qkv"))
            assert_true(o->fp8 == 0 && fabs(o->bytes - (o->m * o->k * 2 + o->k * o->n * 2 + o->m * o->n * 2)) <=
                                           1e-9 * o->bytes);
    }
    aif_graph_free(&g);
    assert_true(seen == s.model.layers);
    check_fast_equals_fresh(y);
}

/* SGLang's admission by hand (replica.c's header): 10 blocks of 16 tokens (160
 * tokens), five requests of 40 prompt + 24 output tokens, ratio 0.7.
 *   iteration 0: the empty replica takes request 0 (3 blocks; reserved 40 + 24 = 64);
 *     request 1 needs 40 + 24 = 64 >= 7 x 16 - 64 = 48 free: it waits.
 *   iteration 1: request 0 decodes with 23 outputs left, reserved 23 x 0.7 = 16.1;
 *     request 1: 64 < 112 - 16.1 = 95.9, admitted (6 blocks used, reserved 80.1);
 *     request 2: 64 >= 64 - 80.1, waits.  The batch is that prefill alone: request
 *     0 does not decode in it.
 *   iteration 2: reserved 2 x 23 x 0.7 = 32.2; request 2: 64 >= 64 - 32.2, waits;
 *     the two decode, and the ratio decays once: 0.7 - (0.7 - 0.098) / 600.
 * Once all are done an idle schedule returns 0 and the ratio is 0.7 again. */
static void test_sglang_admission_by_hand(void **state)
{
    (void)state;
    aif_req reqs[5];
    for (int i = 0; i < 5; i++)
        reqs[i] = (aif_req){.arrival_s = 0, .input = 40, .output = 24};
    aif_req_stream rq = {.r = reqs, .n = 5};
    aif_req_state st[5];
    memset(st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 1000, .chunked = true, .sglang = true};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    assert_int_equal(aif_replica_init(&rp, 10, false, &e), AIF_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(aif_replica_enqueue(&rp, i, 0, &e), AIF_OK);
    int done[17], n_done = 0;
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 0, &e, &rc), 1);
    assert_int_equal(rp.n_run, 1);
    assert_int_equal(rp.kv_used, 3);
    assert_true(rp.batch.prefill_tokens == 40 && rp.batch.decode_seqs == 0);
    n_done += aif_replica_finish(&rp, &cfg, &rq, st, 1, done);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 1, &e, &rc), 1);
    assert_int_equal(rp.n_run, 2);
    assert_int_equal(rp.kv_used, 6);
    assert_int_equal(rp.batch_seqs, 1);   /* the prefill of request 1 alone */
    assert_true(rp.batch.prefill_tokens == 40 && rp.batch.decode_seqs == 0);
    assert_true(rp.new_token_ratio == 0.7);   /* a prefill batch leaves it */
    n_done += aif_replica_finish(&rp, &cfg, &rq, st, 2, done);
    assert_int_equal(st[0].gen, 1);   /* it waited through request 1's prefill */
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 2, &e, &rc), 1);
    assert_int_equal(rp.n_run, 2);
    assert_true(rp.batch.decode_seqs == 2 && rp.batch.prefill_tokens == 0);
    assert_true(fabs(rp.new_token_ratio - (0.7 - (0.7 - 0.7 * 0.14) / 600)) < 1e-12);
    double t_s = 3;
    for (int it = 0; n_done < 5; it++) {
        assert_true(it < 10000);
        n_done += aif_replica_finish(&rp, &cfg, &rq, st, t_s, done);
        if (n_done == 5)
            break;
        assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, t_s, &e, &rc), 1);
        assert_int_equal(rc, AIF_OK);
        assert_true(rp.kv_used <= rp.kv_blocks);
        t_s += 1;
    }
    assert_int_equal(rp.kv_used, 0);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, t_s, &e, &rc), 0);
    assert_true(rp.new_token_ratio == 0.7);
    aif_replica_free(&rp);
}

/* Retraction by hand: 8 blocks (128 tokens), two requests of 40 + 30 tokens, the
 * ratio at its floor 0.098 (as after 600 decode steps).
 *   iteration 0: request 0 alone (3 blocks); request 1: 70 >= 80 - 70, waits.
 *   iteration 1: reserved 29 x 0.098 = 2.842; request 1: 70 < 80 - 2.842, admitted.
 *   iterations 2-25: both decode in step (a 4th block each at context 49: 8 used).
 *   iteration 26: both at context 64 with 25 outputs need a 5th block, none is free:
 *     request 1 (the newest of equal outputs and prompts) is retracted, its 4 blocks
 *     freed; one decoding request is left, so no more; the ratio becomes
 *     min(1, (25 + 20 x 1) / (30 + 1)) = 1; request 0 decodes alone.
 * Then request 1 comes back (recomputing its 40 + 25 tokens) once request 0 ends. */
static void test_sglang_retract_by_hand(void **state)
{
    (void)state;
    aif_req reqs[2] = {{.arrival_s = 0, .input = 40, .output = 30}, {.arrival_s = 0, .input = 40, .output = 30}};
    aif_req_stream rq = {.r = reqs, .n = 2};
    aif_req_state st[2];
    memset(st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 1000, .chunked = true, .sglang = true};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    assert_int_equal(aif_replica_init(&rp, 8, false, &e), AIF_OK);
    rp.new_token_ratio = 0.7 * 0.14;
    for (int i = 0; i < 2; i++)
        assert_int_equal(aif_replica_enqueue(&rp, i, 0, &e), AIF_OK);
    int done[3], n_done = 0;
    for (int it = 0; it <= 26; it++) {
        assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, it, &e, &rc), 1);
        assert_int_equal(rc, AIF_OK);
        if (it == 0)
            assert_int_equal(rp.n_run, 1);
        if (it == 1)
            assert_true(rp.n_run == 2 && rp.batch_seqs == 1 && rp.batch.decode_seqs == 0);
        if (it == 25)
            assert_true(rp.kv_used == 8 && rp.preemptions == 0 && rp.batch.decode_seqs == 2);
        if (it < 26)
            n_done += aif_replica_finish(&rp, &cfg, &rq, st, it + 1, done);
    }
    assert_int_equal(n_done, 0);
    assert_int_equal(rp.preemptions, 1);
    assert_int_equal(rp.n_run, 1);
    assert_int_equal(rp.run[0].req, 0);
    assert_int_equal(rp.n_wait, 1);
    assert_int_equal(rp.wait[rp.wait_head], 1);
    assert_int_equal(rp.kv_used, 5);
    assert_true(rp.batch.decode_seqs == 1);
    assert_true(rp.new_token_ratio == 1.0);
    assert_int_equal(st[1].gen, 25);
    double t_s = 27;
    for (int it = 0; n_done < 2; it++) {
        assert_true(it < 1000);
        n_done += aif_replica_finish(&rp, &cfg, &rq, st, t_s, done);
        if (n_done == 2)
            break;
        assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, t_s, &e, &rc), 1);
        if (rp.batch.prefill_tokens > 0)   /* its readmission recomputes prompt and outputs */
            assert_true(rp.batch.prefill_tokens == 65 && rp.n_run == 1);
        t_s += 1;
    }
    assert_int_equal(rp.preemptions, 1);
    assert_int_equal(rp.kv_used, 0);
    assert_int_equal(st[1].gen, 30);
    aif_replica_free(&rp);
}

/* SGLang's chunks by hand: 10 blocks, a chunk budget of 32 tokens, requests of 40 + 8.
 *   iteration 0: request 0's first 32 prompt tokens (2 blocks); the budget is spent.
 *   iteration 1: its last 8 first (3 blocks, reserved 8 + 8 = 16), then request 1:
 *     40 + 8 = 48 < 7 x 16 - 16 = 96, admitted, chunked to the 24 tokens left (2 blocks).
 * Both batches are prefill alone. */
static void test_sglang_chunks_by_hand(void **state)
{
    (void)state;
    aif_req reqs[2] = {{.arrival_s = 0, .input = 40, .output = 8}, {.arrival_s = 0, .input = 40, .output = 8}};
    aif_req_stream rq = {.r = reqs, .n = 2};
    aif_req_state st[2];
    memset(st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 32, .chunked = true, .sglang = true};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    assert_int_equal(aif_replica_init(&rp, 10, false, &e), AIF_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(aif_replica_enqueue(&rp, i, 0, &e), AIF_OK);
    int done[3];
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 0, &e, &rc), 1);
    assert_true(rp.n_run == 1 && rp.kv_used == 2 && rp.batch.prefill_tokens == 32 && rp.batch.prefill_done == 0);
    assert_int_equal(aif_replica_finish(&rp, &cfg, &rq, st, 1, done), 0);
    assert_int_equal(st[0].gen, 0);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 1, &e, &rc), 1);
    assert_true(rp.n_run == 2 && rp.kv_used == 5 && rp.n_wait == 0);
    assert_true(rp.batch.prefill_tokens == 32 && rp.batch.prefill_done == 1 && rp.batch.decode_seqs == 0);
    assert_true(rp.run[0].chunk == 8 && rp.run[1].chunk == 24);
    aif_replica_finish(&rp, &cfg, &rq, st, 2, done);
    assert_true(st[0].gen == 1 && st[1].gen == 0);
    aif_replica_free(&rp);
}

/* The value and what it refuses: swap (SGLang recomputes), speculative decoding and
 * disaggregation (not modelled with it), each at its field. */
static void test_sglang_field(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {admission: sglang}\n");
    assert_int_equal(s.serve.admission, AIF_ADMIT_SGLANG);
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {admission: sglang, preemption: swap}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.preemption");
    assert_int_equal(e.line, 3);
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {admission: sglang, speculative: {tokens: 2}}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.admission");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {admission: sglang, disaggregate: {prefill: 1, decode: 1}}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.admission");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {admission: sglnag}\n", &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "did you mean 'sglang'"));
    /* the scheduler one batch ahead: a boolean, off by default */
    assert_false(s.serve.overlap_schedule);
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {admission: sglang, overlap_schedule: true}\n");
    assert_true(s.serve.overlap_schedule);
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {overlap_schedule: 2}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.overlap_schedule");
    assert_int_equal(e.line, 3);
}

/* On a whole run: a loaded replica under sglang keeps its cache within bounds,
 * finishes every request and never has more prefill and decode in one iteration. */
static int g_mixed;
static void on_iter_sglang(const aif_serve_iter *it, void *ctx)
{
    (void)ctx;
    if (it->decode_seqs > 0 && it->prefill_seqs > 0)
        g_mixed++;
}

static void test_sglang_run(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "serve: {tp: 1, replicas: 1, mode: offline, requests: 200, gpu_memory_fraction: 0.27,"
                    " input_tokens: {dist: uniform, mean: 3000, max: 8000}, output_tokens: {dist: uniform, mean: 1500}}\n";
    aif_scenario s;
    static aif_serve_run ev, sg;
    load(&s, y);
    run(&s, NULL, &ev);
    aif_override ov[] = {{"serve.admission", "sglang", "--set"}};
    aif_err e;
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "t", ov, 1, SECTIONS, &s, &e), AIF_OK);
    g_mixed = 0;
    aif_serve_opts o = {.on_iteration = on_iter_sglang};
    run(&s, &o, &sg);
    assert_int_equal(g_mixed, 0);
    assert_true(sg.serve.kv_cache_peak_fraction > 0 && sg.serve.kv_cache_peak_fraction <= 1);
    assert_true(sg.serve.requests == ev.serve.requests && sg.serve.output_tokens == ev.serve.output_tokens);
    /* it admits on the reserved outputs and runs its prefills apart: fewer sequences per iteration */
    assert_true(sg.serve.mean_batch < ev.serve.mean_batch);
}

/* Little's law: the time-average number in the system equals the throughput in
 * requests times the mean latency, and the throughput equals the offered rate
 * below capacity (within 10% for 2,000 Poisson arrivals). */
static void test_littles_law(void **state)
{
    (void)state;
    aif_scenario s;
    load(&s, SMALL);
    s.serve.requests = 2000;
    s.serve.qps = 4;
    static aif_serve_run r;
    run(&s, NULL, &r);
    const aif_serve_result *x = &r.serve;
    double L = x->mean_in_system, lw = x->requests_per_s * x->e2e.mean_s;
    if (fabs(L - lw) > 1e-6 * lw)
        fail_msg("mean in system %.9g, rate x latency %.9g", L, lw);
    assert_true(fabs(x->requests_per_s - 4) < 0.4);
    assert_true(fabs(L - 4 * x->e2e.mean_s) < 0.1 * L);
    assert_true(x->busy_fraction < 1);
}

static double offline_capacity(aif_scenario *s)
{
    static aif_serve_run r;
    aif_scenario o = *s;
    o.serve.mode = AIF_SERVE_OFFLINE;
    run(&o, NULL, &r);
    return r.serve.requests_per_s;
}

/* Past capacity the queue grows without bound: at twice the offline capacity the
 * p99 latency is far above the one at half of it, and grows with the number of
 * requests. */
static void test_past_capacity(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    double cap = offline_capacity(&s);
    static aif_serve_run lo, hi1, hi2;
    s.serve.qps = cap / 2;
    run(&s, NULL, &lo);
    s.serve.qps = 2 * cap;
    s.serve.requests = 300;
    run(&s, NULL, &hi1);
    s.serve.requests = 900;
    run(&s, NULL, &hi2);
    assert_true(hi1.serve.e2e.p99_s > 3 * lo.serve.e2e.p99_s);
    assert_true(hi2.serve.e2e.p99_s > 2 * hi1.serve.e2e.p99_s);
    assert_true(hi2.serve.queue.p99_s > 2 * hi1.serve.queue.p99_s);
}

/* Bursts hurt: at the same mean rate (70% of capacity), gamma arrivals with a
 * coefficient of variation of 4 queue longer than Poisson ones; and no load served
 * as it arrives outruns the same requests all queued at t = 0. */
static void test_bursty(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    double cap = offline_capacity(&s);
    s.serve.qps = 0.7 * cap;
    s.serve.requests = 1500;
    static aif_serve_run poisson, bursty;
    run(&s, NULL, &poisson);
    s.serve.arrival = AIF_ARRIVAL_GAMMA;
    s.serve.arrival_cv = 4;
    run(&s, NULL, &bursty);
    assert_true(bursty.serve.queue.p99_s > 2 * poisson.serve.queue.p99_s);
    assert_true(bursty.serve.ttft.p99_s > poisson.serve.ttft.p99_s);
    assert_true(poisson.serve.requests_per_s <= cap * (1 + 1e-9));
    assert_true(bursty.serve.requests_per_s <= cap * (1 + 1e-9));
}

/* Time to first token falls as replicas are added under the same load. */
static void test_replicas_lower_ttft(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    double cap = offline_capacity(&s);
    double prev = INFINITY;
    for (int n = 1; n <= 4; n *= 2) {
        s.serve.replicas = n;
        s.serve.qps = 0.9 * cap;
        s.serve.requests = 600;
        static aif_serve_run r;
        run(&s, NULL, &r);
        assert_true(r.serve.ttft.mean_s < prev);
        assert_true(r.serve.gpus == n);
        prev = r.serve.ttft.mean_s;
    }
}

/* Offline throughput never rises when HBM bandwidth falls. */
static void test_bandwidth_monotone(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    s.serve.mode = AIF_SERVE_OFFLINE;
    double bw = s.cluster.gpu.hbm_bw_Bps, prev = INFINITY;
    for (double f = 1; f > 0.15; f -= 0.15) {
        s.cluster.gpu.hbm_bw_Bps = bw * f;
        static aif_serve_run r;
        run(&s, NULL, &r);
        assert_true(r.serve.throughput_tokens_per_s <= prev * (1 + 1e-12));
        prev = r.serve.throughput_tokens_per_s;
    }
}

/* The same seed gives byte-identical JSON; another seed another run. */
static void test_determinism(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    s.serve.input_tokens.dist = AIF_LEN_LOGNORMAL;
    s.serve.arrival = AIF_ARRIVAL_GAMMA;
    s.serve.arrival_cv = 2;
    s.serve.qps = 5;
    static aif_serve_run a, b;
    run(&s, NULL, &a);
    run(&s, NULL, &b);
    char *ja = aif_report_serve_json(&a), *jb = aif_report_serve_json(&b);
    assert_non_null(ja);
    assert_string_equal(ja, jb);
    s.serve.seed++;
    run(&s, NULL, &b);
    char *jc = aif_report_serve_json(&b);
    assert_true(strcmp(ja, jc) != 0);
    free(ja);
    free(jb);
    free(jc);
}

typedef struct seen_replicas { int iterations[8]; } seen_replicas;
static void count_replica(const aif_serve_iter *it, void *ctx)
{
    seen_replicas *w = ctx;
    if (it->replica >= 0 && it->replica < 8)
        w->iterations[it->replica]++;
}

/* Every router spreads the load: every replica iterates, and 8 equal requests on 4
 * replicas give each the same work (cache-aware: prompts sharing nothing go to the
 * replica with the fewest tokens recorded, two each). */
static void test_routers(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    s.serve.replicas = 4;
    s.serve.requests = 8;
    s.serve.mode = AIF_SERVE_OFFLINE;
    for (int router = 0; router < 3; router++) {   /* cache-aware: unique prompts, the fewest tokens recorded */
        s.serve.router = router;
        seen_replicas w = {{0}};
        aif_serve_opts o = {.on_iteration = count_replica, .iteration_ctx = &w};
        static aif_serve_run r;
        run(&s, &o, &r);
        for (int i = 0; i < 4; i++) {
            assert_true(w.iterations[i] > 0);
            assert_int_equal(w.iterations[i], w.iterations[0]);
        }
        assert_int_equal(w.iterations[4], 0);
    }
}

/* A Mooncake trace whose requests share their leading blocks: with prefix caching
 * the shared blocks skip prefill. */
static void test_prefix_cache(void **state)
{
    (void)state;
    const char *path = "test_serve_prefix.jsonl";
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fprintf(f, "{\"timestamp\": %d, \"input_length\": 2048, \"output_length\": 16, \"hash_ids\": [1, 2, 3, %d]}\n",
                i * 50, 100 + i);
    fclose(f);
    static aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 1, replicas: 1, trace: test_serve_prefix.jsonl}\n");
    assert_int_equal(s.serve.requests, 0);   /* a trace replays all its requests */
    static aif_serve_run on, off;
    run(&s, NULL, &on);
    s.serve.prefix_caching = false;
    run(&s, NULL, &off);
    remove(path);
    assert_int_equal(on.serve.requests, 200);
    assert_true(on.serve.prefix_hit_fraction > 0.7);
    assert_true(off.serve.prefix_hit_fraction == 0);
    assert_true(on.serve.prefill_tokens < 0.3 * off.serve.prefill_tokens);
    assert_true(on.serve.ttft.mean_s < off.serve.ttft.mean_s);
}

/* Power and money follow from the run: energy per token and cost per token positive,
 * a GPU between idle and its TDP. */
static void test_power_and_cost(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, SMALL);
    static aif_serve_run r;
    run(&s, NULL, &r);
    const aif_serve_result *x = &r.serve;
    assert_true(x->gpu_avg_W > 0 && x->gpu_avg_W <= s.cluster.gpu.tdp_W);
    assert_true(fabs(x->energy_J - x->facility_avg_W * x->duration_s) < 1e-6 * x->energy_J);
    assert_true(fabs(x->joules_per_token * x->output_tokens - x->energy_J) < 1e-6 * x->energy_J);
    assert_true(x->usd_per_million_tokens > 0 && x->usd_per_million_tokens_rented > 0);
}

/* The capacity plan: the best shape's replica count is the fewest that meet every
 * target (one fewer misses, checked by running both directly), candidates that meet
 * come first and cheapest first, a shape whose weights do not fit is flagged, and a
 * plan without a target or an arrival rate is refused. */
/* The plan over expert parallelism and prefill:decode splits: Mixtral 8x7B at tp 2, ep 1
 * and ep = tp, colocated and split 1:1 and 1:3: six shapes, each reported with its ep and
 * ratio; every one that meets is a whole number of units, meets when run directly with
 * its pools (u P prefill and u D decode replicas), with the same p99 TTFT, and one unit
 * fewer misses.  A repeated ep (1 and tp at tp 1) is tried once. */
static void test_plan_splits_eps(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: mixtral-8x7b\n"
             "serve: {qps: 12, requests: 300, input_tokens: 2048, output_tokens: 64, seed: 5, precision: fp8,"
             " slo: {ttft_p99: 800ms, tpot_p99: 40ms}}\n");
    const aif_scenario *list[1] = {&s};
    static aif_serve_plan plan;
    aif_plan_opts o = {.tps = {2}, .n_tp = 1, .eps = {1, 0}, .n_ep = 2,
                       .splits = {{0, 0}, {1, 1}, {1, 3}}, .n_split = 3, .max_gpus = 64};
    aif_err e;
    assert_int_equal(aif_plan_serve(cat, list, 1, &o, &plan, &e), AIF_OK);
    assert_int_equal(plan.n, 6);
    int seen[2][3] = {{0}};
    for (int i = 0; i < plan.n; i++) {
        const aif_plan_candidate *k = &plan.c[i];
        assert_true(k->ep == 1 || k->ep == 2);
        int sp = k->split_p == 0 ? 0 : k->split_d == 1 ? 1 : 2;
        assert_true(sp == 0 ? k->split_d == 0 : k->split_p == 1);
        seen[k->ep - 1][sp]++;
    }
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            assert_int_equal(seen[a][b], 1);
    int split_meeting = 0;
    for (int i = 0; i < plan.n_meeting; i++) {
        const aif_plan_candidate *k = &plan.c[i];
        static aif_scenario w;
        static aif_serve_run r;
        int per = k->split_p ? k->split_p + k->split_d : 1;
        assert_int_equal(k->replicas % per, 0);
        int u = k->replicas / per;
        w = s;
        w.serve.tp = k->tp;
        w.serve.ep = k->ep;
        w.serve.replicas = k->replicas;
        w.serve.disagg.prefill = u * k->split_p;
        w.serve.disagg.decode = u * k->split_d;
        w.cluster.gpus = k->gpus;
        assert_int_equal(k->gpus, k->replicas * k->tp);
        run(&w, NULL, &r);
        assert_true(r.serve.ttft.p99_s <= 0.8 && r.serve.tpot.p99_s <= 0.040);
        assert_true(r.serve.ttft.p99_s == k->ttft_p99_s);
        split_meeting += k->split_p > 0;
        if (u > 1) {
            w.serve.replicas = (u - 1) * per;
            w.serve.disagg.prefill = (u - 1) * k->split_p;
            w.serve.disagg.decode = (u - 1) * k->split_d;
            w.cluster.gpus = w.serve.replicas * k->tp;
            run(&w, NULL, &r);
            assert_false(r.serve.ttft.p99_s <= 0.8 && r.serve.tpot.p99_s <= 0.040);
        }
    }
    assert_true(split_meeting > 0);
    aif_plan_opts o1 = {.tps = {1}, .n_tp = 1, .eps = {1, 0}, .n_ep = 2, .max_gpus = 64};
    assert_int_equal(aif_plan_serve(cat, list, 1, &o1, &plan, &e), AIF_OK);
    assert_int_equal(plan.n, 1);
    /* shapes the serve section's own rules refuse are listed with the reason, not simulated:
     * ep on a dense model, a tp that does not divide the heads, fp8 on a GPU without it */
    static aif_scenario d;
    load(&d, "cluster: {system: dgx-a100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {qps: 2, requests: 50, precision: bf16, slo: {ttft_p99: 5s}}\n");
    const aif_scenario *dl[1] = {&d};
    aif_plan_opts o2 = {.tps = {3, 2}, .n_tp = 2, .eps = {1, 2}, .n_ep = 2, .precisions = {AIF_BF16, AIF_FP8},
                        .n_prec = 2, .max_gpus = 16};
    assert_int_equal(aif_plan_serve(cat, dl, 1, &o2, &plan, &e), AIF_OK);
    assert_int_equal(plan.n, 8);
    assert_int_equal(plan.n_meeting, 1);   /* tp 2, ep 1, bf16 alone */
    assert_true(plan.c[0].tp == 2 && plan.c[0].ep == 1 && plan.c[0].precision == AIF_BF16);
    int heads = 0, dense = 0, fp8 = 0;
    for (int i = 1; i < plan.n; i++) {
        assert_false(plan.c[i].valid);
        assert_int_equal(plan.c[i].sims, 0);
        heads += strstr(plan.c[i].why, "attention heads") != NULL;
        dense += strstr(plan.c[i].why, "is dense") != NULL;
        fp8 += strstr(plan.c[i].why, "no fp8 tensor cores") != NULL;
    }
    assert_true(heads == 2 && fp8 == 4 && dense == 1);   /* the precision checked first, then tp, then ep */
}

static void test_plan(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\n"
             "serve: {qps: 20, requests: 400, input_tokens: 1024, output_tokens: 128, seed: 5, precision: fp8,"
             " gpu_memory_fraction: 0.85, slo: {ttft_p99: 1s, tpot_p99: 60ms}}\n");
    const aif_scenario *list[1] = {&s};
    static aif_serve_plan plan;
    aif_plan_opts o = {.tps = {1, 2, 4}, .n_tp = 3, .max_gpus = 64};
    aif_err e;
    assert_int_equal(aif_plan_serve(cat, list, 1, &o, &plan, &e), AIF_OK);
    assert_int_equal(plan.n, 3);
    assert_true(plan.n_meeting >= 1);
    for (int i = 1; i < plan.n_meeting; i++)
        assert_true(plan.c[i - 1].usd_per_million_tokens <= plan.c[i].usd_per_million_tokens);
    bool flagged = false;
    for (int i = plan.n_meeting; i < plan.n; i++)
        flagged |= !plan.c[i].valid && plan.c[i].tp == 1 && strstr(plan.c[i].why, "KV cache") != NULL;
    assert_true(flagged);   /* 70B in fp8 leaves no KV cache in 0.85 of one H100's 85.5 GB */
    assert_true(plan.c[0].replicas > 1);   /* the load needs several: the bisection is exercised */
    for (int i = 0; i < plan.n_meeting; i++) {
        const aif_plan_candidate *k = &plan.c[i];
        static aif_scenario w;
        static aif_serve_run r;
        w = s;
        w.serve.tp = k->tp;
        w.serve.replicas = k->replicas;
        w.cluster.gpus = k->gpus;
        run(&w, NULL, &r);
        assert_true(r.serve.ttft.p99_s <= 1.0 && r.serve.tpot.p99_s <= 0.060);
        assert_true(r.serve.ttft.p99_s == k->ttft_p99_s);
        if (k->replicas > 1) {
            w.serve.replicas = k->replicas - 1;
            w.cluster.gpus = w.serve.replicas * k->tp;
            run(&w, NULL, &r);
            assert_false(r.serve.ttft.p99_s <= 1.0 && r.serve.tpot.p99_s <= 0.060);
        }
    }
    s.serve.slo = (aif_slo){0};
    assert_int_equal(aif_plan_serve(cat, list, 1, &o, &plan, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.slo");
    s.serve.slo.ttft_s = 1;
    s.serve.mode = AIF_SERVE_OFFLINE;
    assert_int_equal(aif_plan_serve(cat, list, 1, &o, &plan, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.qps");
}

/* Speculative decoding: with every draft accepted one verification step yields k + 1
 * tokens (iterations counted by hand); the share of drafts accepted is the geometric
 * process's a (1 - a^k) / ((1 - a) k); with no draft accepted each step still costs the
 * drafts and a wider verification, so TPOT rises; no_evict never needs a block past
 * its reservation; the same seed gives the same run. */
static void test_speculative(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run a, b;
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 1, replicas: 1, mode: offline, requests: 1, input_tokens: 100, output_tokens: 65,"
             " speculative: {tokens: 3, acceptance: 1}}\n");
    run(&s, NULL, &a);
    assert_int_equal(a.serve.iterations, 1 + 16);   /* the prompt (its token), then 64 tokens 4 at a time */
    assert_int_equal(a.serve.spec_accepted, a.serve.spec_drafted);
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 1, replicas: 2, qps: 8, requests: 400, input_tokens: 512, output_tokens: 128, seed: 4,"
             " speculative: {tokens: 4, acceptance: 0.6}}\n");
    run(&s, NULL, &a);
    double k = 4, p = 0.6, want = p * (1 - pow(p, k)) / ((1 - p) * k);
    double got = (double)a.serve.spec_accepted / (double)a.serve.spec_drafted;
    assert_true(a.serve.spec_drafted > 10000);
    assert_true(fabs(got - want) < 0.03 * want);
    run(&s, NULL, &b);
    assert_memory_equal(&a.serve, &b.serve, sizeof a.serve);
    s.serve.spec.acceptance = 0;
    run(&s, NULL, &a);
    s.serve.spec.tokens = 0;
    run(&s, NULL, &b);
    assert_true(a.serve.tpot.mean_s > b.serve.tpot.mean_s);
    assert_int_equal(a.serve.spec_accepted, 0);
    s.serve.spec.tokens = 4;
    s.serve.spec.acceptance = 0.9;
    s.serve.admission = AIF_ADMIT_NO_EVICT;
    run(&s, NULL, &a);   /* the replica asserts that no block is needed past a reservation */
    assert_int_equal(a.serve.preemptions, 0);
    assert_int_equal(a.serve.requests, 400);
}

/* Prefill/decode disaggregation: every request completes; each prompt with more than
 * one token to generate moves its cache once, in the fabric's latency plus its bytes
 * over the GPU's share of the NICs (by hand); a decode pool free of prompts gives a
 * steadier TPOT than the same GPUs colocated under long prompts (DistServe's point);
 * a pool left out, or replicas that disagree, are refused. */
static void test_disaggregation(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run a, b;
    const char *y = "cluster: {system: dgx-h100, gpus: 2}\nmodel: llama3-8b\n"
                    "serve: {tp: 1, qps: 3, requests: 400, input_tokens: 6000, output_tokens: 200, seed: 2%s}\n";
    char t[512];
    snprintf(t, sizeof t, y, ", disaggregate: {prefill: 1, decode: 1}");
    load(&s, t);
    assert_int_equal(s.serve.replicas, 2);
    run(&s, NULL, &a);
    assert_int_equal(a.serve.requests, 400);
    assert_int_equal(a.serve.kv_transfers, 400);
    const aif_cluster *cl = &s.cluster;
    double bw = cl->nic_bw_Bps * cl->nics_per_node / cl->gpus_per_node * cl->fabric.efficiency;
    double want = cl->fabric.latency_s + 6000 * a.serve.mem.kv_bytes_per_token / bw;   /* a lone transfer */
    assert_true(a.serve.kv_transfer_mean_s >= want * (1 - 1e-12));   /* some share the link */
    assert_true(a.serve.kv_transfer_mean_s < 1.5 * want);
    snprintf(t, sizeof t, y, ", replicas: 2");
    load(&s, t);
    run(&s, NULL, &b);
    assert_int_equal(b.serve.kv_transfers, 0);
    assert_true(a.serve.tpot.p99_s < b.serve.tpot.p99_s);
    aif_err e;
    snprintf(t, sizeof t, y, ", disaggregate: {prefill: 1}");
    assert_int_equal(parse(&s, t, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.disaggregate");
    snprintf(t, sizeof t, y, ", replicas: 3, disaggregate: {prefill: 1, decode: 1}");
    assert_int_equal(parse(&s, t, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.replicas");
}

/* The caches' transfers as flows, by hand (chunked prefill off, so prompts finish whole;
 * every transfer ready at the same instant from one prefill iteration).  One 2,000-token
 * prompt alone moves in L + T (L the fabric's latency, T = its shard's bytes / one GPU's
 * NIC share).  Two such prompts from one prefill replica to the two decode replicas share
 * the sender's link: each at half the rate, L + 2T.  Prompts of 1,000 and 3,000 tokens:
 * both at half until the small one's T/2 has gone (at T), then the large one's remaining
 * T at the full rate (done at 2T): mean L + 1.5T.  Two prefill replicas sending to one
 * decode replica share its receiving link: L + 2T.  With a free link (no latency, any
 * bandwidth) a lone request's TTFT and end-to-end latency are a colocated replica's. */
static double kv_mean(aif_scenario *s, const int *input, int n, aif_serve_result *r)
{
    static aif_req q[4];
    for (int i = 0; i < n; i++)
        q[i] = (aif_req){0, input[i], 8, 0, 0};
    aif_req_stream rq = {q, n, n, NULL, NULL, 0};
    aif_err e;
    assert_int_equal(aif_serve_simulate(s, &rq, 100000, NULL, r, &e), AIF_OK);
    assert_int_equal(r->kv_transfers, n);
    return r->kv_transfer_mean_s;
}

static void test_kv_flows_by_hand(void **state)
{
    (void)state;
    static aif_scenario s, c;
    static aif_serve_result r, rc;
    static aif_serve_run run1;
    load(&s, "cluster: {system: dgx-h100, gpus: 3}\nmodel: llama3-8b\n"
             "serve: {tp: 1, chunked_prefill: false, requests: 1, input_tokens: 2000, output_tokens: 8, "
             "disaggregate: {prefill: 1, decode: 2}}\n");
    run(&s, NULL, &run1);
    const aif_cluster *cl = &s.cluster;
    double bw = cl->nic_bw_Bps * cl->nics_per_node / cl->gpus_per_node * cl->fabric.efficiency;
    double L = cl->fabric.latency_s, T = 2000 * run1.serve.mem.kv_bytes_per_token / bw;
    assert_true(T > 10 * L);
    const int one[1] = {2000}, two[2] = {2000, 2000}, mixed[2] = {1000, 3000};
    assert_true(fabs(kv_mean(&s, one, 1, &r) - (L + T)) < 1e-9 * T);
    assert_true(fabs(run1.serve.kv_transfer_mean_s - (L + T)) < 1e-9 * T);
    assert_true(fabs(kv_mean(&s, two, 2, &r) - (L + 2 * T)) < 1e-9 * T);
    assert_true(fabs(kv_mean(&s, mixed, 2, &r) - (L + 1.5 * T)) < 1e-9 * T);
    load(&s, "cluster: {system: dgx-h100, gpus: 3}\nmodel: llama3-8b\n"
             "serve: {tp: 1, chunked_prefill: false, disaggregate: {prefill: 2, decode: 1}}\n");
    assert_true(fabs(kv_mean(&s, two, 2, &r) - (L + 2 * T)) < 1e-9 * T);
    /* the decode pool takes the fewest outstanding whatever the router: under round-robin, with
     * one prefill replica, the two caches still go to the two decode replicas */
    load(&s, "cluster: {system: dgx-h100, gpus: 3}\nmodel: llama3-8b\n"
             "serve: {tp: 1, chunked_prefill: false, router: round-robin, disaggregate: {prefill: 1, decode: 2}}\n");
    static aif_req q2[2] = {{0, 2000, 8, 0, 0}, {0, 2000, 8, 0, 0}};
    aif_req_stream rq2 = {q2, 2, 2, NULL, NULL, 0};
    seen_replicas sr = {{0}};
    aif_serve_opts os = {.on_iteration = count_replica, .iteration_ctx = &sr};
    aif_err e;
    assert_int_equal(aif_serve_simulate(&s, &rq2, 100000, &os, &r, &e), AIF_OK);
    assert_true(sr.iterations[1] > 0 && sr.iterations[2] > 0);
    assert_int_equal(sr.iterations[1], sr.iterations[2]);

    load(&s, "cluster: {system: dgx-h100, gpus: 2}\nmodel: llama3-8b\n"
             "serve: {tp: 1, chunked_prefill: false, disaggregate: {prefill: 1, decode: 1}}\n");
    s.cluster.fabric.latency_s = 0;
    s.cluster.nic_bw_Bps = 1e30;
    load(&c, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\nserve: {tp: 1, chunked_prefill: false}\n");
    kv_mean(&s, one, 1, &r);
    static aif_req q1[1];
    q1[0] = (aif_req){0, 2000, 8, 0, 0};
    aif_req_stream rq = {q1, 1, 1, NULL, NULL, 0};
    assert_int_equal(aif_serve_simulate(&c, &rq, 100000, NULL, &rc, &e), AIF_OK);
    assert_true(r.kv_transfer_mean_s < 1e-15);
    assert_true(fabs(r.ttft.mean_s - rc.ttft.mean_s) < 1e-12);
    assert_true(fabs(r.e2e.mean_s - rc.e2e.mean_s) < 1e-9 * rc.e2e.mean_s);
}

typedef struct iter_log { double start[64], dur[64]; int rep[64], pre[64], dec[64], n; } iter_log;
static void log_iter(const aif_serve_iter *it, void *ctx)   /* the first 64 iterations of a run, in order */
{
    iter_log *w = ctx;
    if (w->n < 64) {
        w->start[w->n] = it->start_s;
        w->dur[w->n] = it->time_s;
        w->rep[w->n] = it->replica;
        w->pre[w->n] = it->prefill_seqs;
        w->dec[w->n] = it->decode_seqs;
        w->n++;
    }
}

/* Pipeline parallelism with a batch in flight per stage, by hand: a replica of pp 2 is two
 * virtual engines (vLLM's V0 engine: one scheduler per stage, each with a pp-th of the
 * KV cache, a request to the one with the fewest unfinished), whose batches pass
 * through the two stages in turn, each stage a half of the batch's time T and busy with
 * one batch at a time.  Two equal prompts at t = 0: engine 0's prefill holds stage 0 in
 * [0, T/2] and stage 1 in [T/2, T]; engine 1's waits for stage 0, [T/2, T], then stage 1,
 * [T, 3T/2]: TTFTs T and 3T/2.  Engine 0's first decode (time D) starts at T: stage 0 in
 * [T, T + D/2], stage 1 from 3T/2 (engine 1's prefill holds it) to 3T/2 + D/2.  A
 * request needing more than an engine's share of the cache is refused, naming it. */
static void test_pp_in_flight_by_hand(void **state)
{
    (void)state;
    static aif_scenario s, one;
    load(&s, "cluster: {system: dgx-h100, gpus: 2}\nmodel: llama3-8b\nserve: {tp: 1, pp: 2, replicas: 1}\n");
    static aif_req q[2] = {{0, 1000, 4, 0, 0}, {0, 1000, 4, 0, 0}};
    aif_req_stream rq = {q, 2, 2, NULL, NULL, 0};
    iter_log w;
    memset(&w, 0, sizeof w);
    aif_serve_opts o = {.on_iteration = log_iter, .iteration_ctx = &w};
    static aif_serve_result r;
    aif_err e;
    assert_int_equal(aif_serve_simulate(&s, &rq, 100000, &o, &r, &e), AIF_OK);
    /* the prefill's time T: a lone request on the same replica (one engine busy, no wait) */
    static aif_req q1[1] = {{0, 1000, 4, 0, 0}};
    aif_req_stream r1 = {q1, 1, 1, NULL, NULL, 0};
    iter_log w1;
    memset(&w1, 0, sizeof w1);
    aif_serve_opts o1 = {.on_iteration = log_iter, .iteration_ctx = &w1};
    assert_int_equal(aif_serve_simulate(&s, &r1, 100000, &o1, &r, &e), AIF_OK);
    double T = w1.dur[0], D = w1.dur[1];   /* alone, nothing waits: the stages are free in turn */
    assert_true(w1.start[1] == T);
    assert_true(D > 0 && D < T);
    assert_true(w.n >= 3 && w.rep[0] == 0 && w.rep[1] == 0);   /* one replica: both engines report it */
    assert_true(w.start[0] == 0 && w.start[1] == 0);
    assert_true(fabs(w.dur[0] - T) < 1e-12 * T);
    assert_true(fabs(w.dur[1] - 1.5 * T) < 1e-12 * T);
    assert_true(fabs(w.start[2] - T) < 1e-12 * T);
    assert_true(fabs(w.start[2] + w.dur[2] - (1.5 * T + D / 2)) < 1e-9 * T);
    load(&one, "cluster: {system: dgx-h100, gpus: 2}\nmodel: llama3-8b\nserve: {tp: 1, pp: 2, replicas: 1}\n");
    static aif_req big[1] = {{0, 1000, 100, 0, 0}};
    aif_req_stream rb = {big, 1, 1, NULL, NULL, 0};
    assert_int_equal(aif_serve_simulate(&one, &rb, 100, NULL, &r, &e), AIF_EINPUT);   /* 50 blocks: 800 tokens */
    assert_non_null(strstr(e.msg, "virtual engine"));
    assert_int_equal(aif_serve_simulate(&one, &rb, 140, NULL, &r, &e), AIF_OK);     /* 70 blocks: 1,120 */
    /* two replicas of pp 2: the router picks a replica (by its engines' outstanding together),
     * then the engine: two requests go to the two replicas, not to one replica's two engines */
    load(&one, "cluster: {system: dgx-h100, gpus: 4}\nmodel: llama3-8b\nserve: {tp: 1, pp: 2, replicas: 2}\n");
    for (int router = 0; router < 3; router++) {
        one.serve.router = router;
        memset(&w, 0, sizeof w);
        assert_int_equal(aif_serve_simulate(&one, &rq, 100000, &o, &r, &e), AIF_OK);
        assert_true(w.n >= 2 && w.rep[0] != w.rep[1]);
        assert_true(fabs(w.dur[0] - T) < 1e-12 * T && fabs(w.dur[1] - T) < 1e-12 * T);   /* neither waits */
    }
}

/* A daily load curve: with weights 1 for hours 0-11 and 3 for 12-23 (mean 2) and qps 2,
 * a day's worth of requests arrives a quarter in the first half-day and three quarters
 * in the second, each half at its own rate; the last request lands near the day's end;
 * a curve of the wrong length or all zero is refused at its line. */
static void test_daily_curve(void **state)
{
    (void)state;
    aif_serve sv;
    aif_serve_defaults(&sv);
    sv.qps = 2;
    sv.requests = 2 * 86400;
    for (int h = 0; h < 24; h++)
        sv.curve[h] = h < 12 ? 1 : 3;
    sv.n_curve = 24;
    aif_req_stream rq;
    aif_err e;
    assert_int_equal(aif_requests_synth(&sv, &rq, &e), AIF_OK);
    long first = 0;
    for (long i = 0; i < rq.n; i++) {
        if (i > 0)
            assert_true(rq.r[i].arrival_s >= rq.r[i - 1].arrival_s);
        first += rq.r[i].arrival_s < 43200;
    }
    double share = (double)first / (double)rq.n;
    assert_true(fabs(share - 0.25) < 0.01);
    /* the time change by hand: the same stream at a constant rate, its operational time
     * u mapped through 12 h at half speed, 12 h at 1.5x, then the next day's first hours */
    double last = rq.r[rq.n - 1].arrival_s;
    aif_requests_free(&rq);
    sv.n_curve = 0;
    assert_int_equal(aif_requests_synth(&sv, &rq, &e), AIF_OK);
    double u = rq.r[rq.n - 1].arrival_s;
    double want = u <= 21600 ? u / 0.5 : u <= 86400 ? 43200 + (u - 21600) / 1.5 : 86400 + (u - 86400) / 0.5;
    assert_true(fabs(last - want) < 1e-9 * want);
    aif_requests_free(&rq);
    static aif_scenario s;
    char y[1024];
    snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve:\n  daily_curve: [1, 2, 3]\n");
    assert_int_equal(parse(&s, y, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.daily_curve");
    assert_int_equal(e.line, 4);
    snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve:\n  daily_curve: "
             "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]\n");
    assert_int_equal(parse(&s, y, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "every hour is 0"));
}

/* Agentic sessions: a call's prompt is the previous call's prompt and answer plus its
 * new tokens (by hand, fixed lengths); one session on one replica takes exactly its
 * calls' end-to-end times plus its tool latencies; prefix caching serves most of each
 * prompt from the previous call's blocks (none without it); a trace is refused. */
/* A closed loop of N clients: never more than N requests in an iteration, N in the
 * system on average until the last ones drain (Little's law with N customers); one
 * client never queues and always has exactly one request in the system; throughput
 * and TPOT rise with the clients; the section's refusals. */
static void seqs_max(const aif_serve_iter *it, void *ctx)
{
    int *mx = ctx, n = it->decode_seqs + it->prefill_seqs;
    if (n > *mx)
        *mx = n;
}

/* Lockstep waves, by hand: 4 clients, 512 tokens in and 8 out, a budget that holds a
 * whole wave.  All four prompts are prefilled in one iteration, the four then decode
 * together and finish together, and their next requests come back as one wave: every
 * iteration is either a wave's prefill (4 prompts, 2,048 tokens) or a decode of 4,
 * 10 waves of 1 + 7 iterations, every TTFT exactly one prefill iteration, and the
 * run lasts 10 T_prefill plus the decode iterations.  (The clients' next requests, sent
 * at one instant, are routed before any replica starts: they once were not, and the
 * first of each wave ran alone.) */
typedef struct wave_watch { long prefill_iters, decode_iters, other; double t_prefill, decode_sum_s; } wave_watch;
static void wave_iter(const aif_serve_iter *it, void *ctx)
{
    wave_watch *w = ctx;
    if (it->prefill_seqs == 4 && it->decode_seqs == 0 && it->prefill_tokens == 2048) {
        w->prefill_iters++;
        w->t_prefill = it->time_s;
    } else if (it->prefill_seqs == 0 && it->decode_seqs == 4) {
        w->decode_iters++;
        w->decode_sum_s += it->time_s;
    } else {
        w->other++;
    }
}

static void test_closed_loop_waves(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run r;
    wave_watch w = {0};
    aif_serve_opts o = {.on_iteration = wave_iter, .iteration_ctx = &w};
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {tp: 1, requests: 40, input_tokens: 512, output_tokens: 8, concurrency: 4}\n");
    run(&s, &o, &r);
    assert_int_equal(w.other, 0);
    assert_int_equal(w.prefill_iters, 10);
    assert_int_equal(w.decode_iters, 70);
    assert_true(fabs(r.serve.ttft.mean_s - w.t_prefill) < 1e-12);
    assert_true(r.serve.ttft.max_s - r.serve.ttft.p50_s < 1e-12 && r.serve.ttft.p50_s - r.serve.ttft.mean_s < 1e-12);
    assert_true(fabs(r.serve.duration_s - (10 * w.t_prefill + w.decode_sum_s)) < 1e-9 * r.serve.duration_s);
    assert_true(fabs(r.serve.tpot.mean_s - w.decode_sum_s / 70) < 1e-12);
}

/* The scheduler one batch ahead (serve.overlap_schedule), by hand on three requests to
 * one replica: A at t = 0 (512 in, 12 out), B in the middle of A's third decode, C after
 * A and B are done.  Formed as the one before ends, B's prompt joins the iteration that
 * starts when the decode in flight at its arrival ends; formed one batch ahead, the next
 * iteration had already been formed (A's decode alone) when B arrived, so B's prompt
 * waits for that one too.  C finds the replica idle: nothing formed ahead, it starts at
 * once either way.  TTFT is the end of the iteration holding the prompt less the arrival. */
static void run_ahead(const aif_scenario *s, double t_b, double t_c, iter_log *w, aif_serve_result *r)
{
    aif_req q[3] = {{0, 512, 12, 0, 0}, {t_b, 512, 12, 0, 0}, {t_c, 256, 4, 0, 0}};
    aif_req_stream rq = {q, 3, 3, NULL, NULL, 0};
    aif_serve_opts o = {.on_iteration = log_iter, .iteration_ctx = w};
    aif_err e;
    memset(w, 0, sizeof *w);
    assert_int_equal(aif_serve_simulate(s, &rq, 100000, &o, r, &e), AIF_OK);
}

/* The iteration whose prompts include the one arriving at t (the first with a prompt starting at or after t). */
static int prompt_iter(const iter_log *w, double t)
{
    for (int i = 0; i < w->n; i++)
        if (w->pre[i] > 0 && w->start[i] >= t)
            return i;
    fail_msg("no iteration prefills the request arriving at %g s", t);
    return -1;
}

static void test_overlap_schedule_by_hand(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_result off, on;
    static iter_log wo, wa;
    load(&s, SMALL);
    run_ahead(&s, 1e9, 2e9, &wo, &off);   /* A alone first: its iteration times place B and C */
    assert_true(wo.n >= 4 && wo.pre[0] == 1 && wo.dec[3] == 1);
    double t_b = wo.start[3] + 0.5 * wo.dur[3], t_c = 10.0;
    run_ahead(&s, t_b, t_c, &wo, &off);
    s.serve.overlap_schedule = true;
    run_ahead(&s, t_b, t_c, &wa, &on);
    int bo = prompt_iter(&wo, t_b), ba = prompt_iter(&wa, t_b);
    assert_int_equal(bo, 4);   /* the decode in flight at t_b was iteration 3 */
    assert_true(fabs(wo.start[4] - (wo.start[3] + wo.dur[3])) < 1e-12);
    assert_int_equal(ba, 5);   /* formed ahead: iteration 4, A's decode alone, came first */
    assert_true(wa.pre[4] == 0 && wa.dec[4] == 1);
    for (int i = 0; i < 4; i++)   /* the same iterations until B's prompt */
        assert_true(fabs(wa.start[i] - wo.start[i]) < 1e-12 && fabs(wa.dur[i] - wo.dur[i]) < 1e-12);
    assert_true(fabs(wa.start[5] - (wa.start[4] + wa.dur[4])) < 1e-12);
    static double ttft_o[3], ttft_a[3];
    ttft_o[1] = wo.start[bo] + wo.dur[bo] - t_b;
    ttft_a[1] = wa.start[ba] + wa.dur[ba] - t_b;
    assert_true(ttft_a[1] > ttft_o[1] + 0.9 * wa.dur[4]);
    int co = prompt_iter(&wo, t_c), ca = prompt_iter(&wa, t_c);   /* C: the replica idle, no wait */
    assert_true(fabs(wo.start[co] - t_c) < 1e-12 && fabs(wa.start[ca] - t_c) < 1e-12);
    assert_true(fabs(wa.dur[ca] - wo.dur[co]) < 1e-12);
    ttft_o[2] = wo.dur[co];
    ttft_a[2] = wa.dur[ca];
    ttft_o[0] = ttft_a[0] = wo.dur[0];
    /* the run's TTFT statistics are these three */
    double mo = (ttft_o[0] + ttft_o[1] + ttft_o[2]) / 3, ma = (ttft_a[0] + ttft_a[1] + ttft_a[2]) / 3;
    assert_true(fabs(off.ttft.mean_s - mo) < 1e-9 * mo);
    assert_true(fabs(on.ttft.mean_s - ma) < 1e-9 * ma);
    assert_true(fabs(on.ttft.max_s - ttft_a[1]) < 1e-9 * ttft_a[1]);
}

/* The cache-aware router (serve.router cache-aware), by hand.  (1) Five requests one at a
 * time on four idle replicas, 1,024-token prompts: A1 and A2 share their first 512-token
 * block, B1 and B2 theirs, C1 shares nothing.  A1 finds no replica with a prefix and the
 * router's records all empty: replica 0.  B1 matches nothing: the fewest recorded tokens,
 * replica 1.  A2's shared block is half its prompt (over 0.3): replica 0; B2: replica 1;
 * C1: the fewest recorded tokens, replica 2.  The fewest outstanding would have sent all
 * five to replica 0.  (2) 100 requests of one prefix at t = 0 on two replicas: the first
 * 65 go to replica 0 (its prefix), until it has 65 outstanding to replica 1's none, more
 * than 64 over and more than 1.5 times: the 66th goes to replica 1, which from then on
 * matches as well and has fewer outstanding: 65 and 35.  Prompts are not chunked, so
 * each iteration's prefill sequences are whole prompts: their sum per replica is what it
 * was given. */
typedef struct route_watch { int rep[8]; int n; long per[4]; } route_watch;
static void route_iter(const aif_serve_iter *it, void *ctx)
{
    route_watch *w = ctx;
    if (it->prefill_seqs > 0) {
        if (w->n < 8)
            w->rep[w->n++] = it->replica;
        if (it->replica < 4)
            w->per[it->replica] += it->prefill_seqs;
    }
}

static void test_cache_router_by_hand(void **state)
{
    (void)state;
    static aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 4}\nmodel: llama3-8b\n"
             "serve: {tp: 1, replicas: 4, router: cache-aware, chunked_prefill: false}\n");
    static uint64_t h[10] = {11, 101, 22, 102, 11, 103, 22, 104, 105, 106};
    static aif_req q[5];
    for (int i = 0; i < 5; i++)
        q[i] = (aif_req){i * 10.0, 1024, 4, 2 * i, 2};
    aif_req_stream rq = {q, 5, 5, NULL, h, 10};
    route_watch w;
    memset(&w, 0, sizeof w);
    aif_serve_opts o = {.on_iteration = route_iter, .iteration_ctx = &w};
    static aif_serve_result r;
    aif_err e;
    assert_int_equal(aif_serve_simulate(&s, &rq, 100000, &o, &r, &e), AIF_OK);
    assert_int_equal(w.n, 5);
    const int want[5] = {0, 1, 0, 1, 2};
    for (int i = 0; i < 5; i++)
        assert_int_equal(w.rep[i], want[i]);
    assert_true(r.prefix_hit_fraction > 0.19 && r.prefix_hit_fraction < 0.21);   /* 2 x 512 of 5 x 1,024 */
    s.serve.router = AIF_ROUTER_LEAST_OUTSTANDING;
    memset(&w, 0, sizeof w);
    assert_int_equal(aif_serve_simulate(&s, &rq, 100000, &o, &r, &e), AIF_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(w.rep[i], 0);

    static aif_req b[100];
    static uint64_t hb[200];
    for (int i = 0; i < 100; i++) {
        b[i] = (aif_req){0, 1024, 4, 2 * i, 2};
        hb[2 * i] = 7;
        hb[2 * i + 1] = 1000 + (uint64_t)i;
    }
    aif_req_stream rb = {b, 100, 100, NULL, hb, 200};
    s.serve.replicas = 2;
    s.serve.router = AIF_ROUTER_CACHE_AWARE;
    memset(&w, 0, sizeof w);
    assert_int_equal(aif_serve_simulate(&s, &rb, 100000, &o, &r, &e), AIF_OK);
    assert_int_equal(w.per[0], 65);
    assert_int_equal(w.per[1], 35);
    s.serve.router = AIF_ROUTER_LEAST_OUTSTANDING;
    memset(&w, 0, sizeof w);
    assert_int_equal(aif_serve_simulate(&s, &rb, 100000, &o, &r, &e), AIF_OK);
    assert_int_equal(w.per[0], 50);
    assert_int_equal(w.per[1], 50);
}

/* The pooled inter-token latency, by hand on the same lockstep waves: every gap between a
 * request's consecutive tokens is one decode iteration (4 sequences each, so 4 gaps of its
 * time), 280 gaps; their mean is TPOT's mean here (every request has 7 gaps), their
 * nearest-rank median and maximum those of the gaps listed from the iterations (the
 * median within one log bin, 2.3%; the maximum exact). */
static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct itl_watch { double t_s[128]; int n, other; } itl_watch;
static void itl_iter(const aif_serve_iter *it, void *ctx)
{
    itl_watch *w = ctx;
    if (it->prefill_seqs == 0 && it->decode_seqs == 4 && w->n < 128)
        w->t_s[w->n++] = it->time_s;
    else if (it->prefill_seqs == 0)
        w->other++;
}

static void test_itl_pooled(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run r;
    itl_watch w = {{0}, 0, 0};
    aif_serve_opts o = {.on_iteration = itl_iter, .iteration_ctx = &w};
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {tp: 1, requests: 40, input_tokens: 512, output_tokens: 8, concurrency: 4}\n");
    run(&s, &o, &r);
    assert_int_equal(w.n, 70);
    assert_int_equal(w.other, 0);
    double sum = 0, mx = 0;
    for (int i = 0; i < w.n; i++) {
        sum += w.t_s[i];
        mx = w.t_s[i] > mx ? w.t_s[i] : mx;
    }
    qsort(w.t_s, (size_t)w.n, sizeof w.t_s[0], cmp_dbl);
    double med = w.t_s[(int)ceil(0.5 * w.n) - 1];   /* 4 equal gaps each: the same rank among 280 */
    assert_true(fabs(r.serve.itl.mean_s - sum / w.n) < 1e-12);
    assert_true(fabs(r.serve.itl.mean_s - r.serve.tpot.mean_s) < 1e-12);
    assert_true(fabs(r.serve.itl.p50_s - med) <= 0.024 * med);
    assert_true(fabs(r.serve.itl.max_s - mx) < 1e-9 * mx);   /* differences of absolute times */
}

/* The budget rule, by hand (vLLM's scheduler and TensorRT-LLM's MicroBatchScheduler
 * with chunked context alike): running decodes take their token first, then a waiting
 * prompt gets the budget they leave, first come first served.  Budget 64, three
 * sequences decoding, a 100-token prompt waiting: it runs 61 tokens, then the other
 * 39 beside the three decodes; its first token comes out of the second iteration. */
static void test_budget_rule_by_hand(void **state)
{
    (void)state;
    aif_req reqs[4];
    for (int i = 0; i < 3; i++)
        reqs[i] = (aif_req){.arrival_s = 0, .input = 4, .output = 50};
    reqs[3] = (aif_req){.arrival_s = 0, .input = 100, .output = 10};
    aif_req_stream rq = {.r = reqs, .n = 4};
    aif_req_state st[4];
    memset(st, 0, sizeof st);
    aif_sched_cfg cfg = {.max_batch = 16, .token_budget = 64, .chunked = true};
    aif_replica rp;
    aif_err e;
    aif_rc rc;
    int done[17];
    assert_int_equal(aif_replica_init(&rp, 1000, false, &e), AIF_OK);
    for (int i = 0; i < 3; i++)
        assert_int_equal(aif_replica_enqueue(&rp, i, 0, &e), AIF_OK);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 0, &e, &rc), 1);   /* the three short prompts */
    aif_replica_finish(&rp, &cfg, &rq, st, 1, done);
    assert_int_equal(aif_replica_enqueue(&rp, 3, 0, &e), AIF_OK);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 1, &e, &rc), 1);
    assert_true(rp.batch.decode_seqs == 3 && rp.batch.prefill_tokens == 61 && rp.batch.prefill_done == 0);
    aif_replica_finish(&rp, &cfg, &rq, st, 2, done);
    assert_true(st[3].first_token_s == 0);
    assert_int_equal(aif_replica_schedule(&rp, &cfg, &rq, st, 2, &e, &rc), 1);
    assert_true(rp.batch.decode_seqs == 3 && rp.batch.prefill_tokens == 39 && rp.batch.prefill_done == 1);
    aif_replica_finish(&rp, &cfg, &rq, st, 3, done);
    assert_true(st[3].first_token_s == 3);
    aif_replica_free(&rp);
}

static void test_closed_loop(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run r1, r16;
    int mx = 0;
    aif_serve_opts o = {.on_iteration = seqs_max, .iteration_ctx = &mx};
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {tp: 1, requests: 50, input_tokens: 512, output_tokens: 64, concurrency: 1}\n");
    run(&s, &o, &r1);
    assert_int_equal(mx, 1);
    assert_true(fabs(r1.serve.mean_in_system - 1) < 1e-9);
    assert_true(r1.serve.queue.max_s == 0);
    /* one at a time: the run lasts the requests' end-to-end times one after another */
    assert_true(fabs(r1.serve.duration_s - 50 * r1.serve.e2e.mean_s) < 1e-9 * r1.serve.duration_s);
    mx = 0;
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {tp: 1, requests: 800, input_tokens: 512, output_tokens: 64, concurrency: 16, qps: 1000}\n");
    run(&s, &o, &r16);
    assert_int_equal(mx, 16);
    assert_true(r16.serve.mean_in_system <= 16 + 1e-9 && r16.serve.mean_in_system > 15);
    assert_true(fabs(r16.serve.mean_in_system - r16.serve.requests_per_s * r16.serve.e2e.mean_s) <
                1e-6 * r16.serve.mean_in_system);
    assert_true(r16.serve.throughput_tokens_per_s > 5 * r1.serve.throughput_tokens_per_s);
    assert_true(r16.serve.tpot.p50_s > r1.serve.tpot.p50_s);
    aif_err e;
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                               "serve: {concurrency: 4, agentic: {calls: 3}}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.concurrency");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\nserve: {concurrency: 0}\n",
                           &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.concurrency");
    /* the plan sizes for a rate: a closed loop has none */
    load(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "serve: {tp: 1, qps: 2, concurrency: 4, slo: {ttft_p99: 2s}}\n");
    static aif_serve_plan plan;
    const aif_scenario *ps[1] = {&s};
    assert_int_equal(aif_plan_serve(cat, ps, 1, NULL, &plan, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.concurrency");
}

/* fp4 weights keep an fp8 KV cache by default (NVIDIA's NVFP4 checkpoints state
 * kv_cache_quant_algo FP8); an fp4 cache only when asked, holding twice the tokens. */
static void test_fp4_kv_default(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_serve_memory m8, m4;
    aif_err e;
    load(&s, "cluster: {system: hgx-b200, gpus: 1}\nmodel: llama3-70b\nserve: {tp: 1, precision: fp4}\n");
    assert_int_equal(s.serve.kv_precision, AIF_FP8);
    assert_int_equal(aif_serve_memory_eval(&s, &m8, &e), AIF_OK);
    load(&s, "cluster: {system: hgx-b200, gpus: 1}\nmodel: llama3-70b\n"
             "serve: {tp: 1, precision: fp4, kv_precision: fp4}\n");
    assert_int_equal(s.serve.kv_precision, AIF_FP4);
    assert_int_equal(aif_serve_memory_eval(&s, &m4, &e), AIF_OK);
    assert_true(fabs(m8.kv_bytes_per_token - 2 * m4.kv_bytes_per_token) < 1e-9 * m8.kv_bytes_per_token);
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\nserve: {tp: 1, precision: fp8}\n");
    assert_int_equal(s.serve.kv_precision, AIF_FP8);   /* other precisions: the cache follows the weights */
}

/* The serving page's records: the CDFs are the sorted latencies (cdf[50] = p50,
 * cdf[99] = p99, cdf[100] = max, never decreasing); the series' buckets count every
 * iteration once whatever the merges, their peak occupancy is the run's, and the
 * buckets cover the run; the load curve's throughput follows the offered rate at low
 * load and its p99 TTFT rises past capacity. */
static void test_page_records(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run r;
    load(&s, SMALL);
    s.serve.qps = 3;
    s.serve.requests = 3000;   /* long enough for the series to merge its buckets */
    run(&s, NULL, &r);
    const aif_serve_result *v = &r.serve;
    assert_true(v->cdf.ttft_s[50] == v->ttft.p50_s && v->cdf.ttft_s[99] == v->ttft.p99_s);
    assert_true(v->cdf.ttft_s[100] == v->ttft.max_s && v->cdf.e2e_s[90] == v->e2e.p90_s);
    assert_true(v->cdf.tpot_s[50] == v->tpot.p50_s);
    for (int i = 1; i < AIF_SERVE_CDF; i++)
        assert_true(v->cdf.ttft_s[i] >= v->cdf.ttft_s[i - 1] && v->cdf.e2e_s[i] >= v->cdf.e2e_s[i - 1]);
    const aif_serve_series *se = &v->series;
    assert_true(se->n > AIF_SERVE_SERIES / 2 && se->n <= AIF_SERVE_SERIES);
    assert_true(se->dt_s > 1e-3);   /* merged at least once */
    long iters = 0;
    double peak = 0, seqs = 0;
    for (int i = 0; i < se->n; i++) {
        iters += se->iterations[i];
        seqs += se->batch_mean[i] * se->iterations[i];
        peak = fmax(peak, se->kv_peak[i]);
    }
    assert_int_equal(iters, v->iterations);
    assert_true(fabs(seqs - v->mean_batch * v->iterations) < 1e-6 * seqs);
    assert_true(peak == v->kv_cache_peak_fraction);
    assert_true(se->n * se->dt_s >= v->duration_s - v->e2e.max_s && (se->n - 1) * se->dt_s <= v->duration_s);
    static aif_serve_load_curve lc;
    aif_err e;
    s.serve.requests = 400;
    assert_int_equal(aif_run_serve_load_curve(cat, &s, &lc, &e), AIF_OK);
    assert_int_equal(lc.n, AIF_SERVE_LOAD_POINTS);
    assert_true(lc.capacity_rps > 0 && fabs(lc.qps[0] - 0.2 * lc.capacity_rps) < 1e-9 * lc.qps[0]);
    assert_true(fabs(lc.requests_per_s[0] - lc.qps[0]) < 0.2 * lc.qps[0]);
    assert_true(lc.ttft_p99_s[AIF_SERVE_LOAD_POINTS - 1] > 2 * lc.ttft_p99_s[0]);
    s.serve.concurrency = 8;   /* a closed loop sets its own arrivals: no curve */
    assert_int_equal(aif_run_serve_load_curve(cat, &s, &lc, &e), AIF_OK);
    assert_int_equal(lc.n, 0);
}

/* Preemption by swap: long prompts in a small cache, offline.  Nothing is computed
 * twice (prefill tokens = input tokens; recompute computes more); the copies' time is
 * their bytes over the host link, whole tokens of KV cache; swap beats recompute on a
 * fast host link (NVLink-C2C's 450 GB/s) and loses on a slow one (100 MB/s); the
 * host link's default by GPU; swap with no_evict refused. */
static double swap_run(const char *pre, const char *link, aif_serve_run *r)
{
    static aif_scenario s;
    char yaml[512];
    snprintf(yaml, sizeof yaml, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {tp: 1, mode: offline, requests: 120, input_tokens: 8000, output_tokens: 1000, "
             "gpu_memory_fraction: 0.327, preemption: %s, host_link: %s}\n", pre, link);   /* 28 GB, 0.35 of 80 */
    load(&s, yaml);
    run(&s, NULL, r);
    return r->serve.throughput_tokens_per_s;
}

/* Data-parallel attention with wide expert parallelism (serve.dp_attention), by
 * hand on DeepSeek-V3 over 16 H100s in two nodes: each GPU holds the whole
 * attention, dense and shared weights and 1/16 of the routed experts, caches its
 * own sequences' latent (16 times the tokens of tensor parallelism, which keeps
 * the latent on every rank), and runs a decode of 160 sequences as 10 rows on its
 * attention GEMMs, with no tensor-parallel collective, 10 x top 8 tokens
 * dispatched, and its 16 experts fed from the whole batch; the configurations it
 * cannot run are refused at their field. */
static void test_dp_attention(void **state)
{
    (void)state;
    aif_scenario s, t;
    aif_serve_memory m, mt;
    aif_err e;
    const char *dp = "cluster: {system: dgx-h100, gpus: 16}\nmodel: deepseek-v3\n"
                     "serve: {tp: 16, ep: 16, dp_attention: true, precision: fp8}\n";
    load(&s, dp);
    assert_int_equal(aif_serve_memory_eval(&s, &m, &e), AIF_OK);
    aif_dims d;
    aif_model_dims(&s.model, &d);
    double routed = (double)(s.model.layers - s.model.moe.dense_layers) * s.model.moe.experts * d.expert_params;
    double want_w = aif_model_params(&s.model) - routed + routed / 16;   /* fp8: one byte a weight */
    if (fabs(m.weights_bytes - want_w) > 1)
        fail_msg("weights %.6g B per GPU, by hand %.6g", m.weights_bytes, want_w);
    assert_true(m.kv_bytes_per_token == (512 + 64) * 1.0 * 61);
    assert_true(m.kv_blocks == 16 * (long)(m.kv_capacity_bytes / (16 * m.kv_bytes_per_token)));
    assert_true(m.kv_capacity_bytes + m.weights_bytes + m.activations_bytes + m.workspace_bytes <= m.hbm_bytes);
    load(&t, "cluster: {system: dgx-h100, gpus: 16}\nmodel: deepseek-v3\nserve: {tp: 16, ep: 16, precision: fp8}\n");
    assert_int_equal(aif_serve_memory_eval(&t, &mt, &e), AIF_OK);
    assert_true(m.kv_bytes_per_token == mt.kv_bytes_per_token);   /* the latent, whole, in both */
    assert_true(m.kv_blocks > 4 * mt.kv_blocks);                   /* tp replicates it on all 16 */

    /* a decode of 160 sequences: 10 per GPU */
    aif_serve_batch b = {.decode_seqs = 160, .decode_kv_tokens = 160 * 1000.0};
    aif_graph g;
    assert_int_equal(aif_serve_lower_batch(&s, &b, &g, &e), AIF_OK);
    int seen_q = 0, seen_disp = 0, seen_fc1 = 0, seen_attn = 0;
    for (int i = 0; i < g.n_ops; i++) {
        const aif_op *o = &g.ops[i];
        assert_null(strstr(o->name, "tp."));   /* no tensor-parallel collective at all */
        if (!strcmp(o->name, "q.down") && !seen_q++)
            assert_true(o->m == 10);
        if (!strcmp(o->name, "ep.dispatch") && !seen_disp++)
            assert_true(fabs(o->bytes - 10.0 * 8 * 7168 * 1) < 1e-6);
        if (!strcmp(o->name, "expert.fc1") && !seen_fc1++) {
            /* 16 local experts, all reached by 160 x 8 routed tokens; each takes 160 x 8 / 16 / 16 = 5 rows */
            double active = 16 * (1 - pow(1 - 8.0 / 256, 160));
            assert_true(fabs(o->batch - active) < 1e-9);
            assert_true(fabs(o->m - 160.0 * 8 / 16 / active) < 1e-9);
        }
        if (!strcmp(o->name, "attn.decode") && !seen_attn++) {   /* whole heads over 10 sequences' keys */
            assert_true(fabs(o->flops - 2.0 * 128 * 10 * 1000 * (128 + 64 + 128)) < 1);
            assert_true(fabs(o->bytes - (10.0 * 1000 * 576 + 10.0 * 128 * (192 + 128) * 2)) < 1e-6);
        }
    }
    aif_graph_free(&g);
    assert_true(seen_q && seen_disp && seen_fc1 && seen_attn);

    /* the same batch on tensor parallelism over the same GPUs takes longer */
    aif_serve_time td, tt;
    assert_int_equal(aif_serve_lower_batch(&s, &b, &g, &e), AIF_OK);
    aif_serve_graph_time(&s, &g, &td);
    aif_graph_free(&g);
    assert_int_equal(aif_serve_lower_batch(&t, &b, &g, &e), AIF_OK);
    aif_serve_graph_time(&t, &g, &tt);
    aif_graph_free(&g);
    assert_true(td.total_s < tt.total_s);
    assert_true(td.comm_s > 0);

    /* refused: a dense model, ep other than tp, more than one stage */
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-70b\n"
                               "serve: {tp: 8, dp_attention: true}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.dp_attention");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 16}\nmodel: deepseek-v3\n"
                               "serve: {tp: 16, ep: 8, dp_attention: true, precision: fp8}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.ep");
    assert_non_null(strstr(e.msg, "ep 8 must equal tp 16"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 16}\nmodel: deepseek-v3\n"
                               "serve: {tp: 8, pp: 2, ep: 8, dp_attention: true, precision: fp8}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.pp");
}

/* SGLang's large-EP decode (LMSYS blog "Deploying DeepSeek with PD Disaggregation and
 * Large-scale Expert Parallelism on 96 H100 GPUs", 2025-05-05, lm-sys/lm-sys.github.io
 * blog/2025-05-05-large-scale-ep.md at 2db4e4042b31f3c3c9f4f93068ae80946d25a115,
 * "Profile Results", decode table): 9 nodes of 8 H100s, DP attention, EP72 over 256
 * experts and 32 redundant copies (EPLB), 256 sequences per GPU with 2,000-token
 * caches: 22,282 output tokens/s per node.  One decode iteration of that batch here,
 * per node, is within the issue's 25% of it (6% above, with 61% of the iteration in an
 * all-to-all that SGLang's two-batch overlap hides behind compute and the model does not:
 * the model's compute is the faster part); the redundant copies are in the weights, and
 * the slots must split ep ways. */
static void test_dp_attention_sglang_decode(void **state)
{
    (void)state;
    aif_scenario s;
    aif_serve_memory m;
    aif_err e;
    load(&s, "cluster: {system: dgx-h100, gpus: 72}\nmodel: deepseek-v3\n"
             "serve: {tp: 72, ep: 72, dp_attention: true, redundant_experts: 32, precision: fp8,"
             " max_batch: 18432, token_budget: 18432}\n");
    assert_int_equal(aif_serve_memory_eval(&s, &m, &e), AIF_OK);
    aif_dims d;
    aif_model_dims(&s.model, &d);
    double routed = (double)(s.model.layers - s.model.moe.dense_layers) * s.model.moe.experts * d.expert_params;
    double want_w = aif_model_params(&s.model) - routed + routed * 288 / 256 / 72;
    if (fabs(m.weights_bytes - want_w) > 1)
        fail_msg("weights %.6g B per GPU, by hand %.6g", m.weights_bytes, want_w);
    assert_true(m.kv_blocks / 72 * 16 >= 256 * 2000.0);   /* the batch's caches fit */
    aif_serve_batch b = {.decode_seqs = 72 * 256, .decode_kv_tokens = 72 * 256 * 2000.0};
    aif_graph g;
    aif_serve_time t;
    assert_int_equal(aif_serve_lower_batch(&s, &b, &g, &e), AIF_OK);
    aif_serve_graph_time(&s, &g, &t);
    aif_graph_free(&g);
    double per_node = 256 * 8 / t.total_s;
    if (fabs(per_node / 22282 - 1) > 0.25)
        fail_msg("decode %.0f tokens/s per node against SGLang's 22,282", per_node);
    /* the slots split ep ways, or the deployment is refused at ep */
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 72}\nmodel: deepseek-v3\n"
                               "serve: {tp: 72, ep: 72, dp_attention: true, redundant_experts: 16}\n", &e),
                     AIF_EINPUT);
    assert_string_equal(e.path, "serve.ep");
    assert_non_null(strstr(e.msg, "272 slots"));
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                               "serve: {redundant_experts: 8}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.redundant_experts");
}

static void test_swap(void **state)
{
    (void)state;
    static aif_serve_run rec, fast, slow;
    double t_rec = swap_run("recompute", "64GB/s", &rec);
    double t_fast = swap_run("swap", "450GB/s", &fast);
    double t_slow = swap_run("swap", "100MB/s", &slow);
    assert_true(rec.serve.preemptions > 0 && fast.serve.preemptions > 0);
    assert_true(rec.serve.prefill_tokens > rec.serve.input_tokens);
    assert_true(fast.serve.prefill_tokens == fast.serve.input_tokens);
    assert_true(rec.serve.swap_bytes == 0 && fast.serve.swap_bytes > 0);
    double per_tok = fast.serve.mem.kv_bytes_per_token, tokens = fast.serve.swap_bytes / per_tok;
    assert_true(fabs(tokens - floor(tokens + 0.5)) < 1e-6);
    assert_true(fabs(fast.serve.swap_s - fast.serve.swap_bytes / 450e9) < 1e-9 * fast.serve.swap_s);
    assert_true(t_fast > t_rec);
    assert_true(t_slow < t_rec);
    static aif_scenario s;
    load(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\nserve: {tp: 1}\n");
    assert_true(s.serve.host_link_Bps == 64e9);   /* PCIe Gen5 x16 */
    load(&s, "cluster: {system: gb200-nvl72, gpus: 4}\nmodel: llama3-8b\nserve: {tp: 1}\n");
    assert_true(s.serve.host_link_Bps == 450e9);  /* NVLink-C2C to Grace */
    load(&s, "cluster: {gpu: a100-80g, gpus: 1}\nmodel: llama3-8b\nserve: {tp: 1}\n");
    assert_true(s.serve.host_link_Bps == 32e9);   /* PCIe Gen4 x16 */
    aif_err e;
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                               "serve: {preemption: swap, admission: no_evict}\n", &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.preemption");
    assert_int_equal(parse(&s, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\nserve: {preemption: swapp}\n",
                           &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.preemption");
}

static void test_agentic(void **state)
{
    (void)state;
    static aif_scenario s;
    static aif_serve_run a, b;
    const char *y = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                    "serve: {tp: 1, qps: 1, requests: %d, input_tokens: 300, output_tokens: 100, seed: 3,"
                    " prefix_caching: %s, agentic: {calls: 8, system_prompt: 1000, tool_latency: 2s}}\n";
    char t[512];
    snprintf(t, sizeof t, y, 8, "true");
    load(&s, t);
    aif_req_stream rq;
    aif_err e;
    assert_int_equal(aif_requests_load(&s.serve, &rq, &e), AIF_OK);
    assert_int_equal(rq.n, 8);
    assert_int_equal(rq.n_open, 1);
    double think = 0;
    long k = 0, calls = 1;
    assert_int_equal(rq.r[0].input, 1000 + 300);
    for (long q = 0; rq.link[q].next >= 0; q = rq.link[q].next, calls++) {
        long nx = rq.link[q].next;
        assert_int_equal(rq.r[nx].input, rq.r[q].input + rq.r[q].output + 300);
        assert_true(rq.link[q].think_s > 0);
        think += rq.link[q].think_s;
        k = nx;
    }
    assert_int_equal(calls, 8);
    assert_int_equal(rq.link[k].next, -1);
    aif_requests_free(&rq);
    run(&s, NULL, &a);
    assert_int_equal(a.serve.sessions, 1);
    assert_true(fabs(a.serve.session.mean_s - (8 * a.serve.e2e.mean_s + think)) < 1e-9 * a.serve.session.mean_s);
    assert_true(a.serve.prefix_hit_fraction > 0.6);
    snprintf(t, sizeof t, y, 8, "false");
    load(&s, t);
    run(&s, NULL, &b);
    assert_true(b.serve.prefix_hit_fraction == 0);
    assert_true(b.serve.ttft.mean_s > a.serve.ttft.mean_s);
    snprintf(t, sizeof t, "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
             "serve: {trace: x.csv, agentic: {calls: 4}}\n");
    assert_int_equal(parse(&s, t, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.agentic");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_equals_fresh_graph), cmocka_unit_test(test_hand_decode_dense),
        cmocka_unit_test(test_split_gemm_is_memory_time),
        cmocka_unit_test(test_memory),                  cmocka_unit_test(test_section_errors),
        cmocka_unit_test(test_traces),                  cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_kv_never_exceeds),        cmocka_unit_test(test_littles_law),
        cmocka_unit_test(test_past_capacity),           cmocka_unit_test(test_replicas_lower_ttft),
        cmocka_unit_test(test_bandwidth_monotone),      cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_prefix_cache),            cmocka_unit_test(test_power_and_cost),
        cmocka_unit_test(test_routers),                 cmocka_unit_test(test_moe_active_experts),
        cmocka_unit_test(test_bursty),                  cmocka_unit_test(test_no_evict_never_preempts),
        cmocka_unit_test(test_admission_field),         cmocka_unit_test(test_kv_memory_free), cmocka_unit_test(test_closed_loop_waves), cmocka_unit_test(test_itl_pooled),
        cmocka_unit_test(test_budget_rule_by_hand),         cmocka_unit_test(test_no_evict_by_hand),
        cmocka_unit_test(test_plan), cmocka_unit_test(test_plan_splits_eps),                    cmocka_unit_test(test_speculative),
        cmocka_unit_test(test_disaggregation),           cmocka_unit_test(test_daily_curve),
        cmocka_unit_test(test_agentic),                 cmocka_unit_test(test_closed_loop),
        cmocka_unit_test(test_fp4_kv_default),          cmocka_unit_test(test_page_records),
        cmocka_unit_test(test_swap),                    cmocka_unit_test(test_dp_attention),
        cmocka_unit_test(test_window_batch_sums), cmocka_unit_test(test_window_attention),
        cmocka_unit_test(test_window_cache_by_hand), cmocka_unit_test(test_window_serving_run),
        cmocka_unit_test(test_weight_and_expert_precision), cmocka_unit_test(test_window_tight_cache),
        cmocka_unit_test(test_dp_attention_sglang_decode), cmocka_unit_test(test_sglang_admission_by_hand),
        cmocka_unit_test(test_sglang_retract_by_hand),     cmocka_unit_test(test_sglang_field),
        cmocka_unit_test(test_sglang_run), cmocka_unit_test(test_overlap_schedule_by_hand), cmocka_unit_test(test_cache_router_by_hand), cmocka_unit_test(test_kv_flows_by_hand), cmocka_unit_test(test_pp_in_flight_by_hand),                 cmocka_unit_test(test_sglang_chunks_by_hand),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
