/* cmd_validate.c -- `aifsim validate`: published measurements against aifsim.
 * The training runs (validation/train.csv) carry the project's stated bound and
 * the exit status, with the inputs their notes mark ASSUMED counted and the rows the
 * memory model says cannot fit flagged; --holdout source adds each source group's
 * error with the calibration constants tied to it fitted without it (holdout.c); the power figures (validation/power.yaml) and nccl-tests
 * tables (validation/collectives.csv) and the published serving figures
 * (validation/infer.csv, with their own statistics for throughput and for
 * latency) and peak memory per GPU (validation/memory.csv) are reported beside
 * them, outside the bound. */
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/validate.h"
#include "cli.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The accuracy the project states for the analytical engine (docs/VALIDATION.md). */
#define MEDIAN_BOUND_PCT 10.0

static const char help[] =
    "usage: aifsim validate [FILE.csv] [--collectives FILE.csv] [--infer FILE.csv] [--memory FILE.csv]\n"
    "                       [--json | --markdown]\n"
    "                       [--bound PCT] [--holdout source] [--classes] [--infer-classes]\n"
    "                       [--engine estimate|sim] [--catalog FILE]\n"
    "\n"
    "Runs measurements (published ones, and two of the project's own on an H200, ids\n"
    "h200own-*) through aifsim and prints predicted, measured and error per row, then\n"
    "the median, 90th percentile, mean and maximum absolute percentage error, and the\n"
    "bias: the median signed error, a time compared as its rate (above zero: the model\n"
    "predicts more than was measured), with the rows above and below; each group's\n"
    "line ends with its bias:\n"
    "  - training runs: FILE.csv, default the built-in validation/train.csv; exits 1\n"
    "    when the median exceeds the bound (default 10%); counts the inputs the rows'\n"
    "    notes mark ASSUMED and flags a row the memory model says cannot fit (DOES\n"
    "    NOT FIT: the row does not describe the job as it was run); then each software\n"
    "    stack's errors, the LoRA rows' (columns lora_rank, lora_targets), each\n"
    "    accelerator calibration family's, the dense and the MoE rows', and the MoE\n"
    "    rows with ep > 1 by expert dispatcher (column ep_dispatch: alltoall, deepep, deepep-fp8, hybridep);\n"
    "  - --holdout source: the training rows only, then each source group's (one paper\n"
    "    or document) error with the calibration constants tied to its rows fitted\n"
    "    without them, and the leave-one-source-out median over all rows;\n"
    "  - with no file: also the measured power figures (validation/power.yaml),\n"
    "    nccl-tests measurements (validation/collectives.csv, with the median of the\n"
    "    rows from 1 MB up apart, and of those on 2, 3-4, 5-8 and more GPUs), serving\n"
    "    results (validation/infer.csv: throughput and latency errors apart) and the\n"
    "    peak memory per GPU of training runs against the memory model\n"
    "    (validation/memory.csv); no bound on these;\n"
    "  - --collectives FILE.csv: your own nccl-tests table instead;\n"
    "  - --infer FILE.csv: your own serving table instead;\n"
    "  - --memory FILE.csv: your own peak-memory table instead (the training\n"
    "    table's columns, metric peak_memory_gib: PyTorch's reserved peak,\n"
    "    or peak_allocated_gib: its allocated peak, the model's tensors alone);\n"
    "  - --engine sim: the training rows through the simulating engine;\n"
    "  - --classes: the training rows only, as CSV, one line a class of run (every run;\n"
    "    dense and MoE; MoE with ep > 1 by dispatcher; LoRA; each accelerator family;\n"
    "    each stack): rows, median, p90, bias (the simulating engine's with --engine\n"
    "    sim).  The built-in table's, through the analytical engine, is kept as\n"
    "    validation/classes.csv, from which `aifsim train` shows the runs like a job;\n"
    "  - --infer-classes: the serving rows only (validation/infer.csv, or --infer FILE),\n"
    "    as CSV in the same columns: for each metric group (throughput; TTFT; TPOT, with\n"
    "    the time between tokens), every run, dense and MoE, and within each of the two\n"
    "    each scheduler (serve.admission) and each accelerator family; no bound applies.\n"
    "    The built-in table's is kept as\n"
    "    validation/infer_classes.csv, from which `aifsim infer` shows the runs like a\n"
    "    deployment.\n"
    "The CSV formats are in docs/CATALOGS.md.\n"
    "\n"
    "examples:\n"
    "  aifsim validate\n"
    "  aifsim validate my-runs.csv --json\n"
    "  aifsim validate --collectives my-nccl-tests.csv\n"
    "  aifsim validate --infer my-serving-runs.csv\n"
    "  aifsim validate --memory my-memory-readings.csv\n"
    "  aifsim validate --holdout source\n"
    "  aifsim validate --classes > validation/classes.csv\n"
    "  aifsim validate --infer-classes > validation/infer_classes.csv\n"
    "\n" CLI_RULES_HELP;

