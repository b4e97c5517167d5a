/* collective.c -- closed-form NCCL collective costs (equations in collective.h). */
#include "net/collective.h"
#include "net/topology.h"
#include "aifsim/collective.h"
#include "base/base.h"

#include <math.h>

/* NCCL's own cost model (NVIDIA/nccl src/graph/tuning.cc; the figures are in
 * data/nccl.yaml and reach here as cl->nccl): per protocol a base latency, a
 * latency per ring or tree step on NVLink or the network, and the share of the bus
 * bandwidth the protocol carries (LL sends a flag with every 4 bytes of data;
 * LL128 one 8-byte flag per 128-byte line). */

/* The time NCCL's pipeline adds to a phase of `steps` steps whose bandwidth term is t_bw:
 * each step waits on its peers once per chunk, and NCCL cuts chunks for smaller messages
 * (src/enqueue.cc, calcCollChunking), so the loss grows with the message (ramp x t_bw)
 * until chunks are full and it is the pipeline's fill (steps x step_s); the two joined
 * smoothly,
 *   x T / (x + T),  x = ramp t_bw,  T = steps step_s,
 * which is x for small messages and T for large ones (collective.h). */
static double fill_of(double ramp, double step_s, double steps, double t_bw)
{
    if (ramp <= 0 || step_s <= 0 || t_bw <= 0)
        return 0;
    double x = ramp * t_bw, T = steps * step_s;
    return x * T / (x + T);
}
/* A ring's (or tree's) on the scale-up fabric su, NULL for a phase on the network (none):
 * the fabric's chunk_ramp and step_fill */
static double fill(const aif_fabric *su, double steps, double t_bw)
{
    return su ? fill_of(su->chunk_ramp, su->step_fill_s, steps, t_bw) : 0;
}
/* NVLS's own: the fabric's nvls_chunk_ramp and nvls_step_fill */
static double fill_nvls(const aif_fabric *su, double steps, double t_bw)
{
    return fill_of(su->nvls_chunk_ramp, su->nvls_step_fill_s, steps, t_bw);
}

/* What a pipeline of `steps` rounds (a ring's steps, NCCL all-to-all's rounds) multiplies its
 * bandwidth term by: each pass loses `loss` steps' worth (collective.h; 0: none) */
static double pass_loss(double loss, double steps)
{
    return loss > 0 && steps > 0 ? 1 + loss / steps : 1;
}

/* The fastest protocol for `steps` latency steps, `inter` of them across scale-up domains,
 * moving `bus_bytes` at bus bandwidth bw, a ring's pass losing `loss` steps of it (0 for a
 * tree; collective.h); su is the scale-up fabric the phase runs on (its pipeline fill and LL
 * cap), NULL for a phase on the network.  As NCCL's tuning model
 * (src/graph/tuning.cc, ncclTopoTuneModel): an inter-domain step pays the network's step
 * latency, the others NVLink's, which a ring that leaves its domain raises to the host's
 * network overhead per step (getNetOverhead: each step still posts to the network proxy). */
static double best_proto(const aif_nccl *nc, const aif_fabric *su, int tree, double loss, double steps,
                         double inter, double bus_bytes, double bw)
{
    double best = INFINITY;
    for (int p = 0; p < AIF_N_PROTO; p++) {
        double b = bw * nc->proto_bw[p];
        if (p == AIF_PROTO_LL && su && su->ll_max_bw_Bps > 0 && b > su->ll_max_bw_Bps)
            b = su->ll_max_bw_Bps;   /* NCCL: min(llMaxBw, busBw x .5) */
        double t_bw = bus_bytes / b * pass_loss(loss, steps);
        double lat_in = nc->step_lat_us[0][!tree][p];
        if (inter > 0 && inter < steps && lat_in < nc->net_overhead_us[p])
            lat_in = nc->net_overhead_us[p];
        double t = (nc->base_lat_us[!tree][p] + (steps - inter) * lat_in + inter * nc->step_lat_us[1][!tree][p]) *
                   1e-6 + t_bw + fill(su, steps, t_bw);
        if (t < best)
            best = t;
    }
    return best;
}

