/* catalog.c (report) -- the catalogs (aifsim catalog) as tables and as JSON.
 *
 * The JSON is written from the binder's field descriptors (src/scenario/catalog.c),
 * so a field added to a catalog appears here without writer code.  Its rules:
 *  - "name" first, then every descriptor in table order;
 *  - a quantity is in SI base units and its key carries the unit, as everywhere in
 *    aifsim: the descriptor key plus the unit of its kind (hbm -> hbm_bytes,
 *    tdp -> tdp_W, price -> price_usd); peak_tflops stays in TFLOP/s per precision,
 *    precisions the accelerator lacks left out;
 *  - a nested mapping (a model's moe, mla) only when some field of it is set, a gpu's
 *    `base` only on a variant;
 *  - figures computed from an entry follow it (a model's params and active_params,
 *    embeddings included); a catalog field of the same key, the published figure, is
 *    then written as published_KEY;
 *  - one entry alone adds "sources": the citation of each field that has one, under
 *    the field's JSON key, and under "all" the entry's citation for all other fields.
 * The text card of one entry (aif_report_catalog_entry_text, found by its name as people
 * type it, aliases included) prints each set field with its unit (src/report/format.c),
 * every enum (a status only when stated), and a [N] naming its citation, each distinct
 * citation listed once at the end.
 * The writer computes nothing but those model parameter counts and unit names. */
#include "aifsim/names.h"
#include "aifsim/report.h"
#include "base/base.h"
#include "report/json.h"
#include "scenario/bind.h"
#include "scenario/catalog.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* the kinds listed: every aif_catalog_kind before calibration (gpus, systems, fabrics, models, frameworks, storage) */
#define kinds aif_catalog_kind_names
enum { N_KINDS = AIF_CAT_CALIBRATION };

/* The unit a quantity of each aif_qty is stored in, as a key suffix. */
static const char *unit_suffix(int qty)
{
    switch (qty) {
    case AIF_Q_BYTES: return "_bytes";
    case AIF_Q_BW: return "_Bps";
    case AIF_Q_POWER: return "_W";
    case AIF_Q_TIME: return "_s";
    case AIF_Q_MONEY: return "_usd";
    case AIF_Q_ENERGY: return "_J";
    case AIF_Q_ENERGY_PRICE: return "_usd_per_J";
    case AIF_Q_CARBON: return "_kg_per_J";
    case AIF_Q_MASS: return "_kg";
    default: return "";   /* counts and fractions have no unit */
    }
}

/* The figures computed from an entry of a kind; a descriptor of the same key is
 * written as published_KEY. */
static const char *const model_computed[] = {"params", "active_params", NULL};

static const char *const *computed_of(const char *kind)
{
    return !strcmp(kind, "models") ? model_computed : NULL;
}

static void json_key(char *buf, size_t n, const field *f, const char *const *computed)
{
    char plain[80];
    snprintf(plain, sizeof plain, "%s%s", f->key, f->type == F_QTY ? unit_suffix(f->qty) : "");
    int taken = 0;
    for (int i = 0; computed && computed[i]; i++)
        taken |= !strcmp(computed[i], plain);
    snprintf(buf, n, "%s%s", taken ? "published_" : "", plain);
}

static int sub_is_set(const schema *sc, const char *obj);

static int field_is_set(const field *f, const char *obj)
{
    const char *p = obj + f->off;
    switch (f->type) {
    case F_INT: case F_ENUM: return *(const int *)p != 0;
    case F_FLAGS: return *(const unsigned *)p != 0;
    case F_NUM: case F_QTY: return *(const double *)p != 0;
    case F_BOOL: return *(const bool *)p;
    case F_STR: case F_NAMES: return p[0] != '\0';
    case F_SUB: return sub_is_set(f->sub, p);
    case F_PRECMAP:
        for (int i = 0; i < AIF_N_PREC; i++)
            if (((const double *)p)[i] != 0)
                return 1;
        return 0;
    }
    return 0;
}

