/* netsim.c -- the shared network object (netsim.h): topology, link patterns,
 * max-min solver and the coflows in flight.
 *
 * Invariants: a coflow slot's generation only grows (a completion event of a
 * slot's previous coflow, or one superseded by a rate change, never matches);
 * a coflow holds a solver flow only between its start event and its completion;
 * rates are re-solved only when no event is left at the current time, so every
 * change made at one instant is solved once.
 *
 * A coflow alone on all of its solver links (no other coflow's bytes on any of
 * them) does not enter the solver: its max-min rate is its cap folded with each
 * link's C / a, computed here as the solver computes it (maxmin.c), and its
 * completion is pushed at once.  It stays out while alone; the first coflow to
 * start on one of its links moves it into the solver with the bytes it has left,
 * as the solver would have re-solved it then; one joined at the instant it
 * started goes to the solver as if it had never been alone (the same solves,
 * updates and events).  occ counts the coflows moving bytes over each solver
 * link; occ_cf names the last to arrive while it is still there (else NONE), so a
 * coflow out of the solver is named on all its links.  On `--full` most coflows are
 * tensor-parallel collectives alone in their scale-up domain: the solver's
 * add, solve and remove per coflow were a third of the run. */
#include "engine/netsim.h"
#include "base/base.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NONE = -1 };   /* no index: end of the free list, no solver flow */

typedef struct coflow {
    int pattern;               /* its link pattern */
    int mm;                    /* its solver flow while its bytes move (NONE: latency phase) */
    int owner;                 /* the driver's, passed back on completion */
    int gen;                   /* generation: completion events carry it */
    int next_free;             /* free list (NONE: end) */
    bool alone;                /* moving its bytes outside the solver, alone on its links */
    double bytes, rate, remaining, t0, t_ideal, lat, t_launch;
} coflow;

struct aif_netsim {
    aif_topo *topo;
    aif_mm *mm;
    aif_evq *q;                /* the driver's; not owned */
    aif_patterns pats;         /* collectives as link patterns, and the solver's links */
    const aif_fabric *fabric;  /* scale-out (host cores of TCP) */
    aif_fabric fab;
    coflow *cf;
    int n_cf, free_cf;
    long cap_cf;
    int *mm2cf;                /* solver flow -> coflow */
    long cap_mm2cf;
    double *link_bytes;        /* per solver link: bytes carried */
    long cap_link_bytes;
    double *scratch;           /* coefficients of the coflow being started */
    long cap_scratch;
    int *occ, *occ_cf;         /* per solver link: coflows moving bytes over it; the last to arrive */
    long cap_occ;
    int *fresh;                /* coflows started alone at this instant, timed when it is settled */
    long n_fresh, cap_fresh;
    bool dirty;                /* flows were added or removed since the last solve */
    aif_netsim_fail fail;
    aif_netsim_done_fn done;
    void *ctx;
    /* what it did */
    long coflows, updates;
    double net_sim_s, net_ideal_s;
    double tier_bytes[AIF_N_TIER];
};

static void fail(aif_netsim *n, aif_netsim_fail why)
{
    if (!n->fail)
        n->fail = why;
}

static void take_pats_err(aif_netsim *n)
{
    switch (n->pats.err) {
    case AIF_PATS_OK: break;
    case AIF_PATS_NOMEM: fail(n, AIF_NETSIM_NOMEM); break;
    case AIF_PATS_NO_PATH: fail(n, AIF_NETSIM_PARTITIONED); break;
    case AIF_PATS_OFF_NETWORK: fail(n, AIF_NETSIM_OFF_NETWORK); break;
    }
}

static void push(aif_netsim *n, double t, int kind, int id, uint32_t gen)
{
    if (aif_evq_push(n->q, t, kind, id, gen))
        fail(n, AIF_NETSIM_NOMEM);
}

