/* test_search.c -- neighbours of a configuration (include/aifsim/search.h) and
 * the pipeline that hands them to the writers: the memory search's typed result
 * (what was tried, what fits, fastest first, below HBM), the sentence formatted
 * from it, the pair search when no single change fits, the strong-scaling curve
 * (monotone in GPU count for a dense model, its own point equal to the job), and a
 * writer refusing a run that lacks what it must draw. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/report.h"
#include "aifsim/run.h"
#include "aifsim/search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static aif_train_run run;   /* large: off the stack */

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

/* yaml NULL: the built-in default scenario */
static void run_yaml(const char *yaml, bool scaling)
{
    static aif_scenario s;
    aif_err e;
    if (!yaml)
        yaml = aif_default_scenario_yaml();
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_err(&e);
    aif_run_opts o = {.engine = AIF_ENGINE_ESTIMATE, .scaling = scaling};
    if (aif_run_train(cat, &s, &o, &run, &e) != AIF_OK)
        fail_err(&e);
}

static const aif_fit_candidate *find(const aif_memory_fit *m, int a, int b)
{
    for (int i = 0; i < m->n_tried; i++)
        if (m->tried[i].change[0] == a && m->tried[i].change[1] == b)
            return &m->tried[i];
    return NULL;
}

/* what holds for every search result */
static void check_invariants(const aif_memory_fit *m)
{
    assert_true(m->searched);
    assert_true(m->need_bytes > m->hbm_bytes);
    assert_in_range(m->n_tried, 1, AIF_FIT_MAX_TRIED);
    assert_in_range(m->n_fits, 0, m->n_tried);
    int n_fit = 0, pairs = 0;
    for (int i = 0; i < m->n_tried; i++) {
        const aif_fit_candidate *c = &m->tried[i];
        assert_in_range(c->change[0], 0, AIF_N_CHANGES - 1);
        assert_true(c->change[1] == -1 || (c->change[1] > c->change[0] && c->change[1] < AIF_N_CHANGES));
        pairs += c->change[1] >= 0;
        if (pairs)   /* singles first, then pairs */
            assert_true(c->change[1] >= 0);
        if (c->fits) {
            n_fit++;
            assert_int_equal(c->rc, AIF_OK);
            assert_true(c->mem_bytes <= m->hbm_bytes);
            assert_true(c->step_time_s > 0);
        }
    }
    assert_int_equal(n_fit, m->n_fits);
    for (int i = 0; i < m->n_fits; i++) {
        assert_true(m->tried[m->fits[i]].fits);
        if (i)
            assert_true(m->tried[m->fits[i - 1]].step_time_s <= m->tried[m->fits[i]].step_time_s);
    }
}

/* The default scenario (Llama 3 405B on 16,384 H100) does not fit; pp x2, tp x2 and full
 * recompute each make it fit, below HBM, pp x2 the fastest; full recompute of each chunk's
 * first layer (four a chunk) is enough, faster than tp x2; the sentence is the one the CLI
 * prints. */
static void test_default_memory_fit(void **st)
{
    (void)st;
    run_yaml(NULL, false);
    const aif_memory_fit *m = &run.memory_fit;
    assert_false(run.train.fits_in_memory);
    check_invariants(m);
    assert_true(m->need_bytes == run.train.mem.total_bytes);
    assert_true(m->hbm_bytes == run.train.mem.hbm_bytes);
    for (int i = 0; i < m->n_tried; i++)   /* a single change fits: no pair was tried */
        assert_int_equal(m->tried[i].change[1], -1);
    const aif_fit_candidate *tp = find(m, AIF_CHANGE_TP_X2, -1), *rc = find(m, AIF_CHANGE_RECOMPUTE_FULL, -1);
    const aif_fit_candidate *pp = find(m, AIF_CHANGE_PP_X2, -1);
    assert_non_null(tp);
    assert_non_null(rc);
    assert_non_null(pp);
    assert_true(pp->fits && pp->mem_bytes < m->hbm_bytes);
    assert_true(tp->fits && tp->mem_bytes < m->hbm_bytes);
    assert_true(rc->fits && rc->mem_bytes < m->hbm_bytes);
    assert_int_equal(rc->recompute_layers, 1);
    assert_true(rc->step_time_s < tp->step_time_s);   /* one layer in four replayed */
    assert_true(pp->step_time_s < rc->step_time_s);
    assert_ptr_equal(&m->tried[m->fits[0]], pp);
    char buf[1024];
    aif_report_memory_fit_text(buf, sizeof buf, m);
    assert_string_equal(buf, "needs 84.2 GiB of 79.6 GiB HBM (over by 4.5 GiB). Would fit: pp x2 fits "
                             "(75.2 GiB, step 7.50 s); recompute full of the first 1 layer of each chunk fits "
                             "(69.7 GiB, step 8.15 s); tp x2 fits (56.7 GiB, step 8.88 s)");
    char small[16];   /* truncated, still terminated */
    aif_report_memory_fit_text(small, sizeof small, m);
    assert_string_equal(small, "needs 84.2 GiB ");
}

