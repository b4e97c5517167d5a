/* best.c -- the best layout of a training job (include/aifsim/search.h):
 * every valid combination of tp, pp, vpp, cp, ep, etp, hybrid sharding (dp_shard),
 * micro-batch, recompute (a full one of the fewest layers per chunk that fit),
 * optimizer sharding and overlap switches on the job's GPU count, the ones that
 * fit in memory ranked by an objective.
 *
 * Invariants:
 *  - every candidate's result equals aif_estimate's on the same scenario (the same
 *    lowering, segment timing and combination code; tests/test_best.c compares the
 *    optimum with brute force).  Nothing is pruned that could rank: a layout is
 *    dropped only when its exact memory (aif_memory_estimate on its shape) is over
 *    HBM, or when it fails a check aif_scenario_check makes;
 *  - the answer does not depend on the order of enumeration: results are kept in
 *    aif_best_compare's total order.
 *
 * Why it is fast (incremental evaluation).  The enumeration nests, outside in:
 * tp, cp, pp (dp follows), dp_shard, ep, etp; then vpp, mbs, recompute, optimizer;
 * then the overlap switches.  Within one (tp, cp, pp, dp_shard, ep, etp) block the
 * communicator groups are fixed, and
 *  - a layer's segments (dense and MoE layers, embedding, head, pipeline send) depend
 *    only on (mbs, recompute, what the optimizer does inside the layers
 *    (aif_layer_sharding_key), tp_overlap, ep_overlap): they are lowered and timed once
 *    per such key (layer cache);
 *  - the end of the step (gradient reduction, optimizer, all-gather, the bucket
 *    count) depends only on (vpp, optimizer): lowered and timed once per key (step
 *    cache, kept for one vpp at a time);
 *  - memory depends on neither overlap switch and needs only the shape
 *    (aif_graph_shape): a layout that does not fit is counted and skipped with all
 *    its switches before anything is lowered;
 *  - dp_overlap changes nothing before the combination of segment times
 *    (aif_estimate_times), which is all a candidate costs once its caches are warm;
 *    the layout's memory, estimated once for the check, goes with it, and the
 *    model's parameter and FLOP counts, once for the search
 *    (aif_estimate_times_known), rather than being worked out again per candidate. */
#define _POSIX_C_SOURCE 200809L
#include "aifsim/names.h"
#include "aifsim/search.h"
#include "base/base.h"
#include "engine/estimate.h"
#include "workload/lower_train.h"
#include "workload/memory.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const objective_names[AIF_N_OBJ] = {"time", "cost", "energy"};
static const char *const part_names[AIF_N_PART] = {
    "compute", "tp communication", "cp communication", "ep communication", "pipeline send/recv",
    "pipeline bubble", "dp communication", "optimizer", "recompute"};

const char *aif_objective_name(int objective)
{
    return objective >= 0 && objective < AIF_N_OBJ ? objective_names[objective] : NULL;
}

int aif_objective_index(const char *name)
{
    for (int i = 0; i < AIF_N_OBJ; i++)
        if (name && !strcmp(name, objective_names[i]))
            return i;
    return -1;
}

const char *aif_best_part_name(int part) { return part >= 0 && part < AIF_N_PART ? part_names[part] : "?"; }

void aif_best_space_all(aif_best_space *sp)
{
    *sp = (aif_best_space){.recompute = -1, .optimizer = -1, .tp_overlap = -1, .dp_overlap = -1, .ep_overlap = -1,
                           .recompute_layers = -1, .dp_shard = -1};
}

