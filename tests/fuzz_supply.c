/* fuzz_supply.c -- fuzz target for a supply source's hourly profile CSV
 * (facility.supply[i].profile: a header, hour,capacity_factor or capacity_factor,
 * then a row per hour).  The input is written to a file, a scenario whose solar PPA
 * names it is loaded (the file is read then) beside a capped grid, and the site is
 * evaluated.  Invariants checked: every input is dispatched with the sources' energy
 * plus the energy not served equal to the run's energy, no source above its
 * nameplate, or is rejected with AIF_EINPUT and a message; nothing crashes, hangs or
 * leaks.  Driver: fuzz_driver.c. */
#include "aifsim/aifsim.h"
#include "aifsim/facility.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char fuzz_name[] = "fuzz_supply";
const char *const fuzz_dict[] = {"\n", "\r\n", ",", " ", "\t", "hour,capacity_factor\n", "capacity_factor\n", "0,",
                                 "\"0\"", "0", "1", "0.5", "-1", "1.0000001", "1e-300", "nan", "inf", "0x1", "\"",
                                 "\n\n", "#"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static aif_scenario s;
static aif_train_result r;
static char path[64], supply[160];

static long n_read;   /* inputs read as profiles */

static void cleanup(void)
{
    printf("fuzz_supply: read %ld inputs as hourly profiles\n", n_read);
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
        snprintf(path, sizeof path, "/tmp/aifsim-fuzz-supply-%ld.csv", (long)getpid());
        snprintf(supply, sizeof supply, "[{kind: grid, capacity: 20kW}, {kind: ppa_solar, capacity: 50kW, price: "
                 "1USD/MWh, profile: %s}]", path);
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    /* a run of days: many hours of the profile */
    const aif_override ov[] = {{"facility.supply", supply, "--set facility.supply"}, {"train.tokens", "100B", "--tokens"}};
    aif_rc rc = aif_scenario_load(cat, "llama3-8b-8gpu", ov, 2, &s, &e);
    if (rc == AIF_OK && aif_estimate(&s, &r, &e) != AIF_OK)
        abort();
    static aif_facility_result fa;
    if (rc == AIF_OK)
        rc = aif_facility_eval(&s, aif_catalog_facility(cat), &r, &fa, &e);
    if (rc == AIF_OK) {
        const aif_supply_result *sr = &fa.supply;
        if (sr->n != 2 || !(sr->short_J >= 0) || !(sr->co2_kg >= 0) ||
            fabs(sr->energy_J + sr->short_J - fa.energy_J) > 1e-9 * fa.energy_J)
            abort();
        for (int h = 0; h < AIF_SUPPLY_DAY; h++)
            if (sr->src[1].day_W[h] > 50e3 * (1 + 1e-12) || sr->src[0].day_W[h] > 20e3 * (1 + 1e-12))
                abort();
    }
    n_read += rc == AIF_OK;
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    return 0;
}
