/* format.c (report) -- how every text writer prints a number a person reads, and the
 * line that opens every output: the base of the run, what was substituted, and what the
 * catalog says of the parts it runs on (announced figures, a roofline bound).
 *
 * One convention (docs/ARCHITECTURE.md, "Numbers in outputs"):
 *   - three significant digits, never an exponent: 1.44 GW, not 1.44e+03 MW;
 *   - physical quantities take SI prefixes (f p n u m . k M G T P E) in steps of 1000 on
 *     their unit: W, Wh, B/s; mass in g up to 999 kg, then t, kt, Mt ...;
 *   - counts and money take K, M, B (10^9), T (10^12), Q (10^15); beyond, x10^N;
 *   - memory sizes are binary (GiB = 2^30 bytes) and say so, everything else decimal.
 * Invariants: the mantissa printed lies in [1, 1000) after rounding (999.6 W reads
 * "1 kW"), zero reads "0 UNIT", a value is never printed as 0 unless it is 0, and the
 * helpers write at most n bytes, always NUL-terminated. */
#include "report/format.h"
#include "report/json.h"
#include "aifsim/version.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* x rounded to 3 significant digits (0 stays 0). */
static double sig3(double x)
{
    if (x == 0 || !isfinite(x))
        return x;
    double p = pow(10, floor(log10(fabs(x))) - 2);
    return round(x / p) * p;
}

/* The mantissa of a value already scaled into [1, 1000) (or below 1 at the last
 * step), three significant digits, no exponent. */
static void mantissa(char *buf, size_t n, double m)
{
    double a = fabs(m);
    int dec = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 2 - (int)floor(log10(a));
    snprintf(buf, n, "%.*f", dec, m);
    /* trailing zeros of a fraction say nothing: 1.50 -> 1.5, 2.00 -> 2 */
    if (strchr(buf, '.')) {
        size_t k = strlen(buf);
        while (k > 0 && buf[k - 1] == '0')
            buf[--k] = '\0';
        if (k > 0 && buf[k - 1] == '.')
            buf[--k] = '\0';
    }
}

void aif_fmt_si(char *buf, size_t n, double x, const char *unit)
{
    static const char *const pre[] = {"f", "p", "n", "u", "m", "", "k", "M", "G", "T", "P", "E"};
    const int unit_at = 5, last = (int)(sizeof pre / sizeof pre[0]) - 1;
    if (n == 0)
        return;
    if (!isfinite(x)) {
        snprintf(buf, n, "%s %s", isnan(x) ? "n/a" : x > 0 ? "inf" : "-inf", unit);
        return;
    }
    x = sig3(x);
    if (x == 0) {
        snprintf(buf, n, "0 %s", unit);
        return;
    }
    int i = unit_at + (int)floor(log10(fabs(x)) / 3 + 1e-9);
    if (i < 0)
        i = 0;
    if (i > last)
        i = last;
    double m = sig3(x / pow(1000, i - unit_at));
    if (fabs(m) >= 1000 && i < last)
        m = sig3(m / 1000), i++;
    char mb[48];
    mantissa(mb, sizeof mb, m);
    snprintf(buf, n, "%s %s%s", mb, pre[i], unit);
}

