/* test_facility.c -- power, cooling, grid, carbon and money: energy is the
 * integral of power, PUE is at least 1, a rack over the air limit is never
 * air-cooled, costs scale linearly where they must, bad input is rejected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "aifsim/facility.h"
#include "aifsim/run.h"
#include "aifsim/validate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facility_fixture.h"

#define CLOSE(a, b, rel) do { double a_ = (a), b_ = (b); \
    if (fabs(a_ - b_) > (rel) * fabs(b_)) fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); } while (0)

static const char *BASE = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n"
                          "train: {gbs: 64, seq: 4096, tokens: 10B}\n";

/* A whole scenario's text through the model, the facility and the money. */
static aif_rc run_text(const char *y, aif_scenario *s, aif_train_result *r, aif_facility_result *f,
                       aif_cost_result *c, aif_err *e)
{
    aif_rc rc = aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, s, e);
    if (rc)
        return rc;
    aif_facility_apply_limits(s, fd);
    if ((rc = aif_estimate(s, r, e)) || (rc = aif_facility_eval(s, fd, r, f, e)))
        return rc;
    return aif_cost_eval(s, fd, r, f, c, e);
}

/* BASE with `extra` appended. */
static aif_rc run(const char *extra, aif_scenario *s, aif_train_result *r, aif_facility_result *f, aif_cost_result *c,
                  aif_err *e)
{
    char y[2048];
    snprintf(y, sizeof y, "%s%s", BASE, extra);
    return run_text(y, s, r, f, c, e);
}

static void ok(const char *extra, aif_scenario *s, aif_train_result *r, aif_facility_result *f, aif_cost_result *c)
{
    aif_err e;
    if (run(extra, s, r, f, c, &e) != AIF_OK) {
        char b[1400];
        aif_err_format(&e, b, sizeof b);
        fail_msg("%s", b);
    }
}

static void test_energy_is_integral_of_power(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f;
    aif_cost_result c;
    ok("", &s, &r, &f, &c);
    assert_true(f.n_profile >= 2);
    /* one step: the profile integrates to average x step time */
    CLOSE(aif_energy_J(f.profile, f.n_profile, f.step_time_s), f.facility_avg_W * f.step_time_s, 1e-12);
    /* the run: average power x run time, and IT energy x PUE */
    CLOSE(f.energy_J, f.facility_avg_W * f.run_time_s, 1e-12);
    CLOSE(f.energy_J, f.it_energy_J * f.pue, 1e-12);
    /* a hand-made series */
    aif_power_point p[3] = {{0, 100}, {2, 50}, {5, 0}};
    CLOSE(aif_energy_J(p, 3, 6), 100 * 2 + 50 * 3, 1e-12);
    /* a pause: the window runs at idle power and adds its length */
    aif_scenario s2;
    aif_train_result r2;
    aif_facility_result f2;
    aif_cost_result c2;
    ok("facility: {demand_response: [{start: 1h, duration: 2h, action: pause}]}\n", &s2, &r2, &f2, &c2);
    CLOSE(f2.run_time_s, f.run_time_s + 7200, 1e-12);
    CLOSE(f2.dr_delay_s, 7200, 1e-12);
    assert_true(f2.energy_J > f.energy_J);   /* idle power during the pause is extra */
    assert_true(f2.energy_J < f.energy_J + f.facility_peak_W * 7200);
    CLOSE(c2.dr_cost_usd, c2.fixed_usd_per_hour * 2, 1e-9);
    /* the run's power series integrates to the run's energy */
    assert_int_equal(f2.n_run_profile, 3);
    CLOSE(aif_energy_J(f2.run_profile, f2.n_run_profile, f2.run_time_s), f2.energy_J, 1e-9);
    CLOSE(aif_energy_J(f.run_profile, f.n_run_profile, f.run_time_s), f.energy_J, 1e-9);
    /* a caller's own utilisation series */
    aif_activity_sample u[2] = {{0, {1, 0, 0, 0}}, {10, {0, 0, 0, 1}}};
    aif_power_point pp[2];
    aif_err pe;
    assert_int_equal(aif_site_power_series(&s2, fd, u, 2, pp, &pe), AIF_OK);
    assert_true(pp[0].power_W > pp[1].power_W && pp[1].t_s == 10);
    /* throttling to half the power delays by less than a pause of the same length */
    aif_scenario s3;
    aif_train_result r3;
    aif_facility_result f3;
    aif_cost_result c3;
    ok("facility: {demand_response: [{start: 1h, duration: 2h, action: throttle, power: 60%}]}\n", &s3, &r3, &f3, &c3);
    assert_true(f3.dr_delay_s > 0 && f3.dr_delay_s < 7200);
    /* a window after the run ends changes nothing */
    ok("facility: {demand_response: [{start: 400d, duration: 2h, action: pause}]}\n", &s3, &r3, &f3, &c3);
    CLOSE(f3.run_time_s, f.run_time_s, 1e-12);
}

