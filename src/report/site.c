/* site.c (report) -- power, cooling, energy, carbon, water and money as text and JSON; the
 * site's verdict (first in the site's lines when it cannot hold the job) and the run's
 * notes.  Formats only: every figure comes from the result. */
#include "report/json.h"
#include "report/site.h"
#include "aifsim/names.h"
#include "aifsim/report.h"

#include <math.h>
#include <string.h>

const char *const aif_report_verdicts[] = {"fit air cooling", "need liquid cooling (over the air limit)",
                                           "exceed even liquid cooling"};

/* Money and power as every writer prints them (src/report/format.c). */
void aif_report_money(char *buf, size_t n, double usd) { aif_fmt_usd(buf, n, usd); }

static void power(char *buf, size_t n, double W) { aif_fmt_si(buf, n, W, "W"); }

/* The site's verdict, with its numbers, when it cannot hold the job. */
static void verdict_text(FILE *f, const aif_scenario *s, const aif_facility_result *fa)
{
    char a[32];
    const char *sys = s->cluster.system.name[0] ? s->cluster.system.name : fa->nodes_per_rack == 1 ? "node" : "nodes";
    switch ((aif_site_verdict)fa->site_verdict) {
    case AIF_SITE_NO_COOLING:
        fprintf(f, "  site             INFEASIBLE: no cooling holds racks of %.1f kW (the strongest, %s, holds %.0f kW "
                "per rack); use fewer nodes_per_rack or raise the rack limits\n", fa->rack_peak_W / 1e3,
                aif_cooling_name((aif_cooling)fa->cooling), fa->rack_limit_W / 1e3);
        break;
    case AIF_SITE_COOLING_SHORT:
        fprintf(f, "  site             INFEASIBLE: %s cooling holds %.0f kW per rack, but %d %s per rack draw %.1f kW at "
                "peak; choose a cooling that holds it (or auto), or fewer nodes_per_rack\n",
                aif_cooling_name((aif_cooling)fa->cooling), fa->rack_limit_W / 1e3, fa->nodes_per_rack, sys,
                fa->rack_peak_W / 1e3);
        break;
    case AIF_SITE_OVER_CAP:
        power(a, sizeof a, s->site.power_cap_W);
        fprintf(f, "  site             INFEASIBLE: the site cap of %s holds %.0f of these GPUs; the job has %d\n", a,
                fa->gpus_under_cap, s->cluster.gpus);
        break;
    case AIF_SITE_HOLDS:
    case AIF_N_SITE_VERDICT:
        break;
    }
}

void aif_report_notes_text(FILE *f, const aif_train_run *run)
{
    for (int i = 0; i < run->n_notes; i++)
        fprintf(f, "note: %s: %s\n", run->notes[i].path, run->notes[i].msg);
    if (run->n_notes)
        fputc('\n', f);
}

/* The racks, cooling, power and grid lines of a GPU whose power is published. */
static void power_text(FILE *f, const aif_scenario *s, const aif_facility_result *fa)
{
    char a[32], b[32], d[32], e[32];
    int rack_gpus = fa->nodes_per_rack * s->cluster.gpus_per_node;
    verdict_text(f, s, fa);
    power(a, sizeof a, fa->rack_peak_W);
    power(b, sizeof b, fa->rack_limit_W);
    fprintf(f, "  racks            %d rack%s of %d %s (%d GPU%s per rack), %s per rack at peak\n", fa->racks,
            fa->racks == 1 ? "" : "s", fa->nodes_per_rack,
            s->cluster.system.name[0] ? s->cluster.system.name : fa->nodes_per_rack == 1 ? "node" : "nodes",
            rack_gpus, rack_gpus == 1 ? "" : "s", a);
    fprintf(f, "  cooling          %s (holds %s per rack): the racks %s; PUE %.2f (%s climate)\n",
            aif_cooling_label((aif_cooling)fa->cooling), b, aif_report_verdicts[fa->rack_verdict],
            fa->pue, aif_climate_name((aif_climate)s->site.climate));
    power(a, sizeof a, fa->it_avg_W);
    power(b, sizeof b, fa->it_peak_W);
    power(d, sizeof d, fa->facility_avg_W);
    power(e, sizeof e, fa->facility_peak_W);
    fprintf(f, "  power            IT %s average, %s peak; facility %s average, %s peak\n", a, b, d, e);
    power(a, sizeof a, fa->swing_W);
    power(b, sizeof b, fa->stop_swing_W);
    fprintf(f, "                   per GPU %.0f W average (%.0f W computing, %.0f W idle)\n", fa->gpu_avg_W,
            fa->gpu_busy_W, fa->gpu_low_W);
    if (fa->swing_W > 0)
        fprintf(f, "                   swings: %s within each step; %s when all GPUs stop at once (checkpoint, "
                "failure)\n", a, b);
    else   /* no step was run (aif_run_site) */
        fprintf(f, "                   swing: %s when all GPUs stop at once (checkpoint, failure)\n", b);
    if (fa->clock_factor < 1)
        fprintf(f, "                   GPU power limit %.0f W: compute clock at %.0f%% of nominal\n",
                s->site.gpu_power_limit_W, 100 * fa->clock_factor);
    if (s->site.power_cap_W > 0) {
        power(a, sizeof a, s->site.power_cap_W);
        fprintf(f, "  grid             site cap %s holds %.0f of these GPUs: the job %s\n", a, fa->gpus_under_cap,
                fa->gpus_under_cap >= s->cluster.gpus ? "fits" : "DOES NOT FIT under the cap");
    }
}

