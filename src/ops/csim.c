/* csim.c (ops) -- the many-job cluster's event loop: arrivals, scheduling passes,
 * runs, checkpoints, failures, repairs, curtailment (placement on the topology and
 * the free-GPU counts: src/ops/place.c; the shared state: src/ops/csim_int.h).
 *
 * Data layout: every per-run table is allocated once before the loop (jobs, GPU
 * owners, node counts, the event heap, the queue, scratch), nothing in the loop
 * allocates.  Free GPUs are kept per node (with a bucket list per free count for
 * best- and worst-fit, and a max segment tree for first-fit and range queries)
 * and fully free nodes per domain, leaf and pod, all updated incrementally.
 * Events are a binary heap ordered by (time, insertion sequence); arrivals are
 * merged from the sorted job list and never enter the heap.  A job's end event
 * carries its version; a stopped or re-timed job bumps the version, so a stale
 * end is dropped when popped.
 *
 * A running job is a "regime" in closed form (docs/CLUSTER.md): from t0 a setup
 * of d seconds (restart and checkpoint read), then cycles of tau productive
 * seconds (taking tau x slow) each followed by a checkpoint write of w seconds;
 * the progress at any time and the end time follow without an event per
 * checkpoint.  Jobs spanning leaf groups of an oversubscribed fabric share the
 * uplinks through the flow-level max-min solver (net/maxmin.h; docs/CLUSTER.md), one
 * flow per such running job, solved again only where the running set changed and an
 * uplink can bind.  Invariants (checked after every event when in->check): no GPU has
 * two owners; a node's free count equals its unowned GPUs (0 when drained); the
 * group counts equal a recount; every job is waiting, running, paused or ended,
 * and ends once; time never runs backwards; no uplink carries more than its
 * capacity, and the uplink shares in use are the max-min allocation of the running
 * jobs (a full solve from scratch). */
#include "ops/csim_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- helpers */

static double unif(sim *s)
{
    s->rng += 0x9e3779b97f4a7c15ULL;
    return (double)(aif_mix64(s->rng) >> 11) * 0x1.0p-53;
}
static double expo(sim *s, double rate) { return -log(1 - unif(s)) / rate; }

static bool ev_less(const event *x, const event *y) { return x->t < y->t || (x->t == y->t && x->seq < y->seq); }

/* A full heap drops its stale events (an end or a demotion of a job re-timed since),
 * then re-heapifies; only when that frees too little does it grow (rare: the heap
 * starts with room for two events per job).  A failed growth is remembered and
 * reported as AIF_ENOMEM when the loop ends. */
static void heap_make_room(sim *s)
{
    long m = 0;
    for (long i = 0; i < s->n_ev; i++) {
        const event *e = &s->heap[i];
        bool stale = (e->kind == E_END || e->kind == E_DEMOTE || e->kind == E_SETUP_DONE) &&
                     (s->jobs[e->a].state != J_RUN || s->jobs[e->a].version != e->b);
        if (!stale)
            s->heap[m++] = *e;
    }
    s->n_ev = m;
    for (long i = m / 2 - 1; i >= 0; i--) {   /* sift down */
        long k = i;
        event x = s->heap[k];
        for (;;) {
            long c = 2 * k + 1;
            if (c >= m)
                break;
            if (c + 1 < m && ev_less(&s->heap[c + 1], &s->heap[c]))
                c++;
            if (!ev_less(&s->heap[c], &x))
                break;
            s->heap[k] = s->heap[c];
            k = c;
        }
        s->heap[k] = x;
    }
    if (s->n_ev > s->cap_ev * 3 / 4) {
        event *h = realloc(s->heap, sizeof *h * (size_t)(2 * s->cap_ev));
        if (!h) {
            s->oom = true;
            return;
        }
        s->heap = h;
        s->cap_ev *= 2;
    }
}

static void push(sim *s, double t, int kind, int a, int b)
{
    if (s->n_ev >= s->cap_ev)
        heap_make_room(s);
    if (s->n_ev >= s->cap_ev)
        return;   /* out of memory: s->oom is set */
    event e = {t, s->seq++, kind, a, b};
    long i = s->n_ev++;
    while (i > 0) {
        long p = (i - 1) / 2;
        event *q = &s->heap[p];
        if (q->t < e.t || (q->t == e.t && q->seq < e.seq))
            break;
        s->heap[i] = *q;
        i = p;
    }
    s->heap[i] = e;
}

static event pop(sim *s)
{
    event top = s->heap[0], last = s->heap[--s->n_ev];
    long i = 0, n = s->n_ev;
    for (;;) {
        long c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && (s->heap[c + 1].t < s->heap[c].t ||
                          (s->heap[c + 1].t == s->heap[c].t && s->heap[c + 1].seq < s->heap[c].seq)))
            c++;
        if (last.t < s->heap[c].t || (last.t == s->heap[c].t && last.seq < s->heap[c].seq))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

/* ------------------------------------------------------------- job timing */

/* Progress of the current regime at time t: productive seconds saved since its
 * start (whole checkpoints) and unsaved (including u0 when nothing was saved). */
static void regime_at(const sjob *j, double t, double *saved, double *unsaved, long *writes)
{
    double e = t - j->t0_s - j->d_s;
    *saved = 0;
    *writes = 0;
    if (e <= 0) {
        *unsaved = j->u0_s;
        return;
    }
    double f = (j->tau_s - j->u0_s) * j->slow;
    if (e < f) {
        *unsaved = j->u0_s + e / j->slow;
        return;
    }
    e -= f;
    if (e < j->w_s) {
        *unsaved = j->tau_s;
        return;
    }
    e -= j->w_s;
    double cyc = j->tau_s * j->slow + j->w_s, c = floor(e / cyc), rem = e - c * cyc;
    *saved = j->tau_s * (1 + c);
    *writes = 1 + (long)c;
    *unsaved = rem < j->tau_s * j->slow ? rem / j->slow : j->tau_s;
}

static double regime_end(const sjob *j)
{
    double P = j->dur_s - j->done_s - j->u0_s, first = j->tau_s - j->u0_s, t = j->t0_s + j->d_s;
    if (P <= first)
        return t + (P > 0 ? P : 0) * j->slow;
    t += first * j->slow + j->w_s;
    P -= first;
    double full = floor(P / j->tau_s), rem = P - full * j->tau_s;
    if (rem <= 1e-9 * j->tau_s)
        return t + full * (j->tau_s * j->slow + j->w_s) - j->w_s;
    return t + full * (j->tau_s * j->slow + j->w_s) + rem * j->slow;
}

/* The share of its packed scale-out bandwidth job j gets on the uplinks it
 * crosses (docs/CLUSTER.md, "Jobs on shared links"): a leaf group's uplinks carry
 * leaf GPUs / leaf_ratio GPUs' worth of traffic at full speed, shared equally by
 * the GPUs of every running job that spans several leaf groups (all of such a
 * job's traffic taken to cross them, the worst case); likewise a pod's with
 * pod_ratio for jobs spanning several pods.  The job's share is the smallest over
 * its leaves and pods, at most 1.  counted: j's GPUs are already in leaf_x and
 * pod_x (running), else they are added as if it started now (a backfill probe). */
static double link_share(sim *s, int j, bool counted)
{
    const sjob *jb = &s->jobs[j];
    int gpn = s->tp.gpn;
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int n = g / gpn;
        s->leaf_own[n / s->tp.leaf_nodes]++;
        s->pod_own[n / s->tp.pod_nodes]++;
    }
    double share = 1;
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int n = g / gpn, l = n / s->tp.leaf_nodes, p = n / s->tp.pod_nodes;
        if (s->leaf_own[l]) {
            if (jb->leaves > 1 && s->tp.leaf_ratio > 1) {
                double x = (double)s->leaf_x[l] + (counted ? 0 : s->leaf_own[l]);
                int last = (l + 1) * s->tp.leaf_nodes < s->tp.nodes ? (l + 1) * s->tp.leaf_nodes : s->tp.nodes;
                double cap = (double)(last - l * s->tp.leaf_nodes) * gpn / s->tp.leaf_ratio;
                if (x > cap && cap / x < share)
                    share = cap / x;
            }
            s->leaf_own[l] = 0;
        }
        if (s->pod_own[p]) {
            if (jb->pods > 1 && s->tp.pod_ratio > 1) {
                double x = (double)s->pod_x[p] + (counted ? 0 : s->pod_own[p]);
                int last = (p + 1) * s->tp.pod_nodes < s->tp.nodes ? (p + 1) * s->tp.pod_nodes : s->tp.nodes;
                double cap = (double)(last - p * s->tp.pod_nodes) * gpn / s->tp.pod_ratio;
                if (x > cap && cap / x < share)
                    share = cap / x;
            }
            s->pod_own[p] = 0;
        }
    }
    return share;
}

/* The leaf groups and pods job j's GPUs lie in (its GPUs are listed node by node,
 * so a change of leaf or pod along the list is a new one). */
static void placement_count(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    int last_leaf = -1, last_pod = -1;
    jb->leaves = jb->pods = 0;
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int n = g / s->tp.gpn, l = n / s->tp.leaf_nodes, p = n / s->tp.pod_nodes;
        if (l != last_leaf)
            jb->leaves++, last_leaf = l;
        if (p != last_pod)
            jb->pods++, last_pod = p;
    }
}

/* Job j's route over the oversubscribed uplinks for the flow-level model: its leaf
 * groups when it spans several (and the leaves oversubscribe), its pods when it spans
 * several (and they oversubscribe), each with its GPUs there as the coefficient.
 * Fills s->route and s->coef; returns their length (0: it crosses no shared uplink). */
static int job_route(sim *s, int j)
{
    const sjob *jb = &s->jobs[j];
    bool leaf = jb->leaves > 1 && s->tp.leaf_ratio > 1, pod = jb->pods > 1 && s->tp.pod_ratio > 1;
    if (!leaf && !pod)
        return 0;
    int gpn = s->tp.gpn, n = 0;
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int nd = g / gpn;
        s->leaf_own[nd / s->tp.leaf_nodes]++;
        s->pod_own[nd / s->tp.pod_nodes]++;
    }
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int nd = g / gpn, l = nd / s->tp.leaf_nodes, p = nd / s->tp.pod_nodes;
        if (s->leaf_own[l]) {
            if (leaf)
                s->route[n] = l, s->coef[n++] = s->leaf_own[l];
            s->leaf_own[l] = 0;
        }
        if (s->pod_own[p]) {
            if (pod)
                s->route[n] = s->n_leaves + p, s->coef[n++] = s->pod_own[p];
            s->pod_own[p] = 0;
        }
    }
    return n;
}

/* Job j's step-time factor from its placement and the uplinks it shares
 * (docs/CLUSTER.md): 1 + c (B_packed / B_got - 1), B_got / B_packed its share.
 * The share: the flow-level model's for a running job (its flow's rate, kept in
 * job_share), else the closed form's (link_share): with in->links_closed_form, and
 * for a job not yet counted (a backfill probe), where the closed form's share is a
 * lower bound of the max-min one (a job's max-min rate is at least capacity / GPUs
 * on its bottleneck uplink, the closed form's share there), so a probe never
 * under-estimates the job's end. */
static void placement_factor(sim *s, int j, bool counted)
{
    sjob *jb = &s->jobs[j];
    /* a serving deployment's replicas do not talk to each other across nodes */
    double c = jb->kind == AIF_JOB_TRAIN ? s->in->train_comm_share : jb->kind == AIF_JOB_SERVE ? 0 : s->op->comm_share;
    double share = 1;
    if (jb->leaves > 1 && s->links)
        share = s->mm && counted ? (s->job_flow[j] >= 0 ? s->job_share[j] : 1) : link_share(s, j, counted);
    if (share > 1)
        share = 1;
    jb->base_slow = 1 + c * (1 / share - 1);
}

static void placement_slow(sim *s, int j, bool counted)
{
    placement_count(s, j);
    placement_factor(s, j, counted);
}

static void retime(sim *s, int j);

