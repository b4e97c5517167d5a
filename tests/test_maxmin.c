/* test_maxmin.c -- the max-min fair solver: hand-computed allocations, the fast
 * incremental solver against the slow reference on random networks, and the
 * max-min property itself (no link over capacity; every flow is capped or has a
 * saturated link on which no flow gets more per unit of weight). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "net/maxmin.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLOSE(a, b) do { double a_ = (a), b_ = (b); \
    if (fabs(a_ - b_) > 1e-9 * fmax(1, fabs(b_))) fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); } while (0)

static void test_hand_cases(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int a = aif_mm_add_link(m, 10), b = aif_mm_add_link(m, 2);
    int f1 = aif_mm_add_flow(m, (int[]){a}, 1, 1, 0);
    int f2 = aif_mm_add_flow(m, (int[]){a}, 1, 3, 0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f1), 2.5);   /* weighted: 1 : 3 */
    CLOSE(aif_mm_rate(m, f2), 7.5);
    /* a cap frees capacity for the other flow */
    aif_mm_remove_flow(m, f2);
    int f3 = aif_mm_add_flow(m, (int[]){a}, 1, 1, 1.0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f3), 1);
    CLOSE(aif_mm_rate(m, f1), 9);
    CLOSE(aif_mm_link_load(m, a), 10);
    /* the textbook line: f4 over a (10) and b (2), f5 over b: b is the bottleneck, 1 each;
     * f1 and f3 share the rest of a */
    int f4 = aif_mm_add_flow(m, (int[]){a, b}, 2, 1, 0);
    int f5 = aif_mm_add_flow(m, (int[]){b}, 1, 1, 0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f4), 1);
    CLOSE(aif_mm_rate(m, f5), 1);
    CLOSE(aif_mm_rate(m, f3), 1);          /* still capped */
    CLOSE(aif_mm_rate(m, f1), 10 - 1 - 1);
    /* a capacity change is a dirty link */
    aif_mm_set_capacity(m, b, 4);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f4), 2);
    CLOSE(aif_mm_rate(m, f1), 7);
    /* bad flows are refused */
    assert_int_equal(aif_mm_add_flow(m, (int[]){7}, 1, 1, 0), -1);
    assert_int_equal(aif_mm_add_flow(m, NULL, 0, 1, 0), -1);
    assert_int_equal(aif_mm_add_flow(m, (int[]){a}, 1, 0, 0), -1);
    assert_int_equal(aif_mm_add_flow_coef(m, (int[]){a}, (double[]){0}, 1, 1, 0), -1);   /* coefficient must be > 0 */
    aif_mm_free(m);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static double uni(void) { return (next() >> 11) * (1.0 / 9007199254740992.0); }

/* checks the max-min property of m's current allocation */
static int cur_trial, cur_round;
static void check_maxmin(aif_mm *m, int n_links, const int *flows, int n_flows, int (*routes)[6], const int *len,
                         const double *w, const double *cap, const double *lcap)
{
    for (int l = 0; l < n_links; l++)
        assert_true(aif_mm_link_load(m, l) <= lcap[l] * (1 + 1e-9) + 1e-12);
    for (int i = 0; i < n_flows; i++) {
        int f = flows[i];
        double r = aif_mm_rate(m, f);
        assert_true(r >= 0);
        if (cap[i] > 0 && r >= cap[i] * (1 - 1e-9))
            continue;   /* at its cap */
        int ok = 0;
        for (int k = 0; k < len[i] && !ok; k++) {
            int l = routes[i][k];
            if (aif_mm_link_load(m, l) < lcap[l] * (1 - 1e-7))
                continue;   /* not saturated */
            double best = 0;
            for (int j = 0; j < n_flows; j++)
                for (int q = 0; q < len[j]; q++)
                    if (routes[j][q] == l)
                        best = fmax(best, aif_mm_rate(m, flows[j]) / w[j]);
            ok = r / w[i] >= best * (1 - 1e-7);
        }
        if (!ok)
            fail_msg("trial %d round %d: flow %d (rate %g, weight %g, cap %g) has no saturated bottleneck", cur_trial, cur_round, i, r, w[i], cap[i]);
    }
}

