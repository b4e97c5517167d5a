/* holdout.c -- leave one source out (aifsim validate --holdout source): the training
 * rows grouped by source (aif_val_row.group, one paper or document each), and each
 * group's error when every calibration constant its rows could have influenced is
 * fitted without them.
 *
 * Which constants a group could have influenced is read from the catalog, not
 * guessed: each constant's citation (data/calibration.yaml, `sources:`) opens with its
 * source kind (validate.h, AIF_SOURCE_KINDS), and only `row:GROUP` ties a constant to
 * training rows.  The project's rule is that none does (the constants come from kernel
 * benchmarks, microbenchmarks, nccl-tests and datasheets; tests/test_holdout.c fails
 * the suite on a constant tied to a row of the table), so today every group's held-out
 * error is its own error, and the output says so.  A user catalog that does tie a
 * constant gets it refitted: over the grid value = catalog value x (0.5 + k/40),
 * k = 0..40, the value with the smallest median |error| over the rows of the other
 * groups on that calibration family (ties: the value nearest the catalog's), one
 * constant after another in the order of aif_calib_fields; a constant no other row
 * informs keeps its value and is named as such.
 * Invariants: held_err[i] == table.rows[i].err for every row of a group with no tied
 * constant; the refit never changes a row of another family. */
#include "aifsim/validate.h"
#include "base/base.h"
#include "scenario/catalog.h"
#include "validate/validate_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const aif_calib_fields[] = {
    "matmul_eff", "matmul_eff_fp8", "matmul_eff_fp4", "matmul_k_half", "attn_fwd_eff", "attn_bwd_eff",
    "attn_kv_half", "attn_hd_half", "attn_flash2_factor", "overlap_slowdown", "speed_spread", "mem_eff", "kernel_overhead",
    "n_sm", "tile_m", "tile_n", "workspace", "grouped_m_half", "attn_fwd_eff_hd64", "attn_bwd_eff_hd64",
    "attn_fwd_eff_hd192", "attn_bwd_eff_hd192", "attn_block_n", "grouped_factor", "grouped_dgrad_factor", "grouped_wgrad_factor",
    "grouped_unaligned_factor", "attn_fp8_fwd_factor", "attn_fp8_bwd_factor", "attn_fp8_fwd_factor_hd64",
    "attn_fp8_bwd_factor_hd64", "attn_fp8_fwd_factor_hd192", "attn_fp8_bwd_factor_hd192", "mixed_input_factor", NULL,
};

const char *const aif_source_kind_names[] = {"kernel", "microbenchmark", "nccl-tests", "datasheet", "estimate",
                                             "definition", "row", "none", NULL};
enum { KIND_ROW = 6, KIND_NONE = 7, GRID = 41, MAX_SET = 64 };