/* Re-times running job k after the uplinks' sharing changed (not job `except`);
 * its leaves and pods are those it started with. */
static void relink(sim *s, int k, int except)
{
    if (k == except)
        return;
    double before = s->jobs[k].base_slow;
    placement_factor(s, k, true);
    if (s->jobs[k].base_slow != before)
        retime(s, k);
}

/* Job j's GPUs join (dir 1) or leave (-1) the uplinks' load; every other running
 * job whose share moved is re-timed.
 *
 * Flow-level model: j's flow is added or removed.  Where every uplink on its route
 * has room for all the GPUs that cross it at full speed (GPUs there <= capacity,
 * with j), that uplink can never saturate, so j runs at 1 and no other job's
 * max-min share moves: nothing is solved (the solver, told of the change, folds it
 * into its next solve of that component).  Otherwise aif_mm_solve re-solves only
 * the connected component j touches (the jobs sharing an uplink with it,
 * transitively), and the jobs whose rates it recomputed are re-timed where their
 * factor moved.  So the running set's placements are solved again only where they
 * changed and only where an uplink binds.  Closed form: every running multi-leaf
 * job is recomputed, O(their GPUs).  Nothing on a fabric that does not
 * oversubscribe, nothing for a job under one leaf. */
static void links_move(sim *s, int j, int dir)
{
    sjob *jb = &s->jobs[j];
    if (!s->links || jb->leaves <= 1)
        return;
    for (int g = jb->first_gpu; g >= 0; g = s->gnext[g]) {
        int n = g / s->tp.gpn;
        s->leaf_x[n / s->tp.leaf_nodes] += dir;
        if (jb->pods > 1)
            s->pod_x[n / s->tp.pod_nodes] += dir;
    }
    if (s->mm) {
        int n = job_route(s, j);
        bool slack = true;   /* every uplink on its route holds all its GPUs at full speed */
        for (int i = 0; i < n && slack; i++) {
            int l = s->route[i];
            double x = l < s->n_leaves ? (double)s->leaf_x[l] : (double)s->pod_x[l - s->n_leaves];
            slack = x + (dir < 0 ? s->coef[i] : 0) <= s->link_cap[l];
        }
        if (dir > 0) {
            if (n == 0)
                return;
            int f = aif_mm_add_flow_coef(s->mm, s->route, s->coef, n, 1, 1);
            if (f < 0) {
                s->oom = true;
                return;
            }
            s->job_flow[j] = f;
            s->flow_job[f] = j;
            s->job_share[j] = 1;
        } else {
            if (s->job_flow[j] < 0)
                return;
            aif_mm_remove_flow(s->mm, s->job_flow[j]);
            s->job_flow[j] = -1;
        }
        if (slack)
            return;
        aif_mm_solve(s->mm);
        int n_up;
        const int *up = aif_mm_updated(s->mm, &n_up);
        for (int i = 0; i < n_up; i++)
            s->job_share[s->flow_job[up[i]]] = aif_mm_rate(s->mm, up[i]);
        for (int i = 0; i < n_up; i++)
            relink(s, s->flow_job[up[i]], j);
        return;
    }
    for (int i = 0; i < s->n_run; i++) {
        int k = s->running[i];
        if (s->jobs[k].leaves > 1)
            relink(s, k, j);
    }
}

static void count_placement(sim *s, int j)
{
    if (s->jobs[j].leaves > 1)
        s->r->multi_leaf_jobs++;
    if (s->jobs[j].pods > 1)
        s->r->multi_pod_jobs++;
}

static bool on_straggler(const sim *s, int j)
{
    for (int g = s->jobs[j].first_gpu; g >= 0; g = s->gnext[g])
        if (s->slowc[g / s->tp.gpn])
            return true;
    return false;
}

/* The training model's step time of the training job at g GPUs (a multiple of its
 * unit), asked of in->train_step_s once per size; <= 0 where it cannot run there. */
static double train_step_at(const sim *s, const sjob *jb, int g)
{
    int k = g / jb->unit - 1;
    if (!s->step_s || g % jb->unit || k < 0 || k >= s->n_step)
        return -1;
    if (s->step_s[k] == 0) {
        double t = s->in->train_step_s(g, s->in->train_step_ctx);
        s->step_s[k] = t > 0 ? t : -1;
    }
    return s->step_s[k];
}

/* The size elastic job jb takes when g is what it could have: at most max_g, a
 * multiple of its unit, for a training job one the training model runs at; at least
 * min_g. */
static int fit_size(const sim *s, const sjob *jb, long g)
{
    if (g > jb->max_g)
        g = jb->max_g;
    g -= g % jb->unit;
    if (jb->kind == AIF_JOB_TRAIN && s->step_s)
        while (g > jb->min_g && train_step_at(s, jb, (int)g) <= 0)
            g -= jb->unit;
    return g > jb->min_g ? (int)g : jb->min_g;
}

/* Elastic job jb's rate at its size now relative to its request g0
 * (docs/CLUSTER.md, "Elastic jobs"): a training job's from the training model,
 * T(g0) / T(g) with T the step time at that size (the global batch kept); else
 * g/g0 below it, 1 + efficiency (g/g0 - 1) above. */
static double elastic_speed(const sim *s, const sjob *jb)
{
    if (!jb->elastic || jb->gpus == jb->g0)
        return 1;
    if (jb->kind == AIF_JOB_TRAIN && s->step_s) {
        double t0 = train_step_at(s, jb, jb->g0), t = train_step_at(s, jb, jb->gpus);
        if (t0 > 0 && t > 0)
            return t0 / t;
    }
    double x = (double)jb->gpus / jb->g0;
    return x < 1 ? x : 1 + s->op->elastic_efficiency * (x - 1);
}

static double current_slow(const sim *s, int j)
{
    double f = s->jobs[j].base_slow * s->throttle / elastic_speed(s, &s->jobs[j]);
    if (s->op->straggler_per_day > 0 && on_straggler(s, j))
        f *= s->op->straggler_slowdown;
    return f;
}

/* Component MTBF of a job of g GPUs on n nodes (docs/CLUSTER.md). */
static double job_mtbf_s(const sim *s, int g)
{
    if (!s->op->failures)
        return INFINITY;
    double nodes = ceil((double)g / s->tp.gpn), per_day = 0;
    const double *f = s->op->fail_per_day;
    per_day += g * (f[AIF_FAIL_GPU] + f[AIF_FAIL_HBM]);
    per_day += nodes * s->tp.nics_per_node * f[AIF_FAIL_NIC];
    per_day += nodes * (f[AIF_FAIL_NETWORK] + f[AIF_FAIL_HOST] + f[AIF_FAIL_SOFTWARE]);
    return per_day > 0 ? 86400 / per_day : INFINITY;
}

/* Checkpoint write, read and interval of job j (docs/CLUSTER.md). */
static void checkpoint_plan(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    const aif_ops *op = s->op;
    /* all jobs writing (reading) at once: each its GPUs' share of the shared storage */
    double share = op->storage_bw_Bps * jb->gpus / s->tp.gpus;
    double read_bw = op->storage_read_bw_Bps > 0 ? op->storage_read_bw_Bps : op->storage_bw_Bps;
    double read_share = read_bw * jb->gpus / s->tp.gpus;
    double nodes = ceil((double)jb->gpus / s->tp.gpn);
    double bytes = jb->ckpt_bytes;
    if (bytes <= 0) {
        jb->w_s = jb->read_s = 0;
    } else if (op->storage == AIF_STORAGE_NVME) {
        jb->w_s = bytes / (op->nvme_bw_Bps * nodes);
        jb->read_s = op->storage_lat_s + bytes / read_share;
    } else {
        jb->w_s = op->storage_lat_s + bytes / share;
        jb->read_s = op->storage_lat_s + bytes / read_share;
    }
    double yd = jb->w_s > 0 ? sqrt(2 * jb->w_s * job_mtbf_s(s, jb->gpus)) : INFINITY;
    jb->tau_s = op->ckpt_interval_s > 0 ? op->ckpt_interval_s : yd;
    if (!(jb->tau_s > 0) || jb->tau_s > 1e15)
        jb->tau_s = INFINITY;
    if (op->storage == AIF_STORAGE_NVME && bytes > 0 && isfinite(jb->tau_s)) {
        /* the upload must finish before the next one starts: the interval is at least the upload */
        double up = bytes / share;
        if (jb->tau_s * jb->base_slow < up)
            jb->tau_s = up / jb->base_slow;
    }
}

/* ------------------------------------------------------------ run and stop */

static void run_add(sim *s, int j)
{
    s->run_pos[j] = s->n_run;
    s->running[s->n_run++] = j;
}
static void run_remove(sim *s, int j)
{
    int p = s->run_pos[j], last = s->running[--s->n_run];
    s->running[p] = last;
    s->run_pos[last] = p;
    s->run_pos[j] = -1;
}

static void schedule_demote(sim *s, int j);
static void count_placement(sim *s, int j);

/* A running job's GPUs count as computing (for power) outside its setup, for the
 * share tau slow / (tau slow + w) of its checkpoint cycle. */
static void comp_on(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    double cyc = jb->tau_s * jb->slow;
    jb->computing = jb->gpus * (isfinite(cyc) && jb->w_s > 0 ? cyc / (cyc + jb->w_s) : 1);
    if (jb->kind == AIF_JOB_SERVE && s->in->serve_power_ratio > 0)
        jb->computing *= s->in->serve_power_ratio;   /* a serving GPU draws what the serving model says */
    s->comp_gpus += jb->computing;
}
static void comp_off(sim *s, int j)
{
    s->comp_gpus -= s->jobs[j].computing;
    s->jobs[j].computing = 0;
    if (s->comp_gpus < 0.5 && s->busy_gpus == 0)
        s->comp_gpus = 0;   /* no drift of the running sum */
}

/* Starts a new regime of running job j at now with setup d and unsaved progress u0. */
static void regime_start(sim *s, int j, double d, double u0)
{
    sjob *jb = &s->jobs[j];
    jb->t0_s = s->now;
    jb->d_s = d;
    jb->u0_s = u0;
    jb->slow = current_slow(s, j);
    jb->version++;
    push(s, regime_end(jb), E_END, j, jb->version);
    if (d > 0)
        push(s, s->now + d, E_SETUP_DONE, j, jb->version);
    else
        comp_on(s, j);
    if (s->op->policy == AIF_POLICY_LAS)
        schedule_demote(s, j);
}

/* Closes the running regime at now: saves what was checkpointed; keep_unsaved
 * keeps the unsaved progress (a checkpoint on preemption, a speed change),
 * else it is lost.  Returns the unsaved progress. */
static double regime_close(sim *s, int j, bool keep_unsaved)
{
    sjob *jb = &s->jobs[j];
    double saved, unsaved;
    long writes;
    regime_at(jb, s->now, &saved, &unsaved, &writes);
    double H = s->now - jb->t0_s;
    comp_off(s, j);
    jb->done_s += saved;
    s->ckpt_gpu_s += (double)jb->gpus * writes * jb->w_s;
    if (!keep_unsaved) {
        double lost = saved > 0 ? H - writes * jb->w_s - (saved - jb->u0_s) * jb->slow : H + jb->u0_s * jb->slow;
        if (lost < 0)
            lost = 0;
        s->lost_gpu_s += (double)jb->gpus * lost;
        jb->u0_s = 0;
        return 0;
    }
    if (saved > 0)
        jb->u0_s = 0;
    return unsaved;
}

static void hold_account(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    double dt = s->now - jb->held_since_s;
    jb->attained_gpu_s += dt * jb->gpus;
    s->held_gpu_s += dt * jb->gpus;
    if (s->tenant_gpu_s)
        s->tenant_gpu_s[s->tenant_map[j]] += dt * jb->gpus;
    jb->held_since_s = s->now;
}

/* Tenant t's holding changes by dg GPUs: its reservation's use, the unused
 * reservations and its peak follow. */
