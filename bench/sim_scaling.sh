#!/bin/sh
# sim_scaling.sh -- wall time, CPU time and peak memory of `aifsim train --engine sim`
# on the default job (Llama 3 405B, TP8 PP16 VPP2, 16 microbatches per pipeline) as
# the cluster grows from 1,024 to 1,048,576 GPUs (data parallelism grows with it,
# the global batch too, so every size runs the same per-GPU step), one core, on five
# networks:
#   nonblocking  the default fabric (1:1), ECMP (--routing ecmp)
#   over4        4:1 oversubscribed at the leaf (--oversubscription 4), ECMP
#   adaptive     adaptive routing (--routing adaptive: InfiniBand's own, what the default
#                fabric, ib-ndr, runs since routing auto takes the fabric's)
#   failed1      1% of the switch-to-switch cables down (--failed-links, the count
#                read from `aifsim topology --json` at each size), ECMP
#   full         every data-parallel replica its own timeline (--full), up to
#                FULL_MAX GPUs (default 16384: 131,072 takes minutes), ECMP
# (ECMP named, as every case was run before InfiniBand fabrics routed adaptively by default,
# so that the figures of docs/PERFORMANCE.md compare.)
# Wall time is taken with nanosecond timestamps around each run (date +%s%N, not
# /usr/bin/time's 10 ms); user and system CPU time and peak RSS from /usr/bin/time
# (cpu_s = user + system; user_s alone is the figure least moved by other work on
# the machine, system time being mostly page faults of the first touch of memory).
# Each figure is the median of RUNS runs.  The machine may be shared: CPU time is
# the steadier figure when other work competes for the core.  The growth exponent
# is the least-squares slope of log wall time on log GPUs over the sizes of at
# least 65,536 GPUs (below that the fixed cost of a run dominates), and over all.
#
# Usage: sh bench/sim_scaling.sh [RUNS] [MAX_GPUS] [CASES...]     (not part of the tests)
#   e.g. sh bench/sim_scaling.sh 3 131072 nonblocking over4
# SIZES="131072 1048576" runs only those sizes (default: 1,024 to MAX_GPUS by 4x, then 2x).
# AIFSIM_BIN=build/aifsim uses that binary instead of building build-bench/.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
max=${2:-1048576}
[ $# -gt 2 ] && shift 2 || set --
cases=${*:-nonblocking over4 adaptive failed1 full}
full_max=${FULL_MAX:-16384}
if [ -n "${AIFSIM_BIN:-}" ]; then   # an aifsim already built (Release), e.g. build/aifsim
    bin=$AIFSIM_BIN
else
    "$root/scripts/install-deps.sh"
    cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DAIFSIM_TESTS=OFF >/dev/null
    cmake --build "$root/build-bench" -j "$(nproc)" >/dev/null
    bin="$root/build-bench/aifsim"
fi
out=$(mktemp)
trap 'rm -f "$out" "$out".*' EXIT

# 1% of the switch-to-switch cables (two directed links each) at n GPUs
failed_count() {
    "$bin" topology --set cluster.gpus="$1" --json |
        awk -F'[:,]' '/"leaf-spine"|"spine-core"/ {s += $2} END {printf "%d\n", s / 2 / 100}'
}

for c in $cases; do
    echo "== $c: gpus  wall_s  cpu_s  user_s  peak_rss_MiB  step_s  (medians of $runs)"
    : > "$out.fit"
    for n in ${SIZES:-1024 4096 16384 65536 131072 262144 524288 1048576}; do
        [ "$n" -le "$max" ] || break
        case $c in
            nonblocking) extra="--routing ecmp" ;;
            over4) extra="--oversubscription 4 --routing ecmp" ;;
            adaptive) extra="--routing adaptive" ;;
            failed1) extra="--failed-links $(failed_count $n) --routing ecmp" ;;
            full) [ "$n" -le "$full_max" ] || break; extra="--full --routing ecmp" ;;
            *) echo "unknown case $c" >&2; exit 2 ;;
        esac
        : > "$out.runs"
        i=0
        while [ $i -lt "$runs" ]; do
            t0=$(date +%s%N)
            # shellcheck disable=SC2086
            /usr/bin/time -f "%U %S %M" -o "$out.t" taskset -c 0 "$bin" train default --engine sim \
                --gpus $n --gbs $((n / 8)) $extra --json > "$out.json" 2>/dev/null
            t1=$(date +%s%N)
            awk -v w="$(( (t1 - t0) / 1000 ))" '{printf "%.6f %.2f %d %.2f\n", w / 1e6, $1 + $2, $3, $1}' "$out.t" >> "$out.runs"
            i=$((i + 1))
        done
        mid=$(( (runs + 1) / 2 ))
        wall=$(sort -n -k1 "$out.runs" | sed -n "${mid}p" | cut -d' ' -f1)
        cpu=$(sort -n -k2 "$out.runs" | sed -n "${mid}p" | cut -d' ' -f2)
        rss=$(sort -n -k3 "$out.runs" | sed -n "${mid}p" | cut -d' ' -f3)
        user=$(sort -n -k4 "$out.runs" | sed -n "${mid}p" | cut -d' ' -f4)
        step=$(sed -n 's/.*"step_time_s": \([0-9.]*\).*/\1/p' "$out.json" | head -1)
        printf "%8d  %8.3f  %6.2f  %6.2f  %8.0f  %s\n" "$n" "$wall" "$cpu" "$user" "$((rss / 1024))" "$step"
        echo "$n $wall" >> "$out.fit"
    done
    awk '{x = log($1); y = log($2); n++; sx += x; sy += y; sxx += x * x; sxy += x * y
          if ($1 >= 65536) {m++; tx += x; ty += y; txx += x * x; txy += x * y}}
         END {if (n > 1) printf "   growth exponent (wall ~ gpus^k): k = %.2f over all sizes", (n * sxy - sx * sy) / (n * sxx - sx * sx)
              if (m > 1) printf ", %.2f from 65,536 GPUs", (m * txy - tx * ty) / (m * txx - tx * tx)
              if (n > 1) printf "\n"}' "$out.fit"
done
