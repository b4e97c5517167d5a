/* spec.c -- the sweep file (docs/SWEEPS.md): read with the project's YAML loader, so
 * every error is file:line:col with the field path; expanded into points.
 *
 *   base: default | EXAMPLE | FILE       (a file is relative to the sweep file)
 *   command: train | facility | infer    (default train)
 *   engine: estimate | sim               (train only; default estimate)
 *   set: {PATH: VALUE, ...}              (fixed fields of every point)
 *   axes: {PATH: [V, ...] | {from, to, step} | {from, to, factor}, ...}
 *   zip: [PATH, PATH] | [[PATH, PATH], [PATH, PATH]]
 *
 * Invariants: axes keep the file's order; axes named in one zip group move together
 * (they must have the same number of values) and form one group; groups are crossed,
 * the last varying fastest, so point i's values follow from i alone (mixed radix) and
 * any process computes the same point for the same i.  Every value is kept as text
 * and applied as an override, exactly as `--set PATH=VALUE`. */
#include "sweep_int.h"
#include "aifsim/names.h"
#include "scenario/catalog.h"
#include "scenario/yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t sweep_fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static const char *const command_names[] = {"train", "facility", "infer", "cluster", NULL};
static const char *const top_keys[] = {"base", "command", "engine", "set", "axes", "zip"};
enum { N_TOP = sizeof top_keys / sizeof top_keys[0] };

static aif_rc at(aif_err *err, const ynode *n, const char *path, const char *fmt, const char *a, const char *b)
{
    return aif_err_set(err, AIF_EINPUT, n && n->origin ? n->origin : "", n ? n->line : 0, n ? n->col : 0, path,
                       fmt, a ? a : "", b ? b : "");
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A finite number from a scalar: plain decimal or a count suffix (1K, 16M). */
static int number(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end != s && !*end && isfinite(v)) {
        *out = v;
        return 0;
    }
    long long iv;
    char why[64];
    if (!aif_parse_int(s, &iv, why, sizeof why)) {
        *out = (double)iv;
        return 0;
    }
    return -1;
}

static void fmt_number(char *buf, size_t n, double v)
{
    if (fabs(v) < 9e15 && v == floor(v))
        snprintf(buf, n, "%.0f", v);
    else
        snprintf(buf, n, "%.15g", v);
}

static aif_rc add_value(sweep_axis *ax, long *cap, const char *v, aif_err *err)
{
    if (ax->n == *cap) {
        long nc = *cap ? *cap * 2 : 16;
        char **nv = realloc(ax->values, (size_t)nc * sizeof *nv);
        if (!nv)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        ax->values = nv;
        *cap = nc;
    }
    if (!(ax->values[ax->n] = dup_str(v)))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    ax->n++;
    return AIF_OK;
}

