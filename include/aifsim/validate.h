/* validate.h -- published measurements against aifsim: training runs
 * (validation/train.csv) through either engine, nccl-tests tables
 * (validation/collectives.csv) through the closed-form collective model, and
 * published power figures (validation/power.yaml) through the power model, and
 * published serving figures (validation/infer.csv) through aif_run_serve.
 * Every prediction is in the source's own metric; formats in docs/CATALOGS.md. */
#ifndef AIFSIM_VALIDATE_H
#define AIFSIM_VALIDATE_H

#include "aifsim/aifsim.h"
#include "aifsim/run.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aif_val_row {
    char id[64], model[AIF_NAME_MAX], system[AIF_NAME_MAX], metric[32], convention[32];
    char framework[AIF_NAME_MAX];      /* the software stack the run was modelled with (train.framework) */
    char source[200];
    int gpus, line;
    double measured, predicted, err;   /* err = (predicted - measured) / measured */
    aif_train_result r;
} aif_val_row;

typedef struct aif_validation {
    aif_val_row *rows;
    int n;
    double median_ape, mean_ape, max_ape;  /* absolute percentage errors, in % */
    int worst;                             /* index of the row with max_ape */
    int n_skipped;                         /* rows naming hardware outside the catalogs, or no size */
#define AIF_MAX_SKIPPED 64
    char skipped[AIF_MAX_SKIPPED][96];     /* "line N (id): why" of the first skipped rows */
} aif_validation;

/* The FLOPs of one step counted as a source counted them (see docs/CATALOGS.md):
 * megatron_recompute, megatron, 6nd, 6nd_attn, model.  -1 for an unknown name. */
double aif_flops_by_convention(const char *convention, const aif_scenario *s, const aif_train_result *r);
/* Runs every row of a validation CSV (text of `name`). */
aif_rc aif_validate_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                        aif_validation *out, aif_err *err);
/* The same rows through the simulating engine (aif_simulate). */
aif_rc aif_validate_csv_sim(const aif_catalog *c, const char *text, size_t len, const char *name,
                            aif_validation *out, aif_err *err);
void aif_validation_free(aif_validation *v);
/* Published power figures (validation/power.yaml) against the power model. */
typedef struct aif_power_row { char id[48], what[160], source[640]; double predicted_W, measured_W, err; } aif_power_row;
/* Fills at most max rows; returns the count, or -1 with err filled. */
int aif_validate_power(const aif_catalog *c, aif_power_row *rows, int max, aif_err *err);
/* Runs every row of an nccl-tests table (validation/collectives.csv format) through
 * the closed-form collective model; the metric is bus bandwidth in GB/s. */
aif_rc aif_validate_collectives_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                                    aif_validation *out, aif_err *err);
const char *aif_builtin_collectives_csv(size_t *len);
/* The built-in validation/train.csv. */
const char *aif_builtin_validation_csv(size_t *len);

/* The training rows of the CSV file at path (NULL: the built-in validation/train.csv)
 * through the given engine (aif_engine). */
aif_rc aif_validate_train_file(const aif_catalog *c, const char *path, int engine, aif_validation *out,
                               aif_err *err);
/* The same, calling progress(fraction of the table done, progress_ctx) after each row
 * and progress(1, ...) at the end (progress NULL: none). */
aif_rc aif_validate_train_file_progress(const aif_catalog *c, const char *path, int engine,
                                        void (*progress)(double done, void *ctx), void *progress_ctx,
                                        aif_validation *out, aif_err *err);
/* The nccl-tests rows of the CSV file at path (NULL: the built-in validation/collectives.csv). */
aif_rc aif_validate_collectives_file(const aif_catalog *c, const char *path, aif_validation *out, aif_err *err);

/* Error statistics of a group of rows (absolute percentage errors, in %). */
typedef struct aif_val_stats {
    int n;
    double median_ape, mean_ape, max_ape;
    int worst;                 /* index into the table's rows, -1 when n is 0 */
} aif_val_stats;

/* Statistics of a training table's rows modelled with one software stack
 * (aif_val_row.framework, the table's `framework` column; empty = megatron-core). */
aif_rc aif_validation_framework_stats(const aif_validation *v, const char *framework, aif_val_stats *st,
                                      aif_err *err);

/* The nccl-tests rows carry their size band in aif_val_row.framework: from 1 MiB up
 * (the sizes training sends) or below, for aif_validation_framework_stats. */
#define AIF_COLL_BAND_BYTES 1048576.0
#define AIF_COLL_BAND_LARGE "from 1 MB up"
#define AIF_COLL_BAND_SMALL "below 1 MB"

/* Published serving figures against aif_run_serve.  table holds every compared row
 * (metric throughput_tokens_per_s, requests_per_s, ttft_p50_s, ttft_p99_s,
 * tpot_p50_s, tpot_p99_s, ttft_mean_s or tpot_mean_s; convention "deployment" or "per_node") with the
 * statistics over all of them, and the rows skipped with their reasons;
 * throughput and latency are the two metric groups' own statistics, ttft and
 * tpot the latency group's two halves. */
typedef struct aif_serve_validation {
    aif_validation table;
    aif_val_stats throughput;  /* throughput_tokens_per_s and requests_per_s rows */
    aif_val_stats latency;     /* ttft_* and tpot_* rows */
    aif_val_stats ttft, tpot;  /* the latency rows apart: ttft_* rows, tpot_* rows */
} aif_serve_validation;

/* Runs every row of a serving table (validation/infer.csv format, docs/CATALOGS.md). */
aif_rc aif_validate_serve_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                              aif_serve_validation *out, aif_err *err);
/* The rows of the CSV file at path (NULL: the built-in validation/infer.csv). */
aif_rc aif_validate_serve_file(const aif_catalog *c, const char *path, aif_serve_validation *out, aif_err *err);
/* The built-in validation/infer.csv. */
const char *aif_builtin_infer_csv(size_t *len);
void aif_serve_validation_free(aif_serve_validation *v);

#ifdef __cplusplus
}
#endif
#endif
