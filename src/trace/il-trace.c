/* il-trace.c: the trace model: runs with their workers, tasks and spans, and traces of runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <sys/utsname.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-trace-private.h"
#include "il-trace-stacks.h"

/* Boxed by reference: a GValue, a property or a list model holding a run or a trace shares it
 * (copying one means a reference, as everywhere else in the program). */
G_DEFINE_BOXED_TYPE (IlRunTrace, il_run_trace, il_run_trace_ref, il_run_trace_unref)
G_DEFINE_BOXED_TYPE (IlTrace, il_trace, il_trace_ref, il_trace_unref)

/* Runs */

IlRunTrace *
il_run_trace_new (const IlRunConfig *config)
{
  IlRunTrace *self = g_new0 (IlRunTrace, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->config = config != NULL ? il_run_config_copy (config) : il_run_config_new ();
  self->max_spans = self->config->max_spans;
  self->capture = IL_CAPTURE_SELF;
  self->n_cpus = il_cpu_count ();
  self->workers = g_array_new (FALSE, TRUE, sizeof (IlWorkerInfo));
  self->lanes = g_ptr_array_new_with_free_func (il_lane_free);
  self->tasks = g_array_new (FALSE, TRUE, sizeof (IlTaskRecord));
  self->summary.speedup = NAN;
  self->summary.other_share = NAN;
  self->exit_code = -1;
  g_datalist_init (&self->data);
  return self;
}

IlRunTrace *
il_run_trace_ref (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
il_run_trace_unref (IlRunTrace *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_datalist_clear (&self->data);
  g_clear_pointer (&self->task_errors, g_hash_table_unref);
  g_clear_pointer (&self->previous_pids, g_hash_table_unref);
  g_clear_pointer (&self->cpu_load, il_cpu_load_free);
  g_clear_pointer (&self->undrawn, g_array_unref);
  il_run_trace_clear_processes (self);
  for (guint i = 0; i < self->workers->len; i++)
    g_free (g_array_index (self->workers, IlWorkerInfo, i).name);
  g_array_unref (self->workers);
  g_ptr_array_unref (self->lanes);
  g_array_unref (self->tasks);
  g_clear_pointer (&self->task_names, g_string_chunk_free);
  g_clear_pointer (&self->marks, il_run_marks_free);
  g_clear_pointer (&self->stacks, il_trace_stacks_free);
  g_clear_pointer (&self->output, il_run_output_free);
  il_run_config_free (self->config);
  g_free (self->label);
  g_free (self);
}

const char *
il_run_trace_get_label (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->label == NULL)
    self->label = il_run_config_get_title (self->config);
  return self->label;
}

void
il_run_trace_set_label (IlRunTrace *self, const char *label)
{
  g_return_if_fail (self != NULL);
  g_free (self->label);
  self->label = g_strdup (label);
}

const IlRunConfig *
il_run_trace_get_config (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->config;
}

void
il_run_trace_set_config (IlRunTrace        *self,
                         const IlRunConfig *config)
{
  IlRunConfig *copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (config != NULL);

  copy = il_run_config_copy (config);
  il_run_config_free (self->config);
  self->config = copy;
}

IlCaptureKind
il_run_trace_get_capture (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, IL_CAPTURE_SELF);
  return self->capture;
}

void
il_run_trace_set_capture (IlRunTrace *self, IlCaptureKind capture)
{
  g_return_if_fail (self != NULL);
  self->capture = capture;
}

gint64
il_run_trace_get_origin_ns (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->origin_ns;
}

void
il_run_trace_set_origin_ns (IlRunTrace *self, gint64 origin_ns)
{
  g_return_if_fail (self != NULL);
  self->origin_ns = origin_ns;
}

gboolean
il_run_trace_get_cancelled (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->cancelled;
}

void
il_run_trace_set_cancelled (IlRunTrace *self, gboolean cancelled)
{
  g_return_if_fail (self != NULL);
  self->cancelled = !!cancelled;
}

gboolean
il_run_trace_get_live (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->live;
}

void
il_run_trace_set_live (IlRunTrace *self, gboolean live)
{
  g_return_if_fail (self != NULL);
  self->live = !!live;
  self->generation++;
}

guint
il_run_trace_get_n_cpus (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 1);
  return self->n_cpus;
}

void
il_run_trace_set_n_cpus (IlRunTrace *self, guint n_cpus)
{
  g_return_if_fail (self != NULL);
  self->n_cpus = MAX (n_cpus, 1);
}

