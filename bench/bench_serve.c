/* bench_serve.c -- requests simulated per wall-second by the serving simulator on
 * one core.  Not a test.
 *
 * The figure is requests divided by the wall time of the whole aif_run_serve call
 * (CLOCK_MONOTONIC around it): the request stream drawn, every iteration
 * scheduled and timed, the latency tables sorted, power and money; the catalog
 * and scenario load are outside it.  Two workloads of N requests each:
 *   "offline": Llama 3 70B on 8 replicas of tp 8 (64 H100), every request at
 *              t = 0, 1,024 input and 128 output tokens (lognormal): the batches
 *              are full (256 sequences), the cost per token is the scheduler's;
 *   "server":  the same at 90% of its capacity with Poisson arrivals: smaller
 *              batches, more iterations per request;
 *   "server-sglang": the same arrivals under SGLang's scheduler (admission sglang,
 *              the scheduler one batch ahead) behind the cache-aware router;
 *   "disaggregated": 2 prefill and 6 decode replicas at 45% of the offline
 *              capacity, every prompt's cache a flow on the network model.
 * Usage: aifsim-bench-serve [requests, default 1000000].  One JSON line each. */
#include "aifsim/serve.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *yaml = "name: bench-serve\ncluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-70b\n"
                          "serve: {tp: 8, precision: fp8, mode: offline,\n"
                          "        input_tokens: {dist: lognormal, mean: 1024, max: 8192},\n"
                          "        output_tokens: {dist: lognormal, mean: 128, max: 2048}}\n";

static int one(const aif_catalog *c, aif_scenario *s, const char *name, aif_serve_run *out)
{
    aif_err e;
    double t0 = now_s();
    aif_rc rc = aif_run_serve(c, s, NULL, out, &e);
    double dt = now_s() - t0;
    if (rc) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fprintf(stderr, "aifsim-bench-serve: %s\n", b);
        return 1;
    }
    printf("{\"workload\": \"%s\", \"requests\": %ld, \"iterations\": %ld, \"wall_s\": %.3f, "
           "\"requests_per_s\": %.0f, \"simulated_s\": %.1f, \"mean_batch\": %.1f}\n",
           name, out->serve.requests, out->serve.iterations, dt, out->serve.requests / dt, out->serve.duration_s,
           out->serve.mean_batch);
    return 0;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 1000000;
    if (n < 1 || n > 100000000) {
        fprintf(stderr, "usage: aifsim-bench-serve [requests, 1 to 100000000]\n");
        return 2;
    }
    aif_catalog *c;
    aif_err e;
    static aif_scenario s;
    static aif_serve_run out;
    if (aif_catalog_load_builtin(&c, &e) ||
        aif_scenario_parse_sections(c, yaml, strlen(yaml), "bench", NULL, 0,
                                    AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE,
                                    &s, &e)) {
        char b[1200];
        aif_err_format(&e, b, sizeof b);
        fprintf(stderr, "aifsim-bench-serve: %s\n", b);
        return 1;
    }
    s.serve.requests = (int)n;
    int st = one(c, &s, "offline", &out);
    if (!st) {
        s.serve.mode = AIF_SERVE_SERVER;
        s.serve.qps = 0.9 * out.serve.requests_per_s;
        double qps = s.serve.qps;
        st = one(c, &s, "server", &out);
        if (!st) {
            s.serve.admission = AIF_ADMIT_SGLANG;
            s.serve.overlap_schedule = true;
            s.serve.router = AIF_ROUTER_CACHE_AWARE;
            st = one(c, &s, "server-sglang", &out);
        }
        if (!st) {
            s.serve.admission = AIF_ADMIT_EVICT;
            s.serve.overlap_schedule = false;
            s.serve.router = AIF_ROUTER_LEAST_OUTSTANDING;
            s.serve.disagg.prefill = 2;
            s.serve.disagg.decode = 6;
            s.serve.qps = 0.5 * qps;
            st = one(c, &s, "disaggregated", &out);
        }
    }
    aif_catalog_free(c);
    return st;
}
