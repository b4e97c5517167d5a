/* classes.c -- the training and serving tables' errors by class of run.  `aifsim validate
 * --classes` writes the training table's from its rows (aif_validation_classes_write):
 * every run; dense and MoE models; MoE runs with expert parallelism by their dispatcher;
 * LoRA fine-tuning; each accelerator calibration family; each software stack.  `aifsim
 * validate --infer-classes` writes the serving table's (aif_validation_serve_classes_write):
 * for each metric group (throughput, TTFT, time per output token), every run, dense and
 * MoE models, and within each of the two each scheduler and each family.  The built-in
 * tables' are kept as validation/classes.csv and validation/infer_classes.csv, embedded,
 * and the suite holds them to what the two print today (tests validation_classes,
 * validation_infer_classes), so they never lag the model; a training or serving run
 * reads them (src/pipeline/runs_like.c). */
#include "aifsim/run.h"
#include "aifsim/validate.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAMES 256   /* distinct names of one class; a table with more is refused */

typedef aif_rc (*named_stats_fn)(const aif_validation *, const char *, aif_val_stats *, aif_err *);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char *field_of(const aif_val_row *r, aif_val_field field)
{
    return field == AIF_VAL_FRAMEWORK ? r->framework : field == AIF_VAL_ARCH ? r->arch : r->dispatch;
}

int aif_validation_distinct(const aif_validation *v, aif_val_field field, const char **out, int max)
{
    int n = 0;
    for (int i = 0; i < v->n; i++) {
        const char *x = field_of(&v->rows[i], field);
        int seen = !x[0];   /* an empty value is no name */
        for (int j = 0; j < i && !seen; j++)   /* the rows before it: a table of hundreds */
            seen = !strcmp(field_of(&v->rows[j], field), x);
        if (!seen) {
            if (n < max)
                out[n] = x;
            n++;
        }
    }
    return n;
}

static void put_line(FILE *f, const char *cls, const char *name, const aif_val_stats *st)
{
    fprintf(f, "%s,%s,%d,%.3f,%.3f,%.3f\n", cls, name, st->n, st->median_ape, st->p90_ape, st->bias_pct);
}

static aif_rc put_named(FILE *f, const aif_validation *v, const char *cls, aif_val_field field, named_stats_fn fn,
                        aif_err *err)
{
    const char *names[MAX_NAMES];
    int n = aif_validation_distinct(v, field, names, MAX_NAMES);
    if (n > MAX_NAMES)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "the table names more than %d distinct values of "
                           "one class (%s): its classes are not written", MAX_NAMES, cls);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int k = 0; k < n; k++) {
        aif_val_stats st;
        aif_rc rc = fn(v, names[k], &st, err);
        if (rc)
            return rc;
        put_line(f, cls, names[k], &st);
    }
    return AIF_OK;
}

aif_rc aif_validation_classes_write(const aif_validation *v, FILE *f, aif_err *err)
{
    aif_val_stats st = {.n = v->n, .median_ape = v->median_ape, .p90_ape = v->p90_ape, .bias_pct = v->bias_pct};
    fputs(AIF_CLASSES_CSV_HEADER "\n", f);
    put_line(f, "all", "all", &st);
    for (int moe = 0; moe < 2; moe++) {
        aif_rc rc = aif_validation_moe_stats(v, moe, &st, err);
        if (rc)
            return rc;
        if (st.n)
            put_line(f, "kind", moe ? "moe" : "dense", &st);
    }
    aif_rc rc = put_named(f, v, "dispatch", AIF_VAL_DISPATCH, aif_validation_dispatch_stats, err);
    if (!rc && !(rc = aif_validation_lora_stats(v, &st, err)) && st.n)
        put_line(f, "lora", "lora", &st);
    if (!rc)
        rc = put_named(f, v, "family", AIF_VAL_ARCH, aif_validation_arch_stats, err);
    if (!rc)
        rc = put_named(f, v, "stack", AIF_VAL_FRAMEWORK, aif_validation_framework_stats, err);
    return rc;
}

/* One metric group's lines of one kind by field (its distinct names, sorted), named
 * KIND/NAME, a name with no row of the group and kind left out. */
static aif_rc put_serve_named(FILE *f, const aif_validation *v, const char *group, int moe, const char *suffix,
                              aif_val_field field, aif_err *err)
{
    const char *names[MAX_NAMES];
    int n = aif_validation_distinct(v, field, names, MAX_NAMES);
    if (n > MAX_NAMES)
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "the table names more than %d distinct values of "
                           "one class (%s-kind-%s): its classes are not written", MAX_NAMES, group, suffix);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    char cls[32], name[96];
    snprintf(cls, sizeof cls, "%s-kind-%s", group, suffix);
    for (int k = 0; k < n; k++) {
        aif_val_stats st;
        aif_rc rc = aif_validation_serve_stats(v, group, moe, field, names[k], &st, err);
        if (rc)
            return rc;
        snprintf(name, sizeof name, "%s/%s", moe ? "moe" : "dense", names[k]);
        if (st.n)
            put_line(f, cls, name, &st);
    }
    return AIF_OK;
}

aif_rc aif_validation_serve_classes_write(const aif_validation *v, FILE *f, aif_err *err)
{
    static const char *const groups[] = {"throughput", "ttft", "tpot"};
    fputs(AIF_CLASSES_CSV_HEADER "\n", f);
    for (int g = 0; g < 3; g++) {
        aif_val_stats st;
        aif_rc rc = aif_validation_serve_stats(v, groups[g], -1, AIF_VAL_ARCH, NULL, &st, err);
        if (rc)
            return rc;
        if (!st.n)
            continue;
        put_line(f, groups[g], "all", &st);
        char cls[32];
        snprintf(cls, sizeof cls, "%s-kind", groups[g]);
        for (int moe = 0; moe < 2; moe++) {
            if ((rc = aif_validation_serve_stats(v, groups[g], moe, AIF_VAL_ARCH, NULL, &st, err)))
                return rc;
            if (st.n)
                put_line(f, cls, moe ? "moe" : "dense", &st);
        }
        for (int moe = 0; moe < 2; moe++)
            if ((rc = put_serve_named(f, v, groups[g], moe, "scheduler", AIF_VAL_FRAMEWORK, err)) ||
                (rc = put_serve_named(f, v, groups[g], moe, "family", AIF_VAL_ARCH, err)))
                return rc;
    }
    return AIF_OK;
}
