/* il-trace-chrome-read.c: Chrome Trace Event JSON import (Chrome, Perfetto, VizTracer, ray, PyTorch): the events. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "il-trace-chrome-private.h"

/* The file is read in one pass by the JSON lexer (il-json-private.h) over the mapped bytes;
 * nothing builds a tree of the whole document (a 500 MB trace would need gigabytes as JsonNodes). Each event is
 * decoded into a fixed struct, the few members that matter kept, everything else skipped.
 *
 * Two kinds of file come in:
 * - Interleave's own export: "otherData.interleave" holds the trace v1 header (runs, workers,
 *   tasks, read by the trace v1 reader), every worker event's "interleave" member (its "args" in
 *   older exports) the run, worker, task, CPU and exact nanoseconds, its "cat" the state. The file
 *   comes back as it was written; the core-lane copies ("cat" with "core") are skipped, the core
 *   lanes being derived from the spans again.
 * - Any other file: every (pid, tid) becomes lanes under its process, every slice ("X", or a
 *   "B"/"E" pair) a task named after the slice, drawn "running" on no known CPU. Nesting is
 *   kept: a thread's slices nested d deep are on its row d (a lane of its own). Async slices
 *   ("b"/"e", legacy "S"/"F") are rows of their process, one track per category and id. Instant
 *   events ("i", "I", "n") make their thread a lane; instants, counters, flows and each slice's
 *   "cat" and "args" are kept beside the lanes (il-trace-chrome-marks.c); samples and async steps
 *   are skipped. Such a run has no core lanes and no parallelism strip: the file does not say
 *   which CPU ran what.
 * Events need not be sorted (il-trace-chrome-lanes.c matches "B"/"E" once a thread's are in time
 * order), and a file cut off inside its events loads what is complete, with a warning.
 * "ts" and "dur" are microseconds in every Chrome trace; "displayTimeUnit" ("ms" or "ns") only
 * says how viewers label the axis, so it is checked but changes nothing. */

/* ------------------------------------------------------------------------------------------------
 * Events */

static void
event_clear (Event *e)
{
  GString *name_buf = e->name_buf, *cat_buf = e->cat_buf, *arg_name_buf = e->arg_name_buf;

  g_free (e->pid.str);
  g_free (e->tid.str);
  g_free (e->id.str);
  memset (e, 0, sizeof *e);
  e->name_buf = name_buf;
  e->cat_buf = cat_buf;
  e->arg_name_buf = arg_name_buf;
}

/* Keeps the string just lexed in *@buf by swapping buffers (no copy); returns its text. */
static char *
keep_string (IlJsonLexer *lx, GString **buf)
{
  GString *t = *buf;

  *buf = lx->str;
  lx->str = t;
  return (*buf)->str;
}

static gboolean
lex_int (IlJsonLexer *lx, const char *key, gint64 *out)
{
  IlJsonValue v;

  if (!il_json_number (lx, &v))
    return FALSE;
  /* Exact, and rounded like a time: a pid written 4.0 is pid 4. */
  if (!il_json_decimal_scaled (v.text, v.len, 0, out))
    return il_json_fail_at (lx, v.text, _("“%s” is out of range"), key);
  return TRUE;
}

/* A time in microseconds, kept as whole nanoseconds; @range is set when it does not fit (an
 * Interleave event then still has its exact nanoseconds in "args"). */
static gboolean
lex_time (IlJsonLexer *lx, gint64 *out, gboolean *range)
{
  IlJsonValue v;

  if (!il_json_number (lx, &v))
    return FALSE;
  if (!il_json_decimal_scaled (v.text, v.len, 3, out) || *out > G_MAXINT64 / 4 || *out < G_MININT64 / 4)
    {
      *out = 0;
      *range = TRUE;
    }
  return TRUE;
}

