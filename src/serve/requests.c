/* requests.c -- synthetic request streams and trace replay (requests.h).
 *
 * Arrivals: gaps of a renewal process with mean 1/qps; Poisson has exponential
 * gaps, a bursty stream gamma gaps of shape k = 1/cv^2 and scale cv^2/qps
 * (Marsaglia and Tsang's method; k < 1 by boosting: Gamma(k) = Gamma(k + 1) U^(1/k)).
 * Lengths: fixed, uniform on [1, 2 mean - 1], exponential, lognormal with
 * sigma 1 and mu = ln(mean) - 1/2 (so the mean is `mean` before clipping).
 * Traces: Azure LLM inference (github.com/Azure/AzurePublicDataset, 2023 and
 * 2024: header TIMESTAMP,ContextTokens,GeneratedTokens, timestamps
 * "YYYY-MM-DD HH:MM:SS.fffffff" with an optional zone suffix, or plain seconds)
 * and Mooncake (github.com/kvcache-ai/Mooncake, FAST'25 traces: one JSON object a
 * line with timestamp in ms, input_length, output_length, hash_ids).  Times are
 * made relative to the first request; a time that goes backwards is an error. */
#include "serve/requests.h"
#include "base/base.h"

#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aif_rng_seed(aif_rng *g, uint64_t seed) { g->state = aif_mix64(seed ^ 0x5e7e5eedULL); }

static uint64_t next64(aif_rng *g)
{
    g->state += 0x9e3779b97f4a7c15ULL;
    return aif_mix64(g->state);
}

double aif_rng_uniform(aif_rng *g) { return (double)(next64(g) >> 11) * 0x1.0p-53; }

static double normal(aif_rng *g)
{
    double u = 1 - aif_rng_uniform(g), v = aif_rng_uniform(g);
    return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

static double gamma_unit(aif_rng *g, double k)
{
    if (k < 1) {
        double u = 1 - aif_rng_uniform(g);
        return gamma_unit(g, k + 1) * pow(u, 1 / k);
    }
    double d = k - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double x = normal(g), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = 1 - aif_rng_uniform(g);
        if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
            return d * v;
    }
}

double aif_rng_gap(aif_rng *g, double rate, double cv)
{
    if (fabs(cv - 1) < 1e-12)
        return -log(1 - aif_rng_uniform(g)) / rate;
    double k = 1 / (cv * cv);
    return gamma_unit(g, k) / (k * rate);
}

int aif_rng_length(aif_rng *g, const aif_len_spec *sp)
{
    double x = sp->mean;
    switch (sp->dist) {
    case AIF_LEN_UNIFORM: x = 1 + floor(aif_rng_uniform(g) * (2 * sp->mean - 1)); break;
    case AIF_LEN_EXPONENTIAL: x = -log(1 - aif_rng_uniform(g)) * sp->mean; break;
    case AIF_LEN_LOGNORMAL: x = exp(log(sp->mean) - 0.5 + normal(g)); break;
    default: break;
    }
    x = floor(x + 0.5);
    if (x < 1)
        x = 1;
    return x > sp->max ? sp->max : (int)x;
}

void aif_requests_free(aif_req_stream *s)
{
    free(s->r);
    free(s->hash);
    free(s->link);
    memset(s, 0, sizeof *s);
}

/* The daily curve's time change: operational time u (arrivals at rate qps in u)
 * maps to clock time t with du/dt = curve[hour(t)] / mean(curve), hour by hour from
 * daily_start_hour.  u only grows from one call to the next, so the walk keeps its
 * place: the whole stream costs one step per request plus one per hour crossed. */
typedef struct curve_walk {
    double mean;          /* of the 24 weights */
    double u0, t0, clock_h;   /* the start of the current hour: operational time, clock time, hour of day */
} curve_walk;

