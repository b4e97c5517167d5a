/* synth.c -- the synthetic multi-tenant load (aif_jobs_synth, src/ops/jobs.h).
 *
 * Poisson arrivals at rate_per_h; GPU counts 2^k, 1 <= 2^k <= max_gpus, with
 * weight 2^(-k size_skew); durations lognormal (median, sigma), at least one
 * second; tenants with Zipf weights 1/(i+1).  Draws come from one SplitMix64
 * stream seeded by spec->seed, in a fixed order per job (gap, size, duration,
 * tenant), so the same spec gives the same list; which jobs are elastic comes from
 * a second stream, so elastic_share 0 gives the list it always gave.  Invariants of the output:
 * sorted by submit_s, the first at 0, ids 0..n-1, gpus >= 1, duration_s > 0. */
#include "ops/jobs.h"
#include "base/base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rng { uint64_t s; } rng;
static double unif(rng *g)
{
    g->s += 0x9e3779b97f4a7c15ULL;
    return (double)(aif_mix64(g->s) >> 11) * 0x1.0p-53;
}

static double pick_weighted(rng *g, const double *cum, int n)
{
    double u = unif(g) * cum[n - 1];
    int i = 0;
    while (i < n - 1 && cum[i] <= u)
        i++;
    return i;
}

aif_rc aif_jobs_synth(const aif_synth_spec *sp, aif_job_list *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (sp->jobs < 1 || sp->rate_per_h <= 0 || sp->max_gpus < 1 || sp->tenants < 1 || sp->tenants > 1000000 ||
        !(sp->elastic_share >= 0 && sp->elastic_share <= 1) ||
        sp->duration_median_s <= 0 || sp->duration_sigma < 0 || !(sp->size_skew >= 0))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "operations.synthetic",
                           "needs jobs >= 1, rate_per_h > 0, max_gpus >= 1, tenants >= 1, a positive median "
                           "duration, sigma >= 0 and size_skew >= 0");
    int k_max = 0;
    while ((2L << k_max) <= sp->max_gpus && k_max < 30)
        k_max++;
    double size_cum[32], ten_w = 0;
    for (int k = 0; k <= k_max; k++)
        size_cum[k] = (k ? size_cum[k - 1] : 0) + pow(2.0, -k * sp->size_skew);
    double *ten_cum = malloc(sizeof *ten_cum * (size_t)sp->tenants);
    out->jobs = calloc((size_t)sp->jobs, sizeof *out->jobs);
    out->tenants = calloc((size_t)sp->tenants, sizeof *out->tenants);
    if (!ten_cum || !out->jobs || !out->tenants) {
        free(ten_cum);
        aif_job_list_free(out);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory generating %d jobs", sp->jobs);
    }
    for (int i = 0; i < sp->tenants; i++) {
        ten_w += 1.0 / (i + 1);
        ten_cum[i] = ten_w;
        snprintf(out->tenants[i], AIF_TENANT_MAX, "tenant%d", i);
    }
    out->n_tenants = sp->tenants;
    rng g = {aif_mix64(sp->seed ^ 0x6a0b5f3cULL)}, ge = {aif_mix64(sp->seed ^ 0xe1a5c0ffULL)};
    double t = 0;
    for (int i = 0; i < sp->jobs; i++) {
        aif_job *j = &out->jobs[i];
        if (i)
            t += -log(1 - unif(&g)) * 3600 / sp->rate_per_h;
        int k = (int)pick_weighted(&g, size_cum, k_max + 1);
        double u1 = 1 - unif(&g), u2 = unif(&g);
        double z = sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
        double d = sp->duration_median_s * exp(sp->duration_sigma * z);
        j->id = i;
        j->kind = AIF_JOB_GENERIC;
        j->submit_s = t;
        j->duration_s = d < 1 ? 1 : d;
        j->gpus = j->min_gpus = j->max_gpus = 1 << k;
        if (sp->elastic_share > 0 && unif(&ge) < sp->elastic_share) {
            j->min_gpus = j->gpus > 1 ? j->gpus / 2 : 1;
            j->max_gpus = 2 * j->gpus <= sp->max_gpus ? 2 * j->gpus : j->gpus;
        }
        j->tenant = (int)pick_weighted(&g, ten_cum, sp->tenants);
        snprintf(j->name, sizeof j->name, "job%d", i);
    }
    out->n = sp->jobs;
    free(ten_cum);
    return AIF_OK;
}
