/* eval.c -- the site of a training job: racks and their cooling, power over one
 * step, the grid (power cap, demand response, carbon) and the whole run's energy,
 * carbon and water.  Reads no file: an hourly carbon series was read when the
 * scenario was bound (aif_site.carbon_g_per_kWh).  The battery and the supply mix
 * (supply.c) come last, on the run's power.  Invariant: a site that cannot
 * hold the job (racks no cooling holds, a job over the power cap) is a verdict in
 * the result (site_verdict), never an error, so the job's answer is never lost. */
#include "facility/site.h"
#include "aifsim/names.h"
#include "base/base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const aif_site_verdict_names[] = {"holds", "no_cooling", "cooling_short", "over_cap", NULL};

/* Shares of a step's time in each phase for the busiest pipeline rank. */
static void step_activity(const aif_train_result *r, aif_activity *busy, double *busy_s, aif_activity *whole)
{
    const aif_breakdown *b = &r->bd;
    double comm = b->tp_comm_s + b->cp_comm_s + b->ep_comm_s + b->pp_comm_s;
    double pipe = b->compute_s + comm;   /* the steady part of the pipeline */
    *busy_s = pipe;
    if (pipe > 0)
        *busy = (aif_activity){(b->compute_s - b->membound_s) / pipe, b->membound_s / pipe, comm / pipe, 0};
    else
        *busy = (aif_activity){0, 0, 0, 1};
    double st = r->step_time_s;
    *whole = (aif_activity){(b->compute_s - b->membound_s) / st, (b->membound_s + b->optimizer_s) / st,
                            (comm + b->dp_comm_s) / st, (b->pp_bubble_s + b->offload_s) / st};   /* a wait for a host copy idles the GPU */
}

