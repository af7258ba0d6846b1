/* il-trace-read-rows.c: trace v1 reader: span rows and tasks, parsed straight into the run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "il-json-private.h"
#include "il-trace-marks.h"
#include "il-trace-native-private.h"

/* ------------------------------------------------------------------------------------------------
 * Span rows: the fast path. A row is [worker, "state", cpu, task, start_ns, end_ns] in the
 * order of spans_columns, and there are millions of them: they are read by hand here, with the
 * lexer only for its cursor, its messages and the rare state name written with escapes. */

typedef struct
{
  IlJsonLexer lx;     /* over the array's content; lx.data is the file's start, for lines */
  guint       run;
  guint       task;   /* index in "tasks", for messages */
} RowParser;

static void
row_parser_init (RowParser *rp, IlTraceSource *src, const IlRowRange *range, GError **error,
                 IlJsonWhereFunc where)
{
  il_json_lexer_init (&rp->lx, src->name, src->data, src->length, error);
  rp->lx.p = src->data + range->start;
  rp->lx.end = src->data + range->end;
  rp->lx.where = where;
  rp->lx.where_data = rp;
}

static void
row_parser_clear (RowParser *rp)
{
  il_json_lexer_clear (&rp->lx);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RowParser, row_parser_clear)

static void
spans_where (gpointer data, GString *message)
{
  RowParser *rp = data;

  g_string_append_printf (message, "runs[%u].spans: ", rp->run);
}

#define row_fail(rp, ...) il_json_fail (&(rp)->lx, __VA_ARGS__)

static inline gboolean
row_expect (RowParser *rp, char c)
{
  il_json_skip_ws (&rp->lx);
  if (rp->lx.p >= rp->lx.end || *rp->lx.p != c)
    return row_fail (rp, _("expected “%c”"), c);
  rp->lx.p++;
  return TRUE;
}

static gboolean
row_int (RowParser *rp, gint64 *out)
{
  const char *start;
  gboolean neg = FALSE;
  guint64 v = 0;
  int digits = 0;

  il_json_skip_ws (&rp->lx);
  start = rp->lx.p;
  if (rp->lx.p < rp->lx.end && *rp->lx.p == '-')
    {
      neg = TRUE;
      rp->lx.p++;
    }
  while (rp->lx.p < rp->lx.end && g_ascii_isdigit (*rp->lx.p))
    {
      v = v * 10 + (guint64) (*rp->lx.p - '0');
      rp->lx.p++;
      digits++;
    }
  if (rp->lx.p < rp->lx.end && (*rp->lx.p == '.' || *rp->lx.p == 'e' || *rp->lx.p == 'E'))
    {
      /* JSON allows 1.0 or 1e6 for whole numbers; accept them when they are whole. */
      char buf[64];
      char *endp = NULL;
      double d;
      gsize n;

      while (rp->lx.p < rp->lx.end && (g_ascii_isdigit (*rp->lx.p) || memchr (".eE+-", *rp->lx.p, 5) != NULL))
        rp->lx.p++;
      n = MIN ((gsize) (rp->lx.p - start), sizeof buf - 1);
      memcpy (buf, start, n);
      buf[n] = '\0';
      d = g_ascii_strtod (buf, &endp);
      if (digits == 0 || *endp != '\0' || d != floor (d) || fabs (d) > 9.0e18)
        {
          rp->lx.p = start;
          return row_fail (rp, _("expected a whole number"));
        }
      *out = (gint64) d;
      return TRUE;
    }
  if (digits == 0 || digits > 18)
    {
      rp->lx.p = start;
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

  il_json_skip_ws (&rp->lx);
  if (rp->lx.p >= rp->lx.end || *rp->lx.p != '"')
    return row_fail (rp, _("expected a state name in quotes"));
  start = rp->lx.p + 1;
  q = memchr (start, '"', (gsize) (rp->lx.end - start));
  if (q == NULL)
    return row_fail (rp, _("unterminated string"));
  /* Escapes are the lexer's: the same name however it is written. */
  if (memchr (start, '\\', (gsize) (q - start)) != NULL)
    {
      const char *at = rp->lx.p;

      if (!il_json_string (&rp->lx))
        return FALSE;
      if (il_state_from_string (rp->lx.str->str, out))
        return TRUE;
      rp->lx.p = at;
      name = g_strndup (rp->lx.str->str, 40);
      return row_fail (rp, _("unknown state “%s”"), name);
    }
  for (int s = 0; s < IL_N_STATES; s++)
    {
      const char *sname = il_state_to_string ((IlState) s);
      gsize n = strlen (sname);

      if ((gsize) (q - start) == n && memcmp (start, sname, n) == 0)
        {
          *out = (IlState) s;
          rp->lx.p = q + 1;
          return TRUE;
        }
    }
  name = g_strndup (start, MIN ((gsize) (q - start), 40));
  return row_fail (rp, _("unknown state “%s”"), name);
}

#define ROW_BATCH 4096

gboolean
il_read_span_rows (IlTraceSource *src, const IlRowRange *range, IlRunTrace *run,
                   const int columns[N_COLS], GError **error)
{
  g_auto(RowParser) rp = { { NULL, }, range->run, 0 };
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_tasks = il_run_trace_get_n_tasks (run);
  guint n_cpus = il_run_trace_get_n_cpus (run);
  g_autofree gint64 *last_end = g_new (gint64, MAX (n_workers, 1));
  g_autofree IlSpan *batch = g_new (IlSpan, ROW_BATCH);
  guint n_batch = 0;

  row_parser_init (&rp, src, range, error, spans_where);
  for (guint i = 0; i < n_workers; i++)
    last_end[i] = G_MININT64;

  il_json_skip_ws (&rp.lx);
  if (rp.lx.p >= rp.lx.end)
    return TRUE;

  for (;;)
    {
      gint64 v[N_COLS] = { 0, };
      IlState state = IL_STATE_IDLE;
      const char *row_start, *row_end;
      IlSpan *s;

      il_json_skip_ws (&rp.lx);
      row_start = rp.lx.p;
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
      row_end = rp.lx.p;
      rp.lx.p = row_start;
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
          il_trace_source_drop_behind (src, (gsize) (row_end - src->data));
        }

      rp.lx.p = row_end;
      il_json_skip_ws (&rp.lx);
      if (rp.lx.p >= rp.lx.end)
        break;
      if (*rp.lx.p != ',')
        return row_fail (&rp, _("expected “,” between spans"));
      rp.lx.p++;
    }

  if (n_batch > 0)
    il_run_trace_append_many (run, batch, n_batch);
  return TRUE;
}

