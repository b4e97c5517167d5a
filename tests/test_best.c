/* test_best.c -- the best-layout search (aif_search_best, include/aifsim/search.h)
 * against brute force: every combination of the fields in plain integer ranges,
 * each one checked and estimated by aif_estimate with no pruning and no cache, the
 * best kept by aif_best_compare.  On several small spaces (dense and MoE models, a
 * few GPU counts, one where memory rules most layouts out, one where nothing fits)
 * the search must find the same optimum, count the same candidates and the same
 * fitting ones, and give a top list in the total order.  Also: `auto` fields of a
 * training job (scenario text and the pipeline's substitution notes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/run.h"
#include "aifsim/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;

static int setup(void **st)
{
    (void)st;
    aif_err e;
    return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1;
}
static int teardown(void **st) { (void)st; aif_catalog_free(cat); return 0; }

static void fail_err(const aif_err *e)
{
    char b[1400];
    aif_err_format(e, b, sizeof b);
    fail_msg("%s", b);
}

static void load(const char *yaml, aif_scenario *s)
{
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, s, &e) != AIF_OK)
        fail_err(&e);
}

typedef struct brute {
    long long candidates, fitting;
    bool found, has_runner_up;
    aif_best_result best, runner_up;
    aif_best_result *all;   /* every fitting candidate, for the runner-up */
    long long n_all, cap_all;
} brute;

static void keep_all(brute *out, const aif_best_result *r)
{
    if (!out->found || aif_best_compare(r, &out->best) < 0)
        out->best = *r;
    out->found = true;
    if (out->n_all == out->cap_all) {
        out->cap_all = out->cap_all ? 2 * out->cap_all : 1024;
        out->all = realloc(out->all, (size_t)out->cap_all * sizeof *r);
        assert_non_null(out->all);
    }
    out->all[out->n_all++] = *r;
}

/* One layout of s; under recompute full, every count of layers replayed per chunk
 * (train.recompute_layers 1 .. the largest chunk's, which is every layer, 0): the layout
 * is counted once (every layer), and it ranks with the fewest that fit, which no larger
 * count may beat (the search takes it without trying the others). */
static void consider(aif_scenario *s, int objective, brute *out)
{
    /* a multi-token-prediction block is one more layer of the pipeline's (lower_train.c) */
    int chunks = s->train.par.pp * s->train.par.vpp,
        layers = s->model.layers + (s->model.mtp_layers > 0 ? s->model.mtp_layers : 0);
    int most = s->train.recompute == AIF_RC_FULL ? (layers + chunks - 1) / chunks : 1;
    bool have = false;
    aif_best_result chosen;
    for (int k = 1; k <= most; k++) {
        int n = k < most ? k : 0;
        s->train.recompute_layers = n;
        aif_best_result r;
        memset(&r, 0, sizeof r);
        if (aif_estimate(s, &r.train, NULL) != AIF_OK) {
            if (k == most)   /* the layout itself is refused: nothing of it ranks */
                have = false;
            continue;        /* a count the checks refuse (activation offload takes none) */
        }
        if (k == most)
            out->candidates++;
        if (!r.train.fits_in_memory)
            continue;
        if (k == most)
            out->fitting++;
        r.par = s->train.par;
        r.mbs = s->train.mbs;
        r.recompute = s->train.recompute;
        r.recompute_layers = n;
        r.optimizer = s->train.optimizer;
        r.tp_overlap = s->train.tp_overlap;
        r.dp_overlap = s->train.dp_overlap;
        r.ep_overlap = s->train.ep_overlap;
        aif_best_opts bo = {.objective = objective};
        aif_best_rescore(&bo, &r);
        if (!have) {
            chosen = r;
            have = true;
        } else {
            /* more layers replayed: never a better objective or step (to the rounding of
             * sums over other counts: a replay hidden under exposed communication adds nothing) */
            assert_true(r.objective >= chosen.objective * (1 - 1e-12));
            assert_true(r.train.step_time_s >= chosen.train.step_time_s * (1 - 1e-12));
        }
    }
    s->train.recompute_layers = 0;
    if (have)
        keep_all(out, &chosen);
}

