/* site.c -- the scenario's `facility` and `cost` sections into aif_site, on top of
 * the defaults of data/facility.yaml.
 *
 *   facility: {cooling: air|rdhx|liquid|immersion|auto, climate: cold|temperate|hot,
 *              heat_rejection: evaporative|dry, nodes_per_rack, rack_limit_air,
 *              rack_limit_rdhx, rack_limit_liquid, rack_limit_immersion, pue,
 *              power_cap, gpu_power_limit, carbon: REGION | 370g/kWh | FILE.csv,
 *              embodied_gpu, embodied_node,
 *              demand_response: [{start, duration, action: pause|throttle, power}],
 *              supply: [{kind, capacity | share, price, carbon, profile}],
 *              battery: auto | {capacity, power, efficiency, ride_through}}
 *              (supply and battery: src/scenario/supply.c)
 *   cost:     {electricity, depreciation, facility_depreciation, operations,
 *              network_per_gpu, storage_per_gpu, gpu_price,
 *              cloud: hyperscaler_on_demand|hyperscaler_reserved|neocloud_on_demand|neocloud_reserved,
 *              cloud_price} */
#include "scenario/bind.h"
#include "scenario/facility.h"

#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const rejection_names[] = {"evaporative", "dry", NULL};

typedef struct fac_in {
    int cooling, climate, rejection, nodes_per_rack;
    double rack_limit_W[AIF_N_COOL], pue, power_cap_W, gpu_power_limit_W, embodied_gpu_kg, embodied_node_kg;
} fac_in;

enum { FI_COOLING, FI_CLIMATE, FI_REJECTION, FI_NPR, FI_RL0, FI_RL1, FI_RL2, FI_RL3, FI_PUE, FI_CAP, FI_LIMIT,
       FI_EMB_GPU, FI_EMB_NODE };
static const field fac_fields[] = {
    {.key = "cooling", .type = F_ENUM, .off = offsetof(fac_in, cooling), .names = aif_cooling_names, .auto_name = "auto"},
    {.key = "climate", .type = F_ENUM, .off = offsetof(fac_in, climate), .names = aif_climate_names},
    {.key = "heat_rejection", .type = F_ENUM, .off = offsetof(fac_in, rejection), .names = rejection_names},
    {.key = "nodes_per_rack", .type = F_INT, .off = offsetof(fac_in, nodes_per_rack), .min = 1, .max = 1024},
    {.key = "rack_limit_air", .type = F_QTY, .off = offsetof(fac_in, rack_limit_W[0]), .qty = AIF_Q_POWER, .min = 1},
    {.key = "rack_limit_rdhx", .type = F_QTY, .off = offsetof(fac_in, rack_limit_W[1]), .qty = AIF_Q_POWER, .min = 1},
    {.key = "rack_limit_liquid", .type = F_QTY, .off = offsetof(fac_in, rack_limit_W[2]), .qty = AIF_Q_POWER, .min = 1},
    {.key = "rack_limit_immersion", .type = F_QTY, .off = offsetof(fac_in, rack_limit_W[3]), .qty = AIF_Q_POWER, .min = 1},
    {.key = "pue", .type = F_NUM, .off = offsetof(fac_in, pue), .min = 1, .max = 5},
    {.key = "power_cap", .type = F_QTY, .off = offsetof(fac_in, power_cap_W), .qty = AIF_Q_POWER, .min = 1, .max = 1e11},
    {.key = "gpu_power_limit", .type = F_QTY, .off = offsetof(fac_in, gpu_power_limit_W), .qty = AIF_Q_POWER, .min = 1},
    {.key = "embodied_gpu", .type = F_QTY, .off = offsetof(fac_in, embodied_gpu_kg), .qty = AIF_Q_MASS},
    {.key = "embodied_node", .type = F_QTY, .off = offsetof(fac_in, embodied_node_kg), .qty = AIF_Q_MASS},
};
static const char *const fac_skip[] = {"carbon", "demand_response", "supply", "battery", NULL};
static const schema fac_schema = {fac_fields, sizeof fac_fields / sizeof fac_fields[0], fac_skip};

