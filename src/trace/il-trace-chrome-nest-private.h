/* il-trace-chrome-nest-private.h: an imported thread's slices in depth-first order on times every consumer nests alike. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* One slice of an imported thread, times in steps of the export's binary grid. */
typedef struct
{
  guint       task;
  const char *name, *args;   /* what consumers name its frame by ("args" may be NULL) */
  gint64      start, end;   /* in: the slice's true times */
  gint64      ts, te;       /* out: the times to write (ts <= te, te - ts the "dur") */
} IlChromeSlice;

/* Puts a thread's @slices in the order the import nested them (outer first: by start, then
 * later end, then task id, which is file order) and gives each the times to write: its own,
 * moved later by one grid step where several events would meet at one instant, so that every
 * consumer rebuilds the same nesting (see il-trace-chrome-nest.c). */
void il_chrome_nest_slices (IlChromeSlice *slices, guint n);

G_END_DECLS
