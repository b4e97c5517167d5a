/* html.c -- one self-contained HTML report of a training job and its site, with
 * plots drawn by PLplot's SVG driver and inlined, so the file opens offline.
 * Plots: step-time breakdown, memory per GPU against HBM, facility power over a
 * step, the site's draw against its supply over a day (with facility.supply),
 * cost to train owned against rented, and a scaling curve; a cluster page
 * and a serving page (latency CDFs, throughput and TTFT against offered load,
 * KV occupancy and batch size over time) when their runs are given.  Everything
 * drawn comes from the pipeline's result (aif_train_run, its scaling curve
 * included): this file formats and runs no engine.  A few lines of inline
 * script check that every plot has drawn marks and record the result in
 * <body data-plots="ok:N">; an empty plot logs a console error (CI looks for both).
 * PLplot keeps global state: this file draws one plot at a time and is not
 * meant to be called from two threads at once.  PLplot is not linked: its
 * library (and the dozen it pulls in) is opened with dlopen on the first report,
 * so no other command of the CLI, nor a program that never writes a report, loads
 * it; a missing library is an AIF_EIO naming it.  The plots are drawn into
 * unnamed temporary files (nothing to clean up after a signal).  The report is
 * written through aif_output (src/base/file.c): "-" is standard output, a device is
 * written through, a regular file is replaced whole, so a reader never sees half a
 * report. */
#define _XOPEN_SOURCE 700   /* realpath, dup, fileno */
#include "aifsim/report.h"
#include "base/base.h"
#include "report/site.h"
#include "scenario/catalog.h"

#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <plplot.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { W_PX = 720, H_PX = 400 };

/* ------------------------------------------------ PLplot, opened at run time */

#ifndef AIF_PLPLOT_SONAME
#define AIF_PLPLOT_SONAME "libplplot.so"
#endif
/* The PLplot calls this file makes, resolved by dlsym; the names below stand for
 * them, so the drawing code reads as plain PLplot (plplot.h maps each to c_NAME). */
static struct plplot_fns {
    void (*sdev)(PLCHAR_VECTOR);
    void (*sfnam)(PLCHAR_VECTOR);
    PLINT (*setopt)(PLCHAR_VECTOR, PLCHAR_VECTOR);
    void (*scolbg)(PLINT, PLINT, PLINT);
    void (*scol0)(PLINT, PLINT, PLINT, PLINT);
    void (*init)(void);
    void (*font)(PLINT);
    void (*schr)(PLFLT, PLFLT);
    void (*adv)(PLINT);
    void (*vsta)(void);
    void (*wind)(PLFLT, PLFLT, PLFLT, PLFLT);
    void (*col0)(PLINT);
    void (*box)(PLCHAR_VECTOR, PLFLT, PLINT, PLCHAR_VECTOR, PLFLT, PLINT);
    void (*line)(PLINT, PLFLT_VECTOR, PLFLT_VECTOR);
    void (*ptex)(PLFLT, PLFLT, PLFLT, PLFLT, PLFLT, PLCHAR_VECTOR);
    void (*fill)(PLINT, PLFLT_VECTOR, PLFLT_VECTOR);
    void (*lab)(PLCHAR_VECTOR, PLCHAR_VECTOR, PLCHAR_VECTOR);
    void (*end)(void);
    void (*env)(PLFLT, PLFLT, PLFLT, PLFLT, PLINT, PLINT);
    void (*poin)(PLINT, PLFLT_VECTOR, PLFLT_VECTOR, PLINT);
    void (*width)(PLFLT);
    void (*sfile)(FILE *);
} pl;
static const struct { const char *sym; size_t off; } pl_syms[] = {
    {"c_plsdev", offsetof(struct plplot_fns, sdev)},     {"c_plsfnam", offsetof(struct plplot_fns, sfnam)},
    {"c_plsetopt", offsetof(struct plplot_fns, setopt)}, {"c_plscolbg", offsetof(struct plplot_fns, scolbg)},
    {"c_plscol0", offsetof(struct plplot_fns, scol0)},   {"c_plinit", offsetof(struct plplot_fns, init)},
    {"c_plfont", offsetof(struct plplot_fns, font)},     {"c_plschr", offsetof(struct plplot_fns, schr)},
    {"c_pladv", offsetof(struct plplot_fns, adv)},       {"c_plvsta", offsetof(struct plplot_fns, vsta)},
    {"c_plwind", offsetof(struct plplot_fns, wind)},     {"c_plcol0", offsetof(struct plplot_fns, col0)},
    {"c_plbox", offsetof(struct plplot_fns, box)},       {"c_plline", offsetof(struct plplot_fns, line)},
    {"c_plptex", offsetof(struct plplot_fns, ptex)},     {"c_plfill", offsetof(struct plplot_fns, fill)},
    {"c_pllab", offsetof(struct plplot_fns, lab)},       {"c_plend", offsetof(struct plplot_fns, end)},
    {"c_plenv", offsetof(struct plplot_fns, env)},       {"c_plpoin", offsetof(struct plplot_fns, poin)},
    {"c_plwidth", offsetof(struct plplot_fns, width)},   {"plsfile", offsetof(struct plplot_fns, sfile)},
};
#undef plsdev
#undef plsfnam
#undef plsetopt
#undef plscolbg
#undef plscol0
#undef plinit
#undef plfont
#undef plschr
#undef pladv
#undef plvsta
#undef plwind
#undef plcol0
#undef plbox
#undef plline
#undef plptex
#undef plfill
#undef pllab
#undef plend
#undef plenv
#undef plpoin
#undef plwidth
#undef plsfile
#define plsdev pl.sdev
#define plsfnam pl.sfnam
#define plsetopt pl.setopt
#define plscolbg pl.scolbg
#define plscol0 pl.scol0
#define plinit pl.init
#define plfont pl.font
#define plschr pl.schr
#define pladv pl.adv
#define plvsta pl.vsta
#define plwind pl.wind
#define plcol0 pl.col0
#define plbox pl.box
#define plline pl.line
#define plptex pl.ptex
#define plfill pl.fill
#define pllab pl.lab
#define plend pl.end
#define plenv pl.env
#define plpoin pl.poin
#define plwidth pl.width
#define plsfile pl.sfile

