/* cmd_facility.c -- `aifsim facility`: the site of a scenario on its own: racks,
 * kW per rack, cooling, PUE, MW, GPUs under the grid cap, capex, and the supply mix
 * and battery when the site has them.  The site needs the
 * cluster (GPUs, nodes, system, power) and the site sections; the job adds the power
 * over a step and the run.  A job that does not load (a layout that does not divide,
 * an unknown model: a check of the `train` or `model` section) does not stop the
 * site: it is sized with every GPU computing (aif_run_site), and a note says why the
 * job was not run. */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim facility [SCENARIO.yaml | EXAMPLE] [--json] [--strict] [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Reports the site of a scenario: racks and kW per rack, the cooling that holds\n"
    "them, PUE, IT and facility megawatts, the swings of a training step, how many\n"
    "GPUs fit under the site's grid cap, capex, and, with a token budget, energy,\n"
    "carbon, water and the cost to train owned or rented.  The site is the\n"
    "scenario's `facility` and `cost` sections (docs/SCENARIOS.md).  A site that\n"
    "cannot hold the job (racks no cooling holds, a job over the power cap) is\n"
    "stated as INFEASIBLE with its numbers.  With facility.supply (grid, PPA solar\n"
    "and wind, nuclear, gas turbines) it shows the mix in merit order, the blended\n"
    "price and carbon and the hours short of supply; with facility.battery (auto or\n"
    "a size) the grid-side swings with and without the battery and its losses.\n"
    "The base is SCENARIO.yaml or EXAMPLE, else the built-in default scenario, as for\n"
    "aifsim train; the first line names it and any substitution.\n"
    "\n"
    "  --strict   exit 3 when the site cannot hold the job (the output is printed\n"
    "             all the same)\n"
    "\n"
    "examples:\n"
    "  aifsim facility\n"
    "  aifsim facility --set facility.cooling=liquid --set facility.climate=hot\n"
    "  aifsim facility --set facility.power_cap=20MW --json\n"    "  aifsim facility --set 'facility.supply=[{kind: grid, capacity: 25MW}, {kind: ppa_solar,\n"
    "      capacity: 20MW}]' --set facility.battery=auto\n"
    "\n" CLI_RULES_HELP;

/* An error of the job's sections, which the site does not need. */
static int job_error(aif_rc rc, const aif_err *e)
{
    return rc == AIF_EINPUT && (!strncmp(e->path, "train", 5) || !strncmp(e->path, "model", 5));
}

static int run_site(const char *file, const cli_opts *o, cli_job *j)
{
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    static aif_scenario s;
    aif_err e, why;
    aif_rc rc = aif_scenario_load(cat, file, o->ov, o->n_ov, &s, &e);
    if (!rc) {
        rc = aif_run_train(cat, &s, NULL, j, &e);
    } else if (job_error(rc, &e)) {
        why = e;
        rc = aif_scenario_load_sections(cat, file, o->ov, o->n_ov, AIF_SECTION_CLUSTER | AIF_SECTION_SITE, &s, &e);
        if (!rc)
            rc = aif_run_site(cat, &s, j, &e);
        if (!rc && j->n_notes < AIF_MAX_RUN_NOTES) {
            aif_run_note *n = &j->notes[j->n_notes++];
            char shown[sizeof why.msg + 600];
            aif_err_format(&why, shown, sizeof shown);
            snprintf(n->path, sizeof n->path, "%.63s", why.path);
            snprintf(n->msg, sizeof n->msg, "the job was not run (%.200s); the site is sized with every GPU "
                     "computing, with no run (aifsim train shows the job)", shown);
        }
    }
    aif_catalog_free(cat);
    return rc ? cli_report_error(&e) : EXIT_OK;
}

int cmd_facility(int argc, char **argv)
{
    const char *file;
    static cli_opts o;
    int strict = cli_take_strict(&argc, argv);
    int st = cli_parse_job_args("facility", argc, argv, help, 1, &o, &file, NULL);
    if (st >= 0)
        return st;
    static cli_job j;
    st = run_site(file, &o, &j);
    if (!st && o.json) {
        char *txt = j.site_only ? aif_report_facility_json(&j) : aif_report_train_json(&j);
        if (txt)
            puts(txt);
        else
            st = EXIT_FAIL;
        free(txt);
    } else if (!st) {
        aif_report_facility_text(stdout, &j);
    }
    if (!st && strict)
        st = cli_strict_status(&j, 0);
    return st;
}
