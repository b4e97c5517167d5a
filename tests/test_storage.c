/* test_storage.c -- the storage tier of a cluster (data/storage.yaml, cluster.storage) and
 * co-packaged optics: the catalog loads with every kind of tier; a scenario names a tier by
 * units or sizes it to a bandwidth, and a wrong one is refused at its field with
 * did-you-mean; the tier's aggregate bandwidth and latency become the checkpoints' default,
 * shared by the jobs writing at once, and an explicit storage_bw still wins; the facility's
 * storage power and capex come from the tier's units (a job its share of them); an agent's
 * retrieval waits on the tier; co-packaged optics put an optical engine in every switch
 * port and keep a pluggable transceiver only at the NIC's end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/cluster.h"
#include "aifsim/facility.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "ops/csim.h"
#include "serve/requests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facility_fixture.h"

#define CLOSE(a, b, rel) assert_true(fabs((double)(a) - (double)(b)) <= (rel) * fabs((double)(b)))

static aif_rc parse(const char *yaml, unsigned sections, aif_scenario *s, aif_err *e)
{
    return aif_scenario_parse_sections(cat, yaml, strlen(yaml), "t.yaml", NULL, 0, sections, s, e);
}

static void load(const char *yaml, unsigned sections, aif_scenario *s)
{
    aif_err e;
    if (parse(yaml, sections, s, &e) != AIF_OK) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

/* ------------------------------------------------------------ the catalog */

static void test_catalog_loads(void **state)
{
    (void)state;
    int n = aif_catalog_n_storage(cat), by_class[AIF_N_STORE] = {0};
    assert_true(n >= 6);
    for (int i = 0; i < n; i++) {
        const aif_storage_tier *t = aif_catalog_storage(cat, i);
        assert_true(t->read_bw_Bps > 0 && t->write_bw_Bps > 0 && t->capacity_bytes > 0 && t->latency_s > 0 &&
                    t->power_W > 0);
        assert_true(t->status >= AIF_STATUS_MEASURED);   /* every entry says what its figures are */
        assert_true(strlen(aif_catalog_source(cat, "storage", t->name, "read_bw")) >= 8);
        by_class[t->storage_class]++;
    }
    for (int c = 0; c < AIF_N_STORE; c++)
        if (!by_class[c])
            fail_msg("no storage tier of class %s", aif_storage_class_names[c]);
    /* found as people type it: an alias, any case */
    const aif_storage_tier *t = aif_catalog_find_storage(cat, "AI400X2T");
    assert_non_null(t);
    assert_string_equal(t->name, "ddn-ai400x2t");
    assert_int_equal(t->storage_class, AIF_STORE_PFS);
    CLOSE(t->write_bw_Bps, 75e9, 1e-12);
    /* the listing names it with its status */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    aif_err e;
    assert_int_equal(aif_report_catalog_text(f, cat, "storage", &e), AIF_OK);
    fclose(f);
    assert_non_null(strstr(buf, "ddn-ai400x3"));
    assert_non_null(strstr(buf, "announced"));
    free(buf);
    /* one entry's card found by an alias, as its JSON is (the card once asked for the exact name) */
    f = open_memstream(&buf, &len);
    assert_int_equal(aif_report_catalog_entry_text(f, cat, "storage", "AI400X2T", &e), AIF_OK);
    fclose(f);
    assert_non_null(strstr(buf, "ddn-ai400x2t (storage)"));
    assert_non_null(strstr(buf, "class                      pfs"));   /* an enum's first value shows */
    assert_non_null(strstr(buf, "MLPerf Storage"));
    free(buf);
    f = open_memstream(&buf, &len);
    assert_int_equal(aif_report_catalog_entry_text(f, cat, "gpus", "H100", &e), AIF_OK);
    fclose(f);
    assert_non_null(strstr(buf, "h100-sxm (gpus)"));
    free(buf);
    /* a user catalog entry missing a figure is refused, naming it */
    const char *path = "test_storage_bad.yaml";
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("storage:\n  mine:\n    class: pfs\n    read_bw: 10GB/s\n    write_bw: 5GB/s\n    capacity: 1PB\n"
          "    latency: 1ms\n", f);
    fclose(f);
    aif_catalog *c2;
    assert_int_equal(aif_catalog_load_builtin(&c2, &e), AIF_OK);
    assert_int_equal(aif_catalog_add_file(c2, path, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "power"));
    assert_non_null(strstr(e.msg, "storage entry"));
    aif_catalog_free(c2);
    remove(path);
}

/* ------------------------------------------------------------ the scenario */