void aif_best_space_auto(const aif_scenario *s, unsigned a, aif_best_space *sp)
{
    const aif_train *t = &s->train;
    *sp = (aif_best_space){
        .tp = a & AIF_AUTO_TP ? 0 : t->par.tp, .pp = a & AIF_AUTO_PP ? 0 : t->par.pp,
        .vpp = a & AIF_AUTO_VPP ? 0 : t->par.vpp, .cp = a & AIF_AUTO_CP ? 0 : t->par.cp,
        .ep = a & AIF_AUTO_EP ? 0 : t->par.ep, .etp = a & AIF_AUTO_ETP ? 0 : t->par.etp,
        .mbs = a & AIF_AUTO_MBS ? 0 : t->mbs, .recompute = t->recompute, .optimizer = t->optimizer,
        .tp_overlap = t->tp_overlap, .dp_overlap = t->dp_overlap, .ep_overlap = t->ep_overlap,
        .recompute_layers = a & AIF_AUTO_RECOMPUTE_LAYERS ? -1 : t->recompute_layers,
        .dp_shard = a & AIF_AUTO_DP_SHARD ? -1 : t->par.dp_shard,
        /* a sequence parallelism the job wrote is kept (the layout's own notes say where it acts) */
        .sp = s->train_given & AIF_GIVEN_SP ? 1 + t->par.sp : 0};
}

static double objective_of(const aif_best_result *r, int objective)
{
    return objective == AIF_OBJ_COST ? r->cost_per_step_usd
           : objective == AIF_OBJ_ENERGY ? r->energy_per_step_J : r->train.step_time_s;
}

static int cmp_d(double a, double b) { return a < b ? -1 : a > b; }

int aif_best_compare(const aif_best_result *a, const aif_best_result *b)
{
    int c;
    if ((c = cmp_d(a->objective, b->objective)) || (c = cmp_d(a->train.step_time_s, b->train.step_time_s)) ||
        (c = cmp_d(a->train.mem.total_bytes, b->train.mem.total_bytes)))
        return c;
    const int fa[] = {a->par.tp, a->par.pp, a->par.vpp, a->par.cp, a->par.ep, a->par.etp, a->mbs, a->recompute,
                      a->optimizer, a->tp_overlap, a->dp_overlap, a->ep_overlap, a->recompute_layers, a->par.dp_shard};
    const int fb[] = {b->par.tp, b->par.pp, b->par.vpp, b->par.cp, b->par.ep, b->par.etp, b->mbs, b->recompute,
                      b->optimizer, b->tp_overlap, b->dp_overlap, b->ep_overlap, b->recompute_layers, b->par.dp_shard};
    for (size_t i = 0; i < sizeof fa / sizeof fa[0]; i++)
        if (fa[i] != fb[i])
            return fa[i] < fb[i] ? -1 : 1;
    return 0;
}

void aif_best_apply(const aif_best_result *r, aif_scenario *s)
{
    s->train.par = r->par;
    s->train.mbs = r->mbs;
    s->train.recompute = r->recompute;
    if (r->recompute != AIF_RC_FULL)   /* what a full replay keeps: nothing to keep otherwise */
        s->train.recompute_saved = 0;
    s->train.recompute_layers = r->recompute == AIF_RC_FULL ? r->recompute_layers : 0;
    s->train.optimizer = r->optimizer;
    s->train.tp_overlap = r->tp_overlap;
    s->train.dp_overlap = r->dp_overlap;
    s->train.ep_overlap = r->ep_overlap;
}

/* ------------------------------------------------------------- search state */

enum { MAX_VALUES = 1600, N_OPT = AIF_OPT_FSDP + 1 };   /* no int has more divisors; step cache per optimizer */

typedef struct layer_entry {   /* layer cache: segments before the end of the step */
    unsigned block;            /* the block (search.block) that filled it; another's is empty */
    aif_seg_time st[AIF_SEG_STEP_RS];
    double recompute_flops;
} layer_entry;

typedef struct step_entry {    /* step cache: the end-of-step segments, for one vpp */
    bool done;
    aif_graph g;               /* kept: aif_estimate_times re-times its STEP ops in buckets */
    aif_seg_time st[3];        /* RS, OPT, AG */
} step_entry;

typedef struct search {
    const aif_scenario *base;
    const aif_best_opts *o;
    aif_best *out;
    aif_err *err;
    aif_rc rc;
    int gpus;
    bool moe;
    /* value lists of the block being searched */
    int mbs[MAX_VALUES], n_mbs;
    layer_entry *layer;        /* [n_mbs][3 recompute][N_SHARD_KEYS aif_layer_sharding_key][2 tp_overlap][2 ep_overlap] */
    int layer_cap;
    unsigned block;            /* the block being searched, from 1: its layer entries are those marked so */
    step_entry step[N_OPT];
    aif_estimate_known known;  /* the model's figures, once for the search; mem per layout */
    /* the stage classes of the (pp, vpp) being searched with every layer replayed (or none)
     * and with a full recompute of each chunk's first layer alone, the usual count */
    aif_stage_class cls[2][AIF_MAX_STAGE_CLASSES];
    int n_cls[2];
} search;

