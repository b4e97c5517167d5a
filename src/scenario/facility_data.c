/* facility_data.c -- loads data/facility.yaml (cooling types, water, grid carbon,
 * embodied carbon, power fractions, prices, cloud and API prices, published power
 * figures) into the catalog's aif_facility_data.  Same error conventions as every
 * other file: file:line:col, field path, what is accepted. */
#include "scenario/catalog.h"
#include "scenario/facility.h"

#include <stdlib.h>
#include <string.h>

static const char *const skip_meta[] = {"sources", "notes", "description", NULL};

typedef struct cool_in { double rack_limit_W, pue_cold, pue_temperate, pue_hot, fan_fraction, capex_per_mw; } cool_in;
static const field cool_fields[] = {
    {.key = "rack_limit", .type = F_QTY, .off = offsetof(cool_in, rack_limit_W), .qty = AIF_Q_POWER, .min = 1},
    {.key = "pue_cold", .type = F_NUM, .off = offsetof(cool_in, pue_cold), .min = 1, .max = 5},
    {.key = "pue_temperate", .type = F_NUM, .off = offsetof(cool_in, pue_temperate), .min = 1, .max = 5},
    {.key = "pue_hot", .type = F_NUM, .off = offsetof(cool_in, pue_hot), .min = 1, .max = 5},
    {.key = "fan_fraction", .type = F_NUM, .off = offsetof(cool_in, fan_fraction), .min = 0, .max = 0.5},
    {.key = "capex_per_mw", .type = F_QTY, .off = offsetof(cool_in, capex_per_mw), .qty = AIF_Q_MONEY},
};
static const schema cool_schema = {cool_fields, sizeof cool_fields / sizeof cool_fields[0], skip_meta};

typedef struct water_in { double evap, dry; } water_in;
static const field water_fields[] = {
    {.key = "evaporative_wue", .type = F_NUM, .off = offsetof(water_in, evap), .min = 0, .max = 100},
    {.key = "dry_wue", .type = F_NUM, .off = offsetof(water_in, dry), .min = 0, .max = 100},
};
static const schema water_schema = {water_fields, 2, skip_meta};

static const field power_fields[] = {
    {.key = "gpu_compute_fraction", .type = F_NUM, .off = offsetof(aif_facility_data, gpu_phase_fraction[0]), .min = 0, .max = 1.5},
    {.key = "gpu_memory_fraction", .type = F_NUM, .off = offsetof(aif_facility_data, gpu_phase_fraction[1]), .min = 0, .max = 1.5},
    {.key = "gpu_comm_fraction", .type = F_NUM, .off = offsetof(aif_facility_data, gpu_phase_fraction[2]), .min = 0, .max = 1.5},
    {.key = "gpu_idle_fraction", .type = F_NUM, .off = offsetof(aif_facility_data, gpu_phase_fraction[3]), .min = 0, .max = 1.5},
    {.key = "switch_per_port", .type = F_QTY, .off = offsetof(aif_facility_data, switch_per_port_W), .qty = AIF_Q_POWER},
    {.key = "optic_per_port", .type = F_QTY, .off = offsetof(aif_facility_data, optic_per_port_W), .qty = AIF_Q_POWER},
    {.key = "cpo_per_port", .type = F_QTY, .off = offsetof(aif_facility_data, cpo_per_port_W), .qty = AIF_Q_POWER},
    {.key = "storage_per_gpu", .type = F_QTY, .off = offsetof(aif_facility_data, storage_per_gpu_W), .qty = AIF_Q_POWER},
    {.key = "host_fraction", .type = F_NUM, .off = offsetof(aif_facility_data, host_tdp_frac), .min = 0, .max = 2},
    {.key = "nodes_per_rack", .type = F_INT, .off = offsetof(aif_facility_data, nodes_per_rack), .min = 1, .max = 1024},
};
static const schema power_schema = {power_fields, sizeof power_fields / sizeof power_fields[0], skip_meta};

