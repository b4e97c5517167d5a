/* json.h (report) -- one-line helpers for building json-c objects, shared by the
 * reports and the CLI's catalog listing. */
#ifndef AIF_REPORT_JSON_H
#define AIF_REPORT_JSON_H

#include <json-c/json.h>
#include <stdbool.h>

void aif_json_num(json_object *o, const char *key, double v);
void aif_json_int(json_object *o, const char *key, long long v);
void aif_json_str(json_object *o, const char *key, const char *v);
/* v, or null when the figure is not known (a catalog entry without the published input) */
void aif_json_num_if(json_object *o, const char *key, double v, bool known);

#endif
