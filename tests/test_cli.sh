#!/bin/sh
# test_cli.sh -- the aifsim command line: golden outputs, exit statuses and
# messages for malformed input, determinism.  usage: test_cli.sh AIFSIM SRCDIR
# Set AIFSIM_UPDATE_GOLDEN=1 to rewrite the golden files after an intended change.
set -u
bin=$1
src=$2
golden=$src/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# golden NAME ARGS...: stdout of `aifsim ARGS` must equal tests/golden/NAME
golden() {
    name=$1
    shift
    "$bin" "$@" >"$tmp/$name" 2>"$tmp/$name.err"
    rc=$?
    if [ $rc -ne 0 ]; then
        bad "aifsim $* exited $rc: $(cat "$tmp/$name.err")"
        return
    fi
    if [ "${AIFSIM_UPDATE_GOLDEN:-0}" = 1 ]; then
        cp "$tmp/$name" "$golden/$name"
        ok
    elif cmp -s "$tmp/$name" "$golden/$name"; then
        ok
    else
        bad "aifsim $* differs from tests/golden/$name:"
        diff "$golden/$name" "$tmp/$name" | head -20
    fi
}

# rejects STATUS NEEDLE ARGS...: `aifsim ARGS` exits STATUS and says NEEDLE on stderr
rejects() {
    want=$1
    needle=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne "$want" ]; then
        bad "aifsim $* exited $rc, expected $want ($(cat "$tmp/err"))"
    elif ! grep -qF -- "$needle" "$tmp/err"; then
        bad "aifsim $*: stderr lacks '$needle': $(cat "$tmp/err")"
    elif [ -s "$tmp/out" ]; then
        bad "aifsim $*: printed to stdout on error"
    else
        ok
    fi
}

golden default.txt
golden default.json --json
golden llama3-70b.txt train --model llama3-70b --gpus 1024 --tp 8 --pp 4 --vpp 1 --gbs 512 --seq 8192
golden mixtral.json train "$src/data/scenarios/mixtral-8x7b.yaml" --json
golden ops-mixtral.txt train "$src/data/scenarios/mixtral-8x7b.yaml" --ops
golden catalog-gpus.txt catalog gpus
golden catalog-h100.json catalog gpus h100-sxm
golden collective-h100.txt collective --op allreduce --gpu h100-sxm --gpus 8
golden collective-sim.txt collective --op allreduce --gpus 1024 --min-bytes 1M --max-bytes 4G --step-factor 16 --engine sim --set cluster.network.topology=fat-tree --set cluster.network.oversubscription=2
golden collective-ndr.json collective --op allreduce --system dgx-h100 --gpus 128 --min-bytes 1M --max-bytes 8G --step-factor 8 --json
golden facility.txt facility --set facility.power_cap=30MW --set facility.climate=hot
golden topology.txt topology
golden topology-tpu.json topology --set cluster.system=tpu-v5p --set cluster.gpus=256 --set train.tp=4 --json
golden sim-small.txt train --engine sim --model llama3-8b --gpus 64 --tp 2 --pp 4 --gbs 32
golden sim-default.json train --engine sim --json
golden sim-tcp.txt train --engine sim --model llama3-8b --gpus 256 --tp 8 --gbs 64 --fabric eth-400-tcp --oversubscription 2

# the simulator's trace: a Chrome trace file, written whole
if "$bin" train --engine sim --model llama3-8b --gpus 16 --tp 2 --pp 2 --gbs 8 --trace "$tmp/trace.json" >/dev/null &&
   head -c 40 "$tmp/trace.json" | grep -q '"traceEvents"' && tail -c 4 "$tmp/trace.json" | grep -q ']}' &&
   [ ! -e "$tmp/trace.json.tmp" ]; then ok; else bad "--trace"; fi
