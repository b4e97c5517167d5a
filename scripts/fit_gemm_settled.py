#!/usr/bin/env python3
"""GEMM constants at the clock a sustained load settles at: Blackwell's and the A100's, from one benchmark on five chips.

Reads validation/kernels/gemm_cublaslt_settled.csv: cuBLASLt fp8 GEMMs with random inputs after
10,000 warm-up iterations (seconds to minutes of back-to-back work, past the few seconds in which a
power-limited GPU's clock settles), one harness (Azure's AI-benchmarking-guide, superbench's
cublaslt_gemm) on A100, H100, H200, GB200 and GB300 (validation/kernels/README.md).  Each row's rate is
put in the model's terms (src/hw/compute.c, as scripts/fit_gemm.py does): the efficiency e at which
the model's time of one launch,

  t = 2mnk / (P x e x e_wave x K / (K + matmul_k_half)) + kernel_overhead,

equals the measured time, over each chip's readings at the newest driver the harness published
for it (column `newest`; the results files were rewritten as drivers changed, and GB200's holds
three readings at driver 570.133.20, 2,781 to 2,877 TFLOP/s at 8,192^3, all taken), P the GPU's
dense fp8 peak and e_wave, matmul_k_half, kernel_overhead its
family's (data/calibration.yaml), over the rows the model times as whole waves (one wave or more,
the last at least 0.9 full: fit_gemm.py's rule) and bounded by their tensor cores (every dimension at
least 1,024: the table's 802,816 x 768 x 192 streams its operands at the memory's rate).

The harness is not the project's own measurement: on Hopper it reads a median e_H over its nine such
H100 and H200 rows, where the hopper family's matmul_eff_fp8 (fitted to the project's own H200
table, validation/kernels/gemm_h200.csv) is lower.  That offset, matmul_eff_fp8(hopper) / e_H, is
carried to the harness's other chips:

  - GB200 and GB300 (data/gpus.yaml, their own figures): matmul_eff_fp8 is the median e over the
    chip's own rows times the offset; the harness has no bf16 GEMM, so matmul_eff is that times the
    ratio of the chip's bf16 to its fp8 burst rate in ml-engineering's MAMF table (GB200's own;
    GB300 has none, and takes B300's, the same chip): the clock a sustained load settles at is the
    chip's, whichever precision keeps its tensor cores busy.
  - A100, in fp16 (the harness's only precision on it): the ampere family's matmul_eff is the
    median e over its rows times the offset (measured in fp8 on Hopper, the harness's only
    Hopper rows, and taken for fp16 too).
  - B200 and B300, measured only in bursts (MAMF: 50 warm-up and 100 timed iterations): their bursts
    times GB200's settled-to-burst ratio (its fp8 figure above over its fp8 MAMF burst), the one
    Blackwell chip measured both ways; the blackwell family's figures are B200's, the
    blackwell-ultra family's B300's.

usage: scripts/fit_gemm_settled.py           prints every row's e, the offset and the constants
       scripts/fit_gemm_settled.py --check   exit 1 unless data/gpus.yaml and data/calibration.yaml
                                             hold each within 2% (a test)
Standard library only."""
import csv
import math
import os
import statistics
import sys

import catalog_yaml
from catalog_yaml import number

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gemm_cublaslt_settled.csv')
# stas00/ml-engineering compute/accelerator/README.md at 744d01e1, the MAMF tables: burst / peak
MAMF = {'gb200': (1822.0 / 2500, 3615.6 / 5000), 'b200': (1745.0 / 2250, 3432.5 / 4500),
        'b300': (1769.0 / 2250, 3353.3 / 4500)}
CATALOG = {'h100': 'h100-sxm'}   # the table's names that data/gpus.yaml spells otherwise (an alias)


def wave(m, n, fam):
    """Tiles of the family's tile over its units, and the share of the last wave's units busy."""
    tiles = math.ceil(m / number(fam, 'tile_m')) * math.ceil(n / number(fam, 'tile_n'))
    n_sm = number(fam, 'n_sm')
    return tiles, tiles / (math.ceil(tiles / n_sm) * n_sm)


def efficiency(r, peak_fp8, fam):
    """The model's efficiency at which one launch of r's shape takes r's measured time; None for a
    row the model does not time as whole waves."""
    m, k, n = float(r['m']), float(r['k']), float(r['n'])
    tiles, w = wave(m, n, fam)
    if tiles < number(fam, 'n_sm') or w < 0.9 or min(m, k, n) < 1024:
        return None
    flops = 2 * m * n * k
    t = flops / (float(r['tflops']) * 1e12) - number(fam, 'kernel_overhead')
    return flops / (t * peak_fp8 * 1e12 * w * k / (k + number(fam, 'matmul_k_half')))