guint
il_run_trace_add_worker (IlRunTrace *self, IlWorkerKind kind, int pid, int tid, const char *name)
{
  IlWorkerInfo info = { 0 };

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (self->workers->len < G_MAXUINT16, 0);

  info.id = self->workers->len;
  info.kind = kind;
  info.pid = pid;
  info.tid = tid;
  info.name = name != NULL ? g_strdup (name) : g_strdup_printf ("worker %u", info.id);
  g_array_append_val (self->workers, info);
  g_ptr_array_add (self->lanes, il_lane_new ());
  self->generation++;
  return info.id;
}

guint
il_run_trace_get_n_workers (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->workers->len;
}

const IlWorkerInfo *
il_run_trace_get_worker (IlRunTrace *self, guint worker)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (worker < self->workers->len, NULL);
  return &g_array_index (self->workers, IlWorkerInfo, worker);
}

void
il_run_trace_set_worker_ids (IlRunTrace *self, guint worker, int pid, int tid)
{
  IlWorkerInfo *info;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);

  info = &g_array_index (self->workers, IlWorkerInfo, worker);
  info->pid = pid;
  info->tid = tid;
}

void
il_run_trace_add_previous_pid (IlRunTrace *self, guint worker, int pid)
{
  GArray *pids;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);

  if (self->previous_pids == NULL)
    self->previous_pids = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_array_unref);
  pids = g_hash_table_lookup (self->previous_pids, GUINT_TO_POINTER (worker));
  if (pids == NULL)
    {
      pids = g_array_new (FALSE, FALSE, sizeof (int));
      g_hash_table_insert (self->previous_pids, GUINT_TO_POINTER (worker), pids);
    }
  g_array_append_val (pids, pid);
}

const int *
il_run_trace_get_previous_pids (IlRunTrace *self, guint worker, guint *n_pids)
{
  GArray *pids;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (n_pids != NULL, NULL);

  pids = self->previous_pids != NULL
           ? g_hash_table_lookup (self->previous_pids, GUINT_TO_POINTER (worker)) : NULL;
  *n_pids = pids != NULL ? pids->len : 0;
  return pids != NULL ? (const int *) pids->data : NULL;
}

const IlLane *
il_run_trace_get_lane (IlRunTrace *self, guint worker)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (worker < self->lanes->len, NULL);
  return g_ptr_array_index (self->lanes, worker);
}

void
il_run_trace_set_worker_depth (IlRunTrace *self, guint worker, guint depth, gboolean async)
{
  IlWorkerInfo *info;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  info = &g_array_index (self->workers, IlWorkerInfo, worker);
  info->depth = depth;
  info->async = async;
  self->generation++;
}

guint
il_run_trace_get_worker_group (IlRunTrace *self, guint worker, guint *n_rows)
{
  guint first = worker, end = worker + 1;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (worker < self->workers->len, 0);
  /* A row deeper than 0 belongs to the row above it: rows of a thread are consecutive. */
  while (first > 0 && g_array_index (self->workers, IlWorkerInfo, first).depth > 0)
    first--;
  while (end < self->workers->len && g_array_index (self->workers, IlWorkerInfo, end).depth > 0)
    end++;
  if (n_rows != NULL)
    *n_rows = end - first;
  return first;
}

guint
il_run_trace_get_stack (IlRunTrace *self, guint worker, gint64 t_ns, IlSpan *out, guint max)
{
  guint n_rows, first, n = 0;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (worker < self->workers->len, 0);
  first = il_run_trace_get_worker_group (self, worker, &n_rows);
  for (guint w = first; w < first + n_rows && n < max; w++)
    {
      const IlLane *lane = g_ptr_array_index (self->lanes, w);
      guint i = il_lane_find (lane, t_ns);

      if (i < il_lane_get_n_spans (lane) && il_lane_get_span (lane, i)->start_ns <= t_ns)
        out[n++] = *il_lane_get_span (lane, i);
    }
  return n;
}

