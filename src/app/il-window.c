/* il-window.c: the main window: set-up and lessons, what is shown (timeline, summary), the history list, files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "il-capture.h"
#include "il-batch.h"
#include "il-clock.h"
#include "il-cpu-sampler.h"
#include "il-export.h"
#include "il-format.h"
#include "il-functions-dialog.h"
#include "il-history-item.h"
#include "il-history-row.h"
#include "il-timing.h"
#include "il-trace-io.h"
#include "il-trace-dialog.h"
#include "il-window-private.h"

G_DEFINE_FINAL_TYPE (IlWindow, il_window, ADW_TYPE_APPLICATION_WINDOW)


void
il_window_toast (IlWindow *self, const char *message)
{
  AdwToast *toast = adw_toast_new (message);

  adw_toast_set_timeout (toast, 6);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

gboolean
il_window_get_busy (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  return self->runner != NULL || self->checking_quiet;
}

IlLesson *
il_window_get_lesson (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->lesson;
}

GListModel *
il_window_get_history (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->history);
}

IlRunTrace *
il_window_get_history_run (IlWindow *self, guint index)
{
  g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), index);

  /* The store holds the item, and the item its run: borrowed past this reference. */
  return item != NULL ? il_history_item_get_run (item) : NULL;
}

GPtrArray *
il_window_get_shown (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->shown;
}

IlTimelineView *
il_window_get_timeline (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->timeline;
}

IlSetupPane *
il_window_get_setup_pane (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->setup_pane;
}

IlSummaryView *
il_window_get_summary (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->summary;
}

IlSweepView *
il_window_get_sweep_view (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->sweep_view;
}

void
il_window_set_prediction (IlWindow *self, const char *text)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  il_window_view_set_text (self->prediction_view, text);
}

/* The most recent sequential run of the same work before @run in the history, or NULL. */
static IlRunTrace *
il_window_find_baseline (IlWindow *self, IlRunTrace *run)
{
  const IlRunConfig *config = il_run_trace_get_config (run);

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->history)); i-- > 0;)
    {
      IlRunTrace *base = il_window_get_history_run (self, i);
      const IlRunConfig *c = il_run_trace_get_config (base);
      const IlSummary *summary = il_run_trace_get_summary (base);

      if (base != run && c->executor == IL_EXECUTOR_SEQUENTIAL && !il_run_trace_get_live (base) &&
          !il_run_trace_get_cancelled (base) && summary != NULL && summary->wall_ns > 0 &&
          il_run_config_same_work (c, config))
        return base;
    }
  return NULL;
}

/* Speedups for @runs that have none from their own batch: against the most recent sequential
 * run of the same work, marked as such. A run cannot be more than its workers times faster than
 * one worker (beyond noise), so a ratio above that says the baseline ran on a slower machine
 * state: it is not shown, and Measure Speedup stays offered. */
void
il_window_apply_speedups (IlWindow *self, GPtrArray *runs)
{
  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      const IlSummary *summary = il_run_trace_get_summary (run);
      const IlRunConfig *config = il_run_trace_get_config (run);
      IlRunTrace *baseline;
      double speedup;

      if (il_run_trace_get_live (run) || il_run_trace_get_cancelled (run) || summary == NULL ||
          summary->wall_ns <= 0 || isfinite (summary->speedup) ||
          config->executor == IL_EXECUTOR_EXTERNAL)
        continue;
      if (config->executor == IL_EXECUTOR_SEQUENTIAL)
        {
          il_run_trace_set_speedup (run, 1.0);
          il_run_trace_set_speedup_basis (run, IL_SPEEDUP_SAME_BATCH);
          continue;
        }
      if ((baseline = il_window_find_baseline (self, run)) == NULL)
        continue;
      speedup = (double) il_run_trace_get_summary (baseline)->wall_ns / summary->wall_ns;
      if (speedup > 1.1 * MAX (config->workers, 1))
        continue;
      il_run_trace_set_speedup (run, speedup);
      il_run_trace_set_speedup_basis (run, IL_SPEEDUP_EARLIER_RUN);
    }
}