aif_rc aif_facility_eval(const aif_scenario *s, const aif_facility_data *fd, const aif_train_result *r,
                         aif_facility_result *f, aif_err *err)
{
    memset(f, 0, sizeof *f);
    const aif_cluster *cl = &s->cluster;
    const aif_breakdown *b = &r->bd;
    f->clock_factor = cl->clock_factor > 0 ? cl->clock_factor : 1;
    f->step_time_s = r->step_time_s;
    f->nodes = (cl->gpus + cl->gpus_per_node - 1) / cl->gpus_per_node;
    f->nodes_per_rack = aif_nodes_per_rack(s, fd);
    int domain_nodes = cl->scaleup_domain / cl->gpus_per_node;
    if (s->site.nodes_per_rack > 0 && domain_nodes > 1 && s->site.nodes_per_rack % domain_nodes &&
        f->nodes >= domain_nodes)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "facility.nodes_per_rack",
                           "%d nodes per rack would split the %d-GPU NVLink domain of %s (%d nodes); use a multiple "
                           "of %d", s->site.nodes_per_rack, cl->scaleup_domain, cl->system.name, domain_nodes,
                           domain_nodes);
    f->racks = (f->nodes + f->nodes_per_rack - 1) / f->nodes_per_rack;

    /* racks at peak (every GPU at its limit): this decides the cooling */
    aif_site_infra infra;
    aif_rc rc = aif_site_infra_eval(s, fd, &infra, err);
    if (rc)
        return rc;
    /* at peak every GPU draws its board limit: compute-bound kernels average 0.99 of it
     * (gpu_compute_fraction), but the board's instantaneous power reaches and passes its limit
     * (the H200 run of validation/kernels/h200/: NVML's instant samples up to 954 W on a 700 W board) */
    aif_facility_data fpk = *fd;
    if (fpk.gpu_phase_fraction[0] < 1)
        fpk.gpu_phase_fraction[0] = 1;
    aif_activity peak_a = {1, 0, 0, 0};
    aif_site_power pk;
    aif_site_power_cooled(s, &fpk, &peak_a, AIF_COOL_AIR, 1, &infra, &pk);
    int cooling = aif_site_cooling(s, pk.rack_W);
    aif_site_power_cooled(s, &fpk, &peak_a, cooling, 1, &infra, &pk);   /* fans depend on the cooling */
    f->cooling = cooling;
    f->node_peak_W = pk.node_W;
    f->rack_peak_W = pk.rack_W;
    f->rack_limit_W = s->site.rack_limit_W[cooling];
    double liquid_max = fmax(s->site.rack_limit_W[AIF_COOL_LIQUID], s->site.rack_limit_W[AIF_COOL_IMMERSION]);
    f->rack_verdict = pk.rack_W <= s->site.rack_limit_W[AIF_COOL_AIR] ? AIF_RACK_FITS_AIR
                      : pk.rack_W <= liquid_max ? AIF_RACK_NEEDS_LIQUID : AIF_RACK_EXCEEDS_LIQUID;
    /* a rack no cooling (or not the chosen one) holds is the site's verdict, not an
     * error: the job's own answer and the rest of the site are still computed */
    if (pk.rack_W > f->rack_limit_W)
        f->site_verdict = s->site.cooling >= 0 ? AIF_SITE_COOLING_SHORT : AIF_SITE_NO_COOLING;
    f->pue = aif_site_pue(s, fd, cooling);
    f->network_W = infra.network_W;
    f->storage_W = infra.storage_W;
    f->fabric_tiers = infra.tiers;
    f->network_optics = aif_site_optics(&s->cluster);

    /* one step: fill, steady pipeline, drain, exposed data-parallel traffic, optimizer */
    aif_activity busy, whole;
    double busy_s;
    step_activity(r, &busy, &busy_s, &whole);
    aif_activity idle = {0, 0, 0, 1}, comm = {0, 0, 1, 0}, memo = {0, 1, 0, 0};
    aif_activity half = {busy.compute / 2, busy.memory / 2, busy.comm / 2, 0.5};
    aif_site_power p_busy, p_half, p_comm, p_mem, p_idle;
    aif_site_power_cooled(s, fd, &busy, cooling, f->pue, &infra, &p_busy);
    aif_site_power_cooled(s, fd, &half, cooling, f->pue, &infra, &p_half);
    aif_site_power_cooled(s, fd, &comm, cooling, f->pue, &infra, &p_comm);
    aif_site_power_cooled(s, fd, &memo, cooling, f->pue, &infra, &p_mem);
    aif_site_power_cooled(s, fd, &idle, cooling, f->pue, &infra, &p_idle);
    double fill = b->pp_bubble_s / 2, t = 0;
    struct { double d, W; } ph[] = {{fill, p_half.facility_W}, {busy_s, p_busy.facility_W},
                                    {b->pp_bubble_s - fill, p_half.facility_W}, {b->dp_comm_s, p_comm.facility_W},
                                    {b->optimizer_s, p_mem.facility_W}};
    for (size_t i = 0; i < sizeof ph / sizeof ph[0]; i++) {
        if (ph[i].d <= 0)
            continue;
        f->profile[f->n_profile++] = (aif_power_point){t, ph[i].W};
        t += ph[i].d;
    }
    double e_step = aif_energy_J(f->profile, f->n_profile, r->step_time_s);
    f->facility_avg_W = e_step / r->step_time_s;
    f->it_avg_W = f->facility_avg_W / f->pue;
    /* peak: every GPU at its power limit (what the grid connection and the racks must
     * carry); the step's own maximum is its steady pipeline phase */
    f->it_peak_W = pk.it_W;
    f->facility_peak_W = pk.it_W * f->pue;
    double step_max_W = p_busy.facility_W;
    f->facility_low_W = fmin(p_comm.facility_W, p_half.facility_W);
    for (int i = 0; i < f->n_profile; i++)
        f->facility_low_W = fmin(f->facility_low_W, f->profile[i].power_W);
    f->swing_W = step_max_W - f->facility_low_W;
    f->stop_swing_W = step_max_W - p_idle.facility_W;
    f->gpu_busy_W = p_busy.per_gpu_W;
    f->power_known = cl->gpu.tdp_W > 0;
    f->gpu_low_W = p_idle.per_gpu_W;
    f->gpu_avg_W = aif_gpu_power_W(&cl->gpu, fd, &whole, s->site.gpu_power_limit_W);
    f->node_avg_W = p_idle.node_W + cl->gpus_per_node * (f->gpu_avg_W - p_idle.per_gpu_W);   /* the host's share as idle's */
    if (s->site.power_cap_W > 0) {
        f->gpus_under_cap = floor(s->site.power_cap_W / (pk.it_W * f->pue / cl->gpus));
        if (f->gpus_under_cap < cl->gpus && f->site_verdict == AIF_SITE_HOLDS)
            f->site_verdict = AIF_SITE_OVER_CAP;
    }

    /* the run: steps at the step's average power; demand-response windows in the order
     * they open, each lasting only while work is left */
    int order[AIF_MAX_DR], n_dr = 0;
    for (int i = 0; i < s->site.n_dr; i++) {
        int j = n_dr++;
        while (j > 0 && s->site.dr[order[j - 1]].start_s > s->site.dr[i].start_s) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
    double work_left = r->train_time_s;   /* seconds of normal-speed work still to do */
    double now = 0, e_dr = 0, dr_s = 0;
    f->n_run_profile = 0;
    for (int k = 0; k < n_dr; k++) {
        const aif_dr_event *ev = &s->site.dr[order[k]];
        double gap = ev->start_s - now;
        if (gap >= work_left)
            break;   /* the run is over before the window opens */
        if (gap > 0)
            f->run_profile[f->n_run_profile++] = (aif_power_point){now, f->facility_avg_W};
        work_left -= gap > 0 ? gap : 0;
        now = ev->start_s > now ? ev->start_s : now;
        double progress, w;   /* share of normal speed, facility power during the window */
        double allowed = ev->power_frac * f->facility_peak_W;
        if (ev->pause || allowed <= p_idle.facility_W) {
            /* no work; below idle power the site meets the cap by switching nodes off */
            progress = 0;
            w = ev->pause ? p_idle.facility_W : allowed;
        } else if (allowed >= f->facility_peak_W) {
            progress = 1;
            w = f->facility_avg_W;
        } else {
            /* GPUs get what the site may draw less the rest of IT; the slowdown is measured
             * against the power they draw computing, by the cubic law */
            double gpu_allowed = (allowed / f->pue - (p_busy.it_W - p_busy.gpu_W)) / cl->gpus;
            double p_off = fd->gpu_phase_fraction[3] * cl->gpu.tdp_W;
            progress = gpu_allowed >= p_busy.per_gpu_W ? 1
                       : gpu_allowed <= p_off ? 0 : cbrt((gpu_allowed - p_off) / (p_busy.per_gpu_W - p_off));
            w = fmin(allowed, f->facility_avg_W);
        }
        double len = ev->duration_s;
        if (progress > 0 && work_left / progress < len)
            len = work_left / progress;   /* the run ends inside the window */
        f->run_profile[f->n_run_profile++] = (aif_power_point){now, w};
        work_left -= len * progress;
        f->dr_delay_s += len * (1 - progress);
        e_dr += w * len;
        dr_s += len;
        now += len;
    }
    f->run_time_s = now + (work_left > 0 ? work_left : 0);
    if (now < f->run_time_s)
        f->run_profile[f->n_run_profile++] = (aif_power_point){now, f->facility_avg_W};
    f->energy_J = f->facility_avg_W * fmax(0, f->run_time_s - dr_s) + e_dr;
    f->it_energy_J = f->energy_J / f->pue;
    f->water_L = f->it_energy_J * (s->site.dry_cooling ? fd->wue_dry_L_per_J : fd->wue_evaporative_L_per_J);
    /* a battery's round-trip losses are drawn from the supply (not IT energy: no water) */
    aif_battery_eval(s, fd, f);
    f->energy_J += f->battery.loss_J;
    if (s->site.n_carbon_hours > 0) {
        /* the series repeats: whole cycles in closed form, then the hours of the last one */
        const float *g = s->site.carbon_g_per_kWh;
        int n = s->site.n_carbon_hours;
        double p = f->run_time_s > 0 ? f->energy_J / f->run_time_s : 0, cycle = 0;
        for (int i = 0; i < n; i++)
            cycle += g[i] * 1e-3 / 3.6e6;   /* g/kWh -> kg/J */
        double hours = f->run_time_s / 3600, cycles = floor(hours / n), rest = hours - cycles * n;
        f->co2_kg = p * 3600 * cycles * cycle;
        for (int i = 0; i < n && rest > 0; i++, rest -= 1)
            f->co2_kg += p * 3600 * fmin(1, rest) * (g[i] * 1e-3 / 3.6e6);
    } else {
        f->co2_kg = f->energy_J * s->site.carbon_kg_per_J;
    }
    /* a supply mix replaces the one grid's carbon with its sources' */
    aif_supply_eval(s, fd, f);
    if (f->supply.n > 0)
        f->co2_kg = f->supply.co2_kg;
    if (s->site.depreciation_s > 0)
        f->embodied_co2_kg = (cl->gpus * s->site.embodied_gpu_kg + f->nodes * s->site.embodied_node_kg) *
                             f->run_time_s / s->site.depreciation_s;
    return AIF_OK;
}
