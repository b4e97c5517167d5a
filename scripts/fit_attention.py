#!/usr/bin/env python3
"""Fits a calibration family's fused-attention constants to a kernel table.

Reads validation/kernels/attention_cudnn.csv (cuDNN's own SDPA training benchmark,
NVIDIA/cudnn-frontend benchmark/sdpa_benchmark_training/results at commit fb682ce; one
row per measured kernel: GPU, cuDNN version, shape, pass, time) and, for one GPU, finds
the constants of the attention roof of src/hw/compute.h that minimise the squared log
error of the predicted time over that GPU's rows:

  t = F x waste / (P_bf16 x e(d, pass) x k / (k + attn_kv_half))

where F is the causal (or banded) attention's FLOPs as cuDNN counts them, e(d, pass) is
one efficiency per head dimension (64, 128, 192) and pass, k the curve's length (twice the
keys a query computes, src/workload/transformer.c aif_attn_curve_keys: the sequence for a
causal layer, whose query averages half of it; for a sliding window W, twice the keys of the
whole tiles of attn_block_n keys it computes, averaged over the query tiles) and waste that
count over the band's useful keys.  (With a window's k its keys once, the fit is worse:
median |log error| 0.074 and 0.052 on GB200 and GB300 against 0.044 and 0.032.)  Head dimension 256 (qwen35's rows) is not fitted: the model holds 192's
figure beyond it, and tests/test_equations.c holds it to its band.

usage: scripts/fit_attention.py [GPU ...]     (default: gb200 gb300)
       scripts/fit_attention.py --check       (exit 1 unless data/calibration.yaml holds these
                                              values, rounded: a test, tests/CMakeLists.txt)
Prints the fitted values and the fit's median and largest |log error|, then the values
x 0.875: the table's kernels are bursts of 10 iterations, derated to the clock a training
run sustains by Hopper's GEMM burst-to-sustained ratio (0.70 / 0.80), which FlashAttention-4 on
B200 bears out for attention itself (flashinfer-ai/flashinfer PR #2899: 1,450 TFLOP/s in its
first iterations, 1,237 once the clock settled near 1,580 MHz at about 1,000 W, 0.853); a GEMM
settles lower on Blackwell (0.761 of its burst on GB200, scripts/fit_gemm_settled.py), an
attention kernel, paced by its exponentials, draws less; the efficiencies of families blackwell and blackwell-ultra
are those, rounded to 0.01 (attn_kv_half not derated, a length, rounded to 10 keys).
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
SUSTAINED = 0.875   # Hopper's GEMM ratio 0.70 / 0.80; FlashAttention-4 on B200 settles at 0.853 (docstring)


def keys_per_query(window, seq):
    return (window * seq - window * (window - 1) / 2) / seq if window < seq else (seq + 1) / 2


def kernel_keys(window, seq):
    """Keys per query in whole tiles, averaged over the query tiles (src/workload/transformer.c,
    aif_window_kernel_keys): i + 1 tiles for query tile i at the causal start, then
    1 + ceil((window - 1) / BLOCK_N)."""
    n = math.ceil(seq / BLOCK_N)
    full = 1 + math.ceil((window - 1) / BLOCK_N)
    early = min(n, (window - 1) // BLOCK_N + 1)
    return (early * (early + 1) / 2 + (n - early) * full) / n * BLOCK_N


def shape(r):
    """(useful FLOPs, kernel key length k, waste) of a row, as src/workload/lower_train.c has them."""
    b, s, h = int(r['batch']), int(r['seq']), int(r['q_heads'])
    dqk, dv, w = int(r['head_dim_qk']), int(r['head_dim_v']), int(r['window'])
    x = 1.0 if r['pass'] == 'fwd' else 2.5
    if 0 < w < s:
        useful = keys_per_query(w, s)
        kk = kernel_keys(w, s)
        return 2 * b * h * s * useful * (dqk + dv) * x, 2 * kk, kk / useful
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
    fitted = dict(zip(names, theta))
    print('%s (%d rows): %s' % (gpu, len(rows), ', '.join('%s %.3f' % (n, v) for n, v in zip(names, theta))))
    print('  |log error| median %.3f, largest %.3f' % (errs[len(errs) // 2], errs[-1]))
    print('  derated x %.3f: %s' % (SUSTAINED, ', '.join('%s %.2f' % (n, v * SUSTAINED) for n, v in zip(names[:-1], theta))))
    return fitted


FAMILY = {'gb200': 'blackwell', 'gb300': 'blackwell-ultra'}
FIELD = {'fwd_128': 'attn_fwd_eff', 'bwd_128': 'attn_bwd_eff', 'fwd_64': 'attn_fwd_eff_hd64',
         'bwd_64': 'attn_bwd_eff_hd64', 'fwd_192': 'attn_fwd_eff_hd192', 'bwd_192': 'attn_bwd_eff_hd192'}


def catalogued(family):
    """The family's numeric fields in data/calibration.yaml (its indented `key: number` lines)."""
    out, inside = {}, False
    with open(os.path.join(HERE, '..', 'data', 'calibration.yaml')) as f:
        for line in f:
            if line.startswith('  ') and not line.startswith('   ') and line.rstrip().endswith(':'):
                inside = line.strip()[:-1] == family
                continue
            parts = line.split(':')
            if inside and line.startswith('    ') and not line.startswith('     ') and len(parts) == 2:
                try:
                    out[parts[0].strip()] = float(parts[1])
                except ValueError:
                    pass
    return out


def check(fits):
    bad = 0
    for gpu, fitted in fits.items():
        cal = catalogued(FAMILY[gpu])
        for name, field in FIELD.items():
            want = round(fitted[name] * SUSTAINED, 2)
            if abs(cal.get(field, -1) - want) > 0.011:
                print('%s.%s is %s; the fit x %.3f gives %.2f' % (FAMILY[gpu], field, cal.get(field), SUSTAINED, want))
                bad += 1
        if abs(cal.get('attn_kv_half', -1) - fitted['kv_half']) > 0.02 * fitted['kv_half']:
            print('%s.attn_kv_half is %s; the fit gives %.0f' % (FAMILY[gpu], cal.get('attn_kv_half'), fitted['kv_half']))
            bad += 1
    print('data/calibration.yaml %s the fit' % ('differs from' if bad else 'holds'))
    return bad


def main():
    with open(TABLE, newline='') as f:
        table = list(csv.DictReader(f))
    args = [a for a in sys.argv[1:] if a != '--check']
    gpus = args or ['gb200', 'gb300']
    fits = {}
    for gpu in gpus:
        if gpu not in PEAK:
            sys.exit('fit_attention.py: no peak for %s; known: %s' % (gpu, ', '.join(sorted(PEAK))))
        fits[gpu] = fit(gpu, table)
    if '--check' in sys.argv[1:]:
        sys.exit(1 if check({g: f for g, f in fits.items() if g in FAMILY}) else 0)


if __name__ == '__main__':
    main()
