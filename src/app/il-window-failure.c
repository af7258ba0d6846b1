/* il-window-failure.c: a traced program that failed, said in the window with how it ended and its last lines on stderr. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A program that fails (a lesson's, or one from "Trace a Program") is a failed run: its trace is
 * kept and shown, and a notice says how it ended and its last line on stderr (a traceback's last
 * line names the error); Details shows its last lines (il_run_get_stderr_tail()), which a window
 * started from a desktop has no terminal for. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "il-window-private.h"

/* The notice's Details: how it ended and its last lines, kept on the notice (which goes with the
 * window). */
static void
on_details (AdwToast *toast, IlWindow *self)
{
  g_autofree char *body = g_strdup_printf (_("It ended with %s. Its last lines on stderr:"),
                                           (const char *) g_object_get_data (G_OBJECT (toast), "il-ended"));
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), _("The Program Failed"), body);
  GtkWidget *label = gtk_label_new (g_object_get_data (G_OBJECT (toast), "il-tail"));

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), label);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "close");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  gtk_window_present (GTK_WINDOW (dialog));
}

AdwToast *
il_window_say_program_failed (IlWindow *self, IlRun *run, IlRunTrace *trace)
{
  const char *tail = il_run_get_stderr_tail (run);
  g_autofree char *ended = NULL, *title = NULL, *markup = NULL;
  const char *last;
  int code = 0, signal = 0;
  AdwToast *toast;

  if (!il_run_config_is_program (il_run_trace_get_config (trace)) || il_run_trace_get_cancelled (trace) ||
      !il_run_trace_get_exit (trace, &code, &signal) || (code == 0 && signal == 0))
    return NULL;
  ended = il_run_trace_describe_exit (trace);
  last = tail != NULL ? strrchr (tail, '\n') : NULL;
  last = last != NULL ? last + 1 : tail;
  if (last != NULL)
    title = g_strdup_printf (_("The program failed (%s): %s"), ended, last);
  else
    title = g_strdup_printf (_("The program failed (%s)"), ended);
  /* Its own words are text, not markup. */
  markup = g_markup_escape_text (title, -1);
  toast = adw_toast_new (markup);
  adw_toast_set_timeout (toast, 10);
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  if (tail != NULL)
    {
      g_object_set_data_full (G_OBJECT (toast), "il-ended", g_steal_pointer (&ended), g_free);
      g_object_set_data_full (G_OBJECT (toast), "il-tail", g_strdup (tail), g_free);
      adw_toast_set_button_label (toast, _("_Details"));
      g_signal_connect (toast, "button-clicked", G_CALLBACK (on_details), self);
    }
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  return toast;
}
