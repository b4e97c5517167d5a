/* bench_jobs.c -- job trace rows parsed per wall-second on one core.  Not a test.
 *
 * Generates a Helios cluster_log.csv of N rows in memory (distinct job ids, 200
 * virtual clusters, power-of-two GPU counts, CPU jobs (gpu_num 0) that the reader
 * skips, submissions in order as in the published trace), then times
 * aif_jobs_parse over the whole text (CLOCK_MONOTONIC around the call, and the
 * process's CPU time, which a loaded machine disturbs less; the generation and the
 * free are outside it); the best of 3 runs of each.  The same for a
 * Philly cluster_job_log of N / 10 jobs.  Usage: aifsim-bench-jobs [rows, default
 * 1000000].  One JSON line per format. */
#include "ops/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double clock_s(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A list of n jobs written in the format: submissions a few seconds apart. */
static char *make_text(long n, int format, size_t *len)
{
    aif_job_list l = {0};
    l.jobs = calloc((size_t)n, sizeof *l.jobs);
    l.tenants = calloc(200, sizeof *l.tenants);
    if (!l.jobs || !l.tenants)
        return NULL;
    l.n = (int)n;
    l.n_tenants = 200;
    for (int t = 0; t < 200; t++)
        snprintf(l.tenants[t], sizeof l.tenants[t], "vc%04x", t * 2654435761u >> 16);
    unsigned long long x = 88172645463325252ull;
    double t = 0;
    for (long i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        aif_job *j = &l.jobs[i];
        j->id = (int)i;
        j->submit_s = t;
        j->duration_s = 10 + (double)(x % 200000);
        j->gpus = j->min_gpus = j->max_gpus = 1 << (x >> 20) % 8;
        j->tenant = (int)((x >> 32) % 200);
        snprintf(j->name, sizeof j->name, "%ld", 1425511 + i);
        t += (double)((x >> 40) % 8);
    }
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    aif_err e;
    aif_rc rc = aif_jobs_write(&l, format, f, &e);
    fclose(f);
    aif_job_list_free(&l);
    if (rc) {
        free(buf);
        return NULL;
    }
    if (format == AIF_TRACE_HELIOS) {   /* every 20th row a CPU job: gpu_num 0 */
        long row = 0;
        for (char *p = strchr(buf, '\n'); p && p[1]; p = strchr(p + 1, '\n'))
            if (++row % 20 == 0) {
                char *c = p + 1;
                for (int k = 0; k < 3; k++)
                    c = strchr(c, ',') + 1;
                if (c[1] == ',')
                    c[0] = '0';
            }
    }
    return buf;
}

static int one(long n, int format)
{
    size_t len;
    char *text = make_text(n, format, &len);
    if (!text) {
        fprintf(stderr, "aifsim-bench-jobs: cannot generate the trace\n");
        return 1;
    }
    double best = 1e9, best_cpu = 1e9;
    long jobs = 0, skipped = 0;
    for (int r = 0; r < 3; r++) {
        aif_job_list l;
        aif_err e;
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        aif_rc rc = aif_jobs_parse(text, len, format, "bench", 0, &l, &skipped, &e);
        double dt = clock_s(CLOCK_MONOTONIC) - t0, dc = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (rc) {
            fprintf(stderr, "aifsim-bench-jobs: %s:%d: %s: %s\n", e.file, e.line, e.path, e.msg);
            free(text);
            return 1;
        }
        jobs = l.n;
        aif_job_list_free(&l);
        if (dt < best)
            best = dt;
        if (dc < best_cpu)
            best_cpu = dc;
    }
    printf("{\"format\": \"%s\", \"rows\": %ld, \"jobs\": %ld, \"skipped\": %ld, \"bytes\": %zu, \"wall_s\": %.3f, "
           "\"cpu_s\": %.3f, \"rows_per_s\": %.0f, \"MB_per_s\": %.0f}\n",
           aif_trace_format_names[format], n, jobs, skipped, len, best, best_cpu, n / best, len / best / 1e6);
    free(text);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n < 10 || n > AIF_JOBS_MAX) {
        fprintf(stderr, "usage: aifsim-bench-jobs [rows, 10 to %d]\n", AIF_JOBS_MAX);
        return 2;
    }
    return one(n, AIF_TRACE_HELIOS) || one(n / 10, AIF_TRACE_PHILLY);
}
