/* cmd_collective.c -- `aifsim collective`: an nccl-tests-style table of one
 * collective on a cluster, from the closed-form NCCL model (src/net/collective.c).
 * Over the public headers only: which algorithm applies is the library's rule
 * (include/aifsim/collective.h). */
#include "aifsim/collective.h"
#include "aifsim/graph.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/sim.h"
#include "aifsim/units.h"
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim collective --op allreduce|allgather|reducescatter|alltoall|sendrecv|broadcast|dispatch\n"
    "       [--gpu NAME | --system NAME] [--gpus N] [--gpus-per-node N] [--nics-per-node N]\n"
    "       [--fabric NAME] [--algo auto|ring|tree|nvls|collnet|pat] [--min-bytes 8] [--max-bytes 8G]\n"
    "       [--bytes SIZE] [--step-factor 2] [--engine estimate|sim] [--set PATH=VALUE] [--json]\n"
    "       [--catalog FILE]\n"
    "\n"
    "Prints what nccl-tests would print for one collective: size, element count, time\n"
    "(us), algorithm bandwidth and bus bandwidth (GB/s, with nccl-tests' bus-bandwidth\n"
    "factors: 2(n-1)/n for all-reduce, (n-1)/n for all-gather, reduce-scatter and\n"
    "all-to-all, 1 for send/receive and broadcast).  dispatch is an expert dispatch\n"
    "kernel's all-to-all (DeepEP, HybridEP), at the links' rate from the first megabytes,\n"
    "where NCCL's reaches it only at large buffers (the scale-up fabric's a2a_half); its\n"
    "bus bandwidth counts as the all-to-all's.  Sizes as nccl-tests takes them: 8, 1K, 64M, 8G\n"
    "(K, M, G binary), or with a unit such as 8GB or 8GiB.  Ranks are contiguous: NVLink\n"
    "inside a scale-up domain, the NICs across domains.  Defaults: 8 GPUs of a DGX H100,\n"
    "8 B to 8 GiB doubling.  --engine sim puts the collective's flows on the cluster's\n"
    "network (cluster.network, set with --set; docs/NETWORK.md) and slows its network phase\n"
    "to the rate they get there: oversubscription, ECMP collisions, failed links.\n"
    "\n"
    "examples:\n"
    "  aifsim collective --op allreduce --gpu h100-sxm --gpus 8\n"
    "  aifsim collective --op allreduce --system dgx-h100 --gpus 128 --bytes 8G\n"
    "  aifsim collective --op alltoall --system gb200-nvl72 --gpus 72 --json\n"
    "  aifsim collective --op allreduce --gpus 1024 --bytes 1G --engine sim \\\n"
    "      --set cluster.network.topology=fat-tree --set cluster.network.oversubscription=4\n"
    "\n" CLI_RULES_HELP;


static int parse_size(const char *s, double *out, char *why, size_t n)
{
    size_t len = strlen(s);
    if (s[0] == '-') {
        snprintf(why, n, "'%s' is negative (sizes are whole bytes, e.g. 8, 1K, 64M, 8G)", s);
        return -1;
    }
    if (len > 0 && strchr("KMGTP", toupper((unsigned char)s[len - 1])) && isdigit((unsigned char)s[0])) {
        char *end;
        double v = strtod(s, &end);
        if (end != s + len - 1 || v < 0) {
            snprintf(why, n, "'%s' is not a size (e.g. 8, 1K, 64M, 8G, 8GiB)", s);
            return -1;
        }
        int k = (int)(strchr("KMGTP", toupper((unsigned char)s[len - 1])) - "KMGTP") + 1;
        *out = v * pow(1024, k);
        return 0;
    }
    char *end;
    double v = strtod(s, &end);
    if (*s && !*end && isfinite(v) && v >= 0) {
        *out = v;
        return 0;
    }
    return aif_parse_qty(s, AIF_Q_BYTES, out, why, n);
}

static int pick(const char *cmd, const char *opt, const char *v, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (!strcmp(v, names[i]))
            return i;
    int n = 0;
    while (names[n])
        n++;
    int d = aif_did_you_mean(v, names, n);
    char list[160];
    size_t k = 0;
    list[0] = '\0';
    for (int i = 0; names[i] && k < sizeof list; i++)
        k += (size_t)snprintf(list + k, sizeof list - k, "%s%s", i ? ", " : "", names[i]);
    cli_usage_error(cmd, "%s: unknown value '%s'%s%s%s (accepted: %s)", opt, v, d >= 0 ? "; did you mean '" : "",
                    d >= 0 ? names[d] : "", d >= 0 ? "'?" : "", list);
    return -1;
}