/* Opens PLplot once per process (the library stays loaded); AIF_OK or AIF_EIO. */
static aif_rc plplot_open(aif_err *err)
{
    static int opened;
    if (opened)
        return AIF_OK;
    void *h = dlopen(AIF_PLPLOT_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *why = dlerror();
        return aif_err_set(err, AIF_EIO, AIF_PLPLOT_SONAME, 0, 0, NULL,
                           "cannot load PLplot, which the HTML report draws its plots with: %s "
                           "(install PLplot's library, Debian's libplplot17)", why ? why : "not found");
    }
    struct plplot_fns fns;
    for (size_t i = 0; i < sizeof pl_syms / sizeof pl_syms[0]; i++) {
        void *sym = dlsym(h, pl_syms[i].sym);
        if (!sym) {
            dlclose(h);
            return aif_err_set(err, AIF_EIO, AIF_PLPLOT_SONAME, 0, 0, NULL,
                               "PLplot has no %s: a PLplot 5.9 or newer is needed", pl_syms[i].sym);
        }
        memcpy((char *)&fns + pl_syms[i].off, &sym, sizeof sym);   /* POSIX: a data pointer holds a function's */
    }
    pl = fns;
    opened = 1;
    return AIF_OK;
}

typedef struct plot_ctx {
    FILE *cur;       /* the plot being drawn: an anonymous temporary file, or NULL */
    int n;
    aif_rc rc;       /* the first failure to read a plot back (out of memory, I/O) */
} plot_ctx;

/* PLplot draws into a duplicate of an unnamed temporary file (tmpfile: no name in
 * any folder, so nothing is left behind however the process ends); plend closes the
 * duplicate and the plot is read back through the original. */
static void begin_plot(plot_ctx *pc)
{
    pc->n++;
    pc->cur = tmpfile();
    FILE *dup_f = NULL;
    if (pc->cur) {
        int fd = dup(fileno(pc->cur));
        if (fd >= 0 && !(dup_f = fdopen(fd, "w")))
            close(fd);
    }
    plsdev("svg");
    if (dup_f) {
        plsfile(dup_f);
    } else {   /* PLplot still needs somewhere to draw; the plot is reported missing */
        if (pc->cur)
            fclose(pc->cur);
        pc->cur = NULL;
        if (!pc->rc)
            pc->rc = AIF_EIO;
        plsfnam("/dev/null");
    }
    plsetopt("geometry", "720x400");
    plscolbg(255, 255, 255);
    plscol0(1, 30, 30, 30);      /* axes and text */
    plscol0(2, 31, 119, 180);    /* blue */
    plscol0(3, 255, 127, 14);    /* orange */
    plscol0(4, 44, 160, 44);     /* green */
    plscol0(5, 214, 39, 40);     /* red */
    plscol0(6, 148, 103, 189);   /* purple */
    plscol0(7, 140, 86, 75);     /* brown */
    plscol0(8, 127, 127, 127);   /* grey */
    plinit();
    plfont(1);
    plschr(0, 0.9);
}

/* Axes for a bar chart of n categories: no numbers on x, labels below each bar. */
static void category_axes(int n, double top, const char *const *names)
{
    pladv(0);
    plvsta();
    plwind(0, n, -0.08 * top, top);
    plcol0(1);
    plbox("bc", 0, 0, "bcnstv", 0, 0);
    PLFLT x[2] = {0, n}, y[2] = {0, 0};
    plline(2, x, y);
    for (int i = 0; i < n; i++)
        plptex(i + 0.5, -0.05 * top, 1, 0, 0.5, names[i]);
}

static void bar(double x0, double x1, double y0, double y1, int color)
{
    PLFLT x[4] = {x0, x1, x1, x0}, y[4] = {y0, y0, y1, y1};
    plcol0(color);
    plfill(4, x, y);
    plcol0(1);
    plline(4, x, y);
}

/* Reads the plot just drawn back and appends it (without its XML prologue) to out;
 * a failure is kept in pc->rc. */
