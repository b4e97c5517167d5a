/* cmd_catalog.c -- `aifsim catalog [KIND [NAME]]`: the built-in catalogs as
 * tables or JSON; one entry with NAME, with the source of every figure. */
#include "report/json.h"
#include "cli/cli.h"
#include "aifsim/names.h"
#include "base/base.h"

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: aifsim catalog [gpus|systems|fabrics|models [NAME]] [--json] [--catalog FILE]\n"
    "\n"
    "Lists the catalogs built into aifsim (data/*.yaml), or one entry with the\n"
    "source of each of its figures.  --catalog FILE adds your own entries first.\n"
    "\n"
    "examples:\n"
    "  aifsim catalog\n"
    "  aifsim catalog gpus\n"
    "  aifsim catalog models llama3-405b\n"
    "  aifsim catalog fabrics --json\n";

/* the kinds `aifsim catalog` lists: every aif_catalog_kind before calibration */
enum { N_LISTED = AIF_CAT_CALIBRATION };


static json_object *gpu_json(const aif_gpu *g)
{
    json_object *o = json_object_new_object();
    aif_json_str(o, "name", g->name);
    aif_json_str(o, "description", g->description);
    aif_json_str(o, "arch", g->arch);
    json_object *pk = json_object_new_object();
    for (int i = 0; i < AIF_N_PREC; i++)
        if (g->peak_flops[i] > 0)
            aif_json_num(pk, aif_prec_names[i], g->peak_flops[i] / 1e12);
    json_object_object_add(o, "peak_tflops", pk);
    aif_json_num(o, "hbm_bytes", g->hbm_bytes);
    aif_json_num(o, "hbm_bw_Bps", g->hbm_bw_Bps);
    aif_json_num(o, "tdp_W", g->tdp_W);
    aif_json_str(o, "scaleup", g->scaleup);
    aif_json_num(o, "scaleup_bw_Bps", g->scaleup_bw_Bps);
    aif_json_int(o, "scaleup_domain", g->scaleup_domain);
    aif_json_num(o, "price_usd", g->price_usd);
    return o;
}

static json_object *system_json(const aif_system *s)
{
    json_object *o = json_object_new_object();
    aif_json_str(o, "name", s->name);
    aif_json_str(o, "description", s->description);
    aif_json_str(o, "gpu", s->gpu);
    aif_json_int(o, "gpus_per_node", s->gpus_per_node);
    aif_json_int(o, "nics_per_node", s->nics_per_node);
    aif_json_num(o, "nic_bw_Bps", s->nic_bw_Bps);
    aif_json_str(o, "fabric", s->fabric);
    aif_json_int(o, "scaleup_domain", s->scaleup_domain);
    aif_json_num(o, "host_power_W", s->host_power_W);
    aif_json_num(o, "max_power_W", s->max_power_W);
    aif_json_num(o, "price_usd", s->price_usd);
    return o;
}

static json_object *fabric_json(const aif_fabric *f)
{
    json_object *o = json_object_new_object();
    aif_json_str(o, "name", f->name);
    aif_json_str(o, "description", f->description);
    aif_json_str(o, "kind", aif_fabric_kind_names[f->kind]);
    aif_json_str(o, "transport", aif_transport_names[f->transport]);
    aif_json_num(o, "port_bw_Bps", f->port_bw_Bps);
    aif_json_num(o, "latency_s", f->latency_s);
    aif_json_num(o, "efficiency", f->efficiency);
    return o;
}