/* The supply mix over the run: blended price and carbon, then one line per source in
 * merit order. */
static void supply_text(FILE *f, const aif_facility_result *fa)
{
    const aif_supply_result *r = &fa->supply;
    char a[32], b[32];
    aif_fmt_energy_J(a, sizeof a, r->short_J);
    fprintf(f, "  supply           blended $%.1f/MWh, %.0f g/kWh over the run; ", r->usd_per_J * 3.6e9,
            r->kg_per_J * 3.6e9);
    if (r->short_h > 0)
        fprintf(f, "SHORT of supply %.0f h (%s not served)\n", r->short_h, a);
    else
        fprintf(f, "never short of supply\n");
    double total = r->energy_J + r->short_J;
    for (int k = 0; k < r->n; k++) {
        const aif_supply_line *l = &r->src[r->order[k]];
        if (l->capacity_W > 0)
            power(a, sizeof a, l->capacity_W);
        else
            snprintf(a, sizeof a, "no cap");
        aif_fmt_energy_J(b, sizeof b, l->energy_J);
        fprintf(f, "                   %-12s %9s %10s %4.0f%%  $%.1f/MWh  %.0f g/kWh\n",
                aif_supply_kind_name((aif_supply_kind)l->kind), a, b, total > 0 ? 100 * l->energy_J / total : 0,
                l->usd_per_J * 3.6e9, l->kg_per_J * 3.6e9);
    }
    if (r->unused_J > 0) {
        aif_fmt_energy_J(a, sizeof a, r->unused_J);
        fprintf(f, "                   %s of PPA and nuclear output not taken (curtailed or sold)\n", a);
    }
}

/* The battery: its size, the grid-side swings with and without it, its losses. */
static void battery_text(FILE *f, const aif_facility_result *fa, int with_run)
{
    const aif_battery_result *b = &fa->battery;
    char a[32], c[32], d[32], e[32];
    power(a, sizeof a, b->power_W);
    aif_fmt_energy_J(c, sizeof c, b->capacity_J);
    fprintf(f, "  battery          %s%s, %s (holds a full stop %.0f min), %.0f%% round trip\n",
            b->mode == AIF_BATTERY_AUTO ? "sized to the swing: " : "", a, c, b->hold_s / 60, 100 * b->efficiency);
    power(a, sizeof a, b->grid_swing_W);
    power(c, sizeof c, fa->swing_W);
    power(d, sizeof d, b->grid_stop_swing_W);
    power(e, sizeof e, fa->stop_swing_W);
    if (fa->n_profile > 0)
        fprintf(f, "                   grid-side swings: %s within each step (%s without), %s when all GPUs stop "
                "(%s without)\n", a, c, d, e);
    else
        fprintf(f, "                   grid-side swing: %s when all GPUs stop (%s without)\n", d, e);
    aif_fmt_energy_J(a, sizeof a, b->loss_J);
    aif_fmt_energy_J(c, sizeof c, b->dip_loss_J);
    aif_fmt_energy_J(d, sizeof d, b->rack_storage_J);
    if (with_run && fa->run_time_s > 0)
        fprintf(f, "                   round-trip losses %s over the run (in the energy), %s per full dip; "
                "racks' own storage %s\n", a, c, d);
    else
        fprintf(f, "                   round-trip losses %s per full dip; racks' own storage %s\n", c, d);
}

