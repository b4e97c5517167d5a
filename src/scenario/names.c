/* names.c -- the name tables of include/aifsim/names.h, one per enum, and the
 * lookups over them.  Every table is indexed by the enum's value and ends with
 * NULL; tests/test_names.c checks that each name parses back to its value. */
#include "aifsim/names.h"

#include <math.h>
#include <strings.h>

int aif_name_index(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcasecmp(names[i], name) == 0)
            return i;
    return -1;
}

int aif_name_count(const char *const *names)
{
    int n = 0;
    while (names[n])
        n++;
    return n;
}

const char *const aif_prec_names[] = {"fp32", "tf32", "bf16", "fp8", "fp4", NULL};
const char *const aif_fp4_format_names[] = {"nvfp4", "mxfp4", NULL};
const char *const aif_ep_dispatch_names[] = {"auto", "alltoall", "deepep", "deepep-fp8", "hybridep", NULL};
const char *const aif_cp_comm_names[] = {"auto", "p2p", "a2a", "allgather", NULL};
const char *const aif_rank_order_names[] = {"tp-cp-dp-pp", "tp-cp-pp-dp", "tp-pp-cp-dp", "tp-dp-cp-pp",
                                            "tp-dp-pp-cp", "tp-pp-dp-cp", NULL};
const char *const aif_grad_dtype_names[] = {"auto", "fp32", "bf16", NULL};
const char *const aif_recompute_names[] = {"none", "selective", "full", NULL};
const char *const aif_recompute_module_names[] = {"core_attn", "mla_up_proj", "layernorm", "mlp", "moe", "moe_act",
                                                  "shared_experts", NULL};
const char *const aif_recompute_saved_names[] = {"qkv_proj", "context", "out_proj", "mlpwo", "mlpwi", NULL};
const char *const aif_offload_names[] = {"none", "activations", NULL};
const char *const aif_optim_names[] = {"none", "distributed", "zero1", "zero2", "zero3", "fsdp", NULL};
const char *const aif_lora_target_names[] = {"attention", "all", "qkv", NULL};
const char *const aif_attn_kernel_names[] = {"flash3", "flash2", "unfused", NULL};
const char *const aif_attn_dtype_names[] = {"bf16", "fp8", NULL};
const char *const aif_fp8_recipe_names[] = {"delayed", "current", "blockwise", NULL};
const char *const aif_fabric_kind_names[] = {"infiniband", "roce", "ethernet", "nvlink", "xgmi", "ici",
                                             "neuronlink", NULL};
const char *const aif_transport_names[] = {"rdma", "tcp", NULL};
const char *const aif_status_names[] = {"unstated", "measured", "specification", "announced", NULL};
const char *const aif_topo_kind_names[] = {"auto", "fat-tree", "rail-optimized", "rail-only", NULL};
const char *const aif_routing_names[] = {"ecmp", "adaptive", "auto", NULL};
const char *const aif_fabric_routing_names[] = {"ecmp", "adaptive", NULL};
const char *const aif_cooling_names[] = {"air", "rdhx", "liquid", "immersion", NULL};
const char *const aif_climate_names[] = {"cold", "temperate", "hot", NULL};
const char *const aif_supply_kind_names[] = {"grid", "ppa_solar", "ppa_wind", "nuclear", "gas_turbine", NULL};
const char *const aif_cloud_class_names[] = {"hyperscaler_on_demand", "hyperscaler_reserved", "neocloud_on_demand",
                                             "neocloud_reserved", NULL};
const char *const aif_act_names[] = {"gelu", "relu", "swiglu", "geglu", "squared-relu", NULL};
const char *const aif_attn_names[] = {"mha", "gqa", "mqa", "mla", NULL};
const char *const aif_norm_names[] = {"layernorm", "rmsnorm", NULL};
const char *const aif_pos_names[] = {"rope", "learned", "alibi", NULL};
const char *const aif_coll_names[] = {"allreduce", "allgather", "reducescatter", "alltoall", "sendrecv",
                                      "broadcast", "dispatch", NULL};
