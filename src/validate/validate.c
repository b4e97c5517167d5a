/* validate.c -- reads validation/train.csv (RFC 4180, parsed by libcsv), runs
 * each published run through the analytical engine and compares the prediction
 * with the measurement in the source's own metric and FLOP-counting convention;
 * the same for nccl-tests tables (validation/collectives.csv) and published
 * serving figures (validation/infer.csv, through aif_run_serve).
 * A row is never special-cased: it is a scenario like any other.  Every table is
 * read strictly (the header names its columns, every row has as many cells, save
 * that a training row may end before the optional trailing columns, train_optional);
 * a row that cannot be reproduced (hardware outside the catalogs, an input the
 * source does not publish) is counted as skipped with its reason, never guessed. */
#include "aifsim/validate.h"
#include "validate/validate_int.h"
#include "base/base.h"
#include "facility/site.h"
#include "scenario/catalog.h"
#include "workload/transformer.h"
#include "aifsim/graph.h"
#include "aifsim/names.h"
#include "aifsim/serve.h"
#include "aifsim/sim.h"

#include <csv.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_COLS = 64, CELL = 8192 };   /* "more than 64 columns" in cb_row; every column a table reads fits */

typedef struct parse_state {
    char hdr[MAX_COLS][32];
    int n_hdr;
    char cell[MAX_COLS][CELL];
    int col, row;
    int too_long;
    const char *const *need;                 /* columns the header must have */
    const char *const *optional;             /* columns a row may end before (NULL: none) */
    void (*row_fn)(struct parse_state *);    /* called for each data row */
    const aif_catalog *cat;
    const char *name;
    aif_validation *out;
    aif_err *err;
    aif_rc rc;
    int cap;
    int sim;                                 /* train rows through the simulating engine */
    int memory;                              /* train rows of a memory table (metric peak_memory_gib) */
    const aif_calib_set *calib_set;          /* calibration constants replaced (the holdout's refits) */
    int n_calib_set;
    void (*progress)(double done, void *ctx);   /* after each row, NULL for none */
    void *progress_ctx;
    int n_lines;                             /* lines of the text, for the fraction done */
    /* the last serving deployment run and its figures: the rows of one published point
     * (its TTFT, inter-token latency and throughput) name the same deployment, and a run
     * is deterministic in its inputs, so they run it once */
    char serve_key[1024];
    double serve_v[10];
    int serve_gpus, serve_gpn;
} parse_state;

static int col_of(const parse_state *ps, const char *name)
{
    for (int i = 0; i < ps->n_hdr; i++)
        if (!strcmp(ps->hdr[i], name))
            return i;
    return -1;
}

static const char *cell(const parse_state *ps, const char *name)
{
    int i = col_of(ps, name);
    return i >= 0 ? ps->cell[i] : "";
}

double aif_flops_by_convention(const char *conv, const aif_scenario *s, const aif_train_result *r)
{
    const aif_model *m = &s->model;
    double B = s->train.gbs, sq = s->train.seq, l = m->layers, h = m->hidden, V = m->vocab;
    if (!strcmp(conv, "megatron_recompute"))
        return 96 * B * sq * l * h * h * (1 + sq / (6 * h) + V / (16 * l * h));
    if (!strcmp(conv, "megatron"))
        return 72 * B * sq * l * h * h * (1 + sq / (6 * h) + V / (12 * l * h));
    if (!strcmp(conv, "6nd"))
        return 6 * aif_model_params(m) * B * sq;
    if (!strcmp(conv, "6nd_attn"))
        return (6 * aif_model_params(m) + 12 * l * h * sq) * B * sq;
    if (!strcmp(conv, "model"))
        return r->model_flops_per_step;
    return -1;
}

static aif_rc row_error(parse_state *ps, const char *col, const char *fmt, const char *what)
{
    char origin[300];
    snprintf(origin, sizeof origin, "%s", ps->name);
    return aif_err_set(ps->err, AIF_EINPUT, origin, ps->row + 1, 0, col, fmt, what);
}

/* Room for one more row in ps->out; NULL (and ps->rc set) when out of memory. */
static aif_val_row *new_row(parse_state *ps)
{
    if (ps->out->n == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 64;
        aif_val_row *nr = realloc(ps->out->rows, sizeof *nr * (size_t)cap);
        if (!nr) {
            ps->rc = aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
            return NULL;
        }
        ps->out->rows = nr;
        ps->cap = cap;
    }
    aif_val_row *vr = &ps->out->rows[ps->out->n];
    memset(vr, 0, sizeof *vr);
    vr->line = ps->row + 1;
    return vr;
}

/* A row's source group: its source_id cell when the table has one, else the source's
 * first word when that names a repository (owner/name), else the source up to its first
 * comma ("Narayanan et al., SC'21 ..." -> "Narayanan et al."). */
static void source_group(const parse_state *ps, char *out, size_t len)
{
    const char *id = cell(ps, "source_id"), *src = cell(ps, "source");
    if (id[0]) {
        aif_strlcpy(out, id, len);
        return;
    }
    size_t w = strcspn(src, " \t"), n = memchr(src, '/', w) ? w : strcspn(src, ",");
    while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == ':'))
        n--;
    if (n >= len)
        n = len - 1;
    memcpy(out, src, n);
    out[n] = '\0';
    if (n == 0)   /* no source named: the rows without one form one group */
        aif_strlcpy(out, "(no source)", len);
}

