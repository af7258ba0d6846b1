/* il-trace-read-run.c: trace v1 reader: a run's header (config, clock, summary, workers, CPU load, traced programs). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-batch.h"
#include "il-cpu-load.h"
#include "il-trace-native-private.h"

/* Every member is checked: an error names the file, the member's path and what is wrong. */

gboolean
il_read_fail (IlReadCtx *ctx, const char *path, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (ctx->error, IL_ERROR, IL_ERROR_INVALID, "%s: %s: %s", ctx->src->name, path, msg);
  return FALSE;
}

static JsonNode *
member (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key, gboolean required)
{
  JsonNode *node = json_object_get_member (obj, key);

  if (node == NULL && required)
    il_read_fail (ctx, path, _("“%s” is missing"), key);
  return node;
}

gboolean
il_read_get_int (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key, gint64 min, gint64 max,
         gint64 *out)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);
  gint64 v;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return il_read_fail (ctx, path, _("“%s” must be a whole number"), key);
  v = json_node_get_int (node);
  if (v < min || v > max)
    return il_read_fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64
                              "…%" PRId64), key, v, min, max);
  *out = v;
  return TRUE;
}

/* A number, or null (NAN) when @nullable. */
static gboolean
get_double (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key, gboolean nullable,
            double *out)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return FALSE;
  if (nullable && JSON_NODE_HOLDS_NULL (node))
    {
      *out = NAN;
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) ||
      (json_node_get_value_type (node) != G_TYPE_INT64 &&
       json_node_get_value_type (node) != G_TYPE_DOUBLE))
    return il_read_fail (ctx, path, nullable ? _("“%s” must be a number or null")
                                     : _("“%s” must be a number"), key);
  *out = json_node_get_double (node);
  if (!isfinite (*out))
    return il_read_fail (ctx, path, _("“%s” must be a finite number"), key);
  return TRUE;
}

const char *
il_read_get_string (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      il_read_fail (ctx, path, _("“%s” must be a string"), key);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_bool (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key, gboolean required,
          gboolean *out)
{
  JsonNode *node = member (ctx, obj, path, key, required);

  if (node == NULL)
    {
      *out = FALSE;
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return il_read_fail (ctx, path, _("“%s” must be true or false"), key);
  *out = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
il_read_get_object (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      il_read_fail (ctx, path, _("“%s” must be an object"), key);
      return NULL;
    }
  return json_node_get_object (node);
}

JsonArray *
il_read_get_array (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      il_read_fail (ctx, path, _("“%s” must be an array"), key);
      return NULL;
    }
  return json_node_get_array (node);
}

JsonObject *
il_read_array_object (IlReadCtx *ctx, JsonArray *array, guint i, const char *path)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      il_read_fail (ctx, path, _("must be an object"));
      return NULL;
    }
  return json_node_get_object (node);
}

/* Traced programs (DESIGN.md, "Trace file additions"): config.command and config.cwd. */
static gboolean
read_config_program (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunConfig *config)
{
  JsonArray *a;
  const char *str;

  if (json_object_has_member (obj, "command"))
    {
      g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

      if ((a = il_read_get_array (ctx, obj, path, "command")) == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *node = json_array_get_element (a, i);

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            return il_read_fail (ctx, path, _("“command” must list the program's arguments as strings"));
          g_strv_builder_add (argv, json_node_get_string (node));
        }
      if (json_array_get_length (a) == 0)
        return il_read_fail (ctx, path, _("“command” is empty"));
      config->command = g_strv_builder_end (argv);
    }
  if (json_object_has_member (obj, "cwd"))
    {
      if ((str = il_read_get_string (ctx, obj, path, "cwd")) == NULL)
        return FALSE;
      config->cwd = g_strdup (str);
    }
  return get_bool (ctx, obj, path, "wait_all", FALSE, &config->wait_all);
}

/* Traced programs: worker "helper", run "processes" ("still_running"), "sample_interval_ns",
 * "exit_code" / "exit_signal". */
