/* run.c -- running a sweep: each point through the library's pipeline on a pool of
 * threads, on MPI ranks under mpirun, committed to the store in batches.
 *
 * A round: rank 0 picks the next batch of points not yet stored (in point order);
 * the batch is split over the ranks (item j to rank j mod ranks) and, on each rank,
 * over its threads (the next item to whichever thread is free); every thread owns its
 * scenario and run (heap, not stack: they are large) and shares the catalog and the
 * sweep read-only.  A point's result is one flat record (sweep_int.h); the ranks send
 * theirs to rank 0, which commits the batch in one transaction in point order, so the
 * store is the same whatever the number of threads or ranks.  Rank 0 commits a batch
 * while the threads run the next one (two sets of record buffers, used in turn).  A batch grows from a
 * few points by doubling while one takes under a second (4,096 at most), so a slow
 * engine commits often and a fast one pays one transaction per thousands of points.
 *
 * MPI is a plugin (libaifsim-mpi.so, mpi_plugin.c) opened with dlopen only when Open
 * MPI's environment says there is more than one rank: linking libmpi into every
 * process would cost each run of the command line milliseconds (docs/PERFORMANCE.md). */
#define _GNU_SOURCE
#include "sweep_int.h"

#include <dlfcn.h>
#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double sweep_now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* ------------------------------------------------------------ records */

void rec_put(rec_buf *b, const void *p, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n)
            cap *= 2;
        char *np = realloc(b->p, cap);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

void rec_put_str(rec_buf *b, const char *s, size_t n)
{
    uint32_t k = (uint32_t)n;
    rec_put(b, &k, 4);
    rec_put(b, s, n);
}

int rec_get(rec_reader *r, void *out, size_t n)
{
    if ((size_t)(r->end - r->p) < n)
        return 0;
    memcpy(out, r->p, n);
    r->p += n;
    return 1;
}

int rec_get_str(rec_reader *r, const char **s, uint32_t *n)
{
    if (!rec_get(r, n, 4) || (size_t)(r->end - r->p) < *n)
        return 0;
    *s = r->p;
    r->p += *n;
    return 1;
}

size_t rec_size(const char *p, size_t avail)
{
    rec_reader r = {p, p + avail};
    char skip[16];
    const char *s;
    uint32_t n, nf;
    if (!rec_get(&r, skip, 16) || !rec_get_str(&r, &s, &n) || !rec_get(&r, &nf, 4))
        return 0;
    for (uint32_t f = 0; f < nf; f++) {
        unsigned char kind;
        if (!rec_get_str(&r, &s, &n) || !rec_get(&r, &kind, 1) ||
            (kind == REC_TEXT ? !rec_get_str(&r, &s, &n) : !rec_get(&r, skip, 8)))
            return 0;
    }
    return (size_t)(r.p - p);
}

/* The JSON object's scalars by path (a.b.c); lists (power profiles, notes) are not columns. */
static void flatten(rec_buf *b, json_object *o, char *path, size_t len, size_t cap, uint32_t *n)
{
    json_object_object_foreach(o, k, v) {
        size_t kl = strlen(k);
        if (len + kl + 2 > cap)
            continue;
        size_t nl = len;
        if (len)
            path[nl++] = '.';
        memcpy(path + nl, k, kl + 1);
        nl += kl;
        unsigned char kind;
        switch (json_object_get_type(v)) {
        case json_type_object:
            flatten(b, v, path, nl, cap, n);
            break;
        case json_type_boolean:
        case json_type_int: {
            int64_t iv = json_object_get_int64(v);
            kind = REC_INT;
            rec_put_str(b, path, nl);
            rec_put(b, &kind, 1);
            rec_put(b, &iv, 8);
            (*n)++;
            break;
        }
        case json_type_double: {
            double d = json_object_get_double(v);
            kind = REC_NUM;
            rec_put_str(b, path, nl);
            rec_put(b, &kind, 1);
            rec_put(b, &d, 8);
            (*n)++;
            break;
        }
        case json_type_string:
            kind = REC_TEXT;
            rec_put_str(b, path, nl);
            rec_put(b, &kind, 1);
            rec_put_str(b, json_object_get_string(v), (size_t)json_object_get_string_len(v));
            (*n)++;
            break;
        default:   /* arrays, null */
            break;
        }
        path[len] = '\0';
    }
}

