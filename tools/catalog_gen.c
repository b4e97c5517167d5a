/* catalog_gen.c -- build tool: parses the built-in catalogs (the data/ YAML files and
 * validation/power.yaml, as embedded by tools/embed.c) with the library's own
 * loader, aif_catalog_parse_builtin, so every check and every citation is the one
 * user files get, and writes the result as one C file of initialised structs: the
 * aif_catalog_image aif_builtin_catalog that aif_catalog_load_builtin copies at run
 * time instead of parsing YAML on every call.
 * Invariants: every field of every struct is written (tests/test_builtin.c compares
 * the image with a fresh parse field by field and citation by citation); doubles are
 * written with 17 significant digits, which the compiler reads back to the same bits;
 * strings are written byte for byte (non-ASCII bytes as octal escapes).
 * A field added to a catalog struct must be added here too (the test fails until it is).
 * usage: catalog_gen OUT.c */
#include "scenario/catalog.h"
#include "scenario/facility.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static FILE *out;
static int bad;   /* a figure that cannot be written as a C literal */

static void str(const char *key, const char *s)
{
    fprintf(out, " .%s = \"", key);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\' || *p == '?')   /* '?': no trigraphs under -std=c11 */
            fprintf(out, "\\%c", *p);
        else if (*p >= 0x20 && *p < 0x7f)
            fputc(*p, out);
        else
            fprintf(out, "\\%03o", *p);
    }
    fputs("\",", out);
}

static void num_val(double v)
{
    if (!isfinite(v)) {
        fprintf(stderr, "catalog_gen: a figure is not finite\n");
        bad = 1;
    }
    fprintf(out, "%.17g", v);
}
static void num(const char *key, double v)
{
    fprintf(out, " .%s = ", key);
    num_val(v);
    fputc(',', out);
}
static void nums(const char *key, const double *v, int n)
{
    fprintf(out, " .%s = {", key);
    for (int i = 0; i < n; i++) {
        num_val(v[i]);
        fputs(i + 1 < n ? ", " : "", out);
    }
    fputs("},", out);
}
static void integer(const char *key, long v) { fprintf(out, " .%s = %ld,", key, v); }

/* every field below (test_builtin.c's calib_diff asserts the same size, LP64) */
#if defined(__LP64__)
_Static_assert(sizeof(aif_calib) == 320, "aif_calib has a field calib_fields does not write");
#endif
static void calib_fields(const aif_calib *c)
{
    str("name", c->name);
    num("matmul_eff", c->matmul_eff);
    num("matmul_eff_fp8", c->matmul_eff_fp8);
    num("matmul_eff_fp4", c->matmul_eff_fp4);
    num("matmul_k_half", c->matmul_k_half);
    num("attn_fwd_eff", c->attn_fwd_eff);
    num("attn_bwd_eff", c->attn_bwd_eff);
    num("attn_kv_half", c->attn_kv_half);
    num("attn_hd_half", c->attn_hd_half);
    num("attn_fwd_eff_hd64", c->attn_fwd_eff_hd64);
    num("attn_bwd_eff_hd64", c->attn_bwd_eff_hd64);
    num("attn_fwd_eff_hd192", c->attn_fwd_eff_hd192);
    num("attn_bwd_eff_hd192", c->attn_bwd_eff_hd192);
    num("attn_fp8_fwd_factor", c->attn_fp8_fwd_factor);
    num("attn_fp8_bwd_factor", c->attn_fp8_bwd_factor);
    num("attn_fp8_fwd_factor_hd64", c->attn_fp8_fwd_factor_hd64);
    num("attn_fp8_bwd_factor_hd64", c->attn_fp8_bwd_factor_hd64);
    num("attn_fp8_fwd_factor_hd192", c->attn_fp8_fwd_factor_hd192);
    num("attn_fp8_bwd_factor_hd192", c->attn_fp8_bwd_factor_hd192);
    integer("attn_block_n", c->attn_block_n);
    num("grouped_m_half", c->grouped_m_half);
    num("grouped_factor", c->grouped_factor);
    num("grouped_dgrad_factor", c->grouped_dgrad_factor);
    num("grouped_wgrad_factor", c->grouped_wgrad_factor);
    num("grouped_unaligned_factor", c->grouped_unaligned_factor);
    num("mixed_input_factor", c->mixed_input_factor);
    num("attn_flash2_factor", c->attn_flash2_factor);
    num("overlap_slowdown", c->overlap_slowdown);
    num("speed_spread", c->speed_spread);
    num("mem_eff", c->mem_eff);
    num("kernel_overhead_s", c->kernel_overhead_s);
    integer("n_sm", c->n_sm);
    integer("tile_m", c->tile_m);
    integer("tile_n", c->tile_n);
    num("workspace_bytes", c->workspace_bytes);
    integer("roofline", c->roofline);
}