# --full on a symmetric case gives the same step as one timeline per stage
a=$("$bin" train --engine sim --model llama3-8b --gpus 32 --tp 2 --pp 2 --gbs 32 --routing adaptive --json | grep '"step_time_s"')
b=$("$bin" train --engine sim --full --model llama3-8b --gpus 32 --tp 2 --pp 2 --gbs 32 --routing adaptive --json | grep '"step_time_s"')
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "--full: $a vs $b"; fi

# determinism: byte-identical output across runs
"$bin" train --model deepseek-v3 --gpus 1024 --tp 1 --pp 8 --vpp 1 --ep 64 --gbs 2048 --seq 4096 --json >"$tmp/a"
"$bin" train --model deepseek-v3 --gpus 1024 --tp 1 --pp 8 --vpp 1 --ep 64 --gbs 2048 --seq 4096 --json >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then ok; else bad "two runs differ"; fi

# --help and --version
for c in "" train catalog validate facility report collective topology; do
    if "$bin" $c --help | grep -q "usage: aifsim"; then ok; else bad "aifsim $c --help"; fi
done
if "$bin" --version | grep -q "^aifsim [0-9]"; then ok; else bad "--version"; fi

# JSON carries the contract's keys
for k in step_time_s tokens_per_s_per_gpu model_tflops_per_gpu mfu memory_per_gpu_gib fits_in_memory breakdown; do
    if grep -q "\"$k\"" "$golden/default.json"; then ok; else bad "default.json lacks $k"; fi
done

# malformed command lines and files: exit 2 and a message naming the field
rejects 2 "unknown option '--tpp'" train --tpp 8
rejects 2 "option '--tp' needs a value" train --tp
rejects 2 "--tp: train.tp: 'x' is not a number" train --tp x
rejects 2 "train.tp: gpus 8 is not divisible by tp*pp*cp = 3*1*1 = 3" train --tp 3
rejects 2 "did you mean 'llama3-70b'" train --model llama3-7b
rejects 2 "cluster.gpu: unknown gpu 'h100'; did you mean 'h100-sxm'" train --gpu h100
rejects 2 "cluster.fabric: unknown fabric" train --fabric ethernet
rejects 2 "is a size" train --nic-bw 400GB
rejects 2 "--set needs PATH=VALUE" train --set tp
rejects 2 "did you mean 'tp'" train --set train.tpp=8
rejects 2 "unknown command 'trian'" trian
rejects 2 "unknown catalog 'gpu'; did you mean 'gpus'" catalog gpu
rejects 2 "no gpus named 'h100'; did you mean 'h100-sxm'" catalog gpus h100
rejects 2 "name the collective with --op" collective --gpus 8
rejects 2 "--op: unknown value 'allreduc'; did you mean 'allreduce'" collective --op allreduc
rejects 2 "--algo nvls does not apply here" collective --op allgather --algo nvls
rejects 2 "--max-bytes: unknown unit 'Q' in '8Q'" collective --op allreduce --max-bytes 8Q
rejects 2 "--gpus: cluster.gpus: 'x' is not a number" collective --op allreduce --gpus x
rejects 2 "name the output file with -o" report
rejects 2 "a collective needs 2 or more ranks" collective --op allreduce --gpus 1
rejects 2 "more than 10000 rows" collective --op allreduce --step-factor 1.0000001
rejects 2 "--gpu a100-80g contradicts --system dgx-h100" collective --op allreduce --system dgx-h100 --gpu a100-80g
rejects 2 "--algo tree needs ranks in more than one scale-up domain" collective --op allreduce --algo tree --gpus 8
rejects 2 "would split the 72-GPU NVLink domain" facility --set cluster.system=gb200-nvl72 --set cluster.gpus=2048 --set facility.nodes_per_rack=1
rejects 2 "no cooling holds racks" facility --set facility.nodes_per_rack=32
rejects 2 "printable characters" train --set "name=a$(printf '\033')[31m"
rejects 2 "facility.cooling: unknown value 'water'" facility --set facility.cooling=water
rejects 2 "facility.cooling: air cooling holds 41 kW per rack" facility --set facility.cooling=air --set facility.nodes_per_rack=8
rejects 2 "cost.electricity: '0.1' has no unit" train --set cost.electricity=0.1
rejects 2 "cannot open" train /nonexistent/scenario.yaml
rejects 2 "train.precision: a100-80g has no fp8" train --gpu a100-80g --precision fp8
rejects 2 "--engine 'fast' (accepted: estimate, sim)" train --engine fast
rejects 2 "--full needs --engine sim" train --full
rejects 2 "--trace needs --engine sim" train --trace x.json
rejects 2 "did you mean 'rail-optimized'" topology --set cluster.network.topology=rail
rejects 2 "raise radix or add planes" topology --set cluster.network.radix=16
rejects 2 "switch-to-switch cables" train --engine sim --failed-links 100000
rejects 4 "the folder '/nonexistent/dir/' does not exist" train --engine sim --trace /nonexistent/dir/t.json
# numbers that must be finite: nan and inf refused like -5 (issue 9, defect 7)
for v in nan NaN inf -inf -5 1e400 5x ""; do
    rejects 2 "--bound '$v': expected a finite number from 0 to 1000" validate --bound "$v"
