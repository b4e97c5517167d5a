/* report.h -- writers of run results: a short human table, JSON and HTML.
 *
 * Writers format; they never compute.  A training job's writers take the whole
 * result of the pipeline (aif_train_run, include/aifsim/run.h): the scenario as
 * run, the step, the site, the money and the neighbours the pipeline searched
 * (what would make the job fit in memory, the scaling curve).  Nothing here runs
 * an engine or a search (tests/test_writers.sh checks src/report/). */
#ifndef AIFSIM_REPORT_H
#define AIFSIM_REPORT_H

#include <stdio.h>

#include "aifsim/aifsim.h"
#include "aifsim/facility.h"
#include "aifsim/run.h"
#include "aifsim/search.h"
#include "aifsim/graph.h"
#include "aifsim/sim.h"
#include "aifsim/serve.h"
#include "aifsim/sweep.h"
#include "aifsim/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Numbers a person reads, one convention for every text writer (src/report/format.c):
 * three significant digits and never an exponent.  aif_fmt_si: SI prefixes f..E on
 * unit (1.44 GW, 459 mW, 12.3 TB/s); aif_fmt_count: K M B T Q then x10^N (405B,
 * 15.6T); aif_fmt_usd: the same after "$"; aif_fmt_mass_kg: g, kg, then t, kt, Mt;
 * aif_fmt_energy_J: watt-hours (4.59 MWh).  Each writes at most n bytes, NUL-ended. */
void aif_fmt_si(char *buf, size_t n, double x, const char *unit);
void aif_fmt_count(char *buf, size_t n, double x);
void aif_fmt_usd(char *buf, size_t n, double usd);
void aif_fmt_mass_kg(char *buf, size_t n, double kg);
void aif_fmt_energy_J(char *buf, size_t n, double J);
/* A figure in a table column, in the column's unit: four significant digits, or every
 * digit before the point from 10^4 on; never an exponent (29340, not 2.934e+04). */
void aif_fmt_plain(char *buf, size_t n, double x);
/* The first lines of every text output: "aifsim VERSION: NAME[, what] (base: BASE[ + N
 * options])", then each substitution the scenario's load made (aif_note) as
 * "  substituted  FIELD: ASKED -> USED (WHY)".  what may be NULL. */
void aif_report_header_text(FILE *f, const aif_scenario *s, const char *what);
/* What the catalog says of the parts a run uses, as the header prints it after the
 * substitutions (each line begins with prefix): "announced   gpu X, system Y: ..." when an
 * entry's status is announced, "roofline     gpu X: ..." when its calibration family is the
 * roofline bound (no published kernel measurement); nothing otherwise. */
void aif_report_status_text(FILE *f, const aif_scenario *s, const char *prefix);
/* The run's catalog entries whose status is announced (gpu, system, scale-out fabric,
 * scale-up fabric, storage tier, in that order, then co-packaged optics asked of a fabric
 * not announced itself): their count (at most AIF_MAX_ANNOUNCED), kinds ("gpu", "system",
 * "fabric", "scale-up fabric", "storage", "optics") and names. */
#define AIF_MAX_ANNOUNCED 6
int aif_report_announced(const aif_scenario *s, const char *kind[AIF_MAX_ANNOUNCED],
                         const char *name[AIF_MAX_ANNOUNCED]);

/* A serving run (aifsim infer, src/report/serve.c): deployment, memory, latency
 * percentiles, throughput, goodput, KV cache, power and money.  The JSON holds the
 * keys README.md lists (throughput_tokens_per_s, ttft_p99_s, ...); malloc'd, NULL
 * when out of memory. */
void aif_report_serve_text(FILE *f, const aif_serve_run *run);
char *aif_report_serve_json(const aif_serve_run *run);
/* The serving capacity plan (aif_plan_serve): the shapes meeting every target,
 * cheapest first, then those that miss or do not fit, with why. */
void aif_report_plan_text(FILE *f, const aif_serve_plan *p);
char *aif_report_plan_json(const aif_serve_plan *p);
/* A many-job cluster run (aifsim cluster, src/report/cluster.c): the cluster, the load,
 * JCT, queueing, utilisation, failures by cause, checkpoints, ETTR, power, tenants. */
void aif_report_cluster_text(FILE *f, const aif_cluster_run *run);
char *aif_report_cluster_json(const aif_cluster_run *run);

/* The summary a planner reads in ten seconds: job, step, memory, site, money. */
void aif_report_train_text(FILE *f, const aif_train_run *run);
/* The site on its own (aifsim facility). */
void aif_report_facility_text(FILE *f, const aif_train_run *run);
/* The step graph: every op of every segment with its size and time (aifsim train --ops),
 * as aif_graph_timing_eval computed them. */
void aif_report_graph_text(FILE *f, const aif_graph_timing *t);
/* One self-contained HTML file with the summary and plots (PLplot SVG, inlined),
 * written to path as aif_trace_write writes ("-": standard output; a device
 * written through; a regular file replaced whole).  The run must carry its
 * scaling curve (aif_run_opts.scaling); AIF_EINPUT otherwise. */
