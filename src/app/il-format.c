/* il-format.c: numbers of a run in words for labels, tooltips and screen readers. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"

double
il_format_get_efficiency (IlRunTrace *run)
{
  const IlRunConfig *config = il_run_trace_get_config (run);
  const IlSummary *summary = il_run_trace_get_summary (run);
  guint workers;

  if (summary == NULL || !isfinite (summary->speedup))
    return NAN;
  /* An event loop is one thread: its lanes are tasks in flight, not workers that could each
   * pull a share, so speedup per lane means nothing there. */
  if (config->executor == IL_EXECUTOR_ASYNC)
    return NAN;
  /* Parallel efficiency in its textbook sense, speedup per worker: 4 GIL threads at speedup 1
   * are 25 % efficient, 8 threads overlapping 8 waits at speedup 8 are 100 %. */
  workers = config->executor == IL_EXECUTOR_SEQUENTIAL ? 1 : MAX (config->workers, 1);
  return summary->speedup / workers;
}

char *
il_format_run_description (IlRunTrace *run)
{
  const IlSummary *summary = il_run_trace_get_summary (run);
  const IlRunConfig *config = il_run_trace_get_config (run);
  g_autofree char *title = il_run_config_get_title (config);
  g_autofree char *wall = NULL;
  g_autofree char *cpu = NULL;
  g_autofree char *gil = NULL;
  g_autofree char *io = NULL;
  g_autofree char *ready = NULL;
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, _("Run “%s”."), title);
  if (il_run_trace_get_live (run))
    {
      g_autofree char *so_far = il_clock_format_duration (il_run_trace_get_end_ns (run),
                                                          IL_DURATION_SIGNIFICANT);
      g_string_append_printf (s, " %s", _("Still running."));
      g_string_append_printf (s, " ");
      g_string_append_printf (s, _("%s recorded so far."), so_far);
      return g_string_free (s, FALSE);
    }
  if (summary == NULL)
    return g_string_free (s, FALSE);

  wall = il_clock_format_duration (summary->wall_ns, IL_DURATION_SIGNIFICANT);
  cpu = il_clock_format_duration (summary->cpu_ns, IL_DURATION_SIGNIFICANT);
  gil = il_clock_format_duration (summary->gil_wait_ns, IL_DURATION_SIGNIFICANT);
  io = il_clock_format_duration (summary->io_wait_ns, IL_DURATION_SIGNIFICANT);
  ready = il_clock_format_duration (summary->ready_ns, IL_DURATION_SIGNIFICANT);

  g_string_append_c (s, ' ');
  g_string_append_printf (s, _("It took %s of wall time and %s of CPU time on %u workers."),
                          wall, cpu, il_run_trace_get_n_workers (run));
  g_string_append_c (s, ' ');
  g_string_append_printf (s, _("On average %.2f workers were running at once, at most %u, "
                               "on a machine with %u cores."),
                          summary->avg_parallelism, summary->max_parallelism,
                          il_run_trace_get_n_cpus (run));
  g_string_append_c (s, ' ');
  g_string_append_printf (s, _("Workers waited %s for the GIL, %s for I/O, and were ready but "
                               "not running for %s."), gil, io, ready);
  if (isfinite (summary->speedup))
    {
      g_string_append_c (s, ' ');
      g_string_append_printf (s, _("Speedup against a sequential run: %.2f×."), summary->speedup);
    }
  for (guint w = 0; w < il_run_trace_get_n_workers (run) && w < 16; w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      gint64 running = 0;
      guint n_tasks = 0;
      int last_task = -1;
      g_autofree char *running_str = NULL;

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *span = il_lane_get_span (lane, i);
          if (span->state == IL_STATE_RUNNING)
            running += span->end_ns - span->start_ns;
          if (span->task >= 0 && span->task != last_task)
            {
              n_tasks++;
              last_task = span->task;
            }
        }
      running_str = il_clock_format_duration (running, IL_DURATION_SIGNIFICANT);
      g_string_append_c (s, ' ');
      g_string_append_printf (s, _("Worker %u worked on %u tasks and ran for %s."),
                              w, n_tasks, running_str);
    }
  return g_string_free (s, FALSE);
}
