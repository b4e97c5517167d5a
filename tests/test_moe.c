/* test_moe.c -- MoE as the runs have it: routing load imbalance as a parameter
 * (train.ep_imbalance, the busiest expert-parallel rank's token copies over the mean):
 * balanced (1) is the model as before, to the bit; above 1 the busiest rank's expert
 * GEMMs, its all-to-all share and its expert activations grow with it, in both engines;
 * with ep 1 it changes nothing; out of range it is refused naming the field.
 * The dispatch deduplicated per destination node (train.ep_dispatch deepep, DeepEP) with
 * node-limited routing (model.moe.max_nodes): the closed form by hand, the all-to-all's
 * bytes by that ratio, fp8 only where deepep-fp8 asks and only on the transfers that feed
 * the experts, auto following the model, nothing inside one domain.  Grouped expert GEMMs
 * slower with few tokens per expert (grouped_m_half) against DeepGEMM's published table.
 * Multi-token prediction (model.mtp_layers): one more layer on the last stage, its FLOPs,
 * its head pass, its memory, and the published parameter count unchanged.  Sliding-window
 * attention (model.sliding_window, full_attention_every; gpt-oss's alternating 128-token
 * band): the banded layers' attention work by hand, at a window's kernel rate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/sim.h"
#include "hw/compute.h"
#include "net/collective.h"
#include "workload/memory.h"
#include "workload/transformer.h"

#include <math.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* the built-in catalog with these n overrides, or the test fails with the parser's message */
static aif_scenario parsed(const aif_override *ov, int n)
{
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, "", 0, "t", ov, n, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    return s;
}

/* Mixtral 8x7B on 64 H100, ep 8, the expert all-to-all not overlapped; imb NULL: not given */
static void run(const char *imb, const char *ep, int sim, aif_train_result *r)
{
    aif_override ov[] = {{"model", "mixtral-8x7b", "o"}, {"cluster.system", "dgx-h100", "o"},
                         {"cluster.gpus", "64", "o"}, {"train.tp", "1", "o"}, {"train.pp", "4", "o"},
                         {"train.ep", ep, "o"}, {"train.mbs", "1", "o"}, {"train.gbs", "64", "o"},
                         {"train.seq", "4096", "o"}, {"train.ep_overlap", "false", "o"},
                         {"train.ep_imbalance", imb, "o"}};
    aif_scenario s = parsed(ov, imb ? 11 : 10);
    aif_err e;
    aif_rc rc = sim ? aif_simulate(&s, NULL, r, NULL, &e) : aif_estimate(&s, r, &e);
    if (rc != AIF_OK)
        fail_msg("%s", e.msg);
}

static void test_balanced_is_as_before(void **state)
{
    (void)state;
    aif_train_result a, b;
    run(NULL, "8", 0, &a);
    run("1", "8", 0, &b);
    assert_true(a.step_time_s == b.step_time_s);
    assert_true(a.mem.total_bytes == b.mem.total_bytes);
}

static void test_imbalance_slows(void **state)
{
    (void)state;
    aif_train_result a, b, sa, sb;
    run("1", "8", 0, &a);
    run("1.5", "8", 0, &b);
    assert_true(b.step_time_s > 1.1 * a.step_time_s);
    double ep = b.bd.ep_comm_s / a.bd.ep_comm_s;   /* the all-to-all waits for the busiest receiver */
    if (!(ep > 1.3 && ep <= 1.5 + 1e-9))
        fail_msg("expert all-to-all %.4f s -> %.4f s: x%.3f, expected about 1.5", a.bd.ep_comm_s, b.bd.ep_comm_s, ep);
    assert_true(b.bd.compute_s > 1.1 * a.bd.compute_s);   /* its expert GEMMs */
    assert_true(b.mem.total_bytes > a.mem.total_bytes);   /* its expert activations */
    /* the simulating engine runs the same graph: the same slowdown within 5% */
    run("1", "8", 1, &sa);
    run("1.5", "8", 1, &sb);
    double re = b.step_time_s / a.step_time_s, rs = sb.step_time_s / sa.step_time_s;
    if (fabs(re / rs - 1) > 0.05)
        fail_msg("slowdown: estimate x%.3f, simulation x%.3f", re, rs);
}

static void test_no_ep_no_effect(void **state)
{
    (void)state;
    aif_train_result a, b;
    run("1", "1", 0, &a);
    run("2", "1", 0, &b);
    assert_true(a.step_time_s == b.step_time_s);
}

static void test_refused(void **state)
{
    (void)state;
    aif_override ov[] = {{"train.ep_imbalance", "0.5", "--set"}};
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", ov, 1, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.ep_imbalance");
    assert_non_null(strstr(e.msg, "accepted: 1 to 64"));
}


/* ------------------------------------------------ dispatch deduplicated per node */

