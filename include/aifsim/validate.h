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

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct aif_val_row {
    char id[64], model[AIF_NAME_MAX], system[AIF_NAME_MAX], metric[32], convention[32];
    char framework[AIF_NAME_MAX];      /* the software stack the run was modelled with (train.framework) */
    char source[200];
    char group[64];                    /* training rows: the source group (column source_id, else the
                                          source's first word when it names a repository, else the
                                          source up to its first comma; "(no source)" when it
                                          names none): one paper or document */
    char arch[24];                     /* training and serving rows: the accelerator's calibration family */
    int gpus, line;
    int n_assumed;                     /* training rows: inputs the notes mark ASSUMED (the word, in capitals) */
    int nofit;                         /* training rows: 1 when the memory model says the job does not fit in
                                          GPU memory (the row does not describe the job as it was run) */
    int lora_rank;                     /* training rows: the LoRA rank (train.lora; 0 = every weight trained) */
    int moe;                           /* training and serving rows: 1 when the model routes to experts (model.moe) */
    char dispatch[16];                 /* training rows of MoE models with ep > 1: how the expert all-to-all
                                          moves tokens, train.ep_dispatch as the lowering resolves auto
                                          (alltoall, deepep, deepep-fp8, hybridep); empty otherwise */
    double measured, predicted, err;   /* err = (predicted - measured) / measured */
    aif_train_result r;
} aif_val_row;

typedef struct aif_validation {
    aif_val_row *rows;
    int n;
    double median_ape, mean_ape, max_ape;  /* absolute percentage errors, in % */
    double p90_ape;                        /* their 90th percentile (aif_percentile), in % */
    int worst;                             /* index of the row with max_ape */
    int n_assumed, n_rows_assumed;         /* ASSUMED inputs over all rows, and the rows with any */
    int n_nofit;                           /* rows with nofit set */
    double bias_pct;                       /* the median signed error as a rate (aif_val_rate_err), in %:
                                              positive, the model promises more than was measured */
    int n_high, n_low;                     /* rows whose rate error is above zero, and below it */
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
typedef struct aif_power_row { char id[48], what[160], source[1024]; double predicted_W, measured_W, err; } aif_power_row;
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
/* Published peak memory per GPU (validation/memory.csv format: the training table's
 * columns, metric AIF_METRIC_PEAK_MEMORY, GiB of the busiest GPU as the framework
 * reports it, PyTorch's peak of reserved bytes, against the memory model's total; or
 * AIF_METRIC_PEAK_ALLOCATED, PyTorch's peak of allocated bytes, the live tensors alone,
 * against the model's weights, gradients, optimizer state and activations without its
 * workspace: the CUDA context, NCCL's buffers and the caching allocator's free blocks);
 * a training table refuses such a row and a memory table any other. */
#define AIF_METRIC_PEAK_MEMORY "peak_memory_gib"
#define AIF_METRIC_PEAK_ALLOCATED "peak_allocated_gib"
aif_rc aif_validate_memory_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                               aif_validation *out, aif_err *err);
/* The rows of the memory table at path (NULL: the built-in validation/memory.csv). */
aif_rc aif_validate_memory_file(const aif_catalog *c, const char *path, aif_validation *out, aif_err *err);
/* The nccl-tests rows of the CSV file at path (NULL: the built-in validation/collectives.csv). */
aif_rc aif_validate_collectives_file(const aif_catalog *c, const char *path, aif_validation *out, aif_err *err);

/* Error statistics of a group of rows (absolute percentage errors, in %), and its bias:
 * the median of the signed errors as rates (aif_val_rate_err), in %. */
typedef struct aif_val_stats {
    int n;
    double median_ape, mean_ape, max_ape, p90_ape;
    int worst;                 /* index into the table's rows, -1 when n is 0 */
    double bias_pct;           /* positive: the model promises more than was measured */
    int n_high, n_low;         /* rows whose rate error is above zero, and below it */
} aif_val_stats;

/* A row's error err (predicted / measured - 1) in metric, signed as a rate: a time's
 * (a metric in seconds: step_time_s, ttft_*_s, tpot_*_s, itl_*_s) becomes its rate's,
 * measured / predicted - 1, so that above zero always means the model promises more (more
 * tokens, FLOP/s or bandwidth, sooner; for peak memory, more bytes) than was measured. */