/* demand response: the order windows are listed in does not matter; a window ends when
 * the work does; throttling to the full peak costs nothing */
static void test_demand_response_edges(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r;
    aif_facility_result a, b, c0;
    aif_cost_result c;
    ok("", &s, &r, &c0, &c);
    double run = c0.run_time_s, q = floor(run / 4), d1 = floor(q / 8), d2 = floor(q / 16);
    char x[512];
    snprintf(x, sizeof x, "facility: {demand_response: [{start: %.0fs, duration: %.0fs, action: pause}, "
             "{start: %.0fs, duration: %.0fs, action: pause}]}\n", q, d1, 2 * q, d2);
    ok(x, &s, &r, &a, &c);
    snprintf(x, sizeof x, "facility: {demand_response: [{start: %.0fs, duration: %.0fs, action: pause}, "
             "{start: %.0fs, duration: %.0fs, action: pause}]}\n", 2 * q, d2, q, d1);
    ok(x, &s, &r, &b, &c);
    CLOSE(a.run_time_s, b.run_time_s, 1e-12);
    CLOSE(a.energy_J, b.energy_J, 1e-12);
    CLOSE(a.run_time_s, run + d1 + d2, 1e-12);
    /* a throttle far longer than the run ends with the run */
    snprintf(x, sizeof x, "facility: {demand_response: [{start: %.0fs, duration: 1000d, action: throttle, "
             "power: 90%%}]}\n", q);
    ok(x, &s, &r, &a, &c);
    assert_true(a.run_time_s < run * 1.5 && a.run_time_s > run);
    CLOSE(aif_energy_J(a.run_profile, a.n_run_profile, a.run_time_s), a.energy_J, 1e-9);
    /* throttling to 100% of peak is no throttle */
    snprintf(x, sizeof x, "facility: {demand_response: [{start: %.0fs, duration: 1d, action: throttle, "
             "power: 100%%}]}\n", q);
    ok(x, &s, &r, &a, &c);
    CLOSE(a.run_time_s, run, 1e-12);
    assert_true(a.dr_delay_s == 0);
}

static void test_pue_and_cooling(void **state)
{
    (void)state;
    for (int c = 0; c < AIF_N_COOL; c++)
        for (int k = 0; k < AIF_N_CLIMATE; k++)
            assert_true(fd->cooling[c].pue[k] >= 1);
    /* racks of 1 to 16 DGX H100: the cooling always holds the rack */
    for (int npr = 1; npr <= 16; npr++) {
        char extra[128];
        snprintf(extra, sizeof extra, "facility: {nodes_per_rack: %d}\n", npr);
        aif_scenario s;
        aif_train_result r;
        aif_facility_result f;
        aif_cost_result c;
        ok(extra, &s, &r, &f, &c);
        assert_true(f.pue >= 1);
        if (f.rack_peak_W > s.site.rack_limit_W[AIF_COOL_AIR]) {
            assert_int_not_equal(f.cooling, AIF_COOL_AIR);
            assert_int_not_equal(f.rack_verdict, AIF_RACK_FITS_AIR);
        } else {
            assert_int_equal(f.cooling, AIF_COOL_AIR);
        }
        if (f.rack_verdict != AIF_RACK_EXCEEDS_LIQUID)
            assert_true(f.rack_peak_W <= f.rack_limit_W);
    }
    /* forcing air on racks that are too dense is the site's verdict (never an
     * air-cooled report that holds), and the job's answer is kept */
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f;
    aif_cost_result c;
    ok("facility: {cooling: air, nodes_per_rack: 8}\n", &s, &r, &f, &c);
    assert_int_equal(f.site_verdict, AIF_SITE_COOLING_SHORT);
    assert_int_equal(f.cooling, AIF_COOL_AIR);
    assert_true(f.rack_peak_W > f.rack_limit_W && fabs(f.rack_limit_W - 41e3) < 1);
    /* liquid cooling removes fan power and lowers PUE */
    aif_facility_result fl;
    ok("facility: {cooling: liquid}\n", &s, &r, &fl, &c);
    ok("facility: {cooling: air}\n", &s, &r, &f, &c);
    assert_true(fl.pue < f.pue);
    assert_true(fl.node_peak_W < f.node_peak_W);
    assert_true(fl.facility_avg_W < f.facility_avg_W);
}

