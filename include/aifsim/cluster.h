/* cluster.h -- the many-job cluster: jobs arrive, a scheduling policy picks, a
 * placement puts each on GPUs of the cluster's topology, they run, fail, restart
 * from checkpoints and end (aifsim cluster; docs/CLUSTER.md has the equations).
 *
 * The spec part (aif_ops: the scenario's `operations:` section and its name
 * tables) is plain data inside aif_scenario, so aifsim.h includes it alone
 * (AIFSIM_CLUSTER_SPEC_ONLY); the rest needs aifsim.h.
 *
 * Invariants of a run (checked after every event when aif_cluster_opts.check is
 * set): no GPU is held by two jobs; every job is waiting, running or ended; every
 * job ends at most once; the free-GPU counts per node, leaf and pod equal a
 * recount; time never runs backwards. */
#ifndef AIFSIM_CLUSTER_SPEC_H
#define AIFSIM_CLUSTER_SPEC_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Scheduling policies (aif_cluster_policy_names: fifo backfill fairshare sjf srtf las). */
typedef enum aif_cluster_policy {
    AIF_POLICY_FIFO,             /* submit order; the head blocks everything behind it */
    AIF_POLICY_BACKFILL,         /* priority order with EASY backfill (Slurm) */
    AIF_POLICY_FAIRSHARE,        /* the tenant with the fewest GPU-seconds first */
    AIF_POLICY_SJF,              /* shortest job first (its recorded duration) */
    AIF_POLICY_SRTF,             /* shortest remaining time first, preemptive */
    AIF_POLICY_LAS,              /* least attained service (Tiresias), preemptive, discretised queues */
    AIF_N_POLICY
} aif_cluster_policy;
/* Placements (aif_placement_names: packed spread firstfit most-allocated least-allocated). */
typedef enum aif_placement {
    AIF_PLACE_PACKED,            /* one scale-up domain, then one leaf, then one pod; best-fit node */
    AIF_PLACE_SPREAD,            /* across leaves; the emptiest node */
    AIF_PLACE_FIRSTFIT,          /* the lowest-numbered nodes that fit */
    AIF_PLACE_MOST_ALLOCATED,    /* Kubernetes MostAllocated: the fullest node that fits */
    AIF_PLACE_LEAST_ALLOCATED,   /* Kubernetes LeastAllocated: the emptiest node */
    AIF_N_PLACEMENT
} aif_placement;
/* Failure classes (aif_failure_class_names: gpu hbm nic network host software). */
typedef enum aif_failure_class {
    AIF_FAIL_GPU,                /* per GPU: the GPU, its SRAM, system processor, NVLink; node drained */
    AIF_FAIL_HBM,                /* per GPU: HBM; node drained */
    AIF_FAIL_NIC,                /* per NIC; node drained */
    AIF_FAIL_NETWORK,            /* per node: its switch port or cable; jobs restart in place */
    AIF_FAIL_HOST,               /* per node: CPU, memory, SSD, power supply, board; node drained */
    AIF_FAIL_SOFTWARE,           /* per node running a job: the job restarts in place */
    AIF_N_FAIL
} aif_failure_class;
/* Storage tiers (aif_storage_names: pfs nvme). */
typedef enum aif_storage { AIF_STORAGE_PFS, AIF_STORAGE_NVME } aif_storage;
/* Where the checkpoint bandwidth came from (aif_ckpt_bw_source_names: default tier storage_bw):
 * the operations default, the cluster's storage tier (cluster.storage), or storage_bw given. */
typedef enum aif_ckpt_bw_source { AIF_CKPT_BW_DEFAULT, AIF_CKPT_BW_TIER, AIF_CKPT_BW_GIVEN } aif_ckpt_bw_source;
/* Curtailment modes (aif_curtail_mode_names: pause throttle). */
typedef enum aif_curtail_mode { AIF_CURTAIL_PAUSE, AIF_CURTAIL_THROTTLE } aif_curtail_mode;

