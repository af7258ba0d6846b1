/* il-trace-chrome-lanes.c: Chrome Trace Event import: events into lanes and slices, then the trace. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-trace-chrome-private.h"

/* ------------------------------------------------------------------------------------------------
 * Lanes */

static void
thread_free (Thread *t)
{
  g_free (t->key);
  g_free (t->pid_key);
  g_free (t->pid.str);
  g_free (t->tid.str);
  g_free (t->name);
  g_clear_pointer (&t->slices, g_array_unref);
  g_clear_pointer (&t->marks, g_array_unref);
  g_free (t);
}

static void
process_free (Process *p)
{
  g_free (p->name);
  g_free (p);
}

static char *
id_key (const Id *id)
{
  if (!id->set)
    return g_strdup ("-");
  if (id->is_string)
    return g_strconcat ("s", id->str, NULL);
  return g_strdup_printf ("n%" G_GINT64_FORMAT, id->num);
}

char *
il_chrome_id_key (const Id *id)
{
  return id_key (id);
}

static Process *
get_process (Import *im, const Id *pid)
{
  g_autofree char *key = id_key (pid);
  Process *p = g_hash_table_lookup (im->processes, key);

  if (p == NULL)
    {
      p = g_new0 (Process, 1);
      p->order = im->order++;
      g_hash_table_insert (im->processes, g_steal_pointer (&key), p);
    }
  return p;
}

/* A new lane-to-be keyed @key (taken) in the process @pkey (taken). */
static Thread *
add_thread (Import *im, const Event *e, char *key, char *pkey)
{
  Thread *t;

  if (im->thread_list->len >= MAX_LANES)
    {
      g_free (key);
      g_free (pkey);
      il_json_fail_at (&im->lx, e->at, _("more than %u threads"), MAX_LANES);
      return NULL;
    }
  get_process (im, &e->pid);
  t = g_new0 (Thread, 1);
  t->key = key;
  t->pid_key = pkey;
  t->pid = e->pid;
  t->pid.str = g_strdup (e->pid.str);
  t->order = im->order++;
  t->slices = g_array_new (FALSE, FALSE, sizeof (Slice));
  t->marks = g_array_new (FALSE, FALSE, sizeof (Mark));
  /* The thread owns its key (the table frees no keys). */
  g_hash_table_insert (im->threads, t->key, t);
  g_ptr_array_add (im->thread_list, t);
  return t;
}

static Thread *
get_thread_slow (Import *im, const Event *e)
{
  g_autofree char *pkey = id_key (&e->pid);
  g_autofree char *tkey = id_key (&e->tid);
  g_autofree char *key = g_strconcat (pkey, "\x1f", tkey, NULL);
  Thread *t = g_hash_table_lookup (im->threads, key);

  if (t == NULL)
    {
      t = add_thread (im, e, g_steal_pointer (&key), g_steal_pointer (&pkey));
      if (t == NULL)
        return NULL;
      t->tid = e->tid;
      t->tid.str = g_strdup (e->tid.str);
    }
  return t;
}

static gboolean
id_equal (const Id *a, const Id *b)
{
  if (a->set != b->set || a->is_string != b->is_string)
    return FALSE;
  return a->is_string ? strcmp (a->str, b->str) == 0 : a->num == b->num;
}

static Thread *
get_thread (Import *im, const Event *e)
{
  if (im->last_thread != NULL && id_equal (&im->last_thread->pid, &e->pid) &&
      id_equal (&im->last_thread->tid, &e->tid))
    return im->last_thread;
  im->last_thread = get_thread_slow (im, e);
  return im->last_thread;
}

static guint32
intern_name (Import *im, const char *name)
{
  gpointer v;

  if (name == NULL)
    name = "";
  if (g_hash_table_lookup_extended (im->name_ids, name, NULL, &v))
    return GPOINTER_TO_UINT (v) - 1;
  name = g_string_chunk_insert (im->name_chunk, name);
  g_ptr_array_add (im->names, (gpointer) name);
  g_hash_table_insert (im->name_ids, (gpointer) name, GUINT_TO_POINTER (im->names->len));
  return im->names->len - 1;
}

/* Counts a slice to be (an "X", or a "B" whose "E" may come), refusing more than a run holds. */
static gboolean
count_slice (Import *im, const Event *e)
{
  if (im->n_slices + im->n_begins >= MAX_TASKS)
    return il_json_fail_at (&im->lx, e->at, _("more than %u slices (the most one run holds)"), MAX_TASKS);
  return TRUE;
}

