/* run_cluster.c -- the pipeline of a many-job cluster run (include/aifsim/cluster.h),
 * in this order and nowhere else:
 *   1. the site's GPU power limit becomes the cluster's clock factor;
 *   2. the scenario's training job estimated once (aif_estimate): its run time
 *      (train.tokens at its step), the communication share of its step (the
 *      placement slowdown of every training job) and its checkpoint (bf16 weights and
 *      the optimizer's state: 14 bytes per parameter, 10 with Adam's moments in bf16,
 *      train.moments_dtype);
 *   3. the jobs: that job alone on its cluster (elastic between operations.elastic's
 *      bounds, its step time at each size asked of the training model once), a trace (read here, once) or the
 *      synthetic load; with operations.serve, one serving deployment more, sized by
 *      the serving model (the fewest replicas meeting serve.slo at serve.qps, from
 *      the capacity plan) and drawing its simulated power;
 *   4. the facility's watts with every GPU idle and per computing GPU
 *      (aif_site_power_at, the training step's phase shares), passed down to the
 *      event loop for a curtailment;
 *   5. the event loop (src/ops/csim.c); with a curtailment window, once more
 *      without it, so each job's slip is its end with the window minus its end
 *      without;
 *   6. power over time from the series of GPUs computing (held GPUs that restart or
 *      write a checkpoint draw idle power: the dips), energy, and money per tenant
 *      (the owned cluster's fixed cost per hour from aif_cost_eval, charged by
 *      GPU-hour share, plus electricity). */
#include "aifsim/cluster.h"
#include "aifsim/facility_data.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "base/base.h"
#include "ops/csim.h"
#include "ops/jobs.h"
#include "workload/transformer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a checkpoint per parameter: bf16 weights 2 and the optimizer's state, the fp32 master 4
 * and Adam's m and v at their type (aif_optim_state_bytes: 12, or 8 with bf16 moments) */
static double ckpt_bytes_per_param(const aif_train *t) { return 2 + aif_optim_state_bytes(t); }

/* The training model at another size of the scenario's job (operations.elastic
 * bounds): the same layout with dp = gpus / (tp pp cp) and the global batch kept,
 * what `aifsim train --gpus G --dp D` estimates.  work is scratch for the copy. */
typedef struct step_ctx { const aif_scenario *sc; aif_scenario *work; aif_err err; } step_ctx;

static aif_rc step_at(step_ctx *c, int gpus, double *step_s)
{
    *c->work = *c->sc;
    aif_train *t = &c->work->train;
    long long mp = (long long)t->par.tp * t->par.pp * t->par.cp;
    if (gpus < mp || gpus % mp)
        return aif_err_set(&c->err, AIF_EINPUT, NULL, 0, 0, "operations.elastic", "%d GPUs is not a multiple of "
                           "tp*pp*cp = %lld", gpus, mp);
    t->alloc.gpus = gpus;
    t->alloc.first_node = 0;
    t->par.dp = (int)(gpus / mp);
    aif_train_result r;
    aif_rc rc = aif_estimate(c->work, &r, &c->err);
    *step_s = r.step_time_s;
    return rc;
}

static double train_step_s(int gpus, void *ctx)
{
    double t;
    return step_at(ctx, gpus, &t) ? -1 : t;
}

static int slip_cmp(const void *a, const void *b)
{
    double x = ((const aif_cluster_slip *)a)->slip_s, y = ((const aif_cluster_slip *)b)->slip_s;
    return (x < y) - (x > y);
}

/* operations.serve: the scenario's serving deployment as one more job of the list
 * (kind serve, tenant op->serve_tenant), its replicas from the capacity plan unless
 * given, its facility watts per GPU from the serving simulator at that size. */
