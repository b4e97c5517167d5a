/* facility_data.h -- the site's data as loaded from data/facility.yaml (or a user
 * catalog): cooling classes, phase power fractions, network and storage power,
 * prices, carbon intensities, embodied carbon, cloud prices and published power
 * checks.  Plain data, read by the scenario layer that loads it and by the facility
 * and money models (include/aifsim/facility.h) that use it. */
#ifndef AIFSIM_FACILITY_DATA_H
#define AIFSIM_FACILITY_DATA_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aif_cooling_data {
    double rack_limit_W;
    double pue[AIF_N_CLIMATE];
    double fan_fraction;          /* share of IT power in server fans under this cooling */
    double capex_per_W_usd;       /* facility construction per W of IT */
} aif_cooling_data;

typedef struct aif_named_value { char name[AIF_NAME_MAX]; double value; } aif_named_value;
typedef struct aif_cloud_price { char gpu[AIF_NAME_MAX]; double usd_per_gpu_hour[AIF_N_CLOUD]; } aif_cloud_price;
typedef struct aif_power_check {
    char id[48], what[160], source[1024], system[AIF_NAME_MAX];
    char job[512];                /* node_train, gpu_train: the training job, a scenario in YAML flow form */
    int kind;                     /* aif_power_check_kind */
    double value_W;
} aif_power_check;
/* node_max, rack_max: a node's or a rack's power with every GPU at its limit; swing: the
 * built-in default scenario's facility power computing minus waiting; node_train: a node's
 * average power over a step of `job` as measured at its power supplies; gpu_train: a GPU's
 * average board power over a step of `job` */
typedef enum aif_power_check_kind {
    AIF_CHECK_NODE_MAX, AIF_CHECK_RACK_MAX, AIF_CHECK_SWING, AIF_CHECK_NODE_TRAIN, AIF_CHECK_GPU_TRAIN,
    AIF_N_CHECK_KIND
} aif_power_check_kind;

/* A kind of energy source's defaults (data/facility.yaml `supply`): its price, its
 * carbon intensity and a typical day's hourly capacity factor.  The grid's price and
 * carbon are the site's own (cost.electricity, facility.carbon) and are not read here. */
typedef struct aif_supply_data {
    double usd_per_J, carbon_kg_per_J;
    double cf[24];                /* hour 0..23 of a typical day, share of nameplate */
} aif_supply_data;

typedef struct aif_facility_data {   /* data/facility.yaml */
    aif_cooling_data cooling[AIF_N_COOL];
    double wue_evaporative_L_per_J, wue_dry_L_per_J;
    double gpu_phase_fraction[4];  /* compute, memory, comm, idle */
    double switch_per_port_W, optic_per_port_W, storage_per_gpu_W;
    double cpo_per_port_W;         /* a co-packaged optical engine per switch port (aif_optics cpo) */
    double electricity_usd_per_J, depreciation_s, facility_depreciation_s, operations_frac;
    double network_per_gpu_usd, storage_per_gpu_usd;
    aif_named_value *carbon; int n_carbon;          /* region -> kg CO2e per J */
    aif_named_value *embodied; int n_embodied;      /* gpu name or "server_per_node" -> kg CO2e */
    aif_cloud_price *cloud; int n_cloud;
    aif_named_value *api; int n_api;                /* model -> USD per million output tokens */
    aif_power_check *checks; int n_checks;          /* published power figures */
    double host_tdp_frac;          /* host power per node when the system gives none, as a share of its GPUs' TDP */
    int nodes_per_rack;            /* nodes per rack when neither the site nor a rack-scale domain says */
    aif_supply_data supply[AIF_N_SUPPLY_KIND];   /* by aif_supply_kind */
    double battery_efficiency;     /* round trip, of a grid-scale lithium-ion battery */
    double battery_ride_through_s; /* the dip an auto-sized battery holds the grid through */
    double rack_storage_per_gpu_J; /* energy storage in a rack's power supplies, per GPU (rack-level smoothing) */
} aif_facility_data;

const aif_facility_data *aif_catalog_facility(const aif_catalog *c);

#ifdef __cplusplus
}
#endif
#endif
