/* coflow.h -- collectives lowered to link patterns: the bytes a collective moves
 * over each link of the topology per byte of its message, for all of its flows
 * at once (a coflow), cached by a caller's key.
 *
 * Building a pattern: aif_pats_group (the flows NCCL's algorithm runs on one
 * group) and aif_pats_transfer (one point-to-point transfer) accumulate into
 * the current pattern; aif_pats_add stores it.  A pattern also records its
 * uncontended rate: the bottleneck of the links at the GPUs (scale-up ports and
 * NIC ports), the rate the closed form assumes.
 *
 * Link classes: once every pattern a run needs is built, aif_pats_make_classes
 * merges links that are interchangeable (the same capacity, the same
 * coefficient in exactly the same patterns) into one solver link of the
 * max-min network: such links always carry the same load, so the merge changes
 * no rate, and the solver's work stops growing with identical NICs and cables.
 * After that, patterns name solver links; aif_pats_unclassed gives every link
 * its own solver link instead (to check the merge).
 *
 * Adaptive routing picks the least-loaded port given the load already placed:
 * by default the pattern's own; with a load group (aif_pats_load_group), that
 * of every pattern of the group built so far. */
#ifndef AIF_COFLOW_H
#define AIF_COFLOW_H

#include "net/maxmin.h"
#include "net/topology.h"

/* Why building patterns stopped (sticky until the caller clears it). */
typedef enum aif_pats_err {
    AIF_PATS_OK,
    AIF_PATS_NOMEM,            /* out of memory */
    AIF_PATS_NO_PATH,          /* a transfer has no live path: the network is partitioned */
    AIF_PATS_OFF_NETWORK       /* a route left the network: a bug */
} aif_pats_err;

typedef struct aif_pattern {
    long key;
    int first, n;              /* entries in link / coef */
    double ideal_Bps;          /* message bytes per second with no contention */
    double copies;             /* groups each included group stands for (symmetry) */
} aif_pattern;

typedef struct aif_patterns {
    aif_topo *topo;            /* not owned */
    aif_mm *mm;                /* not owned; NULL: patterns keep topology links */
    const aif_fabric *scaleup;
    aif_pattern *pat;
    int n_pat;
    long cap_pat;
    int *hash, hash_cap;
    int *link;                 /* per entry: topology link, or solver link once classed */
    float *coef;               /* per entry: bytes on the link per message byte (a float,
                                * as the accumulator that sums it: exact, and a third
                                * less memory per entry than a double beside the link) */
    long n_entries, cap_entries;
    float *acc;                /* the pattern being built, per topology link */
    /* adaptive routing: the load placed so far in the current load group (per topology
     * link, bytes per message byte), which every route of the group sees */
    float *load;
    long *load_touched, n_load_touched, cap_load_touched;
    long load_group;           /* the current load group (-1: each pattern sees only its own load) */
    /* tags (aif_pats_tag): the entries of the pattern being built, each with its tag */
    int tag;                   /* the current tag (-1: none, nothing recorded) */
    struct aif_tagged { int link; float coef; int tag; } *tagged;   /* link: a topology link (< 2^31, as in link) */
    long n_tagged, cap_tagged;
    int *order;                /* scratch: tagged entries in order of class (aif_pats_add_split) */
    long cap_order;
    float *own;                /* scratch per topology link (aif_pats_tag_times), zero between calls */
    long *touched, n_touched, cap_touched;
    int *seg;                  /* scratch: domain segments of a group */
    int *mmlink;               /* topology link -> solver link (-1: none); before the
                                * classes are made, its class so far (-1: unused) */
    /* built as patterns are added, for aif_pats_make_classes: the topology links the
     * patterns use, in order of first use, and the classes refined pattern by pattern
     * (a link's class names its capacity, tier and (pattern, coefficient) list so far:
     * links of one class have had the same ones) */
    int *used;                 /* topology links (< 2^31, as in link) */
    long n_used, cap_used;
    int n_cls;                 /* classes made so far (ids 0 .. n_cls-1) */
    struct aif_cls_base { float cap_Bps; int tier, id; } *base;   /* first classes: (capacity, tier) */
    int n_base, cap_base;
    /* the pattern being stored: (class before it, coefficient) -> class after it */
    struct aif_cls_step { uint64_t key; int id, stamp; } *step;
    int cap_step, n_step, step_stamp;
    long *mm_topo;             /* solver link -> a topology link it stands for */
    int *class_size;           /* solver link -> topology links it stands for */
    int n_mm_links;
    long cap_mm_topo, cap_class_size;
    int classed;
    long late;                 /* patterns added after the classes were made */
    aif_pats_err err;
} aif_patterns;

