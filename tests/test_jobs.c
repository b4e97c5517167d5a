/* test_jobs.c -- the cluster trace readers and writers (src/ops/trace.c, jobs.h).
 *
 * The samples in tests/data/jobs/ are generated here (sample_text: the writer's
 * output of a hand-built list, plus hand-written rows that each format marks as
 * not a run) and compared byte for byte, so they cannot drift from the writer;
 * AIFSIM_UPDATE_SAMPLES=1 rewrites them.  Nothing in them comes from a published
 * trace.  Then: every format parsed from its sample (jobs, tenants, skips), a
 * table of malformed inputs each rejected at its line with the field and what is
 * accepted, write -> parse round trips of every format, the order (sorted, ties in
 * file order), max_jobs, 10 MB inputs, and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ops/jobs.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static void list_init(aif_job_list *l, int n, int n_ten)
{
    l->jobs = calloc((size_t)n, sizeof *l->jobs);
    l->tenants = calloc((size_t)n_ten, sizeof *l->tenants);
    assert_non_null(l->jobs);
    assert_non_null(l->tenants);
    l->n = n;
    l->n_tenants = n_ten;
}

static void job_set(aif_job *j, int id, double submit_s, double dur_s, int gpus, int ten, const char *name)
{
    memset(j, 0, sizeof *j);
    j->id = id;
    j->submit_s = submit_s;
    j->duration_s = dur_s;
    j->gpus = j->min_gpus = j->max_gpus = gpus;
    j->tenant = ten;
    snprintf(j->name, sizeof j->name, "%s", name);
}

/* The samples' list: 12 jobs of 3 tenants, sizes 1 to 64 GPUs, in submit order. */
static void sample_list(aif_job_list *l)
{
    static const int gpus[12] = {1, 8, 2, 16, 1, 64, 4, 8, 1, 32, 3, 8};
    static const double dur[12] = {3600, 86400, 120, 7200, 45, 259200, 900, 14400, 30, 43200, 600, 5400};
    list_init(l, 12, 3);
    strcpy(l->tenants[0], "vc-alpha");
    strcpy(l->tenants[1], "vc-beta");
    strcpy(l->tenants[2], "vc-gamma");
    double t = 0;
    for (int i = 0; i < 12; i++) {
        char name[32];
        snprintf(name, sizeof name, "job-%03d", i);
        job_set(&l->jobs[i], i, t, dur[i], gpus[i], (i * 7) % 3, name);
        t += i == 4 ? 0 : 60.0 * (1 + (i * 13) % 17);   /* jobs 4 and 5 submit together */
    }
}

/* Hand-written rows each format marks as not a run, added after the writer's. */
static const char philly_extra[] =
    /* two attempts: the first on 8 GPUs failed after 100 s, the retry ran 200 s on 4 GPUs */
    "{\"status\": \"Pass\", \"vc\": \"vc-delta\", \"jobid\": \"retried\", \"attempts\": [{\"start_time\": "
    "\"2017-11-01 00:00:00\", \"end_time\": \"2017-11-01 00:01:40\", \"detail\": [{\"ip\": \"m1\", \"gpus\": "
    "[\"gpu0\", \"gpu1\", \"gpu2\", \"gpu3\", \"gpu4\", \"gpu5\", \"gpu6\", \"gpu7\"]}]}, {\"start_time\": "
    "\"2017-11-01 00:05:00\", \"end_time\": \"2017-11-01 00:08:20\", \"detail\": [{\"ip\": \"m2\", \"gpus\": "
    "[\"gpu0\", \"gpu1\", \"gpu2\", \"gpu3\"]}]}], \"submitted_time\": \"2017-11-01 00:00:00\", \"user\": \"u1\"},\n"
    /* never started */
    "{\"status\": \"Killed\", \"vc\": \"vc-delta\", \"jobid\": \"never\", \"attempts\": [], \"submitted_time\": "
    "\"2017-11-01 00:00:10\", \"user\": \"u1\"},\n"
    /* still running when the log was taken */
    "{\"status\": \"Pass\", \"vc\": \"vc-delta\", \"jobid\": \"running\", \"attempts\": [{\"start_time\": "
    "\"2017-11-01 00:00:30\", \"end_time\": null, \"detail\": [{\"ip\": \"m3\", \"gpus\": [\"gpu0\"]}]}], "
    "\"submitted_time\": \"2017-11-01 00:00:20\", \"user\": \"u1\"}\n";
static const char helios_extra[] =
    "cpu1,uA,vc-delta,0,8,1,COMPLETED,2020-04-20 00:00:00,2020-04-20 00:00:00,2020-04-20 01:00:00,3600,0\n"
    "cancelled1,uA,vc-delta,8,32,1,CANCELLED,2020-04-20 00:00:05,,,0,0\n";
static const char acme_extra[] =
    "cpu1,u9,1,0,16,Other,COMPLETED,2023-03-20 00:00:00+08:00,2023-03-20 00:00:00+08:00,2023-03-20 01:00:00+08:00,"
    "3600,0,0.0\n"
    "cancelled1,u9,1,8,128,Debug,CANCELLED,2023-03-20 00:00:05+08:00,,,0,0,0.0\n";
