/* cmd_topology.c -- `aifsim topology`: the network a scenario's cluster is wired as. */
#include "aifsim/report.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

static const char help[] =
    "usage: aifsim topology [SCENARIO.yaml | EXAMPLE] [--json] [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Builds the scale-up domains and the scale-out Clos of a scenario's cluster and\n"
    "prints them: GPUs, nodes, NICs, switches per tier, directed links per tier,\n"
    "bisection bandwidth and oversubscription.  The wiring is the scenario's\n"
    "cluster.network section (docs/NETWORK.md): topology fat-tree|rail-optimized|\n"
    "rail-only, tiers, radix, oversubscription, spine_oversubscription, planes,\n"
    "routing auto|ecmp|adaptive (auto: the fabric's own), gpudirect, failed_links,\n"
    "degraded_links.\n"
    "The base is SCENARIO.yaml or EXAMPLE, else the built-in default scenario, as for\n"
    "aifsim train; the first line names it and any substitution.\n"
    "\n"
    "examples:\n"
    "  aifsim topology\n"
    "  aifsim topology --set cluster.network.topology=rail-only --set cluster.gpus=1024\n"
    "  aifsim topology --set cluster.network.oversubscription=3 --json\n"
    "\n" CLI_RULES_HELP;

int cmd_topology(int argc, char **argv)
{
    const char *file;
    static cli_opts o;
    int st = cli_parse_job_args("topology", argc, argv, help, 1, &o, &file, NULL);
    if (st >= 0)
        return st;
    aif_catalog *cat;
    if ((st = cli_load_catalog(&cat, o.catalogs, o.n_cat)))
        return st;
    static aif_scenario s;
    aif_err e;
    aif_rc rc = aif_scenario_load_cluster(cat, file, o.ov, o.n_ov, &s, &e);
    aif_catalog_free(cat);
    aif_topo *t = NULL;
    if (!rc)
        rc = aif_topo_build(&s.cluster, &t, &e);
    if (rc)
        return cli_report_error(&e);
    if (o.json) {
        char *txt = aif_report_topology_json(&s, aif_topo_get_summary(t));
        if (txt)
            puts(txt);
        else
            st = EXIT_FAIL;
        free(txt);
    } else {
        aif_report_header_text(stdout, &s, "the network");
        aif_report_topology_text(stdout, aif_topo_get_summary(t));
    }
    aif_topo_free(t);
    return st;
}
