/* test-batch-runner.c: a real small batch run in rounds: its order, progress, runs and medians, and a cancel. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-batch.h"
#include "il-batch-runner.h"

#define N_CONFIGS 2
#define REPEAT 3

typedef struct
{
  GMainLoop     *loop;
  GAsyncResult  *result;
  GCancellable  *cancel_after_first;
  GPtrArray     *prepared;   /* of char *: "round:index:label" */
  GPtrArray     *finished;   /* of char *, the same */
  GPtrArray     *traces;     /* of IlRunTrace, as they finished */
  GArray        *done;       /* of guint: each "done" notified */
} Watch;

static GPtrArray *
make_configs (void)
{
  GPtrArray *configs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  const char *labels[N_CONFIGS] = { "A", "B" };

  for (guint i = 0; i < N_CONFIGS; i++)
    {
      IlRunConfig *config = il_run_config_new ();

      /* The same tiny CPU work: a sequential baseline and two threads. */
      config->executor = i == 0 ? IL_EXECUTOR_SEQUENTIAL : IL_EXECUTOR_THREADS;
      config->workers = i == 0 ? 1 : 2;
      config->workload = IL_WORKLOAD_CPU;
      config->tasks = 2;
      config->task_ms = 2;
      config->label = g_strdup (labels[i]);
      g_ptr_array_add (configs, config);
    }
  return configs;
}

static void
on_prepared (IlBatchRunner *runner, IlRun *run, guint round, guint index, Watch *w)
{
  g_assert_true (il_batch_runner_get_run (runner) == run);
  g_ptr_array_add (w->prepared, g_strdup_printf ("%u:%u:%s", round, index,
                                                 il_run_get_config (run)->label));
}

static void
on_finished (IlBatchRunner *runner, IlRun *run, IlRunTrace *trace, guint round, guint index,
             const GError *error, Watch *w)
{
  g_assert_no_error ((GError *) error);
  g_assert_nonnull (trace);
  g_ptr_array_add (w->finished, g_strdup_printf ("%u:%u:%s", round, index,
                                                 il_run_trace_get_label (trace)));
  g_ptr_array_add (w->traces, il_run_trace_ref (trace));
  if (w->cancel_after_first != NULL)
    g_cancellable_cancel (w->cancel_after_first);
}

static void
on_done (IlBatchRunner *runner, GParamSpec *pspec, Watch *w)
{
  guint done = il_batch_runner_get_done (runner);

  g_array_append_val (w->done, done);
}

