/* site.h (report) -- the site-and-money parts shared by the train, facility and HTML reports. */
#ifndef AIF_REPORT_SITE_H
#define AIF_REPORT_SITE_H

#include <json-c/json.h>
#include <stdio.h>

#include "aifsim/run.h"

extern const char *const aif_report_verdicts[];
/* The site-and-money lines of the training summary (a blank line first). */
void aif_report_site_text(FILE *f, const aif_train_run *run);
/* The run's notes (aif_train_run.notes), one line each and a blank line after; nothing
 * when there are none.  Printed before anything else but the title. */
void aif_report_notes_text(FILE *f, const aif_train_run *run);
/* Adds the `facility` and `cost` objects and the `notes` array to o. */
void aif_report_site_json(json_object *o, const aif_train_run *run);
/* "$1.39B", "$920K" */
void aif_report_money(char *buf, size_t n, double usd);

#endif
