/* job.c -- what the subcommands share: the common options (--set, --catalog,
 * --json), the one rule for repeated options, numbers from options, progress,
 * the exit status of a failed output, the signal handlers, and loading a scenario
 * and running it through the library's pipeline.
 * Invariant: every subcommand's standard output is checked once, in cli_finish;
 * a signal that ends the process leaves no temporary file of the library's. */
#define _POSIX_C_SOURCE 200809L
#include "aifsim/report.h"
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_output_error(const aif_err *e)
{
    int st = cli_report_error(e);
    return e->rc == AIF_EIO ? EXIT_OUTPUT : st;
}

static void on_fatal_signal(int sig)
{
    aif_output_remove_temps();   /* async-signal-safe */
    raise(sig);                  /* the handler was reset: the default action ends the process */
}

void cli_init(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fatal_signal;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ};   /* SIGXFSZ: over ulimit -f */
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old;
        /* a signal ignored by the parent (nohup, a shell's background job) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    static char out_buf[1 << 20];   /* outputs up to 1 MiB reach the file at the final flush */
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, out_buf, _IOFBF, sizeof out_buf);
}

int cli_finish(int status)
{
    errno = 0;
    int flushed = fflush(stdout) == 0, e = errno;
    if (flushed && !ferror(stdout))
        return status;
    fprintf(stderr, "aifsim: cannot write standard output: %s\n",
            !flushed && e ? strerror(e) : "a write failed");
    return status == EXIT_USAGE ? status : EXIT_OUTPUT;
}

int cli_parse_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || *end || errno == ERANGE || !isfinite(v) || v < lo || v > hi)
        return cli_usage_error(cmd, "%s '%s': expected a finite number from %g to %g", opt, s, lo, hi);
    *out = v;
    return EXIT_OK;
}

int cli_once(const char *cmd, cli_seen *seen, const char *opt)
{
    while (*opt == '-')   /* "tp", "--tp" and getopt's long names are one option */
        opt++;
    if (!strcmp(opt, "set") || !strcmp(opt, "catalog"))
        return EXIT_OK;
    for (int i = 0; i < seen->n; i++)
        if (!strcmp(seen->names[i], opt))
            return cli_usage_error(cmd, "option '%s%s' is given twice (each option once; only --set and "
                                        "--catalog repeat)", opt[1] ? "--" : "-", opt);
    if (seen->n < (int)(sizeof seen->names / sizeof seen->names[0]))
        seen->names[seen->n++] = opt;
    return EXIT_OK;
}

int cli_common_option(const char *cmd, int argc, char **argv, int *i, cli_opts *o)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--json")) {
        o->json = 1;
        return cli_once(cmd, &o->seen, "--json") ? -EXIT_USAGE : 1;
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
            if (cli_once(cmd, &o->seen, "-o"))
                return EXIT_USAGE;
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
    *eq = '\0';
    char origin[64];
    snprintf(origin, sizeof origin, "--set %s", arg);
    return cli_add_override(cmd, o, origin, arg, eq + 1);
}

int cli_add_override(const char *cmd, cli_opts *o, const char *origin, const char *path, const char *value)
{
    if (o->n_ov == CLI_MAX_OVERRIDES)
        return cli_usage_error(cmd, "too many options");
    snprintf(o->origins[o->n_ov], sizeof o->origins[o->n_ov], "%s", origin);
    o->ov[o->n_ov] = (aif_override){path, value, o->origins[o->n_ov]};
    o->n_ov++;
    return EXIT_OK;
}

void cli_longopts(const aif_option *fields, const struct option *own, struct option *out)
{
    int n = 0;
    for (int i = 0; fields && fields[i].option && n < CLI_MAX_LONGOPTS - 5; i++)
        out[n++] = (struct option){fields[i].option, required_argument, NULL, i};
    out[n++] = (struct option){"json", no_argument, NULL, CLI_O_JSON};
    out[n++] = (struct option){"set", required_argument, NULL, CLI_O_SET};
    out[n++] = (struct option){"catalog", required_argument, NULL, CLI_O_CATALOG};
    out[n++] = (struct option){"help", no_argument, NULL, 'h'};
    for (int i = 0; own && own[i].name && n < CLI_MAX_LONGOPTS - 1; i++)
        out[n++] = own[i];
    out[n] = (struct option){0, 0, 0, 0};
}

int cli_common_getopt(const char *cmd, int ch, const struct option *longopts, int idx, char **argv, cli_opts *o)
{
    if (ch == '?')
        return -cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
    if (ch == ':')
        return -cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
    if (cli_once(cmd, &o->seen, longopts[idx].name))
        return -EXIT_USAGE;
    switch (ch) {
    case CLI_O_JSON:
        o->json = 1;
        return 1;
    case CLI_O_CATALOG:
        if (o->n_cat == CLI_MAX_CATALOGS)
            return -cli_usage_error(cmd, "at most %d --catalog files", CLI_MAX_CATALOGS);
        o->catalogs[o->n_cat++] = optarg;
        return 1;
    case CLI_O_SET:
        return cli_add_set(cmd, optarg, o) ? -EXIT_USAGE : 1;
    }
    return 0;
}

int cli_print_json(FILE *f, char *json)
{
    if (!json) {
        fprintf(stderr, "aifsim: out of memory\n");
        return EXIT_FAIL;
    }
    fprintf(f, "%s\n", json);
    free(json);
    return EXIT_OK;
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

void cli_progress(double done, void *ctx)
{
    cli_progress_state *p = ctx;
    if (!p)
        return;
    double now = now_s();
    if (!p->started) {
        p->t0_s = now;
        p->started = 1;
        p->last_pct = -1;
        p->shown = 0;
    }
    double el = now - p->t0_s;
    int pct = (int)(done * 100);
    const char *label = p->label ? p->label : "working";
    if (done >= 1) {
        if (p->shown && isatty(2))
            fputc('\n', stderr);
        p->started = 0;
        return;
    }
    if (el < 1.0 || pct == p->last_pct)
        return;
    if (isatty(2)) {
        char bar[41];
        int k = pct * 40 / 100;
        for (int i = 0; i < 40; i++)
            bar[i] = i < k ? '#' : '.';
        bar[40] = '\0';
        fprintf(stderr, "\r%s [%s] %3d%% %.0f s", label, bar, pct, el);
        p->shown = 1;
    } else if (p->last_pct < 0 || pct / 10 != p->last_pct / 10) {
        fprintf(stderr, "%s: %d%% after %.0f s\n", label, pct / 10 * 10, el);
    }
    p->last_pct = pct;
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
        cli_progress_state prog = {.label = "simulating"};
        aif_run_opts ro = {.engine = o->engine ? AIF_ENGINE_SIM : AIF_ENGINE_ESTIMATE,
                           .sim = {.full = o->full, .trace = o->trace ? &trace : NULL, .progress = cli_progress,
                                   .progress_ctx = &prog},
                           .scaling = o->scaling};
        if (o->trace && (rc = aif_trace_check_path(o->trace, &e))) {   /* fail before the simulation */
            aif_catalog_free(cat);
            return cli_output_error(&e);
        }
        rc = aif_run_train(cat, &s, &ro, j, &e);
        if (!rc && o->trace && (rc = aif_trace_write(&trace, o->trace, &e))) {
            aif_trace_free(&trace);
            aif_catalog_free(cat);
            return cli_output_error(&e);
        }
        aif_trace_free(&trace);
    }
    aif_catalog_free(cat);   /* the results are plain data: nothing points into it */
    return rc ? cli_report_error(&e) : EXIT_OK;
}
