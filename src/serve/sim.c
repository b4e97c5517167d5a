/* sim.c -- the serving event loop (sim.h).
 *
 * Events (engine/events.h, ordered by time then insertion): an arrival routes a
 * request to a replica (round-robin, or the fewest outstanding requests, ties to
 * the lowest index); once every arrival of that instant is routed, each idle
 * replica that got work starts an iteration; an iteration's end applies its
 * tokens and starts the next at once while the replica has work.  Latencies:
 * TTFT = first token - arrival; TPOT = (done - first token) / (output - 1) for
 * outputs of two tokens or more; E2E = done - arrival; queueing = first
 * iteration that holds the request - arrival.  Percentiles by nearest rank.
 * mean_in_system integrates the requests arrived and not done over
 * [0, last completion] (Little's law: it equals requests_per_s x mean E2E).
 * A closed loop (serve.concurrency N): requests [0, N) arrive at t = 0, as the
 * benchmark tools start their clients, and each completion sends the next
 * request at that instant, so N are in the system until the last ones drain;
 * the requests an iteration's end releases are all routed before any replica
 * starts (arrivals of one instant).  With equal lengths and waves that fit the
 * token budget the clients stay in step (their requests prefilled together,
 * finishing together): nothing here adds what spread some published runs'
 * clients apart (docs/SERVING.md, "Closed loops").  Disaggregation: a prompt done on a
 * prefill replica sends its cache to a decode replica as a flow (max-min fair on the
 * replicas' NIC links; EV_KV_FLOW when the next flow ends, stamped so that a later
 * reschedule makes it stale), and the request joins that replica when it arrives. */
#include "serve/sim.h"
#include "base/base.h"
#include "engine/events.h"
#include "net/maxmin.h"
#include "serve/replica.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_ARRIVAL, EV_ITER_END, EV_KV_ARRIVAL, EV_KV_FLOW };

/* Disaggregation: a prompt's KV cache on its way from a prefill replica to a decode
 * replica, as one GPU's shard (every GPU of the pair moves the same share at once). */
typedef struct kv_flow {
    int req, src, dst;            /* dst: a decode replica's index */
    double left;                  /* bytes of the shard still to send */
    double rate;                  /* bytes per second, max-min fair (the network model's aif_mm) */
    int mm;                       /* its flow in that model */
} kv_flow;

/* serve.router cache-aware, as the routers of SGLang (sgl-router / sglang-gateway) and
 * vLLM (vllm-router) run it with their defaults: when the busiest replica has more than
 * AIF_CACHE_ROUTER_ABS outstanding requests over the idlest and more than
 * AIF_CACHE_ROUTER_REL times as many, the idlest; else the replica whose routed requests
 * share the longest prefix with this one, when that prefix is more than
 * AIF_CACHE_ROUTER_THRESHOLD of the prompt; else the replica with the fewest tokens
 * recorded.  The router records what it routes (each request's prompt under the replica
 * chosen: its blocks of hash ids, and the tokens not already recorded there), not what the
 * replica's cache holds, and forgets nothing (sgl-router evicts beyond 64M characters). */
#define AIF_CACHE_ROUTER_THRESHOLD 0.3
#define AIF_CACHE_ROUTER_ABS 64
#define AIF_CACHE_ROUTER_REL 1.5

typedef struct cache_router {
    uint64_t *hash;               /* (hash id, replica + 1) pairs recorded: open addressing, rep 0 = empty */
    int *rep;
    long mask;
    double *tokens;               /* per replica: prompt tokens recorded (the router's tree for it) */
} cache_router;

static long cr_slot(const cache_router *c, uint64_t h, int r)
{
    long i = (long)(aif_mix64(h ^ (uint64_t)(r + 1) * 0x9e3779b97f4a7c15ULL) & (uint64_t)c->mask);
    while (c->rep[i] && !(c->rep[i] == r + 1 && c->hash[i] == h))
        i = (i + 1) & c->mask;
    return i;
}

/* serve.overlap_schedule: the requests a replica was given after its scheduler had
 * formed the next iteration (while one ran), in the order given, with when. */
typedef struct held_q {
    int *req;
    double *t;
    long head, n, cap;
    double start_s;               /* the start of the latest iteration */
    int ahead;                    /* the scheduler is running ahead: an iteration started and the replica
                                     has not since found nothing to do */
} held_q;

