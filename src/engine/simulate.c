/* simulate.c -- the simulating engine: the step graph on the event kernel and
 * the flow network (include/aifsim/sim.h, docs/NETWORK.md).
 *
 * Timelines.  A timeline runs the ops of one pipeline stage (by default one per
 * stage, standing for all its tensor-, context- and data-parallel GPUs, which
 * are identical; with `full`, one per data-parallel replica and stage).  It
 * walks its stage's schedule (Megatron-LM's 1F1B, interleaved when vpp > 1):
 * units of (forward or backward, chunk, microbatch), each a list of segments
 * (embedding, layers, head, pipeline send), each a list of ops run with the
 * two-stream semantics of graph.h.
 *
 * Requests and streams.  Every communication op becomes a request on its
 * timeline's stream for that group (one NCCL communicator and stream per
 * group), served in order.  When a request reaches the head of its stream it
 * meets the other timelines of its group (a rendezvous; only with `full`), and
 * then becomes a coflow: every transfer of the collective, on every group the
 * timelines stand for, as one flow of the max-min solver whose route puts on
 * each link the bytes the collective moves over it (its pattern, net/coflow.h).  A coflow progresses at one
 * rate (a ring runs in lock step; a collective ends with its slowest member),
 * capped at its uncontended rate and sharing bottlenecks in proportion to it.
 *
 * Time of a collective = latency + network time.  The uncontended network time
 * S / B_ideal uses only the links at the GPUs (scale-up ports, NIC ports); the
 * latency is the analytical engine's time minus that (its protocol and step
 * latencies), so on an uncontended network both engines give the same time,
 * and everything else (switch tiers, oversubscription, ECMP collisions, failed
 * links, host staging, other collectives) shows as a longer network phase.
 *
 * Symmetry.  A collective whose every group lies inside one scale-up switch
 * domain puts only one group's flows on the network: the others use disjoint,
 * identical links and would get the same rate (not on a torus, where routes
 * cross other chips' links).  Collectives that leave the domain put every group's flows on
 * the network.
 *
 * Data-parallel gradients.  With dp_overlap, the gradient reduce-scatter of
 * each layer starts when the layer's backward of the last microbatch ends, and
 * the parameter all-gather of each layer runs at the start of the step, before
 * the layer's first forward (it belongs to the previous optimizer step); without
 * it, both are blocking at the ends of the step. */
#include "aifsim/names.h"
#include "aifsim/sim.h"
#include "base/base.h"
#include "engine/estimate.h"
#include "engine/events.h"
#include "hw/compute.h"
#include "net/coflow.h"
#include "net/collective.h"
#include "net/maxmin.h"
#include "net/topology.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EV_COMPUTE, EV_WAKE, EV_CF_START, EV_CF_DONE, EV_REQ_DONE };
enum { ST_START, ST_RUN, ST_COMPUTE, ST_WAIT_REQ, ST_WAIT_SEG, ST_WAIT_RECV, ST_WAIT_AG, ST_WAIT_RS, ST_DONE };
enum { RQ_BLOCK, RQ_NEXT, RQ_SEG, RQ_RS, RQ_AG };
enum { U_FWD, U_BWD };

typedef struct item {
    unsigned char seg;
    short bucket;              /* data-parallel bucket of the layer (-1: none) */
} item;

typedef struct unit {
    unsigned char kind, chunk; /* U_FWD / U_BWD; virtual chunk 0..vpp-1 */
    int mb;
} unit;

typedef struct timeline {
    int stage, replica, state;
    int unit, item, n_items, op, op_end;
    int pend_req;              /* OVL_NEXT request beside the current compute op */
    int wait_req, wait_bucket, wait_slot, wait_done;
    int seg_reqs, bg, rs_left, phase;   /* phase: 0 units, 1 waiting for gradients, 2 optimizer, 3 done */
    double wait_t, end_t;
    int wait_cat;
    double cat_s[AIF_N_CAT], membound_s, idle_s;
    item *items;
    unsigned char *ag_wait;    /* per bucket: parameter all-gathers not yet done */
} timeline;

typedef struct req {
    int op, tl, grp, kind, bucket, next, cf_next, dir;
    double bytes, t_start;
    int p2p_dst, p2p_slot;     /* pipeline send: receiving timeline and arrival slot (-1: none) */
} req;

typedef struct stream {
    int head, tail;            /* FIFO of requests (by req.next); head is being served */
} stream;

typedef struct coflow {
    int pattern, mm, first_req, gen;
    double bytes, rate, remaining, t0, t_ideal, lat;
} coflow;

typedef struct rdv {           /* rendezvous of one group instance */
    int count, first;
} rdv;

typedef struct sim {
    const aif_scenario *s;
    const aif_graph *g;
    aif_topo *topo;
    aif_mm *mm;
    aif_evq q;
    int pp, vpp, m, dp, tp, cp, ep, etp, full;
    int S;                     /* GPUs per stage */
    double slowdown;
    double *op_t;              /* per op: its duration (compute) or the closed form's time (comm) */
    /* schedule per stage */
    unit *sched;
    int n_units;
    int n_buckets_max, *n_buckets;
    int *chunk_first, *chunk_n, *chunk_bucket;   /* per (stage, virtual chunk) */
    timeline *tl;
    int n_tl;
    req *rq;
    int n_rq, free_rq;
    long cap_rq;
    stream *st;                /* n_tl * AIF_N_GRP */
    coflow *cf;
    int n_cf, free_cf;
    long cap_cf;
    int *mm2cf;
    long cap_mm2cf;
    /* arrivals of pipeline sends: [replica][receiving stage][kind][chunk][mb] */
    double *arrive;
    aif_patterns pats;         /* collectives as link patterns, and the solver's links */
    double *link_bytes;        /* per solver link: bytes carried */
    long cap_link_bytes;
    double *scratch;           /* coefficients of the coflow being started */
    long cap_scratch;
    rdv *rdv;
    int n_rdv;
    int dirty;
    /* stats */
    long events, coflows, updates, units_done, units_total;
    double net_sim_s, net_ideal_s;
    double tier_bytes[AIF_N_TIER];
    FILE *trace;
    int trace_first;
    const aif_sim_opts *o;
    int oom;
} sim;

/* ---------------------------------------------------------- small helpers */