/* The thread's last moment so far: an unclosed "B" ends there. */
static void
thread_saw (Thread *t, gint64 end_ns)
{
  if (!t->any_ts || end_ns > t->last_ns)
    t->last_ns = end_ns;
  t->any_ts = TRUE;
}

static gboolean
add_mark (Import *im, Thread *t, const Event *e, gboolean is_end)
{
  Mark m = { e->ts_ns, 0, im->seq++, is_end };

  if (!is_end)
    {
      if (!count_slice (im, e))
        return FALSE;
      im->n_begins++;
      m.name = intern_name (im, e->name);
      if (!il_chrome_marks_slice (im, t, e, m.order))
        return FALSE;
    }
  thread_saw (t, e->ts_ns);
  g_array_append_val (t->marks, m);
  return TRUE;
}

static gboolean
require_ts (Import *im, const Event *e)
{
  if (!e->has_ts)
    return il_json_fail_at (&im->lx, e->at, _("a “%c” event without “ts”"), e->ph);
  if (e->ts_range)
    return il_json_fail_at (&im->lx, e->at, _("“ts” or “dur” is out of range"));
  if (!im->any_ts || e->ts_ns > im->max_ts)
    im->max_ts = e->ts_ns;
  im->any_ts = TRUE;
  return TRUE;
}

/* An async track: the process's events of one category and id ("b"/"e", nested ones stacked in
 * rows as a thread's are), or, for the legacy "S"/"F", of one name, category and id, as the
 * viewers group them. Its events may come from any thread of the process. */
static Thread *
get_async_track (Import *im, const Event *e)
{
  g_autofree char *pkey = id_key (&e->pid);
  g_autofree char *ikey = id_key (&e->id);
  gboolean legacy = e->ph == 'S' || e->ph == 'F';
  g_autofree char *key = g_strconcat ("async\x1f", pkey, "\x1f", e->cat != NULL ? e->cat : "",
                                      "\x1f", ikey, "\x1f", legacy && e->name != NULL ? e->name : "",
                                      legacy ? "\x1fS" : "", NULL);
  Thread *t = g_hash_table_lookup (im->threads, key);

  if (t == NULL)
    {
      t = add_thread (im, e, g_steal_pointer (&key), g_steal_pointer (&pkey));
      if (t == NULL)
        return NULL;
      t->async = TRUE;
      /* TRANSLATORS: the row of an async slice of a Chrome trace, named after its first slice */
      t->name = g_strdup_printf (_("async: %s"), e->name != NULL ? e->name : "");
    }
  return t;
}

static gboolean
async_event (Import *im, const Event *e)
{
  Thread *t;

  if (!require_ts (im, e) || (t = get_async_track (im, e)) == NULL)
    return FALSE;
  return add_mark (im, t, e, e->ph == 'e' || e->ph == 'F');
}

