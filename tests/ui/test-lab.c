/* test-lab.c: lab work in the real window: the session kept across a restart, the question on closing, New Session, the lab report's fields (issue 21). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-lesson.h"
#include "il-preferences-window.h"
#include "il-summary-view.h"
#include "il-trace-dialog.h"
#include "il-trace-io.h"
#include "il-window-private.h"
#include "il-test-util.h"
#include "il-test-window.h"

static IlApplication *app;
static GSettings *settings;
static char *tmpdir;

/* Two quick runs with a question and an answer: a lesson's whole cycle in well under a second. */
static const char quick_lesson[] =
  "[Lesson]\nTitle=Quick lesson %s\nExplanation=Two short runs.\n"
  "Question=Which run is faster?\nAnswer=The one with two threads.\nRuns=one;two\n\n"
  "[Run one]\nLabel=1 thread\nExecutor=threads\nWorkers=1\nWorkload=cpu\nTasks=4\nTaskMs=10\n\n"
  "[Run two]\nLabel=2 threads\nExecutor=threads\nWorkers=2\nWorkload=cpu\nTasks=4\nTaskMs=10\n";

static char *
write_lesson (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".lesson", NULL);
  g_autofree char *text = g_strdup_printf (quick_lesson, name);
  char *path = g_build_filename (tmpdir, file, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static char *
session_file (const char *dir, const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static gboolean
idle_cb (gpointer data)
{
  return !il_window_get_busy (data);
}

static gboolean
gone_cb (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* A window as the application makes one: its session kept in @dir. */
static IlWindow *
open_window (const char *dir)
{
  IlWindow *w = il_window_new (ADW_APPLICATION (app));
  g_autoptr(GError) error = NULL;

  g_assert_true (il_window_open_session (w, dir, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (il_window_get_session_dir (w), ==, dir);
  gtk_window_set_default_size (GTK_WINDOW (w), 1280, 800);
  gtk_window_present (GTK_WINDOW (w));
  il_test_window_settle (w);
  return w;
}

/* Waits until *@w (watched: watch()) is finalized: a restart's first half. */
static void
watch (IlWindow **w)
{
  g_object_add_weak_pointer (G_OBJECT (*w), (gpointer *) w);
}

static void
wait_gone (IlWindow **w)
{
  il_test_wait_for (gone_cb, w, 60, "the window to be finalized");
}

static void
destroy_window (IlWindow **w)
{
  watch (w);
  gtk_window_destroy (GTK_WINDOW (*w));
  wait_gone (w);
}

static void
run (IlWindow *w)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (w), "run"));
  g_action_group_activate_action (G_ACTION_GROUP (w), "run", NULL);
  il_test_wait_for (idle_cb, w, 90, "the runs");
  il_test_window_settle (w);
}

static void
run_lesson (IlWindow *w, const char *path, const char *prediction)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (il_window_open_lesson (w, path, &error));
  g_assert_no_error (error);
  if (prediction != NULL)
    il_window_set_prediction (w, prediction);
  run (w);
}

static guint
n_history (IlWindow *w)
{
  return g_list_model_get_n_items (il_window_get_history (w));
}

static IlHistoryItem *
history_item (IlWindow *w, guint i)
{
  return g_list_model_get_item (il_window_get_history (w), i);
}

static guint
count_run_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    n += g_str_has_prefix (name, "run-") && g_str_has_suffix (name, ".interleave.json");
  return n;
}

/* The visible dialog of type @type among the toplevels (borrowed), or NULL. */
static GtkWindow *
find_dialog (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* not ours to unref */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return GTK_WINDOW (w);
    }
  return NULL;
}

static gboolean
message_dialog_shown (gpointer data)
{
  return find_dialog (ADW_TYPE_MESSAGE_DIALOG) != NULL;
}

static AdwMessageDialog *
wait_message_dialog (void)
{
  il_test_wait_for (message_dialog_shown, NULL, 20, "a question");
  return ADW_MESSAGE_DIALOG (find_dialog (ADW_TYPE_MESSAGE_DIALOG));
}

