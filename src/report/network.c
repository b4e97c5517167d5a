/* network.c -- reports of the topology and of what the simulating engine saw on it. */
#include "report/network.h"
#include "report/format.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "report/json.h"

#include <stdlib.h>
#include <string.h>

static const char *const switch_tiers[3] = {"leaf", "spine", "core"};

void aif_report_topology_text(FILE *f, const aif_topo_summary *t)
{
    fprintf(f, "  network  %s, %d tier%s, radix %d%s, %d plane%s, %s routing; %d GPU%s in %d node%s (%d NIC%s each), "
               "%d scale-up domain%s of %d\n",
            t->kind, t->tiers, t->tiers == 1 ? "" : "s", t->radix, t->radix_raised ? " (raised to fit)" : "",
            t->planes, t->planes == 1 ? "" : "s", t->routing, t->gpus, t->gpus == 1 ? "" : "s", t->nodes, t->nodes == 1 ? "" : "s",
            t->nics_per_node, t->nics_per_node == 1 ? "" : "s", t->domains, t->domains == 1 ? "" : "s",
            t->domain_size);
    if (t->torus[0])
        fprintf(f, "           scale-up domains are %s tori of %dx%dx%d chips\n", t->torus[2] > 1 ? "3D" : "2D",
                t->torus[0], t->torus[1], t->torus[2]);
    fprintf(f, "           switches:");
    for (int k = 0; k < 3; k++)
        if (t->switches[k])
            fprintf(f, " %ld %s", t->switches[k], switch_tiers[k]);
    fprintf(f, "; leaf ports %d down / %d up", t->leaf_down, t->leaf_up);
    if (t->tiers == 3)
        fprintf(f, ", aggregation %d down / %d up", t->agg_down, t->agg_up);
    fputc('\n', f);
    fprintf(f, "           links (directed):");
    for (int k = 0; k < AIF_N_TIER; k++)
        if (t->links[k])
            fprintf(f, " %s %ld", aif_tier_names[k], t->links[k]);
    fputc('\n', f);
    char bis[32];
    aif_fmt_si(bis, sizeof bis, t->bisection_Bps * 8, "b/s");
    fprintf(f, "           bisection %s per direction, oversubscription %.3g:1 at the leaf, %.3g:1 overall", bis,
            t->oversubscription, t->overall_oversubscription);
    if (t->failed_links || t->degraded_links)
        fprintf(f, "; %ld cable%s failed, %ld degraded", t->failed_links, t->failed_links == 1 ? "" : "s",
                t->degraded_links);
    fputc('\n', f);
}

json_object *aif_report_topology_obj(const aif_topo_summary *t)
{
    json_object *o = json_object_new_object();
    aif_json_str(o, "topology", t->kind);
    aif_json_int(o, "gpus", t->gpus);
    aif_json_int(o, "nodes", t->nodes);
    aif_json_int(o, "nics_per_node", t->nics_per_node);
    aif_json_int(o, "scaleup_domains", t->domains);
    aif_json_int(o, "scaleup_domain_size", t->domain_size);
    if (t->torus[0]) {
        json_object *tor = json_object_new_array();
        for (int k = 0; k < 3; k++)
            json_object_array_add(tor, json_object_new_int(t->torus[k]));
        json_object_object_add(o, "torus", tor);
    }
    aif_json_int(o, "planes", t->planes);
    aif_json_str(o, "routing", t->routing);
    aif_json_int(o, "tiers", t->tiers);
    aif_json_int(o, "radix", t->radix);
    aif_json_int(o, "leaf_down_ports", t->leaf_down);
    aif_json_int(o, "leaf_up_ports", t->leaf_up);
    json_object *sw = json_object_new_object();
    for (int k = 0; k < 3; k++)
        aif_json_int(sw, switch_tiers[k], t->switches[k]);
    json_object_object_add(o, "switches", sw);
    json_object *ln = json_object_new_object();
    for (int k = 0; k < AIF_N_TIER; k++)
        aif_json_int(ln, aif_tier_names[k], t->links[k]);
    json_object_object_add(o, "links", ln);
    aif_json_num(o, "bisection_Gbps", t->bisection_Bps * 8 / 1e9);
    aif_json_num(o, "oversubscription", t->oversubscription);
    aif_json_num(o, "overall_oversubscription", t->overall_oversubscription);
    aif_json_int(o, "failed_links", t->failed_links);
    aif_json_int(o, "degraded_links", t->degraded_links);
    return o;
}

char *aif_report_topology_json(const aif_scenario *s, const aif_topo_summary *t)
{
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object(), *topo = aif_report_topology_obj(t);
    if (s)
        aif_report_base_json(o, s);
    json_object_object_foreach(topo, key, val) json_object_object_add(o, key, json_object_get(val));
    json_object_put(topo);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}

json_object *aif_report_network_json(const aif_sim_stats *ss)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "topology", aif_report_topology_obj(&ss->topo));
    aif_json_int(o, "timelines", ss->timelines);
    aif_json_int(o, "events", ss->events);
    aif_json_int(o, "coflows", ss->coflows);
    aif_json_int(o, "flow_updates", ss->flow_updates);
    aif_json_num(o, "comm_stretch", ss->comm_stretch);
    aif_json_int(o, "solver_links", ss->solver_links);
    if (ss->host_cores_per_node > 0)
        aif_json_num(o, "tcp_host_cores_per_node", ss->host_cores_per_node);
    json_object *u = json_object_new_object();
    for (int k = 0; k < AIF_N_TIER; k++) {
        if (!ss->topo.links[k])
            continue;
        json_object *tier = json_object_new_object();
        aif_json_num(tier, "mean", ss->tier_util_mean[k]);
        aif_json_num(tier, "max", ss->tier_util_max[k]);
        aif_json_num(tier, "bytes", ss->tier_bytes[k]);
        json_object_object_add(u, aif_tier_names[k], tier);
    }
    json_object_object_add(o, "link_utilisation", u);
    return o;
}

void aif_report_network_text(FILE *f, const aif_sim_stats *ss)
{
    fputc('\n', f);
    aif_report_topology_text(f, &ss->topo);
    fprintf(f, "           link utilisation over the step (mean / busiest link):");
    for (int k = 0; k < AIF_N_TIER; k++)
        if (ss->topo.links[k])
            fprintf(f, " %s %.1f%% / %.1f%%", aif_tier_names[k], 100 * ss->tier_util_mean[k],
                    100 * ss->tier_util_max[k]);
    fputc('\n', f);
    if (ss->host_cores_per_node > 0)
        fprintf(f, "           kernel TCP keeps %.1f host cores per node busy (sending and receiving)\n",
                ss->host_cores_per_node);
    fprintf(f, "           collectives took %.2fx their uncontended network time; %ld timeline%s, %ld event%s, "
               "%ld coflow%s, %ld solver link%s\n",
            ss->comm_stretch, ss->timelines, ss->timelines == 1 ? "" : "s", ss->events, ss->events == 1 ? "" : "s",
            ss->coflows, ss->coflows == 1 ? "" : "s", ss->solver_links, ss->solver_links == 1 ? "" : "s");
}
