/* yaml.c -- libyaml events into a located tree (see yaml.h).
 * Invariants: parsing is linear in the input: a mapping's duplicate-key check uses
 * a hash set of its keys (open addressing, at most half full) built while it is
 * read; a document holds at most AIF_YAML_MAX_BYTES of text and AIF_YAML_MAX_NODES
 * nodes, and past either the parse stops with an error naming the limit. */
#include "scenario/yaml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct chunk { struct chunk *next; size_t used, size; char data[]; } chunk;
struct ydoc { chunk *chunks; const char *name; long n_nodes; };

static void *arena_alloc(ydoc *d, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!d->chunks || d->chunks->used + n > d->chunks->size) {
        size_t size = n > 65536 ? n : 65536;
        chunk *c = malloc(sizeof *c + size);
        if (!c)
            return NULL;
        c->next = d->chunks;
        c->used = 0;
        c->size = size;
        d->chunks = c;
    }
    void *p = d->chunks->data + d->chunks->used;
    d->chunks->used += n;
    memset(p, 0, n);
    return p;
}

static char *arena_strdup(ydoc *d, const char *s, size_t len)
{
    char *p = arena_alloc(d, len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void ydoc_free(ydoc *d)
{
    if (!d)
        return;
    chunk *c = d->chunks;
    while (c) {
        chunk *n = c->next;
        free(c);
        c = n;
    }
    free(d);
}

static ynode *new_node(ydoc *d, ykind kind, int line, int col, const char *origin)
{
    d->n_nodes++;
    ynode *n = arena_alloc(d, sizeof *n);
    if (n) {
        n->kind = kind;
        n->line = line;
        n->col = col;
        n->origin = origin;
    }
    return n;
}

static int add_kid(ydoc *d, ynode *parent, ynode *kid)
{
    if (parent->n == parent->cap) {
        int cap = parent->cap ? parent->cap * 2 : 8;
        ynode **k = arena_alloc(d, sizeof *k * (size_t)cap);
        if (!k)
            return -1;
        if (parent->n)
            memcpy(k, parent->kids, sizeof *k * (size_t)parent->n);
        parent->kids = k;
        parent->cap = cap;
    }
    parent->kids[parent->n++] = kid;
    return 0;
}

ynode *ynode_get(const ynode *map, const char *key)
{
    if (!map || map->kind != Y_MAP)
        return NULL;
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->kids[i]->key, key) == 0)
            return map->kids[i];
    return NULL;
}

/* The keys of one mapping being read: indices into its kids, hashed by key text.
 * Open addressing with linear probing; grown to keep it at most half full. */
typedef struct keyset { int *slot; size_t cap; } keyset;

static uint64_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* 1 when map already holds key, 0 when added, -1 out of memory; map->n is the index
 * the key will take. */
static int keyset_add(keyset *ks, const ynode *map, const char *key)
{
    if ((size_t)(map->n + 1) * 2 > ks->cap) {
        size_t cap = ks->cap ? ks->cap * 2 : 16;
        int *slot = malloc(cap * sizeof *slot);
        if (!slot)
            return -1;
        for (size_t i = 0; i < cap; i++)
            slot[i] = -1;
        for (int i = 0; i < map->n; i++) {
            size_t j = key_hash(map->kids[i]->key) & (cap - 1);
            while (slot[j] >= 0)
                j = (j + 1) & (cap - 1);
            slot[j] = i;
        }
        free(ks->slot);
        ks->slot = slot;
        ks->cap = cap;
    }
    size_t j = key_hash(key) & (ks->cap - 1);
    for (; ks->slot[j] >= 0; j = (j + 1) & (ks->cap - 1))
        if (strcmp(map->kids[ks->slot[j]]->key, key) == 0)
            return 1;
    ks->slot[j] = map->n;
    return 0;
}

typedef struct pstate {
    yaml_parser_t parser;
    ydoc *d;
    aif_err *err;
    int depth;
} pstate;

