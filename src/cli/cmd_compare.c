/* cmd_compare.c -- `aifsim compare`: one job on several catalog systems, side by side.
 *
 * Each system of --systems runs the same scenario (the base and the options given, with
 * cluster.system set to it) through the library's pipeline, as `aifsim train` or, with
 * --infer, `aifsim infer` would run it alone; one row per system.  Training rows: step
 * time, tokens/s, tokens/s per GPU, MFU, the site's average power and the owned cost per
 * million trained tokens (the run's owned cost over train.tokens); serving rows: output
 * tokens/s, per GPU, TPOT p50, power per GPU and the owned cost per million output
 * tokens.  Each row names its catalog status (the least settled of its gpu, system and
 * fabrics: measured < specification < announced) and marks a roofline bound (an
 * accelerator without kernel calibration) with '*'.  A figure that rests on a catalog
 * field the entry leaves out (tdp, price) reads n/a rather than a zero.
 * Invariants: rows are in the order of --systems; a system that fails to load or run
 * prints its error on stderr, its row says so, and the exit status is 2; the figures
 * are the library's, only the per-token cost is divided here.  Over the public headers
 * only. */
#include "aifsim/api.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/serve.h"
#include "aifsim/version.h"
#include "cli.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim compare --systems A,B[,...] [SCENARIO.yaml | EXAMPLE] [OPTIONS]\n"
    "       aifsim compare --infer --systems A,B[,...] [SCENARIO.yaml | EXAMPLE] [OPTIONS]\n"
    "\n"
    "Runs one job on each catalog system named by --systems and prints them side by\n"
    "side.  Training (the default; the base and options as aifsim train takes them):\n"
    "step time, tokens/s, tokens/s per GPU, MFU, the site's average power, the owned\n"
    "cost per million trained tokens (train.tokens), and the analytical engine's\n"
    "median error and bias on the published runs of each accelerator's family (aifsim\n"
    "validate --classes; JSON validated_family, null under 5 runs).  With --infer (the\n"
    "base and options as aifsim infer takes them): output tokens/s, tokens/s per GPU,\n"
    "TPOT p50, power per GPU, the owned cost per million output tokens, and the\n"
    "simulator's median error and bias on the throughput of the published serving runs\n"
    "of the model's kind (dense or MoE) on each accelerator's family (aifsim validate\n"
    "--infer-classes).  Each row\n"
    "gives its catalog status (measured, specification, announced: the least settled\n"
    "of its accelerator, system and fabrics); '*' marks a roofline bound (an accelerator\n"
    "family with no published kernel measurement: times are lower bounds).  n/a: the\n"
    "catalog leaves out the figure it rests on (an accelerator's power or price).\n"
    "\n"
    "  --systems LIST        catalog systems, comma-separated (aifsim catalog systems)\n"
    "  --infer               compare a serving deployment instead of a training step\n"
    "  --json                one JSON object: {mode, rows: [...]}\n"
    "  --set PATH=VALUE      any scenario field, as in train and infer\n"
    "  --catalog FILE        add a user catalog\n"
    "  -h, --help            this help\n"
    "training options: those of aifsim train that set one scenario field (--model,\n"
    "  --gpus, --tp, --pp, --cp, --ep, --gbs, --mbs, --seq, --precision, --recompute,\n"
    "  --optimizer, --tokens, ...), but not --gpu or --system: --systems names them.\n"
    "serving options (with --infer): --model, --gpus, --tp, --pp, --ep, --precision,\n"
    "  --replicas, --mode, --qps, --requests, --input-tokens, --output-tokens, --seed.\n"
    "Every system runs the same --gpus: give a count each one's node and scale-up domain\n"
    "divides (a torus or rack is built of whole domains).\n"
    "\n"
    "examples:\n"
    "  aifsim compare --systems gb300-nvl72,tpu7x-4,trn2-ultraserver --model llama3-70b \\\n"
    "                 --gpus 576 --tp 8 --pp 2 --gbs 576 --seq 8192\n"
    "  aifsim compare --infer --systems hgx-b300,mi355x-8,gaudi3-8 --model llama3-70b \\\n"
    "                 --gpus 8 --tp 8 --mode offline --requests 256\n"
    "\n" CLI_RULES_HELP;