/* a job of a ps task without GPU and 3 workers at 50% of a GPU (2 GPUs in all),
 * and a CPU-only job */
static const char pai_job_extra[] = "mixed,mixed,user9,Terminated,10000000.0,10000500.0\n"
                                    "cpuonly,cpuonly,user9,Terminated,10000010.0,10000100.0\n";
static const char pai_task_extra[] = "mixed,ps,1.0,Terminated,10000100.0,10000400.0,600.0,29.296875,,\n"
                                     "mixed,worker,3.0,Terminated,10000110.0,10000450.0,400.0,29.296875,50.0,T4\n"
                                     "cpuonly,worker,2.0,Terminated,10000020.0,10000090.0,600.0,29.296875,0.0,\n";

enum { S_PHILLY, S_HELIOS, S_PAI_JOB, S_PAI_TASK, S_ACME, N_SAMPLES };
static const char *const sample_file[N_SAMPLES] = {"philly_cluster_job_log.json", "helios_cluster_log.csv",
                                                   "pai_job_table.csv", "pai_task_table.csv",
                                                   "acme_trace_seren.csv"};

/* The text of sample s, malloc'd. */
static char *sample_text(int s, size_t *len)
{
    aif_job_list l;
    sample_list(&l);
    char *buf = NULL, *other = NULL;
    size_t n = 0, n2 = 0;
    FILE *f = open_memstream(&buf, &n), *g = NULL;
    assert_non_null(f);
    aif_err e;
    switch (s) {
    case S_PHILLY:
        assert_int_equal(aif_jobs_write(&l, AIF_TRACE_PHILLY, f, &e), AIF_OK);
        fclose(f);
        assert_string_equal(buf + n - 4, "}\n]\n");
        buf[n - 3] = '\0';   /* reopen the array after its last element */
        f = open_memstream(&other, &n2);
        fprintf(f, "%s,\n%s]\n", buf, philly_extra);
        fclose(f);
        f = NULL;
        free(buf);
        buf = other;
        break;
    case S_HELIOS:
        assert_int_equal(aif_jobs_write(&l, AIF_TRACE_HELIOS, f, &e), AIF_OK);
        fputs(helios_extra, f);
        break;
    case S_ACME:
        assert_int_equal(aif_jobs_write(&l, AIF_TRACE_ACME, f, &e), AIF_OK);
        fputs(acme_extra, f);
        break;
    default:
        g = open_memstream(&other, &n2);
        assert_int_equal(aif_jobs_write_pai(&l, f, g, &e), AIF_OK);
        fputs(pai_job_extra, f);
        fputs(pai_task_extra, g);
        fclose(g);
        if (s == S_PAI_TASK) {
            fclose(f);
            free(buf);
            buf = other;
            f = NULL;
        } else
            free(other);
        break;
    }
    if (f)
        fclose(f);
    aif_job_list_free(&l);
    *len = strlen(buf);
    return buf;
}

static void sample_path(int s, char *p, size_t cap) { snprintf(p, cap, "%s/tests/data/jobs/%s", AIFSIM_SOURCE_DIR, sample_file[s]); }

/* ----------------------------------------------------------------- samples */

static void test_samples_current(void **state)
{
    (void)state;
    int update = getenv("AIFSIM_UPDATE_SAMPLES") && !strcmp(getenv("AIFSIM_UPDATE_SAMPLES"), "1");
    for (int s = 0; s < N_SAMPLES; s++) {
        size_t len;
        char *want = sample_text(s, &len), path[4096];
        sample_path(s, path, sizeof path);
        if (update) {
            FILE *f = fopen(path, "wb");
            assert_non_null(f);
            assert_int_equal(fwrite(want, 1, len, f), len);
            assert_int_equal(fclose(f), 0);
        }
        FILE *f = fopen(path, "rb");
        if (!f)
            fail_msg("%s is missing: AIFSIM_UPDATE_SAMPLES=1 build/tests/test_jobs writes it", path);
        char *have = malloc(len + 2);
        size_t got = fread(have, 1, len + 1, f);
        fclose(f);
        if (got != len || memcmp(have, want, len))
            fail_msg("%s differs from what the writer makes now: AIFSIM_UPDATE_SAMPLES=1 build/tests/test_jobs "
                     "rewrites it (review the diff)", path);
        free(have);
        free(want);
    }
}

static void check_sample_jobs(const aif_job_list *l, int have_tenants)
{
    aif_job_list want;
    sample_list(&want);
    for (int i = 0; i < want.n; i++) {
        const aif_job *a = &want.jobs[i], *b = &l->jobs[i];
        assert_int_equal(b->id, i);
        assert_string_equal(b->name, a->name);
        assert_true(fabs(b->submit_s - a->submit_s) < 1e-6);
        assert_true(fabs(b->duration_s - a->duration_s) < 1e-6);
        assert_int_equal(b->gpus, a->gpus);
        assert_int_equal(b->min_gpus, a->gpus);
        assert_int_equal(b->max_gpus, a->gpus);
        assert_int_equal(b->kind, AIF_JOB_GENERIC);
        assert_int_equal(b->priority, 0);
        assert_true(b->walltime_s == 0);
        if (have_tenants)
            assert_string_equal(l->tenants[b->tenant], want.tenants[a->tenant]);
        else
            assert_string_equal(l->tenants[b->tenant], "none");
    }
    aif_job_list_free(&want);
}

