/* search.c (report) -- the best-layout search (aifsim search): the ranked layouts
 * as a table or JSON.  Formats aif_search_run and computes nothing: the ranking,
 * the site's figures and the part of the step that separates the best from the
 * runner-up (why_part) come from the search (src/search/best.c, aif_run_search).
 * The search's wall time and rate vary from run to run, so the text writer keeps
 * them out of the table (aif_report_search_timing_text writes them apart). */
#include "report/json.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "report/format.h"

#include <json-c/json.h>

#include <stdlib.h>
#include <string.h>

static const char *onoff(bool b) { return b ? "on" : "off"; }

/* The dp column: dp, or under hybrid sharding (train.dp_shard) "SxR", the shard group's
 * data-parallel ranks times the replicas. */
static const char *dp_label(const aif_parallel *p, char *buf, size_t n)
{
    if (p->dp_shard > 0 && p->dp_shard < p->dp)
        snprintf(buf, n, "%dx%d", p->dp_shard, p->dp / p->dp_shard);
    else
        snprintf(buf, n, "%d", p->dp);
    return buf;
}

/* The recompute column: the mode, and for a full recompute of the first N layers of each
 * pipeline chunk (train.recompute_layers), "full(N)". */
static const char *recompute_label(const aif_best_result *r, char *buf, size_t n)
{
    if (r->recompute == AIF_RC_FULL && r->recompute_layers > 0)
        snprintf(buf, n, "full(%d)", r->recompute_layers);
    else
        snprintf(buf, n, "%s", aif_recompute_name((aif_recompute)r->recompute));
    return buf;
}

