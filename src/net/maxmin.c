/* maxmin.c -- weighted max-min fair sharing by progressive filling (see maxmin.h).
 *
 * Fast path: the links of a component and its capped flows sit in one binary
 * heap keyed by the fill level t at which they saturate (link: remaining / sum
 * of unfrozen weights; flow: cap / weight).  Popping the lowest level freezes its
 * flows and raises the levels of the other links on their routes (a level never
 * falls below the current one, so the heap order stays valid with sift-down and
 * sift-up on the changed entries).  O((F R + L) log L) per component.
 * Flags are cleared by epoch counters, not by sweeping arrays. */
#include "net/maxmin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct aif_mm {
    /* links */
    int n_links, cap_links;
    double *link_cap, *link_load, *remaining, *wsum;
    int *link_stamp;
    unsigned char *link_dirty;
    /* flows (slots; dead ones are on the free list) */
    int n_slots, cap_slots, n_alive;
    double *w, *rcap, *rate;
    int *route_off, *route_len, *flow_stamp;
    unsigned char *alive, *frozen, *flow_dirty;
    int *free_slots, n_free;
    /* route pool: link indices and the bytes each carries per byte/s of the flow's rate */
    int *routes, n_routes, cap_routes;
    double *coefs;
    int cap_coefs;
    /* link -> flows (CSR) with the coefficient of each, rebuilt when flows change */
    int *lf_off, *lf, cap_lf;
    double *lf_coef;
    int cap_lf_coef;
    int adj_valid;
    int any_dirty;
    /* scratch */
    int epoch;
    int *queue, *comp_links, *comp_flows;
    int *updated, n_updated;        /* flows whose rate the last solve recomputed */
    int *heap, *heap_pos, heap_n;   /* items: links 0..L-1, capped flows L + f */
    int cap_items;
    double *heap_key;
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
    void *ps[] = {m->link_cap, m->link_load, m->remaining, m->wsum, m->link_stamp, m->link_dirty, m->w, m->rcap,
                  m->rate, m->route_off, m->route_len, m->flow_stamp, m->alive, m->frozen, m->flow_dirty,
                  m->free_slots, m->routes, m->coefs, m->lf_off, m->lf, m->lf_coef, m->updated, m->queue, m->comp_links, m->comp_flows, m->heap,
                  m->heap_pos, m->heap_key};
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
        if (GROW(m->link_cap, c, links) || GROW(m->link_load, c, links) || GROW(m->remaining, c, links) ||
            GROW(m->wsum, c, links) || GROW(m->link_stamp, c, links) || GROW(m->link_dirty, c, links) ||
            GROW(m->comp_links, c, links) || GROW(m->lf_off, c + 1, links + 1))
            return -1;
        m->cap_links = links;
    }
    if (slots > m->cap_slots) {
        int c = m->cap_slots;
        if (GROW(m->w, c, slots) || GROW(m->rcap, c, slots) || GROW(m->rate, c, slots) ||
            GROW(m->route_off, c, slots) || GROW(m->route_len, c, slots) || GROW(m->flow_stamp, c, slots) ||
            GROW(m->alive, c, slots) || GROW(m->frozen, c, slots) || GROW(m->flow_dirty, c, slots) ||
            GROW(m->free_slots, c, slots) || GROW(m->comp_flows, c, slots) || GROW(m->updated, c, slots))
            return -1;
        m->cap_slots = slots;
    }
    int items = m->cap_links + m->cap_slots, c = m->cap_items;
    if (items > c) {
        if (GROW(m->queue, c, items) || GROW(m->heap, c, items) || GROW(m->heap_pos, c, items) ||
            GROW(m->heap_key, c, items))
            return -1;
        m->cap_items = items;
    }
    return 0;
}

int aif_mm_add_link(aif_mm *m, double capacity_Bps)
{
    if (m->n_links + 1 > m->cap_links && reserve(m, 2 * m->cap_links + 64, m->cap_slots))
        return -1;
    int l = m->n_links++;
    m->link_cap[l] = capacity_Bps;
    m->link_dirty[l] = 1;
    m->any_dirty = 1;
    m->adj_valid = 0;
    return l;
}

