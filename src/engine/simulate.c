/* simulate.c -- the training simulator: the step graph of one training job run
 * on the event kernel (engine/events.h) and the shared network object
 * (engine/netsim.h); include/aifsim/sim.h, docs/NETWORK.md.
 *
 * Timelines.  A timeline runs the ops of one pipeline stage (by default one per
 * stage, standing for all its tensor-, context- and data-parallel GPUs, which
 * are identical; with `full`, one per data-parallel replica and stage).  It
 * walks its stage's units in the order of workload/schedule.h (Megatron-LM's
 * 1F1B, interleaved when vpp > 1); a unit is a list of segments (embedding,
 * layers, head, pipeline send), each a list of ops run with the two-stream
 * semantics of graph.h.  A timeline goes through four phases (enum phase):
 * its units, waiting for its gradient reductions, the optimizer, done.
 *
 * Requests and streams.  Every communication op becomes a request on its
 * timeline's stream for that group (one NCCL communicator and stream per
 * group), served in order.  When a request reaches the head of its stream it
 * meets the other timelines of its group (a rendezvous; only with `full`), and
 * then becomes a coflow on the network: every transfer of the collective, on
 * every group the timelines stand for, as one flow of the max-min solver (its
 * link pattern, net/coflow.h), timed as netsim.h says.
 *
 * Placement.  Ranks are the job's (0 .. gpus-1, Megatron-Core order); the
 * network object puts them on the GPUs of the job's allocation (train.gpus,
 * train.first_node), on the topology of the whole cluster.
 *
 * Symmetry.  A collective whose every group lies inside one scale-up switch
 * domain puts only one group's flows on the network: the others use disjoint,
 * identical links and would get the same rate (not on a torus, where routes
 * cross other chips' links).  Collectives that leave the domain put every
 * group's flows on the network.  Those that lie inside one replica (pipeline
 * sends, groups inside a replica's block) are split by replica, since the sends
 * of different replicas do not wait for each other: the timeline follows the
 * representative replica (the one whose own sends take longest over the step,
 * scored before the patterns are built) and the others' sends are background
 * coflows beside it.  Adaptive routing routes one collective on every stage and
 * replica together, each seeing the load of those before it, in both modes (load_key).
 *
 * Data-parallel gradients.  With dp_overlap, a stage's embedding, layers and
 * head form the graph's dp_buckets buckets of consecutive layers (Megatron-LM's
 * bucket size, graph.h); the gradient reduce-scatter of a bucket starts when the
 * backward of its last layer (in backward order) of the last microbatch ends (with
 * Megatron-Core's DDP buckets in the interleaved schedule, when that backward's whole
 * chunk ends: align_grad_reduce launches a chunk's reductions together),
 * and the parameter all-gather of each bucket runs at the start of the step,
 * before the bucket's first forward (it belongs to the previous optimizer step);
 * without it, both are blocking at the ends of the step.
 *
 * Activation offload (train.offload, workload/offload.h).  Each timeline keeps a copy
 * stream of its own on the GPU's host link (no contention, no slowdown of the compute):
 * a forward layer's end starts its copy to the host, a backward layer's start the copy
 * back of the layer Transformer Engine's synchronizer names, and a layer waits for the
 * copy it needs before its segment (ST_WAIT_HOST, booked as offload_s).
 *
 * Failure.  A run stops at the first failure (enum fail): out of memory, a
 * partitioned network, a route off the network (a bug), or a timeline that did
 * not finish (a bug); it reports the first. */
#include "aifsim/names.h"
#include "aifsim/sim.h"
#include "base/base.h"
#include "engine/estimate.h"
#include "engine/events.h"
#include "engine/netsim.h"
#include "engine/record.h"
#include "hw/compute.h"
#include "net/collective.h"
#include "workload/offload.h"
#include "workload/ranks.h"
#include "workload/schedule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { NONE = -1 };   /* no index: end of a list, no request, no bucket, no receiver */
enum { MAX_CLASS = 8 };   /* classes of replicas a split pattern is stored as, at most */
#define NOT_ARRIVED (-1.0) /* arrival time of a pipeline send not yet received */

/* The simulator's own events (the network's are AIF_NETSIM_EV_*). */
enum { EV_COMPUTE, EV_WAKE, EV_REQ_DONE };

/* What a timeline is doing. */
typedef enum state {
    ST_START, ST_RUN, ST_COMPUTE,
    ST_WAIT_REQ,               /* a blocking request, or the request beside a compute op */
    ST_WAIT_SEG,               /* requests beside the segment */
    ST_WAIT_RECV,              /* the input of its next unit from another stage */
    ST_WAIT_AG,                /* a bucket's parameter all-gather */
    ST_WAIT_RS,                /* its gradient reductions, after the last unit */
    ST_WAIT_HOST,              /* an activation offload's copy to or from the host (train.offload) */
    ST_DONE
} state;

/* Where a timeline is in the step. */
typedef enum phase {
    PH_UNITS,                  /* running its schedule's units */
    PH_GRADIENTS,              /* all units done: waiting for the gradient reductions */
    PH_OPTIMIZER,              /* running the optimizer segment */
    PH_DONE
} phase;

/* Why a run stopped before the end of the step. */
typedef enum fail {
    FAIL_NONE, FAIL_NOMEM, FAIL_PARTITIONED, FAIL_OFF_NETWORK,
    FAIL_STUCK                 /* a timeline did not finish: a bug */
} fail;

/* How a request relates to the timeline's compute. */
typedef enum req_kind {
    RQ_BLOCK,                  /* the timeline waits for it */
    RQ_NEXT,                   /* beside the next compute op */
    RQ_SEG,                    /* beside the rest of the segment */
    RQ_RS,                     /* a gradient reduce-scatter bucket */
    RQ_AG,                     /* a parameter all-gather bucket */
    RQ_ASYNC                   /* a pipeline send nobody on the sender waits for (AIF_OVL_ASYNC):
                                  its receiver waits for its arrival */
} req_kind;

/* Which pattern a request's collective takes: its group's, or a pipeline send's. */
typedef enum dir { DIR_GROUP, DIR_SEND_FWD, DIR_SEND_BWD } dir;

/* Waiting time not charged to a breakdown category: idle; or to the offload's copies. */
enum { WAIT_IDLE = -1, WAIT_OFFLOAD = -2 };

typedef struct item {
    unsigned char seg;         /* aif_seg */
    unsigned char closes;      /* its backward is the last of its bucket's (the reduction starts after it) */
    short bucket;              /* data-parallel bucket of the layer (NONE: none) */
    int layer;                 /* the layer's index in its stage (NONE: not a layer) */
} item;

typedef struct timeline {
    int stage, replica;
    state state;
    phase phase;
    int unit;                  /* index in the stage's schedule; NONE before the first */
    int item, n_items;         /* segment of the unit being run, of n_items */
    int op, op_end;            /* next op of the segment and its end; op NONE between segments */
    int pend_req;              /* RQ_NEXT request beside the current compute op (NONE: none) */
    int wait_req, wait_bucket, wait_slot, wait_done;
    int seg_reqs, bg, rs_left; /* RQ_SEG requests; background requests; reductions left */
    int rs_defer;              /* buckets closed in this unit, reduced at its end (sim.chunk_sync) */
    int async_reqs;            /* RQ_ASYNC requests in flight (among bg) */
    int seg_cat;               /* category of the last RQ_SEG request (what a wait for them is) */
    double wait_t, end_t;
    int wait_cat;              /* aif_cat the wait is charged to, WAIT_IDLE or WAIT_OFFLOAD */
    /* activation offload (graph.h, workload/offload.h): the copy stream's clock, copy i's end
     * (offload then reload, [offload_layers]), the next reload to start, the end of the copy
     * waited for, and the time waited */
    double off_clock, *off_done, host_until, offload_s;
    int reload_next;
    double cat_s[AIF_N_CAT], membound_s, idle_s;
    item *items;
    unsigned char *ag_wait;    /* per bucket: parameter all-gathers not yet done */
} timeline;

