/* test_api.c -- the flat entry of include/aifsim/api.h that other languages bind:
 * its JSON equals the command line's golden --json outputs byte for byte; overrides
 * refine the default scenario, as on the command line; errors name
 * the file, line, field and the option they came from; bad arguments are refused,
 * never crashed on; the option table is well formed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/api.h"
#include "aifsim/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The golden file as the CLI printed it, without puts' final newline. */
static char *golden(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/%s", AIFSIM_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    assert_true(n > 0 && buf[n - 1] == '\n');
    buf[n - 1] = '\0';
    return buf;
}

static void default_equals_cli(void **st)
{
    (void)st;
    char *json;
    aif_err e;
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 0, NULL, 0, AIF_ENGINE_ESTIMATE,
                                    &json, &e), AIF_OK);
    assert_string_equal(json, golden("default.json"));
    aif_free(json);
}

static void example_file_and_name_equal_cli(void **st)
{
    (void)st;
    char *a, *b, path[1024];
    aif_err e;
    snprintf(path, sizeof path, "%s/data/scenarios/mixtral-8x7b.yaml", AIFSIM_SOURCE_DIR);
    assert_int_equal(aif_train_json(path, AIF_FROM_FILE, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, &a, &e), AIF_OK);
    assert_string_equal(a, golden("mixtral.json"));
    assert_int_equal(aif_train_json("mixtral-8x7b", AIF_FROM_FILE, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, &b, &e), AIF_OK);
    /* the same run; only the base is named differently */
    assert_non_null(strstr(a, "\"base\": \"file mixtral-8x7b.yaml\""));
    assert_non_null(strstr(b, "\"base\": \"built-in example mixtral-8x7b\""));
    assert_string_equal(strstr(a, "\"options\""), strstr(b, "\"options\""));
    aif_free(a);
    aif_free(b);
}

static void overrides_refine_the_default(void **st)
{
    (void)st;
    const char *paths[] = {"cluster.gpus", "train.tp"}, *values[] = {"16", "2"};
    char *json;
    aif_err e;
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, paths, values, NULL, 2, NULL, 0, 0, &json, &e), AIF_OK);
    /* the default scenario stays the base, named first with what was substituted */
    assert_non_null(strstr(json, "\"scenario\": \"llama3-405b-pretrain\",\n  \"base\": \"built-in default scenario\""));
    assert_non_null(strstr(json, "\"model\": \"llama3-405b\""));
    assert_non_null(strstr(json, "\"gpus\": 16"));
    assert_non_null(strstr(json, "\"field\": \"train\""));
    aif_free(json);
    /* the neutral base by name */
    assert_int_equal(aif_train_json("neutral", AIF_FROM_FILE, NULL, paths, values, NULL, 2, NULL, 0, 0, &json, &e),
                     AIF_OK);
    assert_non_null(strstr(json, "\"base\": \"built-in example neutral\""));
    assert_non_null(strstr(json, "\"model\": \"llama3-8b\""));
    aif_free(json);
}

static void text_scenario_and_sim_engine(void **st)
{
    (void)st;
    const char *text = "{\"cluster\": {\"system\": \"dgx-h100\", \"gpus\": 16}, \"model\": \"llama3-8b\", "
                       "\"train\": {\"tp\": 2, \"pp\": 2, \"gbs\": 16, \"seq\": 2048}}";
    char *est, *sim;
    aif_err e;
    assert_int_equal(aif_train_json(text, AIF_FROM_TEXT, "<dict>", NULL, NULL, NULL, 0, NULL, 0, AIF_ENGINE_ESTIMATE,
                                    &est, &e), AIF_OK);
    assert_int_equal(aif_train_json(text, AIF_FROM_TEXT, "<dict>", NULL, NULL, NULL, 0, NULL, 0, AIF_ENGINE_SIM, &sim,
                                    &e), AIF_OK);
    assert_non_null(strstr(est, "\"engine\": \"estimate\""));
    assert_non_null(strstr(sim, "\"engine\": \"sim\""));
    assert_null(strstr(est, "\"network\""));
    assert_non_null(strstr(sim, "\"network\""));
    aif_free(est);
    aif_free(sim);
}

static void errors_name_file_line_field_and_origin(void **st)
{
    (void)st;
    char *json = (char *)1;
    aif_err e;
    const char *text = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain:\n  tpp: 2\n";
    assert_int_equal(aif_train_json(text, AIF_FROM_TEXT, "job.yaml", NULL, NULL, NULL, 0, NULL, 0, 0, &json, &e),
                     AIF_EINPUT);
    assert_null(json);
    assert_string_equal(e.file, "job.yaml");
    assert_int_equal(e.line, 4);
    assert_string_equal(e.path, "train.tpp");
    assert_non_null(strstr(e.msg, "did you mean 'tp'"));

    const char *paths[] = {"train.tp"}, *values[] = {"x"}, *origins[] = {"tp="};
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, paths, values, origins, 1, NULL, 0, 0, &json, &e),
                     AIF_EINPUT);
    assert_string_equal(e.file, "tp=");
    assert_string_equal(e.path, "train.tp");

    assert_int_equal(aif_train_json("/nonexistent/job.yaml", AIF_FROM_FILE, NULL, NULL, NULL, NULL, 0, NULL, 0, 0,
                                    &json, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/job.yaml");
    const char *cats[] = {"/nonexistent/cat.yaml"};
    assert_int_equal(aif_catalog_json("gpus", NULL, cats, 1, &json, &e), AIF_EIO);
}

static void bad_arguments_are_refused(void **st)
{
    (void)st;
    char *json;
    aif_err e;
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 0, NULL, 0, 7, &json, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "engine 7"));
    assert_int_equal(aif_train_json(NULL, 9, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, &json, &e), AIF_EINPUT);
    assert_int_equal(aif_train_json(NULL, AIF_FROM_TEXT, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, &json, &e), AIF_EINPUT);
    assert_int_equal(aif_train_json(NULL, AIF_FROM_FILE, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, &json, &e), AIF_EINPUT);
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 3, NULL, 0, 0, &json, &e), AIF_EINPUT);
    const char *paths[] = {"train.tp"}, *values[] = {NULL};
    assert_int_equal(aif_train_json(NULL, AIF_FROM_DEFAULT, NULL, paths, values, NULL, 1, NULL, 0, 0, &json, &e),
                     AIF_EINPUT);
    assert_null(json);
}

