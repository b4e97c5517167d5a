#!/usr/bin/env python3
"""Step times of partner (non-NVIDIA) MLPerf Training submissions that ran NVIDIA's NeMo
reference implementation on NVIDIA GPUs: v5.1 Dell and Lenovo B200/B300 (llama2_70b_lora,
llama31_8b), v5.0 Oracle, Lenovo, Dell and Lambda B200 (llama2_70b_lora) and v5.0 Nebius H200
(llama31_405b); and GB200/GB300 NVL72 ones: v5.0 Oracle BM.GPU.GB200.4 (1, 2, 18 trays) and
Supermicro ARS-121GL-NBO_18 (llama2_70b_lora), v5.1 Lambda gb300_n18 (llama2_70b_lora; its llama31_8b
config only sources a file absent from its directory, so it is printed as skipped).  Not in the list:
v5.0 Dell XE9712x4GB200 llama2_70b_lora (no LoRA launch config in Dell/benchmarks).

Usage: python3 scripts/mlperf_steps_partners.py GIT_DIR_V51 GIT_DIR_V50 [--json OUT.json]
  GIT_DIR_V51, GIT_DIR_V50: the git directories of clones of mlcommons/training_results_v5.1
  and mlcommons/training_results_v5.0 (their .git, or bare mirrors), read with
  `git show HEAD:...`; the rows mlperf51-<submitter>-* and mlperf50-<submitter>-* of
  validation/train.csv were read at v5.1 commit 441d65f4445cd59687466533fd9f55399136e7a4 and v5.0 commit
  0fdc28f013256aea84fa36fdaf1e0fa46094b18c.  --json writes the figures for a row builder.
  Stdlib only; the log reading is scripts/mlperf_logs.py's.

The partners' result directories name no launch config (NVIDIA's v5.1 READMEs do); the
config of each submission below (SUBMISSIONS) was chosen by the system's name among its
implementation directory's config_*.sh (v5.0: the directory's only launch file; Lenovo v5.1:
its one config_SR780aV3_SR680aV3_SR680aV4.sh) and is checked here against every result log.
Where the name-matched file contradicts the logs another is named (comments in SUBMISSIONS: Dell
XE9780 B300 LoRA, whose logged LR is config_DGXB300_1x8x1xtp1pp1cp1.sh's; Dell XE9780 B200 LoRA,
whose results-directory config_X780x8B200-SXM-180G_1x8x1xtp1pp1cp1.sh the logs contradict).
A result file without run_stop (an interrupted run) is left out, and a listed file whose blob
the copy lacks is reported (Dell 2xXE9685Lx8B200 llama2_70b_lora: all ten absent in the mirror
used, so no figure).  Not in the list: Lenovo SR680aV4-8xB300 llama2_70b_lora (no result files,
only scaling.json).  For each submission it

 1. follows the config's `source` lines and prints the effective value of every exported
    variable it needs with the file:line that set it last (paths relative to the
    benchmark directory);
 2. prints whether the shared implementation files (config_common*.sh, train.py /
    pretrain.py, conf/*.yaml) are the same git blobs as NVIDIA's in the same round, so that
    the NVIDIA rows' line citations carry over;
 3. checks the config against the MLLOG hyperparameters of every result file (GPUs,
    global_batch_size, gradient_accumulation_steps, max steps, base LR, platform);
 4. measures the step time as scripts/mlperf_steps_v50.py / _v51.py do:
    - llama31_405b, llama31_8b: the per-step tracked_stats train_step_time
      (DeltaTimingCallback of the implementation's custom_callbacks.py), training steps
      only, steps 0-4 dropped (by the `step` field when logged, else by position), median
      per file, then median over the files;
    - llama2_70b_lora: the per-block tracked_stats train_step_time of mlperf_common's
      LoggingCallback (block wall time / block steps), median over blocks per file, then
      median over files; with HEALING_ITER set (NVFP4 -> fp8 switch) only the blocks that
      end by step HEALING_ITER-1 are used, and the fp8 phase is printed from the 10-step
      train_loss timestamps;
 5. prints tokens/s per GPU = gbs * seq / (step_time * gpus).
"""
import json
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlperf_logs  # noqa: E402  (beside this script)
mllog = mlperf_logs.mllog
hp = mlperf_logs.hp
ival = mlperf_logs.ival
loss_intervals = mlperf_logs.loss_intervals
Repo = mlperf_logs.Repo
resolve_config = mlperf_logs.resolve_config
per_step_times = mlperf_logs.per_step_times
block_times = mlperf_logs.block_times

