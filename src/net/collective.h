/* collective.h -- closed-form time of NCCL collectives on a two-level network:
 * a scale-up domain (NVLink/NVSwitch or equivalent) and a scale-out fabric of
 * NICs.  For a group of n ranks of which k share each scale-up domain:
 *   bus bandwidth  B = e_su * B_su                          (one domain; a torus, ICI or
 *                      NeuronLink, of D dims: e_su * B_su / D for k under the chips the job's
 *                      torus holds, a ring over 2 of a chip's 2 D links)
 *                  B = min(e_su * B_su, k * e_net * B_nic)  (several domains: the
 *                      ring leaves each domain through the k ranks' NICs)
 *   ring, tree:    t = min over protocols p of
 *                      base_p + steps * step_p + bus_bytes / (B * share_p) [x (1 + f / steps) for a
 *                      ring]  [+ fabric latency per step]
 *                  f NCCL's ring pass loss (data/nccl.yaml ring_pass_loss_steps, 0.51 steps): a ring
 *                  runs its buffer as passes of `steps` chunk steps, and each pass loses about half
 *                  a step's bandwidth whatever n is, so a ring of 2 GPUs (one step for all-gather)
 *                  carries 1/1.51 of the fabric's raw ring rate e_su B_su and one of 8 (7 steps)
 *                  7/7.51 of it (fitted on nccl-tests ratios between group sizes on one node,
 *                  scripts/fit_ring_pass.py; the NVLink fabrics' efficiencies are the raw ring's)
 *                  a ring across d domains pays the network's step latency (and the fabric's
 *                  own) on the steps that leave a domain, NCCL's nInterSteps: 2 (d-1) for
 *                  all-reduce, d-1 for all-gather and reduce-scatter; its other steps NVLink's,
 *                  raised to the network proxy's overhead per step (max(step_p, overhead_p),
 *                  NCCL's getNetOverhead); a broadcast pays the network's on every step
 *                  NCCL's tuning model (src/graph/tuning.cc): LL, LL128, Simple with their
 *                  base and per-step latencies on NVLink and the network, LL carrying half
 *                  the bandwidth and LL128 120/128 of it (the figures: data/nccl.yaml, in
 *                  the cluster as aif_cluster.nccl)
 *     all-reduce     ring: bus_bytes = 2 (n-1)/n S, steps 2 (n-1); across domains also the
 *                    hierarchical form NCCL's Tree and NVLS-Tree take: reduce-scatter of S in
 *                    each domain (NVLink), all-reduce of S/k across the d domains on each GPU's
 *                    NIC share (2 (d-1)/d S/k, 2 log2 d steps), all-gather in the domain;
 *                    the phases are pipelined over chunks: t = max(2 t_domain, t_across)
 *     NVLS all-reduce (one domain, in-switch reduction; only on fabrics whose switches
 *                    reduce, nvls_efficiency > 0): t_nvls + t_bw + fill_nvls(2 (n-1), t_bw),
 *                    t_bw = bus_bytes / (e_nvls B_port), e_nvls the system's NVLS ceiling; a
 *                    candidate from the fabric's nvls_min_ranks GPUs (NCCL's tuner credits NVLS
 *                    one channel per GPU of the group and rates the ring faster below: Hopper 5,
 *                    Blackwell 7), the faster of it and the ring as timed here for algo auto
 *                    (near a tie the pick may alternate with the size; the time does not
 *                    jump), asked for (algo nvls) from 3
 *     all-gather, reduce-scatter  bus_bytes = (n-1)/n S, steps n - 1
 *     broadcast      bus_bytes = S, steps n - 1 (chain) or log2(n) (tree)
 *   all-to-all     t = max(S (n-k)/n / (e_net B_nic), S (k-1)/n / (e_su B_su) x ramp) x rounds
 *                      + base + (n-1)/k a,
 *                  rounds = 1 + f / (n-1) for NCCL's all-to-all (n - 1 rounds of a send and a
 *                  receive, src/init.cc ncclP2pSchedule, each losing as a ring's pass), 1 for a
 *                  dispatch kernel, which sends to every peer at once;
 *                  ramp = 1 + sqrt(h / S) for NCCL's all-to-all, h the scale-up fabric's a2a_half
 *                  (NCCL reaches the links' rate only at large buffers; fitted per NVLink
 *                  generation on nccl-tests alltoall_perf sweeps, scripts/fit_alltoall.py),
 *                  1 for a dispatch kernel (AIF_COLL_DISPATCH: DeepEP, HybridEP)
 *   send/recv      t = S / B_link + base + a
 * S is the message size as nccl-tests counts it (the full buffer per rank);
 * B_nic is a GPU's share of its node's NICs; a is the fabric's latency per step;
 * e_* the fabrics' efficiencies (data/fabrics.yaml).
 * Medium sizes: on a scale-up fabric every phase adds NCCL's pipeline fill
 *   fill(steps, t_bw) = x T / (x + T),  x = chunk_ramp t_bw,  T = steps step_fill
 * (each step waits on its peers once per chunk; NCCL cuts chunks for smaller messages,
 * src/enqueue.cc calcCollChunking, so the loss grows as chunk_ramp t_bw until chunks are
 * full and is then the pipeline's fill, steps x step_fill), and NVLS its own, fill_nvls,
 * with the fabric's nvls_chunk_ramp and nvls_step_fill (the rings' where it gives neither).
 * The constants are per NVLink generation (data/fabrics.yaml), fitted on nccl-tests sweeps
 * from 1 MB up and checked on a held-out system (docs/VALIDATION.md; Hopper's rings none,
 * scripts/fit_ring_fill.py); a phase on the network (a ring across
 * domains, the inter-domain tree) pays no fill, NCCL's step latencies alone.  LL's bandwidth is
 * capped at the fabric's ll_max_bw on one domain (NCCL's llMaxBws).
 * Partly filled domains: the ranks fill domains k at a time, so when k does not divide
 * n the last domain holds only r = n mod k of them (9 GPUs on 8-GPU nodes: 8 + 1).  The
 * k channels (rings, tree chunks) leaving every domain leave it through those r NICs, at
 * most ceil(k/r) on one, so the inter-domain terms run at m = k / ceil(k/r) NIC shares
 * in place of k (ring: B = min(e_su B_su, m e_net B_nic); tree and CollNet: S/m on each
 * NIC share; all-to-all: S (n-m)/n per NIC share).  With k dividing n (full domains)
 * m = k and nothing changes.  Checked against the flows on the network (test_sim).  Busbw factors: nccl-tests
 * PERFORMANCE.md (Jeaugey, NVIDIA). */
