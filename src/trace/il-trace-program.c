/* il-trace-program.c: traced programs' additions to a run: processes, helpers, waits, undrawn spans. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "il-trace-private.h"

/* Traced programs: processes, helper threads, sampling (DESIGN.md, "Trace file additions"). */

void
il_wait_array_free (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

void
il_run_trace_clear_processes (IlRunTrace *self)
{
  g_clear_pointer (&self->waits, g_ptr_array_unref);
  g_clear_pointer (&self->lost, g_array_unref);
  if (self->processes == NULL)
    return;
  for (guint i = 0; i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      g_free (p->command);
      g_free (p->name);
    }
  g_clear_pointer (&self->processes, g_array_unref);
}

void
il_run_trace_add_process (IlRunTrace *self, int pid, int ppid, const char *command, const char *name)
{
  IlProcessInfo info = { pid, ppid, g_strdup (command ? command : ""), g_strdup (name ? name : "") };

  g_return_if_fail (self != NULL);

  if (self->processes == NULL)
    self->processes = g_array_new (FALSE, TRUE, sizeof (IlProcessInfo));
  for (guint i = 0; i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      if (p->pid == pid)
        {
          g_free (p->command);
          g_free (p->name);
          *p = info;
          self->generation++;
          return;
        }
    }
  g_array_append_val (self->processes, info);
  self->generation++;
}

guint
il_run_trace_get_n_processes (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->processes != NULL ? self->processes->len : 0;
}

const IlProcessInfo *
il_run_trace_get_process (IlRunTrace *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < il_run_trace_get_n_processes (self), NULL);
  return &g_array_index (self->processes, IlProcessInfo, index);
}

const IlProcessInfo *
il_run_trace_find_process (IlRunTrace *self, int pid)
{
  g_return_val_if_fail (self != NULL, NULL);
  for (guint i = 0; i < il_run_trace_get_n_processes (self); i++)
    if (g_array_index (self->processes, IlProcessInfo, i).pid == pid)
      return &g_array_index (self->processes, IlProcessInfo, i);
  return NULL;
}

void
il_run_trace_set_worker_helper (IlRunTrace *self, guint worker, gboolean helper)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  g_array_index (self->workers, IlWorkerInfo, worker).helper = helper;
  self->generation++;
}

void
il_run_trace_set_worker_name (IlRunTrace *self, guint worker, const char *name)
{
  IlWorkerInfo *info;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  info = &g_array_index (self->workers, IlWorkerInfo, worker);
  g_free (info->name);
  info->name = g_strdup (name ? name : "");
  self->generation++;
}

gint64
il_run_trace_get_sample_interval_ns (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->sample_interval_ns;
}

void
il_run_trace_set_sample_interval_ns (IlRunTrace *self, gint64 interval_ns)
{
  g_return_if_fail (self != NULL);
  self->sample_interval_ns = MAX (interval_ns, 0);
}

void
il_run_trace_set_process_still_running (IlRunTrace *self, int pid, gboolean still_running)
{
  g_return_if_fail (self != NULL);
  for (guint i = 0; i < il_run_trace_get_n_processes (self); i++)
    if (g_array_index (self->processes, IlProcessInfo, i).pid == pid)
      {
        g_array_index (self->processes, IlProcessInfo, i).still_running = !!still_running;
        self->generation++;
      }
}

void
il_run_trace_add_lost (IlRunTrace *self, int cpu, gint64 start_ns, gint64 end_ns, guint64 records)
{
  IlLostStretch l = { MAX (start_ns, 0), MAX (end_ns, 0), cpu, records };

  g_return_if_fail (self != NULL);
  g_return_if_fail (cpu >= 0 && records > 0);

  l.end_ns = MAX (l.end_ns, l.start_ns);
  if (self->lost == NULL)
    self->lost = g_array_new (FALSE, FALSE, sizeof (IlLostStretch));
  g_array_append_val (self->lost, l);
  self->generation++;
}