/* A range {from, to, step} or {from, to, factor} into values. */
static aif_rc parse_range(const ynode *m, sweep_axis *ax, const char *fpath, aif_err *err)
{
    static const char *const keys[] = {"from", "to", "step", "factor"};
    double v[4] = {0, 0, 0, 0};
    const ynode *got[4] = {NULL, NULL, NULL, NULL};
    char path[400];
    for (int i = 0; i < m->n; i++) {
        const ynode *k = m->kids[i];
        int which = -1;
        for (int j = 0; j < 4; j++)
            if (!strcmp(k->key, keys[j]))
                which = j;
        snprintf(path, sizeof path, "%.240s.%.120s", fpath, k->key);
        if (which < 0) {
            int d = aif_did_you_mean(k->key, keys, 4);
            return aif_err_set(err, AIF_EINPUT, k->origin, k->key_line, k->key_col, path,
                               "unknown key '%s'%s%s%s (accepted: from, to, step, factor)", k->key,
                               d >= 0 ? "; did you mean '" : "", d >= 0 ? keys[d] : "", d >= 0 ? "'?" : "");
        }
        if (k->kind != Y_SCALAR || number(k->s, &v[which]))
            return at(err, k, path, "'%s' is not a number%s", k->kind == Y_SCALAR ? k->s : "(a list or mapping)", "");
        got[which] = k;
    }
    if (!got[0] || !got[1] || (!got[2] == !got[3]))
        return at(err, m, fpath, "a range needs from, to and one of step or factor, e.g. {from: 1, to: 8, "
                  "factor: 2} or {from: 1024, to: 4096, step: 1024}%s%s", "", "");
    long cap = 0;
    char buf[64];
    if (got[2]) {
        snprintf(path, sizeof path, "%.240s.step", fpath);
        if (!(v[2] > 0))
            return at(err, got[2], path, "step must be above 0 (from runs up to to)%s%s", "", "");
        if (v[1] < v[0])
            return at(err, got[1], fpath, "to is below from: a range runs upwards%s%s", "", "");
        double n = floor((v[1] - v[0]) / v[2] * (1 + 1e-12) + 1e-9) + 1;
        if (n > SWEEP_MAX_POINTS)
            return at(err, m, fpath, "the range makes more than 10^8 values%s%s", "", "");
        for (long k = 0; k < (long)n; k++) {
            fmt_number(buf, sizeof buf, v[0] + (double)k * v[2]);
            if (add_value(ax, &cap, buf, err))
                return err->rc;
        }
    } else {
        snprintf(path, sizeof path, "%.240s.factor", fpath);
        if (!(v[3] > 1))
            return at(err, got[3], path, "factor must be above 1 (from runs up to to)%s%s", "", "");
        if (!(v[0] > 0))
            return at(err, got[0], fpath, "a range by factor needs from above 0%s%s", "", "");
        if (v[1] < v[0])
            return at(err, got[1], fpath, "to is below from: a range runs upwards%s%s", "", "");
        for (double x = v[0]; x <= v[1] * (1 + 1e-12); x *= v[3]) {
            fmt_number(buf, sizeof buf, x);
            if (add_value(ax, &cap, buf, err))
                return err->rc;
        }
    }
    return AIF_OK;
}

static aif_rc parse_axis(const ynode *k, sweep_axis *ax, aif_err *err)
{
    char fpath[240];
    snprintf(fpath, sizeof fpath, "axes.%.200s", k->key);
    if (strlen(k->key) >= sizeof ax->path || !k->key[0])
        return aif_err_set(err, AIF_EINPUT, k->origin, k->key_line, k->key_col, fpath,
                           "an axis path of %zu characters (accepted: 1 to %zu)", strlen(k->key), sizeof ax->path - 1);
    aif_strlcpy(ax->path, k->key, sizeof ax->path);
    if (k->kind == Y_MAP)
        return parse_range(k, ax, fpath, err);
    if (k->kind == Y_SCALAR)
        return at(err, k, fpath, "an axis takes a list of values or a range, e.g. [1024, 2048] or {from: 1, to: 8, "
                  "factor: 2}; '%s' is one value (put it under set:)%s", k->s, "");
    if (k->n == 0)
        return at(err, k, fpath, "an axis with no values%s%s", "", "");
    long cap = 0;
    for (int i = 0; i < k->n; i++) {
        const ynode *v = k->kids[i];
        if (v->kind != Y_SCALAR || !v->s[0]) {
            char p[260];
            snprintf(p, sizeof p, "%.240s[%d]", fpath, i);
            return at(err, v, p, "an axis value is one scalar (a number or a name)%s%s", "", "");
        }
        for (long j = 0; j < ax->n; j++)
            if (!strcmp(ax->values[j], v->s)) {
                char p[260];
                snprintf(p, sizeof p, "%.240s[%d]", fpath, i);
                return at(err, v, p, "'%s' is given twice on this axis%s", v->s, "");
            }
        if (add_value(ax, &cap, v->s, err))
            return err->rc;
    }
    return AIF_OK;
}

static int find_axis(const aif_sweep *sw, const char *path)
{
    for (int i = 0; i < sw->n_axes; i++)
        if (!strcmp(sw->axes[i].path, path))
            return i;
    return -1;
}

