#!/usr/bin/env python3
"""Fits a calibration family's grouped-GEMM constants (MoE experts) to a kernel table.

Reads validation/kernels/gmm_tokamax_tpu7x.csv (openxla/tokamax's own autotuning
measurements of its Pallas Mosaic ragged-dot kernel on TPU7x, one JAX device = one
TensorCore; one row per shape and pass, the fastest tile configuration's time) and finds the
constants of src/hw/compute.c's grouped GEMM that minimise the squared log error of the
predicted rate over the rows whose dimensions are whole multiples of 128 (the vector unit's
lane width; the gpt-oss rows, 2,880 wide, are reported, not fitted):

  rate = D x f(pass) x c / (c + matmul_k_half) x g / (g + grouped_m_half)

in the units the model times a TPU7x chip in: a chip is two JAX devices (TensorCores, no
megacore), each running the measured kernel on its own tokens at once, so a chip does twice a
device's work in the kernel's time, with twice its rows in each expert's group.  D is the
family's large dense GEMM rate (data/calibration.yaml tpu-v7 matmul_eff x data/gpus.yaml
tpu7x's bf16 peak, read from those files), c the contraction (k for the forward and the
input gradient, a group's rows for the weight gradient), g = 2 x rows / groups a chip's rows
in a group and f one factor per pass: grouped_factor (forward), grouped_dgrad_factor and
grouped_wgrad_factor.  grouped_m_half is searched on a grid of 10 rows; each f is then the
geometric mean of the measured over the predicted rate of its pass.  The rows with a weight
dimension off the 128 lanes (gpt-oss's 2,880) then give grouped_unaligned_factor: the geometric
mean of their measured over their aligned prediction, every pass together (the kernel masks the
partial last tile of such a dimension in the vector unit, pallas_mosaic_tpu_kernel.py).

usage: scripts/fit_grouped.py            prints the fit, its error and every row's ratio
       scripts/fit_grouped.py --check    exit 1 unless data/calibration.yaml's tpu-v7 holds
                                         these values, rounded to 0.01 and 10 rows (a test)
Standard library only."""
import csv
import math
import os
import sys

import catalog_yaml
from catalog_yaml import number

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gmm_tokamax_tpu7x.csv')
DEVICES = 2        # JAX devices (TensorCores) per TPU7x chip: data/calibration.yaml tpu-v7's comment


def family_block():
    return catalog_yaml.entry(catalog_yaml.CALIB, 'tpu-v7')


def chip_peak():
    return number(catalog_yaml.entry(catalog_yaml.GPUS, 'tpu7x'), 'bf16', 6) * 1e12


DENSE = chip_peak() * number(family_block(), 'matmul_eff')   # a chip's large dense GEMM rate
K_HALF = number(family_block(), 'matmul_k_half')
NAMES = {'fwd': 'grouped_factor', 'dgrad': 'grouped_dgrad_factor', 'wgrad': 'grouped_wgrad_factor'}


def rows():
    out = []
    with open(TABLE) as f:
        for r in csv.DictReader(f):
            m, k, n, g = (int(r[c]) for c in ('rows', 'k', 'n', 'groups'))
            rate = DEVICES * 2.0 * m * k * n / (float(r['time_ms']) * 1e-3)   # a chip's
            per = DEVICES * m / g
            out.append(dict(pass_=r['pass'], m=m, k=k, n=n, g=g, per=per,
                            c=per if r['pass'] == 'wgrad' else k, rate=rate,
                            aligned=k % 128 == 0 and n % 128 == 0))
    return out


def base(r, half):
    return DENSE * r['c'] / (r['c'] + K_HALF) * r['per'] / (r['per'] + half)


def fit(data):
    best = None
    for half in range(10, 2001, 10):
        f = {}
        for p in NAMES:
            logs = [math.log(r['rate'] / base(r, half)) for r in data if r['pass_'] == p and r['aligned']]
            f[p] = math.exp(sum(logs) / len(logs))
        err = sum(math.log(base(r, half) * f[r['pass_']] / r['rate']) ** 2 for r in data if r['aligned'])
        if best is None or err < best[0]:
            best = (err, half, f)
    half, f = best[1], best[2]
    logs = [math.log(r['rate'] / (base(r, half) * f[r['pass_']])) for r in data if not r['aligned']]
    return half, f, math.exp(sum(logs) / len(logs)) if logs else 1.0   # no unaligned kernel: no loss


def main():
    data = rows()
    half, f, unaligned = fit(data)
    ratios = sorted((base(r, half) * f[r['pass_']] * (1 if r['aligned'] else unaligned) / r['rate'], r)
                    for r in data)
    aligned = [x for x, r in ratios if r['aligned']]
    if '--check' in sys.argv:
        want = {'grouped_m_half': round(half, -1)}
        want.update({NAMES[p]: round(v, 2) for p, v in f.items()})
        want['grouped_unaligned_factor'] = round(unaligned, 2)
        return catalog_yaml.check('tpu-v7', want, 'grouped-GEMM constants')
    print('grouped_m_half %d; ' % half + ', '.join('%s %.3f' % (NAMES[p], v) for p, v in f.items()) +
          '; grouped_unaligned_factor %.3f' % unaligned)
    med = sorted(aligned)[len(aligned) // 2]
    print('aligned rows: %d, median predicted/measured %.3f, %d within 0.75-1.33' %
          (len(aligned), med, sum(1 for x in aligned if 0.75 <= x <= 1.33)))
    for x, r in ratios:
        print('%.2f %-5s rows %7d k %5d n %5d groups %3d %s' % (x, r['pass_'], r['m'], r['k'], r['n'], r['g'],
                                                              '' if r['aligned'] else '(not a multiple of 128)'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