void aif_mm_set_capacity(aif_mm *m, int link, double capacity_Bps)
{
    m->link_cap[link] = capacity_Bps;
    m->link_dirty[link] = 1;
    m->any_dirty = 1;
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
    /* the route pool only grows; dead routes are reclaimed when it is twice the live size */
    if (m->n_routes + n > m->cap_routes &&
        grow((void **)&m->routes, &m->cap_routes, 2 * (m->n_routes + n) + 64, sizeof(int)))
        return -1;
    if (m->cap_coefs < m->cap_routes && grow((void **)&m->coefs, &m->cap_coefs, m->cap_routes, sizeof(double)))
        return -1;
    m->route_off[f] = m->n_routes;
    m->route_len[f] = n;
    memcpy(m->routes + m->n_routes, links, sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++)
        m->coefs[m->n_routes + i] = coefs ? coefs[i] : 1.0;
    m->n_routes += n;
    m->w[f] = weight;
    m->rcap[f] = rate_cap_Bps > 0 ? rate_cap_Bps : 0;
    m->rate[f] = 0;
    m->alive[f] = 1;
    m->flow_dirty[f] = 1;
    m->n_alive++;
    m->any_dirty = 1;
    m->adj_valid = 0;
    return f;
}

void aif_mm_remove_flow(aif_mm *m, int f)
{
    if (f < 0 || f >= m->n_slots || !m->alive[f])
        return;
    m->alive[f] = 0;
    m->rate[f] = 0;
    /* the links it used must be re-solved */
    for (int i = 0; i < m->route_len[f]; i++)
        m->link_dirty[m->routes[m->route_off[f] + i]] = 1;
    m->free_slots[m->n_free++] = f;
    m->n_alive--;
    m->any_dirty = 1;
    m->adj_valid = 0;
}

double aif_mm_rate(const aif_mm *m, int f) { return m->rate[f]; }
const int *aif_mm_updated(const aif_mm *m, int *n)
{
    *n = m->n_updated;
    return m->updated;
}
double aif_mm_link_load(const aif_mm *m, int l) { return m->link_load[l]; }
int aif_mm_n_flows(const aif_mm *m) { return m->n_alive; }

static int compact_routes(aif_mm *m)
{
    if (m->n_routes < 1024)
        return 0;
    long live = 0;
    for (int f = 0; f < m->n_slots; f++)
        if (m->alive[f])
            live += m->route_len[f];
    if (m->n_routes < 2 * live)
        return 0;
    int k = 0;   /* slide live routes down, in slot order (offsets only increase) */
    for (int f = 0; f < m->n_slots; f++) {
        if (!m->alive[f])
            continue;
        memmove(m->routes + k, m->routes + m->route_off[f], sizeof(int) * (size_t)m->route_len[f]);
        memmove(m->coefs + k, m->coefs + m->route_off[f], sizeof(double) * (size_t)m->route_len[f]);
        m->route_off[f] = k;
        k += m->route_len[f];
    }
    m->n_routes = k;
    return 0;
}

static int build_adjacency(aif_mm *m)
{
    compact_routes(m);
    int L = m->n_links;
    memset(m->lf_off, 0, sizeof(int) * (size_t)(L + 1));
    long total = 0;
    for (int f = 0; f < m->n_slots; f++)
        if (m->alive[f])
            for (int i = 0; i < m->route_len[f]; i++) {
                m->lf_off[m->routes[m->route_off[f] + i] + 1]++;
                total++;
            }
    if (total + 1 > m->cap_lf && grow((void **)&m->lf, &m->cap_lf, 2 * (int)total + 64, sizeof(int)))
        return -1;
    if (m->cap_lf_coef < m->cap_lf && grow((void **)&m->lf_coef, &m->cap_lf_coef, m->cap_lf, sizeof(double)))
        return -1;
    for (int l = 0; l < L; l++)
        m->lf_off[l + 1] += m->lf_off[l];
    /* fill using link_stamp as a cursor, then restore the stamps' epoch meaning */
    for (int l = 0; l < L; l++)
        m->link_stamp[l] = m->lf_off[l];
    for (int f = 0; f < m->n_slots; f++)
        if (m->alive[f])
            for (int i = 0; i < m->route_len[f]; i++) {
                int l = m->routes[m->route_off[f] + i];
                m->lf_coef[m->link_stamp[l]] = m->coefs[m->route_off[f] + i];
                m->lf[m->link_stamp[l]++] = f;
            }
    for (int l = 0; l < L; l++)
        m->link_stamp[l] = 0;
    for (int f = 0; f < m->n_slots; f++)
        m->flow_stamp[f] = 0;
    m->epoch = 0;
    m->adj_valid = 1;
    return 0;
}

/* ---------------------------------------------------------------- heap */