static int sub_is_set(const schema *sc, const char *obj)
{
    for (int i = 0; i < sc->n; i++)
        if (field_is_set(&sc->f[i], obj))
            return 1;
    return 0;
}

/* Adds obj's fields to o by the descriptors of sc; with src, their citations too. */
static void add_fields(json_object *o, const schema *sc, const char *obj, const char *const *computed,
                       const aif_catalog *c, const char *kind, const char *entry, json_object *src)
{
    for (int i = 0; i < sc->n; i++) {
        const field *f = &sc->f[i];
        const char *p = obj + f->off;
        char key[96];
        json_key(key, sizeof key, f, computed);
        switch (f->type) {
        case F_INT:
            aif_json_int(o, key, *(const int *)p);
            break;
        case F_NUM:
        case F_QTY:
            /* a GPU's own GEMM efficiency: only where it has one, as a variant's base */
            if (*(const double *)p == 0 && kind && !strcmp(kind, "gpus") && !strncmp(f->key, "matmul_eff", 10))
                continue;
            aif_json_num(o, key, *(const double *)p);
            break;
        case F_BOOL:
            json_object_object_add(o, key, json_object_new_boolean(*(const bool *)p));
            break;
        case F_STR:
            if (!p[0] && !strcmp(f->key, "base"))   /* a variant's base: only on variants, as aliases */
                continue;
            aif_json_str(o, key, p);
            break;
        case F_ENUM: {
            int v = *(const int *)p, n = 0;
            while (f->names[n])
                n++;
            aif_json_str(o, key, v >= 0 && v < n ? f->names[v] : "");
            break;
        }
        case F_FLAGS: {   /* a list of the names of its bits, written only when there is one */
            unsigned bits = *(const unsigned *)p;
            if (!bits)
                continue;
            json_object *arr = json_object_new_array();
            for (int b = 0; f->names[b] && b < 32; b++)
                if (bits >> b & 1u)
                    json_object_array_add(arr, json_object_new_string(f->names[b]));
            json_object_object_add(o, key, arr);
            break;
        }
        case F_NAMES: {   /* a list, written only when there is one */
            if (!p[0])
                continue;
            json_object *arr = json_object_new_array();
            for (const char *q = p; *q;) {
                size_t len = strcspn(q, " ");
                json_object_array_add(arr, json_object_new_string_len(q, (int)len));
                q += len + (q[len] == ' ');
            }
            json_object_object_add(o, key, arr);
            break;
        }
        case F_SUB:
            if (!sub_is_set(f->sub, p))
                continue;
            json_object *sub = json_object_new_object();
            add_fields(sub, f->sub, p, NULL, NULL, NULL, NULL, NULL);
            json_object_object_add(o, key, sub);
            break;
        case F_PRECMAP: {   /* FLOP/s in the struct, TFLOP/s in the catalog file and here */
            json_object *pk = json_object_new_object();
            for (int k = 0; k < AIF_N_PREC; k++)
                if (((const double *)p)[k] > 0)
                    aif_json_num(pk, aif_prec_names[k], ((const double *)p)[k] / 1e12);
            json_object_object_add(o, key, pk);
            break;
        }
        }
        if (src) {   /* a field without a citation of its own falls back on "all": written once */
            const char *s = aif_catalog_source(c, kind, entry, f->key);
            if (s[0] && s != aif_catalog_source(c, kind, entry, "all"))
                aif_json_str(src, key, s);
        }
    }
}

