/* il-run.c: the IlRun object: starts an executor, drains its rings into the trace on the owner's
 * main context while it runs, and completes with the finished, summarised trace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "il-capture.h"
#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-executor-kinds.h"
#include "il-program.h"
#include "il-ring.h"
#include "il-run-private.h"
#include "il-workload.h"

#define IL_RUN_SCRATCH 4096

G_DEFINE_FINAL_TYPE (IlRun, il_run, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_CONFIG,
  PROP_TASKS_DONE,
  PROP_TASKS_TOTAL,
  PROP_RUNNING,
  PROP_WARNING,
  N_PROPS
};

enum {
  SPANS_ADDED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
il_run_dispose (GObject *object)
{
  IlRun *self = IL_RUN (object);

  if (self->drain_source != NULL)
    {
      g_source_destroy (self->drain_source);
      g_clear_pointer (&self->drain_source, g_source_unref);
    }
  if (self->cancellable != NULL)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      self->cancelled_id = 0;
      g_clear_object (&self->cancellable);
    }
  /* Frees (and if need be stops) the workers before the capture they borrow. */
  g_clear_pointer (&self->executor, il_executor_free);
  g_clear_pointer (&self->program, il_program_free);
  g_clear_pointer (&self->capture, il_capture_free);
  g_clear_pointer (&self->sampler, il_cpu_sampler_free);

  G_OBJECT_CLASS (il_run_parent_class)->dispose (object);
}

static void
il_run_finalize (GObject *object)
{
  IlRun *self = IL_RUN (object);

  g_clear_pointer (&self->config, il_run_config_free);
  g_clear_pointer (&self->trace, il_run_trace_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->scratch);
  g_clear_pointer (&self->filtered, g_array_unref);
  g_free (self->n_previous);
  g_free (self->warning);
  g_clear_error (&self->prepare_error);

  G_OBJECT_CLASS (il_run_parent_class)->finalize (object);
}

static void
il_run_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  IlRun *self = IL_RUN (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      g_value_set_boxed (value, self->config);
      break;
    case PROP_TASKS_DONE:
      g_value_set_uint (value, self->tasks_done);
      break;
    case PROP_TASKS_TOTAL:
      g_value_set_uint (value, self->tasks_total);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_WARNING:
      g_value_set_string (value, self->warning);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_run_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  IlRun *self = IL_RUN (object);

  switch (prop_id)
    {
    case PROP_CONFIG:
      {
        const IlRunConfig *config = g_value_get_boxed (value);
        self->config = config != NULL ? il_run_config_copy (config) : il_run_config_new ();
        self->tasks_total = self->config->tasks;
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_run_class_init (IlRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = il_run_dispose;
  object_class->finalize = il_run_finalize;
  object_class->get_property = il_run_get_property;
  object_class->set_property = il_run_set_property;

  properties[PROP_CONFIG] =
    g_param_spec_boxed ("config", NULL, NULL, IL_TYPE_RUN_CONFIG,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TASKS_DONE] =
    g_param_spec_uint ("tasks-done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TASKS_TOTAL] =
    g_param_spec_uint ("tasks-total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_WARNING] =
    g_param_spec_string ("warning", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SPANS_ADDED] =
    g_signal_new ("spans-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
il_run_init (IlRun *self)
{
}

IlRun *
il_run_new (const IlRunConfig *config)
{
  g_return_val_if_fail (config != NULL, NULL);

  return g_object_new (IL_TYPE_RUN, "config", config, NULL);
}

const IlRunConfig *
il_run_get_config (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);
  return self->config;
}

IlRunTrace *
il_run_get_trace (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);
  return self->trace;
}

guint
il_run_get_tasks_done (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), 0);
  return self->tasks_done;
}

guint
il_run_get_tasks_total (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), 0);
  return self->tasks_total;
}

gboolean
il_run_get_running (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), FALSE);
  return self->running;
}

const char *
il_run_get_warning (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);
  return self->warning;
}

/* The executor's warning (a stopped or silent worker process) reaches the owner's thread. */
static void
il_run_update_warning (IlRun *self)
{
  guint serial;
  char *warning;

  if (atomic_load (&self->executor->warning_serial) == self->warning_serial)
    return;
  warning = il_executor_dup_warning (self->executor, &serial);
  self->warning_serial = serial;
  if (g_strcmp0 (warning, self->warning) == 0)
    {
      g_free (warning);
      return;
    }
  g_free (self->warning);
  self->warning = warning;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_WARNING]);
}

