/* test_memo.c -- the analytical engine's fast paths against the plain ones.
 *
 *  - the estimate memo (aif_estimate_memoized): every field of the result, bit for bit,
 *    equal to aif_estimate's over a random grid of layouts (tp, pp, vpp, cp, ep, etp, mbs,
 *    recompute, precision, optimizer, every overlap switch, LoRA, hybrid sharding's dp_shard,
 *    offloaded layers), one memo shared by runs
 *    on different models (dense, MoE, MLA with a dense prefix), GPUs, software stacks and
 *    clock factors in turn, so that an input missing from its key gives a stale hit and
 *    fails here; the memo is shown to hit (most of the grid) and to miss, and a memo of
 *    three entries, emptied again and again, gives the same;
 *  - the estimate in the search's two parts (the pipeline's, then each data-parallel
 *    overlap's rest) equal to it in one, bit for bit;
 *  - the interleaved gradient reduction's exposed end (aif_dp_tail) equal to the loop over
 *    every bucket (aif_dp_tail_loop), bit for bit, on random shapes and near-ties. */
#include "aifsim/aifsim.h"
#include "aifsim/names.h"
#include "engine/estimate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static aif_catalog *cat;

static int setup(void **st)
{
    (void)st;
    aif_err e;
    return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1;
}
static int teardown(void **st)
{
    (void)st;
    aif_catalog_free(cat);
    return 0;
}