static gboolean
lex_id (IlJsonLexer *lx, const char *key, Id *id)
{
  id->set = TRUE;
  if (il_json_peek (lx, '"'))
    {
      if (!il_json_string (lx))
        return FALSE;
      id->is_string = TRUE;
      g_free (id->str);
      id->str = g_strdup (lx->str->str);
      return TRUE;
    }
  return lex_int (lx, key, &id->num);
}

/* An async event's id: a string ("0x2a") or a number, kept as its text (ids are only compared,
 * and a 64-bit pointer value need not fit in a gint64). */
static gboolean
lex_async_id (IlJsonLexer *lx, Id *id)
{
  IlJsonValue v;

  if (il_json_peek (lx, '"'))
    return lex_id (lx, "id", id);
  if (!il_json_peek (lx, '-') && !(lx->p < lx->end && g_ascii_isdigit (*lx->p)))
    return il_json_skip_value (lx, 3);
  if (!il_json_number (lx, &v))
    return FALSE;
  id->set = id->is_string = TRUE;
  g_free (id->str);
  id->str = g_strndup (v.text, v.len);
  return TRUE;
}

/* "id2": {"local": …} or {"global": …}, kept as its text: ids are only compared, and the scope
 * is part of the text. */
static gboolean
lex_id2 (IlJsonLexer *lx, Id *id)
{
  const char *start = (il_json_skip_ws (lx), lx->p);

  if (!il_json_skip_value (lx, 2))
    return FALSE;
  id->set = id->is_string = TRUE;
  g_free (id->str);
  id->str = g_strndup (start, (gsize) (lx->p - start));
  return TRUE;
}

static gboolean
lex_args (IlJsonLexer *lx, Event *e)
{
  gboolean more;

  if (!il_json_peek (lx, '{'))
    return il_json_skip_value (lx, 2);
  if (!il_json_open (lx, '{', &more))
    return FALSE;
  while (more)
    {
      gboolean ok = TRUE;

      if (!il_json_key (lx))
        return FALSE;
      il_json_skip_ws (lx);
      if (il_json_key_is (lx, "name") && il_json_peek (lx, '"'))
        {
          ok = il_json_string (lx);
          if (ok)
            e->arg_name = keep_string (lx, &e->arg_name_buf);
        }
#define INT_ARG(k, field, flag)                                                                    \
      else if (il_json_key_is (lx, k) && lx->p < lx->end && (*lx->p == '-' || g_ascii_isdigit (*lx->p)))  \
        {                                                                                          \
          ok = lex_int (lx, "args." k, &e->field);                                                 \
          e->flag = TRUE;                                                                          \
        }
      INT_ARG ("sort_index", sort_index, has_sort_index)
      INT_ARG ("run", run, has_run)
      INT_ARG ("worker", worker, has_worker)
      INT_ARG ("task", task, has_task)
      INT_ARG ("cpu", cpu, has_cpu)
      INT_ARG ("start_ns", start_ns, has_start)
      INT_ARG ("end_ns", end_ns, has_end)
#undef INT_ARG
      else
        ok = il_json_skip_value (lx, 3);
      if (!ok || !il_json_next (lx, '}', &more))
        return FALSE;
    }
  return TRUE;
}

