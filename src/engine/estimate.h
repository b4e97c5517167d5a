/* estimate.h -- the analytical engine's internals, shared with tests and the
 * benchmark: segment times of a lowered graph. */
#ifndef AIF_ESTIMATE_H
#define AIF_ESTIMATE_H

#include "aifsim/graph.h"

typedef struct aif_seg_time {
    double total_s;               /* critical path of the segment */
    double cat_s[AIF_N_CAT];      /* what the critical path is made of, by category */
    double membound_s;            /* compute time in memory-bound kernels */
} aif_seg_time;

/* Walks one segment under the two-stream semantics of graph.h. */
void aif_segment_time(const aif_scenario *s, const aif_graph *g, aif_seg seg, aif_seg_time *out);
/* Estimate from an already lowered graph (g must come from aif_graph_lower(s)). */
void aif_estimate_graph(const aif_scenario *s, const aif_graph *g, aif_train_result *r);

/* Relative tolerance of the breakdown's sum against the step time (rounding only). */
#define AIF_BREAKDOWN_TOL 1e-9

/* The breakdown invariant both engines keep: every part is >= 0, recompute and
 * memory-bound time are parts of compute, and compute + exposed TP, CP, EP, PP and
 * DP communication + bubble + optimizer = step_time_s within AIF_BREAKDOWN_TOL.
 * True when it holds (asserted by aif_result_derive, which both engines end with). */
bool aif_breakdown_check(const aif_train_result *r);

/* Fills everything that follows from r->step_time_s and the scenario: throughput,
 * MFU, memory, parameters, training time (both engines end with it; it asserts
 * aif_breakdown_check). */
void aif_result_derive(const aif_scenario *s, const aif_graph *g, aif_train_result *r);

#endif
