/* coflow.c -- collectives lowered to link patterns, cached, and interchangeable
 * links merged into classes (see coflow.h). */
#include "net/coflow.h"
#include "base/base.h"
#include "net/collective.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int aif_pats_init(aif_patterns *p, aif_topo *t, aif_mm *mm, const aif_fabric *scaleup, long max_group)
{
    memset(p, 0, sizeof *p);
    p->topo = t;
    p->mm = mm;
    p->scaleup = scaleup;
    p->hash_cap = 1024;
    p->hash = malloc((size_t)p->hash_cap * sizeof(int));
    p->acc = calloc((size_t)t->n_links, sizeof(float));
    p->load_group = -1;
    p->tag = -1;
    if (t->routing == AIF_ROUTE_ADAPTIVE && !(p->load = calloc((size_t)t->n_links, sizeof(float))))
        return -1;
    p->seg = malloc(((size_t)max_group + 1) * sizeof(int));
    p->mmlink = mm ? malloc((size_t)t->n_links * sizeof(int)) : NULL;
    if (!p->hash || !p->acc || !p->seg || (mm && !p->mmlink))
        return -1;
    for (int i = 0; i < p->hash_cap; i++)
        p->hash[i] = -1;
    for (long i = 0; mm && i < t->n_links; i++)
        p->mmlink[i] = -1;
    return 0;
}

void aif_pats_free(aif_patterns *p)
{
    void *ps[] = {p->pat, p->hash, p->link, p->coef, p->acc, p->touched, p->seg, p->mmlink, p->mm_topo,
                  p->class_size, p->used, p->base, p->step, p->load, p->load_touched, p->tagged, p->order, p->own};
    for (size_t i = 0; i < sizeof ps / sizeof ps[0]; i++)
        free(ps[i]);
    memset(p, 0, sizeof *p);
}

/* aif_grow with its test inline: appends to the touched and tagged lists are per
 * route entry (millions at 1M GPUs), and a call each was 4% of building them. */
static inline int room(void **v, long *cap, long need, size_t item)
{
    return need <= *cap ? 0 : aif_grow(v, cap, need, item);
}

static int rehash(aif_patterns *p);
static int solver_link(aif_patterns *p, long l);
static void acc_route(aif_patterns *p, long a, long b, uint64_t salt, double coef);
static void acc_add(aif_patterns *p, long l, double c);

static int slot_of(long key, int cap)
{
    unsigned long h = (unsigned long)key * 0x9e3779b97f4a7c15ull;
    return (int)(h >> 40) & (cap - 1);
}

int aif_pats_find(const aif_patterns *p, long key)
{
    int mask = p->hash_cap - 1;
    for (int i = slot_of(key, p->hash_cap);; i = (i + 1) & mask) {
        int k = p->hash[i];
        if (k < 0 || p->pat[k].key == key)
            return k;
    }
}

void aif_pats_transfer(aif_patterns *p, long a, long b, uint64_t salt, double coef) { acc_route(p, a, b, salt, coef); }

/* The first class of topology link l: its capacity and tier.  A few distinct ones
 * (one per tier and link speed), looked up in order. */
static int base_class(aif_patterns *p, long l)
{
    float cap = p->topo->cap[l];
    int tier = (int)aif_topo_tier(p->topo, l);
    for (int i = 0; i < p->n_base; i++)
        if (p->base[i].tier == tier && !memcmp(&p->base[i].cap_Bps, &cap, sizeof cap))
            return p->base[i].id;
    long cb = p->cap_base;
    if (aif_grow((void **)&p->base, &cb, p->n_base + 1, sizeof *p->base)) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    p->cap_base = (int)cb;
    p->base[p->n_base++] = (struct aif_cls_base){cap, tier, p->n_cls};
    return p->n_cls++;
}

static int step_slot(uint64_t key, int cap) { return (int)((key * 0x9e3779b97f4a7c15ull) >> 40) & (cap - 1); }

