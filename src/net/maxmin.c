/* maxmin.c -- weighted max-min fair sharing by progressive filling (see maxmin.h).
 *
 * Fast path: the links of a component and its capped flows sit in one binary
 * heap keyed by the fill level t at which they saturate (link: remaining / sum
 * of unfrozen weights; flow: cap / weight), built in O(L) and updated lazily.
 * Popping the lowest level freezes its flows, which raises the levels of the
 * other links on their routes (a level never falls, so a key in the heap is a
 * lower bound: it is re-read when it reaches the top, see fill).
 * O(F R + L log L) per component, the sift per route entry of an eager heap gone.
 *
 * Storage for flows that come and go: every link keeps the list of (flow, route
 * entry) crossing it and every route entry its position in that list, so adding
 * or removing a flow costs its route length, not the network's size; changes
 * are queued on dirty lists, and a solve visits only the components they touch.
 * Flags are cleared by epoch counters, not by sweeping arrays.
 *
 * Invariant: a flow's shared bitmap (shb) has exactly the bits of its route entries
 * on links that two or more flows cross (ll[l].n >= 2), n_sh their count, and xmin
 * the least of its cap and the exclusive entries' C_l / a_fl unless xarg is XSTALE;
 * adding or removing a flow keeps them, at O(1) per route entry.  A solve walks a
 * component through shared entries only: on an oversubscribed fabric more than half
 * of a coflow's route entries are links it has to itself, and walking them on every
 * event was most of the solver's time (docs/PERFORMANCE.md).  aif_mm_check recounts
 * them (tests). */
#include "net/maxmin.h"
#include "base/base.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A heap entry: the key beside its item, so that sifting reads one array. */
typedef struct hent {
    double key;
    int item;
} hent;

enum { XSTALE = -2 };   /* xarg: the exclusive bound is to be recomputed */

/* A link's list of (flow, route entry) crossing it. */
struct lref {
    int f, e;
};
struct llist {
    struct lref *v;
    int n, cap;
};

struct aif_mm {
    /* links */
    int n_links, cap_links;
    double *link_cap, *remaining, *wsum;
    int *link_stamp;
    int *heap_stamp;              /* per link: the epoch of the solve that put it in the heap */
    unsigned char *link_dirty;
    /* link -> its (flow, route entry) list, kept up to date as flows come and go: the
     * count, capacity and array side by side, one cache line per link to reach */
    struct llist *ll;
    /* flows (slots; dead ones are on the free list), each with its own route arrays */
    int n_slots, cap_slots, n_alive;
    double *w, *rcap, *rate;
    double *ecap;                 /* scratch: rcap folded with the links only this flow crosses */
    double *ub;                   /* scratch: a level by which the flow is frozen at the latest */
    int *route_len, *route_cap, *flow_stamp;
    int **rlink, **rpos;          /* per flow: links, and the entry's position in the link's list */
    double **rcoef;
    double **rbnd;                /* per flow: C_l / a_fl of each route entry (the rate it allows) */
    double *rmax;                 /* per flow: the least of its cap and every rbnd (its ub, static between changes) */
    /* per flow: its shared route entries (on links that another flow crosses too) as a
     * bitmap over its route (bit k of word k / 64), and their count; kept as flows come
     * and go, so a solve walks only these, in route order */
    uint64_t **shb;
    int *n_sh;
    /* per flow: the least of its cap and the rbnd of its exclusive entries (what the
     * filling folds into its cap), and the entry that gives it (-1: the cap or none;
     * XSTALE: to be recomputed, that entry became shared) */
    double *xmin;
    int *xarg;
    unsigned char *alive, *frozen, *flow_dirty;
    int *free_slots, n_free;
    /* what changed since the last solve */
    int *dirty_links, n_dirty_links, *dirty_flows, n_dirty_flows;
    int any_dirty;
    /* scratch */
    int epoch;
    int *queue, *comp_links, *comp_flows;
    int *updated, n_updated;        /* flows whose rate the last solve recomputed */
    hent *heap;                     /* items: links 0..L-1, capped flows L + f */
    int heap_n;
    int n_unfrozen;                 /* flows of the component being filled not yet frozen */
    int cap_items;
};

