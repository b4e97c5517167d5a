/* catalog.h -- private catalog helpers shared by the scenario loader. */
#ifndef AIF_CATALOG_H
#define AIF_CATALOG_H

#include "scenario/bind.h"

extern const schema aif_model_schema;
/* Indices of aif_model_schema's first fields (the bits bind_map sets). */
enum { M_DESCRIPTION, M_LAYERS, M_HIDDEN, M_HEADS, M_KV_HEADS, M_HEAD_DIM };
extern const char *const aif_fabric_kind_names[], *const aif_transport_names[];
extern const char *const aif_act_names[], *const aif_attn_names[], *const aif_norm_names[], *const aif_pos_names[];

/* What a cluster gets where the catalog leaves a network figure out (data/fabrics.yaml,
 * section fabric_defaults). */
typedef struct aif_fabric_defaults {
    int switch_radix;              /* a fabric without switch_radix: the topology's first radix */
    double scaleup_efficiency;     /* an accelerator whose scale-up fabric has no entry */
    double scaleup_latency_s;
} aif_fabric_defaults;
const aif_fabric_defaults *aif_catalog_fabric_defaults(const aif_catalog *c);

/* Fills defaults (kv_heads, head_dim) and checks a model's consistency. */
aif_rc aif_model_check(aif_model *m, const ynode *at, const char *path, aif_err *err);
/* Names of one kind ("gpus", "systems", "fabrics", "models", "calibration"), for did-you-mean. */
int aif_catalog_names(const aif_catalog *c, const char *kind, const char **out, int max);
/* The built-in file of that repository path (e.g. "data/gpus.yaml"), or NULL. */
const char *aif_embedded_file(const char *path, size_t *len);
/* Reads a whole text file (at most 64 MiB) into a malloc'd NUL-terminated buffer. */
aif_rc aif_read_file(const char *path, char **text, size_t *len, aif_err *err);

#endif
