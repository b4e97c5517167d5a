/* topology.c -- building the Clos and routing on it (see topology.h). */
#include "net/topology.h"
#include "aifsim/names.h"
#include "base/base.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A job fills whole scale-up domains: the largest multiple of the node size, at
 * most the domain, that divides the job's GPUs (256 GPUs on NVL72 racks run as
 * four 64-GPU domains, not three of 72 and one of 40), so that groups the
 * analytical engine places inside a domain are inside one here too. */
int aif_topo_domain_used(const aif_cluster *cl)
{
    int gpn = cl->gpus_per_node, dom = cl->scaleup_domain < cl->gpus ? cl->scaleup_domain : cl->gpus;
    if (dom <= gpn)
        return dom < 1 ? 1 : dom;   /* domains inside a node, or a job smaller than one */
    int d = dom / gpn * gpn;
    while (d > gpn && cl->gpus % d)
        d -= gpn;
    return d < 1 ? 1 : d;
}

static int rail_of(const aif_topo *t, int gpu) { return (int)((long)(gpu % t->gpn) * t->nics / t->gpn); }
int aif_topo_nic_of(const aif_topo *t, int gpu) { return gpu / t->gpn * t->nics + rail_of(t, gpu); }

/* leaves in one plane for down-ports d */
static long leaves_for(int kind, long nodes, int nics, int d)
{
    if (kind == AIF_TOPO_RAIL_ONLY)
        return (nodes + d - 1) / d;
    if (kind == AIF_TOPO_RAIL_OPTIMIZED)
        return (nodes + d - 1) / d * nics;
    return (nodes * nics + d - 1) / d;
}

static int down_ports(int radix, double over)
{
    int d = (int)lround(radix * over / (1 + over));
    return d < 1 ? 1 : d >= radix ? radix - 1 : d;
}

/* plane-local endpoint index and leaf of NIC port `nic` of `node` */
static void endpoint(const aif_topo *t, int node, int nic, long *ep, long *leaf)
{
    if (t->kind == AIF_TOPO_RAIL_ONLY) {
        *ep = node;
        *leaf = node / t->D;
    } else if (t->kind == AIF_TOPO_RAIL_OPTIMIZED) {
        *ep = (long)node * t->nics + nic;
        *leaf = (long)(node / t->D) * t->nics + nic;
    } else {
        *ep = (long)node * t->nics + nic;
        *leaf = *ep / t->D;
    }
}

/* one random cable (both directions) among the switch-to-switch links not yet touched */
static long pick_cable(aif_topo *t, uint64_t *rng, long cables, const unsigned char *used)
{
    for (;;) {
        *rng = aif_mix64(*rng);
        long c = (long)(*rng % (uint64_t)cables);
        if (!used[c])
            return c;
    }
}

/* the two links of cable c (numbered over the planes' leaf-spine then spine-core cables) */
static void cable_links(const aif_topo *t, long c, long *up, long *down)
{
    long per_plane = (t->p_leaf_down - t->p_leaf_up) + (t->p_agg_down - t->p_agg_up);
    long p = c / per_plane, k = c % per_plane, base = t->off_plane + p * t->links_per_plane;
    long n1 = t->p_leaf_down - t->p_leaf_up;
    if (k < n1) {
        *up = base + t->p_leaf_up + k;
        *down = base + t->p_leaf_down + k;
    } else {
        k -= n1;
        *up = base + t->p_agg_up + k;
        *down = base + t->p_agg_down + k;
    }
}

/* The shape, link offsets and summary of cl's topology; with_links also fills the
 * per-link capacities (and the failed and degraded cables), without them t->cap is NULL. */
