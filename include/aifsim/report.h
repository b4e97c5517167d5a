/* report.h -- writers of run results: a short human table and JSON. */
#ifndef AIFSIM_REPORT_H
#define AIFSIM_REPORT_H

#include <stdio.h>

#include "aifsim/aifsim.h"
#include "aifsim/facility.h"
#include "aifsim/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The summary a planner reads in ten seconds; fa and c (site and money) may be NULL. */
void aif_report_train_text(FILE *f, const aif_scenario *s, const aif_train_result *r, const aif_facility_result *fa,
                           const aif_cost_result *c);
/* The site on its own (aifsim facility). */
void aif_report_facility_text(FILE *f, const aif_scenario *s, const aif_train_result *r,
                              const aif_facility_result *fa, const aif_cost_result *c);
/* The step graph: every op of every segment with its size and time (aifsim train --ops). */
aif_rc aif_report_graph_text(FILE *f, const aif_scenario *s, aif_err *err);
/* One self-contained HTML file with the summary and plots (PLplot SVG, inlined),
 * written atomically to path. */
aif_rc aif_report_html(const char *path, const aif_scenario *s, const aif_train_result *r,
                       const aif_facility_result *fa, const aif_cost_result *c, aif_err *err);
/* One JSON object (its fields: README.md, "Usage" and "The site and the money");
 * malloc'd, NUL-terminated, NULL when out of memory. */
char *aif_report_train_json(const aif_scenario *s, const aif_train_result *r, const aif_facility_result *fa,
                            const aif_cost_result *c);

/* The same with what the simulating engine saw of the network (engine "sim",
 * a "network" object: topology, per-tier utilisation, event counts). */
char *aif_report_train_json_sim(const aif_scenario *s, const aif_train_result *r, const aif_facility_result *fa,
                                const aif_cost_result *c, const aif_sim_stats *ss);
/* The network section of the text report (aifsim train --engine sim). */
void aif_report_network_text(FILE *f, const aif_sim_stats *ss);
/* The topology on its own (aifsim topology): switches, links, bisection. */
void aif_report_topology_text(FILE *f, const aif_topo_summary *t);
/* malloc'd JSON of the topology summary, NULL when out of memory. */
char *aif_report_topology_json(const aif_topo_summary *t);

#ifdef __cplusplus
}
#endif
#endif
