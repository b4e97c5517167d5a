/* lower_train.h -- the training lowering's entry for the estimate memo
 * (engine/estimate.c), beside the public aif_graph_lower (graph.h).
 *
 * Invariant: the layer segments (AIF_SEG_DENSE_FWD .. AIF_SEG_HEAD_BWD) of a graph
 * lowered from s are a function of s->cluster, s->model, s->framework, s->train less
 * par.pp, par.vpp, par.dp, gbs, tokens, optimizer, dp_overlap, pp_overlap and
 * auto_fields, aif_layer_sharding(optimizer, pp), and the shapes of the communicator
 * groups they consulted; nothing else.  The memo's key is exactly that list, and
 * tests/test_equations.c checks the memoised estimate against the plain one. */
#ifndef AIF_LOWER_TRAIN_H
#define AIF_LOWER_TRAIN_H

#include "aifsim/graph.h"

/* aif_graph_lower_in, with the layer segments made only when `layers` is nonzero
 * (else there and empty: the caller has their times), and the communicator groups
 * their lowering consulted (bit g for aif_group g) in *layer_groups (may be NULL;
 * 0 when `layers` is 0).  The other segments and every field of the graph are
 * aif_graph_lower_in's. */
aif_rc aif_graph_lower_part(const aif_scenario *s, aif_graph *g, void *buf, size_t bytes, int layers,
                            unsigned *layer_groups, aif_err *err);

#endif
