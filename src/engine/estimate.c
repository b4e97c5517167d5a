/* estimate.c -- the analytical engine: walks the step graph once.
 *
 * Segment time: two streams (graph.h); compute that runs beside a communication
 * kernel takes (1 + overlap_slowdown) as long for the overlapped part (Lee et al. 2025).  Rank time per microbatch:
 *   T_r = sum over segments of count_r(seg) * t(seg), forward and backward.
 * Pipeline (1F1B, Narayanan et al. SC'21 sec. 2.2; interleaved with v chunks;
 * the schedule lives in workload/schedule.h):
 *   t_pipe = m * max_r T_r + (pp - 1) / v * mean_r T_r
 * which is (m + (pp-1)/v) * T for balanced stages, and charges imbalance to the
 * bubble.  The max and the mean run over the stage classes (graph.h), a handful of
 * runs of equal ranks, so an estimate's cost does not grow with pp; the mean then
 * differs from a rank-by-rank sum by rounding only (a few ulps).  End of step: gradient reduction exposed beyond one microbatch's
 * backward on the busiest rank, optimizer, parameter all-gather exposed beyond
 * one microbatch's forward (dp_overlap: in nb buckets of Megatron-LM's size,
 * each paying its collective's latency; the last bucket's reduction and the
 * first bucket's all-gather exposed at least), or all of them (no overlap).
 * Interleaved (vpp > 1), a bucket's window is its layers' distance from the end of
 * the stage's backward in the cool-down, whole chunk-groups for the later chunks
 * (workload/schedule.h, aif_sched_dp_window): most of the reduction hides behind the
 * backward of the other chunks, as Megatron-Core's overlap_grad_reduce has it; with
 * its DDP buckets (optimizer none, distributed, zero1) a chunk's reductions start
 * together after the chunk's last backward (align_grad_reduce), so they are served a
 * chunk at a time and the first chunk's are exposed whole; the all-gathers keep the
 * buckets (each forward waits for its own bucket).
 * Activation offload (pp 1): a microbatch's forward and backward each add what the
 * compute waits for the copy stream (aif_offload_exposed, workload/offload.h), booked
 * as offload_s.
 * Op and segment times (aif_op_time_s, aif_segment_time) take any graph, not
 * only a training one; aif_graph_timing_eval tabulates them for listings.
 * The estimate memo (aif_estimate_memoized, at the end) reuses layer segments' times
 * across the estimates of a sweep; its results are aif_estimate's bit for bit. */
#include "engine/estimate.h"
#include "aifsim/names.h"
#include "base/arena.h"
#include "base/base.h"
#include "hw/compute.h"
#include "net/collective.h"
#include "workload/lower_train.h"
#include "workload/memory.h"
#include "workload/offload.h"
#include "workload/schedule.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Compute slowed by communication kernels running beside it (data/calibration.yaml). */
static double interference(const aif_scenario *s, double overlapped_s)
{
    return s->cluster.gpu.calib.overlap_slowdown * overlapped_s;
}

/* A compute op's time: aif_op_time_s's compute half, apart so that the segment loop
 * below inlines it (the one place that says how a compute op is timed). */
static double compute_op_time(const aif_scenario *s, const aif_graph *g, const aif_op *op)
{
    return aif_compute_time(&s->cluster.gpu, op, aif_graph_clock(s, g));
}

double aif_graph_clock(const aif_scenario *s, const aif_graph *g)
{
    /* a training graph's kernels at its job's pace; another graph's (serving: replicas do not
     * wait for each other) at the clock alone */
    return (s->cluster.clock_factor > 0 ? s->cluster.clock_factor : 1.0) * (g->pace > 0 ? g->pace : 1.0);
}

double aif_op_time_s(const aif_scenario *s, const aif_graph *g, const aif_op *op)
{
    if (op->kind == AIF_OP_COMM)
        return aif_coll_time(&s->cluster, (aif_coll)op->coll, g->groups[op->group], op->bytes);
    return compute_op_time(s, g, op);
}

/* Collective times already known in one estimate.  A step repeats few collectives:
 * a layer's tensor-parallel all-gathers and reduce-scatters all move T*h*2 bytes (ten
 * of them, two distinct), and the backward mirrors the forward; aif_coll_time is a
 * function of (collective, group, bytes) alone for one graph and cluster, so a repeat
 * is looked up (exactly the same double) rather than recomputed.  Not kept beyond one
 * graph: the groups and the cluster would change under it. */
enum { COLL_MEMO = 16 };
typedef struct coll_memo {
    int n;
    struct { double bytes, t_s; unsigned char coll, group; } e[COLL_MEMO];
    aif_estimate_memo *sweep;   /* NULL, or the estimate memo whose collective cache to use */
} coll_memo;

static double coll_time_cached(aif_estimate_memo *m, const aif_scenario *s, const aif_graph *g, const aif_op *op);

/* aif_op_time_s, with a repeated collective looked up in mc. */
static double op_time(const aif_scenario *s, const aif_graph *g, const aif_op *op, coll_memo *mc)
{
    if (op->kind != AIF_OP_COMM)
        return compute_op_time(s, g, op);
    for (int i = 0; i < mc->n; i++)
        if (mc->e[i].bytes == op->bytes && mc->e[i].coll == op->coll && mc->e[i].group == op->group)
            return mc->e[i].t_s;
    double t = mc->sweep ? coll_time_cached(mc->sweep, s, g, op) : aif_op_time_s(s, g, op);
    if (mc->n < COLL_MEMO) {
        mc->e[mc->n].bytes = op->bytes;
        mc->e[mc->n].coll = op->coll;
        mc->e[mc->n].group = op->group;
        mc->e[mc->n++].t_s = t;
    }
    return t;
}

