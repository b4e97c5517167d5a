/* catalog.c -- the catalogs of accelerators, systems, fabrics, models, storage
 * tiers and calibration families: built-in YAML files compiled into the library, plus
 * user files in the same format.  Every figure may carry a citation under the
 * entry's `sources:` mapping; aif_catalog_source returns it.
 * The built-in files are parsed once, at build time (tools/catalog_gen.c calls
 * aif_catalog_parse_builtin and writes the result as C data); at run time
 * aif_catalog_load_builtin (builtin.c) copies that image with
 * aif_catalog_from_image, and only user files are parsed.
 * Invariants: names are unique within a kind (a later file replaces an entry of
 * the same name); every GPU's `arch` names a loaded calibration family; every
 * system's `gpu` and `fabric` name loaded entries, stored by their own names; a catalog
 * made from the image equals the parsed one field by field (tests/test_builtin.c);
 * claims[i] holds where models[i]'s published counts were written; a gpu variant
 * (`base:`) is a resolved copy whose base names a gpu by its own name, with a citation
 * for every figure its base had one for.  Lookups
 * (aif_catalog_find_*) take names as people type them: exact, then folded (case
 * and punctuation aside), then an entry's aliases, folded. */
#include "scenario/catalog.h"
#include "scenario/bind.h"
#include "scenario/facility.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct source_rec { char kind[16]; char entry[AIF_NAME_MAX]; char field[40]; char *text; } source_rec;
/* Where a model's published counts were written, for the check against the computed
 * ones (aif_catalog_check_params, a layer up): claims[i] is models[i]'s, line 0 where
 * absent (the built-in models, or a count not given). */
typedef struct claim_rec {
    char file[256];
    int line[2], col[2];   /* [0] params, [1] active_params */
} claim_rec;

struct aif_catalog {
    aif_vec gpus, systems, fabrics, models, frameworks, storage, calibs, sources, claims;
    aif_facility_data facility;
    aif_nccl nccl;
    aif_fabric_defaults fabric_defaults;
};

/* ---------------------------------------------------------------- schemas */

static const char *const skip_meta[] = {"sources", "notes", NULL};

static const field calib_fields[] = {
    FLD(aif_calib, "matmul_eff", F_NUM, matmul_eff),
    FLD(aif_calib, "matmul_eff_fp8", F_NUM, matmul_eff_fp8),
    FLD(aif_calib, "matmul_eff_fp4", F_NUM, matmul_eff_fp4),
    FLD(aif_calib, "matmul_k_half", F_NUM, matmul_k_half),
    FLD(aif_calib, "attn_fwd_eff", F_NUM, attn_fwd_eff),
    FLD(aif_calib, "attn_bwd_eff", F_NUM, attn_bwd_eff),
    FLD(aif_calib, "attn_kv_half", F_NUM, attn_kv_half),
    FLD(aif_calib, "attn_hd_half", F_NUM, attn_hd_half),
    {.key = "attn_fwd_eff_hd64", .type = F_NUM, .off = offsetof(aif_calib, attn_fwd_eff_hd64), .size = sizeof(double), .min = 0, .max = 1},
    {.key = "attn_bwd_eff_hd64", .type = F_NUM, .off = offsetof(aif_calib, attn_bwd_eff_hd64), .size = sizeof(double), .min = 0, .max = 1},
    {.key = "attn_fwd_eff_hd192", .type = F_NUM, .off = offsetof(aif_calib, attn_fwd_eff_hd192), .size = sizeof(double), .min = 0, .max = 1},
    {.key = "attn_bwd_eff_hd192", .type = F_NUM, .off = offsetof(aif_calib, attn_bwd_eff_hd192), .size = sizeof(double), .min = 0, .max = 1},
    {.key = "attn_fp8_fwd_factor", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_fwd_factor), .min = 0, .max = 4},
    {.key = "attn_fp8_bwd_factor", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_bwd_factor), .min = 0, .max = 4},
    {.key = "attn_fp8_fwd_factor_hd64", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_fwd_factor_hd64), .min = 0, .max = 4},
    {.key = "attn_fp8_bwd_factor_hd64", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_bwd_factor_hd64), .min = 0, .max = 4},
    {.key = "attn_fp8_fwd_factor_hd192", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_fwd_factor_hd192), .min = 0, .max = 4},
    {.key = "attn_fp8_bwd_factor_hd192", .type = F_NUM, .off = offsetof(aif_calib, attn_fp8_bwd_factor_hd192), .min = 0, .max = 4},
    {.key = "attn_block_n", .type = F_INT, .off = offsetof(aif_calib, attn_block_n), .size = sizeof(int), .min = 0, .max = 4096},
    FLD(aif_calib, "grouped_m_half", F_NUM, grouped_m_half),
    {.key = "grouped_factor", .type = F_NUM, .off = offsetof(aif_calib, grouped_factor), .min = 0, .max = 1.5},
    {.key = "grouped_dgrad_factor", .type = F_NUM, .off = offsetof(aif_calib, grouped_dgrad_factor), .min = 0, .max = 1.5},
    {.key = "grouped_wgrad_factor", .type = F_NUM, .off = offsetof(aif_calib, grouped_wgrad_factor), .min = 0, .max = 1.5},
    {.key = "grouped_unaligned_factor", .type = F_NUM, .off = offsetof(aif_calib, grouped_unaligned_factor), .min = 0, .max = 1},
    {.key = "mixed_input_factor", .type = F_NUM, .off = offsetof(aif_calib, mixed_input_factor), .min = 0, .max = 1},
    FLD(aif_calib, "attn_flash2_factor", F_NUM, attn_flash2_factor),
    FLD(aif_calib, "overlap_slowdown", F_NUM, overlap_slowdown),
    {.key = "speed_spread", .type = F_NUM, .off = offsetof(aif_calib, speed_spread), .min = 0, .max = 0.1},
    FLD(aif_calib, "mem_eff", F_NUM, mem_eff),
    {.key = "kernel_overhead", .type = F_QTY, .off = offsetof(aif_calib, kernel_overhead_s), .qty = AIF_Q_TIME},
    FLD(aif_calib, "n_sm", F_INT, n_sm),
    FLD(aif_calib, "tile_m", F_INT, tile_m),
    FLD(aif_calib, "tile_n", F_INT, tile_n),
    {.key = "workspace", .type = F_QTY, .off = offsetof(aif_calib, workspace_bytes), .qty = AIF_Q_BYTES},
    FLD(aif_calib, "roofline", F_BOOL, roofline),
    FLD(aif_calib, "description", F_STR, name), /* accepted, not kept: name is overwritten */
};
static const schema calib_schema = {calib_fields, sizeof calib_fields / sizeof calib_fields[0], skip_meta};

