/* record.h -- filling an aif_trace (include/aifsim/sim.h) while an engine runs.
 * Appending allocates only when an array doubles; both return 0, or -1 when out
 * of memory (the trace is then unchanged). */
#ifndef AIF_RECORD_H
#define AIF_RECORD_H

#include "aifsim/sim.h"

/* A row: a process (tid -1) or one of its threads; name formatted as printf does. */
int aif_trace_add_track(aif_trace *t, int pid, int tid, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
/* A slice [t0_s, t1_s] on thread (pid, tid); name and cat must outlive the trace. */
int aif_trace_add_slice(aif_trace *t, const char *name, const char *cat, int pid, int tid, double t0_s, double t1_s);

#endif