/* ------------------------------------------------------------ one point */

typedef struct worker {
    const aif_catalog *c;
    const aif_sweep *sw;
    const aif_sweep_opts *o;
    aif_scenario *s;
    aif_train_run *run;
    aif_serve_run *srun;
    aif_cluster_run *crun;        /* cluster sweeps only */
    aif_override ov[SWEEP_MAX_SETS + SWEEP_MAX_AXES];
} worker;

/* An error of a job's sections, which the site does not need (as aifsim facility). */
static int job_error(aif_rc rc, const aif_err *e)
{
    return rc == AIF_EINPUT && (!strncmp(e->path, "train", 5) || !strncmp(e->path, "model", 5));
}

/* Evaluates point i into the record b.  A rejection by the model is the record's
 * message; only out of memory or a bug (AIF_ENOMEM, AIF_EINTERNAL) is returned. */
static aif_rc eval_point(worker *w, long i, rec_buf *b, aif_err *fatal)
{
    const aif_sweep *sw = w->sw;
    const double t0 = sweep_now_s();
    int n = 0;
    for (int k = 0; k < sw->n_set; k++)
        w->ov[n++] = (aif_override){sw->set_path[k], sw->set_value[k], sw->file};
    for (int a = 0; a < sw->n_axes; a++)
        w->ov[n++] = (aif_override){sw->axes[a].path, aif_sweep_point_value(sw, i, a), sw->file};
    aif_err e;
    aif_rc rc;
    char *json = NULL;
    if (sw->command == AIF_SWEEP_CLUSTER) {
        rc = aif_scenario_parse_sections(w->c, sw->base_text, sw->base_len, sw->base_name, w->ov, n,
                                         AIF_SECTION_ALL | AIF_SECTION_OPS | AIF_SECTION_SERVE, w->s, &e);
        if (!rc) {
            const aif_cluster_opts co = {.load = w->s->ops.load == 1 ? AIF_LOAD_SYNTHETIC : AIF_LOAD_DEFAULT_JOB};
            rc = aif_run_cluster(w->c, w->s, &co, w->crun, &e);
        }
        if (!rc && !(json = w->o->writers.cluster_json(w->crun)))
            rc = aif_err_set(&e, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    } else if (sw->command == AIF_SWEEP_INFER) {
        const unsigned sec = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
        rc = aif_scenario_parse_sections(w->c, sw->base_text, sw->base_len, sw->base_name, w->ov, n, sec, w->s, &e);
        if (!rc)
            rc = aif_run_serve(w->c, w->s, NULL, w->srun, &e);
        if (!rc && !(json = w->o->writers.serve_json(w->srun)))
            rc = aif_err_set(&e, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    } else {
        const aif_run_opts ro = {.engine = sw->engine};
        rc = aif_scenario_parse(w->c, sw->base_text, sw->base_len, sw->base_name, w->ov, n, w->s, &e);
        if (!rc) {
            rc = aif_run_train(w->c, w->s, &ro, w->run, &e);
            if (!rc && !(json = w->o->writers.train_json(w->run)))
                rc = aif_err_set(&e, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        } else if (sw->command == AIF_SWEEP_FACILITY && job_error(rc, &e)) {
            /* the site alone, with every GPU computing, as aifsim facility does */
            rc = aif_scenario_parse_sections(w->c, sw->base_text, sw->base_len, sw->base_name, w->ov, n,
                                             AIF_SECTION_CLUSTER | AIF_SECTION_SITE, w->s, &e);
            if (!rc)
                rc = aif_run_site(w->c, w->s, w->run, &e);
            if (!rc && !(json = w->o->writers.facility_json(w->run)))
                rc = aif_err_set(&e, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        }
    }
    if (rc == AIF_ENOMEM || rc == AIF_EINTERNAL) {
        *fatal = e;
        free(json);
        return rc;
    }
    json_object *root = NULL;
    if (!rc && !(root = json_tokener_parse(json))) {
        free(json);
        return aif_err_set(fatal, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory (reading a point's JSON)");
    }
    free(json);
    int64_t point = i;
    double eval_s = 0;
    char msg[1400] = "";
    if (rc)
        aif_err_format(&e, msg, sizeof msg);
    b->n = 0;
    rec_put(b, &point, 8);
    size_t at_time = b->n;
    rec_put(b, &eval_s, 8);
    rec_put_str(b, msg, strlen(msg));
    size_t at_count = b->n;
    uint32_t n_fields = 0;
    rec_put(b, &n_fields, 4);
    if (root) {
        char path[512] = "";
        flatten(b, root, path, 0, sizeof path, &n_fields);
        json_object_put(root);
    }
    if (b->oom)
        return aif_err_set(fatal, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    memcpy(b->p + at_count, &n_fields, 4);
    eval_s = sweep_now_s() - t0;
    memcpy(b->p + at_time, &eval_s, 8);
    return AIF_OK;
}

/* ------------------------------------------------------------ the pool */

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    long gen;                 /* bumped for each batch; workers wait for a new one */
    int quit;
    const long *items;        /* this rank's points of the batch */
    long n_items;
    atomic_long next, finished;
    rec_buf *out;             /* one record per item */
    aif_rc rc;                /* the first fatal error */
    aif_err err;
    worker *w;
    int jobs;
} pool;

typedef struct thread_arg { pool *p; int id; } thread_arg;

static void *thread_main(void *arg)
{
    thread_arg *ta = arg;
    pool *p = ta->p;
    long seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (p->gen == seen && !p->quit)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->quit) {
            pthread_mutex_unlock(&p->mu);
            /* the writers set json-c's number format for their thread (a copy json-c
             * allocates per thread and never frees at thread exit): give it back */
            json_c_set_serialization_double_format(NULL, JSON_C_OPTION_THREAD);
            return NULL;
        }
        seen = p->gen;
        pthread_mutex_unlock(&p->mu);
        long j;
        while ((j = atomic_fetch_add(&p->next, 1)) < p->n_items) {
            aif_err e;
            aif_rc rc = p->rc ? AIF_OK : eval_point(&p->w[ta->id], p->items[j], &p->out[j], &e);
            if (rc) {
                pthread_mutex_lock(&p->mu);
                if (!p->rc) {
                    p->rc = rc;
                    p->err = e;
                }
                pthread_mutex_unlock(&p->mu);
            }
            if (atomic_fetch_add(&p->finished, 1) + 1 == p->n_items) {
                pthread_mutex_lock(&p->mu);
                pthread_cond_signal(&p->done);
                pthread_mutex_unlock(&p->mu);
            }
        }
    }
}

/* ------------------------------------------------------------ MPI plugin */

#ifndef AIF_MPI_PLUGIN
#define AIF_MPI_PLUGIN ""
#endif
#ifndef AIF_MPI_PLUGIN_INSTALLED
#define AIF_MPI_PLUGIN_INSTALLED ""
#endif
#define PLUGIN_NAME "libaifsim-mpi.so"

/* The ranks Open MPI (or a PMI launcher) says this process is one of; 1 outside mpirun. */
static int env_ranks(void)
{
    static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
        const char *v = getenv(vars[i]);
        if (v && atoi(v) > 0)
            return atoi(v);
    }
    return 1;
}

#ifdef AIF_HAVE_MPI
/* Opens the plugin: $AIFSIM_MPI_PLUGIN, beside the code that holds this function (the
 * aifsim binary in a build tree, libaifsim.so when installed), the installed path,
 * then the build tree's.  *why says what failed. */
static void *open_plugin(char *found, size_t n_found, char *why, size_t n_why)
{
    char cand[4][4096];
    int n = 0;
    const char *env = getenv("AIFSIM_MPI_PLUGIN");
    if (env && env[0])
        aif_strlcpy(cand[n++], env, sizeof cand[0]);
    Dl_info info;
    if (dladdr((void *)open_plugin, &info) && info.dli_fname) {
        const char *slash = strrchr(info.dli_fname, '/');
        if (slash)
            snprintf(cand[n++], sizeof cand[0], "%.*s/" PLUGIN_NAME, (int)(slash - info.dli_fname), info.dli_fname);
    }
    if (AIF_MPI_PLUGIN_INSTALLED[0])
        aif_strlcpy(cand[n++], AIF_MPI_PLUGIN_INSTALLED, sizeof cand[0]);
    if (AIF_MPI_PLUGIN[0])
        aif_strlcpy(cand[n++], AIF_MPI_PLUGIN, sizeof cand[0]);
    snprintf(why, n_why, "no %s found", PLUGIN_NAME);
    for (int i = 0; i < n; i++) {
        if (access(cand[i], R_OK) != 0)
            continue;
        void *h = dlopen(cand[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            aif_strlcpy(found, cand[i], n_found);
            return h;
        }
        const char *e = dlerror();
        snprintf(why, n_why, "%s: %s", cand[i], e ? e : "cannot be opened");
    }
    return NULL;
}
#endif

#ifndef AIF_MPI_ABSENT
#define AIF_MPI_ABSENT "Open MPI's development files (libopenmpi-dev) were not found"
#endif
const char *aif_sweep_mpi_support(void)
{
#ifdef AIF_HAVE_MPI
    return "yes (Open MPI, through " PLUGIN_NAME " opened under mpirun)";
#else
    return "no (built without MPI: " AIF_MPI_ABSENT ")";
#endif
}

/* ------------------------------------------------------------ the run */

typedef struct comm {
    const sweep_mpi_api *mpi;
    void *handle;
    int rank, size;
} comm;

static void free_workers(worker *w, int n)
{
    for (int i = 0; w && i < n; i++) {
        free(w[i].s);
        free(w[i].run);
        free(w[i].srun);
        free(w[i].crun);
    }
    free(w);
}

/* Hands this rank's items of one batch to the pool (their records go to out) and
 * returns at once: the calling thread commits the previous batch meanwhile. */
static void start_items(pool *p, const long *items, long n, rec_buf *out)
{
    pthread_mutex_lock(&p->mu);
    p->items = items;
    p->n_items = n;
    p->out = out;
    atomic_store(&p->next, 0);
    atomic_store(&p->finished, 0);
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
}

/* Waits for the batch start_items handed out; calls progress while it waits. */
static aif_rc wait_items(pool *p, const aif_sweep_opts *o, const aif_sweep_status *st, double t0, aif_err *err)
{
    pthread_mutex_lock(&p->mu);
    double last = sweep_now_s();
    while (atomic_load(&p->finished) < p->n_items) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->done, &p->mu, &ts);
        if (o->progress && st->rank == 0 && sweep_now_s() - last >= 0.2) {
            pthread_mutex_unlock(&p->mu);
            aif_sweep_status cur = *st;
            cur.done += atomic_load(&p->finished) * st->ranks;
            if (cur.done > cur.points - cur.stored_before)
                cur.done = cur.points - cur.stored_before;
            cur.elapsed_s = sweep_now_s() - t0;
            o->progress(&cur, o->progress_ctx);
            last = sweep_now_s();
            pthread_mutex_lock(&p->mu);
        }
    }
    aif_rc rc = p->rc;
    if (rc)
        *err = p->err;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

/* Commits the records of one batch (rank 0) and counts the rejected points. */
static aif_rc commit_batch(sweep_store *store, const char **recs, const size_t *lens, long n, aif_sweep_status *st,
                           aif_err *err)
{
    aif_rc rc = store_commit(store, recs, lens, (int)n, err);
    for (long j = 0; j < n && !rc; j++) {
        uint32_t nm;
        memcpy(&nm, recs[j] + 16, 4);
        st->rejected += nm > 0;
    }
    if (!rc)
        st->done += n;
    return rc;
}

aif_rc aif_sweep_run(const aif_catalog *c, const aif_sweep *sw, const char *db_path, const aif_sweep_opts *o,
                     aif_sweep_status *st_out, aif_err *err)
{
    aif_sweep_status st = {0};
    aif_err_clear(err);
    if (!o || !o->writers.train_json || !o->writers.facility_json || !o->writers.serve_json ||
        (sw->command == AIF_SWEEP_CLUSTER && !o->writers.cluster_json))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "aif_sweep_opts and its writers are needed");
    comm cm = {NULL, NULL, 0, 1};
    sweep_store *store = NULL;
    long *to_run = NULL, n_to_run = 0;
    long *mine[2] = {NULL, NULL};
    rec_buf *out[2] = {NULL, NULL};
    const char **recs = NULL;
    size_t *lens = NULL;
    char *gathered[2] = {NULL, NULL};
    long *glens = NULL;
    pthread_t *threads = NULL;
    thread_arg *targs = NULL;
    int n_threads = 0, mpi_up = 0;
    pool p;
    memset(&p, 0, sizeof p);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.go, NULL);
    pthread_cond_init(&p.done, NULL);
    aif_rc rc = AIF_OK;
    const double t0 = sweep_now_s();
    const int batch_max = o->batch_max > 0 ? o->batch_max : 4096;

    const int ranks = env_ranks();
    if (ranks > 1) {
#ifdef AIF_HAVE_MPI
        char found[4096], why[4400];
        if (!(cm.handle = open_plugin(found, sizeof found, why, sizeof why))) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "running on %d MPI ranks needs the MPI plugin: %s "
                             "(AIFSIM_MPI_PLUGIN names it)", ranks, why);
            goto done;
        }
        sweep_mpi_entry entry = (sweep_mpi_entry)dlsym(cm.handle, SWEEP_MPI_SYMBOL);
        if (!entry || !(cm.mpi = entry()) || cm.mpi->version != SWEEP_MPI_API_VERSION) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "%s is not this version's MPI plugin", found);
            goto done;
        }
        if (cm.mpi->init(&cm.rank, &cm.size)) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "MPI_Init failed");
            goto done;
        }
        mpi_up = 1;