static void print_table(const aif_validation *v, int markdown)
{
    if (markdown) {
        printf("| id | model | gpus | metric | predicted | measured | error | source |\n");
        printf("|---|---|---:|---|---:|---:|---:|---|\n");
        for (int i = 0; i < v->n; i++) {
            const aif_val_row *r = &v->rows[i];
            char p[32], m[32];
            aif_fmt_plain(p, sizeof p, r->predicted);
            aif_fmt_plain(m, sizeof m, r->measured);
            printf("| %s | %s | %d | %s | %s | %s | %+.1f%%%s | %s |\n", r->id, r->model, r->gpus, r->metric, p, m,
                   100 * r->err, r->nofit ? " (does not fit)" : "", r->source);
        }
    } else {
        printf("%-34s %-20s %-22s %6s %11s %11s %8s\n", "id", "model", "metric", "gpus", "predicted", "measured",
               "error");
        for (int i = 0; i < v->n; i++) {
            const aif_val_row *r = &v->rows[i];
            char p[32], m[32];
            aif_fmt_plain(p, sizeof p, r->predicted);   /* no exponent (src/report/format.c) */
            aif_fmt_plain(m, sizeof m, r->measured);
            printf("%-34s %-20s %-22s %6d %11s %11s %+7.1f%%%s\n", r->id, r->model, r->metric, r->gpus, p, m,
                   100 * r->err, r->nofit ? "  DOES NOT FIT" : "");
        }
    }
    printf("\n%d rows: median |error| %.1f%%, p90 %.1f%%, mean %.1f%%, max %.1f%% (%s)", v->n, v->median_ape,
           v->p90_ape, v->mean_ape, v->max_ape, v->rows[v->worst].id);
}

/* A table's bias: the median signed error, a time compared as its rate (aif_val_rate_err). */
static void print_bias(const aif_validation *v)
{
    printf("bias: median signed error %+.1f%% (above zero: the model predicts more than was measured, a time "
           "compared as its rate); %d rows above, %d below\n", v->bias_pct, v->n_high, v->n_low);
}

/* One metric group's statistics line of the serving table. */
static void print_group(const char *label, const aif_val_stats *st, const aif_validation *v)
{
    if (st->n == 0)
        printf("%s: no rows\n", label);
    else
        printf("%s: %d %s, median |error| %.1f%%, p90 %.1f%%, mean %.1f%%, max %.1f%% (%s), bias %+.1f%%\n", label,
               st->n, st->n == 1 ? "row" : "rows", st->median_ape, st->p90_ape, st->mean_ape, st->max_ape, v->rows[st->worst].id, st->bias_pct);
}

static json_object *group_json(const aif_val_stats *st, const aif_validation *v)
{
    json_object *g = json_object_new_object();
    json_object_object_add(g, "n", json_object_new_int(st->n));
    if (st->n > 0) {
        json_object_object_add(g, "median_ape_pct", json_object_new_double(st->median_ape));
        json_object_object_add(g, "p90_ape_pct", json_object_new_double(st->p90_ape));
        json_object_object_add(g, "mean_ape_pct", json_object_new_double(st->mean_ape));
        json_object_object_add(g, "max_ape_pct", json_object_new_double(st->max_ape));
        json_object_object_add(g, "worst", json_object_new_string(v->rows[st->worst].id));
        json_object_object_add(g, "bias_pct", json_object_new_double(st->bias_pct));
        json_object_object_add(g, "n_high", json_object_new_int(st->n_high));
        json_object_object_add(g, "n_low", json_object_new_int(st->n_low));
    }
    return g;
}

/* One group's statistics: a line (text) or a member of g (JSON). */
static void emit_group(json_object *g, const char *name, const aif_val_stats *st, const aif_validation *v)
{
    if (g) {
        json_object_object_add(g, name, group_json(st, v));
    } else {
        char label[80];
        snprintf(label, sizeof label, "  %s", name);
        print_group(label, st, v);
    }
}

