/* il-trace-read.c: trace v1 JSON reader: the document through the JSON lexer, then run by run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-json-private.h"
#include "il-trace-native-private.h"

void
il_trace_source_drop_behind (IlTraceSource *src, gsize offset)
{
  gsize page, from, upto;

  /* The mapping of a 400 MB trace would otherwise count twice in the peak memory of loading it,
   * once as the file and once as the spans. Pages read again later are simply mapped again. */
  if (!src->mapped)
    return;
  /* A later pass (the rows after the document) starts again nearer the front. */
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

/* ------------------------------------------------------------------------------------------------
 * The document into a json-glib tree (the member-by-member checks of il-trace-read-run.c read
 * it), but for runs[i].spans and runs[i].tasks: those are only found, their brackets matched,
 * and read by il-trace-read-rows.c once their run's header is known. Every object's keys must be
 * distinct: json-glib's tree keeps the last of two, and a run with a second, empty "spans" would
 * load empty without a word. */

enum
{
  LEVEL_OTHER,
  LEVEL_ROOT,
  LEVEL_RUNS,
  LEVEL_RUN,
};

typedef struct
{
  IlTraceSource *src;
  IlJsonLexer    lx;
  GArray        *spans;   /* IlRowRange of runs[i].spans, in file order */
  GArray        *tasks;   /* IlRowRange of runs[i].tasks */
  guint          run;     /* index in "runs" of the run being read */
} Doc;

static void
doc_clear (Doc *doc)
{
  il_json_lexer_clear (&doc->lx);
  g_clear_pointer (&doc->spans, g_array_unref);
  g_clear_pointer (&doc->tasks, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Doc, doc_clear)

/* The array at lx.p, matched by its brackets only; its range goes to @into. */
static gboolean
doc_cut (Doc *doc, int depth, GArray *into)
{
  IlJsonLexer *lx = &doc->lx;
  const char *data = doc->src->data;
  IlRowRange range = { doc->run, 0, 0, 0 };
  IlJsonBrackets b = { 0, 0 };
  IlJsonSkip r;

  lx->p++;
  range.start = (gsize) (lx->p - data);
  /* 8 MB at a time, the pages read given back in between. */
  do
    {
      const char *until = (gsize) (lx->end - lx->p) > (8u << 20) ? lx->p + (8u << 20) : lx->end;

      r = il_json_skip_brackets (lx, &b, IL_JSON_MAX_DEPTH - depth - 1, until);
      il_trace_source_drop_behind (doc->src, (gsize) (lx->p - data));
    }
  while (r == IL_JSON_SKIP_PAUSED);
  if (r == IL_JSON_SKIP_FAILED)
    return FALSE;
  if (*lx->p != ']')
    return il_json_fail (lx, _("expected “%c”"), ']');
  range.end = (gsize) (lx->p - data);
  range.n_objects = b.n_objects;
  lx->p++;
  g_array_append_val (into, range);
  return TRUE;
}

static JsonNode *doc_value (Doc *doc, int depth, int level);

static JsonNode *
doc_object (Doc *doc, int depth, int level)
{
  IlJsonLexer *lx = &doc->lx;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) obj = json_object_new ();
  gboolean more;

  if (!il_json_open (lx, '{', &more))
    return NULL;
  while (more)
    {
      g_autofree char *key = NULL;
      JsonNode *child;
      int inner = LEVEL_OTHER;

      if (!il_json_key (lx))
        return NULL;
      key = g_strndup (lx->key, lx->key_len);
      if (json_object_has_member (obj, key))
        {
          /* As written: "sp\u0061ns" is named so. */
          gsize raw = (gsize) (lx->key_end - lx->key_at) - 2;
          g_autofree char *shown = g_utf8_make_valid (lx->key_at + 1, (gssize) MIN (raw, 40));

          il_json_fail_at (lx, lx->key_at, _("the key “%s” appears twice in one object"), shown);
          return NULL;
        }
      if (level == LEVEL_RUN && (strcmp (key, "spans") == 0 || strcmp (key, "tasks") == 0) &&
          il_json_peek (lx, '['))
        {
          if (!doc_cut (doc, depth + 1, key[0] == 's' ? doc->spans : doc->tasks))
            return NULL;
          g_autoptr(JsonArray) empty = json_array_new ();

          child = json_node_init_array (json_node_alloc (), empty);
        }
      else
        {
          if (level == LEVEL_ROOT && strcmp (key, "runs") == 0)
            inner = LEVEL_RUNS;
          if ((child = doc_value (doc, depth + 1, inner)) == NULL)
            return NULL;
        }
      json_object_set_member (obj, key, child);
      if (!il_json_next (lx, '}', &more))
        return NULL;
    }
  json_node_set_object (node, obj);
  return g_steal_pointer (&node);
}

static JsonNode *
doc_array (Doc *doc, int depth, int level)
{
  IlJsonLexer *lx = &doc->lx;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_ARRAY);
  g_autoptr(JsonArray) array = json_array_new ();
  gboolean more;

  if (!il_json_open (lx, '[', &more))
    return NULL;
  for (guint i = 0; more; i++)
    {
      JsonNode *child;

      if (level == LEVEL_RUNS)
        doc->run = i;
      if ((child = doc_value (doc, depth + 1, level == LEVEL_RUNS ? LEVEL_RUN : LEVEL_OTHER)) == NULL)
        return NULL;
      json_array_add_element (array, child);
      if (!il_json_next (lx, ']', &more))
        return NULL;
    }
  json_node_set_array (node, array);
  return g_steal_pointer (&node);
}

