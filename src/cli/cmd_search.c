/* cmd_search.c -- `aifsim search`: the best layout of a job on its GPU count, from a
 * scenario (file, example or the built-in default) with command-line overrides.
 * Thin: the library searches (aif_run_search) and the writers print.  The base's
 * layout is not the search's: the job is loaded with train.layout auto, and only the
 * layout options given here (--tp, --pp, --vpp, --cp, --ep, --etp, --mbs,
 * --recompute, --optimizer, and --set train.recompute_layers or train.dp_shard) fix a field. */
#include "aifsim/api.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/search.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim search [SCENARIO.yaml | EXAMPLE] [OPTIONS]\n"
    "\n"
    "Finds the best layout of a training job on its GPU count: every valid combination\n"
    "of tp, pp, vpp, cp, ep, etp (dp follows), micro-batch, recompute (none, selective,\n"
    "full), optimizer sharding (none, distributed, zero1, zero2, zero3) and the tp, dp and\n"
    "ep overlap switches that fits in memory, ranked by the objective.  A full recompute\n"
    "replays the fewest layers of each pipeline chunk that fit, shown full(N) (Megatron's\n"
    "block method; replaying more only adds time): --recompute full with\n"
    "--set train.recompute_layers=N fixes the count (0: every layer).  zero2 and zero3\n"
    "are also tried with hybrid sharding over each divisor of dp from 2, shown SxR in\n"
    "the dp column (--set train.dp_shard=S fixes it; 0: all of dp).  Prints the top K\n"
    "with step time, MFU and memory, the part of the step where #1 beats #2, and the\n"
    "model's errors on published runs like #1 (validated, as aifsim train); the\n"
    "search's time and rate go to standard error.  The base is SCENARIO.yaml or EXAMPLE\n"
    "when given, else the built-in default scenario; its layout is ignored (the job is\n"
    "loaded with train.layout auto), and the first line names the base.\n"
    "\n"
    "the job (any option of aifsim train that sets a field is taken):\n"
    "  --model NAME --gpu NAME --system NAME --gpus N --seq N --gbs N\n"
    "  --precision bf16|fp8|nvfp4|mxfp4  --tokens N (days and cost of a run at #1's step)\n"
    "  --tp N --pp N --vpp N --cp N --ep N --etp N --mbs N --recompute MODE\n"
    "  --optimizer MODE      each one given is fixed; the others are searched\n"
    "  --framework NAME      software stack (aifsim catalog frameworks; default megatron-core)\n"
    "search:\n"
    "  --objective time|cost|energy\n"
    "                        time: step time (default); cost: owned cost per step (the\n"
    "                        site's fixed cost per second and electricity); energy: facility\n"
    "                        energy per step (each phase of the step at its site power)\n"
    "  --top K               layouts printed, 1 to 64 (default 5)\n"
    "  --engine estimate|sim sim: simulate the top K and re-rank them by the simulator\n"
    "other:\n"
    "  --set PATH=VALUE      set any scenario field    --catalog FILE   add catalog entries\n"
    "  --json                one JSON object: {\"results\": [...], \"candidates\": N,\n"
    "                        \"evaluated_per_s\": R, ...}, best first\n"
    "  -h, --help            this help\n"
    "\n"
    "examples:\n"
    "  aifsim search --model llama3-70b --gpu h100-sxm --gpus 1024 --seq 8192 --gbs 512\n"
    "  aifsim search --model mixtral-8x7b --gpus 64 --gbs 256 --seq 4096 --objective cost\n"
    "  aifsim search --top 3 --json           (Llama 3 405B on 16,384 H100)\n"
    "\n" CLI_RULES_HELP;

enum { O_OBJECTIVE = CLI_O_OWN, O_TOP, O_ENGINE };

