/* sweep.h -- design-space sweeps: a sweep file (docs/SWEEPS.md) names a base scenario,
 * a command and axes over scenario fields; every point runs through the library's
 * pipeline (aif_run_train, aif_run_site, aif_run_serve) in this process, on threads and,
 * under mpirun, on MPI ranks, and lands as one row of a SQLite store.
 *
 * Invariants:
 *   - a point is the base scenario with the sweep's fixed `set` fields and one value of
 *     every axis applied as overrides, in that order, exactly as `--set PATH=VALUE`;
 *   - its key is a 64-bit FNV-1a hash of the command, its options, the base's content,
 *     the fixed fields and the point's axis values (hex, 16 digits), so the same point of
 *     the same base is found again and a changed base is a new point;
 *   - the store holds one table per command, one row per key; a row is written once
 *     (INSERT OR IGNORE) in a transaction with others, so a killed sweep loses only the
 *     batch in flight and a restarted one skips every key already there;
 *   - results do not depend on the number of threads or ranks: each point is evaluated
 *     alone from the same inputs, and rows are committed in point order;
 *   - a point the model rejects (a layout that does not divide, weights over HBM) is a
 *     row with its error message; only out of memory or an unusable store stops a sweep.
 *
 * The sweep sits above the pipeline and below the writers: the caller hands it the
 * writers' JSON functions (aif_sweep_writers), whose fields become the columns. */
#ifndef AIFSIM_SWEEP_H
#define AIFSIM_SWEEP_H

#include "aifsim/aifsim.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "aifsim/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aif_sweep_command {
    AIF_SWEEP_TRAIN,       /* aif_run_train: aifsim train --json */
    AIF_SWEEP_FACILITY,    /* the site (aif_run_site when the job does not load): aifsim facility --json */
    AIF_SWEEP_INFER,       /* aif_run_serve: aifsim infer --json */
    AIF_SWEEP_CLUSTER      /* aif_run_cluster: aifsim cluster --json (the scenario's job, or the synthetic
                              load when operations.load is synthetic; traces are not swept) */
} aif_sweep_command;

/* A parsed sweep file; owns its text and values.  Read-only once loaded. */
typedef struct aif_sweep aif_sweep;

/* Reads and checks a sweep file: every error is AIF_EINPUT at file:line:col with the
 * field path (an unknown key with a did-you-mean, an empty axis, a range that makes no
 * value or more than 10^8, zip groups of unequal length, a base that is neither a file
 * beside the sweep file nor a built-in example).  The catalog is not consulted: values
 * are checked when each point is loaded. */
aif_rc aif_sweep_load(const char *path, aif_sweep **out, aif_err *err);
/* The same from text in memory; name is used in messages and as the folder a relative
 * base is found in. */
aif_rc aif_sweep_parse(const char *text, size_t len, const char *name, aif_sweep **out, aif_err *err);
void aif_sweep_free(aif_sweep *sw);

long aif_sweep_n_points(const aif_sweep *sw);
int aif_sweep_command_of(const aif_sweep *sw);     /* aif_sweep_command */
const char *aif_sweep_table(const aif_sweep *sw);  /* the store's table: "train", "facility", "infer", "cluster" */
int aif_sweep_n_axes(const aif_sweep *sw);
const char *aif_sweep_axis_path(const aif_sweep *sw, int axis);
/* Point i's value of an axis (0 <= i < aif_sweep_n_points) and its key (17 bytes). */
const char *aif_sweep_point_value(const aif_sweep *sw, long i, int axis);
void aif_sweep_point_key(const aif_sweep *sw, long i, char key[17]);

/* The writers whose JSON objects become a row's columns (the CLI passes
 * aif_report_train_json, aif_report_facility_json, aif_report_serve_json,
 * aif_report_cluster_json). */
typedef struct aif_sweep_writers {
    char *(*train_json)(const aif_train_run *run);
    char *(*facility_json)(const aif_train_run *run);   /* a site with no job run */
    char *(*serve_json)(const aif_serve_run *run);
    char *(*cluster_json)(const aif_cluster_run *run);   /* needed only by cluster sweeps */
} aif_sweep_writers;