static gboolean
lex_event (IlJsonLexer *lx, Event *e)
{
  gboolean more;

  il_json_skip_ws (lx);
  e->at = lx->p;
  if (!il_json_peek (lx, '{'))
    return il_json_fail (lx, _("an event must be an object"));
  if (!il_json_open (lx, '{', &more))
    return FALSE;
  while (more)
    {
      gboolean ok;

      if (!il_json_key (lx))
        return FALSE;
      il_json_skip_ws (lx);
      if (il_json_key_is (lx, "ph"))
        {
          ok = il_json_string (lx);
          if (ok)
            {
              if (lx->str->len != 1)
                return il_json_fail_at (lx, e->at, _("unknown event phase “%s”"), lx->str->str);
              e->ph = lx->str->str[0];
            }
        }
      else if (il_json_key_is (lx, "name") && il_json_peek (lx, '"'))
        {
          ok = il_json_string (lx);
          if (ok)
            e->name = keep_string (lx, &e->name_buf);
        }
      else if (il_json_key_is (lx, "cat") && il_json_peek (lx, '"'))
        {
          ok = il_json_string (lx);
          if (ok)
            e->cat = keep_string (lx, &e->cat_buf);
        }
      else if (il_json_key_is (lx, "pid"))
        ok = lex_id (lx, "pid", &e->pid);
      else if (il_json_key_is (lx, "tid"))
        ok = lex_id (lx, "tid", &e->tid);
      else if (il_json_key_is (lx, "id") || il_json_key_is (lx, "id2"))
        {
          /* Read for the async tracks (e->id) and kept as written for the flows (e->id_at). */
          const char *at = (il_json_skip_ws (lx), lx->p);

          ok = il_json_key_is (lx, "id") ? lex_async_id (lx, &e->id) : lex_id2 (lx, &e->id);
          e->id_at = at;
          e->id_len = (gsize) (lx->p - at);
        }
      else if (il_json_key_is (lx, "ts"))
        {
          ok = lex_time (lx, &e->ts_ns, &e->ts_range);
          e->has_ts = TRUE;
        }
      else if (il_json_key_is (lx, "dur"))
        {
          ok = lex_time (lx, &e->dur_ns, &e->ts_range);
          e->has_dur = TRUE;
        }
      /* Interleave's export keeps its per-span numbers here, out of the "args" consumers key on
       * (older exports had them in "args": both are read). */
      else if (il_json_key_is (lx, "args") || il_json_key_is (lx, "interleave"))
        {
          gboolean args = il_json_key_is (lx, "args");
          const char *at = lx->p;

          ok = lex_args (lx, e);
          if (args)
            {
              e->args_at = at;
              e->args_len = (gsize) (lx->p - at);
            }
        }
      else if (il_chrome_lex_mark_member (lx, e, &ok))
        ;
      else
        ok = il_json_skip_value (lx, 2);
      if (!ok || !il_json_next (lx, '}', &more))
        return FALSE;
    }
  return TRUE;
}

/* Does the value at @at run into the end of the file, unclosed (a writer cut off in the middle
 * of it) rather than being complete and wrong? */
static gboolean
runs_into_end (const IlJsonLexer *lx, const char *at)
{
  g_autoptr(GString) open = g_string_new (NULL);
  gboolean in_string = FALSE;

  for (const char *p = at; p < lx->end; p++)
    {
      if (in_string)
        {
          if (*p == '\\')
            p++;
          else if (*p == '"')
            in_string = FALSE;
          continue;
        }
      if (*p == '"')
        in_string = TRUE;
      else if (*p == '{' || *p == '[')
        {
          /* Too deep is refused for that, cut off or not. */
          if (open->len == IL_JSON_MAX_DEPTH)
            return FALSE;
          g_string_append_c (open, *p == '{' ? '}' : ']');
        }
      else if (*p == '}' || *p == ']')
        {
          if (open->len == 0 || open->str[open->len - 1] != *p)
            return FALSE;
          g_string_truncate (open, open->len - 1);
          if (open->len == 0)
            return FALSE;
        }
    }
  return TRUE;
}

/* A foreign file cut off inside its events (the producer crashed): what came before loads, and
 * the warning says where it ends. Interleave's own export is written whole or not at all. */
static gboolean
cut_off (Import *im, const char *at, guint64 n_events)
{
  if (im->own != NULL)
    return il_json_fail_at (&im->lx, at, _("the file ends too early"));
  g_clear_error (im->lx.error);
  im->cut = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%s:%u: the file is cut off inside its events; the %" PRIu64
                                          " complete event before line %u is loaded",
                                          "%s:%u: the file is cut off inside its events; the %" PRIu64
                                          " complete events before line %u are loaded",
                                          n_events),
                             im->lx.name, il_json_line (&im->lx, at), n_events, il_json_line (&im->lx, at));
  im->lx.p = im->lx.end;
  return TRUE;
}