typedef struct req {
    int op, tl, grp, bucket, next, cf_next;
    req_kind kind;
    dir dir;
    double bytes, t_start;
    int p2p_dst, p2p_slot;     /* pipeline send: receiving timeline and arrival slot (NONE: none) */
} req;

typedef struct stream {
    int head, tail;            /* FIFO of requests (by req.next); head is being served */
    int bg;                    /* background requests (RS, AG, SEG, ASYNC) queued or in flight */
    double bg_until;           /* when they would end at their closed-form times, one after
                                * another as the stream serves them: what of a compute op
                                * beside them they slow */
} stream;

typedef struct rdv {           /* rendezvous of one group instance */
    int count, first;
} rdv;

typedef struct sim {
    const aif_scenario *s;
    const aif_graph *g;
    aif_netsim *net;
    aif_evq q;
    aif_alloc alloc;           /* where the job's ranks sit on the cluster */
    aif_pipe pipe;
    int pp, vpp, m, dp, tp, cp, ep, etp, full;
    int dps;                   /* data-parallel ranks a shard group spans (train.dp_shard; dp without hybrid sharding) */
    int S;                     /* GPUs per stage */
    aif_rank_map rmap;         /* a logical rank's GPU (train.rank_order; workload/ranks.h) */
    long *members;             /* another order than the default: a group's GPUs, built one group at a time */
    double slowdown;
    /* Megatron-Core's DDP buckets in the interleaved schedule (align_grad_reduce): a chunk's
     * reductions start together when its last backward ends, not bucket by bucket */
    int chunk_sync;
    double *op_t;              /* per op: its duration (compute) or the closed form's time (comm) */
    /* per op: the closed form's time and algorithm of its last launch, for its bytes
     * (launch asks for every coflow: 2.7M at 16,384 GPUs with --full; the same
     * inputs, the same answer) */
    struct launch_memo { double bytes, t_s; int algo; } *memo;
    aif_unit *sched;           /* per stage: its units in order */
    int n_units;
    int n_items_max;
    int off_n;                 /* layers of the stage offloaded (graph's offload_layers; 0 = none) */
    int off_ahead;             /* layers a copy runs ahead of its waiting layer (aif_offload_ahead) */
    double off_copy_s[2];      /* a dense and a MoE layer's copy, each way */
    int *n_bitems;             /* per stage: embedding, layers and head, the items buckets are made of */
    int *n_buckets;            /* per stage: gradient buckets (the graph's dp_buckets, at most n_bitems) */
    int *chunk_first, *chunk_n, *chunk_bucket;   /* per (stage, virtual chunk) */
    timeline *tl;
    int n_tl;
    req *rq;
    int n_rq, free_rq;
    long cap_rq;
    stream *st;                /* n_tl * AIF_N_GRP */
    /* arrivals of pipeline sends: [replica][receiving stage][pass][chunk][mb] (or NOT_ARRIVED) */
    double *arrive;
    rdv *rdv;
    long events, units_done, units_total;
    aif_trace *trace;          /* NULL: not recording */
    /* independent sends of the replicas one timeline stands for (without `full`): the
     * timeline follows the representative replica, the one whose own sends take longest
     * over the step (scored before the patterns are built); the others run beside it */
    int rep, scoring;
    double score_w, *score, *rep_t;   /* per replica (dp) */
    int *rep_cls;
    int *n_class;              /* per pattern: coflows it is started as (stored split) */
    long cap_n_class, n_class_set;
    const aif_sim_opts *o;
    fail fail;
} sim;

/* ---------------------------------------------------------- small helpers */

static void stop(sim *x, fail why)
{
    if (!x->fail)
        x->fail = why;
}

static int failed(const sim *x) { return x->fail || aif_netsim_failed(x->net); }

static void push(sim *x, double t, int kind, int id, uint32_t gen)
{
    if (aif_evq_push(&x->q, t, kind, id, gen))
        stop(x, FAIL_NOMEM);
}


static void record(sim *x, const char *name, const char *cat, int pid, int tid, double t0, double t1)
{
    if (x->trace && aif_trace_add_slice(x->trace, name, cat, pid, tid, t0, t1))
        stop(x, FAIL_NOMEM);
}

/* ---------------------------------------------------------------- groups */

/* The group of type grp holding rank g: first member and stride; returns the size.
 * Under hybrid sharding (graph.h) the data-parallel groups are the shard groups, the
 * dps*cp (expert: S / (r etp ep)) consecutive members of dp's (edp's) stride that hold
 * g, and the replicate group is every S / r-th rank of the stage, r = dp / dps. */
