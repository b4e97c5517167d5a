/* graph.c -- the step graph as a table: each segment's ops with FLOPs, bytes,
 * shape and time, and the segment's critical path.  For users who want to see
 * where a step goes, and for checking the model op by op. */
#include "aifsim/report.h"
#include "aifsim/graph.h"
#include "base/base.h"
#include "engine/estimate.h"
#include "hw/compute.h"
#include "net/collective.h"

#include <stdlib.h>

static const char *const seg_names[AIF_N_SEG] = {
    "dense layer forward", "dense layer backward", "MoE layer forward", "MoE layer backward",
    "embedding forward", "embedding backward", "output head forward", "output head backward",
    "pipeline send/recv", "step: gradient reduction", "step: optimizer", "step: parameter all-gather"};
static const char *const kind_names[] = {"gemm", "attn", "attn", "mem", "comm"};
static const char *const coll_names[] = {"allreduce", "allgather", "reducescatter", "alltoall", "sendrecv",
                                         "broadcast"};
static const char *const group_names[] = {"tp", "cp", "ep", "dp", "edp", "pp", "etp"};
static const char *const ovl_names[] = {"", "overlaps next", "overlaps segment"};

aif_rc aif_report_graph_text(FILE *f, const aif_scenario *s, aif_err *err)
{
    aif_graph *g = malloc(sizeof *g);
    if (!g)
        return aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "graph", "out of memory");
    aif_rc rc = aif_graph_lower(s, g, err);
    if (rc) {
        free(g);
        return rc;
    }
    fprintf(f, "step graph: %d ops in %d segments; per GPU, one microbatch\n", g->n_ops, AIF_N_SEG);
    for (int sg = 0; sg < AIF_N_SEG; sg++) {
        if (g->seg[sg].n == 0)
            continue;
        aif_seg_time st;
        aif_segment_time(s, g, (aif_seg)sg, &st);
        fprintf(f, "\n%s: %.3f ms on the critical path\n", seg_names[sg], st.total_s * 1e3);
        fprintf(f, "  %-22s %-5s %12s %12s %28s %10s\n", "op", "kind", "GFLOP", "MB", "shape / collective", "ms");
        for (int i = g->seg[sg].first; i < g->seg[sg].first + g->seg[sg].n; i++) {
            const aif_op *o = &g->ops[i];
            double t;
            char shape[64];
            if (o->kind == AIF_OP_COMM) {
                aif_group_shape gs = g->groups[o->group];
                t = aif_coll_time(&s->cluster, (aif_coll)o->coll, gs, o->bytes);
                snprintf(shape, sizeof shape, "%s %s%d/%d %s", coll_names[o->coll], group_names[o->group], gs.size,
                         gs.per_domain, ovl_names[o->overlap]);
            } else {
                t = aif_compute_time(&s->cluster.gpu, o, s->cluster.clock_factor > 0 ? s->cluster.clock_factor : 1.0);
                if (o->kind == AIF_OP_GEMM)
                    snprintf(shape, sizeof shape, "%.0fx%.0fx%.0f%s%s", o->m, o->n, o->k, o->batch > 1 ? " xb" : "",
                             o->fp8 ? " fp8" : "");
                else
                    snprintf(shape, sizeof shape, "%s", o->kind == AIF_OP_MEM ? "" : "flash");
            }
            fprintf(f, "  %-22s %-5s %12.2f %12.2f %28s %10.4f\n", o->name, kind_names[o->kind], o->flops / 1e9,
                    o->bytes / 1e6, shape, t * 1e3);
        }
    }
    free(g);
    return AIF_OK;
}