static void append_svg(plot_ctx *pc, FILE *out)
{
    FILE *f = pc->cur;
    pc->cur = NULL;
    if (!f)
        return;
    char *text = NULL;
    size_t len = 0, cap = 0;
    aif_rc rc = AIF_OK;
    rewind(f);
    for (;;) {
        if (len + 1 >= cap) {
            char *nt = realloc(text, cap ? cap * 2 : 65536);
            if (!nt) {
                rc = AIF_ENOMEM;
                break;
            }
            text = nt;
            cap = cap ? cap * 2 : 65536;
        }
        size_t k = fread(text + len, 1, cap - len - 1, f);
        len += k;
        if (k == 0)
            break;
    }
    if (!rc && ferror(f))
        rc = AIF_EIO;
    fclose(f);
    const char *svg = NULL;
    if (!rc) {
        text[len] = '\0';
        if (memchr(text, '\0', len) || !(svg = strstr(text, "<svg")))
            rc = AIF_EIO;
    }
    if (rc) {
        free(text);
        if (!pc->rc)
            pc->rc = rc;
        return;
    }
    fputs("<div class=\"plot\">", out);
    fwrite(svg, 1, len - (size_t)(svg - text), out);
    fputs("</div>\n", out);
    free(text);
}

static void plot_breakdown(plot_ctx *pc, FILE *out, const aif_train_result *r)
{
    const aif_breakdown *b = &r->bd;
    const char *names[] = {"compute", "TP comm", "CP comm", "EP comm", "PP send", "bubble", "DP comm", "optimizer",
                           "host offload"};
    double v[] = {b->compute_s, b->tp_comm_s, b->cp_comm_s, b->ep_comm_s, b->pp_comm_s, b->pp_bubble_s, b->dp_comm_s,
                  b->optimizer_s, b->offload_s};
    int n = b->offload_s > 0 ? 9 : 8;   /* the offload's bar only when a copy is waited for */
    double vmax = 0;
    for (int i = 0; i < n; i++)
        vmax = fmax(vmax, v[i]);
    begin_plot(pc);
    category_axes(n, vmax * 1.15 + 1e-9, names);
    char title[96];
    snprintf(title, sizeof title, "Step time %.3f s: where it goes", r->step_time_s);
    pllab("", "seconds per step", title);
    for (int i = 0; i < n; i++) {
        bar(i + 0.15, i + 0.85, 0, v[i], i == 0 ? 2 : i == 5 ? 8 : 3);
        plcol0(1);
        char lab[32];
        snprintf(lab, sizeof lab, "%.0f%%", 100 * v[i] / r->step_time_s);
        plptex(i + 0.5, v[i] + 0.03 * vmax, 0, 0, 0.5, lab);
    }
    plend();
    append_svg(pc, out);
}

static void plot_memory(plot_ctx *pc, FILE *out, const aif_train_result *r)
{
    const aif_memory *m = &r->mem;
    const char *names[] = {"weights", "grads", "optimizer", "activations", "workspace"};
    double v[] = {m->weights_bytes, m->grads_bytes, m->optimizer_bytes, m->activations_bytes, m->workspace_bytes};
    double gib = AIF_GIB, hbm = m->hbm_bytes / gib, top = fmax(hbm, m->total_bytes / gib) * 1.15;
    begin_plot(pc);
    pladv(0);
    plvsta();
    plwind(0, 3, 0, top);
    plcol0(1);
    plbox("bc", 0, 0, "bcnstv", 0, 0);
    char title[128];
    snprintf(title, sizeof title, "Memory per GPU: %.1f of %.1f GiB (%s)", m->total_bytes / gib, hbm,
             r->fits_in_memory ? "fits" : "does not fit");
    pllab("", "GiB on the busiest GPU", title);
    double y = 0;
    for (int i = 0; i < 5; i++) {
        bar(1.0, 2.0, y, y + v[i] / gib, 2 + i);
        plcol0(1);
        if (v[i] / gib > top * 0.03)
            plptex(2.1, y + v[i] / gib / 2, 1, 0, 0, names[i]);
        y += v[i] / gib;
    }
    PLFLT lx[2] = {0.3, 2.7}, ly[2] = {hbm, hbm};
    plcol0(5);
    plwidth(2);
    plline(2, lx, ly);
    plwidth(1);
    plptex(0.35, hbm + top * 0.02, 1, 0, 0, "HBM capacity");
    plend();
    append_svg(pc, out);
}

static void plot_power(plot_ctx *pc, FILE *out, const aif_facility_result *fa)
{
    int n = fa->n_profile;
    PLFLT x[2 * AIF_MAX_PROFILE + 2], y[2 * AIF_MAX_PROFILE + 2];
    int k = 0;
    double top = 0;
    for (int i = 0; i < n; i++) {
        double t1 = i + 1 < n ? fa->profile[i + 1].t_s : fa->step_time_s;
        x[k] = fa->profile[i].t_s;
        y[k++] = fa->profile[i].power_W / 1e6;
        x[k] = t1;
        y[k++] = fa->profile[i].power_W / 1e6;
        top = fmax(top, fa->profile[i].power_W / 1e6);
    }
    begin_plot(pc);
    plenv(0, fa->step_time_s, 0, top * 1.2 + 1e-9, 0, 0);
    char title[128];
    snprintf(title, sizeof title, "Facility power over one step: %.3g MW average, swing %.3g MW", fa->facility_avg_W / 1e6,
             fa->swing_W / 1e6);
    pllab("seconds into the step", "MW at the facility (IT x PUE)", title);
    plcol0(2);
    plwidth(2);
    plline(k, x, y);
    plwidth(1);
    PLFLT ax[2] = {0, fa->step_time_s}, ay[2] = {fa->facility_avg_W / 1e6, fa->facility_avg_W / 1e6};
    plcol0(8);
    plline(2, ax, ay);
    plptex(fa->step_time_s * 0.02, fa->facility_avg_W / 1e6 * 1.03, 1, 0, 0, "average");
    plend();
    append_svg(pc, out);
}