static void framework_fields(const aif_framework *f)
{
    str("name", f->name);
    str("description", f->description);
    integer("attention", f->attention);
    num("matmul_factor", f->matmul_factor);
    num("fp8_matmul_factor", f->fp8_matmul_factor);
    integer("fp8_recipe", f->fp8_recipe);
    num("fp8_cast_factor", f->fp8_cast_factor);
    integer("fp8_tp_gather", f->fp8_tp_gather);
    integer("tp_overlap_rs_splits", f->tp_overlap_rs_splits);
    num("norm_traffic", f->norm_traffic);
    num("rope_traffic", f->rope_traffic);
    num("act_traffic", f->act_traffic);
    integer("elementwise_kernels", f->elementwise_kernels);
    num("launch_factor", f->launch_factor);
    integer("cuda_graphs", f->cuda_graphs);
    num("graph_tail", f->graph_tail);
    integer("tp_overlap", f->tp_overlap);
    integer("dp_overlap", f->dp_overlap);
    integer("ep_overlap", f->ep_overlap);
    integer("fsdp_prefetch", f->fsdp_prefetch);
    integer("fsdp_per_tensor", f->fsdp_per_tensor);
    integer("fsdp_rank_ops", f->fsdp_rank_ops);
    num("fsdp_live_params", f->fsdp_live_params);
    num("fsdp_reuse_params", f->fsdp_reuse_params);
    num("workspace_extra_bytes", f->workspace_extra_bytes);
    num("selective_gemm_share", f->selective_gemm_share);
    num("loss_bytes", f->loss_bytes);
    num("pp_grad_accum_bytes", f->pp_grad_accum_bytes);
    integer("bf16_saved_inputs", f->bf16_saved_inputs);
    num("attn_fwd_factor", f->attn_fwd_factor);
    num("attn_bwd_factor", f->attn_bwd_factor);
    str("attn_factor_families", f->attn_factor_families);
    integer("fsdp_copy", f->fsdp_copy);
    num("fsdp_reduce_bytes", f->fsdp_reduce_bytes);
    num("loss_fwd_bytes", f->loss_fwd_bytes);
    num("loss_bwd_bytes", f->loss_bwd_bytes);
    num("grad_accum_bytes", f->grad_accum_bytes);
    integer("pp_p2p_serial", f->pp_p2p_serial);
    integer("yarn_rope_unfused", f->yarn_rope_unfused);
    integer("cp_comm", f->cp_comm);
    integer("moe_eager_extras", f->moe_eager_extras);
    integer("offload_recompute", f->offload_recompute);
    integer("replay_pruned", f->replay_pruned);
    integer("tp_dtensor", f->tp_dtensor);
    integer("offload_prefetch", f->offload_prefetch);
    str("aliases", f->aliases);
    str("base", f->base);
}