/* serving's one-field options, as aifsim infer names them (cluster.gpu and .system left
 * out: --systems sets them) */
static const aif_option serve_options[] = {
    {"model", "model"}, {"gpus", "cluster.gpus"}, {"tp", "serve.tp"}, {"pp", "serve.pp"}, {"ep", "serve.ep"},
    {"precision", "serve.precision"}, {"replicas", "serve.replicas"}, {"mode", "serve.mode"},
    {"qps", "serve.qps"}, {"requests", "serve.requests"}, {"input-tokens", "serve.input_tokens"},
    {"output-tokens", "serve.output_tokens"}, {"seed", "serve.seed"}, {NULL, NULL},
};

enum { MAX_SYSTEMS = 16, MAX_FIELD_OPTIONS = 96, O_SYSTEMS = CLI_O_OWN, O_INFER };

typedef struct row {
    char system[AIF_NAME_MAX], gpu[AIF_NAME_MAX], model[AIF_NAME_MAX];
    int ok, status, roofline, gpus;
    int has_power, has_price;
    /* training */
    double step_s, tokens_per_s, tokens_per_s_per_gpu, mfu, site_W, usd_per_mtok;
    int fam_runs;                 /* the published runs of the accelerator's family (0: under 5) */
    double fam_median, fam_bias;  /* their median |error| and bias, in % (aif_train_run.classes; serving:
                                     its throughput rows, aif_serve_family_class) */
    /* serving (tokens_per_s, tokens_per_s_per_gpu and usd_per_mtok shared) */
    double tpot_p50_s, gpu_W;
} row;

/* The least settled status of the parts a cluster is built of (unstated counts least). */
static int cluster_status(const aif_cluster *c)
{
    static const int rank[] = {[AIF_STATUS_UNSTATED] = 0, [AIF_STATUS_MEASURED] = 1,
                               [AIF_STATUS_SPECIFICATION] = 2, [AIF_STATUS_ANNOUNCED] = 3};
    const int st[] = {c->gpu.status, c->system.status, c->fabric.status, c->scaleup.status};
    int best = AIF_STATUS_UNSTATED;
    for (int i = 0; i < 4; i++)
        if (st[i] >= 0 && st[i] <= AIF_STATUS_ANNOUNCED && rank[st[i]] > rank[best])
            best = st[i];
    return best;
}

static void fill_common(row *r, const aif_scenario *s)
{
    r->ok = 1;
    snprintf(r->gpu, sizeof r->gpu, "%s", s->cluster.gpu.name);
    snprintf(r->model, sizeof r->model, "%s", s->model.name);
    r->status = cluster_status(&s->cluster);
    r->roofline = s->cluster.gpu.calib.roofline;
    r->gpus = s->cluster.gpus;
    r->has_power = s->cluster.gpu.tdp_W > 0;
    r->has_price = s->cluster.gpu.price_usd > 0 || s->cluster.system.price_usd > 0;
}

static int run_train(const char *file, const cli_opts *o, row *r)
{
    static aif_train_run j;
    int st = cli_run_job(file, o, &j);
    if (st)
        return st;
    fill_common(r, &j.scenario);
    r->step_s = j.train.step_time_s;
    r->tokens_per_s = j.train.tokens_per_s;
    r->tokens_per_s_per_gpu = j.train.tokens_per_s_per_gpu;
    r->mfu = j.train.mfu;
    r->site_W = j.facility.facility_avg_W;
    double tokens = j.scenario.train.tokens;
    r->usd_per_mtok = tokens > 0 && j.cost.owned_usd > 0 ? j.cost.owned_usd / tokens * 1e6 : 0;
    for (int i = 0; i < j.n_classes; i++)
        if (!strcmp(j.classes[i].cls, "family")) {
            r->fam_runs = j.classes[i].runs;
            r->fam_median = j.classes[i].median_ape;
            r->fam_bias = j.classes[i].bias_pct;
        }
    return EXIT_OK;
}

