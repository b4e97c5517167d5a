/* alloc.c -- a job's allocation on its cluster (aif_alloc, include/aifsim/aifsim.h).
 * Invariant after aif_alloc_check: the job's GPUs lie on the cluster, from the
 * first GPU of node first_node on; gpus 0 stands for the whole cluster, so a
 * scenario whose cluster is changed in code (sweeps) keeps running on all of it. */
#include "base/base.h"

int aif_alloc_gpus(const aif_scenario *s)
{
    return s->train.alloc.gpus > 0 ? s->train.alloc.gpus : s->cluster.gpus;
}
