/* err.c -- the one error record of libaifsim (see aif_err in aifsim.h).
 * Library code fills an aif_err and returns its rc; only the CLI prints. */
#include "base.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

aif_rc aif_err_set(aif_err *e, aif_rc rc, const char *file, int line, int col,
                   const char *path, const char *fmt, ...)
{
    if (!e)
        return rc;
    e->rc = rc;
    snprintf(e->file, sizeof e->file, "%s", file ? file : "");
    e->line = line;
    e->col = col;
    snprintf(e->path, sizeof e->path, "%s", path ? path : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    /* a value quoted from the input ("unknown gpu 'h100\n'") stays on the message's line */
    aif_escape_controls(e->file, sizeof e->file);
    aif_escape_controls(e->path, sizeof e->path);
    aif_escape_controls(e->msg, sizeof e->msg);
    return rc;
}

void aif_err_clear(aif_err *e)
{
    if (e)
        memset(e, 0, sizeof *e);
}

void aif_err_format(const aif_err *e, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    if (e->file[0]) {
        if (e->line > 0 && e->col > 0)
            k += (size_t)snprintf(buf + k, n - k, "%s:%d:%d: ", e->file, e->line, e->col);
        else if (e->line > 0)
            k += (size_t)snprintf(buf + k, n - k, "%s:%d: ", e->file, e->line);
        else
            k += (size_t)snprintf(buf + k, n - k, "%s: ", e->file);
    }
    if (k < n && e->path[0])
        k += (size_t)snprintf(buf + k, n - k, "%s: ", e->path);
    if (k < n)
        snprintf(buf + k, n - k, "%s", e->msg);
}

void aif_assert_fail(const char *file, int line, const char *cond)
{
    fprintf(stderr, "%s:%d: aifsim invariant broken: %s\n", file, line, cond);
    abort();
}