/* The inputs a row's notes mark ASSUMED (the word in capitals, not inside another word). */
static int count_assumed(const char *notes)
{
    int n = 0;
    for (const char *p = notes; (p = strstr(p, "ASSUMED")); p += 7) {
        int before = p > notes && ((p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z'));
        int after = (p[7] >= 'A' && p[7] <= 'Z') || (p[7] >= 'a' && p[7] <= 'z');
        n += !before && !after;
    }
    return n;
}

static void train_row(parse_state *ps)
{
    /* columns -> scenario overrides */
    static const struct { const char *col, *path; } map[] = {
        {"model", "model"}, {"system", "cluster.system"}, {"fabric", "cluster.fabric"}, {"gpus", "cluster.gpus"},
        {"tp", "train.tp"}, {"pp", "train.pp"}, {"vpp", "train.vpp"}, {"cp", "train.cp"}, {"ep", "train.ep"}, {"etp", "train.etp"},
        {"dp", "train.dp"}, {"mbs", "train.mbs"}, {"gbs", "train.gbs"}, {"seq", "train.seq"},
        {"precision", "train.precision"}, {"recompute", "train.recompute"}, {"optimizer", "train.optimizer"},
        {"tp_overlap", "train.tp_overlap"}, {"attention", "train.attention"},
        {"dp_overlap", "train.dp_overlap"}, {"sp", "train.sp"}, {"ep_overlap", "train.ep_overlap"},
        {"pp_overlap", "train.pp_overlap"},
        {"framework", "train.framework"}, {"gpu_power_limit", "facility.gpu_power_limit"},
        {"lora_rank", "train.lora.rank"}, {"lora_targets", "train.lora.targets"},
        {"recompute_modules", "train.recompute_modules"}, {"offload_layers", "train.offload_layers"},
        {"grad_dtype", "train.grad_dtype"}, {"ep_dispatch", "train.ep_dispatch"},
        {"moments_dtype", "train.moments_dtype"}, {"recompute_saved", "train.recompute_saved"},
        {"recompute_layers", "train.recompute_layers"}, {"dp_shard", "train.dp_shard"},
        {"attention_dtype", "train.attention_dtype"}, {"scaleup_domain", "cluster.scaleup_domain"},
        {"fp8_params", "train.fp8_params"}, {"fp8_act_input", "train.fp8_act_input"},
        {"rank_order", "train.rank_order"}, {"attn_block", "train.attn_block"},
        {"attn_block_bwd", "train.attn_block_bwd"}, {"dp_bucket", "train.dp_bucket"},
        {"cp_comm", "train.cp_comm"},
    };
    aif_override ov[sizeof map / sizeof map[0] + 1];   /* each column, and offload beside offload_layers */
    char origins[sizeof map / sizeof map[0] + 1][48];
    int n = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        int c = col_of(ps, map[i].col);
        if (c < 0 || !ps->cell[c][0])
            continue;
        snprintf(origins[n], sizeof origins[n], "column %s", map[i].col);
        ov[n] = (aif_override){map[i].path, ps->cell[c], origins[n]};
        n++;
        if (!strcmp(map[i].col, "offload_layers")) {   /* layers offloaded: the activations' offload */
            snprintf(origins[n], sizeof origins[n], "column %s", map[i].col);
            ov[n] = (aif_override){"train.offload", "activations", origins[n]};
            n++;
        }
    }
    aif_val_row *vr = new_row(ps);
    if (!vr)
        return;
    aif_strlcpy(vr->id, cell(ps, "id"), sizeof vr->id);
    aif_strlcpy(vr->model, cell(ps, "model"), sizeof vr->model);
    aif_strlcpy(vr->system, cell(ps, "system"), sizeof vr->system);
    aif_strlcpy(vr->metric, cell(ps, "metric"), sizeof vr->metric);
    int mem_metric = !strcmp(vr->metric, AIF_METRIC_PEAK_MEMORY) || !strcmp(vr->metric, AIF_METRIC_PEAK_ALLOCATED);
    if (ps->memory != mem_metric) {   /* each table its own kind of figure */
        static const char *const train_metrics[] = {"step_time_s", "tokens_per_s_per_gpu", "tflops_per_gpu", "mfu",
                                                    NULL};
        if (!ps->memory)
            ps->rc = row_error(ps, "metric", "'%s' is a memory figure: it goes in a memory table (aifsim validate "
                               "--memory FILE.csv, docs/CATALOGS.md), not among the throughput rows", vr->metric);
        else if (aif_name_index(train_metrics, vr->metric) >= 0)
            ps->rc = row_error(ps, "metric", "'%s' is a training figure: it goes in the training table (aifsim "
                               "validate FILE.csv), not in a memory table (accepted: " AIF_METRIC_PEAK_MEMORY ", "
                               AIF_METRIC_PEAK_ALLOCATED ")",
                               vr->metric);
        else
            ps->rc = row_error(ps, "metric", "unknown metric '%s' in a memory table (accepted: "
                               AIF_METRIC_PEAK_MEMORY ", " AIF_METRIC_PEAK_ALLOCATED ")", vr->metric);
        return;
    }
    aif_strlcpy(vr->convention, cell(ps, "flops_convention"), sizeof vr->convention);
    aif_strlcpy(vr->source, cell(ps, "source"), sizeof vr->source);
    source_group(ps, vr->group, sizeof vr->group);
    vr->n_assumed = count_assumed(cell(ps, "notes"));
    aif_scenario s;
    aif_err e;
    aif_rc prc = aif_scenario_parse(ps->cat, "", 0, ps->name, ov, n, &s, &e);
    if (prc != AIF_OK) {
        char msg[sizeof e.msg];
        aif_strlcpy(msg, e.msg, sizeof msg);
        ps->rc = aif_err_set(ps->err, prc == AIF_ENOMEM ? AIF_ENOMEM : AIF_EINPUT, ps->name, vr->line, 0,
                             e.file[0] ? e.file : e.path, "row %s: %s%s%s", vr->id, e.path, e.path[0] ? ": " : "", msg);
        return;
    }
    vr->gpus = s.cluster.gpus;
    vr->lora_rank = s.train.lora.rank;
    vr->moe = s.model.moe.experts > 0;
    if (vr->moe && s.train.par.ep > 1)
        aif_strlcpy(vr->dispatch, aif_ep_dispatch_resolved(&s), sizeof vr->dispatch);
    aif_strlcpy(vr->framework, s.train.framework, sizeof vr->framework);
    aif_strlcpy(vr->arch, s.cluster.gpu.arch, sizeof vr->arch);
    /* a refitted family figure replaces the job's copy, which the stack's profile has
     * scaled: the refit goes through the same factor */
    aif_calib *jc = &s.cluster.gpu.calib;
    for (int i = 0; i < ps->n_calib_set; i++)
        if (!strcmp(ps->calib_set[i].family, s.cluster.gpu.arch))
            aif_calib_put(jc, ps->calib_set[i].field,
                          ps->calib_set[i].value * aif_framework_calib_factor(&s.framework, jc, ps->calib_set[i].field));
    s.cluster.speed_spread = jc->speed_spread;   /* the run's copy (no row gives cluster.speed_spread) */
    /* a family refitted without a group: a GPU's own GEMM figures (its own microbenchmark,
     * data/gpus.yaml) are not the family's and stay, scaled by the stack as at load */
    if (s.cluster.gpu.own_matmul_eff > 0)
        jc->matmul_eff = s.cluster.gpu.own_matmul_eff * aif_framework_calib_factor(&s.framework, jc, "matmul_eff");
    if (s.cluster.gpu.own_matmul_eff_fp8 > 0)
        jc->matmul_eff_fp8 =
            s.cluster.gpu.own_matmul_eff_fp8 * aif_framework_calib_factor(&s.framework, jc, "matmul_eff_fp8");
    if (s.site.gpu_power_limit_W > 0)   /* a run at a power limit: its clocks, as aif_run_train sets them */
        s.cluster.clock_factor = aif_clock_factor(&s.cluster.gpu, aif_catalog_facility(ps->cat), s.site.gpu_power_limit_W);
    char why[200];
    if (aif_parse_qty(cell(ps, "measured"), AIF_Q_FRACTION, &vr->measured, why, sizeof why) != 0 ||
        vr->measured <= 0 || vr->measured > 1e15) {
        ps->rc = row_error(ps, "measured", "'%s' is not a positive number below 1e15", cell(ps, "measured"));
        return;
    }
    for (int i = 0; i < ps->out->n; i++)
        if (!strcmp(ps->out->rows[i].id, vr->id)) {
            ps->rc = row_error(ps, "id", "id '%s' is used twice", vr->id);
            return;
        }
    aif_rc erc = ps->sim ? aif_simulate(&s, NULL, &vr->r, NULL, &e) : aif_estimate(&s, &vr->r, &e);
    if (erc != AIF_OK) {
        ps->rc = aif_err_set(ps->err, erc == AIF_ENOMEM ? AIF_ENOMEM : AIF_EINPUT, ps->name, vr->line, 0, e.path,
                             "row %s: %s", vr->id, e.msg);
        return;
    }
    const aif_train_result *r = &vr->r;
    if (ps->memory) {   /* the busiest GPU's peak, in GiB: PyTorch's reserved bytes (the model's total), or its
                           allocated bytes (the tensors: the total less the workspace estimate) */
        vr->predicted = (r->mem.total_bytes -
                         (strcmp(vr->metric, AIF_METRIC_PEAK_ALLOCATED) ? 0 : r->mem.workspace_bytes)) / 1073741824.0;
    } else if (!strcmp(vr->metric, "step_time_s")) {
        vr->predicted = r->step_time_s;
    } else if (!strcmp(vr->metric, "tokens_per_s_per_gpu")) {
        vr->predicted = r->tokens_per_s_per_gpu;
    } else if (!strcmp(vr->metric, "tflops_per_gpu") || !strcmp(vr->metric, "mfu")) {
        double f = aif_flops_by_convention(vr->convention, &s, r);
        if (f < 0) {
            ps->rc = row_error(ps, "flops_convention", "unknown convention '%s' (accepted: megatron_recompute, "
                               "megatron, 6nd, 6nd_attn, model)", vr->convention);
            return;
        }
        vr->predicted = f / r->step_time_s / s.cluster.gpus / 1e12;
        if (!strcmp(vr->metric, "mfu"))
            vr->predicted *= 1e12 / s.cluster.gpu.peak_flops[s.train.precision];
    } else {
        ps->rc = row_error(ps, "metric", "unknown metric '%s' (accepted: step_time_s, tokens_per_s_per_gpu, "
                           "tflops_per_gpu, mfu)", vr->metric);
        return;
    }
    vr->err = (vr->predicted - vr->measured) / vr->measured;
    vr->nofit = !r->fits_in_memory;
    ps->out->n++;
}

/* The training tables' optional trailing columns: LoRA fine-tuning (train.lora),
 * selective recompute's modules (train.recompute_modules, "a,b"), the layers whose
 * activations go to host memory (train.offload activations, train.offload_layers) and the
 * gradient buffer's type (train.grad_dtype), the expert dispatcher (train.ep_dispatch) and
 * Adam's moments' type (train.moments_dtype) and what a full recompute keeps of each layer
 * (train.recompute_saved, "a,b"), how many layers of each pipeline chunk it replays
 * (train.recompute_layers), the ranks a hybrid-sharded state spans (train.dp_shard) and the
 * fused attention's operands (train.attention_dtype) and the GPUs the job uses in each
 * scale-up domain (cluster.scaleup_domain: 64 of an NVL72 rack's 72) and whether its weights
 * are held in fp8 (train.fp8_params) and whether the MLP activation's input is kept in fp8
 * (train.fp8_act_input) and where its ranks sit (train.rank_order) and the fused attention
 * kernel's key tile in sliding-window layers, forward and backward (train.attn_block,
 * train.attn_block_bwd) and the parameters per gradient bucket (train.dp_bucket) and how
 * context parallelism moves the sequence (train.cp_comm), after notes, so that a row of full
 * training with the defaults ends at its notes. */
static const char *const train_optional[] = {"lora_rank", "lora_targets", "recompute_modules", "offload_layers",
                                             "grad_dtype", "ep_dispatch", "moments_dtype", "recompute_saved",
                                             "recompute_layers", "dp_shard", "attention_dtype", "scaleup_domain",
                                             "fp8_params", "fp8_act_input", "rank_order", "attn_block",
                                             "attn_block_bwd", "dp_bucket", "cp_comm", NULL};

/* The serving table's optional trailing columns, after notes (the rows written before them
 * end at their notes and keep the runner's count and the serve section's defaults): the
 * requests the source ran; the weights' storage and a mixture of experts' own precisions
 * (serve.weight_precision, expert_precision, expert_weight_precision); data-parallel
 * attention (serve.dp_attention). */
static const char *const serve_optional[] = {"requests", "weight_precision", "expert_precision",
                                             "expert_weight_precision", "dp_attention", NULL};
static void serve_row(parse_state *ps);

/* A row of a memory table: a training row whose figure is the peak memory per GPU. */
static void memory_row(parse_state *ps)
{
    ps->memory = 1;
    train_row(ps);
}

static void cb_field(void *s, size_t len, void *data)
{
    parse_state *ps = data;
    if (ps->col < MAX_COLS) {
        if (len >= CELL) {
            ps->too_long = 1;
            len = CELL - 1;
        }
        memcpy(ps->cell[ps->col], s, len);
        ps->cell[ps->col][len] = '\0';
    }
    ps->col++;
}

static int is_optional(const parse_state *ps, const char *col)
{
    for (int i = 0; ps->optional && ps->optional[i]; i++)
        if (!strcmp(ps->optional[i], col))
            return 1;
    return 0;
}

/* A row of fewer cells than the header is read when every column it leaves out is one
 * of the table's optional trailing columns (added after the rows were written, so that
 * those rows stay as they were). */
static int short_row_ok(const parse_state *ps)
{
    for (int i = ps->col; i < ps->n_hdr; i++)
        if (!is_optional(ps, ps->hdr[i]))
            return 0;
    return 1;
}

static void join_names(const char *const *names, char *out, size_t len)
{
    size_t n = 0;
    out[0] = '\0';
    for (int i = 0; names[i] && n < len; i++)
        n += (size_t)snprintf(out + n, len - n, "%s%s", i ? ", " : "", names[i]);
}

static void cb_row(int c, void *data)
{
    (void)c;
    parse_state *ps = data;
    if (ps->rc) {
        /* an earlier row failed: read on without looking */
    } else if (ps->col > MAX_COLS) {
        ps->rc = row_error(ps, "", "%s", "more than 64 columns");
    } else if (ps->col == 1 && !ps->cell[0][0]) {
        /* a blank line */
    } else if (ps->row == 0) {
        ps->n_hdr = ps->col;
        for (int i = 0; i < ps->col; i++)
            aif_strlcpy(ps->hdr[i], ps->cell[i], sizeof ps->hdr[i]);
        for (int i = 0; ps->need[i]; i++)
            if (col_of(ps, ps->need[i]) < 0) {
                ps->rc = row_error(ps, ps->need[i], "the header has no '%s' column", ps->need[i]);
                break;
            }
    } else if (ps->too_long) {
        ps->rc = row_error(ps, "", "%s", "a cell is longer than 8191 characters");
    } else if (ps->col > ps->n_hdr || (ps->col < ps->n_hdr && !short_row_ok(ps))) {
        char why[64];
        snprintf(why, sizeof why, "%d cells, the header has %d", ps->col, ps->n_hdr);
        if (ps->col < ps->n_hdr && ps->optional) {
            char opt[512];   /* the names of train_optional, joined: under 200 characters now */
            join_names(ps->optional, opt, sizeof opt);
            ps->rc = aif_err_set(ps->err, AIF_EINPUT, ps->name, ps->row + 1, 0, ps->hdr[ps->col],
                                 "row has %s: it ends before column '%s' (a row may end only before its optional "
                                 "trailing columns: %s)", why, ps->hdr[ps->col], opt);
        } else {
            ps->rc = row_error(ps, "", "row has %s", why);
        }
    } else {
        for (int i = ps->col; i < ps->n_hdr; i++)   /* the optional columns a short row leaves out: empty */
            ps->cell[i][0] = '\0';
        ps->row_fn(ps);
        if (ps->progress && !ps->rc)
            ps->progress((double)ps->row / ps->n_lines, ps->progress_ctx);
    }
    ps->row++;
    ps->col = 0;
    ps->too_long = 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double aif_percentile(const double *sorted, int n, double p)
{
    if (n <= 0)
        return 0;
    double x = p * (n - 1);
    int i = (int)floor(x);
    if (i >= n - 1)
        return sorted[n - 1];
    return sorted[i] + (x - i) * (sorted[i + 1] - sorted[i]);
}

double aif_val_rate_err(const char *metric, double err)
{
    size_t n = strlen(metric);
    int time = n > 2 && !strcmp(metric + n - 2, "_s") && !(n >= 5 && !strcmp(metric + n - 5, "per_s"));
    if (!time)
        return err;
    return 1 + err > 0 ? 1 / (1 + err) - 1 : 0;   /* predicted > 0 always; the guard keeps it finite */
}

void aif_val_bias(double *a, int n, aif_val_stats *st)
{
    st->bias_pct = 0;
    st->n_high = st->n_low = 0;
    if (n <= 0)
        return;
    for (int i = 0; i < n; i++) {
        st->n_high += a[i] > 0;
        st->n_low += a[i] < 0;
    }
    qsort(a, (size_t)n, sizeof *a, cmp_double);
    st->bias_pct = aif_percentile(a, n, 0.5) * 100;
}

/* Statistics of the rows keep() accepts (below); any_row accepts every row. */
static aif_rc stats_where(const aif_validation *v, int (*keep)(const aif_val_row *, const void *), const void *arg,
                          aif_val_stats *st, aif_err *err);
static int any_row(const aif_val_row *r, const void *unused) { (void)r; (void)unused; return 1; }

/* A progress callback for the rows of a table (NULL fn: none). */
typedef struct row_progress { void (*fn)(double done, void *ctx); void *ctx; } row_progress;

/* Reads every row of a CSV through row_fn, then the error statistics of out. */
static aif_rc run_csv_set(const aif_catalog *c, const char *text, size_t len, const char *name,
                          const char *const *need, void (*row_fn)(parse_state *), int sim, const row_progress *prog,
                          const aif_calib_set *set, int n_set, aif_validation *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    parse_state *ps = calloc(1, sizeof *ps);
    if (!ps)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    ps->cat = c;
    ps->name = name;
    ps->out = out;
    ps->err = err;
    ps->need = need;
    ps->row_fn = row_fn;
    ps->optional = row_fn == train_row || row_fn == memory_row ? train_optional
                   : row_fn == serve_row                      ? serve_optional
                                                              : NULL;
    ps->sim = sim;
    ps->calib_set = set;
    ps->n_calib_set = n_set;
    if (prog && prog->fn) {
        ps->progress = prog->fn;
        ps->progress_ctx = prog->ctx;
        ps->n_lines = 1;
        for (size_t i = 0; i < len; i++)
            ps->n_lines += text[i] == '\n';
    }
    if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF) {
        text += 3;   /* a UTF-8 byte-order mark, as spreadsheets write it */
        len -= 3;
    }
    struct csv_parser p;
    csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_EMPTY_IS_NULL * 0);
    if (csv_parse(&p, text, len, cb_field, cb_row, ps) != len || csv_fini(&p, cb_field, cb_row, ps) != 0) {
        if (!ps->rc)
            ps->rc = aif_err_set(err, csv_error(&p) == CSV_ENOMEM ? AIF_ENOMEM : AIF_EINPUT, name, ps->row + 1, 0, "",
                                 "malformed CSV: %s",
                                 csv_strerror(csv_error(&p)));
    }
    csv_free(&p);
    aif_rc rc = ps->rc;
    if (ps->progress)
        ps->progress(1.0, ps->progress_ctx);
    free(ps);
    if (!rc && out->n == 0)
        rc = aif_err_set(err, AIF_EINPUT, name, 0, 0, "", "no rows to validate");
    if (rc) {
        aif_validation_free(out);
        return rc;
    }
    for (int i = 0; i < out->n; i++) {
        out->n_assumed += out->rows[i].n_assumed;
        out->n_rows_assumed += out->rows[i].n_assumed > 0;
        out->n_nofit += out->rows[i].nofit;
    }
    aif_val_stats all;
    if (stats_where(out, any_row, NULL, &all, err) != AIF_OK) {
        aif_validation_free(out);
        return AIF_ENOMEM;
    }
    out->median_ape = all.median_ape;
    out->p90_ape = all.p90_ape;
    out->mean_ape = all.mean_ape;
    out->max_ape = all.max_ape;
    out->worst = all.worst;
    out->bias_pct = all.bias_pct;
    out->n_high = all.n_high;
    out->n_low = all.n_low;
    return AIF_OK;
}

