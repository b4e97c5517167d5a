#!/usr/bin/env python3
"""The spread of one GPU's sustained compute speed across a fleet (calibration speed_spread).

Reads validation/kernels/gpu_spread_sgemm_v100.csv: one row per GPU of TACC's Longhorn (392 V100s),
the median time of its runs of one compute-bound kernel (cuBLAS SGEMM, 25,536^3, 100 repetitions a
run) with the clock, power and temperature the runs held (validation/kernels/README.md).  A GPU's
own runs agree to about 0.1%, so the spread between GPUs is a property of each GPU (its silicon and
its power management at the board's power limit), not noise.

speed_spread is the spread's standard deviation, relative to the median GPU, read robustly from the
interquartile range (IQR / 1.349 for a normal distribution) so that the few outliers a fleet's
burn-in tests would drain (here 5 GPUs beyond the upper whisker, up to 1.2x the median time) do not
set it.  A synchronous job of n GPUs then runs at its slowest GPU's pace, 1 - speed_spread x E[max
of n standard normal draws] of a typical GPU's rate (src/scenario/scenario.c, aif_scenario_pace).

usage: scripts/fit_spread.py [TABLE]   prints the fit and the pace it implies for a few job sizes
       scripts/fit_spread.py --check   exit 1 unless every GPU family of data/calibration.yaml
                                       holds the fit, to its three places
"""
import csv
import math
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'gpu_spread_sgemm_v100.csv')
CALIB = os.path.join(HERE, '..', 'data', 'calibration.yaml')
GPU_FAMILIES = ('ampere', 'hopper', 'blackwell', 'blackwell-ultra', 'cdna3', 'cdna3-1000w', 'cdna4')


def quantile(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p
    f = math.floor(k)
    c = min(f + 1, len(xs) - 1)
    return xs[f] + (xs[c] - xs[f]) * (k - f)


def expected_max_normal(n, steps=2400, lim=12.0):
    """E[max of n standard normals] by Simpson's rule (src/base/util.c does the same)."""
    if n <= 1:
        return 0.0
    h = lim / steps

    def cdf_pow(x):
        return math.exp(n * math.log(0.5 * math.erfc(-x / math.sqrt(2))))

    pos = neg = 0.0
    for i in range(steps + 1):
        w = 1 if i in (0, steps) else (4 if i % 2 else 2)
        x = i * h
        pos += w * (1 - cdf_pow(x))
        neg += w * cdf_pow(-x)
    return (pos - neg) * h / 3


def family_values():
    """speed_spread of each family block of data/calibration.yaml (None where absent)."""
    text = open(CALIB).read()
    out = {}
    for fam in GPU_FAMILIES:
        m = re.search(r'\n  %s:\n(.*?)(?=\n  [a-z0-9-]+:\n|\Z)' % re.escape(fam), text, re.S)
        v = m and re.search(r'\n    speed_spread: ([0-9.]+)\n', '\n' + m.group(1))
        out[fam] = float(v.group(1)) if v else None
    return out


def main():
    args = [a for a in sys.argv[1:] if a != '--check']
    path = args[0] if args else TABLE
    t = [float(r["time_ms"]) for r in csv.DictReader(open(path))]
    med = statistics.median(t)
    iqr = quantile(t, 0.75) - quantile(t, 0.25)
    sigma = iqr / 1.349 / med
    print(f"{len(t)} GPUs: median {med:.1f} ms, IQR {100 * iqr / med:.2f}% of it, "
          f"standard deviation {100 * statistics.pstdev(t) / med:.2f}% (outliers included)")
    print(f"speed_spread = IQR / 1.349 / median = {sigma:.4f}")
    for n in (8, 64, 512, 4096, 16384):
        m = expected_max_normal(n)
        print(f"  {n:6d} GPUs: E[max] {m:.3f}, pace {1 - round(sigma, 3) * m:.4f}")
    if '--check' in sys.argv[1:]:
        bad = [(f, v) for f, v in family_values().items() if v is None or abs(v - round(sigma, 3)) > 1e-12]
        for f, v in bad:
            print(f"{f}: data/calibration.yaml speed_spread {v}, the fit {round(sigma, 3)}")
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