#ifndef AIF_COLLECTIVE_H
#define AIF_COLLECTIVE_H

#include "aifsim/graph.h"

double aif_coll_time(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes);
/* A MoE dispatch deduplicated per destination domain (DeepEP's internode kernels,
 * github:deepseek-ai/DeepEP; DeepSeek-V3 report arXiv:2412.19437 sec. 3.2.2): a token crosses
 * the scale-out fabric once per remote domain that holds one of its top_k experts, then fans
 * out over the scale-up fabric.  With the group g over d = ceil(n/k) domains, experts spread
 * evenly and routing limited to at most max_nodes domains (0: none), a token reaches
 *   D (1 - (1 - 1/D)^top_k) domains,  D = min(max_nodes, d),
 * of which (d-1)/d are remote, where an all-to-all of every copy sends top_k (d-1)/d off its
 * domain.  Returns the ratio of the two (<= 1), by which the all-to-all's size shrinks so
 * that its scale-out term carries the deduplicated bytes.  The scale-up term shrinks with it
 * (the fan-out over NVLink is not charged: it is smaller than the scale-out term wherever
 * this applies, a NIC share being well below NVLink's rate).  Inside one domain the kernels
 * send a token once to each rank that holds one of its experts (DeepEP's intranode dispatch,
 * is_token_in_rank; HybridEP alike), n (1 - (1 - 1/n)^top_k) ranks of the group's n, where
 * an all-to-all of every copy sends top_k: the ratio of those two. */
double aif_coll_dispatch_dedup(aif_group_shape g, int top_k, int max_nodes);
double aif_coll_time_algo(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes, aif_coll_algo algo,
                          aif_coll_algo *chosen);

#endif
