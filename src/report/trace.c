/* trace.c -- a recorded simulated step (aif_trace, include/aifsim/sim.h) as a
 * Chrome trace-event JSON file: one "M" event naming each process and thread,
 * then one "X" (complete) event per slice, times in microseconds with three
 * decimals.  Written through aif_output (src/base/file.c): "-" is standard
 * output, a device is written through, a regular file appears whole or not at
 * all (a temporary beside it, renamed; removed on any error). */
#include "aifsim/report.h"
#include "base/base.h"

#include <stdio.h>

aif_rc aif_trace_check_path(const char *path, aif_err *err)
{
    return aif_output_check(path, "--trace", err);
}

aif_rc aif_trace_write(const aif_trace *t, const char *path, aif_err *err)
{
    aif_output out;
    aif_rc rc = aif_output_open(&out, path, "--trace", err);
    if (rc)
        return rc;
    FILE *f = out.f;
    fputs("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", f);
    const char *sep = "";   /* events are separated by a comma and start on a new line */
    for (long i = 0; i < t->n_tracks; i++, sep = ",") {
        const aif_trace_track *k = &t->tracks[i];
        if (k->tid < 0)
            fprintf(f, "%s\n{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":\"%s\"}}", sep,
                    k->pid, k->name);
        else
            fprintf(f, "%s\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"%s\"}}",
                    sep, k->pid, k->tid, k->name);
    }
    for (long i = 0; i < t->n_slices; i++, sep = ",") {
        const aif_trace_slice *s = &t->slices[i];
        fprintf(f, "%s\n{\"name\":\"%s\",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%.3f,\"dur\":%.3f,\"pid\":%d,\"tid\":%d}",
                sep, s->name, s->cat, s->t0_s * 1e6, (s->t1_s - s->t0_s) * 1e6, s->pid, s->tid);
    }
    fputs("\n]}\n", f);
    return aif_output_commit(&out, err);
}
