/* il-trace-dialog.c: "Trace a Program": a command line (split like a shell, never run by one), a
 * working folder and the recent commands; starts the program as a traced run of the window. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-trace-dialog.h"
#include "il-window-private.h"

#define IL_TRACE_RECENT_MAX 8

struct _IlTraceDialog
{
  AdwWindow      parent_instance;

  IlWindow      *window;    /* weak: the dialog is transient for it and dies with it */
  GSettings     *settings;
  char          *folder;

  AdwEntryRow   *command_row;
  AdwActionRow  *folder_row;
  GtkButton     *folder_button;
  GtkButton     *trace_button;
  GtkLabel      *error_label;
  AdwPreferencesGroup *recent_group;
  GtkListBox    *recent_list;
};

G_DEFINE_FINAL_TYPE (IlTraceDialog, il_trace_dialog, ADW_TYPE_WINDOW)

IlRunConfig *
il_trace_dialog_make_config (const char *command_line, const char *folder, IlCaptureKind capture,
                             GError **error)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) argv = NULL;
  const char *p = command_line;

  while (p != NULL && g_ascii_isspace (*p))
    p++;
  if (p == NULL || *p == '\0')
    {
      g_set_error_literal (error, IL_ERROR, IL_ERROR_INVALID, _("Which program? The command is empty"));
      return NULL;
    }
  /* Quotes and backslashes as a shell reads them; the words go straight to execve(). */
  if (!g_shell_parse_argv (command_line, NULL, &argv, &local))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("The command cannot be split into words: %s"),
                   local->message);
      return NULL;
    }
  il_run_config_set_program (config, g_steal_pointer (&argv),
                             folder != NULL && *folder != '\0' ? g_strdup (folder) : NULL);
  /* Workers cannot report themselves from inside someone else's program: sampling stands in. */
  config->capture = capture == IL_CAPTURE_SELF ? IL_CAPTURE_SAMPLED : capture;
  if (!il_run_config_validate (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

static void
il_trace_dialog_show_error (IlTraceDialog *self, const char *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
il_trace_dialog_set_folder (IlTraceDialog *self, const char *folder)
{
  g_free (self->folder);
  self->folder = g_strdup (folder != NULL && *folder != '\0' ? folder : g_get_home_dir ());
  adw_action_row_set_subtitle (self->folder_row, self->folder);
}

void
il_trace_dialog_set_command (IlTraceDialog *self, const char *command_line, const char *folder)
{
  g_return_if_fail (IL_IS_TRACE_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->command_row), command_line != NULL ? command_line : "");
  if (folder != NULL)
    il_trace_dialog_set_folder (self, folder);
  il_trace_dialog_show_error (self, NULL);
}

/* The newest first, each once; at most IL_TRACE_RECENT_MAX. */
static void
il_trace_dialog_remember (IlTraceDialog *self, const char *command_line)
{
  g_auto(GStrv) old = g_settings_get_strv (self->settings, "recent-commands");
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) recent = NULL;
  guint n = 1;

  g_strv_builder_add (b, command_line);
  for (guint i = 0; old[i] != NULL && n < IL_TRACE_RECENT_MAX; i++)
    if (g_strcmp0 (old[i], command_line) != 0)
      {
        g_strv_builder_add (b, old[i]);
        n++;
      }
  recent = g_strv_builder_end (b);
  g_settings_set_strv (self->settings, "recent-commands", (const char *const *) recent);
  g_settings_set_string (self->settings, "trace-folder", self->folder);
}

gboolean
il_trace_dialog_start (IlTraceDialog *self)
{
  const char *line;
  g_autofree char *capture_name = NULL;
  IlCaptureKind capture = IL_CAPTURE_AUTO;
  g_autoptr(IlRunConfig) config = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (IL_IS_TRACE_DIALOG (self), FALSE);

  line = gtk_editable_get_text (GTK_EDITABLE (self->command_row));
  capture_name = g_settings_get_string (self->settings, "capture");
  if (!il_capture_from_string (capture_name, &capture))
    capture = IL_CAPTURE_AUTO;
  config = il_trace_dialog_make_config (line, self->folder, capture, &error);
  if (config == NULL)
    {
      il_trace_dialog_show_error (self, error->message);
      return FALSE;
    }
  if (self->window == NULL || il_window_get_busy (self->window))
    {
      il_trace_dialog_show_error (self, _("A run is going on: stop it first"));
      return FALSE;
    }
  il_trace_dialog_remember (self, line);
  /* Straight to the window, not through an action: the window's actions are exported on the
   * session bus, and one that runs any command it is given would let a call run anything
   * without a question (docs/lesson-format.md, "Trust"). */
  {
    g_autoptr(GPtrArray) configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);

    g_ptr_array_add (configs, g_steal_pointer (&config));
    il_window_start_batch (self->window, configs, FALSE, FALSE);
  }
  gtk_window_close (GTK_WINDOW (self));
  return TRUE;
}

