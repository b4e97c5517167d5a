/* test_recompute_modules.c -- selective recompute by module (train.recompute_modules,
 * Megatron-Core's --recompute-modules) on a small MLA + MoE model of one dense and three MoE
 * layers, pp 1, tp 1, ep 1, one microbatch per step: each module's activation saving, the
 * FLOPs it replays (HFU over MFU) and the ops it replays, by hand from the model's widths;
 * the estimate's recompute time is the replayed ops' own times, and the simulating engine
 * books it too; core_attn alone is selective as before, to the bit; bad names, modules
 * without selective and mla_up_proj without MLA are refused naming the field.  And a full
 * recompute that keeps outputs (train.recompute_saved, MaxText's remat policies): what it
 * keeps and what it no longer replays, by hand, in both engines.  And a full recompute of
 * the first layers of each pipeline chunk (train.recompute_layers, Megatron-Core's block
 * method): the layers it replays and those it keeps whole, per stage, in FLOPs, memory and
 * time, in both engines.  And a stack whose full recompute replays only what the backward
 * reads (framework replay_pruned): the dense MLP's output projection and residual add left
 * out, by hand, in both engines; a MoE layer's shared expert's down projection and residual
 * add too, its routed experts and their permutation back not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/graph.h"
#include "aifsim/sim.h"
#include "engine/estimate.h"
#include "hw/compute.h"
#include "workload/memory.h"
#include "workload/schedule.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* The model's widths, as the scenario below writes them */
enum { L = 4, N_DENSE = 1, N_MOE = 3, H = 1024, HEADS = 8, FFN = 2048, E = 8, K = 2, FE = 512, QL = 256, KVL = 128,
       NOPE = 64, ROPE = 32, V = 64, SEQ = 1024, GBS = 8 };
static const double T = SEQ, GM = 2;   /* tokens per microbatch (mbs 1, tp 1, cp 1); swiglu */
static const double Q_DIM = HEADS * (NOPE + ROPE), KV_DIM = HEADS * (NOPE + V);

static const char *yaml(const char *attn)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "cluster: {system: dgx-h100, gpus: 8}\n"
             "model: {base: deepseek-v3, activation: swiglu, norm: rmsnorm, position: rope, layers: %d, hidden: %d,\n"
             "        heads: %d, kv_heads: %d, head_dim: %d, ffn: %d, vocab: 4096, mtp_layers: 0, attention: %s,\n"
             "        moe: {experts: %d, top_k: %d, shared_experts: 1, expert_ffn: %d, dense_layers: %d, max_nodes: 0},\n"
             "        mla: {q_lora_rank: %d, kv_lora_rank: %d, qk_nope_head_dim: %d, qk_rope_head_dim: %d,\n"
             "              v_head_dim: %d}}\n"
             "train: {tp: 1, pp: 1, ep: 1, mbs: 1, gbs: %d, seq: %d}\n",
             L, H, HEADS, HEADS, V, FFN, attn, E, K, FE, N_DENSE, QL, KVL, NOPE, ROPE, V, GBS, SEQ);
    return buf;
}

