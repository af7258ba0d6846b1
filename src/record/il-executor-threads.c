/* il-executor-threads.c: the sequential executor (one thread) and the threads executor: an
 * exclusive GThreadPool of N threads, each owning one lane, optionally under the emulated GIL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <pthread.h>
#include <unistd.h>

#include "il-executor-kinds.h"
#include "il-gil.h"

/* What travels through the pool's queue: a task (its number + 1, never NULL), or one of two
 * control items that every pool thread takes exactly once. */
#define IL_ITEM_REGISTER GINT_TO_POINTER (-1)
#define IL_ITEM_FINISH   GINT_TO_POINTER (-2)

/* Tasks queued ahead per pool thread: enough that a thread finishing a task finds the next one
 * waiting instead of a round trip, few enough that a cancel leaves little to skip. */
#define IL_QUEUE_AHEAD 2

typedef struct _IlExecutorThreads IlExecutorThreads;

/* One pool thread's lane: set up on the thread when it registers, used by every task it runs. */
typedef struct
{
  guint      index;
  gboolean   ok;         /* its affinity and capture set-up succeeded */
  IlRecorder rec;
  IlWorkCtx  ctx;
} IlThreadLane;

struct _IlExecutorThreads
{
  IlExecutor      parent;
  IlGil          *gil;
  GThreadPool    *pool;
  IlThreadLane   *lanes;

  /* Items pushed and not yet handled, plus one held by start() while it pushes: whoever brings
   * it to zero pushes the finish items, so the threads close their lanes once, after the last
   * task. */
  _Atomic int     in_flight;

  /* The start gate and the finish barrier: a pool thread holding its register (or finish) item
   * waits here until all N hold theirs. Since a waiting thread takes nothing else from the
   * queue, each of the N threads takes exactly one: that is how every thread gets its own lane
   * (and closes it on its own thread). The gate also lets every worker begin once all exist,
   * so the thread creating them is not competing with the first ones for a CPU. */
  GMutex          gate_lock;
  GCond           gate_cond;
  _Atomic guint   next_lane;
  /* The start gate is a pthread barrier: its waiters wake without taking a lock in turn. With
   * a mutex and a condition, each of 64 woken threads had to get the mutex after the one before,
   * one scheduling round each while the first ones computed: a lock convoy that let the last
   * lane start its first task 2 s into the run. */
  pthread_barrier_t start_gate;
  gboolean          have_gate;
  guint           n_finishing;
  guint           n_finished;
};

/* Which lane the calling pool thread owns. A pool's threads serve that pool only (exclusive),
 * so one thread-local slot is enough. */
static GPrivate il_current_lane;

static void
il_threads_barrier (IlExecutorThreads *self,
                    guint             *counter)
{
  IlExecutor *ex = &self->parent;

  g_mutex_lock (&self->gate_lock);
  (*counter)++;
  if (*counter == ex->n_lanes)
    g_cond_broadcast (&self->gate_cond);
  while (*counter < ex->n_lanes)
    g_cond_wait (&self->gate_cond, &self->gate_lock);
  g_mutex_unlock (&self->gate_lock);
}

static void
il_threads_push (IlExecutorThreads *self,
                 gpointer           item)
{
  atomic_fetch_add (&self->in_flight, 1);
  /* Cannot fail: an exclusive pool has all its threads already. */
  g_thread_pool_push (self->pool, item, NULL);
}

/* One item is handled: the last one of the run starts the closing of the lanes. */
static void
il_threads_item_done (IlExecutorThreads *self)
{
  if (atomic_fetch_sub (&self->in_flight, 1) == 1)
    for (guint i = 0; i < self->parent.n_lanes; i++)
      g_thread_pool_push (self->pool, IL_ITEM_FINISH, NULL);
}

/* Queues the next task, when one is left: GLib's pool decides which thread runs it. */
static gboolean
il_threads_feed (IlExecutorThreads *self)
{
  int task = il_executor_next_task (&self->parent);

  if (task < 0)
    return FALSE;
  il_threads_push (self, GINT_TO_POINTER (task + 1));
  return TRUE;
}

static void
il_threads_register (IlExecutorThreads *self)
{
  IlExecutor *ex = &self->parent;
  guint index;
  IlThreadLane *tl;
  IlExecLane *lane;
  GError *error = NULL;

  index = (guint) atomic_fetch_add (&self->next_lane, 1);
  tl = &self->lanes[index];
  lane = &ex->lanes[index];
  tl->index = index;
  g_private_set (&il_current_lane, tl);

  atomic_store (&lane->pid, (int) getpid ());
  atomic_store (&lane->tid, il_gettid ());
  il_executor_init_recorder (ex, &tl->rec, index);

  if (!il_executor_apply_affinity (ex, &error) ||
      (ex->capture->klass->worker_begin != NULL &&
       !ex->capture->klass->worker_begin (ex->capture, &tl->rec, &error)))
    {
      il_executor_set_error (ex, error);
      /* One broken worker must not leave the others running a different experiment. */
      il_executor_cancel (ex);
    }
  else
    tl->ok = TRUE;

  pthread_barrier_wait (&self->start_gate);

  if (!tl->ok)
    return;
  /* Creating the thread, pinning it, setting up the capture and waiting for the others come
   * before its first task: shown as start-up, like a worker process's spawn, instead of a blank
   * stretch at the run's start. */
  il_recorder_emit (&tl->rec, IL_STATE_STARTUP, -1, -1, ex->origin_ns, il_clock_now_ns ());
  il_work_ctx_init (&tl->ctx, &tl->rec, self->gil, (int) index, &ex->cancel);
}

