/* site.h -- internals of the facility layer shared by its files and the econ layer. */
#ifndef AIF_FACILITY_SITE_H
#define AIF_FACILITY_SITE_H

#include "aifsim/facility.h"

double aif_gpu_power_W(const aif_gpu *g, const aif_facility_data *fd, const aif_activity *a, double limit_W);
double aif_clock_factor(const aif_gpu *g, const aif_facility_data *fd, double limit_W);
int aif_fabric_tiers(double nics, int radix);
/* Nodes per rack: the site's, a rack-scale NVLink domain's, or data/facility.yaml's. */
int aif_nodes_per_rack(const aif_scenario *s, const aif_facility_data *fd);
/* The cooling the site uses for racks of rack_W: the scenario's, or the first that holds them. */
int aif_site_cooling(const aif_scenario *s, double rack_W);
double aif_site_pue(const aif_scenario *s, const aif_facility_data *fd, int cooling);
void aif_site_power_cooled(const aif_scenario *s, const aif_facility_data *fd, const aif_activity *a, int cooling,
                           double pue, aif_site_power *out);
void aif_site_network(const aif_scenario *s, const aif_facility_data *fd, double *net_W, double *sto_W, int *tiers);

#endif