/* Grows *p from *cap to exactly `need` items (callers ask for doubled sizes), zeroing the new part. */
static int grow(void **p, int *cap, int need, size_t item)
{
    if (need <= *cap)
        return 0;
    int c = need;
    void *q = realloc(*p, (size_t)c * item);
    if (!q)
        return -1;
    memset((char *)q + (size_t)*cap * item, 0, (size_t)(c - *cap) * item);
    *p = q;
    *cap = c;
    return 0;
}

aif_mm *aif_mm_new(void) { return calloc(1, sizeof(aif_mm)); }

void aif_mm_free(aif_mm *m)
{
    if (!m)
        return;
    for (int l = 0; l < m->cap_links; l++) {
        free(m->ll[l].v);
    }
    for (int f = 0; f < m->cap_slots; f++) {
        free(m->rlink[f]);
        free(m->rpos[f]);
        free(m->rcoef[f]);
        free(m->rbnd[f]);
        free(m->shb[f]);
    }
    void *ps[] = {m->link_cap, m->remaining, m->wsum, m->link_stamp, m->heap_stamp, m->link_dirty, m->ll, m->w, m->rcap, m->rate, m->ecap, m->ub, m->route_len, m->route_cap, m->flow_stamp, m->rlink,
                  m->rpos, m->rcoef, m->rbnd, m->rmax, m->shb, m->n_sh, m->xmin, m->xarg, m->alive, m->frozen, m->flow_dirty, m->free_slots, m->dirty_links,
                  m->dirty_flows, m->queue, m->comp_links, m->comp_flows, m->updated, m->heap};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        free(ps[i]);
    free(m);
}

#define GROW(arr, cap, need) (grow((void **)&(arr), &(int){cap}, (need), sizeof *(arr)))

/* Per-link arrays follow the link capacity, per-flow arrays the slot capacity, and
 * the heap and queue (one item per link and per flow) their sum. */
static int reserve(aif_mm *m, int links, int slots)
{
    if (links > m->cap_links) {
        int c = m->cap_links;
        if (GROW(m->link_cap, c, links) || GROW(m->remaining, c, links) ||
            GROW(m->wsum, c, links) || GROW(m->link_stamp, c, links) || GROW(m->heap_stamp, c, links) || GROW(m->link_dirty, c, links) ||
            GROW(m->comp_links, c, links) || GROW(m->ll, c, links) || GROW(m->dirty_links, c, links))
            return -1;
        m->cap_links = links;
    }
    if (slots > m->cap_slots) {
        int c = m->cap_slots;
        if (GROW(m->w, c, slots) || GROW(m->rcap, c, slots) || GROW(m->rate, c, slots) || GROW(m->ecap, c, slots) || GROW(m->ub, c, slots) ||
            GROW(m->route_len, c, slots) || GROW(m->route_cap, c, slots) || GROW(m->flow_stamp, c, slots) ||
            GROW(m->rlink, c, slots) || GROW(m->rpos, c, slots) || GROW(m->rcoef, c, slots) || GROW(m->rbnd, c, slots) ||
            GROW(m->rmax, c, slots) || GROW(m->shb, c, slots) || GROW(m->n_sh, c, slots) || GROW(m->xmin, c, slots) ||
            GROW(m->xarg, c, slots) ||
            GROW(m->alive, c, slots) || GROW(m->frozen, c, slots) || GROW(m->flow_dirty, c, slots) ||
            GROW(m->free_slots, c, slots) || GROW(m->comp_flows, c, slots) || GROW(m->updated, c, slots) ||
            GROW(m->dirty_flows, c, slots))
            return -1;
        m->cap_slots = slots;
    }
    int items = m->cap_links + m->cap_slots, c = m->cap_items;
    if (items > c) {
        if (GROW(m->queue, c, items) || GROW(m->heap, c, items))
            return -1;
        m->cap_items = items;
    }
    return 0;
}