static gboolean
read_worker_program (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run, guint worker)
{
  gboolean helper, async;
  gint64 depth = 0;

  if (!get_bool (ctx, obj, path, "helper", FALSE, &helper))
    return FALSE;
  if (helper)
    il_run_trace_set_worker_helper (run, worker, TRUE);
  /* Imported traces: rows of nested slices ("depth") and async tracks ("async"), optional. A
   * row deeper than 0 continues the thread of the row before it. */
  if (!get_bool (ctx, obj, path, "async", FALSE, &async) ||
      (json_object_has_member (obj, "depth") &&
       !il_read_get_int (ctx, obj, path, "depth", 0, G_MAXUINT16, &depth)))
    return FALSE;
  if (depth > 0 && worker == 0)
    return il_read_fail (ctx, path, _("“depth” is %" PRId64 " but the first worker must be a thread’s first row (0)"), depth);
  if (depth > 0 || async)
    il_run_trace_set_worker_depth (run, worker, (guint) depth, async);
  return TRUE;
}

/* Member @key (at @sub) as {"columns": @names, "rows": […]}: its rows, or NULL when it is not one
 * (said, @columns_error when the columns are not @names in order). */
static JsonArray *
read_table (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key, const char *sub,
            const char *const *names, guint n_names, const char *columns_error)
{
  JsonObject *o = il_read_get_object (ctx, obj, path, key);
  JsonArray *columns, *rows;

  if (o == NULL || (columns = il_read_get_array (ctx, o, sub, "columns")) == NULL ||
      (rows = il_read_get_array (ctx, o, sub, "rows")) == NULL)
    return NULL;
  if (json_array_get_length (columns) != n_names)
    return il_read_fail (ctx, sub, "%s", columns_error), NULL;
  for (guint i = 0; i < n_names; i++)
    if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (columns, i)) ||
        json_node_get_value_type (json_array_get_element (columns, i)) != G_TYPE_STRING ||
        g_strcmp0 (json_array_get_string_element (columns, i), names[i]) != 0)
      return il_read_fail (ctx, sub, "%s", columns_error), NULL;
  return rows;
}

/* run.waits: {"columns": ["worker", "start_ns", "kind"], "rows": [[0, 1200, "sleep"], …]} */
static gboolean
read_run_waits (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *sub = g_strdup_printf ("%s.waits", path);
  static const char *const names[] = { "worker", "start_ns", "kind" };
  JsonArray *rows = read_table (ctx, obj, path, "waits", sub, names, G_N_ELEMENTS (names),
                                _("“columns” must name worker, start_ns, kind"));

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonArray *row;
      JsonNode *w, *t, *k;
      IlWaitKind kind;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (row = json_node_get_array (node)) != 3)
        return il_read_fail (ctx, sub, _("row %u must be [worker, start_ns, kind]"), i);
      w = json_array_get_element (row, 0);
      t = json_array_get_element (row, 1);
      k = json_array_get_element (row, 2);
      if (!JSON_NODE_HOLDS_VALUE (w) || json_node_get_value_type (w) != G_TYPE_INT64 ||
          !JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_INT64 ||
          !JSON_NODE_HOLDS_VALUE (k) || json_node_get_value_type (k) != G_TYPE_STRING)
        return il_read_fail (ctx, sub, _("row %u must be [worker, start_ns, kind]"), i);
      if (json_node_get_int (w) < 0 || json_node_get_int (w) >= il_run_trace_get_n_workers (run))
        return il_read_fail (ctx, sub, _("row %u: worker %" PRId64 " does not exist"), i, json_node_get_int (w));
      if (!il_wait_kind_from_string (json_node_get_string (k), &kind))
        return il_read_fail (ctx, sub, _("row %u: unknown kind “%s”"), i, json_node_get_string (k));
      il_run_trace_add_wait (run, (guint) json_node_get_int (w), json_node_get_int (t), kind);
    }
  return TRUE;
}

/* A row of run.lost: [cpu, start_ns, end_ns, records]; no figure may be negative, a stretch end
 * before it starts, or a row count nothing. */
static gboolean
read_lost_row (IlReadCtx *ctx, const char *sub, JsonNode *node, guint i, IlRunTrace *run)
{
  JsonArray *row;
  gint64 v[4];

  if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (row = json_node_get_array (node)) != 4)
    return il_read_fail (ctx, sub, _("row %u must be [cpu, start_ns, end_ns, records]"), i);
  for (guint k = 0; k < 4; k++)
    {
      JsonNode *e = json_array_get_element (row, k);

      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64)
        return il_read_fail (ctx, sub, _("row %u must be [cpu, start_ns, end_ns, records]"), i);
      v[k] = json_node_get_int (e);
    }
  if (v[0] < 0 || v[0] > G_MAXINT16 || v[1] < 0 || v[2] < v[1] || v[3] < 1)
    return il_read_fail (ctx, sub, _("row %u: a CPU, times from 0 that do not run backwards, and at least one record"), i);
  il_run_trace_add_lost (run, (int) v[0], v[1], v[2], (guint64) v[3]);
  return TRUE;
}

