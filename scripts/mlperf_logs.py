"""What the MLPerf scripts share (scripts/mlperf_steps_v50.py, _v51.py, _partners.py,
scripts/mlperf_memory.py): reading a results repository's files from its git directory, the
MLLOG events of a result log, the LoRA runs' per-step times and a launch config's integers.
Standard library only."""
import json
import re
import subprocess


def git(git_dir, *args):
    """The standard output of `git --git-dir GIT_DIR ARGS...` (an error stops the script)."""
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True,
                          text=True).stdout


def mllog(text):
    """The events of a result log: each `:::MLLOG {json}` line's object, in order; a line whose
    JSON does not parse is skipped."""
    out = []
    for line in text.splitlines():
        i = line.find(":::MLLOG ")
        if i < 0:
            continue
        try:
            out.append(json.loads(line[i + len(":::MLLOG "):]))
        except json.JSONDecodeError:
            pass
    return out


def hp(events, key):
    """The value of the first event of `key` (a logged hyperparameter), or None."""
    for e in events:
        if e["key"] == key:
            return e["value"]
    return None


def loss_intervals(events):
    """LoRA: per-step time from consecutive 10-step `train_loss` timestamps in one block:
    (first batch index, last batch index, seconds per step); a `train_loss` event without a
    step is skipped."""
    out, prev = [], None
    for e in events:
        k = e["key"]
        if k in ("block_start", "eval_start", "block_stop"):
            prev = None
        elif k == "tracked_stats" and isinstance(e["value"], dict) and "train_loss" in e["value"]:
            s = e["metadata"].get("step")
            if s is None:
                continue
            if prev is not None and s > prev[0]:
                # train_loss at step s is logged after batch s-1 (global_step already advanced)
                out.append((prev[0], s - 1, (e["time_ms"] - prev[1]) / 1000.0 / (s - prev[0])))
            prev = (s, e["time_ms"])
    return out


def ival(env, *names, default=None):
    """The first of the launch config's variables `names` that is set, as an integer (a
    `${X:-n}` default read as n), else `default`."""
    for n in names:
        v = env.get(n)
        if v not in (None, "", "null"):
            m = re.match(r"\$\{\w+:-(\d+)\}$", v)    # ${X:-n}
            return int(m.group(1)) if m else int(v)
    return default
