/* fuzz_jobs.c -- fuzz target for the cluster job trace readers (src/ops/trace.c):
 * every input is parsed as each of the four formats (Philly JSON, Helios CSV, the
 * PAI task table, Acme CSV) and, split at its first 0x1e byte, as the two PAI
 * tables.  Invariants checked: each parse either fails with AIF_EINPUT, a message
 * and the file name, leaving an empty list, or gives a list as jobs.h promises
 * (sorted by submit time from 0, ids in order, durations > 0 and finite, 1 to
 * AIF_JOB_GPUS_MAX GPUs, tenants in range); a list parsed is written back in its
 * format and parses again to as many jobs (PAI: merged names may make fewer);
 * nothing crashes, hangs or leaks.  Driver: fuzz_driver.c. */
#include "ops/jobs.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "fuzz_jobs";
const char *const fuzz_dict[] = {
    "\n", "\r\n", ",", "\"", "\"\"", "\x1e", "[", "]", "{", "}", ":", "null", "None", "\\u0000", "\\n",
    "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n",
    "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,queue,gpu_time\n",
    "2020-04-01 00:00:00", "2023-03-01 00:18:22+08:00", "2017-10-07 01:12:09", "Z", "+14:00", ".5",
    "\"attempts\": ", "\"start_time\": ", "\"end_time\": ", "\"detail\": ", "\"gpus\": ", "\"vc\": ", "\"jobid\": ",
    "\"submitted_time\": ", "0", "1", "-1", "8", "1e10", "1e308", "nan", "100.0", "50.0", "1000000", "99999999999"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static long n_parsed;

static void report(void) { printf("fuzz_jobs: %ld inputs parsed to a job list\n", n_parsed); }

static void check(aif_rc rc, const aif_job_list *l, const aif_err *e, const char *name, int format)
{
    if (rc != AIF_OK) {
        if (rc != AIF_EINPUT || !e->msg[0] || l->jobs || l->n || l->tenants || strcmp(e->file, name))
            abort();
        return;
    }
    n_parsed++;
    double end = 0;
    for (int i = 0; i < l->n; i++) {
        const aif_job *j = &l->jobs[i];
        if (j->id != i || !(j->submit_s >= 0) || (i == 0 && j->submit_s != 0) ||
            (i > 0 && j->submit_s < l->jobs[i - 1].submit_s) || !(j->duration_s > 0) || !isfinite(j->duration_s) ||
            j->gpus < 1 || j->gpus > AIF_JOB_GPUS_MAX || j->min_gpus != j->gpus || j->max_gpus != j->gpus ||
            j->tenant < 0 || j->tenant >= l->n_tenants || memchr(j->name, 0, sizeof j->name) == NULL)
            abort();
        end = fmax(end, j->submit_s + j->duration_s);
    }
    /* written back and read again */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    aif_err e2;
    aif_rc w = aif_jobs_write(l, format, f, &e2);
    fclose(f);
    if (w != AIF_OK) {
        if (w != AIF_EINPUT || end <= 3e10)   /* only times past what a date can hold are refused */
            abort();
    } else {
        aif_job_list b;
        long sk;
        if (aif_jobs_parse(buf, len, format, "back", 0, &b, &sk, &e2) != AIF_OK || sk != 0 ||
            (format != AIF_TRACE_PAI && b.n != l->n) || b.n > l->n)
            abort();
        aif_job_list_free(&b);
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int once;
    if (!once) {
        once = 1;
        atexit(report);
    }
    const char *t = (const char *)data;
    for (int fmt = 0; fmt < AIF_TRACE_SYNTHETIC; fmt++) {
        aif_job_list l;
        aif_err e;
        long sk;
        memset(&e, 0, sizeof e);
        aif_rc rc = aif_jobs_parse(t, size, fmt, "fuzz.trace", fmt == AIF_TRACE_HELIOS ? 0 : 64, &l, &sk, &e);
        check(rc, &l, &e, "fuzz.trace", fmt);
        aif_job_list_free(&l);
    }
    const char *rs = memchr(t, 0x1e, size);
    if (rs) {
        aif_job_list l;
        aif_err e;
        memset(&e, 0, sizeof e);
        size_t k = (size_t)(rs - t);
        aif_rc rc = aif_jobs_parse_pai(t, k, "job.csv", rs + 1, size - k - 1, "task.csv", 0, &l, NULL, &e);
        if (rc != AIF_OK && strcmp(e.file, "task.csv") && strcmp(e.file, "job.csv"))
            abort();
        check(rc, &l, &e, rc ? e.file : "", AIF_TRACE_PAI);
        aif_job_list_free(&l);
    }
    return 0;
}