/* Doubles the step table, keeping the current pattern's entries. */
static int step_grow(aif_patterns *p)
{
    int cap = p->cap_step ? 2 * p->cap_step : 1024;
    struct aif_cls_step *t = calloc((size_t)cap, sizeof *t);
    if (!t)
        return -1;
    for (int i = 0; i < p->cap_step; i++)
        if (p->step[i].stamp == p->step_stamp) {
            int j = step_slot(p->step[i].key, cap);
            while (t[j].stamp == p->step_stamp)
                j = (j + 1) & (cap - 1);
            t[j] = p->step[i];
        }
    free(p->step);
    p->step = t;
    p->cap_step = cap;
    return 0;
}

/* Refines the class of topology link l by this pattern's coefficient on it: the links
 * of one class with the same coefficient here go to one new class (partition
 * refinement; a link's first use starts it in the class of its capacity and tier).
 * Two links end in one class exactly when they have the same capacity, tier and
 * coefficient in every pattern: what aif_pats_make_classes merges.  The class ids
 * live in mmlink (an int per topology link) and the step table is small (classes x
 * coefficients of one pattern: thousands), so a route entry costs one lookup in
 * cache, not the cache miss of a signature per used link (13.7M entries at 1M GPUs). */
static void refine_link(aif_patterns *p, long l, double coef)
{
    int k = p->mmlink[l];
    if (k < 0) {
        p->used[p->n_used++] = (int)l;
        k = base_class(p, l);
    }
    float c = (float)coef;   /* exact: coef is the float accumulator's value */
    uint32_t cb;
    memcpy(&cb, &c, sizeof cb);
    uint64_t key = (uint64_t)(uint32_t)k << 32 | cb;
    if (2 * (p->n_step + 1) > p->cap_step && step_grow(p)) {
        p->err = AIF_PATS_NOMEM;
        return;
    }
    int mask = p->cap_step - 1, i = step_slot(key, p->cap_step);
    for (;; i = (i + 1) & mask) {
        struct aif_cls_step *e = &p->step[i];
        if (e->stamp != p->step_stamp) {
            *e = (struct aif_cls_step){key, p->n_cls++, p->step_stamp};
            p->n_step++;
            break;
        }
        if (e->key == key)
            break;
    }
    p->mmlink[l] = p->step[i].id;
}

static void load_clear(aif_patterns *p)
{
    for (long i = 0; i < p->n_load_touched; i++)
        p->load[p->load_touched[i]] = 0;
    p->n_load_touched = 0;
}

void aif_pats_tag(aif_patterns *p, int tag) { p->tag = tag; }

int aif_pats_tag_times(aif_patterns *p, int n_tags, double *t)
{
    for (int i = 0; i < n_tags; i++)
        t[i] = 0;
    if (!p->own && !(p->own = calloc((size_t)p->topo->n_links, sizeof(float)))) {
        p->err = AIF_PATS_NOMEM;
        return -1;
    }
    /* a run of entries of one tag at a time: its own bytes per link, then its time */
    for (long i0 = 0, i1; i0 < p->n_tagged; i0 = i1) {
        int tag = p->tagged[i0].tag;
        for (i1 = i0; i1 < p->n_tagged && p->tagged[i1].tag == tag; i1++)
            p->own[p->tagged[i1].link] += p->tagged[i1].coef;
        for (long i = i0; i < i1; i++) {
            double cap = p->topo->cap[p->tagged[i].link];
            double x = cap > 0 ? p->own[p->tagged[i].link] / cap : INFINITY;
            if (tag < n_tags && x > t[tag])
                t[tag] = x;
        }
        for (long i = i0; i < i1; i++)
            p->own[p->tagged[i].link] = 0;
    }
    return 0;
}

static void acc_clear(aif_patterns *p)
{
    for (long i = 0; i < p->n_touched; i++)
        p->acc[p->touched[i]] = 0;
    p->n_touched = 0;
}