static void gpu_fields(const aif_gpu *g)
{
    str("name", g->name);
    str("aliases", g->aliases);
    str("description", g->description);
    str("vendor", g->vendor);
    str("arch", g->arch);
    str("scaleup", g->scaleup);
    fputs("\n    ", out);
    nums("peak_flops", g->peak_flops, AIF_N_PREC);
    num("hbm_bytes", g->hbm_bytes);
    num("hbm_bw_Bps", g->hbm_bw_Bps);
    num("tdp_W", g->tdp_W);
    num("scaleup_bw_Bps", g->scaleup_bw_Bps);
    num("price_usd", g->price_usd);
    num("embodied_kg", g->embodied_kg);
    integer("scaleup_domain", g->scaleup_domain);
    integer("status", g->status);
    str("base", g->base);
    num("clock_factor", g->clock_factor);
    num("sustained_clock", g->sustained_clock);
    num("own_matmul_eff", g->own_matmul_eff);
    num("own_matmul_eff_fp8", g->own_matmul_eff_fp8);
    fputs("\n    .calib = {", out);
    calib_fields(&g->calib);
    fputs("},", out);
}

static void system_fields(const aif_system *s)
{
    str("name", s->name);
    str("aliases", s->aliases);
    str("description", s->description);
    str("gpu", s->gpu);
    str("fabric", s->fabric);
    integer("gpus_per_node", s->gpus_per_node);
    integer("nics_per_node", s->nics_per_node);
    integer("scaleup_domain", s->scaleup_domain);
    num("nic_bw_Bps", s->nic_bw_Bps);
    num("host_power_W", s->host_power_W);
    num("host_link_Bps", s->host_link_Bps);
    num("max_power_W", s->max_power_W);
    num("price_usd", s->price_usd);
    integer("status", s->status);
}

static void fabric_fields(const aif_fabric *f)
{
    str("name", f->name);
    str("aliases", f->aliases);
    str("description", f->description);
    integer("kind", f->kind);
    integer("transport", f->transport);
    num("port_bw_Bps", f->port_bw_Bps);
    num("latency_s", f->latency_s);
    num("efficiency", f->efficiency);
    num("nvls_efficiency", f->nvls_efficiency);
    integer("nvls_min_ranks", f->nvls_min_ranks);
    num("chunk_ramp", f->chunk_ramp);
    num("step_fill_s", f->step_fill_s);
    num("nvls_chunk_ramp", f->nvls_chunk_ramp);
    num("nvls_step_fill_s", f->nvls_step_fill_s);
    num("ll_max_bw_Bps", f->ll_max_bw_Bps);
    num("a2a_half_bytes", f->a2a_half_bytes);
    integer("in_network_reduction", f->in_network_reduction);
    integer("routing", f->routing);
    num("cpu_core_bw_Bps", f->cpu_core_bw_Bps);
    integer("switch_radix", f->switch_radix);
    num("switch_per_port_W", f->switch_per_port_W);
    num("optic_per_port_W", f->optic_per_port_W);
    integer("optics", f->optics);
    num("cpo_per_port_W", f->cpo_per_port_W);
    integer("status", f->status);
}

static void storage_fields(const aif_storage_tier *t)
{
    str("name", t->name);
    str("aliases", t->aliases);
    str("description", t->description);
    str("vendor", t->vendor);
    integer("storage_class", t->storage_class);
    fputs("\n    ", out);
    num("read_bw_Bps", t->read_bw_Bps);
    num("write_bw_Bps", t->write_bw_Bps);
    num("capacity_bytes", t->capacity_bytes);
    num("latency_s", t->latency_s);
    num("power_W", t->power_W);
    num("price_usd", t->price_usd);
    integer("status", t->status);
}