static double curve_time(const aif_serve *sv, curve_walk *w, double u)
{
    for (;;) {
        int h = (int)floor(w->clock_h) % 24;
        double left_h = floor(w->clock_h) + 1 - w->clock_h;   /* of this hour */
        double speed = sv->curve[h] / w->mean;                 /* operational seconds per clock second */
        double span = left_h * 3600 * speed;
        if (u - w->u0 <= span && speed > 0)
            return w->t0 + (u - w->u0) / speed;
        w->u0 += span;
        w->t0 += left_h * 3600;
        w->clock_h = floor(w->clock_h) + 1;
    }
}

aif_rc aif_requests_synth(const aif_serve *sv, aif_req_stream *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    out->r = malloc((size_t)sv->requests * sizeof *out->r);
    if (!out->r)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve.requests", "out of memory for %d requests",
                           sv->requests);
    aif_rng g;
    aif_rng_seed(&g, sv->seed);
    double t = 0;
    curve_walk cw = {0, 0, 0, sv->daily_start_hour};
    for (int h = 0; h < sv->n_curve; h++)
        cw.mean += sv->curve[h] / 24;
    for (long i = 0; i < sv->requests; i++) {
        if (i > 0 && sv->mode == AIF_SERVE_SERVER)
            t += aif_rng_gap(&g, sv->qps, sv->arrival == AIF_ARRIVAL_GAMMA ? sv->arrival_cv : 1);
        aif_req *r = &out->r[i];
        r->arrival_s = sv->n_curve && sv->mode == AIF_SERVE_SERVER ? curve_time(sv, &cw, t) : t;
        r->input = aif_rng_length(&g, &sv->input_tokens);
        r->output = aif_rng_length(&g, &sv->output_tokens);
        r->hash_first = 0;
        r->n_hash = 0;
    }
    out->n = out->n_open = sv->requests;
    return AIF_OK;
}

/* A block of a session's context: the system prompt's blocks are shared by every
 * session, the rest are the session's own (the same block in every call: the context
 * only grows). */
static uint64_t block_hash(long session, long block, int system_blocks)
{
    uint64_t x = block < system_blocks ? 0x5157u : 0xa9e17c00u + (uint64_t)session;
    x = (x << 24) ^ (uint64_t)block;
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ULL;
    x ^= x >> 27;
    return x;
}

/* Agentic sessions: ceil(requests / calls) sessions arriving as the synthetic stream
 * does (rate, process, daily curve); their first calls are [0, sessions), the later
 * calls follow in session order, each linked from its predecessor. */
static aif_rc agentic_synth(const aif_serve *sv, aif_req_stream *out, aif_err *err)
{
    aif_serve one = *sv;
    long K = sv->agentic.calls, n = sv->requests;
    long S = (n + K - 1) / K;
    one.requests = (int)S;
    one.agentic.calls = 0;
    aif_req_stream first;
    aif_rc rc = aif_requests_synth(&one, &first, err);   /* the sessions' arrivals */
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->r = malloc((size_t)n * sizeof *out->r);
    out->link = malloc((size_t)n * sizeof *out->link);
    if (!out->r || !out->link) {
        aif_requests_free(&first);
        aif_requests_free(out);
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve.agentic", "out of memory for %ld calls", n);
    }
    aif_rng g;
    aif_rng_seed(&g, sv->seed ^ 0x5e55105ULL);
    int sys = sv->agentic.system_prompt, sys_blocks = sys / AIF_TRACE_HASH_BLOCK;
    long later = S;   /* index of the next later call */
    long cap_hash = 0;
    for (long s = 0; s < S; s++) {
        long calls = s + 1 < S ? K : n - (S - 1) * K;
        long ctx = sys, prev = -1;
        for (long k = 0; k < calls; k++) {
            long i = k == 0 ? s : later++;
            aif_req *r = &out->r[i];
            int fresh = aif_rng_length(&g, &sv->input_tokens);
            long in = ctx + fresh;
            if (in > sv->agentic.max_context)
                in = sv->agentic.max_context;   /* the oldest turns dropped, as agents truncate */
            *r = (aif_req){.arrival_s = k == 0 ? first.r[s].arrival_s : -1, .input = (int)in,
                           .output = aif_rng_length(&g, &sv->output_tokens), .hash_first = out->n_hash};
            out->link[i] = (aif_req_link){-1, 0};
            r->n_hash = (int)(in / AIF_TRACE_HASH_BLOCK);
            if (aif_grow((void **)&out->hash, &cap_hash, out->n_hash + r->n_hash, sizeof *out->hash)) {
                aif_requests_free(&first);
                aif_requests_free(out);
                return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve.agentic", "out of memory for the contexts");
            }
            for (long b = 0; b < r->n_hash; b++)
                out->hash[out->n_hash++] = block_hash(s, b, sys_blocks);
            if (prev >= 0) {
                out->link[prev].next = (int)i;
                out->link[prev].think_s = -log(1 - aif_rng_uniform(&g)) * sv->agentic.tool_latency_s +
                                          sv->agentic.retrieval_s;   /* reading the storage tier */
            }
            prev = i;
            ctx = in + r->output;
        }
    }
    aif_requests_free(&first);
    out->n = n;
    out->n_open = S;
    return AIF_OK;
}

