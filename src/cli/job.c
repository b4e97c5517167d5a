/* job.c -- what the subcommands share: the common options (--set, --catalog,
 * --json) and loading a scenario and running it through the library's pipeline. */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_common_option(const char *cmd, int argc, char **argv, int *i, cli_opts *o)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--json")) {
        o->json = 1;
        return 1;
    }
    if (strcmp(a, "--set") && strcmp(a, "--catalog"))
        return 0;
    if (*i + 1 >= argc)
        return -cli_usage_error(cmd, "option '%s' needs a value", a);
    char *arg = argv[++*i];
    if (!strcmp(a, "--catalog")) {
        if (o->n_cat == CLI_MAX_CATALOGS)
            return -cli_usage_error(cmd, "at most %d --catalog files", CLI_MAX_CATALOGS);
        o->catalogs[o->n_cat++] = arg;
        return 1;
    }
    return cli_add_set(cmd, arg, o) ? -EXIT_USAGE : 1;
}

int cli_parse_job_args(const char *cmd, int argc, char **argv, const char *help, int json_ok, cli_opts *o,
                       const char **file, const char **out)
{
    memset(o, 0, sizeof *o);
    *file = NULL;
    for (int i = 1; i < argc; i++) {
        int taken = cli_common_option(cmd, argc, argv, &i, o);
        if (taken < 0)
            return -taken;
        if (taken && o->json && !json_ok)
            return cli_usage_error(cmd, "--json is not an option here");
        if (taken)
            continue;
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (out && (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output"))) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "option '%s' needs a file name", argv[i]);
            *out = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (!*file) {
            *file = argv[i];
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    return -1;
}

int cli_add_set(const char *cmd, char *arg, cli_opts *o)
{
    char *eq = strchr(arg, '=');
    if (!eq || eq == arg)
        return cli_usage_error(cmd, "--set needs PATH=VALUE, e.g. --set train.tp=8 (got '%s')", arg);
    if (o->n_ov == CLI_MAX_OVERRIDES)
        return cli_usage_error(cmd, "too many options");
    *eq = '\0';
    snprintf(o->origins[o->n_ov], sizeof o->origins[o->n_ov], "--set %s", arg);
    o->ov[o->n_ov] = (aif_override){arg, eq + 1, o->origins[o->n_ov]};
    o->n_ov++;
    return EXIT_OK;
}

/* A bar on a terminal, plain lines otherwise; silent for runs under a second. */
void cli_progress(double done, void *ctx)
{
    (void)ctx;
    static struct timespec t0;
    static int started, last = -1, shown;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!started || done <= 0) {
        t0 = now;
        started = 1;
        last = -1;
        shown = 0;
    }
    double el = (double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9;
    int pct = (int)(done * 100);
    if (done >= 1) {
        if (shown && isatty(2))
            fputc('\n', stderr);
        started = 0;
        return;
    }
    if (el < 1.0 || pct == last)
        return;
    if (isatty(2)) {
        char bar[41];
        int k = pct * 40 / 100;
        for (int i = 0; i < 40; i++)
            bar[i] = i < k ? '#' : '.';
        bar[40] = '\0';
        fprintf(stderr, "\rsimulating [%s] %3d%% %.0f s", bar, pct, el);
        shown = 1;
    } else if (pct / 10 != last / 10) {
        fprintf(stderr, "simulating: %d%% after %.0f s\n", pct / 10 * 10, el);
    }
    last = pct;
}

int cli_run_job(const char *file, const cli_opts *o, cli_job *j)
{
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    aif_err e;
    aif_rc rc;
    static aif_scenario s;
    rc = aif_scenario_load_job(cat, file, o->ov, o->n_ov, &s, &e);   /* the one base rule (aifsim.h) */
    if (!rc) {
        aif_trace trace = {0};
        aif_run_opts ro = {.engine = o->engine ? AIF_ENGINE_SIM : AIF_ENGINE_ESTIMATE,
                           .sim = {.full = o->full, .trace = o->trace ? &trace : NULL, .progress = cli_progress},
                           .scaling = o->scaling};
        if (o->trace)   /* fail before the simulation, not after it */
            rc = aif_trace_check_path(o->trace, &e);
        if (!rc)
            rc = aif_run_train(cat, &s, &ro, j, &e);
        if (!rc && o->trace)
            rc = aif_trace_write(&trace, o->trace, &e);
        aif_trace_free(&trace);
    }
    aif_catalog_free(cat);   /* the results are plain data: nothing points into it */
    return rc ? cli_report_error(&e) : EXIT_OK;
}
