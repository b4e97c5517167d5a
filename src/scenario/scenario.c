/* scenario.c -- a scenario file (YAML) plus command-line overrides into a
 * resolved aif_scenario: catalog names are looked up (with did-you-mean), the
 * system supplies defaults for the cluster, and aif_scenario_check rejects
 * impossible parallel layouts naming the numbers that disagree.
 *
 * Format (every key optional unless said; see docs/SCENARIOS.md):
 *   name: text
 *   cluster: {system, gpu, gpus (required), gpus_per_node, nics_per_node, nic_bw,
 *             fabric, scaleup_domain, network: {topology, tiers, radix, oversubscription,
 *             spine_oversubscription, planes, routing, gpudirect, host_bw, failed_links,
 *             degraded_links, degraded_factor, congestion_loss, sharp, optics, seed},
 *             storage: {kind: NAME, units: N | auto, bw}}
 *   model: NAME | FILE.yaml | {base: NAME | FILE.yaml, <model fields>} | {<model fields>}
 *   (a model file's own `base` may name another file: at most 16 deep, never a cycle)
 *   train: {tp, pp, vpp, cp, ep, etp, dp, sp, mbs, gbs, seq, precision, recompute,
 *           recompute_modules, recompute_saved, optimizer, tokens, attention, attention_dtype, attn_block,
 *           attn_block_bwd, dp_bucket, fp8_params, fp8_act_input, tp_overlap, dp_overlap, ep_overlap, pp_overlap, ep_imbalance, ep_dispatch,
 *           cp_comm,
 *           rank_order, grad_dtype, moments_dtype, dp_shard, layout}
 *   (tp, pp, vpp, cp, ep, etp and mbs may be `auto`, and `layout: auto` makes them all
 *   auto; so may recompute_layers and dp_shard, each on its own: aif_train.auto_fields;
 *   the pipeline's best-layout search fills them)
 *
 * Invariants: each load builds its own bind_ctx (error record, catalogs, facility
 * data, sections) and passes it down; nothing outlives the call, so loads in one
 * thread, or a model file loaded inside a scenario, never see each other's state.
 * An error is placed at the node its field path names when that value is written.
 *
 * The base rule (one for every subcommand and the api): a run starts from the file or
 * example named, else from the built-in default scenario; overrides refine it.  An
 * override that makes another job (the model named, or a GPU count the base's layout
 * cannot hold) drops the base's layout fields (LAYOUT) that no override sets, so they
 * are derived for the new job.  Every such drop, and every catalog substitution (a
 * system swapped for the one built around the asked GPU, the fabric that came with it,
 * a named fabric capped by the system's NICs), is an aif_note of the scenario (at most
 * AIF_MAX_NOTES, the rest counted): a run never changes its inputs silently. */
#define _XOPEN_SOURCE 700   /* realpath */
#include "scenario/catalog.h"
#include "scenario/facility.h"
#include "scenario/serve.h"
#include "scenario/ops.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct cluster_in {
    char system[AIF_NAME_MAX], gpu[AIF_NAME_MAX], fabric[AIF_NAME_MAX];
    int gpus, gpus_per_node, nics_per_node, scaleup_domain;
    double nic_bw_Bps;
    aif_network net;
    double host_link_Bps;
    double speed_spread;
} cluster_in;

static const field network_fields[] = {
    {.key = "topology", .type = F_ENUM, .off = offsetof(aif_network, topology), .names = aif_topo_kind_names},
    {.key = "tiers", .type = F_INT, .off = offsetof(aif_network, tiers), .min = 0, .max = 3},
    {.key = "radix", .type = F_INT, .off = offsetof(aif_network, radix), .min = 4, .max = 4096},
    {.key = "oversubscription", .type = F_NUM, .off = offsetof(aif_network, oversubscription), .min = 1, .max = 64},
    {.key = "spine_oversubscription", .type = F_NUM, .off = offsetof(aif_network, spine_oversubscription), .min = 1,
     .max = 64},
    {.key = "planes", .type = F_INT, .off = offsetof(aif_network, planes), .min = 1, .max = 8},
    {.key = "routing", .type = F_ENUM, .off = offsetof(aif_network, routing), .names = aif_routing_names},
    FLD(aif_network, "gpudirect", F_BOOL, gpudirect),
    {.key = "host_bw", .type = F_QTY, .off = offsetof(aif_network, host_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "failed_links", .type = F_INT, .off = offsetof(aif_network, failed_links), .min = 0, .max = 100000000},
    {.key = "degraded_links", .type = F_INT, .off = offsetof(aif_network, degraded_links), .min = 0, .max = 100000000},
    {.key = "degraded_factor", .type = F_NUM, .off = offsetof(aif_network, degraded_factor), .min = 0.001, .max = 1},
    {.key = "congestion_loss", .type = F_NUM, .off = offsetof(aif_network, congestion_loss), .min = 0, .max = 0.99},
    {.key = "seed", .type = F_INT, .off = offsetof(aif_network, seed), .min = 0, .max = 2147483647},
    FLD(aif_network, "sharp", F_BOOL, sharp),
    {.key = "optics", .type = F_ENUM, .off = offsetof(aif_network, optics), .names = aif_net_optics_names},
};
static const schema network_schema = {network_fields, sizeof network_fields / sizeof network_fields[0], NULL};

void aif_network_defaults(aif_network *n)
{
    memset(n, 0, sizeof *n);
    n->oversubscription = 1;
    n->spine_oversubscription = 1;
    n->planes = 1;
    n->gpudirect = true;
    n->host_bw_Bps = 400e9;   /* two-socket DDR5 host, ~75% of 614 GB/s peak (docs/NETWORK.md) */
    n->degraded_factor = 0.5;
    n->routing = AIF_ROUTE_AUTO;
    n->seed = 1;
}

int aif_net_routing(const aif_cluster *cl)
{
    return cl->net.routing == AIF_ROUTE_AUTO ? cl->fabric.routing : cl->net.routing;
}

enum { C_SYSTEM, C_GPU, C_FABRIC, C_GPUS, C_GPN, C_NICS, C_DOMAIN, C_NICBW, C_NET, C_HOSTLINK, C_SPREAD };
static const field cluster_fields[] = {
    FLD(cluster_in, "system", F_STR, system),
    FLD(cluster_in, "gpu", F_STR, gpu),
    FLD(cluster_in, "fabric", F_STR, fabric),
    {.key = "gpus", .type = F_INT, .off = offsetof(cluster_in, gpus), .min = 1, .max = 100000000},
    {.key = "gpus_per_node", .type = F_INT, .off = offsetof(cluster_in, gpus_per_node), .min = 1, .max = 1024},
    {.key = "nics_per_node", .type = F_INT, .off = offsetof(cluster_in, nics_per_node), .min = 1, .max = 1024},
    {.key = "scaleup_domain", .type = F_INT, .off = offsetof(cluster_in, scaleup_domain), .min = 1, .max = 1000000},
    {.key = "nic_bw", .type = F_QTY, .off = offsetof(cluster_in, nic_bw_Bps), .qty = AIF_Q_BW, .min = 1},
    {.key = "network", .type = F_SUB, .off = offsetof(cluster_in, net), .sub = &network_schema},
    /* GPU <-> host memory per GPU and direction (activation offload's copies); default the system's */
    {.key = "host_link", .type = F_QTY, .off = offsetof(cluster_in, host_link_Bps), .qty = AIF_Q_BW, .min = 1},
    /* the spread of one GPU's compute speed across the fleet; default the GPU family's */
    {.key = "speed_spread", .type = F_NUM, .off = offsetof(cluster_in, speed_spread), .min = 0, .max = 0.1},
};
static const char *const cluster_skip[] = {"storage", NULL};   /* bound by bind_storage */
static const schema cluster_schema = {cluster_fields, sizeof cluster_fields / sizeof cluster_fields[0], cluster_skip};

enum { T_TP, T_PP, T_VPP, T_CP, T_EP, T_DP, T_ETP, T_SP, T_MBS, T_GBS, T_SEQ };
typedef struct lora_t { int rank; int targets; } lora_t;
static const field lora_fields[] = {
    {.key = "rank", .type = F_INT, .off = offsetof(lora_t, rank), .min = 1, .max = 65536},
    {.key = "targets", .type = F_ENUM, .off = offsetof(lora_t, targets), .names = aif_lora_target_names},
};
static const schema lora_schema = {lora_fields, sizeof lora_fields / sizeof lora_fields[0], NULL};

/* train.precision's names: aif_prec's, then the fp4 formats by name */
enum { TRAIN_NVFP4 = AIF_N_PREC, TRAIN_MXFP4 };
static const char *const train_prec_names[] = {"fp32", "tf32", "bf16", "fp8", "fp4", "nvfp4", "mxfp4", NULL};

static const field train_fields[] = {
    {.key = "tp", .type = F_INT, .off = offsetof(aif_train, par.tp), .min = 1, .max = 65536},
    {.key = "pp", .type = F_INT, .off = offsetof(aif_train, par.pp), .min = 1, .max = 65536},
    {.key = "vpp", .type = F_INT, .off = offsetof(aif_train, par.vpp), .min = 1, .max = 1024},
    {.key = "cp", .type = F_INT, .off = offsetof(aif_train, par.cp), .min = 1, .max = 65536},
    {.key = "ep", .type = F_INT, .off = offsetof(aif_train, par.ep), .min = 1, .max = 65536},
    {.key = "dp", .type = F_INT, .off = offsetof(aif_train, par.dp), .min = 1, .max = 100000000},
    {.key = "etp", .type = F_INT, .off = offsetof(aif_train, par.etp), .min = 1, .max = 65536},
    FLD(aif_train, "sp", F_BOOL, par.sp),
    {.key = "mbs", .type = F_INT, .off = offsetof(aif_train, mbs), .min = 1, .max = 1000000},
    {.key = "gbs", .type = F_INT, .off = offsetof(aif_train, gbs), .min = 1, .max = 1000000000},
    {.key = "seq", .type = F_INT, .off = offsetof(aif_train, seq), .min = 1, .max = 100000000},
    /* training runs in bf16, fp8 or fp4 (aif_scenario_check); fp16 is nearest to bf16; nvfp4
     * and mxfp4 are fp4 with its format (bind_train turns them into precision fp4) */
    {.key = "precision", .type = F_ENUM, .off = offsetof(aif_train, precision), .names = train_prec_names,
     .accept = 1u << AIF_BF16 | 1u << AIF_FP8 | 1u << AIF_FP4 | 1u << TRAIN_NVFP4 | 1u << TRAIN_MXFP4,
     .near = (const char *const[]){"fp16", "bf16", "half", "bf16", "float16", "bf16", "fp8e4m3", "fp8", "e4m3",
                                   "fp8", "mxfp8", "fp8", NULL}},
    {.key = "fp4_format", .type = F_ENUM, .off = offsetof(aif_train, fp4_format), .names = aif_fp4_format_names},
    {.key = "bf16_first_layers", .type = F_INT, .off = offsetof(aif_train, bf16_first_layers), .min = 0,
     .max = 100000},
    {.key = "bf16_last_layers", .type = F_INT, .off = offsetof(aif_train, bf16_last_layers), .min = 0, .max = 100000},
    {.key = "recompute", .type = F_ENUM, .off = offsetof(aif_train, recompute), .names = aif_recompute_names},
    /* recompute selective's submodules (Megatron-Core's --recompute-modules): a list, or
     * "a,b" on --set; absent: core_attn, Megatron-Core's default */
    {.key = "recompute_modules", .type = F_FLAGS, .off = offsetof(aif_train, recompute_modules),
     .names = aif_recompute_module_names},
    /* what recompute full keeps of each layer (MaxText's remat policies): a list, or "a,b" */
    {.key = "recompute_saved", .type = F_FLAGS, .off = offsetof(aif_train, recompute_saved),
     .names = aif_recompute_saved_names},
    /* recompute full of the first N layers of each pipeline chunk only (Megatron-Core's
     * recompute_method block with recompute_num_layers N); 0: every layer */
    {.key = "recompute_layers", .type = F_INT, .off = offsetof(aif_train, recompute_layers), .min = 0, .max = 100000},
    {.key = "optimizer", .type = F_ENUM, .off = offsetof(aif_train, optimizer), .names = aif_optim_names},
    {.key = "lora", .type = F_SUB, .off = offsetof(aif_train, lora), .sub = &lora_schema},
    {.key = "tokens", .type = F_QTY, .off = offsetof(aif_train, tokens), .qty = AIF_Q_COUNT, .max = 1e16},
    {.key = "attention", .type = F_ENUM, .off = offsetof(aif_train, attention), .names = aif_attn_kernel_names},
    /* the fused attention's operands: bf16, or fp8 inside an fp8 recipe (aif_scenario_check) */
    {.key = "attention_dtype", .type = F_ENUM, .off = offsetof(aif_train, attention_dtype), .names = aif_attn_dtype_names},
    /* the fused kernel's key tile in sliding-window layers, forward and backward (0: the family's) */
    {.key = "attn_block", .type = F_INT, .off = offsetof(aif_train, attn_block), .min = 0, .max = 65536},
    {.key = "attn_block_bwd", .type = F_INT, .off = offsetof(aif_train, attn_block_bwd), .min = 0, .max = 65536},
    /* Megatron-Core's gradient bucket, in parameters (aif_scenario_check says where it applies) */
    {.key = "dp_bucket", .type = F_QTY, .off = offsetof(aif_train, dp_bucket), .qty = AIF_Q_COUNT, .min = 0,
     .max = 1e13},
    FLD(aif_train, "framework", F_STR, framework),
    FLD(aif_train, "tp_overlap", F_BOOL, tp_overlap),
    FLD(aif_train, "dp_overlap", F_BOOL, dp_overlap),
    FLD(aif_train, "ep_overlap", F_BOOL, ep_overlap),
    FLD(aif_train, "pp_overlap", F_BOOL, pp_overlap),
    FLD(aif_train, "fp8_params", F_BOOL, fp8_params),
    FLD(aif_train, "fp8_act_input", F_BOOL, fp8_act_input),
    {.key = "ep_imbalance", .type = F_NUM, .off = offsetof(aif_train, ep_imbalance), .min = 1, .max = 64},
    {.key = "ep_dispatch", .type = F_ENUM, .off = offsetof(aif_train, ep_dispatch), .names = aif_ep_dispatch_names},
    {.key = "cp_comm", .type = F_ENUM, .off = offsetof(aif_train, cp_comm), .names = aif_cp_comm_names},
    {.key = "rank_order", .type = F_ENUM, .off = offsetof(aif_train, rank_order), .names = aif_rank_order_names},
    {.key = "grad_dtype", .type = F_ENUM, .off = offsetof(aif_train, grad_dtype), .names = aif_grad_dtype_names},
    /* Adam's first and second moments: fp32 (auto) or bf16 (the precision-aware optimizer's) */
    {.key = "moments_dtype", .type = F_ENUM, .off = offsetof(aif_train, moments_dtype), .names = aif_grad_dtype_names},
    /* hybrid sharding: the data-parallel ranks one shard spans (0: all of dp; aif_scenario_check) */
    {.key = "dp_shard", .type = F_INT, .off = offsetof(aif_train, par.dp_shard), .min = 0, .max = 100000000},
    /* activation offload to host memory (aif_scenario_check says what it needs) */
    {.key = "offload", .type = F_ENUM, .off = offsetof(aif_train, offload), .names = aif_offload_names},
    {.key = "offload_layers", .type = F_INT, .off = offsetof(aif_train, offload_layers), .min = 1, .max = 100000},
    /* the job's allocation (aif_alloc): GPUs it holds (absent: the whole cluster), first node */
    {.key = "gpus", .type = F_INT, .off = offsetof(aif_train, alloc.gpus), .min = 1, .max = 100000000},
    {.key = "first_node", .type = F_INT, .off = offsetof(aif_train, alloc.first_node), .min = 0, .max = 100000000},
};
static const schema train_schema = {train_fields, sizeof train_fields / sizeof train_fields[0], NULL};

static const char *const root_skip[] = {"name", "description", "cluster", "model", "train", "facility", "cost", "serve",
                                        "operations",
                                        NULL};
static const schema root_schema = {NULL, 0, root_skip};
static const char *const model_skip[] = {"base", "arch", "sources", "notes", NULL};

/* Architecture presets (model.arch, --arch): the fields that are not the shape.  A
 * model changed in width (hidden, ffn, heads, vocab) or built with no catalog base
 * must name its architecture, by a preset or by the fields themselves, so a GPT-3
 * shape is never silently given Llama's gated MLP (233B parameters instead of 175B). */
typedef struct arch_preset {
    const char *name;
    int activation, norm, position;
    bool tied_embeddings;
} arch_preset;
static const arch_preset arch_presets[] = {
    {"gpt", AIF_ACT_GELU, AIF_NORM_LAYER, AIF_POS_LEARNED, true},      /* GPT-2/3 */
    {"gpt-neox", AIF_ACT_GELU, AIF_NORM_LAYER, AIF_POS_ROPE, false},   /* GPT-NeoX, Pythia */
    {"llama", AIF_ACT_SWIGLU, AIF_NORM_RMS, AIF_POS_ROPE, false},      /* Llama, Mistral, Qwen */
};
#define N_ARCH_PRESETS (int)(sizeof arch_presets / sizeof arch_presets[0])
static const char arch_accepted[] = "gpt (gelu, layernorm, learned positions, tied embeddings), gpt-neox (gelu, "
                                    "layernorm, rope), llama (swiglu, rmsnorm, rope)";

static const void *find_kind(const aif_catalog *c, aif_catalog_kind k, const char *name)
{
    return k == AIF_CAT_GPUS      ? (const void *)aif_catalog_find_gpu(c, name)
           : k == AIF_CAT_SYSTEMS ? (const void *)aif_catalog_find_system(c, name)
           : k == AIF_CAT_FABRICS ? (const void *)aif_catalog_find_fabric(c, name)
           : k == AIF_CAT_MODELS  ? (const void *)aif_catalog_find_model(c, name)
           : k == AIF_CAT_FRAMEWORKS ? (const void *)aif_catalog_find_framework(c, name)
           : k == AIF_CAT_STORAGE ? (const void *)aif_catalog_find_storage(c, name)
                                  : NULL;
}

/* Looks a name up in one catalog kind (any case, with or without punctuation, or an
 * alias); on failure reports what the name is instead: an entry of another kind
 * ("gb200-nvl72" given as a gpu is a system), a kind of fabric ("infiniband": the
 * catalog's InfiniBand fabrics), or the closest name of the kind. */
static const void *resolve(const bind_ctx *bc, aif_catalog_kind k, const char *name, const ynode *at,
                           const char *path)
{
    const aif_catalog *c = bc->cat;
    const void *p = find_kind(c, k, name);
    if (p)
        return p;
    const char *kind = aif_catalog_kind_name(k);
    int kl = (int)strlen(kind) - (k != AIF_CAT_STORAGE);   /* "gpus" -> "gpu"; "storage" stays */
    static const aif_catalog_kind others[] = {AIF_CAT_SYSTEMS, AIF_CAT_GPUS, AIF_CAT_MODELS, AIF_CAT_FABRICS};
    for (int i = 0; i < 4; i++) {
        if (others[i] == k || !find_kind(c, others[i], name))
            continue;
        const char *ok = aif_catalog_kind_name(others[i]);
        static const char *const field_of[] = {[AIF_CAT_GPUS] = "cluster.gpu (--gpu)",
                                               [AIF_CAT_SYSTEMS] = "cluster.system (--system)",
                                               [AIF_CAT_FABRICS] = "cluster.fabric (--fabric)",
                                               [AIF_CAT_MODELS] = "model (--model)",
                                               [AIF_CAT_FRAMEWORKS] = "train.framework (--framework)",
                                               [AIF_CAT_STORAGE] = "cluster.storage.kind",
                                               [AIF_CAT_CALIBRATION] = "a gpu's arch"};
        return bind_error(bc, at, path, "'%s' is a %.*s, not a %.*s: give it as %s (list the %s with: aifsim "
                          "catalog %s)", name, (int)strlen(ok) - 1, ok, kl, kind, field_of[others[i]], kind, kind),
               NULL;
    }
    if (k == AIF_CAT_FABRICS) {
        int fk = -1;
        char folded[AIF_NAME_MAX];
        aif_name_fold(name, folded, sizeof folded);
        for (int i = 0; aif_fabric_kind_names[i]; i++)
            if (aif_name_same(aif_fabric_kind_names[i], name) ||
                (!strcmp(folded, "ib") && i == AIF_FAB_INFINIBAND))
                fk = i;
        if (fk >= 0) {
            char list[400];
            size_t n = 0;
            list[0] = '\0';
            for (int i = 0; i < aif_catalog_n_fabrics(c) && n < sizeof list; i++)
                if (aif_catalog_fabric(c, i)->kind == fk)
                    n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                                          aif_catalog_fabric(c, i)->name);
            return bind_error(bc, at, path, "'%s' is a kind of fabric; name one: %s (aifsim catalog fabrics)", name,
                              n ? list : "none in the catalog"),
                   NULL;
        }
    }
    /* the closest name, compared as names are matched: folded */
    const char *names[512];
    char folded[512][AIF_NAME_MAX];   /* 24 KB on the stack: loads run on several threads */
    const char *fnames[512];
    int n = aif_catalog_names(c, k, names, 512);
    for (int i = 0; i < n; i++) {
        aif_name_fold(names[i], folded[i], sizeof folded[i]);
        fnames[i] = folded[i];
    }
    char word[AIF_NAME_MAX];
    aif_name_fold(name, word, sizeof word);
    int d = word[0] ? aif_did_you_mean(word, fnames, n) : -1;
    if (d >= 0)
        bind_error(bc, at, path, "unknown %.*s '%s'; did you mean '%s'? (list them with: aifsim catalog %s)", kl, kind,
                   name, names[d], kind);
    else
        bind_error(bc, at, path, "unknown %.*s '%s' (list them with: aifsim catalog %s)", kl, kind, name, kind);
    return NULL;
}