/* One zip group (a list of axis paths); the axes' group becomes g. */
static aif_rc parse_zip_group(aif_sweep *sw, const ynode *list, const char *fpath, int g, aif_err *err)
{
    if (list->kind != Y_SEQ || list->n < 2)
        return at(err, list, fpath, "a zip group lists two or more axes, e.g. zip: [cluster.gpus, train.gbs]%s%s",
                  "", "");
    long n = -1;
    for (int i = 0; i < list->n; i++) {
        const ynode *v = list->kids[i];
        char p[260];
        snprintf(p, sizeof p, "%.240s[%d]", fpath, i);
        int a = v->kind == Y_SCALAR ? find_axis(sw, v->s) : -1;
        if (a < 0)
            return at(err, v, p, "'%s' is not an axis of this sweep (zip names paths under axes:)%s",
                      v->kind == Y_SCALAR ? v->s : "(a list or mapping)", "");
        if (sw->axes[a].group >= 0)
            return at(err, v, p, "axis '%s' is in a zip group already%s", v->s, "");
        if (n >= 0 && sw->axes[a].n != n) {
            char msg[80];
            snprintf(msg, sizeof msg, "%ld values, but the group's first axis has %ld", sw->axes[a].n, n);
            return at(err, v, p, "zipped axes move together and need as many values each: '%s' has %s", v->s, msg);
        }
        n = sw->axes[a].n;
        sw->axes[a].group = g;
    }
    return AIF_OK;
}

/* The base scenario's text: "default", a file beside the sweep file, or a built-in example. */
static aif_rc load_base(aif_sweep *sw, const ynode *b, const char *name, aif_err *err)
{
    const char *text = NULL;
    size_t len = 0;
    if (!strcmp(name, "default")) {
        text = aif_default_scenario_yaml();
        len = strlen(text);
        aif_strlcpy(sw->base_name, "<built-in:default scenario>", sizeof sw->base_name);
    } else {
        char resolved[4096];
        if (aif_resolve_path(sw->file, name, resolved, sizeof resolved))
            return at(err, b, "base", "the path '%s' is too long%s", name, "");
        if (access(resolved, F_OK) == 0) {
            aif_rc rc = aif_read_file(resolved, &sw->base_text, &sw->base_len, err);
            if (rc)
                return rc;
            aif_strlcpy(sw->base_name, resolved, sizeof sw->base_name);
        } else if (!strchr(name, '/')) {
            char emb[200];
            size_t k = strlen(name);
            snprintf(emb, sizeof emb, "data/scenarios/%s%s", name, k > 5 && !strcmp(name + k - 5, ".yaml") ? "" : ".yaml");
            text = aif_embedded_file(emb, &len);
            snprintf(sw->base_name, sizeof sw->base_name, "<built-in:%s>", emb);
        }
        if (!text && !sw->base_text)
            return at(err, b, "base", "'%s' is neither a file beside the sweep file nor a built-in example "
                      "(aifsim train --help lists them; default is the built-in default scenario)%s", name, "");
    }
    if (text) {
        if (!(sw->base_text = malloc(len + 1)))
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        memcpy(sw->base_text, text, len);
        sw->base_text[len] = '\0';
        sw->base_len = len;
    }
    sw->base_hash = sweep_fnv(SWEEP_FNV_INIT, sw->base_text, sw->base_len);
    return AIF_OK;
}

