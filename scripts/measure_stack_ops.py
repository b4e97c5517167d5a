#!/usr/bin/env python3
"""The memory-bound ops of a PyTorch training stack, eager and compiled, on one GPU.

Times, on one CUDA GPU with PyTorch, the elementwise and normalisation ops a Llama layer runs
outside its GEMMs and attention, as torchtitan writes them, in three implementations:

  eager      the PyTorch code as torchtitan's llama3 model had it (December 2024: RMSNorm as
             x.float(), pow(2).mean(-1), rsqrt, multiply, type_as, * weight; RoPE through
             view_as_complex, a complex multiply and view_as_real; SwiGLU as silu(w1 x) * w3 x;
             torchao's float8 tensorwise dynamic cast: abs, amax, scale, clamp, cast, and the
             transposed copy the weight gradient reads)
  compiled   the same function through torch.compile (Inductor, default mode)
  fused      one library kernel where PyTorch has one (F.rms_norm), as a reference

each forward alone and forward with backward, at Llama 3 8B's shapes for 16,384 tokens (two
sequences of 8,192: torchtitan's 8B runs): hidden 4,096, 32 query and 8 KV heads of 128, FFN
14,336.  Writes OUT/stack_ops.json and prints a table; scripts/h200_tables.py makes
validation/kernels/stack_ops_h200.csv of it (stack_ops.json beside results.json).

usage: python3 scripts/measure_stack_ops.py OUT
"""
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "stack-out"
os.makedirs(OUT, exist_ok=True)
DEV = torch.device("cuda")
T, H, NQ, NKV, HD, FFN = 16384, 4096, 32, 8, 128, 14336
RES = {"machine": {"torch": torch.__version__, "cuda": torch.version.cuda, "device": torch.cuda.get_device_name(0),
                   "script_sha256": __import__("hashlib").sha256(open(__file__, "rb").read()).hexdigest()},
       "ops": [], "errors": []}
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:6.1f}s]", *a, flush=True)


def timed(fn, min_ms=30.0, trials=3):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    fn()
    b.record()
    b.synchronize()
    reps = max(3, int(math.ceil(min_ms / max(a.elapsed_time(b), 1e-3))))
    ts = []
    for _ in range(trials):
        a.record()
        for _ in range(reps):
            fn()
        b.record()
        b.synchronize()
        ts.append(a.elapsed_time(b) / reps)
    return sorted(ts)[len(ts) // 2]


# ------------------------------------------------------------------ the ops, as torchtitan wrote them
def rmsnorm(x, w, eps=1e-5):
    xf = x.float()
    return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + eps)).type_as(x) * w


def rope(xq, xk, freqs):
    q = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    k = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    return (torch.view_as_real(q * freqs).flatten(3).type_as(xq),
            torch.view_as_real(k * freqs).flatten(3).type_as(xk))


def swiglu(a, b):
    return F.silu(a) * b


def fp8_cast(x):
    """torchao float8 tensorwise dynamic scaling of one operand: amax, scale, saturated cast, and
    the transposed copy the backward's weight-gradient GEMM reads."""
    amax = x.abs().max().float()
    scale = 448.0 / torch.clamp(amax, min=1e-12)
    y = (x.float() * scale).clamp(-448.0, 448.0).to(torch.float8_e4m3fn)
    return y, y.t().contiguous(), scale


def residual(x, y):
    return x + y


def case(op, impl, fn, inputs, grads, fused_fwd_bytes, fused_bwd_bytes, elements):
    """Time fn(*inputs) forward, and forward + backward when grads is given."""
    rec = {"op": op, "impl": impl, "elements": elements, "fused_fwd_bytes": fused_fwd_bytes,
           "fused_bwd_bytes": fused_bwd_bytes}
    try:
        t_c = time.time()
        rec["fwd_ms"] = timed(lambda: fn(*inputs))   # with autograd on: the forward saves what training saves
        if grads is not None:
            def fb():
                out = fn(*inputs)
                outs = out if isinstance(out, tuple) else (out,)
                torch.autograd.backward(outs, grads)
                for t in inputs:
                    if isinstance(t, torch.Tensor) and t.requires_grad:
                        t.grad = None
            rec["fwd_bwd_ms"] = timed(fb)
        rec["wall_s"] = time.time() - t_c
        RES["ops"].append(rec)
        log(op, impl, {k: round(v, 4) for k, v in rec.items() if k.endswith("_ms")})
    except Exception as e:  # noqa: BLE001
        RES["errors"].append(f"{op} {impl}: {str(e)[:400]!r}")
        log("ERROR", op, impl, repr(e)[:400])