static int is_file_name(const char *s)
{
    size_t n = strlen(s);
    return (n > 5 && !strcmp(s + n - 5, ".yaml")) || (n > 4 && !strcmp(s + n - 4, ".yml")) || strchr(s, '/');
}

static aif_rc bind_model(const bind_ctx *bc, const ynode *mn, aif_model *m);

/* How deep model files may name one another through `base:` (a file whose base is a
 * file whose base is ...); a real catalog needs two or three. */
enum { MODEL_FILE_DEPTH_MAX = 16 };

static aif_rc model_from_file(const bind_ctx *bc, const ynode *at, const char *path, aif_model *m)
{
    char *text;
    size_t len;
    aif_err *err = bc->err;
    char real[PATH_MAX];
    if (!realpath(path, real))
        aif_strlcpy(real, path, sizeof real);
    /* a file met again on the chain of bases is a cycle: name the chain, outermost first */
    const bind_chain *seen = NULL;
    for (const bind_chain *ch = bc->chain; ch && !seen; ch = ch->up)
        if (!strcmp(ch->real, real))
            seen = ch;
    if (seen || (bc->chain && bc->chain->depth >= MODEL_FILE_DEPTH_MAX)) {
        const char *files[MODEL_FILE_DEPTH_MAX + 1];
        int n = 0;
        for (const bind_chain *ch = bc->chain; ch && n < MODEL_FILE_DEPTH_MAX; ch = ch->up)
            files[n++] = ch->file;
        char list[700];
        size_t k = 0;
        list[0] = '\0';
        for (int i = n - 1; i >= 0 && k < sizeof list; i--)
            k += (size_t)snprintf(list + k, sizeof list - k, "%.200s -> ", files[i]);
        if (k < sizeof list)
            snprintf(list + k, sizeof list - k, "%.200s", path);
        if (seen)
            return bind_error(bc, at, "model.base", "model files name each other in a cycle: %s (a base is a catalog "
                              "model or a file that does not lead back to itself)", list);
        return bind_error(bc, at, "model.base", "model files nest deeper than %d bases: %s", MODEL_FILE_DEPTH_MAX,
                          list);
    }
    aif_rc rc = aif_read_file(path, &text, &len, err);
    if (rc) {
        /* say where the file was named */
        char why[sizeof err->msg];
        aif_strlcpy(why, err->msg, sizeof why);
        free(text);
        return bind_error(bc, at, "model", "model file '%s': %s", path, why);
    }
    const bind_chain link = {.file = path, .real = real, .up = bc->chain,
                             .depth = bc->chain ? bc->chain->depth + 1 : 1};
    bind_ctx inner = *bc;
    inner.chain = &link;
    ydoc *d;
    ynode *root;
    rc = ydoc_parse(text, len, path, &d, &root, err);
    if (!rc)
        rc = bind_model(&inner, root, m);
    ydoc_free(d);
    free(text);
    return rc;
}

