#!/usr/bin/env python3
"""Fits the hopper family's GEMM constants to the H200 GEMM table.

Reads validation/kernels/gemm_h200.csv (cuBLAS through PyTorch on one H200 SXM at its 700 W
limit, measured by scripts/measure_h200.py; validation/kernels/README.md) and fits the model's
large-GEMM rate against the contraction length K (src/hw/compute.h):

  rate(K) = matmul_eff x P x K / (K + matmul_k_half)

P the H200's dense bf16 peak (data/gpus.yaml), times the model's wave quantisation e_wave (tiles of
tile_m x tile_n over n_sm, data/calibration.yaml hopper), over every bf16 row of one wave or more
(the K sweep at m = n = 8,192 from K 128 to 16,384, the M sweep, the squares from 4,096, and the
forward, input- and weight-gradient GEMMs of Llama 3 8B and 70B TP-8 layers), minimising the
squared log error on a grid (matmul_k_half in steps of 2, matmul_eff in steps of 0.002).  The same
shape measured twice in the run (8192 x 1024 x 8192 in the K sweep and as Llama 3 70B's TP-8
output projection) differs by 8%: the fit is good to a few percent, not better.

usage: scripts/fit_gemm.py            prints the fit and every row's measured / fitted rate
       scripts/fit_gemm.py --check    exit 1 unless data/calibration.yaml's hopper holds a
                                      matmul_k_half within 15% of the fit and a matmul_eff
                                      and matmul_eff_fp8 within 3% of it (a test)
Standard library only."""
import csv
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gemm_h200.csv')
CALIB = os.path.join(HERE, '..', 'data', 'calibration.yaml')
GPUS = os.path.join(HERE, '..', 'data', 'gpus.yaml')


def hopper_block():
    text = open(CALIB).read()
    block = text[text.index('\n  hopper:'):]
    return block[:block.index('\n  blackwell:')]


def number(block, key):
    return float(re.search(r'\n    %s: ([0-9.]+)' % key, block).group(1))


def peak():  # dense bf16; fp8's is twice it (data/gpus.yaml)
    text = open(GPUS).read()
    block = text[text.index('\n  h200:'):]
    return float(re.search(r'\n      bf16: ([0-9.]+)', block).group(1))


def rows(dtype='bf16'):
    with open(TABLE) as f:
        return [r for r in csv.DictReader(f) if r['dtype'] == dtype]


def wave(m, n, b):
    """The model's wave quantisation of one launch (src/hw/compute.c): tiles of tile_m x tile_n
    over n_sm units."""
    tiles = math.ceil(m / number(b, 'tile_m')) * math.ceil(n / number(b, 'tile_n'))
    n_sm = number(b, 'n_sm')
    return tiles, tiles / (math.ceil(tiles / n_sm) * n_sm)


def fit(points, p):
    """points: (k, e_wave, measured TFLOP/s); least squared log error on a grid."""
    best = None
    for kh2 in range(5, 200):
        kh = 2.0 * kh2
        # for a given k_half the least-squares eff is the geometric mean of measured / shape
        logs = [math.log(t / (p * w * k / (k + kh))) for k, w, t in points]
        eff = round(math.exp(sum(logs) / len(logs)) / 0.002) * 0.002
        err = sum((math.log(eff * p * w * k / (k + kh) / t)) ** 2 for k, w, t in points)
        if best is None or err < best[0]:
            best = (err, kh, eff)
    return best


def main():
    p = peak()
    b = hopper_block()
    pts, rest = [], []
    for r in rows():
        m, k, n, t = float(r['m']), float(r['k']), float(r['n']), float(r['tflops'])
        tiles, w = wave(m, n, b)
        (pts if tiles >= number(b, 'n_sm') else rest).append((r, k, w, t))
    err, kh, eff = fit([(k, w, t) for _, k, w, t in pts], p)
    print(f'fit over the {len(pts)} bf16 GEMMs of one wave or more: matmul_eff {eff:.3f}, matmul_k_half {kh:.0f} '
          f'(rms log error {math.sqrt(err / len(pts)):.3f})')
    print('measured / fitted rate (e_wave: the model\'s wave quantisation):')
    for r, k, w, t in pts:
        print(f"  {r['set']:22s} {r['layout']} {r['m']:>6s} {r['k']:>6s} {r['n']:>6s}  e_wave {w:.3f}: "
              f"{t / (eff * p * w * k / (k + kh)):.3f}")
    print('not fitted (fewer tiles than SMs: the model splits them along K): ' +
          ', '.join(f"{r['m']}x{r['k']}x{r['n']}" for r, *_ in rest))
    # fp8 (torch._scaled_mm, e4m3, per-tensor scales): its efficiency at the bf16 fit's k_half
    f8 = [(float(r['k']), wave(float(r['m']), float(r['n']), b)[1], float(r['tflops']))
          for r in rows('fp8')]
    logs = [math.log(t / (2 * p * w * k / (k + kh))) for k, w, t in f8]
    eff8 = round(math.exp(sum(logs) / len(logs)) / 0.002) * 0.002
    print(f'fp8 over its {len(f8)} GEMMs at that matmul_k_half: matmul_eff_fp8 {eff8:.3f} (of twice the bf16 peak)')
    have_kh, have_eff = number(b, 'matmul_k_half'), number(b, 'matmul_eff')
    have_eff8 = number(b, 'matmul_eff_fp8')
    print(f'data/calibration.yaml hopper: matmul_eff {have_eff}, matmul_eff_fp8 {have_eff8}, matmul_k_half {have_kh:g}')
    if '--check' in sys.argv:
        if abs(have_kh / kh - 1) > 0.15 or abs(have_eff / eff - 1) > 0.03 or abs(have_eff8 / eff8 - 1) > 0.03:
            print('data/calibration.yaml hopper does not hold the fit (matmul_k_half within 15%, '
                  'matmul_eff and matmul_eff_fp8 within 3%)', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