/* An event of Interleave's own export, when the file has the header. */
gboolean
il_chrome_own_event (Import *im, const Event *e)
{
  GArray *spans;
  IlRunTrace *run;
  IlSpan s = { 0 };
  IlState state;

  if (e->ph != 'X' || e->cat == NULL || strstr (e->cat, "core") != NULL)
    return TRUE;
  if (!e->has_run || !e->has_worker || !e->has_ts || !e->has_dur)
    return il_json_fail_at (&im->lx, e->at, _("an Interleave event needs “ts”, “dur” and args “run” and “worker”"));
  if (e->run < 0 || e->run >= il_trace_get_n_runs (im->own))
    return il_json_fail_at (&im->lx, e->at, _("run %" PRId64 " does not exist (the file has %u runs)"),
                    e->run, il_trace_get_n_runs (im->own));
  run = il_trace_get_run (im->own, (guint) e->run);
  if (e->worker < 0 || e->worker >= il_run_trace_get_n_workers (run))
    return il_json_fail_at (&im->lx, e->at, _("worker %" PRId64 " does not exist (the run has %u workers)"),
                    e->worker, il_run_trace_get_n_workers (run));
  if (!il_state_from_string (e->cat, &state))
    return il_json_fail_at (&im->lx, e->at, _("unknown state “%s”"), e->cat);
  if (e->has_task && (e->task < -1 || e->task >= il_run_trace_get_n_tasks (run)))
    return il_json_fail_at (&im->lx, e->at, _("task %" PRId64 " does not exist (the run has %u tasks; -1 means none)"),
                    e->task, il_run_trace_get_n_tasks (run));
  if (e->has_cpu && (e->cpu < -1 || e->cpu >= il_run_trace_get_n_cpus (run)))
    return il_json_fail_at (&im->lx, e->at, _("CPU %" PRId64 " does not exist (the machine has %u CPUs; -1 means none)"),
                    e->cpu, il_run_trace_get_n_cpus (run));
  /* The exact nanoseconds where the file has them; otherwise the microseconds, to the ns. */
  if (e->has_start && e->has_end)
    {
      s.start_ns = e->start_ns;
      s.end_ns = e->end_ns;
    }
  else if (e->ts_range)
    return il_json_fail_at (&im->lx, e->at, _("“ts” or “dur” is out of range"));
  else
    {
      s.start_ns = e->ts_ns - il_run_trace_get_origin_ns (run);
      s.end_ns = s.start_ns + e->dur_ns;
    }
  if (s.end_ns < s.start_ns)
    return il_json_fail_at (&im->lx, e->at, _("the span ends before it starts"));
  if (s.start_ns < -MAX_SPAN_NS || s.end_ns > MAX_SPAN_NS)
    return il_json_fail_at (&im->lx, e->at, _("“start_ns” or “end_ns” is out of range"));
  /* A zero-length slice of an imported trace goes out as such; as a span it is nothing. */
  if (s.end_ns == s.start_ns)
    return TRUE;
  s.task = e->has_task ? (gint32) e->task : -1;
  s.cpu = e->has_cpu ? (gint16) e->cpu : -1;
  s.state = state;
  s.worker = (guint16) e->worker;
  spans = im->spans[e->run];
  g_array_append_val (spans, s);
  return TRUE;
}

gboolean
il_chrome_foreign_event (Import *im, Event *e)
{
  Thread *t;

  switch (e->ph)
    {
    case 'M':
      if (e->name == NULL)
        return TRUE;
      if (strcmp (e->name, "process_name") == 0 && e->arg_name != NULL)
        {
          Process *p = get_process (im, &e->pid);

          g_free (p->name);
          p->name = g_strdup (e->arg_name);
        }
      else if (strcmp (e->name, "process_sort_index") == 0 && e->has_sort_index)
        {
          Process *p = get_process (im, &e->pid);

          p->has_sort = TRUE;
          p->sort = e->sort_index;
        }
      else if (strcmp (e->name, "thread_name") == 0 && e->arg_name != NULL)
        {
          if ((t = get_thread (im, e)) == NULL)
            return FALSE;
          g_free (t->name);
          t->name = g_strdup (e->arg_name);
        }
      else if (strcmp (e->name, "thread_sort_index") == 0 && e->has_sort_index)
        {
          if ((t = get_thread (im, e)) == NULL)
            return FALSE;
          t->has_sort = TRUE;
          t->sort = e->sort_index;
        }
      return TRUE;

    case 'X':
      if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
        return FALSE;
      if (e->dur_ns < 0)
        return il_json_fail_at (&im->lx, e->at, _("negative “dur”"));
      if (e->ts_ns + e->dur_ns > im->max_ts)
        im->max_ts = e->ts_ns + e->dur_ns;
      if (!count_slice (im, e))
        return FALSE;
      {
        Slice s = { e->ts_ns, e->ts_ns + e->dur_ns, intern_name (im, e->name), im->seq++, FALSE };

        im->n_slices++;
        thread_saw (t, s.end_ns);
        g_array_append_val (t->slices, s);
        return il_chrome_marks_slice (im, t, e, s.order);
      }

    case 'B':
    case 'E':
      if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
        return FALSE;
      return add_mark (im, t, e, e->ph == 'E');

    case 'b':
    case 'e':
    case 'S':
    case 'F':
      return async_event (im, e);

    case 'i':
    case 'I':
    case 'n':
      if (!require_ts (im, e) || (t = get_thread (im, e)) == NULL)
        return FALSE;
      thread_saw (t, e->ts_ns);
      /* Instants are marks on their lane; an async one ("n") belongs to its async track. */
      return e->ph == 'n' || il_chrome_marks_instant (im, t, e);

    case 'C':
    case 's':
    case 't':
    case 'f':
      /* Counters and flows (il-trace-chrome-marks.c); one without a time says nothing. */
      return !e->has_ts || e->ts_range || (require_ts (im, e) && il_chrome_marks_event (im, e));

    default:
      /* Counters, flows, samples, async steps and object events: not lanes. */
      return TRUE;
    }
}

