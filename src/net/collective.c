/* collective.c -- closed-form NCCL collective costs (equations in collective.h). */
#include "net/collective.h"

#include <math.h>

double aif_coll_time(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes)
{
    int n = g.size, k = g.per_domain < 1 ? 1 : g.per_domain;
    if (n <= 1 || bytes <= 0)
        return 0;
    double b_su = cl->scaleup.port_bw_Bps * cl->scaleup.efficiency;
    double b_nic = cl->nics_per_node * cl->nic_bw_Bps / cl->gpus_per_node * cl->fabric.efficiency;
    int multi = n > k;
    double bw = b_su, a = cl->scaleup.latency_s;
    if (multi) {
        double out = k * b_nic;
        bw = out < b_su ? out : b_su;
        a = cl->fabric.latency_s;
    }
    double nn = n;
    switch (coll) {
    case AIF_COLL_ALLREDUCE: {
        double t_bw = 2 * (nn - 1) / nn * bytes / bw;
        double ring = t_bw + 2 * (nn - 1) * a, tree = t_bw + 2 * ceil(log2(nn)) * a;
        double best = ring < tree ? ring : tree;
        if (!multi && n > 2 && cl->scaleup.nvls_efficiency > 0) {
            /* NVLS: the switch reduces; each GPU sends and receives the buffer once */
            double nvls = 2 * (nn - 1) / nn * bytes / (cl->scaleup.port_bw_Bps * cl->scaleup.nvls_efficiency) + 2 * a;
            if (nvls < best)
                best = nvls;
        }
        return best;
    }
    case AIF_COLL_ALLGATHER:
    case AIF_COLL_REDUCESCATTER:
        return (nn - 1) / nn * bytes / bw + (nn - 1) * a;
    case AIF_COLL_ALLTOALL: {
        double t_out = multi ? bytes * (nn - k) / nn / b_nic : 0;
        double t_in = bytes * (k - 1) / nn / b_su;
        return (t_out > t_in ? t_out : t_in) + (nn - 1) / k * a;
    }
    case AIF_COLL_SENDRECV:
        return bytes / (multi ? b_nic : b_su) + a;
    }
    return 0;
}
