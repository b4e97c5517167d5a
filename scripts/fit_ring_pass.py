#!/usr/bin/env python3
"""Fits NCCL's ring pass loss (data/nccl.yaml ring_pass_loss_steps) to nccl-tests sweeps.

On one NVLink domain NCCL's ring carries less bus bandwidth on few GPUs than on eight: an
all-gather of 512 MiB on 2 H200s reaches 258 GB/s, on 4 317 and on 8 337; on B200 438, 567
and 617.  The links are the same and busbw already counts each rank's traffic, so the loss
sits in the ring's passes: a ring runs its buffer as loops of `steps` chunk steps (n - 1 for
all-gather and reduce-scatter, 2 (n - 1) for all-reduce, NCCL src/device/all_gather.h and
all_reduce.h, runRing), and each pass loses about the same fraction of a step whatever n is
(its first step only sends, its last only receives).  src/net/collective.c takes it as

  busbw(n) = e B steps / (steps + f)

with e B the fabric's ring bandwidth (data/fabrics.yaml efficiency x port_bw) and f this
constant, one for NCCL on every generation.  f is fitted here on measured ratios alone, the
bus bandwidth at n GPUs over the same system's at the reference group (8 GPUs for all-gather
and reduce-scatter; 4 for all-reduce, which NCCL runs as NVLS on 8), from 128 MiB up where
the pipeline's fill is spent, so no other constant of the model enters the fit.  The sweeps
do not name NCCL's algorithm; the 8-GPU all-gathers and reduce-scatters are rings by NCCL's
tuner (NVIDIA/nccl at 5067397c, src/graph/tuning.cc: NVLS is credited (k - 1)/k of its
channels for them, not the all-reduce's 2, which leaves it 30-45% below the ring on
one node of H100 or B200):

  fit: 8, 4 and 2 GPUs of an HGX H100 and of an HGX B200 (aic-h100-*, aic-b200-*)
  held out: H200, B300, GB200 and GB300 (one tray: 2 against 4), A100 (2 and 4 against 8)

The NVLink fabrics' efficiencies are then stated for the raw ring, e = e_source (s + f) / s,
e_source the bus bandwidth their source measured (or estimated) on a ring of s steps:

  nvlink3          0.78 on 8 A100, all-reduce (14 steps)
  nvlink4          0.80 on 8 H100, all-reduce (14 steps)
  nvlink5          0.755 on 4 GB200, all-reduce (6 steps: Azure's ND GB200 v6 sweep)
  infinity-fabric  0.70 on 8 MI300X, all-reduce (14 steps)

and those that take another's figure carry it: nvlink6 nvlink5's, fabric_defaults'
scaleup_efficiency nvlink4's.  A torus (ICI, NeuronLink) runs its own collectives, not NCCL's,
and keeps its efficiency without the loss.

usage: scripts/fit_ring_pass.py           prints the fit, each system's pairs and errors
       scripts/fit_ring_pass.py --check   exit 1 unless data/nccl.yaml holds the fit (rounded to
                                          0.01) and data/fabrics.yaml those efficiencies (to 0.001)
Standard library only."""
import csv
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'collectives.csv')
FABRICS = os.path.join(HERE, '..', 'data', 'fabrics.yaml')
NCCL = os.path.join(HERE, '..', 'data', 'nccl.yaml')
FIT = ('dgx-h100', 'hgx-b200')
OPS = ('allgather', 'reducescatter', 'allreduce')
SOURCES = {'nvlink3': (0.78, 14), 'nvlink4': (0.80, 14), 'nvlink5': (0.755, 6), 'infinity-fabric': (0.70, 14),
           'nvlink6': (0.755, 6)}


def steps(op, n):
    return 2 * (n - 1) if op == 'allreduce' else n - 1