static void site_text(FILE *f, const aif_scenario *s, const aif_facility_result *fa, const aif_cost_result *c,
                      int with_run)
{
    char a[32], b[32], d[32], e[32];
    int rack_gpus = fa->nodes_per_rack * s->cluster.gpus_per_node;
    if (!fa->power_known) {
        /* no published power: racks are counted, nothing that needs watts is shown */
        fprintf(f, "  racks            %d rack%s of %d %s (%d GPU%s per rack); power per rack n/a\n", fa->racks,
                fa->racks == 1 ? "" : "s", fa->nodes_per_rack,
                s->cluster.system.name[0] ? s->cluster.system.name : fa->nodes_per_rack == 1 ? "node" : "nodes",
                rack_gpus, rack_gpus == 1 ? "" : "s");
        fprintf(f, "  power            n/a: %s has no published power figure, so power, cooling, energy, carbon and "
                "water are not estimated (a catalog file can give its tdp)\n", s->cluster.gpu.name);
    } else {
        power_text(f, s, fa);
    }
    if (with_run && fa->run_time_s > 0 && fa->power_known) {
        aif_fmt_energy_J(a, sizeof a, fa->energy_J);
        fprintf(f, "  energy           %s over %.1f days", a, fa->run_time_s / 86400);
        if (fa->dr_delay_s > 0) {
            aif_report_money(a, sizeof a, c->dr_cost_usd);
            fprintf(f, " (demand response adds %.1f h and %s)", fa->dr_delay_s / 3600, a);
        }
        aif_fmt_mass_kg(a, sizeof a, fa->co2_kg);
        aif_fmt_mass_kg(b, sizeof b, fa->embodied_co2_kg);
        aif_fmt_count(d, sizeof d, fa->water_L / 1e3);
        fprintf(f, "\n  carbon & water   %s CO2e operational, %s CO2e embodied (share of the hardware's life); "
                "%s m3 of water\n", a, b, d);
    }
    if (with_run && fa->run_time_s > 0 && fa->power_known && fa->supply.n > 0)
        supply_text(f, fa);
    if (fa->power_known && fa->battery.mode != AIF_BATTERY_NONE)
        battery_text(f, fa, with_run);
    if (c->price_known && fa->power_known) {
        aif_report_money(a, sizeof a, c->capex_usd);
        aif_report_money(b, sizeof b, c->capex_systems_usd);
        aif_report_money(d, sizeof d, c->capex_network_usd + c->capex_storage_usd);
        aif_report_money(e, sizeof e, c->capex_facility_usd);
        fprintf(f, "  capex            %s: systems %s, network and storage %s, facility %s\n", a, b, d, e);
    } else {
        aif_report_money(d, sizeof d, c->capex_network_usd + c->capex_storage_usd);
        fprintf(f, "  capex            n/a: %s (network and storage %s)\n",
                !c->price_known ? "no published price for the GPU or its system" : "the facility is sized by power", d);
    }
    if (with_run && fa->run_time_s > 0) {
        if (c->price_known && fa->power_known) {
            aif_report_money(a, sizeof a, c->owned_usd);
            snprintf(b, sizeof b, "$%.2f", c->owned_usd_per_gpu_hour);
        } else {
            snprintf(a, sizeof a, "n/a");
            snprintf(b, sizeof b, "n/a");
        }
        if (c->cloud_price_known) {
            aif_report_money(d, sizeof d, c->cloud_usd);
            snprintf(e, sizeof e, "$%.2f", c->cloud_usd_per_gpu_hour);
        } else {
            snprintf(d, sizeof d, "n/a");
            snprintf(e, sizeof e, "n/a");
        }
        fprintf(f, "  cost to train    owned %s (%s per GPU-hour at full use); rented %s (%s, %s per GPU-hour)\n",
                a, b, d, aif_cloud_class_label((aif_cloud_class)s->site.cloud_class), e);
    }
    if (with_run && c->api_usd_per_mtok > 0)
        fprintf(f, "                   for scale: serving %s through an API costs $%.2f per million tokens\n",
                s->model.name, c->api_usd_per_mtok);
    if (c->cloud_price_known && c->price_known && fa->power_known) {
        if (c->breakeven_utilization <= 1)
            fprintf(f, "                   owning beats renting above %.0f%% utilisation\n",
                    100 * c->breakeven_utilization);
        else
            fprintf(f, "                   renting is cheaper at any utilisation\n");
    }
}

