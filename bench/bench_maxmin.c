/* bench_maxmin.c -- flow-rate updates per second of the max-min fair solver on a
 * two-tier fat tree: H hosts on leaves of 32, every leaf wired to every spine
 * (leaf uplinks divided by R for an R:1 oversubscribed fabric); each flow goes
 * host -> leaf -> spine -> leaf -> host (4 links, ECMP spine by hash).
 *
 * "Flow-rate updates per second" is the number of flow rates aif_mm_solve
 * recomputed (its return value, summed) divided by the wall time spent inside
 * aif_mm_solve (CLOCK_MONOTONIC, nanoseconds); building the network and adding or
 * removing flows is not counted.  Reported for a full solve of F flows and for
 * incremental re-solves after one flow changes (the whole network is one
 * component: every flow's rate is recomputed, the worst case for incrementality),
 * also as re-solves per second.
 *
 * Usage: aifsim-bench-maxmin [HOSTS] [FLOWS] [R].  Prints a JSON line; not a test. */
#include "net/maxmin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rng = 12345;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

int main(int argc, char **argv)
{
    int hosts = argc > 1 ? atoi(argv[1]) : 4096, flows = argc > 2 ? atoi(argv[2]) : 65536;
    double over = argc > 3 ? atof(argv[3]) : 1;
    if (hosts < 32 || flows < 1 || !(over >= 1)) {
        fprintf(stderr, "usage: aifsim-bench-maxmin [HOSTS >= 32] [FLOWS >= 1] [OVERSUBSCRIPTION >= 1]\n");
        return 2;
    }
    int per_leaf = 32, leaves = hosts / per_leaf, spines = 16;
    aif_mm *m = aif_mm_new();
    /* links: host up/down, leaf-spine up/down */
    int up0 = 0;
    for (int h = 0; h < 2 * hosts; h++)
        aif_mm_add_link(m, 50e9);
    int ls0 = 2 * hosts;
    for (int i = 0; i < 2 * leaves * spines; i++)
        aif_mm_add_link(m, 50e9 * per_leaf / spines / over);
    int *ids = malloc(sizeof(int) * (size_t)flows);
    for (int f = 0; f < flows; f++) {
        int s = (int)(next() % (uint64_t)hosts), d = (int)(next() % (uint64_t)hosts);
        int sl = s / per_leaf, dl = d / per_leaf, sp = (int)(next() % (uint64_t)spines);
        int route[4] = {up0 + 2 * s, ls0 + 2 * (sl * spines + sp), ls0 + 2 * (dl * spines + sp) + 1, up0 + 2 * d + 1};
        int same_leaf[2] = {up0 + 2 * s, up0 + 2 * d + 1};   /* same leaf: host links only */
        ids[f] = sl == dl ? aif_mm_add_flow(m, same_leaf, 2, 1, 0) : aif_mm_add_flow(m, route, 4, 1, 0);
    }
    double t0 = now_s();
    long n = aif_mm_solve(m);
    double full = now_s() - t0;
    /* incremental: change one flow at a time; only the solves are timed */
    int rounds = 20;
    long updated = 0;
    double inc = 0;
    for (int i = 0; i < rounds; i++) {
        int f = (int)(next() % (uint64_t)flows);
        aif_mm_remove_flow(m, ids[f]);
        int s = (int)(next() % (uint64_t)hosts), d = (int)(next() % (uint64_t)hosts);
        int r2[2] = {up0 + 2 * s, up0 + 2 * d + 1};
        ids[f] = aif_mm_add_flow(m, r2, 2, 1, 0);
        t0 = now_s();
        updated += aif_mm_solve(m);
        inc += now_s() - t0;
    }
    printf("{\"bench\": \"maxmin\", \"hosts\": %d, \"links\": %d, \"oversubscription\": %g, \"flows\": %ld, "
           "\"full_solve_s\": %.6f, \"flow_rate_updates_per_solver_s\": %.0f, \"incremental_solves_per_s\": %.1f, "
           "\"incremental_flow_rate_updates_per_solver_s\": %.0f}\n",
           hosts, 2 * hosts + 2 * leaves * spines, over, n, full, n / full, rounds / inc, updated / inc);
    free(ids);
    aif_mm_free(m);
    return 0;
}