#else
        rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "running on %d MPI ranks, but this build has no MPI ("
                         AIF_MPI_ABSENT "): run it without mpirun, on threads (--jobs N)", ranks);
        goto done;
#endif
    }
    st.ranks = cm.size;
    st.rank = cm.rank;
    st.points = sw->n_points;
    int jobs = o->jobs > 0 ? o->jobs : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (jobs < 1)
        jobs = 1;
    if (jobs > 1024)
        jobs = 1024;
    st.jobs = jobs;

    /* rank 0: the store and the points it does not hold yet, in point order */
    if (cm.rank == 0) {
        rc = store_open(db_path, sw, &store, err);
        if (!rc && !(to_run = malloc((size_t)(sw->n_points ? sw->n_points : 1) * sizeof *to_run)))
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        for (long i = 0; !rc && i < sw->n_points; i++) {
            char key[17];
            aif_sweep_point_key(sw, i, key);
            if (store_has(store, key))
                st.stored_before++;
            else
                to_run[n_to_run++] = i;
        }
    }
    if (mpi_up) {
        long hdr[2] = {rc ? -1 : n_to_run, st.stored_before};
        if (cm.mpi->bcast(hdr, sizeof hdr)) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "MPI_Bcast failed");
            goto done;
        }
        if (hdr[0] < 0) {
            if (!rc)
                rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "rank 0 could not open the store");
            goto done;
        }
        n_to_run = hdr[0];
        st.stored_before = hdr[1];
        if (cm.rank != 0 && !(to_run = malloc((size_t)(n_to_run ? n_to_run : 1) * sizeof *to_run))) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            goto done;   /* the others wait in vain: out of memory is the end anyway */
        }
        if (n_to_run && cm.mpi->bcast(to_run, n_to_run * (long)sizeof *to_run)) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "MPI_Bcast failed");
            goto done;
        }
    }
    if (rc)
        goto done;

    /* the threads, each with its own scenario and run */
    if ((p.w = calloc((size_t)jobs, sizeof *p.w)))
        p.jobs = jobs;
    if (!p.w || !(threads = calloc((size_t)jobs, sizeof *threads)) ||
        !(targs = calloc((size_t)jobs, sizeof *targs)) ||
        !(out[0] = calloc((size_t)batch_max, sizeof *out[0])) || !(out[1] = calloc((size_t)batch_max, sizeof *out[1])) ||
        !(mine[0] = malloc((size_t)batch_max * sizeof *mine[0])) ||
        !(mine[1] = malloc((size_t)batch_max * sizeof *mine[1])) ||
        !(recs = malloc((size_t)batch_max * sizeof *recs)) || !(lens = malloc((size_t)batch_max * sizeof *lens)) ||
        !(glens = calloc((size_t)cm.size, sizeof *glens))) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    for (int t = 0; t < jobs; t++) {
        worker *w = &p.w[t];
        w->c = c;
        w->sw = sw;
        w->o = o;
        if (!(w->s = malloc(sizeof *w->s)) || !(w->run = malloc(sizeof *w->run)) ||
            !(w->srun = malloc(sizeof *w->srun)) ||
            (sw->command == AIF_SWEEP_CLUSTER && !(w->crun = malloc(sizeof *w->crun)))) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            goto done;
        }
    }
    for (; n_threads < jobs; n_threads++) {
        targs[n_threads] = (thread_arg){&p, n_threads};
        if (pthread_create(&threads[n_threads], NULL, thread_main, &targs[n_threads])) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "cannot start thread %d of %d", n_threads + 1, jobs);
            goto done;
        }
    }

    /* Round k: hand out batch k, commit batch k - 1 meanwhile (rank 0), wait for
     * batch k, gather it.  A failed commit stops the sweep at the next round, so every
     * rank leaves the loop at the same collective call. */
    long batch = jobs * cm.size, pending = 0;
    aif_rc stop = AIF_OK;
    aif_err stop_err;
    for (long at = 0, cur = 0;; cur ^= 1) {
        long n = n_to_run - at < batch ? n_to_run - at : batch;
        if (n > batch_max)
            n = batch_max;
        if (stop)
            n = -1;
        if (mpi_up && cm.mpi->bcast(&n, sizeof n)) {
            rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "MPI_Bcast failed");
            goto done;
        }
        if (n < 0) {
            if (stop) {
                rc = stop;
                *err = stop_err;
            } else {
                rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "rank 0 stopped the sweep");
            }
            goto done;
        }
        const double tb = sweep_now_s();
        long n_mine = 0;
        for (long j = cm.rank; j < n; j += cm.size)
            mine[cur][n_mine++] = to_run[at + j];
        if (n > 0)
            start_items(&p, mine[cur], n_mine, out[cur]);
        if (cm.rank == 0 && pending) {
            if ((stop = commit_batch(store, recs, lens, pending, &st, &stop_err))) {
                pthread_mutex_lock(&p.mu);   /* the threads skip the rest of this batch */
                if (!p.rc) {
                    p.rc = stop;
                    p.err = stop_err;
                }
                pthread_mutex_unlock(&p.mu);
            }
            st.elapsed_s = sweep_now_s() - t0;
            if (!stop && o->progress)
                o->progress(&st, o->progress_ctx);
        }
        pending = 0;
        if (n == 0 && stop) {   /* the last commit failed */
            rc = stop;
            *err = stop_err;
            goto done;
        }
        if (n == 0)
            break;
        aif_rc lrc = wait_items(&p, o, &st, t0, err);
        if (stop)
            lrc = AIF_OK;   /* the stop is the error; the batch is not committed */
        if (mpi_up) {
            /* this rank's records, after its status, to rank 0 */
            rec_buf all = {0};
            int32_t status = (int32_t)lrc;
            rec_put(&all, &status, 4);
            for (long k = 0; !lrc && k < n_mine; k++)
                rec_put(&all, out[cur][k].p, out[cur][k].n);
            if (all.oom) {
                free(all.p);
                rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
                goto done;
            }
            free(gathered[cur]);
            gathered[cur] = NULL;
            int grc = cm.mpi->gather(all.p, (long)all.n, &gathered[cur], glens);
            free(all.p);
            if (grc) {
                rc = aif_err_set(err, AIF_EIO, NULL, 0, 0, NULL, "MPI_Gatherv failed");
                goto done;
            }
            if (lrc) {
                rc = lrc;
                goto done;
            }
            if (cm.rank == 0 && !stop) {
                /* rank r's k-th record is item r + k * size of the batch */
                size_t off = 0;
                for (int r = 0; r < cm.size && !rc; r++) {
                    const char *q = gathered[cur] + off, *end = q + glens[r];
                    int32_t s;
                    memcpy(&s, q, 4);
                    q += 4;
                    if (s) {
                        rc = aif_err_set(err, (aif_rc)s, NULL, 0, 0, NULL, "rank %d failed (out of memory or an "
                                         "internal error)", r);
                        break;
                    }
                    for (long j = r; j < n; j += cm.size) {
                        size_t k = rec_size(q, (size_t)(end - q));
                        if (!k) {
                            rc = aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "rank %d sent a short record", r);
                            break;
                        }
                        recs[j] = q;
                        lens[j] = k;
                        q += k;
                    }
                    off += (size_t)glens[r];
                }
                if (rc) {   /* stop the others at the next round */
                    stop = rc;
                    stop_err = *err;
                    rc = AIF_OK;
                }
            }
        } else {
            if ((rc = lrc))
                goto done;
            for (long j = 0; j < n; j++) {
                recs[j] = out[cur][j].p;
                lens[j] = out[cur][j].n;
            }
        }
        if (!stop)
            pending = n;
        at += n;
        if (sweep_now_s() - tb < 1.0 && batch < batch_max)
            batch *= 2;
    }
    if (cm.rank == 0 && o->csv) {
        store_close(store);
        store = NULL;
        rc = aif_sweep_export_csv(db_path, aif_sweep_table(sw), o->csv, err);
    }
done:
    if (n_threads) {
        pthread_mutex_lock(&p.mu);
        p.quit = 1;
        pthread_cond_broadcast(&p.go);
        pthread_mutex_unlock(&p.mu);
        for (int t = 0; t < n_threads; t++)
            pthread_join(threads[t], NULL);
    }
    free_workers(p.w, p.w ? p.jobs : 0);
    store_close(store);
    for (int b = 0; b < 2; b++) {
        if (out[b])
            for (int i = 0; i < batch_max; i++)
                free(out[b][i].p);
        free(out[b]);
        free(mine[b]);
        free(gathered[b]);
    }
    free(to_run);
    free(recs);
    free(lens);
    free(glens);
    free(threads);
    free(targs);
    if (mpi_up)
        cm.mpi->finalize();
    if (cm.handle)
        dlclose(cm.handle);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.go);
    pthread_cond_destroy(&p.done);
    st.elapsed_s = sweep_now_s() - t0;
    if (st_out)
        *st_out = st;
    return rc;
}