def pairs():
    """(system, op, bytes, n, ref, measured busbw(n) / busbw(ref)) from the aiconfigurator sweeps."""
    bw = {}
    with open(TABLE, newline='') as f:
        for r in csv.DictReader(f):
            if not r['id'].startswith('aic-') or r['op'] not in OPS or not r['bytes']:
                continue
            if int(r['bytes']) < 128 << 20:
                continue
            bw[(r['system'], r['op'], int(r['bytes']), int(r['gpus']))] = float(r['busbw_GBps'])
    out = []
    for (sys_, op, b, n), v in sorted(bw.items()):
        sizes = sorted(m for (s2, o2, b2, m) in bw if (s2, o2, b2) == (sys_, op, b))
        # the reference: the largest group that runs a ring (NVLS takes all-reduce on 8 NVSwitch GPUs)
        ring = [m for m in sizes if not (op == 'allreduce' and m >= 5 and sys_ != 'dgx-a100-80g')]
        ref = max(ring)
        if n != ref and n in ring:
            out.append((sys_, op, b, n, ref, v / bw[(sys_, op, b, ref)]))
    return out


def ratio(op, n, ref, f):
    e = lambda m: steps(op, m) / (steps(op, m) + f)
    return e(n) / e(ref)


def errs(ps, f):
    return [math.log(ratio(op, n, ref, f) / r) for _, op, _, n, ref, r in ps]


def fit(ps):
    own = [p for p in ps if p[0] in FIT]
    return min((sum(e * e for e in errs(own, i / 100)), i / 100) for i in range(0, 301))[1]


def med(xs):
    xs = sorted(abs(x) for x in xs)
    return xs[len(xs) // 2] if xs else float('nan')


def yaml_num(path, pattern):
    m = re.search(pattern, open(path).read(), re.M)
    if not m:
        sys.exit('fit_ring_pass: %s has no %s' % (path, pattern))
    return float(m.group(1))


def efficiency(fab):
    text = open(FABRICS).read()
    m = re.search(r'^  %s:\n((?:    .*\n|\s*\n)+)' % re.escape(fab), text, re.M)
    if not m:
        sys.exit('fit_ring_pass: no fabric %s in data/fabrics.yaml' % fab)
    return float(re.search(r'^    efficiency: ([0-9.]+)', m.group(1), re.M).group(1))


def main():
    ps = pairs()
    f = fit(ps)
    if '--check' in sys.argv[1:]:
        bad = 0
        have = yaml_num(NCCL, r'^  ring_pass_loss_steps: ([0-9.]+)')
        if abs(have - f) > 0.005:
            print('data/nccl.yaml ring_pass_loss_steps %.2f, the fit %.2f' % (have, f))
            bad = 1
        for fab, (e, s) in SOURCES.items():
            want = round(e * (s + have) / s, 3)
            if abs(efficiency(fab) - want) > 0.0005:
                print('data/fabrics.yaml %s efficiency %.3f, its source with the pass loss %.3f'
                      % (fab, efficiency(fab), want))
                bad = 1
        dflt = yaml_num(FABRICS, r'^  scaleup_efficiency: ([0-9.]+)')
        if abs(dflt - efficiency('nvlink4')) > 0.0005:
            print('data/fabrics.yaml fabric_defaults scaleup_efficiency %.3f, nvlink4 %.3f' % (dflt, efficiency('nvlink4')))
            bad = 1
        return bad
    own = [p for p in ps if p[0] in FIT]
    held = [p for p in ps if p[0] not in FIT]
    print('ring_pass_loss_steps %.2f, fitted on %d ratios (%s): median |error| %.1f%% (without it %.1f%%)'
          % (f, len(own), ', '.join(FIT), 100 * med(errs(own, f)), 100 * med(errs(own, 0))))
    print('  held out, %d ratios: median |error| %.1f%% (without it %.1f%%)'
          % (len(held), 100 * med(errs(held, f)), 100 * med(errs(held, 0))))
    for s in sorted({p[0] for p in ps}):
        mine = [p for p in ps if p[0] == s]
        print('  %-14s %-8s %2d ratios: median |error| %.1f%% (without it %.1f%%)'
              % (s, 'fit' if s in FIT else 'held out', len(mine), 100 * med(errs(mine, f)),
                 100 * med(errs(mine, 0))))
    for fab, (e, s) in SOURCES.items():
        print('  %-16s efficiency %.3f (its source %.3f on a ring of %d steps)' % (fab, e * (s + f) / s, e, s))
    return 0


if __name__ == '__main__':
    sys.exit(main())
