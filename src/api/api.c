/* api.c -- the flat, string-level entry of include/aifsim/api.h: the top of the
 * library, above report/.  It loads catalogs and a scenario, runs the pipeline
 * (aif_run_train) and hands back what the report writers produce, so its results are
 * the command line's --json byte for byte.  Every call owns what it allocates and
 * frees it before returning, except the JSON text it hands out. */
#include "aifsim/api.h"
#include "aifsim/report.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "aifsim/cluster.h"
#include "aifsim/names.h"
#include "ops/jobs.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

/* The options of `aifsim train` that set one field each, in the order its --help lists them. */
static const aif_option train_options[] = {
    {"model", "model"}, {"arch", "model.arch"}, {"layers", "model.layers"}, {"hidden", "model.hidden"}, {"heads", "model.heads"},
    {"kv-heads", "model.kv_heads"}, {"ffn", "model.ffn"}, {"vocab", "model.vocab"},
    {"system", "cluster.system"}, {"gpu", "cluster.gpu"}, {"gpus", "cluster.gpus"},
    {"gpus-per-node", "cluster.gpus_per_node"}, {"nics-per-node", "cluster.nics_per_node"},
    {"nic-bw", "cluster.nic_bw"}, {"fabric", "cluster.fabric"},
    {"tp", "train.tp"}, {"pp", "train.pp"}, {"vpp", "train.vpp"}, {"cp", "train.cp"}, {"ep", "train.ep"},
    {"etp", "train.etp"}, {"dp", "train.dp"}, {"mbs", "train.mbs"}, {"layout", "train.layout"}, {"gbs", "train.gbs"}, {"seq", "train.seq"},
    {"precision", "train.precision"}, {"recompute", "train.recompute"}, {"optimizer", "train.optimizer"},
    {"framework", "train.framework"}, {"lora-rank", "train.lora.rank"}, {"lora-targets", "train.lora.targets"},
    {"tokens", "train.tokens"}, {"topology", "cluster.network.topology"},
    {"oversubscription", "cluster.network.oversubscription"}, {"planes", "cluster.network.planes"},
    {"routing", "cluster.network.routing"}, {"failed-links", "cluster.network.failed_links"},
    {NULL, NULL},
};

const aif_option *aif_train_options(void) { return train_options; }

/* The options of `aifsim infer` that set one field each, in the order its --help lists them. */
static const aif_option infer_options[] = {
    {"model", "model"}, {"gpu", "cluster.gpu"}, {"system", "cluster.system"}, {"gpus", "cluster.gpus"},
    {"tp", "serve.tp"}, {"pp", "serve.pp"}, {"ep", "serve.ep"}, {"precision", "serve.precision"},
    {"replicas", "serve.replicas"}, {"mode", "serve.mode"}, {"qps", "serve.qps"}, {"concurrency", "serve.concurrency"},
    {"requests", "serve.requests"}, {"input-tokens", "serve.input_tokens"}, {"output-tokens", "serve.output_tokens"}, {"trace", "serve.trace"},
    {"seed", "serve.seed"},
    {NULL, NULL},
};

const aif_option *aif_infer_options(void) { return infer_options; }

const char *aif_version(void) { return AIF_VERSION; }

void aif_free(void *p) { free(p); }

static aif_rc load_catalog(aif_catalog **c, const char *const *files, int n_files, aif_err *err)
{
    aif_rc rc = aif_catalog_load_builtin(c, err);
    for (int i = 0; i < n_files && !rc; i++)
        rc = files[i] ? aif_catalog_add_file(*c, files[i], err)
                      : aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "catalog file %d is NULL", i);
    if (!rc && n_files > 0)
        rc = aif_catalog_check_params(*c, err);
    return rc;
}

/* The scenario as `aifsim train` picks it: a file or example, a text, or the default
 * with the overrides on it (aif_scenario_load_job). */
