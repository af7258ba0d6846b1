/* test-lesson-trust.c: a lesson from elsewhere starts no program until its exact content is allowed; shipped and engine-only lessons need no consent. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "il-lesson-trust.h"

static char *tmpdir;

static const char disguised[] =
  "[Lesson]\nTitle=Harmless\nExplanation=x\nRuns=a\n\n"
  "[Run a]\nLabel=python3 harmless.py\nCommand=touch {lessondir}/PWNED\n";

static char *
write_lesson (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

static IlLesson *
load (const char *path)
{
  g_autoptr(GError) error = NULL;
  IlLesson *lesson = il_lesson_new_from_file (path, &error);

  g_assert_no_error (error);
  return lesson;
}

static void
test_shipped (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = il_lesson_find ("08", &error);
  g_autoptr(IlLesson) lesson = NULL;

  g_assert_no_error (error);
  lesson = load (path);
  g_assert_true (il_lesson_get_runs_programs (lesson));
  g_assert_true (il_lesson_trust_is_shipped (path));
  g_assert_false (il_lesson_trust_needs_consent (lesson));
}

static void
test_foreign_asks_until_allowed (void)
{
  g_autofree char *target = write_lesson ("PWNED", "");
  g_autofree char *path = write_lesson ("evil.lesson", disguised);
  g_autofree char *expected = NULL;
  g_autoptr(IlLesson) lesson = load (path);
  g_autoptr(IlLesson) again = NULL;
  g_autoptr(IlLesson) changed = NULL;
  g_auto(GStrv) commands = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *real = realpath (tmpdir, NULL);

  g_assert_true (g_file_test (target, G_FILE_TEST_IS_REGULAR));
  g_assert_false (il_lesson_trust_is_shipped (path));
  g_assert_true (il_lesson_trust_needs_consent (lesson));

  /* The exact program and its resolved arguments, never the label. */
  commands = il_lesson_trust_list_commands (lesson);
  expected = g_strdup_printf ("touch %s/PWNED", real);
  g_assert_cmpuint (g_strv_length (commands), ==, 1);
  g_assert_cmpstr (commands[0], ==, expected);
  g_assert_null (strstr (commands[0], "harmless"));

  g_assert_true (il_lesson_trust_allow (lesson, &error));
  g_assert_no_error (error);
  again = load (path);
  g_assert_false (il_lesson_trust_needs_consent (again));

  /* One byte more and it asks again. */
  text = g_strconcat (disguised, "# changed\n", NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  changed = load (path);
  g_assert_true (il_lesson_trust_needs_consent (changed));
}

/* The consent is for what the user was shown: a file swapped after it was read is not allowed
 * in its place (the window asks about a lesson it read earlier). */
static void
test_allow_is_for_bytes_read (void)
{
  g_autofree char *target = write_lesson ("PWNED", "");
  g_autofree char *path = write_lesson ("swapped.lesson", disguised);
  g_autoptr(IlLesson) shown = load (path);
  g_autoptr(IlLesson) swapped = NULL;
  g_autoptr(IlLesson) original = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strconcat (disguised, "# swapped after reading\n", NULL);

  /* The reader wants the command's {lessondir} file to exist. */
  g_assert_true (g_file_test (target, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_true (il_lesson_trust_allow (shown, &error));
  g_assert_no_error (error);
  swapped = load (path);
  g_assert_true (il_lesson_trust_needs_consent (swapped));
  /* What was allowed is the content shown: put back, it runs without asking. */
  g_assert_true (g_file_set_contents (path, disguised, -1, NULL));
  original = load (path);
  g_assert_false (il_lesson_trust_needs_consent (original));
}

static void
test_engine_only (void)
{
  g_autofree char *path = write_lesson ("engine.lesson",
                                        "[Lesson]\nTitle=T\nExplanation=x\nRuns=a\n\n"
                                        "[Run a]\nExecutor=threads\nWorkers=2\nTasks=2\nTaskMs=1\n");
  g_autoptr(IlLesson) lesson = load (path);
  g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);

  g_assert_false (il_lesson_trust_needs_consent (lesson));
  g_assert_cmpuint (g_strv_length (commands), ==, 0);
}

static void
test_quoting (void)
{
  g_autofree char *path = write_lesson ("quote.lesson",
                                        "[Lesson]\nTitle=T\nExplanation=x\nRuns=a\n\n"
                                        "[Run a]\nCommand=echo 'a b' \"c;d\" plain\n");
  g_autoptr(IlLesson) lesson = load (path);
  g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);

  g_assert_cmpstr (commands[0], ==, "echo 'a b' 'c;d' plain");
}

/* A word that would not show as itself (a line separator making one command look like two, a
 * right-to-left override drawing "txt.exe" for "exe.txt", a tab) is written as bash's $'…' would
 * be: still exact, nothing hidden. */
static void
test_hidden_characters (void)
{
  g_autofree char *path = write_lesson ("hidden.lesson",
                                        "[Lesson]\nTitle=T\nExplanation=x\nRuns=a\n\n"
                                        "[Run a]\nCommand=echo 'safe\xe2\x80\xa8rm -rf ~' \xe2\x80\xae" "exe.txt "
                                        "'tab\there' \"it's\" caf\xc3\xa9" "\n");
  g_autoptr(IlLesson) lesson = load (path);
  g_auto(GStrv) commands = il_lesson_trust_list_commands (lesson);
  char **argv = il_lesson_get_run_config (lesson, 0)->command;

  /* What runs: the separator inside the quoted word. */
  g_assert_cmpstr (argv[1], ==, "safe\xe2\x80\xa8rm -rf ~");
  g_assert_cmpstr (commands[0], ==,
                   "echo $'safe\\U00002028rm -rf ~' $'\\U0000202eexe.txt' $'tab\\there' 'it'\\''s' 'café'");
}

int
main (int argc, char **argv)
{
  int status;
  g_autofree char *data = NULL;

  tmpdir = g_dir_make_tmp ("il-trust-XXXXXX", NULL);
  data = g_build_filename (tmpdir, "data", NULL);
  /* Consents go to this test's own folder: before anything asks GLib for the data dir. */
  g_setenv ("XDG_DATA_HOME", data, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/lesson/trust/shipped", test_shipped);
  g_test_add_func ("/lesson/trust/foreign-asks-until-allowed", test_foreign_asks_until_allowed);
  g_test_add_func ("/lesson/trust/allow-is-for-bytes-read", test_allow_is_for_bytes_read);
  g_test_add_func ("/lesson/trust/engine-only", test_engine_only);
  g_test_add_func ("/lesson/trust/quoting", test_quoting);
  g_test_add_func ("/lesson/trust/hidden-characters", test_hidden_characters);
  status = g_test_run ();
  {
    const char *rm_argv[] = { "rm", "-rf", tmpdir, NULL };

    g_spawn_sync (NULL, (char **) rm_argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
  }
  g_free (tmpdir);
  return status;
}