static int group_of(const sim *x, int grp, long g, long *base, long *stride)
{
    long q = g % x->S, TP = x->tp, CP = x->cp, ETP = x->etp, EP = x->ep, R = x->dp / x->dps;
    long n_edp = x->S / (ETP * EP * R);
    switch (grp) {
    case AIF_GRP_TP: *base = g - q % TP; *stride = 1; return x->tp;
    case AIF_GRP_CP: *base = g - (q / TP) % CP * TP; *stride = TP; return x->cp;
    case AIF_GRP_DP: *base = g - (q / TP) % (CP * x->dps) * TP; *stride = TP; return x->cp * x->dps;
    case AIF_GRP_PP: *base = q; *stride = x->S; return x->pp;
    case AIF_GRP_ETP: *base = g - q % ETP; *stride = 1; return x->etp;
    case AIF_GRP_EP: *base = g - (q / ETP) % EP * ETP; *stride = ETP; return x->ep;
    case AIF_GRP_DPR: *base = g - q / (x->S / R) * (x->S / R); *stride = x->S / R; return (int)R;
    default: *base = g - (q / (ETP * EP)) % n_edp * (ETP * EP); *stride = ETP * EP; return (int)n_edp;
    }
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* The job's GPUs of the group base + i * stride (i < n) in x->members, in GPU order, or NULL
 * in the default order, where they are the ranks themselves.  In GPU order because NCCL
 * builds its rings and trees from the topology, a domain's members together, whatever
 * their ranks (tp-dp-pp-cp puts a data-parallel group's cp pairs in two racks: by rank its
 * ring would cross between them at every hop). */
static const long *group_gpus(sim *x, long base, long stride, int n)
{
    if (x->rmap.identity)
        return NULL;
    for (int i = 0; i < n; i++)
        x->members[i] = aif_rank_place(&x->rmap, base + i * stride);
    qsort(x->members, (size_t)n, sizeof *x->members, cmp_long);
    return x->members;
}

/* Whether the group base + i * stride (i < n) lies in one scale-up domain. */
static int one_domain(sim *x, long base, long stride, int n)
{
    const long *m = group_gpus(x, base, stride, n);
    if (!m)
        return aif_netsim_domain_of(x->net, &x->alloc, base) ==
               aif_netsim_domain_of(x->net, &x->alloc, base + (n - 1) * stride);
    long d0 = aif_netsim_domain_of(x->net, &x->alloc, m[0]);
    for (int i = 1; i < n; i++)
        if (aif_netsim_domain_of(x->net, &x->alloc, m[i]) != d0)
            return 0;
    return 1;
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

/* Ranks [lo, hi) that an instance's collective covers. */
static void instance_ranks(const sim *x, int inst, long *lo, long *hi)
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

/* The replicate group (hybrid sharding) is keyed apart, above every other group's
 * keys: they keep the keys they had before it, and with them the ECMP salts their
 * flows' paths hash by (get_pattern). */
_Static_assert(AIF_GRP_DPR == AIF_N_GRP - 1, "pattern_key: the replicate group is the last");
_Static_assert(AIF_COLL_DISPATCH < 8, "pattern_key: a collective in three bits");
static long pattern_key(int grp, int coll, int algo, dir d, int inst)
{
    int g = grp == AIF_GRP_DPR ? 0 : grp;
    long k = ((((long)inst * AIF_GRP_DPR + g) * 8 + coll) * 8 + algo) * 3 + (long)d;
    return grp == AIF_GRP_DPR ? k + ((long)1 << 44) : k;
}

/* The adaptive-routing load group of a collective's patterns (net/coflow.h): under
 * adaptive routing, one collective on every stage, which the switches balance together
 * (their queues see every flow, not one stage's); under ECMP, where the load routes
 * nothing, the stage's own (the build order, and so the links' classes, as before). */
static long load_key(const sim *x, int grp, int coll, int algo, dir d, int stage)
{
    return pattern_key(grp, coll, algo, d, aif_net_routing(&x->s->cluster) == AIF_ROUTE_ADAPTIVE ? 0 : stage);
}

/* Finds or builds the link pattern of a collective: op's group on an instance,
 * or a pipeline send of the instance's ranks to the next or previous stage. */
/* Replica of a job's rank (its data-parallel index within the stage). */
static int replica_of(const sim *x, long rank) { return (int)(rank % x->S / ((long)x->tp * x->cp)); }

/* The pattern being built holds the sends of every replica (tagged by replica), which
 * do not wait for each other.  While scoring, each replica's time (its own flows in
 * lock step, net/coflow.h) is added to its score, and nothing is stored.  Else it is
 * stored split: the representative replica's sends alone under the pattern's own key
 * (what the timeline waits for), the other replicas' in classes of equal time, each
 * a background coflow that loads the links as long as its sends take. */
static int store_replicas(sim *x, long key)
{
    double *t = x->rep_t;
    int *cls = x->rep_cls;
    aif_netsim_tag_times(x->net, x->dp, t);
    if (x->scoring) {
        for (int r = 0; r < x->dp; r++)
            x->score[r] += x->score_w * t[r];
        aif_netsim_discard(x->net);
        aif_netsim_load_group(x->net, -1);
        return NONE;
    }
    double vals[MAX_CLASS];
    int nv = 1;
    for (int r = 0; r < x->dp; r++) {
        if (r == x->rep) {
            cls[r] = 0;
            continue;
        }
        int c = 1;
        while (c < nv && fabs(t[r] - vals[c]) > 1e-9 * vals[c])
            c++;
        if (c == nv && nv < MAX_CLASS)
            vals[nv++] = t[r];
        cls[r] = c < nv ? c : MAX_CLASS - 1;   /* beyond MAX_CLASS classes: with the last */
    }
    long keys[MAX_CLASS];
    keys[0] = key;
    for (int c = 1; c < nv; c++)
        keys[c] = -1 - (key * MAX_CLASS + c);
    int p = aif_netsim_store_split(x->net, keys, nv, cls);
    if (failed(x))
        return p;
    if (aif_grow((void **)&x->n_class, &x->cap_n_class, p + 1, sizeof(int))) {
        stop(x, FAIL_NOMEM);
        return p;
    }
    for (long i = x->n_class_set; i < x->cap_n_class; i++)
        x->n_class[i] = 1;
    x->n_class_set = x->cap_n_class;
    x->n_class[p] = nv;
    return p;
}

/* Coflows a pattern is started as (several when its replicas were split). */
static int classes_of(const sim *x, int p) { return p < x->n_class_set ? x->n_class[p] : 1; }

/* Finds or builds the link pattern of a collective: op's group on an instance,
 * or a pipeline send of the instance's ranks to the next or previous stage. */
static int get_pattern(sim *x, int op, int algo, int inst, dir d)
{
    const aif_op *o = &x->g->ops[op];
    long key = pattern_key(o->group, o->coll, algo, d, inst);
    int k = x->scoring ? NONE : aif_netsim_find(x->net, key);
    if (k >= 0)
        return k;
    long lo, hi, base, stride;
    instance_ranks(x, inst, &lo, &hi);
    /* one group stands for all only when every group lies inside one switch domain
     * (on a torus, routes cross other chips' links) */
    int n = d == DIR_GROUP ? group_of(x, o->group, lo, &base, &stride) : 0;
    int first_only = d == DIR_GROUP && n > 1 && !aif_netsim_torus(x->net);
    for (long gg = lo; gg < hi && first_only; gg++) {
        n = group_of(x, o->group, gg, &base, &stride);
        if (base == gg && !one_domain(x, base, stride, n))
            first_only = 0;
    }
    /* without `full`, the sends of different replicas (pipeline sends, groups inside a
     * replica) are independent: split by replica */
    int per_rep = !x->full && x->dp > 1 && !first_only && (d != DIR_GROUP || within_timeline(x, o->group));
    if (x->scoring && !per_rep)
        return NONE;
    /* adaptive routing: the replicas of every stage (one instance each with `full`) see each
     * other's load, as the one pattern of a stage's replicas does without `full` (load_key) */
    aif_netsim_load_group(x->net, x->scoring ? -1 : load_key(x, o->group, o->coll, algo, d, (int)(lo / x->S)));
    /* ECMP hashes a flow by its endpoints and collective, not by how the simulator
     * groups timelines: the salt names the stage, not the instance, so that a
     * replica's flows take the same paths with and without `full` */
    int stage = (int)(lo / x->S);
    uint64_t salt = (uint64_t)pattern_key(o->group, o->coll, algo, d, stage) << 20;
    double copies = 1;
    if (d != DIR_GROUP) {
        int to = d == DIR_SEND_FWD ? (stage + 1) % x->pp : (stage + x->pp - 1) % x->pp;
        for (long gg = lo; gg < hi; gg++) {
            if (per_rep)
                aif_netsim_tag(x->net, replica_of(x, gg));
            aif_netsim_transfer(x->net, &x->alloc, aif_rank_place(&x->rmap, gg),
                                aif_rank_place(&x->rmap, gg + (long)(to - stage) * x->S), salt + (uint64_t)gg, 1);
        }
    } else {
        long n_groups = 0;
        for (long gg = lo; gg < hi; gg++) {
            n = group_of(x, o->group, gg, &base, &stride);
            if (base != gg)
                continue;
            if (per_rep)
                aif_netsim_tag(x->net, replica_of(x, base));
            if (!first_only || n_groups == 0)
                aif_netsim_group(x->net, &x->alloc, (aif_coll)o->coll, (aif_coll_algo)algo, base, stride,
                                 group_gpus(x, base, stride, n), n,
                                 salt + (uint64_t)gg * 0x10000);
            n_groups++;
        }
        if (first_only && n_groups > 0)
            copies = (double)n_groups;
    }
    if (per_rep)
        return store_replicas(x, key);
    return aif_netsim_store(x->net, key, copies);
}

/* ------------------------------------------------------- symmetric links */

/* Routes every collective the step will run before it starts, so that the
 * link classes (net/coflow.h) can be made from all patterns. */
static int unit_items(const sim *x, const timeline *t, const aif_unit *u, item *it);

static int is_pipeline_send(const aif_op *o)
{
    return o->coll == AIF_COLL_SENDRECV && o->group == AIF_GRP_PP;
}

/* A pattern to build: its load group (adaptive routing), then the order found. */
typedef struct pattern_job {
    long group;
    int seq, op, inst, algo;
    dir d;
    double bytes;
} pattern_job;

typedef struct pattern_queue {
    pattern_job *v;
    long n, cap;
} pattern_queue;

static int cmp_pattern_job(const void *a, const void *b)
{
    const pattern_job *p = a, *q = b;
    if (p->group != q->group)
        return p->group < q->group ? -1 : 1;
    return (p->seq > q->seq) - (p->seq < q->seq);
}

static void prebuild_op(sim *x, pattern_queue *w, timeline *t, int op, double bytes, dir d)
{
    const aif_op *o = &x->g->ops[op];
    if (bytes <= 0 || x->g->groups[o->group].size <= 1)
        return;
    aif_coll_algo algo;
    aif_coll_time_algo(&x->s->cluster, (aif_coll)o->coll, x->g->groups[o->group], bytes, AIF_ALGO_AUTO, &algo);
    int members, inst = instance_of(x, t, o->group, &members);
    if (aif_grow((void **)&w->v, &w->cap, w->n + 1, sizeof(pattern_job))) {
        stop(x, FAIL_NOMEM);
        return;
    }
    w->v[w->n] = (pattern_job){load_key(x, o->group, o->coll, (int)algo, d, t->stage), (int)w->n, op, inst,
                               (int)algo, d, bytes};
    w->n++;
}

/* Builds the patterns group by group (the replicas of one collective together, in
 * replica order), so that adaptive routing sees the load of the group's earlier ones. */
static void prebuild(sim *x)
{
    const aif_graph *g = x->g;
    pattern_queue w = {NULL, 0, 0};
    item *it = malloc((size_t)(x->n_items_max + 4) * sizeof(item));
    if (!it) {
        stop(x, FAIL_NOMEM);
        return;
    }
    for (int ti = 0; ti < x->n_tl && !failed(x); ti++) {
        timeline *t = &x->tl[ti];
        for (int c = 0; c < x->vpp; c++)
            for (int k = AIF_PASS_FWD; k <= AIF_PASS_BWD; k++) {
                aif_unit u = {(unsigned char)k, (unsigned char)c, 0};
                int n = unit_items(x, t, &u, it);
                for (int i = 0; i < n; i++)
                    for (int op = g->seg[it[i].seg].first; op < g->seg[it[i].seg].first + g->seg[it[i].seg].n; op++)
                        if (g->ops[op].kind == AIF_OP_COMM)
                            prebuild_op(x, &w, t, op, g->ops[op].bytes,
                                        !is_pipeline_send(&g->ops[op]) ? DIR_GROUP
                                        : k == AIF_PASS_FWD            ? DIR_SEND_FWD
                                                                       : DIR_SEND_BWD);
            }
        double share = x->s->train.dp_overlap ? 1.0 / x->n_buckets[t->stage] : 1;
        for (int sg = AIF_SEG_STEP_RS; sg <= AIF_SEG_STEP_AG; sg++)
            for (int op = g->seg[sg].first; op < g->seg[sg].first + g->seg[sg].n; op++)
                if (g->ops[op].kind == AIF_OP_COMM)
                    prebuild_op(x, &w, t, op, g->ops[op].bytes * share, DIR_GROUP);
    }
    free(it);
    if (w.n > 1)
        qsort(w.v, (size_t)w.n, sizeof(pattern_job), cmp_pattern_job);
    if (x->score) {   /* the representative replica: the longest sends over the step */
        x->scoring = 1;
        for (long i = 0, j; i < w.n && !failed(x); i = j) {   /* once per pattern: its uses' bytes */
            x->score_w = 0;
            for (j = i; j < w.n && w.v[j].group == w.v[i].group && w.v[j].inst == w.v[i].inst &&
                        w.v[j].algo == w.v[i].algo; j++)
                x->score_w += w.v[j].bytes;
            get_pattern(x, w.v[i].op, w.v[i].algo, w.v[i].inst, w.v[i].d);
        }
        x->scoring = 0;
        for (int r = 1; r < x->dp; r++)
            if (x->score[r] > x->score[x->rep] * (1 + 1e-12))
                x->rep = r;
        aif_netsim_load_group(x->net, -1);
    }
    for (long i = 0; i < w.n && !failed(x); i++)
        get_pattern(x, w.v[i].op, w.v[i].algo, w.v[i].inst, w.v[i].d);
    free(w.v);
}

/* -------------------------------------------------------------- requests */

static int new_req(sim *x)
{
    if (x->free_rq != NONE) {
        int r = x->free_rq;
        x->free_rq = x->rq[r].next;
        return r;
    }
    if (aif_grow((void **)&x->rq, &x->cap_rq, x->n_rq + 1, sizeof(req))) {
        stop(x, FAIL_NOMEM);
        return NONE;
    }
    return x->n_rq++;
}

static void launch(sim *x, int r, int inst);

/* The request at the head of a stream starts: alone, or when its group has met. */
static void serve_head(sim *x, int si)
{
    int r = x->st[si].head;
    if (r == NONE)
        return;
    req *q = &x->rq[r];
    const aif_op *o = &x->g->ops[q->op];
    timeline *t = &x->tl[q->tl];
    int members, inst = instance_of(x, t, q->grp, &members);
    if (q->bytes <= 0 || x->g->groups[o->group].size <= 1) {
        q->cf_next = NONE;
        push(x, x->q.now, EV_REQ_DONE, r, 0);
        return;
    }
    if (members == 1) {
        q->cf_next = NONE;
        launch(x, r, inst);
        return;
    }
    rdv *v = &x->rdv[(long)inst * AIF_N_GRP + q->grp];
    q->cf_next = v->first;
    v->first = r;
    if (++v->count == members) {
        int first = v->first;
        v->count = 0;
        v->first = NONE;
        launch(x, first, inst);
    }
}

static int submit(sim *x, int ti, int op, double bytes, req_kind kind, int bucket, int p2p_dst, int p2p_slot, dir d)
{
    int r = new_req(x);
    if (r == NONE)
        return NONE;
    req *q = &x->rq[r];
    q->op = op;
    q->tl = ti;
    q->grp = x->g->ops[op].group;
    q->kind = kind;
    q->bucket = bucket;
    q->bytes = bytes;
    q->next = NONE;
    q->p2p_dst = p2p_dst;
    q->p2p_slot = p2p_slot;
    q->dir = d;
    q->t_start = x->q.now;
    stream *s = &x->st[(long)ti * AIF_N_GRP + q->grp];
    if (s->head == NONE) {
        s->head = s->tail = r;
        serve_head(x, (int)((long)ti * AIF_N_GRP + q->grp));
    } else {
        x->rq[s->tail].next = r;
        s->tail = r;
    }
    timeline *t = &x->tl[ti];
    if (kind == RQ_SEG) {
        t->seg_reqs++;
        t->seg_cat = x->g->ops[op].cat;
    }
    if (kind == RQ_RS || kind == RQ_AG || kind == RQ_SEG || kind == RQ_ASYNC) {
        t->bg++;
        s->bg++;
        double full = x->g->ops[op].bytes;
        s->bg_until = (s->bg_until > x->q.now ? s->bg_until : x->q.now) + x->op_t[op] * (full > 0 ? bytes / full : 1);
    }
    if (kind == RQ_ASYNC)
        t->async_reqs++;
    return r;
}

/* The requests chained from `first` (cf_next) become one coflow on the network. */
static void launch(sim *x, int first, int inst)
{
    req *q = &x->rq[first];
    const aif_op *o = &x->g->ops[q->op];
    struct launch_memo *mo = &x->memo[q->op];
    if (mo->bytes != q->bytes) {
        aif_coll_algo a;
        mo->t_s = aif_coll_time_algo(&x->s->cluster, (aif_coll)o->coll, x->g->groups[o->group], q->bytes,
                                     AIF_ALGO_AUTO, &a);
        mo->algo = (int)a;
        mo->bytes = q->bytes;
    }
    double t_a = mo->t_s;
    int p = get_pattern(x, q->op, mo->algo, inst, q->dir);
    if (failed(x))
        return;
    for (int r = first; r != NONE; r = x->rq[r].cf_next)
        x->rq[r].t_start = x->q.now;
    aif_netsim_start(x->net, p, q->bytes, t_a, first);
    for (int k = 1; k < classes_of(x, p); k++)   /* the other replicas' sends: nobody waits for them */
        aif_netsim_start(x->net, p + k, q->bytes, t_a, NONE);
}

static void wake(sim *x, int ti) { push(x, x->q.now, EV_WAKE, ti, 0); }

static void req_done(sim *x, int r)
{
    req *q = &x->rq[r];
    timeline *t = &x->tl[q->tl];
    long si = (long)q->tl * AIF_N_GRP + q->grp;
    record(x, x->g->ops[q->op].name, aif_group_name(q->grp), q->tl, 1 + q->grp, q->t_start, x->q.now);
    /* the stream serves its next request */
    stream *s = &x->st[si];
    if (q->kind == RQ_RS || q->kind == RQ_AG || q->kind == RQ_SEG || q->kind == RQ_ASYNC)
        s->bg--;
    s->head = q->next;
    if (s->head == NONE)
        s->tail = NONE;
    else
        serve_head(x, (int)si);
    if (q->p2p_dst != NONE) {
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
            t->pend_req = NONE;
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
    case RQ_ASYNC:   /* its arrival (above) is all anyone waits for */
        t->async_reqs--;
        t->bg--;
        break;
    }
    q->next = x->free_rq;
    x->free_rq = r;
}

/* The network finished a coflow: every request it carried is done. */
static void coflow_done(void *ctx, int first)
{
    sim *x = ctx;
    for (int r = first; r != NONE;) {   /* NONE: a background coflow */
        int nx = x->rq[r].cf_next;
        req_done(x, r);
        r = nx;
    }
}

/* -------------------------------------------------------------- schedule */

/* The layers and the first bucket item of each (stage, virtual chunk), and the
 * buckets of each stage: items number a stage's embedding, layers and head in
 * forward order over its chunks; the graph's dp_buckets buckets split them into
 * runs of consecutive items, each reduced (and gathered) as one collective. */
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
        x->n_bitems[p] = b;
        x->n_buckets[p] = x->g->dp_buckets < 1 ? 1 : x->g->dp_buckets < b ? x->g->dp_buckets : b;
    }
}

