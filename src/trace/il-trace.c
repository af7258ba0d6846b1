/* il-trace.c: the trace model: chunked per-worker lanes, runs with workers/tasks/summary, traces. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-trace.h"

/* 4096 spans × 24 bytes = 96 KiB per chunk: big enough that the chunk table stays tiny, small
 * enough that a short run does not waste memory. Chunks never move once allocated. */
#define CHUNK_SHIFT 12
#define CHUNK_SIZE (1u << CHUNK_SHIFT)
#define CHUNK_MASK (CHUNK_SIZE - 1)

struct _IlLane
{
  GPtrArray *chunks;   /* of IlSpan[CHUNK_SIZE] */
  guint      n_spans;
};

struct _IlRunTrace
{
  gatomicrefcount  ref_count;
  IlRunConfig     *config;
  char            *label;
  IlCaptureKind    capture;
  gint64           origin_ns;
  gboolean         cancelled;
  gboolean         live;
  guint            n_cpus;
  GArray          *workers;   /* of IlWorkerInfo */
  GPtrArray       *lanes;     /* of IlLane* */
  GArray          *tasks;     /* of IlTaskRecord */
  guint64          n_spans;
  guint64          max_spans;          /* 0: no cap */
  guint64          truncated_at_spans; /* 0: nothing dropped */
  gint64           end_ns;
  guint64          generation;
  guint            states_seen;   /* bit (1 << IlState) for every state a span has had, and
                                   * STATES_SEEN_CPU once a span was on a known CPU */
  GStringChunk    *task_names;    /* NULL until a task is named */
  IlSummary        summary;
  IlCpuLoad       *cpu_load;
  GArray          *undrawn;            /* of IlSpan; NULL until a traced program's launcher ran */
  gint64           undrawn_max_ns;     /* the longest of them */
  GData           *data;
  /* Rare facts kept beside the arrays, so a million tasks cost no more for them: a failed
   * task's cause (task id → string) and a lane's replaced processes (worker → GArray of int). */
  GHashTable      *task_errors;
  GHashTable      *previous_pids;
  GArray          *processes;          /* of IlProcessInfo; NULL until a traced program has one */
  GPtrArray       *waits;              /* per worker: GArray of IlWaitEntry, or NULL */
  gint64           sample_interval_ns;
};

struct _IlTrace
{
  gatomicrefcount  ref_count;
  guint            cpus;
  char            *kernel;
  char            *hostname;
  GPtrArray       *runs;
};

/* Lanes */

static IlLane *
il_lane_new (void)
{
  IlLane *lane = g_new0 (IlLane, 1);
  lane->chunks = g_ptr_array_new_with_free_func (g_free);
  return lane;
}

static void
il_lane_free (gpointer data)
{
  IlLane *lane = data;
  g_ptr_array_unref (lane->chunks);
  g_free (lane);
}

static inline IlSpan *
lane_at (const IlLane *lane, guint index)
{
  IlSpan *chunk = g_ptr_array_index (lane->chunks, index >> CHUNK_SHIFT);
  return &chunk[index & CHUNK_MASK];
}

guint
il_lane_get_n_spans (const IlLane *lane)
{
  g_return_val_if_fail (lane != NULL, 0);
  return lane->n_spans;
}

const IlSpan *
il_lane_get_span (const IlLane *lane, guint index)
{
  g_return_val_if_fail (lane != NULL, NULL);
  g_return_val_if_fail (index < lane->n_spans, NULL);
  return lane_at (lane, index);
}

