/* test-lifetimes.c: traced programs' whole lifetimes (a child outliving the program, exit status and signal) and nothing left behind when the CLI is SIGKILLed. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Issue 20 item 1 and issue 19 item 7, through `interleave-cli`: a multiprocessing `spawn` pool
 * (its resource tracker outlives the main process) gives a sane trace; the program's exit status
 * or signal is kept; a child left running is marked and not waited for unless --wait-all; after
 * `kill -9` of `interleave-cli trace` (also with a grandchild that left the process group by
 * setsid) and of `interleave-cli run --executor processes` no process they started remains; a
 * failed program's message has its last lines on stderr. Args: interleave-cli, il-no-perf. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "il-trace-io.h"
#include "il-test-util.h"

static const char *cli_path;
static const char *no_perf_path;
static const char *python = "/usr/bin/python3";
static char *tmpdir;

static const char spawn_pool_py[] =
  "import multiprocessing as mp\n"
  "def f(x):\n"
  "    s = 0\n"
  "    for i in range(200000): s += i\n"
  "    return x * x\n"
  "if __name__ == '__main__':\n"
  "    mp.set_start_method('spawn')\n"
  "    with mp.Pool(2) as p:\n"
  "        print(p.map(f, range(8)))\n";

/* Runs `interleave-cli trace [EXTRA] -o FILE -- argv`, expecting exit @expect; the summary in
 * @summary (when not NULL), the trace loaded. */
static IlRunTrace *
trace_cli (const char *const *argv, gboolean refuse_perf, const char *extra, int expect,
           char **summary, gint64 *elapsed_us)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_auto(GStrv) args = NULL;
  g_autofree char *out = g_build_filename (tmpdir, "trace.interleave.json", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_auto(IlTestResult) r = { 0 };
  gint64 t0;

  if (refuse_perf)
    g_strv_builder_add (b, no_perf_path);
  g_strv_builder_add_many (b, cli_path, "trace", "-o", out, NULL);
  if (extra != NULL)
    g_strv_builder_add (b, extra);
  g_strv_builder_add (b, "--");
  g_strv_builder_addv (b, (const char **) argv);
  args = g_strv_builder_end (b);
  t0 = g_get_monotonic_time ();
  il_test_run_argv (&r, (const char * const *) args, NULL);
  if (elapsed_us != NULL)
    *elapsed_us = g_get_monotonic_time () - t0;
  if (r.status != expect)
    g_test_message ("stdout: %s\nstderr: %s", r.out, r.err);
  g_assert_cmpint (r.status, ==, expect);
  if (summary != NULL)
    *summary = g_strdup (r.out);
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  return il_run_trace_ref (il_trace_get_run (trace, 0));
}

/* No figure negative or beyond the run; every span inside [0, wall]. */
static void
check_sane (IlRunTrace *run, gint64 max_wall_ns)
{
  const IlSummary *s = il_run_trace_get_summary (run);

  g_assert_cmpint (s->wall_ns, >, 0);
  g_assert_cmpint (s->wall_ns, <, max_wall_ns);
  g_assert_cmpint (s->cpu_ns, >=, 0);
  g_assert_cmpint (s->ready_ns, >=, 0);
  g_assert_cmpint (s->io_wait_ns, >=, 0);
  g_assert_cmpint (s->lock_wait_ns, >=, 0);
  g_assert_cmpint (s->gil_wait_ns, >=, 0);
  /* A lane's states add up to at most the wall time, so all of them to workers × wall. */
  g_assert_cmpint (s->cpu_ns + s->ready_ns + s->io_wait_ns + s->lock_wait_ns + s->gil_wait_ns +
                   s->loop_wait_ns, <=, s->wall_ns * (gint64) il_run_trace_get_n_workers (run));
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *sp = il_lane_get_span (lane, i);

          g_assert_cmpint (sp->start_ns, >=, 0);
          g_assert_cmpint (sp->end_ns, >, sp->start_ns);
          g_assert_cmpint (sp->end_ns, <=, s->wall_ns);
        }
    }
}

