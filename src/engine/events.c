/* events.c -- binary min-heap on (t, seq); see events.h.
 * Invariant (asserted): simulated time never runs backwards; every pop returns a
 * time no earlier than the one before. */
#include "engine/events.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

void aif_evq_init(aif_evq *q) { memset(q, 0, sizeof *q); }

void aif_evq_free(aif_evq *q)
{
    free(q->heap);
    memset(q, 0, sizeof *q);
}

static int before(const aif_event *a, const aif_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

int aif_evq_push(aif_evq *q, double t, int kind, int id, uint32_t gen)
{
    if (q->n == q->cap) {
        int c = q->cap ? 2 * q->cap : 1024;
        aif_event *h = realloc(q->heap, (size_t)c * sizeof *h);
        if (!h)
            return -1;
        q->heap = h;
        q->cap = c;
    }
    AIF_ASSERT(t >= q->now);
    aif_event e = {t < q->now ? q->now : t, q->next_seq++, kind, id, gen};
    int i = q->n++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (!before(&e, &q->heap[p]))
            break;
        q->heap[i] = q->heap[p];
        i = p;
    }
    q->heap[i] = e;
    return 0;
}

int aif_evq_pop(aif_evq *q, aif_event *out)
{
    if (q->n == 0)
        return 0;
    *out = q->heap[0];
    aif_event last = q->heap[--q->n];
    int i = 0;
    for (;;) {
        int l = 2 * i + 1, r = l + 1, s = l;
        if (l >= q->n)
            break;
        if (r < q->n && before(&q->heap[r], &q->heap[l]))
            s = r;
        if (!before(&q->heap[s], &last))
            break;
        q->heap[i] = q->heap[s];
        i = s;
    }
    if (q->n > 0)
        q->heap[i] = last;
    AIF_ASSERT(out->t >= q->now);
    q->now = out->t;
    return 1;
}