static void mark_link(aif_mm *m, int l)
{
    if (!m->link_dirty[l]) {
        m->link_dirty[l] = 1;
        m->dirty_links[m->n_dirty_links++] = l;
    }
    m->any_dirty = 1;
}

int aif_mm_add_link(aif_mm *m, double capacity_Bps)
{
    if (m->n_links + 1 > m->cap_links && reserve(m, 2 * m->cap_links + 64, m->cap_slots))
        return -1;
    int l = m->n_links++;
    m->link_cap[l] = capacity_Bps;
    mark_link(m, l);
    return l;
}

/* The least of flow f's rate cap and the rate each of its links allows alone. */
static void flow_rmax(aif_mm *m, int f)
{
    double r = m->rcap[f] > 0 ? m->rcap[f] : INFINITY;
    for (int k = 0; k < m->route_len[f]; k++)
        if (m->rbnd[f][k] < r)
            r = m->rbnd[f][k];
    m->rmax[f] = r;
}

void aif_mm_set_capacity(aif_mm *m, int link, double capacity_Bps)
{
    m->link_cap[link] = capacity_Bps;
    for (int k = 0; k < m->ll[link].n; k++) {
        int f = m->ll[link].v[k].f, e = m->ll[link].v[k].e;
        m->rbnd[f][e] = capacity_Bps / m->rcoef[f][e];
    }
    for (int k = 0; k < m->ll[link].n; k++) {
        flow_rmax(m, m->ll[link].v[k].f);
        m->xarg[m->ll[link].v[k].f] = XSTALE;
    }
    mark_link(m, link);
}

static int is_shared(const aif_mm *m, int f, int e) { return (int)(m->shb[f][e >> 6] >> (e & 63) & 1); }

/* Route entry e of flow f becomes shared (another flow crosses its link), or exclusive
 * again; the exclusive bound follows (recomputed when asked if its entry leaves). */
static void sh_push(aif_mm *m, int f, int e)
{
    m->shb[f][e >> 6] |= 1ull << (e & 63);
    m->n_sh[f]++;
    if (m->xarg[f] == e)
        m->xarg[f] = XSTALE;
}

static void sh_drop(aif_mm *m, int f, int e)
{
    m->shb[f][e >> 6] &= ~(1ull << (e & 63));
    m->n_sh[f]--;
    if (m->xarg[f] != XSTALE && m->rbnd[f][e] < m->xmin[f]) {
        m->xmin[f] = m->rbnd[f][e];
        m->xarg[f] = e;
    }
}

/* The least of flow f's cap and the rbnd of its exclusive entries, taken in route order
 * as the filling used to take them (the same value: a minimum). */
static void flow_xmin(aif_mm *m, int f)
{
    double x = m->rcap[f] > 0 ? m->rcap[f] : INFINITY;
    int arg = -1;
    for (int k = 0; k < m->route_len[f]; k++)
        if (!is_shared(m, f, k) && m->rbnd[f][k] < x) {
            x = m->rbnd[f][k];
            arg = k;
        }
    m->xmin[f] = x;
    m->xarg[f] = arg;
}

/* The index of the lowest set bit of x != 0 (de Bruijn: portable, no branch). */
static int low_bit(uint64_t x)
{
    static const unsigned char pos[64] = {
        0,  1,  48, 2,  57, 49, 28, 3,  61, 58, 50, 42, 38, 29, 17, 4,  62, 55, 59, 36, 53, 51,
        43, 22, 45, 39, 33, 30, 24, 18, 12, 5,  63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21,
        44, 32, 23, 11, 46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19, 9,  13, 8,  7,  6};
    return pos[((x & (~x + 1)) * 0x03f79d71b4cb0a89ull) >> 58];
}