int aif_pats_add_split(aif_patterns *p, const long *keys, int n_class, const int *class_of, double copies)
{
    int first = 0;
    acc_clear(p);
    /* the tagged entries of each class in their order: a counting sort by class (one
     * pass to count, one to place), then each class's run, instead of a pass over
     * every entry per class */
    long cnt[AIF_PATS_MAX_SPLIT + 1] = {0};
    if (n_class > AIF_PATS_MAX_SPLIT || room((void **)&p->order, &p->cap_order, p->n_tagged, sizeof(int))) {
        p->err = n_class > AIF_PATS_MAX_SPLIT ? AIF_PATS_OFF_NETWORK : AIF_PATS_NOMEM;
        return 0;
    }
    for (long i = 0; i < p->n_tagged; i++) {
        int k = class_of[p->tagged[i].tag];
        cnt[(k >= 0 && k < n_class ? k : n_class) + 1]++;
    }
    for (int k = 0; k < n_class; k++)
        cnt[k + 1] += cnt[k];
    for (long i = 0; i < p->n_tagged; i++) {
        int k = class_of[p->tagged[i].tag];
        if (k >= 0 && k < n_class)
            p->order[cnt[k]++] = (int)i;
    }
    for (int k = 0; k < n_class && !p->err; k++) {
        for (long j = k ? cnt[k - 1] : 0; j < cnt[k] && !p->err; j++)
            acc_add(p, p->tagged[p->order[j]].link, p->tagged[p->order[j]].coef);
        int q = aif_pats_add(p, keys[k], copies);
        if (k == 0)
            first = q;
    }
    p->n_tagged = 0;
    p->tag = -1;
    return p->err ? 0 : first;
}

void aif_pats_discard(aif_patterns *p)
{
    acc_clear(p);
    if (p->load_group < 0)
        load_clear(p);
    p->n_tagged = 0;
    p->tag = -1;
}

void aif_pats_load_group(aif_patterns *p, long group)
{
    if (group < 0 || group != p->load_group)
        load_clear(p);
    p->load_group = group;
}

int aif_pats_add(aif_patterns *p, long key, double copies)
{
    if ((2 * (p->n_pat + 1) > p->hash_cap && rehash(p)) ||
        aif_grow((void **)&p->pat, &p->cap_pat, p->n_pat + 1, sizeof(aif_pattern))) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    long old = p->cap_entries;
    if (aif_grow((void **)&p->link, &p->cap_entries, p->n_entries + p->n_touched, sizeof(int))) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    if (p->cap_entries != old) {
        float *nc = realloc(p->coef, (size_t)p->cap_entries * sizeof(float));
        if (!nc) {
            p->cap_entries = old;   /* coef still holds only old entries: grow both again next time */
            p->err = AIF_PATS_NOMEM;
            return 0;
        }
        p->coef = nc;
    }
    aif_pattern *pt = &p->pat[p->n_pat];
    pt->key = key;
    pt->copies = copies;
    pt->first = (int)p->n_entries;
    pt->n = (int)p->n_touched;
    double ideal = INFINITY;
    int sign = p->mm && !p->classed;   /* a pattern the link classes will see */
    if (sign && aif_grow((void **)&p->used, &p->cap_used, p->n_used + p->n_touched, sizeof(int))) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    if (sign) {   /* a new step table: stamps of earlier patterns are stale */
        p->step_stamp++;
        p->n_step = 0;
    }
    for (long i = 0; i < p->n_touched; i++) {
        long l = p->touched[i];
        double c = p->acc[l];
        p->acc[l] = 0;
        if (sign)
            refine_link(p, l, c);
        aif_tier tr = aif_topo_tier(p->topo, l);
        if ((tr == AIF_TIER_SCALEUP || tr == AIF_TIER_NIC) && c > 0)
            ideal = fmin(ideal, p->topo->cap[l] / c);
        /* before the link classes are made, patterns hold topology links; after, solver links */
        p->link[p->n_entries] = p->classed ? solver_link(p, l) : (int)l;
        if (p->classed)
            p->late += i == 0;
        p->coef[p->n_entries++] = c;
    }
    p->n_touched = 0;
    if (p->load_group < 0)
        load_clear(p);   /* each pattern alone */
    pt->ideal_Bps = ideal;
    int mask = p->hash_cap - 1, i = slot_of(key, p->hash_cap);
    while (p->hash[i] >= 0)
        i = (i + 1) & mask;
    p->hash[i] = p->n_pat;
    return p->n_pat++;
}

