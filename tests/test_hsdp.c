/* test_hsdp.c -- hybrid sharded data parallelism (train.dp_shard): FSDP2 with a 2-D mesh,
 * the shard dimension dp_shard consecutive data-parallel ranks, replicated dp / dp_shard
 * times.
 *  - dp_shard 0, dp_shard = dp and no dp_shard are one job: every figure of both engines
 *    equal, to the bit;
 *  - the sharded state divides by the shard group: optimizer state (12 bytes a parameter
 *    under fsdp and zero2) by dp_shard*cp instead of dp*cp, by hand from the model's
 *    parameter count;
 *  - the groups: the shard group inside one 8-GPU node, the replicate group one rank per
 *    node; with cp the shard group holds dp_shard*cp ranks;
 *  - each layer's collectives by hand (llama3-8b: 218,112,000 parameters a layer): the
 *    all-gather and reduce-scatter of its bf16 weights over the shard group, the
 *    all-reduce of the reduce-scattered shard (1/(dp_shard*cp) of it) over the replicate
 *    group; dp_shard 1 is plain replication, the layer's whole gradient all-reduced;
 *  - zero2 with experts: the dense and the expert shards in one all-reduce;
 *  - the simulated network: with shards of one node only the replicate all-reduce leaves
 *    the nodes, its bytes by hand;
 *  - a bad dp_shard is refused naming the field and what is accepted;
 *  - train.grad_dtype (the distributed optimizer's gradient buffer): bf16 holds 2 bytes a
 *    parameter where fp32 (and auto) holds 4, by hand, and the step's reduce-scatter moves
 *    half the bytes, in both engines; explicit with zero1 or fsdp it is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/graph.h"
#include "aifsim/network.h"
#include "aifsim/sim.h"
#include "workload/transformer.h"

#include <math.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* train.grad_dtype for the jobs made while it is set (NULL: not given) */
static const char *grad_dtype;

/* llama3-8b (or `model`) on 64 H100 in 8 nodes, tp 1, pp 1; ds NULL: dp_shard not given */
static aif_rc scenario(const char *model, const char *opt, const char *ds, const char *cp, aif_scenario *s, aif_err *e)
{
    aif_override ov[12] = {{"model", model, "o"}, {"cluster.system", "dgx-h100", "o"}, {"cluster.gpus", "64", "o"},
                           {"train.tp", "1", "o"}, {"train.pp", "1", "o"}, {"train.mbs", "1", "o"},
                           {"train.gbs", "64", "o"}, {"train.seq", "4096", "o"}, {"train.optimizer", opt, "o"}};
    int n = 9;
    if (ds)
        ov[n++] = (aif_override){"train.dp_shard", ds, "o"};
    if (cp)
        ov[n++] = (aif_override){"train.cp", cp, "o"};
    if (grad_dtype)
        ov[n++] = (aif_override){"train.grad_dtype", grad_dtype, "o"};
    return aif_scenario_parse(cat, "", 0, "t", ov, n, s, e);
}

static aif_scenario job(const char *model, const char *opt, const char *ds, const char *cp)
{
    aif_scenario s;
    aif_err e;
    if (scenario(model, opt, ds, cp, &s, &e) != AIF_OK)
        fail_msg("%s: %s", e.path, e.msg);
    return s;
}

static void run(const aif_scenario *s, int sim, aif_train_result *r)
{
    aif_err e;
    memset(r, 0, sizeof *r);
    aif_rc rc = sim ? aif_simulate(s, NULL, r, NULL, &e) : aif_estimate(s, r, &e);
    if (rc != AIF_OK)
        fail_msg("%s", e.msg);
}

static void test_full_shard_is_as_before(void **state)
{
    (void)state;
    static const char *const opts[] = {"fsdp", "zero2", "zero3"};
    for (int o = 0; o < 3; o++)
        for (int sim = 0; sim < 2; sim++) {
            aif_scenario a = job("llama3-8b", opts[o], NULL, NULL), b = job("llama3-8b", opts[o], "0", NULL),
                         c = job("llama3-8b", opts[o], "64", NULL);
            aif_train_result ra, rb, rc;
            run(&a, sim, &ra);
            run(&b, sim, &rb);
            run(&c, sim, &rc);
            assert_true(ra.step_time_s == rb.step_time_s && ra.step_time_s == rc.step_time_s);
            assert_true(ra.mem.total_bytes == rb.mem.total_bytes && ra.mem.total_bytes == rc.mem.total_bytes);
            assert_true(ra.bd.dp_comm_s == rc.bd.dp_comm_s);
        }
}

