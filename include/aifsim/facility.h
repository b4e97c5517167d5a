/* facility.h -- from the job on the GPU to megawatts, litres, tonnes of CO2 and
 * dollars.  The site is part of the scenario (aif_scenario.site); its defaults
 * come from the built-in data/facility.yaml.
 *
 * Power.  A GPU draws a fraction of its TDP that depends on what it is doing:
 *   P_gpu = TDP * (a_compute f_c + a_memory f_m + a_comm f_x + a_idle f_i)
 * where a_* are the shares of time in each phase (from the step breakdown, or a
 * caller's own utilisation over time) and f_* the phase fractions of
 * data/facility.yaml.  A GPU power limit below TDP slows compute: by the cubic
 * law of dynamic power (P_dyn ~ f V^2, V ~ f) the clock factor is
 *   c = ((P_limit - P_idle) / (TDP - P_idle))^(1/3),
 * passed down to the engine as aif_cluster.clock_factor (no layer reaches up).
 * IT power adds the host (CPUs, NICs, NVSwitches, fans: the system's max power
 * minus its GPUs' TDP), the scale-out network (a switch port per NIC cable and two
 * per switch-to-switch cable, an optic at both ends of every cable, counted on the
 * topology the scenario describes: tiers, oversubscription, rails, planes; with
 * co-packaged optics an engine per switch port and a pluggable at the NIC's end only)
 * and storage (the cluster's tier, units x power, else a figure per GPU).  Facility
 * power = IT power x PUE (cooling, climate).
 *
 * Cooling.  A rack's peak power decides what can cool it: air up to its rack
 * limit, a rear-door heat exchanger, direct-to-chip liquid, immersion.  A rack
 * over the air limit is never reported as air-cooled.
 *
 * Grid.  A site power cap bounds how many GPUs fit; demand-response windows
 * pause or throttle the run, adding delay and cost; carbon intensity (constant,
 * a region, or an hourly CSV) turns energy into operational tCO2e; embodied
 * carbon per device is amortised over the depreciation period.
 *
 * Supply.  A site may list its energy sources (grid, PPA solar and wind, nuclear,
 * gas turbines), each with a nameplate, an hourly capacity factor, a price and a
 * carbon intensity; hour by hour the run's draw is met in merit order, and the
 * blend replaces the one grid's price and carbon.  A battery at the grid connection
 * (sized to the swing when every GPU stops, or given) narrows the grid-side swings
 * at the cost of round-trip losses (aif_supply_result, aif_battery_result below).
 *
 * Money (econ).  Capex: systems (or accelerators), network per GPU, storage (the
 * tier's units x price, else per GPU),
 * facility per MW by cooling type.  Owning costs capex over its depreciation
 * plus operations plus electricity; renting costs GPU-hours at the cloud price;
 * break-even utilisation is the share of hours at which they cost the same. */
#ifndef AIFSIM_FACILITY_H
#define AIFSIM_FACILITY_H

#include "aifsim/aifsim.h"
#include "aifsim/facility_data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- power API */

/* Shares of time a set of GPUs spends in each phase (they sum to 1). */
typedef struct aif_activity { double compute, memory, comm, idle; } aif_activity;

typedef struct aif_site_power {
    double gpu_W, host_W, network_W, storage_W;   /* whole job, IT side */
    double it_W, facility_W;
    double per_gpu_W, node_W, rack_W;
} aif_site_power;

/* Power of the job's site when its GPUs do `a` (the interface serving and
 * cluster scheduling call with their own utilisation).  Fails only when the
 * cluster's network cannot be built (the error names the cluster.network field). */
aif_rc aif_site_power_at(const aif_scenario *s, const aif_facility_data *fd, const aif_activity *a,
                         aif_site_power *out, aif_err *err);

/* The optics of the cluster's scale-out switches (aif_optics): cluster.network.optics when
 * set, else the fabric's own. */
int aif_site_optics(const aif_cluster *cl);

typedef struct aif_power_point { double t_s, power_W; } aif_power_point;
/* A utilisation time series: the activity of the job's GPUs from t_s on. */
typedef struct aif_activity_sample { double t_s; aif_activity a; } aif_activity_sample;
/* Facility power for each sample (out[i].t_s = in[i].t_s); errors as aif_site_power_at. */
aif_rc aif_site_power_series(const aif_scenario *s, const aif_facility_data *fd, const aif_activity_sample *in, int n,
                             aif_power_point *out, aif_err *err);
/* Energy of a piecewise-constant power series: point i holds from t_i to t_{i+1}, the last to t_end_s. */
double aif_energy_J(const aif_power_point *p, int n, double t_end_s);

