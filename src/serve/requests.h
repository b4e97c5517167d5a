/* requests.h -- the request stream of a serving run: synthetic (Poisson or gamma
 * arrivals at a rate, or all at t = 0; lengths fixed or drawn) or replayed from a
 * trace (Azure LLM inference CSV, Mooncake JSON lines).
 *
 * Invariants of a stream: over [0, n_open) arrival_s starts at 0 and never decreases
 * (n_open = n but for agentic sessions, whose later calls follow [n_open, n)); input >= 1,
 * output >= 1; a request's hash ids are hash[hash_first .. hash_first + n_hash),
 * one per AIF_TRACE_HASH_BLOCK prompt tokens, in prompt order. */
#ifndef AIF_SERVE_REQUESTS_H
#define AIF_SERVE_REQUESTS_H

#include "aifsim/serve.h"

#include <stdint.h>

#define AIF_TRACE_HASH_BLOCK 512   /* tokens per Mooncake hash id */

typedef struct aif_req {
    double arrival_s;         /* a session's later call: -1 until its predecessor ends */
    int input, output;        /* tokens */
    long hash_first;
    int n_hash;
} aif_req;

/* Agentic sessions' links, apart from aif_req so the simulator's hot loop reads no more
 * bytes per request than without them. */
typedef struct aif_req_link {
    int next;                 /* the session's next call (-1: none) */
    double think_s;           /* the tool latency before it */
} aif_req_link;

typedef struct aif_req_stream {
    aif_req *r;
    long n;
    long n_open;              /* requests [0, n_open) arrive on their own, in time order; the rest
                                 (agentic sessions' later calls) when their predecessor ends */
    aif_req_link *link;       /* agentic: one per request; NULL otherwise (no request follows another) */
    uint64_t *hash;           /* Mooncake hash_ids, all requests' one after another */
    long n_hash;
} aif_req_stream;

/* A small deterministic generator (SplitMix64 over a counter, seeded). */
typedef struct aif_rng { uint64_t state; } aif_rng;
void aif_rng_seed(aif_rng *g, uint64_t seed);
double aif_rng_uniform(aif_rng *g);   /* in [0, 1) */
/* A gap of a renewal process of rate `rate` whose gaps have coefficient of variation cv (gamma; 1 = exponential). */
double aif_rng_gap(aif_rng *g, double rate, double cv);
/* A length drawn from spec (rounded, clipped to [1, spec->max]). */
int aif_rng_length(aif_rng *g, const aif_len_spec *spec);

/* The stream serve describes (no trace): n = serve.requests. */
aif_rc aif_requests_synth(const aif_serve *sv, aif_req_stream *out, aif_err *err);
/* A trace's text (format from its first line: `TIMESTAMP,...` is Azure, `{` Mooncake);
 * at most max_requests requests (0: all).  Errors name name:line and what was wrong. */
aif_rc aif_requests_parse(const char *text, size_t len, const char *name, long max_requests, aif_req_stream *out,
                          aif_err *err);
/* serve.trace read and parsed, or the synthetic stream when there is none; offline
 * mode moves every arrival to 0. */
aif_rc aif_requests_load(const aif_serve *sv, aif_req_stream *out, aif_err *err);
void aif_requests_free(aif_req_stream *s);

#endif
