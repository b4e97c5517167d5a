/* trace_pending.c -- replaced by src/ops/trace.c (the trace readers) at merge; delete this file then.
 *
 * Until the readers land, this holds what the cluster simulator links against:
 * the two name tables, aif_job_list_free, and aif_jobs_read / aif_jobs_parse /
 * aif_jobs_write refusing with AIF_EINPUT "trace readers not built". */
#include "ops/jobs.h"
#include "base/base.h"

#include <stdlib.h>

const char *const aif_trace_format_names[] = {"philly", "helios", "pai", "acme", "synthetic", NULL};
const char *const aif_job_kind_names[] = {"generic", "train", "serve", NULL};

void aif_job_list_free(aif_job_list *l)
{
    if (!l)
        return;
    free(l->jobs);
    free(l->tenants);
    l->jobs = NULL;
    l->tenants = NULL;
    l->n = l->n_tenants = 0;
}

aif_rc aif_jobs_parse(const char *text, size_t len, int format, const char *name, long max_jobs, aif_job_list *out,
                      long *skipped, aif_err *err)
{
    (void)text, (void)len, (void)format, (void)max_jobs, (void)out, (void)skipped;
    return aif_err_set(err, AIF_EINPUT, name, 0, 0, "--trace", "trace readers not built");
}

aif_rc aif_jobs_read(const char *path, int format, long max_jobs, aif_job_list *out, long *skipped, aif_err *err)
{
    (void)format, (void)max_jobs, (void)out, (void)skipped;
    return aif_err_set(err, AIF_EINPUT, path, 0, 0, "--trace", "trace readers not built");
}

aif_rc aif_jobs_write(const aif_job_list *l, int format, FILE *f, aif_err *err)
{
    (void)l, (void)format, (void)f;
    return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "", "trace writers not built");
}
