/* train.c -- text and JSON reports of a training run (aif_train_run), and the
 * sentence on what would make it fit in memory.  JSON is built with json-c;
 * numbers are printed with %.10g so output is byte-identical across runs. */
#include "report/json.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/run.h"
#include "base/base.h"
#include "report/site.h"
#include "report/network.h"
#include "report/format.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


#define GIB AIF_GIB

/* counts as people read them: 405B, 16.8M (src/report/format.c) */
#define human aif_fmt_count

static void duration(char *buf, size_t n, double s)
{
    if (s >= 86400 * 2)
        snprintf(buf, n, "%.1f days", s / 86400);
    else if (s >= 3600)
        snprintf(buf, n, "%.1f hours", s / 3600);
    else
        snprintf(buf, n, "%.0f s", s);
}

void aif_report_memory_fit_text(char *buf, size_t n, const aif_memory_fit *m)
{
    if (n == 0)
        return;
    buf[0] = '\0';
    if (!m->searched)
        return;
    size_t k = (size_t)snprintf(buf, n, "needs %.1f GiB of %.1f GiB HBM (over by %.1f GiB).", m->need_bytes / GIB,
                                m->hbm_bytes / GIB, (m->need_bytes - m->hbm_bytes) / GIB);
    for (int i = 0; i < m->n_fits && i < 3 && k < n; i++) {
        const aif_fit_candidate *c = &m->tried[m->fits[i]];
        char partial[64] = "";   /* full recompute narrowed to a chunk's first layers */
        if (c->recompute_layers > 0)
            snprintf(partial, sizeof partial, " of the first %d layer%s of each chunk", c->recompute_layers,
                     c->recompute_layers == 1 ? "" : "s");
        int rc_first = c->change[0] == AIF_CHANGE_RECOMPUTE_FULL;
        k += (size_t)snprintf(buf + k, n - k, "%s %s%s%s%s%s fits (%.1f GiB, step %.2f s)", i ? ";" : " Would fit:",
                              aif_change_name(c->change[0]), rc_first ? partial : "", c->change[1] >= 0 ? " + " : "",
                              c->change[1] >= 0 ? aif_change_name(c->change[1]) : "", rc_first ? "" : partial,
                              c->mem_bytes / GIB, c->step_time_s);
    }
    if (m->n_fits == 0 && k < n)
        snprintf(buf + k, n - k, " No change of recompute, optimizer sharding, tp, pp or mbs, alone or in pairs, "
                 "makes it fit; use more GPUs or GPUs with more memory.");
}

/* What a full recompute keeps (train.recompute_saved): none unless the recompute is full. */
static unsigned recompute_kept(const aif_train *t)
{
    return t->recompute == AIF_RC_FULL ? t->recompute_saved : 0;
}

/* buf[k..]: the names of the bits set in flags (names NULL-terminated), after open, comma
 * separated, then ")"; nothing when none is set.  Returns the new length (at most size). */
static size_t append_flag_names(char *buf, size_t size, size_t k, const char *open, unsigned flags,
                                const char *const *names)
{
    for (int i = 0, n = 0; names[i] && k < size; i++)
        if (flags >> i & 1u)
            k += (size_t)snprintf(buf + k, size - k, "%s%s", n++ ? ", " : open, names[i]);
    if (flags && k < size)
        k += (size_t)snprintf(buf + k, size - k, ")");
    return k < size ? k : size;
}

/* in.key: the names of the bits set in flags as an array; absent when none is set */
static void json_flag_names(json_object *in, const char *key, unsigned flags, const char *const *names)
{
    if (!flags)
        return;
    json_object *arr = json_object_new_array();
    for (int i = 0; names[i]; i++)
        if (flags >> i & 1u)
            json_object_array_add(arr, json_object_new_string(names[i]));
    json_object_object_add(in, key, arr);
}

