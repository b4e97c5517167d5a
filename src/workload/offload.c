/* offload.c -- the copy stream of an activation offload (model in offload.h). */
#include "workload/offload.h"

void aif_offload_exposed(int layers, int nd, int n, const double fwd_s[2], const double bwd_s[2],
                         const double copy_s[2], double *fwd_wait_s, double *bwd_wait_s)
{
    double done[AIF_OFFLOAD_MAX_LAYERS];   /* copy i's end: written at layer i, read at L - N + i */
    int L = layers;
    if (n > AIF_OFFLOAD_MAX_LAYERS)
        n = AIF_OFFLOAD_MAX_LAYERS;
    *fwd_wait_s = *bwd_wait_s = 0;
    if (n < 1 || n > L - 1)
        return;
    /* forward: t is the compute stream's clock, stream the copy stream's */
    double t = 0, stream = 0;
    for (int k = 0; k < L; k++) {
        if (k >= L - n && done[k - (L - n)] > t) {
            *fwd_wait_s += done[k - (L - n)] - t;
            t = done[k - (L - n)];
        }
        t += fwd_s[k >= nd];
        if (k < n) {   /* started with layer k+1's forward, i.e. when layer k's ends */
            stream = (stream > t ? stream : t) + copy_s[k >= nd];
            done[k] = stream;
        }
    }
    /* backward, layers L-1 down to 0: layer k's reload is triggered when the backward of
     * layer L - 1 - n + k starts (before any wait of that layer for its own reload) */
    t = 0;
    stream = 0;
    for (int k = L - 1; k >= 0; k--) {
        int i = k - (L - 1 - n);
        if (i >= 0 && i < n) {
            stream = (stream > t ? stream : t) + copy_s[i >= nd];
            done[i] = stream;
        }
        if (k < n && done[k] > t) {
            *bwd_wait_s += done[k] - t;
            t = done[k];
        }
        t += bwd_s[k >= nd];
    }
}
