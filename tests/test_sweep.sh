#!/bin/sh
# test_sweep.sh -- aifsim sweep (docs/SWEEPS.md): rows and columns of the store, points
# the model rejects as rows with their error, the same store whatever the number of
# threads or MPI ranks, a sweep killed with SIGKILL and started again equal to one run
# uninterrupted, two sweeps writing one store at once, a changed base making new
# points, CSV, progress, and malformed sweep files (tests/bad/sweep/) rejected at
# file:line:col with their field.
# usage: test_sweep.sh AIFSIM SRCDIR
set -u
bin=$1
src=$2
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

if ! command -v sqlite3 >/dev/null 2>&1; then
    echo "test_sweep: sqlite3 (the shell) is needed to read the stores: apt-get install sqlite3"
    exit 1
fi
q() { sqlite3 -cmd '.timeout 5000' "$1" "$2"; }   # waits out the sweep's write lock, not an error
# The rows of a table sorted by key, every column but the timing (eval_s), columns by name.
dump() {
    cols=$(sqlite3 "$1" "SELECT '\"' || name || '\"' FROM pragma_table_info('$2') WHERE name <> 'eval_s' ORDER BY name" |
        paste -sd, -)
    sqlite3 "$1" "SELECT $cols FROM \"$2\" ORDER BY key"
}
sw=$src/tests/sweep

# ---- a small sweep: 18 points, 6 rejected (tp 3 on 32, 64 or 128 GPUs), the zip moving together
"$bin" sweep "$sw/small.yaml" --out "$tmp/a.db" --jobs 1 >"$tmp/out" 2>"$tmp/err"
if [ $? -eq 0 ]; then ok; else bad "small sweep: $(cat "$tmp/err")"; fi
[ "$(q "$tmp/a.db" 'SELECT count(*), count(error) FROM train')" = "18|6" ] && ok ||
    bad "small sweep: rows|errors $(q "$tmp/a.db" 'SELECT count(*), count(error) FROM train'), expected 18|6"
# a rejected point is a row with the model's message, naming the numbers
q "$tmp/a.db" "SELECT error FROM train WHERE \"train.tp\" = 3 AND \"cluster.gpus\" = 64 LIMIT 1" >"$tmp/e"
grep -qF "train.tp: gpus 64 is not divisible by tp*pp*cp = 3*1*1 = 3" "$tmp/e" && ok || bad "rejected row: $(cat "$tmp/e")"
# the zipped axes move together: 32 GPUs with 128 sequences, never with 256
[ "$(q "$tmp/a.db" 'SELECT count(*) FROM train WHERE "cluster.gpus" = 32 AND "train.gbs" <> 128')" = 0 ] && ok ||
    bad "zip: cluster.gpus 32 met another train.gbs than 128"
