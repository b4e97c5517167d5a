/* cmd_report.c -- `aifsim report [SCENARIO.yaml] -o report.html`. */
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
    "rented, and a scaling curve.  The file is written atomically; -o - writes the\n"
    "HTML to standard output.\n"
    "\n"
    "examples:\n"
    "  aifsim report -o report.html\n"
    "  aifsim report mixtral-8x7b -o mixtral.html --set facility.cooling=liquid\n";

int cmd_report(int argc, char **argv)
{
    const char *file = NULL, *out = NULL;
    static cli_opts o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        int taken = cli_common_option("report", argc, argv, &i, &o);
        if (taken < 0)
            return -taken;
        if (taken && o.json)
            return cli_usage_error("report", "the report is HTML; for JSON use aifsim train --json");
        if (taken)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) {
            if (i + 1 >= argc)
                return cli_usage_error("report", "option '%s' needs a file name", argv[i]);
            out = argv[++i];
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
    int st = cli_load_catalog(&cat, o.catalogs, o.n_cat);
    if (st)
        return st;
    static cli_job j;
    st = cli_run_job(cat, file, &o, 0, &j);
    if (!st) {
        aif_err e;
        if (aif_report_html(out, &j.s, &j.r, &j.fa, &j.co, &e) != AIF_OK)
            st = cli_report_error(&e);
        else if (strcmp(out, "-"))
            fprintf(stderr, "aifsim: wrote %s\n", out);
    }
    aif_catalog_free(cat);
    return st;
}