/* ------------------------------------------------------------------------------------------------
 * Building the trace */

static int
compare_span (gconstpointer a, gconstpointer b)
{
  const IlSpan *x = a, *y = b;

  if (x->worker != y->worker)
    return x->worker < y->worker ? -1 : 1;
  return (x->start_ns > y->start_ns) - (x->start_ns < y->start_ns);
}

static IlTrace *
finish_own (Import *im)
{
  for (guint r = 0; r < il_trace_get_n_runs (im->own); r++)
    {
      IlRunTrace *run = il_trace_get_run (im->own, r);
      GArray *spans = im->spans[r];

      /* The header brought the idle spans the events leave out: merge both. */
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *lane = il_run_trace_get_lane (run, w);

          for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
            g_array_append_val (spans, *il_lane_get_span (lane, i));
        }
      il_run_trace_clear_spans (run);
      g_array_sort (spans, compare_span);
      for (guint i = 1; i < spans->len; i++)
        {
          const IlSpan *a = &g_array_index (spans, IlSpan, i - 1);
          const IlSpan *b = &g_array_index (spans, IlSpan, i);

          if (a->worker == b->worker && b->start_ns < a->end_ns)
            {
              g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                           _("%s: run %u: spans of worker %u overlap"), im->lx.name, r, a->worker);
              return NULL;
            }
        }
      il_run_trace_append_many (run, (const IlSpan *) spans->data, spans->len);
    }
  return il_trace_ref (im->own);
}

static int
compare_slice (gconstpointer a, gconstpointer b)
{
  const Slice *x = a, *y = b;

  /* Outer slices first: earlier start, then later end, then file order. */
  if (x->start_ns != y->start_ns)
    return x->start_ns < y->start_ns ? -1 : 1;
  if (x->end_ns != y->end_ns)
    return x->end_ns > y->end_ns ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* Names in natural order: runs of digits compare as numbers, so Worker7 comes before Worker33. */
static int
compare_natural (const char *a, const char *b)
{
  while (*a != '\0' && *b != '\0')
    {
      if (g_ascii_isdigit (*a) && g_ascii_isdigit (*b))
        {
          const char *ea, *eb;

          while (*a == '0' && g_ascii_isdigit (a[1]))
            a++;
          while (*b == '0' && g_ascii_isdigit (b[1]))
            b++;
          for (ea = a; g_ascii_isdigit (*ea); ea++)
            ;
          for (eb = b; g_ascii_isdigit (*eb); eb++)
            ;
          if (ea - a != eb - b)
            return ea - a < eb - b ? -1 : 1;
          for (; a < ea; a++, b++)
            if (*a != *b)
              return *a < *b ? -1 : 1;
          continue;
        }
      if (*a != *b)
        return (guchar) *a < (guchar) *b ? -1 : 1;
      a++;
      b++;
    }
  return (*a != '\0') - (*b != '\0');
}

/* Numbers first, by value; then strings, naturally. */
static int
compare_id (const Id *x, const Id *y)
{
  if (x->set != y->set)
    return x->set ? 1 : -1;
  if (x->is_string != y->is_string)
    return x->is_string ? 1 : -1;
  if (x->is_string)
    return compare_natural (x->str, y->str);
  return (x->num > y->num) - (x->num < y->num);
}

/* As the trace viewers order them: by sort index where the file gives one (those first), then
 * named before unnamed, names in natural order, then by id. */
static int
compare_ranked (gboolean x_has_sort, gint64 x_sort, const char *x_name,
                gboolean y_has_sort, gint64 y_sort, const char *y_name)
{
  int c;

  if (x_has_sort != y_has_sort)
    return x_has_sort ? -1 : 1;
  if (x_has_sort && x_sort != y_sort)
    return x_sort < y_sort ? -1 : 1;
  if ((x_name != NULL) != (y_name != NULL))
    return x_name != NULL ? -1 : 1;
  if (x_name != NULL && (c = compare_natural (x_name, y_name)) != 0)
    return c;
  return 0;
}

static int
compare_thread (gconstpointer a, gconstpointer b, gpointer data)
{
  Import *im = data;
  const Thread *x = *(Thread *const *) a, *y = *(Thread *const *) b;
  const Process *px = g_hash_table_lookup (im->processes, x->pid_key);
  const Process *py = g_hash_table_lookup (im->processes, y->pid_key);
  int c;

  /* Processes first, then threads within each. */
  if (px != py)
    {
      if ((c = compare_ranked (px->has_sort, px->sort, px->name, py->has_sort, py->sort, py->name)) != 0 ||
          (c = compare_id (&x->pid, &y->pid)) != 0)
        return c;
      return px->order < py->order ? -1 : 1;
    }
  /* A process's async tracks after its threads. */
  if (x->async != y->async)
    return x->async ? 1 : -1;
  if ((c = compare_ranked (x->has_sort, x->sort, x->name, y->has_sort, y->sort, y->name)) != 0 ||
      (c = compare_id (&x->tid, &y->tid)) != 0)
    return c;
  return x->order < y->order ? -1 : x->order > y->order;
}

static int
small_id (const Id *id)
{
  /* 0 too: the file's ids are kept as it has them (a pid 0 is what many tools write). */
  return id->set && !id->is_string && id->num >= 0 && id->num <= G_MAXINT32 ? (int) id->num : -1;
}

/* The row of each of a thread's slices (sorted outer first, as compare_slice does) into
 * @depths: a slice nested in another goes one row below it, so row d holds the slices nested d
 * deep and no two slices of a row overlap. A slice that outlives the one it started in (not
 * properly nested: a bad file) goes one row deeper too, whole, rather than being cut. Returns
 * how many rows the thread needs. */
static guint
assign_depths (const GArray *slices, guint32 *depths)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (gint64));   /* ends of open ones */
  guint n_rows = 0;

  for (guint i = 0; i < slices->len; i++)
    {
      const Slice *s = &g_array_index (slices, Slice, i);

      /* Close what ended before this slice starts. The stack's entry d is row d's open slice: a
       * slice pushed at depth d is popped before another can be (slices come by start), so
       * rows never hold two at once; an entry below the top that ended already (under a slice
       * that outlived it) stays until that one closes, keeping the rows below it. */
      while (stack->len > 0 && g_array_index (stack, gint64, stack->len - 1) <= s->start_ns)
        g_array_set_size (stack, stack->len - 1);
      depths[i] = stack->len;
      g_array_append_val (stack, s->end_ns);
      n_rows = MAX (n_rows, stack->len);
    }
  return n_rows;
}