static aif_rc bind_model(const bind_ctx *bc, const ynode *mn, aif_model *m)
{
    memset(m, 0, sizeof *m);
    if (mn->kind == Y_SCALAR) {
        if (is_file_name(mn->s)) {
            char path[1024];
            if (aif_resolve_path(mn->origin, mn->s, path, sizeof path) != 0)
                return bind_error(bc, mn, "model", "file name too long");
            return model_from_file(bc, mn, path, m);
        }
        const aif_model *cm = resolve(bc, AIF_CAT_MODELS, mn->s, mn, "model");
        if (!cm)
            return AIF_EINPUT;
        *m = *cm;
        return AIF_OK;
    }
    if (mn->kind != Y_MAP)
        return bind_error(bc, mn, "model", "expected a model name, a model file or a mapping of model fields");
    const ynode *base = ynode_get(mn, "base");
    if (base) {
        if (base->kind != Y_SCALAR)
            return bind_error(bc, base, "model.base", "expected a catalog model name or a model file");
        aif_rc rc = bind_model(bc, base, m);
        if (rc)
            return rc;
    } else {
        aif_strlcpy(m->name, "custom", sizeof m->name);
    }
    const ynode *arch = ynode_get(mn, "arch");
    int base_position = m->position;
    if (arch) {
        int k = -1;
        for (int i = 0; arch->kind == Y_SCALAR && i < N_ARCH_PRESETS; i++)
            if (aif_name_same(arch->s, arch_presets[i].name))
                k = i;
        if (k < 0)
            return bind_error(bc, arch, "model.arch", "unknown architecture '%s'; accepted: %s",
                              arch->kind == Y_SCALAR ? arch->s : "(not a name)", arch_accepted);
        m->activation = arch_presets[k].activation;
        m->norm = arch_presets[k].norm;
        m->position = arch_presets[k].position;
        m->tied_embeddings = arch_presets[k].tied_embeddings;
    }
    schema sc = aif_model_schema;
    sc.skip = model_skip;
    uint64_t set = 0;
    aif_rc rc = bind_map(bc, mn, &sc, m, "model", &set);
    if (rc)
        return rc;
    if (base && set) {
        /* a changed catalog model: the published counts no longer hold, a derived
         * head_dim or kv_heads follows the new shape, and the name says so */
        m->params = m->active_params = 0;
        if (!(set & ((uint64_t)1 << M_HEAD_DIM)) && (set & (((uint64_t)1 << M_HIDDEN) | ((uint64_t)1 << M_HEADS))))
            m->head_dim = 0;
        if (!(set & ((uint64_t)1 << M_KV_HEADS)) && (set & ((uint64_t)1 << M_HEADS)) && m->kv_heads > m->heads)
            m->kv_heads = 0;
        char name[AIF_NAME_MAX];
        snprintf(name, sizeof name, "%.*s*", AIF_NAME_MAX - 2, m->name);
        memcpy(m->name, name, sizeof name);
    }
    if ((rc = aif_model_check(bc, m, mn, "model")))
        return rc;
    if (base && m->position == AIF_POS_LEARNED && base_position != AIF_POS_LEARNED &&
        !(set & ((uint64_t)1 << M_MAX_SEQ)))   /* learned positions are max_seq x hidden weights */
        return bind_error(bc, arch ? arch : mn, "model.max_seq", "learned positions need the model's own max_seq "
                          "(%s's %d was for %s positions and would add %.3gB parameters): give max_seq, e.g. 2048",
                          base->s, m->max_seq, aif_pos_name((aif_pos)base_position),
                          (double)m->max_seq * m->hidden / 1e9);
    const uint64_t width = ((uint64_t)1 << M_HIDDEN) | ((uint64_t)1 << M_HEADS) | ((uint64_t)1 << M_KV_HEADS) |
                           ((uint64_t)1 << M_HEAD_DIM) | ((uint64_t)1 << M_FFN) | ((uint64_t)1 << M_VOCAB);
    bool named = arch || (set & ((uint64_t)1 << M_ACTIVATION));
    if (!named && (!base || (set & width))) {
        const ynode *at = mn;
        static const char *const width_keys[] = {"hidden", "heads", "kv_heads", "head_dim", "ffn", "vocab"};
        for (int i = 0; i < mn->n && at == mn; i++)   /* point at the first width field */
            for (int k = 0; k < 6 && mn->kids[i]->key; k++)
                if (!strcmp(mn->kids[i]->key, width_keys[k]) || (!base && strcmp(mn->kids[i]->key, "base") != 0)) {
                    at = mn->kids[i];
                    break;
                }
        if (base)
            return bind_error(bc, at, "model.arch", "%s with a new width (hidden, heads, ffn or vocab) would keep "
                              "%s's architecture (%s, %s, %s positions%s): name it with arch (CLI --arch): %s; or "
                              "give activation, norm and position", base->s, base->s,
                              aif_act_name((aif_act)m->activation), aif_norm_name((aif_norm)m->norm),
                              aif_pos_name((aif_pos)m->position), m->tied_embeddings ? ", tied embeddings" : "",
                              arch_accepted);
        return bind_error(bc, at, "model.arch", "a model given by its shape needs its architecture: arch (CLI "
                          "--arch): %s; or activation, norm and position (or a catalog model as base)", arch_accepted);
    }
    return AIF_OK;
}


void aif_scenario_note(aif_scenario *s, const char *path, const char *asked, const char *used, const char *fmt, ...)
{
    if (s->n_notes >= AIF_MAX_NOTES) {
        s->n_notes_dropped++;
        return;
    }
    aif_note *n = &s->notes[s->n_notes++];
    aif_strlcpy(n->field, path, sizeof n->field);
    aif_strlcpy(n->asked, asked, sizeof n->asked);
    aif_strlcpy(n->used, used, sizeof n->used);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(n->why, sizeof n->why, fmt, ap);
    va_end(ap);
}

/* cluster.storage: {kind: NAME, units: N | auto, bw: BANDWIDTH}: units of one storage
 * catalog entry; `units: auto` (or bw without units) takes the fewest units whose write
 * bandwidth reaches bw. */
typedef struct storage_in { char kind[AIF_NAME_MAX]; double bw_Bps; } storage_in;
static const field storage_fields[] = {
    FLD(storage_in, "kind", F_STR, kind),
    {.key = "bw", .type = F_QTY, .off = offsetof(storage_in, bw_Bps), .qty = AIF_Q_BW, .min = 1, .max = 1e18},
};
static const char *const storage_skip[] = {"units", NULL};
static const schema storage_schema = {storage_fields, 2, storage_skip};

static aif_rc bind_storage(const bind_ctx *bc, const ynode *sn, aif_cluster *cl)
{
    static const char form[] = "{kind: NAME, units: N} or {kind: NAME, units: auto, bw: 1TB/s} (the kinds: aifsim "
                                "catalog storage)";
    if (sn->kind != Y_MAP)
        return bind_error(bc, sn, "cluster.storage", "expected a mapping %s", form);
    storage_in in = {.bw_Bps = 0};
    uint64_t set = 0;
    aif_rc rc = bind_map(bc, sn, &storage_schema, &in, "cluster.storage", &set);
    if (rc)
        return rc;
    if (!(set & 1u))
        return bind_error(bc, sn, "cluster.storage.kind", "missing: the storage catalog entry, as %s", form);
    const aif_storage_tier *t = resolve(bc, AIF_CAT_STORAGE, in.kind, ynode_get(sn, "kind"), "cluster.storage.kind");
    if (!t)
        return AIF_EINPUT;
    const ynode *un = ynode_get(sn, "units");
    int is_auto = un && un->kind == Y_SCALAR && !un->quoted && !strcmp(un->s, "auto");
    struct { int n; } units = {0};
    if (un && !is_auto) {
        static const field uf = {.key = "units", .type = F_INT, .off = 0, .min = 1, .max = 10000000};
        if ((rc = bind_value(bc, un, &uf, &units, "cluster.storage.units")))
            return rc;
        if (set & 2u)
            return bind_error(bc, ynode_get(sn, "bw"), "cluster.storage.bw", "give units or bw, not both (bw "
                              "sizes the tier: units auto)");
    }
    if (!un && !(set & 2u))
        return bind_error(bc, sn, "cluster.storage.units", "missing: how many units of %s (a number, or auto with "
                          "bw: the write bandwidth to size for)", t->name);
    if (!units.n) {
        if (!(set & 2u))
            return bind_error(bc, un, "cluster.storage.bw", "units: auto sizes the tier to a write bandwidth: "
                              "give bw (e.g. bw: 1TB/s)");
        double n = ceil(in.bw_Bps / t->write_bw_Bps * (1 - 1e-12));
        if (n > 10000000)
            return bind_error(bc, ynode_get(sn, "bw"), "cluster.storage.bw", "needs %.0f units of %s (at most "
                              "10,000,000)", n, t->name);
        units.n = n < 1 ? 1 : (int)n;
    }
    cl->storage = *t;
    cl->storage_units = units.n;
    return AIF_OK;
}

static aif_rc bind_cluster(const bind_ctx *bc, const ynode *cn, aif_scenario *s)
{
    aif_cluster *cl = &s->cluster;
    const aif_catalog *c = bc->cat;
    cluster_in in;
    memset(&in, 0, sizeof in);
    aif_network_defaults(&in.net);
    uint64_t set = 0;
    aif_rc rc = bind_map(bc, cn, &cluster_schema, &in, "cluster", &set);
    if (rc)
        return rc;
    memset(cl, 0, sizeof *cl);
    const aif_system *sys = NULL;
    if (set & (1u << C_SYSTEM)) {
        if (!(sys = resolve(bc, AIF_CAT_SYSTEMS, in.system, ynode_get(cn, "system"), "cluster.system")))
            return AIF_EINPUT;
        cl->system = *sys;
    }
    const char *gpu_name = (set & (1u << C_GPU)) ? in.gpu : sys ? sys->gpu : NULL;
    if (!gpu_name)
        return bind_error(bc, cn, "cluster", "name a system (e.g. dgx-h100) or a gpu (e.g. h100-sxm)");
    const aif_gpu *g = resolve(bc, AIF_CAT_GPUS, gpu_name, ynode_get(cn, (set & (1u << C_GPU)) ? "gpu" : "system"),
                               (set & (1u << C_GPU)) ? "cluster.gpu" : "cluster.system");
    if (!g)
        return AIF_EINPUT;
    cl->gpu = *g;
    if (sys && strcmp(sys->gpu, g->name)) {
        /* another GPU than the system's: take the catalog system built around that GPU
         * (h200 -> hgx-h200, gb200 -> gb200-nvl72); failing one, keep the node's shape but
         * none of the figures that belong to the other system */
        const aif_system *match = NULL;
        for (int i = 0; i < aif_catalog_n_systems(c) && !match; i++)
            if (!strcmp(aif_catalog_system(c, i)->gpu, g->name))
                match = aif_catalog_system(c, i);
        if (match) {
            aif_scenario_note(s, "cluster.system", sys->name, match->name, "%s holds %s, not %s; %s is the catalog system "
                     "built around %s", sys->name, sys->gpu, g->name, match->name, g->name);
            if (!(set & (1u << C_FABRIC)) && strcmp(sys->fabric, match->fabric))
                aif_scenario_note(s, "cluster.fabric", sys->fabric, match->fabric, "the scale-out fabric of %s", match->name);
            sys = match;
            cl->system = *sys;
        } else {
            aif_scenario_note(s, "cluster.system", sys->name, "none", "%s holds %s, not %s, and no catalog system is built "
                     "around %s: its node shape is kept, its price and power are not", sys->name, sys->gpu,
                     g->name, g->name);
            cl->system.name[0] = '\0';
            cl->system.price_usd = cl->system.host_power_W = cl->system.max_power_W = 0;
        }
    }
    const char *fab = (set & (1u << C_FABRIC)) ? in.fabric : sys ? sys->fabric : "ib-ndr";
    const aif_fabric *f = resolve(bc, AIF_CAT_FABRICS, fab,
                                  ynode_get(cn, (set & (1u << C_FABRIC)) ? "fabric" : "system"), "cluster.fabric");
    if (!f)
        return AIF_EINPUT;
    cl->fabric = *f;
    const aif_fabric *su = aif_catalog_find_fabric(c, g->scaleup);
    if (su) {
        cl->scaleup = *su;
    } else {
        /* a GPU whose scale-up fabric has no catalog entry: use its own figures */
        aif_strlcpy(cl->scaleup.name, g->scaleup[0] ? g->scaleup : "scale-up", sizeof cl->scaleup.name);
        cl->scaleup.kind = AIF_FAB_NVLINK;
        cl->scaleup.efficiency = aif_catalog_fabric_defaults(c)->scaleup_efficiency;
        cl->scaleup.latency_s = aif_catalog_fabric_defaults(c)->scaleup_latency_s;
    }
    cl->scaleup.port_bw_Bps = g->scaleup_bw_Bps; /* the GPU's own link, e.g. H800's reduced NVLink */
    if (!(set & (1u << C_GPUS)))
        return bind_error(bc, cn, "cluster.gpus", "missing: how many accelerators (e.g. gpus: 1024)");
    cl->gpus = in.gpus;
    cl->gpus_per_node = (set & (1u << C_GPN)) ? in.gpus_per_node : sys ? sys->gpus_per_node
                        : (g->scaleup_domain < 8 ? g->scaleup_domain : 8);
    cl->nics_per_node = (set & (1u << C_NICS)) ? in.nics_per_node : sys ? sys->nics_per_node : cl->gpus_per_node;
    cl->scaleup_domain = (set & (1u << C_DOMAIN)) ? in.scaleup_domain
                         : sys && sys->scaleup_domain > sys->gpus_per_node ? sys->scaleup_domain   /* rack scale */
                                                                           : cl->gpus_per_node;   /* the node */
    if (set & (1u << C_NICBW))
        cl->nic_bw_Bps = in.nic_bw_Bps;
    else if (sys && !(set & (1u << C_FABRIC)))
        cl->nic_bw_Bps = sys->nic_bw_Bps;
    else /* a fabric chosen by name runs at its port speed, capped by the system's NIC */
        cl->nic_bw_Bps = sys && sys->nic_bw_Bps < f->port_bw_Bps ? sys->nic_bw_Bps : f->port_bw_Bps;
    if (!(set & (1u << C_NICBW)) && (set & (1u << C_FABRIC)) && sys && sys->nic_bw_Bps < f->port_bw_Bps) {
        char asked[80], used[AIF_NAME_MAX];
        snprintf(asked, sizeof asked, "%.0f Gb/s (%.40s's port)", f->port_bw_Bps * 8 / 1e9, f->name);
        snprintf(used, sizeof used, "%.0f Gb/s", sys->nic_bw_Bps * 8 / 1e9);
        aif_scenario_note(s, "cluster.nic_bw", asked, used, "the NICs of %s run at %.0f Gb/s; nic_bw sets another speed",
                 sys->name, sys->nic_bw_Bps * 8 / 1e9);
    }
    if (cl->scaleup_domain < cl->gpus_per_node && !(set & (1u << C_DOMAIN)))
        cl->scaleup_domain = cl->gpus_per_node;   /* a catalog system's domain is at least its node */
    /* the host link is the node's (a system swapped for another GPU's keeps none: above) */
    cl->host_link_Bps = (set & (1u << C_HOSTLINK)) ? in.host_link_Bps : cl->system.name[0] ? cl->system.host_link_Bps : 0;
    cl->clock_factor = 1.0;
    cl->speed_spread = (set & (1u << C_SPREAD)) ? in.speed_spread : cl->gpu.calib.speed_spread;
    cl->net = in.net;
    cl->nccl = *aif_catalog_nccl(c);
    const ynode *sn = ynode_get(cn, "storage");
    return sn ? bind_storage(bc, sn, cl) : AIF_OK;
}

