/* facility_fixture.h -- the cmocka group fixture the facility-side tests share
 * (test_facility, test_supply, test_storage): the built-in catalogs loaded once per
 * group, and their facility data.  Included by one test file each; every name is
 * static to that file. */
#ifndef AIF_TEST_FACILITY_FIXTURE_H
#define AIF_TEST_FACILITY_FIXTURE_H

#include "aifsim/aifsim.h"
#include "aifsim/facility.h"

static aif_catalog *cat;
static const aif_facility_data *fd;

static int setup(void **s)
{
    (void)s;
    aif_err e;
    if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
        return -1;
    fd = aif_catalog_facility(cat);
    return 0;
}

static int teardown(void **s)
{
    (void)s;
    aif_catalog_free(cat);
    return 0;
}

#endif
