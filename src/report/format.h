/* format.h (report) -- the writers' shared pieces that take json-c objects: the base of
 * a run and its substitutions.  The number formatters are public (aifsim/report.h). */
#ifndef AIF_REPORT_FORMAT_H
#define AIF_REPORT_FORMAT_H

#include "aifsim/report.h"
#include "aifsim/run.h"

#include <stdio.h>

#include <json-c/json.h>

/* Adds "base" (text) and "substitutions" ([{field, asked, used, why}]) to o, and, when the
 * run uses an announced catalog entry or an uncalibrated (roofline) accelerator,
 * "catalog_status": {"announced": [{kind, name}], "roofline_bound": bool, "sustained_clock": share},
 * also when the gpu's board power holds it below its rated clock (aif_gpu.sustained_clock). */
void aif_report_base_json(json_object *o, const aif_scenario *s);

/* The published runs like a job (aif_train_run.classes, aif_search_run.classes): a line
 * "validated" (its text from column `indent`, as the writer's other lines) naming what they are like (`like`: "this one",
 * "#1"), then one line a class with the analytical engine's median error, p90, bias and
 * runs; nothing when n is 0.  The JSON array [{class, name, label, runs, median_ape_pct,
 * p90_ape_pct, bias_pct, and other_kind: true on a serving class of every run standing in
 * for the deployment's kind}] (the analytical engine's errors on validation/train.csv, or
 * the serving simulator's on validation/infer.csv; an array, so a sweep's table of scalars
 * leaves it out). */
void aif_report_classes_text(FILE *f, int indent, const char *like, const aif_run_class *c, int n);
json_object *aif_report_classes_json(const aif_run_class *c, int n);
/* The same for a serving deployment (aif_serve_run.classes, aif_serve_plan.classes: one a
 * metric group, the simulator's errors). */
void aif_report_serve_classes_text(FILE *f, int indent, const char *like, const aif_run_class *c, int n);

#endif