/* (a) A spawn pool: its resource tracker outlives the main process; the run ends with the main
 * process, within seconds, every figure sane, exit 0. */
static void
test_spawn_pool (gconstpointer data)
{
  gboolean refuse_perf = GPOINTER_TO_INT (data);
  g_autofree char *script = g_build_filename (tmpdir, "spawn_pool.py", NULL);
  const char *argv[] = { python, script, NULL };
  g_autofree char *summary = NULL;
  g_autoptr(IlRunTrace) run = NULL;
  gint64 elapsed_us;
  int code = -1, signal = -1;

  g_assert_true (g_file_set_contents (script, spawn_pool_py, -1, NULL));
  run = trace_cli (argv, refuse_perf, NULL, 0, &summary, &elapsed_us);
  g_test_message ("spawn pool: %.2f s, summary:\n%s", elapsed_us / 1e6, summary);
  g_assert_cmpint (elapsed_us, <, 60 * G_USEC_PER_SEC);
  check_sane (run, (elapsed_us + G_USEC_PER_SEC) * 1000);
  g_assert_true (il_run_trace_get_exit (run, &code, &signal));
  g_assert_cmpint (code, ==, 0);
  g_assert_cmpint (signal, ==, 0);
  g_assert_nonnull (strstr (summary, "ended          exit status 0"));
  /* Absurd figures printed as "9223335745.61 s" had ten digits before the point. */
  g_assert_false (g_regex_match_simple ("[0-9]{7,}\\.[0-9]+ s", summary, 0, 0));
}

/* (2) What happened to the program: its exit code, or the signal that killed it. */
static void
test_exit_status (void)
{
  const char *exit3[] = { python, "-c", "raise SystemExit(3)", NULL };
  const char *segv[] = { python, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)", NULL };
  g_autofree char *summary = NULL, *summary2 = NULL;
  g_autoptr(IlRunTrace) a = trace_cli (exit3, FALSE, NULL, 1, &summary, NULL);
  g_autoptr(IlRunTrace) b = trace_cli (segv, FALSE, NULL, 1, &summary2, NULL);
  int code, signal;

  g_assert_true (il_run_trace_get_exit (a, &code, &signal));
  g_assert_cmpint (code, ==, 3);
  g_assert_cmpint (signal, ==, 0);
  g_assert_nonnull (strstr (summary, "exit status 3"));
  g_assert_true (il_run_trace_get_exit (b, &code, &signal));
  g_assert_cmpint (code, ==, -1);
  g_assert_cmpint (signal, ==, SIGSEGV);
  g_assert_nonnull (strstr (summary2, "killed by SIGSEGV"));
}

/* Issue 19 item 5: a failed program is a failed run whose message says how it ended and its last
 * lines on stderr (at most 10), marked "| ", after its stderr has gone through to ours as it ran. */