WARMUP_STEPS = 5
V51, V50 = "v5.1", "v5.0"
L1 = "llama2_70b_lora/implementations/nemo/"
E1 = "llama31_8b/implementations/nemo/"
# (round, submitter, results system dir, benchmark, launch config (path in the repository), catalog system)
SUBMISSIONS = [
    (V51, "Dell", "1xXE9680Lx8B200-SXM-180GB", "llama2_70b_lora",
     "Dell/benchmarks/" + L1 + "config_1xXE9680Lx8B200-SXM-180GB.sh", "hgx-b200"),
    (V51, "Dell", "2xXE9680Lx8B200-SXM-180GB", "llama2_70b_lora",
     "Dell/benchmarks/" + L1 + "config_2xXE9680Lx8B200-SXM-180GB_2x8x1xtp1pp1cp1.sh", "hgx-b200"),
    (V51, "Dell", "1xXE9685Lx8B200-SXM-180GB", "llama2_70b_lora",
     "Dell/benchmarks/" + L1 + "config_XE9685Lx8B200-SXM-180GB_1x8x1xtp1pp1cp1.sh", "hgx-b200"),
    (V51, "Dell", "2xXE9685Lx8B200-SXM-180GB", "llama2_70b_lora",
     "Dell/benchmarks/" + L1 + "config_XE9685Lx8B200-SXM-180GB_2x8x1xtp1pp1cp1.sh", "hgx-b200"),
    (V51, "Dell", "1xXE9780x8B200-SXM-180GB", "llama2_70b_lora",
     # not the config_X780x8B200-SXM-180G_1x8x1xtp1pp1cp1.sh in its results directory (MINIBS 2, LR 0.0005,
     # 896 steps: the logs say global_batch_size 8, LR 0.00055, 800 steps)
     "Dell/benchmarks/" + L1 + "config_XE9780x8B200-SXM-180GB_1x8x1xtp1pp1cp1.sh", "hgx-b200"),
    (V51, "Dell", "1xXE9780x8B300-SXM-270GB", "llama2_70b_lora",
     # config_DGXB300_1x8x1xtp1pp1cp1.sh, not config_XE9780x8B300-SXM-270GB_1x8x1xtp1pp1cp1.sh, whose
     # LR 0.00055 (l.7) the logs contradict (opt_base_learning_rate 0.0005)
     "Dell/benchmarks/" + L1 + "config_DGXB300_1x8x1xtp1pp1cp1.sh", "hgx-b300"),
    (V51, "Lenovo", "SR680aV3-8xB200_SXM_180GB", "llama2_70b_lora",
     "Lenovo/benchmarks/llama2_70b_lora/config_SR780aV3_SR680aV3_SR680aV4.sh", "hgx-b200"),
    (V51, "Lenovo", "SR780aV3-8xB200_SXM_180GB", "llama2_70b_lora",
     "Lenovo/benchmarks/llama2_70b_lora/config_SR780aV3_SR680aV3_SR680aV4.sh", "hgx-b200"),
    (V51, "Dell", "1xXE9680Lx8B200-SXM-180GB", "llama31_8b",
     "Dell/benchmarks/" + E1 + "config_1xXE9680Lx8B200-SXM-180GB.sh", "hgx-b200"),
    (V51, "Dell", "2xXE9680Lx8B200-SXM-180GB", "llama31_8b",
     "Dell/benchmarks/" + E1 + "config_2xXE9680Lx8B200-SXM-180GB_2x8x2xtp1pp1cp1_8b.sh", "hgx-b200"),
    (V51, "Dell", "2xXE9685Lx8B200-SXM-180GB", "llama31_8b",
     "Dell/benchmarks/" + E1 + "config_XE9685Lx8B200-SXM-180GB_2x8x2xtp1pp1cp1.sh", "hgx-b200"),
    (V51, "Dell", "1xXE9780x8B300-SXM-270GB", "llama31_8b",
     "Dell/benchmarks/" + E1 + "config_XE9780x8B300-SXM-270GB_1x8x2xtp1pp1cp1_8b.sh", "hgx-b300"),
    (V51, "Lenovo", "SR680aV3-8xB200_SXM_180GB", "llama31_8b",
     "Lenovo/benchmarks/llama31_8b/config_SR780aV3_SR680aV3_SR680aV4.sh", "hgx-b200"),
    (V51, "Lenovo", "SR780aV3-8xB200_SXM_180GB", "llama31_8b",
     "Lenovo/benchmarks/llama31_8b/config_SR780aV3_SR680aV3_SR680aV4.sh", "hgx-b200"),
    # printed, not a row: every log of this B300 system names the platform
    # 1xSR780aV3-8xB200_SXM_180GB, a B200 system (validation/SOURCES.md, section 21)
    (V51, "Lenovo", "SR680aV4-8xB300_SXM", "llama31_8b",
     "Lenovo/benchmarks/llama31_8b/config_SR780aV3_SR680aV3_SR680aV4.sh", "hgx-b300"),
    (V50, "Oracle", "1xBM.GPU.B200.8", "llama2_70b_lora",
     "Oracle/benchmarks/llama2_70b_lora/implementations/1xBM.GPU.B200.8/config_DGXB200_1x8x1xtp1pp1cp1.sh",
     "hgx-b200"),
    (V50, "Oracle", "8xBM.GPU.B200.8", "llama2_70b_lora",
     "Oracle/benchmarks/llama2_70b_lora/implementations/8xBM.GPU.B200.8/config_DGXB200_8x8x1xtp1pp1cp8.sh",
     "hgx-b200"),
    (V50, "Lenovo", "SR780aV3-8xB200_SXM_180GB", "llama2_70b_lora",
     "Lenovo/benchmarks/llama2_70b_lora/config_DGXB200_1x8x1xtp1pp1cp1.sh", "hgx-b200"),
    (V50, "Dell", "1xXE9680Lx8B200-SXM-180GB", "llama2_70b_lora",
     "Dell/benchmarks/llama2_70b_lora/implementations/nemo/config_XE9680L_B200.sh", "hgx-b200"),
    (V50, "Lambda", "1cc_b200_n1_ngc25.04_nemo", "llama2_70b_lora",
     "Lambda/benchmarks/llama2_70b_lora/implementations/1cc_b200_0416/config_1ccB200_1x8x1xtp1pp1cp1.sh",
     "hgx-b200"),
    (V50, "Nebius", "nebius_soperator_8xH200_n64_ngc25.01_nemo", "llama31_405b",
     "Nebius/benchmarks/llama31_405b/implementations/nebius_soperator_8xH200_n64_ngc25.01_nemo/"
     "config_DGXH200_64x8x144xtp4pp8cp2.sh", "hgx-h200"),
    (V50, "Nebius", "nebius_soperator_8xH200_n128_ngc25.01_nemo", "llama31_405b",
     "Nebius/benchmarks/llama31_405b/implementations/nebius_soperator_8xH200_n128_ngc25.01_nemo/"
     "config_DGXH200_128x8x72xtp4pp8cp2.sh", "hgx-h200"),
    # GB200 / GB300 NVL72 (4-GPU trays); configs named by the implementation directory of the system
    (V50, "Oracle", "1xBM.GPU.GB200.4", "llama2_70b_lora",
     "Oracle/benchmarks/llama2_70b_lora/implementations/1xBM.GPU.GB200.4/config_GB200_1x4x4xtp1pp1cp2.sh",
     "gb200-nvl72"),
    (V50, "Oracle", "2xBM.GPU.GB200.4", "llama2_70b_lora",
     "Oracle/benchmarks/llama2_70b_lora/implementations/2xBM.GPU.GB200.4/config_GB200_2x4x1xtp1pp1cp1.sh",
     "gb200-nvl72"),
    (V50, "Oracle", "18xBM.GPU.GB200.4", "llama2_70b_lora",
     "Oracle/benchmarks/llama2_70b_lora/implementations/18xBM.GPU.GB200.4/config_GB200_18x4x1xtp1pp1cp8.sh",
     "gb200-nvl72"),
    # implementations/ARS-121GL-NBO_18/README.md points to b200_nemo
    (V50, "Supermicro", "ARS-121GL-NBO_18", "llama2_70b_lora",
     "Supermicro/benchmarks/llama2_70b_lora/implementations/b200_nemo/config_ARS-121GL-NBO_18x4x1xtp1pp1cp8.sh",
     "gb200-nvl72"),
    (V51, "Lambda", "gb300_n18_ngc25.04_nemo", "llama2_70b_lora",
     "Lambda/benchmarks/llama2_70b_lora/implementations/gb300_1007/config_GB300_18x4x1xtp1pp1cp8.sh",
     "gb300-nvl72"),
    (V51, "Lambda", "gb300_n18_ngc25.04_nemo", "llama31_8b",
     "Lambda/benchmarks/llama31_8b/implementations/gb300_0922/config_GB300_18x4x1xtp1pp1cp2_8b.sh",
     "gb300-nvl72"),
]
# NVIDIA's implementation directory of each round and benchmark (blob comparison)
NV_IMPL = {
    (V51, "llama2_70b_lora"): "NVIDIA/benchmarks/llama2_70b_lora/implementations/nemo/",
    (V51, "llama31_8b"): "NVIDIA/benchmarks/llama31_8b/implementations/nemo/",
    (V50, "llama2_70b_lora"): "NVIDIA/benchmarks/llama2_70b_lora/implementations/nyx_n1_ngc25.04_nemo/",
    (V50, "llama31_405b"): "NVIDIA/benchmarks/llama31_405b/implementations/eos-dfw_n64_ngc25.01_nemo/",
}
SHARED = {"llama2_70b_lora": ["config_common.sh", "config_common_fp4.sh", "train.py", "custom_llama.py",
                              "custom_callbacks.py", "conf/megatron_gpt_peft_tuning_config.yaml",
                              "requirements.txt", "Dockerfile"],
          "llama31_8b": ["config_common.sh", "config_common_8b.sh", "config_common_cg.sh",
                         "config_common_fp4.sh", "config_common_fp8attn.sh", "pretrain.py",
                         "custom_callbacks.py", "conf/custom.yaml", "Dockerfile"],
          "llama31_405b": ["config_common.sh", "pretrain.py", "custom_callbacks.py", "conf/custom.yaml",
                           "Dockerfile"]}