/* One thread's slices into its rows: lanes @first_worker … (one per depth), a task each, named
 * after the slice, on the lane of its depth. */
static void
place_slices (IlRunTrace *run, guint first_worker, Thread *t, const guint32 *depths,
              guint *next_task, gint64 origin, const GPtrArray *names)
{
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlSpan));

  for (guint i = 0; i < t->slices->len; i++)
    {
      const Slice *s = &g_array_index (t->slices, Slice, i);
      guint task = (*next_task)++;
      guint worker = first_worker + depths[i];
      IlTaskRecord *rec = il_run_trace_get_task (run, task);

      rec->worker = (int) worker;
      rec->start_ns = s->start_ns - origin;
      rec->end_ns = s->end_ns - origin;
      rec->status = IL_TASK_OK;
      il_run_trace_set_task_name (run, task, names->pdata[s->name]);
      il_chrome_marks_task (run, task, s->order);
      /* Still going when the file ends (the traced program crashed or the recording stopped):
       * pending, as a task of a run stopped while it ran, and said in words too. */
      if (s->unfinished)
        {
          rec->status = IL_TASK_PENDING;
          il_run_trace_set_task_error (run, task, _("unfinished: the file has no “E” for this “B”; "
                                                    "drawn up to the thread’s last event"));
        }
      /* Each lane gets its spans in order of start: slices come by start, and a row's never
       * overlap (assign_depths). Zero-length slices are tasks without a span. */
      if (s->end_ns > s->start_ns)
        {
          IlSpan sp = { s->start_ns - origin, s->end_ns - origin, 0, IL_STATE_RUNNING, 0, -1 };

          sp.task = (gint32) task;
          sp.worker = (guint16) worker;
          g_array_append_val (out, sp);
          if (out->len == 4096)
            {
              il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);
              g_array_set_size (out, 0);
            }
        }
    }
  il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);
  /* The lanes hold them now; a file of millions of slices needs its memory back at once. */
  g_clear_pointer (&t->slices, g_array_unref);
}

/* A file whose threads' rows would pass MAX_LANES: one thread's nested slices flattened into its
 * one lane, the deepest slice open at each instant (every slice is still a task). A slice that
 * outlives the one it started in is cut there at its parent's end. */
