/* run_search.c -- aif_run_search (include/aifsim/run.h): the best layout of a job
 * with the site's figures for cost and energy, and the simulator's re-ranking.
 *
 * Order: the power limit (clock factor) first, as for any run; then the site's
 * figures, once: facility power with every GPU in one phase (compute, memory-bound,
 * communication, waiting) from aif_site_power_at, and the fixed cost per second
 * of the job's share of the cluster from the money model (the site as aif_run_site
 * sizes it: every GPU computing); then the search; then, with the simulator, each
 * of the top results simulated and the list re-ranked (a stable order: ties keep
 * the estimate's rank). */
#include "aifsim/run.h"
#include "base/base.h"

#include <math.h>
#include <string.h>

static aif_rc site_figures(const aif_scenario *s, const aif_facility_data *fd, aif_best_site *site, aif_err *err)
{
    const aif_activity phases[4] = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}};
    double *w[4] = {&site->compute_W, &site->memory_W, &site->comm_W, &site->idle_W};
    aif_rc rc = AIF_OK;
    for (int i = 0; i < 4 && !rc; i++) {
        aif_site_power p;
        rc = aif_site_power_at(s, fd, &phases[i], &p, err);
        *w[i] = p.facility_W;
    }
    if (rc)
        return rc;
    aif_train_result busy;
    memset(&busy, 0, sizeof busy);
    busy.step_time_s = 1;
    busy.bd.compute_s = 1;
    aif_facility_result f;
    aif_cost_result c;
    if ((rc = aif_facility_eval(s, fd, &busy, &f, err)) || (rc = aif_cost_eval(s, fd, &busy, &f, &c, err)))
        return rc;
    site->fixed_usd_per_s = c.fixed_usd_per_hour / 3600;
    site->usd_per_J = s->site.electricity_usd_per_J;
    return AIF_OK;
}

/* The classes of published runs like the best layout (aif_job_classes on #1's job). */
static void best_classes(aif_search_run *out)
{
    if (out->best.n_results == 0)
        return;
    aif_train saved = out->scenario.train;
    aif_best_apply(&out->best.results[0], &out->scenario);
    out->n_classes = aif_job_classes(&out->scenario, out->classes);
    out->scenario.train = saved;
}

aif_rc aif_run_search(const aif_catalog *c, const aif_scenario *s, const aif_search_opts *o, aif_search_run *out,
                      aif_err *err)
{
    memset(out, 0, sizeof *out);
    out->scenario = *s;
    const aif_facility_data *fd = aif_catalog_facility(c);
    aif_facility_apply_limits(&out->scenario, fd);
    /* the job's share of the site, as aif_run_train charges it */
    aif_scenario *share = &out->scenario;
    int alloc_gpus = aif_alloc_gpus(share);
    aif_alloc keep = share->train.alloc;
    int cluster_gpus = share->cluster.gpus;
    share->cluster.gpus = alloc_gpus;
    share->train.alloc = (aif_alloc){0};
    aif_rc rc = site_figures(share, fd, &out->site, err);
    share->cluster.gpus = cluster_gpus;
    share->train.alloc = keep;
    if (rc)
        return rc;
    aif_best_opts bo = {.objective = o->objective, .top = o->top, .space = o->space, .site = out->site};
    if ((rc = aif_search_best(&out->scenario, &bo, &out->best, err)))
        return rc;
    aif_best *b = &out->best;
    if (s->train.tokens > 0 && b->n_results > 0)
        out->steps = ceil(s->train.tokens / b->results[0].train.tokens_per_step);
    if (o->engine != AIF_ENGINE_SIM || b->n_results == 0) {
        best_classes(out);
        return AIF_OK;
    }
    for (int i = 0; i < b->n_results; i++) {
        aif_best_result *r = &b->results[i];
        aif_scenario *one = &out->scenario;
        aif_train saved = one->train;
        aif_best_apply(r, one);
        one->train.auto_fields = 0;
        aif_sim_stats stats;
        aif_train_result sim;
        rc = aif_simulate(one, &o->sim, &sim, &stats, err);
        one->train = saved;
        if (rc)
            return rc;
        r->sim_step_time_s = sim.step_time_s;
        r->train = sim;
        aif_best_rescore(&bo, r);
    }
    /* stable insertion sort by the simulated objective */
    for (int i = 1; i < b->n_results; i++) {
        aif_best_result r = b->results[i];
        int j = i;
        while (j > 0 && r.objective < b->results[j - 1].objective) {
            b->results[j] = b->results[j - 1];
            j--;
        }
        b->results[j] = r;
    }
    b->reranked = true;
    b->has_runner_up = false;
    for (int i = 1; i < b->n_results && !b->has_runner_up; i++)
        if (b->results[i].objective > b->results[0].objective) {
            b->runner_up = b->results[i];
            b->has_runner_up = true;
        }
    aif_best_explain(b);
    best_classes(out);
    return AIF_OK;
}
