/* il-timeline-keys.h: the timeline by keyboard: a focus ring over lanes and tasks, Enter selects, lanes in words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-timeline-view.h"

G_BEGIN_DECLS

/* Installs the key handling on @self: Up/Down move the focus ring between lanes (worker and
 * core lanes of every shown run), Left/Right between the tasks of a worker lane once the ring is
 * on (panning otherwise), Enter or Space highlights the task, Escape leaves the ring. The
 * timeline's accessible label names the lane or task under the ring. */
void      il_timeline_keys_attach      (IlTimelineView *self);
/* Whether the ring is on (and so drawn while the timeline has the focus). */
gboolean  il_timeline_keys_get_active  (IlTimelineView *self);
/* Draws the ring over a frame already painted @width × @height into @cr. */
void      il_timeline_keys_draw        (IlTimelineView *self,
                                        cairo_t        *cr,
                                        int             width,
                                        int             height);
/* What the ring is on, in words (a lane with its state totals, or a task's details), or NULL
 * when it is off. Also the keyboard-mode tooltip. */
char     *il_timeline_keys_describe    (IlTimelineView *self);
/* Moves the ring as the keys do (tests): @dlane lanes down, @dtask tasks right. */
void      il_timeline_keys_move        (IlTimelineView *self,
                                        int             dlane,
                                        int             dtask);
/* Enter: highlights the task under the ring. FALSE when the ring is not on a task. */
gboolean  il_timeline_keys_activate    (IlTimelineView *self);
/* "worker 2 of “4 threads + GIL”: 3 tasks — Running: 400 ms, Waiting for the GIL: 1.20 s". */
char     *il_timeline_keys_describe_lane (IlRunTrace *run,
                                          gboolean    core,
                                          int         index);

G_END_DECLS
