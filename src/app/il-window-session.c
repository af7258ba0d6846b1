/* il-window-session.c: nothing lost: the session's runs and texts kept under the user data folder as they happen, restored at the next start; closing with unsaved results asks; New Session. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-window-private.h"

/* The session folder holds one index and one native trace file per finished run of the history:
 *   session.ini              [session] lesson, prediction, predicted, reflection, answered,
 *                            lab-mode, texts-saved; [run N] file, when, checked, saved
 *   run-N.interleave.json    run number N, as Save Shown Runs would write it
 * Both written atomically, so a crash leaves the last complete version. */
#define SESSION_INDEX "session.ini"
#define SESSION_GROUP "session"
#define SESSION_VERSION 1
/* Typed text is written a second after the last key, not at every key. */
#define SESSION_SAVE_DELAY_MS 1000

/* The free set-up's keys. A new start or a new session begins from their defaults: what the last
 * user left (256 workers of a 60 s task) is no setting anyone chose for this session. Capture and
 * the other preferences are kept. */
static const char *const setup_keys[] = {
  "executor", "gil", "switch-interval-ms", "workers", "cpus", "workload", "tasks", "task-ms",
};

char *
il_window_view_text (GtkTextView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

void
il_window_view_set_text (GtkTextView *view, const char *text)
{
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (view), text != NULL ? text : "", -1);
}

gboolean
il_window_text_given (const char *text)
{
  for (; text != NULL && *text != '\0'; text = g_utf8_next_char (text))
    if (!g_unichar_isspace (g_utf8_get_char (text)))
      return TRUE;
  return FALSE;
}

char *
il_window_get_prediction (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return il_window_view_text (self->prediction_view);
}

char *
il_window_get_reflection (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return il_window_view_text (self->reflection_view);
}

void
il_window_set_reflection (IlWindow *self, const char *text)
{
  g_return_if_fail (IL_IS_WINDOW (self));
  il_window_view_set_text (self->reflection_view, text);
}

const char *
il_window_get_session_dir (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), NULL);
  return self->session_dir;
}

/* Writing ------------------------------------------------------------------------------------- */

static gboolean
is_run_file (const char *name)
{
  return g_str_has_prefix (name, "run-") && g_str_has_suffix (name, ".interleave.json");
}

/* Run files no history item names any more (removed runs, a cleared history) go. */
static void
remove_stray_files (IlWindow *self)
{
  g_autoptr(GDir) dir = g_dir_open (self->session_dir, 0, NULL);
  g_autoptr(GHashTable) kept = g_hash_table_new (g_str_hash, g_str_equal);
  const char *name;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), i);

      if (il_history_item_get_file (item) != NULL)
        g_hash_table_add (kept, (gpointer) il_history_item_get_file (item));
    }
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (is_run_file (name) && !g_hash_table_contains (kept, name))
      {
        g_autofree char *path = g_build_filename (self->session_dir, name, NULL);
        g_unlink (path);
      }
}

/* Writes @item's run into the session folder unless it is there already. */
static gboolean
save_run (IlWindow *self, IlHistoryItem *item, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(IlTrace) trace = NULL;

  if (il_history_item_get_file (item) != NULL)
    return TRUE;
  name = g_strdup_printf ("run-%u.interleave.json", il_history_item_get_number (item));
  path = g_build_filename (self->session_dir, name, NULL);
  trace = il_trace_new ();
  il_trace_set_machine_local (trace);
  il_trace_add_run (trace, il_history_item_get_run (item));
  if (!il_trace_save (trace, path, error))
    return FALSE;
  il_history_item_set_file (item, name);
  return TRUE;
}