typedef struct cost_in {
    double electricity, depreciation, facility_depreciation, operations, network_per_gpu, storage_per_gpu,
        gpu_price, cloud_price;
    int cloud;
} cost_in;
enum { CI_ELEC, CI_DEP, CI_FDEP, CI_OPS, CI_NET, CI_STO, CI_GPU, CI_CLOUD, CI_CLOUD_PRICE };
static const field cost_fields[] = {
    {.key = "electricity", .type = F_QTY, .off = offsetof(cost_in, electricity), .qty = AIF_Q_ENERGY_PRICE},
    {.key = "depreciation", .type = F_QTY, .off = offsetof(cost_in, depreciation), .qty = AIF_Q_TIME, .min = 86400},
    {.key = "facility_depreciation", .type = F_QTY, .off = offsetof(cost_in, facility_depreciation), .qty = AIF_Q_TIME, .min = 86400},
    {.key = "operations", .type = F_NUM, .off = offsetof(cost_in, operations), .min = 0, .max = 1},
    {.key = "network_per_gpu", .type = F_QTY, .off = offsetof(cost_in, network_per_gpu), .qty = AIF_Q_MONEY},
    {.key = "storage_per_gpu", .type = F_QTY, .off = offsetof(cost_in, storage_per_gpu), .qty = AIF_Q_MONEY},
    {.key = "gpu_price", .type = F_QTY, .off = offsetof(cost_in, gpu_price), .qty = AIF_Q_MONEY, .min = 1},
    {.key = "cloud", .type = F_ENUM, .off = offsetof(cost_in, cloud), .names = aif_cloud_class_names},
    {.key = "cloud_price", .type = F_QTY, .off = offsetof(cost_in, cloud_price), .qty = AIF_Q_MONEY, .min = 0.001},
};
static const schema cost_schema = {cost_fields, sizeof cost_fields / sizeof cost_fields[0], NULL};

typedef struct dr_in { double start, duration, power; int action; } dr_in;
static const char *const dr_actions[] = {"pause", "throttle", NULL};
enum { DR_START, DR_DURATION, DR_ACTION, DR_POWER };
static const field dr_fields[] = {
    {.key = "start", .type = F_QTY, .off = offsetof(dr_in, start), .qty = AIF_Q_TIME},
    {.key = "duration", .type = F_QTY, .off = offsetof(dr_in, duration), .qty = AIF_Q_TIME, .min = 1},
    {.key = "action", .type = F_ENUM, .off = offsetof(dr_in, action), .names = dr_actions},
    {.key = "power", .type = F_QTY, .off = offsetof(dr_in, power), .qty = AIF_Q_FRACTION, .max = 1},
};
static const schema dr_schema = {dr_fields, 4, NULL};

/* An hourly CSV (the carbon series of facility.carbon, a supply source's profile),
 * read strictly with libcsv (CSV_STRICT: no stray or unbalanced quote).  Its first
 * non-blank row is a header naming the columns: `hour,COLUMN`, or `COLUMN` alone (the
 * hours are then the rows' order); names match case-insensitively and other named
 * columns are allowed and ignored.  Every later row has as many cells as the header;
 * hours run 0, 1, 2, ... with none missing or repeated; a value is a number from 0 to
 * the spec's max.  Blank lines are skipped (never read as 0).  Errors name the file
 * and the line the row starts on, with the spec's field path. */
enum { HOURLY_MAX_COLS = 16 };
typedef struct hourly_rd {
    const char *path;
    const aif_hourly_spec *sp;
    float *out;
    aif_err *err;
    aif_rc rc;
    int line, row_line;        /* the line being fed; the line the current row started on (0: none yet) */
    int n_col, n_hdr;          /* cells in the current row; in the header (0: no header yet) */
    int hour_col, value_col;   /* columns of the header (-1: none) */
    int k;                     /* hours read */
    char cell[HOURLY_MAX_COLS][64];
    int too_long;
} hourly_rd;

static void hourly_cell(void *data, size_t len, void *ud)
{
    hourly_rd *cr = ud;
    if (cr->n_col < HOURLY_MAX_COLS) {
        size_t m = len < sizeof cr->cell[0] ? len : sizeof cr->cell[0] - 1;
        cr->too_long |= len >= sizeof cr->cell[0];
        if (m)
            memcpy(cr->cell[cr->n_col], data, m);
        cr->cell[cr->n_col][m] = '\0';
    }
    cr->n_col++;
}