void
il_run_set_running (IlRun    *self,
                    gboolean  running)
{
  if (self->running == running)
    return;
  self->running = running;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

void
il_run_emit_spans_added (IlRun *self)
{
  g_signal_emit (self, signals[SPANS_ADDED], 0);
}

/* The CPUs whose "other programs" series the run keeps: its CPU set, or every CPU. */
void
il_run_start_cpu_load (IlRun *self)
{
  g_autoptr(GError) error = NULL;
  IlCpuLoad *load;
  GArray *cpus = self->config->cpus;
  guint n = il_cpu_count ();

  self->sampler = il_cpu_sampler_start (IL_CPU_LOAD_INTERVAL_NS, &error);
  if (self->sampler == NULL)
    {
      /* Not Linux or no /proc: the run is still worth having, without the rest of the machine. */
      g_debug ("%s", error->message);
      return;
    }
  load = il_cpu_load_new (IL_CPU_LOAD_INTERVAL_NS);
  for (guint i = 0; i < n; i++)
    {
      gboolean in_set = cpus == NULL || cpus->len == 0;
      for (guint k = 0; !in_set && k < cpus->len; k++)
        in_set = g_array_index (cpus, int, k) == (int) i;
      if (in_set)
        il_cpu_load_add_cpu (load, (int) i);
    }
  il_run_trace_set_cpu_load (self->trace, load);
}

/* Brings the "other programs" series up to date. While the run goes on, only intervals old enough
 * that their workers' spans were surely drained (spans are cut every 10 ms and drained every
 * 50 ms; a traced program's tracer keeps the newest 60 ms of a span open and its switch records
 * may come 20 ms late); at the end, every interval again from the start, from the complete
 * spans, so the stored series is exact. */
#define IL_RUN_CPU_LOAD_LAG_NS (G_GINT64_CONSTANT (100000000))
#define IL_RUN_PROGRAM_CPU_LOAD_LAG_NS (G_GINT64_CONSTANT (200000000))

void
il_run_update_cpu_load (IlRun    *self,
                        gboolean  final)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (self->trace);
  gint64 origin = il_run_trace_get_origin_ns (self->trace);

  if (self->sampler == NULL || load == NULL)
    return;
  if (final)
    {
      gint64 top_ns = 0;
      const char *top;

      il_cpu_sampler_stop (self->sampler);
      top = il_cpu_sampler_get_top_other (self->sampler, &top_ns);
      il_cpu_load_set_top_other (load, top, top_ns);
      il_cpu_load_clear (load);
      il_cpu_sampler_rewind (self->sampler);
      il_cpu_sampler_update (self->sampler, load, self->trace, origin, G_MAXINT64,
                             il_run_trace_get_end_ns (self->trace));
      il_run_trace_cpu_load_changed (self->trace);
    }
  else if (il_cpu_sampler_update (self->sampler, load, self->trace, origin,
                                  il_clock_now_ns () - origin -
                                    (self->program != NULL ? IL_RUN_PROGRAM_CPU_LOAD_LAG_NS
                                                           : IL_RUN_CPU_LOAD_LAG_NS),
                                  G_MAXINT64) > 0)
    {
      /* New rows of a live run: viewers redraw (the rows lag the spans by the lag above). */
      il_run_trace_cpu_load_changed (self->trace);
      self->spans_unannounced = TRUE;
    }
}