void aif_report_train_text(FILE *f, const aif_train_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_train_result *r = &run->train;
    const aif_model *m = &s->model;
    const aif_cluster *c = &s->cluster;
    const aif_train *t = &s->train;
    const aif_parallel *p = &t->par;
    char a[32], b[32], d[32];
    human(a, sizeof a, r->params);
    aif_report_header_text(f, s, NULL);
    fputc('\n', f);
    aif_report_notes_text(f, run);
    fprintf(f, "  model    %s: %s parameters", m->name, a);
    if (m->moe.experts) {
        human(b, sizeof b, r->active_params);
        fprintf(f, " (%s active, %d experts, top-%d)", b, m->moe.experts, m->moe.top_k);
    }
    fprintf(f, ", %d layer%s, hidden %d, %d/%d heads, vocab %d", m->layers, m->layers == 1 ? "" : "s", m->hidden,
            m->heads, m->kv_heads, m->vocab);
    size_t nl = strlen(m->name);
    if ((nl && m->name[nl - 1] == '*') || !strcmp(m->name, "custom"))   /* changed or built: say what it is */
        fprintf(f, "; %s, %s, %s positions%s", aif_act_name((aif_act)m->activation), aif_norm_name((aif_norm)m->norm),
                aif_pos_name((aif_pos)m->position), m->tied_embeddings ? ", tied embeddings" : "");
    fputc('\n', f);
    fprintf(f, "  cluster  %d x %s", c->gpus, c->gpu.name);
    if (c->system.name[0])
        fprintf(f, " in %s", c->system.name);
    fprintf(f, " (%d per node), %s %d x %.0f Gb/s per node\n", c->gpus_per_node, c->fabric.name, c->nics_per_node,
            c->nic_bw_Bps * 8 / 1e9);
    if (r->pace > 0 && r->pace < 1)   /* the slowest GPU's (aif_scenario_pace); absent without a spread */
        fprintf(f, "  pace     %.3f of a typical GPU's compute clock: the slowest of the job's %d GPUs sets it "
                "(speed spread %.1f%%, cluster.speed_spread)\n", r->pace, aif_alloc_gpus(s), 100 * c->speed_spread);
    human(a, sizeof a, (double)t->gbs * t->seq);
    fprintf(f, "  job      ");
    if (aif_alloc_gpus(s) != c->gpus) {
        int first = s->train.alloc.first_node, nodes = (aif_alloc_gpus(s) + c->gpus_per_node - 1) / c->gpus_per_node;
        if (nodes == 1)
            fprintf(f, "%d GPU%s on node %d of the cluster (site and money below: the job's share); ",
                    aif_alloc_gpus(s), aif_alloc_gpus(s) == 1 ? "" : "s", first);
        else
            fprintf(f, "%d GPUs on nodes %d-%d of the cluster (site and money below: the job's share); ",
                    aif_alloc_gpus(s), first, first + nodes - 1);
    }
    fprintf(f, "TP%d PP%d", p->tp, p->pp);
    if (p->vpp > 1)
        fprintf(f, " (VPP%d)", p->vpp);
    const char *prec = t->precision == AIF_FP4 ? aif_fp4_format_name((aif_fp4_format)t->fp4_format)
                                               : aif_prec_name((aif_prec)t->precision);
    /* the modules, when given, so that selective alone reads as before; what a full replay keeps */
    char rc[160];
    size_t k_rc = (size_t)snprintf(rc, sizeof rc, "%s", aif_recompute_name((aif_recompute)t->recompute));
    k_rc = append_flag_names(rc, sizeof rc, k_rc, " (", t->recompute_modules, aif_recompute_module_names);
    k_rc = append_flag_names(rc, sizeof rc, k_rc, " (keeping ", recompute_kept(t), aif_recompute_saved_names);
    if (t->recompute == AIF_RC_FULL && t->recompute_layers > 0 && k_rc < sizeof rc)
        snprintf(rc + k_rc, sizeof rc - k_rc, " of the first %d layer%s of each pipeline chunk", t->recompute_layers,
                 t->recompute_layers == 1 ? "" : "s");
    fprintf(f, " CP%d EP%d DP%d", p->cp, p->ep, p->dp);
    if (p->dp_shard > 0 && p->dp_shard < p->dp)   /* hybrid sharding: named only when on */
        fprintf(f, " (shard %d x replicate %d)", p->dp_shard, p->dp / p->dp_shard);
    if (t->rank_order != AIF_ORDER_TP_CP_DP_PP)   /* named only when not Megatron-Core's default */
        fprintf(f, " (ranks %s)", aif_rank_order_names[t->rank_order]);
    fprintf(f, "%s, mbs %d, gbs %d x %d = %s tokens, %s, recompute %s, optimizer %s", p->sp ? " +SP" : "", t->mbs,
            t->gbs, t->seq, a, prec, rc,
            aif_optim_name((aif_optim)t->optimizer));
    /* named only when not fp32 (train.grad_dtype, train.moments_dtype) */
    int g16 = t->grad_dtype == AIF_GRAD_BF16, m16 = t->moments_dtype == AIF_GRAD_BF16;
    if (g16 || m16)
        fprintf(f, " (%s%s%s)", g16 ? "bf16 gradients" : "", g16 && m16 ? ", " : "", m16 ? "bf16 moments" : "");
    if (t->dp_bucket > 0) {   /* named only when the job sets it (train.dp_bucket) */
        char bk[32];
        aif_fmt_count(bk, sizeof bk, t->dp_bucket);
        fprintf(f, " (gradient buckets of %s parameters)", bk);
    }
    if (t->attention_dtype == AIF_ATTN_DT_FP8)   /* named only when on (train.attention_dtype) */
        fputs(" (fp8 attention)", f);
    if (p->cp > 1 && t->cp_comm != AIF_CP_AUTO)   /* named only when the job sets it (train.cp_comm) */
        fprintf(f, " (context parallelism %s)", aif_cp_comm_names[t->cp_comm]);
    if (t->attn_block > 0 || t->attn_block_bwd > 0) {   /* named only when the job sets its kernel's tile */
        int fb = t->attn_block > 0 ? t->attn_block : s->cluster.gpu.calib.attn_block_n;
        int bb = t->attn_block_bwd > 0 ? t->attn_block_bwd : fb;
        if (fb == bb)
            fprintf(f, " (attention tiles of %d keys)", fb);
        else if (fb <= 0)   /* the family has no tile: the forward charges the band alone */
            fprintf(f, " (attention tiles of %d keys backward, the band alone forward)", bb);
        else
            fprintf(f, " (attention tiles of %d keys, %d backward)", fb, bb);
    }
    if (t->fp8_params)   /* named only when on (train.fp8_params) */
        fputs(t->precision == AIF_FP4 ? " (fp4 frozen weights)" : " (fp8 parameters)", f);
    if (t->fp8_act_input)   /* named only when on (train.fp8_act_input) */
        fputs(" (fp8 activation inputs)", f);
    if (t->bf16_first_layers > 0 || t->bf16_last_layers > 0)   /* the recipe's bf16 layers, when it keeps some */
        fprintf(f, " (first %d and last %d layers in bf16)", t->bf16_first_layers, t->bf16_last_layers);
    if (t->offload == AIF_OFFLOAD_ACTIVATIONS) {   /* named only when on */
        aif_fmt_si(b, sizeof b, s->cluster.host_link_Bps, "B/s");
        fprintf(f, ", activations of %d layer%s offloaded to host memory (%s per direction)", t->offload_layers,
                t->offload_layers == 1 ? "" : "s", b);
    }
    if (t->lora.rank > 0)   /* named only when on, so full training reads as before */
        fprintf(f, ", LoRA rank %d on %s (the model frozen)", t->lora.rank,
                aif_lora_target_names[t->lora.targets]);
    if (t->framework[0] && strcmp(t->framework, "megatron-core"))   /* the default stack goes unnamed here */
        fprintf(f, "\n  stack    %s: %s", t->framework, s->framework.description);
    if (s->assumed[0])   /* settings nobody wrote: defaults that move the result (aif_scenario.assumed) */
        fprintf(f, "\n  assumed  %s (defaults, not given: set them to change)", s->assumed);
    fputs("\n\n", f);

    const aif_breakdown *bd = &r->bd;
    double st = r->step_time_s;
    fprintf(f, "  step time        %9.3f s   (%d microbatch%s per pipeline)\n", st, r->microbatches,
            r->microbatches == 1 ? "" : "es");
    struct { const char *name; double v; } rows[] = {
        {"compute", bd->compute_s}, {"  of which recompute", bd->recompute_s}, {"TP comm (exposed)", bd->tp_comm_s},
        {"CP comm (exposed)", bd->cp_comm_s}, {"EP comm (exposed)", bd->ep_comm_s}, {"PP send/recv", bd->pp_comm_s},
        {"pipeline bubble", bd->pp_bubble_s}, {"DP comm (exposed)", bd->dp_comm_s}, {"optimizer", bd->optimizer_s},
        {"host offload (exposed)", bd->offload_s},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].v > 0 || i == 0)
            fprintf(f, "    %-22s %9.3f s  %5.1f%%\n", rows[i].name, rows[i].v, 100 * rows[i].v / st);
    human(a, sizeof a, r->tokens_per_s);
    fprintf(f, "  throughput       %s tokens/s, %.0f tokens/s per GPU\n", a, r->tokens_per_s_per_gpu);
    fprintf(f, "  model TFLOP/s    %.0f per GPU   MFU %.1f%%   HFU %.1f%%\n", r->model_tflops_per_gpu, 100 * r->mfu,
            100 * r->hfu);
    aif_report_classes_text(f, 19, "this one", run->classes, run->n_classes);
    const aif_memory *mm = &r->mem;
    fprintf(f, "  memory           %.1f of %.1f GiB per GPU: %s\n", mm->total_bytes / GIB, mm->hbm_bytes / GIB,
            r->fits_in_memory ? "fits" : "DOES NOT FIT");
    fprintf(f, "                   weights %.1f, grads %.1f, optimizer %.1f, activations %.1f, workspace %.1f GiB\n",
            mm->weights_bytes / GIB, mm->grads_bytes / GIB, mm->optimizer_bytes / GIB, mm->activations_bytes / GIB,
            mm->workspace_bytes / GIB);
    if (s->train.offload == AIF_OFFLOAD_ACTIVATIONS)
        fprintf(f, "                   host memory %.1f GiB per GPU of offloaded activations\n", mm->host_bytes / GIB);
    if (!r->fits_in_memory) {
        char adv[1024];
        aif_report_memory_fit_text(adv, sizeof adv, &run->memory_fit);
        fprintf(f, "                   %s\n", adv);
    }
    if (r->steps > 0) {
        human(a, sizeof a, t->tokens);
        human(b, sizeof b, r->steps);
        human(d, sizeof d, r->gpu_hours);
        char dur[32];
        duration(dur, sizeof dur, r->train_time_s);
        fprintf(f, "  training         %s tokens: %s steps, %s, %s GPU-hours (no failures or restarts)\n", a, b, dur,
                d);
    }
    aif_report_site_text(f, run);
}

