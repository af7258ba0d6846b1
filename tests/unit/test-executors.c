/* test-executors.c: every executor really runs every task exactly once, records truthful spans
 * (CPUs, affinity, no two workers on one CPU at once), and the lessons' properties hold: a GIL run
 * never exceeds one CPU, processes run in other PIDs, waits overlap, cancel stops and reaps. */
#include "config.h"

#include <math.h>

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-capture.h"
#include "il-run.h"

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
  /* Waits release the GIL: 8 × 60 ms on 4 threads takes about 120 ms, not 480. */
  g_assert_cmpint (il_run_trace_get_summary (t)->wall_ns, <, 300 * 1000000);
  g_assert_cmpint (il_run_trace_get_summary (t)->io_wait_ns, >=, 8 * 60 * G_GINT64_CONSTANT (1000000));
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
  /* The waits overlap on that one thread: about 80 ms, far from 640. */
  g_assert_cmpint (il_run_trace_get_summary (t)->wall_ns, <, 300 * 1000000);
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
  g_autoptr(IlRunConfig) c = config_new (IL_EXECUTOR_PROCESSES, 2, IL_WORKLOAD_CPU, 0, 10);
  g_autoptr(IlRunTrace) t = run_checked (c);

  g_assert_cmpuint (il_run_trace_get_n_tasks (t), ==, 0);
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

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
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
      gint64 t0 = il_clock_now_ns ();
      guint n_cancelled = 0;

      c->gil = kinds[k] == IL_EXECUTOR_THREADS;
      g_clear_object (&run);
      run = il_run_new (c);

      il_run_start_async (run, cancellable, run_done_cb, &d);
      g_timeout_add (150, cancel_cb, cancellable);
      g_main_loop_run (d.loop);

      g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (d.trace);
      g_clear_error (&d.error);
      /* Stopped long before 6 × 2 s of work would have finished. */
      g_assert_cmpint (il_clock_now_ns () - t0, <, 5 * G_GINT64_CONSTANT (1000000000));

      t = il_run_get_trace (run);
      g_assert_true (il_run_trace_get_cancelled (t));
      g_assert_false (il_run_trace_get_live (t));
      for (guint i = 0; i < il_run_trace_get_n_tasks (t); i++)
        if (il_run_trace_get_task (t, i)->status == IL_TASK_CANCELLED)
          n_cancelled++;
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
  g_test_add_func ("/executors/cancel", test_executors_cancel);
  g_test_add_func ("/executors/kernel-capture", test_executors_kernel_capture);
  g_test_add_func ("/executors/bad-config", test_executors_bad_config);
  g_test_add_func ("/executors/worker-missing", test_executors_worker_missing);

  return g_test_run ();
}