static aif_rc next_event(pstate *ps, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&ps->parser, ev)) {
        const yaml_mark_t *m = ps->parser.problem ? &ps->parser.problem_mark : &ps->parser.context_mark;
        return aif_err_set(ps->err, AIF_EINPUT, ps->d->name, (int)m->line + 1, (int)m->column + 1, "",
                           "YAML syntax error: %s%s%s", ps->parser.problem ? ps->parser.problem : "invalid YAML",
                           ps->parser.context ? " " : "", ps->parser.context ? ps->parser.context : "");
    }
    return AIF_OK;
}

static aif_rc parse_node(pstate *ps, yaml_event_t *ev, ynode **out);

static aif_rc parse_children_keyed(pstate *ps, ynode *n, int is_map, keyset *ks);

static aif_rc parse_children(pstate *ps, ynode *n, int is_map)
{
    keyset ks = {0};
    aif_rc rc = parse_children_keyed(ps, n, is_map, &ks);
    free(ks.slot);
    return rc;
}

static aif_rc parse_children_keyed(pstate *ps, ynode *n, int is_map, keyset *ks)
{
    for (;;) {
        yaml_event_t ev;
        aif_rc rc = next_event(ps, &ev);
        if (rc)
            return rc;
        if (ev.type == YAML_MAPPING_END_EVENT || ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return AIF_OK;
        }
        if (ps->d->n_nodes >= AIF_YAML_MAX_NODES) {
            rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, (int)ev.start_mark.line + 1,
                             (int)ev.start_mark.column + 1, "", "more than %d values in one document (the limit "
                             "of a scenario or catalog file)", AIF_YAML_MAX_NODES);
            yaml_event_delete(&ev);
            return rc;
        }
        const char *key = NULL;
        int kl = 0, kc = 0;
        if (is_map) {
            if (ev.type != YAML_SCALAR_EVENT) {
                rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, (int)ev.start_mark.line + 1,
                                 (int)ev.start_mark.column + 1, "", "a key must be a plain name, not a %s",
                                 ev.type == YAML_MAPPING_START_EVENT ? "mapping" : "list");
                yaml_event_delete(&ev);
                return rc;
            }
            kl = (int)ev.start_mark.line + 1;
            kc = (int)ev.start_mark.column + 1;
            key = arena_strdup(ps->d, (const char *)ev.data.scalar.value, ev.data.scalar.length);
            yaml_event_delete(&ev);
            if (!key)
                return aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            int dup = keyset_add(ks, n, key);
            if (dup < 0)
                return aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            if (dup) {
                return aif_err_set(ps->err, AIF_EINPUT, ps->d->name, kl, kc, key,
                                   "duplicate key (each key may appear once in a mapping)");
            }
            rc = next_event(ps, &ev);
            if (rc)
                return rc;
        }
        ynode *kid = NULL;
        rc = parse_node(ps, &ev, &kid);
        if (rc)
            return rc;
        kid->key = key;
        kid->key_line = kl;
        kid->key_col = kc;
        if (add_kid(ps->d, n, kid) != 0)
            return aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
}

/* Consumes ev (deletes it) and the events of the node's children. */
static aif_rc parse_node(pstate *ps, yaml_event_t *ev, ynode **out)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    aif_rc rc = AIF_OK;
    ynode *n = NULL;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor || ev->data.scalar.tag) {
            rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, line, col, "",
                             "anchors (&name) and tags (!tag) are not supported; write the value out");
            break;
        }
        n = new_node(ps->d, Y_SCALAR, line, col, ps->d->name);
        if (!n || !(n->s = arena_strdup(ps->d, (const char *)ev->data.scalar.value, ev->data.scalar.length)))
            rc = aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        else
            n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                        ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT: {
        int is_map = ev->type == YAML_MAPPING_START_EVENT;
        if ((is_map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor) != NULL) {
            rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, line, col, "",
                             "anchors (&name) are not supported; write the value out");
            break;
        }
        if (++ps->depth > 64) {
            rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, line, col, "", "nesting deeper than 64 levels");
            break;
        }
        n = new_node(ps->d, is_map ? Y_MAP : Y_SEQ, line, col, ps->d->name);
        yaml_event_delete(ev);
        if (!n)
            return aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        rc = parse_children(ps, n, is_map);
        ps->depth--;
        *out = n;
        return rc;
    }
    case YAML_ALIAS_EVENT:
        rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, line, col, "",
                         "aliases (*name) are not supported; write the value out");
        break;
    default:
        rc = aif_err_set(ps->err, AIF_EINPUT, ps->d->name, line, col, "", "unexpected YAML structure");
        break;
    }
    yaml_event_delete(ev);
    *out = n;
    return rc;
}