guint
il_lane_find (const IlLane *lane, gint64 t_ns)
{
  guint lo = 0, hi;

  g_return_val_if_fail (lane != NULL, 0);

  /* Spans of a lane do not overlap and come in time order, so their ends are sorted too. */
  hi = lane->n_spans;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (lane_at (lane, mid)->end_ns <= t_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

void
il_lane_foreach_in_range (const IlLane *lane, gint64 t0, gint64 t1,
                          gboolean (*func) (const IlSpan *span, gpointer data), gpointer data)
{
  g_return_if_fail (lane != NULL);
  g_return_if_fail (func != NULL);

  for (guint i = il_lane_find (lane, t0); i < lane->n_spans; i++)
    {
      const IlSpan *span = lane_at (lane, i);
      if (span->start_ns >= t1)
        break;
      if (!func (span, data))
        break;
    }
}

guint
il_lane_get_block (const IlLane *lane, guint index, const IlSpan **out)
{
  g_return_val_if_fail (lane != NULL, 0);
  g_return_val_if_fail (out != NULL, 0);

  if (index >= lane->n_spans)
    {
      *out = NULL;
      return 0;
    }
  *out = lane_at (lane, index);
  return MIN (CHUNK_SIZE - (index & CHUNK_MASK), lane->n_spans - index);
}

static void
il_lane_append (IlLane *lane, const IlSpan *span)
{
  if ((lane->n_spans & CHUNK_MASK) == 0 && (lane->n_spans >> CHUNK_SHIFT) == lane->chunks->len)
    g_ptr_array_add (lane->chunks, g_new (IlSpan, CHUNK_SIZE));
  *lane_at (lane, lane->n_spans) = *span;
  lane->n_spans++;
}

/* Traced programs: processes, helper threads, sampling (DESIGN.md, "Trace file additions"). */

typedef struct
{
  gint64 start_ns;
  guint8 kind;
} IlWaitEntry;

static void
wait_array_free (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

static void
il_run_trace_clear_processes (IlRunTrace *self)
{
  g_clear_pointer (&self->waits, g_ptr_array_unref);
  if (self->processes == NULL)
    return;
  for (guint i = 0; i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      g_free (p->command);
      g_free (p->name);
    }
  g_clear_pointer (&self->processes, g_array_unref);
}

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

const IlSummary *
il_run_trace_get_summary (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->summary;
}

void
il_run_trace_set_summary (IlRunTrace *self, const IlSummary *summary)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (summary != NULL);
  self->summary = *summary;
}

void
il_run_trace_set_speedup (IlRunTrace *self, double speedup)
{
  g_return_if_fail (self != NULL);
  self->summary.speedup = speedup;
}

typedef struct
{
  gint64 t;
  int    delta;
} Edge;

static int
compare_edges (const void *a, const void *b)
{
  const Edge *x = a, *y = b;

  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  /* Ends before starts at the same instant: touching spans are not parallel. */
  return x->delta - y->delta;
}

/* Sums saturate: spans sent by a worker process or read from a file may claim any times, and
 * a signed overflow would be undefined (found by fuzz-worker-protocol). */
static inline gint64
sat_add (gint64 a, gint64 b)
{
  gint64 r;

  if (__builtin_add_overflow (a, b, &r))
    return b > 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

void
il_run_trace_compute_summary (IlRunTrace *self)
{
  IlSummary s = { 0 };
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  int level = 0;

  g_return_if_fail (self != NULL);

  s.speedup = self->summary.speedup;
  s.wall_ns = self->end_ns;
  for (guint i = 0; i < self->tasks->len; i++)
    {
      const IlTaskRecord *t = &g_array_index (self->tasks, IlTaskRecord, i);
      if (t->end_ns > s.wall_ns)
        s.wall_ns = t->end_ns;
    }

  for (guint w = 0; w < self->lanes->len; w++)
    {
      const IlLane *lane = g_ptr_array_index (self->lanes, w);
      for (guint i = 0; i < lane->n_spans; i++)
        {
          const IlSpan *span = lane_at (lane, i);
          gint64 d = sat_add (span->end_ns, span->start_ns == G_MININT64 ? G_MAXINT64
                                                                         : -span->start_ns);
          switch ((IlState) span->state)
            {
            case IL_STATE_RUNNING:
              {
                Edge a = { span->start_ns, +1 }, b = { span->end_ns, -1 };
                s.cpu_ns = sat_add (s.cpu_ns, d);
                g_array_append_val (edges, a);
                g_array_append_val (edges, b);
              }
              break;
            case IL_STATE_GIL_WAIT:
              s.gil_wait_ns = sat_add (s.gil_wait_ns, d);
              break;
            case IL_STATE_IO_WAIT:
              s.io_wait_ns = sat_add (s.io_wait_ns, d);
              break;
            case IL_STATE_READY:
              s.ready_ns = sat_add (s.ready_ns, d);
              break;
            case IL_STATE_LOCK_WAIT:
              s.lock_wait_ns = sat_add (s.lock_wait_ns, d);
              break;
            case IL_STATE_LOOP_WAIT:
              s.loop_wait_ns = sat_add (s.loop_wait_ns, d);
              break;
            case IL_STATE_IDLE:
            case IL_STATE_STARTUP:
            case IL_N_STATES:
            default:
              break;
            }
        }
    }

  /* A run without running spans (zero tasks) has no edges and edges->data is NULL: qsort's
   * pointer must not be NULL even for zero elements. */
  if (edges->len > 1)
    qsort (edges->data, edges->len, sizeof (Edge), compare_edges);
  for (guint i = 0; i < edges->len; i++)
    {
      level += g_array_index (edges, Edge, i).delta;
      if (level > 0 && (guint) level > s.max_parallelism)
        s.max_parallelism = (guint) level;
    }

  s.avg_parallelism = s.wall_ns > 0 ? (double) s.cpu_ns / (double) s.wall_ns : 0.0;
  self->summary = s;
  il_run_trace_summarise_cpu_load (self);
}

IlCpuLoad *
il_run_trace_get_cpu_load (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->cpu_load;
}

void
il_run_trace_set_cpu_load (IlRunTrace *self, IlCpuLoad *load)
{
  g_return_if_fail (self != NULL);

  if (self->cpu_load == load)
    return;
  g_clear_pointer (&self->cpu_load, il_cpu_load_free);
  self->cpu_load = load;
  self->generation++;
}

void
il_run_trace_add_undrawn (IlRunTrace *self, const IlSpan *span)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (span != NULL);

  if (span->state != IL_STATE_RUNNING || span->cpu < 0 || span->end_ns <= span->start_ns)
    return;
  if (self->undrawn == NULL)
    self->undrawn = g_array_new (FALSE, FALSE, sizeof (IlSpan));
  /* Kept in order of start: they come nearly in order, so this looks back a step or two. */
  {
    guint i = self->undrawn->len;

    while (i > 0 && g_array_index (self->undrawn, IlSpan, i - 1).start_ns > span->start_ns)
      i--;
    g_array_insert_val (self->undrawn, i, *span);
  }
  self->undrawn_max_ns = MAX (self->undrawn_max_ns, span->end_ns - span->start_ns);
}

GArray *
il_run_trace_get_undrawn (IlRunTrace *self, gint64 *max_ns)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (max_ns != NULL)
    *max_ns = self->undrawn_max_ns;
  return self->undrawn;
}

void
il_run_trace_cpu_load_changed (IlRunTrace *self)
{
  g_return_if_fail (self != NULL);
  self->generation++;
}

void
il_run_trace_summarise_cpu_load (IlRunTrace *self)
{
  IlSummary *s;
  guint n;

  g_return_if_fail (self != NULL);

  s = &self->summary;
  if (self->cpu_load == NULL)
    {
      s->other_ns = s->steal_ns = 0;
      s->other_share = NAN;
      return;
    }
  s->other_ns = il_cpu_load_get_other_ns (self->cpu_load);
  s->steal_ns = il_cpu_load_get_steal_ns (self->cpu_load);
  n = il_cpu_load_get_n_cpus (self->cpu_load);
  s->other_share = s->wall_ns > 0 && n > 0 ? (double) s->other_ns / ((double) s->wall_ns * n) : 0.0;
  /* A series claiming more than all of the CPUs (a file's rows; found by fuzz-trace-read) would
   * be written as a share the reader refuses: other programs take at most everything. */
  s->other_share = CLAMP (s->other_share, 0.0, 1.0);
}

gboolean
il_run_trace_is_disturbed (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return isfinite (self->summary.other_share)
         && self->summary.other_share > IL_CPU_LOAD_DISTURBED_SHARE;
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
      bytes += (gsize) lane->chunks->len * CHUNK_SIZE * sizeof (IlSpan);
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

void
il_run_trace_add_process (IlRunTrace *self, int pid, int ppid, const char *command, const char *name)
{
  IlProcessInfo info = { pid, ppid, g_strdup (command ? command : ""), g_strdup (name ? name : "") };

  g_return_if_fail (self != NULL);

  if (self->processes == NULL)
    self->processes = g_array_new (FALSE, TRUE, sizeof (IlProcessInfo));
  for (guint i = 0; i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      if (p->pid == pid)
        {
          g_free (p->command);
          g_free (p->name);
          *p = info;
          self->generation++;
          return;
        }
    }
  g_array_append_val (self->processes, info);
  self->generation++;
}

guint
il_run_trace_get_n_processes (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->processes != NULL ? self->processes->len : 0;
}

const IlProcessInfo *
il_run_trace_get_process (IlRunTrace *self, guint index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < il_run_trace_get_n_processes (self), NULL);
  return &g_array_index (self->processes, IlProcessInfo, index);
}

const IlProcessInfo *
il_run_trace_find_process (IlRunTrace *self, int pid)
{
  g_return_val_if_fail (self != NULL, NULL);
  for (guint i = 0; i < il_run_trace_get_n_processes (self); i++)
    if (g_array_index (self->processes, IlProcessInfo, i).pid == pid)
      return &g_array_index (self->processes, IlProcessInfo, i);
  return NULL;
}

void
il_run_trace_set_worker_helper (IlRunTrace *self, guint worker, gboolean helper)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  g_array_index (self->workers, IlWorkerInfo, worker).helper = helper;
  self->generation++;
}

