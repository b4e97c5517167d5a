/* store.c -- the sweep's SQLite store: one table per command (train, facility, infer),
 * one row per point key.
 *
 * Columns: key (TEXT PRIMARY KEY, the point's hash), point (its index in the sweep),
 * error (NULL, or why the model rejected the point), eval_s (seconds it took: timing,
 * not a result), one column per axis (its path, e.g. "cluster.gpus"), then one column
 * per flattened result field (its JSON path, e.g. "facility.pue"), added with ALTER
 * TABLE the first time a field is met.  A result field whose name is taken by a fixed
 * column or an axis is stored as "result.NAME".  An index covers the axes.
 *
 * Invariants: the database is in WAL mode with a 60 s busy timeout; every change is
 * made inside BEGIN IMMEDIATE ... COMMIT (the schema re-read inside it, so two sweeps
 * adding the same column do not collide); rows are INSERT OR IGNORE, so a key is
 * written once and a second writer of the same point changes nothing.  Values: an axis
 * value that reads whole as an integer is an INTEGER, as a number a REAL, else TEXT. */
#include "sweep_int.h"

#include <dlfcn.h>
#include <math.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The SQLite calls this file makes, resolved by dlsym from AIF_SQLITE_SONAME the first
 * time a store is opened: linking libsqlite3 would load it (about 0.25 ms) into every
 * run of every command, though only sweeps use it.  The names below stand for them, so
 * the code reads as plain SQLite. */
