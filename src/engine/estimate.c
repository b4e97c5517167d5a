/* estimate.c -- the analytical engine: walks the step graph once.
 *
 * Segment time: two streams (graph.h); compute that runs beside a communication
 * kernel takes (1 + overlap_slowdown) as long for the overlapped part (Lee et al. 2025).  Rank time per microbatch:
 *   T_r = sum over segments of count_r(seg) * t(seg), forward and backward.
 * Pipeline (1F1B, Narayanan et al. SC'21 sec. 2.2; interleaved with v chunks):
 *   t_pipe = m * max_r T_r + (pp - 1) / v * mean_r T_r
 * which is (m + (pp-1)/v) * T for balanced stages, and charges imbalance to the
 * bubble.  End of step: gradient reduction exposed beyond one microbatch's
 * backward on the busiest rank, optimizer, parameter all-gather exposed beyond
 * one microbatch's forward (dp_overlap), or all of them (no overlap). */
#include "engine/estimate.h"
#include "base/base.h"
#include "hw/compute.h"
#include "net/collective.h"
#include "workload/memory.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Compute slowed by communication kernels running beside it (data/calibration.yaml). */
static double interference(const aif_scenario *s, double overlapped_s)
{
    return s->cluster.gpu.calib.overlap_slowdown * overlapped_s;
}

static double op_time(const aif_scenario *s, const aif_graph *g, const aif_op *op)
{
    if (op->kind == AIF_OP_COMM)
        return aif_coll_time(&s->cluster, (aif_coll)op->coll, g->groups[op->group], op->bytes);
    return aif_compute_time(&s->cluster.gpu, op, s->cluster.clock_factor > 0 ? s->cluster.clock_factor : 1.0);
}