static void
test_failed_stderr (void)
{
  const char *raises[] = { python, "-c", "def f():\n    return 1 / 0\nprint('out')\nf()\n", NULL };
  const char *exit3[] = { python, "-c", "import sys\nsys.stderr.write('bye, status 3\\n')\nsys.exit(3)\n",
                          NULL };
  const char *chatty[] = { python, "-c", "import sys\nfor i in range(30): print('line', i, file=sys.stderr)\n"
                           "sys.exit(1)\n", NULL };
  const char *quiet[] = { python, "-c", "import os; os.kill(os.getpid(), 9)", NULL };
  g_autofree char *out = g_build_filename (tmpdir, "failed.interleave.json", NULL);
  struct { const char **argv; const char *ending; const char *in[3]; const char *not_in[2]; } cases[] = {
    { raises, "the command exited with status 1\n",
      { "  | Traceback (most recent call last):\n", "  | ZeroDivisionError: division by zero\n", NULL },
      { "| out", NULL } },
    { exit3, "the command exited with status 3\n", { "  | bye, status 3\n", NULL }, { NULL } },
    { chatty, "exited with status 1\n", { "  | line 20\n", "  | line 29\n", NULL },
      { "  | line 19\n", NULL } },
    { quiet, "was ended by signal 9", { NULL }, { "its last lines", NULL } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
      g_auto(GStrv) args = NULL;
      g_auto(IlTestResult) r = { 0 };
      const char *message;

      g_strv_builder_add_many (b, cli_path, "trace", "-q", "-o", out, "--", NULL);
      g_strv_builder_addv (b, cases[c].argv);
      args = g_strv_builder_end (b);
      il_test_run_argv (&r, (const char * const *) args, NULL);
      g_test_message ("case %u, exit %d, stderr:\n%s", c, r.status, r.err);
      g_assert_cmpint (r.status, ==, 1);
      /* The message comes after what went through as it ran; the tail is in the message. */
      message = strstr (r.err, cases[c].ending);
      g_assert_nonnull (message);
      for (guint i = 0; cases[c].in[i] != NULL; i++)
        g_assert_nonnull (strstr (message, cases[c].in[i]));
      for (guint i = 0; cases[c].not_in[i] != NULL; i++)
        g_assert_null (strstr (message, cases[c].not_in[i]));
      /* Passed through as before: the traceback's last line also stands alone, unmarked. */
      if (c == 0)
        g_assert_true (g_str_has_prefix (r.err, "Traceback (most recent call last):\n"));
    }
}

/* A child that outlives the program: the run ends with the program, the child is marked still
 * running and left running; with --wait-all the run waits for it. */
static void
test_still_running (void)
{
  /* Its output elsewhere: a pipe the test reads to its end would be held open by it. */
  const char *code = "import subprocess as sp, sys; sp.Popen(['sleep', sys.argv[1]], "
                     "stdout=sp.DEVNULL, stderr=sp.DEVNULL)";
  const char *argv_long[] = { python, "-c", code, "4", NULL };
  const char *argv_short[] = { python, "-c", code, "1", NULL };
  g_autoptr(IlRunTrace) run = NULL, waited = NULL;
  gint64 elapsed_us;
  int sleeper = 0;

  run = trace_cli (argv_long, FALSE, NULL, 0, NULL, &elapsed_us);
  g_assert_cmpint (elapsed_us, <, 3 * G_USEC_PER_SEC);
  check_sane (run, 3 * G_GINT64_CONSTANT (1000000000));
  for (guint i = 0; i < il_run_trace_get_n_processes (run); i++)
    if (il_run_trace_get_process (run, i)->still_running)
      sleeper = il_run_trace_get_process (run, i)->pid;
  g_assert_cmpint (sleeper, >, 0);
  /* Left running, not killed; ours to end now. */
  g_assert_cmpint (kill (sleeper, 0), ==, 0);
  kill (sleeper, SIGKILL);

  waited = trace_cli (argv_short, FALSE, "--wait-all", 0, NULL, &elapsed_us);
  g_assert_cmpint (il_run_trace_get_summary (waited)->wall_ns, >=, G_GINT64_CONSTANT (1000000000));
  for (guint i = 0; i < il_run_trace_get_n_processes (waited); i++)
    g_assert_false (il_run_trace_get_process (waited, i)->still_running);
  g_assert_true (il_run_trace_get_config (waited)->wait_all);
}

/* Gone, or a zombie nobody reaps in this container (it runs nothing). */
static gboolean
pid_gone (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  const char *paren;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return TRUE;
  paren = strrchr (text, ')');
  return paren != NULL && (paren[2] == 'Z' || paren[2] == 'X');
}

static gboolean
all_gone (gpointer data)
{
  GArray *pids = data;

  for (guint i = 0; i < pids->len; i++)
    if (!pid_gone (g_array_index (pids, int, i)))
      return FALSE;
  return TRUE;
}

/* Every descendant of @pid, found now. */
static void
add_descendants (GArray *out, int pid)
{
  g_autoptr(GArray) children = il_test_children_of (pid);

  for (guint i = 0; i < children->len; i++)
    {
      int c = g_array_index (children, int, i);

      g_array_append_val (out, c);
      add_descendants (out, c);
    }
}

typedef struct
{
  const char *file;   /* trace: the program writes its pids here */
  GPid        cli;
  guint       want;   /* run: this many children of the CLI */
} Started;

static gboolean
trace_started (gpointer data)
{
  Started *s = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (s->file, &text, NULL, NULL) && il_test_count_lines (text) >= 2;
}

static gboolean
workers_started (gpointer data)
{
  Started *s = data;
  g_autoptr(GArray) children = il_test_children_of (s->cli);
  guint workers = 0;

  for (guint i = 0; i < children->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", g_array_index (children, int, i));
      g_autofree char *comm = NULL;

      workers += g_file_get_contents (path, &comm, NULL, NULL) &&
                 g_str_has_prefix (comm, "interleave-work");
    }
  return workers >= s->want;
}

/* Starts @argv, waits for @ready, SIGKILLs it, and checks that every process it had started
 * (and theirs) is gone within seconds. */
static void
kill_and_check (const char *const *argv, IlTestDoneFunc ready, Started *started, guint min_procs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) cli = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_autoptr(GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_no_error (error);
  started->cli = atoi (g_subprocess_get_identifier (cli));
  il_test_poll_for (ready, started, 30, "the program to start");
  /* Into their work (a worker still saying hello would die of SIGPIPE anyway). */
  g_usleep (300 * 1000);
  add_descendants (pids, started->cli);
  for (guint i = 0; i < pids->len; i++)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", g_array_index (pids, int, i));
      g_autofree char *comm = NULL;

      g_file_get_contents (path, &comm, NULL, NULL);
      g_test_message ("under the CLI: %d %s", g_array_index (pids, int, i), comm ? g_strchomp (comm) : "?");
    }
  /* What the program says it started: a descendant that left the group and whose parent is
   * gone is no descendant of the CLI's any more, unless the watcher took it in. */
  if (started->file != NULL)
    {
      g_autofree char *text = il_test_read_text (started->file);
      g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        if (atoi (lines[i]) > 0)
          {
            int pid = atoi (lines[i]);

            g_assert_false (pid_gone (pid));
            g_array_append_val (pids, pid);
          }
    }
  g_assert_cmpuint (pids->len, >=, min_procs);
  g_subprocess_send_signal (cli, SIGKILL);
  g_subprocess_wait (cli, NULL, NULL);
  if (!all_gone (pids))
    il_test_poll_for (all_gone, pids, 5, "every process the CLI started to end");
}

