/* il-sweep-view.c: the sweep page: runs the same work at 1, 2, 4, … workers and draws speedups. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "il-painter.h"
#include "il-sweep-run.h"
#include "il-sweep-view.h"

struct _IlSweepView
{
  GtkBox          parent_instance;

  IlRunConfig    *base;
  IlSweep        *sweep;
  GCancellable   *cancellable;   /* non-NULL while a sweep runs */

  GtkEntry       *counts_entry;
  GtkCheckButton *threads_check;
  GtkCheckButton *gil_check;
  GtkCheckButton *processes_check;
  GtkCheckButton *async_check;
  GtkButton      *run_button;
  GtkButton      *stop_button;
  GtkLabel       *work_label;
  GtkProgressBar *progress_bar;
  GtkDrawingArea *drawing_area;
  GtkLabel       *result_label;
  IlSweep        *partial;    /* what is measured so far while a sweep runs, drawn live */
  IlPaintOptions  options;    /* the chart's text zoom and presentation, as the timeline's */
};

G_DEFINE_FINAL_TYPE (IlSweepView, il_sweep_view, GTK_TYPE_BOX)

enum { PROP_0, PROP_SWEEP, PROP_RUNNING, N_PROPS };
static GParamSpec *properties[N_PROPS];

/* What the worker thread gets: plain copies, never a widget. */
typedef struct
{
  GPtrArray *configs;        /* of IlRunConfig */
  GArray    *counts;         /* of guint */
  guint      repeat;         /* rounds of the whole sweep (the "sweep-repeat" setting) */
} SweepJob;

typedef struct
{
  GWeakRef  view;
  guint     done, total;
} SweepProgress;

static void
sweep_job_free (SweepJob *job)
{
  g_ptr_array_unref (job->configs);
  g_array_unref (job->counts);
  g_free (job);
}

static gboolean
deliver_progress (gpointer data)
{
  SweepProgress *p = data;
  g_autoptr(IlSweepView) self = g_weak_ref_get (&p->view);

  if (self != NULL && self->cancellable != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("%u of %u runs"), p->done, p->total);

      gtk_progress_bar_set_fraction (self->progress_bar, p->total ? (double) p->done / p->total : 0);
      gtk_progress_bar_set_text (self->progress_bar, text);
    }
  return G_SOURCE_REMOVE;
}

static void
free_progress (gpointer data)
{
  SweepProgress *p = data;

  g_weak_ref_clear (&p->view);
  g_free (p);
}

static void
on_sweep_progress (guint done, guint total, gpointer data)
{
  GTask *task = data;
  SweepProgress *p = g_new0 (SweepProgress, 1);

  /* Called on the worker thread: hand the numbers to the main context, never touch widgets. */
  g_weak_ref_init (&p->view, g_task_get_source_object (task));
  p->done = done;
  p->total = total;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, deliver_progress, p,
                              free_progress);
}

typedef struct
{
  GWeakRef  view;
  IlSweep  *sweep;
} SweepPartial;

static gboolean
deliver_partial (gpointer data)
{
  SweepPartial *p = data;
  g_autoptr(IlSweepView) self = g_weak_ref_get (&p->view);

  /* Only while that sweep still runs: a late one must not cover the finished result. */
  if (self != NULL && self->cancellable != NULL)
    {
      g_clear_pointer (&self->partial, il_sweep_free);
      self->partial = g_steal_pointer (&p->sweep);
      gtk_widget_queue_draw (GTK_WIDGET (self->drawing_area));
    }
  return G_SOURCE_REMOVE;
}

static void
free_partial (gpointer data)
{
  SweepPartial *p = data;

  g_weak_ref_clear (&p->view);
  g_clear_pointer (&p->sweep, il_sweep_free);
  g_free (p);
}

/* Called on the worker thread after every run: the points so far go to the main context. */
static void
on_sweep_partial (IlSweep *sweep, gpointer data)
{
  GTask *task = data;
  SweepPartial *p = g_new0 (SweepPartial, 1);

  g_weak_ref_init (&p->view, g_task_get_source_object (task));
  p->sweep = sweep;
  g_main_context_invoke_full (g_task_get_context (task), G_PRIORITY_DEFAULT, deliver_partial, p,
                              free_partial);
}