static void test_parse_samples(void **state)
{
    (void)state;
    char path[4096], p2[4096];
    aif_job_list l;
    long skipped = -1;
    aif_err e;
    /* Philly: the 12 jobs, then the retried job (4 GPUs of its last attempt, 100 + 200 s) */
    sample_path(S_PHILLY, path, sizeof path);
    assert_int_equal(aif_jobs_read(path, AIF_TRACE_PHILLY, 0, &l, &skipped, &e), AIF_OK);
    assert_int_equal(l.n, 13);
    assert_int_equal(skipped, 2);   /* never started, still running */
    assert_int_equal(l.n_tenants, 4);
    check_sample_jobs(&l, 1);
    assert_string_equal(l.jobs[12].name, "retried");
    assert_int_equal(l.jobs[12].gpus, 4);
    assert_true(fabs(l.jobs[12].duration_s - 300) < 1e-9);
    assert_string_equal(l.tenants[l.jobs[12].tenant], "vc-delta");
    aif_job_list_free(&l);
    /* Helios and Acme: the 12 jobs; the CPU job and the cancelled one skipped */
    for (int s = S_HELIOS; s <= S_ACME; s += S_ACME - S_HELIOS) {
        sample_path(s, path, sizeof path);
        int fmt = s == S_HELIOS ? AIF_TRACE_HELIOS : AIF_TRACE_ACME;
        assert_int_equal(aif_jobs_read(path, fmt, 0, &l, &skipped, &e), AIF_OK);
        assert_int_equal(l.n, 12);
        assert_int_equal(skipped, 2);
        assert_int_equal(l.n_tenants, 3);
        check_sample_jobs(&l, 1);
        aif_job_list_free(&l);
    }
    /* PAI, both tables: 12 + the mixed job (ceil(3 * 50%) = 2 GPUs, 10000110..10000450) */
    sample_path(S_PAI_JOB, path, sizeof path);
    sample_path(S_PAI_TASK, p2, sizeof p2);
    char both[8200];
    snprintf(both, sizeof both, "%s,%s", path, p2);
    assert_int_equal(aif_jobs_read(both, AIF_TRACE_PAI, 0, &l, &skipped, &e), AIF_OK);
    assert_int_equal(l.n, 13);
    assert_int_equal(skipped, 1);   /* cpuonly */
    check_sample_jobs(&l, 1);
    assert_string_equal(l.jobs[12].name, "mixed");
    assert_int_equal(l.jobs[12].gpus, 2);
    assert_true(fabs(l.jobs[12].duration_s - 340) < 1e-9);
    assert_string_equal(l.tenants[l.jobs[12].tenant], "user9");
    aif_job_list_free(&l);
    /* PAI, the task table alone: submits at the first launch, one tenant */
    assert_int_equal(aif_jobs_read(p2, AIF_TRACE_PAI, 0, &l, &skipped, &e), AIF_OK);
    assert_int_equal(l.n, 13);
    assert_int_equal(skipped, 1);
    assert_int_equal(l.n_tenants, 1);
    check_sample_jobs(&l, 0);
    aif_job_list_free(&l);
    /* a Kalos trace: more columns, in another order; a header row is found by name */
    const char *kalos =
        "job_id,user,node_num,gpu_num,cpu_num,mem_per_pod_GB,shared_mem_per_pod,type,state,submit_time,start_time,"
        "end_time,fail_time,stop_time,duration,queue,gpu_time\n"
        "dlcAAA,uk1,8,64,960,1000,100.0,Pretrain,FAILED,2023-05-17 11:00:58+00:00,2023-05-17 11:01:08+00:00,"
        "2023-05-17 11:01:26+00:00,2023-05-17 11:01:26+00:00,,18,10.0,1152.0\n"
        "dlcBBB,uk2,1,8,120,1000,100.0,SFT,CANCELLED,2023-05-17 11:28:42+00:00,2023-05-17 11:28:54+00:00,"
        "2023-05-17 11:30:04+00:00,,2023-05-17 11:30:04+00:00,70,12.0,560.0\n";
    assert_int_equal(aif_jobs_parse(kalos, strlen(kalos), AIF_TRACE_ACME, "kalos.csv", 0, &l, &skipped, &e), AIF_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.jobs[0].gpus, 64);
    assert_true(l.jobs[1].submit_s == 1664 && l.jobs[1].duration_s == 70);
    assert_string_equal(l.tenants[l.jobs[1].tenant], "uk2");
    aif_job_list_free(&l);
    /* the name tables */
    assert_string_equal(aif_trace_format_names[AIF_TRACE_ACME], "acme");
    assert_null(aif_trace_format_names[AIF_TRACE_SYNTHETIC + 1]);
    assert_string_equal(aif_job_kind_names[AIF_JOB_SERVE], "serve");
    assert_null(aif_job_kind_names[AIF_JOB_SERVE + 1]);
}

