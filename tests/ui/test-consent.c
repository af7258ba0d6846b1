/* test-consent.c: the window asks before a lesson from elsewhere starts its programs, shows the real commands, and runs nothing without a yes (issue 19). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <glib/gstdio.h>

#include <json-glib/json-glib.h>

#include "il-lesson.h"
#include "il-trace-io.h"
#include "il-test-traces.h"
#include "il-window-private.h"
#include "il-test-util.h"
#include "il-test-window.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;
static char *tmpdir;
static char *course;    /* tmpdir/course, symlinks resolved: what the commands name */

/* A lesson that says one thing and runs another: its label is a harmless Python script, its
 * command copies "src" over "out" (both in the lesson's folder, which the reader wants to
 * exist), so what ran is seen in "out". */
static const char disguised[] =
  "[Lesson]\nTitle=Harmless\nExplanation=Nothing to see.\nRuns=a\n\n"
  "[Run a]\nLabel=python3 harmless.py\nCommand=cp {lessondir}/src {lessondir}/out\n";

static gboolean
window_idle (gpointer data)
{
  return !il_window_get_busy (window);
}

static gboolean
dialog_shown (gpointer data)
{
  return window->consent_dialog != NULL && gtk_widget_get_mapped (window->consent_dialog);
}

static char *
course_file (const char *name)
{
  return g_build_filename (course, name, NULL);
}

static char *
out_text (void)
{
  g_autofree char *out = course_file ("out");

  return il_test_read_text (out);
}

/* "out" empty again: the next run's copy shows. */
static void
reset_out (void)
{
  g_autofree char *out = course_file ("out");

  g_assert_true (g_file_set_contents (out, "", 0, NULL));
}

static char *
write_lesson (const char *text)
{
  char *path = course_file ("evil.lesson");

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static guint
n_history (void)
{
  return g_list_model_get_n_items (il_window_get_history (window));
}

/* The text of the first label under @widget. */
static const char *
label_text_under (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    return gtk_label_get_label (GTK_LABEL (widget));
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      const char *text = label_text_under (child);

      if (text != NULL)
        return text;
    }
  return NULL;
}

static gboolean
is_button_labelled (GtkWidget *widget, const char *label)
{
  return GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), label) == 0;
}

static gboolean
is_label_with (GtkWidget *widget, const char *part)
{
  return GTK_IS_LABEL (widget) && strstr (gtk_label_get_label (GTK_LABEL (widget)), part) != NULL;
}

