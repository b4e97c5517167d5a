/* estimate.h -- the analytical engine's internals, shared with the simulating
 * engine, tests and the benchmark: a training estimate from a lowered graph. */
#ifndef AIF_ESTIMATE_H
#define AIF_ESTIMATE_H

#include "aifsim/graph.h"
#include "workload/schedule.h"

/* aif_seg_time, aif_op_time_s and aif_segment_time are public (graph.h). */

/* The compute clock both engines time g's kernels at, relative to the rated clock: a power
 * limit's (clock_factor) times, for a training graph, its job's slowest GPU's pace (g->pace,
 * aif_scenario_pace). */
double aif_graph_clock(const aif_scenario *s, const aif_graph *g);

/* Estimate from an already lowered graph (g must come from aif_graph_lower(s)). */
void aif_estimate_graph(const aif_scenario *s, const aif_graph *g, aif_train_result *r);
/* The same from the segments' times already known (st[i] = aif_segment_time of segment
 * i of a graph lowered from s): g is read for its shape (aif_graph_shape's fields,
 * dp_buckets, recompute_flops_per_microbatch) and the ops of its STEP segments only.
 * The best-layout search (src/search/best.c) times a layer segment once for every
 * layout that shares it and calls this per layout. */
void aif_estimate_times(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                        aif_train_result *r);
/* What a caller that evaluates many layouts of one job already knows: the same
 * figures aif_result_derive would work out, copied rather than computed again. */
typedef struct aif_estimate_known {
    aif_memory mem;               /* aif_memory_estimate of s on a graph of g's shape (it does
                                     not depend on the overlap switches) */
    double fwd_flops_per_seq;     /* aif_model_fwd_flops_per_seq(&s->model, s->train.seq) */
    double params, active_params; /* aif_model_param_counts(&s->model, ...) */
} aif_estimate_known;
/* aif_estimate_times with those figures known (k may be NULL: none known).  The
 * search checks a layout's memory before it times the layout under each of its
 * switches, and its model and sequence never change. */
void aif_estimate_times_known(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                              const aif_estimate_known *k, aif_train_result *r);

/* aif_estimate_times_known in two parts: the pipeline's (the busiest rank's stage, its
 * microbatch by category, the pipeline with its bubble), which the data-parallel overlap
 * does not change, and the rest from it.  aif_estimate_times_pipe(s, g, st, k, o, r) with o
 * from aif_estimate_pipe_of(s, g, st, o) is aif_estimate_times_known(s, g, st, k, r), bit
 * for bit, and o serves every train.dp_overlap of one s otherwise unchanged (the search's
 * two switches: search/best.c). */
typedef struct aif_estimate_pipe {
    double worst, worst_f, worst_b;   /* the busiest rank's microbatch, its forward and backward */
    double worst_off;                 /* its activation offload's waits */
    int worst_items;                  /* its embedding, layer and head items (its gradient buckets) */
    double cat[AIF_N_CAT];            /* its microbatch by category */
    double membound;                  /* its memory-bound compute */
    double pipe;                      /* every microbatch with the bubble */
} aif_estimate_pipe;
void aif_estimate_pipe_of(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                          aif_estimate_pipe *o);
void aif_estimate_times_pipe(const aif_scenario *s, const aif_graph *g, const aif_seg_time st[AIF_N_SEG],
                             const aif_estimate_known *k, const aif_estimate_pipe *o, aif_train_result *r);

/* The exposed end of the interleaved gradient reduction (or, mirrored, the parameter
 * all-gather) in nb buckets: max(x / nb, max over b < nb of (b + 1) x / nb - w_b y),
 * w_b = aif_sched_dp_window(p, b / nb), x the whole reduction and y one microbatch's
 * backward (forward) on the busiest rank.  aif_dp_tail_loop takes every bucket (O(nb));
 * aif_dp_tail the first bucket's (a falling slope) or the ends of the few chunks that can
 * hold the max (a rising one), where the terms are linear, and returns the same double
 * for a whole number of buckets nb, which is all it is given (bucket_count; other nb,
 * and negative x or y, take the loop; tests/test_memo.c). */
double aif_dp_tail_loop(aif_pipe p, double nb, double x, double y);
double aif_dp_tail(aif_pipe p, double nb, double x, double y);

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