static void test_dedup_by_hand(void **state)
{
    (void)state;
    /* one domain: once per rank of the group that holds one of the token's experts (no node
     * limit applies), 8 (1 - (7/8)^8) = 5.25 of 8 ranks for top-8 over 8 */
    assert_true(fabs(aif_coll_dispatch_dedup((aif_group_shape){8, 8}, 8, 4) - (1 - pow(7.0 / 8, 8))) < 1e-12);
    assert_true(fabs(aif_coll_dispatch_dedup((aif_group_shape){72, 72}, 8, 0) - 72 * (1 - pow(71.0 / 72, 8)) / 8) < 1e-12);
    assert_true(aif_coll_dispatch_dedup((aif_group_shape){8, 8}, 1, 0) == 1);   /* top-1: one rank */
    assert_true(aif_coll_dispatch_dedup((aif_group_shape){1, 1}, 8, 0) == 1);   /* no group */
    /* EP64 over 8 nodes, top-8, at most 4 nodes (DeepSeek-V3): 4 (1 - 0.75^8) / 8 = 0.44998 */
    double want = 4 * (1 - pow(0.75, 8)) / 8;
    assert_true(fabs(aif_coll_dispatch_dedup((aif_group_shape){64, 8}, 8, 4) - want) < 1e-12);
    assert_true(want > 0.449 && want < 0.451);   /* 3.6 nodes per token: the report's 3.2 experts per node */
    /* no limit over 4 nodes: the same D = 4 */
    assert_true(fabs(aif_coll_dispatch_dedup((aif_group_shape){32, 8}, 8, 0) - want) < 1e-12);
    /* a limit above the nodes there are changes nothing */
    assert_true(aif_coll_dispatch_dedup((aif_group_shape){32, 8}, 8, 16) == aif_coll_dispatch_dedup((aif_group_shape){32, 8}, 8, 0));
    /* one node per token: every copy for it crosses once */
    assert_true(fabs(aif_coll_dispatch_dedup((aif_group_shape){64, 8}, 8, 1) - 1.0 / 8) < 1e-12);
    /* top-1: nothing shared */
    assert_true(aif_coll_dispatch_dedup((aif_group_shape){64, 8}, 1, 0) == 1);
    /* never above 1, and a tighter limit never sends more */
    for (int k = 1; k <= 16; k++)
        for (int m = 1; m <= 8; m++) {
            double a = aif_coll_dispatch_dedup((aif_group_shape){64, 8}, k, m);
            double b = aif_coll_dispatch_dedup((aif_group_shape){64, 8}, k, m + 1);
            assert_true(a > 0 && a <= 1 && a <= b + 1e-15);
        }
}

static aif_scenario dsv3(const char *ep, const char *dispatch, const char *prec, const char *max_nodes,
                         const char *mtp)
{
    aif_override ov[16] = {{"model", "deepseek-v3", "o"}, {"cluster.system", "dgx-h100", "o"},
                           {"cluster.gpus", "1024", "o"}, {"train.tp", "1", "o"}, {"train.pp", "16", "o"},
                           {"train.ep", ep, "o"}, {"train.mbs", "1", "o"}, {"train.gbs", "1024", "o"},
                           {"train.seq", "4096", "o"}, {"train.precision", prec, "o"},
                           {"train.ep_overlap", "false", "o"}};
    int n = 11;
    if (dispatch)
        ov[n++] = (aif_override){"train.ep_dispatch", dispatch, "o"};
    if (max_nodes)
        ov[n++] = (aif_override){"model.moe.max_nodes", max_nodes, "o"};
    if (mtp)
        ov[n++] = (aif_override){"model.mtp_layers", mtp, "o"};
    return parsed(ov, n);
}

/* DeepSeek-V3 on 1,024 H100 with expert tensor parallelism: TP2 ETP2 PP16 EP32, sequence
 * parallel (2,048 tokens a rank), through the given dispatcher */
static aif_scenario dsv3_etp2(const char *dispatch)
{
    aif_override ov[] = {{"model", "deepseek-v3", "o"}, {"cluster.system", "dgx-h100", "o"}, {"cluster.gpus", "1024", "o"},
                         {"train.tp", "2", "o"}, {"train.etp", "2", "o"}, {"train.pp", "16", "o"}, {"train.ep", "32", "o"},
                         {"train.mbs", "1", "o"}, {"train.gbs", "1024", "o"}, {"train.seq", "4096", "o"},
                         {"train.ep_dispatch", dispatch, "o"}};
    return parsed(ov, 11);
}

/* the bytes of the named op in the MoE segments, -1 if absent */
static double op_bytes(const aif_scenario *s, const char *name)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    double b = -1;
    for (int i = 0; i < g.n_ops; i++)
        if (strcmp(g.ops[i].name, name) == 0) {
            b = g.ops[i].bytes;
            break;
        }
    aif_graph_free(&g);
    return b;
}

static void test_dedup_in_lowering(void **state)
{
    (void)state;
    /* EP64 over 8 DGX H100 nodes */
    aif_scenario a2a = dsv3("64", "alltoall", "bf16", NULL, NULL), dep = dsv3("64", "deepep", "bf16", NULL, NULL);
    double r = 4 * (1 - pow(0.75, 8)) / 8;
    const char *names[] = {"ep.dispatch", "ep.combine", "ep.dispatch.bwd", "ep.combine.bwd"};
    for (int i = 0; i < 4; i++) {
        double x = op_bytes(&a2a, names[i]), y = op_bytes(&dep, names[i]);
        assert_true(x > 0);
        if (fabs(y / x - r) > 1e-9)
            fail_msg("%s: %g -> %g bytes, x%.5f, expected x%.5f", names[i], x, y, y / x, r);
    }
    /* auto follows the model: DeepSeek-V3 routes node-limited, so deepep */
    aif_scenario aut = dsv3("64", NULL, "bf16", NULL, NULL);
    assert_true(op_bytes(&aut, "ep.dispatch") == op_bytes(&dep, "ep.dispatch"));
    /* without the node limit auto is the all-to-all */
    aif_scenario nolim = dsv3("64", NULL, "bf16", "0", NULL);
    assert_true(op_bytes(&nolim, "ep.dispatch") == op_bytes(&a2a, "ep.dispatch"));
    /* EP8 inside one node: deepep sends a token once per rank of its experts, 8 (1 - (7/8)^8)
     * copies of the all-to-all's 8, and as a dispatch kernel, not NCCL's all-to-all */
    aif_scenario a8 = dsv3("8", "alltoall", "bf16", NULL, NULL), d8 = dsv3("8", "deepep", "bf16", NULL, NULL);
    assert_true(fabs(op_bytes(&d8, "ep.dispatch") / op_bytes(&a8, "ep.dispatch") - (1 - pow(7.0 / 8, 8))) < 1e-12);
    /* the text output names the dispatcher it assumed wherever ep > 1, when not given */
    assert_non_null(strstr(aut.assumed, "ep_dispatch deepep"));
    assert_non_null(strstr(nolim.assumed, "ep_dispatch alltoall"));
    assert_null(strstr(dep.assumed, "ep_dispatch"));   /* given */
    aif_scenario u8 = dsv3("8", NULL, "bf16", NULL, NULL);
    assert_non_null(strstr(u8.assumed, "ep_dispatch deepep"));   /* inside one node it matters too */
    /* and the step is faster with the deduplicated dispatch */
    aif_train_result ra, rd;
    aif_err e;
    assert_int_equal(aif_estimate(&a2a, &ra, &e), AIF_OK);
    assert_int_equal(aif_estimate(&dep, &rd, &e), AIF_OK);
    assert_true(rd.bd.ep_comm_s < 0.6 * ra.bd.ep_comm_s);
}

