/* il-cpu-load.c: the /proc/stat sampler and the per-CPU "other programs" series of a run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-trace.h"
#include "il-types.h"

/* The series ------------------------------------------------------------------------------------ */

typedef struct
{
  IlCpuLoadRow row;
  gint64       cum_other;   /* sums of the rows before this one: a range is two lookups */
  gint64       cum_steal;
} Row;

struct _IlCpuLoad
{
  gint64     interval_ns;
  GPtrArray *cpus;   /* indexed by CPU number: GArray of Row, or NULL for a CPU not in the set */
  guint      n_cpus;
  gint64     end_ns;
  char      *top_name;      /* the other program that took the most CPU time, or NULL */
  gint64     top_cpu_ns;
};

static void
rows_free (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

IlCpuLoad *
il_cpu_load_new (gint64 interval_ns)
{
  IlCpuLoad *self = g_new0 (IlCpuLoad, 1);

  self->interval_ns = MAX (interval_ns, 1);
  self->cpus = g_ptr_array_new_with_free_func (rows_free);
  return self;
}

void
il_cpu_load_free (IlCpuLoad *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->cpus);
  g_free (self->top_name);
  g_free (self);
}

gint64
il_cpu_load_get_interval_ns (const IlCpuLoad *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->interval_ns;
}

void
il_cpu_load_clear (IlCpuLoad *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->cpus->len; i++)
    {
      GArray *rows = g_ptr_array_index (self->cpus, i);
      if (rows != NULL)
        g_array_set_size (rows, 0);
    }
  self->end_ns = 0;
}

static GArray *
rows_of (const IlCpuLoad *self, int cpu)
{
  if (cpu < 0 || (guint) cpu >= self->cpus->len)
    return NULL;
  return g_ptr_array_index (self->cpus, cpu);
}

void
il_cpu_load_add_cpu (IlCpuLoad *self, int cpu)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (cpu >= 0 && cpu < 65536);

  if ((guint) cpu >= self->cpus->len)
    g_ptr_array_set_size (self->cpus, cpu + 1);
  if (g_ptr_array_index (self->cpus, cpu) == NULL)
    {
      g_ptr_array_index (self->cpus, cpu) = g_array_new (FALSE, FALSE, sizeof (Row));
      self->n_cpus++;
    }
}

gboolean
il_cpu_load_append (IlCpuLoad *self, int cpu, const IlCpuLoadRow *row)
{
  GArray *rows;
  Row r = { 0 };

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (row != NULL, FALSE);

  if (row->end_ns <= row->start_ns || row->other_ns < 0 || row->steal_ns < 0)
    return FALSE;
  il_cpu_load_add_cpu (self, cpu);
  rows = rows_of (self, cpu);
  if (rows->len > 0)
    {
      const Row *last = &g_array_index (rows, Row, rows->len - 1);
      if (row->start_ns < last->row.end_ns)
        return FALSE;
      r.cum_other = last->cum_other + last->row.other_ns;
      r.cum_steal = last->cum_steal + last->row.steal_ns;
    }
  r.row = *row;
  g_array_append_val (rows, r);
  self->end_ns = MAX (self->end_ns, row->end_ns);
  return TRUE;
}

gboolean
il_cpu_load_has_cpu (const IlCpuLoad *self, int cpu)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return rows_of (self, cpu) != NULL;
}

guint
il_cpu_load_get_n_cpus (const IlCpuLoad *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_cpus;
}

int
il_cpu_load_get_cpu (const IlCpuLoad *self, guint index)
{
  g_return_val_if_fail (self != NULL, -1);

  for (guint i = 0; i < self->cpus->len; i++)
    if (g_ptr_array_index (self->cpus, i) != NULL && index-- == 0)
      return (int) i;
  return -1;
}

guint
il_cpu_load_get_n_rows (const IlCpuLoad *self, int cpu)
{
  GArray *rows;

  g_return_val_if_fail (self != NULL, 0);
  rows = rows_of (self, cpu);
  return rows != NULL ? rows->len : 0;
}

