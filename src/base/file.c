/* file.c -- reading a whole text file, the one place the library reads files
 * named by the user (scenarios, catalogs, model files, carbon and validation CSVs).
 * Invariant: the buffer handed back is NUL-terminated and holds no NUL before it,
 * so every reader can treat it as a C string. */
#include "base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

aif_rc aif_read_file(const char *path, char **text, size_t *len, aif_err *err)
{
    FILE *f = fopen(path, "rb");
    *text = NULL;
    if (!f)
        return aif_err_set(err, AIF_EIO, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            return aif_err_set(err, AIF_ENOMEM, path, 0, 0, NULL, "out of memory");
        }
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1)
            break;
        if (cap > (64u << 20)) {
            free(buf);
            fclose(f);
            return aif_err_set(err, AIF_EINPUT, path, 0, 0, NULL, "file larger than 64 MiB");
        }
        char *nb = realloc(buf, cap * 2);
        if (!nb)
            free(buf);
        buf = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return aif_err_set(err, AIF_EIO, path, 0, 0, NULL, "read error");
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        return aif_err_set(err, AIF_EINPUT, path, 0, 0, NULL, "not a text file (contains NUL bytes)");
    }
    *text = buf;
    *len = n;
    return AIF_OK;
}