void aif_segment_time(const aif_scenario *s, const aif_graph *g, aif_seg seg, aif_seg_time *out)
{
    memset(out, 0, sizeof *out);
    double t = 0;          /* compute stream clock */
    double tn = 0;         /* comm stream clock (AIF_OVL_SEGMENT) */
    double pend = 0;       /* AIF_OVL_NEXT comm waiting for its compute op */
    int pend_cat = 0;
    int first = g->seg[seg].first, n = g->seg[seg].n;
    for (int i = first; i < first + n; i++) {
        const aif_op *op = &g->ops[i];
        double d = op_time(s, g, op);
        if (op->kind == AIF_OP_COMM) {
            if (op->overlap == AIF_OVL_SEGMENT) {
                double start = tn > t ? tn : t;
                tn = start + d;
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
        if (op->kind == AIF_OP_MEM)
            out->membound_s += d;
    }
    if (pend > 0) {
        t += pend;
        out->cat_s[pend_cat] += pend;
    }
    if (tn > 0) {
        double slow = interference(s, tn < t ? tn : t);
        out->cat_s[AIF_CAT_DP] += slow;
        t += slow;
    }
    if (tn > t) {
        out->cat_s[AIF_CAT_DP] += tn - t;
        t = tn;
    }
    out->total_s = t;
}

void aif_estimate_graph(const aif_scenario *s, const aif_graph *g, aif_train_result *r)
{
    const aif_train *tr = &s->train;
    const aif_parallel *p = &tr->par;
    aif_seg_time st[AIF_N_SEG];
    for (int i = 0; i < AIF_N_SEG; i++)
        aif_segment_time(s, g, (aif_seg)i, &st[i]);

    double worst = -1, sum = 0, worst_f = 0, worst_b = 0;
    double cat[AIF_N_CAT] = {0}, membound = 0;
    for (int rk = 0; rk < p->pp; rk++) {
        aif_stage sg;
        aif_graph_stage(g, rk, &sg);
        double f = sg.dense_layers * st[AIF_SEG_DENSE_FWD].total_s + sg.moe_layers * st[AIF_SEG_MOE_FWD].total_s +
                   sg.embed * st[AIF_SEG_EMBED_FWD].total_s + sg.head * st[AIF_SEG_HEAD_FWD].total_s +
                   sg.p2p * st[AIF_SEG_P2P].total_s;
        double b = sg.dense_layers * st[AIF_SEG_DENSE_BWD].total_s + sg.moe_layers * st[AIF_SEG_MOE_BWD].total_s +
                   sg.embed * st[AIF_SEG_EMBED_BWD].total_s + sg.head * st[AIF_SEG_HEAD_BWD].total_s +
                   sg.p2p * st[AIF_SEG_P2P].total_s;
        sum += f + b;
        if (f + b > worst) {
            worst = f + b;
            worst_f = f;
            worst_b = b;
            for (int c = 0; c < AIF_N_CAT; c++)
                cat[c] = sg.dense_layers * (st[AIF_SEG_DENSE_FWD].cat_s[c] + st[AIF_SEG_DENSE_BWD].cat_s[c]) +
                         sg.moe_layers * (st[AIF_SEG_MOE_FWD].cat_s[c] + st[AIF_SEG_MOE_BWD].cat_s[c]) +
                         sg.embed * (st[AIF_SEG_EMBED_FWD].cat_s[c] + st[AIF_SEG_EMBED_BWD].cat_s[c]) +
                         sg.head * (st[AIF_SEG_HEAD_FWD].cat_s[c] + st[AIF_SEG_HEAD_BWD].cat_s[c]) +
                         2 * sg.p2p * st[AIF_SEG_P2P].cat_s[c];
            membound = sg.dense_layers * (st[AIF_SEG_DENSE_FWD].membound_s + st[AIF_SEG_DENSE_BWD].membound_s) +
                       sg.moe_layers * (st[AIF_SEG_MOE_FWD].membound_s + st[AIF_SEG_MOE_BWD].membound_s) +
                       sg.embed * (st[AIF_SEG_EMBED_FWD].membound_s + st[AIF_SEG_EMBED_BWD].membound_s) +
                       sg.head * (st[AIF_SEG_HEAD_FWD].membound_s + st[AIF_SEG_HEAD_BWD].membound_s);
        }
    }
    double m = g->microbatches;
    double pipe = m * worst + (p->pp > 1 ? (p->pp - 1) / (double)p->vpp * sum / p->pp : 0);

    double rs = st[AIF_SEG_STEP_RS].total_s, ag = st[AIF_SEG_STEP_AG].total_s, opt = st[AIF_SEG_STEP_OPT].total_s;
    double dp_exposed;
    if (tr->dp_overlap)
        dp_exposed = (rs > worst_b ? rs - worst_b : 0) + (ag > worst_f ? ag - worst_f : 0) +
                     interference(s, rs < worst_b ? rs : worst_b) + interference(s, ag < worst_f ? ag : worst_f);
    else
        dp_exposed = rs + ag;

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
    bd->dp_comm_s = dp_exposed + m * cat[AIF_CAT_DP];
    bd->optimizer_s = opt;
    r->step_time_s = pipe + dp_exposed + opt;
    r->microbatches = g->microbatches;
    aif_result_derive(s, g, r);
}

bool aif_breakdown_check(const aif_train_result *r)
{
    const aif_breakdown *b = &r->bd;
    const double parts[] = {b->compute_s, b->tp_comm_s, b->cp_comm_s, b->ep_comm_s, b->pp_comm_s,
                            b->pp_bubble_s, b->dp_comm_s, b->optimizer_s};
    double sum = 0, tol = AIF_BREAKDOWN_TOL * r->step_time_s;
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!(parts[i] >= -tol))
            return false;
        sum += parts[i];
    }
    return r->step_time_s > 0 && b->recompute_s >= 0 && b->recompute_s <= b->compute_s + tol &&
           b->membound_s >= 0 && b->membound_s <= b->compute_s + tol && fabs(sum - r->step_time_s) <= tol;
}

void aif_result_derive(const aif_scenario *s, const aif_graph *g, aif_train_result *r)
{
    AIF_ASSERT(aif_breakdown_check(r));
    const aif_train *tr = &s->train;
    double gpus = s->cluster.gpus;
    r->tokens_per_step = (double)tr->gbs * tr->seq;
    r->tokens_per_s = r->tokens_per_step / r->step_time_s;
    r->tokens_per_s_per_gpu = r->tokens_per_s / gpus;
    double seqs = (double)tr->gbs;
    double fwd = aif_model_fwd_flops_per_seq(&s->model, tr->seq) * seqs;
    r->model_flops_per_step = 3 * fwd;
    r->hw_flops_per_step = r->model_flops_per_step + g->recompute_flops_per_microbatch / tr->mbs * seqs;
    r->model_tflops_per_gpu = r->model_flops_per_step / r->step_time_s / gpus / 1e12;
    r->hw_tflops_per_gpu = r->hw_flops_per_step / r->step_time_s / gpus / 1e12;
    double peak = s->cluster.gpu.peak_flops[tr->precision];
    r->mfu = r->model_tflops_per_gpu * 1e12 / peak;
    r->hfu = r->hw_tflops_per_gpu * 1e12 / peak;
    aif_memory_estimate(s, g, &r->mem);
    r->fits_in_memory = r->mem.total_bytes <= r->mem.hbm_bytes;
    r->params = aif_model_params(&s->model);
    r->active_params = aif_model_active_params(&s->model);
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
    aif_graph g;
    if ((rc = aif_graph_lower(s, &g, err)))
        return rc;
    aif_estimate_graph(s, &g, r);
    return AIF_OK;
}