static void test_costs_scale_linearly(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f;
    aif_cost_result a, b;
    ok("cost: {electricity: 0.05USD/kWh}\n", &s, &r, &f, &a);
    ok("cost: {electricity: 0.10USD/kWh}\n", &s, &r, &f, &b);
    CLOSE(b.energy_usd, 2 * a.energy_usd, 1e-12);
    CLOSE(b.capex_usd, a.capex_usd, 1e-12);
    ok("cost: {cloud: neocloud_reserved, cloud_price: 2USD}\n", &s, &r, &f, &a);
    ok("cost: {cloud: neocloud_reserved, cloud_price: 4USD}\n", &s, &r, &f, &b);
    CLOSE(b.cloud_usd, 2 * a.cloud_usd, 1e-12);
    CLOSE(a.cloud_usd, s.cluster.gpus * r.train_time_s / 3600 * 2, 1e-12);
    /* twice the GPUs at the same per-GPU job: hardware capex doubles */
    aif_scenario s2 = s;
    s2.cluster.gpus *= 2;
    s2.train.par.dp *= 2;
    s2.train.gbs *= 2;
    aif_train_result r2;
    aif_facility_result f2;
    aif_cost_result c2;
    aif_err e;
    assert_int_equal(aif_estimate(&s2, &r2, &e), AIF_OK);
    assert_int_equal(aif_facility_eval(&s2, fd, &r2, &f2, &e), AIF_OK);
    assert_int_equal(aif_cost_eval(&s2, fd, &r2, &f2, &c2, &e), AIF_OK);
    CLOSE(c2.capex_systems_usd, 2 * a.capex_systems_usd, 1e-12);
    CLOSE(c2.capex_storage_usd, 2 * a.capex_storage_usd, 1e-12);
    CLOSE(c2.capex_network_usd, 2 * a.capex_network_usd, 1e-12);
    /* break-even: at that utilisation owning costs what renting does */
    ok("", &s, &r, &f, &a);
    assert_true(a.breakeven_utilization > 0 && a.breakeven_utilization < 1);
}

static void test_grid_and_limits(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r, r2;
    aif_facility_result f, f2;
    aif_cost_result c;
    ok("facility: {power_cap: 50kW}\n", &s, &r, &f, &c);
    double per_gpu = f.it_peak_W * f.pue / s.cluster.gpus;
    CLOSE(f.gpus_under_cap, floor(50e3 / per_gpu), 1e-12);
    assert_true(f.gpus_under_cap < s.cluster.gpus);
    /* a power limit lowers the clock and slows compute, never speeds it */
    ok("", &s, &r, &f, &c);
    ok("facility: {gpu_power_limit: 450W}\n", &s, &r2, &f2, &c);
    assert_true(f2.clock_factor < 1 && f2.clock_factor > 0.5);
    double idle = fd->gpu_phase_fraction[3] * 700;
    CLOSE(f2.clock_factor, cbrt((450 - idle) / (700 - idle)), 1e-12);
    assert_true(r2.step_time_s > r.step_time_s);
    assert_true(f2.gpu_busy_W <= 450 + 1e-9);
    /* the site power interface: more work, more power */
    aif_activity lo = {0, 0, 0, 1}, mid = {0.5, 0.2, 0.1, 0.2}, hi = {1, 0, 0, 0};
    aif_site_power a, b, d;
    aif_err pe;
    assert_int_equal(aif_site_power_at(&s, fd, &lo, &a, &pe), AIF_OK);
    assert_int_equal(aif_site_power_at(&s, fd, &mid, &b, &pe), AIF_OK);
    assert_int_equal(aif_site_power_at(&s, fd, &hi, &d, &pe), AIF_OK);
    assert_true(a.facility_W < b.facility_W && b.facility_W < d.facility_W);
    assert_true(d.facility_W >= d.it_W);
}