static aif_rc run_csv(const aif_catalog *c, const char *text, size_t len, const char *name, const char *const *need,
                      void (*row_fn)(parse_state *), int sim, const row_progress *prog, aif_validation *out,
                      aif_err *err)
{
    return run_csv_set(c, text, len, name, need, row_fn, sim, prog, NULL, 0, out, err);
}

aif_rc aif_validate_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                        aif_validation *out, aif_err *err)
{
    static const char *const need[] = {"id", "model", "system", "gpus", "metric", "measured", NULL};
    return run_csv(c, text, len, name, need, train_row, 0, NULL, out, err);
}

aif_rc aif_validate_csv_sim(const aif_catalog *c, const char *text, size_t len, const char *name,
                            aif_validation *out, aif_err *err)
{
    static const char *const need[] = {"id", "model", "system", "gpus", "metric", "measured", NULL};
    return run_csv(c, text, len, name, need, train_row, 1, NULL, out, err);
}

/* One nccl-tests measurement: the cluster through the scenario loader (so names
 * are checked), the closed-form collective, bus bandwidth in nccl-tests' terms.
 * Rows that name hardware outside the catalogs, or give no message size, are
 * counted as skipped. */
static void collective_row(parse_state *ps)
{
    const char *op = cell(ps, "op"), *gpu = cell(ps, "gpu"), *sys = cell(ps, "system"), *fab = cell(ps, "fabric");
    const char *an = cell(ps, "algo");
    int k = aif_name_index(aif_coll_names, op), a = an[0] ? aif_name_index(aif_coll_algo_names, an) : AIF_ALGO_AUTO;
    if (k < 0) {
        ps->rc = row_error(ps, "op", "unknown op '%s' (accepted: allreduce, allgather, reducescatter, alltoall, "
                           "sendrecv, broadcast)", op);
        return;
    }
    if (a < 0) {
        ps->rc = row_error(ps, "algo", "unknown algo '%s' (accepted: auto, ring, tree, nvls, collnet, pat, or empty "
                           "for auto)", an);
        return;
    }
    const aif_fabric *f = fab[0] ? aif_catalog_find_fabric(ps->cat, fab) : NULL;
    const aif_system *sy = sys[0] ? aif_catalog_find_system(ps->cat, sys) : NULL;
    char *end;
    double bytes = 0, gpus = 0;
    const char *skip = NULL;
    if (!cell(ps, "bytes")[0])
        skip = "no message size";
    else if (!aif_catalog_find_gpu(ps->cat, gpu))
        skip = "gpu not in the catalogs";
    else if (sys[0] && !sy)
        skip = "system not in the catalogs";
    else if (fab[0] && !f)
        skip = "fabric not in the catalogs";
    if (skip) {   /* counted and listed: public tables name hardware aifsim does not have */
        if (ps->out->n_skipped < AIF_MAX_SKIPPED)
            snprintf(ps->out->skipped[ps->out->n_skipped], sizeof ps->out->skipped[0], "line %d (%s): %s",
                     ps->row + 1, cell(ps, "id"), skip);
        ps->out->n_skipped++;
        return;
    }
    bytes = strtod(cell(ps, "bytes"), &end);
    if (*end || !isfinite(bytes) || bytes < 1 || bytes > 1e15 || bytes != floor(bytes)) {
        ps->rc = row_error(ps, "bytes", "'%s' is not a whole number of bytes between 1 and 1e15", cell(ps, "bytes"));
        return;
    }
    gpus = strtod(cell(ps, "gpus"), &end);
    if (*end || !isfinite(gpus) || gpus < 2 || gpus > 1e8 || gpus != floor(gpus)) {
        ps->rc = row_error(ps, "gpus", "'%s' is not a whole number of ranks between 2 and 1e8", cell(ps, "gpus"));
        return;
    }
    if (sy && strcmp(sy->gpu, gpu)) {
        char why[160];
        snprintf(why, sizeof why, "%s holds %s, not %s", sys, sy->gpu, gpu);
        ps->rc = row_error(ps, "gpu", "%s", why);
        return;
    }
    char yaml[512];
    size_t m = (size_t)snprintf(yaml, sizeof yaml, "cluster: {gpu: %s, gpus: %s", gpu, cell(ps, "gpus"));
    if (sys[0])
        m += (size_t)snprintf(yaml + m, sizeof yaml - m, ", system: %s", sys);
    if (f && f->kind != AIF_FAB_NVLINK)   /* single-node rows name their NVLink fabric */
        m += (size_t)snprintf(yaml + m, sizeof yaml - m, ", fabric: %s", fab);
    if (cell(ps, "gpus_per_node")[0])
        m += (size_t)snprintf(yaml + m, sizeof yaml - m, ", gpus_per_node: %s", cell(ps, "gpus_per_node"));
    snprintf(yaml + m, sizeof yaml - m, "}\nmodel: llama3-8b\ntrain: {seq: 2048}\n");
    aif_scenario s;
    aif_err e;
    aif_rc prc = aif_scenario_parse(ps->cat, yaml, strlen(yaml), ps->name, NULL, 0, &s, &e);
    if (prc != AIF_OK) {
        ps->rc = aif_err_set(ps->err, prc == AIF_ENOMEM ? AIF_ENOMEM : AIF_EINPUT, ps->name, ps->row + 1, 0, e.path,
                             "row %s: %s", cell(ps, "id"), e.msg);
        return;
    }
    aif_val_row *vr = new_row(ps);
    if (!vr)
        return;
    aif_strlcpy(vr->id, cell(ps, "id"), sizeof vr->id);
    aif_strlcpy(vr->model, op, sizeof vr->model);
    aif_strlcpy(vr->system, sys[0] ? sys : gpu, sizeof vr->system);
    aif_strlcpy(vr->metric, "busbw_GBps", sizeof vr->metric);
    /* the size band, as the target counts rows (aif_validation_framework_stats) */
    aif_strlcpy(vr->framework, bytes >= AIF_COLL_BAND_BYTES ? AIF_COLL_BAND_LARGE : AIF_COLL_BAND_SMALL,
                sizeof vr->framework);
    aif_strlcpy(vr->source, cell(ps, "source"), sizeof vr->source);
    vr->gpus = s.cluster.gpus;
    vr->measured = strtod(cell(ps, "busbw_GBps"), &end);
    if (*end || !isfinite(vr->measured) || vr->measured <= 0 || vr->measured > 1e6) {
        ps->rc = row_error(ps, "busbw_GBps", "'%s' is not a positive number of GB/s below 1e6",
                           cell(ps, "busbw_GBps"));
        return;
    }
    aif_coll_algo algo = (aif_coll_algo)a;
    double t = aif_collective_time_s(&s.cluster, (aif_coll)k, s.cluster.gpus, bytes, algo, NULL);
    if (!isfinite(t))   /* e.g. NVLS across nodes (NCCL's NVLS-tree): the model's own choice */
        t = aif_collective_time_s(&s.cluster, (aif_coll)k, s.cluster.gpus, bytes, AIF_ALGO_AUTO, NULL);
    vr->predicted = bytes / t / 1e9 * aif_busbw_factor((aif_coll)k, s.cluster.gpus);
    vr->err = (vr->predicted - vr->measured) / vr->measured;
    ps->out->n++;
}

