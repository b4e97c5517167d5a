#!/usr/bin/env python3
"""Kernel and power measurements of one Hopper GPU, for the hopper calibration family.

Runs on a machine with one NVIDIA H100 or H200 and PyTorch (CUDA), reads the board through
NVML (nvidia-ml-py), and writes under OUT (argument 1, default ./h200-out):

  results.json        every measurement, with the machine's driver, PyTorch, cuBLAS and cuDNN
                      versions, power limit and clocks
  power_samples.csv   NVML samples every 20 ms: phase, time, power (1 s average and
                      instantaneous where the driver gives it), SM clock, temperature
  nvidia_smi.txt      `nvidia-smi -q` before the run

Phases, in this order (about three minutes on an H200):
  idle            the context open, nothing running: the board's idle power
  gemm_bf16_hot   8192^3 bf16 GEMMs back to back for 25 s: rate per half-second window, board
                  energy per window (NVML's energy counter): burst and sustained rate, power at
                  the power limit
  gemm_fp8_hot    the same in fp8 (torch._scaled_mm, e4m3, per-tensor scales, bf16 output), 15 s
  copy_hot        device-to-device copies of 2 GiB for 10 s: HBM bandwidth, counting bytes read
                  and written, and the power of a memory-bound kernel
  gemm_sweep      bf16 GEMMs of many shapes (square, K sweep, M sweep, the forward, input- and
                  weight-gradient GEMMs of Llama 3 8B and 70B layers) and fp8 at the training
                  shapes; each the median of three timings of at least 40 ms, inputs rotated
                  through several copies where one set would sit in L2
  attention       torch SDPA, causal, bf16, head dim 128 and 64, 1K to 16K tokens, forward and
                  forward + backward, on the flash (FlashAttention-2) and cuDNN backends
  norm            RMSNorm forward and backward (torch.nn.functional.rms_norm)
  train           an 8-layer Llama-3-8B-shaped model (hidden 4096, 32/8 heads, ffn 14336, vocab
                  128256, untied), eager PyTorch as torchtitan runs it on one GPU: fp32
                  parameters under bf16 autocast, flash SDPA, fused AdamW; seq 4096, 2 sequences a
                  step, 30 s of steps: step time, peak memory, board power
  idle_after      5 s idle again

Never changes the board's settings (clocks, power limit, persistence).
"""
import json
import math
import os
import subprocess
import sys
import threading
import time

import torch
import torch.nn.functional as F

OUT = sys.argv[1] if len(sys.argv) > 1 else "h200-out"
os.makedirs(OUT, exist_ok=True)
DEV = torch.device("cuda")
RESULTS = {"phases": {}, "gemm": [], "attention": [], "norm": [], "errors": []}
T0 = time.time()


def log(*a):
    print(f"[{time.time() - T0:7.1f}s]", *a, flush=True)


# ---------------------------------------------------------------- NVML sampling
try:
    import pynvml as nv
    nv.nvmlInit()
    try:   # the board CUDA calls device 0 (NVML ignores CUDA_VISIBLE_DEVICES and orders boards its own way)
        H = nv.nvmlDeviceGetHandleByUUID("GPU-" + str(torch.cuda.get_device_properties(0).uuid))
    except Exception as e:  # noqa: BLE001
        H = nv.nvmlDeviceGetHandleByIndex(0)
        RESULTS["errors"].append(f"nvml: board looked up by index 0, not by CUDA's uuid ({e!r})")
except Exception as e:  # noqa: BLE001
    nv = None
    H = None
    RESULTS["errors"].append(f"nvml: {e!r}")

PHASE = ["start"]
SAMPLES = []
STOP = threading.Event()


def energy_mJ():
    if nv is None:
        return None
    try:
        return nv.nvmlDeviceGetTotalEnergyConsumption(H)
    except Exception:  # noqa: BLE001
        return None