/* ---------------------------------------------------------------- malformed */

typedef struct bad_case {
    int format;
    const char *text;
    int line;
    const char *path;   /* substring of the field path ("" = none checked) */
    const char *msg;    /* substring of the message */
} bad_case;

#define HH "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n"
#define HROW(g, sub, d) "j1,u1,vc1," g ",4,1,COMPLETED," sub ",2020-04-01 00:00:00,2020-04-01 01:00:00," d ",0\n"
#define AH "job_id,user,node_num,gpu_num,cpu_num,type,state,submit_time,start_time,end_time,duration,queue,gpu_time\n"
#define PJ "{\"vc\": \"a\", \"jobid\": \"j\", \"submitted_time\": \"2017-10-01 00:00:00\", \"attempts\": "
#define ATT "[{\"start_time\": \"2017-10-01 00:00:00\", \"end_time\": \"2017-10-01 01:00:00\", \"detail\": " \
            "[{\"ip\": \"m1\", \"gpus\": [\"gpu0\"]}]}]"
#define TASK(inst, st, en, gpu) "j1,worker," inst ",Terminated," st "," en ",600.0,29.3," gpu ",V100\n"

static const bad_case bad_cases[] = {
    /* helios */
    {AIF_TRACE_HELIOS, "", 1, "", "empty"},
    {AIF_TRACE_HELIOS, "job_id,user,gpu_num\n", 1, "vc", "no column vc"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 00:00:00", "3600") HROW("x8", "2020-04-01 00:00:00", "3600"), 3,
     "gpu_num", "gpu_num is 'x8'; accepted: a whole number"},
    {AIF_TRACE_HELIOS, HH HROW("-1", "2020-04-01 00:00:00", "3600"), 2, "gpu_num", "'-1'"},
    {AIF_TRACE_HELIOS, HH HROW("2.5", "2020-04-01 00:00:00", "3600"), 2, "gpu_num", "whole number"},
    {AIF_TRACE_HELIOS, HH HROW("1000001", "2020-04-01 00:00:00", "3600"), 2, "gpu_num", "1000000"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-02-30 00:00:00", "3600"), 2, "submit_time", "'2020-02-30 00:00:00'"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 24:00:00", "3600"), 2, "submit_time", "YYYY-MM-DD HH:MM:SS"},
    {AIF_TRACE_HELIOS, HH HROW("8", "1969-12-31 23:59:59", "3600"), 2, "submit_time", "1970 to"},
    {AIF_TRACE_HELIOS, HH HROW("8", "", "3600"), 2, "submit_time", "submit_time is empty"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 00:00:00", "-5"), 2, "duration", "'-5'"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 00:00:00", "nan"), 2, "duration", "'nan'"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 00:00:00", "1e11"), 2, "duration", "1e10"},
    {AIF_TRACE_HELIOS, HH "\n" HROW("8", "2020-04-01 00:00:00", "60"), 2, "", "1 fields; the header has 12"},
    {AIF_TRACE_HELIOS, HH HROW("8", "2020-04-01 00:00:00", "60") "j2,u1\n", 3, "", "2 fields; the header has 12"},
    {AIF_TRACE_HELIOS, HH "\"j1,u1,vc1,8,4,1\n", 2, "", "never closed"},
    {AIF_TRACE_HELIOS, HH "\"j1\"x,u1,vc1,8,4,1,COMPLETED,2020-04-01 00:00:00,,,,\n", 2, "", "closing quote"},
    {AIF_TRACE_HELIOS, HH "j\001,u1,vc1,8,4,1,C,2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\n", 2, "job_id",
     "control character"},
    {AIF_TRACE_HELIOS, "job_id,vc,vc,gpu_num,submit_time,start_time,duration\n", 1, "vc", "twice"},
    {AIF_TRACE_HELIOS, HH "j1,u1,vc1,8,4,1,C,2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\rx\n", 2, "",
     "carriage return"},
    /* acme */
    {AIF_TRACE_ACME, HH HROW("8", "2020-04-01 00:00:00", "60"), 1, "user", ""},   /* user is there: no error... */
    {AIF_TRACE_ACME, "job_id,gpu_num\n", 1, "user", "no column user"},
    {AIF_TRACE_ACME, AH "j1,u1,1,8,128,Other,COMPLETED,2023-03-01 00:18:22+25:00,2023-03-01 00:18:22+08:00,,60,0,0\n",
     2, "submit_time", "zone"},
    /* pai */
    {AIF_TRACE_PAI, "", 0, "", ""},   /* no header: an empty table is no job */
    {AIF_TRACE_PAI, "j1,i1,u1,Terminated,1.0,2.0\n", 1, "", "looks like pai_job_table"},
    {AIF_TRACE_PAI, TASK("1.0", "100.0", "200.0", "100.0") TASK("1.5", "100.0", "200.0", "100.0"), 2, "inst_num",
     "'1.5'"},
    {AIF_TRACE_PAI, TASK("1.0", "100.0", "50.0", "100.0"), 1, "end_time", "before start_time"},
    {AIF_TRACE_PAI, TASK("1.0", "abc", "50.0", "100.0"), 1, "start_time", "'abc'"},
    {AIF_TRACE_PAI, TASK("1.0", "1.0", "50.0", "-100.0"), 1, "plan_gpu", "percent"},
    {AIF_TRACE_PAI, TASK("1000000", "1.0", "50.0", "200.0"), 1, "plan_gpu", "at most 1000000"},
    {AIF_TRACE_PAI, "0123456789012345678901234567890123456789012345678901234567890123456789,w,1,T,1,2,6,2,100,V\n", 1,
     "job_name", "at most 64"},
    /* philly */
    {AIF_TRACE_PHILLY, "", 1, "", "empty"},
    {AIF_TRACE_PHILLY, "{}", 1, "", "an array"},
    {AIF_TRACE_PHILLY, "[\n" PJ ATT "},\n" PJ ATT "\n", 4, "", "',' or '}'"},
    {AIF_TRACE_PHILLY, "[\n" PJ ATT "},\n{\"jobid\": \"x\", \"vc\": \"a\", \"attempts\": []}\n]", 3, "[1]",
     "no \"submitted_time\""},
    {AIF_TRACE_PHILLY, "[\n" PJ ATT "},\n" PJ ATT ", \"user\": tru}\n]", 3, "[1].user", "expected a value"},
    {AIF_TRACE_PHILLY, "[" PJ "[{\"start_time\": \"2017-10-01 02:00:00\", \"end_time\": \"2017-10-01 01:00:00\"}]}]",
     1, "[0].attempts[0]", "before start_time"},
    {AIF_TRACE_PHILLY, "[" PJ "[{\"start_time\": \"yesterday\"}]}]", 1, "[0].attempts[0].start_time", "'yesterday'"},
    {AIF_TRACE_PHILLY, "[{\"vc\": \"a\", \"jobid\": \"j\", \"submitted_time\": null, \"attempts\": []}]", 1,
     "[0].submitted_time", "null"},
    {AIF_TRACE_PHILLY, "[{\"vc\": \"a\nb\"}]", 1, "[0].vc", "control character"},
    {AIF_TRACE_PHILLY, "[{\"vc\": \"a\\qb\"}]", 1, "[0].vc", "unknown escape"},
    {AIF_TRACE_PHILLY, "[{\"vc\": \"a\\u00\"}]", 1, "[0].vc", "4 hex digits"},
    {AIF_TRACE_PHILLY, "[{\"vc\": \"\\u0001\"}]", 1, "[0].vc", "control character"},
    {AIF_TRACE_PHILLY, "[{\"vc\": 7}]", 1, "[0].vc", "expected a string"},
    {AIF_TRACE_PHILLY, "[\n" PJ ATT "}\n] x", 3, "", "the end of the file"},
    {AIF_TRACE_PHILLY, "[{\"x\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]"
                       "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}]", 1, "[0].x", "deeper than 64"},
    {AIF_TRACE_PHILLY, "[{\"x\": 1e999}]", 1, "[0].x", "expected a value"},
    {AIF_TRACE_PHILLY, "[\"job\"]", 1, "[0]", "an object"},
    /* neither read nor written */
    {AIF_TRACE_SYNTHETIC, "x", 0, "format", "generated"},
    {99, "x", 0, "format", "unknown trace format 99"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        aif_job_list l;
        aif_err e;
        long sk = 0;
        memset(&e, 0, sizeof e);
        aif_rc rc = aif_jobs_parse(c->text, strlen(c->text), c->format, "t.trace", 0, &l, &sk, &e);
        if (!c->msg[0]) {   /* a case that must parse */
            if (rc)
                fail_msg("case %zu: rejected: %s", i, e.msg);
            aif_job_list_free(&l);
            continue;
        }
        if (rc != AIF_EINPUT)
            fail_msg("case %zu (%s) was accepted: %d jobs", i, c->text, l.n);
        assert_null(l.jobs);
        assert_int_equal(l.n, 0);
        if (e.line != c->line || !strstr(e.path, c->path) || !strstr(e.msg, c->msg))
            fail_msg("case %zu: got line %d, path '%s', message '%s'; want line %d, path '%s', '%s'", i, e.line, e.path,
                     e.msg, c->line, c->path, c->msg);
        if (c->line > 0)
            assert_string_equal(e.file, "t.trace");
    }
    /* the two PAI tables: errors name the file and line of either */
    const char *jt = "a,ia,u1,Terminated,10.0,20.0\nb,ib,u2,Terminated,11.0,22.0\n";
    const char *tt_ok = TASK("1.0", "12.0", "30.0", "100.0");
    const char *tt_orphan = "a,worker,1.0,T,12.0,30.0,1,1,100.0,V\nzz,worker,1.0,T,12.0,30.0,1,1,100.0,V\n";
    const char *jt_dup = "a,ia,u1,Terminated,10.0,20.0\na,ia,u1,Terminated,11.0,22.0\n";
    aif_job_list l;
    aif_err e;
    assert_int_equal(aif_jobs_parse_pai(jt, strlen(jt), "job.csv", tt_orphan, strlen(tt_orphan), "task.csv", 0, &l,
                                        NULL, &e), AIF_EINPUT);
    assert_string_equal(e.file, "task.csv");
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "'zz', which is not in the job table"));
    assert_int_equal(aif_jobs_parse_pai(jt_dup, strlen(jt_dup), "job.csv", tt_ok, strlen(tt_ok), "task.csv", 0, &l,
                                        NULL, &e), AIF_EINPUT);
    assert_string_equal(e.file, "job.csv");
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "twice in the job table (first at line 1)"));
    assert_int_equal(aif_jobs_parse_pai(tt_ok, strlen(tt_ok), "job.csv", jt, strlen(jt), "task.csv", 0, &l, NULL, &e),
                     AIF_EINPUT);
    assert_non_null(strstr(e.msg, "looks like pai_task_table"));
    /* a missing file */
    assert_int_equal(aif_jobs_read("/nonexistent/trace.csv", AIF_TRACE_HELIOS, 0, &l, NULL, &e), AIF_EIO);
    assert_int_equal(aif_jobs_read("/nonexistent/j.csv,/nonexistent/t.csv", AIF_TRACE_PAI, 0, &l, NULL, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/j.csv");
}

/* -------------------------------------------------------------- round trips */

static unsigned long long rng_state = 12345;
static unsigned rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33);
}

