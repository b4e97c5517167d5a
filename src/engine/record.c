/* record.c -- recording a simulated run for timeline viewers (record.h); the
 * file format lives with the writers (src/report/trace.c). */
#include "engine/record.h"
#include "base/base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int aif_trace_add_track(aif_trace *t, int pid, int tid, const char *fmt, ...)
{
    if (aif_grow((void **)&t->tracks, &t->cap_tracks, t->n_tracks + 1, sizeof(aif_trace_track)))
        return -1;
    aif_trace_track *k = &t->tracks[t->n_tracks++];
    k->pid = pid;
    k->tid = tid;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k->name, sizeof k->name, fmt, ap);
    va_end(ap);
    return 0;
}

int aif_trace_add_slice(aif_trace *t, const char *name, const char *cat, int pid, int tid, double t0_s, double t1_s)
{
    if (aif_grow((void **)&t->slices, &t->cap_slices, t->n_slices + 1, sizeof(aif_trace_slice)))
        return -1;
    t->slices[t->n_slices++] = (aif_trace_slice){name, cat, pid, tid, t0_s, t1_s};
    return 0;
}

void aif_trace_free(aif_trace *t)
{
    free(t->tracks);
    free(t->slices);
    memset(t, 0, sizeof *t);
}
