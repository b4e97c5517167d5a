/* fuzz_catalog.c -- fuzz target for the catalog reader (aif_catalog_add_file: a
 * user catalog of gpus, systems, fabrics, models and calibration entries).
 * Invariant checked: every input is added, or rejected with AIF_EINPUT and a
 * message, leaving a catalog that still loads the default scenario or rejects it
 * cleanly; nothing crashes, hangs or leaks.  Driver: fuzz_driver.c. */
#include "aifsim/aifsim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char fuzz_name[] = "fuzz_catalog";
const char *const fuzz_dict[] = {
    "gpus:\n", "systems:\n", "fabrics:\n", "models:\n", "calibration:\n", "fabric_defaults:\n",
    "    switch_radix: 64\n", "    workspace: 2GiB\n", "  h100-sxm:\n", "  dgx-h100:\n",
    "  ib-ndr:\n", "  llama3-8b:\n", "  hopper:\n", "    arch: hopper\n", "    gpu: h100-sxm\n",
    "    peak_tflops: {bf16: 989}\n", "    hbm: 80GB\n", "    hbm_bw: 3.35TB/s\n", "    tdp: 700W\n",
    "    layers: 32\n", "    hidden: 4096\n", "    heads: 32\n", "    vocab: 128256\n", "    base: llama3-8b\n",
    "    sources: {all: \"x\"}\n", "    aliases: [h100, H100-SXM5]\n", "    params: 8B\n", "    fabric: ib-ndr\n", "    matmul_eff: 0.7\n", "    port_bw: 400Gb/s\n", "    kind: infiniband\n",
    "400Gb/s", "80GiB", "1e308", "-1", "0", "nan", "{", "}", "[", "]", ": ", "\n  ", "\n    ", "&a ", "*a",
    "!!str ", "---\n", "'", "\"", "~", "null"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static char path[64];
static long n_added, n_usable;   /* inputs added; of those, with a scenario that estimates */
static void remove_file(void)
{
    remove(path);
    printf("fuzz_catalog: added %ld, of which %ld still estimate the scenario\n", n_added, n_usable);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/aifsim-fuzz-catalog-%ld.yaml", (long)getpid());
        atexit(remove_file);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    aif_catalog *cat;
    aif_err e;
    if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
        abort();
    aif_rc rc = aif_catalog_add_file(cat, path, &e);
    if (rc == AIF_OK) {
        n_added++;
        /* what was accepted is usable: the default scenario loads and estimates, or is rejected */
        aif_scenario s;
        rc = aif_scenario_load(cat, "llama3-8b-8gpu", NULL, 0, &s, &e);
        if (rc == AIF_OK) {
            aif_train_result r;
            rc = aif_estimate(&s, &r, &e);
            if (rc == AIF_OK && !(r.step_time_s > 0))
                abort();
            n_usable += rc == AIF_OK;
        }
    }
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    aif_catalog_free(cat);
    return 0;
}