aif_rc aif_validate_collectives_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                                    aif_validation *out, aif_err *err)
{
    static const char *const need[] = {"id", "op", "gpu", "system", "fabric", "gpus", "gpus_per_node", "algo",
                                       "bytes", "busbw_GBps", "source", NULL};
    return run_csv(c, text, len, name, need, collective_row, 0, NULL, out, err);
}

const char *aif_builtin_collectives_csv(size_t *len)
{
    return aif_embedded_file("validation/collectives.csv", len);
}

void aif_validation_free(aif_validation *v)
{
    free(v->rows);
    v->rows = NULL;
    v->n = 0;
}

const char *aif_builtin_validation_csv(size_t *len)
{
    return aif_embedded_file("validation/train.csv", len);
}

static const char *const train_need[] = {"id", "model", "system", "gpus", "metric", "measured", NULL};

aif_rc aif_validate_train_text(const aif_catalog *c, const char *text, size_t len, const char *name, int sim,
                               const aif_calib_set *set, int n_set, aif_validation *out, aif_err *err)
{
    return run_csv_set(c, text, len, name, train_need, train_row, sim, NULL, set, n_set, out, err);
}

aif_rc aif_validate_train_read(const char *path, const char **text, char **owned, size_t *len, char *shown,
                               size_t shown_len, aif_err *err)
{
    *owned = NULL;
    if (!path) {
        if (!(*text = aif_embedded_file("validation/train.csv", len)))
            return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in %s missing", "validation/train.csv");
        snprintf(shown, shown_len, "<built-in:%s>", "validation/train.csv");
        return AIF_OK;
    }
    aif_rc rc = aif_read_file(path, owned, len, err);
    if (rc)
        return rc;
    *text = *owned;
    aif_strlcpy(shown, path, shown_len);
    return AIF_OK;
}