aif_rc aif_netsim_new(const aif_cluster *cl, aif_evq *q, aif_netsim_done_fn done, void *ctx, aif_netsim **out,
                      aif_err *err)
{
    *out = NULL;
    aif_netsim *n = calloc(1, sizeof *n);
    if (!n)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    n->q = q;
    n->done = done;
    n->ctx = ctx;
    n->free_cf = NONE;
    n->fab = cl->fabric;
    aif_rc rc = aif_topo_build(cl, &n->topo, err);
    if (rc) {
        aif_netsim_free(n);
        return rc;
    }
    n->mm = aif_mm_new();
    if (!n->mm || aif_pats_init(&n->pats, n->topo, n->mm, &cl->scaleup, cl->gpus)) {
        aif_netsim_free(n);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    }
    *out = n;
    return AIF_OK;
}

void aif_netsim_free(aif_netsim *n)
{
    if (!n)
        return;
    aif_topo_free(n->topo);
    aif_mm_free(n->mm);
    aif_pats_free(&n->pats);
    free(n->cf);
    free(n->mm2cf);
    free(n->link_bytes);
    free(n->scratch);
    free(n->occ);
    free(n->occ_cf);
    free(n->fresh);
    free(n);
}

aif_netsim_fail aif_netsim_failed(const aif_netsim *n) { return n->fail; }

/* ------------------------------------------------------------- patterns */

static long gpu_of(const aif_netsim *n, const aif_alloc *a, long rank)
{
    return (long)a->first_node * n->topo->gpn + rank;
}

long aif_netsim_domain_of(const aif_netsim *n, const aif_alloc *a, long rank)
{
    return gpu_of(n, a, rank) / n->topo->dom;
}

bool aif_netsim_torus(const aif_netsim *n) { return n->topo->torus != 0; }

int aif_netsim_find(const aif_netsim *n, long key) { return aif_pats_find(&n->pats, key); }

void aif_netsim_group(aif_netsim *n, const aif_alloc *a, aif_coll coll, aif_coll_algo algo, long base, long stride,
                      const long *members, int size, uint64_t salt)
{
    if (members)
        aif_pats_group(&n->pats, coll, algo, gpu_of(n, a, 0), 1, members, size, salt);
    else
        aif_pats_group(&n->pats, coll, algo, gpu_of(n, a, base), stride, NULL, size, salt);
}

void aif_netsim_transfer(aif_netsim *n, const aif_alloc *a, long from, long to, uint64_t salt, double coef)
{
    aif_pats_transfer(&n->pats, gpu_of(n, a, from), gpu_of(n, a, to), salt, coef);
}

void aif_netsim_load_group(aif_netsim *n, long group) { aif_pats_load_group(&n->pats, group); }

void aif_netsim_tag(aif_netsim *n, int tag) { aif_pats_tag(&n->pats, tag); }

void aif_netsim_tag_times(aif_netsim *n, int n_tags, double *t)
{
    aif_pats_tag_times(&n->pats, n_tags, t);
    take_pats_err(n);
}

int aif_netsim_store_split(aif_netsim *n, const long *keys, int n_class, const int *class_of)
{
    int k = aif_pats_add_split(&n->pats, keys, n_class, class_of, 1);
    take_pats_err(n);
    return k;
}

void aif_netsim_discard(aif_netsim *n) { aif_pats_discard(&n->pats); }

int aif_netsim_store(aif_netsim *n, long key, double copies)
{
    int k = aif_pats_add(&n->pats, key, copies);
    take_pats_err(n);   /* out of memory, no live path, or a route off the network */
    return k;
}

void aif_netsim_seal(aif_netsim *n, bool merge)
{
    if (!n->fail && merge)
        aif_pats_make_classes(&n->pats);
    else if (!n->fail)
        aif_pats_unclassed(&n->pats);
    take_pats_err(n);
    if (!n->fail && !(n->link_bytes = calloc((size_t)n->pats.n_mm_links + 1, sizeof(double))))
        fail(n, AIF_NETSIM_NOMEM);
    n->cap_link_bytes = n->pats.n_mm_links + 1;
}

/* -------------------------------------------------------------- coflows */

