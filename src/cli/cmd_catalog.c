/* cmd_catalog.c -- `aifsim catalog [KIND [NAME]]`: the built-in catalogs as
 * tables or JSON; one entry with NAME as a card (or JSON), with the source of every
 * figure.  The library writes them (aif_report_catalog_text, _entry_text, _json). */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim catalog [gpus|systems|fabrics|models|frameworks|storage [NAME]] [--json] [--catalog FILE]\n"
    "\n"
    "Lists the catalogs built into aifsim (data/*.yaml), or one entry as a card: each\n"
    "figure with its unit and [N], each distinct source once at the end.  --json prints\n"
    "JSON instead (one entry: with \"sources\", the citation of each figure).  Units:\n"
    "B, B/s and W with SI prefixes (GB = 10^9 bytes); --catalog FILE adds your own\n"
    "entries first.\n"
    "\n"
    "examples:\n"
    "  aifsim catalog\n"
    "  aifsim catalog gpus\n"
    "  aifsim catalog models llama3-405b\n"
    "  aifsim catalog gpus h100-sxm --json\n"
    "  aifsim catalog fabrics --json\n"
    "  aifsim catalog frameworks torchtitan   (software stacks: what each changes)\n"
    "  aifsim catalog storage ddn-ai400x2t\n"
    "\n" CLI_RULES_HELP;

/* An unknown kind is a usage error; an unknown name points at the kind's list. */
static int catalog_error(const aif_err *e)
{
    if (e->rc != AIF_EINPUT)
        return cli_report_error(e);
    if (!e->path[0])
        return cli_usage_error("catalog", "%s", e->msg);
    fprintf(stderr, "aifsim catalog: %s (see: aifsim catalog %s)\n", e->msg, e->path);
    return EXIT_USAGE;
}

int cmd_catalog(int argc, char **argv)
{
    int json = 0;
    const char *kind = NULL, *name = NULL;
    char *files[CLI_MAX_CATALOGS] = {0};
    int n_files = 0;
    cli_seen seen = {.n = 0};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            if (cli_once("catalog", &seen, "--json"))
                return EXIT_USAGE;
            json = 1;
        } else if (!strcmp(argv[i], "--catalog")) {
            if (i + 1 >= argc)
                return cli_usage_error("catalog", "option '--catalog' needs a file");
            if (n_files == CLI_MAX_CATALOGS)
                return cli_usage_error("catalog", "at most %d --catalog files", CLI_MAX_CATALOGS);
            files[n_files++] = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("catalog", "unknown option '%s'", argv[i]);
        } else if (!kind) {
            kind = argv[i];
        } else if (!name) {
            name = argv[i];
        } else {
            return cli_usage_error("catalog", "unexpected argument '%s'", argv[i]);
        }
    }
    aif_catalog *c;
    int st = cli_load_catalog(&c, files, n_files);
    if (st)
        return st;
    aif_err e;
    aif_rc rc;
    if (name && !json) {
        rc = kind ? aif_report_catalog_entry_text(stdout, c, kind, name, &e) : AIF_OK;
    } else if (json || name) {
        char *txt;
        rc = aif_report_catalog_json(c, kind, name, &txt, &e);
        if (!rc) {
            puts(txt);
            free(txt);
        }
    } else {
        rc = aif_report_catalog_text(stdout, c, kind, &e);
    }
    aif_catalog_free(c);
    return rc ? catalog_error(&e) : EXIT_OK;   /* standard output is checked in cli_finish */
}