static gboolean
save_session (IlWindow *self, GError **error)
{
  g_autoptr(GKeyFile) index = g_key_file_new ();
  g_autofree char *index_path = NULL;
  g_autofree char *prediction = il_window_view_text (self->prediction_view);
  g_autofree char *reflection = il_window_view_text (self->reflection_view);
  GListModel *history = G_LIST_MODEL (self->history);

  if (g_mkdir_with_parents (self->session_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno), "%s: %s",
                   self->session_dir, g_strerror (saved_errno));
      return FALSE;
    }
  g_key_file_set_integer (index, SESSION_GROUP, "version", SESSION_VERSION);
  if (self->lesson != NULL && il_lesson_get_path (self->lesson) != NULL)
    g_key_file_set_string (index, SESSION_GROUP, "lesson", il_lesson_get_path (self->lesson));
  g_key_file_set_string (index, SESSION_GROUP, "prediction", prediction);
  if (self->prediction != NULL)
    g_key_file_set_string (index, SESSION_GROUP, "predicted", self->prediction);
  g_key_file_set_string (index, SESSION_GROUP, "reflection", reflection);
  g_key_file_set_boolean (index, SESSION_GROUP, "answered",
                          self->lesson != NULL && self->queue_is_lesson);
  g_key_file_set_boolean (index, SESSION_GROUP, "lab-mode", self->lab_mode);
  g_key_file_set_boolean (index, SESSION_GROUP, "texts-saved", self->texts_saved);

  for (guint i = 0; i < g_list_model_get_n_items (history); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (history, i);
      g_autofree char *group = NULL;
      g_autofree char *when = NULL;

      /* A run going on is written once it has ended (the batch's end writes the session). */
      if (il_run_trace_get_live (il_history_item_get_run (item)))
        continue;
      if (!save_run (self, item, error))
        return FALSE;
      group = g_strdup_printf ("run %u", il_history_item_get_number (item));
      when = g_date_time_format_iso8601 (il_history_item_get_when (item));
      g_key_file_set_string (index, group, "file", il_history_item_get_file (item));
      g_key_file_set_string (index, group, "when", when);
      g_key_file_set_boolean (index, group, "checked", il_history_item_get_checked (item));
      g_key_file_set_boolean (index, group, "saved", il_history_item_get_saved (item));
    }
  index_path = g_build_filename (self->session_dir, SESSION_INDEX, NULL);
  if (!g_key_file_save_to_file (index, index_path, error))
    return FALSE;
  remove_stray_files (self);
  return TRUE;
}

void
il_window_session_save_now (IlWindow *self)
{
  g_autoptr(GError) error = NULL;

  g_clear_handle_id (&self->session_save_id, g_source_remove);
  if (self->session_dir == NULL || save_session (self, &error))
    return;
  /* Said once a session: the window goes on, the runs are still in it. */
  if (!self->session_failed)
    {
      g_autofree char *message = g_strdup_printf (_("The session cannot be kept for the next start: %s"),
                                                  error->message);
      self->session_failed = TRUE;
      il_window_toast (self, message);
    }
}

static gboolean
save_soon_cb (gpointer data)
{
  IlWindow *self = data;

  /* Never while runs go on: writing a file would take a core from what is measured. */
  if (il_window_get_busy (self))
    return G_SOURCE_CONTINUE;
  self->session_save_id = 0;
  il_window_session_save_now (self);
  return G_SOURCE_REMOVE;
}

void
il_window_session_changed (IlWindow *self)
{
  if (self->session_dir == NULL || self->session_save_id != 0 || self->disposed)
    return;
  self->session_save_id = g_timeout_add (SESSION_SAVE_DELAY_MS, save_soon_cb, self);
}

void
il_window_session_dispose (IlWindow *self)
{
  if (self->session_save_id != 0)
    il_window_session_save_now (self);
  g_clear_pointer (&self->session_dir, g_free);
}

/* Saved by the user ---------------------------------------------------------------------------- */

void
il_window_mark_saved (IlWindow *self, GPtrArray *runs, gboolean texts)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), i);

      for (guint k = 0; k < runs->len; k++)
        if (g_ptr_array_index (runs, k) == il_history_item_get_run (item))
          il_history_item_set_saved (item, TRUE);
    }
  if (texts)
    self->texts_saved = TRUE;
  il_window_session_changed (self);
}

static guint
count_unsaved_runs (IlWindow *self)
{
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), i);

      if (!il_history_item_get_saved (item) && !il_run_trace_get_live (il_history_item_get_run (item)))
        n++;
    }
  return n;
}

