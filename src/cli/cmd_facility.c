/* cmd_facility.c -- `aifsim facility`: the site of a scenario on its own: racks,
 * kW per rack, cooling, PUE, MW, GPUs under the grid cap, capex. */
#include "aifsim/report.h"
#include "cli.h"

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
    "  aifsim facility --set facility.power_cap=20MW --json\n"
    "\n" CLI_RULES_HELP;

int cmd_facility(int argc, char **argv)
{
    const char *file;
    static cli_opts o;
    int st = cli_parse_job_args("facility", argc, argv, help, 1, &o, &file, NULL);
    if (st >= 0)
        return st;
    static cli_job j;
    st = cli_run_job(file, &o, 0, &j);
    if (!st && o.json) {
        char *txt = aif_report_train_json(&j);
        if (txt)
            puts(txt);
        else
            st = EXIT_FAIL;
        free(txt);
    } else if (!st) {
        aif_report_facility_text(stdout, &j);
    }
    return st;
}