static void load(const char *yaml, aif_scenario *s)
{
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, s, &e) != AIF_OK) {
        char b[1400];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

static uint64_t rng = 0x2545f4914f6cdd1dull;
static int pick(int n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (int)(rng % (uint64_t)n);
}

/* One step of a random walk over s's layouts: one field changed (dp follows tp, pp and
 * cp), so that consecutive layouts differ in a single input and an input missing from
 * the memo's key finds the previous layout's entry.  Fields the layers read and fields
 * they do not (pp, vpp, dp, gbs, optimizer, dp_overlap, pp_overlap, grad_dtype, moments_dtype,
 * recompute_layers: the layers' key leaves it out, the stage classes count it) alike, and
 * attention_dtype, the attention kernel's key tiles and cp_comm, which the layers read. */
static void step(aif_scenario *s, int gpus, int moe, int fp4, int hsdp)
{
    int mla = s->model.attention == AIF_ATTN_MLA;
    static const int tps[] = {1, 2, 4, 8}, pps[] = {1, 2, 4}, vpps[] = {1, 2, 3}, cps[] = {1, 2}, eps[] = {1, 2, 4},
                     gbss[] = {64, 128, 256}, seqs[] = {4096, 8192};
    aif_train *t = &s->train;
    switch (pick(28)) {
    case 0: t->par.tp = tps[pick(4)]; break;
    case 1: t->par.sp = !t->par.sp; break;
    case 2: t->par.pp = pps[pick(3)]; break;
    case 3: t->par.vpp = vpps[pick(3)]; break;
    case 4: t->par.cp = cps[pick(2)]; break;
    case 5: t->par.ep = moe ? eps[pick(3)] : 1; break;
    case 6: t->par.etp = moe ? 1 + pick(2) : 1; break;
    case 7: t->mbs = 1 + pick(2); break;
    case 8: t->gbs = gbss[pick(3)]; break;
    case 9: t->recompute = pick(3); break;
    case 10: t->precision = pick(fp4 ? 3 : 2) == 2 ? AIF_FP4 : pick(2) ? AIF_FP8 : AIF_BF16; break;
    case 11:
        t->optimizer = t->lora.rank ? AIF_OPT_NONE : pick(AIF_OPT_FSDP + 1);
        if (t->optimizer > AIF_OPT_DISTRIBUTED)
            t->grad_dtype = AIF_GRAD_AUTO;   /* the sharded optimizers keep their own */
        break;
    case 12: t->tp_overlap = !t->tp_overlap; break;
    case 13: t->dp_overlap = !t->dp_overlap; break;
    case 14: t->ep_overlap = moe && !t->ep_overlap; break;
    case 15: t->pp_overlap = !t->pp_overlap; break;
    case 16: t->lora.rank = t->optimizer == AIF_OPT_NONE && !t->lora.rank ? 16 : 0; break;
    case 17: t->seq = seqs[pick(2)]; break;
    case 18:   /* selective's modules (0: not given, core_attn); mla_up_proj only where there is MLA */
        t->recompute_modules = (unsigned)pick(1 << AIF_N_RCM) & ~(mla ? 0u : 1u << AIF_RCM_MLA_UP_PROJ);
        break;
    case 19: t->offload_layers = t->offload ? 1 + pick(s->model.layers - 1) : 0; break;   /* not in the layers' key */
    case 20:   /* the step's reduction alone: not in the layers' key; a type only where the optimizer takes one */
        t->grad_dtype = t->optimizer <= AIF_OPT_DISTRIBUTED ? pick(AIF_N_GRAD_DTYPE) : AIF_GRAD_AUTO;
        break;
    case 21: t->moments_dtype = pick(AIF_N_GRAD_DTYPE); break;   /* the optimizer's state: not in the layers' key */
    case 22:   /* read only under full (below); the names a MoE or MLA model refuses left out */
        t->recompute_saved = (unsigned)pick(1 << AIF_N_RCS);
        if (s->model.moe.experts > 0)
            t->recompute_saved &= ~(1u << AIF_RCS_MLPWO | 1u << AIF_RCS_MLPWI);
        if (s->model.attention == AIF_ATTN_MLA)
            t->recompute_saved &= ~(1u << AIF_RCS_QKV_PROJ);
        break;
    case 23: t->recompute_layers = pick(4); break;   /* the stage classes' kept layers; read only under full */
    case 24: t->attention_dtype = fp4 ? pick(2) : 0; break;   /* fp8 attention: Blackwell's measured kernels */
    case 25:   /* the kernel's key tiles: read by sliding-window layers alone, refused without them */
        t->attn_block = s->model.sliding_window > 0 ? 512 * pick(3) : 0;
        t->attn_block_bwd = s->model.sliding_window > 0 ? 1024 * pick(2) : 0;
        break;
    case 26: t->cp_comm = pick(AIF_N_CP_COMM); break;   /* context parallelism's exchange: the layers read it */
    default: t->attention = pick(3); break;
    }
    if (t->recompute != AIF_RC_FULL) {   /* the scenario refuses them otherwise */
        t->recompute_saved = 0;
        t->recompute_layers = 0;
    }
    if (t->offload)   /* not modelled together (aif_scenario_check) */
        t->recompute_layers = 0;
    if (t->par.pp == 1)
        t->par.vpp = 1;
    t->par.dp = gpus / (t->par.tp * t->par.pp * t->par.cp);
    if (aif_cp_comm_conflict(s))   /* the ring with windows, a2a with heads cp does not divide: the gather runs */
        t->cp_comm = AIF_CP_ALLGATHER;
    /* hybrid sharding: the layers see dp_shard through the dp, edp and dpr groups alone
     * (the key leaves the field out); a change of it alone must miss */
    if (hsdp && pick(3) == 0) {
        static const int dss[] = {0, 2, 8};
        t->par.dp_shard = dss[pick(3)];
    }
}

typedef struct ctx {
    const char *yaml;
    double clock_factor;      /* 0: as loaded */
    int hsdp;                 /* the walk changes train.dp_shard too */
} ctx;

/* The search's two parts (aif_estimate_pipe_of once, aif_estimate_times_pipe for each
 * data-parallel overlap) equal aif_estimate_times_known, bit for bit. */
static void pipe_split(aif_scenario *s)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    aif_seg_time st[AIF_N_SEG];
    for (int i = 0; i < AIF_N_SEG; i++)
        aif_segment_time(s, &g, i, &st[i]);
    int keep = s->train.dp_overlap;
    aif_estimate_pipe o;
    aif_estimate_pipe_of(s, &g, st, &o);
    for (int d = 0; d < 2; d++) {
        s->train.dp_overlap = d;
        aif_train_result a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        aif_estimate_times_known(s, &g, st, NULL, &a);
        aif_estimate_times_pipe(s, &g, st, NULL, &o, &b);
        if (memcmp(&a, &b, sizeof a))
            fail_msg("dp_overlap %d, tp %d pp %d vpp %d: step %.17g / %.17g", d, s->train.par.tp, s->train.par.pp,
                     s->train.par.vpp, a.step_time_s, b.step_time_s);
    }
    s->train.dp_overlap = keep;
    aif_graph_free(&g);
}