static void test_random_against_reference(void **state)
{
    (void)state;
    enum { MAXF = 80 };
    for (int trial = 0; trial < 300; trial++) {
        int nl = 1 + (int)(next() % 30), nf = 1 + (int)(next() % MAXF);
        aif_mm *m = aif_mm_new();
        double lcap[30];
        for (int l = 0; l < nl; l++) {
            lcap[l] = 1 + 99 * uni();
            assert_int_equal(aif_mm_add_link(m, lcap[l]), l);
        }
        int flows[MAXF], len[MAXF], routes[MAXF][6];
        double w[MAXF], cap[MAXF], co[MAXF][6];
        cur_trial = trial;
        cur_round = -1;
        int coflows = trial % 2;   /* odd trials: coefficients per link (coflows) */
        for (int i = 0; i < nf; i++) {
            len[i] = 1 + (int)(next() % 4);
            for (int k = 0; k < len[i]; k++)
                routes[i][k] = (int)(next() % (uint64_t)nl);
            for (int k = 0; k < 6; k++)
                co[i][k] = 0.25 + 4 * uni();
            w[i] = 1 + (double)(next() % 4);
            cap[i] = next() % 3 == 0 ? 0.5 + 30 * uni() : 0;
            flows[i] = aif_mm_add_flow_coef(m, routes[i], coflows ? co[i] : NULL, len[i], w[i], cap[i]);
            assert_true(flows[i] >= 0);
        }
        aif_mm_solve(m);
        assert_int_equal(aif_mm_check(m), 0);   /* shared lists and rmax as a recount finds them */
        double fast[MAXF];
        for (int i = 0; i < nf; i++)
            fast[i] = aif_mm_rate(m, flows[i]);
        check_maxmin(m, nl, flows, nf, routes, len, w, cap, lcap);
        aif_mm_solve_reference(m);
        for (int i = 0; i < nf; i++)
            if (fabs(fast[i] - aif_mm_rate(m, flows[i])) > 1e-7 * fmax(1, fast[i]))
                fail_msg("trial %d flow %d: fast %.12g, reference %.12g", trial, i, fast[i], aif_mm_rate(m, flows[i]));
        /* incremental: remove a few flows, add a few, re-solve only what changed */
        for (int round = 0; round < 5; round++) {
            cur_round = round;
            int i = (int)(next() % (uint64_t)nf);
            aif_mm_remove_flow(m, flows[i]);
            len[i] = 1 + (int)(next() % 4);
            for (int k = 0; k < len[i]; k++)
                routes[i][k] = (int)(next() % (uint64_t)nl);
            flows[i] = aif_mm_add_flow_coef(m, routes[i], coflows ? co[i] : NULL, len[i], w[i], cap[i]);
            assert_true(flows[i] >= 0);
            if (next() % 4 == 0) {
                int l = (int)(next() % (uint64_t)nl);
                lcap[l] = 1 + 99 * uni();
                aif_mm_set_capacity(m, l, lcap[l]);
            }
            aif_mm_solve(m);
            assert_int_equal(aif_mm_check(m), 0);
            for (int j = 0; j < nf; j++)
                fast[j] = aif_mm_rate(m, flows[j]);
            check_maxmin(m, nl, flows, nf, routes, len, w, cap, lcap);
            aif_mm_solve_reference(m);
            for (int j = 0; j < nf; j++)
                if (fabs(fast[j] - aif_mm_rate(m, flows[j])) > 1e-7 * fmax(1, fast[j]))
                    fail_msg("trial %d round %d flow %d: incremental %.12g, reference %.12g", trial, round, j, fast[j],
                             aif_mm_rate(m, flows[j]));
        }
        aif_mm_free(m);
    }
}

/* only the component that changed is re-solved */
static void test_incremental_scope(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int flows[100];
    for (int c = 0; c < 100; c++) {   /* 100 separate links, a flow each */
        int l = aif_mm_add_link(m, 10);
        flows[c] = aif_mm_add_flow(m, &l, 1, 1, 0);
    }
    assert_int_equal(aif_mm_solve(m), 100);
    assert_int_equal(aif_mm_solve(m), 0);   /* nothing changed */
    int l = 42;
    int g = aif_mm_add_flow(m, &l, 1, 1, 0);
    assert_int_equal(aif_mm_solve(m), 2);   /* the component of link 42: two flows */
    int nu;
    const int *up = aif_mm_updated(m, &nu);
    assert_int_equal(nu, 2);
    assert_true((up[0] == g && up[1] == flows[42]) || (up[1] == g && up[0] == flows[42]));
    CLOSE(aif_mm_rate(m, g), 5);
    CLOSE(aif_mm_rate(m, flows[42]), 5);
    CLOSE(aif_mm_rate(m, flows[41]), 10);
    assert_int_equal(aif_mm_n_flows(m), 101);
    aif_mm_free(m);
}

