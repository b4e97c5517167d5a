#!/usr/bin/env python3
"""Step times of NVIDIA's MLPerf Training v5.1 closed-division LLM results.

Usage: python3 scripts/mlperf_steps_v51.py GIT_DIR
  GIT_DIR: the git directory of a clone of mlcommons/training_results_v5.1 (its .git, or a
  bare mirror), read with `git show HEAD:...`; the rows mlperf51-nv-* of
  validation/train.csv were read at commit 441d65f4445cd59687466533fd9f55399136e7a4.

Stdlib only.  For every NVIDIA/results/<system>/<bench>/ directory of the three
LLM benchmarks (llama31_405b, llama31_8b, llama2_70b_lora) it

 1. reads the launch config named by the submission's README
    (NVIDIA/benchmarks/<bench>/implementations/<system>/README-<system>.md),
    follows its `source` lines and prints the effective value of every exported
    variable it needs with the file:line that set it last;
 2. checks the config against the MLLOG hyperparameters of every result file
    (global_batch_size, gradient_accumulation_steps, max steps, base LR, nodes);
 3. measures the step time:
    - llama31_405b / llama31_8b: the per-step `train_step_time` tracked_stats of
      /workspace/llm/custom_callbacks.py:480 (DeltaTimingCallback: host wall time
      between consecutive on_train_batch_end calls; every step for 405b, every
      32nd step for 8b, LOG_EVERY_N_STEPS=32).  Training steps only (the eval
      steps log `validation_step_time`, not used); steps 0-4 dropped (warm-up);
      median per file, then median over the files.  The per-block
      `train_step_time` of mlperf_common logging.py:210 (no `step` field) is
      printed as a cross-check only.
    - llama2_70b_lora: the logs have no per-step time; the only timing figure is
      the per-block `train_step_time` of mlperf_common logging.py:210 (block wall
      time / steps in the block; checked here against the block_start and
      block_stop timestamps).  Median over blocks per file, then over files.
      For the fp4 configs (HEALING_ITER set) only blocks that end before the
      NVFP4 -> FP8 switch are used (custom_callbacks.py:285 switches after
      global_step HEALING_ITER-1); the FP8 phase is printed separately from the
      10-step `train_loss` timestamps.
 4. prints tokens/s per GPU = gbs * seq / (step_time * gpus).
"""
import json
import os
import re
import statistics
import sys

if len(sys.argv) != 2:
    sys.exit("usage: python3 scripts/mlperf_steps_v51.py GIT_DIR (of a clone of mlcommons/training_results_v5.1)")
MIRROR = sys.argv[1]
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlperf_logs  # noqa: E402  (beside this script)
mllog = mlperf_logs.mllog
ival = mlperf_logs.ival
loss_intervals = mlperf_logs.loss_intervals
hp = mlperf_logs.hp


REPO = mlperf_logs.Repo(MIRROR)
show = REPO.show
per_step_times = mlperf_logs.per_step_times
block_times = mlperf_logs.block_times
BENCHES = ("llama31_405b", "llama31_8b", "llama2_70b_lora")
WARMUP_STEPS = 5


def resolve_config(path):
    return mlperf_logs.resolve_config(REPO, path)


def readme_config(bench, system):
    p = "NVIDIA/benchmarks/%s/implementations/%s/README-%s.md" % (bench, system, system)
    m = re.search(r"`benchmarks/([^`]+\.sh)`", show(p))
    return p, "NVIDIA/benchmarks/" + m.group(1)


KEYS = ["DGXNNODES", "DGXNGPU", "MINIBS", "MICRO_BATCH_SIZE", "MBS", "TENSOR_MODEL_PARALLEL", "TP",
        "PIPELINE_MODEL_PARALLEL", "PP", "INTERLEAVED_PIPELINE", "CONTEXT_PARALLEL", "CP", "SEQ_PARALLEL", "SP",
        "MAX_STEPS", "LR", "FP8", "FP8_RECIPE", "FP8_HYBRID", "FP8_AMAX_HISTORY", "FP8_AMAX_ALGO", "FP4",
        "FP4_RECIPE", "FP4_PARAM", "FP8_DPA", "NVTE_DPA_FP8_RECIPE", "NVTE_NVFP4_DISABLE_RHT",
        "NVTE_NVFP4_DISABLE_STOCHASTIC_ROUNDING", "NVTE_NVFP4_DISABLE_2D_QUANTIZATION",
        "FIRST_LAST_LAYERS_BF16", "NUM_LAYERS_AT_START_IN_BF16", "NUM_LAYERS_AT_END_IN_BF16", "HEALING_ITER",
        "HEALING_PRECISION", "TP_COMM_OVERLAP", "USE_DIST_OPTIMIZER", "OVERLAP_GRAD_REDUCE", "OVERLAP_PARAM_GATHER",
        "FP8_PARAM_GATHER", "FULL_CUDA_GRAPH", "MCORE_CUDA_GRAPH", "ACT_CKPT_GRANULARITY", "RECOMPUTE_GRANULARITY",
        "CPU_OFFLOADING", "ASYM_PP_EMBED", "ASYM_PP_LOSS", "OVERLAP_P2P_COMM", "USE_TE_OPS", "FUSED_QKV_ROPE",
        "FUSED_SINGLE_QKV_ROPE", "CP_COMM_TYPE", "WARMUP", "WARMUP_TRAIN_STEPS"]


