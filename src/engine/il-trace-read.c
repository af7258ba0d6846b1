/* il-trace-read.c: trace v1 JSON reader: json-glib for the skeleton, span rows parsed by hand. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "il-batch.h"
#include "il-trace-io-private.h"

/* ------------------------------------------------------------------------------------------------
 * Trace v1 reader, step 1: find the "spans" arrays of runs[i] without parsing the rest. */

typedef struct
{
  guint run;       /* index in "runs" */
  gsize start;     /* offset just after '[' */
  gsize end;       /* offset of the matching ']' */
  guint newlines;  /* line breaks inside, kept in the skeleton */
} SpanRange;

typedef struct
{
  const char *name;
  const char *data;
  gsize       length;
} Source;

static guint
line_of (const Source *src, gsize offset)
{
  guint line = 1;
  const char *p = src->data;
  const char *end = src->data + MIN (offset, src->length);

  while ((p = memchr (p, '\n', (gsize) (end - p))) != NULL)
    {
      line++;
      p++;
    }
  return line;
}

/* Offset just past the string that starts at @pos (a '"'), or @len when it is unterminated. */
static gsize
skip_string (const char *d, gsize len, gsize pos)
{
  pos++;
  while (pos < len)
    {
      const char *q = memchr (d + pos, '"', len - pos);
      gsize k;
      gsize backslashes = 0;

      if (q == NULL)
        return len;
      k = (gsize) (q - d);
      while (k - backslashes > pos && d[k - backslashes - 1] == '\\')
        backslashes++;
      if (backslashes % 2 == 0)
        return k + 1;
      pos = k + 1;
    }
  return len;
}

/* Offset of the ']' closing the array whose content starts at @pos, counting line breaks;
 * @len when it is not closed (json-glib then reports the error on the skeleton). */
static gsize
skip_array (const char *d, gsize len, gsize pos, guint *newlines)
{
  int depth = 0;

  while (pos < len)
    {
      char c = d[pos];

      switch (c)
        {
        case '"':
          pos = skip_string (d, len, pos);
          continue;
        case '[':
        case '{':
          depth++;
          break;
        case ']':
        case '}':
          if (depth == 0)
            return c == ']' ? pos : len;
          depth--;
          break;
        case '\n':
          (*newlines)++;
          break;
        default:
          break;
        }
      pos++;
    }
  return len;
}

enum
{
  LEVEL_OTHER,
  LEVEL_ROOT,
  LEVEL_RUNS,
  LEVEL_RUN,
};

/* Walks the document's structure, recording where runs[i].spans arrays are. Stops quietly at
 * anything malformed: json-glib parses the skeleton next and reports the error with its line. */
static GArray *
find_span_ranges (const Source *src)
{
  const char *d = src->data;
  gsize len = src->length;
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (SpanRange));
  guchar level[64];
  int depth = 0;
  guint run_index = 0;
  gboolean expect_key = FALSE;
  /* The key whose value comes next, in an object of interest: 'r' runs, 's' spans, 0 other. */
  char pending = 0;

  for (gsize pos = 0; pos < len;)
    {
      char c = d[pos];

      switch (c)
        {
        case '"':
          {
            gsize end = skip_string (d, len, pos);

            if (depth > 0 && expect_key)
              {
                gsize klen = end - pos;

                pending = 0;
                if (level[depth - 1] == LEVEL_ROOT && klen == 6 && memcmp (d + pos, "\"runs\"", 6) == 0)
                  pending = 'r';
                else if (level[depth - 1] == LEVEL_RUN && klen == 7 &&
                         memcmp (d + pos, "\"spans\"", 7) == 0)
                  pending = 's';
                expect_key = FALSE;
              }
            pos = end;
            continue;
          }
        case '{':
        case '[':
          {
            guchar kind = LEVEL_OTHER;

            if (depth == 0 && c == '{')
              kind = LEVEL_ROOT;
            else if (depth > 0 && level[depth - 1] == LEVEL_ROOT && pending == 'r' && c == '[')
              kind = LEVEL_RUNS;
            else if (depth > 0 && level[depth - 1] == LEVEL_RUNS && c == '{')
              kind = LEVEL_RUN;
            else if (depth > 0 && level[depth - 1] == LEVEL_RUN && pending == 's' && c == '[')
              {
                SpanRange range = { run_index - 1, pos + 1, 0, 0 };

                range.end = skip_array (d, len, pos + 1, &range.newlines);
                if (range.end >= len)
                  return ranges;
                g_array_append_val (ranges, range);
                pending = 0;
                pos = range.end + 1;
                continue;
              }
            if (kind == LEVEL_RUN)
              run_index++;
            if (depth == G_N_ELEMENTS (level))
              return ranges;
            level[depth++] = kind;
            expect_key = (c == '{');
            pending = 0;
            break;
          }
        case '}':
        case ']':
          if (depth == 0)
            return ranges;
          depth--;
          pending = 0;
          expect_key = FALSE;
          break;
        case ',':
          if (depth > 0 && (level[depth - 1] == LEVEL_ROOT || level[depth - 1] == LEVEL_RUN ||
                            level[depth - 1] == LEVEL_OTHER))
            expect_key = TRUE;
          pending = 0;
          break;
        case ':':
          expect_key = FALSE;
          break;
        default:
          break;
        }
      pos++;
    }
  return ranges;
}

