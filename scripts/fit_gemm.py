#!/usr/bin/env python3
"""Fits a GPU family's GEMM constants to a measured GEMM table (the hopper family's to the H200's).

Reads validation/kernels/gemm_h200.csv (cuBLAS through PyTorch on one H200 SXM at its 700 W
limit, measured by scripts/measure_h200.py; validation/kernels/README.md) and fits the model's
time of one GEMM launch (src/hw/compute.h, compute.c):

  t = 2mnk / (P x matmul_eff x e_wave x K / (K + matmul_k_half)) + kernel_overhead

P the table's GPU's dense bf16 peak (data/gpus.yaml; its `gpu` column names the entry, whose arch
names the family), e_wave the model's wave quantisation (tiles of tile_m x tile_n over n_sm, the
family's data/calibration.yaml), over every bf16 row of one wave or more whose last wave is at
least 0.9 full (the K sweep at m = n = 8,192 from K 128 to 16,384, the M sweep, the squares from
4,096, and the forward, input- and weight-gradient GEMMs of Llama 3 8B and 70B TP-8 layers but
the n = 1,280 ones, for which cuBLAS picks another tile than the model's), minimising the squared
log error of the time on a grid (matmul_k_half in steps of 2, matmul_eff in steps of 0.002); then
matmul_eff_fp8 over the fp8 rows so held, at that matmul_k_half (the fp8 peak twice the bf16).  The same
shape measured twice in the run (8192 x 1024 x 8192 in the K sweep and as Llama 3 70B's TP-8
output projection) differs by 8%: the fit is good to a few percent, not better.

usage: scripts/fit_gemm.py            prints the fit and every fitted row's model / measured time
       scripts/fit_gemm.py --check    exit 1 unless data/calibration.yaml's family holds a
                                      matmul_k_half within 15% of the fit and a matmul_eff
                                      and matmul_eff_fp8 within 3% of it (a test)
Standard library only."""
import csv
import math
import os
import re
import sys

import catalog_yaml
from catalog_yaml import number

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gemm_h200.csv')


def gpu_entry(name):
    """(dense bf16 peak in TFLOP/s, calibration family's text) of a catalog GPU; fp8's peak is twice it."""
    g, family = catalog_yaml.gpu(name)
    return number(g, 'bf16', 6), family


def rows(dtype='bf16'):
    with open(TABLE) as f:
        return [r for r in csv.DictReader(f) if r['dtype'] == dtype]


def wave(m, n, b):
    """The model's wave quantisation of one launch (src/hw/compute.c): tiles of tile_m x tile_n
    over n_sm units."""
    tiles = math.ceil(m / number(b, 'tile_m')) * math.ceil(n / number(b, 'tile_n'))
    n_sm = number(b, 'n_sm')
    return tiles, tiles / (math.ceil(tiles / n_sm) * n_sm)


def model_ms(r, p, eff, kh, b):
    """The model's time of one launch (src/hw/compute.c): FLOPs over the derated roof, plus the
    family's kernel_overhead."""
    m, k, n = float(r['m']), float(r['k']), float(r['n'])
    w = wave(m, n, b)[1]
    return (2 * m * n * k / (p * 1e12 * eff * w * k / (k + kh)) + number(b, 'kernel_overhead')) * 1e3


def fit(rs, p, b, khs):
    """Least squared log error of the model's time over rs, on a grid."""
    best = None
    for kh in khs:
        for e in range(250, 451):
            eff = e * 0.002
            err = sum(math.log(model_ms(r, p, eff, kh, b) / float(r['time_ms'])) ** 2 for r in rs)
            if best is None or err < best[0]:
                best = (err, kh, eff)
    return best


def held(r, b):
    """The rows the fit uses: one wave or more (the model splits thinner launches along K), and a
    last wave at least 0.9 full (where it is emptier cuBLAS picks another tile than the model's)."""
    tiles, w = wave(float(r['m']), float(r['n']), b)
    return tiles >= number(b, 'n_sm') and w >= 0.9


def main():
    rs = rows()
    peak, b = gpu_entry(rs[0]['gpu'])
    family = re.search(r'\n  ([a-z0-9-]+):', b).group(1)
    fitted = [r for r in rs if held(r, b)]
    err, kh, eff = fit(fitted, peak, b, [2.0 * i for i in range(5, 200)])
    print(f'{rs[0]["gpu"]} ({family}): fit over its {len(fitted)} bf16 GEMMs of one wave or more, the last '
          f'wave at least 0.9 full: matmul_eff {eff:.3f}, matmul_k_half {kh:.0f} '
          f'(rms log error {math.sqrt(err / len(fitted)):.3f})')
    print('model / measured time:')
    for r in fitted:
        print(f"  {r['set']:22s} {r['layout']} {r['m']:>6s} {r['k']:>6s} {r['n']:>6s}: "
              f"{model_ms(r, peak, eff, kh, b) / float(r['time_ms']):.3f}")
    print('not fitted: ' + ', '.join(f"{r['m']}x{r['k']}x{r['n']}" for r in rs if not held(r, b)))
    f8 = [r for r in rows('fp8') if held(r, b)]
    err8, _, eff8 = fit(f8, 2 * peak, b, [kh])
    print(f'fp8 over its {len(f8)} GEMMs so held, at that matmul_k_half: matmul_eff_fp8 {eff8:.3f}')
    have_kh, have_eff, have_eff8 = number(b, 'matmul_k_half'), number(b, 'matmul_eff'), number(b, 'matmul_eff_fp8')
    print(f'data/calibration.yaml {family}: matmul_eff {have_eff}, matmul_eff_fp8 {have_eff8}, matmul_k_half {have_kh:g}')
    if '--check' in sys.argv:
        if abs(have_kh / kh - 1) > 0.15 or abs(have_eff / eff - 1) > 0.03 or abs(have_eff8 / eff8 - 1) > 0.03:
            print('data/calibration.yaml does not hold the fit (matmul_k_half within 15%, '
                  'matmul_eff and matmul_eff_fp8 within 3%)', file=sys.stderr)
            return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
