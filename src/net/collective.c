/* collective.c -- closed-form NCCL collective costs (equations in collective.h). */
#include "net/collective.h"

#include <math.h>

double aif_coll_time_algo(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes, aif_coll_algo algo,
                          aif_coll_algo *chosen)
{
    int n = g.size, k = g.per_domain < 1 ? 1 : g.per_domain;
    aif_coll_algo used = AIF_ALGO_RING;
    if (chosen)
        *chosen = used;
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
    double nn = n, t = 0;
    switch (coll) {
    case AIF_COLL_ALLREDUCE: {
        double t_bw = 2 * (nn - 1) / nn * bytes / bw;
        /* NCCL's tree spans nodes (a chain inside each node); inside one domain it rings */
        double ring = t_bw + 2 * (nn - 1) * a, tree = multi ? t_bw + 2 * ceil(log2(nn)) * a : INFINITY;
        /* NVLS: the switch reduces; each GPU sends and receives the buffer once */
        double nvls = !multi && n > 2 && cl->scaleup.nvls_efficiency > 0
                      ? 2 * (nn - 1) / nn * bytes / (cl->scaleup.port_bw_Bps * cl->scaleup.nvls_efficiency) + 2 * a
                      : INFINITY;
        if (algo == AIF_ALGO_RING || (algo == AIF_ALGO_AUTO && ring <= tree && ring <= nvls)) {
            t = ring;
            used = AIF_ALGO_RING;
        } else if ((algo == AIF_ALGO_TREE && multi) || (algo == AIF_ALGO_AUTO && tree <= nvls)) {
            t = tree;
            used = AIF_ALGO_TREE;
        } else if (algo == AIF_ALGO_TREE) {
            t = ring;   /* a tree inside one domain is NCCL's ring */
        } else {
            t = nvls;   /* INFINITY when asked for NVLS where there is none */
            used = AIF_ALGO_NVLS;
        }
        break;
    }
    case AIF_COLL_ALLGATHER:
    case AIF_COLL_REDUCESCATTER:
        t = (nn - 1) / nn * bytes / bw + (nn - 1) * a;
        break;
    case AIF_COLL_ALLTOALL: {
        double t_out = multi ? bytes * (nn - k) / nn / b_nic : 0;
        double t_in = bytes * (k - 1) / nn / b_su;
        t = (t_out > t_in ? t_out : t_in) + (nn - 1) / k * a;
        break;
    }
    case AIF_COLL_SENDRECV:
        t = bytes / (multi ? b_nic : b_su) + a;
        break;
    case AIF_COLL_BROADCAST:
        /* pipelined chain (ring) or tree: every rank receives the buffer once */
        if (algo == AIF_ALGO_TREE) {
            t = bytes / bw + ceil(log2(nn)) * a;
            used = AIF_ALGO_TREE;
        } else {
            t = bytes / bw + (nn - 1) * a;
        }
        break;
    }
    if (chosen)
        *chosen = used;
    return t;
}

double aif_coll_time(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes)
{
    return aif_coll_time_algo(cl, coll, g, bytes, AIF_ALGO_AUTO, NULL);
}

double aif_collective_time_s(const aif_cluster *cl, aif_coll coll, int n_ranks, double bytes, aif_coll_algo algo,
                             aif_coll_algo *chosen)
{
    int k = n_ranks < cl->scaleup_domain ? n_ranks : cl->scaleup_domain;
    return aif_coll_time_algo(cl, coll, (aif_group_shape){n_ranks, k < 1 ? 1 : k}, bytes, algo, chosen);
}

double aif_busbw_factor(aif_coll coll, int n)
{
    double nn = n;
    switch (coll) {
    case AIF_COLL_ALLREDUCE: return 2 * (nn - 1) / nn;
    case AIF_COLL_ALLGATHER:
    case AIF_COLL_REDUCESCATTER:
    case AIF_COLL_ALLTOALL: return (nn - 1) / nn;
    case AIF_COLL_SENDRECV:
    case AIF_COLL_BROADCAST: return 1;
    }
    return 1;
}
