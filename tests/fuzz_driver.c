/* fuzz_driver.c -- the built-in driver of the fuzz targets beside fuzz_scenario.c
 * (fuzz_catalog, fuzz_carbon, fuzz_validation): libFuzzer's entry point
 * LLVMFuzzerTestOneInput, fed the corpus files and then, for a fixed number of
 * iterations from a seed, mutations of them (bit flips, byte insertions and
 * deletions, dictionary tokens, splices).  Each target supplies the entry point
 * and its dictionary (fuzz_dict, fuzz_n_dict, fuzz_name).  Built with
 * -fsanitize=fuzzer -DAIF_LIBFUZZER the targets run under libFuzzer instead. */
#ifndef AIF_LIBFUZZER
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *const fuzz_dict[];
extern const int fuzz_n_dict;
extern const char fuzz_name[];

#define MAX_CORPUS 64
#define MAX_INPUT (1 << 16)

static uint64_t rng;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static int read_corpus(const char *dir, char **corpus, size_t *clen, int n)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_CORPUS) {
        if (de->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        FILE *f = fopen(p, "rb");
        if (!f)
            continue;
        corpus[n] = malloc(MAX_INPUT);
        if (!corpus[n]) {
            fclose(f);
            break;
        }
        clen[n] = fread(corpus[n], 1, MAX_INPUT - 1, f);
        fclose(f);
        n++;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    long iters = 1000;
    unsigned long seed = 1;
    char *corpus[MAX_CORPUS];
    size_t clen[MAX_CORPUS];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
            iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if ((n = read_corpus(argv[i], corpus, clen, n)) < 0)
            return 2;
    }
    if (n == 0) {
        fprintf(stderr, "%s: no corpus files\n", fuzz_name);
        return 2;
    }
    rng = seed * 2654435761u + 88172645463325252ull;
    static uint8_t buf[2 * MAX_INPUT];
    for (int i = 0; i < n; i++)
        LLVMFuzzerTestOneInput((const uint8_t *)corpus[i], clen[i]);
    for (long it = 0; it < iters; it++) {
        int c = (int)(rnd() % (uint64_t)n);
        size_t len = clen[c];
        memcpy(buf, corpus[c], len);
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts; m++) {
            size_t pos = len ? rnd() % len : 0;
            switch (rnd() % 5) {
            case 0:
                if (len)
                    buf[pos] ^= (uint8_t)(1u << (rnd() % 8));
                break;
            case 1:
                if (len) {
                    memmove(buf + pos, buf + pos + 1, len - pos - 1);
                    len--;
                }
                break;
            case 2:
                if (len + 1 < sizeof buf) {
                    memmove(buf + pos + 1, buf + pos, len - pos);
                    buf[pos] = (uint8_t)rnd();
                    len++;
                }
                break;
            case 3: {
                const char *t = fuzz_dict[rnd() % (uint64_t)fuzz_n_dict];
                size_t tl = strlen(t);
                if (len + tl < sizeof buf) {
                    memmove(buf + pos + tl, buf + pos, len - pos);
                    memcpy(buf + pos, t, tl);
                    len += tl;
                }
                break;
            }
            default: { /* splice the tail of another corpus file */
                int o = (int)(rnd() % (uint64_t)n);
                size_t from = clen[o] ? rnd() % clen[o] : 0, tl = clen[o] - from;
                if (pos + tl < sizeof buf) {
                    memcpy(buf + pos, corpus[o] + from, tl);
                    len = pos + tl;
                }
            }
            }
        }
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("%s: %d corpus files and %ld mutated inputs, each accepted or rejected cleanly\n", fuzz_name, n, iters);
    for (int i = 0; i < n; i++)
        free(corpus[i]);
    return 0;
}
#endif
