/* serve.c (report) -- a serving run as text and JSON.  Formats only: every figure
 * comes from aif_serve_run as the pipeline computed it. */
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "report/format.h"
#include "report/json.h"

#include <stdlib.h>
#include <string.h>

static void lat_line(FILE *f, const char *name, const aif_latency *l)
{
    char a[24], b[24], c[24], d[24];
    aif_fmt_si(a, sizeof a, l->p50_s, "s");
    aif_fmt_si(b, sizeof b, l->p90_s, "s");
    aif_fmt_si(c, sizeof c, l->p99_s, "s");
    aif_fmt_si(d, sizeof d, l->mean_s, "s");
    fprintf(f, "  %-9s p50 %-9s p90 %-9s p99 %-9s mean %s\n", name, a, b, c, d);
}

void aif_report_serve_text(FILE *f, const aif_serve_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_serve *sv = &s->serve;
    const aif_serve_result *r = &run->serve;
    const aif_serve_memory *m = &r->mem;
    char a[32], b[32], c[32], d[32];
    aif_report_header_text(f, s, "serving");
    fputc('\n', f);
    for (int i = 0; i < run->n_notes; i++)
        fprintf(f, "  note     %s: %s\n", run->notes[i].path, run->notes[i].msg);
    {   /* weights at their math's precision, else "GEMMs P with W weights"; the experts' when they differ */
        int p = sv->precision, w = aif_serve_weight_prec(sv), ep = aif_serve_expert_prec(sv);
        int ew = aif_serve_expert_weight_prec(sv);
        fprintf(f, "  model    %s, ", s->model.name);
        if (w == p)
            fprintf(f, "weights %s", aif_prec_name((aif_prec)p));
        else
            fprintf(f, "GEMMs %s with %s weights", aif_prec_name((aif_prec)p), aif_prec_name((aif_prec)w));
        if (s->model.moe.experts && (ep != p || ew != w)) {
            if (ew == ep)
                fprintf(f, ", experts %s", aif_prec_name((aif_prec)ep));
            else
                fprintf(f, ", experts' GEMMs %s with %s weights", aif_prec_name((aif_prec)ep),
                        aif_prec_name((aif_prec)ew));
        }
        fprintf(f, ", KV cache %s\n", aif_prec_name((aif_prec)sv->kv_precision));
    }
    if (sv->disagg.prefill > 0)
        fprintf(f, "  deploy   %d prefill + %d decode replicas x (tp %d, pp %d, ep %d) = %d x %s", sv->disagg.prefill,
                sv->disagg.decode, sv->tp, sv->pp, sv->ep, r->gpus, s->cluster.gpu.name);
    else
        fprintf(f, "  deploy   %d replica%s x (tp %d, pp %d, ep %d) = %d x %s", r->replicas, r->replicas == 1 ? "" : "s",
                sv->tp, sv->pp, sv->ep, r->gpus, s->cluster.gpu.name);
    if (s->cluster.system.name[0])
        fprintf(f, " in %s", s->cluster.system.name);
    fprintf(f, ", router %s", aif_router_names[sv->router]);
    if (sv->admission != AIF_ADMIT_EVICT)   /* named only when not the default, so evict runs read as before */
        fprintf(f, ", admission %s", aif_serve_admission_names[sv->admission]);
    if (sv->preemption != AIF_PREEMPT_RECOMPUTE)
        fprintf(f, ", preemption %s", aif_serve_preemption_names[sv->preemption]);
    if (sv->overlap_schedule)
        fprintf(f, ", scheduled one batch ahead");
    if (sv->dp_attention)
        fprintf(f, ", data-parallel attention over the %d GPUs", sv->tp);
    fputc('\n', f);
    aif_fmt_count(a, sizeof a, (double)r->requests);
    if (sv->trace[0])
        fprintf(f, "  load     %s requests from %s, %s\n", a, sv->trace, aif_serve_mode_names[sv->mode]);
    else if (sv->concurrency > 0)
        fprintf(f, "  load     %s requests from %d client%s, each sending its next when the last finishes\n", a,
                sv->concurrency, sv->concurrency == 1 ? "" : "s");
    else if (sv->mode == AIF_SERVE_OFFLINE)
        fprintf(f, "  load     %s requests, offline (all at t = 0)\n", a);
    else if (sv->agentic.calls > 0)
        fprintf(f, "  load     %s calls, %s session arrivals at %g/s%s%s\n", a, aif_arrival_names[sv->arrival], sv->qps,
                sv->arrival == AIF_ARRIVAL_GAMMA ? " (bursty)" : "",
                sv->n_curve ? " on average, following the daily curve" : "");
    else
        fprintf(f, "  load     %s requests, %s arrivals at %g/s%s%s\n", a, aif_arrival_names[sv->arrival], sv->qps,
                sv->arrival == AIF_ARRIVAL_GAMMA ? " (bursty)" : "",
                sv->n_curve ? " on average, following the daily curve" : "");
    aif_fmt_count(a, sizeof a, r->input_tokens / (r->requests ? r->requests : 1));
    aif_fmt_count(b, sizeof b, r->output_tokens / (r->requests ? r->requests : 1));
    fprintf(f, "           mean %s tokens in, %s out; batch <= %d, budget %d tokens%s%s\n", a, b, sv->max_batch,
            sv->token_budget, sv->chunked_prefill ? ", chunked prefill" : "",
            sv->prefix_caching ? ", prefix caching" : "");
    aif_fmt_si(a, sizeof a, m->weights_bytes, "B");
    aif_fmt_si(b, sizeof b, m->kv_capacity_bytes, "B");
    aif_fmt_si(c, sizeof c, m->kv_bytes_per_token, "B");
    aif_fmt_si(d, sizeof d, m->hbm_bytes, "B");
    fprintf(f, "  memory   per GPU: weights %s, KV cache %s (%s per token, %ld blocks of %d), of %s HBM%s\n", a, b, c,
            m->kv_blocks, AIF_SERVE_BLOCK_TOKENS, d,
            sv->kv_memory == AIF_KV_MEMORY_FREE ? " (the cache: a share of the memory left free)" : "");
    if (s->model.sliding_window > 0 && sv->window_cache == AIF_WINDOW_CACHE_FULL)
        fprintf(f, "           window_cache full: the layers that attend a window of %d tokens cache every token\n",
                s->model.sliding_window);
    if (m->kv_window_layers > 0)
        fprintf(f, "           %d of %s%d layers attend a window of %d tokens: a sequence keeps only its "
                "window's blocks there\n", m->kv_window_layers, sv->pp > 1 ? "a stage's " : "",
                sv->pp > 1 ? m->kv_window_layers + m->kv_full_layers : s->model.layers, s->model.sliding_window);
    fputc('\n', f);
    aif_fmt_count(a, sizeof a, r->throughput_tokens_per_s);
    aif_fmt_count(b, sizeof b, r->requests_per_s);
    aif_fmt_si(c, sizeof c, r->duration_s, "s");
    fprintf(f, "  output   %s tokens/s, %s requests/s over %s\n", a, b, c);
    lat_line(f, "TTFT", &r->ttft);
    lat_line(f, "TPOT", &r->tpot);
    lat_line(f, "E2E", &r->e2e);
    lat_line(f, "queue", &r->queue);
    aif_report_serve_classes_text(f, 11, "this one", run->classes, run->n_classes);
    if (sv->slo.ttft_s > 0 || sv->slo.tpot_s > 0 || sv->slo.e2e_s > 0)
        fprintf(f, "  SLO      %.1f%% of requests meet every target\n", 100 * r->slo_goodput);
    fprintf(f, "  batch    %.1f sequences per iteration (mean), %ld iterations, %ld preemption%s\n", r->mean_batch,
            r->iterations, r->preemptions, r->preemptions == 1 ? "" : "s");
    if (sv->preemption == AIF_PREEMPT_SWAP) {
        aif_fmt_si(a, sizeof a, r->swap_bytes, "B");
        aif_fmt_si(b, sizeof b, sv->host_link_Bps, "B/s");
        aif_fmt_si(c, sizeof c, r->swap_s, "s");
        fprintf(f, "  swap     %s of KV cache per GPU to host memory and back over %s, %s of iterations\n", a, b, c);
    }
    if (r->sessions > 0) {
        aif_fmt_si(a, sizeof a, sv->agentic.tool_latency_s, "s");
        fprintf(f, "  agentic  %ld session%s of up to %d calls (%ld in all; a %d-token system prompt, tools %s on "
                "average)\n", r->sessions, r->sessions == 1 ? "" : "s", sv->agentic.calls, r->requests,
                sv->agentic.system_prompt, a);
        if (sv->agentic.retrieval_bytes > 0) {
            aif_fmt_si(a, sizeof a, sv->agentic.retrieval_bytes, "B");
            aif_fmt_si(b, sizeof b, sv->agentic.retrieval_s, "s");
            fprintf(f, "           each tool call reads %s from storage %s: %s more\n", a, s->cluster.storage.name, b);
        }
        lat_line(f, "session", &r->session);
    }
    if (sv->disagg.prefill > 0) {
        aif_fmt_si(a, sizeof a, r->kv_transfer_mean_s, "s");
        fprintf(f, "  KV moves %ld prompts' caches to the decode pool over %s, %s each on average\n", r->kv_transfers,
                s->cluster.fabric.name, a);
    }
    if (sv->spec.tokens > 0)
        fprintf(f, "  drafts   %d per step from %d draft layer%s, acceptance %.2f: %.1f%% of %ld drafts accepted\n",
                sv->spec.tokens, sv->spec.draft_layers, sv->spec.draft_layers == 1 ? "" : "s", sv->spec.acceptance,
                r->spec_drafted ? 100.0 * (double)r->spec_accepted / (double)r->spec_drafted : 0.0, r->spec_drafted);
    fprintf(f, "  KV cache peak %.1f%% of capacity", 100 * r->kv_cache_peak_fraction);
    if (r->prefix_hit_fraction > 0)
        fprintf(f, ", prefix cache hits %.1f%% of prompt tokens", 100 * r->prefix_hit_fraction);
    fputc('\n', f);
    fprintf(f, "  GPUs     busy %.0f%%: compute-bound %.0f%%, memory-bound %.0f%%, communication %.0f%% of it\n",
            100 * r->busy_fraction, 100 * r->compute_frac, 100 * r->memory_frac, 100 * r->comm_frac);
    if (r->power_known) {
        aif_fmt_si(a, sizeof a, r->gpu_avg_W, "W");
        aif_fmt_si(b, sizeof b, r->facility_avg_W, "W");
        aif_fmt_si(c, sizeof c, r->joules_per_token, "J");
        fprintf(f, "  power    %s per GPU, %s at the facility; %s per output token\n", a, b, c);
    } else {
        fprintf(f, "  power    n/a: %s has no published power figure (a catalog file can give its tdp)\n",
                s->cluster.gpu.name);
    }
    snprintf(a, sizeof a, "n/a");
    snprintf(b, sizeof b, "n/a");
    if (r->power_known && r->price_known)
        aif_fmt_usd(a, sizeof a, r->usd_per_million_tokens);
    if (r->cloud_price_known)
        aif_fmt_usd(b, sizeof b, r->usd_per_million_tokens_rented);
    fprintf(f, "  cost     %s per million output tokens owned, %s rented (%s)\n", a, b,
            aif_cloud_class_names[s->site.cloud_class]);
}