static void segment_time(const aif_scenario *s, const aif_graph *g, int i_seg, aif_seg_time *out, coll_memo *mc)
{
    memset(out, 0, sizeof *out);
    double t = 0;          /* compute stream clock */
    double tn = 0;         /* comm stream clock (AIF_OVL_SEGMENT) */
    /* The comm stream's busy time beside compute, for its slowdown: a collective issued
     * at compute time t0 runs [max(tn, t0), end).  The collectives still running form
     * one run [run_start_s, tn): a new one either starts where the last ends (tn > t0)
     * or finds the stream idle, every earlier one ended by t0, whose run then counts
     * whole (busy_done_s).  The open run is clipped at the segment's compute end. */
    double run_start_s = 0, busy_done_s = 0;
    double pend = 0;       /* AIF_OVL_NEXT comm waiting for its compute op */
    int pend_cat = 0;
    double seg_cat_s[AIF_N_CAT] = {0}, seg_s = 0;   /* AIF_OVL_SEGMENT comm by category */
    int first = g->seg[i_seg].first, n = g->seg[i_seg].n;
    for (int i = first; i < first + n; i++) {
        const aif_op *op = &g->ops[i];
        double d = op_time(s, g, op, mc);
        if (op->kind == AIF_OP_COMM) {
            if (op->overlap == AIF_OVL_SEGMENT) {
                if (tn <= t) {   /* the stream idle: the last run ended, a new one starts */
                    busy_done_s += tn - run_start_s;
                    run_start_s = t;
                    tn = t;
                }
                tn += d;
                seg_cat_s[op->cat] += d;
                seg_s += d;
            } else if (op->overlap == AIF_OVL_NEXT) {
                pend += d;
                pend_cat = op->cat;
            } else {
                t += d;
                out->cat_s[op->cat] += d;
            }
            continue;
        }
        if (pend > 0) {
            double slow = interference(s, pend < d ? pend : d);
            d += slow;
            double over = pend > d ? pend - d : 0;
            out->cat_s[pend_cat] += over + slow;
            t += over + slow;
            d -= slow;
            pend = 0;
        }
        t += d;
        out->cat_s[op->cat] += d;
        if (op->kind == AIF_OP_MEM && op->cat != AIF_CAT_DP)
            out->membound_s += d;   /* a subset of compute: not a collective's host work (dp.ag.lists) */
    }
    if (pend > 0) {
        t += pend;
        out->cat_s[pend_cat] += pend;
    }
    /* the background stream's cost (interference, and whatever outlasts the compute)
     * is booked to the categories it carried, in proportion to their time on it: an
     * expert all-to-all under ep_overlap is expert communication, a ZeRO-3 gather DP */
    double extra = 0;
    if (tn > 0) {
        double open_s = (tn < t ? tn : t) - run_start_s;   /* the open run within the compute [0, t) */
        extra = interference(s, busy_done_s + (open_s > 0 ? open_s : 0));
        t += extra;
    }
    if (tn > t) {
        extra += tn - t;
        t = tn;
    }
    for (int c = 0; extra > 0 && c < AIF_N_CAT; c++)
        out->cat_s[c] += extra * seg_cat_s[c] / seg_s;
    out->total_s = t;
}

void aif_segment_time(const aif_scenario *s, const aif_graph *g, int i_seg, aif_seg_time *out)
{
    coll_memo mc;
    mc.n = 0;
    mc.sweep = NULL;
    segment_time(s, g, i_seg, out, &mc);
}

/* Gradient buckets of a stage with `items` embedding, layer and head items (as the simulator makes them). */
static double bucket_count(const aif_graph *g, int items)
{
    int nb = g->dp_buckets < 1 ? 1 : g->dp_buckets;
    return items >= 1 && nb > items ? items : nb;
}

/* Time of one bucket's share (1/nb) of a step segment's collectives, run in turn. */
static double bucket_time(const aif_scenario *s, const aif_graph *g, int i_seg, double nb, aif_estimate_memo *m)
{
    double t = 0;
    for (int i = g->seg[i_seg].first; i < g->seg[i_seg].first + g->seg[i_seg].n; i++) {
        aif_op op = g->ops[i];
        if (op.kind == AIF_OP_COMM)
            op.bytes /= nb;
        t += m && op.kind == AIF_OP_COMM ? coll_time_cached(m, s, g, &op) : aif_op_time_s(s, g, &op);
    }
    return t;
}

/* Bucket b's exposed end, (b + 1) x / nb - w_b y, as the interleaved formula writes it. */
static double tail_term(aif_pipe p, double nb, int b, double x, double y)
{
    return (b + 1) * x / nb - aif_sched_dp_window(p, b / nb) * y;
}

double aif_dp_tail_loop(aif_pipe p, double nb, double x, double y)
{
    double most = x / nb;
    for (int b = 0; b < (int)nb; b++)
        most = fmax(most, tail_term(p, nb, b, x, y));
    return most;
}

/* The chunk aif_sched_dp_window puts bucket b in: floor(x v) with x = b / nb, the same
 * expression, so the same double; it never decreases with b (rounding is monotone). */
static int tail_chunk(aif_pipe p, double nb, int b)
{
    double x = b / nb;
    return p.vpp <= 1 ? 0 : (int)floor(x * p.vpp);
}

/* The first bucket after lo's chunk (n when that chunk is the last): stepped from near
 * (c + 1) nb / v to where tail_chunk (monotone) changes. */
static int tail_chunk_end(aif_pipe p, double nb, int n, int lo)
{
    int c = tail_chunk(p, nb, lo);
    double guess = ceil((c + 1) * nb / (p.vpp > 1 ? p.vpp : 1));
    int next = guess > n ? n : guess < lo + 1 ? lo + 1 : (int)guess;
    while (next > lo + 1 && tail_chunk(p, nb, next - 1) != c)
        next--;
    while (next < n && tail_chunk(p, nb, next) == c)
        next++;
    return next;
}

/* aif_dp_tail_loop in O(1), or over the few chunks that can hold the max.  Inside one
 * chunk c the window is (c grp + b v / nb - c) / v, so a bucket's term is linear in b
 * with slope (x - y) / nb and its largest value is at an end of the chunk's range of
 * buckets.  Computed in floating point each term is within E = 1e-14 (x + (grp + 1) y)
 * of that line (a few roundings of quantities at most x and grp y; 8 ulps would do):
 * where the slope exceeds 2E in size the end's term is strictly the largest of its chunk
 * as computed too.  Where it does not (x and y equal to within about 1e-13 nb of their
 * size, or not finite), and for a few buckets, it is the loop.
 *
 * A falling slope: the window rises by at least 1 / nb a bucket (by 1 / nb inside a
 * chunk, more across), so the terms fall strictly from the first, which is the max.
 *
 * A rising one: chunk c's end term is c (x - grp y) / v ("across") plus what does not
 * depend on c and a part within [-2, 0] times the slope (where the bucket boundary
 * falls, (c + 1) nb / v rounded up less one, or a bucket off where the rounding of
 * b / nb moves it).  So a chunk more than (2 slope + 2E) / |across| chunks before the
 * last (across rising) or after the first (falling) ends strictly below that end's
 * term, as computed too, and cannot hold the max: only the chunks within that reach
 * are visited (one where |across| outweighs the slope, every chunk where across is
 * near zero).  The max of the visited ends is the loop's max, bit for bit. */
