/* base.h -- private helpers shared by every layer of libaifsim: error filling,
 * growable arrays, string copies, hashing, file reading (quantities with units and
 * did-you-mean are public: include/aifsim/units.h).
 * Nothing here knows about GPUs or models. */
#ifndef AIF_BASE_H
#define AIF_BASE_H

#include "aifsim/aifsim.h"
#include "aifsim/units.h"   /* quantities, strict integers, did-you-mean */

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define AIF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define AIF_PRINTF(a, b)
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

#endif