static void
flatten (IlRunTrace *run, guint worker, Thread *t, guint *next_task, gint64 origin,
         const GPtrArray *names)
{
  g_autoptr(GArray) stack = g_array_new (FALSE, FALSE, sizeof (Slice));
  g_autoptr(GArray) out = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  g_autoptr(GArray) task_of = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 cursor = G_MININT64;

#define EMIT(from, to, slice_index)                                                                \
  G_STMT_START {                                                                                   \
    if ((to) > (from))                                                                             \
      {                                                                                            \
        IlSpan sp = { (from) - origin, (to) - origin, 0, IL_STATE_RUNNING, 0, -1 };                \
        sp.task = (gint32) g_array_index (task_of, guint, (slice_index));                         \
        sp.worker = (guint16) worker;                                                              \
        g_array_append_val (out, sp);                                                              \
        if (out->len == 4096)                                                                      \
          {                                                                                        \
            il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);                  \
            g_array_set_size (out, 0);                                                             \
          }                                                                                        \
      }                                                                                            \
  } G_STMT_END

  for (guint i = 0; i < t->slices->len; i++)
    {
      Slice s = g_array_index (t->slices, Slice, i);
      guint task = (*next_task)++;
      IlTaskRecord *rec = il_run_trace_get_task (run, task);

      rec->worker = (int) worker;
      rec->start_ns = s.start_ns - origin;
      rec->end_ns = s.end_ns - origin;
      rec->status = IL_TASK_OK;
      il_run_trace_set_task_name (run, task, names->pdata[s.name]);
      il_chrome_marks_task (run, task, s.order);
      /* Still going when the file ends (the traced program crashed or the recording stopped):
       * pending, as a task of a run stopped while it ran, and said in words too. */
      if (s.unfinished)
        {
          rec->status = IL_TASK_PENDING;
          il_run_trace_set_task_error (run, task, _("unfinished: the file has no “E” for this “B”; "
                                                    "drawn up to the thread’s last event"));
        }

      /* Close what ended before this slice starts. */
      while (stack->len > 0)
        {
          Slice *top = &g_array_index (stack, Slice, stack->len - 1);

          if (top->end_ns > s.start_ns)
            break;
          EMIT (MAX (cursor, top->start_ns), top->end_ns, stack->len - 1);
          cursor = MAX (cursor, top->end_ns);
          g_array_set_size (stack, stack->len - 1);
          g_array_set_size (task_of, task_of->len - 1);
        }
      if (stack->len > 0)
        {
          Slice *top = &g_array_index (stack, Slice, stack->len - 1);

          EMIT (MAX (cursor, top->start_ns), s.start_ns, stack->len - 1);
          if (s.end_ns > top->end_ns)
            s.end_ns = top->end_ns;
        }
      cursor = MAX (cursor, s.start_ns);
      g_array_append_val (stack, s);
      g_array_append_val (task_of, task);
    }
  while (stack->len > 0)
    {
      Slice *top = &g_array_index (stack, Slice, stack->len - 1);

      EMIT (MAX (cursor, top->start_ns), top->end_ns, stack->len - 1);
      cursor = MAX (cursor, top->end_ns);
      g_array_set_size (stack, stack->len - 1);
      g_array_set_size (task_of, task_of->len - 1);
    }
#undef EMIT
  il_run_trace_append_many (run, (const IlSpan *) out->data, out->len);
  /* The lane holds them now; a file of millions of slices needs its memory back at once. */
  g_clear_pointer (&t->slices, g_array_unref);
}

static int
compare_mark (gconstpointer a, gconstpointer b)
{
  const Mark *x = a, *y = b;

  if (x->ts_ns != y->ts_ns)
    return x->ts_ns < y->ts_ns ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

/* A thread's "B"/"E" pairs into slices. Events need not be sorted (the format says so): they are
 * put in time order, file order among equal times, as the viewers do, and then each "E" closes
 * the innermost open "B". An "E" with nothing open is what a trace cut at its start looks like
 * and is skipped; a "B" never closed ends at the thread's last event and is marked unfinished
 * (not stretched to the end of the whole trace, where another thread's events may go on). */
static void
match_marks (Import *im, Thread *t)
{
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (Mark));
  guint made = 0;

  g_array_sort (t->marks, compare_mark);
  for (guint k = 0; k < t->marks->len; k++)
    {
      const Mark *m = &g_array_index (t->marks, Mark, k);
      const Mark *b;

      if (!m->is_end)
        {
          g_array_append_val (open, *m);
          continue;
        }
      if (open->len == 0)
        continue;
      b = &g_array_index (open, Mark, open->len - 1);
      {
        Slice s = { b->ts_ns, m->ts_ns, b->name, b->order, FALSE };

        g_array_append_val (t->slices, s);
        made++;
      }
      g_array_set_size (open, open->len - 1);
    }
  for (guint k = 0; k < open->len; k++)
    {
      const Mark *b = &g_array_index (open, Mark, k);
      Slice s = { b->ts_ns, t->last_ns, b->name, b->order, TRUE };

      g_array_append_val (t->slices, s);
      made++;
    }
  im->n_slices += made;
  g_clear_pointer (&t->marks, g_array_unref);
}

