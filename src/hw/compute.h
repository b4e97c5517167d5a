/* compute.h -- time of one compute op on one accelerator: a roofline whose
 * compute roof is derated by the calibration family's measured efficiencies.
 *   GEMM:  t = max(F / (P * e_mm * e_wave * K/(K + K_half)), B / (BW * e_mem)) + n_k * t_k
 *          (e_wave: tiles / (waves x SMs) of one launch; a GEMM run in chunks, aif_op.chunks,
 *          counts the tiles of m / chunks rows)
 *          e_wave = tiles / (ceil(tiles / n_sm) * n_sm)   (wave quantisation)
 *          split-K: a launch of fewer tiles than SMs (a decode batch, a short prefill) is split in s
 *          slices of K, as cuBLAS and CUTLASS split thin GEMMs: e_wave = s tiles / n_sm, K -> K / s,
 *          2 x 4 m n batch s bytes of fp32 partial sums more and one reduction launch, s (s tiles <= n_sm,
 *          K / s >= 128) the least time; a chunk of a pipelined GEMM and a grouped GEMM are not split
 *          a grouped GEMM (aif_op.grouped: a MoE layer's experts, m rows each) also
 *          x m / (m + m_half), m_half the family's grouped_m_half (DeepGEMM's grouped tables)
 *   attention (fused): t = F / (P_bf16 * e_attn(d) * S/(S + S_half)) + t_k   (head dimension d)
 *          e_attn(d): a family with measured points (attn_*_eff_hd64, _hd192) is piecewise
 *          linear through them and attn_*_eff at 128, constant beyond the last point; on a side
 *          without a point e_attn(128) x (d / (d + d_half)) / (128 / (128 + d_half))
 *          (a sliding-window op's S and F are the whole tiles its kernel computes: lower_train.c)
 *   memory-bound:      t = B / (BW * e_mem) + n_k * t_k
 * P is the dense peak of the op's precision and e_mm its efficiency (matmul_eff, _fp8, or
 * _fp4 for a training recipe's block-scaled fp4 GEMM); a share h of a low-precision GEMM's
 * FLOPs kept in bf16 (aif_op.hp_share) runs at the bf16 roof:
 *        F / P -> F (1 - h) / (P e) + F h / (P_bf16 e_bf16)   (same wave and K factors)
 * Constants: data/calibration.yaml. */
#ifndef AIF_COMPUTE_H
#define AIF_COMPUTE_H

#include "aifsim/graph.h"

/* The fused-attention efficiency of family c at head dimension d (forward or backward),
 * before the key-length and kernel factors: e_attn(d) above (d <= 0: the 128 figure). */
double aif_attn_eff_hd(const aif_calib *c, int fwd, double d);
/* split-K slices of a GEMM launch of `tiles` output tiles over k (1: not split). */
int aif_gemm_split_k(const aif_gpu *g, const aif_op *op, double tiles, double peak_eff);
/* clock_factor scales the compute roof (1 = nominal clocks; <1 = power-capped), and so does
 * the GPU's own sustained_clock (aif_gpu: a variant whose board power holds it below its
 * rated clock). */
double aif_compute_time(const aif_gpu *g, const aif_op *op, double clock_factor);
/* The same, and *memory_bound (may be NULL) set when the op's HBM bytes (a split GEMM's
 * partial sums included) bind it rather than its compute: a memory-bound op always. */
double aif_compute_time_bound(const aif_gpu *g, const aif_op *op, double clock_factor, int *memory_bound);

#endif
