/* supply.c -- where a site's energy comes from and how a battery smooths what it
 * draws (include/aifsim/facility.h: aif_supply_result, aif_battery_result have the
 * equations).  Reads only the scenario and the facility result it is given: the
 * run's power (run_profile, facility_avg_W), the step's profile and swings.
 * Invariants: every source gives at most its nameplate times the hour's capacity
 * factor; sources are taken in merit order (price, then the scenario's order);
 * the energy of the sources plus the energy not served equals the run's energy;
 * a battery never delivers more power than its rating nor more energy than half
 * its capacity within a step. */
#include "facility/site.h"
#include "base/base.h"

#include <math.h>
#include <string.h>

void aif_battery_eval(const aif_scenario *s, const aif_facility_data *fd, aif_facility_result *f)
{
    aif_battery_result *b = &f->battery;
    const aif_battery *in = &s->site.battery;
    memset(b, 0, sizeof *b);
    b->rack_storage_J = fd->rack_storage_per_gpu_J * s->cluster.gpus;
    b->mode = in->mode;
    if (in->mode == AIF_BATTERY_NONE || !f->power_known)
        return;
    b->efficiency = in->efficiency > 0 ? in->efficiency : fd->battery_efficiency;
    if (!(b->efficiency > 0))
        b->efficiency = 1;
    b->ride_through_s = in->ride_through_s > 0 ? in->ride_through_s : fd->battery_ride_through_s;
    if (in->mode == AIF_BATTERY_AUTO) {
        b->power_W = f->stop_swing_W;
        b->capacity_J = b->power_W * b->ride_through_s;
    } else {
        b->power_W = in->power_W;
        b->capacity_J = in->capacity_J;
    }
    /* within a step: hold the grid at the step's average */
    double avg = f->facility_avg_W, dis = 0;
    double hi = fmax(avg, f->facility_low_W + f->swing_W - b->power_W), lo = fmin(avg, f->facility_low_W + b->power_W);
    for (int i = 0; i < f->n_profile; i++) {
        double t1 = i + 1 < f->n_profile ? f->profile[i + 1].t_s : f->step_time_s;
        double p = f->profile[i].power_W, d = t1 - f->profile[i].t_s;
        if (p > avg)
            dis += fmin(b->power_W, p - avg) * d;
        hi = fmax(hi, p - b->power_W);
        lo = fmin(lo, p + b->power_W);
    }
    b->step_cycle_J = dis;
    b->grid_swing_W = dis <= b->capacity_J / 2 ? fmax(0, hi - lo) : f->swing_W;
    if (f->n_profile == 0) {
        b->step_cycle_J = 0;
        b->grid_swing_W = 0;
    }
    /* a full stop: absorb the swing while there is room */
    double absorb = fmin(b->power_W, f->stop_swing_W);
    b->grid_stop_swing_W = f->stop_swing_W - absorb;
    b->hold_s = absorb > 0 ? b->capacity_J / absorb : 0;
    double through = fmin(b->capacity_J, absorb * b->ride_through_s);
    b->dip_loss_J = through * (1 / b->efficiency - 1);
    double steps = f->step_time_s > 0 ? f->run_time_s / f->step_time_s : 0;
    b->loss_J = steps * b->step_cycle_J * (1 / b->efficiency - 1);
}

/* Average of the run's facility power over [t0, t1): the run profile inside the run,
 * the steady draw beyond its end (a day's chart of a run shorter than a day). */
static double draw_over(const aif_facility_result *f, double t0, double t1)
{
    double e = 0;
    double end = f->run_time_s;
    for (int i = 0; i < f->n_run_profile; i++) {
        double a = f->run_profile[i].t_s;
        double z = i + 1 < f->n_run_profile ? f->run_profile[i + 1].t_s : end;
        double x0 = fmax(a, t0), x1 = fmin(z, t1);
        if (x1 > x0)
            e += f->run_profile[i].power_W * (x1 - x0);
    }
    if (t1 > end)
        e += f->facility_avg_W * (t1 - fmax(t0, end));
    return t1 > t0 ? e / (t1 - t0) : 0;
}