static void tenant_hold(sim *s, int t, long dg)
{
    long h = s->tenant_held[t], r = s->tenant_resv[t];
    s->tenant_resv_int[t] += (double)(h < r ? h : r) * (s->now - s->tenant_t_last[t]);
    s->tenant_t_last[t] = s->now;
    s->resv_unused -= h < r ? r - h : 0;
    h += dg;
    s->tenant_held[t] = h;
    s->resv_unused += h < r ? r - h : 0;
    if (h > s->tenant_peak[t])
        s->tenant_peak[t] = h;
}

static void start_job(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    jb->state = J_RUN;
    s->n_waiting--;
    s->busy_gpus += jb->gpus;
    tenant_hold(s, s->tenant_map[j], jb->gpus);
    placement_count(s, j);
    links_move(s, j, 1);
    placement_slow(s, j, true);
    run_add(s, j);
    count_placement(s, j);
    checkpoint_plan(s, j);
    double setup = 0;
    if (jb->first_start_s < 0) {
        jb->first_start_s = s->now;
        if (s->in->start_s)
            s->in->start_s[j] = s->now;
    } else {
        setup = s->op->restart_s + (jb->done_s > 0 ? jb->read_s : 0);
    }
    jb->held_since_s = s->now;
    regime_start(s, j, setup, jb->u0_s);
}

static void queue_insert(sim *s, int j);
/* Back to the queue: at once, or with the batch of a preemption decision's walk. */
static void enqueue(sim *s, int j)
{
    if (s->defer_queue)
        s->requeue[s->n_requeue++] = j;
    else
        queue_insert(s, j);
}

/* Stops running job j: back to the queue (requeue), or paused. */
static void stop_job(sim *s, int j, bool keep_unsaved, int new_state)
{
    sjob *jb = &s->jobs[j];
    hold_account(s, j);
    double u = regime_close(s, j, keep_unsaved);
    if (keep_unsaved) {
        jb->done_s += u;   /* a checkpoint on preemption */
        jb->u0_s = 0;
    }
    jb->version++;
    run_remove(s, j);
    links_move(s, j, -1);
    csim_release(s, j);
    s->busy_gpus -= jb->gpus;
    tenant_hold(s, s->tenant_map[j], -jb->gpus);
    if (jb->elastic)
        jb->gpus = jb->min_g;   /* waits at its smallest size; starts with what is free then */
    jb->state = new_state;
    if (new_state == J_WAIT) {
        s->n_waiting++;
        enqueue(s, j);
    }
    s->bf_valid = false;
}

static void finish_job(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    double saved, unsaved;
    long writes;
    regime_at(jb, s->now, &saved, &unsaved, &writes);
    s->ckpt_gpu_s += (double)jb->gpus * writes * jb->w_s;
    hold_account(s, j);
    comp_off(s, j);
    jb->done_s = jb->dur_s;
    jb->end_s = s->now;
    jb->state = J_DONE;
    jb->version++;
    run_remove(s, j);
    links_move(s, j, -1);
    csim_release(s, j);
    s->busy_gpus -= jb->gpus;
    tenant_hold(s, s->tenant_map[j], -jb->gpus);
    s->ended++;
    if (s->in->end_s)
        s->in->end_s[j] = s->now;
}

/* Re-times running job j (a speed change): progress kept, a new regime from now. */
static void retime(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    double slow = current_slow(s, j);
    if (slow == jb->slow)
        return;
    double u = regime_close(s, j, true);
    regime_start(s, j, jb->t0_s + jb->d_s > s->now ? jb->t0_s + jb->d_s - s->now : 0, u);
}

/* ------------------------------------------------------------------ queue */

/* A waiting job's place in the queue: the key of the policy (smaller first), which
 * does not change while it waits (priority, duration, remaining time, LAS queue);
 * ties by submit time, then id.  FIFO and fair share: 0 (arrival order). */
static double policy_key(const sim *s, int j)
{
    const sjob *x = &s->jobs[j];
    switch (s->op->policy) {
    case AIF_POLICY_BACKFILL:
        return -(double)x->priority;
    case AIF_POLICY_SJF:
        return x->dur_s;
    case AIF_POLICY_SRTF:
        return x->dur_s - x->done_s;
    case AIF_POLICY_LAS:
        return x->las_queue;
    default:
        return 0;
    }
}

/* Sorts job ids by (key[id], id) in place: a heap sort, which needs no context
 * global (qsort has no context argument) and no buffer. */
static bool id_less(const double *key, int a, int b) { return key[a] < key[b] || (key[a] == key[b] && a < b); }
static void sift(int *v, int i, int n, const double *key)
{
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && id_less(key, v[c], v[c + 1]))
            c++;
        if (!id_less(key, v[i], v[c]))
            return;
        int x = v[i];
        v[i] = v[c];
        v[c] = x;
        i = c;
    }
}
static void sort_ids(int *v, int n, const double *key)
{
    for (int i = n / 2 - 1; i >= 0; i--)
        sift(v, i, n, key);
    for (int e = n - 1; e > 0; e--) {
        int x = v[0];
        v[0] = v[e];
        v[e] = x;
        sift(v, 0, e, key);
    }
}

static double dyn_key(const sim *s, int j)
{
    const sjob *jb = &s->jobs[j];
    switch (s->op->policy) {
    case AIF_POLICY_FAIRSHARE:
        return s->tenant_gpu_s[s->tenant_map[j]] / s->tenant_weight[s->tenant_map[j]];
    case AIF_POLICY_SRTF: {
        double rem = jb->dur_s - jb->done_s;
        if (jb->state == J_RUN) {
            double sv, un;
            long w;
            regime_at(jb, s->now, &sv, &un, &w);
            rem -= sv + un;
        }
        return rem;
    }
    case AIF_POLICY_LAS:
        return jb->las_queue;
    default:
        return 0;
    }
}

static bool waiting_at(const sim *s, int i)
{
    const qslot *q = &s->queue[i];
    return s->jobs[q->job].state == J_WAIT && s->jobs[q->job].qgen == q->gen;
}

static void queue_compact(sim *s)
{
    int m = 0;
    for (int i = 0; i < s->n_q; i++)
        if (waiting_at(s, i))
            s->queue[m++] = s->queue[i];
    s->n_q = m;
}

/* The slot order: the key it entered with, then submit time, then id. */
static bool slot_before(const sim *s, const qslot *a, const qslot *b)
{
    if (a->key != b->key)
        return a->key < b->key;
    const sjob *x = &s->jobs[a->job], *y = &s->jobs[b->job];
    if (x->submit_s != y->submit_s)
        return x->submit_s < y->submit_s;
    return a->job < b->job;
}

static void queue_insert(sim *s, int j)
{
    /* the new generation first: j's old entry (from before it ran) is stale before a
     * compaction, which then always leaves room (at most n_jobs - 1 others wait) */
    int gen = ++s->jobs[j].qgen;
    if (s->n_q >= s->n_jobs)
        queue_compact(s);
    /* binary search for the policy's order; fair share sorts at each pass, so its
     * queue is in arrival order and a job goes to its end */
    bool dynamic = s->op->policy == AIF_POLICY_FAIRSHARE;
    qslot q = {policy_key(s, j), j, gen};
    int lo = dynamic ? s->n_q : 0, hi = s->n_q;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (slot_before(s, &s->queue[mid], &q))
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(s->queue + lo + 1, s->queue + lo, sizeof *s->queue * (size_t)(s->n_q - lo));
    s->queue[lo] = q;
    s->n_q++;
}

/* Queues the jobs of s->requeue together: sorted among themselves (a heap sort),
 * then merged into the queue from its end in one pass, O(n_q + m
 * log m) where m inserts one by one would move the queue m times.  The caller
 * leaves room (n_q + m <= n_jobs). */
static void queue_insert_batch(sim *s)
{
    int m = s->n_requeue;
    s->n_requeue = 0;
    if (m == 0)
        return;
    int *v = s->requeue;
    for (int i = 0; i < m; i++) {
        s->jobs[v[i]].qgen++;
        s->scratch_d[v[i]] = policy_key(s, v[i]);
    }
    sort_ids(v, m, s->scratch_d);   /* (key, id) is the slot order: ids are in submit order */
    int i = s->n_q - 1, k = m - 1, w = s->n_q + m - 1;
    while (k >= 0) {
        qslot qk = {policy_key(s, v[k]), v[k], s->jobs[v[k]].qgen};
        if (i >= 0 && slot_before(s, &qk, &s->queue[i]))
            s->queue[w--] = s->queue[i--];
        else
            s->queue[w--] = qk, k--;
    }
    s->n_q += m;
}

/* ------------------------------------------------------------- scheduling */

/* Whether the facility power allows `more` GPUs computing during a curtailment. */
static bool power_allows(const sim *s, int more)
{
    if (!s->curtail_on || s->op->curtail_mode != AIF_CURTAIL_PAUSE)
        return true;
    return s->in->idle_W + (s->busy_gpus + more) * s->in->busy_gpu_W <= s->op->curtail_cap_W;
}

/* Whether job j's tenant may hold its GPUs on top of what it holds: within its
 * quota, and leaving free at least the other tenants' unused reservations (a
 * reservation is never lent, so its tenant finds it free; docs/CLUSTER.md). */
static bool quota_allows(const sim *s, int j)
{
    int t = s->tenant_map[j], q = s->tenant_quota[t];
    long g = s->jobs[j].gpus, h = s->tenant_held[t], r = s->tenant_resv[t];
    if (q > 0 && h + g > q)
        return false;
    if (s->resv_unused == 0)
        return true;
    long own = h < r ? r - h : 0, own_after = h + g < r ? r - (h + g) : 0;
    return s->free_gpus - g >= s->resv_unused - own + own_after;
}

/* Whole free nodes of the cluster now. */
static long full_nodes(const sim *s)
{
    long f = 0;
    for (int p = 0; p * s->tp.pod_nodes < s->tp.nodes; p++)
        f += s->pod_full[p];
    return f;
}

/* GPUs job j's tenant may add now (quota, the other tenants' unused reservations,
 * a paused curtailment's power), at most `want`. */
static long tenant_room(const sim *s, int j, long want)
{
    int t = s->tenant_map[j];
    long h = s->tenant_held[t], r = s->tenant_resv[t], own = h < r ? r - h : 0;
    long room = s->free_gpus - (s->resv_unused - own);
    if (s->tenant_quota[t] > 0 && s->tenant_quota[t] - h < room)
        room = s->tenant_quota[t] - h;
    if (s->curtail_on && s->op->curtail_mode == AIF_CURTAIL_PAUSE && s->in->busy_gpu_W > 0) {
        double p = (s->op->curtail_cap_W - s->in->idle_W) / s->in->busy_gpu_W - s->busy_gpus;
        if (p < room)
            room = p > 0 ? (long)p : 0;
    }
    return room < want ? room : want;
}

/* The size waiting elastic job j starts with: what is free within its bounds (up
 * to its request while other jobs wait, so that it takes nothing they could use)
 * and its tenant's room, where a placement can find it (one node's free GPUs, or
 * whole free nodes); below min_g when that is not there. */
static int elastic_start_size(const sim *s, int j)
{
    const sjob *jb = &s->jobs[j];
    long room = tenant_room(s, j, s->n_waiting > 1 ? jb->g0 : jb->max_g), gpn = s->tp.gpn;
    long one = room < s->seg[1] ? room : s->seg[1];   /* the most free GPUs on one node */
    long many = room > gpn ? (room < full_nodes(s) * gpn ? room : full_nodes(s) * gpn) : 0;
    return (int)(many > one ? many : one);
}

static bool try_start(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    if (jb->elastic)
        jb->gpus = fit_size(s, jb, elastic_start_size(s, j));
    int tf;
    bool ok = power_allows(s, jb->gpus) && quota_allows(s, j) && csim_place(s, j, &tf);
    if (!ok && jb->elastic && jb->gpus > jb->min_g) {
        jb->gpus = jb->min_g;
        ok = power_allows(s, jb->gpus) && quota_allows(s, j) && csim_place(s, j, &tf);
    }
    if (!ok) {
        if (jb->elastic)
            jb->gpus = jb->min_g;
        return false;
    }
    start_job(s, j);
    return true;
}

