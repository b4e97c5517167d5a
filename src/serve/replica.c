/* replica.c -- the scheduler of one serving replica (replica.h).  It follows
 * vLLM's V1 scheduler: running sequences first (decodes and unfinished prompt
 * chunks, oldest first), then waiting requests in arrival order while the token
 * budget, the batch and the KV cache allow; a running sequence that needs a
 * block when none is free preempts the newest running one (its blocks freed,
 * its prompt and output so far recomputed when it is admitted again, or with
 * swap its cached tokens copied to host memory and back on readmission: the
 * copies' tokens are rp->swap_tokens, which the caller times on the host link).  Under
 * no_evict (TensorRT-LLM's GUARANTEED_NO_EVICT) a waiting request is admitted
 * only when the blocks of its prompt and its whole output fit beside the
 * running ones' reservations, so a running sequence never needs a block it
 * does not hold and nothing is preempted.
 *
 * SGLang (cfg.sglang; sgl-project/sglang, python/sglang/srt/managers/scheduler.py's
 * get_next_batch_to_run and update_running_batch, schedule_policy.py's PrefillAdder,
 * schedule_batch.py's retract_decode; the constants in replica.h).  Each iteration first
 * tries a prefill batch: the unfinished prompt chunks, then waiting requests in order,
 * within the chunk budget (chunked_prefill_size: token_budget) and the running-request
 * ceiling (max_running_requests: max_batch).  With free the KV cache's free tokens and
 *     reserved = sum over decoding requests of min(output - generated, 4096) x ratio
 *              + sum over this batch's admissions of (prompt tokens computed
 *                + min(output - generated, 4096) once the prompt is whole),
 * a waiting request of e prompt tokens still to compute and o = min(output - generated,
 * 4096) is admitted only while e + o < free - reserved (PrefillAdder.add_one_req's
 * NO_TOKEN test, rem_total_tokens).  A prefill batch runs alone: no decode rides in it
 * (enable_mixed_chunk is off by default, server_args.py).  Without one, every decoding
 * request takes a decode step; if their new tokens do not fit, requests are retracted
 * (their cache freed, back to the end of the queue, recomputed on readmission) fewest
 * generated first, then longest prompt, then newest, at least one and until the free
 * tokens reach 20 per request left, and the ratio becomes
 *     min(1, (sum generated + 20 n) / (sum output + 1))   over the n requests left;
 * otherwise the ratio decays by (0.7 - 0.098) / 600 per decode step to its floor 0.098.
 * An idle replica's ratio returns to 0.7 (event_loop_normal, through
 * self_check_during_idle, resets it when no batch runs).  SGLang's pages are one token;
 * the cache here is in 16-token blocks, so free tokens are free blocks x 16.  At most one
 * prompt is part done (SGLang's chunked_req): while it finds no blocks for its next chunk,
 * nothing new is admitted. */
#include "serve/replica.h"
#include "base/base.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static long blocks_for(long tokens) { return (tokens + AIF_SERVE_BLOCK_TOKENS - 1) / AIF_SERVE_BLOCK_TOKENS; }

/* The KV units a sequence holds once it caches `end` tokens, its first query not yet
 * computed at position `from`: blocks of 16 tokens of every layer, or with window layers
 * (aif_replica_set_window) blocks of one layer: a full layer's ceil(end / 16), a window
 * layer's from the block holding key from - W + 1 on (vLLM's sliding-window manager frees
 * the blocks before it). */
static long units_for(const aif_replica *rp, long from, long end)
{
    long b = blocks_for(end);
    if (!rp->kv_lw)
        return b;
    long lo = from - (long)rp->window + 1;
    return rp->kv_lf * b + rp->kv_lw * (b - (lo > 0 ? lo / AIF_SERVE_BLOCK_TOKENS : 0));
}

long aif_kv_reserve(int lf, int lw, double window, long tokens, long chunk)
{
    long b = blocks_for(tokens);
    if (!lw)
        return b;
    long w = blocks_for((long)window - 1 + chunk) + 1;
    return (long)lf * b + (long)lw * (b < w ? b : w);
}

long aif_kv_layer_blocks(long blocks, int layers)
{
    return blocks > LONG_MAX / 4 / layers ? LONG_MAX / 4 : blocks * layers;   /* past any HBM either way */
}

