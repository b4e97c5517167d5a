/* test_offload.c -- activation offload to host memory (train.offload, train.offload_layers;
 * workload/offload.h), checked by hand on Llama 3 8B, tp 1, seq 8192, mbs 1 on 8 H100
 * (no tensor-parallel traffic and dp_overlap off, so a layer's time is its segment's in
 * both engines):
 *  - memory: a layer saves T (34 s h + the GQA, SwiGLU terms) = 8192 x 139,392 bytes
 *    (Korthikanti et al.'s terms as memory.c keeps them, by hand below); offloading N layers
 *    takes exactly N of them off the GPU and puts them in host memory;
 *  - a link fast enough for the copies to hide behind the layers between them: the step
 *    time and breakdown of no offload, to the bit, in both engines;
 *  - a slow link: one layer offloaded, its copy hides behind the L - 2 layers between the
 *    layer and the one that waits for it (Transformer Engine's synchronizer), so the
 *    exposed time is m (max(0, c - 30 f) + max(0, c - 30 b)); and with every layer but the
 *    last nothing hides: 2 m N c;
 *  - refused with pp > 1, with recompute, without a host link, with too many layers, and
 *    offload_layers without offload, naming the field and what is accepted;
 *  - the best-layout search (train.layout auto, and aif_search_best over the whole space)
 *    keeps an offload job at pp 1 and no recompute, and times every layout as aif_estimate
 *    does (the copies of its own mbs and tp);
 *  - the catalog's host links: NVLink-C2C on GB200, PCIe Gen5 on H100. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/graph.h"
#include "aifsim/run.h"
#include "aifsim/search.h"
#include "aifsim/sim.h"
#include "workload/memory.h"
#include "workload/offload.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* a layer's saved activations, by hand: T = 8192 tokens, h 4096, 32 heads of 128, 8 KV
 * heads, ffn 14336, SwiGLU, flash attention, no dropout, tp 1:
 *   attention: norm input 2Th, qkv input 2Th, q k v 2T(4096 + 2 x 8 x 128), o's input 2T 4096,
 *              softmax statistics 4T x 32 heads;
 *   MLP:       norm input 2Th, fc1 input 2Th, fc2 input 2T ffn, SwiGLU's two halves 2T 2 ffn */
#define LAYER_BYTES (8192.0 * (4 * 4096 + 2 * (4096 + 2048) + 2 * 4096 + 4 * 32 + 4 * 4096 + 2 * 14336 + 4 * 14336))