extern const char *const aif_cluster_policy_names[];
extern const char *const aif_placement_names[];
extern const char *const aif_failure_class_names[];
extern const char *const aif_storage_names[];
extern const char *const aif_ckpt_bw_source_names[];
extern const char *const aif_curtail_mode_names[];
extern const char *const aif_ops_load_names[];

#define AIF_OPS_TENANTS 16           /* tenants operations.tenants may name */

/* One tenant's terms (operations.tenants[i], the GPU-as-a-service case). */
typedef struct aif_ops_tenant {
    char name[32];               /* the tenant as the job list names it (trace vc or user, synthetic tenantK) */
    int quota_gpus;              /* GPUs it may hold at once; 0: operations.tenant_quota_gpus */
    int reserved_gpus;           /* GPUs held for it alone: no other tenant's job may use them */
    double share;                /* fair-share weight (1): usage is divided by it */
} aif_ops_tenant;

/* The scenario's `operations:` section (docs/SCENARIOS.md). */
typedef struct aif_ops {
    bool present;                /* the section was in the scenario */
    int load;                    /* what runs when the command line names no load: 0 the scenario's
                                    job alone, 1 the synthetic load (aif_ops_load_names: job synthetic) */
    int policy;                  /* aif_cluster_policy */
    int placement;               /* aif_placement */
    double horizon_s;            /* stop here (0: when the last job ends) */
    unsigned long long seed;     /* failures and the synthetic load */
    int queue_depth;             /* jobs a scheduling pass looks at (Slurm's default_queue_depth) */
    int tenant_quota_gpus;       /* GPUs one tenant may hold at once (Slurm's QOS GrpTRES=gres/gpu); 0: none */
    aif_ops_tenant tenants[AIF_OPS_TENANTS];   /* per-tenant quota, reservation, weight */
    int n_tenants;
    double las_threshold_s;      /* LAS: first queue limit in GPU-seconds; each next one x10 */
    int las_queues;              /* LAS: number of queues */
    double preempt_interval_s;   /* SRTF, LAS: preemption decided at most this often */
    double comm_share;           /* trace jobs: share of the step that is scale-out communication */
    /* elastic jobs (min_gpus < max_gpus): rate at g GPUs of a job asking g0 is g/g0 below g0,
       1 + efficiency (g/g0 - 1) above; a resize checkpoints and restarts after resize_s */
    double elastic_efficiency;   /* share of a GPU's work each GPU beyond the request adds (0.9) */
    double elastic_resize_s;     /* setup after a resize (60 s) */
    /* the scenario's training job (load: the scenario's job) elastic between these GPU
       counts (0: its own size; both multiples of tp x pp x cp); its rate at a size is the
       training model's step time there (aif_estimate with dp = gpus / (tp pp cp), the
       global batch kept), not the rule above */
    int elastic_min_gpus, elastic_max_gpus;
    /* failures */
    bool failures;               /* draw failures */
    double fail_per_day[AIF_N_FAIL];   /* per component and day (component: see aif_failure_class) */
    double repair_s[AIF_N_FAIL]; /* a drained node back in service after */
    double restart_s;            /* a job's restart after an interruption, before reading its checkpoint */
    int spare_nodes;             /* hot spares held back: a failed node of a running job is swapped at once */
    double straggler_per_day;    /* per GPU: a GPU running slow until detected */
    double straggler_slowdown;   /* a synchronous job on a straggler takes this much longer (1.5 = 50%) */
    double straggler_s;          /* how long until a straggler is found and drained */
    /* checkpoints and storage */
    double ckpt_interval_s;      /* 0: the Young/Daly interval of each job */
    double ckpt_bytes;           /* the default job's checkpoint (0: from the model: 14 bytes per parameter,
                                    10 with train.moments_dtype bf16) */
    double ckpt_bytes_per_gpu;   /* a trace job's checkpoint per GPU */
    int storage;                 /* aif_storage */
    double storage_bw_Bps;       /* shared storage's write bandwidth, shared by every job writing at once */
    double storage_read_bw_Bps;  /* its read bandwidth (a restart reads the checkpoint back) */
    double storage_lat_s;        /* added to each checkpoint write and read (the tier's access latency) */
    int storage_source;          /* aif_ckpt_bw_source: where storage_bw and storage_read_bw came from */
    double nvme_bw_Bps;          /* per node, local NVMe (storage nvme: uploaded asynchronously) */
    /* demand response: one curtailment window */
    double curtail_start_s, curtail_duration_s;
    double curtail_cap_W;        /* facility power cap during the window (0: none) */
    int curtail_mode;            /* aif_curtail_mode */
    /* the synthetic load (--format synthetic without a trace) */
    int synth_jobs;
    double synth_rate_per_h;
    int synth_max_gpus;
    double synth_size_skew, synth_duration_median_s, synth_duration_sigma;
    int synth_tenants;
    double synth_elastic_share;  /* share of generated jobs that are elastic: bounds gpus/2 .. 2 gpus (0) */
    /* a serving deployment from the scenario's serve: section (operations.serve) */
    bool serve_job;              /* the key was given */
    double serve_start_s, serve_duration_s;   /* when it runs (duration 0: the horizon, else a day) */
    int serve_replicas;          /* 0: the fewest meeting serve.slo at serve.qps (the capacity plan) */
    char serve_tenant[32];       /* its tenant ("serving") */
} aif_ops;