/* The bucket of a stage's item i (of n_bitems), and whether its backward closes the bucket. */
static item bucket_item(const sim *x, int stage, unsigned char seg, int i)
{
    long ni = x->n_bitems[stage], nb = x->n_buckets[stage];
    int b = (int)(i * nb / ni);
    return (item){seg, (unsigned char)(i == 0 || (int)((i - 1) * nb / ni) != b), (short)b, NONE};
}

/* Segments of one unit, in execution order. */
static int unit_items(const sim *x, const timeline *t, const aif_unit *u, item *it)
{
    int nc = x->pp * x->vpp, cg = u->chunk * x->pp + t->stage, k = 0, tab = t->stage * x->vpp + u->chunk;
    int first = x->chunk_first[tab], n = x->chunk_n[tab], b0 = x->chunk_bucket[tab];
    int emb = cg == 0, head = cg == nc - 1;
    if (u->pass == AIF_PASS_FWD) {
        if (emb)
            it[k++] = bucket_item(x, t->stage, AIF_SEG_EMBED_FWD, b0);
        for (int l = 0; l < n; l++) {
            it[k] = bucket_item(x, t->stage, first + l < x->g->dense_layers ? AIF_SEG_DENSE_FWD : AIF_SEG_MOE_FWD,
                                b0 + emb + l);
            it[k++].layer = first + l;
        }
        if (head)
            it[k++] = bucket_item(x, t->stage, AIF_SEG_HEAD_FWD, b0 + emb + n);
        else
            it[k++] = (item){AIF_SEG_P2P, 0, NONE, NONE};
    } else {
        if (head)
            it[k++] = bucket_item(x, t->stage, AIF_SEG_HEAD_BWD, b0 + emb + n);
        int rcl = x->g->recompute_layers;   /* > 0: the chunk's first rcl layers replay, the rest kept theirs */
        for (int l = n - 1; l >= 0; l--) {
            int dense = first + l < x->g->dense_layers, kept = rcl > 0 && l >= rcl;
            unsigned char sg = kept ? (dense ? AIF_SEG_DENSE_BWD_KEEP : AIF_SEG_MOE_BWD_KEEP)
                                    : (dense ? AIF_SEG_DENSE_BWD : AIF_SEG_MOE_BWD);
            it[k] = bucket_item(x, t->stage, sg, b0 + emb + l);
            it[k++].layer = first + l;
        }
        if (emb)
            it[k++] = bucket_item(x, t->stage, AIF_SEG_EMBED_BWD, b0);
        else
            it[k++] = (item){AIF_SEG_P2P, 0, NONE, NONE};
    }
    return k;
}

