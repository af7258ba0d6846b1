/* test-trace-dialog.c: "Trace a Program…" in the real window under Xvfb: a Python program traced
 * live from a typed command line (split like a shell, no shell), shown and kept in the history
 * like any run; Stop ends the whole process tree and keeps the partial trace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <math.h>
#include <unistd.h>

#include <signal.h>
#include <string.h>
#include <glib/gstdio.h>

#include "il-application.h"
#include "il-lesson.h"
#include "il-summary-view.h"
#include "il-timeline-view.h"
#include "il-trace-dialog.h"
#include "il-window.h"
#include "il-test-util.h"
#include "il-test-window.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;
static char *python;

static gboolean
window_idle (gpointer data)
{
  return !il_window_get_busy (window);
}

static gboolean
has_lanes (gpointer data)
{
  GPtrArray *shown = il_window_get_shown (window);
  guint want = GPOINTER_TO_UINT (data);

  return shown->len > 0 && il_run_trace_get_n_workers (g_ptr_array_index (shown, 0)) >= want &&
         il_run_trace_get_n_spans (g_ptr_array_index (shown, 0)) > 0;
}

static void
test_split_and_validate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlRunConfig) config = NULL;

  /* Quotes group words as in a shell; nothing is expanded or run by one. */
  config = il_trace_dialog_make_config ("python3 -c 'print(\"a b\")' '$HOME' ;", NULL,
                                        IL_CAPTURE_AUTO, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->command[0], ==, "python3");
  g_assert_cmpstr (config->command[2], ==, "print(\"a b\")");
  g_assert_cmpstr (config->command[3], ==, "$HOME");
  g_assert_cmpstr (config->command[4], ==, ";");
  g_assert_cmpint (config->executor, ==, IL_EXECUTOR_EXTERNAL);
  g_clear_pointer (&config, il_run_config_free);

  config = il_trace_dialog_make_config ("python3 'unclosed", NULL, IL_CAPTURE_AUTO, &error);
  g_assert_null (config);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  config = il_trace_dialog_make_config ("   ", NULL, IL_CAPTURE_AUTO, &error);
  g_assert_null (config);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  config = il_trace_dialog_make_config ("no-such-program-interleave", NULL, IL_CAPTURE_AUTO, &error);
  g_assert_null (config);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);
  config = il_trace_dialog_make_config ("python3", "/no/such/folder", IL_CAPTURE_AUTO, &error);
  g_assert_null (config);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
}

/* The traced programs print to the window's standard output, which is this test's TAP stream:
 * it goes to /dev/null while they run. Returns the saved descriptor. */
static int
quiet_stdout (void)
{
  int saved, devnull;

  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (devnull, STDOUT_FILENO);
  close (devnull);
  return saved;
}

static void
restore_stdout (int saved)
{
  dup2 (saved, STDOUT_FILENO);
  close (saved);
}

/* The text view under @widget whose text holds @text, or NULL. */
static GtkWidget *
find_text_view_with (GtkWidget *widget, const char *text)
{
  if (GTK_IS_TEXT_VIEW (widget))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (widget));
      GtkTextIter start, end;
      g_autofree char *all = NULL;

      gtk_text_buffer_get_bounds (buffer, &start, &end);
      all = gtk_text_buffer_get_text (buffer, &start, &end, TRUE);
      if (strstr (all, text) != NULL)
        return widget;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_text_view_with (c, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Issue 21 item 4: under the summary, "Program output" holds what the program printed, on
 * screen once opened, its stdout apart from its stderr. */
static void
assert_output_shown (const char *line, const char *shot_name)
{
  GtkWidget *expander = il_summary_view_get_output (il_window_get_summary (window));
  GtkWidget *view;

  g_assert_true (gtk_widget_get_visible (expander));
  /* An expander's child is in the widget tree only while it is open. */
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  il_test_window_settle (window);
  view = find_text_view_with (expander, line);
  g_assert_nonnull (view);
  g_assert_true (gtk_widget_has_css_class (view, "stdout"));
  g_assert_true (gtk_widget_get_mapped (view));
  g_assert_true (gtk_text_view_get_monospace (GTK_TEXT_VIEW (view)));
  g_assert_false (gtk_text_view_get_editable (GTK_TEXT_VIEW (view)));
  /* Reached by the keyboard: it takes the focus, and the summary scrolls to it. */
  g_assert_true (gtk_widget_grab_focus (view));
  il_test_window_settle (window);
  il_test_window_shot (GTK_WIDGET (window), shot_name);
}

/* The user types a command, presses Trace: the program's threads fill lanes live, the run is
 * shown and kept in the history, the command is remembered. */
static void
test_trace_from_window (void)
{
  g_autofree char *line = g_strdup_printf ("'%s' cpu_threads.py 4 400000", python);
  IlTraceDialog *dialog;
  IlRunTrace *run;
  g_auto(GStrv) recent = NULL;
  gint64 gil = 0;
  int saved_stdout;

  g_settings_set_strv (settings, "recent-commands", NULL);
  dialog = il_trace_dialog_new (window);
  gtk_window_present (GTK_WINDOW (dialog));
  il_trace_dialog_set_command (dialog, line, g_getenv ("IL_LESSONS_DIR"));
  il_test_window_shot (GTK_WIDGET (dialog), "trace-dialog");
  saved_stdout = quiet_stdout ();
  g_assert_true (il_trace_dialog_start (dialog));

  il_test_wait_for (has_lanes, GUINT_TO_POINTER (1), 60, "the program's first lanes");
  g_assert_true (il_window_get_busy (window));
  il_test_wait_for (window_idle, NULL, 60, "the program to end");
  restore_stdout (saved_stdout);

  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 1);
  run = g_ptr_array_index (il_window_get_shown (window), 0);
  {
    GListModel *history = il_window_get_history (window);
    gboolean found = FALSE;

    for (guint i = 0; i < g_list_model_get_n_items (history) && !found; i++)
      {
        g_autoptr(IlHistoryItem) item = g_list_model_get_item (history, i);
        found = il_history_item_get_run (item) == run;
      }
    g_assert_true (found);
  }
  g_assert_false (il_run_trace_get_cancelled (run));
  g_assert_cmpuint (il_run_trace_get_n_processes (run), ==, 1);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 5);
  g_assert_true (il_run_trace_get_capture (run) == IL_CAPTURE_KERNEL ||
                 il_run_trace_get_capture (run) == IL_CAPTURE_SAMPLED);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        if (il_lane_get_span (lane, i)->state == IL_STATE_GIL_WAIT)
          gil += il_lane_get_span (lane, i)->end_ns - il_lane_get_span (lane, i)->start_ns;
    }
  g_assert_cmpint (gil, >, 0);

  recent = g_settings_get_strv (settings, "recent-commands");
  g_assert_cmpstr (recent[0], ==, line);
  il_test_window_shot (GTK_WIDGET (window), "traced-program");
  assert_output_shown ("4 threads counted to 400,000 each", "traced-program-output");
}