/* Moves everything the workers recorded so far into the trace. Returns TRUE when spans came. */
static gboolean
il_run_drain_rings (IlRun *self)
{
  guint tasks_done = self->tasks_done;
  gboolean added = FALSE;

  for (guint lane = 0; lane < self->executor->n_lanes; lane++)
    {
      IlExecLane *l = &self->executor->lanes[lane];
      guint n;

      {
        const IlWorkerInfo *info = il_run_trace_get_worker (self->trace, lane);
        int pid = atomic_load (&l->pid);
        int tid = atomic_load (&l->tid);

        /* A process's pid is known from its spawn, its tid once it says hello (the same number
         * for our single-threaded worker), so a process cancelled during start-up keeps it. A
         * process lane whose worker died gets its replacement's, the old one kept apart. */
        if (tid == 0 && pid != 0 && l->kind == IL_WORKER_PROCESS)
          tid = pid;
        if (pid != 0 && (info->pid != pid || info->tid != tid))
          il_run_trace_set_worker_ids (self->trace, lane, pid, tid);
        if (atomic_load (&l->n_previous) != self->n_previous[lane])
          {
            g_autoptr(GArray) previous = g_array_new (FALSE, FALSE, sizeof (int));

            il_executor_get_previous_pids (self->executor, lane, self->n_previous[lane], previous);
            for (guint k = 0; k < previous->len; k++)
              il_run_trace_add_previous_pid (self->trace, lane, g_array_index (previous, int, k));
            self->n_previous[lane] += previous->len;
          }
      }

      while ((n = il_ring_pop_many (l->ring, self->scratch, IL_RUN_SCRATCH)) > 0)
        {
          guint n_spans = 0;

          for (guint i = 0; i < n; i++)
            {
              const IlSpan *e = &self->scratch[i];

              if (e->state == IL_RING_TASK_MARK)
                {
                  IlTaskRecord *rec = il_run_trace_get_task (self->trace, (guint) e->task);

                  if (rec != NULL)
                    {
                      rec->worker = (int) lane;
                      rec->start_ns = e->start_ns;
                      rec->end_ns = e->end_ns;
                      rec->status = (IlTaskStatus) e->cpu;
                      if (rec->status == IL_TASK_OK)
                        tasks_done++;
                    }
                }
              else
                {
                  /* Compact the spans in place: the trace takes them in one call. */
                  self->scratch[n_spans] = *e;
                  self->scratch[n_spans].worker = (guint16) lane;
                  n_spans++;
                }
            }

          if (n_spans > 0)
            {
              /* The capture turns the application's spans into the trace's (the kernel capture
               * splits `running` by the real switches). */
              g_array_set_size (self->filtered, 0);
              il_capture_filter (self->capture, lane, self->executor->origin_ns, self->scratch,
                                 n_spans, self->filtered);
              il_run_trace_append_many (self->trace, (const IlSpan *) self->filtered->data,
                                        self->filtered->len);
              added = TRUE;
            }
        }
    }

  il_run_update_warning (self);

  if (tasks_done != self->tasks_done)
    {
      self->tasks_done = tasks_done;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TASKS_DONE]);
    }

  return added;
}

static void
il_run_complete (IlRun *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  g_autoptr(GError) error = NULL;
  gboolean cancelled;
  guint64 dropped = 0;

  il_executor_join (self->executor);
  il_run_drain_rings (self);

  if (self->drain_source != NULL)
    {
      g_source_destroy (self->drain_source);
      g_clear_pointer (&self->drain_source, g_source_unref);
    }

  for (guint lane = 0; lane < self->executor->n_lanes; lane++)
    dropped += il_ring_get_dropped (self->executor->lanes[lane].ring);
  if (dropped > 0)
    g_debug ("%" G_GUINT64_FORMAT " spans were dropped: the owner drained too slowly", dropped);

  error = il_executor_take_error (self->executor);
  cancelled = il_executor_is_cancelled (self->executor) && error == NULL;

  /* Tasks that never finished never started (or were stopped by the cancel): cancelled, never
   * failed; a failed task has its own record and, when a worker died under it, the cause. */
  for (guint i = 0; i < il_run_trace_get_n_tasks (self->trace); i++)
    {
      IlTaskRecord *rec = il_run_trace_get_task (self->trace, i);
      if (rec->status == IL_TASK_PENDING)
        rec->status = IL_TASK_CANCELLED;
    }
  {
    g_autoptr(GHashTable) causes = il_executor_take_task_errors (self->executor);
    GHashTableIter iter;
    gpointer key, value;

    if (causes != NULL)
      {
        g_hash_table_iter_init (&iter, causes);
        while (g_hash_table_iter_next (&iter, &key, &value))
          if ((guint) GPOINTER_TO_INT (key) < il_run_trace_get_n_tasks (self->trace))
            il_run_trace_set_task_error (self->trace, (guint) GPOINTER_TO_INT (key), value);
      }
  }

  il_run_update_cpu_load (self, TRUE);
  if (il_capture_is_compare (self->capture))
    il_run_trace_set_data (self->trace, "il-self-capture",
                           il_capture_compare_build_self_trace (self->capture, self->trace),
                           (GDestroyNotify) il_run_trace_unref);
  il_run_trace_set_cancelled (self->trace, cancelled);
  il_run_trace_set_live (self->trace, FALSE);
  il_run_trace_compute_summary (self->trace);

  g_signal_emit (self, signals[SPANS_ADDED], 0);
  il_run_set_running (self, FALSE);

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (cancelled)
    g_task_return_new_error (task, IL_ERROR, IL_ERROR_CANCELLED, _("The run was cancelled"));
  else
    g_task_return_pointer (task, il_run_trace_ref (self->trace),
                           (GDestroyNotify) il_run_trace_unref);
}