int aif_mm_add_flow(aif_mm *m, const int *links, int n, double weight, double rate_cap_Bps)
{
    return aif_mm_add_flow_coef(m, links, NULL, n, weight, rate_cap_Bps);
}

int aif_mm_add_flow_coef(aif_mm *m, const int *links, const double *coefs, int n, double weight, double rate_cap_Bps)
{
    if (weight <= 0 || (n <= 0 && rate_cap_Bps <= 0))
        return -1;
    for (int i = 0; i < n; i++)
        if (links[i] < 0 || links[i] >= m->n_links || (coefs && !(coefs[i] > 0)))
            return -1;
    int f;
    if (m->n_free > 0) {
        f = m->free_slots[--m->n_free];
    } else {
        if (m->n_slots + 1 > m->cap_slots && reserve(m, m->cap_links, 2 * m->cap_slots + 64))
            return -1;
        f = m->n_slots++;
    }
    if (n > m->route_cap[f]) {   /* a slot's route arrays only grow */
        int c = n < 8 ? 8 : n;
        int *a = realloc(m->rlink[f], (size_t)c * sizeof(int)), *b;
        if (!a)
            return -1;
        m->rlink[f] = a;
        if (!(b = realloc(m->rpos[f], (size_t)c * sizeof(int))))
            return -1;
        m->rpos[f] = b;
        double *d = realloc(m->rcoef[f], (size_t)c * sizeof(double));
        if (!d)
            return -1;
        m->rcoef[f] = d;
        if (!(d = realloc(m->rbnd[f], (size_t)c * sizeof(double))))
            return -1;
        m->rbnd[f] = d;
        uint64_t *w = realloc(m->shb[f], (size_t)((c + 63) / 64) * sizeof(uint64_t));
        if (!w)
            return -1;
        m->shb[f] = w;
        m->route_cap[f] = c;
    }
    m->n_sh[f] = 0;
    memset(m->shb[f], 0, (size_t)((n + 63) / 64) * sizeof(uint64_t));
    m->xarg[f] = XSTALE;   /* computed below, once the route is in */
    for (int i = 0; i < n; i++) {
        int l = links[i];
        struct llist *li = &m->ll[l];
        if (li->n == li->cap) {
            int c = li->cap ? 2 * li->cap : 4;
            struct lref *a = realloc(li->v, (size_t)c * sizeof *a);
            if (!a)
                return -1;
            li->v = a;
            li->cap = c;
        }
        m->rlink[f][i] = l;
        m->rcoef[f][i] = coefs ? coefs[i] : 1.0;
        m->rbnd[f][i] = m->link_cap[l] / m->rcoef[f][i];
        if (m->ll[l].n == 1)   /* the flow already there shares its link from now on */
            sh_push(m, m->ll[l].v[0].f, m->ll[l].v[0].e);
        if (m->ll[l].n >= 1)
            sh_push(m, f, i);
        m->rpos[f][i] = m->ll[l].n;
        li->v[li->n++] = (struct lref){f, i};
    }
    m->route_len[f] = n;
    m->w[f] = weight;
    m->rcap[f] = rate_cap_Bps > 0 ? rate_cap_Bps : 0;
    flow_rmax(m, f);
    flow_xmin(m, f);
    m->rate[f] = 0;
    m->alive[f] = 1;
    if (!m->flow_dirty[f]) {   /* a slot reused before the next solve is on the list already */
        m->flow_dirty[f] = 1;
        m->dirty_flows[m->n_dirty_flows++] = f;
    }
    m->n_alive++;
    m->any_dirty = 1;
    return f;
}

