/* file.c -- the one place the library reads files named by the user (scenarios,
 * catalogs, model files, carbon and validation CSVs) and the one place it writes
 * them (reports, traces: aif_output, base.h).
 * Invariants: the buffer handed back by aif_read_file is NUL-terminated and holds
 * no NUL before it, so every reader can treat it as a C string.  An output never
 * replaces anything but a regular file, and a regular file only whole (a temporary
 * renamed over it); every temporary that exists is in the registry that
 * aif_output_remove_temps empties. */
#define _GNU_SOURCE   /* fopencookie; realpath, readlink, fchown */
#include "base.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ------------------------------------------------------------------ outputs */

/* The registry of temporaries a signal handler removes.  A slot is FREE, BUSY
 * (its name being written) or LIVE (the name is complete; the file may or may not
 * exist yet: it is created only after the slot is LIVE, so no temporary ever
 * exists unregistered).  Lock-free atomics keep it safe from a handler and from
 * threads writing outputs at once. */
enum { SLOT_FREE, SLOT_BUSY, SLOT_LIVE, N_SLOTS = 16 };
static _Atomic int slot_state[N_SLOTS];
static char slot_path[N_SLOTS][4096];

static int slot_take(const char *path)
{
    for (int i = 0; i < N_SLOTS; i++) {
        int want = SLOT_FREE;
        if (atomic_compare_exchange_strong(&slot_state[i], &want, SLOT_BUSY)) {
            aif_strlcpy(slot_path[i], path, sizeof slot_path[i]);
            atomic_store(&slot_state[i], SLOT_LIVE);
            return i;
        }
    }
    return -1;
}

static void slot_release(int i)
{
    if (i >= 0)
        atomic_store(&slot_state[i], SLOT_FREE);
}

void aif_output_remove_temps(void)
{
    for (int i = 0; i < N_SLOTS; i++)
        if (atomic_load(&slot_state[i]) == SLOT_LIVE)
            unlink(slot_path[i]);   /* async-signal-safe; a name not yet created is harmless */
}

/* The folder part of path with its slash ("" for the current folder). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    snprintf(dir, n, "%.*s", slash ? (int)(slash - path + 1) : 0, path);
}

/* Decides what path is: standard output, something to write through, or a regular
 * file to replace (o->dest, its stat in *st with *exists).  No file is created. */
static aif_rc classify(aif_output *o, const char *path, const char *field, struct stat *st, int *exists,
                       aif_err *err)
{
    memset(o, 0, sizeof *o);
    o->slot = -1;
    o->field = field;
    *exists = 0;
    if (!path || !*path)
        return aif_err_set(err, AIF_EIO, "", 0, 0, field, "an empty file name (a file, or - for standard output)");
    if (!strcmp(path, "-")) {
        o->kind = AIF_OUT_STDOUT;
        aif_strlcpy(o->path, "<stdout>", sizeof o->path);
        return AIF_OK;
    }
    if (strlen(path) >= sizeof o->path - 32)
        return aif_err_set(err, AIF_EIO, "", 0, 0, field, "the file name is longer than %d characters",
                           (int)sizeof o->path - 32);
    aif_strlcpy(o->path, path, sizeof o->path);
    aif_strlcpy(o->dest, path, sizeof o->dest);
    struct stat lst;
    if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {   /* replace the link's target, not the link */
        char real[PATH_MAX];
        if (!realpath(path, real)) {
            if (errno != ENOENT)
                return aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot follow the link: %s", strerror(errno));
            /* a dangling link: write the file it names */
            ssize_t k = readlink(path, real, sizeof real - 1);
            if (k < 0)
                return aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot read the link: %s", strerror(errno));
            real[k] = '\0';
            if (real[0] != '/') {
                char dir[4096];
                dir_of(path, dir, sizeof dir);
                if ((size_t)snprintf(o->dest, sizeof o->dest, "%s%s", dir, real) >= sizeof o->dest)
                    return aif_err_set(err, AIF_EIO, path, 0, 0, field, "the link's target is too long");
            } else {
                aif_strlcpy(o->dest, real, sizeof o->dest);
            }
        } else {
            aif_strlcpy(o->dest, real, sizeof o->dest);
        }
    }
    if (stat(o->dest, st) == 0) {
        *exists = 1;
        if (S_ISDIR(st->st_mode))
            return aif_err_set(err, AIF_EIO, path, 0, 0, field, "is a folder; name a file in it");
        if (!S_ISREG(st->st_mode)) {
            o->kind = AIF_OUT_THROUGH;   /* a device or a FIFO: written to, never replaced */
            return AIF_OK;
        }
        if (!(st->st_mode & 0222))
            return aif_err_set(err, AIF_EIO, path, 0, 0, field, "is read-only (mode %04o); choose another name",
                               (unsigned)(st->st_mode & 07777));
        if (access(o->dest, W_OK) != 0)
            return aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot write it: %s", strerror(errno));
    } else if (errno != ENOENT) {
        return aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot write it: %s", strerror(errno));
    }
    o->kind = AIF_OUT_REPLACE;
    return AIF_OK;
}

/* Why a temporary cannot be created in dir, in words. */
static aif_rc temp_error(const aif_output *o, int e, aif_err *err)
{
    char dir[4096];
    dir_of(o->dest, dir, sizeof dir);
    struct stat st;
    if (e == ENOENT && stat(*dir ? dir : ".", &st) != 0)
        return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field, "the folder '%s' does not exist", dir);
    if (e == ENOENT || e == EROFS || e == EPERM)   /* e.g. /proc, /sys: no new files there */
        return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field,
                           "the folder '%s' takes no new files (%s), so the file cannot be written there",
                           *dir ? dir : ".", strerror(e));
    return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field, "cannot create a file in '%s': %s", *dir ? dir : ".",
                       strerror(e));
}

