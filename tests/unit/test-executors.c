/* test-executors.c: every executor really runs every task exactly once, records truthful spans
 * (CPUs, affinity, no two workers on one CPU at once), and the lessons' properties hold: a GIL run
 * never exceeds one CPU, processes run in other PIDs, waits overlap, cancel stops and reaps. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-capture.h"
#include "il-executor-kinds.h"
#include "il-run.h"
#include "il-test-util.h"

#if defined(__SANITIZE_ADDRESS__)
#define IL_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define IL_TEST_ASAN 1
#endif
#endif
#ifndef IL_TEST_ASAN
#define IL_TEST_ASAN 0
#endif

static IlRunConfig *
config_new (IlExecutorKind executor, guint workers, IlWorkloadKind workload, guint tasks,
            double task_ms)
{
  IlRunConfig *c = il_run_config_new ();

  c->executor = executor;
  c->workers = workers;
  c->workload = workload;
  c->tasks = tasks;
  c->task_ms = task_ms;
  c->capture = IL_CAPTURE_SELF;
  return c;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y;
}

/* The properties every run must have; returns nothing, asserts. */
static void
check_trace (IlRunTrace *trace, const IlRunConfig *config)
{
  guint n_workers = il_run_trace_get_n_workers (trace);
  guint n_cpus = il_run_trace_get_n_cpus (trace);
  g_autofree int *task_worker = g_new (int, MAX (config->tasks, 1));
  g_autoptr(GPtrArray) per_cpu = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  g_assert_false (il_run_trace_get_live (trace));
  g_assert_false (il_run_trace_get_cancelled (trace));
  g_assert_cmpuint (il_run_trace_get_n_tasks (trace), ==, config->tasks);
  if (config->capture != IL_CAPTURE_AUTO)
    g_assert_cmpint (il_run_trace_get_capture (trace), ==, config->capture);
  else
    g_assert_cmpint (il_run_trace_get_capture (trace), !=, IL_CAPTURE_AUTO);
  g_assert_cmpint (il_run_trace_get_origin_ns (trace), >, 0);
  g_assert_cmpint (il_run_trace_get_origin_ns (trace), <=, il_clock_now_ns ());

  for (guint w = 0; w < n_workers; w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (trace, w);
      g_assert_cmpint (info->pid, >, 0);
      g_assert_cmpint (info->tid, >, 0);
    }

  /* Each task ran once, on one worker, to completion. */
  for (guint t = 0; t < config->tasks; t++)
    {
      const IlTaskRecord *rec = il_run_trace_get_task (trace, t);
      g_assert_cmpint (rec->status, ==, IL_TASK_OK);
      g_assert_cmpint (rec->worker, >=, 0);
      g_assert_cmpint (rec->worker, <, (int) n_workers);
      g_assert_cmpint (rec->start_ns, <=, rec->end_ns);
      task_worker[t] = rec->worker;
    }

  for (guint c = 0; c < n_cpus; c++)
    g_ptr_array_add (per_cpu, g_array_new (FALSE, FALSE, sizeof (gint64) * 2));

  for (guint w = 0; w < n_workers; w++)
    {
      const IlLane *lane = il_run_trace_get_lane (trace, w);
      gint64 last_end = G_MININT64;

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          g_assert_cmpint (s->start_ns, <, s->end_ns);
          g_assert_cmpint (s->start_ns, >=, last_end);
          last_end = s->end_ns;

          /* A task's spans are only on the lane of the worker that ran it. */
          if (s->task >= 0 && s->state != IL_STATE_IDLE)
            {
              g_assert_cmpint (s->task, <, (int) config->tasks);
              g_assert_cmpint (task_worker[s->task], ==, (int) w);
            }

          if (s->state == IL_STATE_RUNNING)
            {
              gint64 iv[2] = { s->start_ns, s->end_ns };
              gboolean allowed = config->cpus == NULL || config->cpus->len == 0;

              g_assert_cmpint (s->cpu, >=, 0);
              g_assert_cmpint (s->cpu, <, (int) n_cpus);
              for (guint k = 0; !allowed && k < config->cpus->len; k++)
                allowed = g_array_index (config->cpus, int, k) == s->cpu;
              if (!allowed)
                g_error ("worker %u ran on CPU %d, outside its CPU set", w, s->cpu);
              g_array_append_val (g_ptr_array_index (per_cpu, s->cpu), iv);
            }
          else
            g_assert_cmpint (s->cpu, ==, -1);
        }
    }

  /* One CPU runs one thread at a time: running spans on a CPU never overlap. (The async executor's
   * lanes share a thread, which cannot overlap itself either.) */
  for (guint c = 0; c < n_cpus; c++)
    {
      GArray *ivs = g_ptr_array_index (per_cpu, c);

      g_array_sort (ivs, cmp_gint64);
      for (guint i = 1; i < ivs->len; i++)
        {
          gint64 prev_end = g_array_index (ivs, gint64, 2 * (i - 1) + 1);
          gint64 start = g_array_index (ivs, gint64, 2 * i);
          if (start < prev_end)
            g_error ("two running spans overlap on CPU %u by %" G_GINT64_FORMAT " ns", c,
                     prev_end - start);
        }
    }

  {
    const IlSummary *sum = il_run_trace_get_summary (trace);
    g_assert_cmpint (sum->wall_ns, >, 0);
    g_assert_cmpfloat (sum->avg_parallelism, <=, MIN (n_cpus, n_workers) + 0.01);
    g_assert_cmpuint (sum->max_parallelism, <=, MIN (n_cpus, n_workers));
  }
}

static IlRunTrace *
run_checked (IlRunConfig *config)
{
  g_autoptr(GError) error = NULL;
  IlRunTrace *trace = il_run_sync (config, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (trace);
  check_trace (trace, config);
  return trace;
}

static void
test_executors_sequential (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_SEQUENTIAL, 4, IL_WORKLOAD_CPU, 4, 20);
  g_autoptr(IlRunTrace) t = run_checked (c);

  /* Sequential ignores `workers`: one lane. */
  g_assert_cmpuint (il_run_trace_get_n_workers (t), ==, 1);
  g_assert_cmpuint (il_run_trace_get_summary (t)->max_parallelism, <=, 1);
  g_assert_cmpint (il_run_trace_get_worker (t, 0)->pid, ==, getpid ());
  g_assert_cmpint (il_run_trace_get_worker (t, 0)->tid, !=, getpid ());
}

