/* il-run-program.c: an IlRun of a traced program (il-program.c). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An IlRun of a traced program (il-program.c): the same drain, spans-added and completion as an
 * executor's run, from the program's ring and notes. */
#include "config.h"

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-run-private.h"

/* A traced program (il-program.c): the same drain, spans-added and completion as an executor's
 * run, with lanes, processes and names arriving as the program creates them. */
static void
il_run_program_complete (IlRun *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);
  gboolean cancelled = il_program_is_cancelled (self->program);

  if (self->drain_source != NULL)
    {
      g_source_destroy (self->drain_source);
      g_clear_pointer (&self->drain_source, g_source_unref);
    }
  il_program_finish (self->program, self->trace);
  il_run_update_cpu_load (self, TRUE);
  il_run_trace_set_cancelled (self->trace, cancelled);
  il_run_trace_set_live (self->trace, FALSE);
  il_run_trace_compute_summary (self->trace);

  il_run_emit_spans_added (self);
  il_run_set_running (self, FALSE);

  if (cancelled)
    g_task_return_new_error (task, IL_ERROR, IL_ERROR_CANCELLED, _("The run was cancelled"));
  else
    g_task_return_pointer (task, il_run_trace_ref (self->trace),
                           (GDestroyNotify) il_run_trace_unref);
}

static gboolean
il_run_program_tick (gpointer data)
{
  IlRun *self = data;

  if (self->task == NULL)
    return G_SOURCE_REMOVE;
  if (il_program_is_done (self->program))
    {
      il_run_program_complete (self);
      return G_SOURCE_REMOVE;
    }
  il_run_update_cpu_load (self, FALSE);
  if (il_program_drain (self->program, self->trace) || self->spans_unannounced)
    {
      self->spans_unannounced = FALSE;
      il_run_emit_spans_added (self);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
il_run_program_pressure_cb (gpointer data)
{
  IlRun *self = data;

  atomic_store (&self->drain_scheduled, 0);
  if (self->task != NULL && il_program_drain (self->program, self->trace))
    self->spans_unannounced = TRUE;
  return G_SOURCE_REMOVE;
}

static void
il_run_program_drain (gpointer data)
{
  IlRun *self = data;
  GSource *source;

  if (atomic_exchange (&self->drain_scheduled, 1) != 0)
    return;
  source = g_idle_source_new ();
  g_source_set_callback (source, il_run_program_pressure_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[interleave] drain program ring");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

static gboolean
il_run_program_done_cb (gpointer data)
{
  IlRun *self = data;

  if (self->task != NULL && il_program_is_done (self->program))
    il_run_program_complete (self);
  return G_SOURCE_REMOVE;
}

static void
il_run_program_done (gpointer data)
{
  IlRun *self = data;
  GSource *source = g_idle_source_new ();

  g_source_set_callback (source, il_run_program_done_cb, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[interleave] program done");
  g_source_attach (source, self->context);
  g_source_unref (source);
}

void
il_run_start_program (IlRun        *self,
                      GTask        *task_in,
                      GCancellable *cancellable)
{
  g_autoptr(GTask) task = task_in;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSource *source;
  gint64 origin = il_clock_now_ns ();

  if (!il_run_config_validate (self->config, &error))
    {
      il_run_trace_set_live (self->trace, FALSE);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (self->config->label == NULL || *self->config->label == '\0')
    {
      line = il_run_config_command_line (self->config, 60);
      il_run_trace_set_label (self->trace, line);
    }
  il_run_trace_set_origin_ns (self->trace, origin);
  self->program = il_program_new (self->config, origin);
  self->task = g_steal_pointer (&task);
  il_run_set_running (self, TRUE);
  if (!il_program_start (self->program, il_run_program_done, il_run_program_drain, self, &error))
    {
      g_autoptr(GTask) failed = g_steal_pointer (&self->task);

      il_run_trace_set_live (self->trace, FALSE);
      il_run_set_running (self, FALSE);
      g_task_return_error (failed, g_steal_pointer (&error));
      return;
    }
  /* Its time starts when the forked program was let go, not before the fork. */
  il_run_trace_set_origin_ns (self->trace, il_program_get_origin_ns (self->program));
  il_program_attach_stacks (self->program, self->trace);
  /* The rest of the machine, as for an executor's run: the program's traced threads are its own
   * time; whatever else ran on a CPU (the window, the tracer) is other programs. */
  il_run_start_cpu_load (self);
  il_run_trace_set_capture (self->trace, il_program_get_capture (self->program));
  if (il_program_get_capture (self->program) == IL_CAPTURE_SAMPLED)
    il_run_trace_set_sample_interval_ns (self->trace, IL_PROGRAM_SAMPLE_NS);

  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (il_run_cancelled_cb),
                                                  self, NULL);
    }
  source = g_timeout_source_new (IL_RUN_DRAIN_INTERVAL_MS);
  g_source_set_callback (source, il_run_program_tick, self, NULL);
  g_source_set_static_name (source, "[interleave] drain program");
  g_source_attach (source, self->context);
  self->drain_source = source;
}

int
il_run_get_exit_status (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), -1);
  return self->program != NULL ? il_program_get_wait_status (self->program) : -1;
}

const char *
il_run_get_stderr_tail (IlRun *self)
{
  g_return_val_if_fail (IL_IS_RUN (self), NULL);
  return self->program != NULL ? il_program_get_stderr_tail (self->program) : NULL;
}