static void test_carbon(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f, g;
    aif_cost_result c;
    ok("facility: {carbon: 370g/kWh}\n", &s, &r, &f, &c);
    CLOSE(f.co2_kg, f.energy_J / 3.6e6 * 0.370, 1e-12);
    char path[] = "/tmp/aifsim-carbon-XXXXXX";
    int fdesc = mkstemp(path);
    assert_true(fdesc >= 0);
    const char *csv = "hour,g_per_kwh\r\n0,370\r\n1,370\r\n   \r\n2, 370\r\n\r\n";   /* CRLF, blank lines */
    assert_int_equal(write(fdesc, csv, strlen(csv)), (ssize_t)strlen(csv));
    close(fdesc);
    char csvpath[64];
    snprintf(csvpath, sizeof csvpath, "%s.csv", path);
    assert_int_equal(rename(path, csvpath), 0);
    char extra[160];
    snprintf(extra, sizeof extra, "facility: {carbon: %s}\n", csvpath);
    ok(extra, &s, &r, &g, &c);
    CLOSE(g.co2_kg, f.co2_kg, 1e-9);
    /* a bad line is an error naming the file and line */
    FILE *fp = fopen(csvpath, "w");
    fputs("g_per_kWh\n370\n380\nlots\n", fp);
    fclose(fp);
    aif_err e;
    assert_int_equal(run(extra, &s, &r, &g, &c, &e), AIF_EINPUT);
    assert_int_equal(e.line, 4);
    /* the series is read once, when the scenario is bound: removing the file afterwards
     * changes nothing, and evaluating twice gives the same figure */
    fp = fopen(csvpath, "w");
    fputs("hour,g_per_kwh\n0,100\n1,500\n2,300\n", fp);
    fclose(fp);
    aif_facility_result h1, h2;
    ok(extra, &s, &r, &h1, &c);
    assert_int_equal(s.site.n_carbon_hours, 3);
    unlink(csvpath);
    assert_int_equal(aif_facility_eval(&s, fd, &r, &h2, &e), AIF_OK);
    assert_true(h2.co2_kg == h1.co2_kg);
    aif_scenario copy = s;   /* still plain data: a copy evaluates the same */
    assert_int_equal(aif_facility_eval(&copy, fd, &r, &h2, &e), AIF_OK);
    assert_true(h2.co2_kg == h1.co2_kg);
    assert_true(h1.co2_kg != f.co2_kg);
    /* a bad file still names file:line, at load time, with the field path */
    fp = fopen(csvpath, "w");
    fputs("hour,g_per_kWh\n0,370\n1,-5\n", fp);
    fclose(fp);
    char y[512];
    snprintf(y, sizeof y, "%s%s", BASE, extra);
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_string_equal(e.file, csvpath);
    assert_int_equal(e.line, 3);
    assert_string_equal(e.path, "facility.carbon");
    char shown[1400];
    aif_err_format(&e, shown, sizeof shown);
    char want[128];
    snprintf(want, sizeof want, "%s:3", csvpath);
    assert_non_null(strstr(shown, want));
    unlink(csvpath);
    /* at most one leap year of hours: the scenario keeps them in a fixed array */
    fp = fopen(csvpath, "w");
    fputs("hour,g_per_kWh\n", fp);
    for (int h = 0; h <= AIF_MAX_CARBON_HOURS; h++)
        fprintf(fp, "%d,370\n", h);
    fclose(fp);
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_int_equal(e.line, AIF_MAX_CARBON_HOURS + 2);
    assert_non_null(strstr(e.msg, "one leap year"));
    unlink(csvpath);
    /* a missing file is an error at load time too */
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_EIO);
    assert_string_equal(e.path, "facility.carbon");
    /* cleaner grids emit less for the same energy */
    ok("facility: {carbon: france}\n", &s, &r, &g, &c);
    assert_true(g.co2_kg < f.co2_kg);
    assert_true(g.embodied_co2_kg > 0);
    assert_true(g.water_L > 0);
    ok("facility: {heat_rejection: dry}\n", &s, &r, &f, &c);
    assert_true(f.water_L < g.water_L);
}

/* The carbon CSV is read strictly: each way it used to be misread silently (lines
 * before the first number skipped, only the last column read, the hour column
 * ignored, an unbalanced quote accepted) is now an error naming the line. */
