/* units.c -- quantities written as a person writes them: "400Gb/s", "80GiB",
 * "700W", "15.6T", "54d".  Results are in SI base units: bytes, bytes/s, W, s,
 * USD, plain counts, J, USD/J, kg CO2e/J, kg.  Lower-case b is bits, upper-case B is bytes.  A
 * dimensional quantity without a unit is rejected: there is no default unit. */
#include "base.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct unit { const char *sym; double factor; } unit;

static const unit bytes_units[] = {
    {"B", 1}, {"kB", 1e3}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"PB", 1e15},
    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0},
    {"PiB", 1125899906842624.0}, {NULL, 0}};
static const unit bw_units[] = {
    {"b/s", 0.125}, {"kb/s", 125.0}, {"Kb/s", 125.0}, {"Mb/s", 1.25e5}, {"Gb/s", 1.25e8},
    {"Tb/s", 1.25e11}, {"bps", 0.125}, {"Kbps", 125.0}, {"Mbps", 1.25e5}, {"Gbps", 1.25e8},
    {"Tbps", 1.25e11}, {"B/s", 1}, {"kB/s", 1e3}, {"KB/s", 1e3}, {"MB/s", 1e6}, {"GB/s", 1e9},
    {"TB/s", 1e12}, {"GBps", 1e9}, {"TBps", 1e12}, {"MiB/s", 1048576.0},
    {"GiB/s", 1073741824.0}, {NULL, 0}};
static const unit power_units[] = {
    {"W", 1}, {"kW", 1e3}, {"KW", 1e3}, {"MW", 1e6}, {"GW", 1e9}, {NULL, 0}};
