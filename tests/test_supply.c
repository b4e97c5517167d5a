/* test_supply.c -- the site's energy supply and its battery (src/facility/supply.c,
 * src/scenario/supply.c): with no supply every figure is as before; sources are
 * taken in merit order and never above nameplate x capacity factor; the sources'
 * energy plus the energy not served is the run's energy; blended price and carbon
 * are energy-weighted; a battery sized to the swing flattens the grid side, and its
 * round-trip losses are counted; bad input names its field (and file:line for a
 * profile CSV, read once at load); and the figures published sources allow
 * (docs/FACILITY.md, "Supply and battery"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/facility.h"
#include "aifsim/names.h"
#include "aifsim/run.h"
#include "scenario/catalog.h"
#include "scenario/yaml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facility_fixture.h"

#define CLOSE(a, b, rel) do { double a_ = (a), b_ = (b); \
    if (fabs(a_ - b_) > (rel) * fabs(b_) + 1e-12) fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); } while (0)

/* 64 H100 for about a day and a half */
static const char *BASE = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n"
                          "train: {gbs: 64, seq: 4096, tokens: 100B}\n";

typedef struct job { aif_scenario s; aif_train_result r; aif_facility_result f; aif_cost_result c; } job;

static aif_rc run(const char *extra, const aif_override *ov, int n_ov, job *j, aif_err *e)
{
    char y[4096];
    snprintf(y, sizeof y, "%s%s", BASE, extra);
    aif_rc rc = aif_scenario_parse(cat, y, strlen(y), "t.yaml", ov, n_ov, &j->s, e);
    if (rc)
        return rc;
    aif_facility_apply_limits(&j->s, fd);
    if ((rc = aif_estimate(&j->s, &j->r, e)) || (rc = aif_facility_eval(&j->s, fd, &j->r, &j->f, e)))
        return rc;
    return aif_cost_eval(&j->s, fd, &j->r, &j->f, &j->c, e);
}

