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

# says STATUS NEEDLE ARGS...: `aifsim ARGS` exits STATUS and prints NEEDLE on stdout
says() {
    want=$1
    needle=$2
    shift 2
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne "$want" ]; then
        bad "aifsim $* exited $rc, expected $want ($(cat "$tmp/err"))"
    elif ! grep -qF -- "$needle" "$tmp/out"; then
        bad "aifsim $*: stdout lacks '$needle'"
    else
        ok
    fi
}

# validate --classes: CSV alone, its verdict on stderr (stdout holds the table)
rejects 2 "--classes prints the training rows' classes as CSV alone" validate --classes --json
rejects 2 "'--classes' is given twice" validate --classes --classes
says 1 "class,name,runs,median_ape_pct,p90_ape_pct,bias_pct" validate --classes --bound 1
if grep -qF "over the bound 1%: FAIL" "$tmp/err"; then ok; else bad "validate --classes --bound 1: no FAIL on stderr"; fi
# the validated lines: the job's classes; none on an uncalibrated (roofline) accelerator
says 0 "MoE with ep > 1, dispatcher alltoall" train mixtral-8x7b --set train.lora.rank=16
if "$bin" train --system vr-nvl144 --model llama3-70b --gpus 144 --tp 8 --pp 2 --gbs 144 --seq 8192 | grep -q validated
then bad "train on a roofline accelerator shows validated lines"; else ok; fi
# validate --infer-classes: the serving rows' classes as CSV alone, of --infer FILE when given
rejects 2 "--infer-classes prints the serving rows' classes as CSV alone" validate --infer-classes --json
rejects 2 "--infer-classes prints the serving rows' classes as CSV alone" validate --infer-classes --classes
rejects 2 "--infer-classes prints the serving rows' classes as CSV alone" validate my-runs.csv --infer-classes
rejects 2 "'--infer-classes' is given twice" validate --infer-classes --infer-classes
{ head -1 "$src/validation/infer.csv"; grep '^sglang-h200-l33-70b-tp4-offline-1024-512-' "$src/validation/infer.csv"; } \
    >"$tmp/infer3.csv"
says 0 "ttft-kind-scheduler,dense/sglang,1," validate --infer-classes --infer "$tmp/infer3.csv"
if [ "$(grep -c '^t' "$tmp/out")" -eq 12 ] && ! grep -q '^ttft-kind,moe' "$tmp/out"; then ok
else bad "validate --infer-classes of three rows: not 4 lines for each of 3 groups, or a class of no row: $(cat "$tmp/out")"; fi
rejects 2 "no bound applies to the serving rows" validate --infer-classes --bound 5
# a deployment's validated lines: each metric's least accurate class; none on a roofline accelerator
says 0 "TPOT, every run (none of its kind)" infer --model gpt-oss-120b --gpu h100-sxm --tp 2 --set serve.admission=no_evict \
    --requests 200
"$bin" infer --model llama3-8b --gpu gaudi2 --tp 1 --requests 200 >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 0 ] || grep -q validated "$tmp/out"
then bad "infer on a roofline accelerator failed or shows validated lines: $(cat "$tmp/err")"; else ok; fi
# compare --infer: each system's family line of the serving table's throughput rows
fam=$(grep '^throughput-kind-family,dense/hopper,' "$src/validation/infer_classes.csv" | cut -d, -f3)
says 0 "$fam runs)" compare --infer --systems dgx-h100,mi300x-8 --model llama3-8b --tp 1 --gpus 8 --requests 200
if grep -q '^mi300x-8 .* -$' "$tmp/out"; then ok; else bad "compare --infer: a family of too few serving rows not '-'"; fi

golden default.txt
golden default.json --json
golden llama3-70b.txt train neutral --model llama3-70b --gpus 1024 --tp 8 --pp 4 --vpp 1 --gbs 512 --seq 8192
golden mixtral.json train "$src/data/scenarios/mixtral-8x7b.yaml" --json
golden ops-mixtral.txt train "$src/data/scenarios/mixtral-8x7b.yaml" --ops
golden catalog-gpus.txt catalog gpus
golden catalog-h100.json catalog gpus h100-sxm --json
# one entry is a card by default: each figure with its unit, each citation once
golden catalog-h100.txt catalog gpus h100-sxm
golden catalog-mixtral.txt catalog models mixtral-8x7b
golden collective-h100.txt collective --op allreduce --gpu h100-sxm --gpus 8
golden collective-sim.txt collective --op allreduce --gpus 1024 --min-bytes 1M --max-bytes 4G --step-factor 16 --engine sim --set cluster.network.topology=fat-tree --set cluster.network.oversubscription=2
golden collective-ndr.json collective --op allreduce --system dgx-h100 --gpus 128 --min-bytes 1M --max-bytes 8G --step-factor 8 --json
golden facility.txt facility --set facility.power_cap=30MW --set facility.climate=hot
golden topology.txt topology
# the base is the default scenario, named first with every substitution: a GPU that is
# not the system's takes the system (and fabric) built around it; naming the model
# derives the layout again
golden substituted.txt train --model llama3-8b --gpus 64 --gpu mi300x
golden substituted.json train --model llama3-8b --gpus 64 --gpu mi300x --json
golden topology-tpu.json topology --set cluster.system=tpu-v5p --set cluster.gpus=256 --set train.tp=4 --json
golden sim-small.txt train neutral --engine sim --model llama3-8b --gpus 64 --tp 2 --pp 4 --gbs 32
golden sim-default.json train --engine sim --json
golden sim-tcp.txt train neutral --engine sim --model llama3-8b --gpus 256 --tp 8 --gbs 64 --fabric eth-400-tcp --oversubscription 2
# catalog status: an announced rack and an uncalibrated (roofline) accelerator say so in
# the header; aifsim compare puts one job on several systems
golden announced.txt train --system vr-nvl144 --model llama3-8b --gpus 72
golden announced-collective.txt collective --op allreduce --system vr-nvl144 --gpus 72 --min-bytes 1M --max-bytes 1G --step-factor 32
golden compare.txt compare --systems gb300-nvl72,hgx-b300,tpu7x-4,trn2-ultraserver,vr-nvl144 --model llama3-70b --gpus 576 --tp 8 --pp 2 --gbs 576 --seq 8192
golden compare-infer.json compare --infer --systems hgx-b300,mi355x-8,gaudi3-8,tpu-v6e-8 --model llama3-70b --gpus 8 --tp 8 --mode offline --requests 256 --json
for c in "train --system vr-nvl144 --model llama3-8b --gpus 72" "infer --system tpu-v6e-8 --model llama3-8b" \
         "facility --set cluster.system=gaudi3-8 --set cluster.gpus=64" \
         "topology --set cluster.system=vr-nvl144 --set cluster.gpus=144" \
         "collective --op allreduce --system tpu-v6e-8 --gpus 256 --bytes 1G"; do
    # shellcheck disable=SC2086
    if "$bin" $c --json | grep -q '"catalog_status"'; then ok; else bad "aifsim $c --json lacks catalog_status"; fi
    # shellcheck disable=SC2086
    if "$bin" $c | grep -Eq '^(  |# )(announced|roofline) '; then ok; else bad "aifsim $c: no announced/roofline line"; fi
done
# a part its board power holds below its rated clock (the MI350X, docs/CATALOGS.md, Variants)
# says so in the header of every output that runs it, and in catalog_status; a part that
# holds its rated clock says nothing
for c in "train --system mi350x-8 --model llama3-8b --gpus 8" "infer --system mi350x-8 --model llama3-8b"; do
    # shellcheck disable=SC2086
    if "$bin" $c | grep -Eq '^  power-held   gpu mi350x: its 1000 W board power holds its clock at 0\.948 '; then ok
    else bad "aifsim $c: no power-held line"; fi
    # shellcheck disable=SC2086
    if "$bin" $c --json | grep -Eq '"sustained_clock": ?0\.947'; then ok; else bad "aifsim $c --json: no sustained_clock"; fi