long aif_kv_chunk(const aif_sched_cfg *cfg, long input)
{
    long c = cfg->chunked && input > cfg->token_budget ? cfg->token_budget : input;
    return c > cfg->spec_tokens + 1L ? c : cfg->spec_tokens + 1L;
}

static long reserve(const aif_replica *rp, const aif_req *r, const aif_sched_cfg *cfg)
{
    return aif_kv_reserve(rp->kv_lf, rp->kv_lw, rp->window, (long)r->input + r->output, aif_kv_chunk(cfg, r->input));
}

/* Free KV cache as tokens of every layer (the SGLang scheduler's token arithmetic). */
static double free_tokens(const aif_replica *rp)
{
    return (double)(rp->kv_blocks - rp->kv_used) * AIF_SERVE_BLOCK_TOKENS / (rp->kv_lw ? rp->kv_layers : 1);
}

double aif_replica_cache_tokens(const aif_replica *rp, double ctx)
{
    if (!rp->kv_lw)
        return ctx;
    return (rp->kv_lf * ctx + rp->kv_lw * (ctx < rp->window ? ctx : rp->window)) / rp->kv_layers;
}

void aif_replica_set_window(aif_replica *rp, double window, int full_layers, int window_layers, int stage_layers)
{
    rp->window = window;
    if (window > 0 && window_layers > 0) {
        rp->kv_lf = full_layers;
        rp->kv_lw = window_layers;
        rp->kv_layers = stage_layers;
        rp->kv_blocks = aif_kv_layer_blocks(rp->kv_blocks, stage_layers);
    }
}

aif_rc aif_replica_init(aif_replica *rp, long kv_blocks, bool prefix, aif_err *err)
{
    memset(rp, 0, sizeof *rp);
    rp->kv_blocks = kv_blocks;
    rp->new_token_ratio = AIF_SGLANG_INIT_RATIO;
    rp->pc_window = kv_blocks * AIF_SERVE_BLOCK_TOKENS / AIF_TRACE_HASH_BLOCK;
    if (prefix && rp->pc_window > 0) {
        long cap = 64;
        while (cap < 4 * rp->pc_window)
            cap *= 2;
        rp->pc_key = calloc((size_t)cap, sizeof *rp->pc_key);
        rp->pc_stamp = calloc((size_t)cap, sizeof *rp->pc_stamp);
        rp->pc_tmp_key = malloc((size_t)cap * sizeof *rp->pc_tmp_key);
        rp->pc_tmp_stamp = malloc((size_t)cap * sizeof *rp->pc_tmp_stamp);
        if (!rp->pc_key || !rp->pc_stamp || !rp->pc_tmp_key || !rp->pc_tmp_stamp) {
            aif_replica_free(rp);
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve.prefix_caching", "out of memory for the prefix cache");
        }
        rp->pc_cap = cap;
    }
    return AIF_OK;
}

void aif_replica_free(aif_replica *rp)
{
    free(rp->run);
    free(rp->wait);
    free(rp->pc_key);
    free(rp->pc_stamp);
    free(rp->pc_tmp_key);
    free(rp->pc_tmp_stamp);
    memset(rp, 0, sizeof *rp);
}

aif_rc aif_replica_enqueue(aif_replica *rp, int req, int front, aif_err *err)
{
    if (rp->n_wait == rp->cap_wait) {
        long cap = rp->cap_wait ? 2 * rp->cap_wait : 64;
        int *w = malloc((size_t)cap * sizeof *w);
        if (!w)
            return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the waiting queue");
        for (long i = 0; i < rp->n_wait; i++)
            w[i] = rp->wait[(rp->wait_head + i) % rp->cap_wait];
        free(rp->wait);
        rp->wait = w;
        rp->wait_head = 0;
        rp->cap_wait = cap;
    }
    if (front) {
        rp->wait_head = (rp->wait_head + rp->cap_wait - 1) % rp->cap_wait;
        rp->wait[rp->wait_head] = req;
    } else {
        rp->wait[(rp->wait_head + rp->n_wait) % rp->cap_wait] = req;
    }
    rp->n_wait++;
    return AIF_OK;
}

/* ---- prefix cache (open addressing; stale entries dropped when the table is rebuilt) */