static const field price_fields[] = {
    {.key = "electricity", .type = F_QTY, .off = offsetof(aif_facility_data, electricity_usd_per_J), .qty = AIF_Q_ENERGY_PRICE},
    {.key = "depreciation", .type = F_QTY, .off = offsetof(aif_facility_data, depreciation_s), .qty = AIF_Q_TIME, .min = 1},
    {.key = "facility_depreciation", .type = F_QTY, .off = offsetof(aif_facility_data, facility_depreciation_s), .qty = AIF_Q_TIME, .min = 1},
    {.key = "operations", .type = F_NUM, .off = offsetof(aif_facility_data, operations_frac), .min = 0, .max = 1},
    {.key = "network_per_gpu", .type = F_QTY, .off = offsetof(aif_facility_data, network_per_gpu_usd), .qty = AIF_Q_MONEY},
    {.key = "storage_per_gpu", .type = F_QTY, .off = offsetof(aif_facility_data, storage_per_gpu_usd), .qty = AIF_Q_MONEY},
};
static const schema price_schema = {price_fields, sizeof price_fields / sizeof price_fields[0], skip_meta};

static const field cloud_fields[] = {
    {.key = "hyperscaler_on_demand", .type = F_QTY, .off = 0 * sizeof(double), .qty = AIF_Q_MONEY},
    {.key = "hyperscaler_reserved", .type = F_QTY, .off = 1 * sizeof(double), .qty = AIF_Q_MONEY},
    {.key = "neocloud_on_demand", .type = F_QTY, .off = 2 * sizeof(double), .qty = AIF_Q_MONEY},
    {.key = "neocloud_reserved", .type = F_QTY, .off = 3 * sizeof(double), .qty = AIF_Q_MONEY},
};
static const schema cloud_schema = {cloud_fields, 4, skip_meta};

typedef struct check_in { char id[48], what[160], source[1024], system[AIF_NAME_MAX], job[512]; int kind; double value_W; } check_in;
static const field check_fields[] = {
    FLD(check_in, "id", F_STR, id),
    FLD(check_in, "system", F_STR, system),
    {.key = "kind", .type = F_ENUM, .off = offsetof(check_in, kind), .names = aif_power_check_kind_names},
    FLD(check_in, "what", F_STR, what),
    FLD(check_in, "source", F_STR, source),
    FLD(check_in, "job", F_STR, job),
    {.key = "value", .type = F_QTY, .off = offsetof(check_in, value_W), .qty = AIF_Q_POWER},
};
static const schema check_schema = {check_fields, sizeof check_fields / sizeof check_fields[0], NULL};

static const char *const skip_supply[] = {"sources", "notes", "description", "profile", NULL};
typedef struct supply_in { double price, carbon; } supply_in;
static const field supply_fields[] = {
    {.key = "price", .type = F_QTY, .off = offsetof(supply_in, price), .qty = AIF_Q_ENERGY_PRICE},
    {.key = "carbon", .type = F_QTY, .off = offsetof(supply_in, carbon), .qty = AIF_Q_CARBON},
};
static const schema supply_schema = {supply_fields, 2, skip_supply};

typedef struct battery_in { double efficiency, ride_through_s, rack_storage_per_gpu_J; } battery_in;
static const field battery_fields[] = {
    {.key = "efficiency", .type = F_NUM, .off = offsetof(battery_in, efficiency), .min = 0.01, .max = 1},
    {.key = "ride_through", .type = F_QTY, .off = offsetof(battery_in, ride_through_s), .qty = AIF_Q_TIME, .min = 1},
    {.key = "rack_storage_per_gpu", .type = F_QTY, .off = offsetof(battery_in, rack_storage_per_gpu_J), .qty = AIF_Q_ENERGY},
};
static const schema battery_schema = {battery_fields, 3, skip_meta};

