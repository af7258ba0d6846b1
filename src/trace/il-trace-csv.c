/* il-trace-csv.c: CSV export: one row per span, then what other programs took of each CPU. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-cpu-load.h"
#include "il-trace-io-private.h"
#include "il-trace-marks.h"

/* One row of the other-programs series: state "other-programs" or "steal", the CPU, the interval
 * and, in cpu_time_ns, the CPU time taken in it. */
static void
write_load_row (IlWriter *w, guint r, const char *label, const char *kind, int cpu,
                const IlCpuLoadRow *row, gint64 ns, gboolean marks)
{
  il_writer_int (w, r);
  il_writer_putc (w, ',');
  il_writer_csv_string (w, label);
  il_writer_puts (w, ",,,,");
  il_writer_puts (w, kind);
  il_writer_putc (w, ',');
  il_writer_int (w, cpu);
  il_writer_putc (w, ',');
  il_writer_putc (w, ',');
  il_writer_int (w, row->start_ns);
  il_writer_putc (w, ',');
  il_writer_int (w, row->end_ns);
  il_writer_putc (w, ',');
  il_writer_int (w, ns);
  /* The columns of imported files' names, categories and arguments, empty here. */
  il_writer_puts (w, marks ? ",,,\n" : "\n");
}

static void
write_load (IlWriter *w, guint r, const char *label, const IlCpuLoad *load, gboolean marks)
{
  for (guint i = 0; i < il_cpu_load_get_n_cpus (load) && w->error == NULL; i++)
    {
      int cpu = il_cpu_load_get_cpu (load, i);

      for (guint k = 0; k < il_cpu_load_get_n_rows (load, cpu); k++)
        {
          const IlCpuLoadRow *row = il_cpu_load_get_row (load, cpu, k);

          /* Intervals where nothing else ran are left out: the rows add up the same. */
          if (row->other_ns > 0)
            write_load_row (w, r, label, "other-programs", cpu, row, row->other_ns, marks);
          if (row->steal_ns > 0)
            write_load_row (w, r, label, "steal", cpu, row, row->steal_ns, marks);
        }
    }
}

/* Imported traces say more than spans: a name, category and arguments per slice, and instants.
 * Files with any get three more columns, name, cat and args (the columns before stay as they
 * were), and a row per instant (state "instant", start and end its time). */
static gboolean
trace_has_marks (IlTrace *trace)
{
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);

      if (il_run_trace_has_task_meta (run) || il_run_trace_get_n_instants (run) > 0)
        return TRUE;
    }
  return FALSE;
}

static void
write_meta_columns (IlWriter *w, const char *name, const char *cat, const char *args)
{
  il_writer_putc (w, ',');
  if (name != NULL)
    il_writer_csv_string (w, name);
  il_writer_putc (w, ',');
  if (cat != NULL)
    il_writer_csv_string (w, cat);
  il_writer_putc (w, ',');
  if (args != NULL)
    il_writer_csv_string (w, args);
}

static void
write_instants (IlWriter *w, guint r, const char *label, IlRunTrace *run)
{
  for (guint i = 0; i < il_run_trace_get_n_instants (run) && w->error == NULL; i++)
    {
      const IlInstant *in = il_run_trace_get_instant (run, i);
      const IlWorkerInfo *info = in->worker >= 0 ? il_run_trace_get_worker (run, (guint) in->worker) : NULL;

      il_writer_int (w, r);
      il_writer_putc (w, ',');
      il_writer_csv_string (w, label);
      il_writer_putc (w, ',');
      if (info != NULL)
        {
          il_writer_int (w, in->worker);
          il_writer_putc (w, ',');
          il_writer_int (w, info->pid);
          il_writer_putc (w, ',');
          il_writer_int (w, info->tid);
        }
      else
        {
          il_writer_putc (w, ',');
          il_writer_int (w, in->pid);
          il_writer_putc (w, ',');
        }
      il_writer_puts (w, ",instant,,,");
      il_writer_int (w, in->ts_ns);
      il_writer_putc (w, ',');
      il_writer_int (w, in->ts_ns);
      il_writer_putc (w, ',');
      write_meta_columns (w, in->name, in->category, in->args);
      il_writer_putc (w, '\n');
    }
}

static gboolean
write_csv (IlTrace *trace, IlWriter *w)
{
  guint n_runs = il_trace_get_n_runs (trace);
  gboolean marks = trace_has_marks (trace);

  il_writer_puts (w, "run,label,worker,pid,tid,state,cpu,task,start_ns,end_ns,cpu_time_ns");
  il_writer_puts (w, marks ? ",name,cat,args\n" : "\n");
  for (guint r = 0; r < n_runs && w->error == NULL; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      const char *label = il_run_trace_get_label (run) ? il_run_trace_get_label (run) : title;
      guint n_workers = il_run_trace_get_n_workers (run);

      for (guint worker = 0; worker < n_workers && w->error == NULL; worker++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, worker);
          const IlLane *lane = il_run_trace_get_lane (run, worker);
          guint n = il_lane_get_n_spans (lane);

          for (guint i = 0; i < n;)
            {
              const IlSpan *block;
              guint len = il_lane_get_block (lane, i, &block);

              for (guint k = 0; k < len; k++)
                {
                  const IlSpan *s = &block[k];

                  il_writer_int (w, r);
                  il_writer_putc (w, ',');
                  il_writer_csv_string (w, label);
                  il_writer_putc (w, ',');
                  il_writer_int (w, s->worker);
                  il_writer_putc (w, ',');
                  il_writer_int (w, info->pid);
                  il_writer_putc (w, ',');
                  il_writer_int (w, info->tid);
                  il_writer_putc (w, ',');
                  il_writer_puts (w, il_state_to_string ((IlState) s->state));
                  il_writer_putc (w, ',');
                  il_writer_int (w, s->cpu);
                  il_writer_putc (w, ',');
                  il_writer_int (w, s->task);
                  il_writer_putc (w, ',');
                  il_writer_int (w, s->start_ns);
                  il_writer_putc (w, ',');
                  il_writer_int (w, s->end_ns);
                  il_writer_putc (w, ',');
                  if (marks)
                    {
                      const IlTaskRecord *task = s->task >= 0 && (guint) s->task < il_run_trace_get_n_tasks (run)
                                                   ? il_run_trace_get_task (run, (guint) s->task) : NULL;

                      if (task != NULL)
                        write_meta_columns (w, task->name, il_run_trace_get_task_category (run, task->id),
                                            il_run_trace_get_task_args (run, task->id));
                      else
                        il_writer_puts (w, ",,,");
                    }
                  il_writer_putc (w, '\n');
                }
              i += len;
            }
        }
      if (marks)
        write_instants (w, r, label, run);
      if (il_run_trace_get_cpu_load (run) != NULL)
        write_load (w, r, label, il_run_trace_get_cpu_load (run), marks);
    }
  return w->error == NULL;
}

gboolean
il_trace_export_csv (IlTrace *trace, const char *path, GError **error)
{
  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return il_trace_write_file (trace, path, write_csv, error);
}

gboolean
il_trace_write_csv (IlTrace       *trace,
                    GOutputStream *stream,
                    const char    *name,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return il_trace_write_stream (trace, stream, name, cancellable, write_csv, error);
}