static int run_serve(const char *file, const cli_opts *o, row *r)
{
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o->catalogs, o->n_cat);
    if (st)
        return st;
    static aif_scenario s;
    static aif_serve_run j;
    aif_err e;
    const unsigned sections = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_rc rc = aif_scenario_load_sections(cat, file ? file : "serve-llama3-70b", o->ov, o->n_ov, sections, &s, &e);
    if (!rc)
        rc = aif_run_serve(cat, &s, NULL, &j, &e);
    aif_catalog_free(cat);
    if (rc)
        return cli_report_error(&e);
    fill_common(r, &j.scenario);
    r->gpus = j.serve.gpus;
    r->tokens_per_s = j.serve.throughput_tokens_per_s;
    r->tokens_per_s_per_gpu = j.serve.gpus > 0 ? j.serve.throughput_tokens_per_s / j.serve.gpus : 0;
    r->tpot_p50_s = j.serve.tpot.p50_s;
    aif_run_class fam;
    if (aif_serve_family_class(&j.scenario, "throughput", &fam)) {   /* the serving table's, for throughput */
        r->fam_runs = fam.runs;
        r->fam_median = fam.median_ape;
        r->fam_bias = fam.bias_pct;
    }
    r->gpu_W = j.serve.gpu_avg_W;
    r->usd_per_mtok = j.serve.usd_per_million_tokens;
    return EXIT_OK;
}

static const char *status_word(int st)
{
    return st == AIF_STATUS_UNSTATED ? "-" : aif_status_name((aif_status)st);
}

static void print_text(const row *rows, int n, int infer, const char *model)
{
    printf("aifsim %s: compare, %s %s on %d system%s\n", AIF_VERSION, model, infer ? "serving" : "training", n,
           n == 1 ? "" : "s");
    if (infer)
        printf("\n%-18s %-12s %-13s %6s %10s %10s %9s %10s %11s  %s\n", "system", "gpu", "status", "gpus", "tokens/s",
               "per GPU", "TPOT p50", "power/GPU", "$/M tokens", "family |err|");
    else
        printf("\n%-18s %-12s %-13s %6s %9s %10s %9s %7s %11s %11s  %s\n", "system", "gpu", "status", "gpus", "step",
               "tokens/s", "per GPU", "MFU", "site power", "$/M tokens", "family |err|");
    int any_roofline = 0;
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (!r->ok) {
            printf("%-18s failed (the error is above)\n", r->system);
            continue;
        }
        any_roofline |= r->roofline;
        char a[32], b[32], c[32], d[32], f[32], g[32];
        aif_fmt_count(b, sizeof b, r->tokens_per_s);
        aif_fmt_count(c, sizeof c, r->tokens_per_s_per_gpu);
        if (r->has_price && r->usd_per_mtok > 0)
            aif_fmt_usd(g, sizeof g, r->usd_per_mtok);
        else
            snprintf(g, sizeof g, "n/a");
        char v[48];
        if (r->fam_runs > 0)
            snprintf(v, sizeof v, "%.1f%% (%+.1f%%, %d runs)", r->fam_median, r->fam_bias, r->fam_runs);
        else
            snprintf(v, sizeof v, "-");
        if (infer) {
            aif_fmt_si(d, sizeof d, r->tpot_p50_s, "s");
            if (r->has_power)
                aif_fmt_si(f, sizeof f, r->gpu_W, "W");
            else
                snprintf(f, sizeof f, "n/a");
            printf("%-18s %-12s %-13s %6d %10s %10s %9s %10s %11s  %s%s\n", r->system, r->gpu,
                   status_word(r->status), r->gpus, b, c, d, f, g, v, r->roofline ? " *" : "");
        } else {
            aif_fmt_si(a, sizeof a, r->step_s, "s");
            snprintf(d, sizeof d, "%.1f%%%s", r->mfu * 100, r->roofline ? "*" : "");
            if (r->has_power)
                aif_fmt_si(f, sizeof f, r->site_W, "W");
            else
                snprintf(f, sizeof f, "n/a");
            printf("%-18s %-12s %-13s %6d %9s %10s %9s %7s %11s %11s  %s\n", r->system, r->gpu, status_word(r->status),
                   r->gpus, a, b, c, d, f, g, v);
        }
    }
    if (any_roofline)
        printf("\n* roofline bound: no published kernel measurement of the accelerator's family; every kernel\n"
               "  at peak compute or memory bandwidth, so its times are lower bounds and its MFU an upper bound\n");
    printf("\nstatus: the least settled of the row's accelerator, system and fabrics (aifsim catalog);\n"
           "owned cost: depreciation, operations and electricity (docs/FACILITY.md)\n");
    if (infer)
        printf("family |err|: the simulator's median error on the throughput of the published serving runs of\n"
               "  the model's kind on the accelerator's family, its bias (above 0: more tokens/s than measured)\n"
               "  and the runs (aifsim validate --infer-classes); - where the table holds fewer than 5\n");
    else
        printf("family |err|: the analytical engine's median error on the published runs of the accelerator's\n"
               "  family, its bias (above 0: predicted faster than measured) and the runs (aifsim validate\n"
               "  --classes); - where the table holds fewer than 5\n");
}