static void
sweep_thread (GTask *task, gpointer source_object, gpointer task_data, GCancellable *cancellable)
{
  SweepJob *job = task_data;
  GError *error = NULL;
  IlSweep *sweep;

  sweep = il_sweep_run_live ((const IlRunConfig *const *) job->configs->pdata, job->configs->len,
                             job->counts, job->repeat, cancellable, on_sweep_progress,
                             on_sweep_partial, task, &error);
  if (sweep == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, sweep, (GDestroyNotify) il_sweep_free);
}

static void
il_sweep_view_set_running (IlSweepView *self, gboolean running)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->drawing_area));
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), running);
  gtk_widget_set_sensitive (GTK_WIDGET (self->run_button), !running);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), running);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
il_sweep_view_update_result (IlSweepView *self)
{
  GString *s;

  if (self->sweep == NULL)
    {
      gtk_label_set_label (self->result_label, "");
      return;
    }
  s = g_string_new (NULL);
  for (guint i = 0; i < self->sweep->series->len; i++)
    {
      IlSweepSeries *series = g_ptr_array_index (self->sweep->series, i);
      guint last = self->sweep->worker_counts->len - 1;
      double top = il_sweep_get_speedup (self->sweep, series, last);

      if (s->len > 0)
        g_string_append (s, "\n");
      if (isfinite (series->serial_fraction))
        /* Translators: executor, speedup at N workers, Amdahl's serial fraction in percent */
        g_string_append_printf (s, _("%s: %.2f× at %u workers; Amdahl fit: %.0f %% serial"),
                                series->label, top,
                                g_array_index (self->sweep->worker_counts, guint, last),
                                series->serial_fraction * 100);
      else
        g_string_append_printf (s, _("%s: %.2f× at %u workers"), series->label, top,
                                g_array_index (self->sweep->worker_counts, guint, last));
    }
  /* The verdict in words too, for who does not see the rings (a screen reader). */
  if (il_sweep_is_disturbed (self->sweep))
    {
      g_string_append (s, "\n");
      if (self->sweep->culprit != NULL)
        g_string_append_printf (s, _("Disturbed: %s. Ringed points lost CPU time to other programs; close them and sweep again."),
                                self->sweep->culprit);
      else
        g_string_append (s, _("Disturbed: ringed points lost CPU time to other programs; close them and sweep again."));
    }
  gtk_label_set_label (self->result_label, s->str);
  g_string_free (s, TRUE);
}

static void
on_sweep_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  IlSweepView *self = IL_SWEEP_VIEW (source);
  g_autoptr(GError) error = NULL;
  IlSweep *sweep = g_task_propagate_pointer (G_TASK (result), &error);

  g_clear_object (&self->cancellable);
  il_sweep_view_set_running (self, FALSE);
  if (sweep == NULL)
    {
      if (!g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED) &&
          !g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED))
        gtk_label_set_label (self->result_label, error->message);
      else
        gtk_label_set_label (self->result_label, _("The sweep was stopped."));
      return;
    }
  g_clear_pointer (&self->partial, il_sweep_free);
  g_clear_pointer (&self->sweep, il_sweep_free);
  self->sweep = sweep;
  il_sweep_view_update_result (self);
  gtk_widget_queue_draw (GTK_WIDGET (self->drawing_area));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->drawing_area),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  gtk_label_get_label (self->result_label), -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SWEEP]);
}

static GArray *
parse_counts (const char *text, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; parts[i] != NULL; i++)
    {
      guint64 n;
      g_autofree char *part = g_strstrip (g_strdup (parts[i]));

      if (*part == '\0')
        continue;
      if (!g_ascii_string_to_unsigned (part, 10, 1, IL_MAX_WORKERS, &n, NULL))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("“%s” is not a worker count: use whole numbers from 1 to %d, like 1,2,4,8"),
                       part, IL_MAX_WORKERS);
          return NULL;
        }
      {
        guint v = n;
        g_array_append_val (counts, v);
      }
    }
  if (counts->len == 0)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID,
                           _("Give at least one worker count, like 1,2,4,8"));
      return NULL;
    }
  return g_steal_pointer (&counts);
}