/* K M B T Q with a prefix string (a currency sign) before the number. */
static void count(char *buf, size_t n, double x, const char *sign)
{
    static const char *const suf[] = {"", "K", "M", "B", "T", "Q"};
    if (n == 0)
        return;
    if (!isfinite(x)) {
        snprintf(buf, n, "%s%s", sign, isnan(x) ? "n/a" : x > 0 ? "inf" : "-inf");
        return;
    }
    const char *neg = x < 0 ? "-" : "";
    x = sig3(fabs(x));
    if (x == 0) {
        snprintf(buf, n, "%s0", sign);
        return;
    }
    char mb[48];
    if (x < 1000) {
        mantissa(mb, sizeof mb, x);
        snprintf(buf, n, "%s%s%s", neg, sign, mb);
        return;
    }
    int i = (int)floor(log10(x) / 3 + 1e-9);
    if (i > 5) {   /* past Q: the power of ten, spelled so a person reads it */
        int e = (int)floor(log10(x) + 1e-9);
        mantissa(mb, sizeof mb, sig3(x / pow(10, e)));
        snprintf(buf, n, "%s%s%sx10^%d", neg, sign, mb, e);
        return;
    }
    double m = sig3(x / pow(1000, i));
    if (m >= 1000 && i < 5)
        m = sig3(m / 1000), i++;
    mantissa(mb, sizeof mb, m);
    snprintf(buf, n, "%s%s%s%s", neg, sign, mb, suf[i]);
}

void aif_fmt_count(char *buf, size_t n, double x) { count(buf, n, x, ""); }

void aif_fmt_plain(char *buf, size_t n, double x)
{
    double a = fabs(x);
    if (n == 0)
        return;
    if (!isfinite(x) || a == 0 || (a >= 1e-4 && a < 1e4))
        snprintf(buf, n, "%.4g", x);   /* no exponent in this range */
    else if (a >= 1e4)
        snprintf(buf, n, "%.0f", x);
    else   /* four significant digits after the leading zeros */
        snprintf(buf, n, "%.*f", 3 - (int)floor(log10(a)), x);
}

void aif_fmt_usd(char *buf, size_t n, double usd) { count(buf, n, usd, "$"); }

void aif_fmt_mass_kg(char *buf, size_t n, double kg)
{
    if (fabs(sig3(kg)) < 1000)
        aif_fmt_si(buf, n, kg * 1e3, "g");
    else
        aif_fmt_si(buf, n, kg / 1e3, "t");
}

void aif_fmt_energy_J(char *buf, size_t n, double J) { aif_fmt_si(buf, n, J / 3600, "Wh"); }

int aif_report_announced(const aif_scenario *s, const char *kind[AIF_MAX_ANNOUNCED],
                         const char *name[AIF_MAX_ANNOUNCED])
{
    const aif_cluster *c = &s->cluster;
    int n = 0;
    if (c->gpu.status == AIF_STATUS_ANNOUNCED)
        kind[n] = "gpu", name[n++] = c->gpu.name;
    if (c->system.name[0] && c->system.status == AIF_STATUS_ANNOUNCED)
        kind[n] = "system", name[n++] = c->system.name;
    if (c->fabric.name[0] && c->fabric.status == AIF_STATUS_ANNOUNCED)
        kind[n] = "fabric", name[n++] = c->fabric.name;
    if (c->scaleup.name[0] && c->scaleup.status == AIF_STATUS_ANNOUNCED)
        kind[n] = "scale-up fabric", name[n++] = c->scaleup.name;
    if (c->storage_units > 0 && c->storage.status == AIF_STATUS_ANNOUNCED)
        kind[n] = "storage", name[n++] = c->storage.name;
    /* co-packaged optics asked of a pluggable fabric: the per-port figure is announced */
    if (c->net.optics == 1 + AIF_OPTICS_CPO && c->fabric.optics != AIF_OPTICS_CPO)
        kind[n] = "optics", name[n++] = "co-packaged";
    return n;
}

void aif_report_header_text(FILE *f, const aif_scenario *s, const char *what)
{
    fprintf(f, "aifsim %s: %s%s%s (base: %s", AIF_VERSION, s->name, what ? ", " : "", what ? what : "", s->base);
    if (s->n_options)
        fprintf(f, " + %d option%s", s->n_options, s->n_options == 1 ? "" : "s");
    fputs(")\n", f);
    for (int i = 0; i < s->n_notes; i++) {
        const aif_note *nt = &s->notes[i];
        fprintf(f, "  substituted  %s: %s -> %s (%s)\n", nt->field, nt->asked, nt->used, nt->why);
    }
    if (s->n_notes_dropped)
        fprintf(f, "  substituted  and %d more not listed\n", s->n_notes_dropped);
    aif_report_status_text(f, s, "  ");
}