static json_object *model_json(const aif_model *m)
{
    json_object *o = json_object_new_object();
    aif_json_str(o, "name", m->name);
    aif_json_str(o, "description", m->description);
    aif_json_int(o, "layers", m->layers);
    aif_json_int(o, "hidden", m->hidden);
    aif_json_int(o, "heads", m->heads);
    aif_json_int(o, "kv_heads", m->kv_heads);
    aif_json_int(o, "head_dim", m->head_dim);
    aif_json_int(o, "ffn", m->ffn);
    aif_json_int(o, "vocab", m->vocab);
    aif_json_str(o, "activation", aif_act_names[m->activation]);
    aif_json_str(o, "attention", aif_attn_names[m->attention]);
    if (m->moe.experts) {
        json_object *moe = json_object_new_object();
        aif_json_int(moe, "experts", m->moe.experts);
        aif_json_int(moe, "top_k", m->moe.top_k);
        aif_json_int(moe, "shared_experts", m->moe.shared_experts);
        aif_json_int(moe, "expert_ffn", m->moe.expert_ffn);
        aif_json_int(moe, "dense_layers", m->moe.dense_layers);
        json_object_object_add(o, "moe", moe);
    }
    aif_json_num(o, "params", aif_model_params(m));
    aif_json_num(o, "active_params", aif_model_active_params(m));
    aif_json_num(o, "published_params", m->params);
    return o;
}

static void print_table(const aif_catalog *c, int k)
{
    if (k == AIF_CAT_GPUS) {
        printf("%-10s %-40s %8s %8s %7s %7s %6s %8s %5s\n", "gpu", "description", "bf16 TF", "fp8 TF", "HBM GB",
               "TB/s", "TDP W", "scale-up", "dom");
        for (int i = 0; i < aif_catalog_n_gpus(c); i++) {
            const aif_gpu *g = aif_catalog_gpu(c, i);
            printf("%-10s %-40.40s %8.0f %8.0f %7.0f %7.2f %6.0f %6.0fGB %5d\n", g->name, g->description,
                   g->peak_flops[AIF_BF16] / 1e12, g->peak_flops[AIF_FP8] / 1e12, g->hbm_bytes / 1e9,
                   g->hbm_bw_Bps / 1e12, g->tdp_W, g->scaleup_bw_Bps / 1e9, g->scaleup_domain);
        }
    } else if (k == AIF_CAT_SYSTEMS) {
        printf("%-14s %-10s %5s %5s %9s %-12s %7s %9s\n", "system", "gpu", "gpus", "nics", "nic Gb/s", "fabric",
               "domain", "max kW");
        for (int i = 0; i < aif_catalog_n_systems(c); i++) {
            const aif_system *s = aif_catalog_system(c, i);
            printf("%-14s %-10s %5d %5d %9.0f %-12s %7d %9.2f\n", s->name, s->gpu, s->gpus_per_node, s->nics_per_node,
                   s->nic_bw_Bps * 8 / 1e9, s->fabric, s->scaleup_domain, s->max_power_W / 1e3);
        }
    } else if (k == AIF_CAT_FABRICS) {
        printf("%-16s %-11s %-5s %10s %10s %6s\n", "fabric", "kind", "xport", "port Gb/s", "latency us", "eff");
        for (int i = 0; i < aif_catalog_n_fabrics(c); i++) {
            const aif_fabric *f = aif_catalog_fabric(c, i);
            printf("%-16s %-11s %-5s %10.0f %10.2f %6.2f\n", f->name, aif_fabric_kind_names[f->kind],
                   aif_transport_names[f->transport], f->port_bw_Bps * 8 / 1e9, f->latency_s * 1e6, f->efficiency);
        }
    } else {
        printf("%-18s %9s %7s %7s %9s %7s %8s %-6s %s\n", "model", "params", "layers", "hidden", "heads/kv", "ffn",
               "vocab", "attn", "moe");
        for (int i = 0; i < aif_catalog_n_models(c); i++) {
            const aif_model *m = aif_catalog_model(c, i);
            char hk[24], moe[32] = "";
            snprintf(hk, sizeof hk, "%d/%d", m->heads, m->kv_heads);
            if (m->moe.experts)
                snprintf(moe, sizeof moe, "%dx top-%d", m->moe.experts, m->moe.top_k);
            printf("%-18s %8.1fB %7d %7d %9s %7d %8d %-6s %s\n", m->name, aif_model_params(m) / 1e9, m->layers,
                   m->hidden, hk, m->ffn, m->vocab, aif_attn_names[m->attention], moe);
        }
    }
}