double aif_pats_actual_Bps(const aif_patterns *p, int k)
{
    const aif_pattern *pt = &p->pat[k];
    double r = INFINITY;
    for (int i = pt->first; i < pt->first + pt->n; i++)
        if (p->coef[i] > 0)
            r = fmin(r, p->topo->cap[p->link[i]] > 0 ? p->topo->cap[p->link[i]] / (double)p->coef[i] : 0);
    return r;
}

/* ---------------------------------------------------------------- routes */

/* Adds c to link l of the pattern being built (and nothing else). */
static void acc_add(aif_patterns *p, long l, double c)
{
    if (p->acc[l] == 0) {
        if (room((void **)&p->touched, &p->cap_touched, p->n_touched + 1, sizeof(long))) {
            p->err = AIF_PATS_NOMEM;
            return;
        }
        p->touched[p->n_touched++] = l;
    }
    p->acc[l] += (float)c;
}

static void acc_link(aif_patterns *p, long l, double c)
{
    if (l < 0 || l >= p->topo->n_links) {
        p->err = AIF_PATS_OFF_NETWORK;   /* a bug */
        return;
    }
    acc_add(p, l, c);
    if (p->tag >= 0 && c > 0) {
        if (room((void **)&p->tagged, &p->cap_tagged, p->n_tagged + 1, sizeof *p->tagged)) {
            p->err = AIF_PATS_NOMEM;
            return;
        }
        p->tagged[p->n_tagged++] = (struct aif_tagged){(int)l, (float)c, p->tag};
    }
    if (p->load) {   /* adaptive routing: the load later routes of the group see */
        if (p->load[l] == 0) {
            if (room((void **)&p->load_touched, &p->cap_load_touched, p->n_load_touched + 1, sizeof(long))) {
                p->err = AIF_PATS_NOMEM;
                return;
            }
            p->load_touched[p->n_load_touched++] = l;
        }
        p->load[l] += (float)c;
    }
}

static void acc_route(aif_patterns *p, long a, long b, uint64_t salt, double coef)
{
    aif_hop h[AIF_TOPO_MAX_HOPS];
    int n = aif_topo_route(p->topo, (int)a, (int)b, salt, p->topo->routing == AIF_ROUTE_ADAPTIVE ? p->load : NULL, h);
    if (n < 0) {
        p->err = AIF_PATS_NO_PATH;   /* partitioned */
        return;
    }
    for (int i = 0; i < n; i++)
        acc_link(p, h[i].link, coef * h[i].share);
}

/* The flows of one collective on one group (members base + i * stride, or base + members[i]),
 * bytes per message byte. */