/* Each group by name (the rows' frameworks, arch 0, or calibration families, arch 1), its
 * statistics from stats: a line each (text), or an object by name added to into as key
 * (JSON).  Returns 0, or the exit status of a failure. */
static int print_named_groups(const aif_validation *v, int arch,
                              aif_rc (*stats)(const aif_validation *, const char *, aif_val_stats *, aif_err *),
                              json_object *into, const char *key)
{
    const char *names[64];
    int n = aif_validation_distinct(v, arch ? AIF_VAL_ARCH : AIF_VAL_FRAMEWORK, names, 64);
    if (n > 64)   /* the first 64, in order of first appearance */
        n = 64;
    json_object *g = into ? json_object_new_object() : NULL;
    for (int i = 0; i < n; i++) {
        aif_val_stats st;
        aif_err e;
        if (stats(v, names[i], &st, &e) != AIF_OK) {
            json_object_put(g);
            return cli_report_error(&e);
        }
        emit_group(g, names[i], &st, v);
    }
    if (g)
        json_object_object_add(into, key, g);
    return 0;
}

/* The rows by accelerator calibration family, then dense against mixture-of-experts: lines
 * under a heading each (text), or the objects "families" and "kinds" (JSON). */
static int print_families(const aif_validation *v, json_object *into)
{
    aif_val_stats st;
    aif_err e;
    if (!into)
        printf("by accelerator family (the calibration family, data/calibration.yaml):\n");
    int status = print_named_groups(v, 1, aif_validation_arch_stats, into, "families");
    if (status)
        return status;
    json_object *g = into ? json_object_new_object() : NULL;
    if (!into)
        printf("by model (dense, or mixture of experts):\n");
    for (int moe = 0; moe <= 1; moe++) {
        if (aif_validation_moe_stats(v, moe, &st, &e) != AIF_OK) {
            json_object_put(g);
            return cli_report_error(&e);
        }
        if (st.n > 0)
            emit_group(g, moe ? "moe" : "dense", &st, v);
    }
    if (g)
        json_object_object_add(into, "kinds", g);
    /* the MoE rows with an expert all-to-all, by how it moves tokens */
    g = into ? json_object_new_object() : NULL;
    int heading = 0;
    for (int i = 1; aif_ep_dispatch_names[i]; i++) {   /* [0] is auto, resolved in every row */
        if (aif_validation_dispatch_stats(v, aif_ep_dispatch_names[i], &st, &e) != AIF_OK) {
            json_object_put(g);
            return cli_report_error(&e);
        }
        if (st.n == 0)
            continue;
        if (!into && !heading++)
            printf("by expert dispatcher (train.ep_dispatch; the MoE rows with ep > 1):\n");
        emit_group(g, aif_ep_dispatch_names[i], &st, v);
    }
    if (g)
        json_object_object_add(into, "dispatchers", g);
    return 0;
}

/* Each software stack's statistics, one line each (text) or an object by name (JSON), then
 * the LoRA rows' (any stack), a line of their own or the object "lora". */
static int print_frameworks(const aif_validation *v, json_object *into)
{
    int status = print_named_groups(v, 0, aif_validation_framework_stats, into, "frameworks");
    if (status)
        return status;
    /* the LoRA fine-tuning rows, whatever their stack: a group of their own when there are any */
    aif_val_stats lo;
    aif_err e;
    if (aif_validation_lora_stats(v, &lo, &e) != AIF_OK)
        return cli_report_error(&e);
    if (lo.n > 0 && into)
        json_object_object_add(into, "lora", group_json(&lo, v));
    else if (lo.n > 0)
        print_group("by training mode (train.lora):\n  lora", &lo, v);
    return 0;
}

/* kind: the table's, TABLE_TRAIN's rows carry ASSUMED counts and the fit flag, and
 * TABLE_SERVE's their scheduler, family and kind (their framework field holds the
 * scheduler: the key says so) */