double aif_dp_tail(aif_pipe p, double nb, double x, double y)
{
    int n = (int)nb;
    double grp = p.pp < p.m ? p.pp : p.m, slope = (x - y) / nb;
    double err = 1e-14 * (fabs(x) + ((grp > 1 ? grp : 1) + 1) * fabs(y));
    /* the bounds below take nb whole (the last chunk's end at nb - 1), a microbatch at least
     * (grp >= 1) and x, y not negative */
    if (n <= 8 || nb != n || p.m < 1 || !(x >= 0 && y >= 0) || !(fabs(slope) > 2 * err))
        return aif_dp_tail_loop(p, nb, x, y);
    double most = x / nb;
    if (slope < 0)
        return fmax(most, tail_term(p, nb, 0, x, y));
    int last = tail_chunk(p, nb, n - 1), c_lo = 0, c_hi = last;
    double across = (x - grp * y) / (p.vpp > 1 ? p.vpp : 1);
    if (p.vpp > 1 && fabs(across) > 0) {
        double reach = (2 * slope + 4 * err) / fabs(across) + 1;   /* a chunk's margin for the rounding of reach */
        if (reach < last) {
            if (across > 0)
                c_lo = last - (int)reach;
            else
                c_hi = (int)reach;
        }
    }
    int lo = 0;   /* the first bucket of the first chunk from c_lo: near c_lo nb / v, stepped to it */
    if (c_lo > 0) {
        lo = (int)(c_lo * nb / p.vpp);
        if (lo > n - 1)
            lo = n - 1;
        while (lo > 0 && tail_chunk(p, nb, lo - 1) >= c_lo)
            lo--;
        while (tail_chunk(p, nb, lo) < c_lo)
            lo++;
    }
    while (lo < n && tail_chunk(p, nb, lo) <= c_hi) {
        int next = tail_chunk_end(p, nb, n, lo);
        most = fmax(most, tail_term(p, nb, next - 1, x, y));
        lo = next;
    }
    return most;
}

void aif_estimate_graph(const aif_scenario *s, const aif_graph *g, aif_train_result *r)
{
    aif_seg_time st[AIF_N_SEG];
    coll_memo mc;   /* one for the whole graph; only its first n entries are read */
    mc.n = 0;
    mc.sweep = NULL;
    for (int i = 0; i < AIF_N_SEG; i++)
        segment_time(s, g, i, &st[i], &mc);
    aif_estimate_times(s, g, st, r);
}

static void derive(const aif_scenario *s, const aif_graph *g, aif_train_result *r, const aif_estimate_known *k);
static void estimate_times(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                           const aif_estimate_known *known, aif_estimate_memo *memo, aif_train_result *r);
static void estimate_finish(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                            const aif_estimate_known *known, const aif_estimate_pipe *o, aif_estimate_memo *memo,
                            aif_train_result *r);

void aif_estimate_times(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                        aif_train_result *r)
{
    aif_estimate_times_known(s, g, st, NULL, r);
}

void aif_estimate_times_known(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                              const aif_estimate_known *known, aif_train_result *r)
{
    estimate_times(s, g, st, known, NULL, r);
}

void aif_estimate_times_pipe(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                             const aif_estimate_known *known, const aif_estimate_pipe *o, aif_train_result *r)
{
    estimate_finish(s, g, st, known, o, NULL, r);
}

/* A stage's layers' backward, field f of their segments' times: the replaying ones' and,
 * under train.recompute_layers, those that kept their activations (aif_stage.keep_*). */
#define layers_bwd(c, st, f)                                                                         \
    (((c)->dense_layers - (c)->keep_dense) * (st)[AIF_SEG_DENSE_BWD].f +                             \
     ((c)->moe_layers - (c)->keep_moe) * (st)[AIF_SEG_MOE_BWD].f +                                   \
     (c)->keep_dense * (st)[AIF_SEG_DENSE_BWD_KEEP].f + (c)->keep_moe * (st)[AIF_SEG_MOE_BWD_KEEP].f)

/* The pipeline's part of the step: the busiest rank's stage, what its microbatch is made
 * of, and the pipeline's time with its bubble (what the data-parallel overlap leaves as it is). */
void aif_estimate_pipe_of(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                          aif_estimate_pipe *o)
{
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;

    double worst = -1, sum = 0, worst_f = 0, worst_b = 0;
    aif_stage sg = {0};   /* the busiest rank's stage */
    /* over the stage classes (graph.h), each standing for its n_ranks equal ranks: the
     * sum weighs a class by its count, and the busiest rank is the first of the first
     * class that reaches the most, as a loop over every rank would find it */
    /* interleaved, the pipeline sends are asynchronous (graph.h, AIF_OVL_ASYNC): a
     * microbatch waits only for what a send outlasts of one chunk's compute (the receiver
     * has the next chunk of another microbatch to run meanwhile) and the compute slowed
     * beside the send (overlap_slowdown, booked to the send); the fill and drain cross
     * every hop, so the mean stage (the bubble) keeps the whole transfer */
    int async_p2p = p->vpp > 1 && p->pp > 1 && tr->pp_overlap && !s->framework.pp_p2p_serial;   /* lower_train.c */
    double t_p2p = st[AIF_SEG_P2P].total_s, worst_p2p = 0;
    /* activation offload (workload/offload.h; pp 1, so the one stage holds every layer): what
     * a microbatch's compute waits for the copies, forward and backward */
    double off_f = 0, off_b = 0, worst_off = 0;
    if (g->offload_layers > 0 && s->cluster.host_link_Bps > 0) {
        /* the bytes from s, not from g: the best-layout search times layouts (mbs, tp, cp)
         * through a graph lowered for another */
        double ob[2];
        aif_memory_layer_bytes(s, ob);
        const double fs[2] = {st[AIF_SEG_DENSE_FWD].total_s, st[AIF_SEG_MOE_FWD].total_s},
                     bs[2] = {st[AIF_SEG_DENSE_BWD].total_s, st[AIF_SEG_MOE_BWD].total_s},
                     cs[2] = {ob[0] / s->cluster.host_link_Bps, ob[1] / s->cluster.host_link_Bps};
        aif_offload_exposed(g->layers, g->dense_layers, g->offload_layers, s->framework.offload_prefetch, fs, bs, cs,
                            &off_f, &off_b);
    }
    for (int k = 0, n_classes = aif_graph_n_stage_classes(g); k < n_classes; k++) {
        aif_stage_class sc;
        aif_graph_stage_class(g, k, &sc);
        const aif_stage *c = &sc.st;
        double f = c->dense_layers * st[AIF_SEG_DENSE_FWD].total_s + c->moe_layers * st[AIF_SEG_MOE_FWD].total_s +
                   c->embed * st[AIF_SEG_EMBED_FWD].total_s + c->head * st[AIF_SEG_HEAD_FWD].total_s;
        double b = layers_bwd(c, st, total_s) + c->embed * st[AIF_SEG_EMBED_BWD].total_s +
                   c->head * st[AIF_SEG_HEAD_BWD].total_s;
        double pf = t_p2p, pb = t_p2p;
        if (async_p2p) {   /* what outlasts a chunk, and the compute slowed beside the send */
            pf = fmax(0, t_p2p - f / p->vpp) + interference(s, fmin(t_p2p, f / p->vpp));
            pb = fmax(0, t_p2p - b / p->vpp) + interference(s, fmin(t_p2p, b / p->vpp));
        }
        double of = c->dense_layers + c->moe_layers > 0 ? off_f : 0, ob = c->dense_layers + c->moe_layers > 0 ? off_b : 0;
        f += of;
        b += ob;
        sum += sc.n_ranks * (f + b + 2 * c->p2p * t_p2p);
        f += c->p2p * pf;
        b += c->p2p * pb;
        if (f + b > worst) {
            worst = f + b;
            worst_f = f;
            worst_b = b;
            worst_off = of + ob;
            worst_p2p = c->p2p * (pf + pb);
            sg = *c;
        }
    }
    /* what the busiest rank's time is made of, once for it */
    int worst_items = worst >= 0 ? sg.dense_layers + sg.moe_layers + sg.embed + sg.head : 1;
    double cat[AIF_N_CAT], membound;
    for (int c = 0; c < AIF_N_CAT; c++)
        cat[c] = sg.dense_layers * st[AIF_SEG_DENSE_FWD].cat_s[c] + sg.moe_layers * st[AIF_SEG_MOE_FWD].cat_s[c] +
                 layers_bwd(&sg, st, cat_s[c]) +
                 sg.embed * (st[AIF_SEG_EMBED_FWD].cat_s[c] + st[AIF_SEG_EMBED_BWD].cat_s[c]) +
                 sg.head * (st[AIF_SEG_HEAD_FWD].cat_s[c] + st[AIF_SEG_HEAD_BWD].cat_s[c]) +
                 (t_p2p > 0 ? worst_p2p * st[AIF_SEG_P2P].cat_s[c] / t_p2p : 0);   /* its exposed sends */
    membound = sg.dense_layers * st[AIF_SEG_DENSE_FWD].membound_s + sg.moe_layers * st[AIF_SEG_MOE_FWD].membound_s +
               layers_bwd(&sg, st, membound_s) +
               sg.embed * (st[AIF_SEG_EMBED_FWD].membound_s + st[AIF_SEG_EMBED_BWD].membound_s) +
               sg.head * (st[AIF_SEG_HEAD_FWD].membound_s + st[AIF_SEG_HEAD_BWD].membound_s);
    double m = g->microbatches;
    double fill = aif_sched_fill_drain((aif_pipe){p->pp, p->vpp, g->microbatches});
    double pipe = m * worst + (p->pp > 1 ? fill * sum / p->pp : 0);

    o->worst = worst;
    o->worst_f = worst_f;
    o->worst_b = worst_b;
    o->worst_items = worst_items;
    o->worst_off = worst_off;
    memcpy(o->cat, cat, sizeof cat);
    o->membound = membound;
    o->pipe = pipe;
}