done
if "$bin" train --system mi355x-8 --model llama3-8b --gpus 8 | grep -q 'power-held'; then
    bad "aifsim train on mi355x-8 says power-held"; else ok; fi
# a model given by its shape names its architecture: GPT-3's shape with --arch gpt is
# GPT-3 (175B), without --arch an error (it would have inherited Llama's gated MLP)
gpt3="--layers 96 --hidden 12288 --heads 96 --kv-heads 96 --ffn 49152 --vocab 50257 --gpus 1024 --tp 8 --pp 8 --set model.max_seq=2048"
# shellcheck disable=SC2086
p=$("$bin" train --arch gpt $gpt3 --json | sed -n 's/.*"params": \([0-9.e+]*\).*/\1/p' | head -1)
if awk -v p="$p" 'BEGIN { exit !(p > 1.74e11 && p < 1.77e11) }'; then ok; else bad "GPT-3 shape --arch gpt: $p parameters"; fi
# shellcheck disable=SC2086
if "$bin" train $gpt3 >/dev/null 2>"$tmp/arch.err"; then bad "a new width without --arch exits 0"
elif grep -q 'model.arch' "$tmp/arch.err"; then ok; else bad "no model.arch in: $(cat "$tmp/arch.err")"; fi
# LoRA fine-tuning is named on the job line and in JSON; a sharded optimizer with it is refused
if "$bin" train --model llama3-8b --gpus 8 --lora-rank 16 | grep -q "LoRA rank 16 on attention"; then ok; else
    bad "train --lora-rank: no LoRA on the job line"; fi
if "$bin" train --model llama3-8b --gpus 8 --lora-rank 16 --lora-targets all --json | grep -q '"lora_targets": "all"'
then ok; else bad "train --lora-targets all: not in JSON"; fi
rejects 2 "LoRA with zero3 is not modelled" train --model llama3-8b --gpus 8 --lora-rank 16 --optimizer zero3
# Adam's moments in bf16 (train.moments_dtype): named on the job line beside the gradients'
# type and in JSON; a type not accepted is refused with the accepted list
says 0 "optimizer distributed (bf16 gradients, bf16 moments)" train --model llama3-8b --gpus 8 \
    --set train.grad_dtype=bf16 --set train.moments_dtype=bf16
says 0 "optimizer distributed (bf16 moments)" train --model llama3-8b --gpus 8 --set train.moments_dtype=bf16
says 0 '"moments_dtype": "bf16"' train --model llama3-8b --gpus 8 --set train.moments_dtype=bf16 --json
rejects 2 "train.moments_dtype: unknown value 'fp16'; did you mean 'fp32'? (accepted: auto, fp32, bf16)" \
    train --model llama3-8b --gpus 8 --set train.moments_dtype=fp16
# a part whose power or price is not published: n/a in text, null in JSON, never a zero
golden unpublished-power.txt train --gpu tpu7x --model llama3-8b --gpus 64
j=$("$bin" train --gpu tpu7x --model llama3-8b --gpus 64 --json)
for k in '"facility_power_kw": null' '"energy_mwh": null' '"capex_usd": null' '"cloud_usd": null' '"power_known": false' \
         '"price_known": false'; do
    if printf '%s' "$j" | grep -qF "$k"; then ok; else bad "train on tpu7x --json lacks $k"; fi
done
j=$("$bin" infer --gpu tpu7x --model llama3-8b --tp 1 --requests 20 --json)
for k in '"joules_per_token": ?null' '"usd_per_million_tokens": ?null'; do
    if printf '%s' "$j" | grep -qE "$k"; then ok; else bad "infer on tpu7x --json lacks $k"; fi
done
if "$bin" infer --gpu tpu7x --model llama3-8b --tp 1 --requests 20 | grep -q '^  power    n/a'; then ok; else
    bad "infer on tpu7x: power not n/a"; fi
if "$bin" compare --systems dgx-h100,no-such-system --model llama3-8b --gpus 8 >/dev/null 2>&1; then
    bad "compare with an unknown system exits 0"; else ok; fi

# the best-layout search: the ranked table (its wall time goes to stderr), a scenario file
# as base, the simulator's re-ranking; `auto` fields of train as substitution lines
golden search.txt search --model llama3-8b --gpus 64 --gbs 256 --seq 4096 --top 3
golden search-moe.txt search "$src/data/scenarios/mixtral-8x7b.yaml" --objective cost --top 3 --tp 2
golden search-sim.txt search neutral --gpus 16 --gbs 32 --top 4 --engine sim --set cluster.network.topology=fat-tree
golden search-auto.txt train neutral --gpus 16 --gbs 64 --layout auto
golden search-auto-tp.json train --tp auto --json
if "$bin" search --model llama3-8b --gpus 64 --gbs 256 --top 4 --json | python3 -c 'import json,sys
d = json.load(sys.stdin); r = d["results"]
assert len(r) == 4 and d["candidates"] >= d["fitting"] > 0 and d["evaluated_per_s"] > 0
assert all(k in r[0] for k in ("tp", "pp", "vpp", "cp", "ep", "etp", "dp", "mbs", "recompute", "optimizer",
                               "step_time_s", "mfu", "memory_per_gpu_gib"))
assert [x["step_time_s"] for x in r] == sorted(x["step_time_s"] for x in r)'; then ok; else bad "search --json"; fi
rejects 2 "--objective 'speed' (accepted: time, cost, energy)" search --objective speed
rejects 2 "--top '0'" search --top 0
rejects 2 "train.layout: expected auto" train --layout fast
rejects 2 "fits in memory" train --model llama3-405b --gpus 8 --layout auto --gbs 8

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

# one base for every command: the same --set keeps the default scenario in train,
# facility, report and topology, and each names it on its first line
# (was: train alone switched to llama3-8b on 8 GPUs)
want="llama3-405b-pretrain"
for c in train facility topology; do
    first=$("$bin" $c --set cluster.network.routing=adaptive | head -1)
    case "$first" in
    *"$want"*"(base: built-in default scenario + 1 option)") ok ;;
    *) bad "aifsim $c --set ...: first line '$first'" ;;
    esac
done
"$bin" report --set cluster.network.routing=adaptive -o "$tmp/r.html" 2>/dev/null
if grep -q "$want (base: built-in default scenario + 1 option)" "$tmp/r.html"; then ok; else bad "report: base"; fi
if "$bin" train --set cluster.network.routing=adaptive --json | grep -q '"model": "llama3-405b"'; then ok
else bad "train --set: not the default job"; fi

# aifsim collective states a substitution under its first line too
if "$bin" collective --op allreduce --system dgx-a100-80g --fabric ib-xdr --gpus 16 --bytes 1G |
   grep -q "^# substituted cluster.nic_bw: 800 Gb/s (ib-xdr's port) -> 200 Gb/s"; then ok
else bad "collective: substitution not stated"; fi
if "$bin" collective --op allreduce --system dgx-a100-80g --fabric ib-xdr --gpus 16 --bytes 1G --json |
   grep -q '"field": "cluster.nic_bw"'; then ok
else bad "collective --json: substitution not listed"; fi

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
rejects 2 "train.tp: gpus 16384 is not divisible by tp*pp*cp = 3*16*1 = 48" train --tp 3
rejects 2 "did you mean 'llama3-70b'" train --model llama3-7b
rejects 2 "cluster.gpu: unknown gpu 'h10'; did you mean 'h100-sxm'" train --gpu h10
rejects 2 "cluster.fabric: 'ethernet' is a kind of fabric; name one: eth-100-tcp, eth-400-tcp" train --fabric ethernet
rejects 2 "cluster.fabric: unknown fabric 'fast-net'" train --fabric fast-net
# hybrid sharding: dp_shard must divide dp and needs a sharded optimizer; a file's error at its line
rejects 2 "--set train.dp_shard: train.dp_shard: dp_shard 3 does not divide dp 64: accepted a divisor of dp" \
    train --model llama3-8b --gpus 64 --tp 1 --pp 1 --set train.optimizer=fsdp --set train.dp_shard=3
