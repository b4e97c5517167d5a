/* schedule.c -- Megatron-LM's 1F1B pipeline schedule, plain and interleaved
 * (equations in schedule.h).  Pure functions of the pipeline's shape. */
#include "workload/schedule.h"

#include <math.h>

int aif_sched_n_units(aif_pipe p) { return 2 * p.m * p.vpp; }

/* The forwards stage `stage` runs before its first backward (the warm-up, schedule.h). */
static int warm_up(aif_pipe p, int stage)
{
    int pp = p.pp, v = p.vpp, total = p.m * v, w = v == 1 ? pp - stage - 1 : (pp - stage - 1) * 2 + (v - 1) * pp;
    return w < total ? w : total;
}

/* The k-th unit of a pass (k counts that pass's units of the stage). */
static aif_unit nth(aif_pipe p, aif_pass pass, int k)
{
    int pp = p.pp, v = p.vpp, in_grp = k % (pp * v);
    aif_unit u;
    u.pass = (unsigned char)pass;
    u.chunk = (unsigned char)(v == 1 ? 0 : pass == AIF_PASS_FWD ? in_grp / pp : v - 1 - in_grp / pp);
    u.mb = v == 1 ? k : k / (pp * v) * pp + k % pp;
    return u;
}

void aif_sched_stage(aif_pipe p, int stage, aif_unit *out)
{
    int total = p.m * p.vpp, warm = warm_up(p, stage);
    int n = 0, f = 0, b = 0;
    for (; f < warm; f++)
        out[n++] = nth(p, AIF_PASS_FWD, f);
    for (int i = 0; i < total - warm; i++) {
        out[n++] = nth(p, AIF_PASS_FWD, f++);
        out[n++] = nth(p, AIF_PASS_BWD, b++);
    }
    for (; b < total; b++)
        out[n++] = nth(p, AIF_PASS_BWD, b);
}

double aif_sched_in_flight(aif_pipe p, int stage)
{
    int total = p.m * p.vpp, live = warm_up(p, stage) + 1;   /* the steady phase's first forward */
    return (double)(live < total ? live : total) / p.vpp;
}

double aif_sched_fill_drain(aif_pipe p) { return p.pp > 1 ? (p.pp - 1) / (double)p.vpp : 0; }

double aif_sched_dp_window(aif_pipe p, double x)
{
    if (p.vpp <= 1)
        return x;
    double xv = x * p.vpp, c = floor(xv), grp = p.pp < p.m ? p.pp : p.m;
    return (c * grp + (xv - c)) / p.vpp;
}

int aif_sched_input_stage(aif_pipe p, int stage, aif_unit u)
{
    if (u.pass == AIF_PASS_FWD)
        return stage > 0 ? stage - 1 : u.chunk > 0 ? p.pp - 1 : -1;
    return stage < p.pp - 1 ? stage + 1 : u.chunk < p.vpp - 1 ? 0 : -1;
}

int aif_sched_output_stage(aif_pipe p, int stage, aif_unit u, int *chunk)
{
    if (u.pass == AIF_PASS_FWD) {
        *chunk = stage == p.pp - 1 ? u.chunk + 1 : u.chunk;
        return (stage + 1) % p.pp;
    }
    *chunk = stage == 0 ? u.chunk - 1 : u.chunk;
    return (stage + p.pp - 1) % p.pp;
}
