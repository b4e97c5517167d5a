/* supply.c -- the scenario's facility.supply (the site's energy sources) and
 * facility.battery into aif_site, on top of data/facility.yaml's defaults per kind.
 *
 *   supply:  [{kind: grid|ppa_solar|ppa_wind|nuclear|gas_turbine,
 *              capacity: 20MW | share: 50%,      (nameplate; share of the site's facility peak)
 *              price: 60USD/MWh, carbon: REGION | 12g/kWh,
 *              profile: FILE.csv | [hourly capacity factors]}]
 *   battery: auto | {capacity: 4MWh, power: 10MW, efficiency: 0.85, ride_through: 15min}
 *
 * Invariants: at most AIF_MAX_SUPPLY sources and one grid; every source other than the
 * grid has a capacity or a share (not both); a profile holds 1 to AIF_MAX_SUPPLY_HOURS
 * capacity factors in [0, 1] (a CSV is read here, once, like facility.carbon's, so
 * evaluating reads no file); the grid's price and carbon left unset stay negative and
 * mean the site's own (cost.electricity, facility.carbon), resolved when the site is
 * evaluated, since the cost section is bound after this one. */
#include "scenario/bind.h"
#include "scenario/facility.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct src_in { int kind; double capacity_W, share, price; } src_in;
enum { SI_KIND, SI_CAP, SI_SHARE, SI_PRICE };
static const field src_fields[] = {
    {.key = "kind", .type = F_ENUM, .off = offsetof(src_in, kind), .names = aif_supply_kind_names},
    {.key = "capacity", .type = F_QTY, .off = offsetof(src_in, capacity_W), .qty = AIF_Q_POWER, .min = 1, .max = 1e11},
    {.key = "share", .type = F_QTY, .off = offsetof(src_in, share), .qty = AIF_Q_FRACTION, .min = 0.001, .max = 10},
    {.key = "price", .type = F_QTY, .off = offsetof(src_in, price), .qty = AIF_Q_ENERGY_PRICE, .max = 1e-5},
};
static const char *const src_skip[] = {"carbon", "profile", NULL};
static const schema src_schema = {src_fields, sizeof src_fields / sizeof src_fields[0], src_skip};

typedef struct bat_in { double capacity_J, power_W, efficiency, ride_through_s; } bat_in;
enum { BI_CAP, BI_POWER, BI_EFF, BI_RIDE };
static const field bat_fields[] = {
    {.key = "capacity", .type = F_QTY, .off = offsetof(bat_in, capacity_J), .qty = AIF_Q_ENERGY, .min = 1},
    {.key = "power", .type = F_QTY, .off = offsetof(bat_in, power_W), .qty = AIF_Q_POWER, .min = 1, .max = 1e11},
    {.key = "efficiency", .type = F_QTY, .off = offsetof(bat_in, efficiency), .qty = AIF_Q_FRACTION, .min = 0.01, .max = 1},
    {.key = "ride_through", .type = F_QTY, .off = offsetof(bat_in, ride_through_s), .qty = AIF_Q_TIME, .min = 1,
     .max = 31 * 86400.0},
};
static const schema bat_schema = {bat_fields, sizeof bat_fields / sizeof bat_fields[0], NULL};

static const aif_hourly_spec profile_spec = {
    .field = NULL, .column = "capacity_factor", .plural = "capacity factors", .span = "one week",
    .series = "profile repeats, so give one week", .holds = "capacity factor, 0 to 1",
    .range = "a capacity factor between 0 and 1", .max = 1, .max_hours = AIF_MAX_SUPPLY_HOURS};