#ifdef __cplusplus
}
#endif
#endif /* AIFSIM_CLUSTER_SPEC_H */

#ifndef AIFSIM_CLUSTER_SPEC_ONLY
#ifndef AIFSIM_CLUSTER_H
#define AIFSIM_CLUSTER_H

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AIF_CLUSTER_SERIES 256       /* points of the over-time series */
#define AIF_CLUSTER_TENANTS 16       /* tenants listed (the rest summed in the last) */
#define AIF_CLUSTER_SLIPPED 16       /* slipped jobs listed, largest slip first */

typedef struct aif_cluster_tenant {
    char name[32];
    double gpu_hours, share;     /* GPU-hours held, share of all held */
    int quota_gpus, reserved_gpus;   /* its terms (0: none) */
    int peak_gpus;               /* most GPUs it held at once */
    double reserved_use;         /* GPU-hours held within its reservation / reserved GPU-hours (0: none reserved) */
    double energy_J, cost_usd;   /* filled by aif_run_cluster */
    long jobs;
} aif_cluster_tenant;

typedef struct aif_cluster_slip { int job; char name[32]; double slip_s; } aif_cluster_slip;

typedef struct aif_cluster_result {
    int gpus, nodes, gpus_per_node, nodes_per_leaf, nodes_per_pod, leaves, pods;
    long jobs, jobs_ended, jobs_unfinished;
    double jct_mean_s, jct_p50_s, jct_p99_s;
    double queue_wait_mean_s;
    double gpu_utilization;      /* GPU-seconds held / (GPUs x makespan) */
    double makespan_s;           /* first submission to the last end (or the horizon) */
    double fragmentation;        /* time-average share of free GPUs on partly used nodes */
    long interruptions, by_cause[AIF_N_FAIL];   /* job interruptions (a failure stopping k jobs counts k) */
    long failures, failures_by_cause[AIF_N_FAIL];   /* component failures drawn */
    long preemptions, requeues, spare_swaps;
    long elastic_jobs, resizes;  /* jobs with min_gpus < max_gpus; their grows and shrinks */
    double ettr;                 /* productive time / time from first start to end, GPU-weighted */
    double goodput;              /* productive GPU-seconds / held GPU-seconds */
    double lost_gpu_hours;       /* work lost since the last checkpoint, restarts and checkpoint reads */
    double ckpt_gpu_hours;       /* GPU-hours spent writing checkpoints */
    double gpu_hours;            /* held */
    /* the default job's checkpointing (or the largest job's) */
    double ckpt_bytes, ckpt_write_s, ckpt_interval_s, young_daly_s, mtbf_s;
    /* placement */
    double slowdown_mean;        /* GPU-weighted mean step-time factor of placement */
    long multi_leaf_jobs, multi_pod_jobs;
    /* over time: bucket i covers [i dt, (i+1) dt) */
    int n_series;
    double series_dt_s;
    double util[AIF_CLUSTER_SERIES];       /* share of GPUs held by running jobs */
    double stalled[AIF_CLUSTER_SERIES];    /* share of GPUs held but not computing (restart, checkpoint) */
    double computing[AIF_CLUSTER_SERIES];  /* share of GPUs computing: util - stalled (aif_run_cluster) */
    double queue[AIF_CLUSTER_SERIES];      /* mean jobs waiting */
    double down[AIF_CLUSTER_SERIES];       /* share of GPUs drained */
    double power_W[AIF_CLUSTER_SERIES];    /* facility power (aif_run_cluster) */
    /* JCT distribution: deciles p0..p100 */
    double jct_decile_s[11];
    /* curtailment */
    long slipped_jobs;
    double slip_total_s, slip_max_s;
    aif_cluster_slip slipped[AIF_CLUSTER_SLIPPED];
    int n_slipped;
    /* tenants */
    aif_cluster_tenant tenants[AIF_CLUSTER_TENANTS];
    int n_tenants;
    /* the serving deployment (operations.serve; serve_gpus 0: none) */
    int serve_replicas, serve_gpus;
    double serve_gpu_W;          /* its facility power per GPU over the serving run (aif_run_serve) */
    double energy_J, cost_usd, power_mean_W, power_peak_W;
} aif_cluster_result;