/* The software stack a training job runs on (train.framework, data/frameworks.yaml),
 * folded into the job's copy of its GPU's calibration and into the train fields the
 * engines read, so that no engine reads the profile: GEMM and attention rates scaled
 * (aif_framework_calib_factor), the per-kernel overhead scaled (or cut to the graph tail
 * under CUDA graphs), the workspace grown,
 * the attention kernel no better than the stack's, and overlaps the stack lacks off.
 * The default profile (megatron-core) is 1, 0 and true everywhere: every figure stays
 * bit for bit what it was (but a YaRN-scaled model's rotary embedding, which Megatron-Core
 * runs unfused, and gpt-oss's clamped, biased experts: yarn_rope_unfused and
 * moe_eager_extras, read by the lowering).  A roofline family stays a bound: only the fields that are
 * not efficiencies (attention kernel, overlaps, workspace) apply to it. */
static const aif_framework identity_framework = {
    .name = "megatron-core", .attention = AIF_ATTN_FLASH3, .matmul_factor = 1, .fp8_matmul_factor = 1,
    .fp8_cast_factor = 1, .norm_traffic = 1, .act_traffic = 1, .elementwise_kernels = 1, .launch_factor = 1,
    .graph_tail = 0.5, .tp_overlap = true, .dp_overlap = true, .ep_overlap = true, .fsdp_prefetch = 1,
    .yarn_rope_unfused = true, .moe_eager_extras = true};

/* Whether name is one of the space-separated names of list. */
static int in_name_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        const char *end = strchr(p, ' ');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n && !strncmp(p, name, n))
            return 1;
        p += len + (end != NULL);
    }
    return 0;
}

const char *aif_ep_dispatch_resolved(const aif_scenario *s)
{
    const aif_train *t = &s->train;
    return t->ep_dispatch == AIF_EP_AUTO ? (s->model.moe.max_nodes > 0 ? "deepep" : "alltoall")
                                         : aif_ep_dispatch_names[t->ep_dispatch];
}

double aif_framework_rope_traffic(const aif_framework *f)
{
    return f->rope_traffic > 0 ? f->rope_traffic : f->norm_traffic > 0 ? f->norm_traffic : 1;
}

double aif_framework_calib_factor(const aif_framework *f, const aif_calib *c, const char *name)
{
    if (c->roofline || !f->name[0])
        return 1;
    if (!strcmp(name, "matmul_eff"))
        return f->matmul_factor;
    if (!strcmp(name, "matmul_eff_fp8"))
        return f->fp8_matmul_factor;
    if (!strcmp(name, "kernel_overhead"))
        return f->cuda_graphs ? f->graph_tail : f->launch_factor;
    /* the stack's attention kernel against the family's: absent (0), or a family the
     * factors were not measured on, that kernel */
    int fwd = !strncmp(name, "attn_fwd_eff", 12), bwd = !strncmp(name, "attn_bwd_eff", 12);
    if (!fwd && !bwd)
        return 1;
    if (f->attn_factor_families[0] && !in_name_list(f->attn_factor_families, c->name))
        return 1;
    double x = fwd ? f->attn_fwd_factor : f->attn_bwd_factor;
    return x > 0 ? x : 1;
}

static void framework_apply(aif_scenario *s)
{
    const aif_framework *f = &s->framework;
    aif_calib *c = &s->cluster.gpu.calib;
    aif_train *t = &s->train;
    if (!c->roofline) {
        c->matmul_eff *= aif_framework_calib_factor(f, c, "matmul_eff");
        c->matmul_eff_fp8 *= aif_framework_calib_factor(f, c, "matmul_eff_fp8");
        c->kernel_overhead_s *= aif_framework_calib_factor(f, c, "kernel_overhead");
        c->attn_fwd_eff *= aif_framework_calib_factor(f, c, "attn_fwd_eff");
        c->attn_fwd_eff_hd64 *= aif_framework_calib_factor(f, c, "attn_fwd_eff_hd64");
        c->attn_fwd_eff_hd192 *= aif_framework_calib_factor(f, c, "attn_fwd_eff_hd192");
        c->attn_bwd_eff *= aif_framework_calib_factor(f, c, "attn_bwd_eff");
        c->attn_bwd_eff_hd64 *= aif_framework_calib_factor(f, c, "attn_bwd_eff_hd64");
        c->attn_bwd_eff_hd192 *= aif_framework_calib_factor(f, c, "attn_bwd_eff_hd192");
    }
    c->workspace_bytes += f->workspace_extra_bytes;
    if (t->attention < f->attention)
        t->attention = f->attention;
    t->tp_overlap = t->tp_overlap && f->tp_overlap;
    t->dp_overlap = t->dp_overlap && f->dp_overlap;
    t->ep_overlap = t->ep_overlap && f->ep_overlap;
}

static aif_rc bind_train(const bind_ctx *bc, const ynode *tn, aif_scenario *s)
{
    aif_train *t = &s->train;
    memset(t, 0, sizeof *t);
    t->par = (aif_parallel){.tp = 1, .pp = 1, .vpp = 1, .cp = 1, .ep = 1};
    t->mbs = 1;
    t->seq = 4096;
    t->precision = AIF_BF16;
    t->recompute = AIF_RC_NONE;
    t->optimizer = AIF_OPT_DISTRIBUTED;
    t->attention = AIF_ATTN_FLASH3;
    t->dp_overlap = true;
    t->fp4_format = AIF_NVFP4;
    t->bf16_first_layers = t->bf16_last_layers = -1;
    t->ep_imbalance = 1;
    t->pp_overlap = true;
    uint64_t set = 0;
    if (tn) {
        /* `auto` degrees and `layout: auto` are taken out before binding: the search
         * (aif_run_train) fills them; until then they keep the defaults above */
        ynode filtered = *tn;
        ynode *kids[64];
        if (tn->kind == Y_MAP && tn->n <= 64) {
            static const struct { const char *key; unsigned bit; } autos[] = {
                {"tp", AIF_AUTO_TP}, {"pp", AIF_AUTO_PP}, {"vpp", AIF_AUTO_VPP}, {"cp", AIF_AUTO_CP},
                {"ep", AIF_AUTO_EP}, {"etp", AIF_AUTO_ETP}, {"mbs", AIF_AUTO_MBS}, {"layout", AIF_AUTO_LAYOUT},
                {"recompute_layers", AIF_AUTO_RECOMPUTE_LAYERS}, {"dp_shard", AIF_AUTO_DP_SHARD}};
            filtered.n = 0;
            filtered.kids = kids;
            for (int i = 0; i < tn->n; i++) {
                const ynode *k = tn->kids[i];
                unsigned bit = 0;
                for (size_t a = 0; a < sizeof autos / sizeof autos[0] && k->key; a++)
                    if (!strcmp(k->key, autos[a].key))
                        bit = autos[a].bit;
                bool is_auto = bit && k->kind == Y_SCALAR && !k->quoted && !strcmp(k->s, "auto");
                if (bit && !is_auto && k->kind == Y_SCALAR && !strcasecmp(k->s, "auto")) {
                    char path[64];
                    snprintf(path, sizeof path, "train.%s", k->key);
                    return bind_error(bc, k, path, "'%s': accepted auto, in lowercase and unquoted (the best-layout "
                                      "search chooses it)%s", k->s, bit == AIF_AUTO_LAYOUT ? "" : ", or a number");
                }
                if (bit == AIF_AUTO_LAYOUT && !is_auto)
                    return bind_error(bc, k, "train.layout", "expected auto (every parallel degree and the "
                                      "micro-batch chosen by the best-layout search)");
                if (is_auto)
                    t->auto_fields |= bit;
                else
                    kids[filtered.n++] = tn->kids[i];
            }
        }
        aif_rc rc = bind_map(bc, &filtered, &train_schema, t, "train", &set);
        if (rc)
            return rc;
    }
    if (t->precision == TRAIN_NVFP4 || t->precision == TRAIN_MXFP4) {   /* fp4 named by its format */
        const ynode *fmt = tn ? ynode_get(tn, "fp4_format") : NULL;
        int named = t->precision == TRAIN_NVFP4 ? AIF_NVFP4 : AIF_MXFP4;
        if (fmt && t->fp4_format != named)
            return bind_error(bc, fmt, "train.fp4_format", "fp4_format %s contradicts precision %s",
                              aif_fp4_format_names[t->fp4_format], aif_fp4_format_names[named]);
        t->fp4_format = named;
        t->precision = AIF_FP4;
    }
    /* the recipe's layers in bf16: none by default, as Megatron-Bridge's NVFP4 and fp8
     * performance recipes run (bf16_with_nvfp4_mixed: first_last_layers_bf16 off); the NVFP4
     * paper's accuracy recipe keeps the first 2 and the last 8 blocks ("Pretraining Large
     * Language Models with NVFP4", NVIDIA 2025: about 16% of its 12B model's linear layers) */
    if (t->bf16_first_layers < 0)
        t->bf16_first_layers = 0;
    if (t->bf16_last_layers < 0)
        t->bf16_last_layers = 0;
    {
        const ynode *fn = tn ? ynode_get(tn, "framework") : NULL;
        const aif_framework *f = NULL;
        if (t->framework[0]) {
            if (!(f = resolve(bc, AIF_CAT_FRAMEWORKS, t->framework, fn, "train.framework")))
                return bc->err->rc;
        } else {
            f = aif_catalog_find_framework(bc->cat, identity_framework.name);
        }
        s->framework = f ? *f : identity_framework;
        aif_strlcpy(t->framework, s->framework.name, sizeof t->framework);
        framework_apply(s);
    }
    if (t->recompute_modules && t->recompute != AIF_RC_SELECTIVE) {   /* Megatron-Core reads them only then */
        const ynode *mn = tn ? ynode_get(tn, "recompute_modules") : NULL;
        return bind_error(bc, mn, "train.recompute_modules", "recompute_modules name what recompute selective "
                          "replays, but recompute is %s (accepted: recompute selective with modules, or no "
                          "recompute_modules)", aif_recompute_name((aif_recompute)t->recompute));
    }
    if (t->recompute_saved && t->recompute != AIF_RC_FULL) {   /* what a whole-layer replay keeps */
        const ynode *mn = tn ? ynode_get(tn, "recompute_saved") : NULL;
        return bind_error(bc, mn, "train.recompute_saved", "recompute_saved names what recompute full keeps "
                          "of each layer, but recompute is %s (accepted: recompute full with saved outputs, or "
                          "no recompute_saved)", aif_recompute_name((aif_recompute)t->recompute));
    }
    if (t->recompute_layers > 0 && t->recompute != AIF_RC_FULL) {   /* Megatron-Core's granularity full */
        const ynode *mn = tn ? ynode_get(tn, "recompute_layers") : NULL;
        return bind_error(bc, mn, "train.recompute_layers", "recompute_layers %d names how many layers of each "
                          "pipeline chunk recompute full replays, but recompute is %s (accepted: recompute full "
                          "with recompute_layers, or no recompute_layers)", t->recompute_layers,
                          aif_recompute_name((aif_recompute)t->recompute));
    }
    /* activation offload: all of the stage's layers but the last by default, the most
     * Transformer Engine's get_cpu_offload_context accepts (num_layers <= model_layers - 1);
     * with pp 1 (aif_scenario_check) the stage is the model with its prediction blocks */
    if (t->offload == AIF_OFFLOAD_ACTIVATIONS && t->offload_layers == 0) {
        int layers = s->model.layers + (s->model.mtp_layers > 0 ? s->model.mtp_layers : 0);
        t->offload_layers = layers > 1 ? (layers - 1 < AIF_OFFLOAD_MAX_LAYERS ? layers - 1 : AIF_OFFLOAD_MAX_LAYERS) : 0;
    }
    if (!(set & (1u << T_ETP)))
        t->par.etp = 1;
    if (!(set & (1u << T_SP)))
        t->par.sp = t->par.tp > 1;
    long long mp = (long long)t->par.tp * t->par.pp * t->par.cp;   /* each at most 65536: no overflow */
    int gpus = aif_alloc_gpus(s);
    if (!(set & (1u << T_DP)))
        t->par.dp = mp <= gpus && gpus % mp == 0 ? (int)(gpus / mp) : 0;
    if (!(set & (1u << T_GBS))) {
        long long g = (long long)t->par.dp * t->mbs * (t->par.pp > 1 ? 4 * t->par.pp : 1);
        t->gbs = g <= 1000000000 ? (int)g : 0;   /* too large: the check below says so */
    }
    return AIF_OK;
}

