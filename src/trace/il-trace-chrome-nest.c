/* il-trace-chrome-nest.c: an imported thread's slices in depth-first order on times every consumer nests alike. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-trace-chrome-nest-private.h"

/* Consumers rebuild a thread's nesting from its "X" events alone, and at an instant where several
 * events meet they guess. speedscope, for one, turns each "X" into a begin and an end and, at one
 * instant, takes an end before a begin unless both belong to frames of one name and args; an end
 * whose name is not the open frame's is dropped, and what follows nests inside the frame it left
 * open. So a zero-length slice at its parent's start lost its end, one between two back-to-back
 * neighbours did too, and two back-to-back slices of one name nested.
 *
 * Walked depth first (a slice opens, its children open and close, it closes), a thread's events
 * are in time order. Each event is written one grid step (2^-10 µs, about a nanosecond) after the
 * one before it, unless
 *   (a) it is an end that follows the end of a slice written with non-zero length (a run of
 *       ends: all consumers close the innermost open slice first), unless a slice of the same
 *       name and other args ends in that run already (speedscope, closing its innermost frame,
 *       takes an end of that name in its place and warns, though the nesting comes out right), or
 *   (b) it is the end of a zero-length slice, which follows its own begin (it has no children:
 *       the import nests nothing in a slice that has ended);
 * and never before its true time. At any written instant there is then a run of ends, a single
 * begin, or the begin and end of one zero-length slice, and no consumer has anything to guess.
 * The times move only inside clusters of events at one instant, a step per event: as far as a
 * thousand events at one instant stay within the 1 µs that every check allows. A file that is
 * not properly nested (a slice that outlives its parent) has events out of time order; those keep
 * their times. */

typedef struct
{
  gboolean have;       /* an event was written */
  gint64   t;          /* its true time */
  gint64   at;         /* and written time */
  gboolean end;        /* it was an end */
  gboolean flat;       /* … of a slice written with zero length */
  guint    slice;      /* whose */
  GArray  *run;        /* the slices whose ends were written at that time, one after another */
} Last;

static int
compare_outer (gconstpointer a, gconstpointer b)
{
  const IlChromeSlice *x = a, *y = b;

  if (x->start != y->start)
    return x->start < y->start ? -1 : 1;
  if (x->end != y->end)
    return x->end > y->end ? -1 : 1;
  return (x->task > y->task) - (x->task < y->task);
}

/* The written time of an event at true time @t, one step past the last unless @keep. */
static gint64
place (Last *last, gint64 t, gboolean keep)
{
  if (!last->have || t < last->t)
    return t;
  return MAX (t, last->at + (keep ? 0 : 1));
}

static void
note (Last *last, gint64 t, gint64 at, gboolean end, gboolean flat, guint slice)
{
  /* An event out of time order (a slice that outlives its parent) leaves the chain as it was. */
  if (last->have && t < last->t)
    return;
  if (!end || !last->have || !last->end || at != last->at)
    g_array_set_size (last->run, 0);
  if (end)
    g_array_append_val (last->run, slice);
  *last = (Last) { TRUE, t, at, end, flat, slice, last->run };
}

/* A slice of @s's name but other args ended in the run of ends just written. */
static gboolean
run_has_namesake (const IlChromeSlice *slices, const IlChromeSlice *s, const Last *last)
{
  for (guint k = 0; k < last->run->len; k++)
    {
      const IlChromeSlice *o = &slices[g_array_index (last->run, guint, k)];

      if (g_strcmp0 (o->name, s->name) == 0 && g_strcmp0 (o->args, s->args) != 0)
        return TRUE;
    }
  return FALSE;
}

static void
close_slice (IlChromeSlice *slices, guint i, Last *last)
{
  IlChromeSlice *s = &slices[i];
  gboolean own = last->have && !last->end && last->slice == i;
  gboolean keep = (s->start == s->end && own) ||
                  (last->have && last->end && !last->flat && !run_has_namesake (slices, s, last));

  s->te = MAX (place (last, s->end, keep), s->ts);
  note (last, s->end, s->te, TRUE, s->te == s->ts, i);
}

void
il_chrome_nest_slices (IlChromeSlice *slices, guint n)
{
  g_autoptr(GArray) open = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr(GArray) run = g_array_new (FALSE, FALSE, sizeof (guint));
  Last last = { FALSE };

  if (n == 0)
    return;
  last.run = run;
  qsort (slices, n, sizeof *slices, compare_outer);
  for (guint i = 0; i < n; i++)
    {
      IlChromeSlice *s = &slices[i];

      /* As the import nests (assign_depths in il-trace-chrome-lanes.c): what ended by this
       * slice's start closes, innermost first; what is still open is its parent and above. */
      while (open->len > 0 &&
             slices[g_array_index (open, guint, open->len - 1)].end <= s->start)
        {
          close_slice (slices, g_array_index (open, guint, open->len - 1), &last);
          g_array_set_size (open, open->len - 1);
        }
      s->ts = place (&last, s->start, FALSE);
      note (&last, s->start, s->ts, FALSE, FALSE, i);
      g_array_append_val (open, i);
    }
  while (open->len > 0)
    {
      close_slice (slices, g_array_index (open, guint, open->len - 1), &last);
      g_array_set_size (open, open->len - 1);
    }
}