static long pc_find(const aif_replica *rp, uint64_t key)
{
    uint64_t k = key + 1;   /* 0 marks an empty slot */
    long mask = rp->pc_cap - 1;
    for (long i = (long)(aif_mix64(k) & (uint64_t)mask);; i = (i + 1) & mask)
        if (rp->pc_key[i] == k || rp->pc_key[i] == 0)
            return i;
}

static int pc_resident(aif_replica *rp, uint64_t key)
{
    long i = pc_find(rp, key);
    return rp->pc_key[i] && rp->pc_clock - rp->pc_stamp[i] < rp->pc_window;
}

/* Keeps only the resident entries: copied aside (into the scratch arrays sized at
 * init), the table cleared, then reinserted. */
static void pc_rebuild(aif_replica *rp)
{
    long n = 0;
    for (long i = 0; i < rp->pc_cap; i++)
        if (rp->pc_key[i] && rp->pc_clock - rp->pc_stamp[i] < rp->pc_window) {
            rp->pc_tmp_key[n] = rp->pc_key[i];
            rp->pc_tmp_stamp[n++] = rp->pc_stamp[i];
        }
    memset(rp->pc_key, 0, (size_t)rp->pc_cap * sizeof *rp->pc_key);
    for (long i = 0; i < n; i++) {
        long j = pc_find(rp, rp->pc_tmp_key[i] - 1);
        rp->pc_key[j] = rp->pc_tmp_key[i];
        rp->pc_stamp[j] = rp->pc_tmp_stamp[i];
    }
    rp->pc_n = n;
}

static void pc_touch(aif_replica *rp, uint64_t key)
{
    long i = pc_find(rp, key);
    if (!rp->pc_key[i]) {
        if (2 * (rp->pc_n + 1) > rp->pc_cap) {
            pc_rebuild(rp);
            i = pc_find(rp, key);
        }
        rp->pc_key[i] = key + 1;
        rp->pc_n++;
    }
    rp->pc_stamp[i] = rp->pc_clock++;
}

/* Prompt tokens of request q already cached here: its leading resident hash blocks. */
static int cached_tokens(aif_replica *rp, const aif_req_stream *rq, int q, int target)
{
    const aif_req *r = &rq->r[q];
    if (!rp->pc_cap || !r->n_hash)
        return 0;
    long hits = 0;
    while (hits < r->n_hash && pc_resident(rp, rq->hash[r->hash_first + hits]))
        hits++;
    long t = hits * AIF_TRACE_HASH_BLOCK;
    if (t > target - 1)
        t = target - 1;   /* the last prompt token is always computed: it samples */
    return t > 0 ? (int)t : 0;
}

/* ---- scheduling */

static void add_prefill(aif_replica *rp, double p, double c, int done)
{
    aif_serve_batch_add_prefill(&rp->batch, p, c, done, rp->window);
}

static void add_decode(aif_replica *rp, const aif_seq *s)
{
    aif_serve_batch_add_decode(&rp->batch, s->ctx + 1.0, rp->window);
}

/* Frees the newest running sequence and puts it back at the head of the queue; with
 * swap its cached tokens are copied out to host memory first (this iteration). */
static aif_rc preempt_last(aif_replica *rp, const aif_sched_cfg *cfg, aif_req_state *st, aif_err *err)
{
    aif_seq *v = &rp->run[--rp->n_run];
    rp->kv_used -= v->blocks;
    rp->preemptions++;
    if (cfg->swap && v->ctx > 0) {
        st[v->req].swapped = v->ctx;
        rp->swap_tokens += aif_replica_cache_tokens(rp, v->ctx);
    }
    return aif_replica_enqueue(rp, v->req, 1, err);
}

/* Room for one more running sequence; 1 (and *rc set) when out of memory. */
static int grow_run(aif_replica *rp, aif_err *err, aif_rc *rc)
{
    if (rp->n_run < rp->cap_run)
        return 0;
    int cap = rp->cap_run ? 2 * rp->cap_run : 64;
    aif_seq *nr = realloc(rp->run, (size_t)cap * sizeof *nr);
    if (!nr) {
        *rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "serve", "out of memory for the running batch");
        return 1;
    }
    rp->run = nr;
    rp->cap_run = cap;
    return 0;
}

/* The waiting ring's head into the running list (grow_run has made room): c of its prompt
 * tokens in this iteration after `cached` already held, `need` blocks; its first admission
 * counts its prompt and prefix hits once. */
