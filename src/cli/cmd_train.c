/* cmd_train.c -- `aifsim train`: a scenario (file or the built-in default)
 * with command-line overrides, estimated and printed as a table or JSON. */
#include "aifsim/api.h"
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: aifsim train [SCENARIO.yaml | EXAMPLE] [OPTIONS]\n"
    "\n"
    "Estimates one training step of a job on a cluster: step time and its breakdown,\n"
    "tokens/s, model TFLOP/s per GPU, MFU, memory per GPU, and days to train; under\n"
    "MFU, the analytical engine's errors on published runs like the job (validated:\n"
    "its kind, accelerator family and stack, then every run; aifsim validate --classes).\n"
    "Every option below sets one field of the scenario (docs/SCENARIOS.md).  The base\n"
    "is SCENARIO.yaml or EXAMPLE when given, else the built-in default scenario (Llama 3\n"
    "405B on 16,384 H100); options refine it.  --model, or a --gpus the base's layout\n"
    "cannot hold, makes another job: the layout not given (tp pp vpp cp ep etp dp gbs)\n"
    "is derived again.  The first line names the base; substitutions follow it.\n"
    "EXAMPLE names a built-in scenario: default, neutral (one DGX H100 node, llama3-8b,\n"
    "seq 4096, no model parallelism), llama3-8b-8gpu, mixtral-8x7b.\n"
    "\n"
    "model:\n"
    "  --model NAME|FILE     catalog model (aifsim catalog models) or a model YAML file\n"
    "  --layers N --hidden N --heads N --kv-heads N --ffn N --vocab N\n"
    "                        change the model's shape; a new width (all but --layers)\n"
    "                        needs --arch\n"
    "  --arch NAME           the architecture: gpt (gelu, layernorm, learned positions,\n"
    "                        tied embeddings), gpt-neox (gelu, layernorm, rope), llama\n"
    "                        (swiglu, rmsnorm, rope)\n"
    "cluster:\n"
    "  --system NAME         catalog system (aifsim catalog systems), e.g. dgx-h100\n"
    "  --gpu NAME            accelerator (aifsim catalog gpus), e.g. h100-sxm\n"
    "  --gpus N              accelerators in the job\n"
    "  --gpus-per-node N     --nics-per-node N    --nic-bw BW (e.g. 400Gb/s)\n"
    "  --fabric NAME         scale-out fabric (aifsim catalog fabrics), e.g. ib-ndr\n"
    "parallelism and batch:\n"
    "  --tp N --pp N --vpp N --cp N --ep N --etp N --dp N\n"
    "                        parallel degrees; dp defaults to gpus/(tp*pp*cp), etp to 1;\n"
    "                        tp pp vpp cp ep etp and mbs may be auto: the fastest layout\n"
    "                        that fits, the others fixed (aifsim search's engine), shown\n"
    "                        as a substitution line \"train.tp: auto -> 8 (best of N ...)\";\n"
    "                        so may train.recompute_layers (the fewest layers a full\n"
    "                        recompute replays) and train.dp_shard (hybrid sharding), each\n"
    "                        with --set\n"
    "  --layout auto         all of tp pp vpp cp ep etp mbs auto (dp follows)\n"
    "                        --set train.rank_order=tp-cp-pp-dp places each replica's\n"
    "                        pipeline on consecutive GPUs (Megatron-Core's\n"
    "                        use_tp_pp_dp_mapping; default tp-cp-dp-pp)\n"
    "  --mbs N               micro-batch, sequences     --gbs N   global batch, sequences\n"
    "  --seq N               sequence length, tokens\n"
    "  --precision P         bf16, fp8, or fp4 as nvfp4 or mxfp4 (Blackwell: block-scaled\n"
    "                        GEMMs; train.bf16_first_layers and _last_layers keep layers\n"
    "                        in bf16: the NVFP4 paper's recipe is 2 and 8, default 0)\n"
    "  --recompute none|selective|full\n"
    "                        (selective replays train.recompute_modules, default core_attn;\n"
    "                        e.g. --set train.recompute_modules=mla_up_proj,mlp; full keeps\n"
    "                        what train.recompute_saved names, e.g. qkv_proj: MaxText's\n"
    "                        save_qkv_proj; train.recompute_layers=N replays only the\n"
    "                        first N layers of each pipeline chunk, Megatron's block method)\n"
    "  --optimizer none|distributed|zero1|zero2|zero3|fsdp\n"
    "  --framework NAME      software stack (aifsim catalog frameworks): megatron-core\n"
    "                        (default), torchtitan, torchtitan-compile (its December 2024\n"
    "                        code), torchtitan-compile-2025, deepspeed, maxtext, maxtext-gpu,\n"
    "                        rocm-megatron, rocm-torchtitan, llm-foundry\n"
    "  --lora-rank N         LoRA fine-tuning: the model frozen, rank-N adapters trained\n"
    "  --lora-targets attention|all|qkv   the adapted weights (default attention)\n"
    "  --tokens N            training budget in tokens (e.g. 15.6T) for days and GPU-hours\n"
    "network (used by --engine sim; docs/NETWORK.md):\n"
    "  --topology auto|fat-tree|rail-optimized|rail-only\n"
    "  --oversubscription R  leaf down:up ports (1 = non-blocking)\n"
    "  --planes N            independent planes per NIC (2 = dual-plane)\n"
    "  --routing auto|ecmp|adaptive   auto (default): the fabric's own (data/fabrics.yaml:\n"
    "                        adaptive on ib-hdr, ib-ndr, ib-xdr, Spectrum-X and UEC; ECMP on\n"
    "                        RoCE, Ethernet and Omni-Path)\n"
    "  --failed-links N      switch cables down, chosen by seed\n"
    "engine:\n"
    "  --engine estimate|sim estimate: closed form (default); sim: discrete events on a\n"
    "                        flow-level network, with contention\n"
    "  --full                sim: every data-parallel replica as its own timeline\n"
    "  --trace FILE.json     sim: write the step as a Chrome trace (Perfetto, chrome://tracing);\n"
    "                        - writes it to standard output (the summary then goes to stderr)\n"
    "other:\n"
    "  --set PATH=VALUE      set any scenario field, e.g. --set train.tp_overlap=false\n"
    "  --catalog FILE        add catalog entries from FILE (same format as data/*.yaml)\n"
    "  --json                print one JSON object instead of the table\n"
    "  --ops                 also print the step graph: every op with its size and time\n"
    "  --strict              exit 3 when the job does not fit in GPU memory or the site\n"
    "                        cannot hold it (the output is printed all the same)\n"
    "  -h, --help            this help\n"
    "\n"
    "units: GB = 10^9 bytes, GiB = 2^30 (memory per GPU is printed in GiB); count suffixes\n"
    "K M G|B T are 10^3..10^12; only aifsim collective's message sizes read a bare 1G as\n"
    "2^30, as nccl-tests does.  Outputs: 3 significant digits, SI prefixes, never an exponent.\n"
    "\n"
    "examples:\n"
    "  aifsim train\n"
    "  aifsim train --model llama3-70b --gpus 1024 --tp 8 --pp 4 --gbs 512 --seq 8192\n"
    "  aifsim train neutral --gpus 16 --tp 2 --gbs 128 --precision fp8 --json\n"
    "  aifsim train mixtral-8x7b --ep 4 --recompute full     (a built-in example scenario)\n"
    "  aifsim train --model llama3-70b --gpus 1024 --gbs 512 --layout auto\n"
    "  aifsim train --engine sim --fabric roce-400 --oversubscription 2 --trace step.json\n"
    "\n" CLI_RULES_HELP;

