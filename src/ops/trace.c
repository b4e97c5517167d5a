/* trace.c -- the readers and writers of public GPU cluster job traces (jobs.h): each
 * published format turned into one aif_job_list, and a list written back in it.
 *
 * Formats, as their publishers released them (docs/CLUSTER.md, "Traces"):
 *  - philly: Microsoft Philly cluster_job_log (github.com/msr-fiddle/philly-traces,
 *    README "cluster_job_log"): one JSON array of jobs {status, vc, jobid,
 *    submitted_time, user, attempts: [{start_time, end_time, detail: [{ip, gpus: []}]}]},
 *    times "YYYY-MM-DD HH:MM:SS" (a start or end may be null: a logging error, or a
 *    job still running when the snapshot was taken).  GPUs: those of the last attempt
 *    that started (the one that ran to the job's end); duration: the sum of the
 *    attempts' end - start (the time the job held GPUs; the gaps between attempts are
 *    waiting).  Skipped and counted: no attempt ever started, the last attempt still
 *    running (no end), no GPU in the last attempt, no recorded run time.  Tenant: vc.
 *    Errors name the line where the job's element starts and its index ([17].vc).
 *  - helios: SenseTime Helios cluster_log.csv (github.com/S-Lab-System-Group/HeliosData,
 *    README "cluster_log.csv"): a header row job_id,user,vc,gpu_num,cpu_num,node_num,
 *    state,submit_time,start_time,end_time,duration,queue; times "YYYY-MM-DD HH:MM:SS",
 *    duration and queue in seconds.  Columns are found by name (others ignored).
 *    Skipped: gpu_num 0 (CPU jobs), no start_time or no or zero duration (never ran).
 *    Tenant: vc.
 *  - acme: Shanghai AI Lab Acme trace_seren.csv / trace_kalos.csv
 *    (github.com/InternLM/AcmeTrace, README "Job Trace"): a header row with job_id,
 *    user, node_num, gpu_num, cpu_num, type, state, submit_time, start_time, end_time,
 *    duration, queue, gpu_time (Kalos adds mem_per_pod_GB, shared_mem_per_pod,
 *    fail_time, stop_time); times "YYYY-MM-DD HH:MM:SS+08:00".  Skipped as for
 *    helios.  Tenant: user (the trace has no virtual cluster).
 *  - pai: Alibaba PAI 2020 (github.com/alibaba/clusterdata, cluster-trace-gpu-v2020/
 *    README and the data/ .header files): CSV files without a header row (one equal to the
 *    .header file is accepted and skipped).  pai_job_table: job_name, inst_id, user,
 *    status, start_time (the submission), end_time; pai_task_table: job_name,
 *    task_name, inst_num, status, start_time (the launch), end_time, plan_cpu,
 *    plan_mem, plan_gpu (percent of one GPU), gpu_type; times in seconds.  A job's
 *    GPUs = ceil(sum over its tasks of inst_num * plan_gpu / 100); its duration the
 *    latest task end - the earliest task start; tasks without a GPU or without both
 *    times (never launched, still running) do not count, and a job left with none
 *    is skipped.  Given the task table alone (aif_jobs_parse) a job submits at its
 *    first launch and every job has the tenant "none"; given both
 *    (aif_jobs_parse_pai; aif_jobs_read with "JOB.csv,TASK.csv") it submits at the
 *    job table's start_time, with the user as tenant.
 *
 * Invariants of every list handed back: submit_s >= 0 and the earliest job submits
 * at 0; sorted by submit_s, ties in file order; ids 0..n-1 in that order;
 * duration_s > 0 and finite; 1 <= gpus <= AIF_JOB_GPUS_MAX; min_gpus = max_gpus =
 * gpus; priority 0; walltime 0; kind AIF_JOB_GENERIC (no format records a model);
 * every tenant index < n_tenants and every tenant used.  On an error the list is
 * empty and nothing is left allocated.
 *
 * Speed: one pass over the text; a row costs no allocation (jobs, tenants and the
 * hash tables grow by doubling); dates are parsed by hand; the sort is skipped when
 * the file is already in submit order (the traces are). */
#include "ops/jobs.h"
#include "base/base.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const aif_trace_format_names[] = {"philly", "helios", "pai", "acme", "synthetic", NULL};
const char *const aif_job_kind_names[] = {"generic", "train", "serve", NULL};

#define FIELD_MAX 256   /* a CSV field or JSON string this reader reads (names, numbers, times) */
#define PAI_NAME_MAX 64 /* a PAI job_name (the join key; 24 characters in the release) */
#define MAX_FIELDS 64   /* CSV columns */
#define TIME_MAX_S 1e10 /* a time or duration beyond this (317 years) is refused */

/* ------------------------------------------------------------ the reader */

typedef struct rd {
    const char *name;   /* file name for errors */
    aif_err *err;
    const char *p, *end;
    int line;           /* of p */
    const char *ls;     /* start of p's line */
    /* the list being built: submit_s holds absolute seconds until finish() */
    aif_job *jobs;
    long n, cap;
    char (*ten)[AIF_TENANT_MAX];
    long n_ten, cap_ten;
    int *ten_slot;      /* open addressing: tenant index + 1, 0 = empty */
    long n_slot;
    long skipped;
} rd;

static int col_of(const rd *r, const char *at) { return (int)(at - r->ls) + 1; }