/* Full recompute narrowed to the fewest layers that fit: Llama 3 8B on 8 H100 at 8K tokens
 * (pp 1: one chunk of 32 layers) needs N of them replayed, N - 1 does not fit, N is faster
 * than every layer's replay, and the candidate's figures are that job's estimate. */
static void test_recompute_narrowed(void **st)
{
    (void)st;
    static const char y[] = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                            "train: {tp: 1, pp: 1, mbs: 1, gbs: 128, seq: 8192, precision: fp8}\n";
    run_yaml(y, false);
    const aif_memory_fit *m = &run.memory_fit;
    check_invariants(m);
    const aif_fit_candidate *rc = find(m, AIF_CHANGE_RECOMPUTE_FULL, -1);
    assert_non_null(rc);
    assert_true(rc->fits);
    assert_in_range(rc->recompute_layers, 2, 31);
    static aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_err(&e);
    s.train.recompute = AIF_RC_FULL;
    aif_train_result all, at, below;
    assert_int_equal(aif_estimate(&s, &all, &e), AIF_OK);
    s.train.recompute_layers = rc->recompute_layers;
    assert_int_equal(aif_estimate(&s, &at, &e), AIF_OK);
    s.train.recompute_layers = rc->recompute_layers - 1;
    assert_int_equal(aif_estimate(&s, &below, &e), AIF_OK);
    assert_true(at.fits_in_memory && !below.fits_in_memory);
    assert_true(at.step_time_s < all.step_time_s);
    assert_true(rc->step_time_s == at.step_time_s && rc->mem_bytes == at.mem.total_bytes);
}

/* No single change fits: the pairs are tried, and the sentence names a pair. */
static void test_pairs(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {mbs: 8, gbs: 64, seq: 8192}\n", false);
    const aif_memory_fit *m = &run.memory_fit;
    check_invariants(m);
    assert_true(m->n_fits > 0);
    int singles = 0;
    for (int i = 0; i < m->n_tried; i++)
        if (m->tried[i].change[1] < 0) {
            singles++;
            assert_false(m->tried[i].fits);
        }
    assert_true(singles > 0 && singles < m->n_tried);
    assert_true(m->tried[m->fits[0]].change[1] >= 0);
    char buf[1024];
    aif_report_memory_fit_text(buf, sizeof buf, m);
    assert_non_null(strstr(buf, " + "));
}

/* Nothing fits: every applicable single and pair was tried, and the sentence says so. */
static void test_nothing_fits(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-405b\ntrain: {gbs: 8, seq: 4096}\n", false);
    const aif_memory_fit *m = &run.memory_fit;
    check_invariants(m);
    assert_int_equal(m->n_fits, 0);
    assert_true(m->n_tried > AIF_N_CHANGES);
    char buf[1024];
    aif_report_memory_fit_text(buf, sizeof buf, m);
    assert_non_null(strstr(buf, "No change of recompute"));
}

/* A gradient type given for the distributed optimizer does not bar zero3, which keeps
 * its own gradients: the candidate drops the type and is estimated, as without it. */
static void test_zero3_with_grad_dtype(void **st)
{
    (void)st;
    const char *base = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\n"
                       "train: {tp: 1, pp: 1, gbs: 64, seq: 2048%s}\n";
    char y[256];
    double mem[2];
    for (int k = 0; k < 2; k++) {
        snprintf(y, sizeof y, base, k ? ", grad_dtype: bf16" : "");
        run_yaml(y, false);
        assert_true(run.memory_fit.searched);
        const aif_fit_candidate *c = find(&run.memory_fit, AIF_CHANGE_OPTIMIZER_ZERO3, -1);
        assert_non_null(c);
        assert_int_equal(c->rc, AIF_OK);
        assert_true(c->fits);
        mem[k] = c->mem_bytes;
    }
    assert_true(mem[0] == mem[1]);
}

