/* il-trace-marks-v1.c: a run's instants, counters and flows in the trace v1 file (optional members). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-json-write.h"
#include "il-trace-marks.h"
#include "il-trace-native-private.h"

/* run.instants: {"columns": ["worker", "pid", "ts_ns", "scope", "name", "cat", "args"],
 *                "rows": [[0, 4242, 1200, "thread", "paint", "devtools", {"frame": 3}], …]}
 * run.counters: [{"name", "key", "cat", "pid", "points": [[ts_ns, value], …]}, …]
 * run.flows:    {"columns": ["id", "name", "cat", "from_worker", "from_ns", "to_worker", "to_ns"],
 *                "rows": [["0x1f", "send", "ipc", 0, 1200, 3, 1900], …]}
 * "cat" and "args" are null when the file had none; a worker is -1 when no lane is known. */

static const char *const scope_names[] = { "thread", "process", "global" };
static const char *const instant_columns[] = { "worker", "pid", "ts_ns", "scope", "name", "cat", "args" };
static const char *const flow_columns[] = { "id", "name", "cat", "from_worker", "from_ns", "to_worker",
                                            "to_ns" };

static void
add_text_or_null (JsonBuilder *b, const char *s)
{
  if (s == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, s);
}

static void
add_args (JsonBuilder *b, const char *args)
{
  JsonNode *node = args != NULL ? json_from_string (args, NULL) : NULL;

  if (node == NULL)
    json_builder_add_null_value (b);
  else
    json_builder_add_value (b, node);
}

/* Opens member @key as {"columns": @names, "rows": [ … (the caller adds the rows and closes). */
void
il_trace_begin_table (JsonBuilder *b, const char *key, const char *const *names, guint n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_string_value (b, names[i]);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "rows");
  json_builder_begin_array (b);
}

