/* compute.c -- roofline time of compute ops (equations in compute.h). */
#include "hw/compute.h"

#include <math.h>

int aif_gemm_split_k(const aif_gpu *g, const aif_op *op, double tiles, double peak_eff)
{
    /* only a launch whose tiles leave SMs idle in its one wave is split: s slices of k / s, as many as
     * keep one wave and leave each slice at least 128 of K (one main-loop block of a Hopper fp8
     * kernel, two of a bf16 one), the s of the least time counting the fp32 partial sums written and
     * read back and the reduction's launch */
    const aif_calib *c = &g->calib;
    if (tiles <= 0 || tiles >= c->n_sm)
        return 1;
    double bw = g->hbm_bw_Bps * c->mem_eff, best_t = 0;
    int best = 1;
    for (int s = 1; s == 1 || (s * tiles <= c->n_sm && op->k / s >= 128 && s <= 1024); s++) {
        double ks = op->k / s, e = peak_eff * s * tiles / c->n_sm * ks / (ks + c->matmul_k_half);
        double t_c = op->flops / e, t_m = (op->bytes + (s > 1 ? 2.0 * 4 * op->m * op->n * op->batch * s : 0)) / bw;
        double t = (t_c > t_m ? t_c : t_m) + (s > 1) * c->kernel_overhead_s;
        if (s == 1 || t < best_t * (1 - 1e-9)) {
            best_t = t;
            best = s;
        }
    }
    return best;
}

/* A figure measured at head dimensions 64, 128 and 192 (v64 or v192 0: not measured), at head
 * dimension d: the measured points, linear between them, the end value beyond; on a side
 * without its point, `none` (d <= 0 counts as 128). */
static double through_head_dims(double d, double v64, double v128, double v192, double none)
{
    if (d <= 0 || d == 128)
        return v128;
    if (d < 128)
        return !(v64 > 0) ? none : d <= 64 ? v64 : v64 + (v128 - v64) * (d - 64) / 64;
    return !(v192 > 0) ? none : d >= 192 ? v192 : v128 + (v192 - v128) * (d - 128) / 64;
}

double aif_attn_eff_hd(const aif_calib *c, int fwd, double d)
{
    double e128 = fwd ? c->attn_fwd_eff : c->attn_bwd_eff;
    /* no point on a side: the curve d / (d + attn_hd_half), relative to 128 */
    double curve = d > 0 ? e128 * (d / (d + c->attn_hd_half)) / (128.0 / (128.0 + c->attn_hd_half)) : e128;
    return through_head_dims(d, fwd ? c->attn_fwd_eff_hd64 : c->attn_bwd_eff_hd64, e128,
                             fwd ? c->attn_fwd_eff_hd192 : c->attn_bwd_eff_hd192, curve);
}

/* The fused attention's rate with fp8 operands over its bf16 rate (train.attention_dtype fp8): the
 * family's attn_fp8_* factors through the head dimensions, 128's on a side without its point; 1
 * where the family has none (aif_scenario_check refuses fp8 attention there). */
static double attn_fp8_factor(const aif_calib *c, int fwd, double d)
{
    double f128 = fwd ? c->attn_fp8_fwd_factor : c->attn_fp8_bwd_factor;
    if (!(f128 > 0))
        return 1;
    return through_head_dims(d, fwd ? c->attn_fp8_fwd_factor_hd64 : c->attn_fp8_bwd_factor_hd64, f128,
                             fwd ? c->attn_fp8_fwd_factor_hd192 : c->attn_fp8_bwd_factor_hd192, f128);
}

double aif_compute_time(const aif_gpu *g, const aif_op *op, double clock_factor)
{
    return aif_compute_time_bound(g, op, clock_factor, NULL);
}