static char *to_json(const row *rows, int n, int infer)
{
    json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    json_object_object_add(o, "mode", json_object_new_string(infer ? "infer" : "train"));
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        json_object *e = json_object_new_object();
        json_object_object_add(e, "system", json_object_new_string(r->system));
        json_object_object_add(e, "ok", json_object_new_boolean(r->ok));
        if (r->ok) {
            json_object_object_add(e, "gpu", json_object_new_string(r->gpu));
            json_object_object_add(e, "status", json_object_new_string(status_word(r->status)));
            json_object_object_add(e, "roofline_bound", json_object_new_boolean(r->roofline));
            json_object_object_add(e, "gpus", json_object_new_int(r->gpus));
            if (!infer) {
                json_object_object_add(e, "step_time_s", json_object_new_double(r->step_s));
                json_object_object_add(e, "mfu", json_object_new_double(r->mfu));
            } else {
                json_object_object_add(e, "tpot_p50_s", json_object_new_double(r->tpot_p50_s));
            }
            json_object *v = NULL;   /* null: fewer than 5 published runs of the family */
            if (r->fam_runs > 0) {
                v = json_object_new_object();
                json_object_object_add(v, "runs", json_object_new_int(r->fam_runs));
                json_object_object_add(v, "median_ape_pct", json_object_new_double(r->fam_median));
                json_object_object_add(v, "bias_pct", json_object_new_double(r->fam_bias));
            }
            json_object_object_add(e, "validated_family", v);
            json_object_object_add(e, "tokens_per_s", json_object_new_double(r->tokens_per_s));
            json_object_object_add(e, "tokens_per_s_per_gpu", json_object_new_double(r->tokens_per_s_per_gpu));
            /* null where the catalog leaves out what the figure rests on */
            json_object_object_add(e, infer ? "gpu_avg_W" : "facility_avg_W",
                                   r->has_power ? json_object_new_double(infer ? r->gpu_W : r->site_W) : NULL);
            json_object_object_add(e, "usd_per_million_tokens",
                                   r->has_price && r->usd_per_mtok > 0 ? json_object_new_double(r->usd_per_mtok)
                                                                       : NULL);
        }
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "rows", a);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}

