/* test-sweep.c: the sweep's speedups and Amdahl fit on known numbers, and one small real sweep. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-sweep-run.h"

/* A series whose wall times follow Amdahl's law exactly for serial fraction @s. */
static IlSweepSeries *
add_series (IlSweep *sweep, double s, gboolean fail_last)
{
  IlSweepSeries *series = g_new0 (IlSweepSeries, 1);

  series->label = g_strdup ("synthetic");
  series->config = il_run_config_new ();
  series->wall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  series->serial_fraction = NAN;
  for (guint i = 0; i < sweep->worker_counts->len; i++)
    {
      guint n = g_array_index (sweep->worker_counts, guint, i);
      gint64 wall = (gint64) (sweep->baseline_ns * (s + (1 - s) / n));

      if (fail_last && i == sweep->worker_counts->len - 1)
        wall = -1;
      g_array_append_val (series->wall_ns, wall);
    }
  g_ptr_array_add (sweep->series, series);
  return series;
}

static void
test_fit (void)
{
  g_autoptr(IlSweep) sweep = il_sweep_new ();
  const guint counts[] = { 1, 2, 4, 8 };
  const double fractions[] = { 0.0, 0.05, 0.2, 0.5, 1.0 };

  g_array_append_vals (sweep->worker_counts, counts, G_N_ELEMENTS (counts));
  sweep->baseline_ns = 800000000;
  for (guint i = 0; i < G_N_ELEMENTS (fractions); i++)
    {
      IlSweepSeries *series = add_series (sweep, fractions[i], FALSE);

      g_assert_cmpfloat_with_epsilon (il_sweep_fit_amdahl (sweep, series), fractions[i], 1e-6);
      g_assert_cmpfloat_with_epsilon (il_sweep_get_speedup (sweep, series, 0), 1.0, 1e-6);
    }

  /* A failed point is skipped, not read as a speedup. */
  {
    IlSweepSeries *series = add_series (sweep, 0.2, TRUE);

    g_assert_true (isnan (il_sweep_get_speedup (sweep, series, 3)));
    g_assert_cmpfloat_with_epsilon (il_sweep_fit_amdahl (sweep, series), 0.2, 1e-6);
  }

  /* Slower with more workers than alone (oversubscribed, contended): clamped to 1. */
  {
    IlSweepSeries *series = add_series (sweep, 0.0, FALSE);

    for (guint i = 0; i < series->wall_ns->len; i++)
      g_array_index (series->wall_ns, gint64, i) = 2 * sweep->baseline_ns;
    g_assert_cmpfloat (il_sweep_fit_amdahl (sweep, series), ==, 1.0);
  }
}

static void
test_fit_unknown (void)
{
  g_autoptr(IlSweep) sweep = il_sweep_new ();
  guint one = 1;
  IlSweepSeries *series;

  /* One worker says nothing about the serial fraction. */
  g_array_append_val (sweep->worker_counts, one);
  sweep->baseline_ns = 1000;
  series = add_series (sweep, 0.3, FALSE);
  g_assert_true (isnan (il_sweep_fit_amdahl (sweep, series)));
}

/* A real, small sweep: every point measured, speedups positive, the fit a fraction. */
static void
test_run (void)
{
  g_autoptr(IlRunConfig) threads = il_run_config_new ();
  g_autoptr(IlRunConfig) gil = il_run_config_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  g_autoptr(IlSweep) sweep = NULL;
  const IlRunConfig *configs[2];
  const guint n[] = { 2, 1 };

  threads->tasks = gil->tasks = 4;
  threads->task_ms = gil->task_ms = 10;
  gil->gil = TRUE;
  configs[0] = threads;
  configs[1] = gil;
  g_array_append_vals (counts, n, 2);

  sweep = il_sweep_run (configs, 2, counts, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sweep);
  g_assert_cmpint (sweep->baseline_ns, >, 0);
  /* Sorted ascending. */
  g_assert_cmpuint (g_array_index (sweep->worker_counts, guint, 0), ==, 1);
  g_assert_cmpuint (sweep->series->len, ==, 2);
  g_assert_cmpstr (((IlSweepSeries *) sweep->series->pdata[1])->label, ==, "threads + GIL");
  for (guint s = 0; s < 2; s++)
    {
      IlSweepSeries *series = sweep->series->pdata[s];

      for (guint i = 0; i < 2; i++)
        g_assert_cmpfloat (il_sweep_get_speedup (sweep, series, i), >, 0.0);
      g_assert_cmpfloat (series->serial_fraction, >=, 0.0);
      g_assert_cmpfloat (series->serial_fraction, <=, 1.0);
    }
  g_assert_nonnull (sweep->title);
}

static void
test_invalid (void)
{
  g_autoptr(IlRunConfig) a = il_run_config_new ();
  g_autoptr(IlRunConfig) b = il_run_config_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  const IlRunConfig *configs[2] = { a, b };
  const guint n[] = { 2, 2 };
  IlSweep *sweep;

  g_array_append_vals (counts, n, 2);
  sweep = il_sweep_run (configs, 1, counts, NULL, NULL, NULL, &error);
  g_assert_null (sweep);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_clear_error (&error);

  /* Different work cannot share one baseline. */
  g_array_set_size (counts, 1);
  b->tasks = 3;
  sweep = il_sweep_run (configs, 2, counts, NULL, NULL, NULL, &error);
  g_assert_null (sweep);
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
}

typedef struct
{
  guint calls;
  guint last_measured;    /* points with a wall time in the latest partial sweep */
  gboolean grew;          /* each partial sweep had at least as many points as the one before */
  gboolean titled;
} Partials;

static void
on_partial (IlSweep *sweep, gpointer data)
{
  Partials *p = data;
  guint measured = 0;

  for (guint s = 0; s < sweep->series->len; s++)
    {
      IlSweepSeries *series = sweep->series->pdata[s];

      for (guint i = 0; i < series->wall_ns->len; i++)
        measured += g_array_index (series->wall_ns, gint64, i) > 0;
    }
  p->grew &= measured >= p->last_measured;
  p->titled &= sweep->title != NULL && sweep->baseline_ns > 0;
  p->last_measured = measured;
  p->calls++;
  il_sweep_free (sweep);
}

/* A live sweep hands over what it measured after every run: the baseline first, then one more
 * point each time, so a view draws points as they arrive. */
static void
test_run_live (void)
{
  g_autoptr(IlRunConfig) threads = il_run_config_new ();
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GError) error = NULL;
  g_autoptr(IlSweep) sweep = NULL;
  const IlRunConfig *configs[1];
  const guint n[] = { 1, 2, 4 };
  Partials p = { 0, 0, TRUE, TRUE };

  threads->tasks = 4;
  threads->task_ms = 5;
  configs[0] = threads;
  g_array_append_vals (counts, n, 3);

  sweep = il_sweep_run_live (configs, 1, counts, 1, NULL, NULL, on_partial, &p, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sweep);
  g_assert_cmpuint (p.calls, ==, 1 + 3);
  g_assert_cmpuint (p.last_measured, ==, 3);
  g_assert_true (p.grew);
  g_assert_true (p.titled);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sweep/fit", test_fit);
  g_test_add_func ("/sweep/fit-unknown", test_fit_unknown);
  g_test_add_func ("/sweep/run", test_run);
  g_test_add_func ("/sweep/run-live", test_run_live);
  g_test_add_func ("/sweep/invalid", test_invalid);
  return g_test_run ();
}