static job *ok(const char *extra)
{
    job *j = calloc(1, sizeof *j);
    aif_err e;
    if (!j)
        fail_msg("out of memory");
    if (run(extra, NULL, 0, j, &e) != AIF_OK) {
        char b[1400];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
    return j;
}

/* The sum of what the sources give plus what is not served is the run's energy. */
static void conserved(const aif_facility_result *f)
{
    const aif_supply_result *r = &f->supply;
    double sum = 0;
    for (int i = 0; i < r->n; i++)
        sum += r->src[i].energy_J;
    CLOSE(sum, r->energy_J, 1e-12);
    CLOSE(r->energy_J + r->short_J, f->energy_J, 1e-9);
    if (r->energy_J > 0) {
        CLOSE(r->kg_per_J, r->co2_kg / r->energy_J, 1e-12);
        CLOSE(r->usd_per_J, r->usd / r->energy_J, 1e-12);
    }
}

/* No supply, no battery: the one grid at cost.electricity and facility.carbon, as before */
static void test_no_supply_unchanged(void **state)
{
    (void)state;
    job *j = ok("");
    assert_int_equal(j->f.supply.n, 0);
    assert_int_equal(j->f.battery.mode, AIF_BATTERY_NONE);
    CLOSE(j->f.energy_J, j->f.facility_avg_W * j->f.run_time_s, 1e-12);
    CLOSE(j->f.co2_kg, j->f.energy_J * j->s.site.carbon_kg_per_J, 1e-12);
    CLOSE(j->c.energy_usd, j->f.energy_J * j->s.site.electricity_usd_per_J, 1e-12);
    /* a supply of one grid at its defaults gives the same carbon and the same bill */
    job *g = ok("facility: {supply: [{kind: grid}]}\n");
    assert_int_equal(g->f.supply.n, 1);
    conserved(&g->f);
    assert_true(g->f.supply.short_J == 0 && g->f.supply.short_h == 0);
    CLOSE(g->f.co2_kg, j->f.co2_kg, 1e-9);
    CLOSE(g->c.energy_usd, j->c.energy_usd, 1e-9);
    CLOSE(g->f.supply.kg_per_J * 3.6e9, 370, 1e-9);   /* us-average */
    /* and with an hourly carbon series too */
    char path[64];
    snprintf(path, sizeof path, "/tmp/aifsim-supply-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("hour,g_per_kWh\n", fp);
    for (int h = 0; h < 24; h++)
        fprintf(fp, "%d,%d\n", h, 200 + 10 * h);
    fclose(fp);
    char y[256];
    snprintf(y, sizeof y, "facility: {carbon: %s}\n", path);
    job *h1 = ok(y);
    snprintf(y, sizeof y, "facility: {carbon: %s, supply: [{kind: grid}]}\n", path);
    job *h2 = ok(y);
    remove(path);
    CLOSE(h2->f.co2_kg, h1->f.co2_kg, 1e-9);
    free(j);
    free(g);
    free(h1);
    free(h2);
}

/* Merit order, nameplate x capacity factor, conservation, blended figures */
static void test_merit_order(void **state)
{
    (void)state;
    job *j = ok("facility: {supply: [{kind: gas_turbine, capacity: 30kW}, {kind: grid, capacity: 40kW, price: "
                "80USD/MWh}, {kind: ppa_solar, capacity: 300kW}, {kind: ppa_wind, capacity: 20kW}]}\n");
    const aif_supply_result *r = &j->f.supply;
    assert_int_equal(r->n, 4);
    conserved(&j->f);
    /* solar $57, wind $70, grid $80, gas $90 */
    assert_int_equal(r->src[r->order[0]].kind, AIF_SUPPLY_PPA_SOLAR);
    assert_int_equal(r->src[r->order[1]].kind, AIF_SUPPLY_PPA_WIND);
    assert_int_equal(r->src[r->order[2]].kind, AIF_SUPPLY_GRID);
    assert_int_equal(r->src[r->order[3]].kind, AIF_SUPPLY_GAS_TURBINE);
    for (int h = 0; h < AIF_SUPPLY_DAY; h++) {
        double left = r->day_draw_W[h], given = 0;
        for (int k = 0; k < r->n; k++) {
            int i = r->order[k];
            const aif_supply_source *src = &j->s.site.supply[i];
            double avail = r->src[i].capacity_W * src->cf[h % src->n_hours];
            /* never above what it can give, and a dearer source only when the cheaper ones are spent */
            assert_true(r->src[i].day_W[h] <= avail * (1 + 1e-12));
            CLOSE(r->src[i].day_W[h], fmin(avail, left), 1e-9);
            left -= r->src[i].day_W[h];
            given += r->src[i].day_W[h];
        }
        assert_true(given <= r->day_draw_W[h] * (1 + 1e-12));
    }
    /* blended: energy-weighted */
    double kg = 0, usd = 0;
    for (int i = 0; i < r->n; i++) {
        kg += r->src[i].energy_J * r->src[i].kg_per_J;
        usd += r->src[i].energy_J * r->src[i].usd_per_J;
    }
    CLOSE(r->co2_kg, kg, 1e-9);
    CLOSE(r->usd, usd, 1e-9);
    CLOSE(j->f.co2_kg, r->co2_kg, 1e-12);
    CLOSE(j->c.energy_usd, j->f.energy_J * r->usd_per_J, 1e-12);
    assert_true(r->unused_J > 0);   /* midday solar over the draw */
    free(j);
}

/* Short of supply: solar alone leaves the night unserved */
static void test_short_of_supply(void **state)
{
    (void)state;
    job *n = ok("");
    char y[160];
    snprintf(y, sizeof y, "facility: {supply: [{kind: ppa_solar, capacity: %.6fW}]}\n", 5 * n->f.facility_avg_W);
    job *j = ok(y);
    const aif_supply_result *r = &j->f.supply;
    conserved(&j->f);
    /* at five times the draw, solar covers the hours whose capacity factor is 0.2 or more */
    int short_day = 0;
    for (int h = 0; h < AIF_SUPPLY_DAY; h++)
        short_day += r->src[0].day_W[h] < r->day_draw_W[h] * (1 - 1e-9);
    assert_int_equal(short_day, 14);   /* 17:00 to 07:00 */
    assert_true(r->short_h > 0 && r->short_J > 0);
    double days = j->f.run_time_s / 86400;
    assert_true(r->short_h <= 14 * ceil(days) + 1e-9 && r->short_h >= 14 * floor(days) - 1e-9);
    /* a grid beside it fills the night: never short */
    job *g = ok("facility: {supply: [{kind: ppa_solar, share: 1000%}, {kind: grid}]}\n");
    conserved(&g->f);
    assert_true(g->f.supply.short_h == 0 && g->f.supply.short_J == 0);
    /* the grid's capacity is facility.power_cap when the source gives none */
    job *c = ok("facility: {power_cap: 1kW, supply: [{kind: grid}]}\n");
    CLOSE(c->f.supply.src[0].capacity_W, 1000, 1e-12);
    assert_true(c->f.supply.short_h > 0);
    conserved(&c->f);
    free(n);
    free(j);
    free(g);
    free(c);
}

/* A profile: a list or a CSV file, read strictly and once */
static void test_profiles(void **state)
{
    (void)state;
    job *l = ok("facility: {supply: [{kind: grid}, {kind: ppa_wind, capacity: 1MW, price: 1USD/MWh, "
                "profile: [0, 1]}]}\n");
    const aif_supply_result *r = &l->f.supply;
    assert_int_equal(l->s.site.supply[1].n_hours, 2);
    for (int h = 0; h < AIF_SUPPLY_DAY; h++)
        assert_true(h % 2 ? r->src[1].day_W[h] == r->day_draw_W[h] : r->src[1].day_W[h] == 0);
    conserved(&l->f);
    char path[64], y[512];
    snprintf(path, sizeof path, "/tmp/aifsim-profile-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("hour,capacity_factor,note\r\n0,0.5,a\r\n1,\"0.25\",b\r\n\r\n2,1,c\r\n", fp);
    fclose(fp);
    snprintf(y, sizeof y, "facility: {supply: [{kind: ppa_solar, capacity: 1MW, profile: %s}]}\n", path);
    job *c = ok(y);
    remove(path);   /* read once, at load */
    assert_int_equal(c->s.site.supply[0].n_hours, 3);
    assert_true(c->s.site.supply[0].cf[1] == 0.25f);
    aif_facility_result f2;
    aif_err e;
    assert_int_equal(aif_facility_eval(&c->s, fd, &c->r, &f2, &e), AIF_OK);
    CLOSE(f2.supply.energy_J, c->f.supply.energy_J, 1e-12);
    /* a bad file names file:line and the field */
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("hour,capacity_factor\n0,0.5\n1,1.5\n", fp);
    fclose(fp);
    job *b = calloc(1, sizeof *b);
    assert_int_equal(run(y, NULL, 0, b, &e), AIF_EINPUT);
    assert_string_equal(e.path, "facility.supply[0].profile");
    assert_int_equal(e.line, 3);
    assert_non_null(strstr(e.file, path));
    assert_non_null(strstr(e.msg, "not a capacity factor between 0 and 1"));
    fp = fopen(path, "w");
    assert_non_null(fp);
    for (int h = 0; h <= AIF_MAX_SUPPLY_HOURS; h++)
        fprintf(fp, h ? "%d\n" : "capacity_factor\n%d\n", 1);
    fclose(fp);
    assert_int_equal(run(y, NULL, 0, b, &e), AIF_EINPUT);
    assert_non_null(strstr(e.msg, "more than 168 hourly capacity factors (one week)"));
    remove(path);
    free(b);
    free(l);
    free(c);
}

/* The battery: sized to the swing, the grid side flattened, losses counted */
static void test_battery(void **state)
{
    (void)state;
    job *n = ok("");
    job *a = ok("facility: {battery: auto}\n");
    const aif_battery_result *b = &a->f.battery;
    assert_int_equal(b->mode, AIF_BATTERY_AUTO);
    CLOSE(b->power_W, a->f.stop_swing_W, 1e-12);
    CLOSE(b->ride_through_s, fd->battery_ride_through_s, 1e-12);
    CLOSE(b->capacity_J, b->power_W * fd->battery_ride_through_s, 1e-12);
    CLOSE(b->efficiency, fd->battery_efficiency, 1e-12);
    assert_true(a->f.swing_W > 0);
    assert_true(b->grid_swing_W == 0 && b->grid_stop_swing_W == 0);
    CLOSE(b->hold_s, fd->battery_ride_through_s, 1e-12);
    /* losses: every joule delivered costs 1/efficiency, over every step of the run */
    assert_true(b->step_cycle_J > 0);
    CLOSE(b->loss_J, a->f.run_time_s / a->f.step_time_s * b->step_cycle_J * (1 / b->efficiency - 1), 1e-12);
    CLOSE(a->f.energy_J, n->f.energy_J + b->loss_J, 1e-12);
    CLOSE(a->f.it_energy_J, n->f.it_energy_J, 1e-12);   /* not IT energy */
    /* a smaller battery narrows the swing by twice its power (it discharges above the
     * average and charges below it) */
    double top = a->f.facility_low_W + a->f.swing_W;
    double p = fmin(a->f.swing_W / 8, (top - a->f.facility_avg_W) / 2);
    assert_true(p > 0 && a->f.facility_low_W + p < a->f.facility_avg_W);
    char y[256];
    snprintf(y, sizeof y, "facility: {battery: {power: %.6fW, capacity: 1MWh, efficiency: 90%%}}\n", p);
    job *s = ok(y);
    CLOSE(s->f.battery.grid_swing_W, a->f.swing_W - 2 * p, 1e-6);
    CLOSE(s->f.battery.grid_stop_swing_W, a->f.stop_swing_W - p, 1e-9);
    CLOSE(s->f.battery.hold_s, 3.6e9 / p, 1e-9);
    /* one that cannot hold a step's excursion does not narrow it */
    snprintf(y, sizeof y, "facility: {battery: {power: %.6fW, capacity: 1J}}\n", p);
    job *t = ok(y);
    CLOSE(t->f.battery.grid_swing_W, a->f.swing_W, 1e-12);
    /* a lossless battery adds no energy */
    job *u = ok("facility: {battery: {efficiency: 100%}}\n");
    assert_true(u->f.battery.loss_J == 0);
    CLOSE(u->f.energy_J, n->f.energy_J, 1e-12);
    free(n);
    free(a);
    free(s);
    free(t);
    free(u);
}

/* The same through command-line overrides (--set facility.supply=...) */
static void test_overrides(void **state)
{
    (void)state;
    const aif_override ov[] = {
        {"facility.supply", "[{kind: nuclear, capacity: 1MW}, {kind: grid, carbon: france}]", "--set facility.supply"},
        {"facility.battery", "auto", "--set facility.battery"}};
    job *j = calloc(1, sizeof *j);
    aif_err e;
    assert_int_equal(run("", ov, 2, j, &e), AIF_OK);
    assert_int_equal(j->f.supply.n, 2);
    CLOSE(j->f.supply.src[1].kg_per_J * 3.6e9, 56, 1e-9);   /* the france region */
    assert_string_equal(j->s.site.supply[1].region, "france");
    assert_int_equal(j->f.battery.mode, AIF_BATTERY_AUTO);
    const aif_override bad[] = {{"facility.supply", "[{kind: nuclearr, capacity: 1MW}]", "--set facility.supply"}};
    assert_int_equal(run("", bad, 1, j, &e), AIF_EINPUT);
    assert_string_equal(e.path, "facility.supply[0].kind");
    assert_non_null(strstr(e.msg, "did you mean 'nuclear'"));
    free(j);
}

static void test_bad_input(void **state)
{
    (void)state;
    static const struct { const char *yaml, *path, *msg; } cases[] = {
        {"facility: {supply: {kind: grid}}\n", "facility.supply", "expected a list of sources"},
        {"facility: {supply: []}\n", "facility.supply", "a supply lists 1 to 8"},
        {"facility: {supply: [{capacity: 1MW}]}\n", "facility.supply[0]", "needs kind"},
        {"facility: {supply: [{kind: coal, capacity: 1MW}]}\n", "facility.supply[0].kind",
         "accepted: grid, ppa_solar, ppa_wind, nuclear, gas_turbine"},
        {"facility: {supply: [{kind: nuclear}]}\n", "facility.supply[0]", "needs its capacity"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, share: 10%}]}\n", "facility.supply[0]",
         "capacity or share, not both"},
        {"facility: {supply: [{kind: grid}, {kind: grid}]}\n", "facility.supply[1]", "a second grid"},
        {"facility: {supply: [{kind: nuclear, capacity: -1MW}]}\n", "facility.supply[0].capacity", "negative"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MWh}]}\n", "facility.supply[0].capacity", ""},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, price: 80USD}]}\n", "facility.supply[0].price", ""},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, carbon: frnace}]}\n", "facility.supply[0].carbon",
         "did you mean 'france'"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, carbon: 20000g/kWh}]}\n", "facility.supply[0].carbon",
         "out of range"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, profile: [0.5, 2]}]}\n", "facility.supply[0].profile",
         "hour 1: '2' is not a capacity factor"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, profile: []}]}\n", "facility.supply[0].profile",
         "a profile holds 1 to 168"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, profile: solar}]}\n", "facility.supply[0].profile",
         "expected a CSV file"},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, profile: /nonexistent/p.csv}]}\n",
         "facility.supply[0].profile", ""},
        {"facility: {supply: [{kind: nuclear, capacity: 1MW, colour: red}]}\n", "facility.supply[0].colour", ""},
        {"facility: {supply: [{kind: grid}, {kind: grid}, {kind: grid}, {kind: grid}, {kind: grid}, {kind: grid}, "
         "{kind: grid}, {kind: grid}, {kind: grid}]}\n", "facility.supply", "9 sources"},
        {"facility: {battery: yes}\n", "facility.battery", "expected auto"},
        {"facility: {battery: {capacity: 1MWh}}\n", "facility.battery", "give both capacity"},
        {"facility: {battery: {power: 1MW, capacity: 1MW}}\n", "facility.battery.capacity", ""},
        {"facility: {battery: {efficiency: 120%}}\n", "facility.battery.efficiency", "out of range"},
        {"facility: {battery: {ride_through: 0s}}\n", "facility.battery.ride_through", ""},
    };
    job *j = calloc(1, sizeof *j);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        aif_err e;
        memset(&e, 0, sizeof e);
        aif_rc rc = run(cases[i].yaml, NULL, 0, j, &e);
        if (rc == AIF_OK)
            fail_msg("accepted: %s", cases[i].yaml);
        if (strcmp(e.path, cases[i].path) || !strstr(e.msg, cases[i].msg))
            fail_msg("%s: got %s: %s", cases[i].yaml, e.path, e.msg);
        assert_true(e.line > 0 || rc != AIF_EINPUT || strstr(cases[i].yaml, "nonexistent"));
    }
    free(j);
}

