/* memory_fit.c -- what makes a job fit in memory (include/aifsim/search.h).
 *
 * The usual remedies are tried one at a time; only when none alone fits are
 * they tried in pairs (a < b, each applied in that order).  Each applicable
 * candidate is estimated once and recorded in the order tried, so the result
 * says what was looked at as well as what fits.  Full recompute, when it fits, is
 * narrowed to the fewest layers of each pipeline chunk that must replay
 * (train.recompute_layers, Megatron-Core's block method): bisection on the memory,
 * which falls with every layer replayed while the step grows.  The fitting ones are then
 * ordered by step time with a stable insertion sort: equal times keep the order
 * tried, which makes the advice the same on every run. */
#include "aifsim/search.h"

#include <string.h>

static const char *const change_names[AIF_N_CHANGES] = {
    "recompute full", "optimizer distributed", "tp x2", "pp x2", "mbs 1", "optimizer zero3",
};

const char *aif_change_name(int change)
{
    return change >= 0 && change < AIF_N_CHANGES ? change_names[change] : "?";
}

bool aif_change_apply(aif_scenario *s, int change)
{
    aif_train *t = &s->train;
    aif_parallel *p = &t->par;
    switch (change) {
    case AIF_CHANGE_RECOMPUTE_FULL:
        if (t->recompute == AIF_RC_FULL)
            return false;
        t->recompute = AIF_RC_FULL;
        return true;
    case AIF_CHANGE_OPTIMIZER_DISTRIBUTED:
        if (t->optimizer != AIF_OPT_NONE)
            return false;
        t->optimizer = AIF_OPT_DISTRIBUTED;
        return true;
    case AIF_CHANGE_TP_X2:
        if (p->dp % 2)
            return false;
        p->tp *= 2;
        p->dp /= 2;
        p->sp = true;
        return true;
    case AIF_CHANGE_PP_X2:
        if (p->dp % 2)
            return false;
        p->pp *= 2;
        p->dp /= 2;
        return true;
    case AIF_CHANGE_MBS_1:
        if (t->mbs == 1)
            return false;
        t->mbs = 1;
        return true;
    case AIF_CHANGE_OPTIMIZER_ZERO3:
        if (p->pp > 1 || t->optimizer >= AIF_OPT_ZERO3)
            return false;
        t->optimizer = AIF_OPT_ZERO3;
        t->grad_dtype = AIF_GRAD_AUTO;   /* zero3's gradients are its own (train.grad_dtype: none or distributed) */
        t->dp_bucket = 0;                /* and reduced layer by layer (train.dp_bucket: none, distributed, zero1) */
        return true;
    }
    return false;
}

/* Estimates s changed by a (and b when b >= 0); false when a change does not apply.
 * A layout the engine rejects (AIF_EINPUT) is the candidate's result; any other
 * failure (out of memory) goes to *fail with its message in err. */
static bool try_candidate(const aif_scenario *s, int a, int b, aif_fit_candidate *c, aif_rc *fail, aif_err *err)
{
    aif_scenario t = *s;
    if (!aif_change_apply(&t, a) || (b >= 0 && !aif_change_apply(&t, b)))
        return false;
    memset(c, 0, sizeof *c);
    c->change[0] = a;
    c->change[1] = b;
    aif_err e;
    aif_train_result tr;
    c->rc = aif_estimate(&t, &tr, &e);
    if (c->rc != AIF_OK && c->rc != AIF_EINPUT) {
        *err = e;
        *fail = c->rc;
    }
    if (c->rc == AIF_OK) {
        c->fits = tr.fits_in_memory;
        c->mem_bytes = tr.mem.total_bytes;
        c->step_time_s = tr.step_time_s;
    }
    /* the change turned full recompute on and it fits: the fewest layers of a chunk that must
     * replay, by bisection over [1, the largest chunk's layers - 1] (all of them is full) */
    if (c->rc == AIF_OK && c->fits && s->train.recompute != AIF_RC_FULL && t.train.recompute == AIF_RC_FULL &&
        t.train.recompute_layers == 0) {
        int chunks = t.train.par.pp * (t.train.par.vpp > 0 ? t.train.par.vpp : 1);
        int layers = t.model.layers + (t.model.mtp_layers > 0 ? t.model.mtp_layers : 0);
        int most = chunks > 0 ? (layers + chunks - 1) / chunks : 0;   /* the largest chunk's layers */
        int lo = 1, hi = most;                                          /* hi: known to fit (full) */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            aif_scenario u = t;
            u.train.recompute_layers = mid;
            aif_train_result ur;
            aif_rc rc = aif_estimate(&u, &ur, &e);
            if (rc != AIF_OK && rc != AIF_EINPUT) {
                *err = e;
                *fail = rc;
                return true;
            }
            if (rc == AIF_OK && ur.fits_in_memory) {
                hi = mid;
                if (mid < most) {   /* fewer than the largest chunk's layers: a partial replay */
                    c->recompute_layers = mid;
                    c->mem_bytes = ur.mem.total_bytes;
                    c->step_time_s = ur.step_time_s;
                }
            } else {
                lo = mid + 1;
            }
        }
    }
    return true;
}

aif_rc aif_search_memory_fit(const aif_scenario *s, const aif_train_result *r, aif_memory_fit *out, aif_err *err)
{
    /* a rejected neighbour is a result (candidate rc), not a failure of the search */
    memset(out, 0, sizeof *out);
    aif_rc fail = AIF_OK;
    if (r->fits_in_memory)
        return AIF_OK;
    out->searched = true;
    out->need_bytes = r->mem.total_bytes;
    out->hbm_bytes = r->mem.hbm_bytes;
    for (int pair = 0; pair <= 1 && out->n_fits == 0; pair++)
        for (int a = 0; a < AIF_N_CHANGES; a++)
            for (int b = pair ? a + 1 : -1; b < (pair ? AIF_N_CHANGES : 0); b++) {
                aif_fit_candidate *c = &out->tried[out->n_tried];
                if (!try_candidate(s, a, b, c, &fail, err))
                    continue;
                if (fail)
                    return fail;
                if (c->fits)
                    out->fits[out->n_fits++] = out->n_tried;
                out->n_tried++;
            }
    /* fastest first; stable, so equal step times keep the order tried */
    for (int i = 1; i < out->n_fits; i++)
        for (int j = i; j > 0 && out->tried[out->fits[j]].step_time_s < out->tried[out->fits[j - 1]].step_time_s;
             j--) {
            int tmp = out->fits[j];
            out->fits[j] = out->fits[j - 1];
            out->fits[j - 1] = tmp;
        }
    return AIF_OK;
}