# a column per axis and per field of train --json (by its path), typed
[ "$(q "$tmp/a.db" "SELECT typeof(\"cluster.gpus\"), typeof(\"cluster.gpu\"), typeof(step_time_s), typeof(\"facility.pue\"), typeof(\"inputs.model\") FROM train WHERE error IS NULL LIMIT 1")" = "integer|text|real|real|text" ] && ok ||
    bad "columns: $(q "$tmp/a.db" "SELECT typeof(\"cluster.gpus\"), typeof(\"cluster.gpu\"), typeof(step_time_s), typeof(\"facility.pue\"), typeof(\"inputs.model\") FROM train WHERE error IS NULL LIMIT 1")"
# each point's result is the one aifsim train prints for the same settings
want=$("$bin" train "$sw/base.yaml" --set train.recompute=selective --tp 2 --gpu b200 --gpus 64 --gbs 256 --json |
    sed -n 's/^  "step_time_s": \(.*\),$/\1/p')
got=$(q "$tmp/a.db" "SELECT step_time_s FROM train WHERE \"train.tp\" = 2 AND \"cluster.gpu\" = 'b200' AND \"cluster.gpus\" = 64")
awk -v a="$want" -v b="$got" 'BEGIN { exit !(a != "" && (a - b) * (a - b) < 1e-18 * a * a) }' && ok ||
    bad "the row's step_time_s $got is not aifsim train's $want"
# an index on the axes; WAL mode
q "$tmp/a.db" "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'train'" | grep -qF '"train.tp", "cluster.gpu", "cluster.gpus", "train.gbs"' && ok ||
    bad "no index on the axes"
[ "$(q "$tmp/a.db" 'PRAGMA journal_mode')" = wal ] && ok || bad "the store is not in WAL mode"
# the summary; nothing on stderr for a short sweep off a terminal
grep -q "run       18, 6 of them rejected by the model" "$tmp/out" && ok || bad "summary: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] && ok || bad "a short sweep printed progress on a pipe: $(cat "$tmp/err")"

# ---- run again: every point is stored, nothing runs
"$bin" sweep "$sw/small.yaml" --out "$tmp/a.db" --json >"$tmp/out" 2>"$tmp/err"
grep -q '"stored_before": 18' "$tmp/out" && grep -q '"run": 0' "$tmp/out" && ok || bad "rerun: $(cat "$tmp/out" "$tmp/err")"
[ ! -s "$tmp/err" ] && ok || bad "--json printed progress: $(cat "$tmp/err")"

# ---- the same store whatever the number of threads
"$bin" sweep "$sw/resume.yaml" --out "$tmp/j1.db" --jobs 1 >/dev/null 2>&1
"$bin" sweep "$sw/resume.yaml" --out "$tmp/j3.db" --jobs 3 --csv "$tmp/j3.csv" >/dev/null 2>&1
dump "$tmp/j1.db" train >"$tmp/j1.txt"
dump "$tmp/j3.db" train >"$tmp/j3.txt"
n=$(wc -l <"$tmp/j1.txt")
[ "$n" -eq 4800 ] && ok || bad "resume.yaml: $n rows, expected 4800"
cmp -s "$tmp/j1.txt" "$tmp/j3.txt" && ok || bad "--jobs 1 and --jobs 3 stores differ"
# CSV: a header and a row per point
[ "$(wc -l <"$tmp/j3.csv")" -eq 4801 ] && ok || bad "CSV: $(wc -l <"$tmp/j3.csv") lines, expected 4801"
head -1 "$tmp/j3.csv" | grep -q '^key,point,error,eval_s,cluster.gpus,train.tp,.*,step_time_s,' && ok ||
    bad "CSV header: $(head -1 "$tmp/j3.csv" | cut -c1-200)"

# ---- the sweep report: its time-cost Pareto front has the points no other point beats
# on both (brute force in SQL over the same store)
"$bin" report --sweep "$tmp/j1.db" -o "$tmp/r.html" 2>"$tmp/err"
got=$(sed -n 's/.*the Pareto front (\([0-9]*\) points of time against cost).*/\1/p' "$tmp/r.html")
want=$(q "$tmp/j1.db" 'SELECT count(*) FROM train a WHERE a.error IS NULL AND NOT EXISTS (SELECT 1 FROM train b
    WHERE b.error IS NULL AND b."facility.run_days" <= a."facility.run_days" AND b."cost.owned_usd" <= a."cost.owned_usd"
    AND (b."facility.run_days" < a."facility.run_days" OR b."cost.owned_usd" < a."cost.owned_usd"))')
[ -n "$got" ] && [ "$got" = "$want" ] && ok || bad "sweep report: front of $got points, brute force $want ($(cat "$tmp/err"))"
[ "$(grep -c '<svg' "$tmp/r.html")" = $((2 + 7)) ] && ok || bad "sweep report: $(grep -c '<svg' "$tmp/r.html") plots, expected 2 fronts + 7 axes"
sqlite3 "$tmp/empty.db" "CREATE TABLE other (a)"
"$bin" report --sweep "$tmp/empty.db" -o "$tmp/r.html" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "no training sweep" "$tmp/err" && ok || bad "report --sweep of a store without a train table: $(cat "$tmp/err")"

# ---- killed with SIGKILL half way, then started again: the same rows as one uninterrupted run
# (a loaded machine can let the sweep finish between two polls: then it is started again on a
# fresh store, up to three times, so that the case is always a kill half way)
for try in 1 2 3; do
    rm -f "$tmp/k.db" "$tmp/k.db-wal" "$tmp/k.db-shm" "$tmp/k.db-journal"
    "$bin" sweep "$sw/resume.yaml" --out "$tmp/k.db" --jobs 2 >/dev/null 2>&1 &
    pid=$!
    # poll until the first batch is stored, bounded by wall time (not by a count of polls: on a
    # loaded machine the sweep may take seconds to store its first batch) and by the sweep's life
    start=$(date +%s)
    while kill -0 "$pid" 2>/dev/null && [ $(($(date +%s) - start)) -lt 300 ]; do
        n=$(q "$tmp/k.db" 'SELECT count(*) FROM train' 2>/dev/null || echo 0)
        [ "${n:-0}" -gt 0 ] && break
        sleep 0.01
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    killed_at=$(q "$tmp/k.db" 'SELECT count(*) FROM train')
    [ "${killed_at:-0}" -lt 4800 ] && break
done
if [ "$killed_at" -gt 0 ] && [ "$killed_at" -lt 4800 ]; then ok; else
    bad "the sweep was not killed half way ($killed_at of 4800 rows stored)"; fi
[ "$(q "$tmp/k.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity after SIGKILL"
"$bin" sweep "$sw/resume.yaml" --out "$tmp/k.db" --jobs 2 --json >"$tmp/out" 2>&1
grep -q "\"stored_before\": $killed_at," "$tmp/out" && ok || bad "resume did not skip the $killed_at stored: $(cat "$tmp/out")"
dump "$tmp/k.db" train >"$tmp/k.txt"
cmp -s "$tmp/j1.txt" "$tmp/k.txt" && ok || bad "killed and resumed store differs from the uninterrupted one"

# ---- two sweeps writing one store at once: nothing lost, nothing twice, intact
"$bin" sweep "$sw/resume.yaml" --out "$tmp/c.db" --jobs 1 >/dev/null 2>"$tmp/c1" &
p1=$!
"$bin" sweep "$sw/small.yaml" --out "$tmp/c.db" --jobs 1 >/dev/null 2>"$tmp/c2" &
p2=$!
"$bin" sweep "$sw/resume.yaml" --out "$tmp/c.db" --jobs 1 >/dev/null 2>"$tmp/c3"
r3=$?
wait "$p1"
r1=$?
wait "$p2"
r2=$?
[ "$r1$r2$r3" = 000 ] && ok || bad "concurrent sweeps: exit $r1 $r2 $r3: $(cat "$tmp/c1" "$tmp/c2" "$tmp/c3")"
[ "$(q "$tmp/c.db" 'SELECT count(*), count(DISTINCT key) FROM train')" = "4818|4818" ] && ok ||
    bad "concurrent sweeps: rows|keys $(q "$tmp/c.db" 'SELECT count(*), count(DISTINCT key) FROM train'), expected 4818|4818"
[ "$(q "$tmp/c.db" 'PRAGMA integrity_check')" = ok ] && ok || bad "integrity after concurrent sweeps"

# ---- a changed base is a new point: its key hashes the base's content
mkdir "$tmp/b"
cp "$sw/small.yaml" "$sw/base.yaml" "$tmp/b/"
"$bin" sweep "$tmp/b/small.yaml" --out "$tmp/b.db" >/dev/null 2>&1
sed -i 's/seq: 4096/seq: 8192/' "$tmp/b/base.yaml"
"$bin" sweep "$tmp/b/small.yaml" --out "$tmp/b.db" --json >"$tmp/out" 2>&1
grep -q '"stored_before": 0,' "$tmp/out" && [ "$(q "$tmp/b.db" 'SELECT count(*) FROM train')" = 36 ] && ok ||
    bad "a changed base did not make new points: $(cat "$tmp/out")"

# ---- the other commands: the site (the site alone where the job does not load), serving
"$bin" sweep "$sw/facility.yaml" --out "$tmp/f.db" >/dev/null 2>"$tmp/err"
[ "$(q "$tmp/f.db" 'SELECT count(*), count(error), count("facility.pue"), sum(job_run = 0) FROM facility')" = "8|0|8|4" ] && ok ||
    bad "facility sweep: $(q "$tmp/f.db" 'SELECT count(*), count(error), count("facility.pue"), sum(job_run = 0) FROM facility') $(cat "$tmp/err")"
"$bin" sweep "$sw/infer.yaml" --out "$tmp/i.db" >/dev/null 2>"$tmp/err"
[ "$(q "$tmp/i.db" 'SELECT count(*), count(error), count(ttft_p99_s) FROM infer')" = "4|0|4" ] && ok ||
    bad "infer sweep: $(q "$tmp/i.db" 'SELECT count(*), count(error), count(ttft_p99_s) FROM infer') $(cat "$tmp/err")"

# ---- MPI: two ranks on this machine give the store one process gives
if command -v mpirun >/dev/null 2>&1; then
    if "$bin" sweep --help | grep -q "^MPI in this build: yes"; then
        # Open MPI keeps some allocations to the end of the process: no leak check under it
        ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" mpirun --allow-run-as-root --oversubscribe -np 2 \
            "$bin" sweep "$sw/small.yaml" --out "$tmp/m.db" --jobs 1 >"$tmp/out" 2>"$tmp/err"
        if [ $? -eq 0 ]; then ok; else bad "mpirun -np 2: $(cat "$tmp/out" "$tmp/err")"; fi
        [ "$(grep -c '^aifsim .*: sweep' "$tmp/out")" = 1 ] && ok || bad "mpirun: the summary not printed once: $(cat "$tmp/out")"
        dump "$tmp/a.db" train >"$tmp/a.txt"
        dump "$tmp/m.db" train >"$tmp/m.txt"
        cmp -s "$tmp/a.txt" "$tmp/m.txt" && ok || bad "the 2-rank store differs from the one-process store"
        ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" mpirun --allow-run-as-root --oversubscribe -np 3 \
            "$bin" sweep "$sw/resume.yaml" --out "$tmp/m3.db" --jobs 1 >/dev/null 2>"$tmp/err"
        dump "$tmp/m3.db" train >"$tmp/m3.txt"
        cmp -s "$tmp/j1.txt" "$tmp/m3.txt" && ok || bad "the 3-rank store of resume.yaml differs: $(cat "$tmp/err")"
    else
        echo "SKIP: MPI sweeps: this build has no MPI ($("$bin" sweep --help | sed -n 's/^MPI in this build: //p'))"
    fi
else
    echo "SKIP: MPI sweeps: mpirun not found (apt-get install openmpi-bin libopenmpi-dev)"
fi

# ---- command-line errors
"$bin" sweep "$sw/small.yaml" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "out RESULTS.db is needed" "$tmp/err" && ok || bad "no --out: $(cat "$tmp/err")"
"$bin" sweep "$sw/small.yaml" --out "$tmp/x.db" --jobs 0 >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q -- "--jobs" "$tmp/err" && ok || bad "--jobs 0: $(cat "$tmp/err")"
"$bin" sweep "$sw/small.yaml" --out "$tmp/nodir/x.db" >/dev/null 2>"$tmp/err"
[ $? -eq 4 ] && grep -q "x.db" "$tmp/err" && ok || bad "an unwritable store: $(cat "$tmp/err")"

# ---- malformed sweep files: each names its file:line:col, its field and what is wrong
n_bad=0
for f in "$src"/tests/bad/sweep/*.yaml; do
    field=$(sed -n 's/^# expect-field: //p' "$f")
    want=$(sed -n 's/^# expect: //p' "$f")
    at=$(sed -n 's/^# expect-at: //p' "$f")
    "$bin" sweep "$f" --out "$tmp/bad.db" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    n_bad=$((n_bad + 1))
    if [ $rc -ne 2 ]; then
        bad "$f: exit $rc, expected 2 ($(cat "$tmp/err"))"
    elif ! grep -qF -- "$want" "$tmp/err" || ! grep -qF -- "$field" "$tmp/err" ||
        ! grep -qF -- "$(basename "$f"):$at:" "$tmp/err"; then
        bad "$f: stderr lacks '$(basename "$f"):$at:' / '$field' / '$want': $(cat "$tmp/err")"
    else
        ok
    fi
done
[ "$n_bad" -ge 10 ] && ok || bad "only $n_bad malformed sweep files"
[ ! -e "$tmp/bad.db" ] && ok || bad "a malformed sweep file created the store"

# a cluster sweep: two policies on a synthetic load, one row each, equal to aifsim cluster
cat >"$tmp/cs.yaml" <<'EOS'
base: default
command: cluster
set:
  operations.load: synthetic
  operations.horizon: 1d
  operations.synthetic.jobs: 300
  operations.synthetic.rate_per_h: 400
axes:
  operations.policy: [fifo, sjf]
EOS
if "$bin" sweep "$tmp/cs.yaml" --out "$tmp/cs.db" --jobs 1 --json >/dev/null 2>"$tmp/err"; then
    n=$(q "$tmp/cs.db" "select count(*) from cluster where error is null or error = ''")
    [ "$n" = 2 ] && ok || bad "cluster sweep: $n rows without error, expected 2"
    a=$(q "$tmp/cs.db" "select jct_mean_s from cluster where \"operations.policy\" = 'sjf'")
    b=$("$bin" cluster --set operations.load=synthetic --set operations.horizon=1d \
        --set operations.synthetic.jobs=300 --set operations.synthetic.rate_per_h=400 --policy sjf --json |
        sed -n 's/.*"jct_mean_s": *\([0-9.e+-]*\).*/\1/p' | head -1)
    awk -v a="$a" -v b="$b" 'BEGIN { exit !(a > 0 && (a - b) * (a - b) <= 1e-12 * b * b) }' && ok ||
        bad "cluster sweep: sjf jct_mean_s $a, aifsim cluster says $b"
else
    bad "cluster sweep: $(cat "$tmp/err")"
fi

echo "sweep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