/* Resizes running elastic job j to g GPUs: a checkpoint (its progress kept), its
 * GPUs given back and g taken (its old size again where g cannot be placed; back to
 * the queue in the rare case neither can), then a restart of elastic_resize_s plus
 * the checkpoint's read. */
static void resize_job(sim *s, int j, int g)
{
    sjob *jb = &s->jobs[j];
    int old = jb->gpus, t = s->tenant_map[j];
    hold_account(s, j);
    jb->done_s += regime_close(s, j, true);
    jb->u0_s = 0;
    jb->version++;
    run_remove(s, j);
    links_move(s, j, -1);
    csim_release(s, j);
    s->busy_gpus -= old;
    tenant_hold(s, t, -old);
    s->bf_valid = false;
    int tf;
    jb->gpus = g;
    if (!csim_place(s, j, &tf)) {
        jb->gpus = old;
        if (!csim_place(s, j, &tf)) {
            jb->gpus = jb->min_g;
            jb->state = J_WAIT;
            s->n_waiting++;
            enqueue(s, j);
            s->r->requeues++;
            return;
        }
    }
    s->r->resizes++;
    s->busy_gpus += jb->gpus;
    tenant_hold(s, t, jb->gpus);
    placement_count(s, j);
    links_move(s, j, 1);
    placement_slow(s, j, true);
    run_add(s, j);
    checkpoint_plan(s, j);
    jb->held_since_s = s->now;
    regime_start(s, j, s->op->elastic_resize_s + (jb->done_s > 0 ? jb->read_s : 0), 0);
}

/* Waiting job j did not start: running elastic jobs give GPUs back so that it
 * fits.  What a job took beyond its request is lent and goes back to any waiting
 * job; under backfill (priority order) a job of lower priority than j also shrinks
 * to its min_g instead of being passed over.  True when j then started. */
static bool elastic_reclaim(sim *s, int j)
{
    if (!s->n_elastic)
        return false;
    sjob *w = &s->jobs[j];
    int t = s->tenant_map[j];
    long g = w->elastic ? w->min_g : w->gpus, need = g - s->free_gpus;
    if (need <= 0 || (s->tenant_quota[t] > 0 && s->tenant_held[t] + g > s->tenant_quota[t]) ||
        !power_allows(s, (int)g))
        return false;
    long lend = 0;
    int m = 0;
    for (int i = 0; i < s->n_run; i++) {
        const sjob *k = &s->jobs[s->running[i]];
        if (!k->elastic)
            continue;
        int floor = s->op->policy == AIF_POLICY_BACKFILL && k->priority < w->priority ? k->min_g
                    : k->g0 > k->min_g                                                ? k->g0
                                                                                      : k->min_g;
        if (k->gpus > floor) {
            lend += k->gpus - floor;
            s->el_scratch[m++] = s->running[i];
        }
    }
    if (lend < need)
        return false;
    for (int i = 0; i < m && need > 0; i++) {
        sjob *k = &s->jobs[s->el_scratch[i]];
        int floor = s->op->policy == AIF_POLICY_BACKFILL && k->priority < w->priority ? k->min_g
                    : k->g0 > k->min_g                                                ? k->g0
                                                                                      : k->min_g;
        long d = k->gpus - floor < need ? k->gpus - floor : need;
        int to = fit_size(s, k, k->gpus - d);   /* whole units: it may give back a little more */
        if (to < floor)
            to = floor;
        need -= k->gpus - to;
        resize_job(s, s->el_scratch[i], to);
    }
    return try_start(s, j);
}

/* With nobody waiting, running elastic jobs grow into the free GPUs, each only
 * where its remaining run at the larger size plus the resize is shorter than at
 * its size now. */
static void elastic_grow(sim *s)
{
    int m = 0;
    for (int i = 0; i < s->n_run; i++)
        if (s->jobs[s->running[i]].elastic && s->jobs[s->running[i]].gpus < s->jobs[s->running[i]].max_g)
            s->el_scratch[m++] = s->running[i];
    for (int i = 0; i < m && s->free_gpus > 0; i++) {
        int j = s->el_scratch[i];
        sjob *jb = &s->jobs[j];
        long gpn = s->tp.gpn, target = jb->gpus + tenant_room(s, j, jb->max_g - jb->gpus);
        /* where it can be placed after giving back its own GPUs */
        long one = 0, many = 0;
        if (jb->gpus <= gpn) {
            int n = jb->first_gpu / (int)gpn;
            one = jb->gpus + s->nfree[n] > s->seg[1] ? jb->gpus + s->nfree[n] : s->seg[1];
        }
        many = (full_nodes(s) + jb->gpus / gpn) * gpn;
        long cap = many > one ? many : one;
        if (target > cap)
            target = cap;
        target = fit_size(s, jb, target);
        if (target <= jb->gpus)
            continue;
        double sv, un;
        long w;
        regime_at(jb, s->now, &sv, &un, &w);
        double left = jb->dur_s - jb->done_s - sv - un;
        double sp_now = elastic_speed(s, jb), g = jb->gpus;
        jb->gpus = (int)target;
        double sp_new = elastic_speed(s, jb);
        jb->gpus = (int)g;
        double read = jb->read_s;   /* about: the read at the new size is shorter */
        if (s->op->elastic_resize_s + read + left * jb->slow * sp_now / sp_new < left * jb->slow)
            resize_job(s, j, (int)target);
    }
}

/* Units of the head's reservation: whole free nodes for a multi-node head, else GPUs. */
static long head_units_now(const sim *s, int head)
{
    if (s->jobs[head].gpus <= s->tp.gpn)
        return s->free_gpus;
    long f = 0;
    for (int p = 0; p * s->tp.pod_nodes < s->tp.nodes; p++)
        f += s->pod_full[p];
    return f;
}
static long job_units(const sim *s, int head, int j)
{
    return s->jobs[head].gpus <= s->tp.gpn ? s->jobs[j].gpus : (s->jobs[j].gpus + s->tp.gpn - 1) / s->tp.gpn;
}


/* A min-heap of job ids by (key, id): the reservation pops only the ends it needs. */
static void sift_min(int *v, int i, int n, const double *key)
{
    for (;;) {
        int c = 2 * i + 1;
        if (c >= n)
            return;
        if (c + 1 < n && id_less(key, v[c + 1], v[c]))
            c++;
        if (!id_less(key, v[c], v[i]))
            return;
        int x = v[i];
        v[i] = v[c];
        v[c] = x;
        i = c;
    }
}

static void reserve(sim *s, int head)
{
    long need = job_units(s, head, head), have = head_units_now(s, head);
    int n = s->n_run;
    for (int i = 0; i < n; i++) {
        int j = s->running[i];
        s->scratch[i] = j;
        s->scratch_d[j] = regime_end(&s->jobs[j]);
    }
    for (int i = n / 2 - 1; i >= 0; i--)
        sift_min(s->scratch, i, n, s->scratch_d);
    s->bf_T = INFINITY;
    while (n > 0 && have < need) {   /* the running jobs in end order, until the head's units are free */
        int j = s->scratch[0];
        have += job_units(s, head, j);
        s->bf_T = s->scratch_d[j];
        s->scratch[0] = s->scratch[--n];
        sift_min(s->scratch, 0, n, s->scratch_d);
    }
    if (have < need)
        s->bf_T = INFINITY;
    else if (s->bf_T == INFINITY)
        s->bf_T = s->now;
    s->bf_E = have - need;
    s->bf_head = head;
    s->bf_valid = true;
    if (s->jobs[head].reserved_s < 0) {
        s->jobs[head].reserved_s = s->bf_T;
        if (s->in->reserved_s)
            s->in->reserved_s[head] = s->bf_T;
    }
}

static void pass_static(sim *s)
{
    int depth = s->op->queue_depth, seen = 0, head = -1;
    for (int i = 0; i < s->n_q && seen < depth && s->free_gpus > 0; i++) {
        if (!waiting_at(s, i))
            continue;
        int j = s->queue[i].job;
        if (!quota_allows(s, j))   /* held by its tenant's quota: neither the head nor a blocker */
            continue;
        seen++;
        if (head < 0) {
            if (try_start(s, j) || elastic_reclaim(s, j))
                continue;
            if (s->op->policy == AIF_POLICY_FIFO)
                return;
            if (s->op->policy != AIF_POLICY_BACKFILL)
                continue;
            head = j;
            if (!s->bf_valid || s->bf_head != head)
                reserve(s, head);
            continue;
        }
        if (s->op->policy != AIF_POLICY_BACKFILL) {
            if (!try_start(s, j))
                elastic_reclaim(s, j);
            continue;
        }
        /* EASY backfill: start j only if it ends before the reservation or uses spare units */
        if (!power_allows(s, s->jobs[j].gpus) || s->jobs[j].gpus > s->free_gpus)
            continue;
        /* cheap refusal before placing: it cannot end before T (its run at full speed
         * is a lower bound) and its units (exact for a multi-node job or a GPU-unit
         * head; at least 0 otherwise) exceed the spare ones */
        bool exact_units = s->jobs[head].gpus <= s->tp.gpn || s->jobs[j].gpus > s->tp.gpn;
        if (s->now + s->jobs[j].dur_s - s->jobs[j].done_s - s->jobs[j].u0_s > s->bf_T && exact_units &&
            job_units(s, head, j) > s->bf_E)
            continue;
        sjob *jb = &s->jobs[j];
        if (jb->gpus <= s->tp.gpn) {
            /* a one-node job: decided before taking anything (its node is known, its factor 1) */
            int n = csim_pick_node(s, jb->gpus);
            if (n < 0)
                continue;
            long used = s->jobs[head].gpus <= s->tp.gpn ? jb->gpus : s->nfree[n] == s->tp.gpn;
            checkpoint_plan(s, j);
            sjob probe = *jb;
            probe.t0_s = s->now;
            probe.d_s = jb->first_start_s < 0 ? 0 : s->op->restart_s + (jb->done_s > 0 ? jb->read_s : 0);
            probe.slow = s->throttle * (s->op->straggler_per_day > 0 && s->slowc[n] ? s->op->straggler_slowdown : 1) /
                         elastic_speed(s, jb);
            bool ok = regime_end(&probe) <= s->bf_T;
            if (!ok && used <= s->bf_E) {
                s->bf_E -= used;
                ok = true;
            }
            if (ok) {
                int tf;
                csim_place(s, j, &tf);
                start_job(s, j);
            }
            continue;
        }
        long before_units = head_units_now(s, head);
        int tf;
        if (!csim_place(s, j, &tf))
            continue;
        long used = before_units - head_units_now(s, head);
        /* its end if started now, without failures */
        placement_slow(s, j, false);
        checkpoint_plan(s, j);
        sjob probe = *jb;
        probe.t0_s = s->now;
        probe.d_s = jb->first_start_s < 0 ? 0 : s->op->restart_s + (jb->done_s > 0 ? jb->read_s : 0);
        probe.slow = current_slow(s, j);
        double end = regime_end(&probe);
        if (end <= s->bf_T) {
            start_job(s, j);
        } else if (used <= s->bf_E) {
            s->bf_E -= used;
            start_job(s, j);
        } else {
            csim_release(s, j);
        }
    }
}

/* One job of a preemption decision, in the key's order: admitted while the GPUs
 * add up (beyond reservations, within the unreserved GPUs; within the quota and
 * queue_depth); a running job not admitted shrinks to min_g where that is admitted
 * (elastic), else is preempted. */