/* The value at lx.p; @depth arrays and objects are around it. */
static JsonNode *
doc_value (Doc *doc, int depth, int level)
{
  IlJsonLexer *lx = &doc->lx;
  IlJsonValue v;

  il_json_skip_ws (lx);
  if (lx->p < lx->end && (*lx->p == '{' || *lx->p == '['))
    {
      /* json-glib's tree and this reader recurse once per level. */
      if (depth >= IL_JSON_MAX_DEPTH)
        {
          il_json_fail (lx, _("values are nested more than %d levels deep"), IL_JSON_MAX_DEPTH);
          return NULL;
        }
      if (*lx->p == '{')
        return doc_object (doc, depth, level);
      return doc_array (doc, depth, level);
    }
  if (!il_json_value (lx, &v, depth))
    return NULL;
  switch (v.kind)
    {
    case IL_JSON_INT:
      return json_node_init_int (json_node_alloc (), v.i);
    case IL_JSON_DOUBLE:
      return json_node_init_double (json_node_alloc (), il_json_value_double (&v));
    case IL_JSON_STRING:
      return json_node_init_string (json_node_alloc (), lx->str->str);
    case IL_JSON_TRUE:
    case IL_JSON_FALSE:
      return json_node_init_boolean (json_node_alloc (), v.kind == IL_JSON_TRUE);
    case IL_JSON_NULL:
    default:
      return json_node_init_null (json_node_alloc ());
    }
}

/* ------------------------------------------------------------------------------------------------
 * The trace: header, machine, then each run's header, tasks and span rows. */

IlTrace *
il_trace_read_native (IlTraceSource *src, GError **error)
{
  IlReadCtx ctx = { src, error };
  g_auto(Doc) doc = { src, { NULL, }, NULL, NULL, 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(IlTrace) trace = NULL;
  JsonObject *obj, *machine;
  JsonArray *runs;
  JsonNode *node;
  const char *str = NULL;
  gint64 version, cpus;
  guint next_range = 0, next_tasks = 0;

  il_json_lexer_init (&doc.lx, src->name, src->data, src->length, error);
  doc.spans = g_array_new (FALSE, FALSE, sizeof (IlRowRange));
  doc.tasks = g_array_new (FALSE, FALSE, sizeof (IlRowRange));
  if (!il_json_peek (&doc.lx, '{'))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: not an Interleave trace (the file is not a JSON object)"), src->name);
      return NULL;
    }
  if ((root = doc_value (&doc, 0, LEVEL_ROOT)) == NULL)
    return NULL;
  il_json_skip_ws (&doc.lx);
  if (doc.lx.p < doc.lx.end)
    {
      il_json_fail (&doc.lx, _("text after the end of the trace"));
      return NULL;
    }
  obj = json_node_get_object (root);

  node = json_object_get_member (obj, "format");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    str = json_node_get_string (node);
  if (g_strcmp0 (str, IL_TRACE_FORMAT_NAME) != 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: not an Interleave trace (“format” must be “%s”)"), src->name,
                   IL_TRACE_FORMAT_NAME);
      return NULL;
    }
  if (!il_read_get_int (&ctx, obj, "version", "version", G_MININT64, G_MAXINT64, &version))
    return NULL;
  if (version != IL_TRACE_FORMAT_VERSION)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: trace format version %" PRId64 " is not supported (this Interleave reads version %d)"),
                   src->name, version, IL_TRACE_FORMAT_VERSION);
      return NULL;
    }

  if ((machine = il_read_get_object (&ctx, obj, "machine", "machine")) == NULL ||
      !il_read_get_int (&ctx, machine, "machine", "cpus", 1, G_MAXINT32, &cpus))
    return NULL;
  /* Linux builds for at most 4096 CPUs by default (NR_CPUS); a larger count is a broken or
   * hostile file, and every view sizes something by it. */
  if (cpus > IL_TRACE_MAX_CPUS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: “machine.cpus” is %" PRId64 ", more CPUs than a machine has (at most %d)"),
                   src->name, cpus, IL_TRACE_MAX_CPUS);
      return NULL;
    }

  trace = il_trace_new ();
  {
    const char *kernel, *hostname;

    if ((kernel = il_read_get_string (&ctx, machine, "machine", "kernel")) == NULL ||
        (hostname = il_read_get_string (&ctx, machine, "machine", "hostname")) == NULL)
      return NULL;
    il_trace_set_machine (trace, (guint) cpus, kernel, hostname);
  }

  if ((runs = il_read_get_array (&ctx, obj, "runs", "runs")) == NULL)
    return NULL;
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      g_autofree char *path = g_strdup_printf ("runs[%u]", i);
      g_autoptr(IlRunTrace) run = NULL;
      JsonObject *robj;
      int columns[N_COLS];

      if ((robj = il_read_array_object (&ctx, runs, i, path)) == NULL ||
          (run = il_read_run_header (&ctx, robj, i, (guint) cpus)) == NULL ||
          !il_read_columns (&ctx, robj, i, columns) ||
          il_read_get_array (&ctx, robj, path, "tasks") == NULL ||
          il_read_get_array (&ctx, robj, path, "spans") == NULL)
        return NULL;

      /* Tasks first: span rows name them. */
      if (next_tasks < doc.tasks->len && g_array_index (doc.tasks, IlRowRange, next_tasks).run == i)
        {
          if (!il_read_tasks (src, &g_array_index (doc.tasks, IlRowRange, next_tasks), run, error))
            return NULL;
          next_tasks++;
        }
      if (next_range < doc.spans->len && g_array_index (doc.spans, IlRowRange, next_range).run == i)
        {
          if (!il_read_span_rows (src, &g_array_index (doc.spans, IlRowRange, next_range), run,
                                  columns, error))
            return NULL;
          next_range++;
        }
      il_trace_add_run (trace, run);
    }

  return g_steal_pointer (&trace);
}