static aif_rc bad(rd *r, int line, int col, const char *path, const char *fmt, ...) AIF_PRINTF(5, 6);
static aif_rc bad(rd *r, int line, int col, const char *path, const char *fmt, ...)
{
    char msg[sizeof r->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return aif_err_set(r->err, AIF_EINPUT, r->name, line, col, path, "%s", msg);
}

static aif_rc oom(rd *r) { return aif_err_set(r->err, AIF_ENOMEM, r->name, r->line, 0, NULL, "out of memory"); }

static void rd_free(rd *r)
{
    free(r->jobs);
    free(r->ten);
    free(r->ten_slot);
    r->jobs = NULL;
    r->ten = NULL;
    r->ten_slot = NULL;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return aif_mix64(h);
}

/* The index of tenant s (cut to AIF_TENANT_MAX - 1 bytes, interned on the cut name), or -1 out of memory. */
static int tenant(rd *r, const char *s, size_t n)
{
    if (n > AIF_TENANT_MAX - 1)
        n = AIF_TENANT_MAX - 1;
    if (r->n_ten * 2 >= r->n_slot) {   /* keep the table at most half full */
        long ns = r->n_slot ? r->n_slot * 2 : 64;
        int *t = calloc((size_t)ns, sizeof *t);
        if (!t)
            return -1;
        for (long i = 0; i < r->n_ten; i++) {
            uint64_t h = hash_bytes(r->ten[i], strlen(r->ten[i])) & (uint64_t)(ns - 1);
            while (t[h])
                h = (h + 1) & (uint64_t)(ns - 1);
            t[h] = (int)i + 1;
        }
        free(r->ten_slot);
        r->ten_slot = t;
        r->n_slot = ns;
    }
    uint64_t h = hash_bytes(s, n) & (uint64_t)(r->n_slot - 1);
    while (r->ten_slot[h]) {
        const char *t = r->ten[r->ten_slot[h] - 1];
        if (strlen(t) == n && !memcmp(t, s, n))
            return r->ten_slot[h] - 1;
        h = (h + 1) & (uint64_t)(r->n_slot - 1);
    }
    if (aif_grow((void **)&r->ten, &r->cap_ten, r->n_ten + 1, sizeof *r->ten))
        return -1;
    memcpy(r->ten[r->n_ten], s, n);
    r->ten[r->n_ten][n] = '\0';
    r->ten_slot[h] = (int)r->n_ten + 1;
    return (int)r->n_ten++;
}

/* Appends a job (submit in absolute seconds); its id is its file order. */
static aif_rc add_job(rd *r, int line, const char *name, size_t name_len, int ten, double submit_s, double dur_s,
                      int gpus)
{
    if (r->n >= AIF_JOBS_MAX)
        return bad(r, line, 0, NULL, "more than %d jobs; a trace holds at most that many (cut it, or give max_jobs)",
                   AIF_JOBS_MAX);
    if (aif_grow((void **)&r->jobs, &r->cap, r->n + 1, sizeof *r->jobs))
        return oom(r);
    aif_job *j = &r->jobs[r->n];
    memset(j, 0, sizeof *j);
    j->id = (int)r->n;
    j->kind = AIF_JOB_GENERIC;
    j->submit_s = submit_s;
    j->duration_s = dur_s;
    j->gpus = j->min_gpus = j->max_gpus = gpus;
    j->tenant = ten;
    if (name_len > AIF_JOB_NAME_MAX - 1)
        name_len = AIF_JOB_NAME_MAX - 1;
    memcpy(j->name, name, name_len);
    r->n++;
    return AIF_OK;
}

static int cmp_job(const void *a, const void *b)
{
    const aif_job *x = a, *y = b;
    if (x->submit_s != y->submit_s)
        return x->submit_s < y->submit_s ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Sorts (stably: ties by file order), cuts to max_jobs, drops unused tenants,
 * makes times relative to the first submission and hands the list over. */
static aif_rc finish(rd *r, long max_jobs, aif_job_list *out, long *skipped)
{
    int sorted = 1;
    for (long i = 1; i < r->n && sorted; i++)
        sorted = r->jobs[i - 1].submit_s <= r->jobs[i].submit_s;
    if (!sorted)
        qsort(r->jobs, (size_t)r->n, sizeof *r->jobs, cmp_job);
    if (max_jobs > 0 && r->n > max_jobs)
        r->n = max_jobs;
    /* tenants: keep those used, in their first-use order of the file */
    int *map = malloc((size_t)(r->n_ten ? r->n_ten : 1) * sizeof *map);
    if (!map)
        return oom(r);
    for (long t = 0; t < r->n_ten; t++)
        map[t] = -1;
    for (long i = 0; i < r->n; i++)
        map[r->jobs[i].tenant] = 0;
    int k = 0;
    for (long t = 0; t < r->n_ten; t++)
        if (map[t] == 0) {
            if (k != t)
                memcpy(r->ten[k], r->ten[t], AIF_TENANT_MAX);
            map[t] = k++;
        }
    double t0 = r->n ? r->jobs[0].submit_s : 0;
    for (long i = 0; i < r->n; i++) {
        aif_job *j = &r->jobs[i];
        j->id = (int)i;
        j->tenant = map[j->tenant];
        j->submit_s -= t0;
    }
    free(map);
    free(r->ten_slot);
    r->ten_slot = NULL;
    out->jobs = r->jobs;
    out->n = (int)r->n;
    out->tenants = r->ten;
    out->n_tenants = k;
    r->jobs = NULL;
    r->ten = NULL;
    if (skipped)
        *skipped = r->skipped;
    return AIF_OK;
}

/* ------------------------------------------------------- values in text */

/* Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int digits(const char *s, int n, int *v)
{
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        x = x * 10 + (s[i] - '0');
    }
    *v = x;
    return 0;
}

/* "YYYY-MM-DD HH:MM:SS" (or T), optional fraction, optional zone Z, +hh:mm, -hh:mm,
 * +hhmm; years 1970..2999 (so that whatever is read can be written: WRITE_SPAN_MAX_S); seconds since the epoch (the zone taken off). 0 or -1. */
static int parse_date(const char *s, size_t n, double *out)
{
    int Y, M, D, h, mi, se;
    if (n < 19 || digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) || s[7] != '-' || digits(s + 8, 2, &D) ||
        (s[10] != ' ' && s[10] != 'T') || digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
        s[16] != ':' || digits(s + 17, 2, &se))
        return -1;
    static const int mdays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (Y % 4 == 0 && Y % 100 != 0) || Y % 400 == 0;
    if (Y < 1970 || Y > 2999 || M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || (M == 2 && D == 29 && !leap) ||
        h > 23 || mi > 59 || se > 60)
        return -1;
    double frac = 0;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        double sc = 0.1;
        i++;
        if (i >= n || s[i] < '0' || s[i] > '9')
            return -1;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, sc *= 0.1)
            frac += (s[i] - '0') * sc;
    }
    int off = 0;
    if (i < n && s[i] == 'Z')
        i++;
    else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om, sign = s[i] == '-' ? -1 : 1;
        if (i + 6 <= n && s[i + 3] == ':' && !digits(s + i + 1, 2, &oh) && !digits(s + i + 4, 2, &om))
            i += 6;
        else if (i + 5 <= n && !digits(s + i + 1, 2, &oh) && !digits(s + i + 3, 2, &om))
            i += 5;
        else
            return -1;
        if (oh > 14 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
    }
    if (i != n)
        return -1;
    *out = (double)days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400.0 + h * 3600.0 + mi * 60.0 + se + frac - off;
    return 0;
}