/* The site's draw against its supply over the run's first day: each hour a stack of
 * what each source gives (merit order, cheapest at the bottom), the draw as a line,
 * and what the sources could give (when no source is unlimited) as a grey line. */
static void plot_supply(plot_ctx *pc, FILE *out, const aif_facility_result *fa)
{
    const aif_supply_result *r = &fa->supply;
    double top = 0;
    int bounded = 1;
    for (int h = 0; h < AIF_SUPPLY_DAY; h++) {
        top = fmax(top, r->day_draw_W[h] / 1e6);
        if (r->day_avail_W[h] < 0)
            bounded = 0;
        else
            top = fmax(top, r->day_avail_W[h] / 1e6);
    }
    begin_plot(pc);
    plenv(0, AIF_SUPPLY_DAY, 0, top * 1.25 + 1e-9, 0, 0);
    char title[160];
    snprintf(title, sizeof title, "Draw against supply over a day: $%.1f/MWh, %.0f g/kWh blended%s",
             r->usd_per_J * 3.6e9, r->kg_per_J * 3.6e9, r->short_h > 0 ? ", SHORT" : "");
    pllab("hour of the run's first day", "MW", title);
    for (int h = 0; h < AIF_SUPPLY_DAY; h++) {
        double y = 0;
        for (int k = 0; k < r->n; k++) {
            double w = r->src[r->order[k]].day_W[h] / 1e6;
            if (w > 0)
                bar(h + 0.08, h + 0.92, y, y + w, 2 + k % 7);
            y += w;
        }
    }
    PLFLT x[2 * AIF_SUPPLY_DAY], y[2 * AIF_SUPPLY_DAY], ya[2 * AIF_SUPPLY_DAY];
    for (int h = 0; h < AIF_SUPPLY_DAY; h++) {
        x[2 * h] = h;
        x[2 * h + 1] = h + 1;
        y[2 * h] = y[2 * h + 1] = r->day_draw_W[h] / 1e6;
        ya[2 * h] = ya[2 * h + 1] = r->day_avail_W[h] / 1e6;
    }
    plcol0(1);
    plwidth(2);
    plline(2 * AIF_SUPPLY_DAY, x, y);
    plwidth(1);
    if (bounded) {
        plcol0(8);
        plline(2 * AIF_SUPPLY_DAY, x, ya);
    }
    /* the legend: one swatch per source, in merit order */
    for (int k = 0; k < r->n; k++) {
        double lx = 0.4 + k * (AIF_SUPPLY_DAY / (double)(r->n > 4 ? r->n : 4));
        bar(lx, lx + 0.6, top * 1.13, top * 1.19, 2 + k % 7);
        plcol0(1);
        plptex(lx + 0.8, top * 1.14, 1, 0, 0, aif_supply_kind_name((aif_supply_kind)r->src[r->order[k]].kind));
    }
    plend();
    append_svg(pc, out);
}

static void plot_cost(plot_ctx *pc, FILE *out, const aif_cost_result *c)
{
    const char *names[] = {"owned", "hyperscaler OD", "hyperscaler res.", "neocloud OD", "neocloud res."};
    double v[] = {c->owned_usd, c->cloud_usd_by_class[0], c->cloud_usd_by_class[1], c->cloud_usd_by_class[2],
                  c->cloud_usd_by_class[3]};
    double top = 0;
    for (int i = 0; i < 5; i++)
        top = fmax(top, v[i] / 1e6);
    begin_plot(pc);
    category_axes(5, top * 1.2 + 1e-9, names);
    char title[128];
    char be[48];
    if (c->breakeven_utilization > 0 && c->breakeven_utilization <= 1)
        snprintf(be, sizeof be, "owning wins above %.0f%% utilisation", 100 * c->breakeven_utilization);
    else
        snprintf(be, sizeof be, "renting is cheaper");
    snprintf(title, sizeof title, "Cost to train: own or rent (%s)", be);
    pllab("", "million USD", title);
    for (int i = 0; i < 5; i++) {
        bar(i + 0.15, i + 0.85, 0, v[i] / 1e6, i == 0 ? 4 : 2);
        plcol0(1);
        char lab[32];
        snprintf(lab, sizeof lab, "%.3g", v[i] / 1e6);
        plptex(i + 0.5, v[i] / 1e6 + 0.03 * top, 0, 0, 0.5, lab);
    }
    plend();
    append_svg(pc, out);
}