def main():
    with open(TABLE) as f:
        every = list(csv.DictReader(f))
    # each chip's readings at the newest driver the harness published for it (column newest)
    drivers = {}
    for r in every:
        v = tuple(int(x) for x in r['driver'].split('.'))
        drivers[(r['gpu'], r['dtype'])] = max(drivers.get((r['gpu'], r['dtype']), v), v)
    stale = [r for r in every if (r['newest'] == '1') != (tuple(int(x) for x in r['driver'].split('.')) ==
                                                           drivers[(r['gpu'], r['dtype'])])]
    table = [r for r in every if r['newest'] == '1']
    effs = {}
    for name in ('h100', 'h200', 'gb200', 'gb300'):
        g, fam = catalog_yaml.gpu(CATALOG.get(name, name))
        peak = number(g, 'fp8', 6)
        for r in table:
            if r['gpu'] != name or r['dtype'] != 'fp8':
                continue
            e = efficiency(r, peak, fam)
            print(f"  {name:6s} {r['m']:>6s} x {r['k']:>6s} x {r['n']:>6s}: {float(r['tflops']):7.1f} TFLOP/s, "
                  + (f'e {e:.3f}' if e else 'not held (fewer tiles than units, a last wave under 0.9 full, '
                     'or a dimension under 1,024)'))
            if e:
                effs.setdefault(name, []).append(e)
    _, hopper = catalog_yaml.gpu('h200')
    e_h = statistics.median(effs['h100'] + effs['h200'])
    offset = number(hopper, 'matmul_eff_fp8') / e_h
    print(f'hopper: the harness e {e_h:.3f} over {len(effs["h100"]) + len(effs["h200"])} rows, the family\'s '
          f'matmul_eff_fp8 {number(hopper, "matmul_eff_fp8")}: offset {offset:.3f}')
    want = {}   # (file, entry) -> (matmul_eff, matmul_eff_fp8)
    for chip, mamf in (('gb200', 'gb200'), ('gb300', 'b300')):
        fp8 = statistics.median(effs[chip]) * offset
        want[('gpus', chip)] = (fp8 * MAMF[mamf][0] / MAMF[mamf][1], fp8)
        print(f'{chip}: the harness e {statistics.median(effs[chip]):.3f} over {len(effs[chip])} rows: '
              f'matmul_eff_fp8 {fp8:.3f}, matmul_eff {want[("gpus", chip)][0]:.3f} ({mamf}\'s bf16 / fp8 burst)')
    # A100 (fp16: the harness's only precision on it), the ampere family's matmul_eff
    g, fam = catalog_yaml.gpu('a100-80g')
    e_a = [e for e in (efficiency(r, number(g, 'bf16', 6), fam) for r in table
                       if r['gpu'] == 'a100' and r['dtype'] == 'fp16') if e]
    a100 = statistics.median(e_a) * offset
    print(f'a100: the harness e {statistics.median(e_a):.3f} over {len(e_a)} fp16 rows: matmul_eff {a100:.3f}')
    settle = want[('gpus', 'gb200')][1] / MAMF['gb200'][1]
    print(f'gb200 settles at {settle:.3f} of its MAMF burst')
    for chip, fam in (('b200', 'blackwell'), ('b300', 'blackwell-ultra')):
        want[('calibration', fam)] = (MAMF[chip][0] * settle, MAMF[chip][1] * settle)
        print(f'{fam} ({chip}\'s bursts x {settle:.3f}): matmul_eff {want[("calibration", fam)][0]:.3f}, '
              f'matmul_eff_fp8 {want[("calibration", fam)][1]:.3f}')
    want[('calibration', 'ampere')] = (a100, None)   # no fp8 on the A100
    bad = 0
    for (where, name), (bf16, fp8) in want.items():
        block = catalog_yaml.entry(catalog_yaml.GPUS if where == 'gpus' else catalog_yaml.CALIB, name)
        have, have8 = number(block, 'matmul_eff'), number(block, 'matmul_eff_fp8')
        ok = have and abs(have / bf16 - 1) <= 0.02 and (fp8 is None or (have8 and abs(have8 / fp8 - 1) <= 0.02))
        bad += not ok
        print(f'data/{where}.yaml {name}: matmul_eff {have}, matmul_eff_fp8 {have8}' + ('' if ok else '  <- not within 2%'))
    # the table's fp4 rows, not taken (validation/kernels/README.md): what they would give
    for chip in ('gb200', 'gb300'):
        g, fam = catalog_yaml.gpu(chip)
        e4 = [e for e in (efficiency(r, number(g, 'fp4', 6), fam) for r in table
                          if r['gpu'] == chip and r['dtype'] == 'fp4') if e]
        print(f'{chip} fp4 (not taken): the harness e {statistics.median(e4):.3f} over {len(e4)} rows, x the offset '
              f'{statistics.median(e4) * offset:.3f}; the family\'s matmul_eff_fp4 {number(fam, "matmul_eff_fp4")}')
    if stale:
        print(f'{len(stale)} rows whose column newest is not their driver\'s (the newest per chip)', file=sys.stderr)
        bad += 1
    if '--check' in sys.argv and bad:
        print('the catalog does not hold these (each within 2%)', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
