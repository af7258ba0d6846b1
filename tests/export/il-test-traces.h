/* il-test-traces.h: deterministic synthetic traces for the painter's tests and benchmark. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include "il-trace.h"
#include "il-run-config.h"

/* Simulates @n_workers sharing @n_cpus in steps of @quantum_ns: under a lock (the GIL) one worker
 * runs and the others wait for it; without, up to @n_cpus run and the rest are ready. Worker w gets
 * tasks w, w + n, …; each needs @task_ns of running. Processes first spend @startup_ns starting.
 * Deterministic, so reference images can be compared pixel by pixel. */
static inline IlRunTrace *
il_test_trace_schedule (const char *label, IlExecutorKind executor, gboolean gil, guint n_workers,
                        guint n_cpus, guint n_tasks, gint64 task_ns, gint64 quantum_ns,
                        gint64 startup_ns)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  gint64 *left = g_new0 (gint64, n_tasks);
  guint *next_task = g_new0 (guint, n_workers);
  gint64 t = startup_ns;
  guint rr = 0;
  gboolean busy = TRUE;

  config->executor = executor;
  config->gil = gil;
  config->workers = n_workers;
  config->tasks = n_tasks;
  config->task_ms = task_ns / 1e6;
  if (n_cpus < 2)
    {
      int cpu0 = 0;
      config->cpus = g_array_new (FALSE, FALSE, sizeof (int));
      g_array_append_val (config->cpus, cpu0);
    }
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, label);
  il_run_trace_set_n_cpus (run, MAX (n_cpus, 2));
  il_run_trace_set_capture (run, IL_CAPTURE_KERNEL);
  il_run_trace_set_n_tasks (run, n_tasks);

  for (guint w = 0; w < n_workers; w++)
    {
      gboolean proc = executor == IL_EXECUTOR_PROCESSES;
      il_run_trace_add_worker (run, proc ? IL_WORKER_PROCESS : IL_WORKER_THREAD,
                               proc ? 881 + (int) w : 4242, proc ? 881 + (int) w : 4250 + (int) w, NULL);
      next_task[w] = w;
      if (startup_ns > 0)
        {
          IlSpan s = { 0, startup_ns - (gint64) (n_workers - 1 - w) * startup_ns / (4 * n_workers),
                       -1, IL_STATE_STARTUP, (guint16) w, -1 };
          IlSpan idle = { s.end_ns, startup_ns, -1, IL_STATE_IDLE, (guint16) w, -1 };
          il_run_trace_append (run, &s);
          il_run_trace_append (run, &idle);
        }
    }
  for (guint k = 0; k < n_tasks; k++)
    left[k] = task_ns;

  while (busy)
    {
      guint slots = gil ? 1 : n_cpus;
      guint ran = 0;
      gboolean *runs = g_new0 (gboolean, n_workers);

      busy = FALSE;
      /* Round robin from rr: the first @slots workers with work run this quantum. */
      for (guint i = 0; i < n_workers && ran < slots; i++)
        {
          guint w = (rr + i) % n_workers;
          if (next_task[w] < n_tasks)
            {
              runs[w] = TRUE;
              ran++;
            }
        }
      rr = (rr + 1) % n_workers;

      for (guint w = 0, cpu = 0; w < n_workers; w++)
        {
          IlSpan s = { t, t + quantum_ns, -1, IL_STATE_IDLE, (guint16) w, -1 };
          guint task = next_task[w];

          if (task < n_tasks)
            {
              s.task = (gint32) task;
              if (runs[w])
                {
                  gint64 d = MIN (quantum_ns, left[task]);
                  s.state = IL_STATE_RUNNING;
                  s.cpu = (gint16) (gil ? (t / quantum_ns) % n_cpus : cpu++ % n_cpus);
                  s.end_ns = t + d;
                  left[task] -= d;
                  il_run_trace_append (run, &s);
                  if (left[task] == 0)
                    {
                      IlTaskRecord *rec = il_run_trace_get_task (run, task);
                      rec->worker = (int) w;
                      rec->end_ns = s.end_ns;
                      rec->status = IL_TASK_OK;
                      next_task[w] += n_workers;
                    }
                  if (s.end_ns < t + quantum_ns)
                    {
                      IlSpan rest = { s.end_ns, t + quantum_ns, -1,
                                      next_task[w] < n_tasks ? (gil ? IL_STATE_GIL_WAIT : IL_STATE_READY)
                                                             : IL_STATE_IDLE,
                                      (guint16) w, -1 };
                      if (next_task[w] < n_tasks)
                        rest.task = (gint32) next_task[w];
                      il_run_trace_append (run, &rest);
                    }
                }
              else
                {
                  s.state = gil ? IL_STATE_GIL_WAIT : IL_STATE_READY;
                  il_run_trace_append (run, &s);
                }
              busy = TRUE;
            }
        }
      g_free (runs);
      t += quantum_ns;
    }

  g_free (left);
  g_free (next_task);
  il_run_trace_compute_summary (run);
  return run;
}

