/* fuzz_trace.c -- fuzz target for the serving trace readers (Azure LLM inference
 * CSV and Mooncake JSON lines, src/serve/requests.c).  A stream that parses is run
 * through a small deployment (Llama 3 8B on two replicas of one H100, the trace's first
 * 64 requests, lengths clipped so a run stays short; each router in turn, with and
 * without the scheduler one batch ahead, colocated or as one prefill and one decode
 * replica, pp 1 or 2).  Invariant checked: every input is a stream
 * whose times start at 0 and never decrease with lengths >= 1, and runs to every
 * request finished, or is rejected with AIF_EINPUT, a message and a line; nothing
 * crashes, hangs or leaks.  Driver: fuzz_driver.c. */
#include "aifsim/serve.h"
#include "serve/requests.h"
#include "serve/sim.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char fuzz_name[] = "fuzz_trace";
const char *const fuzz_dict[] = {
    "\n", "\r\n", ",", "TIMESTAMP,ContextTokens,GeneratedTokens\n", "2023-11-16 18:15:46.6805900", "+00:00", "Z",
    "{", "}", "[", "]", "\"timestamp\": ", "\"input_length\": ", "\"output_length\": ", "\"hash_ids\": ", "0", "1",
    "-1", "1e308", "nan", "99999999999", "0.5", "\"", ":", "null", "true"};
const int fuzz_n_dict = (int)(sizeof fuzz_dict / sizeof fuzz_dict[0]);

static aif_catalog *cat;
static aif_scenario s;
static long n_run;

static void cleanup(void)
{
    printf("fuzz_trace: %ld inputs parsed and served\n", n_run);
    aif_catalog_free(cat);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    aif_err e;
    if (!cat) {
        const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nserve: {tp: 1, replicas: 2}\n";
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK ||
            aif_scenario_parse_sections(cat, y, strlen(y), "fuzz", NULL, 0,
                                        AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SERVE, &s, &e))
            abort();
        atexit(cleanup);
    }
    aif_req_stream rq;
    aif_rc rc = aif_requests_parse((const char *)data, size, "fuzz.trace", 64, &rq, &e);
    if (rc != AIF_OK) {
        if (rc != AIF_EINPUT || !e.msg[0] || e.line < 0)
            abort();
        return 0;
    }
    for (long i = 0; i < rq.n; i++) {
        if (rq.r[i].input < 1 || rq.r[i].output < 1 || (i == 0 && rq.r[i].arrival_s != 0) ||
            (i > 0 && rq.r[i].arrival_s < rq.r[i - 1].arrival_s))
            abort();
        if (rq.r[i].input > 4096)
            rq.r[i].input = 4096;
        if (rq.r[i].output > 256)
            rq.r[i].output = 256;
        if (rq.r[i].arrival_s > 1e6)   /* keep idle gaps finite; the loop does not care */
            rq.r[i].arrival_s = 1e6;
    }
    aif_serve_result r;
    memset(&r, 0, sizeof r);
    s.serve.router = (int)(n_run % 3);   /* every router (cache-aware reads the hash ids), */
    s.serve.overlap_schedule = (n_run / 3) % 2;   /* with and without the scheduler one batch ahead, */
    s.serve.disagg.prefill = s.serve.disagg.decode = (n_run / 6) % 2;   /* colocated or split 1:1, */
    s.serve.pp = 1 + (int)((n_run / 12) % 2);   /* one stage or two with a batch in flight each */
    rc = aif_serve_simulate(&s, &rq, 4096, NULL, &r, &e);
    if (rc != AIF_OK || r.requests != rq.n)
        abort();
    n_run++;
    aif_requests_free(&rq);
    return 0;
}
