/* maxmin.h -- weighted max-min fair sharing of link capacity among flows: the
 * flow-level network model (progressive filling, as SimGrid's lmm solves it).
 *
 * Every flow f has a weight w_f, an optional rate cap c_f (NIC, TCP window) and a
 * route of links, each with a coefficient a_fl (1 for a plain flow; a coflow
 * puts a_fl bytes on link l per byte of its progress); every link l a capacity
 * C_l, and sum_f a_fl r_f <= C_l.  The allocation raises all
 * unfrozen flows' rates together, r_f = w_f * t, freezing a flow when it reaches
 * its cap or when a link on its route saturates (sum of rates = C_l).  The result
 * is the unique weighted max-min fair allocation: no flow's rate can grow without
 * shrinking a flow whose rate per weight is no larger.
 *
 * Storage is flat: links and flows are integer indices into arrays; each flow
 * keeps its own route arrays (links, coefficients, positions in the links'
 * lists), and every link the list of flows crossing it, updated in place as
 * flows come and go.  Solving allocates nothing:
 * scratch space grows only when flows or links are added.
 *
 * Incremental: adding or removing a flow or changing a capacity marks it dirty;
 * aif_mm_solve re-solves only the connected components (flows sharing links,
 * transitively) that hold something dirty, since disconnected components do not
 * affect each other's allocation.  aif_mm_solve_reference re-solves everything
 * with the obvious O(iterations x (links + flows)) algorithm; tests compare the two. */
#ifndef AIF_MAXMIN_H
#define AIF_MAXMIN_H

#include "aifsim/aifsim.h"

/* Two rates closer than this (relative) are equal: saturation and cap tests. */
#define AIF_MM_EPS 1e-9
/* After a solve no link carries more than its capacity times (1 + this): the
 * rounding of progressive filling's running sums (asserted in debug builds). */
#define AIF_MM_LOAD_TOL 1e-9

typedef struct aif_mm aif_mm;

aif_mm *aif_mm_new(void);
void aif_mm_free(aif_mm *m);
/* Returns the new link's index, or -1 when out of memory. */
int aif_mm_add_link(aif_mm *m, double capacity_Bps);
void aif_mm_set_capacity(aif_mm *m, int link, double capacity_Bps);
/* A flow over `n` links; rate_cap_Bps <= 0 means uncapped.  Returns its index or -1. */
int aif_mm_add_flow(aif_mm *m, const int *links, int n, double weight, double rate_cap_Bps);
/* The same with a coefficient per link (> 0): the flow puts coefs[i] x rate on
 * links[i] (a coflow: many flows that progress together, counted per link). */
int aif_mm_add_flow_coef(aif_mm *m, const int *links, const double *coefs, int n, double weight, double rate_cap_Bps);
/* Removes a flow (its index is reused by a later add). */
void aif_mm_remove_flow(aif_mm *m, int flow);
/* Re-solves what changed; returns the number of flow rates recomputed. */
long aif_mm_solve(aif_mm *m);
/* Re-solves everything with the slow, obviously correct algorithm. */
void aif_mm_solve_reference(aif_mm *m);
double aif_mm_rate(const aif_mm *m, int flow);
/* The live flows whose rates the last aif_mm_solve recomputed (valid until the next change). */
const int *aif_mm_updated(const aif_mm *m, int *n);
double aif_mm_link_load(const aif_mm *m, int link);   /* sum of the rates over the link */
int aif_mm_n_flows(const aif_mm *m);                  /* live flows */
/* Recounts the solver's bookkeeping (each flow's shared route entries, the bound of
 * its whole route and of its exclusive entries) against its links' lists: 0 when
 * consistent, else -1 (tests). */
int aif_mm_check(const aif_mm *m);

#endif