/* ---- traces */

typedef struct parser {
    const char *name;
    aif_err *err;
    int line;
    aif_req_stream *out;
    long cap, cap_hash;
    double t0, last;
} parser;

static aif_rc perr(parser *p, const char *fmt, const char *a, const char *b)
{
    aif_err_set(p->err, AIF_EINPUT, p->name, p->line, 0, "serve.trace", fmt, a, b);
    return AIF_EINPUT;
}

static aif_rc push(parser *p, double t, double in, double outn, const char *what_t)
{
    char b1[64], b2[64];
    if (!(in >= 1 && in <= 1e8 && in == floor(in))) {
        snprintf(b1, sizeof b1, "%.17g", in);
        return perr(p, "input length %s is not a whole number of tokens in [1, 100000000]%s", b1, "");
    }
    if (!(outn >= 1 && outn <= 1e8 && outn == floor(outn))) {
        snprintf(b1, sizeof b1, "%.17g", outn);
        return perr(p, "output length %s is not a whole number of tokens in [1, 100000000] (a request "
                       "generates at least one token)%s", b1, "");
    }
    if (!(isfinite(t) && fabs(t) <= 1e12)) {   /* 1e12 s: past any date a trace can hold */
        snprintf(b1, sizeof b1, "%.17g", t);
        return perr(p, "timestamp %s s is not a finite time within 1e12 s of the epoch%s", b1, "");
    }
    if (p->out->n == 0)
        p->t0 = t;
    double rel = t - p->t0;
    if (p->out->n > 0 && rel < p->last) {
        snprintf(b1, sizeof b1, "%.9g", rel);
        snprintf(b2, sizeof b2, "%.9g", p->last);
        return perr(p, "the timestamp goes back in time (%s s after the first request, after %s s): a trace "
                       "must be sorted by time", b1, b2);
    }
    (void)what_t;
    if (aif_grow((void **)&p->out->r, &p->cap, p->out->n + 1, sizeof *p->out->r))
        return aif_err_set(p->err, AIF_ENOMEM, p->name, p->line, 0, "serve.trace", "out of memory");
    p->last = rel;
    p->out->r[p->out->n++] = (aif_req){rel, (int)in, (int)outn, p->out->n_hash, 0};
    return AIF_OK;
}

