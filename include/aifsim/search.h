/* search.h -- neighbours of one configuration: the same job with one or two
 * things changed, each run through the analytical engine (aif_estimate).
 *
 *  - aif_search_memory_fit: a job that does not fit in memory, with the usual
 *    remedies (full recompute, optimizer sharding, tp x2, pp x2, mbs 1) tried alone
 *    and then, when none alone fits, in pairs; the fitting ones fastest first.
 *  - aif_search_scaling: strong scaling, the same global batch on other GPU
 *    counts (data parallelism scaled by powers of two).
 *  - aif_search_best: the best layout of a job on its GPU count: every valid
 *    combination of tp, pp, vpp, cp, ep, etp (dp follows), hybrid sharding,
 *    micro-batch, recompute, optimizer sharding and overlap switches that fits in
 *    memory, ranked by step
 *    time, or by cost or energy per step with the site's coefficients (the pipeline,
 *    aif_run_search in run.h, computes those from the facility and money models).
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
    int recompute_layers;        /* with AIF_CHANGE_RECOMPUTE_FULL, when replaying every layer fits: the
                                    fewest layers of each pipeline chunk whose replay fits
                                    (train.recompute_layers), the figures below that job's; 0 = every layer */
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
 * nothing is estimated.  A candidate that turns full recompute on and fits is narrowed
 * to the fewest layers of each chunk whose replay still fits (the fastest such job:
 * memory falls and the step grows with each layer replayed), by bisection.  Up to 21
 * estimates, and about log2 of a chunk's layers more for each such candidate. */
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

/* ------------------------------------------------------ best layout */

typedef enum aif_objective { AIF_OBJ_TIME, AIF_OBJ_COST, AIF_OBJ_ENERGY, AIF_N_OBJ } aif_objective;
/* "time", "cost", "energy"; NULL out of range */
const char *aif_objective_name(int objective);
/* the index of a name above, -1 when it is none of them */
int aif_objective_index(const char *name);

/* What the search varies.  A degree (tp .. mbs) of 0 is searched over every value the
 * layout checks accept (aif_scenario_check), else fixed; a choice of -1 is searched,
 * else fixed.  Searched values: recompute none, selective, full; optimizer none,
 * distributed, zero1, zero2, zero3 (fsdp is zero3's twin in the model and is not
 * tried); each overlap switch off and on.  A full recompute replays, with
 * recompute_layers -1, the fewest layers of each pipeline chunk whose layout fits
 * (train.recompute_layers, found by bisection on the memory, which falls with each
 * layer replayed; the step time, energy and cost only grow with it, so no other count
 * can rank before it), else recompute_layers of each chunk (0: every layer).  Where a field cannot change the result it
 * is not varied when searched: etp 1, ep 1 and ep_overlap off for a dense model,
 * tp_overlap off at tp 1.  Sequence parallelism is on wherever tp > 1 when tp is
 * searched (the scenario's sp is kept when tp is fixed).  dp is gpus / (tp pp cp). */
typedef struct aif_best_space {
    int tp, pp, vpp, cp, ep, etp, mbs;
    int recompute, optimizer;
    int tp_overlap, dp_overlap, ep_overlap;
    int recompute_layers;        /* under recompute full: -1 searched, else fixed (0 every layer) */
    int sp;                      /* sequence parallelism: 0 on wherever tp > 1 (a fixed tp keeps the
                                    job's); 1 off and 2 on, fixed as the job wrote it */
    int dp_shard;                /* the data-parallel ranks a sharded state spans (train.dp_shard): -1
                                    searched over 0 (all of dp) and each divisor of dp from 2 below dp
                                    (one rank is plain replication, the unsharded optimizers'), with the
                                    sharded optimizers searched (zero2, zero3; fsdp when fixed); else
                                    fixed (0 all of dp; a layout whose dp it does not divide is skipped,
                                    one whose dp is at most it shards over all of dp) */
} aif_best_space;
/* Everything searched. */
void aif_best_space_all(aif_best_space *sp);
/* auto_fields (AIF_AUTO_* bits) searched, every other field fixed at s's value. */
void aif_best_space_auto(const aif_scenario *s, unsigned auto_fields, aif_best_space *sp);

/* The site's figures for the cost and energy objectives: they depend on the GPU
 * count, not on the layout, so they are computed once (aif_run_search) and a
 * layout's energy per step is sum over phases of (seconds in the phase x facility
 * power in it), the phases as the facility model reads a step (facility.h):
 * compute (compute_s - membound_s), memory (membound_s + optimizer_s), communication
 * (tp, cp, ep, pp and dp exposed) and waiting (the pipeline bubble). */
typedef struct aif_best_site {
    double compute_W, memory_W, comm_W, idle_W;   /* facility power, every GPU in that phase */
    double fixed_usd_per_s;                      /* depreciation and operations of the job's share */
    double usd_per_J;                            /* electricity */
} aif_best_site;

