/* il-batch-runner.c: runs a batch of configurations in rounds (A B, A B, …), one run at a time, on the caller's main context. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-batch.h"
#include "il-batch-runner.h"

struct _IlBatchRunner
{
  GObject       parent_instance;

  GPtrArray    *configs;    /* of IlRunConfig: one round, in order */
  guint         repeat;
  guint         done;
  gboolean      keep_going;
  gboolean      hold_start;
  gboolean      held;       /* a prepared run waits for il_batch_runner_go() */
  IlRun        *run;        /* the run going on, or NULL */
  GTask        *task;       /* the batch going on, or NULL */
  GError       *error;      /* what ends the batch, kept until it completes */
  GPtrArray    *rounds;     /* of GPtrArray of IlRunTrace */
  GPtrArray    *result;     /* of IlRunTrace, once complete */
};

G_DEFINE_FINAL_TYPE (IlBatchRunner, il_batch_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DONE,
  PROP_TOTAL,
  PROP_RUN,
  PROP_KEEP_GOING,
  PROP_HOLD_START,
  N_PROPS
};

enum {
  RUN_PREPARED,
  RUN_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void il_batch_runner_next (IlBatchRunner *self);

static void
il_batch_runner_dispose (GObject *object)
{
  IlBatchRunner *self = IL_BATCH_RUNNER (object);

  g_clear_object (&self->run);
  g_clear_object (&self->task);
  G_OBJECT_CLASS (il_batch_runner_parent_class)->dispose (object);
}

static void
il_batch_runner_finalize (GObject *object)
{
  IlBatchRunner *self = IL_BATCH_RUNNER (object);

  g_clear_pointer (&self->configs, g_ptr_array_unref);
  g_clear_pointer (&self->rounds, g_ptr_array_unref);
  g_clear_pointer (&self->result, g_ptr_array_unref);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (il_batch_runner_parent_class)->finalize (object);
}

static void
il_batch_runner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlBatchRunner *self = IL_BATCH_RUNNER (object);

  switch (prop_id)
    {
    case PROP_DONE:
      g_value_set_uint (value, self->done);
      break;
    case PROP_TOTAL:
      g_value_set_uint (value, il_batch_runner_get_total (self));
      break;
    case PROP_RUN:
      g_value_set_object (value, self->run);
      break;
    case PROP_KEEP_GOING:
      g_value_set_boolean (value, self->keep_going);
      break;
    case PROP_HOLD_START:
      g_value_set_boolean (value, self->hold_start);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_batch_runner_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  IlBatchRunner *self = IL_BATCH_RUNNER (object);

  switch (prop_id)
    {
    case PROP_KEEP_GOING:
      il_batch_runner_set_keep_going (self, g_value_get_boolean (value));
      break;
    case PROP_HOLD_START:
      il_batch_runner_set_hold_start (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_batch_runner_class_init (IlBatchRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = il_batch_runner_dispose;
  object_class->finalize = il_batch_runner_finalize;
  object_class->get_property = il_batch_runner_get_property;
  object_class->set_property = il_batch_runner_set_property;

  properties[PROP_DONE] =
    g_param_spec_uint ("done", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TOTAL] =
    g_param_spec_uint ("total", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUN] =
    g_param_spec_object ("run", NULL, NULL, IL_TYPE_RUN,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEEP_GOING] =
    g_param_spec_boolean ("keep-going", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOLD_START] =
    g_param_spec_boolean ("hold-start", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[RUN_PREPARED] =
    g_signal_new ("run-prepared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 3, IL_TYPE_RUN, G_TYPE_UINT, G_TYPE_UINT);
  signals[RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 5, IL_TYPE_RUN, G_TYPE_POINTER, G_TYPE_UINT, G_TYPE_UINT,
                  G_TYPE_ERROR | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
il_batch_runner_init (IlBatchRunner *self)
{
  self->rounds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
}

IlBatchRunner *
il_batch_runner_new (GPtrArray *configs, guint repeat)
{
  IlBatchRunner *self;

  g_return_val_if_fail (configs != NULL, NULL);

  self = g_object_new (IL_TYPE_BATCH_RUNNER, NULL);
  self->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  for (guint i = 0; i < configs->len; i++)
    g_ptr_array_add (self->configs, il_run_config_copy (g_ptr_array_index (configs, i)));
  self->repeat = MAX (repeat, 1);
  return self;
}

guint
il_batch_runner_get_done (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), 0);
  return self->done;
}

guint
il_batch_runner_get_total (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), 0);
  return self->repeat * self->configs->len;
}

guint
il_batch_runner_get_repeat (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), 1);
  return self->repeat;
}

guint
il_batch_runner_get_n_configs (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), 0);
  return self->configs->len;
}

IlRun *
il_batch_runner_get_run (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), NULL);
  return self->run;
}

void
il_batch_runner_set_keep_going (IlBatchRunner *self, gboolean keep_going)
{
  g_return_if_fail (IL_IS_BATCH_RUNNER (self));

  keep_going = !!keep_going;
  if (self->keep_going == keep_going)
    return;
  self->keep_going = keep_going;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_KEEP_GOING]);
}

gboolean
il_batch_runner_get_keep_going (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), FALSE);
  return self->keep_going;
}