void aif_report_status_text(FILE *f, const aif_scenario *s, const char *prefix)
{
    const char *kind[AIF_MAX_ANNOUNCED], *name[AIF_MAX_ANNOUNCED];
    int n = aif_report_announced(s, kind, name);
    if (n) {
        fprintf(f, "%sannounced   ", prefix);
        for (int i = 0; i < n; i++)
            fprintf(f, "%s%s %s", i ? ", " : " ", kind[i], name[i]);
        fputs(": figures from an announcement, not a shipping part's specification\n", f);
    }
    if (s->cluster.gpu.calib.roofline)
        fprintf(f, "%sroofline     gpu %s: no published kernel measurement of its family, so every kernel runs at "
                "peak compute or memory bandwidth: times are lower bounds, MFU an upper bound\n", prefix,
                s->cluster.gpu.name);
    const aif_gpu *g = &s->cluster.gpu;
    if (g->sustained_clock > 0 && g->sustained_clock < 1)
        fprintf(f, "%spower-held   gpu %s: its %.0f W board power holds its clock at %.3f of the rated clock its "
                "peaks are given at (the cubic clock-power law; docs/CATALOGS.md, Variants): compute runs at that "
                "share of them, MFU stays against them\n", prefix, g->name, g->tdp_W, g->sustained_clock);
}

void aif_report_base_json(json_object *o, const aif_scenario *s)
{
    aif_json_str(o, "base", s->base);
    aif_json_int(o, "options", s->n_options);
    json_object *a = json_object_new_array();
    for (int i = 0; i < s->n_notes; i++) {
        json_object *e = json_object_new_object();
        aif_json_str(e, "field", s->notes[i].field);
        aif_json_str(e, "asked", s->notes[i].asked);
        aif_json_str(e, "used", s->notes[i].used);
        aif_json_str(e, "why", s->notes[i].why);
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "substitutions", a);
    /* only when there is something to say, so outputs on shipping, calibrated parts keep
     * their shape */
    const char *kind[AIF_MAX_ANNOUNCED], *name[AIF_MAX_ANNOUNCED];
    int n = aif_report_announced(s, kind, name);
    double held = s->cluster.gpu.sustained_clock;
    if (n || s->cluster.gpu.calib.roofline || (held > 0 && held < 1)) {
        json_object *cs = json_object_new_object();
        json_object *an = json_object_new_array();
        for (int i = 0; i < n; i++) {
            json_object *e = json_object_new_object();
            aif_json_str(e, "kind", kind[i]);
            aif_json_str(e, "name", name[i]);
            json_object_array_add(an, e);
        }
        json_object_object_add(cs, "announced", an);
        json_object_object_add(cs, "roofline_bound", json_object_new_boolean(s->cluster.gpu.calib.roofline));
        aif_json_num(cs, "sustained_clock", held > 0 ? held : 1);   /* aif_gpu.sustained_clock: 1 = its rated peaks */
        json_object_object_add(o, "catalog_status", cs);
    }
}

/* A class of published runs for a reader ("MoE with ep > 1, dispatcher alltoall"; a
 * serving class "TTFT, scheduler no_evict"). */