aif_rc aif_scenario_check(const aif_scenario *s, aif_err *err)
{
    const aif_parallel *p = &s->train.par;
    const aif_model *m = &s->model;
    const aif_train *t = &s->train;
    int gpus = aif_alloc_gpus(s);
#define BAD(path, ...) return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, path, __VA_ARGS__)
    aif_rc arc = aif_alloc_check(s, err);
    if (arc)
        return arc;
    if (p->tp < 1 || p->pp < 1 || p->cp < 1 || p->ep < 1 || p->etp < 1 || p->vpp < 1 || t->mbs < 1 || t->seq < 1 ||
        gpus < 1)
        BAD("train", "parallel degrees, mbs, seq and gpus must be at least 1");
    /* products in 64 bits: each factor is bounded, their product is not */
    long long mp = (long long)p->tp * p->pp * p->cp;
    if (mp > gpus || gpus % mp)
        BAD("train.tp", "gpus %d is not divisible by tp*pp*cp = %d*%d*%d = %lld", gpus, p->tp, p->pp, p->cp, mp);
    if (p->dp < 1 || mp * p->dp != gpus)
        BAD("train.dp", "tp*pp*cp*dp = %d*%d*%d*%d = %lld, but the %s has %d gpus", p->tp, p->pp, p->cp,
            p->dp, mp * p->dp, t->alloc.gpus > 0 ? "job (train.gpus)" : "cluster", gpus);
    if (m->heads % p->tp)
        BAD("train.tp", "tp %d does not divide the model's %d attention heads", p->tp, m->heads);
    if (m->kv_heads % p->tp && p->tp % m->kv_heads)
        BAD("train.tp", "tp %d and the model's %d KV heads: one must divide the other", p->tp, m->kv_heads);
    if (m->ffn % p->tp)
        BAD("train.tp", "tp %d does not divide the FFN size %d", p->tp, m->ffn);
    if (m->moe.experts && m->moe.expert_ffn % p->etp)
        BAD("train.etp", "etp %d does not divide the expert FFN size %d", p->etp, m->moe.expert_ffn);
    if (p->etp > (long long)p->tp * p->cp * p->dp)
        BAD("train.etp", "etp %d must be between 1 and tp*cp*dp = %lld", p->etp, (long long)p->tp * p->cp * p->dp);
    if ((long long)p->pp * p->vpp > m->layers)
        BAD("train.pp", "pp*vpp = %d*%d = %lld exceeds the model's %d layers", p->pp, p->vpp,
            (long long)p->pp * p->vpp, m->layers);
    if (p->vpp > 1 && p->pp == 1)
        BAD("train.vpp", "vpp %d needs pipeline parallelism (pp > 1)", p->vpp);
    if (p->ep > 1 && !m->moe.experts)
        BAD("train.ep", "ep %d needs a mixture-of-experts model; %s is dense", p->ep, m->name);
    if (m->moe.experts && m->moe.experts % p->ep)
        BAD("train.ep", "ep %d does not divide the model's %d experts", p->ep, m->moe.experts);
    long long stage = (long long)p->tp * p->cp * p->dp, expert = (long long)p->etp * p->ep;
    if (stage % expert)
        BAD("train.ep", "etp*ep = %d*%d = %lld does not divide tp*cp*dp = %d*%d*%d = %lld (expert layers regroup "
            "the ranks of a pipeline stage)", p->etp, p->ep, expert, p->tp, p->cp, p->dp, stage);
    if (p->cp > 1 && t->seq % (2 * p->cp))
        BAD("train.seq", "seq %d is not divisible by 2*cp = %d (context parallelism splits each sequence into "
            "2*cp chunks)", t->seq, 2 * p->cp);
    long long mbdp = (long long)t->mbs * p->dp;
    if (t->gbs < 1 || t->gbs % mbdp)
        BAD("train.gbs", "gbs %d is not divisible by mbs*dp = %d*%d = %lld", t->gbs, t->mbs, p->dp, mbdp);
    if (p->vpp > 1 && (t->gbs / mbdp) % p->pp)
        BAD("train.gbs", "the interleaved schedule needs the number of microbatches (gbs/(mbs*dp) = %lld) to be a "
            "multiple of pp %d", t->gbs / mbdp, p->pp);
    if (t->lora.rank > 0 && t->optimizer >= AIF_OPT_ZERO2)
        BAD("train.lora", "LoRA with %s is not modelled (frozen weights sharded layer by layer): use optimizer "
            "none, distributed or zero1", aif_optim_name((aif_optim)t->optimizer));
    if (p->dp_shard > 0 && p->dp % p->dp_shard)
        BAD("train.dp_shard", "dp_shard %d does not divide dp %d: accepted a divisor of dp (the data-parallel ranks "
            "one shard spans, replicated dp/dp_shard times), or 0 (or dp) to shard over all of dp", p->dp_shard, p->dp);
    if (p->dp_shard > 0 && p->dp_shard < p->dp) {
        if (t->optimizer != AIF_OPT_ZERO2 && t->optimizer != AIF_OPT_ZERO3 && t->optimizer != AIF_OPT_FSDP)
            BAD("train.dp_shard", "hybrid sharding (dp_shard %d of dp %d) shards gradients and optimizer state: "
                "use optimizer zero2, zero3 or fsdp (%s keeps its gradients whole; a partial distributed optimizer "
                "is not modelled), or dp_shard 0", p->dp_shard, p->dp, aif_optim_name((aif_optim)t->optimizer));
        if (t->optimizer != AIF_OPT_ZERO2 && p->pp == 1 && s->framework.fsdp_per_tensor)
            BAD("train.dp_shard", "hybrid sharding with %s's per-tensor ZeRO-3 collectives is not modelled: use "
                "dp_shard 0, or a stack that shards by layer (torchtitan, megatron-core)", s->framework.name);
        long long shard = (long long)p->tp * p->cp * p->dp_shard, ex_ranks = (long long)p->etp * p->ep;
        if (m->moe.experts && shard % ex_ranks)
            BAD("train.dp_shard", "etp*ep = %lld does not divide tp*cp*dp_shard = %d*%d*%d = %lld (expert layers "
                "shard over the expert ranks of a shard group)", ex_ranks, p->tp, p->cp, p->dp_shard, shard);
    }
    /* another rank order moves the dense grid's groups (Megatron-Core's RankGenerator); its expert
     * grid has an order of its own (tp-ep-pp-dp under use_tp_pp_dp_mapping), not modelled */
    if (t->rank_order != AIF_ORDER_TP_CP_DP_PP && m->moe.experts)
        BAD("train.rank_order", "rank order %s is modelled for dense models; %s has experts, whose groups follow an "
            "order of their own (accepted: rank_order tp-cp-dp-pp with experts)",
            aif_rank_order_names[t->rank_order], m->name);
    if (t->lora.rank == 0 && t->lora.targets != 0)
        BAD("train.lora", "lora needs its rank, e.g. {rank: 16, targets: all}");
    /* weights held in fp8 (Megatron-Core's --fp8-param-gather): an fp8 recipe's, gathered by the
     * distributed optimizer (or not sharded at all) */
    if (t->fp8_params && t->precision != AIF_FP8 && !(t->precision == AIF_FP4 && t->lora.rank > 0))
        BAD("train.fp8_params", "fp8 parameters belong to an fp8 recipe (or to an fp4 one's frozen LoRA weights, "
            "held in fp4); train.precision is %s%s (accepted: precision fp8, fp4 with lora, or fp8_params false)",
            aif_prec_name((aif_prec)t->precision), t->precision == AIF_FP4 ? " without lora" : "");
    if (t->fp8_params && t->optimizer > AIF_OPT_ZERO1)
        BAD("train.fp8_params", "fp8 parameters are modelled with optimizer none, distributed or zero1, not %s "
            "(accepted: one of those, or fp8_params false)", aif_optim_name((aif_optim)t->optimizer));
    /* Megatron-Core keeps the input of its fused SwiGLU alone in fp8 (fused_bias_swiglu.py), and its
     * TransformerConfig refuses the option otherwise ("Storing activation input in FP8 is supported
     * only for SwiGLU": transformer_config.py __post_init__) */
    if (t->fp8_act_input && m->activation != AIF_ACT_SWIGLU)
        BAD("train.fp8_act_input", "the activation input kept in fp8 belongs to a SwiGLU MLP (Megatron-Core "
            "refuses it for any other); model %s has activation %s (accepted: a swiglu model, or fp8_act_input "
            "false)", m->name, aif_act_name((aif_act)m->activation));
    /* Megatron-Core's own checks (transformer_config.py __post_init__): the MLA up-projection
     * needs multi-latent attention; a stack with its own per-op policy runs no modules */
    if (t->recompute_modules & 1u << AIF_RCM_MLA_UP_PROJ && m->attention != AIF_ATTN_MLA)
        BAD("train.recompute_modules", "mla_up_proj needs multi-latent attention (model.attention mla); %s has "
            "none", m->name);
    /* fp8 attention (Transformer Engine's fp8 dot-product attention): inside an fp8 recipe, the
     * fused kernel, on a family whose fp8 kernels were measured (data/calibration.yaml) */
    if (t->attention_dtype == AIF_ATTN_DT_FP8) {
        const aif_calib *cal = &s->cluster.gpu.calib;
        if (t->precision != AIF_FP8 && t->precision != AIF_FP4)
            BAD("train.attention_dtype", "fp8 attention runs inside an fp8 recipe (Transformer Engine's fp8 "
                "autocast); train.precision is %s (accepted: precision fp8 or fp4, or attention_dtype bf16)",
                aif_prec_name((aif_prec)t->precision));
        if (t->attention != AIF_ATTN_FLASH3)
            BAD("train.attention_dtype", "fp8 attention is a fused kernel's (cuDNN's); the attention here is %s "
                "(accepted: attention flash3, or attention_dtype bf16)", aif_attn_kernel_name((aif_attn_kernel)t->attention));
        if (!(cal->attn_fp8_fwd_factor > 0 && cal->attn_fp8_bwd_factor > 0))
            BAD("train.attention_dtype", "calibration family %s has no measured fp8 attention kernel "
                "(data/calibration.yaml attn_fp8_fwd_factor, attn_fp8_bwd_factor); accepted: attention_dtype bf16",
                cal->name);
    }
    /* the fused kernel's key tile: read where a sliding-window layer computes its band in whole
     * tiles (lower_train.c attn_core), nowhere else */
    if ((t->attn_block > 0 || t->attn_block_bwd > 0) &&
        !(m->sliding_window > 0 && t->attention != AIF_ATTN_UNFUSED))
        BAD(t->attn_block > 0 ? "train.attn_block" : "train.attn_block_bwd",
            "the attention kernel's key tile sets what a sliding-window layer's band costs in a fused kernel; %s "
            "(accepted: a model with sliding_window and attention flash3 or flash2, or attn_block and attn_block_bwd 0)",
            m->sliding_window > 0 ? "the attention here is unfused" : "the model has no sliding-window layers");
    /* what a full replay keeps: the names of MaxText's dense GQA layers, with a fused attention
     * kernel (an unfused one's backward needs the probabilities the replay would make), on a
     * stack that gathers a layer's weights for the replay and the backward alike */
    if (t->recompute_saved) {
        unsigned ok = (1u << AIF_N_RCS) - 1;
        if (m->attention == AIF_ATTN_MLA)
            ok &= ~(1u << AIF_RCS_QKV_PROJ);
        if (m->moe.experts > 0)
            ok &= ~(1u << AIF_RCS_MLPWO | 1u << AIF_RCS_MLPWI);
        if (t->attention == AIF_ATTN_UNFUSED)
            ok &= ~(1u << AIF_RCS_CONTEXT);
        char acc[96] = "";
        for (int i = 0, k = 0; i < AIF_N_RCS; i++)
            if (ok >> i & 1u)
                k += snprintf(acc + k, sizeof acc - (size_t)k, "%s%s", k ? ", " : "", aif_recompute_saved_names[i]);
        if (t->recompute_saved & 1u << AIF_RCS_QKV_PROJ && m->attention == AIF_ATTN_MLA)
            BAD("train.recompute_saved", "qkv_proj names the query, key and value projections of multi-head or "
                "grouped-query attention; %s has multi-latent attention (accepted here: %s)", m->name, acc);
        if (t->recompute_saved & (1u << AIF_RCS_MLPWO | 1u << AIF_RCS_MLPWI) && m->moe.experts > 0)
            BAD("train.recompute_saved", "%s names a dense MLP's %s projection; %s's layers are mixture "
                "of experts (accepted here: %s)", t->recompute_saved & 1u << AIF_RCS_MLPWO ? "mlpwo" : "mlpwi",
                t->recompute_saved & 1u << AIF_RCS_MLPWO ? "output" : "input", m->name, acc);
        if (t->recompute_saved & 1u << AIF_RCS_CONTEXT && t->attention == AIF_ATTN_UNFUSED)
            BAD("train.recompute_saved", "context keeps a fused attention kernel's output; the unfused "
                "attention's backward needs its probabilities (accepted here: %s)", acc);
        if (s->framework.fsdp_per_tensor && p->pp == 1 &&
            (t->optimizer == AIF_OPT_ZERO3 || t->optimizer == AIF_OPT_FSDP))
            BAD("train.recompute_saved", "the stack %s gathers each weight tensor for its use (ZeRO-3 per "
                "tensor), and a kept output's weight would be gathered for the backward alone: not modelled "
                "(accepted here: no recompute_saved)", s->framework.name);
        if (t->offload == AIF_OFFLOAD_ACTIVATIONS)   /* which of a layer's tensors go to the host */
            BAD("train.recompute_saved", "kept outputs with activations offloaded to host memory are not "
                "modelled (the offload copies each layer's saved tensors; MaxText's custom policy names "
                "per tensor where it goes) (accepted here: no recompute_saved, or offload none)");
    }
    if (t->recompute_modules & ~(1u << AIF_RCM_CORE_ATTN) && s->framework.selective_gemm_share > 0)
        BAD("train.recompute_modules", "the stack %s recomputes selectively by its own per-op policy "
            "(selective_gemm_share %g); recompute_modules are Megatron-Core's", s->framework.name,
            s->framework.selective_gemm_share);
    /* a stack that gathers each weight tensor for its use and frees it after (DeepSpeed's
     * ZeRO-3) would gather a replayed module's weights again: not modelled, and not an
     * option that stack has */
    if (t->recompute_modules & ~(1u << AIF_RCM_CORE_ATTN) && s->framework.fsdp_per_tensor && p->pp == 1 &&
        (t->optimizer == AIF_OPT_ZERO3 || t->optimizer == AIF_OPT_FSDP))
        BAD("train.recompute_modules", "the stack %s gathers each weight tensor for its use (ZeRO-3 per tensor); "
            "recompute_modules are Megatron-Core's (accepted here: core_attn alone, or no recompute_modules)",
            s->framework.name);
    if (t->precision != AIF_BF16 && t->precision != AIF_FP8 && t->precision != AIF_FP4)
        BAD("train.precision", "training precision must be bf16, fp8 or fp4 (nvfp4, mxfp4)");
    if (t->precision == AIF_FP4 && s->cluster.gpu.peak_flops[AIF_FP4] <= 0)
        BAD("train.precision", "%s has no fp4 tensor cores (peak_tflops has no fp4): fp4 training (NVFP4, MXFP4) "
            "needs block-scaled fp4 GEMMs (Blackwell: b200, gb200, gb300, b300; MXFP4 also AMD mi355x); use bf16 "
            "or fp8", s->cluster.gpu.name);
    /* NVFP4 (E4M3 scales per 16) is NVIDIA's; other vendors' fp4 units take the OCP MX formats */
    if (t->precision == AIF_FP4 && t->fp4_format == AIF_NVFP4 && s->cluster.gpu.vendor[0] &&
        strcmp(s->cluster.gpu.vendor, "nvidia"))
        BAD("train.precision", "%s (%s) has fp4 tensor cores for the OCP microscaling format, not NVIDIA's NVFP4: "
            "use mxfp4", s->cluster.gpu.name, s->cluster.gpu.vendor);
    if (s->cluster.gpu.peak_flops[t->precision] <= 0)
        BAD("train.precision", "%s has no %s tensor cores (peak_tflops has no %s)", s->cluster.gpu.name,
            aif_prec_name((aif_prec)t->precision), aif_prec_name((aif_prec)t->precision));
    if (t->precision == AIF_BF16 && (t->bf16_first_layers > 0 || t->bf16_last_layers > 0))
        BAD(t->bf16_first_layers > 0 ? "train.bf16_first_layers" : "train.bf16_last_layers", "layers kept in bf16 belong to a low-precision recipe: precision fp8 or fp4");
    if (s->cluster.gpus_per_node > s->cluster.scaleup_domain)
        BAD("cluster.scaleup_domain", "scaleup_domain %d is smaller than gpus_per_node %d",
            s->cluster.scaleup_domain, s->cluster.gpus_per_node);
    else if (s->cluster.scaleup_domain % s->cluster.gpus_per_node)
        BAD("cluster.scaleup_domain", "scaleup_domain %d is not a whole number of nodes of %d GPUs (accepted: a "
            "multiple of gpus_per_node, e.g. %d)", s->cluster.scaleup_domain, s->cluster.gpus_per_node,
            s->cluster.scaleup_domain / s->cluster.gpus_per_node * s->cluster.gpus_per_node);
    if (p->pp * p->vpp > 4096)
        BAD("train.pp", "pp*vpp %d is larger than 4096 pipeline chunks", p->pp * p->vpp);
    if (t->grad_dtype != AIF_GRAD_AUTO && !aif_optim_has_grad_buffer(t->optimizer))
        BAD("train.grad_dtype", "grad_dtype %s sets the gradient buffer of optimizer none or distributed "
            "(Megatron-Core's); under optimizer %s the gradients are counted in bf16 and another type is not "
            "modelled: use grad_dtype auto",
            aif_grad_dtype_names[t->grad_dtype], aif_optim_name((aif_optim)t->optimizer));
    /* the bucket of Megatron-Core's DistributedDataParallel: only where its buffer's reduction
     * overlaps the backward in buckets (with dp_overlap off it reduces one bucket at the end) */
    if (t->dp_bucket > 0 && (t->dp_bucket < 1 || t->dp_bucket != floor(t->dp_bucket)))
        BAD("train.dp_bucket", "dp_bucket %g is not a whole number of parameters (accepted: 0 for Megatron-Core's "
            "default, or a count of parameters such as 768M)", t->dp_bucket);
    else if (t->dp_bucket > 0 && !aif_optim_has_buckets(t->optimizer))
        BAD("train.dp_bucket", "dp_bucket sets the buckets the gradients are reduced in after the backward "
            "(optimizer none, distributed or zero1); optimizer %s reduces them layer by layer (accepted: optimizer "
            "none, distributed or zero1, or no dp_bucket)", aif_optim_name((aif_optim)t->optimizer));
    else if (t->dp_bucket > 0 && !t->dp_overlap)
        BAD("train.dp_bucket", "dp_bucket sets the buckets a reduction overlapped with the backward is cut into; "
            "dp_overlap is off here (train.dp_overlap, or a stack without the overlap), so the gradients are reduced "
            "as one bucket after the backward (accepted: dp_overlap true, or no dp_bucket)");
    int cp_conflict = aif_cp_comm_conflict(s);
    if (cp_conflict == 1)
        BAD("train.cp_comm", "cp_comm p2p passes keys and values round a ring, which Transformer Engine refuses "
            "with sliding-window attention (model %s, a window of %d) (accepted: a2a, allgather, or auto: a2a "
            "here)", s->model.name, s->model.sliding_window);
    if (cp_conflict == 2) {
        int qh, kvh;
        aif_rank_heads(s, &qh, &kvh);
        BAD("train.cp_comm", "cp_comm a2a splits each rank's heads over the %d context-parallel ranks, but a "
            "tensor-parallel rank holds %d query and %d key-value heads (Transformer Engine asserts both divisible; "
            "accepted: a cp that divides them, or cp_comm p2p or allgather)", p->cp, qh, kvh);
    }
    if (t->offload_layers > 0 && t->offload == AIF_OFFLOAD_NONE)
        BAD("train.offload_layers", "offload_layers %d needs offload: activations", t->offload_layers);
    if (t->offload == AIF_OFFLOAD_ACTIVATIONS) {
        /* Megatron-Core's TransformerConfig refuses both (transformer_config.py: "Currently
         * there is no support for Pipeline parallelism with CPU offloading", "CPU offloading
         * does not work when activation recomputation is enabled"); Transformer Engine's
         * default synchronizer assumes every forward of the stage before its backwards */
        if (p->pp > 1)
            BAD("train.offload", "activation offload runs with pp 1 (Megatron-Core has no pipeline parallelism with "
                "CPU offloading); this job has pp %d: use pp 1 or offload none", p->pp);
        /* a stack that offloads full recompute's checkpointed inputs (MaxText) runs the two together */
        if (t->recompute != AIF_RC_NONE && s->framework.offload_recompute && t->recompute != AIF_RC_FULL)
            BAD("train.offload", "%s offloads full recompute's checkpointed layer inputs (framework "
                "offload_recompute), not selective recompute's; this job has recompute %s: use recompute full or "
                "none, or offload none",
                s->framework.name, aif_recompute_name((aif_recompute)t->recompute));
        if (t->recompute_layers > 0)   /* the copies are timed from the replaying layers' backward */
            BAD("train.recompute_layers", "recompute_layers with activations offloaded to host memory is not "
                "modelled (accepted here: no recompute_layers, or offload none)");
        if (t->recompute != AIF_RC_NONE && !s->framework.offload_recompute)
            BAD("train.offload", "activation offload is an alternative to recompute (Megatron-Core refuses the two "
                "together); this job has recompute %s: use recompute none or offload none",
                aif_recompute_name((aif_recompute)t->recompute));
        if (!(s->cluster.host_link_Bps > 0))
            BAD("train.offload", "activation offload needs the GPU's link to host memory: %s has no host_link; "
                "set cluster.host_link (e.g. 63GB/s for PCIe Gen5 x16, 450GB/s for NVLink-C2C)",
                s->cluster.system.name[0] ? s->cluster.system.name : "the cluster's system");
        int layers = m->layers + (m->mtp_layers > 0 ? m->mtp_layers : 0);
        if (layers < 2)
            BAD("train.offload", "activation offload keeps the last layer on the GPU: the model needs 2 layers at "
                "least, %s has %d", m->name, layers);
        if (t->offload_layers > layers - 1)
            BAD("train.offload_layers", "offload_layers %d: accepted 1 to %d (the stage's %d layers but the last, "
                "Transformer Engine's get_cpu_offload_context: num_layers <= model_layers - 1)", t->offload_layers,
                layers - 1, layers);
        if (t->offload_layers > AIF_OFFLOAD_MAX_LAYERS)
            BAD("train.offload_layers", "offload_layers %d: at most %d layers are offloaded", t->offload_layers,
                AIF_OFFLOAD_MAX_LAYERS);
    }
#undef BAD
    return AIF_OK;
}

