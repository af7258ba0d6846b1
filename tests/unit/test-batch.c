/* test-batch.c: repeats of a batch: speedups from the same round, the median run kept, the ranges, run.repeat in files. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gstdio.h>

#include "il-batch.h"
#include "il-trace-io.h"
#include "il-test-util.h"

/* A finished run of @executor with the given wall time (the same work for every executor). */
static IlRunTrace *
make_run (IlExecutorKind executor, gint64 wall_ns)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  IlSummary s = { 0 };

  config->executor = executor;
  config->workers = executor == IL_EXECUTOR_SEQUENTIAL ? 1 : 2;
  config->tasks = 4;
  config->task_ms = 10;
  run = il_run_trace_new (config);
  s.wall_ns = wall_ns;
  s.cpu_ns = 40000000;
  s.avg_parallelism = 4e7 / wall_ns;
  s.speedup = NAN;
  s.other_share = NAN;
  il_run_trace_set_summary (run, &s);
  return run;
}

static GPtrArray *
make_round (gint64 seq_wall, gint64 threads_wall)
{
  GPtrArray *round = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  g_ptr_array_add (round, make_run (IL_EXECUTOR_SEQUENTIAL, seq_wall));
  g_ptr_array_add (round, make_run (IL_EXECUTOR_THREADS, threads_wall));
  il_batch_apply_speedups (round);
  return round;
}

static void
test_reduce (void)
{
  g_autoptr(GPtrArray) rounds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) kept = NULL;
  IlRunTrace *seq, *threads;
  const IlRepeat *r;

  /* Three rounds; the threads' walls 30, 20, 25 ms: the median is round 3's. */
  g_ptr_array_add (rounds, make_round (40000000, 30000000));
  g_ptr_array_add (rounds, make_round (44000000, 20000000));
  g_ptr_array_add (rounds, make_round (42000000, 25000000));
  kept = il_batch_reduce (rounds);
  g_assert_cmpuint (kept->len, ==, 2);
  seq = g_ptr_array_index (kept, 0);
  threads = g_ptr_array_index (kept, 1);

  /* The sequential run is 1.00× by definition, whichever round's it is (the median: 42 ms). */
  g_assert_cmpint (il_run_trace_get_summary (seq)->wall_ns, ==, 42000000);
  g_assert_cmpfloat (il_run_trace_get_summary (seq)->speedup, ==, 1.0);

  g_assert_cmpint (il_run_trace_get_summary (threads)->wall_ns, ==, 25000000);
  /* Its speedup is against its own round's sequential run, not another round's. */
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (threads)->speedup, 42.0 / 25.0, 1e-12);
  r = il_run_trace_get_repeat (threads);
  g_assert_nonnull (r);
  g_assert_cmpuint (r->count, ==, 3);
  g_assert_cmpuint (r->kept, ==, 2);
  g_assert_cmpfloat (r->wall_ns[0], ==, 20000000);
  g_assert_cmpfloat (r->wall_ns[1], ==, 30000000);
  g_assert_cmpfloat_with_epsilon (r->speedup[0], 40.0 / 30.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (r->speedup[1], 44.0 / 20.0, 1e-12);
  g_assert_true (isnan (r->other_share[0]));

  /* The speedup shown is the median of the paired ratios, not the median run's own: threads at
   * 30, 20, 25 ms against baselines of 40, 30, 80 ms are 1.33×, 1.50×, 3.20×; the median run
   * (25 ms) alone would say 3.20×, the top of the spread. */
  {
    g_autoptr(GPtrArray) skew = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
    g_autoptr(GPtrArray) reduced = NULL;
    IlRunTrace *t;

    g_ptr_array_add (skew, make_round (40000000, 30000000));
    g_ptr_array_add (skew, make_round (30000000, 20000000));
    g_ptr_array_add (skew, make_round (80000000, 25000000));
    reduced = il_batch_reduce (skew);
    t = g_ptr_array_index (reduced, 1);
    g_assert_cmpint (il_run_trace_get_summary (t)->wall_ns, ==, 25000000);
    g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (t)->speedup, 1.5, 1e-12);
    g_assert_cmpfloat_with_epsilon (il_run_trace_get_repeat (t)->speedup[1], 3.2, 1e-12);
  }

  /* One round: no repeat attached. */
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
    g_autoptr(GPtrArray) single = NULL;

    g_ptr_array_add (one, make_round (40000000, 21000000));
    single = il_batch_reduce (one);
    g_assert_null (il_run_trace_get_repeat (g_ptr_array_index (single, 1)));
  }
}

static void
test_file (void)
{
  g_autoptr(GPtrArray) rounds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlTrace) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = il_test_tmpdir_new ("interleave-batch");
  g_autofree char *path = g_build_filename (dir, "repeat.interleave.json", NULL);
  const IlRepeat *r;

  g_ptr_array_add (rounds, make_round (40000000, 30000000));
  g_ptr_array_add (rounds, make_round (44000000, 20000000));
  kept = il_batch_reduce (rounds);
  for (guint i = 0; i < kept->len; i++)
    il_trace_add_run (trace, g_ptr_array_index (kept, i));
  g_assert_true (il_trace_save (trace, path, &error));
  g_assert_no_error (error);
  back = il_trace_load (path, &error);
  g_assert_no_error (error);
  r = il_run_trace_get_repeat (il_trace_get_run (back, 1));
  g_assert_nonnull (r);
  g_assert_cmpuint (r->count, ==, 2);
  /* The lower middle of two: the faster run. */
  g_assert_cmpuint (r->kept, ==, 1);
  g_assert_cmpint (il_run_trace_get_summary (il_trace_get_run (back, 1))->wall_ns, ==, 20000000);
  g_assert_cmpfloat (r->wall_ns[0], ==, 20000000);
  g_assert_cmpfloat (r->wall_ns[1], ==, 30000000);
  g_assert_cmpfloat (r->avg_parallelism[1], ==, 2.0);
  il_test_remove_tree (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch/reduce", test_reduce);
  g_test_add_func ("/batch/file", test_file);
  return g_test_run ();
}
