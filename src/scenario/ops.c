/* ops.c -- the scenario's `operations:` section into aif_ops (include/aifsim/cluster.h):
 * what `aifsim cluster` runs (docs/SCENARIOS.md, docs/CLUSTER.md).
 *
 *   operations: {load: job|synthetic, policy, placement, horizon, seed, queue_depth, tenant_quota_gpus,
 *                preempt_interval, comm_share,
 *     tenants: [{name, quota_gpus, reserved_gpus, share}],
 *     las: {threshold, queues},
 *     failures: {enabled, restart, spare_nodes,
 *                gpu|hbm|nic|network|host|software: {per_day, repair},
 *                straggler: {per_day, slowdown, detect}},
 *     checkpoint: {interval, bytes, bytes_per_gpu, storage: pfs|nvme, storage_bw, nvme_bw},
 *     curtailment: {start, duration, cap, mode: pause|throttle},
 *     elastic: {efficiency, resize, min_gpus, max_gpus},
 *     serve: {start, duration, replicas, tenant},
 *     synthetic: {jobs, rate_per_h, max_gpus, size_skew, duration_median, duration_sigma, tenants, elastic}}
 *
 * The failure rates' defaults come from data/failures.yaml (the Llama 3 paper's
 * Table 5), read from the embedded copy: rate = count / (components x days).
 * The checkpoints' storage defaults to the cluster's storage tier (cluster.storage) when
 * one is named and storage_bw is not given (checkpoint_storage; storage_source says which).
 * Invariants after a successful bind: rates >= 0, repair times >= 0, bandwidths
 * > 0, queue_depth >= 1, las_queues >= 1, straggler slowdown >= 1; tenants named
 * once each, reserved_gpus <= quota_gpus where both are set, share > 0. */
#include "scenario/ops.h"
#include "scenario/catalog.h"
#include "base/base.h"

#include <math.h>
#include <string.h>

const char *const aif_cluster_policy_names[] = {"fifo", "backfill", "fairshare", "sjf", "srtf", "las", NULL};
const char *const aif_placement_names[] = {"packed", "spread", "firstfit", "most-allocated", "least-allocated",
                                           NULL};
const char *const aif_failure_class_names[] = {"gpu", "hbm", "nic", "network", "host", "software", NULL};
const char *const aif_storage_names[] = {"pfs", "nvme", NULL};
const char *const aif_ckpt_bw_source_names[] = {"default", "tier", "storage_bw", NULL};
const char *const aif_curtail_mode_names[] = {"pause", "throttle", NULL};
const char *const aif_ops_load_names[] = {"job", "synthetic", NULL};

typedef struct fclass { double count, repair_s; int per; double per_day; } fclass;
static const char *const per_names[] = {"gpu", "nic", "node", NULL};
static const field fclass_fields[] = {
    {.key = "count", .type = F_NUM, .off = offsetof(fclass, count), .min = 0, .max = 1e9},
    {.key = "per", .type = F_ENUM, .off = offsetof(fclass, per), .names = per_names},
    {.key = "repair", .type = F_QTY, .off = offsetof(fclass, repair_s), .qty = AIF_Q_TIME, .max = 1e9},
    {.key = "per_day", .type = F_NUM, .off = offsetof(fclass, per_day), .min = 0, .max = 1e6},
};
static const schema fclass_schema = {fclass_fields, sizeof fclass_fields / sizeof fclass_fields[0], NULL};

typedef struct fdata { double days, gpus, nodes, nics_per_node, unexpected, planned; } fdata;
static const field fdata_fields[] = {
    {.key = "days", .type = F_NUM, .off = offsetof(fdata, days), .min = 1e-9, .max = 1e6},
    {.key = "gpus", .type = F_NUM, .off = offsetof(fdata, gpus), .min = 1, .max = 1e9},
    {.key = "nodes", .type = F_NUM, .off = offsetof(fdata, nodes), .min = 1, .max = 1e9},
    {.key = "nics_per_node", .type = F_NUM, .off = offsetof(fdata, nics_per_node), .min = 1, .max = 1e3},
    {.key = "unexpected", .type = F_NUM, .off = offsetof(fdata, unexpected), .min = 0, .max = 1e9},
    {.key = "planned", .type = F_NUM, .off = offsetof(fdata, planned), .min = 0, .max = 1e9},
};
static const char *const fdata_skip[] = {"source", "classes", NULL};
static const schema fdata_schema = {fdata_fields, sizeof fdata_fields / sizeof fdata_fields[0], fdata_skip};

