/* test_validate.c -- the validation runner: statistics, conventions, bad CSV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define HDR "id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured,flops_convention,source\n"

static void test_builtin_table(void **state)
{
    (void)state;
    size_t len;
    const char *csv = aif_builtin_validation_csv(&len);
    assert_non_null(csv);
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, csv, len, "train.csv", &v, &e), AIF_OK);
    assert_true(v.n >= 40);
    for (int i = 0; i < v.n; i++) {
        assert_true(v.rows[i].predicted > 0);
        assert_true(strlen(v.rows[i].source) > 10);   /* every row is cited */
    }
    assert_true(v.median_ape <= v.max_ape);
    assert_true(v.mean_ape <= v.max_ape);
    aif_validation_free(&v);
}

static void test_statistics(void **state)
{
    (void)state;
    /* the same run measured at twice and half its predicted step time: errors -50% and +100% */
    const char *one = HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,x source\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, one, strlen(one), "t.csv", &v, &e), AIF_OK);
    double p = v.rows[0].predicted;
    aif_validation_free(&v);
    char csv[1024];
    snprintf(csv, sizeof csv, HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s1\n"
             "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s2\n"
             "c,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s3\n", 2 * p, p / 2, p);
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "t.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 3);
    assert_true(fabs(v.rows[0].err + 0.5) < 1e-9);
    assert_true(fabs(v.rows[1].err - 1.0) < 1e-9);
    assert_true(fabs(v.median_ape - 50) < 1e-6);
    assert_true(fabs(v.max_ape - 100) < 1e-6);
    assert_true(fabs(v.mean_ape - 50) < 1e-6);
    assert_int_equal(v.worst, 1);
    aif_validation_free(&v);
}

static void bad(const char *csv, const char *needle, int line)
{
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "bad.csv", &v, &e), AIF_EINPUT);
    char buf[1400];
    aif_err_format(&e, buf, sizeof buf);
    if (!strstr(buf, needle))
        fail_msg("'%s' lacks '%s'", buf, needle);
    if (line)
        assert_int_equal(e.line, line);
}

static void test_bad_csv(void **state)
{
    (void)state;
    bad("id,model\n", "no 'system' column", 1);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s\n", "cells", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,speed,1,,s\n", "unknown metric", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,tflops_per_gpu,1,flops,s\n", "unknown convention", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,-1,,s\n", "positive", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,3,1,1,64,4096,step_time_s,1,,s\n", "not divisible by tp", 2);
    bad(HDR "a,lama,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,s\n", "unknown model", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,\"s\n", "malformed CSV", 0);
    bad(HDR, "no rows", 0);
}

/* nccl-tests rows: op and algo names are the library's own (names.h); an unknown algo
 * is an error naming the row, an empty one means auto; the file reader names the file */
static void test_collectives(void **state)
{
    (void)state;
#define CHDR "id,op,gpu,system,fabric,gpus,gpus_per_node,algo,bytes,busbw_GBps,source\n"
    aif_validation v;
    aif_err e;
    const char *ok = CHDR "a,allreduce,h100-sxm,dgx-h100,,8,8,ring,1073741824,350,s\n"
                     "b,allreduce,h100-sxm,dgx-h100,,8,8,,1073741824,350,s\n"
                     "c,allgather,h100-sxm,dgx-h100,,8,8,auto,1073741824,350,s\n";
    assert_int_equal(aif_validate_collectives_csv(cat, ok, strlen(ok), "c.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.rows[2].model, "allgather");
    aif_validation_free(&v);
    const char *bad_algo = CHDR "a,allreduce,h100-sxm,dgx-h100,,8,8,rings,1073741824,350,s\n";
    assert_int_equal(aif_validate_collectives_csv(cat, bad_algo, strlen(bad_algo), "c.csv", &v, &e), AIF_EINPUT);
    assert_string_equal(e.path, "algo");
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "unknown algo 'rings'"));
    /* by file: the built-in table, and a missing file named */
    assert_int_equal(aif_validate_collectives_file(cat, NULL, &v, &e), AIF_OK);
    assert_true(v.n > 0);
    aif_validation_free(&v);
    assert_int_equal(aif_validate_train_file(cat, "/nonexistent/t.csv", AIF_ENGINE_ESTIMATE, &v, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/t.csv");
#undef CHDR
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_table), cmocka_unit_test(test_statistics), cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_collectives),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
