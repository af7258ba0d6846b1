/* il-window-report.c: "Export Lab Report…": the shown runs with the lesson and the prediction as one PDF. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

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
  IlReportLesson texts;
  const char *prediction;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  /* What was predicted before the runs; before any run, what is typed now. */
  prediction = self->prediction != NULL
                 ? self->prediction
                 : gtk_editable_get_text (GTK_EDITABLE (self->lesson_answer_entry));
  il_report_options_init (&options);
  if (self->lesson != NULL)
    {
      texts.title = il_lesson_get_title (self->lesson);
      texts.explanation = il_lesson_get_explanation (self->lesson);
      texts.question = il_lesson_get_question (self->lesson);
      texts.answer = il_lesson_get_answer (self->lesson);
      options.lesson = &texts;
    }
  options.prediction = self->lesson != NULL ? prediction : NULL;
  options.runs = self->shown;
  options.view = il_timeline_view_get_view_flags (self->timeline);
  options.paper = paper_from_gtk ();
  return il_report_write (path, &options, error);
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
export_report_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  chooser = gtk_file_chooser_native_new (_("Export Lab Report"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  /* Translators: the file name a lab report is offered under; %s is the lesson's name */
  name = self->lesson != NULL ? g_strdup_printf (_("%s-report.pdf"), il_lesson_get_id (self->lesson))
                              : g_strdup (_("lab-report.pdf"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_report_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
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