static json_object *entry_json(const aif_catalog *c, const char *kind, const catalog_view *v, int i, int sources)
{
    const char *obj = v->items + (size_t)i * v->item_size;
    const char *name = obj + v->name_off;
    json_object *o = json_object_new_object();
    json_object *src = sources ? json_object_new_object() : NULL;
    aif_json_str(o, "name", name);
    if (src && aif_catalog_source(c, kind, name, "all")[0])
        aif_json_str(src, "all", aif_catalog_source(c, kind, name, "all"));
    add_fields(o, v->sc, obj, computed_of(kind), c, kind, name, src);
    if (!strcmp(kind, "models")) {
        const aif_model *m = (const aif_model *)obj;
        aif_json_num(o, "params", aif_model_params(m));
        aif_json_num(o, "active_params", aif_model_active_params(m));
    }
    if (src)
        json_object_object_add(o, "sources", src);
    return o;
}

static aif_rc check_kind(const char *kind, aif_err *err)
{
    for (int k = 0; k < N_KINDS; k++)
        if (!strcmp(kinds[k], kind))
            return AIF_OK;
    int d = aif_did_you_mean(kind, kinds, N_KINDS);
    return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL,
                       "unknown catalog '%s'%s%s%s (accepted: gpus, systems, fabrics, models, storage)", kind,
                       d >= 0 ? "; did you mean '" : "", d >= 0 ? kinds[d] : "", d >= 0 ? "'?" : "");
}

static aif_rc to_text(json_object *o, char **json, aif_err *err)
{
    /* json-c's default number format (shortest exact, 17 digits): the train writer leaves
     * "%.10g" set on this thread, which would round parameter counts */
    json_c_set_serialization_double_format(NULL, JSON_C_OPTION_THREAD);
    const char *t = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                          JSON_C_TO_STRING_NOSLASHESCAPE);
    *json = t ? strdup(t) : NULL;
    json_object_put(o);
    return *json ? AIF_OK : aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, NULL, "out of memory");
}

aif_rc aif_report_catalog_json(const aif_catalog *c, const char *kind, const char *name, char **json, aif_err *err)
{
    *json = NULL;
    aif_err_clear(err);
    if (kind && check_kind(kind, err))
        return err->rc;
    catalog_view v;
    if (name) {
        if (!kind)
            return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, NULL, "an entry's name needs its kind");
        aif_catalog_view(c, kind, &v);
        const char *own = aif_catalog_entry_name(c, (aif_catalog_kind)aif_name_index(kinds, kind), name);
        if (own)   /* "H100" and the alias "h100" show h100-sxm */
            name = own;
        for (int i = 0; i < v.n; i++)
            if (!strcmp(v.items + (size_t)i * v.item_size + v.name_off, name))
                return to_text(entry_json(c, kind, &v, i, 1), json, err);
        const char *names[512];
        int n = aif_catalog_names(c, (aif_catalog_kind)aif_name_index(kinds, kind), names, 512);
        int d = aif_did_you_mean(name, names, n);
        return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, kind, "no %s named '%s'%s%s%s", kind, name,
                           d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "", d >= 0 ? "'?" : "");
    }
    json_object *root = json_object_new_object();
    for (int k = 0; k < N_KINDS; k++) {
        if (kind && strcmp(kind, kinds[k]))
            continue;
        aif_catalog_view(c, kinds[k], &v);
        json_object *arr = json_object_new_array();
        for (int i = 0; i < v.n; i++)
            json_object_array_add(arr, entry_json(c, kinds[k], &v, i, 0));
        json_object_object_add(root, kinds[k], arr);
    }
    return to_text(root, json, err);
}

/* ------------------------------------------------------------ one entry's card */

/* The sources of one card: each distinct citation once, numbered in order of use. */
typedef struct card_src { const char *cite[64]; int n; } card_src;

static int cite_index(card_src *cs, const char *s)
{
    for (int i = 0; i < cs->n; i++)
        if (cs->cite[i] == s || !strcmp(cs->cite[i], s))
            return i + 1;
    if (cs->n == (int)(sizeof cs->cite / sizeof cs->cite[0]))
        return 0;
    cs->cite[cs->n++] = s;
    return cs->n;
}