void aif_report_site_text(FILE *f, const aif_train_run *run)
{
    fputc('\n', f);
    site_text(f, &run->scenario, &run->facility, &run->cost, 1);
}

void aif_report_facility_text(FILE *f, const aif_train_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_facility_result *fa = &run->facility;
    aif_report_header_text(f, s, "the site");
    fputc('\n', f);
    aif_report_notes_text(f, run);
    fprintf(f, "  cluster          %d x %s in %d node%s, %s (%d tier%s)\n", s->cluster.gpus, s->cluster.gpu.name,
            fa->nodes, fa->nodes == 1 ? "" : "s", s->cluster.fabric.name, fa->fabric_tiers,
            fa->fabric_tiers == 1 ? "" : "s");
    char a[32], b[32];
    aif_fmt_si(a, sizeof a, fa->network_W, "W");
    fprintf(f, "  network          %s IT: scale-out switches with %s optics\n", a,
            fa->network_optics == AIF_OPTICS_CPO ? "co-packaged" : "pluggable");
    aif_fmt_si(a, sizeof a, fa->storage_W, "W");
    if (s->cluster.storage_units > 0) {
        aif_fmt_si(b, sizeof b, s->cluster.storage.write_bw_Bps, "B/s");
        fprintf(f, "  storage          %s IT: %g x %s (%s, %s write each)\n", a, s->cluster.storage_units,
                s->cluster.storage.name, aif_storage_class_names[s->cluster.storage.storage_class], b);
    } else {
        fprintf(f, "  storage          %s IT: the site's figure per GPU (no cluster.storage tier named)\n", a);
    }
    site_text(f, s, fa, &run->cost, run->train.steps > 0);
}


static json_object *supply_json(const aif_supply_result *r)
{
    json_object *o = json_object_new_object();
    aif_json_num(o, "energy_mwh", r->energy_J / 3.6e9);
    aif_json_num(o, "usd", r->usd);
    aif_json_num(o, "co2_t", r->co2_kg / 1e3);
    /* null with no run (aifsim facility on a site alone): nothing was served */
    aif_json_num_if(o, "blended_usd_per_mwh", r->usd_per_J * 3.6e9, r->energy_J > 0);
    aif_json_num_if(o, "blended_g_per_kwh", r->kg_per_J * 3.6e9, r->energy_J > 0);
    aif_json_num(o, "short_h", r->short_h);
    aif_json_num(o, "short_mwh", r->short_J / 3.6e9);
    aif_json_num(o, "unused_mwh", r->unused_J / 3.6e9);
    json_object *srcs = json_object_new_array();
    for (int k = 0; k < r->n; k++) {   /* merit order */
        const aif_supply_line *l = &r->src[r->order[k]];
        json_object *x = json_object_new_object();
        aif_json_str(x, "kind", aif_supply_kind_name((aif_supply_kind)l->kind));
        /* null: a grid with no cap */
        json_object_object_add(x, "capacity_kw", l->capacity_W > 0 ? json_object_new_double(l->capacity_W / 1e3) : NULL);
        aif_json_num(x, "usd_per_mwh", l->usd_per_J * 3.6e9);
        aif_json_num(x, "g_per_kwh", l->kg_per_J * 3.6e9);
        aif_json_num(x, "energy_mwh", l->energy_J / 3.6e9);
        aif_json_num(x, "usd", l->usd);
        aif_json_num(x, "co2_t", l->co2_kg / 1e3);
        json_object *day = json_object_new_array();
        for (int h = 0; h < AIF_SUPPLY_DAY; h++)
            json_object_array_add(day, json_object_new_double(l->day_W[h] / 1e3));
        json_object_object_add(x, "day_kw", day);
        json_object_array_add(srcs, x);
    }
    json_object_object_add(o, "sources", srcs);
    json_object *draw = json_object_new_array(), *avail = json_object_new_array();
    for (int h = 0; h < AIF_SUPPLY_DAY; h++) {
        json_object_array_add(draw, json_object_new_double(r->day_draw_W[h] / 1e3));
        /* null: an unlimited grid among the sources */
        json_object_array_add(avail, r->day_avail_W[h] >= 0 ? json_object_new_double(r->day_avail_W[h] / 1e3) : NULL);
    }
    json_object_object_add(o, "day_draw_kw", draw);
    json_object_object_add(o, "day_available_kw", avail);
    return o;
}