static void admit_head(aif_replica *rp, aif_req_state *st, const aif_req *r, int q, int target, int cached, long c,
                       long need, double now_s)
{
    rp->wait_head = (rp->wait_head + 1) % rp->cap_wait;
    rp->n_wait--;
    rp->run[rp->n_run++] = (aif_seq){.req = q, .target = target, .ctx = cached, .blocks = need, .chunk = (int)c,
                                     .in_batch = 1};
    rp->kv_used += need;
    rp->batch_seqs++;
    add_prefill(rp, cached, (double)c, cached + c == target);
    if (!st[q].scheduled) {
        st[q].scheduled = 1;
        st[q].start_s = now_s;
        rp->prefix_hit_tokens += cached;
        rp->prompt_tokens += r->input;
    }
}

/* ---- SGLang's scheduler (the file's header gives the rules and their sources) */

static long min_l(long a, long b) { return a < b ? a : b; }

/* Removes running sequence i (kept in admission order) and queues its request at the end. */
static aif_rc retract(aif_replica *rp, int i, aif_err *err)
{
    int req = rp->run[i].req;
    rp->kv_used -= rp->run[i].blocks;
    memmove(rp->run + i, rp->run + i + 1, (size_t)(rp->n_run - i - 1) * sizeof *rp->run);
    rp->n_run--;
    rp->preemptions++;
    return aif_replica_enqueue(rp, req, 0, err);
}

/* The decoding sequence retract_decode takes next: fewest generated, then longest
 * prompt, then the newest; -1 when none decodes. */
static int retract_pick(const aif_replica *rp, const aif_req_stream *rq, const aif_req_state *st)
{
    int best = -1;
    for (int i = 0; i < rp->n_run; i++) {
        const aif_seq *s = &rp->run[i];
        if (s->ctx < s->target)
            continue;
        if (best < 0) {
            best = i;
            continue;
        }
        int g = st[s->req].gen, gb = st[rp->run[best].req].gen;
        int in = rq->r[s->req].input, inb = rq->r[rp->run[best].req].input;
        if (g < gb || (g == gb && in >= inb))
            best = i;
    }
    return best;
}

/* Blocks this decode step's sequences need beyond those they hold, and how many decode. */
static long decode_need(const aif_replica *rp, int *n_dec)
{
    long need = 0;
    *n_dec = 0;
    for (int i = 0; i < rp->n_run; i++) {
        const aif_seq *s = &rp->run[i];
        if (s->ctx < s->target)
            continue;
        need += units_for(rp, s->ctx, s->ctx + 1L) - s->blocks;
        (*n_dec)++;
    }
    return need;
}

