/* bench-dispatch: the executors' own cost per task, measured with empty tasks, traced, against
 * Python's multiprocessing.Pool and ThreadPoolExecutor run on the same machine in the same run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <math.h>
#include <stdlib.h>

#include "il-clock.h"
#include "il-capture.h"
#include "il-run.h"

#define N_TASKS 20000

static const char python_script[] =
  "import sys, time, multiprocessing, concurrent.futures\n"
  "def f(x):\n"
  "    return x\n"
  "if __name__ == '__main__':\n"
  "    n = int(sys.argv[1])\n"
  "    best_mp = best_th = float('inf')\n"
  "    with multiprocessing.Pool(2) as pool:\n"
  "        pool.map(f, range(200), chunksize=1)\n"
  "        for _ in range(3):\n"
  "            t = time.perf_counter(); pool.map(f, range(n), chunksize=1)\n"
  "            best_mp = min(best_mp, time.perf_counter() - t)\n"
  "    with concurrent.futures.ThreadPoolExecutor(2) as ex:\n"
  "        list(ex.map(f, range(200)))\n"
  "        for _ in range(3):\n"
  "            t = time.perf_counter(); list(ex.map(f, range(n)))\n"
  "            best_th = min(best_th, time.perf_counter() - t)\n"
  "    print(best_mp / n * 1e6, best_th / n * 1e6)\n";

/* Best of three whole runs, wall time from the call to the finished trace: worker start-up (for
 * processes: spawning them), dispatch, recording, draining and the summary all count. */
static double
bench_ours (IlExecutorKind executor, double *in_run_us)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  double best = G_MAXDOUBLE, best_in_run = G_MAXDOUBLE;

  config->executor = executor;
  config->workers = 2;
  config->workload = IL_WORKLOAD_CPU;
  config->tasks = N_TASKS;
  config->task_ms = 0;
  config->capture = IL_CAPTURE_AUTO;   /* what a user gets: the kernel capture where allowed */

  for (int round = 0; round < 3; round++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(IlRunTrace) trace = NULL;
      gint64 t0 = il_clock_now_ns (), t1, first = G_MAXINT64, last = 0;

      trace = il_run_sync (config, NULL, &error);
      t1 = il_clock_now_ns ();
      if (trace == NULL)
        {
          fprintf (stderr, "run failed: %s\n", error->message);
          exit (1);
        }
      for (guint i = 0; i < il_run_trace_get_n_tasks (trace); i++)
        {
          const IlTaskRecord *t = il_run_trace_get_task (trace, i);
          if (t->status != IL_TASK_OK)
            {
              fprintf (stderr, "task %u did not run\n", i);
              exit (1);
            }
          first = MIN (first, t->start_ns);
          last = MAX (last, t->end_ns);
        }
      best = MIN (best, (t1 - t0) / 1e3 / N_TASKS);
      best_in_run = MIN (best_in_run, (last - first) / 1e3 / N_TASKS);
    }

  *in_run_us = best_in_run;
  return best;
}

int
main (int argc, char *argv[])
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *n = g_strdup_printf ("%d", N_TASKS);
  const char *argv_py[] = { "python3", "-c", python_script, n, NULL };
  g_autoptr(GError) error = NULL;
  double procs, procs_in, threads, threads_in, py_procs = NAN, py_threads = NAN;
  int status = 0;

  procs = bench_ours (IL_EXECUTOR_PROCESSES, &procs_in);
  threads = bench_ours (IL_EXECUTOR_THREADS, &threads_in);

  if (!g_spawn_sync (NULL, (char **) argv_py, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error) ||
      sscanf (out, "%lf %lf", &py_procs, &py_threads) != 2)
    fprintf (stderr, "python3 comparison unavailable: %s %s\n", error ? error->message : "",
             err ? err : "");

  printf ("tasks: %d\n", N_TASKS);
  {
    g_autoptr(IlCapture) capture = il_capture_new (IL_CAPTURE_AUTO, NULL);
    printf ("capture: %s\n", il_capture_to_string (il_capture_get_kind (capture)));
  }
  printf ("processes_us_per_task: %.3f\n", procs);
  printf ("processes_in_run_us_per_task: %.3f\n", procs_in);
  printf ("python_processes_us_per_task: %.3f\n", py_procs);
  printf ("processes_ratio: %.1f\n", py_procs / procs);
  printf ("threads_us_per_task: %.3f\n", threads);
  printf ("threads_in_run_us_per_task: %.3f\n", threads_in);
  printf ("python_threads_us_per_task: %.3f\n", py_threads);
  printf ("threads_ratio: %.1f\n", py_threads / threads);
  return 0;
}
