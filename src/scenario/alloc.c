/* alloc.c -- a job's allocation on its cluster (aif_alloc, include/aifsim/aifsim.h).
 * Invariant after aif_alloc_check: the job's GPUs lie on the cluster, from the
 * first GPU of node first_node on; gpus 0 stands for the whole cluster, so a
 * scenario whose cluster is changed in code (sweeps) keeps running on all of it. */
#include "base/base.h"

int aif_alloc_gpus(const aif_scenario *s)
{
    return s->train.alloc.gpus > 0 ? s->train.alloc.gpus : s->cluster.gpus;
}

aif_rc aif_alloc_check(const aif_scenario *s, aif_err *err)
{
    const aif_alloc *a = &s->train.alloc;
    const aif_cluster *cl = &s->cluster;
    if (a->gpus < 0 || a->first_node < 0)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.gpus", "train.gpus and train.first_node must not be "
                           "negative");
    if (a->gpus > cl->gpus)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.gpus",
                           "the job's %d gpus are more than the cluster's %d", a->gpus, cl->gpus);
    long long first = (long long)a->first_node * cl->gpus_per_node;
    if (first + aif_alloc_gpus(s) > cl->gpus)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.first_node",
                           "%d gpus from node %d (gpu %lld) end past the cluster's %d gpus (%d per node)",
                           aif_alloc_gpus(s), a->first_node, first, cl->gpus, cl->gpus_per_node);
    return AIF_OK;
}
