/* cli.h -- the aifsim command line: one file per subcommand, each a thin layer
 * over libaifsim that parses options, calls the library and prints. */
#ifndef AIF_CLI_H
#define AIF_CLI_H

#include "aifsim/aifsim.h"
#include "aifsim/api.h"
#include "aifsim/facility.h"
#include "aifsim/run.h"
#include "aifsim/sim.h"

#include <stdio.h>

/* Exit statuses, the same for every subcommand (README.md, docs/aifsim.1); CLI_RULES_HELP
 * ends every subcommand's --help with them and the rule for repeated options. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_OUTPUT = 4 };   /* EXIT_STRICT (3) below */
#define CLI_RULES_HELP \
    "Each option is given once (twice is an error), except --set and --catalog, which add up.\n" \
    "exit status: 0 done; 1 a failed verdict (validate over its bound), out of memory or\n" \
    "an internal error; 2 a bad command line or bad or unreadable input (the message names\n" \
    "file:line:col and the field); 3 with --strict, the job does not fit in memory or the\n" \
    "site cannot hold it (the output is printed all the same); 4 an output could not be\n" \
    "written (standard output, -o,\n" \
    "--trace: a full disk, a closed pipe, a read-only file); killed by SIGINT, SIGTERM or\n" \
    "SIGPIPE it removes its temporary files and dies by that signal\n"

int cmd_train(int argc, char **argv);
int cmd_infer(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_facility(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_collective(int argc, char **argv);
int cmd_topology(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_cluster(int argc, char **argv);

/* Prints "aifsim: <file:line:col: path: msg>" to stderr and returns the exit status for rc. */
int cli_report_error(const aif_err *e);
/* The same for an error writing an output (-o, --trace): EXIT_OUTPUT for AIF_EIO. */
int cli_output_error(const aif_err *e);
/* Before any subcommand: handlers for SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGXFSZ that remove
 * the library's temporary files and re-raise; standard output buffered whole when it
 * is not a terminal, so a failed write is seen with its reason. */
void cli_init(void);
/* After the subcommand: flushes standard output; a failed write is reported and gives
 * EXIT_OUTPUT (unless status is already a usage error); else status. */
int cli_finish(int status);
/* Prints a usage error with a hint to see --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Loads the built-in catalogs plus user files; prints errors. */
int cli_load_catalog(aif_catalog **c, char *const *files, int n_files);

#define CLI_MAX_OVERRIDES 128
#define CLI_MAX_CATALOGS 16

/* The options given so far on a command line (cli_once). */
typedef struct cli_seen { const char *names[64]; int n; } cli_seen;

/* Options every subcommand that runs a job takes. */
typedef struct cli_opts {
    aif_override ov[CLI_MAX_OVERRIDES];
    char origins[CLI_MAX_OVERRIDES][64];
    int n_ov;
    char *catalogs[CLI_MAX_CATALOGS];
    int n_cat;
    int json;
    int engine;              /* 0 estimate, 1 sim */
    int full;                /* sim: every data-parallel replica */
    const char *trace;       /* sim: Chrome trace file */
    int scaling;             /* also the strong-scaling curve (aifsim report) */
    cli_seen seen;           /* options given so far (cli_once) */
} cli_opts;

/* A finite number in [lo, hi] from an option's value (nan, inf, trailing text and
 * values outside refused, naming the option); EXIT_OK or EXIT_USAGE (printed). */
int cli_parse_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *out);
/* One rule for repeated options in every subcommand: an option given twice is an
 * error naming it, except --set and --catalog, which accumulate.  seen holds the
 * options given so far (zeroed per command line); EXIT_OK or EXIT_USAGE (printed). */
int cli_once(const char *cmd, cli_seen *seen, const char *opt);

/* Takes --json, --set PATH=VALUE or --catalog FILE at argv[*i] (advancing *i past a
 * value): 1 when taken, 0 when argv[*i] is none of them, -EXIT_USAGE on an error
 * (already printed). */
int cli_common_option(const char *cmd, int argc, char **argv, int *i, cli_opts *o);
/* Parses `[FILE] [--json] [--set PATH=VALUE] [--catalog FILE] [-o OUT]` (-o only when out
 * is not NULL; --json only when json_ok): returns -1 to go on, else the exit status
 * (EXIT_OK after --help, EXIT_USAGE after a printed error). */
int cli_parse_job_args(const char *cmd, int argc, char **argv, const char *help, int json_ok, cli_opts *o,
                       const char **file, const char **out);
/* Adds one PATH=VALUE override (arg is modified); EXIT_OK or EXIT_USAGE (printed). */
int cli_add_set(const char *cmd, char *arg, cli_opts *o);
/* Adds one override of path to value, named origin in errors ("--tp"); EXIT_OK or
 * EXIT_USAGE (printed) when there are too many. */
int cli_add_override(const char *cmd, cli_opts *o, const char *origin, const char *path, const char *value);
/* getopt_long codes every getopt-driven subcommand shares; a subcommand's own start at CLI_O_OWN. */
enum { CLI_O_JSON = 1000, CLI_O_SET, CLI_O_CATALOG, CLI_O_OWN };
/* What getopt_long returned (ch, idx) that every such subcommand handles alike: an
 * unknown option or a missing value, an option given twice, --json, --set, --catalog.
 * 1 when handled, 0 when ch is the subcommand's own, -status on an error (printed). */
struct option;
int cli_common_getopt(const char *cmd, int ch, const struct option *longopts, int idx, char **argv, cli_opts *o);
/* getopt_long's table of a command: the options that set one field each (fields, from
 * the library's table: val is the index), --json, --set, --catalog, --help, then the
 * command's own (own, ended by a zero entry); out holds CLI_MAX_LONGOPTS entries. */
#define CLI_MAX_LONGOPTS 128
void cli_longopts(const aif_option *fields, const struct option *own, struct option *out);
/* Prints json (malloc'd by a writer) and frees it; NULL is out of memory.  The exit status. */
int cli_print_json(FILE *f, char *json);

typedef aif_train_run cli_job;

/* Progress on stderr of a run of several seconds: a bar on a terminal, a line per
 * 10% otherwise, nothing for a run that ends within a second.  One per run, zeroed
 * before it (label: what is shown before the bar, e.g. "simulating"). */
typedef struct cli_progress_state {
    const char *label;
    double t0_s;          /* monotonic clock at the first call */
    int started, last_pct, shown;
} cli_progress_state;
/* An aif_sim_opts.progress callback; ctx is a cli_progress_state. */
void cli_progress(double done, void *ctx);
/* Loads the catalogs (with o's --catalog files), then the scenario by the one base
 * rule (aif_scenario_load_job: the file or example, else the default, options on it),
 * and runs it through the library's pipeline (aif_run_train).  Prints errors;
 * returns the exit status. */
int cli_run_job(const char *file, const cli_opts *o, cli_job *j);

/* --strict (strict.c): exit status 3 when the job does not fit in memory or the site
 * cannot hold it.  cli_take_strict removes every --strict from argv (not an option's
 * value) and returns how many there were; cli_strict_status prints why on stderr and
 * returns EXIT_STRICT, or EXIT_OK (memory only when with_memory). */
enum { EXIT_STRICT = 3 };
int cli_take_strict(int *argc, char **argv);
int cli_strict_status(const cli_job *j, int with_memory);

#endif