void aif_mm_remove_flow(aif_mm *m, int f)
{
    if (f < 0 || f >= m->n_slots || !m->alive[f])
        return;
    m->alive[f] = 0;
    m->rate[f] = 0;
    for (int i = 0; i < m->route_len[f]; i++) {
        /* swap-remove the entry from its link's list, fixing the moved entry's position */
        int l = m->rlink[f][i], p = m->rpos[f][i], last = --m->ll[l].n;
        if (p != last) {
            int g = m->ll[l].v[last].f, e = m->ll[l].v[last].e;
            m->ll[l].v[p] = m->ll[l].v[last];
            m->rpos[g][e] = p;
        }
        if (last == 1 && is_shared(m, m->ll[l].v[0].f, m->ll[l].v[0].e))   /* the one left has it alone */
            sh_drop(m, m->ll[l].v[0].f, m->ll[l].v[0].e);
        mark_link(m, l);   /* the links it used must be re-solved */
    }
    m->route_len[f] = 0;
    m->n_sh[f] = 0;
    m->free_slots[m->n_free++] = f;
    m->n_alive--;
}

double aif_mm_rate(const aif_mm *m, int f) { return m->rate[f]; }
const int *aif_mm_updated(const aif_mm *m, int *n)
{
    *n = m->n_updated;
    return m->updated;
}
/* Computed when asked (tests, the debug check after a solve), from the rates of the
 * flows over the link in the order of its list: the engine never asks, and a sum
 * per link after every solve was a quarter of a solve on large components. */
double aif_mm_link_load(const aif_mm *m, int l)
{
    double load = 0;
    for (int k = 0; k < m->ll[l].n; k++) {
        int f = m->ll[l].v[k].f;
        load += m->rcoef[f][m->ll[l].v[k].e] * m->rate[f];
    }
    return load;
}
int aif_mm_n_flows(const aif_mm *m) { return m->n_alive; }

int aif_mm_check(const aif_mm *m)
{
    for (int f = 0; f < m->n_slots; f++) {
        if (!m->alive[f])
            continue;
        int n = 0;
        double r = m->rcap[f] > 0 ? m->rcap[f] : INFINITY;
        double x = m->rcap[f] > 0 ? m->rcap[f] : INFINITY;
        for (int k = 0; k < m->route_len[f]; k++) {
            int l = m->rlink[f][k], sh = is_shared(m, f, k);
            if (m->rbnd[f][k] < r)
                r = m->rbnd[f][k];
            if (!sh && m->rbnd[f][k] < x)
                x = m->rbnd[f][k];
            if ((m->ll[l].n >= 2) != sh)
                return -1;
            n += sh;
        }
        for (int k = m->route_len[f]; k < ((m->route_len[f] + 63) & ~63); k++)
            if (is_shared(m, f, k))   /* no bit past the route */
                return -1;
        if (n != m->n_sh[f] || r != m->rmax[f] || (m->xarg[f] != XSTALE && x != m->xmin[f]))
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- heap */

/* Moves entry i down to its place (a hole moved down, not swaps). */
static void sift_down(aif_mm *m, int i)
{
    hent *h = m->heap, x = h[i];
    int n = m->heap_n;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && h[c + 1].key < h[c].key)
            c++;
        if (!(h[c].key < x.key))
            break;
        h[i] = h[c];
        i = c;
    }
    h[i] = x;
}

static void heap_pop(aif_mm *m)
{
    if (--m->heap_n > 0) {
        m->heap[0] = m->heap[m->heap_n];
        sift_down(m, 0);
    }
}

/* ------------------------------------------------------------- solving */

/* Freezes flow f at rate r and charges its links.  The heap is lazy: a link's key
 * is not raised here (its level only grows as flows freeze, see fill), and a capped
 * flow's or an emptied link's entry stays until it reaches the top. */
static void freeze(aif_mm *m, int f, double r)
{
    m->frozen[f] = 1;
    m->rate[f] = r;
    m->n_unfrozen--;
    for (int wi = 0; wi < (m->route_len[f] + 63) >> 6; wi++)   /* heap items are shared links */
        for (uint64_t x = m->shb[f][wi]; x; x &= x - 1) {
            int i = wi << 6 | low_bit(x), l = m->rlink[f][i];
            if (m->heap_stamp[l] != m->epoch)
                continue;   /* no heap item: its level is never read again */
            double c = m->rcoef[f][i];
            m->remaining[l] -= c * r;
            m->wsum[l] -= c * m->w[f];
            if (m->wsum[l] <= AIF_MM_EPS * c * m->w[f])
                m->wsum[l] = 0;
        }
}

