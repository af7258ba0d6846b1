/* il-trace-marks.c: a run's instants, counters, flows and slice categories and arguments. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "il-json-write.h"
#include "il-trace-marks.h"
#include "il-trace-private.h"

typedef struct
{
  IlCounter  c;
  GArray    *points;   /* of IlCounterPoint */
  gboolean   sorted;
} Series;

typedef struct
{
  const char *category;
  const char *args;
} TaskMeta;

struct _IlRunMarks
{
  GStringChunk *strings;     /* names, categories, arguments, ids: shared copies */
  GArray       *instants;    /* of IlInstant */
  gboolean      instants_sorted;
  GPtrArray    *by_lane;     /* per worker + 1 (slot 0: no lane): GPtrArray of IlInstant*, or NULL */
  GPtrArray    *counters;    /* of Series* */
  GHashTable   *counter_ids; /* "pid\x1fname\x1fkey" → index + 1 */
  GArray       *flows;       /* of IlFlow */
  GArray       *task_meta;   /* of TaskMeta, per task; NULL until one is set */
};

static void
series_free (gpointer data)
{
  Series *s = data;

  g_array_unref (s->points);
  g_free (s);
}

void
il_run_marks_free (IlRunMarks *m)
{
  if (m == NULL)
    return;
  g_string_chunk_free (m->strings);
  g_array_unref (m->instants);
  g_clear_pointer (&m->by_lane, g_ptr_array_unref);
  g_ptr_array_unref (m->counters);
  g_hash_table_unref (m->counter_ids);
  g_array_unref (m->flows);
  g_clear_pointer (&m->task_meta, g_array_unref);
  g_free (m);
}

static IlRunMarks *
marks_get (IlRunTrace *self)
{
  IlRunMarks *m = self->marks;

  if (m != NULL)
    return m;
  m = g_new0 (IlRunMarks, 1);
  m->strings = g_string_chunk_new (16 * 1024);
  m->instants = g_array_new (FALSE, FALSE, sizeof (IlInstant));
  m->instants_sorted = TRUE;
  m->counters = g_ptr_array_new_with_free_func (series_free);
  m->counter_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  m->flows = g_array_new (FALSE, FALSE, sizeof (IlFlow));
  self->marks = m;
  return m;
}

static const char *
keep (IlRunMarks *m, const char *s)
{
  return s != NULL ? g_string_chunk_insert_const (m->strings, s) : NULL;
}

/* ------------------------------------------------------------------------------------------------
 * Instants */

void
il_run_trace_add_instant (IlRunTrace *self, const IlInstant *instant)
{
  IlRunMarks *m;
  IlInstant copy;

  g_return_if_fail (self != NULL && instant != NULL);

  m = marks_get (self);
  copy = *instant;
  copy.name = keep (m, instant->name != NULL ? instant->name : "");
  copy.category = keep (m, instant->category);
  copy.args = keep (m, instant->args);
  if (m->instants->len > 0 && copy.ts_ns < g_array_index (m->instants, IlInstant, m->instants->len - 1).ts_ns)
    m->instants_sorted = FALSE;
  g_array_append_val (m->instants, copy);
  g_clear_pointer (&m->by_lane, g_ptr_array_unref);
}

static int
compare_instant (gconstpointer a, gconstpointer b)
{
  const IlInstant *x = a, *y = b;

  return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

static void
instants_sort (IlRunMarks *m)
{
  if (m->instants_sorted)
    return;
  /* Stable: equal times keep the file's order. */
  g_array_sort (m->instants, compare_instant);
  m->instants_sorted = TRUE;
}

guint
il_run_trace_get_n_instants (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->marks != NULL ? self->marks->instants->len : 0;
}

const IlInstant *
il_run_trace_get_instant (IlRunTrace *self, guint index)
{
  g_return_val_if_fail (index < il_run_trace_get_n_instants (self), NULL);
  instants_sort (self->marks);
  return &g_array_index (self->marks->instants, IlInstant, index);
}

/* Lanes without instants have no array. */
static void
lane_free (gpointer data)
{
  if (data != NULL)
    g_ptr_array_unref (data);
}

const IlInstant *const *
il_run_trace_find_instants (IlRunTrace *self, int worker, gint64 t0, gint64 t1, guint *n)
{
  IlRunMarks *m;
  GPtrArray *lane;
  guint lo = 0, hi, first;

  g_return_val_if_fail (n != NULL, NULL);
  *n = 0;
  g_return_val_if_fail (self != NULL, NULL);
  m = self->marks;
  if (m == NULL || m->instants->len == 0)
    return NULL;
  instants_sort (m);
  if (m->by_lane == NULL)
    {
      /* Lane by lane, each in time order (the instants are), built on first use. */
      m->by_lane = g_ptr_array_new_with_free_func (lane_free);
      for (guint i = 0; i < m->instants->len; i++)
        {
          IlInstant *in = &g_array_index (m->instants, IlInstant, i);
          guint slot = in->scope == IL_MARK_SCOPE_THREAD && in->worker >= 0 ? (guint) in->worker + 1 : 0;

          if (slot >= m->by_lane->len)
            g_ptr_array_set_size (m->by_lane, slot + 1);
          if (m->by_lane->pdata[slot] == NULL)
            m->by_lane->pdata[slot] = g_ptr_array_new ();
          g_ptr_array_add (m->by_lane->pdata[slot], in);
        }
    }
  if ((guint) (worker + 1) >= m->by_lane->len || (lane = m->by_lane->pdata[worker + 1]) == NULL)
    return NULL;
  hi = lane->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (((IlInstant *) lane->pdata[mid])->ts_ns < t0)
        lo = mid + 1;
      else
        hi = mid;
    }
  first = lo;
  hi = lane->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (((IlInstant *) lane->pdata[mid])->ts_ns < t1)
        lo = mid + 1;
      else
        hi = mid;
    }
  *n = lo - first;
  return (const IlInstant *const *) lane->pdata + first;
}

