/* test_holdout.c -- calibration that cannot be fitted to the table: every
 * calibration constant names its source kind and none is tied to a training row
 * (a future fit to validation/train.csv fails here); aifsim validate --holdout
 * source (aif_validate_holdout) on the built-in table and on a catalog that does
 * tie a constant to a source group; the ASSUMED count, the fit flag and the 90th
 * percentile of the training table; a user calibration family replacing a built-in
 * one reaching the built-in GPUs that name it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/validate.h"
#include "scenario/catalog.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <unistd.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

/* text into a new temporary file; its path into path (to unlink) */
static void temp_file(const char *text, const char *suffix, char *path, size_t len)
{
    (void)suffix;
    snprintf(path, len, "/tmp/aifsim-holdout-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
}

/* The project's rule, made checkable: every cited calibration constant names a source
 * kind, none is row:GROUP, and no citation names a source group of the training table
 * (a constant read off an end-to-end row would cite its source). */
/* Whether text t names source group g as a whole name: a repository (owner/name) or an author
 * list, not the first part of a longer repository's name ("AMD-AGI/Primus" is not cited by
 * "AMD-AGI/Primus-Turbo", a kernel library). */
static int names_group(const char *t, const char *g)
{
    size_t n = strlen(g);
    for (const char *p = t; (p = strstr(p, g)); p++) {
        char before = p > t ? p[-1] : ' ', after = p[n];
        int word_before = isalnum((unsigned char)before) || before == '-' || before == '_' || before == '/',
            word_after = isalnum((unsigned char)after) || after == '-' || after == '_' ||
                         (after == '.' && isalnum((unsigned char)p[n + 1]));
        if (!word_before && !word_after)
            return 1;
    }
    return 0;
}

static void test_no_constant_from_rows(void **state)
{
    (void)state;
    aif_holdout h;
    aif_err e;
    assert_int_equal(aif_validate_holdout(cat, NULL, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_true(h.n_groups >= 5);
    assert_int_equal(h.n_by_kind[7], 0);   /* every citation names its kind */
    /* one constant is tied, and declared so: TPU v5p's GEMM efficiency, read off MaxText's
     * published MFU for want of a TPU GEMM microbenchmark (docs/VALIDATION.md); any other
     * tie, declared or found by its citation below, fails */
    assert_int_equal(h.n_by_kind[6], 1);
    assert_int_equal(h.n_tied, 1);
    int n_cited = 0;
    for (int f = 0; f < aif_catalog_n_calibs(cat); f++) {
        const char *fam = aif_catalog_calib(cat, f)->name;
        for (int k = 0; aif_calib_fields[k]; k++) {
            const char *t = aif_catalog_source(cat, "calibration", fam, aif_calib_fields[k]);
            if (!t[0])
                continue;
            n_cited++;
            char kind[32], group[64];
            if (!aif_calib_source_kind(cat, fam, aif_calib_fields[k], kind, sizeof kind, group, sizeof group))
                fail_msg("calibration.%s.%s names no source kind (%s): '%.60s'", fam, aif_calib_fields[k],
                         AIF_SOURCE_KINDS, t);
            if (!strcmp(kind, "row")) {
                if (strcmp(fam, "tpu-v5") || strcmp(aif_calib_fields[k], "matmul_eff") ||
                    strcmp(group, "AI-Hypercomputer/maxtext"))
                    fail_msg("calibration.%s.%s is tied to training rows (%s): constants come from "
                             "kernel-level sources", fam, aif_calib_fields[k], group);
                continue;
            }
            for (int g = 0; g < h.n_groups; g++)
                if (names_group(t, h.groups[g].id))
                    fail_msg("calibration.%s.%s cites '%s', the source of %d training rows: constants come from "
                             "kernel-level sources, never from end-to-end rows", fam, aif_calib_fields[k],
                             h.groups[g].id, h.groups[g].n);
        }
    }
    assert_true(n_cited >= 50);
    /* the whole-name rule itself */
    assert_true(names_group("rows of AMD-AGI/Primus, docs", "AMD-AGI/Primus"));
    assert_true(names_group("AMD-AGI/Primus.", "AMD-AGI/Primus"));
    assert_false(names_group("AMD-AGI/Primus-Turbo pull request #514", "AMD-AGI/Primus"));
    assert_false(names_group("x/AMD-AGI/Primus", "AMD-AGI/Primus"));
    /* a GPU's own GEMM efficiencies (data/gpus.yaml) follow the same rule */
    int n_own = 0;
    for (int i = 0; i < aif_catalog_n_gpus(cat); i++) {
        const aif_gpu *g = aif_catalog_gpu(cat, i);
        for (int k = 0; k < 2; k++) {
            if ((k ? g->own_matmul_eff_fp8 : g->own_matmul_eff) <= 0)
                continue;
            const char *fld = k ? "matmul_eff_fp8" : "matmul_eff";
            const char *t = aif_catalog_source(cat, "gpus", g->name, fld);
            int kind = -1;
            for (int j = 0; j < 6 && kind < 0; j++)   /* the kinds but row: and none */
                if (!strncmp(t, aif_source_kind_names[j], strlen(aif_source_kind_names[j])) &&
                    t[strlen(aif_source_kind_names[j])] == ':')
                    kind = j;
            if (kind < 0)
                fail_msg("gpus.%s.%s: its citation names no source kind other than row: '%.60s'", g->name, fld, t);
            for (int gr = 0; gr < h.n_groups; gr++)
                if (strstr(t, h.groups[gr].id))
                    fail_msg("gpus.%s.%s cites '%s', the source of training rows", g->name, fld, h.groups[gr].id);
            n_own++;
        }
    }
    assert_true(n_own >= 4);
    aif_holdout_free(&h);
}

/* The one tied constant (TPU v5p's GEMM efficiency) is informed by no row outside its
 * group, so it keeps its value, the output says so, and every group's held-out error is
 * its own, row for row. */
static void test_holdout_equals_own(void **state)
{
    (void)state;
    aif_holdout h;
    aif_err e;
    assert_int_equal(aif_validate_holdout(cat, NULL, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    int n = 0;
    for (int i = 0; i < h.table.n; i++)
        assert_true(h.held_err[i] == h.table.rows[i].err);
    for (int g = 0; g < h.n_groups; g++) {
        n += h.groups[g].n;
        if (!strcmp(h.groups[g].id, "AI-Hypercomputer/maxtext")) {
            assert_int_equal(h.groups[g].n_tied, 1);
            assert_non_null(strstr(h.groups[g].tied, "tpu-v5.matmul_eff 0.75 -> 0.75 (no other row informs it)"));
        } else
            assert_int_equal(h.groups[g].n_tied, 0);
        assert_true(h.groups[g].held.median_ape == h.groups[g].own.median_ape);
        assert_true(h.groups[g].held.bias_pct == h.groups[g].own.bias_pct);
        assert_int_equal(h.groups[g].own.n_high + h.groups[g].own.n_low <= h.groups[g].n, 1);
        assert_true(h.groups[g].own.p90_ape <= h.groups[g].own.max_ape);
    }
    assert_int_equal(n, h.table.n);
    assert_true(fabs(h.median_ape - h.table.median_ape) < 1e-9);
    assert_true(fabs(h.p90_ape - h.table.p90_ape) < 1e-9);
    aif_holdout_free(&h);
}

/* a user hopper family, its constants the built-in's of an earlier round, before its sources */
#define HOPPER_FAMILY \
    "calibration:\n" \
    "  hopper:\n" \
    "    matmul_eff: 0.70\n    matmul_eff_fp8: 0.64\n    matmul_k_half: 64\n    attn_fwd_eff: 0.55\n" \
    "    attn_kv_half: 128\n    attn_bwd_eff: 0.45\n    mem_eff: 0.75\n    kernel_overhead: 4us\n    n_sm: 132\n" \
    "    tile_m: 128\n    tile_n: 256\n    attn_hd_half: 54\n    overlap_slowdown: 0.19\n" \
    "    attn_flash2_factor: 0.62\n    workspace: 2.5GiB\n"
static const char hopper_tied[] = HOPPER_FAMILY
    "    sources:\n"
    "      matmul_eff: \"row:B: read off group B's rows\"\n";

/* the built-in catalog with text added as a user catalog file, which must load; the
 * file's path into cpath (the caller unlinks it) */
static aif_catalog *with_user_catalog(const char *text, char *cpath, size_t len)
{
    temp_file(text, ".yaml", cpath, len);
    aif_catalog *c;
    aif_err e;
    assert_int_equal(aif_catalog_load_builtin(&c, &e), AIF_OK);
    assert_int_equal(aif_catalog_add_file(c, cpath, &e), AIF_OK);
    return c;
}

#define HDR "id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured,flops_convention,source,notes\n"
#define RUN "llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s"

/* The model's step time for the one-row table's job under catalog c (the rows below measure
 * against it) */
static double predicted_step(aif_catalog *c)
{
    const char *one = HDR "a," RUN ",1,,x,\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(c, one, strlen(one), "t.csv", &v, &e), AIF_OK);
    double p = v.rows[0].predicted;
    aif_validation_free(&v);
    return p;
}

/* A constant tied to group B is refitted on the other group's rows: B's held-out error
 * appears, A's rows keep theirs, and the tie is counted. */
static void test_refit(void **state)
{
    (void)state;
    char cpath[256], tpath[256], csv[2048];
    aif_catalog *c = with_user_catalog(hopper_tied, cpath, sizeof cpath);
    aif_err e;
    double p = predicted_step(c);
    /* group A (a repository) measured 15% slower than the model; group B exactly as modelled */
    snprintf(csv, sizeof csv, HDR "a1," RUN ",%.17g,,owner/A-doc table 1,\n"
             "a2," RUN ",%.17g,,owner/A-doc table 2,\n"
             "a3," RUN ",%.17g,,owner/A-doc table 3,\n"
             "b1," RUN ",%.17g,,\"B, table 1\",\n"
             "b2," RUN ",%.17g,,\"B, table 2\",\n", 1.15 * p, 1.15 * p, 1.15 * p, p, p);
    temp_file(csv, ".csv", tpath, sizeof tpath);
    aif_holdout h;
    assert_int_equal(aif_validate_holdout(c, tpath, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_int_equal(h.n_groups, 2);
    assert_string_equal(h.groups[0].id, "owner/A-doc");
    assert_string_equal(h.groups[1].id, "B");
    assert_int_equal(h.n_by_kind[6], 2);   /* this one and the built-in TPU v5p tie */
    assert_int_equal(h.n_tied, 1);
    assert_int_equal(h.groups[0].n_tied, 0);
    assert_int_equal(h.groups[1].n_tied, 1);
    assert_non_null(strstr(h.groups[1].tied, "hopper.matmul_eff 0.7 -> "));
    assert_true(h.groups[1].own.median_ape < 1e-6);
    assert_true(h.groups[1].held.median_ape > 3);   /* A asks for slower GEMMs: B over-predicted */
    assert_true(h.groups[1].held.bias_pct < -3);      /* ... as a rate: B's held-out rows predicted slower */
    assert_int_equal(h.groups[1].held.n_low, h.groups[1].n);
    for (int i = 3; i < 5; i++)
        assert_true(h.held_err[i] > 0.03);
    for (int i = 0; i < 3; i++)
        assert_true(h.held_err[i] == h.table.rows[i].err);
    assert_true(h.groups[0].held.median_ape == h.groups[0].own.median_ape);
    assert_true(h.median_ape > h.table.median_ape - 1e-9);
    aif_holdout_free(&h);
    /* the same tie to a group not in the table changes nothing */
    snprintf(csv, sizeof csv, HDR "a1," RUN ",%.17g,,owner/A-doc table 1,\n", 1.15 * p);
    unlink(tpath);
    temp_file(csv, ".csv", tpath, sizeof tpath);
    assert_int_equal(aif_validate_holdout(c, tpath, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_int_equal(h.n_tied, 0);
    assert_true(h.held_err[0] == h.table.rows[0].err);
    aif_holdout_free(&h);
    unlink(tpath);
    unlink(cpath);
    aif_catalog_free(c);
}

/* The fleet's speed spread tied to group B is refitted on group A's rows, and the refit
 * reaches the runs' pace (the run's copy, cluster.speed_spread, takes the family's): A measured
 * slower than modelled asks for a wider spread, and B's held-out rows come out slower. */
static void test_refit_spread(void **state)
{
    (void)state;
    static const char tied[] = HOPPER_FAMILY "    speed_spread: 0.017\n"
        "    sources:\n"
        "      speed_spread: \"row:B: read off group B's rows\"\n";
    char cpath[256], tpath[256], csv[2048];
    aif_catalog *c = with_user_catalog(tied, cpath, sizeof cpath);
    aif_err e;
    double p = predicted_step(c);
    snprintf(csv, sizeof csv, HDR "a1," RUN ",%.17g,,owner/A-doc table 1,\n"
             "a2," RUN ",%.17g,,owner/A-doc table 2,\n"
             "b1," RUN ",%.17g,,\"B, table 1\",\n", 1.04 * p, 1.04 * p, p);
    temp_file(csv, ".csv", tpath, sizeof tpath);
    aif_holdout h;
    assert_int_equal(aif_validate_holdout(c, tpath, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_int_equal(h.groups[1].n_tied, 1);
    assert_non_null(strstr(h.groups[1].tied, "hopper.speed_spread 0.017 -> "));
    assert_true(h.groups[1].own.median_ape < 1e-6);
    assert_true(h.held_err[2] > 0.01);   /* B's row (a step time): the wider spread predicts it longer */
    aif_holdout_free(&h);
    unlink(tpath);
    unlink(cpath);
    aif_catalog_free(c);
}

/* A family refitted for the holdout leaves a GPU's own GEMM figures alone: a tie of
 * blackwell.matmul_eff to group B, whose rows run on GB200 (its own figure), informs neither
 * them (their held-out error is their own) nor the B200 rows of group A beyond the refit. */
static void test_own_gemm_survives_refit(void **state)
{
    (void)state;
    static const char blackwell_tied[] =
        "calibration:\n"
        "  blackwell:\n"
        "    matmul_eff: 0.68\n    matmul_eff_fp8: 0.65\n    matmul_k_half: 64\n    attn_fwd_eff: 0.58\n"
        "    attn_kv_half: 760\n    attn_bwd_eff: 0.47\n    mem_eff: 0.75\n    kernel_overhead: 4us\n    n_sm: 148\n"
        "    tile_m: 256\n    tile_n: 256\n    attn_hd_half: 54\n    overlap_slowdown: 0.19\n"
        "    attn_flash2_factor: 0.62\n    workspace: 2.5GiB\n"
        "    sources:\n"
        "      matmul_eff: \"row:B: read off group B's rows\"\n";
    char cpath[256], tpath[256], csv[2048];
    aif_catalog *c = with_user_catalog(blackwell_tied, cpath, sizeof cpath);
    aif_err e;
    assert_true(aif_catalog_find_gpu(c, "gb200")->calib.matmul_eff == aif_catalog_find_gpu(cat, "gb200")->calib.matmul_eff);
#define GB "llama3-8b,gb200-nvl72,8,1,1,1,64,4096,step_time_s"
#define B2 "llama3-8b,hgx-b200,8,1,1,1,64,4096,step_time_s"
    snprintf(csv, sizeof csv, HDR "a1," B2 ",5,,owner/A-doc table 1,\n"
             "a2," B2 ",5,,owner/A-doc table 2,\n"
             "b1," GB ",3,,\"B, table 1\",\n"
             "b2," GB ",3,,\"B, table 2\",\n");
    temp_file(csv, ".csv", tpath, sizeof tpath);
    aif_holdout h;
    assert_int_equal(aif_validate_holdout(c, tpath, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_int_equal(h.n_tied, 1);
    assert_string_equal(h.groups[1].id, "B");
    assert_int_equal(h.groups[1].n_tied, 1);
    for (int i = 2; i < 4; i++)
        if (h.held_err[i] != h.table.rows[i].err)
            fail_msg("row %d on gb200: held out %.6f, own %.6f: the refit reached its own matmul_eff", i,
                     h.held_err[i], h.table.rows[i].err);
    aif_holdout_free(&h);
#undef GB
#undef B2
    unlink(tpath);
    unlink(cpath);
    aif_catalog_free(c);
}

/* A user calibration family that replaces a built-in one reaches the built-in GPUs of
 * that family (before, h100-sxm kept the built-in figures and the replacement did nothing). */
static void test_family_replaced(void **state)
{
    (void)state;
    char cpath[256];
    char text[sizeof hopper_tied];
    memcpy(text, hopper_tied, sizeof text);
    char *m = strstr(text, "matmul_eff: 0.70");
    memcpy(m, "matmul_eff: 0.35", 16);
    aif_catalog *c = with_user_catalog(text, cpath, sizeof cpath);
    const aif_gpu *g = aif_catalog_find_gpu(c, "h100-sxm");
    assert_non_null(g);
    assert_true(g->calib.matmul_eff == 0.35);
    assert_true(aif_catalog_find_gpu(cat, "h100-sxm")->calib.matmul_eff == 0.72);
    unlink(cpath);
    aif_catalog_free(c);
}

/* ASSUMED inputs counted (the word in capitals only), a row that cannot fit flagged. */
static void test_assumed_and_fit(void **state)
{
    (void)state;
    const char *csv = HDR "a,megatron-1.7b,dgx-h100,8,1,1,1,64,2048,step_time_s,1,,s,\"mbs=1 ASSUMED. tp ASSUMED; "
                          "UNASSUMED, assumed\"\n"
                          "b,llama3-70b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,s,\n"
                          "c,llama3-8b,dgx-h100,8,1,1,2,64,4096,step_time_s,1,,s,ASSUMED\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "t.csv", &v, &e), AIF_OK);
    assert_int_equal(v.rows[0].n_assumed, 2);
    assert_int_equal(v.rows[1].n_assumed, 0);
    assert_int_equal(v.rows[2].n_assumed, 1);
    assert_int_equal(v.n_assumed, 3);
    assert_int_equal(v.n_rows_assumed, 2);
    assert_int_equal(v.rows[0].nofit, 0);
    assert_int_equal(v.rows[1].nofit, 1);   /* 70B with Adam on 8 GPUs, no sharding */
    assert_int_equal(v.rows[2].nofit, 1);   /* 8B at 2 x 4096 tokens a GPU: about 98 GiB of the H100's 79.6 */
    assert_int_equal(v.n_nofit, 2);
    assert_string_equal(v.rows[0].group, "s");
    aif_validation_free(&v);
}

/* A table without a source column: its rows form one group, named as such. */
static void test_no_source(void **state)
{
    (void)state;
    const char *csv = "id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured\n"
                      "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,3\n";
    char path[256];
    temp_file(csv, ".csv", path, sizeof path);
    aif_holdout h;
    aif_err e;
    assert_int_equal(aif_validate_holdout(cat, path, AIF_ENGINE_ESTIMATE, &h, &e), AIF_OK);
    assert_int_equal(h.n_groups, 1);
    assert_string_equal(h.groups[0].id, "(no source)");
    assert_int_equal(h.table.n_assumed, 0);   /* no notes column */
    aif_holdout_free(&h);
    unlink(path);
}

static void test_percentile(void **state)
{
    (void)state;
    double a[11];
    for (int i = 0; i < 11; i++)
        a[i] = i;
    assert_true(aif_percentile(a, 11, 0.9) == 9);
    assert_true(aif_percentile(a, 11, 0.5) == 5);
    assert_true(aif_percentile(a, 10, 0.5) == 4.5);   /* the median of an even count */
    assert_true(fabs(aif_percentile(a, 10, 0.9) - 8.1) < 1e-12);
    assert_true(aif_percentile(a, 1, 0.9) == 0);
    /* the table's p90: errors -50%, +100%, 0 -> sorted 0, 50, 100 -> 90 */
    double p = predicted_step(cat);
    aif_validation v;
    aif_err e;
    char csv[1024];
    snprintf(csv, sizeof csv, HDR "a," RUN ",%.17g,,s1,\nb," RUN ",%.17g,,s2,\nc," RUN ",%.17g,,s3,\n", 2 * p, p / 2,
             p);
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "t.csv", &v, &e), AIF_OK);
    assert_true(fabs(v.p90_ape - 90) < 1e-6);
    aif_validation_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_constant_from_rows), cmocka_unit_test(test_holdout_equals_own),
        cmocka_unit_test(test_refit),
        cmocka_unit_test(test_refit_spread), cmocka_unit_test(test_family_replaced), cmocka_unit_test(test_own_gemm_survives_refit),
        cmocka_unit_test(test_assumed_and_fit), cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_no_source),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