static void
test_executors_threads (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 3, IL_WORKLOAD_CPU, 9, 15);
  g_autoptr(IlRunTrace) t = run_checked (c);
  g_autoptr(GHashTable) tids = g_hash_table_new (NULL, NULL);

  g_assert_cmpuint (il_run_trace_get_n_workers (t), ==, 3);
  for (guint w = 0; w < 3; w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (t, w);
      g_assert_cmpint (info->kind, ==, IL_WORKER_THREAD);
      g_assert_cmpint (info->pid, ==, getpid ());
      g_hash_table_add (tids, GINT_TO_POINTER (info->tid));
    }
  g_assert_cmpuint (g_hash_table_size (tids), ==, 3);
  g_assert_cmpint (il_run_trace_get_summary (t)->cpu_ns, >, 9 * 15 * 1000000 / 2);
}

static void
test_executors_threads_gil (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 4, IL_WORKLOAD_CPU, 8, 25);
  g_autoptr(IlRunTrace) t = NULL;
  const IlSummary *sum;

  c->gil = TRUE;
  c->switch_interval_ms = 5;
  t = run_checked (c);
  sum = il_run_trace_get_summary (t);

  g_test_message ("GIL run: avg parallelism %.3f, gil-wait %.1f ms", sum->avg_parallelism,
                  sum->gil_wait_ns / 1e6);
  /* Concurrency without parallelism: never more than one thread running at once. */
  g_assert_cmpfloat (sum->avg_parallelism, <=, 1.05);
  g_assert_cmpuint (sum->max_parallelism, ==, 1);
  /* Four threads, one lock: the others really waited. */
  g_assert_cmpint (sum->gil_wait_ns, >, sum->wall_ns);
}

static void
test_executors_gil_io_overlaps (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 4, IL_WORKLOAD_SLEEP, 8, 60);
  g_autoptr(IlRunTrace) t = NULL;

  c->gil = TRUE;
  t = run_checked (c);
  /* Waits release the GIL, so they overlap: more waiting than the run lasted, which waits taken
   * one at a time (a sleep holding the lock) could never add up to. */
  g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >=, 8 * 60 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >, il_run_trace_get_summary (t)->wall_ns);
}

static void
test_executors_processes (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 6, 20);
  g_autoptr(IlRunTrace) t = run_checked (c);
  int pid0, pid1;

  for (guint w = 0; w < 2; w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (t, w);
      const IlLane *lane = il_run_trace_get_lane (t, w);

      g_assert_cmpint (info->kind, ==, IL_WORKER_PROCESS);
      /* Really another process, and it is gone (reaped) now. */
      g_assert_cmpint (info->pid, !=, getpid ());
      g_assert_cmpint (info->tid, ==, info->pid);
      g_assert_true (kill (info->pid, 0) != 0 && errno == ESRCH);
      /* The start-up is recorded first. */
      g_assert_cmpint (il_lane_get_n_spans (lane), >, 1);
      g_assert_cmpint (il_lane_get_span (lane, 0)->state, ==, IL_STATE_STARTUP);
    }
  pid0 = il_run_trace_get_worker (t, 0)->pid;
  pid1 = il_run_trace_get_worker (t, 1)->pid;
  g_assert_cmpint (pid0, !=, pid1);
}

static void
test_executors_async (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_ASYNC, 8, IL_WORKLOAD_SLEEP, 8, 80);
  g_autoptr(IlRunTrace) t = run_checked (c);
  int tid = il_run_trace_get_worker (t, 0)->tid;

  /* One thread for every coroutine. */
  for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
    g_assert_cmpint (il_run_trace_get_worker (t, w)->tid, ==, tid);
  g_assert_cmpint (tid, !=, getpid ());
  /* The waits overlap on that one thread: more waiting than the run lasted (about 640 ms in
   * about 80). */
  g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >, il_run_trace_get_summary (t)->wall_ns);
}

static void
test_executors_async_cpu (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_ASYNC, 3, IL_WORKLOAD_MIXED, 6, 20);
  g_autoptr(IlRunTrace) t = run_checked (c);

  g_assert_cmpuint (il_run_trace_get_summary (t)->max_parallelism, ==, 1);
  g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >, 0);
}

/* Coroutines waiting for the loop thread are `loop-wait`, never `ready` (which means waiting for a
 * CPU): on an idle machine an event-loop run has no ready time at all. */
static void
test_executors_async_loop_wait (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_ASYNC, 3, IL_WORKLOAD_CPU, 6, 20);
  g_autoptr(IlRunTrace) t = run_checked (c);
  const IlSummary *s = il_run_trace_get_summary (t);

  g_test_message ("loop-wait %" G_GINT64_FORMAT " ns, ready %" G_GINT64_FORMAT
                  " ns, other programs %.3f", s->loop_wait_ns, s->ready_ns, s->other_share);
  /* Three coroutines take turns on one thread: two of them wait for the loop most of the time. */
  g_assert_true (il_run_trace_has_state (t, IL_STATE_LOOP_WAIT));
  g_assert_cmpint (s->loop_wait_ns, >, s->wall_ns);
  /* Only the kernel preempting the loop thread is `ready`: none when nothing else runs. */
  if (isfinite (s->other_share) && s->other_share < 0.02)
    g_assert_cmpint (s->ready_ns, <, s->wall_ns / 100);
  else
    g_test_message ("other programs were busy: ready time is then true, not checked");
}

static void
test_executors_affinity (void)
{
  int last = (int) il_cpu_count () - 1;
  IlExecutorKind kinds[] = { IL_EXECUTOR_THREADS, IL_EXECUTOR_PROCESSES, IL_EXECUTOR_ASYNC };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IlRunConfig) c = config_new (kinds[k], 2, IL_WORKLOAD_CPU, 4, 15);
      g_autoptr(IlRunTrace) t = NULL;

      /* The last CPU, so a default placement on CPU 0 would not pass by luck. */
      g_array_append_val (c->cpus, last);
      t = run_checked (c);   /* check_trace fails on any running span outside the set */
      g_assert_cmpuint (il_run_trace_get_summary (t)->max_parallelism, ==, 1);
      g_assert_cmpfloat (il_run_trace_get_summary (t)->avg_parallelism, <=, 1.05);
    }
}

static void
test_executors_workloads (void)
{
  IlWorkloadKind kinds[] = { IL_WORKLOAD_MEMORY, IL_WORKLOAD_DISK, IL_WORKLOAD_MIXED };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 2, kinds[k], 4, 15);
      g_autoptr(IlRunTrace) t = run_checked (c);

      if (kinds[k] == IL_WORKLOAD_MEMORY)
        g_assert_cmpint (il_run_trace_get_summary (t)->cpu_ns, >, 0);
      else
        g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >, 0);
    }
}

