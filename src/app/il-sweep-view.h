/* il-sweep-view.h: the sweep page: runs the same work at 1, 2, 4, … workers and draws speedups. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-paint-options.h"
#include "il-run-config.h"
#include "il-sweep.h"

G_BEGIN_DECLS

#define IL_TYPE_SWEEP_VIEW (il_sweep_view_get_type ())
G_DECLARE_FINAL_TYPE (IlSweepView, il_sweep_view, IL, SWEEP_VIEW, GtkBox)

/* Properties: "sweep" (the last finished sweep, read-only), "running" (gboolean, read-only). */
GtkWidget     *il_sweep_view_new             (void);
/* The work (workload, tasks, task duration, CPUs, capture) every sweep run does. */
void           il_sweep_view_set_base_config (IlSweepView *self, const IlRunConfig *config);
/* Worker counts like "1,2,4" and which executors (sequential is always the baseline). */
void           il_sweep_view_set_counts      (IlSweepView *self, const char *counts);
/* Starts a sweep in a worker thread; FALSE and @error when the choices are invalid. */
gboolean       il_sweep_view_run             (IlSweepView *self, GError **error);
void           il_sweep_view_stop            (IlSweepView *self);
gboolean       il_sweep_view_get_running     (IlSweepView *self);
const IlSweep *il_sweep_view_get_sweep       (IlSweepView *self);
/* The chart's text zoom and presentation mode (the window's, as its timeline gets them). */
void           il_sweep_view_set_scale       (IlSweepView *self, double text_scale,
                                              gboolean presentation);
const IlPaintOptions *il_sweep_view_get_paint_options (IlSweepView *self);

G_END_DECLS