void aif_report_search_text(FILE *f, const aif_search_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_best *b = &run->best;
    char a[32], h[32];
    aif_report_header_text(f, s, "best layout");
    fputc('\n', f);
    aif_fmt_count(a, sizeof a, (double)s->train.gbs * s->train.seq);
    fprintf(f, "  job        %s on %d x %s, gbs %d x seq %d = %s tokens, %s\n", s->model.name, aif_alloc_gpus(s),
            s->cluster.gpu.name, s->train.gbs, s->train.seq, a, aif_prec_name((aif_prec)s->train.precision));
    if (s->train.framework[0] && strcmp(s->train.framework, "megatron-core"))   /* the default stack goes unnamed */
        fprintf(f, "  stack      %s (every layout below runs on it)\n", s->train.framework);
    fprintf(f, "  objective  %s per step%s\n", b->objective == AIF_OBJ_TIME ? "time" : aif_objective_name(b->objective),
            b->reranked ? " (top results re-ranked by the simulator)" : " (analytical engine)");
    aif_fmt_count(a, sizeof a, (double)b->candidates);
    aif_fmt_count(h, sizeof h, (double)b->fitting);
    fprintf(f, "  searched   %s valid layouts, %s fit in %.0f GiB of HBM\n\n", a, h, b->hbm_bytes / (1 << 30));
    if (b->n_results == 0) {
        if (b->candidates == 0)   /* e.g. hybrid sharding fixed with an optimizer that keeps gradients whole */
            fprintf(f, "  no layout passes the layout checks with the fields given (aifsim train with the same "
                       "options names the check a layout fails)\n");
        else
            fprintf(f, "  no layout fits: the smallest needs %.1f GiB per GPU\n", b->min_need_bytes / (1 << 30));
        return;
    }
    bool money = b->objective != AIF_OBJ_TIME;
    fprintf(f, "   #   tp  pp vpp  cp  ep etp      dp mbs recompute optimizer   overlap tp/dp/ep   step s    MFU  "
               "mem GiB%s\n", money ? "  energy/step  cost/step" : "");
    char ovl[16], rcl[24], dps[32];
    bool partial = false, hybrid = false;
    for (int i = 0; i < b->n_results; i++) {
        const aif_best_result *r = &b->results[i];
        const aif_parallel *p = &r->par;
        snprintf(ovl, sizeof ovl, "%s/%s/%s", onoff(r->tp_overlap), onoff(r->dp_overlap), onoff(r->ep_overlap));
        fprintf(f, "  %2d %4d %3d %3d %3d %3d %3d %7s %3d %-9s %-11s %-11s      %9.3f %5.1f%% %8.1f", i + 1, p->tp,
                p->pp, p->vpp, p->cp, p->ep, p->etp, dp_label(p, dps, sizeof dps), r->mbs, recompute_label(r, rcl, sizeof rcl),
                aif_optim_name((aif_optim)r->optimizer), ovl, r->train.step_time_s, 100 * r->train.mfu,
                r->train.mem.total_bytes / (1 << 30));
        if (money) {
            aif_fmt_energy_J(a, sizeof a, r->energy_per_step_J);
            aif_fmt_usd(h, sizeof h, r->cost_per_step_usd);
            fprintf(f, "  %11s  %9s", a, h);
        }
        fputc('\n', f);
        partial |= r->recompute == AIF_RC_FULL && r->recompute_layers > 0;
        hybrid |= p->dp_shard > 0 && p->dp_shard < p->dp;
    }
    if (b->why_part >= 0) {   /* the runner-up named below, in the same words */
        const aif_best_result *r1 = &b->runner_up;
        partial |= r1->recompute == AIF_RC_FULL && r1->recompute_layers > 0;
        hybrid |= r1->par.dp_shard > 0 && r1->par.dp_shard < r1->par.dp;
    }
    if (hybrid)
        fprintf(f, "\n  dp SxR     hybrid sharding: gradients and optimizer state (and with zero3 the weights) "
                   "sharded over S data-parallel ranks, replicated R times (train.dp_shard)\n");
    if (partial)
        fprintf(f, "\n  full(N)    a full recompute of the first N layers of each pipeline chunk "
                   "(train.recompute_layers: the fewest that fit, or as given)\n");
    if (b->why_part >= 0) {
        const aif_best_result *r0 = &b->results[0], *r1 = &b->runner_up;
        const aif_parallel *p = &r1->par;
        fprintf(f, "\n  why #1     the runner-up (the best layout with a worse %s: tp %d pp %d vpp %d cp %d ep %d etp %d "
                   "dp %s mbs %d, recompute %s, optimizer %s, overlap %s/%s/%s) takes %.3f s more per step; the part that "
                   "differs most is %s, %.3f s %s for the runner-up\n",
                b->objective == AIF_OBJ_TIME ? "step time" : aif_objective_name(b->objective), p->tp, p->pp, p->vpp,
                p->cp, p->ep, p->etp, dp_label(p, dps, sizeof dps), r1->mbs, recompute_label(r1, rcl, sizeof rcl),
                aif_optim_name((aif_optim)r1->optimizer), onoff(r1->tp_overlap), onoff(r1->dp_overlap),
                onoff(r1->ep_overlap), r1->train.step_time_s - r0->train.step_time_s,
                aif_best_part_name(b->why_part), b->why_delta_s >= 0 ? b->why_delta_s : -b->why_delta_s,
                b->why_delta_s >= 0 ? "more" : "less");
    } else if (b->n_results > 0) {
        if (b->reranked)
            fprintf(f, "\n  why #1     the other %d simulated layout%s tie%s with it (a larger --top simulates more)\n",
                    b->n_results - 1, b->n_results == 2 ? "" : "s", b->n_results == 2 ? "s" : "");
        else
            fprintf(f, "\n  why #1     no other layout fits, or every one that fits ties with it\n");
    }
    if (run->steps > 0) {
        aif_fmt_count(a, sizeof a, run->steps);
        fprintf(f, "  run        %s steps for %s tokens: %.1f days at #1's step time", a,
                (aif_fmt_count(h, sizeof h, s->train.tokens), h), run->steps * b->results[0].train.step_time_s / 86400);
        if (money) {
            aif_fmt_usd(h, sizeof h, run->steps * b->results[0].cost_per_step_usd);
            fprintf(f, ", %s owned", h);
        }
        fputc('\n', f);
    }
    aif_report_classes_text(f, 13, "#1", run->classes, run->n_classes);
}

void aif_report_search_timing_text(FILE *f, const aif_search_run *run)
{
    char a[32];
    aif_fmt_count(a, sizeof a, run->best.evaluated_per_s);
    fprintf(f, "searched in %.3f s: %s candidates/s, %lld step graphs lowered\n", run->best.wall_s, a,
            run->best.lowered);
}