static void push(sim *x, double t, int kind, int id, uint32_t gen)
{
    if (aif_evq_push(&x->q, t, kind, id, gen))
        x->oom = 1;
}

/* ---------------------------------------------------------------- groups */

/* The group of type grp holding GPU g: first member and stride; returns the size. */
static int group_of(const sim *x, int grp, long g, long *base, long *stride)
{
    long q = g % x->S, TP = x->tp, CP = x->cp, ETP = x->etp, EP = x->ep;
    switch (grp) {
    case AIF_GRP_TP: *base = g - q % TP; *stride = 1; return x->tp;
    case AIF_GRP_CP: *base = g - (q / TP) % CP * TP; *stride = TP; return x->cp;
    case AIF_GRP_DP: *base = g - q / TP * TP; *stride = TP; return x->cp * x->dp;
    case AIF_GRP_PP: *base = q; *stride = x->S; return x->pp;
    case AIF_GRP_ETP: *base = g - q % ETP; *stride = 1; return x->etp;
    case AIF_GRP_EP: *base = g - (q / ETP) % EP * ETP; *stride = ETP; return x->ep;
    default: *base = g - q / (ETP * EP) * (ETP * EP); *stride = ETP * EP; return x->S / (x->etp * x->ep);
    }
}

/* Whether groups of this type lie inside one timeline's GPUs (full mode). */
static int within_timeline(const sim *x, int grp)
{
    int block = x->tp * x->cp;
    switch (grp) {
    case AIF_GRP_TP: case AIF_GRP_CP: return 1;
    case AIF_GRP_ETP: return block % x->etp == 0;
    case AIF_GRP_EP: return block % (x->etp * x->ep) == 0;
    default: return 0;
    }
}

/* Instance of a request's group (what must meet) and how many timelines it joins. */
static int instance_of(const sim *x, const timeline *t, int grp, int *members)
{
    *members = 1;
    if (!x->full)
        return t->stage;
    if (grp == AIF_GRP_PP || within_timeline(x, grp))
        return x->pp + (int)(t - x->tl);
    *members = x->dp;
    return t->stage;
}

/* GPUs [lo, hi) that an instance's collective covers. */
static void instance_gpus(const sim *x, int inst, long *lo, long *hi)
{
    if (inst < x->pp) {
        *lo = (long)inst * x->S;
        *hi = *lo + x->S;
    } else {
        const timeline *t = &x->tl[inst - x->pp];
        *lo = (long)t->stage * x->S + (long)t->replica * x->tp * x->cp;
        *hi = *lo + (long)x->tp * x->cp;
    }
}

/* --------------------------------------------------------------- patterns */

static long pattern_key(int grp, int coll, int algo, int dir, int inst)
{
    return ((((long)inst * AIF_N_GRP + grp) * 8 + coll) * 8 + algo) * 3 + dir;
}

/* Finds or builds the link pattern of a collective: op's group on an instance;
 * dir: 0 collective, 1 pipeline send forward, 2 backward. */
static int get_pattern(sim *x, int op, int algo, int inst, int dir)
{
    const aif_op *o = &x->g->ops[op];
    long key = pattern_key(o->group, o->coll, algo, dir, inst);
    int k = aif_pats_find(&x->pats, key);
    if (k >= 0)
        return k;
    long lo, hi;
    instance_gpus(x, inst, &lo, &hi);
    uint64_t salt = (uint64_t)key << 20;
    double copies = 1;
    if (dir) {
        int stage = (int)(lo / x->S);
        int to = dir == 1 ? (stage + 1) % x->pp : (stage + x->pp - 1) % x->pp;
        for (long gg = lo; gg < hi; gg++)
            aif_pats_transfer(&x->pats, gg, gg + (long)(to - stage) * x->S, salt + (uint64_t)gg, 1);
    } else {
        long base, stride;
        int n = group_of(x, o->group, lo, &base, &stride);
        /* one group stands for all only when every group lies inside one switch domain
         * (on a torus, routes cross other chips' links) */
        int first_only = n > 1 && !x->topo->torus;
        for (long gg = lo; gg < hi && first_only; gg++) {
            n = group_of(x, o->group, gg, &base, &stride);
            if (base == gg && base / x->topo->dom != (base + (n - 1) * stride) / x->topo->dom)
                first_only = 0;
        }
        long n_groups = 0;
        for (long gg = lo; gg < hi; gg++) {
            n = group_of(x, o->group, gg, &base, &stride);
            if (base != gg)
                continue;
            if (!first_only || n_groups == 0)
                aif_pats_group(&x->pats, o->coll, algo, base, stride, n, salt + (uint64_t)gg * 0x10000);
            n_groups++;
        }
        if (first_only && n_groups > 0)
            copies = (double)n_groups;
    }
    k = aif_pats_add(&x->pats, key, copies);
    if (x->pats.err)
        x->oom = x->pats.err;   /* out of memory, no live path, or a route off the network */
    return k;
}

/* ------------------------------------------------------- symmetric links */

/* Routes every collective the step will run before it starts, so that the
 * link classes (net/coflow.h) can be made from all patterns. */
static int unit_items(const sim *x, const struct timeline *t, const struct unit *u, struct item *it);

static int is_pipeline_send(const aif_op *o)
{
    return o->coll == AIF_COLL_SENDRECV && o->group == AIF_GRP_PP;
}

static void prebuild_op(sim *x, timeline *t, int op, double bytes, int dir)
{
    const aif_op *o = &x->g->ops[op];
    if (bytes <= 0 || x->g->groups[o->group].size <= 1)
        return;
    aif_coll_algo algo;
    aif_coll_time_algo(&x->s->cluster, (aif_coll)o->coll, x->g->groups[o->group], bytes, AIF_ALGO_AUTO, &algo);
    int members, inst = instance_of(x, t, o->group, &members);
    get_pattern(x, op, (int)algo, inst, dir);
}