static aif_rc build(const aif_cluster *cl, int with_links, aif_topo **out, aif_err *err)
{
    *out = NULL;
    const aif_network *nw = &cl->net;
    int gpn = cl->gpus_per_node, nics = cl->nics_per_node;
    long nodes = (cl->gpus + gpn - 1) / gpn;
    int kind = nw->topology == AIF_TOPO_AUTO ? (nics > 1 ? AIF_TOPO_RAIL_OPTIMIZED : AIF_TOPO_FAT_TREE) : nw->topology;
    if (kind == AIF_TOPO_RAIL_ONLY && cl->scaleup_domain < 2 && nics > 1)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network.topology",
                           "rail-only needs a scale-up domain to reach other rails (scaleup_domain is 1); "
                           "use rail-optimized or fat-tree");
    int planes = kind == AIF_TOPO_RAIL_ONLY ? nics * nw->planes : nw->planes;
    long ep = kind == AIF_TOPO_RAIL_ONLY ? nodes : nodes * nics;
    int radix = nw->radix ? nw->radix : cl->fabric.switch_radix, raised = 0;
    if (radix < 4)
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "cluster.fabric",
                           "fabric '%s' has no switch radix (a bug in aifsim)", cl->fabric.name);
    int D, U, tiers, P = 0, A = 0;
    long L, pods = 0;
    for (;;) {
        D = down_ports(radix, nw->oversubscription);
        U = radix - D;
        L = leaves_for(kind, nodes, nics, D);
        tiers = L == 1 ? 1 : L <= radix ? 2 : 3;
        if (nw->tiers > tiers)
            tiers = nw->tiers;
        if (tiers < 3)
            break;
        P = down_ports(radix, nw->spine_oversubscription);
        A = radix - P;
        pods = (L + P - 1) / P;
        if (pods <= radix)
            break;
        if (nw->radix || radix >= 4096)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network.radix",
                               "%ld endpoints per plane need %ld leaves, more than three tiers of radix-%d switches "
                               "hold (%ld pods of %d leaves, at most %d); raise radix or add planes",
                               ep, L, radix, pods, P, radix);
        radix *= 2;
        raised = 1;
    }
    if (nw->tiers && nw->tiers < tiers)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network.tiers",
                           "%ld leaves of radix %d need %d tiers, not %d", L, radix, tiers, nw->tiers);
    if (tiers == 1)
        U = 0;
    if (tiers == 3 && pods == 0) {   /* three tiers asked for a cluster that fits fewer */
        P = down_ports(radix, nw->spine_oversubscription);
        A = radix - P;
        pods = (L + P - 1) / P;
    }
    aif_topo *t = calloc(1, sizeof *t);
    if (!t)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "network", "out of memory");
    t->gpus = cl->gpus;
    t->gpn = gpn;
    t->nics = nics;
    t->nodes = (int)nodes;
    t->dom = aif_topo_domain_used(cl);
    t->kind = kind;
    t->planes = planes;
    t->tiers = tiers;
    t->radix = radix;
    t->rail_pxn = nics > 1 && kind != AIF_TOPO_FAT_TREE && cl->scaleup_domain >= gpn && gpn > 1;
    t->ep_per_plane = (int)ep;
    t->leaves = (int)L;
    t->D = D;
    t->U = U;
    t->pods = (int)pods;
    t->P = P;
    t->A = A;
    t->routing = aif_net_routing(cl);
    t->gpudirect = nw->gpudirect;
    t->seed = nw->seed;
    t->torus = (cl->scaleup.kind == AIF_FAB_ICI || cl->scaleup.kind == AIF_FAB_NEURONLINK) && cl->scaleup_domain > 1;
    if (t->torus) {
        /* the most even factorisation of the domain into 3 (ICI) or 2 (NeuronLink) dimensions */
        int nd = cl->scaleup.kind == AIF_FAB_ICI ? 3 : 2, dom = t->dom, best = -1;
        for (int a = 1; a <= dom; a++)
            for (int b = a; (long)a * b <= dom; b++) {
                if (dom % (a * b))
                    continue;
                int c = dom / (a * b);
                if (c < b || (nd == 2 && a != 1))
                    continue;
                int spread = c - (nd == 2 ? b : a);
                if (best < 0 || spread < best) {
                    best = spread;
                    t->tdim[0] = c;
                    t->tdim[1] = b;
                    t->tdim[2] = a;
                }
            }
        t->tnd = nd;
        int diameter = t->tdim[0] / 2 + t->tdim[1] / 2 + t->tdim[2] / 2;
        if (cl->gpus % t->dom || diameter > AIF_TOPO_MAX_HOPS / 3) {
            int dm = t->dom;
            aif_topo_free(t);
            if (cl->gpus % dm)
                return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.gpus",
                                   "a torus is built of whole domains: %d chips are not a multiple of the %d-chip "
                                   "domain", cl->gpus, dm);
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.scaleup_domain",
                               "a %d-chip torus is %d hops across, more than the router follows (%d); use "
                               "smaller domains", dm, diameter, AIF_TOPO_MAX_HOPS / 3);
        }
    }
    t->off_su_up = 0;
    t->off_su_down = cl->gpus;
    t->off_host = (t->torus ? 6L : 2L) * cl->gpus;
    t->off_plane = t->off_host + nodes;
    t->p_nic_up = 0;
    t->p_nic_down = ep;
    t->p_leaf_up = 2 * ep;
    t->p_leaf_down = t->p_leaf_up + (tiers >= 2 ? L * U : 0);
    t->p_agg_up = t->p_leaf_down + (tiers >= 2 ? L * U : 0);
    t->p_agg_down = t->p_agg_up + (tiers == 3 ? pods * U * A : 0);
    t->links_per_plane = t->p_agg_down + (tiers == 3 ? pods * U * A : 0);
    t->n_links = t->off_plane + planes * t->links_per_plane;
    t->cap = with_links ? malloc((size_t)t->n_links * sizeof *t->cap) : NULL;
    if (with_links && !t->cap) {
        long n = t->n_links;
        aif_topo_free(t);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "network", "out of memory for %ld links", n);
    }
    double su = cl->scaleup.port_bw_Bps * cl->scaleup.efficiency / (t->torus ? 2 * t->tnd : 1);
    double port = cl->nic_bw_Bps / nw->planes * cl->fabric.efficiency;
    double sw = port * (1 - nw->congestion_loss);
    for (long l = 0; with_links && l < t->off_host; l++)
        t->cap[l] = (float)su;
    for (long l = t->off_host; with_links && l < t->off_plane; l++)
        t->cap[l] = (float)nw->host_bw_Bps;
    for (long l = t->off_plane; with_links && l < t->n_links; l++)
        t->cap[l] = (float)(aif_topo_tier(t, l) == AIF_TIER_NIC ? port : sw);

    aif_topo_summary *s = &t->sum;
    long cables = planes * ((t->p_leaf_down - t->p_leaf_up) + (t->p_agg_down - t->p_agg_up));
    if (nw->failed_links + nw->degraded_links > cables) {
        aif_topo_free(t);
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network.failed_links",
                           "%d failed and %d degraded links, but the fabric has %ld switch-to-switch cables",
                           nw->failed_links, nw->degraded_links, cables);
    }
    t->uniform_sw = nw->failed_links + nw->degraded_links == 0;
    if (with_links && nw->failed_links + nw->degraded_links > 0) {
        unsigned char *used = calloc((size_t)cables, 1);
        if (!used) {
            aif_topo_free(t);
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "network", "out of memory");
        }
        uint64_t rng = aif_mix64(nw->seed ^ 0x6c696e6bull);
        for (int i = 0; i < nw->failed_links + nw->degraded_links; i++) {
            long c = pick_cable(t, &rng, cables, used), up, down;
            used[c] = 1;
            cable_links(t, c, &up, &down);
            float f = i < nw->failed_links ? 0.0f : (float)nw->degraded_factor;
            t->cap[up] *= f;
            t->cap[down] *= f;
        }
        free(used);
        t->any_failed = nw->failed_links > 0;
    }
    aif_strlcpy(s->kind, aif_topo_kind_name((aif_topo_kind)kind), sizeof s->kind);
    s->gpus = cl->gpus;
    s->nodes = (int)nodes;
    s->nics_per_node = nics;
    s->domain_size = t->dom;
    s->domains = (cl->gpus + t->dom - 1) / t->dom;
    s->planes = planes;
    aif_strlcpy(s->routing, aif_routing_name((aif_routing)aif_net_routing(cl)), sizeof s->routing);
    s->tiers = tiers;
    s->radix = radix;
    s->radix_raised = raised;
    s->leaf_down = D;
    s->leaf_up = U;
    s->agg_down = P;
    s->agg_up = A;
    s->switches[0] = planes * L;
    s->switches[1] = tiers == 2 ? planes * ((L * U + radix - 1) / radix) : tiers == 3 ? planes * pods * U : 0;
    s->switches[2] = tiers == 3 ? planes * ((pods * U * A + radix - 1) / radix) : 0;
    s->links[AIF_TIER_SCALEUP] = cl->scaleup_domain > 1 ? (t->torus ? 2L * t->tnd : 2L) * cl->gpus : 0;
    s->torus[0] = t->torus ? t->tdim[0] : 0;
    s->torus[1] = t->torus ? t->tdim[1] : 0;
    s->torus[2] = t->torus ? t->tdim[2] : 0;
    s->links[AIF_TIER_HOST] = nw->gpudirect ? 0 : nodes;
    s->links[AIF_TIER_NIC] = planes * 2 * ep;
    s->links[AIF_TIER_LEAF] = planes * (t->p_agg_up - t->p_leaf_up);
    s->links[AIF_TIER_SPINE] = planes * (t->links_per_plane - t->p_agg_up);
    double raw = cl->nic_bw_Bps / nw->planes;
    s->tier_bw_Bps[AIF_TIER_SCALEUP] = (double)cl->gpus * (cl->scaleup_domain > 1) * cl->scaleup.port_bw_Bps;
    s->tier_bw_Bps[AIF_TIER_HOST] = s->links[AIF_TIER_HOST] * nw->host_bw_Bps;
    for (int k = AIF_TIER_NIC; k <= AIF_TIER_SPINE; k++)
        s->tier_bw_Bps[k] = s->links[k] / 2 * raw;
    /* half the endpoints talk to the other half: half of the narrowest tier's upward capacity */
    double narrow = s->tier_bw_Bps[AIF_TIER_NIC];
    if (tiers >= 2 && s->tier_bw_Bps[AIF_TIER_LEAF] < narrow)
        narrow = s->tier_bw_Bps[AIF_TIER_LEAF];
    if (tiers == 3 && s->tier_bw_Bps[AIF_TIER_SPINE] < narrow)
        narrow = s->tier_bw_Bps[AIF_TIER_SPINE];
    s->bisection_Bps = narrow / 2;
    s->oversubscription = tiers >= 2 ? (double)D / U : 1;
    s->overall_oversubscription = s->tier_bw_Bps[AIF_TIER_NIC] / narrow;
    s->failed_links = nw->failed_links;
    s->degraded_links = nw->degraded_links;
    *out = t;
    return AIF_OK;
}

