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

  g_assert_true (g_file_test (planted, G_FILE_TEST_IS_REGULAR));
  il_test_run (&r, &cmd, "run", "--lesson", "01", "--png", png, "-q", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
  /* The shipped lesson 01 ran: its picture exists. */
  g_assert_true (g_file_test (png, G_FILE_TEST_IS_REGULAR));
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
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