static void
on_complete (GObject *source, GAsyncResult *result, gpointer data)
{
  Watch *w = data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static void
watch_init (Watch *w, IlBatchRunner *runner)
{
  w->loop = g_main_loop_new (NULL, FALSE);
  w->prepared = g_ptr_array_new_with_free_func (g_free);
  w->finished = g_ptr_array_new_with_free_func (g_free);
  w->traces = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  w->done = g_array_new (FALSE, FALSE, sizeof (guint));
  g_signal_connect (runner, "run-prepared", G_CALLBACK (on_prepared), w);
  g_signal_connect (runner, "run-finished", G_CALLBACK (on_finished), w);
  g_signal_connect (runner, "notify::done", G_CALLBACK (on_done), w);
}

static void
watch_clear (Watch *w)
{
  g_main_loop_unref (w->loop);
  g_clear_object (&w->result);
  g_ptr_array_unref (w->prepared);
  g_ptr_array_unref (w->finished);
  g_ptr_array_unref (w->traces);
  g_array_unref (w->done);
}

static gint64
wall (IlRunTrace *run)
{
  return il_run_trace_get_summary (run)->wall_ns;
}

static void
test_rounds (void)
{
  g_autoptr(GPtrArray) configs = make_configs ();
  g_autoptr(IlBatchRunner) runner = il_batch_runner_new (configs, REPEAT);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  Watch w = { 0 };

  watch_init (&w, runner);
  g_assert_cmpuint (il_batch_runner_get_total (runner), ==, N_CONFIGS * REPEAT);
  il_batch_runner_run_async (runner, NULL, on_complete, &w);
  g_main_loop_run (w.loop);
  kept = il_batch_runner_run_finish (runner, w.result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (kept);

  /* Alternation: A B, A B, A B, each prepared before it finished. */
  g_assert_cmpuint (w.prepared->len, ==, N_CONFIGS * REPEAT);
  g_assert_cmpuint (w.finished->len, ==, N_CONFIGS * REPEAT);
  for (guint n = 0; n < N_CONFIGS * REPEAT; n++)
    {
      g_autofree char *want = g_strdup_printf ("%u:%u:%s", n / N_CONFIGS, n % N_CONFIGS,
                                               n % N_CONFIGS == 0 ? "A" : "B");

      g_assert_cmpstr (g_ptr_array_index (w.prepared, n), ==, want);
      g_assert_cmpstr (g_ptr_array_index (w.finished, n), ==, want);
    }

  /* Progress: 0 at the start, then one more after every run. */
  g_assert_cmpuint (w.done->len, ==, N_CONFIGS * REPEAT + 1);
  for (guint n = 0; n < w.done->len; n++)
    g_assert_cmpuint (g_array_index (w.done, guint, n), ==, n);
  g_assert_cmpuint (il_batch_runner_get_done (runner), ==, N_CONFIGS * REPEAT);
  g_assert_null (il_batch_runner_get_run (runner));

  /* Each configuration keeps its median run by wall time (the lower middle one), with the range
   * of its rounds; B's speedups are against A of the same round. */
  g_assert_cmpuint (kept->len, ==, N_CONFIGS);
  for (guint c = 0; c < N_CONFIGS; c++)
    {
      IlRunTrace *runs[REPEAT], *sorted[REPEAT], *median = g_ptr_array_index (kept, c);
      const IlRepeat *repeat = il_run_trace_get_repeat (median);
      double lo = INFINITY, hi = -INFINITY, sp_lo = INFINITY, sp_hi = -INFINITY;
      double sps[REPEAT], sp_median;

      for (guint k = 0; k < REPEAT; k++)
        {
          IlRunTrace *base = g_ptr_array_index (w.traces, k * N_CONFIGS);
          double sp;

          runs[k] = sorted[k] = g_ptr_array_index (w.traces, k * N_CONFIGS + c);
          g_assert_cmpint (wall (runs[k]), >, 0);
          lo = MIN (lo, (double) wall (runs[k]));
          hi = MAX (hi, (double) wall (runs[k]));
          sp = (double) wall (base) / (double) wall (runs[k]);
          sps[k] = sp;
          sp_lo = MIN (sp_lo, sp);
          sp_hi = MAX (sp_hi, sp);
        }
      /* Insertion sort, stable like the runner's order of the rounds. */
      for (guint i = 1; i < REPEAT; i++)
        for (guint j = i; j > 0 && wall (sorted[j - 1]) > wall (sorted[j]); j--)
          {
            IlRunTrace *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
          }
      g_assert_true (median == sorted[(REPEAT - 1) / 2]);
      g_assert_nonnull (repeat);
      g_assert_cmpuint (repeat->count, ==, REPEAT);
      g_assert_true (runs[repeat->kept] == median);
      g_assert_cmpfloat (repeat->wall_ns[0], ==, lo);
      g_assert_cmpfloat (repeat->wall_ns[1], ==, hi);
      if (c == 0)
        g_assert_cmpfloat (il_run_trace_get_summary (median)->speedup, ==, 1.0);
      else
        {
          /* The median of the paired ratios (each round's B against that round's A). */
          for (guint i = 1; i < REPEAT; i++)
            for (guint j = i; j > 0 && sps[j - 1] > sps[j]; j--)
              {
                double t = sps[j];
                sps[j] = sps[j - 1];
                sps[j - 1] = t;
              }
          sp_median = REPEAT % 2 ? sps[REPEAT / 2] : (sps[REPEAT / 2 - 1] + sps[REPEAT / 2]) / 2;
          g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (median)->speedup, sp_median, 1e-9);
          g_assert_cmpfloat_with_epsilon (repeat->speedup[0], sp_lo, 1e-9);
          g_assert_cmpfloat_with_epsilon (repeat->speedup[1], sp_hi, 1e-9);
        }
    }
  g_assert_true (il_batch_runner_get_result (runner) != NULL);
  watch_clear (&w);
}

static void
test_cancel (void)
{
  g_autoptr(GPtrArray) configs = make_configs ();
  g_autoptr(IlBatchRunner) runner = il_batch_runner_new (configs, REPEAT);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  Watch w = { 0 };

  watch_init (&w, runner);
  w.cancel_after_first = cancellable;
  il_batch_runner_run_async (runner, cancellable, on_complete, &w);
  g_main_loop_run (w.loop);
  kept = il_batch_runner_run_finish (runner, w.result, &error);
  g_assert_null (kept);
  g_assert_error (error, IL_ERROR, IL_ERROR_CANCELLED);
  /* No run started after the cancel. */
  g_assert_cmpuint (w.prepared->len, ==, 1);
  g_assert_cmpuint (w.finished->len, ==, 1);
  g_assert_cmpuint (il_batch_runner_get_done (runner), ==, 1);
  /* What was measured is still reduced: the one run. */
  g_assert_cmpuint (il_batch_runner_get_result (runner)->len, ==, 1);
  watch_clear (&w);
}

static gboolean
go_cb (gpointer data)
{
  il_batch_runner_go (data);
  return G_SOURCE_REMOVE;
}

static void
on_prepared_held (IlBatchRunner *runner, IlRun *run, guint round, guint index, guint *n_held)
{
  /* Held: not started until go, which comes from the main loop later. */
  g_assert_false (il_run_get_running (run));
  (*n_held)++;
  g_idle_add_full (G_PRIORITY_DEFAULT, go_cb, g_object_ref (runner), g_object_unref);
}

/* "hold-start": each run waits after run-prepared until il_batch_runner_go(). */
static void
test_hold_start (void)
{
  g_autoptr(GPtrArray) configs = make_configs ();
  g_autoptr(IlBatchRunner) runner = il_batch_runner_new (configs, 2);
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) error = NULL;
  guint n_held = 0;
  Watch w = { 0 };

  watch_init (&w, runner);
  il_batch_runner_set_hold_start (runner, TRUE);
  g_signal_connect (runner, "run-prepared", G_CALLBACK (on_prepared_held), &n_held);
  il_batch_runner_run_async (runner, NULL, on_complete, &w);
  g_main_loop_run (w.loop);
  kept = il_batch_runner_run_finish (runner, w.result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_held, ==, N_CONFIGS * 2);
  g_assert_cmpuint (w.finished->len, ==, N_CONFIGS * 2);
  g_assert_cmpuint (kept->len, ==, N_CONFIGS);
  watch_clear (&w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/batch-runner/rounds", test_rounds);
  g_test_add_func ("/batch-runner/cancel", test_cancel);
  g_test_add_func ("/batch-runner/hold-start", test_hold_start);
  return g_test_run ();
}
