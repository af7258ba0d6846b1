/* il-timing.c: start-up and frame-time figures, printed when IL_DEBUG_TIMING=1. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "il-timing.h"

static gint64 start_us;
static double first_frame_ms = -1;

gboolean
il_timing_enabled (void)
{
  static int enabled = -1;

  if (enabled < 0)
    enabled = g_strcmp0 (g_getenv ("IL_DEBUG_TIMING"), "1") == 0;
  return enabled;
}

void
il_timing_mark_start (void)
{
  if (start_us == 0)
    start_us = g_get_monotonic_time ();
}

gint64
il_timing_get_start_us (void)
{
  return start_us;
}

void
il_timing_first_frame (void)
{
  if (first_frame_ms >= 0 || start_us == 0)
    return;
  first_frame_ms = (g_get_monotonic_time () - start_us) / 1000.0;
  if (il_timing_enabled ())
    {
      /* stdout, so a script can read the figure without the log noise of stderr */
      printf ("first_frame_ms: %.1f\n", first_frame_ms);
      fflush (stdout);
    }
}

void
il_timing_first_spans_frame (void)
{
  static gboolean done;

  if (done || start_us == 0)
    return;
  done = TRUE;
  if (il_timing_enabled ())
    {
      printf ("first_spans_frame_ms: %.1f\n", (g_get_monotonic_time () - start_us) / 1000.0);
      fflush (stdout);
    }
}

double
il_timing_get_first_frame_ms (void)
{
  return first_frame_ms;
}

void
il_frame_stats_reset (IlFrameStats *stats)
{
  memset (stats, 0, sizeof *stats);
}

void
il_frame_stats_add (IlFrameStats *stats, double ms)
{
  stats->samples[stats->n_frames % G_N_ELEMENTS (stats->samples)] = ms;
  stats->n_frames++;
  stats->sum_ms += ms;
  stats->max_ms = MAX (stats->max_ms, ms);
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double da = *(const double *) a, db = *(const double *) b;
  return da < db ? -1 : da > db ? 1 : 0;
}

double
il_frame_stats_percentile (const IlFrameStats *stats, double p)
{
  guint n = MIN (stats->n_frames, G_N_ELEMENTS (stats->samples));
  g_autofree double *sorted = NULL;
  guint index;

  if (n == 0)
    return 0;
  sorted = g_memdup2 (stats->samples, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  index = MIN (n - 1, (guint) (p / 100.0 * n));
  return sorted[index];
}
