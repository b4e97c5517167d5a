/* report.h -- writers of run results: a short human table and JSON. */
#ifndef AIFSIM_REPORT_H
#define AIFSIM_REPORT_H

#include <stdio.h>

#include "aifsim/aifsim.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The summary a planner reads in ten seconds. */
void aif_report_train_text(FILE *f, const aif_scenario *s, const aif_train_result *r);
/* The step graph: every op of every segment with its size and time (aifsim train --ops). */
aif_rc aif_report_graph_text(FILE *f, const aif_scenario *s, aif_err *err);
/* One JSON object (see docs/CLI.md for the fields); malloc'd, NUL-terminated, NULL when out of memory. */
char *aif_report_train_json(const aif_scenario *s, const aif_train_result *r);

#ifdef __cplusplus
}
#endif
#endif