static aif_rc load_scenario(const aif_catalog *c, const char *scenario, int from, const char *name,
                            const aif_override *ov, int n_ov, aif_scenario *s, aif_err *err)
{
    switch (from) {
    case AIF_FROM_DEFAULT:
        return aif_scenario_load_job(c, NULL, ov, n_ov, s, err);
    case AIF_FROM_TEXT:
        if (!scenario)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "no scenario text");
        return aif_scenario_parse(c, scenario, strlen(scenario), name ? name : "<scenario text>", ov, n_ov, s, err);
    case AIF_FROM_FILE:
        if (!scenario || !scenario[0])
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "no scenario file");
        return aif_scenario_load(c, scenario, ov, n_ov, s, err);
    }
    return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "scenario source %d (accepted: %d default, %d text, %d file)",
                       from, AIF_FROM_DEFAULT, AIF_FROM_TEXT, AIF_FROM_FILE);
}

/* Checks the override arrays and copies them into ov (n entries, on the heap). */
static aif_rc take_overrides(const char *const *paths, const char *const *values, const char *const *origins, int n,
                             const char *const *catalogs, int n_catalogs, aif_override **ov, aif_err *err)
{
    *ov = NULL;
    if (n < 0 || n_catalogs < 0 || (n > 0 && (!paths || !values)) || (n_catalogs > 0 && !catalogs))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "overrides or catalogs: a count without its arrays");
    *ov = calloc(n > 0 ? (size_t)n : 1, sizeof **ov);
    if (!*ov)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    for (int i = 0; i < n; i++) {
        if (!paths[i] || !values[i])
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "override %d has no path or no value", i);
        (*ov)[i] = (aif_override){paths[i], values[i], origins && origins[i] ? origins[i] : NULL};
    }
    return AIF_OK;
}

aif_rc aif_train_json(const char *scenario, int from, const char *name, const char *const *paths,
                      const char *const *values, const char *const *origins, int n_overrides,
                      const char *const *catalogs, int n_catalogs, int engine, char **json, aif_err *err)
{
    aif_catalog *cat = NULL;
    aif_override *ov = NULL;
    aif_scenario *s = NULL;
    aif_train_run *run = NULL;
    const aif_run_opts ro = {.engine = engine};
    aif_rc rc;
    *json = NULL;
    aif_err_clear(err);
    if (engine != AIF_ENGINE_ESTIMATE && engine != AIF_ENGINE_SIM)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "engine %d (accepted: %d estimate, %d sim)", engine,
                           AIF_ENGINE_ESTIMATE, AIF_ENGINE_SIM);
    if ((rc = take_overrides(paths, values, origins, n_overrides, catalogs, n_catalogs, &ov, err)))
        goto done;
    /* the scenario and the run are large: on the heap, not on a caller's thread stack */
    s = malloc(sizeof *s);
    run = malloc(sizeof *run);
    if (!s || !run) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((rc = load_catalog(&cat, catalogs, n_catalogs, err)))
        goto done;
    if ((rc = load_scenario(cat, scenario, from, name, ov, n_overrides, s, err)))
        goto done;
    if ((rc = aif_run_train(cat, s, &ro, run, err)))
        goto done;
    *json = aif_report_train_json(run);
    if (!*json)
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
done:
    aif_catalog_free(cat);
    free(run);
    free(s);
    free(ov);
    return rc;
}

/* A scenario of some sections as a command other than train loads it: a file or
 * example, a text, or (AIF_FROM_DEFAULT) the command's own base, base_path (NULL: the
 * built-in default scenario). */
static aif_rc load_sections(const aif_catalog *c, const char *scenario, int from, const char *name,
                            const char *base_path, const aif_override *ov, int n_ov, unsigned sections,
                            aif_scenario *s, aif_err *err)
{
    switch (from) {
    case AIF_FROM_DEFAULT:
        return aif_scenario_load_sections(c, base_path, ov, n_ov, sections, s, err);
    case AIF_FROM_TEXT:
        return scenario ? aif_scenario_parse_sections(c, scenario, strlen(scenario), name ? name : "<scenario text>",
                                                      ov, n_ov, sections, s, err)
                        : aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "no scenario text");
    case AIF_FROM_FILE:
        return scenario && scenario[0] ? aif_scenario_load_sections(c, scenario, ov, n_ov, sections, s, err)
                                       : aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "no scenario file");
    }
    return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "scenario source %d (accepted: %d default, %d text, %d file)",
                       from, AIF_FROM_DEFAULT, AIF_FROM_TEXT, AIF_FROM_FILE);
}