/* ------------------------------------------------------------------------------------------------
 * Tasks, straight into the run's task records: a JsonNode per value would cost a 1 M-task file
 * more than a gigabyte. The grammar is JSON's, through the lexer; members other than the ones
 * below are checked and skipped, as json-glib's reader ignores them. */

static void
tasks_where (gpointer data, GString *message)
{
  RowParser *rp = data;

  g_string_append_printf (message, "runs[%u].tasks[%u]: ", rp->run, rp->task);
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
  TASK_CAT,                       /* optional: an imported slice's category */
  TASK_ARGS,                      /* optional: its arguments, an object */
  N_TASK_KEYS
};

static const char *const task_keys[N_TASK_KEYS] = { "id", "worker", "start_ns", "end_ns", "status",
                                                    "error", "name", "cat", "args" };

static gboolean
task_int (RowParser *rp, const IlJsonValue *v, const char *key, gint64 min, gint64 max)
{
  if (v->kind != IL_JSON_INT)
    return row_fail (rp, _("“%s” must be a whole number"), key);
  if (v->i < min || v->i > max)
    return row_fail (rp, _("“%s” is %" PRId64 ", outside %" PRId64 "…%" PRId64), key, v->i, min,
                     max);
  return TRUE;
}

/* A string member's value; lx.str holds it. */
static gboolean
task_string (RowParser *rp, const IlJsonValue *v, const char *key)
{
  if (v->kind != IL_JSON_STRING)
    return row_fail (rp, _("“%s” must be a string"), key);
  return TRUE;
}