/* Parses one document of text into d: its top node in *top (NULL for an empty text). */
static aif_rc parse_into(ydoc *d, const char *text, size_t len, const char *name, ynode **top, aif_err *err)
{
    *top = NULL;
    pstate ps = {.d = d, .err = err};
    if (!yaml_parser_initialize(&ps.parser))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    yaml_parser_set_input_string(&ps.parser, (const unsigned char *)text, len);
    aif_rc rc = AIF_OK;
    int docs = 0;
    for (;;) {
        yaml_event_t ev;
        if ((rc = next_event(&ps, &ev)))
            break;
        yaml_event_type_t t = ev.type;
        if (t == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        if (t == YAML_STREAM_START_EVENT || t == YAML_DOCUMENT_END_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (t == YAML_DOCUMENT_START_EVENT) {
            int line = (int)ev.start_mark.line + 1;
            yaml_event_delete(&ev);
            if (++docs > 1) {
                rc = aif_err_set(err, AIF_EINPUT, name, line, 1, "", "more than one YAML document ('---') in one file");
                break;
            }
            continue;
        }
        if ((rc = parse_node(&ps, &ev, top)))
            break;
    }
    yaml_parser_delete(&ps.parser);
    return rc;
}

aif_rc ydoc_parse(const char *text, size_t len, const char *name, ydoc **out, ynode **root, aif_err *err)
{
    *out = NULL;
    *root = NULL;
    if (len > AIF_YAML_MAX_BYTES)
        return aif_err_set(err, AIF_EINPUT, name, 0, 0, "", "%zu bytes is over the limit of %d bytes (%d MiB) for "
                           "one scenario or catalog file", len, AIF_YAML_MAX_BYTES, AIF_YAML_MAX_BYTES >> 20);
    ydoc *d = calloc(1, sizeof *d);
    if (!d)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    d->name = arena_strdup(d, name, strlen(name));
    if (!d->name) {
        ydoc_free(d);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    }
    ynode *top = NULL;
    aif_rc rc = parse_into(d, text, len, name, &top, err);
    if (rc == AIF_OK && !top)
        top = new_node(d, Y_MAP, 1, 1, d->name);
    if (rc == AIF_OK && !top)
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    if (rc == AIF_OK && top->kind != Y_MAP)
        rc = aif_err_set(err, AIF_EINPUT, name, top->line, top->col, "",
                         "the file must be a mapping of keys to values (key: value)");
    if (rc) {
        ydoc_free(d);
        return rc;
    }
    *out = d;
    *root = top;
    return AIF_OK;
}

/* Every node under n takes origin and no position: an error inside a value given
 * on the command line names the option, not a line of it. */
static void set_origin(ynode *n, const char *origin)
{
    n->origin = origin;
    n->line = n->col = n->key_line = n->key_col = 0;
    for (int i = 0; i < n->n; i++)
        set_origin(n->kids[i], origin);
}

/* A value from the command line: a YAML flow list or mapping ("[...]", "{...}") is
 * parsed into d's nodes; any other text is one scalar, as written. */
static aif_rc parse_value(ydoc *d, const char *value, const char *origin, ynode **out, aif_err *err)
{
    *out = NULL;
    size_t skip = strspn(value, " \t");
    if (value[skip] != '[' && value[skip] != '{') {
        ynode *n = new_node(d, Y_SCALAR, 0, 0, origin);
        if (!n || !(n->s = arena_strdup(d, value, strlen(value))))
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        *out = n;
        return AIF_OK;
    }
    size_t len = strlen(value);
    if (len > AIF_YAML_MAX_BYTES)
        return aif_err_set(err, AIF_EINPUT, origin, 0, 0, "", "value over the limit of %d bytes", AIF_YAML_MAX_BYTES);
    ynode *top = NULL;
    aif_rc rc = parse_into(d, value, len, origin, &top, err);
    if (rc) {
        /* the error names the option, not a line of the value */
        char msg[sizeof err->msg];
        aif_strlcpy(msg, err->msg, sizeof msg);
        return aif_err_set(err, AIF_EINPUT, origin, 0, 0, "", "%s (write a YAML flow value, e.g. "
                           "[{start: 10d, duration: 4h, action: pause}] or {cooling: liquid})", msg);
    }
    if (!top)
        return aif_err_set(err, AIF_EINPUT, origin, 0, 0, "", "empty value");
    set_origin(top, origin);
    *out = top;
    return AIF_OK;
}

int aif_resolve_path(const char *origin, const char *name, char *out, size_t n)
{
    const char *slash = origin ? strrchr(origin, '/') : NULL;
    int from_file = origin && origin[0] != '<' && origin[0] != '-' && slash;
    int k = name[0] == '/' || !from_file ? snprintf(out, n, "%s", name)
                                         : snprintf(out, n, "%.*s/%s", (int)(slash - origin), origin, name);
    return k < 0 || (size_t)k >= n ? -1 : 0;
}

aif_rc ynode_put(ydoc *d, ynode *map, const char *key, ynode *sub, aif_err *err)
{
    for (int i = 0; i < map->n; i++)
        if (strcmp(map->kids[i]->key, key) == 0) {
            sub->key = map->kids[i]->key;
            map->kids[i] = sub;
            return AIF_OK;
        }
    sub->key = arena_strdup(d, key, strlen(key));
    if (!sub->key || add_kid(d, map, sub) != 0)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    return AIF_OK;
}

aif_rc ynode_set_path(ydoc *d, ynode *root, const char *path, const char *value, const char *origin,
                      aif_err *err)
{
    const char *org = arena_strdup(d, origin, strlen(origin));
    if (!value[strspn(value, " \t")])
        return aif_err_set(err, AIF_EINPUT, origin, 0, 0, path, "empty value; give one (e.g. %s=VALUE), or leave "
                           "the option out to keep the default", path);
    ynode *cur = root;
    const char *p = path;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char key[64];
        if (len == 0 || len >= sizeof key)
            return aif_err_set(err, AIF_EINPUT, origin, 0, 0, path, "malformed field path");
        memcpy(key, p, len);
        key[len] = '\0';
        ynode *kid = ynode_get(cur, key);
        if (!dot) {
            ynode *n;
            aif_rc rc = org ? parse_value(d, value, org, &n, err)
                            : aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            if (rc) {
                if (!err->path[0])
                    aif_strlcpy(err->path, path, sizeof err->path);
                return rc;
            }
            return ynode_put(d, cur, key, n, err);
        }
        if (kid && kid->kind == Y_SCALAR && strcmp(key, "model")) {
            return aif_err_set(err, AIF_EINPUT, origin, 0, 0, path, "%s is a single value, not a mapping; "
                               "set it as a whole (e.g. %s=VALUE)", key, key);
        } else if (kid && kid->kind == Y_SCALAR) {
            /* "model: llama3-8b" refined by "--layers 8" becomes {base: llama3-8b, layers: 8} */
            ynode *m = new_node(d, Y_MAP, kid->line, kid->col, kid->origin);
            if (!m)
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            ynode *base = new_node(d, Y_SCALAR, kid->line, kid->col, kid->origin);
            if (!base)
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            base->s = kid->s;
            base->quoted = kid->quoted;
            aif_rc rc = ynode_put(d, m, "base", base, err);
            if (!rc)
                rc = ynode_put(d, cur, key, m, err);
            if (rc)
                return rc;
            kid = m;
        } else if (kid && kid->kind == Y_SEQ) {
            return aif_err_set(err, AIF_EINPUT, origin, 0, 0, path, "cannot set a field inside a list");
        } else if (!kid) {
            ynode *m = new_node(d, Y_MAP, 0, 0, org);
            if (!m)
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            aif_rc rc = ynode_put(d, cur, key, m, err);
            if (rc)
                return rc;
            kid = m;
        }
        cur = kid;
        p = dot + 1;
    }
}
