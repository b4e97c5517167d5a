#!/bin/sh
# test_output.sh -- how aifsim writes what it writes (issue 9, defects 2 and 5):
# a device or FIFO named as an output is written through, never replaced (as root a
# rename would replace /dev/null); a regular file is replaced whole and keeps its
# mode; the reason of a failure is named; no temporary file or folder is left after
# SIGPIPE, SIGTERM, SIGINT or SIGXFSZ; `--trace -` is standard output; a full standard
# output gives every subcommand the same documented exit status (4).
# usage: test_output.sh AIFSIM
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# no file of aifsim's own in dir ($1) but those named ($2...)
only_files() {
    d=$1
    shift
    left=$(ls -A "$d" | while read -r f; do
        keep=0
        for k in "$@"; do [ "$f" = "$k" ] && keep=1; done
        [ "$keep" = 1 ] || echo "$f"
    done)
    [ -z "$left" ] || { echo "left behind in $d: $left"; return 1; }
}

sim="train --engine sim --model llama3-8b --gpus 16 --tp 2 --pp 2 --gbs 8"
mkdir "$tmp/tmpdir" "$tmp/out"
export TMPDIR="$tmp/tmpdir"   # what aifsim leaves in TMPDIR shows here

# devices: written through, never replaced (stat says what they are afterwards).  The
# checks use private nodes of the same devices (null, full) made with mknod, so that a
# regression replaces those and not the machine's /dev/null; without mknod (not root,
# or a folder mounted nodev) the machine's own are used, which a non-root run cannot
# replace anyway.
kind() { stat -c %F "$1"; }
mkdir "$tmp/dev"
devnull=/dev/null
devfull=/dev/full
if mknod "$tmp/dev/null" c 1 3 2>/dev/null && mknod "$tmp/dev/full" c 1 7 2>/dev/null &&
   echo x >"$tmp/dev/null" 2>/dev/null; then
    devnull=$tmp/dev/null
    devfull=$tmp/dev/full
elif [ "$(id -u)" = 0 ]; then
    devnull=
    devfull=
    echo "skip: as root without mknod the device checks would risk the machine's /dev/null"
fi
for dev in $devnull $devfull; do
    if [ "$dev" = "$devnull" ]; then want=0; else want=4; fi
    "$bin" report -o "$dev" >"$tmp/o" 2>"$tmp/e"
    rc=$?
    if [ "$rc" = "$want" ] && [ "$(kind "$dev")" = "character special file" ]; then ok
    else bad "report -o $dev: exit $rc (want $want), now a $(kind "$dev"): $(cat "$tmp/e")"; fi
    # shellcheck disable=SC2086
    "$bin" $sim --trace "$dev" >"$tmp/o" 2>"$tmp/e"
    rc=$?
    if [ "$rc" = "$want" ] && [ "$(kind "$dev")" = "character special file" ]; then ok
    else bad "--trace $dev: exit $rc (want $want), now a $(kind "$dev"): $(cat "$tmp/e")"; fi
done
if [ -n "$devfull" ]; then
    "$bin" report -o "$devfull" 2>"$tmp/e"
    if grep -q "$devfull: -o: cannot write it: No space left on device" "$tmp/e"; then ok
    else bad "report -o $devfull: $(cat "$tmp/e")"; fi
fi
# a FIFO: written to (a reader gets the page), still a FIFO
mkfifo "$tmp/out/fifo"
cat "$tmp/out/fifo" >"$tmp/fromfifo" &
reader=$!
"$bin" report -o "$tmp/out/fifo" 2>"$tmp/e"
rc=$?
# the reader ends either way: a run that failed before opening the FIFO (or replaced it
# by a file) never writes to it, so open and close it once for writing here
if [ -p "$tmp/out/fifo" ]; then exec 9<>"$tmp/out/fifo"; exec 9>&-; else kill "$reader" 2>/dev/null; fi
wait "$reader"
if [ "$rc" = 0 ] && [ -p "$tmp/out/fifo" ] && grep -q '</html>' "$tmp/fromfifo"; then ok
else bad "report -o FIFO: exit $rc: $(cat "$tmp/e")"; fi
rm -f "$tmp/out/fifo"

