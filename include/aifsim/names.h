/* names.h -- one name table per enum: the words a scenario, a catalog file, the
 * command line and every writer use for a value.  The same table serves the
 * parser (the binder's enum fields, the CLI's option values) and the writers
 * (text, JSON, HTML), so a name read is always the name written.
 *
 * Invariants: aif_<enum>_names[v] is the name of value v, for every value from 0
 * to the enum's count minus one, and the table ends with NULL; names are unique
 * within a table (ASCII case ignored), so aif_name_index(table, aif_<enum>_name(v))
 * == v.  aif_<enum>_name returns "?" for a value out of range, never NULL.
 *
 * This header needs only aifsim.h, so the scenario layer that parses names can
 * include it: the enums of higher layers (aif_coll and aif_coll_algo of graph.h,
 * aif_group and aif_tier, aif_engine of run.h, aif_rack_verdict and
 * aif_power_check_kind of facility.h) are passed as int. */
#ifndef AIFSIM_NAMES_H
#define AIFSIM_NAMES_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The index of `name` in a NULL-terminated table (ASCII case ignored), or -1. */
int aif_name_index(const char *const *names, const char *name);
/* The number of names in a NULL-terminated table. */
int aif_name_count(const char *const *names);

extern const char *const aif_prec_names[];         /* fp32 tf32 bf16 fp8 fp4 */
extern const char *const aif_fp4_format_names[];   /* nvfp4 mxfp4 */
extern const char *const aif_ep_dispatch_names[];  /* auto alltoall deepep deepep-fp8 hybridep */
extern const char *const aif_cp_comm_names[];      /* auto p2p a2a allgather */
/* How the job's context parallelism moves the sequence: train.cp_comm, auto resolved as the
 * software stack's (framework cp_comm), else p2p; an aif_cp_comm, never AIF_CP_AUTO */
int aif_cp_comm_resolved(const aif_scenario *s);
/* Why the job's context parallelism cannot run as resolved (cp > 1): 1, the ring (p2p) with
 * sliding-window layers, which Transformer Engine refuses; 2, a2a where cp does not divide the
 * query heads or the key-value heads a tensor-parallel rank holds (TE asserts both); else 0 */
int aif_cp_comm_conflict(const aif_scenario *s);
/* The query heads and the key-value heads a tensor-parallel rank of the job holds (MLA: as
 * many key-value heads as query heads; fewer KV heads than ranks: one, replicated). */
void aif_rank_heads(const aif_scenario *s, int *q, int *kv);
extern const char *const aif_grad_dtype_names[];   /* auto fp32 bf16 */
extern const char *const aif_rank_order_names[];   /* tp-cp-dp-pp tp-cp-pp-dp tp-pp-cp-dp tp-dp-cp-pp tp-dp-pp-cp
                                                      tp-pp-dp-cp (aif_rank_order) */
extern const char *const aif_recompute_names[];    /* none selective full */
extern const char *const aif_recompute_module_names[];   /* core_attn mla_up_proj layernorm mlp moe moe_act
                                                            shared_experts (aif_recompute_module) */