/* Strong scaling: the same global batch on other GPU counts (run->scaling). */
static void plot_scaling(plot_ctx *pc, FILE *out, const aif_train_run *run)
{
    const aif_scaling *sc = &run->scaling;
    PLFLT gx[AIF_SCALING_MAX_POINTS], days[AIF_SCALING_MAX_POINTS], mfu[AIF_SCALING_MAX_POINTS];
    int k = sc->n_points;
    double dmax = 0;
    for (int i = 0; i < k; i++) {
        const aif_scaling_point *pt = &sc->points[i];
        gx[i] = log2(pt->gpus);
        days[i] = pt->steps > 0 ? pt->train_time_s / 86400 : pt->step_time_s;
        mfu[i] = 100 * pt->mfu;
        dmax = fmax(dmax, days[i]);
    }
    begin_plot(pc);
    if (k == 0) {   /* nothing to scale (e.g. the batch does not divide): say so in the plot */
        plenv(0, 1, 0, 1, 0, 0);
        pllab("", "", "Scaling: no other GPU count divides this batch");
        plptex(0.5, 0.5, 1, 0, 0.5, "same global batch on other GPU counts is not possible");
        plend();
        append_svg(pc, out);
        return;
    }
    plenv(gx[0] - 0.5, gx[k - 1] + 0.5, 0, dmax * 1.2, 0, 0);
    pllab("log2(GPUs)", run->scenario.train.tokens > 0 ? "days to train" : "seconds per step",
          "Scaling: the same global batch on more or fewer GPUs");
    plcol0(2);
    plwidth(2);
    plline(k, gx, days);
    plpoin(k, gx, days, 17);
    plwidth(1);
    plcol0(1);
    for (int i = 0; i < k; i++) {
        char lab[32];
        snprintf(lab, sizeof lab, "%.0f GPUs, MFU %.0f%%", pow(2, gx[i]), mfu[i]);
        plptex(gx[i], days[i] + dmax * 0.05, 1, 0, 0.5, lab);
    }
    plend();
    append_svg(pc, out);
}

/* ---------------------------------------------------------- the cluster page */

/* One series of a cluster run over time (bucket i drawn from i dt to (i + 1) dt),
 * in days, with an optional second series drawn beneath in grey. */
static void esc(FILE *out, const char *s);
static void plot_series(plot_ctx *pc, FILE *out, const aif_cluster_result *r, const double *v, const double *v2,
                        double scale, const char *ylab, const char *title)
{
    int n = r->n_series;
    PLFLT x[2 * AIF_CLUSTER_SERIES], y[2 * AIF_CLUSTER_SERIES], y2[2 * AIF_CLUSTER_SERIES];
    double top = 0, dt_d = r->series_dt_s / 86400;
    for (int i = 0; i < n; i++) {
        x[2 * i] = i * dt_d;
        x[2 * i + 1] = (i + 1) * dt_d;
        y[2 * i] = y[2 * i + 1] = v[i] * scale;
        y2[2 * i] = y2[2 * i + 1] = v2 ? v2[i] * scale : 0;
        top = fmax(top, v[i] * scale);
    }
    begin_plot(pc);
    plenv(0, n * dt_d, 0, top * 1.15 + 1e-9, 0, 0);
    pllab("days", ylab, title);
    if (v2) {
        plcol0(8);
        plline(2 * n, x, y2);
    }
    plcol0(2);
    plwidth(2);
    plline(2 * n, x, y);
    plwidth(1);
    plend();
    append_svg(pc, out);
}

static void plot_jct(plot_ctx *pc, FILE *out, const aif_cluster_result *r)
{
    const char *names[] = {"p0", "p10", "p20", "p30", "p40", "p50", "p60", "p70", "p80", "p90", "p100"};
    double top = 0;
    for (int i = 0; i < 11; i++)
        top = fmax(top, r->jct_decile_s[i] / 3600);
    begin_plot(pc);
    category_axes(11, top * 1.15 + 1e-9, names);
    char title[128];
    snprintf(title, sizeof title, "Job completion time by decile: mean %.3g h, p99 %.3g h", r->jct_mean_s / 3600,
             r->jct_p99_s / 3600);
    pllab("", "hours from submit to end", title);
    for (int i = 0; i < 11; i++)
        bar(i + 0.15, i + 0.85, 0, r->jct_decile_s[i] / 3600, 2);
    plend();
    append_svg(pc, out);
}

static void plot_failures(plot_ctx *pc, FILE *out, const aif_cluster_result *r)
{
    double top = 0;
    for (int k = 0; k < AIF_N_FAIL; k++)
        top = fmax(top, (double)r->by_cause[k]);
    begin_plot(pc);
    category_axes(AIF_N_FAIL, top * 1.15 + 1, aif_failure_class_names);
    char title[128];
    snprintf(title, sizeof title, "Job interruptions by cause: %ld in all, ETTR %.1f%%", r->interruptions,
             100 * r->ettr);
    pllab("", "interruptions", title);
    for (int k = 0; k < AIF_N_FAIL; k++) {
        bar(k + 0.15, k + 0.85, 0, (double)r->by_cause[k], 5);
        char lab[24];
        snprintf(lab, sizeof lab, "%ld", r->by_cause[k]);
        plcol0(1);
        plptex(k + 0.5, (double)r->by_cause[k] + 0.03 * top, 0, 0, 0.5, lab);
    }
    plend();
    append_svg(pc, out);
}

/* A command's text summary, escaped, under its heading: the same text the command
 * prints (write_text is its report function). */
typedef void (*text_fn)(FILE *f, const void *run);
static void text_block(plot_ctx *pc, FILE *out, const char *heading, text_fn write_text, const void *run)
{
    fprintf(out, "<h2>%s</h2>\n<pre>", heading);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    if (mem) {
        write_text(mem, run);
        fclose(mem);
        esc(out, buf);
        free(buf);
    } else if (!pc->rc) {
        pc->rc = AIF_ENOMEM;
    }
    fputs("</pre>\n", out);
}
static void train_text(FILE *f, const void *run) { aif_report_train_text(f, run); }
static void cluster_text(FILE *f, const void *run) { aif_report_cluster_text(f, run); }
static void serve_text(FILE *f, const void *run) { aif_report_serve_text(f, run); }