static aif_rc parse_root(aif_sweep *sw, const ynode *root, aif_err *err)
{
    aif_rc rc;
    if (root->kind != Y_MAP)
        return at(err, root, "", "a sweep file is a mapping with base, command, axes ...%s%s", "", "");
    for (int i = 0; i < root->n; i++) {
        const ynode *k = root->kids[i];
        int known = 0;
        for (int j = 0; j < N_TOP; j++)
            known |= !strcmp(k->key, top_keys[j]);
        if (!known) {
            int d = aif_did_you_mean(k->key, top_keys, N_TOP);
            return aif_err_set(err, AIF_EINPUT, k->origin, k->key_line, k->key_col, k->key,
                               "unknown key '%s'%s%s%s (accepted: base, command, engine, set, axes, zip)", k->key,
                               d >= 0 ? "; did you mean '" : "", d >= 0 ? top_keys[d] : "", d >= 0 ? "'?" : "");
        }
    }
    const ynode *n = ynode_get(root, "command");
    sw->command = AIF_SWEEP_TRAIN;
    if (n) {
        int c = n->kind == Y_SCALAR ? aif_name_index(command_names, n->s) : -1;
        if (c < 0)
            return at(err, n, "command", "'%s' is not a command a sweep runs (accepted: train, facility, infer)%s",
                      n->kind == Y_SCALAR ? n->s : "(a list or mapping)", "");
        sw->command = c;
    }
    if ((n = ynode_get(root, "engine"))) {
        int e = n->kind == Y_SCALAR ? aif_name_index(aif_engine_names, n->s) : -1;
        if (e < 0)
            return at(err, n, "engine", "'%s' is not an engine (accepted: estimate, sim)%s",
                      n->kind == Y_SCALAR ? n->s : "(a list or mapping)", "");
        if (sw->command != AIF_SWEEP_TRAIN && e != 0)
            return at(err, n, "engine", "engine %s: only command train takes an engine%s", n->s, "");
        sw->engine = e;
    }
    n = ynode_get(root, "base");
    if (n && (n->kind != Y_SCALAR || !n->s[0]))
        return at(err, n, "base", "base names a scenario: default, a built-in example or a file%s%s", "", "");
    const char *base = n ? n->s : sw->command == AIF_SWEEP_INFER ? "serve-llama3-70b" : "default";
    if ((rc = load_base(sw, n ? n : root, base, err)))
        return rc;
    if ((n = ynode_get(root, "set"))) {
        if (n->kind != Y_MAP)
            return at(err, n, "set", "set is a mapping of scenario fields to values, e.g. set: {train.tokens: "
                      "15T}%s%s", "", "");
        if (n->n > SWEEP_MAX_SETS)
            return at(err, n, "set", "more than 64 fixed fields%s%s", "", "");
        for (int i = 0; i < n->n; i++) {
            const ynode *v = n->kids[i];
            char p[240];
            snprintf(p, sizeof p, "set.%.200s", v->key);
            if (v->kind != Y_SCALAR || !v->s[0])
                return at(err, v, p, "a fixed field takes one scalar value%s%s", "", "");
            if (!(sw->set_path[i] = dup_str(v->key)) || !(sw->set_value[i] = dup_str(v->s)))
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            sw->n_set++;
        }
    }
    n = ynode_get(root, "axes");
    if (!n)
        return at(err, root, "axes", "a sweep needs axes: scenario fields with their values, e.g. axes: "
                  "{cluster.gpus: [1024, 2048]}%s%s", "", "");
    if (n->kind != Y_MAP || n->n == 0)
        return at(err, n, "axes", "axes is a mapping of scenario fields to lists or ranges, e.g. axes: "
                  "{cluster.gpus: [1024, 2048]}%s%s", "", "");
    if (n->n > SWEEP_MAX_AXES)
        return at(err, n, "axes", "more than 32 axes%s%s", "", "");
    for (int i = 0; i < n->n; i++) {
        sweep_axis *ax = &sw->axes[sw->n_axes++];
        ax->group = -1;
        if ((rc = parse_axis(n->kids[i], ax, err)))
            return rc;
        for (int j = 0; j < sw->n_set; j++)
            if (!strcmp(sw->set_path[j], ax->path))
                return at(err, n->kids[i], ax->path, "'%s' is both an axis and a fixed field under set:%s", ax->path, "");
    }
    int g = 0;
    if ((n = ynode_get(root, "zip"))) {
        int nested = n->kind == Y_SEQ && n->n > 0 && n->kids[0]->kind == Y_SEQ;
        if (!nested) {
            if ((rc = parse_zip_group(sw, n, "zip", g++, err)))
                return rc;
        } else {
            for (int i = 0; i < n->n; i++) {
                char p[32];
                snprintf(p, sizeof p, "zip[%d]", i);
                if ((rc = parse_zip_group(sw, n->kids[i], p, g++, err)))
                    return rc;
            }
        }
    }
    /* groups in the order of their first axis; a crossed axis is a group alone */
    int order[SWEEP_MAX_AXES], remap[SWEEP_MAX_AXES];
    for (int i = 0; i < SWEEP_MAX_AXES; i++)
        remap[i] = -1;
    sw->n_groups = 0;
    for (int a = 0; a < sw->n_axes; a++) {
        sweep_axis *ax = &sw->axes[a];
        if (ax->group < 0) {
            order[a] = sw->n_groups++;
        } else {
            if (remap[ax->group] < 0)
                remap[ax->group] = sw->n_groups++;
            order[a] = remap[ax->group];
        }
    }
    sw->n_points = 1;
    for (int a = 0; a < sw->n_axes; a++) {
        sw->axes[a].group = order[a];
        sw->group_n[order[a]] = sw->axes[a].n;
    }
    for (int i = 0; i < sw->n_groups; i++) {
        if (sw->n_points > SWEEP_MAX_POINTS / sw->group_n[i])
            return at(err, ynode_get(root, "axes"), "axes", "the axes make more than 10^8 points%s%s", "", "");
        sw->n_points *= sw->group_n[i];
    }
    uint64_t h = SWEEP_FNV_INIT;
    const char *cmd = command_names[sw->command];
    h = sweep_fnv(h, cmd, strlen(cmd) + 1);
    h = sweep_fnv(h, &sw->engine, sizeof sw->engine);
    h = sweep_fnv(h, &sw->base_hash, sizeof sw->base_hash);
    for (int i = 0; i < sw->n_set; i++) {
        h = sweep_fnv(h, sw->set_path[i], strlen(sw->set_path[i]) + 1);
        h = sweep_fnv(h, sw->set_value[i], strlen(sw->set_value[i]) + 1);
    }
    sw->prefix_hash = h;
    return AIF_OK;
}

