#!/usr/bin/env python3
"""Step times of the MLPerf Training v6.0 closed-division LLM results that are rows of
validation/train.csv (ids mlperf60-*).

Usage: python3 scripts/mlperf_steps_v60.py ROOT [ROOT ...]
       python3 scripts/mlperf_steps_v60.py --self-test   (the rules below on made-up logs)
  ROOT: a copy of mlcommons/training_results_v6.0: its git directory (read at HEAD), or a
  checkout (a folder holding the repository's files at their paths).  Several ROOTs are read
  as one, the first that holds a file giving it, so partial copies can be combined.  The rows
  were read at commit eabf23a07b2a0c60a289ff871dc3a46fff0d0421 of the public mirror
  Richardyu114/training_results_v6.0.

Stdlib only; the log reading is scripts/mlperf_logs.py's.  For each result directory in
RESULTS it prints the launch config's variables with the file:line that set them (a config or
a file it sources that the copy lacks is said to be absent), checks the logs' hyperparameters
against each other, and measures the step time:

  - NVIDIA (callback_logging.py of the NeMo implementations, v6.0): the `tracked_stats`
    events that carry both `train_step_time` and `reduced_train_loss` are timed at a
    synchronisation (the loss is read back), and carry `samples_count`, not `step`: the samples
    consumed before the step an entry ends where a log's first entry is at 0 (llama31_8b,
    llama31_405b, gpt_oss_20b: step = samples_count / gbs + 1), else after it (deepseekv3_671b,
    llama2_70b_lora: step = samples_count / gbs).  llama31_8b logs one such entry every
    32 steps (the mean over the 32), gpt_oss_20b every 32 steps (that step's own time),
    llama31_405b and deepseekv3_671b every step, llama2_70b_lora every 10 steps (the mean over
    the 10).  Entries of steps 1-5 are dropped (warm-up; an
    entry over 10 steps is kept when all ten are past step 5); with an NVFP4 -> fp8 switch
    (LoRA's HEALING_ITER) only entries of steps before HEALING_ITER are kept.  Median per
    file, then over files.
    The per-block figure (a `train_step_time` without a loss: the block's host wall time over
    its steps) is printed as a cross-check only: it is stamped when the host has queued the
    block's last step, not when the GPU has run it, so a short block reads fast (LoRA on 512
    GPUs: 6-step blocks read 14% below the synchronised entries).
  - AMD (Primus): the logs carry no per-step time; the step time is each training block's
    wall time (block_start to block_stop timestamps) over its steps (block samples / gbs),
    median over blocks per file, then over files; with HEALING_ITER only the blocks that end
    by step HEALING_ITER - 1.

tokens/s per GPU = gbs x seq / (step time x GPUs); seq from the logs' max_sequence_length,
else the benchmark's packed length (llama2_70b_lora: 8192).
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

FIRST_KEPT_STEP = 6          # steps 1-5 are warm-up
PACKED_SEQ = {"llama2_70b_lora": 8192}
FILES = 3                    # the first three result files (result_0..2; HPE numbers from result_1)

# (submitter, results system dir, benchmark, launch config in the repository, HEALING_ITER when
#  the config that sets it is absent from the copy read (None: read it from the config))
NV = "NVIDIA/benchmarks/%s/implementations/%s/"
D = "Dell/benchmarks/%s/implementations/nemo/"
H = "HPE/benchmarks/%s/implementations/nemo_arm_ngc26.04/"
RESULTS = [
    ("NVIDIA", "theia-cmh_ngpu512_ngc26.04_nemo", "llama31_405b",
     NV % ("llama31_405b", "theia-cmh_ngpu512_ngc26.04_nemo") + "config_GB300_128x4x56xtp2pp8cp2_cg_fp4.sh", None),
    ("NVIDIA", "theia-cmh_ngpu2048_ngc26.04_nemo", "llama31_405b",
     NV % ("llama31_405b", "theia-cmh_ngpu2048_ngc26.04_nemo") + "config_GB300_512x4x16xtp2pp8cp2_cg_fp4.sh", None),
    ("NVIDIA", "theia_ngpu8_ngc26.04_nemo", "llama31_8b",
     NV % ("llama31_8b", "nemo") + "config_GB300_2x4x2xtp1pp1cp1_8b_fp4.sh", None),
    # v5.1's same-named config sets HEALING_ITER=350 (l.14); the log's switch agrees (steps 341-350)
    ("NVIDIA", "theia_ngpu8_ngc26.04_nemo", "llama2_70b_lora",
     NV % ("llama2_70b_lora", "nemo") + "config_GB300_2x4x1xtp1pp1cp1_fp4.sh", 350),
    ("NVIDIA", "theia_ngpu72_ngc26.04_nemo", "llama2_70b_lora",
     NV % ("llama2_70b_lora", "nemo") + "config_GB300_18x4x1xtp1pp1cp8.sh", None),
    ("NVIDIA", "theia_ngpu512_ngc26.04_nemo", "llama2_70b_lora",
     NV % ("llama2_70b_lora", "nemo") + "config_GB300_128x4x1xtp1pp1cp8.sh", None),
    # the README's config, stored only under the 512-GPU implementation directory
    ("NVIDIA", "theia_ngpu256_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "theia_ngpu512_ngc26.04_nemo") + "config_GB300_64x4x240xtp1pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "theia_ngpu72_ngc26.04_nemo", "llama31_8b",
     NV % ("llama31_8b", "nemo") + "config_GB300_18x4x1xtp1pp1cp1_8b_fp4.sh", None),
    ("NVIDIA", "theia_ngpu512_ngc26.04_nemo", "llama31_8b",
     NV % ("llama31_8b", "nemo") + "config_GB300_128x4x1xtp2pp1cp4_8b.sh", None),
    ("NVIDIA", "tyche-hsg_ngpu1024_ngc26.04_nemo", "llama31_8b",
     NV % ("llama31_8b", "nemo") + "config_GB200_256x4x1xtp4pp1cp4_8b.sh", None),
    ("NVIDIA", "theia_ngpu512_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "theia_ngpu512_ngc26.04_nemo") + "config_GB300_128x4x120xtp1pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "tyche-hsg_ngpu512_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "tyche-hsg_ngpu512_ngc26.04_nemo") + "config_GB200_128x4x240xtp2pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "tyche-hsg_ngpu2048_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "tyche-hsg_ngpu2048_ngc26.04_nemo") + "config_GB200_512x4x60xtp2pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "tyche-hsg_ngpu4096_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "tyche-hsg_ngpu4096_ngc26.04_nemo") + "config_GB200_1024x4x32xtp2pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "tyche-hsg_ngpu8192_ngc26.04_nemo", "deepseekv3_671b",
     NV % ("deepseekv3_671b", "tyche-hsg_ngpu8192_ngc26.04_nemo") + "config_GB200_2048x4x16xtp2pp4ep32cp1_mxfp8_full_cg.sh", None),
    ("NVIDIA", "theia_ngpu512_ngc26.04_nemo", "gpt_oss_20b",
     NV % ("gpt_oss_20b", "nemo") + "config_GB300_128x4x1xtp2pp1cp4ep8.sh", None),
    # the READMEs' configs of these four are absent from the copy read
    ("NVIDIA", "theia_ngpu72_ngc26.04_nemo", "gpt_oss_20b", None, None),
    ("NVIDIA", "tyche-hsg_ngpu72_ngc26.04_nemo", "gpt_oss_20b", None, None),
    ("NVIDIA", "theia_ngpu8_ngc26.04_nemo", "gpt_oss_20b", None, None),
    ("NVIDIA", "tyche-hsg_ngpu8_ngc26.04_nemo", "gpt_oss_20b", None, None),
    # partners, on NVIDIA's NeMo implementation
    ("HPE", "HPE-GB300-ngpu16_ngc26.04", "llama31_8b", H % "llama31_8b" + "config_GB300_4x4x2xtp1pp1cp1_8b_fp4.sh", None),
    ("Dell", "2xXE9780x8B300-SXM-270GB", "llama31_8b", D % "llama31_8b" + "config_XE9780_B300_2x8x2xtp1pp1cp1_8b_fp4.sh", None),
    ("Dell", "1xXE9785Lx8B300-SXM-270GB", "llama2_70b_lora", D % "llama2_70b_lora" + "config_XE9785L_B300_1x8x1xtp1pp1cp1_fp4.sh", None),
    ("HPE", "HPE-GB300-ngpu72_ngc26.04", "llama31_405b", H % "llama31_405b" + "config_GB300_18x4x72xtp4pp18cp1_cg_fp4.sh", None),
    ("HPE", "HPE-GB300-ngpu16_ngc26.04", "llama2_70b_lora", H % "llama2_70b_lora" + "config_GB300_4x4x1xtp1pp1cp1_fp4.sh", None),
    # the logs' DLPAL line names GB300_8x4x2xtp1pp1cp8 (gbs 8, ga 2), not the 8x4x1 file
    ("HPE", "HPE-GB300-ngpu32_ngc26.04", "llama2_70b_lora", H % "llama2_70b_lora" + "config_GB300_8x4x2xtp1pp1cp8.sh", None),
    ("Dell", "16xXE9712x4GB300", "llama2_70b_lora", D % "llama2_70b_lora" + "config_DGXB300_8x8x1xtp1pp1cp8.sh", None),
    # no launch config stored for this run (see report)
    ("Dell", "16xXE9712x4GB300", "llama31_8b", None, None),
    ("Quanta_Cloud_Technology", "D75U-1U_ngpu64", "llama31_8b",
     "Quanta_Cloud_Technology/benchmarks/llama31_8b/implementations/D75U-1U_nemo/config_D75U-1U_16x4x1xtp1pp1cp1_8b_fp4.sh", None),
    ("Quanta_Cloud_Technology", "D75U-1U_ngpu64", "llama2_70b_lora",
     "Quanta_Cloud_Technology/benchmarks/llama2_70b_lora/implementations/D75U-1U_nemo/config_D75U-1U_16x4x1xtp1pp1cp8.sh", None),
    ("AMD", "MI355X_EPYC_9575F_primus", "llama31_8b",
     "AMD/benchmarks/llama31_8b/implementations/MI355X_EPYC_9575F_primus/config_MI355X_1x8x1.sh", None),
    ("AMD", "MI350X_EPYC_9575F_primus", "llama31_8b",
     "AMD/benchmarks/llama31_8b/implementations/MI350X_EPYC_9575F_primus/config_MI350X_1x8x1.sh", None),
    ("AMD", "MI355X_EPYC_9575F_primus", "llama2_70b_lora", None, 340),
    ("AMD", "MI350X_EPYC_9575F_primus", "llama2_70b_lora",
     "AMD/benchmarks/llama2_70b_lora/implementations/MI350X_EPYC_9575F_primus/config_MI350X_1x8x1.sh", None),
    # partners' gpt_oss_20b, on NVIDIA's Megatron-Bridge implementation (HPE numbers its files
    # result_1..10, no result_0)
    ("HPE", "HPE-GB300-ngpu16_ngc26.04", "gpt_oss_20b", H % "gpt_oss_20b" + "config_GB300_4x4x2xtp1pp1cp1ep1_mxfp8.sh", None),
    ("HPE", "HPE-GB300-ngpu32_ngc26.04", "gpt_oss_20b", H % "gpt_oss_20b" + "config_GB300_8x4x2xtp1pp1cp1ep1_mxfp8.sh", None),
    # the log's DLPAL line names DGXB300_1x8x3xtp1pp1cp1ep1_mxfp8, absent from HPE's directory (a
    # copy under Nebius/benchmarks/gpt_oss_20b/configs/nebius_b300_n1/ agrees with the log); the
    # stored nemo_x86_ngc26.04/config_XD690_2x8x3xtp1pp1cp1ep1_mxfp8_g2.sh is a 2-node run's (LR 0.00065)
    ("HPE", "HPE-Compute-XD690-B300-SXM6-288GB_n1_ngc26.04", "gpt_oss_20b", None, None),
    # more partners on NVIDIA's NeMo implementation (CoreWeave, Azure, HPE)
    # the submit script's config_DGXB200_8x8x1xtp1pp1cp1_8b_fp4.sh is not stored in the copy read
    ("CoreWeave", "CoreWeave_B200_8x8", "llama31_8b", None, None),
    ("HPE", "HPE-GB300-ngpu32_ngc26.04", "llama31_8b", H % "llama31_8b" + "config_GB300_8x4x2xtp1pp1cp1_8b_fp4.sh", None),
    ("CoreWeave", "CoreWeave_GB300_1024x4_nccl2297", "llama31_405b",
     "CoreWeave/benchmarks/llama31_405b/implementations/CoreWeave_GB300_1024x4_nccl2297/config_GB300_1024x4x8xtp2pp8cp2_cg_fp4.sh",
     None),
    # launch_405b.py sources configs/azure/run_sweep.sh, which sources this config and overrides MINIBS and DGXNNODES
    ("Azure", "2048xAzure_GB200", "llama31_405b",
     "Azure/benchmarks/llama31_405b/implementations/2048xAzure_GB200/configs/azure/config_GB200_640x4x24xtp4pp8cp2_cg_fp4_mrc.sh",
     None),
    ("CoreWeave", "CoreWeave_GB300_2048x4", "deepseekv3_671b",
     "CoreWeave/benchmarks/deepseekv3_671b/implementations/CoreWeave_GB300_2048x4/config_GB300_2048x4x8xtp1pp4ep32cp1_mxfp8_full_cg.sh",
     None),
    ("CoreWeave", "CoreWeave_GB300_512x4", "deepseekv3_671b",
     "CoreWeave/benchmarks/deepseekv3_671b/implementations/CoreWeave_GB300_512x4/config_GB300_512x4x32xtp1pp4ep32cp1_mxfp8_full_cg.sh",
     None),
    # Cisco numbers its files result_1..10 (no result_0); no README or log line names the config:
    # the one stored whose name matches the run (16 nodes x 8, MINIBS 1, TP 2, EP 4; LR 0.0004 as logged)
    ("Cisco", "Zeus_16xH100_SXM_80GB", "gpt_oss_20b",
     "Cisco/benchmarks/gpt_oss_20b/nemo/config_DGXH100_16x8x1xtp2pp1cp1ep4.sh", None),
    # Nebius numbers its files result_01..10; configs/nebius_gb300_n18/run_nebius.sh names this config
    # (its three sourced config_common*.sh are not stored in the copy read)
    ("Nebius", "nebius_gb300_n18", "gpt_oss_20b",
     "Nebius/benchmarks/gpt_oss_20b/configs/nebius_gb300_n18/config_GB300_18x4x1xtp1pp1cp2ep4_mxfp8.sh", None),
    # the log's command runs wrapper_8b.sh, whose default config (l.20) is this file
    ("SCITIX", "scitix.b200x8.n8", "llama31_8b",
     "SCITIX/benchmarks/llama31_8b/implementations/scitix.b200x8.n8/config_B200_8x8x1xtp1pp1cp2_8b.sh", None),
    ("Lambda", "b200_n1_ngc25.09_nemo", "llama31_8b",
     "Lambda/benchmarks/llama31_8b/implementations/b200_0423/config_DGXB200_1x8x2xtp1pp1cp1_8b_fp4.sh", None),
]
KEYS = ["DGXNNODES", "DGXNGPU", "MINIBS", "MICRO_BATCH_SIZE", "MBS", "TENSOR_MODEL_PARALLEL", "TP",
        "PIPELINE_MODEL_PARALLEL", "PP", "INTERLEAVED_PIPELINE", "VIRTUAL_PIPELINE", "CONTEXT_PARALLEL", "CP",
        "EXPERT_MODEL_PARALLEL", "EP", "EXPERT_TENSOR_PARALLEL", "ETP", "SEQ_PARALLEL", "SP", "MAX_STEPS", "LR",
        "FP8", "FP8_RECIPE", "FP4", "FP4_RECIPE", "FP8_DPA", "HEALING_ITER", "HEALING_PRECISION",
        "TP_COMM_OVERLAP", "FP8_PARAM_GATHER", "FULL_CUDA_GRAPH", "MCORE_CUDA_GRAPH", "CUDA_GRAPH_SCOPE",
        "ACT_CKPT_GRANULARITY", "RECOMPUTE_GRANULARITY", "RECOMPUTE_MODULES", "MOE_TOKEN_DISPATCHER_TYPE",
        "MOE_FLEX_DISPATCHER_BACKEND", "SEGMENT", "CP_COMM_TYPE", "PRE_QUANTIZED_MODEL"]


class Copies:
    """Several copies of the repository read as one: a file comes from the first that has it."""

    def __init__(self, roots):
        self.repos = [mlperf_logs.Repo(r) for r in roots]
        self.commit = ", ".join(sorted(set(r.commit for r in self.repos)))

    def _first(self, path):
        for r in self.repos:
            if r.readable(path):
                return r
        return None

    def readable(self, path):
        return self._first(path) is not None

    def show(self, path):
        r = self._first(path)
        if r is None:
            raise FileNotFoundError(path)
        return r.show(path)

    def blob(self, path):
        r = self._first(path)
        return r.blob(path) if r else None

    def ls(self, path):
        return sorted(set(p for r in self.repos for p in r.ls(path)))


def synced_steps(events, gbs):
    """NVIDIA v6.0: (first step, last step, seconds per step) of each synchronised entry (a
    train_step_time with reduced_train_loss), steps counted from 1, the span of an entry being
    the steps since the previous one.  Two conventions: the entries of callback_logging.py's
    per-step timer (llama31_8b, llama31_405b, gpt_oss_20b) carry the samples consumed before the
    step they end, the first of a log at samples_count 0, so that step is samples_count / gbs
    + 1; the others (deepseekv3_671b, llama2_70b_lora) carry the samples after it, step =
    samples_count / gbs."""
    ent = [e for e in events if e["key"] == "tracked_stats" and isinstance(e["value"], dict)
           and "train_step_time" in e["value"] and "reduced_train_loss" in e["value"]]
    before = any(int(e["metadata"]["samples_count"]) == 0 for e in ent)
    out, prev = [], 0
    for e in ent:
        n = int(e["metadata"]["samples_count"]) // gbs + (1 if before else 0)
        if n <= prev:
            sys.exit("%s: samples_count goes back (%d after %d steps): not one training run" % (
                e["metadata"].get("file"), n, prev))
        out.append((prev + 1, n, float(e["value"]["train_step_time"])))
        prev = n
    return out


def host_blocks(events, gbs):
    """Per block: (steps before it, steps at its end, NVIDIA's logged block mean (a
    tracked_stats train_step_time without a loss) or None, wall milliseconds from block_start
    to block_stop).  A block's steps are its metadata `step` (NVIDIA) or samples_count / gbs
    (AMD)."""
    out, start = [], None
    logged = None
    for e in events:
        k, v = e["key"], e["value"]
        if k == "block_start":
            start, logged = e, None
        elif k == "tracked_stats" and isinstance(v, dict) and "train_step_time" in v \
                and "reduced_train_loss" not in v:
            logged = float(v["train_step_time"])
        elif k == "block_stop" and start is not None:
            at = lambda m: m["step"] if "step" in m else int(m["samples_count"]) // gbs
            s0, s1 = at(start["metadata"]), at(e["metadata"])
            out.append((s0, s1, logged, e["time_ms"] - start["time_ms"]))
            start = None
    return out


def run_one(repo, sub, system, bench, cfg, heal_fallback):
    rdir = "%s/results/%s/%s" % (sub, system, bench)
    files = mlperf_logs.result_files(repo, rdir)[:FILES]
    print("=" * 100)
    print(rdir)
    if not files:
        print("  no result files in this copy: skipped")
        return None
    sysjson, gpus = mlperf_logs.system_json(repo, sub, system)
    print("  system JSON: '%s', %s nodes x %s %s = %d GPUs; %s" % (
        sysjson.get("system_name"), sysjson["number_of_nodes"], sysjson["accelerators_per_node"],
        sysjson.get("accelerator_model_name"), gpus, sysjson.get("host_networking")))
    env, origin = {}, {}
    if cfg is None:
        print("  launch config: not named here (the README's config is absent from the copies read)")
    elif not repo.readable(cfg):
        print("  launch config %s: absent from the copies read" % cfg)
    else:
        env, origin = mlperf_logs.resolve_config(repo, cfg)
        print("  launch config %s:" % cfg)
        for k in KEYS + ["<missing source>"]:
            if k in env or k in origin:
                print("    %-32s = %-22s %s" % (k, env.get(k, "<unset>"), origin[k]))
    heal = ival(env, "HEALING_ITER", default=heal_fallback or 0)
    if heal:
        print("  HEALING_ITER %d (%s): steps from %d on are the fp8 phase, left out" % (
            heal, origin.get("HEALING_ITER", "absent from the copies read: the value given in RESULTS"), heal))
    medians, cross, shapes = [], [], set()
    for f in files:
        ev = mllog(repo.show(f))
        gbs = hp(ev, "global_batch_size")
        seq = hp(ev, "max_sequence_length") or PACKED_SEQ.get(bench)
        shapes.add((gbs, seq))
        status = [e["metadata"].get("status") for e in ev if e["key"] == "run_stop"]
        last_ok = (lambda last: last < heal) if heal else (lambda last: True)
        if sub == "AMD":
            bl = [b for b in host_blocks(ev, gbs) if last_ok(b[1])]
            per = [(b[3] / 1000.0) / (b[1] - b[0]) for b in bl if b[1] > b[0]]
            med = statistics.median(per)
            what = "%d blocks (wall time / steps)" % len(per)
        else:
            ent = [x for x in synced_steps(ev, gbs) if x[0] >= FIRST_KEPT_STEP and last_ok(x[1])]
            med = statistics.median(x[2] for x in ent)
            span = sorted(set(x[1] - x[0] + 1 for x in ent))
            where = sorted(set("%s:%s" % (os.path.basename(e["metadata"]["file"]), e["metadata"]["lineno"])
                               for e in ev if e["key"] == "tracked_stats" and isinstance(e["value"], dict)
                               and "train_step_time" in e["value"]))
            what = "%d synchronised entries of %s step(s), steps %d..%d (train_step_time logged at %s)" % (
                len(ent), span, ent[0][0], ent[-1][1], ", ".join(where))
            bl = [b[2] for b in host_blocks(ev, gbs) if b[2] is not None and last_ok(b[1])]
            if bl:
                cross.append(statistics.median(bl))
        medians.append(med)
        print("  %s: gbs %s seq %s ga %s lr %s platform '%s' status %s | %s: median %.5f s" % (
            f.rsplit("/", 1)[1], gbs, seq, hp(ev, "gradient_accumulation_steps"), hp(ev, "opt_base_learning_rate"),
            hp(ev, "submission_platform"), status, what, med))
    if len(shapes) != 1:
        print("  the files disagree on gbs or seq (%s): skipped" % shapes)
        return None
    gbs, seq = shapes.pop()
    step = statistics.median(medians)
    tps = gbs * seq / (step * gpus)
    print("  => %d files; step %.5f s (files %s); gbs %d seq %d GPUs %d: %.1f tokens/s/GPU" % (
        len(files), step, " ".join("%.5f" % m for m in medians), gbs, seq, gpus, tps))
    if cross:
        c = statistics.median(cross)
        print("  => cross-check, the per-block host figure: %.5f s (%+.1f%%)" % (c, 100 * (c / step - 1)))
    return (rdir, len(files), step, gbs, seq, gpus, tps)


def self_test():
    """The reading rules on made-up logs in a temporary checkout: the synchronised entries are
    taken, steps 1-5 and the fp8 phase left out, the host-stamped block figure not used; AMD's
    block wall time over its steps.  Exits non-zero on a mismatch."""
    import tempfile

    def line(t, key, value, **meta):
        return ":::MLLOG " + json.dumps({"namespace": "", "time_ms": t, "event_type": "POINT_IN_TIME",
                                         "key": key, "value": value, "metadata": meta}) + "\n"

    def write(root, path, text):
        f = os.path.join(root, *path.split("/"))
        os.makedirs(os.path.dirname(f), exist_ok=True)
        with open(f, "w") as fh:
            fh.write(text)

    system = {"system_name": "test", "number_of_nodes": "2", "accelerators_per_node": "4", "host_networking": ""}
    with tempfile.TemporaryDirectory() as root:
        # NVIDIA LoRA-style: gbs 8, 10-step synchronised entries; steps 1-10 slow (warm-up),
        # 11-340 rising from 0.51 s (so that one entry more or less moves the median), then
        # the fp8 phase from step 341 (HEALING_ITER 341) at 1.0 s; the block's host figure (no
        # loss) reads 0.60 s and must not be taken
        gbs, log = 8, line(0, "global_batch_size", 8, file="train.py", lineno=1)
        log += line(0, "block_start", None, file="callback_logging.py", lineno=57, step=0, samples_count=0)
        t = 0
        for n in range(10, 400, 10):
            v = 0.9 if n <= 10 else 0.5 + 0.0005 * n if n <= 340 else 1.0
            t += int(10 * v * 1000)
            log += line(t, "tracked_stats", {"train_step_time": v, "reduced_train_loss": 1.0},
                        file="callback_logging.py", lineno=220, samples_count=n * gbs)
        log += line(t, "tracked_stats", {"train_step_time": 0.60}, file="callback_logging.py", lineno=177,
                    samples_count=390 * gbs)
        log += line(t, "block_stop", None, file="callback_logging.py", lineno=164, step=390)
        for k in range(3):
            write(root, "NVIDIA/results/sys_ngpu8/llama2_70b_lora/result_%d.txt" % k, log)
        write(root, "NVIDIA/results/sys_ngpu8/llama2_70b_lora/result_3.txt", log.replace('"train_step_time": 0.5', '"train_step_time": 9.5'))
        write(root, "NVIDIA/systems/sys_ngpu8.json", json.dumps(system))
        # the per-step timer's convention: every step timed, samples_count before the step (the
        # first entry at 0 is step 1); steps 1-5 slow, then step k takes 0.3 + 0.001 k s
        pre = line(0, "global_batch_size", 16, file="train.py", lineno=1)
        pre += line(0, "max_sequence_length", 8192, file="train.py", lineno=1)
        for k in range(1, 41):
            pre += line(k * 1000, "tracked_stats", {"train_step_time": 5.0 if k <= 5 else 0.3 + 0.001 * k,
                                                   "reduced_train_loss": 1.0},
                        file="callback_logging.py", lineno=328, samples_count=(k - 1) * 16)
        write(root, "NVIDIA/results/sys_ngpu8/llama31_8b/result_0.txt", pre)
        # AMD-style: gbs 32, blocks of 384 steps timed by their timestamps; the second ends past
        # HEALING_ITER 500 and is left out
        amd = line(0, "global_batch_size", 32, file="x.py", lineno=1)
        amd += line(0, "max_sequence_length", 8192, file="x.py", lineno=1)
        for b, (t0, secs) in enumerate([(0, 384 * 0.85), (400000, 384 * 2.0)]):
            amd += line(t0, "block_start", None, file="x.py", lineno=2, samples_count=b * 384 * 32)
            amd += line(t0 + int(secs * 1000), "block_stop", None, file="x.py", lineno=3,
                        samples_count=(b + 1) * 384 * 32)
        write(root, "AMD/results/amd8/llama31_8b/result_0.txt", amd)
        write(root, "AMD/systems/amd8.json", json.dumps(dict(system, number_of_nodes="1", accelerators_per_node="8")))
        repo = Copies([root])
        nv = run_one(repo, "NVIDIA", "sys_ngpu8", "llama2_70b_lora", None, 341)
        am = run_one(repo, "AMD", "amd8", "llama31_8b", None, 500)
        pb = run_one(repo, "NVIDIA", "sys_ngpu8", "llama31_8b", None, None)
    want_nv = statistics.median([0.5 + 0.0005 * n for n in range(20, 341, 10)])
    checks = [("NVIDIA: the synchronised entries of steps 11-340 (none of 1-10, none past the switch)",
               nv is not None and abs(nv[2] - want_nv) < 1e-12),
              ("NVIDIA: the first three runs only (result_3 differs)", nv is not None and nv[1] == 3),
              ("NVIDIA: tokens/s/GPU = gbs x 8192 / (step x GPUs)",
               nv is not None and abs(nv[6] - 8 * 8192 / (want_nv * 8)) < 1e-6),
              ("NVIDIA per-step timer: samples before the step, steps 1-5 left out (steps 6-40)",
               pb is not None and abs(pb[2] - statistics.median(0.3 + 0.001 * k for k in range(6, 41))) < 1e-12),
              ("AMD: the block's wall time over its 384 steps, the block past HEALING_ITER left out",
               am is not None and abs(am[2] - 0.85) < 1e-9)]
    bad = [c for c, ok in checks if not ok]
    for c, ok in checks:
        print("%s: %s" % ("ok" if ok else "FAIL", c))
    sys.exit(1 if bad else 0)


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    if len(sys.argv) < 2:
        sys.exit("usage: python3 scripts/mlperf_steps_v60.py ROOT [ROOT ...] (copies of mlcommons/training_results_v6.0)")
    for root in sys.argv[1:]:
        if not os.path.isdir(root):
            sys.exit("mlperf_steps_v60.py: %s: not a folder (a clone's git directory or a checkout of "
                     "mlcommons/training_results_v6.0)" % root)
    repo = Copies(sys.argv[1:])
    print("copies: %s\ncommit: %s\n" % (" ".join(sys.argv[1:]), repo.commit))
    rows = [r for r in (run_one(repo, *x) for x in RESULTS) if r]
    print("\nSUMMARY")
    print("%-60s %5s %10s %6s %6s %6s %12s" % ("result dir", "files", "step_s", "gbs", "seq", "gpus", "tok/s/GPU"))
    for r in rows:
        print("%-60s %5d %10.5f %6d %6d %6d %12.1f" % r)


if __name__ == "__main__":
    main()
