/* bind.c -- descriptor-driven binding of YAML trees onto structs (see bind.h). */
#include "scenario/bind.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *bind_path(char *buf, size_t n, const char *path, const char *key)
{
    if (path && path[0])
        snprintf(buf, n, "%s.%s", path, key);
    else
        snprintf(buf, n, "%s", key);
    return buf;
}

aif_rc bind_error(const bind_ctx *bc, const ynode *nd, const char *path, const char *fmt, ...)
{
    char msg[sizeof bc->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return aif_err_set(bc->err, AIF_EINPUT, nd ? nd->origin : NULL, nd ? nd->line : 0, nd ? nd->col : 0, path,
                       "%s", msg);
}

static const char *kind_name(ykind k)
{
    return k == Y_MAP ? "a mapping" : k == Y_SEQ ? "a list" : "a value";
}

static aif_rc need_scalar(const bind_ctx *bc, const ynode *v, const char *path, const char *what)
{
    if (v->kind != Y_SCALAR)
        return bind_error(bc, v, path, "expected %s, found %s", what, kind_name(v->kind));
    return AIF_OK;
}

static aif_rc check_range(const bind_ctx *bc, const ynode *v, const field *f, const char *path, double x)
{
    if (x < f->min || (f->max > 0 && x > f->max)) {
        if (f->max > 0)
            return bind_error(bc, v, path, "%s is out of range (accepted: %g to %g)", v->s, f->min, f->max);
        return bind_error(bc, v, path, "%s is out of range (accepted: at least %g)", v->s, f->min);
    }
    return AIF_OK;
}

static int parse_bool(const char *s, bool *b)
{
    static const char *const t[] = {"true", "yes", "on", "1"}, *const fl[] = {"false", "no", "off", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, t[i]) == 0) {
            *b = true;
            return 0;
        }
        if (strcasecmp(s, fl[i]) == 0) {
            *b = false;
            return 0;
        }
    }
    return -1;
}

static void names_list(const char *const *names, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", names[i]);
}

/* One name of an F_FLAGS list, name[0..len), into *bits; an error at node v names the accepted list. */
static aif_rc flag_bit(const bind_ctx *bc, const ynode *v, const field *f, const char *path, const char *name,
                       size_t len, unsigned *bits)
{
    char one[AIF_NAME_MAX], list[256];
    names_list(f->names, list, sizeof list);
    if (len == 0)
        return bind_error(bc, v, path, "an empty name in the list (accepted: %s)", list);
    if (len >= sizeof one)
        return bind_error(bc, v, path, "unknown value '%.*s' (accepted: %s)", (int)(len < 60 ? len : 60), name, list);
    memcpy(one, name, len);
    one[len] = '\0';
    int i = aif_name_index(f->names, one);
    if (i >= 0 && i < 32) {
        *bits |= 1u << i;
        return AIF_OK;
    }
    int dym = aif_did_you_mean(one, f->names, aif_name_count(f->names));
    if (dym >= 0)
        return bind_error(bc, v, path, "unknown value '%s'; did you mean '%s'? (accepted: %s)", one, f->names[dym], list);
    return bind_error(bc, v, path, "unknown value '%s' (accepted: %s)", one, list);
}