rejects 2 "train.dp_shard: hybrid sharding (dp_shard 8 of dp 64) shards gradients and optimizer state: use optimizer zero2, zero3 or fsdp" \
    train --model llama3-8b --gpus 64 --tp 1 --pp 1 --set train.optimizer=distributed --set train.dp_shard=8
printf 'cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain:\n  optimizer: fsdp\n  dp_shard: 48\n' >"$tmp/hsdp.yaml"
rejects 2 "hsdp.yaml:5:13: train.dp_shard: dp_shard 48 does not divide dp 64" train "$tmp/hsdp.yaml"
# hybrid sharding named in the outputs: the job line and the JSON inputs (absent without it)
"$bin" train --model llama3-8b --gpus 64 --tp 1 --pp 1 --set train.optimizer=fsdp --set train.dp_shard=8 >"$tmp/hs" 2>&1
if grep -qF "DP64 (shard 8 x replicate 8)" "$tmp/hs"; then ok; else bad "dp_shard in the text: $(grep job "$tmp/hs")"; fi
"$bin" train --model llama3-8b --gpus 64 --tp 1 --pp 1 --set train.optimizer=fsdp --set train.dp_shard=8 --json >"$tmp/hs" 2>&1
if grep -qF '"dp_shard": 8' "$tmp/hs"; then ok; else bad "dp_shard in the JSON"; fi
"$bin" train --model llama3-8b --gpus 64 --tp 1 --pp 1 --set train.optimizer=fsdp --json >"$tmp/hs" 2>&1
if ! grep -qF '"dp_shard"' "$tmp/hs"; then ok; else bad "dp_shard in the JSON without hybrid sharding"; fi
# fp8 attention (train.attention_dtype): inside an fp8 recipe, with the fused kernel, on a family
# whose fp8 kernel was measured; named in the job line and the JSON when on, assumed when open
rejects 2 "train.attention_dtype: fp8 attention runs inside an fp8 recipe" \
    train --model llama3-8b --gpus 8 --gpu gb200 --precision bf16 --set train.attention_dtype=fp8
rejects 2 "fp8 attention is a fused kernel's (cuDNN's); the attention here is unfused" \
    train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --set train.attention=unfused --set train.attention_dtype=fp8
rejects 2 "calibration family hopper has no measured fp8 attention kernel" \
    train --model llama3-8b --gpus 8 --gpu h100-sxm --precision fp8 --set train.attention_dtype=fp8
says 0 "fp8, recompute none, optimizer distributed (fp8 attention)" \
    train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --recompute none --set train.attention_dtype=fp8
says 0 "attention_dtype bf16, fp8_params false, fp8_act_input false, dp_bucket 40M (defaults, not given" train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8
# Megatron-Core's gradient bucket (train.dp_bucket): assumed at its default where the buffer's
# reduction overlaps the backward, named in the job line and the JSON when set, refused where
# there is no such bucket
says 0 "dp_bucket 64M (defaults, not given" train --model llama3-8b --gpus 64 --gpu h100-sxm
says 0 "dp_bucket 256M (defaults, not given" train --model llama3-8b --gpus 512 --gpu h100-sxm --tp auto
says 0 "optimizer distributed (gradient buckets of 768M parameters)" \
    train --model llama3-8b --gpus 64 --gpu h100-sxm --set train.dp_bucket=768M
says 0 '"dp_bucket": 768000000' train --model llama3-8b --gpus 64 --gpu h100-sxm --set train.dp_bucket=768M --json
rejects 2 "optimizer zero3 reduces them layer by layer (accepted: optimizer none, distributed or zero1" \
    train --model llama3-8b --gpus 64 --gpu h100-sxm --set train.optimizer=zero3 --set train.dp_bucket=768M
rejects 2 "dp_bucket 0.001 is not a whole number of parameters" train --model llama3-8b --gpus 64 --gpu h100-sxm \
    --set train.dp_bucket=1e-3
rejects 2 "dp_bucket 1.5 is not a whole number of parameters" train --model llama3-8b --gpus 64 --gpu h100-sxm \
    --set train.dp_bucket=1.5
says 0 "optimizer zero1 (gradient buckets of 768M parameters)" \
    train --model llama3-8b --gpus 64 --gpu h100-sxm --set train.optimizer=zero1 --set train.dp_bucket=768M
# the search keeps a bucket given: only the optimizers that reduce in buckets, with the overlap on
"$bin" search --model llama3-8b --gpus 64 --gpu h100-sxm --set train.dp_bucket=768M --top 20 >"$tmp/out" 2>"$tmp/err"
if [ $? -ne 0 ]; then
    bad "search with dp_bucket exited non-zero: $(cat "$tmp/err")"
elif ! grep -qE '^ +1 ' "$tmp/out" || grep -E '^ +[0-9]+ ' "$tmp/out" | grep -qE ' (zero2|zero3|fsdp) | (on|off)/off/'; then
    bad "search with dp_bucket ranks a layout train refuses: $(grep -E '^ +[0-9]+ ' "$tmp/out" | head -3)"
else
    ok
fi
rejects 2 "dp_overlap is off here" train --model llama3-8b --gpus 64 --gpu h100-sxm --set train.dp_overlap=false \
    --set train.dp_bucket=768M
# context parallelism's exchange (train.cp_comm): assumed as the stack resolves it where cp > 1
# (Megatron-Core's p2p, MaxText's allgather), named in the job line when set and in JSON as
# resolved, its collectives in the step graph, a value outside the list refused
says 0 "cp_comm p2p (defaults, not given" train --model llama3-8b --gpus 8 --gpu gb200 --cp 4 --tp 1 --pp 1 --gbs 2
says 0 "cp_comm allgather (defaults, not given" train --model llama3-8b --gpus 8 --gpu gb200 --cp 4 --tp 1 --pp 1 \
    --gbs 2 --framework maxtext-gpu
says 0 "(context parallelism a2a)" train --model llama3-8b --gpus 8 --gpu gb200 --cp 4 --tp 1 --pp 1 --gbs 2 \
    --set train.cp_comm=a2a
says 0 '"cp_comm": "allgather"' train --model llama3-8b --gpus 8 --gpu gb200 --cp 4 --tp 1 --pp 1 --gbs 2 \
    --set train.cp_comm=allgather --json
says 0 "alltoall cp4/4" train --model llama3-8b --gpus 8 --gpu gb200 --cp 4 --tp 1 --pp 1 --gbs 2 \
    --set train.cp_comm=a2a --ops
rejects 2 "unknown value 'ring' (accepted: auto, p2p, a2a, allgather)" train --model llama3-8b --gpus 8 --gpu gb200 \
    --cp 4 --tp 1 --pp 1 --gbs 2 --set train.cp_comm=ring
# a setting the layout leaves without effect is noted as a substitution to "unused" (never
# silent), at load or after a search fills the layout, and the note's claim holds: the step
# time and the memory are those of the job without the setting
says 0 "substituted  train.cp_comm: a2a -> unused (cp is 1: no context-parallel exchange)" train neutral \
    --set train.cp_comm=a2a
says 0 "substituted  train.sp: true -> unused (tp is 1" train neutral --tp auto --set train.sp=true
says 0 '"field": "train.ep_dispatch",' train mixtral-8x7b --ep 1 --set train.ep_dispatch=hybridep --json
says 0 "train.pp_overlap: false -> unused (no interleaved pipeline" train neutral --gpus 16 --pp 2 \
    --set train.pp_overlap=false