static void
il_threads_finish (IlExecutorThreads *self,
                   IlThreadLane      *tl)
{
  IlExecutor *ex = &self->parent;

  if (tl != NULL && tl->ok)
    {
      il_recorder_close (&tl->rec, il_clock_now_ns ());
      il_work_ctx_clear (&tl->ctx);
      if (ex->capture->klass->worker_end != NULL)
        ex->capture->klass->worker_end (ex->capture, &tl->rec);
    }
  g_private_set (&il_current_lane, NULL);

  /* Wait for the other threads to take theirs, so none takes two. */
  il_threads_barrier (self, &self->n_finishing);

  g_mutex_lock (&self->gate_lock);
  self->n_finished++;
  g_cond_broadcast (&self->gate_cond);
  g_mutex_unlock (&self->gate_lock);
  il_executor_worker_exited (ex);
}

/* GLib's pool calls this on one of its threads for every item pushed. */
static void
il_threads_pool_func (gpointer data,
                      gpointer user_data)
{
  IlExecutorThreads *self = user_data;
  IlExecutor *ex = &self->parent;
  IlThreadLane *tl = g_private_get (&il_current_lane);
  int task;

  if (data == IL_ITEM_REGISTER)
    {
      il_threads_register (self);
      il_threads_item_done (self);
      return;
    }
  if (data == IL_ITEM_FINISH)
    {
      il_threads_finish (self, tl);
      return;
    }

  task = GPOINTER_TO_INT (data) - 1;
  /* A queued task of a cancelled run is skipped: it never started, so it stays pending and the
   * run calls it cancelled. */
  if (tl != NULL && tl->ok && !il_executor_is_cancelled (ex) &&
      il_workload_run_task (&ex->calibration, ex->config->workload, ex->config->task_ms, task,
                            &tl->ctx) == IL_TASK_FAILED && tl->ctx.error != NULL)
    {
      /* Disk work failed (a read-only or full $TMPDIR): every task would, so the run stops with
       * the cause rather than fill the trace with failed tasks. */
      il_executor_set_error (ex, g_steal_pointer (&tl->ctx.error));
      il_executor_cancel (ex);
    }
  il_threads_feed (self);
  il_threads_item_done (self);
}

static gboolean
il_executor_threads_start (IlExecutor  *ex,
                           GError     **error)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;
  GError *local_error = NULL;

  if (ex->config->gil && ex->config->executor == IL_EXECUTOR_THREADS)
    {
      self->gil = il_gil_new (ex->config->switch_interval_ms > 0 ? ex->config->switch_interval_ms : 5);
      il_gil_set_cancel_flag (self->gil, &ex->cancel);
    }

  self->lanes = g_new0 (IlThreadLane, ex->n_lanes);
  pthread_barrier_init (&self->start_gate, NULL, ex->n_lanes);
  self->have_gate = TRUE;

  /* Exclusive: the pool starts its N threads now and they serve this run only, so each can own
   * a lane for the whole run. */
  self->pool = g_thread_pool_new_full (il_threads_pool_func, self, NULL, (int) ex->n_lanes, TRUE,
                                       &local_error);
  if (local_error != NULL)
    {
      /* No item was pushed: the threads that did start leave at once. */
      if (self->pool != NULL)
        g_thread_pool_free (g_steal_pointer (&self->pool), TRUE, TRUE);
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not start the thread pool: %s"),
                   local_error->message);
      g_error_free (local_error);
      return FALSE;
    }

  atomic_store (&ex->n_alive, (int) ex->n_lanes);
  atomic_store (&self->in_flight, 1);

  /* First the register items (one per thread, see the gate), then the first tasks: the queue is
   * first in, first out, so no thread sees a task before every thread has a lane. */
  for (guint i = 0; i < ex->n_lanes; i++)
    il_threads_push (self, IL_ITEM_REGISTER);
  for (guint i = 0; i < ex->n_lanes * IL_QUEUE_AHEAD; i++)
    if (!il_threads_feed (self))
      break;

  il_threads_item_done (self);
  return TRUE;
}

static void
il_executor_threads_join (IlExecutor *ex)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;

  if (self->pool == NULL)
    return;

  /* Every thread has closed its lane (a cancel only makes them skip their queued tasks); then
   * the pool and its threads go. */
  g_mutex_lock (&self->gate_lock);
  while (self->n_finished < ex->n_lanes)
    g_cond_wait (&self->gate_cond, &self->gate_lock);
  g_mutex_unlock (&self->gate_lock);
  g_thread_pool_free (g_steal_pointer (&self->pool), FALSE, TRUE);
}

static void
il_executor_threads_finalize (IlExecutor *ex)
{
  IlExecutorThreads *self = (IlExecutorThreads *) ex;

  g_clear_pointer (&self->gil, il_gil_free);
  if (self->have_gate)
    pthread_barrier_destroy (&self->start_gate);
  g_free (self->lanes);
  g_mutex_clear (&self->gate_lock);
  g_cond_clear (&self->gate_cond);
}

static const IlExecutorClass il_executor_threads_class = {
  .name = "threads",
  .worker_kind = IL_WORKER_THREAD,
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