/* Sorts the first n heap entries into a binary heap in O(n). */
static void heapify(aif_mm *m)
{
    for (int i = m->heap_n / 2 - 1; i >= 0; i--)
        sift_down(m, i);
}

/* Progressive filling over one component (comp_flows, comp_links).
 *
 * Lazy heap: freezing a flow raises the saturation level of every link on its
 * route (remaining - c w t over wsum - c w is at least remaining / wsum when t is
 * at most that level), so a key in the heap is a lower bound of its link's level.
 * The top is re-read when it comes up: a stale key is raised in place (one
 * sift-down) and the heap looked at again; an emptied link or a frozen flow is
 * dropped.  The levels, rates and the arithmetic that charges the links are those
 * of an eagerly updated heap; only the order among exactly equal levels may differ
 * (rates then differ by rounding).  This replaced a sift per link per frozen flow,
 * which was most of the solver's time on oversubscribed fabrics.
 *
 * A link that only one flow crosses is not a heap item: it saturates exactly when
 * that flow reaches C_l / a_fl, so it is folded into the flow's cap (ecap, the
 * least of its rate cap and those).  On an oversubscribed fabric a component is a
 * few coflows over thousands of solver links, three quarters of them crossed by
 * one coflow; the heap of those links and the pops through them were most of a
 * simulation's time (131,072 GPUs at 4:1, docs/PERFORMANCE.md).  The flow then
 * stops at C_l / a_fl instead of w (C_l / (a_fl w)): the same rate up to rounding.
 *
 * A solve does not walk a flow's exclusive links to find that cap: the least of its
 * rate cap and their C_l / a_fl is kept per flow (xmin) as entries become shared or
 * exclusive, recomputed only when the entry that gave it becomes shared; the walk
 * reads the shared entries alone, in route order (the bitmap shb), so the component,
 * its sums and its heap are built in the order a walk of every entry built them. */
static void fill(aif_mm *m, int nf, int nl)
{
    m->heap_n = 0;
    /* a flow is frozen by the level ub_f at the latest (its rate is at most C_l / a_fl
     * on every link), and a link's level only rises: a link whose level starts above
     * the ub of every flow over it never freezes anything and stays out of the heap
     * (most shared links of a coflow component) */
    for (int i = 0; i < nf; i++) {
        int f = m->comp_flows[i], it = m->n_links + f;
        if (m->ecap[f] < INFINITY)
            m->heap[m->heap_n++] = (hent){m->ecap[f] / m->w[f], it};
    }
    for (int i = 0; i < nl; i++) {
        int l = m->comp_links[i];
        if (m->wsum[l] > 0 && m->ll[l].n > 1) {
            double key = m->remaining[l] / m->wsum[l], ub = 0;
            for (int k = 0; k < m->ll[l].n && !(key <= ub); k++)
                if (m->ub[m->ll[l].v[k].f] > ub)
                    ub = m->ub[m->ll[l].v[k].f];
            if (key <= ub) {
                m->heap[m->heap_n++] = (hent){key, l};
                m->heap_stamp[l] = m->epoch;
            }
        }
    }
    heapify(m);
    m->n_unfrozen = nf;
    /* once every flow is frozen, the links left in the heap cannot freeze anything:
     * stop rather than pop them one by one (most links of a large component) */
    while (m->heap_n > 0 && m->n_unfrozen > 0) {
        int item = m->heap[0].item;
        if (item >= m->n_links) {   /* a flow reaches its cap */
            int f = item - m->n_links;
            heap_pop(m);
            if (!m->frozen[f])
                freeze(m, f, m->ecap[f]);
            continue;
        }
        int l = item;
        if (m->wsum[l] <= 0) {      /* every flow over it is frozen */
            heap_pop(m);
            continue;
        }
        double t = m->remaining[l] > 0 ? m->remaining[l] / m->wsum[l] : 0;
        if (t > m->heap[0].key) {   /* stale: raise it and look again */
            m->heap[0].key = t;
            sift_down(m, 0);
            continue;
        }
        heap_pop(m);
        /* a link saturates: every unfrozen flow over it stops at w * t */
        for (int k = 0; k < m->ll[l].n; k++) {
            int f = m->ll[l].v[k].f;
            if (!m->frozen[f]) {
                double r = m->w[f] * t;
                if (r > m->ecap[f])
                    r = m->ecap[f];
                freeze(m, f, r);
            }
        }
    }
    for (int i = 0; i < nf; i++) {   /* a flow no link constrains (caps only) keeps its cap */
        int f = m->comp_flows[i];
        if (!m->frozen[f])
            freeze(m, f, m->rcap[f]);
    }
}

