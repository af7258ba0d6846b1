/* il-sweep-run.c: runs the same work at several worker counts per executor (il-sweep.h holds the
 * result and its Amdahl fit). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "il-batch-runner.h"
#include "il-cpu-load.h"
#include "il-run.h"
#include "il-sweep-run.h"

static char *
series_label (const IlRunConfig *config)
{
  if (config->label != NULL && config->label[0] != '\0')
    return g_strdup (config->label);
  if (config->executor == IL_EXECUTOR_THREADS && config->gil)
    return g_strdup (_("threads + GIL"));
  return g_strdup (il_executor_to_string (config->executor));
}

static int
compare_uint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* The median of the valid (> 0) values, the lower middle one of an even count; -1 when none. */
static gint64
median_wall (GArray *walls)
{
  g_autoptr(GArray) valid = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < walls->len; i++)
    if (g_array_index (walls, gint64, i) > 0)
      g_array_append_val (valid, g_array_index (walls, gint64, i));
  if (valid->len == 0)
    return -1;
  g_array_sort (valid, compare_gint64);
  return g_array_index (valid, gint64, (valid->len - 1) / 2);
}

IlSweep *
il_sweep_run (const IlRunConfig *const *configs,
              guint                     n_configs,
              GArray                   *worker_counts,
              GCancellable             *cancellable,
              void                    (*progress) (guint done, guint total, gpointer data),
              gpointer                  data,
              GError                  **error)
{
  return il_sweep_run_repeated (configs, n_configs, worker_counts, 1, cancellable, progress, data,
                                error);
}

