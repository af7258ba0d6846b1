/* il-trace-write.c: trace v1 JSON writer (json-glib for the run headers, span rows by hand). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-batch.h"
#include "il-cpu-load.h"
#include "il-json-write.h"
#include "il-trace-io-private.h"
#include "il-trace-marks.h"

/* ------------------------------------------------------------------------------------------------
 * Trace v1 writer */

static void
builder_add_time_or_null (JsonBuilder *b, const char *key, double value)
{
  json_builder_set_member_name (b, key);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

/* Text from outside (labels from argv, thread names from /proc) as valid UTF-8: JSON must be
 * UTF-8, or no reader opens the file again. */
static void
builder_add_text (JsonBuilder *b, const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  json_builder_add_string_value (b, str);
}

/* The summary's "other programs" figures, when the run measured them (DESIGN.md, trace additions). */
static void
build_summary_cpu_load (JsonBuilder *b, IlRunTrace *run)
{
  const IlSummary *summary = il_run_trace_get_summary (run);

  if (il_run_trace_get_cpu_load (run) == NULL)
    return;
  json_builder_set_member_name (b, "other_ns");
  json_builder_add_int_value (b, summary->other_ns);
  json_builder_set_member_name (b, "steal_ns");
  json_builder_add_int_value (b, summary->steal_ns);
  builder_add_time_or_null (b, "other_share", summary->other_share);
}

/* run.cpu_load: per CPU and interval, what other programs and the hypervisor took. */
static void
build_cpu_load (JsonBuilder *b, IlRunTrace *run)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  static const char *const columns[] = { "cpu", "start_ns", "end_ns", "other_ns", "steal_ns" };

  if (load == NULL)
    return;
  json_builder_set_member_name (b, "cpu_load");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "interval_ns");
  json_builder_add_int_value (b, il_cpu_load_get_interval_ns (load));
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (columns); i++)
    json_builder_add_string_value (b, columns[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  for (guint k = 0; k < il_cpu_load_get_n_cpus (load); k++)
    {
      int cpu = il_cpu_load_get_cpu (load, k);

      for (guint i = 0; i < il_cpu_load_get_n_rows (load, cpu); i++)
        {
          const IlCpuLoadRow *row = il_cpu_load_get_row (load, cpu, i);

          json_builder_begin_array (b);
          json_builder_add_int_value (b, cpu);
          json_builder_add_int_value (b, row->start_ns);
          json_builder_add_int_value (b, row->end_ns);
          json_builder_add_int_value (b, row->other_ns);
          json_builder_add_int_value (b, row->steal_ns);
          json_builder_end_array (b);
        }
    }
  json_builder_end_array (b);
  {
    gint64 top_ns = 0;
    const char *top = il_cpu_load_get_top_other (load, &top_ns);

    /* The other program that took the most, when one was seen (docs/trace-format.md). */
    if (top != NULL)
      {
        json_builder_set_member_name (b, "top_other");
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "name");
        json_builder_add_string_value (b, top);
        json_builder_set_member_name (b, "cpu_ns");
        json_builder_add_int_value (b, top_ns);
        json_builder_end_object (b);
      }
  }
  json_builder_end_object (b);
}

/* Traced programs (DESIGN.md, "Trace file additions"): the command, its folder, its processes. */
static void
write_config_program (JsonBuilder *b, const IlRunConfig *config)
{
  if (config->command != NULL)
    {
      json_builder_set_member_name (b, "command");
      json_builder_begin_array (b);
      for (guint i = 0; config->command[i] != NULL; i++)
        builder_add_text (b, config->command[i]);
      json_builder_end_array (b);
    }
  if (config->cwd != NULL)
    {
      json_builder_set_member_name (b, "cwd");
      builder_add_text (b, config->cwd);
    }
  if (config->wait_all)
    {
      json_builder_set_member_name (b, "wait_all");
      json_builder_add_boolean_value (b, TRUE);
    }
}

static void
write_wait_row (guint worker, gint64 start_ns, IlWaitKind kind, gpointer data)
{
  JsonBuilder *b = data;

  json_builder_begin_array (b);
  json_builder_add_int_value (b, worker);
  json_builder_add_int_value (b, start_ns);
  json_builder_add_string_value (b, il_wait_kind_to_string (kind));
  json_builder_end_array (b);
}