double aif_coll_time_algo(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes, aif_coll_algo algo,
                          aif_coll_algo *chosen)
{
    int n = g.size, k = g.per_domain < 1 ? 1 : g.per_domain;
    const aif_nccl *nc = &cl->nccl;
    aif_coll_algo used = AIF_ALGO_RING;
    if (chosen)
        *chosen = used;
    if (n <= 1 || bytes <= 0)
        return 0;
    double b_su = cl->scaleup.port_bw_Bps * cl->scaleup.efficiency;
    double b_nic = cl->nics_per_node * cl->nic_bw_Bps / cl->gpus_per_node * cl->fabric.efficiency;
    int multi = n > k;
    /* a torus (ICI 3D, NeuronLink 2D) has no switch: a group of fewer chips than the whole torus
     * runs a bidirectional ring over the two links to its ring neighbours, of the 2 x dims a chip
     * has; the whole torus (the job's chips, up to the domain: aif_topo_domain_used) rings in
     * every dimension at once (the simulating engine's routes, src/net/coflow.c) */
    int torus_dims = cl->scaleup.kind == AIF_FAB_ICI ? 3 : cl->scaleup.kind == AIF_FAB_NEURONLINK ? 2 : 0;
    /* NCCL's (and RCCL's) ring pass loss; a torus runs its own collectives (XLA's, Neuron's),
     * which no measurement here shows losing it */
    double f = torus_dims ? 0 : nc->ring_pass_loss;
    if (torus_dims && k < aif_topo_domain_used(cl))
        b_su /= torus_dims;
    /* the fewest ranks in one domain: the last, partly filled one carries the same
     * inter-domain traffic on fewer NIC shares (collective.h) */
    int r = n % k ? n % k : k;
    double m = (double)k / ((k + r - 1) / r);
    double bw = b_su, a = cl->scaleup.latency_s;
    if (multi) {
        double out = m * b_nic;
        bw = out < b_su ? out : b_su;
        a = cl->fabric.latency_s;
    }
    /* the fabric's own latency per step that crosses domains, on top of NCCL's (TCP's
     * stack, switch hops) */
    double extra = multi ? a : 0;
    /* the scale-up fabric's pipeline (fill, LL cap) on phases that run on it; a ring or
     * chain across domains runs at the NICs' pace, without the fill */
    const aif_fabric *su = &cl->scaleup, *su1 = multi ? NULL : su;
    double nn = n, t = 0;
    /* steps that cross domains, NCCL's nInterSteps (2.27): d - 1 a pass over d domains,
     * two passes for an all-reduce */
    double doms = ceil(nn / k), cross = multi ? doms - 1 : 0;
    switch (coll) {
    case AIF_COLL_ALLREDUCE: {
        double bus = 2 * (nn - 1) / nn * bytes;
        double ring = best_proto(nc, su1, 0, f, 2 * (nn - 1), 2 * cross, bus, bw) + 2 * cross * extra;
        /* across domains NCCL goes hierarchical (Tree, NVLS-Tree): reduce-scatter inside
         * each domain over NVLink, all-reduce of 1/k of the buffer across domains on every
         * GPU's own NIC share, all-gather inside the domain */
        double tree = INFINITY;
        if (multi) {
            double kk = k, up_down = 2 * ceil(log2(doms));
            double intra = k > 1 ? best_proto(nc, su, 0, f, kk - 1, 0, (kk - 1) / kk * bytes, b_su) : 0;
            double inter = best_proto(nc, NULL, 1, 0, up_down, up_down, 2 * (doms - 1) / doms * bytes / m, b_nic) +
                           up_down * extra;
            tree = fmax(2 * intra, inter);   /* the phases are pipelined over chunks */
        }
        /* NVLS: the switch reduces; each GPU sends and receives the buffer once, at the
         * system's NVLS ceiling, with the pipeline's fill over its 2 (n-1) steps */
        double nvls = INFINITY;
        int nvls_min = cl->scaleup.nvls_min_ranks > 3 ? cl->scaleup.nvls_min_ranks : 3;
        if (!multi && cl->scaleup.nvls_efficiency > 0 && (n >= nvls_min || (algo == AIF_ALGO_NVLS && n > 2))) {
            double t_bw = bus / (cl->scaleup.port_bw_Bps * cl->scaleup.nvls_efficiency);
            nvls = nc->nvls_lat_us * 1e-6 + t_bw + fill_nvls(su, 2 * (nn - 1), t_bw);
        }
        /* CollNet (SHARP): reduce-scatter inside the domain, then each GPU's NIC sends its
         * 1/k of the buffer up the switch tree once and receives the reduced result once;
         * latency: Simple's base and one network step up and one down */
        double collnet = INFINITY;
        if (multi && cl->fabric.in_network_reduction && cl->net.sharp) {
            double kk = k;
            double intra = k > 1 ? best_proto(nc, su, 0, f, kk - 1, 0, (kk - 1) / kk * bytes, b_su) : 0;
            double inter = (nc->base_lat_us[1][AIF_PROTO_SIMPLE] + 2 * nc->step_lat_us[1][1][AIF_PROTO_SIMPLE]) * 1e-6 +
                           bytes / m / b_nic + 2 * extra;
            collnet = fmax(2 * intra, inter);
        }
        double cand[4] = {ring, tree, nvls, collnet};
        aif_coll_algo ids[4] = {AIF_ALGO_RING, AIF_ALGO_TREE, AIF_ALGO_NVLS, AIF_ALGO_COLLNET};
        int pick = 0;
        if (algo == AIF_ALGO_AUTO || algo == AIF_ALGO_PAT) {
            for (int i = 1; i < 4; i++)
                if (cand[i] < cand[pick])
                    pick = i;
        } else {
            for (int i = 0; i < 4; i++)
                if (ids[i] == algo)
                    pick = i;
            if (algo == AIF_ALGO_TREE && !multi)
                pick = 0;   /* a tree inside one domain is NCCL's ring */
        }
        t = cand[pick];   /* INFINITY when asked for an algorithm that does not apply */
        used = ids[pick];
        break;
    }
    case AIF_COLL_ALLGATHER:
    case AIF_COLL_REDUCESCATTER: {
        t = best_proto(nc, su1, 0, f, nn - 1, cross, (nn - 1) / nn * bytes, bw) + cross * extra;
        /* PAT (NCCL >= 2.23, one GPU per node): log2(n) steps of the Simple protocol */
        if (multi && k == 1 && (algo == AIF_ALGO_AUTO || algo == AIF_ALGO_PAT)) {
            double steps = ceil(log2(nn));
            double pat = (nc->base_lat_us[1][AIF_PROTO_SIMPLE] + steps * nc->step_lat_us[1][1][AIF_PROTO_SIMPLE]) *
                             1e-6 + (nn - 1) / nn * bytes / bw + steps * extra;
            if (algo == AIF_ALGO_PAT || pat < t) {
                t = pat;
                used = AIF_ALGO_PAT;
            }
        } else if (algo == AIF_ALGO_PAT) {
            t = INFINITY;   /* PAT runs with one GPU per scale-up domain only */
            used = AIF_ALGO_PAT;
        }
        break;
    }
    case AIF_COLL_ALLTOALL:
    case AIF_COLL_DISPATCH: {
        /* point-to-point to every peer at once: limited by what must leave the domain */
        double t_out = multi ? bytes * (nn - m) / nn / b_nic : 0;
        double t_in = bytes * (k - 1) / nn / b_su;
        /* NCCL's own reaches the links' rate only at large buffers (the fabric's a2a_half,
         * fitted on nccl-tests all-to-all sweeps); a dispatch kernel from the first megabytes */
        if (coll == AIF_COLL_ALLTOALL && cl->scaleup.a2a_half_bytes > 0)
            t_in *= 1 + sqrt(cl->scaleup.a2a_half_bytes / bytes);
        double t_net = t_out > t_in ? t_out : t_in;
        /* NCCL runs it as n - 1 rounds of a send and a receive (src/init.cc, ncclP2pSchedule),
         * which lose what a ring's pass does (collective.h); a dispatch kernel sends to every
         * peer at once */
        if (coll == AIF_COLL_ALLTOALL)
            t_net *= pass_loss(f, nn - 1);
        t = t_net + nc->base_lat_us[1][AIF_PROTO_SIMPLE] * 1e-6 + (nn - 1) / k * a;
        break;
    }
    case AIF_COLL_SENDRECV:
        t = bytes / (multi ? b_nic : b_su) + nc->base_lat_us[1][AIF_PROTO_SIMPLE] * 1e-6 + a;
        break;
    case AIF_COLL_BROADCAST:
        /* pipelined chain (ring) or tree: every rank receives the buffer once */
        /* NCCL charges a broadcast's every step at the network's latency once it leaves a domain */
        if (algo == AIF_ALGO_TREE) {
            double st = ceil(log2(nn));
            t = best_proto(nc, su1, 1, 0, st, multi ? st : 0, bytes, bw) + st * extra;
            used = AIF_ALGO_TREE;
        } else {
            t = best_proto(nc, su1, 0, f, nn - 1, multi ? nn - 1 : 0, bytes, bw) + (nn - 1) * extra;
        }
        break;
    }
    if (chosen)
        *chosen = used;
    return t;
}