/* Starts link l's filling: all its capacity left, no weight yet. */
static void open_link(aif_mm *m, int l)
{
    m->link_stamp[l] = m->epoch;
    m->remaining[l] = m->link_cap[l];
    m->wsum[l] = 0;
}

/* Solves the component holding link or flow `seed` (item index as in the queue).
 * The walk that finds the component also starts the filling (fill): a link's
 * remaining capacity and weight are set when it is first reached, and a flow adds
 * its weight to its links and folds the links only it crosses into its cap when
 * it is reached, in the order fill used to (the same sums); one pass over the
 * route entries instead of two. */
static void solve_component(aif_mm *m, int seed)
{
    int nf = 0, nl = 0, head = 0, tail = 0, L = m->n_links;
    m->queue[tail++] = seed;
    if (seed < L)
        open_link(m, seed);
    else
        m->flow_stamp[seed - L] = m->epoch;
    while (head < tail) {
        int it = m->queue[head++];
        if (it < L) {
            m->comp_links[nl++] = it;
            for (int k = 0; k < m->ll[it].n; k++) {
                int f = m->ll[it].v[k].f;
                if (m->flow_stamp[f] != m->epoch) {
                    m->flow_stamp[f] = m->epoch;
                    m->queue[tail++] = L + f;
                }
            }
        } else {
            int f = it - L;
            double w = m->w[f];
            m->comp_flows[nf++] = f;
            m->frozen[f] = 0;
            for (int wi = 0; wi < (m->route_len[f] + 63) >> 6; wi++)   /* shared entries, in route order */
                for (uint64_t x = m->shb[f][wi]; x; x &= x - 1) {
                    int k = wi << 6 | low_bit(x), l = m->rlink[f][k];
                    if (m->link_stamp[l] != m->epoch) {
                        open_link(m, l);
                        m->queue[tail++] = l;
                    }
                    m->wsum[l] += m->rcoef[f][k] * w;
                }
            if (m->xarg[f] == XSTALE)
                flow_xmin(m, f);
            m->ecap[f] = m->xmin[f];
            m->ub[f] = m->rmax[f] / w;
        }
    }
    fill(m, nf, nl);
    for (int i = 0; i < nl; i++)
        m->link_dirty[m->comp_links[i]] = 0;
    for (int i = 0; i < nf; i++) {
        int f = m->comp_flows[i];
#ifndef NDEBUG
        for (int k = 0; k < m->route_len[f]; k++) {   /* shared and exclusive links */
            int l = m->rlink[f][k];
            AIF_ASSERT(aif_mm_link_load(m, l) <= m->link_cap[l] * (1 + AIF_MM_LOAD_TOL));
        }
#endif
        m->flow_dirty[f] = 0;
        m->updated[m->n_updated++] = f;
    }
}