/* A job that fits is not searched and gets no sentence. */
static void test_fits_not_searched(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 2, gbs: 64, seq: 4096}\n", false);
    assert_true(run.train.fits_in_memory);
    assert_false(run.memory_fit.searched);
    assert_int_equal(run.memory_fit.n_tried, 0);
    char buf[64] = "x";
    aif_report_memory_fit_text(buf, sizeof buf, &run.memory_fit);
    assert_string_equal(buf, "");
}

/* A change that does not apply leaves the scenario as it was. */
static void test_change_apply(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
             "train: {tp: 8, gbs: 8, seq: 4096, recompute: full}\n", false);
    aif_scenario s = run.scenario, t = s;
    assert_int_equal(s.train.par.dp, 1);
    assert_false(aif_change_apply(&t, AIF_CHANGE_TP_X2));
    assert_false(aif_change_apply(&t, AIF_CHANGE_PP_X2));
    assert_false(aif_change_apply(&t, AIF_CHANGE_RECOMPUTE_FULL));
    assert_memory_equal(&s, &t, sizeof s);
    assert_string_equal(aif_change_name(AIF_CHANGE_OPTIMIZER_ZERO3), "optimizer zero3");
    assert_string_equal(aif_change_name(AIF_N_CHANGES), "?");
}

/* Strong scaling of a dense model: tokens/s rises with the GPU count, the global
 * batch stays, and the job's own GPU count gives the job's own step. */
static void test_scaling_monotone(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 512, seq: 4096, tokens: 1T}\n",
             true);
    const aif_scaling *sc = &run.scaling;
    assert_true(sc->searched);
    assert_int_equal(sc->n_points, AIF_SCALING_LOG2_MAX - AIF_SCALING_LOG2_MIN + 1);
    int own = -1;
    for (int i = 0; i < sc->n_points; i++) {
        const aif_scaling_point *p = &sc->points[i];
        assert_int_equal(p->gpus, p->dp * run.scenario.train.par.tp * run.scenario.train.par.pp *
                                      run.scenario.train.par.cp);
        assert_true(p->step_time_s > 0 && p->mfu > 0 && p->mfu < 1);
        assert_true(fabs(p->tokens_per_s * p->step_time_s - 512.0 * 4096) < 1e-6 * 512 * 4096);
        assert_true(p->steps > 0 && p->train_time_s > 0);
        if (i) {
            assert_true(p->gpus > sc->points[i - 1].gpus);
            assert_true(p->tokens_per_s > sc->points[i - 1].tokens_per_s);
        }
        if (p->gpus == run.scenario.cluster.gpus)
            own = i;
    }
    assert_true(own >= 0);
    assert_true(sc->points[own].step_time_s == run.train.step_time_s);

    aif_scaling bad;
    aif_err e;
    assert_int_equal(aif_search_scaling(&run.scenario, 1, 0, &bad, &e), AIF_EINPUT);
    assert_int_equal(aif_search_scaling(&run.scenario, 0, AIF_SCALING_MAX_POINTS, &bad, &e), AIF_EINPUT);
}

/* Points whose batch does not divide are left out: gbs 64 on dp 64 cannot double. */
static void test_scaling_skips(void **st)
{
    (void)st;
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, seq: 4096}\n";
    if (aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_err(&e);
    aif_scaling sc;
    assert_int_equal(aif_search_scaling(&s, AIF_SCALING_LOG2_MIN, AIF_SCALING_LOG2_MAX, &sc, &e), AIF_OK);
    assert_int_equal(sc.n_points, 4);   /* 8, 16, 32, 64 GPUs */
    assert_int_equal(sc.points[sc.n_points - 1].gpus, 64);
}

/* The HTML writer draws the scaling curve the run carries; without one it refuses
 * (it would have to compute it). */
static void test_html_needs_scaling(void **st)
{
    (void)st;
    run_yaml("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 2, gbs: 64, seq: 4096}\n", false);
    assert_false(run.scaling.searched);
    aif_err e;
    assert_int_equal(aif_report_html("unused.html", &run, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "aif_run_opts.scaling"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_memory_fit), cmocka_unit_test(test_recompute_narrowed), cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_nothing_fits),       cmocka_unit_test(test_fits_not_searched),
        cmocka_unit_test(test_change_apply),       cmocka_unit_test(test_scaling_monotone),
        cmocka_unit_test(test_scaling_skips),      cmocka_unit_test(test_html_needs_scaling),
        cmocka_unit_test(test_zero3_with_grad_dtype),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