done
rejects 2 "expected a percentage above 0" validate --bound 0
for v in nan inf; do
    rejects 2 "--step-factor '$v': expected a finite number" collective --op allreduce --step-factor "$v"
    rejects 2 "'$v' is not" collective --op allreduce --bytes "$v"
    rejects 2 "'$v' is not a number" train --tp "$v"
    rejects 2 "'$v' is not a number" train --oversubscription "$v"
    rejects 2 "'$v' is not a number" train --nic-bw "$v"
    rejects 2 "'$v' is not a number" facility --set facility.pue="$v"
done
# an option given twice is an error naming it, in every subcommand; --set and --catalog add up (friction 9)
twice="is given twice (each option once; only --set and --catalog repeat)"
rejects 2 "option '--tp' $twice" train --tp 2 --tp 4
rejects 2 "option '--engine' $twice" train --engine sim --engine estimate
rejects 2 "option '--json' $twice" train --json --json
rejects 2 "option '--trace' $twice" train --engine sim --trace a.json --trace b.json
rejects 2 "option '-o' $twice" report -o a.html -o b.html
rejects 2 "option '-o' $twice" report --output a.html -o b.html
rejects 2 "option '--json' $twice" facility --json --json
rejects 2 "option '--json' $twice" topology --json --json
rejects 2 "option '--json' $twice" catalog gpus --json --json
rejects 2 "option '--bound' $twice" validate --bound 5 --bound 50
rejects 2 "option '--engine' $twice" validate --engine sim --engine estimate
rejects 2 "option '--op' $twice" collective --op allreduce --op allgather
rejects 2 "option '--gpus' $twice" collective --op allreduce --gpus 8 --gpus 16
rejects 2 "--engine 'fast' (accepted: estimate, sim)" collective --op allreduce --engine fast
rejects 2 "did you mean 'fat-tree'" collective --op allreduce --engine sim --set cluster.network.topology=fattree
rejects 2 "the network is partitioned" collective --op allreduce --gpus 64 --bytes 1G --engine sim --set cluster.network.radix=8 --set cluster.network.failed_links=40 --json
rejects 2 "scaleup_domain 3 is smaller than gpus_per_node 8" topology --set cluster.gpus=64 --set cluster.scaleup_domain=3
rejects 2 "--engine sim applies to the training rows" validate --engine sim --collectives x.csv
rejects 2 "--algo collnet does not apply here" collective --op allreduce --algo collnet --gpus 8
rejects 2 "--algo pat does not apply here" collective --op allgather --algo pat --gpus 16

cat >"$tmp/bad1.yaml" <<'YAML'
cluster:
  system: dgx-h100
  gpus: 64
model: llama3-8b
train:
  tp: 2
  microbatch: 4