/* A decimal number (strtod's syntax, no hex, no inf or nan), finite.  0 or -1. */
static int parse_number(const char *s, size_t n, double *out)
{
    char b[64];
    if (n == 0 || n >= sizeof b)
        return -1;
    if (n <= 15) {   /* the common case, a plain whole number: no strtod (a 1M-row file has millions) */
        long long x = 0;
        size_t i = 0;
        for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            x = x * 10 + (s[i] - '0');
        if (i == n) {
            *out = (double)x;
            return 0;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.' || c == 'e' || c == 'E'))
            return -1;
    }
    memcpy(b, s, n);
    b[n] = '\0';
    char *e;
    errno = 0;
    double v = strtod(b, &e);
    if (e != b + n || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

/* A field quoted in a message: at most 60 bytes, "..." when cut. */
static const char *quote(const char *s, size_t n, char *buf, size_t cap)
{
    if (n > 60)
        snprintf(buf, cap, "'%.60s...'", s);
    else
        snprintf(buf, cap, "'%.*s'", (int)n, s);
    return buf;
}

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------- CSV */

typedef struct field {
    const char *s;      /* the value (unquoted: in the row's scratch buffer) */
    size_t n;
    int col;            /* column of the field's first byte in its line */
} field;

typedef struct row {
    field f[MAX_FIELDS];
    int nf;             /* fields found (may exceed MAX_FIELDS: counted, not kept) */
    int line;           /* where the row starts */
    char scratch[4 * FIELD_MAX];   /* unquoted values */
    size_t used;
} row;

/* Reads the next row of RFC 4180 CSV at r->p: fields split at commas, a field in
 * double quotes may hold commas, newlines and "" for a quote; CRLF or LF ends a row.
 * 1 = a row, 0 = end of text, -1 = error (filled). */
static int csv_row(rd *r, row *w)
{
    if (r->p >= r->end)
        return 0;
    w->nf = 0;
    w->used = 0;
    w->line = r->line;
    for (;;) {
        const char *st = r->p;
        field fl = {st, 0, col_of(r, st)};
        if (r->p < r->end && *r->p == '"') {
            int line0 = r->line, col0 = fl.col;
            char *dst = w->scratch + w->used;
            size_t room = sizeof w->scratch - w->used, k = 0;
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return bad(r, line0, col0, NULL, "a quoted field is never closed (a field that starts with \" ends "
                                                     "with \"; a quote inside is written \"\")"), -1;
                char c = *r->p++;
                if (c == '"') {
                    if (r->p < r->end && *r->p == '"')
                        r->p++;
                    else
                        break;
                } else if (c == '\n') {
                    r->line++;
                    r->ls = r->p;
                }
                if (k >= FIELD_MAX || k + 1 >= room)
                    return bad(r, line0, col0, NULL, "a quoted field longer than %d bytes; names, numbers and times are "
                                                     "shorter", FIELD_MAX), -1;
                dst[k++] = c;
            }
            fl.s = dst;
            fl.n = k;
            w->used += k;
            if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
                return bad(r, r->line, col_of(r, r->p), NULL,
                           "text after a quoted field's closing quote (a quote inside a field is written \"\")"), -1;
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
                r->p++;
            fl.n = (size_t)(r->p - st);
        }
        if (w->nf < MAX_FIELDS)
            w->f[w->nf] = fl;
        if (w->nf < INT_MAX)
            w->nf++;
        if (r->p >= r->end)
            return 1;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == '\r') {
            r->p++;
            if (r->p < r->end && *r->p != '\n')
                return bad(r, r->line, col_of(r, r->p - 1), NULL,
                           "a carriage return inside a row (rows end with LF or CRLF)"), -1;
        }
        if (r->p < r->end) {   /* '\n' */
            r->p++;
            r->line++;
            r->ls = r->p;
        }
        return 1;
    }
}

static int blank_row(const row *w) { return w->nf == 1 && w->f[0].n == 0; }

/* A column's value as a number within [lo, hi]; whole = a whole number. */
static aif_rc num_field(rd *r, const row *w, int i, const char *col, double lo, double hi, int whole, double *v,
                        const char *accepted)
{
    const field *f = &w->f[i];
    char q[80];
    if (parse_number(f->s, f->n, v) || *v < lo || *v > hi || (whole && *v != floor(*v)))
        return bad(r, w->line, f->col, col, "%s is %s; accepted: %s", col, f->n ? quote(f->s, f->n, q, sizeof q) :
                   "empty", accepted);
    return AIF_OK;
}

static aif_rc date_field(rd *r, const row *w, int i, const char *col, double *v)
{
    const field *f = &w->f[i];
    char q[80];
    if (parse_date(f->s, f->n, v))
        return bad(r, w->line, f->col, col, "%s is %s; accepted: a date 'YYYY-MM-DD HH:MM:SS' (years 1970 to 2999, an "
                   "optional fraction and zone such as +08:00)", col, f->n ? quote(f->s, f->n, q, sizeof q) : "empty");
    return AIF_OK;
}

static aif_rc text_field(rd *r, const row *w, int i, const char *col)
{
    const field *f = &w->f[i];
    if (has_control(f->s, f->n))
        return bad(r, w->line, f->col, col, "%s holds a control character; accepted: printable text", col);
    return AIF_OK;
}

/* ------------------------------------------------- helios and acme (CSV) */

enum { C_ID, C_TENANT, C_GPUS, C_SUBMIT, C_START, C_DURATION, N_COLS };

static aif_rc parse_header_csv(rd *r, int format)
{
    const char *const names_helios[N_COLS] = {"job_id", "vc", "gpu_num", "submit_time", "start_time", "duration"};
    const char *const names_acme[N_COLS] = {"job_id", "user", "gpu_num", "submit_time", "start_time", "duration"};
    const char *const *names = format == AIF_TRACE_HELIOS ? names_helios : names_acme;
    const char *expect = format == AIF_TRACE_HELIOS
                             ? "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue"
                             : "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,"
                               "queue,gpu_time (trace_seren.csv; trace_kalos.csv adds columns)";
    int at[N_COLS];
    row *w = malloc(sizeof *w);
    if (!w)
        return oom(r);
    aif_rc rc = AIF_OK;
    int got = csv_row(r, w);
    if (got < 0) {
        rc = r->err->rc;
        goto done;
    }
    if (got == 0) {
        rc = bad(r, 1, 0, NULL, "the trace is empty; the %s trace starts with the header row %s",
                 aif_trace_format_names[format], expect);
        goto done;
    }
    for (int c = 0; c < N_COLS; c++) {
        at[c] = -1;
        for (int i = 0; i < w->nf && i < MAX_FIELDS; i++)
            if (strlen(names[c]) == w->f[i].n && !memcmp(names[c], w->f[i].s, w->f[i].n)) {
                if (at[c] >= 0) {
                    rc = bad(r, w->line, w->f[i].col, names[c], "the header names column %s twice", names[c]);
                    goto done;
                }
                at[c] = i;
            }
        if (at[c] < 0) {
            rc = bad(r, w->line, 1, names[c], "the header has no column %s; the %s trace's header is %s", names[c],
                     aif_trace_format_names[format], expect);
            goto done;
        }
    }
    int n_head = w->nf;
    for (;;) {
        got = csv_row(r, w);
        if (got < 0) {
            rc = r->err->rc;
            break;
        }
        if (got == 0)
            break;
        if (blank_row(w) && (r->p >= r->end))
            break;   /* a last empty line */
        if (w->nf != n_head) {
            rc = bad(r, w->line, 1, NULL, "%d fields; the header has %d", w->nf, n_head);
            break;
        }
        for (int c = 0; c < N_COLS; c++)
            if (at[c] >= MAX_FIELDS) {
                rc = bad(r, w->line, 1, names[c], "column %s is beyond the %dth", names[c], MAX_FIELDS);
                goto done;
            }
        double gpus, submit, dur;
        const field *fs = &w->f[at[C_START]], *fd = &w->f[at[C_DURATION]];
        if ((rc = text_field(r, w, at[C_ID], names[C_ID])) || (rc = text_field(r, w, at[C_TENANT], names[C_TENANT])) ||
            (rc = num_field(r, w, at[C_GPUS], "gpu_num", 0, AIF_JOB_GPUS_MAX, 1, &gpus,
                            "a whole number of GPUs from 0 (a CPU job, skipped) to 1000000")) ||
            (rc = date_field(r, w, at[C_SUBMIT], "submit_time", &submit)))
            break;
        if (gpus == 0 || fs->n == 0 || fd->n == 0) {   /* a CPU job; a job that never started */
            r->skipped++;
            continue;
        }
        double start;
        if ((rc = date_field(r, w, at[C_START], "start_time", &start)) ||
            (rc = num_field(r, w, at[C_DURATION], "duration", 0, TIME_MAX_S, 0, &dur,
                            "seconds from 0 (never ran, skipped) to 1e10")))
            break;
        if (dur == 0) {
            r->skipped++;
            continue;
        }
        int ten = tenant(r, w->f[at[C_TENANT]].s, w->f[at[C_TENANT]].n);
        if (ten < 0) {
            rc = oom(r);
            break;
        }
        if ((rc = add_job(r, w->line, w->f[at[C_ID]].s, w->f[at[C_ID]].n, ten, submit, dur, (int)gpus)))
            break;
    }
done:
    free(w);
    return rc;
}

/* ------------------------------------------------------------ pai (CSV) */

typedef struct pai_job {
    char name[PAI_NAME_MAX + 1];
    int line;           /* where it first appears */
    int in_table;       /* 1: from the job table */
    int ten;
    double submit_s;    /* the job table's start_time */
    double gpu_sum;     /* sum of inst_num * plan_gpu / 100 over its counted tasks */
    double first_s, last_s;   /* earliest counted launch, latest counted end */
    int tasks;          /* counted tasks */
} pai_job;

typedef struct pai {
    pai_job *j;
    long n, cap;
    long *slot;         /* job index + 1, 0 = empty */
    long n_slot;
} pai;

static long pai_find(pai *t, const char *s, size_t n, int create)
{
    if (create && (t->n + 1) * 2 >= t->n_slot) {
        long ns = t->n_slot ? t->n_slot * 2 : 1024;
        long *sl = calloc((size_t)ns, sizeof *sl);
        if (!sl)
            return -2;
        for (long i = 0; i < t->n; i++) {
            uint64_t h = hash_bytes(t->j[i].name, strlen(t->j[i].name)) & (uint64_t)(ns - 1);
            while (sl[h])
                h = (h + 1) & (uint64_t)(ns - 1);
            sl[h] = i + 1;
        }
        free(t->slot);
        t->slot = sl;
        t->n_slot = ns;
    }
    if (!t->n_slot)
        return -1;
    uint64_t h = hash_bytes(s, n) & (uint64_t)(t->n_slot - 1);
    while (t->slot[h]) {
        const char *x = t->j[t->slot[h] - 1].name;
        if (strlen(x) == n && !memcmp(x, s, n))
            return t->slot[h] - 1;
        h = (h + 1) & (uint64_t)(t->n_slot - 1);
    }
    if (!create)
        return -1;
    if (t->n >= AIF_JOBS_MAX || aif_grow((void **)&t->j, &t->cap, t->n + 1, sizeof *t->j))
        return -2;
    pai_job *p = &t->j[t->n];
    memset(p, 0, sizeof *p);
    memcpy(p->name, s, n);
    p->first_s = INFINITY;
    p->last_s = -INFINITY;
    t->slot[h] = t->n + 1;
    return t->n++;
}

static const char pai_job_header[] = "job_name,inst_id,user,status,start_time,end_time";
static const char pai_task_header[] =
    "job_name,task_name,inst_num,status,start_time,end_time,plan_cpu,plan_mem,plan_gpu,gpu_type";

static int row_is(const row *w, const char *header)
{
    const char *h = header;
    for (int i = 0; i < w->nf && i < MAX_FIELDS; i++) {
        size_t k = strcspn(h, ",");
        if (k != w->f[i].n || memcmp(h, w->f[i].s, k))
            return 0;
        h += k;
        if (*h == ',')
            h++;
        else
            return i == w->nf - 1;
    }
    return 0;
}

/* A PAI job_name: printable, at most PAI_NAME_MAX bytes (the join key, never cut). */
static aif_rc pai_key(rd *r, const row *w)
{
    if (w->f[0].n > PAI_NAME_MAX)
        return bad(r, w->line, w->f[0].col, "job_name", "job_name is %zu bytes long; accepted: at most %d",
                   w->f[0].n, PAI_NAME_MAX);
    return text_field(r, w, 0, "job_name");
}

/* pai_job_table.csv: each job's submission and user. */
static aif_rc pai_job_table(rd *r, pai *t)
{
    row *w = malloc(sizeof *w);
    if (!w)
        return oom(r);
    aif_rc rc = AIF_OK;
    int got, first = 1;
    while ((got = csv_row(r, w)) > 0) {
        if (first && row_is(w, pai_job_header)) {
            first = 0;
            continue;
        }
        first = 0;
        if (blank_row(w) && r->p >= r->end)
            break;
        if (w->nf != 6) {
            rc = bad(r, w->line, 1, NULL, "%d fields; a pai_job_table row has 6: %s%s", w->nf, pai_job_header,
                     w->nf == 10 ? " (this row looks like pai_task_table's: give the job table first)" : "");
            break;
        }
        double submit;
        if ((rc = pai_key(r, w)) || (rc = text_field(r, w, 2, "user")) ||
            (rc = num_field(r, w, 4, "start_time", 0, 10 * TIME_MAX_S, 0, &submit,
                            "the submission in seconds, from 0 to 1e11")))
            break;
        long i = pai_find(t, w->f[0].s, w->f[0].n, 1);
        if (i < -1 || (i >= 0 && t->j[i].in_table)) {
            char q[80];
            rc = i < -1 ? oom(r)
                        : bad(r, w->line, 1, "job_name", "job_name %s appears twice in the job table (first at line %d)",
                              quote(w->f[0].s, w->f[0].n, q, sizeof q), t->j[i].line);
            break;
        }
        int ten = tenant(r, w->f[2].s, w->f[2].n);
        if (ten < 0) {
            rc = oom(r);
            break;
        }
        pai_job *p = &t->j[i];
        p->in_table = 1;
        p->line = w->line;
        p->ten = ten;
        p->submit_s = submit;
    }
    if (got < 0)
        rc = r->err->rc;
    free(w);
    return rc;
}

/* pai_task_table.csv: GPUs and run times, added to the jobs of t (joined: every
 * task's job must be in t already). */
static aif_rc pai_task_table(rd *r, pai *t, int joined)
{
    row *w = malloc(sizeof *w);
    if (!w)
        return oom(r);
    aif_rc rc = AIF_OK;
    int got, first = 1;
    while ((got = csv_row(r, w)) > 0) {
        if (first && row_is(w, pai_task_header)) {
            first = 0;
            continue;
        }
        first = 0;
        if (blank_row(w) && r->p >= r->end)
            break;
        if (w->nf != 10) {
            rc = bad(r, w->line, 1, NULL, "%d fields; a pai_task_table row has 10: %s%s", w->nf, pai_task_header,
                     w->nf == 6 ? " (this row looks like pai_job_table's, which has no GPU counts: give the task "
                                  "table, or both as JOB.csv,TASK.csv)" : "");
            break;
        }
        if ((rc = pai_key(r, w)) || (rc = text_field(r, w, 1, "task_name")))
            break;
        long i = pai_find(t, w->f[0].s, w->f[0].n, !joined);
        if (i < -1) {
            rc = oom(r);
            break;
        }
        if (i < 0) {
            char q[80];
            rc = bad(r, w->line, 1, "job_name", "task of job %s, which is not in the job table",
                     quote(w->f[0].s, w->f[0].n, q, sizeof q));
            break;
        }
        pai_job *p = &t->j[i];
        if (!p->line)
            p->line = w->line;
        double inst = 0, gpu = 0, t1 = 0, t2 = 0;
        if (w->f[2].n && (rc = num_field(r, w, 2, "inst_num", 0, AIF_JOB_GPUS_MAX, 1, &inst,
                                         "a whole number of instances from 0 to 1000000")))
            break;
        if (w->f[8].n && (rc = num_field(r, w, 8, "plan_gpu", 0, 100.0 * AIF_JOB_GPUS_MAX, 0, &gpu,
                                         "percent of one GPU, from 0 to 100000000 (empty: no GPU)")))
            break;
        if (w->f[4].n && (rc = num_field(r, w, 4, "start_time", 0, 10 * TIME_MAX_S, 0, &t1,
                                         "the launch in seconds, from 0 to 1e11 (empty: never launched)")))
            break;
        if (w->f[5].n && (rc = num_field(r, w, 5, "end_time", 0, 10 * TIME_MAX_S, 0, &t2,
                                         "the end in seconds, from 0 to 1e11 (empty: still running)")))
            break;
        if (w->f[4].n && w->f[5].n && t2 < t1) {
            rc = bad(r, w->line, w->f[5].col, "end_time", "end_time %.17g is before start_time %.17g", t2, t1);
            break;
        }
        if (inst > 0 && gpu > 0 && w->f[4].n && w->f[5].n) {
            p->gpu_sum += inst * gpu / 100;
            p->first_s = fmin(p->first_s, t1);
            p->last_s = fmax(p->last_s, t2);
            p->tasks++;
        }
    }
    if (got < 0)
        rc = r->err->rc;
    free(w);
    return rc;
}

/* The jobs of t, in their first appearance's order, into r. */
static aif_rc pai_jobs(rd *r, pai *t, int joined)
{
    int none = joined ? 0 : tenant(r, "none", 4);
    if (none < 0)
        return oom(r);
    for (long i = 0; i < t->n; i++) {
        pai_job *p = &t->j[i];
        double g = ceil(p->gpu_sum - 1e-9), dur = p->last_s - p->first_s;
        if (!p->tasks || dur <= 0 || g < 1) {   /* no GPU task that ran; no recorded run time */
            r->skipped++;
            continue;
        }
        if (g > AIF_JOB_GPUS_MAX)
            return bad(r, p->line, 1, "plan_gpu", "job %s asks for %.17g GPUs in all (sum of inst_num * plan_gpu / "
                       "100); accepted: at most %d", p->name, g, AIF_JOB_GPUS_MAX);
        if (dur > TIME_MAX_S)
            return bad(r, p->line, 1, "end_time", "job %s runs %.17g s; accepted: at most 1e10", p->name, dur);
        aif_rc rc = add_job(r, p->line, p->name, strlen(p->name), joined ? p->ten : none, joined ? p->submit_s : p->first_s,
                            dur, (int)g);
        if (rc)
            return rc;
    }
    return AIF_OK;
}

/* ----------------------------------------------------------- philly (JSON) */

#define JSON_DEPTH_MAX 64

typedef struct js {
    rd *r;
    long idx;           /* element of the top-level array */
    char path[128];
} js;

static void jws(rd *r)
{
    while (r->p < r->end) {
        char c = *r->p;
        if (c == '\n') {
            r->line++;
            r->ls = r->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r')
            return;
        r->p++;
    }
}

static const char *found(const rd *r, char *buf, size_t cap)
{
    if (r->p >= r->end)
        return "the end of the file";
    unsigned char c = (unsigned char)*r->p;
    if (c >= 0x20 && c < 0x7f)
        snprintf(buf, cap, "'%c'", c);
    else
        snprintf(buf, cap, "byte 0x%02x", c);
    return buf;
}

static aif_rc jexpect(js *j, const char *what)
{
    char b[24];
    return bad(j->r, j->r->line, col_of(j->r, j->r->p), j->path, "expected %s, found %s", what,
               found(j->r, b, sizeof b));
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A JSON string at r->p, decoded into buf (cap bytes, NUL-terminated, cut); *n its
 * whole decoded length (may exceed cap - 1). */
static aif_rc jstr(js *j, char *buf, size_t cap, size_t *n)
{
    rd *r = j->r;
    if (r->p >= r->end || *r->p != '"')
        return jexpect(j, "a string");
    r->p++;
    size_t k = 0;
    for (;;) {
        if (r->p >= r->end)
            return bad(r, r->line, col_of(r, r->p), j->path, "a string is never closed");
        unsigned char c = (unsigned char)*r->p;
        if (c == '"') {
            r->p++;
            break;
        }
        if (c < 0x20)
            return bad(r, r->line, col_of(r, r->p), j->path, "a control character (0x%02x) inside a string; JSON "
                       "writes it as an escape such as \\n", c);
        unsigned char out[4];
        int m = 1;
        out[0] = c;
        r->p++;
        if (c == '\\') {
            if (r->p >= r->end)
                return bad(r, r->line, col_of(r, r->p), j->path, "a string is never closed");
            char e = *r->p++;
            const char *esc = strchr("\"\\/bfnrt", e);
            if (esc && e)
                out[0] = (unsigned char)"\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"];
            else if (e == 'u') {
                unsigned cp = 0;
                for (int i = 0; i < 4; i++) {
                    int h = r->p + i < r->end ? hexval(r->p[i]) : -1;
                    if (h < 0)
                        return bad(r, r->line, col_of(r, r->p), j->path, "\\u is not followed by 4 hex digits");
                    cp = cp * 16 + (unsigned)h;
                }
                r->p += 4;
                if (cp < 0x80)
                    out[0] = (unsigned char)cp;
                else if (cp < 0x800) {
                    out[0] = (unsigned char)(0xc0 | cp >> 6);
                    out[1] = (unsigned char)(0x80 | (cp & 0x3f));
                    m = 2;
                } else {
                    out[0] = (unsigned char)(0xe0 | cp >> 12);
                    out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
                    out[2] = (unsigned char)(0x80 | (cp & 0x3f));
                    m = 3;
                }
            } else
                return bad(r, r->line, col_of(r, r->p - 1), j->path, "unknown escape '\\%c' in a string; accepted: "
                           "\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", e >= 0x20 && e < 0x7f ? e : '?');
        }
        for (int i = 0; i < m; i++, k++)
            if (k + 1 < cap)
                buf[k] = (char)out[i];
    }
    buf[k + 1 < cap ? k : cap - 1] = '\0';
    *n = k;
    return AIF_OK;
}

static int jlit(rd *r, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(r->end - r->p) >= n && !memcmp(r->p, lit, n)) {
        r->p += n;
        return 1;
    }
    return 0;
}

/* Skips one JSON value of any kind. */
static aif_rc jskip(js *j, int depth)
{
    rd *r = j->r;
    char tmp[8];
    size_t n;
    if (depth > JSON_DEPTH_MAX)
        return bad(r, r->line, col_of(r, r->p), j->path, "values nested deeper than %d", JSON_DEPTH_MAX);
    if (r->p >= r->end)
        return jexpect(j, "a value");
    char c = *r->p;
    if (c == '"')
        return jstr(j, tmp, sizeof tmp, &n);
    if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        r->p++;
        jws(r);
        if (r->p < r->end && *r->p == close) {
            r->p++;
            return AIF_OK;
        }
        for (;;) {
            aif_rc rc;
            if (c == '{') {
                if ((rc = jstr(j, tmp, sizeof tmp, &n)))
                    return rc;
                jws(r);
                if (r->p >= r->end || *r->p != ':')
                    return jexpect(j, "':'");
                r->p++;
                jws(r);
            }
            if ((rc = jskip(j, depth + 1)))
                return rc;
            jws(r);
            if (r->p < r->end && *r->p == ',') {
                r->p++;
                jws(r);
                continue;
            }
            if (r->p < r->end && *r->p == close) {
                r->p++;
                return AIF_OK;
            }
            return jexpect(j, c == '{' ? "',' or '}'" : "',' or ']'");
        }
    }
    if (jlit(r, "true") || jlit(r, "false") || jlit(r, "null"))
        return AIF_OK;
    const char *st = r->p;
    while (r->p < r->end && strchr("+-0123456789.eE", *r->p) && *r->p)
        r->p++;
    double v;
    if (r->p == st || parse_number(st, (size_t)(r->p - st), &v)) {
        r->p = st;
        return jexpect(j, "a value (a string, number, object, array, true, false or null)");
    }
    return AIF_OK;
}

