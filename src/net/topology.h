/* topology.h -- the cluster's wires: scale-up domains and the scale-out Clos,
 * built from a scenario's cluster (system, fabric, cluster.network), with
 * routing between any two GPUs.
 *
 * Links are directed (a cable is two links) and numbered in blocks, so a link's
 * tier and endpoints follow from its index and nothing per link is stored but
 * its capacity:
 *   scale-up   GPU -> domain switch, domain switch -> GPU (NVSwitch, NVL72,
 *              xGMI: a non-blocking domain), or, for ICI (3D) and NeuronLink
 *              (2D) domains, a torus: per chip one link to each neighbour, in
 *              each dimension and direction (index chip * 6 + 2 * dim + dir),
 *              sharing the chip's scale-up bandwidth; routed dimension by
 *              dimension the short way round
 *   host       one per node: host memory, crossed twice by staged transfers
 *              (GPUDirect RDMA off)
 *   nic        NIC port -> leaf, leaf -> NIC port (per plane)
 *   leaf       leaf -> spine (aggregation), spine -> leaf
 *   spine      aggregation -> core, core -> aggregation (3 tiers)
 *
 * Scale-out: `planes` identical Clos networks (a dual-plane NIC puts half its
 * bandwidth on each; rail-only builds one Clos per rail).  In a plane, leaves
 * have D down and U up ports (D:U = oversubscription, D + U = radix); with L
 * leaves, 1 tier when L = 1, 2 tiers (U spines, one link to every leaf) when
 * L <= radix, else 3 tiers: pods of P leaves with U aggregation switches each
 * (P:A = spine oversubscription, P + A = radix) and U x A logical cores, core
 * (u, a) linked to aggregation switch u of every pod.
 *
 * Routing: inside a scale-up domain over the domain; between domains from the
 * GPU's NIC (GPU i of a node uses NIC i * nics / gpus) up to the lowest common
 * tier and down.  With several rails, a transfer to a GPU on another rail first
 * crosses the scale-up domain to the local GPU on the destination's rail, as
 * NCCL's PXN does.  ECMP hashes (src, dst, salt, seed) onto one live path;
 * adaptive routing takes the least-loaded live path given the load already
 * placed by the caller (a collective's own flows).  Failed links have capacity
 * 0 and no path uses them; a leaf with no live uplink partitions the fabric. */
#ifndef AIF_TOPOLOGY_H
#define AIF_TOPOLOGY_H

#include "aifsim/network.h"

#include <stdint.h>

enum { AIF_TOPO_MAX_HOPS = 128 };   /* torus paths, host, and six hops on each of up to 8 planes */

struct aif_topo {
    aif_topo_summary sum;
    /* shape */
    int gpus, gpn, nics, nodes, dom;         /* dom: GPUs per scale-up domain */
    int kind, planes, tiers, radix;
    int rail_pxn;                            /* cross-rail transfers go over the scale-up domain first */
    int torus, tdim[3], tnd;                 /* scale-up domain wired as a torus (ICI, NeuronLink): sizes, dims */
    int ep_per_plane, leaves, D, U;          /* per plane */
    int pods, P, A;                          /* 3 tiers */
    int routing, gpudirect, any_failed;
    int uniform_sw;            /* every switch-to-switch link has one capacity (none failed or degraded) */
    unsigned seed;
    /* link blocks (first index of each) */
    long off_su_up, off_su_down, off_host, off_plane, links_per_plane;
    long p_nic_up, p_nic_down, p_leaf_up, p_leaf_down, p_agg_up, p_agg_down;   /* offsets inside a plane */
    long n_links;
    float *cap;                              /* bytes/s per link (efficiency applied); 0 = failed */
};

/* One hop of a route: a link and the share of the transfer that crosses it. */
typedef struct aif_hop {
    long link;
    double share;
} aif_hop;

/* Appends the hops of one transfer from GPU a to GPU b (a != b) to out (room
 * for AIF_TOPO_MAX_HOPS); load (may be NULL) is the load already placed per
 * link, for adaptive routing.  Returns the number of hops, or -1 when no live
 * path exists. */
int aif_topo_route(const aif_topo *t, int a, int b, uint64_t salt, const float *load, aif_hop *out);
/* Which tier a link belongs to.  Inline: pattern building asks it for every route
 * entry (millions at 1M GPUs), and with one plane it needs no division. */
static inline aif_tier aif_topo_tier(const aif_topo *t, long l)
{
    if (l < t->off_host)
        return AIF_TIER_SCALEUP;
    if (l < t->off_plane)
        return AIF_TIER_HOST;
    long k = l - t->off_plane;
    if (k >= t->links_per_plane)
        k %= t->links_per_plane;
    return k < t->p_leaf_up ? AIF_TIER_NIC : k < t->p_agg_up ? AIF_TIER_LEAF : AIF_TIER_SPINE;
}
/* GPUs per scale-up domain the job uses (whole domains; see topology.c). */
int aif_topo_domain_used(const aif_cluster *cl);
/* Hops from GPU a to GPU b inside their scale-up domain (switch or torus). */
int aif_topo_scaleup_route(const aif_topo *t, int a, int b, double share, aif_hop *out);
/* The up and down links of a GPU's NIC port(s) on every plane it uses. */
int aif_topo_nic_hops(const aif_topo *t, int gpu, double share, aif_hop *out);
/* The NIC port a GPU sends from (node * nics + nic). */
int aif_topo_nic_of(const aif_topo *t, int gpu);

#endif