/* One field's value as a person reads it, with its unit (src/report/format.c). */
static void value_text(char *buf, size_t n, const field *f, const char *p)
{
    double x = f->type == F_QTY || f->type == F_NUM ? *(const double *)p : 0;
    switch (f->type) {
    case F_INT: snprintf(buf, n, "%d", *(const int *)p); return;
    case F_NUM: snprintf(buf, n, "%.4g", x); return;
    case F_BOOL: snprintf(buf, n, "%s", *(const bool *)p ? "true" : "false"); return;
    case F_STR: snprintf(buf, n, "%s", p); return;
    case F_NAMES: {   /* kept space-separated; shown as a list */
        size_t w = 0;
        buf[0] = '\0';
        for (const char *q = p; *q && w + 2 < n; q++)
            if (*q == ' ')
                w += (size_t)snprintf(buf + w, n - w, ", ");
            else
                buf[w++] = *q, buf[w] = '\0';
        return;
    }
    case F_ENUM: {
        int v = *(const int *)p, k = 0;
        while (f->names[k])
            k++;
        snprintf(buf, n, "%s", v >= 0 && v < k ? f->names[v] : "");
        return;
    }
    case F_FLAGS: {   /* the names of its bits, as a list */
        size_t w = 0;
        buf[0] = '\0';
        for (int b = 0; f->names[b] && b < 32 && w < n; b++)
            if (*(const unsigned *)p >> b & 1u)
                w += (size_t)snprintf(buf + w, n - w, "%s%s", w ? ", " : "", f->names[b]);
        return;
    }
    case F_PRECMAP: {
        size_t w = 0;
        buf[0] = '\0';
        for (int i = 0; i < AIF_N_PREC && w < n; i++) {
            double v = ((const double *)p)[i];
            if (v <= 0)
                continue;
            char num[32];
            aif_fmt_si(num, sizeof num, v, "FLOP/s");
            w += (size_t)snprintf(buf + w, n - w, "%s%s %s", w ? ", " : "", aif_prec_names[i], num);
        }
        return;
    }
    case F_QTY:
        switch (f->qty) {
        case AIF_Q_BYTES: {   /* memory sizes in both units: a device reports binary ones */
            char si[32];
            aif_fmt_si(si, sizeof si, x, "B");
            if (x >= AIF_GIB)
                snprintf(buf, n, "%s (%.4g GiB)", si, x / AIF_GIB);
            else
                snprintf(buf, n, "%s", si);
            return;
        }
        case AIF_Q_BW: aif_fmt_si(buf, n, x, "B/s"); return;
        case AIF_Q_POWER: aif_fmt_si(buf, n, x, "W"); return;
        case AIF_Q_TIME: aif_fmt_si(buf, n, x, "s"); return;
        case AIF_Q_MONEY: aif_fmt_usd(buf, n, x); return;
        case AIF_Q_ENERGY: aif_fmt_energy_J(buf, n, x); return;
        case AIF_Q_ENERGY_PRICE: {
            char m[32];
            aif_fmt_usd(m, sizeof m, x * 3.6e6);
            snprintf(buf, n, "%s per kWh", m);
            return;
        }
        case AIF_Q_CARBON: aif_fmt_si(buf, n, x * 3.6e9, "g CO2e per kWh"); return;
        case AIF_Q_MASS: aif_fmt_mass_kg(buf, n, x); return;
        default: aif_fmt_count(buf, n, x); return;
        }
    case F_SUB: buf[0] = '\0'; return;
    }
    buf[0] = '\0';
}