GPtrArray *
il_window_missing_baselines (IlWindow *self)
{
  GPtrArray *configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);

  for (guint i = 0; i < self->shown->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (self->shown, i);
      const IlSummary *summary = il_run_trace_get_summary (run);
      const IlRunConfig *config = il_run_trace_get_config (run);
      gboolean have = FALSE;
      IlRunConfig *seq;

      /* A stopped run did only part of the work: no speedup to measure for it. Neither has a
       * traced program: it has no tasks that could be run sequentially. */
      if (il_run_trace_get_live (run) || il_run_trace_get_cancelled (run) || summary == NULL ||
          isfinite (summary->speedup) || config->executor == IL_EXECUTOR_EXTERNAL)
        continue;
      for (guint j = 0; j < configs->len && !have; j++)
        have = il_run_config_same_work (g_ptr_array_index (configs, j), config);
      if (have)
        continue;
      seq = il_run_config_copy (config);
      seq->executor = IL_EXECUTOR_SEQUENTIAL;
      seq->gil = FALSE;
      seq->workers = 1;
      /* Only the engine's own work: a command never comes along into a run (issue 19, item 4;
       * the trace reader keeps one only for a traced program's run, skipped above). */
      g_clear_pointer (&seq->command, g_strfreev);
      g_clear_pointer (&seq->cwd, g_free);
      g_clear_pointer (&seq->cpus, g_array_unref);
      g_clear_pointer (&seq->label, g_free);
      seq->label = g_strdup (_("Sequential baseline"));
      g_ptr_array_add (configs, seq);
    }
  return configs;
}

GtkWidget *
il_window_find_row (IlWindow *self, IlRunTrace *run)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (IL_IS_HISTORY_ROW (child) && il_history_row_get_run (IL_HISTORY_ROW (child)) == run)
      return child;
  return NULL;
}

void
il_window_update_history_rows (IlWindow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (IL_IS_HISTORY_ROW (child))
      il_history_row_update (IL_HISTORY_ROW (child));
}

/* Ticks in the history list mirror what is shown, so the list always says what one looks at. */
void
il_window_sync_history_checks (IlWindow *self)
{
  self->syncing_history = TRUE;
  for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (self->history)); k++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), k);
      IlRunTrace *run = il_history_item_get_run (item);
      gboolean shown = FALSE;

      for (guint i = 0; i < self->shown->len && !shown; i++)
        shown = g_ptr_array_index (self->shown, i) == run;
      /* The item's row follows (its tick is bound to the item). */
      il_history_item_set_checked (item, shown);
    }
  self->syncing_history = FALSE;
}

void
il_window_show_runs (IlWindow *self, GPtrArray *runs)
{
  g_autoptr(GPtrArray) copy = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  gboolean same = runs->len == self->shown->len;

  for (guint i = 0; same && i < runs->len; i++)
    same = g_ptr_array_index (runs, i) == g_ptr_array_index (self->shown, i);

  /* @runs may be self->shown itself: copy before clearing. */
  for (guint i = 0; i < runs->len; i++)
    g_ptr_array_add (copy, il_run_trace_ref (g_ptr_array_index (runs, i)));
  g_ptr_array_set_size (self->shown, 0);
  for (guint i = 0; i < copy->len; i++)
    g_ptr_array_add (self->shown, il_run_trace_ref (g_ptr_array_index (copy, i)));

  il_timeline_view_set_runs (self->timeline, self->shown);
  il_summary_view_set_runs (self->summary, self->shown);
  if (!same)
    il_window_reset_scroll (self);
  gtk_stack_set_visible_child_name (self->timeline_stack, self->shown->len > 0 ? "timeline" : "empty");
  /* No runs, no table: the empty view gets the whole height. */
  gtk_widget_set_visible (GTK_WIDGET (self->summary_scroller), self->shown->len > 0);
  il_window_sync_history_checks (self);
  il_window_update_actions (self);
  /* Which runs are ticked comes back at the next start too. */
  il_window_session_changed (self);
}

static void
on_history_check_changed (IlWindow *self, GParamSpec *pspec, IlHistoryItem *changed)
{
  g_autoptr(GPtrArray) runs = NULL;

  if (self->syncing_history)
    return;
  runs = g_ptr_array_new ();
  for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (self->history)); k++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), k);

      if (il_history_item_get_checked (item))
        g_ptr_array_add (runs, il_history_item_get_run (item));
    }
  il_window_show_runs (self, runs);
}

