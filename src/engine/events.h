/* events.h -- the discrete-event kernel's queue: events ordered by (time,
 * insertion sequence), so equal times pop in the order they were pushed and a
 * run is deterministic.  A flat binary heap of small structs; pushing allocates
 * only when the heap outgrows its capacity (doubling), never per event. */
#ifndef AIF_EVENTS_H
#define AIF_EVENTS_H

#include <stdint.h>

typedef struct aif_event {
    double t;          /* simulated time, seconds */
    uint64_t seq;      /* insertion order: the tie-break */
    int kind;          /* what happens (the engine's own enumeration) */
    int id;            /* whom it happens to (a timeline, a coflow) */
    uint32_t gen;      /* generation stamp: lets the engine ignore stale events */
} aif_event;

typedef struct aif_evq {
    aif_event *heap;
    int n, cap;
    uint64_t next_seq;
    double now;        /* time of the last popped event */
} aif_evq;

void aif_evq_init(aif_evq *q);
void aif_evq_free(aif_evq *q);
/* Returns 0, or -1 when out of memory.  t must not be before q->now. */
int aif_evq_push(aif_evq *q, double t, int kind, int id, uint32_t gen);
/* Pops the earliest event into *e and advances q->now; returns 0 when empty. */
int aif_evq_pop(aif_evq *q, aif_event *e);

#endif