void aif_pats_group(aif_patterns *p, int coll, int algo, long base, long stride, const long *members, int n,
                    uint64_t salt)
{
    if (n <= 1)
        return;
    int dom = p->topo->dom;
    int k = 0, d = 1;   /* members in the first member's domain; domains the group spans */
#define M(i) (members ? base + members[i] : base + (long)(i) * stride)
    for (int i = 0; i < n && M(i) / dom == M(0) / dom; i++)
        k++;
    for (int i = 1; i < n; i++)
        d += M(i) / dom != M(i - 1) / dom;
    double nn = n;
    /* bytes each rank sends per message byte: all-reduce 2(n-1)/n, all-gather and reduce-scatter
     * (n-1)/n, broadcast and a ring of send/recv (context parallelism) the whole message */
    double bf = coll == AIF_COLL_ALLREDUCE ? 2 * (nn - 1) / nn
                : coll == AIF_COLL_BROADCAST || coll == AIF_COLL_SENDRECV ? 1 : (nn - 1) / nn;
    if (coll == AIF_COLL_ALLTOALL || coll == AIF_COLL_DISPATCH) {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != j)
                    acc_route(p, M(i), M(j), salt + (uint64_t)(i * n + j), 1.0 / n);
        return;
    }
    if (coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_NVLS && d == 1) {
        /* the switch reduces: every GPU sends and receives the bus bytes at the NVLS rate */
        const aif_fabric *su = p->scaleup;
        double c = bf * su->efficiency / su->nvls_efficiency;
        for (int i = 0; i < n; i++) {
            acc_link(p, p->topo->off_su_up + M(i), c);
            acc_link(p, p->topo->off_su_down + M(i), c);
        }
        return;
    }
    if (coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_COLLNET && d > 1) {
        /* reduce-scatter and all-gather inside the domain; each GPU's 1/k of the buffer
         * goes up to the switches once and comes back reduced once */
        for (int i0 = 0; i0 < n;) {
            int i1 = i0;
            while (i1 < n && M(i1) / dom == M(i0) / dom)
                i1++;
            int kj = i1 - i0;
            double kk = kj;
            for (int c = 0; c < kj; c++) {
                if (kj > 1)
                    acc_route(p, M(i0 + c), M(i0 + (c + 1) % kj), salt + (uint64_t)(i0 + c), 2 * (kk - 1) / kk);
                aif_hop h[AIF_TOPO_MAX_HOPS];
                int nh = aif_topo_nic_hops(p->topo, (int)M(i0 + c), 1.0 / kk, h);
                for (int q = 0; q < nh; q++)
                    acc_link(p, h[q].link, h[q].share);
            }
            i0 = i1;
        }
        return;
    }
    int tree = coll == AIF_COLL_ALLREDUCE && algo == AIF_ALGO_TREE && d > 1;
    if (d == 1 && p->topo->torus && k == dom) {
        /* a collective over a whole torus: each chip moves the bus bytes over all its links
         * at once (a ring in each dimension and direction, as torus all-reduces do) */
        int nl = 2 * p->topo->tnd;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < nl; j++)
                acc_link(p, M(i) * 6 + j, bf / nl);
        return;
    }
    if (d == 1 && p->topo->torus) {   /* a bidirectional ring (half each way) over the torus links */
        for (int i = 0; i < n; i++) {
            acc_route(p, M(i), M((i + 1) % n), salt + (uint64_t)i, bf / 2);
            acc_route(p, M(i), M((i + n - 1) % n), salt + (uint64_t)i, bf / 2);
        }
        return;
    }
    if (d == 1) {   /* one ring inside the domain */
        for (int i = 0; i < n; i++)
            acc_route(p, M(i), M((i + 1) % n), salt + (uint64_t)i, bf);
        return;
    }
    /* across domains: a ring (channel) per local position c, leaving each domain
     * through its c-th member's NIC; inside the domain the rest of each ring over the
     * scale-up links.  Domains may hold different numbers of the group's members (a
     * job with a part-filled node): segment j has k_j of them. */
    int *seg = p->seg;   /* first member of each domain segment, then n */
    int ns = 0;
    for (int i = 0; i < n; i++)
        if (i == 0 || M(i) / dom != M(i - 1) / dom)
            seg[ns++] = i;
    seg[ns] = n;
    double dd = ns;
    for (int j = 0; j < ns; j++) {
        int kj = seg[j + 1] - seg[j], kn = seg[(j + 1) % ns + 1] - seg[(j + 1) % ns];
        double kk = kj;
        double intra = tree ? 2 * (kk - 1) / kk : bf * (kk - 1) / kk;
        double cross = tree ? 2 * (dd - 1) / dd / kk : bf / kk;
        for (int c = 0; c < kj; c++) {
            long from = M(seg[j] + c);
            if (kj > 1)
                acc_route(p, from, M(seg[j] + (c + 1) % kj), salt + (uint64_t)(seg[j] + c), intra);
            acc_route(p, from, M(seg[(j + 1) % ns] + c % kn), salt + 0x9000000ull + (uint64_t)(seg[j] + c), cross);
        }
    }