IlSweep *
il_sweep_run_repeated (const IlRunConfig *const *configs,
                       guint                     n_configs,
                       GArray                   *worker_counts,
                       guint                     repeat,
                       GCancellable             *cancellable,
                       void                    (*progress) (guint done, guint total, gpointer data),
                       gpointer                  data,
                       GError                  **error)
{
  return il_sweep_run_live (configs, n_configs, worker_counts, repeat, cancellable, progress, NULL,
                            data, error);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Fills point @i of @series from its rounds: the median wall time; each round's speedup against
 * the same round's baseline (paired ratios), their median and their spread (min–max); how many
 * rounds were disturbed, the point's run or its round's baseline. */
static void
fill_point (IlSweepSeries *series, GArray *w, GArray *w_disturbed, GArray *base_walls,
            GArray *base_disturbed)
{
  g_autoptr(GArray) ratios = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 median = w->len > 0 ? median_wall (w) : -1;
  double lo = NAN, hi = NAN, mid = NAN;
  guint disturbed = 0;

  for (guint k = 0; k < w->len; k++)
    {
      gint64 wk = g_array_index (w, gint64, k);
      gint64 bk = k < base_walls->len ? g_array_index (base_walls, gint64, k) : -1;
      gboolean dk = k < w_disturbed->len && g_array_index (w_disturbed, gboolean, k);

      dk |= k < base_disturbed->len && g_array_index (base_disturbed, gboolean, k);
      disturbed += dk;
      if (wk > 0 && bk > 0)
        {
          double sp = (double) bk / (double) wk;

          g_array_append_val (ratios, sp);
        }
    }
  if (ratios->len >= 2)
    {
      guint n = ratios->len;

      g_array_sort (ratios, compare_double);
      lo = g_array_index (ratios, double, 0);
      hi = g_array_index (ratios, double, n - 1);
      mid = n % 2 ? g_array_index (ratios, double, n / 2)
                  : (g_array_index (ratios, double, n / 2 - 1) + g_array_index (ratios, double, n / 2)) / 2;
    }
  g_array_append_val (series->wall_ns, median);
  g_array_append_val (series->speedup_min, lo);
  g_array_append_val (series->speedup_max, hi);
  g_array_append_val (series->speedup, mid);
  g_array_append_val (series->disturbed, disturbed);
}

static IlSweepSeries *
series_new (const IlRunConfig *config, const char *label)
{
  IlSweepSeries *series = g_new0 (IlSweepSeries, 1);

  series->config = il_run_config_copy (config);
  series->label = g_strdup (label);
  series->wall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  series->speedup_min = g_array_new (FALSE, FALSE, sizeof (double));
  series->speedup_max = g_array_new (FALSE, FALSE, sizeof (double));
  series->speedup = g_array_new (FALSE, FALSE, sizeof (double));
  series->disturbed = g_array_new (FALSE, FALSE, sizeof (guint));
  series->serial_fraction = NAN;
  return series;
}

/* The sweep being measured, as the batch runner reports its runs. */
typedef struct
{
  const IlSweep  *sweep;
  GMainLoop      *loop;
  GAsyncResult   *result;
  GCancellable   *stop;         /* the runner's: the caller's cancel, or a failed baseline */
  GArray         *base_walls;
  GArray         *base_disturbed; /* gboolean per round */
  GPtrArray      *walls;        /* walls[p]: point p's wall times, one per round */
  GPtrArray      *disturbed;    /* disturbed[p]: gboolean per round */
  char           *culprit;      /* the named culprit of the worst disturbed run */
  double          worst_share;
  GError         *base_error;   /* the baseline failed: nothing to compare against */
  GError         *last_error;   /* the last point that failed */
  guint           n_failed;
  void          (*progress) (guint done, guint total, gpointer data);
  void          (*partial) (IlSweep *sweep, gpointer data);
  gpointer        data;
} SweepWatch;

/* A copy of @self with what is measured so far: each point's median of the rounds done, -1
 * before its first; the fit once a series has two points. */
static IlSweep *
sweep_so_far (const IlSweep *self, const SweepWatch *w)
{
  IlSweep *copy = il_sweep_new ();
  guint n_counts = self->worker_counts->len;

  copy->repeat = self->repeat;
  g_array_append_vals (copy->worker_counts, self->worker_counts->data, n_counts);
  copy->baseline_ns = w->base_walls->len > 0 ? median_wall (w->base_walls) : -1;
  copy->title = g_strdup (self->title);
  copy->culprit = g_strdup (w->culprit);
  for (guint c = 0; c < self->series->len; c++)
    {
      const IlSweepSeries *from = g_ptr_array_index (self->series, c);
      IlSweepSeries *series = series_new (from->config, from->label);
      guint measured = 0;

      for (guint i = 0; i < n_counts; i++)
        {
          fill_point (series, g_ptr_array_index (w->walls, c * n_counts + i),
                      g_ptr_array_index (w->disturbed, c * n_counts + i), w->base_walls,
                      w->base_disturbed);
          measured += g_array_index (series->wall_ns, gint64, i) > 0;
        }
      g_ptr_array_add (copy->series, series);
      series->serial_fraction = measured >= 2 && copy->baseline_ns > 0
                                  ? il_sweep_fit_amdahl (copy, series) : NAN;
    }
  return copy;
}


static void
on_sweep_run_finished (IlBatchRunner *runner, IlRun *run, IlRunTrace *trace, guint round,
                       guint index, const GError *error, SweepWatch *w)
{
  gint64 wall = error == NULL && trace != NULL ? il_run_trace_get_summary (trace)->wall_ns : -1;
  gboolean disturbed = error == NULL && trace != NULL && il_run_trace_is_disturbed (trace);

  /* The worst disturbed run names the program behind it. */
  if (disturbed && il_run_trace_get_summary (trace)->other_share > w->worst_share)
    {
      g_autofree char *culprit = il_cpu_load_describe_culprit (trace);

      w->worst_share = il_run_trace_get_summary (trace)->other_share;
      if (culprit != NULL)
        {
          g_free (w->culprit);
          w->culprit = g_steal_pointer (&culprit);
        }
    }
  if (index == 0)
    {
      if (error != NULL)
        {
          w->base_error = g_error_copy (error);
          g_prefix_error (&w->base_error, _("Sequential baseline: "));
          g_cancellable_cancel (w->stop);
          return;
        }
      g_array_append_val (w->base_walls, wall);
      g_array_append_val (w->base_disturbed, disturbed);
      return;
    }
  if (error != NULL && !g_cancellable_is_cancelled (w->stop) &&
      !g_error_matches (error, IL_ERROR, IL_ERROR_CANCELLED))
    {
      w->n_failed++;
      g_clear_error (&w->last_error);
      w->last_error = g_error_copy (error);
    }
  /* One failed point (recorded as -1) should not throw away the whole curve. */
  g_array_append_val (g_ptr_array_index (w->walls, index - 1), wall);
  g_array_append_val (g_ptr_array_index (w->disturbed, index - 1), disturbed);
}

static void
on_sweep_done (IlBatchRunner *runner, GParamSpec *pspec, SweepWatch *w)
{
  guint done = il_batch_runner_get_done (runner);

  if (w->progress != NULL)
    w->progress (done, il_batch_runner_get_total (runner), w->data);
  if (w->partial != NULL && done > 0 && w->base_error == NULL && !g_cancellable_is_cancelled (w->stop))
    w->partial (sweep_so_far (w->sweep, w), w->data);
}

static void
on_sweep_complete (GObject *source, GAsyncResult *result, gpointer data)
{
  SweepWatch *w = data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static void
on_caller_cancelled (GCancellable *cancellable, GCancellable *stop)
{
  g_cancellable_cancel (stop);
}

/* Rounds: the baseline and every point once each, so drift in the machine hits all alike; on a
 * private main context, so a thread of its own (or the CLI) can call it. */
static gboolean
measure_rounds (SweepWatch *w, const IlRunConfig *baseline, const IlRunConfig *const *configs,
                guint n_configs, guint repeat, GCancellable *cancellable, GError **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_config_free);
  g_autoptr(IlBatchRunner) runner = NULL;
  g_autoptr(GPtrArray) kept = NULL;
  g_autoptr(GError) local_error = NULL;
  GArray *counts = w->sweep->worker_counts;
  gulong cancel_id = 0;

  g_ptr_array_add (list, il_run_config_copy (baseline));
  for (guint c = 0; c < n_configs; c++)
    for (guint i = 0; i < counts->len; i++)
      {
        IlRunConfig *config = il_run_config_copy (configs[c]);

        config->workers = g_array_index (counts, guint, i);
        g_ptr_array_add (list, config);
      }

  g_main_context_push_thread_default (context);
  w->loop = g_main_loop_new (context, FALSE);
  w->stop = g_cancellable_new ();
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_caller_cancelled),
                                       g_object_ref (w->stop), g_object_unref);
  runner = il_batch_runner_new (list, repeat);
  il_batch_runner_set_keep_going (runner, TRUE);
  g_signal_connect (runner, "run-finished", G_CALLBACK (on_sweep_run_finished), w);
  g_signal_connect (runner, "notify::done", G_CALLBACK (on_sweep_done), w);
  il_batch_runner_run_async (runner, w->stop, on_sweep_complete, w);
  g_main_loop_run (w->loop);
  kept = il_batch_runner_run_finish (runner, w->result, &local_error);
  g_clear_object (&w->result);
  g_clear_object (&runner);
  /* Let the runs' sources go before the context does. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_clear_object (&w->stop);
  g_clear_pointer (&w->loop, g_main_loop_unref);

  if (w->base_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&w->base_error));
      return FALSE;
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

IlSweep *
il_sweep_run_live (const IlRunConfig *const *configs,
                   guint                     n_configs,
                   GArray                   *worker_counts,
                   guint                     repeat,
                   GCancellable             *cancellable,
                   void                    (*progress) (guint done, guint total, gpointer data),
                   void                    (*partial) (IlSweep *sweep, gpointer data),
                   gpointer                  data,
                   GError                  **error)
{
  g_autoptr(IlSweep) self = NULL;
  g_autoptr(IlRunConfig) baseline = NULL;
  g_autofree char *work = NULL;
  g_autoptr(GError) last_error = NULL;
  g_autoptr(GArray) base_walls = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) base_disturbed = g_array_new (FALSE, FALSE, sizeof (gboolean));
  /* walls[c][i]: the wall times of configuration c at worker count i, one per round */
  g_autoptr(GPtrArray) walls = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  g_autoptr(GPtrArray) disturbed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  SweepWatch watch = { 0 };
  guint n_failed = 0, n_counts;

  g_return_val_if_fail (configs != NULL && n_configs > 0, NULL);
  g_return_val_if_fail (worker_counts != NULL && worker_counts->len > 0, NULL);
  g_return_val_if_fail (repeat >= 1, NULL);

  self = il_sweep_new ();
  self->repeat = repeat;
  g_array_append_vals (self->worker_counts, worker_counts->data, worker_counts->len);
  g_array_sort (self->worker_counts, compare_uint);
  for (guint i = 0; i < self->worker_counts->len; i++)
    {
      guint n = g_array_index (self->worker_counts, guint, i);

      if (n < 1 || n > IL_MAX_WORKERS)
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("Worker count %u is out of range (1…%d)"), n, IL_MAX_WORKERS);
          return NULL;
        }
      if (i > 0 && n == g_array_index (self->worker_counts, guint, i - 1))
        {
          g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                       _("Worker count %u is listed twice"), n);
          return NULL;
        }
    }
  for (guint c = 1; c < n_configs; c++)
    if (!il_run_config_same_work (configs[0], configs[c]))
      {
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                     _("A sweep compares the same work: every executor must have the same workload, tasks and task length"));
        return NULL;
      }

  n_counts = self->worker_counts->len;
  /* Titled from the start: the partial sweeps a live view draws carry it too. */
  work = g_strdup_printf (_("%u × %g ms %s tasks"), configs[0]->tasks, configs[0]->task_ms,
                          il_workload_to_string (configs[0]->workload));
  self->title = g_strdup_printf (_("Speedup by workers · %s"), work);

  /* The baseline: the same tasks, one after the other on one worker. */
  baseline = il_run_config_copy (configs[0]);
  baseline->executor = IL_EXECUTOR_SEQUENTIAL;
  baseline->gil = FALSE;
  baseline->workers = 1;
  g_clear_pointer (&baseline->label, g_free);

  for (guint c = 0; c < n_configs; c++)
    {
      g_autofree char *label = series_label (configs[c]);

      g_ptr_array_add (self->series, series_new (configs[c], label));
      for (guint i = 0; i < n_counts; i++)
        {
          g_ptr_array_add (walls, g_array_new (FALSE, FALSE, sizeof (gint64)));
          g_ptr_array_add (disturbed, g_array_new (FALSE, FALSE, sizeof (gboolean)));
        }
    }

  watch.sweep = self;
  watch.base_walls = base_walls;
  watch.base_disturbed = base_disturbed;
  watch.walls = walls;
  watch.disturbed = disturbed;
  watch.progress = progress;
  watch.partial = partial;
  watch.data = data;
  if (!measure_rounds (&watch, baseline, configs, n_configs, repeat, cancellable, error))
    {
      g_clear_error (&watch.last_error);
      g_free (watch.culprit);
      return NULL;
    }
  self->culprit = g_steal_pointer (&watch.culprit);
  n_failed = watch.n_failed;
  last_error = watch.last_error;

  if (n_failed == repeat * n_configs * n_counts)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&last_error),
                                  _("Every run of the sweep failed: "));
      return NULL;
    }

  self->baseline_ns = median_wall (base_walls);
  for (guint c = 0; c < n_configs; c++)
    {
      IlSweepSeries *series = g_ptr_array_index (self->series, c);

      for (guint i = 0; i < n_counts; i++)
        fill_point (series, g_ptr_array_index (walls, c * n_counts + i),
                    g_ptr_array_index (disturbed, c * n_counts + i), base_walls, base_disturbed);
      series->serial_fraction = il_sweep_fit_amdahl (self, series);
    }

  return g_steal_pointer (&self);
}