def main():
    torch.manual_seed(0)
    bf = torch.bfloat16
    x = torch.randn(T, H, device=DEV, dtype=bf, requires_grad=True)
    w = torch.ones(H, device=DEV, dtype=bf, requires_grad=True)
    gy = torch.randn(T, H, device=DEV, dtype=bf)
    el = T * H
    for impl, fn in (("eager", rmsnorm), ("compiled", torch.compile(rmsnorm)),
                     ("fused", lambda a, b: F.rms_norm(a, (H,), b, 1e-5))):
        case("rmsnorm", impl, fn, (x, w), (gy,), 4 * el, 6 * el, el)

    b, s = 2, T // 2
    xq = torch.randn(b, s, NQ, HD, device=DEV, dtype=bf, requires_grad=True)
    xk = torch.randn(b, s, NKV, HD, device=DEV, dtype=bf, requires_grad=True)
    inv = 1.0 / (500000.0 ** (torch.arange(0, HD, 2, device=DEV).float() / HD))
    ang = torch.outer(torch.arange(s, device=DEV).float(), inv)
    freqs = torch.polar(torch.ones_like(ang), ang).view(1, s, 1, HD // 2)
    gq, gk = torch.randn_like(xq), torch.randn_like(xk)
    rel = b * s * (NQ + NKV) * HD
    for impl, fn in (("eager", rope), ("compiled", torch.compile(rope))):
        case("rope", impl, fn, (xq, xk, freqs), (gq, gk), 4 * rel, 4 * rel, rel)

    a1 = torch.randn(T, FFN, device=DEV, dtype=bf, requires_grad=True)
    a3 = torch.randn(T, FFN, device=DEV, dtype=bf, requires_grad=True)
    ga = torch.randn(T, FFN, device=DEV, dtype=bf)
    ael = T * FFN
    for impl, fn in (("eager", swiglu), ("compiled", torch.compile(swiglu))):
        case("swiglu", impl, fn, (a1, a3), (ga,), 6 * ael, 10 * ael, ael)

    y = torch.randn(T, H, device=DEV, dtype=bf, requires_grad=True)
    for impl, fn in (("eager", residual), ("compiled", torch.compile(residual))):
        case("residual", impl, fn, (x, y), (gy,), 6 * el, 4 * el, el)

    xc = torch.randn(T, H, device=DEV, dtype=bf)
    for impl, fn in (("eager", fp8_cast), ("compiled", torch.compile(fp8_cast))):
        case("fp8_cast", impl, fn, (xc,), None, 4 * el, 0, el)

    with open(os.path.join(OUT, "stack_ops.json.tmp"), "w") as f:
        json.dump(RES, f, indent=1)
    os.replace(os.path.join(OUT, "stack_ops.json.tmp"), os.path.join(OUT, "stack_ops.json"))
    print("\n==== summary: time over the fused bytes at 4.27 TB/s (the measured copy rate) ====")
    for r in RES["ops"]:
        fb = r["fused_fwd_bytes"] / 4.27e12 * 1e3
        line = f"{r['op']:9s} {r['impl']:9s} fwd {r['fwd_ms']:.4f} ms ({r['fwd_ms'] / fb:5.2f}x)"
        if "fwd_bwd_ms" in r:
            bb = r["fused_bwd_bytes"] / 4.27e12 * 1e3
            line += f"  bwd {r['fwd_bwd_ms'] - r['fwd_ms']:.4f} ms ({(r['fwd_bwd_ms'] - r['fwd_ms']) / bb:5.2f}x)"
        print(line)
    print("errors", RES["errors"])


if __name__ == "__main__":
    main()