/* The first widget under @widget (itself included) that @match takes, or NULL. */
static GtkWidget *
find_widget (GtkWidget *widget, gboolean (*match) (GtkWidget *, const char *), const char *text)
{
  if (match (widget, text))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget (child, match, text);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The dialog's button labelled @label, as a user clicks it. */
static GtkWidget *
find_button (GtkWidget *widget, const char *label)
{
  return find_widget (widget, is_button_labelled, label);
}

/* A label under @widget whose text holds @part (NULL: none). */
static GtkWidget *
find_label_with (GtkWidget *widget, const char *part)
{
  return find_widget (widget, is_label_with, part);
}

/* What `interleave --run FILE --no-predict` does: open the lesson and press Run once shown. */
static void
run_lesson (const char *path)
{
  g_action_group_activate_action (G_ACTION_GROUP (app), "run-lesson", g_variant_new_string (path));
}

/* Nothing ran and nothing is about to: no run in the history, none going on, "out" untouched. */
static void
assert_nothing_ran (guint history_before)
{
  g_autofree char *out = NULL;

  il_test_window_settle (window);
  g_assert_false (il_window_get_busy (window));
  g_assert_null (window->run);
  g_assert_cmpuint (n_history (), ==, history_before);
  out = out_text ();
  g_assert_cmpstr (out, ==, "");
}

static void
test_disguised (void)
{
  g_autofree char *path = write_lesson (disguised);
  g_autofree char *expected = g_strdup_printf ("cp %s/src %s/out", course, course);
  g_autofree char *store = g_build_filename (g_get_user_data_dir (), "interleave",
                                             "trusted-lessons.ini", NULL);
  g_autofree char *out = NULL;
  g_autofree char *changed = NULL;
  AdwMessageDialog *dialog;
  const char *text;
  guint before;

  reset_out ();
  before = n_history ();

  /* --run FILE --no-predict: the question comes before anything runs. */
  run_lesson (path);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog");
  g_assert_false (il_window_get_busy (window));
  g_assert_nonnull (il_window_get_lesson (window));
  dialog = ADW_MESSAGE_DIALOG (window->consent_dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  /* It names the file and the real command, never the label. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), path));
  text = label_text_under (adw_message_dialog_get_extra_child (dialog));
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, expected));
  g_assert_null (strstr (text, "harmless"));
  /* Enter and Escape cancel; Run has to be chosen, and looks dangerous. */
  g_assert_cmpstr (adw_message_dialog_get_default_response (dialog), ==, "cancel");
  g_assert_cmpstr (adw_message_dialog_get_close_response (dialog), ==, "cancel");
  g_assert_true (adw_message_dialog_has_response (dialog, "run"));
  g_assert_cmpint (adw_message_dialog_get_response_appearance (dialog, "run"), ==,
                   ADW_RESPONSE_DESTRUCTIVE);
  /* The lesson card shows the same command, and says Run will ask. */
  g_assert_true (gtk_widget_get_visible (window->lesson_commands_box));
  g_assert_nonnull (strstr (gtk_label_get_label (window->lesson_commands_label), expected));
  g_assert_true (gtk_label_get_selectable (window->lesson_commands_label));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (window->lesson_commands_label), "monospace"));
  g_assert_true (gtk_widget_get_visible (window->lesson_commands_note));

  /* Cancel: nothing runs, nothing is remembered. */
  adw_message_dialog_response (dialog, "cancel");
  g_assert_null (window->consent_dialog);
  assert_nothing_ran (before);
  g_assert_false (g_file_test (store, G_FILE_TEST_EXISTS));

  /* The Run button (--run FILE without --no-predict): asked again; Escape is a cancel too. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog again");
  gtk_window_close (GTK_WINDOW (window->consent_dialog));
  g_assert_null (window->consent_dialog);
  assert_nothing_ran (before);

  /* Run: it runs, and is remembered. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog a third time");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->consent_dialog), "run");
  g_assert_null (window->consent_dialog);
  g_assert_true (il_window_get_busy (window));
  il_test_wait_for (window_idle, NULL, 60, "the lesson's run");
  out = out_text ();
  g_assert_cmpstr (out, ==, "ran\n");
  g_assert_cmpuint (n_history (), >, before);
  g_assert_true (g_file_test (store, G_FILE_TEST_IS_REGULAR));
  g_assert_false (gtk_widget_get_visible (window->lesson_commands_note));

  /* The same file, unchanged, opened again: it runs without asking. */
  reset_out ();
  run_lesson (path);
  g_assert_null (window->consent_dialog);
  g_assert_true (il_window_get_busy (window));
  il_test_wait_for (window_idle, NULL, 60, "the lesson's run without a question");
  g_clear_pointer (&out, g_free);
  out = out_text ();
  g_assert_cmpstr (out, ==, "ran\n");

  /* One byte changed, the file dropped on the window (or given as an argument): Run asks again. */
  reset_out ();
  before = n_history ();
  changed = g_strconcat (disguised, "# changed\n", NULL);
  g_free (write_lesson (changed));
  {
    g_autoptr(GFile) file = g_file_new_for_path (path);
    g_autoptr(GError) error = NULL;

    g_assert_true (il_window_open_file (window, file, &error));
    g_assert_no_error (error);
  }
  g_assert_true (gtk_widget_get_visible (window->lesson_commands_note));
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog for the changed file");
  /* This time its Cancel button, clicked. */
  {
    GtkWidget *cancel = find_button (window->consent_dialog, "_Cancel");

    g_assert_nonnull (cancel);
    g_assert_nonnull (find_button (window->consent_dialog, "_Run"));
    g_signal_emit_by_name (cancel, "clicked");
  }
  g_assert_null (window->consent_dialog);
  assert_nothing_ran (before);
}

/* A question left open is not an answer for another lesson: opening one drops it, and the
 * lesson asked about runs nothing. */
