#!/bin/sh
# cli_call.sh -- the wall time of one `aifsim` call as a user pays it: process start,
# loading the shared libraries, the built-in catalogs, the default scenario, the
# model and the output.  Median of many calls (hyperfine when installed, else a
# timed loop in python3), pinned to one core, beside an empty program (/bin/true) as
# the floor of starting any process.  Not part of the tests.
# usage: bench/cli_call.sh [AIFSIM [RUNS]]   (default: builds build-bench/, 200 runs)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${2:-200}
if [ $# -ge 1 ]; then
    bin=$1
else
    cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_TESTS=OFF >/dev/null
    cmake --build "$root/build-bench" -j "$(nproc)" --target aifsim >/dev/null
    bin=$root/build-bench/aifsim
fi
pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

echo "median wall time of one call over $runs runs ($bin):"
if command -v hyperfine >/dev/null 2>&1; then
    json=$(mktemp)
    trap 'rm -f "$json"' EXIT
    # -N: no intermediate shell, so the figure is the call alone
    $pin hyperfine -N --warmup 20 --runs "$runs" --export-json "$json" \
        "/bin/true" "$bin train --json" "$bin catalog gpus" "$bin train" >/dev/null 2>&1
    python3 - "$json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("  %-40s median %6.2f ms  (min %.2f, mean %.2f)" % (r["command"].split("/")[-1], r["median"] * 1e3,
                                                          r["min"] * 1e3, r["mean"] * 1e3))
PY
else
    $pin python3 - "$bin" "$runs" <<'PY'
import statistics, subprocess, sys, time
bin, runs = sys.argv[1], int(sys.argv[2])
for cmd in (["/bin/true"], [bin, "train", "--json"], [bin, "catalog", "gpus"], [bin, "train"]):
    times = []
    for i in range(runs + 20):
        t = time.perf_counter_ns()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        if i >= 20:                      # the first 20 warm the page cache
            times.append((time.perf_counter_ns() - t) / 1e6)
    print("  %-40s median %6.2f ms  (min %.2f, mean %.2f)" % (" ".join(cmd).split("/")[-1], statistics.median(times),
                                                          min(times), statistics.mean(times)))
PY
fi
echo "shared libraries the call loads: $(ldd "$bin" | wc -l) (ldd $bin)"
