/* bench-capture.c: how well the self capture agrees with the kernel's: every shipped lesson's
 * runs recorded both ways at once (IL_CAPTURE_COMPARE), per-thread intersection-over-union of
 * running time, printed per run (target: >= 0.95). Needs the kernel capture; prints why not. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "il-capture.h"
#include "il-lesson.h"
#include "il-run.h"

/* Running time of @a and @b and of their overlap (on the same CPU when @same_cpu). */
static void
lane_overlap (const IlLane *a, const IlLane *b, gboolean same_cpu, double *ta, double *tb, double *both)
{
  guint i = 0, j = 0, na = il_lane_get_n_spans (a), nb = il_lane_get_n_spans (b);

  *ta = *tb = *both = 0;
  for (guint k = 0; k < na; k++)
    if (il_lane_get_span (a, k)->state == IL_STATE_RUNNING)
      *ta += il_lane_get_span (a, k)->end_ns - il_lane_get_span (a, k)->start_ns;
  for (guint k = 0; k < nb; k++)
    if (il_lane_get_span (b, k)->state == IL_STATE_RUNNING)
      *tb += il_lane_get_span (b, k)->end_ns - il_lane_get_span (b, k)->start_ns;

  while (i < na && j < nb)
    {
      const IlSpan *x = il_lane_get_span (a, i), *y = il_lane_get_span (b, j);
      gint64 lo = MAX (x->start_ns, y->start_ns), hi = MIN (x->end_ns, y->end_ns);

      if (hi > lo && x->state == IL_STATE_RUNNING && y->state == IL_STATE_RUNNING &&
          (!same_cpu || x->cpu == y->cpu))
        *both += hi - lo;
      if (x->end_ns < y->end_ns)
        i++;
      else
        j++;
    }
}

static void
measure (const char *lesson_name, const char *label, IlRunTrace *kernel, IlRunTrace *self)
{
  double min_iou = 1, sum_a = 0, sum_b = 0, sum_i = 0, sum_ic = 0;
  guint n = 0;

  for (guint w = 0; w < il_run_trace_get_n_workers (kernel) && w < il_run_trace_get_n_workers (self); w++)
    {
      double ta, tb, both, tac, tbc, both_cpu, iou;

      lane_overlap (il_run_trace_get_lane (kernel, w), il_run_trace_get_lane (self, w), FALSE, &ta,
                    &tb, &both);
      lane_overlap (il_run_trace_get_lane (kernel, w), il_run_trace_get_lane (self, w), TRUE, &tac,
                    &tbc, &both_cpu);
      if (ta + tb <= 0)
        continue;
      iou = both / (ta + tb - both);
      min_iou = MIN (min_iou, iou);
      sum_a += ta;
      sum_b += tb;
      sum_i += both;
      sum_ic += both_cpu;
      n++;
    }
  printf ("%s · %s: IoU of running time per thread min %.3f, all threads %.3f (same CPU %.3f); "
          "running kernel %.1f ms, self %.1f ms; ready kernel %.1f ms, self %.1f ms; other programs %.0f %%\n",
          lesson_name, label, n > 0 ? min_iou : NAN,
          sum_a + sum_b - sum_i > 0 ? sum_i / (sum_a + sum_b - sum_i) : NAN,
          sum_a + sum_b - sum_ic > 0 ? sum_ic / (sum_a + sum_b - sum_ic) : NAN, sum_a / 1e6,
          sum_b / 1e6, il_run_trace_get_summary (kernel)->ready_ns / 1e6,
          il_run_trace_get_summary (self)->ready_ns / 1e6,
          il_run_trace_get_summary (kernel)->other_share * 100);
  fflush (stdout);
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

int
main (int argc, char *argv[])
{
  const char *dir = g_getenv ("IL_LESSONS_DIR");
  g_autoptr(GDir) d = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autoptr(IlCapture) probe = NULL;
  const char *name;

  g_setenv ("IL_CAPTURE_COMPARE", "1", TRUE);
  probe = il_capture_new (IL_CAPTURE_KERNEL, &error);
  if (probe == NULL)
    {
      printf ("capture-compare: not measured: %s\n", error->message);
      return 0;
    }
  if (dir == NULL || (d = g_dir_open (dir, 0, &error)) == NULL)
    {
      printf ("capture-compare: no lessons (%s)\n", error != NULL ? error->message : "IL_LESSONS_DIR unset");
      return 0;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".lesson") && (argc < 2 || strstr (name, argv[1]) != NULL))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint l = 0; l < names->len; l++)
    {
      g_autofree char *path = g_build_filename (dir, names->pdata[l], NULL);
      g_autoptr(IlLesson) lesson = il_lesson_new_from_file (path, &error);

      if (lesson == NULL)
        {
          printf ("%s: %s\n", (char *) names->pdata[l], error->message);
          g_clear_error (&error);
          continue;
        }
      for (guint i = 0; i < il_lesson_get_n_runs (lesson); i++)
        {
          g_autoptr(IlRunConfig) config = il_run_config_copy (il_lesson_get_run_config (lesson, i));
          g_autofree char *label = il_run_config_get_title (config);
          g_autoptr(IlRunTrace) trace = NULL;
          IlRunTrace *self;

          /* Worker processes filter their own spans: the comparison sees threads only. */
          if (config->executor == IL_EXECUTOR_PROCESSES || config->executor == IL_EXECUTOR_EXTERNAL)
            {
              printf ("%s · %s: not measured (%s)\n", (char *) names->pdata[l], label,
                      config->executor == IL_EXECUTOR_PROCESSES ? "worker processes" : "traced program");
              continue;
            }
          config->capture = IL_CAPTURE_KERNEL;
          trace = il_run_sync (config, NULL, &error);
          if (trace == NULL)
            {
              printf ("%s · %s: failed: %s\n", (char *) names->pdata[l], label, error->message);
              g_clear_error (&error);
              continue;
            }
          self = il_run_trace_get_data (trace, "il-self-capture");
          if (self == NULL)
            {
              printf ("%s · %s: no self capture kept\n", (char *) names->pdata[l], label);
              continue;
            }
          measure (names->pdata[l], label, trace, self);
        }
    }
  return 0;
}
