/* test-pystack.c: a traced CPython program's thread names, Python stacks and GIL holder, read from its memory (issue 20 item 4). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Real python3 programs written here, traced through the engine (IlRun, as the window does) and
 * through `interleave-cli trace`: lanes carry the names the program gave its threads
 * (threading.Thread(name=…), a ThreadPoolExecutor's), the sampled stacks name the function a
 * worker spins in, its file and a line of its loop, and its caller's line in threading.py, and
 * the GIL's holder is one of the program's runnable threads. Debian's python3.11 through both
 * captures and the CLI; every pyenv CPython 3.8-3.13 installed (PYENV_ROOT, else ~/.pyenv, any
 * patch release) through the CLI; one skipped, saying so, when it is not installed; pyenv's 3.7
 * is refused with its version named; and the same stacks where a seccomp filter refuses
 * process_vm_readv (the reader's /proc/PID/mem door). Args: interleave-cli il-no-perf. */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "il-run.h"
#include "il-trace-io.h"
#include "il-trace-stacks.h"
#include "il-test-util.h"

static const char *cli_path;
static const char *no_perf_path;
static char *python;          /* Debian's python3.11, when installed */
static char *tmpdir;
static char *prog_path;

/* compute()'s loop is at lines 7-9: the samples must fall there. */
static const char program[] =
  "import threading, time\n"                                            /* 1 */
  "from concurrent.futures import ThreadPoolExecutor\n"                 /* 2 */
  "\n"                                                                  /* 3 */
  "def compute(seconds):\n"                                             /* 4 */
  "    end = time.monotonic() + seconds\n"                              /* 5 */
  "    x = 0\n"                                                         /* 6 */
  "    while time.monotonic() < end:\n"                                 /* 7 */
  "        for i in range(2000):\n"                                     /* 8 */
  "            x += i * i\n"                                            /* 9 */
  "    return x\n"                                                      /* 10 */
  "\n"                                                                  /* 11 */
  "t = threading.Thread(target=compute, args=(0.6,), name='cruncher-1')\n"
  "t.__dict__\n"   /* its attributes in a dict of their own; the executor's stay in values (3.11+) */
  "t.start()\n"
  "with ThreadPoolExecutor(max_workers=2) as ex:\n"
  "    list(ex.map(compute, [0.4, 0.4]))\n"
  "t.join()\n";

static IlRunTrace *
trace_engine (IlCaptureKind capture)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(GError) error = NULL;
  const char *argv[] = { python, prog_path, NULL };

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return NULL;
    }
  IlRunTrace *run;

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->command = g_strdupv ((char **) argv);
  config->capture = capture;
  run = il_run_sync (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

/* `interleave-cli trace` of prog.py run by @with; under il-no-perf --no-process-vm-readv when
 * @no_pvm. */
static IlRunTrace *
trace_cli_with (const char *with, gboolean no_pvm)
{
  g_autofree char *out = g_build_filename (tmpdir, "trace.interleave.json", NULL);
  const char *argv[] = { no_perf_path, "--no-process-vm-readv", cli_path, "trace", "-q", "-o", out, "--",
                         with, prog_path, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_auto(IlTestResult) r = { 0 };

  il_test_run_argv (&r, no_pvm ? argv : argv + 2, NULL);
  g_assert_cmpint (r.status, ==, 0);
  /* Read, not refused: the tracer says nothing about its Python threads. */
  g_assert_null (strstr (r.err, "are not read"));
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 1);
  return il_run_trace_ref (il_trace_get_run (trace, 0));
}

static IlRunTrace *
trace_cli (const char *with)
{
  return trace_cli_with (with, FALSE);
}

/* The lane of the thread the program named @name: "name · TID". */
static const IlWorkerInfo *
find_named (IlRunTrace *run, const char *name)
{
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
      g_autofree char *want = g_strdup_printf ("%s · %d", name, info->tid);

      if (g_strcmp0 (info->name, want) == 0)
        return info;
    }
  return NULL;
}