/* Every figure of data/facility.yaml's supply and battery sections has a source */
static void test_sources(void **state)
{
    (void)state;
    size_t len;
    const char *text = aif_embedded_file("data/facility.yaml", &len);
    assert_non_null(text);
    ydoc *d;
    ynode *root;
    aif_err e;
    assert_int_equal(ydoc_parse(text, len, "data/facility.yaml", &d, &root, &e), AIF_OK);
    int checked = 0;
    const ynode *sup = ynode_get(root, "supply");
    assert_non_null(sup);
    for (int k = 0; k < AIF_N_SUPPLY_KIND; k++) {
        const ynode *ent = ynode_get(sup, aif_supply_kind_names[k]);
        assert_non_null(ent);
        const ynode *src = ynode_get(ent, "sources");
        assert_non_null(src);
        for (int i = 0; i < ent->n; i++) {
            const char *key = ent->kids[i]->key;
            if (strcmp(key, "sources")) {
                const ynode *c = ynode_get(src, key);
                if (!c || strlen(c->s) < 20)
                    fail_msg("data/facility.yaml: supply.%s.%s has no source", ent->key, key);
                checked++;
            }
        }
    }
    const ynode *bat = ynode_get(root, "battery"), *bs = ynode_get(bat, "sources");
    assert_non_null(bs);
    for (int i = 0; i < bat->n; i++)
        if (strcmp(bat->kids[i]->key, "sources")) {
            const ynode *c = ynode_get(bs, bat->kids[i]->key);
            if (!c || strlen(c->s) < 20)
                fail_msg("data/facility.yaml: battery.%s has no source", bat->kids[i]->key);
            checked++;
        }
    assert_int_equal(checked, 1 + 4 * 3 + 3);
    ydoc_free(d);
}