/* (b) kill -9 of `interleave-cli trace` running a program that sleeps, with a child. */
static void
test_kill_trace (void)
{
  g_autofree char *pids_file = g_build_filename (tmpdir, "pids.txt", NULL);
  const char *code =
    "import os, sys, time\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    time.sleep(60); os._exit(0)\n"
    "with open(sys.argv[1], 'w') as f: f.write('%d\\n%d\\n' % (os.getpid(), pid))\n"
    "time.sleep(60)\n";
  const char *argv[] = { cli_path, "trace", "-q", "--", python, "-c", code, pids_file, NULL };
  Started started = { pids_file, 0, 0 };

  g_unlink (pids_file);
  /* The traced program, its child (and the watcher). */
  kill_and_check (argv, trace_started, &started, 2);
}

/* (b) The same with a daemonising grandchild: a child that calls setsid() (a new session and
 * process group, which no signal to the program's group reaches), forks a grandchild and exits,
 * so the grandchild is an orphan in a group of its own. Also with the sampled capture. */
static void
test_kill_trace_setsid (gconstpointer data)
{
  gboolean refuse_perf = GPOINTER_TO_INT (data);
  g_autofree char *pids_file = g_build_filename (tmpdir, "pids-setsid.txt", NULL);
  const char *code =
    "import os, sys, time\n"
    "r, w = os.pipe()\n"
    "if os.fork() == 0:\n"
    "    os.setsid()\n"
    "    if os.fork() == 0:\n"
    "        os.write(w, b'%d\\n' % os.getpid()); time.sleep(60); os._exit(0)\n"
    "    os._exit(0)\n"
    "grandchild = int(os.read(r, 64))\n"
    "with open(sys.argv[1], 'w') as f: f.write('%d\\n%d\\n' % (os.getpid(), grandchild))\n"
    "time.sleep(60)\n";
  const char *argv[] = { no_perf_path, cli_path, "trace", "-q", "--", python, "-c", code, pids_file,
                         NULL };
  Started started = { pids_file, 0, 0 };

  g_unlink (pids_file);
  kill_and_check (refuse_perf ? argv : argv + 1, trace_started, &started, 2);
}