def sampler():
    inst_ok = True
    while not STOP.is_set():
        t = time.time() - T0
        row = [PHASE[0], round(t, 3), None, None, None, None, None]
        try:
            row[2] = nv.nvmlDeviceGetPowerUsage(H) / 1000.0
        except Exception:  # noqa: BLE001
            pass
        if inst_ok:
            try:
                fv = nv.nvmlDeviceGetFieldValues(H, [nv.NVML_FI_DEV_POWER_INSTANT])[0]
                if fv.nvmlReturn == 0:
                    row[3] = fv.value.uiVal / 1000.0
                else:
                    inst_ok = False
            except Exception:  # noqa: BLE001
                inst_ok = False
        try:
            row[4] = nv.nvmlDeviceGetClockInfo(H, nv.NVML_CLOCK_SM)
            row[5] = nv.nvmlDeviceGetClockInfo(H, nv.NVML_CLOCK_MEM)
            row[6] = nv.nvmlDeviceGetTemperature(H, nv.NVML_TEMPERATURE_GPU)
        except Exception:  # noqa: BLE001
            pass
        SAMPLES.append(row)
        time.sleep(0.02)


def phase(name):
    """Start a phase: returns a closure that ends it and records its mean board power."""
    torch.cuda.synchronize()
    PHASE[0] = name
    e0, t0 = energy_mJ(), time.time()

    def end(**extra):
        torch.cuda.synchronize()
        e1, t1 = energy_mJ(), time.time()
        rec = {"seconds": t1 - t0}
        if e0 is not None and e1 is not None and t1 > t0:
            rec["mean_power_W"] = (e1 - e0) / 1000.0 / (t1 - t0)
        ps = [r for r in SAMPLES if r[0] == name]
        clk = sorted(r[4] for r in ps if r[4])
        if clk:
            rec["sm_clock_MHz_median"] = clk[len(clk) // 2]
        rec.update(extra)
        RESULTS["phases"][name] = rec
        PHASE[0] = "between"
        log(name, json.dumps({k: (round(v, 3) if isinstance(v, float) else v) for k, v in rec.items()
                              if not isinstance(v, list)}))
        return rec
    return end


def save():
    with open(os.path.join(OUT, "results.json.tmp"), "w") as f:
        json.dump(RESULTS, f, indent=1)
    os.replace(os.path.join(OUT, "results.json.tmp"), os.path.join(OUT, "results.json"))
    with open(os.path.join(OUT, "power_samples.csv"), "w") as f:
        f.write("phase,t_s,power_W,power_instant_W,sm_MHz,mem_MHz,temp_C\n")
        for r in list(SAMPLES):
            f.write(",".join("" if v is None else str(v) for v in r) + "\n")


# ---------------------------------------------------------------- timing helpers
def events_time_ms(fn, reps):
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for i in range(reps):
        fn(i)
    b.record()
    b.synchronize()
    return a.elapsed_time(b) / reps


def bench(fn, min_ms=40.0, trials=3):
    """Median time of one call (ms): warm-up, then `trials` timings of >= min_ms each."""
    fn(0)
    fn(1)
    torch.cuda.synchronize()
    one = events_time_ms(fn, 2)
    reps = max(2, int(math.ceil(min_ms / max(one, 1e-3))))
    ts = sorted(events_time_ms(fn, reps) for _ in range(trials))
    return ts[len(ts) // 2]


def copies(nbytes):
    """Input sets to rotate through so that one call's operands are not all in L2 (50 MB on H100/H200)."""
    return int(min(8, max(1, math.ceil(240e6 / max(nbytes, 1)))))


def gemm_fn(m, k, n, layout, dtype):
    """layout: nt (y = x W^T, forward), nn (dx = dy W), tn (dW = dy^T x)."""
    if layout == "nt":
        shapes = ((m, k), (n, k))
    elif layout == "nn":
        shapes = ((m, k), (k, n))
    else:
        shapes = ((k, m), (k, n))
    nb = 2 * (m * k + k * n + m * n)
    sets = []
    for _ in range(copies(nb)):
        a = torch.randn(*shapes[0], device=DEV, dtype=torch.bfloat16)
        b = torch.randn(*shapes[1], device=DEV, dtype=torch.bfloat16)
        sets.append((a, b))
    if dtype == "fp8":
        one = torch.ones((), device=DEV, dtype=torch.float32)
        f8 = [(a.to(torch.float8_e4m3fn), b.to(torch.float8_e4m3fn)) for a, b in
              [(torch.randn(m, k, device=DEV), torch.randn(n, k, device=DEV)) for _ in range(copies(m * k + n * k))]]

        def fn(i):
            a, b = f8[i % len(f8)]
            return torch._scaled_mm(a, b.t(), scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
        return fn
    if layout == "nt":
        return lambda i: torch.matmul(sets[i % len(sets)][0], sets[i % len(sets)][1].t())
    if layout == "nn":
        return lambda i: torch.matmul(sets[i % len(sets)][0], sets[i % len(sets)][1])
    return lambda i: torch.matmul(sets[i % len(sets)][0].t(), sets[i % len(sets)][1])


def gemm_point(tag, m, k, n, layout="nt", dtype="bf16"):
    try:
        ms = bench(gemm_fn(m, k, n, layout, dtype))
        tf = 2.0 * m * n * k / (ms * 1e-3) / 1e12
        RESULTS["gemm"].append({"set": tag, "dtype": dtype, "layout": layout, "m": m, "k": k, "n": n,
                                "time_ms": ms, "tflops": tf})
    except Exception as e:  # noqa: BLE001
        RESULTS["errors"].append(f"gemm {tag} {m}x{k}x{n} {layout} {dtype}: {e!r}")
    torch.cuda.empty_cache()


def hot_loop(name, fn, seconds, flops=None, nbytes=None, window_s=0.5):
    """Run fn back to back for `seconds`; rate and board power per window."""
    fn(0)
    torch.cuda.synchronize()
    one = events_time_ms(fn, 3)
    per_window = max(1, int(window_s * 1e3 / max(one, 1e-3)))
    end = phase(name)
    wins = []
    t_start = time.time()
    i = 0
    while time.time() - t_start < seconds:
        e0, tw0 = energy_mJ(), time.time()
        ms = events_time_ms(lambda j: fn(i + j), per_window)
        e1, tw1 = energy_mJ(), time.time()
        w = {"t_s": round(time.time() - t_start, 3), "ms_per_call": ms}
        if flops:
            w["tflops"] = flops / (ms * 1e-3) / 1e12
        if nbytes:
            w["GBps"] = nbytes / (ms * 1e-3) / 1e9
        if e0 is not None and e1 is not None:
            w["power_W"] = (e1 - e0) / 1000.0 / (tw1 - tw0)   # wall time between the two reads
        wins.append(w)
        i += per_window
    key = "tflops" if flops else "GBps"
    first = wins[0][key]
    last = sorted(w[key] for w in wins if w["t_s"] >= seconds * 0.6)
    pw = sorted(w["power_W"] for w in wins if "power_W" in w and w["t_s"] >= seconds * 0.6)
    return end(windows=wins, first_window=first, sustained_median=last[len(last) // 2] if last else None,
               sustained_power_W=pw[len(pw) // 2] if pw else None, calls_per_window=per_window)


# ---------------------------------------------------------------- phases
def machine_info():
    import hashlib
    info = {"script_sha256": hashlib.sha256(open(__file__, "rb").read()).hexdigest(),
            "torch": torch.__version__, "cuda": torch.version.cuda,
            "cudnn": torch.backends.cudnn.version(), "device": torch.cuda.get_device_name(0),
            "sm_count": torch.cuda.get_device_properties(0).multi_processor_count}
    try:   # the CUDA version PyTorch was built against (not cuBLAS's own)
        info["cuda_compiled"] = torch._C._cuda_getCompiledVersion()
    except Exception:  # noqa: BLE001
        pass
    if nv is not None:
        for key, f in [("driver", lambda: nv.nvmlSystemGetDriverVersion()),
                       ("power_limit_W", lambda: nv.nvmlDeviceGetPowerManagementLimit(H) / 1000.0),
                       ("enforced_power_limit_W", lambda: nv.nvmlDeviceGetEnforcedPowerLimit(H) / 1000.0),
                       ("default_power_limit_W", lambda: nv.nvmlDeviceGetPowerManagementDefaultLimit(H) / 1000.0),
                       ("max_sm_clock_MHz", lambda: nv.nvmlDeviceGetMaxClockInfo(H, nv.NVML_CLOCK_SM)),
                       ("max_mem_clock_MHz", lambda: nv.nvmlDeviceGetMaxClockInfo(H, nv.NVML_CLOCK_MEM)),
                       ("vbios", lambda: nv.nvmlDeviceGetVbiosVersion(H))]:
            try:
                v = f()
                info[key] = v.decode() if isinstance(v, bytes) else v
            except Exception as e:  # noqa: BLE001
                info[key] = f"unavailable: {e!r}"
    RESULTS["machine"] = info
    log("machine", json.dumps(info))


def run_gemm_sweep():
    end = phase("gemm_sweep")
    for s in (512, 1024, 2048, 4096, 8192, 16384):
        gemm_point("square", s, s, s)
    for k in (128, 256, 512, 1024, 2048, 4096, 16384):
        gemm_point("k_sweep", 8192, k, 8192)
    for m in (256, 512, 1024, 2048, 3072, 4096, 6144):
        gemm_point("m_sweep", m, 8192, 8192)
    # (tokens, in, out) of one layer's GEMMs; forward nt, input gradient nn (k = out), weight gradient tn (k = tokens)
    layers = {
        "llama3-8b": [(8192, 4096, 6144), (8192, 4096, 4096), (8192, 4096, 28672), (8192, 14336, 4096)],
        "llama3-70b-tp8": [(8192, 8192, 1280), (8192, 1024, 8192), (8192, 8192, 7168), (8192, 3584, 8192)],
    }
    for tag, shapes in layers.items():
        for (t, i, o) in shapes:
            gemm_point(tag + ":fwd", t, i, o, "nt")
            gemm_point(tag + ":dgrad", t, o, i, "nn")
            gemm_point(tag + ":wgrad", o, t, i, "tn")
            gemm_point(tag + ":fwd", t, i, o, "nt", "fp8")
    for s in (4096, 8192, 16384):
        gemm_point("square", s, s, s, "nt", "fp8")
    end(points=len(RESULTS["gemm"]))
    save()


def run_attention():
    from torch.nn.attention import SDPBackend, sdpa_kernel
    end = phase("attention")
    backends = {"flash": SDPBackend.FLASH_ATTENTION, "cudnn": SDPBackend.CUDNN_ATTENTION}
    cases = [(16384 // s, 32, s, 128) for s in (1024, 2048, 4096, 8192, 16384)] + [(4, 64, 4096, 64), (1, 64, 16384, 64)]
    for bname, be in backends.items():
        for (b, h, s, d) in cases:
            try:
                q, k, v = (torch.randn(b, h, s, d, device=DEV, dtype=torch.bfloat16, requires_grad=True) for _ in range(3))
                go = torch.randn(b, h, s, d, device=DEV, dtype=torch.bfloat16)
                with sdpa_kernel([be]):
                    fwd = bench(lambda i: F.scaled_dot_product_attention(q, k, v, is_causal=True), min_ms=30)

                    def fb(i):
                        o = F.scaled_dot_product_attention(q, k, v, is_causal=True)
                        o.backward(go)
                        q.grad = k.grad = v.grad = None
                    both = bench(fb, min_ms=30)
                flops_fwd = 2.0 * b * h * s * s * d  # causal: 4 b h s^2 d / 2
                RESULTS["attention"].append({"backend": bname, "batch": b, "heads": h, "seq": s, "head_dim": d,
                                             "fwd_ms": fwd, "fwd_bwd_ms": both,
                                             "fwd_tflops": flops_fwd / (fwd * 1e-3) / 1e12,
                                             "bwd_tflops": 2.5 * flops_fwd / (max(both - fwd, 1e-6) * 1e-3) / 1e12})
            except Exception as e:  # noqa: BLE001
                RESULTS["errors"].append(f"attention {bname} {b}x{h}x{s}x{d}: {str(e)[:300]!r}")
            torch.cuda.empty_cache()
    end(points=len(RESULTS["attention"]))
    save()


def run_norm():
    end = phase("norm")
    for (rows, width) in ((16384, 4096), (8192, 8192), (4096, 16384)):
        try:
            x = torch.randn(rows, width, device=DEV, dtype=torch.bfloat16, requires_grad=True)
            w = torch.ones(width, device=DEV, dtype=torch.bfloat16, requires_grad=True)
            go = torch.randn(rows, width, device=DEV, dtype=torch.bfloat16)
            fwd = bench(lambda i: F.rms_norm(x, (width,), w, 1e-5), min_ms=20)

            def fb(i):
                F.rms_norm(x, (width,), w, 1e-5).backward(go)
                x.grad = w.grad = None
            both = bench(fb, min_ms=20)
            RESULTS["norm"].append({"rows": rows, "width": width, "fwd_ms": fwd, "fwd_bwd_ms": both})
        except Exception as e:  # noqa: BLE001
            RESULTS["errors"].append(f"norm {rows}x{width}: {e!r}")
    end()
    save()


# -------- the training job: Llama-shaped, eager, one GPU
class Block(torch.nn.Module):
    def __init__(s, d, h, kv, ffn):
        super().__init__()
        s.h, s.kv, s.hd = h, kv, d // h
        s.wq = torch.nn.Linear(d, d, bias=False)
        s.wk = torch.nn.Linear(d, kv * s.hd, bias=False)
        s.wv = torch.nn.Linear(d, kv * s.hd, bias=False)
        s.wo = torch.nn.Linear(d, d, bias=False)
        s.w1 = torch.nn.Linear(d, ffn, bias=False)
        s.w3 = torch.nn.Linear(d, ffn, bias=False)
        s.w2 = torch.nn.Linear(ffn, d, bias=False)
        s.n1 = torch.nn.RMSNorm(d, eps=1e-5)
        s.n2 = torch.nn.RMSNorm(d, eps=1e-5)

    def forward(s, x, freqs):
        b, t, d = x.shape
        y = s.n1(x)
        q = s.wq(y).view(b, t, s.h, s.hd)
        k = s.wk(y).view(b, t, s.kv, s.hd)
        v = s.wv(y).view(b, t, s.kv, s.hd)
        q, k = rope(q, freqs), rope(k, freqs)
        rep = s.h // s.kv
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        o = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        x = x + s.wo(o.transpose(1, 2).reshape(b, t, d))
        y = s.n2(x)
        return x + s.w2(F.silu(s.w1(y)) * s.w3(y))


def rope(x, freqs):
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    return torch.view_as_real(xc * freqs).flatten(3).type_as(x)


class Llama(torch.nn.Module):
    def __init__(s, layers, d, h, kv, ffn, vocab, seq):
        super().__init__()
        s.emb = torch.nn.Embedding(vocab, d)
        s.blocks = torch.nn.ModuleList(Block(d, h, kv, ffn) for _ in range(layers))
        s.norm = torch.nn.RMSNorm(d, eps=1e-5)
        s.out = torch.nn.Linear(d, vocab, bias=False)
        hd = d // h
        inv = 1.0 / (500000.0 ** (torch.arange(0, hd, 2).float() / hd))
        ang = torch.outer(torch.arange(seq).float(), inv)
        s.register_buffer("freqs", torch.polar(torch.ones_like(ang), ang).view(1, seq, 1, hd // 2), persistent=False)

    def forward(s, tok):
        x = s.emb(tok)
        for blk in s.blocks:
            x = blk(x, s.freqs)
        return s.out(s.norm(x))


def run_train(seconds=30.0):
    from torch.nn.attention import SDPBackend, sdpa_kernel
    cfg = dict(layers=8, d=4096, h=32, kv=8, ffn=14336, vocab=128256, seq=4096)
    mbs = 2
    torch.manual_seed(0)
    with torch.device(DEV):
        model = Llama(**cfg)
    nparam = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=1e-5, fused=True)
    tok = torch.randint(0, cfg["vocab"], (mbs, cfg["seq"] + 1), device=DEV)

    def step():
        with torch.autocast("cuda", dtype=torch.bfloat16), sdpa_kernel([SDPBackend.FLASH_ATTENTION]):
            logits = model(tok[:, :-1])
            loss = F.cross_entropy(logits.flatten(0, 1).float(), tok[:, 1:].flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        return loss

    for _ in range(3):
        step()
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    end = phase("train")
    times = []
    t_start = time.time()
    while time.time() - t_start < seconds:
        t0 = time.time()
        loss = step()
        torch.cuda.synchronize()
        times.append(time.time() - t0)
    st = sorted(times)
    tokens = mbs * cfg["seq"]
    layer_flops = 2 * tokens * (2 * cfg["d"] * cfg["d"] + 2 * cfg["d"] * (cfg["d"] // cfg["h"]) * cfg["kv"]
                                + 3 * cfg["d"] * cfg["ffn"]) + 2 * mbs * cfg["h"] * cfg["seq"] ** 2 * (cfg["d"] // cfg["h"])
    model_flops = 3 * (cfg["layers"] * layer_flops + 2 * tokens * cfg["d"] * cfg["vocab"])
    end(config=cfg, mbs=mbs, parameters=nparam, steps=len(times), step_s_median=st[len(st) // 2],
        step_s_min=st[0], step_times=times, loss_last=float(loss.detach()),
        model_tflops_per_s=model_flops / st[len(st) // 2] / 1e12,
        max_allocated_GiB=torch.cuda.max_memory_allocated() / 2**30,
        max_reserved_GiB=torch.cuda.max_memory_reserved() / 2**30)
    del model, opt
    torch.cuda.empty_cache()
    save()


def main():
    if nv is not None:
        threading.Thread(target=sampler, daemon=True).start()
    try:
        subprocess.run(["nvidia-smi", "-q"], stdout=open(os.path.join(OUT, "nvidia_smi.txt"), "w"),
                       stderr=subprocess.STDOUT, timeout=30)
    except Exception as e:  # noqa: BLE001
        RESULTS["errors"].append(f"nvidia-smi: {e!r}")
    machine_info()
    torch.ones(1, device=DEV)
    time.sleep(1.0)
    end = phase("idle")
    time.sleep(5.0)
    end()
    steps = [
        ("gemm_bf16_hot", lambda: hot_loop("gemm_bf16_hot", gemm_fn(8192, 8192, 8192, "nt", "bf16"), 25.0,
                                           flops=2 * 8192.0 ** 3)),
        ("gemm_fp8_hot", lambda: hot_loop("gemm_fp8_hot", gemm_fn(8192, 8192, 8192, "nt", "fp8"), 15.0,
                                          flops=2 * 8192.0 ** 3)),
        ("copy_hot", lambda: copy_hot()),
        ("gemm_sweep", run_gemm_sweep),
        ("attention", run_attention),
        ("norm", run_norm),
        ("train", run_train),
    ]
    for name, f in steps:
        try:
            f()
        except Exception as e:  # noqa: BLE001
            RESULTS["errors"].append(f"{name}: {str(e)[:500]!r}")
            log("ERROR", name, repr(e)[:500])
            PHASE[0] = "between"
        torch.cuda.empty_cache()
        save()
    end = phase("idle_after")
    time.sleep(5.0)
    end()
    STOP.set()
    save()
    summary()


def copy_hot():
    n = 2 * 2**30
    src = torch.empty(n, dtype=torch.uint8, device=DEV).random_()
    dst = torch.empty_like(src)
    hot_loop("copy_hot", lambda i: dst.copy_(src), 10.0, nbytes=2 * n)
    del src, dst


def summary():
    print("\n==== summary ====")
    for k, v in RESULTS["phases"].items():
        print(f"{k:15s} {v.get('seconds', 0):6.1f}s  P={v.get('mean_power_W', float('nan')):6.1f} W  "
              f"sm={v.get('sm_clock_MHz_median', '-')}  first={v.get('first_window', '-')}  "
              f"sust={v.get('sustained_median', '-')}  sustP={v.get('sustained_power_W', '-')}")
    for g in RESULTS["gemm"]:
        print(f"gemm {g['set']:22s} {g['dtype']} {g['layout']} {g['m']:6d} {g['k']:6d} {g['n']:6d} {g['tflops']:7.1f}")
    for a in RESULTS["attention"]:
        print(f"attn {a['backend']:6s} b{a['batch']} h{a['heads']} s{a['seq']} d{a['head_dim']} "
              f"fwd {a['fwd_tflops']:6.1f} bwd {a['bwd_tflops']:6.1f}")
    for n in RESULTS["norm"]:
        print(f"norm {n['rows']}x{n['width']} fwd {n['fwd_ms']:.4f} ms fwd+bwd {n['fwd_bwd_ms']:.4f} ms")
    tr = RESULTS["phases"].get("train", {})
    print("train", {k: v for k, v in tr.items() if k != "step_times"})
    print("errors", RESULTS["errors"])


if __name__ == "__main__":
    main()