/* ',' in an array of an OTHER level also sets expect_key; harmless: keys only matter in ROOT and
 * RUN objects, and strings in arrays under OTHER are never compared. */

/* The document with the span rows cut out; line breaks stay so json-glib's lines are the file's. */
static char *
build_skeleton (const Source *src, GArray *ranges, gsize *out_len)
{
  GString *s = g_string_sized_new (4096);
  gsize pos = 0;

  for (guint i = 0; i < ranges->len; i++)
    {
      const SpanRange *range = &g_array_index (ranges, SpanRange, i);

      g_string_append_len (s, src->data + pos, (gssize) (range->start - pos));
      for (guint k = 0; k < range->newlines; k++)
        g_string_append_c (s, '\n');
      pos = range->end;
    }
  g_string_append_len (s, src->data + pos, (gssize) (src->length - pos));
  *out_len = s->len;
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------------------------------
 * Step 2: the skeleton through json-glib, validated member by member. */

typedef struct
{
  const Source *src;
  GError      **error;
} Ctx;

static gboolean G_GNUC_PRINTF (3, 4)
fail (Ctx *ctx, const char *path, const char *format, ...)
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
member (Ctx *ctx, JsonObject *obj, const char *path, const char *key, gboolean required)
{
  JsonNode *node = json_object_get_member (obj, key);

  if (node == NULL && required)
    fail (ctx, path, _("“%s” is missing"), key);
  return node;
}

static gboolean
get_int (Ctx *ctx, JsonObject *obj, const char *path, const char *key, gint64 min, gint64 max,
         gint64 *out)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);
  gint64 v;

  if (node == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return fail (ctx, path, _("“%s” must be a whole number"), key);
  v = json_node_get_int (node);
  if (v < min || v > max)
    return fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64
                              "…%" PRId64), key, v, min, max);
  *out = v;
  return TRUE;
}

/* A number, or null (NAN) when @nullable. */
static gboolean
get_double (Ctx *ctx, JsonObject *obj, const char *path, const char *key, gboolean nullable,
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
    return fail (ctx, path, nullable ? _("“%s” must be a number or null")
                                     : _("“%s” must be a number"), key);
  *out = json_node_get_double (node);
  if (!isfinite (*out))
    return fail (ctx, path, _("“%s” must be a finite number"), key);
  return TRUE;
}

