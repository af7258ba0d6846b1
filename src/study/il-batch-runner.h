/* il-batch-runner.h: runs a batch of configurations in rounds (A B, A B, …), one run at a time, on the caller's main context. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include "il-run.h"

G_BEGIN_DECLS

#define IL_TYPE_BATCH_RUNNER (il_batch_runner_get_type ())
G_DECLARE_FINAL_TYPE (IlBatchRunner, il_batch_runner, IL, BATCH_RUNNER, GObject)

/* Every configuration once per round, @repeat rounds, in the order given: drift in the machine
 * hits every configuration alike. A failed or cancelled run ends the batch (the next runs would
 * compare against nothing) unless "keep-going" is set, where only a cancel ends it.
 *
 * Properties: "done", "total" (guint: runs finished and runs in the batch, notified on the
 * caller's main context), "run" (IlRun: the run going on, or NULL), "keep-going" (gboolean),
 * "hold-start" (gboolean: each run waits after "run-prepared" until il_batch_runner_go()).
 * Signals:
 *   "run-prepared" (IlRun *run, guint round, guint index): the run is set up (il_run_prepare())
 *     and about to start; its trace carries the configuration's label.
 *   "run-finished" (IlRun *run, IlRunTrace *trace, guint round, guint index, GError *error): a
 *     run ended; @trace is the finished trace, or the partial one (no longer live, marked
 *     cancelled when the run was) with @error saying why. "done" is notified after it. */
IlBatchRunner *il_batch_runner_new           (GPtrArray *configs, guint repeat);
guint          il_batch_runner_get_done      (IlBatchRunner *self);
guint          il_batch_runner_get_total     (IlBatchRunner *self);
guint          il_batch_runner_get_repeat    (IlBatchRunner *self);
guint          il_batch_runner_get_n_configs (IlBatchRunner *self);
IlRun         *il_batch_runner_get_run       (IlBatchRunner *self);
void           il_batch_runner_set_keep_going (IlBatchRunner *self, gboolean keep_going);
gboolean       il_batch_runner_get_keep_going (IlBatchRunner *self);
void           il_batch_runner_set_hold_start (IlBatchRunner *self, gboolean hold_start);
gboolean       il_batch_runner_get_hold_start (IlBatchRunner *self);

/* Starts the run that "hold-start" keeps after "run-prepared"; nothing when none is waiting. A
 * held run is not started by a cancel: its owner calls this, and the run then ends at once,
 * cancelled, and with it the batch. */
void           il_batch_runner_go            (IlBatchRunner *self);

/* The runs so far by round: GPtrArray of GPtrArray of IlRunTrace, round k holding the
 * configurations' runs in order (a run that failed before recording anything is left out). */
GPtrArray     *il_batch_runner_get_rounds    (IlBatchRunner *self);

/* Runs the batch. Cancelling stops the run going on and starts no other; the batch then
 * completes with the cancel error. */
void           il_batch_runner_run_async     (IlBatchRunner       *self,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
/* One run per configuration (il_batch_reduce() of the rounds, with each round's speedups
 * applied first), a new array; or NULL and the error that ended the batch. */
GPtrArray     *il_batch_runner_run_finish    (IlBatchRunner       *self,
                                              GAsyncResult        *result,
                                              GError             **error);

/* The same reduced runs, also when the batch ended early (then from the rounds it measured);
 * NULL before it completed. Owned by the runner. */
GPtrArray     *il_batch_runner_get_result    (IlBatchRunner *self);

G_END_DECLS