static void prebuild(sim *x)
{
    const aif_graph *g = x->g;
    item *it = malloc((size_t)(x->n_buckets_max + 4) * sizeof(item));
    if (!it) {
        x->oom = 1;
        return;
    }
    for (int ti = 0; ti < x->n_tl && !x->oom; ti++) {
        timeline *t = &x->tl[ti];
        for (int c = 0; c < x->vpp; c++)
            for (int k = U_FWD; k <= U_BWD; k++) {
                unit u = {(unsigned char)k, (unsigned char)c, 0};
                int n = unit_items(x, t, &u, it);
                for (int i = 0; i < n; i++)
                    for (int op = g->seg[it[i].seg].first; op < g->seg[it[i].seg].first + g->seg[it[i].seg].n; op++)
                        if (g->ops[op].kind == AIF_OP_COMM)
                            prebuild_op(x, t, op, g->ops[op].bytes,
                                        is_pipeline_send(&g->ops[op]) ? (k == U_FWD ? 1 : 2) : 0);
            }
        double share = x->s->train.dp_overlap ? 1.0 / x->n_buckets[t->stage] : 1;
        for (int sg = AIF_SEG_STEP_RS; sg <= AIF_SEG_STEP_AG; sg++)
            for (int op = g->seg[sg].first; op < g->seg[sg].first + g->seg[sg].n; op++)
                if (g->ops[op].kind == AIF_OP_COMM)
                    prebuild_op(x, t, op, g->ops[op].bytes * share, 0);
    }
    free(it);
}

/* ---------------------------------------------------------------- trace */

static void trace_slice(sim *x, const char *name, const char *cat, int pid, int tid, double t0, double t1)
{
    if (!x->trace)
        return;
    fprintf(x->trace, "%s\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%d,\"tid\":%d}",
            x->trace_first ? "" : ",", name, cat, t0 * 1e6, (t1 - t0) * 1e6, pid, tid);
    x->trace_first = 0;
}

/* -------------------------------------------------------------- requests */


static int new_req(sim *x)
{
    if (x->free_rq >= 0) {
        int r = x->free_rq;
        x->free_rq = x->rq[r].next;
        return r;
    }
    if (aif_grow((void **)&x->rq, &x->cap_rq, x->n_rq + 1, sizeof(req))) {
        x->oom = 1;
        return -1;
    }
    return x->n_rq++;
}

static void launch(sim *x, int r, int inst);

/* The request at the head of a stream starts: alone, or when its group has met. */
static void serve_head(sim *x, int si)
{
    int r = x->st[si].head;
    if (r < 0)
        return;
    req *q = &x->rq[r];
    const aif_op *o = &x->g->ops[q->op];
    timeline *t = &x->tl[q->tl];
    int members, inst = instance_of(x, t, q->grp, &members);
    if (q->bytes <= 0 || x->g->groups[o->group].size <= 1) {
        q->cf_next = -1;
        push(x, x->q.now, EV_REQ_DONE, r, 0);
        return;
    }
    if (members == 1) {
        q->cf_next = -1;
        launch(x, r, inst);
        return;
    }
    rdv *v = &x->rdv[(long)inst * AIF_N_GRP + q->grp];
    q->cf_next = v->first;
    v->first = r;
    if (++v->count == members) {
        int first = v->first;
        v->count = 0;
        v->first = -1;
        launch(x, first, inst);
    }
}

static int submit(sim *x, int ti, int op, double bytes, int kind, int bucket, int p2p_dst, int p2p_slot, int dir)
{
    int r = new_req(x);
    if (r < 0)
        return -1;
    req *q = &x->rq[r];
    q->op = op;
    q->tl = ti;
    q->grp = x->g->ops[op].group;
    q->kind = kind;
    q->bucket = bucket;
    q->bytes = bytes;
    q->next = -1;
    q->p2p_dst = p2p_dst;
    q->p2p_slot = p2p_slot;
    q->dir = dir;
    q->t_start = x->q.now;
    stream *s = &x->st[(long)ti * AIF_N_GRP + q->grp];
    if (s->head < 0) {
        s->head = s->tail = r;
        serve_head(x, (int)((long)ti * AIF_N_GRP + q->grp));
    } else {
        x->rq[s->tail].next = r;
        s->tail = r;
    }
    timeline *t = &x->tl[ti];
    if (kind == RQ_SEG)
        t->seg_reqs++;
    if (kind == RQ_RS || kind == RQ_AG || kind == RQ_SEG)
        t->bg++;
    return r;
}

static void launch(sim *x, int first, int inst)
{
    req *q = &x->rq[first];
    const aif_op *o = &x->g->ops[q->op];
    aif_coll_algo algo;
    double t_a = aif_coll_time_algo(&x->s->cluster, (aif_coll)o->coll, x->g->groups[o->group], q->bytes,
                                    AIF_ALGO_AUTO, &algo);
    int p = get_pattern(x, q->op, (int)algo, inst, q->dir);
    if (x->oom)
        return;
    int c;
    if (x->free_cf >= 0) {
        c = x->free_cf;
        x->free_cf = x->cf[c].first_req;
    } else {
        if (aif_grow((void **)&x->cf, &x->cap_cf, x->n_cf + 1, sizeof(coflow))) {
            x->oom = 1;
            return;
        }
        c = x->n_cf++;
        x->cf[c].gen = 0;
    }
    coflow *f = &x->cf[c];
    f->pattern = p;
    f->first_req = first;
    f->bytes = q->bytes;
    f->mm = -1;
    f->gen++;   /* never reset: a stale completion of the slot's previous coflow must not match */
    const aif_pattern *pt = &x->pats.pat[p];
    f->t_ideal = pt->n > 0 && isfinite(pt->ideal_Bps) ? q->bytes / pt->ideal_Bps : 0;
    double lat = t_a - f->t_ideal > 0 ? t_a - f->t_ideal : 0;
    f->lat = lat;
    for (int r = first; r >= 0; r = x->rq[r].cf_next)
        x->rq[r].t_start = x->q.now;
    x->coflows++;
    if (f->t_ideal <= 0) {
        push(x, x->q.now + t_a, EV_CF_DONE, c, (uint32_t)f->gen);
        return;
    }
    push(x, x->q.now + lat, EV_CF_START, c, 0);
}

static void cf_start(sim *x, int c)
{
    coflow *f = &x->cf[c];
    const aif_pattern *pt = &x->pats.pat[f->pattern];
    double phi = pt->ideal_Bps / f->bytes;   /* completion per second, uncontended */
    if (aif_grow((void **)&x->scratch, &x->cap_scratch, pt->n, sizeof(double))) {
        x->oom = 1;
        return;
    }
    double *coefs = x->scratch;
    for (int i = 0; i < pt->n; i++)
        coefs[i] = x->pats.coef[pt->first + i] * f->bytes;
    int m = aif_mm_add_flow_coef(x->mm, x->pats.link + pt->first, coefs, pt->n, phi, phi);
    if (m < 0 || aif_grow((void **)&x->mm2cf, &x->cap_mm2cf, m + 1, sizeof(int))) {
        x->oom = 1;
        return;
    }
    x->mm2cf[m] = c;
    f->mm = m;
    f->remaining = 1;
    f->rate = 0;
    f->t0 = x->q.now;
    f->gen++;
    x->dirty = 1;
}