static void
on_history_row_activated (IlWindow *self, GtkListBoxRow *row, GtkListBox *list)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();

  if (!IL_IS_HISTORY_ROW (row))
    return;
  /* Clicking a row shows that run alone; the ticks are for comparing several. */
  g_ptr_array_add (runs, il_history_row_get_run (IL_HISTORY_ROW (row)));
  il_window_show_runs (self, runs);
}

/* The list box makes each row from its item in the history store: numbered, its tick bound to
 * the item's "checked". */
static GtkWidget *
create_history_row (gpointer data, gpointer user_data)
{
  IlHistoryItem *item = data;
  GtkWidget *row = il_history_row_new (il_history_item_get_run (item));

  il_history_row_set_number (IL_HISTORY_ROW (row), il_history_item_get_number (item),
                             il_history_item_get_when (item));
  g_object_bind_property (item, "checked", row, "checked",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  return row;
}

void
il_window_append_history_item (IlWindow *self, IlHistoryItem *item)
{
  g_signal_connect_object (item, "notify::checked", G_CALLBACK (on_history_check_changed), self,
                           G_CONNECT_SWAPPED);
  g_list_store_append (self->history, item);
  il_window_update_actions (self);
}

void
il_window_add_to_history (IlWindow *self, IlRunTrace *run, gboolean checked)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(IlHistoryItem) item = il_history_item_new (run, ++self->history_number, now);

  il_history_item_set_checked (item, checked);
  il_window_append_history_item (self, item);
}

void
il_window_update_actions (IlWindow *self)
{
  gboolean busy = il_window_get_busy (self);
  gboolean valid = self->lesson != NULL ? il_window_lesson_may_run (self)
                                        : il_setup_pane_get_valid (self->setup_pane);
  g_autoptr(GPtrArray) missing = il_window_missing_baselines (self);

  il_window_set_action_enabled (self, "run", !busy && valid);
  il_window_set_action_enabled (self, "stop", busy);
  il_window_set_action_enabled (self, "measure-speedup", !busy && missing->len > 0);
  il_window_set_action_enabled (self, "save-trace", !busy && self->shown->len > 0);
  il_window_set_action_enabled (self, "python-functions", il_functions_dialog_any_stacks (self->shown));
  il_window_set_action_enabled (self, "export",
                                !busy && (self->shown->len > 0 ||
                                          il_sweep_view_get_sweep (self->sweep_view) != NULL));
  il_window_set_action_enabled (self, "close-lesson", self->lesson != NULL && !busy);
  il_window_set_action_enabled (self, "open-lesson", !busy);
  il_window_set_action_enabled (self, "open", !busy);
  il_window_update_report_action (self, busy);
  il_window_update_history_actions (self, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->stop_button), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->setup_pane), !busy && self->lesson == NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->prediction_view), !busy);
}