const char *const aif_coll_algo_names[] = {"auto", "ring", "tree", "nvls", "collnet", "pat", NULL};
const char *const aif_tier_names[] = {"scale-up", "host", "nic-leaf", "leaf-spine", "spine-core", NULL};
const char *const aif_catalog_kind_names[] = {"gpus", "systems", "fabrics", "models", "frameworks", "storage", "calibration", NULL};
const char *const aif_optics_names[] = {"pluggable", "cpo", NULL};
const char *const aif_net_optics_names[] = {"fabric", "pluggable", "cpo", NULL};
const char *const aif_storage_class_names[] = {"pfs", "object", "nvme-of", "local", NULL};
const char *const aif_engine_names[] = {"estimate", "sim", NULL};
const char *const aif_group_names[] = {"tp", "cp", "ep", "dp", "edp", "pp", "etp", "dpr", NULL};
const char *const aif_rack_verdict_names[] = {"fits_air", "needs_liquid", "exceeds_liquid", NULL};
const char *const aif_power_check_kind_names[] = {"node_max", "rack_max", "swing", "node_train", "gpu_train", NULL};

static const char *const cooling_labels[] = {"air", "rear-door heat exchanger", "direct-to-chip liquid", "immersion",
                                             NULL};
static const char *const cloud_class_labels[] = {"hyperscaler on-demand", "hyperscaler reserved",
                                                 "neocloud on-demand", "neocloud reserved", NULL};

/* names[v], or "?" when v is outside the table */
static const char *pick(const char *const *names, int n, int v)
{
    return v >= 0 && v < n ? names[v] : "?";
}

#define COUNT(t) ((int)(sizeof t / sizeof t[0]) - 1)
const char *aif_prec_name(aif_prec v) { return pick(aif_prec_names, COUNT(aif_prec_names), (int)v); }
const char *aif_fp4_format_name(aif_fp4_format v)
{
    return pick(aif_fp4_format_names, COUNT(aif_fp4_format_names), (int)v);
}
const char *aif_recompute_name(aif_recompute v) { return pick(aif_recompute_names, COUNT(aif_recompute_names), (int)v); }
const char *aif_optim_name(aif_optim v) { return pick(aif_optim_names, COUNT(aif_optim_names), (int)v); }
bool aif_optim_has_grad_buffer(int v) { return v == AIF_OPT_NONE || v == AIF_OPT_DISTRIBUTED; }
bool aif_optim_has_buckets(int v) { return v == AIF_OPT_NONE || v == AIF_OPT_DISTRIBUTED || v == AIF_OPT_ZERO1; }
/* A model with sliding-window layers shorter than the job's sequence. */
static int has_window(const aif_scenario *s)
{
    return s->model.sliding_window > 0 && s->model.sliding_window < s->train.seq;
}

int aif_cp_comm_resolved(const aif_scenario *s)
{
    int v = s->train.cp_comm != AIF_CP_AUTO ? s->train.cp_comm : s->framework.cp_comm;
    if (v > AIF_CP_AUTO && v < AIF_N_CP_COMM)
        return v;
    /* the ring refuses sliding windows (Transformer Engine's context_parallel.py: "Sliding
     * window attention only can work with cp_comm_type = 'a2a'..."): Megatron-Bridge's
     * gpt-oss recipes run a2a */
    return has_window(s) ? AIF_CP_A2A : AIF_CP_P2P;
}

void aif_rank_heads(const aif_scenario *s, int *q, int *kv)
{
    const aif_model *m = &s->model;
    int tp = s->train.par.tp < 1 ? 1 : s->train.par.tp;
    int k = m->attention == AIF_ATTN_MLA ? m->heads / tp : m->kv_heads / tp;
    *q = m->heads / tp;
    *kv = k < 1 ? 1 : k;   /* fewer KV heads than ranks: each holds one, replicated */
}