/* The address of a numeric field (*is_int set for the counts), NULL for another name. */
static void *field_ptr(aif_calib *c, const char *f, int *is_int)
{
    static const struct { const char *name; size_t off; int is_int; } map[] = {
        {"matmul_eff", offsetof(aif_calib, matmul_eff), 0},
        {"matmul_eff_fp8", offsetof(aif_calib, matmul_eff_fp8), 0},
        {"matmul_eff_fp4", offsetof(aif_calib, matmul_eff_fp4), 0},
        {"matmul_k_half", offsetof(aif_calib, matmul_k_half), 0},
        {"attn_fwd_eff", offsetof(aif_calib, attn_fwd_eff), 0},
        {"attn_bwd_eff", offsetof(aif_calib, attn_bwd_eff), 0},
        {"attn_kv_half", offsetof(aif_calib, attn_kv_half), 0},
        {"attn_hd_half", offsetof(aif_calib, attn_hd_half), 0},
        {"attn_flash2_factor", offsetof(aif_calib, attn_flash2_factor), 0},
        {"overlap_slowdown", offsetof(aif_calib, overlap_slowdown), 0},
        {"speed_spread", offsetof(aif_calib, speed_spread), 0},
        {"mem_eff", offsetof(aif_calib, mem_eff), 0},
        {"kernel_overhead", offsetof(aif_calib, kernel_overhead_s), 0},
        {"n_sm", offsetof(aif_calib, n_sm), 1},
        {"tile_m", offsetof(aif_calib, tile_m), 1},
        {"tile_n", offsetof(aif_calib, tile_n), 1},
        {"workspace", offsetof(aif_calib, workspace_bytes), 0},
        {"grouped_m_half", offsetof(aif_calib, grouped_m_half), 0},
        {"attn_fwd_eff_hd64", offsetof(aif_calib, attn_fwd_eff_hd64), 0},
        {"attn_bwd_eff_hd64", offsetof(aif_calib, attn_bwd_eff_hd64), 0},
        {"attn_fwd_eff_hd192", offsetof(aif_calib, attn_fwd_eff_hd192), 0},
        {"attn_bwd_eff_hd192", offsetof(aif_calib, attn_bwd_eff_hd192), 0},
        {"attn_block_n", offsetof(aif_calib, attn_block_n), 1},
        {"grouped_factor", offsetof(aif_calib, grouped_factor), 0},
        {"grouped_dgrad_factor", offsetof(aif_calib, grouped_dgrad_factor), 0},
        {"grouped_wgrad_factor", offsetof(aif_calib, grouped_wgrad_factor), 0},
        {"grouped_unaligned_factor", offsetof(aif_calib, grouped_unaligned_factor), 0},
        {"attn_fp8_fwd_factor", offsetof(aif_calib, attn_fp8_fwd_factor), 0},
        {"attn_fp8_bwd_factor", offsetof(aif_calib, attn_fp8_bwd_factor), 0},
        {"attn_fp8_fwd_factor_hd64", offsetof(aif_calib, attn_fp8_fwd_factor_hd64), 0},
        {"attn_fp8_bwd_factor_hd64", offsetof(aif_calib, attn_fp8_bwd_factor_hd64), 0},
        {"attn_fp8_fwd_factor_hd192", offsetof(aif_calib, attn_fp8_fwd_factor_hd192), 0},
        {"attn_fp8_bwd_factor_hd192", offsetof(aif_calib, attn_fp8_bwd_factor_hd192), 0},
        {"mixed_input_factor", offsetof(aif_calib, mixed_input_factor), 0},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].name, f)) {
            *is_int = map[i].is_int;
            return (char *)c + map[i].off;
        }
    return NULL;
}

double aif_calib_get(const aif_calib *cal, const char *fld)
{
    int is_int;
    void *p = field_ptr((aif_calib *)cal, fld, &is_int);
    return !p ? -1 : is_int ? *(int *)p : *(double *)p;
}

int aif_calib_put(aif_calib *cal, const char *fld, double value)
{
    int is_int;
    void *p = field_ptr(cal, fld, &is_int);
    if (!p)
        return -1;
    if (is_int)
        *(int *)p = value < 1 ? 1 : (int)lround(value);
    else
        *(double *)p = value;
    return 0;
}

int aif_calib_source_kind(const aif_catalog *c, const char *family, const char *fld, char *kind, size_t kind_len,
                          char *group, size_t group_len)
{
    const char *t = aif_catalog_source(c, "calibration", family, fld);
    if (kind_len)
        kind[0] = '\0';
    if (group_len)
        group[0] = '\0';
    if (!strncmp(t, "row:", 4)) {
        const char *end = strstr(t + 4, ": ");
        size_t n = end ? (size_t)(end - t - 4) : strlen(t + 4);
        if (n == 0)
            return 0;
        if (n >= group_len)
            n = group_len - 1;
        memcpy(group, t + 4, n);
        group[n] = '\0';
        aif_strlcpy(kind, "row", kind_len);
        return 1;
    }
    for (int k = 0; k < KIND_ROW; k++) {
        size_t n = strlen(aif_source_kind_names[k]);
        if (!strncmp(t, aif_source_kind_names[k], n) && t[n] == ':') {
            aif_strlcpy(kind, aif_source_kind_names[k], kind_len);
            return 1;
        }
    }
    return 0;
}