def main():
    commit = REPO.commit
    print("mirror %s\ncommit %s\n" % (MIRROR, commit))
    summary = []
    for system in REPO.ls("NVIDIA/results"):
        system = system.rsplit("/", 1)[1]
        for bench in BENCHES:
            rdir = "NVIDIA/results/%s/%s" % (system, bench)
            files = mlperf_logs.result_files(REPO, rdir)
            if not files:
                continue
            sysjson = json.loads(show("NVIDIA/systems/%s.json" % system))
            readme, cfg = readme_config(bench, system)
            env, origin = resolve_config(cfg)
            gpus = int(re.search(r"ngpu(\d+)", system).group(1))
            nodes, gpn = ival(env, "DGXNNODES"), ival(env, "DGXNGPU")
            lora = bench == "llama2_70b_lora"
            tp = ival(env, "TENSOR_MODEL_PARALLEL", "TP", default=1)
            pp = ival(env, "PIPELINE_MODEL_PARALLEL", "PP", default=1)
            cp = ival(env, "CONTEXT_PARALLEL", "CP", default=1)
            mbs = ival(env, "MICRO_BATCH_SIZE", "MBS", default=1)
            minibs = ival(env, "MINIBS")
            # GBS: 405b/8b conf/custom.yaml:72 MINIBS * (gpus // (tp*pp*cp));
            # LoRA conf/megatron_gpt_peft_tuning_config.yaml:25 MINIBS * (gpus // (tp*pp)) // cp
            gbs_cfg = minibs * (gpus // (tp * pp)) // cp if lora else minibs * (gpus // (tp * pp * cp))
            healing = ival(env, "HEALING_ITER", default=0) if lora else 0
            print("=" * 100)
            print("%s  (%s, %s x %s accelerators/node = %d GPUs by systems JSON)" % (
                rdir, sysjson["system_name"], sysjson["number_of_nodes"], sysjson["accelerators_per_node"],
                int(sysjson["number_of_nodes"]) * int(sysjson["accelerators_per_node"])))
            print("  config (from %s): %s" % (readme, cfg))
            for k in KEYS:
                if k in env or k in origin:
                    print("    %-40s = %-22s %s" % (k, env.get(k, "<unset>"), origin[k]))
            print("  config: nodes*gpn=%d (dir says %d); tp=%d pp=%d cp=%d mbs=%d MINIBS=%d -> dp=%d gbs=%d" % (
                nodes * gpn, gpus, tp, pp, cp, mbs, minibs, gpus // (tp * pp * cp), gbs_cfg))
            medians, fp8_phase, lines, xcheck = [], [], [], []
            seqs, gbss = set(), set()
            for f in files:
                ev = mllog(show(f))
                gbs = hp(ev, "global_batch_size")
                seq = hp(ev, "max_sequence_length") or 8192  # LoRA logs no seq: packed 8192 (yaml:29-30 MAX_SEQLEN)
                ga = hp(ev, "gradient_accumulation_steps")
                maxs = hp(ev, "max_steps") if not lora else hp(ev, "opt_learning_rate_training_steps")
                lr = hp(ev, "opt_base_learning_rate")
                plat = hp(ev, "submission_platform")
                seqs.add(seq)
                gbss.add(gbs)
                checks = []
                checks.append("gbs %s%s" % (gbs, "==cfg" if gbs == gbs_cfg else "!=cfg %d" % gbs_cfg))
                ga_cfg = (minibs / mbs) if not lora else gbs_cfg // (gpus // (tp * pp * cp)) // mbs
                checks.append("ga %s%s" % (ga, "==cfg" if float(ga) == float(ga_cfg) else "!=cfg %s" % ga_cfg))
                if "MAX_STEPS" in env:
                    checks.append("max_steps %s%s" % (maxs, "==cfg" if str(maxs) == env["MAX_STEPS"] else
                                                      "!=cfg %s" % env["MAX_STEPS"]))
                if "LR" in env:
                    checks.append("lr %s%s" % (lr, "==cfg" if abs(float(lr) - float(env["LR"])) < 1e-12 else
                                               "!=cfg %s" % env["LR"]))
                checks.append("platform '%s'" % plat)
                blocks = block_times(ev)
                if not lora:
                    st = per_step_times(ev)
                    used = [t for s, t in st if s >= WARMUP_STEPS]
                    med = statistics.median(used)
                    bl = [b[2] for b in blocks]
                    xcheck.append(statistics.median(bl))
                    lines.append("  %s: %s | per-step entries %d (steps %d..%d), used %d (step>=%d): median %.5f s"
                                 " [min %.4f max %.4f]; block means %s" % (
                                     f.rsplit("/", 1)[1], ", ".join(checks), len(st), st[0][0], st[-1][0], len(used),
                                     WARMUP_STEPS, med, min(used), max(used),
                                     " ".join("%.4f" % x for x in bl)))
                else:
                    dev = max(abs(b[2] - b[3]) / b[2] for b in blocks)
                    if healing:
                        # custom_callbacks.py:285: switch after the batch at global_step HEALING_ITER-1 ends,
                        # so batches 0..HEALING_ITER-2 are NVFP4 and block_stop step <= HEALING_ITER-1 is pure.
                        used_b = [b for b in blocks if b[1] <= healing - 1]
                    else:
                        used_b = blocks
                    med = statistics.median(b[2] for b in used_b)
                    li = loss_intervals(ev)
                    li_fp4 = [x[2] for x in li if x[0] >= WARMUP_STEPS and (not healing or x[1] <= healing - 2)]
                    li_fp8 = [x[2] for x in li if healing and x[0] >= healing]
                    fp8_phase += li_fp8
                    xcheck.append(statistics.median(li_fp4))
                    lines.append("  %s: %s | blocks %s; used %d blocks%s: median %.5f s; logged vs timestamps max"
                                 " rel diff %.1e; 10-step train_loss intervals (steps>=%d%s): median %.5f s%s" % (
                                     f.rsplit("/", 1)[1], ", ".join(checks),
                                     " ".join("[%d-%d]%.4f" % (b[0], b[1], b[2]) for b in blocks), len(used_b),
                                     " (stop step <= %d, NVFP4 phase)" % (healing - 1) if healing else "", med, dev,
                                     WARMUP_STEPS, ", NVFP4 phase" if healing else "", statistics.median(li_fp4),
                                     "; FP8 phase (batches >= %d): %d intervals, median %.4f s" % (
                                         healing, len(li_fp8), statistics.median(li_fp8)) if li_fp8 else
                                     ("; FP8 phase: not reached" if healing else "")))
                medians.append(med)
            for l in lines:
                print(l)
            step = statistics.median(medians)
            assert len(seqs) == 1 and len(gbss) == 1, (seqs, gbss)
            seq, gbs = seqs.pop(), gbss.pop()
            tps = gbs * seq / (step * gpus)
            print("  => %d files; per-file medians %s" % (len(files), " ".join("%.5f" % m for m in medians)))
            print("  => step_time %.5f s  gbs %d  seq %d  gpus %d  tokens/s/GPU %.1f" % (step, gbs, seq, gpus, tps))
            xc = statistics.median(xcheck)
            print("  => cross-check (%s): median over runs %.5f s (%+.1f%% against the row's figure)" % (
                "10-step train_loss timestamp intervals, steps>=5" + (", NVFP4 phase" if healing else "")
                if lora else "per-block means, mlperf_common logging.py:210", xc, 100 * (xc / step - 1)))
            if fp8_phase:
                s8 = statistics.median(fp8_phase)
                print("  => (not a row) FP8 healing phase, all files: median %.4f s/step -> %.1f tokens/s/GPU" % (
                    s8, gbs * seq / (s8 * gpus)))
            summary.append((rdir, len(files), step, gbs, seq, gpus, tps, cfg.rsplit("/", 1)[1]))
    print("\nSUMMARY (commit %s)" % commit)
    print("%-52s %5s %10s %6s %6s %6s %12s  %s" % ("result dir", "files", "step_s", "gbs", "seq", "gpus",
                                                   "tok/s/GPU", "config"))
    for r in summary:
        print("%-52s %5d %10.5f %6d %6d %6d %12.1f  %s" % r)


if __name__ == "__main__":
    main()
