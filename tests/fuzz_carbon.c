/* fuzz_carbon.c -- fuzz target for the hourly carbon-intensity CSV the facility
 * reads (facility.carbon: a header, hour,g_per_kWh or g_per_kWh, then a row per hour).  The input is
 * written to a file, a scenario naming it is loaded (the file is read then), and
 * the site is evaluated.  Invariant
 * checked: every input gives a non-negative carbon figure, or is rejected with
 * AIF_EINPUT and a message; nothing crashes, hangs or leaks.  Driver: fuzz_driver.c. */
#include "aifsim/aifsim.h"
#include "aifsim/facility.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char fuzz_name[] = "fuzz_carbon";
const char *const fuzz_dict[] = {"\n", "\r\n", ",", " ", "\t", "hour,g_per_kWh\n", "g_per_kWh\n", "0,", "\"0\"",  "0", "1", "-1", "1e5", "99999",
                                 "1e308", "nan", "inf", "0x10", "1.5e2", "\"", "\n\n", "#"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static aif_scenario s;
static aif_train_result r;
static char path[64];

static long n_read;   /* inputs read as hourly intensities */

static void cleanup(void)
{
    printf("fuzz_carbon: read %ld inputs as hourly intensities\n", n_read);
    remove(path);
    aif_catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err e;
    if (!cat) {
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
            abort();
        snprintf(path, sizeof path, "/tmp/aifsim-fuzz-carbon-%ld.csv", (long)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    /* a run of days (1T tokens): many hours of the file */
    const aif_override ov[] = {{"facility.carbon", path, "--set facility.carbon"}, {"train.tokens", "1T", "--tokens"}};
    aif_rc rc = aif_scenario_load(cat, "llama3-8b-8gpu", ov, 2, &s, &e);
    if (rc == AIF_OK && aif_estimate(&s, &r, &e) != AIF_OK)
        abort();
    static aif_facility_result fa;
    if (rc == AIF_OK)
        rc = aif_facility_eval(&s, aif_catalog_facility(cat), &r, &fa, &e);
    if (rc == AIF_OK && !(fa.co2_kg >= 0))
        abort();
    n_read += rc == AIF_OK;
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    return 0;
}