static void test_carbon_strict(void **state)
{
    (void)state;
    static const struct { const char *csv; int line; const char *msg; } bad[] = {
        {"Grid intensity, 2024\nsource: grid operator\n0,370\n", 1, "no g_per_kWh column"},
        {"370\n380\n", 1, "must be a header"},
        {"hour,g_per_kWh\n0,370,99\n", 2, "3 cells, the header has 2"},
        {"hour,g_per_kWh\n0,370\n1\n", 3, "1 cells, the header has 2"},
        {"hour,g_per_kWh\n1,370\n0,380\n", 2, "hour '1' where hour 0 was expected"},
        {"hour,g_per_kWh\n0,370\n2,380\n", 3, "hour '2' where hour 1"},
        {"hour,g_per_kWh\n0,370\n0,380\n", 3, "hour '0' where hour 1"},
        {"hour,g_per_kWh\n0,370\n1.5,380\n", 3, "hour '1.5'"},
        {"hour,g_per_kWh\n0,370\n\n1,\"380\n2,390\n", 4, "malformed CSV"},
        {"hour,g_per_kWh\n0,\"37\"0\n", 2, "malformed CSV"},
        {"hour,g_per_kWh\n0,370\n1,\n", 3, "is not a number"},
        {"hour,g_per_kWh\n0,3x\n", 2, "'3x' is not a number"},
        {"hour,g_per_kWh,g_per_kwh\n0,1,2\n", 1, "names a column twice"},
        {"hour,g_per_kWh\n", 0, "no hourly intensities"},
        {"\n\n", 0, "empty"},
    };
    char path[] = "/tmp/aifsim-carbon-XXXXXX";
    int fdesc = mkstemp(path);
    assert_true(fdesc >= 0);
    close(fdesc);
    char csvpath[64];
    snprintf(csvpath, sizeof csvpath, "%s.csv", path);
    assert_int_equal(rename(path, csvpath), 0);
    char extra[160];
    snprintf(extra, sizeof extra, "facility: {carbon: %s}\n", csvpath);
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f, g;
    aif_cost_result c;
    aif_err e;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        FILE *fp = fopen(csvpath, "w");
        fputs(bad[i].csv, fp);
        fclose(fp);
        e.msg[0] = '\0';
        aif_rc rc = run(extra, &s, &r, &g, &c, &e);
        if (rc != AIF_EINPUT || e.line != bad[i].line || !strstr(e.msg, bad[i].msg) || strcmp(e.file, csvpath) ||
            strcmp(e.path, "facility.carbon"))
            fail_msg("case %zu: rc %d line %d '%s', expected line %d '%s'", i, rc, e.line, e.msg, bad[i].line,
                     bad[i].msg);
    }
    /* accepted: one named column (hours in row order); named columns in any order and
     * case, extra columns, quotes, a byte-order mark, CRLF and blank lines */
    ok("facility: {carbon: 370g/kWh}\n", &s, &r, &f, &c);
    static const char *const good[] = {
        "g_per_kWh\n370\n370\n\n370\n",
        "\xEF\xBB\xBFregion,G_PER_KWH,Hour\r\nus,370,0\r\n\"us\",\"370\",\"1\"\r\n",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        FILE *fp = fopen(csvpath, "w");
        fputs(good[i], fp);
        fclose(fp);
        ok(extra, &s, &r, &g, &c);
        CLOSE(g.co2_kg, f.co2_kg, 1e-9);
    }
    /* the value column is the one named, not the last: 0,370,99 was read as 99 g/kWh */
    FILE *fp = fopen(csvpath, "w");
    fputs("hour,g_per_kWh,note\n0,370,99\n", fp);
    fclose(fp);
    ok(extra, &s, &r, &g, &c);
    assert_true(s.site.n_carbon_hours == 1 && s.site.carbon_g_per_kWh[0] == 370.0f);
    unlink(csvpath);
}

/* A site that cannot hold the job is a verdict with its numbers, not an error that
 * hides the job's answer (before: exit 2 on facility.nodes_per_rack, no step time). */