/* Every combination in plain ranges; aif_estimate alone says what is valid. */
static void brute_force(aif_scenario *s, int objective, brute *out)
{
    memset(out, 0, sizeof *out);
    const aif_model *m = &s->model;
    int G = aif_alloc_gpus(s), gbs = s->train.gbs, moe = m->moe.experts > 0;
    int ep_hi = moe ? m->moe.experts : 1;
    for (int tp = 1; tp <= G; tp++)
        for (int pp = 1; pp <= G; pp++)
            for (int cp = 1; cp <= G; cp++) {
                if (G % (tp * pp * cp))
                    continue;
                int dp = G / (tp * pp * cp);
                for (int ep = 1; ep <= ep_hi; ep++)
                    for (int etp = 1; etp <= (moe ? G : 1); etp++)
                        for (int vpp = 1; vpp <= m->layers; vpp++)
                            for (int mbs = 1; mbs <= gbs; mbs++)
                                for (int rc = 0; rc < 3; rc++)
                                    for (int opt = AIF_OPT_NONE; opt <= AIF_OPT_ZERO3; opt++)
                                        for (int ovl = 0; ovl < 8 * dp; ovl++) {
                                            /* dps: hybrid sharding over dps ranks of dp (0: all of them) */
                                            int tpo = ovl & 1, dpo = ovl >> 1 & 1, epo = ovl >> 2 & 1, dps = ovl >> 3;
                                            /* a shard group of one rank is plain replication, the
                                             * unsharded optimizers' (the search does not try it); the
                                             * expert overlap needs expert parallelism (ep > 1) */
                                            if ((tpo && tp == 1) || (epo && (!moe || ep == 1)) || dps == 1 ||
                                                (dps > 0 && dp % dps))
                                                continue;
                                            /* an overlap the named stack cannot perform is not a layout
                                             * of its own (the search does not try it) */
                                            const aif_framework *fw = &s->framework;
                                            if (fw->name[0] && ((tpo && !fw->tp_overlap) ||
                                                                (dpo && !fw->dp_overlap) || (epo && !fw->ep_overlap)))
                                                continue;
                                            s->train.par = (aif_parallel){tp, pp, vpp, cp, ep, etp, dp, tp > 1, dps};
                                            s->train.mbs = mbs;
                                            s->train.recompute = rc;
                                            s->train.optimizer = opt;
                                            s->train.tp_overlap = tpo;
                                            s->train.dp_overlap = dpo;
                                            s->train.ep_overlap = epo;
                                            consider(s, objective, out);
                                        }
            }
    /* the runner-up: the least of those whose objective is above the best's */
    for (long long i = 0; i < out->n_all; i++)
        if (out->all[i].objective > out->best.objective &&
            (!out->has_runner_up || aif_best_compare(&out->all[i], &out->runner_up) < 0)) {
            out->runner_up = out->all[i];
            out->has_runner_up = true;
        }
    free(out->all);
    out->all = NULL;
}

