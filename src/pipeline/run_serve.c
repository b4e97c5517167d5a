/* run_serve.c -- the pipeline of a serving deployment (include/aifsim/serve.h):
 * power limit, memory of a replica's GPU (weights larger than HBM refused), the
 * request stream (the trace file is read here, once), the event loop, then power,
 * energy and money, in that order and nowhere else.
 *
 * Power: the deployment's GPUs spend busy_fraction of the run in iterations,
 * split into compute-bound, memory-bound and communication time by the op times
 * of the iterations (lower_serve.h), and the rest idle; that activity goes to
 * aif_site_power_at for the facility power of those GPUs (hosts, network,
 * cooling), energy = power x duration.  Money: the owned cluster's fixed cost
 * per hour (aif_cost_eval: depreciation and operations) charged for the
 * deployment's share of the GPUs, plus the electricity; rented: GPU-hours at the
 * scenario's cloud class.
 *
 * The load curve (aif_run_serve_load_curve) is a few whole runs of the same
 * deployment: offline for its capacity, then server at rising fractions of it. */
#include "aifsim/facility_data.h"
#include "base/base.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "serve/requests.h"
#include "serve/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_rc power_and_money(const aif_catalog *c, aif_serve_run *out, aif_err *err)
{
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_serve_result *r = &out->serve;
    aif_scenario *share = &out->scenario;   /* the job holds the deployment's GPUs */
    share->train.alloc.gpus = r->gpus;
    share->train.alloc.first_node = 0;
    double busy = r->busy_fraction;
    aif_activity a = {busy * r->compute_frac, busy * r->memory_frac, busy * r->comm_frac, 0};
    a.idle = 1 - a.compute - a.memory - a.comm;
    if (a.idle < 0)
        a.idle = 0;
    aif_site_power p;
    aif_rc rc = aif_site_power_at(share, fd, &a, &p, err);
    if (rc)
        return rc;
    r->gpu_avg_W = p.per_gpu_W;
    r->facility_avg_W = p.facility_W;
    r->energy_J = p.facility_W * r->duration_s;
    r->joules_per_token = r->output_tokens > 0 ? r->energy_J / r->output_tokens : 0;

    /* the owned cluster's fixed cost per hour and the cloud price, from the money model */
    aif_train_result tr;
    memset(&tr, 0, sizeof tr);
    tr.step_time_s = 1;
    tr.bd.compute_s = a.compute + a.memory;
    tr.bd.membound_s = a.memory;
    tr.bd.tp_comm_s = a.comm;
    tr.bd.pp_bubble_s = a.idle;
    tr.train_time_s = r->duration_s;
    static aif_facility_result f;
    aif_cost_result cost;
    if ((rc = aif_facility_eval(share, fd, &tr, &f, err)) || (rc = aif_cost_eval(share, fd, &tr, &f, &cost, err)))
        return rc;
    double hours = r->duration_s / 3600, mtok = r->output_tokens / 1e6;
    double owned = cost.fixed_usd_per_hour * r->gpus / share->cluster.gpus * hours +
                   r->energy_J * share->site.electricity_usd_per_J;
    double rented = cost.cloud_usd_per_gpu_hour * r->gpus * hours;
    r->usd_per_million_tokens = mtok > 0 ? owned / mtok : 0;
    r->usd_per_million_tokens_rented = mtok > 0 ? rented / mtok : 0;
    r->power_known = f.power_known;
    r->price_known = cost.price_known;
    r->cloud_price_known = cost.cloud_price_known;
    return AIF_OK;
}

aif_rc aif_run_serve(const aif_catalog *c, const aif_scenario *s, const aif_serve_opts *o, aif_serve_run *out,
                     aif_err *err)
{
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    aif_facility_apply_limits(&out->scenario, aif_catalog_facility(c));
    const aif_serve *sv = &out->scenario.serve;
    aif_serve_result *r = &out->serve;
    r->replicas = sv->replicas;
    r->gpus = sv->replicas * sv->tp * sv->pp;
    aif_rc rc = aif_serve_memory_eval(&out->scenario, &r->mem, err);
    if (rc)
        return rc;
    aif_req_stream rq;
    if ((rc = aif_requests_load(sv, &rq, err)))
        return rc;
    rc = aif_serve_simulate(&out->scenario, &rq, r->mem.kv_blocks, o, r, err);
    aif_requests_free(&rq);
    if (!rc)
        rc = power_and_money(c, out, err);
    if (!rc)
        out->n_classes = aif_serve_classes(&out->scenario, out->classes);   /* the published runs like it */
    return rc;
}

aif_rc aif_run_serve_load_curve(const aif_catalog *c, const aif_scenario *s, aif_serve_load_curve *out,
                                aif_err *err)
{
    static const double frac[AIF_SERVE_LOAD_POINTS] = {0.2, 0.4, 0.6, 0.8, 0.9, 1.0, 1.1, 1.25};
    memset(out, 0, sizeof *out);
    const aif_serve *sv0 = &s->serve;
    if (sv0->trace[0] || sv0->agentic.calls > 0 || sv0->concurrency > 0)
        return AIF_OK;   /* their arrivals are their own: no offered rate to vary */
    aif_scenario *t = malloc(sizeof *t);
    aif_serve_run *run = malloc(sizeof *run);
    aif_rc rc = AIF_OK;
    if (!t || !run) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the load curve");
        goto done;
    }
    *t = *s;
    t->serve.requests = sv0->requests < 2000 ? sv0->requests : 2000;
    t->serve.mode = AIF_SERVE_OFFLINE;
    t->serve.n_curve = 0;
    if ((rc = aif_run_serve(c, t, NULL, run, err)))
        goto done;
    out->capacity_rps = run->serve.requests_per_s;
    t->serve.mode = AIF_SERVE_SERVER;
    for (int k = 0; k < AIF_SERVE_LOAD_POINTS && out->capacity_rps > 0; k++) {
        t->serve.qps = frac[k] * out->capacity_rps;
        if ((rc = aif_run_serve(c, t, NULL, run, err)))
            goto done;
        const aif_serve_result *r = &run->serve;
        out->qps[k] = t->serve.qps;
        out->throughput_tokens_per_s[k] = r->throughput_tokens_per_s;
        out->requests_per_s[k] = r->requests_per_s;
        out->ttft_p50_s[k] = r->ttft.p50_s;
        out->ttft_p99_s[k] = r->ttft.p99_s;
        out->tpot_p50_s[k] = r->tpot.p50_s;
        out->tpot_p99_s[k] = r->tpot.p99_s;
        out->n = k + 1;
    }
done:
    free(run);
    free(t);
    return rc;
}
