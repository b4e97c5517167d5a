/* base.h -- private helpers shared by every layer of libaifsim: error filling,
 * growable arrays, string copies, hashing, file reading (quantities with units and
 * did-you-mean are public: include/aifsim/units.h).
 * Nothing here knows about GPUs or models. */
#ifndef AIF_BASE_H
#define AIF_BASE_H

#include "aifsim/aifsim.h"
#include "aifsim/units.h"   /* quantities, strict integers, did-you-mean */

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#if defined(__GNUC__)
#define AIF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AIF_PRINTF(a, b)
#endif
/* The rare path of a hot function (a table's growth), kept out of line so that the
 * common path saves no registers for it. */
#if defined(__GNUC__)
#define AIF_NOINLINE __attribute__((noinline))
#else
#define AIF_NOINLINE
#endif

aif_rc aif_err_set(aif_err *e, aif_rc rc, const char *file, int line, int col,
                   const char *path, const char *fmt, ...) AIF_PRINTF(7, 8);
void aif_err_clear(aif_err *e);

/* snprintf into a fixed buffer, truncating silently (names are checked for length first). */
void aif_strlcpy(char *dst, const char *src, size_t n);
/* Rewrites s in place (a buffer of n bytes) with every control character written out
 * (\n, \t, \r, \xNN), so that a value quoted in a message stays on one line;
 * truncated to fit. */
void aif_escape_controls(char *s, size_t n);
/* A name as people type it, folded for comparison: lower case, letters and digits
 * only ("Llama3-70B" and "llama3_70b" -> "llama370b"); truncated to fit out; "" for
 * a name with a control character (it matches nothing). */
void aif_name_fold(const char *name, char *out, size_t n);
/* 1 when a and b fold to the same text. */
int aif_name_same(const char *a, const char *b);

/* A growable array of fixed-size items (load time only; hot paths never grow). */
typedef struct aif_vec { void *items; int n, cap; size_t item_size; } aif_vec;
void *aif_vec_push(aif_vec *v);   /* zeroed new item, or NULL when out of memory */
void aif_vec_free(aif_vec *v);
/* Grows *p (of *cap items of `item` bytes) to hold at least `need`, doubling from 64;
 * the new part is not cleared.  0, or -1 when out of memory (*p is then unchanged). */
int aif_grow(void **p, long *cap, long need, size_t item);

/* Reads a whole text file (at most 64 MiB) into a malloc'd NUL-terminated buffer
 * (*text NULL on failure; the caller frees it). */
aif_rc aif_read_file(const char *path, char **text, size_t *len, aif_err *err);

/* An output file being written (src/base/file.c), the one way the library writes a
 * file the user named.  "-" is standard output.  A path that exists and is not a
 * regular file (a device such as /dev/null, a FIFO) is written through and never
 * replaced.  A regular file (new, or replaced; a symbolic link is followed to its
 * target) is written to a temporary file in the same folder, which keeps the
 * replaced file's mode (and owner where permitted) and is renamed over it on commit:
 * a reader sees the old file or the new one, never half of one.  The temporary's
 * name is registered so that aif_output_remove_temps (a signal handler's call)
 * removes it.  Every aif_output_open that succeeds is followed by exactly one
 * commit or abort, which close f; f points into the struct, which must not move
 * while it is open. */
typedef struct aif_output {
    FILE *f;              /* write the content here */
    int kind;             /* AIF_OUT_STDOUT, AIF_OUT_THROUGH, AIF_OUT_REPLACE */
    int slot;             /* registry slot of the temporary, -1 when none */
    int fd;               /* what f writes to (standard output's stays open) */
    int errno_first;      /* the first failed write's errno, 0 while none */
    int discard;          /* set by abort: nothing more reaches fd */
    const char *field;    /* the option that named it ("-o", "--trace"), for errors */
    char path[4096];      /* as the user named it (messages) */
    char dest[4096];      /* AIF_OUT_REPLACE: the file renamed over */
    char tmp[4096];       /* AIF_OUT_REPLACE: the temporary beside it */
} aif_output;
enum { AIF_OUT_STDOUT, AIF_OUT_THROUGH, AIF_OUT_REPLACE };

/* Opens path for writing as above; field names the option in errors.  AIF_EIO with
 * the reason (a folder, a read-only file, a folder that takes no new files, ...). */
aif_rc aif_output_open(aif_output *o, const char *path, const char *field, aif_err *err);
/* Flushes and closes; renames the temporary into place.  AIF_EIO naming the reason
 * (a full disk, a closed pipe); the temporary is removed on failure. */
aif_rc aif_output_commit(aif_output *o, aif_err *err);
/* Closes without publishing: the temporary is removed, the destination untouched. */
void aif_output_abort(aif_output *o);
/* Whether path could be written, without writing it (before a long run). */
aif_rc aif_output_check(const char *path, const char *field, aif_err *err);

/* AIF_ASSERT(cond): an invariant of the library (time never runs backwards, no link
 * above capacity, the breakdown adds up to the step).  In Debug and sanitizer builds a
 * broken one prints file:line and the condition to stderr and aborts (a bug, not an
 * input error: the one place the library prints); under NDEBUG (Release) it compiles
 * to nothing and cond is not evaluated. */
#ifdef NDEBUG
#define AIF_ASSERT(cond) ((void)0)
#else
#define AIF_ASSERT(cond) ((cond) ? (void)0 : aif_assert_fail(__FILE__, __LINE__, #cond))
#endif
_Noreturn void aif_assert_fail(const char *file, int line, const char *cond);

/* SplitMix64's finaliser: a well-mixed 64-bit hash of x (deterministic ECMP hashes, seeds). */
uint64_t aif_mix64(uint64_t x);

/* The expected largest of n independent standard normal draws (0 for n <= 1): 0.564 for 2,
 * 1.424 for 8, 3.97 for 16,384; by Simpson's rule on E = int_0^inf (1 - F^n) - int_-inf^0 F^n,
 * F the normal distribution function, to about 1e-6. */
double aif_expected_max_normal(double n);

#endif