static void load(const char *offload, const char *layers, const char *link, aif_scenario *s)
{
    /* dp_overlap off: no gradient or parameter traffic beside the layers to slow them in
     * the simulator (overlap_slowdown), so both engines time a layer as its segment */
    aif_override ov[9] = {{"model", "llama3-8b", "o"}, {"cluster.system", "dgx-h100", "o"},
                          {"cluster.gpus", "8", "o"}, {"train.tp", "1", "o"}, {"train.pp", "1", "o"},
                          {"train.mbs", "1", "o"}, {"train.gbs", "16", "o"}, {"train.seq", "8192", "o"},
                          {"train.dp_overlap", "false", "o"}};
    aif_override all[12];
    int n = 9;
    memcpy(all, ov, sizeof ov);
    if (offload)
        all[n++] = (aif_override){"train.offload", offload, "o"};
    if (layers)
        all[n++] = (aif_override){"train.offload_layers", layers, "o"};
    if (link)
        all[n++] = (aif_override){"cluster.host_link", link, "o"};
    aif_err e;
    if (aif_scenario_parse(cat, "", 0, "t", all, n, s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
}

static void run(const aif_scenario *s, int sim, aif_train_result *r)
{
    aif_err e;
    aif_rc rc = sim ? aif_simulate(s, NULL, r, NULL, &e) : aif_estimate(s, r, &e);
    if (rc != AIF_OK)
        fail_msg("%s", e.msg);
}

static void test_memory_by_hand(void **st)
{
    (void)st;
    aif_scenario a, b;
    load(NULL, NULL, NULL, &a);
    load("activations", "8", NULL, &b);
    double lb[2];
    aif_memory_layer_bytes(&b, lb);
    if (lb[0] != LAYER_BYTES)
        fail_msg("a layer's activations %.17g bytes, by hand %.17g", lb[0], LAYER_BYTES);
    aif_train_result ra, rb;
    run(&a, 0, &ra);
    run(&b, 0, &rb);
    /* 8 of 32 layers leave the GPU; the 24 the synchronizer keeps at most are on it */
    double gone = ra.mem.activations_bytes - rb.mem.activations_bytes;
    if (fabs(gone - 8 * LAYER_BYTES) > 1e-9 * gone)
        fail_msg("activations fell by %.17g bytes, expected 8 layers' %.17g", gone, 8 * LAYER_BYTES);
    assert_true(fabs(rb.mem.host_bytes - 8 * LAYER_BYTES) <= 1e-9 * rb.mem.host_bytes);
    assert_true(ra.mem.host_bytes == 0);
    assert_true(fabs((ra.mem.total_bytes - rb.mem.total_bytes) - gone) <= 1e-6 * gone);
    /* the default: every layer but the last (31 of 32) */
    aif_scenario c;
    load("activations", NULL, NULL, &c);
    assert_int_equal(c.train.offload_layers, 31);
    aif_train_result rc;
    run(&c, 0, &rc);
    assert_true(fabs(rc.mem.activations_bytes - (ra.mem.activations_bytes - 31 * LAYER_BYTES)) <=
                1e-9 * ra.mem.activations_bytes);
}

/* a scenario from YAML text, failing the test with the parser's message */
static void parse_ok(const char *yaml, aif_scenario *s)
{
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
}

/* b (with offload) runs to the bit as a (without) in the engine `sim` names: nothing exposed */
static void same_step(const aif_scenario *a, const aif_scenario *b, int sim, aif_train_result *ra,
                      aif_train_result *rb)
{
    run(a, sim, ra);
    run(b, sim, rb);
    if (rb->step_time_s != ra->step_time_s || rb->bd.offload_s != 0)
        fail_msg("%s: step %.17g s with offload, %.17g s without (exposed %.3g s)", sim ? "sim" : "estimate",
                 rb->step_time_s, ra->step_time_s, rb->bd.offload_s);
}

static void test_fast_link_is_no_offload(void **st)
{
    (void)st;
    aif_scenario a, b;
    load(NULL, NULL, NULL, &a);
    /* 16 of 32 layers: each copy has 15 layers to hide behind; at 10 TB/s it takes 0.11 ms */
    load("activations", "16", "10TB/s", &b);
    for (int sim = 0; sim < 2; sim++) {
        aif_train_result ra, rb;
        same_step(&a, &b, sim, &ra, &rb);
        assert_true(memcmp(&ra.bd, &rb.bd, sizeof ra.bd) == 0);
    }
}

/* the dense layer's forward and backward on one GPU, as the analytical engine times them */
static void layer_times(const aif_scenario *s, double *f, double *b)
{
    aif_graph_timing t;
    aif_err e;
    if (aif_graph_timing_eval(s, &t, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    *f = t.seg_t[AIF_SEG_DENSE_FWD].total_s;
    *b = t.seg_t[AIF_SEG_DENSE_BWD].total_s;
    aif_graph_timing_free(&t);
}

static void test_slow_link_by_hand(void **st)
{
    (void)st;
    aif_scenario a;
    load(NULL, NULL, NULL, &a);
    double f, b;
    layer_times(&a, &f, &b);
    /* a link at which one layer's copy takes 40 forward layers: longer than the 30 layers'
     * forward and backward it overlaps (b is about 2 f) in the forward, shorter in the backward */
    char link[64];
    snprintf(link, sizeof link, "%.17gB/s", LAYER_BYTES / (40 * f));
    aif_scenario one, most;
    load("activations", "1", link, &one);
    load("activations", "31", link, &most);
    double c = LAYER_BYTES / one.cluster.host_link_Bps, m = 2;   /* gbs 16 / (mbs 1 x dp 8) */
    double want1 = m * (fmax(0, c - 30 * f) + fmax(0, c - 30 * b)), want31 = 2 * m * 31 * c;
    assert_true(want1 > 0.2 * c);   /* the case exposes something, and hides part of it */
    aif_train_result ra, r1, r31;
    run(&a, 0, &ra);
    run(&one, 0, &r1);
    run(&most, 0, &r31);
    if (fabs(r1.bd.offload_s - want1) > 1e-9 * want1)
        fail_msg("one layer offloaded: exposed %.17g s, by hand %.17g s (copy %.6g s, layer %.6g s + %.6g s)",
                 r1.bd.offload_s, want1, c, f, b);
    if (fabs(r31.bd.offload_s - want31) > 1e-9 * want31)
        fail_msg("31 layers offloaded: exposed %.17g s, by hand %.17g s", r31.bd.offload_s, want31);
    /* the step grows by what is exposed, and nothing else moves */
    assert_true(fabs(r1.step_time_s - ra.step_time_s - want1) <= 1e-9 * ra.step_time_s);
    assert_true(fabs(r1.bd.compute_s - ra.bd.compute_s) <= 1e-12 * ra.bd.compute_s);
    /* the simulator runs the same copy stream on its clock: the same waits */
    aif_train_result s1, s31;
    run(&one, 1, &s1);
    run(&most, 1, &s31);
    if (fabs(s1.bd.offload_s - want1) > 1e-6 * want1 || fabs(s31.bd.offload_s - want31) > 1e-6 * want31)
        fail_msg("simulator: exposed %.9g s and %.9g s, by hand %.9g s and %.9g s", s1.bd.offload_s, s31.bd.offload_s,
                 want1, want31);
}

/* the reference recurrence on a small stage, by hand: 4 layers, 2 offloaded, f 1, b 2, c 3:
 * forward: copy 0 runs 1..4, layer 2 (L - N + 0) would start at 2: waits 2, starts 4, ends 5;
 *          copy 1 (from layer 1's end at 2, after copy 0) runs 4..7, layer 3 starts at 5:
 *          waits 2; forward exposed 4.
 * backward: layer 3 starts at 0 and no reload is triggered (i = 3 - 1 = 2 >= N); layer 2's
 *          start (2) triggers reload 1 (2..5); layer 1 starts at 4 and triggers reload 0
 *          (5..8), then waits for reload 1 until 5, runs 5..7; layer 0 waits until 8;
 *          backward exposed 1 + 1 = 2. */
static void test_recurrence_by_hand(void **st)
{
    (void)st;
    double fw, bw;
    aif_offload_exposed(4, 4, 2, 0, (double[]){1, 1}, (double[]){2, 2}, (double[]){3, 3}, &fw, &bw);
    assert_true(fabs(fw - 4) < 1e-15);
    assert_true(fabs(bw - 2) < 1e-15);
    /* N = L - 1: nothing hides, each copy is waited for in full */
    aif_offload_exposed(4, 4, 3, 0, (double[]){1, 1}, (double[]){2, 2}, (double[]){3, 3}, &fw, &bw);
    assert_true(fabs(fw - 9) < 1e-15 && fabs(bw - 9) < 1e-15);
    /* a scheduler running each copy one layer ahead (ahead 1, XLA's), N = 3 of 4, the same times:
     * forward: layer 0 runs 0..1, layer 1 1..2; copy 0 runs 1..4, copy 1 4..7; layer 2 waits 2
     *          for copy 0 until 4, runs 4..5, copy 2 7..10; layer 3 waits 2 for copy 1 until 7,
     *          runs 7..8: exposed 4, and copy 2 still has 2 to run as the forward ends;
     * backward: the stream busy until 2; layer 3's start triggers reload 2 (2..5), it runs
     *          0..2; layer 2 triggers reload 1 (5..8), waits 3 for its own until 5, runs 5..7;
     *          layer 1 triggers reload 0 (8..11), waits 1 until 8, runs 8..10; layer 0 waits 1
     *          until 11: exposed 5 (Transformer Engine's rule above: 9) */
    aif_offload_exposed(4, 4, 3, 1, (double[]){1, 1}, (double[]){2, 2}, (double[]){3, 3}, &fw, &bw);
    assert_true(fabs(fw - 4) < 1e-15 && fabs(bw - 5) < 1e-15);
    assert_int_equal(aif_offload_ahead(4, 3, 0), 0);
    assert_int_equal(aif_offload_ahead(4, 2, 0), 1);
    assert_int_equal(aif_offload_ahead(4, 3, 5), 5);
}

/* MaxText (framework offload_recompute, offload_prefetch 1) offloads full recompute's
 * checkpointed layer inputs: accepted with recompute full (refused with selective, and under
 * Megatron-Core, test_refused); the layers keep no activation but a layer input's, 31 of 32 of
 * them in host memory and two on the GPU (the copy in flight one layer ahead); at a link that copies a layer input in far less than a layer's forward,
 * one layer ahead hides every copy: the step of full recompute without offload, in both
 * engines. */
static void refused(const char *yaml, const char *path, const char *what);

static void test_maxtext_offloads_checkpoints(void **st)
{
    (void)st;
    const char *base = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                       "train: {framework: maxtext-gpu, seq: 8192, mbs: 1, gbs: 16, recompute: full%s}\n";
    char y[400];
    aif_scenario a, b;
    snprintf(y, sizeof y, base, "");
    parse_ok(y, &a);
    snprintf(y, sizeof y, base, ", offload: activations");
    parse_ok(y, &b);
    assert_true(b.framework.offload_recompute && b.framework.offload_prefetch == 1);
    assert_int_equal(b.train.offload_layers, 31);
    double per[2];
    aif_memory_layer_bytes(&b, per);
    assert_true(per[0] == 8192.0 * 4096 * 2);   /* a layer's checkpoint: its input, bf16 */
    for (int sim = 0; sim < 2; sim++) {
        aif_train_result ra, rb;
        same_step(&a, &b, sim, &ra, &rb);
        if (!sim) {
            assert_true(fabs(rb.mem.host_bytes - 31 * per[0]) <= 1e-9 * rb.mem.host_bytes);
            /* one layer ahead: two layer inputs in flight on the GPU, where Transformer Engine's
             * window (L - N) would hold one */
            assert_true(fabs(ra.mem.activations_bytes - rb.mem.activations_bytes - 30 * per[0]) <=
                        1e-9 * ra.mem.activations_bytes);
        }
    }
    /* a link slow enough to expose the copies (a layer input in about 2 layers' forward): the
     * engines agree within 3%, the analytical one the higher (the head's time between the
     * forward and the backward, which the simulator lets hide a leftover copy, it does not count) */
    aif_scenario slow;
    y[0] = 0;
    snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8, host_link: 2GB/s}\nmodel: llama3-8b\n"
                          "train: {framework: maxtext-gpu, seq: 8192, mbs: 1, gbs: 16, recompute: full, "
                          "offload: activations, dp_overlap: false}\n");
    parse_ok(y, &slow);
    aif_train_result est, sim;
    run(&slow, 0, &est);
    run(&slow, 1, &sim);
    assert_true(est.bd.offload_s > 0.3 * est.step_time_s);   /* the case exposes the copies */
    if (!(est.bd.offload_s >= sim.bd.offload_s && est.step_time_s <= 1.03 * sim.step_time_s))
        fail_msg("slow link, one layer ahead: estimate %.6g s (offload %.6g), sim %.6g s (offload %.6g)",
                 est.step_time_s, est.bd.offload_s, sim.step_time_s, sim.bd.offload_s);
    snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                          "train: {framework: maxtext-gpu, recompute: selective, offload: activations}\n");
    refused(y, "train.offload", "use recompute full or none");
}

static void refused(const char *yaml, const char *path, const char *what)
{
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, &s, &e) != AIF_EINPUT)
        fail_msg("accepted: %s", yaml);
    assert_string_equal(e.path, path);
    if (!strstr(e.msg, what))
        fail_msg("%s: '%s' does not say '%s'", e.path, e.msg, what);
    assert_true(e.line > 0);   /* placed at the value written */
}