/* aif_estimate_times_known, the buckets' collectives through m's cache (m may be NULL). */
static void estimate_times(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                           const aif_estimate_known *known, aif_estimate_memo *memo, aif_train_result *r)
{
    aif_estimate_pipe o;
    aif_estimate_pipe_of(s, g, st, &o);
    estimate_finish(s, g, st, known, &o, memo, r);
}

/* The step from its pipeline's part: the data-parallel end, the breakdown, the figures. */
static void estimate_finish(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                            const aif_estimate_known *known, const aif_estimate_pipe *o, aif_estimate_memo *memo,
                            aif_train_result *r)
{
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;
    double worst = o->worst, worst_f = o->worst_f, worst_b = o->worst_b, worst_off = o->worst_off;
    int worst_items = o->worst_items;
    const double *cat = o->cat;
    double membound = o->membound, pipe = o->pipe, m = g->microbatches;
    double rs = st[AIF_SEG_STEP_RS].total_s, ag = st[AIF_SEG_STEP_AG].total_s, opt = st[AIF_SEG_STEP_OPT].total_s;
    double dp_exposed;
    if (tr->dp_overlap) {
        /* nb buckets, each its own collective (graph.h): bucket j's reduction is ready
         * after (j+1)/nb of the last backward and the stream serves them in turn, so the
         * reductions end max(rs - (nb-1)/nb b, rs/nb) after the backward (the ends of the
         * linear range); the all-gathers mirror it before the forward.  Only the
         * buckets before the last overlap compute, and slow it */
        double nb = bucket_count(g, worst_items);
        rs = nb * bucket_time(s, g, AIF_SEG_STEP_RS, nb, memo);
        ag = nb * bucket_time(s, g, AIF_SEG_STEP_AG, nb, memo);
        if (p->vpp > 1 && p->pp > 1) {
            /* interleaved: a bucket's reduction is ready when its layers' last backward
             * ends, which for the later chunks is whole chunk-groups before the end of the
             * stage's backward (aif_sched_dp_window); bucket b (of nb, in forward order)
             * waits behind the b+1 buckets served before it in the stream, so the
             * reductions end max_b ((b+1) rs/nb - window_b) after the backward, at least
             * rs/nb; the all-gathers mirror it before the forward */
            aif_pipe pipe_shape = {p->pp, p->vpp, g->microbatches};
            /* Megatron-Core's DDP buckets: under its interleaved schedule a chunk's
             * reductions are launched together once the chunk's last backward has ended
             * (align_grad_reduce), so they do not overlap that backward: served a chunk at
             * a time.  The all-gathers keep the buckets: each forward waits for its own.
             * (The stages after the first hold each chunk as one bucket; their tails, one
             * chunk's pass or more earlier than the first stage's, never bind.) */
            double rs_x = aif_dp_tail(pipe_shape, aif_optim_has_buckets(tr->optimizer) ? p->vpp : nb, rs, worst_b);
            double ag_x = aif_dp_tail(pipe_shape, nb, ag, worst_f);
            dp_exposed = rs_x + ag_x + interference(s, rs - rs_x) + interference(s, ag - ag_x);
        } else {
            dp_exposed = fmax(rs - (nb - 1) / nb * worst_b, rs / nb) + fmax(ag - (nb - 1) / nb * worst_f, ag / nb) +
                         (nb - 1) / nb * (interference(s, fmin(rs, worst_b)) + interference(s, fmin(ag, worst_f)));
        }
    } else {
        dp_exposed = rs + ag;
    }

    memset(r, 0, sizeof *r);
    aif_breakdown *bd = &r->bd;
    bd->compute_s = m * (cat[AIF_CAT_COMPUTE] + cat[AIF_CAT_RECOMPUTE]);
    bd->recompute_s = m * cat[AIF_CAT_RECOMPUTE];
    bd->membound_s = m * membound;
    bd->tp_comm_s = m * cat[AIF_CAT_TP];
    bd->cp_comm_s = m * cat[AIF_CAT_CP];
    bd->ep_comm_s = m * cat[AIF_CAT_EP];
    bd->pp_comm_s = m * cat[AIF_CAT_PP];
    bd->pp_bubble_s = pipe - m * worst;
    /* the optimizer's segment may hold data-parallel work besides Adam (ZeRO-3 per tensor
     * gathers its small tensors again there: lower_train.c), booked as the simulation books it */
    double opt_own = fmin(opt, st[AIF_SEG_STEP_OPT].cat_s[AIF_CAT_OPT]);
    bd->dp_comm_s = dp_exposed + m * cat[AIF_CAT_DP] + (opt - opt_own);
    bd->optimizer_s = opt_own;
    bd->offload_s = m * worst_off;
    r->step_time_s = pipe + dp_exposed + opt;
    r->microbatches = g->microbatches;
    derive(s, g, r, known);
}