/* Iterates over an object's members: call with *first = 1; returns 1 with the key
 * in key (the value next at r->p), 0 at the closing brace, -1 on an error. */
static int jmember(js *j, int *first, char *key, size_t cap)
{
    rd *r = j->r;
    size_t n;
    jws(r);
    if (*first) {
        *first = 0;
        if (r->p >= r->end || *r->p != '{')
            return jexpect(j, "an object '{'"), -1;
        r->p++;
        jws(r);
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return 0;
        }
    } else {
        if (r->p < r->end && *r->p == '}') {
            r->p++;
            return 0;
        }
        if (r->p >= r->end || *r->p != ',')
            return jexpect(j, "',' or '}'"), -1;
        r->p++;
        jws(r);
    }
    if (jstr(j, key, cap, &n))
        return -1;
    jws(r);
    if (r->p >= r->end || *r->p != ':')
        return jexpect(j, "':'"), -1;
    r->p++;
    jws(r);
    return 1;
}

/* The same over an array's elements: 1 = an element next at r->p, 0 = the end. */
static int jelement(js *j, int *first)
{
    rd *r = j->r;
    jws(r);
    if (*first) {
        *first = 0;
        if (r->p >= r->end || *r->p != '[')
            return jexpect(j, "an array '['"), -1;
        r->p++;
        jws(r);
        if (r->p < r->end && *r->p == ']') {
            r->p++;
            return 0;
        }
        return 1;
    }
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return 0;
    }
    if (r->p >= r->end || *r->p != ',')
        return jexpect(j, "',' or ']'"), -1;
    r->p++;
    jws(r);
    return 1;
}

