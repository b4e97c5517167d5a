/* graph.c -- the step graph as a table: each segment's ops with FLOPs, bytes,
 * shape and time, and the segment's critical path.  For users who want to see
 * where a step goes, and for checking the model op by op.  It formats what
 * aif_graph_timing_eval computed and computes nothing itself; empty segments
 * are not listed. */
#include "aifsim/graph.h"
#include "aifsim/names.h"
#include "aifsim/report.h"

static const char *const kind_names[] = {"gemm", "attn", "attn", "mem", "comm"};
static const char *const ovl_names[] = {"", "overlaps next", "overlaps segment", "async"};

void aif_report_graph_text(FILE *f, const aif_graph_timing *t)
{
    const aif_graph *g = &t->graph;
    int listed = 0;   /* the segments with ops: those listed below */
    for (int sg = 0; sg < g->n_seg; sg++)
        listed += g->seg[sg].n > 0;
    fprintf(f, "step graph: %d ops in %d segments; per GPU, one microbatch\n", g->n_ops, listed);
    for (int sg = 0; sg < g->n_seg; sg++) {
        if (g->seg[sg].n == 0)
            continue;
        fprintf(f, "\n%s: %.3f ms on the critical path\n", g->seg[sg].name, t->seg_t[sg].total_s * 1e3);
        fprintf(f, "  %-22s %-5s %12s %12s %28s %10s\n", "op", "kind", "GFLOP", "MB", "shape / collective", "ms");
        for (int i = g->seg[sg].first; i < g->seg[sg].first + g->seg[sg].n; i++) {
            const aif_op *o = &g->ops[i];
            char shape[64];
            if (o->kind == AIF_OP_COMM) {
                aif_group_shape gs = g->groups[o->group];
                snprintf(shape, sizeof shape, "%s %s%d/%d %s", aif_coll_name((aif_coll)o->coll), aif_group_name(o->group), gs.size,
                         gs.per_domain, ovl_names[o->overlap]);
            } else if (o->kind == AIF_OP_GEMM) {
                snprintf(shape, sizeof shape, "%.0fx%.0fx%.0f%s%s", o->m, o->n, o->k, o->batch > 1 ? " xb" : "",
                         o->fp8 >= AIF_GEMM_FP4 ? " fp4" : o->fp8 ? " fp8" : "");
            } else {
                snprintf(shape, sizeof shape, "%s", o->kind == AIF_OP_MEM                 ? ""
                                                    : o->fp8 & AIF_ATTN_OP_FP8 ? "flash fp8"
                                                    : o->fp8 & AIF_ATTN_OP_FLASH2 ? "flash2"
                                                                               : "flash");
            }
            fprintf(f, "  %-22s %-5s %12.2f %12.2f %28s %10.4f\n", o->name, kind_names[o->kind], o->flops / 1e9,
                    o->bytes / 1e6, shape, t->op_s[i] * 1e3);
        }
    }
}
