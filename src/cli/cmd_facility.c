/* cmd_facility.c -- `aifsim facility`: the site of a scenario on its own: racks,
 * kW per rack, cooling, PUE, MW, GPUs under the grid cap, capex. */
#include "aifsim/facility.h"
#include "aifsim/report.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim facility [SCENARIO.yaml | EXAMPLE] [--json] [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Reports the site of a scenario: racks and kW per rack, the cooling that holds\n"
    "them, PUE, IT and facility megawatts, the swings of a training step, how many\n"
    "GPUs fit under the site's grid cap, capex, and, with a token budget, energy,\n"
    "carbon, water and the cost to train owned or rented.  The site is the\n"
    "scenario's `facility` and `cost` sections (docs/SCENARIOS.md).\n"
    "\n"
    "examples:\n"
    "  aifsim facility\n"
    "  aifsim facility --set facility.cooling=liquid --set facility.climate=hot\n"
    "  aifsim facility --set facility.power_cap=20MW --json\n";

int cmd_facility(int argc, char **argv)
{
    int json = 0;
    const char *file = NULL;
    aif_override ov[64];
    char *files[16];
    int n_ov = 0, n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--set") || !strcmp(argv[i], "--catalog")) {
            if (i + 1 >= argc)
                return cli_usage_error("facility", "option '%s' needs a value", argv[i]);
            if (!strcmp(argv[i], "--catalog")) {
                if (n_files == 16)
                    return cli_usage_error("facility", "at most 16 --catalog files");
                files[n_files++] = argv[++i];
                continue;
            }
            char *arg = argv[++i], *eq = strchr(arg, '=');
            if (!eq || eq == arg)
                return cli_usage_error("facility", "--set needs PATH=VALUE, e.g. --set facility.cooling=liquid");
            if (n_ov == 64)
                return cli_usage_error("facility", "too many options");
            *eq = '\0';
            ov[n_ov++] = (aif_override){arg, eq + 1, "--set"};
        } else if (argv[i][0] == '-') {
            return cli_usage_error("facility", "unknown option '%s'", argv[i]);
        } else if (!file) {
            file = argv[i];
        } else {
            return cli_usage_error("facility", "unexpected argument '%s'", argv[i]);
        }
    }
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, files, n_files);
    if (st)
        return st;
    const aif_facility_data *fd = aif_catalog_facility(cat);
    aif_scenario s;
    aif_train_result r;
    aif_facility_result fa;
    aif_cost_result co;
    aif_err e;
    if (aif_scenario_load(cat, file, ov, n_ov, &s, &e) != AIF_OK) {
        aif_catalog_free(cat);
        return cli_report_error(&e);
    }
    aif_facility_apply_limits(&s, fd);
    if (aif_estimate(&s, &r, &e) != AIF_OK || aif_facility_eval(&s, fd, &r, &fa, &e) != AIF_OK ||
        aif_cost_eval(&s, fd, &r, &fa, &co, &e) != AIF_OK) {
        aif_catalog_free(cat);
        return cli_report_error(&e);
    }
    if (json) {
        char *txt = aif_report_train_json(&s, &r, &fa, &co);
        if (txt)
            puts(txt);
        free(txt);
        st = txt ? EXIT_OK : EXIT_FAIL;
    } else {
        aif_report_facility_text(stdout, &s, &r, &fa, &co);
    }
    aif_catalog_free(cat);
    return st;
}