/* n jobs with awkward names and tenants (commas, quotes, backslashes, long), sorted. */
static void random_list(aif_job_list *l, int n)
{
    static const char *const ten[] = {"vc,comma", "vc\"quote", "back\\slash", "plain",
                                      "a-tenant-name-that-is-31-bytes!"};
    list_init(l, n, 5);
    for (int t = 0; t < 5; t++)
        snprintf(l->tenants[t], AIF_TENANT_MAX, "%s", ten[t]);
    double t = 0;
    for (int i = 0; i < n; i++) {
        char name[32];
        if (i % 7 == 3)
            snprintf(name, sizeof name, "j,\"%d\"", i);
        else
            snprintf(name, sizeof name, "job%d", i);
        int g = 1 << (rnd() % 10);
        if (i % 5 == 0)
            g = 1 + (int)(rnd() % 100);
        job_set(&l->jobs[i], i, t, 1 + rnd() % 200000 + (rnd() % 100) / 100.0, g, (int)(rnd() % 5), name);
        if (rnd() % 4)
            t += (double)(rnd() % 3600);
    }
}

static void compare_round(const aif_job_list *a, const aif_job_list *b, int tenants)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        const aif_job *x = &a->jobs[i], *y = &b->jobs[i];
        if (strcmp(x->name, y->name) || fabs(x->submit_s - y->submit_s) > 0.5 || fabs(x->duration_s - y->duration_s) > 0.5 ||
            x->gpus != y->gpus)
            fail_msg("job %d: %s %.17g %.17g %d came back as %s %.17g %.17g %d", i, x->name, x->submit_s, x->duration_s,
                     x->gpus, y->name, y->submit_s, y->duration_s, y->gpus);
        assert_int_equal(y->id, i);
        if (tenants)
            assert_string_equal(a->tenants[x->tenant], b->tenants[y->tenant]);
    }
}

