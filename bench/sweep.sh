#!/bin/sh
# sweep.sh -- points per second of a 100,000-point analytical training sweep
# (bench/sweep-100k.yaml: Llama 3 70B, GPUs x tp x pp x micro-batch x batch x sequence x
# optimizer x precision), with one thread and with two, each into a new store; and the
# cost of linking libmpi into a program (why MPI is a plugin, docs/SWEEPS.md).  Not
# part of the tests.
# usage: bench/sweep.sh [AIFSIM]   (default: builds build-bench/)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -ge 1 ]; then
    bin=$1
else
    cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_TESTS=OFF >/dev/null
    cmake --build "$root/build-bench" -j "$(nproc)" --target aifsim >/dev/null
    bin=$root/build-bench/aifsim
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for jobs in 1 2; do
    "$bin" sweep "$root/bench/sweep-100k.yaml" --out "$tmp/j$jobs.db" --jobs "$jobs" --json >"$tmp/out"
    python3 - "$tmp/out" "$jobs" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print("--jobs %s: %d points (%d rejected by the model) in %.2f s: %.0f points/s"
      % (sys.argv[2], r["run"], r["rejected"], r["elapsed_s"], r["points_per_s"]))
PY
done
# the price of libmpi in every process: an empty program with and without it
if command -v mpicc >/dev/null 2>&1; then
    printf 'int main(int c, char **v) { (void)v; return c > 99; }\n' >"$tmp/n.c"
    printf '#include <mpi.h>\nint main(int c, char **v) { if (c > 99) MPI_Init(&c, &v); return 0; }\n' >"$tmp/m.c"
    cc -O2 "$tmp/n.c" -o "$tmp/n" && mpicc -O2 "$tmp/m.c" -o "$tmp/m"
    python3 - "$tmp/n" "$tmp/m" <<'PY'
import subprocess, sys, time
def median(prog, runs=300):
    t = []
    for _ in range(runs):
        s = time.perf_counter(); subprocess.run([prog]); t.append(time.perf_counter() - s)
    return sorted(t)[len(t) // 2]
a, b = median(sys.argv[1]), median(sys.argv[2])
print("starting an empty program: %.2f ms; linked with libmpi: %.2f ms (+%.2f ms)" % (a * 1e3, b * 1e3, (b - a) * 1e3))
PY
fi
