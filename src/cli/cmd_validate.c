/* cmd_validate.c -- `aifsim validate [FILE.csv]`: every published run against
 * the analytical engine; exits 1 when the median error exceeds the bound. */
#include "cli/cli.h"
#include "spec/catalog.h"
#include "validate/validate.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The accuracy the project states for the analytical engine (docs/VALIDATION.md). */
#define MEDIAN_BOUND_PCT 10.0

static const char help[] =
    "usage: aifsim validate [FILE.csv] [--json | --markdown] [--bound PCT] [--catalog FILE]\n"
    "\n"
    "Runs every published measurement of FILE.csv (default: the built-in\n"
    "validation/train.csv) through the analytical engine and prints predicted,\n"
    "measured and error per row, then the median, mean and maximum absolute\n"
    "percentage error.  Exits 1 when the median exceeds the bound (default 10%).\n"
    "The CSV format is in docs/CATALOGS.md.\n"
    "\n"
    "examples:\n"
    "  aifsim validate\n"
    "  aifsim validate my-runs.csv --json\n";

int cmd_validate(int argc, char **argv)
{
    int json = 0, markdown = 0;
    const char *file = NULL;
    double bound = MEDIAN_BOUND_PCT;
    char *files[16];
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--markdown")) {
            markdown = 1;
        } else if (!strcmp(argv[i], "--bound") || !strcmp(argv[i], "--catalog")) {
            if (i + 1 >= argc)
                return cli_usage_error("validate", "option '%s' needs a value", argv[i]);
            if (!strcmp(argv[i], "--catalog")) {
                if (n_files == 16)
                    return cli_usage_error("validate", "at most 16 --catalog files");
                files[n_files++] = argv[++i];
            } else {
                char *end;
                bound = strtod(argv[++i], &end);
                if (*end || bound <= 0 || bound > 1000)
                    return cli_usage_error("validate", "--bound '%s' is not a percentage between 0 and 1000", argv[i]);
            }
        } else if (argv[i][0] == '-') {
            return cli_usage_error("validate", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("validate", "unexpected argument '%s'", argv[i]);
        }
    }
    aif_catalog *c;
    int st = cli_load_catalog(&c, files, n_files);
    if (st)
        return st;
    aif_err e;
    char *text = NULL;
    size_t len;
    const char *name = file ? file : "<built-in:validation/train.csv>";
    const char *data;
    if (file) {
        if (aif_read_file(file, &text, &len, &e) != AIF_OK) {
            aif_catalog_free(c);
            return cli_report_error(&e);
        }
        data = text;
    } else {
        data = aif_builtin_validation_csv(&len);
    }
    aif_validation v;
    aif_rc rc = aif_validate_csv(c, data, len, name, &v, &e);
    free(text);
    aif_catalog_free(c);
    if (rc)
        return cli_report_error(&e);
    if (json) {
        json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_THREAD);
        json_object *root = json_object_new_object(), *rows = json_object_new_array();
        for (int i = 0; i < v.n; i++) {
            const aif_val_row *r = &v.rows[i];
            json_object *o = json_object_new_object();
            json_object_object_add(o, "id", json_object_new_string(r->id));
            json_object_object_add(o, "metric", json_object_new_string(r->metric));
            json_object_object_add(o, "predicted", json_object_new_double(r->predicted));
            json_object_object_add(o, "measured", json_object_new_double(r->measured));
            json_object_object_add(o, "error_pct", json_object_new_double(100 * r->err));
            json_object_object_add(o, "source", json_object_new_string(r->source));
            json_object_array_add(rows, o);
        }
        json_object_object_add(root, "rows", rows);
        json_object_object_add(root, "n", json_object_new_int(v.n));
        json_object_object_add(root, "median_ape_pct", json_object_new_double(v.median_ape));
        json_object_object_add(root, "mean_ape_pct", json_object_new_double(v.mean_ape));
        json_object_object_add(root, "max_ape_pct", json_object_new_double(v.max_ape));
        json_object_object_add(root, "bound_pct", json_object_new_double(bound));
        json_object_object_add(root, "pass", json_object_new_boolean(v.median_ape <= bound));
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
    } else if (markdown) {
        printf("| id | model | gpus | metric | predicted | measured | error | source |\n");
        printf("|---|---|---:|---|---:|---:|---:|---|\n");
        for (int i = 0; i < v.n; i++) {
            const aif_val_row *r = &v.rows[i];
            printf("| %s | %s | %d | %s | %.4g | %.4g | %+.1f%% | %s |\n", r->id, r->model, r->gpus, r->metric,
                   r->predicted, r->measured, 100 * r->err, r->source);
        }
        printf("\n%d rows: median |error| %.1f%%, mean %.1f%%, max %.1f%% (%s)\n", v.n, v.median_ape, v.mean_ape,
               v.max_ape, v.rows[v.worst].id);
    } else {
        printf("%-34s %-20s %-22s %6s %11s %11s %8s\n", "id", "model", "metric", "gpus", "predicted", "measured",
               "error");
        for (int i = 0; i < v.n; i++) {
            const aif_val_row *r = &v.rows[i];
            printf("%-34s %-20s %-22s %6d %11.4g %11.4g %+7.1f%%\n", r->id, r->model, r->metric, r->gpus, r->predicted,
                   r->measured, 100 * r->err);
        }
        printf("\n%d rows: median |error| %.1f%%, mean %.1f%%, max %.1f%% (%s); bound on the median %.0f%%: %s\n", v.n,
               v.median_ape, v.mean_ape, v.max_ape, v.rows[v.worst].id, bound, v.median_ape <= bound ? "PASS" : "FAIL");
    }
    if (!json && !file) {   /* the published power figures, with the built-in table */
        aif_catalog *pc;
        aif_power_row prow[32];
        int np = -1;
        if (aif_catalog_load_builtin(&pc, &e) == AIF_OK) {
            np = aif_validate_power(pc, prow, 32, &e);
            aif_catalog_free(pc);
        }
        if (np < 0) {
            aif_validation_free(&v);
            return cli_report_error(&e);
        }
        printf("\npower (validation/power.yaml; not part of the bound above):\n");
        if (markdown) {
            printf("| id | what | predicted kW | published kW | error |\n|---|---|---:|---:|---:|\n");
            for (int i = 0; i < np; i++)
                printf("| %s | %s | %.1f | %.1f | %+.1f%% |\n", prow[i].id, prow[i].what, prow[i].predicted_W / 1e3,
                       prow[i].measured_W / 1e3, 100 * prow[i].err);
        } else {
            printf("%-20s %14s %14s %8s\n", "id", "predicted kW", "published kW", "error");
            for (int i = 0; i < np; i++)
                printf("%-20s %14.1f %14.1f %+7.1f%%\n", prow[i].id, prow[i].predicted_W / 1e3,
                       prow[i].measured_W / 1e3, 100 * prow[i].err);
        }
    }
    int pass = v.median_ape <= bound;
    aif_validation_free(&v);
    return pass ? EXIT_OK : EXIT_FAIL;
}
