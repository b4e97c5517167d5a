/* facility.h (spec) -- loading data/facility.yaml and binding the scenario's
 * `facility` and `cost` sections. */
#ifndef AIF_SPEC_FACILITY_H
#define AIF_SPEC_FACILITY_H

#include "aifsim/facility_data.h"
#include "scenario/bind.h"

aif_rc aif_facility_data_load(aif_facility_data *fd, const char *text, size_t len, const char *name, aif_err *err);
void aif_facility_data_free(aif_facility_data *fd);
/* dst (empty) becomes a copy of src with arrays of its own: 0, or -1 when out of
 * memory (dst then holds nothing to free). */
int aif_facility_data_copy(aif_facility_data *dst, const aif_facility_data *src);
/* The value of `name` in a name -> value table, or dflt. */
double aif_facility_lookup(const aif_named_value *v, int n, const char *name, double dflt);
/* Fills s->site from the scenario's `facility` and `cost` sections (either may be
 * NULL) on top of the defaults of bc->fd; needs s->cluster resolved. */
aif_rc aif_site_bind(const bind_ctx *bc, aif_scenario *s, const ynode *facility, const ynode *cost);

/* An hourly CSV file: a header naming `hour,COLUMN` or `COLUMN`, then a row per hour
 * (site.c has the rules).  Errors name the file, the line and `field`. */
typedef struct aif_hourly_spec {
    const char *field;           /* "facility.carbon" */
    const char *column;          /* "g_per_kWh" */
    const char *plural;          /* "intensities": "more than N hourly intensities" */
    const char *span;            /* what max_hours is: "one leap year" */
    const char *series;          /* "series repeats, so give one year" */
    const char *holds;           /* "intensity in g/kWh": what a value is */
    const char *range;           /* "a carbon intensity in g/kWh between 0 and 100000" */
    double max;                  /* values lie in [0, max] */
    int max_hours;
} aif_hourly_spec;
/* Reads path into out[0 .. *n_out) (at most sp->max_hours values). */
aif_rc aif_hourly_csv_read(const char *path, const aif_hourly_spec *sp, float *out, int *n_out, aif_err *err);
/* Binds facility.supply (a list of sources) and facility.battery into s->site; either
 * node may be NULL.  Needs s->site's carbon bound first (a grid source's default). */
aif_rc aif_supply_bind(const bind_ctx *bc, aif_scenario *s, const ynode *supply, const ynode *battery);

#endif