enum { TABLE_OTHER, TABLE_TRAIN, TABLE_SERVE };
static json_object *table_json(const aif_validation *v, int kind)
{
    int train = kind == TABLE_TRAIN;
    json_object *t = json_object_new_object(), *rows = json_object_new_array();
    for (int i = 0; i < v->n; i++) {
        const aif_val_row *r = &v->rows[i];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(r->id));
        json_object_object_add(o, "metric", json_object_new_string(r->metric));
        if (r->framework[0])
            json_object_object_add(o, kind == TABLE_SERVE ? "scheduler" : "framework",
                                   json_object_new_string(r->framework));
        json_object_object_add(o, "predicted", json_object_new_double(r->predicted));
        json_object_object_add(o, "measured", json_object_new_double(r->measured));
        json_object_object_add(o, "error_pct", json_object_new_double(100 * r->err));
        json_object_object_add(o, "source", json_object_new_string(r->source));
        if (r->gpus > 0)   /* the ranks it ran on (the collectives' classes by ranks) */
            json_object_object_add(o, "gpus", json_object_new_int(r->gpus));
        if (train) {
            json_object_object_add(o, "source_group", json_object_new_string(r->group));
            json_object_object_add(o, "assumed", json_object_new_int(r->n_assumed));
            json_object_object_add(o, "fits_in_memory", json_object_new_boolean(!r->nofit));
        }
        if (train || kind == TABLE_SERVE) {
            json_object_object_add(o, "arch", json_object_new_string(r->arch));   /* the calibration family */
            json_object_object_add(o, "moe", json_object_new_boolean(r->moe));
        }
        json_object_array_add(rows, o);
    }
    json_object_object_add(t, "rows", rows);
    json_object_object_add(t, "n", json_object_new_int(v->n));
    json_object_object_add(t, "median_ape_pct", json_object_new_double(v->median_ape));
    json_object_object_add(t, "p90_ape_pct", json_object_new_double(v->p90_ape));
    json_object_object_add(t, "mean_ape_pct", json_object_new_double(v->mean_ape));
    json_object_object_add(t, "max_ape_pct", json_object_new_double(v->max_ape));
    json_object_object_add(t, "bias_pct", json_object_new_double(v->bias_pct));
    json_object_object_add(t, "n_high", json_object_new_int(v->n_high));
    json_object_object_add(t, "n_low", json_object_new_int(v->n_low));
    if (train) {
        json_object_object_add(t, "assumed", json_object_new_int(v->n_assumed));
        json_object_object_add(t, "rows_with_assumed", json_object_new_int(v->n_rows_assumed));
        json_object_object_add(t, "rows_not_fitting", json_object_new_int(v->n_nofit));
    }
    return t;
}

/* The target the issue of record sets for the leave-one-source-out median (docs/VALIDATION.md). */
#define HOLDOUT_TARGET_PCT 8.0

static void print_holdout(const aif_holdout *h, const aif_validation *t)
{
    printf("\nleave one source out (--holdout source): each source group's rows with the calibration constants\n"
           "tied to them fitted without them (docs/VALIDATION.md)\n");
    printf("calibration constants by source kind (data/calibration.yaml):");
    const char *sep = " ";
    for (int k = 0; aif_source_kind_names[k]; k++)
        if (h->n_by_kind[k] || k == 6) {   /* [6] row:GROUP, always shown; [7] no kind */
            printf("%s%d %s", sep, h->n_by_kind[k], k == 6 ? "tied to a training row" : k == 7 ? "naming no kind" :
                   aif_source_kind_names[k]);
            sep = ", ";
        }
    printf("\n");
    if (h->n_tied == 0)
        printf("no calibration constant is tied to a training-row source: every group's held-out error is its own\n");
    printf("%-40s %5s %8s %9s %8s %9s  %s\n", "source group", "rows", "median", "held out", "p90", "held out",
           "tied constants");
    for (int g = 0; g < h->n_groups; g++) {
        const aif_holdout_group *hg = &h->groups[g];
        printf("%-40.40s %5d %7.1f%% %8.1f%% %7.1f%% %8.1f%%  %s\n", hg->id, hg->n, hg->own.median_ape,
               hg->held.median_ape, hg->own.p90_ape, hg->held.p90_ape, hg->n_tied ? hg->tied : "none");
    }
    printf("%d rows held out by source: median |error| %.1f%% (with every constant as cataloged %.1f%%; target "
           "%.0f%%), p90 %.1f%% (%.1f%%), mean %.1f%%, max %.1f%%\n", t->n, h->median_ape,
           t->median_ape, HOLDOUT_TARGET_PCT, h->p90_ape, t->p90_ape, h->mean_ape, h->max_ape);
}

