/* il-window-report.c: "Export Lab Report…": the shown runs with the lesson, prediction and reflection as one PDF; who hands it in; lab mode. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-export-dialog.h"
#include "il-report.h"
#include "il-window-private.h"

static IlReportPaper
paper_from_gtk (void)
{
  g_autoptr(GtkPaperSize) size = gtk_paper_size_new (NULL);   /* the locale's default */
  const char *name = gtk_paper_size_get_name (size);

  return g_str_has_prefix (name, "na_letter") ? IL_REPORT_PAPER_LETTER : IL_REPORT_PAPER_A4;
}

gboolean
il_window_write_report (IlWindow *self, const char *path, GError **error)
{
  IlReportOptions options;
  IlReportLesson texts = { 0 };
  g_autofree char *typed = NULL;
  g_autofree char *reflection = NULL;
  g_autofree char *student = NULL;
  g_autofree char *student_id = NULL;
  g_autofree char *group = NULL;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* What was predicted before the runs; before any run, what is typed now. */
  typed = il_window_view_text (self->prediction_view);
  reflection = il_window_view_text (self->reflection_view);
  student = g_settings_get_string (self->settings, "student-name");
  student_id = g_settings_get_string (self->settings, "student-id");
  group = g_settings_get_string (self->settings, "student-group");
  il_report_options_init (&options);
  if (self->lesson != NULL)
    {
      texts.title = il_lesson_get_title (self->lesson);
      texts.explanation = il_lesson_get_explanation (self->lesson);
      texts.question = il_lesson_get_question (self->lesson);
      texts.answer = il_lesson_get_answer (self->lesson);
      texts.id = il_lesson_get_id (self->lesson);
      texts.checksum = il_lesson_get_checksum (self->lesson);
      options.lesson = &texts;
      options.prediction = self->prediction != NULL ? self->prediction : typed;
      /* Asked for after the answer: "(no reflection)" when none was written. */
      options.reflection = reflection;
    }
  options.student = student;
  options.student_id = student_id;
  options.group = group;
  options.runs = self->shown;
  options.view = il_timeline_view_get_view_flags (self->timeline);
  options.paper = paper_from_gtk ();
  if (!il_report_write (path, &options, error))
    return FALSE;
  /* The runs, the prediction and the reflection are in a file the student hands in. */
  il_window_mark_saved (self, self->shown, TRUE);
  return TRUE;
}

static void
on_report_response (GtkNativeDialog *dialog, int response, gpointer user_data)
{
  g_autoptr(IlWindow) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL || !il_window_write_report (self, path, &error))
        il_window_toast (self, error ? error->message : _("Only local files can be written."));
      else
        {
          g_autofree char *message = g_strdup_printf (_("Lab report saved to %s"), path);
          il_window_toast (self, message);
        }
    }
  g_object_unref (dialog);
}

static void
choose_report_file (IlWindow *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  chooser = gtk_file_chooser_native_new (_("Export Lab Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  /* Translators: the file name a lab report is offered under; %s is the lesson's name */
  name = self->lesson != NULL ? g_strdup_printf (_("%s-report.pdf"), il_lesson_get_id (self->lesson))
                              : g_strdup (_("lab-report.pdf"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  /* A report is a document a student hands in: Documents, else home (not the current folder). */
  il_export_chooser_start (GTK_FILE_CHOOSER (chooser), FALSE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_report_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Who hands in the report: asked once, before the first report, and kept (Preferences change it). */
static void
on_student_response (AdwMessageDialog *dialog, const char *response, IlWindow *self)
{
  static const char *const keys[] = { "student-name", "student-id", "student-group" };

  if (!g_str_equal (response, "continue"))
    return;
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), keys[i]);
      g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

      g_settings_set_string (self->settings, keys[i], text);
    }
  choose_report_file (self);
}

static GtkWidget *
student_entry (GtkWidget *dialog, GtkWidget *list, const char *key, const char *title,
               const char *value)
{
  GtkWidget *row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (row), value);
  gtk_list_box_append (GTK_LIST_BOX (list), row);
  g_object_set_data (G_OBJECT (dialog), key, row);
  return row;
}

static void
ask_student (IlWindow *self)
{
  GtkWidget *dialog = il_window_ask (self, _("Who Hands In This Report?"),
                                     _("Your name, student ID and group go on every lab report, so your teacher can grade it. Asked once; Preferences change them."),
                                     "continue", _("C_ontinue"), ADW_RESPONSE_SUGGESTED, "continue",
                                     G_CALLBACK (on_student_response));
  GtkWidget *list = gtk_list_box_new ();
  g_autofree char *name = g_settings_get_string (self->settings, "student-name");
  g_autofree char *id = g_settings_get_string (self->settings, "student-id");
  g_autofree char *group = g_settings_get_string (self->settings, "student-group");
  GtkWidget *first;

  self->student_asked = TRUE;
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  first = student_entry (dialog, list, "student-name", _("_Name"), name);
  student_entry (dialog, list, "student-id", _("Student _ID"), id);
  student_entry (dialog, list, "student-group", _("_Group"), group);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), list);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (first);
}

static void
export_report_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  g_autofree char *name = g_settings_get_string (self->settings, "student-name");

  /* A report without a name cannot be graded: asked once a session until a name is given. */
  if (name[0] == '\0' && !self->student_asked)
    ask_student (self);
  else
    choose_report_file (self);
}

void
il_window_set_lab_mode (IlWindow *self, gboolean lab_mode)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  self->lab_mode = !!lab_mode;
  il_window_update_actions (self);
  il_window_session_changed (self);
}

gboolean
il_window_get_lab_mode (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  return self->lab_mode;
}

gboolean
il_window_lesson_may_run (IlWindow *self)
{
  g_autofree char *prediction = il_window_view_text (self->prediction_view);
  gboolean waits = self->lab_mode && il_lesson_get_question (self->lesson) != NULL &&
                   !il_window_text_given (prediction);

  /* The note says why Run is greyed, rather than a toast after pressing it. */
  gtk_label_set_label (self->prediction_note,
                       waits ? _("Lab mode: Run becomes available once you have written your prediction.")
                             : _("Predict first, then press Run"));
  return !waits;
}

void
il_window_add_report_action (IlWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "export-report", .activate = export_report_action },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

void
il_window_update_report_action (IlWindow *self, gboolean busy)
{
  il_window_set_action_enabled (self, "export-report", !busy && self->shown->len > 0);
}
