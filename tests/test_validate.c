/* test_validate.c -- the validation runners: statistics, conventions, bad CSV;
 * training rows, nccl-tests rows and serving rows (validation/infer.csv). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/serve.h"
#include "aifsim/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;
static int setup(void **s) { (void)s; aif_err e; return aif_catalog_load_builtin(&cat, &e) == AIF_OK ? 0 : -1; }
static int teardown(void **s) { (void)s; aif_catalog_free(cat); return 0; }

#define HDR "id,model,system,gpus,tp,pp,mbs,gbs,seq,metric,measured,flops_convention,source\n"

static void test_builtin_table(void **state)
{
    (void)state;
    size_t len;
    const char *csv = aif_builtin_validation_csv(&len);
    assert_non_null(csv);
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, csv, len, "train.csv", &v, &e), AIF_OK);
    assert_true(v.n >= 40);
    for (int i = 0; i < v.n; i++) {
        assert_true(v.rows[i].predicted > 0);
        assert_true(strlen(v.rows[i].source) > 10);   /* every row is cited */
    }
    assert_true(v.median_ape <= v.max_ape);
    assert_true(v.mean_ape <= v.max_ape);
    aif_validation_free(&v);
}

static void test_statistics(void **state)
{
    (void)state;
    /* the same run measured at twice and half its predicted step time: errors -50% and +100% */
    const char *one = HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,x source\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, one, strlen(one), "t.csv", &v, &e), AIF_OK);
    double p = v.rows[0].predicted;
    aif_validation_free(&v);
    char csv[1024];
    snprintf(csv, sizeof csv, HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s1\n"
             "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s2\n"
             "c,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s3\n", 2 * p, p / 2, p);
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "t.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 3);
    assert_true(fabs(v.rows[0].err + 0.5) < 1e-9);
    assert_true(fabs(v.rows[1].err - 1.0) < 1e-9);
    assert_true(fabs(v.median_ape - 50) < 1e-6);
    assert_true(fabs(v.max_ape - 100) < 1e-6);
    assert_true(fabs(v.mean_ape - 50) < 1e-6);
    assert_int_equal(v.worst, 1);
    aif_validation_free(&v);
}

/* The bias: the median signed error with a time compared as its rate, so that a step time
 * measured twice as long as predicted counts as a rate twice too high (+100%), not -50%. */
static void test_bias(void **state)
{
    (void)state;
    assert_true(fabs(aif_val_rate_err("step_time_s", -0.5) - 1.0) < 1e-12);
    assert_true(fabs(aif_val_rate_err("ttft_p50_s", 1.0) + 0.5) < 1e-12);
    assert_true(fabs(aif_val_rate_err("tpot_mean_s", 0.25) + 0.2) < 1e-12);
    assert_true(aif_val_rate_err("tokens_per_s_per_gpu", 0.3) == 0.3);
    assert_true(aif_val_rate_err("requests_per_s", -0.3) == -0.3);
    assert_true(aif_val_rate_err("throughput_tokens_per_s", 0.1) == 0.1);
    assert_true(aif_val_rate_err("peak_memory_gib", -0.2) == -0.2);
    const char *one = HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,x source\n"
                          "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,tokens_per_s_per_gpu,1,,x source\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, one, strlen(one), "t.csv", &v, &e), AIF_OK);
    double t = v.rows[0].predicted, r = v.rows[1].predicted;
    aif_validation_free(&v);
    char csv[1024];
    /* rate errors: +100% (time measured twice), -50% (time measured half), 0, +25% (rate) */
    snprintf(csv, sizeof csv, HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s1\n"
             "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s2\n"
             "c,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,%.17g,,s3\n"
             "d,llama3-8b,dgx-h100,8,1,1,1,64,4096,tokens_per_s_per_gpu,%.17g,,s4\n", 2 * t, t / 2, t, r / 1.25);
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "t.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 4);
    assert_true(fabs(v.bias_pct - 12.5) < 1e-6);   /* the median of -50, 0, 25, 100 */
    assert_int_equal(v.n_high, 2);
    assert_int_equal(v.n_low, 1);
    aif_val_stats st;
    assert_int_equal(aif_validation_framework_stats(&v, v.rows[0].framework, &st, &e), AIF_OK);
    assert_int_equal(st.n, 4);
    assert_true(fabs(st.bias_pct - v.bias_pct) < 1e-9);
    assert_int_equal(st.n_high, 2);
    assert_int_equal(st.n_low, 1);
    aif_validation_free(&v);
}

static void bad(const char *csv, const char *needle, int line)
{
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_csv(cat, csv, strlen(csv), "bad.csv", &v, &e), AIF_EINPUT);
    char buf[1400];
    aif_err_format(&e, buf, sizeof buf);
    if (!strstr(buf, needle))
        fail_msg("'%s' lacks '%s'", buf, needle);
    if (line)
        assert_int_equal(e.line, line);
}

static void test_bad_csv(void **state)
{
    (void)state;
    bad("id,model\n", "no 'system' column", 1);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s\n", "cells", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,speed,1,,s\n", "unknown metric", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,tflops_per_gpu,1,flops,s\n", "unknown convention", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,-1,,s\n", "positive", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,3,1,1,64,4096,step_time_s,1,,s\n", "not divisible by tp", 2);
    bad(HDR "a,lama,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,s\n", "unknown model", 2);
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,\"s\n", "malformed CSV", 0);
    bad(HDR, "no rows", 0);
}

/* The rows of table csv, validated: n of them. */
static void rows_of(const char *csv, aif_validation *v, int n)
{
    aif_err e;
    if (aif_validate_csv(cat, csv, strlen(csv), "t.csv", v, &e) != AIF_OK)
        fail_msg("%s", e.msg);
    assert_int_equal(v->n, n);
}

/* The results of a table of two rows, validated, copied out. */
static void two_rows(const char *csv, aif_train_result *a, aif_train_result *b)
{
    aif_validation v;
    rows_of(csv, &v, 2);
    *a = v.rows[0].r;
    *b = v.rows[1].r;
    aif_validation_free(&v);
}

/* A cell of 8,191 characters is read (the notes of the MLPerf rows reach 4,700); one
 * longer is refused at its line. */