static void
check_names (IlRunTrace *run)
{
  const IlWorkerInfo *main_info = NULL;

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    g_test_message ("lane %u: %s", w, il_run_trace_get_worker (run, w)->name);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 4);
  g_assert_nonnull (find_named (run, "cruncher-1"));
  g_assert_nonnull (find_named (run, "ThreadPoolExecutor-0_0"));
  g_assert_nonnull (find_named (run, "ThreadPoolExecutor-0_1"));
  /* The main thread keeps its script's name, not threading's "MainThread". */
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    if (il_run_trace_get_worker (run, w)->tid == il_run_trace_get_worker (run, w)->pid)
      main_info = il_run_trace_get_worker (run, w);
  g_assert_nonnull (main_info);
  g_assert_true (g_str_has_prefix (main_info->name, "python3"));
  g_assert_nonnull (strstr (main_info->name, "prog.py"));
}

static void
test_names_engine (gconstpointer data)
{
  g_autoptr(IlRunTrace) run = trace_engine ((IlCaptureKind) GPOINTER_TO_INT (data));

  if (run != NULL)
    check_names (run);
}

static void
test_names_cli (void)
{
  g_autoptr(IlRunTrace) run = NULL;

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return;
    }
  run = trace_cli (python);
  check_names (run);
}

/* A process named `loader` and a pool of two, started by the method given as argv[1]. */
static const char mp_program[] =
  "import multiprocessing as mp, sys\n"
  "def work(n):\n"
  "    t = 0\n"
  "    for i in range(n):\n"
  "        t += i * i\n"
  "    return t\n"
  "if __name__ == '__main__':\n"
  "    ctx = mp.get_context(sys.argv[1])\n"
  "    p = ctx.Process(target=work, args=(3000000,), name='loader')\n"
  "    p.start()\n"
  "    with ctx.Pool(2) as pool:\n"
  "        pool.map(work, [1500000] * 4)\n"
  "    p.join()\n";

/* Samples of process @pid whose innermost frame is work(). */
static guint
count_work_samples (IlRunTrace *run, int pid)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  guint count = 0;

  for (guint t = 0; stacks != NULL && t < il_trace_stacks_get_n_threads (stacks); t++)
    {
      gint64 p, tid;
      guint n;

      il_trace_stacks_get_thread (stacks, t, &p, &tid, &n);
      for (guint i = 0; p == pid && i < n; i++)
        {
          IlStackSample s;
          IlStackFrame f;

          if (il_trace_stacks_get_thread_sample (stacks, t, i, &s) && s.n_frames > 0 &&
              il_trace_stacks_get_frame (stacks, s.frames[0], &f) && strcmp (f.function, "work") == 0)
            count++;
        }
    }
  return count;
}

/* A multiprocessing child's main thread by multiprocessing's name for its process (the
 * Process(name=…), ForkPoolWorker-2), not by its parent's command line (fork) or `python3 -c`
 * (spawn); the program's own main thread by its script still. And each worker's stacks, from
 * its start: one that ends younger than CONFIRM_NS (these run 100-300 ms) had none. */
static void
test_process_names (gconstpointer data)
{
  const char *method = data;
  g_autofree char *script = g_build_filename (tmpdir, "mp.py", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "mp.interleave.json", NULL);
  g_autofree char *worker_prefix = g_strdup_printf ("%c%sPoolWorker-", g_ascii_toupper (method[0]), method + 1);
  const char *argv[] = { cli_path, "trace", "-q", "-o", out, "--", python, script, method, NULL };
  g_auto(IlTestResult) r = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlRunTrace *run;
  guint loaders = 0, workers = 0, scripts = 0;

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return;
    }
  g_assert_true (g_file_set_contents (script, mp_program, -1, NULL));
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);
      g_autofree char *suffix = g_strdup_printf (" · %d", info->tid);

      g_test_message ("lane %u: %s (pid %d)", w, info->name, info->pid);
      if (info->tid != info->pid)
        continue;
      g_assert_true (g_str_has_suffix (info->name, suffix));
      loaders += g_str_has_prefix (info->name, "loader · ");
      workers += g_str_has_prefix (info->name, worker_prefix);
      if (g_str_has_prefix (info->name, worker_prefix) || g_str_has_prefix (info->name, "loader · "))
        {
          guint in_work = count_work_samples (run, info->pid);

          g_test_message ("%s: %u samples in work()", info->name, in_work);
          g_assert_cmpuint (in_work, >=, 3);
        }
      scripts += g_str_has_prefix (info->name, "python3") && strstr (info->name, "mp.py") != NULL;
    }
  g_assert_cmpuint (loaders, ==, 1);
  g_assert_cmpuint (workers, ==, 2);
  /* The program's own process; a fork child named by its command line would be one more. */
  g_assert_cmpuint (scripts, ==, 1);
}