gboolean
il_window_open_lesson (IlWindow *self, const char *path, GError **error)
{
  g_autoptr(IlLesson) lesson = NULL;
  const char *question;
  gboolean same;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  if (self->run != NULL)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_FAILED,
                           _("A run is going on; stop it before opening a lesson."));
      return FALSE;
    }
  if (!(lesson = il_lesson_new_from_file (path, error)))
    return FALSE;

  /* The same file again (`interleave --run` after a restart): the student's texts stay. */
  same = self->lesson != NULL &&
         g_strcmp0 (il_lesson_get_path (self->lesson), il_lesson_get_path (lesson)) == 0 &&
         g_strcmp0 (il_lesson_get_checksum (self->lesson), il_lesson_get_checksum (lesson)) == 0;
  /* A question about the lesson open before is not one about this lesson. */
  il_window_forget_consent (self);
  g_set_object (&self->lesson, lesson);
  gtk_label_set_label (self->lesson_title_label, il_lesson_get_title (lesson));
  gtk_label_set_label (self->lesson_explanation_label, il_lesson_get_explanation (lesson));
  question = il_lesson_get_question (lesson);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_question_box), question != NULL);
  gtk_label_set_label (self->lesson_question_label, question ? question : "");
  /* A prediction is about one lesson: typed for another, it never carries over. */
  if (!same)
    il_window_forget_lesson_texts (self);
  {
    GString *runs = g_string_new (NULL);

    for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
      {
        g_autofree char *title = il_run_config_get_title (il_lesson_get_run_config (lesson, i));
        g_string_append_printf (runs, "%s%u. %s", i > 0 ? "\n" : "", i + 1, title);
      }
    gtk_label_set_label (self->lesson_runs_label, runs->str);
    g_string_free (runs, TRUE);
  }
  il_window_show_lesson_commands (self);
  gtk_stack_set_visible_child_name (self->sidebar_stack, "lesson");
  adw_view_stack_set_visible_child_name (self->view_stack, "timeline");
  il_summary_view_set_answer (self->summary, NULL, NULL, NULL);
  gtk_window_set_title (GTK_WINDOW (self), il_lesson_get_title (lesson));
  /* A new lesson starts from an empty view (the runs stay in the history), and the student
   * predicts before anything runs. */
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();
    il_window_show_runs (self, none);
  }
  il_window_show_pane (self, TRUE);
  il_window_update_empty_state (self);
  il_window_update_actions (self);
  return TRUE;
}

gboolean
il_window_open_trace (IlWindow *self, const char *path, GError **error)
{
  g_autoptr(IlTrace) trace = NULL;
  GPtrArray *runs;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  if (!(trace = il_trace_load (path, error)))
    return FALSE;
  /* What loaded despite something (a file cut off) is partial: say so. */
  for (guint i = 0; i < il_trace_get_n_warnings (trace); i++)
    il_window_toast (self, il_trace_get_warning (trace, i));
  runs = il_trace_get_runs (trace);
  for (guint i = 0; i < runs->len; i++)
    il_window_add_to_history (self, g_ptr_array_index (runs, i), FALSE);
  /* They are in a file of the user's already. */
  il_window_mark_saved (self, runs, FALSE);
  /* A file's runs carry their own speedups; a sequential run is 1.00× by definition. */
  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);

      if (il_run_trace_get_config (run)->executor == IL_EXECUTOR_SEQUENTIAL &&
          !il_run_trace_get_cancelled (run) && il_run_trace_get_summary (run)->wall_ns > 0)
        il_run_trace_set_speedup (run, 1.0);
    }
  il_window_show_runs (self, runs);
  adw_view_stack_set_visible_child_name (self->view_stack, "timeline");
  return TRUE;
}

gboolean
il_window_open_file (IlWindow *self, GFile *file, GError **error)
{
  g_autofree char *path = g_file_get_path (file);

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  if (path == NULL)
    {
      g_autofree char *uri = g_file_get_uri (file);
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Cannot open %s: not a local file"), uri);
      return FALSE;
    }
  if (g_str_has_suffix (path, ".lesson"))
    return il_window_open_lesson (self, path, error);
  return il_window_open_trace (self, path, error);
}

static IlTrace *
il_window_make_trace (IlWindow *self)
{
  IlTrace *trace = il_trace_new ();

  il_trace_set_machine_local (trace);
  for (guint i = 0; i < self->shown->len; i++)
    il_trace_add_run (trace, g_ptr_array_index (self->shown, i));
  return trace;
}

gboolean
il_window_save_trace (IlWindow *self, const char *path, GError **error)
{
  g_autoptr(IlTrace) trace = NULL;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  if (self->shown->len == 0)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("There is no run to save."));
      return FALSE;
    }
  trace = il_window_make_trace (self);
  if (!il_trace_save (trace, path, error))
    return FALSE;
  il_window_mark_saved (self, self->shown, FALSE);
  return TRUE;
}