/* The divisors of n in [lo, hi] in increasing order (the fixed value alone when
 * fixed > 0 and it is one), at most MAX_VALUES of them (no n below 2^31 has more). */
static int divisors(long long n, long long lo, long long hi, int fixed, int *out)
{
    int k = 0;
    if (fixed > 0) {
        if (fixed >= lo && fixed <= hi && n % fixed == 0)
            out[k++] = fixed;
        return k;
    }
    int big[MAX_VALUES], n_big = 0;
    for (long long d = 1; d * d <= n && k < MAX_VALUES && n_big < MAX_VALUES; d++) {
        if (n % d)
            continue;
        if (d >= lo && d <= hi)
            out[k++] = (int)d;
        long long e = n / d;
        if (e != d && e >= lo && e <= hi)
            big[n_big++] = (int)e;
    }
    while (n_big > 0 && k < MAX_VALUES)
        out[k++] = big[--n_big];
    return k;
}

static int choices(int fixed, int lo, int hi, int *out)
{
    int k = 0;
    if (fixed >= 0)
        out[k++] = fixed;
    else
        for (int v = lo; v <= hi; v++)
            out[k++] = v;
    return k;
}

static void keep(search *w, const aif_best_result *r)
{
    aif_best *b = w->out;
    /* the runner-up stays the least (aif_best_compare) of the candidates seen whose
     * objective is above the best's: a new best hands it the old best */
    if (b->n_results > 0) {
        const aif_best_result *best = &b->results[0];
        if (r->objective < best->objective) {
            b->runner_up = *best;
            b->has_runner_up = true;
        } else if (r->objective > best->objective &&
                   (!b->has_runner_up || aif_best_compare(r, &b->runner_up) < 0)) {
            b->runner_up = *r;
            b->has_runner_up = true;
        }
    }
    int top = w->o->top;
    if (b->n_results == top && aif_best_compare(r, &b->results[top - 1]) >= 0)
        return;
    int i = b->n_results < top ? b->n_results++ : top - 1;
    while (i > 0 && aif_best_compare(r, &b->results[i - 1]) < 0) {
        b->results[i] = b->results[i - 1];
        i--;
    }
    b->results[i] = *r;
}

/* The layer segments depend on the optimizer only through what it does inside the
 * layers (aif_layer_sharding_key: nothing, gradients per microbatch, everything, or the
 * gradients accumulated unsharded over a pipeline's microbatches: 0 .. 3). */
enum { N_SHARD_KEYS = 4 };
static layer_entry *layer_at(search *w, int i_mbs, int rc, const aif_scenario *s, int tpo, int epo)
{
    return &w->layer[(((i_mbs * 3 + rc) * N_SHARD_KEYS + aif_layer_sharding_key(s)) * 2 + tpo) * 2 + epo];
}

/* Lowers s and keeps the segment times the layer cache holds. */
static aif_rc fill_layer(search *w, const aif_scenario *s, layer_entry *e)
{
    aif_graph g;
    aif_rc rc = aif_graph_lower(s, &g, w->err);
    if (rc == AIF_OK) {
        for (int i = 0; i < AIF_SEG_STEP_RS; i++)
            aif_segment_time(s, &g, i, &e->st[i]);
        e->recompute_flops = g.recompute_flops_per_microbatch;
        e->block = w->block;
        w->out->lowered++;
    }
    aif_graph_free(&g);
    return rc;
}

static aif_rc fill_step(search *w, const aif_scenario *s, step_entry *e)
{
    aif_rc rc = aif_graph_lower(s, &e->g, w->err);
    if (rc == AIF_OK) {
        for (int i = 0; i < 3; i++)
            aif_segment_time(s, &e->g, AIF_SEG_STEP_RS + i, &e->st[i]);
        e->done = true;
        w->out->lowered++;
    } else {
        aif_graph_free(&e->g);   /* a failed lowering holds what it had made */
    }
    return rc;
}