/* Per task of a convoy run: time in io-wait and in gil-wait, from every lane. */
static void
convoy_waits (IlRunTrace *t, guint n_tasks, gint64 *io_wait, gint64 *gil_wait)
{
  for (guint k = 0; k < n_tasks; k++)
    io_wait[k] = gil_wait[k] = 0;
  for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (t, w);

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *s = il_lane_get_span (lane, i);

          if (s->task < 0 || s->task >= (int) n_tasks)
            continue;
          if (s->state == IL_STATE_IO_WAIT)
            io_wait[s->task] += s->end_ns - s->start_ns;
          else if (s->state == IL_STATE_GIL_WAIT)
            gil_wait[s->task] += s->end_ns - s->start_ns;
        }
    }
}

/* The convoy workload: task 0 is the only one that waits, on every executor; under the GIL its
 * returns from I/O queue for the lock behind the computing tasks. */
static void
test_executors_convoy (void)
{
  struct { IlExecutorKind executor; gboolean gil; } runs[] = {
    { IL_EXECUTOR_THREADS, FALSE },
    { IL_EXECUTOR_THREADS, TRUE },
    { IL_EXECUTOR_PROCESSES, FALSE },
    { IL_EXECUTOR_ASYNC, FALSE },
  };
  const guint n_tasks = 4;
  const double task_ms = 30;

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(IlRunConfig) c = config_new (runs[i].executor, 3, IL_WORKLOAD_CONVOY, n_tasks,
                                             task_ms);
      g_autoptr(IlRunTrace) t = NULL;
      gint64 io_wait[4], gil_wait[4];
      const IlTaskRecord *io_task;

      c->gil = runs[i].gil;
      t = run_checked (c);
      convoy_waits (t, n_tasks, io_wait, gil_wait);
      io_task = il_run_trace_get_task (t, 0);

      g_test_message ("convoy on %s%s: task 0 took %.1f ms, io-wait %.1f ms, gil-wait %.1f ms",
                      il_executor_to_string (c->executor), c->gil ? " + GIL" : "",
                      (io_task->end_ns - io_task->start_ns) / 1e6, io_wait[0] / 1e6,
                      gil_wait[0] / 1e6);

      /* Task 0 waited all of its task_ms (every wait is at least as long as asked) … */
      g_assert_cmpint (io_wait[0], >=, (gint64) (task_ms * 1e6) * 9 / 10);
      g_assert_cmpint (io_task->end_ns - io_task->start_ns, >=, (gint64) (task_ms * 1e6));
      /* … and the CPU-bound tasks never wait for I/O. */
      for (guint k = 1; k < n_tasks; k++)
        g_assert_cmpint (io_wait[k], ==, 0);

      /* Each return from a wait needs the GIL back, held by a computing thread. */
      if (runs[i].gil)
        g_assert_cmpint (gil_wait[0], >, 0);
      else
        for (guint k = 0; k < n_tasks; k++)
          g_assert_cmpint (gil_wait[k], ==, 0);
    }
}

static void
test_executors_empty_tasks (void)
{
  IlExecutorKind kinds[] = { IL_EXECUTOR_SEQUENTIAL, IL_EXECUTOR_THREADS, IL_EXECUTOR_PROCESSES,
                             IL_EXECUTOR_ASYNC };

  /* Many tiny tasks fill the rings faster than the periodic drain: nothing may be lost. */
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IlRunConfig) c = config_new (kinds[k], 2, IL_WORKLOAD_CPU, 30000, 0);
      g_autoptr(IlRunTrace) t = run_checked (c);
      (void) t;
    }
}

static void
test_executors_async_many_empty (void)
{
  /* The most tasks a run may have, all empty, on one coroutine: each finishes at once, which must
   * not cost a stack frame per task (it overflowed the loop thread's stack under ASan). */
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_ASYNC, 1, IL_WORKLOAD_CPU, IL_MAX_TASKS, 0);
  g_autoptr(IlRunTrace) t = run_checked (c);

  g_assert_cmpuint (il_run_trace_get_n_tasks (t), ==, IL_MAX_TASKS);
}

static void
test_executors_zero_tasks (void)
{
  IlExecutorKind kinds[] = { IL_EXECUTOR_SEQUENTIAL, IL_EXECUTOR_THREADS, IL_EXECUTOR_PROCESSES,
                             IL_EXECUTOR_ASYNC };

  /* No running span at all: the summary's sweep has nothing to sort (it called qsort (NULL, 0),
   * which the sanitizer build reports). */
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IlRunConfig) c = config_new (kinds[k], 2, IL_WORKLOAD_CPU, 0, 10);
      g_autoptr(GError) error = NULL;
      g_autoptr(IlRunTrace) t = NULL;

      /* The event loop records nothing at all without tasks (no start-up to show): a run of no
       * length, which check_trace() would refuse. */
      if (kinds[k] == IL_EXECUTOR_ASYNC)
        t = il_run_sync (c, NULL, &error);
      else
        t = run_checked (c);
      g_assert_no_error (error);
      g_assert_cmpuint (il_run_trace_get_n_tasks (t), ==, 0);
      g_assert_cmpuint (il_run_trace_get_summary (t)->max_parallelism, ==, 0);
    }
}

typedef struct
{
  GMainLoop    *loop;
  IlRunTrace   *trace;
  GError       *error;
  guint         spans_added;
  guint         progress;
  gboolean      live_seen;
} AsyncData;

static void
spans_added_cb (IlRun *run, AsyncData *d)
{
  d->spans_added++;
  if (il_run_trace_get_live (il_run_get_trace (run)))
    d->live_seen = TRUE;
}

static void
progress_cb (IlRun *run, GParamSpec *pspec, AsyncData *d)
{
  d->progress++;
}

static void
run_done_cb (GObject *object, GAsyncResult *result, gpointer data)
{
  AsyncData *d = data;

  d->trace = il_run_start_finish (IL_RUN (object), result, &d->error);
  g_main_loop_quit (d->loop);
}

