#!/usr/bin/env python3
"""Measured training step times of NVIDIA's MLPerf Training v5.0 results (closed division),
benchmarks llama31_405b and llama2_70b_lora, submitters NVIDIA and IBM+CoreWeave+NVIDIA.

Usage: python3 scripts/mlperf_steps_v50.py GIT_DIR
  GIT_DIR: the git directory of a clone of mlcommons/training_results_v5.0 (its .git, or a
  bare mirror); the result logs are read with `git show HEAD:<path>`; stdlib only.  The rows
  mlperf50-* of validation/train.csv were read at commit 0fdc28f013256aea84fa36fdaf1e0fa46094b18c.

Two kinds of log:
  * per-step ("step" mode): llama31_405b.  Each training step logs
        tracked_stats {"train_step_time": <s>, "reduced_train_loss": ...}
    from the implementation's custom_callbacks.py (DeltaTimingCallback: wall time on rank 0
    between consecutive on_train_batch_end calls).  Validation steps log a separate key
    (validation_step_time) and are ignored.  Per result file: median of train_step_time over
    the training steps after the first 5 (warm-up); then the median over the result files.
  * per-block ("block" mode): llama2_70b_lora.  mlperf_common's LoggingCallback
    (NVIDIA/mlperf-common 09933674, mlperf_common/callbacks/logging.py:217-235) logs once per
    training block (between two evaluations)
        tracked_stats {"throughput": samples/s, "train_step_time": block time / block steps,
                       "max_memory_usage": GiB}
    There is no per-step time.  Per result file: median over its blocks' train_step_time
    (the last block's, as the AMD v5.1 rows take, is printed beside it); then the median over
    the result files.  The synthetic-data warm-up runs before run_start and is not in these
    figures.

tokens/s per GPU = gbs * seq / (step_time * gpus).
"""
import json
import os
import re
import statistics
import sys

if len(sys.argv) != 2:
    sys.exit("usage: python3 scripts/mlperf_steps_v50.py GIT_DIR (of a clone of mlcommons/training_results_v5.0)")
MIRROR = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlperf_logs  # noqa: E402  (beside this script)
mllog = mlperf_logs.mllog


def git(*args):
    return mlperf_logs.git(MIRROR, *args)
BENCHES = ("llama31_405b", "llama2_70b_lora")
SUBMITTERS = ("NVIDIA", "IBM+CoreWeave+NVIDIA")
WARMUP_STEPS = 5
# llama2_70b_lora logs no sequence length: conf/megatron_gpt_peft_tuning_config.yaml:29-30
# (encoder_seq_length: MAX_SEQLEN, default 8192; no config sets MAX_SEQLEN), the packed
# GovReport sequences (train.py: PackedSequenceSpecs(packed_sequence_size=encoder_seq_length)).
LORA_SEQ = 8192






def parse_result(path):
    ev = list(mllog(git("show", "HEAD:" + path)))
    out = {"gbs": None, "seq": None, "platform": None, "status": None,
           "steps": [], "blocks": [], "block_tput": [], "bench": None, "ga": None}
    for e in ev:
        k, v, md = e.get("key"), e.get("value"), e.get("metadata") or {}
        if k == "global_batch_size":
            out["gbs"] = v
        elif k == "max_sequence_length":
            out["seq"] = v
        elif k == "gradient_accumulation_steps":
            out["ga"] = v
        elif k == "submission_platform":
            out["platform"] = v
        elif k == "submission_benchmark":
            out["bench"] = v
        elif k == "run_stop":
            out["status"] = md.get("status")
        elif k == "tracked_stats" and isinstance(v, dict) and "train_step_time" in v:
            if "throughput" in v:          # mlperf_common per-block figure
                out["blocks"].append(float(v["train_step_time"]))
                out["block_tput"].append(float(v["throughput"]))
            else:                          # per-step figure
                out["steps"].append(float(v["train_step_time"]))
    return out


def gpus_of(submitter, system):
    js = json.loads(git("show", f"HEAD:{submitter}/systems/{system}.json"))
    return (int(js["number_of_nodes"]) * int(js["accelerators_per_node"]),
            js["system_name"], js["accelerator_model_name"])