void
il_run_trace_set_worker_name (IlRunTrace *self, guint worker, const char *name)
{
  IlWorkerInfo *info;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  info = &g_array_index (self->workers, IlWorkerInfo, worker);
  g_free (info->name);
  info->name = g_strdup (name ? name : "");
  self->generation++;
}

gint64
il_run_trace_get_sample_interval_ns (IlRunTrace *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->sample_interval_ns;
}

void
il_run_trace_set_sample_interval_ns (IlRunTrace *self, gint64 interval_ns)
{
  g_return_if_fail (self != NULL);
  self->sample_interval_ns = MAX (interval_ns, 0);
}

void
il_run_trace_remove_process (IlRunTrace *self, int pid)
{
  guint to = 0;
  guint64 n_spans = 0;
  g_autofree int *map = NULL;

  g_return_if_fail (self != NULL);

  map = g_new (int, MAX (self->workers->len, 1));
  for (guint from = 0; from < self->workers->len; from++)
    {
      IlWorkerInfo info = g_array_index (self->workers, IlWorkerInfo, from);
      IlLane *lane = g_ptr_array_index (self->lanes, from);

      map[from] = info.pid == pid ? -1 : (int) to;
      if (info.pid == pid)
        {
          g_free (info.name);
          il_lane_free (lane);
          continue;
        }
      info.id = to;
      for (guint i = 0; i < lane->n_spans; i++)
        lane_at (lane, i)->worker = (guint16) to;
      for (guint t = 0; t < self->tasks->len; t++)
        if (g_array_index (self->tasks, IlTaskRecord, t).worker == (int) from)
          g_array_index (self->tasks, IlTaskRecord, t).worker = (int) to;
      n_spans += lane->n_spans;
      g_array_index (self->workers, IlWorkerInfo, to) = info;
      self->lanes->pdata[to] = lane;
      to++;
    }
  if (self->waits != NULL)
    {
      /* The waits follow their workers' new numbers. */
      GPtrArray *waits = g_ptr_array_new_with_free_func (wait_array_free);

      for (guint from = 0; from < self->waits->len; from++)
        if (g_ptr_array_index (self->waits, from) != NULL && from < self->workers->len &&
            map[from] >= 0)
          {
            guint nw = (guint) map[from];
            if (waits->len <= nw)
              g_ptr_array_set_size (waits, nw + 1);
            waits->pdata[nw] = g_array_ref (g_ptr_array_index (self->waits, from));
          }
      g_ptr_array_unref (self->waits);
      self->waits = waits;
    }
  g_array_set_size (self->workers, to);
  /* The removed lanes were freed above. */
  g_ptr_array_set_free_func (self->lanes, NULL);
  g_ptr_array_set_size (self->lanes, to);
  g_ptr_array_set_free_func (self->lanes, il_lane_free);
  self->n_spans = n_spans;

  for (guint i = 0; self->processes != NULL && i < self->processes->len; i++)
    {
      IlProcessInfo *p = &g_array_index (self->processes, IlProcessInfo, i);
      if (p->pid == pid)
        {
          g_free (p->command);
          g_free (p->name);
          g_array_remove_index (self->processes, i);
          break;
        }
    }
  g_datalist_clear (&self->data);
  g_datalist_init (&self->data);
  self->generation++;
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
  if (info->tid > 0)
    return g_strdup_printf (_("worker %u · tid %d"), w, info->tid);
  return g_strdup_printf (_("worker %u"), w);
}

