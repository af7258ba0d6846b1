/* il-sweep.c: a speedup sweep's result: points per series, speedups and the Amdahl fit. */
#include "config.h"

#include <math.h>

#include "il-sweep.h"

static void
series_free (gpointer data)
{
  IlSweepSeries *series = data;

  g_free (series->label);
  g_clear_pointer (&series->config, il_run_config_free);
  g_clear_pointer (&series->wall_ns, g_array_unref);
  g_clear_pointer (&series->speedup_min, g_array_unref);
  g_clear_pointer (&series->speedup_max, g_array_unref);
  g_free (series);
}

IlSweep *
il_sweep_new (void)
{
  IlSweep *self = g_new0 (IlSweep, 1);

  self->worker_counts = g_array_new (FALSE, FALSE, sizeof (guint));
  self->baseline_ns = -1;
  self->repeat = 1;
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
