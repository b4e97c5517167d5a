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
 * each link the bytes the collective moves over it.  A coflow progresses at one
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
#include "aifsim/sim.h"
#include "base/base.h"
#include "engine/estimate.h"
#include "engine/events.h"
#include "hw/compute.h"
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

typedef struct pattern {
    long key;
    int first, n;              /* into pat_link / pat_coef */
    double ideal_Bps;          /* message bytes per second with no contention */
    double copies;             /* groups each included group stands for (symmetry) */
} pattern;

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
    double *op_t, *op_s;       /* per op: duration (compute) or analytical time (comm) */
    unsigned char *op_algo;
    /* schedule per stage */
    unit *sched;
    int n_units;
    int n_buckets_max, *n_buckets;
    timeline *tl;
    int n_tl;
    req *rq;
    int n_rq, cap_rq, free_rq;
    stream *st;                /* n_tl * AIF_N_GRP */
    coflow *cf;
    int n_cf, cap_cf, free_cf;
    int *mm2cf;
    int cap_mm2cf;
    /* arrivals of pipeline sends: [replica][receiving stage][kind][chunk][mb] */
    double *arrive;
    /* link patterns */
    pattern *pat;
    int n_pat, cap_pat;
    int *pat_hash, hash_cap;
    int *pat_link;
    double *pat_coef;
    long n_pl, cap_pl;
    float *acc;
    long *touched;
    long n_touched, cap_touched;
    int *mmlink;               /* topology link -> solver link (-1: not yet used) */
    long *mm_topo;             /* solver link -> topology link */
    int n_mm_links, cap_mm_topo;
    double *link_bytes;        /* per solver link */
    int cap_link_bytes;
    int *class_size;           /* per solver link: topology links it stands for */
    int cap_class_size;
    int classed;               /* patterns hold solver links (classes made) */
    double *scratch;           /* coefficients of the coflow being started */
    int *seg_first;            /* group_flows: domain segments of a group (n + 1 entries) */
    int cap_scratch;
    long late_patterns;        /* patterns first needed after the classes were made */
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