/* The member just read (key @k, value @v) into @task. */
static gboolean
task_member (RowParser *rp, IlRunTrace *run, IlTaskRecord *task, int k, const IlJsonValue *v)
{
  const char *str = rp->lx.str->str;

  switch (k)
    {
    case TASK_ID:
      if (!task_int (rp, v, "id", 0, G_MAXINT32))
        return FALSE;
      if (v->i != rp->task)
        return row_fail (rp, _("“id” is %" PRId64 " but tasks must be numbered 0, 1, 2, … in order"),
                         v->i);
      return TRUE;
    case TASK_WORKER:
      if (!task_int (rp, v, "worker", -1, (gint64) il_run_trace_get_n_workers (run) - 1))
        return FALSE;
      task->worker = (int) v->i;
      return TRUE;
    case TASK_START:
      if (!task_int (rp, v, "start_ns", G_MININT64, G_MAXINT64))
        return FALSE;
      task->start_ns = v->i;
      return TRUE;
    case TASK_END:
      if (!task_int (rp, v, "end_ns", G_MININT64, G_MAXINT64))
        return FALSE;
      task->end_ns = v->i;
      return TRUE;
    case TASK_STATUS:
      if (!task_string (rp, v, "status"))
        return FALSE;
      if (!il_task_status_from_string (str, &task->status))
        {
          g_autofree char *shown = g_strndup (str, 40);
          return row_fail (rp, _("unknown task status “%s”"), shown);
        }
      return TRUE;
    case TASK_ERROR:
      if (!task_string (rp, v, "error"))
        return FALSE;
      il_run_trace_set_task_error (run, rp->task, str);
      return TRUE;
    case TASK_NAME:
      if (!task_string (rp, v, "name"))
        return FALSE;
      il_run_trace_set_task_name (run, rp->task, str);
      return TRUE;
    case TASK_CAT:
      if (!task_string (rp, v, "cat"))
        return FALSE;
      il_run_trace_set_task_meta (run, rp->task, str, il_run_trace_get_task_args (run, rp->task));
      return TRUE;
    case TASK_ARGS:
      if (v->kind != IL_JSON_OBJECT)
        return row_fail (rp, _("“%s” must be an object"), "args");
      return TRUE;
    default:
      /* A member this version does not know: ignored, like every reader of JSON does. */
      return TRUE;
    }
}

/* One task object into @task (index rp->task). */
static gboolean
read_task (RowParser *rp, IlRunTrace *run, IlTaskRecord *task)
{
  IlJsonLexer *lx = &rp->lx;
  gboolean seen[N_TASK_KEYS] = { FALSE, };
  gboolean more;
  const char *obj_start;

  il_json_skip_ws (lx);
  obj_start = lx->p;
  if (lx->p >= lx->end || *lx->p != '{')
    return row_fail (rp, _("must be an object"));
  if (!il_json_open (lx, '{', &more))
    return FALSE;
  while (more)
    {
      IlJsonValue v;
      const char *value_at;
      int k;

      if (!il_json_key (lx))
        return FALSE;
      for (k = 0; k < N_TASK_KEYS; k++)
        if (il_json_key_is (lx, task_keys[k]))
          break;
      if (k < N_TASK_KEYS && seen[k])
        return row_fail (rp, _("the key “%s” appears twice in one object"), task_keys[k]);
      /* Root, runs, run, tasks and the task are around the value. */
      il_json_skip_ws (lx);
      value_at = lx->p;
      if (!il_json_value (lx, &v, 5) || !task_member (rp, run, task, k, &v))
        return FALSE;
      if (k == TASK_ARGS)
        {
          g_autofree char *args = il_json_compact (value_at, (gsize) (lx->p - value_at));

          il_run_trace_set_task_meta (run, rp->task, il_run_trace_get_task_category (run, rp->task), args);
        }
      if (k < N_TASK_KEYS)
        seen[k] = TRUE;
      if (!il_json_next (lx, '}', &more))
        return FALSE;
    }

  for (int k = 0; k < N_TASK_REQUIRED; k++)
    if (!seen[k])
      {
        lx->p = obj_start;
        return row_fail (rp, _("“%s” is missing"), task_keys[k]);
      }
  task->id = rp->task;
  return TRUE;
}

gboolean
il_read_tasks (IlTraceSource *src, const IlRowRange *range, IlRunTrace *run, GError **error)
{
  g_auto(RowParser) rp = { { NULL, }, range->run, 0 };

  if (range->n_objects > (1u << 23))
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID, "%s: runs[%u]: %s", src->name, range->run,
                   _("too many tasks"));
      return FALSE;
    }
  il_run_trace_set_n_tasks (run, range->n_objects);

  row_parser_init (&rp, src, range, error, tasks_where);
  il_json_skip_ws (&rp.lx);
  if (rp.lx.p >= rp.lx.end)
    return TRUE;
  for (;; rp.task++)
    {
      /* Every element that is an object was counted; anything else fails in read_task(). */
      if (rp.task >= range->n_objects)
        return row_fail (&rp, _("must be an object"));
      if (!read_task (&rp, run, il_run_trace_get_task (run, rp.task)))
        return FALSE;
      if ((rp.task & 0xffff) == 0)
        il_trace_source_drop_behind (src, (gsize) (rp.lx.p - src->data));
      il_json_skip_ws (&rp.lx);
      if (rp.lx.p >= rp.lx.end)
        break;
      if (*rp.lx.p != ',')
        return row_fail (&rp, _("expected “,” between tasks"));
      rp.lx.p++;
    }
  return TRUE;
}