/* n layouts of each context, the contexts in turn (twice round), through one memo. */
static void compare(aif_estimate_memo *m, const ctx *cs, int n_ctx, int n, long *valid)
{
    static aif_scenario s;
    for (int round = 0; round < 2; round++)
        for (int c = 0; c < n_ctx; c++) {
            load(cs[c].yaml, &s);
            if (cs[c].clock_factor > 0)
                s.cluster.clock_factor = cs[c].clock_factor;
            int gpus = aif_alloc_gpus(&s), moe = s.model.moe.experts > 0;
            int fp4 = s.cluster.gpu.peak_flops[AIF_FP4] > 0;
            for (int i = 0; i < n; i++) {
                step(&s, gpus, moe, fp4, cs[c].hsdp);
                aif_train_result a, b;
                memset(&a, 0, sizeof a);
                memset(&b, 0, sizeof b);
                aif_rc ra = aif_estimate(&s, &a, NULL), rb = aif_estimate_memoized(&s, m, &b, NULL);
                const aif_train *t = &s.train;
                if (ra != rb || (ra == AIF_OK && memcmp(&a, &b, sizeof a)))
                    fail_msg("context %d (%s), tp %d pp %d vpp %d cp %d ep %d etp %d dp %d dp_shard %d mbs %d gbs %d "
                             "rc %d prec %d opt %d ovl %d%d%d%d lora %d: rc %d/%d, step %.17g / %.17g",
                             c, cs[c].yaml, t->par.tp, t->par.pp, t->par.vpp, t->par.cp, t->par.ep, t->par.etp,
                             t->par.dp, t->par.dp_shard, t->mbs, t->gbs, t->recompute, t->precision, t->optimizer, t->tp_overlap,
                             t->dp_overlap, t->ep_overlap, t->pp_overlap, t->lora.rank, ra, rb, a.step_time_s,
                             b.step_time_s);
                *valid += ra == AIF_OK;
                if (ra == AIF_OK && i % 4 == 0)
                    pipe_split(&s);
            }
        }
}