#ifndef AIF_SQLITE_SONAME
#define AIF_SQLITE_SONAME "libsqlite3.so.0"
#endif
static struct sqlite_fns {
    int (*bind_double)(sqlite3_stmt *, int, double);
    int (*bind_int64)(sqlite3_stmt *, int, sqlite3_int64);
    int (*bind_null)(sqlite3_stmt *, int);
    int (*bind_text)(sqlite3_stmt *, int, const char *, int, void (*)(void *));
    int (*busy_timeout)(sqlite3 *, int);
    int (*clear_bindings)(sqlite3_stmt *);
    int (*close)(sqlite3 *);
    int (*column_bytes)(sqlite3_stmt *, int);
    int (*column_count)(sqlite3_stmt *);
    double (*column_double)(sqlite3_stmt *, int);
    sqlite3_int64 (*column_int64)(sqlite3_stmt *, int);
    const char *(*column_name)(sqlite3_stmt *, int);
    const unsigned char *(*column_text)(sqlite3_stmt *, int);
    int (*column_type)(sqlite3_stmt *, int);
    int (*errcode)(sqlite3 *);
    const char *(*errmsg)(sqlite3 *);
    int (*exec)(sqlite3 *, const char *, int (*)(void *, int, char **, char **), void *, char **);
    int (*finalize)(sqlite3_stmt *);
    int (*open_v2)(const char *, sqlite3 **, int, const char *);
    int (*prepare_v2)(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
    int (*reset)(sqlite3_stmt *);
    int (*step)(sqlite3_stmt *);
} sq;
static const struct { const char *sym; size_t off; } sq_syms[] = {
    {"sqlite3_bind_double", offsetof(struct sqlite_fns, bind_double)},
    {"sqlite3_bind_int64", offsetof(struct sqlite_fns, bind_int64)},
    {"sqlite3_bind_null", offsetof(struct sqlite_fns, bind_null)},
    {"sqlite3_bind_text", offsetof(struct sqlite_fns, bind_text)},
    {"sqlite3_busy_timeout", offsetof(struct sqlite_fns, busy_timeout)},
    {"sqlite3_clear_bindings", offsetof(struct sqlite_fns, clear_bindings)},
    {"sqlite3_close", offsetof(struct sqlite_fns, close)},
    {"sqlite3_column_bytes", offsetof(struct sqlite_fns, column_bytes)},
    {"sqlite3_column_count", offsetof(struct sqlite_fns, column_count)},
    {"sqlite3_column_double", offsetof(struct sqlite_fns, column_double)},
    {"sqlite3_column_int64", offsetof(struct sqlite_fns, column_int64)},
    {"sqlite3_column_name", offsetof(struct sqlite_fns, column_name)},
    {"sqlite3_column_text", offsetof(struct sqlite_fns, column_text)},
    {"sqlite3_column_type", offsetof(struct sqlite_fns, column_type)},
    {"sqlite3_errcode", offsetof(struct sqlite_fns, errcode)},
    {"sqlite3_errmsg", offsetof(struct sqlite_fns, errmsg)},
    {"sqlite3_exec", offsetof(struct sqlite_fns, exec)},
    {"sqlite3_finalize", offsetof(struct sqlite_fns, finalize)},
    {"sqlite3_open_v2", offsetof(struct sqlite_fns, open_v2)},
    {"sqlite3_prepare_v2", offsetof(struct sqlite_fns, prepare_v2)},
    {"sqlite3_reset", offsetof(struct sqlite_fns, reset)},
    {"sqlite3_step", offsetof(struct sqlite_fns, step)},
};
#define sqlite3_bind_double sq.bind_double
#define sqlite3_bind_int64 sq.bind_int64
#define sqlite3_bind_null sq.bind_null
#define sqlite3_bind_text sq.bind_text
#define sqlite3_busy_timeout sq.busy_timeout
#define sqlite3_clear_bindings sq.clear_bindings
#define sqlite3_close sq.close
#define sqlite3_column_bytes sq.column_bytes
#define sqlite3_column_count sq.column_count
#define sqlite3_column_double sq.column_double
#define sqlite3_column_int64 sq.column_int64
#define sqlite3_column_name sq.column_name
#define sqlite3_column_text sq.column_text
#define sqlite3_column_type sq.column_type
#define sqlite3_errcode sq.errcode
#define sqlite3_errmsg sq.errmsg
#define sqlite3_exec sq.exec
#define sqlite3_finalize sq.finalize
#define sqlite3_open_v2 sq.open_v2
#define sqlite3_prepare_v2 sq.prepare_v2
#define sqlite3_reset sq.reset
#define sqlite3_step sq.step

static pthread_once_t sq_once = PTHREAD_ONCE_INIT;
static char sq_why[600];   /* "" when SQLite is loaded */

static void sq_load(void)
{
    void *h = dlopen(AIF_SQLITE_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        snprintf(sq_why, sizeof sq_why, "cannot load SQLite, which the sweep store is written with: %.400s "
                 "(install Debian's libsqlite3-0)", why ? why : "not found");
        return;
    }
    struct sqlite_fns fns;
    for (size_t i = 0; i < sizeof sq_syms / sizeof sq_syms[0]; i++) {
        void *sym = dlsym(h, sq_syms[i].sym);
        if (!sym) {
            snprintf(sq_why, sizeof sq_why, "%s has no %s: SQLite 3.7 or newer is needed", AIF_SQLITE_SONAME,
                     sq_syms[i].sym);
            dlclose(h);
            return;
        }
        memcpy((char *)&fns + sq_syms[i].off, &sym, sizeof sym);   /* POSIX: a data pointer holds a function's */
    }
    sq = fns;
}

/* Opens SQLite once per process (it stays loaded); AIF_OK or AIF_EIO naming why. */
static aif_rc sqlite_open_lib(aif_err *err)
{
    pthread_once(&sq_once, sq_load);
    if (sq_why[0])
        return aif_err_set(err, AIF_EIO, AIF_SQLITE_SONAME, 0, 0, NULL, "%s", sq_why);
    return AIF_OK;
}


enum { N_FIXED = 4 };   /* key, point, error, eval_s */

struct sweep_store {
    sqlite3 *db;
    char path[4096];
    char table[32];
    const aif_sweep *sw;
    char **cols;              /* every column's name, in table order */
    int n_cols, cap_cols;
    int *axis_col;            /* the column of each axis */
    int *hash;                /* open addressing: column index + 1, 0 empty */
    int cap_hash;
    uint64_t *keys;           /* open addressing of stored keys (0 empty; key 0 stored as 1) */
    long cap_keys, n_keys;
    sqlite3_stmt *ins;        /* INSERT for the column list sig[0..n_sig) */
    int *sig, n_sig, cap_sig;
};

static aif_rc db_error(sweep_store *st, aif_err *err, const char *what)
{
    int code = sqlite3_errcode(st->db);
    return aif_err_set(err, code == SQLITE_NOMEM ? AIF_ENOMEM : AIF_EIO, st->path, 0, 0, "--out",
                       "the sweep store: %s: %s", what, sqlite3_errmsg(st->db));
}

static void quote_ident(char *out, size_t n, const char *name)
{
    size_t k = 0;
    if (n < 3)
        return;
    out[k++] = '"';
    for (const char *p = name; *p && k + 3 < n; p++) {
        if (*p == '"')
            out[k++] = '"';
        out[k++] = *p;
    }
    out[k++] = '"';
    out[k] = '\0';
}

static void quote_literal(char *out, size_t n, const char *s)
{
    size_t k = 0;
    out[k++] = '\'';
    for (; *s && k + 3 < n; s++) {
        if (*s == '\'')
            out[k++] = '\'';
        out[k++] = *s;
    }
    out[k++] = '\'';
    out[k] = '\0';
}

static int exec(sweep_store *st, const char *sql) { return sqlite3_exec(st->db, sql, NULL, NULL, NULL); }

/* PRAGMA journal_mode=WAL takes the database's exclusive lock for a moment.  While another
 * sweep creates the file or holds that lock, SQLite can answer SQLITE_BUSY at once, without
 * calling the busy handler (the pragma is no transaction), so it is tried again every
 * 10 ms until 60 s (the busy timeout) have passed since the first try. */
static int set_wal(sweep_store *st)
{
    double until = sweep_now_s() + 60;
    int rc = exec(st, "PRAGMA journal_mode=WAL");
    while ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && sweep_now_s() < until) {
        nanosleep(&(struct timespec){.tv_nsec = 10000000}, NULL);
        rc = exec(st, "PRAGMA journal_mode=WAL");
    }
    return rc;
}

