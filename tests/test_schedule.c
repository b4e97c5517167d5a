/* test_schedule.c -- the pipeline schedule (src/workload/schedule.h):
 *  - every stage runs each (pass, chunk, microbatch) once, a unit's forward
 *    before its backward, and the order Megatron-LM runs (1F1B and interleaved,
 *    written out by hand);
 *  - the in-flight microbatches the memory model uses are the peak the unit
 *    order keeps live, on every stage;
 *  - a unit's output goes to the stage whose input it is. */
#include "workload/schedule.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_megatron_1f1b_order(void **state)
{
    (void)state;
    aif_pipe p = {2, 1, 4};
    aif_unit u[8];
    aif_sched_stage(p, 0, u);
    /* stage 0 of 2: one warm-up forward, then one forward and one backward, then the last backward */
    static const int pass[8] = {0, 0, 1, 0, 1, 0, 1, 1}, mb[8] = {0, 1, 0, 2, 1, 3, 2, 3};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(u[i].pass, pass[i]);
        assert_int_equal(u[i].mb, mb[i]);
        assert_int_equal(u[i].chunk, 0);
    }
    aif_sched_stage(p, 1, u);   /* the last stage alternates from the start */
    for (int i = 0; i < 8; i++) {
        assert_int_equal(u[i].pass, i % 2);
        assert_int_equal(u[i].mb, i / 2);
    }
}

/* Interleaved, pp 2, v 2, m 4, as Megatron-LM's forward_backward_pipelining_with_interleaving
 * runs it: stage 0 warms up with (pp - 1) * 2 + (v - 1) * pp = 4 chunk forwards, stage 1 with
 * 2; a forward group runs chunk 0 of microbatches 0, 1, then chunk 1 of the same, a backward
 * group the chunks in reverse.  Written out here, not derived from the schedule's own count. */
static void test_megatron_interleaved_order(void **state)
{
    (void)state;
    aif_pipe p = {2, 2, 4};
    aif_unit u[16];
    static const int pass0[16] = {0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1};
    static const int chunk0[16] = {0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0};
    static const int mb0[16] = {0, 1, 0, 1, 2, 0, 3, 1, 2, 0, 3, 1, 2, 3, 2, 3};
    static const int pass1[16] = {0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1};
    static const int chunk1[16] = {0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0};
    static const int mb1[16] = {0, 1, 0, 0, 1, 1, 2, 0, 3, 1, 2, 2, 3, 3, 2, 3};
    aif_sched_stage(p, 0, u);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(u[i].pass, pass0[i]);
        assert_int_equal(u[i].chunk, chunk0[i]);
        assert_int_equal(u[i].mb, mb0[i]);
    }
    aif_sched_stage(p, 1, u);
    for (int i = 0; i < 16; i++) {
        assert_int_equal(u[i].pass, pass1[i]);
        assert_int_equal(u[i].chunk, chunk1[i]);
        assert_int_equal(u[i].mb, mb1[i]);
    }
    /* five chunks live on stage 0 (four warm-up forwards and the first steady one), three
     * on stage 1: 2.5 and 1.5 stages' worth */
    assert_true(fabs(aif_sched_in_flight(p, 0) - 2.5) < 1e-15);
    assert_true(fabs(aif_sched_in_flight(p, 1) - 1.5) < 1e-15);
}

/* Each unit once, forward before backward; returns the peak of live (forwarded,
 * not yet backwarded) units. */
static int check_stage(aif_pipe p, int stage)
{
    int n = aif_sched_n_units(p);
    assert_int_equal(n, 2 * p.m * p.vpp);
    aif_unit *u = malloc((size_t)n * sizeof *u);
    int *seen = calloc((size_t)(2 * p.vpp * p.m), sizeof(int));
    assert_non_null(u);
    assert_non_null(seen);
    aif_sched_stage(p, stage, u);
    int live = 0, peak = 0;
    for (int i = 0; i < n; i++) {
        assert_true(u[i].chunk < p.vpp && u[i].mb >= 0 && u[i].mb < p.m);
        int k = (u[i].pass * p.vpp + u[i].chunk) * p.m + u[i].mb;
        assert_int_equal(seen[k], 0);
        seen[k] = 1;
        if (u[i].pass == AIF_PASS_BWD)
            assert_int_equal(seen[(0 * p.vpp + u[i].chunk) * p.m + u[i].mb], 1);
        live += u[i].pass == AIF_PASS_FWD ? 1 : -1;
        if (live > peak)
            peak = live;
    }
    assert_int_equal(live, 0);
    free(u);
    free(seen);
    return peak;
}

static void test_units_and_in_flight(void **state)
{
    (void)state;
    static const aif_pipe shapes[] = {{1, 1, 1}, {1, 1, 8}, {4, 1, 2}, {4, 1, 16}, {8, 1, 3}, {2, 2, 4},
                                      {4, 2, 8}, {4, 4, 4}, {16, 2, 32}, {3, 3, 9}, {4, 2, 4}, {8, 4, 8}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        aif_pipe p = shapes[i];
        for (int st = 0; st < p.pp; st++) {
            int peak = check_stage(p, st);
            /* chunks hold 1/v of a stage's layers: live chunk-units / v stages' worth */
            double live = (double)peak / p.vpp, model = aif_sched_in_flight(p, st);
            if (!(fabs(live - model) < 1e-12 * model))
                fail_msg("pp %d vpp %d m %d stage %d: %g live, %g in the model", p.pp, p.vpp, p.m, st, live, model);
            assert_true(peak <= check_stage(p, 0));   /* stage 0 holds the most */
        }
        assert_true(fabs(aif_sched_fill_drain(p) - (p.pp - 1) / (double)p.vpp) < 1e-15);
    }
}

static void test_sends_meet_inputs(void **state)
{
    (void)state;
    static const aif_pipe shapes[] = {{4, 1, 4}, {4, 2, 8}, {2, 3, 4}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        aif_pipe p = shapes[i];
        for (int st = 0; st < p.pp; st++)
            for (int c = 0; c < p.vpp; c++)
                for (int pass = 0; pass < 2; pass++) {
                    aif_unit u = {(unsigned char)pass, (unsigned char)c, 0};
                    int chunk, to = aif_sched_output_stage(p, st, u, &chunk);
                    int last = pass == AIF_PASS_FWD ? st == p.pp - 1 && c == p.vpp - 1 : st == 0 && c == 0;
                    if (last)
                        continue;   /* the loss or the data: no receiver */
                    aif_unit v = {(unsigned char)pass, (unsigned char)chunk, 0};
                    assert_true(chunk >= 0 && chunk < p.vpp);
                    assert_int_equal(aif_sched_input_stage(p, to, v), st);
                }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_megatron_1f1b_order),
        cmocka_unit_test(test_megatron_interleaved_order),
        cmocka_unit_test(test_units_and_in_flight),
        cmocka_unit_test(test_sends_meet_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