static IlTrace *
finish_foreign (Import *im)
{
  g_autoptr(IlTrace) trace = il_trace_new ();
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(IlRunTrace) run = NULL;
  g_autofree char *base = g_path_get_basename (im->lx.name);
  GPtrArray *threads = im->thread_list;
  gint64 origin = G_MAXINT64;
  guint next_task = 0;
  int next_pid = 1;
  g_autoptr(GHashTable) made_pids = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, NULL);
  gboolean flattened = FALSE;
  g_autofree char *warning = NULL;

  if (threads->len == 0)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: the Chrome trace has no thread with events"), im->lx.name);
      return NULL;
    }

  for (guint i = 0; i < threads->len; i++)
    {
      Thread *t = threads->pdata[i];

      match_marks (im, t);
      for (guint k = 0; k < t->slices->len; k++)
        origin = MIN (origin, g_array_index (t->slices, Slice, k).start_ns);
    }
  if (im->n_slices > MAX_TASKS)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: more than %u slices (the most one run holds)"), im->lx.name, MAX_TASKS);
      return NULL;
    }
  origin = MIN (origin, il_chrome_marks_first_ts (im));
  if (origin == G_MAXINT64)
    origin = im->any_ts ? im->max_ts : 0;
  if (im->max_ts - origin > MAX_SPAN_NS)
    {
      g_set_error (im->lx.error, IL_ERROR, IL_ERROR_INVALID,
                   _("%s: the events span more than 31 years (from %" PRId64 " µs to %" PRId64 " µs)"),
                   im->lx.name, origin / 1000, im->max_ts / 1000);
      return NULL;
    }

  g_ptr_array_sort_with_data (threads, compare_thread, im);
  /* A row per depth of nesting in every thread, while they fit in a run's lanes: a file of
   * thousands of threads nested deep is drawn flattened instead, saying so, every slice kept. */
  {
    guint64 n_lanes = 0;

    for (guint i = 0; i < threads->len; i++)
      {
        Thread *t = threads->pdata[i];
        g_autofree guint32 *depths = g_new (guint32, MAX (t->slices->len, 1));

        g_array_sort (t->slices, compare_slice);
        n_lanes += MAX (assign_depths (t->slices, depths), 1);
      }
    if (n_lanes > MAX_LANES)
      {
        flattened = TRUE;
        warning = g_strdup_printf (_("%s: its threads’ nested slices would need %" PRIu64
                                     " rows, more than the %u lanes a run holds: each thread is "
                                     "drawn flattened (the deepest slice at each instant)"),
                                   im->lx.name, n_lanes, MAX_LANES);
      }
  }

  for (guint i = 0; i < threads->len; i++)
    {
      Id *pid = &((Thread *) threads->pdata[i])->pid;
      int n = small_id (pid);

      if (n > 0)
        next_pid = MAX (next_pid, n + 1);
    }

  config->executor = IL_EXECUTOR_EXTERNAL;
  /* Threads: async tracks are rows of their process, not threads. */
  config->workers = 0;
  for (guint i = 0; i < threads->len; i++)
    config->workers += !((Thread *) threads->pdata[i])->async;
  config->tasks = (guint) im->n_slices;
  config->task_ms = 0;
  config->source = g_strdup ("chrome-trace");
  config->label = g_strdup (base);
  run = il_run_trace_new (config);
  il_run_trace_set_label (run, base);
  il_run_trace_set_live (run, FALSE);
  il_run_trace_set_origin_ns (run, origin);
  il_run_trace_set_capture (run, IL_CAPTURE_AUTO);
  il_run_trace_set_n_cpus (run, 1);
  il_run_trace_set_n_tasks (run, (guint) im->n_slices);

  il_chrome_marks_begin (im, run);
  for (guint i = 0; i < threads->len; i++)
    {
      Thread *t = threads->pdata[i];
      Process *p = g_hash_table_lookup (im->processes, t->pid_key);
      int pid = small_id (&t->pid);
      int tid = small_id (&t->tid);
      g_autofree char *tname = NULL;
      g_autofree guint32 *depths = g_new (guint32, MAX (t->slices->len, 1));
      guint first_worker = t->first_worker = il_run_trace_get_n_workers (run);
      guint n_rows = flattened ? 1 : MAX (assign_depths (t->slices, depths), 1);

      /* Processes named by a string (ray's "Node 10.0.0.1") get a made-up number, one each. */
      if (pid < 0)
        {
          gpointer v = g_hash_table_lookup (made_pids, t->pid_key);

          if (v == NULL)
            {
              v = GINT_TO_POINTER (next_pid++);
              g_hash_table_insert (made_pids, t->pid_key, v);
            }
          pid = GPOINTER_TO_INT (v);
        }
      if (t->name != NULL)
        tname = g_strdup (t->name);
      else if (t->tid.is_string)
        tname = g_strdup (t->tid.str);
      else
        tname = g_strdup_printf (_("thread %" PRId64), t->tid.num);
      /* A row per depth of nesting, each named as the thread (its label is drawn once). */
      for (guint d = 0; d < n_rows; d++)
        {
          guint w = il_run_trace_add_worker (run, IL_WORKER_THREAD, pid, tid, tname);

          if (d > 0 || t->async)
            il_run_trace_set_worker_depth (run, w, d, t->async);
        }
      /* Lanes belong to their process, as a traced program's do. */
      if (il_run_trace_find_process (run, pid) == NULL)
        {
          g_autofree char *pname = p->name != NULL ? g_strdup (p->name)
                                   : t->pid.is_string ? g_strdup (t->pid.str) : NULL;

          il_run_trace_add_process (run, pid, 0, NULL, pname);
        }
      if (flattened)
        flatten (run, first_worker, t, &next_task, origin, im->names);
      else
        place_slices (run, first_worker, t, depths, &next_task, origin, im->names);
    }

  il_chrome_marks_finish (im, run, threads, origin);
  il_run_trace_compute_summary (run);
  il_run_trace_set_speedup (run, NAN);
  il_trace_set_machine (trace, 1, "", "");
  il_trace_add_run (trace, run);
  if (warning != NULL)
    il_trace_add_warning (trace, warning);
  return g_steal_pointer (&trace);
}