enum { O_OPS = CLI_O_OWN, O_ENGINE, O_FULL, O_TRACE };

/* The options that set one scenario field each come from the library (api.h), so that
 * the Python module's keyword arguments are these options; getopt's val is the index. */

int cmd_train(int argc, char **argv)
{
    static const struct option own[] = {{"ops", no_argument, NULL, O_OPS},
                                         {"engine", required_argument, NULL, O_ENGINE},
                                         {"full", no_argument, NULL, O_FULL},
                                         {"trace", required_argument, NULL, O_TRACE},
                                         {0, 0, 0, 0}};
    const aif_option *opt_paths = aif_train_options();
    struct option longopts[CLI_MAX_LONGOPTS];
    cli_longopts(opt_paths, own, longopts);

    static cli_opts o;
    memset(&o, 0, sizeof o);
    int strict = cli_take_strict(&argc, argv);
    int ops = 0, status = EXIT_OK;
    optind = 1;
    opterr = 0;
    int ch, idx;
    while ((ch = getopt_long(argc, argv, ":h", longopts, &idx)) != -1) {
        if (ch == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        int taken = cli_common_getopt("train", ch, longopts, idx, argv, &o);
        if (taken < 0)
            return -taken;
        if (taken)
            continue;
        if (ch == O_OPS) {
            ops = 1;
            continue;
        }
        if (ch == O_ENGINE) {
            int e = aif_name_index(aif_engine_names, optarg);
            if (e < 0)
                return cli_usage_error("train", "--engine '%s' (accepted: estimate, sim)", optarg);
            o.engine = e;
            continue;
        }
        if (ch == O_FULL) {
            o.full = 1;
            continue;
        }
        if (ch == O_TRACE) {
            o.trace = optarg;
            continue;
        }
        char origin[64];
        snprintf(origin, sizeof origin, "--%s", opt_paths[ch].option);
        if (cli_add_override("train", &o, origin, opt_paths[ch].path, optarg))
            return EXIT_USAGE;
    }
    if ((o.full || o.trace) && !o.engine)
        return cli_usage_error("train", "%s needs --engine sim", o.full ? "--full" : "--trace");
    const char *file = NULL;
    if (optind < argc)
        file = argv[optind++];
    if (optind < argc)
        return cli_usage_error("train", "unexpected argument '%s' (one scenario file at most)", argv[optind]);

    static cli_job j;
    status = cli_run_job(file, &o, &j);
    /* with --trace -, standard output carries the trace alone and the summary goes to stderr */
    FILE *out = o.trace && !strcmp(o.trace, "-") ? stderr : stdout;
    if (!status && o.json) {
        status = cli_print_json(out, aif_report_train_json(&j));
    } else if (!status) {
        aif_report_train_text(out, &j);
        if (o.engine)
            aif_report_network_text(out, &j.net);
        if (ops) {
            aif_err e;
            aif_graph_timing gt;
            fputc('\n', out);
            if (aif_graph_timing_eval(&j.scenario, &gt, &e) != AIF_OK)
                status = cli_report_error(&e);
            else
                aif_report_graph_text(out, &gt);
            aif_graph_timing_free(&gt);
        }
    }
    if (!status && strict)
        status = cli_strict_status(&j, 1);
    return status;   /* standard output is checked in cli_finish */
}
