/* il-window-consent.c: a lesson's programs on its card, and the question before a lesson from elsewhere starts them (docs/lesson-format.md, "Trust"). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-lesson-trust.h"
#include "il-window-private.h"

/* What the dialog asked about: Run starts exactly these runs of exactly this lesson. */
typedef struct
{
  IlWindow  *window;    /* not owned: the window destroys its dialog before it goes */
  IlLesson  *lesson;
  GPtrArray *configs;   /* of IlRunConfig */
} Consent;

static void
consent_free (gpointer data, GClosure *closure)
{
  Consent *consent = data;

  g_object_unref (consent->lesson);
  g_ptr_array_unref (consent->configs);
  g_free (consent);
}

/* The programs as they run: program and arguments resolved, never the label. A blank line
 * between two, so a command wrapped over two lines is not read as two commands. */
static char *
il_window_commands_text (IlLesson *lesson)
{
  g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);

  return g_strjoinv ("\n\n", commands);
}

void
il_window_show_lesson_commands (IlWindow *self)
{
  g_autofree char *text = NULL;

  /* Shipped lessons too: a student sees what runs on the machine, whoever wrote the lesson. */
  if (self->lesson == NULL || !il_lesson_get_runs_programs (self->lesson))
    {
      gtk_widget_set_visible (GTK_WIDGET (self->lesson_commands_box), FALSE);
      gtk_label_set_label (self->lesson_commands_label, "");
      return;
    }
  text = il_window_commands_text (self->lesson);
  gtk_label_set_label (self->lesson_commands_label, text);
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_commands_note),
                          self->lesson != self->consented_lesson &&
                          il_lesson_trust_needs_consent (self->lesson));
  gtk_widget_set_visible (GTK_WIDGET (self->lesson_commands_box), TRUE);
}

static void
il_window_close_consent_dialog (IlWindow *self)
{
  GtkWidget *dialog = self->consent_dialog;

  if (dialog == NULL)
    return;
  g_object_remove_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->consent_dialog);
  self->consent_dialog = NULL;
  gtk_window_destroy (GTK_WINDOW (dialog));
}

void
il_window_forget_consent (IlWindow *self)
{
  /* Destroyed without a response: nothing runs. */
  il_window_close_consent_dialog (self);
  g_clear_object (&self->consented_lesson);
}

static void
on_consent_response (AdwMessageDialog *dialog, const char *response, Consent *consent)
{
  IlWindow *self = consent->window;
  g_autoptr(GError) error = NULL;

  /* Answered: the question goes whatever the answer (a response given from code, as the tests
   * do, does not close it). The closure, and so @consent, lives until the emission ends. */
  if (self->consent_dialog == GTK_WIDGET (dialog))
    il_window_close_consent_dialog (self);
  /* Only what was asked about runs: the same lesson, still open. */
  if (g_strcmp0 (response, "run") != 0 || self->disposed || self->lesson != consent->lesson)
    return;
  /* Remembered for this content; when it cannot be written the user still said yes to this
   * run, and is asked again next time. */
  if (!il_lesson_trust_allow (consent->lesson, &error))
    il_window_toast (self, error->message);
  g_set_object (&self->consented_lesson, consent->lesson);
  il_window_show_lesson_commands (self);
  il_window_start_batch (self, consent->configs, TRUE, FALSE);
}

static GtkWidget *
il_window_consent_commands (IlLesson *lesson)
{
  g_autofree char *text = il_window_commands_text (lesson);
  GtkWidget *label = gtk_label_new (text);
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *scroller = gtk_scrolled_window_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_yalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_set_margin_top (label, 9);
  gtk_widget_set_margin_bottom (label, 9);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_add_css_class (card, "card");
  gtk_box_append (GTK_BOX (card), label);
  /* A long list scrolls instead of pushing the buttons off the screen. */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 240);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), card);
  return scroller;
}

/* Asks before the runs of a lesson that needs consent; returns TRUE when they may start now. */
gboolean
il_window_consent_given (IlWindow *self, GPtrArray *configs)
{
  AdwMessageDialog *dialog;
  Consent *consent;
  const char *path;

  if (self->lesson == NULL)
    return FALSE;
  if (self->lesson == self->consented_lesson || !il_lesson_trust_needs_consent (self->lesson))
    return TRUE;
  /* Pressed again while it asks: the same question, not a second one. */
  if (self->consent_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->consent_dialog));
      return FALSE;
    }

  path = il_lesson_get_path (self->lesson);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Run Programs From This Lesson?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  _("“%s” is not one of Interleave’s own lessons. Its runs start "
                                    "these programs as you, with access to your files. Run them "
                                    "only if you trust where the lesson came from."),
                                  path != NULL ? path : il_lesson_get_title (self->lesson));
  adw_message_dialog_set_extra_child (dialog, il_window_consent_commands (self->lesson));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "run", _("_Run"), NULL);
  /* Run is never what Enter or Escape picks: it has to be chosen. */
  adw_message_dialog_set_response_appearance (dialog, "run", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  /* Wider than a message's default: paths are long, and each command should read whole. */
  gtk_window_set_default_size (GTK_WINDOW (dialog), 560, -1);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);

  consent = g_new0 (Consent, 1);
  consent->window = self;
  consent->lesson = g_object_ref (self->lesson);
  consent->configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  for (guint i = 0; i < configs->len; i++)
    g_ptr_array_add (consent->configs, il_run_config_copy (g_ptr_array_index (configs, i)));
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_consent_response), consent,
                         consent_free, 0);

  self->consent_dialog = GTK_WIDGET (dialog);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->consent_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
  return FALSE;
}
