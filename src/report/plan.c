/* plan.c (report) -- the serving capacity plan (aif_serve_plan) as text and JSON.
 * Formats only: every figure comes from aif_plan_serve. */
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "aifsim/serve.h"
#include "report/format.h"
#include "report/json.h"

#include <stdlib.h>
#include <string.h>

static void targets(char *buf, size_t n, const aif_slo *slo)
{
    char a[24];
    size_t k = 0;
    buf[0] = '\0';
    const double v[3] = {slo->ttft_s, slo->tpot_s, slo->e2e_s};
    const char *name[3] = {"TTFT", "TPOT", "end-to-end"};
    for (int i = 0; i < 3 && k < n; i++)
        if (v[i] > 0) {
            aif_fmt_si(a, sizeof a, v[i], "s");
            k += (size_t)snprintf(buf + k, n - k, "%sp99 %s <= %s", k ? ", " : "", name[i], a);
        }
}

static void money(char *buf, size_t n, double usd, bool known)
{
    if (known)
        aif_fmt_usd(buf, n, usd);
    else
        snprintf(buf, n, "n/a");
}

/* The prefill:decode ratio of a split candidate ("1:3"), "-" when colocated. */
/* A candidate's weights: its precision, or "GEMMs/weights" (bf16/fp4) where serve.weight_precision
 * stores them narrower than the candidate's GEMMs run. */
static void weights_name(char *buf, size_t n, const aif_serve *sv, const aif_plan_candidate *k)
{
    if (sv->weight_precision >= 0 && sv->weight_precision != k->precision)
        snprintf(buf, n, "%s/%s", aif_prec_name((aif_prec)k->precision), aif_prec_name((aif_prec)sv->weight_precision));
    else
        snprintf(buf, n, "%s", aif_prec_name((aif_prec)k->precision));
}

static void split_name(char *buf, size_t n, const aif_plan_candidate *k)
{
    if (k->split_p)
        snprintf(buf, n, "%d:%d", k->split_p, k->split_d);
    else
        snprintf(buf, n, "-");
}

void aif_report_plan_text(FILE *f, const aif_serve_plan *p)
{
    const aif_scenario *s = &p->scenario;
    const aif_serve *sv = &s->serve;
    char a[64], b[64], c[64], d[200];
    aif_report_header_text(f, s, "infer plan");
    fputc('\n', f);
    fprintf(f, "  load     %s at %g requests/s (%s), mean %.0f tokens in, %.0f out; %d requests per deployment\n",
            s->model.name, sv->qps, aif_arrival_names[sv->arrival], sv->input_tokens.mean, sv->output_tokens.mean,
            sv->requests);
    targets(d, sizeof d, &sv->slo);
    fprintf(f, "  targets  %s\n", d);
    fprintf(f, "  tried    %d shape%s, %d deployment%s simulated; %d meet%s every target\n\n", p->n,
            p->n == 1 ? "" : "s", p->sims, p->sims == 1 ? "" : "s", p->n_meeting, p->n_meeting == 1 ? "s" : "");
    fprintf(f, "   #  %-14s %3s %3s %-5s %-5s %8s %6s %9s %9s %10s %10s %10s\n", "gpu", "tp", "ep", "wts", "split",
            "replicas", "GPUs", "p99 TTFT", "p99 TPOT", "tokens/s", "$/M owned", "$/M rented");
    int rank = 0;
    for (int i = 0; i < p->n; i++) {
        const aif_plan_candidate *k = &p->c[i];
        if (!k->meets)
            continue;
        aif_fmt_si(a, sizeof a, k->ttft_p99_s, "s");
        aif_fmt_si(b, sizeof b, k->tpot_p99_s, "s");
        snprintf(c, sizeof c, "%.0f", k->throughput_tokens_per_s);
        char m1[24], m2[24];
        money(m1, sizeof m1, k->usd_per_million_tokens, k->price_known);
        money(m2, sizeof m2, k->usd_per_million_tokens_rented, k->cloud_price_known);
        char sp[24];
        split_name(sp, sizeof sp, k);
        char wt[24];
        weights_name(wt, sizeof wt, sv, k);
        fprintf(f, "  %2d  %-14s %3d %3d %-5s %-5s %8d %6d %9s %9s %10s %10s %10s\n", ++rank, k->gpu, k->tp, k->ep, wt, sp,
                k->replicas, k->gpus, a, b, c, m1, m2);
    }
    if (!rank)
        fprintf(f, "  (none: no shape meets the targets within the GPUs allowed)\n");
    for (int i = 0; i < p->n; i++) {
        const aif_plan_candidate *k = &p->c[i];
        if (!k->meets) {
            char sp[24];
            split_name(sp, sizeof sp, k);
            char wt[24];
            weights_name(wt, sizeof wt, sv, k);
            fprintf(f, "  %s  %s tp %d ep %d %s %s: %s\n", k->valid ? "misses" : "no fit", k->gpu, k->tp, k->ep, wt,
                    k->split_p ? sp : "colocated", k->why);
        }
    }
    if (rank) {
        const aif_plan_candidate *k = &p->c[0];
        char who[96];
        if (k->split_p) {
            int u = k->replicas / (k->split_p + k->split_d);
            snprintf(who, sizeof who, "%d prefill + %d decode replicas", u * k->split_p, u * k->split_d);
        } else {
            snprintf(who, sizeof who, "%d replica%s", k->replicas, k->replicas == 1 ? "" : "s");
        }
        char epb[24] = "";
        if (k->ep > 1)
            snprintf(epb, sizeof epb, ", ep %d", k->ep);
        char wt[24];
        weights_name(wt, sizeof wt, sv, k);
        fprintf(f, "\n  best     %s of tp %d%s on %s%s%s (%d GPU%s, %s weights)%s\n", who, k->tp, epb, k->gpu,
                k->system[0] ? " in " : "", k->system, k->gpus, k->gpus == 1 ? "" : "s",
                wt,
                k->price_known ? ": the cheapest per token that meets every target"
                               : ": the fewest GPUs that meet every target (no price is known for these parts)");
        aif_report_serve_classes_text(f, 11, "the best", p->classes, p->n_classes);
    }
}