bool aif_breakdown_check(const aif_train_result *r)
{
    const aif_breakdown *b = &r->bd;
    const double parts[] = {b->compute_s, b->tp_comm_s, b->cp_comm_s, b->ep_comm_s, b->pp_comm_s,
                            b->pp_bubble_s, b->dp_comm_s, b->optimizer_s, b->offload_s};
    double sum = 0, tol = AIF_BREAKDOWN_TOL * r->step_time_s;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!(parts[i] >= -tol))
            return false;
        sum += parts[i];
    }
    return r->step_time_s > 0 && b->recompute_s >= 0 && b->recompute_s <= b->compute_s + tol &&
           b->membound_s >= 0 && b->membound_s <= b->compute_s + tol && fabs(sum - r->step_time_s) <= tol;
}

void aif_result_derive(const aif_scenario *s, const aif_graph *g, aif_train_result *r) { derive(s, g, r, NULL); }

/* aif_result_derive, with what k knows (when not NULL) copied, not computed. */
static void derive(const aif_scenario *s, const aif_graph *g, aif_train_result *r, const aif_estimate_known *k)
{
    AIF_ASSERT(aif_breakdown_check(r));
    const aif_train *tr = &s->train;
    double gpus = aif_alloc_gpus(s);   /* the job's, not the cluster's */
    r->tokens_per_step = (double)tr->gbs * tr->seq;
    r->tokens_per_s = r->tokens_per_step / r->step_time_s;
    r->tokens_per_s_per_gpu = r->tokens_per_s / gpus;
    double seqs = (double)tr->gbs;
    double fwd = (k ? k->fwd_flops_per_seq : aif_model_fwd_flops_per_seq(&s->model, tr->seq)) * seqs;
    /* a full step is forward, dgrad and wgrad (3x the forward); LoRA computes no wgrad
     * for the frozen weights (2x; its adapters are a few parts in a thousand) */
    r->model_flops_per_step = (tr->lora.rank > 0 ? 2 : 3) * fwd;
    r->hw_flops_per_step = r->model_flops_per_step + g->recompute_flops_per_microbatch / tr->mbs * seqs;
    r->model_tflops_per_gpu = r->model_flops_per_step / r->step_time_s / gpus / 1e12;
    r->hw_tflops_per_gpu = r->hw_flops_per_step / r->step_time_s / gpus / 1e12;
    double peak = s->cluster.gpu.peak_flops[tr->precision];
    r->mfu = r->model_tflops_per_gpu * 1e12 / peak;
    r->hfu = r->hw_tflops_per_gpu * 1e12 / peak;
    if (k) {
        r->mem = k->mem;
        r->params = k->params;
        r->active_params = k->active_params;
    } else {
        aif_memory_estimate(s, g, &r->mem);
        aif_model_param_counts(&s->model, &r->params, &r->active_params);
    }
    r->fits_in_memory = r->mem.total_bytes <= r->mem.hbm_bytes;
    r->pace = g->pace > 0 ? g->pace : 1;
    if (tr->tokens > 0) {
        r->steps = ceil(tr->tokens / r->tokens_per_step);
        r->train_time_s = r->steps * r->step_time_s;
        r->gpu_hours = r->train_time_s * gpus / 3600;
    }
}

aif_rc aif_estimate(const aif_scenario *s, aif_train_result *r, aif_err *err)
{
    aif_rc rc = aif_scenario_check(s, err);
    if (rc)
        return rc;
    /* the graph's tables in this frame: no malloc and free per estimate */
    alignas(max_align_t) unsigned char buf[AIF_GRAPH_BUF_BYTES];
    aif_graph g;
    if ((rc = aif_graph_lower_in(s, &g, buf, sizeof buf, err)) == AIF_OK)
        aif_estimate_graph(s, &g, r);
    aif_graph_free(&g);
    return rc;
}

/* ---------------------------------------------------------------- the estimate memo
 *
 * What a sweep computes again and again: the layer segments (AIF_SEG_DENSE_FWD ..
 * AIF_SEG_HEAD_BWD), lowered and timed, are the same for every pp, vpp, dp, batch and
 * optimizer of one (model, cluster, stack, tp, cp, ep, etp, mbs, seq, precision,
 * recompute, overlaps, ...) (workload/lower_train.h states the list).  The memo keeps
 * their times under a key of exactly those inputs:
 *  - the context, compared byte for byte: s->cluster, s->model, s->framework.  When it
 *    changes the memo is emptied (one context at a time);
 *  - per entry, in four parts (the layers' forward, their backward, the embedding and
 *    head, the backward of the layers recompute_layers leaves unreplayed: lower_train.h):
 *    s->train with the fields the layers do not read zeroed (recompute_layers among them:
 *    the stage classes count the layers it keeps; the forward's also without the recompute
 *    mode, the kept layers' as the forward's with whether they exist, the embedding's and
 *    head's without it and, for a model without multi-token prediction, the precision; the
 *    backward's with the mode as it runs it, aif_layer_recompute), the layers' sharding (aif_layer_sharding_key), and the shapes
 *    of the communicator groups the part's lowering consulted (recorded by it, so a
 *    group enters the key exactly when its size can change an op).
 * Within the context it also keeps what depends on the context alone or on a few
 * explicit inputs besides: collective times (aif_coll_time is a function of the cluster,
 * the collective, its group's shape and its bytes: the pipeline sends, the end of the
 * step and its buckets repeat across layouts), the stage classes of the last few (pp,
 * vpp) (a function of those and the model's layers), the model's dimensions and
 * parameter counts, and its forward FLOPs for one sequence length.
 * A hit returns the doubles the lowering and timing would compute, so a memoised
 * estimate equals aif_estimate's bit for bit (tests/test_memo.c: every field, over a
 * random walk of layouts that changes one input at a time, models, GPUs and stacks in
 * turn).  Keys compare with memcmp: struct padding copied from the scenario can only
 * make equal keys look different (a miss), never the other way.  Bounded: at most `cap`
 * layer entries and COLL_CAP collectives, each table emptied when full.  No global
 * state: the caller owns the memo, one per thread. */