const IlCpuLoadRow *
il_cpu_load_get_row (const IlCpuLoad *self, int cpu, guint index)
{
  GArray *rows;

  g_return_val_if_fail (self != NULL, NULL);
  rows = rows_of (self, cpu);
  g_return_val_if_fail (rows != NULL && index < rows->len, NULL);
  return &g_array_index (rows, Row, index).row;
}

/* Other and steal time of the rows before @t, counting a row that contains @t in proportion. */
static void
cumulative_at (GArray *rows, gint64 t, double *other, double *steal)
{
  guint lo = 0, hi = rows->len;
  const Row *r;

  /* The first row that ends after t. */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (rows, Row, mid).row.end_ns <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == rows->len)
    {
      if (rows->len == 0)
        {
          *other = *steal = 0;
          return;
        }
      r = &g_array_index (rows, Row, rows->len - 1);
      *other = (double) (r->cum_other + r->row.other_ns);
      *steal = (double) (r->cum_steal + r->row.steal_ns);
      return;
    }
  r = &g_array_index (rows, Row, lo);
  *other = (double) r->cum_other;
  *steal = (double) r->cum_steal;
  if (t > r->row.start_ns)
    {
      double part = (double) (t - r->row.start_ns) / (double) (r->row.end_ns - r->row.start_ns);
      *other += part * (double) r->row.other_ns;
      *steal += part * (double) r->row.steal_ns;
    }
}

void
il_cpu_load_sum_range (const IlCpuLoad *self, int cpu, gint64 t0, gint64 t1,
                       gint64 *other_ns, gint64 *steal_ns)
{
  GArray *rows;
  double o0, s0, o1, s1;

  g_return_if_fail (self != NULL);

  rows = rows_of (self, cpu);
  if (rows == NULL || rows->len == 0 || t1 <= t0)
    {
      if (other_ns != NULL)
        *other_ns = 0;
      if (steal_ns != NULL)
        *steal_ns = 0;
      return;
    }
  cumulative_at (rows, t0, &o0, &s0);
  cumulative_at (rows, t1, &o1, &s1);
  if (other_ns != NULL)
    *other_ns = (gint64) MAX (0, o1 - o0 + 0.5);
  if (steal_ns != NULL)
    *steal_ns = (gint64) MAX (0, s1 - s0 + 0.5);
}

static gint64
total (const IlCpuLoad *self, gboolean steal)
{
  gint64 sum = 0;

  for (guint i = 0; i < self->cpus->len; i++)
    {
      GArray *rows = g_ptr_array_index (self->cpus, i);
      const Row *last;

      if (rows == NULL || rows->len == 0)
        continue;
      last = &g_array_index (rows, Row, rows->len - 1);
      sum += steal ? last->cum_steal + last->row.steal_ns : last->cum_other + last->row.other_ns;
    }
  return sum;
}

gint64
il_cpu_load_get_other_ns (const IlCpuLoad *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return total (self, FALSE);
}

gint64
il_cpu_load_get_steal_ns (const IlCpuLoad *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return total (self, TRUE);
}

gint64
il_cpu_load_get_end_ns (const IlCpuLoad *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->end_ns;
}

void
il_cpu_load_set_top_other (IlCpuLoad *self, const char *name, gint64 cpu_ns)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->top_name, g_free);
  self->top_cpu_ns = 0;
  if (name == NULL || *name == '\0' || cpu_ns <= 0)
    return;
  self->top_name = g_utf8_make_valid (name, -1);
  self->top_cpu_ns = cpu_ns;
}

const char *
il_cpu_load_get_top_other (const IlCpuLoad *self, gint64 *cpu_ns)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (cpu_ns != NULL)
    *cpu_ns = self->top_cpu_ns;
  return self->top_name;
}

/* The words every summary uses ------------------------------------------------------------------ */