static int grow_arr(void **p, int *cap, int need, size_t sz)
{
    if (need <= *cap)
        return 0;
    int c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int grow_long(void **p, long *cap, long need, size_t sz)
{
    if (need <= *cap)
        return 0;
    long c = *cap ? *cap : 1024;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

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

static void acc_link(sim *x, long l, double c)
{
    if (l < 0 || l >= x->topo->n_links) {
        x->oom = 3;   /* a route left the network: a bug */
        return;
    }
    if (x->acc[l] == 0) {
        if (grow_long((void **)&x->touched, &x->cap_touched, x->n_touched + 1, sizeof(long))) {
            x->oom = 1;
            return;
        }
        x->touched[x->n_touched++] = l;
    }
    x->acc[l] += (float)c;
}

static void acc_route(sim *x, long a, long b, uint64_t salt, double coef)
{
    aif_hop h[AIF_TOPO_MAX_HOPS];
    int n = aif_topo_route(x->topo, (int)a, (int)b, salt, x->topo->routing == AIF_ROUTE_ADAPTIVE ? x->acc : NULL, h);
    if (n < 0) {
        x->oom = 2;   /* partitioned */
        return;
    }
    for (int i = 0; i < n; i++)
        acc_link(x, h[i].link, coef * h[i].share);
}

/* The flows of one collective on one group (members base + i * stride), bytes per message byte. */
static void group_flows(sim *x, int coll, int algo, long base, long stride, int n, uint64_t salt)
{
    if (n <= 1)
        return;
    int dom = x->topo->dom;
    int k = 0, d = 1;   /* members in the first member's domain; domains the group spans */
    for (int i = 0; i < n && (base + i * stride) / dom == base / dom; i++)
        k++;
    for (int i = 1; i < n; i++)
        d += (base + i * stride) / dom != (base + (i - 1) * stride) / dom;
    double nn = n;
    /* bytes each rank sends per message byte: all-reduce 2(n-1)/n, all-gather and reduce-scatter
     * (n-1)/n, broadcast and a ring of send/recv (context parallelism) the whole message */
    double bf = coll == AIF_COLL_ALLREDUCE ? 2 * (nn - 1) / nn
                : coll == AIF_COLL_BROADCAST || coll == AIF_COLL_SENDRECV ? 1 : (nn - 1) / nn;
#define M(i) (base + (long)(i) * stride)
    if (coll == AIF_COLL_ALLTOALL) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j)
                    acc_route(x, M(i), M(j), salt + (uint64_t)(i * n + j), 1.0 / n);
        return;
    }
    if (coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_NVLS && d == 1) {
        /* the switch reduces: every GPU sends and receives the bus bytes at the NVLS rate */
        const aif_fabric *su = &x->s->cluster.scaleup;
        double c = bf * su->efficiency / su->nvls_efficiency;
        for (int i = 0; i < n; i++) {
            acc_link(x, x->topo->off_su_up + M(i), c);
            acc_link(x, x->topo->off_su_down + M(i), c);
        }
        return;
    }
    if (coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_COLLNET && d > 1) {
        /* reduce-scatter and all-gather inside the domain; each GPU's 1/k of the buffer
         * goes up to the switches once and comes back reduced once */
        for (int i0 = 0; i0 < n;) {
            int i1 = i0;
            while (i1 < n && M(i1) / dom == M(i0) / dom)
                i1++;
            int kj = i1 - i0;
            double kk = kj;
            for (int c = 0; c < kj; c++) {
                if (kj > 1)
                    acc_route(x, M(i0 + c), M(i0 + (c + 1) % kj), salt + (uint64_t)(i0 + c), 2 * (kk - 1) / kk);
                aif_hop h[AIF_TOPO_MAX_HOPS];
                int nh = aif_topo_nic_hops(x->topo, (int)M(i0 + c), 1.0 / kk, h);
                for (int q = 0; q < nh; q++)
                    acc_link(x, h[q].link, h[q].share);
            }
            i0 = i1;
        }
        return;
    }
    int tree = coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_TREE && d > 1;
    if (d == 1 && x->topo->torus && k == dom) {
        /* a collective over a whole torus: each chip moves the bus bytes over all its links
         * at once (a ring in each dimension and direction, as torus all-reduces do) */
        int nl = 2 * x->topo->tnd;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < nl; j++)
                acc_link(x, M(i) * 6 + j, bf / nl);
        return;
    }
    if (d == 1 && x->topo->torus) {   /* a bidirectional ring (half each way) over the torus links */
        for (int i = 0; i < n; i++) {
            acc_route(x, M(i), M((i + 1) % n), salt + (uint64_t)i, bf / 2);
            acc_route(x, M(i), M((i + n - 1) % n), salt + (uint64_t)i, bf / 2);
        }
        return;
    }
    if (d == 1) {   /* one ring inside the domain */
        for (int i = 0; i < n; i++)
            acc_route(x, M(i), M((i + 1) % n), salt + (uint64_t)i, bf);
        return;
    }
    /* across domains: a ring (channel) per local position c, leaving each domain
     * through its c-th member's NIC; inside the domain the rest of each ring over the
     * scale-up links.  Domains may hold different numbers of the group's members (a
     * job with a part-filled node): segment j has k_j of them. */
    int *seg = x->seg_first;   /* first member of each domain segment, then n */
    int ns = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || M(i) / dom != M(i - 1) / dom)
            seg[ns++] = i;
    seg[ns] = n;
    double dd = ns;
    for (int j = 0; j < ns; j++) {
        int kj = seg[j + 1] - seg[j], kn = seg[(j + 1) % ns + 1] - seg[(j + 1) % ns];
        double kk = kj;
        double intra = tree ? 2 * (kk - 1) / kk : bf * (kk - 1) / kk;
        double cross = tree ? 2 * (dd - 1) / dd / kk : bf / kk;
        for (int c = 0; c < kj; c++) {
            long from = M(seg[j] + c);
            if (kj > 1)
                acc_route(x, from, M(seg[j] + (c + 1) % kj), salt + (uint64_t)(seg[j] + c), intra);
            acc_route(x, from, M(seg[(j + 1) % ns] + c % kn), salt + 0x9000000ull + (uint64_t)(seg[j] + c), cross);
        }
    }
