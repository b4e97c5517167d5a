/* fuzz_scenario.c -- fuzz target for the scenario parser and the estimate.
 * Built normally it runs under the shared driver (tests/fuzz_driver.c: the corpus,
 * then mutations of it from a seed, for a number of inputs or of seconds).  Built
 * with -fsanitize=fuzzer -DAIF_LIBFUZZER the same entry point runs under libFuzzer
 * for long campaigns (see docs/TESTING.md).
 * Invariant checked: every input either loads and estimates, or is rejected
 * with AIF_EINPUT and a message; the same as a serving scenario (its serve
 * section, the memory of a replica's GPU); nothing crashes, hangs or leaks. */
#include "aifsim/aifsim.h"
#include "aifsim/serve.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "fuzz_scenario";
const char *const fuzz_dict[] = {
    "tp: ", "pp: ", "vpp: ", "cp: ", "ep: ", "dp: ", "gbs: ", "mbs: ", "seq: ", "model: ", "cluster:", "train:",
    "gpus: ", "system: ", "400Gb/s", "80GiB", "1e308", "-1", "0", "99999999999", "{", "}", "[", "]", ": ", "\n  ",
    "&a ", "*a", "!!str ", "---\n", "'", "\"", "\\x00", "llama3-405b", "deepseek-v3", "dgx-h100", "fp8", "full",
    "zero3", "base: ", "moe: {experts: 0}", "layers: 1000000", "serve:", "replicas: ", "qps: ", "mode: offline",
    "input_tokens: {dist: lognormal, mean: 100, max: 10}", "slo: {ttft_p99: 1s}", "arrival: {dist: gamma, cv: 0}",
    "kv_precision: fp4", "trace: x.csv"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static long n_accepted;   /* inputs that loaded and estimated */

static void free_catalog(void)
{
    printf("fuzz_scenario: %ld inputs loaded and estimated\n", n_accepted);
    aif_catalog_free(cat);
    cat = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat) {
        aif_err e;
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
            abort();
        atexit(free_catalog);
    }
    aif_scenario s;
    aif_err e;
    aif_rc rc = aif_scenario_parse(cat, (const char *)data, size, "fuzz.yaml", NULL, 0, &s, &e);
    if (rc == AIF_OK) {
        aif_train_result r;
        rc = aif_estimate(&s, &r, &e);
        if (rc == AIF_OK && !(r.step_time_s > 0))
            abort();
        n_accepted += rc == AIF_OK;
    }
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    /* the same text as a serving scenario: the serve section bound and checked, the
     * memory of a replica's GPU evaluated (the simulation is fuzz_trace's) */
    rc = aif_scenario_parse_sections(cat, (const char *)data, size, "fuzz.yaml", NULL, 0,
                                     AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE,
                                     &s, &e);
    if (rc == AIF_OK) {
        aif_serve_memory m;
        rc = aif_serve_memory_eval(&s, &m, &e);
        if (rc == AIF_OK && !(m.kv_blocks >= 1 && m.weights_bytes > 0))
            abort();
    }
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    /* the same text as a many-job cluster run: the operations section bound and checked */
    rc = aif_scenario_parse_sections(cat, (const char *)data, size, "fuzz.yaml", NULL, 0,
                                     AIF_SECTION_ALL | AIF_SECTION_OPS, &s, &e);
    if (rc == AIF_OK) {
        const aif_ops *o = &s.ops;
        for (int c = 0; c < AIF_N_FAIL; c++)
            if (!(o->fail_per_day[c] >= 0 && o->repair_s[c] >= 0))
                abort();
        if (o->queue_depth < 1 || o->las_queues < 1 || !(o->storage_bw_Bps > 0) || !(o->straggler_slowdown >= 1) ||
            o->policy < 0 || o->policy >= AIF_N_POLICY || o->placement < 0 || o->placement >= AIF_N_PLACEMENT)
            abort();
    }
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    return 0;
}