static int slot_of(const sim *x, int replica, int stage, int pass, int chunk, int mb)
{
    return (((replica * x->pp + stage) * 2 + pass) * x->vpp + chunk) * x->m + mb;
}

/* Arrival slot of the input of unit u on timeline t (NONE: it needs none). */
static int input_slot(const sim *x, const timeline *t, const aif_unit *u)
{
    if (aif_sched_input_stage(x->pipe, t->stage, *u) < 0)
        return NONE;
    return slot_of(x, t->replica, t->stage, u->pass, u->chunk, u->mb);
}

/* Where a send at the end of unit u goes: the receiving unit's arrival slot and stage. */
static int output_slot(const sim *x, const timeline *t, const aif_unit *u, int *to_stage)
{
    int chunk;
    *to_stage = aif_sched_output_stage(x->pipe, t->stage, *u, &chunk);
    return slot_of(x, t->replica, *to_stage, u->pass, chunk, u->mb);
}

/* ------------------------------------------------------------- execution */

static void begin_wait(sim *x, timeline *t, state st, int cat)
{
    t->state = st;
    t->wait_t = x->q.now;
    t->wait_cat = cat;
}

static void end_wait(sim *x, timeline *t)
{
    double d = x->q.now - t->wait_t;
    if (t->wait_cat == WAIT_OFFLOAD)
        t->offload_s += d;
    else if (t->wait_cat != WAIT_IDLE)
        t->cat_s[t->wait_cat] += d;
    else
        t->idle_s += d;
    t->state = ST_RUN;
}

static int tl_index(const sim *x, int replica, int stage)
{
    return x->full ? stage * x->dp + replica : stage;
}

static void submit_buckets(sim *x, int ti, int seg, req_kind kind, double share, int bucket)
{
    const aif_graph *g = x->g;
    for (int i = g->seg[seg].first; i < g->seg[seg].first + g->seg[seg].n; i++)
        if (g->ops[i].kind == AIF_OP_COMM && g->ops[i].bytes > 0) {
            if (kind == RQ_RS)
                x->tl[ti].rs_left++;
            if (kind == RQ_AG)
                x->tl[ti].ag_wait[bucket]++;
            submit(x, ti, i, g->ops[i].bytes * share, kind, bucket, NONE, NONE, DIR_GROUP);
        }
}

