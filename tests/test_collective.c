/* test_collective.c -- NCCL's collectives at the sizes training sends (collective.h,
 * "medium sizes"): the pipeline's fill on a scale-up fabric by hand, the LL cap, the
 * bus bandwidth of a sweep rising with the size, and the fitted constants of each
 * hardware generation against published nccl-tests sweeps: the sweep each was fitted
 * on, and a system held out of the fit (docs/VALIDATION.md, "Collectives").
 *
 * The measured figures are the rows of validation/collectives.csv (cited there). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/collective.h"
#include "aifsim/validate.h"
#include "net/collective.h"
#include "scenario/catalog.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define CLOSE(a, b, rel) assert_true(fabs((a) - (b)) <= (rel) * fabs(b))

/* The cluster of a system from the catalogs, as a scenario names it. */
static aif_cluster system_cluster(const char *system, int gpus)
{
    char y[256];
    snprintf(y, sizeof y, "cluster: {system: %s, gpus: %d}\nmodel: llama3-8b\ntrain: {seq: 2048}\n", system, gpus);
    aif_scenario s;
    aif_err e;
    if (aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e) != AIF_OK)
        fail_msg("%s: %s", system, e.msg);
    return s.cluster;
}

/* nccl-tests' bus bandwidth of an all-reduce of `bytes` on n GPUs, GB/s */
static double busbw_GBps(const aif_cluster *c, int n, double bytes, aif_coll_algo algo)
{
    double t = aif_collective_time_s(c, AIF_COLL_ALLREDUCE, n, bytes, algo, NULL);
    return bytes / t / 1e9 * aif_busbw_factor(AIF_COLL_ALLREDUCE, n);
}

/* The fill by hand: NVLS on 8 GPUs of a fabric with nvls_chunk_ramp r and nvls_step_fill f
 * adds x T / (x + T), x = r t_bw, T = 14 f; x for a small message, T for a large one. */
static void test_fill_by_hand(void **state)
{
    (void)state;
    aif_cluster c = system_cluster("dgx-h100", 8);
    c.scaleup.port_bw_Bps = 400e9;
    c.scaleup.nvls_efficiency = 1.0;
    c.scaleup.nvls_chunk_ramp = 2.0;
    c.scaleup.nvls_step_fill_s = 5e-6;
    c.scaleup.chunk_ramp = 0;   /* the rings' pair: NVLS does not read it */
    double lat = c.nccl.nvls_lat_us * 1e-6;
    for (double S = 1 << 20; S <= 8.0 * (1 << 30); S *= 8) {
        double t_bw = 2 * 7.0 / 8 * S / 400e9, x = 2 * t_bw, T = 14 * 5e-6;
        double t = aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_NVLS, NULL);
        CLOSE(t, lat + t_bw + x * T / (x + T), 1e-12);
    }
    /* no ramp, no fill: the closed form of before */
    c.scaleup.nvls_chunk_ramp = 0;
    double S = 64e6;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_NVLS, NULL),
          lat + 2 * 7.0 / 8 * S / 400e9, 1e-12);
    /* the fill never exceeds the pipeline's steps x step_fill, nor chunk_ramp x the bandwidth term */
    c.scaleup.nvls_chunk_ramp = 2.0;
    for (double s = 1024; s <= 8.0 * (1 << 30); s *= 2) {
        double t_bw = 2 * 7.0 / 8 * s / 400e9;
        double extra = aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, s, AIF_ALGO_NVLS, NULL) - lat - t_bw;
        assert_true(extra <= 14 * 5e-6 * (1 + 1e-12) && extra <= 2 * t_bw * (1 + 1e-12) && extra >= 0);
    }
    /* a ring reads the rings' pair alone: an 8-GPU all-gather of 256 MB (Simple, 7 steps) gains
     * x T / (x + T), x = r t_bw, t_bw its bandwidth term with NCCL's pass loss, T = 7 f; the
     * NVLS pair does not move it */
    S = 256e6;
    double t_bw = 7.0 / 8 * S / (c.scaleup.port_bw_Bps * c.scaleup.efficiency) * (1 + c.nccl.ring_pass_loss / 7);
    double ring0 = aif_collective_time_s(&c, AIF_COLL_ALLGATHER, 8, S, AIF_ALGO_RING, NULL);
    c.scaleup.nvls_chunk_ramp = 9;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLGATHER, 8, S, AIF_ALGO_RING, NULL), ring0, 1e-12);
    c.scaleup.chunk_ramp = 1.5;
    c.scaleup.step_fill_s = 3e-6;
    double x = 1.5 * t_bw, T = 7 * 3e-6;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLGATHER, 8, S, AIF_ALGO_RING, NULL), ring0 + x * T / (x + T), 1e-12);
    /* and NVLS the NVLS pair alone */
    double nv = aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_NVLS, NULL);
    c.scaleup.chunk_ramp = 0;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_NVLS, NULL), nv, 1e-12);
    /* the built-in pairs (data/fabrics.yaml): Hopper's rings none (scripts/fit_ring_fill.py), its
     * NVLS the Azure fit; a fabric that gives no NVLS pair takes its rings' (Blackwell) */
    const aif_fabric *h = aif_catalog_find_fabric(cat, "nvlink4"), *b = aif_catalog_find_fabric(cat, "nvlink5");
    assert_true(h->chunk_ramp == 0 && h->nvls_chunk_ramp == 2.0 && fabs(h->nvls_step_fill_s - 4e-6) < 1e-15);
    assert_true(b->chunk_ramp > 0 && b->nvls_chunk_ramp == b->chunk_ramp && b->nvls_step_fill_s == b->step_fill_s);
}