#undef M
}

static int solver_link(aif_patterns *p, long l)
{
    if (p->mmlink[l] >= 0)
        return p->mmlink[l];
    int k = aif_mm_add_link(p->mm, p->topo->cap[l]);
    if (k < 0 || aif_grow((void **)&p->mm_topo, &p->cap_mm_topo, k + 1, sizeof(long))) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    if (aif_grow((void **)&p->class_size, &p->cap_class_size, k + 1, sizeof(int))) {
        p->err = AIF_PATS_NOMEM;
        return 0;
    }
    p->mm_topo[k] = l;
    p->class_size[k] = 1;
    p->n_mm_links = k + 1;
    p->mmlink[l] = k;
    return k;
}

static int rehash(aif_patterns *p)
{
    int cap = p->hash_cap * 2, *h = malloc((size_t)cap * sizeof(int));
    if (!h)
        return -1;
    for (int i = 0; i < cap; i++)
        h[i] = -1;
    for (int q = 0; q < p->n_pat; q++) {
        int i = slot_of(p->pat[q].key, cap);
        while (h[i] >= 0)
            i = (i + 1) & (cap - 1);
        h[i] = q;
    }
    free(p->hash);
    p->hash = h;
    p->hash_cap = cap;
    return 0;
}

void aif_pats_make_classes(aif_patterns *p)
{
    /* the used links, in order of first use, and their classes were made as the
     * patterns were added (refine_link); one solver link per class, numbered in
     * order of its first member in used */
    long n_used = p->n_used;
    int *used = p->used;
    int *cls = malloc((size_t)p->n_cls * sizeof(int) + 1);   /* class -> solver link */
    if (!cls) {
        p->err = AIF_PATS_NOMEM;
        return;
    }
    for (int k = 0; k < p->n_cls; k++)
        cls[k] = -1;
    for (long u = 0; u < n_used && !p->err; u++) {
        int l = used[u], k = p->mmlink[l];
        if (cls[k] < 0) {
            p->mmlink[l] = -1;
            cls[k] = solver_link(p, l);
        } else {
            p->class_size[cls[k]]++;
            p->mmlink[l] = cls[k];
        }
    }
    /* patterns now name classes, once each (members of a class share the coefficient);
     * after a failure above cls is incomplete and the patterns stay as they are */
    int *seen = p->err ? NULL : calloc((size_t)p->n_mm_links + 1, sizeof(int));
    if (!seen) {
        p->err = AIF_PATS_NOMEM;
    } else {
        long w = 0;
        for (int q = 0; q < p->n_pat; q++) {
            aif_pattern *pt = &p->pat[q];
            long first = w;
            for (int i = 0; i < pt->n; i++) {
                int k = p->mmlink[p->link[pt->first + i]];
                if (seen[k] == q + 1)
                    continue;
                seen[k] = q + 1;
                p->link[w] = k;
                p->coef[w++] = p->coef[pt->first + i];
            }
            pt->first = (int)first;
            pt->n = (int)(w - first);
        }
        p->n_entries = w;
    }
    free(seen);
    free(cls);
    free(p->used);
    free(p->step);
    p->used = NULL;
    p->step = NULL;
    p->n_used = p->cap_used = 0;
    p->cap_step = p->n_step = 0;
    p->classed = 1;
}

void aif_pats_unclassed(aif_patterns *p)
{
    for (long u = 0; u < p->n_used; u++)   /* classes, not solver links */
        p->mmlink[p->used[u]] = -1;
    free(p->used);
    free(p->step);
    p->used = NULL;
    p->step = NULL;
    p->n_used = p->cap_used = 0;
    p->cap_step = p->n_step = 0;
    for (long i = 0; i < p->n_entries; i++)
        p->link[i] = solver_link(p, p->link[i]);
    p->classed = 1;
}
