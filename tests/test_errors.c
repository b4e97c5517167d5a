/* test_errors.c -- malformed scenarios: each is rejected with AIF_EINPUT, the
 * field path, the line, and a message saying what is accepted.  Never a crash,
 * never a silent default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/aifsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define OK_CLUSTER "cluster: {system: dgx-h100, gpus: 64}\n"
#define OK_MODEL "model: llama3-8b\n"

typedef struct bad_case {
    const char *yaml;
    const char *path;      /* expected substring of the field path */
    const char *msg;       /* expected substring of the message */
    int line;              /* expected line, 0 = not checked */
} bad_case;

static const bad_case cases[] = {
    {OK_CLUSTER OK_MODEL "trian: {tp: 2}\n", "trian", "did you mean 'train'", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 2, ppp: 2}\n", "train.ppp", "did you mean 'pp'", 3},
    {OK_CLUSTER OK_MODEL "train: {tensor_parallel: 2}\n", "train.tensor_parallel", "unknown key", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: two}\n", "train.tp", "not a number", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 1.5}\n", "train.tp", "whole number", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 0}\n", "train.tp", "out of range", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: -4}\n", "train.tp", "negative", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 3}\n", "train.tp", "gpus 64 is not divisible by tp*pp*cp", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 64}\n", "train.tp", "does not divide the model's 32 attention heads", 3},
    {OK_CLUSTER OK_MODEL "train: {tp: 2, dp: 16}\n", "train.dp", "tp*pp*cp*dp = 2*1*1*16 = 32", 3},
    {OK_CLUSTER OK_MODEL "train: {pp: 64, gbs: 256}\n", "train.pp", "exceeds the model's 32 layers", 3},
    {OK_CLUSTER OK_MODEL "train: {vpp: 2}\n", "train.vpp", "needs pipeline parallelism", 3},
    {OK_CLUSTER OK_MODEL "train: {ep: 2}\n", "train.ep", "needs a mixture-of-experts model", 3},
    {OK_CLUSTER "model: mixtral-8x7b\ntrain: {ep: 3}\n", "train.ep", "does not divide the model's 8 experts", 3},
    {OK_CLUSTER OK_MODEL "train: {gbs: 100}\n", "train.gbs", "not divisible by mbs*dp", 3},
    {OK_CLUSTER OK_MODEL "train: {pp: 2, vpp: 2, gbs: 96}\n", "train.gbs", "multiple of pp", 3},
    {OK_CLUSTER OK_MODEL "train: {cp: 2, seq: 4098}\n", "train.seq", "2*cp", 3},
    {OK_CLUSTER OK_MODEL "train: {precision: fp16}\n", "train.precision",
     "unknown value 'fp16'; did you mean 'bf16'? (accepted: bf16, fp8, fp4, nvfp4, mxfp4)", 3},
    {OK_CLUSTER OK_MODEL "train: {precision: fp32}\n", "train.precision", "'fp32' is not accepted here (accepted: bf16, fp8, fp4, nvfp4, mxfp4)", 3},
    {OK_CLUSTER OK_MODEL "train: {precision: bf61}\n", "train.precision", "did you mean 'bf16'? (accepted: bf16, fp8, fp4, nvfp4, mxfp4)", 3},
    {"cluster: {system: dgx-a100-80g, gpus: 8}\n" OK_MODEL "train: {precision: fp8}\n", "train.precision",
     "has no fp8", 3},
    {OK_CLUSTER OK_MODEL "train: {recompute: partial}\n", "train.recompute", "accepted: none, selective, full", 3},
    {OK_CLUSTER OK_MODEL "train: {optimizer: adam}\n", "train.optimizer", "accepted: none, distributed", 3},
    /* a newline in a value is written out as \n: the message stays on one line */
    {OK_CLUSTER OK_MODEL "train: {recompute: \"ful\\nl\"}\n", "train.recompute", "unknown value 'ful\\nl'", 3},
    {OK_CLUSTER OK_MODEL "train: {tokens: lots}\n", "train.tokens", "not a number", 3},
    {OK_CLUSTER OK_MODEL "train: {attention: flash}\n", "train.attention", "did you mean 'flash3'", 3},
    {OK_CLUSTER OK_MODEL "train: {tp_overlap: maybe}\n", "train.tp_overlap", "not a boolean", 3},
    {OK_CLUSTER OK_MODEL "train: [1, 2]\n", "train", "expected a mapping", 3},
    {OK_CLUSTER "model: lama3-8b\n", "model", "did you mean 'llama3-8b'", 2},
    {OK_CLUSTER "model: {base: llama3-8b, layres: 4}\n", "model.layres", "did you mean 'layers'", 2},
    {OK_CLUSTER "model: {layers: 4, hidden: 64}\n", "model", "needs 'heads'", 2},
    {OK_CLUSTER "model: {base: llama3-8b, kv_heads: 5}\n", "model", "not divisible by kv_heads", 2},
    /* a new width or a model built from its shape names its architecture */
    {OK_CLUSTER "model: {base: llama3-8b, hidden: 2048, heads: 16}\n", "model.arch", "would keep llama3-8b's architecture", 2},
    {OK_CLUSTER "model: {layers: 2, hidden: 64, heads: 4, ffn: 256, vocab: 100}\n", "model.arch", "needs its architecture", 2},
    {OK_CLUSTER "model: {base: llama3-8b, arch: bert}\n", "model.arch", "accepted: gpt", 2},
    {OK_CLUSTER "model: {base: llama3-8b, arch: gpt, hidden: 2048, heads: 16}\n", "model.max_seq", "learned positions need", 2},
    {OK_CLUSTER "model: {base: llama3-8b, activation: tanh}\n", "model.activation", "accepted: gelu", 2},
    {OK_CLUSTER "model: [a]\n", "model", "expected a model name", 2},
    {OK_CLUSTER "model: /nonexistent/m.yaml\n", "model", "cannot open", 2},
    {"cluster: {system: dgx-h1000, gpus: 8}\n" OK_MODEL, "cluster.system", "did you mean 'dgx-h100'", 1},
    {"cluster: {gpu: h10, gpus: 8}\n" OK_MODEL, "cluster.gpu", "did you mean 'h100-sxm'", 1},
    {"cluster: {gpu: gb200-nvl72, gpus: 8}\n" OK_MODEL, "cluster.gpu", "is a system, not a gpu", 1},
    {"cluster: {system: h100, gpus: 8}\n" OK_MODEL, "cluster.system", "is a gpu, not a system", 1},
    {OK_CLUSTER "model: dgx-h100\n", "model", "is a system, not a model", 2},
    {"cluster: {system: dgx-h100, gpus: 8, fabric: IB}\n" OK_MODEL, "cluster.fabric", "ib-hdr, ib-ndr, ib-xdr", 1},
    {"cluster: {system: dgx-h100}\n" OK_MODEL, "cluster.gpus", "missing", 1},
    {"cluster: {system: dgx-h100, gpus: 8, fabric: infiniband}\n" OK_MODEL, "cluster.fabric",
     "'infiniband' is a kind of fabric; name one: ib-hdr, ib-ndr, ib-xdr", 1},
    {"cluster: {system: dgx-h100, gpus: 8, fabric: ib-ndx}\n" OK_MODEL, "cluster.fabric", "did you mean 'ib-ndr'", 1},
    {"cluster: {system: dgx-h100, gpus: 8, nic_bw: 400}\n" OK_MODEL, "cluster.nic_bw", "no unit", 1},
    {"cluster: {system: dgx-h100, gpus: 8, nic_bw: 400GB}\n" OK_MODEL, "cluster.nic_bw", "is a size", 1},
    {"cluster: {system: dgx-h100, gpus: 8, gpus_per_node: 0}\n" OK_MODEL, "cluster.gpus_per_node", "out of range", 1},
    {"cluster: {gpus: 8}\n" OK_MODEL, "cluster", "name a system", 1},
    {OK_MODEL, "cluster", "missing", 0},
    {OK_CLUSTER, "model", "missing", 0},
    {OK_CLUSTER OK_MODEL "train:\n  tp: 2\n  tp: 4\n", "tp", "duplicate key", 5},
    {OK_CLUSTER OK_MODEL "train: {tp: 2\n", "", "YAML syntax error", 0},
    {OK_CLUSTER OK_MODEL "name: [x]\n", "name", "short text", 3},
    {"cluster: {system: dgx-h100, gpus: 99999999999}\n" OK_MODEL, "cluster.gpus", "too large (at most 1e+08)", 1},
    {"cluster: {system: dgx-h100, gpus: 65536}\n" OK_MODEL "train: {mbs: 65536, gbs: 1}\n", "train.gbs",
     "not divisible by mbs*dp = 65536*65536 = 4294967296", 3},
    {"cluster: {system: dgx-h100, gpus: 64}\n" OK_MODEL "train: {tp: 65536, pp: 65536}\n", "train.tp",
     "tp*pp*cp = 65536*65536*1 = 4294967296", 3},
    {OK_CLUSTER OK_MODEL "train: {tokens: 1e300T}\n", "train.tokens", "too large", 3},
    {OK_CLUSTER "model: {base: llama3-8b, hidden: 7}\n", "model", "hidden 7 is not divisible by heads 32", 2},
    {"cluster: {system: dgx-h100, gpus: 8, gpus_per_node: 8, scaleup_domain: 4}\n" OK_MODEL, "cluster.scaleup_domain",
     "smaller than gpus_per_node", 1},
};