/* LL carries half the bus bandwidth, at most NCCL's llMaxBw on one node */
static void test_ll_cap(void **state)
{
    (void)state;
    aif_cluster c = system_cluster("dgx-h100", 8);
    c.scaleup.chunk_ramp = 0;
    double S = 4096, bus = 2 * 7.0 / 8 * S;
    const aif_nccl *n = &c.nccl;
    /* the ring's bandwidth term with NCCL's pass loss over its 14 steps */
    double b = c.scaleup.port_bw_Bps * c.scaleup.efficiency / (1 + n->ring_pass_loss / 14);
    double ll_uncapped = (n->base_lat_us[1][AIF_PROTO_LL] + 14 * n->step_lat_us[0][1][AIF_PROTO_LL]) * 1e-6 +
                         bus / (b * n->proto_bw[AIF_PROTO_LL]);
    c.scaleup.ll_max_bw_Bps = 0;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_RING, NULL), ll_uncapped, 1e-12);
    c.scaleup.ll_max_bw_Bps = 1e9;   /* a cap far below: LL at 1 GB/s loses to LL128 */
    double t = aif_collective_time_s(&c, AIF_COLL_ALLREDUCE, 8, S, AIF_ALGO_RING, NULL);
    assert_true(t > ll_uncapped);
    double ll128 = (n->base_lat_us[1][AIF_PROTO_LL128] + 14 * n->step_lat_us[0][1][AIF_PROTO_LL128]) * 1e-6 +
                   bus / (b * n->proto_bw[AIF_PROTO_LL128]);
    CLOSE(t, fmin(ll128, (n->base_lat_us[1][AIF_PROTO_LL] + 14 * n->step_lat_us[0][1][AIF_PROTO_LL]) * 1e-6 +
                             bus / 1e9 * (1 + n->ring_pass_loss / 14)), 1e-12);
    /* the built-in NVLink fabrics carry NCCL's figures: Ampere 87.7, Hopper 141, Blackwell 282 GB/s */
    assert_true(aif_catalog_find_fabric(cat, "nvlink3")->ll_max_bw_Bps == 87.7e9);
    assert_true(aif_catalog_find_fabric(cat, "nvlink4")->ll_max_bw_Bps == 141e9);
    assert_true(aif_catalog_find_fabric(cat, "nvlink5")->ll_max_bw_Bps == 282e9);
    /* and the group size from which NCCL's tuner runs NVLS (data/fabrics.yaml: Hopper 5,
     * Blackwell 7); on 4 of 8 H100 the auto all-reduce rings, on 5 it reduces in the switch */
    assert_int_equal(aif_catalog_find_fabric(cat, "nvlink4")->nvls_min_ranks, 5);
    assert_int_equal(aif_catalog_find_fabric(cat, "nvlink5")->nvls_min_ranks, 7);
    aif_cluster h = system_cluster("dgx-h100", 8);
    aif_coll_algo used;
    aif_coll_time_algo(&h, AIF_COLL_ALLREDUCE, (aif_group_shape){4, 8}, 1 << 28, AIF_ALGO_AUTO, &used);
    assert_int_equal(used, AIF_ALGO_RING);
    aif_coll_time_algo(&h, AIF_COLL_ALLREDUCE, (aif_group_shape){5, 8}, 1 << 28, AIF_ALGO_AUTO, &used);
    assert_int_equal(used, AIF_ALGO_NVLS);
}