int aif_netsim_start(aif_netsim *n, int p, double bytes, double t_closed_s, int owner)
{
    if (n->fail)
        return -1;
    int c;
    if (n->free_cf != NONE) {
        c = n->free_cf;
        n->free_cf = n->cf[c].next_free;
    } else {
        if (aif_grow((void **)&n->cf, &n->cap_cf, n->n_cf + 1, sizeof(coflow))) {
            fail(n, AIF_NETSIM_NOMEM);
            return -1;
        }
        c = n->n_cf++;
        n->cf[c].gen = 0;
    }
    coflow *f = &n->cf[c];
    f->pattern = p;
    f->owner = owner;
    f->bytes = bytes;
    f->mm = NONE;
    f->alone = false;
    f->gen++;   /* never reset: a stale completion of the slot's previous coflow must not match */
    const aif_pattern *pt = &n->pats.pat[p];
    f->t_ideal = pt->n > 0 && isfinite(pt->ideal_Bps) ? bytes / pt->ideal_Bps : 0;
    f->lat = t_closed_s - f->t_ideal > 0 ? t_closed_s - f->t_ideal : 0;
    f->t_launch = n->q->now;
    n->coflows++;
    if (f->t_ideal <= 0)
        push(n, n->q->now + t_closed_s, AIF_NETSIM_EV_DONE, c, (uint32_t)f->gen);
    else
        push(n, n->q->now + f->lat, AIF_NETSIM_EV_START, c, 0);
    return n->fail ? -1 : 0;
}

/* Coflow c's solver coefficients (bytes on each link per unit of progress) into scratch. */
static double *cf_coefs(aif_netsim *n, const coflow *f)
{
    const aif_pattern *pt = &n->pats.pat[f->pattern];
    if (aif_grow((void **)&n->scratch, &n->cap_scratch, pt->n, sizeof(double))) {
        fail(n, AIF_NETSIM_NOMEM);
        return NULL;
    }
    for (int i = 0; i < pt->n; i++)
        n->scratch[i] = n->pats.coef[pt->first + i] * f->bytes;
    return n->scratch;
}

/* Puts coflow c into the solver as one flow with `remaining` of its bytes left. */
static void cf_to_solver(aif_netsim *n, int c)
{
    coflow *f = &n->cf[c];
    const aif_pattern *pt = &n->pats.pat[f->pattern];
    double phi = pt->ideal_Bps / f->bytes;   /* completion per second, uncontended */
    double *coefs = cf_coefs(n, f);
    if (!coefs)
        return;
    int m = aif_mm_add_flow_coef(n->mm, n->pats.link + pt->first, coefs, pt->n, phi, phi);
    if (m < 0 || aif_grow((void **)&n->mm2cf, &n->cap_mm2cf, m + 1, sizeof(int))) {
        fail(n, AIF_NETSIM_NOMEM);
        return;
    }
    n->mm2cf[m] = c;
    f->mm = m;
    f->alone = false;
    f->gen++;   /* its completion comes from the solver's rate now */
    n->dirty = true;
}

/* Moves a coflow that was alone into the solver: another arrives on its links.
 * One that started at this instant has no rate yet (it is on the fresh list, and
 * leaves it here). */
static void cf_join(aif_netsim *n, int c)
{
    coflow *f = &n->cf[c];
    if (f->t0 == n->q->now && f->rate == 0) {
        for (long i = 0; i < n->n_fresh; i++)
            if (n->fresh[i] == c) {
                n->fresh[i] = n->fresh[--n->n_fresh];
                break;
            }
    }
    f->remaining -= f->rate * (n->q->now - f->t0);
    if (f->remaining < 0)
        f->remaining = 0;
    f->t0 = n->q->now;
    cf_to_solver(n, c);
}

/* The latency is over: the coflow's bytes start to move, alone on its links or
 * as one solver flow. */
