/* offload.c -- the copy stream of an activation offload (model in offload.h). */
#include "workload/offload.h"

int aif_offload_ahead(int layers, int n, int ahead)
{
    return ahead > 0 ? ahead : layers - 1 - n;
}

void aif_offload_exposed(int layers, int nd, int n, int ahead, const double fwd_s[2], const double bwd_s[2],
                         const double copy_s[2], double *fwd_wait_s, double *bwd_wait_s)
{
    double done[AIF_OFFLOAD_MAX_LAYERS];   /* copy i's end: written at layer i, read at i + D + 1 */
    int L = layers;
    if (n > AIF_OFFLOAD_MAX_LAYERS)
        n = AIF_OFFLOAD_MAX_LAYERS;
    *fwd_wait_s = *bwd_wait_s = 0;
    if (n < 1 || n > L - 1)
        return;
    int D = aif_offload_ahead(L, n, ahead);
    /* forward: t is the compute stream's clock, stream the copy stream's */
    double t = 0, stream = 0;
    for (int k = 0; k < L; k++) {
        int j = k - (D + 1);   /* the copy this layer's forward waits for */
        if (j >= 0 && j < n && done[j] > t) {
            *fwd_wait_s += done[j] - t;
            t = done[j];
        }
        t += fwd_s[k >= nd];
        if (k < n) {   /* started with layer k+1's forward, i.e. when layer k's ends */
            stream = (stream > t ? stream : t) + copy_s[k >= nd];
            done[k] = stream;
        }
    }
    /* backward, layers L-1 down to 0: layer i's reload is triggered when the backward of
     * layer i + D starts (the first backward's for those beyond the last layer), before any
     * wait of that layer for its own reload, the higher layers' first; the stream still busy
     * with the forward's last copies, the ones no forward waited for (none under Transformer
     * Engine's rule, whose last copy the last layer waits for), as the backward starts (the
     * head's time between, which would hide some of it, not counted) */
    stream = stream > t ? stream - t : 0;
    t = 0;
    int next = n - 1;   /* the next reload, n-1 down to 0 */
    for (int k = L - 1; k >= 0; k--) {
        while (next >= 0 && (next + D >= L - 1 ? L - 1 : next + D) >= k) {
            stream = (stream > t ? stream : t) + copy_s[next >= nd];
            done[next] = stream;
            next--;
        }
        if (k < n && done[k] > t) {
            *bwd_wait_s += done[k] - t;
            t = done[k];
        }
        t += bwd_s[k >= nd];
    }
}
