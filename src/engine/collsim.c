/* collsim.c -- one collective alone on the cluster's network (aif_coll_sim in
 * include/aifsim/sim.h): the closed form's time, with its network phase at the
 * rate the collective's own flows get on the topology.
 *
 * The pattern of the collective on GPUs [0, n) (net/coflow.h) is built on the
 * topology's own links, without the max-min solver: alone on the network, a
 * coflow runs at the bottleneck of its links.  The uncontended rate (the links
 * at the GPUs) is what the closed form assumes, so
 *   t = (t_closed - S / B_ideal) + S / B_actual
 * keeps the closed form's latencies and replaces its network phase.  Patterns
 * are cached by (n, collective, algorithm): one build serves many sizes. */
#include "aifsim/sim.h"
#include "base/base.h"
#include "net/coflow.h"
#include "net/topology.h"

#include <math.h>
#include <stdlib.h>
struct aif_coll_sim {
    aif_cluster cl;
    aif_topo *topo;
    aif_patterns pats;
};

aif_rc aif_coll_sim_new(const aif_cluster *cl, aif_coll_sim **out, aif_err *err)
{
    *out = NULL;
    aif_coll_sim *c = calloc(1, sizeof *c);
    if (!c)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "collective", "out of memory");
    c->cl = *cl;
    aif_rc rc = aif_topo_build(&c->cl, &c->topo, err);
    if (!rc && aif_pats_init(&c->pats, c->topo, NULL, &c->cl.scaleup, cl->gpus))
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "collective", "out of memory");
    if (rc) {
        aif_coll_sim_free(c);
        return rc;
    }
    *out = c;
    return AIF_OK;
}

void aif_coll_sim_free(aif_coll_sim *c)
{
    if (!c)
        return;
    aif_pats_free(&c->pats);
    aif_topo_free(c->topo);
    free(c);
}

double aif_coll_sim_time(aif_coll_sim *c, aif_coll coll, int n, double bytes, aif_coll_algo algo, aif_coll_algo *used)
{
    aif_coll_algo u;
    double t_a = aif_collective_time_s(&c->cl, coll, n, bytes, algo, &u);
    if (used)
        *used = u;
    if (!isfinite(t_a) || n < 2 || bytes <= 0 || n > c->topo->gpus)
        return t_a;
    /* the collective's flows on GPUs [0, n), alone on the network: the bottleneck of the
     * links at the GPUs gives the uncontended rate, of all links the actual one */
    aif_patterns *p = &c->pats;
    long key = ((long)n * 8 + coll) * 8 + u;
    int k = aif_pats_find(p, key);
    if (k < 0) {
        p->err = AIF_PATS_OK;
        aif_pats_group(p, coll, u, 0, 1, NULL, n, (uint64_t)(coll * 8 + u) << 40);
        if (p->err) {
            for (long i = 0; i < p->n_touched; i++)
                p->acc[p->touched[i]] = 0;
            p->n_touched = 0;
            return NAN;   /* no live path: the network is partitioned */
        }
        k = aif_pats_add(p, key, 1);
        if (p->err)
            return NAN;
    }
    double ideal = p->pat[k].ideal_Bps, actual = aif_pats_actual_Bps(p, k);
    if (!isfinite(ideal) || !isfinite(actual))
        return t_a;
    double lat = t_a - bytes / ideal > 0 ? t_a - bytes / ideal : 0;
    return lat + bytes / actual;
}