/* On every built-in system, a sweep's bus bandwidth never falls as the size doubles
 * (nccl-tests' curves rise to a plateau) and never passes the fabric's ceiling */
static void test_sweep_rises(void **state)
{
    (void)state;
    const char *sys[] = {"dgx-a100-80g", "dgx-h100", "hgx-h200", "hgx-b200", "gb200-nvl72", "mi300x-8"};
    for (size_t i = 0; i < sizeof sys / sizeof *sys; i++) {
        aif_cluster c = system_cluster(sys[i], 8);
        double prev = 0;
        double ceil_GBps = c.scaleup.port_bw_Bps * fmax(c.scaleup.efficiency, c.scaleup.nvls_efficiency) / 1e9;
        for (double S = 8; S <= 8.0 * (1 << 30); S *= 2) {
            double bw = busbw_GBps(&c, 8, S, AIF_ALGO_AUTO);
            if (bw < prev * (1 - 1e-9))
                fail_msg("%s: busbw falls from %g to %g GB/s at %g bytes", sys[i], prev, bw, S);
            assert_true(bw <= ceil_GBps * (1 + 1e-9));
            prev = bw;
        }
    }
}

/* One published sweep point (validation/collectives.csv): system, GPUs, algorithm,
 * size, measured bus bandwidth in GB/s. */
typedef struct { const char *system; int n; aif_coll_algo algo; double bytes, GBps; } point;
#define MB (1024.0 * 1024)

/* |error| of each point, sorted, and their median */
static double median_err(const point *p, int n, double *max)
{
    double e[64];
    for (int i = 0; i < n; i++) {
        aif_cluster c = system_cluster(p[i].system, p[i].n);
        e[i] = fabs(busbw_GBps(&c, p[i].n, p[i].bytes, p[i].algo) - p[i].GBps) / p[i].GBps;
    }
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && e[j] < e[j - 1]; j--) {
            double t = e[j];
            e[j] = e[j - 1];
            e[j - 1] = t;
        }
    *max = e[n - 1];
    return n % 2 ? e[n / 2] : (e[n / 2 - 1] + e[n / 2]) / 2;
}

/* The sizes training sends (1 MB to 512 MB): each generation's constants on the sweep
 * they were fitted on.  Before the pipeline's fill the model was 20-65% optimistic here
 * (8x H100 NVLS +45% at 16 MB, 8x A100 +54% at 16 MB). */
static void test_fitted_sweeps(void **state)
{
    (void)state;
    static const point fit[] = {
        /* Azure ND H100 v5, NVLS (rows az-h100-*) */
        {"dgx-h100", 8, AIF_ALGO_NVLS, 1 * MB, 43.70}, {"dgx-h100", 8, AIF_ALGO_NVLS, 4 * MB, 128.73},
        {"dgx-h100", 8, AIF_ALGO_NVLS, 16 * MB, 234.45}, {"dgx-h100", 8, AIF_ALGO_NVLS, 64 * MB, 361.78},
        {"dgx-h100", 8, AIF_ALGO_NVLS, 256 * MB, 423.38}, {"dgx-h100", 8, AIF_ALGO_NVLS, 512 * MB, 438.46},
        /* Azure ND A100 v4 (rows az-a100-*) */
        {"dgx-a100-80g", 8, AIF_ALGO_AUTO, 4 * MB, 71.43}, {"dgx-a100-80g", 8, AIF_ALGO_AUTO, 16 * MB, 109.22},
        {"dgx-a100-80g", 8, AIF_ALGO_AUTO, 64 * MB, 166.63}, {"dgx-a100-80g", 8, AIF_ALGO_AUTO, 256 * MB, 213.87},
        /* Azure ND GB200 v6, one tray of 4, ring (rows az-gb200-*) */
        {"gb200-nvl72", 4, AIF_ALGO_RING, 8 * MB, 253.46}, {"gb200-nvl72", 4, AIF_ALGO_RING, 32 * MB, 422.62},
        {"gb200-nvl72", 4, AIF_ALGO_RING, 256 * MB, 593.53}, {"gb200-nvl72", 4, AIF_ALGO_RING, 512 * MB, 618.74},
    };
    int n = sizeof fit / sizeof *fit;
    double max, med = median_err(fit, n, &max);
    printf("fitted sweeps, 1-512 MB: median |error| %.1f%%, max %.1f%%\n", 100 * med, 100 * max);
    assert_true(med <= 0.05);
    assert_true(max <= 0.20);   /* 8x H100 at 1 MB, +18% */
}

