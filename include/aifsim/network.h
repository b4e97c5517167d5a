/* network.h -- the cluster's network as the simulating engine sees it: a
 * topology built from a scenario's cluster, and its summary. */
#ifndef AIFSIM_NETWORK_H
#define AIFSIM_NETWORK_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Link tiers, bottom up. */
typedef enum aif_tier { AIF_TIER_SCALEUP, AIF_TIER_HOST, AIF_TIER_NIC, AIF_TIER_LEAF, AIF_TIER_SPINE, AIF_N_TIER } aif_tier;
/* names: aif_tier_names, aif_tier_name (names.h) */

typedef struct aif_topo_summary {
    char kind[24];               /* fat-tree, rail-optimized, rail-only */
    int gpus, nodes, nics_per_node, domains, domain_size;
    int planes, tiers, radix;
    char routing[12];            /* ecmp, adaptive: what the switches run (cluster.network.routing, auto resolved) */
    int leaf_down, leaf_up;      /* ports per leaf */
    int agg_down, agg_up;        /* ports per aggregation switch (3 tiers) */
    long switches[3];            /* leaf, spine/aggregation, core (physical, by ports used) */
    long links[AIF_N_TIER];      /* directed links per tier */
    double tier_bw_Bps[AIF_N_TIER];  /* capacity of all links of a tier, one direction */
    double bisection_Bps;        /* one direction, scale-out */
    double oversubscription;     /* leaf, and overall (endpoint / narrowest tier) */
    double overall_oversubscription;
    long failed_links, degraded_links;   /* cables */
    int radix_raised;            /* the default radix was doubled to fit three tiers */
    int torus[3];                /* scale-up domains wired as a torus of these sizes (0: a switch) */
} aif_topo_summary;

typedef struct aif_topo aif_topo;

/* Builds the topology of s's cluster.  Errors (a cluster too large for three
 * tiers of the given radix, more failed links than cables) name the field. */
aif_rc aif_topo_build(const aif_cluster *cl, aif_topo **out, aif_err *err);
void aif_topo_free(aif_topo *t);
/* The summary of the topology aif_topo_build would build (same errors), without its
 * per-link arrays: switch and link counts for sizing, e.g. the network's power. */
aif_rc aif_topo_summarize(const aif_cluster *cl, aif_topo_summary *out, aif_err *err);
const aif_topo_summary *aif_topo_get_summary(const aif_topo *t);

#ifdef __cplusplus
}
#endif
#endif
