/* il-sweep.c: runs the same work at several worker counts per executor and fits Amdahl's law. */
#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "il-run.h"
#include "il-sweep.h"

static void
series_free (gpointer data)
{
  IlSweepSeries *series = data;

  g_free (series->label);
  g_clear_pointer (&series->config, il_run_config_free);
  g_clear_pointer (&series->wall_ns, g_array_unref);
  g_free (series);
}

IlSweep *
il_sweep_new (void)
{
  IlSweep *self = g_new0 (IlSweep, 1);

  self->worker_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  self->baseline_ns = -1;
  self->series = g_ptr_array_new_with_free_func (series_free);
  return self;
}

void
il_sweep_free (IlSweep *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->worker_counts, g_array_unref);
  g_clear_pointer (&self->series, g_ptr_array_unref);
  g_free (self->title);
  g_free (self);
}

double
il_sweep_get_speedup (const IlSweep *self, const IlSweepSeries *series, guint i)
{
  gint64 wall;

  g_return_val_if_fail (self != NULL && series != NULL, NAN);

  if (i >= series->wall_ns->len || self->baseline_ns <= 0)
    return NAN;
  wall = g_array_index (series->wall_ns, gint64, i);
  if (wall <= 0)
    return NAN;
  return (double) self->baseline_ns / (double) wall;
}

/* Amdahl: S(n) = 1 / (s + (1 - s) / n), so 1/S - 1/n = s · (1 - 1/n): a line through the origin
 * in x = 1 - 1/n, y = 1/S - 1/n, fitted by least squares. n = 1 (x = 0) carries no information. */
double
il_sweep_fit_amdahl (const IlSweep *self, const IlSweepSeries *series)
{
  double sxy = 0.0, sxx = 0.0;

  g_return_val_if_fail (self != NULL && series != NULL, NAN);

  for (guint i = 0; i < self->worker_counts->len && i < series->wall_ns->len; i++)
    {
      guint n = g_array_index (self->worker_counts, guint, i);
      double speedup = il_sweep_get_speedup (self, series, i);
      double x, y;

      if (n < 2 || !isfinite (speedup) || speedup <= 0.0)
        continue;
      x = 1.0 - 1.0 / n;
      y = 1.0 / speedup - 1.0 / n;
      sxy += x * y;
      sxx += x * x;
    }
  if (sxx == 0.0)
    return NAN;
  return CLAMP (sxy / sxx, 0.0, 1.0);
}

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

IlSweep *
il_sweep_run (const IlRunConfig *const *configs,
              guint                     n_configs,
              GArray                   *worker_counts,
              GCancellable             *cancellable,
              void                    (*progress) (guint done, guint total, gpointer data),
              gpointer                  data,
              GError                  **error)
{
  g_autoptr(IlSweep) self = NULL;
  g_autoptr(IlRunConfig) baseline = NULL;
  g_autoptr(IlRunTrace) baseline_trace = NULL;
  g_autofree char *work = NULL;
  g_autoptr(GError) last_error = NULL;
  guint total, done = 0, n_failed = 0;

  g_return_val_if_fail (configs != NULL && n_configs > 0, NULL);
  g_return_val_if_fail (worker_counts != NULL && worker_counts->len > 0, NULL);

  self = il_sweep_new ();
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

  total = 1 + n_configs * self->worker_counts->len;
  if (progress != NULL)
    progress (done, total, data);

  /* The baseline: the same tasks, one after the other on one worker. */
  baseline = il_run_config_copy (configs[0]);
  baseline->executor = IL_EXECUTOR_SEQUENTIAL;
  baseline->gil = FALSE;
  baseline->workers = 1;
  g_clear_pointer (&baseline->label, g_free);
  baseline_trace = il_run_sync (baseline, cancellable, error);
  if (baseline_trace == NULL)
    {
      g_prefix_error (error, _("Sequential baseline: "));
      return NULL;
    }
  self->baseline_ns = il_run_trace_get_summary (baseline_trace)->wall_ns;
  if (progress != NULL)
    progress (++done, total, data);

  for (guint c = 0; c < n_configs; c++)
    {
      IlSweepSeries *series = g_new0 (IlSweepSeries, 1);

      series->config = il_run_config_copy (configs[c]);
      series->label = series_label (configs[c]);
      series->wall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
      series->serial_fraction = NAN;
      g_ptr_array_add (self->series, series);

      for (guint i = 0; i < self->worker_counts->len; i++)
        {
          g_autoptr(IlRunConfig) config = il_run_config_copy (configs[c]);
          g_autoptr(IlRunTrace) trace = NULL;
          g_autoptr(GError) local_error = NULL;
          gint64 wall = -1;

          config->workers = g_array_index (self->worker_counts, guint, i);
          trace = il_run_sync (config, cancellable, &local_error);
          if (trace != NULL)
            wall = il_run_trace_get_summary (trace)->wall_ns;
          else if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
                   g_error_matches (local_error, IL_ERROR, IL_ERROR_CANCELLED) ||
                   g_cancellable_is_cancelled (cancellable))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          else
            {
              n_failed++;
              g_clear_error (&last_error);
              last_error = g_steal_pointer (&local_error);
            }
          /* One failed point (recorded as -1) should not throw away the whole curve. */
          g_array_append_val (series->wall_ns, wall);
          if (progress != NULL)
            progress (++done, total, data);
        }
      series->serial_fraction = il_sweep_fit_amdahl (self, series);
    }

  if (n_failed == total - 1)
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&last_error),
                                  _("Every run of the sweep failed: "));
      return NULL;
    }

  work = g_strdup_printf (_("%u × %g ms %s tasks"), configs[0]->tasks, configs[0]->task_ms,
                          il_workload_to_string (configs[0]->workload));
  self->title = g_strdup_printf (_("Speedup by workers · %s"), work);
  return g_steal_pointer (&self);
}