/* What the user would lose: finished runs not in a file of theirs, and the prediction or
 * reflection of a lesson that ran, not in a written report. A prediction typed before any run
 * is no result yet. */
gboolean
il_window_get_unsaved (IlWindow *self)
{
  g_autofree char *prediction = NULL;
  g_autofree char *reflection = NULL;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  if (count_unsaved_runs (self) > 0)
    return TRUE;
  if (self->texts_saved || self->lesson == NULL || !self->queue_is_lesson)
    return FALSE;
  prediction = il_window_view_text (self->prediction_view);
  reflection = il_window_view_text (self->reflection_view);
  return il_window_text_given (prediction) || il_window_text_given (reflection);
}

/* Texts ---------------------------------------------------------------------------------------- */

static void
on_text_changed (IlWindow *self)
{
  self->texts_saved = FALSE;
  il_window_update_actions (self);
  il_window_session_changed (self);
}

void
il_window_forget_lesson_texts (IlWindow *self)
{
  g_clear_pointer (&self->prediction, g_free);
  il_window_view_set_text (self->prediction_view, "");
  il_window_view_set_text (self->reflection_view, "");
  gtk_widget_set_visible (self->reflection_box, FALSE);
  self->texts_saved = FALSE;
  il_window_session_changed (self);
}

void
il_window_session_batch_done (IlWindow *self)
{
  if (self->lesson != NULL && self->queue_is_lesson)
    gtk_widget_set_visible (self->reflection_box, TRUE);
  il_window_session_save_now (self);
}

/* Restoring ------------------------------------------------------------------------------------ */

/* Run number @number as kept in group @group of @index, back in the history. */
static void
restore_run (IlWindow *self, GKeyFile *index, const char *group, guint number)
{
  g_autofree char *file = g_key_file_get_string (index, group, "file", NULL);
  g_autofree char *when_text = g_key_file_get_string (index, group, "when", NULL);
  g_autofree char *path = NULL;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(IlHistoryItem) item = NULL;
  g_autoptr(GError) error = NULL;

  if (file == NULL || strchr (file, '/') != NULL || !is_run_file (file))
    return;
  path = g_build_filename (self->session_dir, file, NULL);
  if ((trace = il_trace_load (path, &error)) == NULL || il_trace_get_n_runs (trace) == 0)
    {
      g_autofree char *message = g_strdup_printf (_("Run #%u of the last session cannot be read back: %s"),
                                                  number, error != NULL ? error->message : "");
      il_window_toast (self, message);
      return;
    }
  when = when_text != NULL ? g_date_time_new_from_iso8601 (when_text, NULL) : NULL;
  if (when == NULL)
    when = g_date_time_new_now_local ();
  item = il_history_item_new (il_trace_get_run (trace, 0), number, when);
  il_history_item_set_checked (item, g_key_file_get_boolean (index, group, "checked", NULL));
  il_history_item_set_saved (item, g_key_file_get_boolean (index, group, "saved", NULL));
  il_history_item_set_file (item, file);
  il_window_append_history_item (self, item);
  self->history_number = MAX (self->history_number, number);
}

static void
restore_lesson (IlWindow *self, GKeyFile *index)
{
  g_autofree char *path = g_key_file_get_string (index, SESSION_GROUP, "lesson", NULL);
  g_autofree char *prediction = g_key_file_get_string (index, SESSION_GROUP, "prediction", NULL);
  g_autofree char *reflection = g_key_file_get_string (index, SESSION_GROUP, "reflection", NULL);
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  /* The lesson as it is now, with its own runs: the texts belong to it and come back with it. */
  if (!il_window_open_lesson (self, path, &error))
    {
      g_autofree char *message = g_strdup_printf (_("The lesson of the last session cannot be opened: %s"),
                                                  error->message);
      il_window_toast (self, message);
      return;
    }
  il_window_view_set_text (self->prediction_view, prediction);
  il_window_view_set_text (self->reflection_view, reflection);
  self->prediction = g_key_file_get_string (index, SESSION_GROUP, "predicted", NULL);
  if (g_key_file_get_boolean (index, SESSION_GROUP, "answered", NULL))
    {
      self->queue_is_lesson = TRUE;
      gtk_widget_set_visible (self->reflection_box, TRUE);
    }
}