says 0 "train.ep_overlap: true -> unused (ep is 1: the overlap is expert parallelism's" train mixtral-8x7b --ep 1 \
    --tp 2 --set train.etp=2 --set train.ep_overlap=true
# step_of ARGS: "step memory" of `aifsim train ARGS --json`
step_of() { "$bin" train "$@" --json 2>/dev/null | grep -E '"(step_time_s|memory_per_gpu_gib)"' | tr -d ' \n'; }
for pair in "neutral|--set train.cp_comm=allgather" "neutral|--set train.sp=true --set train.tp_overlap=false" \
    "neutral --dp 1 --gpus 1|--set train.dp_overlap=false" "mixtral-8x7b --ep 1|--set train.ep_overlap=false" \
    "mixtral-8x7b --ep 1|--set train.ep_dispatch=alltoall" "mixtral-8x7b --ep 1|--set train.ep_dispatch=hybridep" \
    "neutral --gpus 16 --pp 2|--set train.pp_overlap=false" \
    "mixtral-8x7b --ep 1 --tp 2 --set train.etp=2|--set train.ep_overlap=true"; do
    base=${pair%%|*}
    more=${pair#*|}
    # shellcheck disable=SC2086
    with=$(step_of $base $more)
    # shellcheck disable=SC2086
    without=$(step_of $base)
    if [ -n "$with" ] && [ "$with" = "$without" ]; then
        ok
    else
        bad "train $base $more: an unused setting changed the result ($with against $without)"
    fi
done
# and where the layout gives it an effect it is no substitution: cp 8 at dp 1 still reduces the
# gradients (over cp), so dp_overlap, the optimizer and the bucket are assumed there
says 0 "optimizer distributed, mbs 1, attention flash3, dp_overlap on" train neutral --cp 8 --dp 1
# the slowest GPU's pace (cluster.speed_spread): a line under the cluster and the JSON's pace; none
# without a spread or on one GPU; a spread outside 0-0.1 refused naming the range
says 0 "pace     0.932 of a typical GPU's compute clock: the slowest of the job's 16384 GPUs sets it (speed spread 1.7%" train
says 0 '"pace": 1.0,' train --set cluster.speed_spread=0 --json
if "$bin" train --set cluster.speed_spread=0 | grep -q '^  pace'; then bad "a pace line without a spread"; else ok; fi
if "$bin" train neutral --gpus 1 --model llama3-8b --set train.optimizer=none 2>/dev/null | grep -q '^  pace'; then
    bad "a pace line on one GPU"
else
    ok
fi
rejects 2 "cluster.speed_spread: 0.2 is out of range (accepted: 0 to 0.1)" train --set cluster.speed_spread=0.2
# weights in fp8 (train.fp8_params): named in the job line and the JSON when on, assumed off where an
# fp8 recipe leaves the choice, refused without one
says 0 "optimizer distributed (fp8 parameters)" \
    train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --set train.fp8_params=true
"$bin" train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --set train.fp8_params=true --json >"$tmp/p8" 2>&1
if grep -qF '"fp8_params": true' "$tmp/p8"; then ok; else bad "fp8_params in the JSON"; fi
rejects 2 "fp8 parameters belong to an fp8 recipe" train --model llama3-8b --gpus 8 --set train.fp8_params=true
# an fp4 recipe's frozen LoRA weights held in fp4 alone (train.fp8_params under nvfp4 with LoRA), named
# so; without LoRA refused.  The SwiGLU input kept in fp8 (train.fp8_act_input): named in the job
# line and the JSON when on, refused on a model without a gated MLP
says 0 "(fp4 frozen weights)" train --model llama2-70b --gpus 8 --gpu gb200 --precision nvfp4 \
    --set train.lora.rank=16 --set train.fp8_params=true
rejects 2 "fp4 without lora" train --model llama2-70b --gpus 8 --gpu gb200 --precision nvfp4 --set train.fp8_params=true
says 0 "(fp8 activation inputs)" train --model llama3-8b --gpus 8 --gpu gb200 --set train.fp8_act_input=true
"$bin" train --model llama3-8b --gpus 8 --gpu gb200 --set train.fp8_act_input=true --json >"$tmp/a8" 2>&1
if grep -qF '"fp8_act_input": true' "$tmp/a8"; then ok; else bad "fp8_act_input in the JSON"; fi
rejects 2 "train.fp8_act_input: the activation input kept in fp8 belongs to a SwiGLU MLP" \
    train --model gpt3-175b --gpus 64 --set train.fp8_act_input=true
rejects 2 "has activation geglu (accepted: a swiglu model" \
    train --model llama3-8b --gpus 8 --set model.activation=geglu --set train.fp8_act_input=true
# the attention kernel's key tiles (train.attn_block, attn_block_bwd): named in the job line and
# the JSON when set, the backward's alone on a family without a tile said so; refused on a model
# without sliding-window layers
says 0 "(attention tiles of 1024 keys, 2048 backward)" train --model gpt-oss-120b --gpus 64 --gpu tpu7x \
    --set train.attn_block=1024 --set train.attn_block_bwd=2048
says 0 "(attention tiles of 2048 keys backward, the band alone forward)" train --model gpt-oss-120b --gpus 64 \
    --gpu tpu7x --set train.attn_block_bwd=2048
says 0 "(attention tiles of 512 keys)" train --model gpt-oss-120b --gpus 8 --set train.attn_block=512
"$bin" train --model gpt-oss-120b --gpus 8 --set train.attn_block=512 --json >"$tmp/ab" 2>&1
if grep -qF '"attn_block": 512' "$tmp/ab"; then ok; else bad "attn_block in the JSON"; fi
rejects 2 "the model has no sliding-window layers" train --model llama3-8b --gpus 8 --set train.attn_block=512
"$bin" train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --set train.attention_dtype=fp8 --json >"$tmp/a8" 2>&1
if grep -qF '"attention_dtype": "fp8"' "$tmp/a8"; then ok; else bad "attention_dtype in the JSON"; fi
# the layers a recipe keeps in bf16 run their attention in bf16: all of them kept, the step is bf16 attention's
for d in bf16 fp8; do
    "$bin" train --model llama3-8b --gpus 8 --gpu gb200 --precision fp8 --recompute none --set train.attention_dtype=$d \
        --set train.bf16_first_layers=16 --set train.bf16_last_layers=16 --json 2>/dev/null |
        grep -o '"step_time_s": [0-9.e+-]*' | head -1 >"$tmp/a8-$d"
done
if [ -s "$tmp/a8-bf16" ] && cmp -s "$tmp/a8-bf16" "$tmp/a8-fp8"; then ok; else bad "fp8 attention in bf16-kept layers"; fi
# auto typed in capitals, or quoted, is named as such with what is accepted
rejects 2 "train.tp: 'AUTO': accepted auto, in lowercase and unquoted" train --tp AUTO
rejects 2 "train.dp_shard: 'Auto': accepted auto, in lowercase and unquoted" train --optimizer zero3 --set train.dp_shard=Auto
rejects 2 "train.layout: 'AUTO': accepted auto, in lowercase and unquoted (the best-layout search chooses it)" train --layout AUTO
# the layout search keeps a dp_shard given where it divides the layout's dp; where the
# layout's dp is at most the shard group, the state spans all of dp, with a note
"$bin" train --model llama3-8b --gpus 64 --layout auto --set train.optimizer=fsdp --set train.dp_shard=8 >"$tmp/hs" 2>&1
if grep -qF "(shard 8 x replicate" "$tmp/hs"; then ok; else bad "search and dp_shard: $(grep job "$tmp/hs")"; fi
"$bin" train --model llama3-8b --gpus 64 --tp auto --pp 4 --cp 2 --set train.optimizer=zero2 --set train.dp_shard=16 >"$tmp/hs" 2>&1
if grep -qF "train.dp_shard: 16 -> 0 (the layout found has dp" "$tmp/hs"; then ok; else bad "search and dp_shard past dp: $(head -4 "$tmp/hs")"; fi
# activation offload: what it needs, named with what is accepted
rejects 2 "train.offload: activation offload runs with pp 1" train neutral --set train.pp=2 --set train.offload=activations
rejects 2 "train.offload: activation offload is an alternative to recompute" train neutral --recompute full --set train.offload=activations
rejects 2 "train.offload_layers: offload_layers 32: accepted 1 to 31" train neutral --set train.offload=activations --set train.offload_layers=32
rejects 2 "train.offload: unknown value 'weights'" train neutral --set train.offload=weights
# names as people type them: any case, with or without punctuation, aliases
for n in H100 h100 H100-SXM h100_sxm h100-sxm5; do
    if "$bin" train --gpu "$n" --gpus 8 | grep -q "8 x h100-sxm"; then ok; else bad "--gpu $n"; fi
done
if "$bin" train --gpu a100-80gb --gpus 8 | grep -q "8 x a100-80g"; then ok; else bad "--gpu a100-80gb"; fi
for n in llama-3-70b Llama3-70B llama3.1-70b LLAMA3_70B; do
    if "$bin" train --model "$n" --gpus 64 --tp 8 | grep -q "model    llama3-70b:"; then ok; else bad "--model $n"; fi
done
if "$bin" train --fabric IB-NDR --gpus 8 | grep -q "ib-ndr"; then ok; else bad "--fabric IB-NDR"; fi
if "$bin" train --system DGX-H100 --gpus 8 | grep -q "in dgx-h100"; then ok; else bad "--system DGX-H100"; fi
if "$bin" catalog gpus H100 --json | grep -q '"name": "h100-sxm"'; then ok; else bad "catalog gpus H100"; fi
rejects 2 "'gb200-nvl72' is a system, not a gpu: give it as cluster.system (--system)" train --gpu gb200-nvl72
rejects 2 "'llama3-70b' is a catalog model: give it as --model llama3-70b" train llama3-70b
# an error the options caused names them, not a line of the built-in base
rejects 2 "aifsim: --pp: train.tp: gpus 8 is not divisible by tp*pp*cp = 1*64*1 = 64" train neutral --pp 64
rejects 2 "aifsim: --tp: train.tp: gpus 8 is not divisible" train neutral --tp 3
rejects 2 "aifsim: --tp: train.tp: gpus 8 is not divisible by tp*pp*cp = 8*16*1 = 128" train default --gpus 8 --tp 8 --pp 16
rejects 2 "aifsim: --precision: train.precision: unknown value 'fp16'; did you mean 'bf16'? (accepted: bf16, fp8, fp4, nvfp4, mxfp4)" \
    train --precision fp16
# selective recompute's modules: a bad name lists the accepted ones; modules need selective
rejects 2 "train.recompute_modules: unknown value 'mpl'; did you mean 'mlp'? (accepted: core_attn, mla_up_proj, layernorm, mlp, moe, moe_act, shared_experts)" \
    train --recompute selective --set train.recompute_modules=layernorm,mpl
rejects 2 "train.recompute_modules: recompute_modules name what recompute selective replays, but recompute is full" \
    train --recompute full --set train.recompute_modules=mlp
rejects 2 "train.recompute_modules: the stack deepspeed gathers each weight tensor for its use (ZeRO-3 per tensor); recompute_modules are Megatron-Core's (accepted here: core_attn alone, or no recompute_modules)" \
    train --model llama3-8b --gpus 16 --tp 1 --pp 1 --framework deepspeed --optimizer zero3 --recompute selective \
    --set train.recompute_modules=mlp
if "$bin" train --model deepseek-v3 --gpus 256 --pp 8 --ep 32 --recompute selective \
    --set train.recompute_modules=mla_up_proj,mlp | grep -q "recompute selective (mla_up_proj, mlp)"; then ok
else bad "recompute_modules on the job line"; fi
# a control character in a value is written out in the message, which stays one line
rejects 2 "unknown value 'ful\nl'; did you mean 'full'?" train --recompute "$(printf 'ful\nl')"
"$bin" catalog gpus "$(printf 'h1\n00')" 2>"$tmp/err" >/dev/null
if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -qF "h1\n00" "$tmp/err"; then ok; else bad "newline in a name: $(cat "$tmp/err")"; fi
if "$bin" collective --help | grep -q "sendrecv"; then ok; else bad "collective --help lacks sendrecv"; fi
# plurals: one of a thing is not "1 things"
"$bin" topology --set cluster.gpus=1 >"$tmp/one" 2>&1
if grep -q "1 GPU in 1 node " "$tmp/one" && ! grep -q "1 GPUs\|1 nodes" "$tmp/one"; then ok; else bad "plurals: $(head -1 "$tmp/one")"; fi
"$bin" train --engine sim --gpus 1 >"$tmp/one" 2>&1
if grep -q " 1 timeline," "$tmp/one"; then ok; else bad "plurals: 1 timeline"; fi
"$bin" train --gpus 1 --layers 1 >"$tmp/one" 2>&1
if grep -q " 1 layer," "$tmp/one"; then ok; else bad "plurals: 1 layer"; fi
"$bin" train --gpus 16 --set train.gpus=4 >"$tmp/one" 2>&1
if grep -q "4 GPUs on node 0 of the cluster" "$tmp/one"; then ok; else bad "plurals: GPUs on node 0"; fi
# a user catalog model's params against its architecture, at the line of the figure
printf 'models:\n  m:\n    layers: 32\n    hidden: 4096\n    heads: 32\n    kv_heads: 8\n    ffn: 14336\n    vocab: 128256\n    activation: swiglu\n    params: 70B\n' >"$tmp/pm.yaml"
rejects 2 "pm.yaml:10:13: models.m.params: published 70B, but the architecture gives 8.03B" train --catalog "$tmp/pm.yaml" --model m --gpus 8
# every subcommand's help three ways
for c in train facility topology report collective catalog validate; do
    h=$("$bin" $c --help | head -1)
    if [ "$("$bin" help $c | head -1)" = "$h" ] && [ "$("$bin" $c help | head -1)" = "$h" ] && [ -n "$h" ]; then
        ok
    else
        bad "aifsim help $c / aifsim $c help"
    fi
done
rejects 2 "is a size" train --nic-bw 400GB
rejects 2 "--set needs PATH=VALUE" train --set tp
rejects 2 "did you mean 'tp'" train --set train.tpp=8
rejects 2 "unknown command 'trian'" trian
rejects 2 "unknown catalog 'gpu'; did you mean 'gpus'" catalog gpu
rejects 2 "no gpus named 'h100-sx'; did you mean 'h100-sxm'" catalog gpus h100-sx
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
rejects 2 "printable characters" train --set "name=a$(printf '\033')[31m"
rejects 2 "facility.cooling: unknown value 'water'" facility --set facility.cooling=water
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
# a negative number is a number out of its field's range, said with the range
rejects 2 "facility.pue: -1 is out of range (accepted: 1 to 5)" facility --set facility.pue=-1
rejects 2 "cluster.speed_spread: -0.01 is out of range (accepted: 0 to 0.1)" train --set cluster.speed_spread=-0.01
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
# serving tables: the built-in one in the text and the JSON, apart from the bound; a user table
# read strictly, rejected at its line; skipped rows listed with their reason
"$bin" validate >"$tmp/val.txt"
if grep -q '^serving (validation/infer.csv; aif_run_serve; not part of the bound above):' "$tmp/val.txt" &&
   grep -q '^throughput (tokens/s, requests/s): [0-9]* rows, median |error|' "$tmp/val.txt" &&
   grep -q "(mlperf40-gaudi2x8-llama2-offline-tps): no input length" "$tmp/val.txt"; then ok
else bad "validate: serving section missing"; fi
if "$bin" validate --json | python3 -c 'import json,sys; d=json.load(sys.stdin)["serving"]; assert d["n"] == d["throughput"]["n"] + d["latency"]["n"] and d["latency"]["n"] == d["ttft"]["n"] + d["tpot"]["n"] and d["n_skipped"] > 0 and "pass" not in d'; then ok
else bad "validate --json: serving"; fi
# the training rows by calibration family and by dense / MoE: each split covers every row once,
# and every row names its family and kind
if "$bin" validate --json | python3 -c 'import json,sys; d=json.load(sys.stdin); rows=d["rows"]; assert sum(g["n"] for g in d["families"].values()) == d["n"] == len(rows); assert d["kinds"]["dense"]["n"] + d["kinds"]["moe"]["n"] == d["n"]; assert all(d["families"][r["arch"]]["n"] > 0 for r in rows); assert sum(r["moe"] for r in rows) == d["kinds"]["moe"]["n"]'; then ok
else bad "validate --json: families and kinds"; fi
# the collectives from 1 MB up by ranks: four classes that add up to the band, each row's ranks given
if "$bin" validate --json | python3 -c 'import json,sys; c=json.load(sys.stdin)["collectives"]; b=c["from_1MB_by_ranks"]; assert [g["ranks"] for g in b] == ["2 GPUs", "3-4 GPUs", "5-8 GPUs", "more than 8 GPUs"]; assert sum(g["n"] for g in b) == c["from_1MB"]["n"]; assert all(r["gpus"] >= 2 for r in c["rows"]); assert sum(1 for r in c["rows"] if r["gpus"] == 2 and r["framework"] == "from 1 MB up") == b[0]["n"]'; then ok
else bad "validate --json: collectives by ranks"; fi
sh_hdr='id,model,gpu,system,gpus,tp,pp,ep,precision,kv_precision,mode,input_tokens,output_tokens,qps,concurrency,metric,value,unit_note,software,source,notes'
printf '%s\na,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,9000,per deployment,e,s,\nb,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,512,128,,,ttft_p50_s,0.1,per deployment,e,s,\n' "$sh_hdr" >"$tmp/s.csv"
rejects 2 "s.csv:3: qps: mode server needs a request rate" validate --infer "$tmp/s.csv"
printf '%s\na,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,9000,per deployment,e,s,\n' "$sh_hdr" >"$tmp/s.csv"
"$bin" validate --infer "$tmp/s.csv" >"$tmp/s.out"
if grep -q "^serving ($tmp/s.csv; " "$tmp/s.out" && grep -q '^latency (TTFT, TPOT: percentiles, means): no rows' "$tmp/s.out" &&
   ! grep -q '^training runs' "$tmp/s.out"; then ok
else bad "validate --infer FILE: $(head -3 "$tmp/s.out")"; fi
rejects 2 "option '--infer' $twice" validate --infer a.csv --infer b.csv
rejects 2 "--engine sim applies to the training rows, not to --collectives, --infer or --memory" validate --engine sim --infer x.csv
# --memory FILE: a peak-memory table alone (the training table's columns, metric
# peak_memory_gib), no bound and no training section; a throughput row refused in it and a
# memory row among the training rows, each naming where it goes
tr_hdr=$(head -1 "$src/validation/train.csv")
printf '%s\nm,llama3-8b,dgx-h100,,8,1,1,1,1,1,8,1,8,4096,bf16,,,,,,,,,,peak_memory_gib,40,,s,n\n' "$tr_hdr" >"$tmp/m.csv"
"$bin" validate --memory "$tmp/m.csv" >"$tmp/m.out"
if grep -q "^peak memory per GPU ($tmp/m.csv; " "$tmp/m.out" && grep -q '^1 rows: median |error| ' "$tmp/m.out" &&
   ! grep -q '^training runs' "$tmp/m.out" && ! grep -q 'bound on the median' "$tmp/m.out"; then ok
else bad "validate --memory FILE: $(head -3 "$tmp/m.out")"; fi
rejects 2 "'peak_memory_gib' is a memory figure: it goes in a memory table" validate "$tmp/m.csv"
sed 's/peak_memory_gib,40/tokens_per_s_per_gpu,9000/' "$tmp/m.csv" >"$tmp/m2.csv"
rejects 2 "'tokens_per_s_per_gpu' is a training figure: it goes in the training table" validate --memory "$tmp/m2.csv"
sed 's/peak_memory_gib,40/peak_memory_gb,40/' "$tmp/m.csv" >"$tmp/m3.csv"
rejects 2 "unknown metric 'peak_memory_gb' in a memory table (accepted: peak_memory_gib, peak_allocated_gib)" validate --memory "$tmp/m3.csv"
rejects 2 "option '--memory' $twice" validate --memory a.csv --memory b.csv
rejects 2 "--holdout applies to the training rows, not to --collectives, --infer or --memory" validate --holdout source --memory x.csv
if "$bin" validate --json | python3 -c '
import json,sys
d=json.load(sys.stdin); m=d["memory"]
assert m["n"] == len(m["rows"]) >= 40
assert all(r["metric"] in ("peak_memory_gib", "peak_allocated_gib") for r in m["rows"])
assert sum(r["metric"] == "peak_allocated_gib" for r in m["rows"]) >= 17
assert m["median_ape_pct"] <= m["p90_ape_pct"] <= m["max_ape_pct"]'; then ok
else bad "validate --json: no memory section"; fi
# --holdout source: the training rows alone, each source group with and without the constants
# tied to it; one is tied in data/calibration.yaml (TPU v5p's GEMM efficiency, to MaxText's
# table) and no row outside that group informs it, so the figures coincide and the output says so
"$bin" validate --holdout source >"$tmp/ho.txt"
if grep -q ', 1 tied to a training row$' "$tmp/ho.txt" &&
   grep -q '^AI-Hypercomputer/maxtext .*tpu-v5.matmul_eff 0.75 -> 0.75 (no other row informs it)$' "$tmp/ho.txt" &&
   grep -q '^pytorch/torchtitan  *28 ' "$tmp/ho.txt" && grep -q '^inputs the table marks ASSUMED: [0-9]*, in ' "$tmp/ho.txt" &&
   grep -q ' rows held out by source: median |error| \([0-9.]*%\) (with every constant as cataloged \1;' "$tmp/ho.txt" &&
   ! grep -q '^serving' "$tmp/ho.txt"; then ok
else bad "validate --holdout source: $(tail -3 "$tmp/ho.txt")"; fi
if "$bin" validate --holdout source --json | python3 -c '
import json,sys
d=json.load(sys.stdin); h=d["holdout"]; r=d["rows"]
assert h["tied_constants"] == 1 and h["heldout_median_ape_pct"] == d["median_ape_pct"]
assert sum(g["n"] for g in h["groups"]) == d["n"] == len(r)
assert d["assumed"] == sum(x["assumed"] for x in r) > 0 and d["rows_not_fitting"] == sum(not x["fits_in_memory"] for x in r)
assert d["p90_ape_pct"] >= d["median_ape_pct"]'; then ok
else bad "validate --holdout source --json"; fi
rejects 2 "--holdout 'paper' (accepted: source)" validate --holdout paper
# names are read with their case ignored, here as everywhere
if "$bin" validate --holdout SOURCE >/dev/null 2>&1; then ok; else bad "validate --holdout SOURCE refused"; fi
rejects 2 "option '--holdout' $twice" validate --holdout source --holdout source
rejects 2 "--holdout applies to the training rows" validate --holdout source --collectives x.csv
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
if "$bin" train neutral --set train.tp=2 --set train.tp=4 --catalog "$tmp/cat.yaml" --catalog "$tmp/cat.yaml" --json \
    >"$tmp/twice.json" 2>"$tmp/twice.err" && grep -q '"tp": 4' "$tmp/twice.json"; then ok
else bad "--set and --catalog twice: $(cat "$tmp/twice.err")"; fi

# model files whose bases lead back to themselves: exit 2 naming the chain (was a stack overflow)
mkdir -p "$tmp/cyc"
printf 'base: self.yaml\n' >"$tmp/cyc/self.yaml"
rejects 2 "cycle: $tmp/cyc/self.yaml -> $tmp/cyc/self.yaml" train --model "$tmp/cyc/self.yaml"
printf 'base: b.yaml\nlayers: 4\n' >"$tmp/cyc/a.yaml"
printf 'base: ./a.yaml\n' >"$tmp/cyc/b.yaml"
rejects 2 "a.yaml -> $tmp/cyc/b.yaml -> $tmp/cyc/./a.yaml" train --model "$tmp/cyc/a.yaml"
printf 'base: llama3-8b\nlayers: 4\n' >"$tmp/cyc/ok.yaml"
printf 'base: ok.yaml\n' >"$tmp/cyc/ok2.yaml"
if "$bin" train --model "$tmp/cyc/ok2.yaml" --gpus 8 | grep -q "4 layers"; then ok; else bad "a model file based on a model file"; fi
# a scenario over the stated size limit: an error naming it, at once
yes '# padding' | head -c 17000000 >"$tmp/big.yaml"
rejects 2 "big.yaml: 17000000 bytes is over the limit of 16777216 bytes (16 MiB)" train "$tmp/big.yaml"
rm -f "$tmp/big.yaml"
# --set takes YAML flow values: lists and mappings, checked like the same text in a file
"$bin" facility --set 'facility.demand_response=[{start: 10d, duration: 4h, action: pause}]' >"$tmp/dr" 2>&1
if [ $? -eq 0 ]; then ok; else bad "--set with a flow list: $(cat "$tmp/dr")"; fi
rejects 2 "--set facility.demand_response: facility.demand_response[0].action: unknown value 'paus'" \
    facility --set 'facility.demand_response=[{start: 10d, duration: 4h, action: paus}]'
rejects 2 "--set name: name: empty value" train --set name=
# the energy supply and the battery through --set and files: errors name the field, and file:line
"$bin" facility --json --set 'facility.supply=[{kind: grid}, {kind: ppa_solar, share: 50%}]' --set facility.battery=auto \
    >"$tmp/sup" 2>&1
if python3 -c 'import json,sys; f=json.load(open(sys.argv[1]))["facility"]; s=f["supply"]
assert [x["kind"] for x in s["sources"]] == ["ppa_solar", "grid"] and len(s["day_draw_kw"]) == 24
assert s["short_h"] == 0 and abs(s["energy_mwh"] - f["energy_mwh"]) < 1e-6 * f["energy_mwh"]
assert f["battery"]["grid_stop_swing_kw"] == 0 and f["battery"]["power_kw"] == f["stop_swing_kw"]' "$tmp/sup"
then ok; else bad "facility --json with a supply and a battery: $(head -c 600 "$tmp/sup")"; fi
rejects 2 "--set facility.supply: facility.supply[1]: a ppa_solar source needs its capacity" \
    facility --set 'facility.supply=[{kind: grid}, {kind: ppa_solar}]'
printf 'cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nfacility:\n  supply:\n    - {kind: nuclear, capacity: 1MW, share: 5%%}\n' >"$tmp/sup.yaml"
rejects 2 "sup.yaml:5:7: facility.supply[0]: give capacity or share, not both" train "$tmp/sup.yaml"
printf 'capacity_factor\n0.5\nx\n' >"$tmp/p.csv"
printf 'cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\nfacility: {supply: [{kind: ppa_wind, capacity: 1MW, profile: p.csv}]}\n' >"$tmp/sup.yaml"
rejects 2 "p.csv:3: facility.supply[0].profile: 'x' is not a number" facility "$tmp/sup.yaml"
rejects 2 "facility.battery: give both capacity" facility --set 'facility.battery={power: 5MW}'

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

# a site that cannot hold the job is a verdict with its numbers, not an error: the
# job's answer is printed (before: exit 2 on facility.nodes_per_rack, no step time)
says 0 "site             INFEASIBLE: no cooling holds racks of 251.2 kW (the strongest, immersion, holds 150 kW" \
    facility --set facility.nodes_per_rack=32
says 0 "INFEASIBLE: air cooling holds 41 kW per rack, but 8 dgx-h100 per rack draw" \
    facility --set facility.cooling=air --set facility.nodes_per_rack=8
nvl72="--system gb200-nvl72 --gpus 576 --gpus-per-node 72"
# shellcheck disable=SC2086
says 0 "step time" train $nvl72
# shellcheck disable=SC2086
says 0 "INFEASIBLE: no cooling holds racks" train $nvl72
# the node size that disagrees with the system is named before anything else
"$bin" train $nvl72 >"$tmp/out" 2>&1
note_at=$(grep -n '^note: cluster.gpus_per_node: gb200-nvl72 nodes are trays of 4 GPUs in an NVLink domain of 72; you set 72 per node' "$tmp/out" | cut -d: -f1)
model_at=$(grep -n '^  model ' "$tmp/out" | head -1 | cut -d: -f1)
if [ -n "$note_at" ] && [ -n "$model_at" ] && [ "$note_at" -lt "$model_at" ]; then ok; else
    bad "train $nvl72: the note on the node size is missing or not before the job: $(head -5 "$tmp/out")"; fi
# shellcheck disable=SC2086
says 0 '"site_verdict": "no_cooling"' train $nvl72 --json
# shellcheck disable=SC2086
says 0 '"path": "cluster.gpus_per_node"' train $nvl72 --json

# --strict: exit 3 when the job does not fit in memory or the site cannot hold it,
# after the whole output; the reason on stderr; 0 when all is well
says 3 "DOES NOT FIT" train --strict
grep -qF -- "--strict: the job does not fit in GPU memory" "$tmp/err" && ok || bad "train --strict: no reason on stderr"
# shellcheck disable=SC2086
says 3 "step time" train $nvl72 --strict
grep -qF -- "--strict: the site cannot hold the job: racks of" "$tmp/err" && ok || bad "--strict: no site reason"
says 3 "INFEASIBLE" facility --strict --set facility.nodes_per_rack=32
says 3 "INFEASIBLE: the site cap of 1 MW holds" facility --set facility.power_cap=1MW --strict
says 0 '"fits_in_memory": true' train neutral --gpus 8 --tp 2 --strict --json
says 0 "racks" facility --strict
says 3 '"fits_in_memory": false' train --strict --json --gpus 8 --set train.optimizer=none
"$bin" report --strict -o "$tmp/r.html" --set facility.nodes_per_rack=32 >/dev/null 2>&1
rc=$?
[ $rc -eq 3 ] && [ -s "$tmp/r.html" ] && ok || bad "report --strict on an infeasible site exited $rc"
rejects 2 "unknown option '--strictly'" facility --strictly

# facility needs the site, not the job's layout: a layout that does not divide, or an
# unknown model, leaves the site sized with every GPU computing and a note saying why
# (before: exit 2); report needs the job and says which check failed
says 0 "note: train.tp: the job was not run (--set train.tp: train.tp: gpus 16384 is not divisible" \
    facility --set train.tp=3
says 0 "racks            32 racks of 4 dgx-h100" facility --set cluster.gpus=1000
says 0 '"job_run": false' facility --set train.tp=3 --json
says 0 "note: model: the job was not run" facility --set model=no-such-model
rejects 2 "cluster.gpus: 'x' is not a number" facility --set cluster.gpus=x
rejects 2 "the report is of the job, and its check of train.tp failed" report -o "$tmp/r.html" --set train.tp=3

# aifsim infer: the built-in serving example, options on it, JSON keys, refusals
golden infer.txt infer
golden infer-offline.json infer --model llama3-8b --gpus 8 --tp 1 --mode offline --requests 2000 --input-tokens 1000 --output-tokens 200 --json
golden infer-moe.txt infer --model mixtral-8x7b --tp 4 --ep 2 --precision bf16 --qps 6 --requests 500 --slo ttft_p99=1s,tpot_p99=40ms
for k in throughput_tokens_per_s requests_per_s ttft_p50_s ttft_p99_s tpot_p50_s tpot_p99_s e2e_p99_s slo_goodput \
         kv_cache_peak_fraction joules_per_token usd_per_million_tokens; do
    if grep -q "\"$k\"" "$golden/infer-offline.json"; then ok; else bad "infer-offline.json lacks $k"; fi
done
"$bin" infer --qps 3 --seed 9 --json >"$tmp/a"
"$bin" infer --qps 3 --seed 9 --json >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then ok; else bad "infer: two runs differ"; fi
# prefill/decode disaggregation: the pools named, the caches' moves reported; a malformed P:D refused
golden infer-disagg.txt infer --model llama3-8b --tp 1 --gpus 4 --qps 6 --requests 300 --disaggregate 1:3
rejects 2 "--disaggregate '1' is not P:D" infer --disaggregate 1
rejects 2 "they need mode server" infer --mode offline --set serve.agentic.calls=4
rejects 2 "it needs mode server and no trace" infer --mode offline --set serve.daily_curve=[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]
rejects 2 "serve.disaggregate.decode" infer --disaggregate 1:0
# infer plan: the cheapest deployment meeting the targets, over GPU kinds, tp and precisions
golden infer-plan.txt infer plan --model llama3-70b --qps 4 --requests 400 --slo ttft_p99=2s,tpot_p99=100ms \
    --candidates h100-sxm,h200,b200 --tps 2,4,8 --precisions bf16,fp8
"$bin" infer plan --model llama3-70b --qps 4 --requests 400 --slo ttft_p99=2s,tpot_p99=100ms --tps 4,8 --json >"$tmp/plan.json"
for k in candidates best meeting deployments_simulated replicas usd_per_million_tokens validated; do
    if grep -q "\"$k\"" "$tmp/plan.json"; then ok; else bad "infer plan --json lacks $k"; fi
done
rejects 2 "infer plan needs a target to meet" infer plan --qps 4 --set serve.slo.ttft_p99=0s --set serve.slo.tpot_p99=0s
rejects 2 "give serve.qps (--qps) in server mode" infer plan --mode offline --slo ttft_p99=2s
rejects 2 "--precisions: 'int4' (accepted: bf16, fp8, fp4)" infer plan --precisions int4 --slo ttft_p99=2s
rejects 2 "--tps takes 1 to 8 values" infer plan --tps 1,,2,3,4,5,6,7,8,9 --slo ttft_p99=2s
rejects 2 "--candidates belongs to 'aifsim infer plan'" infer --candidates h100-sxm
rejects 2 "is given twice" infer plan --tps 1 --tps 2 --slo ttft_p99=2s
rejects 2 "--gpus-from names 'h200' twice" infer plan --candidates h200,b200,h200 --slo ttft_p99=2s
rejects 2 "--splits: '2:0' is not none or P:D" infer plan --splits none,2:0 --slo ttft_p99=2s
rejects 2 "--eps 'x': expected a finite number from 1 to 1024" infer plan --eps 1,x --slo ttft_p99=2s
rejects 2 "--eps names tp twice" infer plan --eps tp,tp --slo ttft_p99=2s
rejects 2 "--splits names 1:1 twice" infer plan --splits 1:1,1:1 --slo ttft_p99=2s
rejects 2 "--tps names 4 twice" infer plan --tps 4,8,4 --slo ttft_p99=2s
rejects 2 "cluster.gpu" infer plan --candidates h100-sxn --slo ttft_p99=2s
rejects 2 "the weights of llama3-405b at bf16 need 811.7 GB per GPU with tp 1 x pp 1, more than the 85.5 GB" \
    infer --model llama3-405b --tp 1 --precision bf16
rejects 2 "--slo: serve.slo.ttft: unknown key 'ttft'; did you mean 'ttft_p99'?" infer --slo ttft=2s
rejects 2 "--slo item 'fast' is not KEY=VALUE" infer --slo fast
rejects 2 "serve.ep: ep 3 does not divide tp 4" infer --model mixtral-8x7b --tp 4 --ep 3
rejects 2 "--precision: serve.precision: unknown value 'fp16'; did you mean 'bf16'?" infer --precision fp16
printf 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n2023-11-16 18:15:47.00,10\n' >"$tmp/t.csv"
rejects 2 "t.csv:3: serve.trace: 2 fields; a row holds 3" infer --trace "$tmp/t.csv"
printf 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.68,374,44\n2023-11-16 18:15:47.00,100,10\n' >"$tmp/t.csv"
says 0 "2 requests from" infer --trace "$tmp/t.csv"
if "$bin" help infer | head -1 | grep -q "usage: aifsim infer"; then ok; else bad "aifsim help infer"; fi

# aifsim cluster: the default job over the Llama 3 paper's 54 days, a synthetic load,
# JSON keys, determinism, refusals
golden cluster-54d.txt cluster --days 54
golden cluster-synthetic.json cluster --format synthetic --set operations.synthetic.jobs=300 --set operations.synthetic.tenants=3 --days 2 --policy sjf --json
for k in jobs jct_mean_s jct_p99_s queue_wait_mean_s gpu_utilization makespan_s interruptions ettr lost_gpu_hours; do
    if grep -q "\"$k\"" "$golden/cluster-synthetic.json"; then ok; else bad "cluster-synthetic.json lacks $k"; fi
done
"$bin" cluster --format synthetic --set operations.synthetic.jobs=500 --seed 5 --json >"$tmp/a"
"$bin" cluster --format synthetic --set operations.synthetic.jobs=500 --seed 5 --json >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b" && [ -s "$tmp/a" ]; then ok; else bad "cluster: two runs differ"; fi
rejects 2 "operations.policy: unknown value 'fifoo'; did you mean 'fifo'?" cluster --policy fifoo
rejects 2 "unknown --format 'slurm'" cluster --format slurm
rejects 2 "--trace needs --format" cluster --trace x.csv
rejects 2 "--format helios needs --trace FILE" cluster --format helios
rejects 2 "option '--days' $twice" cluster --days 1 --days 2
# the trace readers feed the simulator: every format's sample replays to its end; a bad row
# is refused at its line
for f in "helios helios_cluster_log.csv" "philly philly_cluster_job_log.json" "acme acme_trace_seren.csv" \
         "pai pai_job_table.csv,$src/tests/data/jobs/pai_task_table.csv"; do
    # shellcheck disable=SC2086
    set -- $f
    if "$bin" cluster --trace "$src/tests/data/jobs/$2" --format "$1" --json >"$tmp/c.json" 2>"$tmp/c.err" &&
       grep -q '"jobs"' "$tmp/c.json"; then ok; else bad "cluster --format $1 on its sample: $(cat "$tmp/c.err")"; fi
done
head -2 "$src/tests/data/jobs/helios_cluster_log.csv" >"$tmp/bad.csv"
echo "x,y,z" >>"$tmp/bad.csv"
if "$bin" cluster --trace "$tmp/bad.csv" --format helios >/dev/null 2>"$tmp/c.err"; then bad "a bad trace row accepted"
elif grep -q "bad.csv:3" "$tmp/c.err"; then ok; else bad "bad trace row: no line 3 in: $(cat "$tmp/c.err")"; fi
if "$bin" help cluster | head -1 | grep -q "usage: aifsim cluster"; then ok; else bad "aifsim help cluster"; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