static void model_fields(const aif_model *m)
{
    str("name", m->name);
    str("aliases", m->aliases);
    str("description", m->description);
    integer("layers", m->layers);
    integer("hidden", m->hidden);
    integer("heads", m->heads);
    integer("kv_heads", m->kv_heads);
    integer("head_dim", m->head_dim);
    integer("ffn", m->ffn);
    integer("vocab", m->vocab);
    integer("max_seq", m->max_seq);
    integer("mtp_layers", m->mtp_layers);
    integer("sliding_window", m->sliding_window);
    num("rope_mscale", m->rope_mscale);
    num("glu_clamp", m->glu_clamp);
    integer("expert_bias", m->expert_bias);
    integer("linear_bias", m->linear_bias);
    integer("full_attention_every", m->full_attention_every);
    integer("activation", m->activation);
    integer("attention", m->attention);
    integer("norm", m->norm);
    integer("position", m->position);
    integer("tied_embeddings", m->tied_embeddings);
    fputs("\n    .moe = {", out);
    integer("experts", m->moe.experts);
    integer("top_k", m->moe.top_k);
    integer("shared_experts", m->moe.shared_experts);
    integer("expert_ffn", m->moe.expert_ffn);
    integer("dense_layers", m->moe.dense_layers);
    integer("max_nodes", m->moe.max_nodes);
    fputs("}, .mla = {", out);
    integer("q_lora_rank", m->mla.q_lora_rank);
    integer("kv_lora_rank", m->mla.kv_lora_rank);
    integer("qk_nope_head_dim", m->mla.qk_nope_head_dim);
    integer("qk_rope_head_dim", m->mla.qk_rope_head_dim);
    integer("v_head_dim", m->mla.v_head_dim);
    fputs("},", out);
    num("params", m->params);
    num("active_params", m->active_params);
}

static void named_values(const char *name, const aif_named_value *v, int n)
{
    fprintf(out, "static aif_named_value %s[] = {\n", name);
    for (int i = 0; i < n; i++) {
        fputs("    {", out);
        str("name", v[i].name);
        num("value", v[i].value);
        fputs("},\n", out);
    }
    fputs(n ? "};\n" : "    {.value = 0}};\n", out);
}

static void facility(const aif_facility_data *fd)
{
    named_values("carbon", fd->carbon, fd->n_carbon);
    named_values("embodied", fd->embodied, fd->n_embodied);
    named_values("api", fd->api, fd->n_api);
    fputs("static aif_cloud_price cloud[] = {\n", out);
    for (int i = 0; i < fd->n_cloud; i++) {
        fputs("    {", out);
        str("gpu", fd->cloud[i].gpu);
        nums("usd_per_gpu_hour", fd->cloud[i].usd_per_gpu_hour, AIF_N_CLOUD);
        fputs("},\n", out);
    }
    fputs(fd->n_cloud ? "};\n" : "    {.gpu = \"\"}};\n", out);
    fputs("static aif_power_check checks[] = {\n", out);
    for (int i = 0; i < fd->n_checks; i++) {
        const aif_power_check *c = &fd->checks[i];
        fputs("    {", out);
        str("id", c->id);
        str("what", c->what);
        fputs("\n    ", out);
        str("source", c->source);
        fputs("\n    ", out);
        str("system", c->system);
        str("job", c->job);
        integer("kind", c->kind);
        num("value_W", c->value_W);
        fputs("},\n", out);
    }
    fputs(fd->n_checks ? "};\n\n" : "    {.kind = 0}};\n\n", out);
}

