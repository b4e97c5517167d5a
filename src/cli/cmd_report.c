/* cmd_report.c -- `aifsim report [SCENARIO.yaml] -o report.html` (the job, and the
 * cluster and serving pages when the scenario has those sections), and
 * `aifsim report --sweep results.db -o sweep.html`. */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: aifsim report [SCENARIO.yaml | EXAMPLE] -o FILE.html [--strict] [--set PATH=VALUE] [--catalog FILE]\n"
    "       aifsim report --sweep RESULTS.db -o FILE.html\n"
    "\n"
    "Writes one self-contained HTML file (it opens offline) with the summary of the\n"
    "training job and its site, and plots: the step-time breakdown, memory per GPU\n"
    "against HBM, facility power over a step, the site's draw against its supply\n"
    "over a day (with facility.supply), the cost to train owned against rented,\n"
    "and a scaling curve.  A scenario with an operations section gets a\n"
    "cluster page too (aifsim cluster on its load: GPUs held and power over time,\n"
    "queue length, JCT by decile, interruptions by cause); one with a serve section\n"
    "a serving page (aifsim infer on it: TTFT, end-to-end and TPOT distributions,\n"
    "throughput and TTFT against offered load from a few runs at rising rates, KV-cache\n"
    "occupancy and batch size over time).  A file is replaced whole (a temporary beside it,\n"
    "renamed over it, keeping its mode); a device or FIFO (/dev/null) is written to,\n"
    "never replaced; -o - writes the HTML to standard output.\n"
    "The base is SCENARIO.yaml or EXAMPLE, else the built-in default scenario, as for\n"
    "aifsim train; the first line names it and any substitution.\n"
    "\n"
    "  --strict   exit 3 when the job does not fit in GPU memory or the site cannot\n"
    "             hold it (the report is written all the same)\n"
    "  --sweep RESULTS.db\n"
    "             the report of a training sweep's store (aifsim sweep) instead: time\n"
    "             against cost and against energy with their Pareto fronts, and the\n"
    "             mean time per value of each axis\n"
    "\n"
    "examples:\n"
    "  aifsim report -o report.html\n"
    "  aifsim report mixtral-8x7b -o mixtral.html --set facility.cooling=liquid\n"
    "  aifsim report --sweep results.db -o sweep.html\n"
    "\n" CLI_RULES_HELP;

/* As cli_run_job, but a failed check of the job's sections says first that the report
 * needs the job, which check failed, and that `aifsim facility` shows the site alone. */
/* The serving page's runs when the scenario has a serve section (loaded again with
 * it: a training scenario without one is read exactly as before); a serve section
 * that does not run leaves the page out with the reason on stderr. */
static void run_serve_page(aif_catalog *cat, const char *file, const cli_opts *o, aif_serve_run *sr,
                           aif_serve_load_curve *lc, int *with_serve)
{
    static aif_scenario s;
    aif_err e;
    const unsigned sections = AIF_SECTION_ALL | AIF_SECTION_SERVE;
    *with_serve = 0;
    if (aif_scenario_load_sections(cat, file, o->ov, o->n_ov, sections, &s, &e) != AIF_OK || !s.serve.present)
        return;
    cli_progress_state prog = {.label = "serving"};
    aif_serve_opts so = {.progress = cli_progress, .progress_ctx = &prog};
    if (aif_run_serve(cat, &s, &so, sr, &e) == AIF_OK && aif_run_serve_load_curve(cat, &s, lc, &e) == AIF_OK) {
        *with_serve = 1;
        return;
    }
    char b[1200];
    aif_err_format(&e, b, sizeof b);
    fprintf(stderr, "aifsim report: no serving page: %s\n", b);
}

static int run_job(const char *file, const cli_opts *o, cli_job *j, aif_cluster_run *cr, int *with_cluster,
                   aif_serve_run *sr, aif_serve_load_curve *lc, int *with_serve)
{
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    static aif_scenario s;
    aif_err e;
    aif_rc rc = aif_scenario_load_sections(cat, file, o->ov, o->n_ov,
                                           AIF_SECTION_ALL | AIF_SECTION_OPS | AIF_SECTION_SERVE, &s, &e);
    if (rc == AIF_EINPUT && (!strncmp(e.path, "train", 5) || !strncmp(e.path, "model", 5)))
        fprintf(stderr, "aifsim report: the report is of the job, and its check of %s failed (aifsim facility "
                "shows the site alone):\n", e.path);
    aif_run_opts ro = {.engine = AIF_ENGINE_ESTIMATE, .scaling = o->scaling};
    if (!rc)
        rc = aif_run_train(cat, &s, &ro, j, &e);
    *with_cluster = !rc && s.ops.present;
    if (*with_cluster) {
        cli_progress_state prog = {.label = "scheduling"};
        aif_cluster_opts co = {.load = s.ops.load == 1 ? AIF_LOAD_SYNTHETIC : AIF_LOAD_DEFAULT_JOB,
                               .progress = cli_progress, .progress_ctx = &prog};
        rc = aif_run_cluster(cat, &s, &co, cr, &e);
    }
    if (!rc)
        run_serve_page(cat, file, o, sr, lc, with_serve);
    aif_catalog_free(cat);
    return rc ? cli_report_error(&e) : EXIT_OK;
}

/* aifsim report --sweep RESULTS.db -o FILE.html */
static int sweep_report(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    for (int i = 1; i < argc; i++) {
        if ((!strcmp(argv[i], "--sweep") || !strcmp(argv[i], "-o")) && i + 1 >= argc)
            return cli_usage_error("report", "option '%s' needs a value", argv[i]);
        if (!strcmp(argv[i], "--sweep") && !db)
            db = argv[++i];
        else if (!strcmp(argv[i], "-o") && !out)
            out = argv[++i];
        else
            return cli_usage_error("report", "with --sweep only -o FILE.html is taken, once ('%s')", argv[i]);
    }
    if (!out)
        return cli_usage_error("report", "name the output file with -o FILE.html");
    aif_err e;
    aif_sweep_summary sum;
    if (aif_sweep_summary_load(db, &sum, &e) != AIF_OK)
        return cli_report_error(&e);
    int st = EXIT_OK;
    if (aif_report_sweep_html(out, &sum, &e) != AIF_OK)
        st = cli_output_error(&e);
    else if (strcmp(out, "-"))
        fprintf(stderr, "aifsim: wrote %s\n", out);
    aif_sweep_summary_free(&sum);
    return st;
}

int cmd_report(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--sweep"))
            return sweep_report(argc, argv);
    const char *file, *out = NULL;
    static cli_opts o;
    int strict = cli_take_strict(&argc, argv);
    int st = cli_parse_job_args("report", argc, argv, help, 0, &o, &file, &out);
    if (st >= 0)
        return st;
    if (!out)
        return cli_usage_error("report", "name the output file with -o FILE.html");
    o.scaling = 1;   /* the report plots the scaling curve */
    static cli_job j;
    static aif_cluster_run cr;
    static aif_serve_run sr;
    static aif_serve_load_curve lc;
    int with_cluster = 0, with_serve = 0;
    st = run_job(file, &o, &j, &cr, &with_cluster, &sr, &lc, &with_serve);
    if (!st) {
        aif_err e;
        if (aif_report_html_pages(out, &j, with_cluster ? &cr : NULL, with_serve ? &sr : NULL, &lc, &e) != AIF_OK)
            st = cli_output_error(&e);
        else if (strcmp(out, "-"))
            fprintf(stderr, "aifsim: wrote %s\n", out);
    }
    if (!st && strict)
        st = cli_strict_status(&j, 1);
    return st;
}
