/* cmd_cluster.c -- `aifsim cluster`: many jobs on one cluster (include/aifsim/cluster.h).
 * Options set one scenario field each (operations.*), or choose the load (--trace,
 * --format); the base is SCENARIO.yaml or a built-in example, else the default
 * scenario, whose training job then runs alone on its cluster. */
#include "aifsim/cluster.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim cluster [SCENARIO.yaml] [--trace FILE --format philly|helios|pai|acme|synthetic]\n"
    "                      [--policy fifo|backfill|fairshare|sjf|srtf|las] [--placement packed|spread|firstfit]\n"
    "                      [--days N] [--seed N] [--json] [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Simulates many jobs on one cluster: jobs arrive, a scheduling policy picks (gang\n"
    "scheduling), a placement puts each on nodes of the cluster's topology (scale-up\n"
    "domains, leaves, pods), and they run, fail, restart from checkpoints and end.\n"
    "Failures are drawn per component class (GPU, HBM, NIC, network, host, software)\n"
    "at rates from the Llama 3 paper (data/failures.yaml); hot spares, drained nodes,\n"
    "checkpoints on a storage tier at the Young/Daly interval.  Prints JCT, queueing,\n"
    "utilisation, fragmentation, interruptions by cause, ETTR, lost GPU-hours, power,\n"
    "energy and cost per tenant (docs/CLUSTER.md).  Without a trace or --format\n"
    "synthetic, the scenario's training job runs alone on its cluster: with no scenario,\n"
    "Llama 3 405B on 16,384 H100 (--days 54 is the Llama 3 paper's setting).\n"
    "\n"
    "  --trace FILE          replay a GPU cluster trace (needs --format)\n"
    "  --format F            the trace's format: philly, helios, pai, acme; synthetic\n"
    "                        without --trace generates a multi-tenant load on the cluster\n"
    "                        (operations.synthetic: jobs, rate, sizes, durations, tenants;\n"
    "                        operations.load: synthetic makes it the scenario's load)\n"
    "  --policy P            fifo, backfill (priority + EASY backfill), fairshare, sjf,\n"
    "                        srtf (preemptive), las (Tiresias, preemptive)\n"
    "  --placement P         packed, spread, firstfit (also most-allocated and\n"
    "                        least-allocated: Kubernetes bin packing, with --set)\n"
    "  --days N              stop after N days (default: when the last job ends)\n"
    "  --seed N              seed of the failures and the synthetic load\n"
    "  --json                one JSON object instead of the text summary\n"
    "  --set PATH=VALUE      any scenario field, e.g. --set operations.failures.spare_nodes=16\n"
    "                        --set operations.checkpoint.interval=30min\n"
    "                        --set operations.curtailment.cap=20MW\n"
    "  --catalog FILE        add a user catalog\n"
    "  -h, --help            this help\n"
    "\n"
    "examples:\n"
    "  aifsim cluster --days 54\n"
    "  aifsim cluster --format synthetic --policy sjf --days 7\n"
    "  aifsim cluster --trace cluster_log.csv --format helios --policy las --json\n"
    "\n" CLI_RULES_HELP;

static const struct { const char *opt, *path; } fields[] = {
    {"policy", "operations.policy"}, {"placement", "operations.placement"}, {"seed", "operations.seed"},
};
enum { N_FIELDS = sizeof fields / sizeof fields[0], O_TRACE = CLI_O_OWN, O_FORMAT, O_DAYS };

int cmd_cluster(int argc, char **argv)
{
    struct option longopts[N_FIELDS + 8];
    for (int i = 0; i < N_FIELDS; i++)
        longopts[i] = (struct option){fields[i].opt, required_argument, NULL, i};
    longopts[N_FIELDS] = (struct option){"json", no_argument, NULL, CLI_O_JSON};
    longopts[N_FIELDS + 1] = (struct option){"set", required_argument, NULL, CLI_O_SET};
    longopts[N_FIELDS + 2] = (struct option){"catalog", required_argument, NULL, CLI_O_CATALOG};
    longopts[N_FIELDS + 3] = (struct option){"trace", required_argument, NULL, O_TRACE};
    longopts[N_FIELDS + 4] = (struct option){"format", required_argument, NULL, O_FORMAT};
    longopts[N_FIELDS + 5] = (struct option){"days", required_argument, NULL, O_DAYS};
    longopts[N_FIELDS + 6] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[N_FIELDS + 7] = (struct option){0, 0, 0, 0};
    static cli_opts o;
    memset(&o, 0, sizeof o);
    optind = 1;
    opterr = 0;
    int ch, idx, format = -1;
    const char *trace = NULL;
    char days[64];
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        int taken = cli_common_getopt("cluster", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (ch == O_TRACE) {
            trace = optarg;
        } else if (ch == O_FORMAT) {
            format = aif_name_index(aif_trace_format_names, optarg);
            if (format < 0)
                return cli_usage_error("cluster", "unknown --format '%s' (accepted: philly, helios, pai, acme, "
                                       "synthetic)", optarg);
        } else if (ch == O_DAYS) {
            double d;
            if (cli_parse_number("cluster", "--days", optarg, 1e-6, 1e5, &d))
                return EXIT_USAGE;
            snprintf(days, sizeof days, "%.17gd", d);
            if (cli_add_override("cluster", &o, "--days", "operations.horizon", days))
                return EXIT_USAGE;
        } else {
            char origin[64];
            snprintf(origin, sizeof origin, "--%s", fields[ch].opt);
            if (cli_add_override("cluster", &o, origin, fields[ch].path, optarg))
                return EXIT_USAGE;
        }
    }
    const char *file = NULL;
    if (optind < argc)
        file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("cluster", "unexpected argument '%s' (one scenario file at most)", argv[optind]);
    int synthetic = aif_name_index(aif_trace_format_names, "synthetic");
    if (trace && format < 0)
        return cli_usage_error("cluster", "--trace needs --format (philly, helios, pai or acme)");
    if (trace && format == synthetic)
        return cli_usage_error("cluster", "--format synthetic generates its load; it reads no --trace");
    if (!trace && format >= 0 && format != synthetic)
        return cli_usage_error("cluster", "--format %s needs --trace FILE", aif_trace_format_names[format]);
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o.catalogs, o.n_cat);
    if (st)
        return st;
    static aif_scenario s;
    static aif_cluster_run run;
    aif_err e;
    aif_rc rc = aif_scenario_load_sections(cat, file, o.ov, o.n_ov,
                                           AIF_SECTION_ALL | AIF_SECTION_OPS | AIF_SECTION_SERVE, &s, &e);
    if (!rc) {
        cli_progress_state prog = {.label = "scheduling"};
        int load = trace ? AIF_LOAD_TRACE
                   : format == synthetic || s.ops.load == 1 ? AIF_LOAD_SYNTHETIC
                                                            : AIF_LOAD_DEFAULT_JOB;
        aif_cluster_opts co = {.load = load,
                               .trace = trace, .format = format, .progress = cli_progress, .progress_ctx = &prog};
        rc = aif_run_cluster(cat, &s, &co, &run, &e);
    }
    aif_catalog_free(cat);
    if (rc)
        return cli_report_error(&e);
    if (o.json)
        return cli_print_json(stdout, aif_report_cluster_json(&run));
    aif_report_cluster_text(stdout, &run);
    return EXIT_OK;
}