/* a slot added and removed many times between two solves stays on the dirty list once */
static void test_churn(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int a = aif_mm_add_link(m, 10);
    int keep = aif_mm_add_flow(m, &a, 1, 1, 0);
    for (int i = 0; i < 500; i++)
        aif_mm_remove_flow(m, aif_mm_add_flow(m, &a, 1, 1, 0));
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, keep), 10);
    assert_int_equal(aif_mm_n_flows(m), 1);
    aif_mm_free(m);
}

/* a coflow with coefficient 2 on a link takes twice its rate from it */
static void test_coefficients(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int a = aif_mm_add_link(m, 12), b = aif_mm_add_link(m, 100);
    int c = aif_mm_add_flow_coef(m, (int[]){a, b}, (double[]){2, 1}, 2, 1, 0);
    int f = aif_mm_add_flow(m, (int[]){a}, 1, 1, 0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, c), 4);   /* 2 x 4 + 4 = 12 */
    CLOSE(aif_mm_rate(m, f), 4);
    CLOSE(aif_mm_link_load(m, a), 12);
    CLOSE(aif_mm_link_load(m, b), 4);
    aif_mm_free(m);
}

/* The lazy heap's paths by hand: a stale key re-read at the top, links left in the
 * heap once every flow is frozen (their loads still reported), a flow frozen by its
 * cap while its link's entry is still queued. */
static void test_lazy_heap_cases(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int a = aif_mm_add_link(m, 10), b = aif_mm_add_link(m, 2), c = aif_mm_add_link(m, 100);
    int f1 = aif_mm_add_flow(m, (int[]){a, b}, 2, 1, 0);
    int f2 = aif_mm_add_flow(m, (int[]){a, c}, 2, 1, 0);
    aif_mm_solve(m);
    /* levels: a 5, b 2, c 100; b saturates first (f1 = 2), a's key 5 is stale (its
     * level is now 8) and comes up before c's: f2 = 8; c is never popped */
    CLOSE(aif_mm_rate(m, f1), 2);
    CLOSE(aif_mm_rate(m, f2), 8);
    CLOSE(aif_mm_link_load(m, a), 10);
    CLOSE(aif_mm_link_load(m, c), 8);
    /* a cap below every link level: the capped flow freezes first, then a link
     * whose key went stale twice */
    int f3 = aif_mm_add_flow(m, (int[]){a}, 1, 2, 1.0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f3), 1);
    CLOSE(aif_mm_rate(m, f1), 2);
    CLOSE(aif_mm_rate(m, f2), 7);
    CLOSE(aif_mm_link_load(m, a), 10);
    /* everything capped: no link saturates, every link still gets its load */
    aif_mm_remove_flow(m, f1);
    aif_mm_remove_flow(m, f2);
    int f4 = aif_mm_add_flow(m, (int[]){a, b, c}, 3, 1, 0.5);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f4), 0.5);
    CLOSE(aif_mm_link_load(m, a), 1.5);
    CLOSE(aif_mm_link_load(m, b), 0.5);
    CLOSE(aif_mm_link_load(m, c), 0.5);
    aif_mm_free(m);
}

/* Networks shaped like an oversubscribed fabric's solver: hundreds of links, a few
 * dozen coflows of up to 48 links each, most links never saturating, many levels
 * raised by each freeze (stale keys), exact ties (whole capacities and weights);
 * the fast solver against the reference, after a full solve and after changes. */