static const char *class_label(const aif_run_class *c, char *buf, size_t len)
{
    static const char *const groups[][2] = {{"throughput", "throughput"}, {"ttft", "TTFT"}, {"tpot", "TPOT"}};
    for (int g = 0; g < 3; g++) {
        size_t gl = strlen(groups[g][0]);
        if (strncmp(c->cls, groups[g][0], gl) || (c->cls[gl] && c->cls[gl] != '-'))
            continue;
        const char *dim = c->cls[gl] ? c->cls + gl + 1 : "", *slash = strchr(c->name, '/');
        int moe = !strncmp(c->name, "moe", 3);
        if (!strcmp(dim, "kind"))
            snprintf(buf, len, "%s, %s models", groups[g][1], moe ? "MoE" : "dense");
        else if (slash && !strcmp(dim, "kind-scheduler"))
            snprintf(buf, len, "%s, %s under %s", groups[g][1], moe ? "MoE" : "dense", slash + 1);
        else if (slash && !strcmp(dim, "kind-family"))
            snprintf(buf, len, "%s, %s on %s", groups[g][1], moe ? "MoE" : "dense", slash + 1);
        else
            snprintf(buf, len, "%s, every run%s", groups[g][1], c->other_kind ? " (none of its kind)" : "");
        return buf;
    }
    if (!strcmp(c->cls, "dispatch"))
        snprintf(buf, len, "MoE with ep > 1, dispatcher %s", c->name);
    else if (!strcmp(c->cls, "kind"))
        snprintf(buf, len, "%s models", !strcmp(c->name, "moe") ? "MoE" : c->name);
    else if (!strcmp(c->cls, "lora"))
        snprintf(buf, len, "LoRA fine-tuning");
    else if (!strcmp(c->cls, "family"))
        snprintf(buf, len, "accelerator family %s", c->name);
    else if (!strcmp(c->cls, "stack"))
        snprintf(buf, len, "stack %s", c->name);
    else
        snprintf(buf, len, "every run");
    return buf;
}

/* How far the analytical engine's predictions of the published runs like a job fell from
 * their measurements, so that its figures read with the error their class of run has been
 * shown to carry. */
static void class_lines(FILE *f, int indent, int width, const aif_run_class *c, int n)
{
    for (int i = 0; i < n; i++) {
        char lb[128];
        fprintf(f, "%*s%-*s %5.1f%% over %3d runs, p90 %5.1f%%, bias %+.1f%%\n", indent, "", width,
                class_label(&c[i], lb, sizeof lb), c[i].median_ape, c[i].runs, c[i].p90_ape, c[i].bias_pct);
    }
}

void aif_report_classes_text(FILE *f, int indent, const char *like, const aif_run_class *c, int n)
{
    if (n <= 0)
        return;
    fprintf(f, "  %-*sthe analytical engine's median |error| on published runs like %s (aifsim validate --classes; "
               "bias above 0: predicted faster than measured)\n", indent - 2, "validated", like);
    class_lines(f, indent, 38, c, n);
}

void aif_report_serve_classes_text(FILE *f, int indent, const char *like, const aif_run_class *c, int n)
{
    if (n <= 0)
        return;
    fprintf(f, "  %-*s the simulator's median |error| on published serving runs like %s, each metric's least "
               "accurate class (aifsim validate --infer-classes; bias above 0: promised more than measured)\n",
            indent - 2, "validated", like);
    class_lines(f, indent, 40, c, n);
}

json_object *aif_report_classes_json(const aif_run_class *c, int n)
{
    json_object *a = json_object_new_array();
    for (int i = 0; i < n; i++) {
        json_object *e = json_object_new_object();
        char lb[128];
        aif_json_str(e, "class", c[i].cls);
        aif_json_str(e, "name", c[i].name);
        aif_json_str(e, "label", class_label(&c[i], lb, sizeof lb));
        aif_json_int(e, "runs", c[i].runs);
        aif_json_num(e, "median_ape_pct", c[i].median_ape);
        aif_json_num(e, "p90_ape_pct", c[i].p90_ape);
        aif_json_num(e, "bias_pct", c[i].bias_pct);
        if (c[i].other_kind)   /* a serving class of every run, none of the deployment's kind */
            json_object_object_add(e, "other_kind", json_object_new_boolean(1));
        json_object_array_add(a, e);
    }
    return a;
}