int aif_cp_comm_conflict(const aif_scenario *s)
{
    const aif_parallel *p = &s->train.par;
    if (p->cp <= 1 || p->tp < 1)
        return 0;
    int v = aif_cp_comm_resolved(s);
    if (v == AIF_CP_P2P && has_window(s))
        return 1;
    int q, kv;
    aif_rank_heads(s, &q, &kv);
    if (v == AIF_CP_A2A && (q % p->cp || kv % p->cp))
        return 2;
    return 0;
}

double aif_dp_bucket_params(const aif_train *t)
{
    return t->dp_bucket > 0 ? t->dp_bucket : fmax(40e6, 1e6 * t->par.dp);
}
const char *aif_attn_kernel_name(aif_attn_kernel v) { return pick(aif_attn_kernel_names, COUNT(aif_attn_kernel_names), (int)v); }
const char *aif_fp8_recipe_name(aif_fp8_recipe v) { return pick(aif_fp8_recipe_names, COUNT(aif_fp8_recipe_names), (int)v); }
const char *aif_fabric_kind_name(aif_fabric_kind v) { return pick(aif_fabric_kind_names, COUNT(aif_fabric_kind_names), (int)v); }
const char *aif_transport_name(aif_transport v) { return pick(aif_transport_names, COUNT(aif_transport_names), (int)v); }
const char *aif_status_name(aif_status v) { return pick(aif_status_names, COUNT(aif_status_names), (int)v); }
const char *aif_topo_kind_name(aif_topo_kind v) { return pick(aif_topo_kind_names, COUNT(aif_topo_kind_names), (int)v); }
const char *aif_routing_name(aif_routing v) { return pick(aif_routing_names, COUNT(aif_routing_names), (int)v); }
const char *aif_cooling_name(aif_cooling v) { return pick(aif_cooling_names, COUNT(aif_cooling_names), (int)v); }
const char *aif_climate_name(aif_climate v) { return pick(aif_climate_names, COUNT(aif_climate_names), (int)v); }
const char *aif_supply_kind_name(aif_supply_kind v)
{
    return pick(aif_supply_kind_names, COUNT(aif_supply_kind_names), (int)v);
}
const char *aif_cloud_class_name(aif_cloud_class v) { return pick(aif_cloud_class_names, COUNT(aif_cloud_class_names), (int)v); }
const char *aif_act_name(aif_act v) { return pick(aif_act_names, COUNT(aif_act_names), (int)v); }
const char *aif_attn_name(aif_attn v) { return pick(aif_attn_names, COUNT(aif_attn_names), (int)v); }
const char *aif_norm_name(aif_norm v) { return pick(aif_norm_names, COUNT(aif_norm_names), (int)v); }
const char *aif_pos_name(aif_pos v) { return pick(aif_pos_names, COUNT(aif_pos_names), (int)v); }
const char *aif_coll_name(int v) { return pick(aif_coll_names, COUNT(aif_coll_names), v); }
const char *aif_coll_algo_name(int v) { return pick(aif_coll_algo_names, COUNT(aif_coll_algo_names), v); }
const char *aif_tier_name(int v) { return pick(aif_tier_names, COUNT(aif_tier_names), v); }
const char *aif_engine_name(int v) { return pick(aif_engine_names, COUNT(aif_engine_names), v); }
const char *aif_group_name(int v) { return pick(aif_group_names, COUNT(aif_group_names), v); }
const char *aif_rack_verdict_name(int v) { return pick(aif_rack_verdict_names, COUNT(aif_rack_verdict_names), v); }
const char *aif_power_check_kind_name(int v)
{
    return pick(aif_power_check_kind_names, COUNT(aif_power_check_kind_names), v);
}
const char *aif_catalog_kind_name(aif_catalog_kind v) { return pick(aif_catalog_kind_names, COUNT(aif_catalog_kind_names), (int)v); }
const char *aif_cooling_label(aif_cooling v) { return pick(cooling_labels, COUNT(cooling_labels), (int)v); }
const char *aif_cloud_class_label(aif_cloud_class v) { return pick(cloud_class_labels, COUNT(cloud_class_labels), (int)v); }