/* The default rates and repair times from data/failures.yaml; AIF_OK or the loader's error. */
static aif_rc failure_defaults(aif_ops *o, aif_err *err)
{
    size_t len;
    const char *text = aif_embedded_file("data/failures.yaml", &len);
    if (!text)
        return aif_err_set(err, AIF_EINTERNAL, "data/failures.yaml", 0, 0, "", "not built into the library");
    ydoc *d;
    ynode *root;
    aif_rc rc = ydoc_parse(text, len, "<built-in:data/failures.yaml>", &d, &root, err);
    if (rc)
        return rc;
    bind_ctx bc = {.err = err};
    fdata fd = {0};
    rc = bind_map(&bc, root, &fdata_schema, &fd, "", NULL);
    const ynode *cl = ynode_get(root, "classes");
    for (int c = 0; c < AIF_N_FAIL && !rc; c++) {
        fclass f = {0};
        const ynode *n = cl ? ynode_get(cl, aif_failure_class_names[c]) : NULL;
        if (!n) {
            rc = aif_err_set(err, AIF_EINTERNAL, "data/failures.yaml", 0, 0, "classes", "class %s missing",
                             aif_failure_class_names[c]);
            break;
        }
        char path[64];
        snprintf(path, sizeof path, "classes.%s", aif_failure_class_names[c]);
        if ((rc = bind_map(&bc, n, &fclass_schema, &f, path, NULL)))
            break;
        double units = f.per == 0 ? fd.gpus : f.per == 1 ? fd.nodes * fd.nics_per_node : fd.nodes;
        o->fail_per_day[c] = f.count / (units * fd.days);
        o->repair_s[c] = f.repair_s;
    }
    ydoc_free(d);
    return rc;
}

void aif_ops_defaults(aif_ops *o)
{
    memset(o, 0, sizeof *o);
    o->policy = AIF_POLICY_BACKFILL;
    o->placement = AIF_PLACE_PACKED;
    o->seed = 1;
    o->queue_depth = 1000;
    o->las_threshold_s = 3600;
    o->las_queues = 3;
    o->preempt_interval_s = 60;
    o->comm_share = 0.2;
    o->elastic_efficiency = 0.9;
    o->elastic_resize_s = 60;
    snprintf(o->serve_tenant, sizeof o->serve_tenant, "serving");
    o->failures = true;
    aif_err e;
    if (failure_defaults(o, &e))
        o->failures = false;   /* unreachable: tests/test_cluster.c loads the built-in file */
    o->restart_s = 600;
    o->spare_nodes = 64;
    o->straggler_slowdown = 1.5;
    o->straggler_s = 3600;
    o->ckpt_bytes_per_gpu = 2e9;
    o->storage = AIF_STORAGE_PFS;
    o->storage_bw_Bps = 2e12;
    o->storage_read_bw_Bps = 2e12;
    o->nvme_bw_Bps = 5e9;
    o->curtail_mode = AIF_CURTAIL_PAUSE;
    o->synth_jobs = 50000;
    o->synth_rate_per_h = 2000;
    o->synth_max_gpus = 1024;
    o->synth_size_skew = 1;
    o->synth_duration_median_s = 3600;
    o->synth_duration_sigma = 1.2;
    o->synth_tenants = 8;
}

