/* collective.h -- closed-form time of NCCL collectives on a two-level network:
 * a scale-up domain (NVLink/NVSwitch or equivalent) and a scale-out fabric of
 * NICs.  For a group of n ranks of which k share each scale-up domain:
 *   bus bandwidth  B = e_su * B_su                          (one domain)
 *                  B = min(e_su * B_su, k * e_net * B_nic)  (several domains: the
 *                      ring leaves each domain through the k ranks' NICs)
 *   ring all-reduce      t = 2 (n-1)/n * S / B + 2 (n-1) a
 *   tree all-reduce      t = 2 (n-1)/n * S / B + 2 log2(n) a   (across domains only)
 *   NVLS all-reduce      t = 2 (n-1)/n * S / (e_nvls B_port) + 2 a   (one domain, n > 2,
 *                        a fabric with in-switch reduction; NCCL picks the fastest)
 *   all-gather, reduce-scatter  t = (n-1)/n * S / B + (n-1) a
 *   all-to-all           t = max(S (n-k)/n / (e_net B_nic), S (k-1)/n / (e_su B_su)) + (n-1)/k a
 *   send/recv            t = S / B_link + a
 *   broadcast            t = S / B + (n-1) a   (pipelined chain; tree: log2(n) a)
 * S is the message size as nccl-tests counts it (the full buffer per rank);
 * B_nic is a GPU's share of its node's NICs; a is the fabric's latency per step;
 * e_* the fabrics' efficiencies (data/fabrics.yaml).  Busbw factors: nccl-tests
 * PERFORMANCE.md (Jeaugey, NVIDIA). */
#ifndef AIF_COLLECTIVE_H
#define AIF_COLLECTIVE_H

#include "aifsim/graph.h"

double aif_coll_time(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes);
double aif_coll_time_algo(const aif_cluster *cl, aif_coll coll, aif_group_shape g, double bytes, aif_coll_algo algo,
                          aif_coll_algo *chosen);

#endif
