/* csim_int.h (ops) -- the event loop's state, shared by src/ops/csim.c (events,
 * jobs, scheduling, failures, results) and src/ops/place.c (free GPUs per node and
 * group, placement).  Private to those two files.
 *
 * Invariants (checked by csim.c's checker): nfree[n] is node n's GPUs without an
 * owner (0 while drained); bucket k lists the up nodes with k free; seg is a max
 * tree over nfree; dom_full, leaf_full, pod_full count the fully free nodes of each
 * group; free_gpus and free_partial are the sums over all nodes and over partly
 * used ones. */
#ifndef AIF_OPS_CSIM_INT_H
#define AIF_OPS_CSIM_INT_H

#include "ops/csim.h"
#include "base/base.h"
#include "net/maxmin.h"

#include <stdbool.h>
#include <stdint.h>

enum { J_PENDING, J_WAIT, J_RUN, J_PAUSED, J_DONE };
enum { E_END, E_SETUP_DONE, E_FAIL, E_REPAIR, E_SPARE_BACK, E_STRAGGLE_END, E_DEMOTE, E_CURTAIL_ON, E_CURTAIL_OFF, E_HORIZON };
enum { N_CLASS_EV = AIF_N_FAIL + 1 };   /* failure classes + stragglers */

typedef struct sjob {
    double submit_s, dur_s;      /* nominal productive seconds */
    double first_start_s, end_s;
    double done_s;               /* productive seconds saved by checkpoints */
    double u0_s, t0_s, d_s;      /* regime: unsaved progress at start, start, setup */
    double slow, base_slow;      /* wall per productive second (placement x straggler x throttle), placement alone */
    double tau_s, w_s, read_s;   /* checkpoint interval (productive), write, read */
    double attained_gpu_s;       /* GPU-seconds held (LAS) */
    double held_since_s;
    double reserved_s;
    double ckpt_bytes;
    int gpus, state, first_gpu, version, tenant, priority, kind, las_queue, qgen;
    int leaves, pods;
    int g0, min_g, max_g;        /* elastic: the GPUs asked for (dur_s is at g0) and the bounds; gpus is the size now */
    int unit;                    /* elastic: its sizes are multiples of this (a training job's tp x pp x cp; else 1) */
    bool elastic;
    unsigned stamp;              /* the preemption decision that stopped it (pass_preempt) */
    double computing;            /* GPUs x share of the regime spent computing (0 during setup) */
} sjob;

typedef struct event { double t; uint64_t seq; int kind, a, b; } event;
/* A queue slot: the job, its policy key when it entered, and which of its entries
 * this is (job.qgen); a slot is live while the job waits and qgen matches. */
typedef struct qslot { double key; int job, gen; } qslot;