static gboolean
read_run_program (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  gint64 v;

  if (json_object_has_member (obj, "waits") && !read_run_waits (ctx, obj, path, run))
    return FALSE;
  /* run.lost: {"columns": ["cpu", "start_ns", "end_ns", "records"], "rows": [[1, 1200, 5400, 37], …]} */
  if (json_object_has_member (obj, "lost"))
    {
      static const char *const lost_names[] = { "cpu", "start_ns", "end_ns", "records" };
      g_autofree char *lost_path = g_strdup_printf ("%s.lost", path);
      JsonArray *lost = read_table (ctx, obj, path, "lost", lost_path, lost_names,
                                    G_N_ELEMENTS (lost_names),
                                    _("“columns” must name cpu, start_ns, end_ns, records"));

      for (guint i = 0; lost != NULL && i < json_array_get_length (lost); i++)
        if (!read_lost_row (ctx, lost_path, json_array_get_element (lost, i), i, run))
          return FALSE;
      if (lost == NULL)
        return FALSE;
    }

  if (json_object_has_member (obj, "sample_interval_ns"))
    {
      if (!il_read_get_int (ctx, obj, path, "sample_interval_ns", 1, G_MAXINT64, &v))
        return FALSE;
      il_run_trace_set_sample_interval_ns (run, v);
    }
  if (json_object_has_member (obj, "exit_code") && json_object_has_member (obj, "exit_signal"))
    return il_read_fail (ctx, path, _("“exit_code” and “exit_signal” cannot both be set"));
  if (json_object_has_member (obj, "exit_code"))
    {
      if (!il_read_get_int (ctx, obj, path, "exit_code", 0, 255, &v))
        return FALSE;
      il_run_trace_set_exit (run, (int) v, 0);
    }
  if (json_object_has_member (obj, "exit_signal"))
    {
      if (!il_read_get_int (ctx, obj, path, "exit_signal", 1, 64, &v))
        return FALSE;
      il_run_trace_set_exit (run, -1, (int) v);
    }
  if (json_object_has_member (obj, "processes"))
    {
      JsonArray *a = il_read_get_array (ctx, obj, path, "processes");

      if (a == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s.processes[%u]", path, i);
          JsonObject *o;
          const char *command, *name;
          gint64 pid, ppid;
          gboolean still_running;

          if ((o = il_read_array_object (ctx, a, i, sub)) == NULL ||
              !il_read_get_int (ctx, o, sub, "pid", 0, G_MAXINT32, &pid) ||
              !il_read_get_int (ctx, o, sub, "ppid", 0, G_MAXINT32, &ppid) ||
              (command = il_read_get_string (ctx, o, sub, "command")) == NULL ||
              (name = il_read_get_string (ctx, o, sub, "name")) == NULL ||
              !get_bool (ctx, o, sub, "still_running", FALSE, &still_running))
            return FALSE;
          il_run_trace_add_process (run, (int) pid, (int) ppid, command, name);
          il_run_trace_set_process_still_running (run, (int) pid, still_running);
        }
    }
  return TRUE;
}

