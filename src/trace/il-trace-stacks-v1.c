/* il-trace-stacks-v1.c: a run's sampled Python stacks in the trace v1 file (the optional "stacks" member). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-trace-io-private.h"
#include "il-trace-native-private.h"
#include "il-trace-stacks.h"

/* run.stacks: {"interval_ns": 3333333,
 *              "frames": {"columns": ["function", "file", "line"], "rows": [["compute", "w.py", 12], …]},
 *              "stacks": [[0, 3], …],                  each a stack's frame ids, innermost first
 *              "threads": [{"pid": 4242, "tid": 4243,
 *                           "samples": [time_ns, stack, flags, time_ns, stack, flags, …]}, …]}
 * flags: 1 on CPU (the kernel's state R), 2 held the GIL. A sample is three numbers in one flat
 * array per thread, in time order: a minute at 300 Hz of ten threads is 180 000 samples, and an
 * array per sample would cost a JSON node more each. "interval_ns" 0: derive it from the gaps. */

#define FLAGS_MAX 3
#define STACK_DEPTH_MAX 4096

static const char *const frame_columns[] = { "function", "file", "line" };

/* The key of a stack in the writer's table: its frame ids as bytes. */
static GBytes *
stack_bytes (const guint *frames, guint n)
{
  return g_bytes_new (frames, n * sizeof (guint));
}

/* By hand, like the spans (il-trace-write.c): a frame or stack a line, a thread's samples on a
 * few long lines, not one number a line as the header's pretty printer would. */
void
il_trace_stacks_write_v1 (IlRunTrace *run, IlWriter *w)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  g_autoptr(GHashTable) ids = NULL;
  g_autoptr(GPtrArray) order = NULL;   /* of GBytes, in id order (the table holds them) */
  g_autoptr(GArray) sample_stacks = NULL;
  g_autofree guint *frames = NULL;
  guint n_threads, next = 0;

  if (stacks == NULL)
    return;
  il_writer_puts (w, ",\n \"stacks\" : {\n  \"interval_ns\" : ");
  il_writer_int (w, il_trace_stacks_get_interval_ns (stacks));
  il_writer_puts (w, ",\n  \"frames\" : {\"columns\" : [\"function\", \"file\", \"line\"], \"rows\" : [");
  for (guint i = 0; i < il_trace_stacks_get_n_frames (stacks); i++)
    {
      IlStackFrame f;

      il_trace_stacks_get_frame (stacks, i, &f);
      il_writer_puts (w, i == 0 ? "\n   [" : ",\n   [");
      /* The store keeps only valid UTF-8 (il_trace_stacks_intern_frame). */
      il_writer_json_string (w, f.function);
      il_writer_puts (w, ", ");
      il_writer_json_string (w, f.file);
      il_writer_puts (w, ", ");
      il_writer_int (w, f.line);
      il_writer_putc (w, ']');
    }
  il_writer_puts (w, "]},");

  /* Number the stacks the samples use, in the order they come; the table lists only those. */
  ids = g_hash_table_new_full (g_bytes_hash, g_bytes_equal, (GDestroyNotify) g_bytes_unref, NULL);
  order = g_ptr_array_new ();
  sample_stacks = g_array_new (FALSE, FALSE, sizeof (guint));
  frames = g_new (guint, STACK_DEPTH_MAX);
  n_threads = il_trace_stacks_get_n_threads (stacks);
  for (guint t = 0; t < n_threads; t++)
    {
      gint64 pid, tid;
      guint n_samples;

      il_trace_stacks_get_thread (stacks, t, &pid, &tid, &n_samples);
      for (guint k = 0; k < n_samples; k++)
        {
          guint n = il_trace_stacks_get_thread_stack (stacks, t, k, frames, STACK_DEPTH_MAX);
          g_autoptr(GBytes) key = stack_bytes (frames, MIN (n, STACK_DEPTH_MAX));
          gpointer found;

          if ((found = g_hash_table_lookup (ids, key)) == NULL)
            {
              g_ptr_array_add (order, key);
              found = GUINT_TO_POINTER (order->len);
              g_hash_table_insert (ids, g_bytes_ref (key), found);
            }
          next = GPOINTER_TO_UINT (found) - 1;
          g_array_append_val (sample_stacks, next);
        }
    }
  il_writer_puts (w, "\n  \"stacks\" : [");
  for (guint i = 0; i < order->len; i++)
    {
      gsize size;
      const guint *of = g_bytes_get_data (g_ptr_array_index (order, i), &size);

      il_writer_puts (w, i == 0 ? "\n   [" : ",\n   [");
      for (guint k = 0; k < size / sizeof (guint); k++)
        {
          if (k > 0)
            il_writer_puts (w, ", ");
          il_writer_int (w, of[k]);
        }
      il_writer_putc (w, ']');
    }
  il_writer_puts (w, "],\n  \"threads\" : [");
  next = 0;
  for (guint t = 0; t < n_threads && w->error == NULL; t++)
    {
      gint64 pid, tid;
      guint n_samples, written = 0;

      il_trace_stacks_get_thread (stacks, t, &pid, &tid, &n_samples);
      il_writer_puts (w, t == 0 ? "\n   {\"pid\" : " : ",\n   {\"pid\" : ");
      il_writer_int (w, pid);
      il_writer_puts (w, ", \"tid\" : ");
      il_writer_int (w, tid);
      il_writer_puts (w, ", \"samples\" : [");
      for (guint k = 0; k < n_samples; k++)
        {
          IlStackSample s;
          guint stack = g_array_index (sample_stacks, guint, next++);

          il_trace_stacks_get_thread_sample (stacks, t, k, &s);
          /* Times are from the run's start; a sample before it says nothing the run shows. */
          if (s.time_ns < 0)
            continue;
          il_writer_puts (w, written == 0 ? "\n    " : written % 8 == 0 ? ",\n    " : ", ");
          il_writer_int (w, s.time_ns);
          il_writer_puts (w, ", ");
          il_writer_int (w, stack);
          il_writer_puts (w, ", ");
          il_writer_int (w, (s.on_cpu ? 1 : 0) | (s.holds_gil ? 2 : 0));
          written++;
        }
      il_writer_puts (w, "]}");
    }
  il_writer_puts (w, "]\n }");
}

