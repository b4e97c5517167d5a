/* cmd_report.c -- `aifsim report [SCENARIO.yaml] -o report.html`. */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: aifsim report [SCENARIO.yaml | EXAMPLE] -o FILE.html [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Writes one self-contained HTML file (it opens offline) with the summary of the\n"
    "training job and its site, and plots: the step-time breakdown, memory per GPU\n"
    "against HBM, facility power over a step, the cost to train owned against\n"
    "rented, and a scaling curve.  A file is replaced whole (a temporary beside it,\n"
    "renamed over it, keeping its mode); a device or FIFO (/dev/null) is written to,\n"
    "never replaced; -o - writes the HTML to standard output.\n"
    "\n"
    "examples:\n"
    "  aifsim report -o report.html\n"
    "  aifsim report mixtral-8x7b -o mixtral.html --set facility.cooling=liquid\n"
    "\n" CLI_RULES_HELP;

int cmd_report(int argc, char **argv)
{
    const char *file, *out = NULL;
    static cli_opts o;
    int st = cli_parse_job_args("report", argc, argv, help, 0, &o, &file, &out);
    if (st >= 0)
        return st;
    if (!out)
        return cli_usage_error("report", "name the output file with -o FILE.html");
    o.scaling = 1;   /* the report plots the scaling curve */
    static cli_job j;
    st = cli_run_job(file, &o, 0, &j);
    if (!st) {
        aif_err e;
        if (aif_report_html(out, &j, &e) != AIF_OK)
            st = cli_output_error(&e);
        else if (strcmp(out, "-"))
            fprintf(stderr, "aifsim: wrote %s\n", out);
    }
    return st;
}