char *aif_report_plan_json(const aif_serve_plan *p)
{
    const aif_scenario *s = &p->scenario;
    const aif_serve *sv = &s->serve;
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    json_object *o = json_object_new_object();
    aif_json_str(o, "aifsim_version", AIF_VERSION);
    aif_json_str(o, "scenario", s->name);
    aif_report_base_json(o, s);
    json_object *in = json_object_new_object();
    aif_json_str(in, "model", s->model.name);
    aif_json_num(in, "qps", sv->qps);
    aif_json_str(in, "arrival", aif_arrival_names[sv->arrival]);
    aif_json_int(in, "requests", sv->requests);
    aif_json_num(in, "input_tokens", sv->input_tokens.mean);
    aif_json_num(in, "output_tokens", sv->output_tokens.mean);
    json_object *slo = json_object_new_object();
    aif_json_num_if(slo, "ttft_p99_s", sv->slo.ttft_s, sv->slo.ttft_s > 0);
    aif_json_num_if(slo, "tpot_p99_s", sv->slo.tpot_s, sv->slo.tpot_s > 0);
    aif_json_num_if(slo, "e2e_p99_s", sv->slo.e2e_s, sv->slo.e2e_s > 0);
    json_object_object_add(in, "slo", slo);
    json_object_object_add(o, "inputs", in);
    aif_json_int(o, "deployments_simulated", p->sims);
    aif_json_int(o, "meeting", p->n_meeting);
    json_object *arr = json_object_new_array();
    for (int i = 0; i < p->n; i++) {
        const aif_plan_candidate *k = &p->c[i];
        json_object *e = json_object_new_object();
        aif_json_str(e, "gpu", k->gpu);
        aif_json_str(e, "system", k->system);
        aif_json_int(e, "tp", k->tp);
        aif_json_int(e, "ep", k->ep);
        aif_json_str(e, "precision", aif_prec_name((aif_prec)k->precision));
        if (k->split_p) {   /* absent when colocated */
            char sp[24];
            split_name(sp, sizeof sp, k);
            aif_json_str(e, "disaggregate", sp);
        }
        json_object_object_add(e, "valid", json_object_new_boolean(k->valid));
        json_object_object_add(e, "meets", json_object_new_boolean(k->meets));
        if (!k->meets)
            aif_json_str(e, "why", k->why);
        if (k->valid) {
            aif_json_int(e, "replicas", k->replicas);
            aif_json_int(e, "gpus", k->gpus);
            aif_json_num(e, "ttft_p99_s", k->ttft_p99_s);
            aif_json_num(e, "tpot_p99_s", k->tpot_p99_s);
            aif_json_num(e, "e2e_p99_s", k->e2e_p99_s);
            aif_json_num(e, "slo_goodput", k->slo_goodput);
            aif_json_num(e, "throughput_tokens_per_s", k->throughput_tokens_per_s);
            aif_json_num_if(e, "usd_per_million_tokens", k->usd_per_million_tokens, k->price_known);
            aif_json_num_if(e, "usd_per_million_tokens_rented", k->usd_per_million_tokens_rented,
                            k->cloud_price_known);
            aif_json_num_if(e, "joules_per_token", k->joules_per_token, k->power_known);
        }
        aif_json_int(e, "deployments_simulated", k->sims);
        json_object_array_add(arr, e);
    }
    json_object_object_add(o, "candidates", arr);   /* ranked: meeting, cheapest first */
    json_object_object_add(o, "best", p->n_meeting ? json_object_get(json_object_array_get_idx(arr, 0)) : NULL);
    json_object_object_add(o, "validated", aif_report_classes_json(p->classes, p->n_classes));
    const char *txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
    char *out = txt ? strdup(txt) : NULL;
    json_object_put(o);
    return out;
}