/* the scenario with recompute `rc` and modules `mods` (NULL: not given) */
static void scen(const char *rc, const char *mods, const char *attn_kernel, aif_scenario *s)
{
    aif_override ov[3] = {{"train.recompute", rc, "o"}, {"train.attention", attn_kernel, "o"}};
    int n = 2;
    if (mods)
        ov[n++] = (aif_override){"train.recompute_modules", mods, "o"};
    aif_err e;
    const char *y = yaml("mla");
    if (aif_scenario_parse(cat, y, strlen(y), "t", ov, n, s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
}

static void est(const aif_scenario *s, aif_train_result *r)
{
    aif_err e;
    if (aif_estimate(s, r, &e) != AIF_OK)
        fail_msg("%s", e.msg);
}

/* activation bytes the module saves by hand (pp 1, one microbatch in flight) */
static double saving_by_hand(const char *mod)
{
    double slots = T * K, fs = FE;
    if (!strcmp(mod, "layernorm"))   /* each norm's output: qkv's input; fc1's; the router's and shared fc1's */
        return N_DENSE * (2 * T * H + 2 * T * H) + N_MOE * (2 * T * H + 2 * T * H + 2 * T * H);
    if (!strcmp(mod, "mlp"))   /* fc1's output (the activation's input) and the activation's output */
        return N_DENSE * (2 * T * FFN * GM + 2 * T * FFN);
    if (!strcmp(mod, "moe"))   /* dispatched tokens, experts' fc1 and act outputs, shared fc1 input and outputs */
        return N_MOE * (2 * slots * H + 2 * slots * FE * GM + 2 * slots * FE + 2 * T * H + 2 * T * fs * GM + 2 * T * fs);
    if (!strcmp(mod, "shared_experts"))
        return N_MOE * (2 * T * fs * GM + 2 * T * fs);
    if (!strcmp(mod, "moe_act"))   /* the routed experts' activation output */
        return N_MOE * 2 * slots * FE;
    if (!strcmp(mod, "mla_up_proj"))   /* the attention core's query, key and value */
        return L * 2 * T * (Q_DIM + KV_DIM);
    return 0;   /* core_attn: flash attention keeps no scores */
}

/* recomputed forward FLOPs per sequence by hand (whole model) */
static double flops_by_hand(const char *mod)
{
    if (!strcmp(mod, "mlp"))
        return N_DENSE * 2 * (3.0 * H * FFN) * SEQ;
    if (!strcmp(mod, "moe"))   /* router, shared expert, top-k routed experts */
        return N_MOE * 2 * (1.0 * H * E + 3.0 * H * FE + K * 3.0 * H * FE) * SEQ;
    if (!strcmp(mod, "shared_experts"))
        return N_MOE * 2 * (3.0 * H * FE) * SEQ;
    if (!strcmp(mod, "mla_up_proj"))
        return L * 2 * (1.0 * QL * Q_DIM + 1.0 * KVL * KV_DIM) * SEQ;
    return 0;   /* norms, activations, flash attention core */
}

/* GEMM FLOPs per GPU per microbatch the module's replay books in one layer of each kind */
static void replay_gemm_by_hand(const char *mod, double *dense, double *moe)
{
    *dense = *moe = 0;
    if (!strcmp(mod, "mlp"))
        *dense = 2 * T * H * FFN * GM + 2 * T * FFN * H;
    else if (!strcmp(mod, "moe"))
        *moe = 2 * T * H * E + 2 * T * K * H * FE * GM + 2 * T * K * FE * H + 2 * T * H * FE * GM + 2 * T * FE * H;
    else if (!strcmp(mod, "shared_experts"))
        *moe = 2 * T * H * FE * GM + 2 * T * FE * H;
    else if (!strcmp(mod, "mla_up_proj"))
        *dense = *moe = 2 * T * QL * Q_DIM + 2 * T * KVL * KV_DIM;
}

static const char *const all_mods[] = {"core_attn", "layernorm", "mlp", "moe", "shared_experts", "moe_act", "mla_up_proj"};

static void test_each_module_by_hand(void **state)
{
    (void)state;
    aif_scenario s0;
    aif_train_result r0;
    scen("none", NULL, "flash3", &s0);
    est(&s0, &r0);
    for (size_t i = 0; i < sizeof all_mods / sizeof all_mods[0]; i++) {
        aif_scenario s;
        aif_train_result r;
        scen("selective", all_mods[i], "flash3", &s);
        est(&s, &r);
        /* memory: what the module drops, nothing else */
        double saved = r0.mem.activations_bytes - r.mem.activations_bytes, want = saving_by_hand(all_mods[i]);
        if (fabs(saved - want) > 1e-9 * r0.mem.activations_bytes)
            fail_msg("%s: activations %.0f -> %.0f, saving %.0f, by hand %.0f", all_mods[i], r0.mem.activations_bytes,
                     r.mem.activations_bytes, saved, want);
        /* FLOPs: the replayed forward in HFU, not in MFU */
        assert_true(r.model_flops_per_step == r0.model_flops_per_step);
        double extra = r.hw_flops_per_step - r.model_flops_per_step, fw = flops_by_hand(all_mods[i]) * GBS;
        if (fabs(extra - fw) > 1e-9 * fw + 1)
            fail_msg("%s: recomputed %.6g FLOPs per step, by hand %.6g", all_mods[i], extra, fw);
        /* the graph: the replayed GEMMs' FLOPs by hand, booked as recompute; their time the
         * estimate's recompute time (one microbatch, pp 1, no collective on one GPU) */
        aif_graph g;
        aif_err e;
        if (aif_graph_lower(&s, &g, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        double gemm[2] = {0, 0}, t_s[2] = {0, 0};
        int n_rc = 0;
        for (int k = 0; k < 2; k++) {
            const aif_segment *sg = &g.seg[k ? AIF_SEG_MOE_BWD : AIF_SEG_DENSE_BWD];
            for (int j = sg->first; j < sg->first + sg->n; j++) {
                const aif_op *o = &g.ops[j];
                if (o->cat != AIF_CAT_RECOMPUTE)
                    continue;
                n_rc++;
                if (o->kind == AIF_OP_GEMM)
                    gemm[k] += o->flops;
                t_s[k] += aif_compute_time(&s.cluster.gpu, o, aif_graph_clock(&s, &g));   /* the job's pace */
            }
        }
        double hd, hm;
        replay_gemm_by_hand(all_mods[i], &hd, &hm);
        if (fabs(gemm[0] - hd) > 1e-9 * hd + 1 || fabs(gemm[1] - hm) > 1e-9 * hm + 1)
            fail_msg("%s: replayed GEMM FLOPs dense %.6g moe %.6g, by hand %.6g and %.6g", all_mods[i], gemm[0], gemm[1],
                     hd, hm);
        double rc_s = N_DENSE * t_s[0] + N_MOE * t_s[1];
        if (fabs(r.bd.recompute_s - rc_s) > 1e-9 * rc_s + 1e-15)
            fail_msg("%s: recompute %.9g s, its ops %.9g s", all_mods[i], r.bd.recompute_s, rc_s);
        /* every module but core_attn (flash attention keeps no scores) replays something, and pays
         * for it */
        if (!strcmp(all_mods[i], "core_attn")) {
            assert_int_equal(n_rc, 0);
            assert_true(r.step_time_s == r0.step_time_s);
        } else {
            assert_true(n_rc > 0 && r.bd.recompute_s > 0);
            assert_true(r.step_time_s > r0.step_time_s);
        }
        aif_graph_free(&g);
    }
}

/* the simulating engine runs the same graph: it books the replays as recompute too */
static void test_simulation_books_it(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result a, b;
    aif_err e;
    scen("selective", "mlp,moe", "flash3", &s);
    est(&s, &a);
    if (aif_simulate(&s, NULL, &b, NULL, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    assert_true(b.bd.recompute_s > 0);
    if (fabs(b.bd.recompute_s / a.bd.recompute_s - 1) > 0.05)
        fail_msg("recompute: estimate %.6g s, simulation %.6g s", a.bd.recompute_s, b.bd.recompute_s);
}

/* core_attn alone is selective as it was, to the bit, fused or not; and modules together
 * save what each saves alone (where they do not nest) */
static void test_core_attn_is_selective(void **state)
{
    (void)state;
    const char *kernels[] = {"flash3", "unfused"};
    for (int k = 0; k < 2; k++) {
        aif_scenario a, b;
        aif_train_result ra, rb;
        scen("selective", NULL, kernels[k], &a);
        scen("selective", "core_attn", kernels[k], &b);
        est(&a, &ra);
        est(&b, &rb);
        assert_true(ra.step_time_s == rb.step_time_s);
        assert_true(ra.hw_flops_per_step == rb.hw_flops_per_step);
        assert_true(ra.mem.total_bytes == rb.mem.total_bytes);
        assert_true(ra.bd.recompute_s == rb.bd.recompute_s);
    }
    /* unfused: without core_attn the scores stay (HEADS x SEQ x SEQ x 2 bytes per layer) */
    aif_scenario a, b;
    aif_train_result ra, rb;
    scen("selective", "core_attn,mlp", "unfused", &a);
    scen("selective", "mlp", "unfused", &b);
    est(&a, &ra);
    est(&b, &rb);
    double scores = 2.0 * HEADS * (double)SEQ * SEQ;   /* every layer, dense or MoE, keeps them */
    double la[2], lb[2];
    aif_memory_layer_bytes(&a, la);
    aif_memory_layer_bytes(&b, lb);
    for (int k = 0; k < 2; k++)
        assert_true(fabs(lb[k] - la[k] - scores) < 1e-9 * scores);
    assert_true(rb.mem.activations_bytes > ra.mem.activations_bytes);
    /* layernorm and mla_up_proj touch different tensors: together they save the sum */
    aif_scenario c, d;
    aif_train_result rc, r0;
    scen("selective", "layernorm,mla_up_proj", "flash3", &c);
    scen("none", NULL, "flash3", &d);
    est(&c, &rc);
    est(&d, &r0);
    double sum = saving_by_hand("layernorm") + saving_by_hand("mla_up_proj");
    assert_true(fabs(r0.mem.activations_bytes - rc.mem.activations_bytes - sum) < 1e-9 * sum);
}

/* a list in YAML and "a,b" on --set are the same modules */
static void test_list_or_commas(void **state)
{
    (void)state;
    aif_scenario a, b;
    aif_err e;
    char y[1200];
    snprintf(y, sizeof y, "%s", yaml("mla"));
    char *tr = strstr(y, "seq: 1024}");
    assert_non_null(tr);
    snprintf(tr, sizeof y - (size_t)(tr - y), "seq: 1024, recompute: selective, recompute_modules: [moe_act, layernorm]}\n");
    if (aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &a, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    scen("selective", " layernorm , moe_act", "flash3", &b);
    assert_int_equal(a.train.recompute_modules, 1u << AIF_RCM_LAYERNORM | 1u << AIF_RCM_MOE_ACT);
    assert_int_equal(b.train.recompute_modules, a.train.recompute_modules);
}

/* Full recompute keeping the query, key and value projections (MaxText's save_qkv_proj) on a
 * dense GQA model: the activations grow by the kept layers' q, k and v outputs, the replay loses
 * the qkv GEMM (its FLOPs leave HFU, MFU unchanged) and the recompute time its time; the
 * simulating engine agrees; keeping the attention output drops the replayed attention too;
 * keeping the MLP's input projections (mlpwi) as well grows the activations by their gate and
 * up outputs and drops the fc1 GEMM from the replay. */
static void test_full_keeping_outputs(void **state)
{
    (void)state;
    enum { DL = 4, DH = 2048, DHEADS = 16, DKV = 4, DHD = 128, DFFN = 5632, DSEQ = 2048 };
    static const char y[] =
        "cluster: {system: dgx-h100, gpus: 8}\n"
        "model: {base: llama3-8b, arch: llama, layers: 4, hidden: 2048, heads: 16, kv_heads: 4, head_dim: 128, ffn: 5632,\n"
        "        vocab: 4096}\n"
        "train: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 2048, recompute: full}\n";
    aif_train_result r[4], sim;
    aif_scenario s[4];
    static const char *const kept[4] = {NULL, "qkv_proj", "qkv_proj,context", "qkv_proj,mlpwi"};
    for (int i = 0; i < 4; i++) {
        aif_override ov[1] = {{"train.recompute_saved", kept[i], "o"}};
        aif_err e;
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, kept[i] ? 1 : 0, &s[i], &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        est(&s[i], &r[i]);
    }
    double qkv_out = 2.0 * DSEQ * (DHEADS * DHD + 2 * DKV * DHD);   /* bf16 bytes a layer */
    /* every layer keeps them; the one being replayed held them anyway (its transient is the
     * whole layer's activations less what it kept) */
    double grew = r[1].mem.activations_bytes - r[0].mem.activations_bytes;
    if (fabs(grew / ((DL - 1) * qkv_out) - 1) > 1e-9)
        fail_msg("activations grew %.6g B, by hand %.6g", grew, (DL - 1) * qkv_out);
    assert_true(r[1].bd.recompute_s > 0 && r[1].bd.recompute_s < r[0].bd.recompute_s);
    assert_true(r[2].bd.recompute_s < r[1].bd.recompute_s);   /* the attention forward not replayed either */
    assert_true(r[2].mem.activations_bytes > r[1].mem.activations_bytes);
    /* the replayed FLOPs (hw over model FLOPs) lose the qkv GEMM's, a step of gbs sequences */
    double qkv_flops = 2.0 * DSEQ * DH * (DHEADS * DHD + 2 * DKV * DHD) * DL * 8;
    assert_true(fabs(r[1].model_flops_per_step / r[0].model_flops_per_step - 1) < 1e-12);
    double lost = r[0].hw_flops_per_step - r[1].hw_flops_per_step;
    if (fabs(lost / qkv_flops - 1) > 1e-9)
        fail_msg("replayed FLOPs fell by %.6g, the qkv GEMMs' by hand %.6g", lost, qkv_flops);
    /* mlpwi: the gated MLP's two input projections, DFFN wide each, in bf16 */
    double fc1_out = 2.0 * DSEQ * 2 * DFFN, fc1_flops = 2.0 * DSEQ * DH * 2 * DFFN * DL * 8;
    grew = r[3].mem.activations_bytes - r[1].mem.activations_bytes;
    if (fabs(grew / ((DL - 1) * fc1_out) - 1) > 1e-9)
        fail_msg("keeping mlpwi: activations grew %.6g B, by hand %.6g", grew, (DL - 1) * fc1_out);
    lost = r[1].hw_flops_per_step - r[3].hw_flops_per_step;
    if (fabs(lost / fc1_flops - 1) > 1e-9)
        fail_msg("keeping mlpwi: replayed FLOPs fell by %.6g, the fc1 GEMMs' by hand %.6g", lost, fc1_flops);
    assert_true(r[3].bd.recompute_s < r[1].bd.recompute_s);
    aif_err e;
    if (aif_simulate(&s[1], NULL, &sim, NULL, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    if (fabs(sim.bd.recompute_s / r[1].bd.recompute_s - 1) > 0.05)
        fail_msg("recompute: estimate %.6g s, simulation %.6g s", r[1].bd.recompute_s, sim.bd.recompute_s);
    /* in fp8 the replay still quantizes a kept GEMM's input (its weight gradient reads that
     * copy): every replayed layer casts for qkv, out, fc1 and fc2 whatever it keeps, and
     * replays no GEMM it kept */
    for (int i = 0; i < 3; i++) {
        aif_override ov[2] = {{"train.precision", "fp8", "o"},
                              {"train.recompute_saved", i == 2 ? "qkv_proj,out_proj,mlpwo,mlpwi" : "qkv_proj,out_proj,mlpwo", "o"}};
        aif_scenario f;
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, i == 0 ? 1 : 2, &f, &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        aif_graph g;
        if (aif_graph_lower(&f, &g, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        const aif_segment *sg = &g.seg[AIF_SEG_DENSE_BWD];
        int casts = 0, gemms = 0;
        for (int j = sg->first; j < sg->first + sg->n; j++) {
            const aif_op *o = &g.ops[j];
            if (o->cat != AIF_CAT_RECOMPUTE)
                continue;
            casts += !strcmp(o->name, "fp8.cast");
            gemms += o->kind == AIF_OP_GEMM;
        }
        aif_graph_free(&g);
        assert_int_equal(casts, 4);
        assert_int_equal(gemms, i == 0 ? 4 : i == 1 ? 1 : 0);   /* kept: qkv, out and fc2 (fc1 replayed), then all */
    }
}

/* The replay's ops of one backward segment: its GEMMs, and whether it has an op named `name` */
static void replayed(const aif_scenario *s, int seg, int *gemms, int *has, const char *name)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    const aif_segment *sg = &g.seg[seg];
    *gemms = *has = 0;
    for (int j = sg->first; j < sg->first + sg->n; j++) {
        const aif_op *o = &g.ops[j];
        if (o->cat != AIF_CAT_RECOMPUTE)
            continue;
        *gemms += o->kind == AIF_OP_GEMM;
        *has |= !strcmp(o->name, name);
    }
    aif_graph_free(&g);
}

/* A stack that replays only what the backward reads (framework replay_pruned: JAX's remat,
 * torch.compile's partitioner) leaves the dense MLP's output projection and the residual add
 * after it out of a full recompute: the replayed FLOPs fall by fc2's, by hand, the graph
 * replays three GEMMs instead of four and no residual add, the recompute time falls by more
 * than keeping fc2's output would (mlpwo: its GEMM, not the add), both engines agree; a MoE
 * layer replays its routed experts and their permutation back (the router's gradient reads
 * their outputs) but not its shared expert's down projection or its residual add. */
static void test_replay_pruned(void **state)
{
    (void)state;
    enum { DL = 4, DH = 2048, DFFN = 5632, DSEQ = 2048, DGBS = 8 };
    static const char y[] =
        "cluster: {system: dgx-h100, gpus: 8}\n"
        "model: {base: llama3-8b, arch: llama, layers: 4, hidden: 2048, heads: 16, kv_heads: 4, head_dim: 128, ffn: 5632,\n"
        "        vocab: 4096}\n"
        "train: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 2048, recompute: full}\n";
    aif_scenario s[3];
    aif_train_result r[3], sim;
    aif_err e;
    for (int i = 0; i < 3; i++) {
        aif_override ov[1] = {{"train.recompute_saved", "mlpwo", "o"}};
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, i == 2, &s[i], &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
    }
    assert_false(s[0].framework.replay_pruned);   /* Megatron-Core: a reentrant checkpoint */
    s[1].framework.replay_pruned = true;
    for (int i = 0; i < 3; i++)
        est(&s[i], &r[i]);
    double fc2_flops = 2.0 * DSEQ * DFFN * DH * DL * DGBS;
    double lost = r[0].hw_flops_per_step - r[1].hw_flops_per_step;
    if (fabs(lost / fc2_flops - 1) > 1e-9)
        fail_msg("replayed FLOPs fell by %.6g, fc2's by hand %.6g", lost, fc2_flops);
    assert_true(fabs(r[1].hw_flops_per_step / r[2].hw_flops_per_step - 1) < 1e-12);
    assert_true(fabs(r[1].model_flops_per_step / r[0].model_flops_per_step - 1) < 1e-12);
    assert_true(r[1].bd.recompute_s < r[2].bd.recompute_s && r[2].bd.recompute_s < r[0].bd.recompute_s);
    assert_true(r[1].step_time_s < r[0].step_time_s);
    int gemms[2], res[2];
    replayed(&s[0], AIF_SEG_DENSE_BWD, &gemms[0], &res[0], "residual2");
    replayed(&s[1], AIF_SEG_DENSE_BWD, &gemms[1], &res[1], "residual2");
    assert_int_equal(gemms[0], 4);
    assert_int_equal(gemms[1], 3);
    assert_true(res[0] && !res[1]);
    if (aif_simulate(&s[1], NULL, &sim, NULL, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    if (fabs(sim.bd.recompute_s / r[1].bd.recompute_s - 1) > 0.05)
        fail_msg("recompute: estimate %.6g s, simulation %.6g s", r[1].bd.recompute_s, sim.bd.recompute_s);
    /* the MoE layers of the MLA + MoE model above: the routed experts replayed (the router's
     * gradient reads their outputs, put back in token order), the shared expert's down
     * projection and the residual add not; the replayed FLOPs fall by the dense and shared down
     * projections', by hand */
    aif_scenario m[2];
    aif_train_result mr[2];
    for (int i = 0; i < 2; i++) {
        scen("full", NULL, "flash3", &m[i]);
        m[i].framework.replay_pruned = i == 1;
        est(&m[i], &mr[i]);
    }
    int mg[2], mh[2], mu[2], dummy;
    replayed(&m[0], AIF_SEG_MOE_BWD, &mg[0], &mh[0], "residual2");
    replayed(&m[1], AIF_SEG_MOE_BWD, &mg[1], &mh[1], "residual2");
    replayed(&m[0], AIF_SEG_MOE_BWD, &dummy, &mu[0], "moe.unpermute");
    replayed(&m[1], AIF_SEG_MOE_BWD, &dummy, &mu[1], "moe.unpermute");
    assert_true(mg[0] > 1);
    assert_int_equal(mg[1], mg[0] - 1);
    assert_true(mh[0] && !mh[1] && mu[0] && mu[1]);
    /* at tp 2 the shared expert's reduce-scatter goes with its down projection */
    {
        aif_scenario t2[2];
        for (int i = 0; i < 2; i++) {
            aif_override ov[3] = {{"train.recompute", "full", "o"}, {"train.tp", "2", "o"}, {"train.sp", "true", "o"}};
            const char *yy = yaml("mla");
            if (aif_scenario_parse(cat, yy, strlen(yy), "t", ov, 3, &t2[i], &e) != AIF_OK)
                fail_msg("%s: %s", e.path, e.msg);
            t2[i].framework.replay_pruned = i == 1;
        }
        int rs[2] = {0, 0};   /* the replay's (a collective: booked to TP), the backward's is .grad */
        for (int i = 0; i < 2; i++) {
            aif_graph g;
            if (aif_graph_lower(&t2[i], &g, &e) != AIF_OK)
                fail_msg("%s", e.msg);
            const aif_segment *sg = &g.seg[AIF_SEG_MOE_BWD];
            for (int j = sg->first; j < sg->first + sg->n; j++)
                rs[i] += !strcmp(g.ops[j].name, "tp.rs.shared");
            aif_graph_free(&g);
        }
        assert_true(rs[0] == 1 && rs[1] == 0);
    }
    double down = (N_DENSE * 2.0 * FFN * H + N_MOE * 2.0 * FE * H) * SEQ * GBS;
    lost = mr[0].hw_flops_per_step - mr[1].hw_flops_per_step;
    if (fabs(lost / down - 1) > 1e-9)
        fail_msg("MoE model: replayed FLOPs fell by %.6g, the down projections' by hand %.6g", lost, down);
}

/* Full recompute of the first n layers of each chunk (train.recompute_layers) on the dense
 * 4-layer model above: n = 4 is full recompute to the bit; the replayed FLOPs (HFU) and the
 * recompute time are n/4 of full recompute's; each layer kept whole holds a layer's
 * activations without recompute instead of its input (the memory is linear in n); the step
 * lies between none and full, and the simulating engine agrees.  With pp 2 and vpp 2 (four
 * chunks of one layer) n = 1 replays them all; with 8 layers (chunks of two) every rank
 * keeps two layers whole and half the FLOPs replay.  A MoE model's dense prefix: the stage
 * counts the kept layers by kind. */
static void test_recompute_layers(void **state)
{
    (void)state;
    static const char y[] =
        "cluster: {system: dgx-h100, gpus: 8}\n"
        "model: {base: llama3-8b, arch: llama, layers: 4, hidden: 2048, heads: 16, kv_heads: 4, head_dim: 128, ffn: 5632,\n"
        "        vocab: 4096}\n"
        "train: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 2048}\n";
    aif_train_result r[6], sim;
    aif_scenario s[6];
    static const char *const rc[6] = {"none", "full", "full", "full", "full", "full"};
    static const char *const n[6] = {NULL, NULL, "1", "2", "3", "4"};
    aif_err e;
    for (int i = 0; i < 6; i++) {
        aif_override ov[2] = {{"train.recompute", rc[i], "o"}, {"train.recompute_layers", n[i], "o"}};
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, n[i] ? 2 : 1, &s[i], &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        est(&s[i], &r[i]);
    }
    /* every layer's first n: all four, as full recompute; 0 says every layer too */
    {
        aif_override ov[2] = {{"train.recompute", "full", "o"}, {"train.recompute_layers", "0", "o"}};
        aif_scenario z;
        aif_train_result rz;
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, 2, &z, &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        est(&z, &rz);
        assert_true(rz.step_time_s == r[1].step_time_s && rz.mem.total_bytes == r[1].mem.total_bytes);
    }
    assert_true(r[5].step_time_s == r[1].step_time_s && r[5].mem.total_bytes == r[1].mem.total_bytes);
    assert_true(r[5].hw_flops_per_step == r[1].hw_flops_per_step);
    double replay = r[1].hw_flops_per_step - r[0].hw_flops_per_step;
    for (int k = 1; k <= 3; k++) {
        const aif_train_result *x = &r[1 + k];
        if (fabs((x->hw_flops_per_step - r[0].hw_flops_per_step) / (replay * k / 4) - 1) > 1e-9)
            fail_msg("n %d: replayed FLOPs %.6g, a quarter of full's a layer %.6g", k,
                     x->hw_flops_per_step - r[0].hw_flops_per_step, replay * k / 4);
        if (fabs(x->bd.recompute_s / (r[1].bd.recompute_s * k / 4) - 1) > 1e-9)
            fail_msg("n %d: recompute %.6g s, full's x %d/4 %.6g s", k, x->bd.recompute_s, k, r[1].bd.recompute_s * k / 4);
        assert_true(x->step_time_s > r[0].step_time_s && x->step_time_s < r[1].step_time_s);
    }
    /* each layer kept whole adds the same bytes: a layer's activations less its input */
    double per_layer = r[2].mem.activations_bytes - r[3].mem.activations_bytes;
    assert_true(per_layer > 0);
    assert_true(fabs((r[3].mem.activations_bytes - r[4].mem.activations_bytes) / per_layer - 1) < 1e-9);
    assert_true(fabs((r[4].mem.activations_bytes - r[5].mem.activations_bytes) / per_layer - 1) < 1e-9);
    if (aif_simulate(&s[3], NULL, &sim, NULL, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    if (fabs(sim.step_time_s / r[3].step_time_s - 1) > 0.05 || fabs(sim.bd.recompute_s / r[3].bd.recompute_s - 1) > 0.05)
        fail_msg("n 2: estimate %.6g s (recompute %.6g), simulation %.6g s (%.6g)", r[3].step_time_s,
                 r[3].bd.recompute_s, sim.step_time_s, sim.bd.recompute_s);
    /* per chunk: pp 2, vpp 2 */
    for (int layers = 4; layers <= 8; layers += 4) {
        aif_override ov[6] = {{"train.recompute", "full", "o"}, {"train.recompute_layers", "1", "o"},
                              {"train.pp", "2", "o"}, {"train.vpp", "2", "o"},
                              {"model.layers", layers == 4 ? "4" : "8", "o"}, {"train.gbs", "16", "o"}};
        aif_scenario p;
        if (aif_scenario_parse(cat, y, strlen(y), "t", ov, 6, &p, &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        aif_graph g, gf;
        if (aif_graph_lower(&p, &g, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        p.train.recompute_layers = 0;
        if (aif_graph_lower(&p, &gf, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        for (int k = 0, nc = aif_graph_n_stage_classes(&g); k < nc; k++) {
            aif_stage_class c;
            aif_graph_stage_class(&g, k, &c);
            assert_int_equal(c.st.keep_dense, layers == 4 ? 0 : 2);   /* two chunks of two a rank: one kept each */
            assert_int_equal(c.st.keep_moe, 0);
        }
        double share = g.recompute_flops_per_microbatch / gf.recompute_flops_per_microbatch;
        if (fabs(share - (layers == 4 ? 1 : 0.5)) > 1e-12)
            fail_msg("%d layers: replayed share %.17g", layers, share);
        assert_true(g.seg[AIF_SEG_DENSE_BWD_KEEP].n > 0);   /* lowered whenever the field is set */
        assert_int_equal(gf.seg[AIF_SEG_DENSE_BWD_KEEP].n, 0);
        aif_graph_free(&g);
        aif_graph_free(&gf);
    }
    /* the MoE model above: one dense layer, three MoE; the first two replay */
    {
        aif_override ov[2] = {{"train.recompute", "full", "o"}, {"train.recompute_layers", "2", "o"}};
        aif_scenario p;
        const char *my = yaml("mla");
        if (aif_scenario_parse(cat, my, strlen(my), "t", ov, 2, &p, &e) != AIF_OK)
            fail_msg("%s: %s", e.path, e.msg);
        aif_graph g;
        if (aif_graph_lower(&p, &g, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        aif_stage_class c;
        assert_int_equal(aif_graph_n_stage_classes(&g), 1);
        aif_graph_stage_class(&g, 0, &c);
        assert_int_equal(c.st.keep_dense, 0);
        assert_int_equal(c.st.keep_moe, 2);
        assert_true(g.seg[AIF_SEG_MOE_BWD_KEEP].n > 0);
        aif_graph_free(&g);
    }
}

/* the scenario with recompute rc and `field` (train.recompute_modules or _saved) set to
 * value is refused, naming the field, with `want` in the message */
static void refused_field(const char *model_yaml, const char *rc, const char *field, const char *value,
                          const char *want)
{
    aif_override ov[] = {{"train.recompute", rc, "--set"}, {field, value, "--set"}};
    aif_scenario s;
    aif_err e;
    aif_rc r = aif_scenario_parse(cat, model_yaml, strlen(model_yaml), "t", ov, 2, &s, &e);
    if (r == AIF_OK)
        r = aif_scenario_check(&s, &e);
    assert_int_equal(r, AIF_EINPUT);
    assert_string_equal(e.path, field);
    if (!strstr(e.msg, want))
        fail_msg("'%s' not in: %s", want, e.msg);
}

static void refused(const char *model_yaml, const char *rc, const char *mods, const char *want)
{
    refused_field(model_yaml, rc, "train.recompute_modules", mods, want);
}

static void test_refused(void **state)
{
    (void)state;
    const char *mla = yaml("mla");
    refused(mla, "selective", "mlp,attn", "unknown value 'attn' (accepted: core_attn, mla_up_proj, layernorm, mlp, "
                                          "moe, moe_act, shared_experts)");
    refused(mla, "selective", "moe_ac", "did you mean 'moe_act'");
    refused(mla, "selective", "mlp,", "an empty name");
    refused(mla, "none", "mlp", "but recompute is none");
    refused(mla, "full", "mlp", "but recompute is full");
    const char *dense = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n";
    refused(dense, "selective", "mla_up_proj", "needs multi-latent attention");
    /* what a full recompute keeps: only with full, and only known names */
    static const char *const rcs[][3] = {{"selective", "qkv_proj", "but recompute is selective"},
                                         {"none", "qkv_proj", "but recompute is none"},
                                         {"full", "qkv", "did you mean 'qkv_proj'"}};
    for (int i = 0; i < 3; i++)
        refused_field(dense, rcs[i][0], "train.recompute_saved", rcs[i][1], rcs[i][2]);
    refused_field(mla, "full", "train.recompute_saved", "qkv_proj",
                  "has multi-latent attention (accepted here: context, out_proj)");
    refused_field(mla, "full", "train.recompute_saved", "context,mlpwo", "layers are mixture of experts");
    refused_field(mla, "full", "train.recompute_saved", "mlpwi", "input projection; ");
    static const char ds[] = "cluster: {system: dgx-a100-80g, gpus: 16}\nmodel: llama3-8b\n"
                             "train: {framework: deepspeed, optimizer: zero3, tp: 1, pp: 1}\n";
    refused_field(ds, "full", "train.recompute_saved", "mlpwo", "ZeRO-3 per tensor");
    static const char unf[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {attention: unfused}\n";
    refused_field(unf, "full", "train.recompute_saved", "context", "needs its probabilities");
    static const char off[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {offload: activations}\n";
    refused_field(off, "full", "train.recompute_saved", "qkv_proj", "offloaded to host memory are not modelled");
    refused_field(dense, "selective", "train.recompute_layers", "2", "but recompute is selective");
    refused_field(dense, "full", "train.recompute_layers", "-1", "negative");
    static const char offmx[] = "cluster: {system: gb200-nvl72, gpus: 8}\nmodel: llama3-8b\n"
                                "train: {framework: maxtext, offload: activations}\n";
    refused_field(offmx, "full", "train.recompute_layers", "2", "host memory is not modelled");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_module_by_hand), cmocka_unit_test(test_simulation_books_it),
        cmocka_unit_test(test_core_attn_is_selective), cmocka_unit_test(test_list_or_commas),
        cmocka_unit_test(test_refused), cmocka_unit_test(test_full_keeping_outputs),
        cmocka_unit_test(test_recompute_layers), cmocka_unit_test(test_replay_pruned),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