/* As a click on the dialog's button: the response, then the dialog closes. */
static void
answer (const char *response)
{
  AdwMessageDialog *dialog = wait_message_dialog ();

  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Runs, predictions, reflections and the lesson come back after a restart; the set-up does not
 * keep what was left in it. */
static void
test_restart (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "restart", NULL);
  g_autofree char *lesson = write_lesson ("quick");
  g_autofree char *index = session_file (dir, "session.ini");
  g_autofree char *first = session_file (dir, "run-1.interleave.json");
  const char *prediction = "The two threads take half the time,\nbecause each has a core.";
  IlWindow *w = open_window (dir);
  gint64 walls[3];
  guint numbers[3];

  /* A free run, then a lesson with a prediction and, after its answer, a reflection. */
  il_test_window_set_run (settings, "threads", 2, 4, 10);
  run (w);
  g_assert_false (gtk_widget_get_visible (w->reflection_box));
  run_lesson (w, lesson, prediction);
  g_assert_true (gtk_widget_get_visible (w->reflection_box));
  il_window_set_reflection (w, "Two threads took about half as long.");
  g_assert_cmpuint (n_history (w), ==, 3);
  g_assert_true (il_window_get_unsaved (w));
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(IlHistoryItem) item = history_item (w, i);

      numbers[i] = il_history_item_get_number (item);
      walls[i] = il_run_trace_get_summary (il_history_item_get_run (item))->wall_ns;
    }
  /* Kept as they happened: each run's file is there before the window goes. */
  g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_run_files (dir), ==, 3);
  /* What the last user left in the set-up. */
  g_settings_set_uint (settings, "workers", 200);
  g_settings_set_double (settings, "task-ms", 60000);

  /* The restart: the window goes (the reflection typed last is written as it goes). */
  destroy_window (&w);
  w = open_window (dir);

  g_assert_cmpuint (n_history (w), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(IlHistoryItem) item = history_item (w, i);
      IlRunTrace *r = il_history_item_get_run (item);

      g_assert_cmpuint (il_history_item_get_number (item), ==, numbers[i]);
      g_assert_cmpint (il_run_trace_get_summary (r)->wall_ns, ==, walls[i]);
      g_assert_false (il_run_trace_get_live (r));
    }
  /* The lesson's runs are shown again, the lesson open with its texts, the answer beside them. */
  g_assert_cmpuint (il_window_get_shown (w)->len, ==, 2);
  g_assert_nonnull (il_window_get_lesson (w));
  g_assert_cmpstr (il_lesson_get_id (il_window_get_lesson (w)), ==, "quick");
  {
    g_autofree char *p = il_window_get_prediction (w);
    g_autofree char *r = il_window_get_reflection (w);

    g_assert_cmpstr (p, ==, prediction);
    g_assert_cmpstr (r, ==, "Two threads took about half as long.");
  }
  g_assert_cmpstr (w->prediction, ==, prediction);
  g_assert_true (gtk_widget_get_visible (w->reflection_box));
  /* The same lesson opened again (a launcher's `interleave --run` after the restart) keeps them. */
  g_assert_true (il_window_open_lesson (w, lesson, NULL));
  {
    g_autofree char *p = il_window_get_prediction (w);
    g_autofree char *r = il_window_get_reflection (w);

    g_assert_cmpstr (p, ==, prediction);
    g_assert_cmpstr (r, ==, "Two threads took about half as long.");
  }
  g_assert_true (il_window_get_unsaved (w));
  /* The set-up is back at its defaults, not at what was left. */
  g_assert_cmpuint (g_settings_get_uint (settings, "workers"), ==, 4);
  g_assert_cmpfloat (g_settings_get_double (settings, "task-ms"), ==, 100);
  /* A removed run's file goes. */
  g_assert_true (il_window_remove_run (w, numbers[0]));
  il_window_session_save_now (w);
  g_assert_false (g_file_test (first, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_run_files (dir), ==, 2);

  destroy_window (&w);
}