/* the first op of that name in the lowered graph (its bytes, overlap and position); 0 if absent */
static int find_op(const aif_scenario *s, const char *name, aif_op *out, int *index)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    int found = 0;
    for (int i = 0; i < g.n_ops && !found; i++)
        if (strcmp(g.ops[i].name, name) == 0) {
            *out = g.ops[i];
            *index = i;
            found = 1;
        }
    aif_graph_free(&g);
    return found;
}

/* Megatron-Core's all-to-all dispatcher all-gathers the per-expert counts (on the compute
 * stream), sends the probabilities in an all-to-all of their own, and sorts the received
 * copies by local expert after the dispatch and back before the combine; a dispatch kernel
 * does none of it, and one expert a GPU needs no sort */
static void test_alltoall_dispatcher_extras(void **state)
{
    (void)state;
    aif_scenario a2a = dsv3("64", "alltoall", "bf16", NULL, NULL), dep = dsv3("64", "deepep", "bf16", NULL, NULL);
    a2a.train.ep_overlap = dep.train.ep_overlap = true;
    double copies = 4096.0 * 8 * 7168;   /* one microbatch's tokens x top-8 x hidden, balanced */
    const char *names[] = {"moe.sort", "moe.unsort", "moe.sort.bwd", "moe.unsort.bwd"};
    for (int i = 0; i < 4; i++) {
        double x = op_bytes(&a2a, names[i]);
        if (fabs(x - copies * 4) > 1e-6 * x)   /* read and written in bf16 */
            fail_msg("%s: %g bytes, expected %g", names[i], x, copies * 4);
        assert_true(op_bytes(&dep, names[i]) == -1);
    }
    aif_op op;
    int at;
    assert_true(find_op(&a2a, "ep.ag.counts", &op, &at));
    assert_true(op.bytes == 256.0 * 8 * 64);      /* 256 int64 counts from each of 64 ranks */
    assert_int_equal(op.overlap, AIF_OVL_NONE);   /* waited on, even with the all-to-all overlapped */
    assert_true(find_op(&a2a, "ep.dispatch", &op, &at));
    assert_int_equal(op.overlap, AIF_OVL_SEGMENT);
    const char *probs[] = {"ep.dispatch.probs", "ep.dispatch.probs.bwd"};
    for (int i = 0; i < 2; i++) {
        assert_true(find_op(&a2a, probs[i], &op, &at));
        assert_true(op.bytes == 4096.0 * 8 * 4);   /* one fp32 a copy */
        assert_int_equal(op.overlap, AIF_OVL_SEGMENT);
        assert_true(op_bytes(&dep, probs[i]) == -1);
    }
    assert_true(op_bytes(&dep, "ep.ag.counts") == -1);
    /* Mixtral's 8 experts over EP8: one expert a GPU, nothing to sort; the counts and the
     * probabilities still go round */
    aif_override ov[] = {{"model", "mixtral-8x7b", "o"}, {"cluster.system", "dgx-h100", "o"}, {"cluster.gpus", "8", "o"},
                         {"train.ep", "8", "o"}, {"train.ep_dispatch", "alltoall", "o"}, {"train.gbs", "64", "o"}};
    aif_scenario mx = parsed(ov, 6);
    assert_true(op_bytes(&mx, "ep.dispatch") > 0);
    assert_true(op_bytes(&mx, "moe.sort") == -1);
    assert_true(op_bytes(&mx, "ep.ag.counts") == 8.0 * 8 * 8 && op_bytes(&mx, "ep.dispatch.probs") > 0);
    /* expert tensor parallelism: the sort runs on the gathered copies, before the
     * reduce-scatter, and the counts come from ep x etp ranks */
    aif_scenario et = dsv3_etp2("alltoall");
    double sb = op_bytes(&et, "moe.sort");   /* 2048 tokens a rank (sequence parallel) x 8 x etp 2 */
    if (fabs(sb - 2048.0 * 8 * 2 * 7168 * 4) > 1e-6 * sb)
        fail_msg("moe.sort with etp 2: %g bytes", sb);
    assert_true(op_bytes(&et, "ep.ag.counts") == 256.0 * 8 * 32 * 2);
    int i_unsort, i_rs;
    assert_true(find_op(&et, "moe.unsort", &op, &i_unsort) && find_op(&et, "etp.rs.experts", &op, &i_rs));
    assert_true(i_unsort < i_rs);
    int i_sort_b, i_rs_b;
    assert_true(find_op(&et, "moe.sort.bwd", &op, &i_sort_b) && find_op(&et, "etp.rs.experts.grad", &op, &i_rs_b));
    assert_true(i_sort_b < i_rs_b);
}

