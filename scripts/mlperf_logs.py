"""What the MLPerf scripts share (scripts/mlperf_steps_v50.py, _v51.py, _v60.py,
_partners.py, scripts/mlperf_memory.py): reading a results repository's files from its git
directory or from a checkout, following a launch config's `source` lines, the MLLOG events of a
result log, the per-step and per-block step times, the LoRA runs' per-step times and a launch
config's integers.  Standard library only."""
import hashlib
import json
import os
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


class Repo:
    """A results repository: a git directory (its .git, or a bare mirror), read at HEAD, or a
    checkout (a folder holding the repository's files at their paths, as many or as few as a
    script needs).  A checkout's commit is the one its COMMIT file names, if it has one."""

    def __init__(self, path):
        self.dir = path
        self.is_git = os.path.exists(os.path.join(path, "HEAD")) and os.path.isdir(os.path.join(path, "objects"))
        if self.is_git:
            self.commit = git(path, "rev-parse", "HEAD").strip()
        else:
            cf = os.path.join(path, "COMMIT")
            self.commit = open(cf).read().strip() if os.path.exists(cf) else "(a checkout; no COMMIT file)"

    def _file(self, path):
        return os.path.join(self.dir, *path.split("/"))

    def show(self, path):
        if not self.is_git:
            with open(self._file(path), encoding="utf-8") as fh:
                return fh.read()
        return git(self.dir, "show", "HEAD:" + path)

    def blob(self, path):
        """The file's git blob id (in a checkout: the same hash git gives it), or None."""
        if not self.is_git:
            try:
                with open(self._file(path), "rb") as fh:
                    data = fh.read()
            except OSError:
                return None
            return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
        try:
            return git(self.dir, "rev-parse", "HEAD:" + path).strip()
        except subprocess.CalledProcessError:
            return None

    def readable(self, path):
        if not self.is_git:
            return os.path.isfile(self._file(path))
        return subprocess.run(["git", "--git-dir", self.dir, "cat-file", "-e", "HEAD:" + path],
                              capture_output=True).returncode == 0

    def ls(self, path):
        """The paths directly under `path` (files and folders), sorted as git lists them."""
        if not self.is_git:
            d = self._file(path.rstrip("/"))
            if not os.path.isdir(d):
                return []
            return sorted(path.rstrip("/") + "/" + n for n in os.listdir(d))
        try:
            out = git(self.dir, "ls-tree", "--name-only", "HEAD", path.rstrip("/") + "/")
        except subprocess.CalledProcessError:
            return []
        return [l for l in out.splitlines() if l]


def rel(path):
    """A config path relative to its benchmark directory (implementations/<dir>/..., or Lenovo's
    flat benchmark directory, or results/...)."""
    if "/implementations/" in path:
        return path.split("/implementations/", 1)[1]
    parts = path.split("/")
    if parts[1] == "benchmarks":
        return "/".join(parts[3:])
    return path


def resolve_config(repo, path, env=None, origin=None):
    """Follow `source $(dirname ${BASH_SOURCE[0]})/x.sh` and collect `export K=V` (last
    assignment wins); `unset K` removes K.  Values kept as written (quotes stripped)."""
    env = {} if env is None else env
    origin = {} if origin is None else origin
    d = path.rsplit("/", 1)[0]
    for n, line in enumerate(repo.show(path).splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        m = re.match(r"source\s+\$\(dirname \$\{BASH_SOURCE\[0\]\}\)/(\S+)", s)
        if m:
            src = d + "/" + m.group(1)
            if repo.blob(src) is None:
                origin["<missing source>"] = "%s:%d sources %s, absent" % (rel(path), n, m.group(1))
                continue
            resolve_config(repo, src, env, origin)
            continue
        m = re.match(r"export\s+([A-Za-z_][A-Za-z0-9_]*)=(.*?)\s*(;\s*)?(#.*)?$", s)
        if m:
            env[m.group(1)] = m.group(2).strip().strip('"').strip("'")
            origin[m.group(1)] = "%s:%d" % (rel(path), n)
            continue
        m = re.match(r"unset\s+([A-Za-z_][A-Za-z0-9_]*)", s)
        if m:
            env.pop(m.group(1), None)
            origin[m.group(1)] = "%s:%d (unset)" % (rel(path), n)
    return env, origin


def is_block(e):
    """mlperf_common's per-block figure: logged from mlperf_common/callbacks/logging.py (v5.1:
    no `step` field; v5.0: with `throughput`), not from the implementation's callbacks."""
    return "throughput" in e["value"] or "mlperf_common" in e["metadata"].get("file", "")


def per_step_times(events):
    """(step or position, seconds) of the per-step train_step_time (the implementation's
    DeltaTimingCallback, not mlperf_common's per-block figure)."""
    out = []
    for i, e in enumerate(x for x in events if x["key"] == "tracked_stats" and isinstance(x["value"], dict)
                          and "train_step_time" in x["value"] and not is_block(x)):
        step = e["metadata"].get("step")
        out.append((int(step) if step is not None else i, float(e["value"]["train_step_time"])))
    return out


def block_times(events):
    """Blocks: (start_step, stop_step, logged train_step_time, wall/steps from timestamps)."""
    out, start, val = [], None, None
    for e in events:
        if e["key"] == "block_start":
            start = (e["metadata"].get("step", 0), e["time_ms"])
        elif (e["key"] == "tracked_stats" and isinstance(e["value"], dict) and "train_step_time" in e["value"]
              and is_block(e)):
            val = (float(e["value"]["train_step_time"]), e["time_ms"])
        elif e["key"] == "block_stop" and start is not None and val is not None:
            s0, t0 = start
            s1 = e["metadata"].get("step", s0)
            out.append((s0, s1, val[0], (val[1] - t0) / 1000.0 / max(1, s1 - s0)))
            start, val = None, None
    return out


def result_files(repo, rdir):
    """A result directory's result_N.txt files, in N's order."""
    return sorted((f for f in repo.ls(rdir) if re.search(r"/result_\d+\.txt$", f)),
                  key=lambda f: int(re.search(r"result_(\d+)", f).group(1)))


def system_json(repo, sub, system):
    """A submission's systems/<system>.json and its GPU count (nodes x accelerators per node)."""
    js = json.loads(repo.show("%s/systems/%s.json" % (sub, system)))
    return js, int(js["number_of_nodes"]) * int(js["accelerators_per_node"])