static void test_bad_scenarios(void **state)
{
    (void)state;
    size_t n = sizeof cases / sizeof cases[0];
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        aif_scenario s;
        aif_err e;
        memset(&e, 0, sizeof e);
        aif_rc rc = aif_scenario_parse(cat, cases[i].yaml, strlen(cases[i].yaml), "bad.yaml", NULL, 0, &s, &e);
        char buf[1400];
        aif_err_format(&e, buf, sizeof buf);
        if (rc != AIF_EINPUT)
            fail_msg("case %zu accepted (rc %d): %s", i, rc, cases[i].yaml);
        if (!strstr(e.path, cases[i].path))
            fail_msg("case %zu: path '%s' lacks '%s' (%s)", i, e.path, cases[i].path, buf);
        if (!strstr(e.msg, cases[i].msg))
            fail_msg("case %zu: message '%s' lacks '%s'", i, e.msg, cases[i].msg);
        if (cases[i].line && e.line != cases[i].line)
            fail_msg("case %zu: line %d, expected %d (%s)", i, e.line, cases[i].line, buf);
    }
}

static void test_bad_overrides(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    aif_override ov[] = {{"train.tp", "banana", "--tp"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ov, 1, &s, &e), AIF_EINPUT);
    assert_string_equal(e.file, "--tp");
    assert_string_equal(e.path, "train.tp");
    aif_override ov2[] = {{"train.tpp", "8", "--set train.tpp"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ov2, 1, &s, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "did you mean 'tp'"));
    assert_string_equal(e.file, "--set train.tpp");
    aif_override ov3[] = {{"cluster.gpus", "1000", "--gpus"}, {"train.tp", "16", "--tp"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ov3, 2, &s, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "gpus 1000 is not divisible by tp*pp*cp = 16*1*1 = 16"));
    /* the default scenario itself is valid, and options refine it */
    aif_override ok[] = {{"cluster.gpus", "8192", "--gpus"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ok, 1, &s, &e), AIF_OK);
    assert_int_equal(s.train.par.dp, 64);
}