/* Closing with unsaved results asks: Cancel keeps the window, Keep closes and keeps them for the
 * next start, Discard closes and removes them; saved results do not ask. */
static void
test_close_asks (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "close", NULL);
  g_autofree char *index = session_file (dir, "session.ini");
  g_autofree char *saved = g_build_filename (tmpdir, "saved.interleave.json", NULL);
  IlWindow *w = open_window (dir);

  il_test_window_set_run (settings, "threads", 2, 4, 10);
  run (w);
  g_assert_true (il_window_get_unsaved (w));

  watch (&w);
  gtk_window_close (GTK_WINDOW (w));
  answer ("cancel");
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (w)));
  g_assert_cmpuint (n_history (w), ==, 1);

  gtk_window_close (GTK_WINDOW (w));
  answer ("keep");
  wait_gone (&w);
  g_assert_true (g_file_test (index, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpuint (count_run_files (dir), ==, 1);

  w = open_window (dir);
  g_assert_cmpuint (n_history (w), ==, 1);
  watch (&w);
  gtk_window_close (GTK_WINDOW (w));
  answer ("discard");
  wait_gone (&w);
  g_assert_false (g_file_test (index, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_run_files (dir), ==, 0);

  /* Nothing came back; a run saved by the user closes without a question. */
  w = open_window (dir);
  g_assert_cmpuint (n_history (w), ==, 0);
  run (w);
  g_assert_true (il_window_get_unsaved (w));
  g_assert_true (il_window_save_trace (w, saved, NULL));
  g_assert_false (il_window_get_unsaved (w));
  watch (&w);
  gtk_window_close (GTK_WINDOW (w));
  g_assert_null (find_dialog (ADW_TYPE_MESSAGE_DIALOG));
  wait_gone (&w);
  /* ... and still comes back next time, as every session does. */
  w = open_window (dir);
  g_assert_cmpuint (n_history (w), ==, 1);
  g_assert_false (il_window_get_unsaved (w));
  destroy_window (&w);
}

/* New Session asks, then empties the history and the texts and puts the set-up back; the lesson
 * stays open, fresh. */
static void
test_new_session (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "new", NULL);
  g_autofree char *lesson = write_lesson ("quick");
  IlWindow *w = open_window (dir);

  il_test_window_set_run (settings, "threads", 2, 4, 10);
  run (w);
  run_lesson (w, lesson, "faster with two");
  il_window_set_reflection (w, "it was");
  g_settings_set_uint (settings, "workers", 7);
  g_assert_cmpuint (n_history (w), ==, 3);

  g_action_group_activate_action (G_ACTION_GROUP (w), "new-session", NULL);
  answer ("cancel");
  g_assert_cmpuint (n_history (w), ==, 3);
  g_assert_cmpuint (g_settings_get_uint (settings, "workers"), ==, 7);

  g_action_group_activate_action (G_ACTION_GROUP (w), "new-session", NULL);
  answer ("new");
  g_assert_cmpuint (n_history (w), ==, 0);
  g_assert_cmpuint (il_window_get_shown (w)->len, ==, 0);
  g_assert_cmpuint (g_settings_get_uint (settings, "workers"), ==, 4);
  g_assert_nonnull (il_window_get_lesson (w));
  {
    g_autofree char *p = il_window_get_prediction (w);
    g_autofree char *r = il_window_get_reflection (w);

    g_assert_cmpstr (p, ==, "");
    g_assert_cmpstr (r, ==, "");
  }
  g_assert_null (w->prediction);
  g_assert_false (gtk_widget_get_visible (w->reflection_box));
  g_assert_cmpuint (count_run_files (dir), ==, 0);
  g_assert_false (il_window_get_unsaved (w));
  /* Numbering starts again. */
  run (w);
  {
    g_autoptr(IlHistoryItem) item = history_item (w, 0);
    g_assert_cmpuint (il_history_item_get_number (item), ==, 1);
  }
  destroy_window (&w);
}

static char *
pdf_text (const char *path)
{
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  const char *argv[] = { pdftotext, "-layout", path, "-", NULL };
  g_auto(IlTestResult) r = { 0 };

  if (pdftotext == NULL)
    return NULL;
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  return g_steal_pointer (&r.out);
}

/* The verdicts on the report's "Disturbed" row, one per run. */
static guint
count_verdicts (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) words = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
      guint n = 0;

      if (g_strcmp0 (words[0], "Disturbed") != 0)
        continue;
      for (guint k = 1; words[k] != NULL; k++)
        n += g_str_equal (words[k], "yes") || g_str_equal (words[k], "no") ||
             g_str_equal (words[k], "measured");
      return n;
    }
  return 0;
}