static uint64_t name_hash(const char *s) { return sweep_fnv(SWEEP_FNV_INIT, s, strlen(s)); }

static int hash_find(const sweep_store *st, const char *name)
{
    if (!st->cap_hash)
        return -1;
    for (uint64_t h = name_hash(name);; h++) {
        int v = st->hash[h & (uint64_t)(st->cap_hash - 1)];
        if (!v)
            return -1;
        if (!strcmp(st->cols[v - 1], name))
            return v - 1;
    }
}

static int hash_rebuild(sweep_store *st)
{
    int cap = 64;
    while (cap < 2 * st->n_cols + 2)
        cap *= 2;
    int *h = calloc((size_t)cap, sizeof *h);
    if (!h)
        return -1;
    free(st->hash);
    st->hash = h;
    st->cap_hash = cap;
    for (int i = 0; i < st->n_cols; i++) {
        uint64_t x = name_hash(st->cols[i]);
        while (h[x & (uint64_t)(cap - 1)])
            x++;
        h[x & (uint64_t)(cap - 1)] = i + 1;
    }
    return 0;
}

/* Reads the table's columns again (another process may have added some). */
static aif_rc read_columns(sweep_store *st, aif_err *err)
{
    char q[128], sql[200];
    quote_ident(q, sizeof q, st->table);
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", q);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
        return db_error(st, err, "reading the table's columns");
    for (int i = 0; i < st->n_cols; i++)
        free(st->cols[i]);
    st->n_cols = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 1);
        if (st->n_cols == st->cap_cols) {
            int nc = st->cap_cols ? st->cap_cols * 2 : 64;
            char **n = realloc(st->cols, (size_t)nc * sizeof *n);
            if (!n)
                break;
            st->cols = n;
            st->cap_cols = nc;
        }
        size_t k = strlen(name ? name : "") + 1;
        if (!(st->cols[st->n_cols] = malloc(k)))
            break;
        memcpy(st->cols[st->n_cols++], name ? name : "", k);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return rc == SQLITE_ROW ? aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory")
                                : db_error(st, err, "reading the table's columns");
    if (hash_rebuild(st))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    return AIF_OK;
}

static aif_rc add_column(sweep_store *st, const char *name, aif_err *err)
{
    char q[128], c[600], sql[800];
    quote_ident(q, sizeof q, st->table);
    quote_ident(c, sizeof c, name);
    snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN %s", q, c);
    if (exec(st, sql) != SQLITE_OK)
        return db_error(st, err, "adding a column");
    /* the new column is the table's last (inside this transaction no one else adds) */
    if (st->n_cols == st->cap_cols) {
        int nc = st->cap_cols ? st->cap_cols * 2 : 64;
        char **n = realloc(st->cols, (size_t)nc * sizeof *n);
        if (!n)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        st->cols = n;
        st->cap_cols = nc;
    }
    size_t k = strlen(name) + 1;
    if (!(st->cols[st->n_cols] = malloc(k)))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    memcpy(st->cols[st->n_cols++], name, k);
    if (2 * st->n_cols + 2 > st->cap_hash)
        return hash_rebuild(st) ? aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory") : AIF_OK;
    uint64_t x = name_hash(name);
    while (st->hash[x & (uint64_t)(st->cap_hash - 1)])
        x++;
    st->hash[x & (uint64_t)(st->cap_hash - 1)] = st->n_cols;
    return AIF_OK;
}