static void
restore_session (IlWindow *self, GKeyFile *index)
{
  g_auto(GStrv) groups = g_key_file_get_groups (index, NULL);
  g_autoptr(GPtrArray) shown = g_ptr_array_new ();

  self->lab_mode = g_key_file_get_boolean (index, SESSION_GROUP, "lab-mode", NULL);
  restore_lesson (self, index);
  /* The runs in the order they were kept, which is the history's. */
  for (guint i = 0; groups[i] != NULL; i++)
    {
      guint64 number;

      if (g_str_has_prefix (groups[i], "run ") &&
          g_ascii_string_to_unsigned (groups[i] + 4, 10, 1, G_MAXUINT, &number, NULL))
        restore_run (self, index, groups[i], (guint) number);
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), i);

      if (il_history_item_get_checked (item))
        g_ptr_array_add (shown, il_history_item_get_run (item));
    }
  if (shown->len > 0)
    il_window_show_runs (self, shown);
  if (self->lesson != NULL && self->queue_is_lesson && shown->len > 0)
    il_summary_view_set_answer (self->summary, il_lesson_get_question (self->lesson),
                                self->prediction, il_lesson_get_answer (self->lesson));
  /* Restored texts are as saved as they were. */
  self->texts_saved = g_key_file_get_boolean (index, SESSION_GROUP, "texts-saved", NULL);
  il_window_update_actions (self);
}

static void
reset_setup (IlWindow *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (setup_keys); i++)
    g_settings_reset (self->settings, setup_keys[i]);
}

gboolean
il_window_open_session (IlWindow *self, const char *dir, GError **error)
{
  g_autofree char *folder = NULL;
  g_autofree char *index_path = NULL;
  g_autoptr(GKeyFile) index = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (self->session_dir == NULL, FALSE);

  folder = dir != NULL ? g_strdup (dir)
                       : g_build_filename (g_get_user_data_dir (), "interleave", "session", NULL);
  reset_setup (self);
  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   _("The session cannot be kept in %s: %s"), folder, g_strerror (saved_errno));
      return FALSE;
    }
  index_path = g_build_filename (folder, SESSION_INDEX, NULL);
  /* Restored before the folder is ours, so restoring writes nothing over what it reads. */
  if (g_key_file_load_from_file (index, index_path, G_KEY_FILE_NONE, &local_error))
    {
      self->session_dir = g_steal_pointer (&folder);
      if (g_key_file_get_integer (index, SESSION_GROUP, "version", NULL) == SESSION_VERSION)
        restore_session (self, index);
      g_clear_handle_id (&self->session_save_id, g_source_remove);
    }
  else
    {
      self->session_dir = g_steal_pointer (&folder);
      if (!g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        il_window_toast (self, local_error->message);
    }
  return TRUE;
}

static void
discard_session (IlWindow *self)
{
  g_autofree char *index_path = NULL;

  if (self->session_dir == NULL)
    return;
  g_clear_handle_id (&self->session_save_id, g_source_remove);
  index_path = g_build_filename (self->session_dir, SESSION_INDEX, NULL);
  g_unlink (index_path);
  /* No item is kept: remove_stray_files() would keep what items name, so name none. */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->history)); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (G_LIST_MODEL (self->history), i);
      il_history_item_set_file (item, NULL);
    }
  remove_stray_files (self);
  g_clear_pointer (&self->session_dir, g_free);
}

/* Questions ------------------------------------------------------------------------------------ */

GtkWidget *
il_window_ask (IlWindow *self, const char *heading, const char *body, const char *response,
               const char *label, AdwResponseAppearance appearance, const char *default_response,
               GCallback on_response)
{
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (self), heading, body);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    response, label, NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), response, appearance);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), default_response);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  /* A question about this window goes with it. */
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  g_signal_connect_object (dialog, "response", on_response, self, 0);
  return dialog;
}