/* The pair the painter's unit tests draw: four threads under the GIL and four processes (30 ms to
 * start), on two CPUs, eight tasks of 100 ms each. */
static inline GPtrArray *
il_test_traces_gil_vs_processes (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_ptr_array_add (runs, il_test_trace_schedule ("gil", IL_EXECUTOR_THREADS, TRUE, 4, 2, 8, 100000000,
                                                 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("procs", IL_EXECUTOR_PROCESSES, FALSE, 4, 2, 8,
                                                 100000000, 5000000, 30000000));
  return runs;
}

/* A dense random trace: @n_workers lanes of @spans_per_lane spans of 200 ns … 20 µs in random
 * states, running on random CPUs of @n_cpus. Seeded, so the same every time. */
static inline IlRunTrace *
il_test_trace_dense (guint n_workers, guint spans_per_lane, guint n_cpus, guint32 seed)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  IlRunTrace *run;
  IlSpan *block = g_new (IlSpan, 4096);

  config->workers = n_workers;
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, "dense synthetic");
  il_run_trace_set_n_cpus (run, n_cpus);
  for (guint w = 0; w < n_workers; w++)
    il_run_trace_add_worker (run, IL_WORKER_THREAD, 1000, 1001 + (int) w, NULL);

  for (guint w = 0; w < n_workers; w++)
    {
      gint64 t = 0;
      gint32 task = (gint32) w;
      guint done = 0;

      while (done < spans_per_lane)
        {
          guint n = MIN (4096, spans_per_lane - done);
          for (guint i = 0; i < n; i++)
            {
              IlSpan *s = &block[i];
              /* Phases of mostly-running and mostly-waiting make structure the eye can compare. */
              gboolean phase = ((t / 2000000) + w) % 3 != 0;
              guint r = g_rand_int_range (rand, 0, 100);
              s->start_ns = t;
              s->end_ns = t + g_rand_int_range (rand, 200, 20000);
              s->worker = (guint16) w;
              s->state = phase ? (r < 70 ? IL_STATE_RUNNING : r < 85 ? IL_STATE_READY : IL_STATE_GIL_WAIT)
                               : (r < 20 ? IL_STATE_RUNNING : r < 60 ? IL_STATE_IO_WAIT : IL_STATE_IDLE);
              s->cpu = s->state == IL_STATE_RUNNING ? (gint16) ((w + (t / 3000000)) % n_cpus) : -1;
              if (g_rand_int_range (rand, 0, 50) == 0)
                task += (gint32) n_workers;
              s->task = s->state == IL_STATE_IDLE ? -1 : task;
              t = s->end_ns;
            }
          il_run_trace_append_many (run, block, n);
          done += n;
        }
    }
  g_free (block);
  return run;
}