int cmd_collective(int argc, char **argv)
{
    enum { O_OP = 1000, O_GPU, O_SYSTEM, O_GPUS, O_GPN, O_NICS, O_FABRIC, O_ALGO, O_MIN, O_MAX, O_BYTES, O_STEP,
           O_JSON, O_CATALOG, O_ENGINE, O_SET };
    static const struct option lo[] = {
        {"op", required_argument, NULL, O_OP}, {"gpu", required_argument, NULL, O_GPU},
        {"system", required_argument, NULL, O_SYSTEM}, {"gpus", required_argument, NULL, O_GPUS},
        {"gpus-per-node", required_argument, NULL, O_GPN}, {"nics-per-node", required_argument, NULL, O_NICS},
        {"fabric", required_argument, NULL, O_FABRIC}, {"algo", required_argument, NULL, O_ALGO},
        {"min-bytes", required_argument, NULL, O_MIN}, {"max-bytes", required_argument, NULL, O_MAX},
        {"bytes", required_argument, NULL, O_BYTES}, {"step-factor", required_argument, NULL, O_STEP},
        {"json", no_argument, NULL, O_JSON}, {"catalog", required_argument, NULL, O_CATALOG},
        {"engine", required_argument, NULL, O_ENGINE}, {"set", required_argument, NULL, O_SET},
        {"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
    int op = -1, algo = 0, json = 0, simulate = 0;
    double min_b = 8, max_b = 8.0 * 1073741824.0, step = 2;
    static cli_opts o;
    memset(&o, 0, sizeof o);
    optind = 1;
    opterr = 0;
    int ch;
    char why[256];
    int idx = 0;
    while ((ch = getopt_long(argc, argv, ":h", lo, &idx)) != -1) {
        const char *path = NULL;
        if (ch != 'h' && ch != '?' && ch != ':' && cli_once("collective", &o.seen, lo[idx].name))
            return EXIT_USAGE;
        switch (ch) {
        case 'h': fputs(help, stdout); return EXIT_OK;
        case '?': return cli_usage_error("collective", "unknown option '%s'", argv[optind - 1]);
        case ':': return cli_usage_error("collective", "option '%s' needs a value", argv[optind - 1]);
        case O_OP: if ((op = pick("collective", "--op", optarg, aif_coll_names)) < 0) return EXIT_USAGE; break;
        case O_ALGO: if ((algo = pick("collective", "--algo", optarg, aif_coll_algo_names)) < 0) return EXIT_USAGE; break;
        case O_JSON: json = 1; break;
        case O_ENGINE:
            if ((simulate = aif_name_index(aif_engine_names, optarg)) < 0)
                return cli_usage_error("collective", "--engine '%s' (accepted: estimate, sim)", optarg);
            simulate = simulate == AIF_ENGINE_SIM;
            break;
        case O_SET:
            if (cli_add_set("collective", optarg, &o))
                return EXIT_USAGE;
            break;
        case O_CATALOG:
            if (o.n_cat == CLI_MAX_CATALOGS)
                return cli_usage_error("collective", "at most %d --catalog files", CLI_MAX_CATALOGS);
            o.catalogs[o.n_cat++] = optarg;
            break;
        case O_MIN: case O_MAX: case O_BYTES: {
            double v = 0;
            const char *opt = ch == O_MIN ? "--min-bytes" : ch == O_MAX ? "--max-bytes" : "--bytes";
            if (parse_size(optarg, &v, why, sizeof why) != 0)
                return cli_usage_error("collective", "%s: %s", opt, why);
            if (v < 4 || v > 1e15)
                return cli_usage_error("collective", "%s: '%s' must be between 4 bytes (one float) and 1 PB", opt,
                                       optarg);
            if (ch == O_MIN) min_b = v;
            else if (ch == O_MAX) max_b = v;
            else min_b = max_b = v;
            break;
        }
        case O_STEP: {
            if (cli_parse_number("collective", "--step-factor", optarg, 1, 1024, &step))
                return EXIT_USAGE;
            if (step <= 1)
                return cli_usage_error("collective", "--step-factor '%s' must be a number above 1", optarg);
            break;
        }
        case O_GPU: path = "cluster.gpu"; break;
        case O_SYSTEM: path = "cluster.system"; break;
        case O_GPUS: path = "cluster.gpus"; break;
        case O_GPN: path = "cluster.gpus_per_node"; break;
        case O_NICS: path = "cluster.nics_per_node"; break;
        case O_FABRIC: path = "cluster.fabric"; break;
        }
        if (path) {
            if (o.n_ov == CLI_MAX_OVERRIDES)
                return cli_usage_error("collective", "too many options");
            const char *name = "option";
            for (int i = 0; lo[i].name; i++)
                if (lo[i].val == ch)
                    name = lo[i].name;
            snprintf(o.origins[o.n_ov], sizeof o.origins[o.n_ov], "--%s", name);
            o.ov[o.n_ov] = (aif_override){path, optarg, o.origins[o.n_ov]};
            o.n_ov++;
        }
    }
    if (optind < argc)
        return cli_usage_error("collective", "unexpected argument '%s'", argv[optind]);
    if (op < 0)
        return cli_usage_error("collective", "name the collective with --op (accepted: allreduce, allgather, "
                               "reducescatter, alltoall, sendrecv, broadcast)");
    if (min_b > max_b)
        return cli_usage_error("collective", "--min-bytes is larger than --max-bytes");
    /* sizes are whole floats, as nccl-tests counts them; a sweep stays readable */
    min_b = floor(min_b / 4) * 4;
    max_b = floor(max_b / 4) * 4;
    if (min_b < max_b && log(max_b / min_b) / log(step) > 10000)
        return cli_usage_error("collective", "--step-factor %.9g from %.0f to %.0f bytes gives more than 10000 rows; "
                               "use a larger factor", step, min_b, max_b);
    aif_catalog *cat;
    int st = cli_load_catalog(&cat, o.catalogs, o.n_cat);
    if (st)
        return st;
    /* the cluster, through the scenario loader so names and values are checked the same way;
     * a GPU named without a system stands in a plain server of its own */
    int gpu_only = 0, with_system = 0;
    for (int i = 0; i < o.n_ov; i++) {
        gpu_only |= !strcmp(o.ov[i].path, "cluster.gpu");
        with_system |= !strcmp(o.ov[i].path, "cluster.system");
    }
    const char *base = gpu_only && !with_system
                       ? "cluster: {gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 2048}\n"
                       : "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {seq: 2048}\n";
    if (gpu_only && with_system) {   /* both named: they must agree */
        const char *gname = NULL, *sname = NULL;
        for (int i = 0; i < o.n_ov; i++) {
            if (!strcmp(o.ov[i].path, "cluster.gpu"))
                gname = o.ov[i].value;
            if (!strcmp(o.ov[i].path, "cluster.system"))
                sname = o.ov[i].value;
        }
        const aif_system *sy = aif_catalog_find_system(cat, sname);
        if (sy && strcmp(sy->gpu, gname)) {
            char holds[AIF_NAME_MAX];
            snprintf(holds, sizeof holds, "%s", sy->gpu);   /* the catalog is freed before printing */
            aif_catalog_free(cat);
            return cli_usage_error("collective", "--gpu %s contradicts --system %s, which holds %s", gname, sname,
                                   holds);
        }
    }
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, base, strlen(base), "<built-in:collective base>", o.ov, o.n_ov, &s, &e) != AIF_OK) {
        aif_catalog_free(cat);
        return cli_report_error(&e);
    }
    aif_catalog_free(cat);
    aif_cluster *cl = &s.cluster;
    int n = cl->gpus;
    if (algo == AIF_ALGO_COLLNET)
        cl->net.sharp = true;   /* asked for by name: the CollNet plugin is there */
    aif_coll coll = (aif_coll)op;
    if (n < 2)
        return cli_usage_error("collective", "a collective needs 2 or more ranks (--gpus %d)", n);
    if (aif_collective_algo_check(cl, coll, n, (aif_coll_algo)algo, &e) != AIF_OK) {
        size_t len = strlen(e.msg);
        if (algo == AIF_ALGO_PAT && len > 0 && e.msg[len - 1] == ')')   /* name the option that gives it */
            snprintf(e.msg + len - 1, sizeof e.msg - (len - 1), ": --gpus-per-node 1)");
        return cli_usage_error("collective", "--algo %s", e.msg);
    }
    aif_coll_sim *cs = NULL;
    if (simulate && aif_coll_sim_new(cl, &cs, &e) != AIF_OK)
        return cli_report_error(&e);
    json_object *root = json ? json_object_new_object() : NULL, *rows = json ? json_object_new_array() : NULL;
    if (json) {
        json_c_set_serialization_double_format("%.6g", JSON_C_OPTION_THREAD);
        json_object_object_add(root, "op", json_object_new_string(aif_coll_names[op]));
        json_object_object_add(root, "gpu", json_object_new_string(cl->gpu.name));
        json_object_object_add(root, "gpus", json_object_new_int(n));
        json_object_object_add(root, "fabric", json_object_new_string(cl->fabric.name));
        json_object *subst = json_object_new_array();   /* as every writer lists them (report.h) */
        for (int i = 0; i < s.n_notes; i++) {
            json_object *nt = json_object_new_object();
            json_object_object_add(nt, "field", json_object_new_string(s.notes[i].field));
            json_object_object_add(nt, "asked", json_object_new_string(s.notes[i].asked));
            json_object_object_add(nt, "used", json_object_new_string(s.notes[i].used));
            json_object_object_add(nt, "why", json_object_new_string(s.notes[i].why));
            json_object_array_add(subst, nt);
        }
        json_object_object_add(root, "substitutions", subst);
        const char *kind[AIF_MAX_ANNOUNCED], *name[AIF_MAX_ANNOUNCED];   /* as every writer gives it (report.h, aif_report_status_text) */
        int n_ann = aif_report_announced(&s, kind, name);
        if (n_ann || cl->gpu.calib.roofline) {
            json_object *cst = json_object_new_object(), *an = json_object_new_array();
            for (int i = 0; i < n_ann; i++) {
                json_object *ent = json_object_new_object();
                json_object_object_add(ent, "kind", json_object_new_string(kind[i]));
                json_object_object_add(ent, "name", json_object_new_string(name[i]));
                json_object_array_add(an, ent);
            }
            json_object_object_add(cst, "announced", an);
            json_object_object_add(cst, "roofline_bound", json_object_new_boolean(cl->gpu.calib.roofline));
            json_object_object_add(root, "catalog_status", cst);
        }
        json_object_object_add(root, "rows", rows);
    } else {
        printf("# aifsim collective: %s on %d x %s", aif_coll_names[op], n, cl->gpu.name);
        if (cl->system.name[0])
            printf(" (%s)", cl->system.name);
        printf(", %s inside %d-GPU domains, %s %d x %.0f Gb/s per node\n", cl->scaleup.name, cl->scaleup_domain,
               cl->fabric.name, cl->nics_per_node, cl->nic_bw_Bps * 8 / 1e9);
        for (int i = 0; i < s.n_notes; i++)   /* what the cluster's resolution substituted */
            printf("# substituted %s: %s -> %s (%s)\n", s.notes[i].field, s.notes[i].asked, s.notes[i].used,
                   s.notes[i].why);
        aif_report_status_text(stdout, &s, "# ");
        if (simulate)
            printf("# NCCL model with its flows on the simulated network (docs/NETWORK.md); predictions, not "
                   "measurements\n#\n");
        else
            printf("# closed-form NCCL model (src/net/collective.h); times are predictions, not measurements\n#\n");
        printf("#%15s %12s %6s %6s %12s %12s %12s\n", "size", "count", "type", "algo", "time(us)", "algbw(GB/s)",
               "busbw(GB/s)");
    }
    double factor = aif_busbw_factor(coll, n);
    double last = 0;
    for (double b = min_b; b <= max_b * (1 + 1e-12); b *= step) {
        double bytes = floor(b / 4) * 4;
        if (bytes <= last)
            continue;   /* a small step that does not reach the next float */
        last = bytes;
        aif_coll_algo used;
        double t = cs ? aif_coll_sim_time(cs, coll, n, bytes, (aif_coll_algo)algo, &used)
                      : aif_collective_time_s(cl, coll, n, bytes, (aif_coll_algo)algo, &used);
        if (!isfinite(t)) {
            if (root)
                json_object_put(root);
            aif_coll_sim_free(cs);
            fflush(stdout);
            fprintf(stderr, "aifsim: cluster.network: %s\n",
                    isnan(t) ? "the network is partitioned: some transfer of the collective has no live path "
                               "(too many failed links)"
                             : "the algorithm does not apply to this collective");
            return EXIT_USAGE;
        }
        double algbw = t > 0 ? bytes / t / 1e9 : 0, busbw = algbw * factor;
        if (json) {
            json_object *r = json_object_new_object();
            json_object_object_add(r, "bytes", json_object_new_double(bytes));
            json_object_object_add(r, "time_us", json_object_new_double(t * 1e6));
            json_object_object_add(r, "algbw_GBps", json_object_new_double(algbw));
            json_object_object_add(r, "busbw_GBps", json_object_new_double(busbw));
            json_object_object_add(r, "algo", json_object_new_string(aif_coll_algo_name(used)));
            json_object_array_add(rows, r);
        } else {
            printf("%16.0f %12.0f %6s %6s %12.2f %12.2f %12.2f\n", bytes, floor(bytes / 4), "float", aif_coll_algo_name(used),
                   t * 1e6, algbw, busbw);
        }
        if (min_b == max_b)
            break;
    }
    if (json) {
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
    }
    aif_coll_sim_free(cs);
    return EXIT_OK;
}