int cmd_compare(int argc, char **argv)
{
    int infer = 0;
    for (int i = 1; i < argc; i++)   /* which option table applies is known before getopt runs */
        if (!strcmp(argv[i], "--infer"))
            infer = 1;
    const aif_option *table = infer ? serve_options : aif_train_options();
    int n_paths = 0;
    struct option longopts[MAX_FIELD_OPTIONS + 7];
    for (int i = 0; table[i].option && n_paths < MAX_FIELD_OPTIONS; i++)
        if (strcmp(table[i].option, "system") && strcmp(table[i].option, "gpu"))
            longopts[n_paths++] = (struct option){table[i].option, required_argument, NULL, i};
    longopts[n_paths] = (struct option){"json", no_argument, NULL, CLI_O_JSON};
    longopts[n_paths + 1] = (struct option){"set", required_argument, NULL, CLI_O_SET};
    longopts[n_paths + 2] = (struct option){"catalog", required_argument, NULL, CLI_O_CATALOG};
    longopts[n_paths + 3] = (struct option){"help", no_argument, NULL, 'h'};
    longopts[n_paths + 4] = (struct option){"systems", required_argument, NULL, O_SYSTEMS};
    longopts[n_paths + 5] = (struct option){"infer", no_argument, NULL, O_INFER};
    longopts[n_paths + 6] = (struct option){0, 0, 0, 0};

    static cli_opts o;
    memset(&o, 0, sizeof o);
    static char systems_arg[1024];
    systems_arg[0] = '\0';
    optind = 1;
    opterr = 0;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        if (ch == '?' && (!strcmp(argv[optind - 1], "--system") || !strcmp(argv[optind - 1], "--gpu")))
            return cli_usage_error("compare", "%s: name the systems to compare with --systems A,B,...",
                                   argv[optind - 1]);
        int taken = cli_common_getopt("compare", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken || ch == O_INFER)
            continue;
        if (ch == O_SYSTEMS) {
            if (strlen(optarg) >= sizeof systems_arg)
                return cli_usage_error("compare", "--systems: the list is longer than %zu characters",
                                       sizeof systems_arg - 1);
            snprintf(systems_arg, sizeof systems_arg, "%s", optarg);
            continue;
        }
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", table[ch].option);
        if (cli_add_override("compare", &o, origin, table[ch].path, optarg))
            return EXIT_USAGE;
    }
    const char *file = NULL;
    if (optind < argc)
        file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("compare", "unexpected argument '%s' (one scenario file at most)", argv[optind]);
    if (!systems_arg[0])
        return cli_usage_error("compare", "name the systems with --systems A,B,... (aifsim catalog systems)");

    static row rows[MAX_SYSTEMS];
    memset(rows, 0, sizeof rows);
    int n = 0;
    for (char *save = NULL, *it = strtok_r(systems_arg, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        if (!*it)
            continue;
        if (n == MAX_SYSTEMS)
            return cli_usage_error("compare", "--systems: at most %d systems", MAX_SYSTEMS);
        snprintf(rows[n++].system, sizeof rows[0].system, "%s", it);
    }
    if (!n)
        return cli_usage_error("compare", "--systems names no system");

    static cli_opts one;
    int status = EXIT_OK;
    for (int i = 0; i < n; i++) {
        one = o;
        if (cli_add_override("compare", &one, "--systems", "cluster.system", rows[i].system))
            return EXIT_USAGE;
        int st = infer ? run_serve(file, &one, &rows[i]) : run_train(file, &one, &rows[i]);
        if (st)
            status = st == EXIT_FAIL ? EXIT_FAIL : EXIT_USAGE;
    }
    const char *model = "the job";   /* the model the rows ran (the same for all) */
    for (int i = n - 1; i >= 0; i--)
        if (rows[i].ok)
            model = rows[i].model;
    if (o.json) {
        int st = cli_print_json(stdout, to_json(rows, n, infer));
        return st ? st : status;
    }
    print_text(rows, n, infer, model);
    return status;
}