/* Phase PH_GRADIENTS: all units done; the optimizer starts when the reductions are.
 * Returns 1 when the timeline has to wait. */
static int gradients_done(sim *x, timeline *t)
{
    if (t->rs_left > 0) {
        begin_wait(x, t, ST_WAIT_RS, AIF_CAT_DP);
        return 1;
    }
    t->phase = PH_OPTIMIZER;
    t->op = x->g->seg[AIF_SEG_STEP_OPT].first;
    t->op_end = t->op + x->g->seg[AIF_SEG_STEP_OPT].n;
    return 0;
}

/* Activation offload (workload/offload.h, the same rules as aif_offload_exposed, run on
 * the timeline's clock): before layer k's segment of unit u, the reload its backward
 * starts, then the wait for the copy it needs.  Returns 1 when the timeline has to wait. */
static int offload_wait(sim *x, int ti, const aif_unit *u, int k)
{
    timeline *t = &x->tl[ti];
    int L = x->g->layers, n = x->off_n, D = x->off_ahead;
    double need = -1;
    if (u->pass == AIF_PASS_FWD) {
        int j = k - (D + 1);
        if (j >= 0 && j < n)
            need = t->off_done[j];
    } else {
        /* the reloads this layer's backward starts, the higher first; once per unit, also after a wait */
        while (t->reload_next >= 0 && (t->reload_next + D >= L - 1 ? L - 1 : t->reload_next + D) >= k) {
            int i = t->reload_next;
            double at = t->off_clock > x->q.now ? t->off_clock : x->q.now;
            t->off_clock = at + x->off_copy_s[i >= x->g->dense_layers];
            t->off_done[i] = t->off_clock;
            t->reload_next--;
            record(x, "offload.h2d", "host", ti, 1 + AIF_N_GRP, at, t->off_clock);
        }
        if (k < n)
            need = t->off_done[k];
    }
    if (!(need > x->q.now))
        return 0;
    t->host_until = need;
    begin_wait(x, t, ST_WAIT_HOST, WAIT_OFFLOAD);
    push(x, need, EV_WAKE, ti, 0);
    return 1;
}

/* Phase PH_UNITS between segments: loads the next segment (and the next unit when
 * the last one is done), or waits for its input or parameters.  Returns 1 when the
 * timeline has to wait, 0 when a segment is loaded or the units are over. */
static int next_segment(sim *x, int ti)
{
    timeline *t = &x->tl[ti];
    const aif_unit *sched = x->sched + (long)t->stage * x->n_units;
    if (t->item == t->n_items) {
        if (t->unit != NONE)
            x->units_done++;
        if (++t->unit == x->n_units) {
            t->phase = PH_GRADIENTS;
            if (!x->s->train.dp_overlap)
                submit_buckets(x, ti, AIF_SEG_STEP_RS, RQ_RS, 1, NONE);
            return 0;
        }
        t->n_items = unit_items(x, t, &sched[t->unit], t->items);
        t->item = 0;
        t->reload_next = x->off_n - 1;   /* a backward unit's reloads go n-1 down to 0 */
    }
    const aif_unit *u = &sched[t->unit];
    if (t->item == 0) {
        int slot = input_slot(x, t, u);
        if (slot != NONE && x->arrive[slot] == NOT_ARRIVED) {
            t->wait_slot = slot;
            begin_wait(x, t, ST_WAIT_RECV, WAIT_IDLE);
            return 1;
        }
    }
    const item *it = &t->items[t->item];
    if (u->pass == AIF_PASS_FWD && u->mb == 0 && it->bucket != NONE && t->ag_wait[it->bucket]) {
        t->wait_bucket = it->bucket;
        begin_wait(x, t, ST_WAIT_AG, AIF_CAT_DP);
        return 1;
    }
    if (x->off_n > 0 && it->layer != NONE && offload_wait(x, ti, u, it->layer))
        return 1;
    t->op = x->g->seg[it->seg].first;
    t->op_end = t->op + x->g->seg[it->seg].n;
    return 0;
}

/* Runs the next op of the loaded segment.  Returns 1 when the timeline has to
 * wait (a compute op runs, or a blocking request), 0 to go on. */
static int run_op(sim *x, int ti)
{
    timeline *t = &x->tl[ti];
    const aif_unit *sched = x->sched + (long)t->stage * x->n_units;
    int i = t->op++;
    const aif_op *o = &x->g->ops[i];
    if (o->kind != AIF_OP_COMM) {
        /* slowed by each collective beside it (overlap_slowdown per unit of overlapped time,
         * as the estimate charges them): its pending collective over that collective's time,
         * booked to it, and the background collectives in flight over what of the op their
         * streams would still run at the collectives' closed-form times (stream.bg_until),
         * booked to them */
        double d = x->op_t[i], extra_p = 0, extra_b = 0;
        if (t->pend_req != NONE)
            extra_p = x->slowdown * fmin(d, x->op_t[x->rq[t->pend_req].op]);
        if (t->bg > 0) {   /* the longest of this timeline's background streams still to run */
            double left = 0;
            const stream *st = &x->st[(long)ti * AIF_N_GRP];
            for (int gi = 0; gi < AIF_N_GRP; gi++)
                if (st[gi].bg > 0 && st[gi].bg_until - x->q.now > left)
                    left = st[gi].bg_until - x->q.now;
            extra_b = x->slowdown * fmin(d, left);
        }
        double extra = extra_p + extra_b;
        t->cat_s[o->cat] += d;
        if (o->kind == AIF_OP_MEM && o->cat != AIF_CAT_DP)
            t->membound_s += d;   /* not a collective's host work (dp.ag.lists), as the estimate */
        if (extra_p > 0)
            t->cat_s[x->g->ops[x->rq[t->pend_req].op].cat] += extra_p;
        if (extra_b > 0)
            t->cat_s[t->seg_reqs > 0                    ? t->seg_cat
                     : t->async_reqs > 0 && t->bg == t->async_reqs ? AIF_CAT_PP
                                                          : AIF_CAT_DP] += extra_b;   /* the traffic that slows it */
        record(x, o->name, "compute", ti, 0, x->q.now, x->q.now + d + extra);
        t->state = ST_COMPUTE;
        push(x, x->q.now + d + extra, EV_COMPUTE, ti, 0);
        return 1;
    }
    req_kind kind = o->overlap == AIF_OVL_NEXT      ? RQ_NEXT
                    : o->overlap == AIF_OVL_SEGMENT ? RQ_SEG
                    : o->overlap == AIF_OVL_ASYNC   ? RQ_ASYNC
                                                    : RQ_BLOCK;
    int dst = NONE, slot = NONE;
    dir d = DIR_GROUP;
    if (is_pipeline_send(o) && t->phase == PH_UNITS) {
        int to;
        slot = output_slot(x, t, &sched[t->unit], &to);
        dst = tl_index(x, t->replica, to);
        d = sched[t->unit].pass == AIF_PASS_FWD ? DIR_SEND_FWD : DIR_SEND_BWD;
    }
    if (kind == RQ_BLOCK || kind == RQ_NEXT) {   /* set before submitting: a request may finish at once */
        t->wait_req = x->free_rq != NONE ? x->free_rq : x->n_rq;
        t->wait_done = 0;
    }
    int r = submit(x, ti, i, o->bytes, kind, NONE, dst, slot, d);
    if (r == NONE || failed(x))
        return 1;
    if (kind == RQ_BLOCK) {
        begin_wait(x, t, ST_WAIT_REQ, o->cat);
        return 1;
    }
    if (kind == RQ_NEXT)
        t->pend_req = r;
    return 0;
}

