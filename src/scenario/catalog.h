/* catalog.h -- private catalog helpers shared by the scenario loader. */
#ifndef AIF_CATALOG_H
#define AIF_CATALOG_H

#include "scenario/bind.h"

extern const schema aif_model_schema;
/* Indices of aif_model_schema's first fields (the bits bind_map sets). */
enum { M_DESCRIPTION, M_LAYERS, M_HIDDEN, M_HEADS, M_KV_HEADS, M_HEAD_DIM, M_FFN, M_VOCAB, M_MAX_SEQ, M_ACTIVATION };

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
/* Fills v for kind ("gpus", "systems", "fabrics", "models", "storage", "calibration"): 0, or -1
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

/* The built-in catalogs as C data (builtin.c).  tools/catalog_gen.c parses the data/ YAML files
 * with aif_catalog_parse_builtin at build time and writes one aif_catalog_image of
 * initialised structs; aif_catalog_load_builtin copies it into a new catalog without
 * parsing.  Entries are in catalog order, as the parser leaves them; the facility's
 * arrays point into static storage of the image. */
typedef struct aif_catalog_cite { const char *kind, *entry, *field, *text; } aif_catalog_cite;
typedef struct aif_catalog_image {
    const aif_calib *calibs;    int n_calibs;
    const aif_gpu *gpus;        int n_gpus;
    const aif_system *systems;  int n_systems;
    const aif_fabric *fabrics;  int n_fabrics;
    const aif_model *models;    int n_models;
    const aif_framework *frameworks; int n_frameworks;
    const aif_storage_tier *storage; int n_storage;
    const aif_catalog_cite *sources; int n_sources;   /* in the order they were read */
    aif_nccl nccl;
    aif_fabric_defaults fabric_defaults;
    aif_facility_data facility;  /* data/facility.yaml and validation/power.yaml */
} aif_catalog_image;
extern const aif_catalog_image aif_builtin_catalog;   /* generated: build/builtin_catalog.c */
/* Parses the built-in YAML text (the data/ YAML files, validation/power.yaml, embedded by
 * tools/embed.c) with every check: what the build compiles into aif_builtin_catalog,
 * and what the tests compare it with. */
aif_rc aif_catalog_parse_builtin(aif_catalog **out, aif_err *err);
/* A new catalog holding a copy of img (its own memory: user files may add to it). */
aif_rc aif_catalog_from_image(const aif_catalog_image *img, aif_catalog **out, aif_err *err);
/* Citations one by one, in the order they were read (i < aif_catalog_n_sources). */
int aif_catalog_n_sources(const aif_catalog *c);
aif_catalog_cite aif_catalog_source_at(const aif_catalog *c, int i);
/* Calibration families (aif_catalog_view's "calibration" as typed entries). */
int aif_catalog_n_calibs(const aif_catalog *c);
const aif_calib *aif_catalog_calib(const aif_catalog *c, int i);
/* Puts g's own GEMM efficiencies (catalog `matmul_eff`, `matmul_eff_fp8` on a gpu entry), where
 * it has them, over the family's in g->calib: after g takes its family, and after a family's
 * constant is refitted (aif_validate_holdout). */
void aif_gpu_own_gemm(aif_gpu *g);
/* What a software stack multiplies one calibration field by on the given family
 * (framework_apply in scenario.c, field by field; the holdout refit in validate.c puts a
 * refitted value through it): matmul_eff, matmul_eff_fp8, kernel_overhead and the
 * attention efficiencies; 1 for every other field, and for every field of a roofline
 * family or of a stack without a name. */
double aif_framework_calib_factor(const aif_framework *f, const aif_calib *c, const char *name);
/* A stack's rotary-embedding traffic factor: its rope_traffic, absent (0) its norm_traffic, absent
 * too 1 (fused kernels). */
double aif_framework_rope_traffic(const aif_framework *f);
/* How the job's expert all-to-all moves tokens, train.ep_dispatch with auto resolved as the
 * lowering resolves it (lower_train.c, ep_deepep: deepep for a model with group-limited
 * routing, model.moe.max_nodes, else alltoall): "alltoall", "deepep", "deepep-fp8" or "hybridep". */
const char *aif_ep_dispatch_resolved(const aif_scenario *s);

#endif
