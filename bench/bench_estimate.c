/* bench_estimate.c -- configurations evaluated per wall-second by the analytical
 * engine on one core.  Not a test.
 *
 * Every figure is a count divided by the wall time of the whole sweep that made
 * it (CLOCK_MONOTONIC around the sweep, nanosecond resolution), so it includes
 * the rejected layouts and the loop itself; nothing is timed per configuration.
 * The sweep passes no error record (err NULL), as a search that only needs the
 * verdict would: a rejected layout then costs its check, not the formatting of
 * its message.  Like a search (src/search/best.c), a sweep works on one copy of
 * the scenario and sets every field it varies before each estimate, rather than
 * copying the ~45 KB scenario (36 KB of it the site section) per configuration,
 * which cost more than an estimate.
 *
 *   sweep "405b":  Llama 3 405B on 16,384 H100, tp 1-8, pp 1-16, vpp 1-2, mbs
 *                  1-2, three recompute modes, two precisions (480 configurations,
 *                  some rejected), repeated for at least `seconds`;
 *   sweep "pp=N":  the same model deepened to 2,048 layers (so that pp*vpp up to
 *                  2,048 is a valid layout) at one pp, tp 1-8, vpp 1-2, mbs 1-2,
 *                  recompute, precision (96 configurations), for pp 1 to 1,024:
 *                  the cost per configuration must not grow with pp.
 *
 * Usage: aifsim-bench [seconds per sweep, default 2] [sweep] [passes]
 *   sweep:  run only the sweep of that name ("405b", "pp=1024", ...);
 *   passes: run exactly that many passes of each sweep, whatever the time (for
 *           instruction counts: bench/callgrind.sh runs 1 and 2 passes under
 *           valgrind --tool=callgrind, and the difference over the configurations
 *           of one pass is the cost of a configuration, setup excluded).
 * Prints one JSON line per sweep. */
#include "aifsim/aifsim.h"

#include <stdbool.h>
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

typedef struct sweep {
    long evals, valid;
    double sink;   /* keeps the results alive */
} sweep;

/* One pass over tp x vpp x mbs x recompute x precision at the given pp, on s,
 * whose varied fields it sets for each configuration (the others stay as loaded). */
static void pass(aif_scenario *s, int pp, int deep, sweep *w)
{
    int gbs = s->train.gbs;
    static const int tps[] = {1, 2, 4, 8}, vpps[] = {1, 2}, mbss[] = {1, 2};
    for (int a = 0; a < 4; a++)
        for (int v = 0; v < 2; v++)
            for (int m = 0; m < 2; m++)
                for (int rc = 0; rc < 3; rc++)
                    for (int pr = 0; pr < 2; pr++) {
                        s->train.par.tp = tps[a];
                        s->train.par.sp = tps[a] > 1;
                        s->train.par.pp = pp;
                        s->train.par.vpp = pp > 1 ? vpps[v] : 1;
                        s->train.par.dp = s->cluster.gpus / (tps[a] * pp);
                        s->train.mbs = mbss[m];
                        /* deep: enough microbatches for the interleaved schedule */
                        s->train.gbs = deep ? s->train.par.dp * mbss[m] * 4 * pp : gbs;
                        s->train.recompute = rc;
                        s->train.precision = pr ? AIF_FP8 : AIF_BF16;
                        aif_train_result r;
                        w->evals++;
                        if (aif_estimate(s, &r, NULL) == AIF_OK) {
                            w->valid++;
                            w->sink += r.step_time_s;
                        }
                    }
    s->train.gbs = gbs;
}

static void report(const char *name, const sweep *w, double wall_s)
{
    printf("{\"bench\": \"estimate\", \"sweep\": \"%s\", \"evaluations\": %ld, \"valid\": %ld, "
           "\"wall_s\": %.6f, \"evals_per_s\": %.0f, \"valid_evals_per_s\": %.0f, \"us_per_eval\": %.3f, "
           "\"checksum\": %.6g}\n",
           name, w->evals, w->valid, wall_s, w->evals / wall_s, w->valid / wall_s, 1e6 * wall_s / w->evals,
           w->sink);
}

/* Runs a sweep while `t` is under min_s, or exactly `passes` times when passes > 0. */
static bool more(int passes, int done, double t, double min_s) { return passes > 0 ? done < passes : t < min_s; }

int main(int argc, char **argv)
{
    double min_s = argc > 1 ? atof(argv[1]) : 2.0;
    const char *only = argc > 2 ? argv[2] : NULL;
    int passes = argc > 3 ? atoi(argv[3]) : 0;
    aif_catalog *c;
    aif_err e;
    static aif_scenario base, s;   /* static: ~45 KB each */
    if (aif_catalog_load_builtin(&c, &e) != AIF_OK)
        return 1;
    if (aif_scenario_load(c, NULL, NULL, 0, &base, &e) != AIF_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }

    /* the 405B sweep: pp 1 to 16 */
    static const int pps[] = {1, 2, 4, 8, 16};
    if (!only || !strcmp(only, "405b")) {
        sweep w = {0};
        s = base;
        int done = 0;
        double t0 = now_s(), t = 0;
        do {
            for (int b = 0; b < 5; b++)
                pass(&s, pps[b], 0, &w);
            t = now_s() - t0;
        } while (more(passes, ++done, t, min_s));
        report("405b", &w, t);
    }

    /* flat in pp: the same work per configuration from pp 1 to 1,024 */
    static const int deep_pps[] = {1, 4, 16, 64, 256, 1024};
    for (int b = 0; b < 6; b++) {
        char name[32];
        snprintf(name, sizeof name, "pp=%d", deep_pps[b]);
        if (only && strcmp(only, name))
            continue;
        sweep d = {0};
        s = base;
        s.model.layers = 2048;
        int done = 0;
        double u0 = now_s(), u = 0;
        do {
            pass(&s, deep_pps[b], 1, &d);
            u = now_s() - u0;
        } while (more(passes, ++done, u, min_s / 4));
        report(name, &d, u);
    }
    aif_catalog_free(c);
    return 0;
}