#define QTY(k, st, m, q, mx) {.key = k, .type = F_QTY, .off = offsetof(st, m), .qty = q, .max = mx}
static const field las_fields[] = {
    {.key = "threshold", .type = F_NUM, .off = offsetof(aif_ops, las_threshold_s), .min = 1, .max = 1e15},
    {.key = "queues", .type = F_INT, .off = offsetof(aif_ops, las_queues), .min = 1, .max = 16},
};
static const schema las_schema = {las_fields, 2, NULL};
static const field fail_fields[] = {
    FLD(aif_ops, "enabled", F_BOOL, failures),
    QTY("restart", aif_ops, restart_s, AIF_Q_TIME, 1e9),
    {.key = "spare_nodes", .type = F_INT, .off = offsetof(aif_ops, spare_nodes), .min = 0, .max = 10000000},
};
static const char *const fail_skip[] = {"gpu", "hbm", "nic", "network", "host", "software", "straggler", NULL};
static const schema fail_schema = {fail_fields, sizeof fail_fields / sizeof fail_fields[0], fail_skip};
static const field strag_fields[] = {
    {.key = "per_day", .type = F_NUM, .off = offsetof(aif_ops, straggler_per_day), .min = 0, .max = 1e6},
    {.key = "slowdown", .type = F_NUM, .off = offsetof(aif_ops, straggler_slowdown), .min = 1, .max = 1000},
    QTY("detect", aif_ops, straggler_s, AIF_Q_TIME, 1e9),
};
static const schema strag_schema = {strag_fields, 3, NULL};
static const field ckpt_fields[] = {
    QTY("interval", aif_ops, ckpt_interval_s, AIF_Q_TIME, 1e9),
    QTY("bytes", aif_ops, ckpt_bytes, AIF_Q_BYTES, 1e18),
    QTY("bytes_per_gpu", aif_ops, ckpt_bytes_per_gpu, AIF_Q_BYTES, 1e15),
    {.key = "storage", .type = F_ENUM, .off = offsetof(aif_ops, storage), .names = aif_storage_names},
    {.key = "storage_bw", .type = F_QTY, .off = offsetof(aif_ops, storage_bw_Bps), .qty = AIF_Q_BW, .min = 1,
     .max = 1e16},
    {.key = "nvme_bw", .type = F_QTY, .off = offsetof(aif_ops, nvme_bw_Bps), .qty = AIF_Q_BW, .min = 1, .max = 1e14},
};
static const schema ckpt_schema = {ckpt_fields, sizeof ckpt_fields / sizeof ckpt_fields[0], NULL};
static const field curt_fields[] = {
    QTY("start", aif_ops, curtail_start_s, AIF_Q_TIME, 1e10),
    QTY("duration", aif_ops, curtail_duration_s, AIF_Q_TIME, 1e10),
    QTY("cap", aif_ops, curtail_cap_W, AIF_Q_POWER, 1e12),
    {.key = "mode", .type = F_ENUM, .off = offsetof(aif_ops, curtail_mode), .names = aif_curtail_mode_names},
};
static const schema curt_schema = {curt_fields, sizeof curt_fields / sizeof curt_fields[0], NULL};
static const field synth_fields[] = {
    {.key = "jobs", .type = F_INT, .off = offsetof(aif_ops, synth_jobs), .min = 1, .max = 100000000},
    {.key = "rate_per_h", .type = F_NUM, .off = offsetof(aif_ops, synth_rate_per_h), .min = 1e-6, .max = 1e9},
    {.key = "max_gpus", .type = F_INT, .off = offsetof(aif_ops, synth_max_gpus), .min = 1, .max = 100000000},
    {.key = "size_skew", .type = F_NUM, .off = offsetof(aif_ops, synth_size_skew), .min = 0, .max = 10},
    QTY("duration_median", aif_ops, synth_duration_median_s, AIF_Q_TIME, 1e9),
    {.key = "duration_sigma", .type = F_NUM, .off = offsetof(aif_ops, synth_duration_sigma), .min = 0, .max = 10},
    {.key = "tenants", .type = F_INT, .off = offsetof(aif_ops, synth_tenants), .min = 1, .max = 1000000},
    {.key = "elastic", .type = F_NUM, .off = offsetof(aif_ops, synth_elastic_share), .min = 0, .max = 1},
};
static const field elastic_fields[] = {
    {.key = "efficiency", .type = F_NUM, .off = offsetof(aif_ops, elastic_efficiency), .min = 0, .max = 1},
    QTY("resize", aif_ops, elastic_resize_s, AIF_Q_TIME, 1e9),
    {.key = "min_gpus", .type = F_INT, .off = offsetof(aif_ops, elastic_min_gpus), .min = 0, .max = 100000000},
    {.key = "max_gpus", .type = F_INT, .off = offsetof(aif_ops, elastic_max_gpus), .min = 0, .max = 100000000},
};
static const schema elastic_schema = {elastic_fields, sizeof elastic_fields / sizeof elastic_fields[0], NULL};
static const field serve_fields[] = {
    QTY("start", aif_ops, serve_start_s, AIF_Q_TIME, 1e10),
    QTY("duration", aif_ops, serve_duration_s, AIF_Q_TIME, 1e10),
    {.key = "replicas", .type = F_INT, .off = offsetof(aif_ops, serve_replicas), .min = 0, .max = 1000000},
    {.key = "tenant", .type = F_STR, .off = offsetof(aif_ops, serve_tenant), .size = sizeof ((aif_ops *)0)->serve_tenant},
};
static const schema serve_schema = {serve_fields, sizeof serve_fields / sizeof serve_fields[0], NULL};
static const schema synth_schema = {synth_fields, sizeof synth_fields / sizeof synth_fields[0], NULL};
static const field ops_fields[] = {
    {.key = "load", .type = F_ENUM, .off = offsetof(aif_ops, load), .names = aif_ops_load_names},
    {.key = "policy", .type = F_ENUM, .off = offsetof(aif_ops, policy), .names = aif_cluster_policy_names},
    {.key = "placement", .type = F_ENUM, .off = offsetof(aif_ops, placement), .names = aif_placement_names},
    QTY("horizon", aif_ops, horizon_s, AIF_Q_TIME, 1e10),
    {.key = "queue_depth", .type = F_INT, .off = offsetof(aif_ops, queue_depth), .min = 1, .max = 100000000},
    {.key = "tenant_quota_gpus", .type = F_INT, .off = offsetof(aif_ops, tenant_quota_gpus), .min = 0,
     .max = 100000000},
    QTY("preempt_interval", aif_ops, preempt_interval_s, AIF_Q_TIME, 1e9),
    {.key = "comm_share", .type = F_NUM, .off = offsetof(aif_ops, comm_share), .min = 0, .max = 1},
    {.key = "las", .type = F_SUB, .off = 0, .sub = &las_schema},
    {.key = "checkpoint", .type = F_SUB, .off = 0, .sub = &ckpt_schema},
    {.key = "curtailment", .type = F_SUB, .off = 0, .sub = &curt_schema},
    {.key = "synthetic", .type = F_SUB, .off = 0, .sub = &synth_schema},
    {.key = "elastic", .type = F_SUB, .off = 0, .sub = &elastic_schema},
    {.key = "serve", .type = F_SUB, .off = 0, .sub = &serve_schema},
};
static const char *const ops_skip[] = {"failures", "seed", "tenants", NULL};
static const field tenant_fields[] = {
    {.key = "name", .type = F_STR, .off = offsetof(aif_ops_tenant, name), .size = sizeof ((aif_ops_tenant *)0)->name},
    {.key = "quota_gpus", .type = F_INT, .off = offsetof(aif_ops_tenant, quota_gpus), .min = 0, .max = 100000000},
    {.key = "reserved_gpus", .type = F_INT, .off = offsetof(aif_ops_tenant, reserved_gpus), .min = 0,
     .max = 100000000},
    {.key = "share", .type = F_NUM, .off = offsetof(aif_ops_tenant, share), .min = 1e-9, .max = 1e9},
};
static const schema tenant_schema = {tenant_fields, sizeof tenant_fields / sizeof tenant_fields[0], NULL};