#undef M
}

static long pattern_key(int grp, int coll, int algo, int dir, int inst)
{
    return ((((long)inst * AIF_N_GRP + grp) * 8 + coll) * 8 + algo) * 3 + dir;
}

static int solver_link(sim *x, long l)
{
    if (x->mmlink[l] >= 0)
        return x->mmlink[l];
    int k = aif_mm_add_link(x->mm, x->topo->cap[l]);
    if (k < 0 || grow_arr((void **)&x->mm_topo, &x->cap_mm_topo, k + 1, sizeof(long)) ||
        grow_arr((void **)&x->link_bytes, &x->cap_link_bytes, k + 1, sizeof(double))) {
        x->oom = 1;
        return 0;
    }
    if (grow_arr((void **)&x->class_size, &x->cap_class_size, k + 1, sizeof(int))) {
        x->oom = 1;
        return 0;
    }
    x->mm_topo[k] = l;
    x->link_bytes[k] = 0;
    x->class_size[k] = 1;
    x->n_mm_links = k + 1;
    x->mmlink[l] = k;
    return k;
}

/* Builds (or finds) the link pattern of a collective: op's group on an instance;
 * dir: 0 collective, 1 pipeline send forward, 2 backward. */
static int rehash(sim *x)
{
    int cap = x->hash_cap * 2, *h = malloc((size_t)cap * sizeof(int));
    if (!h)
        return -1;
    for (int i = 0; i < cap; i++)
        h[i] = -1;
    for (int p = 0; p < x->n_pat; p++) {
        unsigned long k = (unsigned long)x->pat[p].key * 0x9e3779b97f4a7c15ull;
        int i = (int)(k >> 40) & (cap - 1);
        while (h[i] >= 0)
            i = (i + 1) & (cap - 1);
        h[i] = p;
    }
    free(x->pat_hash);
    x->pat_hash = h;
    x->hash_cap = cap;
    return 0;
}