static void resolve_rates(sim *x)
{
    long u = aif_mm_solve(x->mm);
    if (u < 0) {
        x->oom = 1;
        return;
    }
    x->updates += u;
    int n;
    const int *fl = aif_mm_updated(x->mm, &n);
    for (int i = 0; i < n; i++) {
        int c = x->mm2cf[fl[i]];
        coflow *f = &x->cf[c];
        f->remaining -= f->rate * (x->q.now - f->t0);
        if (f->remaining < 0)
            f->remaining = 0;
        f->t0 = x->q.now;
        f->rate = aif_mm_rate(x->mm, fl[i]);
        f->gen++;
        push(x, x->q.now + (f->rate > 0 ? f->remaining / f->rate : 1e9), EV_CF_DONE, c, (uint32_t)f->gen);
    }
    x->dirty = 0;
}

static void wake(sim *x, int ti) { push(x, x->q.now, EV_WAKE, ti, 0); }

static void req_done(sim *x, int r)
{
    req *q = &x->rq[r];
    timeline *t = &x->tl[q->tl];
    long si = (long)q->tl * AIF_N_GRP + q->grp;
    if (x->trace)
        trace_slice(x, x->g->ops[q->op].name, aif_group_name(q->grp), q->tl, 1 + q->grp, q->t_start, x->q.now);
    /* the stream serves its next request */
    stream *s = &x->st[si];
    s->head = q->next;
    if (s->head < 0)
        s->tail = -1;
    else
        serve_head(x, (int)si);
    if (q->p2p_dst >= 0) {
        x->arrive[q->p2p_slot] = x->q.now;
        timeline *d = &x->tl[q->p2p_dst];
        if (d->state == ST_WAIT_RECV)
            wake(x, q->p2p_dst);
    }
    switch (q->kind) {
    case RQ_BLOCK:
    case RQ_NEXT:
        if (t->wait_req == r && !t->wait_done) {
            t->wait_done = 1;
            if (t->state == ST_WAIT_REQ)
                wake(x, q->tl);
        }
        if (t->pend_req == r)
            t->pend_req = -1;
        break;
    case RQ_SEG:
        t->seg_reqs--;
        t->bg--;
        if (t->state == ST_WAIT_SEG && t->seg_reqs == 0)
            wake(x, q->tl);
        break;
    case RQ_RS:
        t->rs_left--;
        t->bg--;
        if (t->state == ST_WAIT_RS && t->rs_left == 0)
            wake(x, q->tl);
        break;
    case RQ_AG:
        t->ag_wait[q->bucket]--;
        t->bg--;
        if (t->state == ST_WAIT_AG && t->wait_bucket == q->bucket && !t->ag_wait[q->bucket])
            wake(x, q->tl);
        break;
    }
    q->next = x->free_rq;
    x->free_rq = r;
}

static void cf_done(sim *x, int c)
{
    coflow *f = &x->cf[c];
    const aif_pattern *pt = &x->pats.pat[f->pattern];
    if (f->mm >= 0) {
        aif_mm_remove_flow(x->mm, f->mm);
        x->dirty = 1;
        x->net_ideal_s += f->t_ideal;
    }
    if (x->pats.n_mm_links > x->cap_link_bytes) {   /* a pattern routed late added solver links */
        long old = x->cap_link_bytes;
        if (aif_grow((void **)&x->link_bytes, &x->cap_link_bytes, x->pats.n_mm_links, sizeof(double))) {
            x->oom = 1;
            return;
        }
        memset(x->link_bytes + old, 0, (size_t)(x->cap_link_bytes - old) * sizeof(double));
    }
    for (int i = 0; i < pt->n; i++) {
        int l = x->pats.link[pt->first + i];
        double b = x->pats.coef[pt->first + i] * f->bytes;
        x->link_bytes[l] += b;
        x->tier_bytes[aif_topo_tier(x->topo, x->pats.mm_topo[l])] += b * pt->copies * x->pats.class_size[l];
    }
    int r = f->first_req;
    if (f->mm >= 0 && r >= 0)
        x->net_sim_s += x->q.now - x->rq[r].t_start - f->lat;
    while (r >= 0) {
        int nx = x->rq[r].cf_next;
        req_done(x, r);
        r = nx;
    }
    f->first_req = x->free_cf;
    x->free_cf = c;
}

/* -------------------------------------------------------------- schedule */

/* Megatron-LM's 1F1B order for one stage (interleaved for vpp > 1). */
static void build_schedule(sim *x, int p, unit *u)
{
    int pp = x->pp, v = x->vpp, m = x->m, total = m * v, warm;
    if (v == 1)
        warm = pp - p - 1 < m ? pp - p - 1 : m;
    else
        warm = (pp - p - 1) * 2 + (v - 1) * pp < total ? (pp - p - 1) * 2 + (v - 1) * pp : total;
    int n = 0, f = 0, b = 0;
#define UNIT(kind_, k_)                                                                                          \
    do {                                                                                                         \
        int k = (k_), in_grp = k % (pp * v);                                                                     \
        u[n].kind = kind_;                                                                                       \
        u[n].chunk = (unsigned char)(v == 1 ? 0 : kind_ == U_FWD ? in_grp / pp : v - 1 - in_grp / pp);          \
        u[n].mb = v == 1 ? k : k / (pp * v) * pp + k % pp;                                                       \
        n++;                                                                                                     \
    } while (0)
    for (; f < warm; f++)
        UNIT(U_FWD, f);
    for (int i = 0; i < total - warm; i++) {
        UNIT(U_FWD, f);
        f++;
        UNIT(U_BWD, b);
        b++;
    }
    for (; b < total; b++)
        UNIT(U_BWD, b);
#undef UNIT
}

/* The layers and the first data-parallel bucket of each (stage, virtual chunk), and the
 * buckets of each stage: buckets number a stage's embedding, layers and head in
 * forward order over its chunks. */
