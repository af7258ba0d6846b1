/* il-trace-chrome-marks.c: Chrome Trace Event import: instants, counters, flows, and slices' "cat" and "args". */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "il-trace-chrome-private.h"
#include "il-trace-marks.h"

/* What a foreign file says beyond its slices, gathered while its events stream by and put into the
 * run once its lanes exist (il-trace-marks.h keeps it):
 * - instants ("i"/"I", scope "s": "t" thread, "p" process, "g" global) become marks;
 * - counters ("C") become one series per process, name (with its "id") and numeric "args" member;
 * - flows ("s"/"t"/"f" with "id", matched by category, name and id as Perfetto does; and "bind_id"
 *   with "flow_in"/"flow_out" on slices) become arrows from step to step, in time order; a start
 *   nothing continued is kept as an open flow;
 * - each slice's "cat" and "args" (compact JSON) go beside its task.
 * Strings are interned once (a category or an "args" object repeats across thousands of events). */

typedef struct
{
  Thread  *t;
  gint64   ts_ns;
  guint32  name, cat, args;   /* interned, + 1 (0: none) */
  char     scope;
} RawInstant;

typedef struct
{
  char   *pid_key;
  Id      pid;
  guint32 name, key, cat;
  GArray *points;   /* of IlCounterPoint, absolute times */
} RawSeries;

typedef struct
{
  guint32 flow;         /* the key the steps of one flow share, interned */
  guint32 thread;       /* the thread's key, interned */
  guint32 name, cat, id;
  guint32 order;
  gint64  ts_ns;
  char    ph;           /* 's', 't' or 'f' (a "bind_id" slice: 's' out, 'f' in, 't' both) */
} RawStep;

typedef struct
{
  guint32 cat, args;
} SliceMeta;

typedef struct _ChromeMarks
{
  GHashTable   *ids;      /* string → index + 1 */
  GPtrArray    *strings;  /* owned by chunk */
  GStringChunk *chunk;
  GArray       *meta;     /* of SliceMeta, by file order; NULL until a slice has some */
  GArray       *instants; /* of RawInstant */
  GHashTable   *series_ids;   /* "pid key\x1fname\x1fkey" → index + 1 */
  GPtrArray    *series;   /* of RawSeries* */
  GArray       *steps;    /* of RawStep */
  guint32       order;    /* flow steps' own file order */
  GString      *scratch;  /* compacted arguments */
  gint64        first_ts;
} ChromeMarks;

static void
series_free (gpointer data)
{
  RawSeries *s = data;

  g_free (s->pid_key);
  g_free (s->pid.str);
  g_array_unref (s->points);
  g_free (s);
}

static ChromeMarks *
marks_get (Import *im)
{
  ChromeMarks *m = im->marks;

  if (m != NULL)
    return m;
  m = g_new0 (ChromeMarks, 1);
  m->ids = g_hash_table_new (g_str_hash, g_str_equal);
  m->strings = g_ptr_array_new ();
  m->chunk = g_string_chunk_new (16 * 1024);
  m->instants = g_array_new (FALSE, FALSE, sizeof (RawInstant));
  m->series_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m->series = g_ptr_array_new_with_free_func (series_free);
  m->steps = g_array_new (FALSE, FALSE, sizeof (RawStep));
  m->first_ts = G_MAXINT64;
  m->scratch = g_string_new (NULL);
  im->marks = m;
  return m;
}

void
il_chrome_marks_free (Import *im)
{
  ChromeMarks *m = im->marks;

  if (m == NULL)
    return;
  g_hash_table_unref (m->ids);
  g_ptr_array_unref (m->strings);
  g_string_chunk_free (m->chunk);
  g_clear_pointer (&m->meta, g_array_unref);
  g_array_unref (m->instants);
  g_hash_table_unref (m->series_ids);
  g_ptr_array_unref (m->series);
  g_array_unref (m->steps);
  g_string_free (m->scratch, TRUE);
  g_free (m);
  im->marks = NULL;
}

/* @s interned, as its index + 1; 0 for NULL. */
static guint32
intern (ChromeMarks *m, const char *s)
{
  gpointer v;

  if (s == NULL)
    return 0;
  if (g_hash_table_lookup_extended (m->ids, s, NULL, &v))
    return GPOINTER_TO_UINT (v);
  s = g_string_chunk_insert (m->chunk, s);
  g_ptr_array_add (m->strings, (gpointer) s);
  g_hash_table_insert (m->ids, (gpointer) s, GUINT_TO_POINTER (m->strings->len));
  return m->strings->len;
}

static const char *
string_of (ChromeMarks *m, guint32 i)
{
  return i > 0 ? m->strings->pdata[i - 1] : NULL;
}

