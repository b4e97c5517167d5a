/* arena.c -- the region allocator of arena.h: a chain of blocks, newest first,
 * each filled from the front.  A block is at least AIF_ARENA_MIN_BYTES and twice
 * the one before it (up to AIF_ARENA_MAX_STEP_BYTES), so a table that grows by
 * doubling inside the arena costs O(log n) mallocs and wastes at most half. */
#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

/* one block holds a training step graph's first tables (256 ops of 64 bytes, where
 * today's graphs have 40 to 150; its segments; their times), so aif_estimate costs
 * one malloc and one free */
#define AIF_ARENA_MIN_BYTES ((size_t)32 * 1024)
#define AIF_ARENA_MAX_STEP_BYTES ((size_t)16 * 1024 * 1024)

struct aif_arena {
    struct aif_arena *next;   /* the block before this one */
    size_t used, cap;         /* bytes of data[] handed out / held */
    int borrowed;             /* the caller's buffer (aif_arena_init_buffer): not freed */
    alignas(max_align_t) unsigned char data[];
};

static size_t round_up(size_t n)
{
    size_t a = alignof(max_align_t);
    return (n + a - 1) / a * a;
}

void *aif_arena_alloc(aif_arena **a, size_t bytes)
{
    size_t need = round_up(bytes ? bytes : 1);
    if (need < bytes)
        return NULL;
    aif_arena *b = *a;
    if (!b || b->cap - b->used < need) {
        size_t cap = AIF_ARENA_MIN_BYTES;
        if (b)
            cap = b->cap < AIF_ARENA_MAX_STEP_BYTES ? 2 * b->cap : b->cap;
        if (cap < AIF_ARENA_MIN_BYTES)   /* after a small borrowed block */
            cap = AIF_ARENA_MIN_BYTES;
        if (cap < need)
            cap = need;
        if (cap > SIZE_MAX - sizeof *b)
            return NULL;
        aif_arena *nb = malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->next = b;
        nb->used = 0;
        nb->cap = cap;
        nb->borrowed = 0;
        *a = b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    return p;
}

void aif_arena_free(aif_arena **a)
{
    aif_arena *b = *a;
    while (b) {
        aif_arena *next = b->next;
        if (!b->borrowed)
            free(b);
        b = next;
    }
    *a = NULL;
}

void aif_arena_init_buffer(aif_arena **a, void *buf, size_t bytes)
{
    *a = NULL;
    if (!buf || bytes < sizeof **a + alignof(max_align_t))
        return;
    aif_arena *b = buf;
    b->next = NULL;
    b->used = 0;
    b->cap = bytes - sizeof *b;
    b->borrowed = 1;
    *a = b;
}