static void cf_start(aif_netsim *n, int c)
{
    const aif_pattern *pt = &n->pats.pat[n->cf[c].pattern];
    if (n->pats.n_mm_links > n->cap_occ) {   /* the first start, or a pattern routed late */
        long old = n->cap_occ, cap = old;
        if (aif_grow((void **)&n->occ, &cap, n->pats.n_mm_links, sizeof(int)) ||
            aif_grow((void **)&n->occ_cf, &n->cap_occ, n->pats.n_mm_links, sizeof(int))) {
            fail(n, AIF_NETSIM_NOMEM);
            return;
        }
        memset(n->occ + old, 0, (size_t)(cap - old) * sizeof(int));   /* both grew alike: cap == cap_occ */
    }
    int alone = 1;
    for (int i = 0; i < pt->n; i++) {
        int l = n->pats.link[pt->first + i];
        if (n->occ[l] > 0) {
            alone = 0;
            int o = n->occ_cf[l];
            if (o != NONE && n->cf[o].alone)
                cf_join(n, o);
        }
    }
    for (int i = 0; i < pt->n; i++) {
        int l = n->pats.link[pt->first + i];
        n->occ[l]++;
        n->occ_cf[l] = c;
    }
    coflow *f = &n->cf[c];
    f->remaining = 1;
    f->rate = 0;
    f->t0 = n->q->now;
    f->mm = NONE;
    if (!alone) {
        cf_to_solver(n, c);
        return;
    }
    /* alone, for now: timed when the instant is settled, unless another coflow
     * joins it before (then both go to the solver, as if it had never been alone) */
    if (aif_grow((void **)&n->fresh, &n->cap_fresh, n->n_fresh + 1, sizeof(int))) {
        fail(n, AIF_NETSIM_NOMEM);
        return;
    }
    n->fresh[n->n_fresh++] = c;
    f->alone = true;
}

/* A coflow still alone when its start instant is settled: the rate the solver
 * gives a flow alone in its component (maxmin.c's fill: the cap folded with C / a
 * of every link, in the same arithmetic), and its completion. */
static void cf_time_alone(aif_netsim *n, int c)
{
    coflow *f = &n->cf[c];
    const aif_pattern *pt = &n->pats.pat[f->pattern];
    double phi = pt->ideal_Bps / f->bytes, rate = phi > 0 ? phi : INFINITY;
    for (int i = 0; i < pt->n; i++) {   /* C / a, a = coef x bytes as cf_coefs makes it */
        double a = n->pats.coef[pt->first + i] * f->bytes;
        double b = (double)n->topo->cap[n->pats.mm_topo[n->pats.link[pt->first + i]]] / a;
        if (b < rate)
            rate = b;
    }
    if (rate == INFINITY)   /* no cap and no link: the solver leaves it at its cap, 0 */
        rate = 0;
    f->rate = rate;
    f->gen++;
    n->updates++;
    push(n, n->q->now + (rate > 0 ? f->remaining / rate : 1e9), AIF_NETSIM_EV_DONE, c, (uint32_t)f->gen);
}

static void cf_done(aif_netsim *n, int c)
{
    coflow *f = &n->cf[c];
    const aif_pattern *pt = &n->pats.pat[f->pattern];
    bool moved = f->mm != NONE || f->alone;   /* past its latency: its bytes moved */
    if (f->mm != NONE) {
        aif_mm_remove_flow(n->mm, f->mm);
        n->dirty = true;
    }
    if (moved) {
        n->net_ideal_s += f->t_ideal;
        for (int i = 0; i < pt->n; i++) {
            int l = n->pats.link[pt->first + i];
            n->occ[l]--;
            if (n->occ_cf[l] == c)   /* occ_cf names a coflow on the link, or none */
                n->occ_cf[l] = NONE;
        }
        f->alone = false;
    }
    if (n->pats.n_mm_links > n->cap_link_bytes) {   /* a pattern routed late added solver links */
        long old = n->cap_link_bytes;
        if (aif_grow((void **)&n->link_bytes, &n->cap_link_bytes, n->pats.n_mm_links, sizeof(double))) {
            fail(n, AIF_NETSIM_NOMEM);
            return;
        }
        memset(n->link_bytes + old, 0, (size_t)(n->cap_link_bytes - old) * sizeof(double));
    }
    for (int i = 0; i < pt->n; i++) {
        int l = n->pats.link[pt->first + i];
        double b = n->pats.coef[pt->first + i] * f->bytes;
        n->link_bytes[l] += b;
        n->tier_bytes[aif_topo_tier(n->topo, n->pats.mm_topo[l])] += b * pt->copies * n->pats.class_size[l];
    }
    if (moved)
        n->net_sim_s += n->q->now - f->t_launch - f->lat;
    n->done(n->ctx, f->owner);
    /* freed only now: what the owner starts on completion takes another slot */
    n->cf[c].next_free = n->free_cf;
    n->free_cf = c;
}

