/* run.c -- the pipeline of a training job (include/aifsim/run.h): power limit,
 * engine, facility, cost, then the neighbours the writers report, in that order
 * and nowhere else.  The neighbours are estimated from the scenario as run, so a
 * power limit slows them as it slows the job. */
#include "aifsim/run.h"

#include <string.h>

aif_rc aif_run_train(const aif_catalog *c, const aif_scenario *s, const aif_run_opts *o, aif_train_run *out,
                     aif_err *err)
{
    static const aif_run_opts defaults = {.engine = AIF_ENGINE_ESTIMATE};
    if (!o)
        o = &defaults;
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    out->engine = o->engine;
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_facility_apply_limits(&out->scenario, fd);
    aif_rc rc = o->engine == AIF_ENGINE_SIM ? aif_simulate(&out->scenario, &o->sim, &out->train, &out->net, err)
                                            : aif_estimate(&out->scenario, &out->train, err);
    /* A job on part of its cluster is charged its share of the site: the nodes and
     * racks it fills, their power, energy, carbon, water, capex and cost to train.
     * The rest of the cluster is not this job's (the many-job view accounts for it). */
    aif_scenario share = out->scenario;   /* ~40 KB, most of it the hourly carbon table */
    share.cluster.gpus = aif_alloc_gpus(&out->scenario);
    share.train.alloc = (aif_alloc){0};
    if (rc == AIF_OK)
        rc = aif_facility_eval(&share, fd, &out->train, &out->facility, err);
    if (rc == AIF_OK)
        rc = aif_cost_eval(&share, fd, &out->train, &out->facility, &out->cost, err);
    if (rc == AIF_OK && !out->train.fits_in_memory)
        rc = aif_search_memory_fit(&out->scenario, &out->train, &out->memory_fit, err);
    if (rc == AIF_OK && o->scaling)
        rc = aif_search_scaling(&out->scenario, AIF_SCALING_LOG2_MIN, AIF_SCALING_LOG2_MAX, &out->scaling, err);
    return rc;
}