static int schedule_sglang(aif_replica *rp, const aif_sched_cfg *cfg, const aif_req_stream *rq, aif_req_state *st,
                           double now_s, aif_err *err, aif_rc *rc)
{
    long budget = cfg->token_budget;
    double reserved_tokens = 0;
    for (int i = 0; i < rp->n_run; i++) {
        aif_seq *s = &rp->run[i];
        s->in_batch = 0;
        s->chunk = 0;
        if (s->ctx >= s->target)
            reserved_tokens += min_l(rq->r[s->req].output - st[s->req].gen, AIF_SGLANG_CLIP_OUTPUT) *
                               rp->new_token_ratio;
    }
    /* the prefill batch: unfinished prompts first (add_chunked_req), then the queue, unless
     * an unfinished prompt found no room (so one prompt at most is ever part done) */
    int stalled = 0;
    for (int i = 0; i < rp->n_run && budget > 0; i++) {
        aif_seq *s = &rp->run[i];
        if (s->ctx >= s->target)
            continue;
        long c = min_l(s->target - s->ctx, budget);
        long need = units_for(rp, s->ctx, s->ctx + c) - s->blocks;
        if (need > rp->kv_blocks - rp->kv_used) {
            stalled = 1;
            break;
        }
        s->blocks += need;
        rp->kv_used += need;
        s->in_batch = 1;
        s->chunk = (int)c;
        budget -= c;
        rp->batch_seqs++;
        add_prefill(rp, s->ctx, (double)c, s->ctx + c == s->target);
        reserved_tokens += (double)c;
        if (s->ctx + c == s->target)
            reserved_tokens += min_l(rq->r[s->req].output - st[s->req].gen, AIF_SGLANG_CLIP_OUTPUT);
    }
    while (!stalled && rp->n_wait > 0 && budget > 0 && rp->n_run < cfg->max_batch) {
        int q = rp->wait[rp->wait_head];
        const aif_req *r = &rq->r[q];
        AIF_ASSERT(!st[q].kv_ready);   /* no disaggregation under sglang (serve.c refuses it) */
        int target = r->input + st[q].gen;
        int cached = cfg->prefix ? cached_tokens(rp, rq, q, target) : 0;
        long c = target - cached, out = min_l(r->output - st[q].gen, AIF_SGLANG_CLIP_OUTPUT);
        double free_tok = free_tokens(rp);
        /* NO_TOKEN; an empty replica takes its first request whenever its blocks fit (a
         * request equal to the whole cache would otherwise wait forever) */
        if ((rp->n_run > 0) && (double)(c + out) >= free_tok - reserved_tokens)
            break;
        if (c > budget) {
            if (cfg->chunked)
                c = budget;
            else if (rp->batch_seqs > 0)
                break;
        }
        long need = units_for(rp, cached, cached + c);
        if (need > rp->kv_blocks - rp->kv_used)
            break;
        if (grow_run(rp, err, rc))
            return 0;
        admit_head(rp, st, r, q, target, cached, c, need, now_s);
        budget -= c < budget ? c : budget;
        reserved_tokens += (double)c + (cached + c == target ? (double)out : 0);
    }
    if (rp->batch_seqs > 0)   /* a prefill batch runs without the decodes */
        return 1;
    /* the decode batch (update_running_batch) */
    int n_dec;
    long need = decode_need(rp, &n_dec);
    if (n_dec == 0) {
        rp->new_token_ratio = AIF_SGLANG_INIT_RATIO;   /* idle */
        return 0;
    }
    const double min_ratio = AIF_SGLANG_INIT_RATIO * AIF_SGLANG_MIN_RATIO_FACTOR;
    if (need > rp->kv_blocks - rp->kv_used) {   /* check_decode_mem failed: retract_decode */
        /* the last one is never retracted; the first pass always retracts one */
        for (int first = 1; n_dec > 1 && (first || free_tokens(rp) < (double)n_dec * AIF_SGLANG_RETRACT_STEPS); first = 0) {
            if ((*rc = retract(rp, retract_pick(rp, rq, st), err)))
                return 0;
            need = decode_need(rp, &n_dec);
        }
        /* one decoding request left and still no room: an unfinished prompt holds it, and
         * goes back to the queue (newest first); a request alone always fits (sim.c checks) */
        for (int i = rp->n_run - 1; i >= 0 && need > rp->kv_blocks - rp->kv_used; i--)
            if (rp->run[i].ctx < rp->run[i].target && (*rc = retract(rp, i, err)))
                return 0;
        AIF_ASSERT(need <= rp->kv_blocks - rp->kv_used);
        double gen = 0, out = 0;
        for (int i = 0; i < rp->n_run; i++)
            if (rp->run[i].ctx >= rp->run[i].target) {
                gen += st[rp->run[i].req].gen;
                out += rq->r[rp->run[i].req].output;
            }
        double ratio = (gen + (double)AIF_SGLANG_RETRACT_STEPS * n_dec) / (out + 1);
        rp->new_token_ratio = ratio < 1 ? ratio : 1;
    } else {
        double ratio = rp->new_token_ratio - (AIF_SGLANG_INIT_RATIO - min_ratio) / AIF_SGLANG_DECAY_STEPS;
        rp->new_token_ratio = ratio > min_ratio ? ratio : min_ratio;
    }
    for (int i = 0; i < rp->n_run; i++) {
        aif_seq *s = &rp->run[i];
        if (s->ctx < s->target)
            continue;
        long nb = units_for(rp, s->ctx, s->ctx + 1L) - s->blocks;
        s->blocks += nb;
        rp->kv_used += nb;
        s->in_batch = 1;
        rp->batch_seqs++;
        add_decode(rp, s);
    }
    return rp->batch_seqs > 0;
}