void aif_holdout_free(aif_holdout *h)
{
    aif_validation_free(&h->table);
    free(h->held_err);
    free(h->groups);
    h->held_err = NULL;
    h->groups = NULL;
    h->n_groups = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median |error| (in %) of the rows of table in family and outside group. */
static double median_outside(const aif_validation *t, const char *group, const char *family, double *buf, int *n)
{
    *n = 0;
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].group, group) && !strcmp(t->rows[i].arch, family))
            buf[(*n)++] = fabs(t->rows[i].err) * 100;
    if (*n == 0)
        return 0;
    qsort(buf, (size_t)*n, sizeof *buf, cmp_double);
    return aif_percentile(buf, *n, 0.5);
}

typedef struct tied { char family[AIF_NAME_MAX], group[64]; const char *field; double value; } tied;

/* Statistics of the values in a (|errors| in %, n of them; sorts a). */
static void stats_of(double *a, int n, aif_val_stats *st)
{
    memset(st, 0, sizeof *st);
    st->worst = -1;
    st->n = n;
    if (!n)
        return;
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += a[i];
    qsort(a, (size_t)n, sizeof *a, cmp_double);
    st->median_ape = aif_percentile(a, n, 0.5);
    st->p90_ape = aif_percentile(a, n, 0.9);
    st->mean_ape = sum / n;
    st->max_ape = a[n - 1];
}

/* The statistics of group id's rows of t with the errors err (one per row of t; NULL: the
 * rows' own): their |errors|, the first row with the largest, and their bias (buf: scratch
 * of t->n values). */
static void group_stats(const aif_validation *t, const double *err, const char *id, double *buf, aif_val_stats *st)
{
    int n = 0;
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].group, id))
            buf[n++] = fabs(err ? err[i] : t->rows[i].err) * 100;
    stats_of(buf, n, st);
    n = 0;
    for (int i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].group, id))
            buf[n++] = aif_val_rate_err(t->rows[i].metric, err ? err[i] : t->rows[i].err);
    aif_val_bias(buf, n, st);
    for (int i = t->n - 1; i >= 0; i--)   /* the worst row by index, as the table's statistics */
        if (!strcmp(t->rows[i].group, id) && fabs(err ? err[i] : t->rows[i].err) * 100 == st->max_ape)
            st->worst = i;
}