gboolean
il_sweep_view_run (IlSweepView *self, GError **error)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GArray) counts = NULL;
  SweepJob *job;
  struct { GtkCheckButton *check; IlExecutorKind executor; gboolean gil; } choices[] = {
    { self->threads_check, IL_EXECUTOR_THREADS, FALSE },
    { self->gil_check, IL_EXECUTOR_THREADS, TRUE },
    { self->processes_check, IL_EXECUTOR_PROCESSES, FALSE },
    { self->async_check, IL_EXECUTOR_ASYNC, FALSE },
  };

  g_return_val_if_fail (IL_IS_SWEEP_VIEW (self), FALSE);

  if (self->cancellable != NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_FAILED, _("A sweep is already running."));
      return FALSE;
    }
  if (!(counts = parse_counts (gtk_editable_get_text (GTK_EDITABLE (self->counts_entry)), error)))
    return FALSE;

  job = g_new0 (SweepJob, 1);
  job->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  job->counts = g_steal_pointer (&counts);
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);

    job->repeat = MAX (g_settings_get_uint (settings, "sweep-repeat"), 1);
  }
  for (guint i = 0; i < G_N_ELEMENTS (choices); i++)
    if (gtk_check_button_get_active (choices[i].check))
      {
        IlRunConfig *config = il_run_config_copy (self->base);

        config->executor = choices[i].executor;
        config->gil = choices[i].gil;
        g_clear_pointer (&config->label, g_free);
        g_ptr_array_add (job->configs, config);
      }
  if (job->configs->len == 0)
    {
      sweep_job_free (job);
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("Choose at least one executor."));
      return FALSE;
    }
  for (guint i = 0; i < job->configs->len; i++)
    if (!il_run_config_validate (g_ptr_array_index (job->configs, i), error))
      {
        sweep_job_free (job);
        return FALSE;
      }

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, on_sweep_done, NULL);
  g_task_set_source_tag (task, il_sweep_view_run);
  g_clear_pointer (&self->partial, il_sweep_free);
  g_task_set_task_data (task, job, (GDestroyNotify) sweep_job_free);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_progress_bar_set_text (self->progress_bar, _("Measuring the sequential baseline…"));
  gtk_label_set_label (self->result_label, "");
  il_sweep_view_set_running (self, TRUE);
  g_task_run_in_thread (task, sweep_thread);
  return TRUE;
}