static void test_site_verdict(void **state)
{
    (void)state;
    aif_scenario s;
    aif_train_result r0, r;
    aif_facility_result f;
    aif_cost_result c;
    ok("", &s, &r0, &f, &c);
    assert_int_equal(f.site_verdict, AIF_SITE_HOLDS);
    ok("facility: {nodes_per_rack: 8, rack_limit_rdhx: 65kW, rack_limit_liquid: 50kW, rack_limit_immersion: 60kW}\n", &s, &r, &f, &c);
    assert_int_equal(f.site_verdict, AIF_SITE_NO_COOLING);
    assert_true(f.rack_peak_W > f.rack_limit_W);
    double strongest = 0;   /* the verdict names the strongest cooling (here the rear door, 65 kW) */
    for (int k = 0; k < AIF_N_COOL; k++)
        strongest = fmax(strongest, s.site.rack_limit_W[k]);
    CLOSE(f.rack_limit_W, strongest, 0);
    assert_int_equal(f.cooling, AIF_COOL_RDHX);
    assert_true(r.step_time_s == r0.step_time_s && f.energy_J > 0 && c.capex_usd > 0);
    ok("facility: {power_cap: 50kW}\n", &s, &r, &f, &c);
    assert_int_equal(f.site_verdict, AIF_SITE_OVER_CAP);
    assert_true(f.gpus_under_cap < s.cluster.gpus);
    assert_string_equal(aif_site_verdict_names[AIF_SITE_NO_COOLING], "no_cooling");
    assert_null(aif_site_verdict_names[AIF_N_SITE_VERDICT]);

    /* through the pipeline: a node size that is not the system's is a note naming it,
     * and the job's answer and the site's verdict both come back */
    static aif_train_run run_;
    aif_err e;
    const char *y = "cluster: {system: gb200-nvl72, gpus: 576, gpus_per_node: 72}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run_, &e), AIF_OK);
    assert_int_equal(run_.n_notes, 1);
    assert_string_equal(run_.notes[0].path, "cluster.gpus_per_node");
    assert_non_null(strstr(run_.notes[0].msg, "gb200-nvl72 nodes are trays of 4 GPUs in an NVLink domain of 72; "
                                             "you set 72 per node"));
    assert_true(run_.train.step_time_s > 0);
    assert_int_equal(run_.facility.site_verdict, AIF_SITE_NO_COOLING);
    y = "cluster: {system: gb200-nvl72, gpus: 576}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run_, &e), AIF_OK);
    assert_int_equal(run_.n_notes, 0);
    assert_int_equal(run_.facility.site_verdict, AIF_SITE_HOLDS);

    /* the site alone (aifsim facility when the job's layout does not divide): sized as
     * the job's own site at peak, with no run */
    static aif_train_run site;
    y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\ntrain: {tp: 3}\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_EINPUT);
    assert_int_equal(aif_scenario_parse_sections(cat, y, strlen(y), "t.yaml", NULL, 0,
                                                 AIF_SECTION_CLUSTER | AIF_SECTION_SITE, &s, &e), AIF_OK);
    assert_int_equal(aif_run_site(cat, &s, &site, &e), AIF_OK);
    y = "cluster: {system: dgx-h100, gpus: 64}\nmodel: llama3-8b\n";
    assert_int_equal(aif_scenario_parse(cat, y, strlen(y), "t.yaml", NULL, 0, &s, &e), AIF_OK);
    assert_int_equal(aif_run_train(cat, &s, NULL, &run_, &e), AIF_OK);
    assert_true(site.site_only && !run_.site_only);
    assert_int_equal(site.facility.racks, run_.facility.racks);
    CLOSE(site.facility.facility_peak_W, run_.facility.facility_peak_W, 1e-12);
    CLOSE(site.cost.capex_usd, run_.cost.capex_usd, 1e-12);
    assert_true(site.train.step_time_s == 0 && site.facility.energy_J == 0);
}