static gboolean
file_chooser_shown (gpointer data)
{
  return find_dialog (GTK_TYPE_FILE_CHOOSER_DIALOG) != NULL;
}

static void
cancel_file_chooser (void)
{
  il_test_wait_for (file_chooser_shown, NULL, 20, "the file chooser");
  gtk_dialog_response (GTK_DIALOG (find_dialog (GTK_TYPE_FILE_CHOOSER_DIALOG)), GTK_RESPONSE_CANCEL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Who hands it in is asked once; the report has the student, the date, the lesson's hash, the
 * multi-line prediction, the reflection and the disturbed verdict of every run; a prediction
 * typed for one lesson never reaches another's report. */
static void
test_report_fields (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "report", NULL);
  g_autofree char *lesson = write_lesson ("quick");
  g_autofree char *other = write_lesson ("other");
  g_autofree char *pdf = g_build_filename (tmpdir, "report.pdf", NULL);
  g_autofree char *pdf2 = g_build_filename (tmpdir, "report2.pdf", NULL);
  g_autofree char *lesson_text = il_test_read_text (lesson);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, lesson_text, -1);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *today = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;
  IlWindow *w = open_window (dir);
  AdwMessageDialog *dialog;

  g_settings_set_string (settings, "student-name", "");
  run_lesson (w, lesson, "Line one of my prediction\nLine two of it");
  il_window_set_reflection (w, "I saw the second run take half as long");

  /* Asked once: the dialog's answers are kept, then the file is chosen. */
  g_action_group_activate_action (G_ACTION_GROUP (w), "export-report", NULL);
  dialog = wait_message_dialog ();
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "student-name"), " Ada Lovelace ");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "student-id"), "S-1815");
  gtk_editable_set_text (g_object_get_data (G_OBJECT (dialog), "student-group"), "Lab B");
  answer ("continue");
  cancel_file_chooser ();
  {
    g_autofree char *name = g_settings_get_string (settings, "student-name");
    g_autofree char *group = g_settings_get_string (settings, "student-group");

    g_assert_cmpstr (name, ==, "Ada Lovelace");
    g_assert_cmpstr (group, ==, "Lab B");
  }
  /* Preferences show them, and change them. */
  {
    IlPreferencesWindow *prefs = il_preferences_window_new (GTK_WINDOW (w));
    GtkEditable *row = GTK_EDITABLE (gtk_widget_get_template_child (GTK_WIDGET (prefs),
                                                                     IL_TYPE_PREFERENCES_WINDOW,
                                                                     "student_id_row"));

    g_assert_cmpstr (gtk_editable_get_text (row), ==, "S-1815");
    gtk_editable_set_text (row, "S-1815a");
    gtk_window_destroy (GTK_WINDOW (prefs));
  }
  g_action_group_activate_action (G_ACTION_GROUP (w), "export-report", NULL);
  cancel_file_chooser ();
  g_assert_null (find_dialog (ADW_TYPE_MESSAGE_DIALOG));

  g_assert_true (il_window_get_unsaved (w));
  g_assert_true (il_window_write_report (w, pdf, NULL));
  /* Handed in: the runs and texts are in the student's file. */
  g_assert_false (il_window_get_unsaved (w));
  text = pdf_text (pdf);
  if (text == NULL)
    g_test_message ("poppler-utils missing: the report's text is not checked");
  else
    {
      g_test_message ("%s", text);
      g_assert_nonnull (strstr (text, "Student: Ada Lovelace · Student ID: S-1815a · Group: Lab B"));
      g_assert_nonnull (strstr (text, today));
      g_assert_nonnull (strstr (text, sum));
      g_assert_nonnull (strstr (text, "quick.lesson"));
      g_assert_nonnull (strstr (text, "Line one of my prediction"));
      g_assert_nonnull (strstr (text, "Line two of it"));
      g_assert_nonnull (strstr (text, "My reflection"));
      g_assert_nonnull (strstr (text, "I saw the second run take half as long"));
      g_assert_cmpuint (count_verdicts (text), ==, 2);
    }

  /* Another lesson, run without a prediction: nothing of the first one's comes along. */
  run_lesson (w, other, NULL);
  g_assert_true (il_window_write_report (w, pdf2, NULL));
  text2 = pdf_text (pdf2);
  if (text2 != NULL)
    {
      g_assert_null (strstr (text2, "Line one of my prediction"));
      g_assert_null (strstr (text2, "I saw the second run"));
      g_assert_nonnull (strstr (text2, "(no prediction)"));
      g_assert_nonnull (strstr (text2, "(no reflection)"));
    }
  destroy_window (&w);
}