char *aif_report_search_json(const aif_search_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_best *b = &run->best;
    json_object *o = json_object_new_object();
    aif_json_str(o, "scenario", s->name);
    aif_report_base_json(o, s);
    aif_json_str(o, "model", s->model.name);
    aif_json_str(o, "gpu", s->cluster.gpu.name);
    aif_json_int(o, "gpus", aif_alloc_gpus(s));
    aif_json_int(o, "gbs", s->train.gbs);
    aif_json_int(o, "seq", s->train.seq);
    aif_json_str(o, "precision", aif_prec_name((aif_prec)s->train.precision));
    aif_json_str(o, "framework", s->train.framework[0] ? s->train.framework : "megatron-core");
    aif_json_str(o, "objective", aif_objective_name(b->objective));
    aif_json_str(o, "engine", b->reranked ? "sim" : "estimate");
    aif_json_int(o, "candidates", b->candidates);
    aif_json_int(o, "fitting", b->fitting);
    aif_json_int(o, "lowered", b->lowered);
    aif_json_num(o, "wall_s", b->wall_s);
    aif_json_num(o, "evaluated_per_s", b->evaluated_per_s);
    aif_json_num(o, "hbm_gib", b->hbm_bytes / (1 << 30));
    if (b->n_results == 0)
        aif_json_num(o, "min_memory_per_gpu_gib", b->min_need_bytes / (1 << 30));
    aif_json_num(o, "steps", run->steps);
    json_object_object_add(o, "validated", aif_report_classes_json(run->classes, run->n_classes));
    json_object *site = json_object_new_object();
    aif_json_num(site, "compute_W", run->site.compute_W);
    aif_json_num(site, "memory_W", run->site.memory_W);
    aif_json_num(site, "comm_W", run->site.comm_W);
    aif_json_num(site, "idle_W", run->site.idle_W);
    aif_json_num(site, "fixed_usd_per_s", run->site.fixed_usd_per_s);
    aif_json_num(site, "usd_per_J", run->site.usd_per_J);
    json_object_object_add(o, "site", site);
    json_object *a = json_object_new_array();
    for (int i = 0; i < b->n_results; i++) {
        const aif_best_result *r = &b->results[i];
        json_object *e = json_object_new_object();
        aif_json_int(e, "tp", r->par.tp);
        aif_json_int(e, "pp", r->par.pp);
        aif_json_int(e, "vpp", r->par.vpp);
        aif_json_int(e, "cp", r->par.cp);
        aif_json_int(e, "ep", r->par.ep);
        aif_json_int(e, "etp", r->par.etp);
        aif_json_int(e, "dp", r->par.dp);
        aif_json_int(e, "dp_shard", r->par.dp_shard > 0 && r->par.dp_shard < r->par.dp ? r->par.dp_shard : 0);
        json_object_object_add(e, "sp", json_object_new_boolean(r->par.sp));
        aif_json_int(e, "mbs", r->mbs);
        aif_json_str(e, "recompute", aif_recompute_name((aif_recompute)r->recompute));
        aif_json_int(e, "recompute_layers", r->recompute == AIF_RC_FULL ? r->recompute_layers : 0);
        aif_json_str(e, "optimizer", aif_optim_name((aif_optim)r->optimizer));
        json_object_object_add(e, "tp_overlap", json_object_new_boolean(r->tp_overlap));
        json_object_object_add(e, "dp_overlap", json_object_new_boolean(r->dp_overlap));
        json_object_object_add(e, "ep_overlap", json_object_new_boolean(r->ep_overlap));
        aif_json_num(e, "step_time_s", r->train.step_time_s);
        aif_json_num(e, "mfu", r->train.mfu);
        aif_json_num(e, "memory_per_gpu_gib", r->train.mem.total_bytes / (1 << 30));
        aif_json_num(e, "tokens_per_s", r->train.tokens_per_s);
        aif_json_num(e, "energy_per_step_J", r->energy_per_step_J);
        aif_json_num(e, "cost_per_step_usd", r->cost_per_step_usd);
        if (b->reranked)
            aif_json_num(e, "sim_step_time_s", r->sim_step_time_s);
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "results", a);
    json_object *why = json_object_new_object();
    aif_json_str(why, "part", b->why_part >= 0 ? aif_best_part_name(b->why_part) : "");
    aif_json_num(why, "delta_s", b->why_delta_s);
    if (b->has_runner_up) {
        const aif_best_result *r = &b->runner_up;
        json_object *ru = json_object_new_object();
        aif_json_int(ru, "tp", r->par.tp);
        aif_json_int(ru, "pp", r->par.pp);
        aif_json_int(ru, "vpp", r->par.vpp);
        aif_json_int(ru, "cp", r->par.cp);
        aif_json_int(ru, "ep", r->par.ep);
        aif_json_int(ru, "etp", r->par.etp);
        aif_json_int(ru, "dp", r->par.dp);
        aif_json_int(ru, "dp_shard", r->par.dp_shard > 0 && r->par.dp_shard < r->par.dp ? r->par.dp_shard : 0);
        aif_json_int(ru, "mbs", r->mbs);
        aif_json_str(ru, "recompute", aif_recompute_name((aif_recompute)r->recompute));
        aif_json_int(ru, "recompute_layers", r->recompute == AIF_RC_FULL ? r->recompute_layers : 0);
        aif_json_str(ru, "optimizer", aif_optim_name((aif_optim)r->optimizer));
        aif_json_num(ru, "step_time_s", r->train.step_time_s);
        aif_json_num(ru, "objective", r->objective);
        json_object_object_add(why, "runner_up", ru);
    }
    json_object_object_add(o, "why", why);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