static void chunk_tables(sim *x)
{
    int nc = x->pp * x->vpp;
    for (int p = 0; p < x->pp; p++) {
        int b = 0;
        for (int v = 0; v < x->vpp; v++) {
            int cg = v * x->pp + p, k = p * x->vpp + v;
            aif_graph_chunk_layers(x->g, cg, &x->chunk_first[k], &x->chunk_n[k]);
            x->chunk_bucket[k] = b;
            b += x->chunk_n[k] + (cg == 0) + (cg == nc - 1);
        }
        x->n_buckets[p] = b;
    }
}

/* Segments of one unit, in execution order. */
static int unit_items(const sim *x, const timeline *t, const unit *u, item *it)
{
    int nc = x->pp * x->vpp, cg = u->chunk * x->pp + t->stage, k = 0, tab = t->stage * x->vpp + u->chunk;
    int first = x->chunk_first[tab], n = x->chunk_n[tab], b0 = x->chunk_bucket[tab];
    int emb = cg == 0, head = cg == nc - 1;
    if (u->kind == U_FWD) {
        if (emb)
            it[k++] = (item){AIF_SEG_EMBED_FWD, (short)b0};
        for (int l = 0; l < n; l++)
            it[k++] = (item){(unsigned char)(first + l < x->g->dense_layers ? AIF_SEG_DENSE_FWD : AIF_SEG_MOE_FWD),
                             (short)(b0 + emb + l)};
        if (head)
            it[k++] = (item){AIF_SEG_HEAD_FWD, (short)(b0 + emb + n)};
        else
            it[k++] = (item){AIF_SEG_P2P, -1};
    } else {
        if (head)
            it[k++] = (item){AIF_SEG_HEAD_BWD, (short)(b0 + emb + n)};
        for (int l = n - 1; l >= 0; l--)
            it[k++] = (item){(unsigned char)(first + l < x->g->dense_layers ? AIF_SEG_DENSE_BWD : AIF_SEG_MOE_BWD),
                             (short)(b0 + emb + l)};
        if (emb)
            it[k++] = (item){AIF_SEG_EMBED_BWD, (short)b0};
        else
            it[k++] = (item){AIF_SEG_P2P, -1};
    }
    return k;
}

/* arrival slot of the input of unit u on timeline t, and the timeline that sends it (-1: none) */
static int input_slot(const sim *x, const timeline *t, const unit *u, int *from_stage)
{
    int p = t->stage, c = u->chunk, pp = x->pp, v = x->vpp;
    int fs = -1;
    if (u->kind == U_FWD) {
        if (p > 0)
            fs = p - 1;
        else if (c > 0)
            fs = pp - 1;
    } else {
        if (p < pp - 1)
            fs = p + 1;
        else if (c < v - 1)
            fs = 0;
    }
    *from_stage = fs;
    if (fs < 0)
        return -1;
    return (((t->replica * pp + p) * 2 + u->kind) * x->vpp + c) * x->m + u->mb;
}

/* where a send at the end of unit u goes: the receiving unit's arrival slot */
static int output_slot(const sim *x, const timeline *t, const unit *u, int *to_stage)
{
    int p = t->stage, c = u->chunk, pp = x->pp;
    int ts, tc;
    if (u->kind == U_FWD) {
        ts = (p + 1) % pp;
        tc = p == pp - 1 ? c + 1 : c;
    } else {
        ts = (p + pp - 1) % pp;
        tc = p == 0 ? c - 1 : c;
    }
    *to_stage = ts;
    return (((t->replica * pp + ts) * 2 + u->kind) * x->vpp + tc) * x->m + u->mb;
}

/* ------------------------------------------------------------- execution */

static void begin_wait(sim *x, timeline *t, int state, int cat)
{
    t->state = state;
    t->wait_t = x->q.now;
    t->wait_cat = cat;
}

static void end_wait(sim *x, timeline *t)
{
    double d = x->q.now - t->wait_t;
    if (t->wait_cat >= 0)
        t->cat_s[t->wait_cat] += d;
    else
        t->idle_s += d;
    t->state = ST_RUN;
}

static int tl_index(const sim *x, int replica, int stage)
{
    return x->full ? stage * x->dp + replica : stage;
}

static void submit_buckets(sim *x, int ti, int seg, int kind, double share, int bucket)
{
    const aif_graph *g = x->g;
    for (int i = g->seg[seg].first; i < g->seg[seg].first + g->seg[seg].n; i++)
        if (g->ops[i].kind == AIF_OP_COMM && g->ops[i].bytes > 0) {
            if (kind == RQ_RS)
                x->tl[ti].rs_left++;
            if (kind == RQ_AG)
                x->tl[ti].ag_wait[bucket]++;
            submit(x, ti, i, g->ops[i].bytes * share, kind, bucket, -1, -1, 0);
        }
}

