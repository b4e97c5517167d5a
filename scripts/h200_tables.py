#!/usr/bin/env python3
"""Writes the kernel tables of validation/kernels/ from one run of scripts/measure_h200.py.

  python3 scripts/h200_tables.py validation/kernels/h200/results.json validation/kernels

writes gemm_h200.csv (every GEMM), attention_h200_torch.csv (every SDPA case) and
power_h200.csv (each phase's board power by NVML's energy counter), and, from
scripts/measure_stack_ops.py's stack_ops.json beside results.json, stack_ops_h200.csv (the
memory-bound ops, eager and compiled, forward and backward: a backward is the forward-with-
backward time less the forward's); with --check it compares them with the files already there
instead (exit 1 on a difference), so that the tables cannot drift from the measurements.
"""
import io
import json
import os
import sys

SRC = "validation/kernels/h200/results.json"
STACK_SRC = "validation/kernels/h200/stack_ops.json"


def gpu_name(r):
    """The catalog entry of the measured board: 'NVIDIA H200' -> h200, 'NVIDIA H100 80GB HBM3' -> h100-sxm."""
    dev = r["machine"]["device"].lower()
    for key, name in (("h200", "h200"), ("h100", "h100-sxm"), ("h800", "h800")):
        if key in dev:
            return name
    sys.exit(f"{r['machine']['device']}: no catalog entry known for this board; add it to gpu_name()")


def tables(r):
    gpu = gpu_name(r)
    g = io.StringIO()
    g.write("gpu,dtype,layout,set,m,k,n,time_ms,tflops,file\n")
    for x in r["gemm"]:
        g.write(f"{gpu},{x['dtype']},{x['layout']},{x['set']},{x['m']},{x['k']},{x['n']},"
                f"{x['time_ms']:.5f},{x['tflops']:.1f},{SRC}\n")
    a = io.StringIO()
    a.write("gpu,backend,batch,heads,seq,head_dim,fwd_ms,fwd_bwd_ms,file\n")
    for x in r["attention"]:
        a.write(f"{gpu},{x['backend']},{x['batch']},{x['heads']},{x['seq']},{x['head_dim']},"
                f"{x['fwd_ms']:.5f},{x['fwd_bwd_ms']:.5f},{SRC}\n")
    p = io.StringIO()
    p.write("gpu,phase,seconds,mean_power_W,sm_clock_MHz,rate,unit,file\n")
    units = {"gemm_bf16_hot": "TFLOP/s", "gemm_fp8_hot": "TFLOP/s", "copy_hot": "GB/s", "train": "step_s"}
    for name in ("idle", "gemm_bf16_hot", "gemm_fp8_hot", "copy_hot", "train", "idle_after"):
        x = r["phases"][name]
        rate = x.get("sustained_median", x.get("step_s_median", ""))
        rate = f"{rate:.4g}" if rate != "" else ""
        p.write(f"{gpu},{name},{x['seconds']:.2f},{x['mean_power_W']:.1f},{x.get('sm_clock_MHz_median', '')},"
                f"{rate},{units.get(name, '') if rate else ''},{SRC}\n")
    return {"gemm_h200.csv": g.getvalue(), "attention_h200_torch.csv": a.getvalue(), "power_h200.csv": p.getvalue()}


def stack_table(r):
    """scripts/measure_stack_ops.py's output: one row per op, implementation and pass."""
    gpu = gpu_name(r)
    t = io.StringIO()
    t.write("gpu,op,impl,pass,elements,fused_bytes,time_ms,file\n")
    for x in r["ops"]:
        t.write(f"{gpu},{x['op']},{x['impl']},fwd,{x['elements']},{x['fused_fwd_bytes']},{x['fwd_ms']:.5f},{STACK_SRC}\n")
        if "fwd_bwd_ms" in x:
            t.write(f"{gpu},{x['op']},{x['impl']},bwd,{x['elements']},{x['fused_bwd_bytes']},"
                    f"{x['fwd_bwd_ms'] - x['fwd_ms']:.5f},{STACK_SRC}\n")
    return {"stack_ops_h200.csv": t.getvalue()}


def main():
    if "-h" in sys.argv or "--help" in sys.argv:
        print(__doc__)
        return 0
    args = [a for a in sys.argv[1:] if a != "--check"]
    src = args[0] if args else SRC
    out = args[1] if len(args) > 1 else os.path.dirname(os.path.dirname(src))
    with open(src) as f:
        t = tables(json.load(f))
    with open(os.path.join(os.path.dirname(src), "stack_ops.json")) as f:   # beside results.json
        t.update(stack_table(json.load(f)))
    bad = 0
    for name, text in t.items():
        path = os.path.join(out, name)
        if "--check" in sys.argv:
            old = open(path).read() if os.path.exists(path) else None
            if old != text:
                print(f"{path}: differs from {src} (run scripts/h200_tables.py)", file=sys.stderr)
                bad = 1
        else:
            with open(path + ".tmp", "w") as f:
                f.write(text)
            os.replace(path + ".tmp", path)
    return bad


if __name__ == "__main__":
    sys.exit(main())