/* ------------------------------------------------------------------------------------------------
 * Counters */

guint
il_run_trace_add_counter (IlRunTrace *self, int pid, const char *name, const char *key,
                          const char *category)
{
  IlRunMarks *m;
  g_autofree char *id = NULL;
  gpointer v;
  Series *s;

  g_return_val_if_fail (self != NULL, 0);

  m = marks_get (self);
  id = g_strdup_printf ("%d\x1f%s\x1f%s", pid, name != NULL ? name : "", key != NULL ? key : "");
  if (g_hash_table_lookup_extended (m->counter_ids, id, NULL, &v))
    return GPOINTER_TO_UINT (v) - 1;
  s = g_new0 (Series, 1);
  s->c.name = keep (m, name != NULL ? name : "");
  s->c.key = keep (m, key != NULL ? key : "");
  s->c.category = keep (m, category);
  s->c.pid = pid;
  s->points = g_array_new (FALSE, FALSE, sizeof (IlCounterPoint));
  s->sorted = TRUE;
  g_ptr_array_add (m->counters, s);
  g_hash_table_insert (m->counter_ids, g_steal_pointer (&id), GUINT_TO_POINTER (m->counters->len));
  return m->counters->len - 1;
}

void
il_run_trace_add_counter_point (IlRunTrace *self, guint counter, gint64 ts_ns, double value)
{
  IlCounterPoint p = { ts_ns, value };
  Series *s;

  g_return_if_fail (counter < il_run_trace_get_n_counters (self));

  s = self->marks->counters->pdata[counter];
  if (s->points->len == 0)
    s->c.min = s->c.max = value;
  s->c.min = MIN (s->c.min, value);
  s->c.max = MAX (s->c.max, value);
  if (s->points->len > 0 && ts_ns < g_array_index (s->points, IlCounterPoint, s->points->len - 1).ts_ns)
    s->sorted = FALSE;
  g_array_append_val (s->points, p);
}

guint
il_run_trace_get_n_counters (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->marks != NULL ? self->marks->counters->len : 0;
}

static int
compare_point (gconstpointer a, gconstpointer b)
{
  const IlCounterPoint *x = a, *y = b;

  return (x->ts_ns > y->ts_ns) - (x->ts_ns < y->ts_ns);
}

const IlCounter *
il_run_trace_get_counter (IlRunTrace *self, guint index)
{
  Series *s;

  g_return_val_if_fail (index < il_run_trace_get_n_counters (self), NULL);

  s = self->marks->counters->pdata[index];
  if (!s->sorted)
    {
      g_array_sort (s->points, compare_point);
      s->sorted = TRUE;
    }
  s->c.points = (const IlCounterPoint *) s->points->data;
  s->c.n_points = s->points->len;
  return &s->c;
}

char *
il_run_trace_get_counter_label (IlRunTrace *self, guint index)
{
  const IlCounter *c = il_run_trace_get_counter (self, index);
  const IlProcessInfo *proc = il_run_trace_get_n_processes (self) > 1
                                ? il_run_trace_find_process (self, c->pid) : NULL;
  g_autofree char *base = NULL;

  if (*c->key == '\0' || strcmp (c->key, "value") == 0 || strcmp (c->key, c->name) == 0)
    base = g_strdup (c->name);
  else
    base = g_strdup_printf ("%s: %s", c->name, c->key);
  if (proc == NULL)
    return g_steal_pointer (&base);
  if (proc->name != NULL && *proc->name != '\0')
    return g_strdup_printf ("%s (%s)", base, proc->name);
  return g_strdup_printf ("%s (pid %d)", base, proc->pid);
}

guint64
il_run_trace_get_n_counter_points (IlRunTrace *self)
{
  guint64 n = 0;

  for (guint i = 0; i < il_run_trace_get_n_counters (self); i++)
    n += ((Series *) self->marks->counters->pdata[i])->points->len;
  return n;
}

