/* test-cli-hostile.c: hostile lessons (paths out of their folder, shell metacharacters), failed programs, signals and "-" outputs against the CLI's word. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-test-util.h"
#include "il-trace-io.h"

static const char *cli;
static char *tmpdir;
/* A course folder whose name a shell would act on; its real path (tmpdir may be a symlink). */
static char *course;
static char *course_real;
static char *marker;     /* made by outside/o.sh: something outside the folder ran */

static void
chdir_to (gpointer data)
{
  if (chdir (data) != 0)
    _exit (125);
}

static char *
write_in (const char *dir, const char *name, const char *text, int mode)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_cmpint (g_chmod (path, mode), ==, 0);
  return path;
}

static char *
write_lesson (const char *name, const char *command)
{
  g_autofree char *text = g_strdup_printf ("[Lesson]\nTitle=Hostile\nExplanation=x\nRuns=a\n\n"
                                           "[Run a]\nLabel=harmless\nCommand=%s\n", command);

  return write_in (course, name, text, 0644);
}

/* Runs `run --lesson LESSON -q` from inside tmpdir (so a "touch PWNED" would land there). */
static void
run_lesson (IlTestResult *r, const char *lesson, gboolean allow)
{
  IlTestCommand cmd = { cli, NULL, chdir_to, tmpdir };

  if (allow)
    il_test_run (r, &cmd, "run", "--lesson", lesson, "--allow-commands", "-q", NULL);
  else
    il_test_run (r, &cmd, "run", "--lesson", lesson, "-q", NULL);
}

/* No shell ever ran anything the folder's or file's name says. */
static void
assert_nothing_injected (void)
{
  const char *names[] = { "PWNED", "PWNED2", "PWNED3", "PWNED4" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *a = g_build_filename (tmpdir, names[i], NULL);
      g_autofree char *b = g_build_filename (course, names[i], NULL);

      g_assert_false (g_file_test (a, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (b, G_FILE_TEST_EXISTS));
    }
  g_assert_false (g_file_test (marker, G_FILE_TEST_EXISTS));
}

/* A program in the lesson's own folder, given relatively, with {lessondir} and a word full of
 * metacharacters as arguments: runs exactly as that argv, the folder's name one argument. */
static void
test_relative_inside (void)
{
  g_autofree char *lesson = write_lesson ("rel.lesson", "./p.sh {lessondir} 'a b;touch PWNED2' `touch PWNED3`");
  /* Backquotes are no command substitution to GLib's word splitting: two plain words. */
  g_autofree char *expected = g_strdup_printf ("argc=4\n[%s]\n[a b;touch PWNED2]\n[`touch]\n[PWNED3`]\n",
                                               course_real);
  g_auto(IlTestResult) refused = { 0 };
  g_auto(IlTestResult) allowed = { 0 };

  run_lesson (&refused, lesson, FALSE);
  g_assert_cmpint (refused.status, ==, 2);
  g_assert_nonnull (strstr (refused.err, "--allow-commands"));

  run_lesson (&allowed, lesson, TRUE);
  g_assert_cmpint (allowed.status, ==, 0);
  g_assert_nonnull (strstr (allowed.out, expected));
  assert_nothing_injected ();
}

/* A lesson file whose own name holds shell syntax runs its program all the same, and only it. */
static void
test_metachar_file_name (void)
{
  g_autofree char *lesson = write_lesson ("x;touch PWNED4 $(touch PWNED).lesson", "{lessondir}/p.sh one");
  g_auto(IlTestResult) r = { 0 };

  run_lesson (&r, lesson, TRUE);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "argc=1\n[one]\n"));
  assert_nothing_injected ();
}

typedef struct
{
  const char *name;
  const char *command;
  const char *expected;   /* in the message */
} Refused;

/* Out of the folder by '..', by a symlink, by {lessondir}/../..: refused (exit 2) even with
 * --allow-commands, the message naming the program or argument and the folder; nothing runs. */
static void
test_refused (gconstpointer data)
{
  const Refused *c = data;
  g_autofree char *lesson = write_lesson (c->name, c->command);
  g_auto(IlTestResult) r = { 0 };

  run_lesson (&r, lesson, TRUE);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, c->expected));
  g_assert_nonnull (strstr (r.err, course_real));
  assert_nothing_injected ();
}

static const Refused refused_cases[] = {
  { "dotdot.lesson", "../outside/o.sh", "“../outside/o.sh”" },
  { "sub-dotdot.lesson", "sub/../../outside/o.sh", "“sub/../../outside/o.sh”" },
  { "symlink.lesson", "./link.sh", "“./link.sh”" },
  { "symlink-dir.lesson", "{lessondir}/link.sh", "link.sh" },
  { "lessondir-up.lesson", "cat {lessondir}/../../../../../../../../../../etc/passwd", "etc/passwd" },
  { "arg-dotdot.lesson", "cat ../outside/o.sh", "“../outside/o.sh”" },
  { "missing.lesson", "./nothing-here.sh", "nothing-here.sh" },
};