static aif_rc hourly_error(hourly_rd *cr, const char *msg)
{
    return aif_err_set(cr->err, AIF_EINPUT, cr->path, cr->row_line ? cr->row_line : cr->line, 0, cr->sp->field,
                       "%s", msg);
}

static void hourly_row(int c, void *ud)
{
    hourly_rd *cr = ud;
    const aif_hourly_spec *sp = cr->sp;
    const char *col = sp->column;
    char msg[400];
    (void)c;
    int n = cr->n_col, blank = 1;
    for (int i = 0; i < n && i < HOURLY_MAX_COLS; i++)
        blank &= cr->cell[i][0] == '\0';
    if (cr->rc || (blank && n <= 1)) {
        /* after an error, or a blank line */
    } else if (n > HOURLY_MAX_COLS || cr->too_long) {
        snprintf(msg, sizeof msg, "a row of more than 16 cells or a cell of more than 63 characters "
                 "(the file holds hour,%s)", col);
        cr->rc = hourly_error(cr, msg);
    } else if (!cr->n_hdr) {
        cr->hour_col = cr->value_col = -1;
        for (int i = 0; i < n; i++) {
            if (!strcasecmp(cr->cell[i], "hour"))
                cr->hour_col = cr->hour_col < 0 ? i : -2;
            else if (!strcasecmp(cr->cell[i], col))
                cr->value_col = cr->value_col < 0 ? i : -2;
        }
        if (cr->hour_col == -2 || cr->value_col == -2) {
            snprintf(msg, sizeof msg, "the header names a column twice (accepted: hour,%s or %s)", col, col);
            cr->rc = hourly_error(cr, msg);
        } else if (cr->value_col < 0) {
            snprintf(msg, sizeof msg, "the first row must be a header naming the columns, hour,%s or %s alone; "
                     "'%s%s' has no %s column", col, col, cr->cell[0], n > 1 ? ",..." : "", col);
            cr->rc = hourly_error(cr, msg);
        } else {
            cr->n_hdr = n;
        }
    } else if (n != cr->n_hdr) {
        snprintf(msg, sizeof msg, "the row has %d cells, the header has %d; every row has one cell per header column",
                 n, cr->n_hdr);
        cr->rc = hourly_error(cr, msg);
    } else if (cr->k == sp->max_hours) {
        snprintf(msg, sizeof msg, "more than %d hourly %s (%s); the %s", sp->max_hours, sp->plural, sp->span,
                 sp->series);
        cr->rc = hourly_error(cr, msg);
    } else {
        char *end;
        if (cr->hour_col >= 0) {
            const char *h = cr->cell[cr->hour_col];
            long hour = strtol(h, &end, 10);
            if (!*h || *end || hour != cr->k) {
                snprintf(msg, sizeof msg, "hour '%s' where hour %d was expected (hours run 0, 1, 2, ... in order, "
                         "with none missing or repeated)", h, cr->k);
                cr->rc = hourly_error(cr, msg);
                goto done;
            }
        }
        const char *v = cr->cell[cr->value_col];
        double x = strtod(v, &end);
        if (!*v || *end) {
            snprintf(msg, sizeof msg, "'%s' is not a number (%s holds the hour's %s)", v, col, sp->holds);
            cr->rc = hourly_error(cr, msg);
        } else if (!(x >= 0 && x <= sp->max)) {
            snprintf(msg, sizeof msg, "'%s' is not %s", v, sp->range);
            cr->rc = hourly_error(cr, msg);
        } else {
            cr->out[cr->k++] = (float)x;
        }
    }
done:
    cr->n_col = 0;
    cr->too_long = 0;
    cr->row_line = 0;
}

