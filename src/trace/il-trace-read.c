/* il-trace-read.c: trace v1 JSON reader: json-glib for the skeleton, span rows parsed by hand. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <inttypes.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "il-batch.h"
#include "il-cpu-load.h"
#include "il-trace-io-private.h"

/* ------------------------------------------------------------------------------------------------
 * Trace v1 reader, step 1: one pass over the document that checks its nesting and its keys and
 * finds the arrays read by hand (runs[i].spans and runs[i].tasks) without parsing the rest. */

typedef struct
{
  guint run;         /* index in "runs" */
  gsize start;       /* offset just after '[' */
  gsize end;         /* offset of the matching ']' */
  guint newlines;    /* line breaks inside, kept in the skeleton */
  guint n_objects;   /* top-level '{' inside: the number of tasks */
} SpanRange;

typedef struct
{
  const char *name;
  const char *data;
  gsize       length;
  gboolean    mapped;   /* data is a read-only file mapping whose pages may be dropped */
  gsize       dropped;  /* pages before this offset were given back */
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

/* Gives the pages of a mapped file before @offset back to the page cache once they were read:
 * the mapping of a 400 MB trace would otherwise count twice in the peak memory of loading it,
 * once as the file and once as the spans. Pages read again later are simply mapped again. */
static void
drop_behind (Source *src, gsize offset)
{
  gsize page, from, upto;

  if (!src->mapped)
    return;
  /* A later pass (the rows after the scan) starts again nearer the front. */
  if (offset < src->dropped)
    src->dropped = 0;
  if (offset < src->dropped + (8u << 20))
    return;
  page = (gsize) sysconf (_SC_PAGESIZE);
  /* Whole pages only; the mapping starts on a page boundary. */
  from = src->dropped / page * page;
  upto = offset / page * page;
  if (upto > from)
    madvise ((char *) src->data + from, upto - from, MADV_DONTNEED);
  src->dropped = offset;
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

/* Offset of the ']' closing the array whose content starts at @pos, counting line breaks and
 * top-level objects; @len when it is not closed (json-glib then reports the error on the
 * skeleton). Sets @too_deep to where nesting inside first goes past @allowed levels (0: never). */
static gsize
skip_array (Source *src, gsize pos, SpanRange *range, int allowed, gsize *too_deep)
{
  const char *d = src->data;
  gsize len = src->length;
  int depth = 0;

  *too_deep = 0;
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
          if (depth == 0 && c == '{')
            range->n_objects++;
          depth++;
          if (depth > allowed && *too_deep == 0)
            *too_deep = pos;
          break;
        case ']':
        case '}':
          if (depth == 0)
            return c == ']' ? pos : len;
          depth--;
          break;
        case '\n':
          range->newlines++;
          drop_behind (src, pos);
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

static gboolean G_GNUC_PRINTF (4, 5)
scan_fail (const Source *src, gsize offset, GError **error, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s:%u: %s", src->name, line_of (src, offset),
               msg);
  return FALSE;
}

/* A key as json-glib will see it: escapes decoded (invalid ones are json-glib's to report). */
static char *
decode_key (const char *d, gsize start, gsize end)
{
  GString *s;

  if (memchr (d + start, '\\', end - start) == NULL)
    return g_strndup (d + start, end - start);
  s = g_string_sized_new (end - start);
  for (gsize i = start; i < end; i++)
    {
      if (d[i] != '\\' || i + 1 >= end)
        {
          g_string_append_c (s, d[i]);
          continue;
        }
      i++;
      switch (d[i])
        {
        case 'b': g_string_append_c (s, '\b'); break;
        case 'f': g_string_append_c (s, '\f'); break;
        case 'n': g_string_append_c (s, '\n'); break;
        case 'r': g_string_append_c (s, '\r'); break;
        case 't': g_string_append_c (s, '\t'); break;
        case 'u':
          if (i + 4 < end)
            {
              char hex[5] = { d[i + 1], d[i + 2], d[i + 3], d[i + 4], 0 };
              gunichar u = (gunichar) g_ascii_strtoull (hex, NULL, 16);

              /* Surrogate halves stay apart; equal keys still compare equal. */
              g_string_append_unichar (s, u);
              i += 4;
            }
          break;
        default:
          g_string_append_c (s, d[i]);
          break;
        }
    }
  return g_string_free (s, FALSE);
}

typedef struct
{
  GArray *spans;   /* SpanRange of runs[i].spans */
  GArray *tasks;   /* SpanRange of runs[i].tasks */
} Cuts;

static void
cuts_clear (Cuts *cuts)
{
  g_clear_pointer (&cuts->spans, g_array_unref);
  g_clear_pointer (&cuts->tasks, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Cuts, cuts_clear)

/* Walks the document's structure: refuses nesting deeper than IL_TRACE_MAX_DEPTH (json-glib
 * recurses once per level and a file of 80 000 '[' overflows the stack) and a key given twice in
 * one object (json-glib silently keeps the last: a run with two "spans" loaded empty), and
 * records where the arrays read by hand are. Anything else malformed ends the walk quietly:
 * json-glib parses the skeleton next and reports the error with its line. */
static gboolean
scan_document (Source *src, Cuts *cuts, GError **error)
{
  const char *d = src->data;
  gsize len = src->length;
  guchar level[IL_TRACE_MAX_DEPTH];
  gboolean is_object[IL_TRACE_MAX_DEPTH];
  GHashTable *keys[IL_TRACE_MAX_DEPTH] = { NULL, };
  int depth = 0;
  guint run_index = 0;
  gboolean expect_key = FALSE;
  gboolean ok = TRUE;
  /* The key whose value comes next, in an object of interest: 'r' runs, 's' spans, 't' tasks. */
  char pending = 0;

  cuts->spans = g_array_new (FALSE, FALSE, sizeof (SpanRange));
  cuts->tasks = g_array_new (FALSE, FALSE, sizeof (SpanRange));

  for (gsize pos = 0; pos < len && ok;)
    {
      char c = d[pos];

      switch (c)
        {
        case '"':
          {
            gsize end = skip_string (d, len, pos);

            if (depth > 0 && expect_key && end < len)
              {
                g_autofree char *key = decode_key (d, pos + 1, end - 1);

                pending = 0;
                if (level[depth - 1] == LEVEL_ROOT && strcmp (key, "runs") == 0)
                  pending = 'r';
                else if (level[depth - 1] == LEVEL_RUN && strcmp (key, "spans") == 0)
                  pending = 's';
                else if (level[depth - 1] == LEVEL_RUN && strcmp (key, "tasks") == 0)
                  pending = 't';
                if (keys[depth - 1] == NULL)
                  keys[depth - 1] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
                if (!g_hash_table_add (keys[depth - 1], g_steal_pointer (&key)))
                  {
                    g_autofree char *shown = g_utf8_make_valid (d + pos + 1,
                                                                (gssize) MIN (end - pos - 2, 40));
                    ok = scan_fail (src, pos, error, _("the key “%s” appears twice in one object"),
                                    shown);
                    break;
                  }
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
            else if (depth > 0 && level[depth - 1] == LEVEL_RUN && (pending == 's' || pending == 't') &&
                     c == '[')
              {
                SpanRange range = { run_index - 1, pos + 1, 0, 0, 0 };
                gsize too_deep;

                range.end = skip_array (src, pos + 1, &range, IL_TRACE_MAX_DEPTH - depth - 1,
                                        &too_deep);
                if (too_deep != 0)
                  {
                    ok = scan_fail (src, too_deep, error,
                                    _("values are nested more than %d levels deep"),
                                    IL_TRACE_MAX_DEPTH);
                    break;
                  }
                if (range.end >= len)
                  goto out;
                g_array_append_val (pending == 's' ? cuts->spans : cuts->tasks, range);
                pending = 0;
                pos = range.end + 1;
                continue;
              }
            if (depth == IL_TRACE_MAX_DEPTH)
              {
                ok = scan_fail (src, pos, error, _("values are nested more than %d levels deep"),
                                IL_TRACE_MAX_DEPTH);
                break;
              }
            if (kind == LEVEL_RUN)
              run_index++;
            if (c == '{' && keys[depth] != NULL)
              g_hash_table_remove_all (keys[depth]);
            is_object[depth] = (c == '{');
            level[depth++] = kind;
            expect_key = (c == '{');
            pending = 0;
            break;
          }
        case '}':
        case ']':
          if (depth == 0)
            goto out;
          depth--;
          pending = 0;
          expect_key = FALSE;
          break;
        case ',':
          expect_key = depth > 0 && is_object[depth - 1];
          pending = 0;
          break;
        case ':':
          expect_key = FALSE;
          break;
        case '\n':
          drop_behind (src, pos);
          break;
        default:
          break;
        }
      if (ok)
        pos++;
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    g_clear_pointer (&keys[i], g_hash_table_unref);
  return ok;
}

/* The document with the hand-read arrays cut out; line breaks stay so json-glib's lines are the
 * file's. */
static char *
build_skeleton (const Source *src, const Cuts *cuts, gsize *out_len)
{
  GString *s = g_string_sized_new (4096);
  gsize pos = 0;
  guint i = 0, k = 0;

  /* Both lists are in file order; merge them. */
  while (i < cuts->spans->len || k < cuts->tasks->len)
    {
      const SpanRange *range;

      if (k >= cuts->tasks->len ||
          (i < cuts->spans->len &&
           g_array_index (cuts->spans, SpanRange, i).start < g_array_index (cuts->tasks, SpanRange, k).start))
        range = &g_array_index (cuts->spans, SpanRange, i++);
      else
        range = &g_array_index (cuts->tasks, SpanRange, k++);

      g_string_append_len (s, src->data + pos, (gssize) (range->start - pos));
      for (guint n = 0; n < range->newlines; n++)
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

/* Traced programs (DESIGN.md, "Trace file additions"): config.command and config.cwd. */
static gboolean
read_config_program (Ctx *ctx, JsonObject *obj, const char *path, IlRunConfig *config)
{
  JsonArray *a;
  const char *str;

  if (json_object_has_member (obj, "command"))
    {
      g_autoptr(GStrvBuilder) argv = g_strv_builder_new ();

      if ((a = get_array (ctx, obj, path, "command")) == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          JsonNode *node = json_array_get_element (a, i);

          if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
            return fail (ctx, path, _("“command” must list the program's arguments as strings"));
          g_strv_builder_add (argv, json_node_get_string (node));
        }
      if (json_array_get_length (a) == 0)
        return fail (ctx, path, _("“command” is empty"));
      config->command = g_strv_builder_end (argv);
    }
  if (json_object_has_member (obj, "cwd"))
    {
      if ((str = get_string (ctx, obj, path, "cwd")) == NULL)
        return FALSE;
      config->cwd = g_strdup (str);
    }
  return TRUE;
}

/* Traced programs: worker "helper", run "processes" and "sample_interval_ns". */
static gboolean
read_worker_program (Ctx *ctx, JsonObject *obj, const char *path, IlRunTrace *run, guint worker)
{
  gboolean helper;

  if (!get_bool (ctx, obj, path, "helper", FALSE, &helper))
    return FALSE;
  if (helper)
    il_run_trace_set_worker_helper (run, worker, TRUE);
  return TRUE;
}

/* run.waits: {"columns": ["worker", "start_ns", "kind"], "rows": [[0, 1200, "sleep"], …]} */
static gboolean
read_run_waits (Ctx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  g_autofree char *sub = g_strdup_printf ("%s.waits", path);
  JsonObject *o = get_object (ctx, obj, path, "waits");
  JsonArray *columns, *rows;
  static const char *const names[] = { "worker", "start_ns", "kind" };

  if (o == NULL || (columns = get_array (ctx, o, sub, "columns")) == NULL ||
      (rows = get_array (ctx, o, sub, "rows")) == NULL)
    return FALSE;
  if (json_array_get_length (columns) != G_N_ELEMENTS (names))
    return fail (ctx, sub, _("“columns” must name worker, start_ns, kind"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (!JSON_NODE_HOLDS_VALUE (json_array_get_element (columns, i)) ||
        json_node_get_value_type (json_array_get_element (columns, i)) != G_TYPE_STRING ||
        g_strcmp0 (json_array_get_string_element (columns, i), names[i]) != 0)
      return fail (ctx, sub, _("“columns” must name worker, start_ns, kind"));
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonNode *node = json_array_get_element (rows, i);
      JsonArray *row;
      JsonNode *w, *t, *k;
      IlWaitKind kind;

      if (!JSON_NODE_HOLDS_ARRAY (node) || json_array_get_length (row = json_node_get_array (node)) != 3)
        return fail (ctx, sub, _("row %u must be [worker, start_ns, kind]"), i);
      w = json_array_get_element (row, 0);
      t = json_array_get_element (row, 1);
      k = json_array_get_element (row, 2);
      if (!JSON_NODE_HOLDS_VALUE (w) || json_node_get_value_type (w) != G_TYPE_INT64 ||
          !JSON_NODE_HOLDS_VALUE (t) || json_node_get_value_type (t) != G_TYPE_INT64 ||
          !JSON_NODE_HOLDS_VALUE (k) || json_node_get_value_type (k) != G_TYPE_STRING)
        return fail (ctx, sub, _("row %u must be [worker, start_ns, kind]"), i);
      if (json_node_get_int (w) < 0 || json_node_get_int (w) >= il_run_trace_get_n_workers (run))
        return fail (ctx, sub, _("row %u: worker %" PRId64 " does not exist"), i, json_node_get_int (w));
      if (!il_wait_kind_from_string (json_node_get_string (k), &kind))
        return fail (ctx, sub, _("row %u: unknown kind “%s”"), i, json_node_get_string (k));
      il_run_trace_add_wait (run, (guint) json_node_get_int (w), json_node_get_int (t), kind);
    }
  return TRUE;
}

static gboolean
read_run_program (Ctx *ctx, JsonObject *obj, const char *path, IlRunTrace *run)
{
  gint64 v;

  if (json_object_has_member (obj, "waits") && !read_run_waits (ctx, obj, path, run))
    return FALSE;

  if (json_object_has_member (obj, "sample_interval_ns"))
    {
      if (!get_int (ctx, obj, path, "sample_interval_ns", 1, G_MAXINT64, &v))
        return FALSE;
      il_run_trace_set_sample_interval_ns (run, v);
    }
  if (json_object_has_member (obj, "processes"))
    {
      JsonArray *a = get_array (ctx, obj, path, "processes");

      if (a == NULL)
        return FALSE;
      for (guint i = 0; i < json_array_get_length (a); i++)
        {
          g_autofree char *sub = g_strdup_printf ("%s.processes[%u]", path, i);
          JsonObject *o;
          const char *command, *name;
          gint64 pid, ppid;

          if ((o = array_object (ctx, a, i, sub)) == NULL ||
              !get_int (ctx, o, sub, "pid", 0, G_MAXINT32, &pid) ||
              !get_int (ctx, o, sub, "ppid", 0, G_MAXINT32, &ppid) ||
              (command = get_string (ctx, o, sub, "command")) == NULL ||
              (name = get_string (ctx, o, sub, "name")) == NULL)
            return FALSE;
          il_run_trace_add_process (run, (int) pid, (int) ppid, command, name);
        }
    }
  return TRUE;
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

  /* Optional (DESIGN.md, "Trace file additions"): where an external run came from. */
  if (json_object_has_member (obj, "source"))
    {
      if ((str = get_string (ctx, obj, path, "source")) == NULL)
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

/* A loaded configuration is held to the limits of a typed one (il_run_config_validate(), but for
 * CPU numbers, which are the recording machine's): the window runs a loaded run again as it is.
 * A traced program (external) only describes a recording and keeps what was recorded. */
static gboolean
check_config (Ctx *ctx, const IlRunConfig *config, const char *path)
{
  if (config->executor == IL_EXECUTOR_EXTERNAL)
    return TRUE;
  if (config->workers < 1 || config->workers > IL_MAX_WORKERS)
    return fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), "workers",
                 (gint64) config->workers, (gint64) 1, (gint64) IL_MAX_WORKERS);
  if (config->tasks > IL_MAX_TASKS)
    return fail (ctx, path, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), "tasks",
                 (gint64) config->tasks, (gint64) 0, (gint64) IL_MAX_TASKS);
  if (!(config->task_ms >= 0.0 && config->task_ms <= IL_MAX_TASK_MS))
    return fail (ctx, path, _("“%s” is %g, outside %g…%g"), "task_ms", config->task_ms, 0.0,
                 IL_MAX_TASK_MS);
  if (config->gil && config->executor != IL_EXECUTOR_THREADS)
    return fail (ctx, path, _("The GIL applies to threads only; the %s executor has no GIL"),
                 il_executor_to_string (config->executor));
  if (config->gil && !(config->switch_interval_ms >= 0.1 && config->switch_interval_ms <= 1000.0))
    return fail (ctx, path, _("“%s” is %g, outside %g…%g"), "switch_interval_ms",
                 config->switch_interval_ms, 0.1, 1000.0);
  return TRUE;
}

/* The summary's "other programs" figures (optional: added after version 1). */
static gboolean
read_summary_cpu_load (Ctx *ctx, JsonObject *o, const char *path, IlSummary *summary)
{
  summary->other_share = NAN;
  if (json_object_has_member (o, "other_ns") &&
      !get_int (ctx, o, path, "other_ns", 0, G_MAXINT64, &summary->other_ns))
    return FALSE;
  if (json_object_has_member (o, "steal_ns") &&
      !get_int (ctx, o, path, "steal_ns", 0, G_MAXINT64, &summary->steal_ns))
    return FALSE;
  if (json_object_has_member (o, "other_share") &&
      !get_double (ctx, o, path, "other_share", TRUE, &summary->other_share))
    return FALSE;
  if (isfinite (summary->other_share) && (summary->other_share < 0 || summary->other_share > 1.0001))
    return fail (ctx, path, _("“other_share” must be between 0 and 1"));
  return TRUE;
}

/* run.cpu_load (optional): the rows of what other programs took of each CPU. */
static gboolean
read_cpu_load (Ctx *ctx, JsonObject *obj, const char *run_path, IlRunTrace *run)
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
  if ((o = get_object (ctx, obj, run_path, "cpu_load")) == NULL ||
      !get_int (ctx, o, path, "interval_ns", 1, G_MAXINT64, &interval) ||
      (columns = get_array (ctx, o, path, "columns")) == NULL ||
      (rows = get_array (ctx, o, path, "rows")) == NULL)
    return FALSE;
  if (json_array_get_length (columns) != G_N_ELEMENTS (names))
    return fail (ctx, path, _("“columns” must name the 5 columns cpu, start_ns, end_ns, other_ns, steal_ns"));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      col[i] = -1;
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        if (JSON_NODE_HOLDS_VALUE (json_array_get_element (columns, k)) &&
            g_strcmp0 (json_array_get_string_element (columns, k), names[i]) == 0)
          col[i] = (int) k;
      if (col[i] < 0)
        return fail (ctx, path, _("“columns” must name the 5 columns cpu, start_ns, end_ns, other_ns, steal_ns"));
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
        return fail (ctx, path, _("row %u must be an array of 5 integers"), i);
      for (guint k = 0; k < G_N_ELEMENTS (names); k++)
        {
          JsonNode *e = json_array_get_element (r, (guint) col[k]);
          if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_INT64)
            return fail (ctx, path, _("row %u must be an array of 5 integers"), i);
          v[k] = json_node_get_int (e);
        }
      row = (IlCpuLoadRow) { v[1], v[2], v[3], v[4] };
      if (v[0] < 0 || v[0] > 65535)
        return fail (ctx, path, _("row %u: CPU %" PRId64 " does not exist"), i, v[0]);
      if (!il_cpu_load_append (load, (int) v[0], &row))
        return fail (ctx, path, _("row %u: the interval is empty, negative or overlaps the one before"), i);
    }
  il_run_trace_set_cpu_load (run, g_steal_pointer (&load));
  return TRUE;
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
  if ((config = read_config (ctx, o, sub)) == NULL || !check_config (ctx, config, sub))
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
  /* Added after version 1: recording stopped keeping spans at this count. */
  if (json_object_has_member (obj, "truncated_at_spans"))
    {
      if (!get_int (ctx, obj, path, "truncated_at_spans", 1, G_MAXINT64, &v))
        return NULL;
      il_run_trace_set_truncated_at_spans (run, (guint64) v);
    }

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
  if (!read_summary_cpu_load (ctx, o, sub, &summary))
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
      /* Process pool survival: the pids of the processes this lane had before (optional). */
      if (json_object_has_member (o, "previous_pids"))
        {
          JsonArray *pids = get_array (ctx, o, sub, "previous_pids");

          if (pids == NULL)
            return NULL;
          for (guint k = 0; k < json_array_get_length (pids); k++)
            {
              JsonNode *node = json_array_get_element (pids, k);
              gint64 previous;

              if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64 ||
                  (previous = json_node_get_int (node)) < 1 || previous > G_MAXINT32)
                {
                  fail (ctx, sub, _("“previous_pids” must hold process ids"));
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
  il_run_trace_set_summary (run, &summary);
  {
    g_autofree char *message = NULL;

    if (!il_repeat_read_json (run, obj, &message))
      {
        fail (ctx, path, "%s", message);
        return NULL;
      }
  }
  /* A series without the summary's figures (written by hand): derive them. */
  if (il_run_trace_get_cpu_load (run) != NULL && !isfinite (summary.other_share))
    il_run_trace_summarise_cpu_load (run);
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
      /* Only a string names a column: an array or object there is refused, not read. */
      JsonNode *node = json_array_get_element (a, i);
      const char *name = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_string (node) : NULL;
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
  Source       *src;
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
read_span_rows (Source *src, const SpanRange *range, IlRunTrace *run,
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
          drop_behind (src, (gsize) (row_end - src->data));
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

/* ------------------------------------------------------------------------------------------------
 * Step 4: tasks, parsed by hand straight into the run's task records: a JsonNode per value would
 * cost a 1 M-task file more than a gigabyte. The grammar is JSON's; members other than the ones
 * below are checked and skipped, as json-glib's reader ignores them. */

typedef enum
{
  VALUE_INT,
  VALUE_DOUBLE,
  VALUE_STRING,
  VALUE_BOOL,
  VALUE_NULL,
  VALUE_OTHER,   /* an array or an object */
} ValueKind;

typedef struct
{
  ValueKind  kind;
  gint64     i;
  GString   *str;   /* VALUE_STRING, decoded UTF-8 */
} Value;

typedef struct
{
  RowParser rp;
  guint     task;   /* index in "tasks", for messages */
} TaskParser;

static gboolean G_GNUC_PRINTF (2, 3)
task_fail (TaskParser *tp, const char *format, ...)
{
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (tp->rp.error, IL_ERROR, IL_ERROR_INVALID, "%s:%u: runs[%u].tasks[%u]: %s",
               tp->rp.src->name, line_of (tp->rp.src, (gsize) (tp->rp.p - tp->rp.src->data)),
               tp->rp.run, tp->task, msg);
  return FALSE;
}

static gboolean
task_expect (TaskParser *tp, char c)
{
  row_skip_ws (&tp->rp);
  if (tp->rp.p >= tp->rp.end || *tp->rp.p != c)
    return task_fail (tp, _("expected “%c”"), c);
  tp->rp.p++;
  return TRUE;
}

static int
hex_digit (char c)
{
  return g_ascii_xdigit_value (c);
}

/* A JSON string at p (a '"'), decoded into @out (NULL: checked only). */
static gboolean
task_string (TaskParser *tp, GString *out)
{
  RowParser *rp = &tp->rp;
  const char *start;

  row_skip_ws (rp);
  if (rp->p >= rp->end || *rp->p != '"')
    return task_fail (tp, _("expected a string"));
  rp->p++;
  if (out != NULL)
    g_string_truncate (out, 0);
  start = rp->p;
  /* Keys and statuses are short plain ASCII: no escape, nothing to validate. */
  {
    const char *q = rp->p;

    while (q < rp->end && *q != '"' && *q != '\\' && (guchar) *q >= 0x20 && (guchar) *q < 0x80)
      q++;
    if (q < rp->end && *q == '"')
      {
        if (out != NULL)
          g_string_append_len (out, start, q - start);
        rp->p = q + 1;
        return TRUE;
      }
  }
  while (rp->p < rp->end && *rp->p != '"')
    {
      guchar c = (guchar) *rp->p;

      if (c < 0x20)
        return task_fail (tp, _("a control character inside a string"));
      if (c != '\\')
        {
          rp->p++;
          continue;
        }
      if (out != NULL)
        g_string_append_len (out, start, rp->p - start);
      rp->p++;
      if (rp->p >= rp->end)
        break;
      switch (*rp->p)
        {
        case '"': case '\\': case '/':
          if (out != NULL)
            g_string_append_c (out, *rp->p);
          break;
        case 'b': if (out != NULL) g_string_append_c (out, '\b'); break;
        case 'f': if (out != NULL) g_string_append_c (out, '\f'); break;
        case 'n': if (out != NULL) g_string_append_c (out, '\n'); break;
        case 'r': if (out != NULL) g_string_append_c (out, '\r'); break;
        case 't': if (out != NULL) g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u = 0;

            for (int k = 1; k <= 4; k++)
              {
                int h = rp->p + k < rp->end ? hex_digit (rp->p[k]) : -1;

                if (h < 0)
                  return task_fail (tp, _("a bad \\u escape inside a string"));
                u = u * 16 + (gunichar) h;
              }
            rp->p += 4;
            if (u >= 0xd800 && u < 0xdc00)
              {
                gunichar lo = 0;

                if (rp->end - rp->p < 7 || rp->p[1] != '\\' || rp->p[2] != 'u')
                  return task_fail (tp, _("a bad \\u escape inside a string"));
                for (int k = 3; k <= 6; k++)
                  {
                    int h = hex_digit (rp->p[k]);

                    if (h < 0)
                      return task_fail (tp, _("a bad \\u escape inside a string"));
                    lo = lo * 16 + (gunichar) h;
                  }
                if (lo < 0xdc00 || lo > 0xdfff)
                  return task_fail (tp, _("a bad \\u escape inside a string"));
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                rp->p += 6;
              }
            else if (u >= 0xdc00 && u <= 0xdfff)
              return task_fail (tp, _("a bad \\u escape inside a string"));
            if (u == 0)
              return task_fail (tp, _("a bad \\u escape inside a string"));
            if (out != NULL)
              g_string_append_unichar (out, u);
            break;
          }
        default:
          return task_fail (tp, _("a bad escape inside a string"));
        }
      rp->p++;
      start = rp->p;
    }
  if (rp->p >= rp->end)
    return task_fail (tp, _("unterminated string"));
  if (out != NULL)
    {
      g_string_append_len (out, start, rp->p - start);
      if (!g_utf8_validate_len (out->str, out->len, NULL))
        return task_fail (tp, _("a string that is not UTF-8"));
    }
  else if (!g_utf8_validate_len (start, (gsize) (rp->p - start), NULL))
    return task_fail (tp, _("a string that is not UTF-8"));
  rp->p++;
  return TRUE;
}

/* JSON number grammar; whole numbers that fit are VALUE_INT, the others VALUE_DOUBLE. */
static gboolean
task_number (TaskParser *tp, Value *v)
{
  RowParser *rp = &tp->rp;
  const char *start = rp->p;
  gboolean whole = TRUE;
  char buf[64];
  gsize n;

  guint64 u = 0;
  int digits = 0;
  gboolean neg = FALSE;

  if (rp->p < rp->end && *rp->p == '-')
    {
      neg = TRUE;
      rp->p++;
    }
  if (rp->p >= rp->end || !g_ascii_isdigit (*rp->p))
    return task_fail (tp, _("expected a value"));
  if (*rp->p == '0')
    {
      rp->p++;
      digits = 1;
    }
  else
    while (rp->p < rp->end && g_ascii_isdigit (*rp->p))
      {
        u = u * 10 + (guint64) (*rp->p - '0');
        digits++;
        rp->p++;
      }
  if (rp->p < rp->end && *rp->p == '.')
    {
      whole = FALSE;
      rp->p++;
      if (rp->p >= rp->end || !g_ascii_isdigit (*rp->p))
        return task_fail (tp, _("expected a value"));
      while (rp->p < rp->end && g_ascii_isdigit (*rp->p))
        rp->p++;
    }
  if (rp->p < rp->end && (*rp->p == 'e' || *rp->p == 'E'))
    {
      whole = FALSE;
      rp->p++;
      if (rp->p < rp->end && (*rp->p == '+' || *rp->p == '-'))
        rp->p++;
      if (rp->p >= rp->end || !g_ascii_isdigit (*rp->p))
        return task_fail (tp, _("expected a value"));
      while (rp->p < rp->end && g_ascii_isdigit (*rp->p))
        rp->p++;
    }
  n = (gsize) (rp->p - start);
  v->kind = VALUE_DOUBLE;
  /* The common case by hand: strtoll costs more than the rest of a task. */
  if (whole && digits <= 18)
    {
      v->i = neg ? -(gint64) u : (gint64) u;
      v->kind = VALUE_INT;
    }
  else if (whole && n < sizeof buf)
    {
      char *endp = NULL;

      memcpy (buf, start, n);
      buf[n] = '\0';
      errno = 0;
      v->i = g_ascii_strtoll (buf, &endp, 10);
      if (errno == 0 && *endp == '\0')
        v->kind = VALUE_INT;
    }
  return TRUE;
}

static gboolean
task_literal (TaskParser *tp, const char *word)
{
  gsize n = strlen (word);

  if ((gsize) (tp->rp.end - tp->rp.p) < n || memcmp (tp->rp.p, word, n) != 0)
    return task_fail (tp, _("expected a value"));
  tp->rp.p += n;
  return TRUE;
}

/* Any JSON value; @depth bounds the recursion (the document scan already refused deep files). */
static gboolean
task_value (TaskParser *tp, Value *v, int depth)
{
  RowParser *rp = &tp->rp;

  row_skip_ws (rp);
  if (rp->p >= rp->end)
    return task_fail (tp, _("expected a value"));
  if (depth > IL_TRACE_MAX_DEPTH)
    return task_fail (tp, _("values are nested more than %d levels deep"), IL_TRACE_MAX_DEPTH);
  switch (*rp->p)
    {
    case '"':
      v->kind = VALUE_STRING;
      return task_string (tp, v->str);
    case 't':
      v->kind = VALUE_BOOL;
      return task_literal (tp, "true");
    case 'f':
      v->kind = VALUE_BOOL;
      return task_literal (tp, "false");
    case 'n':
      v->kind = VALUE_NULL;
      return task_literal (tp, "null");
    case '[':
    case '{':
      {
        gboolean object = *rp->p == '{';
        char close = object ? '}' : ']';
        Value inner = { VALUE_NULL, 0, NULL };

        rp->p++;
        row_skip_ws (rp);
        if (rp->p < rp->end && *rp->p == close)
          {
            rp->p++;
            v->kind = VALUE_OTHER;
            return TRUE;
          }
        for (;;)
          {
            if (object && (!task_string (tp, NULL) || !task_expect (tp, ':')))
              return FALSE;
            if (!task_value (tp, &inner, depth + 1))
              return FALSE;
            row_skip_ws (rp);
            if (rp->p < rp->end && *rp->p == ',')
              {
                rp->p++;
                continue;
              }
            if (!task_expect (tp, close))
              return FALSE;
            break;
          }
        v->kind = VALUE_OTHER;
        return TRUE;
      }
    default:
      return task_number (tp, v);
    }
}

enum
{
  TASK_ID,
  TASK_WORKER,
  TASK_START,
  TASK_END,
  TASK_STATUS,
  N_TASK_REQUIRED,
  TASK_ERROR = N_TASK_REQUIRED,   /* optional, added after version 1: why a task failed */
  TASK_NAME,                      /* optional, added after version 1: an imported slice's name */
  N_TASK_KEYS
};

static const char *const task_keys[N_TASK_KEYS] = { "id", "worker", "start_ns", "end_ns", "status",
                                                    "error", "name" };

static gboolean
task_int (TaskParser *tp, const Value *v, const char *key, gint64 min, gint64 max)
{
  if (v->kind != VALUE_INT)
    return task_fail (tp, _("“%s” must be a whole number"), key);
  if (v->i < min || v->i > max)
    return task_fail (tp, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), key, v->i, min,
                      max);
  return TRUE;
}

/* One task object into @task (index tp->task). */
static gboolean
read_task (TaskParser *tp, IlRunTrace *run, IlTaskRecord *task, GString *key, GString *str)
{
  RowParser *rp = &tp->rp;
  gboolean seen[N_TASK_KEYS] = { FALSE, };
  const char *obj_start;
  gint64 n_workers = il_run_trace_get_n_workers (run);

  row_skip_ws (rp);
  obj_start = rp->p;
  if (rp->p >= rp->end || *rp->p != '{')
    return task_fail (tp, _("must be an object"));
  rp->p++;
  row_skip_ws (rp);
  if (rp->p < rp->end && *rp->p == '}')
    rp->p++;
  else
    for (;;)
      {
        Value v = { VALUE_NULL, 0, str };
        int k;

        if (!task_string (tp, key) || !task_expect (tp, ':'))
          return FALSE;
        for (k = 0; k < N_TASK_KEYS; k++)
          if (strcmp (key->str, task_keys[k]) == 0)
            break;
        if (k < N_TASK_KEYS && seen[k])
          return task_fail (tp, _("the key “%s” appears twice in one object"), key->str);
        if (!task_value (tp, &v, 6))
          return FALSE;
        switch (k)
          {
          case TASK_ID:
            if (!task_int (tp, &v, "id", 0, G_MAXINT32))
              return FALSE;
            if (v.i != tp->task)
              return task_fail (tp, _("“id” is %" PRId64 " but tasks must be numbered 0, 1, 2, … in order"),
                                v.i);
            break;
          case TASK_WORKER:
            if (!task_int (tp, &v, "worker", -1, n_workers - 1))
              return FALSE;
            task->worker = (int) v.i;
            break;
          case TASK_START:
            if (!task_int (tp, &v, "start_ns", G_MININT64, G_MAXINT64))
              return FALSE;
            task->start_ns = v.i;
            break;
          case TASK_END:
            if (!task_int (tp, &v, "end_ns", G_MININT64, G_MAXINT64))
              return FALSE;
            task->end_ns = v.i;
            break;
          case TASK_STATUS:
            if (v.kind != VALUE_STRING)
              return task_fail (tp, _("“%s” must be a string"), "status");
            if (!il_task_status_from_string (str->str, &task->status))
              {
                g_autofree char *shown = g_strndup (str->str, 40);
                return task_fail (tp, _("unknown task status “%s”"), shown);
              }
            break;
          case TASK_ERROR:
            if (v.kind != VALUE_STRING)
              return task_fail (tp, _("“%s” must be a string"), "error");
            il_run_trace_set_task_error (run, tp->task, str->str);
            break;
          case TASK_NAME:
            if (v.kind != VALUE_STRING)
              return task_fail (tp, _("“%s” must be a string"), "name");
            il_run_trace_set_task_name (run, tp->task, str->str);
            break;
          default:
            /* A member this version does not know: ignored, like every reader of JSON does. */
            break;
          }
        if (k < N_TASK_KEYS)
          seen[k] = TRUE;
        row_skip_ws (rp);
        if (rp->p < rp->end && *rp->p == ',')
          {
            rp->p++;
            continue;
          }
        if (!task_expect (tp, '}'))
          return FALSE;
        break;
      }

  for (int k = 0; k < N_TASK_REQUIRED; k++)
    if (!seen[k])
      {
        rp->p = obj_start;
        return task_fail (tp, _("“%s” is missing"), task_keys[k]);
      }
  task->id = tp->task;
  return TRUE;
}

static gboolean
read_tasks (Source *src, const SpanRange *range, IlRunTrace *run, GError **error)
{
  TaskParser tp = { { src, error, src->data + range->start, src->data + range->end, range->run }, 0 };
  g_autoptr(GString) key = g_string_sized_new (32);
  g_autoptr(GString) str = g_string_sized_new (32);

  if (range->n_objects > (1u << 23))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s: runs[%u]: %s", src->name, range->run,
                   _("too many tasks"));
      return FALSE;
    }
  il_run_trace_set_n_tasks (run, range->n_objects);

  row_skip_ws (&tp.rp);
  if (tp.rp.p >= tp.rp.end)
    return TRUE;
  for (;; tp.task++)
    {
      /* Every element that is an object was counted; anything else fails in read_task(). */
      if (tp.task >= range->n_objects)
        return task_fail (&tp, _("must be an object"));
      if (!read_task (&tp, run, il_run_trace_get_task (run, tp.task), key, str))
        return FALSE;
      if ((tp.task & 0xffff) == 0)
        drop_behind (src, (gsize) (tp.rp.p - src->data));
      row_skip_ws (&tp.rp);
      if (tp.rp.p >= tp.rp.end)
        break;
      if (*tp.rp.p != ',')
        return task_fail (&tp, _("expected “,” between tasks"));
      tp.rp.p++;
    }
  return TRUE;
}

static IlTrace *
load_source (Source *source, GError **error)
{
  Source src = *source;
  Ctx ctx = { &src, error };
  g_auto(Cuts) cuts = { NULL, NULL };
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
  guint next_range = 0, next_tasks = 0;

  if (src.length == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, _("%s: the file is empty"), src.name);
      return NULL;
    }

  /* A Chrome Trace Event file (il-trace-chrome-read.c) opens wherever a trace does. */
  if (il_trace_data_is_chrome (src.data, src.length))
    return il_trace_load_chrome (src.data, src.length, src.name, error);

  if (!scan_document (&src, &cuts, error))
    return NULL;
  skeleton = build_skeleton (&src, &cuts, &skeleton_len);

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
      JsonArray *spans, *tasks;
      int columns[N_COLS];

      if ((robj = array_object (&ctx, runs, i, path)) == NULL ||
          (run = read_run_header (&ctx, robj, i, (guint) cpus)) == NULL ||
          !read_columns (&ctx, robj, i, columns) ||
          (tasks = get_array (&ctx, robj, path, "tasks")) == NULL ||
          (spans = get_array (&ctx, robj, path, "spans")) == NULL)
        return NULL;

      /* Tasks first: span rows name them. */
      if (next_tasks < cuts.tasks->len && g_array_index (cuts.tasks, SpanRange, next_tasks).run == i)
        {
          if (!read_tasks (&src, &g_array_index (cuts.tasks, SpanRange, next_tasks), run, error))
            return NULL;
          next_tasks++;
        }
      else if (json_array_get_length (tasks) > 0)
        {
          /* The scan cuts out every runs[i].tasks array; a file that fools it is refused. */
          fail (&ctx, path, _("“tasks” must be written as a plain key"));
          return NULL;
        }

      if (next_range < cuts.spans->len && g_array_index (cuts.spans, SpanRange, next_range).run == i)
        {
          if (!read_span_rows (&src, &g_array_index (cuts.spans, SpanRange, next_range), run,
                               columns, error))
            return NULL;
          next_range++;
        }
      else if (json_array_get_length (spans) > 0)
        {
          /* The scan cuts out every runs[i].spans array; a file that fools it is refused. */
          fail (&ctx, path, _("“spans” must be written as a plain key"));
          return NULL;
        }
      il_trace_add_run (trace, run);
    }

  return g_steal_pointer (&trace);
}

IlTrace *
il_trace_load_from_data (const char *data, gsize length, const char *name, GError **error)
{
  Source src = { name != NULL ? name : "trace", data, length, FALSE, 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  return load_source (&src, error);
}

IlTrace *
il_trace_load (const char *path, GError **error)
{
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *display = NULL;
  GStatBuf st = { 0 };
  Source src = { NULL, NULL, 0, TRUE, 0 };
  int fd;

  g_return_val_if_fail (path != NULL, NULL);

  display = g_filename_display_name (path);
  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer, forever. A FIFO, socket or
   * device is refused before any byte is read from it. */
  fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, IL_ERROR, saved_errno == ENOENT ? IL_ERROR_INVALID : IL_ERROR_FAILED,
                   _("Cannot read the trace: %s: %s"), display, g_strerror (saved_errno));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   S_ISDIR (st.st_mode) ? _("Cannot read the trace: %s is a folder")
                                        : _("Cannot read the trace: %s is not a regular file (a FIFO, socket or device)"),
                   display);
      close (fd);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, &local_error);
  close (fd);
  if (mapped == NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Cannot read the trace: %s"),
                   local_error->message);
      return NULL;
    }
  src.name = display;
  src.data = g_mapped_file_get_contents (mapped);
  src.length = g_mapped_file_get_length (mapped);
  /* An empty file is not mapped at all. */
  src.mapped = src.data != NULL;
  return load_source (&src, error);
}