/* A time member: a date string, or null (*have = 0). */
static aif_rc jtime(js *j, const char *key, double *t, int *have)
{
    rd *r = j->r;
    char b[FIELD_MAX], q[80];
    size_t n;
    *have = 0;
    if (jlit(r, "null"))
        return AIF_OK;
    int line = r->line, col = col_of(r, r->p);
    aif_rc rc = jstr(j, b, sizeof b, &n);
    if (rc)
        return rc;
    if (n == 4 && !memcmp(b, "None", 4))   /* how Python wrote a missing time */
        return AIF_OK;
    if (n >= sizeof b || parse_date(b, n, t))
        return bad(r, line, col, j->path, "%s is %s; accepted: a date 'YYYY-MM-DD HH:MM:SS' or null", key,
                   quote(b, n < sizeof b ? n : sizeof b - 1, q, sizeof q));
    *have = 1;
    return AIF_OK;
}

/* One element of attempts[]: its times and the GPUs of its detail[]. */
static aif_rc philly_attempt(js *j, size_t plen, double *t1, int *h1, double *t2, int *h2, long *gpus)
{
    rd *r = j->r;
    char key[32];
    int first = 1, got;
    *h1 = *h2 = 0;
    *gpus = 0;
    while ((got = jmember(j, &first, key, sizeof key)) > 0) {
        aif_rc rc;
        snprintf(j->path + plen, sizeof j->path - plen, ".%s", key);
        if (!strcmp(key, "start_time"))
            rc = jtime(j, key, t1, h1);
        else if (!strcmp(key, "end_time"))
            rc = jtime(j, key, t2, h2);
        else if (!strcmp(key, "detail")) {
            int fd = 1, gd;
            long k = 0;
            size_t dlen = strlen(j->path);
            rc = AIF_OK;
            while (!rc && (gd = jelement(j, &fd)) > 0) {
                snprintf(j->path + dlen, sizeof j->path - dlen, "[%ld]", k++);
                size_t nlen = strlen(j->path);
                int fm = 1, gm;
                char k2[16];
                while (!rc && (gm = jmember(j, &fm, k2, sizeof k2)) > 0) {
                    snprintf(j->path + nlen, sizeof j->path - nlen, ".%s", k2);
                    if (!strcmp(k2, "gpus")) {
                        int fg = 1, gg;
                        while (!rc && (gg = jelement(j, &fg)) > 0) {
                            rc = jskip(j, 4);
                            if (++*gpus > AIF_JOB_GPUS_MAX)
                                rc = bad(r, r->line, col_of(r, r->p), j->path, "more than %d GPUs in one attempt",
                                         AIF_JOB_GPUS_MAX);
                        }
                        if (gg < 0)
                            rc = r->err->rc;
                    } else
                        rc = jskip(j, 4);
                    j->path[nlen] = '\0';
                }
                if (gm < 0)
                    rc = r->err->rc;
            }
            if (gd < 0)
                rc = r->err->rc;
        } else
            rc = jskip(j, 3);
        if (rc)
            return rc;
        j->path[plen] = '\0';
    }
    return got < 0 ? r->err->rc : AIF_OK;
}