/* Days from 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

/* "YYYY-MM-DD HH:MM:SS[.f...][Z|+hh:mm]" or plain seconds; 0 or -1. */
static int parse_time(const char *s, double *out)
{
    char *end;
    int Y, M, D, h, mi, n = 0;
    double sec;
    if (sscanf(s, "%4d-%2d-%2d%*[ T]%2d:%2d:%n", &Y, &M, &D, &h, &mi, &n) == 5 && n > 0) {
        errno = 0;
        sec = strtod(s + n, &end);
        if (errno || end == s + n || M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || mi > 59 || sec < 0 ||
            sec >= 61)
            return -1;
        if (*end == 'Z')
            end++;
        else if ((*end == '+' || *end == '-') && isdigit((unsigned char)end[1]))
            end += strcspn(end, " \t\r");
        if (*end && !isspace((unsigned char)*end))
            return -1;
        *out = days_from_civil(Y, (unsigned)M, (unsigned)D) * 86400.0 + h * 3600.0 + mi * 60.0 + sec;
        return 0;
    }
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ' || *end == '\r')
        end++;
    return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    while (*end == ' ' || *end == '\r')
        end++;
    return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

/* The next line of *cur (NUL-terminated in place), or NULL at the end; empty lines count. */
static char *next_line(char **cur)
{
    char *ln = *cur;
    if (!ln)
        return NULL;
    char *nl = strchr(ln, '\n');
    if (nl) {
        *nl = '\0';
        *cur = nl[1] ? nl + 1 : NULL;
    } else {
        *cur = NULL;
        if (!*ln)
            return NULL;
    }
    return ln;
}

static aif_rc parse_azure(parser *p, char *text, long max)
{
    char *cur = text;
    for (char *ln; (ln = next_line(&cur));) {
        p->line++;
        size_t k = strlen(ln);
        if (k && ln[k - 1] == '\r')
            ln[--k] = '\0';
        if (p->line == 1) {
            if (strcmp(ln, "TIMESTAMP,ContextTokens,GeneratedTokens"))
                return perr(p, "the header is '%s'; an Azure LLM inference trace starts with "
                               "'TIMESTAMP,ContextTokens,GeneratedTokens'%s", ln, "");
            continue;
        }
        if (!k)
            continue;
        if (max && p->out->n >= max)
            break;
        char *f[4] = {ln, NULL, NULL, NULL};
        int nf = 1;
        for (char *c = ln; *c; c++)
            if (*c == ',') {
                *c = '\0';
                if (nf < 4)
                    f[nf] = c + 1;
                nf++;
            }
        if (nf != 3) {
            char b[32];
            snprintf(b, sizeof b, "%d", nf);
            return perr(p, "%s fields; a row holds 3: TIMESTAMP,ContextTokens,GeneratedTokens%s", b, "");
        }
        double t, in, o;
        if (parse_time(f[0], &t))
            return perr(p, "timestamp '%s' is neither 'YYYY-MM-DD HH:MM:SS.fffffff' nor seconds%s", f[0], "");
        if (parse_num(f[1], &in))
            return perr(p, "ContextTokens '%s' is not a number%s", f[1], "");
        if (parse_num(f[2], &o))
            return perr(p, "GeneratedTokens '%s' is not a number%s", f[2], "");
        aif_rc rc = push(p, t, in, o, "TIMESTAMP");
        if (rc)
            return rc;
    }
    if (p->line == 0)
        return perr(p, "the trace is empty%s%s", "", "");
    return AIF_OK;
}

static aif_rc mooncake_line(parser *p, const char *ln)
{
    enum json_tokener_error je;
    json_object *o = json_tokener_parse_verbose(ln, &je);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return perr(p, "not a JSON object (%s); a Mooncake trace line is {\"timestamp\": ms, \"input_length\": N, "
                       "\"output_length\": N, \"hash_ids\": [...]}%s",
                    o ? "another JSON value" : json_tokener_error_desc(je), "");
    }
    const char *keys[3] = {"timestamp", "input_length", "output_length"};
    double v[3];
    for (int i = 0; i < 3; i++) {
        json_object *x;
        if (!json_object_object_get_ex(o, keys[i], &x)) {
            json_object_put(o);
            return perr(p, "no \"%s\" (a Mooncake line needs timestamp, input_length, output_length)%s", keys[i], "");
        }
        if (!json_object_is_type(x, json_type_int) && !json_object_is_type(x, json_type_double)) {
            json_object_put(o);
            return perr(p, "\"%s\" is not a number%s", keys[i], "");
        }
        v[i] = json_object_get_double(x);
    }
    aif_rc rc = push(p, v[0] / 1000, v[1], v[2], "timestamp");
    json_object *h;
    if (!rc && json_object_object_get_ex(o, "hash_ids", &h)) {
        if (!json_object_is_type(h, json_type_array)) {
            json_object_put(o);
            return perr(p, "\"hash_ids\" is not a list of block hashes%s%s", "", "");
        }
        size_t n = json_object_array_length(h);
        aif_req *r = &p->out->r[p->out->n - 1];
        for (size_t i = 0; i < n && !rc; i++) {
            json_object *x = json_object_array_get_idx(h, i);
            if (!json_object_is_type(x, json_type_int)) {
                rc = perr(p, "\"hash_ids\" holds something that is not a whole number%s%s", "", "");
                break;
            }
            if (aif_grow((void **)&p->out->hash, &p->cap_hash, p->out->n_hash + 1, sizeof *p->out->hash)) {
                rc = aif_err_set(p->err, AIF_ENOMEM, p->name, p->line, 0, "serve.trace", "out of memory");
                break;
            }
            p->out->hash[p->out->n_hash++] = (uint64_t)json_object_get_int64(x);
            r->n_hash++;
        }
    }
    json_object_put(o);
    return rc;
}

