/* plan_serve.c -- the serving capacity plan (include/aifsim/serve.h, aif_plan_serve):
 * for every candidate shape (GPU kind x tp x weight precision x ep x prefill:decode
 * split) the fewest replicas (or units of split_p + split_d replicas)
 * whose simulated p99 latencies meet serve.slo at serve.qps, each deployment run
 * through aif_run_serve (the same simulator, power and money as `aifsim infer`).
 *
 * Invariants: a candidate is either not valid (the shape does not run: weights over
 * HBM, a tp the heads do not divide; why says so), or meets at the fewest replicas
 * found by doubling then bisecting, or does not meet within max_gpus (why gives the
 * p99s reached); the ranking is a total order, so the plan is deterministic. */
#include "aifsim/names.h"
#include "aifsim/serve.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool meets(const aif_slo *slo, const aif_serve_result *r)
{
    return (slo->ttft_s <= 0 || r->ttft.p99_s <= slo->ttft_s) && (slo->tpot_s <= 0 || r->tpot.p99_s <= slo->tpot_s) &&
           (slo->e2e_s <= 0 || r->e2e.p99_s <= slo->e2e_s);
}

/* A shape: the replica's parallelism and precision, and the pools' ratio. */
typedef struct shape {
    int tp, prec, ep, p, d;       /* ep 0: the scenario's; p = d = 0: colocated */
} shape;

/* Replicas in `units` of a shape: the units themselves, or units x (p + d) when split. */
static int replicas_of(const shape *sh, int units) { return sh->p ? units * (sh->p + sh->d) : units; }

/* Runs the base with this shape on `units` units (its own cluster of that size). */
static aif_rc run_at(const aif_catalog *c, const aif_scenario *base, aif_scenario *work, const shape *sh,
                     int units, aif_serve_run *run, aif_err *err)
{
    *work = *base;
    work->serve.tp = sh->tp;
    if (work->serve.dp_attention)   /* the experts spread over the shape's every GPU, as serve.c requires */
        work->serve.ep = sh->tp;
    else if (sh->ep > 0)
        work->serve.ep = sh->ep;
    work->serve.precision = sh->prec;
    work->serve.replicas = replicas_of(sh, units);
    work->serve.disagg.prefill = sh->p ? units * sh->p : 0;
    work->serve.disagg.decode = sh->p ? units * sh->d : 0;
    int pp = work->serve.pp > 0 ? work->serve.pp : 1;
    work->cluster.gpus = work->serve.replicas * sh->tp * pp;
    aif_err_clear(err);
    return aif_run_serve(c, work, NULL, run, err);
}

static void keep_figures(aif_plan_candidate *k, const aif_serve_run *run)
{
    const aif_serve_result *r = &run->serve;
    k->replicas = r->replicas;
    k->gpus = r->gpus;
    k->ttft_p99_s = r->ttft.p99_s;
    k->tpot_p99_s = r->tpot.p99_s;
    k->e2e_p99_s = r->e2e.p99_s;
    k->slo_goodput = r->slo_goodput;
    k->throughput_tokens_per_s = r->throughput_tokens_per_s;
    k->usd_per_million_tokens = r->usd_per_million_tokens;
    k->usd_per_million_tokens_rented = r->usd_per_million_tokens_rented;
    k->joules_per_token = r->joules_per_token;
    k->price_known = r->price_known && r->power_known;
    k->power_known = r->power_known;
    k->cloud_price_known = r->cloud_price_known;
}

/* Whether doubling from a to b improved a missed target's p99 by 1% or more: a shape
 * whose p99s have stopped falling (the latency of one request alone above its target)
 * is given up rather than doubled to max_gpus. */
static bool improved(const aif_slo *slo, const aif_plan_candidate *a, const aif_plan_candidate *b)
{
    return (slo->ttft_s > 0 && a->ttft_p99_s > slo->ttft_s && b->ttft_p99_s < 0.99 * a->ttft_p99_s) ||
           (slo->tpot_s > 0 && a->tpot_p99_s > slo->tpot_s && b->tpot_p99_s < 0.99 * a->tpot_p99_s) ||
           (slo->e2e_s > 0 && a->e2e_p99_s > slo->e2e_s && b->e2e_p99_s < 0.99 * a->e2e_p99_s);
}

/* Whether the shape can run on the base's model and GPU at all, by the serve section's
 * own rules (src/scenario/serve.c: the checks a scenario gets at load, which a shape set
 * here would otherwise skip); 0, or 1 with why filled. */
