/* il-run-private.h: what il-run.c shares with il-run-program.c, the run of a traced program. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <stdatomic.h>

#include "il-capture.h"
#include "il-cpu-sampler.h"
#include "il-executor-kinds.h"
#include "il-program.h"
#include "il-run.h"

G_BEGIN_DECLS

/* How often the owner drains the rings (and at once when one is half full): twice as often as
 * the window's fastest live frame (8 a second), so each frame shows what came until ~50 ms
 * before it. Each drain wakes the owner's main loop, and in the window that loop is GTK's: at
 * 12 ms (83 wake-ups a second) they cost the window about 0.1 ms each, 0.8 % of a core taken
 * from the run it measures, as much as its live frames. */
#define IL_RUN_DRAIN_INTERVAL_MS 50

struct _IlRun
{
  GObject       parent_instance;

  IlRunConfig  *config;
  IlRunTrace   *trace;
  IlCapture    *capture;
  IlExecutor   *executor;
  IlProgram    *program;        /* a traced program instead of an executor (il-program.c) */
  GTask        *task;
  GMainContext *context;
  GSource      *drain_source;
  GCancellable *cancellable;
  gulong        cancelled_id;
  IlCpuSampler *sampler;   /* NULL when /proc/stat cannot be read */
  IlSpan       *scratch;
  GArray       *filtered;
  guint        *n_previous;     /* per lane: previous pids already copied into the trace */
  char         *warning;
  guint         warning_serial;
  GError       *prepare_error;  /* what il_run_prepare() could not set up, for il_run_start_async() */
  gboolean      started;

  _Atomic int   drain_scheduled;
  gboolean      spans_unannounced;

  guint         tasks_done;
  guint         tasks_total;
  gboolean      running;
};

/* il-run.c */
void il_run_set_running      (IlRun *self, gboolean running);
void il_run_emit_spans_added (IlRun *self);
/* The CPUs whose "other programs" series the run keeps, and bringing it up to date. */
void il_run_start_cpu_load   (IlRun *self);
void il_run_update_cpu_load  (IlRun *self, gboolean final);
void il_run_cancelled_cb     (GCancellable *cancellable, gpointer data);

/* il-run-program.c: starts the traced program of self->config; completes @task_in (taken). */
void il_run_start_program    (IlRun *self, GTask *task_in, GCancellable *cancellable);

G_END_DECLS
