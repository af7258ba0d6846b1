/* il-executor-threads.c: the sequential executor (one thread) and the threads executor (N threads,
 * optionally under the emulated GIL). */
#include "config.h"

#include <glib/gi18n.h>
#include <unistd.h>

#include "il-executor.h"
#include "il-gil.h"

typedef struct _IlExecutorThreads IlExecutorThreads;

typedef struct
{
  IlExecutorThreads *owner;
  guint              index;
  GThread           *thread;
} IlThreadWorker;

struct _IlExecutorThreads
{
  IlExecutor      parent;
  IlGil          *gil;
  IlThreadWorker *workers;
  guint           n_started;
  /* The start gate: workers that are ready wait here until every thread exists, so they begin
   * together and the thread creating them is not competing with the first ones for a CPU. */
  GMutex          gate_lock;
  GCond           gate_cond;
  gboolean        gate_open;
};

static void
il_executor_threads_open_gate (IlExecutorThreads *self)
{
  g_mutex_lock (&self->gate_lock);
  self->gate_open = TRUE;
  g_cond_broadcast (&self->gate_cond);
  g_mutex_unlock (&self->gate_lock);
}

static gpointer
il_thread_worker_main (gpointer data)
{
  IlThreadWorker *w = data;
  IlExecutor *ex = &w->owner->parent;
  IlExecLane *lane = &ex->lanes[w->index];
  IlRecorder rec;
  IlWorkCtx ctx;
  GError *error = NULL;
  int task;

  atomic_store (&lane->pid, (int) getpid ());
  atomic_store (&lane->tid, il_gettid ());

  il_executor_init_recorder (ex, &rec, w->index);

  if (!il_executor_apply_affinity (ex, &error) ||
      (ex->capture->klass->worker_begin != NULL &&
       !ex->capture->klass->worker_begin (ex->capture, &rec, &error)))
    {
      il_executor_set_error (ex, error);
      /* One broken worker must not leave the others running a different experiment. */
      il_executor_cancel (ex);
      il_executor_worker_exited (ex);
      return NULL;
    }

  g_mutex_lock (&w->owner->gate_lock);
  while (!w->owner->gate_open)
    g_cond_wait (&w->owner->gate_cond, &w->owner->gate_lock);
  g_mutex_unlock (&w->owner->gate_lock);

  /* Creating the thread, pinning it, setting up the capture and waiting for the others come
   * before its first task: shown as start-up, like a worker process's spawn, instead of a blank
   * stretch at the run's start. */
  il_recorder_emit (&rec, IL_STATE_STARTUP, -1, -1, ex->origin_ns, il_clock_now_ns ());

  il_work_ctx_init (&ctx, &rec, w->owner->gil, (int) w->index, &ex->cancel);

  while ((task = il_executor_next_task (ex)) >= 0)
    il_workload_run_task (&ex->calibration, ex->config->workload, ex->config->task_ms, task, &ctx);

  il_recorder_close (&rec, il_clock_now_ns ());
  il_work_ctx_clear (&ctx);
  if (ex->capture->klass->worker_end != NULL)
    ex->capture->klass->worker_end (ex->capture, &rec);

  il_executor_worker_exited (ex);
  return NULL;
}

static gboolean
il_executor_threads_start (IlExecutor  *ex,
                           GError     **error)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;

  if (ex->config->gil && ex->config->executor == IL_EXECUTOR_THREADS)
    {
      self->gil = il_gil_new (ex->config->switch_interval_ms > 0 ? ex->config->switch_interval_ms : 5);
      il_gil_set_cancel_flag (self->gil, &ex->cancel);
    }

  self->workers = g_new0 (IlThreadWorker, ex->n_lanes);
  atomic_store (&ex->n_alive, (int) ex->n_lanes);

  for (guint i = 0; i < ex->n_lanes; i++)
    {
      g_autofree char *name = g_strdup_printf ("il-worker-%u", i);
      GError *local_error = NULL;

      self->workers[i].owner = self;
      self->workers[i].index = i;
      self->workers[i].thread = g_thread_try_new (name, il_thread_worker_main, &self->workers[i],
                                                  &local_error);
      if (self->workers[i].thread == NULL)
        {
          /* Stop the ones already running and account for the ones that never started. */
          il_executor_cancel (ex);
          il_executor_threads_open_gate (self);
          for (guint j = i; j < ex->n_lanes; j++)
            atomic_fetch_sub (&ex->n_alive, 1);
          self->n_started = i;
          for (guint j = 0; j < i; j++)
            g_clear_pointer (&self->workers[j].thread, g_thread_join);
          g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not start worker thread %u: %s"),
                       i, local_error->message);
          g_error_free (local_error);
          return FALSE;
        }
    }

  self->n_started = ex->n_lanes;
  il_executor_threads_open_gate (self);
  return TRUE;
}

static void
il_executor_threads_join (IlExecutor *ex)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;

  for (guint i = 0; i < self->n_started; i++)
    g_clear_pointer (&self->workers[i].thread, g_thread_join);
}

static void
il_executor_threads_finalize (IlExecutor *ex)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;

  g_clear_pointer (&self->gil, il_gil_free);
  g_free (self->workers);
  g_mutex_clear (&self->gate_lock);
  g_cond_clear (&self->gate_cond);
}

static const IlExecutorClass il_executor_threads_class = {
  .name = "threads",
  .start = il_executor_threads_start,
  .cancel = NULL,   /* workers poll the cancel flag every quantum and every sleep slice */
  .join = il_executor_threads_join,
  .finalize = il_executor_threads_finalize,
};

IlExecutor *
il_executor_threads_new (void)
{
  IlExecutorThreads *self = g_new0 (IlExecutorThreads, 1);

  self->parent.klass = &il_executor_threads_class;
  g_mutex_init (&self->gate_lock);
  g_cond_init (&self->gate_cond);
  return &self->parent;
}
