/* api.h -- a flat entry to libaifsim for other languages: scenarios and overrides go
 * in as text, results come out as JSON text, so a binding needs to know no struct but
 * aif_err (aifsim.h).  The Python module (python/aifsim/) binds these with ctypes.
 *
 * Each result is what the command line prints for the same inputs, byte for byte:
 *   aif_train_json    aifsim train [SCENARIO] [--OPTION VALUE | --set PATH=VALUE]...
 *                                  [--catalog FILE]... [--engine sim] --json
 *   aif_infer_json    aifsim infer [SCENARIO] [--OPTION VALUE | --set PATH=VALUE]... --json
 *   aif_cluster_json  aifsim cluster [SCENARIO] [--set PATH=VALUE]... [--trace F --format X] --json
 *   aif_catalog_json  aifsim catalog [KIND [NAME]] [--catalog FILE]... --json
 * Strings returned through char ** are malloc'd: release them with aif_free.  Like the
 * rest of the library these never print or exit, and keep no state between calls. */
#ifndef AIFSIM_API_H
#define AIFSIM_API_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where aif_train_json's scenario comes from. */
typedef enum aif_scenario_from {
    AIF_FROM_DEFAULT,  /* no scenario: the built-in default one, overrides refining it
                          (aif_scenario_load_job's rule), as `aifsim train --tp 8` does */
    AIF_FROM_TEXT,     /* the text of a scenario, YAML (JSON is YAML too) */
    AIF_FROM_FILE      /* a file's path, or the name of a built-in example ("mixtral-8x7b") */
} aif_scenario_from;

/* One option of `aifsim train` that sets one scenario field: {"tp", "train.tp"}. */
typedef struct aif_option { const char *option, *path; } aif_option;

/* The options of `aifsim train` that set one scenario field each (without their leading
 * "--"), ending with {NULL, NULL}; the command line and the Python module's keyword
 * arguments both read this table. */
const aif_option *aif_train_options(void);

/* Runs a training job through the library's pipeline (aif_run_train) and writes its
 * result as JSON into *json.  scenario is read as `from` says (NULL with
 * AIF_FROM_DEFAULT); name names a text scenario in errors (NULL: "<scenario text>").
 * n_overrides dotted field paths get their values (text, as on the command line);
 * origins[i], when origins is not NULL, names where override i came from in errors.
 * catalogs are files of catalog entries added to the built-in ones.  engine is an
 * aif_engine (run.h).  On failure *json is NULL and err says what and where. */
aif_rc aif_train_json(const char *scenario, int from, const char *name, const char *const *paths,
                      const char *const *values, const char *const *origins, int n_overrides,
                      const char *const *catalogs, int n_catalogs, int engine, char **json, aif_err *err);

/* The options of `aifsim infer` that set one scenario field each, as aif_train_options. */
const aif_option *aif_infer_options(void);

/* Runs a serving deployment through the library's pipeline (aif_run_serve) and writes
 * its result as JSON, as aif_train_json does for training.  AIF_FROM_DEFAULT starts from
 * `aifsim infer`'s base, the serve-llama3-70b example; a scenario file or text needs
 * its serve section (or overrides of serve.* fields). */
aif_rc aif_infer_json(const char *scenario, int from, const char *name, const char *const *paths,
                      const char *const *values, const char *const *origins, int n_overrides,
                      const char *const *catalogs, int n_catalogs, char **json, aif_err *err);

/* Runs a many-job cluster (aif_run_cluster) and writes its result as JSON, as
 * `aifsim cluster` does: trace (a file, with format "philly", "helios", "pai", "acme")
 * or format "synthetic" (the scenario's operations.synthetic load), else the
 * scenario's own load; NULL for both.  AIF_FROM_DEFAULT starts from the built-in
 * default scenario. */
aif_rc aif_cluster_json(const char *scenario, int from, const char *name, const char *const *paths,
                        const char *const *values, const char *const *origins, int n_overrides,
                        const char *const *catalogs, int n_catalogs, const char *trace, const char *format,
                        char **json, aif_err *err);

/* The catalog of one kind ("gpus", "systems", "fabrics", "models"; NULL: all four) as
 * JSON, {"KIND": [ENTRY, ...]}; with a name, that entry alone with its sources
 * (aif_report_catalog_json in report.h). */
aif_rc aif_catalog_json(const char *kind, const char *name, const char *const *catalogs, int n_catalogs,
                        char **json, aif_err *err);

/* Releases a string this header returned (NULL is allowed). */
void aif_free(void *p);

/* AIF_VERSION of the library actually loaded, e.g. "0.1.0". */
const char *aif_version(void);

#ifdef __cplusplus
}
#endif
#endif