void
il_sweep_view_stop (IlSweepView *self)
{
  g_return_if_fail (IL_IS_SWEEP_VIEW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

gboolean
il_sweep_view_get_running (IlSweepView *self)
{
  g_return_val_if_fail (IL_IS_SWEEP_VIEW (self), FALSE);
  return self->cancellable != NULL;
}

const IlSweep *
il_sweep_view_get_sweep (IlSweepView *self)
{
  g_return_val_if_fail (IL_IS_SWEEP_VIEW (self), NULL);
  return self->sweep;
}

void
il_sweep_view_set_counts (IlSweepView *self, const char *counts)
{
  g_return_if_fail (IL_IS_SWEEP_VIEW (self));
  gtk_editable_set_text (GTK_EDITABLE (self->counts_entry), counts);
}

void
il_sweep_view_set_scale (IlSweepView *self, double text_scale, gboolean presentation)
{
  g_return_if_fail (IL_IS_SWEEP_VIEW (self));

  self->options.text_scale = text_scale;
  self->options.presentation = !!presentation;
  gtk_widget_queue_draw (GTK_WIDGET (self->drawing_area));
}

const IlPaintOptions *
il_sweep_view_get_paint_options (IlSweepView *self)
{
  g_return_val_if_fail (IL_IS_SWEEP_VIEW (self), NULL);
  return &self->options;
}

void
il_sweep_view_set_base_config (IlSweepView *self, const IlRunConfig *config)
{
  g_autofree char *work = NULL;

  g_return_if_fail (IL_IS_SWEEP_VIEW (self));

  g_clear_pointer (&self->base, il_run_config_free);
  self->base = il_run_config_copy (config);
  /* Translators: the work of a sweep: workload, number of tasks, task duration */
  work = g_strdup_printf (_("Work from the set-up: %s, %u tasks of %.0f ms each."),
                          il_workload_get_title (config->workload), config->tasks, config->task_ms);
  gtk_label_set_label (self->work_label, work);
}

static void
draw_sweep (GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer user_data)
{
  IlSweepView *self = user_data;
  self->options.theme = adw_style_manager_get_dark (adw_style_manager_get_default ())
                         ? IL_THEME_DARK : IL_THEME_LIGHT;

  /* While a sweep runs, its points as they arrive; then the finished sweep. */
  if (self->partial != NULL)
    il_painter_draw_sweep_with (cr, width, height, self->partial, &self->options);
  else if (self->sweep != NULL)
    il_painter_draw_sweep_with (cr, width, height, self->sweep, &self->options);
  else
    {
      /* Say what will appear here rather than leave an empty box. */
      g_autoptr(PangoLayout) layout =
        gtk_widget_create_pango_layout (GTK_WIDGET (area), self->cancellable != NULL
                                        ? _("Measuring… the curves appear when every run is done.")
                                        : _("Press Run Sweep to measure the speedup curves."));
      GdkRGBA color;
      int lw, lh;

      gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &color);
      color.alpha *= 0.55;
      pango_layout_get_pixel_size (layout, &lw, &lh);
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_move_to (cr, (width - lw) / 2.0, (height - lh) / 2.0);
      pango_cairo_show_layout (cr, layout);
    }
}

static void
on_run_clicked (IlSweepView *self)
{
  g_autoptr(GError) error = NULL;

  if (!il_sweep_view_run (self, &error))
    gtk_label_set_label (self->result_label, error->message);
}

static void
il_sweep_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlSweepView *self = IL_SWEEP_VIEW (object);

  switch (prop_id)
    {
    case PROP_SWEEP:
      g_value_set_pointer (value, self->sweep);
      break;
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_sweep_view_dispose (GObject *object)
{
  IlSweepView *self = IL_SWEEP_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_SWEEP_VIEW);

  G_OBJECT_CLASS (il_sweep_view_parent_class)->dispose (object);
}

static void
il_sweep_view_finalize (GObject *object)
{
  IlSweepView *self = IL_SWEEP_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->base, il_run_config_free);
  g_clear_pointer (&self->partial, il_sweep_free);
  g_clear_pointer (&self->sweep, il_sweep_free);

  G_OBJECT_CLASS (il_sweep_view_parent_class)->finalize (object);
}

static void
il_sweep_view_class_init (IlSweepViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_sweep_view_dispose;
  object_class->finalize = il_sweep_view_finalize;
  object_class->get_property = il_sweep_view_get_property;

  properties[PROP_SWEEP] =
    g_param_spec_pointer ("sweep", NULL, NULL,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-sweep-view.ui");
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, counts_entry);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, threads_check);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, gil_check);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, processes_check);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, async_check);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, run_button);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, work_label);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, drawing_area);
  gtk_widget_class_bind_template_child (widget_class, IlSweepView, result_label);
}

static void
il_sweep_view_init (IlSweepView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->base = il_run_config_new ();
  il_paint_options_init (&self->options);
  gtk_drawing_area_set_draw_func (self->drawing_area, draw_sweep, self, NULL);
  g_signal_connect_object (self->run_button, "clicked", G_CALLBACK (on_run_clicked), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->stop_button, "clicked", G_CALLBACK (il_sweep_view_stop), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (gtk_widget_queue_draw), self->drawing_area,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
il_sweep_view_new (void)
{
  return g_object_new (IL_TYPE_SWEEP_VIEW, NULL);
}
