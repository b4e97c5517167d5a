/* runs_like.c -- the published runs like a training job: the classes of
 * validation/classes.csv (written by `aifsim validate --classes` from the training table,
 * src/validate/classes.c, and held to it by the suite) that the job falls in, with the
 * analytical engine's errors on their rows, for the job's output to read its figures by. */
#include "aifsim/run.h"
#include "base/base.h"
#include "scenario/catalog.h"

#include <stdio.h>
#include <string.h>

const char *aif_builtin_classes_csv(size_t *len)
{
    return aif_embedded_file("validation/classes.csv", len);
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
                return 1;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

int aif_job_classes(const aif_scenario *s, aif_run_class out[AIF_RUN_CLASSES_MAX])
{
    size_t len, hl = strlen(AIF_CLASSES_CSV_HEADER);
    const char *text = aif_builtin_classes_csv(&len);
    /* an uncalibrated accelerator's times are roofline bounds: no published run is like it */
    if (!text || s->cluster.gpu.calib.roofline)
        return 0;
    if (len <= hl || memcmp(text, AIF_CLASSES_CSV_HEADER, hl) || text[hl] != '\n')
        return 0;   /* not the columns written (the suite checks the table) */
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
