#!/bin/sh
# sim_scaling.sh -- wall time and peak memory of `aifsim train --engine sim` on the
# default job (Llama 3 405B, TP8 PP16 VPP2, 16 microbatches per pipeline) as the
# cluster grows from 1,024 to 1,048,576 GPUs (data parallelism grows with it),
# one core, and the growth exponent of wall time against GPU count (least squares
# on log-log).  Usage: sh bench/sim_scaling.sh [RUNS] [MAX_GPUS].  Not part of the tests.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
max=${2:-1048576}
"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_TESTS=OFF >/dev/null
cmake --build "$root/build-bench" -j "$(nproc)" >/dev/null
out=$(mktemp)
echo "gpus  wall_s(median of $runs)  peak_rss_MiB  step_s"
for n in 1024 4096 16384 65536 131072 262144 524288 1048576; do
    [ "$n" -le "$max" ] || break
    gbs=$((n / 8))
    : > "$out.runs"
    i=0
    while [ $i -lt "$runs" ]; do
        /usr/bin/time -f "%e %M" -o "$out.t" taskset -c 0 "$root/build-bench/aifsim" train default --engine sim \
            --gpus $n --gbs $gbs --json > "$out.json" 2>/dev/null
        cat "$out.t" >> "$out.runs"
        i=$((i + 1))
    done
    med=$(sort -n "$out.runs" | awk -v r="$runs" 'NR == int((r + 1) / 2) {print $1, $2}')
    step=$(sed -n 's/.*"step_time_s": \([0-9.]*\).*/\1/p' "$out.json" | head -1)
    echo "$n $med $step" | awk '{printf "%8d  %8.2f  %8.0f  %s\n", $1, $2, $3 / 1024, $4}' | tee -a "$out"
done
awk '{x = log($1); y = log($2); n++; sx += x; sy += y; sxx += x * x; sxy += x * y}
     END {if (n > 1) printf "growth exponent (wall ~ gpus^k): k = %.2f\n", (n * sxy - sx * sy) / (n * sxx - sx * sx)}' "$out"
rm -f "$out" "$out.runs" "$out.t" "$out.json"