/* Runs timeline ti from now until it has to wait. */
static void advance(sim *x, int ti)
{
    timeline *t = &x->tl[ti];
    const aif_graph *g = x->g;
    const aif_train *tr = &x->s->train;
    const unit *sched = x->sched + (long)t->stage * x->n_units;
    for (;;) {
        if (t->phase == 3)
            return;
        if (t->phase == 1) {   /* all units done: gradients, then the optimizer */
            if (t->rs_left > 0) {
                begin_wait(x, t, ST_WAIT_RS, AIF_CAT_DP);
                return;
            }
            t->phase = 2;
            t->op = g->seg[AIF_SEG_STEP_OPT].first;
            t->op_end = t->op + g->seg[AIF_SEG_STEP_OPT].n;
        }
        if (t->phase == 0 && t->op < 0) {
            if (t->item == t->n_items) {
                if (t->unit >= 0 && t->items[0].seg != 0xff)
                    x->units_done++;
                if (++t->unit == x->n_units) {
                    t->phase = 1;
                    if (!tr->dp_overlap)
                        submit_buckets(x, ti, AIF_SEG_STEP_RS, RQ_RS, 1, -1);
                    continue;
                }
                t->n_items = unit_items(x, t, &sched[t->unit], t->items);
                t->item = 0;
            }
            const unit *u = &sched[t->unit];
            if (t->item == 0) {
                int from, slot = input_slot(x, t, u, &from);
                if (slot >= 0 && x->arrive[slot] < 0) {
                    t->wait_slot = slot;
                    begin_wait(x, t, ST_WAIT_RECV, -1);
                    return;
                }
            }
            const item *it = &t->items[t->item];
            if (u->kind == U_FWD && u->mb == 0 && it->bucket >= 0 && t->ag_wait[it->bucket]) {
                t->wait_bucket = it->bucket;
                begin_wait(x, t, ST_WAIT_AG, AIF_CAT_DP);
                return;
            }
            t->op = g->seg[it->seg].first;
            t->op_end = t->op + g->seg[it->seg].n;
        }
        if (t->op < t->op_end) {
            int i = t->op++;
            const aif_op *o = &g->ops[i];
            if (o->kind != AIF_OP_COMM) {
                double d = x->op_t[i], extra = 0;
                if (t->pend_req >= 0)
                    extra = x->slowdown * fmin(d, x->op_t[x->rq[t->pend_req].op]);
                else if (t->bg > 0)
                    extra = x->slowdown * d;
                t->cat_s[o->cat] += d;
                if (o->kind == AIF_OP_MEM)
                    t->membound_s += d;
                if (extra > 0)
                    t->cat_s[t->pend_req >= 0 ? x->g->ops[x->rq[t->pend_req].op].cat : AIF_CAT_DP] += extra;
                trace_slice(x, o->name, "compute", ti, 0, x->q.now, x->q.now + d + extra);
                t->state = ST_COMPUTE;
                push(x, x->q.now + d + extra, EV_COMPUTE, ti, 0);
                return;
            }
            int kind = o->overlap == AIF_OVL_NEXT ? RQ_NEXT : o->overlap == AIF_OVL_SEGMENT ? RQ_SEG : RQ_BLOCK;
            int dst = -1, slot = -1, dir = 0;
            if (is_pipeline_send(o) && t->phase == 0) {
                int to;
                slot = output_slot(x, t, &sched[t->unit], &to);
                dst = tl_index(x, t->replica, to);
                dir = sched[t->unit].kind == U_FWD ? 1 : 2;
            }
            if (kind != RQ_SEG) {   /* set before submitting: a request may finish at once */
                t->wait_req = x->free_rq >= 0 ? x->free_rq : x->n_rq;
                t->wait_done = 0;
            }
            int r = submit(x, ti, i, o->bytes, kind, -1, dst, slot, dir);
            if (r < 0 || x->oom)
                return;
            if (kind == RQ_BLOCK) {
                begin_wait(x, t, ST_WAIT_REQ, o->cat);
                return;
            }
            if (kind == RQ_NEXT)
                t->pend_req = r;
            continue;
        }
        /* end of a segment: the comm beside it must be done */
        if (t->pend_req >= 0) {
            begin_wait(x, t, ST_WAIT_REQ, g->ops[x->rq[t->pend_req].op].cat);
            return;
        }
        if (t->seg_reqs > 0) {
            begin_wait(x, t, ST_WAIT_SEG, AIF_CAT_DP);
            return;
        }
        if (t->phase == 2) {
            t->phase = 3;
            t->state = ST_DONE;
            t->end_t = x->q.now;
            return;
        }
        const unit *u = &sched[t->unit];
        const item *it = &t->items[t->item];
        if (tr->dp_overlap && u->kind == U_BWD && u->mb == x->m - 1 && it->bucket >= 0)
            submit_buckets(x, ti, AIF_SEG_STEP_RS, RQ_RS, 1.0 / x->n_buckets[t->stage], -1);
        t->item++;
        t->op = -1;
        if (x->o->progress && x->units_total > 0 && t->item == t->n_items && x->units_done % 64 == 0)
            x->o->progress((double)x->units_done / x->units_total, x->o->progress_ctx);
    }
}

static void on_event(sim *x, const aif_event *e)
{
    switch (e->kind) {
    case EV_COMPUTE: {
        timeline *t = &x->tl[e->id];
        t->state = ST_RUN;
        if (t->pend_req >= 0) {   /* the compute op is done; the comm beside it is not */
            begin_wait(x, t, ST_WAIT_REQ, x->g->ops[x->rq[t->pend_req].op].cat);
            return;
        }
        advance(x, e->id);
        break;
    }
    case EV_WAKE: {
        timeline *t = &x->tl[e->id];
        int ready = 0;
        switch (t->state) {
        case ST_START: ready = 1; t->state = ST_RUN; break;
        case ST_WAIT_REQ: ready = t->wait_done; break;
        case ST_WAIT_SEG: ready = t->seg_reqs == 0; break;
        case ST_WAIT_RECV: ready = x->arrive[t->wait_slot] >= 0; break;
        case ST_WAIT_AG: ready = !t->ag_wait[t->wait_bucket]; break;
        case ST_WAIT_RS: ready = t->rs_left == 0; break;
        }
        if (!ready)
            return;   /* a wake for a wait already over */
        if (t->state != ST_RUN)
            end_wait(x, t);
        advance(x, e->id);
        break;
    }
    case EV_CF_START:
        cf_start(x, e->id);
        break;
    case EV_CF_DONE:
        if (e->gen != (uint32_t)x->cf[e->id].gen)
            return;   /* superseded by a rate change */
        cf_done(x, e->id);
        break;
    case EV_REQ_DONE:
        req_done(x, e->id);
        break;
    }
}

/* ------------------------------------------------------------------ run */

static void sim_free(sim *x)
{
    aif_topo_free(x->topo);
    aif_mm_free(x->mm);
    aif_evq_free(&x->q);
    if (x->tl)
        for (int i = 0; i < x->n_tl; i++) {
            free(x->tl[i].items);
            free(x->tl[i].ag_wait);
        }
    aif_pats_free(&x->pats);
    void *ps[] = {x->op_t, x->sched, x->n_buckets, x->chunk_first, x->chunk_n, x->chunk_bucket, x->tl, x->rq,
                  x->st, x->cf, x->mm2cf, x->arrive, x->link_bytes, x->rdv, x->scratch};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        free(ps[i]);
}