static aif_rc philly_job(js *j)
{
    rd *r = j->r;
    int line0 = r->line, col0 = col_of(r, r->p);
    char key[32], id[FIELD_MAX], vc[FIELD_MAX];
    size_t idn = 0, vcn = 0;
    int have_id = 0, have_vc = 0, have_sub = 0, have_att = 0;
    double submit = 0, run_s = 0;
    long last_gpus = 0;
    int started = 0, last_ended = 0;
    int first = 1, got;
    snprintf(j->path, sizeof j->path, "[%ld]", j->idx);
    size_t plen = strlen(j->path);
    while ((got = jmember(j, &first, key, sizeof key)) > 0) {
        aif_rc rc = AIF_OK;
        snprintf(j->path + plen, sizeof j->path - plen, ".%s", key);
        int line = r->line, col = col_of(r, r->p);
        if (!strcmp(key, "jobid") || !strcmp(key, "vc")) {
            int is_id = key[0] == 'j';
            size_t *n = is_id ? &idn : &vcn;
            if ((rc = jstr(j, is_id ? id : vc, FIELD_MAX, n)))
                return rc;
            if (has_control(is_id ? id : vc, *n < FIELD_MAX ? *n : FIELD_MAX - 1))
                return bad(r, line, col, j->path, "%s holds a control character; accepted: printable text", key);
            *(is_id ? &have_id : &have_vc) = 1;
        } else if (!strcmp(key, "submitted_time")) {
            if ((rc = jtime(j, key, &submit, &have_sub)))
                return rc;
            if (!have_sub)
                return bad(r, line, col, j->path, "submitted_time is null; a job needs its submission time");
        } else if (!strcmp(key, "attempts")) {
            int fa = 1, ga;
            long k = 0;
            have_att = 1;
            size_t alen = strlen(j->path);
            while ((ga = jelement(j, &fa)) > 0) {
                snprintf(j->path + alen, sizeof j->path - alen, "[%ld]", k);
                int aline = r->line, acol = col_of(r, r->p);
                double t1 = 0, t2 = 0;
                int h1, h2;
                long g;
                if ((rc = philly_attempt(j, strlen(j->path), &t1, &h1, &t2, &h2, &g)))
                    return rc;
                if (h1 && h2 && t2 < t1)
                    return bad(r, aline, acol, j->path, "end_time is %.0f s before start_time", t1 - t2);
                if (h1 && h2)
                    run_s += t2 - t1;
                if (h1) {
                    started = 1;
                    last_ended = h2;
                    last_gpus = g;
                }
                j->path[alen] = '\0';
                k++;
            }
            if (ga < 0)
                return r->err->rc;
        } else if ((rc = jskip(j, 2)))
            return rc;
        j->path[plen] = '\0';
    }
    if (got < 0)
        return r->err->rc;
    const char *miss = !have_id ? "jobid" : !have_vc ? "vc" : !have_sub ? "submitted_time" : !have_att ? "attempts" : NULL;
    if (miss)
        return bad(r, line0, col0, j->path, "job %ld has no \"%s\"; a cluster_job_log job holds status, vc, jobid, "
                   "submitted_time, user and attempts", j->idx, miss);
    if (!started || !last_ended || last_gpus == 0 || !(run_s > 0)) {   /* never ran; still running; no GPU */
        r->skipped++;
        return AIF_OK;
    }
    if (run_s > TIME_MAX_S)
        return bad(r, line0, col0, j->path, "job %ld ran %.17g s in all; accepted: at most 1e10", j->idx, run_s);
    int ten = tenant(r, vc, vcn < FIELD_MAX ? vcn : FIELD_MAX - 1);
    if (ten < 0)
        return oom(r);
    return add_job(r, line0, id, idn < FIELD_MAX ? idn : FIELD_MAX - 1, ten, submit, run_s, (int)last_gpus);
}