/* a GPU other than the system's takes the catalog system built around it */
static void test_system_follows_gpu(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    const char *y = "cluster: {system: dgx-h100, gpu: gb200, gpus: 72}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_string_equal(s.cluster.system.name, "gb200-nvl72");
    assert_int_equal(s.cluster.scaleup_domain, 72);
    /* and says so: what was asked, what is used, why */
    assert_int_equal(s.n_notes, 1);
    assert_string_equal(s.notes[0].field, "cluster.system");
    assert_string_equal(s.notes[0].asked, "dgx-h100");
    assert_string_equal(s.notes[0].used, "gb200-nvl72");
    assert_non_null(strstr(s.notes[0].why, "built around gb200"));
    /* a GPU whose system has another fabric: both substitutions are stated */
    y = "cluster: {system: dgx-h100, gpu: mi300x, gpus: 64}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(s.n_notes, 2);
    assert_string_equal(s.notes[1].field, "cluster.fabric");
    assert_string_equal(s.notes[1].asked, "ib-ndr");
    assert_string_equal(s.notes[1].used, "roce-400");
    /* a fabric named in the input is the input's choice: no note for it */
    y = "cluster: {system: dgx-h100, gpu: mi300x, gpus: 64, fabric: ib-ndr}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(s.n_notes, 1);
    /* a fabric faster than the system's NICs runs at the NICs' speed, and says so */
    y = "cluster: {system: dgx-a100-80g, gpus: 16, fabric: ib-xdr}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(s.n_notes, 1);
    assert_string_equal(s.notes[0].field, "cluster.nic_bw");
    assert_string_equal(s.notes[0].used, "200 Gb/s");
    /* the system's own GPU: nothing substituted */
    y = "cluster: {system: dgx-h100, gpu: h100-sxm, gpus: 8}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(s.n_notes, 0);
    /* a changed catalog model says so in its name, and derived sizes follow */
    y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: {base: llama3-8b, arch: llama, hidden: 2048, heads: 16}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t", NULL, 0, &s, &e), AIF_OK);
    assert_string_equal(s.model.name, "llama3-8b*");
    assert_int_equal(s.model.head_dim, 128);
    assert_true(s.model.params == 0);
}