YAML
rejects 2 "bad1.yaml:7:3: train.microbatch: unknown key 'microbatch'" train "$tmp/bad1.yaml"
printf 'cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {gbs: 100}\n' >"$tmp/bad2.yaml"
rejects 2 "bad2.yaml:3:14: train.gbs: gbs 100 is not divisible by mbs*dp = 1*64 = 64" train "$tmp/bad2.yaml"
printf 'cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {tp: 2\n' >"$tmp/bad3.yaml"
rejects 2 "YAML syntax error" train "$tmp/bad3.yaml"
printf 'id,model\n' >"$tmp/bad.csv"
rejects 2 "no 'system' column" validate "$tmp/bad.csv"
printf 'cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 8, gbs: 8, seq: 4096}\n' >"$tmp/fit.yaml"
"$bin" train "$tmp/fit.yaml" --model llama3-70b --tp 1 >"$tmp/nofit" 2>&1
if grep -q "DOES NOT FIT" "$tmp/nofit" && grep -q "Would fit\|No change" "$tmp/nofit"; then ok; else bad "memory advice missing"; fi

# collective tables from a user CSV: bad numbers are errors with file:line
printf 'id,op,gpu,system,fabric,gpus,gpus_per_node,algo,bytes,busbw_GBps,time_us,source,notes\na,allreduce,h100-sxm,dgx-h100,nvlink4,8,8,auto,1073741824,nan,,s,\n' >"$tmp/c.csv"
rejects 2 "c.csv:2: busbw_GBps" validate --collectives "$tmp/c.csv"
# progress on stderr: nothing for a run under a second; plain lines when stderr is not a terminal
"$bin" validate >/dev/null 2>"$tmp/prog.err"
if [ ! -s "$tmp/prog.err" ]; then ok; else bad "validate printed on stderr: $(head -3 "$tmp/prog.err")"; fi
"$bin" validate --engine sim >/dev/null 2>"$tmp/prog.err"
if ! grep -qv '^validating: [0-9]*0% after [0-9]* s$' "$tmp/prog.err"; then ok
else bad "validate --engine sim progress: $(head -3 "$tmp/prog.err")"; fi
# the report on standard output is the same page
if "$bin" report -o - | grep -q '<!DOCTYPE html>'; then ok; else bad "report -o -"; fi

# user catalog on the command line
printf 'gpus:\n  my-gpu:\n    arch: hopper\n    peak_tflops: {bf16: 2000, fp8: 4000}\n    hbm: 96GB\n    hbm_bw: 4TB/s\n    scaleup_bw: 450GB/s\n    tdp: 800W\n    sources: {all: mine}\n' >"$tmp/cat.yaml"
if "$bin" train --catalog "$tmp/cat.yaml" --gpu my-gpu --json | grep -q '"gpu": "my-gpu"'; then ok; else bad "--catalog"; fi
# --set and --catalog add up (the last --set of a field wins); every other option is given once
if "$bin" train --set train.tp=2 --set train.tp=4 --catalog "$tmp/cat.yaml" --catalog "$tmp/cat.yaml" --json \
    >"$tmp/twice.json" 2>"$tmp/twice.err" && grep -q '"tp": 4' "$tmp/twice.json"; then ok
else bad "--set and --catalog twice: $(cat "$tmp/twice.err")"; fi

# a corpus of malformed scenario files: each names the field and the message it must produce
n_bad=0
for f in "$src"/tests/bad/*.yaml; do
    field=$(sed -n 's/^# expect-field: //p' "$f")
    want=$(sed -n 's/^# expect: //p' "$f")
    "$bin" train "$f" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    n_bad=$((n_bad + 1))
    if [ $rc -ne 2 ]; then
        bad "$f: exit $rc, expected 2 ($(cat "$tmp/err"))"
    elif ! grep -qF -- "$want" "$tmp/err" || ! grep -qF -- "$field" "$tmp/err" || ! grep -qF -- "$(basename "$f")" "$tmp/err"; then
        bad "$f: stderr lacks '$field' / '$want': $(cat "$tmp/err")"
    else
        ok
    fi
done
if [ "$n_bad" -ge 30 ]; then ok; else bad "only $n_bad malformed scenario files"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
