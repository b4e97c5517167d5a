/* power.c -- power of a job's site: GPUs by phase of work, hosts, scale-out
 * network, storage, and the facility on top (equations in aifsim/facility.h).
 * The network is sized from the topology the scenario describes (the summary of
 * net/topology.c: its tiers, oversubscription, rails and planes), so the power
 * follows the switches and optics that fabric really has: pluggable transceivers at
 * both ends of every cable, or co-packaged optics (an engine per switch port, a
 * pluggable at the NIC's end only).  Storage is the cluster's tier (its units' power)
 * when one is named, else the site's figure per GPU. */
#include "facility/site.h"
#include "aifsim/network.h"

#include <math.h>

double aif_gpu_power_W(const aif_gpu *g, const aif_facility_data *fd, const aif_activity *a, double limit_W)
{
    const double *f = fd->gpu_phase_fraction;
    double cap = limit_W > 0 && limit_W < g->tdp_W ? limit_W : g->tdp_W;
    double pc = fmin(f[0] * g->tdp_W, cap), pm = fmin(f[1] * g->tdp_W, cap), px = fmin(f[2] * g->tdp_W, cap),
           pi = fmin(f[3] * g->tdp_W, cap);
    return a->compute * pc + a->memory * pm + a->comm * px + a->idle * pi;
}

double aif_clock_factor(const aif_gpu *g, const aif_facility_data *fd, double limit_W)
{
    if (limit_W <= 0 || limit_W >= g->tdp_W)
        return 1.0;
    double idle = fd->gpu_phase_fraction[3] * g->tdp_W;
    if (limit_W <= idle)
        return 0.05;   /* the GPU barely runs; a floor keeps time finite */
    double c = cbrt((limit_W - idle) / (g->tdp_W - idle));
    return c < 0.05 ? 0.05 : c;
}

void aif_facility_apply_limits(aif_scenario *s, const aif_facility_data *fd)
{
    s->cluster.clock_factor = aif_clock_factor(&s->cluster.gpu, fd, s->site.gpu_power_limit_W);
}

int aif_nodes_per_rack(const aif_scenario *s, const aif_facility_data *fd)
{
    int npr;
    if (s->site.nodes_per_rack > 0)
        npr = s->site.nodes_per_rack;
    else if (s->cluster.scaleup_domain > s->cluster.gpus_per_node)   /* a rack-scale NVLink domain (NVL72) */
        npr = s->cluster.scaleup_domain / s->cluster.gpus_per_node;
    else
        npr = fd->nodes_per_rack;   /* data/facility.yaml (DGX SuperPOD: four systems per rack) */
    int nodes = (s->cluster.gpus + s->cluster.gpus_per_node - 1) / s->cluster.gpus_per_node;
    return npr < nodes ? npr : nodes;   /* a job smaller than a rack fills only part of one */
}

int aif_site_cooling(const aif_scenario *s, double rack_W)
{
    if (s->site.cooling >= 0)
        return s->site.cooling;
    int best = AIF_COOL_IMMERSION;
    for (int c = 0; c < AIF_N_COOL; c++) {
        if (rack_W <= s->site.rack_limit_W[c])
            return c;
        if (s->site.rack_limit_W[c] > s->site.rack_limit_W[best])
            best = c;
    }
    return best;   /* none holds the rack: the strongest (the site's verdict says so) */
}

/* Host power per node (CPUs, memory, NICs, NVSwitches, fans, drives, power conversion):
 * the system's host_power as drawn under training load with air-cooled fans (the HGX
 * systems' from a measured node, data/systems.yaml), else host_fraction of its GPUs' TDP,
 * less the fan power that the cooling removes. */
static double host_W(const aif_scenario *s, const aif_facility_data *fd, int cooling)
{
    const aif_system *sys = &s->cluster.system;
    double gpn = s->cluster.gpus_per_node, node_max;
    double h = sys->host_power_W > 0 ? sys->host_power_W : fd->host_tdp_frac * gpn * s->cluster.gpu.tdp_W;
    node_max = gpn * s->cluster.gpu.tdp_W + h;
    double fan_saving = (fd->cooling[AIF_COOL_AIR].fan_fraction - fd->cooling[cooling].fan_fraction) * node_max;
    return h - (fan_saving > 0 ? fan_saving : 0);
}

int aif_site_optics(const aif_cluster *cl)
{
    return cl->net.optics > 0 ? cl->net.optics - 1 : cl->fabric.optics;
}