typedef struct memo_key {
    aif_train train;          /* s->train, less what the part's segments do not read */
    int sharding;             /* aif_layer_sharding_key (lower_train.h) */
    int part;                 /* AIF_LAYER_PART_*: which segments */
} memo_key;

/* The segments of each part (workload/lower_train.h), -1 past the last. */
static const int part_segs[AIF_N_LAYER_PARTS][4] = {
    {AIF_SEG_DENSE_FWD, AIF_SEG_MOE_FWD, -1, -1},
    {AIF_SEG_DENSE_BWD, AIF_SEG_MOE_BWD, -1, -1},
    {AIF_SEG_EMBED_FWD, AIF_SEG_EMBED_BWD, AIF_SEG_HEAD_FWD, AIF_SEG_HEAD_BWD},
    {AIF_SEG_DENSE_BWD_KEEP, AIF_SEG_MOE_BWD_KEEP, -1, -1}};

typedef struct memo_entry {
    memo_key key;
    unsigned groups;          /* the groups the part's lowering consulted (bit per aif_group) */
    aif_group_shape shape[AIF_N_GRP];   /* their shapes (the others zero) */
    aif_seg_time st[4];       /* the part's segments' times, in part_segs order */
} memo_entry;

/* A collective's time under the context's cluster: (coll, group shape, bytes) -> t_s. */
typedef struct coll_entry {
    double bytes, t_s;
    int size, per_domain;
    int coll;                 /* aif_coll */
    unsigned gen;             /* the table's generation when written: an older one is an empty slot */
} coll_entry;
enum { COLL_CAP = 1024, COLL_SLOTS = 2 * COLL_CAP };

/* The stage classes of one (pp, vpp) of the context's model (aif_graph_stage_classes). */
typedef struct memo_classes {
    int pp, vpp, rcl, n;      /* rcl: the graph's recompute_layers (the classes' keep counts) */
    aif_stage_class c[AIF_MAX_STAGE_CLASSES];
} memo_classes;
enum { MEMO_CLASSES = 16 };

struct aif_estimate_memo {
    int cap, n;               /* layer entries: at most cap, n used */
    int mask;                 /* slots - 1 (slots: a power of two >= 2 cap) */
    int *slot;                /* [slots]: entry index + 1, 0 = empty */
    memo_entry *e;            /* [cap] */
    coll_entry *coll;         /* [COLL_SLOTS], open addressing */
    int n_coll;
    unsigned coll_gen;        /* the slots written in this generation are full (>= 1) */
    bool have_ctx;
    aif_cluster cluster;      /* the context of every entry */
    aif_model model;
    aif_framework framework;
    memo_classes classes[MEMO_CLASSES];   /* n_classes used; next_classes: the next to replace */
    int n_classes, next_classes;
    aif_dims dims;            /* aif_model_dims of the model */
    bool have_counts;         /* params, active_params: aif_model_param_counts of the model */
    double params, active_params;
    int fwd_seq;              /* fwd_flops: aif_model_fwd_flops_per_seq(model, fwd_seq); 0 = none */
    double fwd_flops;
    long hits, misses;
};

static void coll_clear(aif_estimate_memo *m)
{
    if (++m->coll_gen == 0) {   /* wrapped: every slot's stamp made old */
        memset(m->coll, 0, COLL_SLOTS * sizeof *m->coll);
        m->coll_gen = 1;
    }
    m->n_coll = 0;
}

aif_rc aif_estimate_memo_new(int max_entries, aif_estimate_memo **out, aif_err *err)
{
    *out = NULL;
    if (max_entries < 0 || max_entries > (1 << 20))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "max_entries",
                           "estimate memo of %d entries: expected 0 (the default, %d) to %d", max_entries,
                           AIF_ESTIMATE_MEMO_DEFAULT, 1 << 20);
    /* at least one entry per part of an estimate, or every call empties the table */
    int cap = max_entries ? (max_entries < AIF_N_LAYER_PARTS ? AIF_N_LAYER_PARTS : max_entries) : AIF_ESTIMATE_MEMO_DEFAULT,
        slots = 2;
    while (slots < 2 * cap)
        slots *= 2;
    aif_estimate_memo *m = calloc(1, sizeof *m);
    if (m) {
        m->slot = calloc((size_t)slots, sizeof *m->slot);
        m->e = malloc((size_t)cap * sizeof *m->e);
        m->coll = calloc(COLL_SLOTS, sizeof *m->coll);
    }
    if (!m || !m->slot || !m->e || !m->coll) {
        aif_estimate_memo_free(m);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory for the estimate memo");
    }
    m->cap = cap;
    m->mask = slots - 1;
    coll_clear(m);
    *out = m;
    return AIF_OK;
}

void aif_estimate_memo_free(aif_estimate_memo *m)
{
    if (!m)
        return;
    free(m->slot);
    free(m->e);
    free(m->coll);
    free(m);
}

void aif_estimate_memo_clear(aif_estimate_memo *m)
{
    if (!m)
        return;
    if (m->n)
        memset(m->slot, 0, (size_t)(m->mask + 1) * sizeof *m->slot);
    m->n = 0;
    if (m->n_coll)
        coll_clear(m);
    m->have_ctx = false;
    m->n_classes = 0;
    m->next_classes = 0;
    m->have_counts = false;
    m->fwd_seq = 0;
}

void aif_estimate_memo_stats(const aif_estimate_memo *m, long *hits, long *misses)
{
    *hits = m ? m->hits : 0;
    *misses = m ? m->misses : 0;
}

static unsigned mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdu;
    h ^= h >> 33;
    return (unsigned)h;
}

/* aif_op_time_s of a collective op, through m's cache (the context is m's). */
static double coll_time_cached(aif_estimate_memo *m, const aif_scenario *s, const aif_graph *g, const aif_op *op)
{
    aif_group_shape sh = g->groups[op->group];
    uint64_t b;
    memcpy(&b, &op->bytes, sizeof b);
    unsigned i = mix64(b ^ (uint64_t)op->coll << 56 ^ (uint64_t)(unsigned)sh.size << 24 ^ (uint64_t)(unsigned)sh.per_domain);
    for (i &= COLL_SLOTS - 1; m->coll[i].gen == m->coll_gen; i = (i + 1) & (COLL_SLOTS - 1)) {
        const coll_entry *c = &m->coll[i];
        if (c->coll == op->coll && c->size == sh.size && c->per_domain == sh.per_domain &&
            !memcmp(&c->bytes, &op->bytes, sizeof c->bytes))
            return c->t_s;
    }
    double t = aif_op_time_s(s, g, op);
    if (m->n_coll == COLL_CAP) {   /* full: emptied (this one not kept) */
        coll_clear(m);
        return t;
    }
    m->coll[i] = (coll_entry){.bytes = op->bytes, .t_s = t, .size = sh.size, .per_domain = sh.per_domain,
                              .coll = op->coll, .gen = m->coll_gen};
    m->n_coll++;
    return t;
}