/* One remedy for a job that does not fit; returns 0 when it does not apply. */
static int remedy(aif_scenario *t, int kind)
{
    aif_parallel *p = &t->train.par;
    switch (kind) {
    case 0: if (t->train.recompute == AIF_RC_FULL) return 0; t->train.recompute = AIF_RC_FULL; return 1;
    case 1: if (t->train.optimizer != AIF_OPT_NONE) return 0; t->train.optimizer = AIF_OPT_DISTRIBUTED; return 1;
    case 2: if (p->dp % 2) return 0; p->tp *= 2; p->dp /= 2; p->sp = true; return 1;
    case 3: if (p->dp % 2) return 0; p->pp *= 2; p->dp /= 2; return 1;
    case 4: if (t->train.mbs == 1) return 0; t->train.mbs = 1; return 1;
    case 5: if (p->pp > 1 || t->train.optimizer >= AIF_OPT_ZERO3) return 0; t->train.optimizer = AIF_OPT_ZERO3; return 1;
    }
    return 0;
}

static const char *const remedy_names[] = {"recompute full", "optimizer distributed", "tp x2", "pp x2", "mbs 1",
                                           "optimizer zero3"};
enum { N_REMEDIES = 6 };

/* Tries the usual remedies, one at a time and then in pairs, and names those
 * that make the job fit, with the step time each would give. */
void aif_memory_advice(const aif_scenario *s, const aif_train_result *r, char *buf, size_t n)
{
    buf[0] = '\0';
    if (r->fits_in_memory)
        return;
    size_t k = (size_t)snprintf(buf, n, "needs %.1f GiB of %.1f GiB HBM (over by %.1f GiB).",
                                r->mem.total_bytes / 1073741824.0, r->mem.hbm_bytes / 1073741824.0,
                                (r->mem.total_bytes - r->mem.hbm_bytes) / 1073741824.0);
    typedef struct fit { int a, b; double step_s, mem_bytes; } fit;
    fit fits[N_REMEDIES * N_REMEDIES];
    int n_fits = 0;
    for (int pass = 1; pass <= 2 && n_fits == 0; pass++)
        for (int a = 0; a < N_REMEDIES; a++)
            for (int b = pass == 1 ? a : a + 1; b < (pass == 1 ? a + 1 : N_REMEDIES); b++) {
                aif_scenario t = *s;
                if (!remedy(&t, a) || (pass == 2 && !remedy(&t, b)))
                    continue;
                aif_err e;
                aif_train_result tr;
                if (aif_estimate(&t, &tr, &e) != AIF_OK || !tr.fits_in_memory)
                    continue;
                fits[n_fits].a = a;
                fits[n_fits].b = pass == 2 ? b : -1;
                fits[n_fits].step_s = tr.step_time_s;
                fits[n_fits].mem_bytes = tr.mem.total_bytes;
                n_fits++;
            }
    /* the three fastest, fastest first (insertion sort: a handful of entries) */
    for (int i = 1; i < n_fits; i++)
        for (int j = i; j > 0 && fits[j].step_s < fits[j - 1].step_s; j--) {
            fit tmp = fits[j];
            fits[j] = fits[j - 1];
            fits[j - 1] = tmp;
        }
    int found = n_fits > 0;
    for (int i = 0; i < n_fits && i < 3 && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s %s%s%s fits (%.1f GiB, step %.2f s)", i ? ";" : " Would fit:",
                              remedy_names[fits[i].a], fits[i].b >= 0 ? " + " : "",
                              fits[i].b >= 0 ? remedy_names[fits[i].b] : "", fits[i].mem_bytes / 1073741824.0,
                              fits[i].step_s);
    if (!found && k < n)
        snprintf(buf + k, n - k, " No change of recompute, optimizer sharding, tp, pp or mbs, alone or in pairs, "
                 "makes it fit; use more GPUs or GPUs with more memory.");
}