double aif_val_rate_err(const char *metric, double err);
/* The bias of n rate errors (fractions; sorts a): the median in %, and the counts above
 * and below zero, into st. */
void aif_val_bias(double *a, int n, aif_val_stats *st);

/* Statistics of a training table's rows modelled with one software stack
 * (aif_val_row.framework, the table's `framework` column; empty = megatron-core). */
aif_rc aif_validation_framework_stats(const aif_validation *v, const char *framework, aif_val_stats *st,
                                      aif_err *err);
/* Statistics of a training table's LoRA fine-tuning rows (lora_rank > 0), whatever their stack. */
aif_rc aif_validation_lora_stats(const aif_validation *v, aif_val_stats *st, aif_err *err);
/* Statistics of a training table's rows on one accelerator calibration family
 * (aif_val_row.arch: hopper, blackwell, cdna3, tpu-v5, ...). */
aif_rc aif_validation_arch_stats(const aif_validation *v, const char *arch, aif_val_stats *st, aif_err *err);
/* Statistics of a training table's mixture-of-experts rows (moe 1) or dense rows (moe 0). */
aif_rc aif_validation_moe_stats(const aif_validation *v, int moe, aif_val_stats *st, aif_err *err);
/* Statistics of a training table's MoE rows with ep > 1 whose expert all-to-all moves
 * tokens one way (aif_val_row.dispatch: alltoall, deepep, deepep-fp8, hybridep). */
aif_rc aif_validation_dispatch_stats(const aif_validation *v, const char *dispatch, aif_val_stats *st,
                                     aif_err *err);

/* The distinct non-empty values of one field of a training table's rows, in order of first
 * appearance: the first max into out; returns how many there are (more than max when out
 * could not hold them all). */
typedef enum aif_val_field { AIF_VAL_FRAMEWORK, AIF_VAL_ARCH, AIF_VAL_DISPATCH } aif_val_field;
/* A serving table's rows carry the scheduler they were simulated with (serve.admission:
 * evict, no_evict, sglang) in aif_val_row.framework (JSON: "scheduler"). */
int aif_validation_distinct(const aif_validation *v, aif_val_field field, const char **out, int max);

/* The training table's error by class of run, the classes `aifsim validate --classes`
 * writes (CSV: class,name,runs,median_ape_pct,p90_ape_pct,bias_pct): every run ("all");
 * dense and MoE models ("kind"); MoE runs with ep > 1 by their dispatcher ("dispatch");
 * LoRA fine-tuning ("lora"); each accelerator calibration family ("family"); each
 * software stack ("stack").  The built-in table's is embedded as validation/classes.csv,
 * which the suite holds to what this writes, and which a training run reads for the runs
 * like it (aif_job_classes, include/aifsim/run.h; docs/VALIDATION.md, "Runs like this one"). */
aif_rc aif_validation_classes_write(const aif_validation *v, FILE *f, aif_err *err);

/* The nccl-tests rows carry their size band in aif_val_row.framework: from 1 MiB up
 * (the sizes training sends) or below, for aif_validation_framework_stats. */
#define AIF_COLL_BAND_BYTES 1048576.0
#define AIF_COLL_BAND_LARGE "from 1 MB up"
#define AIF_COLL_BAND_SMALL "below 1 MB"
/* Statistics of a collectives table's rows from 1 MB up run on lo to hi ranks (aif_val_row.gpus):
 * the classes aifsim validate prints, AIF_COLL_N_RANK_CLASSES of them (aif_coll_rank_classes). */
typedef struct aif_coll_rank_class {
    int lo, hi;
    const char *name;
} aif_coll_rank_class;
enum { AIF_COLL_N_RANK_CLASSES = 4 };
extern const aif_coll_rank_class aif_coll_rank_classes[AIF_COLL_N_RANK_CLASSES];
aif_rc aif_validation_coll_ranks_stats(const aif_validation *v, int lo, int hi, aif_val_stats *st, aif_err *err);
/* The p-quantile (0..1) of n sorted values, linear between the closest ranks
 * (sorted[p * (n - 1)], interpolated): p 0.5 is the median, 0.9 the 90th percentile. */
double aif_percentile(const double *sorted, int n, double p);

