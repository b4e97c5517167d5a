/* cmd_report.c -- `aifsim report [SCENARIO.yaml] -o report.html`. */
#include "aifsim/facility.h"
#include "aifsim/report.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: aifsim report [SCENARIO.yaml | EXAMPLE] -o FILE.html [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Writes one self-contained HTML file (it opens offline) with the summary of the\n"
    "training job and its site, and plots: the step-time breakdown, memory per GPU\n"
    "against HBM, facility power over a step, the cost to train owned against\n"
    "rented, and a scaling curve.  The file is written atomically.\n"
    "\n"
    "examples:\n"
    "  aifsim report -o report.html\n"
    "  aifsim report mixtral-8x7b -o mixtral.html --set facility.cooling=liquid\n";

int cmd_report(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    aif_override ov[64];
    char *files[16];
    int n_ov = 0, n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output") || !strcmp(argv[i], "--set") ||
                   !strcmp(argv[i], "--catalog")) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "option '%s' needs a value", argv[i]);
            const char *opt = argv[i];
            char *arg = argv[++i];
            if (!strcmp(opt, "--set")) {
                char *eq = strchr(arg, '=');
                if (!eq || eq == arg)
                    return cli_usage_error("report", "--set needs PATH=VALUE");
                if (n_ov == 64)
                    return cli_usage_error("report", "too many options");
                *eq = '\0';
                ov[n_ov++] = (aif_override){arg, eq + 1, "--set"};
            } else if (!strcmp(opt, "--catalog")) {
                if (n_files == 16)
                    return cli_usage_error("report", "at most 16 --catalog files");
                files[n_files++] = arg;
            } else {
                out = arg;
            }
        } else if (argv[i][0] == '-') {
            return cli_usage_error("report", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("report", "unexpected argument '%s'", argv[i]);
        }
    }
    if (!out)
        return cli_usage_error("report", "name the output file with -o FILE.html");
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, files, n_files);
    if (st)
        return st;
    const aif_facility_data *fd = aif_catalog_facility(cat);
    aif_scenario s;
    aif_train_result r;
    aif_facility_result fa;
    aif_cost_result co;
    aif_err e;
    aif_rc rc = aif_scenario_load(cat, file, ov, n_ov, &s, &e);
    if (!rc) {
        aif_facility_apply_limits(&s, fd);
        rc = aif_estimate(&s, &r, &e);
    }
    if (!rc)
        rc = aif_facility_eval(&s, fd, &r, &fa, &e);
    if (!rc)
        rc = aif_cost_eval(&s, fd, &r, &fa, &co, &e);
    if (!rc)
        rc = aif_report_html(out, &s, &r, &fa, &co, &e);
    aif_catalog_free(cat);
    if (rc)
        return cli_report_error(&e);
    fprintf(stderr, "aifsim: wrote %s\n", out);
    return EXIT_OK;
}
