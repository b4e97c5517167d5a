/* fuzz_scenario.c -- fuzz target for the scenario parser and the estimate.
 * Built normally it is its own driver: it mutates the corpus files (bit flips,
 * byte insertions and deletions, splices, dictionary tokens) for a fixed number
 * of iterations from a seed.  Built with -fsanitize=fuzzer -DAIF_LIBFUZZER the
 * same entry point runs under libFuzzer for long campaigns (see docs/TESTING.md).
 * Invariant checked: every input either loads and estimates, or is rejected
 * with AIF_EINPUT and a message; nothing crashes, hangs or leaks. */
#include "aifsim/aifsim.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static aif_catalog *cat;

static void free_catalog(void)
{
    aif_catalog_free(cat);
    cat = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!cat) {
        aif_err e;
        if (aif_catalog_load_builtin(&cat, &e) != AIF_OK)
            abort();
        atexit(free_catalog);
    }
    aif_scenario s;
    aif_err e;
    aif_rc rc = aif_scenario_parse(cat, (const char *)data, size, "fuzz.yaml", NULL, 0, &s, &e);
    if (rc == AIF_OK) {
        aif_train_result r;
        rc = aif_estimate(&s, &r, &e);
        if (rc == AIF_OK && !(r.step_time_s > 0))
            abort();
    }
    if (rc != AIF_OK && (rc != AIF_EINPUT || !e.msg[0]))
        abort();
    return 0;
}

#ifndef AIF_LIBFUZZER
static uint64_t rng;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static const char *const dict[] = {
    "tp: ", "pp: ", "vpp: ", "cp: ", "ep: ", "dp: ", "gbs: ", "mbs: ", "seq: ", "model: ", "cluster:", "train:",
    "gpus: ", "system: ", "400Gb/s", "80GiB", "1e308", "-1", "0", "99999999999", "{", "}", "[", "]", ": ", "\n  ",
    "&a ", "*a", "!!str ", "---\n", "'", "\"", "\\x00", "llama3-405b", "deepseek-v3", "dgx-h100", "fp8", "full",
    "zero3", "base: ", "moe: {experts: 0}", "layers: 1000000"};

int main(int argc, char **argv)
{
    long iters = 10000;
    unsigned long seed = 1;
    char *corpus[64];
    size_t clen[64];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
            iters = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            seed = strtoul(argv[++i], NULL, 10);
        } else {
            DIR *d = opendir(argv[i]);
            if (!d) {
                perror(argv[i]);
                return 2;
            }
            struct dirent *de;
            while ((de = readdir(d)) && n < 64) {
                if (de->d_name[0] == '.')
                    continue;
                char p[4096];
                snprintf(p, sizeof p, "%s/%s", argv[i], de->d_name);
                FILE *f = fopen(p, "rb");
                if (!f)
                    continue;
                corpus[n] = malloc(1 << 16);
                clen[n] = fread(corpus[n], 1, (1 << 16) - 1, f);
                fclose(f);
                n++;
            }
            closedir(d);
        }
    }
    if (n == 0) {
        fprintf(stderr, "fuzz_scenario: no corpus files\n");
        return 2;
    }
    rng = seed * 2654435761u + 88172645463325252ull;
    static uint8_t buf[1 << 17];
    long accepted = 0;
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
            case 0: if (len) buf[pos] ^= (uint8_t)(1u << (rnd() % 8)); break;
            case 1: if (len) { memmove(buf + pos, buf + pos + 1, len - pos - 1); len--; } break;
            case 2: if (len + 1 < sizeof buf) { memmove(buf + pos + 1, buf + pos, len - pos); buf[pos] = (uint8_t)rnd(); len++; } break;
            case 3: {
                const char *t = dict[rnd() % (sizeof dict / sizeof dict[0])];
                size_t tl = strlen(t);
                if (len + tl < sizeof buf) { memmove(buf + pos + tl, buf + pos, len - pos); memcpy(buf + pos, t, tl); len += tl; }
                break;
            }
            default: { /* splice the tail of another corpus file */
                int o = (int)(rnd() % (uint64_t)n);
                size_t from = clen[o] ? rnd() % clen[o] : 0, tl = clen[o] - from;
                if (pos + tl < sizeof buf) { memcpy(buf + pos, corpus[o] + from, tl); len = pos + tl; }
            }
            }
        }
        aif_scenario s;
        aif_err e;
        if (aif_scenario_parse(cat, (const char *)buf, len, "x", NULL, 0, &s, &e) == AIF_OK)
            accepted++;
        LLVMFuzzerTestOneInput(buf, len);
    }
    printf("fuzz_scenario: %ld inputs, %ld accepted, %ld rejected cleanly, 0 crashes\n", iters, accepted,
           iters - accepted);
    for (int i = 0; i < n; i++)
        free(corpus[i]);
    return 0;
}
#endif