/* A typical day's capacity factor: a list of 24 numbers from 0 to 1, hour 0 first. */
static aif_rc day_profile(const bind_ctx *bc, const ynode *v, const char *path, double cf[24])
{
    if (!v || v->kind != Y_SEQ || v->n != 24)
        return bind_error(bc, v, path, "expected a list of 24 hourly capacity factors (0 to 1), hour 0 first");
    for (int h = 0; h < 24; h++) {
        const ynode *x = v->kids[h];
        char *end;
        double f = x->kind == Y_SCALAR ? strtod(x->s, &end) : -1;
        if (x->kind != Y_SCALAR || !x->s[0] || *end || !(f >= 0 && f <= 1))
            return bind_error(bc, x, path, "hour %d: expected a capacity factor from 0 to 1", h);
        cf[h] = f;
    }
    return AIF_OK;
}

static int skipped(const char *k)
{
    for (int i = 0; skip_meta[i]; i++)
        if (!strcmp(k, skip_meta[i]))
            return 1;
    return 0;
}

/* name -> quantity maps (carbon, embodied, api) */
static aif_rc named_values(const bind_ctx *bc, const ynode *sec, const char *path, aif_qty kind, aif_named_value **out,
                           int *n)
{
    aif_err *err = bc->err;
    *out = NULL;
    *n = 0;
    if (sec->kind != Y_MAP)
        return bind_error(bc, sec, path, "expected a mapping of names to values");
    aif_named_value *v = calloc((size_t)sec->n + 1, sizeof *v);
    if (!v)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
    int k = 0;
    for (int i = 0; i < sec->n; i++) {
        const ynode *kv = sec->kids[i];
        if (skipped(kv->key))
            continue;
        char sub[192], why[256];
        bind_path(sub, sizeof sub, path, kv->key);
        if (kv->kind != Y_SCALAR || strlen(kv->key) >= AIF_NAME_MAX ||
            aif_parse_qty(kv->s, kind, &v[k].value, why, sizeof why) != 0) {
            free(v);
            return bind_error(bc, kv, sub, "%s", kv->kind == Y_SCALAR ? why : aif_qty_examples(kind));
        }
        aif_strlcpy(v[k].name, kv->key, sizeof v[k].name);
        k++;
    }
    *out = v;
    *n = k;
    return AIF_OK;
}

void aif_facility_data_free(aif_facility_data *fd)
{
    free(fd->carbon);
    free(fd->embodied);
    free(fd->cloud);
    free(fd->api);
    free(fd->checks);
    memset(fd, 0, sizeof *fd);
}

/* A copy of n items of size bytes (NULL for none); *bad set when out of memory. */
static void *dup_array(const void *src, int n, size_t size, int *bad)
{
    if (n <= 0 || !src)
        return NULL;
    void *p = malloc((size_t)n * size);
    if (!p)
        *bad = 1;
    else
        memcpy(p, src, (size_t)n * size);
    return p;
}

/* The built-in path (aif_catalog_from_image): the compiled data/facility.yaml into a catalog. */
int aif_facility_data_copy(aif_facility_data *dst, const aif_facility_data *src)
{
    int bad = 0;
    *dst = *src;
    dst->carbon = dup_array(src->carbon, src->n_carbon, sizeof *src->carbon, &bad);
    dst->embodied = dup_array(src->embodied, src->n_embodied, sizeof *src->embodied, &bad);
    dst->cloud = dup_array(src->cloud, src->n_cloud, sizeof *src->cloud, &bad);
    dst->api = dup_array(src->api, src->n_api, sizeof *src->api, &bad);
    dst->checks = dup_array(src->checks, src->n_checks, sizeof *src->checks, &bad);
    if (bad) {
        aif_facility_data_free(dst);
        return -1;
    }
    return 0;
}