static int keys_insert(sweep_store *st, uint64_t k)
{
    if (!k)
        k = 1;
    if (2 * (st->n_keys + 1) > st->cap_keys) {
        long cap = st->cap_keys ? st->cap_keys * 2 : 1024;
        uint64_t *n = calloc((size_t)cap, sizeof *n);
        if (!n)
            return -1;
        for (long i = 0; i < st->cap_keys; i++)
            if (st->keys[i]) {
                uint64_t x = aif_mix64(st->keys[i]);
                while (n[x & (uint64_t)(cap - 1)])
                    x++;
                n[x & (uint64_t)(cap - 1)] = st->keys[i];
            }
        free(st->keys);
        st->keys = n;
        st->cap_keys = cap;
    }
    for (uint64_t x = aif_mix64(k);; x++) {
        uint64_t *slot = &st->keys[x & (uint64_t)(st->cap_keys - 1)];
        if (*slot == k)
            return 0;
        if (!*slot) {
            *slot = k;
            st->n_keys++;
            return 0;
        }
    }
}

int store_has(const sweep_store *st, const char *key)
{
    uint64_t k = strtoull(key, NULL, 16);
    if (!k)
        k = 1;
    if (!st->cap_keys)
        return 0;
    for (uint64_t x = aif_mix64(k);; x++) {
        uint64_t v = st->keys[x & (uint64_t)(st->cap_keys - 1)];
        if (!v)
            return 0;
        if (v == k)
            return 1;
    }
}

aif_rc store_open(const char *path, const aif_sweep *sw, sweep_store **out, aif_err *err)
{
    *out = NULL;
    sweep_store *st = calloc(1, sizeof *st);
    if (!st)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    aif_strlcpy(st->path, path, sizeof st->path);
    aif_strlcpy(st->table, aif_sweep_table(sw), sizeof st->table);
    st->sw = sw;
    aif_rc rc = sqlite_open_lib(err);
    if (rc)
        goto fail;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        rc = st->db ? db_error(st, err, "opening it")
                    : aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 60000);
    /* WAL: readers never block the writer, and a killed writer leaves the last commit
     * whole; NORMAL sync is durable across a killed process (not a power cut). */
    if (set_wal(st) != SQLITE_OK || exec(st, "PRAGMA synchronous=NORMAL") != SQLITE_OK) {
        rc = db_error(st, err, "setting WAL mode (is it an SQLite database?)");
        goto fail;
    }
    if (exec(st, "BEGIN IMMEDIATE") != SQLITE_OK) {
        rc = db_error(st, err, "starting a transaction");
        goto fail;
    }
    char q[128], sql[1200];
    quote_ident(q, sizeof q, st->table);
    snprintf(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS %s (key TEXT PRIMARY KEY, point INTEGER, error TEXT, "
             "eval_s REAL)", q);
    if (exec(st, sql) != SQLITE_OK) {
        rc = db_error(st, err, "creating its table");
        goto rollback;
    }
    if ((rc = read_columns(st, err)))
        goto rollback;
    if (!(st->axis_col = calloc((size_t)aif_sweep_n_axes(sw), sizeof *st->axis_col))) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto rollback;
    }
    char idx[4000];
    size_t k = 0;
    uint64_t h = SWEEP_FNV_INIT;
    for (int a = 0; a < aif_sweep_n_axes(sw); a++) {
        const char *p = aif_sweep_axis_path(sw, a);
        if (hash_find(st, p) < 0 && (rc = add_column(st, p, err)))
            goto rollback;
        st->axis_col[a] = hash_find(st, p);
        char c[400];
        quote_ident(c, sizeof c, p);
        if (k < sizeof idx)
            k += (size_t)snprintf(idx + k, sizeof idx - k, "%s%s", a ? ", " : "", c);
        h = sweep_fnv(h, p, strlen(p) + 1);
    }
    char isql[4400];
    snprintf(isql, sizeof isql, "CREATE INDEX IF NOT EXISTS \"%.31s_axes_%016llx\" ON %.127s (%.4000s)", st->table,
             (unsigned long long)h, q, idx);
    if (k < sizeof idx && exec(st, isql) != SQLITE_OK) {
        rc = db_error(st, err, "indexing the axes");
        goto rollback;
    }
    /* which columns are axes, for the sweep report */
    if (exec(st, "CREATE TABLE IF NOT EXISTS aifsim_axes (tbl TEXT, path TEXT, PRIMARY KEY (tbl, path))") !=
        SQLITE_OK) {
        rc = db_error(st, err, "recording the axes");
        goto rollback;
    }
    for (int a = 0; a < aif_sweep_n_axes(sw); a++) {
        char c[400], t[100];
        quote_literal(c, sizeof c, aif_sweep_axis_path(sw, a));
        quote_literal(t, sizeof t, st->table);
        snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO aifsim_axes VALUES (%s, %s)", t, c);
        if (exec(st, sql) != SQLITE_OK) {
            rc = db_error(st, err, "recording the axes");
            goto rollback;
        }
    }
    if (exec(st, "COMMIT") != SQLITE_OK) {
        rc = db_error(st, err, "committing its table");
        goto rollback;
    }
    snprintf(sql, sizeof sql, "SELECT key FROM %s", q);
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
        rc = db_error(st, err, "reading the stored points");
        goto fail;
    }
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(s, 0);
        if (key && keys_insert(st, strtoull(key, NULL, 16))) {
            src = SQLITE_NOMEM;
            break;
        }
    }
    sqlite3_finalize(s);
    if (src != SQLITE_DONE) {
        rc = src == SQLITE_NOMEM ? aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory")
                                 : db_error(st, err, "reading the stored points");
        goto fail;
    }
    *out = st;
    return AIF_OK;
