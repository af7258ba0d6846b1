/* il-executor.c: the executor base: lanes, task hand-out, cancellation, completion and errors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>

#include "il-clock.h"
#include "il-executor.h"

/* Big enough for a worker's spans between two drains (~16 ms at one span per quantum is ~700),
 * small enough that 256 lanes stay within a few tens of MB. */
static guint
il_executor_ring_capacity (guint n_lanes)
{
  return n_lanes <= 32 ? 16384 : 4096;
}

void
il_executor_init (IlExecutor        *self,
                  const IlRunConfig *config,
                  IlCapture         *capture,
                  gint64             origin_ns,
                  guint              n_lanes)
{
  self->config = il_run_config_copy (config);
  self->calibration = *il_calibration_get ();
  self->capture = capture;
  self->origin_ns = origin_ns;
  self->n_lanes = n_lanes;
  self->lanes = g_new0 (IlExecLane, n_lanes);
  for (guint i = 0; i < n_lanes; i++)
    {
      self->lanes[i].ring = il_ring_new (il_executor_ring_capacity (n_lanes));
      self->lanes[i].kind = self->klass->worker_kind;
      atomic_init (&self->lanes[i].pid, 0);
      atomic_init (&self->lanes[i].tid, 0);
      atomic_init (&self->lanes[i].n_previous, 0);
    }
  self->board = il_cpu_board_new ();
  atomic_init (&self->next_task, 0);
  atomic_init (&self->cancel, 0);
  atomic_init (&self->n_alive, 0);
  atomic_init (&self->warning_serial, 0);
  g_mutex_init (&self->error_mutex);
}

void
il_executor_free (IlExecutor *self)
{
  if (self == NULL)
    return;

  if (self->started)
    {
      /* Never leave a worker behind, even when the owner gives up early. */
      if (!il_executor_is_done (self))
        il_executor_cancel (self);
      il_executor_join (self);
    }
  if (self->klass->finalize != NULL)
    self->klass->finalize (self);

  for (guint i = 0; i < self->n_lanes; i++)
    {
      il_ring_free (self->lanes[i].ring);
      g_clear_pointer (&self->lanes[i].previous_pids, g_array_unref);
    }
  g_free (self->lanes);
  il_cpu_board_free (self->board);
  il_run_config_free (self->config);
  g_clear_error (&self->error);
  g_clear_pointer (&self->task_errors, g_hash_table_unref);
  g_free (self->warning);
  g_mutex_clear (&self->error_mutex);
  g_free (self);
}

void
il_executor_set_notify (IlExecutor  *self,
                        void       (*done) (gpointer),
                        void       (*drain) (gpointer),
                        gpointer     data)
{
  self->done_notify = done;
  self->drain_notify = drain;
  self->notify_data = data;
}

void
il_executor_request_drain (gpointer data)
{
  IlExecutor *self = data;

  if (self->drain_notify != NULL)
    self->drain_notify (self->notify_data);
}

void
il_executor_init_recorder (IlExecutor *self,
                           IlRecorder *rec,
                           guint       lane)
{
  il_recorder_init (rec, self->lanes[lane].ring, self->capture, lane, self->origin_ns);
  rec->wake = il_executor_request_drain;
  rec->wake_data = self;
  rec->cancel = &self->cancel;
  rec->board = self->board;
}

gboolean
il_executor_start (IlExecutor  *self,
                   GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!self->klass->start (self, error))
    return FALSE;
  self->started = TRUE;
  return TRUE;
}

void
il_executor_cancel (IlExecutor *self)
{
  g_return_if_fail (self != NULL);

  atomic_store (&self->cancel, 1);
  if (self->klass->cancel != NULL)
    self->klass->cancel (self);
}

gboolean
il_executor_is_cancelled (IlExecutor *self)
{
  return atomic_load_explicit (&self->cancel, memory_order_relaxed) != 0;
}

gboolean
il_executor_is_done (IlExecutor *self)
{
  return self->started && atomic_load (&self->n_alive) == 0;
}

void
il_executor_join (IlExecutor *self)
{
  if (self->klass->join != NULL)
    self->klass->join (self);
}