static void test_bad_site_input(void **state)
{
    (void)state;
    static const struct { const char *extra, *path, *msg; } bad[] = {
        {"cost: {electricity: -0.1USD/kWh}\n", "cost.electricity", "negative"},
        {"cost: {electricity: 0.1}\n", "cost.electricity", "no unit"},
        {"cost: {electricity: 0.1USD}\n", "cost.electricity", "is money"},
        {"cost: {cloud_price: -2USD}\n", "cost.cloud_price", "negative"},
        {"cost: {cloud: aws}\n", "cost.cloud", "accepted: hyperscaler_on_demand"},
        {"cost: {gpu_price: 0USD}\n", "cost.gpu_price", "out of range"},
        {"facility: {cooling: water}\n", "facility.cooling", "accepted: air, rdhx, liquid, immersion, auto"},
        {"facility: {cooling: liquidd}\n", "facility.cooling", "did you mean 'liquid'"},
        {"facility: {climate: tropical}\n", "facility.climate", "accepted: cold, temperate, hot"},
        {"facility: {power_cap: -5MW}\n", "facility.power_cap", "negative"},
        {"facility: {power_cap: 5}\n", "facility.power_cap", "no unit"},
        {"facility: {gpu_power_limit: 900W}\n", "facility.gpu_power_limit", "above the h100-sxm's TDP"},
        {"facility: {gpu_power_limit: 1W}\n", "facility.gpu_power_limit", "below the h100-sxm's idle power"},
        {"facility: {power_cap: 1e300GW}\n", "facility.power_cap", "too large"},
        {"facility: {carbon: 1e308t/MWh}\n", "facility.carbon", "no region"},
        {"facility: {pue: 0.9}\n", "facility.pue", "out of range"},
        {"facility: {rack_limit_air: -1kW}\n", "facility.rack_limit_air", "negative"},
        {"facility: {carbon: mars}\n", "facility.carbon", "no region"},
        {"facility: {carbon: 400W}\n", "facility.carbon", "no region"},
        {"facility: {demand_response: {start: 1d}}\n", "facility.demand_response", "expected a list"},
        {"facility: {demand_response: [{start: 1d, duration: 1h}]}\n", "facility.demand_response[0]", "needs start, duration and action"},
        {"facility: {demand_response: [{start: 1d, duration: 1h, action: throttle}]}\n", "facility.demand_response[0]", "needs power"},
        {"facility: {demand_response: [{start: 1d, duration: 1h, action: nap}]}\n", "facility.demand_response[0].action", "accepted: pause, throttle"},
        {"facility: {demand_response: [{start: 1d, duration: 5h, action: pause}, {start: 1d, duration: 1h, action: pause}]}\n",
         "facility.demand_response[1]", "overlaps"},
        {"facility: {colling: air}\n", "facility.colling", "did you mean 'cooling'"},
        {"cost: {electrcity: 0.1USD/kWh}\n", "cost.electrcity", "did you mean 'electricity'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        aif_scenario s;
        aif_train_result r;
        aif_facility_result f;
        aif_cost_result c;
        aif_err e;
        memset(&e, 0, sizeof e);
        aif_rc rc = run(bad[i].extra, &s, &r, &f, &c, &e);
        if (rc != AIF_EINPUT)
            fail_msg("case %zu accepted: %s", i, bad[i].extra);
        if (strcmp(e.path, bad[i].path) || !strstr(e.msg, bad[i].msg))
            fail_msg("case %zu: %s: %s (expected %s: ...%s...)", i, e.path, e.msg, bad[i].path, bad[i].msg);
        assert_true(e.line > 0);
    }
}

/* The network's power follows the topology the scenario describes: a full fabric
 * is charged for exactly its links, an oversubscribed one for fewer uplinks, a job on
 * one node for none; a fabric that cannot be built is an error naming its field. */
static aif_rc net_power(const char *cluster, aif_facility_result *f, aif_err *e)
{
    char y[512];
    snprintf(y, sizeof y, "cluster: %s\nmodel: llama3-8b\ntrain: {seq: 4096}\n", cluster);
    aif_scenario s;
    aif_train_result r;
    aif_rc rc = aif_scenario_parse(cat, y, strlen(y), "n.yaml", NULL, 0, &s, e);
    if (!rc)
        rc = aif_estimate(&s, &r, e);
    return rc ? rc : aif_facility_eval(&s, fd, &r, f, e);
}

static void test_network_power(void **state)
{
    (void)state;
    aif_facility_result f;
    aif_err e;
    double port = fd->switch_per_port_W, optic = fd->optic_per_port_W;
    /* 2048 nodes x 8 rails on radix-64 leaves: every leaf full, three tiers, one NIC cable,
     * one leaf-spine and one spine-core cable per NIC */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 16384}", &f, &e), AIF_OK);
    assert_int_equal(f.fabric_tiers, 3);
    CLOSE(f.network_W, 16384 * (5 * port + 6 * optic), 1e-12);
    /* 8 nodes, rail-optimized: 8 leaves (one per rail) and a spine tier between rails */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 64}", &f, &e), AIF_OK);
    assert_int_equal(f.fabric_tiers, 2);
    CLOSE(f.network_W, 64 * (3 * port + 4 * optic), 1e-12);
    double full = f.network_W;
    /* oversubscribed 3:1 (48 down, 16 up per leaf): a third of the uplinks */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 64, network: {oversubscription: 3}}", &f, &e), AIF_OK);
    CLOSE(f.network_W, 64 * (port + 2 * optic) + 64.0 * 16 / 48 * (2 * port + 2 * optic), 1e-12);
    assert_true(f.network_W < full);
    /* every NIC on one leaf: one tier, no uplinks */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 32, network: {topology: fat-tree}}", &f, &e), AIF_OK);
    assert_int_equal(f.fabric_tiers, 1);
    CLOSE(f.network_W, 32 * (port + 2 * optic), 1e-12);
    /* two planes: every NIC cable twice */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 32, network: {topology: fat-tree, planes: 2}}", &f, &e),
                     AIF_OK);
    CLOSE(f.network_W, 64 * (port + 2 * optic), 1e-12);
    /* one node: no scale-out switch */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 8}", &f, &e), AIF_OK);
    assert_int_equal(f.fabric_tiers, 0);
    assert_true(f.network_W == 0);
    /* a fabric the topology cannot build */
    assert_int_equal(net_power("{system: dgx-h100, gpus: 16384, network: {radix: 8}}", &f, &e), AIF_EINPUT);
    assert_string_equal(e.path, "cluster.network.radix");
}

static void test_power_checks(void **state)
{
    (void)state;
    /* a DGX H100 at full load: 8 GPUs at their 700 W limit (peak is the board limit, though
     * compute-bound kernels average power.gpu_compute_fraction of it) and the host as measured
     * under training load (2,750 W
     * with its air-cooled fans, data/systems.yaml), not the datasheet's 10.2 kW */
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f;
    aif_cost_result c;
    ok("facility: {cooling: air}\n", &s, &r, &f, &c);
    CLOSE(f.node_peak_W, 8 * 700 + 2750, 1e-9);
    CLOSE(f.rack_peak_W, 4 * (8 * 700 + 2750), 1e-9);
    /* a node's average is its GPUs' average and the host */
    CLOSE(f.node_avg_W, 8 * f.gpu_avg_W + 2750, 1e-9);
}