/* The lines of obj's set fields; prefix names a nested mapping ("moe."). */
static void card_fields(FILE *f, const schema *sc, const char *obj, const char *prefix, const aif_catalog *c,
                        const char *kind, const char *entry, card_src *cs)
{
    for (int i = 0; i < sc->n; i++) {
        const field *fd = &sc->f[i];
        const char *p = obj + fd->off;
        /* an enum's first name is a value like any other (position rope, fabric kind
         * infiniband, storage class pfs); only a status left unstated is not shown */
        int shown = fd->type == F_ENUM ? strcmp(fd->key, "status") || *(const int *)p != 0 : field_is_set(fd, obj);
        if (!shown)
            continue;
        char key[96];
        int published = !prefix[0] && computed_of(kind ? kind : "") && !strcmp(fd->key, "params");
        published |= !prefix[0] && computed_of(kind ? kind : "") && !strcmp(fd->key, "active_params");
        snprintf(key, sizeof key, "%s%s%s", prefix, fd->key, published ? " (published)" : "");
        if (fd->type == F_SUB) {
            char pre[100];
            snprintf(pre, sizeof pre, "%s.", key);
            card_fields(f, fd->sub, p, pre, c, kind, entry, cs);
            continue;
        }
        if (!strcmp(fd->key, "description"))
            continue;   /* on the title line */
        char val[256];
        value_text(val, sizeof val, fd, p);
        fprintf(f, "  %-26s %s", key, val);
        const char *src = c ? aif_catalog_source(c, kind, entry, fd->key) : "";
        if (src[0])
            fprintf(f, "  [%d]", cite_index(cs, src));
        fputc('\n', f);
    }
}

aif_rc aif_report_catalog_entry_text(FILE *f, const aif_catalog *c, const char *kind, const char *name,
                                     aif_err *err)
{
    aif_err_clear(err);
    if (check_kind(kind, err))
        return err->rc;
    catalog_view v;
    aif_catalog_view(c, kind, &v);
    const char *own = aif_catalog_entry_name(c, (aif_catalog_kind)aif_name_index(kinds, kind), name);
    if (own)   /* as the JSON: "H100" and the alias "h100" show h100-sxm */
        name = own;
    for (int i = 0; i < v.n; i++) {
        const char *obj = v.items + (size_t)i * v.item_size;
        if (strcmp(obj + v.name_off, name))
            continue;
        card_src cs = {.n = 0};
        const char *desc = "";
        for (int k = 0; k < v.sc->n; k++)
            if (!strcmp(v.sc->f[k].key, "description") && v.sc->f[k].type == F_STR)
                desc = obj + v.sc->f[k].off;
        fprintf(f, "%s (%s)%s%s\n", name, kind, desc[0] ? ": " : "", desc);
        card_fields(f, v.sc, obj, "", c, kind, name, &cs);
        if (!strcmp(kind, "models")) {
            const aif_model *m = (const aif_model *)obj;
            char a[32], b[32];
            aif_fmt_count(a, sizeof a, aif_model_params(m));
            aif_fmt_count(b, sizeof b, aif_model_active_params(m));
            fprintf(f, "  %-26s %s parameters, %s active (computed from the shape, embeddings included)\n",
                    "computed", a, b);
        }
        const char *all = aif_catalog_source(c, kind, name, "all");
        if (all[0])   /* the entry's own citation, listed even when every figure has its own */
            cite_index(&cs, all);
        if (cs.n)
            fputs("sources (each once; [N] after a figure)\n", f);
        for (int k = 0; k < cs.n; k++)
            fprintf(f, "  [%d] %s\n", k + 1, cs.cite[k]);
        return AIF_OK;
    }
    const char *names[512];
    int n = aif_catalog_names(c, (aif_catalog_kind)aif_name_index(kinds, kind), names, 512);
    int d = aif_did_you_mean(name, names, n);
    return aif_err_set(err, AIF_EINPUT, NULL, 0, 0, kind, "no %s named '%s'%s%s%s", kind, name,
                       d >= 0 ? "; did you mean '" : "", d >= 0 ? names[d] : "", d >= 0 ? "'?" : "");
}

/* ----------------------------------------------------------------- tables */

