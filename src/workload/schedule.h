/* schedule.h -- the pipeline schedule of a training step, in one place: which
 * units of work each pipeline stage runs and in what order, and how many
 * microbatches each stage holds in flight.  Both engines and the memory model
 * read it (the analytical engine its fill-and-drain count, the simulator its
 * unit order, the memory model its in-flight microbatches).
 *
 * A unit is (pass, virtual chunk, microbatch): one forward or backward of one
 * chunk of a stage's layers for one microbatch.  With pp stages, v virtual
 * chunks per stage (interleaved when v > 1) and m microbatches, every stage
 * runs 2 m v units in Megatron-LM's 1F1B order (Narayanan et al. SC'21,
 * sec. 2.2):
 *   warm-up   w forwards,  w = min(pp - p - 1, m)                   (v = 1)
 *                          w = min(2 (pp - p - 1) + (v - 1) pp, m v)  (v > 1)
 *   steady    one forward, one backward, m v - w times
 *   cool-down the w remaining backwards
 * Interleaved, the k-th forward runs chunk (k mod pp v) / pp of microbatch
 * k / (pp v) * pp + k mod pp; backwards run the chunks in reverse.  It needs
 * m to be a multiple of pp (Megatron-LM's rule; aif_scenario_check enforces it).  This is
 * Megatron-Core's current rule; older Megatron-LM ran every forward first on every stage
 * when m = pp.
 *
 * Fill and drain: the step takes m + (pp - 1) / v microbatch-times of the
 * slowest stage when stages are balanced; the analytical engine charges
 * (pp - 1) / v microbatch-times of the mean stage to the bubble.
 *
 * In flight: the peak the unit order above keeps live, w + 1 chunks (the steady
 * phase's first forward before its first backward), at most the m v the step has,
 * counted in whole stages' worth of layers: min(w + 1, m v) / v.  Under 1F1B that
 * is min(pp - p, m) microbatches; on stage 0 of an interleaved schedule with a
 * steady phase it is pp + (pp - 1) / v, Korthikanti et al. 2022's
 * pp (1 + (pp - 1) / (pp v)); with fewer microbatches every forward comes first and
 * the stage holds all m; a later interleaved stage holds (2 (pp - p - 1) + (v - 1) pp
 * + 1) / v, more than Korthikanti's (pp - p) (1 + (pp - 1) / (pp v)) but never more
 * than stage 0 (tests/test_schedule.c checks each against the unit order). */
#ifndef AIF_SCHEDULE_H
#define AIF_SCHEDULE_H

typedef enum aif_pass { AIF_PASS_FWD, AIF_PASS_BWD } aif_pass;

typedef struct aif_unit {
    unsigned char pass;        /* aif_pass */
    unsigned char chunk;       /* virtual chunk 0 .. v-1 of the stage */
    int mb;                    /* microbatch 0 .. m-1 */
} aif_unit;

/* The shape of a pipeline: stages, virtual chunks per stage, microbatches per step. */
typedef struct aif_pipe { int pp, vpp, m; } aif_pipe;

/* Units each stage runs per step: 2 m v. */
int aif_sched_n_units(aif_pipe p);
/* Stage `stage`'s units in execution order, into out (room for aif_sched_n_units). */
void aif_sched_stage(aif_pipe p, int stage, aif_unit *out);
/* Microbatches whose activations stage `stage` holds at its peak (see above). */
double aif_sched_in_flight(aif_pipe p, int stage);
/* Fill and drain of the pipeline in microbatch-times of one stage: (pp - 1) / v. */
double aif_sched_fill_drain(aif_pipe p);
/* The data-parallel overlap window of a stage's item at position x (0 <= x < 1: the
 * share of the stage's layers before it, in forward order over its chunks), in passes
 * of one microbatch over the whole stage: how long after the item's last backward the
 * stage's last backward ends, and (the mirror) how long after the stage's first forward
 * starts the item's first forward starts.  Interleaved, the cool-down runs the last
 * group of min(pp, m) microbatches through chunk v-1, then v-2, ... 0, each chunk's
 * pass 1/v of the stage's: an item of chunk c = floor(x v) at q = x v - c within it
 * waits (c min(pp, m) + q) / v.  With v = 1 that is x, one microbatch's pass. */
double aif_sched_dp_window(aif_pipe p, double x);
/* Where the input of a unit comes from: the sending stage, or -1 when the unit
 * starts from the data (first forward chunk) or the loss (last backward chunk). */
int aif_sched_input_stage(aif_pipe p, int stage, aif_unit u);
/* Where the output of a unit goes: the receiving stage and chunk of the next unit
 * of the same microbatch and pass. */
int aif_sched_output_stage(aif_pipe p, int stage, aif_unit u, int *chunk);

#endif