/* Ended: no such process, or a zombie whose parent (the program, already ended) cannot reap it. */
static gboolean
pid_gone (gpointer data)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", GPOINTER_TO_INT (data));
  g_autofree char *stat = NULL;
  const char *p;

  if (kill (GPOINTER_TO_INT (data), 0) != 0 || !g_file_get_contents (path, &stat, NULL, NULL))
    return TRUE;
  p = strrchr (stat, ')');
  return p != NULL && (p[2] == 'Z' || p[2] == 'X');
}

/* Stop ends the program and the processes it started, and keeps what was recorded. */
static void
test_stop_ends_tree (void)
{
  g_autofree char *line = g_strdup_printf ("'%s' -c 'import multiprocessing as m, time\n"
                                           "def f(x):\n    time.sleep(60)\n"
                                           "if __name__ == \"__main__\":\n"
                                           "    m.Pool(2).map(f, [1, 2])'", python);
  IlTraceDialog *dialog = il_trace_dialog_new (window);
  IlRunTrace *run;
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));

  il_trace_dialog_set_command (dialog, line, NULL);
  g_assert_true (il_trace_dialog_start (dialog));
  /* The pool's workers get their lanes once they have lived a moment. */
  il_test_wait_for (has_lanes, GUINT_TO_POINTER (6), 60, "the pool's lanes");
  run = g_ptr_array_index (il_window_get_shown (window), 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      int pid = il_run_trace_get_worker (run, w)->pid;
      g_array_append_val (pids, pid);
    }
  g_action_group_activate_action (G_ACTION_GROUP (window), "stop", NULL);
  il_test_wait_for (window_idle, NULL, 30, "the run to stop");
  g_assert_true (il_run_trace_get_cancelled (run));
  g_assert_false (il_run_trace_get_live (run));
  /* Stop's SIGINT ends the pool's workers with KeyboardInterrupt, and the pool may start new
   * ones before its main process stops it: those are the program's too, and end with it. */
  g_assert_cmpuint (il_run_trace_get_n_processes (run), >=, 3);
  for (guint p = 0; p < il_run_trace_get_n_processes (run); p++)
    {
      int pid = il_run_trace_get_process (run, p)->pid;
      g_array_append_val (pids, pid);
    }
  for (guint i = 0; i < pids->len; i++)
    il_test_wait_for (pid_gone, GINT_TO_POINTER (g_array_index (pids, int, i)), 10, "a pool process to end");
}

/* A shipped lesson that traces Python programs runs in the window like any lesson: its runs
 * stacked, each a traced program with its processes. */
