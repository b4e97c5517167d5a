/* site.h -- internals of the facility layer shared by its files and the econ layer. */
#ifndef AIF_FACILITY_SITE_H
#define AIF_FACILITY_SITE_H

#include "aifsim/facility.h"

double aif_gpu_power_W(const aif_gpu *g, const aif_facility_data *fd, const aif_activity *a, double limit_W);
double aif_clock_factor(const aif_gpu *g, const aif_facility_data *fd, double limit_W);
/* Nodes per rack: the site's, a rack-scale NVLink domain's, or data/facility.yaml's. */
int aif_nodes_per_rack(const aif_scenario *s, const aif_facility_data *fd);
/* The cooling the site uses for racks of rack_W: the scenario's, or the first that holds
 * them, or when none does the strongest (largest rack limit). */
int aif_site_cooling(const aif_scenario *s, double rack_W);
double aif_site_pue(const aif_scenario *s, const aif_facility_data *fd, int cooling);
/* What a site draws whatever its GPUs do: the scale-out network (sized from the
 * topology the scenario describes) and storage. */
typedef struct aif_site_infra {
    double network_W, storage_W;
    int tiers;                     /* switch tiers of the scale-out fabric; 0 for a job on one node */
} aif_site_infra;
/* Sizes the network from the cluster's topology summary (errors: a topology that
 * cannot be built, naming the cluster.network field). */
aif_rc aif_site_infra_eval(const aif_scenario *s, const aif_facility_data *fd, aif_site_infra *out, aif_err *err);
void aif_site_power_cooled(const aif_scenario *s, const aif_facility_data *fd, const aif_activity *a, int cooling,
                           double pue, const aif_site_infra *infra, aif_site_power *out);

#endif