static int shape_invalid(const aif_scenario *b, const shape *sh, char *why, size_t n)
{
    const aif_model *m = &b->model;
    int ep = b->serve.dp_attention ? sh->tp : sh->ep > 0 ? sh->ep : b->serve.ep;
    int kvh = m->kv_heads > 0 ? m->kv_heads : m->heads, slots = m->moe.experts + b->serve.redundant_experts;
    if (b->cluster.gpu.peak_flops[sh->prec] <= 0)
        snprintf(why, n, "serve.precision: %s has no %s tensor cores", b->cluster.gpu.name,
                 aif_prec_name((aif_prec)sh->prec));
    else if (b->serve.weight_precision >= 0 && b->serve.weight_precision < sh->prec)
        snprintf(why, n, "serve.weight_precision: %s weights are wider than %s GEMMs",
                 aif_prec_name((aif_prec)b->serve.weight_precision), aif_prec_name((aif_prec)sh->prec));
    else if (b->serve.expert_precision < 0 && b->serve.expert_weight_precision >= 0 &&
             b->serve.expert_weight_precision < sh->prec)
        snprintf(why, n, "serve.expert_weight_precision: %s expert weights are wider than %s GEMMs",
                 aif_prec_name((aif_prec)b->serve.expert_weight_precision), aif_prec_name((aif_prec)sh->prec));
    else if (!b->serve.dp_attention && m->heads % sh->tp)
        snprintf(why, n, "serve.tp: tp %d does not divide the %d attention heads of %s", sh->tp, m->heads, m->name);
    else if (!b->serve.dp_attention && m->attention != AIF_ATTN_MLA && (kvh >= sh->tp ? kvh % sh->tp : sh->tp % kvh))
        snprintf(why, n, "serve.tp: tp %d and the %d key/value heads of %s: one must divide the other", sh->tp, kvh,
                 m->name);
    else if (ep > 1 && !m->moe.experts)
        snprintf(why, n, "serve.ep: ep %d needs a mixture-of-experts model; %s is dense", ep, m->name);
    else if (sh->tp % ep)
        snprintf(why, n, "serve.ep: ep %d does not divide tp %d", ep, sh->tp);
    else if (m->moe.experts && slots % ep)
        snprintf(why, n, "serve.ep: ep %d does not divide the %d expert slots of %s", ep, slots, m->name);
    else
        return 0;
    return 1;
}

/* One shape: doubling until the targets are met (or max_gpus, or the p99s stop
 * falling), then bisecting. */
static aif_rc plan_shape(const aif_catalog *c, const aif_scenario *base, aif_scenario *work, const shape *sh,
                         int max_gpus, aif_serve_run *run, aif_plan_candidate *k, aif_err *err)
{
    const aif_slo *slo = &base->serve.slo;
    int pp = base->serve.pp > 0 ? base->serve.pp : 1;
    int unit = replicas_of(sh, 1) * sh->tp * pp;   /* GPUs of one unit */
    int lo = 0, hi = 0;   /* lo: most units known to miss; hi: fewest known to meet (0: none yet) */
    if (shape_invalid(base, sh, k->why, sizeof k->why))
        return AIF_OK;
    for (int r = 1; r * unit <= max_gpus; r *= 2) {
        aif_rc rc = run_at(c, base, work, sh, r, run, err);
        k->sims++;
        if (rc == AIF_EINPUT && r == 1) {   /* the shape itself does not run */
            aif_err_format(err, k->why, sizeof k->why);
            return AIF_OK;
        }
        if (rc == AIF_EINPUT) {   /* runs at fewer units but not at r (a torus of whole domains): missed there */
            char why[sizeof k->why - 40];
            aif_err_format(err, why, sizeof why);
            snprintf(k->why, sizeof k->why, "at %d units: %s", r, why);
            return AIF_OK;
        }
        if (rc)
            return rc;
        bool before = k->valid;
        aif_plan_candidate prev = *k;
        k->valid = true;
        keep_figures(k, run);
        if (meets(slo, &run->serve)) {
            hi = r;
            break;
        }
        lo = r;
        if (r > (max_gpus / unit) / 2)
            break;
        if (before && !improved(slo, &prev, k)) {   /* saturated: more units no longer help */
            snprintf(k->why, sizeof k->why, "p99 TTFT %.3g s, TPOT %.3g s at %d replica%s (%d GPU%s); doubling "
                     "improved no missed target's p99 by 1%%", k->ttft_p99_s, k->tpot_p99_s, k->replicas,
                     k->replicas == 1 ? "" : "s", k->gpus, k->gpus == 1 ? "" : "s");
            return AIF_OK;
        }
    }
    if (!k->valid)   /* not even one unit fits under max_gpus */
        snprintf(k->why, sizeof k->why, "one %s needs %d GPUs, more than the %d allowed",
                 sh->p ? "prefill:decode unit" : "replica", unit, max_gpus);
    if (!hi) {
        if (k->valid)
            snprintf(k->why, sizeof k->why, "p99 TTFT %.3g s, TPOT %.3g s at %d replica%s (%d GPU%s, the most tried)",
                     k->ttft_p99_s, k->tpot_p99_s, k->replicas, k->replicas == 1 ? "" : "s", k->gpus,
                     k->gpus == 1 ? "" : "s");
        return AIF_OK;
    }
    aif_plan_candidate at_hi = *k;
    while (hi - lo > 1) {
        int mid = lo + (hi - lo) / 2;
        aif_rc rc = run_at(c, base, work, sh, mid, run, err);
        k->sims++;
        if (rc == AIF_EINPUT) {   /* a size the cluster cannot be built at (a torus of whole domains): not it */
            lo = mid;
            continue;
        }
        if (rc)
            return rc;
        if (meets(slo, &run->serve)) {
            hi = mid;
            keep_figures(&at_hi, run);
        } else {
            lo = mid;
        }
    }
    at_hi.sims = k->sims;
    *k = at_hi;
    k->meets = true;
    return AIF_OK;
}

