/* il-trace-stacks-show.c: a run's stacks: attaching them, per-function totals and the words a tooltip says. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-trace-private.h"
#include "il-trace-stacks.h"

void
il_run_trace_set_stacks (IlRunTrace *trace, IlTraceStacks *stacks)
{
  g_return_if_fail (trace != NULL);
  if (trace->stacks == stacks)
    return;
  g_clear_pointer (&trace->stacks, il_trace_stacks_free);
  trace->stacks = stacks;
}

IlTraceStacks *
il_run_trace_get_stacks (IlRunTrace *trace)
{
  g_return_val_if_fail (trace != NULL, NULL);
  return trace->stacks;
}

/* The lane of thread (@pid, @tid) in @run, or -1: its first row (depth 0). */
static int
find_worker (IlRunTrace *run, gint64 pid, gint64 tid)
{
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, w);

      if (info->pid == pid && info->tid == tid)
        return (int) w;
    }
  return -1;
}

/* The state of lane @worker at @t_ns, or -1 when no span is there. */
static int
state_at (IlRunTrace *run, int worker, gint64 t_ns)
{
  const IlLane *lane;
  guint i;

  if (run == NULL || worker < 0)
    return -1;
  lane = il_run_trace_get_lane (run, (guint) worker);
  i = il_lane_find (lane, t_ns);
  if (i >= il_lane_get_n_spans (lane) || il_lane_get_span (lane, i)->start_ns > t_ns)
    return -1;
  return il_lane_get_span (lane, i)->state;
}

static int
compare_totals (gconstpointer a, gconstpointer b)
{
  const IlStackFunctionTotal *x = a, *y = b;
  gint64 tx = x->running_ns + x->gil_wait_ns + x->blocked_ns;
  gint64 ty = y->running_ns + y->gil_wait_ns + y->blocked_ns;

  if (tx != ty)
    return tx > ty ? -1 : 1;
  return x->frame < y->frame ? -1 : x->frame > y->frame;
}

GArray *
il_trace_stacks_get_function_totals (IlTraceStacks *stacks, IlRunTrace *run)
{
  GArray *totals = g_array_new (FALSE, TRUE, sizeof (IlStackFunctionTotal));
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint *group_of = NULL;   /* frame id → index in totals + 1; 0: not yet seen */
  guint n_frames = il_trace_stacks_get_n_frames (stacks);
  gint64 interval = il_trace_stacks_get_interval_ns (stacks);

  g_return_val_if_fail (stacks != NULL, totals);
  group_of = g_new0 (guint, MAX (n_frames, 1));
  for (guint t = 0; t < il_trace_stacks_get_n_threads (stacks); t++)
    {
      gint64 pid, tid;
      guint n_samples;
      int worker;

      il_trace_stacks_get_thread (stacks, t, &pid, &tid, &n_samples);
      worker = run != NULL ? find_worker (run, pid, tid) : -1;
      for (guint k = 0; k < n_samples; k++)
        {
          IlStackSample s;
          IlStackFunctionTotal *total;
          guint frame;

          if (!il_trace_stacks_get_thread_sample (stacks, t, k, &s) || s.n_frames == 0 ||
              (frame = s.frames[0]) >= n_frames)
            continue;
          /* Lines of one function add up: grouped by function and file. */
          if (group_of[frame] == 0)
            {
              IlStackFrame f;
              g_autofree char *key = NULL;
              gpointer found;

              il_trace_stacks_get_frame (stacks, frame, &f);
              key = g_strdup_printf ("%s\x1f%s", f.function, f.file);
              if ((found = g_hash_table_lookup (groups, key)) == NULL)
                {
                  IlStackFunctionTotal fresh = { .frame = frame };

                  g_array_append_val (totals, fresh);
                  found = GUINT_TO_POINTER (totals->len);
                  g_hash_table_insert (groups, g_steal_pointer (&key), found);
                }
              group_of[frame] = GPOINTER_TO_UINT (found);
            }
          total = &g_array_index (totals, IlStackFunctionTotal, group_of[frame] - 1);
          total->n_samples++;
          if (s.on_cpu)
            total->running_ns += interval;
          else if (!s.holds_gil && state_at (run, worker, s.time_ns) == IL_STATE_GIL_WAIT)
            total->gil_wait_ns += interval;
          else
            total->blocked_ns += interval;
        }
    }
  g_array_sort (totals, compare_totals);
  return totals;
}

/* Appends the innermost frame of @s and up to @max_outer frames around it, one a line. */
static void
append_stack (GString *out, IlTraceStacks *stacks, const IlStackSample *s, guint max_outer)
{
  guint shown = MIN (s->n_frames, MIN (IL_STACK_SAMPLE_FRAMES, max_outer + 1));

  for (guint i = 0; i < shown; i++)
    {
      g_autofree char *frame = il_trace_stacks_format_frame (stacks, s->frames[i]);

      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (i == 0)
        g_string_append (out, frame);
      else
        /* TRANSLATORS: an outer frame of a Python stack: the function that called the one above */
        g_string_append_printf (out, _("  in %s"), frame);
    }
  if (s->n_frames > shown)
    {
      g_string_append (out, "\n  ");
      g_string_append_printf (out, ngettext ("(%u more frame)", "(%u more frames)", s->n_frames - shown),
                              s->n_frames - shown);
    }
}

char *
il_trace_stacks_describe (IlRunTrace *run, guint worker, gint64 time_ns, IlState state, guint max_outer)
{
  IlTraceStacks *stacks;
  const IlWorkerInfo *info;
  IlStackSample s, holder;
  g_autoptr(GString) out = NULL;
  gint64 gap;

  g_return_val_if_fail (run != NULL, NULL);
  if ((stacks = il_run_trace_get_stacks (run)) == NULL || worker >= il_run_trace_get_n_workers (run))
    return NULL;
  info = il_run_trace_get_worker (run, worker);
  gap = il_trace_stacks_get_max_gap_ns (stacks);
  out = g_string_new (NULL);
  if (il_trace_stacks_find_sample (stacks, info->pid, info->tid, time_ns, gap, &s) && s.n_frames > 0)
    {
      g_autoptr(GString) lines = g_string_new (NULL);

      append_stack (lines, stacks, &s, max_outer);
      g_string_append (out, lines->str);
    }
  /* The others wait for the GIL while one thread holds it: that thread's code is the answer to
   * "why is this one waiting". */
  if (state == IL_STATE_GIL_WAIT &&
      il_trace_stacks_find_gil_holder (stacks, info->pid, info->tid, time_ns, gap, &holder) &&
      holder.n_frames > 0)
    {
      g_autofree char *frame = il_trace_stacks_format_frame (stacks, holder.frames[0]);
      int w = find_worker (run, holder.pid, holder.tid);

      if (out->len > 0)
        g_string_append_c (out, '\n');
      if (w >= 0)
        {
          g_autofree char *name = il_run_trace_get_worker_label (run, (guint) w);

          /* TRANSLATORS: the GIL holder's function and file:line, then its thread's name */
          g_string_append_printf (out, _("Held the GIL: %s (%s)"), frame, name);
        }
      else
        g_string_append_printf (out, _("Held the GIL: %s"), frame);
    }
  if (out->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}
