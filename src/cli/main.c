/* main.c -- aifsim entry point: dispatches subcommands; no arguments runs the
 * built-in default scenario (Llama 3 405B on 16,384 H100). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "aifsim " AIF_VERSION " -- a digital twin of an AI factory\n"
    "\n"
    "usage: aifsim [COMMAND] [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  (none)      estimate the built-in default scenario: Llama 3 405B pre-training on\n"
    "              16,384 H100 SXM (TP8 PP16 DP128, 8K sequences, 15.6T tokens)\n"
    "  train       estimate a training job: step time, MFU, memory, days to train, and its\n"
    "              power, cooling, energy, carbon, water and cost owned or rented\n"
    "  search      the best layout of a training job: every tp, pp, vpp, cp, ep, etp, mbs,\n"
    "              recompute, optimizer sharding and overlap that fits, by time, cost or energy\n"
    "  infer       simulate inference serving: TTFT, TPOT, throughput, goodput, KV cache,\n"
    "              joules and dollars per token of a model on replicas of a GPU kind;\n"
    "              infer plan: the cheapest deployment that meets the latency targets\n"
    "  cluster     many jobs on one cluster: scheduling policies, placement on the topology,\n"
    "              failures, checkpoints, ETTR, power over time, cost per tenant\n"
    "  compare     one training or serving job on several systems side by side\n"
    "  facility    the site on its own: racks, kW per rack, cooling, PUE, MW, grid cap, capex\n"
    "  topology    the cluster's network: switches and links per tier, bisection, oversubscription\n"
    "  report      write one self-contained HTML report with plots (-o report.html)\n"
    "  collective  an nccl-tests-style table of one collective on a cluster\n"
    "  catalog     list the built-in accelerators, systems, fabrics and models\n"
    "  validate    compare predictions with published measurements\n"
    "  sweep       run a design-space sweep (SWEEP.yaml) into a SQLite store, on threads or MPI\n"
    "\n"
    "  aifsim COMMAND --help   shows the options of a command, with examples\n"
    "                          (also: aifsim help COMMAND, aifsim COMMAND help)\n"
    "  aifsim --version        prints the version\n"
    "\n"
    "examples:\n"
    "  aifsim\n"
    "  aifsim train --model llama3-70b --gpu h100-sxm --gpus 1024 --tp 8 --pp 4 --gbs 512 --seq 8192\n"
    "  aifsim train my-cluster.yaml --json\n"
    "  aifsim infer --model llama3-70b --tp 8 --qps 4 --slo ttft_p99=2s,tpot_p99=100ms\n"
    "  aifsim catalog gpus\n"
    "  aifsim validate\n";

int cli_report_error(const aif_err *e)
{
    char buf[1400];
    aif_err_format(e, buf, sizeof buf);
    fprintf(stderr, "aifsim: %s\n", buf);
    /* input that is wrong or cannot be read is the user's to fix: status 2 */
    return e->rc == AIF_EINPUT || e->rc == AIF_EIO ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "aifsim%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see: aifsim %s%s--help)\n", cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

int cli_load_catalog(aif_catalog **c, char *const *files, int n_files)
{
    aif_err e;
    if (aif_catalog_load_builtin(c, &e) != AIF_OK)
        return cli_report_error(&e);
    for (int i = 0; i < n_files; i++)
        if (aif_catalog_add_file(*c, files[i], &e) != AIF_OK) {
            aif_catalog_free(*c);
            *c = NULL;
            return cli_report_error(&e);
        }
    if (n_files && aif_catalog_check_params(*c, &e) != AIF_OK) {
        aif_catalog_free(*c);
        *c = NULL;
        return cli_report_error(&e);
    }
    return EXIT_OK;
}

static const char *const commands[] = {"train", "search", "infer", "cluster", "facility", "topology", "report",
                                       "collective", "catalog", "validate", "compare", "sweep", NULL};

static int run(int argc, char **argv)
{
    if (argc < 2)
        return cmd_train(argc, argv);
    const char *cmd = argv[1];
    /* `aifsim help train` and `aifsim train help` are `aifsim train --help` */
    static char help_opt[] = "--help";
    char *as_help[4] = {argv[0], NULL, help_opt, NULL};
    for (int i = 0; commands[i] && argc == 3; i++) {
        if ((!strcmp(cmd, "help") && !strcmp(argv[2], commands[i])) ||
            (!strcmp(cmd, commands[i]) && !strcmp(argv[2], "help"))) {
            as_help[1] = !strcmp(cmd, "help") ? argv[2] : argv[1];
            argv = as_help;
            cmd = argv[1];
            break;
        }
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("aifsim %s\n", AIF_VERSION);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "train"))
        return cmd_train(argc - 1, argv + 1);
    if (!strcmp(cmd, "search"))
        return cmd_search(argc - 1, argv + 1);
    if (!strcmp(cmd, "infer"))
        return cmd_infer(argc - 1, argv + 1);
    if (!strcmp(cmd, "cluster"))
        return cmd_cluster(argc - 1, argv + 1);
    if (!strcmp(cmd, "catalog"))
        return cmd_catalog(argc - 1, argv + 1);
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 1, argv + 1);
    if (!strcmp(cmd, "topology"))
        return cmd_topology(argc - 1, argv + 1);
    if (!strcmp(cmd, "facility"))
        return cmd_facility(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return cmd_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "collective"))
        return cmd_collective(argc - 1, argv + 1);
    if (!strcmp(cmd, "compare"))
        return cmd_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep"))
        return cmd_sweep(argc - 1, argv + 1);
    if (cmd[0] == '-')   /* options of the default job: `aifsim --json` */
        return cmd_train(argc, argv);
    return cli_usage_error(NULL, "unknown command '%s' (accepted: train, search, infer, cluster, compare, facility, topology, report, collective, catalog, validate, sweep)", cmd);
}

int main(int argc, char **argv)
{
    cli_init();
    return cli_finish(run(argc, argv));
}