static IlRunConfig *
read_config (IlReadCtx *ctx, JsonObject *obj, const char *path)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  const char *str;
  JsonArray *cpus;
  gint64 v;

  if ((str = il_read_get_string (ctx, obj, path, "executor")) == NULL)
    return NULL;
  if (!il_executor_from_string (str, &config->executor))
    {
      il_read_fail (ctx, path, _("unknown executor “%s”"), str);
      return NULL;
    }
  if (!get_bool (ctx, obj, path, "gil", TRUE, &config->gil) ||
      !get_double (ctx, obj, path, "switch_interval_ms", FALSE, &config->switch_interval_ms))
    return NULL;
  if (!il_read_get_int (ctx, obj, path, "workers", 0, G_MAXINT32, &v))
    return NULL;
  config->workers = (guint) v;

  if ((cpus = il_read_get_array (ctx, obj, path, "cpus")) == NULL)
    return NULL;
  g_clear_pointer (&config->cpus, g_array_unref);
  if (json_array_get_length (cpus) > 0)
    {
      config->cpus = g_array_new (FALSE, FALSE, sizeof (int));
      for (guint i = 0; i < json_array_get_length (cpus); i++)
        {
          JsonNode *node = json_array_get_element (cpus, i);
          int cpu;

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
              json_node_get_int (node) < 0 || json_node_get_int (node) > 65535)
            {
              il_read_fail (ctx, path, _("“cpus” must list CPU numbers (whole numbers from 0)"));
              return NULL;
            }
          cpu = (int) json_node_get_int (node);
          g_array_append_val (config->cpus, cpu);
        }
    }

  /* Optional (DESIGN.md, "Trace file additions"): where an external run came from. */
  if (json_object_has_member (obj, "source"))
    {
      if ((str = il_read_get_string (ctx, obj, path, "source")) == NULL)
        return NULL;
      config->source = g_strdup (str);
    }

  /* A traced program has no workload, tasks or task length (older files wrote "cpu", 0, 0). */
  if (config->executor == IL_EXECUTOR_EXTERNAL)
    {
      if (!read_config_program (ctx, obj, path, config))
        return NULL;
      config->tasks = 0;
      config->task_ms = 0;
      if (!json_object_has_member (obj, "workload"))
        return g_steal_pointer (&config);
    }
  if ((str = il_read_get_string (ctx, obj, path, "workload")) == NULL)
    return NULL;
  if (!il_workload_from_string (str, &config->workload))
    {
      il_read_fail (ctx, path, _("unknown workload “%s”"), str);
      return NULL;
    }
  if (!il_read_get_int (ctx, obj, path, "tasks", 0, G_MAXINT32, &v))
    return NULL;
  config->tasks = (guint) v;
  if (!get_double (ctx, obj, path, "task_ms", FALSE, &config->task_ms))
    return NULL;
  return g_steal_pointer (&config);
}

/* A loaded configuration is held to the limits of a typed one (il_run_config_validate(), but for
 * CPU numbers, which are the recording machine's): the window runs a loaded run again as it is.
 * A traced program (external) only describes a recording and keeps what was recorded. */
static gboolean
check_config (IlReadCtx *ctx, const IlRunConfig *config, const char *path)
{
  if (config->executor == IL_EXECUTOR_EXTERNAL)
    return TRUE;
  if (config->workers < 1 || config->workers > IL_MAX_WORKERS)
    return il_read_fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), "workers",
                 (gint64) config->workers, (gint64) 1, (gint64) IL_MAX_WORKERS);
  if (config->tasks > IL_MAX_TASKS)
    return il_read_fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), "tasks",
                 (gint64) config->tasks, (gint64) 0, (gint64) IL_MAX_TASKS);
  if (!(config->task_ms >= 0.0 && config->task_ms <= IL_MAX_TASK_MS))
    return il_read_fail (ctx, path, _("“%s” is %g, outside %g…%g"), "task_ms", config->task_ms, 0.0,
                 IL_MAX_TASK_MS);
  if (config->gil && config->executor != IL_EXECUTOR_THREADS)
    return il_read_fail (ctx, path, _("The GIL applies to threads only; the %s executor has no GIL"),
                 il_executor_to_string (config->executor));
  if (config->gil && !(config->switch_interval_ms >= 0.1 && config->switch_interval_ms <= 1000.0))
    return il_read_fail (ctx, path, _("“%s” is %g, outside %g…%g"), "switch_interval_ms",
                 config->switch_interval_ms, 0.1, 1000.0);
  return TRUE;
}

/* The summary's "other programs" figures (optional: added after version 1). */
static gboolean
read_summary_cpu_load (IlReadCtx *ctx, JsonObject *o, const char *path, IlSummary *summary)
{
  summary->other_share = NAN;
  if (json_object_has_member (o, "other_ns") &&
      !il_read_get_int (ctx, o, path, "other_ns", 0, G_MAXINT64, &summary->other_ns))
    return FALSE;
  if (json_object_has_member (o, "steal_ns") &&
      !il_read_get_int (ctx, o, path, "steal_ns", 0, G_MAXINT64, &summary->steal_ns))
    return FALSE;
  if (json_object_has_member (o, "other_share") &&
      !get_double (ctx, o, path, "other_share", TRUE, &summary->other_share))
    return FALSE;
  if (isfinite (summary->other_share) && (summary->other_share < 0 || summary->other_share > 1.0001))
    return il_read_fail (ctx, path, _("“other_share” must be between 0 and 1"));
  return TRUE;
}