/* operations.tenants: a list of {name, quota_gpus, reserved_gpus, share}. */
static aif_rc bind_tenants(const bind_ctx *bc, aif_ops *o, const ynode *v)
{
    if (v->kind != Y_SEQ)
        return bind_error(bc, v, "operations.tenants", "expected a list of tenants, e.g. "
                          "[{name: vc1, quota_gpus: 512, reserved_gpus: 128, share: 2}]");
    if (v->n > AIF_OPS_TENANTS)
        return bind_error(bc, v, "operations.tenants", "%d tenants; at most %d", v->n, AIF_OPS_TENANTS);
    for (int i = 0; i < v->n; i++) {
        aif_ops_tenant t = {.share = 1};
        char path[64];
        snprintf(path, sizeof path, "operations.tenants[%d]", i);
        aif_rc rc = bind_map(bc, v->kids[i], &tenant_schema, &t, path, NULL);
        if (rc)
            return rc;
        if (!t.name[0])
            return bind_error(bc, v->kids[i], path, "a tenant needs a name (the trace's virtual cluster or user, "
                              "or tenant0, tenant1, ... in the synthetic load)");
        for (int k = 0; k < i; k++)
            if (!strcmp(o->tenants[k].name, t.name))
                return bind_error(bc, v->kids[i], path, "tenant '%s' is named twice", t.name);
        if (t.quota_gpus > 0 && t.reserved_gpus > t.quota_gpus)
            return bind_error(bc, v->kids[i], path, "reserved_gpus %d is more than quota_gpus %d; accepted: a "
                              "reservation within the quota", t.reserved_gpus, t.quota_gpus);
        o->tenants[i] = t;
    }
    o->n_tenants = v->n;
    return AIF_OK;
}
static const schema ops_schema = {ops_fields, sizeof ops_fields / sizeof ops_fields[0], ops_skip};