static void test_refused(void **st)
{
    (void)st;
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {pp: 2, offload: activations}\n",
            "train.offload", "pp 1");
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {recompute: full, offload: activations}\n",
            "train.offload", "recompute none");
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {recompute: selective, offload: activations}\n",
            "train.offload", "recompute none");
    refused("cluster: {system: mi300x-8, gpus: 8}\nmodel: llama3-8b\ntrain: {offload: activations}\n",
            "train.offload", "cluster.host_link");
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {offload: activations, offload_layers: 32}\n",
            "train.offload_layers", "accepted 1 to 31");
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {offload_layers: 4}\n",
            "train.offload_layers", "offload: activations");
    refused("cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {offload: weights}\n", "train.offload",
            "activations");
    /* a host link given where the system has none */
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: mi300x-8, gpus: 8, host_link: 64GB/s}\nmodel: llama3-8b\ntrain: {offload: activations}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_true(s.cluster.host_link_Bps == 64e9);
}

static void test_layout_search(void **st)
{
    (void)st;
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "train: {layout: auto, seq: 8192, gbs: 64, offload: activations, offload_layers: 16}\n";
    if (aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    static aif_train_run tr;
    if (aif_run_train(cat, &s, NULL, &tr, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    const aif_train *t = &tr.scenario.train;
    assert_int_equal(t->par.pp, 1);
    assert_int_equal(t->recompute, AIF_RC_NONE);
    aif_train_result r;
    run(&tr.scenario, 0, &r);
    if (r.step_time_s != tr.train.step_time_s || r.bd.offload_s != tr.train.bd.offload_s)
        fail_msg("search's layout (tp %d cp %d mbs %d): %.17g s, its estimate %.17g s", t->par.tp, t->par.cp, t->mbs,
                 tr.train.step_time_s, r.step_time_s);
    /* under a stack that offloads full recompute's checkpoints the search keeps recompute full */
    y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
        "train: {framework: maxtext-gpu, layout: auto, seq: 8192, gbs: 64, recompute: full, offload: activations}\n";
    parse_ok(y, &s);
    static aif_train_run mx;
    if (aif_run_train(cat, &s, NULL, &mx, &e) != AIF_OK)
        fail_msg("maxtext-gpu, recompute full with offload, layout auto: %s: %s", e.path, e.msg);
    assert_int_equal(mx.scenario.train.par.pp, 1);
    assert_int_equal(mx.scenario.train.recompute, AIF_RC_FULL);
    assert_int_equal(mx.scenario.train.offload, AIF_OFFLOAD_ACTIVATIONS);
}

/* every result of the search over the whole space (tp, cp, mbs, optimizer, overlaps):
 * pp 1, no recompute, and the step aif_estimate gives that layout (the copies of its own
 * mbs and tp, not of the layout the search lowered first) */
static void test_search_results(void **st)
{
    (void)st;
    static aif_scenario s, one;
    static aif_best b;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "train: {seq: 8192, gbs: 64, offload: activations, offload_layers: 16}\n";
    if (aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = AIF_BEST_MAX_TOP};
    aif_best_space_all(&o.space);
    if (aif_search_best(&s, &o, &b, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    assert_true(b.n_results > 8);
    int mbs_seen = 0;
    for (int i = 0; i < b.n_results; i++) {
        const aif_best_result *r = &b.results[i];
        assert_int_equal(r->par.pp, 1);
        assert_int_equal(r->recompute, AIF_RC_NONE);
        one = s;
        aif_best_apply(r, &one);
        aif_train_result x;
        run(&one, 0, &x);
        if (fabs(x.step_time_s - r->train.step_time_s) > 1e-12 * x.step_time_s)
            fail_msg("result %d (tp %d cp %d mbs %d): search %.17g s, aif_estimate %.17g s", i, r->par.tp, r->par.cp,
                     r->mbs, r->train.step_time_s, x.step_time_s);
        mbs_seen |= r->mbs != b.results[0].mbs;
    }
    assert_true(mbs_seen);   /* layouts of more than one mbs were compared */
}

static void test_catalog_links(void **st)
{
    (void)st;
    assert_true(aif_catalog_find_system(cat, "gb200-nvl72")->host_link_Bps == 450e9);
    assert_true(aif_catalog_find_system(cat, "gb300-nvl72")->host_link_Bps == 450e9);
    assert_true(aif_catalog_find_system(cat, "dgx-h100")->host_link_Bps == 63e9);
    assert_true(aif_catalog_find_system(cat, "hgx-b200")->host_link_Bps == 63e9);
    assert_true(aif_catalog_find_system(cat, "dgx-a100-80g")->host_link_Bps == 31.5e9);
    assert_true(strstr(aif_catalog_source(cat, "systems", "gb200-nvl72", "host_link"), "NVLink-C2C") != NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_by_hand), cmocka_unit_test(test_fast_link_is_no_offload),
        cmocka_unit_test(test_slow_link_by_hand), cmocka_unit_test(test_recurrence_by_hand), cmocka_unit_test(test_maxtext_offloads_checkpoints),
        cmocka_unit_test(test_refused), cmocka_unit_test(test_layout_search), cmocka_unit_test(test_search_results),
        cmocka_unit_test(test_catalog_links)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