static void test_memory_by_shard_group(void **state)
{
    (void)state;
    double params, active;
    aif_scenario full = job("llama3-8b", "fsdp", NULL, NULL), hs = job("llama3-8b", "fsdp", "8", NULL);
    aif_model_param_counts(&full.model, &params, &active);
    aif_train_result a, b;
    run(&full, 0, &a);
    run(&hs, 0, &b);
    /* Adam's fp32 master, m and v: 12 bytes a parameter, over 64 ranks, then over 8 */
    if (fabs(a.mem.optimizer_bytes - 12 * params / 64) > 1e-9 * a.mem.optimizer_bytes ||
        fabs(b.mem.optimizer_bytes - 12 * params / 8) > 1e-9 * b.mem.optimizer_bytes)
        fail_msg("optimizer %.6g / %.6g bytes, expected %.6g / %.6g", a.mem.optimizer_bytes, b.mem.optimizer_bytes,
                 12 * params / 64, 12 * params / 8);
    /* bf16 weight and gradient shards 8x as large; the two gathered layers the same */
    assert_true(fabs((b.mem.weights_bytes - a.mem.weights_bytes) - 2 * params * (1.0 / 8 - 1.0 / 64)) <
                1e-6 * b.mem.weights_bytes);
    assert_true(fabs((b.mem.grads_bytes - a.mem.grads_bytes) - 2 * params * (1.0 / 8 - 1.0 / 64)) <
                1e-6 * b.mem.grads_bytes);
    assert_true(a.mem.activations_bytes == b.mem.activations_bytes);
    /* zero2: gradients and optimizer state by dp_shard, the weights whole */
    aif_scenario z = job("llama3-8b", "zero2", NULL, NULL), zh = job("llama3-8b", "zero2", "4", NULL);
    run(&z, 0, &a);
    run(&zh, 0, &b);
    assert_true(fabs(b.mem.grads_bytes - 2 * params / 4) < 1e-9 * b.mem.grads_bytes);
    assert_true(fabs(b.mem.optimizer_bytes - 12 * params / 4) < 1e-9 * b.mem.optimizer_bytes);
    assert_true(a.mem.weights_bytes == b.mem.weights_bytes);
    /* with cp 2 the shard group is dp_shard*cp = 8 ranks: the state of dp_shard 8 at cp 1 */
    aif_scenario c = job("llama3-8b", "fsdp", "4", "2");
    run(&c, 0, &b);
    assert_true(fabs(b.mem.optimizer_bytes - 12 * params / 8) < 1e-9 * b.mem.optimizer_bytes);
}

