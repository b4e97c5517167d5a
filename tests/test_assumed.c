/* test_assumed.c -- inputs mean what the user wrote: the training settings that move a
 * result by more than a few percent and that nobody wrote (a code default, or the
 * built-in default scenario's) are listed in aif_scenario.assumed, which the text
 * output prints; a setting given by an option or by the user's own scenario is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/aifsim.h"
#include "aifsim/run.h"

#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

static void has(const char *text, const char *needle, int yes)
{
    if (!strstr(text, needle) != !yes)
        fail_msg("'%s' %s '%s'", text, yes ? "lacks" : "holds", needle);
}

static void test_default_scenario(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_load(cat, NULL, NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "framework megatron-core", 1);
    has(s.assumed, "attention flash3", 1);
    has(s.assumed, "tp_overlap on", 1);
    has(s.assumed, "dp_overlap on", 1);
    has(s.assumed, "ep_overlap", 0);   /* no expert parallelism: nothing to assume */
    aif_override ov[] = {{"train.framework", "torchtitan", "--framework"},
                         {"train.tp_overlap", "false", "--set"}, {"train.recompute", "full", "--recompute"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ov, 3, &s, &e), AIF_OK);
    has(s.assumed, "framework", 0);
    has(s.assumed, "tp_overlap", 0);
    has(s.assumed, "recompute", 0);
    has(s.assumed, "dp_overlap on", 1);
}

static void test_everything_given(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\n"
                    "train: {tp: 2, pp: 1, mbs: 1, gbs: 16, seq: 4096, precision: fp8, recompute: none, "
                    "optimizer: distributed, attention: flash3, sp: true, tp_overlap: false, dp_overlap: true, "
                    "framework: megatron-core, grad_dtype: fp32, moments_dtype: fp32, fp8_params: false, "
                    "fp8_act_input: false, dp_bucket: 40M}\n";
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_string_equal(s.assumed, "");
    /* the user's file leaves mbs and the overlaps out: code defaults, listed */
    y = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {tp: 2, gbs: 16, seq: 4096}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "mbs 1", 1);
    has(s.assumed, "framework megatron-core", 1);
    has(s.assumed, "grad_dtype fp32", 1);   /* the distributed optimizer's gradient buffer */
    has(s.assumed, "moments_dtype fp32", 1);   /* Adam's moments, under any optimizer */
    has(s.assumed, "fp8_params", 0);   /* bf16: no fp8 weights to choose */
    has(s.assumed, "dp_bucket 40M", 1);   /* Megatron-Core's default bucket at dp 8: max(40M, 8M) */
    y = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {tp: 2, gbs: 16, seq: 4096, precision: fp8}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "fp8_params false", 1);   /* an fp8 recipe's weights: 1 or 3 bytes */
    has(s.assumed, "fp8_act_input false", 1);   /* a SwiGLU input in bf16 or fp8 */
    y = "cluster: {system: dgx-h100, gpus: 16}\nmodel: gpt3-175b\ntrain: {tp: 8, gbs: 16, seq: 2048, optimizer: fsdp}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "fp8_act_input", 0);   /* GELU: no choice to make */
    has(s.assumed, "dp_bucket", 0);   /* dp 2 under FSDP: no Megatron-Core bucket */
    y = "cluster: {system: dgx-h100, gpus: 16}\nmodel: gpt3-175b\ntrain: {tp: 8, gbs: 16, seq: 2048, optimizer: zero1}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "dp_bucket 40M", 1);   /* zero1's gradients reduced in the same buckets */
    /* a layout the search fills: dp not known yet, the default as Megatron-Core writes it */
    y = "cluster: {system: dgx-h100, gpus: 512}\nmodel: llama3-8b\ntrain: {tp: auto, gbs: 512, seq: 4096}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "dp_bucket max(40M, 1M x dp)", 1);
}

/* The note for a setting without effect, or NULL. */
static const aif_note *note_of(const aif_scenario *s, const char *field)
{
    for (int i = 0; i < s->n_notes; i++)
        if (!strcmp(s->notes[i].field, field))
            return &s->notes[i];
    return NULL;
}