aif_rc aif_hourly_csv_read(const char *path, const aif_hourly_spec *sp, float *out, int *n_out, aif_err *err)
{
    char *text;
    size_t len;
    *n_out = 0;
    aif_rc rc = aif_read_file(path, &text, &len, err);
    if (rc) {
        aif_strlcpy(err->path, sp->field, sizeof err->path);
        return rc;
    }
    hourly_rd *cr = calloc(1, sizeof *cr);
    if (!cr) {
        free(text);
        return aif_err_set(err, AIF_ENOMEM, path, 0, 0, sp->field, "out of memory");
    }
    cr->path = path;
    cr->sp = sp;
    cr->out = out;
    cr->err = err;
    const char *p = text, *stop = text + len;
    if (len >= 3 && (unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB && (unsigned char)p[2] == 0xBF)
        p += 3;   /* a UTF-8 byte-order mark, as spreadsheets write it */
    struct csv_parser cp;
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        free(cr);
        free(text);
        return aif_err_set(err, AIF_ENOMEM, path, 0, 0, sp->field, "out of memory");
    }
    /* fed a line at a time, so a row's errors name the line it started on */
    int bad = 0;
    while (p < stop && !cr->rc && !bad) {
        const char *eol = memchr(p, '\n', (size_t)(stop - p));
        size_t n = eol ? (size_t)(eol - p) + 1 : (size_t)(stop - p);
        cr->line++;
        if (!cr->row_line)
            for (size_t i = 0; i < n; i++)
                if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n') {
                    cr->row_line = cr->line;
                    break;
                }
        if (csv_parse(&cp, p, n, hourly_cell, hourly_row, cr) != n)
            bad = 1;
        p += n;
    }
    if (!cr->rc && !bad && csv_fini(&cp, hourly_cell, hourly_row, cr) != 0)
        bad = 1;
    if (!cr->rc && bad) {
        int e = csv_error(&cp);
        if (e == CSV_ENOMEM) {
            cr->rc = aif_err_set(err, AIF_ENOMEM, path, 0, 0, sp->field, "out of memory");
        } else {
            char msg[200];
            snprintf(msg, sizeof msg, "malformed CSV: %s (a quote must close, and nothing may follow it in its cell)",
                     csv_strerror(e));
            cr->rc = hourly_error(cr, msg);
        }
    }
    csv_free(&cp);
    rc = cr->rc;
    if (!rc && !cr->n_hdr)
        rc = aif_err_set(err, AIF_EINPUT, path, 0, 0, sp->field,
                         "the file is empty; it needs a header, hour,%s, and one row per hour", sp->column);
    else if (!rc && cr->k == 0)
        rc = aif_err_set(err, AIF_EINPUT, path, 0, 0, sp->field, "no hourly %s in the file", sp->plural);
    *n_out = rc ? 0 : cr->k;
    free(cr);
    free(text);
    return rc;
}

static const aif_hourly_spec carbon_spec = {
    .field = "facility.carbon", .column = "g_per_kWh", .plural = "intensities", .span = "one leap year",
    .series = "series repeats, so give one year", .holds = "intensity in g/kWh", .range = "a carbon intensity in g/kWh between 0 and 100000",
    .max = 1e5, .max_hours = AIF_MAX_CARBON_HOURS};

static aif_rc read_carbon_csv(const bind_ctx *bc, aif_site *site)
{
    return aif_hourly_csv_read(site->carbon_csv, &carbon_spec, site->carbon_g_per_kWh, &site->n_carbon_hours, bc->err);
}

static aif_rc bind_carbon(const bind_ctx *bc, aif_site *site, const ynode *v)
{
    const aif_facility_data *fd = bc->fd;
    if (v->kind != Y_SCALAR)
        return bind_error(bc, v, "facility.carbon", "expected a region (e.g. us-average), an intensity (e.g. 370g/kWh) "
                          "or an hourly CSV file");
    size_t n = strlen(v->s);
    if (n > 4 && !strcasecmp(v->s + n - 4, ".csv")) {
        if (aif_resolve_path(v->origin, v->s, site->carbon_csv, sizeof site->carbon_csv) != 0)
            return bind_error(bc, v, "facility.carbon", "file name too long");
        return read_carbon_csv(bc, site);
    }
    for (int i = 0; i < fd->n_carbon; i++)
        if (!strcmp(fd->carbon[i].name, v->s)) {
            site->carbon_kg_per_J = fd->carbon[i].value;
            return AIF_OK;
        }
    char why[256];
    double x;
    if (aif_parse_qty(v->s, AIF_Q_CARBON, &x, why, sizeof why) == 0) {
        if (x > 1e4 * 1e-3 / 3.6e6)
            return bind_error(bc, v, "facility.carbon", "%s is out of range (accepted: 0 to 10000 g/kWh)", v->s);
        site->carbon_kg_per_J = x;
        return AIF_OK;
    }
    const char *names[64];
    int k = 0;
    for (int i = 0; i < fd->n_carbon && k < 64; i++)
        names[k++] = fd->carbon[i].name;
    int d = aif_did_you_mean(v->s, names, k);
    char list[600];
    size_t m = 0;
    list[0] = '\0';
    for (int i = 0; i < k && m < sizeof list; i++)
        m += (size_t)snprintf(list + m, sizeof list - m, "%s%s", i ? ", " : "", names[i]);
    return bind_error(bc, v, "facility.carbon", "'%s' is no region, intensity or .csv file%s%s%s (regions: %s; "
                      "intensities such as 370g/kWh)", v->s, d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "",
                      d >= 0 ? "'?" : "", list);
}