/* The node at a dotted field path (cluster.scaleup_domain), or NULL when the path is
 * not written in the tree (a value that came from a default). */
static const ynode *node_at(const ynode *root, const char *path)
{
    const ynode *n = root;
    char key[sizeof ((aif_err *)0)->path];
    for (const char *p = path; n && *p;) {
        size_t k = strcspn(p, ".");
        if (k == 0 || k >= sizeof key)
            return NULL;
        memcpy(key, p, k);
        key[k] = '\0';
        n = n->kind == Y_MAP ? ynode_get(n, key) : NULL;
        p += k + (p[k] == '.');
    }
    return n == root ? NULL : n;
}

/* Whether the input wrote train.KEY: a node that the built-in default scenario did not write. */
static int given(const ynode *root, const char *key)
{
    char path[40];
    snprintf(path, sizeof path, "train.%s", key);
    const ynode *n = node_at(root, path);
    return n && !(n->origin && !strcmp(n->origin, "<built-in:default scenario>"));
}

/* The training settings the input did not write (no node, or one the built-in default
 * scenario wrote), of those that move a step time or the memory by more than a few percent, into
 * s->assumed: the software stack and its kernels, numerics, memory policy and overlaps. */
static const char *const assumed_keys[] = {
    "framework", "precision", "recompute", "optimizer", "mbs", "attention", "sp", "tp_overlap", "dp_overlap",
    "ep_overlap", "pp_overlap", "ep_dispatch", "grad_dtype", "moments_dtype", "attention_dtype", "fp8_params",
    "fp8_act_input", "dp_bucket", "cp_comm"};

/* s->assumed from the layout as it stands and s->assumed_given (bit i: the input wrote
 * assumed_keys[i]); layout_auto: the layout is still the search's to fill (dp unknown). */
