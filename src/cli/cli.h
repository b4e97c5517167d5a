/* cli.h -- the aifsim command line: one file per subcommand, each a thin layer
 * over libaifsim that parses options, calls the library and prints. */
#ifndef AIF_CLI_H
#define AIF_CLI_H

#include "aifsim/aifsim.h"

/* exit statuses */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

int cmd_train(int argc, char **argv);
int cmd_catalog(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_facility(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Prints "aifsim: <file:line:col: path: msg>" to stderr and returns the exit status for rc. */
int cli_report_error(const aif_err *e);
/* Prints a usage error with a hint to see --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...);
/* Loads the built-in catalogs plus user files; prints errors. */
int cli_load_catalog(aif_catalog **c, char **files, int n_files);

#endif
