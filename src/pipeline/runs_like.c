/* runs_like.c -- the published runs like a training job or a serving deployment: the
 * classes of validation/classes.csv and validation/infer_classes.csv (written by `aifsim
 * validate --classes` and `--infer-classes` from the training and serving tables,
 * src/validate/classes.c, and held to them by the suite) that the job falls in, with the
 * errors on their rows, for the job's output to read its figures by. */
#include "aifsim/run.h"
#include "aifsim/serve.h"
#include "base/base.h"
#include "scenario/catalog.h"

#include <stdio.h>
#include <string.h>

const char *aif_builtin_classes_csv(size_t *len)
{
    return aif_embedded_file("validation/classes.csv", len);
}

const char *aif_builtin_infer_classes_csv(size_t *len)
{
    return aif_embedded_file("validation/infer_classes.csv", len);
}

/* The embedded table text when it opens with the columns written, else NULL (the suite
 * checks both tables). */
static const char *class_table(const char *text, size_t *len)
{
    size_t hl = strlen(AIF_CLASSES_CSV_HEADER);
    if (!text || *len <= hl || memcmp(text, AIF_CLASSES_CSV_HEADER, hl) || text[hl] != '\n')
        return NULL;
    return text;
}

/* The line of class cls and name in the table text, into out; 1 when found. */
static int find_class(const char *text, size_t len, const char *cls, const char *name, aif_run_class *out)
{
    char key[sizeof out->cls + sizeof out->name + 2];
    int kl = snprintf(key, sizeof key, "%s,%s,", cls, name);
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        char line[256];
        /* a line of the class and name alone is read (a job's output reads four) */
        if (kl > 0 && (size_t)kl < sizeof key && n > (size_t)kl && !memcmp(p, key, (size_t)kl) && n < sizeof line) {
            memcpy(line, p, n);
            line[n] = '\0';
            int runs;
            double med, p90, bias;
            /* the table is this program's own output (validate --classes), held to it by the suite */
            if (sscanf(line + kl, "%d,%lf,%lf,%lf", &runs, &med, &p90, &bias) == 4) {
                aif_strlcpy(out->cls, cls, sizeof out->cls);
                aif_strlcpy(out->name, name, sizeof out->name);
                out->runs = runs;
                out->median_ape = med;
                out->p90_ape = p90;
                out->bias_pct = bias;
                out->other_kind = false;
                return 1;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int aif_job_classes(const aif_scenario *s, aif_run_class out[AIF_RUN_CLASSES_MAX])
{
    size_t len;
    const char *text = aif_builtin_classes_csv(&len);
    /* an uncalibrated accelerator's times are roofline bounds: no published run is like it */
    if (!(text = class_table(text, &len)) || s->cluster.gpu.calib.roofline)
        return 0;
    int n = 0, moe = s->model.moe.experts > 0;
    aif_run_class c;
    /* the kind of run: LoRA of a dense model (the table's LoRA rows are all dense), else an
     * expert-parallel MoE by its dispatcher, else dense or MoE */
    int kind = 0;
    if (s->train.lora.rank > 0 && !moe)
        kind = find_class(text, len, "lora", "lora", &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS;
    else if (moe && s->train.par.ep > 1)
        kind = find_class(text, len, "dispatch", aif_ep_dispatch_resolved(s), &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS;
    if (!kind)
        kind = find_class(text, len, "kind", moe ? "moe" : "dense", &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS;
    if (kind)
        out[n++] = c;
    if (find_class(text, len, "family", s->cluster.gpu.arch, &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS)
        out[n++] = c;
    if (find_class(text, len, "stack", s->train.framework, &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS)
        out[n++] = c;
    if (find_class(text, len, "all", "all", &c))
        out[n++] = c;
    return n;
}

int aif_serve_family_class(const aif_scenario *s, const char *group, aif_run_class *out)
{
    size_t len;
    const char *text = aif_builtin_infer_classes_csv(&len);
    char cls[sizeof out->cls], name[sizeof out->name];
    snprintf(cls, sizeof cls, "%s-kind-family", group);
    snprintf(name, sizeof name, "%s/%s", s->model.moe.experts > 0 ? "moe" : "dense", s->cluster.gpu.arch);
    return (text = class_table(text, &len)) && !s->cluster.gpu.calib.roofline &&
           find_class(text, len, cls, name, out) && out->runs >= AIF_RUN_CLASS_MIN_RUNS;
}

int aif_serve_classes(const aif_scenario *s, aif_run_class out[AIF_SERVE_CLASSES_MAX])
{
    static const char *const groups[AIF_SERVE_CLASSES_MAX] = {"throughput", "ttft", "tpot"};
    size_t len;
    const char *text = aif_builtin_infer_classes_csv(&len);
    if (!(text = class_table(text, &len)) || s->cluster.gpu.calib.roofline)
        return 0;
    const char *kind = s->model.moe.experts > 0 ? "moe" : "dense";
    const char *by[2][2] = {{"scheduler", aif_serve_admission_names[s->serve.admission]},
                            {"family", s->cluster.gpu.arch}};
    int n = 0;
    for (int g = 0; g < AIF_SERVE_CLASSES_MAX; g++) {
        aif_run_class c, best;
        char cls[sizeof c.cls], name[sizeof c.name];
        int found = 0;
        /* the deployment's kind under its scheduler and on its family: the least accurate */
        for (int d = 0; d < 2; d++) {
            snprintf(cls, sizeof cls, "%s-kind-%s", groups[g], by[d][0]);
            snprintf(name, sizeof name, "%s/%s", kind, by[d][1]);
            if (find_class(text, len, cls, name, &c) && c.runs >= AIF_RUN_CLASS_MIN_RUNS &&
                (!found || c.median_ape > best.median_ape)) {
                best = c;
                found = 1;
            }
        }
        snprintf(cls, sizeof cls, "%s-kind", groups[g]);
        if (!found)   /* else its kind */
            found = find_class(text, len, cls, kind, &best) && best.runs >= AIF_RUN_CLASS_MIN_RUNS;
        if (!found && find_class(text, len, groups[g], "all", &best)) {   /* else every run, said so */
            best.other_kind = true;
            found = 1;
        }
        if (found)
            out[n++] = best;
    }
    return n;
}
