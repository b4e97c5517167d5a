#ifndef AIFSIM_WORKLOAD_RANKS_H
#define AIFSIM_WORKLOAD_RANKS_H
/* Where a training job's ranks sit (train.rank_order).
 *
 * Both engines number a job's ranks stage-major: pipeline stage s holds the S = tp*cp*dp
 * ranks s*S .. s*S + S-1, tp fastest, then cp, then dp (a rank's "logical" number; the
 * simulator's groups are strides of it, engine/simulate.c).  The job's GPUs are numbered in
 * the cluster's order (node by node, scale-up domain by domain), and the rank order says
 * which logical rank runs on which of them: with Megatron-Core's default, tp-cp-dp-pp, the
 * two numbers are the same; another order is a permutation of the dimensions after tp
 * (Megatron-Core's RankGenerator: a rank's index is its coordinates weighted by the sizes of
 * the dimensions before it in the order).  place() turns a logical rank into the job's GPU. */

#include "aifsim/aifsim.h"

typedef struct aif_rank_map {
    long tp, cp, dp, S;      /* the stage's dimensions (dp = dp_shard x replicate) and S = tp*cp*dp */
    long w_cp, w_dp, w_pp;   /* the GPU-number weight of one step along cp, dp and pp */
    int identity;            /* the default order's placement (any order whose dimensions of size > 1 keep
                                the default's sequence): place(g) = g */
} aif_rank_map;

void aif_rank_map_init(aif_rank_map *r, const aif_parallel *p, int order);

/* The job's GPU (0-based, in the cluster's order from the job's first) of logical rank g. */
static inline long aif_rank_place(const aif_rank_map *r, long g)
{
    if (r->identity)
        return g;
    long q = g % r->S, u = q / r->tp;
    return q % r->tp + u % r->cp * r->w_cp + u / r->cp * r->w_dp + g / r->S * r->w_pp;
}

/* How many members of a group lie in the first D GPUs of the job, the group being every
 * combination of n_axes digits, digit a in 0 .. count[a]-1 weighted by weight[a] (its
 * member with all digits 0 on GPU 0).  Enumerates only the digits that can stay below D. */
int aif_rank_count_below(const long *weight, const long *count, int n_axes, long D);

#endif