/* The loaded segment has run all its ops: waits for the communication beside it,
 * then moves to the next segment (or ends the step after the optimizer).
 * Returns 1 when the timeline has to wait or is done. */
static int end_segment(sim *x, int ti)
{
    timeline *t = &x->tl[ti];
    if (t->pend_req != NONE) {
        begin_wait(x, t, ST_WAIT_REQ, x->g->ops[x->rq[t->pend_req].op].cat);
        return 1;
    }
    if (t->seg_reqs > 0) {
        begin_wait(x, t, ST_WAIT_SEG, t->seg_cat);   /* an expert all-to-all is EP, a ZeRO-3 gather DP */
        return 1;
    }
    if (t->phase == PH_OPTIMIZER) {
        t->phase = PH_DONE;
        t->state = ST_DONE;
        t->end_t = x->q.now;
        return 1;
    }
    const aif_unit *u = &x->sched[(long)t->stage * x->n_units + t->unit];
    const item *it = &t->items[t->item];
    if (x->off_n > 0 && u->pass == AIF_PASS_FWD && it->layer != NONE && it->layer < x->off_n) {
        /* the layer's copy to the host, started as the next layer's forward starts */
        double at = t->off_clock > x->q.now ? t->off_clock : x->q.now;
        t->off_clock = at + x->off_copy_s[it->layer >= x->g->dense_layers];
        t->off_done[it->layer] = t->off_clock;
        record(x, "offload.d2h", "host", ti, 1 + AIF_N_GRP, at, t->off_clock);
    }
    if (x->s->train.dp_overlap && u->pass == AIF_PASS_BWD && u->mb == x->m - 1 && it->bucket != NONE &&
        it->closes) {
        if (x->chunk_sync)
            t->rs_defer++;
        else
            submit_buckets(x, ti, AIF_SEG_STEP_RS, RQ_RS, 1.0 / x->n_buckets[t->stage], NONE);
    }
    if (t->rs_defer > 0 && t->item + 1 == t->n_items) {   /* the chunk's last backward is over */
        for (; t->rs_defer > 0; t->rs_defer--)
            submit_buckets(x, ti, AIF_SEG_STEP_RS, RQ_RS, 1.0 / x->n_buckets[t->stage], NONE);
    }
    t->item++;
    t->op = NONE;
    if (x->o->progress && x->units_total > 0 && t->item == t->n_items && x->units_done % 64 == 0)
        x->o->progress((double)x->units_done / x->units_total, x->o->progress_ctx);
    return 0;
}

/* Runs timeline ti from now until it has to wait. */
static void advance(sim *x, int ti)
{
    timeline *t = &x->tl[ti];
    for (;;) {
        if (t->phase == PH_DONE)
            return;
        if (t->phase == PH_GRADIENTS && gradients_done(x, t))
            return;
        if (t->phase == PH_UNITS && t->op == NONE) {
            if (next_segment(x, ti))
                return;
            if (t->phase != PH_UNITS)
                continue;   /* the units are over */
        }
        if (t->op < t->op_end) {
            if (run_op(x, ti))
                return;
            continue;
        }
        if (end_segment(x, ti))
            return;
    }
}

static void on_event(sim *x, const aif_event *e)
{
    if (e->kind >= AIF_NETSIM_EV_FIRST) {
        aif_netsim_on_event(x->net, e);
        return;
    }
    switch (e->kind) {
    case EV_COMPUTE: {
        timeline *t = &x->tl[e->id];
        t->state = ST_RUN;
        if (t->pend_req != NONE) {   /* the compute op is done; the comm beside it is not */
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
        case ST_WAIT_RECV: ready = x->arrive[t->wait_slot] != NOT_ARRIVED; break;
        case ST_WAIT_AG: ready = !t->ag_wait[t->wait_bucket]; break;
        case ST_WAIT_RS: ready = t->rs_left == 0; break;
        case ST_WAIT_HOST: ready = x->q.now >= t->host_until; break;
        case ST_RUN: case ST_COMPUTE: case ST_DONE: break;
        }
        if (!ready)
            return;   /* a wake for a wait already over */
        if (t->state != ST_RUN)
            end_wait(x, t);
        advance(x, e->id);
        break;
    }
    case EV_REQ_DONE:
        req_done(x, e->id);
        break;
    }
}

/* ------------------------------------------------------------------ run */

static void sim_free(sim *x)
{
    aif_netsim_free(x->net);
    aif_evq_free(&x->q);
    if (x->tl)
        for (int i = 0; i < x->n_tl; i++) {
            free(x->tl[i].items);
            free(x->tl[i].ag_wait);
            free(x->tl[i].off_done);
        }
    void *ps[] = {x->op_t, x->memo, x->sched, x->n_bitems, x->n_buckets, x->chunk_first, x->chunk_n, x->chunk_bucket, x->tl, x->rq,
                  x->st, x->arrive, x->rdv, x->score, x->rep_t, x->rep_cls, x->n_class, x->members};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        free(ps[i]);
}