static void
test_executors_live (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 2, IL_WORKLOAD_CPU, 4, 60);
  g_autoptr(IlRun) run = il_run_new (c);
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };

  g_signal_connect (run, "spans-added", G_CALLBACK (spans_added_cb), &d);
  g_signal_connect (run, "notify::tasks-done", G_CALLBACK (progress_cb), &d);
  g_assert_cmpuint (il_run_get_tasks_total (run), ==, 4);

  il_run_start_async (run, NULL, run_done_cb, &d);
  g_assert_true (il_run_get_running (run));
  g_assert_nonnull (il_run_get_trace (run));
  g_main_loop_run (d.loop);

  g_assert_no_error (d.error);
  g_assert_nonnull (d.trace);
  g_assert_true (d.trace == il_run_get_trace (run));
  /* The trace grew while the run went on (long spans are split for this), then was closed. */
  g_assert_true (d.live_seen);
  g_assert_cmpuint (d.spans_added, >=, 3);
  g_assert_cmpuint (d.progress, >=, 1);
  g_assert_cmpuint (il_run_get_tasks_done (run), ==, 4);
  g_assert_false (il_run_get_running (run));
  check_trace (d.trace, c);

  il_run_trace_unref (d.trace);
  g_main_loop_unref (d.loop);
}

/* Prepared, a run has a live trace with its lanes and no spans, and no worker: the window paints
 * it first. Its time starts when it is started, however long after. Processes, so a worker
 * spawned too early would show as a pid. */
static void
test_executors_prepare (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 4, 20);
  g_autoptr(IlRun) run = il_run_new (c);
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
  IlRunTrace *prepared;
  gint64 before_start, after_end;

  prepared = il_run_prepare (run);
  g_assert_nonnull (prepared);
  g_assert_true (il_run_prepare (run) == prepared);
  g_assert_true (il_run_get_trace (run) == prepared);
  g_assert_true (il_run_trace_get_live (prepared));
  g_assert_false (il_run_get_running (run));
  g_assert_cmpuint (il_run_trace_get_n_workers (prepared), ==, 2);
  for (guint w = 0; w < 2; w++)
    {
      g_assert_cmpint (il_run_trace_get_worker (prepared, w)->pid, ==, 0);
      g_assert_cmpuint (il_lane_get_n_spans (il_run_trace_get_lane (prepared, w)), ==, 0);
    }

  /* Time passes between the preparation and the start: it must not become the run's. */
  g_usleep (50000);
  before_start = il_clock_now_ns ();
  il_run_start_async (run, NULL, run_done_cb, &d);
  g_main_loop_run (d.loop);
  after_end = il_clock_now_ns ();
  g_assert_no_error (d.error);
  g_assert_true (d.trace == prepared);
  /* The run's time lies within the start and the end, whatever the machine's speed. */
  g_assert_cmpint (il_run_trace_get_origin_ns (d.trace), >=, before_start);
  g_assert_cmpint (il_run_trace_get_summary (d.trace)->wall_ns, <=, after_end - before_start);
  check_trace (d.trace, c);
  il_run_trace_unref (d.trace);
  g_main_loop_unref (d.loop);
}

/* The event a cancel waits for: the run has recorded spans, so its workers are at work. */
static gboolean
run_has_spans (gpointer data)
{
  IlRunTrace *t = il_run_get_trace (data);

  return t != NULL && il_run_trace_get_n_spans (t) > 0;
}

static void
test_executors_cancel (void)
{
  IlExecutorKind kinds[] = { IL_EXECUTOR_THREADS, IL_EXECUTOR_PROCESSES, IL_EXECUTOR_ASYNC };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(IlRunConfig) c = config_new (kinds[k], 2, IL_WORKLOAD_CPU, 6, 2000);
      g_autoptr(IlRun) run = il_run_new (c);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
      IlRunTrace *t;
      guint n_cancelled = 0;

      c->gil = kinds[k] == IL_EXECUTOR_THREADS;
      g_clear_object (&run);
      run = il_run_new (c);

      il_run_start_async (run, cancellable, run_done_cb, &d);
      il_test_wait_for (run_has_spans, run, 60, "the run's first spans");
      g_cancellable_cancel (cancellable);
      g_main_loop_run (d.loop);

      g_assert_error (d.error, IL_ERROR, IL_ERROR_CANCELLED);
      g_assert_null (d.trace);
      g_clear_error (&d.error);

      t = il_run_get_trace (run);
      g_assert_true (il_run_trace_get_cancelled (t));
      g_assert_false (il_run_trace_get_live (t));
      for (guint i = 0; i < il_run_trace_get_n_tasks (t); i++)
        if (il_run_trace_get_task (t, i)->status == IL_TASK_CANCELLED)
          n_cancelled++;
      /* Stopped before any task of 2 s finished, however slow the machine. */
      g_assert_cmpuint (n_cancelled, ==, 6);
      g_assert_cmpuint (il_run_trace_get_n_spans (t), >, 0);

      if (kinds[k] == IL_EXECUTOR_PROCESSES)
        for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
          {
            int pid = il_run_trace_get_worker (t, w)->pid;
            g_assert_cmpint (pid, >, 0);
            /* Killed and reaped: no process, not even a zombie. */
            g_assert_true (kill (pid, 0) != 0 && errno == ESRCH);
          }

      g_main_loop_unref (d.loop);
    }
}

static void
test_executors_bad_config (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 2, 10);
  g_autoptr(GError) error = NULL;
  IlRunTrace *t;

  c->gil = TRUE;
  t = il_run_sync (c, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);

  /* A traced program's configuration describes a recording; the engine cannot run it. */
  c->gil = FALSE;
  c->executor = IL_EXECUTOR_EXTERNAL;
  t = il_run_sync (c, NULL, &error);
  g_assert_null (t);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "interleave-cli trace"));
}

static void
test_executors_worker_missing (void)
{
  /* il_run_get_worker_path() is computed once; run this in a child with another environment. */
  if (g_test_subprocess ())
    {
      g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 2, 10);
      g_autoptr(GError) error = NULL;

      g_setenv ("IL_WORKER_PATH", "/nonexistent/interleave-worker", TRUE);
      g_assert_null (il_run_sync (c, NULL, &error));
      g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* The same properties with the kernel's own switch records, where the kernel allows them. */
static void
test_executors_kernel_capture (void)
{
  g_autoptr(GError) error = NULL;
  IlCapture *probe = il_capture_kernel_new (&error);
  struct { IlExecutorKind executor; gboolean gil; IlWorkloadKind workload; guint workers; } runs[] = {
    { IL_EXECUTOR_THREADS, FALSE, IL_WORKLOAD_MIXED, 4 },
    { IL_EXECUTOR_THREADS, TRUE, IL_WORKLOAD_CPU, 4 },
    { IL_EXECUTOR_PROCESSES, FALSE, IL_WORKLOAD_MIXED, 3 },
    { IL_EXECUTOR_ASYNC, FALSE, IL_WORKLOAD_MIXED, 3 },
  };

  if (probe == NULL)
    {
      g_test_skip (error->message);
      return;
    }
  il_capture_free (probe);

  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(IlRunConfig) c = config_new (runs[i].executor, runs[i].workers, runs[i].workload,
                                             8, 20);
      g_autoptr(IlRunTrace) t = NULL;
      const IlSummary *sum;
      int last = (int) il_cpu_count () - 1;

      c->capture = IL_CAPTURE_KERNEL;
      c->gil = runs[i].gil;
      t = run_checked (c);
      sum = il_run_trace_get_summary (t);
      g_assert_cmpint (sum->cpu_ns, >, 0);
      if (runs[i].gil || runs[i].executor == IL_EXECUTOR_ASYNC)
        g_assert_cmpfloat (sum->avg_parallelism, <=, 1.05);
      if (runs[i].gil)
        g_assert_cmpint (sum->gil_wait_ns, >, 0);

      /* Pinned: the kernel's CPU numbers must all be the allowed one. */
      g_clear_pointer (&t, il_run_trace_unref);
      g_array_append_val (c->cpus, last);
      t = run_checked (c);
    }
}