aif_rc aif_validate_holdout(const aif_catalog *c, const char *path, int engine, aif_holdout *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    const char *text;
    char *owned = NULL, shown[300];
    size_t len;
    int sim = engine == AIF_ENGINE_SIM;
    tied *ties = NULL;
    double *buf = NULL;
    aif_validation trial = {0};
    aif_rc rc = aif_validate_train_read(path, &text, &owned, &len, shown, sizeof shown, err);
    if (rc)
        return rc;
    if ((rc = aif_validate_train_text(c, text, len, shown, sim, NULL, 0, &out->table, err)))
        goto done;
    const aif_validation *t = &out->table;
    out->held_err = malloc(sizeof *out->held_err * (size_t)t->n);
    out->groups = calloc((size_t)t->n, sizeof *out->groups);
    buf = malloc(sizeof *buf * (size_t)t->n);
    int n_fam = aif_catalog_n_calibs(c), n_fields = 0;
    while (aif_calib_fields[n_fields])
        n_fields++;
    ties = malloc(sizeof *ties * (size_t)(n_fam * n_fields + 1));
    if (!out->held_err || !out->groups || !buf || !ties) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    for (int i = 0; i < t->n; i++) {
        out->held_err[i] = t->rows[i].err;
        int g = 0;
        while (g < out->n_groups && strcmp(out->groups[g].id, t->rows[i].group))
            g++;
        if (g == out->n_groups)
            aif_strlcpy(out->groups[out->n_groups++].id, t->rows[i].group, sizeof out->groups[0].id);
        out->groups[g].n++;
    }
    /* the constants by kind, and those tied to a group of this table */
    int n_ties = 0;
    for (int f = 0; f < n_fam; f++) {
        const aif_calib *cal = aif_catalog_calib(c, f);
        for (int k = 0; k < n_fields; k++) {
            if (!aif_catalog_source(c, "calibration", cal->name, aif_calib_fields[k])[0])
                continue;   /* a field the family does not have */
            char kind[32], group[64];
            int named = aif_calib_source_kind(c, cal->name, aif_calib_fields[k], kind, sizeof kind, group, sizeof group);
            int ki = KIND_NONE;
            for (int j = 0; named && j < KIND_NONE; j++)
                if (!strcmp(kind, aif_source_kind_names[j]))
                    ki = j;
            out->n_by_kind[ki]++;
            if (ki != KIND_ROW)
                continue;
            for (int g = 0; g < out->n_groups; g++)
                if (!strcmp(out->groups[g].id, group)) {
                    tied *q = &ties[n_ties++];
                    aif_strlcpy(q->family, cal->name, sizeof q->family);
                    aif_strlcpy(q->group, group, sizeof q->group);
                    q->field = aif_calib_fields[k];
                    q->value = aif_calib_get(cal, aif_calib_fields[k]);
                    out->groups[g].n_tied++;
                    out->n_tied++;
                }
        }
    }
    /* each group with tied constants: refit them on the other groups' rows, then run it */
    for (int g = 0; g < out->n_groups; g++) {
        aif_holdout_group *hg = &out->groups[g];
        if (!hg->n_tied)
            continue;
        aif_calib_set set[MAX_SET];
        int n_set = 0;
        size_t m = 0;
        for (int q = 0; q < n_ties && n_set < MAX_SET; q++) {
            if (strcmp(ties[q].group, hg->id))
                continue;
            aif_calib_set *cs = &set[n_set++];
            aif_strlcpy(cs->family, ties[q].family, sizeof cs->family);
            cs->field = ties[q].field;
            cs->value = ties[q].value;
            double best = ties[q].value, best_med = INFINITY;
            int n_other = 0;
            for (int k = 0; k < GRID && ties[q].value > 0; k++) {
                cs->value = ties[q].value * (0.5 + k / (double)(GRID - 1));
                if ((rc = aif_validate_train_text(c, text, len, shown, sim, set, n_set, &trial, err)))
                    goto done;
                double med = median_outside(&trial, hg->id, ties[q].family, buf, &n_other);
                aif_validation_free(&trial);
                if (n_other == 0)
                    break;
                if (med < best_med - 1e-12 ||
                    (fabs(med - best_med) <= 1e-12 && fabs(cs->value - ties[q].value) < fabs(best - ties[q].value))) {
                    best_med = med;
                    best = cs->value;
                }
            }
            cs->value = best;
            if (m < sizeof hg->tied)
                m += (size_t)snprintf(hg->tied + m, sizeof hg->tied - m, "%s%s.%s %.4g -> %.4g%s", m ? ", " : "",
                                      ties[q].family, ties[q].field, ties[q].value, best,
                                      n_other ? "" : " (no other row informs it)");
        }
        if ((rc = aif_validate_train_text(c, text, len, shown, sim, set, n_set, &trial, err)))
            goto done;
        for (int i = 0; i < t->n; i++)
            if (!strcmp(t->rows[i].group, hg->id))
                out->held_err[i] = trial.rows[i].err;
        aif_validation_free(&trial);
    }
    /* statistics: each group with and without, and every row held out */
    for (int g = 0; g < out->n_groups; g++) {
        aif_holdout_group *hg = &out->groups[g];
        group_stats(t, NULL, hg->id, buf, &hg->own);
        group_stats(t, out->held_err, hg->id, buf, &hg->held);
    }
    for (int i = 0; i < t->n; i++)
        buf[i] = fabs(out->held_err[i]) * 100;
    aif_val_stats all;
    stats_of(buf, t->n, &all);
    out->median_ape = all.median_ape;
    out->p90_ape = all.p90_ape;
    out->mean_ape = all.mean_ape;
    out->max_ape = all.max_ape;
done:
    aif_validation_free(&trial);
    free(ties);
    free(buf);
    free(owned);
    if (rc)
        aif_holdout_free(out);
    return rc;
}
