/* il-trace-chrome.c: Chrome Trace Event JSON export. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-trace-io-private.h"

static void
chrome_metadata (IlWriter *w, const char *what, int pid, int tid, const char *name, int sort_index)
{
  il_writer_puts (w, w->more ? ",\n{\"ph\":\"M\",\"name\":\"" : "\n{\"ph\":\"M\",\"name\":\"");
  w->more = TRUE;
  il_writer_puts (w, what);
  il_writer_puts (w, "\",\"pid\":");
  il_writer_int (w, pid);
  il_writer_puts (w, ",\"tid\":");
  il_writer_int (w, tid);
  il_writer_puts (w, ",\"args\":{\"name\":");
  il_writer_json_string (w, name);
  il_writer_puts (w, "}}");

  /* The sort index keeps workers and cores in numeric order, runs in file order. */
  il_writer_puts (w, ",\n{\"ph\":\"M\",\"name\":\"");
  il_writer_puts (w, what[0] == 'p' ? "process_sort_index" : "thread_sort_index");
  il_writer_puts (w, "\",\"pid\":");
  il_writer_int (w, pid);
  il_writer_puts (w, ",\"tid\":");
  il_writer_int (w, tid);
  il_writer_puts (w, ",\"args\":{\"sort_index\":");
  il_writer_int (w, sort_index);
  il_writer_puts (w, "}}");
}

static void
chrome_event (IlWriter *w, const char *name, int pid, int tid, gint64 ts_ns, gint64 dur_ns,
              const IlSpan *s)
{
  il_writer_puts (w, w->more ? ",\n{\"ph\":\"X\",\"name\":" : "\n{\"ph\":\"X\",\"name\":");
  w->more = TRUE;
  il_writer_json_string (w, name);
  il_writer_puts (w, ",\"cat\":\"");
  il_writer_puts (w, il_state_to_string ((IlState) s->state));
  il_writer_puts (w, "\",\"pid\":");
  il_writer_int (w, pid);
  il_writer_puts (w, ",\"tid\":");
  il_writer_int (w, tid);
  il_writer_puts (w, ",\"ts\":");
  il_writer_us (w, ts_ns);
  il_writer_puts (w, ",\"dur\":");
  il_writer_us (w, dur_ns);
  il_writer_puts (w, ",\"args\":{\"worker\":");
  il_writer_int (w, s->worker);
  il_writer_puts (w, ",\"task\":");
  il_writer_int (w, s->task);
  il_writer_puts (w, ",\"cpu\":");
  il_writer_int (w, s->cpu);
  il_writer_puts (w, "}}");
}

static gboolean
write_chrome (IlTrace *trace, IlWriter *w)
{
  guint n_runs = il_trace_get_n_runs (trace);
  gint64 first_origin = 0;

  if (n_runs > 0)
    first_origin = il_run_trace_get_origin_ns (il_trace_get_run (trace, 0));

  il_writer_puts (w, "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[");
  w->more = FALSE;

  for (guint r = 0; r < n_runs && w->error == NULL; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      const char *label = il_run_trace_get_label (run) ? il_run_trace_get_label (run) : title;
      guint n_workers = il_run_trace_get_n_workers (run);
      guint n_cpus = MAX (il_run_trace_get_n_cpus (run), 1);
      /* Runs keep their real order and distance in time, like the kernel's own record. */
      gint64 offset = il_run_trace_get_origin_ns (run) - first_origin;
      int worker_pid = 2 * (int) r + 1;
      int core_pid = 2 * (int) r + 2;
      g_autofree char *worker_title = g_strdup_printf (_("Run %u: %s — workers"), r + 1, label);
      g_autofree char *core_title = g_strdup_printf (_("Run %u: %s — CPU cores"), r + 1, label);

      chrome_metadata (w, "process_name", worker_pid, 0, worker_title, worker_pid);
      chrome_metadata (w, "process_name", core_pid, 0, core_title, core_pid);
      for (guint cpu = 0; cpu < n_cpus; cpu++)
        {
          g_autofree char *name = g_strdup_printf (_("CPU %u"), cpu);
          chrome_metadata (w, "thread_name", core_pid, (int) cpu, name, (int) cpu);
        }

      for (guint worker = 0; worker < n_workers && w->error == NULL; worker++)
        {
          const IlWorkerInfo *info = il_run_trace_get_worker (run, worker);
          const IlLane *lane = il_run_trace_get_lane (run, worker);
          guint n = il_lane_get_n_spans (lane);
          g_autofree char *lane_name = NULL;
          g_autofree char *on_core = NULL;

          /* The names the lanes show; a traced program's threads by their own names. */
          lane_name = il_run_trace_get_worker_label (run, worker);
          chrome_metadata (w, "thread_name", worker_pid, (int) worker, lane_name, (int) worker);
          if (il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL)
            on_core = g_strdup (lane_name);
          else
            on_core = g_strdup_printf (info->kind == IL_WORKER_PROCESS ? _("process %u")
                                                                        : _("worker %u"),
                                       worker);

          for (guint i = 0; i < n;)
            {
              const IlSpan *block;
              guint len = il_lane_get_block (lane, i, &block);

              for (guint k = 0; k < len; k++)
                {
                  const IlSpan *s = &block[k];

                  /* Idle is the absence of work; leaving it out keeps the tracks readable. */
                  if (s->state == IL_STATE_IDLE)
                    continue;
                  chrome_event (w, il_state_to_string ((IlState) s->state), worker_pid,
                                (int) worker, offset + s->start_ns, s->end_ns - s->start_ns, s);
                  if (s->state == IL_STATE_RUNNING && s->cpu >= 0)
                    chrome_event (w, on_core, core_pid, s->cpu, offset + s->start_ns,
                                  s->end_ns - s->start_ns, s);
                }
              i += len;
            }
        }
    }
  il_writer_puts (w, "\n]}\n");
  return w->error == NULL;
}

gboolean
il_trace_export_chrome (IlTrace *trace, const char *path, GError **error)
{
  g_return_val_if_fail (trace != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  return il_trace_write_file (trace, path, write_chrome, error);
}
