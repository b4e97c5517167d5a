/* search.h -- neighbours of one configuration: the same job with one or two
 * things changed, each run through the analytical engine (aif_estimate).
 *
 *  - aif_search_memory_fit: a job that does not fit in memory, with the usual
 *    remedies (full recompute, optimizer sharding, tp x2, pp x2, mbs 1) tried alone
 *    and then, when none alone fits, in pairs; the fitting ones fastest first.
 *  - aif_search_scaling: strong scaling, the same global batch on other GPU
 *    counts (data parallelism scaled by powers of two).
 *
 * Results are plain data with everything a writer needs (include/aifsim/report.h
 * formats them and computes nothing).  A neighbour the engine rejects (a layout
 * that no longer divides) is a result, not an error: it is left out of the
 * scaling curve and recorded as not estimated in the memory search.  The search
 * grows here (best layout, sweeps) without the writers or the CLI changing. */
#ifndef AIFSIM_SEARCH_H
#define AIFSIM_SEARCH_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------- fitting in memory */

/* One change to a training job, in the order the search tries them. */
typedef enum aif_change {
    AIF_CHANGE_RECOMPUTE_FULL,         /* recompute full */
    AIF_CHANGE_OPTIMIZER_DISTRIBUTED,  /* optimizer none -> distributed */
    AIF_CHANGE_TP_X2,                  /* tp x2, dp / 2, sequence parallelism on */
    AIF_CHANGE_PP_X2,                  /* pp x2, dp / 2 */
    AIF_CHANGE_MBS_1,                  /* micro-batch of one sequence */
    AIF_CHANGE_OPTIMIZER_ZERO3,        /* ZeRO-3 (without pipelining only) */
    AIF_N_CHANGES
} aif_change;

/* "recompute full", "optimizer distributed", "tp x2", "pp x2", "mbs 1", "optimizer zero3";
 * "?" out of range. */
const char *aif_change_name(int change);

/* Applies one change to s; false (s untouched) when it does not apply to this
 * job (already so, or dp odd for tp/pp x2). */
bool aif_change_apply(aif_scenario *s, int change);

/* at most every change alone and every pair of two different changes */
#define AIF_FIT_MAX_TRIED (AIF_N_CHANGES + AIF_N_CHANGES * (AIF_N_CHANGES - 1) / 2)

typedef struct aif_fit_candidate {
    int change[2];               /* aif_change; change[1] = -1 when one change alone */
    aif_rc rc;                   /* AIF_OK when estimated; else the engine's rejection of the layout */
    bool fits;                   /* estimated and fits in HBM */
    double mem_bytes;            /* busiest GPU (0 unless estimated) */
    double step_time_s;          /* 0 unless estimated */
} aif_fit_candidate;

typedef struct aif_memory_fit {
    bool searched;               /* false: the job fits (or was not searched), the rest is zero */
    double need_bytes;           /* the job as run: busiest GPU */
    double hbm_bytes;            /* its HBM */
    int n_tried;                 /* candidates that applied, in the order estimated: singles, */
    aif_fit_candidate tried[AIF_FIT_MAX_TRIED];   /* then pairs only when no single fits */
    int n_fits;                  /* candidates that fit */
    int fits[AIF_FIT_MAX_TRIED]; /* indices into tried, fastest first (ties in the order tried) */
} aif_memory_fit;

/* Searches for changes that make the job fit; r is the job's result (from either
 * engine), the neighbours are estimated.  When r fits, out->searched is false and
 * nothing is estimated.  Up to 21 estimates. */
aif_rc aif_search_memory_fit(const aif_scenario *s, const aif_train_result *r, aif_memory_fit *out, aif_err *err);

/* --------------------------------------------------------- scaling */

#define AIF_SCALING_MAX_POINTS 16

typedef struct aif_scaling_point {
    int gpus, dp;
    double step_time_s;
    double tokens_per_s;
    double mfu;
    double steps, train_time_s;  /* for train.tokens; 0 when not given */
} aif_scaling_point;

typedef struct aif_scaling {
    bool searched;               /* false: not computed (zeroed), e.g. a run without aif_run_opts.scaling */
    int n_points;                /* GPU counts where the batch divides and the estimate succeeds */
    aif_scaling_point points[AIF_SCALING_MAX_POINTS];   /* in increasing GPU count */
} aif_scaling;

/* The strong-scaling curve of the HTML report: dp times 2^-3 .. 2^2. */
enum { AIF_SCALING_LOG2_MIN = -3, AIF_SCALING_LOG2_MAX = 2 };

/* Strong scaling: s with dp times 2^k for k in [log2_min, log2_max] (at most
 * AIF_SCALING_MAX_POINTS values; AIF_EINPUT otherwise), cluster.gpus = tp*pp*cp*dp,
 * the global batch and everything else unchanged.  A k whose dp is not a whole
 * number or whose layout the engine rejects is left out. */
aif_rc aif_search_scaling(const aif_scenario *s, int log2_min, int log2_max, aif_scaling *out, aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
