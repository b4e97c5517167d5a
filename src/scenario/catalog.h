/* catalog.h -- private catalog helpers shared by the scenario loader. */
#ifndef AIF_CATALOG_H
#define AIF_CATALOG_H

#include "scenario/bind.h"

extern const schema aif_model_schema;
/* Indices of aif_model_schema's first fields (the bits bind_map sets). */
enum { M_DESCRIPTION, M_LAYERS, M_HIDDEN, M_HEADS, M_KV_HEADS, M_HEAD_DIM };

/* Fills defaults (kv_heads, head_dim) and checks a model's consistency. */
aif_rc aif_model_check(const bind_ctx *bc, aif_model *m, const ynode *at, const char *path);
/* The built-in file of that repository path (e.g. "data/gpus.yaml"), or NULL. */
const char *aif_embedded_file(const char *path, size_t *len);

#endif