static char *write_mem(const aif_job_list *l, int format, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    aif_err e;
    aif_rc rc = aif_jobs_write(l, format, f, &e);
    fclose(f);
    if (rc)
        fail_msg("write: %s", e.msg);
    return buf;
}

static void test_round_trip(void **state)
{
    (void)state;
    aif_job_list l, back;
    aif_err e;
    long sk;
    random_list(&l, 3000);
    for (int fmt = 0; fmt < AIF_TRACE_SYNTHETIC; fmt++) {
        size_t len;
        char *t = write_mem(&l, fmt, &len);
        if (aif_jobs_parse(t, len, fmt, "rt", 0, &back, &sk, &e))
            fail_msg("%s: %s:%d:%d: %s: %s", aif_trace_format_names[fmt], e.file, e.line, e.col, e.path, e.msg);
        assert_int_equal(sk, 0);
        compare_round(&l, &back, fmt != AIF_TRACE_PAI);
        aif_job_list_free(&back);
        free(t);
    }
    /* PAI through both tables keeps the tenants */
    char *jb = NULL, *tb = NULL;
    size_t jl, tl;
    FILE *jf = open_memstream(&jb, &jl), *tf = open_memstream(&tb, &tl);
    assert_int_equal(aif_jobs_write_pai(&l, jf, tf, &e), AIF_OK);
    fclose(jf);
    fclose(tf);
    assert_int_equal(aif_jobs_parse_pai(jb, jl, "j", tb, tl, "t", 0, &back, &sk, &e), AIF_OK);
    compare_round(&l, &back, 1);
    aif_job_list_free(&back);
    free(jb);
    free(tb);
    /* the latest times a writer accepts (3e10 s, dates near 2970) read back in every format */
    aif_job_list far;
    list_init(&far, 2, 1);
    job_set(&far.jobs[0], 0, 0, 60, 8, 0, "first");
    job_set(&far.jobs[1], 1, 2.9e10, 1e9, 8, 0, "far");
    for (int fmt = 0; fmt < AIF_TRACE_SYNTHETIC; fmt++) {
        size_t len;
        char *t = write_mem(&far, fmt, &len);
        if (aif_jobs_parse(t, len, fmt, "far", 0, &back, &sk, &e))
            fail_msg("%s: %s:%d: %s: %s", aif_trace_format_names[fmt], e.file, e.line, e.path, e.msg);
        compare_round(&far, &back, fmt != AIF_TRACE_PAI);
        aif_job_list_free(&back);
        free(t);
    }
    far.jobs[1].duration_s = 2e9;   /* past 3e10 s: refused */
    FILE *nul = fopen("/dev/null", "w");
    assert_int_equal(aif_jobs_write(&far, AIF_TRACE_HELIOS, nul, &e), AIF_EINPUT);
    assert_string_equal(e.path, "jobs[1]");
    far.jobs[1].duration_s = 1;
    strcpy(far.jobs[1].name, "a\nb");
    assert_int_equal(aif_jobs_write(&far, AIF_TRACE_ACME, nul, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "control character"));
    fclose(nul);
    aif_job_list_free(&far);
    /* a list the writers refuse */
    l.jobs[5].gpus = 0;
    FILE *f = fopen("/dev/null", "w");
    assert_int_equal(aif_jobs_write(&l, AIF_TRACE_HELIOS, f, &e), AIF_EINPUT);
    assert_string_equal(e.path, "jobs[5]");
    l.jobs[5].gpus = 1;
    l.jobs[6].duration_s = 0;
    assert_int_equal(aif_jobs_write(&l, AIF_TRACE_PHILLY, f, &e), AIF_EINPUT);
    l.jobs[6].duration_s = 1;
    l.jobs[7].tenant = 5;
    assert_int_equal(aif_jobs_write(&l, AIF_TRACE_ACME, f, &e), AIF_EINPUT);
    assert_int_equal(aif_jobs_write(&l, AIF_TRACE_SYNTHETIC, f, &e), AIF_EINPUT);
    fclose(f);
    aif_job_list_free(&l);
}