static aif_rc bind_dr(const bind_ctx *bc, aif_site *site, const ynode *v)
{
    if (v->kind != Y_SEQ)
        return bind_error(bc, v, "facility.demand_response", "expected a list of windows, e.g. "
                          "[{start: 10d, duration: 4h, action: pause}]");
    if (v->n > AIF_MAX_DR)
        return bind_error(bc, v, "facility.demand_response", "at most %d windows", AIF_MAX_DR);
    for (int i = 0; i < v->n; i++) {
        dr_in in = {0, 0, 0, 0};
        uint64_t set = 0;
        char path[64];
        snprintf(path, sizeof path, "facility.demand_response[%d]", i);
        aif_rc rc = bind_map(bc, v->kids[i], &dr_schema, &in, path, &set);
        if (rc)
            return rc;
        if (!(set & (1u << DR_START)) || !(set & (1u << DR_DURATION)) || !(set & (1u << DR_ACTION)))
            return bind_error(bc, v->kids[i], path, "a window needs start, duration and action (pause or throttle)");
        if (in.action == 1 && !(set & (1u << DR_POWER)))
            return bind_error(bc, v->kids[i], path, "a throttle window needs power: the share of the site's power "
                              "allowed, e.g. 50%%");
        site->dr[i] = (aif_dr_event){.start_s = in.start, .duration_s = in.duration,
                                     .power_frac = in.action == 0 ? 0 : in.power, .pause = in.action == 0};
        for (int j = 0; j < i; j++)
            if (site->dr[j].start_s + site->dr[j].duration_s > in.start && in.start + in.duration > site->dr[j].start_s)
                return bind_error(bc, v->kids[i], path, "overlaps window %d; windows must not overlap", j);
    }
    site->n_dr = v->n;
    return AIF_OK;
}