/* HybridEP: DeepEP's bytes, plus every rank's routing map all-gathered before each forward
 * dispatch (one byte a token and expert, over the expert group), on the dispatch's stream */
static void test_hybridep_routing(void **state)
{
    (void)state;
    aif_scenario dep = dsv3("64", "deepep", "bf16", NULL, NULL), hy = dsv3("64", "hybridep", "bf16", NULL, NULL);
    hy.train.ep_overlap = true;
    const char *names[] = {"ep.dispatch", "ep.combine", "ep.dispatch.bwd", "ep.combine.bwd"};
    for (int i = 0; i < 4; i++)
        assert_true(op_bytes(&hy, names[i]) == op_bytes(&dep, names[i]));
    aif_op op;
    int at, at_dispatch;
    assert_true(find_op(&hy, "ep.ag.routing", &op, &at));
    assert_true(op.bytes == 4096.0 * 256 * 64);   /* 4,096 tokens x 256 experts from each of 64 ranks */
    assert_int_equal(op.overlap, AIF_OVL_SEGMENT);
    assert_true(find_op(&hy, "ep.dispatch", &op, &at_dispatch) && at < at_dispatch);
    assert_true(op_bytes(&dep, "ep.ag.routing") == -1);
    /* only the forward plans: one gather a layer, none in the backward */
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_graph_lower(&hy, &g, &e), AIF_OK);
    int n = 0, n_seg = 0;
    for (int i = 0; i < g.n_ops; i++)
        n += strcmp(g.ops[i].name, "ep.ag.routing") == 0;
    for (int i = 0; i < g.n_ops; i++)
        n_seg += strcmp(g.ops[i].name, "ep.dispatch") == 0;
    assert_int_equal(n, n_seg);
    aif_graph_free(&g);
    /* the step is slower than DeepEP's by the gathers, and no dispatch kernel sorts */
    hy.train.ep_overlap = false;
    aif_train_result rd, rh;
    assert_int_equal(aif_estimate(&dep, &rd, &e), AIF_OK);
    assert_int_equal(aif_estimate(&hy, &rh, &e), AIF_OK);
    assert_true(rh.bd.ep_comm_s > rd.bd.ep_comm_s);
    assert_true(op_bytes(&hy, "moe.sort") == -1 && op_bytes(&hy, "ep.ag.counts") == -1);
    /* expert tensor parallelism: the map has a column per expert and tensor rank, from each of
     * ep x etp ranks (2,048 tokens a rank under sequence parallelism) */
    aif_scenario et = dsv3_etp2("hybridep");
    assert_true(op_bytes(&et, "ep.ag.routing") == 2048.0 * 256 * 2 * 32 * 2);
}

static void test_fp8_dispatch(void **state)
{
    (void)state;
    aif_scenario d = dsv3("64", "deepep", "fp8", NULL, NULL), f = dsv3("64", "deepep-fp8", "fp8", NULL, NULL);
    aif_scenario fb = dsv3("64", "deepep-fp8", "bf16", NULL, NULL), db = dsv3("64", "deepep", "bf16", NULL, NULL);
    double q = (1 + 4.0 / 128) / 2;   /* fp8 with one fp32 scale per 128 elements, over bf16 */
    /* the transfers into the experts in fp8 */
    assert_true(fabs(op_bytes(&f, "ep.dispatch") / op_bytes(&d, "ep.dispatch") - q) < 1e-12);
    assert_true(fabs(op_bytes(&f, "ep.combine.bwd") / op_bytes(&d, "ep.combine.bwd") - q) < 1e-12);
    /* the combine and the dispatch's gradient stay bf16 */
    assert_true(op_bytes(&f, "ep.combine") == op_bytes(&d, "ep.combine"));
    assert_true(op_bytes(&f, "ep.dispatch.bwd") == op_bytes(&d, "ep.dispatch.bwd"));
    /* a bf16 recipe has no fp8 to send */
    assert_true(op_bytes(&fb, "ep.dispatch") == op_bytes(&db, "ep.dispatch"));
}

/* ------------------------------------------------ grouped GEMMs by tokens per expert */

static double grouped_tflops(const aif_gpu *gpu, double groups, double m, double n, double k, int grouped)
{
    aif_op op = {.name = "g", .kind = AIF_OP_GEMM, .fp8 = AIF_GEMM_FP8, .n_kernels = 0, .m = m, .n = n, .k = k,
                 .batch = groups, .flops = 2 * m * n * k * groups, .bytes = 0, .grouped = (unsigned char)grouped};
    return op.flops / aif_compute_time(gpu, &op, 1) / 1e12;
}