aif_rc aif_topo_build(const aif_cluster *cl, aif_topo **out, aif_err *err)
{
    return build(cl, 1, out, err);
}

aif_rc aif_topo_summarize(const aif_cluster *cl, aif_topo_summary *out, aif_err *err)
{
    aif_topo *t;
    aif_rc rc = build(cl, 0, &t, err);
    if (rc)
        return rc;
    *out = t->sum;
    aif_topo_free(t);
    return AIF_OK;
}

void aif_topo_free(aif_topo *t)
{
    if (!t)
        return;
    free(t->cap);
    free(t);
}

const aif_topo_summary *aif_topo_get_summary(const aif_topo *t) { return &t->sum; }

static double util(const aif_topo *t, const float *load, long l)
{
    return load ? load[l] / t->cap[l] : 0;
}

/* What adaptive routing compares two candidate ports by: the larger of the two
 * links' utilisations (never NaN: capacities are checked positive first), or, when
 * every switch link has one capacity C, the larger load itself: for float loads
 * a < b the double quotients a / C < b / C keep the order (they differ by 2^-24
 * relative at least, rounding moves each by 2^-53) and equal loads give equal
 * quotients, so the least-loaded port is the same, without two divisions per
 * candidate (with fmax, a libm call, they were most of adaptive routing at 1M GPUs). */
