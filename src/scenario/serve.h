/* serve.h (scenario) -- binding the scenario's `serve:` section (src/scenario/serve.c). */
#ifndef AIF_SCENARIO_SERVE_H
#define AIF_SCENARIO_SERVE_H

#include "scenario/bind.h"

/* Fills s->serve from the section sn (may be NULL: the defaults) on top of
 * aif_serve_defaults; needs s->cluster and s->model bound.  Checks the layout
 * against the cluster and the model, naming the field. */
aif_rc aif_serve_bind(const bind_ctx *bc, aif_scenario *s, const ynode *sn);

#endif