extern const char *const aif_recompute_saved_names[];   /* qkv_proj context out_proj mlpwo mlpwi (aif_recompute_saved) */
extern const char *const aif_offload_names[];      /* none activations */
extern const char *const aif_optim_names[];        /* none distributed zero1 zero2 zero3 fsdp */
extern const char *const aif_lora_target_names[];  /* attention all qkv */
extern const char *const aif_attn_kernel_names[];  /* flash3 flash2 unfused */
extern const char *const aif_attn_dtype_names[];   /* bf16 fp8 */
extern const char *const aif_fp8_recipe_names[];   /* delayed current blockwise */
extern const char *const aif_fabric_kind_names[];  /* infiniband roce ethernet nvlink xgmi ici neuronlink */
extern const char *const aif_transport_names[];    /* rdma tcp */
extern const char *const aif_status_names[];       /* unstated measured specification announced */
extern const char *const aif_topo_kind_names[];    /* auto fat-tree rail-optimized rail-only */
extern const char *const aif_routing_names[];      /* ecmp adaptive auto */
extern const char *const aif_fabric_routing_names[];   /* ecmp adaptive (a fabric's own) */
extern const char *const aif_cooling_names[];      /* air rdhx liquid immersion */
extern const char *const aif_climate_names[];      /* cold temperate hot */
extern const char *const aif_supply_kind_names[];  /* grid ppa_solar ppa_wind nuclear gas_turbine */
extern const char *const aif_cloud_class_names[];  /* hyperscaler_on_demand ... neocloud_reserved */
extern const char *const aif_act_names[];          /* gelu relu swiglu geglu squared-relu */
extern const char *const aif_attn_names[];         /* mha gqa mqa mla */
extern const char *const aif_norm_names[];         /* layernorm rmsnorm */
extern const char *const aif_pos_names[];          /* rope learned alibi */
extern const char *const aif_coll_names[];         /* allreduce allgather reducescatter alltoall sendrecv broadcast dispatch */
extern const char *const aif_coll_algo_names[];    /* auto ring tree nvls collnet pat */
extern const char *const aif_tier_names[];         /* scale-up host nic-leaf leaf-spine spine-core */
extern const char *const aif_catalog_kind_names[]; /* gpus systems fabrics models frameworks storage calibration */
extern const char *const aif_optics_names[];       /* pluggable cpo */
extern const char *const aif_net_optics_names[];   /* fabric pluggable cpo (cluster.network.optics) */
extern const char *const aif_storage_class_names[];   /* pfs object nvme-of local */
extern const char *const aif_engine_names[];       /* estimate sim */
extern const char *const aif_group_names[];        /* tp cp ep dp edp pp etp dpr */
extern const char *const aif_rack_verdict_names[];      /* fits_air needs_liquid exceeds_liquid */
extern const char *const aif_power_check_kind_names[];  /* node_max rack_max swing node_train gpu_train */

const char *aif_prec_name(aif_prec v);
const char *aif_fp4_format_name(aif_fp4_format v);
const char *aif_recompute_name(aif_recompute v);
const char *aif_optim_name(aif_optim v);
/* Whether optimizer v keeps Megatron-Core's data-parallel gradient buffer, whose type
 * train.grad_dtype sets (none and distributed; the sharded ones keep their own). */
bool aif_optim_has_grad_buffer(int v);
/* Whether optimizer v reduces the gradients in buckets after the backward, which
 * train.dp_bucket sizes (none, distributed and zero1; the sharded ones reduce layer by
 * layer). */
bool aif_optim_has_buckets(int v);
/* The parameters per gradient bucket: train.dp_bucket, or Megatron-Core's
 * DistributedDataParallel's own default max(40M, 1M x dp), dp without context parallelism
 * (megatron/core/distributed/distributed_data_parallel.py). */
double aif_dp_bucket_params(const aif_train *t);
const char *aif_attn_kernel_name(aif_attn_kernel v);
const char *aif_fp8_recipe_name(aif_fp8_recipe v);
const char *aif_fabric_kind_name(aif_fabric_kind v);
const char *aif_transport_name(aif_transport v);
const char *aif_status_name(aif_status v);
const char *aif_topo_kind_name(aif_topo_kind v);
const char *aif_routing_name(aif_routing v);
const char *aif_cooling_name(aif_cooling v);
const char *aif_climate_name(aif_climate v);
const char *aif_supply_kind_name(aif_supply_kind v);
const char *aif_cloud_class_name(aif_cloud_class v);
const char *aif_act_name(aif_act v);
const char *aif_attn_name(aif_attn v);
const char *aif_norm_name(aif_norm v);
const char *aif_pos_name(aif_pos v);
const char *aif_catalog_kind_name(aif_catalog_kind v);
const char *aif_coll_name(int v);        /* aif_coll (graph.h) */
const char *aif_coll_algo_name(int v);   /* aif_coll_algo (graph.h) */
const char *aif_tier_name(int v);        /* aif_tier (network.h) */
const char *aif_engine_name(int v);      /* aif_engine (run.h) */
const char *aif_group_name(int v);       /* aif_group (graph.h): a parallel group */
const char *aif_rack_verdict_name(int v);       /* aif_rack_verdict (facility.h) */
const char *aif_power_check_kind_name(int v);   /* aif_power_check_kind (facility.h) */

/* Words for people, beside the names above (which are what files and options
 * accept): "rear-door heat exchanger" for rdhx, "hyperscaler on-demand" for
 * hyperscaler_on_demand.  Same indexing and the same "?" out of range. */
const char *aif_cooling_label(aif_cooling v);
const char *aif_cloud_class_label(aif_cloud_class v);

#ifdef __cplusplus
}
#endif
#endif
