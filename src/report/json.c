/* json.c (report) -- one-line json-c helpers (see json.h). */
#include "report/json.h"

void aif_json_num(json_object *o, const char *key, double v) { json_object_object_add(o, key, json_object_new_double(v)); }
void aif_json_int(json_object *o, const char *key, long long v) { json_object_object_add(o, key, json_object_new_int64(v)); }
void aif_json_str(json_object *o, const char *key, const char *v) { json_object_object_add(o, key, json_object_new_string(v)); }
void aif_json_num_if(json_object *o, const char *key, double v, bool known)
{
    json_object_object_add(o, key, known ? json_object_new_double(v) : NULL);
}