static void test_random_large_against_reference(void **state)
{
    (void)state;
    enum { MAXL = 600, MAXF = 60, MAXR = 48 };
    static int routes[MAXF][MAXR];
    static double co[MAXF][MAXR];
    for (int trial = 0; trial < 60; trial++) {
        int nl = 50 + (int)(next() % (MAXL - 50)), nf = 2 + (int)(next() % (MAXF - 2));
        int ties = trial % 3 == 0;
        aif_mm *m = aif_mm_new();
        double lcap[MAXL];
        for (int l = 0; l < nl; l++) {
            lcap[l] = ties ? (double)(1 + next() % 4) * 8 : 1 + 99 * uni();
            assert_int_equal(aif_mm_add_link(m, lcap[l]), l);
        }
        int flows[MAXF], len[MAXF];
        double w[MAXF], cap[MAXF];
        for (int i = 0; i < nf; i++) {
            len[i] = 1 + (int)(next() % MAXR);
            for (int k = 0; k < len[i]; k++) {
                int l;
                do {   /* distinct links on one route, as a coflow's classes are */
                    l = (int)(next() % (uint64_t)nl);
                    for (int q = 0; q < k && l >= 0; q++)
                        if (routes[i][q] == l)
                            l = -1;
                } while (l < 0);
                routes[i][k] = l;
                co[i][k] = ties ? (double)(1 + next() % 2) : 0.25 + 4 * uni();
            }
            w[i] = ties ? 1 : 1 + (double)(next() % 4);
            cap[i] = next() % 4 == 0 ? (ties ? 2 : 0.5 + 30 * uni()) : 0;
            flows[i] = aif_mm_add_flow_coef(m, routes[i], co[i], len[i], w[i], cap[i]);
            assert_true(flows[i] >= 0);
        }
        for (int round = 0; round < 6; round++) {
            if (round > 0) {   /* a coflow ends and another starts; sometimes a capacity changes */
                int i = (int)(next() % (uint64_t)nf);
                aif_mm_remove_flow(m, flows[i]);
                flows[i] = aif_mm_add_flow_coef(m, routes[(i + round) % nf], co[(i + round) % nf],
                                                len[(i + round) % nf], w[i], cap[i]);
                assert_true(flows[i] >= 0);
                if (round % 2 == 0) {
                    int l = (int)(next() % (uint64_t)nl);
                    lcap[l] = ties ? 16 : 1 + 99 * uni();
                    aif_mm_set_capacity(m, l, lcap[l]);
                }
            }
            aif_mm_solve(m);
            assert_int_equal(aif_mm_check(m), 0);
            double fast[MAXF], load[MAXL];
            for (int i = 0; i < nf; i++)
                fast[i] = aif_mm_rate(m, flows[i]);
            for (int l = 0; l < nl; l++) {
                load[l] = aif_mm_link_load(m, l);
                assert_true(load[l] <= lcap[l] * (1 + 1e-9));
            }
            aif_mm_solve_reference(m);
            for (int i = 0; i < nf; i++)
                if (fabs(fast[i] - aif_mm_rate(m, flows[i])) > 1e-7 * fmax(1, fast[i]))
                    fail_msg("trial %d round %d flow %d: fast %.12g, reference %.12g", trial, round, i, fast[i],
                             aif_mm_rate(m, flows[i]));
            for (int l = 0; l < nl; l++)
                if (fabs(load[l] - aif_mm_link_load(m, l)) > 1e-7 * fmax(1, load[l]))
                    fail_msg("trial %d round %d link %d: load %.12g, reference %.12g", trial, round, l, load[l],
                             aif_mm_link_load(m, l));
            /* the reference left every rate in place: the next incremental solve
             * starts from the same state as if the fast solver had run */
            for (int i = 0; i < nf; i++)
                aif_mm_set_capacity(m, routes[i][0], lcap[routes[i][0]]);
        }
        aif_mm_free(m);
    }
}

/* Links crossed by one flow are folded into that flow's cap (maxmin.c): one that
 * binds (below the cap, at C / a), a failed one (capacity 0: rate 0), one that
 * becomes a flow's own when the other flow over it leaves, and a capacity change
 * on one; and shared links above every flow's cap, which stay out of the heap. */
static void test_single_flow_links(void **state)
{
    (void)state;
    aif_mm *m = aif_mm_new();
    int a = aif_mm_add_link(m, 12), b = aif_mm_add_link(m, 6), c = aif_mm_add_link(m, 100);
    int d = aif_mm_add_link(m, 0), e = aif_mm_add_link(m, 1000);
    /* f1 alone on a (12 / 2 = 6) and on c; f2 alone on b (6 / 3 = 2) and shares c */
    int f1 = aif_mm_add_flow_coef(m, (int[]){a, c}, (double[]){2, 1}, 2, 1, 50);
    int f2 = aif_mm_add_flow_coef(m, (int[]){c, b}, (double[]){1, 3}, 2, 1, 0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f1), 6);
    CLOSE(aif_mm_rate(m, f2), 2);
    CLOSE(aif_mm_link_load(m, a), 12);
    CLOSE(aif_mm_link_load(m, c), 8);
    /* a flow over a failed link of its own gets nothing */
    int f3 = aif_mm_add_flow_coef(m, (int[]){e, d}, (double[]){1, 1}, 2, 1, 5);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f3), 0);
    CLOSE(aif_mm_link_load(m, e), 0);
    /* c shared by three: 100 / 3 each would exceed f1's and f2's own links; f4 gets the rest */
    int f4 = aif_mm_add_flow(m, (int[]){c}, 1, 1, 0);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f1), 6);
    CLOSE(aif_mm_rate(m, f2), 2);
    CLOSE(aif_mm_rate(m, f4), 92);
    /* f4 and f1 leave: c becomes f2's own, and b still binds it */
    aif_mm_remove_flow(m, f4);
    aif_mm_remove_flow(m, f1);
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f2), 2);
    aif_mm_set_capacity(m, c, 1);   /* now c binds: 1 / 1 */
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f2), 1);
    aif_mm_set_capacity(m, d, 10);  /* the failed link comes back: f3 at its cap */
    aif_mm_solve(m);
    CLOSE(aif_mm_rate(m, f3), 5);
    aif_mm_free(m);
}

