/* collective.h -- NCCL's rules for which collective algorithm applies where.
 * The closed-form times are aif_collective_time_s (graph.h); these rules say
 * when an algorithm asked for by name can run at all:
 *   ring     always
 *   tree     all-reduce and broadcast, with ranks in more than one scale-up domain
 *            (NCCL rings inside one)
 *   nvls     all-reduce of 3 or more ranks inside one scale-up domain whose
 *            switches reduce (NVLink SHARP: nvlink4, nvlink5)
 *   collnet  all-reduce across scale-up domains on a fabric whose switches reduce
 *            (InfiniBand SHARP)
 *   pat      all-gather or reduce-scatter with one GPU per scale-up domain */
#ifndef AIFSIM_COLLECTIVE_H
#define AIFSIM_COLLECTIVE_H

#include "aifsim/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

/* AIF_OK when algo (AIF_ALGO_AUTO always does) applies to coll on n_ranks
 * contiguous ranks of cl; else AIF_EINPUT with a message that starts with the
 * algorithm's name and says where it applies. */
aif_rc aif_collective_algo_check(const aif_cluster *cl, aif_coll coll, int n_ranks, aif_coll_algo algo,
                                 aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
