/* offload.h -- activation offload to host memory: what the copies cost the compute stream.
 *
 * Transformer Engine's cpu_offload (transformer_engine/pytorch/cpu_offload.py,
 * DefaultOffloadSynchronizer, the path Megatron-Core's --cpu-offloading takes), for a
 * stage of L layers of which layers 0 .. N-1 are offloaded (N <= L - 1), one copy stream:
 *  - forward: layer i's device-to-host copy (c_i seconds) is started when layer i+1's
 *    forward starts (fwd_step: start_offload of current_layer_id - 1), after the copies
 *    before it on the stream; the forward of layer L - N + i waits for it to end
 *    (finish_offload_map: release_activation_forward_gpu_memory);
 *  - backward (layers L-1 down to 0): layer i's host-to-device copy is started when the
 *    backward of layer L - 1 - N + i starts (bwd_step: start_reload_map), after the copies
 *    before it; layer i's backward waits for it (pop_tensor).
 * So a copy hides behind the compute of the L - N - 1 layers between its start and the
 * layer that waits for it, and with N = L - 1 it hides behind nothing (TE warns that
 * offloading L - 1 layers "prevents overlapping of computation and offload/reload").
 * The copies run on the GPU's copy engines, not its SMs: they do not slow the compute
 * beside them (no overlap_slowdown), and the host link is the GPU's own (no contention).
 * The embedding and the head are not offloaded and neither wait nor hide a copy.
 * A stack with its own schedule (framework offload_prefetch D > 0: XLA's latency-hiding
 * scheduler under MaxText's host offload) runs each copy D layers ahead of the layer that
 * waits for it, in both directions, whatever N. */
#ifndef AIF_OFFLOAD_H
#define AIF_OFFLOAD_H

#include "aifsim/graph.h"

/* Time the compute stream of one microbatch waits for the copies, forward and backward,
 * on a stage whose layer k's forward takes fwd_s[k >= nd] (index 0 for the dense layers
 * k < nd, 1 for the MoE layers after them), its backward bwd_s[k >= nd] and its copy
 * copy_s[k >= nd] each way, with n of its `layers` layers offloaded (1 <= n <= min(layers - 1, AIF_OFFLOAD_MAX_LAYERS)); the
 * reference recurrence, O(layers), allocating nothing. */
void aif_offload_exposed(int layers, int nd, int n, int ahead, const double fwd_s[2], const double bwd_s[2],
                         const double copy_s[2], double *fwd_wait_s, double *bwd_wait_s);

/* The layers a copy runs ahead of the layer that waits for it, D: the stack's offload_prefetch
 * when set (ahead > 0: a scheduler that starts layer i's reload at the backward of layer i + D
 * and lets the forward of layer i + D + 1 wait for its copy, XLA's host offload), else
 * Transformer Engine's L - 1 - N above. */
int aif_offload_ahead(int layers, int n, int ahead);

#endif
