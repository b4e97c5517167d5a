#!/usr/bin/env python3
"""Fits the PyTorch stacks' traffic factors to the measured memory-bound ops.

Reads validation/kernels/stack_ops_h200.csv (scripts/measure_stack_ops.py on one H200: the
ops a Llama layer runs beside its GEMMs and attention, as torchtitan writes them, eager and
through torch.compile, at Llama 3 8B's shapes for 16,384 tokens) and finds the factor by which
each op's time exceeds the model's time for a fused kernel of the same op (src/workload/
lower_train.c: the op's fused bytes at the family's HBM rate, hbm_bw x mem_eff, plus one
kernel_overhead per kernel the stack launches for it):

  factor = (measured forward + backward - 2 x kernels x kernel_overhead) / (fused bytes / (BW x mem_eff))

  norm_traffic     RMSNorm (forward 4 bytes an element fused, backward 6)
  rope_traffic     the rotary embedding of queries and keys (4 and 4)
  act_traffic      SwiGLU (6 and 10; the lowering also scales the residual adds by it, which
                   the table measures but does not fit: their backward here is autograd's
                   accumulation, not a training step's); a factor under 1 (the stack's kernel streams faster than
                   the family's mem_eff, set on fused norm kernels, supposes) is held at 1:
                   a stack is not credited beyond the family's fused rate
  fp8_cast_factor  torchao's tensorwise dynamic cast of one operand and its transposed copy,
                   against Transformer Engine's fused cast-transpose (4 bytes), forward only

for the eager rows (data/frameworks.yaml torchtitan, elementwise_kernels 4) and the compiled
ones (torchtitan-compile, 1; rocm-torchtitan cites it); the cast is one kernel in the lowering
whatever the stack.  BW is the hbm_bw of the GPU the table's `gpu` column names (data/gpus.yaml)
and mem_eff and kernel_overhead its family's (data/calibration.yaml).

usage: scripts/fit_stack.py            prints the fit and the catalog's values
       scripts/fit_stack.py --check    exit 1 unless data/frameworks.yaml's torchtitan,
                                       torchtitan-compile and rocm-torchtitan hold each factor
                                       within 10% of the fit (a test)
Standard library only."""
import csv
import os
import sys

from catalog_yaml import STACKS, entry as block, gpu, number

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, '..', 'validation', 'kernels', 'stack_ops_h200.csv')
FACTORS = (('norm_traffic', 'rmsnorm'), ('rope_traffic', 'rope'), ('act_traffic', 'swiglu'),
           ('fp8_cast_factor', 'fp8_cast'))
IMPL = {'eager': ['torchtitan'], 'compiled': ['torchtitan-compile', 'rocm-torchtitan']}


def main():
    rows = list(csv.DictReader(open(TABLE)))
    g, family = gpu(rows[0]['gpu'])                           # the table's GPU, e.g. h200, and its family
    bw = number(g, 'hbm_bw') * 1e12
    rate = bw * number(family, 'mem_eff')
    overhead = number(family, 'kernel_overhead')
    bad = 0
    for impl, stacks in IMPL.items():
        kernels = number(block(STACKS, stacks[0]), 'elementwise_kernels')
        print(f'{impl} (data/frameworks.yaml {", ".join(stacks)}; {kernels:g} kernels an op):')
        for key, op in FACTORS:
            rs = [r for r in rows if r['op'] == op and r['impl'] == impl]
            launches = 1 if op == 'fp8_cast' else kernels   # the lowering's cast is one op of one kernel
            t = sum(float(r['time_ms']) * 1e-3 for r in rs) - len(rs) * launches * overhead
            fused = sum(float(r['fused_bytes']) for r in rs) / rate
            fit = t / fused
            held = max(fit, 1.0) if key == 'act_traffic' else fit
            for s in stacks:
                have = number(block(STACKS, s), key)
                ok = have is not None and abs(have / held - 1) <= 0.10
                bad |= not ok
                print(f'  {key:16s} {op:9s} fit {fit:6.2f}  {s} {have}{"" if ok else "  <- not within 10%"}')
    if '--check' in sys.argv and bad:
        print('data/frameworks.yaml does not hold the fit (each factor within 10%)', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