/* The FILE handed out writes through these, so the first failed write's errno
 * (ENOSPC, EPIPE, ...) is kept for the message, whatever happens to errno after. */
static ssize_t cookie_write(void *c, const char *buf, size_t n)
{
    aif_output *o = c;
    if (o->discard)   /* aborted: what is still buffered goes nowhere */
        return (ssize_t)n;
    size_t done = 0;
    while (done < n) {
        ssize_t k = write(o->fd, buf + done, n - done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (!o->errno_first)
                o->errno_first = k < 0 ? errno : EIO;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)k;
    }
    return (ssize_t)done;
}

static int cookie_close(void *c)
{
    aif_output *o = c;
    if (o->kind == AIF_OUT_STDOUT)
        return 0;   /* standard output stays open */
    if (close(o->fd) != 0 && !o->errno_first)
        o->errno_first = errno;
    return o->errno_first ? -1 : 0;
}

/* Wraps o->fd (closed here on failure, unless it is standard output). */
static aif_rc wrap_fd(aif_output *o, aif_err *err)
{
    o->f = fopencookie(o, "w", (cookie_io_functions_t){.write = cookie_write, .close = cookie_close});
    if (o->f)
        return AIF_OK;
    if (o->kind != AIF_OUT_STDOUT)
        close(o->fd);
    if (o->kind == AIF_OUT_REPLACE) {
        unlink(o->tmp);
        slot_release(o->slot);
        o->slot = -1;
    }
    return aif_err_set(err, AIF_ENOMEM, o->path, 0, 0, o->field, "out of memory");
}

/* Creates the temporary beside o->dest, registered before it exists; its mode is
 * 0666 less the umask, or the replaced file's. */
static aif_rc open_temp(aif_output *o, const struct stat *st, int exists, aif_err *err)
{
    char dir[4096];
    dir_of(o->dest, dir, sizeof dir);
    static _Atomic unsigned counter;
    int fd = -1;
    for (int attempt = 0; attempt < 100 && fd < 0; attempt++) {
        unsigned k = atomic_fetch_add(&counter, 1);
        if ((size_t)snprintf(o->tmp, sizeof o->tmp, "%s.aifsim-%ld-%u.tmp", dir, (long)getpid(), k) >= sizeof o->tmp)
            return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field, "the file name is too long");
        o->slot = slot_take(o->tmp);
        if (o->slot < 0)
            return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field, "more than %d outputs open at once", N_SLOTS);
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0) {
            int e = errno;
            slot_release(o->slot);
            o->slot = -1;
            if (e != EEXIST)
                return temp_error(o, e, err);
        }
    }
    if (fd < 0)
        return temp_error(o, EEXIST, err);
    if (exists) {   /* keep the replaced file's owner (where permitted) and mode */
        if (fchown(fd, st->st_uid, st->st_gid) != 0) {
            /* not permitted for others' files: the new file is the writer's */
        }
        fchmod(fd, st->st_mode & 07777);
    }
    o->fd = fd;
    return wrap_fd(o, err);
}

aif_rc aif_output_open(aif_output *o, const char *path, const char *field, aif_err *err)
{
    struct stat st;
    int exists;
    aif_rc rc = classify(o, path, field, &st, &exists, err);
    if (rc)
        return rc;
    if (o->kind == AIF_OUT_STDOUT) {
        if (fflush(stdout) != 0)   /* what stdio holds goes first */
            return aif_err_set(err, AIF_EIO, o->path, 0, 0, field, "cannot write it: %s", strerror(errno));
        o->fd = STDOUT_FILENO;
        return wrap_fd(o, err);
    }
    if (o->kind == AIF_OUT_THROUGH) {
        o->fd = open(o->dest, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (o->fd < 0)
            return aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot write it: %s", strerror(errno));
        return wrap_fd(o, err);
    }
    return open_temp(o, &st, exists, err);
}

aif_rc aif_output_check(const char *path, const char *field, aif_err *err)
{
    aif_output o;
    struct stat st;
    int exists;
    aif_rc rc = classify(&o, path, field, &st, &exists, err);
    if (rc || o.kind == AIF_OUT_STDOUT)
        return rc;
    if (o.kind == AIF_OUT_THROUGH)   /* opening a FIFO would wait for a reader */
        return access(o.dest, W_OK) == 0
                   ? AIF_OK
                   : aif_err_set(err, AIF_EIO, path, 0, 0, field, "cannot write it: %s", strerror(errno));
    if ((rc = open_temp(&o, &st, exists, err)))
        return rc;
    aif_output_abort(&o);
    return AIF_OK;
}

aif_rc aif_output_commit(aif_output *o, aif_err *err)
{
    int bad = ferror(o->f);
    bad |= fclose(o->f) != 0;   /* flushes through cookie_write, which keeps the errno */
    int e = bad ? (o->errno_first ? o->errno_first : EIO) : 0;
    if (o->kind == AIF_OUT_REPLACE) {
        if (!e && rename(o->tmp, o->dest) != 0)
            e = errno;
        if (e)
            unlink(o->tmp);
        slot_release(o->slot);
    }
    o->f = NULL;
    o->slot = -1;
    if (e)
        return aif_err_set(err, AIF_EIO, o->path, 0, 0, o->field, "cannot write it: %s", strerror(e));
    return AIF_OK;
}

void aif_output_abort(aif_output *o)
{
    if (!o->f)
        return;
    o->discard = 1;
    fclose(o->f);
    if (o->kind == AIF_OUT_REPLACE) {
        unlink(o->tmp);
        slot_release(o->slot);
    }
    o->f = NULL;
    o->slot = -1;
}
