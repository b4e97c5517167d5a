/* arena.h -- a region allocator: one owner, many allocations, freed together.
 *
 * Per-run tables (a step graph's ops and segments, the times an engine puts
 * beside them) come from one arena and die with it, so their owner frees one
 * thing and no table can outlive another.
 *
 * Invariants: an arena is a pointer to its newest block, and NULL is an empty,
 * valid arena (a zeroed struct holding one needs no init); blocks never move,
 * so a pointer into the arena stays valid until aif_arena_free; every
 * allocation is aligned for any type (max_align_t); memory is not cleared. */
#ifndef AIF_ARENA_H
#define AIF_ARENA_H

#include <stddef.h>

typedef struct aif_arena aif_arena;

/* bytes from *a (a new block when the newest is full), or NULL when out of memory
 * (the arena is then unchanged). */
void *aif_arena_alloc(aif_arena **a, size_t bytes);
/* Frees every block of *a and leaves it empty (NULL); a buffer given to
 * aif_arena_init_buffer is left to its owner. */
void aif_arena_free(aif_arena **a);
/* *a becomes an arena whose first block is buf (`bytes` long, aligned for any type,
 * outliving the arena): allocations come from it before any malloc.  For a function
 * that builds a table and frees it before it returns, with buf in its frame (an
 * estimate's step graph: one malloc and one free fewer per estimate).  A buffer too
 * small to hold a block leaves *a an empty ordinary arena. */
void aif_arena_init_buffer(aif_arena **a, void *buf, size_t bytes);

#endif
