/* yaml.h -- a YAML document as a small tree whose every node remembers where
 * it came from (file or option, line, column), so that the binder can report
 * errors as file:line:col.  Built with libyaml's event parser.  Anchors and
 * aliases, tags and duplicate keys are rejected: a scenario means what it says.
 * All nodes and strings of one document live in one arena freed by ydoc_free. */
#ifndef AIF_YAML_H
#define AIF_YAML_H

#include "base/base.h"

/* The most one document may hold: 16 MiB of text, a million values (keys' values,
 * list items, mappings).  The largest built-in catalog is under 100 KB; a scenario
 * is a page.  Past either limit ydoc_parse fails naming it, never runs long. */
#define AIF_YAML_MAX_BYTES (16 << 20)
#define AIF_YAML_MAX_NODES 1000000

typedef enum ykind { Y_SCALAR, Y_MAP, Y_SEQ } ykind;

typedef struct ynode ynode;
struct ynode {
    ykind kind;
    int line, col;          /* 1-based position of the value; 0 for command-line values */
    const char *origin;     /* file name or "--option" the value came from */
    const char *key;        /* key in the parent map, NULL for sequence items and the root */
    int key_line, key_col;
    const char *s;          /* scalar text */
    int quoted;             /* scalar was quoted: never a number */
    ynode **kids;           /* map values (each with its key) or sequence items */
    int n, cap;
};

typedef struct ydoc ydoc;

/* Parses text; name is used as the origin of every node.  Empty text gives an empty map. */
aif_rc ydoc_parse(const char *text, size_t len, const char *name, ydoc **out, ynode **root, aif_err *err);
void ydoc_free(ydoc *d);

/* The value under key in a map, or NULL. */
ynode *ynode_get(const ynode *map, const char *key);
/* Sets dotted path (a.b.c) to value, creating maps on the way.  A value that opens
 * with '[' or '{' is a YAML flow list or mapping, parsed into the tree (every node of
 * it takes origin, so errors name the option); any other is one scalar; an empty
 * value is an error.  The model's
 * catalog name met on the way is turned into a map holding it under `base`
 * ("model: llama3-8b" -> "model: {base: llama3-8b}"), so options can refine it;
 * any other scalar on the way is an error. */
aif_rc ynode_set_path(ydoc *d, ynode *root, const char *path, const char *value, const char *origin,
                      aif_err *err);
/* A file named inside the file `origin` is relative to origin's folder; a name from
 * the command line ("--x") or a built-in ("<...>") is taken as given.  0, or -1
 * when it does not fit in out. */
int aif_resolve_path(const char *origin, const char *name, char *out, size_t n);
/* Grafts `sub` (a node of another document that outlives d's use) under key of map. */
aif_rc ynode_put(ydoc *d, ynode *map, const char *key, ynode *sub, aif_err *err);

#endif
