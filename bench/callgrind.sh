#!/bin/sh
# callgrind.sh -- instructions per configuration of the analytical engine, sweep by
# sweep (bench/bench_estimate.c), counted by valgrind --tool=callgrind: stable on a
# busy machine where wall-clock figures are not.  Each sweep runs once with one
# pass and once with two; the difference of the two totals over the configurations
# of one pass is what a configuration costs, the process, catalog and scenario
# load excluded.  Not part of the tests.
#
# Usage: sh bench/callgrind.sh [build dir, default build] [sweep ...]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}/aifsim-bench
[ $# -gt 0 ] && shift
sweeps=${*:-405b pp=1 pp=4 pp=16 pp=64 pp=256 pp=1024}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ir() {   # total instructions of one run: sweep $1, $2 passes
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" "$bin" 0 "$1" "$2" ${AIFSIM_BENCH_MODE:-memo} \
        >"$tmp/out" 2>"$tmp/err"
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err"
}
echo "instructions per configuration (valgrind --tool=callgrind, $bin, ${AIFSIM_BENCH_MODE:-memo}):"
for sw in $sweeps; do
    one=$(ir "$sw" 1)
    evals=$(sed -n 's/.*"evaluations": \([0-9]*\).*/\1/p' "$tmp/out")
    valid=$(sed -n 's/.*"valid": \([0-9]*\).*/\1/p' "$tmp/out")
    two=$(ir "$sw" 2)
    echo "$sw $one $two $evals $valid" |
        awk '{printf "  %-8s %9.0f per configuration, %9.0f per valid one (%d configurations a pass, %d valid)\n",
                   $1, ($3 - $2) / $4, ($3 - $2) / $5, $4, $5}'
done