static void facility_fields(const aif_facility_data *fd)
{
    fputs("    .facility = {\n        .cooling = {\n", out);
    for (int c = 0; c < AIF_N_COOL; c++) {
        fputs("            {", out);
        num("rack_limit_W", fd->cooling[c].rack_limit_W);
        nums("pue", fd->cooling[c].pue, AIF_N_CLIMATE);
        num("fan_fraction", fd->cooling[c].fan_fraction);
        num("capex_per_W_usd", fd->cooling[c].capex_per_W_usd);
        fputs("},\n", out);
    }
    fputs("        },\n       ", out);
    num("wue_evaporative_L_per_J", fd->wue_evaporative_L_per_J);
    num("wue_dry_L_per_J", fd->wue_dry_L_per_J);
    fputs("\n       ", out);
    nums("gpu_phase_fraction", fd->gpu_phase_fraction, 4);
    num("switch_per_port_W", fd->switch_per_port_W);
    num("optic_per_port_W", fd->optic_per_port_W);
    num("storage_per_gpu_W", fd->storage_per_gpu_W);
    num("cpo_per_port_W", fd->cpo_per_port_W);
    fputs("\n       ", out);
    num("electricity_usd_per_J", fd->electricity_usd_per_J);
    num("depreciation_s", fd->depreciation_s);
    num("facility_depreciation_s", fd->facility_depreciation_s);
    num("operations_frac", fd->operations_frac);
    fputs("\n       ", out);
    num("network_per_gpu_usd", fd->network_per_gpu_usd);
    num("storage_per_gpu_usd", fd->storage_per_gpu_usd);
    fprintf(out, "\n        .carbon = carbon, .n_carbon = %d, .embodied = embodied, .n_embodied = %d,"
                 "\n        .cloud = cloud, .n_cloud = %d, .api = api, .n_api = %d, .checks = checks, .n_checks = %d,\n       ",
            fd->n_carbon, fd->n_embodied, fd->n_cloud, fd->n_api, fd->n_checks);
    num("host_tdp_frac", fd->host_tdp_frac);
    integer("nodes_per_rack", fd->nodes_per_rack);
    fputs("\n        .supply = {\n", out);
    for (int k = 0; k < AIF_N_SUPPLY_KIND; k++) {
        fputs("            {", out);
        num("usd_per_J", fd->supply[k].usd_per_J);
        num("carbon_kg_per_J", fd->supply[k].carbon_kg_per_J);
        nums("cf", fd->supply[k].cf, 24);
        fputs("},\n", out);
    }
    fputs("        },\n       ", out);
    num("battery_efficiency", fd->battery_efficiency);
    num("battery_ride_through_s", fd->battery_ride_through_s);
    num("rack_storage_per_gpu_J", fd->rack_storage_per_gpu_J);
    fputs("\n    },\n", out);
}