/* Runs after the train tests on purpose: their writer leaves json-c's number format
 * changed on this thread, and the catalog must not depend on what ran before. */
static void catalog_equals_cli(void **st)
{
    (void)st;
    char *json;
    aif_err e;
    assert_int_equal(aif_catalog_json("gpus", "h100-sxm", NULL, 0, &json, &e), AIF_OK);
    assert_string_equal(json, golden("catalog-h100.json"));
    aif_free(json);
    assert_int_equal(aif_catalog_json(NULL, NULL, NULL, 0, &json, &e), AIF_OK);
    for (const char *k = "gpus\0systems\0fabrics\0models\0"; *k; k += strlen(k) + 1) {
        char key[32];
        snprintf(key, sizeof key, "\"%s\": [", k);
        assert_non_null(strstr(json, key));
    }
    aif_free(json);
    assert_int_equal(aif_catalog_json("gpu", NULL, NULL, 0, &json, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "did you mean 'gpus'"));
    assert_string_equal(e.path, "");
    assert_int_equal(aif_catalog_json("gpus", "h100-sx", NULL, 0, &json, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "did you mean 'h100-sxm'"));
    assert_string_equal(e.path, "gpus");
    assert_null(json);
}

/* Serving: the same JSON as `aifsim infer ... --json` (its golden), the default base
 * refined by options, and a bad field refused with its path. */
static void infer_equals_cli(void **st)
{
    (void)st;
    const char *paths[] = {"model", "cluster.gpus", "serve.tp", "serve.mode", "serve.requests", "serve.input_tokens",
                           "serve.output_tokens"};
    const char *values[] = {"llama3-8b", "8", "1", "offline", "2000", "1000", "200"};
    char *json;
    aif_err e;
    assert_int_equal(aif_infer_json(NULL, AIF_FROM_DEFAULT, NULL, paths, values, NULL, 7, NULL, 0, &json, &e), AIF_OK);
    assert_string_equal(json, golden("infer-offline.json"));
    aif_free(json);
    const char *bad[] = {"3"};
    assert_int_equal(aif_infer_json(NULL, AIF_FROM_DEFAULT, NULL, paths + 2, bad, NULL, 1, NULL, 0, &json, &e),
                     AIF_EINPUT);
    assert_null(json);
    assert_string_equal(e.path, "serve.tp");
    assert_int_equal(aif_infer_json(NULL, 9, NULL, NULL, NULL, NULL, 0, NULL, 0, &json, &e), AIF_EINPUT);
    const aif_option *o = aif_infer_options();
    int n = 0, qps = 0;
    for (; o[n].option; n++)
        qps |= !strcmp(o[n].option, "qps") && !strcmp(o[n].path, "serve.qps");
    assert_true(qps && n >= 10);
}

/* The many-job cluster: the default job over 54 days equals the CLI's golden output's
 * figures (checked by pytest byte for byte); a trace without its format, or a format
 * that needs a trace without one, is refused. */
static void cluster_json(void **st)
{
    (void)st;
    const char *paths[] = {"operations.horizon"}, *values[] = {"54d"};
    char *json;
    aif_err e;
    assert_int_equal(aif_cluster_json(NULL, AIF_FROM_DEFAULT, NULL, paths, values, NULL, 1, NULL, 0, NULL, NULL, &json,
                                      &e), AIF_OK);
    assert_non_null(strstr(json, "\"ettr\""));
    aif_free(json);
    assert_int_equal(aif_cluster_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 0, NULL, 0, "x.csv", NULL, &json,
                                      &e), AIF_EINPUT);
    assert_int_equal(aif_cluster_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, "helios", &json,
                                      &e), AIF_EINPUT);
    assert_int_equal(aif_cluster_json(NULL, AIF_FROM_DEFAULT, NULL, NULL, NULL, NULL, 0, NULL, 0, NULL, "lifo", &json,
                                      &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "accepted: philly"));
    assert_null(json);
}

static void option_table(void **st)
{
    (void)st;
    const aif_option *o = aif_train_options();
    int n = 0, tp = 0;
    for (; o[n].option; n++) {
        assert_non_null(o[n].path);
        assert_true(o[n].option[0] != '-');
        tp |= !strcmp(o[n].option, "tp") && !strcmp(o[n].path, "train.tp");
    }
    assert_true(n > 20);
    assert_true(tp);
    assert_null(o[n].path);
    assert_string_equal(aif_version(), AIF_VERSION);
    aif_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(default_equals_cli),
        cmocka_unit_test(example_file_and_name_equal_cli),
        cmocka_unit_test(overrides_refine_the_default),
        cmocka_unit_test(text_scenario_and_sim_engine),
        cmocka_unit_test(errors_name_file_line_field_and_origin),
        cmocka_unit_test(bad_arguments_are_refused),
        cmocka_unit_test(catalog_equals_cli),
        cmocka_unit_test(option_table),
        cmocka_unit_test(infer_equals_cli),
        cmocka_unit_test(cluster_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