static void test_groups(void **state)
{
    (void)state;
    aif_graph g;
    aif_scenario s = job("llama3-8b", "fsdp", "8", NULL);
    aif_graph_shape(&s, &g);
    /* the shard group: 8 consecutive ranks, one node's NVLink; the replicate group: 8 ranks,
     * one a node, every one across the network */
    assert_int_equal(g.groups[AIF_GRP_DP].size, 8);
    assert_int_equal(g.groups[AIF_GRP_DP].per_domain, 8);
    assert_int_equal(g.groups[AIF_GRP_DPR].size, 8);
    assert_int_equal(g.groups[AIF_GRP_DPR].per_domain, 1);
    /* shards of 16 ranks: two nodes each, the replicate group of 4 across them */
    s = job("llama3-8b", "fsdp", "16", NULL);
    aif_graph_shape(&s, &g);
    assert_int_equal(g.groups[AIF_GRP_DP].size, 16);
    assert_int_equal(g.groups[AIF_GRP_DP].per_domain, 8);
    assert_int_equal(g.groups[AIF_GRP_DPR].size, 4);
    assert_int_equal(g.groups[AIF_GRP_DPR].per_domain, 1);
    /* shards of 2 ranks: 4 replicas inside each node */
    s = job("llama3-8b", "fsdp", "2", NULL);
    aif_graph_shape(&s, &g);
    assert_int_equal(g.groups[AIF_GRP_DPR].size, 32);
    assert_int_equal(g.groups[AIF_GRP_DPR].per_domain, 4);
    /* cp 2: dp 32, shard 4 -> 8 ranks a shard group, 8 replicas */
    s = job("llama3-8b", "fsdp", "4", "2");
    aif_graph_shape(&s, &g);
    assert_int_equal(g.groups[AIF_GRP_DP].size, 8);
    assert_int_equal(g.groups[AIF_GRP_DPR].size, 8);
    assert_int_equal(g.groups[AIF_GRP_DPR].per_domain, 1);
    /* no hybrid sharding: the replicate group is one rank */
    s = job("llama3-8b", "fsdp", NULL, NULL);
    aif_graph_shape(&s, &g);
    assert_int_equal(g.groups[AIF_GRP_DP].size, 64);
    assert_int_equal(g.groups[AIF_GRP_DPR].size, 1);
}

/* the bytes and group of the first op named `name` in segment seg, or -1 bytes */
static double op_bytes(const aif_scenario *s, int seg, const char *name, int *group)
{
    aif_graph g;
    aif_err e;
    if (aif_graph_lower(s, &g, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    double b = -1;
    for (int i = g.seg[seg].first; i < g.seg[seg].first + g.seg[seg].n; i++)
        if (!strcmp(g.ops[i].name, name)) {
            b = g.ops[i].bytes;
            *group = g.ops[i].group;
            break;
        }
    aif_graph_free(&g);
    return b;
}

static void test_layer_collectives(void **state)
{
    (void)state;
    /* llama3-8b's layer: q and o 4096^2 each, k and v 4096 x 1024 each, the gated MLP
     * 3 x 4096 x 14336, two norms of 4096 */
    double layer = 2 * 4096.0 * 4096 + 2 * 4096.0 * 1024 + 3 * 4096.0 * 14336 + 2 * 4096;
    assert_true(layer == 218112000);
    int grp = -1;
    aif_scenario s = job("llama3-8b", "fsdp", "8", NULL);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_FWD, "dp.ag.weights", &grp) == layer * 2);
    assert_int_equal(grp, AIF_GRP_DP);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dp.rs.grads", &grp) == layer * 2);
    assert_int_equal(grp, AIF_GRP_DP);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dpr.ar.grads", &grp) == layer * 2 / 8);   /* 54,528,000 */
    assert_int_equal(grp, AIF_GRP_DPR);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_FWD, "dpr.ar.grads", &grp) < 0);   /* backward only */
    /* cp 2: the shard is 1/(dp_shard*cp) of the layer */
    s = job("llama3-8b", "fsdp", "4", "2");
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dpr.ar.grads", &grp) == layer * 2 / 8);
    /* dp_shard 1: nothing sharded, the layer's whole gradient all-reduced over 64 ranks */
    s = job("llama3-8b", "fsdp", "1", NULL);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dp.rs.grads", &grp) < 0);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dpr.ar.grads", &grp) == layer * 2);
    /* no hybrid sharding: no all-reduce at all */
    s = job("llama3-8b", "fsdp", NULL, NULL);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dpr.ar.grads", &grp) < 0);
    /* zero2 (gradients per microbatch, the step's all-gather over the shard group) */
    s = job("llama3-8b", "zero2", "8", NULL);
    assert_true(op_bytes(&s, AIF_SEG_DENSE_BWD, "dpr.ar.grads", &grp) == layer * 2 / 8);
    assert_true(op_bytes(&s, AIF_SEG_STEP_AG, "dp.allgather", &grp) > 0);
    assert_int_equal(grp, AIF_GRP_DP);
}

