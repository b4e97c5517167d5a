"""What the MLPerf step-time scripts share (scripts/mlperf_steps_v50.py, _v51.py, _partners.py):
reading a results repository's files from its git directory, and the MLLOG events of a
result log.  Standard library only."""
import json
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