/* Where a sweep stands (aif_sweep_opts.progress, and the result of aif_sweep_run). */
typedef struct aif_sweep_status {
    long points;          /* in the sweep */
    long stored_before;   /* already in the store when it started: skipped */
    long done;            /* evaluated and committed by this run */
    long rejected;        /* of done: rows with an error message */
    double elapsed_s;     /* wall clock since the start */
    int jobs;             /* threads per process */
    int ranks, rank;      /* MPI ranks and this one's (1 and 0 without MPI) */
} aif_sweep_status;

typedef struct aif_sweep_opts {
    int jobs;                      /* threads; 0 = every online core */
    const char *csv;               /* also the whole table as CSV here (NULL: none) */
    aif_sweep_writers writers;
    /* Called on the calling thread of rank 0 after each committed batch and at least
     * every 0.2 s while points run; never on other ranks. */
    void (*progress)(const aif_sweep_status *st, void *ctx);
    void *progress_ctx;
    int batch_max;                 /* points per transaction at most (0: 4096) */
} aif_sweep_opts;

/* Runs every point of sw not yet in the store db_path (created when missing; WAL,
 * a busy timeout of 60 s) and commits each batch in one transaction.  c is shared
 * read-only by the threads.  Under mpirun (Open MPI's environment with more than one
 * rank) the points are split over the ranks and rank 0 alone writes the store; the
 * MPI part is a plugin opened with dlopen only then (aif_sweep_mpi_support).  st may
 * be NULL.  AIF_EIO names a store that cannot be opened or written. */
aif_rc aif_sweep_run(const aif_catalog *c, const aif_sweep *sw, const char *db_path, const aif_sweep_opts *o,
                     aif_sweep_status *st, aif_err *err);

/* Writes the sweep's table of db_path as CSV through aif_output (a regular file
 * replaced whole): a header of column names, one row per point in point order. */
aif_rc aif_sweep_export_csv(const char *db_path, const char *table, const char *csv_path, aif_err *err);

/* What a training sweep's store says, for the sweep report (aif_report_sweep_html):
 * the points that ran, with time, cost and energy, each marked when it is on a Pareto
 * front (no other point is at least as good on both figures and better on one), and
 * each axis's effect (the mean time per value).  Time is the time to train in days and
 * cost and energy its totals when every point has a token budget (train.tokens), else
 * the step time, the cost of a step owned (USD per GPU-hour x GPUs x step) and the
 * facility's energy per step (kWh). */
#define AIF_SWEEP_MAX_VALUES 24
typedef struct aif_sweep_effect {
    char path[160];                            /* the axis */
    int n;                                     /* values (the first AIF_SWEEP_MAX_VALUES, sorted) */
    char value[AIF_SWEEP_MAX_VALUES][40];
    double mean_time[AIF_SWEEP_MAX_VALUES];    /* over the points that ran with that value */
    long count[AIF_SWEEP_MAX_VALUES];
} aif_sweep_effect;
typedef struct aif_sweep_summary {
    long n_rows, n_rejected;                   /* rows of the train table, and those with an error */
    int per_run;                               /* 1: days, USD and MWh of the run; 0: per step */
    long n;                                    /* points that ran */
    double *time, *cost, *energy;              /* n each */
    unsigned char *front_cost, *front_energy;  /* n each: 1 on the time-cost (time-energy) front */
    aif_sweep_effect axes[32];
    int n_axes;
} aif_sweep_summary;
/* Reads the train table of db_path (AIF_EINPUT when it has none or no point ran). */
aif_rc aif_sweep_summary_load(const char *db_path, aif_sweep_summary *out, aif_err *err);
void aif_sweep_summary_free(aif_sweep_summary *s);

/* Whether this build runs sweeps on MPI: "yes (plugin PATH)" or "no (...)" naming why. */
const char *aif_sweep_mpi_support(void);

#ifdef __cplusplus
}
#endif
#endif