long aif_mm_solve(aif_mm *m)
{
    m->n_updated = 0;
    if (!m->any_dirty)
        return 0;
    /* one epoch per solve: everything stamped with it belongs to a component solved now */
    if (++m->epoch == 0x7fffffff) {
        memset(m->link_stamp, 0, sizeof(int) * (size_t)m->n_links);
        memset(m->heap_stamp, 0, sizeof(int) * (size_t)m->n_links);
        memset(m->flow_stamp, 0, sizeof(int) * (size_t)m->n_slots);
        m->epoch = 1;
    }
    for (int i = 0; i < m->n_dirty_flows; i++) {
        int f = m->dirty_flows[i];
        if (m->alive[f] && m->flow_dirty[f] && m->flow_stamp[f] != m->epoch)
            solve_component(m, m->n_links + f);
        m->flow_dirty[f] = 0;
    }
    for (int i = 0; i < m->n_dirty_links; i++) {
        int l = m->dirty_links[i];
        /* a link only one flow crosses is not opened by the walk: its flow's stamp
         * says whether the component was solved already */
        if (m->link_dirty[l] && m->link_stamp[l] != m->epoch && m->ll[l].n > 0 &&
            m->flow_stamp[m->ll[l].v[0].f] != m->epoch)
            solve_component(m, l);
        m->link_dirty[l] = 0;
    }
    m->n_dirty_flows = m->n_dirty_links = 0;
    m->any_dirty = 0;
    return m->n_updated;
}

void aif_mm_solve_reference(aif_mm *m)
{
    int L = m->n_links, F = m->n_slots;
    for (int l = 0; l < L; l++) {
        m->remaining[l] = m->link_cap[l];
        m->wsum[l] = 0;
    }
    for (int f = 0; f < F; f++) {
        m->frozen[f] = !m->alive[f];
        m->rate[f] = 0;
        if (m->alive[f])
            for (int k = 0; k < m->route_len[f]; k++)
                m->wsum[m->rlink[f][k]] += m->rcoef[f][k] * m->w[f];
    }
    for (;;) {
        /* the lowest level at which a link saturates or a flow reaches its cap */
        double t = INFINITY;
        for (int l = 0; l < L; l++)
            if (m->wsum[l] > 0)
                t = fmin(t, fmax(0, m->remaining[l]) / m->wsum[l]);
        for (int f = 0; f < F; f++)
            if (!m->frozen[f] && m->rcap[f] > 0)
                t = fmin(t, m->rcap[f] / m->w[f]);
        if (t == INFINITY)
            break;
        /* freeze everything that stops at t */
        int any = 0;
        for (int f = 0; f < F; f++) {
            if (m->frozen[f])
                continue;
            int stop = m->rcap[f] > 0 && m->rcap[f] / m->w[f] <= t * (1 + AIF_MM_EPS);
            for (int k = 0; k < m->route_len[f] && !stop; k++) {
                int l = m->rlink[f][k];
                stop = m->wsum[l] > 0 && fmax(0, m->remaining[l]) / m->wsum[l] <= t * (1 + AIF_MM_EPS);
            }
            if (stop) {
                m->rate[f] = m->w[f] * t;
                if (m->rcap[f] > 0 && m->rate[f] > m->rcap[f])
                    m->rate[f] = m->rcap[f];
                m->frozen[f] = 2;   /* frozen in this round: charged below */
                any = 1;
            }
        }
        if (!any)
            break;
        for (int f = 0; f < F; f++)
            if (m->frozen[f] == 2) {
                m->frozen[f] = 1;
                for (int k = 0; k < m->route_len[f]; k++) {
                    int l = m->rlink[f][k];
                    double c = m->rcoef[f][k];
                    m->remaining[l] -= c * m->rate[f];
                    m->wsum[l] -= c * m->w[f];
                    if (m->wsum[l] < AIF_MM_EPS)
                        m->wsum[l] = 0;
                }
            }
    }
}
