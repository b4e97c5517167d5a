#!/bin/sh
# test_writers.sh -- writers format, they never compute: no file of src/report/
# runs an engine, a lowering, a search, a model of compute, network, facility or
# money, or includes a header of the layers that do (engine/, hw/, net/,
# workload/, search/).  They receive results (include/aifsim/run.h,
# aif_graph_timing for the step graph).  usage: test_writers.sh SRCDIR
set -u
src=$1
dir=$src/src/report
pass=0
fail=0
calls='\baif_(estimate|simulate|run_|search_|graph_lower|graph_stage|segment_time|result_derive|memory_estimate|memory_advice|compute_time|coll_sim|collective_time|busbw_factor|mm_|pats_|topo_build|topo_route|facility_eval|facility_apply_limits|cost_eval|site_power_|energy_J)[A-Za-z0-9_]*[[:space:]]*\('
includes='^[[:space:]]*#[[:space:]]*include[[:space:]]*"(engine|hw|net|workload|search)/'
for f in "$dir"/*.c "$dir"/*.h; do
    [ -e "$f" ] || continue
    # comments name these functions freely: look at code only (block and line comments dropped)
    code=$(sed -e 's://.*$::' "$f" | awk '
        { line = $0; out = "";
          while (length(line)) {
              if (inc) { i = index(line, "*/"); if (!i) { line = ""; break } line = substr(line, i + 2); inc = 0 }
              i = index(line, "/*"); if (!i) { out = out line; break }
              out = out substr(line, 1, i - 1); line = substr(line, i + 2); inc = 1
          }
          print out }')
    hits=$(printf '%s\n' "$code" | grep -nE "$calls|$includes")
    if [ -n "$hits" ]; then
        echo "FAIL: ${f#"$src"/} computes instead of formatting:"
        printf '%s\n' "$hits" | head -5
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
[ "$pass" -gt 0 ] || { echo "FAIL: no writer found under $dir"; fail=$((fail + 1)); }
echo "writers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
