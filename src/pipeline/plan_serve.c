/* plan_serve.c -- the serving capacity plan (include/aifsim/serve.h, aif_plan_serve):
 * for every candidate shape (GPU kind x tp x weight precision) the fewest replicas
 * whose simulated p99 latencies meet serve.slo at serve.qps, each deployment run
 * through aif_run_serve (the same simulator, power and money as `aifsim infer`).
 *
 * Invariants: a candidate is either not valid (the shape does not run: weights over
 * HBM, a tp the heads do not divide; why says so), or meets at the fewest replicas
 * found by doubling then bisecting, or does not meet within max_gpus (why gives the
 * p99s reached); the ranking is a total order, so the plan is deterministic. */
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

/* Runs the base with this shape on `replicas` replicas (its own cluster of that size). */
static aif_rc run_at(const aif_catalog *c, const aif_scenario *base, aif_scenario *work, int tp, int prec,
                     int replicas, aif_serve_run *run, aif_err *err)
{
    *work = *base;
    work->serve.tp = tp;
    if (work->serve.dp_attention)   /* the experts spread over the shape's every GPU, as serve.c requires */
        work->serve.ep = tp;
    work->serve.precision = prec;
    work->serve.replicas = replicas;
    int pp = work->serve.pp > 0 ? work->serve.pp : 1;
    work->cluster.gpus = replicas * tp * pp;
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

/* One shape: doubling until the targets are met (or max_gpus), then bisecting. */
static aif_rc plan_shape(const aif_catalog *c, const aif_scenario *base, aif_scenario *work, int tp, int prec,
                         int max_gpus, aif_serve_run *run, aif_plan_candidate *k, aif_err *err)
{
    const aif_slo *slo = &base->serve.slo;
    int pp = base->serve.pp > 0 ? base->serve.pp : 1;
    int lo = 0, hi = 0;   /* lo: most replicas known to miss; hi: fewest known to meet (0: none yet) */
    for (int r = 1; r * tp * pp <= max_gpus; r *= 2) {
        aif_rc rc = run_at(c, base, work, tp, prec, r, run, err);
        k->sims++;
        if (rc == AIF_EINPUT && r == 1) {   /* the shape itself does not run */
            aif_err_format(err, k->why, sizeof k->why);
            return AIF_OK;
        }
        if (rc)
            return rc;
        k->valid = true;
        keep_figures(k, run);
        if (meets(slo, &run->serve)) {
            hi = r;
            break;
        }
        lo = r;
        if (r > (max_gpus / (tp * pp)) / 2)
            break;
    }
    if (!k->valid)   /* not even one replica fits under max_gpus */
        snprintf(k->why, sizeof k->why, "one replica needs %d GPUs, more than the %d allowed", tp * pp, max_gpus);
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
        aif_rc rc = run_at(c, base, work, tp, prec, mid, run, err);
        k->sims++;
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

/* The shapes tried on one GPU kind: o's tp and precision lists, else tp in powers of
 * two up to a node's GPUs and the scenario's precision. */
static void shapes(const aif_scenario *s, const aif_plan_opts *o, int *tps, int *n_tp, int *precs, int *n_prec)
{
    *n_tp = 0;
    if (o->n_tp > 0)
        for (int i = 0; i < o->n_tp && i < AIF_PLAN_MAX_TP; i++)
            tps[(*n_tp)++] = o->tps[i];
    else
        for (int t = 1; t <= s->cluster.gpus_per_node && *n_tp < AIF_PLAN_MAX_TP; t *= 2)
            tps[(*n_tp)++] = t;
    *n_prec = 0;
    for (int i = 0; i < o->n_prec && i < AIF_PLAN_MAX_PREC; i++)
        precs[(*n_prec)++] = o->precisions[i];
    if (!*n_prec)
        precs[(*n_prec)++] = s->serve.precision;
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
    return (a->precision > b->precision) - (a->precision < b->precision);
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
    int tps[AIF_PLAN_MAX_TP], precs[AIF_PLAN_MAX_PREC], n_tp, n_prec;
    for (int g = 0; g < n_scenarios; g++) {
        shapes(scenarios[g], o, tps, &n_tp, precs, &n_prec);
        total += n_tp * n_prec;
    }
    if (total > AIF_PLAN_MAX) {
        rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "infer plan: %d candidate shapes, at most %d", total,
                         AIF_PLAN_MAX);
        goto done;
    }
    for (int g = 0; g < n_scenarios && !rc; g++) {
        const aif_scenario *s = scenarios[g];
        shapes(s, o, tps, &n_tp, precs, &n_prec);
        for (int i = 0; i < n_tp && !rc; i++)
            for (int j = 0; j < n_prec && !rc; j++) {
                aif_plan_candidate *k = &out->c[out->n++];
                aif_strlcpy(k->gpu, s->cluster.gpu.name, sizeof k->gpu);
                aif_strlcpy(k->system, s->cluster.system.name, sizeof k->system);
                k->tp = tps[i];
                k->precision = precs[j];
                rc = plan_shape(c, s, work, k->tp, k->precision, max_gpus, run, k, err);
                out->sims += k->sims;
                if (o->progress)
                    o->progress((double)out->n / total, o->progress_ctx);
            }
    }
    if (!rc) {
        qsort(out->c, (size_t)out->n, sizeof out->c[0], rank_cmp);
        for (int i = 0; i < out->n; i++)
            out->n_meeting += out->c[i].meets;
    }
done:
    free(run);
    free(work);
    return rc;
}