KEYS = ["DGXNNODES", "DGXNGPU", "MINIBS", "MICRO_BATCH_SIZE", "MBS", "TENSOR_MODEL_PARALLEL", "TP",
        "PIPELINE_MODEL_PARALLEL", "PP", "INTERLEAVED_PIPELINE", "CONTEXT_PARALLEL", "CP", "SEQ_PARALLEL", "SP",
        "MAX_STEPS", "LR", "FP8", "FP8_RECIPE", "FP8_HYBRID", "FP8_AMAX_HISTORY", "FP8_AMAX_ALGO", "FP8_ACT",
        "FP8_PARAMS", "FP4", "FP4_RECIPE", "FP4_PARAM", "FP8_DPA", "NVTE_FP8_DPA_BWD", "NVTE_DPA_FP8_RECIPE",
        "NVTE_NVFP4_DISABLE_RHT", "NVTE_NVFP4_DISABLE_STOCHASTIC_ROUNDING", "NVTE_NVFP4_DISABLE_2D_QUANTIZATION",
        "PRE_QUANTIZED_MODEL", "FIRST_LAST_LAYERS_BF16", "NUM_LAYERS_AT_START_IN_BF16",
        "NUM_LAYERS_AT_END_IN_BF16", "HEALING_ITER", "HEALING_PRECISION", "TP_COMM_OVERLAP",
        "MC_TP_OVERLAP_AG", "MC_TP_OVERLAP_RS", "USE_DIST_OPTIMIZER", "USE_DISTRIBUTED_OPTIMIZER",
        "OVERLAP_GRAD_REDUCE", "OVERLAP_PARAM_GATHER", "FP8_PARAM_GATHER", "FULL_CUDA_GRAPH",
        "MCORE_CUDA_GRAPH", "LAYER_CUDA_GRAPH", "ACT_CKPT_GRANULARITY", "RECOMPUTE_GRANULARITY",
        "ACT_CKPT_METHOD", "ACT_CKPT_NUM_LAYERS", "CPU_OFFLOADING", "ASYM_PP_EMBED", "ASYM_PP_LOSS",
        "OVERLAP_P2P_COMM", "USE_TE_OPS", "FUSED_QKV_ROPE", "FUSED_SINGLE_QKV_ROPE", "CE_FUSION_IMPL",
        "CP_COMM_TYPE", "MAX_SEQLEN", "LORA_DROPOUT", "WARMUP", "WARMUP_TRAIN_STEPS", "LOG_EVERY_N_STEPS",
        "NCCL_NVLS_ENABLE", "SEGMENT", "TP_PP_DP_MAPPING", "NVTE_FUSED_ATTN", "NVTE_FLASH_ATTN"]


