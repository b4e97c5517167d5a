/* format.h (report) -- the writers' shared pieces that take json-c objects: the base of
 * a run and its substitutions.  The number formatters are public (aifsim/report.h). */
#ifndef AIF_REPORT_FORMAT_H
#define AIF_REPORT_FORMAT_H

#include "aifsim/report.h"

#include <json-c/json.h>

/* Adds "base" (text) and "substitutions" ([{field, asked, used, why}]) to o, and, when the
 * run uses an announced catalog entry or an uncalibrated (roofline) accelerator,
 * "catalog_status": {"announced": [{kind, name}], "roofline_bound": bool, "sustained_clock": share},
 * also when the gpu's board power holds it below its rated clock (aif_gpu.sustained_clock). */
void aif_report_base_json(json_object *o, const aif_scenario *s);

#endif
