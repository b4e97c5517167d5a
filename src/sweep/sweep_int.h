/* sweep_int.h -- what the files of src/sweep/ share: the parsed sweep (spec.c), a
 * point's result as one flat byte record (run.c makes it, store.c writes it, the MPI
 * plugin carries it between ranks), the store (store.c) and the MPI plugin's table of
 * calls (mpi_plugin.c).
 *
 * A record is self-contained bytes, so a rank can send it as it is: the point index
 * (int64), the time it took (double), the error message (string, empty when none),
 * the field count (uint32), then each field: its name (string), its kind (one byte:
 * REC_NUM, REC_INT or REC_TEXT) and its value (double, int64 or string).  A string is
 * a uint32 length and that many bytes, with no NUL. */
#ifndef AIF_SWEEP_INT_H
#define AIF_SWEEP_INT_H

#include "aifsim/sweep.h"
#include "base/base.h"

#include <stdint.h>

#define SWEEP_MAX_AXES 32
#define SWEEP_MAX_SETS 64
#define SWEEP_MAX_POINTS 100000000L

typedef struct sweep_axis {
    char path[160];          /* scenario field, as --set takes it */
    char **values;           /* the values as text, n of them */
    long n;
    int group;               /* index of its group (a crossed axis alone, or a zip group) */
} sweep_axis;

struct aif_sweep {
    char file[256];          /* the sweep file, for messages */
    int command;             /* aif_sweep_command */
    int engine;              /* train: aif_engine */
    char base_name[300];     /* the name loads give the base: a path or "<built-in:...>" */
    char *base_text;         /* the base scenario's YAML */
    size_t base_len;
    uint64_t base_hash;      /* FNV-1a of base_text */
    char *set_path[SWEEP_MAX_SETS], *set_value[SWEEP_MAX_SETS];
    int n_set;
    sweep_axis axes[SWEEP_MAX_AXES];
    int n_axes;
    long group_n[SWEEP_MAX_AXES];   /* values of each group; the last group varies fastest */
    int n_groups;
    long n_points;
    uint64_t prefix_hash;    /* FNV-1a of command, engine, base hash and the fixed fields */
};

/* FNV-1a 64 over n bytes, continuing from h (start with SWEEP_FNV_INIT). */
#define SWEEP_FNV_INIT 1469598103934665603ULL
uint64_t sweep_fnv(uint64_t h, const void *p, size_t n);
/* Seconds on the monotonic clock (for spans and deadlines, not dates). */
double sweep_now_s(void);

/* ---- records */
enum { REC_NUM = 1, REC_INT = 2, REC_TEXT = 3 };
typedef struct rec_buf { char *p; size_t n, cap; int oom; } rec_buf;
void rec_put(rec_buf *b, const void *p, size_t n);
void rec_put_str(rec_buf *b, const char *s, size_t n);
/* A reader over one record; returns 0 at the end or on a short record. */
typedef struct rec_reader { const char *p, *end; } rec_reader;
int rec_get(rec_reader *r, void *out, size_t n);
int rec_get_str(rec_reader *r, const char **s, uint32_t *n);
/* Bytes of the record that starts at p (at most avail), or 0 when it is cut short. */
size_t rec_size(const char *p, size_t avail);

/* ---- the store (store.c) */
typedef struct sweep_store sweep_store;
aif_rc store_open(const char *path, const aif_sweep *sw, sweep_store **out, aif_err *err);
/* Whether key is already stored (loaded once at open). */
int store_has(const sweep_store *st, const char *key);
/* Writes records (each as rec_size measures) in one transaction. */
aif_rc store_commit(sweep_store *st, const char *const *recs, const size_t *lens, int n, aif_err *err);
void store_close(sweep_store *st);

/* ---- the MPI plugin (mpi_plugin.c, libaifsim-mpi.so); only rank 0's buffer of a
 * gather is filled.  Every call returns 0 or an MPI error code. */
typedef struct sweep_mpi_api {
    int version;                                   /* SWEEP_MPI_API_VERSION */
    int (*init)(int *rank, int *size);
    int (*bcast)(void *buf, long n_bytes);         /* from rank 0 */
    /* gathers each rank's n bytes at rank 0: *all (malloc'd) holds them rank after rank,
     * lens[r] each one's length (lens has size items) */
    int (*gather)(const void *buf, long n, char **all, long *lens);
    int (*finalize)(void);
} sweep_mpi_api;
#define SWEEP_MPI_API_VERSION 1
#define SWEEP_MPI_SYMBOL "aif_sweep_mpi_plugin"
typedef const sweep_mpi_api *(*sweep_mpi_entry)(void);

#endif
