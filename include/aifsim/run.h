/* run.h -- the library's pipeline: one call per job kind.
 *
 * A training job runs in one fixed order, and only here:
 *   1. the site's GPU power limit becomes the cluster's clock factor
 *      (aif_facility_apply_limits), so no caller can forget it;
 *   2. the step is estimated (aif_estimate) or simulated (aif_simulate);
 *   3. the site: power, cooling, energy, carbon, water (aif_facility_eval);
 *   4. the money: capex, owned against rented (aif_cost_eval);
 *   5. its neighbours (include/aifsim/search.h): when the job does not fit in
 *      memory, the changes that would make it fit (always); the strong-scaling
 *      curve (when asked for: aif_run_opts.scaling).
 * Fields written `auto` (aif_train.auto_fields) are filled before the engine by the
 * best-layout search (aif_search_best, by step time, every other field fixed), and
 * each becomes a note of the scenario ("train.tp: auto -> 8 (best of N candidates
 * by step time)"); no candidate is AIF_EINPUT naming why.
 * Before the engine, the scenario is compared with its catalog system and any
 * disagreement becomes a note (aif_train_run.notes: cluster.gpus_per_node against the
 * system's node); a site that cannot hold the job is the facility result's verdict
 * (site_verdict), not an error.
 * The result holds every part, plus the scenario as it was run, so writers
 * (include/aifsim/report.h) need nothing else and compute nothing.  Serving and
 * many-job cluster runs will get the same shape:
 * aif_run_<kind>(catalog, scenario, opts, out, err). */
#ifndef AIFSIM_RUN_H
#define AIFSIM_RUN_H

#include "aifsim/aifsim.h"
#include "aifsim/facility.h"
#include "aifsim/search.h"
#include "aifsim/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aif_engine { AIF_ENGINE_ESTIMATE, AIF_ENGINE_SIM } aif_engine;

typedef struct aif_run_opts {
    int engine;                  /* aif_engine */
    aif_sim_opts sim;            /* AIF_ENGINE_SIM: its options */
    bool scaling;                /* also the strong-scaling curve (aif_train_run.scaling; 6 estimates) */
} aif_run_opts;

/* A warning carried with the result: something the user set that disagrees with the
 * catalog, stated by name (not an error: the job still runs as set).  Writers print
 * the notes before anything else. */
#define AIF_MAX_RUN_NOTES 4
typedef struct aif_run_note {
    char path[64];               /* the field it is about, e.g. cluster.gpus_per_node */
    char msg[320];               /* the sentence, naming the system and both numbers */
} aif_run_note;

/* A class of published runs and the errors on its rows: one line of the built-in
 * validation/classes.csv (`aifsim validate --classes`, the analytical engine's on the
 * training table) or validation/infer_classes.csv (`--infer-classes`, the serving
 * simulator's on the serving table); docs/VALIDATION.md, "Runs like this one". */
typedef struct aif_run_class {
    char cls[24];                /* kind, dispatch, lora, family, stack, all; a serving class:
                                    GROUP, GROUP-kind, GROUP-kind-scheduler, GROUP-kind-family
                                    (GROUP: throughput, ttft, tpot) */
    char name[64];               /* dense or moe; the dispatcher; lora; the family; the stack; all;
                                    a serving class's KIND/SCHEDULER (serve.admission), KIND/FAMILY */
    bool other_kind;             /* a serving class of every run, standing in where no class of the
                                    deployment's kind (dense or MoE) holds enough rows */
    int runs;                    /* the table's rows of the class */
    double median_ape, p90_ape, bias_pct;   /* their errors, in % (bias above 0: faster than measured) */
} aif_run_class;
#define AIF_CLASSES_CSV_HEADER "class,name,runs,median_ape_pct,p90_ape_pct,bias_pct"   /* its columns */
#define AIF_RUN_CLASSES_MAX 4
#define AIF_RUN_CLASS_MIN_RUNS 5   /* a class of fewer rows is not shown */

