/* scaling.c -- strong scaling (include/aifsim/search.h): the same global batch
 * on more or fewer GPUs, data parallelism scaled by powers of two, every other
 * field of the scenario (model parallelism, clock factor, batch) unchanged.
 * Points come out in increasing GPU count because k increases and tp*pp*cp is
 * fixed; a k whose dp is not a whole number, or whose layout the engine rejects
 * (the global batch no longer divides), is skipped. */
#include "aifsim/search.h"
#include "base/base.h"

#include <math.h>
#include <string.h>

aif_rc aif_search_scaling(const aif_scenario *s, int log2_min, int log2_max, aif_scaling *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    if (log2_max < log2_min || log2_max - log2_min >= AIF_SCALING_MAX_POINTS)
        return aif_err_set(err, AIF_EINPUT, "", 0, 0, NULL, "scaling: 2^%d .. 2^%d is not 1 to %d GPU counts",
                           log2_min, log2_max, AIF_SCALING_MAX_POINTS);
    out->searched = true;
    const aif_parallel *p = &s->train.par;
    for (int k = log2_min; k <= log2_max; k++) {
        double scale = pow(2, k);
        int dp = (int)lround(p->dp * scale);
        if (dp < 1 || fabs(dp - p->dp * scale) > 1e-9)
            continue;
        aif_scenario t = *s;
        t.train.par.dp = dp;
        t.cluster.gpus = dp * p->tp * p->pp * p->cp;   /* the job alone on a cluster of its size */
        t.train.alloc = (aif_alloc){0};
        aif_train_result r;
        aif_err e;
        aif_rc rc = aif_estimate(&t, &r, &e);
        if (rc == AIF_EINPUT)
            continue;   /* a layout that no longer divides: not a point of the curve */
        if (rc) {
            *err = e;
            return rc;
        }
        aif_scaling_point *pt = &out->points[out->n_points++];
        pt->gpus = t.cluster.gpus;
        pt->dp = dp;
        pt->step_time_s = r.step_time_s;
        pt->tokens_per_s = r.tokens_per_s;
        pt->mfu = r.mfu;
        pt->steps = r.steps;
        pt->train_time_s = r.train_time_s;
    }
    return AIF_OK;
}