/* The lines of @text's function table: from its head to the line before "  capture". */
static guint
count_function_rows (const char *text)
{
  const char *from = strstr (text, "Python functions (innermost frame");
  const char *to = from != NULL ? strstr (from, "\n  capture ") : NULL;
  g_autofree char *table = NULL;

  if (from == NULL)
    return 0;
  table = to != NULL ? g_strndup (from, (gsize) (to - from) + 1) : g_strdup (from);
  return il_test_count_lines (table);
}

/* `trace --functions`: the summary lists every function (the hint for more is true there too),
 * the same rows as `render --functions` of its trace; without it, at most 5. */
static void
test_functions_cli (void)
{
  g_autofree char *out = g_build_filename (tmpdir, "functions.interleave.json", NULL);
  const char *all[] = { cli_path, "trace", "--functions", "-o", out, "--", python, prog_path, NULL };
  const char *some[] = { cli_path, "render", "--summary", out, NULL };
  const char *each[] = { cli_path, "render", "--functions", out, NULL };
  g_auto(IlTestResult) r = { 0 };
  g_auto(IlTestResult) s = { 0 };
  g_auto(IlTestResult) e = { 0 };

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return;
    }
  il_test_run_argv (&r, all, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_test_message ("%s", r.out);
  g_assert_null (strstr (r.out, "lists all"));
  il_test_run_argv (&e, each, NULL);
  g_assert_cmpint (e.status, ==, 0);
  /* render --functions: the run's label, then the table (its head, its column heads, a row each). */
  g_assert_cmpuint (count_function_rows (r.out), >=, 3);
  g_assert_cmpuint (count_function_rows (r.out), ==, count_function_rows (e.out));
  il_test_run_argv (&s, some, NULL);
  g_assert_cmpint (s.status, ==, 0);
  g_assert_cmpuint (count_function_rows (s.out), <=, 2 + 5 + 1);
  if (count_function_rows (e.out) > 2 + 5)
    g_assert_nonnull (strstr (s.out, "--functions lists all"));
}

/* Line @line of the file @path, without its indent; NULL when it has none. */
static char *
source_line (const char *path, guint line)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (line == 0 || !g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  if (line > g_strv_length (lines))
    return NULL;
  return g_strstrip (g_strdup (lines[line - 1]));
}

/* The samples of the cruncher name compute() in prog.py at a line of its loop, called from
 * Thread.run() (run() before 3.11, which has no qualified names) at the line of threading.py
 * that calls the target; each sample round has at most one GIL holder, and the holder is a
 * thread of the program the kernel had runnable. */