/* New session ---------------------------------------------------------------------------------- */

void
il_window_new_session (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  if (il_window_get_busy (self))
    return;
  il_window_clear_history (self);
  self->history_number = 0;
  il_window_forget_lesson_texts (self);
  self->queue_is_lesson = FALSE;
  il_summary_view_set_answer (self->summary, NULL, NULL, NULL);
  reset_setup (self);
  il_window_update_empty_state (self);
  il_window_update_actions (self);
  il_window_session_save_now (self);
}

static void
on_new_session_response (AdwMessageDialog *dialog, const char *response, IlWindow *self)
{
  if (g_str_equal (response, "new"))
    il_window_new_session (self);
}

static void
new_session_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->history));
  g_autofree char *prediction = il_window_view_text (self->prediction_view);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  if (il_window_get_busy (self))
    return;
  /* Nothing to lose: no question. */
  if (n == 0 && !il_window_text_given (prediction))
    {
      il_window_new_session (self);
      return;
    }
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "The history’s %u run, the prediction and the reflection are removed, and the set-up goes back to its defaults. What is not saved in a file of yours is lost.",
                                       "The history’s %u runs, the prediction and the reflection are removed, and the set-up goes back to its defaults. What is not saved in a file of yours is lost.",
                                       n), n);
  dialog = il_window_ask (self, _("Start a New Session?"), body, "new", _("_Start New Session"),
                          ADW_RESPONSE_DESTRUCTIVE, "cancel", G_CALLBACK (on_new_session_response));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Closing -------------------------------------------------------------------------------------- */

static gboolean
close_after_answer (gpointer data)
{
  gtk_window_close (GTK_WINDOW (data));
  return G_SOURCE_REMOVE;
}

static void
on_close_response (AdwMessageDialog *dialog, const char *response, IlWindow *self)
{
  self->close_dialog = NULL;
  if (g_str_equal (response, "cancel"))
    return;
  if (g_str_equal (response, "discard"))
    discard_session (self);
  else
    il_window_session_save_now (self);
  self->close_confirmed = TRUE;
  /* Once the dialog, which is transient for the window, has closed itself. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_after_answer, g_object_ref (self), g_object_unref);
}

gboolean
il_window_session_close_request (IlWindow *self)
{
  guint n;
  g_autofree char *body = NULL;

  /* Without a kept session there is nothing to keep for next time: the window closes as ever. */
  if (self->session_dir == NULL || self->close_confirmed)
    return FALSE;
  if (!il_window_get_unsaved (self))
    {
      il_window_session_save_now (self);
      return FALSE;
    }
  if (self->close_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->close_dialog));
      return TRUE;
    }
  n = count_unsaved_runs (self);
  if (n > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "%u run is not saved in a file of yours (Save Shown Runs, a data export or a lab report). Interleave can keep it and show it again at the next start, or discard it now.",
                                         "%u runs are not saved in a file of yours (Save Shown Runs, a data export or a lab report). Interleave can keep them and show them again at the next start, or discard them now.",
                                         n), n);
  else
    body = g_strdup (_("The prediction and reflection are not in a lab report yet. Interleave can keep them for the next start, or discard them now."));
  self->close_dialog = il_window_ask (self, _("Keep the Results for Next Time?"), body, "discard",
                                      _("_Discard"), ADW_RESPONSE_DESTRUCTIVE, "keep",
                                      G_CALLBACK (on_close_response));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self->close_dialog), "keep",
                                   _("_Keep for Next Time"));
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (self->close_dialog), "keep",
                                              ADW_RESPONSE_SUGGESTED);
  gtk_window_present (GTK_WINDOW (self->close_dialog));
  return TRUE;
}

void
il_window_add_session_actions (IlWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "new-session", .activate = new_session_action },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  g_signal_connect_object (gtk_text_view_get_buffer (self->prediction_view), "changed",
                           G_CALLBACK (on_text_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (self->reflection_view), "changed",
                           G_CALLBACK (on_text_changed), self, G_CONNECT_SWAPPED);
}