static void build_assumed(aif_scenario *s, int layout_auto)
{
    const aif_train *t = &s->train;
    const aif_parallel *p = &t->par;
    struct { const char *key; int show; char val[AIF_NAME_MAX + 8]; } f[] = {
        /* the gradients are reduced, and the optimizer's state sharded, over dp x cp */
        {"framework", 1, ""}, {"precision", 1, ""}, {"recompute", 1, ""}, {"optimizer", p->dp * p->cp > 1, ""},
        {"mbs", 1, ""}, {"attention", 1, ""}, {"sp", p->tp > 1, ""}, {"tp_overlap", p->tp > 1, ""},
        {"dp_overlap", p->dp * p->cp > 1, ""}, {"ep_overlap", p->ep > 1, ""}, {"pp_overlap", p->vpp > 1 && p->pp > 1, ""},
        /* the dispatcher matters wherever there is an expert all-to-all: its bytes and its kernel */
        {"ep_dispatch", p->ep > 1, ""},
        /* 2 or 4 bytes a weight of memory, and the data-parallel reduction's bytes */
        {"grad_dtype", aif_optim_has_grad_buffer(t->optimizer), ""},
        /* Adam's moments: 8 or 4 bytes a weight of the optimizer's state (sharded as it is) */
        {"moments_dtype", 1, ""},
        /* the attention's operands, where an fp8 recipe on a family with a measured fp8 kernel
         * leaves the choice (the kernel's rate moves by a factor of 0.6 to 1.5) */
        {"attention_dtype", (t->precision == AIF_FP8 || t->precision == AIF_FP4) &&
                                s->cluster.gpu.calib.attn_fp8_fwd_factor > 0 &&
                                s->cluster.gpu.calib.attn_fp8_bwd_factor > 0 && t->attention == AIF_ATTN_FLASH3,
         ""},
        /* weights in fp8 alone or bf16 beside an fp8 copy: 1 or 3 bytes a weight, and the
         * parameter gather's bytes, where an fp8 recipe leaves the choice (an fp4 one's frozen
         * LoRA weights: 1.125 or 2.56) */
        {"fp8_params", (t->precision == AIF_FP8 || (t->precision == AIF_FP4 && t->lora.rank > 0)) &&
                           t->optimizer <= AIF_OPT_ZERO1, ""},
        /* a SwiGLU MLP's activation input kept in bf16 or fp8: a quarter to a half of a layer's
         * activations, and a cast each way */
        {"fp8_act_input", s->model.activation == AIF_ACT_SWIGLU, ""},
        /* the gradient bucket: how many reductions overlap the backward, each paying its
         * latency, and how much of the last one is left after it */
        {"dp_bucket", (p->dp * p->cp > 1 || layout_auto) && t->dp_overlap && aif_optim_has_buckets(t->optimizer), ""},
        /* context parallelism's exchange: a ring of small attention kernels or one over the
         * whole sequence, and sends beside them or collectives before and after */
        {"cp_comm", p->cp > 1, ""},
    };
    snprintf(f[0].val, sizeof f[0].val, "%s", t->framework[0] ? t->framework : "megatron-core");
    snprintf(f[1].val, sizeof f[1].val, "%s", aif_prec_name((aif_prec)t->precision));
    snprintf(f[2].val, sizeof f[2].val, "%s", aif_recompute_name((aif_recompute)t->recompute));
    snprintf(f[3].val, sizeof f[3].val, "%s", aif_optim_name((aif_optim)t->optimizer));
    snprintf(f[4].val, sizeof f[4].val, "%d", t->mbs);
    snprintf(f[5].val, sizeof f[5].val, "%s", aif_attn_kernel_name((aif_attn_kernel)t->attention));
    snprintf(f[6].val, sizeof f[6].val, "%s", p->sp ? "on" : "off");
    snprintf(f[7].val, sizeof f[7].val, "%s", t->tp_overlap ? "on" : "off");
    snprintf(f[8].val, sizeof f[8].val, "%s", t->dp_overlap ? "on" : "off");
    snprintf(f[9].val, sizeof f[9].val, "%s", t->ep_overlap ? "on" : "off");
    snprintf(f[10].val, sizeof f[10].val, "%s", t->pp_overlap ? "on" : "off");
    snprintf(f[11].val, sizeof f[11].val, "%s", aif_ep_dispatch_resolved(s));
    snprintf(f[12].val, sizeof f[12].val, "%s", t->grad_dtype == AIF_GRAD_BF16 ? "bf16" : "fp32");
    snprintf(f[13].val, sizeof f[13].val, "%s", t->moments_dtype == AIF_GRAD_BF16 ? "bf16" : "fp32");
    snprintf(f[14].val, sizeof f[14].val, "%s", aif_attn_dtype_names[t->attention_dtype == AIF_ATTN_DT_FP8]);
    snprintf(f[15].val, sizeof f[15].val, "%s", t->fp8_params ? "true" : "false");
    snprintf(f[16].val, sizeof f[16].val, "%s", t->fp8_act_input ? "true" : "false");
    if (layout_auto)   /* dp is the search's to choose: the default as Megatron-Core writes it */
        snprintf(f[17].val, sizeof f[17].val, "max(40M, 1M x dp)");
    else
        snprintf(f[17].val, sizeof f[17].val, "%gM", aif_dp_bucket_params(t) / 1e6);
    snprintf(f[18].val, sizeof f[18].val, "%s", aif_cp_comm_names[aif_cp_comm_resolved(s)]);
    size_t k = 0;
    s->assumed[0] = '\0';
    _Static_assert(sizeof f / sizeof f[0] == sizeof assumed_keys / sizeof assumed_keys[0], "assumed_keys");
    for (size_t i = 0; i < sizeof f / sizeof f[0] && k < sizeof s->assumed; i++) {
        AIF_ASSERT(!strcmp(f[i].key, assumed_keys[i]));   /* one order: the bits are the keys' */
        if (!f[i].show || (s->assumed_given >> i & 1u))
            continue;
        k += (size_t)snprintf(s->assumed + k, sizeof s->assumed - k, "%s%s %s", k ? ", " : "", f[i].key, f[i].val);
    }
}

/* The training settings the input did not write (no node, or one the built-in default
 * scenario wrote) into s->assumed (build_assumed), and those it wrote that a layout may leave
 * without effect into s->train_given (aif_scenario_note_unused). */
static void list_assumed(const ynode *root, aif_scenario *s)
{
    const aif_train *t = &s->train;
    const aif_parallel *p = &t->par;
    s->assumed_given = 0;
    for (size_t i = 0; i < sizeof assumed_keys / sizeof assumed_keys[0]; i++)
        if (given(root, assumed_keys[i]))
            s->assumed_given |= 1u << i;
    /* a layout written auto: dp is not known until the search fills it */
    build_assumed(s, (t->auto_fields & (AIF_AUTO_TP | AIF_AUTO_PP | AIF_AUTO_CP)) != 0);
    static const struct { const char *key; unsigned bit; } g[] = {
        {"sp", AIF_GIVEN_SP}, {"tp_overlap", AIF_GIVEN_TP_OVERLAP}, {"dp_overlap", AIF_GIVEN_DP_OVERLAP},
        {"ep_overlap", AIF_GIVEN_EP_OVERLAP}, {"pp_overlap", AIF_GIVEN_PP_OVERLAP},
        {"ep_dispatch", AIF_GIVEN_EP_DISPATCH}, {"cp_comm", AIF_GIVEN_CP_COMM}};
    const int on[] = {p->sp, t->tp_overlap, t->dp_overlap, t->ep_overlap, t->pp_overlap, 0, 0};
    s->train_given = s->train_given_true = 0;
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        if (given(root, g[i].key)) {
            s->train_given |= g[i].bit;
            if (on[i])
                s->train_given_true |= g[i].bit;
        }
}

void aif_scenario_assumed_layout(aif_scenario *s)
{
    build_assumed(s, 0);
}

double aif_scenario_pace(const aif_scenario *s)
{
    /* the expected maximum costs a few thousand erfc calls: the last job size's is kept, per thread */
    static _Thread_local double last_n = -1, last_m;
    double n = aif_alloc_gpus(s);
    if (n != last_n) {
        last_m = aif_expected_max_normal(n);
        last_n = n;
    }
    return s->cluster.speed_spread > 0 ? 1 - s->cluster.speed_spread * last_m : 1;
}

void aif_scenario_note_unused(aif_scenario *s)
{
    const aif_train *t = &s->train;
    const aif_parallel *p = &t->par;
    const int ep_group = p->ep * p->etp > 1;
    const struct { unsigned bit; const char *path; int unused; const char *why; } f[] = {
        {AIF_GIVEN_SP, "train.sp", p->tp == 1, "tp is 1: no tensor-parallel group to shard the sequence over"},
        {AIF_GIVEN_TP_OVERLAP, "train.tp_overlap", p->tp == 1, "tp is 1: no tensor-parallel communication"},
        {AIF_GIVEN_DP_OVERLAP, "train.dp_overlap", p->dp * p->cp == 1 && s->model.moe.experts == 0,
         "dp and cp are 1: no gradient reduction"},
        {AIF_GIVEN_EP_OVERLAP, "train.ep_overlap", p->ep == 1,
         ep_group ? "ep is 1: the overlap is expert parallelism's all-to-all (Megatron-Core refuses "
                    "overlap_moe_expert_parallel_comm without it); expert-TP collectives run in line"
                  : "ep and etp are 1: no expert communication"},
        {AIF_GIVEN_PP_OVERLAP, "train.pp_overlap", !(p->vpp > 1 && p->pp > 1) || s->framework.pp_p2p_serial,
         s->framework.pp_p2p_serial ? "the stack sends between pipeline stages in series (framework pp_p2p_serial)"
                                    : "no interleaved pipeline: the sends it overlaps are the interleaved schedule's, "
                                      "with pp and vpp above 1"},
        {AIF_GIVEN_EP_DISPATCH, "train.ep_dispatch", !ep_group, "ep and etp are 1: no expert dispatch"},
        {AIF_GIVEN_CP_COMM, "train.cp_comm", p->cp == 1, "cp is 1: no context-parallel exchange"},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        if (!(s->train_given & f[i].bit) || !f[i].unused)
            continue;
        const char *asked = f[i].bit == AIF_GIVEN_EP_DISPATCH ? aif_ep_dispatch_names[t->ep_dispatch]
                            : f[i].bit == AIF_GIVEN_CP_COMM   ? aif_cp_comm_names[t->cp_comm]
                            : s->train_given_true & f[i].bit  ? "true" : "false";
        aif_scenario_note(s, f[i].path, asked, "unused", "%s", f[i].why);
    }
    s->train_given = s->train_given_true = 0;   /* noted once */
}

/* How a load's origin reads as the base of a run: "built-in default scenario",
 * "built-in example mixtral-8x7b", "file job.yaml" (the name without its folder). */
static void base_name(const char *origin, char *out, size_t n)
{
    static const char ex[] = "<built-in:data/scenarios/";
    if (!strcmp(origin, "<built-in:default scenario>")) {
        aif_strlcpy(out, "built-in default scenario", n);
    } else if (!strncmp(origin, ex, sizeof ex - 1)) {
        const char *stem = origin + sizeof ex - 1;
        size_t k = strcspn(stem, ".>");
        snprintf(out, n, "built-in example %.*s", (int)(k < 100 ? k : 100), stem);
    } else if (origin[0] == '<') {
        snprintf(out, n, "%.*s", (int)(strlen(origin) > 2 ? strlen(origin) - 2 : 0), origin + 1);
    } else {   /* the file's own name: the folder would tie outputs to one machine */
        const char *slash = strrchr(origin, '/');
        snprintf(out, n, "file %s", slash ? slash + 1 : origin);
    }
}

/* Options that make another job.  A layout is written for its model, so naming the model
 * drops it; a GPU count the base's layout cannot hold (the layout check fails) drops it
 * too.  Other options (system, gpu, fabric, ...) keep it. */
static const char *const RESHAPING_MODEL[] = {"model", NULL};
static const char *const RESHAPING_GPUS[] = {"cluster.gpus", "train.gpus", NULL};
/* The layout fields a reshaped job derives again; in aif_scenario_check's order. */
static const char *const LAYOUT[] = {"tp", "pp", "vpp", "cp", "ep", "etp", "dp", "sp", "gbs", "dp_shard", NULL};

/* The path of the first override in list, or NULL.  (The path, not the option: the
 * command line and the api then say the same.) */
static const char *reshaping(const aif_override *ov, int n_ov, const char *const *list)
{
    for (int i = 0; i < n_ov; i++)
        for (int k = 0; list[k]; k++)
            if (!strcmp(ov[i].path, list[k]))
                return list[k];
    return NULL;
}

typedef struct dropped { const char *key, *value; } dropped;

/* Removes from the tree the layout values the base (origin) wrote; *n_out of them are
 * listed in out (at most 16). */
static void drop_layout(ynode *root, const char *origin, dropped *out, int *n_out)
{
    ynode *tn = ynode_get(root, "train");
    if (!tn || tn->kind != Y_MAP)
        return;
    int w = 0;
    for (int i = 0; i < tn->n; i++) {
        ynode *kid = tn->kids[i];
        int drop = 0;
        for (int k = 0; LAYOUT[k] && !drop; k++)
            drop = kid->key && !strcmp(kid->key, LAYOUT[k]) && kid->origin && !strcmp(kid->origin, origin);
        if (drop && *n_out < 16)
            out[(*n_out)++] = (dropped){kid->key, kid->kind == Y_SCALAR ? kid->s : "(a mapping)"};
        if (!drop)
            tn->kids[w++] = kid;
    }
    tn->n = w;
}