static void
check_stacks (IlRunTrace *run)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  const IlWorkerInfo *cruncher = find_named (run, "cruncher-1");
  guint in_compute = 0, in_loop = 0, cruncher_samples = 0, holders = 0, holders_running = 0;
  guint holder_not_ours = 0, rounds_two_holders = 0, callers = 0, past_call = 0, holders_computing = 0;
  GHashTable *holder_times = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_assert_nonnull (stacks);
  g_assert_nonnull (cruncher);
  g_test_message ("%" G_GUINT64_FORMAT " samples of %u threads, %u frames, one every %" G_GINT64_FORMAT " us",
                  il_trace_stacks_get_n_samples (stacks), il_trace_stacks_get_n_threads (stacks),
                  il_trace_stacks_get_n_frames (stacks), il_trace_stacks_get_interval_ns (stacks) / 1000);
  /* Every 4 ms on the ticks' schedule: the median interval, which weighs each sample in the
   * function table, is that (every 5 ms after the last instant came to 6 ms on the kernel
   * capture's 2 ms ticks, 5 or 6 by turns on the sampled capture's 1 ms ones). */
  g_assert_cmpint (il_trace_stacks_get_interval_ns (stacks), >=, G_GINT64_CONSTANT (3500000));
  g_assert_cmpint (il_trace_stacks_get_interval_ns (stacks), <=, G_GINT64_CONSTANT (5000000));
  for (guint t = 0; t < il_trace_stacks_get_n_threads (stacks); t++)
    {
      gint64 pid, tid;
      guint n;
      gboolean ours = FALSE;

      guint thread_holders = 0, thread_running = 0;

      il_trace_stacks_get_thread (stacks, t, &pid, &tid, &n);
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        if (il_run_trace_get_worker (run, w)->tid == tid && il_run_trace_get_worker (run, w)->pid == pid)
          ours = TRUE;
      for (guint i = 0; i < n; i++)
        {
          IlStackSample s;
          IlStackFrame f;

          g_assert_true (il_trace_stacks_get_thread_sample (stacks, t, i, &s));
          if (s.holds_gil)
            {
              thread_holders++;
              thread_running += s.on_cpu;
              holders++;
              /* In compute(), which only computes, a holder runs or waits for a core. Elsewhere
               * it may hold the GIL while it waits for the disk: an import read from a cold page
               * cache (state D), half a second of a first run after a build. */
              if (s.n_frames > 0 && il_trace_stacks_get_frame (stacks, s.frames[0], &f) &&
                  strcmp (f.function, "compute") == 0)
                {
                  holders_computing++;
                  holders_running += s.on_cpu;
                }
              holder_not_ours += !ours;
              if (g_hash_table_contains (holder_times, &s.time_ns))
                rounds_two_holders++;
              g_hash_table_add (holder_times, g_memdup2 (&s.time_ns, sizeof s.time_ns));
            }
          if (tid != cruncher->tid || s.n_frames == 0)
            continue;
          cruncher_samples++;
          g_assert_true (il_trace_stacks_get_frame (stacks, s.frames[0], &f));
          if (strcmp (f.function, "compute") != 0)
            continue;
          in_compute++;
          g_assert_cmpstr (f.file, ==, prog_path);
          if (f.line >= 7 && f.line <= 9)
            in_loop++;
          /* Its caller: the line of threading.py that calls the target. */
          if (s.n_frames >= 2)
            {
              g_autofree char *text = NULL;

              g_assert_true (il_trace_stacks_get_frame (stacks, s.frames[1], &f));
              g_assert_true (strcmp (f.function, "Thread.run") == 0 || strcmp (f.function, "run") == 0);
              g_assert_true (g_str_has_suffix (f.file, "/threading.py"));
              text = source_line (f.file, f.line);
              g_assert_nonnull (text);
              /* The reader does not stop the program: a sample read as compute() returned (its
               * thread's last instants) may find it innermost and its caller past the call
               * already, in the finally that follows (once in 10 runs under ASan). */
              if (g_str_has_prefix (text, "del self._target") && past_call++ < 2)
                {
                  g_test_message ("a sample read as compute() returned: its caller at threading.py:%u", f.line);
                  continue;
                }
              if (!g_str_has_prefix (text, "self._target("))
                g_error ("threading.py:%u is %s, not the call of the target", f.line, text);
              callers++;
            }
        }
      g_test_message ("thread %" G_GINT64_FORMAT " (%s): %u samples, held the GIL at %u, runnable at %u of those",
                      tid, ours ? "the program's" : "not the program's", n, thread_holders, thread_running);
    }
  g_hash_table_unref (holder_times);
  g_test_message ("cruncher: %u samples, %u in compute(), %u at its loop's lines; %u GIL holder "
                  "samples, %u of them in compute(), %u of those runnable", cruncher_samples,
                  in_compute, in_loop, holders, holders_computing, holders_running);
  /* It spins in compute() its whole life but for its first and last instants. */
  g_assert_cmpuint (cruncher_samples, >=, 10);
  g_assert_cmpuint (in_compute * 10, >=, cruncher_samples * 8);
  g_assert_cmpuint (in_loop, ==, in_compute);
  g_assert_cmpuint (callers * 10, >=, in_compute * 8);
  /* The function table (the CLI's and the window's): compute() in prog.py at its loop comes
   * first, three threads spin in it. */
  {
    g_autoptr(GArray) totals = il_trace_stacks_get_function_totals (stacks, run);
    const IlStackFunctionTotal *top;
    IlStackFrame f;

    g_assert_cmpuint (totals->len, >, 0);
    top = &g_array_index (totals, IlStackFunctionTotal, 0);
    g_assert_true (il_trace_stacks_get_frame (stacks, top->frame, &f));
    g_test_message ("function table: %s %s:%u, running %" G_GINT64_FORMAT " ns", f.function, f.file, f.line,
                    top->running_ns);
    g_assert_cmpstr (f.function, ==, "compute");
    g_assert_cmpstr (f.file, ==, prog_path);
    g_assert_cmpuint (f.line, >=, 7);
    g_assert_cmpuint (f.line, <=, 9);
    g_assert_cmpint (top->running_ns, >, 0);
  }
  /* The GIL: held at some samples (three threads computing), by one thread at a time, one of the
   * program's; in compute() it runs Python code and so is runnable (R); a sample read just as it
   * dropped the GIL may see it going to sleep, rarely. */
  g_assert_cmpuint (holders, >=, 5);
  g_assert_cmpuint (rounds_two_holders, ==, 0);
  g_assert_cmpuint (holder_not_ours, ==, 0);
  g_assert_cmpuint (holders_computing, >=, 5);
  g_assert_cmpuint (holders_running * 10, >=, holders_computing * 7);
}