/* The cluster page: its summary and five plots. */
static void cluster_page(plot_ctx *pc, FILE *out, const aif_cluster_run *cr)
{
    const aif_cluster_result *r = &cr->r;
    text_block(pc, out, "Cluster", cluster_text, cr);
    plot_series(pc, out, r, r->util, r->computing, 100, "% of GPUs (grey: computing)", "GPUs held by running jobs over time");
    plot_series(pc, out, r, r->power_W, NULL, 1e-6, "MW at the facility", "Site power over time");
    plot_series(pc, out, r, r->queue, NULL, 1, "jobs waiting", "Queue length over time");
    if (r->jobs_ended)
        plot_jct(pc, out, r);
    plot_failures(pc, out, r);
}

/* ---------------------------------------------------------- the serving page */

/* Lines y(x) on common axes: series k is x[k][0..n), y[k][0..n) in color[k], named in
 * the title.  xs and ys scale the values for the axes. */
static void plot_lines(plot_ctx *pc, FILE *out, int n_lines, int n, const double *const *x, const double *const *y,
                       const int *color, double xs, double ys, const char *xlab, const char *ylab, const char *title)
{
    double x1 = 0, y1 = 0;
    for (int k = 0; k < n_lines; k++)
        for (int i = 0; i < n; i++) {
            x1 = fmax(x1, x[k][i] * xs);
            y1 = fmax(y1, y[k][i] * ys);
        }
    begin_plot(pc);
    plenv(0, x1 * 1.05 + 1e-12, 0, y1 * 1.15 + 1e-12, 0, 0);
    pllab(xlab, ylab, title);
    PLFLT px[AIF_SERVE_CDF > 2 * AIF_SERVE_SERIES ? AIF_SERVE_CDF : 2 * AIF_SERVE_SERIES];
    PLFLT py[sizeof px / sizeof px[0]];
    for (int k = 0; k < n_lines; k++) {
        for (int i = 0; i < n; i++) {
            px[i] = x[k][i] * xs;
            py[i] = y[k][i] * ys;
        }
        plcol0(color[k]);
        plwidth(2);
        plline(n, px, py);
        plpoin(n, px, py, 17);
        plwidth(1);
    }
    plend();
    append_svg(pc, out);
}

/* A series over time as steps (bucket i from i dt to (i + 1) dt). */
static void plot_steps(plot_ctx *pc, FILE *out, const aif_serve_series *se, const double *v, double scale,
                       const char *ylab, const char *title)
{
    static double x[2 * AIF_SERVE_SERIES], y[2 * AIF_SERVE_SERIES];
    for (int i = 0; i < se->n; i++) {
        x[2 * i] = i * se->dt_s;
        x[2 * i + 1] = (i + 1) * se->dt_s;
        y[2 * i] = y[2 * i + 1] = v[i];
    }
    const double *xs[1] = {x}, *ys[1] = {y};
    const int color[1] = {2};
    plot_lines(pc, out, 1, 2 * se->n, xs, ys, color, 1, scale, "seconds into the run", ylab, title);
}

/* The serving page: the run's summary, its latency distributions, throughput and
 * latency against offered load (when the curve ran), KV occupancy and batch size over
 * time. */
static void serve_page(plot_ctx *pc, FILE *out, const aif_serve_run *sr, const aif_serve_load_curve *lc)
{
    const aif_serve_result *r = &sr->serve;
    text_block(pc, out, "Serving", serve_text, sr);
    static double q[AIF_SERVE_CDF];
    for (int i = 0; i < AIF_SERVE_CDF; i++)
        q[i] = i / (double)(AIF_SERVE_CDF - 1);
    char title[160];
    {
        const double *x[2] = {r->cdf.ttft_s, r->cdf.e2e_s}, *y[2] = {q, q};
        const int color[2] = {2, 3};
        snprintf(title, sizeof title, "Latency CDF: TTFT (blue) p99 %.3g s, end to end (orange) p99 %.3g s",
                 r->ttft.p99_s, r->e2e.p99_s);
        plot_lines(pc, out, 2, AIF_SERVE_CDF, x, y, color, 1, 1, "seconds", "share of requests", title);
    }
    {
        const double *x[1] = {r->cdf.tpot_s}, *y[1] = {q};
        const int color[1] = {4};
        snprintf(title, sizeof title, "TPOT CDF: p50 %.3g ms, p99 %.3g ms", r->tpot.p50_s * 1e3, r->tpot.p99_s * 1e3);
        plot_lines(pc, out, 1, AIF_SERVE_CDF, x, y, color, 1e3, 1, "ms per output token", "share of requests", title);
    }
    if (lc && lc->n > 0) {
        static double offered[AIF_SERVE_LOAD_POINTS];
        double per_req = r->requests ? r->output_tokens / (double)r->requests : 0;
        for (int k = 0; k < lc->n; k++)
            offered[k] = lc->qps[k] * per_req;
        const double *x[2] = {lc->qps, lc->qps}, *y[2] = {offered, lc->throughput_tokens_per_s};
        const int color[2] = {8, 2};
        snprintf(title, sizeof title, "Throughput against load (grey: offered); capacity %.3g requests/s",
                 lc->capacity_rps);
        plot_lines(pc, out, 2, lc->n, x, y, color, 1, 1, "offered requests/s", "output tokens/s", title);
        const double *x2[2] = {lc->qps, lc->qps}, *y2[2] = {lc->ttft_p50_s, lc->ttft_p99_s};
        const int color2[2] = {2, 5};
        plot_lines(pc, out, 2, lc->n, x2, y2, color2, 1, 1, "offered requests/s", "seconds",
                   "TTFT against load: p50 (blue), p99 (red): the knee");
    }
    plot_steps(pc, out, &r->series, r->series.kv_peak, 100, "% of KV blocks in use (peak)", "KV-cache occupancy over time");
    plot_steps(pc, out, &r->series, r->series.batch_mean, 1, "sequences per iteration (mean)", "Batch size over time");
}

