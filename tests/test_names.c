/* test_names.c -- one name table per enum (include/aifsim/names.h): every value's
 * name parses back to the value, through the plain lookup, through the binder's
 * enum fields, and through the scenario fields that use each table; out-of-range
 * values name themselves "?", never NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/facility.h"
#include "aifsim/graph.h"
#include "aifsim/names.h"
#include "aifsim/network.h"
#include "aifsim/run.h"
#include "scenario/bind.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* Each table with its accessor and the enum's count. */
typedef struct table {
    const char *what;
    const char *const *names;
    const char *(*name)(int);
    int n;
} table;

/* the accessors take their enum; these adapters take an int for the table walk */
#define ADAPT(e) static const char *e##_at(int v) { return aif_##e##_name((aif_##e)v); }
ADAPT(prec) ADAPT(recompute) ADAPT(optim) ADAPT(attn_kernel) ADAPT(fabric_kind) ADAPT(transport) ADAPT(topo_kind)
ADAPT(routing) ADAPT(cooling) ADAPT(climate) ADAPT(cloud_class) ADAPT(act) ADAPT(attn) ADAPT(norm) ADAPT(pos)
ADAPT(catalog_kind) ADAPT(fp8_recipe)
static const char *coll_at(int v) { return aif_coll_name(v); }
static const char *coll_algo_at(int v) { return aif_coll_algo_name(v); }
static const char *tier_at(int v) { return aif_tier_name(v); }
static const char *engine_at(int v) { return aif_engine_name(v); }
static const char *group_at(int v) { return aif_group_name(v); }
static const char *verdict_at(int v) { return aif_rack_verdict_name(v); }
static const char *check_at(int v) { return aif_power_check_kind_name(v); }

static const table tables[] = {
    {"prec", aif_prec_names, prec_at, AIF_N_PREC},
    {"recompute", aif_recompute_names, recompute_at, AIF_RC_FULL + 1},
    {"optim", aif_optim_names, optim_at, AIF_OPT_FSDP + 1},
    {"attn_kernel", aif_attn_kernel_names, attn_kernel_at, AIF_ATTN_UNFUSED + 1},
    {"fabric_kind", aif_fabric_kind_names, fabric_kind_at, AIF_FAB_NEURONLINK + 1},
    {"transport", aif_transport_names, transport_at, AIF_TCP + 1},
    {"topo_kind", aif_topo_kind_names, topo_kind_at, AIF_TOPO_RAIL_ONLY + 1},
    {"routing", aif_routing_names, routing_at, AIF_ROUTE_AUTO + 1},
    {"cooling", aif_cooling_names, cooling_at, AIF_N_COOL},
    {"climate", aif_climate_names, climate_at, AIF_N_CLIMATE},
    {"cloud_class", aif_cloud_class_names, cloud_class_at, AIF_N_CLOUD},
    {"act", aif_act_names, act_at, AIF_ACT_SQRELU + 1},
    {"attn", aif_attn_names, attn_at, AIF_ATTN_MLA + 1},
    {"norm", aif_norm_names, norm_at, AIF_NORM_RMS + 1},
    {"pos", aif_pos_names, pos_at, AIF_POS_ALIBI + 1},
    {"coll", aif_coll_names, coll_at, AIF_COLL_DISPATCH + 1},
    {"coll_algo", aif_coll_algo_names, coll_algo_at, AIF_ALGO_PAT + 1},
    {"tier", aif_tier_names, tier_at, AIF_N_TIER},
    {"catalog_kind", aif_catalog_kind_names, catalog_kind_at, AIF_N_CATALOG_KIND},
    {"fp8_recipe", aif_fp8_recipe_names, fp8_recipe_at, AIF_FP8_BLOCKWISE + 1},
    {"engine", aif_engine_names, engine_at, AIF_ENGINE_SIM + 1},
    {"group", aif_group_names, group_at, AIF_N_GRP},
    {"rack_verdict", aif_rack_verdict_names, verdict_at, AIF_N_RACK_VERDICT},
    {"power_check_kind", aif_power_check_kind_names, check_at, AIF_N_CHECK_KIND},
};
enum { N_TABLES = sizeof tables / sizeof tables[0] };

static void test_tables_round_trip(void **state)
{
    (void)state;
    for (int t = 0; t < N_TABLES; t++) {
        const table *tb = &tables[t];
        if (aif_name_count(tb->names) != tb->n)
            fail_msg("%s: %d names for %d values", tb->what, aif_name_count(tb->names), tb->n);
        for (int v = 0; v < tb->n; v++) {
            const char *nm = tb->name(v);
            assert_non_null(nm);
            assert_ptr_equal(nm, tb->names[v]);
            if (aif_name_index(tb->names, nm) != v)
                fail_msg("%s: '%s' parses to %d, not %d", tb->what, nm, aif_name_index(tb->names, nm), v);
            char upper[64];
            size_t k = 0;
            for (; nm[k] && k + 1 < sizeof upper; k++)
                upper[k] = (char)toupper((unsigned char)nm[k]);
            upper[k] = '\0';
            assert_int_equal(aif_name_index(tb->names, upper), v);   /* case is ignored, as the binder does */
        }
        assert_string_equal(tb->name(-1), "?");
        assert_string_equal(tb->name(tb->n), "?");
        assert_int_equal(aif_name_index(tb->names, "no-such-name"), -1);
    }
    assert_string_equal(aif_cooling_label(AIF_COOL_RDHX), "rear-door heat exchanger");
    assert_string_equal(aif_cloud_class_label(AIF_CLOUD_NEOCLOUD_ON_DEMAND), "neocloud on-demand");
    assert_string_equal(aif_cooling_label(AIF_N_COOL), "?");
}