/* data/frameworks.yaml: software stacks (aif_framework) */
static const field framework_fields[] = {
    FLD(aif_framework, "description", F_STR, description),
    {.key = "attention", .type = F_ENUM, .off = offsetof(aif_framework, attention), .names = aif_attn_kernel_names},
    {.key = "matmul_factor", .type = F_NUM, .off = offsetof(aif_framework, matmul_factor), .min = 1e-3, .max = 10},
    {.key = "fp8_matmul_factor", .type = F_NUM, .off = offsetof(aif_framework, fp8_matmul_factor), .min = 1e-3, .max = 10},
    {.key = "fp8_recipe", .type = F_ENUM, .off = offsetof(aif_framework, fp8_recipe), .names = aif_fp8_recipe_names},
    {.key = "fp8_cast_factor", .type = F_NUM, .off = offsetof(aif_framework, fp8_cast_factor), .min = 1e-3, .max = 100},
    FLD(aif_framework, "fp8_tp_gather", F_BOOL, fp8_tp_gather),
    {.key = "tp_overlap_rs_splits", .type = F_INT, .off = offsetof(aif_framework, tp_overlap_rs_splits), .min = 0, .max = 64},
    {.key = "norm_traffic", .type = F_NUM, .off = offsetof(aif_framework, norm_traffic), .min = 1e-3, .max = 100},
    {.key = "rope_traffic", .type = F_NUM, .off = offsetof(aif_framework, rope_traffic), .min = 1e-3, .max = 100},
    {.key = "act_traffic", .type = F_NUM, .off = offsetof(aif_framework, act_traffic), .min = 1e-3, .max = 100},
    {.key = "elementwise_kernels", .type = F_INT, .off = offsetof(aif_framework, elementwise_kernels), .min = 1, .max = 100},
    {.key = "launch_factor", .type = F_NUM, .off = offsetof(aif_framework, launch_factor), .min = 0, .max = 100},
    FLD(aif_framework, "cuda_graphs", F_BOOL, cuda_graphs),
    {.key = "graph_tail", .type = F_NUM, .off = offsetof(aif_framework, graph_tail), .min = 0, .max = 1},
    FLD(aif_framework, "tp_overlap", F_BOOL, tp_overlap),
    FLD(aif_framework, "dp_overlap", F_BOOL, dp_overlap),
    FLD(aif_framework, "ep_overlap", F_BOOL, ep_overlap),
    {.key = "fsdp_prefetch", .type = F_INT, .off = offsetof(aif_framework, fsdp_prefetch), .min = 0, .max = 64},
    FLD(aif_framework, "fsdp_per_tensor", F_BOOL, fsdp_per_tensor),
    {.key = "fsdp_rank_ops", .type = F_INT, .off = offsetof(aif_framework, fsdp_rank_ops), .min = 0, .max = 16},
    {.key = "fsdp_live_params", .type = F_NUM, .off = offsetof(aif_framework, fsdp_live_params), .min = 0, .max = 1e15},
    {.key = "fsdp_reuse_params", .type = F_NUM, .off = offsetof(aif_framework, fsdp_reuse_params), .min = 0, .max = 1e15},
    {.key = "selective_gemm_share", .type = F_NUM, .off = offsetof(aif_framework, selective_gemm_share), .min = 0, .max = 1},
    {.key = "workspace_extra", .type = F_QTY, .off = offsetof(aif_framework, workspace_extra_bytes), .qty = AIF_Q_BYTES},
    {.key = "loss_bytes", .type = F_NUM, .off = offsetof(aif_framework, loss_bytes), .min = 0, .max = 64},
    FLD(aif_framework, "bf16_saved_inputs", F_BOOL, bf16_saved_inputs),
    FLD(aif_framework, "yarn_rope_unfused", F_BOOL, yarn_rope_unfused),
    {.key = "cp_comm", .type = F_ENUM, .off = offsetof(aif_framework, cp_comm), .names = aif_cp_comm_names},
    FLD(aif_framework, "moe_eager_extras", F_BOOL, moe_eager_extras),
    FLD(aif_framework, "offload_recompute", F_BOOL, offload_recompute),
    FLD(aif_framework, "replay_pruned", F_BOOL, replay_pruned),
    FLD(aif_framework, "tp_dtensor", F_BOOL, tp_dtensor),
    {.key = "offload_prefetch", .type = F_INT, .off = offsetof(aif_framework, offload_prefetch), .size = sizeof(int), .min = 0, .max = 1024},
    {.key = "pp_grad_accum_bytes", .type = F_NUM, .off = offsetof(aif_framework, pp_grad_accum_bytes), .min = 0, .max = 8},
    {.key = "attn_fwd_factor", .type = F_NUM, .off = offsetof(aif_framework, attn_fwd_factor), .min = 1e-2, .max = 10},
    {.key = "attn_bwd_factor", .type = F_NUM, .off = offsetof(aif_framework, attn_bwd_factor), .min = 1e-2, .max = 10},
    FLD(aif_framework, "attn_factor_families", F_NAMES, attn_factor_families),
    FLD(aif_framework, "fsdp_copy", F_BOOL, fsdp_copy),
    {.key = "fsdp_reduce_bytes", .type = F_NUM, .off = offsetof(aif_framework, fsdp_reduce_bytes), .min = 1, .max = 4},
    {.key = "loss_fwd_bytes", .type = F_NUM, .off = offsetof(aif_framework, loss_fwd_bytes), .min = 1, .max = 64},
    {.key = "loss_bwd_bytes", .type = F_NUM, .off = offsetof(aif_framework, loss_bwd_bytes), .min = 1, .max = 64},
    {.key = "grad_accum_bytes", .type = F_NUM, .off = offsetof(aif_framework, grad_accum_bytes), .min = 0, .max = 64},
    FLD(aif_framework, "pp_p2p_serial", F_BOOL, pp_p2p_serial),
    FLD(aif_framework, "aliases", F_NAMES, aliases),
    FLD(aif_framework, "base", F_STR, base),
};
static const schema framework_schema = {framework_fields, sizeof framework_fields / sizeof framework_fields[0], skip_meta};