static const ctx contexts[] = {
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64}\n", 0, 0},
    {"cluster: {system: hgx-b200, gpus: 64}\nmodel: mixtral-8x7b\ntrain: {gbs: 64}\n", 0, 0},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\ntrain: {gbs: 64}\n", 0, 0},
    {"cluster: {system: dgx-a100-80g, gpus: 64}\nmodel: deepseek-v3\ntrain: {gbs: 64}\n", 0, 0},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, framework: torchtitan}\n", 0, 0},
    /* multi-token prediction (DeepSeek-V3's one block): its projection in the head, at the precision */
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: deepseek-v3\ntrain: {gbs: 64}\n", 0, 0},
    /* DeepSpeed's ZeRO-3 per tensor: its collectives' group is read before dp can be 1 */
    {"cluster: {system: dgx-a100-80g, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, framework: deepspeed}\n", 0, 0},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64}\n", 0.8, 0},
    {"cluster: {system: dgx-h100, gpus: 64, gpus_per_node: 4}\nmodel: llama3-8b\ntrain: {gbs: 64}\n", 0, 0},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: {base: llama3-8b, arch: llama, hidden: 4608}\ntrain: {gbs: 64}\n", 0, 0},
    /* hybrid sharding (train.dp_shard), dense and MoE: shard and replicate groups change with it */
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, optimizer: fsdp, dp_shard: 8}\n", 0, 1},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\ntrain: {gbs: 64, optimizer: zero2, dp_shard: 2}\n", 0,
     1},
    /* selective recompute by module: the modules are part of the backward's key */
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: deepseek-v3\ntrain: {gbs: 64, recompute: selective, "
     "recompute_modules: [mla_up_proj, moe_act, layernorm]}\n", 0, 0},
    {"cluster: {system: dgx-h100, gpus: 64}\nmodel: mixtral-8x7b\ntrain: {gbs: 64, recompute: selective, "
     "recompute_modules: [moe]}\n", 0, 0},
    /* activation offload: timed beside the layers from their segments (valid with pp 1 and no recompute) */
    {"cluster: {system: gb200-nvl72, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, offload: activations}\n", 0, 0},
    /* sliding-window layers on a family without a kernel tile: the job's tiles (train.attn_block) */
    {"cluster: {system: tpu7x-4, gpus: 64}\nmodel: gpt-oss-120b\ntrain: {gbs: 64, framework: maxtext}\n", 0, 0},
};

static void test_memo_equals_plain(void **st)
{
    (void)st;
    aif_estimate_memo *m, *small;
    aif_err e;
    assert_int_equal(aif_estimate_memo_new(0, &m, &e), AIF_OK);
    assert_int_equal(aif_estimate_memo_new(3, &small, &e), AIF_OK);
    long valid = 0, hits, misses;
    int n_ctx = (int)(sizeof contexts / sizeof contexts[0]);
    compare(m, contexts, n_ctx, 600, &valid);
    aif_estimate_memo_stats(m, &hits, &misses);
    /* the walk is mostly valid layouts (84% when written): a step that leaves it invalid
     * for long (a field the next steps cannot undo) thins what the test compares */
    assert_true(valid > 0.7 * 2 * n_ctx * 600);
    assert_true(hits > valid / 2);             /* and the memo is used, not bypassed */
    assert_true(misses > 100);
    /* a memo of three entries: emptied again and again, the same results */
    valid = 0;
    compare(small, contexts, n_ctx, 200, &valid);
    aif_estimate_memo_stats(small, &hits, &misses);
    assert_true(hits > 0 && misses > 0);
    /* cleared, it still agrees; NULL is aif_estimate */
    aif_estimate_memo_clear(m);
    compare(m, contexts, 2, 50, &valid);
    aif_estimate_memo_free(m);
    aif_estimate_memo_free(small);
    assert_int_equal(aif_estimate_memo_new(-1, &m, &e), AIF_EINPUT);
    assert_null(m);
    assert_string_equal(e.path, "max_entries");
}

/* One memo reused across models, GPUs and stacks changed in place (as a sweep over
 * model sizes would): a layout must not find the other model's layers. */
/* A memo smaller than an estimate's three parts still keeps one estimate (1 is taken as
 * 3), and a repeated layout hits; NULL is accepted where a caller may pass none. */
static void test_memo_small_and_null(void **st)
{
    (void)st;
    aif_estimate_memo *m;
    aif_err e;
    aif_scenario s;
    aif_train_result a, b;
    long hits, misses;
    load(contexts[0].yaml, &s);
    assert_int_equal(aif_estimate_memo_new(1, &m, &e), AIF_OK);
    assert_int_equal(aif_estimate_memoized(&s, m, &a, &e), AIF_OK);
    assert_int_equal(aif_estimate_memoized(&s, m, &b, &e), AIF_OK);
    aif_estimate_memo_stats(m, &hits, &misses);
    assert_int_equal(hits, 1);
    assert_int_equal(misses, 1);
    assert_memory_equal(&a, &b, sizeof a);
    aif_estimate_memo_free(m);
    aif_estimate_memo_clear(NULL);
    aif_estimate_memo_stats(NULL, &hits, &misses);
    assert_int_equal(hits, 0);
    assert_int_equal(misses, 0);
}