static void lat_json(json_object *o, const char *name, const aif_latency *l)
{
    char k[48];
    const char *sfx[5] = {"mean", "p50", "p90", "p99", "max"};
    const double v[5] = {l->mean_s, l->p50_s, l->p90_s, l->p99_s, l->max_s};
    for (int i = 0; i < 5; i++) {
        snprintf(k, sizeof k, "%s_%s_s", name, sfx[i]);
        aif_json_num(o, k, v[i]);
    }
}

char *aif_report_serve_json(const aif_serve_run *run)
{
    const aif_scenario *s = &run->scenario;
    const aif_serve *sv = &s->serve;
    const aif_serve_result *r = &run->serve;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object();
    aif_json_str(o, "aifsim_version", AIF_VERSION);
    aif_json_str(o, "scenario", s->name);
    aif_report_base_json(o, s);
    json_object *in = json_object_new_object();
    aif_json_str(in, "model", s->model.name);
    aif_json_str(in, "gpu", s->cluster.gpu.name);
    aif_json_str(in, "system", s->cluster.system.name);
    aif_json_int(in, "gpus", r->gpus);
    aif_json_int(in, "replicas", r->replicas);
    aif_json_int(in, "tp", sv->tp);
    aif_json_int(in, "pp", sv->pp);
    aif_json_int(in, "ep", sv->ep);
    aif_json_str(in, "precision", aif_prec_name((aif_prec)sv->precision));
    aif_json_str(in, "weight_precision", aif_prec_name((aif_prec)aif_serve_weight_prec(sv)));
    if (s->model.moe.experts) {   /* absent for a dense model */
        aif_json_str(in, "expert_precision", aif_prec_name((aif_prec)aif_serve_expert_prec(sv)));
        aif_json_str(in, "expert_weight_precision", aif_prec_name((aif_prec)aif_serve_expert_weight_prec(sv)));
    }
    aif_json_str(in, "kv_precision", aif_prec_name((aif_prec)sv->kv_precision));
    aif_json_str(in, "mode", aif_serve_mode_names[sv->mode]);
    aif_json_num(in, "qps", sv->qps);
    aif_json_str(in, "arrival", aif_arrival_names[sv->arrival]);
    aif_json_str(in, "router", aif_router_names[sv->router]);
    if (sv->n_curve) {   /* absent when the rate is constant */
        json_object *cv = json_object_new_array();
        for (int h = 0; h < sv->n_curve; h++)
            json_object_array_add(cv, json_object_new_double(sv->curve[h]));
        json_object_object_add(in, "daily_curve", cv);
        aif_json_num(in, "daily_start_hour", sv->daily_start_hour);
    }
    if (sv->admission != AIF_ADMIT_EVICT)   /* absent means evict, so evict runs' JSON reads as before */
        aif_json_str(in, "admission", aif_serve_admission_names[sv->admission]);
    if (sv->kv_memory != AIF_KV_MEMORY_HBM)   /* absent means hbm */
        aif_json_str(in, "kv_memory", aif_serve_kv_memory_names[sv->kv_memory]);
    if (s->model.sliding_window > 0)   /* absent for a model without window layers */
        aif_json_str(in, "window_cache", aif_serve_window_cache_names[sv->window_cache]);
    if (sv->preemption != AIF_PREEMPT_RECOMPUTE) {   /* absent means recompute */
        aif_json_str(in, "preemption", aif_serve_preemption_names[sv->preemption]);
        aif_json_num(in, "host_link_Bps", sv->host_link_Bps);
    }
    if (sv->overlap_schedule)   /* absent when each iteration is formed as the one before ends */
        json_object_object_add(in, "overlap_schedule", json_object_new_boolean(1));
    if (sv->concurrency > 0)   /* absent when the arrivals are open */
        aif_json_int(in, "concurrency", sv->concurrency);
    aif_json_str(in, "trace", sv->trace);
    aif_json_int(in, "max_batch", sv->max_batch);
    aif_json_int(in, "token_budget", sv->token_budget);
    aif_json_int(in, "seed", sv->seed);
    json_object_object_add(o, "inputs", in);
    json_object *mem = json_object_new_object();
    aif_json_num(mem, "hbm_bytes", r->mem.hbm_bytes);
    aif_json_num(mem, "weights_bytes", r->mem.weights_bytes);
    aif_json_num(mem, "activations_bytes", r->mem.activations_bytes);
    aif_json_num(mem, "workspace_bytes", r->mem.workspace_bytes);
    aif_json_num(mem, "kv_bytes_per_token", r->mem.kv_bytes_per_token);
    aif_json_num(mem, "kv_capacity_bytes", r->mem.kv_capacity_bytes);
    aif_json_int(mem, "kv_blocks", r->mem.kv_blocks);
    aif_json_int(mem, "kv_window_layers", r->mem.kv_window_layers);
    aif_json_int(mem, "kv_full_layers", r->mem.kv_full_layers);
    json_object_object_add(o, "memory_per_gpu", mem);
    aif_json_int(o, "requests", r->requests);
    aif_json_num(o, "input_tokens", r->input_tokens);
    aif_json_num(o, "output_tokens", r->output_tokens);
    aif_json_num(o, "duration_s", r->duration_s);
    aif_json_num(o, "throughput_tokens_per_s", r->throughput_tokens_per_s);
    aif_json_num(o, "requests_per_s", r->requests_per_s);
    lat_json(o, "ttft", &r->ttft);
    lat_json(o, "tpot", &r->tpot);
    lat_json(o, "itl", &r->itl);
    lat_json(o, "e2e", &r->e2e);
    lat_json(o, "queue", &r->queue);
    json_object_object_add(o, "validated", aif_report_classes_json(run->classes, run->n_classes));
    aif_json_num(o, "slo_goodput", r->slo_goodput);
    aif_json_num(o, "mean_batch", r->mean_batch);
    aif_json_num(o, "mean_in_system", r->mean_in_system);
    aif_json_num(o, "kv_cache_peak_fraction", r->kv_cache_peak_fraction);
    aif_json_int(o, "iterations", r->iterations);
    aif_json_int(o, "preemptions", r->preemptions);
    if (sv->preemption == AIF_PREEMPT_SWAP) {   /* absent under recompute */
        aif_json_num(o, "swap_bytes", r->swap_bytes);
        aif_json_num(o, "swap_s", r->swap_s);
    }
    if (r->sessions > 0) {   /* absent when off */
        json_object *ag = json_object_new_object();
        aif_json_int(ag, "sessions", r->sessions);
        aif_json_int(ag, "calls", sv->agentic.calls);
        aif_json_int(ag, "system_prompt", sv->agentic.system_prompt);
        aif_json_num(ag, "tool_latency_s", sv->agentic.tool_latency_s);
        aif_json_num(ag, "retrieval_bytes", sv->agentic.retrieval_bytes);
        aif_json_num(ag, "retrieval_s", sv->agentic.retrieval_s);
        lat_json(ag, "session", &r->session);
        json_object_object_add(o, "agentic", ag);
    }
    if (sv->disagg.prefill > 0) {   /* absent when off */
        json_object *dg = json_object_new_object();
        aif_json_int(dg, "prefill_replicas", sv->disagg.prefill);
        aif_json_int(dg, "decode_replicas", sv->disagg.decode);
        aif_json_int(dg, "kv_transfers", r->kv_transfers);
        aif_json_num(dg, "kv_transfer_mean_s", r->kv_transfer_mean_s);
        json_object_object_add(o, "disaggregate", dg);
    }
    if (sv->spec.tokens > 0) {   /* absent when off, so other runs' JSON reads as before */
        json_object *sp = json_object_new_object();
        aif_json_int(sp, "tokens", sv->spec.tokens);
        aif_json_num(sp, "acceptance", sv->spec.acceptance);
        aif_json_int(sp, "draft_layers", sv->spec.draft_layers);
        aif_json_int(sp, "drafted", r->spec_drafted);
        aif_json_int(sp, "accepted", r->spec_accepted);
        json_object_object_add(o, "speculative", sp);
    }
    aif_json_num(o, "prefix_hit_fraction", r->prefix_hit_fraction);
    aif_json_num(o, "busy_fraction", r->busy_fraction);
    aif_json_num_if(o, "gpu_avg_W", r->gpu_avg_W, r->power_known);
    aif_json_num_if(o, "facility_avg_W", r->facility_avg_W, r->power_known);
    aif_json_num_if(o, "energy_J", r->energy_J, r->power_known);
    aif_json_num_if(o, "joules_per_token", r->joules_per_token, r->power_known);
    aif_json_num_if(o, "usd_per_million_tokens", r->usd_per_million_tokens, r->power_known && r->price_known);
    aif_json_num_if(o, "usd_per_million_tokens_rented", r->usd_per_million_tokens_rented, r->cloud_price_known);
    json_object *notes = json_object_new_array();
    for (int i = 0; i < run->n_notes; i++) {
        json_object *n = json_object_new_object();
        aif_json_str(n, "field", run->notes[i].path);
        aif_json_str(n, "note", run->notes[i].msg);
        json_object_array_add(notes, n);
    }
    json_object_object_add(o, "notes", notes);
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