/* The run of a job given as YAML (its layout searched where written auto); the caller frees it. */
static aif_train_run *run_yaml(const char *y)
{
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    aif_train_run *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(aif_run_train(cat, &s, NULL, r, &e), AIF_OK);
    return r;
}

/* A setting the layout leaves without effect is a substitution to "unused", never silent; one
 * the layout uses is not; cp > 1 at dp 1 still reduces the gradients (over cp), so the data-
 * parallel settings are assumed there. */
static void test_unused_noted(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
                    "train: {tp: 1, cp: 1, gbs: 8, seq: 4096, sp: true, cp_comm: a2a, ep_dispatch: deepep}\n";
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    const aif_note *n = note_of(&s, "train.cp_comm");
    assert_non_null(n);
    assert_string_equal(n->asked, "a2a");
    assert_string_equal(n->used, "unused");
    has(n->why, "cp is 1", 1);
    assert_non_null(n = note_of(&s, "train.sp"));
    assert_string_equal(n->asked, "true");
    assert_non_null(note_of(&s, "train.ep_dispatch"));
    assert_null(note_of(&s, "train.tp_overlap"));   /* not written: nothing to note */
    /* at cp 2 and tp 2 the same settings act: no note */
    y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\n"
        "train: {tp: 2, cp: 2, gbs: 8, seq: 4096, sp: true, cp_comm: a2a}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_null(note_of(&s, "train.cp_comm"));
    assert_null(note_of(&s, "train.sp"));
    /* a layout written auto is judged once its search has filled it (aif_run_train) */
    y = "cluster: {system: dgx-h100, gpus: 1}\nmodel: mpt-125m\n"
        "train: {tp: 1, cp: auto, gbs: 8, seq: 2048, cp_comm: allgather}\n";   /* one GPU: cp comes to 1 */
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_null(note_of(&s, "train.cp_comm"));
    aif_train_run *r = malloc(sizeof *r);
    assert_non_null(r);
    assert_int_equal(aif_run_train(cat, &s, NULL, r, &e), AIF_OK);
    assert_int_equal(r->scenario.train.par.cp, 1);
    assert_non_null(n = note_of(&r->scenario, "train.cp_comm"));
    assert_string_equal(n->asked, "allgather");
    free(r);
    /* the assumed list is the found layout's: tp auto comes to 8 on 8 GPUs, dp 1, so sp and
     * tp_overlap are assumed and the data-parallel settings are not */
    r = run_yaml("cluster: {system: dgx-b200, gpus: 8}\nmodel: llama3-70b\n"
                 "train: {tp: auto, pp: 1, gbs: 8, seq: 4096, recompute: full}\n");
    assert_int_equal(r->scenario.train.par.tp, 8);
    has(r->scenario.assumed, "sp on", 1);
    has(r->scenario.assumed, "tp_overlap", 1);
    has(r->scenario.assumed, "dp_overlap", 0);
    has(r->scenario.assumed, "optimizer", 0);
    has(r->scenario.assumed, "dp_bucket", 0);
    free(r);
    /* sequence parallelism written off stays off in the layout the search finds (it had
     * come back on wherever tp > 1) */
    r = run_yaml("cluster: {system: dgx-b200, gpus: 8}\nmodel: llama3-70b\n"
                 "train: {tp: auto, pp: 1, gbs: 8, seq: 4096, recompute: full, sp: false}\n");
    assert_true(r->scenario.train.par.tp > 1);
    assert_false(r->scenario.train.par.sp);
    free(r);
    /* cp 8 at dp 1: the reduction is over cp, so the optimizer and dp_overlap are assumed */
    y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 1, cp: 8, gbs: 1, seq: 32768}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "job.yaml", NULL, 0, &s, &e), AIF_OK);
    has(s.assumed, "optimizer distributed", 1);
    has(s.assumed, "dp_overlap on", 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_scenario),
        cmocka_unit_test(test_everything_given),
        cmocka_unit_test(test_unused_noted),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