static void test_memo_model_in_place(void **st)
{
    (void)st;
    static aif_scenario s;
    load(contexts[0].yaml, &s);
    aif_estimate_memo *m;
    aif_err e;
    assert_int_equal(aif_estimate_memo_new(0, &m, &e), AIF_OK);
    for (int i = 0; i < 40; i++) {
        s.model.ffn = 14336 + 1024 * (i / 4 % 4);        /* a new model every 4 layouts */
        s.cluster.gpu.calib.matmul_eff = 0.6 + 0.05 * (i / 6 % 3);   /* a new GPU every 6 */
        s.framework.act_traffic = 1 + 0.5 * (i / 5 % 2);               /* a new stack every 5 */
        s.train.par.pp = 1 + i % 2;
        s.train.par.dp = 64 / (s.train.par.tp * s.train.par.pp);
        aif_train_result a, b;
        memset(&a, 0, sizeof a);
        memset(&b, 0, sizeof b);
        assert_int_equal(aif_estimate(&s, &a, NULL), AIF_OK);
        assert_int_equal(aif_estimate_memoized(&s, m, &b, NULL), AIF_OK);
        assert_memory_equal(&a, &b, sizeof a);
    }
    long hits, misses;
    aif_estimate_memo_stats(m, &hits, &misses);
    assert_true(hits > 0);
    aif_estimate_memo_free(m);
}

static void test_dp_tail(void **st)
{
    (void)st;
    long fast = 0, many = 0;
    for (int i = 0; i < 20000; i++) {
        /* a tenth with as many chunks as the deepest models interleave (62 of 126 layers at pp 2) */
        aif_pipe p = {1 + pick(64), 1 + pick(i % 10 == 5 ? 64 : 12), 1 + pick(200)};
        double nb = 1 + pick(i % 10 == 0 ? 20 : 3000);
        double y = 0.001 + pick(100000) * 1e-5;
        double grp = p.pp < p.m ? p.pp : p.m;
        /* near x = y (the slope within a chunk), near x = grp y (the trend across chunks) */
        double x = pick(5) == 0   ? y * (1 + (pick(3) - 1) * 1e-15)
                   : pick(4) == 0 ? grp * y * (1 + (pick(201) - 100) * 1e-4 / nb)
                                  : y * pick(4000) * 1e-3;
        if (pick(10) == 0)
            x = 0;
        double a = aif_dp_tail_loop(p, nb, x, y), b = aif_dp_tail(p, nb, x, y);
        if (memcmp(&a, &b, sizeof a))
            fail_msg("pp %d vpp %d m %d nb %g x %.17g y %.17g: loop %.17g, fast %.17g", p.pp, p.vpp, p.m, nb, x, y,
                     a, b);
        fast += nb > 8;
        many += nb > 8 && p.vpp > 12;
    }
    assert_true(fast > 10000);
    assert_true(many > 500);
    /* what production never passes (a fractional bucket count, negative times) still
     * equals the loop: those take it */
    const struct { aif_pipe p; double nb, x, y; } odd[] = {
        {{2, 2, 8}, 10.5, 9, 4}, {{2, 2, 8}, 12, -1, -1}, {{4, 8, 16}, 40.25, 3, 1}, {{2, 3, 4}, 30, 5, -2}};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        double a = aif_dp_tail_loop(odd[i].p, odd[i].nb, odd[i].x, odd[i].y),
               b = aif_dp_tail(odd[i].p, odd[i].nb, odd[i].x, odd[i].y);
        assert_memory_equal(&a, &b, sizeof a);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memo_equals_plain),
        cmocka_unit_test(test_memo_model_in_place),
        cmocka_unit_test(test_memo_small_and_null),
        cmocka_unit_test(test_dp_tail),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
