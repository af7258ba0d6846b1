/* il-window-actions.c: the window's actions: run, stop, open, save, export, lessons, zoom. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-export-dialog.h"
#include "il-functions-dialog.h"
#include "il-trace-dialog.h"
#include "il-window-private.h"

void
il_window_set_action_enabled (IlWindow *self, const char *name, gboolean enabled)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), name);

  if (G_IS_SIMPLE_ACTION (action))
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), enabled);
}

static void
run_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  g_autoptr(GError) error = NULL;

  if (self->run != NULL)
    return;

  if (self->lesson != NULL)
    {
      for (guint i = 0; i < il_lesson_get_n_runs (self->lesson); i++)
        g_ptr_array_add (configs, il_run_config_copy (il_lesson_get_run_config (self->lesson, i)));
      il_window_start_batch (self, configs, TRUE, FALSE);
      return;
    }

  g_ptr_array_add (configs, il_setup_pane_get_config (self->setup_pane));
  if (!il_run_config_validate (g_ptr_array_index (configs, 0), &error))
    {
      il_window_toast (self, error->message);
      return;
    }
  il_window_start_batch (self, configs, FALSE, FALSE);
}

static void
stop_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  il_window_stop (IL_WINDOW (user_data));
}

static void
measure_speedup_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  g_autoptr(GPtrArray) configs = il_window_missing_baselines (self);

  if (configs->len > 0)
    il_window_start_batch (self, configs, FALSE, TRUE);
}

static void
on_open_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr(IlWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autoptr(GError) error = NULL;

      if (!il_window_open_file (self, file, &error))
        il_window_toast (self, error->message);
    }
  g_object_unref (dialog);
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, gpointer user_data)
{
  IlWindow *self = user_data;
  GSList *files = g_value_get_boxed (value);
  gboolean any = FALSE;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autoptr(GError) error = NULL;

      if (il_window_open_file (self, l->data, &error))
        any = TRUE;
      else
        il_window_toast (self, error->message);
    }
  return any;
}

static void
open_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) lessons = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) traces = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) chrome = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (_("Open Lesson or Trace"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  gtk_file_filter_set_name (all, _("Lessons and traces"));
  gtk_file_filter_add_pattern (all, "*.lesson");
  gtk_file_filter_add_pattern (all, "*.json");
  gtk_file_filter_set_name (lessons, _("Lessons"));
  gtk_file_filter_add_pattern (lessons, "*.lesson");
  gtk_file_filter_set_name (traces, _("Interleave traces"));
  gtk_file_filter_add_mime_type (traces, "application/x-interleave-trace");
  gtk_file_filter_add_pattern (traces, "*.interleave.json");
  /* VizTracer, ray, the PyTorch profiler and Perfetto name their files freely: any JSON. */
  gtk_file_filter_set_name (chrome, _("Chrome traces (Perfetto, VizTracer, PyTorch, ray)"));
  gtk_file_filter_add_mime_type (chrome, "application/x-chrome-trace");
  gtk_file_filter_add_pattern (chrome, "*.json");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), lessons);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), traces);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), chrome);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_open_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_lesson_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!il_window_open_lesson (self, g_variant_get_string (param, NULL), &error))
    il_window_toast (self, error->message);
  else
    il_window_focus_prediction (self);
}

static void
close_lesson_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;

  if (self->run != NULL)
    return;
  il_window_forget_consent (self);
  g_clear_object (&self->lesson);
  il_window_forget_lesson_texts (self);
  self->queue_is_lesson = FALSE;
  gtk_stack_set_visible_child_name (self->sidebar_stack, "setup");
  il_summary_view_set_answer (self->summary, NULL, NULL, NULL);
  gtk_window_set_title (GTK_WINDOW (self), _("Interleave"));
  il_window_update_empty_state (self);
  il_window_update_actions (self);
}

static void
on_save_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr(IlWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL || !il_window_save_trace (self, path, &error))
        il_window_toast (self, error ? error->message : _("Only local files can be written."));
      else
        {
          g_autofree char *message = g_strdup_printf (_("Saved to %s"), path);
          il_window_toast (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
save_trace_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save Shown Runs"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("runs.interleave.json"));
  il_export_chooser_start (GTK_FILE_CHOOSER (chooser), FALSE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
export_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  IlExportDialog *dialog = il_export_dialog_new (self);

  gtk_window_present (GTK_WINDOW (dialog));
}

/* "Python Functions…": the table of the shown runs' sampled stacks, with their profile export. */
static void
python_functions_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;

  gtk_window_present (GTK_WINDOW (il_functions_dialog_new (GTK_WINDOW (self), self->shown)));
}

/* "Trace a Program…": the dialog runs the command as a traced run of this window. */
static void
trace_program_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  gtk_window_present (GTK_WINDOW (il_trace_dialog_new (IL_WINDOW (user_data))));
}

static void
zoom_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));

  if (g_str_equal (name, "zoom-in"))
    il_timeline_view_zoom (self->timeline, 1.5);
  else if (g_str_equal (name, "zoom-out"))
    il_timeline_view_zoom (self->timeline, 1 / 1.5);
  else
    il_timeline_view_fit (self->timeline);
}

/* win.find-lanes (Ctrl+F): the lane filter above the timeline, its text selected. */
static void
find_lanes_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;

  gtk_search_bar_set_search_mode (self->lane_search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->lane_filter));
  gtk_editable_select_region (GTK_EDITABLE (self->lane_filter), 0, -1);
}

/* The filter follows the entry (closing the bar empties it: every lane again). */
static void
on_lane_filter_changed (GtkSearchEntry *entry, IlWindow *self)
{
  il_timeline_view_set_lane_filter (self->timeline, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

GtkWidget *
il_window_get_lane_filter (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return GTK_WIDGET (self->lane_filter);
}

static const GActionEntry entries[] = {
  { .name = "run", .activate = run_action },
  { .name = "stop", .activate = stop_action },
  { .name = "measure-speedup", .activate = measure_speedup_action },
  { .name = "open", .activate = open_action },
  { .name = "open-lesson", .activate = open_lesson_action, .parameter_type = "s" },
  { .name = "close-lesson", .activate = close_lesson_action },
  { .name = "save-trace", .activate = save_trace_action },
  { .name = "export", .activate = export_action },
  { .name = "trace-program", .activate = trace_program_action },
  { .name = "zoom-in", .activate = zoom_action },
  { .name = "zoom-out", .activate = zoom_action },
  { .name = "zoom-fit", .activate = zoom_action },
  { .name = "find-lanes", .activate = find_lanes_action },
  { .name = "python-functions", .activate = python_functions_action },
};

void
il_window_add_actions (IlWindow *self)
{
  GtkDropTarget *drop;

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect_object (self->lane_filter, "search-changed", G_CALLBACK (on_lane_filter_changed),
                           self, 0);

  /* Files dropped on the window open as the Open dialog would open them. */
  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (drop, "drop", G_CALLBACK (on_drop), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));
}