/* A source's carbon: a region of data/facility.yaml or an intensity. */
static aif_rc bind_source_carbon(const bind_ctx *bc, aif_supply_source *src, const ynode *v, const char *path)
{
    const aif_facility_data *fd = bc->fd;
    if (v->kind != Y_SCALAR)
        return bind_error(bc, v, path, "expected a region (e.g. france) or an intensity (e.g. 12g/kWh)");
    for (int i = 0; i < fd->n_carbon; i++)
        if (!strcmp(fd->carbon[i].name, v->s)) {
            src->carbon_kg_per_J = fd->carbon[i].value;
            aif_strlcpy(src->region, v->s, sizeof src->region);
            return AIF_OK;
        }
    double x;
    char why[256];
    if (aif_parse_qty(v->s, AIF_Q_CARBON, &x, why, sizeof why) == 0) {
        if (x > 1e4 * 1e-3 / 3.6e6)
            return bind_error(bc, v, path, "%s is out of range (accepted: 0 to 10000 g/kWh)", v->s);
        src->carbon_kg_per_J = x;
        return AIF_OK;
    }
    const char *names[64];
    int k = 0;
    for (int i = 0; i < fd->n_carbon && k < 64; i++)
        names[k++] = fd->carbon[i].name;
    int d = aif_did_you_mean(v->s, names, k);
    return bind_error(bc, v, path, "'%s' is no region or intensity%s%s%s (regions as facility.carbon's, e.g. "
                      "us-average, france; intensities such as 12g/kWh)", v->s, d >= 0 ? "; did you mean '" : "",
                      d >= 0 ? names[d] : "", d >= 0 ? "'?" : "");
}

/* A source's profile: a CSV file (hour,capacity_factor) or a list of hourly factors. */
static aif_rc bind_profile(const bind_ctx *bc, aif_supply_source *src, const ynode *v, const char *path)
{
    if (v->kind == Y_SEQ) {
        if (v->n < 1 || v->n > AIF_MAX_SUPPLY_HOURS)
            return bind_error(bc, v, path, "%d hourly capacity factors; a profile holds 1 to %d (24 for a day, 168 "
                              "for a week; it repeats)", v->n, AIF_MAX_SUPPLY_HOURS);
        for (int h = 0; h < v->n; h++) {
            const ynode *x = v->kids[h];
            char *end;
            double f = x->kind == Y_SCALAR ? strtod(x->s, &end) : -1;
            if (x->kind != Y_SCALAR || !x->s[0] || *end || !(f >= 0 && f <= 1))
                return bind_error(bc, x, path, "hour %d: '%s' is not a capacity factor from 0 to 1", h,
                                  x->kind == Y_SCALAR ? x->s : "(not a value)");
            src->cf[h] = (float)f;
        }
        src->n_hours = v->n;
        return AIF_OK;
    }
    size_t n = v->kind == Y_SCALAR ? strlen(v->s) : 0;
    if (n <= 4 || strcasecmp(v->s + n - 4, ".csv"))
        return bind_error(bc, v, path, "expected a CSV file (hour,capacity_factor) or a list of hourly capacity "
                          "factors from 0 to 1, e.g. [0, 0.2, 0.6, 0.2]");
    if (aif_resolve_path(v->origin, v->s, src->profile_csv, sizeof src->profile_csv) != 0)
        return bind_error(bc, v, path, "file name too long");
    aif_hourly_spec sp = profile_spec;
    sp.field = path;
    int k = 0;
    aif_rc rc = aif_hourly_csv_read(src->profile_csv, &sp, src->cf, &k, bc->err);
    src->n_hours = k;
    return rc;
}