static double day_mean(const double *cf)
{
    double m = 0;
    for (int h = 0; h < 24; h++)
        m += cf[h] / 24;
    return m;
}

/* What published figures allow (docs/FACILITY.md, "Supply and battery") */
static void test_published(void **state)
{
    (void)state;
    /* capacity factors: EIA Electric Power Monthly table 6.07.B (U.S., 2021-2023): utility
     * solar PV 23-25%, wind 33-35%, nuclear about 93% */
    double solar = day_mean(fd->supply[AIF_SUPPLY_PPA_SOLAR].cf), wind = day_mean(fd->supply[AIF_SUPPLY_PPA_WIND].cf);
    assert_true(solar >= 0.23 && solar <= 0.25);
    assert_true(wind >= 0.329 && wind <= 0.35);
    CLOSE(day_mean(fd->supply[AIF_SUPPLY_NUCLEAR].cf), 0.93, 1e-12);
    /* the Llama 3 job (the default scenario: 16,384 H100): swings "on the order of tens of
     * megawatts" (Dubey et al. 2024, section 3.3.4), a battery sized to it, and the racks'
     * own storage (65 J per GPU, GB300 NVL72) far too small to ride through a dip */
    aif_scenario *s = calloc(1, sizeof *s);
    aif_train_run *tr = calloc(1, sizeof *tr);
    aif_err e;
    const aif_override ov[] = {{"facility.battery", "auto", "--set facility.battery"}};
    assert_int_equal(aif_scenario_load(cat, NULL, ov, 1, s, &e), AIF_OK);
    assert_int_equal(s->cluster.gpus, 16384);
    assert_int_equal(aif_run_train(cat, s, NULL, tr, &e), AIF_OK);
    const aif_facility_result *f = &tr->facility;
    assert_true(f->stop_swing_W >= 10e6 && f->stop_swing_W < 100e6);
    assert_true(f->swing_W >= 1e6 && f->swing_W < f->stop_swing_W);
    CLOSE(f->battery.power_W, f->stop_swing_W, 1e-12);
    CLOSE(f->battery.capacity_J, f->stop_swing_W * 900, 1e-12);   /* 15 minutes */
    CLOSE(f->battery.rack_storage_J, 65.0 * 16384, 1e-12);
    assert_true(f->battery.rack_storage_J < f->battery.step_cycle_J);          /* not even one step's excursion */
    assert_true(f->battery.rack_storage_J < 1e-3 * f->battery.capacity_J);     /* nor a dip */
    /* blended carbon: 60% of the energy from nuclear (12 g/kWh, IPCC AR5) and the rest from
     * the us-average grid (370 g/kWh, EPA eGRID2022) is 0.6 x 12 + 0.4 x 370 = 155 g/kWh */
    char y[256];
    job *j = calloc(1, sizeof *j);
    assert_int_equal(run("", NULL, 0, j, &e), AIF_OK);
    snprintf(y, sizeof y, "facility: {supply: [{kind: grid}, {kind: nuclear, price: 1USD/MWh, capacity: %.6fW, "
             "profile: [1]}]}\n", 0.6 * j->f.facility_avg_W);
    job *m = ok(y);
    CLOSE(m->f.supply.kg_per_J * 3.6e9, 0.6 * 12 + 0.4 * 370, 1e-6);
    free(j);
    free(m);
    free(s);
    free(tr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_supply_unchanged), cmocka_unit_test(test_merit_order),
        cmocka_unit_test(test_short_of_supply), cmocka_unit_test(test_profiles), cmocka_unit_test(test_battery),
        cmocka_unit_test(test_overrides), cmocka_unit_test(test_bad_input), cmocka_unit_test(test_sources),
        cmocka_unit_test(test_published),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
