/* network.h (report) -- the topology and network statistics as json-c objects. */
#ifndef AIF_REPORT_NETWORK_H
#define AIF_REPORT_NETWORK_H

#include "aifsim/sim.h"

#include <json-c/json.h>

json_object *aif_report_topology_obj(const aif_topo_summary *t);
json_object *aif_report_network_json(const aif_sim_stats *ss);

#endif