static void
on_trace_clicked (IlTraceDialog *self)
{
  il_trace_dialog_start (self);
}

static void
on_folder_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  g_autoptr(IlTraceDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        il_trace_dialog_set_folder (self, path);
    }
  g_object_unref (chooser);
}

static void
on_folder_clicked (IlTraceDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GFile) current = g_file_new_for_path (self->folder);

  chooser = gtk_file_chooser_native_new (_("Working Folder"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"),
                                         _("_Cancel"));
  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), current, NULL);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_recent_activated (IlTraceDialog *self, AdwActionRow *row)
{
  il_trace_dialog_set_command (self, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), NULL);
  gtk_widget_grab_focus (GTK_WIDGET (self->command_row));
}

static void
il_trace_dialog_fill_recent (IlTraceDialog *self)
{
  g_auto(GStrv) recent = g_settings_get_strv (self->settings, "recent-commands");

  for (guint i = 0; recent[i] != NULL; i++)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), recent[i]);
      /* Commands are shown as typed: no markup. */
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
      g_signal_connect_object (row, "activated", G_CALLBACK (on_recent_activated), self,
                               G_CONNECT_SWAPPED);
      gtk_list_box_append (self->recent_list, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->recent_group), recent[0] != NULL);
  if (recent[0] != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->command_row), recent[0]);
}

static void
il_trace_dialog_dispose (GObject *object)
{
  IlTraceDialog *self = IL_TRACE_DIALOG (object);

  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->folder, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_TRACE_DIALOG);

  G_OBJECT_CLASS (il_trace_dialog_parent_class)->dispose (object);
}

static void
il_trace_dialog_class_init (IlTraceDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_trace_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-trace-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, command_row);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, folder_row);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, folder_button);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, trace_button);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, recent_group);
  gtk_widget_class_bind_template_child (widget_class, IlTraceDialog, recent_list);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
il_trace_dialog_init (IlTraceDialog *self)
{
  g_autofree char *folder = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->settings = g_settings_new (APP_ID);
  folder = g_settings_get_string (self->settings, "trace-folder");
  il_trace_dialog_set_folder (self, folder);
  il_trace_dialog_fill_recent (self);

  g_signal_connect_swapped (self->trace_button, "clicked", G_CALLBACK (on_trace_clicked), self);
  g_signal_connect_swapped (self->command_row, "entry-activated", G_CALLBACK (on_trace_clicked), self);
  g_signal_connect_swapped (self->folder_button, "clicked", G_CALLBACK (on_folder_clicked), self);
  adw_entry_row_set_activates_default (self->command_row, FALSE);
}

IlTraceDialog *
il_trace_dialog_new (IlWindow *window)
{
  IlTraceDialog *self = g_object_new (IL_TYPE_TRACE_DIALOG, "transient-for", window, NULL);

  g_set_weak_pointer (&self->window, window);
  return self;
}

char *
il_trace_dialog_progress_text (IlRunTrace *trace, guint done, guint total)
{
  guint threads = trace != NULL ? il_run_trace_get_n_workers (trace) : 0;
  guint processes = trace != NULL ? il_run_trace_get_n_processes (trace) : 0;
  g_autofree char *n_threads = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread",
                                                             "%u threads", threads), threads);
  g_autofree char *n_processes = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u process",
                                                               "%u processes", processes), processes);
  g_autofree char *what = NULL;

  /* Translators: e.g. "Tracing · 5 threads in 2 processes" */
  what = g_strdup_printf (_("Tracing · %s in %s"), n_threads, n_processes);
  if (total > 1)
    return g_strdup_printf (_("Run %u of %u · %s"), done + 1, total, what);
  return g_steal_pointer (&what);
}
