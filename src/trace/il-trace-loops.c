/* il-trace-loops.c: a traced program's event-loop threads, and how long each loop was busy in callbacks or idle waiting for I/O. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-trace-private.h"

/* An event loop (asyncio's, or any loop around a selector) comes back to epoll_wait, select or
 * poll between every batch of callbacks: a thread is one when it blocked in such waits (poll
 * kind) at least this many times, and there for more than half of its blocked time between its
 * first such wait and the end of its last (the loop's life; a program's start-up, reading its
 * modules, comes before). In that stretch, time in the selector is the loop idle, waiting for
 * I/O; everything else (running, ready, the GIL, a sleep or a lock inside a callback) is the loop
 * busy in a callback: it cannot come back to its other tasks. */
#define LOOP_MIN_SELECTS 3

static void
measure (IlRunTrace *self, guint worker, IlEventLoop *loop, guint *n_polls)
{
  const IlLane *lane = g_ptr_array_index (self->lanes, worker);
  gint64 first = G_MAXINT64, last = G_MININT64, blocked = 0;
  guint n = lane->n_spans;

  *loop = (IlEventLoop) { worker, 0, 0 };
  *n_polls = 0;
  for (guint i = 0; i < n; i++)
    {
      const IlSpan *s = lane_at (lane, i);

      if (s->state == IL_STATE_IO_WAIT && il_run_trace_get_wait (self, worker, s->start_ns) == IL_WAIT_POLL)
        {
          first = MIN (first, s->start_ns);
          last = MAX (last, s->end_ns);
          ++*n_polls;
        }
    }
  if (*n_polls < LOOP_MIN_SELECTS)
    return;
  for (guint i = il_lane_find (lane, first); i < n && lane_at (lane, i)->start_ns < last; i++)
    {
      const IlSpan *s = lane_at (lane, i);
      gint64 d = MIN (s->end_ns, last) - MAX (s->start_ns, first);

      if (s->state == IL_STATE_IO_WAIT && il_run_trace_get_wait (self, worker, s->start_ns) == IL_WAIT_POLL)
        loop->idle_ns += d;
      else
        loop->busy_ns += d;
      if (s->state == IL_STATE_IO_WAIT || s->state == IL_STATE_LOCK_WAIT || s->state == IL_STATE_GIL_WAIT)
        blocked += d;
    }
  if (loop->idle_ns * 2 <= blocked)
    *n_polls = 0;
}

GArray *
il_run_trace_find_event_loops (IlRunTrace *self)
{
  GArray *loops;

  g_return_val_if_fail (self != NULL, NULL);

  loops = g_array_new (FALSE, FALSE, sizeof (IlEventLoop));
  /* Only where waits are known: a traced program's threads. */
  for (guint w = 0; self->waits != NULL && w < self->lanes->len; w++)
    {
      IlEventLoop loop;
      guint n_polls;

      measure (self, w, &loop, &n_polls);
      if (n_polls >= LOOP_MIN_SELECTS)
        g_array_append_val (loops, loop);
    }
  return loops;
}
