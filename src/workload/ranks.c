/* Where a training job's ranks sit (workload/ranks.h). */
#include "workload/ranks.h"

void aif_rank_map_init(aif_rank_map *r, const aif_parallel *p, int order)
{
    long t = p->tp, c = p->cp, d = p->dp, pp = p->pp;
    /* the dimensions after tp, fastest first, and their sizes */
    static const char dims[AIF_N_RANK_ORDER][3] = {
        [AIF_ORDER_TP_CP_DP_PP] = "cdp", [AIF_ORDER_TP_CP_PP_DP] = "cpd", [AIF_ORDER_TP_PP_CP_DP] = "pcd",
        [AIF_ORDER_TP_DP_CP_PP] = "dcp", [AIF_ORDER_TP_DP_PP_CP] = "dpc", [AIF_ORDER_TP_PP_DP_CP] = "pdc",
    };
    int o = order >= 0 && order < AIF_N_RANK_ORDER ? order : AIF_ORDER_TP_CP_DP_PP;
    long w = t;
    r->tp = t;
    r->cp = c;
    r->dp = d;
    r->S = t * c * d;
    for (int i = 0; i < 3; i++) {
        switch (dims[o][i]) {
        case 'c': r->w_cp = w; w *= c; break;
        case 'd': r->w_dp = w; w *= d; break;
        default: r->w_pp = w; w *= pp; break;
        }
    }
    /* the default's placement whatever the order's name: a dimension of size 1 has no digit, so
     * only the others' order counts (tp-cp-pp-dp with pp 1 is tp-cp-dp-pp, with dp 1 too) */
    r->identity = (c == 1 || r->w_cp == t) && (d == 1 || r->w_dp == t * c) && (pp == 1 || r->w_pp == t * c * d);
}

int aif_rank_count_below(const long *weight, const long *count, int n_axes, long D)
{
    enum { MAX_AXES = 4 };
    long lim[MAX_AXES], dig[MAX_AXES] = {0};
    if (n_axes < 1 || n_axes > MAX_AXES || D < 1)
        return 1;
    for (int a = 0; a < n_axes; a++) {   /* digits whose own weight already reaches D are out */
        long l = weight[a] > 0 ? (D + weight[a] - 1) / weight[a] : count[a];
        lim[a] = l < count[a] ? l : count[a];
        if (lim[a] < 1)
            lim[a] = 1;
    }
    int n = 0;
    for (;;) {
        long at = 0;
        for (int a = 0; a < n_axes; a++)
            at += dig[a] * weight[a];
        n += at < D;
        int a = 0;
        while (a < n_axes && ++dig[a] == lim[a])
            dig[a++] = 0;
        if (a == n_axes)
            return n;
    }
}