gboolean
il_window_export_to (IlWindow *self, const char *format, const char *path, GError **error)
{
  IlExportOptions options;
  IlImageFormat image_format;
  g_autofree char *theme = NULL;
  gboolean sweep_shown;
  const IlSweep *sweep;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  sweep = il_sweep_view_get_sweep (self->sweep_view);
  sweep_shown = sweep != NULL &&
                g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "sweep") == 0;

  if (g_str_equal (format, "json") || g_str_equal (format, "csv") || g_str_equal (format, "chrome"))
    {
      g_autoptr(IlTrace) trace = NULL;

      if (self->shown->len == 0)
        {
          g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("There is no run to export."));
          return FALSE;
        }
      gboolean written;

      trace = il_window_make_trace (self);
      if (g_str_equal (format, "json"))
        written = il_trace_save (trace, path, error);
      else if (g_str_equal (format, "csv"))
        written = il_trace_export_csv (trace, path, error);
      else
        written = il_trace_export_chrome (trace, path, error);
      /* The data is in a file of the user's; an image is not (it cannot be opened again). */
      if (written)
        il_window_mark_saved (self, self->shown, FALSE);
      return written;
    }

  if (g_str_equal (format, "png"))
    image_format = IL_IMAGE_PNG;
  else if (g_str_equal (format, "svg"))
    image_format = IL_IMAGE_SVG;
  else if (g_str_equal (format, "pdf"))
    image_format = IL_IMAGE_PDF;
  else
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("Unknown export format “%s”"), format);
      return FALSE;
    }

  il_export_options_init (&options);
  options.width = g_settings_get_int (self->settings, "export-width");
  options.height = g_settings_get_int (self->settings, "export-height");
  options.scale = g_settings_get_double (self->settings, "export-scale");
  theme = g_settings_get_string (self->settings, "export-theme");
  if (!il_theme_from_string (theme, &options.theme))
    options.theme = IL_THEME_LIGHT;
  /* "What is shown": the same lanes and colouring as the window. */
  options.view = il_timeline_view_get_view_flags (self->timeline);
  if (options.view == 0)
    options.view = IL_VIEW_BOTH;
  options.color_by_cpu = il_timeline_view_get_paint_options (self->timeline)->color_by_cpu;
  /* A zoomed view exports what is in sight, at the slide's size. */
  {
    gboolean fit = TRUE;

    il_timeline_view_get_range (self->timeline, &options.t0_ns, &options.t1_ns, &fit);
    if (fit)
      options.t0_ns = options.t1_ns = 0;
  }
  if (self->lesson != NULL && self->queue_is_lesson)
    options.title = il_lesson_get_title (self->lesson);

  if (sweep_shown)
    return il_export_sweep (sweep, &options, image_format, path, error);
  if (self->shown->len == 0)
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("There is no run to export."));
      return FALSE;
    }
  return il_export_runs (self->shown, &options, image_format, path, error);
}

static void
on_setup_changed (IlWindow *self)
{
  g_autoptr(IlRunConfig) config = il_setup_pane_get_config (self->setup_pane);

  il_sweep_view_set_base_config (self->sweep_view, config);
  il_window_update_actions (self);
}

static void
on_sweep_changed (IlWindow *self)
{
  il_window_update_actions (self);
}

static void
on_first_paint (GdkFrameClock *clock, IlWindow *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_paint, self);
  self->painted = TRUE;
  il_timing_first_frame ();
  if (self->run_when_shown)
    {
      self->run_when_shown = FALSE;
      g_action_group_activate_action (G_ACTION_GROUP (self), "run", NULL);
    }
}

void
il_window_run_when_shown (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  /* `--run` starts the lesson once the window is on screen: started earlier, 64 workers would
   * take the CPU from the window's first frame. */
  if (self->painted)
    g_action_group_activate_action (G_ACTION_GROUP (self), "run", NULL);
  else
    self->run_when_shown = TRUE;
}

static void
il_window_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (il_window_parent_class)->map (widget);

  /* after-paint of the first frame: the window is on screen, which is what a user waits for. */
  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "after-paint",
                           G_CALLBACK (on_first_paint), widget, 0);
  /* Mapped again (the same frame clock): still one handler. */
  g_signal_handlers_disconnect_by_func (gtk_widget_get_frame_clock (widget), il_window_live_before_paint, widget);
  g_signal_connect_object (gtk_widget_get_frame_clock (widget), "before-paint",
                           G_CALLBACK (il_window_live_before_paint), widget, 0);
}

