/* test-cli-stacks.c: interleave-cli on a trace with sampled Python stacks: the function table, the summary's top functions, --profile and its refusals. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-test-util.h"

static IlTestCommand cli;
static char *tmpdir;
static const char *fixture = IL_STACKS_FIXTURE;

static void
test_functions (void)
{
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) s = { 0 };

  il_test_run (&r, &cli, "render", fixture, "--functions", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_test_message ("%s", r.out);
  /* Every function, largest first, with its times: compute() ran 2.79 s and waited 1.60 s. */
  g_assert_nonnull (strstr (r.out, "Python functions (innermost frame, 1799 samples, one every 5.00 ms)"));
  g_assert_nonnull (strstr (r.out, "    2.79 s      1.60 s      0.0 ms       compute()  worker.py:6\n"));
  g_assert_nonnull (strstr (r.out, "reader()  worker.py:14\n"));
  g_assert_cmpuint (il_test_count_lines (r.out), ==, 7);

  il_test_run (&s, &cli, "render", fixture, "--summary", NULL);
  g_assert_cmpint (s.status, ==, 0);
  g_assert_nonnull (strstr (s.out, "compute()  worker.py:6"));
}

static void
test_profile (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "p.speedscope.json", NULL);
  g_autofree char *plain = g_build_filename (tmpdir, "plain.json", NULL);
  g_autofree char *text = NULL;
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) dash = { 0 };
  g_auto(IlTestResult) run = { 0 };
  g_auto(IlTestResult) none = { 0 };

  il_test_run (&r, &cli, "render", fixture, "--profile", path, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\""));
  g_assert_nonnull (strstr (text, "\"name\":\"cruncher-0\""));

  /* Not to a terminal; and not from a trace that has no stacks. */
  il_test_run (&dash, &cli, "render", fixture, "--profile", "-", NULL);
  g_assert_cmpint (dash.status, ==, 2);
  g_assert_nonnull (strstr (dash.err, "--profile"));
  il_test_run (&run, &cli, "run", "--executor", "sequential", "--tasks", "2", "--task-ms", "1", "-q",
               "-o", plain, NULL);
  g_assert_cmpint (run.status, ==, 0);
  il_test_run (&none, &cli, "render", plain, "--profile", path, NULL);
  g_assert_cmpint (none.status, ==, 1);
  g_assert_nonnull (strstr (none.err, "no Python stacks"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  g_assert (argc >= 2);
  cli.program = argv[1];
  tmpdir = il_test_tmpdir_new ("il-cli-stacks");
  g_test_add_func ("/cli-stacks/functions", test_functions);
  g_test_add_func ("/cli-stacks/profile", test_profile);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