static void
test_stacks (gconstpointer data)
{
  g_autoptr(IlRunTrace) run = trace_engine ((IlCaptureKind) GPOINTER_TO_INT (data));

  if (run != NULL)
    check_stacks (run);
}

/* pyenv's CPython 3.@data (any patch release), when installed: NULL else. */
static char *
pyenv_python (int minor)
{
  const char *root = g_getenv ("PYENV_ROOT");
  g_autofree char *home_root = g_build_filename (g_get_home_dir (), ".pyenv", NULL);
  g_autofree char *versions = g_build_filename (root != NULL ? root : home_root, "versions", NULL);
  g_autofree char *prefix = g_strdup_printf ("3.%d.", minor);
  g_autofree char *exe = g_strdup_printf ("python3.%d", minor);
  g_autoptr(GDir) dir = g_dir_open (versions, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;

      /* 3.12.1, not 3.12-dev or 3.12.1t (free-threaded) */
      if (!g_str_has_prefix (name, prefix) || !g_ascii_isdigit (name[strlen (prefix)]) ||
          strspn (name + strlen (prefix), "0123456789") != strlen (name + strlen (prefix)))
        continue;
      path = g_build_filename (versions, name, "bin", exe, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&path);
    }
  return NULL;
}

/* pyenv's 3.@data through `interleave-cli trace`: its names, stacks, lines and GIL holder. */
static void
test_pyenv (gconstpointer data)
{
  int minor = GPOINTER_TO_INT (data);
  g_autofree char *with = pyenv_python (minor);
  g_autoptr(IlRunTrace) run = NULL;

  if (with == NULL)
    {
      g_autofree char *why = g_strdup_printf ("pyenv's CPython 3.%d is not installed", minor);

      g_test_skip (why);
      return;
    }
  g_test_message ("%s", with);
  run = trace_cli (with);
  check_names (run);
  check_stacks (run);
}

/* pyenv's 3.7 has a _PyRuntime whose layout this reader does not know: refused, its version
 * named, once, and the program traced as before. */
static void
test_pyenv_refused (void)
{
  g_autofree char *with = pyenv_python (7);
  g_autofree char *out = g_build_filename (tmpdir, "old.interleave.json", NULL);
  const char *argv[] = { cli_path, "trace", "-q", "-o", out, "--", with, prog_path, NULL };
  g_auto(IlTestResult) r = { 0 };
  const char *said;

  if (with == NULL)
    {
      g_test_skip ("pyenv's CPython 3.7 is not installed");
      return;
    }
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  said = strstr (r.err, "CPython 3.7: its layout is not one this reader knows (3.8-3.13)\n");
  g_assert_nonnull (said);
  g_assert_null (strstr (said + 1, "CPython 3.7"));
}

/* Where a seccomp filter refuses process_vm_readv (EPERM), the reader reads the same bytes
 * through /proc/PID/mem, one read at a time where it batched them: the same names and stacks
 * (il-no-perf refuses perf too: the sampled capture). */
static void
test_proc_mem (void)
{
  g_autoptr(IlRunTrace) run = NULL;

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return;
    }
  run = trace_cli_with (python, TRUE);
  check_names (run);
  check_stacks (run);
}