static void test_grouped_gemm(void **state)
{
    (void)state;
    const aif_gpu *h = aif_catalog_find_gpu(cat, "h100-sxm");
    assert_non_null(h);
    assert_true(h->calib.grouped_m_half == 128);
    /* DeepGEMM's H800 FP8 table, N 4096 K 7168 (README, Apr 2025): 1346 TFLOP/s at 4096 rows per
     * group (8 groups), 1233 at 1024 (1 group), 1040 at 512 (2), 932 at 256 (4).  The model's
     * rate relative to its own large-group rate follows the table's within 8% (1024 and 256
     * within 1%; the table's 512 lies 7% below the curve through its neighbours). */
    static const double g[] = {1, 2, 4}, m[] = {1024, 512, 256}, meas[] = {1233, 1040, 932};
    double big = grouped_tflops(h, 8, 4096, 4096, 7168, 1);
    for (int i = 0; i < 3; i++) {
        double ratio = grouped_tflops(h, g[i], m[i], 4096, 7168, 1) / big, want = meas[i] / 1346;
        if (fabs(ratio / want - 1) > 0.08)
            fail_msg("%g rows per group: %.3f of the large-group rate, DeepGEMM %.3f", m[i], ratio, want);
    }
    /* a GEMM not marked grouped is as before; a grouped one is slower by m / (m + 128) */
    double plain = grouped_tflops(h, 4, 256, 4096, 7168, 0), grp = grouped_tflops(h, 4, 256, 4096, 7168, 1);
    assert_true(fabs(grp / plain - 256.0 / (256 + 128)) < 1e-9);
    /* the lowering marks the experts' forward and dgrad GEMMs, and nothing else; and each of
     * the experts' GEMMs with its pass (grouped_pass: the families' grouped_*_factor) */
    aif_scenario s = dsv3("64", NULL, "bf16", NULL, NULL);
    aif_graph gr;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &gr, &e), AIF_OK);
    int n_grouped = 0, n_pass[4] = {0};
    for (int i = 0; i < gr.n_ops; i++) {
        const aif_op *o = &gr.ops[i];
        int gemm = strncmp(o->name, "experts.", 8) == 0 && o->kind == AIF_OP_GEMM;
        int expert = gemm && !strstr(o->name, "wgrad");
        assert_int_equal(o->grouped != 0, expert);
        n_grouped += o->grouped != 0;
        int want = !gemm ? AIF_GROUPED_NONE
                   : strstr(o->name, ".wgrad") ? AIF_GROUPED_WGRAD
                   : strstr(o->name, ".dgrad") ? AIF_GROUPED_DGRAD
                                                : AIF_GROUPED_FWD;
        assert_int_equal(o->grouped_pass, want);
        n_pass[o->grouped_pass]++;
    }
    assert_int_equal(n_grouped, 4);   /* fc1, fc2 forward; fc2, fc1 dgrad */
    assert_true(n_pass[AIF_GROUPED_FWD] == 2 && n_pass[AIF_GROUPED_DGRAD] == 2 && n_pass[AIF_GROUPED_WGRAD] == 2);
    aif_graph_free(&gr);
}

/* ------------------------------------------------ multi-token prediction */

static void test_mtp(void **state)
{
    (void)state;
    const aif_model *m = aif_catalog_find_model(cat, "deepseek-v3");
    assert_non_null(m);
    assert_int_equal(m->mtp_layers, 1);
    aif_model m0 = *m;
    m0.mtp_layers = 0;
    /* the published count (671B) is the main model's: MTP is not in params */
    assert_true(aif_model_params(m) == aif_model_params(&m0));
    /* FLOPs: one more MoE layer, its 2h x h projection and one more head pass per token */
    double seq = 4096, h = m->hidden;
    double extra = aif_layer_fwd_flops_per_token(m, 1, seq) + 2 * 2 * h * h + 2 * h * m->vocab;
    double d = aif_model_fwd_flops_per_seq(m, seq) - aif_model_fwd_flops_per_seq(&m0, seq);
    assert_true(fabs(d / (extra * seq) - 1) < 1e-12);
    /* the lowering: one more layer, on the last stage; the head's second pass */
    aif_scenario s1 = dsv3("64", NULL, "bf16", NULL, NULL), s0 = dsv3("64", NULL, "bf16", NULL, "0");
    aif_graph g1, g0;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s1, &g1, &e), AIF_OK);
    assert_int_equal(aif_graph_lower(&s0, &g0, &e), AIF_OK);
    assert_int_equal(g1.layers, 62);
    assert_int_equal(g0.layers, 61);
    aif_stage last1, last0;
    aif_graph_stage(&g1, 15, &last1);
    aif_graph_stage(&g0, 15, &last0);
    assert_int_equal(last1.head, 1);
    assert_true(last1.moe_layers == last0.moe_layers || last1.moe_layers == last0.moe_layers + 1);
    int moe1 = 0, moe0 = 0;
    for (int r = 0; r < 16; r++) {
        aif_stage a, b;
        aif_graph_stage(&g1, r, &a);
        aif_graph_stage(&g0, r, &b);
        moe1 += a.moe_layers;
        moe0 += b.moe_layers;
    }
    assert_int_equal(moe1, moe0 + 1);
    assert_true(op_bytes(&s1, "mtp.logits") > 0 && op_bytes(&s0, "mtp.logits") < 0);
    /* its memory on the last stage, and a slower step */
    aif_memory mem1, mem0;
    aif_memory_estimate(&s1, &g1, &mem1);
    aif_memory_estimate(&s0, &g0, &mem0);
    aif_train_result r1, r0;
    assert_int_equal(aif_estimate(&s1, &r1, &e), AIF_OK);
    assert_int_equal(aif_estimate(&s0, &r0, &e), AIF_OK);
    assert_true(r1.step_time_s > r0.step_time_s);
    assert_true(r1.model_flops_per_step > r0.model_flops_per_step);
    assert_true(mem1.total_bytes >= mem0.total_bytes);   /* the busiest stage holds no less */
    aif_graph_free(&g1);
    aif_graph_free(&g0);
}

/* ------------------------------------------------ sliding-window attention (gpt-oss) */

static double attn_flops(const aif_scenario *s, const char *name)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    double f = 0;
    for (int i = 0; i < g.seg[AIF_SEG_MOE_FWD].n; i++) {
        const aif_op *o = &g.ops[g.seg[AIF_SEG_MOE_FWD].first + i];
        if (strcmp(o->name, name) == 0)
            f += o->flops;
    }
    aif_graph_free(&g);
    return f;
}