char *
il_run_trace_get_worker_label (IlRunTrace *self, guint w)
{
  const IlWorkerInfo *info;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (w < self->workers->len, NULL);

  info = &g_array_index (self->workers, IlWorkerInfo, w);
  /* A traced program's threads have names of their own (the kernel's thread name and tid). */
  if (self->config->executor == IL_EXECUTOR_EXTERNAL && info->name != NULL && *info->name != '\0')
    return g_strdup (info->name);
  if (info->kind == IL_WORKER_PROCESS)
    {
      if (info->pid > 0)
        return g_strdup_printf (_("process %u · pid %d"), w, info->pid);
      return g_strdup_printf (_("process %u"), w);
    }
  /* An event loop's lanes are its tasks in flight on one thread, not threads of their own. */
  if (self->config->executor == IL_EXECUTOR_ASYNC)
    return g_strdup_printf (_("task slot %u"), w);
  if (info->tid > 0)
    return g_strdup_printf (_("worker %u · tid %d"), w, info->tid);
  return g_strdup_printf (_("worker %u"), w);
}

void
il_run_trace_set_n_tasks (IlRunTrace *self, guint n_tasks)
{
  guint old;

  g_return_if_fail (self != NULL);

  old = self->tasks->len;
  g_array_set_size (self->tasks, n_tasks);
  for (guint i = old; i < n_tasks; i++)
    {
      IlTaskRecord *t = &g_array_index (self->tasks, IlTaskRecord, i);
      t->id = i;
      t->worker = -1;
      t->start_ns = -1;
      t->end_ns = -1;
      t->status = IL_TASK_PENDING;
    }
}

void
il_run_trace_set_task_name (IlRunTrace *self, guint task, const char *name)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (task < self->tasks->len);

  if (name != NULL && self->task_names == NULL)
    self->task_names = g_string_chunk_new (4096);
  g_array_index (self->tasks, IlTaskRecord, task).name =
    name != NULL ? g_string_chunk_insert_const (self->task_names, name) : NULL;
}

void
il_run_trace_set_task_error (IlRunTrace *self, guint task, const char *error)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (task < self->tasks->len);

  if (error == NULL)
    {
      if (self->task_errors != NULL)
        g_hash_table_remove (self->task_errors, GUINT_TO_POINTER (task));
      return;
    }
  if (self->task_errors == NULL)
    self->task_errors = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  g_hash_table_insert (self->task_errors, GUINT_TO_POINTER (task), g_strdup (error));
}

const char *
il_run_trace_get_task_error (IlRunTrace *self, guint task)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->task_errors == NULL)
    return NULL;
  return g_hash_table_lookup (self->task_errors, GUINT_TO_POINTER (task));
}

guint
il_run_trace_get_n_tasks (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->tasks->len;
}

IlTaskRecord *
il_run_trace_get_task (IlRunTrace *self, guint task)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (task < self->tasks->len, NULL);
  return &g_array_index (self->tasks, IlTaskRecord, task);
}

#define STATES_SEEN_CPU (1u << 31)

static inline void
append_one (IlRunTrace *self, const IlSpan *span)
{
  IlLane *lane;
  IlSpan copy;

  if G_UNLIKELY (span->worker >= self->lanes->len)
    {
      g_critical ("Span for unknown worker %u dropped", span->worker);
      return;
    }

  lane = g_ptr_array_index (self->lanes, span->worker);
  copy = *span;

  /* Keep the lane's invariant (ordered, non-overlapping) even if a recorder's clock reads race. */
  if (lane->n_spans > 0)
    {
      const IlSpan *last = lane_at (lane, lane->n_spans - 1);
      if (copy.start_ns < last->end_ns)
        copy.start_ns = last->end_ns;
    }
  if (copy.end_ns <= copy.start_ns)
    return;
  if G_UNLIKELY (self->max_spans > 0 && self->n_spans >= self->max_spans)
    {
      /* Bounded memory for any run length: the span goes, the run's extent stays true. */
      self->truncated_at_spans = self->max_spans;
      if (copy.end_ns > self->end_ns)
        self->end_ns = copy.end_ns;
      return;
    }

  il_lane_append (lane, &copy);
  self->n_spans++;
  self->states_seen |= 1u << MIN (copy.state, 30u);
  if (copy.cpu >= 0)
    self->states_seen |= STATES_SEEN_CPU;
  if (copy.end_ns > self->end_ns)
    self->end_ns = copy.end_ns;
}

void
il_run_trace_append (IlRunTrace *self, const IlSpan *span)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (span != NULL);

  append_one (self, span);
  self->generation++;
}

void
il_run_trace_append_many (IlRunTrace *self, const IlSpan *spans, guint n_spans)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (spans != NULL || n_spans == 0);

  for (guint i = 0; i < n_spans; i++)
    append_one (self, &spans[i]);
  self->generation++;
}