typedef struct sim {
    const aif_scenario *s;
    const aif_req_stream *rq;
    const aif_serve_opts *o;
    aif_sched_cfg cfg;
    aif_serve_model model;
    aif_serve_model draft;        /* speculative decoding: the draft (model.layers = draft_layers) */
    aif_scenario *draft_s;        /* its scenario, borrowed by draft */
    aif_replica *rep;
    held_q *held;                 /* per replica, with serve.overlap_schedule; else NULL */
    cache_router cr;              /* serve.router cache-aware */
    int n_rep, rr_next;
    int n_prefill;                /* disaggregation: replicas [0, n_prefill) prefill, the rest decode; 0: off */
    int ve;                       /* virtual engines per replica: its pp stages, each with a batch in flight
                                     (rep[] holds replicas x ve schedulers, replica r's are r ve .. r ve + ve - 1) */
    double *stage_free;           /* pp > 1: when each replica's stage is next free, replicas x ve */
    double kv_token_bytes;        /* disaggregation: one prompt token's KV cache on one GPU (its shard) */
    double kv_link_Bps;           /*   one GPU's share of its node's NICs at the fabric's efficiency, each way */
    double kv_latency_s;          /*   and the fabric's latency */
    kv_flow *flows;               /*   the caches on the wire */
    int n_flows, cap_flows;
    double flow_t;                /*   when the flows' bytes left were last brought up to date */
    uint32_t flow_gen;            /*   the stamp of the pending EV_KV_FLOW (older ones are stale) */
    aif_mm *mm;                   /*   the flow-level network model: links 2 x n_rep, each replica's sending
                                     then receiving side */
    int *kv_dst;                  /*   per request: the decode replica its cache goes to */
    double *kv_t0;                /*   and when its transfer was ready */
    long kv_moves;
    double kv_move_s;             /* sum of the transfers' times */
    double kv_bytes_token_gpu;    /* one token's KV cache on one GPU of a replica (its layers, its heads) */
    double swap_bytes, swap_s;    /* preemption swap: bytes one GPU copied, the time they added */
    int *dirty, n_dirty;
    char *is_dirty;
    aif_req_state *st;
    double *arr;                  /* arrival of each request (an agentic session's later calls: set
                                     when their predecessor ends) */
    int *home;                    /* agentic: the replica that took each request (+1; 0: none yet), where
                                     the session's next call goes (its context is cached there); else NULL */
    int *done;
    aif_evq q;
    long n_done;
    long n_chain;                 /* arrivals [0, n_chain) chain at their own times; a closed loop's later ones
                                     are sent by completions */
    long next_closed;             /* closed loop (serve.concurrency): the next request a client sends */
    double area, t_last;
    long n_sys;
    double sum_batch, busy_s, compute_s, memory_s, comm_s;
    long iterations;
    long kv_peak_used;
    double kv_peak_frac;
    /* the series over time (aif_serve_series): per bucket, iterations, their sequences,
     * the highest occupancy; merged in pairs when time passes the last bucket */
    double ser_dt_s, ser_seqs[AIF_SERVE_SERIES], ser_kv[AIF_SERVE_SERIES];
    long ser_iter[AIF_SERVE_SERIES];
    int ser_n;
} sim;

/* Records an iteration that starts at t on a replica with kv_frac of its cache in use. */
static void record(sim *m, double t, int seqs, double kv_frac)
{
    long i = (long)(t / m->ser_dt_s);
    while (i >= AIF_SERVE_SERIES) {   /* halve the resolution: the fixed arrays cover any run */
        for (int k = 0; k < AIF_SERVE_SERIES / 2; k++) {
            m->ser_seqs[k] = m->ser_seqs[2 * k] + m->ser_seqs[2 * k + 1];
            m->ser_iter[k] = m->ser_iter[2 * k] + m->ser_iter[2 * k + 1];
            m->ser_kv[k] = fmax(m->ser_kv[2 * k], m->ser_kv[2 * k + 1]);
        }
        memset(m->ser_seqs + AIF_SERVE_SERIES / 2, 0, sizeof m->ser_seqs / 2);
        memset(m->ser_iter + AIF_SERVE_SERIES / 2, 0, sizeof m->ser_iter / 2);
        memset(m->ser_kv + AIF_SERVE_SERIES / 2, 0, sizeof m->ser_kv / 2);
        m->ser_dt_s *= 2;
        m->ser_n = (m->ser_n + 1) / 2;
        i = (long)(t / m->ser_dt_s);
    }
    m->ser_seqs[i] += seqs;
    m->ser_iter[i]++;
    if (kv_frac > m->ser_kv[i])
        m->ser_kv[i] = kv_frac;
    if (i + 1 > m->ser_n)
        m->ser_n = (int)i + 1;
}

/* Leading blocks of request i's hash ids recorded for replica r, as prompt tokens. */
static double cr_match(const sim *m, long i, int r)
{
    const aif_req *q = &m->rq->r[i];
    int k = 0;
    while (k < q->n_hash && m->cr.rep[cr_slot(&m->cr, m->rq->hash[q->hash_first + k], r)])
        k++;
    double t = (double)k * AIF_TRACE_HASH_BLOCK;
    return t < q->input ? t : q->input;
}

/* Replica p's requests routed and not finished: its virtual engines' together. */
static int load_of(const sim *m, int p)
{
    int n = 0;
    for (int v = 0; v < m->ve; v++)
        n += m->rep[p * m->ve + v].outstanding;
    return n;
}

/* The cache-aware rule (cache_router above) for request i over replicas [first, first + n),
 * and the request recorded under the replica chosen. */
static int route_cache(sim *m, int first, int n, long i)
{
    int least = first, lo = load_of(m, first), hi = lo;
    for (int r = first + 1; r < first + n; r++) {
        int l = load_of(m, r);
        if (l < lo) {
            least = r;
            lo = l;
        }
        if (l > hi)
            hi = l;
    }
    int pick = least;
    if (!(hi - lo > AIF_CACHE_ROUTER_ABS && hi > AIF_CACHE_ROUTER_REL * lo)) {
        int best = first, small = first, best_l = 0;
        double best_t = -1;
        for (int r = first; r < first + n; r++) {
            double t = m->rq->r[i].n_hash > 0 ? cr_match(m, i, r) : 0;
            int l = load_of(m, r);
            if (t > best_t || (t == best_t && l < best_l)) {
                best = r;
                best_t = t;
                best_l = l;
            }
            if (m->cr.tokens[r] < m->cr.tokens[small])
                small = r;
        }
        pick = best_t > AIF_CACHE_ROUTER_THRESHOLD * m->rq->r[i].input ? best : small;
    }
    const aif_req *q = &m->rq->r[i];
    m->cr.tokens[pick] += q->input - (q->n_hash > 0 ? cr_match(m, i, pick) : 0);
    for (int k = 0; k < q->n_hash; k++) {
        uint64_t h = m->rq->hash[q->hash_first + k];
        long sl = cr_slot(&m->cr, h, pick);
        m->cr.hash[sl] = h;
        m->cr.rep[sl] = pick + 1;
    }
    return pick;
}

/* The scheduler for request i among [first, first + n) (whole replicas' engines): the
 * router picks a replica (round-robin, the fewest outstanding, or cache-aware; i < 0,
 * the decode pool of a disaggregated deployment, always the fewest outstanding: its
 * caches arrive whole from the prefill pool), then the replica's virtual engine with
 * the fewest outstanding (vLLM's V0 engine; with pp 1 the replica's only one). */