static void heap_swap(aif_mm *m, int a, int b)
{
    int x = m->heap[a], y = m->heap[b];
    m->heap[a] = y;
    m->heap[b] = x;
    m->heap_pos[y] = a;
    m->heap_pos[x] = b;
}

static void sift_up(aif_mm *m, int i)
{
    while (i > 0) {
        int p = (i - 1) / 2;
        if (m->heap_key[m->heap[p]] <= m->heap_key[m->heap[i]])
            break;
        heap_swap(m, i, p);
        i = p;
    }
}

static void sift_down(aif_mm *m, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, s = i;
        if (l < m->heap_n && m->heap_key[m->heap[l]] < m->heap_key[m->heap[s]])
            s = l;
        if (r < m->heap_n && m->heap_key[m->heap[r]] < m->heap_key[m->heap[s]])
            s = r;
        if (s == i)
            return;
        heap_swap(m, i, s);
        i = s;
    }
}

static void heap_push(aif_mm *m, int item, double key)
{
    m->heap_key[item] = key;
    m->heap[m->heap_n] = item;
    m->heap_pos[item] = m->heap_n++;
    sift_up(m, m->heap_n - 1);
}

static int heap_pop(aif_mm *m)
{
    int top = m->heap[0];
    m->heap_pos[top] = -1;
    if (--m->heap_n > 0) {
        m->heap[0] = m->heap[m->heap_n];
        m->heap_pos[m->heap[0]] = 0;
        sift_down(m, 0);
    }
    return top;
}

static void heap_update(aif_mm *m, int item, double key)
{
    int i = m->heap_pos[item];
    if (i < 0)
        return;
    double old = m->heap_key[item];
    m->heap_key[item] = key;
    if (key < old)
        sift_up(m, i);
    else
        sift_down(m, i);
}

static void heap_remove(aif_mm *m, int item)
{
    int i = m->heap_pos[item];
    if (i < 0)
        return;
    m->heap_pos[item] = -1;
    if (--m->heap_n > i) {
        m->heap[i] = m->heap[m->heap_n];
        m->heap_pos[m->heap[i]] = i;
        sift_down(m, i);
        sift_up(m, m->heap_pos[m->heap[i]]);
    }
}

/* ------------------------------------------------------------- solving */

/* Freezes flow f at rate r and charges its links. */
static void freeze(aif_mm *m, int f, double r)
{
    m->frozen[f] = 1;
    m->rate[f] = r;
    heap_remove(m, m->n_links + f);
    for (int i = 0; i < m->route_len[f]; i++) {
        int l = m->routes[m->route_off[f] + i];
        double c = m->coefs[m->route_off[f] + i];
        m->remaining[l] -= c * r;
        m->wsum[l] -= c * m->w[f];
        if (m->wsum[l] <= AIF_MM_EPS * c * m->w[f]) {
            m->wsum[l] = 0;
            heap_remove(m, l);
        } else {
            double lvl = m->remaining[l] > 0 ? m->remaining[l] / m->wsum[l] : 0;
            heap_update(m, l, lvl);
        }
    }
}

