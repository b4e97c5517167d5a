/* jobs.h -- the many-job cluster's input: a list of jobs, read from a public GPU
 * cluster trace or generated, in one plain array.
 *
 * Readers (src/ops/trace.c) turn each published format into this one shape and
 * nothing else; the cluster simulator (src/ops/) reads only this shape.  Times are
 * seconds from the trace's first submission (the earliest job submits at 0);
 * the list is sorted by submit time, ties in file order; ids are 0..n-1 in that
 * order.  A job's `duration_s` is its run time on `gpus` GPUs as the trace
 * recorded it (the simulator may stretch it: placement, failures, throttling). */
#ifndef AIF_OPS_JOBS_H
#define AIF_OPS_JOBS_H

#include <stdio.h>

#include "aifsim/aifsim.h"

typedef enum aif_job_kind {
    AIF_JOB_GENERIC,             /* a fixed duration on a fixed GPU count */
    AIF_JOB_TRAIN,               /* a training job: step time from the training model */
    AIF_JOB_SERVE,               /* a serving deployment: its replicas for its duration (the serving model) */
} aif_job_kind;

typedef enum aif_trace_format {
    AIF_TRACE_PHILLY,            /* Microsoft Philly cluster_job_log (JSON array) */
    AIF_TRACE_HELIOS,            /* SenseTime Helios cluster_log.csv */
    AIF_TRACE_PAI,               /* Alibaba PAI 2020 pai_job_table.csv (+ pai_task_table.csv) */
    AIF_TRACE_ACME,              /* Shanghai AI Lab Acme job trace (CSV) */
    AIF_TRACE_SYNTHETIC,         /* generated (aif_jobs_synth) */
} aif_trace_format;

extern const char *const aif_trace_format_names[];   /* "philly", "helios", "pai", "acme", "synthetic" */
extern const char *const aif_job_kind_names[];       /* "generic", "train", "serve" */

#define AIF_JOB_NAME_MAX 32
#define AIF_TENANT_MAX 32
#define AIF_JOBS_MAX 50000000          /* jobs one trace may hold */
#define AIF_JOB_GPUS_MAX 1000000       /* GPUs of one job */
#define AIF_JOBS_TEXT_MAX 2147483647u  /* bytes of one trace file (line numbers stay ints) */

typedef struct aif_job {
    int id;                      /* 0..n-1 in submit order */
    int kind;                    /* aif_job_kind */
    double submit_s;             /* seconds after the first submission */
    double duration_s;           /* run time as recorded (> 0) */
    double walltime_s;           /* limit; 0 = none */
    int gpus;                    /* >= 1 */
    int min_gpus, max_gpus;      /* elastic bounds; both = gpus when not elastic */
    int priority;                /* larger runs first under the priority policies */
    int tenant;                  /* index into aif_job_list.tenants */
    char name[AIF_JOB_NAME_MAX]; /* the trace's job id, cut to fit */
} aif_job;

typedef struct aif_job_list {
    aif_job *jobs;               /* n, sorted by submit_s */
    int n;
    char (*tenants)[AIF_TENANT_MAX];   /* n_tenants names (virtual cluster, user, group) */
    int n_tenants;
} aif_job_list;

/* Synthetic multi-tenant load: Poisson arrivals at rate_per_h; GPU counts drawn
 * from powers of two between 1 and max_gpus with weights falling as 1/gpus^size_skew;
 * durations lognormal with the given median and sigma; tenants drawn with Zipf
 * weights (exponent 1).  Same seed, same list. */
typedef struct aif_synth_spec {
    int jobs;                    /* how many */
    double rate_per_h;           /* arrivals per hour */
    int max_gpus;                /* largest job (a power of two) */
    double size_skew;            /* 0 = every size alike; 1 = weight 1/gpus */
    double duration_median_s, duration_sigma;
    int tenants;                 /* >= 1 */
    unsigned long long seed;
    double elastic_share;        /* share of jobs made elastic: min_gpus = max(1, gpus/2), max_gpus = 2 gpus
                                    (at most max_gpus); drawn from a stream of its own, so 0 leaves the list as before */
} aif_synth_spec;

/* Parses a trace's text in the given format; `name` is the file name used in
 * errors (file:line and the field).  max_jobs 0 = all, else the max_jobs earliest
 * submissions (the whole text is still read and checked).  Bad rows are errors
 * naming the line, the field, what was found and what is accepted; rows the
 * format itself marks as not a GPU run (a Philly job that never started or still
 * runs, a Helios or Acme CPU job or one that never started, a PAI job without a
 * GPU task that ran) are skipped and counted in *skipped (may be NULL).  Each
 * format's columns, sources and choices: src/ops/trace.c and docs/CLUSTER.md. */
aif_rc aif_jobs_parse(const char *text, size_t len, int format, const char *name, long max_jobs,
                      aif_job_list *out, long *skipped, aif_err *err);
/* Reads the file and parses it (aif_jobs_parse). */
aif_rc aif_jobs_read(const char *path, int format, long max_jobs, aif_job_list *out, long *skipped, aif_err *err);
/* Generates the synthetic load. */
aif_rc aif_jobs_synth(const aif_synth_spec *spec, aif_job_list *out, aif_err *err);
/* Writes the list in a published format (to make the test samples and the
 * round-trip tests): parse(write(list)) == list up to the format's precision. */
aif_rc aif_jobs_write(const aif_job_list *l, int format, FILE *f, aif_err *err);
void aif_job_list_free(aif_job_list *l);

/* Alibaba PAI 2020 from both of its tables (pai_job_table.csv, then
 * pai_task_table.csv): a job submits at the job table's start_time and its tenant
 * is the user; aif_jobs_parse with AIF_TRACE_PAI reads the task table alone (a job
 * submits at its first task's launch; one tenant, "none").  aif_jobs_read with
 * AIF_TRACE_PAI takes "JOB.csv,TASK.csv" for both (a path naming an existing file
 * is that file alone).  Errors name the file and line of either table. */
aif_rc aif_jobs_parse_pai(const char *job_text, size_t job_len, const char *job_name, const char *task_text,
                          size_t task_len, const char *task_name, long max_jobs, aif_job_list *out, long *skipped,
                          aif_err *err);
/* Writes both PAI tables (aif_jobs_write with AIF_TRACE_PAI writes the task table
 * alone, which does not hold the tenants). */
aif_rc aif_jobs_write_pai(const aif_job_list *l, FILE *job_f, FILE *task_f, aif_err *err);

#endif