/* Held out of every fit: 8x H200 (Hopper's constants, fitted on H100) and the 72-GPU
 * NVL72 rack (Blackwell's, fitted on a 4-GPU tray's ring; NVLS's ceiling derived from
 * Hopper's by NCCL's own ratio), each within the figures docs/VALIDATION.md gives */
static void test_held_out(void **state)
{
    (void)state;
    static const point h200[] = {
        {"hgx-h200", 8, AIF_ALGO_NVLS, 1 * MB, 52.96},    {"hgx-h200", 8, AIF_ALGO_NVLS, 2 * MB, 88.78},
        {"hgx-h200", 8, AIF_ALGO_NVLS, 4 * MB, 138.44},   {"hgx-h200", 8, AIF_ALGO_NVLS, 8 * MB, 181.94},
        {"hgx-h200", 8, AIF_ALGO_NVLS, 16 * MB, 240.41},  {"hgx-h200", 8, AIF_ALGO_NVLS, 32 * MB, 300.91},
        {"hgx-h200", 8, AIF_ALGO_NVLS, 64 * MB, 368.11},  {"hgx-h200", 8, AIF_ALGO_NVLS, 128 * MB, 412.45},
        {"hgx-h200", 8, AIF_ALGO_NVLS, 256 * MB, 432.24}, {"hgx-h200", 8, AIF_ALGO_NVLS, 512 * MB, 442.72},
    };
    static const point nvl72[] = {
        {"gb200-nvl72", 72, AIF_ALGO_AUTO, 512 * MB, 586.06}, {"gb200-nvl72", 72, AIF_ALGO_AUTO, 1024 * MB, 681.17},
        {"gb200-nvl72", 72, AIF_ALGO_AUTO, 4096 * MB, 839.16}, {"gb200-nvl72", 72, AIF_ALGO_AUTO, 8192 * MB, 834.57},
    };
    double max, med = median_err(h200, sizeof h200 / sizeof *h200, &max);
    printf("held out, 8x H200 NVLS 1-512 MB: median |error| %.1f%%, max %.1f%%\n", 100 * med, 100 * max);
    assert_true(med <= 0.05 && max <= 0.15);
    med = median_err(nvl72, sizeof nvl72 / sizeof *nvl72, &max);
    printf("held out, 72x GB200 NVL72 512 MB-8 GB: median |error| %.1f%%, max %.1f%%\n", 100 * med, 100 * max);
    assert_true(med <= 0.08 && max <= 0.12);
}

/* NCCL's all-to-all by hand (collective.h): inside one domain its bandwidth term is
 * S (n-1)/n / (e B) x (1 + sqrt(a2a_half / S)) on the base latency; a dispatch kernel
 * (AIF_COLL_DISPATCH: DeepEP, HybridEP) carries the same bytes without the ramp; across
 * domains the ramp applies to the scale-up term alone; a fabric without a2a_half has none. */