static void gpus_text(FILE *f, const aif_catalog *c)
{
    int w = 11;   /* the name column: as wide as the longest name */
    for (int i = 0; i < aif_catalog_n_gpus(c); i++)
        if ((int)strlen(aif_catalog_gpu(c, i)->name) > w)
            w = (int)strlen(aif_catalog_gpu(c, i)->name);
    fprintf(f, "%-*s %-40s %8s %8s %7s %7s %6s %10s %5s  %s\n", w, "gpu", "description", "bf16 TF", "fp8 TF",
            "HBM GiB", "HBM TB/s", "TDP W", "scale-up", "dom", "status");
    for (int i = 0; i < aif_catalog_n_gpus(c); i++) {
        const aif_gpu *g = aif_catalog_gpu(c, i);
        fprintf(f, "%-*s %-40.40s %8.0f %8.0f %7.1f %7.2f %6.0f %6.0fGB/s %5d  %s%s\n", w, g->name, g->description,
                g->peak_flops[AIF_BF16] / 1e12, g->peak_flops[AIF_FP8] / 1e12, g->hbm_bytes / AIF_GIB,
                g->hbm_bw_Bps / 1e12, g->tdp_W, g->scaleup_bw_Bps / 1e9, g->scaleup_domain,
                aif_status_name((aif_status)g->status), g->calib.roofline ? ", roofline" : "");
    }
}

static void systems_text(FILE *f, const aif_catalog *c)
{
    fprintf(f, "%-17s %-11s %5s %5s %9s %-12s %7s %9s %9s  %s\n", "system", "gpu", "gpus", "nics", "nic Gb/s",
            "fabric", "domain", "max kW", "host GB/s", "status");
    for (int i = 0; i < aif_catalog_n_systems(c); i++) {
        const aif_system *s = aif_catalog_system(c, i);
        char host[16] = "-";   /* the GPU's link to host memory per direction, when the catalog has it */
        if (s->host_link_Bps > 0)
            snprintf(host, sizeof host, "%.1f", s->host_link_Bps / 1e9);
        fprintf(f, "%-17s %-11s %5d %5d %9.0f %-12s %7d %9.2f %9s  %s\n", s->name, s->gpu, s->gpus_per_node,
                s->nics_per_node, s->nic_bw_Bps * 8 / 1e9, s->fabric, s->scaleup_domain, s->max_power_W / 1e3, host,
                aif_status_name((aif_status)s->status));
    }
}

static void fabrics_text(FILE *f, const aif_catalog *c)
{
    fprintf(f, "%-16s %-11s %-5s %10s %10s %6s  %s\n", "fabric", "kind", "xport", "port Gb/s", "latency us", "eff",
            "status");
    for (int i = 0; i < aif_catalog_n_fabrics(c); i++) {
        const aif_fabric *fa = aif_catalog_fabric(c, i);
        fprintf(f, "%-16s %-11s %-5s %10.0f %10.2f %6.2f  %s%s\n", fa->name, aif_fabric_kind_names[fa->kind],
                aif_transport_names[fa->transport], fa->port_bw_Bps * 8 / 1e9, fa->latency_s * 1e6, fa->efficiency,
                aif_status_name((aif_status)fa->status), fa->optics == AIF_OPTICS_CPO ? ", co-packaged optics" : "");
    }
}

static void models_text(FILE *f, const aif_catalog *c)
{
    fprintf(f, "%-18s %9s %7s %7s %9s %7s %8s %-6s %s\n", "model", "params", "layers", "hidden", "heads/kv", "ffn",
            "vocab", "attn", "moe");
    for (int i = 0; i < aif_catalog_n_models(c); i++) {
        const aif_model *m = aif_catalog_model(c, i);
        char hk[24], moe[32] = "";
        snprintf(hk, sizeof hk, "%d/%d", m->heads, m->kv_heads);
        if (m->moe.experts)
            snprintf(moe, sizeof moe, "%dx top-%d", m->moe.experts, m->moe.top_k);
        fprintf(f, "%-18s %8.1fB %7d %7d %9s %7d %8d %-6s %s\n", m->name, aif_model_params(m) / 1e9, m->layers,
                m->hidden, hk, m->ffn, m->vocab, aif_attn_names[m->attention], moe);
    }
}