static int get_pattern(sim *x, int op, int algo, int inst, int dir)
{
    const aif_op *o = &x->g->ops[op];
    if (2 * (x->n_pat + 1) > x->hash_cap && rehash(x)) {
        x->oom = 1;
        return 0;
    }
    long key = pattern_key(o->group, o->coll, algo, dir, inst);
    unsigned long h = (unsigned long)key * 0x9e3779b97f4a7c15ull;
    int mask = x->hash_cap - 1;
    for (int i = (int)(h >> 40) & mask;; i = (i + 1) & mask) {
        int p = x->pat_hash[i];
        if (p < 0) {
            x->pat_hash[i] = x->n_pat;
            break;
        }
        if (x->pat[p].key == key)
            return p;
    }
    if (grow_arr((void **)&x->pat, &x->cap_pat, x->n_pat + 1, sizeof(pattern))) {
        x->oom = 1;
        return 0;
    }
    pattern *pt = &x->pat[x->n_pat];
    pt->key = key;
    pt->copies = 1;
    long lo, hi;
    instance_gpus(x, inst, &lo, &hi);
    x->n_touched = 0;
    uint64_t salt = (uint64_t)key << 20;
    if (dir) {
        int stage = (int)(lo / x->S);
        int to = dir == 1 ? (stage + 1) % x->pp : (stage + x->pp - 1) % x->pp;
        for (long gg = lo; gg < hi; gg++)
            acc_route(x, gg, gg + (long)(to - stage) * x->S, salt + (uint64_t)gg, 1);
    } else {
        long base, stride;
        int n = group_of(x, o->group, lo, &base, &stride);
        /* one group stands for all only when every group lies inside one domain */
        int first_only = n > 1 && !x->topo->torus;   /* on a torus, routes cross other chips' links */
        for (long gg = lo; gg < hi && first_only; gg++) {
            n = group_of(x, o->group, gg, &base, &stride);
            if (base == gg && base / x->topo->dom != (base + (n - 1) * stride) / x->topo->dom)
                first_only = 0;
        }
        long copies = 0;
        for (long gg = lo; gg < hi; gg++) {
            n = group_of(x, o->group, gg, &base, &stride);
            if (base != gg)
                continue;
            if (!first_only || copies == 0)
                group_flows(x, o->coll, algo, base, stride, n, salt + (uint64_t)gg * 0x10000);
            copies++;
        }
        if (first_only && copies > 0)
            pt->copies = (double)copies;
    }
    long old = x->cap_pl;
    if (grow_long((void **)&x->pat_link, &x->cap_pl, x->n_pl + x->n_touched, sizeof(int))) {
        x->oom = 1;
        return 0;
    }
    if (x->cap_pl != old) {
        double *nc = realloc(x->pat_coef, (size_t)x->cap_pl * sizeof(double));
        if (!nc) {
            x->oom = 1;
            return 0;
        }
        x->pat_coef = nc;
    }
    pt->first = (int)x->n_pl;
    pt->n = (int)x->n_touched;
    double ideal = INFINITY;
    for (long i = 0; i < x->n_touched; i++) {
        long l = x->touched[i];
        double c = x->acc[l];
        x->acc[l] = 0;
        aif_tier tr = aif_topo_tier(x->topo, l);
        if ((tr == AIF_TIER_SCALEUP || tr == AIF_TIER_NIC) && c > 0)
            ideal = fmin(ideal, x->topo->cap[l] / c);
        /* before the link classes are made, patterns hold topology links; after, solver links */
        x->pat_link[x->n_pl] = x->classed ? solver_link(x, l) : (int)l;
        if (x->classed)
            x->late_patterns += i == 0;
        x->pat_coef[x->n_pl++] = c;
    }
    pt->ideal_Bps = ideal;
    x->n_pat++;
    return x->n_pat - 1;
}

/* ------------------------------------------------------- symmetric links */

/* Routes every collective the step will run (all patterns), then merges links
 * that are interchangeable: the same capacity and the same coefficient in
 * exactly the same patterns.  Such links always carry the same load, so one
 * solver link per class gives the same rates as one per link (exact), and the
 * solver's work no longer grows with the number of identical NICs and cables. */
static int unit_items(const sim *x, const struct timeline *t, const struct unit *u, struct item *it);
static int bucket_base(const sim *x, int p, int v);

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

static uint64_t mix(uint64_t v)
{
    v += 0x9e3779b97f4a7c15ull;
    v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
    v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
    return v ^ (v >> 31);
}

