/* test-trace.c: the trace model: lanes in chunks, ordering and clipping, range queries, tasks and
 * the summary (parallelism, waits). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-trace.h"

static IlSpan
make_span (guint worker, IlState state, int cpu, int task, gint64 start, gint64 end)
{
  IlSpan s = { 0 };

  s.worker = (guint16) worker;
  s.state = state;
  s.cpu = (gint16) cpu;
  s.task = task;
  s.start_ns = start;
  s.end_ns = end;
  return s;
}

static IlRunTrace *
new_trace (guint n_workers)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *trace = il_run_trace_new (config);

  for (guint i = 0; i < n_workers; i++)
    g_assert_cmpuint (il_run_trace_add_worker (trace, IL_WORKER_THREAD, 100, 200 + i, NULL), ==, i);
  return trace;
}

static void
test_trace_append_and_query (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (2);
  const IlLane *lane;
  IlSpan s;
  guint64 gen;

  s = make_span (0, IL_STATE_RUNNING, 1, 3, 100, 200);
  il_run_trace_append (trace, &s);
  s = make_span (0, IL_STATE_IO_WAIT, -1, 3, 200, 500);
  il_run_trace_append (trace, &s);
  gen = il_run_trace_get_generation (trace);
  s = make_span (1, IL_STATE_IDLE, -1, -1, 0, 50);
  il_run_trace_append (trace, &s);
  g_assert_cmpuint (il_run_trace_get_generation (trace), >, gen);

  g_assert_cmpuint (il_run_trace_get_n_spans (trace), ==, 3);
  g_assert_cmpint (il_run_trace_get_end_ns (trace), ==, 500);

  lane = il_run_trace_get_lane (trace, 0);
  g_assert_cmpuint (il_lane_get_n_spans (lane), ==, 2);
  g_assert_cmpint (il_lane_get_span (lane, 0)->cpu, ==, 1);
  g_assert_cmpint (il_lane_get_span (lane, 0)->task, ==, 3);
  g_assert_cmpint (il_lane_get_span (lane, 1)->state, ==, IL_STATE_IO_WAIT);

  /* find: the first span ending after t */
  g_assert_cmpuint (il_lane_find (lane, 0), ==, 0);
  g_assert_cmpuint (il_lane_find (lane, 199), ==, 0);
  g_assert_cmpuint (il_lane_find (lane, 200), ==, 1);
  g_assert_cmpuint (il_lane_find (lane, 500), ==, 2);
}

static void
test_trace_clip_and_drop (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (1);
  const IlLane *lane = il_run_trace_get_lane (trace, 0);
  IlSpan s;

  s = make_span (0, IL_STATE_RUNNING, 0, 0, 100, 200);
  il_run_trace_append (trace, &s);
  /* Starts before the previous one ends: clipped to start at 200. */
  s = make_span (0, IL_STATE_READY, -1, 0, 150, 300);
  il_run_trace_append (trace, &s);
  /* Zero length, and entirely before the last end: dropped. */
  s = make_span (0, IL_STATE_RUNNING, 0, 0, 300, 300);
  il_run_trace_append (trace, &s);
  s = make_span (0, IL_STATE_RUNNING, 0, 0, 120, 180);
  il_run_trace_append (trace, &s);

  g_assert_cmpuint (il_lane_get_n_spans (lane), ==, 2);
  g_assert_cmpint (il_lane_get_span (lane, 1)->start_ns, ==, 200);
  g_assert_cmpint (il_lane_get_span (lane, 1)->end_ns, ==, 300);
}

static gboolean
count_cb (const IlSpan *span, gpointer data)
{
  guint *n = data;
  (*n)++;
  return TRUE;
}

/* A lane of a span or two costs a few hundred bytes, not a whole chunk: a trace of 65 535 threads
 * took 6 GB for nothing. */
static void
test_trace_small_lanes (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (1000);

  for (guint w = 0; w < 1000; w++)
    for (guint k = 0; k < 2; k++)
      {
        IlSpan s = make_span ((int) w, IL_STATE_RUNNING, 0, (int) w, k * 100, k * 100 + 50);
        il_run_trace_append (trace, &s);
      }
  /* 16 spans of 24 bytes per lane, at most. */
  g_assert_cmpuint (il_run_trace_get_span_bytes (trace), <=, 1000 * 16 * sizeof (IlSpan));
  for (guint w = 0; w < 1000; w++)
    g_assert_cmpuint (il_lane_get_n_spans (il_run_trace_get_lane (trace, w)), ==, 2);
}