double aif_compute_time_bound(const aif_gpu *g, const aif_op *op, double clock_factor, int *memory_bound)
{
    const aif_calib *c = &g->calib;
    int mb_dummy;
    if (!memory_bound)
        memory_bound = &mb_dummy;
    *memory_bound = op->kind == AIF_OP_MEM;
    if (g->sustained_clock > 0)   /* the share of its rated clock its board power holds (aif_gpu) */
        clock_factor *= g->sustained_clock;
    double overhead = op->n_kernels * c->kernel_overhead_s;
    double t_mem = op->bytes / (g->hbm_bw_Bps * c->mem_eff);
    switch (op->kind) {
    case AIF_OP_GEMM: {
        if (op->flops <= 0)
            return 0;
        /* an fp4 GEMM (aif_gemm_prec 2, 3) where the GPU has fp4, an fp8 one where it has fp8 */
        int fp4 = op->fp8 >= AIF_GEMM_FP4 && g->peak_flops[AIF_FP4] > 0;
        int fp8 = op->fp8 && g->peak_flops[AIF_FP8] > 0;
        double peak = g->peak_flops[fp4 ? AIF_FP4 : fp8 ? AIF_FP8 : AIF_BF16] * clock_factor;
        double eff = fp8 && c->matmul_eff_fp8 > 0 ? c->matmul_eff_fp8 : c->matmul_eff;
        if (fp4 && c->matmul_eff_fp4 > 0)   /* one block-scaled fp4 kernel, serving or training */
            eff = c->matmul_eff_fp4;
        /* wave quantisation per GEMM launched: a chunked GEMM's chunks each fill their own waves */
        double chunks = op->chunks > 1 ? op->chunks : 1;
        double tiles = ceil(op->m / chunks / c->tile_m) * ceil(op->n / c->tile_n) * op->batch;
        double rate = peak * eff;   /* the compute rate before the launch's shape, the recipe's bf16 share blended in */
        if (op->hp_share > 0 && (fp4 || fp8))
            rate = 1 / ((1 - op->hp_share) / (peak * eff) +
                        op->hp_share / (g->peak_flops[AIF_BF16] * clock_factor * c->matmul_eff));
        /* the experts' grouped GEMMs where the family has a grouped kernel's table: its pass's factor,
         * the contraction's and a group's rows' curves, no wave of one GEMM's tiles */
        int gp = op->grouped_pass;
        double gfac = gp == AIF_GROUPED_FWD     ? c->grouped_factor
                      : gp == AIF_GROUPED_DGRAD ? c->grouped_dgrad_factor
                      : gp == AIF_GROUPED_WGRAD ? c->grouped_wgrad_factor
                                                : 0;
        int split = chunks > 1 || op->grouped || gfac > 0 ? 1 : aif_gemm_split_k(g, op, tiles, rate);
        double ks = op->k / split;
        double waves = ceil(tiles * split / c->n_sm);
        double shape = tiles * split / (waves * c->n_sm) * (ks / (ks + c->matmul_k_half));
        if (gfac > 0) {
            double rows = gp == AIF_GROUPED_WGRAD ? op->k : op->m;   /* a group's rows */
            shape = gfac * (ks / (ks + c->matmul_k_half)) *
                    (c->grouped_m_half > 0 ? rows / (rows + c->grouped_m_half) : 1);
            /* the weight's dimensions (k and n, or the weight gradient's m and n) off the 128 lanes:
             * the kernel masks the partial tile of each (tokamax's ragged dot) */
            double w0 = gp == AIF_GROUPED_WGRAD ? op->m : op->k;
            if (c->grouped_unaligned_factor > 0 && (fmod(w0, 128) != 0 || fmod(op->n, 128) != 0))
                shape *= c->grouped_unaligned_factor;
        }
        /* 4-bit weights widened in the main loop (W4A16, the kind the factor was measured on); under fp8
         * math on a GPU with fp4 tensor cores they go in as they are (Blackwell's fp4 x fp8 MMA); 8-bit
         * weights under bf16 math keep their math's rate (no such kernel measured) */
        int fp4_native = op->fp8 == AIF_GEMM_FP8 && g->peak_flops[AIF_FP4] > 0;
        if (op->mixed == 1 + AIF_GEMM_FP4 && !fp4_native && c->mixed_input_factor > 0)
            shape *= c->mixed_input_factor;
        eff *= shape;
        if (split > 1) {   /* the fp32 partial sums written and read back by the reduction */
            t_mem += 2.0 * 4 * op->m * op->n * op->batch * split / (g->hbm_bw_Bps * c->mem_eff);
            overhead += chunks * c->kernel_overhead_s;
        }
        if (op->grouped && c->grouped_m_half > 0 && gfac <= 0) {   /* few rows per expert: DeepGEMM's grouped tables */
            double per_group = op->m / (op->m + c->grouped_m_half);
            eff *= per_group;
            shape *= per_group;
        }
        double t_c = op->flops / (peak * eff);
        if (op->hp_share > 0 && (fp4 || fp8))   /* the recipe's bf16 layers: that share at the bf16 rate */
            t_c = op->flops * (1 - op->hp_share) / (peak * eff) +
                  op->flops * op->hp_share / (g->peak_flops[AIF_BF16] * clock_factor * c->matmul_eff * shape);
        *memory_bound = t_mem >= t_c;
        return (t_c > t_mem ? t_c : t_mem) + overhead;
    }
    case AIF_OP_ATTN_FWD:
    case AIF_OP_ATTN_BWD: {
        double eff = aif_attn_eff_hd(c, op->kind == AIF_OP_ATTN_FWD, op->n);
        eff *= op->k / (op->k + c->attn_kv_half);
        if (op->fp8 & AIF_ATTN_OP_FLASH2 && c->attn_flash2_factor > 0)
            eff *= c->attn_flash2_factor;
        if (op->fp8 & AIF_ATTN_OP_FP8)   /* fp8 operands: the fp8 kernel's rate over the bf16 one's */
            eff *= attn_fp8_factor(c, op->kind == AIF_OP_ATTN_FWD, op->n);
        double t_c = op->flops / (g->peak_flops[AIF_BF16] * clock_factor * eff);
        *memory_bound = t_mem >= t_c;
        return (t_c > t_mem ? t_c : t_mem) + overhead;
    }
    case AIF_OP_MEM:
        return t_mem + overhead;
    default:
        return 0;
    }
}