const IlLostStretch *
il_run_trace_get_lost (IlRunTrace *self, guint *n_stretches)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_stretches != NULL, NULL);

  *n_stretches = self->lost != NULL ? self->lost->len : 0;
  return self->lost != NULL ? (const IlLostStretch *) (gconstpointer) self->lost->data : NULL;
}

guint64
il_run_trace_get_lost_records (IlRunTrace *self, gint64 *covered_ns)
{
  guint64 records = 0;
  gint64 covered = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint i = 0; self->lost != NULL && i < self->lost->len; i++)
    {
      const IlLostStretch *l = &g_array_index (self->lost, IlLostStretch, i);

      records += l->records;
      covered += l->end_ns - l->start_ns;
    }
  if (covered_ns != NULL)
    *covered_ns = covered;
  return records;
}

void
il_run_trace_set_exit (IlRunTrace *self, int code, int signal)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (code >= -1 && code <= 255 && signal >= 0);
  self->exit_code = signal > 0 ? -1 : code;
  self->exit_signal = signal;
}

gboolean
il_run_trace_get_exit (IlRunTrace *self, int *code, int *signal)
{
  g_return_val_if_fail (self != NULL, FALSE);
  if (code != NULL)
    *code = self->exit_code;
  if (signal != NULL)
    *signal = self->exit_signal;
  return self->exit_code >= 0 || self->exit_signal > 0;
}

char *
il_run_trace_describe_exit (IlRunTrace *self)
{
  GString *s;
  guint still = 0;

  g_return_val_if_fail (self != NULL, NULL);
  if (!il_run_trace_get_exit (self, NULL, NULL))
    return NULL;
  s = g_string_new (NULL);
  if (self->exit_signal > 0)
    {
      const char *abbrev = sigabbrev_np (self->exit_signal);

      if (abbrev != NULL)
        g_string_append_printf (s, _("killed by SIG%s"), abbrev);
      else
        g_string_append_printf (s, _("killed by signal %d"), self->exit_signal);
    }
  else
    g_string_append_printf (s, _("exit status %d"), self->exit_code);
  for (guint i = 0; i < il_run_trace_get_n_processes (self); i++)
    still += g_array_index (self->processes, IlProcessInfo, i).still_running;
  if (still > 0)
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE,
                                              "%u process still running at the end (left running)",
                                              "%u processes still running at the end (left running)",
                                              still), still);
    }
  return g_string_free (s, FALSE);
}

void
il_run_trace_remove_process (IlRunTrace *self, int pid)
{
  guint to = 0;
  guint64 n_spans = 0;
  g_autofree int *map = NULL;

  g_return_if_fail (self != NULL);

  map = g_new (int, MAX (self->workers->len, 1));
  for (guint from = 0; from < self->workers->len; from++)
    {
      IlWorkerInfo info = g_array_index (self->workers, IlWorkerInfo, from);
      IlLane *lane = g_ptr_array_index (self->lanes, from);

      map[from] = info.pid == pid ? -1 : (int) to;
      if (info.pid == pid)
        {
          g_free (info.name);
          il_lane_free (lane);
          continue;
        }
      info.id = to;
      for (guint i = 0; i < lane->n_spans; i++)
        lane_at (lane, i)->worker = (guint16) to;
      for (guint t = 0; t < self->tasks->len; t++)
        if (g_array_index (self->tasks, IlTaskRecord, t).worker == (int) from)
          g_array_index (self->tasks, IlTaskRecord, t).worker = (int) to;
      n_spans += lane->n_spans;
      g_array_index (self->workers, IlWorkerInfo, to) = info;
      self->lanes->pdata[to] = lane;
      to++;
    }
  if (self->waits != NULL)
    {
      /* The waits follow their workers' new numbers. */
      GPtrArray *waits = g_ptr_array_new_with_free_func (il_wait_array_free);

      for (guint from = 0; from < self->waits->len; from++)
        if (g_ptr_array_index (self->waits, from) != NULL && from < self->workers->len &&
            map[from] >= 0)
          {
            guint nw = (guint) map[from];
            if (waits->len <= nw)
              g_ptr_array_set_size (waits, nw + 1);
            waits->pdata[nw] = g_array_ref (g_ptr_array_index (self->waits, from));
          }
      g_ptr_array_unref (self->waits);
      self->waits = waits;
    }
  g_array_set_size (self->workers, to);
  /* The removed lanes were freed above. */
  g_ptr_array_set_free_func (self->lanes, NULL);
  g_ptr_array_set_size (self->lanes, to);
  g_ptr_array_set_free_func (self->lanes, il_lane_free);
  self->n_spans = n_spans;

  for (guint i = 0; self->processes != NULL && i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      if (p->pid == pid)
        {
          g_free (p->command);
          g_free (p->name);
          g_array_remove_index (self->processes, i);
          break;
        }
    }
  g_datalist_clear (&self->data);
  g_datalist_init (&self->data);
  self->generation++;
}