static aif_rc parse_mooncake(parser *p, char *text, long max)
{
    char *cur = text;
    for (char *ln; (ln = next_line(&cur));) {
        p->line++;
        if (!ln[strspn(ln, " \t\r")])
            continue;
        if (max && p->out->n >= max)
            break;
        aif_rc rc = mooncake_line(p, ln);
        if (rc)
            return rc;
    }
    return AIF_OK;
}

aif_rc aif_requests_parse(const char *text, size_t len, const char *name, long max, aif_req_stream *out, aif_err *err)
{
    memset(out, 0, sizeof *out);
    char *buf = malloc(len + 1);
    if (!buf)
        return aif_err_set(err, AIF_ENOMEM, name, 0, 0, "serve.trace", "out of memory");
    memcpy(buf, text, len);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        free(buf);
        return aif_err_set(err, AIF_EINPUT, name, 0, 0, "serve.trace", "the trace holds a NUL byte: not a text file");
    }
    parser p = {.name = name, .err = err, .out = out};
    const char *first = buf + strspn(buf, " \t\r\n");
    aif_rc rc;
    if (*first == '{')
        rc = parse_mooncake(&p, buf, max);
    else
        rc = parse_azure(&p, buf, max);
    free(buf);
    if (!rc && out->n == 0)
        rc = aif_err_set(err, AIF_EINPUT, name, p.line, 0, "serve.trace",
                         "no requests: an Azure CSV needs rows after its header, a Mooncake trace one JSON object "
                         "a line");
    if (rc)
        aif_requests_free(out);
    else
        out->n_open = out->n;
    return rc;
}

aif_rc aif_requests_load(const aif_serve *sv, aif_req_stream *out, aif_err *err)
{
    aif_rc rc;
    if (!sv->trace[0]) {
        rc = sv->agentic.calls > 0 && sv->mode == AIF_SERVE_SERVER ? agentic_synth(sv, out, err)
                                                                    : aif_requests_synth(sv, out, err);
    } else {
        char *text;
        size_t len;
        if ((rc = aif_read_file(sv->trace, &text, &len, err)))
            return rc;
        rc = aif_requests_parse(text, len, sv->trace, sv->requests, out, err);
        free(text);
    }
    if (!rc && (sv->mode == AIF_SERVE_OFFLINE || sv->concurrency > 0))   /* a closed loop: the clients set them */
        for (long i = 0; i < out->n; i++)
            out->r[i].arrival_s = 0;
    return rc;
}