static aif_scenario gptoss_on(const char *system, const char *window, const char *every)
{
    aif_override ov[] = {{"model", "gpt-oss-120b", "o"}, {"cluster.system", system, "o"},
                         {"cluster.gpus", "64", "o"}, {"train.tp", "1", "o"}, {"train.pp", "4", "o"},
                         {"train.ep", "8", "o"}, {"train.mbs", "1", "o"}, {"train.gbs", "64", "o"},
                         {"train.seq", "4096", "o"}, {"model.sliding_window", window, "o"},
                         {"model.full_attention_every", every, "o"}};
    return parsed(ov, 11);
}

static aif_scenario gptoss(const char *window, const char *every)
{
    return gptoss_on("dgx-h100", window, every);
}

/* the key length an op was lowered with (the first op of that name in the MoE forward) */
static double attn_keys(const aif_scenario *s, const char *name)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    double k = -1;
    for (int i = 0; i < g.seg[AIF_SEG_MOE_FWD].n && k < 0; i++) {
        const aif_op *o = &g.ops[g.seg[AIF_SEG_MOE_FWD].first + i];
        if (strcmp(o->name, name) == 0)
            k = o->k;
    }
    aif_graph_free(&g);
    return k;
}

/* The keys a query computes in a band of W keys over S in square tiles of B, counted tile by
 * tile: each query tile's rows times the keys of every key tile its band touches, the last
 * tiles partial where S is not a multiple of B. */
static double window_keys_by_tile(double W, double S, double Bn)
{
    double B = Bn < S ? Bn : S, tot = 0;
    for (int i = 0; i * B < S; i++) {
        double r0 = i * B, r1 = fmin((i + 1) * B, S), keys = 0;
        for (int j = (int)floor(fmax(0, r0 - W + 1) / B); j <= i; j++)
            keys += fmin((j + 1) * B, S) - j * B;
        tot += (r1 - r0) * keys;
    }
    return tot / S;
}

/* A family with attn_block_n (Hopper, Blackwell: 128-key tiles, data/calibration.yaml) computes a band
 * in whole tiles: a query tile of 128 rows under a window of W keys reads 1 + ceil((W - 1) / 128)
 * key tiles once the band is whole, i + 1 for tile i before (the causal start), averaged over
 * the sequence's query tiles; the op carries those keys as FLOPs, and twice them as the length
 * its efficiency curve reads (aif_attn_curve_keys: a causal layer's query averages half its
 * sequence, the curve's length); a tile longer than the sequence is the sequence. */
static void test_window_whole_tiles(void **state)
{
    (void)state;
    /* W 128, 32 query tiles: the first reads 1 tile, the other 31 read 2: 63 / 32 tiles */
    assert_true(aif_window_kernel_keys(128, 4096, 128) == 63.0 / 32 * 128);
    assert_true(aif_window_kernel_keys(100, 4096, 128) == 63.0 / 32 * 128);   /* 227 keys span 2 tiles */
    assert_true(aif_window_kernel_keys(129, 4096, 128) == 63.0 / 32 * 128);   /* keys i-128 .. i: 2 tiles */
    /* W 130: tiles 0 and 1 read 1 and 2, the other 30 read 3 */
    assert_true(aif_window_kernel_keys(130, 4096, 128) == (1 + 2 + 30 * 3.0) / 32 * 128);
    /* W 1024 over 256 tiles: tiles 0..7 read 1..8, the rest 9 */
    assert_true(aif_window_kernel_keys(1024, 32768, 128) == (36 + 248 * 9.0) / 256 * 128);
    /* a band near the sequence's length costs no more than causal attention in tiles, (n + 1) / 2 */
    assert_true(aif_window_kernel_keys(8000, 8192, 128) == 65.0 / 2 * 128);
    assert_true(aif_window_kernel_keys(4000, 4096, 128) <= 33.0 / 2 * 128);
    assert_true(aif_window_kernel_keys(128, 4096, 0) == 0);        /* no tile size: the band only */
    assert_true(aif_window_kernel_keys(4096, 4096, 128) == 0);     /* the window is the sequence */
    aif_scenario h = gptoss_on("dgx-a100-80g", "128", "0"), b = gptoss_on("hgx-b200", "128", "0");
    assert_int_equal(h.cluster.gpu.calib.attn_block_n, 0);
    assert_int_equal(b.cluster.gpu.calib.attn_block_n, 128);
    /* Hopper: FlashAttention-3's local tile */
    assert_int_equal(gptoss("128", "0").cluster.gpu.calib.attn_block_n, 128);
    double band = 2.0 * 64 * 4096 * aif_window_keys_per_query(128, 4096) * (64 + 64);
    double kk = 63.0 / 32 * 128, tiles = 2.0 * 64 * 4096 * kk * (64 + 64);
    /* the efficiency curve reads twice the keys a query computes (a causal layer's sequence) */
    double hk = 2 * aif_window_keys_per_query(128, 4096);
    assert_true(fabs(attn_flops(&h, "attn.window.fwd") - band) < 1e-6 * band && attn_keys(&h, "attn.window.fwd") == hk);
    assert_true(fabs(attn_flops(&b, "attn.window.fwd") - tiles) < 1e-6 * tiles && attn_keys(&b, "attn.window.fwd") == 2 * kk);
    assert_true(aif_attn_curve_keys(kk) == 2 * kk);
    /* a tile longer than the sequence is the sequence: one tile, every key */
    assert_true(aif_window_kernel_keys(128, 4096, 65536) == 4096);
    /* the closed form against the count tile by tile, partial last tiles included */
    static const double cases[][3] = {{128, 4096, 3000}, {128, 6144, 4096}, {500, 5000, 384}, {129, 1000, 7},
                                      {1024, 32768, 128}, {130, 4096, 128}, {4000, 4100, 96}, {1, 777, 64}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double a = aif_window_kernel_keys(cases[i][0], cases[i][1], (int)cases[i][2]);
        double want = window_keys_by_tile(cases[i][0], cases[i][1], cases[i][2]);
        if (!(fabs(a - want) < 1e-9 * want && a <= cases[i][1]))
            fail_msg("W %g S %g B %g: %g keys a query, %g counted tile by tile", cases[i][0], cases[i][1], cases[i][2],
                     a, want);
    }
    /* Hopper's windows in whole tiles of 128 (FlashAttention-3's local tile) */
    aif_scenario hop = gptoss("128", "0");
    assert_true(attn_keys(&hop, "attn.window.fwd") == 2 * kk);
}