/* run.lost: {"columns": ["cpu", "start_ns", "end_ns", "records"], "rows": [[1, 1200, 5400, 37], …]} */
static void
write_run_lost (JsonBuilder *b, IlRunTrace *run)
{
  static const char *const columns[] = { "cpu", "start_ns", "end_ns", "records" };
  guint n;
  const IlLostStretch *lost = il_run_trace_get_lost (run, &n);

  if (n == 0)
    return;
  il_trace_begin_table (b, "lost", columns, G_N_ELEMENTS (columns));
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_array (b);
      json_builder_add_int_value (b, lost[i].cpu);
      json_builder_add_int_value (b, lost[i].start_ns);
      json_builder_add_int_value (b, lost[i].end_ns);
      json_builder_add_int_value (b, (gint64) MIN (lost[i].records, (guint64) G_MAXINT64));
      json_builder_end_array (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
}

static void
write_run_program (JsonBuilder *b, IlRunTrace *run)
{
  guint n = il_run_trace_get_n_processes (run);
  int code, signal;

  if (il_run_trace_get_sample_interval_ns (run) > 0)
    {
      json_builder_set_member_name (b, "sample_interval_ns");
      json_builder_add_int_value (b, il_run_trace_get_sample_interval_ns (run));
    }
  /* How its main process ended: one of the two, or neither when not known. */
  if (il_run_trace_get_exit (run, &code, &signal))
    {
      json_builder_set_member_name (b, signal > 0 ? "exit_signal" : "exit_code");
      json_builder_add_int_value (b, signal > 0 ? signal : code);
    }
  write_run_lost (b, run);
  if (n == 0)
    return;
  /* What each blocked span waited on, by the span's worker and start. */
  json_builder_set_member_name (b, "waits");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, "worker");
  json_builder_add_string_value (b, "start_ns");
  json_builder_add_string_value (b, "kind");
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
  il_run_trace_foreach_wait (run, write_wait_row, b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "processes");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      const IlProcessInfo *p = il_run_trace_get_process (run, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, p->pid);
      json_builder_set_member_name (b, "ppid");
      json_builder_add_int_value (b, p->ppid);
      json_builder_set_member_name (b, "command");
      builder_add_text (b, p->command);
      json_builder_set_member_name (b, "name");
      builder_add_text (b, p->name);
      if (p->still_running)
        {
          json_builder_set_member_name (b, "still_running");
          json_builder_add_boolean_value (b, TRUE);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static JsonNode *
build_run_header (IlRunTrace *run)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const IlRunConfig *config = il_run_trace_get_config (run);
  const IlSummary *summary = il_run_trace_get_summary (run);
  const char *label = il_run_trace_get_label (run);
  g_autofree char *title = NULL;
  guint n_workers = il_run_trace_get_n_workers (run);

  if (label == NULL)
    label = title = il_run_config_get_title (config);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "label");
  builder_add_text (b, label);

  json_builder_set_member_name (b, "config");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "executor");
  json_builder_add_string_value (b, il_executor_to_string (config->executor));
  json_builder_set_member_name (b, "gil");
  json_builder_add_boolean_value (b, config->gil);
  json_builder_set_member_name (b, "switch_interval_ms");
  json_builder_add_double_value (b, config->switch_interval_ms);
  json_builder_set_member_name (b, "workers");
  json_builder_add_int_value (b, config->workers);
  json_builder_set_member_name (b, "cpus");
  json_builder_begin_array (b);
  for (guint i = 0; config->cpus != NULL && i < config->cpus->len; i++)
    json_builder_add_int_value (b, g_array_index (config->cpus, int, i));
  json_builder_end_array (b);
  if (config->executor == IL_EXECUTOR_EXTERNAL)
    write_config_program (b, config);
  else
    {
      json_builder_set_member_name (b, "workload");
      json_builder_add_string_value (b, il_workload_to_string (config->workload));
      json_builder_set_member_name (b, "tasks");
      json_builder_add_int_value (b, config->tasks);
      json_builder_set_member_name (b, "task_ms");
      json_builder_add_double_value (b, config->task_ms);
    }
  if (config->source != NULL)
    {
      json_builder_set_member_name (b, "source");
      builder_add_text (b, config->source);
    }
  json_builder_end_object (b);

  json_builder_set_member_name (b, "capture");
  json_builder_add_string_value (b, il_capture_to_string (il_run_trace_get_capture (run)));
  json_builder_set_member_name (b, "cancelled");
  json_builder_add_boolean_value (b, il_run_trace_get_cancelled (run));
  /* Added after version 1 (DESIGN.md, "Truncation"): only when spans were dropped. */
  if (il_run_trace_get_truncated_at_spans (run) > 0)
    {
      json_builder_set_member_name (b, "truncated_at_spans");
      json_builder_add_int_value (b, (gint64) il_run_trace_get_truncated_at_spans (run));
    }

  json_builder_set_member_name (b, "clock");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, "CLOCK_MONOTONIC");
  json_builder_set_member_name (b, "origin_ns");
  json_builder_add_int_value (b, il_run_trace_get_origin_ns (run));
  json_builder_end_object (b);

  json_builder_set_member_name (b, "summary");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "wall_ns");
  json_builder_add_int_value (b, summary->wall_ns);
  json_builder_set_member_name (b, "cpu_ns");
  json_builder_add_int_value (b, summary->cpu_ns);
  builder_add_time_or_null (b, "avg_parallelism", summary->avg_parallelism);
  json_builder_set_member_name (b, "max_parallelism");
  json_builder_add_int_value (b, summary->max_parallelism);
  json_builder_set_member_name (b, "gil_wait_ns");
  json_builder_add_int_value (b, summary->gil_wait_ns);
  json_builder_set_member_name (b, "io_wait_ns");
  json_builder_add_int_value (b, summary->io_wait_ns);
  json_builder_set_member_name (b, "ready_ns");
  json_builder_add_int_value (b, summary->ready_ns);
  json_builder_set_member_name (b, "lock_wait_ns");
  json_builder_add_int_value (b, summary->lock_wait_ns);
  json_builder_set_member_name (b, "loop_wait_ns");
  json_builder_add_int_value (b, summary->loop_wait_ns);
  builder_add_time_or_null (b, "speedup", summary->speedup);
  build_summary_cpu_load (b, run);
  json_builder_end_object (b);
  il_repeat_write_json (run, b);
  build_cpu_load (b, run);

  json_builder_set_member_name (b, "workers");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_workers; i++)
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, info->id);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, info->kind == IL_WORKER_PROCESS ? "process" : "thread");
      json_builder_set_member_name (b, "pid");
      json_builder_add_int_value (b, info->pid);
      json_builder_set_member_name (b, "tid");
      json_builder_add_int_value (b, info->tid);
      json_builder_set_member_name (b, "name");
      builder_add_text (b, info->name != NULL ? info->name : "");
      {
        guint n_previous;
        const int *previous = il_run_trace_get_previous_pids (run, i, &n_previous);

        if (n_previous > 0)
          {
            json_builder_set_member_name (b, "previous_pids");
            json_builder_begin_array (b);
            for (guint k = 0; k < n_previous; k++)
              json_builder_add_int_value (b, previous[k]);
            json_builder_end_array (b);
          }
      }
      if (info->helper)
        {
          json_builder_set_member_name (b, "helper");
          json_builder_add_boolean_value (b, TRUE);
        }
      /* Imported traces: a thread's row of nested slices, an async track's row. */
      if (info->depth > 0)
        {
          json_builder_set_member_name (b, "depth");
          json_builder_add_int_value (b, info->depth);
        }
      if (info->async)
        {
          json_builder_set_member_name (b, "async");
          json_builder_add_boolean_value (b, TRUE);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);

  write_run_program (b, run);
  il_trace_marks_write_v1 (b, run);
  il_trace_output_write_v1 (b, run);

  json_builder_set_member_name (b, "spans_columns");
  json_builder_begin_array (b);
  for (guint i = 0; i < N_COLS; i++)
    json_builder_add_string_value (b, il_span_column_names[i]);
  json_builder_end_array (b);

  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Generated JSON of an object, without its closing brace, so members can be appended by hand. */