static void free_steps(search *w)
{
    for (int i = 0; i < N_OPT; i++) {
        if (w->step[i].done)
            aif_graph_free(&w->step[i].g);
        w->step[i].done = false;
    }
}

static void site_figures(const aif_best_site *site, aif_best_result *r)
{
    const aif_breakdown *b = &r->train.bd;
    double comm = b->tp_comm_s + b->cp_comm_s + b->ep_comm_s + b->pp_comm_s + b->dp_comm_s;
    r->energy_per_step_J = (b->compute_s - b->membound_s) * site->compute_W +
                           (b->membound_s + b->optimizer_s) * site->memory_W + comm * site->comm_W +
                           b->pp_bubble_s * site->idle_W;
    r->cost_per_step_usd = r->energy_per_step_J * site->usd_per_J + r->train.step_time_s * site->fixed_usd_per_s;
}

void aif_best_rescore(const aif_best_opts *o, aif_best_result *r)
{
    site_figures(&o->site, r);
    r->objective = objective_of(r, o->objective);
}

/* shape's stage classes with the first n layers of each chunk replayed (0: every layer). */
static void replay_classes(const search *w, aif_graph *shape, int n)
{
    shape->recompute_layers = n;
    if (n <= 1) {   /* the block's (pp, vpp) classes, kept */
        memcpy(shape->stage_class, w->cls[n], sizeof w->cls[n]);
        shape->n_stage_classes = w->n_cls[n];
    } else {
        aif_graph_stage_classes(shape);
    }
}

/* ... and its memory, in w->known.mem. */
static void replay_first(search *w, const aif_scenario *s, aif_graph *shape, int n)
{
    replay_classes(w, shape, n);
    aif_memory_estimate(s, shape, &w->known.mem);
}

/* A full recompute's layers per chunk (0: every layer), its memory in w->known.mem and
 * shape's classes set for it: the space's count, or the fewest whose layout fits.  Memory
 * falls with each layer replayed (a replayed layer holds its input, a kept one every
 * activation), so the fewest that fit are found by bisection over 1 .. the largest
 * chunk's layers, which is every layer; the step only grows with the count (each layer
 * replayed adds its forward to the backward), so no other count can rank before it
 * (tests/test_best.c compares with every count). */
static int replayed_layers(search *w, const aif_scenario *s, aif_graph *shape)
{
    int n_chunks = shape->pp * shape->vpp, most = (shape->layers + n_chunks - 1) / n_chunks;
    int fixed = w->o->space.recompute_layers;
    /* activation offload's checkpoints are every layer's (aif_scenario_check refuses a count) */
    if (s->train.offload == AIF_OFFLOAD_ACTIVATIONS)
        fixed = 0;
    if (fixed >= 0) {
        int n = fixed >= most ? 0 : fixed;
        replay_first(w, s, shape, n);
        return n;
    }
    if (most <= 1) {
        replay_first(w, s, shape, 0);
        return 0;
    }
    replay_first(w, s, shape, 1);   /* the usual answer where memory is not tight: one layer */
    if (w->known.mem.total_bytes <= w->known.mem.hbm_bytes)
        return 1;
    replay_first(w, s, shape, 0);   /* every layer: the least memory (what min_need_bytes reports) */
    if (w->known.mem.total_bytes > w->known.mem.hbm_bytes)
        return 0;
    aif_memory fits = w->known.mem;
    int lo = 2, hi = most;   /* hi fits (most: every layer) */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        replay_first(w, s, shape, mid);
        if (w->known.mem.total_bytes <= w->known.mem.hbm_bytes) {
            hi = mid;
            fits = w->known.mem;
        } else {
            lo = mid + 1;
        }
    }
    int n = hi >= most ? 0 : hi;
    replay_classes(w, shape, n);
    w->known.mem = fits;
    return n;
}

