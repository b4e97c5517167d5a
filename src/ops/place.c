/* place.c (ops) -- where a job's GPUs come from: free GPUs per node kept with
 * every count derived from them (free-count buckets for best and worst fit, a max
 * segment tree for first fit and range queries, fully free nodes per scale-up
 * domain, leaf group and pod), the placements (packed, spread, first fit,
 * Kubernetes most- and least-allocated; docs/CLUSTER.md), and the cluster's
 * groups from the network model (aif_csim_topo_from).  Invariants: csim_int.h. */
#include "ops/csim_int.h"
#include "aifsim/network.h"

#include <string.h>

/* -------------------------------------------------------- node bookkeeping */

static void seg_set(sim *s, int node)
{
    int i = node + s->seg_n;
    s->seg[i] = s->nfree[node];
    for (i /= 2; i >= 1; i /= 2)
        s->seg[i] = s->seg[2 * i] > s->seg[2 * i + 1] ? s->seg[2 * i] : s->seg[2 * i + 1];
}

/* The first node in [lo, hi) with at least `need` free GPUs, or -1. */
static int seg_first(const sim *s, int i, int nlo, int nhi, int lo, int hi, int need)
{
    if (nhi <= lo || nlo >= hi || s->seg[i] < need)
        return -1;
    if (nhi - nlo == 1)
        return nlo;
    int mid = (nlo + nhi) / 2;
    int r = seg_first(s, 2 * i, nlo, mid, lo, hi, need);
    return r >= 0 ? r : seg_first(s, 2 * i + 1, mid, nhi, lo, hi, need);
}
static int first_fit(const sim *s, int lo, int hi, int need) { return seg_first(s, 1, 0, s->seg_n, lo, hi, need); }

static void bucket_out(sim *s, int n)
{
    int k = s->nfree[n];
    if (s->bprev[n] >= 0)
        s->bnext[s->bprev[n]] = s->bnext[n];
    else
        s->bhead[k] = s->bnext[n];
    if (s->bnext[n] >= 0)
        s->bprev[s->bnext[n]] = s->bprev[n];
}
void csim_bucket_in(sim *s, int n)
{
    int k = s->nfree[n];
    s->bprev[n] = -1;
    s->bnext[n] = s->bhead[k];
    if (s->bhead[k] >= 0)
        s->bprev[s->bhead[k]] = n;
    s->bhead[k] = n;
}

/* Sets node n's free count, keeping every derived count. */
void csim_set_free(sim *s, int n, int k)
{
    int gpn = s->tp.gpn, old = s->nfree[n];
    if (old == k)
        return;
    bucket_out(s, n);
    if (old == gpn) {
        s->dom_full[n / s->tp.domain_nodes]--;
        s->leaf_full[n / s->tp.leaf_nodes]--;
        s->pod_full[n / s->tp.pod_nodes]--;
    }
    if (old > 0 && old < gpn)
        s->free_partial -= old;
    s->free_gpus += k - old;
    s->nfree[n] = k;
    if (k == gpn) {
        s->dom_full[n / s->tp.domain_nodes]++;
        s->leaf_full[n / s->tp.leaf_nodes]++;
        s->pod_full[n / s->tp.pod_nodes]++;
    }
    if (k > 0 && k < gpn)
        s->free_partial += k;
    csim_bucket_in(s, n);
    seg_set(s, n);
}

int csim_node_gpus(const sim *s, int n)
{
    return (n + 1) * s->tp.gpn <= s->tp.gpus ? s->tp.gpn : s->tp.gpus - n * s->tp.gpn;
}

/* Takes `take` free GPUs of node n for job j. */
static void take_gpus(sim *s, int j, int n, int take)
{
    int gpn = s->tp.gpn;
    for (int g = n * gpn; g < (n + 1) * gpn && take > 0; g++)
        if (s->owner[g] < 0) {
            s->owner[g] = j;
            s->gnext[g] = s->jobs[j].first_gpu;
            s->jobs[j].first_gpu = g;
            take--;
            csim_set_free(s, n, s->nfree[n] - 1);
        }
}

/* ---------------------------------------------------------------- placement */

/* The node a job of g <= gpn GPUs goes to under the placement, or -1 (nothing taken). */
int csim_pick_node(const sim *s, int g)
{
    int n = -1, gpn = s->tp.gpn, pl = s->op->placement;
    if (pl == AIF_PLACE_FIRSTFIT)
        return first_fit(s, 0, s->tp.nodes, g);
    if (pl == AIF_PLACE_PACKED || pl == AIF_PLACE_MOST_ALLOCATED) {
        for (int k = g; k <= gpn && n < 0; k++)   /* best fit: the fullest node that fits */
            n = s->bhead[k];
    } else {
        for (int k = gpn; k >= g && n < 0; k--)   /* worst fit: the emptiest node */
            n = s->bhead[k];
    }
    return n;
}