/* The kernel's key tile set by the job (train.attn_block, attn_block_bwd: MaxText's sa_block_kv
 * and sa_block_kv_dkv, which the splash kernel's sliding-window layers compute in whole tiles of)
 * in place of the family's: on TPU7x (no attn_block_n) a window of 128 over 4,096 keys reads
 * (1 + 3 x 2) / 4 tiles of 1,024 keys forward and (1 + 2) / 2 of 2,048 backward; the backward
 * takes the forward's tile when it has none of its own (the ops' curve lengths twice those keys),
 * and a model without sliding-window layers, or an unfused attention, refuses the field by name. */
static void test_attn_block(void **state)
{
    (void)state;
    aif_override ov[] = {{"model", "gpt-oss-120b", "o"}, {"cluster.system", "tpu7x-4", "o"},
                         {"cluster.gpus", "64", "o"}, {"train.ep", "1", "o"}, {"train.mbs", "1", "o"},
                         {"train.gbs", "64", "o"}, {"train.seq", "4096", "o"}, {"train.framework", "maxtext", "o"},
                         {"train.attn_block", "1024", "o"}, {"train.attn_block_bwd", "2048", "o"}};
    double fam = aif_window_kernel_keys(128, 4096, 0), fwd = 7.0 / 4 * 1024, bwd = 3.0 / 2 * 2048;
    assert_true(fam == 0 && aif_window_kernel_keys(128, 4096, 1024) == fwd &&
                aif_window_kernel_keys(128, 4096, 2048) == bwd);
    for (int n = 8; n <= 10; n += 2) {   /* without the fields; with both */
        aif_scenario s = parsed(ov, n);
        assert_int_equal(s.cluster.gpu.calib.attn_block_n, 0);
        aif_graph g;
        aif_err e;
        if (aif_graph_lower(&s, &g, &e) != AIF_OK)
            fail_msg("%s", e.msg);
        int seen = 0;
        for (int i = 0; i < g.n_ops; i++) {
            const aif_op *o = &g.ops[i];
            int f = !strcmp(o->name, "attn.window.fwd"), b = !strcmp(o->name, "attn.window.bwd");
            if (!(f || b))
                continue;
            /* the curve's length: twice the keys a query computes, the band alone without a tile */
            double want = 2 * (n == 8 ? aif_window_keys_per_query(128, 4096) : f ? fwd : bwd);
            if (o->k != want)
                fail_msg("%s with %d fields: kernel keys %g, expected %g", o->name, n - 8, o->k, want);
            seen |= f ? 1 : 2;
        }
        aif_graph_free(&g);
        assert_int_equal(seen, 3);
    }
    /* the backward alone given: the forward keeps the family's band, the backward its tile */
    aif_override only_bwd[9];
    memcpy(only_bwd, ov, 8 * sizeof *ov);
    only_bwd[8] = ov[9];
    aif_scenario s = parsed(only_bwd, 9);
    assert_true(attn_keys(&s, "attn.window.fwd") == 2 * aif_window_keys_per_query(128, 4096));
    ov[9] = (aif_override){"train.attn_block_bwd", "0", "o"};
    s = parsed(ov, 10);   /* the forward's tile for both */
    aif_graph g;
    aif_err e;
    assert_int_equal(aif_graph_lower(&s, &g, &e), AIF_OK);
    for (int i = 0; i < g.n_ops; i++)
        if (!strcmp(g.ops[i].name, "attn.window.bwd"))
            assert_true(g.ops[i].k == 2 * fwd);
    aif_graph_free(&g);
    aif_override dense[] = {{"model", "llama3-8b", "o"}, {"cluster.system", "dgx-h100", "o"},
                            {"cluster.gpus", "8", "o"}, {"train.attn_block", "512", "o"}};
    assert_int_not_equal(aif_scenario_parse(cat, "", 0, "t", dense, 4, &s, &e), AIF_OK);
    assert_string_equal(e.path, "train.attn_block");
    assert_non_null(strstr(e.msg, "no sliding-window layers"));
    aif_override unfused[] = {{"model", "gpt-oss-120b", "o"}, {"cluster.system", "dgx-h100", "o"},
                              {"cluster.gpus", "8", "o"}, {"train.attention", "unfused", "o"},
                              {"train.attn_block_bwd", "512", "o"}};
    assert_int_not_equal(aif_scenario_parse(cat, "", 0, "t", unfused, 5, &s, &e), AIF_OK);
    assert_string_equal(e.path, "train.attn_block_bwd");
    assert_non_null(strstr(e.msg, "unfused"));
}

/* x within a relative 1e-9 of y */
static int near(double x, double y)
{
    return fabs(x - y) < 1e-9 * fabs(y);
}