char *aif_report_train_json(const aif_train_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_train_result *r = &run->train;
    int sim = run->engine == AIF_ENGINE_SIM;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object();
    aif_json_str(o, "aifsim_version", AIF_VERSION);
    aif_json_str(o, "scenario", s->name);
    aif_report_base_json(o, s);
    aif_json_str(o, "engine", aif_engine_name(run->engine));
    json_object *in = json_object_new_object();
    aif_json_str(in, "model", s->model.name);
    /* the architecture, always: a changed or built model says what it was taken to be */
    aif_json_str(in, "activation", aif_act_name((aif_act)s->model.activation));
    aif_json_str(in, "norm", aif_norm_name((aif_norm)s->model.norm));
    aif_json_str(in, "position", aif_pos_name((aif_pos)s->model.position));
    json_object_object_add(in, "tied_embeddings", json_object_new_boolean(s->model.tied_embeddings));
    aif_json_str(in, "gpu", s->cluster.gpu.name);
    aif_json_str(in, "system", s->cluster.system.name);
    aif_json_str(in, "fabric", s->cluster.fabric.name);
    aif_json_int(in, "gpus", s->cluster.gpus);
    aif_json_int(in, "job_gpus", aif_alloc_gpus(s));
    aif_json_int(in, "first_node", s->train.alloc.first_node);
    const aif_parallel *p = &s->train.par;
    aif_json_int(in, "tp", p->tp);
    aif_json_int(in, "pp", p->pp);
    aif_json_int(in, "vpp", p->vpp);
    aif_json_int(in, "cp", p->cp);
    aif_json_int(in, "ep", p->ep);
    aif_json_int(in, "dp", p->dp);
    if (p->dp_shard > 0 && p->dp_shard < p->dp)   /* hybrid sharding; absent when the shard spans all of dp */
        aif_json_int(in, "dp_shard", p->dp_shard);
    if (s->train.rank_order != AIF_ORDER_TP_CP_DP_PP)   /* absent: Megatron-Core's default order */
        aif_json_str(in, "rank_order", aif_rank_order_names[s->train.rank_order]);
    json_object_object_add(in, "sp", json_object_new_boolean(p->sp));
    aif_json_int(in, "mbs", s->train.mbs);
    aif_json_int(in, "gbs", s->train.gbs);
    aif_json_int(in, "seq", s->train.seq);
    aif_json_str(in, "precision", aif_prec_name((aif_prec)s->train.precision));
    if (s->train.precision == AIF_FP4)   /* absent in bf16 and fp8 */
        aif_json_str(in, "fp4_format", aif_fp4_format_name((aif_fp4_format)s->train.fp4_format));
    if (s->train.bf16_first_layers > 0 || s->train.bf16_last_layers > 0) {   /* absent when none */
        aif_json_int(in, "bf16_first_layers", s->train.bf16_first_layers);
        aif_json_int(in, "bf16_last_layers", s->train.bf16_last_layers);
    }
    aif_json_str(in, "recompute", aif_recompute_name((aif_recompute)s->train.recompute));
    /* each absent when none: recompute_modules not given (selective: core_attn), recompute_saved */
    json_flag_names(in, "recompute_modules", s->train.recompute_modules, aif_recompute_module_names);
    json_flag_names(in, "recompute_saved", recompute_kept(&s->train), aif_recompute_saved_names);
    if (s->train.recompute == AIF_RC_FULL && s->train.recompute_layers > 0)   /* absent: every layer */
        aif_json_int(in, "recompute_layers", s->train.recompute_layers);
    aif_json_str(in, "optimizer", aif_optim_name((aif_optim)s->train.optimizer));
    if (aif_optim_has_grad_buffer(s->train.optimizer))   /* train.grad_dtype */
        aif_json_str(in, "grad_dtype", s->train.grad_dtype == AIF_GRAD_BF16 ? "bf16" : "fp32");
    if (s->train.dp_bucket > 0)   /* absent: Megatron-Core's default (train.dp_bucket) */
        aif_json_num(in, "dp_bucket", s->train.dp_bucket);
    if (s->train.par.cp > 1)   /* as resolved: the job's, else its stack's (train.cp_comm) */
        aif_json_str(in, "cp_comm", aif_cp_comm_names[aif_cp_comm_resolved(s)]);
    aif_json_str(in, "moments_dtype", s->train.moments_dtype == AIF_GRAD_BF16 ? "bf16" : "fp32");
    aif_json_str(in, "framework", s->train.framework[0] ? s->train.framework : "megatron-core");
    aif_json_str(in, "attention", aif_attn_kernel_name((aif_attn_kernel)s->train.attention));
    if (s->train.attention_dtype == AIF_ATTN_DT_FP8)   /* absent: bf16 (train.attention_dtype) */
        aif_json_str(in, "attention_dtype", "fp8");
    if (s->train.attn_block > 0)   /* absent: the family's tile (train.attn_block) */
        aif_json_int(in, "attn_block", s->train.attn_block);
    if (s->train.attn_block_bwd > 0)
        aif_json_int(in, "attn_block_bwd", s->train.attn_block_bwd);
    if (s->train.fp8_params)   /* absent: off (train.fp8_params) */
        json_object_object_add(in, "fp8_params", json_object_new_boolean(1));
    if (s->train.fp8_act_input)   /* absent: off (train.fp8_act_input) */
        json_object_object_add(in, "fp8_act_input", json_object_new_boolean(1));
    if (s->train.lora.rank > 0) {   /* absent when every weight is trained */
        aif_json_int(in, "lora_rank", s->train.lora.rank);
        aif_json_str(in, "lora_targets", aif_lora_target_names[s->train.lora.targets]);
    }
    if (s->train.offload == AIF_OFFLOAD_ACTIVATIONS) {   /* absent when nothing is offloaded */
        aif_json_str(in, "offload", aif_offload_names[s->train.offload]);
        aif_json_int(in, "offload_layers", s->train.offload_layers);
        aif_json_num(in, "host_link_Bps", s->cluster.host_link_Bps);
    }
    aif_json_num(in, "speed_spread", s->cluster.speed_spread);
    json_object_object_add(o, "inputs", in);
    /* compute's clock over a typical GPU's: the slowest of the job's GPUs (aif_train_result.pace) */
    aif_json_num(o, "pace", r->pace > 0 ? r->pace : 1);
    aif_json_num(o, "step_time_s", r->step_time_s);
    aif_json_int(o, "microbatches", r->microbatches);
    aif_json_num(o, "tokens_per_step", r->tokens_per_step);
    aif_json_num(o, "tokens_per_s", r->tokens_per_s);
    aif_json_num(o, "tokens_per_s_per_gpu", r->tokens_per_s_per_gpu);
    aif_json_num(o, "model_tflops_per_gpu", r->model_tflops_per_gpu);
    aif_json_num(o, "hw_tflops_per_gpu", r->hw_tflops_per_gpu);
    aif_json_num(o, "mfu", r->mfu);
    aif_json_num(o, "hfu", r->hfu);
    aif_json_num(o, "params", r->params);
    aif_json_num(o, "active_params", r->active_params);
    json_object_object_add(o, "validated", aif_report_classes_json(run->classes, run->n_classes));
    aif_json_num(o, "memory_per_gpu_gib", r->mem.total_bytes / GIB);
    json_object_object_add(o, "fits_in_memory", json_object_new_boolean(r->fits_in_memory));
    json_object *mem = json_object_new_object();
    aif_json_num(mem, "weights_gib", r->mem.weights_bytes / GIB);
    aif_json_num(mem, "grads_gib", r->mem.grads_bytes / GIB);
    aif_json_num(mem, "optimizer_gib", r->mem.optimizer_bytes / GIB);
    aif_json_num(mem, "activations_gib", r->mem.activations_bytes / GIB);
    aif_json_num(mem, "workspace_gib", r->mem.workspace_bytes / GIB);
    aif_json_num(mem, "hbm_gib", r->mem.hbm_bytes / GIB);
    if (s->train.offload == AIF_OFFLOAD_ACTIVATIONS)
        aif_json_num(mem, "host_gib", r->mem.host_bytes / GIB);
    json_object_object_add(o, "memory", mem);
    if (!r->fits_in_memory) {
        char adv[1024];
        aif_report_memory_fit_text(adv, sizeof adv, &run->memory_fit);
        aif_json_str(o, "memory_advice", adv);
    }
    json_object *bd = json_object_new_object();
    aif_json_num(bd, "compute_s", r->bd.compute_s);
    aif_json_num(bd, "recompute_s", r->bd.recompute_s);
    aif_json_num(bd, "tp_comm_s", r->bd.tp_comm_s);
    aif_json_num(bd, "cp_comm_s", r->bd.cp_comm_s);
    aif_json_num(bd, "ep_comm_s", r->bd.ep_comm_s);
    aif_json_num(bd, "pp_comm_s", r->bd.pp_comm_s);
    aif_json_num(bd, "pp_bubble_s", r->bd.pp_bubble_s);
    aif_json_num(bd, "dp_comm_s", r->bd.dp_comm_s);
    aif_json_num(bd, "optimizer_s", r->bd.optimizer_s);
    if (s->train.offload == AIF_OFFLOAD_ACTIVATIONS)
        aif_json_num(bd, "offload_s", r->bd.offload_s);
    json_object_object_add(o, "breakdown", bd);
    if (r->steps > 0) {
        json_object *tr = json_object_new_object();
        aif_json_num(tr, "tokens", s->train.tokens);
        aif_json_num(tr, "steps", r->steps);
        aif_json_num(tr, "days", r->train_time_s / 86400);
        aif_json_num(tr, "gpu_hours", r->gpu_hours);
        json_object_object_add(o, "training", tr);
    }
    if (sim)
        json_object_object_add(o, "network", aif_report_network_json(&run->net));
    aif_report_site_json(o, run);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