/* The shapes tried on one GPU kind: o's tp, precision, ep and split lists, else tp in
 * powers of two up to a node's GPUs, the scenario's precision and ep, colocated; an ep
 * that repeats another for this tp is tried once.  Returns how many (at most max). */
static int shapes(const aif_scenario *s, const aif_plan_opts *o, shape *out, int max)
{
    int tps[AIF_PLAN_MAX_TP], n_tp = 0, precs[AIF_PLAN_MAX_PREC], n_prec = 0;
    if (o->n_tp > 0)
        for (int i = 0; i < o->n_tp && i < AIF_PLAN_MAX_TP; i++)
            tps[n_tp++] = o->tps[i];
    else
        for (int t = 1; t <= s->cluster.gpus_per_node && n_tp < AIF_PLAN_MAX_TP; t *= 2)
            tps[n_tp++] = t;
    for (int i = 0; i < o->n_prec && i < AIF_PLAN_MAX_PREC; i++)
        precs[n_prec++] = o->precisions[i];
    if (!n_prec)
        precs[n_prec++] = s->serve.precision;
    int n_ep = o->n_ep > 0 ? (o->n_ep < AIF_PLAN_MAX_EP ? o->n_ep : AIF_PLAN_MAX_EP) : 1;
    int n_split = o->n_split > 0 ? (o->n_split < AIF_PLAN_MAX_SPLIT ? o->n_split : AIF_PLAN_MAX_SPLIT) : 1;
    int n = 0;
    for (int i = 0; i < n_tp; i++)
        for (int j = 0; j < n_prec; j++)
            for (int e = 0; e < n_ep; e++) {
                int ep = o->n_ep > 0 ? (o->eps[e] ? o->eps[e] : tps[i]) : 0;
                int dup = 0;
                for (int q = 0; q < e && o->n_ep > 0; q++)
                    dup |= (o->eps[q] ? o->eps[q] : tps[i]) == ep;
                if (dup)
                    continue;
                for (int d = 0; d < n_split; d++) {
                    if (n < max)
                        out[n] = (shape){tps[i], precs[j], ep, o->n_split > 0 ? o->splits[d][0] : 0,
                                         o->n_split > 0 ? o->splits[d][1] : 0};
                    n++;
                }
            }
    return n;
}

/* Meeting first; then a known price before an unknown one; cheaper per token; fewer
 * GPUs; then the names and numbers, so the order is total. */