static const char *
get_string (Ctx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      fail (ctx, path, _("“%s” must be a string"), key);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_bool (Ctx *ctx, JsonObject *obj, const char *path, const char *key, gboolean required,
          gboolean *out)
{
  JsonNode *node = member (ctx, obj, path, key, required);

  if (node == NULL)
    {
      *out = FALSE;
      return !required;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fail (ctx, path, _("“%s” must be true or false"), key);
  *out = json_node_get_boolean (node);
  return TRUE;
}

static JsonObject *
get_object (Ctx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (ctx, path, _("“%s” must be an object"), key);
      return NULL;
    }
  return json_node_get_object (node);
}

static JsonArray *
get_array (Ctx *ctx, JsonObject *obj, const char *path, const char *key)
{
  JsonNode *node = member (ctx, obj, path, key, TRUE);

  if (node == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    {
      fail (ctx, path, _("“%s” must be an array"), key);
      return NULL;
    }
  return json_node_get_array (node);
}

static JsonObject *
array_object (Ctx *ctx, JsonArray *array, guint i, const char *path)
{
  JsonNode *node = json_array_get_element (array, i);

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      fail (ctx, path, _("must be an object"));
      return NULL;
    }
  return json_node_get_object (node);
}

static IlRunConfig *
read_config (Ctx *ctx, JsonObject *obj, const char *path)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  const char *str;
  JsonArray *cpus;
  gint64 v;

  if ((str = get_string (ctx, obj, path, "executor")) == NULL)
    return NULL;
  if (!il_executor_from_string (str, &config->executor))
    {
      fail (ctx, path, _("unknown executor “%s”"), str);
      return NULL;
    }
  if (!get_bool (ctx, obj, path, "gil", TRUE, &config->gil) ||
      !get_double (ctx, obj, path, "switch_interval_ms", FALSE, &config->switch_interval_ms))
    return NULL;
  if (!get_int (ctx, obj, path, "workers", 0, G_MAXINT32, &v))
    return NULL;
  config->workers = (guint) v;

  if ((cpus = get_array (ctx, obj, path, "cpus")) == NULL)
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
              fail (ctx, path, _("“cpus” must list CPU numbers (whole numbers from 0)"));
              return NULL;
            }
          cpu = (int) json_node_get_int (node);
          g_array_append_val (config->cpus, cpu);
        }
    }

  if ((str = get_string (ctx, obj, path, "workload")) == NULL)
    return NULL;
  if (!il_workload_from_string (str, &config->workload))
    {
      fail (ctx, path, _("unknown workload “%s”"), str);
      return NULL;
    }
  if (!get_int (ctx, obj, path, "tasks", 0, G_MAXINT32, &v))
    return NULL;
  config->tasks = (guint) v;
  if (!get_double (ctx, obj, path, "task_ms", FALSE, &config->task_ms))
    return NULL;
  return g_steal_pointer (&config);
}

