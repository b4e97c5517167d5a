/* bind.h -- fills C structs from YAML trees by a table of field descriptors,
 * so that every field of every file is checked the same way: unknown keys (with
 * a did-you-mean), wrong types, units, ranges and enum names, each reported at
 * the value's file:line:col with its field path. */
#ifndef AIF_BIND_H
#define AIF_BIND_H

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
    F_PRECMAP   /* double[AIF_N_PREC] keyed by precision name, TFLOP/s -> FLOP/s */
} ftype;

typedef struct schema schema;
typedef struct field {
    const char *key;
    ftype type;
    size_t off;
    size_t size;                /* F_STR: buffer size */
    int qty;                    /* F_QTY: aif_qty */
    const char *const *names;   /* F_ENUM: NULL-terminated */
    const schema *sub;          /* F_SUB */
    double min, max;            /* F_INT, F_NUM, F_QTY: accepted range (max 0: none) */
} field;

struct schema {
    const field *f;
    int n;
    const char *const *skip;    /* keys the caller handles itself (NULL-terminated) */
};

#define FLD(st, k, t, member) {.key = k, .type = t, .off = offsetof(st, member), .size = sizeof(((st *)0)->member)}

extern const char *const aif_prec_names[];   /* fp32 tf32 bf16 fp8 fp4 */

/* Binds map onto obj.  *set gets bit i for field i that was present (may be NULL). */
aif_rc bind_map(const ynode *map, const schema *sc, void *obj, const char *path, uint64_t *set, aif_err *err);
/* Binds one scalar value to one field (used for single values). */
aif_rc bind_value(const ynode *v, const field *f, void *obj, const char *path, aif_err *err);
/* Reports an error at node n (file:line:col, or the option it came from). */
aif_rc bind_error(const ynode *n, const char *path, const char *fmt, ...) AIF_PRINTF(3, 4);
/* Thread-local error sink for bind_error; set by bind_map's callers via bind_set_err. */
void bind_set_err(aif_err *err);
/* Joins path and key into buf. */
const char *bind_path(char *buf, size_t n, const char *path, const char *key);

#endif