static void same_as_brute(const char *yaml, int objective)
{
    static aif_scenario s;
    static aif_best b;
    load(yaml, &s);
    aif_err e;
    aif_best_opts o = {.objective = objective, .top = 8};
    aif_best_space_all(&o.space);
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    brute br;
    brute_force(&s, objective, &br);
    assert_int_equal(b.candidates, br.candidates);
    assert_int_equal(b.fitting, br.fitting);
    assert_true(br.found);
    assert_true(b.n_results >= 1);
    const aif_best_result *x = &b.results[0], *y = &br.best;
    assert_int_equal(x->par.tp, y->par.tp);
    assert_int_equal(x->par.pp, y->par.pp);
    assert_int_equal(x->par.vpp, y->par.vpp);
    assert_int_equal(x->par.cp, y->par.cp);
    assert_int_equal(x->par.ep, y->par.ep);
    assert_int_equal(x->par.etp, y->par.etp);
    assert_int_equal(x->par.dp, y->par.dp);
    assert_int_equal(x->par.dp_shard, y->par.dp_shard);
    assert_int_equal(x->mbs, y->mbs);
    assert_int_equal(x->recompute, y->recompute);
    assert_int_equal(x->recompute_layers, y->recompute_layers);
    assert_int_equal(x->optimizer, y->optimizer);
    assert_int_equal(x->tp_overlap, y->tp_overlap);
    assert_int_equal(x->dp_overlap, y->dp_overlap);
    assert_int_equal(x->ep_overlap, y->ep_overlap);
    assert_true(fabs(x->train.step_time_s - y->train.step_time_s) <= 1e-12 * y->train.step_time_s);
    assert_true(fabs(x->train.mem.total_bytes - y->train.mem.total_bytes) <= 1e-9 * y->train.mem.total_bytes);
    assert_true(fabs(x->train.mfu - y->train.mfu) <= 1e-12);
    /* the runner-up the explanation names: the same as brute force's */
    assert_int_equal(b.has_runner_up, br.has_runner_up);
    if (br.has_runner_up) {
        aif_best_result ru = b.runner_up;
        ru.objective = br.runner_up.objective;   /* the same value; compared below to the rounding */
        assert_true(fabs(b.runner_up.objective - br.runner_up.objective) <= 1e-12 * br.runner_up.objective);
        assert_int_equal(ru.par.tp, br.runner_up.par.tp);
        assert_int_equal(ru.par.pp, br.runner_up.par.pp);
        assert_int_equal(ru.par.vpp, br.runner_up.par.vpp);
        assert_int_equal(ru.par.cp, br.runner_up.par.cp);
        assert_int_equal(ru.par.dp_shard, br.runner_up.par.dp_shard);
        assert_int_equal(ru.mbs, br.runner_up.mbs);
        assert_int_equal(ru.recompute, br.runner_up.recompute);
        assert_int_equal(ru.recompute_layers, br.runner_up.recompute_layers);
        assert_int_equal(ru.optimizer, br.runner_up.optimizer);
        assert_true(b.why_part >= 0 && b.runner_up.objective > x->objective);
    }
    /* the top list is in the total order, and every entry equals a fresh estimate */
    for (int i = 0; i < b.n_results; i++) {
        if (i > 0)
            assert_true(aif_best_compare(&b.results[i - 1], &b.results[i]) < 0);
        aif_best_apply(&b.results[i], &s);
        aif_train_result r;
        if (aif_estimate(&s, &r, &e) != AIF_OK)
            fail_err(&e);
        assert_true(fabs(r.step_time_s - b.results[i].train.step_time_s) <= 1e-12 * r.step_time_s);
        assert_true(r.fits_in_memory);
    }
}

#define DENSE_8 \
    "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {gbs: 16, seq: 4096}\n"
#define DENSE_2_TIGHT \
    "cluster: {system: dgx-h100, gpus: 2, gpus_per_node: 2}\nmodel: llama3-8b\ntrain: {gbs: 8, seq: 4096}\n"
#define DENSE_4 \
    "cluster: {system: dgx-h100, gpus: 4, gpus_per_node: 4}\nmodel: llama3-8b\ntrain: {gbs: 8, seq: 2048}\n"
#define LORA_4 \
    "cluster: {system: dgx-h100, gpus: 4, gpus_per_node: 4}\nmodel: {base: llama3-8b, layers: 8}\n" \
    "train: {gbs: 8, seq: 2048, lora: {rank: 16, targets: all}}\n"
#define OFFLOAD_2 \
    "cluster: {system: dgx-h100, gpus: 2, gpus_per_node: 2}\nmodel: {base: llama3-8b, layers: 8}\n" \
    "train: {gbs: 8, seq: 8192, offload: activations, framework: maxtext-gpu}\n"
#define MTP_4 \
    "cluster: {system: dgx-h100, gpus: 4, gpus_per_node: 4}\nmodel: {base: mixtral-8x7b, layers: 6, mtp_layers: 1}\n" \
    "train: {gbs: 8, seq: 2048}\n"
#define MOE_4 \
    "cluster: {system: dgx-h100, gpus: 4, gpus_per_node: 4}\nmodel: {base: mixtral-8x7b, layers: 8}\n" \
    "train: {gbs: 8, seq: 2048}\n"