/* The header of one run: everything but the span rows. */
static IlRunTrace *
read_run_header (Ctx *ctx, JsonObject *obj, guint index, guint machine_cpus)
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

  if ((o = get_object (ctx, obj, path, "config")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.config", path);
  if ((config = read_config (ctx, o, sub)) == NULL)
    return NULL;
  g_clear_pointer (&sub, g_free);

  if ((str = get_string (ctx, obj, path, "label")) == NULL)
    return NULL;
  g_free (config->label);
  config->label = g_strdup (str);

  run = il_run_trace_new (config);
  il_run_trace_set_label (run, str);
  il_run_trace_set_n_cpus (run, machine_cpus);
  il_run_trace_set_live (run, FALSE);

  if ((str = get_string (ctx, obj, path, "capture")) == NULL)
    return NULL;
  if (!il_capture_from_string (str, &capture))
    {
      fail (ctx, path, _("unknown capture “%s”"), str);
      return NULL;
    }
  il_run_trace_set_capture (run, capture);

  if (!get_bool (ctx, obj, path, "cancelled", FALSE, &cancelled))
    return NULL;
  il_run_trace_set_cancelled (run, cancelled);

  if ((o = get_object (ctx, obj, path, "clock")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.clock", path);
  if ((str = get_string (ctx, o, sub, "id")) == NULL)
    return NULL;
  if (g_strcmp0 (str, "CLOCK_MONOTONIC") != 0)
    {
      fail (ctx, sub, _("clock “%s” is not supported (only CLOCK_MONOTONIC)"), str);
      return NULL;
    }
  if (!get_int (ctx, o, sub, "origin_ns", G_MININT64, G_MAXINT64, &v))
    return NULL;
  il_run_trace_set_origin_ns (run, v);
  g_clear_pointer (&sub, g_free);

  if ((o = get_object (ctx, obj, path, "summary")) == NULL)
    return NULL;
  sub = g_strdup_printf ("%s.summary", path);
  if (!get_int (ctx, o, sub, "wall_ns", 0, G_MAXINT64, &summary.wall_ns) ||
      !get_int (ctx, o, sub, "cpu_ns", 0, G_MAXINT64, &summary.cpu_ns) ||
      !get_double (ctx, o, sub, "avg_parallelism", TRUE, &summary.avg_parallelism) ||
      !get_int (ctx, o, sub, "max_parallelism", 0, G_MAXINT32, &v))
    return NULL;
  summary.max_parallelism = (guint) v;
  if (!get_int (ctx, o, sub, "gil_wait_ns", 0, G_MAXINT64, &summary.gil_wait_ns) ||
      !get_int (ctx, o, sub, "io_wait_ns", 0, G_MAXINT64, &summary.io_wait_ns) ||
      !get_int (ctx, o, sub, "ready_ns", 0, G_MAXINT64, &summary.ready_ns) ||
      !get_double (ctx, o, sub, "speedup", TRUE, &summary.speedup))
    return NULL;
  /* Added after version 1 was first written: files without them still load. */
  if ((json_object_has_member (o, "lock_wait_ns") &&
       !get_int (ctx, o, sub, "lock_wait_ns", 0, G_MAXINT64, &summary.lock_wait_ns)) ||
      (json_object_has_member (o, "loop_wait_ns") &&
       !get_int (ctx, o, sub, "loop_wait_ns", 0, G_MAXINT64, &summary.loop_wait_ns)))
    return NULL;
  g_clear_pointer (&sub, g_free);

  if ((a = get_array (ctx, obj, path, "workers")) == NULL)
    return NULL;
  if (json_array_get_length (a) > G_MAXUINT16)
    {
      fail (ctx, path, _("too many workers (%u)"), json_array_get_length (a));
      return NULL;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *kind_str, *name;
      gint64 id, pid, tid;
      IlWorkerKind kind;

      sub = g_strdup_printf ("%s.workers[%u]", path, i);
      if ((o = array_object (ctx, a, i, sub)) == NULL ||
          !get_int (ctx, o, sub, "id", 0, G_MAXINT32, &id) ||
          (kind_str = get_string (ctx, o, sub, "kind")) == NULL ||
          !get_int (ctx, o, sub, "pid", -1, G_MAXINT32, &pid) ||
          !get_int (ctx, o, sub, "tid", -1, G_MAXINT32, &tid) ||
          (name = get_string (ctx, o, sub, "name")) == NULL)
        return NULL;
      if (id != i)
        {
          fail (ctx, sub, _("“id” is %" PRId64 " but workers must be numbered 0, 1, 2, … in order"), id);
          return NULL;
        }
      if (g_strcmp0 (kind_str, "thread") == 0)
        kind = IL_WORKER_THREAD;
      else if (g_strcmp0 (kind_str, "process") == 0)
        kind = IL_WORKER_PROCESS;
      else
        {
          fail (ctx, sub, _("unknown worker kind “%s” (thread or process)"), kind_str);
          return NULL;
        }
      il_run_trace_add_worker (run, kind, (int) pid, (int) tid, name);
      g_clear_pointer (&sub, g_free);
    }

  if ((a = get_array (ctx, obj, path, "tasks")) == NULL)
    return NULL;
  if (json_array_get_length (a) > (1u << 23))
    {
      fail (ctx, path, _("too many tasks (%u)"), json_array_get_length (a));
      return NULL;
    }
  il_run_trace_set_n_tasks (run, json_array_get_length (a));
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      IlTaskRecord *task = il_run_trace_get_task (run, i);
      gint64 id, worker;

      sub = g_strdup_printf ("%s.tasks[%u]", path, i);
      if ((o = array_object (ctx, a, i, sub)) == NULL ||
          !get_int (ctx, o, sub, "id", 0, G_MAXINT32, &id) ||
          !get_int (ctx, o, sub, "worker", -1, (gint64) il_run_trace_get_n_workers (run) - 1,
                    &worker) ||
          !get_int (ctx, o, sub, "start_ns", G_MININT64, G_MAXINT64, &task->start_ns) ||
          !get_int (ctx, o, sub, "end_ns", G_MININT64, G_MAXINT64, &task->end_ns) ||
          (str = get_string (ctx, o, sub, "status")) == NULL)
        return NULL;
      if (id != i)
        {
          fail (ctx, sub, _("“id” is %" PRId64 " but tasks must be numbered 0, 1, 2, … in order"), id);
          return NULL;
        }
      if (!il_task_status_from_string (str, &task->status))
        {
          fail (ctx, sub, _("unknown task status “%s”"), str);
          return NULL;
        }
      task->id = i;
      task->worker = (int) worker;
      g_clear_pointer (&sub, g_free);
    }

  il_run_trace_set_summary (run, &summary);
  {
    g_autofree char *message = NULL;

    if (!il_repeat_read_json (run, obj, &message))
      {
        fail (ctx, path, "%s", message);
        return NULL;
      }
  }
  return g_steal_pointer (&run);
}

/* Maps file columns to fields: the schema names the columns, so their order is the file's. */
static gboolean
read_columns (Ctx *ctx, JsonObject *obj, guint index, int columns[N_COLS])
{
  g_autofree char *path = g_strdup_printf ("runs[%u]", index);
  JsonArray *a = get_array (ctx, obj, path, "spans_columns");
  gboolean seen[N_COLS] = { FALSE, };

  if (a == NULL)
    return FALSE;
  if (json_array_get_length (a) != N_COLS)
    return fail (ctx, path, _("“spans_columns” must name the %d columns worker, state, cpu, task, start_ns, end_ns"), N_COLS);
  for (guint i = 0; i < N_COLS; i++)
    {
      const char *name = json_array_get_string_element (a, i);
      guint c;

      for (c = 0; c < N_COLS; c++)
        if (g_strcmp0 (name, il_span_column_names[c]) == 0)
          break;
      if (name == NULL || c == N_COLS || seen[c])
        return fail (ctx, path, _("“spans_columns” must name the %d columns worker, state, cpu, task, start_ns, end_ns"), N_COLS);
      seen[c] = TRUE;
      columns[i] = (int) c;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * Step 3: span rows, parsed by hand straight into the lanes. */

typedef struct
{
  const Source *src;
  GError      **error;
  const char   *p;
  const char   *end;
  guint         run;
} RowParser;

static gboolean G_GNUC_PRINTF (2, 3)
row_fail (RowParser *rp, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (rp->error, IL_ERROR, IL_ERROR_INVALID, "%s:%u: runs[%u].spans: %s", rp->src->name,
               line_of (rp->src, (gsize) (rp->p - rp->src->data)), rp->run, msg);
  return FALSE;
}

static inline void
row_skip_ws (RowParser *rp)
{
  while (rp->p < rp->end && (*rp->p == ' ' || *rp->p == '\n' || *rp->p == '\r' || *rp->p == '\t'))
    rp->p++;
}

static inline gboolean
row_expect (RowParser *rp, char c)
{
  row_skip_ws (rp);
  if (rp->p >= rp->end || *rp->p != c)
    return row_fail (rp, _("expected “%c”"), c);
  rp->p++;
  return TRUE;
}

static gboolean
row_int (RowParser *rp, gint64 *out)
{
  const char *start;
  gboolean neg = FALSE;
  guint64 v = 0;
  int digits = 0;

  row_skip_ws (rp);
  start = rp->p;
  if (rp->p < rp->end && *rp->p == '-')
    {
      neg = TRUE;
      rp->p++;
    }
  while (rp->p < rp->end && g_ascii_isdigit (*rp->p))
    {
      v = v * 10 + (guint64) (*rp->p - '0');
      rp->p++;
      digits++;
    }
  if (rp->p < rp->end && (*rp->p == '.' || *rp->p == 'e' || *rp->p == 'E'))
    {
      /* JSON allows 1.0 or 1e6 for whole numbers; accept them when they are whole. */
      char buf[64];
      char *endp = NULL;
      double d;
      gsize n;

      while (rp->p < rp->end && (g_ascii_isdigit (*rp->p) || memchr (".eE+-", *rp->p, 5) != NULL))
        rp->p++;
      n = MIN ((gsize) (rp->p - start), sizeof buf - 1);
      memcpy (buf, start, n);
      buf[n] = '\0';
      d = g_ascii_strtod (buf, &endp);
      if (digits == 0 || *endp != '\0' || d != floor (d) || fabs (d) > 9.0e18)
        {
          rp->p = start;
          return row_fail (rp, _("expected a whole number"));
        }
      *out = (gint64) d;
      return TRUE;
    }
  if (digits == 0 || digits > 18)
    {
      rp->p = start;
      return row_fail (rp, digits == 0 ? _("expected a whole number") : _("number out of range"));
    }
  *out = neg ? -(gint64) v : (gint64) v;
  return TRUE;
}

static gboolean
row_state (RowParser *rp, IlState *out)
{
  const char *start, *q;
  g_autofree char *name = NULL;

  row_skip_ws (rp);
  if (rp->p >= rp->end || *rp->p != '"')
    return row_fail (rp, _("expected a state name in quotes"));
  start = rp->p + 1;
  q = memchr (start, '"', (gsize) (rp->end - start));
  if (q == NULL)
    return row_fail (rp, _("unterminated string"));
  for (int s = 0; s < IL_N_STATES; s++)
    {
      const char *sname = il_state_to_string ((IlState) s);
      gsize n = strlen (sname);

      if ((gsize) (q - start) == n && memcmp (start, sname, n) == 0)
        {
          *out = (IlState) s;
          rp->p = q + 1;
          return TRUE;
        }
    }
  name = g_strndup (start, MIN ((gsize) (q - start), 40));
  return row_fail (rp, _("unknown state “%s”"), name);
}

#define ROW_BATCH 4096

static gboolean
read_span_rows (const Source *src, const SpanRange *range, IlRunTrace *run,
                const int columns[N_COLS], GError **error)
{
  RowParser rp = { src, error, src->data + range->start, src->data + range->end, range->run };
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_tasks = il_run_trace_get_n_tasks (run);
  guint n_cpus = il_run_trace_get_n_cpus (run);
  g_autofree gint64 *last_end = g_new (gint64, MAX (n_workers, 1));
  g_autofree IlSpan *batch = g_new (IlSpan, ROW_BATCH);
  guint n_batch = 0;

  for (guint i = 0; i < n_workers; i++)
    last_end[i] = G_MININT64;

  row_skip_ws (&rp);
  if (rp.p >= rp.end)
    return TRUE;

  for (;;)
    {
      gint64 v[N_COLS] = { 0, };
      IlState state = IL_STATE_IDLE;
      const char *row_start, *row_end;
      IlSpan *s;

      row_skip_ws (&rp);
      row_start = rp.p;
      if (!row_expect (&rp, '['))
        return FALSE;
      for (guint c = 0; c < N_COLS; c++)
        {
          if (c > 0 && !row_expect (&rp, ','))
            return FALSE;
          if (columns[c] == COL_STATE)
            {
              if (!row_state (&rp, &state))
                return FALSE;
            }
          else if (!row_int (&rp, &v[columns[c]]))
            return FALSE;
        }
      if (!row_expect (&rp, ']'))
        return FALSE;

      /* Errors about the values point at the row's start. */
      row_end = rp.p;
      rp.p = row_start;
      if (v[COL_WORKER] < 0 || v[COL_WORKER] >= n_workers)
        return row_fail (&rp, _("worker %" PRId64 " does not exist (the run has %u workers)"),
                         v[COL_WORKER], n_workers);
      if (v[COL_CPU] < -1 || v[COL_CPU] >= n_cpus)
        return row_fail (&rp, _("CPU %" PRId64 " does not exist (the machine has %u CPUs; -1 means none)"),
                         v[COL_CPU], n_cpus);
      if (v[COL_TASK] < -1 || v[COL_TASK] >= n_tasks)
        return row_fail (&rp, _("task %" PRId64 " does not exist (the run has %u tasks; -1 means none)"),
                         v[COL_TASK], n_tasks);
      if (v[COL_END] < v[COL_START])
        return row_fail (&rp, _("the span ends before it starts"));
      if (v[COL_START] < last_end[v[COL_WORKER]])
        return row_fail (&rp, _("spans of worker %" PRId64 " overlap or are not in time order"),
                         v[COL_WORKER]);
      last_end[v[COL_WORKER]] = v[COL_END];

      s = &batch[n_batch++];
      s->start_ns = v[COL_START];
      s->end_ns = v[COL_END];
      s->task = (gint32) v[COL_TASK];
      s->state = state;
      s->worker = (guint16) v[COL_WORKER];
      s->cpu = (gint16) v[COL_CPU];
      if (n_batch == ROW_BATCH)
        {
          il_run_trace_append_many (run, batch, n_batch);
          n_batch = 0;
        }

      rp.p = row_end;
      row_skip_ws (&rp);
      if (rp.p >= rp.end)
        break;
      if (*rp.p != ',')
        return row_fail (&rp, _("expected “,” between spans"));
      rp.p++;
    }

  if (n_batch > 0)
    il_run_trace_append_many (run, batch, n_batch);
  return TRUE;
}

IlTrace *
il_trace_load_from_data (const char *data, gsize length, const char *name, GError **error)
{
  Source src = { name != NULL ? name : "trace", data, length };
  Ctx ctx = { &src, error };
  g_autoptr(GArray) ranges = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autofree char *skeleton = NULL;
  gsize skeleton_len;
  JsonNode *root;
  JsonObject *obj, *machine;
  JsonArray *runs;
  const char *str;
  gint64 version, cpus;
  guint next_range = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: the file is empty"), src.name);
      return NULL;
    }

  ranges = find_span_ranges (&src);
  skeleton = build_skeleton (&src, ranges, &skeleton_len);

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, skeleton, (gssize) skeleton_len, &local_error))
    {
      const char *msg = local_error->message;

      /* json-glib says "<data>:LINE:COL: …"; the user needs the file's name there. */
      if (g_str_has_prefix (msg, "<data>:"))
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s:%s", src.name,
                     msg + strlen ("<data>:"));
      else
        g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s: %s", src.name, msg);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: not an Interleave trace (the file is not a JSON object)"), src.name);
      return NULL;
    }
  obj = json_node_get_object (root);

  {
    JsonNode *node = json_object_get_member (obj, "format");

    str = NULL;
    if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
        json_node_get_value_type (node) == G_TYPE_STRING)
      str = json_node_get_string (node);
  }
  if (g_strcmp0 (str, IL_TRACE_FORMAT_NAME) != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: not an Interleave trace (“format” must be “%s”)"), src.name,
                   IL_TRACE_FORMAT_NAME);
      return NULL;
    }
  if (!get_int (&ctx, obj, "version", "version", G_MININT64, G_MAXINT64, &version))
    return NULL;
  if (version != IL_TRACE_FORMAT_VERSION)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: trace format version %" PRId64 " is not supported (this Interleave reads version %d)"),
                   src.name, version, IL_TRACE_FORMAT_VERSION);
      return NULL;
    }

  if ((machine = get_object (&ctx, obj, "machine", "machine")) == NULL ||
      !get_int (&ctx, machine, "machine", "cpus", 1, 32768, &cpus))
    return NULL;

  trace = il_trace_new ();
  {
    const char *kernel, *hostname;

    if ((kernel = get_string (&ctx, machine, "machine", "kernel")) == NULL ||
        (hostname = get_string (&ctx, machine, "machine", "hostname")) == NULL)
      return NULL;
    il_trace_set_machine (trace, (guint) cpus, kernel, hostname);
  }

  if ((runs = get_array (&ctx, obj, "runs", "runs")) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      g_autofree char *path = g_strdup_printf ("runs[%u]", i);
      g_autoptr(IlRunTrace) run = NULL;
      JsonObject *robj;
      JsonArray *spans;
      int columns[N_COLS];

      if ((robj = array_object (&ctx, runs, i, path)) == NULL ||
          (run = read_run_header (&ctx, robj, i, (guint) cpus)) == NULL ||
          !read_columns (&ctx, robj, i, columns) ||
          (spans = get_array (&ctx, robj, path, "spans")) == NULL)
        return NULL;

      if (next_range < ranges->len && g_array_index (ranges, SpanRange, next_range).run == i)
        {
          if (!read_span_rows (&src, &g_array_index (ranges, SpanRange, next_range), run, columns,
                               error))
            return NULL;
          next_range++;
        }
      else if (json_array_get_length (spans) > 0)
        {
          /* Only a "spans" key spelled with escapes gets here; the rows were not cut out. */
          fail (&ctx, path, _("“spans” must be written as a plain key"));
          return NULL;
        }
      il_trace_add_run (trace, run);
    }

  return g_steal_pointer (&trace);
}

IlTrace *
il_trace_load (const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  mapped = g_mapped_file_new (path, FALSE, &local_error);
  if (mapped == NULL)
    {
      g_set_error (error, IL_ERROR,
                   g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                     ? IL_ERROR_INVALID : IL_ERROR_FAILED,
                   _("Cannot read the trace: %s"), local_error->message);
      return NULL;
    }
  return il_trace_load_from_data (g_mapped_file_get_contents (mapped),
                                  g_mapped_file_get_length (mapped), path, error);
}