rollback:
    exec(st, "ROLLBACK");
fail:
    store_close(st);
    return rc;
}

void store_close(sweep_store *st)
{
    if (!st)
        return;
    if (!st->db) {   /* SQLite may not even be loaded */
        free(st);
        return;
    }
    sqlite3_finalize(st->ins);
    sqlite3_close(st->db);
    for (int i = 0; i < st->n_cols; i++)
        free(st->cols[i]);
    free(st->cols);
    free(st->axis_col);
    free(st->hash);
    free(st->keys);
    free(st->sig);
    free(st);
}

/* An axis value as SQLite should hold it: an integer, a number, else text. */
static int bind_value(sqlite3_stmt *s, int i, const char *v)
{
    char *end;
    long long iv = strtoll(v, &end, 10);
    if (end != v && !*end)
        return sqlite3_bind_int64(s, i, iv);
    double d = strtod(v, &end);
    if (end != v && !*end && isfinite(d))
        return sqlite3_bind_double(s, i, d);
    return sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

/* The column a result field goes to, added when new. */
static aif_rc field_column(sweep_store *st, const char *name, size_t n, int *col, aif_err *err)
{
    char buf[512];
    if (n >= sizeof buf - 8)
        n = sizeof buf - 8;
    memcpy(buf, name, n);
    buf[n] = '\0';
    int c = hash_find(st, buf);
    int taken = c >= 0 && c < N_FIXED;
    for (int a = 0; c >= 0 && a < aif_sweep_n_axes(st->sw); a++)
        taken |= st->axis_col[a] == c;
    if (taken) {
        char r[520];
        snprintf(r, sizeof r, "result.%s", buf);
        aif_strlcpy(buf, r, sizeof buf);
        c = hash_find(st, buf);
    }
    if (c < 0) {
        aif_rc rc = add_column(st, buf, err);
        if (rc)
            return rc;
        c = hash_find(st, buf);
    }
    *col = c;
    return AIF_OK;
}

/* Prepares the INSERT for the columns in sig (unless it is the one prepared). */
static aif_rc prepare_insert(sweep_store *st, const int *sig, int n, aif_err *err)
{
    if (st->ins && n == st->n_sig && !memcmp(sig, st->sig, (size_t)n * sizeof *sig))
        return AIF_OK;
    sqlite3_finalize(st->ins);
    st->ins = NULL;
    if (n > st->cap_sig) {
        int *ns = realloc(st->sig, (size_t)n * sizeof *ns);
        if (!ns)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        st->sig = ns;
        st->cap_sig = n;
    }
    memcpy(st->sig, sig, (size_t)n * sizeof *sig);
    st->n_sig = n;
    size_t cap = 256, k = 0;
    for (int i = 0; i < n; i++)
        cap += 2 * strlen(st->cols[sig[i]]) + 8;
    char *sql = malloc(cap);
    if (!sql)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    char q[128];
    quote_ident(q, sizeof q, st->table);
    k += (size_t)snprintf(sql + k, cap - k, "INSERT OR IGNORE INTO %s (", q);
    for (int i = 0; i < n; i++) {
        char c[1100];
        quote_ident(c, sizeof c, st->cols[sig[i]]);
        k += (size_t)snprintf(sql + k, cap - k, "%s%s", i ? "," : "", c);
    }
    k += (size_t)snprintf(sql + k, cap - k, ") VALUES (");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(sql + k, cap - k, "%s?", i ? "," : "");
    snprintf(sql + k, cap - k, ")");
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &st->ins, NULL);
    free(sql);
    return rc == SQLITE_OK ? AIF_OK : db_error(st, err, "preparing an insert");
}