typedef struct aif_train_run {
    aif_scenario scenario;       /* as run: cluster.clock_factor set from the site's power limit */
    int engine;                  /* aif_engine that produced `train` */
    aif_train_result train;
    aif_facility_result facility;
    aif_cost_result cost;
    aif_sim_stats net;           /* AIF_ENGINE_SIM: what the network did (zero otherwise) */
    aif_memory_fit memory_fit;   /* train.fits_in_memory false: what would make it fit (searched) */
    aif_scaling scaling;         /* aif_run_opts.scaling: dp x 2^-3 .. 2^2 (zero otherwise) */
    aif_run_note notes[AIF_MAX_RUN_NOTES];   /* warnings, in the order found (the scenario's
                                             own notes are its substitutions) */
    int n_notes;
    bool site_only;              /* aif_run_site: no job was run; train is zero */
    aif_run_class classes[AIF_RUN_CLASSES_MAX];   /* the published runs like this job (aif_job_classes) */
    int n_classes;
} aif_train_run;

/* The built-in table's classes a training job falls in, with at least
 * AIF_RUN_CLASS_MIN_RUNS rows each, in this order: its kind (LoRA of a dense model; else an
 * expert-parallel MoE's dispatcher, train.ep_dispatch as resolved; else dense or MoE), its
 * accelerator family, its software stack, then every run.  Returns how many are in out: 0
 * without a built-in table, and on an uncalibrated (roofline) accelerator, whose times
 * are bounds no published run was compared with.  aif_run_train and aif_run_search fill
 * aif_train_run.classes and aif_search_run.classes with it. */
int aif_job_classes(const aif_scenario *s, aif_run_class out[AIF_RUN_CLASSES_MAX]);
/* The built-in validation/classes.csv (NULL when the build has none). */
const char *aif_builtin_classes_csv(size_t *len);

/* Runs a training job through the whole pipeline.  c supplies the facility data
 * (data/facility.yaml); o may be NULL (the analytical engine).  out holds the
 * scenario and every result part by value (a few kilobytes) and owns nothing. */
aif_rc aif_run_train(const aif_catalog *c, const aif_scenario *s, const aif_run_opts *o, aif_train_run *out,
                     aif_err *err);

/* The best layout of s's job (aifsim search): aif_search_best on the scenario as run
 * (the site's power limit applied first), with the site's figures for the cost and
 * energy objectives computed once from the facility and money models (they depend on
 * the GPU count, not the layout); with the simulator, the top results are simulated
 * and re-ranked by its step time (objective recomputed from the simulated step). */
typedef struct aif_search_opts {
    int objective;               /* aif_objective */
    int top;                     /* 1 .. AIF_BEST_MAX_TOP */
    int engine;                  /* aif_engine: AIF_ENGINE_SIM re-ranks the top results */
    aif_sim_opts sim;
    aif_best_space space;
} aif_search_opts;

typedef struct aif_search_run {
    aif_scenario scenario;       /* the base as searched (clock factor set); its layout is the base's */
    aif_best best;
    aif_best_site site;          /* the figures cost and energy were ranked with */
    double steps;                /* steps of a run of train.tokens (0 when not given) */
    aif_run_class classes[AIF_RUN_CLASSES_MAX];   /* the published runs like #1 (aif_job_classes) */
    int n_classes;
} aif_search_run;

aif_rc aif_run_search(const aif_catalog *c, const aif_scenario *s, const aif_search_opts *o, aif_search_run *out,
                      aif_err *err);

/* The site of a cluster with no job run (s needs its cluster and site sections only:
 * aif_scenario_load_sections(..., AIF_SECTION_CLUSTER | AIF_SECTION_SITE, ...)): the
 * nodes, racks, cooling, network, power and capex of every GPU computing, which is what
 * racks, cooling and the grid are sized for.  out->site_only is set, out->train is zero
 * and there is no run (energy, carbon, cost to train: zero).  Notes and the site's
 * verdict as aif_run_train. */
aif_rc aif_run_site(const aif_catalog *c, const aif_scenario *s, aif_train_run *out, aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