/* The measurement dgx-h100's host power comes from (data/systems.yaml: MLPerf Training v4.0,
 * Sustainable Metal Cloud, one node of 8 H100 in immersion, Llama 2 70B LoRA, median node power
 * 7,264 W at the AC input): the same job through the model reproduces it within 1%, so a change
 * to the GPUs' phase power that would move the host's derivation is seen here. */
static void test_host_power_calibration(void **state)
{
    (void)state;
    const char *y = "cluster: {system: dgx-h100, gpus: 8}\nmodel: llama2-70b\nfacility: {cooling: immersion}\n"
                    "train: {tp: 4, pp: 1, cp: 1, mbs: 1, gbs: 8, seq: 8192, precision: fp8, recompute: none, "
                    "lora: {rank: 16, targets: attention}}\n";
    aif_scenario s;
    aif_train_result r;
    aif_facility_result f;
    aif_cost_result c;
    aif_err e;
    assert_int_equal(run_text(y, &s, &r, &f, &c, &e), AIF_OK);
    CLOSE(f.node_avg_W, 7264, 0.01);
}

/* The measured rows of validation/power.yaml: each training node's power within 10% of its
 * measurement (the host's derivation used none of them); a node_train row without its job, or
 * whose job runs on another system than it names, and a job on a kind that runs none, are
 * errors that name the row. */
static void test_measured_power_rows(void **state)
{
    (void)state;
    aif_power_row rows[64];
    aif_err e;
    int n = aif_validate_power(cat, rows, 64, &e), trained = 0;
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        const aif_power_check *pc = &fd->checks[i];
        assert_string_equal(rows[i].id, pc->id);
        if (pc->kind != AIF_CHECK_NODE_TRAIN && pc->kind != AIF_CHECK_NODE_MAX)
            continue;
        trained++;
        if (fabs(rows[i].err) > 0.10)
            fail_msg("%s: predicted %.0f W, measured %.0f W", rows[i].id, rows[i].predicted_W, rows[i].measured_W);
    }
    assert_true(trained >= 4);
    for (int i = 0; i < fd->n_checks; i++)
        if (fd->checks[i].kind == AIF_CHECK_NODE_TRAIN) {
            aif_power_check *pc = (aif_power_check *)&fd->checks[i];   /* the test's own catalog */
            char job[sizeof pc->job];
            memcpy(job, pc->job, sizeof job);
            pc->job[0] = 0;
            int m = aif_validate_power(cat, rows, 64, &e);
            memcpy(pc->job, job, sizeof job);
            assert_int_equal(m, -1);
            char msg[1400];
            aif_err_format(&e, msg, sizeof msg);
            assert_non_null(strstr(msg, pc->id));
            assert_non_null(strstr(msg, "needs the training job"));
            /* a job on another system than the row names */
            char sys[sizeof pc->system];
            memcpy(sys, pc->system, sizeof sys);
            snprintf(pc->system, sizeof pc->system, "%s", strcmp(sys, "hgx-b200") ? "hgx-b200" : "dgx-h100");
            m = aif_validate_power(cat, rows, 64, &e);
            memcpy(pc->system, sys, sizeof sys);
            assert_int_equal(m, -1);
            aif_err_format(&e, msg, sizeof msg);
            assert_non_null(strstr(msg, "its job runs on"));
            break;
        }
    for (int i = 0; i < fd->n_checks; i++)   /* a job where the kind runs none */
        if (fd->checks[i].kind == AIF_CHECK_NODE_MAX || fd->checks[i].kind == AIF_CHECK_SWING) {
            aif_power_check *pc = (aif_power_check *)&fd->checks[i];
            snprintf(pc->job, sizeof pc->job, "{model: llama3-8b}");
            int m = aif_validate_power(cat, rows, 64, &e);
            pc->job[0] = 0;
            assert_int_equal(m, -1);
            char msg[1400];
            aif_err_format(&e, msg, sizeof msg);
            assert_non_null(strstr(msg, "runs no job of its own"));
            break;
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_energy_is_integral_of_power), cmocka_unit_test(test_demand_response_edges),
        cmocka_unit_test(test_pue_and_cooling),
        cmocka_unit_test(test_costs_scale_linearly), cmocka_unit_test(test_grid_and_limits),
        cmocka_unit_test(test_carbon), cmocka_unit_test(test_carbon_strict), cmocka_unit_test(test_site_verdict), cmocka_unit_test(test_bad_site_input), cmocka_unit_test(test_power_checks),
        cmocka_unit_test(test_host_power_calibration), cmocka_unit_test(test_measured_power_rows),
        cmocka_unit_test(test_network_power),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