static const field gpu_fields[] = {
    FLD(aif_gpu, "description", F_STR, description),
    FLD(aif_gpu, "vendor", F_STR, vendor),
    FLD(aif_gpu, "arch", F_STR, arch),
    {.key = "peak_tflops", .type = F_PRECMAP, .off = offsetof(aif_gpu, peak_flops)},
    {.key = "hbm", .type = F_QTY, .off = offsetof(aif_gpu, hbm_bytes), .qty = AIF_Q_BYTES, .min = 1},
    {.key = "hbm_bw", .type = F_QTY, .off = offsetof(aif_gpu, hbm_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "tdp", .type = F_QTY, .off = offsetof(aif_gpu, tdp_W), .qty = AIF_Q_POWER, .min = 1},
    FLD(aif_gpu, "scaleup", F_STR, scaleup),
    {.key = "scaleup_bw", .type = F_QTY, .off = offsetof(aif_gpu, scaleup_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "scaleup_domain", .type = F_INT, .off = offsetof(aif_gpu, scaleup_domain), .min = 1, .max = 1000000},
    {.key = "price", .type = F_QTY, .off = offsetof(aif_gpu, price_usd), .qty = AIF_Q_MONEY},
    {.key = "embodied_carbon", .type = F_QTY, .off = offsetof(aif_gpu, embodied_kg), .qty = AIF_Q_MASS},
    {.key = "status", .type = F_ENUM, .off = offsetof(aif_gpu, status), .names = aif_status_names},
    FLD(aif_gpu, "aliases", F_NAMES, aliases),
    FLD(aif_gpu, "base", F_STR, base),
    /* the GPU's own GEMM efficiency where its microbenchmark differs from its family's */
    {.key = "matmul_eff", .type = F_NUM, .off = offsetof(aif_gpu, own_matmul_eff), .min = 0.01, .max = 1},
    {.key = "matmul_eff_fp8", .type = F_NUM, .off = offsetof(aif_gpu, own_matmul_eff_fp8), .min = 0.01, .max = 1},
};
static const schema gpu_schema = {gpu_fields, sizeof gpu_fields / sizeof gpu_fields[0], skip_meta};

static const field system_fields[] = {
    FLD(aif_system, "description", F_STR, description),
    FLD(aif_system, "gpu", F_STR, gpu),
    FLD(aif_system, "fabric", F_STR, fabric),
    {.key = "gpus_per_node", .type = F_INT, .off = offsetof(aif_system, gpus_per_node), .min = 1, .max = 1024},
    {.key = "nics_per_node", .type = F_INT, .off = offsetof(aif_system, nics_per_node), .min = 1, .max = 1024},
    {.key = "scaleup_domain", .type = F_INT, .off = offsetof(aif_system, scaleup_domain), .min = 1, .max = 1000000},
    {.key = "nic_bw", .type = F_QTY, .off = offsetof(aif_system, nic_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "host_power", .type = F_QTY, .off = offsetof(aif_system, host_power_W), .qty = AIF_Q_POWER},
    /* GPU <-> host memory per GPU and direction: what an activation offload's copies cross */
    {.key = "host_link", .type = F_QTY, .off = offsetof(aif_system, host_link_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "max_power", .type = F_QTY, .off = offsetof(aif_system, max_power_W), .qty = AIF_Q_POWER},
    {.key = "price", .type = F_QTY, .off = offsetof(aif_system, price_usd), .qty = AIF_Q_MONEY},
    {.key = "status", .type = F_ENUM, .off = offsetof(aif_system, status), .names = aif_status_names},
    FLD(aif_system, "aliases", F_NAMES, aliases),
};
static const schema system_schema = {system_fields, sizeof system_fields / sizeof system_fields[0], skip_meta};

static const field fabric_fields[] = {
    FLD(aif_fabric, "description", F_STR, description),
    {.key = "kind", .type = F_ENUM, .off = offsetof(aif_fabric, kind), .names = aif_fabric_kind_names},
    {.key = "transport", .type = F_ENUM, .off = offsetof(aif_fabric, transport), .names = aif_transport_names},
    {.key = "port_bw", .type = F_QTY, .off = offsetof(aif_fabric, port_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "latency", .type = F_QTY, .off = offsetof(aif_fabric, latency_s), .qty = AIF_Q_TIME, .max = 1},
    {.key = "efficiency", .type = F_NUM, .off = offsetof(aif_fabric, efficiency), .min = 0.01, .max = 1},
    {.key = "nvls_efficiency", .type = F_NUM, .off = offsetof(aif_fabric, nvls_efficiency), .min = 0, .max = 2},
    {.key = "nvls_min_ranks", .type = F_INT, .off = offsetof(aif_fabric, nvls_min_ranks), .min = 3, .max = 65536},
    {.key = "chunk_ramp", .type = F_NUM, .off = offsetof(aif_fabric, chunk_ramp), .min = 0, .max = 100},
    {.key = "step_fill", .type = F_QTY, .off = offsetof(aif_fabric, step_fill_s), .qty = AIF_Q_TIME, .max = 0.01},
    {.key = "nvls_chunk_ramp", .type = F_NUM, .off = offsetof(aif_fabric, nvls_chunk_ramp), .min = 0, .max = 100},
    {.key = "nvls_step_fill", .type = F_QTY, .off = offsetof(aif_fabric, nvls_step_fill_s), .qty = AIF_Q_TIME,
     .max = 0.01},
    {.key = "ll_max_bw", .type = F_QTY, .off = offsetof(aif_fabric, ll_max_bw_Bps), .qty = AIF_Q_BW},
    {.key = "a2a_half", .type = F_QTY, .off = offsetof(aif_fabric, a2a_half_bytes), .qty = AIF_Q_BYTES, .max = 1e12},
    FLD(aif_fabric, "in_network_reduction", F_BOOL, in_network_reduction),
    {.key = "routing", .type = F_ENUM, .off = offsetof(aif_fabric, routing), .names = aif_fabric_routing_names},
    {.key = "cpu_core_bw", .type = F_QTY, .off = offsetof(aif_fabric, cpu_core_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "switch_radix", .type = F_INT, .off = offsetof(aif_fabric, switch_radix), .min = 4, .max = 4096},
    {.key = "switch_per_port", .type = F_QTY, .off = offsetof(aif_fabric, switch_per_port_W), .qty = AIF_Q_POWER},
    {.key = "optic_per_port", .type = F_QTY, .off = offsetof(aif_fabric, optic_per_port_W), .qty = AIF_Q_POWER},
    {.key = "optics", .type = F_ENUM, .off = offsetof(aif_fabric, optics), .names = aif_optics_names},
    {.key = "cpo_per_port", .type = F_QTY, .off = offsetof(aif_fabric, cpo_per_port_W), .qty = AIF_Q_POWER},
    {.key = "status", .type = F_ENUM, .off = offsetof(aif_fabric, status), .names = aif_status_names},
    FLD(aif_fabric, "aliases", F_NAMES, aliases),
};
static const schema fabric_schema = {fabric_fields, sizeof fabric_fields / sizeof fabric_fields[0], skip_meta};

/* data/storage.yaml: a storage building block, every figure per unit (docs/CATALOGS.md) */
static const field storage_fields[] = {
    FLD(aif_storage_tier, "description", F_STR, description),
    FLD(aif_storage_tier, "vendor", F_STR, vendor),
    {.key = "class", .type = F_ENUM, .off = offsetof(aif_storage_tier, storage_class), .names = aif_storage_class_names},
    {.key = "read_bw", .type = F_QTY, .off = offsetof(aif_storage_tier, read_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "write_bw", .type = F_QTY, .off = offsetof(aif_storage_tier, write_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "capacity", .type = F_QTY, .off = offsetof(aif_storage_tier, capacity_bytes), .qty = AIF_Q_BYTES, .min = 1},
    {.key = "latency", .type = F_QTY, .off = offsetof(aif_storage_tier, latency_s), .qty = AIF_Q_TIME, .max = 10},
    {.key = "power", .type = F_QTY, .off = offsetof(aif_storage_tier, power_W), .qty = AIF_Q_POWER, .min = 0.1},
    {.key = "price", .type = F_QTY, .off = offsetof(aif_storage_tier, price_usd), .qty = AIF_Q_MONEY},
    {.key = "status", .type = F_ENUM, .off = offsetof(aif_storage_tier, status), .names = aif_status_names},
    FLD(aif_storage_tier, "aliases", F_NAMES, aliases),
};
static const schema storage_schema = {storage_fields, sizeof storage_fields / sizeof storage_fields[0], skip_meta};

static const field fabric_defaults_fields[] = {
    {.key = "switch_radix", .type = F_INT, .off = offsetof(aif_fabric_defaults, switch_radix), .min = 4, .max = 4096},
    {.key = "scaleup_efficiency", .type = F_NUM, .off = offsetof(aif_fabric_defaults, scaleup_efficiency),
     .min = 0.01, .max = 1},
    {.key = "scaleup_latency", .type = F_QTY, .off = offsetof(aif_fabric_defaults, scaleup_latency_s),
     .qty = AIF_Q_TIME, .max = 1},
};
static const schema fabric_defaults_schema = {fabric_defaults_fields, 3, skip_meta};

typedef struct moe_t { int experts, top_k, shared_experts, expert_ffn, dense_layers, max_nodes; } moe_t;
static const field moe_fields[] = {
    {.key = "experts", .type = F_INT, .off = offsetof(moe_t, experts), .min = 1, .max = 100000},
    {.key = "top_k", .type = F_INT, .off = offsetof(moe_t, top_k), .min = 1, .max = 1000},
    {.key = "shared_experts", .type = F_INT, .off = offsetof(moe_t, shared_experts), .min = 0, .max = 1000},
    {.key = "expert_ffn", .type = F_INT, .off = offsetof(moe_t, expert_ffn), .min = 1},
    {.key = "dense_layers", .type = F_INT, .off = offsetof(moe_t, dense_layers), .min = 0},
    {.key = "max_nodes", .type = F_INT, .off = offsetof(moe_t, max_nodes), .min = 0, .max = 100000},
};
static const schema moe_schema = {moe_fields, sizeof moe_fields / sizeof moe_fields[0], NULL};
typedef struct mla_t { int q_lora_rank, kv_lora_rank, qk_nope_head_dim, qk_rope_head_dim, v_head_dim; } mla_t;
static const field mla_fields[] = {
    {.key = "q_lora_rank", .type = F_INT, .off = offsetof(mla_t, q_lora_rank), .min = 0},
    {.key = "kv_lora_rank", .type = F_INT, .off = offsetof(mla_t, kv_lora_rank), .min = 1},
    {.key = "qk_nope_head_dim", .type = F_INT, .off = offsetof(mla_t, qk_nope_head_dim), .min = 1},
    {.key = "qk_rope_head_dim", .type = F_INT, .off = offsetof(mla_t, qk_rope_head_dim), .min = 0},
    {.key = "v_head_dim", .type = F_INT, .off = offsetof(mla_t, v_head_dim), .min = 1},
};
static const schema mla_schema = {mla_fields, sizeof mla_fields / sizeof mla_fields[0], NULL};

static const field model_fields[] = {
    FLD(aif_model, "description", F_STR, description),
    {.key = "layers", .type = F_INT, .off = offsetof(aif_model, layers), .min = 1, .max = 100000},
    {.key = "hidden", .type = F_INT, .off = offsetof(aif_model, hidden), .min = 1, .max = 10000000},
    {.key = "heads", .type = F_INT, .off = offsetof(aif_model, heads), .min = 1, .max = 100000},
    {.key = "kv_heads", .type = F_INT, .off = offsetof(aif_model, kv_heads), .min = 1, .max = 100000},
    {.key = "head_dim", .type = F_INT, .off = offsetof(aif_model, head_dim), .min = 1, .max = 100000},
    {.key = "ffn", .type = F_INT, .off = offsetof(aif_model, ffn), .min = 1, .max = 100000000},
    {.key = "vocab", .type = F_INT, .off = offsetof(aif_model, vocab), .min = 1, .max = 100000000},
    {.key = "max_seq", .type = F_INT, .off = offsetof(aif_model, max_seq), .min = 1},
    {.key = "activation", .type = F_ENUM, .off = offsetof(aif_model, activation), .names = aif_act_names},
    {.key = "attention", .type = F_ENUM, .off = offsetof(aif_model, attention), .names = aif_attn_names},
    {.key = "norm", .type = F_ENUM, .off = offsetof(aif_model, norm), .names = aif_norm_names},
    {.key = "position", .type = F_ENUM, .off = offsetof(aif_model, position), .names = aif_pos_names},
    FLD(aif_model, "tied_embeddings", F_BOOL, tied_embeddings),
    {.key = "moe", .type = F_SUB, .off = offsetof(aif_model, moe), .sub = &moe_schema},
    {.key = "mla", .type = F_SUB, .off = offsetof(aif_model, mla), .sub = &mla_schema},
    {.key = "mtp_layers", .type = F_INT, .off = offsetof(aif_model, mtp_layers), .min = 0, .max = 64},
    {.key = "sliding_window", .type = F_INT, .off = offsetof(aif_model, sliding_window), .min = 0},
    {.key = "glu_clamp", .type = F_NUM, .off = offsetof(aif_model, glu_clamp), .min = 0, .max = 1e6},
    FLD(aif_model, "expert_bias", F_BOOL, expert_bias),
    FLD(aif_model, "linear_bias", F_BOOL, linear_bias),
    {.key = "rope_mscale", .type = F_NUM, .off = offsetof(aif_model, rope_mscale), .min = 0, .max = 10},
    {.key = "full_attention_every", .type = F_INT, .off = offsetof(aif_model, full_attention_every), .min = 0,
     .max = 100000},
    {.key = "params", .type = F_QTY, .off = offsetof(aif_model, params), .qty = AIF_Q_COUNT},
    {.key = "active_params", .type = F_QTY, .off = offsetof(aif_model, active_params), .qty = AIF_Q_COUNT},
    FLD(aif_model, "aliases", F_NAMES, aliases),
};
const schema aif_model_schema = {model_fields, sizeof model_fields / sizeof model_fields[0], skip_meta};

/* ------------------------------------------------------------ validation */

aif_rc aif_model_check(const bind_ctx *bc, aif_model *m, const ynode *at, const char *path)
{
    static const char *const req[] = {"layers", "hidden", "heads", "ffn", "vocab"};
    const int vals[] = {m->layers, m->hidden, m->heads, m->ffn, m->vocab};
    for (int i = 0; i < 5; i++)
        if (vals[i] <= 0)
            return bind_error(bc, at, path, "model needs '%s' (a model is a catalog name, or a mapping with layers, "
                              "hidden, heads, ffn and vocab, or {base: NAME, ...} to change a catalog model)", req[i]);
    if (m->kv_heads == 0)
        m->kv_heads = m->heads;
    if (m->head_dim == 0) {
        if (m->hidden % m->heads)
            return bind_error(bc, at, path, "hidden %d is not divisible by heads %d; give head_dim", m->hidden, m->heads);
        m->head_dim = m->hidden / m->heads;
    }
    if (m->heads % m->kv_heads)
        return bind_error(bc, at, path, "heads %d is not divisible by kv_heads %d (each KV head serves a whole group "
                          "of query heads)", m->heads, m->kv_heads);
    if (m->moe.experts > 0) {
        if (m->moe.top_k <= 0 || m->moe.top_k > m->moe.experts)
            return bind_error(bc, at, path, "moe.top_k %d must be between 1 and moe.experts %d", m->moe.top_k,
                              m->moe.experts);
        if (m->moe.expert_ffn <= 0)
            return bind_error(bc, at, path, "moe needs expert_ffn (the intermediate size of one expert)");
        if (m->moe.dense_layers > m->layers)
            return bind_error(bc, at, path, "moe.dense_layers %d exceeds layers %d", m->moe.dense_layers, m->layers);
    }
    if (m->attention == AIF_ATTN_MLA && m->mla.kv_lora_rank <= 0)
        return bind_error(bc, at, path, "attention mla needs the mla mapping (kv_lora_rank, qk_nope_head_dim, "
                          "qk_rope_head_dim, v_head_dim, q_lora_rank)");
    return AIF_OK;
}

/* -------------------------------------------------------------- loading */

static int name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= AIF_NAME_MAX)
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
            return 0;
    return 1;
}

static aif_rc add_sources(const bind_ctx *bc, aif_catalog *c, const char *kind, const char *entry, const ynode *src,
                          const char *path)
{
    aif_err *err = bc->err;
    if (src->kind != Y_MAP)
        return bind_error(bc, src, path, "sources must map field names to citations");
    for (int i = 0; i < src->n; i++) {
        const ynode *kv = src->kids[i];
        if (kv->kind != Y_SCALAR)
            return bind_error(bc, kv, path, "a citation must be text");
        source_rec *r = NULL;
        for (int j = 0; j < c->sources.n; j++) {
            source_rec *q = (source_rec *)c->sources.items + j;
            if (!strcmp(q->kind, kind) && !strcmp(q->entry, entry) && !strcmp(q->field, kv->key))
                r = q;
        }
        if (!r) {
            if (!(r = aif_vec_push(&c->sources)))
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            aif_strlcpy(r->kind, kind, sizeof r->kind);
            aif_strlcpy(r->entry, entry, sizeof r->entry);
            aif_strlcpy(r->field, kv->key, sizeof r->field);
        }
        free(r->text);
        r->text = strdup(kv->s);
        if (!r->text)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    return AIF_OK;
}

/* One kind of entry: its schema and where its name lives; indexed by aif_catalog_kind,
 * whose names (aif_catalog_kind_names) are the top-level keys of a catalog file. */
typedef struct kind_desc {
    const schema *sc;
    size_t item_size, name_off;
    size_t aliases_off;   /* the entry's aliases (space-separated), or 0: none */
} kind_desc;

static aif_vec *vec_of(aif_catalog *c, aif_catalog_kind k)
{
    switch (k) {
    case AIF_CAT_GPUS: return &c->gpus;
    case AIF_CAT_SYSTEMS: return &c->systems;
    case AIF_CAT_FABRICS: return &c->fabrics;
    case AIF_CAT_MODELS: return &c->models;
    case AIF_CAT_FRAMEWORKS: return &c->frameworks;
    case AIF_CAT_STORAGE: return &c->storage;
    case AIF_CAT_CALIBRATION: return &c->calibs;
    case AIF_N_CATALOG_KIND: break;
    }
    return NULL;
}

static const kind_desc kinds[AIF_N_CATALOG_KIND] = {
    [AIF_CAT_GPUS] = {&gpu_schema, sizeof(aif_gpu), offsetof(aif_gpu, name), offsetof(aif_gpu, aliases)},
    [AIF_CAT_SYSTEMS] = {&system_schema, sizeof(aif_system), offsetof(aif_system, name), offsetof(aif_system, aliases)},
    [AIF_CAT_FABRICS] = {&fabric_schema, sizeof(aif_fabric), offsetof(aif_fabric, name), offsetof(aif_fabric, aliases)},
    [AIF_CAT_MODELS] = {&aif_model_schema, sizeof(aif_model), offsetof(aif_model, name), offsetof(aif_model, aliases)},
    [AIF_CAT_FRAMEWORKS] = {&framework_schema, sizeof(aif_framework), offsetof(aif_framework, name),
                            offsetof(aif_framework, aliases)},
    [AIF_CAT_STORAGE] = {&storage_schema, sizeof(aif_storage_tier), offsetof(aif_storage_tier, name),
                         offsetof(aif_storage_tier, aliases)},
    [AIF_CAT_CALIBRATION] = {&calib_schema, sizeof(aif_calib), offsetof(aif_calib, name)},
};
/* The order the sections of one file are read in: calibration first (GPUs refer to it),
 * GPUs and fabrics before systems (a system names one of each, checked when it is read). */
static const aif_catalog_kind load_order[AIF_N_CATALOG_KIND] = {AIF_CAT_CALIBRATION, AIF_CAT_GPUS, AIF_CAT_FABRICS,
                                                                AIF_CAT_SYSTEMS, AIF_CAT_MODELS, AIF_CAT_FRAMEWORKS,
                                                                AIF_CAT_STORAGE};

static void *find_in(const aif_vec *v, size_t name_off, const char *name)
{
    for (int i = 0; i < v->n; i++) {
        char *item = (char *)v->items + (size_t)i * v->item_size;
        if (strcmp(item + name_off, name) == 0)
            return item;
    }
    return NULL;
}

/* 1 when name is one of the space-separated aliases, folded ("H100" finds "h100"). */
static int in_aliases(const char *aliases, const char *name)
{
    char one[AIF_NAME_MAX];
    for (const char *q = aliases; *q;) {
        size_t len = strcspn(q, " ");
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one ? len : sizeof one - 1), q);
        if (aif_name_same(one, name))
            return 1;
        q += len + (q[len] == ' ');
    }
    return 0;
}

/* A name as people type it: the exact name, else one that folds to the same text
 * (case and punctuation aside: "H100-SXM", "llama-3-70b"), else an alias, folded. */
static const void *find_named(const aif_catalog *c, aif_catalog_kind k, const char *name)
{
    const aif_vec *v = vec_of((aif_catalog *)c, k);
    const kind_desc *kd = &kinds[k];
    const void *p = find_in(v, kd->name_off, name);
    for (int i = 0; i < v->n && !p; i++) {
        const char *item = (const char *)v->items + (size_t)i * v->item_size;
        if (aif_name_same(item + kd->name_off, name))
            p = item;
    }
    for (int i = 0; i < v->n && !p && kd->aliases_off; i++) {
        const char *item = (const char *)v->items + (size_t)i * v->item_size;
        if (in_aliases(item + kd->aliases_off, name))
            p = item;
    }
    return p;
}

/* The fields an entry of kind k must have, by kind; a missing one is named (all of
 * them at once), before any check that would read its empty value. */
static aif_rc check_required(const bind_ctx *bc, aif_catalog_kind k, const ynode *e, const char *path)
{
    static const char *const req[AIF_N_CATALOG_KIND][10] = {
        [AIF_CAT_GPUS] = {"arch", "peak_tflops", "hbm", "hbm_bw", "scaleup_bw", NULL},
        [AIF_CAT_SYSTEMS] = {"gpu", "gpus_per_node", "nics_per_node", "nic_bw", "fabric", NULL},
        [AIF_CAT_FABRICS] = {"port_bw", "efficiency", NULL},
        [AIF_CAT_FRAMEWORKS] = {"attention", "matmul_factor", "fp8_matmul_factor", "fp8_cast_factor",
                                "norm_traffic", "act_traffic", "elementwise_kernels", "launch_factor", NULL},
        [AIF_CAT_STORAGE] = {"class", "read_bw", "write_bw", "capacity", "latency", "power", NULL},
        [AIF_CAT_CALIBRATION] = {"matmul_eff", "attn_fwd_eff", "attn_bwd_eff", "mem_eff", "n_sm", "tile_m", "tile_n",
                                 "workspace", NULL},
    };
    char missing[300];
    size_t n = 0;
    int count = 0;
    missing[0] = '\0';
    for (int i = 0; req[k][i]; i++)
        if (!ynode_get(e, req[k][i]) && n < sizeof missing) {
            n += (size_t)snprintf(missing + n, sizeof missing - n, "%s%s", n ? ", " : "", req[k][i]);
            count++;
        }
    if (!count)
        return AIF_OK;
    char kind[16];
    snprintf(kind, sizeof kind, "%.*s", (int)strlen(aif_catalog_kind_name(k)) - 1, aif_catalog_kind_name(k));
    return bind_error(bc, e, path, "a %s entry needs %s; missing: %s",
                      k == AIF_CAT_CALIBRATION || k == AIF_CAT_STORAGE ? aif_catalog_kind_name(k) : kind,
                      count == 1 ? "this field" : "these fields", missing);
}

/* ------------------------------------------------------------ variants */

/* A gpu entry with `base: NAME` starts as a copy of that entry (built in, or loaded
 * before it) and takes its own fields over it: the same chip with another memory, another
 * power state or another link.  Its aliases and status are its own (not inherited); a
 * `peak_tflops` it gives replaces the base's whole table (precisions it leaves out are
 * absent).  A lower `tdp` without peak_tflops derives the clock, and so every peak, from
 * the cubic clock-power law of the facility model (docs/FACILITY.md, aif_clock_factor):
 *   f = cbrt((tdp - idle) / (tdp_base - idle)),  idle = power.gpu_idle_fraction x tdp_base;
 * a higher one needs the variant's own peak_tflops (clocks above the base's rated boost
 * are not derived).  Figures it inherits inherit their citations, as "as BASE: ...". */
/* The entry a variant's `base:` names, of kind k (a gpu, a framework), found as typed; a
 * bad one is refused at its line with a did-you-mean (and, for a gpu, a system named) */
static aif_rc variant_base(const bind_ctx *bc, const aif_catalog *c, const ynode *e, const char *path,
                           aif_catalog_kind k, const char *kind, const char *of_what, const void **out)
{
    const ynode *bn = ynode_get(e, "base");
    char sub[220];
    bind_path(sub, sizeof sub, path, "base");
    if (bn->kind != Y_SCALAR || !bn->s[0])
        return bind_error(bc, bn, sub, "base takes the name of a catalog %s (%s)", kind, of_what);
    if ((*out = find_named(c, k, bn->s)))
        return AIF_OK;
    const char *names[512];
    int n = aif_catalog_names(c, k, names, 512);
    int d = aif_did_you_mean(bn->s, names, n);
    int is_system = k == AIF_CAT_GPUS && find_named(c, AIF_CAT_SYSTEMS, bn->s) != NULL;
    return bind_error(bc, bn, sub, "unknown %s '%s'%s%s%s%s (base names a catalog %s: built in, or in this or an "
                      "earlier catalog file, before this entry)", kind, bn->s,
                      is_system ? ": that is a system; a variant's base is a gpu" : "",
                      d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "", d >= 0 ? "'?" : "", kind);
}

static aif_rc variant_start(const bind_ctx *bc, const aif_catalog *c, const ynode *e, const char *path, aif_gpu *g)
{
    const void *found;
    aif_rc rc = variant_base(bc, c, e, path, AIF_CAT_GPUS, "gpu", "the entry this one is a variant of", &found);
    if (rc)
        return rc;
    const aif_gpu *b = found;
    *g = *b;
    g->aliases[0] = '\0';
    g->status = AIF_STATUS_UNSTATED;
    g->clock_factor = 1;
    aif_strlcpy(g->base, b->name, sizeof g->base);
    if (ynode_get(e, "peak_tflops"))
        memset(g->peak_flops, 0, sizeof g->peak_flops);
    return AIF_OK;
}

/* A framework entry with `base: NAME` is the same stack at another release: a copy of that
 * entry (built in, or loaded before it) with its own fields over it; its aliases are its own.
 * An entry that names itself (a user file amending a built-in stack) keeps its aliases and is
 * no variant. */
static aif_rc framework_variant_start(const bind_ctx *bc, const aif_catalog *c, const ynode *e, const char *path,
                                      aif_framework *f)
{
    const void *found;
    aif_rc rc = variant_base(bc, c, e, path, AIF_CAT_FRAMEWORKS, "framework", "the stack this one is a release of",
                             &found);
    if (rc)
        return rc;
    const aif_framework *b = found;
    *f = *b;
    if (aif_name_same(b->name, e->key)) {   /* the stack amended in place */
        f->base[0] = '\0';
        return AIF_OK;
    }
    f->aliases[0] = '\0';
    aif_strlcpy(f->base, b->name, sizeof f->base);   /* its own name, not as typed */
    return AIF_OK;
}

/* The clock, relative to base b's, at which b's chip draws tdp_W by the cubic clock-power law
 * (the facility's, aif_clock_factor); 0 at or below b's idle power. */
static double law_clock(const aif_catalog *c, const aif_gpu *b, double tdp_W)
{
    double idle = c->facility.gpu_phase_fraction[3] * b->tdp_W;
    return tdp_W > idle ? cbrt((tdp_W - idle) / (b->tdp_W - idle)) : 0;
}

static aif_rc variant_finish(const bind_ctx *bc, aif_catalog *c, const ynode *e, const char *path, aif_gpu *g)
{
    const aif_gpu *b = find_named(c, AIF_CAT_GPUS, g->base);   /* as typed: found by variant_start */
    if (!b)
        return aif_err_set(bc->err, AIF_EINTERNAL, NULL, 0, 0, path, "variant's base vanished");
    aif_strlcpy(g->base, b->name, sizeof g->base);   /* its own name, not as typed */
    const ynode *tn = ynode_get(e, "tdp");
    if (ynode_get(e, "peak_tflops") && tn && g->tdp_W < b->tdp_W && b->peak_flops[AIF_BF16] > 0 &&
        g->peak_flops[AIF_BF16] > 0) {
        /* its own (rated) peaks at a lower board power: the clock the power allows, where lower */
        double law = law_clock(c, b, g->tdp_W), rated = g->peak_flops[AIF_BF16] / b->peak_flops[AIF_BF16];
        g->sustained_clock = law > 0 && law < rated ? law / rated : 1;
        return AIF_OK;
    }
    if (ynode_get(e, "peak_tflops") || !tn || g->tdp_W == b->tdp_W)
        return AIF_OK;
    char sub[220];
    bind_path(sub, sizeof sub, path, "tdp");
    if (b->tdp_W <= 0)
        return bind_error(bc, tn, sub, "base '%s' has no tdp, so the clock at %gW cannot be derived; give this "
                          "variant's peak_tflops", b->name, g->tdp_W);
    if (g->tdp_W > b->tdp_W)
        return bind_error(bc, tn, sub, "tdp %gW is above base '%s''s %gW: a higher power state needs its own "
                          "peak_tflops (clocks above the base's rated boost are not derived)", g->tdp_W, b->name,
                          b->tdp_W);
    g->clock_factor = law_clock(c, b, g->tdp_W);
    if (g->clock_factor <= 0)
        return bind_error(bc, tn, sub, "tdp %gW is at or below base '%s''s idle power (%gW, power.gpu_idle_fraction of "
                          "its %gW): give a tdp above it", g->tdp_W, b->name,
                          c->facility.gpu_phase_fraction[3] * b->tdp_W, b->tdp_W);
    for (int p = 0; p < AIF_N_PREC; p++)
        g->peak_flops[p] = b->peak_flops[p] * g->clock_factor;
    return AIF_OK;
}

/* a variant's citations: those it gives, then the base's for every field it inherits, and
 * for a gpu's derived peaks the derivation (g: the gpu variant, or NULL for a framework's,
 * kind, name and base its own) */
static aif_rc variant_sources(aif_catalog *c, const ynode *e, const aif_gpu *g, const char *kind, const char *name,
                              const char *base, aif_err *err)
{
    const ynode *own = ynode_get(e, "sources");
    int n0 = c->sources.n;
    for (int j = 0; j < n0; j++) {
        const source_rec *q = (const source_rec *)c->sources.items + j;
        if (strcmp(q->kind, kind) || strcmp(q->entry, base))
            continue;
        int derived = g && !strcmp(q->field, "peak_tflops") && g->clock_factor != 1 && !ynode_get(e, "peak_tflops");
        if ((ynode_get(e, q->field) && !derived) || (own && ynode_get(own, q->field)) ||
            (own && ynode_get(own, "all") && !derived))
            continue;
        char text[1200];
        const aif_gpu *b = g ? find_in(&c->gpus, offsetof(aif_gpu, name), g->base) : NULL;
        if (derived)
            snprintf(text, sizeof text, "derived: %s's peak_tflops x %.4f, the clock at %gW of its %gW by the cubic "
                     "clock-power law (docs/CATALOGS.md, Variants; power.gpu_idle_fraction of data/facility.yaml); "
                     "%s's: %.900s", g->base, g->clock_factor, g->tdp_W, b ? b->tdp_W : 0, g->base, q->text);
        else
            snprintf(text, sizeof text, "as %s: %.1100s", base, q->text);
        source_rec *r = aif_vec_push(&c->sources);
        if (!r)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        memset(r, 0, sizeof *r);
        aif_strlcpy(r->kind, kind, sizeof r->kind);
        aif_strlcpy(r->entry, name, sizeof r->entry);
        aif_strlcpy(r->field, ((const source_rec *)c->sources.items + j)->field, sizeof r->field);
        if (!(r->text = strdup(text)))
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    return AIF_OK;
}

void aif_gpu_own_gemm(aif_gpu *g)
{
    if (g->own_matmul_eff > 0)
        g->calib.matmul_eff = g->own_matmul_eff;
    if (g->own_matmul_eff_fp8 > 0)
        g->calib.matmul_eff_fp8 = g->own_matmul_eff_fp8;
}

/* A GPU's calibration: its family's, with the GEMM efficiencies the GPU measures itself */
static void gpu_take_calib(aif_gpu *g, const aif_calib *cal)
{
    g->calib = *cal;
    aif_gpu_own_gemm(g);
}

static aif_rc load_entry(const bind_ctx *bc, aif_catalog *c, aif_catalog_kind k, const ynode *e)
{
    aif_err *err = bc->err;
    const kind_desc *kd = &kinds[k];
    const char *key = aif_catalog_kind_name(k);
    char path[192];
    bind_path(path, sizeof path, key, e->key);
    if (!name_ok(e->key))
        return aif_err_set(err, AIF_EINPUT, e->origin, e->key_line, e->key_col, path,
                           "a name must be 1 to %d characters of a-z, 0-9, '-', '.', '_'", AIF_NAME_MAX - 1);
    union { aif_calib cal; aif_gpu g; aif_system s; aif_fabric f; aif_model m; aif_framework fw; aif_storage_tier st; } tmp;
    memset(&tmp, 0, sizeof tmp);
    int variant = (k == AIF_CAT_GPUS || k == AIF_CAT_FRAMEWORKS) && ynode_get(e, "base") != NULL;
    aif_rc rc = !variant ? AIF_OK
                : k == AIF_CAT_GPUS ? variant_start(bc, c, e, path, &tmp.g)
                                    : framework_variant_start(bc, c, e, path, &tmp.fw);
    char fw_base[AIF_NAME_MAX] = "";
    if (!rc && variant && k == AIF_CAT_FRAMEWORKS)
        aif_strlcpy(fw_base, tmp.fw.base, sizeof fw_base);
    if (!rc)
        rc = bind_map(bc, e, kd->sc, &tmp, path, NULL);
    if (!rc && variant && k == AIF_CAT_GPUS)
        rc = variant_finish(bc, c, e, path, &tmp.g);
    if (!rc && variant && k == AIF_CAT_FRAMEWORKS)   /* the base as found, not as typed */
        aif_strlcpy(tmp.fw.base, fw_base, sizeof tmp.fw.base);
    if (rc)
        return rc;
    aif_strlcpy((char *)&tmp + kd->name_off, e->key, AIF_NAME_MAX);
    if (k == AIF_CAT_MODELS && (rc = aif_model_check(bc, &tmp.m, e, path)))
        return rc;
    /* a named arch without a family says so first (a typo, with did-you-mean); then the
     * missing fields, all of them */
    const aif_calib *cal = k == AIF_CAT_GPUS ? find_in(&c->calibs, offsetof(aif_calib, name), tmp.g.arch) : NULL;
    if ((k != AIF_CAT_GPUS || cal || !tmp.g.arch[0]) && !variant)
        if ((rc = check_required(bc, k, e, path)))
            return rc;
    if (k == AIF_CAT_SYSTEMS) {
        /* a system's gpu and fabric are entries loaded before it (built-in or earlier in
         * the file): checked here, so a bad one points at this file, not at a later --system */
        static const struct { const char *key; aif_catalog_kind kind; } refs[] = {{"gpu", AIF_CAT_GPUS},
                                                                                {"fabric", AIF_CAT_FABRICS}};
        for (int r = 0; r < 2; r++) {
            char *val = r == 0 ? tmp.s.gpu : tmp.s.fabric;
            const char *own = find_named(c, refs[r].kind, val);
            char sub[220];
            bind_path(sub, sizeof sub, path, refs[r].key);
            if (!own) {
                const char *names[512];
                int n = aif_catalog_names(c, refs[r].kind, names, 512);
                int d = aif_did_you_mean(val, names, n);
                return bind_error(bc, ynode_get(e, refs[r].key), sub, "unknown %s '%s'%s%s%s (a system names a "
                                  "catalog %s: built in, or in this or an earlier catalog file)",
                                  refs[r].key, val, d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "",
                                  d >= 0 ? "'?" : "", refs[r].key);
            }
            aif_strlcpy(val, own + kinds[refs[r].kind].name_off, AIF_NAME_MAX);   /* its own name */
        }
    }
    if (k == AIF_CAT_GPUS) {
        if (!cal) {
            const char *cands[32];
            int n = 0;
            for (int i = 0; i < c->calibs.n && n < 32; i++)
                cands[n++] = ((aif_calib *)c->calibs.items)[i].name;
            int d = aif_did_you_mean(tmp.g.arch, cands, n);
            return bind_error(bc, ynode_get(e, "arch") ? ynode_get(e, "arch") : e, path,
                              "arch '%s' has no calibration family%s%s%s (see data/calibration.yaml)", tmp.g.arch,
                              d >= 0 ? "; did you mean '" : "", d >= 0 ? cands[d] : "", d >= 0 ? "'?" : "");
        }
        if (cal->roofline && (tmp.g.own_matmul_eff > 0 || tmp.g.own_matmul_eff_fp8 > 0)) {
            const char *f = tmp.g.own_matmul_eff > 0 ? "matmul_eff" : "matmul_eff_fp8";
            const ynode *fn = ynode_get(e, f);
            char sub[220];
            bind_path(sub, sizeof sub, path, f);
            return bind_error(bc, fn ? fn : e, sub, "a GPU of arch '%s' runs every kernel at its peak (no calibration): "
                              "its own %s needs a calibration family; give the entry one (arch, data/calibration.yaml) "
                              "or leave the field out", tmp.g.arch, f);
        }
        gpu_take_calib(&tmp.g, cal);
        if (tmp.g.peak_flops[AIF_BF16] <= 0)
            return bind_error(bc, e, path, "peak_tflops needs at least bf16");
        if (tmp.g.hbm_bytes <= 0 || tmp.g.hbm_bw_Bps <= 0 || tmp.g.scaleup_bw_Bps <= 0)
            return bind_error(bc, e, path, "a GPU needs hbm, hbm_bw and scaleup_bw");
        if (tmp.g.scaleup_domain <= 0)
            tmp.g.scaleup_domain = 8;
    }
    if (k == AIF_CAT_FRAMEWORKS && tmp.fw.attn_factor_families[0]) {
        /* each family the attention factors name is a loaded calibration family (a typo would
         * leave the factors unused, silently) */
        char list[AIF_ALIASES_MAX], *save = NULL;
        aif_strlcpy(list, tmp.fw.attn_factor_families, sizeof list);
        for (char *nm = strtok_r(list, " ", &save); nm; nm = strtok_r(NULL, " ", &save))
            if (!find_in(&c->calibs, offsetof(aif_calib, name), nm)) {
                const char *cands[32];
                int n = 0;
                for (int i = 0; i < c->calibs.n && n < 32; i++)
                    cands[n++] = ((aif_calib *)c->calibs.items)[i].name;
                int d = aif_did_you_mean(nm, cands, n);
                char sub[220];
                bind_path(sub, sizeof sub, path, "attn_factor_families");
                return bind_error(bc, ynode_get(e, "attn_factor_families"), sub,
                                  "'%s' is not a calibration family%s%s%s (see data/calibration.yaml)", nm,
                                  d >= 0 ? "; did you mean '" : "", d >= 0 ? cands[d] : "", d >= 0 ? "'?" : "");
            }
    }
    if (k == AIF_CAT_SYSTEMS && (tmp.s.gpus_per_node <= 0 || tmp.s.nics_per_node <= 0 || !tmp.s.gpu[0] || tmp.s.nic_bw_Bps <= 0 ||
                   !tmp.s.fabric[0]))
        return bind_error(bc, e, path, "a system needs gpu, gpus_per_node, nics_per_node, nic_bw and fabric");
    if (k == AIF_CAT_FABRICS && (tmp.f.port_bw_Bps <= 0 || tmp.f.efficiency <= 0))
        return bind_error(bc, e, path, "a fabric needs port_bw and efficiency");
    if (k == AIF_CAT_FABRICS && tmp.f.switch_radix <= 0)
        tmp.f.switch_radix = c->fabric_defaults.switch_radix;
    if (k == AIF_CAT_FABRICS) {   /* NVLS's pipeline fill: its own pair, or the rings' (one half alone would zero it) */
        const ynode *nr = ynode_get(e, "nvls_chunk_ramp"), *nf = ynode_get(e, "nvls_step_fill");
        if (!nr != !nf)
            return bind_error(bc, nr ? nr : nf, path, "%s without %s: NVLS's pipeline fill is a pair (give both, or "
                              "neither for the rings' chunk_ramp and step_fill)", nr ? "nvls_chunk_ramp" : "nvls_step_fill",
                              nr ? "nvls_step_fill" : "nvls_chunk_ramp");
        if (!nr) {
            tmp.f.nvls_chunk_ramp = tmp.f.chunk_ramp;
            tmp.f.nvls_step_fill_s = tmp.f.step_fill_s;
        }
    }
    if (k == AIF_CAT_CALIBRATION && (tmp.cal.matmul_eff <= 0 || tmp.cal.attn_fwd_eff <= 0 || tmp.cal.attn_bwd_eff <= 0 ||
                   tmp.cal.mem_eff <= 0 || tmp.cal.n_sm <= 0 || tmp.cal.tile_m <= 0 || tmp.cal.tile_n <= 0 ||
                   tmp.cal.workspace_bytes <= 0))
        return bind_error(bc, e, path, "a calibration family needs matmul_eff, attn_fwd_eff, attn_bwd_eff, mem_eff, "
                          "n_sm, tile_m, tile_n and workspace");
    aif_vec *v = vec_of(c, k);
    void *slot = find_in(v, kd->name_off, e->key);
    if (!slot && !(slot = aif_vec_push(v)))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    memcpy(slot, &tmp, kd->item_size);
    if (k == AIF_CAT_CALIBRATION)   /* a family replaced: the GPUs loaded before it that name it take it */
        for (int i = 0; i < c->gpus.n; i++) {
            aif_gpu *g = (aif_gpu *)c->gpus.items + i;
            if (!strcmp(g->arch, tmp.cal.name))
                gpu_take_calib(g, &tmp.cal);
        }
    if (k == AIF_CAT_MODELS) {
        int i_model = (int)(((char *)slot - (char *)v->items) / kd->item_size);
        while (c->claims.n <= i_model)
            if (!aif_vec_push(&c->claims))
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        claim_rec *cr = (claim_rec *)c->claims.items + i_model;
        memset(cr, 0, sizeof *cr);
        aif_strlcpy(cr->file, e->origin ? e->origin : "", sizeof cr->file);
        for (int a = 0; a < 2; a++) {
            const ynode *pn = ynode_get(e, a ? "active_params" : "params");
            cr->line[a] = pn ? pn->line : 0;
            cr->col[a] = pn ? pn->col : 0;
        }
    }
    const ynode *src = ynode_get(e, "sources");
    if (src) {
        char sp[200];
        bind_path(sp, sizeof sp, path, "sources");
        if ((rc = add_sources(bc, c, key, e->key, src, sp)))
            return rc;
    }
    if (variant && k == AIF_CAT_GPUS && strcmp(tmp.g.base, tmp.g.name) &&
        (rc = variant_sources(c, e, &tmp.g, key, tmp.g.name, tmp.g.base, err)))
        return rc;
    if (variant && k == AIF_CAT_FRAMEWORKS && strcmp(tmp.fw.base, tmp.fw.name) &&
        (rc = variant_sources(c, e, NULL, key, tmp.fw.name, tmp.fw.base, err)))
        return rc;
    return AIF_OK;
}

static aif_rc load_text(aif_catalog *c, const char *text, size_t len, const char *name, aif_err *err)
{
    ydoc *d;
    ynode *root;
    aif_rc rc = ydoc_parse(text, len, name, &d, &root, err);
    if (rc)
        return rc;
    const bind_ctx bc = {.err = err};
    /* fabric defaults first: fabrics take their switch radix from them */
    const ynode *fd = ynode_get(root, "fabric_defaults");
    if (fd) {
        const ynode *src = ynode_get(fd, "sources");
        if (!(rc = bind_map(&bc, fd, &fabric_defaults_schema, &c->fabric_defaults, "fabric_defaults", NULL)) && src)
            rc = add_sources(&bc, c, "fabric_defaults", "fabric_defaults", src, "fabric_defaults.sources");
    }
    for (int o = 0; o < AIF_N_CATALOG_KIND && !rc; o++) {
        aif_catalog_kind k = load_order[o];
        const char *key = aif_catalog_kind_name(k);
        const ynode *sec = ynode_get(root, key);
        if (!sec)
            continue;
        if (sec->kind != Y_MAP) {
            rc = bind_error(&bc, sec, key, "expected a mapping of names to entries");
            break;
        }
        for (int i = 0; i < sec->n && !rc; i++) {
            if (sec->kids[i]->kind != Y_MAP)
                rc = bind_error(&bc, sec->kids[i], key, "entry '%s' must be a mapping of fields", sec->kids[i]->key);
            else
                rc = load_entry(&bc, c, k, sec->kids[i]);
        }
    }
    for (int i = 0; i < root->n && !rc; i++) {
        int known = 0;
        for (int k = 0; k < AIF_N_CATALOG_KIND; k++)
            known |= !strcmp(root->kids[i]->key, aif_catalog_kind_names[k]);
        known |= !strcmp(root->kids[i]->key, "fabric_defaults");
        if (!known) {
            const char *cands[AIF_N_CATALOG_KIND];
            for (int o = 0; o < AIF_N_CATALOG_KIND; o++)
                cands[o] = aif_catalog_kind_name(load_order[o]);
            int dym = aif_did_you_mean(root->kids[i]->key, cands, AIF_N_CATALOG_KIND);
            rc = aif_err_set(err, AIF_EINPUT, name, root->kids[i]->key_line, root->kids[i]->key_col,
                             root->kids[i]->key, "unknown section%s%s%s (accepted: calibration, gpus, systems, "
                             "fabrics, fabric_defaults, models, frameworks, storage)", dym >= 0 ? "; did you mean '" : "", dym >= 0 ? cands[dym] : "",
                             dym >= 0 ? "'?" : "");
        }
    }
    ydoc_free(d);
    return rc;
}

static aif_catalog *catalog_new(void)
{
    aif_catalog *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->gpus.item_size = sizeof(aif_gpu);
    c->systems.item_size = sizeof(aif_system);
    c->fabrics.item_size = sizeof(aif_fabric);
    c->models.item_size = sizeof(aif_model);
    c->storage.item_size = sizeof(aif_storage_tier);
    c->calibs.item_size = sizeof(aif_calib);
    c->frameworks.item_size = sizeof(aif_framework);
    c->sources.item_size = sizeof(source_rec);
    c->claims.item_size = sizeof(claim_rec);
    return c;
}

/* data/nccl.yaml: NCCL's cost model, one mapping `nccl` (every figure required). */
static const field proto_fields[] = {
    {.key = "ll", .type = F_NUM, .off = AIF_PROTO_LL * sizeof(double), .min = 0, .max = 1000},
    {.key = "ll128", .type = F_NUM, .off = AIF_PROTO_LL128 * sizeof(double), .min = 0, .max = 1000},
    {.key = "simple", .type = F_NUM, .off = AIF_PROTO_SIMPLE * sizeof(double), .min = 0, .max = 1000},
};
static const schema proto_schema = {proto_fields, 3, NULL};
static const field algo_fields[] = {
    {.key = "tree", .type = F_SUB, .off = 0, .sub = &proto_schema},
    {.key = "ring", .type = F_SUB, .off = AIF_N_PROTO * sizeof(double), .sub = &proto_schema},
};
static const schema algo_schema = {algo_fields, 2, NULL};
static const field nccl_fields[] = {
    {.key = "base_latency_us", .type = F_SUB, .off = offsetof(aif_nccl, base_lat_us), .sub = &algo_schema},
    {.key = "nvlink_step_latency_us", .type = F_SUB, .off = offsetof(aif_nccl, step_lat_us[0]), .sub = &algo_schema},
    {.key = "network_step_latency_us", .type = F_SUB, .off = offsetof(aif_nccl, step_lat_us[1]), .sub = &algo_schema},
    {.key = "protocol_bw", .type = F_SUB, .off = offsetof(aif_nccl, proto_bw), .sub = &proto_schema},
    {.key = "nvls_latency_us", .type = F_NUM, .off = offsetof(aif_nccl, nvls_lat_us), .min = 0, .max = 1000},
    {.key = "net_overhead_us", .type = F_SUB, .off = offsetof(aif_nccl, net_overhead_us), .sub = &proto_schema},
    {.key = "ring_pass_loss_steps", .type = F_NUM, .off = offsetof(aif_nccl, ring_pass_loss), .min = 0, .max = 100},
};
static const schema nccl_schema = {nccl_fields, sizeof nccl_fields / sizeof nccl_fields[0], skip_meta};

static aif_rc load_nccl(aif_catalog *c, const char *text, size_t len, const char *name, aif_err *err)
{
    ydoc *d;
    ynode *root;
    aif_rc rc = ydoc_parse(text, len, name, &d, &root, err);
    if (rc)
        return rc;
    const bind_ctx bc = {.err = err};
    const ynode *sec = ynode_get(root, "nccl");
    /* aif_nccl holds doubles only: every one starts at -1, so that a missing figure shows */
    aif_nccl n;
    double *v = (double *)&n;
    for (size_t i = 0; i < sizeof n / sizeof *v; i++)
        v[i] = -1;
    if (!sec || sec->kind != Y_MAP)
        rc = bind_error(&bc, root, "nccl", "expected a mapping `nccl` (data/nccl.yaml)");
    else if (!(rc = bind_map(&bc, sec, &nccl_schema, &n, "nccl", NULL))) {
        for (size_t i = 0; i < sizeof n / sizeof *v && !rc; i++)
            if (v[i] < 0)
                rc = bind_error(&bc, sec, "nccl", "every latency, protocol share and the ring's pass loss must be given (data/nccl.yaml)");
        for (int p = 0; p < AIF_N_PROTO && !rc; p++)
            if (!(n.proto_bw[p] > 0 && n.proto_bw[p] <= 1))
                rc = bind_error(&bc, sec, "nccl.protocol_bw", "a protocol's share of the bandwidth is in (0, 1]");
        const ynode *src = ynode_get(sec, "sources");
        if (!rc && src)
            rc = add_sources(&bc, c, "nccl", "nccl", src, "nccl.sources");
    }
    if (!rc)
        c->nccl = n;
    ydoc_free(d);
    return rc;
}

aif_rc aif_catalog_parse_builtin(aif_catalog **out, aif_err *err)
{
    aif_catalog *c = catalog_new();
    *out = NULL;
    if (!c)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    static const char *const order[] = {"data/calibration.yaml", "data/fabrics.yaml", "data/gpus.yaml",
                                        "data/systems.yaml", "data/models.yaml", "data/frameworks.yaml",
                                        "data/storage.yaml"};
    size_t flen;
    const char *ftext = aif_embedded_file("data/facility.yaml", &flen);
    aif_rc frc = ftext ? aif_facility_data_load(&c->facility, ftext, flen, "<built-in:data/facility.yaml>", err)
                       : aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in data/facility.yaml missing");
    if (!frc) {
        ftext = aif_embedded_file("validation/power.yaml", &flen);
        frc = ftext ? aif_facility_data_load(&c->facility, ftext, flen, "<built-in:validation/power.yaml>", err)
                    : aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in validation/power.yaml missing");
    }
    if (!frc) {
        ftext = aif_embedded_file("data/nccl.yaml", &flen);
        frc = ftext ? load_nccl(c, ftext, flen, "<built-in:data/nccl.yaml>", err)
                    : aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in data/nccl.yaml missing");
    }
    if (frc) {
        aif_catalog_free(c);
        return frc;
    }
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        size_t len;
        const char *text = aif_embedded_file(order[i], &len);
        char name[96];
        snprintf(name, sizeof name, "<built-in:%s>", order[i]);
        aif_rc rc = text ? load_text(c, text, len, name, err)
                         : aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in %s missing", order[i]);
        if (rc) {
            aif_catalog_free(c);
            return rc;
        }
    }
    const aif_fabric_defaults *fd = &c->fabric_defaults;
    if (fd->switch_radix <= 0 || fd->scaleup_efficiency <= 0 || fd->scaleup_latency_s <= 0) {
        aif_catalog_free(c);
        return aif_err_set(err, AIF_EINTERNAL, "<built-in:data/fabrics.yaml>", 0, 0, "fabric_defaults",
                           "switch_radix, scaleup_efficiency and scaleup_latency are required");
    }
    *out = c;
    return AIF_OK;
}

/* Copies n items of size bytes into an empty vector (v->item_size == size). */
static int vec_fill(aif_vec *v, const void *items, int n)
{
    if (n <= 0)
        return 0;
    if (!(v->items = malloc((size_t)n * v->item_size)))
        return -1;
    memcpy(v->items, items, (size_t)n * v->item_size);
    v->n = v->cap = n;
    return 0;
}

aif_rc aif_catalog_from_image(const aif_catalog_image *img, aif_catalog **out, aif_err *err)
{
    aif_catalog *c = catalog_new();
    *out = NULL;
    if (!c)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    int bad = vec_fill(&c->calibs, img->calibs, img->n_calibs) || vec_fill(&c->gpus, img->gpus, img->n_gpus) ||
              vec_fill(&c->systems, img->systems, img->n_systems) ||
              vec_fill(&c->fabrics, img->fabrics, img->n_fabrics) || vec_fill(&c->models, img->models, img->n_models) ||
              vec_fill(&c->frameworks, img->frameworks, img->n_frameworks) ||
              vec_fill(&c->storage, img->storage, img->n_storage);
    if (!bad && img->n_sources > 0) {
        if (!(c->sources.items = calloc((size_t)img->n_sources, sizeof(source_rec))))
            bad = 1;
        else
            c->sources.cap = img->n_sources;
    }
    for (int i = 0; i < img->n_sources && !bad; i++) {
        const aif_catalog_cite *s = &img->sources[i];
        source_rec *r = (source_rec *)c->sources.items + i;
        aif_strlcpy(r->kind, s->kind, sizeof r->kind);
        aif_strlcpy(r->entry, s->entry, sizeof r->entry);
        aif_strlcpy(r->field, s->field, sizeof r->field);
        if (!(r->text = strdup(s->text)))
            bad = 1;
        else
            c->sources.n = i + 1;
    }
    c->nccl = img->nccl;
    c->fabric_defaults = img->fabric_defaults;
    if (bad || aif_facility_data_copy(&c->facility, &img->facility) != 0) {
        aif_catalog_free(c);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    *out = c;
    return AIF_OK;
}

int aif_catalog_n_sources(const aif_catalog *c) { return c->sources.n; }
aif_catalog_cite aif_catalog_source_at(const aif_catalog *c, int i)
{
    const source_rec *r = (const source_rec *)c->sources.items + i;
    return (aif_catalog_cite){r->kind, r->entry, r->field, r->text};
}
int aif_catalog_n_calibs(const aif_catalog *c) { return c->calibs.n; }
const aif_calib *aif_catalog_calib(const aif_catalog *c, int i) { return (const aif_calib *)c->calibs.items + i; }

aif_rc aif_catalog_add_file(aif_catalog *c, const char *path, aif_err *err)
{
    char *text;
    size_t len;
    aif_rc rc = aif_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = load_text(c, text, len, path, err);
    free(text);
    return rc;
}

void aif_catalog_free(aif_catalog *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->sources.n; i++)
        free(((source_rec *)c->sources.items)[i].text);
    aif_vec_free(&c->gpus);
    aif_vec_free(&c->systems);
    aif_vec_free(&c->fabrics);
    aif_vec_free(&c->models);
    aif_vec_free(&c->storage);
    aif_vec_free(&c->calibs);
    aif_vec_free(&c->frameworks);
    aif_vec_free(&c->sources);
    aif_vec_free(&c->claims);
    aif_facility_data_free(&c->facility);
    free(c);
}

const aif_facility_data *aif_catalog_facility(const aif_catalog *c) { return &c->facility; }
const aif_nccl *aif_catalog_nccl(const aif_catalog *c) { return &c->nccl; }
const aif_fabric_defaults *aif_catalog_fabric_defaults(const aif_catalog *c) { return &c->fabric_defaults; }
int aif_catalog_n_gpus(const aif_catalog *c) { return c->gpus.n; }
int aif_catalog_n_systems(const aif_catalog *c) { return c->systems.n; }
int aif_catalog_n_fabrics(const aif_catalog *c) { return c->fabrics.n; }
int aif_catalog_n_models(const aif_catalog *c) { return c->models.n; }
const aif_gpu *aif_catalog_gpu(const aif_catalog *c, int i) { return (const aif_gpu *)c->gpus.items + i; }
const aif_system *aif_catalog_system(const aif_catalog *c, int i) { return (const aif_system *)c->systems.items + i; }
const aif_fabric *aif_catalog_fabric(const aif_catalog *c, int i) { return (const aif_fabric *)c->fabrics.items + i; }
const aif_model *aif_catalog_model(const aif_catalog *c, int i) { return (const aif_model *)c->models.items + i; }
const aif_gpu *aif_catalog_find_gpu(const aif_catalog *c, const char *n) { return find_named(c, AIF_CAT_GPUS, n); }
const aif_system *aif_catalog_find_system(const aif_catalog *c, const char *n) { return find_named(c, AIF_CAT_SYSTEMS, n); }
const aif_fabric *aif_catalog_find_fabric(const aif_catalog *c, const char *n) { return find_named(c, AIF_CAT_FABRICS, n); }
const aif_model *aif_catalog_find_model(const aif_catalog *c, const char *n) { return find_named(c, AIF_CAT_MODELS, n); }
int aif_catalog_n_frameworks(const aif_catalog *c) { return c->frameworks.n; }
const aif_framework *aif_catalog_framework(const aif_catalog *c, int i) { return (const aif_framework *)c->frameworks.items + i; }
const aif_framework *aif_catalog_find_framework(const aif_catalog *c, const char *n) { return find_named(c, AIF_CAT_FRAMEWORKS, n); }
int aif_catalog_n_storage(const aif_catalog *c) { return c->storage.n; }
const aif_storage_tier *aif_catalog_storage(const aif_catalog *c, int i)
{
    return (const aif_storage_tier *)c->storage.items + i;
}
const aif_storage_tier *aif_catalog_find_storage(const aif_catalog *c, const char *n)
{
    return find_named(c, AIF_CAT_STORAGE, n);
}

int aif_catalog_param_claim(const aif_catalog *c, int i_model, int active, const char **file, int *line, int *col)
{
    const claim_rec *cr = i_model >= 0 && i_model < c->claims.n ? (const claim_rec *)c->claims.items + i_model : NULL;
    if (!cr || !cr->line[active != 0])
        return 0;
    *file = cr->file;
    *line = cr->line[active != 0];
    *col = cr->col[active != 0];
    return 1;
}

const char *aif_catalog_entry_name(const aif_catalog *c, aif_catalog_kind kind, const char *name)
{
    if ((int)kind < 0 || kind >= AIF_N_CATALOG_KIND || kind == AIF_CAT_CALIBRATION)
        return NULL;
    const char *p = find_named(c, kind, name);
    return p ? p + kinds[kind].name_off : NULL;
}

const char *aif_catalog_source(const aif_catalog *c, const char *kind, const char *entry, const char *fld)
{
    const char *all = "";
    for (int j = 0; j < c->sources.n; j++) {
        const source_rec *q = (const source_rec *)c->sources.items + j;
        if (strcmp(q->kind, kind) || strcmp(q->entry, entry))
            continue;
        if (!strcmp(q->field, fld))
            return q->text;
        if (!strcmp(q->field, "all"))
            all = q->text;
    }
    return all;
}

int aif_catalog_names(const aif_catalog *c, aif_catalog_kind kind, const char **out, int max)
{
    const aif_vec *v = vec_of((aif_catalog *)c, kind);
    if (!v)
        return 0;
    int n = 0;
    for (int i = 0; i < v->n && n < max; i++)
        out[n++] = (const char *)v->items + (size_t)i * v->item_size + kinds[kind].name_off;
    return n;
}

int aif_catalog_view(const aif_catalog *c, const char *kind, catalog_view *v)
{
    for (int k = 0; k < AIF_N_CATALOG_KIND; k++) {
        if (strcmp(aif_catalog_kind_names[k], kind))
            continue;
        const aif_vec *vec = vec_of((aif_catalog *)c, (aif_catalog_kind)k);
        *v = (catalog_view){kinds[k].sc, vec->items, vec->n, kinds[k].item_size, kinds[k].name_off};
        return 0;
    }
    return -1;
}