aif_rc aif_infer_json(const char *scenario, int from, const char *name, const char *const *paths,
                      const char *const *values, const char *const *origins, int n_overrides,
                      const char *const *catalogs, int n_catalogs, char **json, aif_err *err)
{
    enum { SECTIONS = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE };
    aif_catalog *cat = NULL;
    aif_override *ov = NULL;
    aif_scenario *s = NULL;
    aif_serve_run *run = NULL;
    aif_rc rc;
    *json = NULL;
    aif_err_clear(err);
    if ((rc = take_overrides(paths, values, origins, n_overrides, catalogs, n_catalogs, &ov, err)))
        goto done;
    s = malloc(sizeof *s);
    run = malloc(sizeof *run);
    if (!s || !run) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((rc = load_catalog(&cat, catalogs, n_catalogs, err)))
        goto done;
    /* `aifsim infer`'s base: the serve-llama3-70b example */
    rc = load_sections(cat, scenario, from, name, "serve-llama3-70b", ov, n_overrides, SECTIONS, s, err);
    if (rc || (rc = aif_run_serve(cat, s, NULL, run, err)))
        goto done;
    *json = aif_report_serve_json(run);
    if (!*json)
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
done:
    aif_catalog_free(cat);
    free(run);
    free(s);
    free(ov);
    return rc;
}

aif_rc aif_cluster_json(const char *scenario, int from, const char *name, const char *const *paths,
                        const char *const *values, const char *const *origins, int n_overrides,
                        const char *const *catalogs, int n_catalogs, const char *trace, const char *format,
                        char **json, aif_err *err)
{
    aif_catalog *cat = NULL;
    aif_override *ov = NULL;
    aif_scenario *s = NULL;
    aif_cluster_run *run = NULL;
    aif_rc rc;
    *json = NULL;
    aif_err_clear(err);
    int fmt = format ? aif_name_index(aif_trace_format_names, format) : -1;
    int synthetic = aif_name_index(aif_trace_format_names, "synthetic");
    if (format && fmt < 0)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "unknown format '%s' (accepted: philly, helios, pai, "
                           "acme, synthetic)", format);
    if ((trace && (fmt < 0 || fmt == synthetic)) || (!trace && fmt >= 0 && fmt != synthetic))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "a trace needs its format (philly, helios, pai, acme), "
                           "and only a trace takes one; synthetic takes no trace");
    if ((rc = take_overrides(paths, values, origins, n_overrides, catalogs, n_catalogs, &ov, err)))
        goto done;
    s = malloc(sizeof *s);
    run = malloc(sizeof *run);
    if (!s || !run) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    if ((rc = load_catalog(&cat, catalogs, n_catalogs, err)))
        goto done;
    const unsigned sections = AIF_SECTION_ALL | AIF_SECTION_OPS | AIF_SECTION_SERVE;
    rc = load_sections(cat, scenario, from, name, NULL, ov, n_overrides, sections, s, err);
    if (rc)
        goto done;
    /* the load as `aifsim cluster` picks it: a trace, the synthetic load, or the scenario's job */
    aif_cluster_opts co = {.load = trace                                    ? AIF_LOAD_TRACE
                                   : fmt == synthetic || s->ops.load == 1 ? AIF_LOAD_SYNTHETIC
                                                                          : AIF_LOAD_DEFAULT_JOB,
                           .trace = trace, .format = fmt};
    if ((rc = aif_run_cluster(cat, s, &co, run, err)))
        goto done;
    *json = aif_report_cluster_json(run);
    if (!*json)
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
done:
    aif_catalog_free(cat);
    free(run);
    free(s);
    free(ov);
    return rc;
}

aif_rc aif_catalog_json(const char *kind, const char *name, const char *const *catalogs, int n_catalogs,
                        char **json, aif_err *err)
{
    aif_catalog *cat = NULL;
    *json = NULL;
    aif_err_clear(err);
    if (n_catalogs < 0 || (n_catalogs > 0 && !catalogs))
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "catalogs: a count without its array");
    aif_rc rc = load_catalog(&cat, catalogs, n_catalogs, err);
    if (!rc)
        rc = aif_report_catalog_json(cat, kind, name, json, err);
    aif_catalog_free(cat);
    return rc;
}