int cmd_catalog(int argc, char **argv)
{
    int json = 0;
    const char *kind = NULL, *name = NULL;
    char *files[16] = {0};
    int n_files = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            fputs(help, stdout);
            return EXIT_OK;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--catalog")) {
            if (i + 1 >= argc)
                return cli_usage_error("catalog", "option '--catalog' needs a file");
            if (n_files == 16)
                return cli_usage_error("catalog", "at most 16 --catalog files");
            files[n_files++] = argv[++i];
        } else if (argv[i][0] == '-') {
            return cli_usage_error("catalog", "unknown option '%s'", argv[i]);
        } else if (!kind) {
            kind = argv[i];
        } else if (!name) {
            name = argv[i];
        } else {
            return cli_usage_error("catalog", "unexpected argument '%s'", argv[i]);
        }
    }
    int k0 = 0, k1 = N_LISTED;
    if (kind) {
        int k = 0;
        while (k < N_LISTED && strcmp(aif_catalog_kind_names[k], kind))
            k++;
        if (k == N_LISTED) {
            int d = aif_did_you_mean(kind, aif_catalog_kind_names, N_LISTED);
            return cli_usage_error("catalog", "unknown catalog '%s'%s%s%s (accepted: gpus, systems, fabrics, models)",
                                   kind, d >= 0 ? "; did you mean '" : "", d >= 0 ? aif_catalog_kind_names[d] : "", d >= 0 ? "'?" : "");
        }
        k0 = k;
        k1 = k + 1;
    }
    aif_catalog *c;
    int st = cli_load_catalog(&c, files, n_files);
    if (st)
        return st;
    if (name) {
        const void *e = k0 == AIF_CAT_GPUS ? (const void *)aif_catalog_find_gpu(c, name)
                        : k0 == AIF_CAT_SYSTEMS ? (const void *)aif_catalog_find_system(c, name)
                        : k0 == AIF_CAT_FABRICS ? (const void *)aif_catalog_find_fabric(c, name)
                                  : (const void *)aif_catalog_find_model(c, name);
        if (!e) {
            const char *names[512];
            int n = aif_catalog_names(c, (aif_catalog_kind)k0, names, 512);
            int d = aif_did_you_mean(name, names, n);
            fprintf(stderr, "aifsim catalog: no %s named '%s'%s%s%s (see: aifsim catalog %s)\n", aif_catalog_kind_names[k0], name,
                    d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "", d >= 0 ? "'?" : "", aif_catalog_kind_names[k0]);
            aif_catalog_free(c);
            return EXIT_USAGE;
        }
        json_object *o = k0 == AIF_CAT_GPUS      ? gpu_json(e)
                         : k0 == AIF_CAT_SYSTEMS ? system_json(e)
                         : k0 == AIF_CAT_FABRICS ? fabric_json(e)
                                                 : model_json(e);
        json_object *src = json_object_new_object();
        json_object_object_foreach(o, key, val) {
            (void)val;
            const char *s = aif_catalog_source(c, aif_catalog_kind_names[k0], name, key);
            if (s[0])
                aif_json_str(src, key, s);
        }
        json_object_object_add(o, "sources", src);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
        aif_catalog_free(c);
        return EXIT_OK;
    }
    if (json) {
        json_object *root = json_object_new_object();
        for (int k = k0; k < k1; k++) {
            json_object *arr = json_object_new_array();
            int n = k == AIF_CAT_GPUS ? aif_catalog_n_gpus(c) : k == AIF_CAT_SYSTEMS ? aif_catalog_n_systems(c)
                    : k == AIF_CAT_FABRICS ? aif_catalog_n_fabrics(c) : aif_catalog_n_models(c);
            for (int i = 0; i < n; i++)
                json_object_array_add(arr, k == AIF_CAT_GPUS ? gpu_json(aif_catalog_gpu(c, i))
                                           : k == AIF_CAT_SYSTEMS ? system_json(aif_catalog_system(c, i))
                                           : k == AIF_CAT_FABRICS ? fabric_json(aif_catalog_fabric(c, i))
                                                    : model_json(aif_catalog_model(c, i)));
            json_object_object_add(root, aif_catalog_kind_names[k], arr);
        }
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(root);
    } else {
        for (int k = k0; k < k1; k++) {
            print_table(c, k);
            if (k + 1 < k1)
                putchar('\n');
        }
    }
    aif_catalog_free(c);
    return EXIT_OK;
}