static int rank_cmp(const void *pa, const void *pb)
{
    const aif_plan_candidate *a = pa, *b = pb;
    if (a->meets != b->meets)
        return a->meets ? -1 : 1;
    if (a->valid != b->valid)
        return a->valid ? -1 : 1;
    if (a->meets && a->price_known != b->price_known)
        return a->price_known ? -1 : 1;
    if (a->meets && a->price_known && a->usd_per_million_tokens != b->usd_per_million_tokens)
        return a->usd_per_million_tokens < b->usd_per_million_tokens ? -1 : 1;
    if (a->meets && a->gpus != b->gpus)
        return a->gpus < b->gpus ? -1 : 1;
    int n = strcmp(a->gpu, b->gpu);
    if (n)
        return n;
    if (a->tp != b->tp)
        return a->tp < b->tp ? -1 : 1;
    if (a->precision != b->precision)
        return a->precision < b->precision ? -1 : 1;
    if (a->ep != b->ep)
        return a->ep < b->ep ? -1 : 1;
    if (a->split_p != b->split_p)
        return a->split_p < b->split_p ? -1 : 1;
    return (a->split_d > b->split_d) - (a->split_d < b->split_d);
}

aif_rc aif_plan_serve(const aif_catalog *c, const aif_scenario *const *scenarios, int n_scenarios,
                      const aif_plan_opts *o, aif_serve_plan *out, aif_err *err)
{
    static const aif_plan_opts none = {0};
    if (!o)
        o = &none;
    memset(out, 0, sizeof *out);
    if (n_scenarios < 1)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "infer plan needs at least one candidate GPU");
    const aif_scenario *s0 = scenarios[0];
    out->scenario = *s0;
    const aif_slo *slo = &s0->serve.slo;
    if (s0->serve.mode != AIF_SERVE_SERVER || s0->serve.qps <= 0 || s0->serve.trace[0])
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.qps", "infer plan sizes a deployment for an arrival "
                           "rate: give serve.qps (--qps) in server mode, without a trace");
    if (s0->serve.concurrency > 0)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.concurrency", "infer plan sizes a deployment for an "
                           "arrival rate (serve.qps); a closed loop of clients has none: leave out serve.concurrency");
    if (slo->ttft_s <= 0 && slo->tpot_s <= 0 && slo->e2e_s <= 0)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "serve.slo", "infer plan needs a target to meet: serve.slo "
                           "(--slo ttft_p99=2s,tpot_p99=100ms; keys ttft_p99, tpot_p99, e2e_p99)");
    int max_gpus = o->max_gpus > 0 ? o->max_gpus : 1024;
    aif_serve_run *run = malloc(sizeof *run);
    aif_scenario *work = malloc(sizeof *work);
    if (!run || !work) {
        free(run);
        free(work);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    aif_rc rc = AIF_OK;
    int total = 0;
    shape *sh = malloc(AIF_PLAN_MAX * sizeof *sh);
    if (!sh) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    for (int g = 0; g < n_scenarios; g++)
        total += shapes(scenarios[g], o, sh, AIF_PLAN_MAX);
    if (total > AIF_PLAN_MAX) {
        rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "infer plan: %d candidate shapes, at most %d", total,
                         AIF_PLAN_MAX);
        goto done;
    }
    for (int g = 0; g < n_scenarios && !rc; g++) {
        const aif_scenario *s = scenarios[g];
        int ns = shapes(s, o, sh, AIF_PLAN_MAX);
        for (int i = 0; i < ns && !rc; i++) {
            aif_plan_candidate *k = &out->c[out->n++];
            aif_strlcpy(k->gpu, s->cluster.gpu.name, sizeof k->gpu);
            aif_strlcpy(k->system, s->cluster.system.name, sizeof k->system);
            k->tp = sh[i].tp;
            k->precision = sh[i].prec;
            k->ep = s->serve.dp_attention ? sh[i].tp : sh[i].ep > 0 ? sh[i].ep : s->serve.ep;
            k->split_p = sh[i].p;
            k->split_d = sh[i].d;
            rc = plan_shape(c, s, work, &sh[i], max_gpus, run, k, err);
            out->sims += k->sims;
            if (o->progress)
                o->progress((double)out->n / total, o->progress_ctx);
        }
    }
    if (!rc) {
        qsort(out->c, (size_t)out->n, sizeof out->c[0], rank_cmp);
        for (int i = 0; i < out->n; i++)
            out->n_meeting += out->c[i].meets;
        /* the published runs like the best: its GPU kind's scenario (model and scheduler are every
         * candidate's) */
        for (int g = 0; g < n_scenarios && out->n_meeting > 0 && !out->n_classes; g++)
            if (!strcmp(scenarios[g]->cluster.gpu.name, out->c[0].gpu))
                out->n_classes = aif_serve_classes(scenarios[g], out->classes);
    }
done:
    free(sh);
    free(run);
    free(work);
    return rc;
}