/* One base rule for every subcommand (aif_scenario_load_job): options refine the
 * default scenario; they never switch to another base silently. */
static void test_base_rule(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    /* an option that does not reshape the job keeps the default's job whole (was: the
     * neutral base, llama3-8b on 8 GPUs) */
    aif_override keep[] = {{"train.tp_overlap", "false", "--set train.tp_overlap"}};
    assert_int_equal(aif_scenario_load_job(cat, NULL, keep, 1, &s, &e), AIF_OK);
    assert_string_equal(s.model.name, "llama3-405b");
    assert_int_equal(s.cluster.gpus, 16384);
    assert_int_equal(s.train.par.tp, 8);
    assert_int_equal(s.train.par.pp, 16);
    assert_string_equal(s.base, "built-in default scenario");
    assert_int_equal(s.n_options, 1);
    assert_int_equal(s.n_notes, 0);
    /* a GPU count the layout holds keeps the layout */
    aif_override half[] = {{"cluster.gpus", "8192", "--gpus"}};
    assert_int_equal(aif_scenario_load_job(cat, NULL, half, 1, &s, &e), AIF_OK);
    assert_int_equal(s.train.par.tp * s.train.par.pp * s.train.par.dp, 8192);
    assert_int_equal(s.train.par.tp, 8);
    assert_int_equal(s.n_notes, 0);
    /* naming the model makes another job: the default's layout is derived again, and said */
    aif_override small[] = {{"model", "llama3-8b", "--model"}, {"cluster.gpus", "8", "--gpus"}};
    assert_int_equal(aif_scenario_load_job(cat, NULL, small, 2, &s, &e), AIF_OK);
    assert_int_equal(s.train.par.tp, 1);
    assert_int_equal(s.train.par.pp, 1);
    assert_int_equal(s.train.par.dp, 8);
    assert_int_equal(s.train.gbs, 8);
    assert_int_equal(s.n_notes, 1);
    assert_string_equal(s.notes[0].field, "train");
    assert_non_null(strstr(s.notes[0].asked, "tp 8, pp 16"));
    assert_non_null(strstr(s.notes[0].used, "tp 1, pp 1"));
    assert_non_null(strstr(s.notes[0].why, "its own model"));
    /* what the options set themselves is kept */
    aif_override tp[] = {{"model", "llama3-70b", "--model"}, {"cluster.gpus", "64", "--gpus"},
                         {"train.tp", "8", "--tp"}};
    assert_int_equal(aif_scenario_load_job(cat, NULL, tp, 3, &s, &e), AIF_OK);
    assert_int_equal(s.train.par.tp, 8);
    assert_int_equal(s.train.par.dp, 8);
    /* a GPU count the layout cannot hold: derived again, and said */
    aif_override eight[] = {{"cluster.gpus", "8", "--gpus"}};
    assert_int_equal(aif_scenario_load_job(cat, NULL, eight, 1, &s, &e), AIF_OK);
    assert_string_equal(s.model.name, "llama3-405b");
    assert_int_equal(s.train.par.dp, 8);
    assert_non_null(strstr(s.notes[0].why, "its own GPU count"));
    /* the neutral base is named, never implied */
    aif_override gpus16[] = {{"cluster.gpus", "16", "--gpus"}};
    assert_int_equal(aif_scenario_load_job(cat, "neutral", gpus16, 1, &s, &e), AIF_OK);
    assert_string_equal(s.model.name, "llama3-8b");
    assert_string_equal(s.base, "built-in example neutral");
    assert_int_equal(s.train.par.dp, 16);
    /* the layout a file writes is the file's: a layout error there is reported, not dropped */
    aif_override set[] = {{"train.seq", "4096", "--seq"}};
    assert_int_equal(aif_scenario_load_job(cat, "mixtral-8x7b", set, 1, &s, &e), AIF_OK);
    assert_string_equal(s.base, "built-in example mixtral-8x7b");
    assert_int_equal(s.n_notes, 0);
    /* a file is named without its folder, so outputs do not depend on where it lies */
    char path[1024];
    snprintf(path, sizeof path, "%s/data/scenarios/mixtral-8x7b.yaml", AIFSIM_SOURCE_DIR);
    assert_int_equal(aif_scenario_load_job(cat, path, NULL, 0, &s, &e), AIF_OK);
    assert_string_equal(s.base, "file mixtral-8x7b.yaml");
}