/* One (vpp, mbs, recompute, optimizer) layout of the block: memory, then every overlap switch. */
static void layout(search *w, aif_scenario *s, const aif_graph *shape_base, int i_mbs)
{
    const aif_best_space *sp = &w->o->space;
    const aif_parallel *p = &s->train.par;
    aif_graph shape = *shape_base;   /* of this (pp, vpp), its stage classes with it */
    shape.microbatches = s->train.gbs / (s->train.mbs * p->dp);
    int rcl = 0;                     /* a full recompute's layers per chunk (0: every layer) */
    if (s->train.recompute == AIF_RC_FULL)
        rcl = replayed_layers(w, s, &shape);
    else
        aif_memory_estimate(s, &shape, &w->known.mem);
    const aif_memory mem = w->known.mem;
    int tpos[2], dpos[2], epos[2];
    /* an overlap the software stack cannot perform is never tried (a named stack: s->framework) */
    const aif_framework *fw = &s->framework;
    int named = fw->name[0] != '\0';
    int n_tpo = choices(named && !fw->tp_overlap ? 0 : sp->tp_overlap >= 0 ? sp->tp_overlap : p->tp > 1 ? -1 : 0, 0, 1,
                        tpos);
    /* a bucket given (train.dp_bucket) is the overlapped reduction's: the overlap stays on */
    int n_dpo = choices(named && !fw->dp_overlap ? 0 : s->train.dp_bucket > 0 ? 1 : sp->dp_overlap, 0, 1, dpos);
    int n_epo = choices(named && !fw->ep_overlap ? 0 : sp->ep_overlap >= 0 ? sp->ep_overlap : w->moe && p->ep > 1 ? -1 : 0, 0, 1,
                        epos);
    w->out->candidates += n_tpo * n_dpo * n_epo;
    if (mem.total_bytes > mem.hbm_bytes) {
        if (mem.total_bytes < w->out->min_need_bytes || w->out->min_need_bytes == 0)
            w->out->min_need_bytes = mem.total_bytes;
        return;
    }
    w->out->fitting += n_tpo * n_dpo * n_epo;
    int opt = s->train.optimizer;
    step_entry *se = &w->step[opt];
    if (!se->done && (w->rc = fill_step(w, s, se)))
        return;
    for (int a = 0; a < n_tpo; a++)
        for (int e = 0; e < n_epo; e++) {
            s->train.tp_overlap = tpos[a];
            s->train.ep_overlap = epos[e];
            layer_entry *le = layer_at(w, i_mbs, s->train.recompute, s, tpos[a], epos[e]);
            /* a full recompute is lowered with every layer's backward of both kinds, the
             * replaying one and the one that kept its activations (a count at least any
             * chunk's: the kept ones' segments there, every layer replayed), whatever the
             * count the stage classes below take */
            s->train.recompute_layers = s->train.recompute == AIF_RC_FULL ? shape.layers : 0;
            if (le->block != w->block && (w->rc = fill_layer(w, s, le)))
                return;
            s->train.recompute_layers = rcl;
            aif_seg_time st[AIF_N_SEG];
            memcpy(st, le->st, sizeof le->st);
            memcpy(st + AIF_SEG_STEP_RS, se->st, sizeof se->st);
            aif_graph view = se->g;   /* its STEP ops and bucket count; the shape of this layout */
            view.microbatches = shape.microbatches;
            view.recompute_layers = shape.recompute_layers;
            memcpy(view.stage_class, shape.stage_class, sizeof view.stage_class);
            view.n_stage_classes = shape.n_stage_classes;
            view.recompute_flops_per_microbatch = le->recompute_flops * aif_graph_replayed_share(&shape);
            aif_estimate_pipe pipe;   /* the same for either data-parallel overlap */
            aif_estimate_pipe_of(s, &view, st, &pipe);
            for (int d = 0; d < n_dpo; d++) {
                s->train.dp_overlap = dpos[d];
                aif_best_result r;
                memset(&r, 0, sizeof r);
                aif_estimate_times_pipe(s, &view, st, &w->known, &pipe, &r.train);
                r.par = *p;
                r.mbs = s->train.mbs;
                r.recompute = s->train.recompute;
                r.recompute_layers = rcl;
                r.optimizer = opt;
                r.tp_overlap = tpos[a];
                r.dp_overlap = dpos[d];
                r.ep_overlap = epos[e];
                site_figures(&w->o->site, &r);
                r.objective = objective_of(&r, w->o->objective);
                keep(w, &r);
            }
        }
}