static void
test_other_lesson_drops_question (void)
{
  g_autofree char *text = g_strconcat (disguised, "# another version\n", NULL);
  g_autofree char *path = write_lesson (text);
  g_autofree char *other = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "03-one-core-vs-two.lesson",
                                             NULL);
  g_autoptr(GError) error = NULL;
  guint before;

  reset_out ();
  before = n_history ();
  /* --run FILE: the lesson opens for a prediction; Run asks. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "open-lesson", g_variant_new_string (path));
  g_assert_false (il_window_get_busy (window));
  g_assert_null (window->consent_dialog);
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog");
  /* Pressing Run again asks the same question, not a second one. */
  {
    GtkWidget *first = window->consent_dialog;

    g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
    g_assert_true (window->consent_dialog == first);
  }
  g_assert_true (il_window_open_lesson (window, other, &error));
  g_assert_no_error (error);
  g_assert_null (window->consent_dialog);
  /* Engine-only: no programs to show. */
  g_assert_false (gtk_widget_get_visible (window->lesson_commands_box));
  assert_nothing_ran (before);

  /* Opened again through the lessons menu's action: the question was not an answer, it asks. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "open-lesson", g_variant_new_string (path));
  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog after the menu");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->consent_dialog), "cancel");
  assert_nothing_ran (before);
}

/* Shipped lessons run as before with no question, and still show what they start. */
static void
test_shipped_never_asks (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"),
                                            "08-python-threads-vs-processes.lesson", NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *lessons = realpath (g_getenv ("IL_LESSONS_DIR"), NULL);
  g_autofree char *expected = g_strdup_printf ("python3 %s/cpu_sequential.py 4 2000000", lessons);

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  run_lesson (path);
  g_assert_null (window->consent_dialog);
  g_assert_true (il_window_get_busy (window));
  g_assert_true (gtk_widget_get_visible (window->lesson_commands_box));
  g_assert_nonnull (strstr (gtk_label_get_label (window->lesson_commands_label), expected));
  g_assert_false (gtk_widget_get_visible (window->lesson_commands_note));
  /* It started: that is all this test is about. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "stop", NULL);
  il_test_wait_for (window_idle, NULL, 60, "the stopped lesson");
  g_assert_null (window->consent_dialog);
}

/* A trace file of @executor's run that names a command (config.command), as a traced program's
 * does; returns the run shown once the window opened it. */
static IlRunTrace *
open_planted_trace (const char *executor)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = g_build_filename (tmpdir, "planted.interleave.json", NULL);
  g_autofree char *src = course_file ("src");
  g_autofree char *out = course_file ("out");
  JsonObject *config;
  JsonArray *command;
  IlRunTrace *run;

  run = il_test_trace_schedule ("planted", IL_EXECUTOR_THREADS, FALSE, 2, 2, 4, 20000000, 1000000, 0);
  il_trace_add_run (trace, run);
  il_run_trace_unref (run);
  g_assert_true (il_trace_save (trace, json, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_file (parser, json, &error));
  g_assert_no_error (error);
  config = json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (
      json_node_get_object (json_parser_get_root (parser)), "runs"), 0), "config");
  json_object_set_string_member (config, "executor", executor);
  command = json_array_new ();
  json_array_add_string_element (command, "cp");
  json_array_add_string_element (command, src);
  json_array_add_string_element (command, out);
  json_object_set_array_member (config, "command", command);
  json_generator_set_root (generator, json_parser_get_root (parser));
  g_assert_true (json_generator_to_file (generator, json, &error));
  g_assert_no_error (error);

  g_assert_true (il_window_open_trace (window, json, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 1);
  return g_ptr_array_index (il_window_get_shown (window), 0);
}

/* Item 4 of issue 19: a command in a trace file never runs. A traced program's run offers no
 * speedup baseline (nothing re-runs it); a run of threads that names a command anyway has it
 * dropped, and its baseline is the engine's own sequential run. */
static void
test_trace_command_never_runs (void)
{
  g_autoptr(GPtrArray) baselines = NULL;
  g_autofree char *out = NULL;
  IlRunTrace *run;
  guint before;

  reset_out ();
  run = open_planted_trace ("external");
  g_assert_true (il_run_config_is_program (il_run_trace_get_config (run)));
  baselines = il_window_missing_baselines (window);
  g_assert_cmpuint (baselines->len, ==, 0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "measure-speedup"));
  g_clear_pointer (&baselines, g_ptr_array_unref);

  run = open_planted_trace ("threads");
  g_assert_null (il_run_trace_get_config (run)->command);
  baselines = il_window_missing_baselines (window);
  g_assert_cmpuint (baselines->len, ==, 1);
  g_assert_null (((IlRunConfig *) g_ptr_array_index (baselines, 0))->command);
  before = n_history ();
  g_action_group_activate_action (G_ACTION_GROUP (window), "measure-speedup", NULL);
  g_assert_null (window->consent_dialog);
  il_test_wait_for (window_idle, NULL, 60, "the sequential baseline");
  g_assert_cmpuint (n_history (), ==, before + 1);
  out = out_text ();
  g_assert_cmpstr (out, ==, "");
}

/* Item 4 of issue 19: the window's and the application's actions are exported on the session
 * bus, so none may take a command. Those with a parameter are the ones listed: a lesson's path
 * (its runs pass the consent), a history row's index and the style switch's choice. A "trace-command" action that ran any
 * command line it was given did: a D-Bus call ran it without a question. */