static json_object *holdout_json(const aif_holdout *h)
{
    json_object *o = json_object_new_object(), *kinds = json_object_new_object(), *gs = json_object_new_array();
    for (int k = 0; aif_source_kind_names[k]; k++)
        json_object_object_add(kinds, aif_source_kind_names[k], json_object_new_int(h->n_by_kind[k]));
    json_object_object_add(o, "constants_by_source_kind", kinds);
    json_object_object_add(o, "tied_constants", json_object_new_int(h->n_tied));
    for (int g = 0; g < h->n_groups; g++) {
        const aif_holdout_group *hg = &h->groups[g];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "source_group", json_object_new_string(hg->id));
        json_object_object_add(j, "n", json_object_new_int(hg->n));
        json_object_object_add(j, "median_ape_pct", json_object_new_double(hg->own.median_ape));
        json_object_object_add(j, "heldout_median_ape_pct", json_object_new_double(hg->held.median_ape));
        json_object_object_add(j, "p90_ape_pct", json_object_new_double(hg->own.p90_ape));
        json_object_object_add(j, "heldout_p90_ape_pct", json_object_new_double(hg->held.p90_ape));
        json_object_object_add(j, "max_ape_pct", json_object_new_double(hg->own.max_ape));
        json_object_object_add(j, "heldout_max_ape_pct", json_object_new_double(hg->held.max_ape));
        json_object_object_add(j, "bias_pct", json_object_new_double(hg->own.bias_pct));
        json_object_object_add(j, "heldout_bias_pct", json_object_new_double(hg->held.bias_pct));
        json_object_object_add(j, "tied_constants", json_object_new_int(hg->n_tied));
        json_object_object_add(j, "refits", json_object_new_string(hg->tied));
        json_object_array_add(gs, j);
    }
    json_object_object_add(o, "groups", gs);
    json_object_object_add(o, "heldout_median_ape_pct", json_object_new_double(h->median_ape));
    json_object_object_add(o, "heldout_p90_ape_pct", json_object_new_double(h->p90_ape));
    json_object_object_add(o, "heldout_mean_ape_pct", json_object_new_double(h->mean_ape));
    json_object_object_add(o, "heldout_max_ape_pct", json_object_new_double(h->max_ape));
    json_object_object_add(o, "target_median_pct", json_object_new_double(HOLDOUT_TARGET_PCT));
    return o;
}

/* The training table's ASSUMED inputs and the rows that cannot fit, after its statistics. */
static void print_table_notes(const aif_validation *v)
{
    printf("inputs the table marks ASSUMED: %d, in %d of %d rows\n", v->n_assumed, v->n_rows_assumed, v->n);
    if (v->n_nofit) {
        printf("%d rows the memory model says cannot fit in GPU memory (DOES NOT FIT: the row does not describe "
               "the job as run):", v->n_nofit);
        printf("\n ");
        int col = 1;
        for (int i = 0; i < v->n; i++)
            if (v->rows[i].nofit) {
                if (col + 1 + (int)strlen(v->rows[i].id) > 100) {
                    printf("\n ");
                    col = 1;
                }
                col += printf(" %s", v->rows[i].id);
            }
        printf("\n");
    }
}

