/* il-trace-summary.c: a run's summary: totals per state, parallelism, and what other programs took. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>

#include "il-cpu-load.h"
#include "il-trace-private.h"

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
il_run_trace_summarise (IlRunTrace *self, IlSummary *out)
{
  IlSummary s = { 0 };
  g_autoptr(GArray) edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  int level = 0;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  s.speedup = self->summary.speedup;
  s.other_share = NAN;
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
      const IlWorkerInfo *info = &g_array_index (self->workers, IlWorkerInfo, w);

      /* An imported thread's nested rows repeat time its outermost row has counted; an async
       * track's time is no thread's. */
      if (info->depth > 0 || info->async)
        continue;
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

  /* Spans end after they start and sums saturate: a negative figure means a span that was never
   * closed or a time that was never set came in, which must be fixed where it was made. */
  g_assert (s.wall_ns >= 0 && s.cpu_ns >= 0 && s.gil_wait_ns >= 0 && s.io_wait_ns >= 0 &&
            s.ready_ns >= 0 && s.lock_wait_ns >= 0 && s.loop_wait_ns >= 0);
  s.avg_parallelism = s.wall_ns > 0 ? (double) s.cpu_ns / (double) s.wall_ns : 0.0;
  *out = s;
}

void
il_run_trace_compute_summary (IlRunTrace *self)
{
  g_return_if_fail (self != NULL);

  il_run_trace_summarise (self, &self->summary);
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

/* Judged by what the run needed, not by how busy the machine was: other programs took more than
 * IL_CPU_LOAD_DISTURBED_SHARE of the run's CPUs, and the run's threads waited for a CPU (ready)
 * for at least half that share while they did. A run that mostly waits (sleep, I/O, an event
 * loop) finds a free core whatever a hog does on another one, and is not disturbed by it; a
 * CPU-bound run whose cores were taken waits ready for as long as the others ran. The run's own
 * oversubscription alone (ready without others) is not a disturbance either. */
gboolean
il_run_trace_is_disturbed (IlRunTrace *self)
{
  const IlSummary *s;
  double capacity, hurt;
  guint n;

  g_return_val_if_fail (self != NULL, FALSE);

  s = &self->summary;
  if (!isfinite (s->other_share) || !(s->other_share > IL_CPU_LOAD_DISTURBED_SHARE))
    return FALSE;
  n = self->cpu_load != NULL ? il_cpu_load_get_n_cpus (self->cpu_load) : 0;
  if (s->wall_ns <= 0 || n == 0)
    return TRUE;
  capacity = (double) s->wall_ns * n;
  /* CPU time the run wanted and others had: at most what others took, at most what it waited. */
  hurt = MIN ((double) s->other_ns + (double) s->steal_ns, (double) s->ready_ns);
  return hurt / capacity > IL_CPU_LOAD_DISTURBED_SHARE / 2;
}