static void
test_no_action_takes_a_command (void)
{
  struct { GActionGroup *group; const char *allowed; } groups[] = {
    /* color-scheme: the style switch, a settings action whose key takes three choices. */
    { G_ACTION_GROUP (window), " open-lesson:s remove-run:u color-scheme:s " },
    { G_ACTION_GROUP (app), " run-lesson:s open-lesson:s " },
  };

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      g_auto(GStrv) names = g_action_group_list_actions (groups[g].group);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const GVariantType *type = g_action_group_get_action_parameter_type (groups[g].group, names[i]);
          g_autofree char *entry = NULL;

          if (type == NULL)
            continue;
          entry = g_strdup_printf (" %s:%.*s ", names[i], (int) g_variant_type_get_string_length (type),
                                   g_variant_type_peek_string (type));
          g_test_message ("action with a parameter:%s", entry);
          g_assert_nonnull (strstr (groups[g].allowed, entry));
        }
    }
  g_assert_false (g_action_group_has_action (G_ACTION_GROUP (window), "trace-command"));
}

static gboolean
failure_said (gpointer data)
{
  return find_label_with (GTK_WIDGET (window), data) != NULL;
}

/* A lesson's program that fails (issue 19 item 5): the window says how it ended and its last
 * line on stderr; Details shows its last lines, the traceback's first line among them. */
static void
test_failed_program_said (void)
{
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *script = course_file ("fails.py");
  g_autofree char *path = NULL;
  GtkWidget *details = NULL, *dialog = NULL;
  GListModel *toplevels;

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  g_assert_true (g_file_set_contents (script, "def f():\n    return 1 / 0\nf()\n", -1, NULL));
  path = write_lesson ("[Lesson]\nTitle=Fails\nExplanation=x\nRuns=a\n\n"
                       "[Run a]\nLabel=fails\nCommand=python3 {lessondir}/fails.py\n");
  run_lesson (path);
  il_test_wait_for (dialog_shown, NULL, 20, "the consent dialog");
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (window->consent_dialog), "run");
  il_test_wait_for (window_idle, NULL, 60, "the failing program");
  il_test_wait_for (failure_said, (gpointer) "The program failed (exit status 1): ZeroDivisionError: "
                    "division by zero", 10, "the notice of the failure");

  /* Details: its last lines, in a dialog over the window. */
  for (GtkWidget *w = find_label_with (GTK_WIDGET (window), "The program failed"); w != NULL && details == NULL;
       w = gtk_widget_get_parent (w))
    details = find_button (w, "_Details");
  g_assert_nonnull (details);
  g_signal_emit_by_name (details, "clicked");
  toplevels = gtk_window_get_toplevels ();   /* not ours */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels) && dialog == NULL; i++)
    {
      g_autoptr(GtkWidget) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_window_get_transient_for (GTK_WINDOW (w)) == GTK_WINDOW (window))
        dialog = w;
    }
  g_assert_nonnull (dialog);
  g_assert_nonnull (find_label_with (dialog, "Traceback (most recent call last):\n"));
  g_assert_nonnull (find_label_with (dialog, "exit status 1"));
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  g_autofree char *data = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *src = NULL;
  int ret;

  /* Consents go to this test's own folder: before anything asks GLib for the data dir. */
  tmpdir = il_test_tmpdir_new ("interleave-consent");
  data = g_build_filename (tmpdir, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      ret = g_test_run ();
      il_test_remove_tree (tmpdir);
      return ret;
    }

  dir = g_build_filename (tmpdir, "course", NULL);
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  course = realpath (dir, NULL);
  src = course_file ("src");
  g_assert_true (g_file_set_contents (src, "ran\n", -1, NULL));
  reset_out ();

  bus = il_test_dbus_up ();
  settings = g_settings_new (APP_ID);
  /* One round per lesson: the tests are about whether it runs, not its medians. */
  g_settings_set_uint (settings, "lesson-repeat", 1);
  window = il_test_window_open (&app);
  il_test_window_settle (window);

  g_test_add_func ("/consent/disguised", test_disguised);
  g_test_add_func ("/consent/other-lesson-drops-question", test_other_lesson_drops_question);
  g_test_add_func ("/consent/shipped-never-asks", test_shipped_never_asks);
  g_test_add_func ("/consent/trace-command-never-runs", test_trace_command_never_runs);
  g_test_add_func ("/consent/failed-program-said", test_failed_program_said);
  g_test_add_func ("/consent/no-action-takes-a-command", test_no_action_takes_a_command);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  g_test_dbus_stop (bus);
  il_test_remove_tree (tmpdir);
  free (course);
  g_free (tmpdir);
  return ret;
}
