#!/usr/bin/env python3
"""Blackwell Ultra's NVFP4 GEMM rate against Blackwell's, from one harness's table on four chips.

Reads validation/kernels/gemm_fp4_trtllm.csv: the GEMMs NVIDIA's aiconfigurator collector timed
with TensorRT-LLM 1.3.0rc20 (its Linear.forward on a bf16 input: the input quantized to NVFP4 in
each call, then the GEMM; CUDA graphs, 3 warm-up and 6 timed replays) on B200, GB200, B300 and
GB300, the same 95 shapes on each (m, n and k all at least 8,192; validation/kernels/README.md).

Each nvfp4 row is put in the model's terms.  The model charges an operand's quantization as an
op of its own (src/workload/lower_train.c), so the harness's is taken off the measured time as
the model would time it: the collector quantizes row-wise with a fixed input scale
(collector/trtllm/collect_gemm.py), m x k elements read in bf16 and written at 0.5 bytes and a
scale byte per 16, at the chip's hbm_bw x its family's mem_eff, one launch (training's
quantization, aif_fp4_quant_bytes, adds an amax pass and the column-wise copy, which this
harness does not run).  Then the efficiency e at which the model's time of one GEMM launch,

  t = 2mnk / (P x e x e_wave x K / (K + matmul_k_half)) + kernel_overhead,

equals the rest is solved, P the chip's dense fp4 peak (data/gpus.yaml) and e_wave,
matmul_k_half, kernel_overhead its family's (data/calibration.yaml), over the rows the model times
as whole waves (scripts/fit_gemm.py's rule).

The harness is not the kernel the blackwell family's matmul_eff_fp4 was taken from (CUTLASS's
NVFP4 GEMM alone on B200, vllm-project/vllm PR #20646), and it times bursts, not a settled clock;
so each chip is read against B200 in the same harness: the median over the shared shapes of
e_chip / e_b200, times blackwell's matmul_eff_fp4.  B300's and GB300's ratios give the
blackwell-ultra family's (the mean of the two: they are the same die at 1,100 and 1,400 W, and
their ratios agree within 1%); GB200's, within 5% of 1, leaves it the blackwell family's.  The
same harness's bf16 and fp8 rows are printed as a check (their ratios are near 1, as the MAMF
bursts the bf16 and fp8 constants come from say).

usage: scripts/fit_gemm_fp4.py           prints each chip's median e and its ratio to B200
       scripts/fit_gemm_fp4.py --check   exit 1 unless data/calibration.yaml's blackwell-ultra
                                         matmul_eff_fp4 is within 2% of the fit (a test)
Standard library only."""
import csv
import os
import statistics
import sys

import catalog_yaml
from catalog_yaml import number
from fit_gemm_settled import wave   # the model's wave quantisation, as that fit computes it

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gemm_fp4_trtllm.csv')
PEAK = {'bfloat16': 'bf16', 'fp8': 'fp8', 'nvfp4': 'fp4'}
QUANT_BYTES = 2 + 0.5 + 1 / 16   # row-wise, fixed scale: read bf16; write NVFP4 values and an E4M3 scale per 16


def efficiency(r, g, fam):
    """The model's GEMM efficiency at which row r's time, less the input's quantization (nvfp4),
    is one launch of its shape; None for a row the model does not time as whole waves."""
    m, n, k = float(r['m']), float(r['n']), float(r['k'])
    tiles, w = wave(m, n, fam)
    if tiles < number(fam, 'n_sm') or w < 0.9:
        return None
    overhead = number(fam, 'kernel_overhead')   # seconds (catalog_yaml reads the us)
    t = float(r['latency_ms']) * 1e-3 - overhead
    if r['dtype'] == 'nvfp4':   # hbm_bw in TB/s
        t -= m * k * QUANT_BYTES / (number(g, 'hbm_bw') * 1e12 * number(fam, 'mem_eff')) + overhead
    peak = number(g, PEAK[r['dtype']], 6) * 1e12
    return 2 * m * n * k / (t * peak * w * k / (k + number(fam, 'matmul_k_half')))


def main():
    with open(TABLE) as f:
        table = list(csv.DictReader(f))
    effs = {}   # (gpu, dtype) -> {shape: e}
    for r in table:
        g, fam = catalog_yaml.gpu(r['gpu'])
        e = efficiency(r, g, fam)
        if e:
            effs.setdefault((r['gpu'], r['dtype']), {})[(r['m'], r['n'], r['k'])] = e
    ratio = {}
    for dtype in ('bfloat16', 'fp8', 'nvfp4'):
        base = effs[('b200', dtype)]
        for chip in ('b200', 'gb200', 'b300', 'gb300'):
            mine = effs[(chip, dtype)]
            shared = sorted(set(mine) & set(base))
            q = statistics.median(mine[s] / base[s] for s in shared)
            ratio[(chip, dtype)] = q
            print(f'{dtype:8s} {chip:6s} {len(mine):3d} rows: median e {statistics.median(mine.values()):.3f}, '
                  f'against b200 over {len(shared)} shared shapes {q:.3f}')
    _, blackwell = catalog_yaml.gpu('b200')
    _, ultra = catalog_yaml.gpu('b300')
    anchor = number(blackwell, 'matmul_eff_fp4')
    want = anchor * (ratio[('b300', 'nvfp4')] + ratio[('gb300', 'nvfp4')]) / 2
    have = number(ultra, 'matmul_eff_fp4')
    ok = abs(have / want - 1) <= 0.02
    gb200 = ratio[('gb200', 'nvfp4')]
    print(f'blackwell matmul_eff_fp4 {anchor} x the B300 and GB300 ratios (mean {want / anchor:.3f}): '
          f'blackwell-ultra {want:.3f}; data/calibration.yaml has {have}' + ('' if ok else '  <- not within 2%'))
    print(f'gb200 against b200 {gb200:.3f}: ' + ('within 5% of 1, the family\'s figure' if abs(gb200 - 1) <= 0.05
                                                  else 'past 5% of 1: GB200 would need a figure of its own'))
    if '--check' in sys.argv and (not ok or abs(gb200 - 1) > 0.05):
        print('the catalog does not hold the fit', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