/* run.cpu_load (optional): the rows of what other programs took of each CPU. */
static gboolean
read_cpu_load (IlReadCtx *ctx, JsonObject *obj, const char *run_path, IlRunTrace *run)
{
  static const char *const names[] = { "cpu", "start_ns", "end_ns", "other_ns", "steal_ns" };
  g_autofree char *path = g_strdup_printf ("%s.cpu_load", run_path);
  g_autoptr(IlCpuLoad) load = NULL;
  int col[G_N_ELEMENTS (names)];
  JsonObject *o;
  JsonArray *columns, *rows;
  gint64 interval;

  if (!json_object_has_member (obj, "cpu_load"))
    return TRUE;
  if ((o = il_read_get_object (ctx, obj, run_path, "cpu_load")) == NULL ||
      !il_read_get_int (ctx, o, path, "interval_ns", 1, G_MAXINT64, &interval) ||
      (columns = il_read_get_array (ctx, o, path, "columns")) == NULL ||
      (rows = il_read_get_array (ctx, o, path, "rows")) == NULL)
    return FALSE;
  if (json_array_get_length (columns) != G_N_ELEMENTS (names))
    return il_read_fail (ctx, path, _("“columns” must name the 5 columns cpu, start_ns, end_ns, other_ns, steal_ns"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      col[i] = -1;
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        if (JSON_NODE_HOLDS_VALUE (json_array_get_element (columns, k)) &&
            g_strcmp0 (json_array_get_string_element (columns, k), names[i]) == 0)
          col[i] = (int) k;
      if (col[i] < 0)
        return il_read_fail (ctx, path, _("“columns” must name the 5 columns cpu, start_ns, end_ns, other_ns, steal_ns"));
    }

  load = il_cpu_load_new (interval);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonArray *r;
      gint64 v[G_N_ELEMENTS (names)];
      IlCpuLoadRow row;

      if (!JSON_NODE_HOLDS_ARRAY (node) ||
          json_array_get_length (r = json_node_get_array (node)) != G_N_ELEMENTS (names))
        return il_read_fail (ctx, path, _("row %u must be an array of 5 integers"), i);
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          JsonNode *e = json_array_get_element (r, (guint) col[k]);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64)
            return il_read_fail (ctx, path, _("row %u must be an array of 5 integers"), i);
          v[k] = json_node_get_int (e);
        }
      row = (IlCpuLoadRow) { v[1], v[2], v[3], v[4] };
      if (v[0] < 0 || v[0] > 65535)
        return il_read_fail (ctx, path, _("row %u: CPU %" PRId64 " does not exist"), i, v[0]);
      if (!il_cpu_load_append (load, (int) v[0], &row))
        return il_read_fail (ctx, path, _("row %u: the interval is empty, negative or overlaps the one before"), i);
    }
  /* The other program that took the most (optional). */
  if (json_object_has_member (o, "top_other"))
    {
      g_autofree char *top_path = g_strdup_printf ("%s.top_other", path);
      JsonObject *top = il_read_get_object (ctx, o, path, "top_other");
      const char *name;
      gint64 top_ns;

      if (top == NULL || (name = il_read_get_string (ctx, top, top_path, "name")) == NULL ||
          !il_read_get_int (ctx, top, top_path, "cpu_ns", 0, G_MAXINT64, &top_ns))
        return FALSE;
      il_cpu_load_set_top_other (load, name, top_ns);
    }
  il_run_trace_set_cpu_load (run, g_steal_pointer (&load));
  return TRUE;
}