static char *
generate_open_object (JsonNode *node)
{
  gsize len;
  char *text = il_json_to_data (node, TRUE, 1, &len);

  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  g_assert (len > 0 && text[len - 1] == '}');
  len--;
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  text[len] = '\0';
  return text;
}

static void
write_span_rows (IlRunTrace *run, IlWriter *w, guint states)
{
  guint n_workers = il_run_trace_get_n_workers (run);
  gboolean first = TRUE;

  /* Lane by lane: every worker's spans are then in time order, which the reader checks. */
  for (guint worker = 0; worker < n_workers && w->error == NULL; worker++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, worker);
      guint n = il_lane_get_n_spans (lane);
      guint i = 0;

      while (i < n && w->error == NULL)
        {
          const IlSpan *block;
          guint len = il_lane_get_block (lane, i, &block);

          g_assert (len > 0);
          for (guint k = 0; k < len; k++)
            {
              const IlSpan *s = &block[k];

              if ((states & (1u << s->state)) == 0)
                continue;
              il_writer_puts (w, first ? "\n  [" : ",\n  [");
              first = FALSE;
              il_writer_int (w, s->worker);
              il_writer_puts (w, ", \"");
              il_writer_puts (w, il_state_to_string ((IlState) s->state));
              il_writer_puts (w, "\", ");
              il_writer_int (w, s->cpu);
              il_writer_puts (w, ", ");
              il_writer_int (w, s->task);
              il_writer_puts (w, ", ");
              il_writer_int (w, s->start_ns);
              il_writer_puts (w, ", ");
              il_writer_int (w, s->end_ns);
              il_writer_putc (w, ']');
            }
          i += len;
        }
    }
  il_writer_puts (w, first ? "]" : "\n ]");
}