static void
test_python_lesson (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"),
                                            "09-python-io-threads-vs-asyncio.lesson", NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *shown;
  int saved_stdout;

  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);
  g_assert_true (il_lesson_get_runs_programs (il_window_get_lesson (window)));
  g_assert_null (il_lesson_get_unavailable (il_window_get_lesson (window)));
  il_window_set_prediction (window, "both about half a second");
  saved_stdout = quiet_stdout ();
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (window_idle, NULL, 90, "the lesson's programs");
  restore_stdout (saved_stdout);
  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, 2);
  for (guint i = 0; i < shown->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (shown, i);

      g_assert_true (il_run_config_is_program (il_run_trace_get_config (run)));
      g_assert_false (il_run_trace_get_cancelled (run));
      g_assert_cmpuint (il_run_trace_get_n_processes (run), ==, 1);
      g_assert_cmpint (il_run_trace_get_summary (run)->io_wait_ns, >, 0);
      /* What other programs took is measured for traced programs too. */
      g_assert_nonnull (il_run_trace_get_cpu_load (run));
      g_assert_true (isfinite (il_run_trace_get_summary (run)->other_share));
    }
  /* threading: the main thread and four; asyncio: one thread (its loop) */
  g_assert_cmpuint (il_run_trace_get_n_workers (g_ptr_array_index (shown, 0)), ==, 5);
  g_assert_cmpuint (il_run_trace_get_n_workers (g_ptr_array_index (shown, 1)), ==, 1);
  il_test_window_shot (GTK_WIDGET (window), "python-lesson");
}

/* Lesson 10's answer points at what the program printed: the window shows it for both runs,
 * in the light and the dark style. */
static void
test_lesson_output (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "10-python-gil-convoy.lesson", NULL);
  g_autoptr(GError) error = NULL;
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *expander;
  guint repeat = g_settings_get_uint (settings, "lesson-repeat");
  int saved_stdout;

  g_settings_set_uint (settings, "lesson-repeat", 1);
  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);
  il_window_set_prediction (window, "about twice as long");
  saved_stdout = quiet_stdout ();
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (window_idle, NULL, 90, "lesson 10's programs");
  restore_stdout (saved_stdout);
  g_settings_set_uint (settings, "lesson-repeat", repeat);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 2);
  assert_output_shown ("100 waits of 1 ms took", "lesson-10-output-light");
  /* Both runs printed it: two views hold the line. */
  expander = il_summary_view_get_output (il_window_get_summary (window));
  {
    GtkWidget *first = find_text_view_with (expander, "100 waits of 1 ms took");
    GtkWidget *box = gtk_widget_get_parent (gtk_widget_get_parent (first));
    guint n = 0;

    for (GtkWidget *c = gtk_widget_get_first_child (box); c != NULL; c = gtk_widget_get_next_sibling (c))
      n += find_text_view_with (c, "100 waits of 1 ms took") != NULL;
    g_assert_cmpuint (n, ==, 2);
  }
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  il_test_window_settle (window);
  il_test_window_shot (GTK_WIDGET (window), "lesson-10-output-dark");
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
}

static gboolean
find_label_with (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && strstr (gtk_label_get_text (GTK_LABEL (widget)), text) != NULL)
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    if (find_label_with (c, text))
      return TRUE;
  return FALSE;
}

/* A stream cut in the middle says how much is missing, where it is missing; stderr is told
 * apart from stdout. */
static void
test_output_not_kept (void)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  GtkWidget *expander, *view;

  config->workers = 1;
  run = il_run_trace_new (config);
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, "a");
  il_run_trace_set_output (run, IL_OUTPUT_STDOUT, "", 0, 0, NULL, 0);
  il_run_trace_set_output (run, IL_OUTPUT_STDERR, "first words\n", 12, 3000, "last words\n", 11);
  il_run_trace_set_live (run, FALSE);
  g_ptr_array_add (runs, run);
  il_window_show_runs (window, runs);
  expander = il_summary_view_get_output (il_window_get_summary (window));
  gtk_expander_set_expanded (GTK_EXPANDER (expander), TRUE);
  il_test_window_settle (window);
  view = find_text_view_with (expander, "first words\n… 3000 bytes not kept …\nlast words");
  g_assert_nonnull (view);
  g_assert_true (gtk_widget_has_css_class (view, "stderr"));
  /* Nothing on stdout: said in words, no empty box. */
  g_assert_true (find_text_view_with (expander, "") == view);
  g_assert_true (find_label_with (expander, "Standard output: nothing"));
  g_ptr_array_set_size (runs, 0);
  il_window_show_runs (window, runs);
  g_assert_false (gtk_widget_get_visible (expander));
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  python = g_find_program_in_path ("python3");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }
  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return g_test_run ();
    }

  bus = il_test_dbus_up ();
  settings = g_settings_new (APP_ID);
  window = il_test_window_open (&app);

  g_test_add_func ("/trace-dialog/split-and-validate", test_split_and_validate);
  g_test_add_func ("/trace-dialog/output-not-kept", test_output_not_kept);
  g_test_add_func ("/trace-dialog/trace-from-window", test_trace_from_window);
  g_test_add_func ("/trace-dialog/stop-ends-tree", test_stop_ends_tree);
  g_test_add_func ("/trace-dialog/python-lesson", test_python_lesson);
  g_test_add_func ("/trace-dialog/lesson-output", test_lesson_output);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  g_test_dbus_stop (bus);
  return ret;
}