/* ------------------------------------------------------------ evaluation */

typedef enum aif_rack_verdict {
    AIF_RACK_FITS_AIR, AIF_RACK_NEEDS_LIQUID, AIF_RACK_EXCEEDS_LIQUID, AIF_N_RACK_VERDICT
} aif_rack_verdict;
/* Whether the site can hold the job.  Not an error: the step time, power and money
 * are still computed (with the strongest cooling the site has, or the one chosen), so a
 * site problem never hides the job's answer; writers state the verdict with the
 * numbers (rack_peak_W against rack_limit_W, gpus_under_cap against the job's GPUs). */
typedef enum aif_site_verdict {
    AIF_SITE_HOLDS,               /* a cooling holds the racks and the job is under the power cap */
    AIF_SITE_NO_COOLING,          /* cooling auto: no cooling holds a rack (rack_limit_W: the strongest) */
    AIF_SITE_COOLING_SHORT,       /* the cooling the scenario chose does not hold a rack */
    AIF_SITE_OVER_CAP,            /* the job's facility power at peak is over the site's power cap */
    AIF_N_SITE_VERDICT
} aif_site_verdict;
/* "holds", "no_cooling", "cooling_short", "over_cap" (the JSON writers' names) */
extern const char *const aif_site_verdict_names[];
#define AIF_MAX_PROFILE 16

/* The site's supply over the run (facility.supply; src/facility/supply.c).  Hour by
 * hour the site's draw (the run's power, battery losses included) is met by the
 * sources in merit order, cheapest first, each up to its nameplate times the hour's
 * capacity factor; the grid's nameplate is its capacity, else facility.power_cap, else
 * unlimited.  Invariant: sum of sources' energy + short_J = the run's energy. */
#define AIF_SUPPLY_DAY 24
typedef struct aif_supply_line {
    int kind;                       /* aif_supply_kind */
    double capacity_W;              /* nameplate used (a share resolved); 0 = an unlimited grid */
    double usd_per_J, kg_per_J;     /* price and carbon used (the grid's: the site's; kg_per_J the average when hourly) */
    double energy_J, usd, co2_kg;   /* over the run */
    double day_W[AIF_SUPPLY_DAY];   /* power taken from it, hour by hour over the run's first day */
} aif_supply_line;
typedef struct aif_supply_result {
    int n;                          /* sources, in the scenario's order (0: no supply given) */
    aif_supply_line src[AIF_MAX_SUPPLY];
    int order[AIF_MAX_SUPPLY];      /* merit order: indices into src, cheapest first */
    double energy_J, usd, co2_kg;   /* served, over the run */
    double usd_per_J, kg_per_J;     /* blended: usd / energy_J, co2_kg / energy_J */
    double short_h, short_J;        /* hours in which the sources fall short of the draw; the energy not served */
    double unused_J;                /* PPA and nuclear output available but not taken (curtailed or sold);
                                       the grid and turbines are dispatched, not spilled */
    double day_draw_W[AIF_SUPPLY_DAY], day_avail_W[AIF_SUPPLY_DAY];   /* the site's draw and all sources' availability */
    int hours;                      /* hours dispatched (the run's, at most AIF_SUPPLY_MAX_HOURS; longer runs scale) */
} aif_supply_result;
#define AIF_SUPPLY_MAX_HOURS 87840  /* ten years of hours; a longer run is dispatched on these and scaled */

/* A battery at the grid connection (facility.battery; src/facility/supply.c).
 *   auto:  power_W = stop_swing_W (the swing when every GPU stops at once),
 *          capacity_J = power_W x ride_through_s (the longest dip held flat).
 *   Within a step the battery holds the grid at the step's average: it discharges by
 *   min(power_W, P - avg) above it and charges below, so the grid-side swing is
 *   max(avg, P_max - power_W) - min(avg, P_min + power_W) when half the capacity holds
 *   one step's excursion (else the swing is not narrowed).  Through a full stop it
 *   absorbs min(power_W, stop_swing_W) for hold_s = capacity_J / that power.  Every
 *   joule it delivers costs 1/efficiency from the grid: the round-trip losses. */