static void test_moe_shards_in_one_allreduce(void **state)
{
    (void)state;
    /* mixtral-8x7b, ep 1, zero2, dp 64 shard 8: the layer's dense part over the dp shard
     * group (8), its 8 experts over the edp shard group (tp*cp*dp_shard / (etp*ep) = 8) */
    aif_scenario s = job("mixtral-8x7b", "zero2", "8", NULL);
    aif_dims d;
    aif_model_dims(&s.model, &d);
    double dense = d.attn_params + d.norm_params + d.router_params + d.shared_params;
    double expert = d.expert_params * s.model.moe.experts;
    int grp = -1;
    assert_true(fabs(op_bytes(&s, AIF_SEG_MOE_BWD, "dp.rs.grads", &grp) - dense * 2) < 1e-6);
    assert_true(fabs(op_bytes(&s, AIF_SEG_MOE_BWD, "edp.rs.grads", &grp) - expert * 2) < 1e-6);
    double ar = op_bytes(&s, AIF_SEG_MOE_BWD, "dpr.ar.grads", &grp);
    if (fabs(ar - (dense + expert) * 2 / 8) > 1e-6 * ar)
        fail_msg("all-reduce %.6g bytes, expected %.6g", ar, (dense + expert) * 2 / 8);
}

/* HSDP in both engines: the shards' collectives inside a node, the replicate all-reduce
 * across nodes; the engines agree (the agreement test's 5%) */
static void test_engines(void **state)
{
    (void)state;
    aif_scenario s = job("llama3-8b", "fsdp", "8", NULL);
    aif_train_result e, m;
    run(&s, 0, &e);
    run(&s, 1, &m);
    if (fabs(e.step_time_s / m.step_time_s - 1) > 0.05)
        fail_msg("estimate %.4f s, simulation %.4f s", e.step_time_s, m.step_time_s);
    assert_true(e.bd.dp_comm_s >= 0 && m.bd.dp_comm_s >= 0);
}