static void test_cell_limit(void **state)
{
    (void)state;
    size_t n = strlen(HDR) + 64 + 8192;
    char *csv = malloc(n + 1);
    assert_non_null(csv);
    for (int len = 8191; len <= 8192; len++) {
        int k = snprintf(csv, n, HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,");
        memset(csv + k, 'x', (size_t)len);
        memcpy(csv + k + len, "\n", 2);
        if (len == 8191) {
            aif_validation v;
            rows_of(csv, &v, 1);
            aif_validation_free(&v);
        } else {
            bad(csv, "a cell is longer than 8191 characters", 2);
        }
    }
    free(csv);
}

/* LoRA's optional trailing columns: a row may end before them (full training, the rows
 * written before the columns were added) or give them; the same run as LoRA is faster
 * and counts 2x the forward as model FLOPs.  A row that ends before a column that is not
 * optional is refused naming that column and the optional ones; a bad LoRA cell names its
 * column. */
#define LHDR "id,model,system,gpus,tp,mbs,gbs,seq,metric,measured,source,notes,lora_rank,lora_targets\n"
static void test_lora_columns(void **state)
{
    (void)state;
    const char *csv = LHDR "full,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,\"a note, quoted\"\n"
                           "empty,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,,\n"
                           "lora,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,16,qkv\n"
                           "rank,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,16\n";
    aif_validation v;
    rows_of(csv, &v, 4);
    assert_true(v.rows[0].predicted == v.rows[1].predicted);   /* left out or empty: the same run */
    assert_int_equal(v.rows[0].lora_rank, 0);
    assert_int_equal(v.rows[2].lora_rank, 16);
    assert_true(v.rows[2].predicted < v.rows[0].predicted);
    assert_true(fabs(v.rows[2].r.model_flops_per_step / v.rows[0].r.model_flops_per_step - 2.0 / 3) < 1e-12);
    assert_true(v.rows[3].predicted > v.rows[2].predicted);    /* default targets attention: q, k, v and o */
    aif_val_stats st;
    aif_err e;
    assert_int_equal(aif_validation_lora_stats(&v, &st, &e), AIF_OK);
    assert_int_equal(st.n, 2);
    aif_validation_free(&v);
    bad(LHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s\n", "ends before column 'notes'", 2);
    bad(LHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s\n", "lora_rank, lora_targets", 2);
    bad(LHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,16,mlp\n", "column lora_targets", 2);
    bad(LHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,0\n", "lora_rank", 2);
    bad(LHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,16,qkv,x\n", "cells", 2);
    /* a table without the columns stays strict */
    bad(HDR "a,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1,,\n" "b,llama3-8b,dgx-h100,8,1,1,1,64,4096,step_time_s,1\n",
        "cells", 3);
}

/* The optional trailing column recompute_modules (train.recompute_modules, "a,b" in one
 * quoted cell): the row runs selective with them, slower than with the default modules; a
 * bad name is refused naming the column and the accepted list. */
#define RHDR_COLS "id,model,system,gpus,tp,mbs,gbs,seq,recompute,metric,measured,source,notes,lora_rank,lora_targets," \
                  "recompute_modules"
#define RHDR RHDR_COLS "\n"
/* A table of two rows that both run: the column's effect is row 1 against row 0. */

static void test_recompute_modules_column(void **state)
{
    (void)state;
    const char *csv = RHDR "sel,llama3-8b,dgx-h100,8,1,1,64,4096,selective,step_time_s,1,s,n\n"
                           "mods,llama3-8b,dgx-h100,8,1,1,64,4096,selective,step_time_s,1,s,n,,,\"layernorm,mlp\"\n";
    aif_validation v;
    rows_of(csv, &v, 2);
    assert_true(v.rows[1].predicted > v.rows[0].predicted);   /* the MLP and norms replayed */
    assert_true(v.rows[1].r.hw_flops_per_step > v.rows[0].r.hw_flops_per_step);
    aif_validation_free(&v);
    bad(RHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,selective,step_time_s,1,s,n,,,\"mlp,attn\"\n",
        "column recompute_modules", 2);
    bad(RHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,selective,step_time_s,1,s,n,,,\"mlp,attn\"\n",
        "accepted: core_attn, mla_up_proj, layernorm, mlp, moe, moe_act, shared_experts", 2);
    bad(RHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,none,step_time_s,1,s,n,,,mlp\n", "but recompute is none", 2);
}

/* The optional trailing column offload_layers (train.offload activations with
 * train.offload_layers): the row's activations of that many layers are held in host memory
 * instead of HBM; a count the stage cannot offload is refused naming the column. */
#define OHDR RHDR_COLS ",offload_layers\n"
static void test_offload_layers_column(void **state)
{
    (void)state;
    const char *csv = OHDR "none,llama3-8b,gb200-nvl72,8,1,1,64,4096,none,step_time_s,1,s,n\n"
                           "off,llama3-8b,gb200-nvl72,8,1,1,64,4096,none,step_time_s,1,s,n,,,,8\n";
    aif_validation v;
    rows_of(csv, &v, 2);
    assert_true(v.rows[0].r.mem.host_bytes == 0);
    assert_true(v.rows[1].r.mem.host_bytes > 0);
    assert_true(v.rows[1].r.mem.activations_bytes < v.rows[0].r.mem.activations_bytes);
    aif_validation_free(&v);
    bad(OHDR "a,llama3-8b,gb200-nvl72,8,1,1,64,4096,none,step_time_s,1,s,n,,,,0\n", "column offload_layers", 2);
}

/* The optional trailing column moments_dtype (train.moments_dtype): bf16 holds Adam's two
 * moments in 2 bytes each, the optimizer's state 8 bytes a weight where fp32 holds 12, and
 * nothing else of the memory moves; a bad type is refused naming the column. */
#define MHDR "id,model,system,gpus,tp,mbs,gbs,seq,metric,measured,source,notes,lora_rank,lora_targets," \
             "recompute_modules,offload_layers,grad_dtype,ep_dispatch,moments_dtype\n"
static void test_moments_dtype_column(void **state)
{
    (void)state;
    const char *csv = MHDR "fp32,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n\n"
                           "bf16,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,,,,,,,bf16\n";
    aif_validation v;
    rows_of(csv, &v, 2);
    const aif_memory *a = &v.rows[0].r.mem, *b = &v.rows[1].r.mem;
    assert_true(a->optimizer_bytes > 0);
    assert_true(fabs(b->optimizer_bytes / a->optimizer_bytes - 8.0 / 12) < 1e-12);
    assert_true(b->weights_bytes == a->weights_bytes && b->grads_bytes == a->grads_bytes &&
                b->activations_bytes == a->activations_bytes);
    aif_validation_free(&v);
    bad(MHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,,,,,,,fp16\n", "column moments_dtype", 2);
    bad(MHDR "a,llama3-8b,dgx-h100,8,1,1,64,4096,step_time_s,1,s,n,,,,,,,fp16\n", "accepted: auto, fp32, bf16", 2);
}

/* The optional trailing columns recompute_layers (train.recompute_layers: the first N layers
 * of each pipeline chunk replay under full recompute) and dp_shard (train.dp_shard: hybrid
 * sharding): a row with a layer count replays less than full recompute and holds more
 * activations; a row sharded over 8 of 16 data-parallel ranks holds twice the optimizer
 * state of one sharded over all 16; a count without full recompute, or a shard that does
 * not divide dp, is refused naming the column. */
#define DHDR "id,model,system,gpus,tp,mbs,gbs,seq,recompute,optimizer,metric,measured,source,notes,lora_rank," \
             "lora_targets,recompute_modules,offload_layers,grad_dtype,ep_dispatch,moments_dtype,recompute_saved," \
             "recompute_layers,dp_shard\n"
static void test_recompute_layers_and_dp_shard_columns(void **state)
{
    (void)state;
    const char *csv = DHDR "full,llama3-8b,dgx-h100,16,1,1,64,4096,full,zero2,step_time_s,1,s,n\n"
                           "half,llama3-8b,dgx-h100,16,1,1,64,4096,full,zero2,step_time_s,1,s,n,,,,,,,,,16\n"
                           "all16,llama3-8b,dgx-h100,16,1,1,64,4096,none,zero2,step_time_s,1,s,n\n"
                           "hsdp8,llama3-8b,dgx-h100,16,1,1,64,4096,none,zero2,step_time_s,1,s,n,,,,,,,,,,8\n";
    aif_validation v;
    rows_of(csv, &v, 4);
    const aif_train_result *full = &v.rows[0].r, *half = &v.rows[1].r, *a = &v.rows[2].r, *b = &v.rows[3].r;
    assert_true(half->bd.recompute_s > 0 && fabs(half->bd.recompute_s / full->bd.recompute_s - 0.5) < 1e-9);
    assert_true(half->mem.activations_bytes > full->mem.activations_bytes);
    assert_true(fabs(b->mem.optimizer_bytes / a->mem.optimizer_bytes - 2) < 1e-12);
    aif_validation_free(&v);
    bad(DHDR "a,llama3-8b,dgx-h100,16,1,1,64,4096,none,zero2,step_time_s,1,s,n,,,,,,,,,4\n", "column recompute_layers", 2);
    bad(DHDR "a,llama3-8b,dgx-h100,16,1,1,64,4096,none,zero2,step_time_s,1,s,n,,,,,,,,,,5\n", "column dp_shard", 2);
}

/* The optional trailing column scaleup_domain (cluster.scaleup_domain: the GPUs a job uses
 * in each NVLink domain): 576 GB200 at TP8 as nine racks of 64 against eight of 72, a
 * blocking gradient reduction over 72 data-parallel ranks whose ring leaves each rack on
 * its ranks' NICs, 8 a rack against 9: 72/64 = 1.125 times as long; a domain smaller than
 * a node, not a whole number of nodes, or not a count, is refused naming the column. */
/* every optional trailing column, after notes (validate.c train_optional) */
#define OPTCOLS "lora_rank,lora_targets,recompute_modules,offload_layers,grad_dtype,ep_dispatch,moments_dtype," \
                "recompute_saved,recompute_layers,dp_shard,attention_dtype,scaleup_domain,fp8_params,fp8_act_input," \
                "rank_order,attn_block,attn_block_bwd,dp_bucket,cp_comm\n"
#define DOMHDR "id,model,system,gpus,tp,cp,mbs,gbs,seq,optimizer,dp_overlap,metric,measured,source,notes," OPTCOLS
static void test_scaleup_domain_column(void **state)
{
    (void)state;
    const char *csv = DOMHDR "r72,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s,n\n"
                             "r64,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,64\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    const aif_train_result *a = &ra, *b = &rb;
    double ratio = b->bd.dp_comm_s / a->bd.dp_comm_s;
    assert_true(ratio > 1.08 && ratio < 1.2);
    assert_true(b->step_time_s > a->step_time_s);
    bad(DOMHDR "a,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,2\n",
        "column scaleup_domain", 2);
    bad(DOMHDR "a,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,x\n",
        "column scaleup_domain", 2);
    bad(DOMHDR "a,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,66\n",
        "not a whole number of nodes of 4 GPUs", 2);
    /* a row short of notes names every optional column, the last included */
    bad(DOMHDR "a,llama3-8b,gb200-nvl72,576,8,1,1,72,8192,distributed,0,step_time_s,1,s\n",
        "attention_dtype, scaleup_domain, fp8_params, fp8_act_input, rank_order, attn_block, attn_block_bwd, "
        "dp_bucket, cp_comm)", 2);
}

/* The optional trailing column fp8_params (train.fp8_params: Megatron-Core's
 * --fp8-param-gather, weights held in fp8 alone): an fp8 Llama 3 70B at TP8 DP8 holds a third
 * of the layers' weight bytes (1 a weight against bf16's 2 and the fp8 copy's 1; the embedding
 * and head bf16 alone either way) and gathers its
 * updated parameters in half the bytes (blocking: the reduction's 4 and the gather's 1
 * against 4 and 2, 5/6 of the time, so the step is shorter); with bf16, or
 * under FSDP, refused naming the column. */
#define FHDR "id,model,system,gpus,tp,mbs,gbs,seq,precision,optimizer,dp_overlap,metric,measured,source,notes," OPTCOLS
static void test_fp8_params_column(void **state)
{
    (void)state;
    const char *csv = FHDR "bf,llama3-70b,dgx-h100,64,8,1,64,4096,fp8,distributed,0,step_time_s,1,s,n\n"
                           "f8,llama3-70b,dgx-h100,64,8,1,64,4096,fp8,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,,1\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    const aif_train_result *a = &ra, *b = &rb;
    /* the decoder layers at 3 bytes a weight against 1; the embedding, head and final norm (TP 8:
     * vocab 128,256 x 8,192 twice over 8) bf16 alone in both */
    double edge = 2.0 * 128256 * 8192 / 8 + 8192;
    assert_true(fabs((a->mem.weights_bytes - 2 * edge) - 3 * (b->mem.weights_bytes - 2 * edge)) < 1);
    double r = b->bd.dp_comm_s / a->bd.dp_comm_s;   /* fp32 gradients reduced, then 1 byte gathered, not 2 */
    assert_true(r > 0.80 && r < 0.87);
    assert_true(b->step_time_s < a->step_time_s);
    bad(FHDR "a,llama3-70b,dgx-h100,64,8,1,64,4096,bf16,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,,1\n",
        "column fp8_params", 2);
    bad(FHDR "a,llama3-70b,dgx-h100,64,8,1,64,4096,fp8,fsdp,0,step_time_s,1,s,n,,,,,,,,,,,,,1\n",
        "optimizer none, distributed or zero1", 2);
}

/* The optional trailing column fp8_act_input (train.fp8_act_input: Megatron-Core's
 * activation_func_fp8_input_store): an fp8 Llama 3 70B at TP8 keeps each layer's SwiGLU input,
 * 4,096 tokens x 2 x 28,672 / 8 values, in 1 byte rather than 2, its 80 layers one microbatch
 * in flight (PP 1): exactly that many bytes fewer activations, and a step longer by the casts
 * (a kernel each way).  Qwen3 30B-A3B at EP 8: its routed experts' SwiGLU inputs, 48 layers x
 * 4,096 tokens x 8 of 128 experts x 2 x 768, one byte fewer each; under the moe_act recompute
 * module the checkpoint keeps them in bf16 (only the replayed layer's copy is fp8: at most one
 * layer's saving).  Refused on a model without SwiGLU (GPT-3 175B's GELU). */
#define AHDR "id,model,system,gpus,tp,ep,mbs,gbs,seq,precision,recompute,optimizer,dp_overlap,metric,measured,source," \
             "notes," OPTCOLS
static void test_fp8_act_input_column(void **state)
{
    (void)state;
    const char *csv = FHDR "off,llama3-70b,dgx-h100,64,8,1,64,4096,fp8,distributed,0,step_time_s,1,s,n\n"
                           "on,llama3-70b,dgx-h100,64,8,1,64,4096,fp8,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,,,1\n";
    aif_validation v;
    rows_of(csv, &v, 2);
    const aif_train_result *a = &v.rows[0].r, *b = &v.rows[1].r;
    double want = 80.0 * 4096 * 2 * 28672 / 8;
    assert_true(fabs((a->mem.activations_bytes - b->mem.activations_bytes) / want - 1) < 1e-9);
    assert_true(b->step_time_s > a->step_time_s * 1.001 && b->step_time_s < a->step_time_s * 1.02);
    aif_validation_free(&v);
    const char *moe = AHDR "off,qwen3-30b-a3b,dgx-h100,8,1,8,1,8,4096,fp8,none,distributed,0,step_time_s,1,s,n\n"
                           "on,qwen3-30b-a3b,dgx-h100,8,1,8,1,8,4096,fp8,none,distributed,0,step_time_s,1,s,n"
                           ",,,,,,,,,,,,,,1\n"
                           "actoff,qwen3-30b-a3b,dgx-h100,8,1,8,1,8,4096,fp8,selective,distributed,0,step_time_s,1,s,n"
                           ",,,moe_act\n"
                           "acton,qwen3-30b-a3b,dgx-h100,8,1,8,1,8,4096,fp8,selective,distributed,0,step_time_s,1,s,n"
                           ",,,moe_act,,,,,,,,,,,1\n";
    rows_of(moe, &v, 4);
    double layer = 4096.0 * 8 * 2 * 768;
    assert_true(fabs((v.rows[0].r.mem.activations_bytes - v.rows[1].r.mem.activations_bytes) / (48 * layer) - 1) <
                1e-9);
    double d_act = v.rows[2].r.mem.activations_bytes - v.rows[3].r.mem.activations_bytes;
    assert_true(d_act >= 0 && d_act <= layer * (1 + 1e-9));
    aif_validation_free(&v);
    bad(FHDR "a,gpt3-175b,dgx-h100,64,8,1,64,2048,fp8,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,,,1\n",
        "column fp8_act_input", 2);
}

/* The optional trailing column rank_order (train.rank_order): Llama 3 70B at TP4 PP8 on eight
 * NVL72 racks of 64 GB200.  Megatron-Core's use_tp_pp_dp_mapping (tp-cp-pp-dp) puts each
 * replica's pipeline in one rack and its data-parallel peers one a rack: fewer exposed
 * pipeline sends, a longer gradient reduction than the default order's; an order that is not
 * a permutation of cp, dp and pp after tp, or another order on a model with experts, is
 * refused naming the column. */
#define ROHDR "id,model,system,gpus,tp,pp,mbs,gbs,seq,optimizer,dp_overlap,metric,measured,source,notes," OPTCOLS
static void test_rank_order_column(void **state)
{
    (void)state;
    const char *csv = ROHDR "a,llama3-70b,gb200-nvl72,512,4,8,1,128,8192,distributed,1,step_time_s,1,s,n,,,,,,,,,,,,64\n"
                           "b,llama3-70b,gb200-nvl72,512,4,8,1,128,8192,distributed,1,step_time_s,1,s,n,,,,,,,,,,,,64"
                           ",,,tp-cp-pp-dp\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    const aif_train_result *a = &ra, *b = &rb;
    if (!(b->bd.pp_comm_s < a->bd.pp_comm_s && b->bd.dp_comm_s > a->bd.dp_comm_s))
        fail_msg("pipeline %.4f -> %.4f s, gradients %.4f -> %.4f s", a->bd.pp_comm_s, b->bd.pp_comm_s,
                 a->bd.dp_comm_s, b->bd.dp_comm_s);
    bad(ROHDR "a,llama3-70b,gb200-nvl72,512,4,8,1,128,8192,distributed,1,step_time_s,1,s,n,,,,,,,,,,,,64,,,tp-dp-pp\n",
        "column rank_order", 2);
    bad(ROHDR "a,mixtral-8x7b,gb200-nvl72,512,4,8,1,128,4096,distributed,1,step_time_s,1,s,n,,,,,,,,,,,,64,,,tp-cp-pp-dp\n",
        "has experts", 2);
}

/* The optional trailing columns attn_block and attn_block_bwd (train.attn_block, attn_block_bwd:
 * the fused attention kernel's key tile in sliding-window layers, MaxText's sa_block_kv and
 * sa_block_kv_dkv): gpt-oss on 64 TPU7x, whose family gives no tile, computes its windows of
 * 128 keys in tiles of 1,024 and 2,048 keys: a slower step; a cell that is not a count, or a
 * tile on a model without windows, is refused naming the column. */
#define ABHDR "id,model,system,gpus,ep,mbs,gbs,seq,framework,metric,measured,source,notes," OPTCOLS
static void test_attn_block_columns(void **state)
{
    (void)state;
    const char *csv = ABHDR "a,gpt-oss-120b,tpu7x-4,64,1,1,64,8192,maxtext,step_time_s,1,s,n\n"
                            "b,gpt-oss-120b,tpu7x-4,64,1,1,64,8192,maxtext,step_time_s,1,s,n,,,,,,,,,,,,,,,,1024,2048\n";
    aif_validation v;
    rows_of(csv, &v, 2);
    double a = v.rows[0].r.step_time_s, b = v.rows[1].r.step_time_s;
    if (!(b > a * 1.003))
        fail_msg("step with the recipe's tiles %.4f s, without %.4f s", b, a);
    aif_validation_free(&v);
    bad(ABHDR "a,gpt-oss-120b,tpu7x-4,64,1,1,64,8192,maxtext,step_time_s,1,s,n,,,,,,,,,,,,,,,,x\n", "column attn_block", 2);
    bad(ABHDR "a,llama3-8b,tpu7x-4,64,1,1,64,8192,maxtext,step_time_s,1,s,n,,,,,,,,,,,,,,,,,512\n",
        "column attn_block_bwd", 2);
}

/* The optional trailing column dp_bucket (train.dp_bucket: Megatron-Core's gradient bucket, in
 * parameters): Llama 3.1 8B on 512 GB300 as NVIDIA's MLPerf v5.1 configuration runs it, in
 * buckets of 768M parameters against the default's 64M: fewer reductions, each paying its
 * latency once, so less of the data-parallel time left exposed; a cell that is not a count,
 * or a bucket under FSDP (which reduces layer by layer), is refused naming the column. */
#define DBHDR "id,model,system,gpus,tp,cp,mbs,gbs,seq,precision,optimizer,metric,measured,source,notes," OPTCOLS
static void test_dp_bucket_column(void **state)
{
    (void)state;
    const char *csv = DBHDR "a,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n\n"
                            "b,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n"
                            ",,,,,,,,,,,,,,,,,,768M\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    const aif_train_result *a = &ra, *b = &rb;
    if (!(b->bd.dp_comm_s < a->bd.dp_comm_s && b->step_time_s < a->step_time_s))
        fail_msg("768M buckets: DP %.4f s, step %.4f s; default: DP %.4f s, step %.4f s", b->bd.dp_comm_s,
                 b->step_time_s, a->bd.dp_comm_s, a->step_time_s);
    bad(DBHDR "a,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n,,,,,,,,,,,,,,,,,,x\n",
        "column dp_bucket", 2);
    bad(DBHDR "a,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,fsdp,step_time_s,1,s,n,,,,,,,,,,,,,,,,,,768M\n",
        "optimizer fsdp reduces them layer by layer", 2);
}

/* Column cp_comm (train.cp_comm): Llama 3.1 8B on 512 GB300 at CP 4 with the all-to-all
 * exchange blocks on its collectives where the ring's sends hide beside the kernels (more
 * exposed CP time), and its one kernel over the whole sequence runs at the long sequence's
 * rate (less compute); a value outside p2p, a2a, allgather and auto is refused naming the
 * column. */
static void test_cp_comm_column(void **state)
{
    (void)state;
    const char *csv = DBHDR "a,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n\n"
                            "b,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n"
                            ",,,,,,,,,,,,,,,,,,,a2a\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    if (!(rb.bd.cp_comm_s > 2 * ra.bd.cp_comm_s && rb.bd.compute_s < ra.bd.compute_s))
        fail_msg("a2a: CP %.5f s, compute %.5f s; p2p: CP %.5f s, compute %.5f s", rb.bd.cp_comm_s, rb.bd.compute_s,
                 ra.bd.cp_comm_s, ra.bd.compute_s);
    bad(DBHDR "a,llama3-8b,gb300-nvl72,512,2,4,1,64,8192,fp8,distributed,step_time_s,1,s,n,,,,,,,,,,,,,,,,,,,ring\n",
        "column cp_comm", 2);
}

/* An fp4 recipe's frozen LoRA weights held in fp4 alone (train.fp8_params under precision
 * nvfp4 with LoRA: MLPerf v5.1's PRE_QUANTIZED_MODEL): Llama 2 70B's decoder weights in a
 * row-wise and a column-wise NVFP4 copy, 2 x (0.5 + 1/16) = 1.125 bytes a weight against
 * bf16's 2 beside one copy's 0.5625; without LoRA, refused naming the column. */
static void test_fp4_frozen_weights(void **state)
{
    (void)state;
    const char *csv = FHDR "a,llama2-70b,dgx-b200,8,1,1,8,8192,nvfp4,distributed,0,step_time_s,1,s,n,16,attention\n"
                           "b,llama2-70b,dgx-b200,8,1,1,8,8192,nvfp4,distributed,0,step_time_s,1,s,n,16,attention"
                           ",,,,,,,,,,,1\n";
    aif_train_result ra, rb;
    two_rows(csv, &ra, &rb);
    const aif_train_result *a = &ra, *b = &rb;
    /* the decoder layers' weights (TP 1, one stage) at 2.5625 and 1.125 bytes, the embedding and
     * head at 2 either way, the adapters' (rank 16 on q, k, v and o) at 2 */
    double layers = 80.0 * (8192.0 * (8192 + 2 * 1024) + 8192.0 * 8192 + 3.0 * 8192 * 28672);
    double edge = 2.0 * 32000 * 8192 + 8192, adapters = 80.0 * 16 * (8192 + 10240 + 8192 + 8192);
    double norms = 80.0 * 2 * 8192;
    assert_true(fabs(a->mem.weights_bytes - (2.5625 * (layers + norms) + 2 * edge + 2 * adapters)) < 1);
    assert_true(fabs(b->mem.weights_bytes - (1.125 * (layers + norms) + 2 * edge + 2 * adapters)) < 1);
    assert_true(fabs(b->step_time_s / a->step_time_s - 1) < 1e-9);
    bad(FHDR "a,llama2-70b,dgx-b200,8,1,1,8,8192,nvfp4,distributed,0,step_time_s,1,s,n,,,,,,,,,,,,,1\n",
        "fp4 with lora", 2);
}

/* Peak memory per GPU (validation/memory.csv, metric peak_memory_gib): the training
 * table's columns, the figure the memory model's total in GiB (equal to a direct estimate
 * of the row's job), or under peak_allocated_gib that total less the workspace; each kind of table refuses the other's metric, naming where it goes;
 * the built-in table: every row predicted and cited */
static void test_memory_table(void **state)
{
    (void)state;
    const char *csv = HDR "m,llama3-8b,dgx-h100,8,1,1,1,8,4096,peak_memory_gib,40,,src\n";
    aif_validation v;
    aif_err e;
    assert_int_equal(aif_validate_memory_csv(cat, csv, strlen(csv), "m.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 1);
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama3-8b\ntrain: {tp: 1, pp: 1, mbs: 1, gbs: 8, seq: 4096}\n";
    aif_scenario s;
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "m", NULL, 0, &s, &e), AIF_OK);
    aif_train_result r;
    assert_int_equal(aif_estimate(&s, &r, &e), AIF_OK);
    assert_true(r.mem.total_bytes > 0);
    assert_true(v.rows[0].predicted == r.mem.total_bytes / 1073741824.0);
    assert_true(fabs(v.rows[0].err - (v.rows[0].predicted - 40) / 40) < 1e-12);
    aif_validation_free(&v);
    /* a memory row among throughput rows, a throughput row in a memory table */
    bad(csv, "it goes in a memory table (aifsim validate --memory", 2);
    const char *tput = HDR "t,llama3-8b,dgx-h100,8,1,1,1,8,4096,tokens_per_s_per_gpu,9000,,src\n";
    assert_int_equal(aif_validate_memory_csv(cat, tput, strlen(tput), "m.csv", &v, &e), AIF_EINPUT);
    assert_int_equal(e.line, 2);
    assert_string_equal(e.path, "metric");
    assert_non_null(strstr(e.msg, "(accepted: peak_memory_gib, peak_allocated_gib)"));
    /* PyTorch's allocated peak: the same job's tensors, the model's total less its workspace */
    const char *alloc = HDR "a,llama3-8b,dgx-h100,8,1,1,1,8,4096,peak_allocated_gib,40,,src\n";
    assert_int_equal(aif_validate_memory_csv(cat, alloc, strlen(alloc), "m.csv", &v, &e), AIF_OK);
    assert_true(r.mem.workspace_bytes > 0);
    assert_true(fabs(v.rows[0].predicted - (r.mem.total_bytes - r.mem.workspace_bytes) / 1073741824.0) < 1e-12);
    aif_validation_free(&v);
    bad(alloc, "it goes in a memory table (aifsim validate --memory", 2);
    /* the built-in table: each row of a memory metric, predicted and cited; the allocated rows
     * (MLPerf v5.0's logs) among them */
    assert_int_equal(aif_validate_memory_file(cat, NULL, &v, &e), AIF_OK);
    assert_true(v.n >= 40);
    int n_alloc = 0;
    for (int i = 0; i < v.n; i++) {
        n_alloc += !strcmp(v.rows[i].metric, "peak_allocated_gib");
        if (strcmp(v.rows[i].metric, "peak_allocated_gib"))
            assert_string_equal(v.rows[i].metric, "peak_memory_gib");
        assert_true(v.rows[i].predicted > 0 && v.rows[i].measured > 0);
        assert_true(strlen(v.rows[i].source) > 10);
    }
    assert_true(n_alloc >= 17);
    aif_validation_free(&v);
    assert_int_equal(aif_validate_memory_file(cat, "/nonexistent/m.csv", &v, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/m.csv");
}

/* nccl-tests rows: op and algo names are the library's own (names.h); an unknown algo
 * is an error naming the row, an empty one means auto; the rows from 1 MB up by the ranks
 * they ran on (each class its own rows, together all of them); the file reader names the file */
static void test_collectives(void **state)
{
    (void)state;
#define CHDR "id,op,gpu,system,fabric,gpus,gpus_per_node,algo,bytes,busbw_GBps,source\n"
    aif_validation v;
    aif_err e;
    const char *ok = CHDR "a,allreduce,h100-sxm,dgx-h100,,8,8,ring,1073741824,350,s\n"
                     "b,allreduce,h100-sxm,dgx-h100,,8,8,,1073741824,350,s\n"
                     "c,allgather,h100-sxm,dgx-h100,,8,8,auto,1073741824,350,s\n";
    assert_int_equal(aif_validate_collectives_csv(cat, ok, strlen(ok), "c.csv", &v, &e), AIF_OK);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.rows[2].model, "allgather");
    aif_validation_free(&v);
    const char *bad_algo = CHDR "a,allreduce,h100-sxm,dgx-h100,,8,8,rings,1073741824,350,s\n";
    assert_int_equal(aif_validate_collectives_csv(cat, bad_algo, strlen(bad_algo), "c.csv", &v, &e), AIF_EINPUT);
    assert_string_equal(e.path, "algo");
    assert_int_equal(e.line, 2);
    assert_non_null(strstr(e.msg, "unknown algo 'rings'"));
    /* the rows from 1 MB up by the ranks they ran on: a class counts its own rows, none below 1 MB */
    const char *by = CHDR "p,allgather,h100-sxm,dgx-h100,,2,2,,1048576,50,s\n"
                     "q,allgather,h100-sxm,dgx-h100,,2,2,,524288,20,s\n"
                     "r,allgather,h100-sxm,dgx-h100,,4,4,,1073741824,300,s\n"
                     "t,allgather,h100-sxm,dgx-h100,,8,8,,1073741824,300,s\n"
                     "u,allgather,h100-sxm,dgx-h100,,8,8,,2097152,60,s\n";
    assert_int_equal(aif_validate_collectives_csv(cat, by, strlen(by), "c.csv", &v, &e), AIF_OK);
    int want[AIF_COLL_N_RANK_CLASSES] = {1, 1, 2, 0}, total = 0;
    for (int k = 0; k < AIF_COLL_N_RANK_CLASSES; k++) {
        aif_val_stats st;
        assert_int_equal(aif_validation_coll_ranks_stats(&v, aif_coll_rank_classes[k].lo, aif_coll_rank_classes[k].hi,
                                                         &st, &e), AIF_OK);
        assert_int_equal(st.n, want[k]);
        total += st.n;
        if (k == 0)
            assert_string_equal(v.rows[st.worst].id, "p");
    }
    aif_val_stats big;
    assert_int_equal(aif_validation_framework_stats(&v, AIF_COLL_BAND_LARGE, &big, &e), AIF_OK);
    assert_int_equal(total, big.n);
    aif_validation_free(&v);
    /* by file: the built-in table, and a missing file named */
    assert_int_equal(aif_validate_collectives_file(cat, NULL, &v, &e), AIF_OK);
    assert_true(v.n > 0);
    aif_validation_free(&v);
    assert_int_equal(aif_validate_train_file(cat, "/nonexistent/t.csv", AIF_ENGINE_ESTIMATE, &v, &e), AIF_EIO);
    assert_string_equal(e.file, "/nonexistent/t.csv");
#undef CHDR
}

/* ------------------------------------------------------------ serving rows */

#define SHDR "id,model,gpu,system,gpus,tp,pp,ep,precision,kv_precision,mode,input_tokens,output_tokens,qps," \
             "concurrency,metric,value,unit_note,software,source,notes\n"
/* one Llama 3 8B replica on an H100, offline, 512 in and 128 out */
#define SROW(id, metric, value) id ",llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,," metric "," value \
                                ",per deployment,engine,src,\n"

#define SHDR_REQ "id,model,gpu,system,gpus,tp,pp,ep,precision,kv_precision,mode,input_tokens,output_tokens,qps," \
                 "concurrency,metric,value,unit_note,software,source,notes,requests\n"

static aif_rc serve_csv(const char *csv, aif_serve_validation *v, aif_err *e)
{
    return aif_validate_serve_csv(cat, csv, strlen(csv), "s.csv", v, e);
}

/* The built-in table: every compared row has a positive prediction and a source;
 * the groups split the rows; what cannot be reproduced is listed with its reason. */
static void test_serve_builtin(void **state)
{
    (void)state;
    size_t len;
    assert_non_null(aif_builtin_infer_csv(&len));
    aif_serve_validation v;
    aif_err e;
    assert_int_equal(aif_validate_serve_file(cat, NULL, &v, &e), AIF_OK);
    assert_true(v.table.n >= 30);
    assert_int_equal(v.throughput.n + v.latency.n, v.table.n);
    for (int i = 0; i < v.table.n; i++) {
        assert_true(v.table.rows[i].predicted > 0 && isfinite(v.table.rows[i].predicted));
        assert_true(strlen(v.table.rows[i].source) > 10);
    }
    /* the Gaudi 2 rows find their GPU in the catalog now, and are skipped with the other
     * MLPerf rows for want of the dataset's input length */
    int gaudi = 0, no_input = 0, no_gpu = 0;
    for (int i = 0; i < v.table.n_skipped && i < AIF_MAX_SKIPPED; i++) {
        gaudi += strstr(v.table.skipped[i], "gaudi2") && strstr(v.table.skipped[i], "no input length");
        no_input += strstr(v.table.skipped[i], "no input length") != NULL;
        no_gpu += strstr(v.table.skipped[i], "not in the catalogs") != NULL;
    }
    assert_int_equal(gaudi, 8);
    assert_int_equal(no_gpu, 0);
    assert_true(no_input > 0);
    assert_true(v.throughput.median_ape <= v.throughput.max_ape);
    aif_serve_validation_free(&v);
}

/* Statistics per metric group, the prediction equal to a direct aif_run_serve of the
 * same deployment, per-node and per-deployment conventions, a concurrency as a closed
 * loop of that many clients (equal to a direct run with serve.concurrency), and the rows skipped with their reasons. */
static void test_serve_statistics(void **state)
{
    (void)state;
    aif_serve_validation v;
    aif_err e;
    const char *one = SHDR SROW("a", "throughput_tokens_per_s", "1000") SROW("b", "tpot_p50_s", "0.01");
    assert_int_equal(serve_csv(one, &v, &e), AIF_OK);
    double tps = v.table.rows[0].predicted, tpot = v.table.rows[1].predicted;
    assert_string_equal(v.table.rows[0].convention, "deployment");
    aif_serve_validation_free(&v);

    /* the same deployment run directly: 2,000 requests per replica, seed 1 */
    static aif_scenario s;
    static aif_serve_run run;
    const char *yaml = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                       "serve: {tp: 1, precision: fp8, mode: offline, input_tokens: 512, output_tokens: 128, "
                       "requests: 2000, seed: 1}\n";
    const unsigned sec = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", NULL, 0, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.throughput_tokens_per_s - tps) <= 1e-9 * tps);
    assert_true(fabs(run.serve.tpot.p50_s - tpot) <= 1e-9 * tpot);

    /* throughput measured at 2x, 1/2x and 1x the prediction; latency at 1/2x */
    char csv[2048], a[40], b[40], c[40], d[40];
    snprintf(a, sizeof a, "%.17g", 2 * tps);
    snprintf(b, sizeof b, "%.17g", tps / 2);
    snprintf(c, sizeof c, "%.17g", tps);
    snprintf(d, sizeof d, "%.17g", tpot / 2);
    snprintf(csv, sizeof csv, SHDR
             "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,%s,per deployment,e,s,\n"
             "b,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,%s,per deployment,e,s,\n"
             "c,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,%s,per deployment,e,s,\n"
             "d,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,tpot_p50_s,%s,per deployment,e,s,\n",
             a, b, c, d);
    assert_int_equal(serve_csv(csv, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 4);
    assert_int_equal(v.throughput.n, 3);
    assert_int_equal(v.latency.n, 1);
    assert_true(fabs(v.table.rows[0].err + 0.5) < 1e-9);
    assert_true(fabs(v.table.rows[1].err - 1.0) < 1e-9);
    assert_true(fabs(v.throughput.median_ape - 50) < 1e-6);
    assert_true(fabs(v.throughput.mean_ape - 50) < 1e-6);
    assert_true(fabs(v.throughput.max_ape - 100) < 1e-6);
    assert_int_equal(v.throughput.worst, 1);
    assert_true(fabs(v.latency.median_ape - 100) < 1e-6);
    assert_int_equal(v.latency.worst, 3);
    assert_int_equal(v.tpot.n, 1);   /* the latency rows apart: one TPOT row, no TTFT row */
    assert_int_equal(v.ttft.n, 0);
    assert_int_equal(v.tpot.worst, 3);
    aif_serve_validation_free(&v);

    /* per node: two nodes of 8 GPUs, 16 TP1 replicas; the figure of one node is half the deployment's */
    const char *nodes = SHDR
        "n,llama3-8b,h100-sxm,dgx-h100,16,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,1000,per node (8 GPUs),e,s,\n"
        "w,llama3-8b,h100-sxm,dgx-h100,16,1,1,,fp8,,offline,512,128,,,throughput_tokens_per_s,1000,per deployment,e,s,\n";
    assert_int_equal(serve_csv(nodes, &v, &e), AIF_OK);
    assert_string_equal(v.table.rows[0].convention, "per_node");
    assert_int_equal(v.table.rows[0].gpus, 16);
    assert_true(fabs(2 * v.table.rows[0].predicted - v.table.rows[1].predicted) <= 1e-9 * v.table.rows[1].predicted);
    aif_serve_validation_free(&v);

    /* a concurrency of 1: one request at a time, so far less throughput and a lower TPOT */
    const char *conc = SHDR
        "k,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,1,throughput_tokens_per_s,1000,per deployment,e,s,\n"
        "l,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,1,tpot_p50_s,0.01,per deployment,e,s,\n";
    assert_int_equal(serve_csv(conc, &v, &e), AIF_OK);
    assert_true(v.table.rows[0].predicted < tps / 10);
    assert_true(v.table.rows[1].predicted < tpot);
    const char *yaml1 = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                        "serve: {tp: 1, precision: fp8, mode: offline, input_tokens: 512, output_tokens: 128, "
                        "requests: 2000, seed: 1, concurrency: 1}\n";
    assert_int_equal(aif_scenario_parse_sections(cat, yaml1, strlen(yaml1), "d.yaml", NULL, 0, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.tpot.p50_s - v.table.rows[1].predicted) <= 1e-9 * run.serve.tpot.p50_s);
    assert_true(fabs(run.serve.throughput_tokens_per_s - v.table.rows[0].predicted) <= 1e-9 * run.serve.throughput_tokens_per_s);
    aif_serve_validation_free(&v);

    /* server mode: completed requests per second follow the offered rate below capacity */
    const char *srv = SHDR
        "r,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,512,128,2,,requests_per_s,2,per deployment,e,s,\n";
    assert_int_equal(serve_csv(srv, &v, &e), AIF_OK);
    assert_true(fabs(v.table.rows[0].err) < 0.1);
    aif_serve_validation_free(&v);

    /* skipped, with the reason: unknown GPU, no input length, no output length, no tp */
    const char *skip = SHDR SROW("ok", "throughput_tokens_per_s", "1000")
        "g,llama2-70b,npu-x,,8,,,,fp8,,offline,512,128,,,throughput_tokens_per_s,1,per system,e,s,\n"
        "i,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,,128,,,throughput_tokens_per_s,1,per system,e,s,\n"
        "o,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,,,,throughput_tokens_per_s,1,per system,e,s,\n"
        "t,llama3-8b,h100-sxm,dgx-h100,1,,,,fp8,,offline,512,128,,,throughput_tokens_per_s,1,per system,e,s,\n";
    assert_int_equal(serve_csv(skip, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 1);
    assert_int_equal(v.table.n_skipped, 4);
    assert_string_equal(v.table.skipped[0], "line 3 (g): gpu 'npu-x' not in the catalogs");
    assert_string_equal(v.table.skipped[1], "line 4 (i): no input length, nor a distribution for it");
    assert_string_equal(v.table.skipped[2], "line 5 (o): no output length published");
    assert_string_equal(v.table.skipped[3], "line 6 (t): no tp published");
    aif_serve_validation_free(&v);
}

/* A row whose software names TensorRT-LLM runs with serve.admission no_evict (its
 * default capacity scheduler) and serve.kv_memory free (its KV-cache sizing), any
 * other with evict and hbm: on long outputs that preempt under evict, each
 * prediction equals a direct run with those settings. */
static void test_serve_admission(void **state)
{
    (void)state;
    const char *csv = SHDR
        "t,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,20000,2000,,,throughput_tokens_per_s,1000,per deployment,"
        "TensorRT-LLM 0.21,s,\n"
        "v,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,20000,2000,,,throughput_tokens_per_s,1000,per deployment,"
        "vLLM 0.9,s,\n";
    aif_serve_validation v;
    aif_err e;
    assert_int_equal(serve_csv(csv, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 2);
    double trt = v.table.rows[0].predicted, vllm = v.table.rows[1].predicted;
    aif_serve_validation_free(&v);

    static aif_scenario s;
    static aif_serve_run run;
    const char *yaml = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                       "serve: {tp: 1, precision: fp8, mode: offline, input_tokens: 20000, output_tokens: 2000, "
                       "requests: 2000, seed: 1}\n";
    const unsigned sec = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_override ne[] = {{"serve.admission", "no_evict", "test"}, {"serve.kv_memory", "free", "test"}};
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", ne, 2, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_int_equal(run.serve.preemptions, 0);
    assert_true(fabs(run.serve.throughput_tokens_per_s - trt) <= 1e-9 * trt);
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", NULL, 0, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(run.serve.preemptions > 0);
    assert_true(fabs(run.serve.throughput_tokens_per_s - vllm) <= 1e-9 * vllm);
    assert_true(fabs(trt - vllm) > 0.01 * vllm);
}

/* First-token rows (validation/SOURCES.md section 5): one client and one output token,
 * a system left blank (the deployment built from gpu and gpus).  Every request is then
 * one prefill alone, so TTFT's p50, p99 and mean are one figure; and the roofline bounds
 * it from below, by hand for Llama 2 7B (32 layers x (4 x 4096^2 + 3 x 4096 x 11008)
 * + 2 x 32000 x 4096 = 6.74e9 parameters) in bf16 on one A100 SXM4 80GB (312 TFLOPS,
 * 2.04 TB/s): 2,048 tokens at least 2 x 6.74e9 x 2048 / 312e12 = 88.5 ms of GEMMs, 128
 * tokens at least the weights' 13.5 GB read once, 6.6 ms.  Sixteen times the tokens
 * cost less than sixteen times the time (the weights are read once either way). */
static void test_serve_first_token(void **state)
{
    (void)state;
    const char *csv = SHDR
        "a,llama2-7b,a100-80g,,1,1,1,,bf16,bf16,offline,2048,1,,1,ttft_mean_s,0.1,p,TensorRT-LLM v0.5,s,\n"
        "b,llama2-7b,a100-80g,,1,1,1,,bf16,bf16,offline,2048,1,,1,ttft_p50_s,0.1,p,TensorRT-LLM v0.5,s,\n"
        "c,llama2-7b,a100-80g,,1,1,1,,bf16,bf16,offline,2048,1,,1,ttft_p99_s,0.1,p,TensorRT-LLM v0.5,s,\n"
        "d,llama2-7b,a100-80g,,1,1,1,,bf16,bf16,offline,128,1,,1,ttft_mean_s,0.01,p,TensorRT-LLM v0.5,s,\n";
    aif_serve_validation v;
    aif_err e;
    assert_int_equal(serve_csv(csv, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 4);
    assert_int_equal(v.ttft.n, 4);
    double mean = v.table.rows[0].predicted, p50 = v.table.rows[1].predicted, p99 = v.table.rows[2].predicted;
    double shortp = v.table.rows[3].predicted;
    assert_true(fabs(p50 - mean) <= 1e-9 * mean && fabs(p99 - mean) <= 1e-9 * mean);
    assert_true(mean >= 2 * 6.74e9 * 2048 / 312e12);
    assert_true(shortp >= 2 * 6.74e9 / 2.04e12);
    assert_true(mean > shortp && mean < 16 * shortp);
    assert_int_equal(v.table.rows[0].gpus, 1);
    aif_serve_validation_free(&v);
}

/* The optional trailing column `requests`: a row that gives it runs the source's count
 * (equal to a direct run with serve.requests), one that ends before it keeps the
 * runner's count (two minutes of arrivals, 3,600 here, equal to a direct run of 3,600);
 * a bad count is refused
 * naming the column.  Poisson arrivals at 30 per second, past one H100's capacity for
 * these lengths, so that the two counts give different TTFTs. */
static void test_serve_requests_column(void **state)
{
    (void)state;
    const char *csv = SHDR_REQ
        "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,2048,512,30,,ttft_p50_s,1,p,e,s,,300\n"
        "b,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,2048,512,30,,ttft_p50_s,1,p,e,s,\n";
    aif_serve_validation v;
    aif_err e;
    assert_int_equal(serve_csv(csv, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 2);
    double with = v.table.rows[0].predicted, without = v.table.rows[1].predicted;
    aif_serve_validation_free(&v);

    static aif_scenario s;
    static aif_serve_run run;
    const char *yaml = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                       "serve: {tp: 1, precision: fp8, mode: server, qps: 30, input_tokens: 2048, output_tokens: 512, "
                       "seed: 1}\n";
    const unsigned sec = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_override n300[] = {{"serve.requests", "300", "test"}}, n3600[] = {{"serve.requests", "3600", "test"}};
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", n300, 1, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.ttft.p50_s - with) <= 1e-9 * with);
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", n3600, 1, sec, &s, &e), AIF_OK);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.ttft.p50_s - without) <= 1e-9 * without);
    assert_true(without > 1.5 * with);   /* past capacity the longer run queues more */
}

/* A row whose software names SGLang runs with SGLang's default ceiling of running
 * requests, 2,048, and its scheduler one batch ahead (equal to a direct run with
 * serve.max_batch 2048, serve.admission sglang and serve.overlap_schedule); any other row keeps the serve section's 256 and evict.  Llama 3 8B on one H100 at 60 requests/s of 2,048 + 512
 * tokens is past capacity with room in its KV cache for more than 256 sequences, so the
 * two ceilings give different TTFTs. */
static void test_serve_sglang_batch(void **state)
{
    (void)state;
    const char *csv = SHDR_REQ
        "g,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,2048,512,60,,ttft_p50_s,1,p,SGLang 0.4,s,,600\n"
        "v,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,2048,512,60,,ttft_p50_s,1,p,vLLM 0.6,s,,600\n";
    aif_serve_validation v;
    aif_err e;
    assert_int_equal(serve_csv(csv, &v, &e), AIF_OK);
    assert_int_equal(v.table.n, 2);
    double sg = v.table.rows[0].predicted, vl = v.table.rows[1].predicted;
    aif_serve_validation_free(&v);

    static aif_scenario s;
    static aif_serve_run run;
    const char *yaml = "cluster: {system: dgx-h100, gpus: 1}\nmodel: llama3-8b\n"
                       "serve: {tp: 1, precision: fp8, mode: server, qps: 60, input_tokens: 2048, output_tokens: 512, "
                       "requests: 600, seed: 1}\n";
    const unsigned sec = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_override mb[] = {{"serve.max_batch", "2048", "test"}, {"serve.admission", "sglang", "test"},
                         {"serve.overlap_schedule", "true", "test"}};
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", mb, 3, sec, &s, &e), AIF_OK);
    assert_int_equal(s.serve.admission, AIF_ADMIT_SGLANG);
    assert_true(s.serve.overlap_schedule);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.ttft.p50_s - sg) <= 1e-9 * sg);
    assert_int_equal(aif_scenario_parse_sections(cat, yaml, strlen(yaml), "d.yaml", NULL, 0, sec, &s, &e), AIF_OK);
    assert_int_equal(s.serve.max_batch, 256);
    assert_int_equal(s.serve.admission, AIF_ADMIT_EVICT);
    assert_false(s.serve.overlap_schedule);
    assert_int_equal(aif_run_serve(cat, &s, NULL, &run, &e), AIF_OK);
    assert_true(fabs(run.serve.ttft.p50_s - vl) <= 1e-9 * vl);
    assert_true(fabs(sg - vl) > 0.1 * vl);
}

static void serve_bad(const char *csv, const char *needle, int line)
{
    aif_serve_validation v;
    aif_err e;
    aif_rc rc = serve_csv(csv, &v, &e);
    if (rc != AIF_EINPUT)
        fail_msg("rc %d for '%s'", rc, needle);
    char buf[1400];
    aif_err_format(&e, buf, sizeof buf);
    if (!strstr(buf, needle))
        fail_msg("'%s' lacks '%s'", buf, needle);
    if (line)
        assert_int_equal(e.line, line);
}

/* A malformed table is rejected at its line, naming the column and what is accepted. */
static void test_serve_bad_csv(void **state)
{
    (void)state;
    serve_bad("id,model,gpu\n", "no 'system' column", 1);
    serve_bad(SHDR "a,llama3-8b,h100-sxm\n", "cells", 2);
    serve_bad(SHDR SROW("a", "speed", "1"), "unknown metric 'speed' (accepted: throughput_tokens_per_s", 2);
    serve_bad(SHDR SROW("a", "throughput_tokens_per_s", "-1"), "positive", 2);
    serve_bad(SHDR SROW("a", "throughput_tokens_per_s", "1x"), "'1x' is not a positive number", 2);
    serve_bad(SHDR SROW("a", "throughput_tokens_per_s", "1") SROW("a", "requests_per_s", "1"), "used twice", 3);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,batch,512,128,,,requests_per_s,1,p,e,s,\n",
              "unknown mode 'batch' (accepted: offline, server)", 2);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,512,128,,,requests_per_s,1,p,e,s,\n",
              "mode server needs a request rate", 2);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,server,512,128,1,4,requests_per_s,1,p,e,s,\n",
              "concurrency", 2);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,0.5,requests_per_s,1,p,e,s,\n",
              "'0.5' is not a whole number", 2);
    serve_bad(SHDR "a,llama3-8b,b200,dgx-h100,1,1,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,\n",
              "dgx-h100 holds h100-sxm, not b200", 2);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,8,3,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,\n",
              "serve.tp", 2);
    serve_bad(SHDR "a,llama3-405b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,\n",
              "row a", 2);
    serve_bad(SHDR "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,\"\n",
              "malformed CSV", 0);
    serve_bad(SHDR, "no rows", 0);
    serve_bad(SHDR_REQ "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,,0\n",
              "requests: '0' is not a whole number of requests", 2);
    serve_bad(SHDR_REQ "a,llama3-8b,h100-sxm,dgx-h100,1,1,1,,fp8,,offline,512,128,,,requests_per_s,1,p,e,s,,2.5\n",
              "'2.5' is not a whole number of requests", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_table), cmocka_unit_test(test_statistics), cmocka_unit_test(test_bias),
        cmocka_unit_test(test_bad_csv),
        cmocka_unit_test(test_collectives), cmocka_unit_test(test_serve_builtin),
        cmocka_unit_test(test_serve_statistics), cmocka_unit_test(test_serve_bad_csv),
        cmocka_unit_test(test_serve_admission), cmocka_unit_test(test_serve_first_token),
        cmocka_unit_test(test_serve_requests_column), cmocka_unit_test(test_serve_sglang_batch),
        cmocka_unit_test(test_lora_columns), cmocka_unit_test(test_recompute_modules_column),
        cmocka_unit_test(test_offload_layers_column),
        cmocka_unit_test(test_moments_dtype_column), cmocka_unit_test(test_memory_table),
        cmocka_unit_test(test_recompute_layers_and_dp_shard_columns),
        cmocka_unit_test(test_scaleup_domain_column),
        cmocka_unit_test(test_fp8_params_column),
        cmocka_unit_test(test_fp8_act_input_column),
        cmocka_unit_test(test_fp4_frozen_weights),
        cmocka_unit_test(test_rank_order_column), cmocka_unit_test(test_attn_block_columns), cmocka_unit_test(test_cell_limit), cmocka_unit_test(test_dp_bucket_column), cmocka_unit_test(test_cp_comm_column),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