typedef struct
{
  const char *script;       /* p2.sh's text */
  int         mode;
  int         status;
  const char *expected;
  const char *tail;         /* in the message after how it ended: its last lines on stderr */
} Failing;

/* A lesson's program that fails is a failed run (1, with how it ended); one that cannot be run
 * is named with the reason (2, before anything runs). */
static void
test_failing_program (gconstpointer data)
{
  const Failing *c = data;
  g_autofree char *script = write_in (course, "f.sh", c->script, c->mode);
  g_autofree char *lesson = write_lesson ("failing.lesson", "./f.sh");
  g_auto(IlTestResult) r = { 0 };

  run_lesson (&r, lesson, TRUE);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, c->status);
  g_assert_nonnull (strstr (r.err, c->expected));
  if (c->tail != NULL)
    g_assert_nonnull (strstr (strstr (r.err, c->expected), c->tail));
  g_unlink (script);
}

static const Failing failing_cases[] = {
  { "#!/bin/sh\necho 'Traceback: boom' >&2\nexit 3\n", 0755, 1, "exited with status 3",
    "its last lines on stderr:\n  | Traceback: boom\n" },
  { "#!/bin/sh\necho 'last words' >&2\nkill -9 $$\n", 0755, 1, "signal 9", "  | last words\n" },
  { "#!/bin/sh\nexit 0\n", 0644, 2, "not executable", NULL },
  { "#!/no/such/interpreter\n", 0755, 2, "/no/such/interpreter", NULL },
  { "echo no interpreter line\n", 0755, 2, "neither a program", NULL },
};

/* The same for `trace`: exit 1 with the status; a binary for another machine says so (2). */
static void
test_trace_program (void)
{
  g_autofree char *fail = write_in (tmpdir, "fail.sh", "#!/bin/sh\nexit 7\n", 0755);
  g_autofree char *foreign = g_build_filename (tmpdir, "foreign", NULL);
  IlTestCommand cmd = { cli, NULL, NULL, NULL };
  g_auto(IlTestResult) failed = { 0 };
  g_auto(IlTestResult) arch = { 0 };
  g_auto(IlTestResult) missing = { 0 };
  Elf64_Ehdr eh;
  g_autofree char *self = NULL;
  gsize len = 0;

  il_test_run (&failed, &cmd, "trace", "-q", "--", fail, NULL);
  g_assert_cmpint (failed.status, ==, 1);
  g_assert_nonnull (strstr (failed.err, "exited with status 7"));

  /* Our own header with another machine in it. */
  g_assert_true (g_file_get_contents ("/proc/self/exe", &self, &len, NULL));
  g_assert_cmpuint (len, >=, sizeof eh);
  memcpy (&eh, self, sizeof eh);
  eh.e_machine = eh.e_machine == EM_X86_64 ? EM_AARCH64 : EM_X86_64;
  g_assert_true (g_file_set_contents (foreign, (const char *) &eh, sizeof eh, NULL));
  g_assert_cmpint (g_chmod (foreign, 0755), ==, 0);
  il_test_run (&arch, &cmd, "trace", "-q", "--", foreign, NULL);
  g_test_message ("%s", arch.err);
  g_assert_cmpint (arch.status, ==, 2);
  g_assert_nonnull (strstr (arch.err, "another architecture"));

  il_test_run (&missing, &cmd, "trace", "-q", "--", "il-no-such-program-anywhere", NULL);
  g_assert_cmpint (missing.status, ==, 2);
  g_assert_nonnull (strstr (missing.err, "il-no-such-program-anywhere"));
  g_assert_nonnull (strstr (missing.err, "PATH"));
}

/* Options the program refuses are bad input (2), found before any run: an image beyond what
 * can be drawn, "-" for an image or for two outputs at once. */