static aif_rc bind_sources(const bind_ctx *bc, aif_site *site, const ynode *v)
{
    const aif_facility_data *fd = bc->fd;
    if (v->kind != Y_SEQ)
        return bind_error(bc, v, "facility.supply", "expected a list of sources, e.g. [{kind: grid}, {kind: ppa_solar, "
                          "capacity: 50MW}]");
    if (v->n < 1 || v->n > AIF_MAX_SUPPLY)
        return bind_error(bc, v, "facility.supply", "%d sources; a supply lists 1 to %d", v->n, AIF_MAX_SUPPLY);
    int grids = 0;
    for (int i = 0; i < v->n; i++) {
        char path[64], sub[80];
        snprintf(path, sizeof path, "facility.supply[%d]", i);
        src_in in = {0, 0, 0, 0};
        uint64_t set = 0;
        aif_rc rc = bind_map(bc, v->kids[i], &src_schema, &in, path, &set);
        if (rc)
            return rc;
        if (!(set & (1u << SI_KIND)))
            return bind_error(bc, v->kids[i], path, "a source needs kind (accepted: grid, ppa_solar, ppa_wind, nuclear, "
                              "gas_turbine)");
        if ((set & (1u << SI_CAP)) && (set & (1u << SI_SHARE)))
            return bind_error(bc, v->kids[i], path, "give capacity or share, not both");
        if (in.kind != AIF_SUPPLY_GRID && !(set & ((1u << SI_CAP) | (1u << SI_SHARE))))
            return bind_error(bc, v->kids[i], path, "a %s source needs its capacity (e.g. 50MW) or share (of the "
                              "site's facility peak, e.g. 40%%)", aif_supply_kind_names[in.kind]);
        if (in.kind == AIF_SUPPLY_GRID && ++grids > 1)
            return bind_error(bc, v->kids[i], path, "a second grid source; a site has one grid connection (its "
                              "capacity is facility.power_cap or the source's capacity)");
        aif_supply_source *src = &site->supply[i];
        memset(src, 0, sizeof *src);
        src->kind = in.kind;
        src->capacity_W = in.capacity_W;
        src->share = in.share;
        const aif_supply_data *d = &fd->supply[in.kind];
        src->usd_per_J = (set & (1u << SI_PRICE)) ? in.price : in.kind == AIF_SUPPLY_GRID ? -1 : d->usd_per_J;
        src->carbon_kg_per_J = in.kind == AIF_SUPPLY_GRID ? -1 : d->carbon_kg_per_J;
        src->n_hours = 24;
        for (int h = 0; h < 24; h++)
            src->cf[h] = (float)d->cf[h];
        const ynode *c = ynode_get(v->kids[i], "carbon");
        if (c && (rc = bind_source_carbon(bc, src, c, bind_path(sub, sizeof sub, path, "carbon"))))
            return rc;
        const ynode *p = ynode_get(v->kids[i], "profile");
        if (p && (rc = bind_profile(bc, src, p, bind_path(sub, sizeof sub, path, "profile"))))
            return rc;
    }
    site->n_supply = v->n;
    return AIF_OK;
}

static aif_rc bind_battery(const bind_ctx *bc, aif_site *site, const ynode *v)
{
    const aif_facility_data *fd = bc->fd;
    aif_battery *b = &site->battery;
    memset(b, 0, sizeof *b);
    b->efficiency = fd->battery_efficiency;
    b->ride_through_s = fd->battery_ride_through_s;
    if (v->kind == Y_SCALAR && !strcmp(v->s, "auto")) {
        b->mode = AIF_BATTERY_AUTO;
        return AIF_OK;
    }
    if (v->kind == Y_SCALAR && !strcmp(v->s, "none")) {
        b->mode = AIF_BATTERY_NONE;
        return AIF_OK;
    }
    if (v->kind != Y_MAP)
        return bind_error(bc, v, "facility.battery", "expected auto (sized to the job's swing), none, or {capacity: "
                          "4MWh, power: 10MW, efficiency: 85%%, ride_through: 15min}");
    bat_in in = {0, 0, 0, 0};
    uint64_t set = 0;
    aif_rc rc = bind_map(bc, v, &bat_schema, &in, "facility.battery", &set);
    if (rc)
        return rc;
    if ((set & (1u << BI_CAP)) && (set & (1u << BI_POWER))) {
        b->mode = AIF_BATTERY_GIVEN;
        b->capacity_J = in.capacity_J;
        b->power_W = in.power_W;
    } else if ((set & (1u << BI_CAP)) || (set & (1u << BI_POWER))) {
        return bind_error(bc, v, "facility.battery", "give both capacity (e.g. 4MWh) and power (e.g. 10MW), or "
                          "neither to size the battery to the job's swing");
    } else {
        b->mode = AIF_BATTERY_AUTO;   /* efficiency or ride_through alone: sized, with those */
    }
    if (set & (1u << BI_EFF))
        b->efficiency = in.efficiency;
    if (set & (1u << BI_RIDE))
        b->ride_through_s = in.ride_through_s;
    return AIF_OK;
}

aif_rc aif_supply_bind(const bind_ctx *bc, aif_scenario *s, const ynode *supply, const ynode *battery)
{
    aif_rc rc;
    if (supply && (rc = bind_sources(bc, &s->site, supply)))
        return rc;
    if (battery && (rc = bind_battery(bc, &s->site, battery)))
        return rc;
    return AIF_OK;
}