/* ------------------------------------------------------------------------------------------------
 * Reading: every number is checked, so a file read back is a store the lookups can trust. */

static gboolean
int_in (JsonNode *n, gint64 min, gint64 max, gint64 *out)
{
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return *out >= min && *out <= max;
}

static gboolean
read_frames (IlReadCtx *ctx, JsonObject *o, const char *path, IlTraceStacks *stacks, GArray *map)
{
  g_autofree char *sub = g_strdup_printf ("%s.frames", path);
  JsonObject *f = il_read_get_object (ctx, o, path, "frames");
  JsonArray *columns, *rows;

  if (f == NULL || (columns = il_read_get_array (ctx, f, sub, "columns")) == NULL ||
      (rows = il_read_get_array (ctx, f, sub, "rows")) == NULL)
    return FALSE;
  if (json_array_get_length (columns) != G_N_ELEMENTS (frame_columns))
    return il_read_fail (ctx, sub, _("“columns” must be function, file, line"));
  for (guint i = 0; i < G_N_ELEMENTS (frame_columns); i++)
    {
      JsonNode *c = json_array_get_element (columns, i);

      if (!JSON_NODE_HOLDS_VALUE (c) || json_node_get_value_type (c) != G_TYPE_STRING ||
          strcmp (json_node_get_string (c), frame_columns[i]) != 0)
        return il_read_fail (ctx, sub, _("“columns” must be function, file, line"));
    }
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonArray *row;
      JsonNode *fn, *file;
      gint64 line;
      guint id;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (row = json_node_get_array (node)) != 3 ||
          !JSON_NODE_HOLDS_VALUE (fn = json_array_get_element (row, 0)) ||
          json_node_get_value_type (fn) != G_TYPE_STRING || *json_node_get_string (fn) == '\0' ||
          !JSON_NODE_HOLDS_VALUE (file = json_array_get_element (row, 1)) ||
          json_node_get_value_type (file) != G_TYPE_STRING ||
          !int_in (json_array_get_element (row, 2), 0, G_MAXUINT32, &line))
        return il_read_fail (ctx, sub, _("row %u must be [function, file, line]"), i);
      id = il_trace_stacks_intern_frame (stacks, json_node_get_string (fn), json_node_get_string (file),
                                         (guint) line);
      g_array_append_val (map, id);
    }
  return TRUE;
}