/* The entry keys of s, one per part: the train section less par.pp, par.vpp, par.dp,
 * par.dp_shard (the groups it shapes are keyed as consulted), gbs, tokens, optimizer
 * (for its sharding), dp_overlap, pp_overlap, auto_fields, offload, offload_layers,
 * grad_dtype (the step's reduction and the memory's, never a layer's) and moments_dtype, the
 * recompute mode as the backward runs it (aif_layer_recompute) with the modules it replays
 * (aif_recompute_modules_of; none unless selective); the forward's less recompute and its
 * modules, the embedding's and head's less those and precision (lower_train.h). */
static void memo_keys_of(const aif_scenario *s, memo_key k[AIF_N_LAYER_PARTS])
{
    memo_key *b = &k[AIF_LAYER_PART_BWD];
    memset(b, 0, sizeof *b);
    b->train = s->train;
    b->train.par.pp = 0;
    b->train.par.vpp = 0;
    b->train.par.dp = 0;
    b->train.par.dp_shard = 0;   /* the layers see it through the dp, edp and dpr groups' shapes alone */
    b->train.gbs = 0;
    b->train.tokens = 0;
    b->train.optimizer = 0;
    b->train.dp_overlap = false;
    b->train.pp_overlap = false;
    b->train.auto_fields = 0;
    b->train.offload = 0;          /* the copies are timed beside the layers (aif_offload_exposed), */
    b->train.offload_layers = 0;   /* from their segments' times: the layers' lowering never reads them */
    b->train.grad_dtype = 0;       /* the end of the step's reduction (grad_bytes), not the layers' */
    b->train.moments_dtype = 0;    /* the optimizer's state and its step, not the layers' */
    b->train.recompute_layers = 0; /* which layers replay: the stage classes' counts (aif_stage.keep_*) */
    b->train.recompute = aif_layer_recompute(&s->train, &s->framework);   /* as the backward runs it */
    /* the modules it replays, resolved (absent: core_attn), and none when it replays nothing */
    b->train.recompute_modules = b->train.recompute == AIF_RC_SELECTIVE ? aif_recompute_modules_of(&s->train) : 0;
    /* what a full replay keeps (none otherwise) */
    b->train.recompute_saved = b->train.recompute == AIF_RC_FULL ? s->train.recompute_saved : 0;
    b->sharding = aif_layer_sharding_key(s);
    b->part = AIF_LAYER_PART_BWD;
    k[AIF_LAYER_PART_FWD] = *b;
    k[AIF_LAYER_PART_FWD].train.recompute = 0;
    k[AIF_LAYER_PART_FWD].train.recompute_modules = 0;
    k[AIF_LAYER_PART_FWD].train.recompute_saved = 0;
    k[AIF_LAYER_PART_FWD].part = AIF_LAYER_PART_FWD;
    k[AIF_LAYER_PART_ENDS] = k[AIF_LAYER_PART_FWD];
    if (s->model.mtp_layers <= 0)   /* a multi-token-prediction block's projection runs in it */
        k[AIF_LAYER_PART_ENDS].train.precision = 0;
    k[AIF_LAYER_PART_ENDS].part = AIF_LAYER_PART_ENDS;
    /* the kept layers' backward: the forward's key (no recompute), lowered or empty as
     * recompute_layers applies (lower_train.h) */
    k[AIF_LAYER_PART_KEEP] = k[AIF_LAYER_PART_FWD];
    k[AIF_LAYER_PART_KEEP].train.recompute_layers = s->train.recompute == AIF_RC_FULL && s->train.recompute_layers > 0;
    k[AIF_LAYER_PART_KEEP].part = AIF_LAYER_PART_KEEP;
}

/* The four parts' hashes of keys k (memo_keys_of): the words of the first KEY_HASHED
 * bytes of the embedding's and head's key (the layout's degrees, batch, sequence,
 * switches; the rest of the key takes part in the comparison only), then the precision
 * for the forward and the kept layers' backward (with whether it is lowered), the recompute
 * mode too for the backward. */
enum { KEY_HASHED = 80 };
static void memo_hashes(const memo_key k[AIF_N_LAYER_PARTS], unsigned h[AIF_N_LAYER_PARTS])
{
    uint64_t x = 0x9e3779b97f4a7c15u, w;
    const unsigned char *b = (const unsigned char *)&k[AIF_LAYER_PART_ENDS];
    for (size_t i = 0; i + sizeof w <= KEY_HASHED && i + sizeof w <= sizeof *k; i += sizeof w) {
        memcpy(&w, b + i, sizeof w);
        x = (x ^ w) * 0x100000001b3u;
    }
    const aif_train *t = &k[AIF_LAYER_PART_BWD].train;
    x ^= (uint64_t)(unsigned)k[AIF_LAYER_PART_BWD].sharding << 40;
    h[AIF_LAYER_PART_ENDS] = mix64(x ^ AIF_LAYER_PART_ENDS);
    x ^= (uint64_t)(unsigned)t->precision << 48;
    h[AIF_LAYER_PART_FWD] = mix64(x ^ AIF_LAYER_PART_FWD);
    h[AIF_LAYER_PART_KEEP] = mix64(x ^ AIF_LAYER_PART_KEEP ^ (uint64_t)(unsigned)k[AIF_LAYER_PART_KEEP].train.recompute_layers << 20);
    x ^= (uint64_t)(unsigned)t->recompute << 56 ^ (uint64_t)t->recompute_modules << 24 ^
         (uint64_t)t->recompute_saved << 32;
    h[AIF_LAYER_PART_BWD] = mix64(x ^ AIF_LAYER_PART_BWD);
}

static bool memo_shapes_match(const memo_entry *e, const aif_group_shape *groups)
{
    for (int i = 0; i < AIF_N_GRP; i++)
        if (e->groups >> i & 1 && (e->shape[i].size != groups[i].size ||
                                   e->shape[i].per_domain != groups[i].per_domain))
            return false;
    return true;
}

/* The context of s is the memo's (else the memo is emptied and takes it). */
static void memo_context(aif_estimate_memo *m, const aif_scenario *s)
{
    if (m->have_ctx && !memcmp(&m->model, &s->model, sizeof m->model) &&
        !memcmp(&m->framework, &s->framework, sizeof m->framework) &&
        !memcmp(&m->cluster, &s->cluster, sizeof m->cluster))
        return;
    aif_estimate_memo_clear(m);
    m->cluster = s->cluster;
    m->model = s->model;
    m->framework = s->framework;
    aif_model_dims(&s->model, &m->dims);
    m->have_ctx = true;
}

