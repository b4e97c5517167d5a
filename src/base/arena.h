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
/* Frees every block of *a and leaves it empty (NULL). */
void aif_arena_free(aif_arena **a);

#endif
