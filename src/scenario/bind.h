/* bind.h -- fills C structs from YAML trees by a table of field descriptors,
 * so that every field of every file is checked the same way: unknown keys (with
 * a did-you-mean), wrong types, units, ranges and enum names, each reported at
 * the value's file:line:col with its field path. */
#ifndef AIF_BIND_H
#define AIF_BIND_H

#include "aifsim/facility_data.h"
#include "aifsim/names.h"
#include "scenario/yaml.h"

#include <stdint.h>

typedef enum ftype {
    F_INT,      /* int, plain or with K/M/B suffix */
    F_NUM,      /* double, plain number */
    F_BOOL,     /* bool: true/false, yes/no, on/off, 1/0 */
    F_STR,      /* char[size] */
    F_ENUM,     /* int index into names */
    F_QTY,      /* double in SI units, parsed with aif_parse_qty */
    F_SUB,      /* nested mapping with its own schema */
    F_PRECMAP,  /* double[AIF_N_PREC] keyed by precision name, TFLOP/s -> FLOP/s */
    F_NAMES,    /* char[size]: a list of names ([a, b]), kept space-separated ("a b") */
    F_FLAGS     /* unsigned: bit i for each name names[i] of a list ([a, b]) or of one value "a,b"
                   (as --set writes it); at least one name */
} ftype;

typedef struct schema schema;
typedef struct field {
    const char *key;
    ftype type;
    size_t off;
    size_t size;                /* F_STR: buffer size */
    int qty;                    /* F_QTY: aif_qty */
    const char *const *names;   /* F_ENUM, F_FLAGS: a name table of names.h (NULL-terminated, index = value) */
    const char *auto_name;      /* F_ENUM: one more accepted name, bound as -1 (e.g. "auto"); may be NULL */
    unsigned accept;            /* F_ENUM: bit v set for each value v this field takes (0: every value) */
    const char *const *near;    /* F_ENUM: pairs {typed, meant, ..., NULL} for did-you-mean ("fp16", "bf16") */
    const schema *sub;          /* F_SUB */
    double min, max;            /* F_INT, F_NUM, F_QTY: accepted range (max 0: none) */
} field;

struct schema {
    const field *f;
    int n;
    const char *const *skip;    /* keys the caller handles itself (NULL-terminated) */
};

#define FLD(st, k, t, member) {.key = k, .type = t, .off = offsetof(st, member), .size = sizeof(((st *)0)->member)}

/* What one binding needs besides the tree: where errors go, what names resolve
 * against and which sections of a scenario to bind.  Passed down explicitly and
 * never kept between calls, so two loads in one thread, or a load nested inside
 * another (a model file named by a scenario), share nothing. */
/* The model files being read, innermost first: a file met again is a cycle. */
typedef struct bind_chain {
    const char *file;              /* as named (for messages) */
    const char *real;              /* its canonical path (realpath), or the name when that fails */
    const struct bind_chain *up;   /* the file that named this one, NULL at the top */
    int depth;                     /* 1 for the first model file */
} bind_chain;

typedef struct bind_ctx {
    aif_err *err;                  /* the error record every failure fills */
    const aif_catalog *cat;        /* catalogs names resolve against; NULL while a catalog file is read */
    const aif_facility_data *fd;   /* data/facility.yaml: the site's defaults; NULL outside scenarios */
    unsigned sections;             /* aif_section bits of a scenario to bind; 0 outside scenarios */
    const bind_chain *chain;       /* model files open around this binding (NULL: none) */
} bind_ctx;

/* Binds map onto obj.  *set gets bit i for field i that was present (may be NULL). */
aif_rc bind_map(const bind_ctx *bc, const ynode *map, const schema *sc, void *obj, const char *path, uint64_t *set);
/* Binds one value to one field (used for single values). */
aif_rc bind_value(const bind_ctx *bc, const ynode *v, const field *f, void *obj, const char *path);
/* Reports an error at node n (file:line:col, or the option it came from) into bc->err. */
aif_rc bind_error(const bind_ctx *bc, const ynode *n, const char *path, const char *fmt, ...) AIF_PRINTF(4, 5);
/* Joins path and key into buf. */
const char *bind_path(char *buf, size_t n, const char *path, const char *key);

#endif