/* Components shaped like a coflow simulation's on an oversubscribed fabric: a few
 * coflows over hundreds of links, most crossed by one of them (some failed), every
 * coflow capped; fast against reference as coflows come and go. */
static void test_coflow_components_against_reference(void **state)
{
    (void)state;
    enum { NL = 400, NF = 8, R = 120 };
    static int routes[NF][R];
    static double co[NF][R];
    for (int trial = 0; trial < 40; trial++) {
        aif_mm *m = aif_mm_new();
        double lcap[NL];
        for (int l = 0; l < NL; l++) {
            lcap[l] = next() % 50 == 0 ? 0 : (trial % 2 ? 1 + 99 * uni() : (double)(8 << (next() % 3)));
            assert_int_equal(aif_mm_add_link(m, lcap[l]), l);
        }
        int flows[NF], len[NF];
        for (int i = 0; i < NF; i++) {
            len[i] = R / 2 + (int)(next() % (R / 2));
            for (int k = 0; k < len[i]; k++) {
                /* most links in the flow's own block of 50, a few in a shared block */
                int own = next() % 5 != 0;
                int l = own ? i * 40 + (int)(next() % 40) : 320 + (int)(next() % 80);
                for (int q = 0; q < k; q++)
                    if (routes[i][q] == l)
                        l = -1;
                if (l < 0) {
                    k--;
                    continue;
                }
                routes[i][k] = l;
                co[i][k] = trial % 2 ? 0.1 + 2 * uni() : 1.0 / (double)(1 + next() % 4);
            }
        }
        int alive[NF] = {0};
        for (int round = 0; round < 30; round++) {
            int i = (int)(next() % NF);
            if (alive[i])
                aif_mm_remove_flow(m, flows[i]);
            else
                assert_true((flows[i] = aif_mm_add_flow_coef(m, routes[i], co[i], len[i], 1 + (double)(i % 3),
                                                             0.5 + 20 * uni())) >= 0);
            alive[i] = !alive[i];
            assert_int_equal(aif_mm_check(m), 0);
            aif_mm_solve(m);
            double fast[NF];
            for (int j = 0; j < NF; j++)
                fast[j] = alive[j] ? aif_mm_rate(m, flows[j]) : 0;
            for (int l = 0; l < NL; l++)
                assert_true(aif_mm_link_load(m, l) <= lcap[l] * (1 + 1e-9) + 1e-12);
            aif_mm_solve_reference(m);
            for (int j = 0; j < NF; j++)
                if (alive[j] && fabs(fast[j] - aif_mm_rate(m, flows[j])) > 1e-9 * fmax(1, fast[j]))
                    fail_msg("trial %d round %d flow %d: fast %.15g, reference %.15g", trial, round, j, fast[j],
                             aif_mm_rate(m, flows[j]));
            for (int j = 0; j < NF; j++)   /* the next solve re-solves every component */
                if (alive[j])
                    aif_mm_set_capacity(m, routes[j][0], lcap[routes[j][0]]);
        }
        aif_mm_free(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_cases), cmocka_unit_test(test_random_against_reference),
        cmocka_unit_test(test_incremental_scope), cmocka_unit_test(test_coefficients), cmocka_unit_test(test_churn),
        cmocka_unit_test(test_lazy_heap_cases), cmocka_unit_test(test_random_large_against_reference),
        cmocka_unit_test(test_single_flow_links), cmocka_unit_test(test_coflow_components_against_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