/* ---- the process pool survives ---------------------------------------------------------- */

typedef struct
{
  GMainLoop    *loop;
  IlRunTrace   *trace;
  GError       *error;
  guint         trigger;     /* act once this many tasks are done */
  int           signal;      /* sent to lane 1's worker */
  int           victim;      /* its pid, once sent */
  GCancellable *cancellable;
  char         *warning;     /* the first warning seen */
} KillData;

/* Has lane @lane's worker process said it is ready? Its start-up span is drawn then. Its pid
 * (and, for a process lane, its tid) is in the trace from the spawn on, so it says nothing: a
 * worker killed before it is ready dies in start-up, which fails no task (its replacement runs
 * them all), and the worker-dies test failed 1 run in 15 on a busy machine under ASan, where a
 * worker's start-up can outlast the other lane's first three tasks. */
static gboolean
lane_ready (IlRunTrace *t, guint lane)
{
  const IlLane *spans = il_run_trace_get_lane (t, lane);

  for (guint i = 0; i < il_lane_get_n_spans (spans); i++)
    if (il_lane_get_span (spans, i)->state == IL_STATE_STARTUP)
      return TRUE;
  return FALSE;
}

static void
kill_progress_cb (IlRun *run, GParamSpec *pspec, KillData *d)
{
  const IlWorkerInfo *info;

  if (d->victim != 0 || il_run_get_tasks_done (run) < d->trigger)
    return;
  info = il_run_trace_get_worker (il_run_get_trace (run), 1);
  if (info->pid <= 0 || !lane_ready (il_run_get_trace (run), 1))
    return;   /* not ready yet: wait for the next task */
  d->victim = info->pid;
  g_assert_cmpint (kill (d->victim, d->signal), ==, 0);
}

static void
kill_warning_cb (IlRun *run, GParamSpec *pspec, KillData *d)
{
  const char *warning = il_run_get_warning (run);

  /* On a busy machine another warning may come first (a starved worker is silent): wait for
   * the one this test causes. */
  if (warning == NULL || d->warning != NULL ||
      strstr (warning, d->cancellable != NULL ? "is stopped" : "took its place") == NULL)
    return;
  d->warning = g_strdup (warning);
  /* A stopped worker: the run waits for it; Stop must end it. */
  if (d->cancellable != NULL)
    g_cancellable_cancel (d->cancellable);
}

static void
kill_done_cb (GObject *object, GAsyncResult *result, gpointer data)
{
  KillData *d = data;

  d->trace = il_run_start_finish (IL_RUN (object), result, &d->error);
  if (d->trace == NULL)
    d->trace = il_run_trace_ref (il_run_get_trace (IL_RUN (object)));
  g_main_loop_quit (d->loop);
}

/* Runs @c, sending @sig to lane 1's worker process once @trigger tasks are done. */
static void
run_and_signal (const IlRunConfig *c, int sig, guint trigger, GCancellable *cancellable,
                KillData *d)
{
  g_autoptr(IlRun) run = il_run_new (c);

  memset (d, 0, sizeof *d);
  d->loop = g_main_loop_new (NULL, FALSE);
  d->trigger = trigger;
  d->signal = sig;
  d->cancellable = cancellable;
  g_signal_connect (run, "notify::tasks-done", G_CALLBACK (kill_progress_cb), d);
  g_signal_connect (run, "notify::warning", G_CALLBACK (kill_warning_cb), d);
  il_run_start_async (run, cancellable, kill_done_cb, d);
  g_main_loop_run (d->loop);
  g_main_loop_unref (d->loop);
  g_assert_cmpint (d->victim, >, 0);
}

static void
kill_data_clear (KillData *d)
{
  g_clear_pointer (&d->trace, il_run_trace_unref);
  g_clear_error (&d->error);
  g_clear_pointer (&d->warning, g_free);
}

static guint
count_status (IlRunTrace *t, IlTaskStatus status)
{
  guint n = 0;

  for (guint i = 0; i < il_run_trace_get_n_tasks (t); i++)
    if (il_run_trace_get_task (t, i)->status == status)
      n++;
  return n;
}

static gboolean
process_gone (int pid)
{
  return kill (pid, 0) != 0 && errno == ESRCH;
}

/* Asserts what a dead worker leaves: one failed task with @cause on @lane, every other task
 * done, the lane's new process after the old pid, nothing left running. */
static void
check_survived (IlRunTrace *t, GError *error, guint lane, int old_pid, const char *cause)
{
  const IlWorkerInfo *info = il_run_trace_get_worker (t, lane);
  const IlLane *spans = il_run_trace_get_lane (t, lane);
  const IlTaskRecord *failed = NULL;
  guint n_previous = 0, n_startup = 0;
  const int *previous = il_run_trace_get_previous_pids (t, lane, &n_previous);

  /* The run completed, and says one task failed and why. */
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "1 task failed"));
  g_assert_false (il_run_trace_get_cancelled (t));
  g_assert_cmpuint (count_status (t, IL_TASK_FAILED), ==, 1);
  g_assert_cmpuint (count_status (t, IL_TASK_OK), ==, il_run_trace_get_n_tasks (t) - 1);
  for (guint i = 0; i < il_run_trace_get_n_tasks (t); i++)
    if (il_run_trace_get_task (t, i)->status == IL_TASK_FAILED)
      failed = il_run_trace_get_task (t, i);
    else
      g_assert_null (il_run_trace_get_task_error (t, i));
  g_assert_cmpint (failed->worker, ==, (int) lane);
  g_assert_cmpstr (il_run_trace_get_task_error (t, failed->id), ==, cause);

  /* The lane kept the dead pid and has a new worker that started up after it. */
  g_assert_cmpuint (n_previous, ==, 1);
  g_assert_cmpint (previous[0], ==, old_pid);
  g_assert_cmpint (info->pid, >, 0);
  g_assert_cmpint (info->pid, !=, old_pid);
  for (guint i = 0; i < il_lane_get_n_spans (spans); i++)
    {
      const IlSpan *s = il_lane_get_span (spans, i);
      if (s->state == IL_STATE_STARTUP)
        {
          n_startup++;
          if (n_startup == 2)
            g_assert_cmpint (s->start_ns, >=, failed->start_ns);
        }
    }
  g_assert_cmpuint (n_startup, ==, 2);

  /* Nothing is left behind. */
  g_assert_true (process_gone (old_pid));
  for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
    g_assert_true (process_gone (il_run_trace_get_worker (t, w)->pid));
}

