/* cmd_sweep.c -- `aifsim sweep SWEEP.yaml --out results.db`: a design-space sweep
 * (docs/SWEEPS.md) run by the library (include/aifsim/sweep.h) on threads and, under
 * mpirun, on MPI ranks.  This file parses options, draws progress on stderr and prints
 * the summary; only rank 0 prints. */
#include "aifsim/report.h"
#include "aifsim/sweep.h"
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char help[] =
    "usage: aifsim sweep SWEEP.yaml --out RESULTS.db [--csv FILE] [--jobs N] [--json] [--catalog FILE]\n"
    "\n"
    "Runs every point of a design-space sweep and stores one row per point in a SQLite\n"
    "database.  The sweep file names a base scenario, a command (train, facility or\n"
    "infer) and axes: scenario fields (the paths --set takes, catalog names included)\n"
    "with a list of values or a range, crossed or zipped (docs/SWEEPS.md).  Each point\n"
    "runs in this process through the library, exactly as the command would run it;\n"
    "a point the model rejects (a layout that does not divide, weights over HBM) is a\n"
    "row with its error.  The table is named after the command: a column per axis and\n"
    "per field of the command's --json output (named by its path).  Points already in\n"
    "the store are skipped, so a killed sweep started again goes on where it stopped.\n"
    "Under mpirun the points are split over the ranks and rank 0 writes the store.\n"
    "\n"
    "  --out FILE      the SQLite store (created when missing; WAL mode)\n"
    "  --csv FILE      also write the command's table as CSV (replaced whole)\n"
    "  --jobs N        threads per process (default: every core)\n"
    "  --json          print the summary as one JSON object, and no progress\n"
    "  --catalog FILE  add catalog entries from FILE (same format as data/*.yaml)\n"
    "  -h, --help      this help\n"
    "\n"
    "Progress goes to stderr: a bar with points, rate and ETA on a terminal, a line\n"
    "every few seconds otherwise, nothing with --json.\n"
    "\n"
    "examples:\n"
    "  aifsim sweep examples/sweep-gpus.yaml --out results.db\n"
    "  aifsim sweep examples/sweep-gpus.yaml --out results.db --csv results.csv --jobs 4\n"
    "  mpirun -np 4 aifsim sweep examples/sweep-gpus.yaml --out results.db\n"
    "\n" CLI_RULES_HELP;

enum { O_OUT = CLI_O_OWN, O_CSV, O_JOBS };

typedef struct progress_state {
    int tty;
    double last_s;      /* when progress was last shown */
    int shown;
} progress_state;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

static void fmt_eta(char *buf, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (s < 0 || s > 1e8)
        snprintf(buf, n, "?");
    else if (t < 60)
        snprintf(buf, n, "%lds", t);
    else if (t < 3600)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%ldh%02ldm", t / 3600, t % 3600 / 60);
}

/* A bar redrawn at most 5 times a second on a terminal; a line every 5 s otherwise. */
static void progress(const aif_sweep_status *st, void *ctx)
{
    progress_state *ps = ctx;
    double t = now_s();
    long to_run = st->points - st->stored_before;
    int end = st->done >= to_run;
    if (!end && t - ps->last_s < (ps->tty ? 0.2 : 5.0))
        return;
    if (!ps->tty && !ps->shown && end)
        return;   /* a sweep shorter than the interval: nothing on a log */
    ps->last_s = t;
    double rate = st->elapsed_s > 0 ? (double)st->done / st->elapsed_s : 0;
    char eta[32];
    fmt_eta(eta, sizeof eta, rate > 0 ? (double)(to_run - st->done) / rate : -1);
    double frac = to_run > 0 ? (double)st->done / (double)to_run : 1;
    if (ps->tty) {
        char bar[31];
        int k = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < k ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\rsweeping [%s] %ld/%ld points  %.0f/s  ETA %s   ", bar, st->done, to_run, rate, eta);
        if (end)
            fputc('\n', stderr);
    } else {
        fprintf(stderr, "aifsim sweep: %ld/%ld points (%.0f%%), %.0f/s, ETA %s\n", st->done, to_run, 100 * frac, rate,
                eta);
    }
    ps->shown = 1;
    fflush(stderr);
}