GError *
il_executor_take_error (IlExecutor *self)
{
  GError *error;

  g_mutex_lock (&self->error_mutex);
  error = g_steal_pointer (&self->error);
  g_mutex_unlock (&self->error_mutex);
  return error;
}

int
il_executor_next_task (IlExecutor *self)
{
  int task;

  if (il_executor_is_cancelled (self))
    return -1;
  if (atomic_load_explicit (&self->next_task, memory_order_relaxed) >= (int) self->config->tasks)
    return -1;
  task = atomic_fetch_add_explicit (&self->next_task, 1, memory_order_relaxed);
  return task < (int) self->config->tasks ? task : -1;
}

void
il_executor_worker_exited (IlExecutor *self)
{
  if (atomic_fetch_sub (&self->n_alive, 1) == 1 && self->done_notify != NULL)
    self->done_notify (self->notify_data);
}

void
il_executor_set_error (IlExecutor *self,
                       GError     *error)
{
  g_mutex_lock (&self->error_mutex);
  if (self->error == NULL)
    self->error = error;
  else
    g_error_free (error);
  g_mutex_unlock (&self->error_mutex);
}

void
il_executor_set_task_error (IlExecutor *self,
                            int         task,
                            const char *cause)
{
  g_mutex_lock (&self->error_mutex);
  if (self->task_errors == NULL)
    self->task_errors = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_hash_table_insert (self->task_errors, GINT_TO_POINTER (task), g_strdup (cause));
  g_mutex_unlock (&self->error_mutex);
}

GHashTable *
il_executor_take_task_errors (IlExecutor *self)
{
  GHashTable *errors;

  g_mutex_lock (&self->error_mutex);
  errors = g_steal_pointer (&self->task_errors);
  g_mutex_unlock (&self->error_mutex);
  return errors;
}

void
il_executor_set_warning (IlExecutor *self,
                         const char *warning)
{
  g_mutex_lock (&self->error_mutex);
  if (g_strcmp0 (self->warning, warning) != 0)
    {
      g_free (self->warning);
      self->warning = g_strdup (warning);
      atomic_fetch_add (&self->warning_serial, 1);
    }
  g_mutex_unlock (&self->error_mutex);
}

char *
il_executor_dup_warning (IlExecutor *self,
                         guint      *serial)
{
  char *warning;

  g_mutex_lock (&self->error_mutex);
  warning = g_strdup (self->warning);
  if (serial != NULL)
    *serial = atomic_load (&self->warning_serial);
  g_mutex_unlock (&self->error_mutex);
  return warning;
}

void
il_executor_replace_pid (IlExecutor *self,
                         guint       lane,
                         int         old_pid,
                         int         new_pid)
{
  IlExecLane *l = &self->lanes[lane];

  g_mutex_lock (&self->error_mutex);
  if (l->previous_pids == NULL)
    l->previous_pids = g_array_new (FALSE, FALSE, sizeof (int));
  g_array_append_val (l->previous_pids, old_pid);
  atomic_store (&l->tid, 0);
  atomic_store (&l->pid, new_pid);
  atomic_store (&l->n_previous, l->previous_pids->len);
  g_mutex_unlock (&self->error_mutex);
}

void
il_executor_get_previous_pids (IlExecutor *self,
                               guint       lane,
                               guint       from,
                               GArray     *out)
{
  IlExecLane *l = &self->lanes[lane];

  g_mutex_lock (&self->error_mutex);
  if (l->previous_pids != NULL && from < l->previous_pids->len)
    g_array_append_vals (out, &g_array_index (l->previous_pids, int, from),
                         l->previous_pids->len - from);
  g_mutex_unlock (&self->error_mutex);
}

gboolean
il_executor_apply_affinity (IlExecutor  *self,
                            GError     **error)
{
  /* Each worker lowers its own priority before its first task, so a starved owner never has to
   * catch up with workers that already run. Failing is harmless: the run goes on as it is. */
  if (self->config->nice > 0)
    (void) setpriority (PRIO_PROCESS, (id_t) il_gettid (), MIN (self->config->nice, 19));
  if (self->config->cpus == NULL || self->config->cpus->len == 0)
    return TRUE;
  return il_cpu_set_apply (self->config->cpus, 0, error);
}