/* One static array of entries; an empty kind still gets one (unused) element. */
#define ENTRIES(type, name, n, get, fields)                        \
    do {                                                           \
        fprintf(out, "static const %s %s[] = {\n", #type, name);   \
        for (int i_ = 0; i_ < (n); i_++) {                         \
            fputs("  {", out);                                     \
            fields(get(c, i_));                                    \
            fputs("},\n", out);                                    \
        }                                                          \
        fputs((n) ? "};\n\n" : "  {.name = \"\"}};\n\n", out);     \
    } while (0)

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: catalog_gen OUT.c\n");
        return 2;
    }
    aif_err e;
    aif_catalog *c;
    if (aif_catalog_parse_builtin(&c, &e) != AIF_OK) {
        fprintf(stderr, "%s:%d:%d: %s: %s\n", e.file, e.line, e.col, e.path, e.msg);
        return 1;
    }
    if (!(out = fopen(argv[1], "w"))) {
        perror(argv[1]);
        aif_catalog_free(c);
        return 1;
    }
    fputs("/* generated by tools/catalog_gen.c from the data/ YAML files and validation/power.yaml: do not edit */\n"
          "#include \"scenario/catalog.h\"\n\n", out);
    ENTRIES(aif_calib, "calibs", aif_catalog_n_calibs(c), aif_catalog_calib, calib_fields);
    ENTRIES(aif_gpu, "gpus", aif_catalog_n_gpus(c), aif_catalog_gpu, gpu_fields);
    ENTRIES(aif_system, "systems", aif_catalog_n_systems(c), aif_catalog_system, system_fields);
    ENTRIES(aif_fabric, "fabrics", aif_catalog_n_fabrics(c), aif_catalog_fabric, fabric_fields);
    ENTRIES(aif_model, "models", aif_catalog_n_models(c), aif_catalog_model, model_fields);
    ENTRIES(aif_framework, "frameworks", aif_catalog_n_frameworks(c), aif_catalog_framework, framework_fields);
    ENTRIES(aif_storage_tier, "storage", aif_catalog_n_storage(c), aif_catalog_storage, storage_fields);

    int n_src = aif_catalog_n_sources(c);
    fputs("static const aif_catalog_cite sources[] = {\n", out);
    for (int i = 0; i < n_src; i++) {
        aif_catalog_cite s = aif_catalog_source_at(c, i);
        fputs("  {", out);
        str("kind", s.kind);
        str("entry", s.entry);
        str("field", s.field);
        fputs("\n   ", out);
        str("text", s.text);
        fputs("},\n", out);
    }
    fputs(n_src ? "};\n\n" : "  {.text = \"\"}};\n\n", out);

    const aif_facility_data *fd = aif_catalog_facility(c);
    facility(fd);

    const aif_nccl *n = aif_catalog_nccl(c);
    const aif_fabric_defaults *d = aif_catalog_fabric_defaults(c);
    fprintf(out, "const aif_catalog_image aif_builtin_catalog = {\n"
                 "    .calibs = calibs, .n_calibs = %d, .gpus = gpus, .n_gpus = %d, .systems = systems, .n_systems = %d,\n"
                 "    .fabrics = fabrics, .n_fabrics = %d, .models = models, .n_models = %d,\n"
                 "    .frameworks = frameworks, .n_frameworks = %d,\n"
                 "    .storage = storage, .n_storage = %d,\n"
                 "    .sources = sources, .n_sources = %d,\n    .nccl = {",
            aif_catalog_n_calibs(c), aif_catalog_n_gpus(c), aif_catalog_n_systems(c), aif_catalog_n_fabrics(c),
            aif_catalog_n_models(c), aif_catalog_n_frameworks(c), aif_catalog_n_storage(c), n_src);
    fputs(" .base_lat_us = {", out);
    for (int a = 0; a < 2; a++) {
        fputs("{", out);
        for (int p = 0; p < AIF_N_PROTO; p++) {
            num_val(n->base_lat_us[a][p]);
            fputs(p + 1 < AIF_N_PROTO ? ", " : "}", out);
        }
        fputs(a ? "}," : ", ", out);
    }
    fputs("\n      .step_lat_us = {", out);
    for (int l = 0; l < 2; l++) {
        fputs("{", out);
        for (int a = 0; a < 2; a++) {
            fputs("{", out);
            for (int p = 0; p < AIF_N_PROTO; p++) {
                num_val(n->step_lat_us[l][a][p]);
                fputs(p + 1 < AIF_N_PROTO ? ", " : "}", out);
            }
            fputs(a ? "}" : ", ", out);
        }
        fputs(l ? "}," : ", ", out);
    }
    fputs("\n     ", out);
    nums("proto_bw", n->proto_bw, AIF_N_PROTO);
    num("nvls_lat_us", n->nvls_lat_us);
    nums("net_overhead_us", n->net_overhead_us, AIF_N_PROTO);
    num("ring_pass_loss", n->ring_pass_loss);
    fputs("},\n    .fabric_defaults = {", out);
    integer("switch_radix", d->switch_radix);
    num("scaleup_efficiency", d->scaleup_efficiency);
    num("scaleup_latency_s", d->scaleup_latency_s);
    fputs("},\n", out);
    facility_fields(fd);
    fputs("};\n", out);
    aif_catalog_free(c);
    if (fclose(out) != 0 || bad) {
        fprintf(stderr, "catalog_gen: could not write %s\n", argv[1]);
        remove(argv[1]);
        return 1;
    }
    return 0;
}