/* @bare: the document is the array itself, whose closing bracket the format lets a writer leave
 * out; inside an object it is missing only when the file was cut off. */
static gboolean
parse_event_list (Import *im, Event *ep, gboolean bare)
{
  IlJsonLexer *lx = &im->lx;
  guint64 n_events = 0;

  if (!il_json_expect (lx, '['))
    return FALSE;
  if (il_json_peek (lx, ']'))
    {
      lx->p++;
      return TRUE;
    }
  for (;;)
    {
      const char *at = (il_json_skip_ws (lx), lx->p);
      gboolean ok;

      if (!lex_event (lx, ep))
        {
          event_clear (ep);
          return runs_into_end (lx, at) && cut_off (im, at, n_events);
        }
      ok = im->own != NULL ? il_chrome_own_event (im, ep) : il_chrome_foreign_event (im, ep);
      event_clear (ep);
      if (!ok)
        return FALSE;
      n_events++;
      if (il_json_peek (lx, ','))
        {
          lx->p++;
          /* Chrome's array form may end after a trailing comma when the writer was cut off. */
          il_json_skip_ws (lx);
          if (lx->p < lx->end && *lx->p == ']')
            {
              lx->p++;
              return TRUE;
            }
          if (lx->p >= lx->end)
            return bare || cut_off (im, lx->p, n_events);
          continue;
        }
      il_json_skip_ws (lx);
      /* The array form may also lack its closing bracket (the format allows it). */
      if (lx->p >= lx->end)
        return bare || cut_off (im, lx->p, n_events);
      return il_json_expect (lx, ']');
    }
}

static gboolean
parse_events (Import *im, gboolean bare)
{
  Event e = { g_string_new (NULL), g_string_new (NULL), g_string_new (NULL) };
  gboolean ok = parse_event_list (im, &e, bare);

  event_clear (&e);
  g_string_free (e.name_buf, TRUE);
  g_string_free (e.cat_buf, TRUE);
  g_string_free (e.arg_name_buf, TRUE);
  return ok;
}

/* Reads otherData, keeping the raw text of "interleave" for the trace v1 reader. */
static gboolean
parse_other_data (Import *im)
{
  IlJsonLexer *lx = &im->lx;
  gboolean more;

  if (!il_json_peek (lx, '{'))
    return il_json_skip_value (lx, 1);
  if (!il_json_open (lx, '{', &more))
    return FALSE;
  while (more)
    {
      if (!il_json_key (lx))
        return FALSE;
      if (il_json_key_is (lx, "interleave") && il_json_peek (lx, '{'))
        {
          const char *start = lx->p;

          if (!il_json_skip_value (lx, 2))
            return FALSE;
          im->header = start;
          im->header_len = (gsize) (lx->p - start);
        }
      else if (!il_json_skip_value (lx, 2))
        return FALSE;
      if (!il_json_next (lx, '}', &more))
        return FALSE;
    }
  return TRUE;
}

/* The header, read by the trace v1 reader, so its rules and messages are the same. */
static gboolean
load_header (Import *im)
{
  g_autofree char *name = g_strdup_printf ("%s (otherData.interleave)", im->lx.name);

  im->own = im->read_header (im->header, im->header_len, name, im->lx.error);
  if (im->own == NULL)
    return FALSE;
  im->spans = g_new0 (GArray *, MAX (il_trace_get_n_runs (im->own), 1));
  for (guint r = 0; r < il_trace_get_n_runs (im->own); r++)
    im->spans[r] = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  return TRUE;
}

