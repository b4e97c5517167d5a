#!/usr/bin/env python3
"""MLPerf Training v5.0's logged peak memory as rows of validation/memory.csv.

NVIDIA's implementations of v5.0 (and the other submitters' copies of them) log, with each
block's throughput, `tracked_stats` `max_memory_usage`: torch.cuda.max_memory_allocated() in
GiB, rounded to 3 decimals, on global rank 0 (NVIDIA/mlperf-common at 0993367, pinned by the
implementations' requirements.txt: mlperf_common/callbacks/logging.py:231; mlperf_common/
logging.py: an event is logged by rank 0 alone).  v5.1's logs no longer carry it.

For each training row of validation/train.csv named in ROWS, this reads every result file of
the row's source directory, takes each run's largest logged figure and the median over the
runs, and prints the memory row: the training row's columns, id + "-mem", metric
peak_allocated_gib, that figure, the training row's source and a note naming the row (its
notes, which cite every input, are not copied: they would pass the table's cell limit).
--check compares the rows, every column, with validation/memory.csv instead (exit 1 on a
difference: a figure the logs do not give, or a training row changed since).

    scripts/mlperf_memory.py V50_GIT_DIR [--check]

V50_GIT_DIR: a git directory of mlcommons/training_results_v5.0 (commit 0fdc28f0...).
"""
import csv
import io
import os
import re
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mlperf_logs  # noqa: E402  (beside this script)

# One row per distinct job and figure: the other submitters' runs of the same launch file
# log the same peak (named in the note), so they are not rows of their own.
ROWS = {
    "mlperf50-nv-b200-llama2-70b-lora-8": "the same 168.827 in Oracle's, Lenovo's and Lambda's runs of the same "
                                          "launch file, 168.808 in nine of Dell's ten and 168.827 in the tenth",
    "mlperf50-nv-gb200-llama2-70b-lora-8": "the same in Oracle's 8-GPU GB200 runs",
    "mlperf50-nv-gb200-llama2-70b-lora-72": "82.321 on 144 and 512 GB200 (the same layout per GPU), 82.323 in "
                                            "Oracle's and Supermicro's 72-GPU runs",
    "mlperf50-oracle-bm-b200-llama2-70b-lora-64": "",
    "mlperf50-oracle-bm-gb200-llama2-70b-lora-4": "",
    "mlperf50-nv-h100-llama31-405b-512": "",
    "mlperf50-nv-h100-llama31-405b-2048": "",
    "mlperf50-nv-h100-llama31-405b-2432": "",
    "mlperf50-nv-h100-llama31-405b-2560": "",
    "mlperf50-nv-h100-llama31-405b-8192": "",
    "mlperf50-cw-gb200-llama31-405b-512": "",
    "mlperf50-cw-gb200-llama31-405b-1024": "",
    "mlperf50-cw-gb200-llama31-405b-1536": "",
    "mlperf50-cw-gb200-llama31-405b-2048": "",
    "mlperf50-cw-gb200-llama31-405b-2496": "",
    "mlperf50-nebius-soperator-h200-llama31-405b-512": "",
    "mlperf50-nebius-soperator-h200-llama31-405b-1024": "",
}

def peaks(repo, source):
    m = re.match(r"mlcommons/training_results_v5\.0 (\S+/results/\S+?)/result_\S+\.txt", source)
    if not m:
        raise SystemExit(f"no v5.0 result directory in source: {source[:80]}")
    files = [f for f in mlperf_logs.git(repo, "ls-tree", "--name-only", "HEAD", m.group(1) + "/").split()
             if re.search(r"result_\d+\.txt$", f)]
    runs = []
    for f in files:
        events = mlperf_logs.mllog(mlperf_logs.git(repo, "show", "HEAD:" + f))
        vals = [float(e["value"]["max_memory_usage"]) for e in events
                if e["key"] == "tracked_stats" and isinstance(e["value"], dict) and "max_memory_usage" in e["value"]]
        if vals:
            runs.append(max(vals))
    if not runs:
        raise SystemExit(f"{m.group(1)}: no max_memory_usage in its logs")
    return runs


def fmt(x):
    return f"{x:.3f}".rstrip("0").rstrip(".")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    repo, check = sys.argv[1], "--check" in sys.argv[2:]
    train = list(csv.reader(open("validation/train.csv", newline="")))
    hdr, by_id = train[0], {r[0]: r for r in train[1:]}
    col = {k: i for i, k in enumerate(hdr)}
    out_rows = []
    for rid, other in ROWS.items():
        r = list(by_id[rid]) + [""] * (len(hdr) - len(by_id[rid]))
        runs = peaks(repo, r[col["source"]])
        med = statistics.median(runs)
        note = (f"tracked_stats max_memory_usage, torch.cuda.max_memory_allocated() / 2^30 on global rank 0 "
                f"(NVIDIA/mlperf-common 0993367, mlperf_common/callbacks/logging.py:231, pinned by the "
                f"implementation's requirements.txt), each run's largest, median over the {len(runs)} runs: "
                f"{fmt(med)} GiB (runs {fmt(min(runs))} to {fmt(max(runs))})"
                f"{'; ' + other if other else ''}.  Allocated, not reserved: the live tensors, compared with "
                f"the memory model's weights, gradients, optimizer state and activations (its workspace estimate "
                f"left out).  The job is the training table's row {rid} (validation/train.csv), whose notes "
                f"say where each of its inputs came from.")
        r[col["id"]] = rid + "-mem"
        r[col["metric"]] = "peak_allocated_gib"
        r[col["measured"]] = fmt(med)
        r[col["flops_convention"]] = ""
        r[col["notes"]] = note
        while len(r) > col["notes"] + 1 and r[-1] == "":
            r.pop()
        out_rows.append(r)
    if check:
        have = {r["id"]: r for r in csv.DictReader(open("validation/memory.csv", newline=""))}
        bad = 0
        for r in out_rows:
            got = have.get(r[0])
            want = {k: (r[i] if i < len(r) else "") for k, i in col.items()}
            diff = [k for k in col if got is None or (got.get(k) or "") != want[k]]
            if diff:
                print(f"{r[0]}: differs from what the logs and the training row give in {', '.join(diff[:6])}")
                bad += 1
        print(f"{len(out_rows) - bad} of {len(out_rows)} rows match the logs")
        return 1 if bad else 0
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out_rows)
    sys.stdout.write(buf.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