/* Under AddressSanitizer the workers of the run sent SIGSEGV start without ASan's handler for it
 * (handle_segv=0 appended: the last setting wins), so the signal kills them as in any other
 * build. With the handler, the worker this test sends SIGSEGV wrote a complete "ERROR:
 * AddressSanitizer: SEGV on unknown address" report before exiting with status 1: the "address"
 * is the sender's pid and uid (what kill() puts where a fault's address goes in siginfo_t), the
 * stack wherever its task was (often the vDSO's clock_gettime under il_recorder_observe), and in
 * a log where every test passed it was taken for a real crash. Only this run's workers lose the
 * handler, and the test asserts they die of the very signal it sends; every other process keeps
 * it, so a real fault is still reported. Returns the ASAN_OPTIONS to restore (NULL: unset). */
static char *
segv_workers_begin (void)
{
  const char *old = g_getenv ("ASAN_OPTIONS");
  char *saved = g_strdup (old);
#if IL_TEST_ASAN
  g_autofree char *options = g_strconcat (old != NULL ? old : "", ":handle_segv=0", NULL);

  g_setenv ("ASAN_OPTIONS", options, TRUE);
#endif
  return saved;
}

static void
segv_workers_end (char *old)
{
#if IL_TEST_ASAN
  if (old != NULL)
    g_setenv ("ASAN_OPTIONS", old, TRUE);
  else
    g_unsetenv ("ASAN_OPTIONS");
#endif
  g_free (old);
}

static void
test_executors_worker_dies (void)
{
  struct { int sig; const char *cause; } deaths[] = {
    { SIGKILL, "killed by SIGKILL" },
    { SIGSEGV, "killed by SIGSEGV" },
    { SIGTERM, "killed by SIGTERM" },
  };
  struct rlimit no_core = { 0, 0 };

  /* The workers inherit it: a SIGSEGV writes no core file. */
  setrlimit (RLIMIT_CORE, &no_core);

  for (guint i = 0; i < G_N_ELEMENTS (deaths); i++)
    {
      /* Enough work that some is left when the death is seen: a worker only gets a replacement
       * while there are tasks to run. */
      g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 64, 30);
      char *asan_options = deaths[i].sig == SIGSEGV ? segv_workers_begin () : NULL;
      KillData d;

      run_and_signal (c, deaths[i].sig, 3, NULL, &d);
      if (deaths[i].sig == SIGSEGV)
        segv_workers_end (asan_options);
      g_test_message ("%s: %s", deaths[i].cause, d.error ? d.error->message : "no error");
      check_survived (d.trace, d.error, 1, d.victim, deaths[i].cause);
      /* The replacement was announced while the run went on. */
      g_assert_nonnull (d.warning);
      g_assert_nonnull (strstr (d.warning, "took its place"));
      kill_data_clear (&d);
    }
}

/* A worker that exits (here: its wrapper exits with status 3 after its worker is gone). */
static void
test_executors_worker_exits (void)
{
  if (g_test_subprocess ())
    {
      /* 24 × 40 ms on 2 workers: the run lasts well beyond the wrapper's 0.3 s (with 12 tasks
       * it could end before, once workers started in a millisecond). */
      g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 24, 40);
      g_autoptr(IlRun) run = il_run_new (c);
      AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
      IlRunTrace *t;
      guint n_previous = 0;

      il_run_start_async (run, NULL, run_done_cb, &d);
      g_main_loop_run (d.loop);
      g_assert_error (d.error, IL_ERROR, IL_ERROR_FAILED);
      g_assert_nonnull (strstr (d.error->message, "1 task failed"));
      g_assert_nonnull (strstr (d.error->message, "exited with status 3"));
      t = il_run_get_trace (run);
      g_assert_cmpuint (count_status (t, IL_TASK_FAILED), ==, 1);
      g_assert_cmpuint (count_status (t, IL_TASK_OK), ==, 23);
      for (guint i = 0; i < 24; i++)
        if (il_run_trace_get_task (t, i)->status == IL_TASK_FAILED)
          {
            int lane = il_run_trace_get_task (t, i)->worker;

            g_assert_cmpstr (il_run_trace_get_task_error (t, i), ==, "exited with status 3");
            g_assert_nonnull (il_run_trace_get_previous_pids (t, (guint) lane, &n_previous));
            g_assert_cmpuint (n_previous, ==, 1);
          }
      g_clear_error (&d.error);
      g_main_loop_unref (d.loop);
      return;
    }
  else
    {
      g_autofree char *dir = il_test_tmpdir_new ("il-test");
      g_autofree char *script = g_build_filename (dir, "worker.sh", NULL);
      const char *text =
        "#!/bin/sh\n"
        "# The first worker started runs a while, then its wrapper kills it and exits with 3.\n"
        "if mkdir \"$0.died\" 2>/dev/null; then\n"
        "  exec 3<&0\n"
        "  \"$IL_TEST_REAL_WORKER\" 0<&3 3<&- &\n"
        "  sleep 0.3\n"
        "  kill -9 $!\n"
        "  wait $!\n"
        "  exit 3\n"
        "fi\n"
        "exec \"$IL_TEST_REAL_WORKER\"\n";

      g_assert_true (g_file_set_contents (script, text, -1, NULL));
      g_assert_cmpint (g_chmod (script, 0755), ==, 0);
      g_autofree char *old_path = g_strdup (g_getenv ("IL_WORKER_PATH"));

      g_setenv ("IL_WORKER_PATH", script, TRUE);
      g_setenv ("IL_TEST_REAL_WORKER", IL_BUILD_WORKER, TRUE);
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
      if (old_path != NULL)
        g_setenv ("IL_WORKER_PATH", old_path, TRUE);
      else
        g_unsetenv ("IL_WORKER_PATH");
      g_unsetenv ("IL_TEST_REAL_WORKER");
      il_test_remove_tree (dir);
      g_test_trap_assert_passed ();
    }
}