static int route(sim *m, int first, int n, long i)
{
    int pf = first / m->ve, pn = n / m->ve, p = pf;
    if (m->s->serve.router == AIF_ROUTER_CACHE_AWARE && i >= 0) {
        p = route_cache(m, pf, pn, i);
    } else if (m->s->serve.router == AIF_ROUTER_ROUND_ROBIN && i >= 0) {
        p = pf + m->rr_next % pn;
        m->rr_next = (m->rr_next + 1) % pn;
    } else {
        for (int r = pf + 1, best = load_of(m, pf); r < pf + pn; r++) {
            int l = load_of(m, r);
            if (l < best) {
                p = r;
                best = l;
            }
        }
    }
    int e = p * m->ve;
    for (int v = 1; v < m->ve; v++)
        if (m->rep[p * m->ve + v].outstanding < m->rep[e].outstanding)
            e = p * m->ve + v;
    return e;
}

/* Queues request i on replica r at now, marked to start an iteration at this instant;
 * with serve.overlap_schedule, a request given after the replica's latest iteration
 * started, while its scheduler runs ahead, is held until the scheduler sees it. */
static aif_rc queue_req(sim *m, int r, long i, double now, aif_err *err);

static aif_rc give(sim *m, int r, long i, double now, aif_err *err)
{
    m->rep[r].outstanding++;
    return queue_req(m, r, i, now, err);
}

/* give, for a request already counted at replica r (a cache that was on its way there). */
static aif_rc queue_req(sim *m, int r, long i, double now, aif_err *err)
{
    held_q *h = m->held ? &m->held[r] : NULL;
    if (h && h->ahead && (now > h->start_s || h->n > 0)) {   /* (behind any held: the order kept) */
        if (h->head + h->n == h->cap) {
            if (h->head > 0) {   /* slide the live part down before growing */
                memmove(h->req, h->req + h->head, (size_t)h->n * sizeof *h->req);
                memmove(h->t, h->t + h->head, (size_t)h->n * sizeof *h->t);
                h->head = 0;
            }
            if (h->n == h->cap) {
                long cap = h->cap ? 2 * h->cap : 64;
                int *nr = realloc(h->req, (size_t)cap * sizeof *nr);
                if (nr)
                    h->req = nr;
                double *nt = nr ? realloc(h->t, (size_t)cap * sizeof *nt) : NULL;
                if (!nt)
                    return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the held requests");
                h->t = nt;
                h->cap = cap;
            }
        }
        h->req[h->head + h->n] = (int)i;
        h->t[h->head + h->n] = now;
        h->n++;
        return AIF_OK;
    }
    aif_rc rc = aif_replica_enqueue(&m->rep[r], (int)i, 0, err);
    if (!rc && !m->is_dirty[r]) {
        m->is_dirty[r] = 1;
        m->dirty[m->n_dirty++] = r;
    }
    return rc;
}

static aif_rc start_dirty(sim *m, double t, aif_err *err);

/* Moves replica r's held requests given by time t into its queue, in the order given. */
static aif_rc release(sim *m, int r, double t, aif_err *err)
{
    held_q *h = &m->held[r];
    aif_rc rc = AIF_OK;
    while (!rc && h->n > 0 && h->t[h->head] <= t) {
        rc = aif_replica_enqueue(&m->rep[r], h->req[h->head], 0, err);
        h->head++;
        h->n--;
    }
    if (h->n == 0)
        h->head = 0;
    return rc;
}

/* Chooses replica r's next iteration at now into its batch; 0 when it has nothing to run.
 * With serve.overlap_schedule the iteration was formed when the one before started:
 * from the requests given by then; a scheduler that had formed nothing takes all. */
static int schedule(sim *m, int r, double now, aif_err *err, aif_rc *rc)
{
    aif_replica *rp = &m->rep[r];
    held_q *h = m->held ? &m->held[r] : NULL;
    if (h && (*rc = release(m, r, h->start_s, err)))
        return 0;
    if (aif_replica_schedule(rp, &m->cfg, m->rq, m->st, now, err, rc))
        return 1;
    if (*rc || !h || h->n == 0)
        return 0;
    if ((*rc = release(m, r, now, err)))
        return 0;
    return aif_replica_schedule(rp, &m->cfg, m->rq, m->st, now, err, rc);
}

/* Starts replica r's next iteration at now when it has work. */
static aif_rc start(sim *m, int r, double now, aif_err *err)
{
    aif_replica *rp = &m->rep[r];
    aif_rc rc = AIF_OK;
    if (rp->busy)
        return AIF_OK;
    if (!schedule(m, r, now, err, &rc)) {
        if (m->held)
            m->held[r].ahead = 0;
        return rc;
    }
    if (m->held) {
        m->held[r].ahead = 1;
        m->held[r].start_s = now;
    }
    aif_serve_time t;
    if ((rc = aif_serve_model_time(&m->model, &rp->batch, &t, err)))
        return rc;
    if (rp->spec_seqs > 0) {   /* the drafts, one decode step of the draft per draft token, before verifying */
        const aif_serve_batch db = {.decode_seqs = rp->spec_seqs, .decode_kv_tokens = rp->spec_kv_tokens};
        aif_serve_time td;
        if ((rc = aif_serve_model_time(&m->draft, &db, &td, err)))
            return rc;
        double k = m->cfg.spec_tokens;
        t.total_s += k * td.total_s;
        t.compute_s += k * td.compute_s;
        t.memory_s += k * td.memory_s;
        t.comm_s += k * td.comm_s;
    }
    if (rp->swap_tokens > 0) {   /* swap copies block the iteration (vLLM swaps before it runs the model) */
        double bytes = rp->swap_tokens * m->kv_bytes_token_gpu, ts = bytes / m->s->serve.host_link_Bps;
        t.total_s += ts;
        t.comm_s += ts;
        m->swap_bytes += bytes;
        m->swap_s += ts;
    }
    rp->busy = 1;
    m->iterations++;
    m->sum_batch += rp->batch_seqs;
    m->busy_s += t.total_s;
    m->compute_s += t.compute_s;
    m->memory_s += t.memory_s;
    m->comm_s += t.comm_s;
    double f = rp->kv_blocks ? (double)rp->kv_used / rp->kv_blocks : 0;
    if (f > m->kv_peak_frac)
        m->kv_peak_frac = f;
    record(m, now, rp->batch_seqs, f);
    double end = now + t.total_s;
    if (m->ve > 1) {   /* through the replica's stages in turn, each a ve-th of the time, each busy with one batch */
        double tau = t.total_s / m->ve, *sf = m->stage_free + (size_t)(r / m->ve) * m->ve;
        end = now;
        for (int j = 0; j < m->ve; j++) {
            end = (end > sf[j] ? end : sf[j]) + tau;
            sf[j] = end;
        }
    }
    if (m->o && m->o->on_iteration) {
        aif_serve_iter it = {r / m->ve, now, end - now, (int)rp->batch.decode_seqs,
                             rp->batch_seqs - (int)rp->batch.decode_seqs, (int)rp->batch.prefill_tokens, rp->kv_used,
                             rp->kv_blocks};
        m->o->on_iteration(&it, m->o->iteration_ctx);
    }
    if (aif_evq_push(&m->q, end, EV_ITER_END, r, 0))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
    return AIF_OK;
}