/* Writes one record inside the open transaction. */
static aif_rc write_record(sweep_store *st, const char *p, size_t len, int **sig, int *cap_sig, aif_err *err)
{
    rec_reader r = {p, p + len};
    int64_t point;
    double eval_s;
    const char *msg;
    uint32_t n_msg, n_fields;
    if (!rec_get(&r, &point, 8) || !rec_get(&r, &eval_s, 8) || !rec_get_str(&r, &msg, &n_msg) ||
        !rec_get(&r, &n_fields, 4))
        return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "a point's record is cut short");
    const int n_axes = aif_sweep_n_axes(st->sw);
    int n = N_FIXED + n_axes + (int)n_fields;
    if (n > *cap_sig) {
        int *ns = realloc(*sig, (size_t)n * sizeof *ns);
        if (!ns)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        *sig = ns;
        *cap_sig = n;
    }
    int *s = *sig;
    for (int i = 0; i < N_FIXED; i++)
        s[i] = i;
    for (int a = 0; a < n_axes; a++)
        s[N_FIXED + a] = st->axis_col[a];
    /* first pass: the columns (fields usually come in the order of the last insert) */
    rec_reader fr = r;
    for (uint32_t f = 0; f < n_fields; f++) {
        const char *name, *tv;
        uint32_t nn, nt;
        unsigned char kind;
        double d;
        if (!rec_get_str(&fr, &name, &nn) || !rec_get(&fr, &kind, 1) ||
            (kind == REC_TEXT ? !rec_get_str(&fr, &tv, &nt) : !rec_get(&fr, &d, 8)))
            return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "a point's record is cut short");
        int at = N_FIXED + n_axes + (int)f;
        if (st->ins && at < st->n_sig) {
            const char *c = st->cols[st->sig[at]];
            if (strlen(c) == nn && !memcmp(c, name, nn)) {
                s[at] = st->sig[at];
                continue;
            }
        }
        aif_rc rc = field_column(st, name, nn, &s[at], err);
        if (rc)
            return rc;
    }
    aif_rc rc = prepare_insert(st, s, n, err);
    if (rc)
        return rc;
    sqlite3_stmt *ins = st->ins;
    char key[17];
    aif_sweep_point_key(st->sw, (long)point, key);
    sqlite3_bind_text(ins, 1, key, 16, SQLITE_TRANSIENT);
    sqlite3_bind_int64(ins, 2, point);
    if (n_msg)
        sqlite3_bind_text(ins, 3, msg, (int)n_msg, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(ins, 3);
    sqlite3_bind_double(ins, 4, eval_s);
    for (int a = 0; a < n_axes; a++)
        bind_value(ins, N_FIXED + a + 1, aif_sweep_point_value(st->sw, (long)point, a));
    for (uint32_t f = 0; f < n_fields; f++) {
        const char *name, *tv;
        uint32_t nn, nt;
        unsigned char kind;
        double d;
        int64_t iv;
        rec_get_str(&r, &name, &nn);
        rec_get(&r, &kind, 1);
        int i = N_FIXED + n_axes + (int)f + 1;
        if (kind == REC_TEXT) {
            rec_get_str(&r, &tv, &nt);
            sqlite3_bind_text(ins, i, tv, (int)nt, SQLITE_TRANSIENT);
        } else if (kind == REC_INT) {
            rec_get(&r, &iv, 8);
            sqlite3_bind_int64(ins, i, iv);
        } else {
            rec_get(&r, &d, 8);
            sqlite3_bind_double(ins, i, d);
        }
    }
    int src = sqlite3_step(ins);
    sqlite3_reset(ins);
    sqlite3_clear_bindings(ins);
    if (src != SQLITE_DONE)
        return db_error(st, err, "inserting a point");
    if (keys_insert(st, strtoull(key, NULL, 16)))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    return AIF_OK;
}

aif_rc store_commit(sweep_store *st, const char *const *recs, const size_t *lens, int n, aif_err *err)
{
    if (exec(st, "BEGIN IMMEDIATE") != SQLITE_OK)
        return db_error(st, err, "starting a transaction");
    /* the schema as it is now: another sweep may have added columns since */
    aif_rc rc = read_columns(st, err);
    sqlite3_finalize(st->ins);
    st->ins = NULL;
    int *sig = NULL, cap_sig = 0;
    for (int i = 0; i < n && !rc; i++)
        rc = write_record(st, recs[i], lens[i], &sig, &cap_sig, err);
    free(sig);
    if (!rc && exec(st, "COMMIT") != SQLITE_OK)
        rc = db_error(st, err, "committing a batch");
    if (rc)
        exec(st, "ROLLBACK");
    return rc;
}