aif_rc aif_report_html(const char *path, const aif_train_run *run, aif_err *err);
/* The report of a training sweep (aifsim report --sweep): time against cost and time
 * against energy, every point that ran with its Pareto front drawn, and each axis's
 * effect (the mean time per value), from aif_sweep_summary_load; written as
 * aif_report_html writes. */
aif_rc aif_report_sweep_html(const char *path, const aif_sweep_summary *sum, aif_err *err);
/* The same with a cluster page after the job's (cluster may be NULL): the many-job
 * run's summary and its plots (GPUs held and computing over time, site power over
 * time, queue length, JCT by decile, interruptions by cause). */
aif_rc aif_report_html_cluster(const char *path, const aif_train_run *run, const aif_cluster_run *cluster,
                               aif_err *err);
/* The same with a serving page after them too (serve may be NULL): the serving run's
 * summary, its TTFT, end-to-end and TPOT distributions, throughput and TTFT against
 * offered load from curve (aif_run_serve_load_curve; left out when curve is NULL or
 * empty), KV-cache occupancy and batch size over time. */
aif_rc aif_report_html_pages(const char *path, const aif_train_run *run, const aif_cluster_run *cluster,
                             const aif_serve_run *serve, const aif_serve_load_curve *curve, aif_err *err);
/* One JSON object (see README.md for the fields), with a "network" object (topology,
 * per-tier utilisation, event counts) when the simulating engine ran; malloc'd,
 * NUL-terminated, NULL when out of memory. */
char *aif_report_train_json(const aif_train_run *run);
/* The site on its own as JSON (aifsim facility --json when no job was run,
 * aif_run_site): scenario, inputs (gpu, system, fabric, gpus), facility, cost, notes
 * and "job_run": false; malloc'd, NULL when out of memory. */
char *aif_report_facility_json(const aif_train_run *run);
/* The sentence on what would make a job fit in memory: "needs X GiB of Y GiB HBM
 * (over by Z GiB). Would fit: ..." with the three fastest changes that fit, or that
 * none does; "" when m was not searched (the job fits).  Truncated to n. */
void aif_report_memory_fit_text(char *buf, size_t n, const aif_memory_fit *m);

/* The best-layout search (aifsim search, aif_run_search): the job, the objective, the
 * candidates counted, the top layouts with step time, MFU and memory (and energy and
 * cost per step for those objectives), why #1 beats #2.  Nothing that varies from run
 * to run: the search's wall time and rate are aif_report_search_timing_text's one
 * line.  The JSON holds them all: {"results": [...], "candidates", "evaluated_per_s",
 * ...}, each result with its parallel fields, step_time_s, mfu, memory_per_gpu_gib;
 * malloc'd, NULL when out of memory. */
void aif_report_search_text(FILE *f, const aif_search_run *run);
void aif_report_search_timing_text(FILE *f, const aif_search_run *run);
char *aif_report_search_json(const aif_search_run *run);

/* The network section of the text report (aifsim train --engine sim). */
void aif_report_network_text(FILE *f, const aif_sim_stats *ss);
/* The topology on its own (aifsim topology): switches, links, bisection. */
void aif_report_topology_text(FILE *f, const aif_topo_summary *t);   /* no header: see aif_report_header_text */
/* malloc'd JSON of the topology summary, opened by the scenario's "base" and
 * "substitutions" when s is not NULL; NULL when out of memory. */
char *aif_report_topology_json(const aif_scenario *s, const aif_topo_summary *t);
/* Writes a recorded step as a Chrome trace-event JSON file (Perfetto,
 * chrome://tracing): "-" is standard output; a device or FIFO is written through,
 * never replaced; a regular file appears whole or not at all (a temporary beside
 * it, renamed over it, keeping its mode).  AIF_EIO names the reason. */
aif_rc aif_trace_write(const aif_trace *t, const char *path, aif_err *err);
/* Whether a trace can be written there, before a long run (AIF_EIO with the reason). */
aif_rc aif_trace_check_path(const char *path, aif_err *err);

/* The catalogs (aifsim catalog) of one kind, "gpus", "systems", "fabrics" or "models",
 * or of all four when kind is NULL, as tables. */
aif_rc aif_report_catalog_text(FILE *f, const aif_catalog *c, const char *kind, aif_err *err);
/* One entry as a card a person reads: a title line (name, kind, description), each
 * set figure with its unit and [N], then each distinct citation once.  AIF_EINPUT for
 * an unknown kind or name (err->path the kind), with a did-you-mean. */
aif_rc aif_report_catalog_entry_text(FILE *f, const aif_catalog *c, const char *kind, const char *name,
                                     aif_err *err);
/* The same as one JSON object, {"gpus": [ENTRY, ...], ...}, each entry's fields from the
 * catalog's field descriptors (src/report/catalog.c says how keys are named); or, with
 * a name, that entry alone with "sources", the citation of each of its figures.  *json
 * is malloc'd (free it).  AIF_EINPUT for an unknown kind (err->path empty) or an
 * unknown name (err->path the kind), each with a did-you-mean. */
aif_rc aif_report_catalog_json(const aif_catalog *c, const char *kind, const char *name, char **json,
                               aif_err *err);

#ifdef __cplusplus
}
#endif
#endif
