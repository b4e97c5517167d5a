/* compute.c -- roofline time of compute ops (equations in compute.h). */
#include "hw/compute.h"

#include <math.h>

double aif_compute_time(const aif_gpu *g, const aif_op *op, double clock_factor)
{
    const aif_calib *c = &g->calib;
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
        double waves = ceil(tiles / c->n_sm);
        double shape = tiles / (waves * c->n_sm) * (op->k / (op->k + c->matmul_k_half));
        eff *= tiles / (waves * c->n_sm);
        eff *= op->k / (op->k + c->matmul_k_half);
        if (op->grouped && c->grouped_m_half > 0) {   /* few rows per expert: DeepGEMM's grouped tables */
            double per_group = op->m / (op->m + c->grouped_m_half);
            eff *= per_group;
            shape *= per_group;
        }
        double t_c = op->flops / (peak * eff);
        if (op->hp_share > 0 && (fp4 || fp8))   /* the recipe's bf16 layers: that share at the bf16 rate */
            t_c = op->flops * (1 - op->hp_share) / (peak * eff) +
                  op->flops * op->hp_share / (g->peak_flops[AIF_BF16] * clock_factor * c->matmul_eff * shape);
        return (t_c > t_mem ? t_c : t_mem) + overhead;
    }
    case AIF_OP_ATTN_FWD:
    case AIF_OP_ATTN_BWD: {
        double eff = op->kind == AIF_OP_ATTN_FWD ? c->attn_fwd_eff : c->attn_bwd_eff;
        eff *= op->k / (op->k + c->attn_kv_half);
        if (op->fp8 && c->attn_flash2_factor > 0)
            eff *= c->attn_flash2_factor;
        if (op->n > 0)   /* head dimension, relative to the 128 the efficiencies are quoted at */
            eff *= (op->n / (op->n + c->attn_hd_half)) / (128.0 / (128.0 + c->attn_hd_half));
        double t_c = op->flops / (g->peak_flops[AIF_BF16] * clock_factor * eff);
        return (t_c > t_mem ? t_c : t_mem) + overhead;
    }
    case AIF_OP_MEM:
        return t_mem + overhead;
    default:
        return 0;
    }
}