void
il_batch_runner_set_hold_start (IlBatchRunner *self, gboolean hold_start)
{
  g_return_if_fail (IL_IS_BATCH_RUNNER (self));

  hold_start = !!hold_start;
  if (self->hold_start == hold_start)
    return;
  self->hold_start = hold_start;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOLD_START]);
}

gboolean
il_batch_runner_get_hold_start (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), FALSE);
  return self->hold_start;
}

GPtrArray *
il_batch_runner_get_rounds (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), NULL);
  return self->rounds;
}

GPtrArray *
il_batch_runner_get_result (IlBatchRunner *self)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), NULL);
  return self->result;
}

static gboolean
is_cancel_error (const GError *error)
{
  return g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED);
}

static void
il_batch_runner_complete (IlBatchRunner *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->task);

  /* Speedups within each round: against the sequential run measured with them, never an older
   * one; a sequential run is 1.00× by definition. Then each configuration keeps its median. */
  for (guint k = 0; k < self->rounds->len; k++)
    il_batch_apply_speedups (g_ptr_array_index (self->rounds, k));
  g_clear_pointer (&self->result, g_ptr_array_unref);
  self->result = il_batch_reduce (self->rounds);

  if (self->error != NULL)
    g_task_return_error (task, g_steal_pointer (&self->error));
  else
    g_task_return_pointer (task, g_ptr_array_ref (self->result), (GDestroyNotify) g_ptr_array_unref);
}

static void
on_run_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(IlBatchRunner) self = user_data;
  g_autoptr(IlRun) run = IL_RUN (g_object_ref (source));
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunTrace) trace = il_run_start_finish (run, result, &error);
  guint n_configs = self->configs->len;
  guint round = self->done / n_configs, index = self->done % n_configs;
  GCancellable *cancellable = g_task_get_cancellable (self->task);

  if (trace == NULL && il_run_get_trace (run) != NULL)
    {
      trace = il_run_trace_ref (il_run_get_trace (run));
      if (is_cancel_error (error) || g_cancellable_is_cancelled (cancellable))
        il_run_trace_set_cancelled (trace, TRUE);
    }
  if (trace != NULL && il_run_trace_get_live (trace))
    il_run_trace_set_live (trace, FALSE);
  g_clear_object (&self->run);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);

  while (self->rounds->len <= round)
    g_ptr_array_add (self->rounds,
                     g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref));
  /* A run that failed before recording anything has nothing to show, compare or save. */
  if (trace != NULL && !(error != NULL && !is_cancel_error (error) &&
                         il_run_trace_get_n_spans (trace) == 0))
    g_ptr_array_add (g_ptr_array_index (self->rounds, round), il_run_trace_ref (trace));

  g_signal_emit (self, signals[RUN_FINISHED], 0, run, trace, round, index, error);
  self->done++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);

  if (error != NULL && self->error == NULL &&
      (!self->keep_going || is_cancel_error (error) || g_cancellable_is_cancelled (cancellable)))
    self->error = g_steal_pointer (&error);
  il_batch_runner_next (self);
}

static void
il_batch_runner_start (IlBatchRunner *self)
{
  self->held = FALSE;
  il_run_start_async (self->run, g_task_get_cancellable (self->task), on_run_done,
                      g_object_ref (self));
}

void
il_batch_runner_go (IlBatchRunner *self)
{
  g_return_if_fail (IL_IS_BATCH_RUNNER (self));

  if (self->held && self->run != NULL && self->task != NULL)
    il_batch_runner_start (self);
}

static void
il_batch_runner_next (IlBatchRunner *self)
{
  GCancellable *cancellable = g_task_get_cancellable (self->task);
  const IlRunConfig *config;
  IlRunTrace *trace;
  guint n_configs = self->configs->len;

  if (self->error == NULL && g_cancellable_is_cancelled (cancellable))
    g_set_error_literal (&self->error, IL_ERROR, IL_ERROR_CANCELLED, _("The run was cancelled"));
  if (self->error != NULL || self->done >= il_batch_runner_get_total (self))
    {
      il_batch_runner_complete (self);
      return;
    }

  config = g_ptr_array_index (self->configs, self->done % n_configs);
  self->run = il_run_new (config);
  trace = il_run_prepare (self->run);
  if (config->label != NULL)
    il_run_trace_set_label (trace, config->label);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUN]);
  /* Held until a handler or a later il_batch_runner_go() starts it, or started here. */
  self->held = TRUE;
  g_signal_emit (self, signals[RUN_PREPARED], 0, self->run, self->done / n_configs,
                 self->done % n_configs);
  if (self->held && !self->hold_start)
    il_batch_runner_start (self);
}

void
il_batch_runner_run_async (IlBatchRunner       *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_return_if_fail (IL_IS_BATCH_RUNNER (self));
  g_return_if_fail (self->task == NULL);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, il_batch_runner_run_async);
  /* A cancel is reported by the run it stopped (IL_ERROR_CANCELLED), not replaced by GTask's. */
  g_task_set_check_cancellable (self->task, FALSE);
  self->done = 0;
  g_ptr_array_set_size (self->rounds, 0);
  g_clear_pointer (&self->result, g_ptr_array_unref);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DONE]);
  il_batch_runner_next (self);
}

GPtrArray *
il_batch_runner_run_finish (IlBatchRunner *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (IL_IS_BATCH_RUNNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