static void test_alltoall_by_hand(void **state)
{
    (void)state;
    aif_cluster c = system_cluster("hgx-b200", 16);
    double h = c.scaleup.a2a_half_bytes, b = c.scaleup.port_bw_Bps * c.scaleup.efficiency;
    assert_true(h > 1e6 && h < 1e8);   /* nvlink5: tens of megabytes */
    double lat = (c.nccl.base_lat_us[1][AIF_PROTO_SIMPLE] + 7.0 / 8 * c.scaleup.latency_s * 1e6) * 1e-6;
    double rounds = 1 + c.nccl.ring_pass_loss / 7;   /* NCCL's 7 rounds lose a ring's pass */
    for (double S = 1 << 20; S <= 8.0 * (1 << 30); S *= 8) {
        double t_bw = S * 7 / 8 / b;
        CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLTOALL, 8, S, AIF_ALGO_AUTO, NULL),
              lat + t_bw * (1 + sqrt(h / S)) * rounds, 1e-12);
        CLOSE(aif_collective_time_s(&c, AIF_COLL_DISPATCH, 8, S, AIF_ALGO_AUTO, NULL), lat + t_bw, 1e-12);
    }
    /* half the large-message rate where S = a2a_half, nine tenths at 81 a2a_half */
    double t_h = aif_collective_time_s(&c, AIF_COLL_ALLTOALL, 8, h, AIF_ALGO_AUTO, NULL) - lat;
    CLOSE(t_h, 2 * h * 7 / 8 / b * rounds, 1e-12);
    /* two nodes: the NICs' term, which the ramp leaves alone, sets the time at 1 GiB; NCCL's
     * 15 rounds add their pass loss to the dispatch kernel's */
    double S = 1 << 30;
    double base16 = c.nccl.base_lat_us[1][AIF_PROTO_SIMPLE] * 1e-6 + 15.0 / 8 * c.fabric.latency_s;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLTOALL, 16, S, AIF_ALGO_AUTO, NULL) - base16,
          (aif_collective_time_s(&c, AIF_COLL_DISPATCH, 16, S, AIF_ALGO_AUTO, NULL) - base16) *
              (1 + c.nccl.ring_pass_loss / 15), 1e-9);
    /* no a2a_half: NCCL's all-to-all is the dispatch kernel's time and the rounds' loss */
    c.scaleup.a2a_half_bytes = 0;
    CLOSE(aif_collective_time_s(&c, AIF_COLL_ALLTOALL, 8, S, AIF_ALGO_AUTO, NULL) - lat,
          (aif_collective_time_s(&c, AIF_COLL_DISPATCH, 8, S, AIF_ALGO_AUTO, NULL) - lat) * rounds, 1e-9);
    /* nccl-tests counts both with the all-to-all's bus-bandwidth factor */
    assert_true(aif_busbw_factor(AIF_COLL_DISPATCH, 8) == aif_busbw_factor(AIF_COLL_ALLTOALL, 8));
}

/* The all-to-all sweeps of validation/collectives.csv from 1 MB up: each NVLink
 * generation's a2a_half on the sweep it was fitted on (scripts/fit_alltoall.py) and on the
 * systems held out of the fit, each within the figures data/fabrics.yaml cites (before it,
 * the model was 20-78% optimistic from 1 MB to 512 MB: 8 B200 +69% at 8 MB). */
static double a2a_median_err(const char *prefix, int max_gpus, int *n_rows)
{
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_collectives_file(cat, NULL, &v, &e), AIF_OK);
    double err[128];
    int n = 0;
    for (int i = 0; i < v.n && n < 128; i++)
        if (!strncmp(v.rows[i].id, prefix, strlen(prefix)) && !strcmp(v.rows[i].model, "alltoall") &&
            !strcmp(v.rows[i].framework, AIF_COLL_BAND_LARGE) && v.rows[i].gpus <= max_gpus)
            err[n++] = fabs(v.rows[i].err);
    aif_validation_free(&v);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && err[j] < err[j - 1]; j--) {
            double t = err[j];
            err[j] = err[j - 1];
            err[j - 1] = t;
        }
    *n_rows = n;
    return n == 0 ? INFINITY : n % 2 ? err[n / 2] : (err[n / 2 - 1] + err[n / 2]) / 2;
}

