/* test-cli-trust.c: a lesson from elsewhere starts nothing without --allow-commands, and names never reach into the current folder. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "il-test-util.h"

static const char *cli;
static char *tmpdir;

static void
chdir_to (gpointer data)
{
  if (chdir (data) != 0)
    _exit (125);
}

static char *
write_file (const char *name, const char *text)
{
  char *path = g_build_filename (tmpdir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* The label says one thing, the command does another: refused with exit 2, the command shown as
 * it would run, nothing run; with --allow-commands it runs. */
static void
test_disguised_lesson (void)
{
  g_autofree char *pwned = g_build_filename (tmpdir, "PWNED", NULL);
  g_autofree char *text = g_strdup_printf ("[Lesson]\nTitle=Harmless\nExplanation=x\nRuns=a\n\n"
                                           "[Run a]\nLabel=python3 harmless.py\nCommand=touch %s\n",
                                           pwned);
  g_autofree char *lesson = write_file ("evil.lesson", text);
  IlTestCommand cmd = { cli, NULL, NULL, NULL };
  g_auto(IlTestResult) refused = { 0 };
  g_auto(IlTestResult) allowed = { 0 };
  g_autofree char *expected = g_strdup_printf ("touch %s", pwned);

  il_test_run (&refused, &cmd, "run", "--lesson", lesson, "-q", NULL);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, expected));
  g_assert_nonnull (strstr (refused.err, "--allow-commands"));
  g_assert_false (g_file_test (pwned, G_FILE_TEST_EXISTS));

  il_test_run (&allowed, &cmd, "run", "--lesson", lesson, "--allow-commands", "-q", NULL);
  g_assert_cmpint (allowed.status, ==, 0);
  g_assert_true (g_file_test (pwned, G_FILE_TEST_EXISTS));
}

/* A file named like a shipped lesson in the current folder is never taken for it. */
static void
test_planted_name (void)
{
  g_autofree char *planted = write_file ("01", "[Lesson]\nTitle=planted\nExplanation=x\nRuns=a\n\n"
                                               "[Run a]\nCommand=touch PLANTED\n");
  g_autofree char *marker = g_build_filename (tmpdir, "PLANTED", NULL);
  g_autofree char *png = g_build_filename (tmpdir, "01.png", NULL);
  IlTestCommand cmd = { cli, NULL, chdir_to, tmpdir };
  g_auto(IlTestResult) r = { 0 };

  /* The planted file is there to be found, were the current folder searched. */
  g_assert_true (g_file_test (planted, G_FILE_TEST_IS_REGULAR));
  il_test_run (&r, &cmd, "run", "--lesson", "01", "--png", png, "-q", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* The shipped lesson 01 ran: its picture exists. */
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
}

/* Lesson 08, the shipped lesson that runs programs, planted in the current folder as "08" and
 * "08-python-threads-vs-processes": `--lesson 08` and the full name are the shipped folder's
 * 08 (here a stand-in folder, through IL_LESSONS_DIR, whose 08 runs no program and is quick);
 * only a path (./08) reaches the planted file, which is not shipped and is refused (2). */
static void
test_planted_08 (void)
{
  const char *planted_text = "[Lesson]\nTitle=planted\nExplanation=x\nRuns=a\n\n"
                             "[Run a]\nLabel=python3 cpu_threads.py\nCommand=touch PLANTED\n";
  g_autofree char *shipped = g_build_filename (tmpdir, "shipped", NULL);
  g_autofree char *shipped08 = g_build_filename (shipped, "08-python-threads-vs-processes.lesson", NULL);
  g_autofree char *planted = write_file ("08", planted_text);
  g_autofree char *planted_long = write_file ("08-python-threads-vs-processes", planted_text);
  g_autofree char *marker = g_build_filename (tmpdir, "PLANTED", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "08.interleave.json", NULL);
  g_auto(GStrv) env = g_environ_setenv (g_get_environ (), "IL_LESSONS_DIR", shipped, TRUE);
  IlTestCommand cmd = { cli, env, chdir_to, tmpdir };
  const char *names[] = { "08", "08-python-threads-vs-processes" };

  g_assert_cmpint (g_mkdir (shipped, 0755), ==, 0);
  g_assert_true (g_file_set_contents (shipped08, "[Lesson]\nTitle=shipped eight\nExplanation=x\nRuns=a\n\n"
                                      "[Run a]\nLabel=shipped\nExecutor=sequential\nWorkers=1\n"
                                      "Tasks=1\nTaskMs=1\n", -1, NULL));
  g_assert_true (g_file_test (planted, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (planted_long, G_FILE_TEST_IS_REGULAR));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_auto(IlTestResult) r = { 0 };
      g_autofree char *text = NULL;

      g_unlink (out);
      il_test_run (&r, &cmd, "run", "--lesson", names[i], "-o", out, NULL);
      g_test_message ("--lesson %s: exit %d\n%s%s", names[i], r.status, r.out, r.err);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, "shipped eight"));
      g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
      text = il_test_read_text (out);
      g_assert_nonnull (strstr (text, "\"shipped\""));
    }
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cmd, "run", "--lesson", "./08", "-q", NULL);
    g_assert_cmpint (r.status, ==, 2);
    g_assert_nonnull (strstr (r.err, "touch PLANTED"));
    g_assert_nonnull (strstr (r.err, "--allow-commands"));
    g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli = argv[1];
  tmpdir = il_test_tmpdir_new ("il-cli-trust");
  g_test_add_func ("/cli/trust/disguised-lesson", test_disguised_lesson);
  g_test_add_func ("/cli/trust/planted-name", test_planted_name);
  g_test_add_func ("/cli/trust/planted-08", test_planted_08);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