static void advance(sim *m, double t)
{
    m->area += (double)m->n_sys * (t - m->t_last);
    m->t_last = t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[0..n) and fills the percentiles (nearest rank), and cdf[0..AIF_SERVE_CDF)
 * when it is not NULL (quantile i / (AIF_SERVE_CDF - 1), nearest rank). */
static void stats(double *v, long n, aif_latency *out, double *cdf)
{
    memset(out, 0, sizeof *out);
    if (n <= 0)
        return;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    for (int k = 0; cdf && k < AIF_SERVE_CDF; k++) {   /* k / 100 as the percentiles below compute it */
        long i = (long)ceil(k / (double)(AIF_SERVE_CDF - 1) * n) - 1;
        cdf[k] = v[i < 0 ? 0 : i >= n ? n - 1 : i];
    }
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += v[i];
    out->mean_s = sum / n;
    const double q[3] = {0.5, 0.9, 0.99};
    double *dst[3] = {&out->p50_s, &out->p90_s, &out->p99_s};
    for (int k = 0; k < 3; k++) {
        long i = (long)ceil(q[k] * n) - 1;
        *dst[k] = v[i < 0 ? 0 : i];
    }
    out->max_s = v[n - 1];
}

/* The pooled inter-token gaps of every replica (aif_replica.itl_*): quantiles by nearest
 * rank over the gaps, each taken as the mean of the gaps in its bin. */
static void itl_stats(const sim *m, aif_latency *out)
{
    memset(out, 0, sizeof *out);
    long n = 0;
    double sum = 0;
    for (int i = 0; i < m->n_rep; i++)
        for (int b = 0; b < AIF_ITL_BINS; b++) {
            n += m->rep[i].itl_n[b];
            sum += m->rep[i].itl_sum_s[b];
        }
    if (n <= 0)
        return;
    out->mean_s = sum / n;
    const double q[3] = {0.5, 0.9, 0.99};
    double *dst[3] = {&out->p50_s, &out->p90_s, &out->p99_s};
    long seen = 0;
    int k = 0;
    for (int b = 0; b < AIF_ITL_BINS && k < 3; b++) {
        long nb = 0;
        double sb = 0;
        for (int i = 0; i < m->n_rep; i++) {
            nb += m->rep[i].itl_n[b];
            sb += m->rep[i].itl_sum_s[b];
        }
        seen += nb;
        while (k < 3 && nb > 0 && seen >= (long)ceil(q[k] * n))
            *dst[k++] = sb / nb;
    }
    for (int i = 0; i < m->n_rep; i++)
        if (m->rep[i].itl_max_s > out->max_s)
            out->max_s = m->rep[i].itl_max_s;
}

static aif_rc results(sim *m, aif_serve_result *r, aif_err *err)
{
    const aif_req_stream *rq = m->rq;
    long n = rq->n;
    double *v = malloc((size_t)(n > 0 ? n : 1) * sizeof *v);
    if (!v)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the latency tables");
    const aif_slo *slo = &m->s->serve.slo;
    double end = 0, out_tok = 0, in_tok = 0;
    long good = 0;
    for (long i = 0; i < n; i++) {
        const aif_req_state *q = &m->st[i];
        const aif_req *rr = &rq->r[i];
        if (q->done_s > end)
            end = q->done_s;
        out_tok += rr->output;
        in_tok += rr->input;
        double ttft = q->first_token_s - m->arr[i], e2e = q->done_s - m->arr[i];
        double tpot = rr->output > 1 ? (q->done_s - q->first_token_s) / (rr->output - 1) : 0;
        good += (!slo->ttft_s || ttft <= slo->ttft_s) && (!slo->tpot_s || tpot <= slo->tpot_s) &&
                (!slo->e2e_s || e2e <= slo->e2e_s);
    }
    r->requests = n;
    r->input_tokens = in_tok;
    r->output_tokens = out_tok;
    r->duration_s = end;
    r->throughput_tokens_per_s = end > 0 ? out_tok / end : 0;
    r->requests_per_s = end > 0 ? n / end : 0;
    r->slo_goodput = n ? (double)good / n : 0;
    r->mean_in_system = end > 0 ? m->area / end : 0;
    for (long i = 0; i < n; i++)
        v[i] = m->st[i].first_token_s - m->arr[i];
    stats(v, n, &r->ttft, r->cdf.ttft_s);
    long k = 0;
    for (long i = 0; i < n; i++)
        if (rq->r[i].output > 1)
            v[k++] = (m->st[i].done_s - m->st[i].first_token_s) / (rq->r[i].output - 1);
    stats(v, k, &r->tpot, r->cdf.tpot_s);
    for (long i = 0; i < n; i++)
        v[i] = m->st[i].done_s - m->arr[i];
    stats(v, n, &r->e2e, r->cdf.e2e_s);
    for (long i = 0; i < n; i++)
        v[i] = m->st[i].start_s - m->arr[i];
    stats(v, n, &r->queue, NULL);
    if (rq->n_open < n) {   /* agentic sessions: first call's arrival to last call's end */
        for (long s0 = 0; s0 < rq->n_open; s0++) {
            long last = s0;
            while (rq->link[last].next >= 0)
                last = rq->link[last].next;
            v[s0] = m->st[last].done_s - m->arr[s0];
        }
        r->sessions = rq->n_open;
        stats(v, rq->n_open, &r->session, NULL);
    }
    free(v);
    itl_stats(m, &r->itl);
    r->swap_bytes = m->swap_bytes;
    r->swap_s = m->swap_s;
    r->kv_transfers = m->kv_moves;
    r->kv_transfer_mean_s = m->kv_moves ? m->kv_move_s / (double)m->kv_moves : 0;
    r->iterations = m->iterations;
    r->mean_batch = m->iterations ? m->sum_batch / m->iterations : 0;
    r->kv_cache_peak_fraction = m->kv_peak_frac;
    aif_serve_series *se = &r->series;
    se->n = m->ser_n;
    se->dt_s = m->ser_dt_s;
    for (int i = 0; i < m->ser_n; i++) {
        se->iterations[i] = m->ser_iter[i];
        se->batch_mean[i] = m->ser_iter[i] ? m->ser_seqs[i] / (double)m->ser_iter[i] : 0;
        se->kv_peak[i] = m->ser_kv[i];
    }
    double hit = 0, prompt = 0, pre = 0;
    for (int i = 0; i < m->n_rep; i++) {
        r->preemptions += m->rep[i].preemptions;
        r->spec_drafted += m->rep[i].drafted;
        r->spec_accepted += m->rep[i].accepted;
        hit += m->rep[i].prefix_hit_tokens;
        prompt += m->rep[i].prompt_tokens;
        pre += m->rep[i].prefill_tokens;
    }
    r->prefill_tokens = pre;
    r->prefix_hit_fraction = prompt > 0 ? hit / prompt : 0;
    r->busy_fraction = end > 0 ? m->busy_s / (m->n_rep * end) : 0;
    if (r->busy_fraction > 1)
        r->busy_fraction = 1;
    r->compute_frac = m->busy_s > 0 ? m->compute_s / m->busy_s : 0;
    r->memory_frac = m->busy_s > 0 ? m->memory_s / m->busy_s : 0;
    r->comm_frac = m->busy_s > 0 ? m->comm_s / m->busy_s : 0;
    return AIF_OK;
}

static void sim_free(sim *m)
{
    for (int i = 0; m->rep && i < m->n_rep; i++)
        aif_replica_free(&m->rep[i]);
    for (int i = 0; m->held && i < m->n_rep; i++) {
        free(m->held[i].req);
        free(m->held[i].t);
    }
    free(m->held);
    free(m->flows);
    free(m->stage_free);
    if (m->mm)
        aif_mm_free(m->mm);
    free(m->kv_dst);
    free(m->kv_t0);
    free(m->cr.hash);
    free(m->cr.rep);
    free(m->cr.tokens);
    free(m->rep);
    free(m->dirty);
    free(m->is_dirty);
    free(m->st);
    free(m->arr);
    free(m->home);
    free(m->done);
    aif_evq_free(&m->q);
    aif_serve_model_free(&m->model);
    if (m->draft_s)
        aif_serve_model_free(&m->draft);
    free(m->draft_s);
}

/* Starts an iteration on each replica that got work at this instant. */
static aif_rc start_dirty(sim *m, double t, aif_err *err)
{
    aif_rc rc = AIF_OK;
    for (int k = 0; k < m->n_dirty && !rc; k++) {
        m->is_dirty[m->dirty[k]] = 0;
        rc = start(m, m->dirty[k], t, err);
    }
    m->n_dirty = 0;
    return rc;
}

/* ---- disaggregation: the caches' transfers as flows on the replicas' links
 *
 * Each transfer uses its prefill replica's send side and its decode replica's receive
 * side (per GPU: its share of the node's NICs each way); the fabric between them is
 * taken as non-blocking.  Rates are max-min fair, solved by the network model's
 * progressive filling (net/maxmin.h) whenever a flow starts or ends; a cache arrives
 * one fabric latency after its last byte leaves. */

/* Brings the flows' bytes left up to t. */
static void kv_advance(sim *m, double t)
{
    for (int f = 0; f < m->n_flows; f++)
        m->flows[f].left -= m->flows[f].rate * (t - m->flow_t);
    m->flow_t = t;
}

/* New rates and the next completion's event (a new stamp: any earlier one is stale). */
static aif_rc kv_reschedule(sim *m, aif_err *err)
{
    if (m->n_flows == 0)
        return AIF_OK;
    aif_mm_solve(m->mm);
    for (int f = 0; f < m->n_flows; f++)
        m->flows[f].rate = aif_mm_rate(m->mm, m->flows[f].mm);
    double next = INFINITY;
    for (int f = 0; f < m->n_flows; f++) {
        double left = m->flows[f].left > 0 ? m->flows[f].left : 0;
        double t = m->flow_t + left / m->flows[f].rate;
        if (t < next)
            next = t;
    }
    if (aif_evq_push(&m->q, next, EV_KV_FLOW, 0, ++m->flow_gen))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
    return AIF_OK;
}

/* Request q's prompt is done on prefill replica src at now: its cache leaves for the
 * decode replica with the fewest outstanding (counted there from now on). */
static aif_rc kv_send(sim *m, long q, int src, double now, aif_err *err)
{
    int dst = route(m, m->n_prefill, m->n_rep - m->n_prefill, -1);
    m->rep[dst].outstanding++;
    m->kv_dst[q] = dst;
    m->kv_t0[q] = now;
    m->kv_moves++;
    double bytes = m->kv_token_bytes * aif_replica_cache_tokens(&m->rep[0], m->rq->r[q].input);
    if (!(m->kv_link_Bps > 0) || !(bytes > 0)) {   /* nothing on the wire: the latency alone */
        m->kv_move_s += m->kv_latency_s;
        if (aif_evq_push(&m->q, now + m->kv_latency_s, EV_KV_ARRIVAL, (int)q, 0))
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
        return AIF_OK;
    }
    if (m->n_flows == m->cap_flows) {
        int cap = m->cap_flows ? 2 * m->cap_flows : 64;
        kv_flow *nf = realloc(m->flows, (size_t)cap * sizeof *nf);
        if (!nf)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the caches' transfers");
        m->flows = nf;
        m->cap_flows = cap;
    }
    kv_advance(m, now);
    const int links[2] = {src / m->ve, m->n_rep / m->ve + dst / m->ve};   /* the replicas' links, not the engines' */
    int f = aif_mm_add_flow(m->mm, links, 2, 1.0, 0);
    if (f < 0)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the caches' transfers");
    m->flows[m->n_flows++] = (kv_flow){(int)q, src, dst, bytes, 0, f};
    return kv_reschedule(m, err);
}

/* The flows whose last byte has left by now: each cache arrives a latency later. */
static aif_rc kv_flow_done(sim *m, double now, aif_err *err)
{
    kv_advance(m, now);
    int w = 0;
    aif_rc rc = AIF_OK;
    for (int f = 0; f < m->n_flows; f++) {
        kv_flow *fl = &m->flows[f];
        /* done: within a part in 1e9 of its bytes (what the rate's rounding can leave), or
         * so near that its end is this instant in floating point */
        if (fl->left <= 1e-9 * m->kv_token_bytes * aif_replica_cache_tokens(&m->rep[0], m->rq->r[fl->req].input) || !(now + fl->left / fl->rate > now)) {
            double at = now + m->kv_latency_s;
            m->kv_move_s += at - m->kv_t0[fl->req];
            aif_mm_remove_flow(m->mm, fl->mm);
            if (!rc && aif_evq_push(&m->q, at, EV_KV_ARRIVAL, fl->req, 0))
                rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
        } else {
            m->flows[w++] = *fl;
        }
    }
    m->n_flows = w;
    return rc ? rc : kv_reschedule(m, err);
}

static aif_rc loop(sim *m, aif_err *err)
{
    const aif_req_stream *rq = m->rq;
    aif_rc rc = AIF_OK;
    if (rq->n > 0 && aif_evq_push(&m->q, m->arr[0], EV_ARRIVAL, 0, 0))
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
    long next_progress = rq->n / 100 + 1;
    aif_event e;
    while (!rc && aif_evq_pop(&m->q, &e)) {
        advance(m, e.t);
        if (e.kind == EV_ARRIVAL) {
            long i = e.id;
            int n_take = m->n_prefill ? m->n_prefill : m->n_rep;   /* arrivals go to the prefill pool */
            m->n_sys++;
            /* a session's later call goes home, where its context is cached; a cache-aware router
             * finds that by the prompt, without a session (but may balance it elsewhere) */
            int to = m->home && m->home[i] > 0 && m->s->serve.router != AIF_ROUTER_CACHE_AWARE ? m->home[i] - 1
                                                                                          : route(m, 0, n_take, i);
            if (m->home)
                m->home[i] = to + 1;
            if ((rc = give(m, to, i, e.t, err)))
                break;
            if (i < m->n_chain) {   /* the open arrivals chain; a session's later calls are pushed by their predecessors */
                if (i + 1 < m->n_chain && aif_evq_push(&m->q, m->arr[i + 1], EV_ARRIVAL, (int)(i + 1), 0)) {
                    rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
                    break;
                }
                if (i + 1 < m->n_chain && m->arr[i + 1] == e.t)
                    continue;   /* start iterations once every arrival of this instant is routed */
            }
            rc = start_dirty(m, e.t, err);
        } else if (e.kind == EV_KV_ARRIVAL) {   /* a prompt's cache reached its decode replica */
            m->st[e.id].kv_ready = 1;
            if (!(rc = queue_req(m, m->kv_dst[e.id], e.id, e.t, err)))
                rc = start_dirty(m, e.t, err);
        } else if (e.kind == EV_KV_FLOW) {
            if (e.gen == m->flow_gen)
                rc = kv_flow_done(m, e.t, err);
        } else {
            int nd = aif_replica_finish(&m->rep[e.id], &m->cfg, rq, m->st, e.t, m->done);
            if (m->n_prefill && e.id < m->n_prefill) {   /* prompts done: their caches leave for decode */
                int w = 0;
                for (int k = 0; k < nd && !rc; k++) {
                    long q = m->done[k];
                    if (m->st[q].gen >= rq->r[q].output) {   /* a one-token output is done here */
                        m->done[w++] = (int)q;
                        continue;
                    }
                    rc = kv_send(m, q, e.id, e.t, err);
                }
                nd = w;
            }
            for (int k = 0; rq->link && k < nd && !rc; k++) {   /* agentic: the session's next call, after the tool */
                long q = m->done[k], nx = rq->link[q].next;
                if (nx < 0)
                    continue;
                m->arr[nx] = e.t + rq->link[q].think_s;
                m->home[nx] = m->home[q];
                if (aif_evq_push(&m->q, m->arr[nx], EV_ARRIVAL, (int)nx, 0))
                    rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for events");
            }
            m->n_sys -= nd;
            for (int k = 0; m->next_closed && k < nd && !rc && m->next_closed < rq->n; k++) {
                /* closed loop: the client whose request ended sends its next at this instant; all of
                 * this iteration's are routed before any replica starts, as arrivals of one instant */
                long nx = m->next_closed++;
                m->arr[nx] = e.t;
                m->n_sys++;
                rc = give(m, route(m, 0, m->n_prefill ? m->n_prefill : m->n_rep, nx), nx, e.t, err);
            }
            m->n_done += nd;
            if (m->o && m->o->progress && m->n_done >= next_progress) {
                m->o->progress((double)m->n_done / rq->n, m->o->progress_ctx);
                next_progress = m->n_done + rq->n / 100 + 1;
            }
            if (!rc)
                rc = start(m, e.id, e.t, err);
            if (!rc)
                rc = start_dirty(m, e.t, err);
        }
    }
    if (!rc && m->n_done != rq->n)
        rc = aif_err_set(err, AIF_EINTERNAL, NULL, 0, 0, "serve", "%ld of %ld requests finished", m->n_done, rq->n);
    return rc;
}

aif_rc aif_serve_simulate(const aif_scenario *s, const aif_req_stream *rq, long kv_blocks, const aif_serve_opts *o,
                          aif_serve_result *r, aif_err *err)
{
    const aif_serve *sv = &s->serve;
    int dp = sv->dp_attention ? sv->tp : 1;   /* data-parallel attention: a sequence's cache is on one GPU */
    /* pp stages: as many virtual engines, each scheduling its own requests in a share of the cache */
    int ve = sv->pp > 1 ? sv->pp : 1;
    long eng_blocks = kv_blocks / ve;
    long cap_tokens = eng_blocks / dp * AIF_SERVE_BLOCK_TOKENS;
    const aif_sched_cfg cfg = {sv->max_batch, sv->token_budget, sv->chunked_prefill, sv->prefix_caching,
                               sv->admission == AIF_ADMIT_NO_EVICT, sv->admission == AIF_ADMIT_SGLANG,
                               sv->preemption == AIF_PREEMPT_SWAP, sv->spec.tokens, sv->spec.acceptance};
    /* window layers (model.sliding_window): the cache counted per layer (aif_replica_set_window)
     * on the stage whose layers hold the most of a long sequence; a request fits when its most,
     * a full layer's every token and a window layer's window and largest chunk, fits in the
     * cache of one GPU of the stage (blocks of one layer: the blocks times its layers) */
    int stage_layers = (int)ceil((double)s->model.layers / (sv->pp > 0 ? sv->pp : 1)), lf, lw;
    aif_serve_kv_layers(&s->model, sv->pp > 0 ? sv->pp : 1, &lf, &lw);
    if (sv->window_cache == AIF_WINDOW_CACHE_FULL)   /* the window layers cache every token: blocks as before */
        lf += lw, lw = 0;
    long units = aif_kv_layer_blocks(eng_blocks / dp, stage_layers);
    long max_in = 0;
    for (long i = 0; i < rq->n; i++) {
        long need = (long)rq->r[i].input + rq->r[i].output;
        /* the largest chunk: the prompt, or with recompute after a preemption (evict, sglang)
         * its prompt and output so far */
        long chunk = aif_kv_chunk(&cfg, cfg.no_evict || cfg.swap ? rq->r[i].input : need);
        if (lw > 0 && aif_kv_reserve(lf, lw, s->model.sliding_window, need, chunk) > units)
            return aif_err_set(err, AIF_EINPUT, sv->trace[0] ? sv->trace : NULL, 0, 0,
                               sv->trace[0] ? "serve.trace" : "serve.input_tokens",
                               "request %ld needs %ld blocks of one layer's KV cache (input %d + output %d over "
                               "%d full layers, and %d window layers' %g-token window and largest chunk of %ld); a "
                               "%s holds %ld (%ld blocks of %d tokens x %d layers): raise tp%s, or shorten the "
                               "requests",
                               i + 1, aif_kv_reserve(lf, lw, s->model.sliding_window, need, chunk),
                               rq->r[i].input, rq->r[i].output, lf, lw, (double)s->model.sliding_window,
                               chunk,
                               dp > 1 ? "GPU of a data-parallel replica"
                                      : ve > 1 ? "replica's virtual engine (a pp-th of its cache)" : "replica",
                               units, eng_blocks / dp, AIF_SERVE_BLOCK_TOKENS, stage_layers, ve > 1 ? "" : " or pp");
        if (lw == 0 && need > cap_tokens)
            return aif_err_set(err, AIF_EINPUT, sv->trace[0] ? sv->trace : NULL, 0, 0,
                               sv->trace[0] ? "serve.trace" : "serve.input_tokens",
                               "request %ld needs %ld tokens of KV cache (input %d + output %d); a %s holds %ld "
                               "(%ld blocks of %d tokens): raise tp%s, or shorten the requests",
                               i + 1, need, rq->r[i].input, rq->r[i].output,
                               dp > 1 ? "GPU of a data-parallel replica"
                                      : ve > 1 ? "replica's virtual engine (a pp-th of its cache)" : "replica",
                               cap_tokens, eng_blocks / dp, AIF_SERVE_BLOCK_TOKENS, ve > 1 ? "" : " or pp");
        if (need > max_in)
            max_in = need;
    }
    sim m;
    memset(&m, 0, sizeof m);
    m.s = s;
    m.rq = rq;
    m.o = o;
    m.cfg = cfg;
    m.ve = ve;
    m.n_rep = sv->replicas * ve;
    m.n_chain = rq->n_open;
    m.ser_dt_s = 1e-3;   /* the series' first resolution; doubled as the run goes on */
    if (sv->concurrency > 0 && sv->concurrency < rq->n_open) {   /* closed loop: N clients' first requests at t = 0 */
        m.n_chain = sv->concurrency;
        m.next_closed = sv->concurrency;
    }
    aif_evq_init(&m.q);
    long max_tokens = (long)sv->token_budget + sv->max_batch + (sv->chunked_prefill ? 0 : max_in);
    aif_rc rc = aif_serve_model_init(&m.model, s, (int)max_tokens, err);
    if (rc)
        return rc;
    if (sv->spec.tokens > 0) {   /* the draft: draft_layers dense layers of the model's width, its head */
        m.draft_s = malloc(sizeof *m.draft_s);
        if (!m.draft_s) {
            sim_free(&m);
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the draft");
        }
        *m.draft_s = *s;
        m.draft_s->model.layers = sv->spec.draft_layers;
        m.draft_s->model.moe.experts = 0;
        m.draft_s->model.moe.dense_layers = 0;
        m.draft_s->model.sliding_window = 0;   /* its batch (decodes over all their keys) has no window fields */
        m.draft_s->serve.pp = 1;
        if ((rc = aif_serve_model_init(&m.draft, m.draft_s, sv->max_batch + 1, err))) {
            free(m.draft_s);
            m.draft_s = NULL;
            sim_free(&m);
            return rc;
        }
    }
    m.rep = calloc((size_t)m.n_rep, sizeof *m.rep);
    if (sv->overlap_schedule && !(m.held = calloc((size_t)m.n_rep, sizeof *m.held)))
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for %d replicas", m.n_rep);
    if (!rc && sv->router == AIF_ROUTER_CACHE_AWARE) {   /* room for every hash id twice over: no growth */
        long ids = rq->n_hash, cap = 16;   /* each request routed once records at most its own ids */
        for (long k = 0, sum = 0; k < rq->n; k++)
            if ((sum += rq->r[k].n_hash) > ids)
                ids = sum;
        while (cap < 2 * ids + 16)
            cap *= 2;
        m.cr.mask = cap - 1;
        m.cr.hash = malloc((size_t)cap * sizeof *m.cr.hash);
        m.cr.rep = calloc((size_t)cap, sizeof *m.cr.rep);
        m.cr.tokens = calloc((size_t)sv->replicas, sizeof *m.cr.tokens);   /* per replica, not engine */
        if (!m.cr.hash || !m.cr.rep || !m.cr.tokens)
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the router's record");
    }
    if (ve > 1 && !(m.stage_free = calloc((size_t)m.n_rep, sizeof *m.stage_free)))
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the pipeline stages");
    m.dirty = malloc((size_t)m.n_rep * sizeof *m.dirty);
    m.is_dirty = calloc((size_t)m.n_rep, 1);
    m.st = calloc((size_t)(rq->n > 0 ? rq->n : 1), sizeof *m.st);
    m.arr = malloc((size_t)(rq->n > 0 ? rq->n : 1) * sizeof *m.arr);
    m.home = rq->link ? calloc((size_t)rq->n, sizeof *m.home) : NULL;
    for (long i = 0; m.arr && i < rq->n; i++)
        m.arr[i] = rq->r[i].arrival_s;
    m.done = malloc((size_t)(sv->max_batch + 1) * sizeof *m.done);
    if (!m.rep || !m.dirty || !m.is_dirty || !m.st || !m.arr || !m.done || (rq->link && !m.home))
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for %d replicas and %ld requests",
                         m.n_rep, rq->n);
    for (int i = 0; !rc && i < m.n_rep; i++) {
        rc = aif_replica_init(&m.rep[i], eng_blocks, sv->prefix_caching && rq->n_hash > 0, err);
        m.rep[i].rng = ((uint64_t)sv->seed << 32) ^ (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ULL;
        m.rep[i].prefill_only = i < sv->disagg.prefill * ve;
        aif_replica_set_window(&m.rep[i], s->model.sliding_window, lf, lw, stage_layers);
    }
    {
        aif_serve_shape sh;
        aif_serve_shape_of(s, &sh);
        /* under dp a token's cache is on one GPU: 1/dp of it on each, on average */
        m.kv_bytes_token_gpu = sh.kv_bytes_token_layer * ceil((double)s->model.layers / (sv->pp > 0 ? sv->pp : 1)) / sh.dp;
    }
    if (sv->disagg.prefill > 0) {
        /* a prompt's cache: every GPU of the replica sends its shard (its layers, its
         * heads) through its share of the node's NICs at the fabric's efficiency */
        const aif_cluster *cl = &s->cluster;
        aif_serve_shape sh;
        aif_serve_shape_of(s, &sh);
        double layers_per_gpu = ceil((double)s->model.layers / (sv->pp > 0 ? sv->pp : 1));
        double bytes_per_token_gpu = sh.kv_bytes_token_layer * layers_per_gpu / sh.dp;
        double eff = cl->fabric.efficiency > 0 ? cl->fabric.efficiency : 1;
        double bw = cl->nic_bw_Bps * cl->nics_per_node / cl->gpus_per_node * eff;
        m.n_prefill = sv->disagg.prefill * m.ve;
        m.kv_token_bytes = bytes_per_token_gpu;
        m.kv_link_Bps = bw;
        m.kv_latency_s = cl->fabric.latency_s;
        m.mm = aif_mm_new();
        m.kv_dst = malloc((size_t)(rq->n > 0 ? rq->n : 1) * sizeof *m.kv_dst);
        m.kv_t0 = malloc((size_t)(rq->n > 0 ? rq->n : 1) * sizeof *m.kv_t0);
        for (int l = 0; m.mm && l < 2 * sv->replicas; l++)   /* links in order: their indices are 0 .. 2 replicas - 1 */
            if (aif_mm_add_link(m.mm, bw > 0 ? bw : 1) != l) {
                aif_mm_free(m.mm);
                m.mm = NULL;
            }
        if (!rc && (!m.mm || !m.kv_dst || !m.kv_t0))
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the caches' transfers");
    }
    if (!rc)
        rc = loop(&m, err);
    if (!rc)
        rc = results(&m, r, err);
    sim_free(&m);
    return rc;
}