int cmd_validate(int argc, char **argv)
{
    int markdown = 0, use_sim = 0, holdout = 0, classes = 0, infer_classes = 0, bound_given = 0;
    const char *file = NULL, *coll_file = NULL, *infer_file = NULL, *mem_file = NULL;
    double bound = MEDIAN_BOUND_PCT;
    static cli_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        int taken = strcmp(argv[i], "--set") ? cli_common_option("validate", argc, argv, &i, &o) : 0;
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--markdown")) {
            if (cli_once("validate", &o.seen, "--markdown"))
                return EXIT_USAGE;
            markdown = 1;
        } else if (!strcmp(argv[i], "--classes")) {
            if (cli_once("validate", &o.seen, "--classes"))
                return EXIT_USAGE;
            classes = 1;
        } else if (!strcmp(argv[i], "--infer-classes")) {
            if (cli_once("validate", &o.seen, "--infer-classes"))
                return EXIT_USAGE;
            infer_classes = 1;
        } else if (!strcmp(argv[i], "--engine")) {
            if (cli_once("validate", &o.seen, "--engine"))
                return EXIT_USAGE;
            if (i + 1 >= argc)
                return cli_usage_error("validate", "option '--engine' needs a value");
            i++;
            int e = aif_name_index(aif_engine_names, argv[i]);
            if (e < 0)
                return cli_usage_error("validate", "--engine '%s' (accepted: estimate, sim)", argv[i]);
            use_sim = e == AIF_ENGINE_SIM;
        } else if (!strcmp(argv[i], "--holdout")) {
            if (cli_once("validate", &o.seen, "--holdout"))
                return EXIT_USAGE;
            if (i + 1 >= argc)
                return cli_usage_error("validate", "option '--holdout' needs a value");
            static const char *const holdout_names[] = {"source", NULL};
            if (aif_name_index(holdout_names, argv[++i]) < 0)   /* case ignored, as every name */
                return cli_usage_error("validate", "--holdout '%s' (accepted: source)", argv[i]);
            holdout = 1;
        } else if (!strcmp(argv[i], "--bound") || !strcmp(argv[i], "--collectives") || !strcmp(argv[i], "--infer") ||
                   !strcmp(argv[i], "--memory")) {
            if (cli_once("validate", &o.seen, argv[i]))
                return EXIT_USAGE;
            if (i + 1 >= argc)
                return cli_usage_error("validate", "option '%s' needs a value", argv[i]);
            if (!strcmp(argv[i], "--collectives")) {
                coll_file = argv[++i];
                continue;
            }
            if (!strcmp(argv[i], "--infer")) {
                infer_file = argv[++i];
                continue;
            }
            if (!strcmp(argv[i], "--memory")) {
                mem_file = argv[++i];
                continue;
            }
            if (cli_parse_number("validate", "--bound", argv[++i], 0, 1000, &bound))
                return EXIT_USAGE;
            bound_given = 1;
            if (bound <= 0)
                return cli_usage_error("validate", "--bound '%s': expected a percentage above 0 (up to 1000)",
                                       argv[i]);
        } else if (argv[i][0] == '-') {
            return cli_usage_error("validate", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("validate", "unexpected argument '%s'", argv[i]);
        }
    }
    if (o.json && markdown)
        return cli_usage_error("validate", "choose --json or --markdown");
    if (use_sim && (coll_file || infer_file || mem_file) && !file)
        return cli_usage_error("validate", "--engine sim applies to the training rows, not to --collectives, "
                               "--infer or --memory");
    if (classes && (o.json || markdown || holdout || coll_file || infer_file || mem_file))
        return cli_usage_error("validate", "--classes prints the training rows' classes as CSV alone: not with "
                               "--json, --markdown, --holdout, --collectives, --infer or --memory");
    if (infer_classes && (o.json || markdown || holdout || classes || use_sim || file || coll_file || mem_file ||
                          bound_given))
        return cli_usage_error("validate", "--infer-classes prints the serving rows' classes as CSV alone (of "
                               "--infer FILE when given; no bound applies to the serving rows): not with a "
                               "training table, --json, --markdown, --holdout, --classes, --engine, --bound, "
                               "--collectives or --memory");
    if (holdout && (coll_file || infer_file || mem_file))
        return cli_usage_error("validate", "--holdout applies to the training rows, not to --collectives, --infer "
                               "or --memory");
    aif_catalog *c;
    int st = cli_load_catalog(&c, o.catalogs, o.n_cat);
    if (st)
        return st;
    aif_err e;
    aif_validation train = {0}, coll = {0}, mem = {0};
    aif_serve_validation serve = {0};
    aif_holdout ho = {0};
    aif_power_row prow[32];
    int np = 0, with_train = !infer_classes && (file || (!coll_file && !infer_file && !mem_file));
    int with_extras = !file && !coll_file && !infer_file && !mem_file && !holdout && !classes && !infer_classes;
    aif_rc rc = AIF_OK;
    cli_progress_state prog = {.label = "validating"};   /* shown for a run of more than a second */
    if (holdout) {
        rc = aif_validate_holdout(c, file, use_sim ? AIF_ENGINE_SIM : AIF_ENGINE_ESTIMATE, &ho, &e);
        train = ho.table;   /* the table moves to train; ho keeps the groups */
        memset(&ho.table, 0, sizeof ho.table);
    } else if (with_train)
        rc = aif_validate_train_file_progress(c, file, use_sim ? AIF_ENGINE_SIM : AIF_ENGINE_ESTIMATE, cli_progress,
                                              &prog, &train, &e);
    if (!rc && (coll_file || with_extras))
        rc = aif_validate_collectives_file(c, coll_file, &coll, &e);
    if (!rc && with_extras && (np = aif_validate_power(c, prow, 32, &e)) < 0)
        rc = e.rc;
    if (!rc && (infer_file || with_extras || infer_classes))
        rc = aif_validate_serve_file(c, infer_file, &serve, &e);
    if (!rc && (mem_file || with_extras))
        rc = aif_validate_memory_file(c, mem_file, &mem, &e);
    aif_catalog_free(c);
    int status = EXIT_OK, pass = !with_train || train.median_ape <= bound;
    if (rc) {
        status = cli_report_error(&e);
        goto done;
    }
    if (infer_classes) {   /* no bound on the serving rows: the lines alone */
        if ((rc = aif_validation_serve_classes_write(&serve.table, stdout, &e)) != AIF_OK)
            status = cli_report_error(&e);
        goto done;
    }
    if (classes) {
        if ((rc = aif_validation_classes_write(&train, stdout, &e)) != AIF_OK) {
            status = cli_report_error(&e);
        } else {
            if (!pass)   /* the verdict the exit status carries, where the table's lines cannot say it */
                fprintf(stderr, "aifsim validate: median |error| %.1f%% over the bound %.0f%%: FAIL\n",
                        train.median_ape, bound);
            status = pass ? EXIT_OK : EXIT_FAIL;
        }
        goto done;
    }
    if (o.json) {
        json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_THREAD);
        json_object *root = with_train ? table_json(&train, TABLE_TRAIN) : json_object_new_object();
        if (with_train) {
            json_object_object_add(root, "bound_pct", json_object_new_double(bound));
            if (holdout)
                json_object_object_add(root, "holdout", holdout_json(&ho));
            json_object_object_add(root, "pass", json_object_new_boolean(pass));
            if ((status = print_frameworks(&train, root)) != 0 || (status = print_families(&train, root)) != 0) {
                json_object_put(root);
                goto done;
            }
        }
        if (coll.n > 0) {
            json_object *cj = table_json(&coll, TABLE_OTHER);
            json_object *sk = json_object_new_array();
            for (int i = 0; i < coll.n_skipped && i < AIF_MAX_SKIPPED; i++)
                json_object_array_add(sk, json_object_new_string(coll.skipped[i]));
            json_object_object_add(cj, "skipped", sk);
            aif_val_stats big;
            if (aif_validation_framework_stats(&coll, AIF_COLL_BAND_LARGE, &big, &e) == AIF_OK)
                json_object_object_add(cj, "from_1MB", group_json(&big, &coll));
            json_object *byr = json_object_new_array();
            for (int k = 0; k < AIF_COLL_N_RANK_CLASSES; k++) {
                const aif_coll_rank_class *cls = &aif_coll_rank_classes[k];
                if (aif_validation_coll_ranks_stats(&coll, cls->lo, cls->hi, &big, &e) != AIF_OK)
                    continue;
                json_object *g = group_json(&big, &coll);
                json_object_object_add(g, "ranks", json_object_new_string(cls->name));
                json_object_array_add(byr, g);
            }
            json_object_object_add(cj, "from_1MB_by_ranks", byr);
            json_object_object_add(root, "collectives", cj);
        }
        if (np > 0) {
            json_object *pw = json_object_new_array();
            for (int i = 0; i < np; i++) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "id", json_object_new_string(prow[i].id));
                json_object_object_add(p, "predicted_kw", json_object_new_double(prow[i].predicted_W / 1e3));
                json_object_object_add(p, "measured_kw", json_object_new_double(prow[i].measured_W / 1e3));
                json_object_object_add(p, "published_kw", json_object_new_double(prow[i].measured_W / 1e3));   /* its old name, kept */
                json_object_object_add(p, "error_pct", json_object_new_double(100 * prow[i].err));
                json_object_array_add(pw, p);
            }
            json_object_object_add(root, "power", pw);
        }
        if (serve.table.n > 0) {
            json_object *sj = table_json(&serve.table, TABLE_SERVE);
            json_object *sk = json_object_new_array();
            for (int i = 0; i < serve.table.n_skipped && i < AIF_MAX_SKIPPED; i++)
                json_object_array_add(sk, json_object_new_string(serve.table.skipped[i]));
            json_object_object_add(sj, "n_skipped", json_object_new_int(serve.table.n_skipped));
            json_object_object_add(sj, "skipped", sk);
            json_object_object_add(sj, "throughput", group_json(&serve.throughput, &serve.table));
            json_object_object_add(sj, "latency", group_json(&serve.latency, &serve.table));
            json_object_object_add(sj, "ttft", group_json(&serve.ttft, &serve.table));
            json_object_object_add(sj, "tpot", group_json(&serve.tpot, &serve.table));
            json_object_object_add(root, "serving", sj);
        }
        if (mem.n > 0)
            json_object_object_add(root, "memory", table_json(&mem, TABLE_OTHER));
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
    } else {
        if (with_train) {
            if (with_extras)
                printf("training runs (%s):\n", "validation/train.csv");
            print_table(&train, markdown);
            printf("; bound on the median %.0f%%: %s\n", bound, pass ? "PASS" : "FAIL");
            print_bias(&train);
            print_table_notes(&train);
            printf("by software stack (train.framework):\n");
            if ((status = print_frameworks(&train, NULL)) != 0 || (status = print_families(&train, NULL)) != 0)
                goto done;
            if (holdout)
                print_holdout(&ho, &train);
        }
        if (np > 0) {
            printf("\npower (validation/power.yaml; not part of the bound above):\n");
            if (markdown)
                printf("| id | what | predicted kW | measured kW | error |\n|---|---|---:|---:|---:|\n");
            else
                printf("%-30s %14s %14s %8s\n", "id", "predicted kW", "measured kW", "error");
            for (int i = 0; i < np; i++)   /* kW to the watt: a GPU's row is under one */
                printf(markdown ? "| %s | %s | %.3f | %.3f | %+.1f%% |\n" : "%-30s%.0s %14.3f %14.3f %+7.1f%%\n",
                       prow[i].id, prow[i].what, prow[i].predicted_W / 1e3, prow[i].measured_W / 1e3,
                       100 * prow[i].err);
        }
        if (coll.n > 0) {
            printf("\ncollectives (%s; nccl-tests bus bandwidth; not part of the bound above):\n",
                   coll_file ? coll_file : "validation/collectives.csv");
            print_table(&coll, markdown);
            printf("; %d rows skipped:\n", coll.n_skipped);
            for (int i = 0; i < coll.n_skipped && i < AIF_MAX_SKIPPED; i++)
                printf("  %s\n", coll.skipped[i]);
            print_bias(&coll);
            aif_val_stats big;
            if (aif_validation_framework_stats(&coll, AIF_COLL_BAND_LARGE, &big, &e) == AIF_OK)
                print_group(AIF_COLL_BAND_LARGE " (the sizes training sends)", &big, &coll);
            for (int k = 0; k < AIF_COLL_N_RANK_CLASSES; k++) {
                const aif_coll_rank_class *cls = &aif_coll_rank_classes[k];
                char label[64];
                snprintf(label, sizeof label, "  on %s", cls->name);
                if (aif_validation_coll_ranks_stats(&coll, cls->lo, cls->hi, &big, &e) == AIF_OK)
                    print_group(label, &big, &coll);
            }
        }
        if (serve.table.n > 0) {
            printf("\nserving (%s; aif_run_serve; not part of the bound above):\n",
                   infer_file ? infer_file : "validation/infer.csv");
            print_table(&serve.table, markdown);
            printf("\n");
            print_bias(&serve.table);
            print_group("throughput (tokens/s, requests/s)", &serve.throughput, &serve.table);
            print_group("latency (TTFT, TPOT: percentiles, means)", &serve.latency, &serve.table);
            print_group("  of which TTFT", &serve.ttft, &serve.table);
            print_group("  of which TPOT", &serve.tpot, &serve.table);
            printf("%d rows skipped:\n", serve.table.n_skipped);
            for (int i = 0; i < serve.table.n_skipped && i < AIF_MAX_SKIPPED; i++)
                printf("  %s\n", serve.table.skipped[i]);
        }
        if (mem.n > 0) {
            printf("\npeak memory per GPU (%s; the memory model, GiB; not part of the bound above):\n",
                   mem_file ? mem_file : "validation/memory.csv");
            print_table(&mem, markdown);
            printf("\n");
            print_bias(&mem);
        }
    }
    status = pass ? EXIT_OK : EXIT_FAIL;
done:
    aif_validation_free(&mem);
    aif_validation_free(&train);
    aif_holdout_free(&ho);
    aif_validation_free(&coll);
    aif_serve_validation_free(&serve);
    return status;
}