/* One buffer for every event's arguments: a file of millions of slices compacts millions. */
static guint32
intern_args (ChromeMarks *m, const Event *e)
{
  if (e->args_at == NULL || *e->args_at != '{' || !il_json_compact_into (m->scratch, e->args_at, e->args_len))
    return 0;
  return intern (m, m->scratch->str);
}

/* An id as the file wrote it: a number's text, a string's contents, or an object ("id2") as it is. */
static char *
raw_id (const char *at, gsize len)
{
  if (at == NULL)
    return NULL;
  if (len >= 2 && at[0] == '"')
    return g_strndup (at + 1, len - 2);
  return il_json_compact (at, len);
}

static void
saw_ts (ChromeMarks *m, gint64 ts)
{
  m->first_ts = MIN (m->first_ts, ts);
}

/* ------------------------------------------------------------------------------------------------
 * Lexing */

gboolean
il_chrome_lex_mark_member (IlJsonLexer *lx, Event *e, gboolean *ok)
{
  const char *at = lx->p;

  if (il_json_key_is (lx, "id") || il_json_key_is (lx, "id2") || il_json_key_is (lx, "bind_id"))
    {
      gboolean bind = il_json_key_is (lx, "bind_id");

      *ok = il_json_skip_value (lx, 2);
      if (bind)
        {
          e->bind_at = at;
          e->bind_len = (gsize) (lx->p - at);
        }
      else
        {
          e->id_at = at;
          e->id_len = (gsize) (lx->p - at);
        }
      return TRUE;
    }
  if (il_json_key_is (lx, "s") && il_json_peek (lx, '"'))
    {
      *ok = il_json_string (lx);
      if (*ok)
        e->scope = lx->str->str[0];
      return TRUE;
    }
  if (il_json_key_is (lx, "flow_in") || il_json_key_is (lx, "flow_out"))
    {
      gboolean in = il_json_key_is (lx, "flow_in");
      IlJsonValue v;

      *ok = il_json_value (lx, &v, 2);
      if (*ok && v.kind == IL_JSON_TRUE)
        {
          if (in)
            e->flow_in = TRUE;
          else
            e->flow_out = TRUE;
        }
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------------------------------------
 * Events */

static void
add_step (Import *im, const char *thread_key, const Event *e, char ph, const char *flow_key,
          const char *id)
{
  ChromeMarks *m = marks_get (im);
  RawStep st = { intern (m, flow_key), intern (m, thread_key), intern (m, e->name != NULL ? e->name : ""),
                 intern (m, e->cat), intern (m, id), m->order++, e->ts_ns, ph };

  saw_ts (m, e->ts_ns);
  g_array_append_val (m->steps, st);
}

gboolean
il_chrome_marks_slice (Import *im, Thread *t, const Event *e, guint32 order)
{
  ChromeMarks *m;
  SliceMeta meta;

  if (e->cat == NULL && e->args_at == NULL && e->bind_at == NULL)
    return TRUE;
  m = marks_get (im);
  meta.cat = intern (m, e->cat);
  meta.args = intern_args (m, e);
  if (meta.cat != 0 || meta.args != 0)
    {
      if (m->meta == NULL)
        m->meta = g_array_new (FALSE, TRUE, sizeof (SliceMeta));
      if (order >= m->meta->len)
        g_array_set_size (m->meta, order + 1);
      g_array_index (m->meta, SliceMeta, order) = meta;
    }
  /* Flows of the newer kind: the slice itself is a step of the flow "bind_id". */
  if (e->bind_at != NULL && (e->flow_in || e->flow_out))
    {
      g_autofree char *id = raw_id (e->bind_at, e->bind_len);
      g_autofree char *key = g_strconcat ("bind\x1f", id, NULL);

      add_step (im, t->key, e, e->flow_in && e->flow_out ? 't' : e->flow_out ? 's' : 'f', key, id);
    }
  return TRUE;
}

gboolean
il_chrome_marks_instant (Import *im, Thread *t, const Event *e)
{
  ChromeMarks *m = marks_get (im);
  RawInstant in = { t, e->ts_ns, intern (m, e->name != NULL ? e->name : ""), intern (m, e->cat),
                    intern_args (m, e), e->scope };

  saw_ts (m, e->ts_ns);
  g_array_append_val (m->instants, in);
  return TRUE;
}

/* A counter's numeric members, each a point of its own series. */
static gboolean
counter_event (Import *im, const Event *e)
{
  ChromeMarks *m = marks_get (im);
  g_autofree char *pid_key = il_chrome_id_key (&e->pid);
  g_autofree char *id = raw_id (e->id_at, e->id_len);
  g_autofree char *name = id != NULL ? g_strdup_printf ("%s %s", e->name != NULL ? e->name : "", id)
                                     : g_strdup (e->name != NULL ? e->name : "");
  GError *error = NULL;
  IlJsonLexer lx;
  gboolean more;

  if (e->args_at == NULL || *e->args_at != '{')
    return TRUE;
  saw_ts (m, e->ts_ns);
  il_json_lexer_init (&lx, "args", e->args_at, e->args_len, &error);
  if (il_json_open (&lx, '{', &more))
    while (more)
      {
        IlJsonValue v;
        g_autofree char *key = NULL;
        double value;
        char *end = NULL;

        if (!il_json_key (&lx))
          break;
        key = g_strndup (lx.key, lx.key_len);
        if (!il_json_value (&lx, &v, 3))
          break;
        if (v.kind == IL_JSON_INT || v.kind == IL_JSON_DOUBLE)
          value = il_json_value_double (&v);
        else if (v.kind == IL_JSON_STRING && (value = g_ascii_strtod (lx.str->str, &end), end != lx.str->str)
                 && *end == '\0')
          ;
        else
          value = NAN;
        if (isfinite (value))
          {
            g_autofree char *sid = g_strconcat (pid_key, "\x1f", name, "\x1f", key, NULL);
            RawSeries *s = g_hash_table_lookup (m->series_ids, sid);
            IlCounterPoint p = { e->ts_ns, value };

            if (s == NULL)
              {
                s = g_new0 (RawSeries, 1);
                s->pid_key = g_strdup (pid_key);
                s->pid = e->pid;
                s->pid.str = g_strdup (e->pid.str);
                s->name = intern (m, name);
                s->key = intern (m, key);
                s->cat = intern (m, e->cat);
                s->points = g_array_new (FALSE, FALSE, sizeof (IlCounterPoint));
                g_ptr_array_add (m->series, s);
                g_hash_table_insert (m->series_ids, g_steal_pointer (&sid), s);
              }
            g_array_append_val (s->points, p);
          }
        if (!il_json_next (&lx, '}', &more))
          break;
      }
  il_json_lexer_clear (&lx);
  g_clear_error (&error);
  return TRUE;
}

gboolean
il_chrome_marks_event (Import *im, const Event *e)
{
  g_autofree char *pkey = NULL, *tkey = NULL, *thread_key = NULL, *id = NULL, *flow_key = NULL;

  if (e->ph == 'C')
    return counter_event (im, e);
  /* A flow step: its flow is its category, name and id, as Perfetto matches them. */
  id = raw_id (e->id_at, e->id_len);
  if (id == NULL)
    return TRUE;
  pkey = il_chrome_id_key (&e->pid);
  tkey = il_chrome_id_key (&e->tid);
  thread_key = g_strconcat (pkey, "\x1f", tkey, NULL);
  flow_key = g_strconcat (e->cat != NULL ? e->cat : "", "\x1f", e->name != NULL ? e->name : "",
                          "\x1f", id, NULL);
  add_step (im, thread_key, e, e->ph, flow_key, id);
  return TRUE;
}

gint64
il_chrome_marks_first_ts (Import *im)
{
  return im->marks != NULL ? im->marks->first_ts : G_MAXINT64;
}

/* ------------------------------------------------------------------------------------------------
 * Into the run */

#define IMPORT_KEY "il-chrome-import"

void
il_chrome_marks_begin (Import *im, IlRunTrace *run)
{
  /* The slices become tasks inside the lane builder, which knows the run, not the import. */
  if (im->marks != NULL && im->marks->meta != NULL)
    il_run_trace_set_data (run, IMPORT_KEY, im->marks, NULL);
}

void
il_chrome_marks_task (IlRunTrace *run, guint task, guint32 order)
{
  ChromeMarks *m = il_run_trace_get_data (run, IMPORT_KEY);
  const SliceMeta *meta;

  if (m == NULL || order >= m->meta->len)
    return;
  meta = &g_array_index (m->meta, SliceMeta, order);
  if (meta->cat != 0 || meta->args != 0)
    il_run_trace_set_task_meta (run, task, string_of (m, meta->cat), string_of (m, meta->args));
}

static int
compare_step (gconstpointer a, gconstpointer b)
{
  const RawStep *x = a, *y = b;

  if (x->flow != y->flow)
    return x->flow < y->flow ? -1 : 1;
  if (x->ts_ns != y->ts_ns)
    return x->ts_ns < y->ts_ns ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

static int
worker_of (GHashTable *workers, Import *im, guint32 thread_key)
{
  ChromeMarks *m = im->marks;
  Thread *t = g_hash_table_lookup (im->threads, string_of (m, thread_key));
  gpointer v;

  if (t == NULL || !g_hash_table_lookup_extended (workers, t, NULL, &v))
    return -1;
  return GPOINTER_TO_INT (v);
}

static void
add_flow (IlRunTrace *run, ChromeMarks *m, const RawStep *from, int from_worker, const RawStep *to,
          int to_worker, gint64 origin)
{
  IlFlow f = { string_of (m, from->id), string_of (m, from->name), string_of (m, from->cat),
               from_worker, from->ts_ns - origin, to_worker, (to != NULL ? to : from)->ts_ns - origin };

  il_run_trace_add_flow (run, &f);
}

/* Each flow's steps in time order: "s" starts it, "t" continues it and "f" ends it, an arrow from
 * each step to the next. A start nothing continued is kept open; steps without a start are what a
 * trace cut at its beginning looks like, and are dropped. */
static void
finish_flows (Import *im, IlRunTrace *run, GHashTable *workers, gint64 origin)
{
  ChromeMarks *m = im->marks;
  const RawStep *open = NULL;
  gboolean continued = FALSE;

  g_array_sort (m->steps, compare_step);
  for (guint i = 0; i < m->steps->len; i++)
    {
      const RawStep *st = &g_array_index (m->steps, RawStep, i);

      if (open != NULL && open->flow != st->flow)
        {
          if (!continued)
            add_flow (run, m, open, worker_of (workers, im, open->thread), NULL, -1, origin);
          open = NULL;
        }
      if (st->ph == 's' && open != NULL && !continued)
        add_flow (run, m, open, worker_of (workers, im, open->thread), NULL, -1, origin);
      if (st->ph == 's')
        {
          open = st;
          continued = FALSE;
          continue;
        }
      if (open == NULL)
        continue;
      add_flow (run, m, open, worker_of (workers, im, open->thread), st,
                worker_of (workers, im, st->thread), origin);
      continued = TRUE;
      open = st->ph == 't' ? st : NULL;
    }
  if (open != NULL && !continued)
    add_flow (run, m, open, worker_of (workers, im, open->thread), NULL, -1, origin);
}

void
il_chrome_marks_finish (Import *im, IlRunTrace *run, GPtrArray *threads, gint64 origin)
{
  ChromeMarks *m = im->marks;
  g_autoptr(GHashTable) workers = NULL;
  g_autoptr(GHashTable) pids = NULL;

  il_run_trace_set_data (run, IMPORT_KEY, NULL, NULL);
  if (m == NULL)
    return;
  /* Thread → its lane, and process key → the run's pid (made up for string pids). */
  workers = g_hash_table_new (NULL, NULL);
  pids = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < threads->len; i++)
    {
      Thread *t = threads->pdata[i];

      /* Its first row: a thread with nested slices has a lane per depth (the marks go on the
       * thread, drawn on its first row). */
      g_hash_table_insert (workers, t, GINT_TO_POINTER ((int) t->first_worker));
      g_hash_table_insert (pids, t->pid_key,
                           GINT_TO_POINTER (il_run_trace_get_worker (run, t->first_worker)->pid));
    }

  for (guint i = 0; i < m->instants->len; i++)
    {
      const RawInstant *raw = &g_array_index (m->instants, RawInstant, i);
      int w = GPOINTER_TO_INT (g_hash_table_lookup (workers, raw->t));
      IlInstant in = { raw->ts_ns - origin, w, il_run_trace_get_worker (run, (guint) w)->pid,
                       IL_MARK_SCOPE_THREAD, string_of (m, raw->name), string_of (m, raw->cat),
                       string_of (m, raw->args) };

      if (raw->scope == 'g' || raw->scope == 'p')
        {
          in.scope = raw->scope == 'g' ? IL_MARK_SCOPE_GLOBAL : IL_MARK_SCOPE_PROCESS;
          in.worker = -1;
        }
      il_run_trace_add_instant (run, &in);
    }

  for (guint i = 0; i < m->series->len; i++)
    {
      RawSeries *s = m->series->pdata[i];
      gpointer v;
      int pid = g_hash_table_lookup_extended (pids, s->pid_key, NULL, &v) ? GPOINTER_TO_INT (v)
                : s->pid.set && !s->pid.is_string && s->pid.num >= 0 && s->pid.num <= G_MAXINT32
                  ? (int) s->pid.num : -1;
      guint c = il_run_trace_add_counter (run, pid, string_of (m, s->name), string_of (m, s->key),
                                          string_of (m, s->cat));

      for (guint k = 0; k < s->points->len; k++)
        {
          const IlCounterPoint *p = &g_array_index (s->points, IlCounterPoint, k);

          il_run_trace_add_counter_point (run, c, p->ts_ns - origin, p->value);
        }
    }

  finish_flows (im, run, workers, origin);
}