void
il_run_trace_add_wait (IlRunTrace *self, guint worker, gint64 start_ns, IlWaitKind kind)
{
  IlWaitEntry e = { start_ns, (guint8) kind };
  GArray *a;

  g_return_if_fail (self != NULL);
  g_return_if_fail (worker < self->workers->len);
  g_return_if_fail ((guint) kind < IL_N_WAITS);

  if (kind == IL_WAIT_NONE)
    return;
  if (self->waits == NULL)
    self->waits = g_ptr_array_new_with_free_func (wait_array_free);
  if (self->waits->len <= worker)
    g_ptr_array_set_size (self->waits, worker + 1);
  a = g_ptr_array_index (self->waits, worker);
  if (a == NULL)
    {
      a = g_array_new (FALSE, FALSE, sizeof (IlWaitEntry));
      self->waits->pdata[worker] = a;
    }
  if (a->len > 0 && g_array_index (a, IlWaitEntry, a->len - 1).start_ns >= start_ns)
    return;
  g_array_append_val (a, e);
}

IlWaitKind
il_run_trace_get_wait (IlRunTrace *self, guint worker, gint64 start_ns)
{
  GArray *a;
  guint lo = 0, hi;

  g_return_val_if_fail (self != NULL, IL_WAIT_NONE);

  if (self->waits == NULL || worker >= self->waits->len ||
      (a = g_ptr_array_index (self->waits, worker)) == NULL)
    return IL_WAIT_NONE;
  hi = a->len;
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;
      if (g_array_index (a, IlWaitEntry, mid).start_ns < start_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo < a->len && g_array_index (a, IlWaitEntry, lo).start_ns == start_ns)
    return (IlWaitKind) g_array_index (a, IlWaitEntry, lo).kind;
  return IL_WAIT_NONE;
}

void
il_run_trace_foreach_wait (IlRunTrace *self,
                           void (*func) (guint worker, gint64 start_ns, IlWaitKind kind, gpointer data),
                           gpointer data)
{
  g_return_if_fail (self != NULL);
  for (guint w = 0; self->waits != NULL && w < self->waits->len; w++)
    {
      GArray *a = g_ptr_array_index (self->waits, w);
      for (guint i = 0; a != NULL && i < a->len; i++)
        func (w, g_array_index (a, IlWaitEntry, i).start_ns,
              (IlWaitKind) g_array_index (a, IlWaitEntry, i).kind, data);
    }
}
