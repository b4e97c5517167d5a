/* ops.h (scenario) -- binding the scenario's `operations:` section (src/scenario/ops.c). */
#ifndef AIF_SCENARIO_OPS_H
#define AIF_SCENARIO_OPS_H

#include "scenario/bind.h"

/* Fills s->ops from the section n (may be NULL: the defaults) on top of
 * aif_ops_defaults; needs s->cluster bound.  Errors name the field at its file:line:col. */
aif_rc aif_ops_bind(const bind_ctx *bc, aif_scenario *s, const ynode *n);

#endif
