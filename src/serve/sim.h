/* sim.h -- the serving event loop: requests routed to replicas, each replica
 * iterating back to back while it has work, every iteration timed by the step
 * graph of its batch (workload/lower_serve.h). */
#ifndef AIF_SERVE_SIM_H
#define AIF_SERVE_SIM_H

#include "serve/requests.h"

/* Runs rq on s's deployment, whose replicas each hold kv_blocks KV blocks; fills
 * the latency, throughput, batch, KV and activity fields of r (power and cost
 * are the pipeline's).  AIF_EINPUT when a request alone needs more KV cache than a
 * replica holds (naming both). */
aif_rc aif_serve_simulate(const aif_scenario *s, const aif_req_stream *rq, long kv_blocks, const aif_serve_opts *o,
                          aif_serve_result *r, aif_err *err);

#endif
