/* il-run.h: one run of a configuration on its executor, as an async operation with live progress. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-run-config.h"
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_RUN (il_run_get_type ())
G_DECLARE_FINAL_TYPE (IlRun, il_run, IL, RUN, GObject)

/* Properties: "config" (IlRunConfig, construct-only), "tasks-done", "tasks-total" (guint, notified
 * on the owner's main context), "running" (gboolean), "warning" (string, see below).
 * Signals: "spans-added" () — emitted on the owner's main context after the rings were drained into
 * the trace, at most every few milliseconds while the run goes on; a viewer redraws then. */
IlRun             *il_run_new             (const IlRunConfig *config);
const IlRunConfig *il_run_get_config      (IlRun *self);
/* The trace being recorded; valid from il_run_prepare() or il_run_start_async() on. */
IlRunTrace        *il_run_get_trace       (IlRun *self);
guint              il_run_get_tasks_done  (IlRun *self);
guint              il_run_get_tasks_total (IlRun *self);
gboolean           il_run_get_running     (IlRun *self);
/* "warning": what the owner should show while the run goes on, e.g. a worker process that is
 * stopped (SIGSTOP) or silent far past its task's time; NULL when all is well. Translated. */
const char        *il_run_get_warning     (IlRun *self);

/* Sets the run up without starting it and returns its trace (owned by the run): live, with its
 * lanes named and nothing recorded yet. A window lays the run out and paints it between this and
 * il_run_start_async(), so that work does not compete with the workers; the run's time starts at
 * il_run_start_async(). What cannot be set up (the capture, the executor) is reported by
 * il_run_start_async(). Calling it again returns the same trace. */
IlRunTrace        *il_run_prepare         (IlRun *self);

/* Starts the run (preparing it first if il_run_prepare() was not called). Must be called from the thread whose thread-default main context will drain the
 * rings and deliver progress (the GUI's main loop, or the CLI's). Cancelling stops the workers,
 * reaps child processes and completes with IL_ERROR_CANCELLED; the partial trace is marked
 * cancelled and still available from il_run_get_trace(). */
void               il_run_start_async     (IlRun               *self,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* Returns the finished trace (a new reference) with its summary computed, or NULL and an error. */
IlRunTrace        *il_run_start_finish    (IlRun               *self,
                                           GAsyncResult        *result,
                                           GError             **error);

/* A traced program's wait status (as from waitpid) once it has ended; -1 for other runs. */
int                il_run_get_exit_status (IlRun *self);
/* A traced program's last lines on stderr (at most 10 lines, 4 KiB) once it has ended, said
 * with its exit status when it failed; NULL for other runs, or when it wrote none. */
const char        *il_run_get_stderr_tail (IlRun *self);

/* Convenience for the CLI, tests and benchmarks: runs to completion on a private main context. */
IlRunTrace        *il_run_sync            (const IlRunConfig   *config,
                                           GCancellable        *cancellable,
                                           GError             **error);

/* Where the interleave-worker binary is: $IL_WORKER_PATH, else the build tree's when this
 * program runs from its build folder (uninstalled), else libexecdir. */
const char        *il_run_get_worker_path (void);

G_END_DECLS