void
il_trace_marks_write_v1 (JsonBuilder *b, IlRunTrace *run)
{
  if (il_run_trace_get_n_instants (run) > 0)
    {
      il_trace_begin_table (b, "instants", instant_columns, G_N_ELEMENTS (instant_columns));
      for (guint i = 0; i < il_run_trace_get_n_instants (run); i++)
        {
          const IlInstant *in = il_run_trace_get_instant (run, i);

          json_builder_begin_array (b);
          json_builder_add_int_value (b, in->worker);
          json_builder_add_int_value (b, in->pid);
          json_builder_add_int_value (b, in->ts_ns);
          json_builder_add_string_value (b, scope_names[in->scope]);
          json_builder_add_string_value (b, in->name);
          add_text_or_null (b, in->category);
          add_args (b, in->args);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  if (il_run_trace_get_n_counters (run) > 0)
    {
      json_builder_set_member_name (b, "counters");
      json_builder_begin_array (b);
      for (guint i = 0; i < il_run_trace_get_n_counters (run); i++)
        {
          const IlCounter *c = il_run_trace_get_counter (run, i);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, c->name);
          json_builder_set_member_name (b, "key");
          json_builder_add_string_value (b, c->key);
          json_builder_set_member_name (b, "cat");
          add_text_or_null (b, c->category);
          json_builder_set_member_name (b, "pid");
          json_builder_add_int_value (b, c->pid);
          json_builder_set_member_name (b, "points");
          json_builder_begin_array (b);
          for (guint k = 0; k < c->n_points; k++)
            {
              json_builder_begin_array (b);
              json_builder_add_int_value (b, c->points[k].ts_ns);
              json_builder_add_double_value (b, c->points[k].value);
              json_builder_end_array (b);
            }
          json_builder_end_array (b);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  if (il_run_trace_get_n_flows (run) > 0)
    {
      il_trace_begin_table (b, "flows", flow_columns, G_N_ELEMENTS (flow_columns));
      for (guint i = 0; i < il_run_trace_get_n_flows (run); i++)
        {
          const IlFlow *f = il_run_trace_get_flow (run, i);

          json_builder_begin_array (b);
          json_builder_add_string_value (b, f->id);
          json_builder_add_string_value (b, f->name);
          add_text_or_null (b, f->category);
          json_builder_add_int_value (b, f->from_worker);
          json_builder_add_int_value (b, f->from_ns);
          json_builder_add_int_value (b, f->to_worker);
          json_builder_add_int_value (b, f->to_ns);
          json_builder_end_array (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
}

/* ------------------------------------------------------------------------------------------------
 * Reading */

static gboolean
is_int (JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_INT64;
}

static gboolean
is_string (JsonNode *n)
{
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING;
}

/* A string, or NULL for null; FALSE when it is something else. */
static gboolean
string_or_null (JsonNode *n, const char **out)
{
  *out = NULL;
  if (JSON_NODE_HOLDS_NULL (n))
    return TRUE;
  if (!is_string (n))
    return FALSE;
  *out = json_node_get_string (n);
  return TRUE;
}

static gboolean
worker_ok (JsonNode *n, IlRunTrace *run)
{
  return is_int (n) && json_node_get_int (n) >= -1 && json_node_get_int (n) < il_run_trace_get_n_workers (run);
}

/* The rows of a {"columns", "rows"} member whose columns are exactly @names. */
static JsonArray *
read_table (IlReadCtx *ctx, JsonObject *obj, const char *path, const char *key,
            const char *const *names, guint n, char **sub)
{
  JsonObject *o = il_read_get_object (ctx, obj, path, key);
  JsonArray *columns, *rows;

  *sub = g_strdup_printf ("%s.%s", path, key);
  if (o == NULL || (columns = il_read_get_array (ctx, o, *sub, "columns")) == NULL ||
      (rows = il_read_get_array (ctx, o, *sub, "rows")) == NULL)
    return NULL;
  for (guint i = 0; i < n; i++)
    if (json_array_get_length (columns) != n || !is_string (json_array_get_element (columns, i)) ||
        strcmp (json_array_get_string_element (columns, i), names[i]) != 0)
      {
        g_autofree char *want = g_strjoinv (", ", (char **) names);

        il_read_fail (ctx, *sub, _("“columns” must be %s"), want);
        return NULL;
      }
  for (guint i = 0; i < json_array_get_length (rows); i++)
    if (!JSON_NODE_HOLDS_ARRAY (json_array_get_element (rows, i)) ||
        json_array_get_length (json_array_get_array_element (rows, i)) != n)
      {
        il_read_fail (ctx, *sub, _("row %u must have %u values, one per column"), i, n);
        return NULL;
      }
  return rows;
}

static gboolean
read_instants (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *sub = NULL;
  JsonArray *rows = read_table (ctx, obj, path, "instants", instant_columns,
                                G_N_ELEMENTS (instant_columns), &sub);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);
      JsonNode *args = json_array_get_element (row, 6);
      g_autofree char *args_text = NULL;
      IlInstant in = { 0 };
      const char *scope = NULL;
      guint s;

      if (!worker_ok (json_array_get_element (row, 0), run) || !is_int (json_array_get_element (row, 1)) ||
          !is_int (json_array_get_element (row, 2)) ||
          !string_or_null (json_array_get_element (row, 3), &scope) || scope == NULL ||
          !string_or_null (json_array_get_element (row, 4), &in.name) || in.name == NULL ||
          !string_or_null (json_array_get_element (row, 5), &in.category) ||
          !(JSON_NODE_HOLDS_NULL (args) || JSON_NODE_HOLDS_OBJECT (args)))
        return il_read_fail (ctx, sub, _("row %u is malformed"), i);
      for (s = 0; s < G_N_ELEMENTS (scope_names) && strcmp (scope, scope_names[s]) != 0; s++)
        ;
      if (s == G_N_ELEMENTS (scope_names))
        return il_read_fail (ctx, sub, _("row %u: unknown scope “%s”"), i, scope);
      in.worker = (int) json_node_get_int (json_array_get_element (row, 0));
      in.pid = (int) CLAMP (json_node_get_int (json_array_get_element (row, 1)), -1, G_MAXINT32);
      in.ts_ns = json_node_get_int (json_array_get_element (row, 2));
      in.scope = (IlMarkScope) s;
      if (JSON_NODE_HOLDS_OBJECT (args))
        {
          gsize len;
          g_autofree char *text = il_json_to_data (args, FALSE, 0, &len);

          in.args = args_text = il_json_compact (text, len);
        }
      il_run_trace_add_instant (run, &in);
    }
  return TRUE;
}

static gboolean
read_counters (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  JsonArray *a = il_read_get_array (ctx, obj, path, "counters");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s.counters[%u]", path, i);
      JsonObject *o;
      JsonArray *points;
      const char *name, *key, *cat = NULL;
      gint64 pid;
      guint c;

      if ((o = il_read_array_object (ctx, a, i, sub)) == NULL ||
          (name = il_read_get_string (ctx, o, sub, "name")) == NULL ||
          (key = il_read_get_string (ctx, o, sub, "key")) == NULL ||
          !il_read_get_int (ctx, o, sub, "pid", -1, G_MAXINT32, &pid) ||
          (points = il_read_get_array (ctx, o, sub, "points")) == NULL)
        return FALSE;
      if (json_object_has_member (o, "cat") && !string_or_null (json_object_get_member (o, "cat"), &cat))
        return il_read_fail (ctx, sub, _("“cat” must be a string or null"));
      c = il_run_trace_add_counter (run, (int) pid, name, key, cat);
      for (guint k = 0; k < json_array_get_length (points); k++)
        {
          JsonNode *node = json_array_get_element (points, k);
          JsonArray *p;
          JsonNode *v;
          double value;

          if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (p = json_node_get_array (node)) != 2 ||
              !is_int (json_array_get_element (p, 0)) || !JSON_NODE_HOLDS_VALUE (v = json_array_get_element (p, 1)) ||
              (json_node_get_value_type (v) != G_TYPE_DOUBLE && json_node_get_value_type (v) != G_TYPE_INT64))
            return il_read_fail (ctx, sub, _("point %u must be [ts_ns, value]"), k);
          value = json_node_get_value_type (v) == G_TYPE_INT64 ? (double) json_node_get_int (v)
                                                                : json_node_get_double (v);
          /* (1e999 reads as infinity: no file Interleave writes holds one, and no JSON could.) */
          if (!isfinite (value))
            return il_read_fail (ctx, sub, _("point %u: its value is not a finite number"), k);
          il_run_trace_add_counter_point (run, c, json_node_get_int (json_array_get_element (p, 0)), value);
        }
    }
  return TRUE;
}

static gboolean
read_flows (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *sub = NULL;
  JsonArray *rows = read_table (ctx, obj, path, "flows", flow_columns, G_N_ELEMENTS (flow_columns), &sub);

  if (rows == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonArray *row = json_array_get_array_element (rows, i);
      IlFlow f = { 0 };

      if (!string_or_null (json_array_get_element (row, 0), &f.id) || f.id == NULL ||
          !string_or_null (json_array_get_element (row, 1), &f.name) || f.name == NULL ||
          !string_or_null (json_array_get_element (row, 2), &f.category) ||
          !worker_ok (json_array_get_element (row, 3), run) || !is_int (json_array_get_element (row, 4)) ||
          !worker_ok (json_array_get_element (row, 5), run) || !is_int (json_array_get_element (row, 6)))
        return il_read_fail (ctx, sub, _("row %u is malformed"), i);
      f.from_worker = (int) json_node_get_int (json_array_get_element (row, 3));
      f.from_ns = json_node_get_int (json_array_get_element (row, 4));
      f.to_worker = (int) json_node_get_int (json_array_get_element (row, 5));
      f.to_ns = json_node_get_int (json_array_get_element (row, 6));
      il_run_trace_add_flow (run, &f);
    }
  return TRUE;
}

gboolean
il_trace_marks_read_v1 (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  return (!json_object_has_member (obj, "instants") || read_instants (ctx, obj, path, run)) &&
         (!json_object_has_member (obj, "counters") || read_counters (ctx, obj, path, run)) &&
         (!json_object_has_member (obj, "flows") || read_flows (ctx, obj, path, run));
}