#define AIF_BEST_MAX_TOP 64

typedef struct aif_best_opts {
    int objective;          /* aif_objective */
    int top;                /* results kept, 1 .. AIF_BEST_MAX_TOP */
    aif_best_space space;
    aif_best_site site;     /* AIF_OBJ_COST, AIF_OBJ_ENERGY (zero: those objectives are 0) */
} aif_best_opts;

typedef struct aif_best_result {
    aif_parallel par;
    int mbs, recompute, optimizer;     /* aif_recompute, aif_optim */
    int recompute_layers;              /* recompute full: the first N layers of each chunk replay; 0 every
                                          layer (and 0 without a full recompute) */
    bool tp_overlap, dp_overlap, ep_overlap;
    aif_train_result train;            /* the analytical engine's answer (equal to aif_estimate's) */
    double energy_per_step_J;          /* 0 without the site's figures */
    double cost_per_step_usd;
    double objective;                  /* what was ranked: step_time_s, cost_per_step_usd or energy_per_step_J */
    double sim_step_time_s;            /* aif_run_search with the simulator: its step time; else 0 */
} aif_best_result;

/* The parts of a step the explanation names (aif_best.why_part). */
typedef enum aif_best_part {
    AIF_PART_COMPUTE, AIF_PART_TP, AIF_PART_CP, AIF_PART_EP, AIF_PART_PP, AIF_PART_BUBBLE, AIF_PART_DP,
    AIF_PART_OPTIMIZER, AIF_PART_RECOMPUTE, AIF_N_PART
} aif_best_part;
/* "compute", "tp communication", ...; "?" out of range */
const char *aif_best_part_name(int part);

typedef struct aif_best {
    int objective;             /* aif_objective ranked */
    long long candidates;      /* layouts that pass the layout checks (every one counted, fitting or not) */
    long long fitting;         /* of which fit in memory: each one estimated and ranked */
    long long lowered;         /* step graphs lowered for them (the rest reuse cached segment times) */
    double min_need_bytes;     /* no layout fits: the smallest memory per GPU of any candidate */
    double hbm_bytes;
    double wall_s;             /* the search's wall time (monotonic clock) */
    double evaluated_per_s;    /* candidates / wall_s */
    int n_results;             /* best first, at most opts.top */
    aif_best_result results[AIF_BEST_MAX_TOP];
    bool reranked;             /* results re-ranked by the simulator's step time (aif_run_search) */
    /* the runner-up: the best candidate whose objective is worse than #1's (layouts
     * that tie with #1, e.g. selective recompute under flash attention, which
     * recomputes nothing more, are its twins, not its runner-up); with the simulator,
     * the first such result of the re-ranked list */
    bool has_runner_up;
    aif_best_result runner_up;
    /* why the best beats the runner-up: the breakdown part whose time differs most
     * (the runner-up's minus the best's, seconds per step); -1 without a runner-up */
    int why_part;
    double why_delta_s;
} aif_best;

/* The order results are ranked in, total so that a search gives one answer: by
 * objective, then step time, then memory per GPU, then the fields in the order tp,
 * pp, vpp, cp, ep, etp, mbs, recompute, optimizer, tp_overlap, dp_overlap,
 * ep_overlap, recompute_layers, dp_shard (smaller first).  <0, 0 or >0 as a ranks before, equal to or after b. */
int aif_best_compare(const aif_best_result *a, const aif_best_result *b);

/* Searches s's job (its model, cluster, GPU count, global batch, sequence, precision
 * and attention kernel fixed) over o->space.  Every candidate is estimated exactly as
 * aif_estimate would (tests/test_best.c holds the optimum equal to brute force):
 * memory first, from the layout's shape alone, so what does not fit costs no
 * lowering; a layer's segment times are computed once per (mbs, recompute, sharding,
 * tp and ep overlap) and the end of step once per (vpp, optimizer) within each (tp,
 * cp, pp, ep, etp).  No candidate fitting is not an error: n_results is 0 and
 * min_need_bytes says by how much.  AIF_EINPUT for options out of range. */
aif_rc aif_search_best(const aif_scenario *s, const aif_best_opts *o, aif_best *out, aif_err *err);
/* Sets b->why_part and why_delta_s from results[0] and runner_up. */
void aif_best_explain(aif_best *b);
/* Recomputes r's energy, cost and objective from r->train (after the simulator
 * replaced it) with o's site figures and objective. */
void aif_best_rescore(const aif_best_opts *o, aif_best_result *r);
/* The result's layout written into s (dp and sp derived as the search did). */
void aif_best_apply(const aif_best_result *r, aif_scenario *s);

#ifdef __cplusplus
}
#endif
#endif