static void test_alltoall_sweeps(void **state)
{
    (void)state;
    static const struct { const char *prefix; int min_rows; double bound; } sweeps[] = {
        {"aic-h100-a2a-8g-", 10, 0.08},  /* fitted, nvlink4 */
        {"aic-b200-a2a-8g-", 10, 0.06},  /* fitted, nvlink5 */
        {"aic-a100-a2a-8g-", 10, 0.08},  /* fitted, nvlink3 */
        {"aic-h200-a2a-8g-", 10, 0.08},  /* held out: Hopper's fit on 8 H200 */
        {"aic-h100-a2a-4g-", 6, 0.08},   /* held out: on 4 H100 (2.0%; 11.8% before NCCL's rounds lost a ring's pass) */
        {"aic-gb200-a2a-4g-", 10, 0.08}, /* held out: Blackwell's fit on one GB200 tray */
        {"oci-gb200-a2a-", 6, 0.09},     /* held out: 4 to 64 GB200 of one NVL72 rack, 4-16 GiB */
    };
    for (size_t i = 0; i < sizeof sweeps / sizeof *sweeps; i++) {
        int n;
        double med = a2a_median_err(sweeps[i].prefix, 72, &n);   /* one NVLink domain */
        printf("all-to-all %s*, from 1 MB: %d rows, median |error| %.1f%%\n", sweeps[i].prefix, n, 100 * med);
        assert_true(n >= sweeps[i].min_rows);
        if (!(med <= sweeps[i].bound))
            fail_msg("%s*: median |error| %.1f%% over %.0f%%", sweeps[i].prefix, 100 * med, 100 * sweeps[i].bound);
    }
}

/* The built-in table (validation/collectives.csv): the rows from 1 MB up, the sizes training
 * sends, every row in one of the two bands (before the NCCL model: 28 rows ran, 20-65%
 * optimistic from 1 MB to 512 MB on one node).  The target, a 10% median, holds on the
 * whole band (7.5%) and on every group size: 2 GPUs (10.6%, held within 11% and its bias within
 * 10%: 30.1% optimistic, bias +29.3%, before NCCL's ring pass loss, scripts/fit_ring_pass.py),
 * 3-4, and 5 and more (one node, several, racks). */
static void test_table_from_1MB(void **state)
{
    (void)state;
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_collectives_file(cat, NULL, &v, &e), AIF_OK);
    aif_val_stats big, small, pair, mid, many;
    assert_int_equal(aif_validation_framework_stats(&v, AIF_COLL_BAND_LARGE, &big, &e), AIF_OK);
    assert_int_equal(aif_validation_framework_stats(&v, AIF_COLL_BAND_SMALL, &small, &e), AIF_OK);
    assert_int_equal(aif_validation_coll_ranks_stats(&v, 2, 2, &pair, &e), AIF_OK);
    assert_int_equal(aif_validation_coll_ranks_stats(&v, 3, 4, &mid, &e), AIF_OK);
    assert_int_equal(aif_validation_coll_ranks_stats(&v, 5, 1 << 30, &many, &e), AIF_OK);
    printf("built-in table from 1 MB up: %d rows, median |error| %.1f%%; on 2 GPUs %d rows, %.1f%% (bias %+.1f%%); "
           "on 3-4 %d rows, %.1f%%; on 5 or more %d rows, %.1f%%\n", big.n, big.median_ape, pair.n, pair.median_ape,
           pair.bias_pct, mid.n, mid.median_ape, many.n, many.median_ape);
    assert_int_equal(big.n + small.n, v.n);
    assert_true(big.n >= 80);
    assert_true(big.median_ape <= 10);
    assert_true(many.n >= 300 && many.median_ape <= 10);
    assert_true(mid.n >= 250 && mid.median_ape <= 10);
    assert_true(pair.n >= 200 && pair.median_ape <= 11 && fabs(pair.bias_pct) < 10);   /* 10.6%, bias +8.4% */
    aif_validation_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fill_by_hand), cmocka_unit_test(test_ll_cap),     cmocka_unit_test(test_sweep_rises),
        cmocka_unit_test(test_fitted_sweeps), cmocka_unit_test(test_held_out), cmocka_unit_test(test_table_from_1MB),
        cmocka_unit_test(test_alltoall_by_hand), cmocka_unit_test(test_alltoall_sweeps),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