aif_rc aif_site_infra_eval(const aif_scenario *s, const aif_facility_data *fd, aif_site_infra *out, aif_err *err)
{
    out->network_W = 0;
    out->tiers = 0;
    /* a named storage tier: its units (a job's share of them) at their power; else the
     * site's figure per GPU */
    const aif_cluster *cl = &s->cluster;
    out->storage_W = cl->storage_units > 0 ? cl->storage_units * cl->storage.power_W
                                           : cl->gpus * fd->storage_per_gpu_W;
    if (s->cluster.gpus <= s->cluster.gpus_per_node)
        return AIF_OK;   /* a job on one node crosses no scale-out switch */
    aif_topo_summary t;
    aif_rc rc = aif_topo_summarize(&s->cluster, &t, err);
    if (rc)
        return rc;
    /* Cables the job's endpoints use (a cable is two directed links): one per NIC port,
     * then at each tier up the fabric's own down:up ratio (oversubscription), so a fabric
     * whose leaves have free down ports is cabled for the endpoints it has; a full fabric
     * gives exactly the topology's link counts.  A NIC-to-leaf cable takes one switch
     * port (the NIC is host power), a switch-to-switch cable two; every cable has a
     * transceiver at each end. */
    double nic = t.links[AIF_TIER_NIC] / 2.0;
    double leaf = t.tiers >= 2 && t.leaf_down > 0 ? nic * t.leaf_up / t.leaf_down : 0;
    double spine = t.tiers >= 3 && t.agg_down > 0 ? leaf * t.agg_up / t.agg_down : 0;
    /* per port and per cable end: the scale-out fabric's own figures where its catalog
     * entry gives them (800G ports and co-packaged optics differ from the site's
     * defaults), else data/facility.yaml's */
    const aif_fabric *fab = &s->cluster.fabric;
    double sw_W = fab->switch_per_port_W > 0 ? fab->switch_per_port_W : fd->switch_per_port_W;
    double op_W = fab->optic_per_port_W > 0 ? fab->optic_per_port_W : fd->optic_per_port_W;
    double ports = nic + 2 * (leaf + spine);
    if (aif_site_optics(cl) == AIF_OPTICS_CPO) {
        /* co-packaged optics: an optical engine in every switch port, a pluggable
         * transceiver only at each NIC's end of its cable */
        double cpo_W = fab->cpo_per_port_W > 0 ? fab->cpo_per_port_W : fd->cpo_per_port_W;
        out->network_W = ports * (sw_W + cpo_W) + nic * op_W;
    } else {
        out->network_W = ports * sw_W + 2 * (nic + leaf + spine) * op_W;
    }
    out->tiers = t.tiers;
    return AIF_OK;
}

void aif_site_power_cooled(const aif_scenario *s, const aif_facility_data *fd, const aif_activity *a, int cooling,
                           double pue, const aif_site_infra *infra, aif_site_power *out)
{
    double n = s->cluster.gpus, gpn = s->cluster.gpus_per_node;
    int nodes = (int)ceil(n / gpn);
    out->per_gpu_W = aif_gpu_power_W(&s->cluster.gpu, fd, a, s->site.gpu_power_limit_W);
    out->gpu_W = n * out->per_gpu_W;
    out->host_W = nodes * host_W(s, fd, cooling);
    out->network_W = infra->network_W;
    out->storage_W = infra->storage_W;
    out->it_W = out->gpu_W + out->host_W + out->network_W + out->storage_W;
    out->facility_W = out->it_W * pue;
    out->node_W = gpn * out->per_gpu_W + host_W(s, fd, cooling);
    out->rack_W = aif_nodes_per_rack(s, fd) * out->node_W;
}

double aif_site_pue(const aif_scenario *s, const aif_facility_data *fd, int cooling)
{
    return s->site.pue >= 1 ? s->site.pue : fd->cooling[cooling].pue[s->site.climate];
}

/* power at activity a with the network and storage already sized */
static void power_at(const aif_scenario *s, const aif_facility_data *fd, const aif_site_infra *infra,
                     const aif_activity *a, aif_site_power *out)
{
    aif_activity busy = {1, 0, 0, 0};
    aif_site_power peak;
    aif_site_power_cooled(s, fd, &busy, AIF_COOL_AIR, 1, infra, &peak);
    int cooling = aif_site_cooling(s, peak.rack_W);
    aif_site_power_cooled(s, fd, a, cooling, aif_site_pue(s, fd, cooling), infra, out);
}

aif_rc aif_site_power_at(const aif_scenario *s, const aif_facility_data *fd, const aif_activity *a,
                         aif_site_power *out, aif_err *err)
{
    aif_site_infra infra;
    aif_rc rc = aif_site_infra_eval(s, fd, &infra, err);
    if (rc)
        return rc;
    power_at(s, fd, &infra, a, out);
    return AIF_OK;
}

aif_rc aif_site_power_series(const aif_scenario *s, const aif_facility_data *fd, const aif_activity_sample *in, int n,
                             aif_power_point *out, aif_err *err)
{
    aif_site_infra infra;
    aif_rc rc = aif_site_infra_eval(s, fd, &infra, err);
    if (rc)
        return rc;
    for (int i = 0; i < n; i++) {
        aif_site_power p;
        power_at(s, fd, &infra, &in[i].a, &p);
        out[i] = (aif_power_point){in[i].t_s, p.facility_W};
    }
    return AIF_OK;
}

double aif_energy_J(const aif_power_point *p, int n, double t_end_s)
{
    double e = 0;
    for (int i = 0; i < n; i++) {
        double t1 = i + 1 < n ? p[i + 1].t_s : t_end_s;
        e += p[i].power_W * (t1 - p[i].t_s);
    }
    return e;
}