static void frameworks_text(FILE *f, const aif_catalog *c)
{
    fprintf(f, "%-23s %-8s %9s %6s %6s %6s %6s %6s %-9s %7s %7s %-6s %6s  %s\n", "framework", "attn", "attn f/b", "gemm",
            "fp8", "norm", "rope", "act", "fp8 scale", "graphs", "sac mm", "zero3", "loss B", "overlaps (tp dp ep)");
    for (int i = 0; i < aif_catalog_n_frameworks(c); i++) {
        const aif_framework *fw = aif_catalog_framework(c, i);
        char attn_fb[24];
        snprintf(attn_fb, sizeof attn_fb, "%.2f/%.2f", fw->attn_fwd_factor > 0 ? fw->attn_fwd_factor : 1,
                 fw->attn_bwd_factor > 0 ? fw->attn_bwd_factor : 1);
        fprintf(f, "%-23s %-8s %9s %6.2f %6.2f %6.2f %6.2f %6.2f %-9s %7s %7.2f %-6s %6g  %s %s %s\n", fw->name,
                aif_attn_kernel_names[fw->attention], attn_fb, fw->matmul_factor, fw->fp8_matmul_factor, fw->norm_traffic,
                aif_framework_rope_traffic(fw), fw->act_traffic, aif_fp8_recipe_names[fw->fp8_recipe], fw->cuda_graphs ? "yes" : "no",
                fw->selective_gemm_share, fw->fsdp_per_tensor ? "tensor" : "layer",
                fw->loss_bytes > 0 ? fw->loss_bytes : 6,   /* memory.c loss_bytes: absent, Megatron-Core's 6 */
                fw->tp_overlap ? "yes" : "no",
                fw->dp_overlap ? "yes" : "no",
                fw->ep_overlap ? "yes" : "no");
    }
}

static void storage_text(FILE *f, const aif_catalog *c)
{
    fprintf(f, "%-15s %-8s %9s %10s %9s %9s %8s %10s  %s\n", "storage", "class", "read GB/s", "write GB/s",
            "TB", "latency", "power kW", "price", "status");
    for (int i = 0; i < aif_catalog_n_storage(c); i++) {
        const aif_storage_tier *t = aif_catalog_storage(c, i);
        char lat[32], usd[32];
        aif_fmt_si(lat, sizeof lat, t->latency_s, "s");
        aif_fmt_usd(usd, sizeof usd, t->price_usd);
        fprintf(f, "%-15s %-8s %9.0f %10.0f %9.1f %9s %8.2f %10s  %s\n", t->name,
                aif_storage_class_names[t->storage_class], t->read_bw_Bps / 1e9, t->write_bw_Bps / 1e9,
                t->capacity_bytes / 1e12, lat, t->power_W / 1e3, t->price_usd > 0 ? usd : "-",
                aif_status_name((aif_status)t->status));
    }
}

aif_rc aif_report_catalog_text(FILE *f, const aif_catalog *c, const char *kind, aif_err *err)
{
    static void (*const table[N_KINDS])(FILE *, const aif_catalog *) = {gpus_text, systems_text, fabrics_text,
                                                                        models_text, frameworks_text,
                                                                        storage_text};
    aif_err_clear(err);
    if (kind && check_kind(kind, err))
        return err->rc;
    int first = 1;
    for (int k = 0; k < N_KINDS; k++) {
        if (kind && strcmp(kind, kinds[k]))
            continue;
        if (!first)
            fputc('\n', f);
        table[k](f, c);
        first = 0;
    }
    return AIF_OK;
}