/* The value a dropped layout field took once derived, as text. */
static void layout_value(const aif_scenario *s, const char *key, char *out, size_t n)
{
    const aif_parallel *p = &s->train.par;
    const struct { const char *k; long long v; } v[] = {{"tp", p->tp}, {"pp", p->pp}, {"vpp", p->vpp},
                                                         {"cp", p->cp}, {"ep", p->ep}, {"etp", p->etp},
                                                         {"dp", p->dp}, {"sp", p->sp}, {"gbs", s->train.gbs},
                                                         {"dp_shard", p->dp_shard}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (!strcmp(v[i].k, key)) {
            if (!strcmp(key, "sp"))
                snprintf(out, n, "%s", v[i].v ? "true" : "false");
            else
                snprintf(out, n, "%lld", v[i].v);
            return;
        }
    aif_strlcpy(out, "derived", n);
}

/* Binds the sections bc->sections names from the tree; the cluster always (every
 * other section needs it), the layout checks only when model and train are both bound. */
static aif_rc bind_scenario(const bind_ctx *bc, const ynode *root, const char *name, aif_scenario *out)
{
    aif_err *err = bc->err;
    memset(out, 0, sizeof *out);
    aif_rc rc = bind_map(bc, root, &root_schema, out, "", NULL);
    base_name(name, out->base, sizeof out->base);
    if (rc)
        return rc;
    const ynode *nm = ynode_get(root, "name");
    int ctrl = 0;
    for (const unsigned char *ch = nm && nm->kind == Y_SCALAR ? (const unsigned char *)nm->s : NULL; ch && *ch; ch++)
        ctrl |= *ch < 0x20 || *ch == 0x7f;
    if (nm && (nm->kind != Y_SCALAR || strlen(nm->s) >= sizeof out->name || ctrl))
        return bind_error(bc, nm, "name", "expected a short text of printable characters (at most %zu)",
                          sizeof out->name - 1);
    aif_strlcpy(out->name, nm ? nm->s : "scenario", sizeof out->name);
    const ynode *cn = ynode_get(root, "cluster");
    if (!cn)
        return aif_err_set(err, AIF_EINPUT, name, 0, 0, "cluster",
                           "missing: a scenario needs a cluster (at least gpus, and a system or a gpu)");
    if ((rc = bind_cluster(bc, cn, out)))
        return rc;
    if (bc->sections & AIF_SECTION_MODEL) {
        const ynode *mn = ynode_get(root, "model");
        if (!mn)
            return aif_err_set(err, AIF_EINPUT, name, 0, 0, "model",
                               "missing: a scenario needs a model (a catalog name such as llama3-8b)");
        if ((rc = bind_model(bc, mn, &out->model)))
            return rc;
    }
    if ((bc->sections & AIF_SECTION_TRAIN) && (rc = bind_train(bc, ynode_get(root, "train"), out)))
        return rc;
    if ((bc->sections & AIF_SECTION_SITE) &&
        (rc = aif_site_bind(bc, out, ynode_get(root, "facility"), ynode_get(root, "cost"))))
        return rc;
    if ((bc->sections & AIF_SECTION_SERVE) && (rc = aif_serve_bind(bc, out, ynode_get(root, "serve"))))
        return rc;
    if ((bc->sections & AIF_SECTION_OPS) && (rc = aif_ops_bind(bc, out, ynode_get(root, "operations"))))
        return rc;
    const unsigned job = AIF_SECTION_MODEL | AIF_SECTION_TRAIN;
    if ((bc->sections & job) == job && !out->train.auto_fields)   /* auto: checked once the search fills it */
        rc = aif_scenario_check(out, err);
    else if (out->cluster.gpus_per_node > out->cluster.scaleup_domain)
        rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "cluster.scaleup_domain",
                         "scaleup_domain %d is smaller than gpus_per_node %d", out->cluster.scaleup_domain,
                         out->cluster.gpus_per_node);
    if (rc) {
        /* point at the offending value when it is written in the file or on the command line */
        const ynode *at = node_at(root, err->path);
        if (at) {
            aif_strlcpy(err->file, at->origin, sizeof err->file);
            err->line = at->line;
            err->col = at->col;
        } else {
            aif_strlcpy(err->file, name, sizeof err->file);
        }
    }
    return rc;
}

/* An error placed in a built-in scenario, which the user did not write, was caused by
 * the options: the check of a layout they changed ("--pp 64" against the built-in 8
 * GPUs; "--set cluster.gpus=1" against the default's tp 8).  It names the options of
 * the error's section when its value is not written (no line), else all the options,
 * followed by the built-in value they met ("--set cluster.gpus=1, against <built-in:
 * default scenario>:11:7"). */
static void blame_options(aif_err *err, const aif_override *ov, int n_ov)
{
    if (err->line > 0) {
        char who[sizeof err->file];
        size_t k = 0;
        who[0] = '\0';
        for (int i = 0; i < n_ov && k < sizeof who; i++)
            if (!strstr(who, ov[i].origin ? ov[i].origin : "<command line>"))
                k += (size_t)snprintf(who + k, sizeof who - k, "%s%s", k ? ", " : "",
                                      ov[i].origin ? ov[i].origin : "<command line>");
        if (k && k + strlen(err->file) + 12 < sizeof who) {
            snprintf(who + k, sizeof who - k, ", against %s", err->file);
            memcpy(err->file, who, strlen(who) + 1);
        }
        return;
    }
    size_t sec = strcspn(err->path, ".");
    char who[sizeof err->file];
    size_t k = 0;
    who[0] = '\0';
    for (int i = 0; i < n_ov && k < sizeof who; i++) {
        const char *o = ov[i].origin ? ov[i].origin : "<command line>";
        if (sec == 0 || strncmp(ov[i].path, err->path, sec) || (ov[i].path[sec] != '.' && ov[i].path[sec]))
            continue;
        if (strstr(who, o))
            continue;
        k += (size_t)snprintf(who + k, sizeof who - k, "%s%s", k ? ", " : "", o);
    }
    if (k && k < sizeof who)
        memcpy(err->file, who, k + 1);
}

aif_rc aif_scenario_parse_sections(const aif_catalog *c, const char *text, size_t len, const char *name,
                                   const aif_override *ov, int n_ov, unsigned sections, aif_scenario *out,
                                   aif_err *err)
{
    ydoc *d;
    ynode *root;
    aif_err_clear(err);
    aif_rc rc = ydoc_parse(text, len, name, &d, &root, err);
    if (rc)
        return rc;
    for (int i = 0; i < n_ov && !rc; i++)
        rc = ynode_set_path(d, root, ov[i].path, ov[i].value, ov[i].origin ? ov[i].origin : "<command line>", err);
    dropped drop[16];
    int n_drop = 0;
    const char *why = rc ? NULL : reshaping(ov, n_ov, RESHAPING_MODEL);
    if (why)
        drop_layout(root, name, drop, &n_drop);
    const bind_ctx bc = {.err = err, .cat = c, .fd = aif_catalog_facility(c), .sections = sections};
    if (!rc)
        rc = bind_scenario(&bc, root, name, out);
    else
        memset(out, 0, sizeof *out);
    if (rc == AIF_EINPUT && !why && !strncmp(err->path, "train.", 6) &&
        (why = reshaping(ov, n_ov, RESHAPING_GPUS))) {
        /* the base's layout cannot hold the GPU count an option asked for: derive it */
        drop_layout(root, name, drop, &n_drop);
        if (n_drop) {
            aif_err_clear(err);
            rc = bind_scenario(&bc, root, name, out);
        }
    }
    if (!rc)
        out->n_options = n_ov;
    if (!rc && (sections & AIF_SECTION_TRAIN))
        list_assumed(root, out);
    if (!rc && n_drop && (sections & AIF_SECTION_TRAIN)) {
        /* one note for the layout: the values the base wrote that the new job derives otherwise */
        char asked[80] = "", used[80] = "";
        size_t ka = 0, ku = 0;
        /* a field written auto is the search's to choose: its placeholder is no substitution */
        static const struct { const char *key; unsigned bits; } by_auto[] = {
            {"tp", AIF_AUTO_TP}, {"pp", AIF_AUTO_PP}, {"vpp", AIF_AUTO_VPP}, {"cp", AIF_AUTO_CP},
            {"ep", AIF_AUTO_EP}, {"etp", AIF_AUTO_ETP}, {"sp", AIF_AUTO_TP},
            {"dp", AIF_AUTO_TP | AIF_AUTO_PP | AIF_AUTO_CP}};
        for (int i = 0; i < n_drop; i++) {
            unsigned chosen = 0;
            for (size_t k = 0; k < sizeof by_auto / sizeof by_auto[0]; k++)
                if (!strcmp(drop[i].key, by_auto[k].key))
                    chosen = by_auto[k].bits & out->train.auto_fields;
            if (chosen)
                continue;
            char v[AIF_NAME_MAX];
            layout_value(out, drop[i].key, v, sizeof v);
            if (!strcmp(v, drop[i].value) || ka >= sizeof asked || ku >= sizeof used)
                continue;
            ka += (size_t)snprintf(asked + ka, sizeof asked - ka, "%s%s %s", ka ? ", " : "", drop[i].key,
                                   drop[i].value);
            ku += (size_t)snprintf(used + ku, sizeof used - ku, "%s%s %s", ku ? ", " : "", drop[i].key, v);
        }
        if (ka)
            aif_scenario_note(out, "train", asked, used, "the base's layout was for its own %s; derived again for this "
                     "job; --tp, --pp, --gbs ... set it", !strcmp(why, "model") ? "model" : "GPU count");
    }
    if (!rc && out->train.par.pp > 1 && out->train.optimizer >= AIF_OPT_ZERO3) {
        char pp[32];
        snprintf(pp, sizeof pp, "zero2 (pp %d)", out->train.par.pp);
        if (out->framework.pp_grad_accum_bytes > 0)
            aif_scenario_note(out, "train.optimizer", aif_optim_name((aif_optim)out->train.optimizer), pp,
                     "parameters gathered through the step, optimizer state sharded; gradients held unsharded "
                     "(%g bytes a parameter), timed as zero2's per-microbatch reduce-scatter",
                     out->framework.pp_grad_accum_bytes);
        else
            aif_scenario_note(out, "train.optimizer", aif_optim_name((aif_optim)out->train.optimizer), pp,
                     "with pipeline parallelism the parameters stay gathered after the forward pass (one all-gather a "
                     "step), gradients are reduce-scattered per microbatch and the optimizer state is sharded, as "
                     "Llama 3 runs FSDP with pipelining");
    }
    if (!rc && (sections & AIF_SECTION_TRAIN) && !(out->train.auto_fields & AIF_AUTO_LAYOUT))
        aif_scenario_note_unused(out);   /* else once the search has filled the layout (pipeline/run.c) */
    if (rc == AIF_EINPUT && name[0] == '<' && !strcmp(err->file, name))
        blame_options(err, ov, n_ov);
    ydoc_free(d);
    return rc;
}

aif_rc aif_scenario_parse(const aif_catalog *c, const char *text, size_t len, const char *name,
                          const aif_override *ov, int n_ov, aif_scenario *out, aif_err *err)
{
    return aif_scenario_parse_sections(c, text, len, name, ov, n_ov, AIF_SECTION_ALL, out, err);
}

aif_rc aif_scenario_load_job(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                             aif_scenario *out, aif_err *err)
{
    return aif_scenario_load(c, path, ov, n_ov, out, err);
}

aif_rc aif_scenario_load_cluster(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                                 aif_scenario *out, aif_err *err)
{
    return aif_scenario_load_sections(c, path, ov, n_ov, AIF_SECTION_CLUSTER, out, err);
}

aif_rc aif_scenario_load(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                         aif_scenario *out, aif_err *err)
{
    return aif_scenario_load_sections(c, path, ov, n_ov, AIF_SECTION_ALL, out, err);
}

aif_rc aif_scenario_load_sections(const aif_catalog *c, const char *path, const aif_override *ov, int n_ov,
                                  unsigned sections, aif_scenario *out, aif_err *err)
{
    if (!path) {
        const char *t = aif_default_scenario_yaml();
        return aif_scenario_parse_sections(c, t, strlen(t), "<built-in:default scenario>", ov, n_ov, sections, out,
                                           err);
    }
    char *text;
    size_t len;
    if (!strchr(path, '/') && access(path, F_OK) != 0) {
        /* a built-in example scenario by name: "mixtral-8x7b" or "mixtral-8x7b.yaml" */
        char emb[160], shown[200];
        snprintf(emb, sizeof emb, "data/scenarios/%s%s", path, is_file_name(path) ? "" : ".yaml");
        const char *t = aif_embedded_file(emb, &len);
        if (t) {
            snprintf(shown, sizeof shown, "<built-in:%s>", emb);
            return aif_scenario_parse_sections(c, t, len, shown, ov, n_ov, sections, out, err);
        }
        /* a catalog name where a scenario was expected: say which option takes it */
        static const struct { aif_catalog_kind k; const char *what, *option; } hint[] = {
            {AIF_CAT_MODELS, "model", "--model"}, {AIF_CAT_SYSTEMS, "system", "--system"},
            {AIF_CAT_GPUS, "gpu", "--gpu"}, {AIF_CAT_FABRICS, "fabric", "--fabric"}};
        for (size_t i = 0; i < sizeof hint / sizeof hint[0]; i++)
            if (find_kind(c, hint[i].k, path))
                return aif_err_set(err, AIF_EINPUT, path, 0, 0, "", "no such scenario file or built-in example; "
                                   "'%s' is a catalog %s: give it as %s %s", path,
                                   hint[i].what, hint[i].option, path);
    }
    aif_rc rc = aif_read_file(path, &text, &len, err);
    if (rc)
        return rc;
    rc = aif_scenario_parse_sections(c, text, len, path, ov, n_ov, sections, out, err);
    free(text);
    return rc;
}

const char *aif_base_scenario_yaml(void)
{
    size_t len;
    const char *t = aif_embedded_file("data/scenarios/neutral.yaml", &len);
    return t ? t : "";
}

const char *aif_default_scenario_yaml(void)
{
    size_t len;
    const char *t = aif_embedded_file("data/scenarios/default.yaml", &len);
    return t ? t : "";
}
