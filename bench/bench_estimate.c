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
 * The estimates go through an estimate memo (aif_estimate_memoized), as a sweep or a
 * search that owns one would: a layer's segments are lowered and timed once per
 * (tp, mbs, recompute, precision, ...) of a pass and reused across its pp, vpp and dp.
 * The memo is emptied at the start of every pass, so each pass is a fresh sweep that
 * pays its own misses (a second pass never finds the first one's entries): the figure
 * is what one sweep of those configurations costs, not a replay.  With `plain` as the
 * fourth argument every estimate is aif_estimate, no memo.  The checksum is exact:
 * an FNV-1a hash of every word of every valid result, so two builds that print the
 * same checksum computed the same doubles.
 *
 *   sweep "405b":  Llama 3 405B on 16,384 H100, tp 1-8, pp 1-16, vpp 1-2, mbs
 *                  1-2, three recompute modes, two precisions (480 configurations,
 *                  some rejected), repeated for at least `seconds`;
 *   sweep "pp=N":  the same model deepened to 2,048 layers (so that pp*vpp up to
 *                  2,048 is a valid layout) at one pp, tp 1-8, vpp 1-2, mbs 1-2,
 *                  recompute, precision (96 configurations), for pp 1 to 1,024:
 *                  the cost per configuration must not grow with pp.
 *
 * Usage: aifsim-bench [seconds per sweep, default 2] [sweep] [passes] [plain]
 *   sweep:  run only the sweep of that name ("405b", "pp=1024", ...; "" for all);
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
    unsigned long long hash;   /* FNV-1a over the words of every valid result */
    aif_estimate_memo *memo;   /* NULL: plain aif_estimate */
} sweep;

/* FNV-1a over the result's 8-byte words (a few instructions a word: the bench's own
 * cost stays small beside an estimate's) */
static void hash_result(sweep *w, const aif_train_result *r)
{
    unsigned long long x;
    for (size_t i = 0; i + sizeof x <= sizeof *r; i += sizeof x) {
        memcpy(&x, (const unsigned char *)r + i, sizeof x);
        w->hash = (w->hash ^ x) * 0x100000001b3ull;
    }
}

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
                        aif_train_result r;   /* an estimate zeroes all of it, padding too */
                        w->evals++;
                        if (aif_estimate_memoized(s, w->memo, &r, NULL) == AIF_OK) {
                            w->valid++;
                            hash_result(w, &r);
                        }
                    }
    s->train.gbs = gbs;
}

static void report(const char *name, const sweep *w, double wall_s)
{
    printf("{\"bench\": \"estimate\", \"sweep\": \"%s\", \"evaluations\": %ld, \"valid\": %ld, "
           "\"wall_s\": %.6f, \"evals_per_s\": %.0f, \"valid_evals_per_s\": %.0f, \"us_per_eval\": %.3f, "
           "\"memo\": %s, \"checksum\": \"%016llx\"}\n",
           name, w->evals, w->valid, wall_s, w->evals / wall_s, w->valid / wall_s, 1e6 * wall_s / w->evals,
           w->memo ? "true" : "false", w->hash);
}

/* Runs a sweep while `t` is under min_s, or exactly `passes` times when passes > 0. */
static bool more(int passes, int done, double t, double min_s) { return passes > 0 ? done < passes : t < min_s; }

int main(int argc, char **argv)
{
    double min_s = argc > 1 ? atof(argv[1]) : 2.0;
    const char *only = argc > 2 && argv[2][0] ? argv[2] : NULL;   /* "": every sweep */
    int passes = argc > 3 ? atoi(argv[3]) : 0;
    bool plain = argc > 4 && !strcmp(argv[4], "plain");
    aif_catalog *c;
    aif_err e;
    aif_estimate_memo *memo = NULL;
    static aif_scenario base, s;   /* static: ~45 KB each */
    if (aif_catalog_load_builtin(&c, &e) != AIF_OK)
        return 1;
    if (aif_scenario_load(c, NULL, NULL, 0, &base, &e) != AIF_OK ||
        (!plain && aif_estimate_memo_new(0, &memo, &e) != AIF_OK)) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }

    /* the 405B sweep: pp 1 to 16 */
    static const int pps[] = {1, 2, 4, 8, 16};
    if (!only || !strcmp(only, "405b")) {
        sweep w = {.hash = 0xcbf29ce484222325ull, .memo = memo};
        s = base;
        int done = 0;
        double t0 = now_s(), t = 0;
        do {
            if (memo)   /* each pass a fresh sweep */
                aif_estimate_memo_clear(memo);
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
        sweep d = {.hash = 0xcbf29ce484222325ull, .memo = memo};
        s = base;
        s.model.layers = 2048;
        int done = 0;
        double u0 = now_s(), u = 0;
        do {
            if (memo)
                aif_estimate_memo_clear(memo);
            pass(&s, deep_pps[b], 1, &d);
            u = now_s() - u0;
        } while (more(passes, ++done, u, min_s / 4));
        report(name, &d, u);
    }
    aif_estimate_memo_free(memo);
    aif_catalog_free(c);
    return 0;
}