static gboolean
il_run_drain_cb (gpointer data)
{
  IlRun *self = data;

  if (self->task == NULL)
    return G_SOURCE_REMOVE;

  /* Read done first: everything recorded before the workers finished is then in the rings. */
  if (il_executor_is_done (self->executor))
    {
      /* il_run_complete() destroys this source and drops our reference to it. */
      il_run_complete (self);
      return G_SOURCE_REMOVE;
    }

  il_run_update_cpu_load (self, FALSE);
  if (il_run_drain_rings (self) || self->spans_unannounced)
    {
      self->spans_unannounced = FALSE;
      g_signal_emit (self, signals[SPANS_ADDED], 0);
    }

  return G_SOURCE_CONTINUE;
}

/* A ring is filling up faster than the periodic drain empties it: drain now. The signal waits
 * for the next tick so viewers are not flooded. */
static gboolean
il_run_pressure_idle_cb (gpointer data)
{
  IlRun *self = data;

  atomic_store (&self->drain_scheduled, 0);
  if (self->task != NULL && il_run_drain_rings (self))
    self->spans_unannounced = TRUE;
  return G_SOURCE_REMOVE;
}

static void
il_run_executor_drain (gpointer data)
{
  IlRun *self = data;
  GSource *source;

  if (atomic_exchange (&self->drain_scheduled, 1) != 0)
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, il_run_pressure_idle_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[interleave] drain full rings");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static gboolean
il_run_done_idle_cb (gpointer data)
{
  IlRun *self = data;

  if (self->task != NULL && il_executor_is_done (self->executor))
    {
      if (self->drain_source != NULL)
        {
          g_source_destroy (self->drain_source);
          g_clear_pointer (&self->drain_source, g_source_unref);
        }
      il_run_complete (self);
    }
  return G_SOURCE_REMOVE;
}

/* From the last worker's thread: wake the owner now rather than at the next drain tick, so short
 * runs end as soon as their work does. */
static void
il_run_executor_done (gpointer data)
{
  IlRun *self = data;
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, il_run_done_idle_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[interleave] run done");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
il_run_cancelled_cb (GCancellable *cancellable,
                     gpointer      data)
{
  IlRun *self = data;

  if (self->executor != NULL)
    il_executor_cancel (self->executor);
  if (self->program != NULL)
    il_program_cancel (self->program);
}

static const char *
il_run_worker_name_format (IlExecutorKind kind)
{
  switch (kind)
    {
    case IL_EXECUTOR_PROCESSES:
      return "process %u";
    case IL_EXECUTOR_ASYNC:
      return "coroutine %u";
    case IL_EXECUTOR_SEQUENTIAL:
    case IL_EXECUTOR_THREADS:
    case IL_EXECUTOR_EXTERNAL:
    case IL_N_EXECUTORS:
    default:
      return "worker %u";
    }
}


IlRunTrace *
il_run_prepare (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);

  if (self->trace != NULL)
    return self->trace;

  /* Calibrating (once per machine, cached) and one-time set-up are not part of the run's time. */
  if (!il_run_config_is_program (self->config))
    {
      il_calibration_get ();
      il_workload_prepare (self->config->workload);
    }

  self->trace = il_run_trace_new (self->config);
  il_run_trace_set_origin_ns (self->trace, il_clock_now_ns ());
  il_run_trace_set_n_cpus (self->trace, il_cpu_count ());
  il_run_trace_set_n_tasks (self->trace, self->config->tasks);
  il_run_trace_set_live (self->trace, TRUE);
  if (il_run_config_is_program (self->config))
    {
      /* A program's lanes come as its threads appear. Its capture is settled when it starts
       * (il_program_start); until then the trace says the one it will most likely get. */
      IlCaptureKind kind = IL_CAPTURE_SAMPLED;

      if (self->config->capture == IL_CAPTURE_KERNEL ||
          (self->config->capture == IL_CAPTURE_AUTO && il_capture_kernel_refusal () == NULL))
        kind = IL_CAPTURE_KERNEL;
      il_run_trace_set_capture (self->trace, kind);
      return self->trace;
    }

  /* The capture's first probe of the kernel can take milliseconds (perf's one-time set-up); it is
   * not part of the run: the clock starts in il_run_start_async(). */
  self->capture = il_capture_new (self->config->capture, &self->prepare_error);
  if (self->capture == NULL)
    return self->trace;
  il_run_trace_set_capture (self->trace, il_capture_get_kind (self->capture));
  self->executor = il_executor_new (self->config, self->capture, 0, il_run_get_worker_path (),
                                    &self->prepare_error);
  if (self->executor == NULL)
    return self->trace;
  for (guint i = 0; i < self->executor->n_lanes; i++)
    {
      g_autofree char *name = g_strdup_printf (il_run_worker_name_format (self->config->executor), i);
      il_run_trace_add_worker (self->trace, self->executor->lanes[i].kind, 0, 0, name);
    }
  return self->trace;
}

void
il_run_start_async (IlRun               *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  GSource *source;
  gint64 origin;

  g_return_if_fail (IL_IS_RUN (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, il_run_start_async);
  /* The run reports its own cancel (IL_ERROR_CANCELLED, the trace kept and marked cancelled);
   * GTask would otherwise put G_IO_ERROR_CANCELLED in its place. */
  g_task_set_check_cancellable (task, FALSE);

  self->context = g_main_context_ref_thread_default ();
  il_run_prepare (self);

  if (g_cancellable_is_cancelled (cancellable))
    {
      il_run_trace_set_cancelled (self->trace, TRUE);
      il_run_trace_set_live (self->trace, FALSE);
      g_task_return_new_error (task, IL_ERROR, IL_ERROR_CANCELLED, _("The run was cancelled"));
      return;
    }

  if (il_run_config_is_program (self->config))
    {
      il_run_start_program (self, g_steal_pointer (&task), cancellable);
      return;
    }

  if (self->prepare_error != NULL)
    {
      il_run_trace_set_live (self->trace, FALSE);
      g_task_return_error (task, g_steal_pointer (&self->prepare_error));
      return;
    }

  /* The run's time starts here, however long ago it was prepared. */
  origin = il_clock_now_ns ();
  il_run_trace_set_origin_ns (self->trace, origin);
  self->executor->origin_ns = origin;

  self->n_previous = g_new0 (guint, self->executor->n_lanes);
  self->scratch = g_new (IlSpan, IL_RUN_SCRATCH);
  self->filtered = g_array_sized_new (FALSE, FALSE, sizeof (IlSpan), IL_RUN_SCRATCH);
  il_executor_set_notify (self->executor, il_run_executor_done, il_run_executor_drain, self);

  self->task = g_steal_pointer (&task);
  il_run_set_running (self, TRUE);
  il_run_start_cpu_load (self);

  if (!il_executor_start (self->executor, &error))
    {
      g_autoptr(GTask) failed = g_steal_pointer (&self->task);

      il_run_trace_set_live (self->trace, FALSE);
      il_run_set_running (self, FALSE);
      g_task_return_error (failed, g_steal_pointer (&error));
      return;
    }

  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (il_run_cancelled_cb),
                                                  self, NULL);
    }

  source = g_timeout_source_new (IL_RUN_DRAIN_INTERVAL_MS);
  g_source_set_callback (source, il_run_drain_cb, self, NULL);
  g_source_set_static_name (source, "[interleave] drain rings");
  g_source_attach (source, self->context);
  self->drain_source = source;
}

