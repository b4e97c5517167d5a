#!/bin/sh
# test_report.sh -- the HTML report opens in a browser with all its plots: renders
# it in headless Chromium, fails on any console message from the page (errors,
# uncaught exceptions, the report's own empty-plot check) and unless the page
# says every plot has drawn marks; the same for a training sweep's report
# (aifsim report --sweep) and for the serving page (a scenario with a serve section).  usage: test_report.sh AIFSIM
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "test_report: no Chromium found (scripts/install-deps.sh installs it)"
    echo "report: 0 passed, 1 failed"
    exit 1
fi
pass=0
fail=0
# a training sweep's report (aifsim report --sweep): two fronts and three axes, 5 plots too
src=$(cd "$(dirname "$0")/.." && pwd)
if ! "$bin" sweep "$src/examples/sweep-gpus.yaml" --out "$tmp/sweep.db" --json >/dev/null 2>"$tmp/gen.err"; then
    echo "FAIL: aifsim sweep examples/sweep-gpus.yaml: $(cat "$tmp/gen.err")"
    fail=$((fail + 1))
fi
# a site with a supply mix: the draw against supply over a day, a sixth plot
printf 'cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 64, seq: 4096, tokens: 100B}\nfacility: {battery: auto, supply: [{kind: grid, capacity: 80kW}, {kind: ppa_solar, capacity: 100kW}, {kind: gas_turbine, capacity: 40kW}]}\n' >"$tmp/supply.yaml"
for args in "" "mixtral-8x7b --set facility.cooling=liquid" "llama3-8b-8gpu --set facility.power_cap=50kW" \
    "--sweep $tmp/sweep.db" "$tmp/supply.yaml" \
    "--set operations.load=synthetic --set operations.horizon=2d --set operations.synthetic.jobs=300" \
    "serve-llama3-70b" "serve-llama3-70b --set serve.concurrency=32"; do
    # an operations section: the cluster page and its five plots too; a serve section:
    # the serving page, six plots (four in a closed loop: no offered rate to vary);
    # facility.supply: a sixth plot on the main page
    case $args in *concurrency*) want=9 ;; *operations*) want=10 ;; serve*) want=11 ;; *supply.yaml) want=6 ;; *) want=5 ;; esac
    # shellcheck disable=SC2086
    if ! "$bin" report $args -o "$tmp/report.html" 2>"$tmp/gen.err"; then
        echo "FAIL: aifsim report $args: $(cat "$tmp/gen.err")"
        fail=$((fail + 1))
        continue
    fi
    HOME=$tmp timeout 120 "$browser" --headless --no-sandbox --disable-gpu --no-first-run --enable-logging=stderr \
        --v=0 --user-data-dir="$tmp/profile" --dump-dom "file://$tmp/report.html" >"$tmp/dom" 2>"$tmp/log"
    if grep -q "CONSOLE" "$tmp/log"; then
        echo "FAIL: aifsim report $args: console messages:"
        grep "CONSOLE" "$tmp/log" | head -5
        fail=$((fail + 1))
    elif ! grep -q "data-plots=\"ok:$want\"" "$tmp/dom"; then
        echo "FAIL: aifsim report $args: plots not all drawn ($(grep -o 'data-plots="[^"]*"' "$tmp/dom"))"
        fail=$((fail + 1))
    elif grep -qE 'https?://[^"]*\.(js|css|png|svg)' "$tmp/report.html"; then
        echo "FAIL: aifsim report $args: the report loads something from the network"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
