/* strict.c -- `--strict` of train, facility and report, for scripts: after the whole
 * output, exit status 3 (EXIT_STRICT) when the job does not fit in GPU memory (train,
 * report) or the site cannot hold it (all three), with the reason on stderr.  Without
 * it both are stated in the output and the status is 0: the answer is still the answer.
 * An error (status 1 or 2) takes precedence over 3. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

int cli_take_strict(int *argc, char **argv)
{
    int n = 0, k = 1;
    for (int i = 1; i < *argc; i++) {
        if (!strcmp(argv[i], "--")) {   /* everything after it is an argument */
            while (i < *argc)
                argv[k++] = argv[i++];
            break;
        }
        if (!strcmp(argv[i], "--strict")) {
            n++;
            continue;
        }
        argv[k++] = argv[i];
        /* the value of an option that takes one is never --strict itself */
        if (i + 1 < *argc && (!strcmp(argv[i], "--set") || !strcmp(argv[i], "--catalog") || !strcmp(argv[i], "-o") ||
                              !strcmp(argv[i], "--output") || !strcmp(argv[i], "--trace")))
            argv[k++] = argv[++i];
    }
    argv[k] = NULL;
    *argc = k;
    return n;
}

int cli_strict_status(const cli_job *j, int with_memory)
{
    int st = EXIT_OK;
    const aif_train_result *r = &j->train;
    const aif_facility_result *f = &j->facility;
    if (with_memory && r->step_time_s > 0 && !r->fits_in_memory) {
        fprintf(stderr, "aifsim: --strict: the job does not fit in GPU memory (%.1f of %.1f GiB per GPU)\n",
                r->mem.total_bytes / (1024.0 * 1024 * 1024), r->mem.hbm_bytes / (1024.0 * 1024 * 1024));
        st = EXIT_STRICT;
    }
    switch ((aif_site_verdict)f->site_verdict) {
    case AIF_SITE_NO_COOLING:
    case AIF_SITE_COOLING_SHORT:
        fprintf(stderr, "aifsim: --strict: the site cannot hold the job: racks of %.1f kW, the %s cooling holds %.0f kW\n",
                f->rack_peak_W / 1e3, f->site_verdict == AIF_SITE_NO_COOLING ? "strongest" : "chosen",
                f->rack_limit_W / 1e3);
        st = EXIT_STRICT;
        break;
    case AIF_SITE_OVER_CAP:
        fprintf(stderr, "aifsim: --strict: the site cannot hold the job: its power cap holds %.0f of its %d GPUs\n",
                f->gpus_under_cap, j->scenario.cluster.gpus);
        st = EXIT_STRICT;
        break;
    case AIF_SITE_HOLDS:
    case AIF_N_SITE_VERDICT:
        break;
    }
    return st;
}
