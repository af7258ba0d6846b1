/* il-sweep-run.h: measures a speedup sweep (il-sweep.h): every configuration at every worker count,
 * with a sequential baseline, optionally repeated. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-sweep.h"

G_BEGIN_DECLS

IlSweep *il_sweep_run            (const IlRunConfig *const *configs, guint n_configs,
                                  GArray *worker_counts, GCancellable *cancellable,
                                  void (*progress) (guint done, guint total, gpointer data),
                                  gpointer data, GError **error);
/* The same, @repeat rounds of it, alternating (baseline, every point, baseline, every point, …):
 * each point's wall time is the median of its rounds, its speedup range the rounds' speedups
 * against the baseline of the same round. */
IlSweep *il_sweep_run_repeated   (const IlRunConfig *const *configs, guint n_configs,
                                  GArray *worker_counts, guint repeat, GCancellable *cancellable,
                                  void (*progress) (guint done, guint total, gpointer data),
                                  gpointer data, GError **error);

/* The same again, calling @partial (may be NULL) on the calling thread after every run with the
 * sweep so far (owned by the callee): the points measured have their wall times, the rest -1,
 * so a view can draw each point as it arrives. */
IlSweep *il_sweep_run_live       (const IlRunConfig *const *configs, guint n_configs,
                                  GArray *worker_counts, guint repeat, GCancellable *cancellable,
                                  void (*progress) (guint done, guint total, gpointer data),
                                  void (*partial) (IlSweep *sweep, gpointer data),
                                  gpointer data, GError **error);

G_END_DECLS