/* The stacks table: file frame indices mapped to the store's ids, as one GArray of guint each. */
static gboolean
read_stacks (IlReadCtx *ctx, JsonObject *o, const char *path, GArray *map, GPtrArray *out)
{
  JsonArray *a = il_read_get_array (ctx, o, path, "stacks");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *node = json_array_get_element (a, i);
      JsonArray *ids;
      GArray *stack;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (ids = json_node_get_array (node)) > STACK_DEPTH_MAX)
        return il_read_fail (ctx, path, _("stack %u must be an array of frame indices"), i);
      stack = g_array_sized_new (FALSE, FALSE, sizeof (guint), json_array_get_length (ids));
      g_ptr_array_add (out, stack);
      for (guint k = 0; k < json_array_get_length (ids); k++)
        {
          gint64 f;
          guint id;

          if (!int_in (json_array_get_element (ids, k), 0, (gint64) map->len - 1, &f))
            return il_read_fail (ctx, path, _("stack %u: frame %u is not a row of “frames”"), i, k);
          id = g_array_index (map, guint, f);
          g_array_append_val (stack, id);
        }
    }
  return TRUE;
}

static gboolean
read_threads (IlReadCtx *ctx, JsonObject *o, const char *path, IlTraceStacks *stacks, GPtrArray *table)
{
  JsonArray *a = il_read_get_array (ctx, o, path, "threads");

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      g_autofree char *sub = g_strdup_printf ("%s.threads[%u]", path, i);
      JsonObject *t;
      JsonArray *samples;
      gint64 pid, tid, last = 0;
      guint n;

      if ((t = il_read_array_object (ctx, a, i, sub)) == NULL ||
          !il_read_get_int (ctx, t, sub, "pid", 0, G_MAXINT32, &pid) ||
          !il_read_get_int (ctx, t, sub, "tid", 0, G_MAXINT32, &tid) ||
          (samples = il_read_get_array (ctx, t, sub, "samples")) == NULL)
        return FALSE;
      if ((n = json_array_get_length (samples)) % 3 != 0)
        return il_read_fail (ctx, sub, _("“samples” must hold time_ns, stack, flags for each sample"));
      for (guint k = 0; k < n; k += 3)
        {
          gint64 time_ns, stack, flags;
          GArray *frames;

          if (!int_in (json_array_get_element (samples, k), last, G_MAXINT64, &time_ns) ||
              !int_in (json_array_get_element (samples, k + 1), 0, (gint64) table->len - 1, &stack) ||
              !int_in (json_array_get_element (samples, k + 2), 0, FLAGS_MAX, &flags))
            return il_read_fail (ctx, sub, _("sample %u is malformed (times must not go back, stacks must "
                                             "be in “stacks”, flags 0–3)"), k / 3);
          last = time_ns;
          frames = g_ptr_array_index (table, stack);
          il_trace_stacks_add_sample (stacks, pid, tid, time_ns, (flags & 1) != 0, (flags & 2) != 0,
                                      (const guint *) frames->data, frames->len);
        }
    }
  return TRUE;
}

gboolean
il_trace_stacks_read_v1 (IlReadCtx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *sub = g_strdup_printf ("%s.stacks", path);
  g_autoptr(IlTraceStacks) stacks = NULL;
  g_autoptr(GArray) map = NULL;
  g_autoptr(GPtrArray) table = NULL;
  JsonObject *o;
  gint64 interval;

  if (!json_object_has_member (obj, "stacks"))
    return TRUE;
  if ((o = il_read_get_object (ctx, obj, path, "stacks")) == NULL ||
      !il_read_get_int (ctx, o, sub, "interval_ns", 0, G_MAXINT64, &interval))
    return FALSE;
  stacks = il_trace_stacks_new ();
  map = g_array_new (FALSE, FALSE, sizeof (guint));
  table = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  if (!read_frames (ctx, o, sub, stacks, map) || !read_stacks (ctx, o, sub, map, table) ||
      !read_threads (ctx, o, sub, stacks, table))
    return FALSE;
  il_trace_stacks_set_interval_ns (stacks, interval);
  il_run_trace_set_stacks (run, g_steal_pointer (&stacks));
  return TRUE;
}