static aif_rc parse_philly(rd *r)
{
    js j = {r, 0, ""};
    jws(r);
    if (r->p >= r->end)
        return bad(r, 1, 0, NULL, "the trace is empty; a Philly cluster_job_log is a JSON array of jobs [{...}, ...]");
    int first = 1, got;
    while ((got = jelement(&j, &first)) > 0) {
        aif_rc rc = philly_job(&j);
        if (rc)
            return rc;
        j.idx++;
        j.path[0] = '\0';
    }
    if (got < 0)
        return r->err->rc;
    jws(r);
    if (r->p < r->end)
        return jexpect(&j, "the end of the file after the array's ']'");
    return AIF_OK;
}

/* ------------------------------------------------------------ entry points */

static aif_rc rd_init(rd *r, const char *text, size_t len, const char *name, aif_err *err)
{
    memset(r, 0, sizeof *r);
    r->name = name ? name : "<trace>";
    r->err = err;
    r->p = r->ls = text;
    r->end = text + len;
    r->line = 1;
    if (len > AIF_JOBS_TEXT_MAX)
        return aif_err_set(err, AIF_EINPUT, r->name, 0, 0, NULL, "%zu bytes; a trace file holds at most %zu", len,
                           (size_t)AIF_JOBS_TEXT_MAX);
    return AIF_OK;
}

static aif_rc bad_format(aif_err *err, const char *name, int format)
{
    if (format == AIF_TRACE_SYNTHETIC)
        return aif_err_set(err, AIF_EINPUT, name, 0, 0, "format", "synthetic is generated (aif_jobs_synth), not read "
                           "or written; the trace formats are philly, helios, pai and acme");
    return aif_err_set(err, AIF_EINPUT, name, 0, 0, "format", "unknown trace format %d; accepted: philly, helios, pai, "
                       "acme", format);
}

aif_rc aif_jobs_parse(const char *text, size_t len, int format, const char *name, long max_jobs, aif_job_list *out,
                      long *skipped, aif_err *err)
{
    rd r;
    aif_err scratch;
    if (!err)
        err = &scratch;
    memset(out, 0, sizeof *out);
    if (skipped)
        *skipped = 0;
    if (format < 0 || format >= AIF_TRACE_SYNTHETIC)
        return bad_format(err, name, format);
    aif_rc rc = rd_init(&r, text, len, name, err);
    if (rc)
        return rc;
    pai t = {0};
    switch (format) {
    case AIF_TRACE_PHILLY: rc = parse_philly(&r); break;
    case AIF_TRACE_HELIOS:
    case AIF_TRACE_ACME: rc = parse_header_csv(&r, format); break;
    default:
        if (!(rc = pai_task_table(&r, &t, 0)))   /* no header: an empty table is no job */
            rc = pai_jobs(&r, &t, 0);
        free(t.j);
        free(t.slot);
        break;
    }
    if (!rc)
        rc = finish(&r, max_jobs, out, skipped);
    rd_free(&r);
    return rc;
}

aif_rc aif_jobs_parse_pai(const char *job_text, size_t job_len, const char *job_name, const char *task_text,
                          size_t task_len, const char *task_name, long max_jobs, aif_job_list *out, long *skipped,
                          aif_err *err)
{
    rd r;
    aif_err scratch;
    if (!err)
        err = &scratch;
    memset(out, 0, sizeof *out);
    if (skipped)
        *skipped = 0;
    pai t = {0};
    aif_rc rc = rd_init(&r, job_text, job_len, job_name, err);
    if (!rc)
        rc = pai_job_table(&r, &t);
    if (!rc) {   /* the same reader (tenants, jobs) on the second file */
        r.name = task_name ? task_name : "<trace>";
        r.p = r.ls = task_text;
        r.end = task_text + task_len;
        r.line = 1;
        if (task_len > AIF_JOBS_TEXT_MAX)
            rc = aif_err_set(err, AIF_EINPUT, r.name, 0, 0, NULL, "%zu bytes; a trace file holds at most %zu",
                             task_len, (size_t)AIF_JOBS_TEXT_MAX);
        else
            rc = pai_task_table(&r, &t, 1);
    }
    if (!rc)
        rc = pai_jobs(&r, &t, 1);
    free(t.j);
    free(t.slot);
    if (!rc)
        rc = finish(&r, max_jobs, out, skipped);
    rd_free(&r);
    return rc;
}

/* Reads a whole file of at most AIF_JOBS_TEXT_MAX bytes (larger than aif_read_file's
 * limit: the published traces run to hundreds of MB). */
static aif_rc read_all(const char *path, char **text, size_t *len, aif_err *err)
{
    FILE *f = fopen(path, "rb");
    *text = NULL;
    *len = 0;
    if (!f)
        return aif_err_set(err, AIF_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    aif_rc rc = AIF_OK;
    for (;;) {
        if (!buf) {
            rc = aif_err_set(err, AIF_ENOMEM, path, 0, 0, NULL, "out of memory");
            break;
        }
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        if (cap > AIF_JOBS_TEXT_MAX) {
            rc = aif_err_set(err, AIF_EINPUT, path, 0, 0, NULL, "larger than %zu bytes, the most a trace file may hold",
                             (size_t)AIF_JOBS_TEXT_MAX);
            break;
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    if (!rc && ferror(f))
        rc = aif_err_set(err, AIF_EIO, path, 0, 0, NULL, "read error");
    fclose(f);
    if (rc) {
        free(buf);
        return rc;
    }
    *text = buf;
    *len = n;
    return AIF_OK;
}

aif_rc aif_jobs_read(const char *path, int format, long max_jobs, aif_job_list *out, long *skipped, aif_err *err)
{
    aif_err scratch;
    if (!err)
        err = &scratch;
    memset(out, 0, sizeof *out);
    if (skipped)
        *skipped = 0;
    if (format < 0 || format >= AIF_TRACE_SYNTHETIC)
        return bad_format(err, path, format);
    const char *comma = strrchr(path, ',');
    FILE *probe = format == AIF_TRACE_PAI && comma ? fopen(path, "rb") : NULL;
    if (format == AIF_TRACE_PAI && comma && !probe) {   /* JOB.csv,TASK.csv */
        size_t k = (size_t)(comma - path);
        char *job = malloc(k + 1);
        if (!job)
            return aif_err_set(err, AIF_ENOMEM, path, 0, 0, NULL, "out of memory");
        memcpy(job, path, k);
        job[k] = '\0';
        char *jt = NULL, *tt = NULL;
        size_t jl = 0, tl = 0;
        aif_rc rc = read_all(job, &jt, &jl, err);
        if (!rc)
            rc = read_all(comma + 1, &tt, &tl, err);
        if (!rc)
            rc = aif_jobs_parse_pai(jt, jl, job, tt, tl, comma + 1, max_jobs, out, skipped, err);
        free(jt);
        free(tt);
        free(job);
        return rc;
    }
    if (probe)
        fclose(probe);
    char *text;
    size_t len;
    aif_rc rc = read_all(path, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_jobs_parse(text, len, format, path, max_jobs, out, skipped, err);
    free(text);
    return rc;
}

void aif_job_list_free(aif_job_list *l)
{
    if (!l)
        return;
    free(l->jobs);
    free(l->tenants);
    memset(l, 0, sizeof *l);
}

/* ------------------------------------------------------------------ writers */

/* Where written times start (each near its trace's own period); UTC seconds. */
#define PHILLY_BASE_S 1506816000.0   /* 2017-10-01 00:00:00 */
#define HELIOS_BASE_S 1585699200.0   /* 2020-04-01 00:00:00 */
#define ACME_BASE_S 1677600000.0     /* 2023-03-01 00:00:00 +08:00 */
#define ACME_ZONE_S (8 * 3600)
#define WRITE_SPAN_MAX_S 3e10        /* submit + duration written: dates stay before 2999 */

static void put_date(FILE *f, double base_s, long long t_s, int zone_s)
{
    long long local = (long long)base_s + t_s + zone_s;
    long days = (long)(local / 86400);
    long sec = (long)(local % 86400);
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    fprintf(f, "%04d-%02d-%02d %02ld:%02ld:%02ld", y, m, d, sec / 3600, sec / 60 % 60, sec % 60);
    if (zone_s)
        fprintf(f, "+%02d:%02d", zone_s / 3600, zone_s / 60 % 60);
}

/* A CSV field, quoted when it holds a comma, quote or line break. */
static void put_csv(FILE *f, const char *s)
{
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void put_json(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(f, "\\%c", c);
        else if (c < 0x20)
            fprintf(f, "\\u%04x", c);
        else
            fputc(c, f);
    }
    fputc('"', f);
}

/* The list's checks before any byte is written; times rounded to whole seconds. */
static aif_rc check_list(const aif_job_list *l, aif_err *err)
{
    if (!l || l->n < 0 || (l->n > 0 && !l->jobs) || l->n_tenants < 0 || (l->n_tenants > 0 && !l->tenants))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "jobs", "no job list to write");
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        char path[48];
        snprintf(path, sizeof path, "jobs[%d]", i);
        if (!(j->submit_s >= 0 && j->duration_s > 0 && j->submit_s + j->duration_s <= WRITE_SPAN_MAX_S))
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, "submit_s %.17g and duration_s %.17g; accepted: "
                               "submit_s >= 0, duration_s > 0, their sum at most 3e10 s", j->submit_s, j->duration_s);
        if (j->gpus < 1 || j->gpus > AIF_JOB_GPUS_MAX)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, "gpus %d; accepted: 1 to %d", j->gpus,
                               AIF_JOB_GPUS_MAX);
        if (j->tenant < 0 || j->tenant >= l->n_tenants)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, "tenant %d; accepted: 0 to %d", j->tenant,
                               l->n_tenants - 1);
        if (!memchr(j->name, 0, sizeof j->name) || !memchr(l->tenants[j->tenant], 0, AIF_TENANT_MAX))
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, "its name or tenant is not NUL-terminated");
        if (has_control(j->name, strnlen(j->name, sizeof j->name)) ||
            has_control(l->tenants[j->tenant], strnlen(l->tenants[j->tenant], AIF_TENANT_MAX)))
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, "its name or tenant holds a control character, "
                               "which no trace format can hold");
    }
    return AIF_OK;
}