/* Progressive filling over one component (comp_flows, comp_links). */
static void fill(aif_mm *m, int nf, int nl)
{
    m->heap_n = 0;
    for (int i = 0; i < nl; i++) {
        int l = m->comp_links[i];
        m->remaining[l] = m->link_cap[l];
        m->wsum[l] = 0;
        m->heap_pos[l] = -1;
    }
    for (int i = 0; i < nf; i++) {
        int f = m->comp_flows[i];
        m->frozen[f] = 0;
        m->heap_pos[m->n_links + f] = -1;
        for (int k = 0; k < m->route_len[f]; k++)
            m->wsum[m->routes[m->route_off[f] + k]] += m->coefs[m->route_off[f] + k] * m->w[f];
    }
    for (int i = 0; i < nl; i++) {
        int l = m->comp_links[i];
        if (m->wsum[l] > 0)
            heap_push(m, l, m->remaining[l] / m->wsum[l]);
    }
    for (int i = 0; i < nf; i++) {
        int f = m->comp_flows[i];
        if (m->rcap[f] > 0)
            heap_push(m, m->n_links + f, m->rcap[f] / m->w[f]);
    }
    while (m->heap_n > 0) {
        int item = heap_pop(m);
        double t = m->heap_key[item];
        if (item >= m->n_links) {   /* a flow reaches its cap */
            int f = item - m->n_links;
            if (!m->frozen[f])
                freeze(m, f, m->rcap[f]);
            continue;
        }
        /* a link saturates: every unfrozen flow over it stops at w * t */
        int l = item;
        for (int k = m->lf_off[l]; k < m->lf_off[l + 1]; k++) {
            int f = m->lf[k];
            if (!m->frozen[f] && m->alive[f]) {
                double r = m->w[f] * t;
                if (m->rcap[f] > 0 && r > m->rcap[f])
                    r = m->rcap[f];
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

long aif_mm_solve(aif_mm *m)
{
    m->n_updated = 0;
    if (!m->any_dirty)
        return 0;
    if (!m->adj_valid && build_adjacency(m))
        return -1;
    long updated = 0;
    /* each dirty flow or link seeds one component: breadth-first over flows and links */
    int seeds = m->n_links + m->n_slots;
    for (int s = 0; s < seeds; s++) {
        int is_link = s < m->n_links, id = is_link ? s : s - m->n_links;
        if (is_link ? !m->link_dirty[id] : !(m->alive[id] && m->flow_dirty[id]))
            continue;
        if (++m->epoch == 0x7fffffff) {
            memset(m->link_stamp, 0, sizeof(int) * (size_t)m->n_links);
            memset(m->flow_stamp, 0, sizeof(int) * (size_t)m->n_slots);
            m->epoch = 1;
        }
        if (is_link ? m->link_stamp[id] == -1 : m->flow_stamp[id] == -1)
            continue;   /* already solved with an earlier seed's component */
        int nf = 0, nl = 0, head = 0, tail = 0;
        m->queue[tail++] = s;
        if (is_link)
            m->link_stamp[id] = m->epoch;
        else
            m->flow_stamp[id] = m->epoch;
        while (head < tail) {
            int it = m->queue[head++];
            if (it < m->n_links) {
                m->comp_links[nl++] = it;
                for (int k = m->lf_off[it]; k < m->lf_off[it + 1]; k++) {
                    int f = m->lf[k];
                    if (m->flow_stamp[f] != m->epoch) {
                        m->flow_stamp[f] = m->epoch;
                        m->queue[tail++] = m->n_links + f;
                    }
                }
            } else {
                int f = it - m->n_links;
                m->comp_flows[nf++] = f;
                for (int k = 0; k < m->route_len[f]; k++) {
                    int l = m->routes[m->route_off[f] + k];
                    if (m->link_stamp[l] != m->epoch) {
                        m->link_stamp[l] = m->epoch;
                        m->queue[tail++] = l;
                    }
                }
            }
        }
        fill(m, nf, nl);
        for (int i = 0; i < nl; i++) {
            int l = m->comp_links[i];
            double load = 0;
            for (int k = m->lf_off[l]; k < m->lf_off[l + 1]; k++)
                load += m->lf_coef[k] * m->rate[m->lf[k]];
            m->link_load[l] = load;
            m->link_dirty[l] = 0;
            m->link_stamp[l] = -1;   /* done for this solve */
        }
        for (int i = 0; i < nf; i++) {
            m->flow_dirty[m->comp_flows[i]] = 0;
            m->flow_stamp[m->comp_flows[i]] = -1;
            m->updated[m->n_updated++] = m->comp_flows[i];
        }
        updated += nf;
    }
    /* the -1 marks only live until the end of the solve */
    for (int l = 0; l < m->n_links; l++)
        m->link_stamp[l] = 0;
    for (int f = 0; f < m->n_slots; f++)
        m->flow_stamp[f] = 0;
    m->epoch = 0;
    m->any_dirty = 0;
    return updated;
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
                m->wsum[m->routes[m->route_off[f] + k]] += m->coefs[m->route_off[f] + k] * m->w[f];
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
                int l = m->routes[m->route_off[f] + k];
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
                    int l = m->routes[m->route_off[f] + k];
                    double c = m->coefs[m->route_off[f] + k];
                    m->remaining[l] -= c * m->rate[f];
                    m->wsum[l] -= c * m->w[f];
                    if (m->wsum[l] < AIF_MM_EPS)
                        m->wsum[l] = 0;
                }
            }
    }
    for (int l = 0; l < L; l++)
        m->link_load[l] = 0;
    for (int f = 0; f < F; f++)
        if (m->alive[f])
            for (int k = 0; k < m->route_len[f]; k++)
                m->link_load[m->routes[m->route_off[f] + k]] += m->coefs[m->route_off[f] + k] * m->rate[f];
}