static void dense_8_time(void **st) { (void)st; same_as_brute(DENSE_8, AIF_OBJ_TIME); }
static void dense_4_time(void **st) { (void)st; same_as_brute(DENSE_4, AIF_OBJ_TIME); }
static void dense_memory_bound(void **st) { (void)st; same_as_brute(DENSE_2_TIGHT, AIF_OBJ_TIME); }
static void moe_4_time(void **st) { (void)st; same_as_brute(MOE_4, AIF_OBJ_TIME); }
/* LoRA takes no zero2 or zero3 (nor their hybrid sharding), activation offload no count of
 * layers replayed, and a multi-token-prediction layer is one more of the pipeline's */
static void lora_4_time(void **st) { (void)st; same_as_brute(LORA_4, AIF_OBJ_TIME); }
static void offload_2_time(void **st) { (void)st; same_as_brute(OFFLOAD_2, AIF_OBJ_TIME); }
static void mtp_4_time(void **st) { (void)st; same_as_brute(MTP_4, AIF_OBJ_TIME); }

/* Without site figures cost and energy are 0 for all: the order falls to step time,
 * then memory, then the fields; the same as brute force all the same. */
static void ties_total_order(void **st) { (void)st; same_as_brute(DENSE_4, AIF_OBJ_ENERGY); }

static void nothing_fits(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_best b;
    load("cluster: {system: dgx-h100, gpus: 2, gpus_per_node: 2}\nmodel: llama3-405b\ntrain: {gbs: 2, seq: 4096}\n",
         &s);
    aif_err e;
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = 4};
    aif_best_space_all(&o.space);
    assert_int_equal(aif_search_best(&s, &o, &b, &e), AIF_OK);
    assert_int_equal(b.n_results, 0);
    assert_true(b.candidates > 0);
    assert_int_equal(b.fitting, 0);
    assert_true(b.min_need_bytes > b.hbm_bytes);
    o.top = 0;
    assert_int_equal(aif_search_best(&s, &o, &b, &e), AIF_EINPUT);
    assert_string_equal(e.path, "top");
}

/* The same search twice gives the same list, and the cost objective with the site's
 * figures (aif_run_search) ranks by cost per step. */