/* ------------------------------------------------------------------ CSV */

static void csv_field(FILE *f, const char *s, int n)
{
    int quote = 0;
    for (int i = 0; i < n; i++)
        quote |= s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, (size_t)n, f);
        return;
    }
    fputc('"', f);
    for (int i = 0; i < n; i++) {
        if (s[i] == '"')
            fputc('"', f);
        fputc(s[i], f);
    }
    fputc('"', f);
}

aif_rc aif_sweep_export_csv(const char *db_path, const char *table, const char *csv_path, aif_err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    aif_output out;
    aif_rc rc;
    int opened = 0;
    if ((rc = sqlite_open_lib(err)))
        return rc;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = aif_err_set(err, AIF_EIO, db_path, 0, 0, "--out", "the sweep store: %s",
                         db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(db, 60000);
    char q[128], sql[300];
    size_t k = 0;
    q[k++] = '"';
    for (const char *p = table; *p && k < sizeof q - 3; p++) {
        if (*p == '"')
            q[k++] = '"';
        q[k++] = *p;
    }
    q[k++] = '"';
    q[k] = '\0';
    snprintf(sql, sizeof sql, "SELECT * FROM %s ORDER BY point, key", q);
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        rc = aif_err_set(err, AIF_EIO, db_path, 0, 0, "--out", "the sweep store: %s", sqlite3_errmsg(db));
        goto done;
    }
    if ((rc = aif_output_open(&out, csv_path, "--csv", err)))
        goto done;
    opened = 1;
    int nc = sqlite3_column_count(s);
    for (int i = 0; i < nc; i++) {
        const char *name = sqlite3_column_name(s, i);
        if (i)
            fputc(',', out.f);
        csv_field(out.f, name, (int)strlen(name));
    }
    fputc('\n', out.f);
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < nc; i++) {
            if (i)
                fputc(',', out.f);
            switch (sqlite3_column_type(s, i)) {
            case SQLITE_INTEGER:
                fprintf(out.f, "%lld", (long long)sqlite3_column_int64(s, i));
                break;
            case SQLITE_FLOAT:
                fprintf(out.f, "%.10g", sqlite3_column_double(s, i));
                break;
            case SQLITE_NULL:
                break;
            default:
                csv_field(out.f, (const char *)sqlite3_column_text(s, i), sqlite3_column_bytes(s, i));
            }
        }
        fputc('\n', out.f);
    }
    if (src != SQLITE_DONE) {
        rc = aif_err_set(err, AIF_EIO, db_path, 0, 0, "--out", "the sweep store: %s", sqlite3_errmsg(db));
        aif_output_abort(&out);
        opened = 0;
        goto done;
    }
    rc = aif_output_commit(&out, err);
    opened = 0;
done:
    if (opened)
        aif_output_abort(&out);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

/* ------------------------------------------------------------------ summary */