typedef struct aif_battery_result {
    int mode;                       /* aif_battery_mode (NONE: the rest is zero) */
    double capacity_J, power_W, efficiency, ride_through_s;
    double step_cycle_J;            /* energy delivered by the battery each step */
    double grid_swing_W;            /* grid-side swing within a step with the battery (facility swing_W without) */
    double grid_stop_swing_W;       /* grid-side swing of a full stop with it, for dips up to hold_s (stop_swing_W without) */
    double hold_s;                  /* how long it holds the grid through a full stop */
    double loss_J;                  /* round-trip losses over the run (counted in energy_J) */
    double dip_loss_J;              /* losses of one full ride-through dip */
    double rack_storage_J;          /* the racks' own power-supply storage (data/facility.yaml, per GPU) */
} aif_battery_result;

typedef struct aif_facility_result {
    double clock_factor;            /* from the GPU power limit (1 = none) */
    double gpu_busy_W, gpu_low_W;   /* per GPU while computing / while waiting */
    double gpu_avg_W;               /* per GPU averaged over a step */
    int nodes, racks, nodes_per_rack;
    double node_peak_W, rack_peak_W;
    double node_avg_W;              /* one node (its GPUs and host) averaged over a step */
    int cooling;                    /* aif_cooling actually used */
    int rack_verdict;               /* aif_rack_verdict */
    int site_verdict;               /* aif_site_verdict: whether the site can hold the job at all */
    double rack_limit_W;            /* of the cooling used */
    double pue;
    double it_avg_W, it_peak_W, facility_avg_W, facility_peak_W, facility_low_W;
    double swing_W;                 /* facility power, busy minus waiting, within a step */
    double stop_swing_W;            /* facility power, busy minus every GPU idle (checkpoint, failure) */
    double network_W, storage_W;    /* IT power of the scale-out network and storage */
    int fabric_tiers;
    int network_optics;             /* aif_optics of the scale-out switches (aif_site_optics) */
    double gpus_under_cap;          /* GPUs of this kind the site cap allows (0 = no cap) */
    aif_power_point profile[AIF_MAX_PROFILE];  /* facility power over one step */
    int n_profile;
    double step_time_s;
    aif_power_point run_profile[2 * AIF_MAX_DR + 2];  /* facility power over the whole run */
    int n_run_profile;
    /* over the whole run (train.tokens) */
    double run_time_s;              /* with demand-response delays */
    double dr_delay_s, dr_cost_usd;
    double energy_J, it_energy_J, co2_kg, embodied_co2_kg, water_L;
    /* false when the GPU's catalog entry publishes no power (tdp 0): every power,
     * energy, carbon and water figure above is then not an estimate, and writers
     * print n/a (JSON null) instead of it */
    bool power_known;
    aif_supply_result supply;       /* facility.supply (supply.n 0: none given) */
    aif_battery_result battery;     /* facility.battery */
} aif_facility_result;

typedef struct aif_cost_result {
    double capex_usd, capex_systems_usd, capex_network_usd, capex_storage_usd, capex_facility_usd;
    double fixed_usd_per_hour;      /* depreciation + operations of the owned cluster */
    double energy_usd;              /* electricity of the run */
    double owned_usd;               /* cost to train, owned */
    double cloud_usd;               /* cost to train, rented at the scenario's cloud class */
    double cloud_usd_by_class[AIF_N_CLOUD];
    double cloud_usd_per_gpu_hour;
    double owned_usd_per_gpu_hour;  /* at 100% utilisation */
    double breakeven_utilization;   /* share of hours owning costs as much as renting; >1: never */
    double api_usd_per_mtok;        /* 0 when not known for the model */
    double dr_cost_usd;             /* fixed cost of the hours demand response adds */
    /* false when neither the GPU nor its system has a published price (capex, owned
     * cost: n/a), or no cloud price is known for the scenario's class (rented: n/a) */
    bool price_known, cloud_price_known;
} aif_cost_result;

/* Applies the site's GPU power limit to the scenario (sets cluster.clock_factor). */
void aif_facility_apply_limits(aif_scenario *s, const aif_facility_data *fd);
/* Site, power, cooling, grid and energy of a training job whose estimate is r. */
aif_rc aif_facility_eval(const aif_scenario *s, const aif_facility_data *fd, const aif_train_result *r,
                         aif_facility_result *f, aif_err *err);
/* The battery and the supply of a site whose power over the step and the run f already
 * holds (aif_facility_eval calls them last; exposed for tests and other callers). */
void aif_battery_eval(const aif_scenario *s, const aif_facility_data *fd, aif_facility_result *f);
void aif_supply_eval(const aif_scenario *s, const aif_facility_data *fd, aif_facility_result *f);
aif_rc aif_cost_eval(const aif_scenario *s, const aif_facility_data *fd, const aif_train_result *r,
                     const aif_facility_result *f, aif_cost_result *c, aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