aif_rc aif_sweep_parse(const char *text, size_t len, const char *name, aif_sweep **out, aif_err *err)
{
    ydoc *d = NULL;
    ynode *root;
    *out = NULL;
    aif_err_clear(err);
    aif_sweep *sw = calloc(1, sizeof *sw);
    if (!sw)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    aif_strlcpy(sw->file, name, sizeof sw->file);
    aif_rc rc = ydoc_parse(text, len, name, &d, &root, err);
    if (!rc)
        rc = parse_root(sw, root, err);
    ydoc_free(d);
    if (rc) {
        aif_sweep_free(sw);
        return rc;
    }
    *out = sw;
    return AIF_OK;
}

aif_rc aif_sweep_load(const char *path, aif_sweep **out, aif_err *err)
{
    char *text;
    size_t len;
    *out = NULL;
    aif_rc rc = aif_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_sweep_parse(text, len, path, out, err);
    free(text);
    return rc;
}

void aif_sweep_free(aif_sweep *sw)
{
    if (!sw)
        return;
    for (int a = 0; a < sw->n_axes; a++) {
        for (long j = 0; j < sw->axes[a].n; j++)
            free(sw->axes[a].values[j]);
        free(sw->axes[a].values);
    }
    for (int i = 0; i < sw->n_set; i++) {
        free(sw->set_path[i]);
        free(sw->set_value[i]);
    }
    free(sw->base_text);
    free(sw);
}

long aif_sweep_n_points(const aif_sweep *sw) { return sw->n_points; }
int aif_sweep_command_of(const aif_sweep *sw) { return sw->command; }
const char *aif_sweep_table(const aif_sweep *sw) { return command_names[sw->command]; }
int aif_sweep_n_axes(const aif_sweep *sw) { return sw->n_axes; }
const char *aif_sweep_axis_path(const aif_sweep *sw, int axis) { return sw->axes[axis].path; }

const char *aif_sweep_point_value(const aif_sweep *sw, long i, int axis)
{
    int g = sw->axes[axis].group;
    for (int k = sw->n_groups - 1; k > g; k--)
        i /= sw->group_n[k];
    return sw->axes[axis].values[i % sw->group_n[g]];
}

void aif_sweep_point_key(const aif_sweep *sw, long i, char key[17])
{
    uint64_t h = sw->prefix_hash;
    for (int a = 0; a < sw->n_axes; a++) {
        const char *v = aif_sweep_point_value(sw, i, a);
        h = sweep_fnv(h, sw->axes[a].path, strlen(sw->axes[a].path) + 1);
        h = sweep_fnv(h, v, strlen(v) + 1);
    }
    snprintf(key, 17, "%016llx", (unsigned long long)h);
}
