/* fuzz_driver.c -- the built-in driver of the fuzz targets (fuzz_scenario,
 * fuzz_catalog, fuzz_carbon, fuzz_validation): libFuzzer's entry point
 * LLVMFuzzerTestOneInput, fed the corpus files (in name order) and then mutations of
 * them from a seed (bit flips, byte insertions and deletions, dictionary tokens,
 * splices), for --iterations N inputs or, with --seconds S, as many as S seconds of
 * wall time allow (the sequence is the seed's either way; only its length varies).  Each target supplies the entry point
 * and its dictionary (fuzz_dict, fuzz_n_dict, fuzz_name).  Built with
 * -fsanitize=fuzzer -DAIF_LIBFUZZER the targets run under libFuzzer instead. */
#ifndef AIF_LIBFUZZER
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
extern const char *const fuzz_dict[];
extern const int fuzz_n_dict;
extern const char fuzz_name[];

#define MAX_CORPUS 64
#define MAX_INPUT (1 << 16)

static uint64_t rng;
static uint64_t rnd(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

/* The input being run, written out if a target aborts or crashes on it, so that
 * `--replay FILE` reruns exactly that input. */
static const uint8_t *cur_data;
static size_t cur_len;
static char crash_path[96];

static void on_crash(int sig)
{
    int fd = open(crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        ssize_t w = cur_data ? write(fd, cur_data, cur_len) : 0;
        (void)w;
        close(fd);
    }
    static const char m1[] = "fuzz: the failing input is in ";
    ssize_t w = write(2, m1, sizeof m1 - 1);
    w = write(2, crash_path, strlen(crash_path));
    w = write(2, " (rerun it with --replay)\n", 26);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
}

static int run_one(const uint8_t *data, size_t len)
{
    cur_data = data;
    cur_len = len;
    return LLVMFuzzerTestOneInput(data, len);
}

static int read_corpus(const char *dir, char **corpus, size_t *clen, int n)
{
    struct dirent **de;
    int n_de = scandir(dir, &de, NULL, alphasort);   /* name order: the same run on every machine */
    if (n_de < 0) {
        perror(dir);
        return -1;
    }
    for (int k = 0; k < n_de; k++) {
        if (de[k]->d_name[0] != '.' && n < MAX_CORPUS) {
            char p[4096];
            snprintf(p, sizeof p, "%s/%s", dir, de[k]->d_name);
            FILE *f = fopen(p, "rb");
            if (f && (corpus[n] = malloc(MAX_INPUT))) {
                clen[n] = fread(corpus[n], 1, MAX_INPUT - 1, f);
                n++;
            }
            if (f)
                fclose(f);
        }
        free(de[k]);
    }
    free(de);
    return n;
}

int main(int argc, char **argv)
{
    long iters = 1000;
    double seconds = 0;   /* > 0: run for this long instead of a count */
    unsigned long seed = 1;
    char *corpus[MAX_CORPUS];
    size_t clen[MAX_CORPUS];
    int n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
            iters = atol(argv[++i]);
        else if (!strcmp(argv[i], "--replay") && i + 1 < argc) {
            FILE *f = fopen(argv[++i], "rb");
            static uint8_t one[MAX_INPUT];
            size_t len = f ? fread(one, 1, sizeof one, f) : 0;
            if (!f) {
                perror(argv[i]);
                return 2;
            }
            fclose(f);
            run_one(one, len);
            printf("%s: %s ran cleanly\n", fuzz_name, argv[i]);
            return 0;
        } else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            seconds = atof(argv[++i]);
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
    snprintf(crash_path, sizeof crash_path, "%s-crash-%ld.bin", fuzz_name, (long)getpid());
    signal(SIGABRT, on_crash);
    signal(SIGSEGV, on_crash);
    static uint8_t buf[2 * MAX_INPUT];
    for (int i = 0; i < n; i++)
        run_one((const uint8_t *)corpus[i], clen[i]);
    struct timespec t0, now;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    long it;
    for (it = 0; seconds > 0 || it < iters; it++) {
        if (seconds > 0 && it % 64 == 0) {
            clock_gettime(CLOCK_MONOTONIC, &now);
            if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) * 1e-9 >= seconds)
                break;
        }
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
        run_one(buf, len);
    }
    printf("%s: %d corpus files and %ld mutated inputs, each accepted or rejected cleanly\n", fuzz_name, n, it);
    for (int i = 0; i < n; i++)
        free(corpus[i]);
    return 0;
}
#endif