/* The simulated network: the bytes the step puts on the NICs (what leaves the nodes) */
static double nic_bytes(const aif_scenario *s, double *step_s)
{
    aif_err e;
    aif_train_result r;
    aif_sim_stats st;
    memset(&st, 0, sizeof st);
    if (aif_simulate(s, NULL, &r, &st, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    *step_s = r.step_time_s;
    return st.tier_bytes[AIF_TIER_NIC];
}

static void test_replicate_crosses_nodes(void **state)
{
    (void)state;
    double t0, t8, t1;
    aif_scenario full = job("llama3-8b", "fsdp", "0", NULL), hs = job("llama3-8b", "fsdp", "8", NULL),
                 rep = job("llama3-8b", "fsdp", "1", NULL);
    double b0 = nic_bytes(&full, &t0), b8 = nic_bytes(&hs, &t8), b1 = nic_bytes(&rep, &t1);
    /* shards of one node: every byte on the NICs is the replicate all-reduce, a ring over
     * 8 ranks one a node; each of the 64 ranks sends 2 x 7/8 of its 54,528,000-byte shard
     * per layer, 32 layers, each byte on its sender's NIC link up and its receiver's down
     * (the NIC tier's two directed links per GPU, net/topology.c) */
    double want = 2 * 32 * 64 * (2 * 7.0 / 8) * 54528000;
    if (fabs(b8 - want) > 1e-6 * want)
        fail_msg("NIC bytes with shards of a node %.6g, expected %.6g", b8, want);
    /* sharding over all 64 ranks puts the gathers and the reduce-scatter on the network */
    assert_true(b0 > 1.5 * b8);
    /* dp_shard 1 (replication alone: the whole gradient all-reduced over 64 ranks, 8 a
     * node) moves across the nodes what the shards' all-reduce does, 2 x 7/8 of each
     * node's gradient: the all-reduce's inter-node volume does not depend on the split */
    assert_true(fabs(b1 - want) < 1e-6 * want);
    assert_true(t0 > 0 && t8 > 0 && t1 > 0);
}

static void refused(const char *opt, const char *ds, const char *model, const char *want)
{
    aif_scenario s;
    aif_err e;
    assert_int_equal(scenario(model, opt, ds, NULL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.dp_shard");
    if (!strstr(e.msg, want))
        fail_msg("'%s' not in: %s", want, e.msg);
}

static void test_refused(void **state)
{
    (void)state;
    refused("fsdp", "7", "llama3-8b", "dp_shard 7 does not divide dp 64: accepted a divisor of dp");
    refused("fsdp", "128", "llama3-8b", "does not divide dp 64");
    refused("distributed", "8", "llama3-8b", "use optimizer zero2, zero3 or fsdp");
    refused("zero1", "8", "llama3-8b", "use optimizer zero2, zero3 or fsdp");
    /* but a full shard is accepted with any optimizer: it is today's job */
    aif_scenario s;
    aif_err e;
    assert_int_equal(scenario("llama3-8b", "distributed", "64", NULL, &s, &e), AIF_OK);
    /* the bound: negative */
    assert_int_not_equal(scenario("llama3-8b", "fsdp", "-1", NULL, &s, &e), AIF_OK);
    assert_string_equal(e.path, "train.dp_shard");
}

static void test_grad_dtype(void **state)
{
    (void)state;
    double params, active;
    aif_scenario a, f, b;
    grad_dtype = NULL;
    a = job("llama3-8b", "distributed", NULL, NULL);
    grad_dtype = "fp32";
    f = job("llama3-8b", "distributed", NULL, NULL);
    grad_dtype = "bf16";
    b = job("llama3-8b", "distributed", NULL, NULL);
    grad_dtype = NULL;
    aif_model_param_counts(&a.model, &params, &active);
    for (int sim = 0; sim < 2; sim++) {
        aif_train_result ra, rf, rb;
        run(&a, sim, &ra);
        run(&f, sim, &rf);
        run(&b, sim, &rb);
        /* auto is fp32: the same job to the bit */
        assert_true(ra.step_time_s == rf.step_time_s && ra.mem.total_bytes == rf.mem.total_bytes);
        /* every parameter's gradient, unsharded, 4 bytes and 2 */
        if (fabs(rf.mem.grads_bytes - 4 * params) > 1e-9 * rf.mem.grads_bytes ||
            fabs(rb.mem.grads_bytes - 2 * params) > 1e-9 * rb.mem.grads_bytes)
            fail_msg("grads %.6g / %.6g bytes, expected %.6g / %.6g", rf.mem.grads_bytes, rb.mem.grads_bytes,
                     4 * params, 2 * params);
        assert_true(rf.mem.weights_bytes == rb.mem.weights_bytes && rf.mem.optimizer_bytes == rb.mem.optimizer_bytes);
        /* half the bytes reduced: never slower */
        assert_true(rb.bd.dp_comm_s <= rf.bd.dp_comm_s && rb.step_time_s <= rf.step_time_s);
    }
    int grp = -1;
    double rs_f = op_bytes(&f, AIF_SEG_STEP_RS, "dp.reducescatter", &grp);
    assert_int_equal(grp, AIF_GRP_DP);
    assert_true(rs_f == 4 * params && op_bytes(&b, AIF_SEG_STEP_RS, "dp.reducescatter", &grp) == 2 * params);
    /* the sharded optimizers keep their own bf16 gradients: an explicit type is refused */
    static const char *const others[] = {"zero1", "zero2", "zero3", "fsdp"};
    for (int o = 0; o < 4; o++) {
        aif_err e;
        grad_dtype = "bf16";
        aif_rc rc = scenario("llama3-8b", others[o], NULL, NULL, &a, &e);
        grad_dtype = NULL;
        assert_int_equal(rc, AIF_EINPUT);
        assert_string_equal(e.path, "train.grad_dtype");
        if (!strstr(e.msg, "optimizer none or distributed") || !strstr(e.msg, others[o]))
            fail_msg("%s", e.msg);
        assert_int_equal(scenario("llama3-8b", others[o], NULL, NULL, &a, &e), AIF_OK);   /* auto */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_shard_is_as_before), cmocka_unit_test(test_memory_by_shard_group),
        cmocka_unit_test(test_groups),                  cmocka_unit_test(test_layer_collectives),
        cmocka_unit_test(test_moe_shards_in_one_allreduce), cmocka_unit_test(test_engines),
        cmocka_unit_test(test_replicate_crosses_nodes), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_grad_dtype),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