/* One (tp, cp, pp, dp_shard, ep, etp) block: its caches live and die with it. */
static void block(search *w, aif_scenario *s)
{
    const aif_best_space *sp = &w->o->space;
    const aif_model *m = &s->model;
    aif_parallel *p = &s->train.par;
    int gbs = s->train.gbs;
    /* the layout checks of aif_scenario_check that involve only the block's degrees */
    if (!w->moe ? p->etp != 1 : m->moe.expert_ffn % p->etp != 0)
        return;
    long long stage = (long long)p->tp * p->cp * p->dp;
    if (p->etp > stage || stage % ((long long)p->etp * p->ep))
        return;
    /* hybrid sharding: the expert layers shard over the expert ranks of a shard group */
    if (p->dp_shard > 0 && w->moe && ((long long)p->tp * p->cp * p->dp_shard) % ((long long)p->etp * p->ep))
        return;
    if (aif_cp_comm_conflict(s))   /* context parallelism as resolved cannot run (aif_scenario_check) */
        return;
    int offload = s->train.offload == AIF_OFFLOAD_ACTIVATIONS;
    if (offload && p->pp > 1)   /* activation offload runs with pp 1, and no recompute but a stack's
                                   offloaded checkpoints of full recompute (aif_scenario_check) */
        return;
    aif_graph shape;
    memset(&shape, 0, sizeof shape);
    aif_graph_shape(s, &shape);
    shape.recompute_layers = 0;   /* every layer replays, or none; layout() sets a full recompute's count */
    w->n_mbs = divisors(gbs / p->dp, 1, 1000000, sp->mbs, w->mbs);
    size_t need = (size_t)w->n_mbs * 3 * N_SHARD_KEYS * 2 * 2;
    if ((int)need > w->layer_cap) {
        layer_entry *grown = realloc(w->layer, need * sizeof *grown);
        if (!grown) {
            w->rc = aif_err_set(w->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory for the layout search");
            return;
        }
        memset(grown, 0, need * sizeof *grown);   /* block 0: no block's */
        w->layer = grown;
        w->layer_cap = (int)need;
    }
    if (++w->block == 0) {   /* wrapped: every entry told apart again */
        memset(w->layer, 0, (size_t)w->layer_cap * sizeof *w->layer);
        w->block = 1;
    }
    int vpp_hi = p->pp > 1 ? m->layers / p->pp : 1;
    if (vpp_hi > 4096 / p->pp)
        vpp_hi = 4096 / p->pp;
    int rcs[3], opts[N_OPT];
    int n_rc = choices(sp->recompute, AIF_RC_NONE, AIF_RC_FULL, rcs);
    /* a gradient type given (train.grad_dtype) is the distributed optimizer's buffer: the
     * sharded optimizers, which keep their own, are not searched; nor, with a bucket given
     * (train.dp_bucket), those that reduce layer by layer, nor zero2 and zero3 under LoRA,
     * whose frozen weights sharded layer by layer are not modelled (aif_scenario_check) */
    int n_opt = choices(sp->optimizer, AIF_OPT_NONE,
                        s->train.grad_dtype != AIF_GRAD_AUTO                   ? AIF_OPT_DISTRIBUTED
                        : s->train.lora.rank > 0 || s->train.dp_bucket > 0 ? AIF_OPT_ZERO1
                                                                               : AIF_OPT_ZERO3,
                        opts);
    for (int vpp = sp->vpp > 0 ? sp->vpp : 1; vpp <= (sp->vpp > 0 ? sp->vpp : vpp_hi) && !w->rc; vpp++) {
        if (vpp > 1 && p->pp == 1)
            break;
        if ((long long)p->pp * vpp > m->layers)
            break;
        p->vpp = vpp;
        /* the stage classes, once per (pp, vpp) (the lowered views have them too) */
        shape.vpp = vpp;
        aif_graph_stage_classes(&shape);
        memcpy(w->cls[0], shape.stage_class, sizeof w->cls[0]);
        w->n_cls[0] = shape.n_stage_classes;
        {
            aif_graph one = shape;
            one.recompute_layers = 1;
            aif_graph_stage_classes(&one);
            memcpy(w->cls[1], one.stage_class, sizeof w->cls[1]);
            w->n_cls[1] = one.n_stage_classes;
        }
        for (int i = 0; i < w->n_mbs && !w->rc; i++) {
            s->train.mbs = w->mbs[i];
            int mb = gbs / (w->mbs[i] * p->dp);
            if (vpp > 1 && mb % p->pp)
                continue;
            for (int r = 0; r < n_rc && !w->rc; r++) {
                if (offload && rcs[r] != AIF_RC_NONE &&
                    !(rcs[r] == AIF_RC_FULL && s->framework.offload_recompute))
                    continue;
                s->train.recompute = rcs[r];
                for (int k = 0; k < n_opt && !w->rc; k++) {
                    /* hybrid sharding shards gradients and optimizer state: zero2, zero3 and fsdp,
                     * and not a stack's per-tensor ZeRO-3 without pipelining (aif_scenario_check) */
                    if (p->dp_shard > 0 &&
                        (opts[k] < AIF_OPT_ZERO2 ||
                         (opts[k] != AIF_OPT_ZERO2 && p->pp == 1 && s->framework.fsdp_per_tensor)))
                        continue;
                    s->train.optimizer = opts[k];
                    layout(w, s, &shape, i);
                }
            }
        }
        free_steps(w);
    }
    free_steps(w);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static double part_s(const aif_breakdown *b, int part)
{
    switch (part) {
    case AIF_PART_COMPUTE: return b->compute_s - b->recompute_s;
    case AIF_PART_TP: return b->tp_comm_s;
    case AIF_PART_CP: return b->cp_comm_s;
    case AIF_PART_EP: return b->ep_comm_s;
    case AIF_PART_PP: return b->pp_comm_s;
    case AIF_PART_BUBBLE: return b->pp_bubble_s;
    case AIF_PART_DP: return b->dp_comm_s;
    case AIF_PART_OPTIMIZER: return b->optimizer_s;
    default: return b->recompute_s;
    }
}

void aif_best_explain(aif_best *b)
{
    b->why_part = -1;
    b->why_delta_s = 0;
    if (b->n_results < 1 || !b->has_runner_up)
        return;
    const aif_breakdown *b0 = &b->results[0].train.bd, *b1 = &b->runner_up.train.bd;
    double most = -1;
    for (int i = 0; i < AIF_N_PART; i++) {
        double d = part_s(b1, i) - part_s(b0, i);
        if (fabs(d) > most) {
            most = fabs(d);
            b->why_part = i;
            b->why_delta_s = d;
        }
    }
}

aif_rc aif_search_best(const aif_scenario *s0, const aif_best_opts *o, aif_best *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    out->objective = o->objective;
    out->why_part = -1;
    if (o->top < 1 || o->top > AIF_BEST_MAX_TOP)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "top", "top %d: expected 1 to %d results", o->top,
                           AIF_BEST_MAX_TOP);
    if (!aif_objective_name(o->objective))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "objective", "objective %d: expected time, cost or energy",
                           o->objective);
    double t0 = now_s();
    aif_scenario *s = malloc(sizeof *s);
    search w = {.base = s0, .o = o, .out = out, .err = err};
    w.layer_cap = 16 * 3 * N_SHARD_KEYS * 2 * 2;
    w.layer = calloc((size_t)w.layer_cap, sizeof *w.layer);   /* block 0: no block's */
    if (!s || !w.layer) {
        free(s);
        free(w.layer);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory for the layout search");
    }
    *s = *s0;
    s->train.auto_fields = 0;
    s->train.recompute_layers = 0;   /* each layout's own (layout()) */
    const aif_best_space *sp = &o->space;
    const aif_model *m = &s->model;
    aif_parallel *p = &s->train.par;
    w.gpus = aif_alloc_gpus(s);
    w.moe = m->moe.experts > 0;
    w.known.fwd_flops_per_seq = aif_model_fwd_flops_per_seq(m, s->train.seq);
    aif_model_param_counts(m, &w.known.params, &w.known.active_params);
    out->hbm_bytes = s->cluster.gpu.hbm_bytes;
    /* the checks that do not depend on the layout (precision, allocation, scale-up
     * domain): a layout of no parallelism and a batch it divides fails only those */
    int gbs = s->train.gbs;
    s->train.par = (aif_parallel){1, 1, 1, 1, 1, 1, w.gpus, false, 0};
    s->train.mbs = 1;
    s->train.gbs = w.gpus;
    aif_rc rc = aif_scenario_check(s, err);
    s->train.gbs = gbs;
    if (rc) {
        free(w.layer);
        free(s);
        return rc;
    }
    int tps[MAX_VALUES], cps[MAX_VALUES], pps[MAX_VALUES], eps[MAX_VALUES], etps[MAX_VALUES], dpss[MAX_VALUES + 1];
    /* a sharded optimizer (zero2, zero3, fsdp) among those searched: hybrid sharding is tried */
    bool shardable = sp->optimizer >= 0 ? sp->optimizer >= AIF_OPT_ZERO2
                                        : s->train.grad_dtype == AIF_GRAD_AUTO && s->train.lora.rank == 0 &&
                                              s->train.dp_bucket == 0;
    int n_tp = divisors(w.gpus, 1, m->heads, sp->tp, tps);
    w.rc = AIF_OK;
    for (int a = 0; a < n_tp && !w.rc; a++) {
        int tp = tps[a];
        if (m->heads % tp || (m->kv_heads % tp && tp % m->kv_heads) || m->ffn % tp)
            continue;
        int n_cp = divisors(w.gpus / tp, 1, s->train.seq, sp->cp, cps);
        for (int c = 0; c < n_cp && !w.rc; c++) {
            int cp = cps[c];
            if (cp > 1 && s->train.seq % (2 * cp))
                continue;
            int n_pp = divisors(w.gpus / (tp * cp), 1, m->layers, sp->pp, pps);
            for (int q = 0; q < n_pp && !w.rc; q++) {
                int pp = pps[q], dp = w.gpus / (tp * cp * pp);
                if (s->train.gbs % dp)
                    continue;
                int n_ep = w.moe ? divisors(m->moe.experts, 1, m->moe.experts, sp->ep, eps)
                                 : divisors(1, 1, 1, sp->ep, eps);
                int n_etp = w.moe ? divisors(m->moe.expert_ffn, 1, tp * cp * dp, sp->etp, etps)
                                  : divisors(1, 1, 1, sp->etp, etps);
                /* the ranks a sharded state spans (train.dp_shard): all of dp (0), or hybrid
                 * sharding over each divisor of dp from 2 below dp, replicated across the rest
                 * (a shard of one rank is plain replication, the unsharded optimizers' job);
                 * only where a sharded optimizer is searched */
                int n_dps = 1;
                dpss[0] = 0;
                if (sp->dp_shard > 0) {
                    dpss[0] = sp->dp_shard < dp ? sp->dp_shard : 0;
                    if (dpss[0] > 0 && dp % dpss[0])
                        continue;
                } else if (sp->dp_shard < 0 && shardable) {
                    n_dps += divisors(dp, 2, dp - 1, 0, dpss + 1);
                }
                for (int d = 0; d < n_dps && !w.rc; d++)
                    for (int e = 0; e < n_ep && !w.rc; e++)
                        for (int f = 0; f < n_etp && !w.rc; f++) {
                            *p = (aif_parallel){.tp = tp, .pp = pp, .vpp = 1, .cp = cp, .ep = eps[e],
                                                .etp = etps[f], .dp = dp,
                                                .sp = sp->sp ? sp->sp == 2 : sp->tp > 0 ? s0->train.par.sp : tp > 1,
                                                .dp_shard = dpss[d]};
                            block(&w, s);
                        }
            }
        }
    }
    free(w.layer);
    free(s);
    if (w.rc)
        return w.rc;
    aif_best_explain(out);
    out->wall_s = now_s() - t0;
    out->evaluated_per_s = out->wall_s > 0 ? out->candidates / out->wall_s : 0;
    return AIF_OK;
}