# a regular file is replaced whole and keeps its mode
printf 'old\n' >"$tmp/out/r.html"
chmod 600 "$tmp/out/r.html"
"$bin" report -o "$tmp/out/r.html" 2>/dev/null
if [ "$(stat -c %a "$tmp/out/r.html")" = 600 ] && grep -q '</html>' "$tmp/out/r.html"; then ok
else bad "report over a 0600 file: mode $(stat -c %a "$tmp/out/r.html")"; fi
printf 'old\n' >"$tmp/out/t.json"
chmod 640 "$tmp/out/t.json"
# shellcheck disable=SC2086
"$bin" $sim --trace "$tmp/out/t.json" >/dev/null
if [ "$(stat -c %a "$tmp/out/t.json")" = 640 ] && tail -c 4 "$tmp/out/t.json" | grep -q ']}'; then ok
else bad "trace over a 0640 file: mode $(stat -c %a "$tmp/out/t.json")"; fi
# a new file: 0666 less the umask
(umask 027 && "$bin" report -o "$tmp/out/new.html" 2>/dev/null)
if [ "$(stat -c %a "$tmp/out/new.html")" = 640 ]; then ok; else bad "new file mode $(stat -c %a "$tmp/out/new.html")"; fi
# a link: its target replaced, the link kept
ln -s r.html "$tmp/out/link.html"
"$bin" report -o "$tmp/out/link.html" 2>/dev/null
if [ -L "$tmp/out/link.html" ] && [ "$(stat -c %a "$tmp/out/r.html")" = 600 ]; then ok; else bad "-o a link"; fi
only_files "$tmp/out" r.html t.json new.html link.html && ok || bad "temporaries left in the output folder"

# the reason named: not "No such file" for a file that exists
"$bin" report -o /proc/version 2>"$tmp/e"
rc=$?
if [ "$rc" = 4 ] && ! grep -q "No such file" "$tmp/e" && grep -q "/proc/version" "$tmp/e"; then ok
else bad "report -o /proc/version: exit $rc: $(cat "$tmp/e")"; fi
"$bin" report -o "$tmp/out" 2>"$tmp/e"
if [ $? = 4 ] && grep -q "is a folder" "$tmp/e"; then ok; else bad "-o a folder: $(cat "$tmp/e")"; fi
"$bin" report -o "$tmp/none/r.html" 2>"$tmp/e"
if [ $? = 4 ] && grep -q "does not exist" "$tmp/e"; then ok; else bad "-o in no folder: $(cat "$tmp/e")"; fi

# --trace -: standard output is the trace alone (JSON), the summary goes to stderr
# shellcheck disable=SC2086
"$bin" $sim --trace - >"$tmp/trace.out" 2>"$tmp/trace.err"
if [ $? = 0 ] && python3 -c 'import json,sys; json.load(open(sys.argv[1]))["traceEvents"][0]' "$tmp/trace.out" &&
   grep -q "step time" "$tmp/trace.err"; then ok
else bad "--trace -: $(head -c 200 "$tmp/trace.err")"; fi

# signals: nothing left behind in TMPDIR or beside the output
"$bin" report -o - | head -c 1 >/dev/null                 # SIGPIPE: the reader stops early
"$bin" report -o - 2>/dev/null | true
only_files "$tmp/tmpdir" && ok || bad "report -o - | head left temporaries in TMPDIR"
(ulimit -f 8; "$bin" report -o "$tmp/out/big.html"; true) 2>/dev/null   # SIGXFSZ in the middle of the file
only_files "$tmp/out" r.html t.json new.html link.html && ok || bad "SIGXFSZ left a temporary"
only_files "$tmp/tmpdir" && ok || bad "SIGXFSZ left temporaries in TMPDIR"
if command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null; then
    # the signal arrives at the first write, when the report's temporary exists
    for sig in SIGTERM SIGINT SIGHUP; do
        strace -f -o /dev/null -e trace=write -e inject=write:signal=$sig:when=1 \
            "$bin" report -o "$tmp/out/sig.html" 2>/dev/null
        rc=$?
        if [ "$rc" -gt 128 ] && only_files "$tmp/out" r.html t.json new.html link.html &&
           only_files "$tmp/tmpdir"; then ok
        else bad "$sig: exit $rc, temporaries left"; fi
    done
else
    echo "skip: strace cannot trace here (the SIGXFSZ case above covers the handler)"
fi

# a full standard output: every subcommand exits 4 and says so
if [ -c /dev/full ]; then
    for c in "" "train" "train --json" "$sim" "facility" "facility --json" "topology" "topology --json" "catalog" \
             "catalog gpus" "catalog models llama3-8b" "collective --op allreduce" "collective --op allreduce --json" \
             "validate" "validate --json" "report -o -"; do
        # shellcheck disable=SC2086
        "$bin" $c >/dev/full 2>"$tmp/e"
        rc=$?
        if [ "$rc" = 4 ] && grep -q "No space left on device" "$tmp/e"; then ok
        else bad "aifsim $c >/dev/full: exit $rc: $(cat "$tmp/e")"; fi
    done
fi

echo "output: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