/* mm may be NULL (no solver links).  Returns 0, or -1 when out of memory. */
int aif_pats_init(aif_patterns *p, aif_topo *t, aif_mm *mm, const aif_fabric *scaleup, long max_group);
void aif_pats_free(aif_patterns *p);
/* The pattern stored under key, or -1. */
int aif_pats_find(const aif_patterns *p, long key);
/* Adds the flows of one collective on the group base + i * stride (i < n), or, where members
 * is given, on GPUs base + members[i] (a rank order that is not a stride: workload/ranks.h). */
void aif_pats_group(aif_patterns *p, int coll, int algo, long base, long stride, const long *members, int n,
                    uint64_t salt);
/* Adds one transfer from GPU a to GPU b carrying coef bytes per message byte. */
void aif_pats_transfer(aif_patterns *p, long a, long b, uint64_t salt, double coef);
/* Adaptive routing: the patterns built from now on, until the next call, share one
 * load (group >= 0: a route sees what the earlier patterns of the group placed, as
 * the replicas of one collective running at once do); a new group, or -1 (each
 * pattern alone, the default), starts from an empty network.  Deterministic: the
 * routes depend on the order the caller builds the group's patterns in. */
void aif_pats_load_group(aif_patterns *p, long group);
/* Tags: the flows added from now on belong to `tag` (>= 0; -1: untagged, the default),
 * so that a pattern of independent parts (the sends of different replicas) can be
 * split by how fast each part goes (aif_pats_tag_times, aif_pats_add_split). */
void aif_pats_tag(aif_patterns *p, int tag);
/* Of the pattern being built: per tag t < n_tags, the seconds per message byte its own
 * flows take in lock step (max over its links of its bytes on the link per message byte
 * over the link's capacity: the collisions among its own flows, which persist, not those
 * with other parts, which depend on when each runs); 0 for an absent tag.  A tag's
 * entries are taken run by run (a tag added in one run, as the callers do, is exact).
 * Returns 0, or -1 out of memory (err set). */
int aif_pats_tag_times(aif_patterns *p, int n_tags, double *t);
/* Classes a pattern may be split into, at most. */
#define AIF_PATS_MAX_SPLIT 64
/* Stores the pattern being built as n_class patterns (at most AIF_PATS_MAX_SPLIT), class k (keys[k]) holding the flows
 * of the tags t with class_of[t] == k; returns the index of the first (the others follow
 * in order), 0 with err set on failure.  The tags are cleared. */
int aif_pats_add_split(aif_patterns *p, const long *keys, int n_class, const int *class_of, double copies);
/* Drops the pattern being built (and its tags). */
void aif_pats_discard(aif_patterns *p);
/* Stores what was added since the last aif_pats_add as the pattern of key; returns its index. */
int aif_pats_add(aif_patterns *p, long key, double copies);
/* The bottleneck rate over all links of a pattern built without solver links. */
double aif_pats_actual_Bps(const aif_patterns *p, int pattern);
void aif_pats_make_classes(aif_patterns *p);
void aif_pats_unclassed(aif_patterns *p);

#endif
