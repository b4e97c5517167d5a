/* csim.h (ops) -- the many-job cluster's event loop (src/ops/csim.c): the private
 * interface the pipeline (src/pipeline/run_cluster.c) and tests/test_cluster.c call.
 *
 * Inputs are plain numbers a higher layer computed (the facility's watts per
 * computing GPU for a curtailment, the training model's communication share and
 * checkpoint size), so nothing here reaches up a layer. */
#ifndef AIF_OPS_CSIM_H
#define AIF_OPS_CSIM_H

#include "aifsim/cluster.h"
#include "ops/jobs.h"

/* The cluster as the scheduler sees it: nodes of gpn GPUs, numbered so that a
 * scale-up domain, a leaf group and a pod are each a contiguous range of nodes. */
typedef struct aif_csim_topo {
    int gpus, gpn, nodes, nics_per_node;
    int domain_nodes;            /* nodes per scale-up domain (>= 1) */
    int leaf_nodes;              /* nodes under one leaf group (a multiple of domain_nodes) */
    int pod_nodes;               /* nodes under one pod (a multiple of leaf_nodes; = nodes with 2 tiers) */
    double leaf_ratio;           /* scale-out bandwidth packed / across leaves (leaf oversubscription) */
    double pod_ratio;            /* packed / across pods (overall oversubscription) */
} aif_csim_topo;

/* From the cluster's network (aif_topo_summarize; docs/CLUSTER.md says how). */
aif_rc aif_csim_topo_from(const aif_cluster *cl, aif_csim_topo *t, aif_err *err);

typedef struct aif_csim_in {
    const aif_ops *ops;
    aif_csim_topo topo;
    const aif_job_list *jobs;
    double train_comm_share;     /* kind train: exposed communication share of the step (the training model) */
    double train_ckpt_bytes;     /* kind train: its checkpoint (model and optimizer state) */
    double idle_W, busy_gpu_W;   /* facility W with every GPU idle; extra W per computing GPU (curtailment) */
    double serve_power_ratio;    /* kind serve: its extra W per GPU over busy_gpu_W (serving model; 0: as training) */
    bool check;                  /* the invariant checker after every event */
    bool reference;              /* srtf, las: decide preemption by the slow reference (sorting every
                                    waiting and running job), to test the fast path against */
    bool links_closed_form;      /* share oversubscribed uplinks by the closed form (equal per GPU, the
                                    smallest share over a job's leaves and pods) instead of the flow-level
                                    max-min solver: the check tests compare the solver with */
    /* kind train, elastic: the training model's step time (s) at g GPUs, <= 0 where the
     * job cannot run at g (its layout does not divide it); NULL: the linear rule
     * (operations.elastic.efficiency).  Asked once per size (cached). */
    double (*train_step_s)(int gpus, void *ctx);
    void *train_step_ctx;
    int train_unit_gpus;         /* kind train, elastic: its sizes are multiples of this (tp x pp x cp; 0: 1) */
    void (*progress)(double done, void *ctx);
    void *progress_ctx;
    double *start_s, *end_s;     /* per job (may be NULL): first start, end (-1: never) */
    double *reserved_s;          /* per job (may be NULL): backfill reservation when first head (-1: none) */
} aif_csim_in;

/* Runs the event loop; fills every field of r except the facility's (power_W,
 * energy, cost).  AIF_EINPUT when a job needs more GPUs than the cluster has
 * (naming it), AIF_ENOMEM, AIF_EINTERNAL when the checker finds a broken invariant. */
aif_rc aif_csim_run(const aif_csim_in *in, aif_cluster_result *r, aif_err *err);

#endif
