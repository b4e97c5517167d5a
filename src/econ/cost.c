/* cost.c -- owning against renting for a training job.
 *   capex   = systems (or GPUs) + network and storage per GPU + facility per W of IT by cooling
 *   fixed   = (systems + network + storage) / depreciation + facility / facility depreciation
 *             + operations x capex per year                                (USD per hour)
 *   owned   = fixed x run hours + electricity of the run
 *   cloud   = GPUs x training hours x price per GPU-hour (no demand response in the cloud)
 *   break-even utilisation u: owning costs as much per useful GPU-hour as renting,
 *             (fixed + P_idle c_e + u (P_busy - P_idle) c_e) / (u N) = price */
#include "facility/site.h"
#include "scenario/facility.h"

#include <string.h>

aif_rc aif_cost_eval(const aif_scenario *s, const aif_facility_data *fd, const aif_train_result *r,
                     const aif_facility_result *f, aif_cost_result *c, aif_err *err)
{
    (void)err;
    memset(c, 0, sizeof *c);
    const aif_cluster *cl = &s->cluster;
    const aif_site *site = &s->site;
    double n = cl->gpus, gpn = cl->gpus_per_node;
    double gpu_price = site->gpu_price_usd > 0 ? site->gpu_price_usd : cl->gpu.price_usd;
    if (cl->system.price_usd > 0) {
        double non_gpu = cl->system.price_usd - gpn * cl->gpu.price_usd;
        c->capex_systems_usd = f->nodes * (non_gpu > 0 ? non_gpu : 0) + n * gpu_price;
    } else {
        c->capex_systems_usd = n * gpu_price * 1.25;   /* a bare accelerator plus a share of its server */
    }
    c->capex_network_usd = n * site->network_per_gpu_usd;
    /* a named storage tier with a price: its units (the job's share); else per GPU */
    c->capex_storage_usd = cl->storage_units > 0 && cl->storage.price_usd > 0 ? cl->storage_units * cl->storage.price_usd
                                                                             : n * site->storage_per_gpu_usd;
    c->capex_facility_usd = f->it_peak_W * fd->cooling[f->cooling].capex_per_W_usd;
    c->capex_usd = c->capex_systems_usd + c->capex_network_usd + c->capex_storage_usd + c->capex_facility_usd;
    const double year_s = 365.25 * 86400;
    double hw = c->capex_systems_usd + c->capex_network_usd + c->capex_storage_usd;
    c->fixed_usd_per_hour = 3600 * (hw / site->depreciation_s + c->capex_facility_usd / site->facility_depreciation_s +
                                    site->operations_frac * c->capex_usd / year_s);
    /* a supply mix's blended price replaces cost.electricity (energy not served is
     * priced at the blend too: the run needs it from somewhere) */
    double usd_per_J = f->supply.n > 0 && f->supply.energy_J > 0 ? f->supply.usd_per_J : site->electricity_usd_per_J;
    c->energy_usd = f->energy_J * usd_per_J;
    c->owned_usd = c->fixed_usd_per_hour * f->run_time_s / 3600 + c->energy_usd;
    double gpu_hours = n * r->train_time_s / 3600;
    for (int k = 0; k < AIF_N_CLOUD; k++)
        c->cloud_usd_by_class[k] = gpu_hours * site->cloud_usd_per_gpu_hour[k];
    c->cloud_usd_per_gpu_hour = site->cloud_usd_per_gpu_hour[site->cloud_class];
    c->cloud_usd = c->cloud_usd_by_class[site->cloud_class];
    c->price_known = gpu_price > 0 || cl->system.price_usd > 0;
    c->cloud_price_known = c->cloud_usd_per_gpu_hour > 0;
    double e_busy = f->facility_avg_W * 3600 * usd_per_J;   /* USD per busy hour */
    aif_activity idle = {0, 0, 0, 1};
    aif_site_power pi;
    const aif_site_infra infra = {f->network_W, f->storage_W, f->fabric_tiers};
    aif_site_power_cooled(s, fd, &idle, f->cooling, f->pue, &infra, &pi);
    double e_idle = pi.facility_W * 3600 * usd_per_J;
    c->owned_usd_per_gpu_hour = (c->fixed_usd_per_hour + e_busy) / n;
    double denom = n * c->cloud_usd_per_gpu_hour - (e_busy - e_idle);
    c->breakeven_utilization = c->cloud_usd_per_gpu_hour <= 0 ? 0
                               : denom > 0 ? (c->fixed_usd_per_hour + e_idle) / denom : 99;
    c->api_usd_per_mtok = aif_facility_lookup(fd->api, fd->n_api, s->model.name, 0);
    c->dr_cost_usd = c->fixed_usd_per_hour * f->dr_delay_s / 3600;
    return AIF_OK;
}