static void
test_trace_chunks_stay_put (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (1);
  const IlLane *lane = il_run_trace_get_lane (trace, 0);
  const guint n = 100000;
  const IlSpan *first = NULL, *block;
  guint total = 0, i, count = 0;

  for (i = 0; i < n; i++)
    {
      IlSpan s = make_span (0, i % 2 ? IL_STATE_READY : IL_STATE_RUNNING, i % 2 ? -1 : 0, (int) i,
                            (gint64) i * 10, (gint64) i * 10 + 10);
      il_run_trace_append (trace, &s);
      /* The first chunk grows by doubling up to 4096 spans; from then on nothing moves. */
      if (i == 4096)
        first = il_lane_get_span (lane, 0);
    }

  /* Appending past the first chunk never moved what was recorded. */
  g_assert_true (first == il_lane_get_span (lane, 0));
  g_assert_cmpuint (il_lane_get_n_spans (lane), ==, n);

  /* Blocks cover every span exactly once, in order. */
  for (i = 0; i < n; i += count)
    {
      count = il_lane_get_block (lane, i, &block);
      g_assert_cmpuint (count, >, 0);
      g_assert_cmpint (block[0].start_ns, ==, (gint64) i * 10);
      g_assert_cmpint (block[count - 1].task, ==, (int) (i + count - 1));
      total += count;
    }
  g_assert_cmpuint (total, ==, n);

  /* Spans intersecting [1005, 2005): those starting at 1000 … 2000. */
  il_lane_foreach_in_range (lane, 1005, 2005, count_cb, &total);
  g_assert_cmpuint (total, ==, n + 101);

  g_assert_cmpuint (il_lane_find (lane, 10 * 5000 + 5), ==, 5000);
  g_assert_cmpuint (il_run_trace_get_span_bytes (trace), >=, n * sizeof (IlSpan));
  g_assert_cmpuint (il_run_trace_get_span_bytes (trace), <=, n * sizeof (IlSpan) * 3 / 2);
}

static void
test_trace_summary (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (3);
  const IlSummary *sum;
  IlSpan spans[] = {
    make_span (0, IL_STATE_RUNNING, 0, 0, 0, 1000),
    make_span (0, IL_STATE_GIL_WAIT, -1, 0, 1000, 1500),
    make_span (1, IL_STATE_RUNNING, 1, 1, 500, 1500),
    make_span (1, IL_STATE_IO_WAIT, -1, 1, 1500, 2000),
    make_span (2, IL_STATE_READY, -1, 2, 0, 250),
    make_span (2, IL_STATE_RUNNING, 0, 2, 1000, 1200),
    make_span (2, IL_STATE_IDLE, -1, -1, 1200, 2000),
  };

  il_run_trace_append_many (trace, spans, G_N_ELEMENTS (spans));
  il_run_trace_set_speedup (trace, 1.5);
  il_run_trace_compute_summary (trace);
  sum = il_run_trace_get_summary (trace);

  g_assert_cmpint (sum->wall_ns, ==, 2000);
  g_assert_cmpint (sum->cpu_ns, ==, 2200);
  g_assert_cmpfloat_with_epsilon (sum->avg_parallelism, 1.1, 1e-9);
  /* 1000 … 1200: worker 1 and worker 2 run; worker 0 ended at 1000 exactly. */
  g_assert_cmpuint (sum->max_parallelism, ==, 2);
  g_assert_cmpint (sum->gil_wait_ns, ==, 500);
  g_assert_cmpint (sum->io_wait_ns, ==, 500);
  g_assert_cmpint (sum->ready_ns, ==, 250);
  g_assert_cmpfloat_with_epsilon (sum->speedup, 1.5, 1e-9);
}

static void
test_trace_tasks_and_workers (void)
{
  g_autoptr(IlRunTrace) trace = new_trace (2);
  g_autoptr(IlTrace) file = il_trace_new ();

  g_assert_true (isnan (il_run_trace_get_summary (trace)->speedup));

  il_run_trace_set_n_tasks (trace, 4);
  g_assert_cmpuint (il_run_trace_get_n_tasks (trace), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      IlTaskRecord *t = il_run_trace_get_task (trace, i);
      g_assert_cmpuint (t->id, ==, i);
      g_assert_cmpint (t->status, ==, IL_TASK_PENDING);
      g_assert_cmpint (t->worker, ==, -1);
    }

  il_run_trace_set_worker_ids (trace, 1, 4242, 4250);
  g_assert_cmpint (il_run_trace_get_worker (trace, 1)->pid, ==, 4242);
  g_assert_cmpint (il_run_trace_get_worker (trace, 1)->tid, ==, 4250);
  g_assert_cmpstr (il_run_trace_get_worker (trace, 0)->name, ==, "worker 0");

  il_run_trace_set_live (trace, TRUE);
  g_assert_true (il_run_trace_get_live (trace));
  il_run_trace_set_cancelled (trace, TRUE);
  g_assert_true (il_run_trace_get_cancelled (trace));
  il_run_trace_set_origin_ns (trace, G_GINT64_CONSTANT (605584958000000));
  g_assert_cmpint (il_run_trace_get_origin_ns (trace), ==, G_GINT64_CONSTANT (605584958000000));

  il_trace_set_machine_local (file);
  g_assert_cmpuint (il_trace_get_machine_cpus (file), >=, 1);
  il_trace_add_run (file, trace);
  g_assert_cmpuint (il_trace_get_n_runs (file), ==, 1);
  g_assert_true (il_trace_get_run (file, 0) == trace);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/trace/append-and-query", test_trace_append_and_query);
  g_test_add_func ("/trace/clip-and-drop", test_trace_clip_and_drop);
  g_test_add_func ("/trace/small-lanes", test_trace_small_lanes);
  g_test_add_func ("/trace/chunks-stay-put", test_trace_chunks_stay_put);
  g_test_add_func ("/trace/summary", test_trace_summary);
  g_test_add_func ("/trace/tasks-and-workers", test_trace_tasks_and_workers);

  return g_test_run ();
}