static gboolean
il_window_close_request (GtkWindow *window)
{
  IlWindow *self = IL_WINDOW (window);
  int width, height;

  /* Unsaved results: the user says keep, discard or cancel first (il-window-session.c). */
  if (il_window_session_close_request (self))
    return TRUE;
  gtk_window_get_default_size (window, &width, &height);
  g_settings_delay (self->settings);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (window));
  if (!gtk_window_is_maximized (window))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_apply (self->settings);

  /* Closing while a run goes on stops it: workers and child processes must not outlive us. */
  il_window_stop (self);
  return GTK_WINDOW_CLASS (il_window_parent_class)->close_request (window);
}

static void
il_window_dispose (GObject *object)
{
  IlWindow *self = IL_WINDOW (object);

  /* Typed text not written yet is written while the text views are there. */
  if (!self->disposed)
    il_window_session_dispose (self);
  /* Empties the queue and cancels the run, started or only shown. */
  il_window_stop (self);
  self->disposed = TRUE;
  il_window_forget_consent (self);
  il_window_forget_go_clock (self);
  g_clear_handle_id (&self->go_id, g_source_remove);
  g_clear_handle_id (&self->go_deadline_id, g_source_remove);
  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  il_window_present_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_WINDOW);
  g_clear_object (&self->run);
  g_clear_object (&self->runner);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->lesson);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->prediction, g_free);
  g_clear_pointer (&self->empty_title, g_free);
  g_clear_pointer (&self->empty_description, g_free);

  G_OBJECT_CLASS (il_window_parent_class)->dispose (object);
}

static void
il_window_finalize (GObject *object)
{
  IlWindow *self = IL_WINDOW (object);

  g_clear_object (&self->history);
  g_clear_pointer (&self->shown, g_ptr_array_unref);

  G_OBJECT_CLASS (il_window_parent_class)->finalize (object);
}

static void
il_window_class_init (IlWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = il_window_dispose;
  object_class->finalize = il_window_finalize;
  window_class->close_request = il_window_close_request;
  widget_class->map = il_window_map;

  g_type_ensure (IL_TYPE_SETUP_PANE);
  g_type_ensure (IL_TYPE_TIMELINE_VIEW);
  g_type_ensure (IL_TYPE_SUMMARY_VIEW);
  g_type_ensure (IL_TYPE_SWEEP_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IlWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, run_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, stop_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lessons_button);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, setup_pane);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, history_list);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_runs_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_title_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_explanation_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_question_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_question_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, prediction_view);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, prediction_note);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, reflection_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, reflection_view);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, timeline_stack);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, timeline);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, summary);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, status_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, sweep_view);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, flap);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, details_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, timeline_scroller);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lane_search_bar);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lane_filter);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, summary_scroller);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_commands_box);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_commands_label);
  gtk_widget_class_bind_template_child (widget_class, IlWindow, lesson_commands_note);
  il_window_adaptive_class_init (widget_class);

}

/* A lesson that traces Python programs goes in its own section; without python3 it is shown
 * disabled (an action nobody defines), its title saying why. */
/* "3. One core vs two": the number of the lesson's file ("03-one-core-vs-two.lesson"), so the
 * menu, the lesson sheet and the teacher's "open lesson 3" agree. */
static char *
il_window_lesson_menu_label (IlLesson *lesson, const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  guint64 number = g_ascii_strtoull (base, NULL, 10);
  const char *title = lesson != NULL ? il_lesson_get_title (lesson) : base;

  if (number == 0 || !g_ascii_isdigit (base[0]))
    return g_strdup (title);
  /* Translators: a lesson in the Lessons menu, "3. One core vs two" */
  return g_strdup_printf (_("%u. %s"), (guint) number, title);
}

static void
il_window_add_program_lesson (GMenu *programs, IlLesson *lesson, const char *path)
{
  const char *why = il_lesson_get_unavailable (lesson);
  g_autofree char *title = il_window_lesson_menu_label (lesson, path);
  g_autoptr(GMenuItem) item = NULL;

  if (why != NULL)
    {
      g_autofree char *label = g_strdup_printf (_("%s (%s)"), title, why);
      item = g_menu_item_new (label, "win.lesson-unavailable");
    }
  else
    {
      item = g_menu_item_new (title, NULL);
      g_menu_item_set_action_and_target_value (item, "win.open-lesson", g_variant_new_string (path));
    }
  g_menu_append_item (programs, item);
}