/* An object. Interleave writes otherData after the events (older Perfetto needs that order): when
 * the rest of the file names "otherData", the events are skipped and read once the header is known,
 * rather than read as a foreign file's and again. A header found late anyway (a key written with
 * escapes) still means a second pass. */
static gboolean
parse_object (Import *im)
{
  IlJsonLexer *lx = &im->lx;
  const char *events = NULL;
  gboolean deferred = FALSE;
  gboolean more;

  if (!il_json_open (lx, '{', &more))
    return FALSE;
  while (more)
    {
      if (!il_json_key (lx))
        return FALSE;
      if (il_json_key_is (lx, "traceEvents"))
        {
          il_json_skip_ws (lx);
          events = lx->p;
          if (im->header != NULL && im->own == NULL && !load_header (im))
            return FALSE;
          if (im->own == NULL &&
              memmem (lx->p, (gsize) (lx->end - lx->p), "\"otherData\"", 11) != NULL &&
              il_json_skip_value (lx, 1))
            deferred = TRUE;
          else
            {
              /* Events the strict skip refuses (a trailing comma, a cut-off array) are read as
               * always. */
              if (lx->error != NULL)
                g_clear_error (lx->error);
              lx->p = events;
              if (!parse_events (im, FALSE))
                return FALSE;
              /* Cut off: nothing follows. */
              if (im->cut != NULL)
                return TRUE;
            }
        }
      else if (il_json_key_is (lx, "otherData"))
        {
          if (!parse_other_data (im))
            return FALSE;
        }
      else if (il_json_key_is (lx, "displayTimeUnit"))
        {
          const char *at = (il_json_skip_ws (lx), lx->p);

          if (!il_json_string (lx))
            return FALSE;
          if (strcmp (lx->str->str, "ms") != 0 && strcmp (lx->str->str, "ns") != 0)
            return il_json_fail_at (lx, at, _("“displayTimeUnit” must be “ms” or “ns”"));
        }
      else if (!il_json_skip_value (lx, 1))
        return FALSE;
      if (!il_json_next (lx, '}', &more))
        return FALSE;
    }
  il_json_skip_ws (lx);
  if (lx->p < lx->end)
    return il_json_fail (lx, _("text after the end of the trace"));
  if (events == NULL)
    return il_json_fail_at (lx, lx->data, _("not a Chrome trace (no “traceEvents”)"));
  if (deferred)
    {
      const char *end = lx->p;
      gboolean ok = (im->header == NULL || load_header (im)) && (lx->p = events, parse_events (im, FALSE));

      lx->p = end;
      return ok;
    }
  if (im->header != NULL && im->own == NULL)
    {
      /* The header came after the events: read them again, now as Interleave's own. */
      il_chrome_forget_lanes (im);
      if (!load_header (im))
        return FALSE;
      lx->p = events;
      return parse_events (im, FALSE);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * Entry point */

IlTrace *
il_trace_read_chrome (IlTraceSource *src, IlTraceHeaderReader read_header, GError **error)
{
  Import im;
  IlTrace *trace = NULL;
  gboolean ok;

  il_chrome_import_init (&im, src, read_header, error);
  il_json_skip_ws (&im.lx);
  if (im.lx.p >= im.lx.end)
    ok = il_json_fail (&im.lx, _("the file is empty"));
  else if (*im.lx.p == '[')
    {
      ok = parse_events (&im, TRUE);
      il_json_skip_ws (&im.lx);
      if (ok && im.lx.p < im.lx.end)
        ok = il_json_fail (&im.lx, _("text after the end of the trace"));
    }
  else if (*im.lx.p == '{')
    ok = parse_object (&im);
  else
    ok = il_json_fail (&im.lx, _("not a Chrome trace (neither an object nor an array of events)"));

  if (ok)
    trace = il_chrome_finish (&im);
  if (trace != NULL && im.cut != NULL)
    il_trace_add_warning (trace, im.cut);
  il_chrome_import_clear (&im);
  return trace;
}