void aif_netsim_on_event(aif_netsim *n, const aif_event *e)
{
    switch (e->kind) {
    case AIF_NETSIM_EV_START:
        cf_start(n, e->id);
        break;
    case AIF_NETSIM_EV_DONE:
        if (e->gen != (uint32_t)n->cf[e->id].gen)
            return;   /* superseded by a rate change */
        cf_done(n, e->id);
        break;
    }
}

/* New rates for the flows whose share changed; each gets a new completion event. */
static void resolve_rates(aif_netsim *n)
{
    long u = aif_mm_solve(n->mm);
    if (u < 0) {
        fail(n, AIF_NETSIM_NOMEM);
        return;
    }
    n->updates += u;
    int k;
    const int *fl = aif_mm_updated(n->mm, &k);
    for (int i = 0; i < k; i++) {
        int c = n->mm2cf[fl[i]];
        coflow *f = &n->cf[c];
        f->remaining -= f->rate * (n->q->now - f->t0);
        if (f->remaining < 0)
            f->remaining = 0;
        f->t0 = n->q->now;
        f->rate = aif_mm_rate(n->mm, fl[i]);
        f->gen++;
        push(n, n->q->now + (f->rate > 0 ? f->remaining / f->rate : 1e9), AIF_NETSIM_EV_DONE, c, (uint32_t)f->gen);
    }
    n->dirty = false;
}

void aif_netsim_settle(aif_netsim *n)
{
    if ((n->dirty || n->n_fresh > 0) && !n->fail && (n->q->n == 0 || n->q->heap[0].t > n->q->now)) {
        if (n->dirty)
            resolve_rates(n);
        for (long i = 0; i < n->n_fresh && !n->fail; i++)
            cf_time_alone(n, n->fresh[i]);
        n->n_fresh = 0;
    }
}

/* ---------------------------------------------------------------- stats */

void aif_netsim_stats(const aif_netsim *n, double span_s, aif_sim_stats *st)
{
    const aif_topo *t = n->topo;
    st->topo = *aif_topo_get_summary(t);
    st->coflows = n->coflows;
    st->flow_updates = n->updates;
    st->patterns = n->pats.n_pat;
    st->solver_links = n->pats.n_mm_links;
    st->late_patterns = n->pats.late;
    st->comm_stretch = n->net_ideal_s > 0 ? n->net_sim_s / n->net_ideal_s : 1;
    double cap[AIF_N_TIER] = {0};
    for (long l = 0; l < t->n_links; l++)
        cap[aif_topo_tier(t, l)] += t->cap[l];
    const aif_fabric *fab = &n->fab;
    if (fab->transport == AIF_TCP && fab->cpu_core_bw_Bps > 0 && span_s > 0)
        st->host_cores_per_node = n->tier_bytes[AIF_TIER_NIC] / span_s / t->nodes / fab->cpu_core_bw_Bps;
    for (int k = 0; k < AIF_N_TIER; k++) {
        st->tier_bytes[k] = n->tier_bytes[k];
        st->tier_util_mean[k] = cap[k] > 0 && span_s > 0 ? n->tier_bytes[k] / (cap[k] * span_s) : 0;
    }
    for (int l = 0; l < n->pats.n_mm_links; l++) {
        long tl = n->pats.mm_topo[l];
        int k = aif_topo_tier(t, tl);
        double u = t->cap[tl] > 0 && span_s > 0 ? n->link_bytes[l] / (t->cap[tl] * span_s) : 0;
        if (u > st->tier_util_max[k])
            st->tier_util_max[k] = u;
    }
}