int cmd_sweep(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, O_OUT},          {"csv", required_argument, NULL, O_CSV},
        {"jobs", required_argument, NULL, O_JOBS},        {"json", no_argument, NULL, CLI_O_JSON},
        {"catalog", required_argument, NULL, CLI_O_CATALOG}, {"help", no_argument, NULL, 'h'},
        {0, 0, 0, 0}};
    static cli_opts o;
    memset(&o, 0, sizeof o);
    const char *out = NULL, *csv = NULL;
    double jobs = 0;
    optind = 1;
    opterr = 0;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            printf("\nMPI in this build: %s\n", aif_sweep_mpi_support());
            return EXIT_OK;
        }
        int taken = cli_common_getopt("sweep", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (ch == O_OUT)
            out = optarg;
        else if (ch == O_CSV)
            csv = optarg;
        else if (ch == O_JOBS && cli_parse_number("sweep", "--jobs", optarg, 1, 1024, &jobs))
            return EXIT_USAGE;
        else if (ch == O_JOBS && jobs != (int)jobs)
            return cli_usage_error("sweep", "--jobs '%s' is not a whole number of threads", optarg);
    }
    if (optind >= argc)
        return cli_usage_error("sweep", "no sweep file (usage: aifsim sweep SWEEP.yaml --out RESULTS.db)");
    const char *file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("sweep", "unexpected argument '%s' (one sweep file)", argv[optind]);
    if (!out)
        return cli_usage_error("sweep", "--out RESULTS.db is needed: the SQLite store the rows go to");

    aif_err e;
    aif_sweep *sw = NULL;
    if (aif_sweep_load(file, &sw, &e))
        return cli_report_error(&e);
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o.catalogs, o.n_cat);
    if (st) {
        aif_sweep_free(sw);
        return st;
    }
    progress_state ps = {.tty = isatty(2), .last_s = now_s()};
    aif_sweep_opts so = {
        .jobs = (int)jobs,
        .csv = csv,
        .writers = {aif_report_train_json, aif_report_facility_json, aif_report_serve_json, aif_report_cluster_json},
        .progress = o.json ? NULL : progress,
        .progress_ctx = &ps,
    };
    aif_sweep_status res;
    aif_rc rc = aif_sweep_run(cat, sw, out, &so, &res, &e);
    if (rc) {
        st = rc == AIF_EIO && e.path[0] == '-' ? cli_output_error(&e) : cli_report_error(&e);
    } else if (res.rank == 0 && o.json) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "sweep", json_object_new_string(file));
        json_object_object_add(j, "command", json_object_new_string(aif_sweep_table(sw)));
        json_object_object_add(j, "out", json_object_new_string(out));
        json_object_object_add(j, "table", json_object_new_string(aif_sweep_table(sw)));
        json_object_object_add(j, "points", json_object_new_int64(res.points));
        json_object_object_add(j, "stored_before", json_object_new_int64(res.stored_before));
        json_object_object_add(j, "run", json_object_new_int64(res.done));
        json_object_object_add(j, "rejected", json_object_new_int64(res.rejected));
        json_object_object_add(j, "jobs", json_object_new_int(res.jobs));
        json_object_object_add(j, "ranks", json_object_new_int(res.ranks));
        json_object_object_add(j, "elapsed_s", json_object_new_double(res.elapsed_s));
        json_object_object_add(j, "points_per_s",
                               json_object_new_double(res.elapsed_s > 0 ? (double)res.done / res.elapsed_s : 0));
        printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(j);
    } else if (res.rank == 0) {
        printf("aifsim %s: sweep %s (%s)\n", AIF_VERSION, file, aif_sweep_table(sw));
        printf("  points    %ld over %d axes:", res.points, aif_sweep_n_axes(sw));
        for (int a = 0; a < aif_sweep_n_axes(sw); a++)
            printf(" %s", aif_sweep_axis_path(sw, a));
        printf("\n  run       %ld, %ld of them rejected by the model (their rows hold the error)\n", res.done,
               res.rejected);
        printf("  skipped   %ld already in the store\n", res.stored_before);
        printf("  store     %s, table %s%s%s\n", out, aif_sweep_table(sw), csv ? "; CSV " : "", csv ? csv : "");
    }
    aif_catalog_free(cat);
    aif_sweep_free(sw);
    return st;
}
