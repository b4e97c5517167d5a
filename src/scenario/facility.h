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

#endif