static void deterministic_and_cost(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_search_run a, b;
    load(DENSE_8, &s);
    aif_err e;
    aif_search_opts o = {.objective = AIF_OBJ_COST, .top = 10};
    aif_best_space_all(&o.space);
    if (aif_run_search(cat, &s, &o, &a, &e) != AIF_OK || aif_run_search(cat, &s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    assert_true(a.site.compute_W > a.site.idle_W && a.site.idle_W > 0 && a.site.fixed_usd_per_s > 0);
    assert_int_equal(a.best.n_results, b.best.n_results);
    for (int i = 0; i < a.best.n_results; i++) {
        assert_int_equal(aif_best_compare(&a.best.results[i], &b.best.results[i]), 0);
        assert_true(a.best.results[i].cost_per_step_usd > 0 && a.best.results[i].energy_per_step_J > 0);
        if (i > 0)
            assert_true(a.best.results[i - 1].cost_per_step_usd <= a.best.results[i].cost_per_step_usd);
    }
    assert_true(a.best.why_part >= 0 && a.best.why_part < AIF_N_PART);
}

/* `auto` in a scenario: the fields are marked, `layout` takes only auto, and the
 * pipeline fills them with the fastest layout (every other field kept) and notes it. */
static void auto_fields(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_train_run run;
    static aif_best b;
    aif_err e;
    load("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: auto, pp: 2, gbs: 16, seq: 4096}\n", &s);
    assert_int_equal(s.train.auto_fields, AIF_AUTO_TP);
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = 1};
    aif_best_space_auto(&s, AIF_AUTO_TP, &o.space);
    assert_int_equal(o.space.tp, 0);
    assert_int_equal(o.space.pp, 2);
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    assert_int_equal(b.n_results, 1);
    if (aif_run_train(cat, &s, NULL, &run, &e) != AIF_OK)
        fail_err(&e);
    assert_int_equal(run.scenario.train.par.tp, b.results[0].par.tp);
    assert_int_equal(run.scenario.train.par.pp, 2);
    assert_int_equal(run.scenario.train.auto_fields, 0);
    assert_true(fabs(run.train.step_time_s - b.results[0].train.step_time_s) <= 1e-12 * run.train.step_time_s);
    int noted = 0;
    for (int i = 0; i < run.scenario.n_notes; i++)
        if (!strcmp(run.scenario.notes[i].field, "train.tp")) {
            noted = 1;
            assert_string_equal(run.scenario.notes[i].asked, "auto");
            assert_non_null(strstr(run.scenario.notes[i].why, "candidates by step time"));
        }
    assert_true(noted);
    /* a partial recompute given (train.recompute_layers) is kept, as every field not auto,
     * and nothing is noted for it */
    load("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
         "train: {tp: auto, pp: 2, gbs: 16, seq: 4096, recompute: full, recompute_layers: 3}\n", &s);
    if (aif_run_train(cat, &s, NULL, &run, &e) != AIF_OK)
        fail_err(&e);
    assert_int_equal(run.scenario.train.recompute_layers, 3);
    for (int i = 0; i < run.scenario.n_notes; i++)
        assert_string_not_equal(run.scenario.notes[i].field, "train.recompute_layers");
    s.train.auto_fields = 0;
    s.train.par = run.scenario.train.par;
    aif_train_result direct;
    if (aif_estimate(&s, &direct, &e) != AIF_OK)
        fail_err(&e);
    assert_true(fabs(direct.step_time_s - run.train.step_time_s) <= 1e-12 * direct.step_time_s);

    /* recompute_layers and dp_shard written auto: the search's fewest layers that fit and
     * shard group, noted; each needs the mode it chooses within */
    const char *both = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-70b\n"
                       "train: {tp: 2, pp: 1, cp: 1, mbs: 1, gbs: 64, seq: 8192, recompute: full, optimizer: zero3, "
                       "recompute_layers: auto, dp_shard: auto}\n";
    load(both, &s);
    assert_int_equal(s.train.auto_fields, AIF_AUTO_RECOMPUTE_LAYERS | AIF_AUTO_DP_SHARD);
    aif_best_space_auto(&s, s.train.auto_fields, &o.space);
    assert_int_equal(o.space.recompute_layers, -1);
    assert_int_equal(o.space.dp_shard, -1);
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    if (aif_run_train(cat, &s, NULL, &run, &e) != AIF_OK)
        fail_err(&e);
    assert_true(b.results[0].recompute_layers > 0);   /* every layer does not fit the fastest way */
    assert_int_equal(run.scenario.train.recompute_layers, b.results[0].recompute_layers);
    assert_int_equal(run.scenario.train.par.dp_shard, b.results[0].par.dp_shard);
    assert_true(fabs(run.train.step_time_s - b.results[0].train.step_time_s) <= 1e-12 * run.train.step_time_s);
    noted = 0;
    for (int i = 0; i < run.scenario.n_notes; i++)
        noted += !strcmp(run.scenario.notes[i].field, "train.recompute_layers") ||
                 !strcmp(run.scenario.notes[i].field, "train.dp_shard");
    assert_int_equal(noted, 2);
    load("cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-70b\ntrain: {recompute_layers: auto}\n", &s);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.recompute_layers");
    load("cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-70b\ntrain: {dp_shard: auto}\n", &s);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.dp_shard");

    load("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {layout: auto, gbs: 16}\n", &s);
    assert_int_equal(s.train.auto_fields, AIF_AUTO_LAYOUT);
    const char *bad = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {layout: fast}\n";
    assert_int_equal(aif_scenario_parse(cat, bad, strlen(bad), "t.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.layout");
    assert_int_equal(e.line, 3);
    /* the base's layout dropped for another model: a field written auto is the
     * search's to choose, so its placeholder is not a substitution (vpp, not auto, is) */
    const aif_override ov[] = {{"model", "llama3-70b", "--model"}, {"cluster.gpus", "1024", "--gpus"},
                               {"train.gbs", "512", "--gbs"}, {"train.tp", "auto", "--tp"},
                               {"train.pp", "auto", "--pp"}};
    if (aif_scenario_load_job(cat, NULL, ov, 5, &s, &e) != AIF_OK)
        fail_err(&e);
    assert_int_equal(s.train.auto_fields, AIF_AUTO_TP | AIF_AUTO_PP);
    for (int i = 0; i < s.n_notes; i++)
        if (!strcmp(s.notes[i].field, "train")) {
            assert_string_equal(s.notes[i].asked, "vpp 2");   /* the default's tp 8, pp 16 are not listed */
        }
    const aif_override all[] = {{"model", "llama3-70b", "--model"}, {"cluster.gpus", "1024", "--gpus"},
                                {"train.gbs", "512", "--gbs"}, {"train.layout", "auto", "--layout"}};
    if (aif_scenario_load_job(cat, NULL, all, 4, &s, &e) != AIF_OK)
        fail_err(&e);
    for (int i = 0; i < s.n_notes; i++)
        assert_string_not_equal(s.notes[i].field, "train");
    /* nothing fits: an input error naming the need */
    const char *big = "cluster: {system: dgx-h100, gpus: 2, gpus_per_node: 2}\nmodel: llama3-405b\n"
                      "train: {layout: auto, gbs: 2}\n";
    load(big, &s);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "fits in memory"));
}