static void esc(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", out);
        else if (*s == '>')
            fputs("&gt;", out);
        else if (*s == '&')
            fputs("&amp;", out);
        else
            fputc(*s, out);
    }
}

aif_rc aif_report_html(const char *path, const aif_train_run *run, aif_err *err)
{
    return aif_report_html_cluster(path, run, NULL, err);
}

aif_rc aif_report_html_cluster(const char *path, const aif_train_run *run, const aif_cluster_run *cluster,
                               aif_err *err)
{
    return aif_report_html_pages(path, run, cluster, NULL, NULL, err);
}

aif_rc aif_report_html_pages(const char *path, const aif_train_run *run, const aif_cluster_run *cluster,
                             const aif_serve_run *serve, const aif_serve_load_curve *curve, aif_err *err)
{
    const aif_scenario *s = &run->scenario;
    if (!run->scaling.searched)
        return aif_err_set(err, AIF_EINPUT, path, 0, 0, NULL,
                           "the run has no scaling curve to plot: run it with aif_run_opts.scaling set");
    aif_rc prc = plplot_open(err);
    if (prc)
        return prc;
    plot_ctx pc = {.n = 0};
    aif_output o;
    aif_rc orc = aif_output_open(&o, path, "-o", err);
    if (orc)
        return orc;
    FILE *out = o.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>aifsim report: ", out);
    esc(out, s->name);
    fputs("</title>\n<style>body{font-family:sans-serif;max-width:800px;margin:2em auto;color:#222}"
          "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}"
          ".plot svg{width:100%;height:auto;border:1px solid #ddd;margin:0.5em 0}</style>\n</head>\n<body>\n", out);
    fputs("<h1>aifsim report: ", out);
    esc(out, s->name);
    fputs("</h1>\n", out);
    text_block(&pc, out, "Summary", train_text, run);
    fputs("<h2>Plots</h2>\n", out);
    plot_breakdown(&pc, out, &run->train);
    plot_memory(&pc, out, &run->train);
    if (run->facility.power_known)   /* no published power: no power plot (the text says n/a) */
        plot_power(&pc, out, &run->facility);
    if (run->facility.power_known && run->facility.supply.n > 0)
        plot_supply(&pc, out, &run->facility);
    plot_cost(&pc, out, &run->cost);
    plot_scaling(&pc, out, run);
    if (cluster)
        cluster_page(&pc, out, cluster);
    if (serve)
        serve_page(&pc, out, serve, curve);
    fputs("<p>Made by aifsim " AIF_VERSION ". Figures and their sources: docs/VALIDATION.md, data/*.yaml.</p>\n", out);
    fprintf(out, "<script>\n(function () {\n"
                 "  var plots = document.querySelectorAll('.plot svg'), ok = 0;\n"
                 "  plots.forEach(function (p) {\n"
                 "    var marks = p.querySelectorAll('polyline, path, polygon').length;\n"
                 "    var text = p.querySelectorAll('text').length;\n"
                 "    if (marks > 5 && text > 2) ok++; else console.error('aifsim-report-error: empty plot');\n"
                 "  });\n"
                 "  if (plots.length !== %d) console.error('aifsim-report-error: ' + plots.length + ' plots');\n"
                 "  document.body.setAttribute('data-plots', (ok === %d ? 'ok:' : 'bad:') + ok);\n"
                 "})();\n</script>\n</body></html>\n", pc.n, pc.n);
    if (pc.rc) {   /* a plot or the summary is missing: no report rather than a partial one */
        aif_output_abort(&o);
        return aif_err_set(err, pc.rc, path, 0, 0, NULL, "%s", pc.rc == AIF_ENOMEM ? "out of memory"
                                                                      : "cannot read a plot back");
    }
    return aif_output_commit(&o, err);
}

/* ------------------------------------------------------------ sweep report */