static json_object *battery_json(const aif_facility_result *fa)
{
    const aif_battery_result *b = &fa->battery;
    json_object *o = json_object_new_object();
    aif_json_str(o, "mode", b->mode == AIF_BATTERY_AUTO ? "auto" : "given");
    aif_json_num(o, "power_kw", b->power_W / 1e3);
    aif_json_num(o, "capacity_kwh", b->capacity_J / 3.6e6);
    aif_json_num(o, "efficiency", b->efficiency);
    aif_json_num(o, "ride_through_s", b->ride_through_s);
    aif_json_num(o, "hold_s", b->hold_s);
    aif_json_num(o, "grid_swing_kw", b->grid_swing_W / 1e3);
    aif_json_num(o, "grid_stop_swing_kw", b->grid_stop_swing_W / 1e3);
    aif_json_num(o, "step_cycle_kj", b->step_cycle_J / 1e3);
    aif_json_num(o, "loss_mwh", b->loss_J / 3.6e9);
    aif_json_num(o, "dip_loss_kwh", b->dip_loss_J / 3.6e6);
    aif_json_num(o, "rack_storage_kj", b->rack_storage_J / 1e3);
    return o;
}

void aif_report_site_json(json_object *o, const aif_train_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_facility_result *fa = &run->facility;
    const aif_cost_result *c = &run->cost;
    json_object *fo = json_object_new_object();
    aif_json_num_if(fo, "it_power_kw", fa->it_avg_W / 1e3, fa->power_known);
    aif_json_num_if(fo, "it_peak_kw", fa->it_peak_W / 1e3, fa->power_known);
    aif_json_num_if(fo, "facility_power_kw", fa->facility_avg_W / 1e3, fa->power_known);
    aif_json_num_if(fo, "facility_peak_kw", fa->facility_peak_W / 1e3, fa->power_known);
    aif_json_num_if(fo, "swing_kw", fa->swing_W / 1e3, fa->power_known);
    aif_json_num_if(fo, "stop_swing_kw", fa->stop_swing_W / 1e3, fa->power_known);
    aif_json_num(fo, "pue", fa->pue);
    json_object_object_add(fo, "power_known", json_object_new_boolean(fa->power_known));
    aif_json_num_if(fo, "rack_kw", fa->rack_peak_W / 1e3, fa->power_known);
    json_object_object_add(fo, "racks", json_object_new_int(fa->racks));
    json_object_object_add(fo, "nodes_per_rack", json_object_new_int(fa->nodes_per_rack));
    /* cooling and the rack verdict follow from the rack's power: null without it */
    json_object_object_add(fo, "cooling", fa->power_known ? json_object_new_string(aif_cooling_name((aif_cooling)fa->cooling)) : NULL);
    json_object_object_add(fo, "rack_verdict",
                           fa->power_known ? json_object_new_string(aif_rack_verdict_name(fa->rack_verdict)) : NULL);
    json_object_object_add(fo, "site_verdict", json_object_new_string(aif_site_verdict_names[fa->site_verdict]));
    aif_json_num_if(fo, "gpu_avg_w", fa->gpu_avg_W, fa->power_known);
    aif_json_num(fo, "clock_factor", fa->clock_factor);
    aif_json_num(fo, "network_kw", fa->network_W / 1e3);
    aif_json_str(fo, "network_optics", aif_optics_names[fa->network_optics]);
    aif_json_num(fo, "storage_kw", fa->storage_W / 1e3);
    aif_json_str(fo, "storage_tier", s->cluster.storage_units > 0 ? s->cluster.storage.name : "");
    aif_json_num(fo, "storage_units", s->cluster.storage_units);
    if (s->site.power_cap_W > 0)
        aif_json_num(fo, "gpus_under_cap", fa->gpus_under_cap);
    aif_json_num_if(fo, "energy_mwh", fa->energy_J / 3.6e9, fa->power_known);
    aif_json_num_if(fo, "co2_t", fa->co2_kg / 1e3, fa->power_known);
    aif_json_num_if(fo, "embodied_co2_t", fa->embodied_co2_kg / 1e3, fa->power_known);
    aif_json_num_if(fo, "water_m3", fa->water_L / 1e3, fa->power_known);
    aif_json_num(fo, "run_days", fa->run_time_s / 86400);
    aif_json_num(fo, "demand_response_delay_h", fa->dr_delay_s / 3600);
    json_object *prof = json_object_new_array();
    for (int i = 0; fa->power_known && i < fa->n_profile; i++) {
        json_object *p = json_object_new_object();
        aif_json_num(p, "t_s", fa->profile[i].t_s);
        aif_json_num(p, "facility_kw", fa->profile[i].power_W / 1e3);
        json_object_array_add(prof, p);
    }
    json_object_object_add(fo, "step_power_profile", prof);
    json_object *runp = json_object_new_array();
    for (int i = 0; fa->power_known && i < fa->n_run_profile; i++) {
        json_object *p = json_object_new_object();
        aif_json_num(p, "t_s", fa->run_profile[i].t_s);
        aif_json_num(p, "facility_kw", fa->run_profile[i].power_W / 1e3);
        json_object_array_add(runp, p);
    }
    json_object_object_add(fo, "run_power_profile", runp);
    if (fa->power_known && fa->supply.n > 0)
        json_object_object_add(fo, "supply", supply_json(&fa->supply));
    if (fa->power_known && fa->battery.mode != AIF_BATTERY_NONE)
        json_object_object_add(fo, "battery", battery_json(fa));
    json_object_object_add(o, "facility", fo);
    json_object *notes = json_object_new_array();
    for (int i = 0; i < run->n_notes; i++) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "path", json_object_new_string(run->notes[i].path));
        json_object_object_add(n, "note", json_object_new_string(run->notes[i].msg));
        json_object_array_add(notes, n);
    }
    json_object_object_add(o, "notes", notes);
    json_object *co = json_object_new_object();
    bool own = c->price_known && fa->power_known;   /* the owned figures need both */
    json_object_object_add(co, "price_known", json_object_new_boolean(c->price_known));
    aif_json_num_if(co, "capex_usd", c->capex_usd, own);
    aif_json_num_if(co, "capex_systems_usd", c->capex_systems_usd, c->price_known);
    aif_json_num(co, "capex_network_usd", c->capex_network_usd);
    aif_json_num(co, "capex_storage_usd", c->capex_storage_usd);
    aif_json_num_if(co, "capex_facility_usd", c->capex_facility_usd, fa->power_known);
    aif_json_num_if(co, "owned_usd", c->owned_usd, own);
    aif_json_num_if(co, "energy_usd", c->energy_usd, fa->power_known);
    aif_json_num_if(co, "cloud_usd", c->cloud_usd, c->cloud_price_known);
    aif_json_num_if(co, "cloud_usd_per_gpu_hour", c->cloud_usd_per_gpu_hour, c->cloud_price_known);
    aif_json_num_if(co, "owned_usd_per_gpu_hour", c->owned_usd_per_gpu_hour, own);
    /* null when owning never costs less than renting (or no cloud price is known) */
    json_object_object_add(co, "breakeven_utilization",
                           own && c->cloud_price_known && c->breakeven_utilization > 0 && c->breakeven_utilization <= 1
                               ? json_object_new_double(c->breakeven_utilization) : NULL);
    aif_json_num(co, "demand_response_cost_usd", c->dr_cost_usd);
    if (c->api_usd_per_mtok > 0)
        aif_json_num(co, "api_usd_per_mtok", c->api_usd_per_mtok);
    json_object_object_add(o, "cost", co);
}

char *aif_report_facility_json(const aif_train_run *run)
{
    const aif_scenario *s = &run->scenario;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    aif_json_str(o, "aifsim_version", AIF_VERSION);
    aif_json_str(o, "scenario", s->name);
    json_object_object_add(o, "job_run", json_object_new_boolean(!run->site_only));
    json_object *in = json_object_new_object();
    aif_json_str(in, "gpu", s->cluster.gpu.name);
    aif_json_str(in, "system", s->cluster.system.name);
    aif_json_str(in, "fabric", s->cluster.fabric.name);
    aif_json_int(in, "gpus", s->cluster.gpus);
    aif_json_int(in, "gpus_per_node", s->cluster.gpus_per_node);
    json_object_object_add(o, "inputs", in);
    aif_report_site_json(o, run);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                        JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