/* Chooses nodes for job j and takes its GPUs; false (nothing taken) when it does not fit now. */
bool csim_place(sim *s, int j, int *took_full)
{
    sjob *jb = &s->jobs[j];
    int gpn = s->tp.gpn, g = jb->gpus, pl = s->op->placement;
    *took_full = 0;
    if (g > s->free_gpus)
        return false;
    if (g <= gpn) {
        int n = csim_pick_node(s, g);
        if (n < 0)
            return false;
        *took_full = s->nfree[n] == gpn;
        take_gpus(s, j, n, g);
        return true;
    }
    int need = (g + gpn - 1) / gpn;
    int lo = 0, hi = s->tp.nodes;
    long full_total = 0;
    for (int p = 0; p * s->tp.pod_nodes < s->tp.nodes; p++)
        full_total += s->pod_full[p];
    if (full_total < need)
        return false;
    if (pl == AIF_PLACE_PACKED) {
        /* the smallest group (domain, leaf, pod) with enough fully free nodes, best fit */
        const int sizes[3] = {s->tp.domain_nodes, s->tp.leaf_nodes, s->tp.pod_nodes};
        int *cnt[3] = {s->dom_full, s->leaf_full, s->pod_full};
        bool found = false;
        for (int lvl = 0; lvl < 3 && !found; lvl++) {
            if (sizes[lvl] < need)
                continue;
            int best = -1, groups = (s->tp.nodes + sizes[lvl] - 1) / sizes[lvl];
            for (int q = 0; q < groups; q++)
                if (cnt[lvl][q] >= need && (best < 0 || cnt[lvl][q] < cnt[lvl][best]))
                    best = q;
            if (best >= 0) {
                lo = best * sizes[lvl];
                hi = lo + sizes[lvl] < s->tp.nodes ? lo + sizes[lvl] : s->tp.nodes;
                found = true;
            }
        }
        if (!found) {   /* across pods: the fullest-free pods first */
            int pods = (s->tp.nodes + s->tp.pod_nodes - 1) / s->tp.pod_nodes, left = g;
            while (left > 0) {
                int best = -1;
                for (int q = 0; q < pods; q++)
                    if (s->pod_full[q] > 0 && (best < 0 || s->pod_full[q] > s->pod_full[best]))
                        best = q;
                AIF_ASSERT(best >= 0);
                if (best < 0)
                    return false;
                int plo = best * s->tp.pod_nodes, phi = plo + s->tp.pod_nodes;
                if (phi > s->tp.nodes)
                    phi = s->tp.nodes;
                while (left > 0 && s->pod_full[best] > 0) {
                    int n = first_fit(s, plo, phi, gpn);
                    take_gpus(s, j, n, left < gpn ? left : gpn);
                    left -= gpn;
                    (*took_full)++;
                }
            }
            return true;
        }
    } else if (pl == AIF_PLACE_SPREAD) {
        int leaves = (s->tp.nodes + s->tp.leaf_nodes - 1) / s->tp.leaf_nodes, left = g, l = 0;
        while (left > 0) {
            if (s->leaf_full[l] > 0) {
                int llo = l * s->tp.leaf_nodes, lhi = llo + s->tp.leaf_nodes;
                int n = first_fit(s, llo, lhi < s->tp.nodes ? lhi : s->tp.nodes, gpn);
                take_gpus(s, j, n, left < gpn ? left : gpn);
                left -= gpn;
                (*took_full)++;
            }
            l = (l + 1) % leaves;
        }
        return true;
    }
    for (int left = g; left > 0; left -= gpn) {
        int n = first_fit(s, lo, hi, gpn);
        AIF_ASSERT(n >= 0);
        take_gpus(s, j, n, left < gpn ? left : gpn);
        (*took_full)++;
    }
    return true;
}

void csim_release(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    for (int g = jb->first_gpu, nx; g >= 0; g = nx) {
        nx = s->gnext[g];
        s->owner[g] = -1;
        s->gnext[g] = -1;
        int n = g / s->tp.gpn;
        if (!s->down[n])
            csim_set_free(s, n, s->nfree[n] + 1);
    }
    jb->first_gpu = -1;
}

aif_rc aif_csim_topo_from(const aif_cluster *cl, aif_csim_topo *t, aif_err *err)
{
    memset(t, 0, sizeof *t);
    aif_topo_summary sm;
    aif_rc rc = aif_topo_summarize(cl, &sm, err);
    if (rc)
        return rc;
    t->gpus = cl->gpus;
    t->gpn = cl->gpus_per_node > 0 ? cl->gpus_per_node : 1;
    t->nodes = (cl->gpus + t->gpn - 1) / t->gpn;
    t->nics_per_node = cl->nics_per_node > 0 ? cl->nics_per_node : 1;
    t->domain_nodes = cl->scaleup_domain > t->gpn ? cl->scaleup_domain / t->gpn : 1;
    /* a leaf group: the nodes one leaf (fat-tree) or one rail group of leaves (rail-optimized) serves */
    int per_leaf = sm.leaf_down > 0 ? sm.leaf_down : t->nodes;
    if (!strcmp(sm.kind, "fat-tree"))
        per_leaf /= t->nics_per_node > 0 ? t->nics_per_node : 1;
    if (per_leaf < 1)
        per_leaf = 1;
    per_leaf = per_leaf / t->domain_nodes * t->domain_nodes;
    if (per_leaf < t->domain_nodes)
        per_leaf = t->domain_nodes;
    t->leaf_nodes = per_leaf < t->nodes ? per_leaf : t->nodes;
    t->pod_nodes = sm.tiers >= 3 && sm.agg_down > 0 ? t->leaf_nodes * sm.agg_down / (strcmp(sm.kind, "fat-tree") ? t->nics_per_node : 1)
                                                   : t->nodes;
    t->pod_nodes = t->pod_nodes / t->leaf_nodes * t->leaf_nodes;
    if (t->pod_nodes < t->leaf_nodes)
        t->pod_nodes = t->leaf_nodes;
    if (t->pod_nodes > t->nodes)
        t->pod_nodes = t->nodes;
    t->leaf_ratio = sm.oversubscription > 1 ? sm.oversubscription : 1;
    t->pod_ratio = sm.overall_oversubscription > t->leaf_ratio ? sm.overall_oversubscription : t->leaf_ratio;
    return AIF_OK;
}