static double util2(const aif_topo *t, const float *load, long a, long b)
{
    if (load && t->uniform_sw)
        return load[a] > load[b] ? load[a] : load[b];
    double x = util(t, load, a), y = util(t, load, b);
    return x > y ? x : y;
}

/* Where a switch's scan for its least-loaded port starts, of n: from the flow's hash
 * (the upper bits; the lower pick the plane and ECMP's path). */
static int tie_start(uint64_t h, int n) { return (int)((aif_mix64(h) >> 16) % (uint64_t)n); }

/* Adaptive routing on a fabric of one switch-link capacity, none failed: of the
 * i < n with the least max(a[i], b[i]), the first at or after `start` in cyclic
 * order, as the scan in plane_route finds it.  A switch breaks ties among equally
 * loaded ports by no fixed port: starting at the flow's hash spreads flows that see
 * the same load (those routed in different load groups, an empty network) as ECMP
 * does, where always taking port 0 would pile them on one uplink.  Loads are
 * non-negative floats, whose bits order as their values do (as int32: the sign bit
 * is 0), so the least is an integer min-of-max reduction, which the compiler
 * vectorises, and a second pass finds its index.  The scan of 128 + 128 candidate
 * ports per hop, a branch and two loads each, was most of an adaptive run at 1M
 * GPUs (docs/PERFORMANCE.md). */
static int least_loaded(const float *a, const float *b, int n, int start)
{
    int32_t m = INT32_MAX;
    for (int i = 0; i < n; i++) {
        int32_t x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        int32_t v = x > y ? x : y;
        m = v < m ? v : m;
    }
    for (int j = 0; j < n; j++) {
        int i = start + j < n ? start + j : start + j - n;
        int32_t x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        if ((x > y ? x : y) == m)
            return i;
    }
    return 0;
}