typedef struct pt { double t, v; long i; } pt;
static int by_time(const void *a, const void *b)
{
    const pt *x = a, *y = b;
    return x->t < y->t ? -1 : x->t > y->t ? 1 : x->v < y->v ? -1 : x->v > y->v ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* front[i] = 1 when no point is as fast and cheaper or faster and as cheap. */
static int pareto(const double *t, const double *v, long n, unsigned char *front)
{
    pt *p = malloc((size_t)(n ? n : 1) * sizeof *p);
    if (!p)
        return -1;
    for (long i = 0; i < n; i++)
        p[i] = (pt){t[i], v[i], i};
    qsort(p, (size_t)n, sizeof *p, by_time);
    double best = INFINITY;
    for (long k = 0; k < n; k++) {
        front[p[k].i] = p[k].v < best;
        if (p[k].v < best)
            best = p[k].v;
    }
    free(p);
    return 0;
}

void aif_sweep_summary_free(aif_sweep_summary *s)
{
    free(s->time);
    free(s->cost);
    free(s->energy);
    free(s->front_cost);
    free(s->front_energy);
    memset(s, 0, sizeof *s);
}

aif_rc aif_sweep_summary_load(const char *db_path, aif_sweep_summary *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    aif_rc rc = sqlite_open_lib(err);
    if (rc)
        return rc;
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = aif_err_set(err, AIF_EIO, db_path, 0, 0, "--sweep", "the sweep store: %s",
                         db ? sqlite3_errmsg(db) : "out of memory");
        goto done;
    }
    sqlite3_busy_timeout(db, 60000);
    /* per run when every point that ran has a token budget */
    static const char *const q_kind = "SELECT count(*), count(error), min(\"facility.run_days\") FROM train";
    if (sqlite3_prepare_v2(db, q_kind, -1, &s, NULL) != SQLITE_OK || sqlite3_step(s) != SQLITE_ROW) {
        rc = aif_err_set(err, AIF_EINPUT, db_path, 0, 0, "--sweep", "no training sweep in it (%s): the sweep "
                         "report reads the train table of aifsim sweep", sqlite3_errmsg(db));
        goto done;
    }
    out->n_rows = sqlite3_column_int64(s, 0);
    out->n_rejected = sqlite3_column_int64(s, 1);
    out->per_run = sqlite3_column_double(s, 2) > 0;
    sqlite3_finalize(s);
    s = NULL;
    const char *q = out->per_run
        ? "SELECT \"facility.run_days\", \"cost.owned_usd\", \"facility.energy_mwh\" FROM train WHERE error IS NULL "
          "ORDER BY point, key"
        : "SELECT step_time_s, \"cost.owned_usd_per_gpu_hour\" * \"inputs.job_gpus\" * step_time_s / 3600, "
          "\"facility.facility_power_kw\" * step_time_s / 3600 FROM train WHERE error IS NULL ORDER BY point, key";
    long n = out->n_rows - out->n_rejected;
    if (n <= 0) {
        rc = aif_err_set(err, AIF_EINPUT, db_path, 0, 0, "--sweep", "no point of the sweep ran (%ld rows, all "
                         "rejected by the model)", out->n_rows);
        goto done;
    }
    if (!(out->time = malloc((size_t)n * sizeof *out->time)) || !(out->cost = malloc((size_t)n * sizeof *out->cost)) ||
        !(out->energy = malloc((size_t)n * sizeof *out->energy)) || !(out->front_cost = malloc((size_t)n)) ||
        !(out->front_energy = malloc((size_t)n))) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    if (sqlite3_prepare_v2(db, q, -1, &s, NULL) != SQLITE_OK) {
        rc = aif_err_set(err, AIF_EINPUT, db_path, 0, 0, "--sweep", "the train table lacks a column the report "
                         "needs: %s", sqlite3_errmsg(db));
        goto done;
    }
    while (out->n < n && sqlite3_step(s) == SQLITE_ROW) {
        out->time[out->n] = sqlite3_column_double(s, 0);
        out->cost[out->n] = sqlite3_column_double(s, 1);
        out->energy[out->n] = sqlite3_column_double(s, 2);
        out->n++;
    }
    sqlite3_finalize(s);
    s = NULL;
    if (pareto(out->time, out->cost, out->n, out->front_cost) ||
        pareto(out->time, out->energy, out->n, out->front_energy)) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    /* each axis's effect: the mean time per value */
    if (sqlite3_prepare_v2(db, "SELECT path FROM aifsim_axes WHERE tbl = 'train' ORDER BY rowid", -1, &s, NULL) ==
        SQLITE_OK) {
        while (out->n_axes < 32 && sqlite3_step(s) == SQLITE_ROW)
            aif_strlcpy(out->axes[out->n_axes++].path, (const char *)sqlite3_column_text(s, 0),
                        sizeof out->axes[0].path);
        sqlite3_finalize(s);
        s = NULL;
    }
    for (int a = 0; a < out->n_axes; a++) {
        aif_sweep_effect *ef = &out->axes[a];
        char c[400], sql[2000];
        quote_ident(c, sizeof c, ef->path);
        snprintf(sql, sizeof sql, "SELECT %s, avg(%s), count(*) FROM train WHERE error IS NULL GROUP BY %s "
                 "ORDER BY %s LIMIT %d", c, out->per_run ? "\"facility.run_days\"" : "step_time_s", c, c,
                 AIF_SWEEP_MAX_VALUES);
        if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
            continue;   /* an axis of an older sweep whose column is gone: no effect shown */
        while (ef->n < AIF_SWEEP_MAX_VALUES && sqlite3_step(s) == SQLITE_ROW) {
            const char *v = (const char *)sqlite3_column_text(s, 0);
            aif_strlcpy(ef->value[ef->n], v ? v : "", sizeof ef->value[0]);
            ef->mean_time[ef->n] = sqlite3_column_double(s, 1);
            ef->count[ef->n] = sqlite3_column_int64(s, 2);
            ef->n++;
        }
        sqlite3_finalize(s);
        s = NULL;
    }
done:
    sqlite3_finalize(s);
    sqlite3_close(db);
    if (rc)
        aif_sweep_summary_free(out);
    return rc;
}
