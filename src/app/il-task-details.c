/* il-task-details.c: one task of a run in words: how long it took and where its time went. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"
#include "il-task-details.h"

typedef struct
{
  int     task;
  gint64  totals[IL_N_STATES];
} Sum;

static gboolean
add_span (const IlSpan *span, gpointer data)
{
  Sum *sum = data;

  if (span->task == sum->task && span->state < IL_N_STATES)
    sum->totals[span->state] += span->end_ns - span->start_ns;
  return TRUE;
}

gboolean
il_task_details_totals (IlRunTrace *run,
                        int         task,
                        gint64     *start_ns,
                        gint64     *end_ns,
                        gint64      totals[IL_N_STATES])
{
  IlTaskRecord *record;
  Sum sum = { task, { 0 } };
  gint64 end;

  g_return_val_if_fail (run != NULL, FALSE);

  if (task < 0 || (guint) task >= il_run_trace_get_n_tasks (run))
    return FALSE;
  record = il_run_trace_get_task (run, (guint) task);
  if (record->worker < 0 || (guint) record->worker >= il_run_trace_get_n_workers (run))
    return FALSE;
  /* A task still going on counts up to the newest span. */
  end = record->end_ns > record->start_ns ? record->end_ns : il_run_trace_get_end_ns (run);
  il_lane_foreach_in_range (il_run_trace_get_lane (run, (guint) record->worker), record->start_ns,
                            end, add_span, &sum);
  *start_ns = record->start_ns;
  *end_ns = end;
  memcpy (totals, sum.totals, sizeof sum.totals);
  return TRUE;
}

char *
il_task_details_describe (IlRunTrace *run, int task)
{
  gint64 totals[IL_N_STATES];
  gint64 start, end;
  g_autofree char *took = NULL;
  g_autofree char *title = NULL;
  const char *label;
  GString *s;
  gboolean first = TRUE;

  g_return_val_if_fail (run != NULL, NULL);

  if (!il_task_details_totals (run, task, &start, &end, totals))
    return NULL;
  title = il_run_config_get_title (il_run_trace_get_config (run));
  label = il_run_trace_get_label (run) != NULL ? il_run_trace_get_label (run) : title;
  took = il_clock_format_duration (end - start, IL_DURATION_SIGNIFICANT);
  s = g_string_new (NULL);
  /* Translators: "Task 0 of “3 threads + GIL”: 612 ms from start to end on worker 0" */
  g_string_append_printf (s, _("Task %d of “%s”: %s from start to end on worker %d"), task, label,
                          took, il_run_trace_get_task (run, (guint) task)->worker);
  for (int state = 0; state < IL_N_STATES; state++)
    {
      g_autofree char *d = NULL;

      if (totals[state] <= 0)
        continue;
      d = il_clock_format_duration (totals[state], IL_DURATION_SIGNIFICANT);
      /* Translators: a state and its time in a task's details, e.g. "Running: 12 ms" */
      g_string_append_printf (s, first ? _(" — %s: %s") : _(", %s: %s"),
                              il_state_get_title ((IlState) state), d);
      first = FALSE;
    }
  return g_string_free (s, FALSE);
}