static aif_rc setup(sim *x, const aif_scenario *s, const aif_graph *g, const aif_sim_opts *o, aif_err *err)
{
    const aif_parallel *p = &s->train.par;
    x->s = s;
    x->g = g;
    x->o = o;
    x->pp = p->pp;
    x->vpp = p->vpp;
    x->m = g->microbatches;
    x->dp = p->dp;
    x->tp = p->tp;
    x->cp = p->cp;
    x->ep = p->ep;
    x->etp = p->etp;
    x->S = p->tp * p->cp * p->dp;
    x->full = o->full;
    x->slowdown = s->cluster.gpu.calib.overlap_slowdown;
    x->free_rq = x->free_cf = -1;
    if (x->vpp > 1 && x->m % x->pp)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.vpp",
                           "the interleaved schedule needs microbatches (%d) to be a multiple of pp (%d), as "
                           "Megatron-LM requires; change gbs, or set vpp: 1", x->m, x->pp);
    aif_rc rc = aif_topo_build(&s->cluster, &x->topo, err);
    if (rc)
        return rc;
    x->mm = aif_mm_new();
    aif_evq_init(&x->q);
    double clock = s->cluster.clock_factor > 0 ? s->cluster.clock_factor : 1.0;
    x->op_t = calloc((size_t)g->n_ops + 1, sizeof(double));
    x->n_units = x->m * x->vpp * 2;
    x->sched = malloc((size_t)x->pp * (size_t)x->n_units * sizeof(unit));
    x->n_buckets = calloc((size_t)x->pp, sizeof(int));
    x->chunk_first = malloc((size_t)x->pp * (size_t)x->vpp * sizeof(int));
    x->chunk_n = malloc((size_t)x->pp * (size_t)x->vpp * sizeof(int));
    x->chunk_bucket = malloc((size_t)x->pp * (size_t)x->vpp * sizeof(int));
    x->n_tl = x->full ? x->pp * x->dp : x->pp;
    x->tl = calloc((size_t)x->n_tl, sizeof(timeline));
    x->st = malloc((size_t)x->n_tl * AIF_N_GRP * sizeof(stream));
    long reps = x->full ? x->dp : 1;
    x->arrive = malloc((size_t)(reps * x->pp * 2 * x->vpp * x->m) * sizeof(double));
    long n_inst = x->pp + x->n_tl;
    x->rdv = malloc((size_t)n_inst * AIF_N_GRP * sizeof(rdv));
    if (!x->mm || !x->op_t || !x->sched || !x->n_buckets || !x->chunk_first || !x->chunk_n || !x->chunk_bucket ||
        !x->tl || !x->st || !x->arrive || !x->rdv ||
        aif_pats_init(&x->pats, x->topo, x->mm, &s->cluster.scaleup, s->cluster.gpus))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    for (long i = 0; i < n_inst * AIF_N_GRP; i++)
        x->rdv[i] = (rdv){0, -1};
    for (long i = 0; i < reps * x->pp * 2 * x->vpp * x->m; i++)
        x->arrive[i] = -1;
    for (long i = 0; i < (long)x->n_tl * AIF_N_GRP; i++)
        x->st[i] = (stream){-1, -1};
    for (int i = 0; i < g->n_ops; i++) {
        const aif_op *op = &g->ops[i];
        if (op->kind == AIF_OP_COMM) {
            x->op_t[i] = aif_coll_time(&s->cluster, (aif_coll)op->coll, g->groups[op->group], op->bytes);
        } else {
            x->op_t[i] = aif_compute_time(&s->cluster.gpu, op, clock);
        }
    }
    int max_items = 0;
    chunk_tables(x);
    for (int st = 0; st < x->pp; st++) {
        build_schedule(x, st, x->sched + (long)st * x->n_units);
        if (x->n_buckets[st] > max_items)
            max_items = x->n_buckets[st];
    }
    x->n_buckets_max = max_items;
    for (int i = 0; i < x->n_tl; i++) {
        timeline *t = &x->tl[i];
        t->stage = x->full ? i / x->dp : i;
        t->replica = x->full ? i % x->dp : 0;
        t->unit = -1;
        t->op = -1;
        t->pend_req = -1;
        t->items = malloc((size_t)(max_items + 2) * sizeof(item));
        t->ag_wait = calloc((size_t)max_items + 1, 1);
        if (!t->items || !t->ag_wait)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
        t->items[0].seg = 0xff;   /* no unit yet */
    }
    x->units_total = (long)x->n_tl * x->n_units;
    return AIF_OK;
}

static void start(sim *x)
{
    const aif_train *tr = &x->s->train;
    for (int i = 0; i < x->n_tl; i++) {
        timeline *t = &x->tl[i];
        int nb = x->n_buckets[t->stage];
        /* parameter all-gathers (none when the step graph has no bytes to gather) */
        if (tr->dp_overlap)
            for (int b = 0; b < nb; b++)
                submit_buckets(x, i, AIF_SEG_STEP_AG, RQ_AG, 1.0 / nb, b);
        else   /* all of it before the first forward, which waits for it */
            submit_buckets(x, i, AIF_SEG_STEP_AG, RQ_AG, 1, 0);
        t->item = t->n_items = 0;
        t->state = ST_START;
        wake(x, i);
    }
}

static aif_rc write_trace_header(sim *x, const char *path, char *tmp, size_t n, aif_err *err)
{
    snprintf(tmp, n, "%s.tmp", path);
    x->trace = fopen(tmp, "w");
    if (!x->trace)
        return aif_err_set(err, AIF_EIO, path, 0, 0, "--trace", "cannot write the trace: %s", strerror(errno));
    fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", x->trace);
    x->trace_first = 1;
    for (int i = 0; i < x->n_tl; i++) {
        fprintf(x->trace, "%s\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":\"", i ? "," : "",
                i);
        if (x->full)
            fprintf(x->trace, "stage %d replica %d", x->tl[i].stage, x->tl[i].replica);
        else
            fprintf(x->trace, "stage %d (%d GPUs)", x->tl[i].stage, x->S);
        fprintf(x->trace, "\"}},\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,"
                          "\"args\":{\"name\":\"compute\"}}", i);
        for (int gr = 0; gr < AIF_N_GRP; gr++)
            fprintf(x->trace, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
                              "\"args\":{\"name\":\"%s comm\"}}",
                    i, 1 + gr, aif_group_name(gr));
        x->trace_first = 0;
    }
    return AIF_OK;
}

