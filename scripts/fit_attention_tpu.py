#!/usr/bin/env python3
"""Fits the tpu-v7 family's fused-attention constants to TPU7x's splash-attention kernel table.

Reads validation/kernels/splash_tpu7x.csv (Google's own benchmark of the splash-attention
kernel MaxText runs, on one TPU7x device: openxla/tokamax
tokamax/_src/ops/experimental/tpu/splash_attention/microbenchmarks.pdf, "Performance Benchmarks
on Ironwood TPU", 13 November 2025; causal, bf16, batch 1, 32 query and 8 key/value heads, block
sizes tuned per shape; sequences 4,096 to 131,072 at head dimensions 128/128, 192/128 and
256/256, forward and backward) and finds the constants of src/hw/compute.c's attention roof:

  rate = P x e(d, pass) x k / (k + attn_kv_half)

P the device's bf16 peak (data/gpus.yaml tpu7x's per chip, over its two devices: a JAX device
on TPU7x is one of the chip's two TensorCores, data/calibration.yaml tpu-v7), k the key length
(the sequence, causal), e one efficiency per head dimension and pass and attn_kv_half one length
shared by all 24 kernels: the least squared log error of the rate, attn_kv_half on a grid of 10
keys, each e the geometric mean of its kernels' rate over k / (k + attn_kv_half).  FLOPs as the
benchmark counts them and the model does (src/workload/lower_train.c): the causal half of
2 x heads x seq^2 x (head dim of Q/K + of V), the backward 2.5 times the forward.

Head dimension 64 (gpt-oss) is not in the table.  At each sequence and pass the kernel's time
is a straight line in the head dimensions' sum qk + v through the three measured shapes (each
within 1.6% of it): a fixed cost per score, which the head dimension does not change (the
softmax on the vector unit, and an MXU 256 wide that a head of 128 half fills), plus one per
FLOP.  Its value at 64/64 over its value at 128/128, with half the FLOPs, gives the rate at 64
over the rate at 128: the mean of the eight, times e(128), is e(64).  Head dimension 256 is
fitted for the report and the test (tests/test_equations.c), not carried: the model holds
192's rate beyond 192.

usage: scripts/fit_attention_tpu.py            prints the fit and every kernel's ratio
       scripts/fit_attention_tpu.py --check    exit 1 unless data/calibration.yaml's tpu-v7 holds
                                               these values, rounded to 0.01 and 10 keys (a test)
No derating: a TPU holds its clock (tpu-v7's matmul_eff is its GEMM benchmark's rate as
measured).  Standard library only."""
import csv
import math
import os
import sys

import catalog_yaml
from catalog_yaml import number

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'splash_tpu7x.csv')
DEVICES = 2   # JAX devices (TensorCores) per TPU7x chip: data/calibration.yaml tpu-v7's comment
PEAK = number(catalog_yaml.entry(catalog_yaml.GPUS, 'tpu7x'), 'bf16', 6) * 1e12 / DEVICES
KEYS = {('fwd', 128): 'attn_fwd_eff', ('bwd', 128): 'attn_bwd_eff',
        ('fwd', 192): 'attn_fwd_eff_hd192', ('bwd', 192): 'attn_bwd_eff_hd192',
        ('fwd', 64): 'attn_fwd_eff_hd64', ('bwd', 64): 'attn_bwd_eff_hd64'}


def rows():
    out = []
    with open(TABLE) as f:
        for r in csv.DictReader(f):
            s, h, qk, v = (int(r[c]) for c in ('seq', 'q_heads', 'head_dim_qk', 'head_dim_v'))
            x = 2.5 if r['pass'] == 'bwd' else 1.0
            flops = 0.5 * 2 * int(r['batch']) * h * s * s * (qk + v) * x
            t = float(r['time_ms']) * 1e-3
            out.append(dict(pass_=r['pass'], s=s, qk=qk, v=v, t=t, eff=flops / (t * PEAK)))
    return out


def fit(data):
    best = None
    for half in range(10, 10001, 10):
        groups = {}
        for r in data:
            groups.setdefault((r['pass_'], r['qk']), []).append(math.log(r['eff'] * (r['s'] + half) / r['s']))
        e = {key: sum(g) / len(g) for key, g in groups.items()}
        err = sum((math.log(r['eff'] * (r['s'] + half) / r['s']) - e[(r['pass_'], r['qk'])]) ** 2 for r in data)
        if best is None or err < best[0]:
            best = (err, half, {key: math.exp(v) for key, v in e.items()})
    return best[1], best[2]


def hd64_ratio(data, pass_):
    """The rate at head dimensions 64/64 over 128/128: the time per kernel a line in qk + v."""
    ratios, worst = [], 0.0
    for s in sorted({r['s'] for r in data}):
        pts = [(r['qk'] + r['v'], r['t']) for r in data if r['pass_'] == pass_ and r['s'] == s]
        mx = sum(p[0] for p in pts) / len(pts)
        my = sum(p[1] for p in pts) / len(pts)
        b = sum((p[0] - mx) * (p[1] - my) for p in pts) / sum((p[0] - mx) ** 2 for p in pts)
        a = my - b * mx
        worst = max(worst, max(abs((a + b * p[0]) / p[1] - 1) for p in pts))
        ratios.append(0.5 * (a + b * 256) / (a + b * 128))
    return sum(ratios) / len(ratios), worst


def main():
    data = rows()
    half, e = fit(data)
    want = {'attn_kv_half': round(half, -1)}
    for p in ('fwd', 'bwd'):
        r64, _ = hd64_ratio(data, p)
        e[(p, 64)] = e[(p, 128)] * r64
        for d in (64, 128, 192):
            want[KEYS[(p, d)]] = round(e[(p, d)], 2)
    if '--check' in sys.argv:
        return catalog_yaml.check('tpu-v7', want, 'attention constants')
    print('attn_kv_half %d' % half)
    for (p, d), v in sorted(e.items()):
        print('%s head dim %d: e %.4f%s' % (p, d, v, '' if (p, d) in KEYS else ' (reported, not carried)'))
    for p in ('fwd', 'bwd'):
        r64, worst = hd64_ratio(data, p)
        print('%s: rate at 64/64 over 128/128 %.3f (time a line in qk + v, worst point %.1f%% off it)' %
              (p, r64, worst * 100))
    errs = []
    for r in data:
        pred = e[(r['pass_'], r['qk'])] * r['s'] / (r['s'] + half)
        errs.append(abs(math.log(pred / r['eff'])))
        print('%s s %6d d %d/%d: measured e %.3f, fit %.3f (%.3f)' %
              (r['pass_'], r['s'], r['qk'], r['v'], r['eff'], pred, pred / r['eff']))
    errs.sort()
    print('median |log error| %.3f, largest %.3f' % (errs[len(errs) // 2], errs[-1]))
    return 0


if __name__ == '__main__':
    sys.exit(main())
