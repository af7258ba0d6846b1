/* il-trace-lane.c: a worker's lane: its spans in time order, in chunks that never move. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-trace-private.h"

/* Lanes */

IlLane *
il_lane_new (void)
{
  IlLane *lane = g_new0 (IlLane, 1);
  lane->chunks = g_ptr_array_new_with_free_func (g_free);
  return lane;
}

void
il_lane_free (gpointer data)
{
  IlLane *lane = data;
  g_ptr_array_unref (lane->chunks);
  g_free (lane);
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

void
il_lane_append (IlLane *lane, const IlSpan *span)
{
  if (lane->chunks->len == 0)
    {
      lane->first_cap = FIRST_CHUNK_SIZE;
      g_ptr_array_add (lane->chunks, g_new (IlSpan, lane->first_cap));
    }
  else if (lane->n_spans == lane->first_cap && lane->first_cap < CHUNK_SIZE)
    {
      /* The first chunk grows by doubling (it moves: appends and reads are on the owner's
       * thread, and nothing keeps a span's address from one append to the next); every later
       * chunk is whole from the start and never moves. */
      lane->first_cap *= 2;
      lane->chunks->pdata[0] = g_renew (IlSpan, lane->chunks->pdata[0], lane->first_cap);
    }
  else if ((lane->n_spans & CHUNK_MASK) == 0 && (lane->n_spans >> CHUNK_SHIFT) == lane->chunks->len)
    g_ptr_array_add (lane->chunks, g_new (IlSpan, CHUNK_SIZE));
  *lane_at (lane, lane->n_spans) = *span;
  lane->n_spans++;
}
