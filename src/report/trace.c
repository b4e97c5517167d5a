/* trace.c -- a recorded simulated step (aif_trace, include/aifsim/sim.h) as a
 * Chrome trace-event JSON file: one "M" event naming each process and thread,
 * then one "X" (complete) event per slice, times in microseconds with three
 * decimals.  The file appears whole or not at all: it is written to path.tmp
 * and renamed; on any error the temporary file is removed. */
#include "aifsim/report.h"
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

aif_rc aif_trace_check_path(const char *path, aif_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return aif_err_set(err, AIF_EIO, path, 0, 0, "--trace", "cannot write the trace: %s", strerror(errno));
    fclose(f);
    remove(tmp);
    return AIF_OK;
}

aif_rc aif_trace_write(const aif_trace *t, const char *path, aif_err *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return aif_err_set(err, AIF_EIO, path, 0, 0, "--trace", "cannot write the trace: %s", strerror(errno));
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
    int bad = ferror(f);
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int e = errno;
        remove(tmp);
        return aif_err_set(err, AIF_EIO, path, 0, 0, "--trace", "cannot write the trace: %s", strerror(e));
    }
    return AIF_OK;
}