static void
test_executors_worker_stopped (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 12, 40);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  KillData d;

  /* SIGSTOP: the worker holds its task and says nothing. The run reports it (the warning
   * cancels, as a user pressing Stop would), and the stop ends the run cleanly. */
  run_and_signal (c, SIGSTOP, 2, cancellable, &d);
  g_assert_nonnull (d.warning);
  g_test_message ("warning: %s", d.warning);
  g_assert_nonnull (strstr (d.warning, "is stopped"));
  g_assert_error (d.error, IL_ERROR, IL_ERROR_CANCELLED);
  g_assert_true (il_run_trace_get_cancelled (d.trace));
  /* The stopped worker's task never finished: cancelled, like the ones never started. */
  g_assert_cmpuint (count_status (d.trace, IL_TASK_FAILED), ==, 0);
  g_assert_cmpuint (count_status (d.trace, IL_TASK_PENDING), ==, 0);
  g_assert_cmpuint (count_status (d.trace, IL_TASK_CANCELLED), >=, 1);
  g_assert_true (process_gone (d.victim));
  kill_data_clear (&d);
}

static void
silent_warning_cb (IlRun *run, GParamSpec *pspec, GCancellable *cancellable)
{
  if (il_run_get_warning (run) != NULL)
    {
      g_test_message ("warning: %s", il_run_get_warning (run));
      g_assert_nonnull (strstr (il_run_get_warning (run), "has sent nothing"));
      g_cancellable_cancel (cancellable);
    }
}

/* A worker that is alive and not stopped but never answers (here: a program that only sleeps):
 * reported as silent, and Stop ends the run. */
static void
test_executors_worker_silent (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 1, IL_WORKLOAD_CPU, 2, 10);
      g_autoptr(IlRun) run = il_run_new (c);
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
      IlRunTrace *t;

      g_signal_connect (run, "notify::warning", G_CALLBACK (silent_warning_cb), cancellable);
      il_run_start_async (run, cancellable, run_done_cb, &d);
      g_main_loop_run (d.loop);
      g_assert_error (d.error, IL_ERROR, IL_ERROR_CANCELLED);
      t = il_run_get_trace (run);
      g_assert_true (il_run_trace_get_cancelled (t));
      g_assert_cmpuint (count_status (t, IL_TASK_CANCELLED), ==, 2);
      g_assert_true (process_gone (il_run_trace_get_worker (t, 0)->pid));
      g_clear_error (&d.error);
      g_main_loop_unref (d.loop);
      return;
    }
  else
    {
      g_autofree char *dir = il_test_tmpdir_new ("il-test");
      g_autofree char *script = g_build_filename (dir, "worker.sh", NULL);
      g_autofree char *old_path = g_strdup (g_getenv ("IL_WORKER_PATH"));

      g_assert_true (g_file_set_contents (script, "#!/bin/sh\nexec sleep 60\n", -1, NULL));
      g_assert_cmpint (g_chmod (script, 0755), ==, 0);
      g_setenv ("IL_WORKER_PATH", script, TRUE);
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      if (old_path != NULL)
        g_setenv ("IL_WORKER_PATH", old_path, TRUE);
      else
        g_unsetenv ("IL_WORKER_PATH");
      il_test_remove_tree (dir);
      g_test_trap_assert_passed ();
    }
}

static void
test_executors_spawn_interruptible (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, IL_MAX_WORKERS, IL_WORKLOAD_CPU,
                                         IL_MAX_WORKERS, 100);
  g_autoptr(IlRun) run = il_run_new (c);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
  IlRunTrace *t;
  guint spawned = 0;

  /* The cancel comes right after the start, while the workers are being spawned (each spawn
   * takes a millisecond or more; they used to be spawned all before the start returned): the
   * rest are never started, and the ones that were are gone. */
  il_run_start_async (run, cancellable, run_done_cb, &d);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (d.loop);

  g_assert_error (d.error, IL_ERROR, IL_ERROR_CANCELLED);
  g_clear_error (&d.error);
  t = il_run_get_trace (run);
  for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
    {
      int pid = il_run_trace_get_worker (t, w)->pid;
      if (pid > 0)
        {
          spawned++;
          g_assert_true (process_gone (pid));
        }
    }
  g_test_message ("%u of %d workers spawned before the cancel", spawned, IL_MAX_WORKERS);
  g_assert_cmpuint (spawned, <, IL_MAX_WORKERS);
  g_assert_cmpuint (count_status (t, IL_TASK_FAILED), ==, 0);
  g_main_loop_unref (d.loop);
}

/* A $TMPDIR that cannot be written: every executor stops with the cause as the run's error. */
static void
test_executors_disk_error (void)
{
  if (g_test_subprocess ())
    {
      IlExecutorKind kinds[] = { IL_EXECUTOR_SEQUENTIAL, IL_EXECUTOR_THREADS,
                                 IL_EXECUTOR_PROCESSES, IL_EXECUTOR_ASYNC };

      for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
        {
          g_autoptr(IlRunConfig) c = config_new (kinds[k], 2, IL_WORKLOAD_DISK, 8, 10);
          g_autoptr(IlRun) run = il_run_new (c);
          AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
          IlRunTrace *t;
          guint n_failed;

          il_run_start_async (run, NULL, run_done_cb, &d);
          g_main_loop_run (d.loop);
          g_test_message ("%s: %s", il_executor_to_string (kinds[k]),
                          d.error ? d.error->message : "no error");
          g_assert_error (d.error, IL_ERROR, IL_ERROR_FAILED);
          g_assert_nonnull (strstr (d.error->message, "/nonexistent/il-tmp"));
          t = il_run_get_trace (run);
          g_assert_false (il_run_trace_get_cancelled (t));
          /* The tasks that tried failed; the others never started. */
          n_failed = count_status (t, IL_TASK_FAILED);
          g_assert_cmpuint (n_failed, >=, 1);
          g_assert_cmpuint (n_failed, <=, 2);
          g_assert_cmpuint (count_status (t, IL_TASK_OK), ==, 0);
          g_assert_cmpuint (n_failed + count_status (t, IL_TASK_CANCELLED), ==, 8);
          g_clear_error (&d.error);
          g_main_loop_unref (d.loop);
        }
      return;
    }
  g_setenv ("TMPDIR", "/nonexistent/il-tmp", TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_unsetenv ("TMPDIR");
  g_test_trap_assert_passed ();
}

static void
test_executors_memory_bound (void)
{
  guint64 physical = (guint64) sysconf (_SC_PHYS_PAGES) * (guint64) sysconf (_SC_PAGESIZE);
  gsize buffer = il_workload_get_memory_buffer_bytes ();
  guint too_many = (guint) (physical / 2 / buffer) + 1;
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 1, IL_WORKLOAD_MEMORY, 4, 10);
  g_autoptr(GError) error = NULL;

  g_assert_true (il_run_config_validate (c, &error));
  g_assert_no_error (error);

  if (too_many > IL_MAX_WORKERS)
    {
      g_test_skip ("this machine has memory for the most workers' buffers");
      return;
    }
  /* Just past half the memory: refused, saying why. */
  c->workers = too_many;
  g_assert_false (il_run_config_validate (c, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "memory"));
  g_clear_error (&error);
  /* One below: fine. Threads share one buffer: any number is fine. */
  c->workers = too_many - 1;
  g_assert_true (il_run_config_validate (c, NULL));
  c->workers = too_many;
  c->executor = IL_EXECUTOR_THREADS;
  g_assert_true (il_run_config_validate (c, NULL));
}