IlRunTrace *
il_run_start_finish (IlRun         *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == il_run_start_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct
{
  gboolean    done;
  IlRunTrace *trace;
  GError     *error;
} IlRunSyncData;

static void
il_run_sync_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      data)
{
  IlRunSyncData *sync = data;

  sync->trace = il_run_start_finish (IL_RUN (object), result, &sync->error);
  sync->done = TRUE;
}

IlRunTrace *
il_run_sync (const IlRunConfig  *config,
             GCancellable       *cancellable,
             GError            **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(IlRun) run = NULL;
  IlRunSyncData sync = { FALSE, NULL, NULL };

  g_return_val_if_fail (config != NULL, NULL);

  g_main_context_push_thread_default (context);
  run = il_run_new (config);
  il_run_start_async (run, cancellable, il_run_sync_cb, &sync);
  while (!sync.done)
    g_main_context_iteration (context, TRUE);
  /* Let the run's sources go before the context does. */
  g_clear_object (&run);
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);

  if (sync.error != NULL)
    {
      g_propagate_error (error, sync.error);
      return NULL;
    }
  return sync.trace;
}

static gpointer
il_run_find_worker (gpointer data)
{
  g_autofree char *exe = realpath ("/proc/self/exe", NULL);
  g_autofree char *root = realpath (IL_BUILD_ROOT, NULL);
  g_autofree char *installed = g_build_filename (IL_LIBEXECDIR, "interleave-worker", NULL);

  return il_executor_choose_worker_path (g_getenv ("IL_WORKER_PATH"), exe, root, IL_BUILD_WORKER,
                                         installed);
}

const char *
il_run_get_worker_path (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, il_run_find_worker, NULL);
}