typedef struct admit { long cap_shared, used; int depth; } admit;
static void admit_one(sim *s, admit *ad, int j)
{
    int t = s->tenant_map[j];
    if (s->jobs[j].state != J_RUN && !quota_allows(s, j))
        return;   /* held by its tenant's quota or others' reservations: displaces no running job */
    long g = s->jobs[j].gpus, a = s->tenant_adm[t], r = s->tenant_resv[t];
    long over = (a + g > r ? a + g - r : 0) - (a > r ? a - r : 0);
    bool fits = ad->used + over <= ad->cap_shared && ad->depth < s->op->queue_depth &&
                (s->tenant_quota[t] <= 0 || a + g <= s->tenant_quota[t]);
    if (fits) {
        ad->used += over, s->tenant_adm[t] += g, ad->depth++;
        return;
    }
    if (s->jobs[j].state != J_RUN)
        return;
    if (s->jobs[j].elastic && s->jobs[j].gpus > s->jobs[j].min_g) {
        /* an elastic job shrinks to its min_g where that is admitted, instead of being preempted */
        long gm = s->jobs[j].min_g, om = (a + gm > r ? a + gm - r : 0) - (a > r ? a - r : 0);
        if (ad->used + om <= ad->cap_shared && ad->depth < s->op->queue_depth) {
            ad->used += om, s->tenant_adm[t] += gm, ad->depth++;
            resize_job(s, j, (int)gm);
            return;
        }
    }
    s->jobs[j].stamp = s->pass_epoch;
    stop_job(s, j, true, J_WAIT);
    s->r->preemptions++;
}

static admit admit_begin(sim *s)
{
    s->next_preempt_s = s->now + s->op->preempt_interval_s;
    s->pass_epoch++;
    int last = s->tp.nodes - 1;   /* the GPUs in service; the last node may hold fewer */
    long cap = (long)(s->tp.nodes - s->n_down) * s->tp.gpn - (s->down[last] ? 0 : s->tp.gpn - csim_node_gpus(s, last));
    int nt = s->in->jobs->n_tenants > 0 ? s->in->jobs->n_tenants : 1;
    for (int t = 0; t < nt; t++)
        s->tenant_adm[t] = 0;
    admit ad = {cap - s->resv_total, 0, 0};
    return ad;
}

/* SRTF and LAS, the fast path: a waiting job's key does not change while it waits
 * (its remaining time, its LAS queue), so the queue is already in the key's order;
 * only the running jobs are sorted (O(r log r)), then merged with the queue.  The
 * walk through the queue stops as soon as no later waiting job can be admitted
 * (queue_depth admitted, or every unreserved GPU taken where no tenant reserves),
 * so a decision costs O(r log r + what it admits), not a sort of every waiting job.
 * Decides exactly as pass_dynamic (tests/test_cluster.c runs both). */
static void pass_preempt(sim *s)
{
    if (s->n_q + s->n_run > s->n_jobs)
        queue_compact(s);   /* the preempted jobs' entries then fit without a compaction mid-walk */
    int nr = s->n_run;
    for (int i = 0; i < nr; i++) {
        int j = s->running[i];
        s->scratch[i] = j;
        s->scratch_d[j] = dyn_key(s, j);
    }
    sort_ids(s->scratch, nr, s->scratch_d);
    admit ad = admit_begin(s);
    int qi = 0, ri = 0;
    s->defer_queue = true;   /* the walk reads the queue: the preempted join it after (queue_insert_batch) */
    for (;;) {
        /* a preempted job's new entry (at or after qi: its key is not below the walk's) is skipped */
        while (qi < s->n_q && (!waiting_at(s, qi) || s->jobs[s->queue[qi].job].stamp == s->pass_epoch))
            qi++;
        bool wait_done = qi >= s->n_q || ad.depth >= s->op->queue_depth ||
                         (s->resv_total == 0 && ad.used >= ad.cap_shared);
        if (wait_done && ri >= nr)
            break;
        int j;
        if (ri < nr && (wait_done || s->scratch_d[s->scratch[ri]] < s->queue[qi].key ||
                        (s->scratch_d[s->scratch[ri]] == s->queue[qi].key && s->scratch[ri] < s->queue[qi].job)))
            j = s->scratch[ri++];
        else
            j = s->queue[qi++].job;
        admit_one(s, &ad, j);
    }
    s->defer_queue = false;
    queue_insert_batch(s);
    int seen = 0;
    for (int i = 0; i < s->n_q && seen < s->op->queue_depth && s->free_gpus > 0; i++) {
        if (!waiting_at(s, i))
            continue;
        int j = s->queue[i].job;
        seen++;
        if (!try_start(s, j))
            elastic_reclaim(s, j);
    }
}

/* Fair share, SRTF and LAS: the order is computed at each pass; SRTF and LAS
 * preempt running jobs that the order no longer admits.  For SRTF and LAS this is
 * the slow reference of pass_preempt (every waiting and running job sorted at
 * each decision). */
static void pass_dynamic(sim *s)
{
    int n = 0;
    /* preemption is decided at most once per preempt_interval (Tiresias' scheduling
     * interval): between, jobs start in order without stopping others */
    bool preempt = (s->op->policy == AIF_POLICY_SRTF || s->op->policy == AIF_POLICY_LAS) &&
                   s->now >= s->next_preempt_s;
    for (int i = 0; i < s->n_q; i++)
        if (waiting_at(s, i))
            s->scratch[n++] = s->queue[i].job;
    int n_wait = n;
    if (!n_wait)
        return;
    if (preempt)
        for (int i = 0; i < s->n_run; i++)
            s->scratch[n++] = s->running[i];
    if (s->op->policy == AIF_POLICY_FAIRSHARE && s->now >= s->next_preempt_s) {
        /* the tenants' usage with running jobs' share so far, refreshed once per preempt_interval */
        s->next_preempt_s = s->now + s->op->preempt_interval_s;
        for (int i = 0; i < s->n_run; i++)
            hold_account(s, s->running[i]);
    }
    for (int i = 0; i < n; i++)
        s->scratch_d[s->scratch[i]] = dyn_key(s, s->scratch[i]);
    sort_ids(s->scratch, n, s->scratch_d);   /* ties: id order, which is submit order */
    if (preempt) {
        admit ad = admit_begin(s);
        for (int i = 0; i < n; i++)
            admit_one(s, &ad, s->scratch[i]);
    }
    int seen = 0;
    for (int i = 0; i < n && seen < s->op->queue_depth && s->free_gpus > 0; i++) {
        int j = s->scratch[i];
        if (s->jobs[j].state != J_WAIT)
            continue;
        seen++;
        if (!try_start(s, j))
            elastic_reclaim(s, j);
    }
}

static void schedule_pass(sim *s);
static void schedule(sim *s)
{
    schedule_pass(s);
    if (s->n_elastic && s->n_waiting == 0 && s->free_gpus > 0)
        elastic_grow(s);
}

static void schedule_pass(sim *s)
{
    /* the queue is kept in policy order except under fair share, whose keys move with
     * the tenants' usage; SRTF and LAS sort waiting and running jobs together only
     * when they may preempt, which they may on a full cluster too */
    bool preemptive = s->op->policy == AIF_POLICY_SRTF || s->op->policy == AIF_POLICY_LAS;
    bool may_preempt = preemptive && s->now >= s->next_preempt_s;
    if (s->n_waiting <= 0 || (s->free_gpus <= 0 && !may_preempt))
        return;
    if (may_preempt && !s->in->reference)
        pass_preempt(s);
    else if (s->op->policy == AIF_POLICY_FAIRSHARE || may_preempt)
        pass_dynamic(s);
    else
        pass_static(s);
}

/* LAS: the time job j's attained service crosses its queue's limit. */
static void schedule_demote(sim *s, int j)
{
    sjob *jb = &s->jobs[j];
    if (jb->las_queue >= s->op->las_queues - 1)
        return;
    hold_account(s, j);
    double limit = s->op->las_threshold_s * pow(10, jb->las_queue);
    double dt = (limit - jb->attained_gpu_s) / jb->gpus;
    push(s, s->now + (dt > 0 ? dt : 0), E_DEMOTE, j, jb->version);
}

/* -------------------------------------------------------------- failures */

static double class_count(const sim *s, int c)
{
    if (c == AIF_N_FAIL)
        return s->tp.gpus;   /* stragglers */
    if (c == AIF_FAIL_GPU || c == AIF_FAIL_HBM)
        return s->tp.gpus;
    if (c == AIF_FAIL_NIC)
        return (double)s->tp.nodes * s->tp.nics_per_node;
    return s->tp.nodes;
}
static double class_rate_per_day(const sim *s, int c)
{
    return c == AIF_N_FAIL ? s->op->straggler_per_day : s->op->fail_per_day[c];
}
static void next_failure(sim *s, int c)
{
    double rate = class_count(s, c) * class_rate_per_day(s, c) / 86400;
    if (rate > 0)
        push(s, s->now + expo(s, rate), E_FAIL, c, 0);
}

/* The distinct running jobs on node n, into out (at most gpn). */
static int jobs_on(const sim *s, int n, int *out)
{
    int k = 0;
    for (int g = n * s->tp.gpn; g < (n + 1) * s->tp.gpn; g++) {
        int j = s->owner[g];
        if (j < 0)
            continue;
        bool dup = false;
        for (int i = 0; i < k; i++)
            dup |= out[i] == j;
        if (!dup)
            out[k++] = j;
    }
    return k;
}

static void fail(sim *s, int c)
{
    int gpn = s->tp.gpn, node;
    if (c == AIF_N_FAIL || c == AIF_FAIL_GPU || c == AIF_FAIL_HBM)
        node = (int)(unif(s) * s->tp.gpus) / gpn;
    else
        node = (int)(unif(s) * s->tp.nodes);
    if (node >= s->tp.nodes)
        node = s->tp.nodes - 1;
    int *js = s->node_jobs;
    int k = jobs_on(s, node, js);
    if (c == AIF_N_FAIL) {   /* a straggler: jobs on the node slow down until it is found */
        if (s->down[node])
            return;
        s->slowc[node]++;
        push(s, s->now + s->op->straggler_s, E_STRAGGLE_END, node, 0);
        for (int i = 0; i < k; i++)
            retime(s, js[i]);
        return;
    }
    if (c == AIF_FAIL_SOFTWARE && k == 0)
        return;   /* software fails only where a job runs (thinning of the per-node rate) */
    if (s->down[node])
        return;   /* already drained: nothing runs there */
    s->r->failures++;
    s->r->failures_by_cause[c]++;
    bool drain = c == AIF_FAIL_GPU || c == AIF_FAIL_HBM || c == AIF_FAIL_NIC || c == AIF_FAIL_HOST;
    bool swap = drain && k > 0 && s->spares > 0;
    for (int i = 0; i < k; i++) {
        int j = js[i];
        s->r->interruptions++;
        s->r->by_cause[c]++;
        s->bf_valid = false;
        if (!drain || swap) {
            /* restart in place (a spare took the failed node's place) */
            hold_account(s, j);
            regime_close(s, j, false);
            sjob *jb = &s->jobs[j];
            regime_start(s, j, s->op->restart_s + (jb->done_s > 0 ? jb->read_s : 0), 0);
        } else {
            stop_job(s, j, false, J_WAIT);
            s->r->requeues++;
        }
    }
    if (swap) {
        s->spares--;
        s->r->spare_swaps++;
        push(s, s->now + s->op->repair_s[c], E_SPARE_BACK, node, 0);
    } else if (drain) {
        s->down[node] = 1;
        s->n_down++;
        csim_set_free(s, node, 0);
        push(s, s->now + s->op->repair_s[c], E_REPAIR, node, 0);
    }
}

/* ------------------------------------------------------------ curtailment */

static void curtail_on(sim *s)
{
    s->curtail_on = true;
    const aif_ops *op = s->op;
    double excess = s->in->idle_W + s->busy_gpus * s->in->busy_gpu_W - op->curtail_cap_W;
    if (excess <= 0)
        return;
    if (op->curtail_mode == AIF_CURTAIL_THROTTLE) {
        /* busy power scales with the clock cubed (docs/FACILITY.md); wall time with its inverse */
        double room = op->curtail_cap_W - s->in->idle_W, want = s->busy_gpus * s->in->busy_gpu_W;
        double c = room > 0 ? cbrt(room / want) : 0.05;
        if (c < 0.05)
            c = 0.05;
        s->throttle = 1 / c;
        for (int i = 0; i < s->n_run; i++)
            retime(s, s->running[i]);
        return;
    }
    /* pause: the lowest priority, then the latest started, until under the cap */
    while (excess > 0 && s->n_run > 0) {
        int pick = -1;
        for (int i = 0; i < s->n_run; i++) {
            int j = s->running[i];
            if (pick < 0 || s->jobs[j].priority < s->jobs[pick].priority ||
                (s->jobs[j].priority == s->jobs[pick].priority && s->jobs[j].t0_s > s->jobs[pick].t0_s))
                pick = j;
        }
        excess -= s->jobs[pick].gpus * s->in->busy_gpu_W;
        stop_job(s, pick, true, J_PAUSED);
        s->r->preemptions++;
    }
}