static void plot_front(plot_ctx *pc, FILE *out, const aif_sweep_summary *sum, const double *v,
                       const unsigned char *front, const char *ylab, const char *title)
{
    const long n = sum->n;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (long i = 0; i < n; i++) {
        x0 = fmin(x0, sum->time[i]);
        x1 = fmax(x1, sum->time[i]);
        y0 = fmin(y0, v[i]);
        y1 = fmax(y1, v[i]);
    }
    double dx = (x1 - x0) * 0.05 + 1e-9 * fabs(x1) + 1e-12, dy = (y1 - y0) * 0.05 + 1e-9 * fabs(y1) + 1e-12;
    begin_plot(pc);
    plcol0(1);
    plenv(x0 - dx, x1 + dx, y0 - dy, y1 + dy, 0, 0);
    pllab(sum->per_run ? "days to train" : "step time, s", ylab, title);
    /* every point, then the front over them, joined in order of time */
    PLFLT *xs = malloc((size_t)n * sizeof *xs), *ys = malloc((size_t)n * sizeof *ys);
    if (!xs || !ys) {
        free(xs);
        free(ys);
        if (!pc->rc)
            pc->rc = AIF_ENOMEM;
        plend();
        append_svg(pc, out);
        return;
    }
    for (long i = 0; i < n; i++) {
        xs[i] = sum->time[i];
        ys[i] = v[i];
    }
    plcol0(8);
    plpoin((PLINT)n, xs, ys, 1);
    long m = 0;
    for (long i = 0; i < n; i++)
        if (front[i]) {
            xs[m] = sum->time[i];
            ys[m] = v[i];
            m++;
        }
    for (long a = 1; a < m; a++)   /* by time (a few points: insertion sort) */
        for (long b = a; b > 0 && xs[b] < xs[b - 1]; b--) {
            PLFLT t = xs[b];
            xs[b] = xs[b - 1];
            xs[b - 1] = t;
            t = ys[b];
            ys[b] = ys[b - 1];
            ys[b - 1] = t;
        }
    plcol0(5);
    plwidth(2);
    if (m > 1)
        plline((PLINT)m, xs, ys);
    plpoin((PLINT)m, xs, ys, 4);
    plwidth(1);
    free(xs);
    free(ys);
    plend();
    append_svg(pc, out);
}

static void plot_effect(plot_ctx *pc, FILE *out, const aif_sweep_summary *sum, const aif_sweep_effect *ef)
{
    const char *names[AIF_SWEEP_MAX_VALUES];
    double top = 0;
    for (int i = 0; i < ef->n; i++) {
        names[i] = ef->value[i];
        top = fmax(top, ef->mean_time[i]);
    }
    begin_plot(pc);
    category_axes(ef->n, top * 1.15 + 1e-12, names);
    char title[220];
    snprintf(title, sizeof title, "%.160s: mean %s per value", ef->path, sum->per_run ? "days to train" : "step time");
    pllab("", sum->per_run ? "days" : "seconds", title);
    for (int i = 0; i < ef->n; i++)
        bar(i + 0.15, i + 0.85, 0, ef->mean_time[i], 2);
    plend();
    append_svg(pc, out);
}

aif_rc aif_report_sweep_html(const char *path, const aif_sweep_summary *sum, aif_err *err)
{
    if (sum->n < 1)
        return aif_err_set(err, AIF_EINPUT, path, 0, 0, NULL, "the sweep has no point that ran");
    aif_rc prc = plplot_open(err);
    if (prc)
        return prc;
    plot_ctx pc = {.n = 0};
    aif_output o;
    aif_rc orc = aif_output_open(&o, path, "-o", err);
    if (orc)
        return orc;
    FILE *out = o.f;
    long n_front = 0;
    for (long i = 0; i < sum->n; i++)
        n_front += sum->front_cost[i];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>aifsim sweep report</title>\n"
          "<style>body{font-family:sans-serif;max-width:800px;margin:2em auto;color:#222}"
          ".plot svg{width:100%;height:auto;border:1px solid #ddd;margin:0.5em 0}</style>\n</head>\n<body>\n"
          "<h1>aifsim sweep report</h1>\n", out);
    fprintf(out, "<p>%ld points: %ld ran, %ld rejected by the model.  %s.  Grey: every point that ran; red: "
                 "the Pareto front (%ld points of time against cost), where nothing is both as fast and cheaper.</p>\n",
            sum->n_rows, sum->n, sum->n_rejected,
            sum->per_run ? "Time is days to train, cost the cost to train owned, energy the facility's over the run"
                         : "Time is the step time, cost a step's owned cost, energy a step's facility energy",
            n_front);
    fputs("<h2>Pareto fronts</h2>\n", out);
    plot_front(&pc, out, sum, sum->cost, sum->front_cost, sum->per_run ? "cost to train owned, USD" : "USD per step",
               "Time against cost");
    plot_front(&pc, out, sum, sum->energy, sum->front_energy, sum->per_run ? "energy, MWh" : "kWh per step",
               "Time against energy");
    fputs("<h2>Each axis's effect</h2>\n", out);
    for (int a = 0; a < sum->n_axes; a++)
        if (sum->axes[a].n > 0)
            plot_effect(&pc, out, sum, &sum->axes[a]);
    fputs("<p>Made by aifsim " AIF_VERSION " (docs/SWEEPS.md).</p>\n", out);
    fprintf(out, "<script>\n(function () {\n"
                 "  var plots = document.querySelectorAll('.plot svg'), ok = 0;\n"
                 "  plots.forEach(function (p) {\n"
                 "    var marks = p.querySelectorAll('polyline, path, polygon').length;\n"
                 "    var text = p.querySelectorAll('text').length;\n"
                 "    if (marks > 5 && text > 2) ok++; else console.error('aifsim-report-error: empty plot');\n"
                 "  });\n"
                 "  if (plots.length !== %d) console.error('aifsim-report-error: ' + plots.length + ' plots');\n"
                 "  document.body.setAttribute('data-plots', (ok === %d ? 'ok:' : 'bad:') + ok);\n"
                 "})();\n</script>\n</body></html>\n", pc.n, pc.n);
    if (pc.rc) {
        aif_output_abort(&o);
        return aif_err_set(err, pc.rc, path, 0, 0, NULL, "%s", pc.rc == AIF_ENOMEM ? "out of memory"
                                                                      : "cannot read a plot back");
    }
    return aif_output_commit(&o, err);
}