/* (b) kill -9 of `interleave-cli run --executor processes` in the middle of long tasks. */
static void
test_kill_run_processes (void)
{
  /* Sleeping tasks: a computing worker writes its spans every 10 ms and dies of SIGPIPE anyway;
   * one asleep for 30 s writes nothing and hears nothing. */
  const char *argv[] = { cli_path, "run", "--executor", "processes", "--workload", "sleep",
                         "--workers", "2", "--tasks", "4", "--task-ms", "30000", NULL };
  Started started = { NULL, 0, 2 };

  kill_and_check (argv, workers_started, &started, 2);
}

/* The program's parent, the watcher, is the small worker binary started by posix_spawn, not a
 * fork of the tracer (which shared its memory for the whole run: every page the window wrote
 * was then a copy-on-write fault); without the worker binary, the fork still works. */
static void
test_watcher_spawned (gconstpointer data)
{
  gboolean without_worker = GPOINTER_TO_INT (data);
  const char *argv[] = { cli_path, "trace", "-q", "--", "/bin/sh", "-c", "readlink /proc/$PPID/exe", NULL };
  g_auto(GStrv) envp = g_get_environ ();
  g_auto(IlTestResult) r = { 0 };
  g_autofree char *cli = realpath (cli_path, NULL);
  g_autofree char *forked = g_strconcat (cli, "\n", NULL);

  if (without_worker)
    envp = g_environ_setenv (envp, "IL_WORKER_PATH", "/nonexistent/interleave-worker", TRUE);
  il_test_run_argv (&r, argv, envp);
  g_test_message ("exit %d, out: %s, stderr: %s", r.status, r.out, r.err);
  g_assert_cmpint (r.status, ==, 0);
  if (without_worker)
    g_assert_cmpstr (r.out, ==, forked);
  else
    g_assert_true (g_str_has_suffix (r.out, "/interleave-worker\n"));
}

/* Issue 21 item 4: what the program and its children print on stdout and stderr lands in the
 * trace, each apart, and still goes through to ours; too much keeps its start and its end. */
