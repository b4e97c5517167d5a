#!/usr/bin/env python3
"""Fits a calibration family's fused-attention constants to a kernel table.

Reads validation/kernels/attention_cudnn.csv (cuDNN's own SDPA training benchmark,
NVIDIA/cudnn-frontend benchmark/sdpa_benchmark_training/results at commit fb682ce; one
row per measured kernel: GPU, cuDNN version, shape, pass, time) and, for one GPU, finds
the constants of the attention roof of src/hw/compute.h that minimise the squared log
error of the predicted time over that GPU's rows:

  t = F x waste / (P_bf16 x e(d, pass) x k / (k + attn_kv_half))

where F is the causal (or banded) attention's FLOPs as cuDNN counts them, e(d, pass) is
one efficiency per head dimension (64, 128, 192) and pass, k the key length of the kernel
(the sequence for a causal layer; for a sliding window W, the whole tiles of attn_block_n
keys it computes, ceil((W + n - 1) / n) x n) and waste that tile count over the band's
useful keys.  Head dimension 256 (qwen35's rows) is not fitted: the model holds 192's
figure beyond it, and tests/test_equations.c holds it to its band.

usage: scripts/fit_attention.py [GPU ...]     (default: gb200 gb300)
Prints the fitted values and the fit's median and largest |log error|, then the values
x 0.875: the table's kernels are bursts of 10 iterations, and data/calibration.yaml derates
them as it derates these families' GEMMs (matmul_eff 0.68 of the MAMF burst 0.776) to the
clock a training run sustains; the efficiencies of families blackwell and blackwell-ultra
are those, rounded (attn_kv_half as fitted: a length, not a rate).
Standard library only (coordinate descent with golden-section line searches)."""
import csv
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'attention_cudnn.csv')
# dense bf16 peaks per GPU, data/gpus.yaml
PEAK = {'gb200': 2500e12, 'gb300': 2500e12, 'h200': 989e12}
BLOCK_N = 128
DIMS = (64, 128, 192)
SUSTAINED = 0.875   # data/calibration.yaml, blackwell's matmul_eff source: 0.68 / 0.776


def keys_per_query(window, seq):
    return (window * seq - window * (window - 1) / 2) / seq if window < seq else (seq + 1) / 2


def shape(r):
    """(useful FLOPs, kernel key length k, waste) of a row, as src/workload/lower_train.c has them."""
    b, s, h = int(r['batch']), int(r['seq']), int(r['q_heads'])
    dqk, dv, w = int(r['head_dim_qk']), int(r['head_dim_v']), int(r['window'])
    x = 1.0 if r['pass'] == 'fwd' else 2.5
    if 0 < w < s:
        useful = keys_per_query(w, s)
        kk = min(s, math.ceil((w + BLOCK_N - 1) / BLOCK_N) * BLOCK_N)
        return 2 * b * h * s * useful * (dqk + dv) * x, kk, kk / useful
    return 2 * b * h * s * (s / 2) * (dqk + dv) * x, s, 1.0


def fit(gpu, table):
    rows = [r for r in table if r['gpu'] == gpu and int(r['head_dim_qk']) in DIMS]
    names = ['%s_%d' % (p, d) for d in DIMS for p in ('fwd', 'bwd')] + ['kv_half']
    theta = [0.5] * (len(names) - 1) + [128.0]
    lo, hi = [0.01] * (len(names) - 1) + [0.0], [1.0] * (len(names) - 1) + [4096.0]

    def predict(th, r):
        flops, k, waste = shape(r)
        e = th[names.index('%s_%s' % (r['pass'], r['head_dim_qk']))] * k / (k + th[-1])
        return flops * waste / (PEAK[gpu] * e) * 1e3

    def cost(th):
        return sum(math.log(predict(th, r) / float(r['time_ms'])) ** 2 for r in rows)

    for _ in range(40):
        for j in range(len(theta)):
            a, b = lo[j], hi[j]
            for _ in range(50):
                m1, m2 = a + (b - a) * 0.382, a + (b - a) * 0.618
                t1, t2 = list(theta), list(theta)
                t1[j], t2[j] = m1, m2
                if cost(t1) < cost(t2):
                    b = m2
                else:
                    a = m1
            theta[j] = (a + b) / 2
    errs = sorted(abs(math.log(predict(theta, r) / float(r['time_ms']))) for r in rows)
    print('%s (%d rows): %s' % (gpu, len(rows), ', '.join('%s %.3f' % (n, v) for n, v in zip(names, theta))))
    print('  |log error| median %.3f, largest %.3f' % (errs[len(errs) // 2], errs[-1]))
    print('  derated x %.3f: %s' % (SUSTAINED, ', '.join('%s %.2f' % (n, v * SUSTAINED) for n, v in zip(names[:-1], theta))))


def main():
    with open(TABLE, newline='') as f:
        table = list(csv.DictReader(f))
    for gpu in sys.argv[1:] or ['gb200', 'gb300']:
        if gpu not in PEAK:
            sys.exit('fit_attention.py: no peak for %s; known: %s' % (gpu, ', '.join(sorted(PEAK))))
        fit(gpu, table)


if __name__ == '__main__':
    main()
