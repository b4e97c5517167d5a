/* bench_search.c -- the best-layout search's speed on one core.  Not a test.
 *
 * Searches Llama 3 405B on 16,384 H100 (the built-in default scenario: gbs 2048,
 * sequences of 8,192 tokens, bf16) over every layout (aif_search_best, objective time,
 * top 5), `runs` times, and prints one JSON line per run: candidates (valid layouts,
 * each counted whether it fits or not), those that fit (each one estimated and
 * ranked), step graphs lowered, the wall time of the search (CLOCK_MONOTONIC, as the
 * library measures it) and candidates per wall-second.  On a shared machine the wall
 * time is noisy: run it under `time` (user CPU seconds) or callgrind for figures that
 * do not depend on the neighbours (docs/PERFORMANCE.md).
 *
 * Usage: aifsim-bench-search [runs, default 3] */
#include "aifsim/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 3;
    aif_catalog *c;
    aif_err e;
    static aif_scenario s;
    static aif_best b;
    const char *y = aif_default_scenario_yaml();
    if (aif_catalog_load_builtin(&c, &e) || aif_scenario_parse(c, y, strlen(y), "default", NULL, 0, &s, &e)) {
        char m[1400];
        aif_err_format(&e, m, sizeof m);
        fprintf(stderr, "aifsim-bench-search: %s\n", m);
        return 1;
    }
    aif_best_opts o = {.objective = AIF_OBJ_TIME, .top = 5};
    aif_best_space_all(&o.space);
    for (int i = 0; i < runs; i++) {
        if (aif_search_best(&s, &o, &b, &e) != AIF_OK) {
            fprintf(stderr, "aifsim-bench-search: %s\n", e.msg);
            return 1;
        }
        printf("{\"bench\": \"search\", \"model\": \"llama3-405b\", \"gpus\": %d, \"candidates\": %lld, "
               "\"fitting\": %lld, \"lowered\": %lld, \"wall_s\": %.4f, \"candidates_per_s\": %.0f, "
               "\"best_step_time_s\": %.6f}\n",
               s.cluster.gpus, b.candidates, b.fitting, b.lowered, b.wall_s, b.evaluated_per_s,
               b.n_results ? b.results[0].train.step_time_s : 0);
    }
    aif_catalog_free(c);
    return 0;
}