def main():
    commit = git("rev-parse", "HEAD").strip()
    print(f"mlcommons/training_results_v5.0 commit {commit}")
    print(f"warm-up steps skipped per result file (per-step logs): {WARMUP_STEPS}")
    print()
    rows = []
    for sub in SUBMITTERS:
        systems = git("ls-tree", "-d", "--name-only", "HEAD", f"{sub}/results/").split()
        for sysdir in sorted(systems):
            system = sysdir.rsplit("/", 1)[1]
            for bench in BENCHES:
                files = [p for p in git("ls-tree", "--name-only", "HEAD",
                                        f"{sysdir}/{bench}/").split()
                         if re.search(r"/result_\d+\.txt$", p)]
                if not files:
                    continue
                files.sort(key=lambda p: int(re.search(r"result_(\d+)", p).group(1)))
                gpus, sysname, acc = gpus_of(sub, system)
                per_run, per_run_last, per_run_tput = [], [], []
                mode, gbs, seq, plat, nsteps, stat = None, set(), set(), set(), [], []
                for p in files:
                    r = parse_result(p)
                    gbs.add(r["gbs"]); plat.add(r["platform"]); stat.append(r["status"])
                    if r["steps"]:
                        mode = "step"
                        s = r["steps"][WARMUP_STEPS:]
                        nsteps.append(len(s))
                        per_run.append(statistics.median(s))
                        seq.add(r["seq"])
                    elif r["blocks"]:
                        mode = "block"
                        nsteps.append(len(r["blocks"]))
                        per_run.append(statistics.median(r["blocks"]))
                        per_run_last.append(r["blocks"][-1])
                        per_run_tput.append(statistics.median(r["block_tput"]))
                        seq.add(r["seq"] if r["seq"] else LORA_SEQ)
                    else:
                        print(f"  {p}: no train_step_time", file=sys.stderr)
                assert len(gbs) == 1 and len(seq) == 1, (sysdir, bench, gbs, seq)
                g, sq = gbs.pop(), seq.pop()
                st = statistics.median(per_run)
                tok = g * sq / (st * gpus)
                print(f"== {sysdir}/{bench}  ({len(files)} result files: "
                      f"{os.path.basename(files[0])} ... {os.path.basename(files[-1])})")
                print(f"   system: {sysname}; accelerator {acc}; GPUs {gpus}; "
                      f"log submission_platform {sorted(plat)}")
                print(f"   gbs {g}  seq {sq}  gradient_accumulation_steps(log) "
                      f"{r['ga']}  run_stop status {stat}")
                if mode == "step":
                    print(f"   per-step train_step_time: training steps used per file "
                          f"(after {WARMUP_STEPS}) {nsteps}")
                else:
                    print(f"   per-block train_step_time: blocks per file {nsteps}")
                print("   per-file median step time (s): "
                      + ", ".join(f"{x:.4f}" for x in per_run))
                if mode == "block":
                    print("   per-file last-block step time (s): "
                          + ", ".join(f"{x:.4f}" for x in per_run_last))
                    lst = statistics.median(per_run_last)
                    tp = statistics.median(per_run_tput)
                    print(f"   alt: median of last blocks {lst:.4f} s -> "
                          f"{g * sq / (lst * gpus):.1f} tok/s/GPU; median block throughput "
                          f"{tp:.4f} samples/s -> {tp * sq / gpus:.1f} tok/s/GPU")
                print(f"   STEP TIME (median over files) {st:.4f} s   "
                      f"spread {min(per_run):.4f}..{max(per_run):.4f}")
                print(f"   TOKENS/S/GPU = {g}*{sq}/({st:.4f}*{gpus}) = {tok:.1f}")
                print()
                rows.append((sysdir, bench, gpus, g, sq, st, tok, mode, len(files)))
    print("summary: dir | bench | gpus | gbs | seq | step_s | tokens/s/GPU | mode | files")
    for r in rows:
        print(f"{r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.4f} | {r[6]:.1f} | "
              f"{r[7]} | {r[8]}")


if __name__ == "__main__":
    main()