/* every table as long as its enum (those of higher layers: tests/test_names.c) */
_Static_assert(COUNT(aif_prec_names) == AIF_N_PREC, "aif_prec_names");
_Static_assert(COUNT(aif_fp4_format_names) == AIF_N_FP4_FORMAT, "aif_fp4_format_names");
_Static_assert(COUNT(aif_ep_dispatch_names) == AIF_N_EP_DISPATCH, "aif_ep_dispatch_names");
_Static_assert(COUNT(aif_cp_comm_names) == AIF_N_CP_COMM, "aif_cp_comm_names");
_Static_assert(COUNT(aif_rank_order_names) == AIF_N_RANK_ORDER, "aif_rank_order_names");
_Static_assert(COUNT(aif_grad_dtype_names) == AIF_N_GRAD_DTYPE, "aif_grad_dtype_names");
_Static_assert(COUNT(aif_cooling_names) == AIF_N_COOL, "aif_cooling_names");
_Static_assert(COUNT(cooling_labels) == AIF_N_COOL, "cooling_labels");
_Static_assert(COUNT(aif_climate_names) == AIF_N_CLIMATE, "aif_climate_names");
_Static_assert(COUNT(aif_supply_kind_names) == AIF_N_SUPPLY_KIND, "aif_supply_kind_names");
_Static_assert(COUNT(aif_cloud_class_names) == AIF_N_CLOUD, "aif_cloud_class_names");
_Static_assert(COUNT(cloud_class_labels) == AIF_N_CLOUD, "cloud_class_labels");
_Static_assert(COUNT(aif_catalog_kind_names) == AIF_N_CATALOG_KIND, "aif_catalog_kind_names");
_Static_assert(COUNT(aif_recompute_names) == AIF_RC_FULL + 1, "aif_recompute_names");
_Static_assert(COUNT(aif_recompute_module_names) == AIF_N_RCM, "aif_recompute_module_names");
_Static_assert(COUNT(aif_offload_names) == AIF_N_OFFLOAD, "aif_offload_names");
_Static_assert(COUNT(aif_optim_names) == AIF_OPT_FSDP + 1, "aif_optim_names");
_Static_assert(COUNT(aif_attn_kernel_names) == AIF_ATTN_UNFUSED + 1, "aif_attn_kernel_names");
_Static_assert(COUNT(aif_attn_dtype_names) == AIF_ATTN_DT_FP8 + 1, "aif_attn_dtype_names");
_Static_assert(COUNT(aif_fp8_recipe_names) == AIF_FP8_BLOCKWISE + 1, "aif_fp8_recipe_names");
_Static_assert(COUNT(aif_fabric_kind_names) == AIF_FAB_NEURONLINK + 1, "aif_fabric_kind_names");
_Static_assert(COUNT(aif_transport_names) == AIF_TCP + 1, "aif_transport_names");
_Static_assert(COUNT(aif_status_names) == AIF_STATUS_ANNOUNCED + 1, "aif_status_names");
_Static_assert(COUNT(aif_optics_names) == AIF_N_OPTICS, "aif_optics_names");
_Static_assert(COUNT(aif_net_optics_names) == AIF_N_OPTICS + 1, "aif_net_optics_names");
_Static_assert(COUNT(aif_storage_class_names) == AIF_N_STORE, "aif_storage_class_names");
_Static_assert(COUNT(aif_topo_kind_names) == AIF_TOPO_RAIL_ONLY + 1, "aif_topo_kind_names");
_Static_assert(COUNT(aif_routing_names) == AIF_ROUTE_AUTO + 1, "aif_routing_names");
_Static_assert(COUNT(aif_fabric_routing_names) == AIF_ROUTE_ADAPTIVE + 1, "aif_fabric_routing_names");
_Static_assert(COUNT(aif_act_names) == AIF_ACT_SQRELU + 1, "aif_act_names");
_Static_assert(COUNT(aif_attn_names) == AIF_ATTN_MLA + 1, "aif_attn_names");
_Static_assert(COUNT(aif_norm_names) == AIF_NORM_RMS + 1, "aif_norm_names");
_Static_assert(COUNT(aif_pos_names) == AIF_POS_ALIBI + 1, "aif_pos_names");