def run_one(repo, rnd, sub, system, bench, cfg, catalog):
    rdir = "%s/results/%s/%s" % (sub, system, bench)
    files = mlperf_logs.result_files(repo, rdir)
    print("=" * 100)
    print("%s %s  [%s]" % (rnd, rdir, catalog))
    absent = [f for f in files if not repo.readable(f)]
    if absent:
        print("  %d of %d result files listed but absent from this copy (blobs missing): %s" % (
            len(absent), len(files), " ".join(f.rsplit("/", 1)[1] for f in absent)))
        files = [f for f in files if f not in absent]
    if not files:
        print("  no readable result files: skipped")
        return None
    sysjson, sys_gpus = mlperf_logs.system_json(repo, sub, system)
    print("  system JSON: '%s', %s nodes x %s %s; interconnect %s" % (
        sysjson.get("system_name"), sysjson["number_of_nodes"], sysjson["accelerators_per_node"],
        sysjson.get("accelerator_model_name"), sysjson.get("accelerator_interconnect")))
    print("    host networking: %s | %s" % (sysjson.get("host_networking"), sysjson.get("host_networking_topology")))
    print("    framework: %s" % sysjson.get("framework"))
    env, origin = resolve_config(repo, cfg)
    print("  config: %s" % cfg)
    for k in KEYS + ["<missing source>"]:
        if k in env or k in origin:
            print("    %-40s = %-22s %s" % (k, env.get(k, "<unset>"), origin[k]))
    if "<missing source>" in origin:   # Lambda GB300 llama31_8b: its config only sources an absent file
        print("  config incomplete (a sourced file is absent from the implementation directory): skipped")
        return None
    impl = cfg.rsplit("/", 1)[0] + "/"
    nv = NV_IMPL.get((rnd, bench))
    same, diff = [], []
    for f in SHARED[bench]:
        a, b = repo.blob(impl + f), repo.blob(nv + f) if nv else None
        if a is None:
            continue
        (same if a == b else diff).append(f)
    print("  shared files vs %s: same blob %s; differ %s" % (nv, same, diff))
    lora = bench == "llama2_70b_lora"
    nodes, gpn = ival(env, "DGXNNODES"), ival(env, "DGXNGPU")
    if gpn is None:     # not exported (v5.0 405B configs): the system JSON's accelerators_per_node
        gpn = int(sysjson["accelerators_per_node"])
        print("  DGXNGPU not set by the config: %d GPUs per node from the system JSON" % gpn)
    gpus = nodes * gpn
    tp = ival(env, "TENSOR_MODEL_PARALLEL", "TP", default=1)
    pp = ival(env, "PIPELINE_MODEL_PARALLEL", "PP", default=1)
    cp = ival(env, "CONTEXT_PARALLEL", "CP", default=1)
    mbs = ival(env, "MICRO_BATCH_SIZE", "MBS", default=1)
    minibs = ival(env, "MINIBS")
    gbs_cfg = minibs * (gpus // (tp * pp)) // cp if lora else minibs * (gpus // (tp * pp * cp))
    dp = gpus // (tp * pp * cp)
    healing = ival(env, "HEALING_ITER", default=0) if lora else 0
    print("  config: nodes*gpn=%d (system JSON %d); tp=%d pp=%d cp=%d mbs=%d MINIBS=%d -> dp=%d gbs=%d" % (
        gpus, sys_gpus, tp, pp, cp, mbs, minibs, dp, gbs_cfg))
    medians, xcheck, fp8_phase, seqs, gbss, gas, plats, mems = [], [], [], set(), set(), set(), set(), []
    nblocks = []
    ok = True
    skipped = []
    for f in files:
        ev = mllog(repo.show(f))
        if not any(e["key"] == "run_stop" for e in ev):
            print("  %s: no run_stop (an interrupted run): left out" % f.rsplit("/", 1)[1])
            skipped.append(f)
            continue
        gbs = hp(ev, "global_batch_size")
        seq = hp(ev, "max_sequence_length") or 8192   # LoRA logs no seq: packed 8192 (yaml MAX_SEQLEN)
        ga = hp(ev, "gradient_accumulation_steps")
        maxs = hp(ev, "max_steps") if not lora else hp(ev, "opt_learning_rate_training_steps")
        lr = hp(ev, "opt_base_learning_rate")
        plat = hp(ev, "submission_platform")
        stat = [e["metadata"].get("status") for e in ev if e["key"] == "run_stop"]
        mem = [e["value"]["max_memory_usage"] for e in ev if e["key"] == "tracked_stats"
               and isinstance(e["value"], dict) and "max_memory_usage" in e["value"]]
        mems += mem
        seqs.add(seq); gbss.add(gbs); gas.add(ga); plats.add(plat)
        ga_cfg = (minibs / mbs) if not lora else gbs_cfg // dp // mbs
        checks = ["gbs %s%s" % (gbs, "==cfg" if gbs == gbs_cfg else "!=cfg %d" % gbs_cfg),
                  "ga %s%s" % (ga, "==cfg" if ga is not None and float(ga) == float(ga_cfg) else "!=cfg %s" % ga_cfg)]
        ok &= gbs == gbs_cfg and ga is not None and float(ga) == float(ga_cfg)
        if "MAX_STEPS" in env and maxs is not None:
            checks.append("steps %s%s" % (maxs, "==cfg" if str(maxs) == env["MAX_STEPS"] else
                                          "!=cfg %s" % env["MAX_STEPS"]))
        if "LR" in env and lr is not None:
            good = abs(float(lr) - float(env["LR"])) < 1e-12
            ok &= good
            checks.append("lr %s%s" % (lr, "==cfg" if good else "!=cfg %s" % env["LR"]))
        checks.append("platform '%s'" % plat)
        checks.append("status %s" % stat)
        if not lora:
            st = per_step_times(ev)
            if rnd == V50:   # v5.0 405B logs samples in `step`: drop the first 5 entries (as _v50.py)
                used = [t for s, t in st[WARMUP_STEPS:]]
            else:            # v5.1: by the `step` field (as _v51.py; 8B logs every 32nd step)
                used = [t for s, t in st if s >= WARMUP_STEPS]
            med = statistics.median(used)
            bl = [b[2] for b in block_times(ev)]
            if bl:
                xcheck.append(statistics.median(bl))
            print("  %s: %s | per-step %d (steps %d..%d), used %d: median %.5f [min %.4f max %.4f]" % (
                f.rsplit("/", 1)[1], ", ".join(checks), len(st), st[0][0], st[-1][0], len(used), med,
                min(used), max(used)))
        else:
            blocks = block_times(ev)
            used_b = [b for b in blocks if b[1] <= healing - 1] if healing else blocks
            med = statistics.median(b[2] for b in used_b)
            nblocks.append(len(used_b))
            li = loss_intervals(ev)
            li_main = [x[2] for x in li if x[0] >= WARMUP_STEPS and (not healing or x[1] <= healing - 2)]
            fp8_phase += [x[2] for x in li if healing and x[0] >= healing]
            if li_main:
                xcheck.append(statistics.median(li_main))
            dev = max(abs(b[2] - b[3]) / b[2] for b in blocks)
            print("  %s: %s | blocks %s; used %d: median %.5f; logged vs timestamps max rel diff %.1e%s" % (
                f.rsplit("/", 1)[1], ", ".join(checks),
                " ".join("[%d-%d]%.4f" % (b[0], b[1], b[2]) for b in blocks), len(used_b), med, dev,
                "; train_loss intervals median %.5f" % statistics.median(li_main) if li_main else ""))
        medians.append(med)
    if len(seqs) != 1 or len(gbss) != 1:
        print("  inconsistent logs (seq %s, gbs %s): skipped" % (seqs, gbss))
        return None
    seq, gbs = seqs.pop(), gbss.pop()
    files = [f for f in files if f not in skipped]
    step = statistics.median(medians)
    tps = gbs * seq / (step * gpus)
    print("  => %d files; per-file medians %s" % (len(files), " ".join("%.5f" % m for m in medians)))
    print("  => step_time %.5f s (runs %.5f to %.5f)  gbs %d  seq %d  gpus %d  tokens/s/GPU %.1f" % (
        step, min(medians), max(medians), gbs, seq, gpus, tps))
    xc = statistics.median(xcheck) if xcheck else None
    if xc:
        print("  => cross-check (%s): %.5f s (%+.1f%%)" % (
            "10-step train_loss intervals, steps>=5" if lora else "per-block means", xc, 100 * (xc / step - 1)))
    s8 = statistics.median(fp8_phase) if fp8_phase else None
    if s8:
        print("  => (not a row) fp8 healing phase: %.4f s/step -> %.1f tokens/s/GPU" % (s8, gbs * seq / (s8 * gpus)))
    print("  => config matches every log: %s; GPUs config %d vs system JSON %d" % (ok, gpus, sys_gpus))
    return dict(round=rnd, submitter=sub, system=system, bench=bench, config=cfg, catalog=catalog,
                commit=repo.commit, files=[f.rsplit("/", 1)[1] for f in files], env=env, origin=origin,
                gpus=gpus, sys_gpus=sys_gpus, nodes=nodes, tp=tp, pp=pp, cp=cp, mbs=mbs, minibs=minibs, dp=dp,
                gbs=gbs, seq=seq, ga=sorted(str(g) for g in gas), platforms=sorted(str(p) for p in plats),
                step=step, step_min=min(medians), step_max=max(medians), tps=tps, xcheck=xc, fp8_phase=s8,
                healing=healing, nblocks=nblocks, max_mem=max(mems) if mems else None, ok=ok,
                shared_same=same, shared_diff=diff, nv_impl=nv, sysjson=sysjson)


def main():
    args = sys.argv[1:]
    out_json = None
    if "--json" in args:
        i = args.index("--json")
        out_json = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit("usage: python3 scripts/mlperf_steps_partners.py GIT_DIR_V51 GIT_DIR_V50 [--json OUT.json]")
    repos = {V51: Repo(args[0]), V50: Repo(args[1])}
    for r, repo in repos.items():
        print("%s: %s commit %s" % (r, repo.dir, repo.commit))
    res = []
    for s in SUBMISSIONS:
        r = run_one(repos[s[0]], *s)
        if r:
            res.append(r)
    print("\nSUMMARY")
    print("%-5s %-8s %-44s %-16s %5s %9s %6s %10s  %s" % ("round", "submit", "system", "bench", "gpus", "step_s",
                                                          "gbs", "tok/s/GPU", "config"))
    for r in res:
        print("%-5s %-8s %-44s %-16s %5d %9.5f %6d %10.1f  %s" % (
            r["round"], r["submitter"], r["system"], r["bench"], r["gpus"], r["step"], r["gbs"], r["tps"],
            r["config"].rsplit("/", 1)[1]))
    if out_json:
        with open(out_json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