/* Rows of the trace: a process per timeline, a thread for its compute and one per group. */
static aif_rc trace_tracks(sim *x, aif_err *err)
{
    int bad = 0;
    for (int i = 0; i < x->n_tl; i++) {
        if (x->full)
            bad |= aif_trace_add_track(x->trace, i, NONE, "stage %d replica %d", x->tl[i].stage, x->tl[i].replica);
        else
            bad |= aif_trace_add_track(x->trace, i, NONE, "stage %d (%d GPUs)", x->tl[i].stage, x->S);
        bad |= aif_trace_add_track(x->trace, i, 0, "compute");
        for (int gr = 0; gr < AIF_N_GRP; gr++)
            if (gr != AIF_GRP_DPR || x->g->groups[gr].size > 1)   /* the replicate group: hybrid sharding only */
                bad |= aif_trace_add_track(x->trace, i, 1 + gr, "%s comm", aif_group_name(gr));
        if (x->off_n > 0)
            bad |= aif_trace_add_track(x->trace, i, 1 + AIF_N_GRP, "host copies");
    }
    return bad ? aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory") : AIF_OK;
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
    x->pipe = (aif_pipe){x->pp, x->vpp, x->m};
    x->dp = p->dp;
    x->tp = p->tp;
    x->cp = p->cp;
    x->ep = p->ep;
    x->etp = p->etp;
    x->dps = p->dp_shard > 0 ? p->dp_shard : p->dp;
    x->S = p->tp * p->cp * p->dp;
    aif_rank_map_init(&x->rmap, p, s->train.rank_order);
    x->full = o->full;
    x->alloc = (aif_alloc){aif_alloc_gpus(s), s->train.alloc.first_node};
    x->slowdown = s->cluster.gpu.calib.overlap_slowdown;
    x->chunk_sync = s->train.par.vpp > 1 && s->train.par.pp > 1 && aif_optim_has_buckets(s->train.optimizer);
    x->free_rq = NONE;
    aif_evq_init(&x->q);
    aif_rc rc = aif_netsim_new(&s->cluster, &x->q, coflow_done, x, &x->net, err);
    if (rc)
        return rc;
    double clock = aif_graph_clock(s, g);
    x->op_t = calloc((size_t)g->n_ops + 1, sizeof(double));
    x->memo = malloc(((size_t)g->n_ops + 1) * sizeof *x->memo);
    x->n_units = aif_sched_n_units(x->pipe);
    x->sched = malloc((size_t)x->pp * (size_t)x->n_units * sizeof(aif_unit));
    x->n_bitems = calloc((size_t)x->pp, sizeof(int));
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
    if (!x->full && x->dp > 1) {
        x->score = calloc((size_t)x->dp, sizeof(double));
        x->rep_t = calloc((size_t)x->dp, sizeof(double));
        x->rep_cls = calloc((size_t)x->dp, sizeof(int));
        if (!x->score || !x->rep_t || !x->rep_cls)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    }
    if (!x->rmap.identity) {   /* the largest group: a stage's ranks, or the pipeline */
        x->members = malloc((size_t)(x->S > x->pp ? x->S : x->pp) * sizeof(long));
        if (!x->members)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    }
    if (!x->op_t || !x->memo || !x->sched || !x->n_bitems || !x->n_buckets || !x->chunk_first || !x->chunk_n || !x->chunk_bucket || !x->tl ||
        !x->st || !x->arrive || !x->rdv)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    for (long i = 0; i < n_inst * AIF_N_GRP; i++)
        x->rdv[i] = (rdv){0, NONE};
    for (long i = 0; i < reps * x->pp * 2 * x->vpp * x->m; i++)
        x->arrive[i] = NOT_ARRIVED;
    for (long i = 0; i < (long)x->n_tl * AIF_N_GRP; i++)
        x->st[i] = (stream){NONE, NONE, 0, 0};
    for (int i = 0; i < g->n_ops; i++) {
        const aif_op *op = &g->ops[i];
        x->memo[i].bytes = -1;   /* no launch yet: no request has negative bytes */
        if (op->kind == AIF_OP_COMM)
            x->op_t[i] = aif_coll_time(&s->cluster, (aif_coll)op->coll, g->groups[op->group], op->bytes);
        else
            x->op_t[i] = aif_compute_time(&s->cluster.gpu, op, clock);
    }
    int max_items = 0;
    if (g->offload_layers > 0 && s->cluster.host_link_Bps > 0) {   /* pp 1 (aif_scenario_check) */
        x->off_n = g->offload_layers;
        x->off_ahead = aif_offload_ahead(g->layers, g->offload_layers, s->framework.offload_prefetch);
        x->off_copy_s[0] = g->offload_bytes[0] / s->cluster.host_link_Bps;
        x->off_copy_s[1] = g->offload_bytes[1] / s->cluster.host_link_Bps;
    }
    chunk_tables(x);
    for (int st = 0; st < x->pp; st++) {
        aif_sched_stage(x->pipe, st, x->sched + (long)st * x->n_units);
        if (x->n_bitems[st] > max_items)
            max_items = x->n_bitems[st];
    }
    x->n_items_max = max_items;
    for (int i = 0; i < x->n_tl; i++) {
        timeline *t = &x->tl[i];
        t->stage = x->full ? i / x->dp : i;
        t->replica = x->full ? i % x->dp : 0;
        t->phase = PH_UNITS;
        t->unit = NONE;
        t->op = NONE;
        t->pend_req = NONE;
        t->items = malloc((size_t)(max_items + 2) * sizeof(item));
        t->ag_wait = calloc((size_t)max_items + 1, 1);
        t->off_done = x->off_n > 0 ? calloc((size_t)x->off_n, sizeof(double)) : NULL;
        if (!t->items || !t->ag_wait || (x->off_n > 0 && !t->off_done))
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    }
    x->units_total = (long)x->n_tl * x->n_units;
    if (o->trace) {
        x->trace = o->trace;
        x->trace->n_tracks = x->trace->n_slices = 0;
        return trace_tracks(x, err);
    }
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

/* The first failure of the run, the network's included; FAIL_STUCK when a timeline did not finish. */
static fail run_failure(const sim *x, int *stuck)
{
    *stuck = NONE;
    if (x->fail)
        return x->fail;
    switch (aif_netsim_failed(x->net)) {
    case AIF_NETSIM_OK: break;
    case AIF_NETSIM_NOMEM: return FAIL_NOMEM;
    case AIF_NETSIM_PARTITIONED: return FAIL_PARTITIONED;
    case AIF_NETSIM_OFF_NETWORK: return FAIL_OFF_NETWORK;
    }
    for (int i = 0; i < x->n_tl; i++)
        if (x->tl[i].phase != PH_DONE) {
            *stuck = i;
            return FAIL_STUCK;
        }
    return FAIL_NONE;
}

static aif_rc fail_error(const sim *x, fail why, int stuck, aif_err *err)
{
    switch (why) {
    case FAIL_NONE:
        return AIF_OK;
    case FAIL_PARTITIONED:
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.network",
                           "the network is partitioned: some transfer has no live path (too many failed links, or "
                           "rail-only without a way between rails)");
    case FAIL_OFF_NETWORK:
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "simulate", "a route left the network (a bug in aifsim)");
    case FAIL_NOMEM:
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "simulate", "out of memory");
    case FAIL_STUCK: {
        const timeline *t = &x->tl[stuck];
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "simulate",
                           "timeline %d (stage %d) did not finish the step: stuck in state %d at unit %d of %d, "
                           "phase %d", stuck, t->stage, (int)t->state, t->unit, x->n_units, (int)t->phase);
    }
    }
    return AIF_EINTERNAL;
}

/* The breakdown of the timeline that computes longest (the critical rank). */
static void breakdown(const sim *x, double step, aif_breakdown *bd)
{
    int crit = 0;
    double best = -1;
    for (int i = 0; i < x->n_tl; i++) {
        const timeline *t = &x->tl[i];
        double busy = t->cat_s[AIF_CAT_COMPUTE] + t->cat_s[AIF_CAT_RECOMPUTE];
        if (busy > best) {
            best = busy;
            crit = i;
        }
    }
    const timeline *t = &x->tl[crit];
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
    bd->offload_s = t->offload_s;
    double other = bd->compute_s + bd->tp_comm_s + bd->cp_comm_s + bd->ep_comm_s + bd->pp_comm_s + bd->dp_comm_s +
                   bd->optimizer_s + bd->offload_s;
    bd->pp_bubble_s = step > other ? step - other : 0;
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
    aif_graph graph, *g = &graph;
    if ((rc = aif_graph_lower(s, g, err))) {
        aif_graph_free(g);
        return rc;
    }
    sim x;
    memset(&x, 0, sizeof x);
    rc = setup(&x, s, g, o, err);
    if (rc) {
        sim_free(&x);
        aif_graph_free(g);
        return rc;
    }
    prebuild(&x);
    aif_netsim_seal(x.net, !o->no_link_classes);
    start(&x);
    aif_event e;
    while (!failed(&x)) {
        aif_netsim_settle(x.net);
        if (failed(&x) || !aif_evq_pop(&x.q, &e))
            break;
        x.events++;
        on_event(&x, &e);
    }
    double step = 0;
    for (int i = 0; i < x.n_tl; i++)
        if (x.tl[i].end_t > step)
            step = x.tl[i].end_t;
    int stuck = NONE;
    rc = fail_error(&x, run_failure(&x, &stuck), stuck, err);
    if (!rc) {
        aif_estimate_graph(s, g, r);   /* memory, FLOPs and the fields both engines share */
        breakdown(&x, step, &r->bd);
        r->step_time_s = step;
        aif_result_derive(s, g, r);
        if (o->progress)
            o->progress(1.0, o->progress_ctx);
    }
    if (!rc && st) {
        memset(st, 0, sizeof *st);
        aif_netsim_stats(x.net, step, st);
        st->timelines = x.n_tl;
        st->events = x.events;
    }
    sim_free(&x);
    aif_graph_free(g);
    return rc;
}