/* Hops inside plane `p` from endpoint (na, ra) to (nb, rb), each carrying `share`. */
static int plane_route(const aif_topo *t, int p, int na, int ra, int nb, int rb, uint64_t h, const float *load,
                       double share, aif_hop *o)
{
    long ea, la, eb, lb, base = t->off_plane + p * t->links_per_plane;
    endpoint(t, na, ra, &ea, &la);
    endpoint(t, nb, rb, &eb, &lb);
    int n = 0;
    o[n++] = (aif_hop){base + t->p_nic_up + ea, share};
    if (la != lb) {
        int U = t->U, A = t->A;
        long pa = t->tiers == 3 ? la / t->P : 0, pb = t->tiers == 3 ? lb / t->P : 0;
        int cross = t->tiers == 3 && pa != pb;
        long best_u = -1, best_a = 0;
        if (t->routing == AIF_ROUTE_ADAPTIVE && load && t->uniform_sw && t->cap[base + t->p_leaf_up] > 0) {
            /* every switch link live and of one capacity: the least load is the least
             * utilisation, and the first port tried is taken */
            int nu = U < 4096 ? U : 4096;   /* the ports the scan below tries */
            best_u = least_loaded(load + base + t->p_leaf_up + la * U, load + base + t->p_leaf_down + lb * U, nu,
                                  tie_start(h, nu));
            if (cross)
                best_a = least_loaded(load + base + t->p_agg_up + (pa * U + best_u) * A,
                                      load + base + t->p_agg_down + (pb * U + best_u) * A, A, tie_start(h >> 24, A));
        } else if (t->routing == AIF_ROUTE_ADAPTIVE) {
            /* each switch on the way up takes its least-loaded live port; a leaf uplink whose
             * aggregation switch has no live way on is passed over for the next best */
            unsigned char tried[4096];
            memset(tried, 0, (size_t)(U < 4096 ? U : 4096));
            int nu = U < 4096 ? U : 4096, su = tie_start(h, nu), sa = A > 0 ? tie_start(h >> 24, A) : 0;   /* A: 3 tiers */
            for (int attempt = 0; attempt < U && best_u < 0; attempt++) {
                double bu = INFINITY;
                int cu = -1;
                for (int j = 0; j < nu; j++) {   /* from su in cyclic order: ties go to the first */
                    int u = su + j < nu ? su + j : su + j - nu;
                    long up = base + t->p_leaf_up + la * U + u, dn = base + t->p_leaf_down + lb * U + u;
                    if (tried[u] || t->cap[up] <= 0 || t->cap[dn] <= 0)
                        continue;
                    double x = util2(t, load, up, dn);
                    if (x < bu) {
                        bu = x;
                        cu = u;
                    }
                }
                if (cu < 0)
                    break;
                tried[cu] = 1;
                if (!cross) {
                    best_u = cu;
                    break;
                }
                double ba = INFINITY;
                for (int j = 0; j < A; j++) {
                    int a = sa + j < A ? sa + j : sa + j - A;
                    long up = base + t->p_agg_up + (pa * U + cu) * A + a;
                    long dn = base + t->p_agg_down + (pb * U + cu) * A + a;
                    if (t->cap[up] <= 0 || t->cap[dn] <= 0)
                        continue;
                    double x = util2(t, load, up, dn);
                    if (x < ba) {
                        ba = x;
                        best_a = a;
                        best_u = cu;
                    }
                }
            }
        } else {
            /* ECMP: the hash picks a path; with failures, the next live one in hash order */
            long cands = cross ? (long)U * A : U;
            for (long i = 0; i < cands; i++) {
                long c = (long)((h + (uint64_t)i) % (uint64_t)cands);
                long u = cross ? c / A : c, a = cross ? c % A : 0;
                if (t->any_failed) {
                    if (t->cap[base + t->p_leaf_up + la * U + u] <= 0 || t->cap[base + t->p_leaf_down + lb * U + u] <= 0)
                        continue;
                    if (cross && (t->cap[base + t->p_agg_up + (pa * U + u) * A + a] <= 0 ||
                                  t->cap[base + t->p_agg_down + (pb * U + u) * A + a] <= 0))
                        continue;
                }
                best_u = u;
                best_a = a;
                break;
            }
        }
        if (best_u < 0)
            return -1;
        o[n++] = (aif_hop){base + t->p_leaf_up + la * U + best_u, share};
        if (cross) {
            o[n++] = (aif_hop){base + t->p_agg_up + (pa * U + best_u) * A + best_a, share};
            o[n++] = (aif_hop){base + t->p_agg_down + (pb * U + best_u) * A + best_a, share};
        }
        o[n++] = (aif_hop){base + t->p_leaf_down + lb * U + best_u, share};
    }
    o[n++] = (aif_hop){base + t->p_nic_down + eb, share};
    return n;
}