static long long secs(double t) { return llround(t); }
static long long dur_secs(double d) { long long x = llround(d); return x < 1 ? 1 : x; }

/* A job's name as written: its own, or "j<id>" when it has none (names are ids). */
static const char *job_name(const aif_job *j, char *buf, size_t cap)
{
    if (j->name[0])
        return j->name;
    snprintf(buf, cap, "j%d", j->id);
    return buf;
}

static void write_philly(const aif_job_list *l, FILE *f)
{
    fputs("[\n", f);
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        char nb[24];
        long long s = secs(j->submit_s), e = s + dur_secs(j->duration_s);
        fputs("{\"status\": \"Pass\", \"vc\": ", f);
        put_json(f, l->tenants[j->tenant]);
        fputs(", \"jobid\": ", f);
        put_json(f, job_name(j, nb, sizeof nb));
        fputs(", \"attempts\": [{\"start_time\": \"", f);
        put_date(f, PHILLY_BASE_S, s, 0);
        fputs("\", \"end_time\": \"", f);
        put_date(f, PHILLY_BASE_S, e, 0);
        fputs("\", \"detail\": [", f);
        for (int g = 0; g < j->gpus; g++) {
            if (g % 8 == 0)
                fprintf(f, "%s{\"ip\": \"m%d\", \"gpus\": [", g ? "]}, " : "", g / 8);
            fprintf(f, "%s\"gpu%d\"", g % 8 ? ", " : "", g % 8);
        }
        fputs("]}]}], \"submitted_time\": \"", f);
        put_date(f, PHILLY_BASE_S, s, 0);
        fputs("\", \"user\": ", f);
        put_json(f, l->tenants[j->tenant]);
        fprintf(f, "}%s\n", i + 1 < l->n ? "," : "");
    }
    fputs("]\n", f);
}

static void write_helios(const aif_job_list *l, FILE *f, int acme)
{
    double base = acme ? ACME_BASE_S : HELIOS_BASE_S;
    int zone = acme ? ACME_ZONE_S : 0;
    fputs(acme ? "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,queue,"
                 "gpu_time\n"
               : "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n",
          f);
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        char nb[24];
        long long s = secs(j->submit_s), d = dur_secs(j->duration_s);
        int nodes = (j->gpus + 7) / 8;
        put_csv(f, job_name(j, nb, sizeof nb));
        fputc(',', f);
        put_csv(f, l->tenants[j->tenant]);
        if (acme)
            fprintf(f, ",%d,%d,%d,Other,COMPLETED,", nodes, j->gpus, 16 * j->gpus);
        else {
            fputc(',', f);
            put_csv(f, l->tenants[j->tenant]);
            fprintf(f, ",%d,%d,%d,COMPLETED,", j->gpus, 4 * j->gpus, nodes);
        }
        put_date(f, base, s, zone);
        fputc(',', f);
        put_date(f, base, s, zone);
        fputc(',', f);
        put_date(f, base, s + d, zone);
        if (acme)
            fprintf(f, ",%lld,0,%lld.0\n", d, d * j->gpus);
        else
            fprintf(f, ",%lld,0\n", d);
    }
}

static void write_pai_tasks(const aif_job_list *l, FILE *f)
{
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        char nb[24];
        long long s = secs(j->submit_s);
        put_csv(f, job_name(j, nb, sizeof nb));
        fprintf(f, ",worker,%d.0,Terminated,%lld.0,%lld.0,600.0,29.296875,100.0,V100\n", j->gpus, s,
                s + dur_secs(j->duration_s));
    }
}

static aif_rc flushed(FILE *f, aif_err *err)
{
    if (fflush(f) || ferror(f))
        return aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "cannot write the trace: %s", strerror(errno));
    return AIF_OK;
}

aif_rc aif_jobs_write(const aif_job_list *l, int format, FILE *f, aif_err *err)
{
    aif_err scratch;
    if (!err)
        err = &scratch;
    if (format < 0 || format >= AIF_TRACE_SYNTHETIC)
        return bad_format(err, NULL, format);
    aif_rc rc = check_list(l, err);
    if (rc)
        return rc;
    switch (format) {
    case AIF_TRACE_PHILLY: write_philly(l, f); break;
    case AIF_TRACE_HELIOS: write_helios(l, f, 0); break;
    case AIF_TRACE_ACME: write_helios(l, f, 1); break;
    default: write_pai_tasks(l, f); break;
    }
    return flushed(f, err);
}

aif_rc aif_jobs_write_pai(const aif_job_list *l, FILE *job_f, FILE *task_f, aif_err *err)
{
    aif_err scratch;
    if (!err)
        err = &scratch;
    aif_rc rc = check_list(l, err);
    if (rc)
        return rc;
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        char nb[24];
        long long s = secs(j->submit_s);
        put_csv(job_f, job_name(j, nb, sizeof nb));
        fputc(',', job_f);
        put_csv(job_f, job_name(j, nb, sizeof nb));
        fputc(',', job_f);
        put_csv(job_f, l->tenants[j->tenant]);
        fprintf(job_f, ",Terminated,%lld.0,%lld.0\n", s, s + dur_secs(j->duration_s));
    }
    write_pai_tasks(l, task_f);
    if ((rc = flushed(job_f, err)))
        return rc;
    return flushed(task_f, err);
}
