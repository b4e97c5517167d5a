/* catalog.h -- private catalog helpers shared by the scenario loader. */
#ifndef AIF_CATALOG_H
#define AIF_CATALOG_H

#include "scenario/bind.h"

extern const schema aif_model_schema;
/* Indices of aif_model_schema's first fields (the bits bind_map sets). */
enum { M_DESCRIPTION, M_LAYERS, M_HIDDEN, M_HEADS, M_KV_HEADS, M_HEAD_DIM };

/* What a cluster gets where the catalog leaves a network figure out (data/fabrics.yaml,
 * section fabric_defaults). */
typedef struct aif_fabric_defaults {
    int switch_radix;              /* a fabric without switch_radix: the topology's first radix */
    double scaleup_efficiency;     /* an accelerator whose scale-up fabric has no entry */
    double scaleup_latency_s;
} aif_fabric_defaults;
const aif_fabric_defaults *aif_catalog_fabric_defaults(const aif_catalog *c);

/* Fills defaults (kv_heads, head_dim) and checks a model's consistency. */
aif_rc aif_model_check(const bind_ctx *bc, aif_model *m, const ynode *at, const char *path);
/* The entries of one kind as the writers see them (report/catalog.c): the binder's
 * field descriptors of an entry and the entries themselves, n of item_size bytes each
 * (aif_gpu, aif_system, aif_fabric, aif_model or aif_calib), the name at name_off. */
typedef struct catalog_view {
    const schema *sc;
    const char *items;
    int n;
    size_t item_size, name_off;
} catalog_view;
/* Fills v for kind ("gpus", "systems", "fabrics", "models", "calibration"): 0, or -1
 * for an unknown kind. */
int aif_catalog_view(const aif_catalog *c, const char *kind, catalog_view *v);
/* Where the published params (active: active_params) of model i_model (as
 * aif_catalog_model) were written: 1 and its file, line and column, or 0 when the
 * entry gives none. */
int aif_catalog_param_claim(const aif_catalog *c, int i_model, int active, const char **file, int *line, int *col);
/* The entry's own name for name as people type it (any case, with or without
 * punctuation, or an alias), or NULL when kind has no such entry. */
const char *aif_catalog_entry_name(const aif_catalog *c, aif_catalog_kind kind, const char *name);
/* The built-in file of that repository path (e.g. "data/gpus.yaml"), or NULL. */
const char *aif_embedded_file(const char *path, size_t *len);

#endif