double aif_coll_dispatch_dedup(aif_group_shape g, int top_k, int max_nodes)
{
    int k = g.per_domain < 1 ? 1 : g.per_domain;
    double d = ceil((double)g.size / k);
    if (g.size <= 1 || top_k < 1)
        return 1;
    if (d <= 1)   /* one domain: once per rank that holds one of the token's experts */
        d = g.size, max_nodes = 0;
    double D = max_nodes > 0 && max_nodes < d ? max_nodes : d;
    double reached = D * (1 - pow(1 - 1 / D, top_k));   /* distinct domains a token reaches */
    double scale = reached / top_k;                     /* both sides carry the remote share (d-1)/d */
    return scale < 1 ? scale : 1;
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
    case AIF_COLL_ALLTOALL:
    case AIF_COLL_DISPATCH: return (nn - 1) / nn;
    case AIF_COLL_SENDRECV:
    case AIF_COLL_BROADCAST: return 1;
    }
    return 1;
}

/* ------------------------------------------------ which algorithm applies */

aif_rc aif_collective_algo_check(const aif_cluster *cl, aif_coll coll, int n, aif_coll_algo algo, aif_err *err)
{
#define NO(...) return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "collective.algo", __VA_ARGS__)
    if (algo == AIF_ALGO_TREE && n <= cl->scaleup_domain)
        NO("tree needs ranks in more than one scale-up domain (NCCL rings inside one)");
    if (algo == AIF_ALGO_NVLS && (coll != AIF_COLL_ALLREDUCE || n > cl->scaleup_domain || n <= 2 ||
                                  cl->scaleup.nvls_efficiency <= 0))
        NO("nvls does not apply here (NVLS: an all-reduce of 3 or more ranks inside one NVLink domain whose "
           "switches reduce, e.g. nvlink4, nvlink5)");
    if (algo == AIF_ALGO_COLLNET && (coll != AIF_COLL_ALLREDUCE || n <= cl->scaleup_domain ||
                                     !cl->fabric.in_network_reduction))
        NO("collnet does not apply here (CollNet: an all-reduce across scale-up domains on a fabric whose "
           "switches reduce, e.g. ib-ndr, ib-xdr)");
    if (algo == AIF_ALGO_PAT && ((coll != AIF_COLL_ALLGATHER && coll != AIF_COLL_REDUCESCATTER) ||
                                 cl->scaleup_domain != 1))
        NO("pat does not apply here (PAT: all-gather or reduce-scatter with one GPU per node)");
    if (algo == AIF_ALGO_TREE && coll != AIF_COLL_ALLREDUCE && coll != AIF_COLL_BROADCAST)
        NO("tree applies to allreduce and broadcast");
#undef NO
    return AIF_OK;
}
