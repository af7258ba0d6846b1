/* il-timeline-keys.h: the timeline by keyboard: a focus ring over lanes and tasks, Enter selects, lanes in words. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-paint-options.h"
#include "il-trace.h"

G_BEGIN_DECLS

/* What the keys need of the timeline they are attached to, and all they know of it: the key
 * handling sits below the timeline widget and calls it only through these. */
typedef struct
{
  /* The shown runs (of IlRunTrace*) and the options the last frame was drawn with. */
  GPtrArray            *(*get_runs)          (GtkWidget *timeline);
  const IlPaintOptions *(*get_paint_options) (GtkWidget *timeline);
  /* Highlights task @task of run @run, as a click on it does. */
  void                  (*set_highlight)     (GtkWidget *timeline, int run, int task);
  /* The height of the picture the timeline shows a window of (it scrolls). */
  int                   (*get_content_height) (GtkWidget *timeline);
} IlTimelineKeysHost;

/* Installs the key handling on @timeline: Up/Down move the focus ring between lanes (worker and
 * core lanes of every shown run), Left/Right between the tasks of a worker lane once the ring is
 * on (panning otherwise), Enter or Space highlights the task, Escape leaves the ring. The
 * timeline's accessible label names the lane or task under the ring. @host is not copied. */
void      il_timeline_keys_attach      (GtkWidget                *timeline,
                                        const IlTimelineKeysHost *host);
/* Whether the ring is on (and so drawn while the timeline has the focus). */
gboolean  il_timeline_keys_get_active  (GtkWidget      *timeline);
/* Draws the ring over a frame already painted @width × @height (the whole picture) into @cr. */
void      il_timeline_keys_draw        (GtkWidget      *timeline,
                                        cairo_t        *cr,
                                        int             width,
                                        int             height);
/* What the ring is on, in words (a lane with its state totals, or a task's details), or NULL
 * when it is off. Also the keyboard-mode tooltip. */
char     *il_timeline_keys_describe    (GtkWidget      *timeline);
/* Moves the ring as the keys do (tests): @dlane lanes down, @dtask tasks right. */
void      il_timeline_keys_move        (GtkWidget      *timeline,
                                        int             dlane,
                                        int             dtask);
/* Enter: highlights the task under the ring. FALSE when the ring is not on a task. */
gboolean  il_timeline_keys_activate    (GtkWidget      *timeline);
/* "worker 2 of “4 threads + GIL”: 3 tasks — Running: 400 ms, Waiting for the GIL: 1.20 s". */
char     *il_timeline_keys_describe_lane (IlRunTrace *run,
                                          gboolean    core,
                                          int         index);

G_END_DECLS