static const unit time_units[] = {
    {"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3}, {"s", 1}, {"min", 60},
    {"h", 3600}, {"d", 86400}, {"w", 604800}, {"y", 31557600}, {NULL, 0}};
static const unit money_units[] = {
    {"USD", 1}, {"kUSD", 1e3}, {"KUSD", 1e3}, {"MUSD", 1e6}, {"BUSD", 1e9}, {NULL, 0}};
static const unit count_units[] = {
    {"", 1}, {"K", 1e3}, {"k", 1e3}, {"M", 1e6}, {"G", 1e9}, {"B", 1e9}, {"T", 1e12},
    {NULL, 0}};
static const unit energy_units[] = {
    {"J", 1}, {"kJ", 1e3}, {"MJ", 1e6}, {"GJ", 1e9}, {"Wh", 3600}, {"kWh", 3.6e6}, {"MWh", 3.6e9},
    {"GWh", 3.6e12}, {NULL, 0}};
static const unit energy_price_units[] = {
    {"USD/kWh", 1 / 3.6e6}, {"USD/MWh", 1 / 3.6e9}, {"USD/J", 1}, {NULL, 0}};
static const unit carbon_units[] = {
    {"g/kWh", 1e-3 / 3.6e6}, {"kg/kWh", 1 / 3.6e6}, {"kg/MWh", 1 / 3.6e9}, {"t/MWh", 1e3 / 3.6e9},
    {"gCO2e/kWh", 1e-3 / 3.6e6}, {"kgCO2e/MWh", 1 / 3.6e9}, {NULL, 0}};
static const unit mass_units[] = {
    {"g", 1e-3}, {"kg", 1}, {"t", 1e3}, {"kgCO2e", 1}, {"tCO2e", 1e3}, {NULL, 0}};
static const unit dollar_price_suffix[] = {
    {"/kWh", 1 / 3.6e6}, {"/MWh", 1 / 3.6e9}, {NULL, 0}};
static const unit dollar_suffix[] = {
    {"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {NULL, 0}};

const char *aif_qty_examples(aif_qty kind)
{
    switch (kind) {
    case AIF_Q_BYTES: return "a size with a unit, e.g. 80GiB, 40GB, 512MiB";
    case AIF_Q_BW: return "a bandwidth with a unit, e.g. 400Gb/s (bits), 3.35TB/s, 450GB/s (bytes)";
    case AIF_Q_POWER: return "a power with a unit, e.g. 700W, 10.2kW, 1.5MW";
    case AIF_Q_TIME: return "a time with a unit, e.g. 1.5us, 20ms, 3s, 2h, 54d";
    case AIF_Q_MONEY: return "an amount in US dollars, e.g. 30000USD, $30000, $2.5M";
    case AIF_Q_COUNT: return "a number, optionally with K, M, B (or G) or T, e.g. 8, 16M, 15.6T";
    case AIF_Q_FRACTION: return "a fraction, e.g. 0.92 or 92%";
    case AIF_Q_ENERGY: return "an energy with a unit, e.g. 3.6MJ, 150kWh, 2GWh";
    case AIF_Q_ENERGY_PRICE: return "a price of energy, e.g. 0.08USD/kWh, 80USD/MWh, $0.08/kWh";
    case AIF_Q_CARBON: return "a carbon intensity, e.g. 370g/kWh, 0.4t/MWh";
    case AIF_Q_MASS: return "a mass with a unit, e.g. 150kg, 2.5t";
    }
    return "";
}

static const unit *table_for(aif_qty kind)
{
    switch (kind) {
    case AIF_Q_BYTES: return bytes_units;
    case AIF_Q_BW: return bw_units;
    case AIF_Q_POWER: return power_units;
    case AIF_Q_TIME: return time_units;
    case AIF_Q_MONEY: return money_units;
    case AIF_Q_COUNT: return count_units;
    case AIF_Q_FRACTION: return NULL;
    case AIF_Q_ENERGY: return energy_units;
    case AIF_Q_ENERGY_PRICE: return energy_price_units;
    case AIF_Q_CARBON: return carbon_units;
    case AIF_Q_MASS: return mass_units;
    }
    return NULL;
}

static int lookup(const unit *t, const char *sym, double *factor)
{
    for (; t->sym; t++)
        if (strcmp(t->sym, sym) == 0) {
            *factor = t->factor;
            return 0;
        }
    return -1;
}

int aif_parse_qty(const char *text, aif_qty kind, double *out, char *why, size_t n_why)
{
    const char *p = text;
    while (isspace((unsigned char)*p))
        p++;
    int dollar = 0;
    if (*p == '$') {
        if (kind != AIF_Q_MONEY && kind != AIF_Q_ENERGY_PRICE) {
            snprintf(why, n_why, "'%s' is money, expected %s", text, aif_qty_examples(kind));
            return -1;
        }
        dollar = 1;
        p++;
    }
    if (!(isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+')) {
        snprintf(why, n_why, "'%s' is not a number, expected %s", text, aif_qty_examples(kind));
        return -1;
    }
    errno = 0;
    char *end;
    double v = strtod(p, &end);
    if (end == p || errno == ERANGE || !isfinite(v)) {
        snprintf(why, n_why, "'%s' is not a finite number, expected %s", text, aif_qty_examples(kind));
        return -1;
    }
    /* strtod accepts hex and "inf"; we accept decimal only */
    for (const char *q = p; q < end; q++)
        if (!(isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '-' || *q == '+')) {
            snprintf(why, n_why, "'%s' is not a decimal number, expected %s", text, aif_qty_examples(kind));
            return -1;
        }
    while (*end == ' ')
        end++;
    char sym[24];
    size_t k = strlen(end);
    while (k > 0 && isspace((unsigned char)end[k - 1]))
        k--;
    if (k >= sizeof sym) {
        snprintf(why, n_why, "unknown unit in '%s', expected %s", text, aif_qty_examples(kind));
        return -1;
    }
    memcpy(sym, end, k);
    sym[k] = '\0';

    double f = 1;
    if (kind == AIF_Q_FRACTION) {
        if (strcmp(sym, "%") == 0)
            f = 0.01;
        else if (sym[0]) {
            snprintf(why, n_why, "unknown unit '%s' in '%s', expected %s", sym, text, aif_qty_examples(kind));
            return -1;
        }
    } else if (dollar) {
        if (lookup(kind == AIF_Q_ENERGY_PRICE ? dollar_price_suffix : dollar_suffix, sym, &f) != 0) {
            snprintf(why, n_why, "unknown suffix '%s' in '%s', expected %s", sym, text, aif_qty_examples(kind));
            return -1;
        }
    } else if (!sym[0] && kind != AIF_Q_COUNT) {
        snprintf(why, n_why, "'%s' has no unit, expected %s", text, aif_qty_examples(kind));
        return -1;
    } else if (lookup(table_for(kind), sym, &f) != 0) {
        /* a unit of another kind is a common slip: name the kind it belongs to */
        static const aif_qty others[] = {AIF_Q_BYTES, AIF_Q_BW, AIF_Q_POWER, AIF_Q_TIME, AIF_Q_MONEY, AIF_Q_ENERGY,
                                         AIF_Q_ENERGY_PRICE, AIF_Q_CARBON, AIF_Q_MASS};
        static const char *const kind_words[] = {"a size", "a bandwidth", "a power", "a time", "money", "",
                                                 "", "an energy", "a price of energy", "a carbon intensity",
                                                 "a mass"};
        for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
            double g;
            if (others[i] != kind && lookup(table_for(others[i]), sym, &g) == 0) {
                snprintf(why, n_why, "'%s' is %s, expected %s", text, kind_words[others[i]], aif_qty_examples(kind));
                return -1;
            }
        }
        snprintf(why, n_why, "unknown unit '%s' in '%s', expected %s", sym, text, aif_qty_examples(kind));
        return -1;
    }
    v *= f;
    if (!isfinite(v) || fabs(v) > 1e30) {
        snprintf(why, n_why, "'%s' is too large, expected %s", text, aif_qty_examples(kind));
        return -1;
    }
    if (v < 0) {
        snprintf(why, n_why, "'%s' is negative, expected %s", text, aif_qty_examples(kind));
        return -1;
    }
    *out = v;
    return 0;
}

int aif_parse_int(const char *text, long long *out, char *why, size_t n_why)
{
    double v;
    if (aif_parse_qty(text, AIF_Q_COUNT, &v, why, n_why) != 0)
        return -1;
    if (v != floor(v) || v > 9.0e15) {
        snprintf(why, n_why, "'%s' is not a whole number, expected an integer such as 8 or 16K", text);
        return -1;
    }
    *out = (long long)v;
    return 0;
}