static void curtail_off(sim *s)
{
    s->curtail_on = false;
    if (s->throttle != 1) {
        s->throttle = 1;
        for (int i = 0; i < s->n_run; i++)
            retime(s, s->running[i]);
    }
    for (int j = 0; j < s->n_jobs; j++)
        if (s->jobs[j].state == J_PAUSED) {
            s->jobs[j].state = J_WAIT;
            s->n_waiting++;
            queue_insert(s, j);
        }
}

/* --------------------------------------------------------------- accounting */

static void series_fold(sim *s)
{
    aif_cluster_result *r = s->r;
    for (int i = 0; i < AIF_CLUSTER_SERIES / 2; i++) {
        r->util[i] = (r->util[2 * i] + r->util[2 * i + 1]) / 2;
        r->stalled[i] = (r->stalled[2 * i] + r->stalled[2 * i + 1]) / 2;
        r->queue[i] = (r->queue[2 * i] + r->queue[2 * i + 1]) / 2;
        r->down[i] = (r->down[2 * i] + r->down[2 * i + 1]) / 2;
    }
    for (int i = AIF_CLUSTER_SERIES / 2; i < AIF_CLUSTER_SERIES; i++)
        r->util[i] = r->stalled[i] = r->queue[i] = r->down[i] = 0;
    r->series_dt_s *= 2;
}

/* Adds the state between the last accounting time and now to the time integrals and the series. */
static void account(sim *s)
{
    double t0 = s->t_last, t1 = s->now;
    if (t1 <= t0)
        return;
    long down = s->n_down;
    double busy = (double)s->busy_gpus / s->tp.gpus, comp = s->comp_gpus / s->tp.gpus, dn = (double)down * s->tp.gpn / s->tp.gpus;
    double q = s->n_waiting;
    aif_cluster_result *r = s->r;
    while (t1 >= r->series_dt_s * AIF_CLUSTER_SERIES)
        series_fold(s);
    for (double a = t0; a < t1;) {
        int b = (int)(a / r->series_dt_s);
        if (b >= AIF_CLUSTER_SERIES)
            b = AIF_CLUSTER_SERIES - 1;
        double e = (b + 1) * r->series_dt_s;
        if (e > t1)
            e = t1;
        double w = (e - a) / r->series_dt_s;
        r->util[b] += busy * w;
        r->stalled[b] += (busy - comp) * w;
        r->queue[b] += q * w;
        r->down[b] += dn * w;
        if (e <= a)
            break;
        a = e;
    }
    s->util_int += busy * (t1 - t0);
    s->queue_int += q * (t1 - t0);
    if (s->free_gpus > 0) {
        s->frag_int += (double)s->free_partial / s->free_gpus * (t1 - t0);
        s->frag_w += t1 - t0;
    }
    s->t_last = t1;
}

/* ------------------------------------------------------------------ checks */

static aif_rc check(sim *s)
{
    int gpn = s->tp.gpn;
    long free_total = 0, partial = 0, busy = 0;
    for (int n = 0; n < s->tp.nodes; n++) {
        int f = 0;
        for (int g = n * gpn; g < (n + 1) * gpn; g++) {
            int j = s->owner[g];
            if (j < 0)
                f++;
            else if (j >= s->n_jobs || s->jobs[j].state != J_RUN)
                return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "GPU %d held by job %d, which is not running",
                                   g, j);
        }
        if (s->down[n])
            f = 0;
        if (f != s->nfree[n])
            return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "node %d: %d free GPUs counted, %d kept", n, f,
                               s->nfree[n]);
        free_total += f;
        partial += f > 0 && f < gpn ? f : 0;
    }
    if (free_total != s->free_gpus || partial != s->free_partial)
        return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "free GPUs %ld (partial %ld) kept as %ld (%ld)",
                           free_total, partial, s->free_gpus, s->free_partial);
    for (int l = 0; l * s->tp.leaf_nodes < s->tp.nodes; l++) {
        int c = 0;
        for (int n = l * s->tp.leaf_nodes; n < (l + 1) * s->tp.leaf_nodes && n < s->tp.nodes; n++)
            c += s->nfree[n] == gpn;
        if (c != s->leaf_full[l])
            return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "leaf %d: %d free nodes, %d kept", l, c,
                               s->leaf_full[l]);
    }
    int nt = s->in->jobs->n_tenants > 0 ? s->in->jobs->n_tenants : 1;
    long unused = s->resv_orphan, claimed = s->resv_orphan;   /* claimed: sum of max(held, reserved) */
    for (int t = 0; t < nt; t++) {
        long held = 0;
        for (int j = 0; j < s->n_jobs; j++)
            held += s->jobs[j].state == J_RUN && s->tenant_map[j] == t ? s->jobs[j].gpus : 0;
        if (held != s->tenant_held[t] || (s->tenant_quota[t] > 0 && held > s->tenant_quota[t]))
            return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "tenant %d holds %ld GPUs, kept as %ld (quota %d)",
                               t, held, s->tenant_held[t], s->tenant_quota[t]);
        unused += held < s->tenant_resv[t] ? s->tenant_resv[t] - held : 0;
        claimed += held > s->tenant_resv[t] ? held : s->tenant_resv[t];
    }
    /* no tenant holds another's reserved GPUs: holdings beyond reservations fit in the unreserved GPUs */
    if (unused != s->resv_unused || claimed > s->tp.gpus)
        return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "reservations: %ld GPUs unused (kept as %ld), "
                           "%ld GPUs held or reserved of %d", unused, s->resv_unused, claimed, s->tp.gpus);
    if (s->links) {   /* the uplinks' load equals a recount of the running multi-leaf jobs */
        for (int i = 0; i < s->n_run; i++) {
            const sjob *jb = &s->jobs[s->running[i]];
            if (jb->leaves > 1)
                for (int g = jb->first_gpu; g >= 0; g = s->gnext[g])
                    s->leaf_own[g / gpn / s->tp.leaf_nodes]++;
        }
        for (int l = 0; l < s->n_leaves; l++) {
            bool ok = s->leaf_own[l] == s->leaf_x[l];
            s->leaf_own[l] = 0;
            if (!ok)
                return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "leaf %d: uplink load %ld GPUs kept, "
                                   "recount differs", l, s->leaf_x[l]);
        }
        /* the flow-level model: no uplink carries more than its capacity, every running
         * job crossing a shared uplink has its flow */
        if (s->mm) {
            int nl = s->n_leaves + s->n_pods;
            for (int l = 0; l < nl; l++)
                s->link_load[l] = 0;
            for (int i = 0; i < s->n_run; i++) {   /* the shares in use, not the solver's own sums */
                int k = s->running[i], n = s->jobs[k].leaves > 1 && s->job_flow[k] >= 0 ? job_route(s, k) : 0;
                for (int r = 0; r < n; r++)
                    s->link_load[s->route[r]] += s->coef[r] * s->job_share[k];
            }
            for (int l = 0; l < nl; l++)
                if (s->link_load[l] > s->link_cap[l] * (1 + 1e-9))
                    return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "uplink %d carries %g GPUs' worth of "
                                       "traffic, over its capacity %g", l, s->link_load[l], s->link_cap[l]);
            /* the shares in use are the max-min allocation of the running set (the slow
             * reference solver from scratch: the skipped solves changed nothing), and the
             * closed form's share is a lower bound of each (what a backfill probe uses) */
            aif_mm_solve_reference(s->mm);
            for (int i = 0; i < s->n_run; i++) {
                int k = s->running[i], f = s->job_flow[k];
                if (f < 0)
                    continue;
                double ref = aif_mm_rate(s->mm, f), lower = link_share(s, k, true);
                if (fabs(ref - s->job_share[k]) > 1e-6 * ref || lower > s->job_share[k] * (1 + 1e-9))
                    return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "job %d's uplink share %.9g: a full "
                                       "max-min solve gives %.9g, the closed form %.9g", k, s->job_share[k], ref,
                                       lower);
            }
            for (int i = 0; i < s->n_run; i++) {
                int k = s->running[i];
                if (s->jobs[k].leaves > 1 && (s->job_flow[k] >= 0) != (job_route(s, k) > 0))
                    return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "job %d crosses shared uplinks %s a "
                                       "flow", k, s->job_flow[k] >= 0 ? "not as" : "without");
            }
        }
    }
    long ended = 0, waiting = 0;
    for (int j = 0; j < s->n_jobs; j++) {
        const sjob *jb = &s->jobs[j];
        if (jb->state == J_RUN) {
            int c = 0;
            for (int g = jb->first_gpu; g >= 0; g = s->gnext[g], c++)
                if (s->owner[g] != j)
                    return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "job %d lists GPU %d it does not own",
                                       j, g);
            if (c != jb->gpus)
                return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "job %d holds %d GPUs, needs %d", j, c,
                                   jb->gpus);
            busy += c;
        } else if (jb->first_gpu >= 0) {
            return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "job %d is not running and holds GPUs", j);
        }
        ended += jb->state == J_DONE;
        waiting += jb->state == J_WAIT;
    }
    if (busy != s->busy_gpus || ended != s->ended || waiting != s->n_waiting)
        return aif_err_set(s->err, AIF_EINTERNAL, NULL, 0, 0, "", "counts: busy %ld/%d, ended %ld/%ld, waiting %ld/%d",
                           busy, s->busy_gpus, ended, s->ended, waiting, s->n_waiting);
    return AIF_OK;
}