int aif_replica_schedule(aif_replica *rp, const aif_sched_cfg *cfg, const aif_req_stream *rq, aif_req_state *st,
                         double now_s, aif_err *err, aif_rc *rc)
{
    *rc = AIF_OK;
    memset(&rp->batch, 0, sizeof rp->batch);
    rp->batch_seqs = 0;
    rp->spec_seqs = rp->spec_kv_tokens = 0;
    rp->swap_tokens = 0;
    if (cfg->sglang) {
        int any = schedule_sglang(rp, cfg, rq, st, now_s, err, rc);
        AIF_ASSERT(rp->kv_used >= 0 && rp->kv_used <= rp->kv_blocks);
        AIF_ASSERT(rp->batch_seqs <= cfg->max_batch);
        if (rp->kv_used > rp->kv_peak)
            rp->kv_peak = rp->kv_used;
        rp->prefill_tokens += rp->batch.prefill_tokens;
        return any;
    }
    double verified = 0;   /* speculative verification's positions (not prompt tokens) */
    long budget = cfg->token_budget;
    int slots = cfg->max_batch;
    for (int i = 0; i < rp->n_run; i++) {
        aif_seq *s = &rp->run[i];
        s->in_batch = 0;
        s->chunk = 0;
        if (slots == 0 || budget == 0)
            continue;
        int prefill = s->ctx < s->target;
        long c = prefill ? s->target - s->ctx : 1;
        if (!prefill && cfg->spec_tokens > 0) {   /* drafts + the model's own token, never past the output */
            long left = rq->r[s->req].output - st[s->req].gen;
            c = cfg->spec_tokens + 1L < left ? cfg->spec_tokens + 1L : left;
        }
        if (c > budget)
            c = budget;
        long need = units_for(rp, s->ctx, s->ctx + c) - s->blocks;
        if (cfg->no_evict) {   /* its reservation covers every token it will cache */
            AIF_ASSERT(need <= 0);
            need = 0;
        }
        while (need > rp->kv_blocks - rp->kv_used && rp->n_run - 1 > i)
            if ((*rc = preempt_last(rp, cfg, st, err)))
                return 0;
        if (need > rp->kv_blocks - rp->kv_used) {   /* it is the newest itself */
            if ((*rc = preempt_last(rp, cfg, st, err)))
                return 0;
            break;
        }
        s->blocks += need;
        rp->kv_used += need;
        s->in_batch = 1;
        budget -= c;
        slots--;
        rp->batch_seqs++;
        if (prefill) {
            s->chunk = (int)c;
            add_prefill(rp, s->ctx, (double)c, s->ctx + c == s->target);
        } else if (c > 1) {   /* verification: c query positions over the cache, each position's logits */
            s->chunk = -(int)c;
            verified += (double)c;
            add_prefill(rp, s->ctx, (double)c, 1);
            rp->batch.prefill_done += (double)c - 1;
            rp->spec_seqs += 1;
            rp->spec_kv_tokens += s->ctx + 1;
        } else {
            add_decode(rp, s);
        }
    }
    while (rp->n_wait > 0 && slots > 0 && budget > 0) {
        int q = rp->wait[rp->wait_head];
        const aif_req *r = &rq->r[q];
        if (st[q].kv_ready) {   /* its prompt's cache came from a prefill replica: it decodes at once */
            long need = cfg->no_evict ? reserve(rp, r, cfg)
                                      : units_for(rp, r->input, (long)r->input + 1);
            if (need > rp->kv_blocks - rp->kv_used || budget < 1)
                break;
            if (grow_run(rp, err, rc))
                return 0;
            rp->wait_head = (rp->wait_head + 1) % rp->cap_wait;
            rp->n_wait--;
            st[q].kv_ready = 0;   /* a preemption from here on recomputes, as any other */
            aif_seq *s = &rp->run[rp->n_run++];
            *s = (aif_seq){.req = q, .target = r->input, .ctx = r->input, .blocks = need, .in_batch = 1};
            rp->kv_used += need;
            budget -= 1;
            slots--;
            rp->batch_seqs++;
            add_decode(rp, s);
            continue;
        }
        int target = r->input + st[q].gen;
        int swapped = st[q].swapped;   /* swap: its cache comes back from host memory, nothing recomputed */
        int cached = swapped ? swapped : cfg->prefix ? cached_tokens(rp, rq, q, target) : 0;
        long c = target - cached;
        if (c > budget) {
            if (cfg->chunked)
                c = budget;
            else if (rp->batch_seqs > 0)
                break;
        }
        long need = cfg->no_evict ? reserve(rp, r, cfg)
                                  : units_for(rp, cached, cached + c);
        if (need > rp->kv_blocks - rp->kv_used)
            break;
        if (grow_run(rp, err, rc))
            return 0;
        if (swapped) {
            rp->swap_tokens += aif_replica_cache_tokens(rp, swapped);
            st[q].swapped = 0;
        }
        admit_head(rp, st, r, q, target, cached, c, need, now_s);
        budget -= c < budget ? c : budget;
        slots--;
    }
    AIF_ASSERT(rp->kv_used >= 0 && rp->kv_used <= rp->kv_blocks);
    AIF_ASSERT(!cfg->no_evict || rp->preemptions == 0);
    AIF_ASSERT(rp->batch_seqs <= cfg->max_batch);
    if (rp->kv_used > rp->kv_peak)
        rp->kv_peak = rp->kv_used;
    rp->prefill_tokens += rp->batch.prefill_tokens - verified;   /* prompt tokens only */
    return rp->batch_seqs > 0;
}

