/* il-executor.h: what every executor shares: lanes with rings, the task counter, cancel and done. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <stdatomic.h>
#include "il-capture.h"
#include "il-recorder.h"
#include "il-ring.h"
#include "il-run-config.h"
#include "il-workload.h"

G_BEGIN_DECLS

typedef struct _IlExecutor IlExecutor;

/* One worker lane: its ring (one producer: the worker, or the pipe reader for a process) and the
 * worker's OS ids, published by the worker once known (0 before) for the owner to copy. */
typedef struct
{
  IlRing       *ring;
  IlWorkerKind  kind;
  _Atomic int   pid;
  _Atomic int   tid;
  /* A process lane whose worker died and was replaced: the dead ones' pids, oldest first (under
   * the executor's error_mutex; n_previous can be read without it to see that one came). */
  GArray       *previous_pids;
  _Atomic guint n_previous;
} IlExecLane;

typedef struct
{
  const char   *name;
  IlWorkerKind  worker_kind;    /* what its lanes are: threads, or worker processes */
  /* Starts the workers; on failure nothing is left running. */
  gboolean  (*start)    (IlExecutor *self, GError **error);
  /* Thread-safe, from any thread: stop soon (the base class has already raised the cancel flag). */
  void      (*cancel)   (IlExecutor *self);
  /* Called on the owner once done: joins threads, reaps processes. */
  void      (*join)     (IlExecutor *self);
  void      (*finalize) (IlExecutor *self);
} IlExecutorClass;

struct _IlExecutor
{
  const IlExecutorClass *klass;
  IlRunConfig   *config;
  IlCalibration  calibration;
  IlCapture     *capture;        /* borrowed from the run */
  gint64         origin_ns;
  guint          n_lanes;
  IlExecLane    *lanes;
  IlCpuBoard    *board;          /* shared by this process's workers (self capture) */

  _Atomic int    next_task;
  _Atomic int    cancel;
  _Atomic int    n_alive;        /* workers (or reader threads) that have not finished */
  gboolean       started;

  /* Called from the last finishing worker's thread: the owner wakes up and drains. */
  void         (*done_notify) (gpointer data);
  /* Called from a producer's thread when a ring is more than half full: drain soon. */
  void         (*drain_notify) (gpointer data);
  gpointer       notify_data;

  GMutex         error_mutex;
  GError        *error;          /* first failure of any worker */
  GHashTable    *task_errors;    /* task → why it failed (a dead worker's cause) */
  char          *warning;        /* what the owner should show now (a stopped worker), or NULL */
  _Atomic guint  warning_serial; /* bumped on every change of @warning */
};

/* For the factory (il-executor-kinds.c), once a kind has allocated @self and set its class:
 * fills the base with @n_lanes lanes of the class's worker kind. @capture is borrowed and must
 * outlive the executor. */
void        il_executor_init         (IlExecutor *self, const IlRunConfig *config,
                                      IlCapture *capture, gint64 origin_ns, guint n_lanes);
void        il_executor_free         (IlExecutor *self);
void        il_executor_set_notify   (IlExecutor *self, void (*done) (gpointer),
                                      void (*drain) (gpointer), gpointer data);
gboolean    il_executor_start        (IlExecutor *self, GError **error);
void        il_executor_cancel       (IlExecutor *self);
gboolean    il_executor_is_cancelled (IlExecutor *self);
/* TRUE once every worker has finished (all tasks run, or cancelled, or failed). */
gboolean    il_executor_is_done      (IlExecutor *self);
void        il_executor_join         (IlExecutor *self);
/* The first error a worker hit, or NULL. Transfer full. */
GError     *il_executor_take_error   (IlExecutor *self);

/* For executors. */
/* Next task index to run, or -1 when every task was handed out or the run was cancelled. */
int         il_executor_next_task    (IlExecutor *self);
/* A worker (or reader) finished; the last one notifies the owner. */
void        il_executor_worker_exited (IlExecutor *self);
/* From any producer thread: asks the owner to drain now. (gpointer: usable as IlRecorder.wake) */
void        il_executor_request_drain (gpointer self);
/* Sets up a recorder for lane @lane of this executor (ring, capture, wake, cancel). */
void        il_executor_init_recorder (IlExecutor *self, IlRecorder *rec, guint lane);
/* Keeps the first error; thread-safe. Takes @error. */
void        il_executor_set_error    (IlExecutor *self, GError *error);
/* Keeps why @task failed (English, as stored in the trace: "killed by SIGKILL"); thread-safe. */
void        il_executor_set_task_error (IlExecutor *self, int task, const char *cause);
/* task (GUINT_TO_POINTER) → cause, or NULL when no task failed that way. Transfer full. */
GHashTable *il_executor_take_task_errors (IlExecutor *self);
/* A warning the owner shows while the run goes on (NULL: all is well again); thread-safe. */
void        il_executor_set_warning  (IlExecutor *self, const char *warning);
/* The current warning (transfer full, may be NULL) and its serial, bumped on every change. */
char       *il_executor_dup_warning  (IlExecutor *self, guint *serial);
/* A lane's process was replaced: keeps @old_pid and publishes @new_pid (tid unknown until the
 * new worker says hello). Thread-safe. */
void        il_executor_replace_pid  (IlExecutor *self, guint lane, int old_pid, int new_pid);
/* Copies lane @lane's previous pids from index @from on into @out (under the lock). */
void        il_executor_get_previous_pids (IlExecutor *self, guint lane, guint from, GArray *out);
/* Pins the calling thread to config->cpus (nothing when the set is empty). */
gboolean    il_executor_apply_affinity (IlExecutor *self, GError **error);

G_END_DECLS
