/* fuzz_validation.c -- fuzz target for the validation table readers (libcsv):
 * the training table (validation/train.csv format, aif_validate_csv), the
 * peak-memory table (its columns, aif_validate_memory_csv) and the nccl-tests table
 * (validation/collectives.csv format, aif_validate_collectives_csv); every input goes
 * to all three.  Invariant checked:
 * each reader returns rows with finite positive predictions, or rejects the input
 * with AIF_EINPUT and a message; nothing crashes, hangs or leaks.  Driver:
 * fuzz_driver.c. */
#include "aifsim/aifsim.h"
#include "aifsim/validate.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

const char fuzz_name[] = "fuzz_validation";
const char *const fuzz_dict[] = {
    ",", "\n", "\r\n", "\"", "\"\"", ",,", "step_time_s", "tokens_per_s_per_gpu", "tflops_per_gpu", "mfu",
    "megatron", "megatron_recompute", "6nd", "6nd_attn", "model", "llama3-8b", "llama3-405b", "mixtral-8x7b",
    "dgx-h100", "dgx-a100-80g", "h100-sxm", "nvlink4", "ib-ndr", "allreduce", "allgather", "reducescatter",
    "alltoall", "sendrecv", "ring", "tree", "nvls", "auto", "busbw_GBps", "time_us", "1048576", "0", "-1",
    "1e308", "nan", "65536", "\xEF\xBB\xBF", "peak_memory_gib", "lora_rank", "lora_targets", "qkv", "attention", "all", "notes"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static long n_train, n_mem, n_coll;   /* inputs each reader accepted */
static void free_catalog(void)
{
    aif_catalog_free(cat);
    printf("fuzz_validation: accepted as training rows %ld, as memory rows %ld, as nccl-tests rows %ld\n", n_train,
           n_mem, n_coll);
}

static void check(aif_rc rc, const aif_validation *v, const aif_err *e)
{
    if (rc == AIF_OK) {
        if (v->n <= 0)
            abort();
        for (int i = 0; i < v->n; i++)
            if (!(v->rows[i].predicted > 0) || !isfinite(v->rows[i].predicted))
                abort();
    } else if (rc != AIF_EINPUT || !e->msg[0]) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err e;
    if (!cat) {
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
            abort();
        atexit(free_catalog);
    }
    aif_validation v;
    aif_rc rc = aif_validate_csv(cat, (const char *)data, size, "fuzz.csv", &v, &e);
    check(rc, &v, &e);
    n_train += rc == AIF_OK;
    if (rc == AIF_OK)
        aif_validation_free(&v);
    rc = aif_validate_memory_csv(cat, (const char *)data, size, "fuzz.csv", &v, &e);
    check(rc, &v, &e);
    n_mem += rc == AIF_OK;
    if (rc == AIF_OK)
        aif_validation_free(&v);
    rc = aif_validate_collectives_csv(cat, (const char *)data, size, "fuzz.csv", &v, &e);
    check(rc, &v, &e);
    n_coll += rc == AIF_OK;
    if (rc == AIF_OK)
        aif_validation_free(&v);
    return 0;
}