void
il_run_trace_add_wait (IlRunTrace *self, guint worker, gint64 start_ns, IlWaitKind kind)
{
  IlWaitEntry e = { start_ns, (guint8) kind };
  GArray *a;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  g_return_if_fail ((guint) kind < IL_N_WAITS);

  if (kind == IL_WAIT_NONE)
    return;
  if (self->waits == NULL)
    self->waits = g_ptr_array_new_with_free_func (il_wait_array_free);
  if (self->waits->len <= worker)
    g_ptr_array_set_size (self->waits, worker + 1);
  a = g_ptr_array_index (self->waits, worker);
  if (a == NULL)
    {
      a = g_array_new (FALSE, FALSE, sizeof (IlWaitEntry));
      self->waits->pdata[worker] = a;
    }
  if (a->len > 0 && g_array_index (a, IlWaitEntry, a->len - 1).start_ns >= start_ns)
    return;
  g_array_append_val (a, e);
}

IlWaitKind
il_run_trace_get_wait (IlRunTrace *self, guint worker, gint64 start_ns)
{
  GArray *a;
  guint lo = 0, hi;

  g_return_val_if_fail (self != NULL, IL_WAIT_NONE);

  if (self->waits == NULL || worker >= self->waits->len ||
      (a = g_ptr_array_index (self->waits, worker)) == NULL)
    return IL_WAIT_NONE;
  hi = a->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (a, IlWaitEntry, mid).start_ns < start_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < a->len && g_array_index (a, IlWaitEntry, lo).start_ns == start_ns)
    return (IlWaitKind) g_array_index (a, IlWaitEntry, lo).kind;
  return IL_WAIT_NONE;
}

void
il_run_trace_foreach_wait (IlRunTrace *self,
                           void (*func) (guint worker, gint64 start_ns, IlWaitKind kind, gpointer data),
                           gpointer data)
{
  g_return_if_fail (self != NULL);
  for (guint w = 0; self->waits != NULL && w < self->waits->len; w++)
    {
      GArray *a = g_ptr_array_index (self->waits, w);
      for (guint i = 0; a != NULL && i < a->len; i++)
        func (w, g_array_index (a, IlWaitEntry, i).start_ns,
              (IlWaitKind) g_array_index (a, IlWaitEntry, i).kind, data);
    }
}

void
il_run_trace_add_undrawn (IlRunTrace *self, const IlSpan *span)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (span != NULL);

  if (span->state != IL_STATE_RUNNING || span->cpu < 0 || span->end_ns <= span->start_ns)
    return;
  if (self->undrawn == NULL)
    self->undrawn = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  /* Kept in order of start: they come nearly in order, so this looks back a step or two. */
  {
    guint i = self->undrawn->len;

    while (i > 0 && g_array_index (self->undrawn, IlSpan, i - 1).start_ns > span->start_ns)
      i--;
    g_array_insert_val (self->undrawn, i, *span);
  }
  self->undrawn_max_ns = MAX (self->undrawn_max_ns, span->end_ns - span->start_ns);
}

GArray *
il_run_trace_get_undrawn (IlRunTrace *self, gint64 *max_ns)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (max_ns != NULL)
    *max_ns = self->undrawn_max_ns;
  return self->undrawn;
}