/* IL_NO_STACKS=1 (the benchmark's run without stacks): no stacks, the names still. */
static void
test_no_stacks (void)
{
  g_autoptr(IlRunTrace) run = NULL;

  g_setenv ("IL_NO_STACKS", "1", TRUE);
  run = trace_engine (IL_CAPTURE_AUTO);
  g_unsetenv ("IL_NO_STACKS");
  if (run == NULL)
    return;
  g_assert_null (il_run_trace_get_stacks (run));
  check_names (run);
}

/* A CPython whose layout the reader does not know (Debian's python3.11 under the name
 * python3.99, which is all it goes by) is refused with the reason, said once, and the program
 * is traced as before: its lanes keep the kernel's names. */
static void
test_unknown_version (void)
{
  g_autofree char *fake = g_build_filename (tmpdir, "python3.99", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "unknown.interleave.json", NULL);
  g_autofree char *data = NULL;
  const char *argv[] = { cli_path, "trace", "-q", "-o", out, "--", fake, prog_path, NULL };
  const char *said;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_auto(IlTestResult) r = { 0 };
  IlRunTrace *run;
  gsize len;

  if (python == NULL)
    {
      g_test_skip ("/usr/bin/python3.11 (Debian's) is not installed");
      return;
    }
  g_assert_true (g_file_get_contents (python, &data, &len, NULL));
  g_assert_true (g_file_set_contents (fake, data, (gssize) len, NULL));
  g_assert_cmpint (g_chmod (fake, 0755), ==, 0);
  il_test_run_argv (&r, argv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  said = strstr (r.err, "CPython 3.99: its layout is not one this reader knows");
  g_assert_nonnull (said);
  g_assert_null (strstr (said + 1, "CPython 3.99"));
  trace = il_trace_load (out, &error);
  g_assert_no_error (error);
  run = il_trace_get_run (trace, 0);
  g_assert_cmpuint (il_run_trace_get_n_workers (run), ==, 4);
  g_assert_null (find_named (run, "cruncher-1"));
}

int
main (int argc, char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: test-pystack INTERLEAVE-CLI IL-NO-PERF");
  cli_path = argv[1];
  no_perf_path = argv[2];
  /* Debian's python3.11, the python3 of the machine these tests were written on. */
  if (g_file_test ("/usr/bin/python3.11", G_FILE_TEST_IS_EXECUTABLE))
    python = g_strdup ("/usr/bin/python3.11");
  tmpdir = il_test_tmpdir_new ("il-test-pystack");
  prog_path = g_build_filename (tmpdir, "prog.py", NULL);
  g_assert_true (g_file_set_contents (prog_path, program, -1, NULL));

  g_test_add_data_func ("/pystack/names/engine-kernel", GINT_TO_POINTER (IL_CAPTURE_AUTO), test_names_engine);
  g_test_add_data_func ("/pystack/names/engine-sampled", GINT_TO_POINTER (IL_CAPTURE_SAMPLED), test_names_engine);
  g_test_add_func ("/pystack/names/cli", test_names_cli);
  g_test_add_func ("/pystack/functions-cli", test_functions_cli);
  g_test_add_data_func ("/pystack/process-names/fork", "fork", test_process_names);
  g_test_add_data_func ("/pystack/process-names/spawn", "spawn", test_process_names);
  g_test_add_data_func ("/pystack/stacks/kernel", GINT_TO_POINTER (IL_CAPTURE_AUTO), test_stacks);
  g_test_add_data_func ("/pystack/stacks/sampled", GINT_TO_POINTER (IL_CAPTURE_SAMPLED), test_stacks);
  g_test_add_func ("/pystack/unknown-version", test_unknown_version);
  g_test_add_func ("/pystack/no-stacks", test_no_stacks);
  g_test_add_func ("/pystack/stacks/proc-mem", test_proc_mem);
  for (int minor = 8; minor <= 13; minor++)
    {
      g_autofree char *path = g_strdup_printf ("/pystack/pyenv/3.%d", minor);

      g_test_add_data_func (path, GINT_TO_POINTER (minor), test_pyenv);
    }
  g_test_add_func ("/pystack/pyenv/3.7-refused", test_pyenv_refused);
  status = g_test_run ();
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_free (prog_path);
  g_free (python);
  return status;
}
