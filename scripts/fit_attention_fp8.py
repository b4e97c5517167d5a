#!/usr/bin/env python3
"""Fits a calibration family's fp8 attention factors to a kernel table.

Reads validation/kernels/attention_cudnn_fp8.csv (cuDNN's own SDPA training benchmark,
NVIDIA/cudnn-frontend benchmark/sdpa_benchmark_training/results at commit fb682ce: the
causal kernels measured in bf16 and in MXFP8 at the same shape, one row per shape and
pass) and prints, per GPU, the factor of the bf16 rate the MXFP8 kernel runs at
(train.attention_dtype fp8: src/hw/compute.c, attn_fp8_factor):

  - head dims 128 (Llama 3.1) and 192 (DeepSeek-V3, Kimi K2.6): the median over the
    table's sequence lengths of t_bf16 / t_mxfp8, forward and backward;
  - head dim 64 (gpt-oss, a window of 128 keys): the forward as above (both kernels skip
    the band's masked tiles); the backward in MXFP8 does not: its time grows with the
    square of the sequence (2,048 to 32,768), so the model times it as the whole causal
    square, and its factor is the bf16 rate that square would run at by the family's
    head-64 constants (data/calibration.yaml attn_bwd_eff_hd64 and attn_kv_half, taken
    back to the burst: / 0.875) over the measured MXFP8 time, the median over the lengths.

A ratio of two kernels of one run needs no derating (both ran at the same clock).
usage: scripts/fit_attention_fp8.py [--check]   (--check: exit 1 unless data/calibration.yaml
       holds these values, rounded to 0.01: a test, tests/CMakeLists.txt)
Standard library only."""
import csv
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fit_attention import FAMILY, PEAK, SUSTAINED, catalogued  # noqa: E402

TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'attention_cudnn_fp8.csv')
FIELD = {('fwd', 64): 'attn_fp8_fwd_factor_hd64', ('bwd', 64): 'attn_fp8_bwd_factor_hd64',
         ('fwd', 128): 'attn_fp8_fwd_factor', ('bwd', 128): 'attn_fp8_bwd_factor',
         ('fwd', 192): 'attn_fp8_fwd_factor_hd192', ('bwd', 192): 'attn_fp8_bwd_factor_hd192'}


def causal_time_ms(r, cal):
    """The bf16 time of the whole causal square of r's shape at the family's head-64 rate."""
    b, s, h = int(r['batch']), int(r['seq']), int(r['q_heads'])
    flops = 2 * b * h * s * (s / 2) * (int(r['head_dim_qk']) + int(r['head_dim_v'])) * 2.5
    e = cal['attn_bwd_eff_hd64'] / SUSTAINED * s / (s + cal['attn_kv_half'])
    return flops / (PEAK[r['gpu']] * e) * 1e3


def fit(gpu, table):
    cal = catalogued(FAMILY[gpu])
    out = {}
    for (pas, d), field in FIELD.items():
        rows = [r for r in table if r['gpu'] == gpu and r['pass'] == pas and int(r['head_dim_qk']) == d]
        if d == 64 and pas == 'bwd':
            xs = [causal_time_ms(r, cal) / float(r['time_mxfp8_ms']) for r in rows]
        else:
            xs = [float(r['time_bf16_ms']) / float(r['time_mxfp8_ms']) for r in rows]
        out[field] = statistics.median(xs)
        print('%s %s: %.3f (%d kernels, %.2f to %.2f)' % (gpu, field, out[field], len(xs), min(xs), max(xs)))
    return out


def main():
    with open(TABLE, newline='') as f:
        table = list(csv.DictReader(f))
    bad = 0
    for gpu in ('gb200', 'gb300'):
        fitted = fit(gpu, table)
        if '--check' in sys.argv[1:]:
            cal = catalogued(FAMILY[gpu])
            for field, v in fitted.items():
                if abs(cal.get(field, -1) - round(v, 2)) > 0.011:
                    print('%s.%s is %s; the table gives %.2f' % (FAMILY[gpu], field, cal.get(field), v))
                    bad += 1
    if '--check' in sys.argv[1:]:
        print('data/calibration.yaml %s the table' % ('differs from' if bad else 'holds'))
        sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