/* Runs the table at path, or the built-in one: the training rows (coll 0; through
 * the simulating engine with sim), the nccl-tests rows (coll 1) or a memory table's
 * rows (coll 2). */
static aif_rc run_file(const aif_catalog *c, const char *path, const char *builtin, int coll, int sim,
                       const row_progress *prog, aif_validation *out, aif_err *err)
{
    char shown[96];
    size_t len;
    const char *t;
    char *text = NULL;
    if (!path) {
        if (!(t = aif_embedded_file(builtin, &len)))
            return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in %s missing", builtin);
        snprintf(shown, sizeof shown, "<built-in:%s>", builtin);
    } else {
        aif_rc rc = aif_read_file(path, &text, &len, err);
        if (rc)
            return rc;
        t = text;
    }
    aif_rc rc = coll == 1 ? aif_validate_collectives_csv(c, t, len, path ? path : shown, out, err)
                : coll == 2 ? aif_validate_memory_csv(c, t, len, path ? path : shown, out, err)
                            : run_csv(c, t, len, path ? path : shown, train_need, train_row, sim, prog, out, err);
    free(text);
    return rc;
}

aif_rc aif_validate_train_file(const aif_catalog *c, const char *path, int engine, aif_validation *out,
                               aif_err *err)
{
    return aif_validate_train_file_progress(c, path, engine, NULL, NULL, out, err);
}

aif_rc aif_validate_train_file_progress(const aif_catalog *c, const char *path, int engine,
                                        void (*progress)(double done, void *ctx), void *progress_ctx,
                                        aif_validation *out, aif_err *err)
{
    row_progress prog = {progress, progress_ctx};
    return run_file(c, path, "validation/train.csv", 0, engine == AIF_ENGINE_SIM, &prog, out, err);
}

aif_rc aif_validate_collectives_file(const aif_catalog *c, const char *path, aif_validation *out, aif_err *err)
{
    return run_file(c, path, "validation/collectives.csv", 1, 0, NULL, out, err);
}

aif_rc aif_validate_memory_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                               aif_validation *out, aif_err *err)
{
    return run_csv(c, text, len, name, train_need, memory_row, 0, NULL, out, err);
}

aif_rc aif_validate_memory_file(const aif_catalog *c, const char *path, aif_validation *out, aif_err *err)
{
    return run_file(c, path, "validation/memory.csv", 2, 0, NULL, out, err);
}

/* ------------------------------------------------------------------ power */

#include "aifsim/facility.h"

int aif_validate_power(const aif_catalog *c, aif_power_row *rows, int max, aif_err *err)
{
    const aif_facility_data *fd = aif_catalog_facility(c);
    int n = 0;
    for (int i = 0; i < fd->n_checks && n < max; i++) {
        const aif_power_check *pc = &fd->checks[i];
        aif_scenario s;
        aif_rc rc;
        int trains = pc->kind == AIF_CHECK_NODE_TRAIN || pc->kind == AIF_CHECK_GPU_TRAIN;
        if (!trains && pc->job[0])
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "validation.job",
                               "%s: a %s check runs no job of its own (job: is for node_train and gpu_train)", pc->id,
                               aif_power_check_kind_name(pc->kind)), -1;
        if (pc->kind == AIF_CHECK_SWING) {
            rc = aif_scenario_load(c, NULL, NULL, 0, &s, err);
        } else if (pc->kind == AIF_CHECK_NODE_TRAIN || pc->kind == AIF_CHECK_GPU_TRAIN) {
            if (!pc->job[0])
                return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "validation.job",
                                   "%s: a %s check needs the training job (job: a scenario in YAML flow form)", pc->id,
                                   aif_power_check_kind_name(pc->kind)), -1;
            rc = aif_scenario_parse(c, pc->job, strlen(pc->job), pc->id, NULL, 0, &s, err);
            const aif_system *named = aif_catalog_find_system(c, pc->system);
            if (!rc && (!named || strcmp(named->name, s.cluster.system.name)))
                return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "validation.system",
                                   "%s: the row names system %s, its job runs on %s", pc->id, pc->system,
                                   s.cluster.system.name), -1;
        } else {
            char yaml[256];
            snprintf(yaml, sizeof yaml, "cluster: {system: %s, gpus: 1}\nmodel: llama3-8b\n"
                     "facility: {cooling: auto}\ntrain: {seq: 2048, gbs: 1}\n", pc->system);
            rc = aif_scenario_parse(c, yaml, strlen(yaml), pc->id, NULL, 0, &s, err);
            if (!rc) {   /* one whole node, or one whole rack-scale domain */
                s.cluster.gpus = pc->kind == AIF_CHECK_RACK_MAX ? s.cluster.scaleup_domain : s.cluster.gpus_per_node;
                s.train.par.dp = s.cluster.gpus;
                s.train.gbs = s.cluster.gpus;
            }
        }
        aif_train_result r;
        aif_facility_result fa;
        if (!rc)
            rc = aif_estimate(&s, &r, err);
        if (!rc)
            rc = aif_facility_eval(&s, fd, &r, &fa, err);
        if (rc)
            return -1;
        aif_power_row *row = &rows[n++];
        memset(row, 0, sizeof *row);
        aif_strlcpy(row->id, pc->id, sizeof row->id);
        aif_strlcpy(row->what, pc->what, sizeof row->what);
        aif_strlcpy(row->source, pc->source, sizeof row->source);
        row->measured_W = pc->value_W;
        row->predicted_W = pc->kind == AIF_CHECK_NODE_MAX     ? fa.node_peak_W
                           : pc->kind == AIF_CHECK_RACK_MAX   ? fa.rack_peak_W
                           : pc->kind == AIF_CHECK_NODE_TRAIN ? fa.node_avg_W
                           : pc->kind == AIF_CHECK_GPU_TRAIN  ? fa.gpu_avg_W
                                                              : fa.stop_swing_W;
        row->err = (row->predicted_W - row->measured_W) / row->measured_W;
    }
    return n;
}