aif_rc bind_value(const bind_ctx *bc, const ynode *v, const field *f, void *obj, const char *path)
{
    char *dst = (char *)obj + f->off;
    char why[256];
    switch (f->type) {
    case F_INT: {
        if (need_scalar(bc, v, path, "a whole number"))
            return bc->err->rc;
        long long x;
        if (aif_parse_int(v->s, &x, why, sizeof why) != 0)
            return bind_error(bc, v, path, "%s", why);
        if (x > 2000000000LL || (f->max > 0 && x > f->max))
            return bind_error(bc, v, path, "%s is too large (at most %g)", v->s, f->max > 0 ? f->max : 2e9);
        if (check_range(bc, v, f, path, (double)x))
            return bc->err->rc;
        *(int *)dst = (int)x;
        return AIF_OK;
    }
    case F_NUM: {
        if (need_scalar(bc, v, path, "a number"))
            return bc->err->rc;
        double x;
        if (aif_parse_qty(v->s, AIF_Q_FRACTION, &x, why, sizeof why) != 0) {
            /* a negative number is a number: out of the field's range, said as such */
            if (v->s[0] == '-' && aif_parse_qty(v->s + 1, AIF_Q_FRACTION, &x, why, sizeof why) == 0 &&
                check_range(bc, v, f, path, -x))
                return bc->err->rc;
            return bind_error(bc, v, path, "'%s' is not a number", v->s);
        }
        if (check_range(bc, v, f, path, x))
            return bc->err->rc;
        *(double *)dst = x;
        return AIF_OK;
    }
    case F_QTY: {
        if (need_scalar(bc, v, path, aif_qty_examples((aif_qty)f->qty)))
            return bc->err->rc;
        double x;
        if (aif_parse_qty(v->s, (aif_qty)f->qty, &x, why, sizeof why) != 0)
            return bind_error(bc, v, path, "%s", why);
        if (check_range(bc, v, f, path, x))
            return bc->err->rc;
        *(double *)dst = x;
        return AIF_OK;
    }
    case F_BOOL: {
        if (need_scalar(bc, v, path, "true or false"))
            return bc->err->rc;
        if (parse_bool(v->s, (bool *)dst) != 0)
            return bind_error(bc, v, path, "'%s' is not a boolean (accepted: true, false, yes, no, on, off, 1, 0)", v->s);
        return AIF_OK;
    }
    case F_STR: {
        if (need_scalar(bc, v, path, "a text value"))
            return bc->err->rc;
        if (strlen(v->s) >= f->size)
            return bind_error(bc, v, path, "text too long (%zu characters, at most %zu)", strlen(v->s), f->size - 1);
        for (const unsigned char *c = (const unsigned char *)v->s; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                return bind_error(bc, v, path, "control character (code %d) in text; write plain text", *c);
        memcpy(dst, v->s, strlen(v->s) + 1);
        return AIF_OK;
    }
    case F_ENUM: {
        /* the values the field takes of the enum's name table, plus its "auto" (-1) when
         * it has one; only those are listed and suggested */
        const char *cands[64];
        int vals[64];
        int n = 0;
        for (int k = 0; f->names[k] && n < 62; k++)
            if (!f->accept || (k < 32 && (f->accept >> k & 1u))) {
                vals[n] = k;
                cands[n++] = f->names[k];
            }
        if (f->auto_name) {
            vals[n] = -1;
            cands[n++] = f->auto_name;
        }
        cands[n] = NULL;
        char list[256];
        names_list(cands, list, sizeof list);
        if (need_scalar(bc, v, path, "a name"))
            return bc->err->rc;
        int i = aif_name_index(cands, v->s);
        if (i >= 0) {
            *(int *)dst = vals[i];
            return AIF_OK;
        }
        if (aif_name_index(f->names, v->s) >= 0)
            return bind_error(bc, v, path, "'%s' is not accepted here (accepted: %s)", v->s, list);
        for (int k = 0; f->near && f->near[k] && f->near[k + 1]; k += 2)
            if (!strcasecmp(f->near[k], v->s))
                return bind_error(bc, v, path, "unknown value '%s'; did you mean '%s'? (accepted: %s)", v->s,
                                  f->near[k + 1], list);
        int dym = aif_did_you_mean(v->s, cands, n);
        if (dym >= 0)
            return bind_error(bc, v, path, "unknown value '%s'; did you mean '%s'? (accepted: %s)", v->s, cands[dym], list);
        return bind_error(bc, v, path, "unknown value '%s' (accepted: %s)", v->s, list);
    }
    case F_SUB:
        return bind_map(bc, v, f->sub, dst, path, NULL);
    case F_NAMES: {
        if (v->kind != Y_SEQ)
            return bind_error(bc, v, path, "expected a list of names, e.g. [h100, h100-sxm5]");
        size_t k = 0;
        dst[0] = '\0';
        for (int i = 0; i < v->n; i++) {
            const ynode *it = v->kids[i];
            if (need_scalar(bc, it, path, "a name"))
                return bc->err->rc;
            size_t len = strlen(it->s);
            for (const unsigned char *c = (const unsigned char *)it->s; *c; c++)
                if (*c <= 0x20 || *c == 0x7f)
                    return bind_error(bc, it, path, "a name is printable text without spaces");
            if (len == 0 || len >= AIF_NAME_MAX)
                return bind_error(bc, it, path, "a name is 1 to %d characters", AIF_NAME_MAX - 1);
            if (k + len + (k > 0) >= f->size)
                return bind_error(bc, it, path, "too many names (at most %zu characters in all)", f->size - 1);
            k += (size_t)snprintf(dst + k, f->size - k, "%s%s", k ? " " : "", it->s);
        }
        return AIF_OK;
    }
    case F_FLAGS: {
        unsigned bits = 0;
        if (v->kind == Y_SEQ) {
            for (int i = 0; i < v->n; i++) {
                const ynode *it = v->kids[i];
                if (need_scalar(bc, it, path, "a name"))
                    return bc->err->rc;
                if (flag_bit(bc, it, f, path, it->s, strlen(it->s), &bits))
                    return bc->err->rc;
            }
        } else if (v->kind == Y_SCALAR) {   /* "a,b" (spaces around a name ignored) */
            for (const char *p = v->s;;) {
                while (*p == ' ')
                    p++;
                size_t len = strcspn(p, ",");
                size_t end = len;
                while (end > 0 && p[end - 1] == ' ')
                    end--;
                if (flag_bit(bc, v, f, path, p, end, &bits))
                    return bc->err->rc;
                if (!p[len])
                    break;
                p += len + 1;
            }
        } else {
            return bind_error(bc, v, path, "expected a list of names, e.g. [%s, %s]", f->names[0], f->names[1]);
        }
        if (!bits) {
            char list[256];
            names_list(f->names, list, sizeof list);
            return bind_error(bc, v, path, "an empty list (name at least one of: %s)", list);
        }
        *(unsigned *)dst = bits;
        return AIF_OK;
    }
    case F_PRECMAP: {
        if (v->kind != Y_MAP)
            return bind_error(bc, v, path, "expected a mapping of precision to dense TFLOP/s, e.g. {bf16: 989.4, fp8: 1978.9}");
        double *arr = (double *)dst;
        for (int i = 0; i < v->n; i++) {
            const ynode *kv = v->kids[i];
            char sub[192];
            bind_path(sub, sizeof sub, path, kv->key);
            int p = aif_name_index(aif_prec_names, kv->key);
            if (p < 0 || strcmp(kv->key, aif_prec_names[p]))
                return aif_err_set(bc->err, AIF_EINPUT, kv->origin, kv->key_line, kv->key_col, sub,
                                   "unknown precision (accepted: fp32, tf32, bf16, fp8, fp4)");
            double x;
            if (need_scalar(bc, kv, sub, "a number of TFLOP/s"))
                return bc->err->rc;
            if (aif_parse_qty(kv->s, AIF_Q_FRACTION, &x, why, sizeof why) != 0 || x <= 0 || x > 1e6)
                return bind_error(bc, kv, sub, "'%s' is not a positive number of TFLOP/s", kv->s);
            arr[p] = x * 1e12;
        }
        return AIF_OK;
    }
    }
    return aif_err_set(bc->err, AIF_EINTERNAL, NULL, 0, 0, path, "unknown field type");
}

aif_rc bind_map(const bind_ctx *bc, const ynode *map, const schema *sc, void *obj, const char *path, uint64_t *set)
{
    if (map->kind != Y_MAP)
        return bind_error(bc, map, path, "expected a mapping (key: value), found %s", kind_name(map->kind));
    for (int i = 0; i < map->n; i++) {
        const ynode *kv = map->kids[i];
        char sub[192];
        bind_path(sub, sizeof sub, path, kv->key);
        int skip = 0;
        for (int s = 0; sc->skip && sc->skip[s]; s++)
            if (strcmp(kv->key, sc->skip[s]) == 0)
                skip = 1;
        if (skip)
            continue;
        int j = 0;
        for (; j < sc->n; j++)
            if (strcmp(kv->key, sc->f[j].key) == 0)
                break;
        if (j == sc->n) {
            const char *cands[80];
            int nc = 0;
            for (int k = 0; k < sc->n && nc < 70; k++)
                cands[nc++] = sc->f[k].key;
            for (int s = 0; sc->skip && sc->skip[s] && nc < 80; s++)
                cands[nc++] = sc->skip[s];
            char list[1600];
            size_t k = 0;
            list[0] = '\0';
            for (int c = 0; c < nc && k < sizeof list; c++)
                k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", c ? ", " : "", cands[c]);
            if (k >= sizeof list)   /* cut: say so rather than end mid-name */
                memcpy(list + sizeof list - 5, ", ..", 5);
            int dym = aif_did_you_mean(kv->key, cands, nc);
            int line = kv->key_line ? kv->key_line : kv->line, col = kv->key_line ? kv->key_col : kv->col;
            if (dym >= 0)
                return aif_err_set(bc->err, AIF_EINPUT, kv->origin, line, col, sub,
                                   "unknown key '%s'; did you mean '%s'? (accepted: %s)", kv->key, cands[dym], list);
            return aif_err_set(bc->err, AIF_EINPUT, kv->origin, line, col, sub, "unknown key '%s' (accepted: %s)",
                               kv->key, list);
        }
        aif_rc rc = bind_value(bc, kv, &sc->f[j], obj, sub);
        if (rc)
            return rc;
        if (set && j < 64)
            *set |= (uint64_t)1 << j;
    }
    return AIF_OK;
}