aif_rc aif_simulate(const aif_scenario *s, const aif_sim_opts *o, aif_train_result *r, aif_sim_stats *st,
                    aif_err *err)
{
    static const aif_sim_opts none;
    if (!o)
        o = &none;
    aif_rc rc = aif_scenario_check(s, err);
    if (rc)
        return rc;
    aif_graph *g = malloc(sizeof *g);
    if (!g)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    if ((rc = aif_graph_lower(s, g, err))) {
        free(g);
        return rc;
    }
    sim x;
    memset(&x, 0, sizeof x);
    char tmp[4096];
    rc = setup(&x, s, g, o, err);
    if (!rc && o->trace_path)
        rc = write_trace_header(&x, o->trace_path, tmp, sizeof tmp, err);
    if (rc) {
        if (x.trace) {
            fclose(x.trace);
            remove(tmp);
        }
        sim_free(&x);
        free(g);
        return rc;
    }
    prebuild(&x);
    if (!x.oom && !o->no_link_classes)
        aif_pats_make_classes(&x.pats);
    else if (!x.oom)
        aif_pats_unclassed(&x.pats);
    if (x.pats.err)
        x.oom = x.pats.err;
    if (!x.oom && !(x.link_bytes = calloc((size_t)x.pats.n_mm_links + 1, sizeof(double))))
        x.oom = 1;
    x.cap_link_bytes = x.pats.n_mm_links + 1;
    start(&x);
    aif_event e;
    while (!x.oom) {
        if (x.dirty && (x.q.n == 0 || x.q.heap[0].t > x.q.now))
            resolve_rates(&x);
        if (!aif_evq_pop(&x.q, &e))
            break;
        x.events++;
        on_event(&x, &e);
    }
    double step = 0;
    int stuck = -1, crit = 0;
    double best = -1;
    for (int i = 0; i < x.n_tl; i++) {
        const timeline *t = &x.tl[i];
        if (t->phase != 3 && stuck < 0)
            stuck = i;
        if (t->end_t > step)
            step = t->end_t;
        double busy = t->cat_s[AIF_CAT_COMPUTE] + t->cat_s[AIF_CAT_RECOMPUTE];
        if (busy > best) {
            best = busy;
            crit = i;
        }
    }
    if (x.trace) {
        fputs("\n]}\n", x.trace);
        int bad = ferror(x.trace);
        bad |= fclose(x.trace) != 0;
        x.trace = NULL;
        if (!x.oom && stuck < 0 && (bad || rename(tmp, o->trace_path) != 0)) {
            remove(tmp);
            rc = aif_err_set(err, AIF_EIO, o->trace_path, 0, 0, "--trace", "cannot write the trace: %s",
                             strerror(errno));
        } else if (x.oom || stuck >= 0) {
            remove(tmp);
        }
    }
    if (!rc && x.oom == 2)
        rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network",
                         "the network is partitioned: some transfer has no live path (too many failed links, or "
                         "rail-only without a way between rails)");
    else if (!rc && x.oom == 3)
        rc = aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "simulate", "a route left the network (a bug in aifsim)");
    else if (!rc && x.oom)
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    else if (!rc && stuck >= 0)
        rc = aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "simulate",
                         "timeline %d (stage %d) did not finish the step: stuck in state %d at unit %d of %d, "
                         "phase %d", stuck, x.tl[stuck].stage, x.tl[stuck].state, x.tl[stuck].unit, x.n_units,
                         x.tl[stuck].phase);
    if (!rc) {
        aif_estimate_graph(s, g, r);   /* memory, FLOPs and the fields both engines share */
        const timeline *t = &x.tl[crit];
        aif_breakdown *bd = &r->bd;
        memset(bd, 0, sizeof *bd);
        bd->compute_s = t->cat_s[AIF_CAT_COMPUTE] + t->cat_s[AIF_CAT_RECOMPUTE];
        bd->recompute_s = t->cat_s[AIF_CAT_RECOMPUTE];
        bd->membound_s = t->membound_s;
        bd->tp_comm_s = t->cat_s[AIF_CAT_TP];
        bd->cp_comm_s = t->cat_s[AIF_CAT_CP];
        bd->ep_comm_s = t->cat_s[AIF_CAT_EP];
        bd->pp_comm_s = t->cat_s[AIF_CAT_PP];
        bd->dp_comm_s = t->cat_s[AIF_CAT_DP];
        bd->optimizer_s = t->cat_s[AIF_CAT_OPT];
        double other = bd->compute_s + bd->tp_comm_s + bd->cp_comm_s + bd->ep_comm_s + bd->pp_comm_s +
                       bd->dp_comm_s + bd->optimizer_s;
        bd->pp_bubble_s = step > other ? step - other : 0;
        r->step_time_s = step;
        aif_result_derive(s, g, r);
        if (o->progress)
            o->progress(1.0, o->progress_ctx);
    }
    if (!rc && st) {
        memset(st, 0, sizeof *st);
        st->topo = *aif_topo_get_summary(x.topo);
        st->timelines = x.n_tl;
        st->events = x.events;
        st->coflows = x.coflows;
        st->flow_updates = x.updates;
        st->patterns = x.pats.n_pat;
        st->solver_links = x.pats.n_mm_links;
        st->late_patterns = x.pats.late;
        st->comm_stretch = x.net_ideal_s > 0 ? x.net_sim_s / x.net_ideal_s : 1;
        double cap[AIF_N_TIER] = {0};
        for (long l = 0; l < x.topo->n_links; l++)
            cap[aif_topo_tier(x.topo, l)] += x.topo->cap[l];
        const aif_fabric *fab = &s->cluster.fabric;
        if (fab->transport == AIF_TCP && fab->cpu_core_bw_Bps > 0 && step > 0)
            st->host_cores_per_node = x.tier_bytes[AIF_TIER_NIC] / step / x.topo->nodes / fab->cpu_core_bw_Bps;
        for (int k = 0; k < AIF_N_TIER; k++) {
            st->tier_bytes[k] = x.tier_bytes[k];
            st->tier_util_mean[k] = cap[k] > 0 && step > 0 ? x.tier_bytes[k] / (cap[k] * step) : 0;
        }
        for (int l = 0; l < x.pats.n_mm_links; l++) {
            long tl_ = x.pats.mm_topo[l];
            int k = aif_topo_tier(x.topo, tl_);
            double u = x.topo->cap[tl_] > 0 && step > 0 ? x.link_bytes[l] / (x.topo->cap[tl_] * step) : 0;
            if (u > st->tier_util_max[k])
                st->tier_util_max[k] = u;
        }
    }
    sim_free(&x);
    free(g);
    return rc;
}
