/* run.c -- the pipeline of a training job (include/aifsim/run.h): notes on the
 * scenario against its catalog system, power limit, the search of fields written
 * `auto`, engine, facility, cost, then the
 * neighbours the writers report, in that order and nowhere else.  A site that cannot
 * hold the job is a verdict in the facility result, so the job's answer is kept.  The neighbours are estimated from the scenario as run, so a
 * power limit slows them as it slows the job. */
#include "aifsim/names.h"
#include "aifsim/run.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Notes on what the user set against the catalog system: a node size that differs
 * from the system's (an NVL72 rack's nodes are trays of 4 GPUs, not 72). */
static void add_notes(const aif_scenario *s, aif_train_run *out)
{
    const aif_cluster *cl = &s->cluster;
    const aif_system *sys = &cl->system;
    if (sys->name[0] && sys->gpus_per_node > 0 && cl->gpus_per_node != sys->gpus_per_node &&
        out->n_notes < AIF_MAX_RUN_NOTES) {
        aif_run_note *n = &out->notes[out->n_notes++];
        snprintf(n->path, sizeof n->path, "cluster.gpus_per_node");
        if (sys->scaleup_domain > sys->gpus_per_node)
            snprintf(n->msg, sizeof n->msg, "%s nodes are trays of %d GPUs in an NVLink domain of %d; you set %d "
                     "per node (racks, host power and NICs are counted per node of %d)", sys->name,
                     sys->gpus_per_node, sys->scaleup_domain, cl->gpus_per_node, cl->gpus_per_node);
        else
            snprintf(n->msg, sizeof n->msg, "%s nodes hold %d GPUs; you set %d per node (racks, host power and NICs "
                     "are counted per node of %d)", sys->name, sys->gpus_per_node, cl->gpus_per_node,
                     cl->gpus_per_node);
    }
}

/* Fills the fields written `auto` with the fastest layout that fits (every other
 * field fixed) and notes each choice in the scenario. */
static aif_rc fill_auto(aif_scenario *s, aif_err *err)
{
    unsigned a = s->train.auto_fields;
    /* the two fields auto alone choose within a mode given: a count of layers to replay
     * needs a full recompute, a shard group a sharded optimizer */
    if (a & AIF_AUTO_RECOMPUTE_LAYERS && s->train.recompute != AIF_RC_FULL)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.recompute_layers", "recompute_layers auto chooses how "
                           "many layers of each pipeline chunk a full recompute replays, but recompute is %s "
                           "(accepted: recompute full with recompute_layers auto)",
                           aif_recompute_name((aif_recompute)s->train.recompute));
    if (a & AIF_AUTO_DP_SHARD && s->train.optimizer != AIF_OPT_ZERO2 && s->train.optimizer != AIF_OPT_ZERO3 &&
        s->train.optimizer != AIF_OPT_FSDP)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train.dp_shard", "dp_shard auto chooses the ranks a "
                           "sharded state spans, but optimizer %s does not shard its gradients (accepted: optimizer "
                           "zero2, zero3 or fsdp with dp_shard auto)", aif_optim_name((aif_optim)s->train.optimizer));
    aif_best_opts bo = {.objective = AIF_OBJ_TIME, .top = 1};
    aif_best_space_auto(s, a, &bo.space);
    aif_best *b = malloc(sizeof *b);
    if (!b)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory for the layout search");
    aif_rc rc = aif_search_best(s, &bo, b, err);
    static const struct { unsigned bit; const char *path; } f[] = {
        {AIF_AUTO_TP, "train.tp"}, {AIF_AUTO_PP, "train.pp"}, {AIF_AUTO_VPP, "train.vpp"}, {AIF_AUTO_CP, "train.cp"},
        {AIF_AUTO_EP, "train.ep"}, {AIF_AUTO_ETP, "train.etp"}, {AIF_AUTO_MBS, "train.mbs"},
        {AIF_AUTO_RECOMPUTE_LAYERS, "train.recompute_layers"}, {AIF_AUTO_DP_SHARD, "train.dp_shard"}};
    char names[128] = "";
    size_t k = 0;
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (a & f[i].bit)
            k += (size_t)snprintf(names + k, k < sizeof names ? sizeof names - k : 0, "%s%s", k ? ", " : "",
                                  f[i].path + 6);
    if (rc == AIF_OK && b->n_results == 0) {
        if (b->candidates == 0)
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train", "no layout with %s auto passes the layout checks "
                             "for %d GPUs and gbs %d (the fields not auto are kept as given)", names,
                             aif_alloc_gpus(s), s->train.gbs);
        else
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "train", "none of the %lld layouts with %s auto fits in "
                             "memory: the smallest needs %.1f GiB of the %.1f GiB HBM (try more GPUs, recompute "
                             "full, or more fields auto)", b->candidates, names, b->min_need_bytes / (1 << 30),
                             b->hbm_bytes / (1 << 30));
    }
    if (rc == AIF_OK) {
        const aif_best_result *r = &b->results[0];
        int asked_shard = s->train.par.dp_shard;
        aif_best_apply(r, s);
        s->train.auto_fields = 0;
        aif_scenario_assumed_layout(s);   /* the defaults the layout sets, now that it is known */
        char asked[16], used[16];
        /* a dp_shard given is kept where it divides the layout's dp (the search tries no
         * other layout); at or past that dp the state spans all of it, which is said */
        if (asked_shard > 0 && asked_shard != s->train.par.dp_shard && asked_shard != s->train.par.dp) {
            snprintf(asked, sizeof asked, "%d", asked_shard);
            snprintf(used, sizeof used, "%d", s->train.par.dp_shard);
            aif_scenario_note(s, "train.dp_shard", asked, used,
                              "the layout found has dp %d, at most the shard group given: the state is sharded "
                              "over all of dp", s->train.par.dp);
        }
        const int v[] = {r->par.tp, r->par.pp, r->par.vpp, r->par.cp, r->par.ep, r->par.etp, r->mbs,
                         r->recompute_layers, r->par.dp_shard};
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
            if (!(a & f[i].bit))
                continue;
            snprintf(used, sizeof used, "%d", v[i]);
            if (f[i].bit == AIF_AUTO_RECOMPUTE_LAYERS && v[i] == 0)
                snprintf(used, sizeof used, "every layer");
            if (f[i].bit == AIF_AUTO_DP_SHARD && (v[i] == 0 || v[i] >= r->par.dp))
                snprintf(used, sizeof used, "all of dp");
            aif_scenario_note(s, f[i].path, "auto", used, "best of %lld candidates by step time", b->candidates);
        }
        aif_scenario_note_unused(s);   /* and the settings the layout found leaves without effect */
    }
    free(b);
    return rc;
}