/* Issue 21 item 4: what a traced program printed comes back with its run after a restart. Its
 * line is a TAP comment: the window passes it on to this test's stdout. */
static void
test_restart_output (void)
{
  g_autofree char *dir = g_build_filename (tmpdir, "restart-output", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *line = NULL;
  IlWindow *w;
  IlTraceDialog *dialog;
  IlRunTrace *run;
  GtkWidget *expander;

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  line = g_strdup_printf ("'%s' -c 'import sys; print(\"# printed before the restart\"); "
                          "print(\"said on stderr\", file=sys.stderr)'", python);
  w = open_window (dir);
  dialog = il_trace_dialog_new (w);
  il_trace_dialog_set_command (dialog, line, NULL);
  g_assert_true (il_trace_dialog_start (dialog));
  il_test_wait_for (idle_cb, w, 60, "the program");
  il_window_session_save_now (w);
  destroy_window (&w);
  w = open_window (dir);

  g_assert_cmpuint (il_window_get_shown (w)->len, ==, 1);
  run = g_ptr_array_index (il_window_get_shown (w), 0);
  g_assert_cmpstr (il_run_trace_get_output (run, IL_OUTPUT_STDOUT, NULL, NULL), ==,
                   "# printed before the restart\n");
  g_assert_cmpstr (il_run_trace_get_output (run, IL_OUTPUT_STDERR, NULL, NULL), ==, "said on stderr\n");
  expander = il_summary_view_get_output (il_window_get_summary (w));
  g_assert_true (gtk_widget_get_visible (expander));
  destroy_window (&w);
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  g_autoptr(GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }

  bus = il_test_dbus_up ();
  tmpdir = il_test_tmpdir_new ("interleave-lab");
  settings = g_settings_new (APP_ID);
  g_settings_set_uint (settings, "lesson-repeat", 1);
  app = il_application_new ();
  g_application_set_flags (G_APPLICATION (app),
                           g_application_get_flags (G_APPLICATION (app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/lab/restart", test_restart);
  g_test_add_func ("/lab/restart-output", test_restart_output);
  g_test_add_func ("/lab/close-asks", test_close_asks);
  g_test_add_func ("/lab/new-session", test_new_session);
  g_test_add_func ("/lab/report-fields", test_report_fields);
  ret = g_test_run ();

  g_clear_object (&settings);
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_test_dbus_stop (bus);
  return ret;
}