static void
test_output (void)
{
  const char *both[] = { python, "-c", "import subprocess, sys\nprint('to stdout', flush=True)\n"
                         "print('to stderr', file=sys.stderr, flush=True)\n"
                         "subprocess.run(['echo', 'from a child'])\n", NULL };
  const char *lots[] = { python, "-c", "import sys\nsys.stdout.write('first\\n' + 'x' * 1500000 + '\\nlast\\n')\n",
                         NULL };
  g_autoptr(IlRunTrace) run = NULL;
  g_autofree char *printed = NULL;
  const char *text;
  guint64 dropped;
  gsize at;

  run = trace_cli (both, FALSE, NULL, 0, &printed, NULL);
  g_assert_cmpstr (il_run_trace_get_output (run, IL_OUTPUT_STDOUT, &dropped, NULL), ==,
                   "to stdout\nfrom a child\n");
  g_assert_cmpuint (dropped, ==, 0);
  g_assert_cmpstr (il_run_trace_get_output (run, IL_OUTPUT_STDERR, NULL, NULL), ==, "to stderr\n");
  /* The terminal still sees it: the CLI's stdout has the program's. */
  g_assert_nonnull (strstr (printed, "to stdout\nfrom a child\n"));
  g_clear_pointer (&run, il_run_trace_unref);
  g_clear_pointer (&printed, g_free);

  run = trace_cli (lots, FALSE, NULL, 0, NULL, NULL);
  text = il_run_trace_get_output (run, IL_OUTPUT_STDOUT, &dropped, &at);
  g_assert_cmpuint (strlen (text), ==, IL_OUTPUT_MAX_BYTES);
  g_assert_cmpuint (dropped, ==, strlen ("first\n\nlast\n") + 1500000 - IL_OUTPUT_MAX_BYTES);
  g_assert_cmpuint (at, ==, IL_OUTPUT_MAX_BYTES / 2);
  g_assert_true (g_str_has_prefix (text, "first\nxxx"));
  g_assert_true (g_str_has_suffix (text, "xxx\nlast\n"));
  g_assert_cmpstr (il_run_trace_get_output (run, IL_OUTPUT_STDERR, NULL, NULL), ==, "");

  /* The trace itself on stdout (-o -): the program's words go to stderr instead, and the file
   * stays one trace. */
  {
    const char *args[] = { cli_path, "trace", "-o", "-", "--", python, "-c", "print('to stdout')", NULL };
    g_auto(IlTestResult) r = { 0 };
    g_autoptr(IlTrace) trace = NULL;
    g_autoptr(GError) error = NULL;

    il_test_run_argv (&r, args, NULL);
    g_assert_cmpint (r.status, ==, 0);
    g_assert_nonnull (strstr (r.err, "to stdout\n"));
    trace = il_trace_load_from_data (r.out, strlen (r.out), "stdout", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (il_run_trace_get_output (il_trace_get_run (trace, 0), IL_OUTPUT_STDOUT, NULL, NULL), ==,
                     "to stdout\n");
  }
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: test-lifetimes INTERLEAVE-CLI IL-NO-PERF");
  cli_path = argv[1];
  no_perf_path = argv[2];
  if (!g_file_test (python, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_message ("%s is not installed: nothing to trace", python);
      return 77;
    }
  tmpdir = il_test_tmpdir_new ("il-test-lifetimes");

  g_test_add_data_func ("/lifetimes/spawn-pool/auto", GINT_TO_POINTER (FALSE), test_spawn_pool);
  g_test_add_data_func ("/lifetimes/spawn-pool/sampled", GINT_TO_POINTER (TRUE), test_spawn_pool);
  g_test_add_func ("/lifetimes/exit-status", test_exit_status);
  g_test_add_func ("/lifetimes/still-running", test_still_running);
  g_test_add_func ("/lifetimes/failed-stderr", test_failed_stderr);
  g_test_add_func ("/lifetimes/output", test_output);
  g_test_add_func ("/lifetimes/kill-9/trace", test_kill_trace);
  g_test_add_data_func ("/lifetimes/kill-9/trace-setsid/auto", GINT_TO_POINTER (FALSE),
                        test_kill_trace_setsid);
  g_test_add_data_func ("/lifetimes/kill-9/trace-setsid/sampled", GINT_TO_POINTER (TRUE),
                        test_kill_trace_setsid);
  g_test_add_func ("/lifetimes/kill-9/run-processes", test_kill_run_processes);
  g_test_add_data_func ("/lifetimes/watcher/spawned", GINT_TO_POINTER (FALSE), test_watcher_spawned);
  g_test_add_data_func ("/lifetimes/watcher/forked", GINT_TO_POINTER (TRUE), test_watcher_spawned);
  status = g_test_run ();

  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  return status;
}