/* The header of one run: everything but the span rows. */
IlRunTrace *
il_read_run_header (IlReadCtx *ctx, JsonObject *obj, guint index, guint machine_cpus)
{
  g_autofree char *path = g_strdup_printf ("runs[%u]", index);
  g_autofree char *sub = NULL;
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(IlRunConfig) config = NULL;
  JsonObject *o;
  JsonArray *a;
  const char *str;
  IlCaptureKind capture;
  gboolean cancelled;
  IlSummary summary = { 0 };
  gint64 v;

  if ((o = il_read_get_object (ctx, obj, path, "config")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.config", path);
  if ((config = read_config (ctx, o, sub)) == NULL || !check_config (ctx, config, sub))
    return NULL;
  g_clear_pointer (&sub, g_free);

  if ((str = il_read_get_string (ctx, obj, path, "label")) == NULL)
    return NULL;
  g_free (config->label);
  config->label = g_strdup (str);

  run = il_run_trace_new (config);
  il_run_trace_set_label (run, str);
  il_run_trace_set_n_cpus (run, machine_cpus);
  il_run_trace_set_live (run, FALSE);

  if ((str = il_read_get_string (ctx, obj, path, "capture")) == NULL)
    return NULL;
  if (!il_capture_from_string (str, &capture))
    {
      il_read_fail (ctx, path, _("unknown capture “%s”"), str);
      return NULL;
    }
  il_run_trace_set_capture (run, capture);

  if (!get_bool (ctx, obj, path, "cancelled", FALSE, &cancelled))
    return NULL;
  il_run_trace_set_cancelled (run, cancelled);
  /* Added after version 1: recording stopped keeping spans at this count. */
  if (json_object_has_member (obj, "truncated_at_spans"))
    {
      if (!il_read_get_int (ctx, obj, path, "truncated_at_spans", 1, G_MAXINT64, &v))
        return NULL;
      il_run_trace_set_truncated_at_spans (run, (guint64) v);
    }

  if ((o = il_read_get_object (ctx, obj, path, "clock")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.clock", path);
  if ((str = il_read_get_string (ctx, o, sub, "id")) == NULL)
    return NULL;
  if (g_strcmp0 (str, "CLOCK_MONOTONIC") != 0)
    {
      il_read_fail (ctx, sub, _("clock “%s” is not supported (only CLOCK_MONOTONIC)"), str);
      return NULL;
    }
  if (!il_read_get_int (ctx, o, sub, "origin_ns", G_MININT64, G_MAXINT64, &v))
    return NULL;
  il_run_trace_set_origin_ns (run, v);
  g_clear_pointer (&sub, g_free);

  if ((o = il_read_get_object (ctx, obj, path, "summary")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.summary", path);
  if (!il_read_get_int (ctx, o, sub, "wall_ns", 0, G_MAXINT64, &summary.wall_ns) ||
      !il_read_get_int (ctx, o, sub, "cpu_ns", 0, G_MAXINT64, &summary.cpu_ns) ||
      !get_double (ctx, o, sub, "avg_parallelism", TRUE, &summary.avg_parallelism) ||
      !il_read_get_int (ctx, o, sub, "max_parallelism", 0, G_MAXINT32, &v))
    return NULL;
  summary.max_parallelism = (guint) v;
  if (!il_read_get_int (ctx, o, sub, "gil_wait_ns", 0, G_MAXINT64, &summary.gil_wait_ns) ||
      !il_read_get_int (ctx, o, sub, "io_wait_ns", 0, G_MAXINT64, &summary.io_wait_ns) ||
      !il_read_get_int (ctx, o, sub, "ready_ns", 0, G_MAXINT64, &summary.ready_ns) ||
      !get_double (ctx, o, sub, "speedup", TRUE, &summary.speedup))
    return NULL;
  /* Added after version 1 was first written: files without them still load. */
  if ((json_object_has_member (o, "lock_wait_ns") &&
       !il_read_get_int (ctx, o, sub, "lock_wait_ns", 0, G_MAXINT64, &summary.lock_wait_ns)) ||
      (json_object_has_member (o, "loop_wait_ns") &&
       !il_read_get_int (ctx, o, sub, "loop_wait_ns", 0, G_MAXINT64, &summary.loop_wait_ns)))
    return NULL;
  if (!read_summary_cpu_load (ctx, o, sub, &summary))
    return NULL;
  g_clear_pointer (&sub, g_free);

  if ((a = il_read_get_array (ctx, obj, path, "workers")) == NULL)
    return NULL;
  if (json_array_get_length (a) > G_MAXUINT16)
    {
      il_read_fail (ctx, path, _("too many workers (%u)"), json_array_get_length (a));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *kind_str, *name;
      gint64 id, pid, tid;
      IlWorkerKind kind;

      sub = g_strdup_printf ("%s.workers[%u]", path, i);
      if ((o = il_read_array_object (ctx, a, i, sub)) == NULL ||
          !il_read_get_int (ctx, o, sub, "id", 0, G_MAXINT32, &id) ||
          (kind_str = il_read_get_string (ctx, o, sub, "kind")) == NULL ||
          !il_read_get_int (ctx, o, sub, "pid", -1, G_MAXINT32, &pid) ||
          !il_read_get_int (ctx, o, sub, "tid", -1, G_MAXINT32, &tid) ||
          (name = il_read_get_string (ctx, o, sub, "name")) == NULL)
        return NULL;
      if (id != i)
        {
          il_read_fail (ctx, sub, _("“id” is %" PRId64 " but workers must be numbered 0, 1, 2, … in order"), id);
          return NULL;
        }
      if (g_strcmp0 (kind_str, "thread") == 0)
        kind = IL_WORKER_THREAD;
      else if (g_strcmp0 (kind_str, "process") == 0)
        kind = IL_WORKER_PROCESS;
      else
        {
          il_read_fail (ctx, sub, _("unknown worker kind “%s” (thread or process)"), kind_str);
          return NULL;
        }
      il_run_trace_add_worker (run, kind, (int) pid, (int) tid, name);
      /* Process pool survival: the pids of the processes this lane had before (optional). */
      if (json_object_has_member (o, "previous_pids"))
        {
          JsonArray *pids = il_read_get_array (ctx, o, sub, "previous_pids");

          if (pids == NULL)
            return NULL;
          for (guint k = 0; k < json_array_get_length (pids); k++)
            {
              JsonNode *node = json_array_get_element (pids, k);
              gint64 previous;

              if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
                  (previous = json_node_get_int (node)) < 1 || previous > G_MAXINT32)
                {
                  il_read_fail (ctx, sub, _("“previous_pids” must hold process ids"));
                  return NULL;
                }
              il_run_trace_add_previous_pid (run, i, (int) previous);
            }
        }
      if (!read_worker_program (ctx, o, sub, run, i))
        return NULL;
      g_clear_pointer (&sub, g_free);
    }

  if (!read_cpu_load (ctx, obj, path, run))
    return NULL;
  if (!read_run_program (ctx, obj, path, run))
    return NULL;
  if (!il_trace_marks_read_v1 (ctx, obj, path, run))
    return NULL;
  if (!il_trace_stacks_read_v1 (ctx, obj, path, run))
    return NULL;
  if (!il_trace_output_read_v1 (ctx, obj, path, run))
    return NULL;
  il_run_trace_set_summary (run, &summary);
  {
    g_autofree char *message = NULL;

    if (!il_repeat_read_json (run, obj, &message))
      {
        il_read_fail (ctx, path, "%s", message);
        return NULL;
      }
  }
  /* A series without the summary's figures (written by hand): derive them. */
  if (il_run_trace_get_cpu_load (run) != NULL && !isfinite (summary.other_share))
    il_run_trace_summarise_cpu_load (run);
  return g_steal_pointer (&run);
}

/* Maps file columns to fields: the schema names the columns, so their order is the file's. */
gboolean
il_read_columns (IlReadCtx *ctx, JsonObject *obj, guint index, int columns[N_COLS])
{
  g_autofree char *path = g_strdup_printf ("runs[%u]", index);
  JsonArray *a = il_read_get_array (ctx, obj, path, "spans_columns");
  gboolean seen[N_COLS] = { FALSE, };

  if (a == NULL)
    return FALSE;
  if (json_array_get_length (a) != N_COLS)
    return il_read_fail (ctx, path, _("“spans_columns” must name the %d columns worker, state, cpu, task, start_ns, end_ns"), N_COLS);
  for (guint i = 0; i < N_COLS; i++)
    {
      /* Only a string names a column: an array or object there is refused, not read. */
      JsonNode *node = json_array_get_element (a, i);
      const char *name = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
      guint c;

      for (c = 0; c < N_COLS; c++)
        if (g_strcmp0 (name, il_span_column_names[c]) == 0)
          break;
      if (name == NULL || c == N_COLS || seen[c])
        return il_read_fail (ctx, path, _("“spans_columns” must name the %d columns worker, state, cpu, task, start_ns, end_ns"), N_COLS);
      seen[c] = TRUE;
      columns[i] = (int) c;
    }
  return TRUE;
}