/* ---------------------------------------------------------------- serving */

/* Published serving figures (validation/infer.csv, docs/CATALOGS.md): each row is
 * a deployment (model, GPUs, tp/pp/ep, precisions) under one workload (offline:
 * every request queued at t = 0; server: Poisson arrivals at qps; a concurrency:
 * a closed loop of that many clients, serve.concurrency), run by aif_run_serve with
 * fixed input and output lengths, compared in the row's metric for the whole
 * deployment (or per node where unit_note says "per node").
 *
 * What the runner chooses, the same for every row: ep 1 and pp 1 where the row
 * leaves them empty (the tp ranks split every expert); seed 1; offline runs of
 * 2,000 requests per replica, server runs of at least 2,000 requests and two
 * minutes of arrivals, closed loops at least 20 requests per client, enough for
 * a figure stable to about 1% and the whole table in well under a second; a row
 * whose optional trailing column `requests` gives the source's count runs exactly
 * that many (an open loop past capacity queues more the longer it runs, so there the
 * count is part of the workload).  Two settings are taken from a source rather than a
 * row: the batch ceiling trtllm-bench documents (8,192 sequences, SOURCES.md
 * section 2), and, for every row whose software names TensorRT-LLM, its default
 * capacity scheduler, GUARANTEED_NO_EVICT (serve.admission no_evict: a request's
 * prompt and output blocks reserved at admission, nothing preempted;
 * docs/SERVING.md cites the source) and its KV-cache sizing (serve.kv_memory free:
 * 0.9 of the memory the engine left free, KvCacheConfig's default).  A row whose software
 * names SGLang runs with SGLang's default ceiling on running requests (2,048, below) and
 * its scheduler (serve.admission sglang: new_token_ratio admission, retraction, prefill
 * batches apart from decodes; docs/SERVING.md cites the source).  Other
 * sources run at the serve section's defaults (docs/SERVING.md), evict as vLLM does.
 * Rows that cannot be reproduced are skipped with their reason: a GPU or system
 * outside the catalogs, no input or output length (MLPerf does not publish its
 * datasets' input lengths and SOURCES.md gives no distribution for them), no tp. */

static const char *const serve_metrics[] = {"throughput_tokens_per_s", "requests_per_s", "ttft_p50_s", "ttft_p99_s",
                                            "tpot_p50_s", "tpot_p99_s", "ttft_mean_s", "tpot_mean_s", "itl_p50_s",
                                            "itl_p99_s", NULL};

/* The requests a row simulates (see above). */
static int serve_requests(int mode, double qps, int replicas)
{
    double n = 2000.0 * replicas;
    if (mode == AIF_SERVE_SERVER && qps * 120 > n)
        n = ceil(qps * 120);
    return n > 1e6 ? 1000000 : (int)n;
}

static void serve_skip_row(parse_state *ps, const char *why)
{
    char line[200];   /* cut to the record's 96 bytes: reasons are kept short */
    snprintf(line, sizeof line, "line %d (%.40s): %s", ps->row + 1, cell(ps, "id"), why);
    if (ps->out->n_skipped < AIF_MAX_SKIPPED)
        aif_strlcpy(ps->out->skipped[ps->out->n_skipped], line, sizeof ps->out->skipped[0]);
    ps->out->n_skipped++;
}