aif_rc aif_run_train(const aif_catalog *c, const aif_scenario *s, const aif_run_opts *o, aif_train_run *out,
                     aif_err *err)
{
    static const aif_run_opts defaults = {.engine = AIF_ENGINE_ESTIMATE};
    if (!o)
        o = &defaults;
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    out->engine = o->engine;
    add_notes(s, out);
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_facility_apply_limits(&out->scenario, fd);
    aif_rc rc = out->scenario.train.auto_fields ? fill_auto(&out->scenario, err) : AIF_OK;
    if (rc)
        return rc;
    rc = o->engine == AIF_ENGINE_SIM ? aif_simulate(&out->scenario, &o->sim, &out->train, &out->net, err)
                                     : aif_estimate(&out->scenario, &out->train, err);
    out->n_classes = aif_job_classes(&out->scenario, out->classes);   /* the published runs like it */
    /* A job on part of its cluster is charged its share of the site: the nodes and
     * racks it fills, their power, energy, carbon, water, capex and cost to train.
     * The rest of the cluster is not this job's (the many-job view accounts for it). */
    aif_scenario share = out->scenario;   /* ~40 KB, most of it the hourly carbon table */
    share.cluster.gpus = aif_alloc_gpus(&out->scenario);
    share.cluster.storage_units *= (double)share.cluster.gpus / out->scenario.cluster.gpus;   /* its share of the tier */
    share.train.alloc = (aif_alloc){0};
    if (rc == AIF_OK)
        rc = aif_facility_eval(&share, fd, &out->train, &out->facility, err);
    if (rc == AIF_OK)
        rc = aif_cost_eval(&share, fd, &out->train, &out->facility, &out->cost, err);
    if (rc == AIF_OK && !out->train.fits_in_memory)
        rc = aif_search_memory_fit(&out->scenario, &out->train, &out->memory_fit, err);
    if (rc == AIF_OK && o->scaling)
        rc = aif_search_scaling(&out->scenario, AIF_SCALING_LOG2_MIN, AIF_SCALING_LOG2_MAX, &out->scaling, err);
    return rc;
}

aif_rc aif_run_site(const aif_catalog *c, const aif_scenario *s, aif_train_run *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    out->site_only = true;
    add_notes(s, out);
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_facility_apply_limits(&out->scenario, fd);
    /* every GPU computing for the whole of a one-second step, and no run */
    aif_train_result busy;
    memset(&busy, 0, sizeof busy);
    busy.step_time_s = 1;
    busy.bd.compute_s = 1;
    aif_rc rc = aif_facility_eval(&out->scenario, fd, &busy, &out->facility, err);
    out->facility.swing_W = 0;   /* no step: nothing swings within one */
    if (rc == AIF_OK)
        rc = aif_cost_eval(&out->scenario, fd, &busy, &out->facility, &out->cost, err);
    return rc;
}
