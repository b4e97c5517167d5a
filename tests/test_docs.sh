#!/bin/sh
# test_docs.sh -- every example output in README.md and docs/*.md is what the program
# prints today.  An example is a fenced block right after a marker line
#
#   <!-- golden: NAME [head=N] [match=REGEX | match="REGEX WITH SPACES"] -->
#
# whose first line is `$ aifsim ARGS` (continued by lines ending in `\`; a shell
# pipeline is allowed).  The command runs in a temporary folder holding the files of
# tests/docs/ (the scenario files the examples name) and examples/, with this build's aifsim first on
# PATH; stdout and stderr together, then `exit status N` when N is not 0, must equal the
# rest of the block.  head=N keeps the first N lines of the output, match=REGEX the lines
# that match (Python's re); a line `...` stands for each run of lines left out.
#
# Output that is part of the page itself (a Markdown table) sits between
# `<!-- output: aifsim ARGS -->` and `<!-- /output -->` and must equal what ARGS prints.
# A C block after `<!-- compile: NAME -->` must compile (cc -std=c11 -Wall -Werror
# -fsyntax-only) against include/ and the build's generated headers.
#
# usage: sh tests/test_docs.sh AIFSIM SRC_DIR
# Set AIFSIM_UPDATE_DOCS=1 to rewrite the blocks after an intended change of output.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/bin" "$tmp/work"
ln -s "$bin" "$tmp/bin/aifsim"
cp "$src"/tests/docs/* "$tmp/work/" 2>/dev/null || true
cp -r "$src"/examples "$tmp/work/"   # the example sweeps, named as from the source tree
PATH="$tmp/bin:$PATH" TMPWORK="$tmp/work" SRC="$src" BUILD="$(dirname "$bin")" python3 - "$src"/README.md "$src"/docs/*.md <<'PY'
import os, re, subprocess, sys, difflib

update = os.environ.get("AIFSIM_UPDATE_DOCS") == "1"
work = os.environ["TMPWORK"]
marker = re.compile(r"^<!-- golden: (\S+)(.*?)\s*-->\s*$")
compile_marker = re.compile(r"^<!-- compile: (\S+)\s*-->\s*$")
output_marker = re.compile(r"^<!-- output: (aifsim.*?)\s*-->\s*$")

# a run over a second prints plain progress lines on a non-terminal stderr ("LABEL: N% after
# S s"); whether it does depends on the machine's load, not on the program, so they are left out
progress_line = re.compile(r"^[A-Za-z][\w ,()/.-]*: \d+% after \d+ s$")

def run(cmd):
    p = subprocess.run(["sh", "-c", cmd], cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = [l for l in p.stdout.decode().rstrip("\n").split("\n") if not progress_line.match(l)]
    if p.returncode:
        out.append("exit status %d" % p.returncode)
    return out
checked = failed = 0

def shown(out, opts):
    """The lines of out the block shows, with `...` for each run left out."""
    if "head" not in opts and "match" not in opts:
        return out
    head = int(opts.get("head", 0))
    pat = re.compile(opts["match"]) if "match" in opts else None
    res = []
    for i, line in enumerate(out):
        if i < head or (pat and pat.search(line)):
            res.append(line)
        elif not res or res[-1] != "...":
            res.append("...")
    return res

for path in sys.argv[1:]:
    text = open(path).read().split("\n")
    out_text, i, changed = [], 0, False
    while i < len(text):
        m = marker.match(text[i])
        c = compile_marker.match(text[i])
        o = output_marker.match(text[i])
        out_text.append(text[i])
        i += 1
        if o:
            start = i
            while i < len(text) and text[i] != "<!-- /output -->":
                i += 1
            want, got = text[start:i], run(o.group(1))
            checked += 1
            if got != want and not update:
                failed += 1
                print("FAIL: %s:%d: `%s` prints otherwise:" % (path, start, o.group(1)))
                sys.stdout.writelines(l + "\n" for l in
                                      list(difflib.unified_diff(want, got, "documented", "printed", lineterm=""))[:30])
            elif got != want:
                changed = True
                print("updated: %s:%d" % (path, start))
            out_text.extend(got if update else want)
            continue
        if c:   # checked in place; the block is left as it is
            j = i + 1
            while j < len(text) and not text[j].startswith("```"):
                j += 1
            cfile = os.path.join(work, c.group(1) + ".c")
            open(cfile, "w").write("\n".join(text[i + 1:j]) + "\n")
            r = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-fsyntax-only",
                                "-I" + os.path.join(os.environ["SRC"], "include"),
                                "-I" + os.path.join(os.environ["BUILD"], "include"), cfile],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            checked += 1
            if r.returncode:
                failed += 1
                print("FAIL: %s:%d (%s): does not compile:\n%s" % (path, i, c.group(1), r.stdout.decode()[:2000]))
            continue
        if not m:
            continue
        name = m.group(1)
        opts = {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', m.group(2))}
        where = "%s:%d (%s)" % (os.path.relpath(path, os.environ["SRC"]), i, name)
        if i >= len(text) or not text[i].startswith("```"):
            print("FAIL: %s: the marker is not followed by a fenced block" % where)
            failed += 1
            continue
        out_text.append(text[i])
        i += 1
        cmd_lines = []
        while i < len(text) and (not cmd_lines or cmd_lines[-1].endswith("\\")):
            cmd_lines.append(text[i])
            i += 1
        if not cmd_lines[0].startswith("$ aifsim"):
            print("FAIL: %s: the block's first line is not '$ aifsim ...'" % where)
            failed += 1
            out_text.extend(cmd_lines)
            continue
        start = i
        while i < len(text) and not text[i].startswith("```"):
            i += 1
        want = text[start:i]
        cmd = "\n".join(cmd_lines)[2:].replace("\\\n", " ")
        got = shown(run(cmd), opts)
        checked += 1
        if got != want:
            if update:
                changed = True
                print("updated: %s" % where)
            else:
                failed += 1
                print("FAIL: %s: `%s` prints otherwise:" % (where, cmd))
                sys.stdout.writelines(l + "\n" for l in
                                      list(difflib.unified_diff(want, got, "documented", "printed", lineterm=""))[:30])
        out_text.extend(cmd_lines)
        out_text.extend(got if update else want)
    if changed:
        open(path, "w").write("\n".join(out_text))
print("docs: %d examples checked, %d differ" % (checked, failed))
sys.exit(1 if failed else 0)
PY
