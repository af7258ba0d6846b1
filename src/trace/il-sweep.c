/* il-sweep.c: a speedup sweep's result: points per series, speedups and the Amdahl fit. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
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
  g_clear_pointer (&series->speedup, g_array_unref);
  g_clear_pointer (&series->disturbed, g_array_unref);
  g_free (series);
}

/* A value: a copy shares nothing (a sweep measured so far crosses from the runner's thread to
 * the view's while the runner goes on). */
G_DEFINE_BOXED_TYPE (IlSweep, il_sweep, il_sweep_copy, il_sweep_free)

static GArray *
array_copy (GArray *array)
{
  return array != NULL ? g_array_copy (array) : NULL;
}

static IlSweepSeries *
series_copy (const IlSweepSeries *from)
{
  IlSweepSeries *series = g_new0 (IlSweepSeries, 1);

  series->label = g_strdup (from->label);
  series->config = from->config != NULL ? il_run_config_copy (from->config) : NULL;
  series->wall_ns = array_copy (from->wall_ns);
  series->serial_fraction = from->serial_fraction;
  series->speedup_min = array_copy (from->speedup_min);
  series->speedup_max = array_copy (from->speedup_max);
  series->speedup = array_copy (from->speedup);
  series->disturbed = array_copy (from->disturbed);
  return series;
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
  g_free (self->culprit);
  g_free (self);
}

IlSweep *
il_sweep_copy (const IlSweep *self)
{
  IlSweep *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = il_sweep_new ();
  g_array_append_vals (copy->worker_counts, self->worker_counts->data, self->worker_counts->len);
  copy->baseline_ns = self->baseline_ns;
  copy->repeat = self->repeat;
  copy->title = g_strdup (self->title);
  copy->culprit = g_strdup (self->culprit);
  for (guint c = 0; c < self->series->len; c++)
    g_ptr_array_add (copy->series, series_copy (g_ptr_array_index (self->series, c)));
  return copy;
}

double
il_sweep_get_speedup (const IlSweep *self, const IlSweepSeries *series, guint i)
{
  gint64 wall;

  g_return_val_if_fail (self != NULL && series != NULL, NAN);

  /* Repeated: the median of each round against its own round's baseline, so a drift between
   * rounds cancels instead of pairing one round's baseline with another's point. */
  if (series->speedup != NULL && i < series->speedup->len &&
      isfinite (g_array_index (series->speedup, double, i)))
    return g_array_index (series->speedup, double, i);
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

guint
il_sweep_get_disturbed (const IlSweep *self, const IlSweepSeries *series, guint i)
{
  g_return_val_if_fail (self != NULL && series != NULL, 0);

  if (series->disturbed == NULL || i >= series->disturbed->len)
    return 0;
  return g_array_index (series->disturbed, guint, i);
}

gboolean
il_sweep_is_disturbed (const IlSweep *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (guint c = 0; c < self->series->len; c++)
    for (guint i = 0; i < self->worker_counts->len; i++)
      if (il_sweep_get_disturbed (self, g_ptr_array_index (self->series, c), i) > 0)
        return TRUE;
  return FALSE;
}
