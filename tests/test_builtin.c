/* test_builtin.c -- the built-in catalogs compiled into C data at build time
 * (tools/catalog_gen.c -> aif_builtin_catalog, copied by aif_catalog_load_builtin)
 * equal the catalogs parsed now from the YAML text (aif_catalog_parse_builtin):
 * every entry in the same order, every field of every struct (doubles to the bit,
 * strings byte for byte), every citation, NCCL's table, the fabric defaults and the
 * facility data; and the catalogs' JSON, written from the binder's field descriptors,
 * is the same text.  The comparison is shown to fail on one changed figure and one
 * changed citation (test_catalog checks that user catalogs add to it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "aifsim/report.h"
#include "scenario/catalog.h"

static char diff[512];   /* the first difference found */

static int note(const char *fmt, ...)
{
    if (!diff[0]) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(diff, sizeof diff, fmt, ap);
        va_end(ap);
    }
    return 1;
}

/* doubles compare by value and NaN-ness alike (memcmp would see -0 and 0 apart too) */
#define NUM(what, a, b, f) ((a)->f == (b)->f || (memcmp(&(a)->f, &(b)->f, sizeof(double)) == 0) ? 0 \
                            : note("%s: %s differs: %.17g vs %.17g", what, #f, (double)(a)->f, (double)(b)->f))
#define INT(what, a, b, f) ((a)->f == (b)->f ? 0 : note("%s: %s differs: %ld vs %ld", what, #f, (long)(a)->f, (long)(b)->f))
#define STR(what, a, b, f) (strcmp((a)->f, (b)->f) == 0 ? 0 : note("%s: %s differs: '%s' vs '%s'", what, #f, (a)->f, (b)->f))

static int calib_diff(const char *w, const aif_calib *a, const aif_calib *b)
{
    return STR(w, a, b, name) | NUM(w, a, b, matmul_eff) | NUM(w, a, b, matmul_eff_fp8) | NUM(w, a, b, matmul_eff_fp4) | NUM(w, a, b, matmul_k_half) |
           NUM(w, a, b, attn_fwd_eff) | NUM(w, a, b, attn_bwd_eff) | NUM(w, a, b, attn_kv_half) |
           NUM(w, a, b, attn_hd_half) | NUM(w, a, b, attn_flash2_factor) | NUM(w, a, b, overlap_slowdown) | NUM(w, a, b, speed_spread) |
           NUM(w, a, b, mem_eff) | NUM(w, a, b, kernel_overhead_s) | INT(w, a, b, n_sm) | INT(w, a, b, tile_m) |
           INT(w, a, b, tile_n) | NUM(w, a, b, workspace_bytes) | NUM(w, a, b, grouped_m_half) | NUM(w, a, b, grouped_factor) | NUM(w, a, b, grouped_dgrad_factor) | NUM(w, a, b, grouped_wgrad_factor) | NUM(w, a, b, grouped_unaligned_factor) | NUM(w, a, b, mixed_input_factor) |
           NUM(w, a, b, attn_fwd_eff_hd64) | NUM(w, a, b, attn_bwd_eff_hd64) | NUM(w, a, b, attn_fwd_eff_hd192) |
           NUM(w, a, b, attn_bwd_eff_hd192) | INT(w, a, b, attn_block_n) | NUM(w, a, b, attn_fp8_fwd_factor) |
           NUM(w, a, b, attn_fp8_bwd_factor) | NUM(w, a, b, attn_fp8_fwd_factor_hd64) | NUM(w, a, b, attn_fp8_bwd_factor_hd64) |
           NUM(w, a, b, attn_fp8_fwd_factor_hd192) | NUM(w, a, b, attn_fp8_bwd_factor_hd192);
}
/* every field above: a field added to aif_calib changes its size and stops the build here and in
 * tools/catalog_gen.c (the same assertion) until both lists take it */
#if defined(__LP64__)
_Static_assert(sizeof(aif_calib) == 320, "aif_calib has a field calib_diff does not compare (LP64 size)");
#endif

static int framework_diff(const char *w, const aif_framework *a, const aif_framework *b)
{
    return STR(w, a, b, name) | STR(w, a, b, description) | INT(w, a, b, attention) | NUM(w, a, b, matmul_factor) |
           NUM(w, a, b, fp8_matmul_factor) | INT(w, a, b, fp8_recipe) | NUM(w, a, b, fp8_cast_factor) | INT(w, a, b, fp8_tp_gather) | INT(w, a, b, tp_overlap_rs_splits) |
           NUM(w, a, b, norm_traffic) | NUM(w, a, b, rope_traffic) | NUM(w, a, b, act_traffic) | INT(w, a, b, elementwise_kernels) | NUM(w, a, b, launch_factor) |
           INT(w, a, b, cuda_graphs) | NUM(w, a, b, graph_tail) | INT(w, a, b, tp_overlap) | INT(w, a, b, dp_overlap) |
           INT(w, a, b, ep_overlap) | INT(w, a, b, fsdp_prefetch) | INT(w, a, b, fsdp_per_tensor) | INT(w, a, b, fsdp_rank_ops) | NUM(w, a, b, fsdp_live_params) | NUM(w, a, b, fsdp_reuse_params) | NUM(w, a, b, workspace_extra_bytes) | NUM(w, a, b, selective_gemm_share) | NUM(w, a, b, loss_bytes) | NUM(w, a, b, pp_grad_accum_bytes) | INT(w, a, b, bf16_saved_inputs) | INT(w, a, b, yarn_rope_unfused) | INT(w, a, b, cp_comm) | INT(w, a, b, moe_eager_extras) | INT(w, a, b, offload_recompute) | INT(w, a, b, replay_pruned) | INT(w, a, b, tp_dtensor) | INT(w, a, b, offload_prefetch) |
           NUM(w, a, b, attn_fwd_factor) | NUM(w, a, b, attn_bwd_factor) | STR(w, a, b, attn_factor_families) | INT(w, a, b, fsdp_copy) | NUM(w, a, b, fsdp_reduce_bytes) |
           NUM(w, a, b, loss_fwd_bytes) | NUM(w, a, b, loss_bwd_bytes) | NUM(w, a, b, grad_accum_bytes) | INT(w, a, b, pp_p2p_serial) |
           STR(w, a, b, aliases);
}

static int gpu_diff(const char *w, const aif_gpu *a, const aif_gpu *b)
{
    int d = STR(w, a, b, name) | STR(w, a, b, description) | STR(w, a, b, vendor) | STR(w, a, b, arch) |
            STR(w, a, b, scaleup) | NUM(w, a, b, hbm_bytes) | NUM(w, a, b, hbm_bw_Bps) | NUM(w, a, b, tdp_W) |
            NUM(w, a, b, scaleup_bw_Bps) | NUM(w, a, b, price_usd) | NUM(w, a, b, embodied_kg) |
            INT(w, a, b, scaleup_domain) | STR(w, a, b, base) | NUM(w, a, b, clock_factor) | NUM(w, a, b, sustained_clock) |
            NUM(w, a, b, own_matmul_eff) | NUM(w, a, b, own_matmul_eff_fp8) | calib_diff(w, &a->calib, &b->calib);
    for (int p = 0; p < AIF_N_PREC; p++)
        d |= NUM(w, a, b, peak_flops[p]);
    return d;
}

static int system_diff(const char *w, const aif_system *a, const aif_system *b)
{
    return STR(w, a, b, name) | STR(w, a, b, description) | STR(w, a, b, gpu) | STR(w, a, b, fabric) |
           INT(w, a, b, gpus_per_node) | INT(w, a, b, nics_per_node) | INT(w, a, b, scaleup_domain) |
           NUM(w, a, b, nic_bw_Bps) | NUM(w, a, b, host_power_W) | NUM(w, a, b, max_power_W) | NUM(w, a, b, price_usd);
}

static int fabric_diff(const char *w, const aif_fabric *a, const aif_fabric *b)
{
    return STR(w, a, b, name) | STR(w, a, b, description) | INT(w, a, b, kind) | INT(w, a, b, transport) |
           NUM(w, a, b, port_bw_Bps) | NUM(w, a, b, latency_s) | NUM(w, a, b, efficiency) |
           NUM(w, a, b, nvls_efficiency) | INT(w, a, b, nvls_min_ranks) | NUM(w, a, b, chunk_ramp) | NUM(w, a, b, step_fill_s) |
           NUM(w, a, b, nvls_chunk_ramp) | NUM(w, a, b, nvls_step_fill_s) |
           NUM(w, a, b, ll_max_bw_Bps) | NUM(w, a, b, a2a_half_bytes) | INT(w, a, b, in_network_reduction) | NUM(w, a, b, cpu_core_bw_Bps) |
           INT(w, a, b, switch_radix) | NUM(w, a, b, switch_per_port_W) | NUM(w, a, b, optic_per_port_W) |
           INT(w, a, b, optics) | NUM(w, a, b, cpo_per_port_W) | INT(w, a, b, status) | STR(w, a, b, aliases);
}

static int storage_diff(const char *w, const aif_storage_tier *a, const aif_storage_tier *b)
{
    return STR(w, a, b, name) | STR(w, a, b, description) | STR(w, a, b, vendor) | STR(w, a, b, aliases) |
           INT(w, a, b, storage_class) | NUM(w, a, b, read_bw_Bps) | NUM(w, a, b, write_bw_Bps) |
           NUM(w, a, b, capacity_bytes) | NUM(w, a, b, latency_s) | NUM(w, a, b, power_W) | NUM(w, a, b, price_usd) |
           INT(w, a, b, status);
}

static int model_diff(const char *w, const aif_model *a, const aif_model *b)
{
    return STR(w, a, b, name) | STR(w, a, b, description) | INT(w, a, b, layers) | INT(w, a, b, hidden) |
           INT(w, a, b, heads) | INT(w, a, b, kv_heads) | INT(w, a, b, head_dim) | INT(w, a, b, ffn) |
           INT(w, a, b, vocab) | INT(w, a, b, max_seq) | INT(w, a, b, activation) | INT(w, a, b, attention) |
           INT(w, a, b, norm) | INT(w, a, b, position) | INT(w, a, b, tied_embeddings) | INT(w, a, b, moe.experts) |
           INT(w, a, b, moe.top_k) | INT(w, a, b, moe.shared_experts) | INT(w, a, b, moe.expert_ffn) |
           INT(w, a, b, moe.dense_layers) | INT(w, a, b, mla.q_lora_rank) | INT(w, a, b, mla.kv_lora_rank) |
           INT(w, a, b, mla.qk_nope_head_dim) | INT(w, a, b, mla.qk_rope_head_dim) | INT(w, a, b, mla.v_head_dim) |
           NUM(w, a, b, params) | NUM(w, a, b, active_params) | INT(w, a, b, sliding_window) |
           INT(w, a, b, full_attention_every) | NUM(w, a, b, rope_mscale) | NUM(w, a, b, glu_clamp) |
           INT(w, a, b, expert_bias) | INT(w, a, b, linear_bias);
}

static int facility_diff(const aif_facility_data *a, const aif_facility_data *b)
{
    const char *w = "facility";
    int d = NUM(w, a, b, wue_evaporative_L_per_J) | NUM(w, a, b, wue_dry_L_per_J) | NUM(w, a, b, switch_per_port_W) |
            NUM(w, a, b, optic_per_port_W) | NUM(w, a, b, storage_per_gpu_W) | NUM(w, a, b, cpo_per_port_W) | NUM(w, a, b, electricity_usd_per_J) |
            NUM(w, a, b, depreciation_s) | NUM(w, a, b, facility_depreciation_s) | NUM(w, a, b, operations_frac) |
            NUM(w, a, b, network_per_gpu_usd) | NUM(w, a, b, storage_per_gpu_usd) | NUM(w, a, b, host_tdp_frac) |
            INT(w, a, b, nodes_per_rack) | INT(w, a, b, n_carbon) | INT(w, a, b, n_embodied) | INT(w, a, b, n_cloud) |
            INT(w, a, b, n_api) | INT(w, a, b, n_checks);
    for (int i = 0; i < 4; i++)
        d |= NUM(w, a, b, gpu_phase_fraction[i]);
    d |= NUM(w, a, b, battery_efficiency) | NUM(w, a, b, battery_ride_through_s) | NUM(w, a, b, rack_storage_per_gpu_J);
    for (int k = 0; k < AIF_N_SUPPLY_KIND; k++) {
        d |= NUM(w, a, b, supply[k].usd_per_J) | NUM(w, a, b, supply[k].carbon_kg_per_J);
        for (int h = 0; h < 24; h++)
            d |= NUM(w, a, b, supply[k].cf[h]);
    }
    for (int c = 0; c < AIF_N_COOL; c++) {
        d |= NUM(w, a, b, cooling[c].rack_limit_W) | NUM(w, a, b, cooling[c].fan_fraction) |
             NUM(w, a, b, cooling[c].capex_per_W_usd);
        for (int k = 0; k < AIF_N_CLIMATE; k++)
            d |= NUM(w, a, b, cooling[c].pue[k]);
    }
    if (d)
        return d;
    const struct { const char *what; const aif_named_value *a, *b; int n; } tabs[] = {
        {"facility.carbon", a->carbon, b->carbon, a->n_carbon},
        {"facility.embodied", a->embodied, b->embodied, a->n_embodied},
        {"facility.api", a->api, b->api, a->n_api},
    };
    for (size_t t = 0; t < sizeof tabs / sizeof tabs[0]; t++)
        for (int i = 0; i < tabs[t].n; i++)
            d |= STR(tabs[t].what, &tabs[t].a[i], &tabs[t].b[i], name) |
                 NUM(tabs[t].what, &tabs[t].a[i], &tabs[t].b[i], value);
    for (int i = 0; i < a->n_cloud; i++) {
        d |= STR("facility.cloud", &a->cloud[i], &b->cloud[i], gpu);
        for (int k = 0; k < AIF_N_CLOUD; k++)
            d |= NUM("facility.cloud", &a->cloud[i], &b->cloud[i], usd_per_gpu_hour[k]);
    }
    for (int i = 0; i < a->n_checks; i++) {
        const aif_power_check *x = &a->checks[i], *y = &b->checks[i];
        d |= STR("validation", x, y, id) | STR("validation", x, y, what) | STR("validation", x, y, source) |
             STR("validation", x, y, system) | STR("validation", x, y, job) | INT("validation", x, y, kind) | NUM("validation", x, y, value_W);
    }
    return d;
}

static int nccl_diff(const aif_nccl *a, const aif_nccl *b)
{
    int d = NUM("nccl", a, b, nvls_lat_us) | NUM("nccl", a, b, ring_pass_loss);
    for (int p = 0; p < AIF_N_PROTO; p++) {
        d |= NUM("nccl", a, b, proto_bw[p]) | NUM("nccl", a, b, net_overhead_us[p]);
        for (int x = 0; x < 2; x++) {
            d |= NUM("nccl", a, b, base_lat_us[x][p]);
            for (int y = 0; y < 2; y++)
                d |= NUM("nccl", a, b, step_lat_us[x][y][p]);
        }
    }
    return d;
}

/* 0 when a and b hold the same catalogs; otherwise 1 with the first difference in diff. */
static int catalog_diff(const aif_catalog *a, const aif_catalog *b)
{
    char w[128];
    diff[0] = 0;
#define KIND(n_fn, get_fn, cmp, label)                                                        \
    if (n_fn(a) != n_fn(b))                                                                   \
        return note("%s: %d entries vs %d", label, n_fn(a), n_fn(b));                         \
    for (int i = 0; i < n_fn(a); i++) {                                                       \
        snprintf(w, sizeof w, "%s[%d] %s", label, i, get_fn(a, i)->name);                     \
        if (cmp(w, get_fn(a, i), get_fn(b, i)))                                               \
            return 1;                                                                         \
    }
    KIND(aif_catalog_n_calibs, aif_catalog_calib, calib_diff, "calibration")
    KIND(aif_catalog_n_gpus, aif_catalog_gpu, gpu_diff, "gpus")
    KIND(aif_catalog_n_systems, aif_catalog_system, system_diff, "systems")
    KIND(aif_catalog_n_fabrics, aif_catalog_fabric, fabric_diff, "fabrics")
    KIND(aif_catalog_n_models, aif_catalog_model, model_diff, "models")
    KIND(aif_catalog_n_frameworks, aif_catalog_framework, framework_diff, "frameworks")
    KIND(aif_catalog_n_storage, aif_catalog_storage, storage_diff, "storage")
#undef KIND
    if (aif_catalog_n_sources(a) != aif_catalog_n_sources(b))
        return note("sources: %d citations vs %d", aif_catalog_n_sources(a), aif_catalog_n_sources(b));
    for (int i = 0; i < aif_catalog_n_sources(a); i++) {
        aif_catalog_cite x = aif_catalog_source_at(a, i), y = aif_catalog_source_at(b, i);
        snprintf(w, sizeof w, "citation %d (%s %s %s)", i, x.kind, x.entry, x.field);
        if (STR(w, &x, &y, kind) | STR(w, &x, &y, entry) | STR(w, &x, &y, field) | STR(w, &x, &y, text))
            return 1;
    }
    const aif_fabric_defaults *fa = aif_catalog_fabric_defaults(a), *fb = aif_catalog_fabric_defaults(b);
    if (INT("fabric_defaults", fa, fb, switch_radix) | NUM("fabric_defaults", fa, fb, scaleup_efficiency) |
        NUM("fabric_defaults", fa, fb, scaleup_latency_s))
        return 1;
    return nccl_diff(aif_catalog_nccl(a), aif_catalog_nccl(b)) ||
           facility_diff(aif_catalog_facility(a), aif_catalog_facility(b));
}

static aif_catalog *parsed, *compiled;

static int setup(void **s)
{
    (void)s;
    aif_err e;
    if (aif_catalog_parse_builtin(&parsed, &e) != AIF_OK || aif_catalog_load_builtin(&compiled, &e) != AIF_OK) {
        fprintf(stderr, "%s:%d: %s\n", e.file, e.line, e.msg);
        return -1;
    }
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    aif_catalog_free(parsed);
    aif_catalog_free(compiled);
    return 0;
}

static void compiled_equals_parsed(void **s)
{
    (void)s;
    /* the catalogs are not empty: a generator that wrote nothing would compare equal to nothing */
    assert_true(aif_catalog_n_gpus(parsed) >= 10 && aif_catalog_n_models(parsed) >= 10);
    assert_true(aif_catalog_n_sources(parsed) >= 100);
    assert_true(aif_catalog_facility(parsed)->n_checks > 0 && aif_catalog_facility(parsed)->n_cloud > 0);
    if (catalog_diff(parsed, compiled))
        fail_msg("compiled catalog differs from data/: %s", diff);
    /* every field's citation as the writers ask for it */
    for (int i = 0; i < aif_catalog_n_sources(parsed); i++) {
        aif_catalog_cite x = aif_catalog_source_at(parsed, i);
        assert_string_equal(aif_catalog_source(parsed, x.kind, x.entry, x.field),
                            aif_catalog_source(compiled, x.kind, x.entry, x.field));
    }
}

/* The writers' JSON of every kind and of every entry with its citations, from the
 * binder's descriptors: a field a struct gains and the generator forgets shows here
 * if the comparison above misses it. */
static void same_json(void **s)
{
    (void)s;
    static const aif_catalog_kind kinds[] = {AIF_CAT_GPUS, AIF_CAT_SYSTEMS, AIF_CAT_FABRICS, AIF_CAT_MODELS,
                                             AIF_CAT_STORAGE};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        const char *kind = aif_catalog_kind_names[kinds[k]];
        const char *names[512];
        int n = aif_catalog_names(parsed, kinds[k], names, 512);
        assert_true(n > 0 && n < 512);
        for (int i = -1; i < n; i++) {
            char *ja = NULL, *jb = NULL;
            aif_err e;
            assert_int_equal(aif_report_catalog_json(parsed, kind, i < 0 ? NULL : names[i], &ja, &e), AIF_OK);
            assert_int_equal(aif_report_catalog_json(compiled, kind, i < 0 ? NULL : names[i], &jb, &e), AIF_OK);
            assert_true(strlen(ja) > 100);
            assert_string_equal(ja, jb);
            free(ja);
            free(jb);
        }
    }
}