/* ------------------------------------------------------------------ results */

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void results(sim *s, double t_end)
{
    aif_cluster_result *r = s->r;
    double *jct = s->scratch_d;
    long n = 0;
    double wait = 0, ettr_num = 0, ettr_den = 0;
    long started = 0;
    for (int j = 0; j < s->n_jobs; j++) {
        sjob *jb = &s->jobs[j];
        if (jb->state == J_RUN) {   /* still running at the horizon: its progress counts */
            s->now = t_end;
            hold_account(s, j);
            double sv, un;
            long w;
            regime_at(jb, t_end, &sv, &un, &w);
            s->ckpt_gpu_s += (double)jb->gpus * w * jb->w_s;
            jb->done_s += sv + un;
        }
        if (jb->first_start_s >= 0) {
            started++;
            wait += jb->first_start_s - jb->submit_s;
            double until = jb->state == J_DONE ? jb->end_s : t_end;
            if (until > jb->first_start_s) {
                double e = jb->done_s * jb->base_slow / (until - jb->first_start_s);
                ettr_num += jb->gpus * (e < 1 ? e : 1) * (until - jb->first_start_s);
                ettr_den += jb->gpus * (until - jb->first_start_s);
            }
            s->useful_gpu_s += jb->gpus * jb->done_s * jb->base_slow;
        }
        if (jb->state == J_DONE)
            jct[n++] = jb->end_s - jb->submit_s;
    }
    r->jobs = s->n_jobs;
    r->jobs_ended = n;
    r->jobs_unfinished = s->n_jobs - n;
    double sum = 0;
    for (long i = 0; i < n; i++)
        sum += jct[i];
    qsort(jct, (size_t)n, sizeof *jct, dbl_cmp);
    r->jct_mean_s = n ? sum / n : 0;
    r->jct_p50_s = n ? jct[(long)(0.5 * (n - 1))] : 0;
    r->jct_p99_s = n ? jct[(long)(0.99 * (n - 1))] : 0;
    for (int d = 0; d <= 10 && n; d++)
        r->jct_decile_s[d] = jct[(long)(d / 10.0 * (n - 1))];
    r->queue_wait_mean_s = started ? wait / started : 0;
    r->makespan_s = t_end;
    r->gpu_utilization = t_end > 0 ? s->util_int / t_end : 0;
    r->fragmentation = s->frag_w > 0 ? s->frag_int / s->frag_w : 0;
    r->ettr = ettr_den > 0 ? ettr_num / ettr_den : 0;
    r->gpu_hours = s->held_gpu_s / 3600;
    r->goodput = s->held_gpu_s > 0 ? s->useful_gpu_s / s->held_gpu_s : 0;
    if (r->goodput > 1)
        r->goodput = 1;
    r->lost_gpu_hours = s->lost_gpu_s / 3600;
    r->ckpt_gpu_hours = s->ckpt_gpu_s / 3600;
    /* the series as shares per bucket; buckets past the end are dropped */
    int nb = (int)ceil(t_end / r->series_dt_s);
    r->n_series = nb < 1 ? 1 : nb > AIF_CLUSTER_SERIES ? AIF_CLUSTER_SERIES : nb;
    /* tenants: the largest first, the rest summed in the last row */
    const aif_job_list *jl = s->in->jobs;
    int nt = jl->n_tenants > 0 ? jl->n_tenants : 1;
    double total = s->held_gpu_s > 0 ? s->held_gpu_s : 1;
    for (int t = 0; t < nt; t++)
        s->scratch[t] = t;
    for (int a = 0; a < nt && a < AIF_CLUSTER_TENANTS; a++)   /* partial selection: few rows */
        for (int b = a + 1; b < nt; b++)
            if (s->tenant_gpu_s[s->scratch[b]] > s->tenant_gpu_s[s->scratch[a]]) {
                int x = s->scratch[a];
                s->scratch[a] = s->scratch[b];
                s->scratch[b] = x;
            }
    r->n_tenants = nt < AIF_CLUSTER_TENANTS ? nt : AIF_CLUSTER_TENANTS;
    for (int a = 0; a < nt; a++) {
        int row = a < AIF_CLUSTER_TENANTS ? a : AIF_CLUSTER_TENANTS - 1, t = s->scratch[a];
        aif_cluster_tenant *ct = &r->tenants[row];
        if (a == row)
            aif_strlcpy(ct->name, jl->n_tenants > 0 ? jl->tenants[t] : "default", sizeof ct->name);
        else
            aif_strlcpy(ct->name, "(others)", sizeof ct->name);
        ct->gpu_hours += s->tenant_gpu_s[t] / 3600;
        ct->share += s->tenant_gpu_s[t] / total;
        ct->jobs += s->tenant_jobs[t];
        if (a == row) {
            tenant_hold(s, t, 0);   /* the reservation's use up to the end */
            ct->quota_gpus = s->tenant_quota[t];
            ct->reserved_gpus = s->tenant_resv[t];
            ct->peak_gpus = (int)s->tenant_peak[t];
            ct->reserved_use = s->tenant_resv[t] > 0 && t_end > 0 ? s->tenant_resv_int[t] / (s->tenant_resv[t] * t_end)
                                                                  : 0;
        }
    }
}

/* -------------------------------------------------------------------- run */

static void sim_free(sim *s)
{
    free(s->jobs);
    free(s->owner);
    free(s->gnext);
    free(s->nfree);
    free(s->down);
    free(s->slowc);
    free(s->bnext);
    free(s->bprev);
    free(s->bhead);
    free(s->seg);
    free(s->dom_full);
    free(s->leaf_full);
    free(s->pod_full);
    free(s->heap);
    free(s->queue);
    free(s->scratch);
    free(s->scratch_d);
    free(s->running);
    free(s->run_pos);
    free(s->tenant_map);
    free(s->node_jobs);
    free(s->tenant_gpu_s);
    free(s->tenant_held);
    free(s->tenant_jobs);
    free(s->tenant_quota);
    free(s->tenant_resv);
    free(s->tenant_weight);
    free(s->tenant_peak);
    free(s->tenant_resv_int);
    free(s->tenant_t_last);
    free(s->tenant_adm);
    free(s->leaf_x);
    free(s->el_scratch);
    free(s->requeue);
    free(s->pod_x);
    aif_mm_free(s->mm);
    free(s->step_s);
    free(s->job_flow);
    free(s->flow_job);
    free(s->route);
    free(s->coef);
    free(s->job_share);
    free(s->link_cap);
    free(s->link_load);
    free(s->leaf_own);
    free(s->pod_own);
}

/* Each tenant's quota, reservation and weight: operations.tenants by name, else
 * the uniform tenant_quota_gpus, no reservation, weight 1.  A reservation of a
 * tenant the job list does not name is held all the same (resv_orphan). */
static aif_rc tenant_terms(sim *s)
{
    const aif_job_list *jl = s->in->jobs;
    const aif_ops *op = s->op;
    int nt = jl->n_tenants > 0 ? jl->n_tenants : 1;
    long total = 0;
    for (int t = 0; t < nt; t++) {
        s->tenant_quota[t] = op->tenant_quota_gpus;
        s->tenant_weight[t] = 1;
    }
    for (int i = 0; i < op->n_tenants && i < AIF_OPS_TENANTS; i++) {
        const aif_ops_tenant *ot = &op->tenants[i];
        int t = -1;
        for (int k = 0; k < jl->n_tenants && t < 0; k++)
            if (!strcmp(jl->tenants[k], ot->name))
                t = k;
        total += ot->reserved_gpus;
        if (t < 0) {
            s->resv_orphan += ot->reserved_gpus;
            continue;
        }
        if (ot->quota_gpus > 0)
            s->tenant_quota[t] = ot->quota_gpus;
        s->tenant_resv[t] = ot->reserved_gpus;
        s->tenant_weight[t] = ot->share > 0 ? ot->share : 1;
    }
    if (total > s->tp.gpus)
        return aif_err_set(s->err, AIF_EINPUT, NULL, 0, 0, "operations.tenants", "the tenants reserve %ld GPUs; the "
                           "cluster has %d: accepted reservations that add up to at most the cluster", total,
                           s->tp.gpus);
    s->resv_unused = s->resv_total = total;
    return AIF_OK;
}

static aif_rc sim_alloc(sim *s)
{
    size_t nj = (size_t)(s->n_jobs > 0 ? s->n_jobs : 1), ng = (size_t)s->tp.gpus, nn = (size_t)s->tp.nodes;
    int nt = s->in->jobs->n_tenants > 0 ? s->in->jobs->n_tenants : 1;
    s->seg_n = 1;
    while (s->seg_n < s->tp.nodes)
        s->seg_n *= 2;
    s->cap_ev = (long)nj * 2 + 4 * (long)nn + 64;
    s->jobs = calloc(nj, sizeof *s->jobs);
    s->owner = malloc(ng * sizeof *s->owner);
    s->gnext = malloc(ng * sizeof *s->gnext);
    s->nfree = calloc(nn, sizeof *s->nfree);
    s->down = calloc(nn, 1);
    s->slowc = calloc(nn, 1);
    s->bnext = malloc(nn * sizeof *s->bnext);
    s->bprev = malloc(nn * sizeof *s->bprev);
    s->bhead = malloc((size_t)(s->tp.gpn + 1) * sizeof *s->bhead);
    s->seg = calloc((size_t)s->seg_n * 2, sizeof *s->seg);
    s->dom_full = calloc(nn, sizeof *s->dom_full);
    s->leaf_full = calloc(nn, sizeof *s->leaf_full);
    s->pod_full = calloc(nn, sizeof *s->pod_full);
    s->heap = malloc((size_t)s->cap_ev * sizeof *s->heap);
    s->queue = malloc(nj * sizeof *s->queue);
    s->scratch = malloc((nj > (size_t)nt ? nj : (size_t)nt) * sizeof *s->scratch);
    s->scratch_d = malloc(nj * sizeof *s->scratch_d);
    s->running = malloc(nj * sizeof *s->running);
    s->run_pos = malloc(nj * sizeof *s->run_pos);
    s->tenant_map = calloc(nj, sizeof *s->tenant_map);
    s->node_jobs = malloc((size_t)s->tp.gpn * sizeof *s->node_jobs);
    s->tenant_gpu_s = calloc((size_t)nt, sizeof *s->tenant_gpu_s);
    s->tenant_held = calloc((size_t)nt, sizeof *s->tenant_held);
    s->tenant_jobs = calloc((size_t)nt, sizeof *s->tenant_jobs);
    s->tenant_quota = calloc((size_t)nt, sizeof *s->tenant_quota);
    s->tenant_resv = calloc((size_t)nt, sizeof *s->tenant_resv);
    s->tenant_weight = calloc((size_t)nt, sizeof *s->tenant_weight);
    s->tenant_peak = calloc((size_t)nt, sizeof *s->tenant_peak);
    s->tenant_resv_int = calloc((size_t)nt, sizeof *s->tenant_resv_int);
    s->tenant_t_last = calloc((size_t)nt, sizeof *s->tenant_t_last);
    s->tenant_adm = calloc((size_t)nt, sizeof *s->tenant_adm);
    s->n_leaves = (s->tp.nodes + s->tp.leaf_nodes - 1) / s->tp.leaf_nodes;
    s->n_pods = (s->tp.nodes + s->tp.pod_nodes - 1) / s->tp.pod_nodes;
    s->leaf_x = calloc((size_t)s->n_leaves, sizeof *s->leaf_x);
    s->el_scratch = malloc(nj * sizeof *s->el_scratch);
    s->requeue = malloc(nj * sizeof *s->requeue);
    if (!s->el_scratch || !s->requeue)
        return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d jobs", s->n_jobs);
    s->pod_x = calloc((size_t)s->n_pods, sizeof *s->pod_x);
    s->leaf_own = calloc((size_t)s->n_leaves, sizeof *s->leaf_own);
    s->pod_own = calloc((size_t)s->n_pods, sizeof *s->pod_own);
    s->links = s->tp.leaf_ratio > 1 || s->tp.pod_ratio > 1;
    if (!s->leaf_x || !s->pod_x || !s->leaf_own || !s->pod_own)
        return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d leaf groups", s->n_leaves);
    if (s->links && !s->in->links_closed_form) {
        size_t nl = (size_t)s->n_leaves + (size_t)s->n_pods;
        s->mm = aif_mm_new();
        s->job_flow = malloc(nj * sizeof *s->job_flow);
        s->flow_job = malloc(nj * sizeof *s->flow_job);
        s->route = malloc(nl * sizeof *s->route);
        s->coef = malloc(nl * sizeof *s->coef);
        s->job_share = malloc(nj * sizeof *s->job_share);
        s->link_cap = malloc(nl * sizeof *s->link_cap);
        s->link_load = malloc(nl * sizeof *s->link_load);
        if (!s->mm || !s->job_flow || !s->flow_job || !s->route || !s->coef || !s->job_share || !s->link_cap ||
            !s->link_load)
            return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d leaf groups", s->n_leaves);
        for (size_t k = 0; k < nj; k++)
            s->job_flow[k] = -1;
        /* the uplinks: a group's GPUs over its ratio, as the closed form (link_share) counts them */
        int gpn = s->tp.gpn;
        for (int l = 0; l < s->n_leaves; l++) {
            int last = (l + 1) * s->tp.leaf_nodes < s->tp.nodes ? (l + 1) * s->tp.leaf_nodes : s->tp.nodes;
            double cap = (double)(last - l * s->tp.leaf_nodes) * gpn / (s->tp.leaf_ratio > 1 ? s->tp.leaf_ratio : 1);
            s->link_cap[l] = cap;
            if (aif_mm_add_link(s->mm, cap) != l)
                return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d leaf groups", s->n_leaves);
        }
        for (int p = 0; p < s->n_pods; p++) {
            int last = (p + 1) * s->tp.pod_nodes < s->tp.nodes ? (p + 1) * s->tp.pod_nodes : s->tp.nodes;
            double cap = (double)(last - p * s->tp.pod_nodes) * gpn / (s->tp.pod_ratio > 1 ? s->tp.pod_ratio : 1);
            s->link_cap[s->n_leaves + p] = cap;
            if (aif_mm_add_link(s->mm, cap) != s->n_leaves + p)
                return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d pods", s->n_pods);
        }
    }
    if (!s->tenant_adm || !s->tenant_quota || !s->tenant_resv || !s->tenant_weight || !s->tenant_peak ||
        !s->tenant_resv_int || !s->tenant_t_last)
        return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for %d tenants", nt);
    if (!s->jobs || !s->owner || !s->gnext || !s->nfree || !s->down || !s->slowc || !s->bnext || !s->bprev ||
        !s->bhead || !s->seg || !s->dom_full || !s->leaf_full || !s->pod_full || !s->heap || !s->queue ||
        !s->scratch || !s->scratch_d || !s->running || !s->run_pos || !s->tenant_map || !s->node_jobs || !s->tenant_gpu_s ||
        !s->tenant_jobs || !s->tenant_held)
        return aif_err_set(s->err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for a cluster of %d GPUs and %d jobs",
                           s->tp.gpus, s->n_jobs);
    return AIF_OK;
}