/* ------------------------------------------------------------------------------------------------
 * Flows */

void
il_run_trace_add_flow (IlRunTrace *self, const IlFlow *flow)
{
  IlRunMarks *m;
  IlFlow copy;

  g_return_if_fail (self != NULL && flow != NULL);

  m = marks_get (self);
  copy = *flow;
  copy.id = keep (m, flow->id != NULL ? flow->id : "");
  copy.name = keep (m, flow->name != NULL ? flow->name : "");
  copy.category = keep (m, flow->category);
  g_array_append_val (m->flows, copy);
}

guint
il_run_trace_get_n_flows (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->marks != NULL ? self->marks->flows->len : 0;
}

const IlFlow *
il_run_trace_get_flow (IlRunTrace *self, guint index)
{
  g_return_val_if_fail (index < il_run_trace_get_n_flows (self), NULL);
  return &g_array_index (self->marks->flows, IlFlow, index);
}

/* ------------------------------------------------------------------------------------------------
 * Slices' categories and arguments, beside the task records (a run without them pays nothing) */

void
il_run_trace_set_task_meta (IlRunTrace *self, guint task, const char *category, const char *args)
{
  IlRunMarks *m;
  TaskMeta *meta;

  g_return_if_fail (self != NULL);
  g_return_if_fail (task < il_run_trace_get_n_tasks (self));

  if (category == NULL && args == NULL && (self->marks == NULL || self->marks->task_meta == NULL))
    return;
  m = marks_get (self);
  if (m->task_meta == NULL)
    m->task_meta = g_array_new (FALSE, TRUE, sizeof (TaskMeta));
  if (task >= m->task_meta->len)
    g_array_set_size (m->task_meta, MAX (task + 1, il_run_trace_get_n_tasks (self)));
  meta = &g_array_index (m->task_meta, TaskMeta, task);
  meta->category = keep (m, category);
  meta->args = keep (m, args);
}

static const TaskMeta *
task_meta (IlRunTrace *self, guint task)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->marks == NULL || self->marks->task_meta == NULL || task >= self->marks->task_meta->len)
    return NULL;
  return &g_array_index (self->marks->task_meta, TaskMeta, task);
}

const char *
il_run_trace_get_task_category (IlRunTrace *self, guint task)
{
  const TaskMeta *meta = task_meta (self, task);

  return meta != NULL ? meta->category : NULL;
}

const char *
il_run_trace_get_task_args (IlRunTrace *self, guint task)
{
  const TaskMeta *meta = task_meta (self, task);

  return meta != NULL ? meta->args : NULL;
}

gboolean
il_run_trace_has_task_meta (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->marks != NULL && self->marks->task_meta != NULL;
}

/* ------------------------------------------------------------------------------------------------
 * JSON text */

char *
il_json_compact (const char *json, gsize len)
{
  GString *out = g_string_sized_new (len);

  if (!il_json_compact_into (out, json, len))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

gboolean
il_json_compact_into (GString *out, const char *json, gsize len)
{
  gboolean in_string = FALSE;

  g_string_truncate (out, 0);
  for (gsize i = 0; i < len; i++)
    {
      char c = json[i];

      if (in_string)
        {
          g_string_append_c (out, c);
          if (c == '\\' && i + 1 < len)
            g_string_append_c (out, json[++i]);
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
        continue;
      if (c == '"')
        in_string = TRUE;
      g_string_append_c (out, c);
    }
  return out->len > 0 && strcmp (out->str, "{}") != 0;
}

static void
append_cut (GString *s, const char *text, guint max_chars)
{
  glong n = g_utf8_strlen (text, -1);

  if ((guint) n <= max_chars)
    {
      g_string_append (s, text);
      return;
    }
  g_string_append_len (s, text, g_utf8_offset_to_pointer (text, MAX (max_chars, 2) - 1) - text);
  g_string_append (s, "…");
}

char *
il_json_args_describe (const char *args, guint max_lines, guint max_chars)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) members = NULL;
  GString *s = g_string_new (NULL);
  JsonObject *obj;
  guint lines = 0, total;

  if (args == NULL || !json_parser_load_from_data (parser, args, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      if (args != NULL)
        append_cut (s, args, max_chars);
      return g_string_free (s, FALSE);
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  members = json_object_get_members (obj);
  total = g_list_length (members);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (obj, l->data);
      g_autofree char *text = NULL;
      g_autofree char *line = NULL;

      if (lines == max_lines - 1 && total > max_lines)
        {
          g_string_append_printf (s, "%s…", s->len > 0 ? "\n" : "");
          break;
        }
      if (JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_STRING)
        text = g_strdup (json_node_get_string (v));
      else
        text = il_json_to_data (v, FALSE, 0, NULL);
      line = g_strdup_printf ("%s: %s", (const char *) l->data, text);
      if (s->len > 0)
        g_string_append_c (s, '\n');
      append_cut (s, line, max_chars);
      lines++;
    }
  return g_string_free (s, FALSE);
}