/* the analytical engine's step time of s */
static double step_s(const aif_scenario *s)
{
    aif_train_result r;
    aif_err e;
    if (aif_estimate(s, &r, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    return r.step_time_s;
}

/* gpt-oss's YaRN scale (model.rope_mscale 1.347) is refused by Transformer Engine's fused RoPE in
 * Megatron-Core, which runs PyTorch's unfused rotary embedding instead (framework yarn_rope_unfused):
 * 12 passes of the queries' and keys' bytes forward against the fused kernel's 2, 9 backward */
static void test_yarn_rope_unfused(void **state)
{
    (void)state;
    aif_scenario mc = gptoss("128", "2");
    assert_true(mc.framework.yarn_rope_unfused && fabs(mc.model.rope_mscale - 1.347) < 1e-9);
    aif_scenario fused = mc, plain = mc;
    fused.framework.yarn_rope_unfused = false;   /* a stack whose fused kernel takes the scale */
    plain.model.rope_mscale = 1;                 /* no YaRN scale */
    double f = op_bytes(&fused, "rope"), fb = op_bytes(&fused, "rope.bwd");
    assert_true(f > 0 && fb == f);
    assert_true(near(op_bytes(&mc, "rope"), 6 * f) && near(op_bytes(&mc, "rope.bwd"), 4.5 * fb));
    assert_true(op_bytes(&plain, "rope") == f && op_bytes(&plain, "rope.bwd") == fb);
    assert_true(step_s(&mc) > step_s(&fused));
}

/* gpt-oss's clamped GLU (glu_clamp 7) and expert biases under Megatron-Core (framework
 * moe_eager_extras): the clamp's 4 passes of the fc1 output forward and 3 backward, the bias's 6
 * passes of the fc2 output forward and 2 backward, by hand; none without the stack's flag */
static void test_moe_eager_extras(void **state)
{
    (void)state;
    aif_scenario mc = gptoss("128", "2"), none = mc;
    none.framework.moe_eager_extras = false;
    assert_true(mc.framework.moe_eager_extras && mc.model.expert_bias && mc.model.glu_clamp == 7.0);
    /* tp 1, ep 8 on 64 GPUs, mbs 1 x 4096 tokens, top 4: 16,384 token copies per GPU */
    double slots = 4096.0 * 4, fc1 = slots * 2 * 2880 * 2, fc2 = slots * 2880 * 2;
    assert_true(near(op_bytes(&mc, "experts.clamp"), 4 * fc1) && near(op_bytes(&mc, "experts.clamp.bwd"), 3 * fc1));
    assert_true(near(op_bytes(&mc, "experts.bias"), 6 * fc2) && near(op_bytes(&mc, "experts.bias.bwd"), 2 * fc2));
    assert_true(op_bytes(&none, "experts.clamp") < 0 && op_bytes(&none, "experts.bias") < 0);   /* no such op */
    assert_true(step_s(&mc) > step_s(&none));
}

static void test_sliding_window(void **state)
{
    (void)state;
    const aif_model *m = aif_catalog_find_model(cat, "gpt-oss-120b");
    assert_int_equal(m->sliding_window, 128);
    assert_int_equal(m->full_attention_every, 2);
    assert_true(aif_model_window_share(m) == 0.5);   /* 18 of 36 layers banded */
    /* keys per query by hand: S = 4096, W = 128: (128 x 4096 - 128 x 127 / 2) / 4096 */
    assert_true(fabs(aif_window_keys_per_query(128, 4096) - (128.0 * 4096 - 128.0 * 127 / 2) / 4096) < 1e-9);
    assert_true(aif_window_keys_per_query(8192, 4096) == 4097.0 / 2);   /* a window over the sequence: causal */
    /* on the A100, whose family gives no kernel tile: the band alone */
    aif_scenario full = gptoss_on("dgx-a100-80g", "0", "0"), swa = gptoss_on("dgx-a100-80g", "128", "2"),
                 all = gptoss_on("dgx-a100-80g", "128", "0"), wide = gptoss_on("dgx-a100-80g", "8192", "2");
    double f_full = attn_flops(&full, "attn.fwd");
    /* half the layers keep full causal attention, the other half their band */
    assert_true(fabs(attn_flops(&swa, "attn.fwd") - 0.5 * f_full) < 1e-6 * f_full);
    double band = 2.0 * 64 * 4096 * aif_window_keys_per_query(128, 4096) * (64 + 64);
    assert_true(fabs(attn_flops(&swa, "attn.window.fwd") - 0.5 * band) < 1e-6 * band);
    assert_true(fabs(attn_flops(&all, "attn.window.fwd") - band) < 1e-6 * band && attn_flops(&all, "attn.fwd") == 0);
    /* a window as long as the sequence is full attention */
    assert_true(attn_flops(&wide, "attn.fwd") == f_full && attn_flops(&wide, "attn.window.fwd") == 0);
    /* the step is shorter with the band, and the model FLOPs (Megatron's count, full attention) the same */
    aif_train_result rf, rs;
    aif_err e;
    assert_int_equal(aif_estimate(&full, &rf, &e), AIF_OK);
    assert_int_equal(aif_estimate(&swa, &rs, &e), AIF_OK);
    assert_true(rs.step_time_s < rf.step_time_s);
    assert_true(rs.model_flops_per_step == rf.model_flops_per_step);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_balanced_is_as_before), cmocka_unit_test(test_imbalance_slows),
        cmocka_unit_test(test_no_ep_no_effect), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_dedup_by_hand), cmocka_unit_test(test_dedup_in_lowering),
        cmocka_unit_test(test_alltoall_dispatcher_extras), cmocka_unit_test(test_hybridep_routing), cmocka_unit_test(test_fp8_dispatch), cmocka_unit_test(test_grouped_gemm), cmocka_unit_test(test_mtp),
        cmocka_unit_test(test_sliding_window), cmocka_unit_test(test_window_whole_tiles), cmocka_unit_test(test_attn_block),
        cmocka_unit_test(test_yarn_rope_unfused), cmocka_unit_test(test_moe_eager_extras),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
