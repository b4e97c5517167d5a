#!/bin/sh
# test_layers.sh -- the layering holds: no file of src/ includes a header of a layer
# above its own, private (src/LAYER/x.h) or public (include/aifsim/x.h, each public
# header belongs to the layer that implements it).  Data flows down: a higher layer
# passes explicit inputs to a lower one, never the other way (docs/ARCHITECTURE.md).
# usage: test_layers.sh SRCDIR
set -u
src=$1
pass=0
fail=0

# rank of a layer (a folder of src/); equal ranks may include each other
rank() {
    case $1 in
    base) echo 0 ;; scenario) echo 1 ;; ir) echo 2 ;; hw | net) echo 3 ;; workload) echo 4 ;;
    engine) echo 5 ;; search | serve | ops) echo 6 ;; facility | econ) echo 7 ;; pipeline) echo 8 ;;
    validate | sweep) echo 9 ;; report) echo 10 ;; api) echo 11 ;; cli) echo 12 ;; *) echo 99 ;;
    esac
}
# the layer a public header belongs to
public_layer() {
    case $1 in
    aifsim.h | units.h | version.h) echo base ;; names.h | facility_data.h) echo scenario ;;
    serve.h) echo scenario ;;   # the serve section's types and names (plain data inside aif_scenario)
    cluster.h) echo scenario ;;   # the operations section's types and names (plain data inside aif_scenario)
    graph.h) echo ir ;;   # the step graph's types: the contract between workloads and engines
    network.h | collective.h) echo net ;; sim.h) echo engine ;; search.h) echo search ;;
    facility.h) echo facility ;; run.h) echo pipeline ;; validate.h) echo validate ;; sweep.h) echo sweep ;;
    report.h) echo report ;; api.h) echo api ;; *) echo unknown ;;
    esac
}

for f in "$src"/src/*/*.c "$src"/src/*/*.h; do
    layer=$(basename "$(dirname "$f")")
    mine=$(rank "$layer")
    if [ "$mine" = 99 ]; then
        fail=$((fail + 1)); echo "FAIL: ${f#"$src"/}: folder '$layer' has no rank in tests/test_layers.sh"
        continue
    fi
    bad=""
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case $inc in
        aifsim/*) l=$(public_layer "${inc#aifsim/}") ;;
        */*) l=${inc%%/*} ;;
        *) continue ;;   # a header beside the file
        esac
        r=$(rank "$l")
        if [ "$r" -gt "$mine" ]; then
            bad="$bad $inc($l)"
        fi
    done
    if [ -n "$bad" ]; then
        fail=$((fail + 1)); echo "FAIL: ${f#"$src"/} ($layer) includes a higher layer:$bad"
    else
        pass=$((pass + 1))
    fi
done
# the CLI sees the public headers only
for f in "$src"/src/cli/*.c "$src"/src/cli/*.h; do
    if grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"(base|scenario|hw|net|workload|engine|search|serve|ops|facility|econ|pipeline|validate|sweep|report|api)/' "$f"; then
        fail=$((fail + 1)); echo "FAIL: ${f#"$src"/} includes a private header"
    else
        pass=$((pass + 1))
    fi
done
echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
