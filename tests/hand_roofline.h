/* hand_roofline.h -- the roofline of graph.h / docs/ARCHITECTURE.md ("Compute") written
 * out by hand for one bf16 op, apart from src/hw/compute.c, for the tests that check the
 * engine's op times against it (test_graph, test_serve).  Included by one test file each;
 * every name is static to that file.
 *   GEMM  t = max(F / (P e_mm e_wave K/(K + K_half)), B / (BW e_mem)) + t_k
 *         a launch of fewer tiles than SMs split in s slices of K (s x tiles <= SMs, K/s >= 128):
 *         e_wave = s tiles / SMs, K -> K/s, B + 2 x 4 m n s bytes of fp32 partial sums,
 *         one more t_k; the s of the least time (s = 1 when nothing is gained)
 *   mem   t = B / (BW e_mem) + t_k                                          */
#ifndef AIF_TEST_HAND_ROOFLINE_H
#define AIF_TEST_HAND_ROOFLINE_H

#include "aifsim/aifsim.h"

#include <math.h>
#include <stddef.h>

/* A bf16 GEMM of m x n x k; *mem_bound (may be NULL) set when its bytes bind it. */
static double hand_gemm(const aif_gpu *gpu, double m, double n, double k, int *mem_bound)
{
    const aif_calib *c = &gpu->calib;
    double F = 2 * m * n * k, B = (m * k + k * n) * 2 + m * n * 2;
    double tiles = ceil(m / c->tile_m) * ceil(n / c->tile_n);
    double best = INFINITY;
    for (int s = 1; s == 1 || (s * tiles <= c->n_sm && k / s >= 128); s++) {
        double e_wave = s * tiles / (ceil(s * tiles / c->n_sm) * c->n_sm), ks = k / s;
        double t_c = F / (gpu->peak_flops[AIF_BF16] * c->matmul_eff * e_wave * ks / (ks + c->matmul_k_half));
        double t_m = (B + (s > 1 ? 8 * m * n * s : 0)) / (gpu->hbm_bw_Bps * c->mem_eff);
        double t = fmax(t_c, t_m) + c->kernel_overhead_s * (s > 1 ? 2 : 1);
        if (t < best * (1 - 1e-9)) {
            best = t;
            if (mem_bound)
                *mem_bound = t_m > t_c;
        }
    }
    return best;
}

/* A memory-bound kernel moving `bytes` of HBM. */
static double hand_mem(const aif_gpu *gpu, double bytes)
{
    return bytes / (gpu->hbm_bw_Bps * gpu->calib.mem_eff) + gpu->calib.kernel_overhead_s;
}

#endif
