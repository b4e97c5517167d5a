/* netsim.h -- the cluster's network as a simulation object that engines share:
 * the topology of the whole cluster (net/topology.h), the link patterns of the
 * collectives put on it (net/coflow.h), the max-min solver that shares the links
 * among them (net/maxmin.h), and the coflows in flight, on one event queue owned
 * by the driver.  The training simulator drives it today; a serving or many-job
 * cluster simulator drives it the same way, each job through its allocation.
 *
 * Placement.  Jobs name GPUs by rank 0 .. n-1 of their allocation (aif_alloc,
 * include/aifsim/aifsim.h); rank r of a job whose allocation starts at node f
 * sits on GPU f * gpus_per_node + r of the cluster.  Patterns are built in
 * ranks and routed on the GPUs they map to.
 *
 * Use:
 *   1. aif_netsim_new on the cluster and the driver's event queue;
 *   2. build every pattern the run needs: aif_netsim_group / aif_netsim_transfer
 *      accumulate flows, aif_netsim_store keeps them under the driver's key
 *      (unique across the jobs that share the network);
 *   3. aif_netsim_seal merges interchangeable links into solver links (or not);
 *   4. aif_netsim_start puts a collective on the network now: it waits out its
 *      latency, then runs as one solver flow at the max-min rate; on completion
 *      the driver's callback gets the owner it passed;
 *   5. the driver hands the network's events (kinds >= AIF_NETSIM_EV_FIRST) to
 *      aif_netsim_on_event and calls aif_netsim_settle before each pop, which
 *      re-solves the rates once all events at the current time are done.
 *
 * Time of a collective = latency + network time.  The uncontended network time
 * S / B_ideal uses only the links at the GPUs; the latency is the closed form's
 * time minus that, so on an idle network a coflow takes the closed form's time
 * and everything else (switch tiers, oversubscription, ECMP collisions, failed
 * links, host staging, other coflows) shows as a longer network phase.  A
 * coflow progresses at one rate (a ring runs in lock step), capped at its
 * uncontended rate and sharing bottlenecks in proportion to it; parts that do
 * not wait for each other (the sends of different replicas) can be stored as
 * patterns of their own and started as coflows of their own. */
#ifndef AIF_NETSIM_H
#define AIF_NETSIM_H

#include "aifsim/sim.h"
#include "engine/events.h"
#include "net/coflow.h"
#include "net/maxmin.h"
#include "net/topology.h"

#include <stdbool.h>

/* Event kinds of the network on the shared queue; drivers use kinds below. */
enum { AIF_NETSIM_EV_FIRST = 64, AIF_NETSIM_EV_START = AIF_NETSIM_EV_FIRST, AIF_NETSIM_EV_DONE };

/* Why the network stopped (sticky). */
typedef enum aif_netsim_fail {
    AIF_NETSIM_OK,
    AIF_NETSIM_NOMEM,          /* out of memory */
    AIF_NETSIM_PARTITIONED,    /* a transfer has no live path */
    AIF_NETSIM_OFF_NETWORK     /* a route left the network: a bug */
} aif_netsim_fail;

/* Called when a coflow has crossed the network, with the owner given to aif_netsim_start. */
typedef void (*aif_netsim_done_fn)(void *ctx, int owner);

typedef struct aif_netsim aif_netsim;

/* The network of cluster cl (whole cluster), on queue q (not owned). */
aif_rc aif_netsim_new(const aif_cluster *cl, aif_evq *q, aif_netsim_done_fn done, void *ctx, aif_netsim **out,
                      aif_err *err);
void aif_netsim_free(aif_netsim *n);
aif_netsim_fail aif_netsim_failed(const aif_netsim *n);

/* --- patterns (before aif_netsim_seal; later ones still work, but are counted late) */
/* Scale-up domain of a job's GPU (its rank in the default order), and whether domains are tori (routes cross other chips). */
long aif_netsim_domain_of(const aif_netsim *n, const aif_alloc *a, long rank);
bool aif_netsim_torus(const aif_netsim *n);
/* The pattern stored under key, or -1. */
int aif_netsim_find(const aif_netsim *n, long key);
/* Adds the flows of collective coll (algorithm algo) on the job's GPUs base + i * stride, i < size,
 * or, where members is given, members[i] (workload/ranks.h: a rank order's GPUs). */
void aif_netsim_group(aif_netsim *n, const aif_alloc *a, aif_coll coll, aif_coll_algo algo, long base, long stride,
                      const long *members, int size, uint64_t salt);
/* Adds one transfer between two of the job's GPUs, coef bytes per message byte. */
void aif_netsim_transfer(aif_netsim *n, const aif_alloc *a, long from, long to, uint64_t salt, double coef);
/* Adaptive routing: patterns built from now on share the load of `group` (net/coflow.h; -1: each alone). */
void aif_netsim_load_group(aif_netsim *n, long group);
/* Tags of independent parts of a pattern (net/coflow.h): the flows added from now on belong
 * to `tag`; the lock-step seconds per message byte of each tag's own flows; the pattern stored
 * as n_class patterns (keys[k]: the tags t with class_of[t] == k; returns the first, the
 * others follow), or dropped. */
void aif_netsim_tag(aif_netsim *n, int tag);
void aif_netsim_tag_times(aif_netsim *n, int n_tags, double *t);
int aif_netsim_store_split(aif_netsim *n, const long *keys, int n_class, const int *class_of);
void aif_netsim_discard(aif_netsim *n);
/* Stores what was added since the last store under key; copies: groups each included one stands for. */
int aif_netsim_store(aif_netsim *n, long key, double copies);
/* Makes the solver's links: interchangeable links merged into classes (merge), or one per link. */
void aif_netsim_seal(aif_netsim *n, bool merge);

/* --- coflows */
/* Puts `bytes` of pattern p on the network now; t_closed_s is the closed form's
 * time of the collective (it gives the latency).  Returns 0, or -1 (see failed). */
int aif_netsim_start(aif_netsim *n, int p, double bytes, double t_closed_s, int owner);
void aif_netsim_on_event(aif_netsim *n, const aif_event *e);
void aif_netsim_settle(aif_netsim *n);

/* --- what the network did over [0, span_s]: the network fields of st
 * (topology, coflows, solver work, tier bytes and utilisation, host cores,
 * stretch); timelines and events are the driver's. */
void aif_netsim_stats(const aif_netsim *n, double span_s, aif_sim_stats *st);

#endif