static void
test_executors_worker_path (void)
{
  const char *root = "/tmp/build";
  const char *build = "/tmp/build/src/worker/interleave-worker";
  const char *installed = "/usr/libexec/interleave-worker";
  struct { const char *env, *exe, *expect; } cases[] = {
    /* Uninstalled: a program of the build folder uses the build's worker. */
    { NULL, "/tmp/build/src/cli/interleave-cli", build },
    { "", "/tmp/build/tests/unit/test-executors", build },
    /* Installed: never the build folder's, whatever lies there. */
    { NULL, "/usr/bin/interleave-cli", installed },
    { NULL, "/tmp/build-other/interleave-cli", installed },
    { NULL, "/tmp/buildinterleave-cli", installed },
    { NULL, NULL, installed },
    /* The environment decides when set. */
    { "/opt/w", "/usr/bin/interleave-cli", "/opt/w" },
    { "/opt/w", "/tmp/build/src/cli/interleave-cli", "/opt/w" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = il_executor_choose_worker_path (cases[i].env, cases[i].exe, root,
                                                              build, installed);
      g_assert_cmpstr (path, ==, cases[i].expect);
    }
  /* This test runs from the build folder: without $IL_WORKER_PATH it would use the build's. */
  {
    g_autofree char *exe = realpath ("/proc/self/exe", NULL);
    g_autofree char *build_root = realpath (IL_BUILD_ROOT, NULL);
    g_autofree char *path = il_executor_choose_worker_path (NULL, exe, build_root, IL_BUILD_WORKER,
                                                            installed);

    g_assert_cmpstr (path, ==, IL_BUILD_WORKER);
  }
}

/* The threads executor is GLib's thread pool: its lanes' threads are the pool's (named so by
 * GLib), one lane each. */
static void
pool_names_cb (IlRun *run, GHashTable *names)
{
  IlRunTrace *t = il_run_get_trace (run);

  for (guint w = 0; w < il_run_trace_get_n_workers (t); w++)
    {
      int tid = il_run_trace_get_worker (t, w)->tid;
      g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/comm", tid);
      g_autofree char *comm = NULL;

      if (tid > 0 && !g_hash_table_contains (names, GINT_TO_POINTER (tid)) &&
          g_file_get_contents (path, &comm, NULL, NULL))
        g_hash_table_insert (names, GINT_TO_POINTER (tid), g_strstrip (g_steal_pointer (&comm)));
    }
}

static void
test_executors_thread_pool (void)
{
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_THREADS, 3, IL_WORKLOAD_CPU, 12, 30);
  g_autoptr(IlRun) run = il_run_new (c);
  g_autoptr(GHashTable) names = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0, 0, FALSE };
  GHashTableIter iter;
  gpointer value;

  g_signal_connect (run, "spans-added", G_CALLBACK (pool_names_cb), names);
  il_run_start_async (run, NULL, run_done_cb, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  check_trace (d.trace, c);

  g_assert_cmpuint (g_hash_table_size (names), ==, 3);
  g_hash_table_iter_init (&iter, names);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_assert_true (g_str_has_prefix (value, "pool"));

  il_run_trace_unref (d.trace);
  g_main_loop_unref (d.loop);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/executors/sequential", test_executors_sequential);
  g_test_add_func ("/executors/threads", test_executors_threads);
  g_test_add_func ("/executors/threads-gil", test_executors_threads_gil);
  g_test_add_func ("/executors/gil-io-overlaps", test_executors_gil_io_overlaps);
  g_test_add_func ("/executors/processes", test_executors_processes);
  g_test_add_func ("/executors/async", test_executors_async);
  g_test_add_func ("/executors/async-cpu", test_executors_async_cpu);
  g_test_add_func ("/executors/async-loop-wait", test_executors_async_loop_wait);
  g_test_add_func ("/executors/affinity", test_executors_affinity);
  g_test_add_func ("/executors/workloads", test_executors_workloads);
  g_test_add_func ("/executors/convoy", test_executors_convoy);
  g_test_add_func ("/executors/empty-tasks", test_executors_empty_tasks);
  g_test_add_func ("/executors/async-many-empty", test_executors_async_many_empty);
  g_test_add_func ("/executors/zero-tasks", test_executors_zero_tasks);
  g_test_add_func ("/executors/live", test_executors_live);
  g_test_add_func ("/executors/prepare", test_executors_prepare);
  g_test_add_func ("/executors/cancel", test_executors_cancel);
  g_test_add_func ("/executors/kernel-capture", test_executors_kernel_capture);
  g_test_add_func ("/executors/bad-config", test_executors_bad_config);
  g_test_add_func ("/executors/worker-missing", test_executors_worker_missing);
  g_test_add_func ("/executors/worker-dies", test_executors_worker_dies);
  g_test_add_func ("/executors/worker-exits", test_executors_worker_exits);
  g_test_add_func ("/executors/worker-stopped", test_executors_worker_stopped);
  g_test_add_func ("/executors/worker-silent", test_executors_worker_silent);
  g_test_add_func ("/executors/spawn-interruptible", test_executors_spawn_interruptible);
  g_test_add_func ("/executors/disk-error", test_executors_disk_error);
  g_test_add_func ("/executors/memory-bound", test_executors_memory_bound);
  g_test_add_func ("/executors/worker-path", test_executors_worker_path);
  g_test_add_func ("/executors/thread-pool", test_executors_thread_pool);

  return g_test_run ();
}
