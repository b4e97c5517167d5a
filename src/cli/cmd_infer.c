/* cmd_infer.c -- `aifsim infer`: a serving deployment simulated request by request
 * (include/aifsim/serve.h).  Options set one scenario field each (serve.*, model,
 * cluster.*); the base is SCENARIO.yaml or a built-in example, else the example
 * serve-llama3-70b.  `aifsim infer plan` sizes the cheapest deployment that meets
 * the SLO (aif_plan_serve) over candidate GPU kinds, tp values and precisions.
 * --disaggregate P:D splits the replicas into prefill and decode pools. */
#include "aifsim/api.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/serve.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char help[] =
    "usage: aifsim infer [SCENARIO.yaml | EXAMPLE] [--model NAME] [--gpu NAME | --system NAME]\n"
    "                    [--gpus N] [--tp N] [--pp N] [--ep N] [--precision bf16|fp8|fp4]\n"
    "                    [--replicas N] [--mode offline|server] [--qps Q] [--concurrency N]\n"
    "                    [--requests N] [--input-tokens N] [--output-tokens N] [--trace FILE]\n"
    "                    [--slo ttft_p99=2s,tpot_p99=100ms] [--seed N] [--json]\n"
    "                    [--set PATH=VALUE] [--catalog FILE]\n"
    "\n"
    "Simulates a model served on replicas of tp x pp GPUs: requests arrive (Poisson or\n"
    "gamma at a rate, all at once offline, or from an Azure or Mooncake trace), a router\n"
    "sends each to a replica, and each replica batches continuously (token budget,\n"
    "maximum batch, chunked prefill, paged KV cache with preemption, prefix caching).\n"
    "Each iteration is timed by the step graph of its batch on the analytical engine.\n"
    "Prints TTFT, TPOT and end-to-end latency percentiles, throughput, goodput under the\n"
    "SLO, KV-cache peak, power, joules and dollars per output token (docs/SERVING.md).\n"
    "The base is SCENARIO.yaml or EXAMPLE, else the built-in example serve-llama3-70b\n"
    "(Llama 3 70B on one DGX H100, tp 8, fp8, server mode); the options refine it and\n"
    "the first line names it.\n"
    "\n"
    "  --model NAME          a catalog model (aifsim catalog models)\n"
    "  --gpu NAME            the accelerator (the system built around it is used)\n"
    "  --system NAME         the node (aifsim catalog systems)\n"
    "  --gpus N              GPUs of the cluster; replicas default to gpus / (tp x pp)\n"
    "  --tp N, --pp N        tensor and pipeline parallelism of one replica\n"
    "  --ep N                expert parallelism of a mixture-of-experts model (divides tp)\n"
    "  --precision P         weights and GEMMs: bf16, fp8, fp4 (where the GPU has it);\n"
    "                        the KV cache follows unless serve.kv_precision is set;\n"
    "                        serve.weight_precision stores the weights narrower (fp4\n"
    "                        under bf16: W4A16), serve.expert_precision and\n"
    "                        expert_weight_precision set a MoE's routed experts apart\n"
    "  --replicas N          model replicas behind the router\n"
    "  --mode M              server (arrivals at --qps) or offline (every request at t = 0)\n"
    "  --qps Q               mean arrival rate, requests per second (server mode)\n"
    "  --concurrency N       a closed loop instead: N clients, each sending its next\n"
    "                        request when its last one finished (as benchmark tools do)\n"
    "  --requests N          requests simulated (with --trace: at most N of it)\n"
    "  --input-tokens N      prompt tokens per request (fixed; distributions: --set)\n"
    "  --output-tokens N     generated tokens per request\n"
    "  --trace FILE          replay an Azure CSV (TIMESTAMP,ContextTokens,GeneratedTokens)\n"
    "                        or a Mooncake JSONL trace (timestamp, input_length,\n"
    "                        output_length, hash_ids)\n"
    "  --slo LIST            targets a request must meet to count in the goodput:\n"
    "                        ttft_p99=2s,tpot_p99=100ms,e2e_p99=30s\n"
    "  --seed N              seed of the arrivals and lengths (same seed, same output)\n"
    "  --json                one JSON object instead of the text summary\n"
    "  --set PATH=VALUE      any scenario field, e.g. --set serve.arrival.dist=gamma\n"
    "                        --set serve.arrival.cv=3 --set serve.router=round-robin\n"
    "                        --set serve.router=cache-aware (to the replica whose routed\n"
    "                        prompts share the longest prefix: SGLang's and vLLM's router)\n"
    "                        --set serve.admission=no_evict (reserve prompt + output KV\n"
    "                        blocks at admission, never preempt: TensorRT-LLM's default)\n"
    "                        --set serve.admission=sglang (SGLang's scheduler: admit while\n"
    "                        the cache holds the running outputs x new_token_ratio, prefill\n"
    "                        batches apart from decodes, retract when a decode has no room)\n"
    "                        --set serve.overlap_schedule=true (the scheduler forms each\n"
    "                        iteration while the one before runs: SGLang's default since\n"
    "                        v0.4; a request arriving mid-iteration waits one more)\n"
    "                        --set serve.kv_memory=free (the KV cache takes\n"
    "                        gpu_memory_fraction of the memory left after weights,\n"
    "                        activations and workspace: TensorRT-LLM's sizing; default\n"
    "                        hbm, a share of the whole HBM for all of it: vLLM's)\n"
    "                        --set serve.preemption=swap (a preempted sequence's KV blocks\n"
    "                        go to host memory and come back, instead of recomputed)\n"
    "  --catalog FILE        add a user catalog\n"
    "  -h, --help            this help\n"
    "\n"
    "aifsim infer plan [SCENARIO.yaml | EXAMPLE] [the options above] --qps Q --slo ...\n"
    "                  [--gpus-from GPU,GPU,...] [--tps N,N,...] [--precisions P,P,...]\n"
    "                  [--eps N|tp,...] [--splits none|P:D,...] [--max-gpus N]\n"
    "  sizes the cheapest deployment that meets every --slo target at --qps: for each\n"
    "  shape (GPU kind x tp x weight precision x ep x prefill:decode split) the fewest\n"
    "  replicas (or P:D units) whose simulated p99s meet the targets (doubling, then\n"
    "  bisecting), ranked by cost per million output tokens owned.  --gpus-from (or\n"
    "  --candidates): GPU kinds (default: the scenario's); --tps: tp values (default 1,\n"
    "  2, 4, 8 up to a node's GPUs); --precisions: GEMMs and weights (default the\n"
    "  scenario's; the weights column shows serve.weight_precision where it is set);\n"
    "  --eps: expert parallelism, tp meaning the whole tp group (default 1,tp for a\n"
    "  mixture of experts, else the scenario's); --splits: none (colocated) or P:D\n"
    "  prefill and decode replicas (default none,1:1,1:3; with --disaggregate, its\n"
    "  ratio); --max-gpus: largest deployment tried (default 1024).\n"
    "\n"
    "  --disaggregate P:D    P prefill replicas take the arrivals; each prompt's KV cache\n"
    "                        then crosses the scale-out fabric to one of D decode replicas\n"
    "\n"
    "examples:\n"
    "  aifsim infer\n"
    "  aifsim infer --qps 4 --slo ttft_p99=2s,tpot_p99=100ms\n"
    "  aifsim infer --model llama3-8b --gpus 8 --tp 1 --mode offline --requests 5000\n"
    "  aifsim infer --trace azure_conv_2024.csv --replicas 2 --tp 4 --json\n"
    "  aifsim infer plan --model llama3-70b --qps 8 --slo ttft_p99=2s,tpot_p99=50ms \\\n"
    "       --gpus-from h100-sxm,h200,b200 --precisions bf16,fp8\n"
    "\n" CLI_RULES_HELP;