/* The entry of key k (hash h) for groups, or NULL with *slot the empty slot where it goes. */
static const memo_entry *memo_find(const aif_estimate_memo *m, const memo_key *k, unsigned h,
                                   const aif_group_shape *groups, int *slot)
{
    int i = (int)(h & (unsigned)m->mask);
    for (; m->slot[i]; i = (i + 1) & m->mask) {
        const memo_entry *e = &m->e[m->slot[i] - 1];
        if (!memcmp(&e->key, k, sizeof *k) && memo_shapes_match(e, groups))
            return e;
    }
    *slot = i;
    return NULL;
}

aif_rc aif_estimate_memoized(const aif_scenario *s, aif_estimate_memo *m, aif_train_result *r, aif_err *err)
{
    if (!m)
        return aif_estimate(s, r, err);
    aif_rc rc = aif_scenario_check(s, err);
    if (rc)
        return rc;
    memo_context(m, s);
    memo_key k[AIF_N_LAYER_PARTS];
    memo_keys_of(s, k);
    unsigned h[AIF_N_LAYER_PARTS];
    memo_hashes(k, h);
    aif_group_shape groups[AIF_N_GRP];
    aif_graph_groups(s, groups);
    aif_seg_time st[AIF_N_SEG];
    unsigned missing = 0;
    int slot[AIF_N_LAYER_PARTS];
    for (int p = 0; p < AIF_N_LAYER_PARTS; p++) {
        const memo_entry *e = memo_find(m, &k[p], h[p], groups, &slot[p]);
        if (!e) {
            missing |= 1u << p;
            continue;
        }
        for (int j = 0; j < 4 && part_segs[p][j] >= 0; j++)
            st[part_segs[p][j]] = e->st[j];
    }
    if (missing)
        m->misses++;
    else
        m->hits++;
    /* the graph, with the layer segments of the missing parts only */
    alignas(max_align_t) unsigned char buf[AIF_GRAPH_BUF_BYTES];
    aif_graph g;
    unsigned consulted[AIF_N_LAYER_PARTS];
    const memo_classes *mcl = NULL;
    for (int i = 0; i < m->n_classes; i++)
        if (m->classes[i].pp == s->train.par.pp && m->classes[i].vpp == s->train.par.vpp &&
            m->classes[i].rcl == (s->train.recompute == AIF_RC_FULL ? s->train.recompute_layers : 0))
            mcl = &m->classes[i];
    if (m->fwd_seq != s->train.seq) {
        m->fwd_flops = aif_model_fwd_flops_per_seq(&s->model, s->train.seq);
        m->fwd_seq = s->train.seq;
    }
    aif_lower_known lk = {.groups = groups, .dims = &m->dims, .fwd_flops_per_seq = m->fwd_flops,
                          .classes = mcl ? mcl->c : NULL, .n_classes = mcl ? mcl->n : 0};
    if ((rc = aif_graph_lower_part(s, &g, buf, sizeof buf, missing, consulted, &lk, err)) != AIF_OK)
        goto done;
    if (!mcl) {   /* kept for the next layout of this pp and vpp (the oldest replaced) */
        memo_classes *c = &m->classes[m->n_classes < MEMO_CLASSES ? m->n_classes++ : m->next_classes];
        if (m->n_classes == MEMO_CLASSES && c == &m->classes[m->next_classes])
            m->next_classes = (m->next_classes + 1) % MEMO_CLASSES;
        c->pp = g.pp;
        c->vpp = g.vpp;
        c->rcl = g.recompute_layers;
        c->n = g.n_stage_classes;
        memcpy(c->c, g.stage_class, sizeof c->c);
    }
    coll_memo mc;
    mc.n = 0;
    mc.sweep = m;
    for (int p = 0; p < AIF_N_LAYER_PARTS; p++) {
        if (!(missing >> p & 1))
            continue;
        if (m->n == m->cap) {   /* full: emptied, the context kept, and the slot found again */
            memset(m->slot, 0, (size_t)(m->mask + 1) * sizeof *m->slot);
            m->n = 0;
            for (int q = p; q < AIF_N_LAYER_PARTS; q++)
                slot[q] = (int)(h[q] & (unsigned)m->mask);
        }
        memo_entry *e = &m->e[m->n];
        memset(e, 0, sizeof *e);
        e->key = k[p];
        e->groups = consulted[p];
        for (int i = 0; i < AIF_N_GRP; i++)
            if (consulted[p] >> i & 1)
                e->shape[i] = groups[i];
        for (int j = 0; j < 4 && part_segs[p][j] >= 0; j++) {
            segment_time(s, &g, part_segs[p][j], &st[part_segs[p][j]], &mc);
            e->st[j] = st[part_segs[p][j]];
        }
        while (m->slot[slot[p]])   /* taken by a part written before it in this call: the next empty one */
            slot[p] = (slot[p] + 1) & m->mask;
        m->slot[slot[p]] = ++m->n;
    }
    for (int i = AIF_SEG_P2P; i < AIF_N_SEG; i++)
        segment_time(s, &g, i, &st[i], &mc);
    /* what aif_result_derive would work out again: the counts from the context */
    aif_estimate_known known;
    if (!m->have_counts) {
        aif_model_param_counts(&s->model, &m->params, &m->active_params);
        m->have_counts = true;
    }
    known.params = m->params;
    known.active_params = m->active_params;
    known.fwd_flops_per_seq = m->fwd_flops;
    aif_memory_estimate_dims(s, &g, &m->dims, &known.mem);
    estimate_times(s, &g, st, &known, m, r);
done:
    aif_graph_free(&g);
    return rc;
}

aif_rc aif_graph_timing_eval(const aif_scenario *s, aif_graph_timing *t, aif_err *err)
{
    memset(t, 0, sizeof *t);   /* an empty graph: freeing it is safe whatever follows */
    aif_graph *g = &t->graph;
    aif_rc rc = aif_scenario_check(s, err);
    if (rc || (rc = aif_graph_lower(s, g, err)))
        return rc;
    t->op_s = aif_arena_alloc(&g->arena, (size_t)g->n_ops * sizeof *t->op_s);
    t->seg_t = aif_arena_alloc(&g->arena, (size_t)g->n_seg * sizeof *t->seg_t);
    if (!t->op_s || !t->seg_t)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory timing the step graph");
    for (int i = 0; i < g->n_ops; i++)
        t->op_s[i] = aif_op_time_s(s, g, &g->ops[i]);
    for (int i = 0; i < g->n_seg; i++)
        aif_segment_time(s, g, i, &t->seg_t[i]);
    return AIF_OK;
}

void aif_graph_timing_free(aif_graph_timing *t)
{
    aif_graph_free(&t->graph);
    t->op_s = NULL;
    t->seg_t = NULL;
}