static aif_rc add_serve_job(const aif_catalog *c, const aif_scenario *sc, aif_job_list *jl, aif_cluster_result *r,
                            aif_err *err)
{
    const aif_ops *op = &sc->ops;
    if (!sc->serve.present)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "operations.serve", "a serving deployment needs the scenario's "
                           "serve: section (model, tp, qps, slo)");
    aif_serve_plan *plan = NULL;
    aif_serve_run *run = malloc(sizeof *run);
    aif_scenario *work = malloc(sizeof *work);
    aif_rc rc = AIF_OK;
    if (!run || !work) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
        goto done;
    }
    *work = *sc;
    /* serve.replicas is not read: the serve section fills it with what the whole
     * cluster holds when left out, so only operations.serve.replicas fixes the count */
    int replicas = op->serve_replicas;
    if (replicas <= 0) {   /* the capacity plan at the scenario's shape */
        if (!(plan = malloc(sizeof *plan))) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
            goto done;
        }
        aif_plan_opts po = {.tps = {sc->serve.tp > 0 ? sc->serve.tp : 1}, .n_tp = 1,
                            .precisions = {sc->serve.precision}, .n_prec = 1, .max_gpus = sc->cluster.gpus};
        const aif_scenario *one = sc;
        if ((rc = aif_plan_serve(c, &one, 1, &po, plan, err)))
            goto done;
        if (plan->n < 1 || !plan->c[0].meets) {
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "operations.serve", "no deployment of at most %d GPUs meets "
                             "serve.slo at serve.qps (%s); set operations.serve.replicas or relax the targets",
                             sc->cluster.gpus, plan->n > 0 ? plan->c[0].why : "no candidate");
            goto done;
        }
        replicas = plan->c[0].replicas;
    }
    int pp = sc->serve.pp > 0 ? sc->serve.pp : 1, tp = sc->serve.tp > 0 ? sc->serve.tp : 1;
    work->serve.replicas = replicas;
    work->cluster.gpus = replicas * tp * pp;   /* its own deployment, as the plan runs it */
    if ((rc = aif_run_serve(c, work, NULL, run, err)))
        goto done;
    int gpus = run->serve.gpus;
    /* append the job and its tenant, then move it to its place in submit order */
    aif_job *nj = realloc(jl->jobs, sizeof *nj * (size_t)(jl->n + 1));
    if (!nj) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
        goto done;
    }
    jl->jobs = nj;
    int t = -1;
    for (int k = 0; k < jl->n_tenants && t < 0; k++)
        if (!strcmp(jl->tenants[k], op->serve_tenant))
            t = k;
    if (t < 0) {
        char (*nt)[AIF_TENANT_MAX] = realloc(jl->tenants, sizeof *nt * (size_t)(jl->n_tenants + 1));
        if (!nt) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
            goto done;
        }
        jl->tenants = nt;
        t = jl->n_tenants++;
        snprintf(jl->tenants[t], AIF_TENANT_MAX, "%.*s", AIF_TENANT_MAX - 1, op->serve_tenant);
    }
    double dur = op->serve_duration_s > 0 ? op->serve_duration_s : op->horizon_s > 0 ? op->horizon_s : 86400;
    aif_job job = {.kind = AIF_JOB_SERVE, .submit_s = op->serve_start_s, .duration_s = dur, .gpus = gpus,
                   .min_gpus = gpus, .max_gpus = gpus, .priority = 1, .tenant = t};
    snprintf(job.name, sizeof job.name, "serve-%.*s", AIF_JOB_NAME_MAX - 7, sc->model.name);
    int at = jl->n;
    while (at > 0 && jl->jobs[at - 1].submit_s > job.submit_s)
        at--;
    memmove(jl->jobs + at + 1, jl->jobs + at, sizeof *jl->jobs * (size_t)(jl->n - at));
    jl->jobs[at] = job;
    jl->n++;
    for (int k = 0; k < jl->n; k++)
        jl->jobs[k].id = k;
    r->serve_replicas = replicas;
    r->serve_gpus = gpus;
    r->serve_gpu_W = gpus > 0 ? run->serve.facility_avg_W / gpus : 0;
done:
    free(plan);
    free(run);
    free(work);
    return rc;
}