static void make_classes(sim *x)
{
    /* dense ids for the links the patterns use (mmlink doubles as the map) */
    long n_used = 0;
    long *used = malloc((size_t)(x->n_pl + 1) * sizeof(long));
    if (!used) {
        x->oom = 1;
        return;
    }
    for (long i = 0; i < x->n_pl; i++) {
        long l = x->pat_link[i];
        if (x->mmlink[l] < 0) {
            x->mmlink[l] = (int)n_used;
            used[n_used++] = l;
        }
    }
    uint64_t *sig = malloc((size_t)(2 * n_used + 1) * sizeof(uint64_t));
    if (!sig) {
        free(used);
        x->oom = 1;
        return;
    }
    for (long u = 0; u < n_used; u++) {
        uint64_t c;
        float cap = x->topo->cap[used[u]];
        memcpy(&c, &(double){cap}, sizeof c);
        sig[2 * u] = mix(c ^ (uint64_t)aif_topo_tier(x->topo, used[u]));
        sig[2 * u + 1] = mix(c + 0x51ed27ull);
    }
    for (int p = 0; p < x->n_pat; p++) {
        const pattern *pt = &x->pat[p];
        for (int i = 0; i < pt->n; i++) {
            long u = x->mmlink[x->pat_link[pt->first + i]];
            uint64_t c;
            memcpy(&c, &x->pat_coef[pt->first + i], sizeof c);
            uint64_t h = mix(((uint64_t)p << 32) ^ c);
            sig[2 * u] = mix(sig[2 * u] ^ h);
            sig[2 * u + 1] = mix(sig[2 * u + 1] + h * 0x2545f4914f6cdd1dull);
        }
    }
    /* one solver link per distinct (signature) */
    long cap = 64;
    while (cap < 2 * n_used)
        cap *= 2;
    long *tab = malloc((size_t)cap * sizeof(long));
    int *cls = malloc((size_t)(n_used + 1) * sizeof(int));
    if (!tab || !cls) {
        free(used);
        free(sig);
        free(tab);
        free(cls);
        x->oom = 1;
        return;
    }
    for (long i = 0; i < cap; i++)
        tab[i] = -1;
    for (long u = 0; u < n_used && !x->oom; u++) {
        long i = (long)(sig[2 * u] & (uint64_t)(cap - 1));
        for (;; i = (i + 1) & (cap - 1)) {
            long v = tab[i];
            if (v < 0) {
                tab[i] = u;
                x->mmlink[used[u]] = -1;
                cls[u] = solver_link(x, used[u]);
                break;
            }
            if (sig[2 * v] == sig[2 * u] && sig[2 * v + 1] == sig[2 * u + 1]) {
                cls[u] = cls[v];
                x->class_size[cls[u]]++;
                break;
            }
        }
    }
    for (long u = 0; u < n_used; u++)
        x->mmlink[used[u]] = cls[u];
    /* patterns now name classes, once each (members of a class share the coefficient) */
    int *seen = calloc((size_t)x->n_mm_links + 1, sizeof(int));
    if (!seen) {
        x->oom = 1;
    } else {
        long w = 0;
        for (int p = 0; p < x->n_pat; p++) {
            pattern *pt = &x->pat[p];
            long first = w;
            for (int i = 0; i < pt->n; i++) {
                int k = x->mmlink[x->pat_link[pt->first + i]];
                if (seen[k] == p + 1)
                    continue;
                seen[k] = p + 1;
                x->pat_link[w] = k;
                x->pat_coef[w++] = x->pat_coef[pt->first + i];
            }
            pt->first = (int)first;
            pt->n = (int)(w - first);
        }
        x->n_pl = w;
    }
    free(seen);
    free(tab);
    free(cls);
    free(sig);
    free(used);
    x->classed = 1;
}