static const char *CLUSTER = "cluster: {system: dgx-h100, gpus: 64, storage: %s}\nmodel: llama3-8b\n"
                             "train: {tp: 1, gbs: 64}\n%s";

static aif_rc with_storage(const char *storage, const char *rest, unsigned sections, aif_scenario *s, aif_err *e)
{
    char y[1024];
    snprintf(y, sizeof y, CLUSTER, storage, rest);
    return parse(y, sections, s, e);
}

static void test_scenario_names_a_tier(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    assert_int_equal(with_storage("{kind: ai400x2t, units: 8}", "", AIF_SECTION_ALL, &s, &e), AIF_OK);
    assert_string_equal(s.cluster.storage.name, "ddn-ai400x2t");
    assert_true(s.cluster.storage_units == 8);
    /* auto: the fewest units whose write bandwidth reaches bw (1 TB/s at 75 GB/s: 14) */
    assert_int_equal(with_storage("{kind: ddn-ai400x2t, units: auto, bw: 1TB/s}", "", AIF_SECTION_ALL, &s, &e), AIF_OK);
    assert_true(s.cluster.storage_units == 14);
    assert_int_equal(with_storage("{kind: ddn-ai400x2t, bw: 750GB/s}", "", AIF_SECTION_ALL, &s, &e), AIF_OK);
    assert_true(s.cluster.storage_units == 10);
    /* errors name the field and what is accepted */
    assert_int_equal(with_storage("{kind: ddn-ai400x2, units: 8}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.kind");
    assert_non_null(strstr(e.msg, "unknown storage 'ddn-ai400x2'; did you mean 'ddn-ai400x2t'?"));
    assert_true(e.line == 1);
    assert_int_equal(with_storage("{kind: vast}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.units");
    assert_int_equal(with_storage("{kind: vast, units: auto}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.bw");
    assert_int_equal(with_storage("{kind: vast, units: 2, bw: 1TB/s}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.bw");
    assert_int_equal(with_storage("{kind: vast, units: 0}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.units");
    assert_int_equal(with_storage("{kind: vast, units: 2, size: 3}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage.size");
    assert_int_equal(with_storage("vast", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.storage");
    /* an entry of another kind says so */
    assert_int_equal(with_storage("{kind: h100-sxm, units: 2}", "", AIF_SECTION_ALL, &s, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "is a gpu, not a storage"));
}

/* ------------------------------------------------------------ checkpoints */

#define OPS (AIF_SECTION_ALL | AIF_SECTION_OPS)

static void test_checkpoint_bandwidth_source(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    /* no tier: the operations default */
    assert_int_equal(parse("cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n", OPS, &s, &e), AIF_OK);
    assert_int_equal(s.ops.storage_source, AIF_CKPT_BW_DEFAULT);
    assert_true(s.ops.storage_bw_Bps == 2e12 && s.ops.storage_read_bw_Bps == 2e12 && s.ops.storage_lat_s == 0);
    /* a tier: its units' write and read bandwidth and its latency, with or without the section */
    assert_int_equal(with_storage("{kind: ai400x2t, units: 8}", "", OPS, &s, &e), AIF_OK);
    assert_int_equal(s.ops.storage_source, AIF_CKPT_BW_TIER);
    CLOSE(s.ops.storage_bw_Bps, 8 * 75e9, 1e-12);
    CLOSE(s.ops.storage_read_bw_Bps, 8 * 120e9, 1e-12);
    CLOSE(s.ops.storage_lat_s, 300e-6, 1e-12);
    assert_int_equal(with_storage("{kind: ai400x2t, units: 8}", "operations: {checkpoint: {interval: 1h}}\n", OPS,
                                  &s, &e), AIF_OK);
    assert_int_equal(s.ops.storage_source, AIF_CKPT_BW_TIER);
    CLOSE(s.ops.storage_bw_Bps, 8 * 75e9, 1e-12);
    /* storage_bw given still wins, read at the same rate */
    assert_int_equal(with_storage("{kind: ai400x2t, units: 8}", "operations: {checkpoint: {storage_bw: 100GB/s}}\n",
                                  OPS, &s, &e), AIF_OK);
    assert_int_equal(s.ops.storage_source, AIF_CKPT_BW_GIVEN);
    assert_true(s.ops.storage_bw_Bps == 100e9 && s.ops.storage_read_bw_Bps == 100e9 && s.ops.storage_lat_s == 0);
    /* a node-local tier is the nvme write path: its drives' bandwidth per node */
    assert_int_equal(with_storage("{kind: local-nvme, units: 64}", "", OPS, &s, &e), AIF_OK);
    assert_int_equal(s.ops.storage_source, AIF_CKPT_BW_DEFAULT);
    CLOSE(s.ops.nvme_bw_Bps, 64 * 10e9 / 8, 1e-12);
}

/* jobs of the given sizes on a 64-GPU cluster, all submitted at once, each checkpointing
 * bytes_per_gpu x its GPUs; the result's plan is the largest (first) job's */
static void plan(const aif_ops *o, const int *gpus, int n, aif_cluster_result *r)
{
    aif_job jobs[4];
    memset(jobs, 0, sizeof jobs);
    for (int j = 0; j < n; j++)
        jobs[j] = (aif_job){.id = j, .kind = 0, .submit_s = 0, .duration_s = 3600, .gpus = gpus[j],
                            .min_gpus = gpus[j], .max_gpus = gpus[j]};
    char tenants[1][AIF_TENANT_MAX] = {"t"};
    aif_job_list jl = {.jobs = jobs, .n = n, .tenants = tenants, .n_tenants = 1};
    aif_csim_topo t = {.gpus = 64, .gpn = 8, .nodes = 8, .nics_per_node = 8, .domain_nodes = 1, .leaf_nodes = 4,
                       .pod_nodes = 8, .leaf_ratio = 1, .pod_ratio = 1};
    aif_csim_in in = {.ops = o, .topo = t, .jobs = &jl, .check = true, .idle_W = 1e5, .busy_gpu_W = 700};
    aif_err e;
    assert_int_equal(aif_csim_run(&in, r, &e), AIF_OK);
}

static void test_tier_shared_by_concurrent_checkpoints(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    assert_int_equal(with_storage("{kind: ai400x2t, units: 4}", "operations: {checkpoint: {bytes_per_gpu: 10GB, "
                                  "interval: 1h}, failures: {enabled: false}}\n", OPS, &s, &e), AIF_OK);
    double bw = 4 * 75e9, lat = 300e-6, bytes = 32 * 10e9;
    aif_cluster_result r;
    /* two jobs of half the cluster write at once: each gets half of the tier */
    int two[] = {32, 32};
    plan(&s.ops, two, 2, &r);
    CLOSE(r.ckpt_bytes, bytes, 1e-12);
    CLOSE(r.ckpt_write_s, lat + bytes / (bw / 2), 1e-12);
    /* one job of the whole cluster: all of it (twice the bytes, twice the bandwidth) */
    int one[] = {64};
    plan(&s.ops, one, 1, &r);
    CLOSE(r.ckpt_write_s, lat + 2 * bytes / bw, 1e-12);
    /* an explicit storage_bw overrides the tier */
    assert_int_equal(with_storage("{kind: ai400x2t, units: 4}", "operations: {checkpoint: {bytes_per_gpu: 10GB, "
                                  "interval: 1h, storage_bw: 50GB/s}, failures: {enabled: false}}\n", OPS, &s, &e),
                     AIF_OK);
    plan(&s.ops, two, 2, &r);
    CLOSE(r.ckpt_write_s, bytes / 25e9, 1e-12);
}

/* ------------------------------------------------------------ the facility */

static void train(const char *storage, const char *train_extra, aif_train_run *run)
{
    static aif_scenario s;
    char y[1024];
    snprintf(y, sizeof y, "cluster: {system: dgx-h100, gpus: 64%s}\nmodel: llama3-8b\ntrain: {tp: 1, gbs: 64%s}\n",
             storage, train_extra);
    load(y, AIF_SECTION_ALL, &s);
    aif_err e;
    if (aif_run_train(cat, &s, NULL, run, &e) != AIF_OK)
        fail_msg("%s", e.msg);
}

static void test_facility_power_from_tier(void **state)
{
    (void)state;
    static aif_train_run a, b, c;
    train("", "", &a);
    CLOSE(a.facility.storage_W, 64 * fd->storage_per_gpu_W, 1e-12);   /* unchanged without a tier */
    CLOSE(a.cost.capex_storage_usd, 64 * fd->storage_per_gpu_usd, 1e-12);
    train(", storage: {kind: ai400x2t, units: 2}", "", &b);
    CLOSE(b.facility.storage_W, 2 * 2400, 1e-12);
    CLOSE(b.cost.capex_storage_usd, 2 * 350000, 1e-12);
    CLOSE(b.facility.it_peak_W - a.facility.it_peak_W, 2 * 2400 - 64 * fd->storage_per_gpu_W, 1e-9);
    /* a job on half the cluster is charged half the tier */
    train(", storage: {kind: ai400x2t, units: 2}", ", gpus: 32", &c);
    CLOSE(c.facility.storage_W, 2400, 1e-12);
    CLOSE(c.cost.capex_storage_usd, 350000, 1e-12);
}

/* ------------------------------------------------------------ optics */

static void test_cpo_network_power(void **state)
{
    (void)state;
    static aif_train_run p, q, x;
    double port = fd->switch_per_port_W, optic = fd->optic_per_port_W, cpo = fd->cpo_per_port_W;
    /* 8 nodes, rail-optimized, two tiers: per NIC 3 switch ports and 2 cables */
    train("", "", &p);
    assert_int_equal(p.facility.fabric_tiers, 2);
    CLOSE(p.facility.network_W, 64 * (3 * port + 4 * optic), 1e-12);
    assert_int_equal(p.facility.network_optics, AIF_OPTICS_PLUGGABLE);
    /* co-packaged: an engine in each switch port, a pluggable only at the NIC's end */
    train(", network: {optics: cpo}", "", &q);
    assert_int_equal(q.facility.network_optics, AIF_OPTICS_CPO);
    CLOSE(q.facility.network_W, 64 * (3 * (port + cpo) + optic), 1e-12);
    assert_true(q.facility.network_W < p.facility.network_W);
    /* announced, and said so */
    const char *kind[AIF_MAX_ANNOUNCED], *name[AIF_MAX_ANNOUNCED];
    assert_int_equal(aif_report_announced(&q.scenario, kind, name), 1);
    assert_string_equal(kind[0], "optics");
    /* a co-packaged fabric of the catalog is cpo unless the scenario says pluggable */
    train(", fabric: ib-xdr-cpo", "", &x);
    assert_int_equal(x.facility.network_optics, AIF_OPTICS_CPO);
    const aif_fabric *f = aif_catalog_find_fabric(cat, "quantum-x-photonics");
    assert_non_null(f);
    assert_true(f->optics == AIF_OPTICS_CPO && f->cpo_per_port_W > 0 && f->status == AIF_STATUS_ANNOUNCED);
    train(", fabric: ib-xdr-cpo, network: {optics: pluggable}", "", &q);
    assert_int_equal(q.facility.network_optics, AIF_OPTICS_PLUGGABLE);
    assert_true(q.facility.network_W > x.facility.network_W);
}

/* ------------------------------------------------------------ retrieval */

static void test_agentic_retrieval(void **state)
{
    (void)state;
    static aif_scenario a, b;
    const char *y = "cluster: {system: dgx-h100, gpus: 8%s}\nmodel: llama3-8b\n"
                    "serve: {tp: 1, replicas: 4, qps: 1, requests: 8, input_tokens: 300, output_tokens: 100, seed: 3,"
                    " agentic: {calls: 8, tool_latency: 2s%s}}\n";
    const unsigned SV = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    char t[640];
    snprintf(t, sizeof t, y, ", storage: {kind: s3-object, units: 2}", "");
    load(t, SV, &a);
    snprintf(t, sizeof t, y, ", storage: {kind: s3-object, units: 2}", ", retrieval: {bytes: 100MB}");
    load(t, SV, &b);
    /* latency + bytes over the replica's share of the tier's read bandwidth */
    double want = 20e-3 + 100e6 / (2 * 10e9 / 4);
    CLOSE(b.serve.agentic.retrieval_s, want, 1e-12);
    assert_true(a.serve.agentic.retrieval_s == 0);
    aif_req_stream ra, rb;
    aif_err e;
    assert_int_equal(aif_requests_load(&a.serve, &ra, &e), AIF_OK);
    assert_int_equal(aif_requests_load(&b.serve, &rb, &e), AIF_OK);
    assert_int_equal(ra.n, rb.n);
    int links = 0;
    for (long q = 0; q < ra.n; q++)
        if (ra.link[q].next >= 0) {
            CLOSE(rb.link[q].think_s - ra.link[q].think_s, want, 1e-9);
            links++;
        }
    assert_int_equal(links, 7);
    aif_requests_free(&ra);
    aif_requests_free(&rb);
    /* no tier to read from: refused at the field */
    snprintf(t, sizeof t, y, "", ", retrieval: {bytes: 100MB}");
    assert_int_equal(parse(t, SV, &b, &e), AIF_EINPUT);
    assert_string_equal(e.path, "serve.agentic.retrieval");
    assert_non_null(strstr(e.msg, "cluster.storage"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalog_loads),
        cmocka_unit_test(test_scenario_names_a_tier),
        cmocka_unit_test(test_checkpoint_bandwidth_source),
        cmocka_unit_test(test_tier_shared_by_concurrent_checkpoints),
        cmocka_unit_test(test_facility_power_from_tier),
        cmocka_unit_test(test_cpo_network_power),
        cmocka_unit_test(test_agentic_retrieval),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