static GMenuModel *
il_window_build_lessons_menu (void)
{
  GMenu *menu = g_menu_new ();
  g_autoptr(GMenu) programs = g_menu_new ();
  g_autoptr(GMenu) shipped = g_menu_new ();
  g_autoptr(GMenu) other = g_menu_new ();
  g_auto(GStrv) paths = il_lesson_list_shipped ();

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      g_autoptr(IlLesson) lesson = il_lesson_new_from_file (paths[i], NULL);
      g_autoptr(GMenuItem) item = NULL;

      if (lesson != NULL && il_lesson_get_runs_programs (lesson))
        {
          il_window_add_program_lesson (programs, lesson, paths[i]);
          continue;
        }
      /* A broken lesson file still gets an entry: opening it says what is wrong with it. */
      if (lesson != NULL)
        {
          g_autofree char *label = il_window_lesson_menu_label (lesson, paths[i]);
          item = g_menu_item_new (label, NULL);
        }
      else
        {
          g_autofree char *base = g_path_get_basename (paths[i]);
          item = g_menu_item_new (base, NULL);
        }
      g_menu_item_set_action_and_target_value (item, "win.open-lesson",
                                               g_variant_new_string (paths[i]));
      g_menu_append_item (shipped, item);
    }
  g_menu_append_section (menu, _("Shipped Lessons"), G_MENU_MODEL (shipped));
  if (g_menu_model_get_n_items (G_MENU_MODEL (programs)) > 0)
    g_menu_append_section (menu, _("Your Python, Traced"), G_MENU_MODEL (programs));
  g_menu_append (other, _("_Open Lesson or Trace…"), "win.open");
  g_menu_append_section (menu, NULL, G_MENU_MODEL (other));
  return G_MENU_MODEL (menu);
}

static void
il_window_init (IlWindow *self)
{
  g_autoptr(GMenuModel) lessons = NULL;
  g_autoptr(IlRunConfig) config = NULL;
  static const char *const view_keys[] = { "show-workers", "show-cores", "show-strip" };

  gtk_widget_init_template (GTK_WIDGET (self));

  self->history = g_list_store_new (IL_TYPE_HISTORY_ITEM);
  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  self->settings = g_settings_new (APP_ID);
  il_window_add_actions (self);
  il_window_add_report_action (self);
  il_window_add_history_actions (self);
  il_window_add_session_actions (self);
  il_window_present_init (self);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  for (guint i = 0; i < G_N_ELEMENTS (view_keys); i++)
    {
      g_autoptr(GAction) action = g_settings_create_action (self->settings, view_keys[i]);

      g_action_map_add_action (G_ACTION_MAP (self), action);
      g_settings_bind (self->settings, view_keys[i], self->timeline, view_keys[i], G_SETTINGS_BIND_GET);
    }
  g_settings_bind (self->settings, "color-by-cpu", self->timeline, "color-by-cpu", G_SETTINGS_BIND_GET);

  lessons = il_window_build_lessons_menu ();
  gtk_menu_button_set_menu_model (self->lessons_button, lessons);

  g_signal_connect_object (self->setup_pane, "changed", G_CALLBACK (on_setup_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sweep_view, "notify::sweep", G_CALLBACK (on_sweep_changed), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_bind_model (self->history_list, G_LIST_MODEL (self->history), create_history_row,
                           self, NULL);
  g_signal_connect_object (self->history_list, "row-activated",
                           G_CALLBACK (on_history_row_activated), self, G_CONNECT_SWAPPED);

  config = il_setup_pane_get_config (self->setup_pane);
  il_sweep_view_set_base_config (self->sweep_view, config);
  il_summary_view_set_runs (self->summary, self->shown);
  il_window_adaptive_init (self);
  il_window_update_progress (self);
  il_window_update_actions (self);
}

IlWindow *
il_window_new (AdwApplication *application)
{
  return g_object_new (IL_TYPE_WINDOW, "application", application, NULL);
}