enum { O_SLO = CLI_O_OWN, O_DISAGG, O_CANDIDATES, O_TPS, O_PRECISIONS, O_EPS, O_SPLITS, O_MAX_GPUS };
enum { MAX_CANDIDATES = 64 };

/* What `infer plan` adds to the options: the candidate lists (the text is modified). */
typedef struct plan_args {
    char *gpus[MAX_CANDIDATES];
    int n_gpus;
    aif_plan_opts po;
} plan_args;

/* --slo ttft_p99=2s,tpot_p99=100ms: one serve.slo.KEY override per item (arg is modified). */
static int add_slo(cli_opts *o, char *arg)
{
    static char paths[8][64];
    int n = 0;
    for (char *save = NULL, *it = strtok_r(arg, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(it, '=');
        if (!eq || eq == it || !eq[1])
            return cli_usage_error("infer", "--slo item '%s' is not KEY=VALUE (accepted keys: ttft_p99, tpot_p99, "
                                   "e2e_p99; e.g. --slo ttft_p99=2s,tpot_p99=100ms)", it);
        if (n == 8)
            return cli_usage_error("infer", "--slo takes at most 8 targets");
        *eq = '\0';
        snprintf(paths[n], sizeof paths[n], "serve.slo.%.50s", it);
        if (cli_add_override("infer", o, "--slo", paths[n], eq + 1))
            return EXIT_USAGE;
        n++;
    }
    if (!n)
        return cli_usage_error("infer", "--slo needs KEY=VALUE items, e.g. ttft_p99=2s,tpot_p99=100ms");
    return EXIT_OK;
}

static int run(const char *file, const cli_opts *o, aif_serve_run *j)
{
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    static aif_scenario s;
    aif_err e;
    const unsigned sections = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_rc rc = aif_scenario_load_sections(cat, file ? file : "serve-llama3-70b", o->ov, o->n_ov, sections, &s, &e);
    if (!rc) {
        cli_progress_state prog = {.label = "serving"};
        aif_serve_opts so = {.progress = cli_progress, .progress_ctx = &prog};
        rc = aif_run_serve(cat, &s, &so, j, &e);
    }
    aif_catalog_free(cat);
    return rc ? cli_report_error(&e) : EXIT_OK;
}

/* Splits a comma list in place; -1 when it has more than max items or an empty one. */
static int split(char *arg, char **out, int max)
{
    int n = 0;
    for (char *save = NULL, *it = strtok_r(arg, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        if (n == max)
            return -1;
        out[n++] = it;
    }
    return n > 0 ? n : -1;
}

static int plan_option(int ch, char *arg, plan_args *pa)
{
    char *items[AIF_PLAN_MAX_TP + AIF_PLAN_MAX_PREC + AIF_PLAN_MAX_EP + AIF_PLAN_MAX_SPLIT + MAX_CANDIDATES];
    if (ch == O_CANDIDATES) {
        pa->n_gpus = split(arg, pa->gpus, MAX_CANDIDATES);
        if (pa->n_gpus < 0)
            return cli_usage_error("infer plan", "--gpus-from (--candidates) takes 1 to %d GPU names, e.g. h100-sxm,h200,b200",
                                   MAX_CANDIDATES);
        for (int i = 0; i < pa->n_gpus; i++)
            for (int k = 0; k < i; k++)
                if (!strcmp(pa->gpus[i], pa->gpus[k]))
                    return cli_usage_error("infer plan", "--gpus-from names '%s' twice", pa->gpus[i]);
    } else if (ch == O_TPS) {
        int n = split(arg, items, AIF_PLAN_MAX_TP);
        if (n < 0)
            return cli_usage_error("infer plan", "--tps takes 1 to %d values, e.g. 1,2,4,8", AIF_PLAN_MAX_TP);
        for (int i = 0; i < n; i++) {
            double v;
            if (cli_parse_number("infer plan", "--tps", items[i], 1, 1024, &v))
                return EXIT_USAGE;
            if (v != (int)v)
                return cli_usage_error("infer plan", "--tps: '%s' is not a whole number from 1 to 1024", items[i]);
            for (int k = 0; k < pa->po.n_tp; k++)
                if (pa->po.tps[k] == (int)v)
                    return cli_usage_error("infer plan", "--tps names %d twice", (int)v);
            pa->po.tps[pa->po.n_tp++] = (int)v;
        }
    } else if (ch == O_PRECISIONS) {
        int n = split(arg, items, AIF_PLAN_MAX_PREC);
        if (n < 0)
            return cli_usage_error("infer plan", "--precisions takes 1 to %d of bf16, fp8, fp4", AIF_PLAN_MAX_PREC);
        for (int i = 0; i < n; i++) {
            int k = -1;
            for (int j = 0; aif_prec_names[j]; j++)
                if (!strcmp(items[i], aif_prec_names[j]))
                    k = j;
            if (k != AIF_BF16 && k != AIF_FP8 && k != AIF_FP4)
                return cli_usage_error("infer plan", "--precisions: '%s' (accepted: bf16, fp8, fp4)", items[i]);
            for (int q = 0; q < pa->po.n_prec; q++)
                if (pa->po.precisions[q] == k)
                    return cli_usage_error("infer plan", "--precisions names %s twice", items[i]);
            pa->po.precisions[pa->po.n_prec++] = k;
        }
    } else if (ch == O_EPS) {
        int n = split(arg, items, AIF_PLAN_MAX_EP);
        if (n < 0)
            return cli_usage_error("infer plan", "--eps takes 1 to %d values, each a number or tp, e.g. 1,tp",
                                   AIF_PLAN_MAX_EP);
        for (int i = 0; i < n; i++) {
            double v = 0;
            if (strcasecmp(items[i], "tp")) {
                if (cli_parse_number("infer plan", "--eps", items[i], 1, 1024, &v))
                    return EXIT_USAGE;
                if (v != (int)v)
                    return cli_usage_error("infer plan", "--eps: '%s' is not tp or a whole number from 1 to 1024",
                                           items[i]);
            }
            for (int k = 0; k < pa->po.n_ep; k++)
                if (pa->po.eps[k] == (int)v)
                    return cli_usage_error("infer plan", "--eps names %s twice", items[i]);
            pa->po.eps[pa->po.n_ep++] = (int)v;
        }
    } else if (ch == O_SPLITS) {
        int n = split(arg, items, AIF_PLAN_MAX_SPLIT);
        if (n < 0)
            return cli_usage_error("infer plan", "--splits takes 1 to %d of none and P:D, e.g. none,1:1,1:3",
                                   AIF_PLAN_MAX_SPLIT);
        for (int i = 0; i < n; i++) {
            int pr = 0, de = 0, used = 0;
            if (strcasecmp(items[i], "none") &&
                (sscanf(items[i], "%d:%d%n", &pr, &de, &used) != 2 || items[i][used] || pr < 1 || de < 1 ||
                 pr > 64 || de > 64))
                return cli_usage_error("infer plan", "--splits: '%s' is not none or P:D (prefill:decode replicas, "
                                       "each 1 to 64, e.g. 1:3)", items[i]);
            for (int k = 0; k < pa->po.n_split; k++)
                if (pa->po.splits[k][0] == pr && pa->po.splits[k][1] == de)
                    return cli_usage_error("infer plan", "--splits names %s twice", items[i]);
            pa->po.splits[pa->po.n_split][0] = pr;
            pa->po.splits[pa->po.n_split][1] = de;
            pa->po.n_split++;
        }
    } else {   /* O_MAX_GPUS */
        double v;
        if (cli_parse_number("infer plan", "--max-gpus", arg, 1, 1 << 20, &v))
            return EXIT_USAGE;
        if (v != (int)v)
            return cli_usage_error("infer plan", "--max-gpus: '%s' is not a whole number from 1 to 1048576", arg);
        pa->po.max_gpus = (int)v;
    }
    return EXIT_OK;
}

/* Loads one scenario per candidate GPU (the options, then cluster.gpu = it), plans. */
static int run_plan(const char *file, cli_opts *o, plan_args *pa)
{
    if (pa->n_gpus > 0 && o->n_ov == CLI_MAX_OVERRIDES)
        return cli_usage_error("infer plan", "too many options (at most %d)", CLI_MAX_OVERRIDES - 1);
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    int n = pa->n_gpus > 0 ? pa->n_gpus : 1;
    aif_scenario *sc = calloc((size_t)n, sizeof *sc);
    const aif_scenario *ptr[MAX_CANDIDATES];
    aif_serve_plan *plan = malloc(sizeof *plan);
    aif_err e;
    aif_rc rc = AIF_OK;
    if (!sc || !plan) {
        free(plan);
        free(sc);
        aif_catalog_free(cat);
        fprintf(stderr, "aifsim infer plan: out of memory\n");
        return EXIT_FAIL;
    }
    const unsigned sections = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    for (int g = 0; g < n && !rc; g++) {
        int n_ov = o->n_ov;
        if (pa->n_gpus > 0)
            o->ov[n_ov++] = (aif_override){"cluster.gpu", pa->gpus[g], "--gpus-from"};
        rc = aif_scenario_load_sections(cat, file ? file : "serve-llama3-70b", o->ov, n_ov, sections, &sc[g], &e);
        ptr[g] = &sc[g];
    }
    if (!rc && pa->po.n_ep == 0 && sc[0].model.moe.experts > 0 && !sc[0].serve.dp_attention) {
        pa->po.eps[0] = 1;   /* a mixture of experts: without expert parallelism, and over the whole tp group */
        pa->po.eps[1] = 0;
        pa->po.n_ep = 2;
    }
    if (!rc && pa->po.n_split == 0) {
        int pr = sc[0].serve.disagg.prefill, de = sc[0].serve.disagg.decode;
        if (pr > 0) {   /* --disaggregate given: its ratio, in lowest terms (a unit), only */
            int a = pr, b = de;
            while (b) {
                int t = a % b;
                a = b;
                b = t;
            }
            pa->po.splits[0][0] = pr / a;
            pa->po.splits[0][1] = de / a;
            pa->po.n_split = 1;
        } else {   /* colocated, and prefill:decode 1:1 and 1:3 */
            static const int dflt[3][2] = {{0, 0}, {1, 1}, {1, 3}};
            memcpy(pa->po.splits, dflt, sizeof dflt);
            pa->po.n_split = 3;
        }
    }
    if (!rc) {
        cli_progress_state prog = {.label = "planning"};
        pa->po.progress = cli_progress;
        pa->po.progress_ctx = &prog;
        rc = aif_plan_serve(cat, ptr, n, &pa->po, plan, &e);
    }
    if (!rc && o->json)
        st = cli_print_json(stdout, aif_report_plan_json(plan));
    else if (!rc)
        aif_report_plan_text(stdout, plan);
    else
        st = cli_report_error(&e);
    free(plan);
    free(sc);
    aif_catalog_free(cat);
    return st;
}

int cmd_infer(int argc, char **argv)
{
    static const struct option own[] = {{"slo", required_argument, NULL, O_SLO},
                                         {"disaggregate", required_argument, NULL, O_DISAGG},
                                         {"gpus-from", required_argument, NULL, O_CANDIDATES},
                                         {"candidates", required_argument, NULL, O_CANDIDATES},
                                         {"eps", required_argument, NULL, O_EPS},
                                         {"splits", required_argument, NULL, O_SPLITS},
                                         {"tps", required_argument, NULL, O_TPS},
                                         {"precisions", required_argument, NULL, O_PRECISIONS},
                                         {"max-gpus", required_argument, NULL, O_MAX_GPUS},
                                         {0, 0, 0, 0}};
    /* the options that set one field each: the library's table (include/aifsim/api.h) */
    const aif_option *fields = aif_infer_options();
    struct option longopts[CLI_MAX_LONGOPTS];
    cli_longopts(fields, own, longopts);
    int plan = argc >= 2 && !strcmp(argv[1], "plan");
    if (plan) {   /* the rest parses as infer's options, with the plan's own */
        argc--;
        argv++;
    }
    static plan_args pa;
    memset(&pa, 0, sizeof pa);
    static cli_opts o;
    memset(&o, 0, sizeof o);
    optind = 1;
    opterr = 0;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        int taken = cli_common_getopt("infer", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (ch >= O_CANDIDATES && ch <= O_MAX_GPUS) {
            if (!plan)
                return cli_usage_error("infer", "--%s belongs to 'aifsim infer plan'", longopts[idx].name);
            if (plan_option(ch, optarg, &pa))   /* given once: cli_common_getopt checked */
                return EXIT_USAGE;
            continue;
        }
        if (ch == O_DISAGG) {   /* P:D -> serve.disaggregate.prefill and .decode */
            char *colon = strchr(optarg, ':');
            if (!colon || colon == optarg || !colon[1])
                return cli_usage_error("infer", "--disaggregate '%s' is not P:D (prefill and decode replicas, e.g. 1:3)",
                                       optarg);
            *colon = '\0';
            if (cli_add_override("infer", &o, "--disaggregate", "serve.disaggregate.prefill", optarg) ||
                cli_add_override("infer", &o, "--disaggregate", "serve.disaggregate.decode", colon + 1))
                return EXIT_USAGE;
            continue;
        }
        if (ch == O_SLO) {
            if (add_slo(&o, optarg))
                return EXIT_USAGE;
        } else {
            char origin[64];
            snprintf(origin, sizeof origin, "--%s", fields[ch].option);
            if (cli_add_override("infer", &o, origin, fields[ch].path, optarg))
                return EXIT_USAGE;
        }
    }
    const char *file = NULL;
    if (optind < argc)
        file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("infer", "unexpected argument '%s' (one scenario file at most)", argv[optind]);
    if (plan)
        return run_plan(file, &o, &pa);
    static aif_serve_run j;
    int st = run(file, &o, &j);
    if (!st && o.json) {
        st = cli_print_json(stdout, aif_report_serve_json(&j));
    } else if (!st) {
        aif_report_serve_text(stdout, &j);
    }
    return st;
}