/* ------------------------------------------------------------------------------------------------
 * The import's state */

void
il_chrome_import_init (Import *im, IlTraceSource *src, IlTraceHeaderReader read_header,
                       GError **error)
{
  memset (im, 0, sizeof *im);
  il_json_lexer_init (&im->lx, src->name, src->data, src->length, error);
  im->read_header = read_header;
  im->threads = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) thread_free);
  im->thread_list = g_ptr_array_new ();
  im->processes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) process_free);
  im->name_ids = g_hash_table_new (g_str_hash, g_str_equal);
  im->names = g_ptr_array_new ();
  im->name_chunk = g_string_chunk_new (64 * 1024);
}

void
il_chrome_import_clear (Import *im)
{
  if (im->spans != NULL)
    {
      for (guint r = 0; r < il_trace_get_n_runs (im->own); r++)
        g_array_unref (im->spans[r]);
      g_free (im->spans);
    }
  g_clear_pointer (&im->own, il_trace_unref);
  g_ptr_array_unref (im->thread_list);
  g_hash_table_unref (im->threads);
  g_hash_table_unref (im->processes);
  g_hash_table_unref (im->name_ids);
  g_ptr_array_unref (im->names);
  g_string_chunk_free (im->name_chunk);
  g_free (im->cut);
  il_chrome_marks_free (im);
  il_json_lexer_clear (&im->lx);
}

void
il_chrome_forget_lanes (Import *im)
{
  im->last_thread = NULL;
  g_hash_table_remove_all (im->threads);
  g_ptr_array_set_size (im->thread_list, 0);
  g_hash_table_remove_all (im->processes);
  im->n_slices = 0;
  im->n_begins = 0;
  il_chrome_marks_free (im);
}

IlTrace *
il_chrome_finish (Import *im)
{
  return im->own != NULL ? finish_own (im) : finish_foreign (im);
}