char *
il_cpu_load_describe_run (IlRunTrace *run)
{
  const IlSummary *s;
  g_autofree char *other = NULL;
  GString *text;

  g_return_val_if_fail (run != NULL, NULL);

  s = il_run_trace_get_summary (run);
  if (il_run_trace_get_cpu_load (run) == NULL || !isfinite (s->other_share))
    return NULL;
  other = il_clock_format_duration (s->other_ns, IL_DURATION_COARSE);
  text = g_string_new (NULL);
  /* TRANSLATORS: %d is a percentage, %s a duration like "120 ms" */
  g_string_append_printf (text, _("other programs took %d %% of the CPUs (%s of CPU time)"),
                          (int) round (s->other_share * 100), other);
  if (s->steal_ns > 0)
    {
      g_autofree char *steal = il_clock_format_duration (s->steal_ns, IL_DURATION_COARSE);
      g_string_append_printf (text, _(", the hypervisor took %s"), steal);
    }
  /* Named when it mattered: a share of a whole per cent or more. */
  if (s->other_share >= 0.01)
    {
      g_autofree char *culprit = il_cpu_load_describe_culprit (run);

      if (culprit != NULL)
        g_string_append_printf (text, "; %s", culprit);
    }
  return g_string_free (text, FALSE);
}

char *
il_cpu_load_describe_culprit (IlRunTrace *run)
{
  IlCpuLoad *load;
  const IlSummary *s;
  const char *name;
  gint64 cpu_ns = 0;

  g_return_val_if_fail (run != NULL, NULL);

  load = il_run_trace_get_cpu_load (run);
  s = il_run_trace_get_summary (run);
  if (load == NULL || s->wall_ns <= 0 || (name = il_cpu_load_get_top_other (load, &cpu_ns)) == NULL)
    return NULL;
  /* TRANSLATORS: a program's name and the share of one CPU it used during the run:
   * "firefox-esr took 48 % of a CPU" */
  return g_strdup_printf (_("%s took %d %% of a CPU"), name,
                          (int) round ((double) cpu_ns / (double) s->wall_ns * 100));
}

IlRunTrace *
il_cpu_load_find_worst (GPtrArray *runs)
{
  IlRunTrace *worst = NULL;

  g_return_val_if_fail (runs != NULL, NULL);

  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      if (!il_run_trace_get_live (run) && il_run_trace_is_disturbed (run) &&
          (worst == NULL || il_run_trace_get_summary (run)->other_share >
                            il_run_trace_get_summary (worst)->other_share))
        worst = run;
    }
  return worst;
}

char *
il_cpu_load_describe_disturbed (GPtrArray *runs)
{
  IlRunTrace *worst;
  g_autofree char *culprit = NULL;
  char *text;

  g_return_val_if_fail (runs != NULL, NULL);

  worst = il_cpu_load_find_worst (runs);
  if (worst == NULL)
    return NULL;
  if (runs->len == 1)
    text = g_strdup_printf (_("This run was disturbed: other programs took %d %% of its CPUs, so it "
                              "ran slower than this machine can. Close other programs or run it again."),
                            (int) round (il_run_trace_get_summary (worst)->other_share * 100));
  else
    text = g_strdup_printf (_("This comparison was disturbed: other programs took %d %% of the CPUs "
                              "during “%s”, so the runs did not get the same machine. Close other "
                              "programs or run it again."),
                            (int) round (il_run_trace_get_summary (worst)->other_share * 100),
                            il_run_trace_get_label (worst));
  /* The culprit by name: "close other programs" is advice, "firefox-esr took 48 %" a lead. */
  culprit = il_cpu_load_describe_culprit (worst);
  if (culprit != NULL)
    {
      char *with = g_strdup_printf (_("%s The busiest of them: %s."), text, culprit);
      g_free (text);
      text = with;
    }
  return text;
}

char *
il_cpu_load_describe_busy (double share)
{
  if (!(share > IL_CPU_LOAD_DISTURBED_SHARE))
    return NULL;
  return g_strdup_printf (_("The machine is already busy: other programs use %d %% of the CPUs. "
                            "Close them first, or the runs will be slower and the comparison unsound."),
                          (int) round (share * 100));
}