static void
test_refused_options (void)
{
  g_autofree char *png = g_build_filename (tmpdir, "big.png", NULL);
  const char *const cases[][12] = {
    { "run", "--tasks", "1", "--png", png, "--width", "16384", "--scale", "2", NULL },
    { "run", "--tasks", "1", "--png", "-", NULL },
    { "run", "--tasks", "1", "--svg", "-", NULL },
    { "run", "--tasks", "1", "--report", "-", NULL },
    { "run", "--tasks", "1", "--csv", "-", "-o", "-", NULL },
    { "trace", "--pdf", "-", "--", "true", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *argv[14] = { cli };
      g_auto(IlTestResult) r = { 0 };

      for (guint k = 0; cases[i][k] != NULL; k++)
        argv[k + 1] = cases[i][k];
      il_test_run_argv (&r, argv, NULL);
      g_test_message ("%s %s: %s", cases[i][0], cases[i][3], r.err);
      g_assert_cmpint (r.status, ==, 2);
      /* Refused before running: no summary. */
      g_assert_null (strstr (r.out, "wall time"));
    }
  g_assert_false (g_file_test (png, G_FILE_TEST_EXISTS));
}

/* "-" is standard output for -o, --csv and --chrome-trace (and sweep's -o): the file alone
 * there (no summary), and never a file called "-". */
static void
test_stdout_outputs (void)
{
  const char *options[] = { "-o", "--csv", "--chrome-trace" };
  g_autofree char *dash = g_build_filename (tmpdir, "-", NULL);
  IlTestCommand cmd = { cli, NULL, chdir_to, tmpdir };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      g_auto(IlTestResult) r = { 0 };
      g_autoptr(GError) error = NULL;

      il_test_run (&r, &cmd, "run", "--tasks", "2", "--task-ms", "1", "--workers", "2",
                   options[i], "-", NULL);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));
      if (i == 1)
        g_assert_true (g_str_has_prefix (r.out, "run,label,worker,"));
      else
        {
          g_autoptr(IlTrace) trace = il_trace_load_from_data (r.out, strlen (r.out), "stdout",
                                                              &error);

          g_assert_no_error (error);
          g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
        }
    }
  {
    g_auto(IlTestResult) r = { 0 };

    il_test_run (&r, &cmd, "sweep", "--workers-list", "1", "--tasks", "1", "--task-ms", "1",
                 "-e", "threads", "-o", "-", NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_true (g_str_has_prefix (r.out, "{"));
    g_assert_nonnull (strstr (r.out, "\"interleave-sweep\""));
    g_assert_false (g_file_test (dash, G_FILE_TEST_EXISTS));
  }
}

static gboolean
has_child (gpointer data)
{
  g_autoptr(GArray) children = il_test_children_of (GPOINTER_TO_INT (data));

  return children->len > 0;
}

/* SIGINT or SIGTERM while a program is traced: the documented 1, as for every cancel. */
static void
test_trace_cancel (gconstpointer data)
{
  int sig = GPOINTER_TO_INT (data);
  const char *argv[] = { cli, "trace", "-q", "--", "sleep", "30", NULL };
  g_autoptr(GError) error = NULL;
  GPid pid;
  int wait_status;

  g_assert_true (g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD |
                                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                NULL, NULL, &pid, &error));
  g_assert_no_error (error);
  il_test_poll_for (has_child, GINT_TO_POINTER (pid), 60, "the traced program to start");
  kill (pid, sig);
  g_assert_cmpint (waitpid (pid, &wait_status, 0), ==, pid);
  g_spawn_close_pid (pid);
  g_assert_true (WIFEXITED (wait_status));
  g_assert_cmpint (WEXITSTATUS (wait_status), ==, 1);
}

static void
make_course (void)
{
  g_autofree char *outside = g_build_filename (tmpdir, "outside", NULL);
  g_autofree char *link = NULL;
  g_autofree char *o_sh = NULL;
  g_autofree char *sub = NULL;
  g_autofree char *o_text = NULL;
  char *real;

  course = g_build_filename (tmpdir, "course;touch PWNED $(touch PWNED) 'q\"", NULL);
  g_assert_cmpint (g_mkdir (course, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (outside, 0755), ==, 0);
  sub = g_build_filename (course, "sub", NULL);
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  real = realpath (course, NULL);
  g_assert_nonnull (real);
  course_real = g_strdup (real);
  free (real);

  g_free (write_in (course, "p.sh", "#!/bin/sh\necho \"argc=$#\"\nfor a; do echo \"[$a]\"; done\n",
                    0755));
  marker = g_build_filename (tmpdir, "RAN-OUTSIDE", NULL);
  o_text = g_strdup_printf ("#!/bin/sh\ntouch '%s'\n", marker);
  o_sh = write_in (outside, "o.sh", o_text, 0755);
  link = g_build_filename (course, "link.sh", NULL);
  g_assert_cmpint (symlink (o_sh, link), ==, 0);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  cli = argv[1];
  tmpdir = il_test_tmpdir_new ("il-cli-hostile");
  make_course ();
  g_test_add_func ("/cli/hostile/relative-inside", test_relative_inside);
  g_test_add_func ("/cli/hostile/metachar-file-name", test_metachar_file_name);
  for (guint i = 0; i < G_N_ELEMENTS (refused_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/hostile/refused/%s", refused_cases[i].name);

      g_test_add_data_func (path, &refused_cases[i], test_refused);
    }
  for (guint i = 0; i < G_N_ELEMENTS (failing_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/hostile/failing-program/%u", i);

      g_test_add_data_func (path, &failing_cases[i], test_failing_program);
    }
  g_test_add_func ("/cli/hostile/trace-program", test_trace_program);
  g_test_add_func ("/cli/hostile/refused-options", test_refused_options);
  g_test_add_func ("/cli/hostile/stdout-outputs", test_stdout_outputs);
  g_test_add_data_func ("/cli/hostile/trace-sigint", GINT_TO_POINTER (SIGINT), test_trace_cancel);
  g_test_add_data_func ("/cli/hostile/trace-sigterm", GINT_TO_POINTER (SIGTERM), test_trace_cancel);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_free (course);
  g_free (course_real);
  g_free (marker);
  return status;
}