void
il_run_trace_clear_spans (IlRunTrace *self)
{
  g_return_if_fail (self != NULL);

  for (guint i = 0; i < self->lanes->len; i++)
    {
      IlLane *lane = g_ptr_array_index (self->lanes, i);

      g_ptr_array_set_size (lane->chunks, 0);
      lane->n_spans = 0;
      lane->first_cap = 0;
    }
  self->n_spans = 0;
  self->end_ns = 0;
  self->states_seen = 0;
  self->generation++;
}

guint64
il_run_trace_get_n_spans (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_spans;
}

void
il_run_trace_set_max_spans (IlRunTrace *self, guint64 max_spans)
{
  g_return_if_fail (self != NULL);
  self->max_spans = max_spans;
}

guint64
il_run_trace_get_truncated_at_spans (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->truncated_at_spans;
}

void
il_run_trace_set_truncated_at_spans (IlRunTrace *self, guint64 n_spans)
{
  g_return_if_fail (self != NULL);
  self->truncated_at_spans = n_spans;
}

gint64
il_run_trace_get_end_ns (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->end_ns;
}

gboolean
il_run_trace_has_state (IlRunTrace *self, IlState state)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return (self->states_seen & (1u << state)) != 0;
}

gboolean
il_run_trace_has_cpu_data (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return (self->states_seen & STATES_SEEN_CPU) != 0;
}

guint64
il_run_trace_get_generation (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->generation;
}

gpointer
il_run_trace_get_data (IlRunTrace *self, const char *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_datalist_get_data (&self->data, key);
}

void
il_run_trace_set_data (IlRunTrace *self, const char *key, gpointer data, GDestroyNotify destroy)
{
  g_return_if_fail (self != NULL);
  g_datalist_set_data_full (&self->data, key, data, destroy);
}

gsize
il_run_trace_get_span_bytes (IlRunTrace *self)
{
  gsize bytes = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (guint w = 0; w < self->lanes->len; w++)
    {
      const IlLane *lane = g_ptr_array_index (self->lanes, w);
      if (lane->chunks->len > 0)
        bytes += ((gsize) (lane->chunks->len - 1) * CHUNK_SIZE + lane->first_cap) * sizeof (IlSpan);
    }
  return bytes;
}

/* Traces */

IlTrace *
il_trace_new (void)
{
  IlTrace *self = g_new0 (IlTrace, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->cpus = il_cpu_count ();
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  return self;
}

IlTrace *
il_trace_ref (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
il_trace_unref (IlTrace *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_ptr_array_unref (self->runs);
  g_clear_pointer (&self->warnings, g_ptr_array_unref);
  g_free (self->kernel);
  g_free (self->hostname);
  g_free (self);
}

guint
il_trace_get_machine_cpus (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->cpus;
}

const char *
il_trace_get_machine_kernel (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->kernel;
}

const char *
il_trace_get_machine_hostname (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->hostname;
}

void
il_trace_set_machine (IlTrace *self, guint cpus, const char *kernel, const char *hostname)
{
  g_return_if_fail (self != NULL);

  self->cpus = cpus;
  g_free (self->kernel);
  self->kernel = g_strdup (kernel);
  g_free (self->hostname);
  self->hostname = g_strdup (hostname);
}

void
il_trace_set_machine_local (IlTrace *self)
{
  struct utsname u;

  g_return_if_fail (self != NULL);

  if (uname (&u) == 0)
    il_trace_set_machine (self, il_cpu_count (), u.release, u.nodename);
  else
    il_trace_set_machine (self, il_cpu_count (), NULL, g_get_host_name ());
}

void
il_trace_add_warning (IlTrace *self, const char *warning)
{
  g_return_if_fail (self != NULL && warning != NULL);

  if (self->warnings == NULL)
    self->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->warnings, g_strdup (warning));
}

guint
il_trace_get_n_warnings (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->warnings != NULL ? self->warnings->len : 0;
}

const char *
il_trace_get_warning (IlTrace *self, guint index)
{
  g_return_val_if_fail (self != NULL && index < il_trace_get_n_warnings (self), NULL);
  return g_ptr_array_index (self->warnings, index);
}

void
il_trace_add_run (IlTrace *self, IlRunTrace *run)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (run != NULL);
  g_ptr_array_add (self->runs, il_run_trace_ref (run));
}

guint
il_trace_get_n_runs (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->runs->len;
}

IlRunTrace *
il_trace_get_run (IlTrace *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

GPtrArray *
il_trace_get_runs (IlTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->runs;
}