/* --------------------------------------------------------- order and counts */

static void test_order_and_max(void **state)
{
    (void)state;
    /* out of order, with ties: sorted by submit, ties in file order; times from the first */
    const char *t = HH "a,u,v1,1,1,1,C,2020-04-01 00:10:00,2020-04-01 00:10:00,,60,0\n"
                       "b,u,v2,2,1,1,C,2020-04-01 00:05:00,2020-04-01 00:05:00,,60,0\n"
                       "c,u,v3,3,1,1,C,2020-04-01 00:10:00,2020-04-01 00:10:00,,60,0\n"
                       "d,u,v2,4,1,1,C,2020-04-01 00:05:00,2020-04-01 00:05:00,,60,0\n"
                       "e,u,v1,0,1,1,C,2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\n";
    aif_job_list l;
    aif_err e;
    long sk;
    assert_int_equal(aif_jobs_parse(t, strlen(t), AIF_TRACE_HELIOS, "o", 0, &l, &sk, &e), AIF_OK);
    assert_int_equal(l.n, 4);
    assert_int_equal(sk, 1);
    const char *order = "bdac";
    for (int i = 0; i < 4; i++) {
        assert_int_equal(l.jobs[i].name[0], order[i]);
        assert_int_equal(l.jobs[i].id, i);
    }
    assert_true(l.jobs[0].submit_s == 0 && l.jobs[1].submit_s == 0 && l.jobs[2].submit_s == 300);
    assert_int_equal(l.n_tenants, 3);
    aif_job_list_free(&l);
    /* max_jobs: the earliest two; only their tenant is kept; skipped may be NULL */
    assert_int_equal(aif_jobs_parse(t, strlen(t), AIF_TRACE_HELIOS, "o", 2, &l, NULL, &e), AIF_OK);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.n_tenants, 1);
    assert_string_equal(l.tenants[0], "v2");
    assert_int_equal(l.jobs[1].tenant, 0);
    aif_job_list_free(&l);
    /* names and tenants cut to fit; an empty trace of a header alone is no job */
    const char *lng = HH "a-job-name-well-past-thirty-one-bytes,u,a-tenant-well-past-thirty-one-bytes,1,1,1,C,"
                         "2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\n";
    assert_int_equal(aif_jobs_parse(lng, strlen(lng), AIF_TRACE_HELIOS, "o", 0, &l, &sk, &e), AIF_OK);
    assert_string_equal(l.jobs[0].name, "a-job-name-well-past-thirty-one");
    assert_string_equal(l.tenants[0], "a-tenant-well-past-thirty-one-b");
    aif_job_list_free(&l);
    assert_int_equal(aif_jobs_parse(HH, strlen(HH), AIF_TRACE_HELIOS, "o", 0, &l, &sk, &e), AIF_OK);
    assert_int_equal(l.n, 0);
    aif_job_list_free(&l);
    /* CRLF, quoted fields, a zone, fractions */
    const char *crlf = AH "\"j,1\",u1,1,8,128,Other,COMPLETED,2023-03-01 00:00:00.5+08:00,2023-03-01 00:00:01+08:00,,"
                          "60.5,0,0\r\n"
                          "j2,u1,1,8,128,Other,COMPLETED,2023-02-28T16:00:10Z,2023-02-28 16:00:11Z,,60,0,0\r\n";
    assert_int_equal(aif_jobs_parse(crlf, strlen(crlf), AIF_TRACE_ACME, "o", 0, &l, &sk, &e), AIF_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.jobs[0].name, "j,1");
    assert_true(l.jobs[0].duration_s == 60.5 && l.jobs[1].submit_s == 9.5);
    aif_job_list_free(&l);
}

