/* bench_estimate.c -- configurations evaluated per second by the analytical
 * engine on one core: a sweep over tp, pp, vpp, mbs, recompute and precision
 * for Llama 3 405B / 70B on H100, each configuration lowered to a step graph and
 * estimated (aif_estimate, checks included).  Prints a JSON line; not a test. */
#include "aifsim/aifsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    double min_s = argc > 1 ? atof(argv[1]) : 2.0;
    aif_catalog *c;
    aif_err e;
    if (aif_catalog_load_builtin(&c, &e) != AIF_OK)
        return 1;
    aif_scenario base;
    if (aif_scenario_load(c, NULL, NULL, 0, &base, &e) != AIF_OK) {
        fprintf(stderr, "%s\n", e.msg);
        return 1;
    }
    static const int tps[] = {1, 2, 4, 8}, pps[] = {1, 2, 4, 8, 16}, vpps[] = {1, 2}, mbss[] = {1, 2};
    long evals = 0, valid = 0;
    double t_valid = 0;
    double sink = 0, t0 = now_s(), t;
    do {
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 5; b++)
                for (int v = 0; v < 2; v++)
                    for (int m = 0; m < 2; m++)
                        for (int rc = 0; rc < 3; rc++)
                            for (int pr = 0; pr < 2; pr++) {
                                aif_scenario s = base;
                                s.train.par.tp = tps[a];
                                s.train.par.sp = tps[a] > 1;
                                s.train.par.pp = pps[b];
                                s.train.par.vpp = pps[b] > 1 ? vpps[v] : 1;
                                s.train.par.dp = s.cluster.gpus / (tps[a] * pps[b]);
                                s.train.mbs = mbss[m];
                                s.train.recompute = rc;
                                s.train.precision = pr ? AIF_FP8 : AIF_BF16;
                                aif_train_result r;
                                evals++;
                                double t1 = now_s();
                                if (aif_estimate(&s, &r, &e) == AIF_OK) {
                                    valid++;
                                    sink += r.step_time_s;
                                    t_valid += now_s() - t1;
                                }
                            }
        t = now_s() - t0;
    } while (t < min_s);
    /* evals_per_s counts every configuration tried, rejected ones included (a search
     * pays for those too); valid_evals_per_s times only the ones that were estimated */
    printf("{\"bench\": \"estimate\", \"evaluations\": %ld, \"valid\": %ld, \"seconds\": %.3f, "
           "\"evals_per_s\": %.0f, \"valid_evals_per_s\": %.0f, \"checksum\": %.6g}\n", evals, valid, t, evals / t,
           valid / t_valid, sink);
    aif_catalog_free(c);
    return 0;
}