/* A gradient type given (train.grad_dtype) belongs to optimizer none or distributed:
 * the search then offers no sharded optimizer, where without it the best layouts are
 * sharded ones. */
static void grad_dtype_keeps_distributed(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_best b;
    aif_err e;
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = 10};
    aif_best_space_all(&o.space);
    int sharded[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        load(k ? "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {gbs: 16, seq: 8192, grad_dtype: bf16}\n"
               : "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {gbs: 16, seq: 8192}\n", &s);
        if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
            fail_err(&e);
        assert_true(b.n_results > 0);
        for (int i = 0; i < b.n_results; i++)
            sharded[k] += b.results[i].optimizer > AIF_OPT_DISTRIBUTED;
    }
    assert_true(sharded[0] > 0);
    assert_int_equal(sharded[1], 0);
}

/* Hybrid sharding is searched with the sharded optimizers: on 512 GPUs of plain data
 * parallelism under zero3, some shard group smaller than dp is faster than sharding over
 * all of it (smaller all-gathers), the search finds it, and it equals a fresh estimate;
 * a shard group fixed in the space is kept, and with an optimizer that keeps its
 * gradients whole no layout passes. */
static void hybrid_sharding_searched(void **st)
{
    (void)st;
    static aif_scenario s;
    static aif_best b;
    aif_err e;
    load("cluster: {system: dgx-h100, gpus: 512}\nmodel: llama3-8b\n"
         "train: {tp: 1, pp: 1, cp: 1, gbs: 512, seq: 8192, optimizer: zero3}\n", &s);
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = 4};
    aif_best_space_all(&o.space);
    o.space.tp = o.space.pp = o.space.cp = 1;
    o.space.optimizer = AIF_OPT_ZERO3;
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    const aif_best_result *r = &b.results[0];
    assert_true(r->par.dp_shard > 0 && r->par.dp_shard < r->par.dp && r->par.dp % r->par.dp_shard == 0);
    aif_best_apply(r, &s);
    aif_train_result hybrid, whole;
    if (aif_estimate(&s, &hybrid, &e) != AIF_OK)
        fail_err(&e);
    assert_true(fabs(hybrid.step_time_s - r->train.step_time_s) <= 1e-12 * hybrid.step_time_s);
    s.train.par.dp_shard = 0;
    if (aif_estimate(&s, &whole, &e) != AIF_OK)
        fail_err(&e);
    assert_true(whole.step_time_s > hybrid.step_time_s);
    o.space.dp_shard = 8;
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    for (int i = 0; i < b.n_results; i++)
        assert_int_equal(b.results[i].par.dp_shard, 8);
    o.space.optimizer = AIF_OPT_ZERO1;
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_err(&e);
    assert_int_equal(b.candidates, 0);
    assert_int_equal(b.n_results, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dense_8_time),       cmocka_unit_test(dense_4_time),
        cmocka_unit_test(dense_memory_bound), cmocka_unit_test(moe_4_time),
        cmocka_unit_test(lora_4_time),        cmocka_unit_test(offload_2_time),
        cmocka_unit_test(mtp_4_time),
        cmocka_unit_test(ties_total_order),   cmocka_unit_test(nothing_fits),
        cmocka_unit_test(deterministic_and_cost), cmocka_unit_test(auto_fields),
        cmocka_unit_test(grad_dtype_keeps_distributed), cmocka_unit_test(hybrid_sharding_searched),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