typedef struct sim {
    const aif_csim_in *in;
    const aif_ops *op;
    aif_csim_topo tp;
    aif_cluster_result *r;
    aif_err *err;
    int n_jobs;
    sjob *jobs;
    int *owner, *gnext;          /* per GPU: owning job (-1), next GPU of the same job (-1) */
    int *nfree;                  /* per node: free GPUs (0 when down) */
    unsigned char *down, *slowc; /* per node: drained; stragglers on it */
    int *bnext, *bprev, *bhead;  /* free-count buckets (nodes up) */
    int *seg, seg_n;             /* max segment tree over nfree */
    int *dom_full, *leaf_full, *pod_full;   /* fully free nodes per group */
    long free_gpus, free_partial;
    int busy_gpus;               /* held by running jobs */
    double comp_gpus;            /* of those, computing: sum of jobs' `computing` */
    event *heap;
    long n_ev, cap_ev;
    uint64_t seq;
    bool oom;                    /* growing the heap failed */
    qslot *queue;                /* waiting jobs in policy order (lazy: entries may be stale) */
    int n_q;
    int *scratch;                /* n_jobs */
    double *scratch_d;
    int *running, n_run;         /* running jobs */
    int *run_pos;
    int next_arrival;
    double now;
    int spares;
    bool curtail_on;
    int n_down;                  /* drained nodes */
    double next_preempt_s;       /* SRTF, LAS: the next pass that may preempt */
    double throttle;             /* wall factor while throttled (1: none) */
    /* backfill's cached reservation */
    int bf_head;
    double bf_T;
    long bf_E;
    bool bf_valid;
    /* accounting */
    double t_last, util_int, stall_int, queue_int, down_int, frag_int, frag_w;
    double series_t0;
    int n_waiting;
    long ended;
    uint64_t rng;
    double useful_gpu_s, held_gpu_s, lost_gpu_s, ckpt_gpu_s;
    int *node_jobs;              /* gpn: the distinct jobs on one node (jobs_on) */
    int *tenant_map;
    double *tenant_gpu_s;
    long *tenant_held;            /* GPUs held now by each tenant's running jobs (tenant_quota_gpus) */
    long *tenant_jobs;
    /* per tenant of the job list: its terms (operations.tenants, else the uniform quota) */
    int *tenant_quota;           /* 0: none */
    int *tenant_resv;            /* GPUs reserved for it */
    double *tenant_weight;       /* fair-share weight */
    long *tenant_peak;           /* most GPUs held at once */
    double *tenant_resv_int, *tenant_t_last;   /* integral of min(held, reserved) dt, its last update */
    long resv_unused;            /* sum over tenants of max(0, reserved - held), with reservations of tenants not in the list */
    long resv_orphan;
    long *tenant_adm;
    /* shared uplinks (docs/CLUSTER.md, "Jobs on shared links"): GPUs of running jobs
     * that span several leaf groups (pods) on each leaf group (pod); scratch tallies
     * of one job's GPUs per leaf and pod, zero between uses */
    bool links;                  /* the fabric oversubscribes (leaf_ratio or pod_ratio > 1) */
    long *leaf_x, *pod_x;
    int *leaf_own, *pod_own;
    int n_leaves, n_pods;
    /* the flow-level model of the same uplinks (net/maxmin.h; docs/CLUSTER.md): link l
     * < n_leaves is leaf group l's uplinks, n_leaves + p pod p's, capacities in GPUs'
     * worth of packed bandwidth; one flow per running job with a route over them, its
     * coefficient on a link its GPUs there, capped at rate 1 (its packed bandwidth).
     * NULL with in->links_closed_form or on a fabric that does not oversubscribe. */
    aif_mm *mm;
    int *job_flow;               /* n_jobs: the job's flow (-1: none) */
    int *flow_job;               /* n_jobs: the flow's job */
    double *job_share;           /* n_jobs: the job's share of its packed bandwidth (its flow's rate) */
    double *link_cap;            /* n_leaves + n_pods: the uplinks' capacities */
    double *link_load;           /* n_leaves + n_pods: the checker's recount of their load */
    int *route;                  /* n_leaves + n_pods: one job's links (scratch) */
    double *coef;                /* n_leaves + n_pods: its GPUs on each (scratch) */
    int n_elastic;               /* elastic jobs in the list (0: none of the resizing runs) */
    double *step_s;              /* kind train, elastic: the training model's step time at size (k+1) x unit,
                                    asked once (0: not yet, < 0: the job cannot run at that size) */
    int n_step;
    int *el_scratch;             /* n_jobs: running elastic jobs while they resize */
    unsigned pass_epoch;         /* preemption decisions taken (job.stamp) */
    int *requeue, n_requeue;     /* n_jobs: jobs preempted in a decision, queued together after it */
    bool defer_queue;            /* stop_job leaves the queue entry to the batch (pass_preempt) */
    long resv_total;             /* GPUs reserved, all tenants together */            /* scratch per tenant: GPUs admitted in a preemption decision */            /* reservations of tenants the job list does not name */
} sim;

/* place.c: free GPUs and placement */
/* Sets node n's free count, keeping every derived count (buckets, tree, groups). */
void csim_set_free(sim *s, int n, int k);
/* Adds node n to the bucket of its free count (initialisation). */
void csim_bucket_in(sim *s, int n);
/* GPUs of node n (the last node may hold fewer). */
int csim_node_gpus(const sim *s, int n);
/* The node a job of g <= gpus_per_node GPUs goes to under the placement, or -1. */
int csim_pick_node(const sim *s, int g);
/* Chooses nodes for job j and takes its GPUs; false (nothing taken) when it does not
 * fit now.  *took_full: nodes that were fully free. */
bool csim_place(sim *s, int j, int *took_full);
/* Gives back every GPU of job j. */
void csim_release(sim *s, int j);

#endif