/* The comparison can fail: one figure, one citation, one facility figure changed. */
static void a_change_is_seen(void **s)
{
    (void)s;
    aif_err e;
    aif_catalog *c;
    assert_int_equal(aif_catalog_load_builtin(&c, &e), AIF_OK);
    assert_int_equal(catalog_diff(parsed, c), 0);
    aif_gpu *g = (aif_gpu *)aif_catalog_gpu(c, aif_catalog_n_gpus(c) - 1);
    g->calib.tile_n += 1;
    assert_int_equal(catalog_diff(parsed, c), 1);
    assert_non_null(strstr(diff, "tile_n"));
    g->calib.tile_n -= 1;
    g->hbm_bw_Bps = g->hbm_bw_Bps * (1 + 1e-15);
    assert_int_equal(catalog_diff(parsed, c), 1);
    assert_non_null(strstr(diff, "hbm_bw_Bps"));
    aif_catalog_free(c);

    assert_int_equal(aif_catalog_load_builtin(&c, &e), AIF_OK);
    aif_catalog_cite x = aif_catalog_source_at(c, aif_catalog_n_sources(c) / 2);
    ((char *)x.text)[0] ^= 1;
    assert_int_equal(catalog_diff(parsed, c), 1);
    assert_non_null(strstr(diff, "citation"));
    aif_catalog_free(c);

    assert_int_equal(aif_catalog_load_builtin(&c, &e), AIF_OK);
    aif_facility_data *fd = (aif_facility_data *)aif_catalog_facility(c);
    fd->checks[fd->n_checks - 1].value_W += 1;
    assert_int_equal(catalog_diff(parsed, c), 1);
    assert_non_null(strstr(diff, "value_W"));
    aif_catalog_free(c);
}

/* Two catalogs from the image own their memory: a change to one leaves the next alone. */
static void copies_are_independent(void **s)
{
    (void)s;
    aif_err e;
    aif_catalog *a, *b;
    assert_int_equal(aif_catalog_load_builtin(&a, &e), AIF_OK);
    ((aif_model *)aif_catalog_model(a, 0))->layers = 1;
    ((char *)aif_catalog_source_at(a, 0).text)[0] = '#';
    assert_int_equal(aif_catalog_load_builtin(&b, &e), AIF_OK);
    assert_int_equal(catalog_diff(parsed, b), 0);
    aif_catalog_free(a);
    aif_catalog_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(compiled_equals_parsed),
        cmocka_unit_test(same_json),
        cmocka_unit_test(a_change_is_seen),
        cmocka_unit_test(copies_are_independent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