/* Leave one source out (aifsim validate --holdout source).  Every calibration
 * constant's citation (data/calibration.yaml, `sources:`) opens with its source kind:
 *   kernel          a kernel's own benchmark (a GEMM or attention kernel's paper or library)
 *   microbenchmark  a measurement of one operation (MAMF, BabelStream, launch latency)
 *   nccl-tests      collective bus bandwidth measured by nccl-tests
 *   datasheet       a vendor's published figure (SM count, peak)
 *   estimate        an engineering estimate from no end-to-end row (said so in its text)
 *   definition      not a measurement (the roofline family)
 *   row:GROUP       fitted to the training rows of source group GROUP (aif_val_row.group)
 * A constant tied to a group is fitted again without that group's rows (the value,
 * within 0.5..1.5 of the catalog's, that gives the smallest median error over the other
 * rows of its calibration family) and the group's rows are run with the refitted
 * values: its held-out error.  A group with no tied constant keeps its own errors. */
#define AIF_SOURCE_KINDS "kernel, microbenchmark, nccl-tests, datasheet, estimate, definition, row:GROUP"
/* The source kind of calibration family's field (a field of aif_calib, as named in
 * data/calibration.yaml) into kind ("row" for row:GROUP, with GROUP into group; "" when
 * its citation names none of the kinds above or there is no citation).  Returns 1 when the
 * citation names a kind, else 0. */
int aif_calib_source_kind(const aif_catalog *c, const char *family, const char *fld, char *kind, size_t kind_len,
                          char *group, size_t group_len);
/* The numeric fields of aif_calib by their data/calibration.yaml names, NULL-terminated. */
extern const char *const aif_calib_fields[];

typedef struct aif_holdout_group {
    char id[64];                /* aif_val_row.group */
    int n;                      /* its rows */
    int n_tied;                 /* calibration constants tied to it (row:GROUP) */
    char tied[256];             /* "family.field value -> refitted, ..." (truncated), empty when none */
    aif_val_stats own, held;    /* its rows' errors with the catalog's constants, and held out */
} aif_holdout_group;

typedef struct aif_holdout {
    aif_validation table;       /* every row with the catalog's constants */
    double *held_err;           /* per row of table: its error when its own group is held out */
    aif_holdout_group *groups;  /* in order of first appearance */
    int n_groups;
    int n_tied;                 /* constants tied to some training-row group in the table */
    int n_by_kind[8];           /* constants (family x field with a citation) by kind, in the order of
                                   AIF_SOURCE_KINDS; [7]: no kind named */
    double median_ape, p90_ape, mean_ape, max_ape;   /* over every row's held-out error, in % */
} aif_holdout;
extern const char *const aif_source_kind_names[];   /* the 7 kinds above then "none", as counted */

/* Runs the training table at path (NULL: the built-in one) through engine (aif_engine)
 * and holds each source group out of the constants tied to it. */
aif_rc aif_validate_holdout(const aif_catalog *c, const char *path, int engine, aif_holdout *out, aif_err *err);
void aif_holdout_free(aif_holdout *h);

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

/* A serving metric's group: "throughput" (throughput_tokens_per_s, requests_per_s), "ttft"
 * (ttft_*) or "tpot" (tpot_* and itl_*, the time between tokens). */
const char *aif_serve_metric_group(const char *metric);
/* Statistics of a serving table's rows of one metric group ("latency": ttft and tpot
 * together), of dense (moe 0) or MoE (1) models or either (-1), whose field is name: the
 * scheduler they were simulated with (AIF_VAL_FRAMEWORK) or the accelerator family
 * (AIF_VAL_ARCH); name NULL: any. */
aif_rc aif_validation_serve_stats(const aif_validation *v, const char *group, int moe, aif_val_field field,
                                  const char *name, aif_val_stats *st, aif_err *err);
/* The serving table's error by class of run, the classes `aifsim validate --infer-classes`
 * writes (the columns of aif_validation_classes_write): for each metric group (throughput,
 * ttft, tpot), every run ("GROUP", name "all"), dense and MoE models ("GROUP-kind", name
 * "dense" or "moe"), and within each kind each scheduler ("GROUP-kind-scheduler", name
 * "KIND/SCHEDULER") and each accelerator calibration family ("GROUP-kind-family", name
 * "KIND/FAMILY"); a class with no row is left out.  The built-in table's is embedded as
 * validation/infer_classes.csv, which the suite holds to what this writes, and which a
 * serving run reads for the runs like it (aif_serve_classes, include/aifsim/serve.h). */
aif_rc aif_validation_serve_classes_write(const aif_validation *v, FILE *f, aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