static void test_missing_file(void **state)
{
    (void)state;
    aif_scenario s;
    aif_err e;
    assert_int_equal(aif_scenario_load(cat, "/nonexistent/x.yaml", NULL, 0, &s, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/x.yaml");
}

/* The binder keeps no state between loads: in one thread, loads with different
 * section sets, and a load nested in another (a model file), each see only their
 * own sections and report into their own error record. */
static void test_bind_context(void **state)
{
    (void)state;
    static aif_scenario a, b;
    aif_err ea, eb;
    /* a model that is not in the catalogs and a train section that would fail its checks:
     * a cluster-only load reads neither */
    const char *bad = "cluster: {system: dgx-h100, gpus: 64}\nmodel: no-such-model\ntrain: {tp: 3}\n";
    const char *good = "cluster: {system: dgx-h100, gpus: 16}\nmodel: llama3-8b\ntrain: {tp: 2}\n";
    for (int round = 0; round < 2; round++) {
        assert_int_equal(aif_scenario_parse_sections(cat, bad, strlen(bad), "bad.yaml", NULL, 0, AIF_SECTION_CLUSTER,
                                                     &a, &ea), AIF_OK);
        assert_int_equal(a.cluster.gpus, 64);
        assert_int_equal(a.model.layers, 0);   /* not bound */
        assert_int_equal(aif_scenario_parse(cat, good, strlen(good), "good.yaml", NULL, 0, &b, &eb), AIF_OK);
        assert_int_equal(b.train.par.tp, 2);
        assert_int_equal(b.train.par.dp, 8);
        assert_int_equal(aif_scenario_parse(cat, bad, strlen(bad), "bad.yaml", NULL, 0, &a, &ea), AIF_EINPUT);
        assert_string_equal(ea.path, "model");
        assert_int_equal(ea.line, 2);
        /* the model bound, the train section not: its impossible tp is not checked */
        assert_int_equal(aif_scenario_parse_sections(cat, good, strlen(good), "good.yaml", NULL, 0,
                                                     AIF_SECTION_CLUSTER | AIF_SECTION_MODEL, &b, &eb), AIF_OK);
        assert_string_equal(b.model.name, "llama3-8b");
        assert_int_equal(b.train.par.tp, 0);
    }
    /* a nested load: the scenario names a model file whose error is reported at the
     * model file's own line, into the caller's record; the cluster-only load of the same
     * scenario reads no model file at all */
    char dir[] = "/tmp/aifsim-bind-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char model[96], scen[96];
    snprintf(model, sizeof model, "%s/m.yaml", dir);
    snprintf(scen, sizeof scen, "%s/s.yaml", dir);
    FILE *f = fopen(model, "w");
    fputs("base: llama3-8b\nlayers: 8\nheads: many\n", f);
    fclose(f);
    f = fopen(scen, "w");
    fputs("cluster: {system: dgx-h100, gpus: 8}\nmodel: m.yaml\n", f);
    fclose(f);
    assert_int_equal(aif_scenario_load(cat, scen, NULL, 0, &a, &ea), AIF_EINPUT);
    assert_string_equal(ea.file, model);
    assert_int_equal(ea.line, 3);
    assert_string_equal(ea.path, "model.heads");
    assert_int_equal(aif_scenario_load_sections(cat, scen, NULL, 0, AIF_SECTION_CLUSTER, &b, &eb), AIF_OK);
    assert_int_equal(b.cluster.gpus, 8);
    remove(model);
    remove(scen);
    remove(dir);
}

/* A failed layout check points at the value its field path names, wherever it was
 * written; a value that came from a default points at the file alone. */
static void test_check_located(void **state)
{
    (void)state;
    static aif_scenario s;
    aif_err e;
    const char *y = "cluster:\n  system: dgx-h100\n  gpus: 64\n  scaleup_domain: 4\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "c.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.scaleup_domain");
    assert_int_equal(e.line, 4);
    assert_string_equal(e.file, "c.yaml");
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "c.yaml", NULL, 0, AIF_SECTION_CLUSTER, &s, &e),
                     AIF_EINPUT);
    assert_int_equal(e.line, 4);
    /* from an option: the option is the origin */
    const char *z = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n";
    aif_override ov = {"train.gbs", "3", "--gbs"};
    assert_int_equal(aif_scenario_parse(cat, z, strlen(z), "z.yaml", &ov, 1, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.gbs");
    assert_string_equal(e.file, "--gbs");
    const char *w = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {tp: 2, dp: 4}\n";
    assert_int_equal(aif_scenario_parse(cat, w, strlen(w), "w.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.dp");
    assert_int_equal(e.line, 3);
    /* a defaulted value (seq 4096, not divisible by 2*cp): the file, no line */
    const char *v = "cluster: {system: dgx-h100, gpus: 48}\nmodel: llama3-8b\ntrain: {cp: 3}\n";
    assert_int_equal(aif_scenario_parse(cat, v, strlen(v), "v.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.path, "train.seq");
    assert_string_equal(e.file, "v.yaml");
    assert_int_equal(e.line, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_scenarios), cmocka_unit_test(test_bad_overrides),
        cmocka_unit_test(test_system_follows_gpu),
        cmocka_unit_test(test_base_rule), cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_bind_context), cmocka_unit_test(test_check_located),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