/* splitmix64: the acceptance draws, deterministic per replica and seed */
static double draw(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* A request's tokens out at t_s: the gap since its last ones (one gap for the tokens of one
 * iteration, as a streaming client sees them: SGLang's bench_serving and vLLM's
 * benchmark_serving take the inter-token latency per chunk received), none before the first. */
static void token_out(aif_replica *rp, aif_req_state *q, double t_s)
{
    if (q->gen > 1) {
        double gap = t_s - q->last_token_s;
        int b = rp->itl_last_bin;
        if (gap != rp->itl_last_gap_s) {
            b = gap > 1e-6 ? (int)floor((log10(gap) + 6) * AIF_ITL_PER_DECADE) : 0;
            b = b < 0 ? 0 : b >= AIF_ITL_BINS ? AIF_ITL_BINS - 1 : b;
            rp->itl_last_gap_s = gap;
            rp->itl_last_bin = b;
        }
        rp->itl_n[b]++;
        rp->itl_sum_s[b] += gap;
        if (gap > rp->itl_max_s)
            rp->itl_max_s = gap;
    }
    q->last_token_s = t_s;
}

int aif_replica_finish(aif_replica *rp, const aif_sched_cfg *cfg, const aif_req_stream *rq, aif_req_state *st,
                       double t_s, int *done)
{
    int n_done = 0, w = 0;
    for (int i = 0; i < rp->n_run; i++) {
        aif_seq *s = &rp->run[i];
        int fin = 0;
        if (s->in_batch) {
            aif_req_state *q = &st[s->req];
            const aif_req *r = &rq->r[s->req];
            if (s->chunk > 0) {
                s->ctx += s->chunk;
                if (s->ctx == s->target) {
                    q->gen++;
                    if (q->gen == 1)
                        q->first_token_s = t_s;
                    token_out(rp, q, t_s);   /* the first token, or the next after a recompute */
                    if (rp->pc_cap)
                        for (int k = 0; k < r->n_hash; k++)
                            pc_touch(rp, rq->hash[r->hash_first + k]);
                }
            } else if (s->chunk < 0) {
                int verify = -s->chunk;
                /* drafts accepted in order until the first rejection, then the model's own token */
                int k = 0;
                while (k < verify - 1 && draw(&rp->rng) < cfg->spec_acceptance)
                    k++;
                rp->drafted += verify - 1;
                rp->accepted += k;
                s->ctx += k + 1;
                q->gen += k + 1;
                token_out(rp, q, t_s);
            } else {
                s->ctx++;
                q->gen++;
                token_out(rp, q, t_s);
            }
            if (q->gen >= r->output || (rp->prefill_only && q->gen >= 1)) {
                fin = 1;
                if (q->gen >= r->output)
                    q->done_s = t_s;
                rp->kv_used -= s->blocks;
                rp->outstanding--;
                done[n_done++] = s->req;
            }
        }
        if (!fin) {   /* compact: copy only once a finished one left a hole */
            if (w != i)
                rp->run[w] = *s;
            w++;
        }
    }
    rp->n_run = w;
    rp->busy = 0;
    return n_done;
}