int aif_topo_nic_hops(const aif_topo *t, int gpu, double share, aif_hop *o)
{
    int node = gpu / t->gpn, rail = rail_of(t, gpu), n = 0;
    int per = t->kind == AIF_TOPO_RAIL_ONLY ? t->planes / t->nics : t->planes;
    int p0 = t->kind == AIF_TOPO_RAIL_ONLY ? rail * per : 0;
    for (int q = 0; q < per; q++) {
        long ep, leaf, base = t->off_plane + (p0 + q) * t->links_per_plane;
        endpoint(t, node, rail, &ep, &leaf);
        o[n++] = (aif_hop){base + t->p_nic_up + ep, share / per};
        o[n++] = (aif_hop){base + t->p_nic_down + ep, share / per};
    }
    return n;
}

int aif_topo_scaleup_route(const aif_topo *t, int a, int b, double share, aif_hop *o)
{
    if (!t->torus) {
        o[0] = (aif_hop){t->off_su_up + a, share};
        o[1] = (aif_hop){t->off_su_down + b, share};
        return 2;
    }
    /* dimension-order routing, the short way round each ring */
    int base = a / t->dom * t->dom, pa = a - base, pb = b - base, n = 0, cur = pa;
    int stride = 1;
    for (int d = 0; d < 3; d++) {
        int size = t->tdim[d];
        int ca = cur / stride % size, cb = pb / stride % size;
        int fwd = ((cb - ca) % size + size) % size, steps = fwd <= size - fwd ? fwd : size - fwd;
        int dir = fwd <= size - fwd ? 0 : 1;
        for (int k = 0; k < steps; k++) {
            o[n++] = (aif_hop){(long)(base + cur) * 6 + 2 * d + dir, share};
            int c = cur / stride % size, nc = dir == 0 ? (c + 1) % size : (c + size - 1) % size;
            cur += (nc - c) * stride;
        }
        stride *= size;
    }
    return n;
}

int aif_topo_route(const aif_topo *t, int a, int b, uint64_t salt, const float *load, aif_hop *o)
{
    if (a / t->dom == b / t->dom)
        return aif_topo_scaleup_route(t, a, b, 1, o);
    int n = 0, na = a / t->gpn, nb = b / t->gpn, ra = rail_of(t, a), rb = rail_of(t, b);
    if (ra != rb && t->rail_pxn) {
        /* PXN: over the scale-up domain to the local GPU on the destination's rail */
        int local = (rb * t->gpn + t->nics - 1) / t->nics;
        n += aif_topo_scaleup_route(t, a, na * t->gpn + local, 1, o + n);
        ra = rb;
    }
    if (!t->gpudirect)
        o[n++] = (aif_hop){t->off_host + na, 2};   /* GPU -> host memory -> NIC */
    uint64_t h = aif_mix64((uint64_t)a * 0x100000001b3ull ^ aif_mix64((uint64_t)b ^ (salt << 32) ^ t->seed));
    int per = t->kind == AIF_TOPO_RAIL_ONLY ? t->planes / t->nics : t->planes;
    int p0 = t->kind == AIF_TOPO_RAIL_ONLY ? ra * per : 0;
    if (t->kind == AIF_TOPO_RAIL_ONLY && ra != rb)
        return -1;   /* no PXN and no switch path between rails */
    if (per > 1) {
        /* a NIC with a port on each plane stripes a transfer over its ports (NCCL opens a
         * connection per port); inside each plane the path is ECMP or adaptive */
        for (int q = 0; q < per; q++) {
            int k = plane_route(t, p0 + q, na, ra, nb, rb, aif_mix64(h + (uint64_t)q) >> 8, load, 1.0 / per, o + n);
            if (k < 0)
                return -1;
            n += k;
        }
    } else {
        int k = plane_route(t, p0 + (int)(h % (uint64_t)per), na, ra, nb, rb, h >> 8, load, 1, o + n);
        if (k < 0)
            return -1;
        n += k;
    }
    if (!t->gpudirect)
        o[n++] = (aif_hop){t->off_host + nb, 2};
    return n;
}