void aif_supply_eval(const aif_scenario *s, const aif_facility_data *fd, aif_facility_result *f)
{
    aif_supply_result *r = &f->supply;
    const aif_site *site = &s->site;
    (void)fd;
    memset(r, 0, sizeof *r);
    if (site->n_supply == 0 || !f->power_known)
        return;
    r->n = site->n_supply;
    double cap[AIF_MAX_SUPPLY];
    for (int i = 0; i < r->n; i++) {
        const aif_supply_source *src = &site->supply[i];
        aif_supply_line *l = &r->src[i];
        l->kind = src->kind;
        l->capacity_W = src->capacity_W > 0 ? src->capacity_W
                        : src->share > 0 ? src->share * f->facility_peak_W
                        : src->kind == AIF_SUPPLY_GRID ? site->power_cap_W : 0;
        cap[i] = l->capacity_W > 0 ? l->capacity_W : INFINITY;
        l->usd_per_J = src->usd_per_J >= 0 ? src->usd_per_J : site->electricity_usd_per_J;
        l->kg_per_J = src->carbon_kg_per_J >= 0 ? src->carbon_kg_per_J : site->carbon_kg_per_J;
        /* merit order: insertion by price, the scenario's order among equals */
        int j = i;
        while (j > 0 && r->src[r->order[j - 1]].usd_per_J > l->usd_per_J) {
            r->order[j] = r->order[j - 1];
            j--;
        }
        r->order[j] = i;
    }
    /* the grid's hourly carbon, when facility.carbon is a series */
    int hourly_grid = site->n_carbon_hours > 0;
    /* losses of the battery are drawn evenly over the run */
    double loss_W = f->run_time_s > 0 ? f->battery.loss_J / f->run_time_s : 0;
    double total_h = f->run_time_s / 3600;
    long n_h = (long)ceil(total_h);
    r->hours = (int)(n_h < AIF_SUPPLY_MAX_HOURS ? n_h : AIF_SUPPLY_MAX_HOURS);
    double scale = n_h > AIF_SUPPLY_MAX_HOURS ? total_h / AIF_SUPPLY_MAX_HOURS : 1;
    long last = r->hours > AIF_SUPPLY_DAY ? r->hours : AIF_SUPPLY_DAY;
    for (long h = 0; h < last; h++) {
        double t0 = h * 3600.0, t1 = t0 + 3600;
        bool in_run = h < r->hours;
        double len_s = in_run && scale == 1 ? fmin(t1, f->run_time_s) - t0 : 3600;
        double need = draw_over(f, t0, in_run && scale == 1 ? fmin(t1, f->run_time_s) : t1) + loss_W;
        double avail_all = 0, left = need;
        for (int k = 0; k < r->n; k++) {
            int i = r->order[k];
            const aif_supply_source *src = &site->supply[i];
            aif_supply_line *l = &r->src[i];
            double cf = src->n_hours > 0 ? src->cf[h % src->n_hours] : 1;
            double avail = cap[i] * cf;
            double take = fmin(avail, left);
            left -= take;
            if (h < AIF_SUPPLY_DAY)
                l->day_W[h] = take;
            if (isfinite(avail))
                avail_all += avail;
            else
                avail_all = INFINITY;
            if (!in_run)
                continue;
            double e = take * len_s * scale;
            double kg = l->kg_per_J;
            if (src->kind == AIF_SUPPLY_GRID && src->carbon_kg_per_J < 0 && hourly_grid)
                kg = site->carbon_g_per_kWh[h % site->n_carbon_hours] * 1e-3 / 3.6e6;
            l->energy_J += e;
            l->usd += e * l->usd_per_J;
            l->co2_kg += e * kg;
            if (isfinite(avail) && src->kind != AIF_SUPPLY_GRID && src->kind != AIF_SUPPLY_GAS_TURBINE)
                r->unused_J += (avail - take) * len_s * scale;
        }
        if (h < AIF_SUPPLY_DAY) {
            r->day_draw_W[h] = need;
            r->day_avail_W[h] = isfinite(avail_all) ? avail_all : -1;   /* -1: unlimited */
        }
        if (in_run && left > need * 1e-9 && left > 1e-6) {
            r->short_h += len_s / 3600 * scale;
            r->short_J += left * len_s * scale;
        }
    }
    for (int i = 0; i < r->n; i++) {
        aif_supply_line *l = &r->src[i];
        r->energy_J += l->energy_J;
        r->usd += l->usd;
        r->co2_kg += l->co2_kg;
        if (site->supply[i].kind == AIF_SUPPLY_GRID && hourly_grid && site->supply[i].carbon_kg_per_J < 0)
            l->kg_per_J = l->energy_J > 0 ? l->co2_kg / l->energy_J : l->kg_per_J;
    }
    r->usd_per_J = r->energy_J > 0 ? r->usd / r->energy_J : 0;
    r->kg_per_J = r->energy_J > 0 ? r->co2_kg / r->energy_J : 0;
}