/* ------------------------------------------------------------- size limits */

static void test_large_and_limits(void **state)
{
    (void)state;
    aif_job_list l, back;
    aif_err e;
    long sk;
    random_list(&l, 60000);
    for (int i = 0; i < l.n; i++)
        l.jobs[i].gpus = 1 + i % 8;
    for (int fmt = 0; fmt < AIF_TRACE_SYNTHETIC; fmt++) {
        size_t len;
        char *t = write_mem(&l, fmt, &len);
        assert_true(len > 4000000);
        assert_int_equal(aif_jobs_parse(t, len, fmt, "big", 0, &back, &sk, &e), AIF_OK);
        assert_int_equal(back.n, l.n);
        aif_job_list_free(&back);
        free(t);
    }
    aif_job_list_free(&l);
    /* 10 MB of Helios rows, and the same text cut at every 997th byte never crashes */
    size_t cap = 11u << 20, n = 0;
    char *big = malloc(cap);
    n += (size_t)snprintf(big, cap, "%s", HH);
    long rows = 0;
    while (n < (10u << 20)) {
        n += (size_t)snprintf(big + n, cap - n, "job%ld,u%ld,vc%ld,%d,4,1,COMPLETED,2020-04-01 00:%02ld:%02ld,"
                              "2020-04-01 00:00:00,2020-04-01 00:00:00,%ld,0\n", rows, rows % 97, rows % 13,
                              1 << (rows % 7), rows / 60 % 60, rows % 60, 1 + rows % 5000);
        rows++;
    }
    assert_int_equal(aif_jobs_parse(big, n, AIF_TRACE_HELIOS, "10mb", 0, &l, &sk, &e), AIF_OK);
    assert_int_equal(l.n, rows);
    assert_int_equal(l.n_tenants, 13);
    aif_job_list_free(&l);
    for (size_t cut = 1; cut < 200000; cut += 997)
        if (aif_jobs_parse(big, cut, AIF_TRACE_HELIOS, "cut", 0, &l, &sk, &e) == AIF_OK)
            aif_job_list_free(&l);
        else
            assert_int_equal(e.rc, AIF_EINPUT);
    free(big);
    /* a text over the limit is refused before it is read */
    static const char one[] = "x";
    assert_int_equal(aif_jobs_parse(one, (size_t)AIF_JOBS_TEXT_MAX + 1, AIF_TRACE_HELIOS, "huge", 0, &l, &sk, &e),
                     AIF_EINPUT);
    assert_non_null(strstr(e.msg, "at most 2147483647"));
    /* a field over 256 bytes in quotes; a number of more than 63 characters */
    char lq[600];
    snprintf(lq, sizeof lq, HH "\"%0300d\",u,v,1,1,1,C,2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\n", 0);
    assert_int_equal(aif_jobs_parse(lq, strlen(lq), AIF_TRACE_HELIOS, "q", 0, &l, &sk, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "longer than 256 bytes"));
    snprintf(lq, sizeof lq, HH "j,u,v,%080d1,1,1,C,2020-04-01 00:00:00,2020-04-01 00:00:00,,60,0\n", 0);
    assert_int_equal(aif_jobs_parse(lq, strlen(lq), AIF_TRACE_HELIOS, "q", 0, &l, &sk, &e), AIF_EINPUT);
    assert_string_equal(e.path, "gpu_num");
    /* a Philly attempt of more than a million GPUs */
    size_t pc = 12u << 20;
    char *ph = malloc(pc);
    size_t k = (size_t)snprintf(ph, pc, "[" PJ "[{\"start_time\": \"2017-10-01 00:00:00\", \"end_time\": "
                                         "\"2017-10-01 01:00:00\", \"detail\": [{\"ip\": \"m1\", \"gpus\": [0");
    for (int g = 0; g < AIF_JOB_GPUS_MAX + 1; g++)
        k += (size_t)snprintf(ph + k, pc - k, ",1");
    k += (size_t)snprintf(ph + k, pc - k, "]}]}]}]");
    assert_int_equal(aif_jobs_parse(ph, k, AIF_TRACE_PHILLY, "p", 0, &l, &sk, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "more than 1000000 GPUs"));
    free(ph);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_current), cmocka_unit_test(test_parse_samples),
        cmocka_unit_test(test_malformed),       cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_order_and_max),   cmocka_unit_test(test_large_and_limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