/* Trace formats, in aif_cluster_opts.format's order: philly helios pai acme synthetic
 * (the readers' table, src/ops/jobs.h). */
extern const char *const aif_trace_format_names[];

/* The load of a cluster run: where its jobs come from. */
typedef enum aif_cluster_load { AIF_LOAD_DEFAULT_JOB, AIF_LOAD_TRACE, AIF_LOAD_SYNTHETIC } aif_cluster_load;

typedef struct aif_cluster_opts {
    int load;                    /* aif_cluster_load */
    const char *trace;           /* AIF_LOAD_TRACE: the file */
    int format;                  /* its format (aif_trace_format of src/ops/jobs.h) */
    long max_jobs;               /* 0: all */
    bool check;                  /* run the invariant checker after every event (tests) */
    void (*progress)(double done, void *ctx);
    void *progress_ctx;
} aif_cluster_opts;

typedef struct aif_cluster_run {
    aif_scenario scenario;       /* as run */
    int load;                    /* aif_cluster_load */
    char source[256];            /* the trace file, "synthetic" or the default job */
    long skipped;                /* trace rows the format marks as not a run */
    aif_cluster_result r;
} aif_cluster_run;

/* Runs the cluster: the jobs (the scenario's training job alone, a trace, or the
 * synthetic load), the event loop, then the facility's power over time, energy
 * and money per tenant (src/pipeline/run_cluster.c).  s needs every section of a
 * training job and `operations`.  out owns nothing. */
aif_rc aif_run_cluster(const aif_catalog *c, const aif_scenario *s, const aif_cluster_opts *o, aif_cluster_run *out,
                       aif_err *err);
/* The `operations` section's defaults (docs/SCENARIOS.md). */
void aif_ops_defaults(aif_ops *o);

#ifdef __cplusplus
}
#endif
#endif /* AIFSIM_CLUSTER_H */
#endif /* AIFSIM_CLUSTER_SPEC_ONLY */