aif_rc aif_run_cluster(const aif_catalog *c, const aif_scenario *s, const aif_cluster_opts *o, aif_cluster_run *out,
                       aif_err *err)
{
    static const aif_cluster_opts none;
    if (!o)
        o = &none;
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    out->load = o->load;
    aif_scenario *sc = &out->scenario;
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_facility_apply_limits(sc, fd);
    aif_ops *op = &sc->ops;
    if (!op->present && !op->queue_depth)
        aif_ops_defaults(op);
    aif_cluster_result *r = &out->r;
    aif_job_list jl = {0};
    double *ends = NULL, *base_ends = NULL;
    aif_rc rc;
    step_ctx sctx = {sc, NULL, {0}};

    aif_train_result tr;
    if ((rc = aif_estimate(sc, &tr, err)))
        return rc;
    const aif_breakdown *bd = &tr.bd;
    double comm = bd->tp_comm_s + bd->cp_comm_s + bd->ep_comm_s + bd->pp_comm_s + bd->dp_comm_s;
    aif_csim_in in = {.ops = op, .check = o->check, .progress = o->progress, .progress_ctx = o->progress_ctx};
    in.train_comm_share = tr.step_time_s > 0 ? comm / tr.step_time_s : 0;
    in.train_ckpt_bytes = op->ckpt_bytes > 0 ? op->ckpt_bytes : ckpt_bytes_per_param(&sc->train) * tr.params;
    if ((rc = aif_csim_topo_from(&sc->cluster, &in.topo, err)))
        return rc;

    if (o->load == AIF_LOAD_TRACE) {
        snprintf(out->source, sizeof out->source, "%s", o->trace ? o->trace : "");
        if ((rc = aif_jobs_read(o->trace, o->format, o->max_jobs, &jl, &out->skipped, err)))
            return rc;
    } else if (o->load == AIF_LOAD_SYNTHETIC) {
        snprintf(out->source, sizeof out->source, "synthetic");
        int mg = op->synth_max_gpus < sc->cluster.gpus ? op->synth_max_gpus : sc->cluster.gpus;
        aif_synth_spec sp = {op->synth_jobs, op->synth_rate_per_h, mg, op->synth_size_skew,
                             op->synth_duration_median_s, op->synth_duration_sigma, op->synth_tenants, op->seed,
                             op->synth_elastic_share};
        if (o->max_jobs > 0 && o->max_jobs < sp.jobs)
            sp.jobs = (int)o->max_jobs;
        if ((rc = aif_jobs_synth(&sp, &jl, err)))
            return rc;
    } else {
        snprintf(out->source, sizeof out->source, "%s", sc->name);
        jl.jobs = calloc(1, sizeof *jl.jobs);
        jl.tenants = calloc(1, sizeof *jl.tenants);
        if (!jl.jobs || !jl.tenants) {
            aif_job_list_free(&jl);
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
        }
        jl.n = jl.n_tenants = 1;
        snprintf(jl.tenants[0], AIF_TENANT_MAX, "%.*s", AIF_TENANT_MAX - 1, sc->name);
        aif_job *j = &jl.jobs[0];
        j->kind = AIF_JOB_TRAIN;
        j->gpus = j->min_gpus = j->max_gpus = aif_alloc_gpus(sc);
        /* the run time of train.tokens, else as long as the horizon allows */
        j->duration_s = tr.train_time_s > 0 ? tr.train_time_s : op->horizon_s > 0 ? 10 * op->horizon_s : 86400;
        snprintf(j->name, sizeof j->name, "%.*s", AIF_JOB_NAME_MAX - 1, sc->name);
        if (op->elastic_min_gpus > 0 || op->elastic_max_gpus > 0) {
            /* elastic between the bounds, its rate at a size from the training model there */
            int lo = op->elastic_min_gpus > 0 ? op->elastic_min_gpus : j->gpus;
            int hi = op->elastic_max_gpus > 0 ? op->elastic_max_gpus : j->gpus;
            const char *bad = lo > j->gpus ? "operations.elastic.min_gpus" : hi < j->gpus || hi > sc->cluster.gpus
                                                                              ? "operations.elastic.max_gpus" : NULL;
            if (bad) {
                rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, bad, "the training job's elastic bounds are %d..%d "
                                 "GPUs; accepted: min_gpus at most its %d GPUs, max_gpus from them to the cluster's %d",
                                 lo, hi, j->gpus, sc->cluster.gpus);
                goto done;
            }
            if (!(sctx.work = malloc(sizeof *sctx.work))) {
                rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
                goto done;
            }
            double t;
            for (int b = 0; b < 2; b++)
                if (step_at(&sctx, b ? hi : lo, &t)) {
                    rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, b ? "operations.elastic.max_gpus"
                                     : "operations.elastic.min_gpus", "the training job cannot run at %d GPUs: %s; "
                                     "accepted: a size its layout (tp, pp, cp) and global batch divide",
                                     b ? hi : lo, sctx.err.msg);
                    goto done;
                }
            j->min_gpus = lo;
            j->max_gpus = hi;
            in.train_step_s = train_step_s;
            in.train_step_ctx = &sctx;
            in.train_unit_gpus = sc->train.par.tp * sc->train.par.pp * sc->train.par.cp;
        }
    }

    aif_cluster_result serve_r = {0};
    if (op->serve_job && (rc = add_serve_job(c, sc, &jl, &serve_r, err)))
        goto done;

    /* facility watts: every GPU idle, and the extra of one GPU in a training step's phases */
    aif_activity idle = {0, 0, 0, 1};
    double step = tr.step_time_s > 0 ? tr.step_time_s : 1;
    aif_activity busy = {(bd->compute_s - bd->membound_s) / step, bd->membound_s / step, comm / step, 0};
    busy.idle = 1 - busy.compute - busy.memory - busy.comm;
    if (busy.idle < 0)
        busy.idle = 0;
    aif_site_power pi, pb;
    aif_scenario whole = *sc;
    whole.train.alloc.gpus = 0;   /* the whole cluster's site */
    whole.train.alloc.first_node = 0;
    if ((rc = aif_site_power_at(&whole, fd, &idle, &pi, err)) || (rc = aif_site_power_at(&whole, fd, &busy, &pb, err)))
        goto done;
    in.idle_W = pi.facility_W;
    in.busy_gpu_W = (pb.facility_W - pi.facility_W) / sc->cluster.gpus;
    if (serve_r.serve_gpus > 0 && in.busy_gpu_W > 0) {
        /* a serving GPU's extra over an idle one, relative to a training GPU's */
        double extra = serve_r.serve_gpu_W - in.idle_W / sc->cluster.gpus;
        in.serve_power_ratio = extra > 0 ? extra / in.busy_gpu_W : 1e-9;
    }

    in.jobs = &jl;
    bool curtail = op->curtail_cap_W > 0 && op->curtail_duration_s > 0;
    if (curtail) {
        ends = malloc(sizeof *ends * (size_t)(jl.n ? jl.n : 1));
        base_ends = malloc(sizeof *base_ends * (size_t)(jl.n ? jl.n : 1));
        if (!ends || !base_ends) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
            goto done;
        }
        aif_ops plain = *op;
        plain.curtail_cap_W = 0;
        aif_csim_in base = in;
        base.ops = &plain;
        base.end_s = base_ends;
        base.progress = NULL;
        if ((rc = aif_csim_run(&base, r, err)))
            goto done;
        in.end_s = ends;
    }
    if ((rc = aif_csim_run(&in, r, err)))
        goto done;
    r->serve_replicas = serve_r.serve_replicas;
    r->serve_gpus = serve_r.serve_gpus;
    r->serve_gpu_W = serve_r.serve_gpu_W;
    if (curtail) {
        for (int j = 0; j < jl.n; j++) {
            double slip = (ends[j] < 0 ? r->makespan_s : ends[j]) - (base_ends[j] < 0 ? r->makespan_s : base_ends[j]);
            if (slip <= 1e-6)
                continue;
            r->slipped_jobs++;
            r->slip_total_s += slip;
            if (slip > r->slip_max_s)
                r->slip_max_s = slip;
            aif_cluster_slip sl = {j, "", slip};
            snprintf(sl.name, sizeof sl.name, "%s", jl.jobs[j].name);
            if (r->n_slipped < AIF_CLUSTER_SLIPPED) {
                r->slipped[r->n_slipped++] = sl;
                qsort(r->slipped, (size_t)r->n_slipped, sizeof sl, slip_cmp);
            } else if (slip > r->slipped[AIF_CLUSTER_SLIPPED - 1].slip_s) {
                r->slipped[AIF_CLUSTER_SLIPPED - 1] = sl;
                qsort(r->slipped, (size_t)r->n_slipped, sizeof sl, slip_cmp);
            }
        }
    }

    /* power over time, energy and money */
    double e_J = 0;
    r->power_peak_W = 0;
    for (int i = 0; i < r->n_series; i++) {
        /* GPUs held but restarting or writing a checkpoint draw what an idle one does */
        r->computing[i] = r->util[i] - r->stalled[i];
        r->power_W[i] = in.idle_W + r->computing[i] * sc->cluster.gpus * in.busy_gpu_W;
        double t0 = i * r->series_dt_s, t1 = (i + 1) * r->series_dt_s;
        if (t1 > r->makespan_s)
            t1 = r->makespan_s;
        if (t1 > t0)
            e_J += r->power_W[i] * (t1 - t0);
        if (r->power_W[i] > r->power_peak_W)
            r->power_peak_W = r->power_W[i];
    }
    r->energy_J = e_J;
    r->power_mean_W = r->makespan_s > 0 ? e_J / r->makespan_s : 0;
    {
        aif_train_result money = tr;
        money.train_time_s = r->makespan_s;
        static aif_facility_result f;   /* large; one run at a time per process, as run_serve */
        aif_cost_result cost;
        if ((rc = aif_facility_eval(&whole, fd, &money, &f, err)) ||
            (rc = aif_cost_eval(&whole, fd, &money, &f, &cost, err)))
            goto done;
        r->cost_usd = cost.fixed_usd_per_hour * r->makespan_s / 3600 + e_J * sc->site.electricity_usd_per_J;
    }
    for (int t = 0; t < r->n_tenants; t++) {
        r->tenants[t].energy_J = r->tenants[t].share * e_J;
        r->tenants[t].cost_usd = r->tenants[t].share * r->cost_usd;
    }
done:
    free(sctx.work);
    free(ends);
    free(base_ends);
    aif_job_list_free(&jl);
    return rc;
}