aif_rc aif_site_bind(const bind_ctx *bc, aif_scenario *s, const ynode *facility, const ynode *cost)
{
    const aif_facility_data *fd = bc->fd;
    aif_site *site = &s->site;
    memset(site, 0, sizeof *site);
    site->cooling = -1;
    site->climate = AIF_CLIMATE_TEMPERATE;
    for (int c = 0; c < AIF_N_COOL; c++)
        site->rack_limit_W[c] = fd->cooling[c].rack_limit_W;
    site->carbon_kg_per_J = aif_facility_lookup(fd->carbon, fd->n_carbon, "us-average", 0);
    site->electricity_usd_per_J = fd->electricity_usd_per_J;
    site->depreciation_s = fd->depreciation_s;
    site->facility_depreciation_s = fd->facility_depreciation_s;
    site->operations_frac = fd->operations_frac;
    site->network_per_gpu_usd = fd->network_per_gpu_usd;
    site->storage_per_gpu_usd = fd->storage_per_gpu_usd;
    site->cloud_class = AIF_CLOUD_NEOCLOUD_RESERVED;
    for (int i = 0; i < fd->n_cloud; i++)
        if (!strcmp(fd->cloud[i].gpu, s->cluster.gpu.name))
            memcpy(site->cloud_usd_per_gpu_hour, fd->cloud[i].usd_per_gpu_hour, sizeof site->cloud_usd_per_gpu_hour);
    site->embodied_gpu_kg = s->cluster.gpu.embodied_kg > 0
                                ? s->cluster.gpu.embodied_kg
                                : aif_facility_lookup(fd->embodied, fd->n_embodied, s->cluster.gpu.name, 0);
    site->embodied_node_kg = aif_facility_lookup(fd->embodied, fd->n_embodied, "server_per_node", 0);

    aif_rc rc;
    if (facility) {
        fac_in in;
        memset(&in, 0, sizeof in);
        uint64_t set = 0;
        if ((rc = bind_map(bc, facility, &fac_schema, &in, "facility", &set)))
            return rc;
        if (set & (1u << FI_COOLING)) {
            const ynode *cn = ynode_get(facility, "cooling");
            site->cooling = in.cooling;   /* -1: auto */
            aif_strlcpy(site->cooling_at, cn->origin, sizeof site->cooling_at);
            site->cooling_line = cn->line;
            site->cooling_col = cn->col;
        }
        if (set & (1u << FI_CLIMATE))
            site->climate = in.climate;
        if (set & (1u << FI_REJECTION))
            site->dry_cooling = in.rejection == 1;
        if (set & (1u << FI_NPR))
            site->nodes_per_rack = in.nodes_per_rack;
        for (int c = 0; c < AIF_N_COOL; c++)
            if (set & (1u << (FI_RL0 + c)))
                site->rack_limit_W[c] = in.rack_limit_W[c];
        if (set & (1u << FI_PUE))
            site->pue = in.pue;
        if (set & (1u << FI_CAP))
            site->power_cap_W = in.power_cap_W;
        if (set & (1u << FI_LIMIT)) {
            if (in.gpu_power_limit_W > s->cluster.gpu.tdp_W) {
                return bind_error(bc, ynode_get(facility, "gpu_power_limit"), "facility.gpu_power_limit",
                                  "%.0f W is above the %s's TDP of %.0f W", in.gpu_power_limit_W, s->cluster.gpu.name,
                                  s->cluster.gpu.tdp_W);
            }
            double idle = fd->gpu_phase_fraction[3] * s->cluster.gpu.tdp_W;
            if (in.gpu_power_limit_W <= idle) {
                return bind_error(bc, ynode_get(facility, "gpu_power_limit"), "facility.gpu_power_limit",
                                  "%.0f W is at or below the %s's idle power of %.0f W (accepted: %.0f W to %.0f W)",
                                  in.gpu_power_limit_W, s->cluster.gpu.name, idle, idle + 1, s->cluster.gpu.tdp_W);
            }
            site->gpu_power_limit_W = in.gpu_power_limit_W;
        }
        if (set & (1u << FI_EMB_GPU))
            site->embodied_gpu_kg = in.embodied_gpu_kg;
        if (set & (1u << FI_EMB_NODE))
            site->embodied_node_kg = in.embodied_node_kg;
        const ynode *c = ynode_get(facility, "carbon");
        if (c && (rc = bind_carbon(bc, site, c)))
            return rc;
        const ynode *dr = ynode_get(facility, "demand_response");
        if (dr && (rc = bind_dr(bc, site, dr)))
            return rc;
        if ((rc = aif_supply_bind(bc, s, ynode_get(facility, "supply"), ynode_get(facility, "battery"))))
            return rc;
    }
    if (cost) {
        cost_in in;
        memset(&in, 0, sizeof in);
        uint64_t set = 0;
        if ((rc = bind_map(bc, cost, &cost_schema, &in, "cost", &set)))
            return rc;
        if (set & (1u << CI_ELEC))
            site->electricity_usd_per_J = in.electricity;
        if (set & (1u << CI_DEP))
            site->depreciation_s = in.depreciation;
        if (set & (1u << CI_FDEP))
            site->facility_depreciation_s = in.facility_depreciation;
        if (set & (1u << CI_OPS))
            site->operations_frac = in.operations;
        if (set & (1u << CI_NET))
            site->network_per_gpu_usd = in.network_per_gpu;
        if (set & (1u << CI_STO))
            site->storage_per_gpu_usd = in.storage_per_gpu;
        if (set & (1u << CI_GPU))
            site->gpu_price_usd = in.gpu_price;
        if (set & (1u << CI_CLOUD))
            site->cloud_class = in.cloud;
        if (set & (1u << CI_CLOUD_PRICE))
            site->cloud_usd_per_gpu_hour[site->cloud_class] = in.cloud_price;
    }
    return AIF_OK;
}
