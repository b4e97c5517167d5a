#!/usr/bin/env python3
"""Fits each NVLink generation's all-to-all constant (data/fabrics.yaml a2a_half) to nccl-tests.

NCCL's all-to-all (a send and a receive to every peer, alltoall_perf) reaches the links' rate
only at large buffers: on 8 B200 it carries 563 GB/s of bus bandwidth at 512 MiB and 673 at
16 GiB.  src/net/collective.c times it inside one scale-up domain as

  t = base + (n-1)/n a + S (n-1)/n / (e B) x (1 + f / (n-1)) x (1 + sqrt(a2a_half / S))

base NCCL's Simple ring base latency (data/nccl.yaml), a the fabric's step latency, e B its
efficiency times its port bandwidth (data/fabrics.yaml), f NCCL's ring pass loss (data/nccl.yaml,
scripts/fit_ring_pass.py: NCCL runs an all-to-all as n - 1 rounds of a send and a receive), S the
buffer nccl-tests names; so a2a_half is the buffer at which the bandwidth term runs at half the
large-message rate.

For each generation this script reads the alltoall rows of validation/collectives.csv on one
domain of that fabric from 1 MB up, fits a2a_half on one system's sweep (least squared log
error of the time, on a grid of 0.1 MB) and reports the other rows of the fabric as held out:

  nvlink4  fit: 8 H100 (aic-h100-a2a-8g-*)   held out: 2, 4 and 8 H200, 2 and 4 H100,
                                             NVIDIA/nccl #2169
  nvlink5  fit: 8 B200 (aic-b200-a2a-8g-*)   held out: 2 and 4 B200; 2, 4 and 8 B300; the GB200
                                             and GB300 trays; 4 to 64 GB200 (OCI)
  nvlink3  fit: 8 A100 (aic-a100-a2a-8g-*)   held out: 2 and 4 A100

usage: scripts/fit_alltoall.py           prints each fit, its error and the held-out rows'
       scripts/fit_alltoall.py --check   exit 1 unless data/fabrics.yaml holds these values,
                                         rounded to 0.1 MB (a test)
Standard library only."""
import csv
import functools
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'collectives.csv')
FABRICS = os.path.join(HERE, '..', 'data', 'fabrics.yaml')
NCCL = os.path.join(HERE, '..', 'data', 'nccl.yaml')
FITS = {'nvlink4': 'aic-h100-a2a-8g-', 'nvlink5': 'aic-b200-a2a-8g-', 'nvlink3': 'aic-a100-a2a-8g-'}
MB = 1e6
UNITS = {'': 1, 'B': 1, 'KB': 1e3, 'MB': 1e6, 'GB': 1e9, 'KiB': 2**10, 'MiB': 2**20, 'GiB': 2**30,
         'GB/s': 1e9, 'us': 1e-6, 'ns': 1e-9, 'ms': 1e-3}


def qty(text):
    m = re.fullmatch(r'\s*([0-9.eE+-]+)\s*([A-Za-z/]*)\s*', text)
    if not m or m.group(2) not in UNITS:
        sys.exit('fit_alltoall: cannot read the quantity %r' % text)
    return float(m.group(1)) * UNITS[m.group(2)]


def fabric(name):
    """The fabric's block of data/fabrics.yaml: its top-level fields as text."""
    text = open(FABRICS).read()
    m = re.search(r'^  %s:\n((?:    .*\n|\s*\n)+)' % re.escape(name), text, re.M)
    if not m:
        sys.exit('fit_alltoall: no fabric %s in data/fabrics.yaml' % name)
    return dict(re.findall(r'^    ([a-z_0-9]+): ([^\n#]+?)\s*$', m.group(1), re.M))


@functools.lru_cache(maxsize=None)
def pass_loss():
    """NCCL's ring pass loss (data/nccl.yaml), read once."""
    m = re.search(r'^  ring_pass_loss_steps: ([0-9.]+)', open(NCCL).read(), re.M)
    if not m:
        sys.exit('fit_alltoall: data/nccl.yaml has no ring_pass_loss_steps')
    return float(m.group(1))


def base_latency_s():
    m = re.search(r'^    ring: \{ll: [0-9.]+, ll128: [0-9.]+, simple: ([0-9.]+)\}', open(NCCL).read(), re.M)
    return float(m.group(1)) * 1e-6


def rows(fab):
    out = []
    with open(TABLE, newline='') as f:
        for r in csv.DictReader(f):
            if r['op'] != 'alltoall' or r['fabric'] != fab or not r['bytes'] or float(r['bytes']) < 2**20:
                continue
            n, s, bw = int(r['gpus']), float(r['bytes']), float(r['busbw_GBps']) * 1e9
            out.append((r['id'], n, s, s * (n - 1) / n / bw))
    return out


def predict(f, base, n, s, half):
    b = qty(f['port_bw']) * float(f['efficiency'])
    t_bw = s * (n - 1) / n / b * (1 + pass_loss() / (n - 1))
    return base + (n - 1) / n * qty(f['latency']) + t_bw * (1 + math.sqrt(half / s))


def err(f, base, rs, half):
    return [math.log(predict(f, base, n, s, half) / t) for _, n, s, t in rs]


def fit(fab):
    f, base = fabric(fab), base_latency_s()
    rs = rows(fab)
    own = [r for r in rs if r[0].startswith(FITS[fab])]
    if not own:
        sys.exit('fit_alltoall: no rows %s* in validation/collectives.csv' % FITS[fab])
    best = min((sum(e * e for e in err(f, base, own, h * 0.1 * MB)), h) for h in range(0, 2001))
    half = best[1] * 0.1 * MB
    return f, base, rs, own, half


def med(xs):
    xs = sorted(abs(x) for x in xs)
    return xs[len(xs) // 2] if xs else float('nan')


def main():
    check = '--check' in sys.argv[1:]
    bad = 0
    for fab in FITS:
        f, base, rs, own, half = fit(fab)
        held = [r for r in rs if r not in own]
        if check:
            have = qty(f.get('a2a_half', '0'))
            if abs(have - half) > 0.05 * MB:
                print('%s: data/fabrics.yaml a2a_half %.1f MB, the fit %.1f MB' % (fab, have / MB, half / MB))
                bad = 1
            continue
        e_own = err(f, base, own, half)
        e_none = err(f, base, own, 0)
        print('%s: a2a_half %.1f MB, fitted on %d rows (%s*): median |time error| %.1f%% (without it %.1f%%)'
              % (fab, half / MB, len(own), FITS[fab], 100 * med(e_own), 100 * med(e_none)))
        if held:
            e_h, e_h0 = err(f, base, held, half), err(f, base, held, 0)
            print('  held out, %d rows: median |time error| %.1f%% (without it %.1f%%)'
                  % (len(held), 100 * med(e_h), 100 * med(e_h0)))
        for (i, n, s, t), e in zip(own + held, e_own + (err(f, base, held, half) if held else [])):
            print('    %-32s %3d GPUs %12.0f B  measured/predicted time %.3f' % (i, n, s, math.exp(-e)))
    return bad


if __name__ == '__main__':
    sys.exit(main())
