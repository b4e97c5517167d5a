/* cli.h -- the aifsim command line: one file per subcommand, each a thin layer
 * over libaifsim that parses options, calls the library and prints. */
#ifndef AIF_CLI_H
#define AIF_CLI_H

#include "aifsim/aifsim.h"
#include "aifsim/facility.h"
#include "aifsim/run.h"
#include "aifsim/sim.h"

/* exit statuses */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_train(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_facility(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_collective(int argc, char **argv);
int cmd_topology(int argc, char **argv);

/* Prints "aifsim: <file:line:col: path: msg>" to stderr and returns the exit status for rc. */
int cli_report_error(const aif_err *e);
/* Prints a usage error with a hint to see --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Loads the built-in catalogs plus user files; prints errors. */
int cli_load_catalog(aif_catalog **c, char *const *files, int n_files);

#define CLI_MAX_OVERRIDES 128
#define CLI_MAX_CATALOGS 16

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
} cli_opts;

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

typedef aif_train_run cli_job;

/* Progress of a simulation on stderr (aif_sim_opts.progress). */
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