/* Adds the sections of one file to fd (a section given twice replaces the first). */
aif_rc aif_facility_data_load(aif_facility_data *fd, const char *text, size_t len, const char *name, aif_err *err)
{
    ydoc *d;
    ynode *root;
    aif_rc rc = ydoc_parse(text, len, name, &d, &root, err);
    if (rc)
        return rc;
    const bind_ctx ctx = {.err = err}, *bc = &ctx;
    static const char *const sections[] = {"cooling", "water", "carbon", "embodied", "power", "prices", "cloud",
                                           "api", "validation", "supply", "battery"};
    for (int i = 0; i < root->n && !rc; i++) {
        int known = 0;
        for (size_t k = 0; k < sizeof sections / sizeof *sections; k++)
            known |= !strcmp(root->kids[i]->key, sections[k]);
        if (!known) {
            int dym = aif_did_you_mean(root->kids[i]->key, sections, 11);
            rc = aif_err_set(err, AIF_EINPUT, name, root->kids[i]->key_line, root->kids[i]->key_col, root->kids[i]->key,
                             "unknown section%s%s%s (accepted: cooling, water, carbon, embodied, power, prices, "
                             "cloud, api, validation, supply, battery)", dym >= 0 ? "; did you mean '" : "", dym >= 0 ? sections[dym] : "",
                             dym >= 0 ? "'?" : "");
        }
    }
    const ynode *sec;
    if (!rc && (sec = ynode_get(root, "cooling"))) {
        for (int c = 0; c < AIF_N_COOL && !rc; c++) {
            const ynode *e = ynode_get(sec, aif_cooling_names[c]);
            char path[64];
            bind_path(path, sizeof path, "cooling", aif_cooling_names[c]);
            if (!e) {
                rc = bind_error(bc, sec, path, "missing (cooling needs air, rdhx, liquid and immersion)");
                break;
            }
            cool_in ci;
            memset(&ci, 0, sizeof ci);
            if ((rc = bind_map(bc, e, &cool_schema, &ci, path, NULL)))
                break;
            fd->cooling[c] = (aif_cooling_data){.rack_limit_W = ci.rack_limit_W,
                                                .pue = {ci.pue_cold, ci.pue_temperate, ci.pue_hot},
                                                .fan_fraction = ci.fan_fraction,
                                                .capex_per_W_usd = ci.capex_per_mw / 1e6};
        }
        for (int i = 0; i < sec->n && !rc; i++)
            if (!skipped(sec->kids[i]->key)) {
                int k = 0;
                while (aif_cooling_names[k] && strcmp(aif_cooling_names[k], sec->kids[i]->key))
                    k++;
                if (!aif_cooling_names[k])
                    rc = aif_err_set(err, AIF_EINPUT, name, sec->kids[i]->key_line, sec->kids[i]->key_col,
                                     "cooling", "unknown cooling '%s' (accepted: air, rdhx, liquid, immersion)",
                                     sec->kids[i]->key);
            }
    }
    if (!rc && (sec = ynode_get(root, "water"))) {
        water_in w = {0, 0};
        if (!(rc = bind_map(bc, sec, &water_schema, &w, "water", NULL))) {
            fd->wue_evaporative_L_per_J = w.evap / 3.6e6;
            fd->wue_dry_L_per_J = w.dry / 3.6e6;
        }
    }
    if (!rc && (sec = ynode_get(root, "power")))
        rc = bind_map(bc, sec, &power_schema, fd, "power", NULL);
    if (!rc && (sec = ynode_get(root, "prices")))
        rc = bind_map(bc, sec, &price_schema, fd, "prices", NULL);
    if (!rc && (sec = ynode_get(root, "carbon"))) {
        free(fd->carbon);
        rc = named_values(bc, sec, "carbon", AIF_Q_CARBON, &fd->carbon, &fd->n_carbon);
    }
    if (!rc && (sec = ynode_get(root, "embodied"))) {
        free(fd->embodied);
        rc = named_values(bc, sec, "embodied", AIF_Q_MASS, &fd->embodied, &fd->n_embodied);
    }
    if (!rc && (sec = ynode_get(root, "api"))) {
        free(fd->api);
        rc = named_values(bc, sec, "api", AIF_Q_MONEY, &fd->api, &fd->n_api);
    }
    if (!rc && (sec = ynode_get(root, "cloud"))) {
        free(fd->cloud);
        fd->cloud = NULL;
        fd->n_cloud = 0;
        if (sec->kind != Y_MAP)
            rc = bind_error(bc, sec, "cloud", "expected a mapping of GPU names to prices");
        else if (!(fd->cloud = calloc((size_t)sec->n + 1, sizeof *fd->cloud)))
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        for (int i = 0; i < sec->n && !rc; i++) {
            const ynode *e = sec->kids[i];
            if (skipped(e->key))
                continue;
            char path[128];
            bind_path(path, sizeof path, "cloud", e->key);
            aif_cloud_price *cp = &fd->cloud[fd->n_cloud];
            if (strlen(e->key) >= AIF_NAME_MAX) {
                rc = bind_error(bc, e, path, "name too long");
                break;
            }
            aif_strlcpy(cp->gpu, e->key, sizeof cp->gpu);
            if (!(rc = bind_map(bc, e, &cloud_schema, cp->usd_per_gpu_hour, path, NULL)))
                fd->n_cloud++;
        }
    }
    if (!rc && (sec = ynode_get(root, "supply"))) {
        for (int i = 0; i < sec->n && !rc; i++) {
            const ynode *e = sec->kids[i];
            if (skipped(e->key))
                continue;
            int k = 0;
            while (aif_supply_kind_names[k] && strcmp(aif_supply_kind_names[k], e->key))
                k++;
            char path[64];
            bind_path(path, sizeof path, "supply", e->key);
            if (!aif_supply_kind_names[k]) {
                rc = aif_err_set(err, AIF_EINPUT, name, e->key_line, e->key_col, "supply",
                                 "unknown kind of source '%s' (accepted: grid, ppa_solar, ppa_wind, nuclear, "
                                 "gas_turbine)", e->key);
                break;
            }
            supply_in si = {0, 0};
            if ((rc = bind_map(bc, e, &supply_schema, &si, path, NULL)))
                break;
            fd->supply[k].usd_per_J = si.price;
            fd->supply[k].carbon_kg_per_J = si.carbon;
            char ppath[80];
            snprintf(ppath, sizeof ppath, "%s.profile", path);
            rc = day_profile(bc, e->kind == Y_MAP ? ynode_get(e, "profile") : e, ppath, fd->supply[k].cf);
        }
    }
    if (!rc && (sec = ynode_get(root, "battery"))) {
        battery_in bi = {0, 0, 0};
        if (!(rc = bind_map(bc, sec, &battery_schema, &bi, "battery", NULL))) {
            fd->battery_efficiency = bi.efficiency;
            fd->battery_ride_through_s = bi.ride_through_s;
            fd->rack_storage_per_gpu_J = bi.rack_storage_per_gpu_J;
        }
    }
    if (!rc && (sec = ynode_get(root, "validation"))) {
        free(fd->checks);
        fd->checks = NULL;
        fd->n_checks = 0;
        if (sec->kind != Y_SEQ)
            rc = bind_error(bc, sec, "validation", "expected a list of {id, what, value, source}");
        else if (!(fd->checks = calloc((size_t)sec->n + 1, sizeof *fd->checks)))
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
        for (int i = 0; i < sec->n && !rc; i++) {
            check_in ci;
            memset(&ci, 0, sizeof ci);
            if (!(rc = bind_map(bc, sec->kids[i], &check_schema, &ci, "validation", NULL))) {
                aif_power_check *pc = &fd->checks[fd->n_checks++];
                memcpy(pc->id, ci.id, sizeof pc->id);
                memcpy(pc->what, ci.what, sizeof pc->what);
                memcpy(pc->source, ci.source, sizeof pc->source);
                memcpy(pc->system, ci.system, sizeof pc->system);
                memcpy(pc->job, ci.job, sizeof pc->job);
                pc->kind = ci.kind;
                pc->value_W = ci.value_W;
            }
        }
    }
    ydoc_free(d);
    return rc;
}

double aif_facility_lookup(const aif_named_value *v, int n, const char *name, double dflt)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(v[i].name, name))
            return v[i].value;
    return dflt;
}
