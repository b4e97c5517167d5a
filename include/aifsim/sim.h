/* sim.h -- the simulating engine: the step graph run on a discrete-event kernel
 * and a flow-level network (docs/NETWORK.md).  Same scenario and result as the
 * analytical engine (aif_estimate), plus what only simulation sees: contention
 * between collectives on the links they share, ECMP collisions, oversubscribed
 * and failed links, and staged (non-GPUDirect) transfers. */
#ifndef AIFSIM_SIM_H
#define AIFSIM_SIM_H

#include "aifsim/graph.h"
#include "aifsim/network.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A recording of a simulated step for timeline viewers (Chrome trace events,
 * Perfetto): rows (tracks) and the slices drawn on them.  The simulator records;
 * aif_trace_write (include/aifsim/report.h) writes the file.  A track with tid -1
 * names a process (one per timeline), the others its threads (tid 0 compute,
 * 1 + aif_group the group's communicator stream).  Slices are in recording order. */
typedef struct aif_trace_track {
    int pid, tid;
    char name[48];
} aif_trace_track;
typedef struct aif_trace_slice {
    const char *name, *cat;      /* static strings: the op's name; "compute" or the group's name */
    int pid, tid;
    double t0_s, t1_s;
} aif_trace_slice;
typedef struct aif_trace {
    aif_trace_track *tracks;
    long n_tracks, cap_tracks;
    aif_trace_slice *slices;
    long n_slices, cap_slices;
} aif_trace;
/* Frees what a trace holds and empties it (a zeroed trace is empty). */
void aif_trace_free(aif_trace *t);

typedef struct aif_sim_opts {
    bool full;                   /* every data-parallel replica as its own timeline (default: one per stage) */
    aif_trace *trace;            /* record the step here (NULL: none); emptied first, filled on success */
    bool no_link_classes;        /* one solver link per physical link (slow; to check the exact merging) */
    /* called now and then with the share of the step simulated (may be NULL) */
    void (*progress)(double done, void *ctx);
    void *progress_ctx;
} aif_sim_opts;

typedef struct aif_sim_stats {
    aif_topo_summary topo;
    long timelines;              /* simulated ranks (a timeline stands for the identical GPUs it represents) */
    long events;                 /* events processed */
    long coflows;                /* collectives and transfers put on the network */
    long flow_updates;           /* coflow rates recomputed by the max-min solver */
    long patterns;               /* distinct link patterns routed (cached across microbatches) */
    long solver_links;           /* link classes the max-min solver works on */
    long late_patterns;          /* patterns routed after the classes were made (0 expected) */
    double tier_util_mean[AIF_N_TIER];  /* bytes carried / (capacity x step time), all links of the tier */
    double tier_util_max[AIF_N_TIER];   /* the busiest link of the tier */
    double tier_bytes[AIF_N_TIER];
    double host_cores_per_node;  /* TCP fabrics: host cores busy in the network stack, averaged over the step */
    double comm_stretch;         /* network time of collectives: simulated / uncontended (1 = no contention) */
} aif_sim_stats;

/* Simulates one training step of s.  r gets the same fields aif_estimate fills;
 * st (may be NULL) what the network did. */
aif_rc aif_simulate(const aif_scenario *s, const aif_sim_opts *o, aif_train_result *r, aif_sim_stats *st,
                    aif_err *err);

/* One collective on GPUs [0, n) of an otherwise idle cluster network (src/engine/collsim.c): the closed
 * form's time, with its network phase at the rate the collective's own flows get on
 * the topology (oversubscription, ECMP collisions among its flows, failed links).
 * Build once per cluster, ask for many sizes; INFINITY where the algorithm does not
 * apply, NAN where no path exists (the network is partitioned). */
typedef struct aif_coll_sim aif_coll_sim;
aif_rc aif_coll_sim_new(const aif_cluster *cl, aif_coll_sim **out, aif_err *err);
double aif_coll_sim_time(aif_coll_sim *c, aif_coll coll, int n, double bytes, aif_coll_algo algo,
                         aif_coll_algo *used);
void aif_coll_sim_free(aif_coll_sim *c);

#ifdef __cplusplus
}
#endif
#endif
