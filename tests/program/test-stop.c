/* test-stop.c: Stop and Ctrl+C end a traced program gently first: SIGINT, then SIGTERM, then SIGKILL. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 1, through `interleave-cli trace`: Ctrl+C (SIGINT to the CLI) cancels the run,
 * which sends SIGINT to the program's process group, so a Python program's KeyboardInterrupt
 * handler and finally block run and the partial trace is kept; a program that ignores SIGINT and
 * SIGTERM is killed after the two grace periods (2 s each). Args: interleave-cli. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-test-util.h"

static const char *cli_path;
static char *python;
static char *tmpdir;

static const char gentle_py[] =
  "import sys, time\n"
  "marker, done = sys.argv[1], sys.argv[2]\n"
  "try:\n"
  "    open(marker, 'w').close()\n"
  "    while True:\n"
  "        time.sleep(0.01)\n"
  "except KeyboardInterrupt:\n"
  "    with open(done, 'w') as f:\n"
  "        f.write('interrupted\\n')\n"
  "finally:\n"
  "    with open(done, 'a') as f:\n"
  "        f.write('finally\\n')\n";

static const char stubborn_py[] =
  "import signal, sys, time\n"
  "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
  "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
  "open(sys.argv[1], 'w').close()\n"
  "while True:\n"
  "    time.sleep(0.01)\n";

static gboolean
file_exists (gpointer data)
{
  return g_file_test (data, G_FILE_TEST_EXISTS);
}

/* Starts `interleave-cli trace -q -o OUT -- python3 SCRIPT MARKER DONE`, waits for the program to
 * write MARKER, sends the CLI SIGINT (Ctrl+C), and waits for it; returns the trace, the CLI's
 * exit status in @status and the seconds from Ctrl+C to its end in @seconds. */
static IlRunTrace *
interrupt (const char *name, const char *text, const char *marker, const char *done, int *status,
           double *seconds)
{
  g_autofree char *script = g_build_filename (tmpdir, name, NULL);
  g_autofree char *out = g_build_filename (tmpdir, "stop.interleave.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cli = NULL;
  g_autoptr(IlTrace) trace = NULL;
  gint64 t0;

  g_file_set_contents (script, text, -1, &error);
  g_assert_no_error (error);
  g_unlink (marker);
  g_unlink (done);
  g_unlink (out);
  cli = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                          cli_path, "trace", "-q", "-o", out, "--", python, script, marker, done, NULL);
  g_assert_no_error (error);
  il_test_poll_for (file_exists, (gpointer) marker, 60, "the program to start");
  t0 = g_get_monotonic_time ();
  g_subprocess_send_signal (cli, SIGINT);
  g_subprocess_wait (cli, NULL, &error);
  g_assert_no_error (error);
  *seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_assert_true (g_subprocess_get_if_exited (cli));
  *status = g_subprocess_get_exit_status (cli);
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  return il_run_trace_ref (il_trace_get_run (trace, 0));
}

static void
test_gentle (void)
{
  g_autofree char *marker = g_build_filename (tmpdir, "started", NULL);
  g_autofree char *done = g_build_filename (tmpdir, "done", NULL);
  g_autofree char *text = NULL;
  g_autoptr(IlRunTrace) run = NULL;
  int status, exit_code, exit_signal;
  double seconds;

  run = interrupt ("gentle.py", gentle_py, marker, done, &status, &seconds);
  g_test_message ("the CLI ended %.2f s after Ctrl+C", seconds);
  /* Cancelled: exit 1, the partial trace written and marked. */
  g_assert_cmpint (status, ==, 1);
  g_assert_true (il_run_trace_get_cancelled (run));
  text = il_test_read_text (done);
  g_assert_cmpstr (text, ==, "interrupted\nfinally\n");
  il_run_trace_get_exit (run, &exit_code, &exit_signal);
  g_assert_cmpint (exit_signal, ==, 0);
}

static void
test_stubborn (void)
{
  g_autofree char *marker = g_build_filename (tmpdir, "started", NULL);
  g_autofree char *done = g_build_filename (tmpdir, "done", NULL);
  g_autoptr(IlRunTrace) run = NULL;
  int status, exit_code, exit_signal;
  double seconds;

  run = interrupt ("stubborn.py", stubborn_py, marker, done, &status, &seconds);
  g_test_message ("the CLI ended %.2f s after Ctrl+C", seconds);
  g_assert_cmpint (status, ==, 1);
  il_run_trace_get_exit (run, &exit_code, &exit_signal);
  g_assert_cmpint (exit_signal, ==, SIGKILL);
  /* SIGINT, 2 s, SIGTERM, 2 s, SIGKILL: never sooner. */
  g_assert_cmpfloat (seconds, >=, 3.9);
  g_assert_cmpfloat (seconds, <, 60);
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 2)
    g_error ("usage: test-stop INTERLEAVE-CLI");
  cli_path = argv[1];
  python = g_find_program_in_path ("python3");
  if (python == NULL)
    {
      g_test_message ("python3 is not installed: nothing to trace");
      return 77;
    }
  tmpdir = il_test_tmpdir_new ("il-test-stop");
  g_test_add_func ("/stop/ctrl-c/finally-runs", test_gentle);
  g_test_add_func ("/stop/ctrl-c/stubborn-killed", test_stubborn);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (python);
  return status;
}