static void
write_text (IlWriter *w, const char *str)
{
  g_autofree char *valid = NULL;

  if (!g_utf8_validate (str, -1, NULL))
    str = valid = g_utf8_make_valid (str, -1);
  il_writer_json_string (w, str);
}

/* The tasks by hand, one object a line: an imported trace has millions (one per slice), and a
 * JsonNode each would cost gigabytes. */
static void
write_task_rows (IlRunTrace *run, IlWriter *w)
{
  guint n_tasks = il_run_trace_get_n_tasks (run);

  il_writer_puts (w, ",\n \"tasks\" : [");
  for (guint i = 0; i < n_tasks && w->error == NULL; i++)
    {
      const IlTaskRecord *task = il_run_trace_get_task (run, i);
      const char *error = il_run_trace_get_task_error (run, i);

      il_writer_puts (w, i == 0 ? "\n  {\"id\": " : ",\n  {\"id\": ");
      il_writer_int (w, task->id);
      il_writer_puts (w, ", \"worker\": ");
      il_writer_int (w, task->worker);
      il_writer_puts (w, ", \"start_ns\": ");
      il_writer_int (w, task->start_ns);
      il_writer_puts (w, ", \"end_ns\": ");
      il_writer_int (w, task->end_ns);
      il_writer_puts (w, ", \"status\": \"");
      il_writer_puts (w, il_task_status_to_string (task->status));
      il_writer_putc (w, '"');
      if (task->name != NULL)
        {
          il_writer_puts (w, ", \"name\": ");
          write_text (w, task->name);
        }
      if (error != NULL)
        {
          il_writer_puts (w, ", \"error\": ");
          write_text (w, error);
        }
      /* An imported slice's category and arguments (compact JSON, written as it is). */
      if (il_run_trace_get_task_category (run, i) != NULL)
        {
          il_writer_puts (w, ", \"cat\": ");
          write_text (w, il_run_trace_get_task_category (run, i));
        }
      if (il_run_trace_get_task_args (run, i) != NULL)
        {
          il_writer_puts (w, ", \"args\": ");
          il_writer_puts (w, il_run_trace_get_task_args (run, i));
        }
      il_writer_putc (w, '}');
    }
  il_writer_puts (w, n_tasks > 0 ? "\n ]" : "]");
}

/* The whole file, with the spans whose state is in the bit set @states ((1 << IlState) each):
 * all of them for trace v1, only idle for the header the Chrome export embeds (its events leave
 * idle out, and its re-import must get back every span, run, worker and task exactly). */
void
il_trace_write_v1 (IlTrace *trace, IlWriter *w, guint states)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *head = NULL;
  guint n_runs = il_trace_get_n_runs (trace);
  const char *kernel = il_trace_get_machine_kernel (trace);
  const char *hostname = il_trace_get_machine_hostname (trace);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, IL_TRACE_FORMAT_NAME);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, IL_TRACE_FORMAT_VERSION);
  json_builder_set_member_name (b, "machine");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cpus");
  json_builder_add_int_value (b, il_trace_get_machine_cpus (trace));
  json_builder_set_member_name (b, "kernel");
  builder_add_text (b, kernel != NULL ? kernel : "");
  json_builder_set_member_name (b, "hostname");
  builder_add_text (b, hostname != NULL ? hostname : "");
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);

  head = generate_open_object (root);
  il_writer_puts (w, head);
  il_writer_puts (w, ",\n \"runs\" : [");
  for (guint r = 0; r < n_runs && w->error == NULL; r++)
    {
      IlRunTrace *run = il_trace_get_run (trace, r);
      g_autoptr(JsonNode) node = build_run_header (run);
      g_autofree char *text = generate_open_object (node);

      il_writer_puts (w, r == 0 ? "\n" : ",\n");
      il_writer_puts (w, text);
      il_trace_stacks_write_v1 (run, w);
      write_task_rows (run, w);
      il_writer_puts (w, ",\n \"spans\" : [");
      write_span_rows (run, w, states);
      il_writer_puts (w, "\n}");
    }
  il_writer_puts (w, "\n ]\n}\n");
}

static gboolean
write_trace_v1 (IlTrace *trace, IlWriter *w)
{
  il_trace_write_v1 (trace, w, IL_TRACE_ALL_STATES);
  return w->error == NULL;
}

gboolean
il_trace_write (IlTrace       *trace,
                GOutputStream *stream,
                const char    *name,
                GCancellable  *cancellable,
                GError       **error)
{
  return il_trace_write_stream (trace, stream, name, cancellable, write_trace_v1, error);
}

gboolean
il_trace_save (IlTrace *trace, const char *path, GError **error)
{
  return il_trace_write_file (trace, path, write_trace_v1, error);
}