aif_rc aif_csim_run(const aif_csim_in *in, aif_cluster_result *r, aif_err *err)
{
    static const sim zero;
    sim st = zero, *s = &st;
    memset(r, 0, sizeof *r);
    s->in = in;
    s->op = in->ops;
    s->tp = in->topo;
    s->r = r;
    s->err = err;
    s->n_jobs = in->jobs->n;
    s->throttle = 1;
    s->rng = aif_mix64(in->ops->seed ^ 0xc1a5u);
    aif_rc rc = sim_alloc(s);
    if (rc || (rc = tenant_terms(s)))
        goto done;
    const aif_csim_topo *tp = &s->tp;
    r->gpus = tp->gpus;
    r->nodes = tp->nodes;
    r->gpus_per_node = tp->gpn;
    r->nodes_per_leaf = tp->leaf_nodes;
    r->nodes_per_pod = tp->pod_nodes;
    r->leaves = (tp->nodes + tp->leaf_nodes - 1) / tp->leaf_nodes;
    r->pods = (tp->nodes + tp->pod_nodes - 1) / tp->pod_nodes;
    for (int g = 0; g < tp->gpus; g++)
        s->owner[g] = s->gnext[g] = -1;
    for (int k = 0; k <= tp->gpn; k++)
        s->bhead[k] = -1;
    for (int n = 0; n < tp->nodes; n++) {
        csim_bucket_in(s, n);   /* nfree 0 */
        csim_set_free(s, n, csim_node_gpus(s, n));
    }
    for (int j = 0; j < s->n_jobs; j++) {
        const aif_job *a = &in->jobs->jobs[j];
        sjob *jb = &s->jobs[j];
        if (a->gpus > tp->gpus) {
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "jobs", "job %s needs %d GPUs; the cluster has %d",
                             a->name, a->gpus, tp->gpus);
            goto done;
        }
        int nt = in->jobs->n_tenants;
        int t = nt > 0 && a->tenant >= 0 && a->tenant < nt ? a->tenant : 0;
        int least = a->min_gpus >= 1 && a->min_gpus < a->gpus ? a->min_gpus : a->gpus;   /* elastic: its min */
        if (s->tenant_quota[t] > 0 && least > s->tenant_quota[t]) {
            bool own = s->tenant_quota[t] != s->op->tenant_quota_gpus;
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, own ? "operations.tenants" : "operations.tenant_quota_gpus",
                             "job %s needs %d GPUs, more than its tenant %s may hold (%s %d): it would never start",
                             a->name, a->gpus, nt > 0 ? in->jobs->tenants[t] : "default",
                             own ? "quota_gpus" : "tenant_quota_gpus", s->tenant_quota[t]);
            goto done;
        }
        long others = s->resv_unused - s->tenant_resv[t];
        if (least > tp->gpus - others) {
            rc = aif_err_set(err, AIF_EINPUT, NULL, 0, 0, "operations.tenants", "job %s needs %d GPUs; other tenants "
                             "reserve %ld of the cluster's %d: it would never start", a->name, a->gpus, others,
                             tp->gpus);
            goto done;
        }
        jb->submit_s = a->submit_s;
        jb->dur_s = a->duration_s > 0 ? a->duration_s : 1;
        jb->gpus = jb->g0 = a->gpus > 0 ? a->gpus : 1;
        /* elastic bounds around the request, within the cluster; a job without them is rigid */
        jb->min_g = a->min_gpus >= 1 && a->min_gpus < jb->g0 ? a->min_gpus : jb->g0;
        jb->max_g = a->max_gpus > jb->g0 ? (a->max_gpus < tp->gpus ? a->max_gpus : tp->gpus) : jb->g0;
        jb->elastic = jb->min_g < jb->max_g;
        jb->unit = a->kind == AIF_JOB_TRAIN && in->train_step_s && in->train_unit_gpus > 0 ? in->train_unit_gpus : 1;
        if (jb->elastic && a->kind == AIF_JOB_TRAIN && in->train_step_s && jb->max_g / jb->unit > s->n_step)
            s->n_step = jb->max_g / jb->unit;
        if (jb->elastic) {
            s->n_elastic++;
            jb->gpus = jb->min_g;   /* waits at its smallest size */
        }
        jb->kind = a->kind;
        jb->priority = a->priority;
        jb->tenant = a->tenant;
        jb->first_start_s = jb->end_s = jb->reserved_s = -1;
        jb->first_gpu = -1;
        jb->base_slow = jb->slow = 1;
        jb->ckpt_bytes = a->kind == AIF_JOB_SERVE                              ? 0   /* no training state */
                         : a->kind == AIF_JOB_TRAIN && in->train_ckpt_bytes > 0 ? in->train_ckpt_bytes
                                                                               : s->op->ckpt_bytes_per_gpu * jb->g0;
        s->tenant_map[j] = t;
        s->tenant_jobs[s->tenant_map[j]]++;
        s->run_pos[j] = -1;
        if (in->start_s)
            in->start_s[j] = -1;
        if (in->end_s)
            in->end_s[j] = -1;
        if (in->reserved_s)
            in->reserved_s[j] = -1;
    }
    if (s->n_step > 0 && !(s->step_s = calloc((size_t)s->n_step, sizeof *s->step_s))) {
        rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory");
        goto done;
    }
    s->spares = s->op->spare_nodes;
    /* the series' first bucket width: the horizon, or the last submission plus a day, over the buckets */
    double span = s->op->horizon_s > 0 ? s->op->horizon_s
                                       : (s->n_jobs ? in->jobs->jobs[s->n_jobs - 1].submit_s : 0) + 86400;
    r->series_dt_s = span / AIF_CLUSTER_SERIES;
    if (s->op->failures)
        for (int c = 0; c <= AIF_N_FAIL; c++)
            next_failure(s, c);
    if (s->op->curtail_cap_W > 0 && s->op->curtail_duration_s > 0) {
        push(s, s->op->curtail_start_s, E_CURTAIL_ON, 0, 0);
        push(s, s->op->curtail_start_s + s->op->curtail_duration_s, E_CURTAIL_OFF, 0, 0);
    }
    if (s->op->horizon_s > 0)
        push(s, s->op->horizon_s, E_HORIZON, 0, 0);
    double t_end = 0;
    long steps = 0;
    for (;;) {
        if (s->ended == s->n_jobs && s->next_arrival >= s->n_jobs)
            break;
        double t_ev = s->n_ev ? s->heap[0].t : INFINITY;
        double t_arr = s->next_arrival < s->n_jobs ? s->jobs[s->next_arrival].submit_s : INFINITY;
        double t = t_ev < t_arr ? t_ev : t_arr;
        if (!isfinite(t))
            break;   /* nothing can happen any more (jobs waiting for GPUs that never return) */
        AIF_ASSERT(t >= s->now);
        s->now = t;
        account(s);
        bool stop = false;
        /* every arrival and event at this time, then one scheduling pass */
        while (s->next_arrival < s->n_jobs && s->jobs[s->next_arrival].submit_s <= t) {
            int j = s->next_arrival++;
            s->jobs[j].state = J_WAIT;
            s->n_waiting++;
            queue_insert(s, j);
        }
        while (s->n_ev && s->heap[0].t <= t) {
            event e = pop(s);
            switch (e.kind) {
            case E_END:
                if (s->jobs[e.a].state == J_RUN && s->jobs[e.a].version == e.b)
                    finish_job(s, e.a);   /* an end the reservation counted on: it stays valid */
                break;
            case E_SETUP_DONE:
                if (s->jobs[e.a].state == J_RUN && s->jobs[e.a].version == e.b)
                    comp_on(s, e.a);
                break;
            case E_FAIL:
                fail(s, e.a);
                next_failure(s, e.a);
                break;
            case E_REPAIR:
                s->down[e.a] = 0;
                s->n_down--;
                csim_set_free(s, e.a, csim_node_gpus(s, e.a));
                s->bf_valid = false;
                break;
            case E_SPARE_BACK:
                s->spares++;
                break;
            case E_STRAGGLE_END: {
                s->slowc[e.a]--;
                int *js = s->node_jobs, k = jobs_on(s, e.a, js);
                for (int i = 0; i < k; i++)
                    retime(s, js[i]);
                break;
            }
            case E_DEMOTE:
                if (s->jobs[e.a].state == J_RUN && s->jobs[e.a].version == e.b) {
                    hold_account(s, e.a);
                    s->jobs[e.a].las_queue++;
                    schedule_demote(s, e.a);
                }
                break;
            case E_CURTAIL_ON:
                curtail_on(s);
                break;
            case E_CURTAIL_OFF:
                curtail_off(s);
                break;
            case E_HORIZON:
                stop = true;
                break;
            }
        }
        if (stop) {
            t_end = t;
            break;
        }
        schedule(s);
        t_end = t;
        if (in->check && (rc = check(s)))
            goto done;
        if (s->oom) {
            rc = aif_err_set(err, AIF_ENOMEM, NULL, 0, 0, "", "out of memory for the event queue");
            goto done;
        }
        if (s->n_q > 64 && s->n_q > 2 * s->n_waiting + 64)
            queue_compact(s);
        if (in->progress && (++steps & 0xffff) == 0)
            in->progress(s->op->horizon_s > 0 ? t / s->op->horizon_s : (double)s->ended / (s->n_jobs ? s->n_jobs : 1),
                         in->progress_ctx);
    }
    s->now = t_end;
    account(s);
    results(s, t_end);
    /* the default job's (or the largest job's) checkpoint plan */
    int big = -1;
    for (int j = 0; j < s->n_jobs; j++)
        if (big < 0 || s->jobs[j].gpus > s->jobs[big].gpus)
            big = j;
    if (big >= 0) {
        sjob *jb = &s->jobs[big];
        if (jb->first_start_s < 0)
            checkpoint_plan(s, big);
        r->ckpt_bytes = jb->ckpt_bytes;
        r->ckpt_write_s = jb->w_s;
        r->ckpt_interval_s = isfinite(jb->tau_s) ? jb->tau_s : 0;
        r->mtbf_s = isfinite(job_mtbf_s(s, jb->gpus)) ? job_mtbf_s(s, jb->gpus) : 0;
        r->young_daly_s = jb->w_s > 0 && r->mtbf_s > 0 ? sqrt(2 * jb->w_s * r->mtbf_s) : 0;
    }
    double sw = 0, sg = 0;
    for (int j = 0; j < s->n_jobs; j++)
        if (s->jobs[j].first_start_s >= 0)
            sw += s->jobs[j].base_slow * s->jobs[j].gpus, sg += s->jobs[j].gpus;
    r->slowdown_mean = sg > 0 ? sw / sg : 1;
    r->elastic_jobs = s->n_elastic;
    if (in->check)
        rc = check(s);
done:
    sim_free(s);
    return rc;
}