static void serve_row(parse_state *ps)
{
    const char *metric = cell(ps, "metric"), *gpu = cell(ps, "gpu"), *sys = cell(ps, "system");
    const char *mode = cell(ps, "mode"), *note = cell(ps, "unit_note");
    int k = aif_name_index(serve_metrics, metric);
    if (k < 0) {
        ps->rc = row_error(ps, "metric", "unknown metric '%s' (accepted: throughput_tokens_per_s, requests_per_s, "
                           "ttft_p50_s, ttft_p99_s, tpot_p50_s, tpot_p99_s, ttft_mean_s, tpot_mean_s, itl_p50_s, itl_p99_s)", metric);
        return;
    }
    int md = aif_name_index(aif_serve_mode_names, mode);
    if (md < 0) {
        ps->rc = row_error(ps, "mode", "unknown mode '%s' (accepted: offline, server)", mode);
        return;
    }
    char *end;
    double measured = strtod(cell(ps, "value"), &end);
    if (!cell(ps, "value")[0] || *end || !isfinite(measured) || measured <= 0 || measured > 1e15) {
        ps->rc = row_error(ps, "value", "'%s' is not a positive number below 1e15", cell(ps, "value"));
        return;
    }
    double qps = 0, conc = 0;
    if (cell(ps, "qps")[0]) {
        qps = strtod(cell(ps, "qps"), &end);
        if (*end || !isfinite(qps) || qps <= 0 || qps > 1e7) {
            ps->rc = row_error(ps, "qps", "'%s' is not a positive request rate below 1e7", cell(ps, "qps"));
            return;
        }
    }
    if (cell(ps, "concurrency")[0]) {
        conc = strtod(cell(ps, "concurrency"), &end);
        if (*end || !isfinite(conc) || conc < 1 || conc > 1e6 || conc != floor(conc)) {
            ps->rc = row_error(ps, "concurrency", "'%s' is not a whole number of requests between 1 and 1e6",
                               cell(ps, "concurrency"));
            return;
        }
    }
    double nsrc = 0;   /* the requests the source ran, when its optional column gives them */
    if (cell(ps, "requests")[0]) {
        nsrc = strtod(cell(ps, "requests"), &end);
        if (*end || !isfinite(nsrc) || nsrc < 1 || nsrc > 1e6 || nsrc != floor(nsrc)) {
            ps->rc = row_error(ps, "requests", "'%s' is not a whole number of requests between 1 and 1e6",
                               cell(ps, "requests"));
            return;
        }
    }
    if (md == AIF_SERVE_SERVER && qps <= 0) {
        ps->rc = row_error(ps, "qps", "%s", "mode server needs a request rate (qps)");
        return;
    }
    if (md == AIF_SERVE_SERVER && conc > 0) {
        ps->rc = row_error(ps, "concurrency", "%s", "a concurrency is a closed loop: use it with mode offline");
        return;
    }
    for (int i = 0; i < ps->out->n; i++)
        if (!strcmp(ps->out->rows[i].id, cell(ps, "id"))) {
            ps->rc = row_error(ps, "id", "id '%s' is used twice", cell(ps, "id"));
            return;
        }
    /* what aifsim cannot reproduce: listed, never guessed */
    char why[96];
    if (!aif_catalog_find_gpu(ps->cat, gpu)) {
        snprintf(why, sizeof why, "gpu '%.30s' not in the catalogs", gpu);
        serve_skip_row(ps, why);
        return;
    }
    if (sys[0] && !aif_catalog_find_system(ps->cat, sys)) {
        snprintf(why, sizeof why, "system '%.30s' not in the catalogs", sys);
        serve_skip_row(ps, why);
        return;
    }
    const aif_system *sy = sys[0] ? aif_catalog_find_system(ps->cat, sys) : NULL;
    if (sy && aif_catalog_find_gpu(ps->cat, gpu) != aif_catalog_find_gpu(ps->cat, sy->gpu)) {
        char what[160];
        snprintf(what, sizeof what, "%.40s holds %.40s, not %.40s", sys, sy->gpu, gpu);
        ps->rc = row_error(ps, "gpu", "%s", what);
        return;
    }
    if (!cell(ps, "input_tokens")[0]) {
        serve_skip_row(ps, "no input length, nor a distribution for it");
        return;
    }
    if (!cell(ps, "output_tokens")[0]) {
        serve_skip_row(ps, "no output length published");
        return;
    }
    if (!cell(ps, "tp")[0]) {
        serve_skip_row(ps, "no tp published");
        return;
    }
    /* the deployment, as overrides so that every error names its column */
    static const struct { const char *col, *path; } map[] = {
        {"model", "model"}, {"system", "cluster.system"}, {"gpu", "cluster.gpu"}, {"gpus", "cluster.gpus"},
        {"tp", "serve.tp"}, {"pp", "serve.pp"}, {"ep", "serve.ep"}, {"precision", "serve.precision"},
        {"kv_precision", "serve.kv_precision"}, {"mode", "serve.mode"}, {"qps", "serve.qps"},
        {"input_tokens", "serve.input_tokens"}, {"output_tokens", "serve.output_tokens"},
        {"weight_precision", "serve.weight_precision"}, {"expert_precision", "serve.expert_precision"},
        {"expert_weight_precision", "serve.expert_weight_precision"}, {"dp_attention", "serve.dp_attention"},
    };
    enum { N_MAP = sizeof map / sizeof map[0] };
    aif_override ov[N_MAP + 8];
    char origins[N_MAP][40], nreq[24], nbatch[24], nconc[24];
    int n = 0;
    for (int i = 0; i < N_MAP; i++) {
        const char *v = cell(ps, map[i].col);
        if (!v[0] || (!strcmp(map[i].col, "gpu") && sys[0]))   /* a system names its GPU */
            continue;
        snprintf(origins[n], sizeof origins[n], "column %s", map[i].col);
        ov[n] = (aif_override){map[i].path, v, origins[n]};
        n++;
    }
    ov[n++] = (aif_override){"serve.seed", "1", "the validation runner"};
    if (strstr(cell(ps, "software"), "TensorRT-LLM")) {   /* its default capacity scheduler and KV-cache sizing */
        ov[n++] = (aif_override){"serve.admission", "no_evict", "column software"};
        ov[n++] = (aif_override){"serve.kv_memory", "free", "column software"};
    }
    if (strstr(cell(ps, "software"), "SGLang")) {   /* its scheduler: admission, retraction, prefill batches apart, */
        ov[n++] = (aif_override){"serve.admission", "sglang", "column software"};   /* run one batch ahead */
        ov[n++] = (aif_override){"serve.overlap_schedule", "true", "column software"};
    }
    int max_batch = 0;
    if (!strncmp(cell(ps, "software"), "TensorRT-LLM", 12) && strstr(cell(ps, "software"), "trtllm-bench"))
        max_batch = 8192;   /* trtllm-bench's batch ceiling (SOURCES.md section 2) */
    /* SGLang's default max_running_requests: min(max(KV pool tokens / context length x 512,
     * 2048), 4096), and at most half the pool's tokens (sgl-project/sglang, model_runner.py's
     * req_to_token_pool size and the scheduler's max_running_requests; SOURCES.md section 7).
     * Its floor, 2,048, far above the serve section's 256: the KV cache, not the count,
     * bounds an SGLang batch (for the table's rows a ceiling of 4,096 moves no figure by 1%). */
    if (strstr(cell(ps, "software"), "SGLang"))
        max_batch = 2048;
    aif_serve_run *run = malloc(sizeof *run);
    aif_scenario *s = malloc(sizeof *s);
    if (!run || !s) {
        ps->rc = aif_err_set(ps->err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        goto done;
    }
    aif_err e;
    const unsigned sections = AIF_SECTION_CLUSTER | AIF_SECTION_MODEL | AIF_SECTION_SITE | AIF_SECTION_SERVE;
    aif_rc rc = aif_scenario_parse_sections(ps->cat, "", 0, ps->name, ov, n, sections, s, &e);
    if (!rc) {   /* the run's size, once the layout (and so the replicas) is known */
        int nr = serve_requests(md, qps, s->serve.replicas);
        if (conc > 0 && nr < 20 * conc)   /* a closed loop: at least 20 rounds of its clients */
            nr = 20 * conc > 1e6 ? 1000000 : (int)(20 * conc);
        if (nsrc > 0)   /* the source's own count: past capacity the statistics depend on it */
            nr = (int)nsrc;
        snprintf(nreq, sizeof nreq, "%d", nr);
        ov[n++] = (aif_override){"serve.requests", nreq, "the validation runner"};
        if (conc > 0) {
            snprintf(nconc, sizeof nconc, "%d", (int)conc);
            ov[n++] = (aif_override){"serve.concurrency", nconc, "column concurrency"};
        }
        if (max_batch > 0) {
            snprintf(nbatch, sizeof nbatch, "%d", max_batch);
            ov[n++] = (aif_override){"serve.max_batch", nbatch, "column software"};
        }
        rc = aif_scenario_parse_sections(ps->cat, "", 0, ps->name, ov, n, sections, s, &e);
    }
    /* the deployment's key: every override (path and value) of the run */
    char key[sizeof ps->serve_key];
    size_t kl = 0;
    for (int i = 0; !rc && i < n && kl < sizeof key; i++)
        kl += (size_t)snprintf(key + kl, sizeof key - kl, "%s=%s;", ov[i].path, ov[i].value);
    int reuse = !rc && kl < sizeof key && ps->serve_key[0] && !strcmp(key, ps->serve_key);
    if (!rc && !reuse)
        rc = aif_run_serve(ps->cat, s, NULL, run, &e);
    if (rc) {
        char msg[sizeof e.msg];
        aif_strlcpy(msg, e.msg, sizeof msg);
        ps->rc = aif_err_set(ps->err, rc == AIF_ENOMEM ? AIF_ENOMEM : AIF_EINPUT, ps->name, ps->row + 1, 0,
                             e.path, "row %s: %s%s%s", cell(ps, "id"), e.path, e.path[0] ? ": " : "", msg);
        goto done;
    }
    aif_val_row *vr = new_row(ps);
    if (!vr)
        goto done;
    aif_strlcpy(vr->id, cell(ps, "id"), sizeof vr->id);
    aif_strlcpy(vr->model, cell(ps, "model"), sizeof vr->model);
    aif_strlcpy(vr->system, sys[0] ? sys : gpu, sizeof vr->system);
    aif_strlcpy(vr->metric, metric, sizeof vr->metric);
    aif_strlcpy(vr->source, cell(ps, "source"), sizeof vr->source);
    /* its classes (validate --infer-classes): the scheduler it was simulated with, the
     * accelerator's calibration family, dense or MoE */
    aif_strlcpy(vr->framework, aif_serve_admission_names[s->serve.admission], sizeof vr->framework);
    aif_strlcpy(vr->arch, s->cluster.gpu.arch, sizeof vr->arch);
    vr->moe = s->model.moe.experts > 0;
    if (!reuse) {
        const aif_serve_result *r = &run->serve;
        const double got[] = {r->throughput_tokens_per_s, r->requests_per_s, r->ttft.p50_s, r->ttft.p99_s,
                              r->tpot.p50_s, r->tpot.p99_s, r->ttft.mean_s, r->tpot.mean_s,
                              r->itl.p50_s,  r->itl.p99_s};
        memcpy(ps->serve_v, got, sizeof got);
        ps->serve_gpus = r->gpus;
        ps->serve_gpn = s->cluster.gpus_per_node > 0 ? s->cluster.gpus_per_node : 1;
        if (kl < sizeof key)
            memcpy(ps->serve_key, key, kl + 1);
        else
            ps->serve_key[0] = 0;
    }
    vr->gpus = ps->serve_gpus;
    /* the source's convention: the whole deployment, or one node of it */
    double per = 1;
    if (!strncmp(note, "per node", 8)) {
        aif_strlcpy(vr->convention, "per_node", sizeof vr->convention);
        per = (double)ps->serve_gpus / ps->serve_gpn < 1 ? 1 : (double)ps->serve_gpus / ps->serve_gpn;
    } else {
        aif_strlcpy(vr->convention, "deployment", sizeof vr->convention);
    }
    const double v[] = {ps->serve_v[0] / per, ps->serve_v[1] / per, ps->serve_v[2], ps->serve_v[3],
                        ps->serve_v[4],       ps->serve_v[5],       ps->serve_v[6], ps->serve_v[7],
                        ps->serve_v[8],       ps->serve_v[9]};
    vr->measured = measured;
    vr->predicted = v[k];
    vr->err = (vr->predicted - vr->measured) / vr->measured;
    ps->out->n++;
done:
    free(run);
    free(s);
}

/* Statistics of the rows keep() accepts. */
static aif_rc stats_where(const aif_validation *v, int (*keep)(const aif_val_row *, const void *), const void *arg,
                          aif_val_stats *st, aif_err *err)
{
    memset(st, 0, sizeof *st);
    st->worst = -1;
    size_t cap = v->n > 0 ? (size_t)v->n : 1;
    double *ape = malloc(sizeof *ape * 2 * cap);
    if (!ape)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    double *sgn = ape + cap;   /* the signed errors, for the bias */
    double sum = 0;
    for (int i = 0; i < v->n; i++) {
        if (!keep(&v->rows[i], arg))
            continue;
        double a = fabs(v->rows[i].err) * 100;
        sgn[st->n] = aif_val_rate_err(v->rows[i].metric, v->rows[i].err);
        ape[st->n++] = a;
        sum += a;
        if (st->worst < 0 || a > st->max_ape) {
            st->max_ape = a;
            st->worst = i;
        }
    }
    if (st->n) {
        qsort(ape, (size_t)st->n, sizeof *ape, cmp_double);
        st->median_ape = st->n % 2 ? ape[st->n / 2] : (ape[st->n / 2 - 1] + ape[st->n / 2]) / 2;
        st->p90_ape = aif_percentile(ape, st->n, 0.9);
        st->mean_ape = sum / st->n;
        aif_val_bias(sgn, st->n, st);
    }
    free(ape);
    return AIF_OK;
}

/* A serving metric's group (aif_serve_metric_group); "latency": ttft and tpot together. */
const char *aif_serve_metric_group(const char *metric)
{
    if (!strncmp(metric, "ttft_", 5))
        return "ttft";
    if (!strncmp(metric, "tpot_", 5) || !strncmp(metric, "itl_", 4))   /* the inter-token half */
        return "tpot";
    return "throughput";
}

/* The serving rows of one class: a metric group, dense or MoE (moe -1: either), and the
 * scheduler (field AIF_VAL_FRAMEWORK) or family (AIF_VAL_ARCH) name (NULL: any). */
typedef struct serve_class {
    const char *group;
    int moe;
    aif_val_field field;
    const char *name;
} serve_class;

static int in_serve_class(const aif_val_row *r, const void *arg)
{
    const serve_class *k = arg;
    const char *g = aif_serve_metric_group(r->metric);
    if (strcmp(k->group, "latency") ? strcmp(g, k->group) != 0 : !strcmp(g, "throughput"))
        return 0;
    if (k->moe >= 0 && r->moe != k->moe)
        return 0;
    return !k->name || !strcmp(k->field == AIF_VAL_ARCH ? r->arch : r->framework, k->name);
}

aif_rc aif_validation_serve_stats(const aif_validation *v, const char *group, int moe, aif_val_field fld,
                                  const char *name, aif_val_stats *st, aif_err *err)
{
    serve_class k = {group, moe, fld, name};
    return stats_where(v, in_serve_class, &k, st, err);
}

static int is_framework_row(const aif_val_row *r, const void *name) { return !strcmp(r->framework, name); }

aif_rc aif_validation_framework_stats(const aif_validation *v, const char *framework, aif_val_stats *st, aif_err *err)
{
    return stats_where(v, is_framework_row, framework, st, err);
}

/* the group sizes a collective runs at: a pair, a tray or half a node, one 8-GPU node, more */
const aif_coll_rank_class aif_coll_rank_classes[AIF_COLL_N_RANK_CLASSES] = {
    {2, 2, "2 GPUs"}, {3, 4, "3-4 GPUs"}, {5, 8, "5-8 GPUs"}, {9, 1 << 30, "more than 8 GPUs"}};

static int is_large_coll_in(const aif_val_row *r, const void *range)
{
    const int *lh = range;
    return !strcmp(r->framework, AIF_COLL_BAND_LARGE) && r->gpus >= lh[0] && r->gpus <= lh[1];
}

aif_rc aif_validation_coll_ranks_stats(const aif_validation *v, int lo, int hi, aif_val_stats *st, aif_err *err)
{
    int lh[2] = {lo, hi};
    return stats_where(v, is_large_coll_in, lh, st, err);
}

static int is_lora_row(const aif_val_row *r, const void *unused) { (void)unused; return r->lora_rank > 0; }

aif_rc aif_validation_lora_stats(const aif_validation *v, aif_val_stats *st, aif_err *err)
{
    return stats_where(v, is_lora_row, NULL, st, err);
}

static int is_arch_row(const aif_val_row *r, const void *arch) { return !strcmp(r->arch, arch); }

aif_rc aif_validation_arch_stats(const aif_validation *v, const char *arch, aif_val_stats *st, aif_err *err)
{
    return stats_where(v, is_arch_row, arch, st, err);
}

static int is_moe_row(const aif_val_row *r, const void *moe) { return r->moe == *(const int *)moe; }

aif_rc aif_validation_moe_stats(const aif_validation *v, int moe, aif_val_stats *st, aif_err *err)
{
    int want = moe != 0;
    return stats_where(v, is_moe_row, &want, st, err);
}

static int is_dispatch_row(const aif_val_row *r, const void *d) { return r->dispatch[0] && !strcmp(r->dispatch, d); }

aif_rc aif_validation_dispatch_stats(const aif_validation *v, const char *dispatch, aif_val_stats *st, aif_err *err)
{
    return stats_where(v, is_dispatch_row, dispatch, st, err);
}

aif_rc aif_validate_serve_csv(const aif_catalog *c, const char *text, size_t len, const char *name,
                              aif_serve_validation *out, aif_err *err)
{
    static const char *const need[] = {"id", "model", "gpu", "system", "gpus", "tp", "pp", "ep", "precision",
                                       "kv_precision", "mode", "input_tokens", "output_tokens", "qps",
                                       "concurrency", "metric", "value", "unit_note", "software", "source", NULL};
    memset(out, 0, sizeof *out);
    aif_rc rc = run_csv(c, text, len, name, need, serve_row, 0, NULL, &out->table, err);
    if (!rc)
        rc = aif_validation_serve_stats(&out->table, "throughput", -1, AIF_VAL_ARCH, NULL, &out->throughput, err);
    if (!rc)
        rc = aif_validation_serve_stats(&out->table, "latency", -1, AIF_VAL_ARCH, NULL, &out->latency, err);
    if (!rc)
        rc = aif_validation_serve_stats(&out->table, "ttft", -1, AIF_VAL_ARCH, NULL, &out->ttft, err);
    if (!rc)
        rc = aif_validation_serve_stats(&out->table, "tpot", -1, AIF_VAL_ARCH, NULL, &out->tpot, err);
    if (rc)
        aif_validation_free(&out->table);
    return rc;
}

const char *aif_builtin_infer_csv(size_t *len)
{
    return aif_embedded_file("validation/infer.csv", len);
}

aif_rc aif_validate_serve_file(const aif_catalog *c, const char *path, aif_serve_validation *out, aif_err *err)
{
    size_t len;
    const char *t;
    char *text = NULL;
    if (!path) {
        if (!(t = aif_builtin_infer_csv(&len)))
            return aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, NULL, "built-in validation/infer.csv missing");
    } else {
        aif_rc rc = aif_read_file(path, &text, &len, err);
        if (rc)
            return rc;
        t = text;
    }
    aif_rc rc = aif_validate_serve_csv(c, t, len, path ? path : "<built-in:validation/infer.csv>", out, err);
    free(text);
    return rc;
}

void aif_serve_validation_free(aif_serve_validation *v)
{
    aif_validation_free(&v->table);
}