int cmd_search(int argc, char **argv)
{
    static const struct option own[] = {{"objective", required_argument, NULL, O_OBJECTIVE},
                                         {"top", required_argument, NULL, O_TOP},
                                         {"engine", required_argument, NULL, O_ENGINE},
                                         {0, 0, 0, 0}};
    const aif_option *opt_paths = aif_train_options();
    struct option longopts[CLI_MAX_LONGOPTS];
    cli_longopts(opt_paths, own, longopts);

    static cli_opts o;
    memset(&o, 0, sizeof o);
    aif_search_opts so = {.objective = AIF_OBJ_TIME, .top = 5, .engine = AIF_ENGINE_ESTIMATE};
    aif_best_space_all(&so.space);
    unsigned fixed = 0;   /* AIF_AUTO_* bits of the degrees given; 1 << 7 recompute, 1 << 8 optimizer */
    optind = 1;
    opterr = 0;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        int taken = cli_common_getopt("search", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (ch == O_OBJECTIVE) {
            if ((so.objective = aif_objective_index(optarg)) < 0)
                return cli_usage_error("search", "--objective '%s' (accepted: time, cost, energy)", optarg);
            continue;
        }
        if (ch == O_TOP) {
            double k;
            if (cli_parse_number("search", "--top", optarg, 1, AIF_BEST_MAX_TOP, &k) || k != (int)k)
                return cli_usage_error("search", "--top '%s': expected a whole number from 1 to %d", optarg,
                                       AIF_BEST_MAX_TOP);
            so.top = (int)k;
            continue;
        }
        if (ch == O_ENGINE) {
            int e = aif_name_index(aif_engine_names, optarg);
            if (e < 0)
                return cli_usage_error("search", "--engine '%s' (accepted: estimate, sim)", optarg);
            so.engine = e;
            continue;
        }
        static const struct { const char *path; unsigned bit; } fix[] = {
            {"train.tp", AIF_AUTO_TP}, {"train.pp", AIF_AUTO_PP}, {"train.vpp", AIF_AUTO_VPP},
            {"train.cp", AIF_AUTO_CP}, {"train.ep", AIF_AUTO_EP}, {"train.etp", AIF_AUTO_ETP},
            {"train.mbs", AIF_AUTO_MBS}, {"train.recompute", 1u << 7}, {"train.optimizer", 1u << 8}};
        for (size_t i = 0; i < sizeof fix / sizeof fix[0]; i++)
            if (!strcmp(opt_paths[ch].path, fix[i].path))
                fixed |= fix[i].bit;
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", opt_paths[ch].option);
        if (cli_add_override("search", &o, origin, opt_paths[ch].path, optarg))
            return EXIT_USAGE;
    }
    const char *file = NULL;
    if (optind < argc)
        file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("search", "unexpected argument '%s' (one scenario file at most)", argv[optind]);
    if (cli_add_override("search", &o, "search", "train.layout", "auto"))
        return EXIT_USAGE;

    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o.catalogs, o.n_cat);
    if (st)
        return st;
    static aif_scenario s;
    static aif_search_run run;
    aif_err e;
    aif_rc rc = aif_scenario_load_job(cat, file, o.ov, o.n_ov, &s, &e);
    if (!rc) {
        s.n_options--;   /* train.layout auto is the command's, not an option given */
        aif_best_space given;
        aif_best_space_auto(&s, AIF_AUTO_LAYOUT & ~fixed, &given);
        so.space.tp = given.tp, so.space.pp = given.pp, so.space.vpp = given.vpp, so.space.cp = given.cp;
        so.space.ep = given.ep, so.space.etp = given.etp, so.space.mbs = given.mbs;
        if (fixed & 1u << 7)
            so.space.recompute = s.train.recompute;
        if (fixed & 1u << 8)
            so.space.optimizer = s.train.optimizer;
        /* a count of layers replayed, given on the command line (--set), is kept; else a
         * full recompute replays the fewest of each chunk that fit */
        for (int i = 0; i < o.n_ov; i++)
            if (!strcmp(o.ov[i].path, "train.recompute_layers"))
                so.space.recompute_layers = s.train.recompute_layers;
            else if (!strcmp(o.ov[i].path, "train.dp_shard"))   /* the same for hybrid sharding */
                so.space.dp_shard = s.train.par.dp_shard;
        cli_progress_state prog = {.label = "simulating"};
        so.sim = (aif_sim_opts){.progress = cli_progress, .progress_ctx = &prog};
        rc = aif_run_search(cat, &s, &so, &run, &e);
    }
    aif_catalog_free(cat);
    if (rc)
        return cli_report_error(&e);
    if (o.json)
        return cli_print_json(stdout, aif_report_search_json(&run));
    aif_report_search_text(stdout, &run);
    aif_report_search_timing_text(stderr, &run);
    return EXIT_OK;
}
