/* util.c -- small helpers: bounded string copy, growable arrays, hashing, did-you-mean. */
#include "base.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aif_strlcpy(char *dst, const char *src, size_t n)
{
    size_t k = strlen(src);
    if (k >= n)
        k = n - 1;
    memcpy(dst, src, k);
    dst[k] = '\0';
}

void *aif_vec_push(aif_vec *v)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 16;
        void *p = realloc(v->items, (size_t)cap * v->item_size);
        if (!p)
            return NULL;
        v->items = p;
        v->cap = cap;
    }
    char *item = (char *)v->items + (size_t)v->n++ * v->item_size;
    memset(item, 0, v->item_size);
    return item;
}

void aif_vec_free(aif_vec *v)
{
    free(v->items);
    v->items = NULL;
    v->n = v->cap = 0;
}

int aif_grow(void **p, long *cap, long need, size_t item)
{
    if (need <= *cap)
        return 0;
    long c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *q = realloc(*p, (size_t)c * item);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

uint64_t aif_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Levenshtein distance, case-insensitive, capped at 64 characters (keys and names are short). */
static int edit_distance(const char *a, const char *b)
{
    int la = (int)strlen(a), lb = (int)strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int prev[65], cur[65];
    for (int j = 0; j <= lb; j++)
        prev[j] = j;
    for (int i = 1; i <= la; i++) {
        cur[0] = i;
        for (int j = 1; j <= lb; j++) {
            int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
            int sub = prev[j - 1] + (ca != cb);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
        }
        memcpy(prev, cur, sizeof(int) * (size_t)(lb + 1));
    }
    return prev[lb];
}

void aif_escape_controls(char *s, size_t n)
{
    char t[4096];   /* an error record's longest field is 768 bytes: room for every byte as \xNN */
    size_t k = 0;
    int any = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c && k + 5 < sizeof t; c++) {
        if (*c == '\n' || *c == '\t' || *c == '\r') {
            t[k++] = '\\';
            t[k++] = *c == '\n' ? 'n' : *c == '\t' ? 't' : 'r';
            any = 1;
        } else if (*c < 0x20 || *c == 0x7f) {
            k += (size_t)snprintf(t + k, sizeof t - k, "\\x%02x", *c);
            any = 1;
        } else {
            t[k++] = (char)*c;
        }
    }
    t[k] = '\0';
    if (any && n)
        aif_strlcpy(s, t, n);
}

void aif_name_fold(const char *name, char *out, size_t n)
{
    size_t k = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c; c++)
        if (*c < 0x20 || *c == 0x7f) {   /* not a name as typed: matches nothing */
            if (n)
                out[0] = '\0';
            return;
        }
    for (const unsigned char *c = (const unsigned char *)name; *c && k + 1 < n; c++)
        if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9'))
            out[k++] = (char)*c;
        else if (*c >= 'A' && *c <= 'Z')
            out[k++] = (char)(*c - 'A' + 'a');
    if (n)
        out[k] = '\0';
}

int aif_name_same(const char *a, const char *b)
{
    char fa[128], fb[128];
    aif_name_fold(a, fa, sizeof fa);
    aif_name_fold(b, fb, sizeof fb);
    return fa[0] && strcmp(fa, fb) == 0;
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t k = 0;
    while (a[k] && b[k] && (a[k] | 0x20) == (b[k] | 0x20))
        k++;
    return k;
}

/* Closest candidate by edit distance; a candidate that starts with the word
 * ("h100" -> "h100-sxm") counts as distance 1, and ties go to the candidate
 * sharing the longer prefix ("llama3-7b" -> "llama3-70b", not "llama2-7b"). */
int aif_did_you_mean(const char *word, const char *const *cands, int n)
{
    int best = -1, best_d = 1 << 30;
    size_t best_p = 0, wl = strlen(word);
    int limit = (int)wl / 3;
    if (limit < 2)
        limit = 2;
    for (int i = 0; i < n; i++) {
        int d = edit_distance(word, cands[i]);
        size_t p = common_prefix(word, cands[i]);
        if (wl >= 3 && p == wl && d > 1)
            d = 1;
        if (d < best_d || (d == best_d && p > best_p)) {
            best_d = d;
            best_p = p;
            best = i;
        }
    }
    return best_d <= limit ? best : -1;
}

/* F(x)^n, F the standard normal distribution function, through its logarithm (n up to 1e9). */
static double normal_cdf_pow(double x, double n)
{
    double lf = x >= 0 ? log1p(-0.5 * erfc(x / sqrt(2.0))) : log(0.5 * erfc(-x / sqrt(2.0)));
    return exp(n * lf);
}

double aif_expected_max_normal(double n)
{
    if (!(n > 1))
        return 0;
    /* both tails are negligible beyond 12 standard deviations for any n below 1e30 */
    enum { STEPS = 2400 };   /* even, for Simpson's rule */
    const double lim = 12, h = lim / STEPS;
    double pos = 0, neg = 0;
    for (int i = 0; i <= STEPS; i++) {
        double w = i == 0 || i == STEPS ? 1 : i % 2 ? 4 : 2, x = i * h;
        pos += w * (1 - normal_cdf_pow(x, n));
        neg += w * normal_cdf_pow(-x, n);
    }
    return (pos - neg) * h / 3;
}