/* The checkpoints' storage once the section is bound: storage_bw given wins (read at the
 * same rate, no latency); else a cluster's storage tier gives its units' aggregate write and
 * read bandwidth and its latency (a node-local tier gives storage nvme its per-node write
 * bandwidth instead, unless nvme_bw is given); else the defaults above. */
static void checkpoint_storage(aif_ops *o, const aif_cluster *cl, const ynode *ck)
{
    const aif_storage_tier *t = &cl->storage;
    o->storage_source = AIF_CKPT_BW_DEFAULT;
    o->storage_lat_s = 0;
    if (ck && ynode_get(ck, "storage_bw")) {
        o->storage_source = AIF_CKPT_BW_GIVEN;
        o->storage_read_bw_Bps = o->storage_bw_Bps;
        return;
    }
    o->storage_read_bw_Bps = o->storage_bw_Bps;
    if (cl->storage_units <= 0)
        return;
    if (t->storage_class == AIF_STORE_LOCAL) {
        double nodes = ceil((double)cl->gpus / cl->gpus_per_node);
        if (!(ck && ynode_get(ck, "nvme_bw")))
            o->nvme_bw_Bps = cl->storage_units * t->write_bw_Bps / nodes;
        return;
    }
    o->storage_source = AIF_CKPT_BW_TIER;
    o->storage_bw_Bps = cl->storage_units * t->write_bw_Bps;
    o->storage_read_bw_Bps = cl->storage_units * t->read_bw_Bps;
    o->storage_lat_s = t->latency_s;
}

aif_rc aif_ops_bind(const bind_ctx *bc, aif_scenario *s, const ynode *n)
{
    aif_ops *o = &s->ops;
    aif_ops_defaults(o);
    aif_rc rc = failure_defaults(o, bc->err);
    if (!rc)
        checkpoint_storage(o, &s->cluster, NULL);
    if (rc || !n)
        return rc;
    o->present = true;
    /* the seed is an integer of up to 15 digits, read as a number beside the struct */
    struct { double v; } sd = {(double)o->seed};
    const field seed_f = {.key = "seed", .type = F_NUM, .off = 0, .min = 0, .max = 1e15};
    const ynode *sn = ynode_get(n, "seed");
    if ((rc = bind_map(bc, n, &ops_schema, o, "operations", NULL)))
        return rc;
    if (sn && (rc = bind_value(bc, sn, &seed_f, &sd, "operations.seed")))
        return rc;
    if (sd.v != (double)(unsigned long long)sd.v)
        return bind_error(bc, sn, "operations.seed", "%g is not a whole number", sd.v);
    o->seed = (unsigned long long)sd.v;
    o->serve_job = ynode_get(n, "serve") != NULL;
    const ynode *tn = ynode_get(n, "tenants");
    if (tn && (rc = bind_tenants(bc, o, tn)))
        return rc;
    const ynode *fn = ynode_get(n, "failures");
    if (fn) {
        if ((rc = bind_map(bc, fn, &fail_schema, o, "operations.failures", NULL)))
            return rc;
        for (int c = 0; c < AIF_N_FAIL; c++) {
            const ynode *cn = ynode_get(fn, aif_failure_class_names[c]);
            if (!cn)
                continue;
            static const field cf[] = {
                {.key = "per_day", .type = F_NUM, .off = offsetof(fclass, per_day), .min = 0, .max = 1e6},
                {.key = "repair", .type = F_QTY, .off = offsetof(fclass, repair_s), .qty = AIF_Q_TIME, .max = 1e9},
            };
            static const schema cs = {cf, 2, NULL};
            fclass f = {.per_day = o->fail_per_day[c], .repair_s = o->repair_s[c]};
            char path[64];
            snprintf(path, sizeof path, "operations.failures.%s", aif_failure_class_names[c]);
            if ((rc = bind_map(bc, cn, &cs, &f, path, NULL)))
                return rc;
            o->fail_per_day[c] = f.per_day;
            o->repair_s[c] = f.repair_s;
        }
        const ynode *st = ynode_get(fn, "straggler");
        if (st && (rc = bind_map(bc, st, &strag_schema, o, "operations.failures.straggler", NULL)))
            return rc;
    }
    checkpoint_storage(o, &s->cluster, ynode_get(n, "checkpoint"));
    return AIF_OK;
}
