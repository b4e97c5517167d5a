#!/bin/sh
# run.sh -- builds aifsim in Release mode and measures the analytical engine:
# configurations evaluated per wall-second on one core (median of 5 runs, per sweep:
# the 405B sweep and pp 1 to 1,024, see bench/bench_estimate.c) and instructions per
# configuration (bench/callgrind.sh, where valgrind is installed), the max-min solver
# (bench/bench_maxmin.c), the trace readers (bench/bench_jobs.c), the built-in catalogs' load, one CLI call's wall time
# (bench/cli_call.sh), the many-job cluster (bench/bench_cluster.c), and the wall time and peak memory of the default job.
# Not part of the tests.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j "$(nproc)" >/dev/null
echo "estimate engine, one core (taskset -c 0), 5 runs (configurations per wall-second of each sweep, through"
echo "  an estimate memo emptied at every pass; 'aifsim-bench 2 \"\" 0 plain' for aif_estimate alone):"
for i in 1 2 3 4 5; do
    taskset -c 0 "$root/build-bench/aifsim-bench" 2
done > /tmp/aifsim-bench.$$
# the median of the five runs, per sweep (405b, pp=1 ... pp=1024)
for sw in $(sed -n 's/.*"sweep": "\([^"]*\)".*/\1/p' /tmp/aifsim-bench.$$ | awk '!seen[$0]++'); do
    grep "\"sweep\": \"$sw\"" /tmp/aifsim-bench.$$ |
        sed 's/.*"evals_per_s": \([0-9]*\), "valid_evals_per_s": \([0-9]*\), "us_per_eval": \([0-9.]*\).*/\1 \2 \3/' |
        sort -n | sed -n 3p |
        awk -v sw="$sw" '{printf "  %-8s median %9d configurations/s (%d valid/s), %.2f us each\n", sw, $1, $2, $3}'
done
rm -f /tmp/aifsim-bench.$$
if command -v valgrind >/dev/null 2>&1; then
    # the steady figure on a shared machine: instructions per configuration
    sh "$root/bench/callgrind.sh" "$root/build-bench" 405b pp=1 pp=1024
fi
echo "best-layout search, one core, 5 runs (Llama 3 405B on 16,384 H100, every layout; bench/bench_search.c):"
taskset -c 0 "$root/build-bench/aifsim-bench-search" 5
if [ -x /usr/bin/time ]; then
    echo "  user CPU seconds of one search (process included: catalogs and scenario load):"
    for i in 1 2 3; do /usr/bin/time -f "    %U s user" taskset -c 0 "$root/build-bench/aifsim-bench-search" 1 >/dev/null; done
fi
echo "max-min fair flow solver, one core, 3 runs (4096 hosts, 65536 flows):"
for i in 1 2 3; do
    taskset -c 0 "$root/build-bench/aifsim-bench-maxmin" 4096 65536
done
echo "serving simulator, one core, 3 runs (1,000,000 requests each, bench/bench_serve.c):"
for i in 1 2 3; do
    taskset -c 0 "$root/build-bench/aifsim-bench-serve" 1000000
done
echo "cluster job traces, one core (bench/bench_jobs.c: 1,000,000 Helios rows, 100,000 Philly jobs, best of 3):"
taskset -c 0 "$root/build-bench/aifsim-bench-jobs" 1000000
echo "many-job cluster, one core, 3 runs (1,000,000 jobs on 100,000 GPUs; the default job over 54 days, bench/bench_cluster.c):"
for i in 1 2 3; do
    taskset -c 0 "$root/build-bench/aifsim-bench-cluster" 1000000
done
echo "built-in catalogs and the default scenario, in process, one core:"
taskset -c 0 "$root/build-bench/aifsim-bench-catalog" 100
sh "$root/bench/cli_call.sh" "$root/build-bench/aifsim" 200
if [ -x /usr/bin/time ]; then
    echo "default job (aifsim with no arguments):"
    /usr/bin/time -f "  wall %e s, peak RSS %M KiB" "$root/build-bench/aifsim" >/dev/null
fi