/* Without classes (aif_sim_opts.no_link_classes, to check them): one solver link per topology link. */
static void unclassed(sim *x)
{
    for (long i = 0; i < x->n_pl; i++)
        x->pat_link[i] = solver_link(x, x->pat_link[i]);
    x->classed = 1;
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

static const char *const grp_names[AIF_N_GRP] = {"tp", "cp", "ep", "dp", "edp", "pp", "etp"};

static int new_req(sim *x)
{
    if (x->free_rq >= 0) {
        int r = x->free_rq;
        x->free_rq = x->rq[r].next;
        return r;
    }
    if (grow_arr((void **)&x->rq, &x->cap_rq, x->n_rq + 1, sizeof(req))) {
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
        if (grow_arr((void **)&x->cf, &x->cap_cf, x->n_cf + 1, sizeof(coflow))) {
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
    const pattern *pt = &x->pat[p];
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
    const pattern *pt = &x->pat[f->pattern];
    double phi = pt->ideal_Bps / f->bytes;   /* completion per second, uncontended */
    if (grow_arr((void **)&x->scratch, &x->cap_scratch, pt->n, sizeof(double))) {
        x->oom = 1;
        return;
    }
    double *coefs = x->scratch;
    for (int i = 0; i < pt->n; i++)
        coefs[i] = x->pat_coef[pt->first + i] * f->bytes;
    int m = aif_mm_add_flow_coef(x->mm, x->pat_link + pt->first, coefs, pt->n, phi, phi);
    if (m < 0 || grow_arr((void **)&x->mm2cf, &x->cap_mm2cf, m + 1, sizeof(int))) {
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
        trace_slice(x, x->g->ops[q->op].name, grp_names[q->grp], q->tl, 1 + q->grp, q->t_start, x->q.now);
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
    const pattern *pt = &x->pat[f->pattern];
    if (f->mm >= 0) {
        aif_mm_remove_flow(x->mm, f->mm);
        x->dirty = 1;
        x->net_ideal_s += f->t_ideal;
    }
    for (int i = 0; i < pt->n; i++) {
        int l = x->pat_link[pt->first + i];
        double b = x->pat_coef[pt->first + i] * f->bytes;
        x->link_bytes[l] += b;
        x->tier_bytes[aif_topo_tier(x->topo, x->mm_topo[l])] += b * pt->copies * x->class_size[l];
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

static int first_layer(const sim *x, int chunk_global, int *n)
{
    int first = 0, nn = 0, nc = x->pp * x->vpp, layers = x->g->layers;
    /* the same split as the lowering (graph.c chunk_layers): recomputed through aif_graph_stage's rule */
    int base = layers / nc, rem = layers % nc, middle = nc > 2 ? nc - 2 : 0;
    int extra_mid = rem < middle ? rem : middle, extra_ends = rem - extra_mid, start = 0;
    for (int i = 0; i <= chunk_global; i++) {
        int gets = nc <= 2 ? i < rem
                   : (i == 0 || i == nc - 1) ? ((i == 0 && extra_ends >= 1) || (i == nc - 1 && extra_ends >= 2))
                                             : (i - 1) < extra_mid;
        nn = base + gets;
        first = start;
        start += nn;
    }
    *n = nn;
    return first;
}

/* bucket numbering of a stage: forward order over its chunks (embedding, layers, head) */
static int bucket_base(const sim *x, int p, int v)
{
    int b = 0, nc = x->pp * x->vpp;
    for (int c = 0; c < v; c++) {
        int cg = c * x->pp + p, n;
        first_layer(x, cg, &n);
        b += n + (cg == 0) + (cg == nc - 1);
    }
    return b;
}

/* Segments of one unit, in execution order. */
static int unit_items(const sim *x, const timeline *t, const unit *u, item *it)
{
    int nc = x->pp * x->vpp, cg = u->chunk * x->pp + t->stage, n, k = 0;
    int first = first_layer(x, cg, &n), b0 = bucket_base(x, t->stage, u->chunk);
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
                    extra = x->slowdown * fmin(d, x->op_s[x->rq[t->pend_req].op]);
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
    void *ps[] = {x->op_t, x->op_s, x->op_algo, x->sched, x->n_buckets, x->tl, x->rq, x->st, x->cf, x->mm2cf,
                  x->arrive, x->pat, x->pat_hash, x->pat_link, x->pat_coef, x->acc, x->touched, x->mmlink,
                  x->mm_topo, x->link_bytes, x->rdv, x->class_size, x->scratch, x->seg_first};
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
    x->op_s = calloc((size_t)g->n_ops + 1, sizeof(double));
    x->op_algo = calloc((size_t)g->n_ops + 1, 1);
    x->n_units = x->m * x->vpp * 2;
    x->sched = malloc((size_t)x->pp * (size_t)x->n_units * sizeof(unit));
    x->n_buckets = calloc((size_t)x->pp, sizeof(int));
    x->n_tl = x->full ? x->pp * x->dp : x->pp;
    x->tl = calloc((size_t)x->n_tl, sizeof(timeline));
    x->st = malloc((size_t)x->n_tl * AIF_N_GRP * sizeof(stream));
    long reps = x->full ? x->dp : 1;
    x->arrive = malloc((size_t)(reps * x->pp * 2 * x->vpp * x->m) * sizeof(double));
    x->hash_cap = 1024;
    x->pat_hash = malloc((size_t)x->hash_cap * sizeof(int));
    x->acc = calloc((size_t)x->topo->n_links, sizeof(float));
    x->seg_first = malloc(((size_t)s->cluster.gpus + 1) * sizeof(int));
    x->mmlink = malloc((size_t)x->topo->n_links * sizeof(int));
    long n_inst = x->pp + x->n_tl;
    x->rdv = malloc((size_t)n_inst * AIF_N_GRP * sizeof(rdv));
    if (!x->mm || !x->op_t || !x->op_s || !x->op_algo || !x->sched || !x->n_buckets || !x->tl || !x->st ||
        !x->arrive || !x->pat_hash || !x->acc || !x->mmlink || !x->rdv || !x->seg_first)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    for (long i = 0; i < x->topo->n_links; i++)
        x->mmlink[i] = -1;
    for (int i = 0; i < x->hash_cap; i++)
        x->pat_hash[i] = -1;
    for (long i = 0; i < n_inst * AIF_N_GRP; i++)
        x->rdv[i] = (rdv){0, -1};
    for (long i = 0; i < reps * x->pp * 2 * x->vpp * x->m; i++)
        x->arrive[i] = -1;
    for (long i = 0; i < (long)x->n_tl * AIF_N_GRP; i++)
        x->st[i] = (stream){-1, -1};
    for (int i = 0; i < g->n_ops; i++) {
        const aif_op *op = &g->ops[i];
        if (op->kind == AIF_OP_COMM) {
            aif_coll_algo a;
            x->op_s[i] = aif_coll_time_algo(&s->cluster, (aif_coll)op->coll, g->groups[op->group], op->bytes,
                                            AIF_ALGO_AUTO, &a);
            x->op_algo[i] = (unsigned char)a;
        } else {
            x->op_t[i] = aif_compute_time(&s->cluster.gpu, op, clock);
        }
    }
    int max_items = 0;
    for (int st = 0; st < x->pp; st++) {
        build_schedule(x, st, x->sched + (long)st * x->n_units);
        x->n_buckets[st] = bucket_base(x, st, x->vpp);
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
        int has_ag = 0;
        for (int k = x->g->seg[AIF_SEG_STEP_AG].first; k < x->g->seg[AIF_SEG_STEP_AG].first + x->g->seg[AIF_SEG_STEP_AG].n; k++)
            has_ag |= x->g->ops[k].bytes > 0;
        if (has_ag && tr->dp_overlap) {
            for (int b = 0; b < nb; b++)
                submit_buckets(x, i, AIF_SEG_STEP_AG, RQ_AG, 1.0 / nb, b);
        } else if (has_ag) {
            /* all of it before the first forward, which waits for it */
            submit_buckets(x, i, AIF_SEG_STEP_AG, RQ_AG, 1, 0);
        }
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
        fprintf(x->trace, "\"}},\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,\"args\":{\"name\":\"compute\"}}", i);
        for (int gr = 0; gr < AIF_N_GRP; gr++)
            fprintf(x->trace, ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"%s comm\"}}",
                    i, 1 + gr, grp_names[gr]);
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
        make_classes(&x);
    else if (!x.oom)
        unclassed(&x);
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
    if (getenv("AIFSIM_DEBUG") && stuck >= 0) {
        const timeline *t = &x.tl[stuck];
        fprintf(stderr, "debug: wait_req %d op %s item %d/%d op %d/%d pend %d seg %d bg %d\n", t->wait_req,
                t->wait_req >= 0 ? g->ops[x.rq[t->wait_req].op].name : "-", t->item, t->n_items, t->op, t->op_end,
                t->pend_req, t->seg_reqs, t->bg);
        for (int k = 0; k < AIF_N_GRP; k++) {
            int h = x.st[(long)stuck * AIF_N_GRP + k].head;
            if (h >= 0)
                fprintf(stderr, "debug: stream %s head %d op %s kind %d\n", grp_names[k], h, g->ops[x.rq[h].op].name,
                        x.rq[h].kind);
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
        st->patterns = x.n_pat;
        st->solver_links = x.n_mm_links;
        st->late_patterns = x.late_patterns;
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
        for (int l = 0; l < x.n_mm_links; l++) {
            long tl_ = x.mm_topo[l];
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

/* ------------------------------------------------------ one collective */

struct aif_coll_sim {
    sim x;
    aif_scenario s;
    double ideal[AIF_COLL_BROADCAST + 1][8], actual[AIF_COLL_BROADCAST + 1][8];   /* bytes per second */
    int n[AIF_COLL_BROADCAST + 1][8];
};

aif_rc aif_coll_sim_new(const aif_cluster *cl, aif_coll_sim **out, aif_err *err)
{
    *out = NULL;
    aif_coll_sim *c = calloc(1, sizeof *c);
    if (!c)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "collective", "out of memory");
    c->s.cluster = *cl;
    aif_rc rc = aif_topo_build(&c->s.cluster, &c->x.topo, err);
    if (!rc) {
        c->x.s = &c->s;
        c->x.acc = calloc((size_t)c->x.topo->n_links, sizeof(float));
        c->x.seg_first = malloc(((size_t)cl->gpus + 1) * sizeof(int));
        if (!c->x.acc || !c->x.seg_first)
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "collective", "out of memory");
    }
    if (rc) {
        aif_coll_sim_free(c);
        return rc;
    }
    *out = c;
    return AIF_OK;
}

void aif_coll_sim_free(aif_coll_sim *c)
{
    if (!c)
        return;
    aif_topo_free(c->x.topo);
    free(c->x.acc);
    free(c->x.touched);
    free(c->x.seg_first);
    free(c);
}

double aif_coll_sim_time(aif_coll_sim *c, aif_coll coll, int n, double bytes, aif_coll_algo algo, aif_coll_algo *used)
{
    aif_coll_algo u;
    double t_a = aif_collective_time_s(&c->s.cluster, coll, n, bytes, algo, &u);
    if (used)
        *used = u;
    if (!isfinite(t_a) || n < 2 || bytes <= 0 || n > c->x.topo->gpus)
        return t_a;
    sim *x = &c->x;
    if (c->n[coll][u] != n) {
        /* the collective's flows on GPUs [0, n), alone on the network: the bottleneck of
         * the links at the GPUs gives the uncontended rate, of all links the actual one */
        x->n_touched = 0;
        x->oom = 0;
        group_flows(x, coll, u, 0, 1, n, (uint64_t)(coll * 8 + u) << 40);
        double ideal = INFINITY, actual = INFINITY;
        for (long i = 0; i < x->n_touched; i++) {
            long l = x->touched[i];
            double cf = x->acc[l];
            x->acc[l] = 0;
            if (cf <= 0)
                continue;
            aif_tier tr = aif_topo_tier(x->topo, l);
            double r = x->topo->cap[l] > 0 ? x->topo->cap[l] / cf : 0;
            if (tr == AIF_TIER_SCALEUP || tr == AIF_TIER_NIC)
                ideal = fmin(ideal, r);
            actual = fmin(actual, r);
        }
        if (x->oom)
            return NAN;   /* no live path: the network is partitioned */
        c->ideal[coll][u] = ideal;
        c->actual[coll][u] = actual;
        c->n[coll][u] = n;
    }
    double ideal = c->ideal[coll][u], actual = c->actual[coll][u];
    if (!isfinite(ideal) || !isfinite(actual))
        return t_a;
    double lat = t_a - bytes / ideal > 0 ? t_a - bytes / ideal : 0;
    return lat + bytes / actual;
}