/* Every name through the binder's enum field: the parser the scenario and catalog files use. */
static void test_tables_through_binder(void **state)
{
    (void)state;
    for (int t = 0; t < N_TABLES; t++) {
        const table *tb = &tables[t];
        const field f = {.key = "x", .type = F_ENUM, .off = 0, .names = tb->names};
        for (int v = 0; v < tb->n; v++) {
            char y[96];
            snprintf(y, sizeof y, "x: %s\n", tb->name(v));
            ydoc *d;
            ynode *root;
            aif_err e;
            assert_int_equal(ydoc_parse(y, strlen(y), "t.yaml", &d, &root, &e), AIF_OK);
            const bind_ctx bc = {.err = &e};
            int out = -7;
            if (bind_value(&bc, ynode_get(root, "x"), &f, &out, "x") != AIF_OK)
                fail_msg("%s: '%s': %s", tb->what, tb->name(v), e.msg);
            assert_int_equal(out, v);
            ydoc_free(d);
        }
    }
    /* a field's extra name ("auto") binds as -1 and is listed as accepted */
    const field f = {.key = "c", .type = F_ENUM, .off = 0, .names = aif_cooling_names, .auto_name = "auto"};
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse("c: auto\nd: wind\n", 16, "t.yaml", &d, &root, &e), AIF_OK);
    const bind_ctx bc = {.err = &e};
    int out = 0;
    assert_int_equal(bind_value(&bc, ynode_get(root, "c"), &f, &out, "c"), AIF_OK);
    assert_int_equal(out, -1);
    assert_int_equal(bind_value(&bc, ynode_get(root, "d"), &f, &out, "d"), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "accepted: air, rdhx, liquid, immersion, auto"));
    ydoc_free(d);
}

/* The scenario fields that use the tables: each name, set as an option, reads back. */
static void test_tables_through_scenario(void **state)
{
    (void)state;
    /* accept: the values a field takes (0: all); the others are refused, named as such */
    static const struct { const char *path; const char *const *names; size_t off; unsigned sections, accept; } uses[] = {
        {"train.precision", aif_prec_names, offsetof(aif_scenario, train.precision), AIF_SECTION_TRAIN,
         1u << AIF_BF16 | 1u << AIF_FP8 | 1u << AIF_FP4},
        {"train.recompute", aif_recompute_names, offsetof(aif_scenario, train.recompute), AIF_SECTION_TRAIN, 0},
        {"train.optimizer", aif_optim_names, offsetof(aif_scenario, train.optimizer), AIF_SECTION_TRAIN, 0},
        {"train.attention", aif_attn_kernel_names, offsetof(aif_scenario, train.attention), AIF_SECTION_TRAIN, 0},
        {"train.rank_order", aif_rank_order_names, offsetof(aif_scenario, train.rank_order), AIF_SECTION_TRAIN, 0},
        {"cluster.network.topology", aif_topo_kind_names, offsetof(aif_scenario, cluster.net.topology), 0, 0},
        {"cluster.network.routing", aif_routing_names, offsetof(aif_scenario, cluster.net.routing), 0, 0},
        {"facility.cooling", aif_cooling_names, offsetof(aif_scenario, site.cooling), AIF_SECTION_SITE, 0},
        {"facility.climate", aif_climate_names, offsetof(aif_scenario, site.climate), AIF_SECTION_SITE, 0},
        {"cost.cloud", aif_cloud_class_names, offsetof(aif_scenario, site.cloud_class), AIF_SECTION_SITE, 0},
    };
    const char *y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n";
    for (size_t u = 0; u < sizeof uses / sizeof uses[0]; u++)
        for (int v = 0; uses[u].names[v]; v++) {
            aif_override ov = {uses[u].path, uses[u].names[v], "--set"};
            aif_scenario *s = test_malloc(sizeof *s);
            aif_err e;
            aif_rc rc = aif_scenario_parse_sections(cat, y, strlen(y), "t.yaml", &ov, 1,
                                                    AIF_SECTION_CLUSTER | uses[u].sections, s, &e);
            if (uses[u].accept && !(uses[u].accept >> v & 1u)) {
                test_free(s);
                if (rc != AIF_EINPUT || !strstr(e.msg, "is not accepted here"))
                    fail_msg("%s=%s: not refused (%s)", uses[u].path, uses[u].names[v], e.msg);
                continue;
            }
            if (rc != AIF_OK) {
                test_free(s);
                fail_msg("%s=%s: %s", uses[u].path, uses[u].names[v], e.msg);
            }
            int got;
            memcpy(&got, (const char *)s + uses[u].off, sizeof got);
            if (got != v)
                fail_msg("%s=%s read back as %d, not %d", uses[u].path, uses[u].names[v], got, v);
            test_free(s);
        }
    /* catalog enums: a model and a fabric written with every name */
    for (int v = 0; aif_act_names[v]; v++) {
        char m[256];
        snprintf(m, sizeof m, "cluster: {system: dgx-h100, gpus: 8}\nmodel: {base: llama3-8b, activation: %s, "
                 "norm: %s, position: %s, max_seq: 2048}\n", aif_act_names[v], aif_norm_names[v % 2], aif_pos_names[v % 3]);
        aif_scenario *s = test_malloc(sizeof *s);
        aif_err e;
        assert_int_equal(aif_scenario_parse_sections(cat, m, strlen(m), "t.yaml", NULL, 0,
                                                     AIF_SECTION_CLUSTER | AIF_SECTION_MODEL, s, &e), AIF_OK);
        assert_int_equal(s->model.activation, v);
        assert_int_equal(s->model.norm, v % 2);
        assert_int_equal(s->model.position, v % 3);
        test_free(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_round_trip),
        cmocka_unit_test(test_tables_through_binder),
        cmocka_unit_test(test_tables_through_scenario),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
