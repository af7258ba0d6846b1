/* il-timeline-view.h: the live Gantt timeline widget: the painter inside snapshot(), zoom, pan, hover. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-painter.h"
#include "il-timing.h"

G_BEGIN_DECLS

/* Data key (il_run_trace_set_data) of a gint64: how long a live traced program is expected to
 * run, in ns (its last run's wall time), so the live range fits it from the start. */
#define IL_TIMELINE_EXPECTED_NS "il-timeline-expected-ns"

#define IL_TYPE_TIMELINE_VIEW (il_timeline_view_get_type ())
G_DECLARE_FINAL_TYPE (IlTimelineView, il_timeline_view, IL, TIMELINE_VIEW, GtkWidget)

/* Properties: "show-workers", "show-cores", "show-strip", "color-by-cpu" (gboolean),
 * "dark" (gboolean: follows AdwStyleManager unless set), "following" (gboolean, read-only: the
 * view keeps the newest time in sight while a run records). */
GtkWidget  *il_timeline_view_new            (void);

/* Shows @runs (of IlRunTrace*, referenced), stacked and aligned at zero; resets zoom to fit. */
void        il_timeline_view_set_runs       (IlTimelineView *self, GPtrArray *runs);
GPtrArray  *il_timeline_view_get_runs       (IlTimelineView *self);
/* Call when a shown run has new spans or changed state: starts the live redraw if needed and
 * refreshes the accessible description when no run is live any more. */
void        il_timeline_view_runs_changed   (IlTimelineView *self);

void        il_timeline_view_zoom           (IlTimelineView *self, double factor);
void        il_timeline_view_zoom_at        (IlTimelineView *self, double factor, double x);
void        il_timeline_view_pan            (IlTimelineView *self, double fraction);
void        il_timeline_view_fit            (IlTimelineView *self);
/* The visible time range; *fit is TRUE when the view fits the longest run. */
void        il_timeline_view_get_range      (IlTimelineView *self, gint64 *t0_ns, gint64 *t1_ns,
                                             gboolean *fit);
void        il_timeline_view_set_highlight  (IlTimelineView *self, int run, int task);
void        il_timeline_view_get_highlight  (IlTimelineView *self, int *run, int *task);
/* The options the last frame was drawn with (export draws "what is shown" with them). */
const IlPaintOptions *il_timeline_view_get_paint_options (IlTimelineView *self);
IlViewFlags il_timeline_view_get_view_flags (IlTimelineView *self);

/* The text description of the shown runs given to screen readers. */
const char *il_timeline_view_get_description (IlTimelineView *self);
/* Tooltip text for a point of the widget, or NULL when nothing is there (hover and tests). */
char       *il_timeline_view_describe_point (IlTimelineView *self, double x, double y);

/* How many frames were drawn, and how many of them showed at least one span (tests). */
guint       il_timeline_view_get_n_frames          (IlTimelineView *self);
guint       il_timeline_view_get_n_frames_with_spans (IlTimelineView *self);
/* Frame times while a run was live (IL_DEBUG_TIMING prints them when it ends). */
const IlFrameStats *il_timeline_view_get_live_frame_stats (IlTimelineView *self);
gboolean    il_timeline_view_get_live           (IlTimelineView *self);
gboolean    il_timeline_view_get_following      (IlTimelineView *self);
/* Whether the live redraw timeout is installed (only while a shown run records). */
gboolean    il_timeline_view_get_ticking        (IlTimelineView *self);
/* How often a live frame painted the picture whole, and how often only what changed (tests). */
void        il_timeline_view_get_paint_counts   (IlTimelineView *self, guint *full, guint *strips);
/* Shows only the worker and core lanes whose label holds @text, in any case (process headers
 * of kept lanes stay); NULL or "" shows every lane. */
void        il_timeline_view_set_lane_filter    (IlTimelineView *self, const char *text);
const char *il_timeline_view_get_lane_filter    (IlTimelineView *self);
/* Text zoom: the painter's text (and so its lanes' least height) times @scale. */
void        il_timeline_view_set_text_scale     (IlTimelineView *self, double scale);
/* For a projector: larger text and legend, every lane at least IL_LAYOUT_PRESENT_LANE_H tall
 * (IlPaintOptions.presentation); the picture scrolls when they do not fit. */
void        il_timeline_view_set_presentation   (IlTimelineView *self, gboolean presentation);
/* The height of the whole picture, of which the view shows a window (it scrolls). */
int         il_timeline_view_get_content_height (IlTimelineView *self);
/* What a click at (x, y) does: highlights the task under it, or clears the highlight. */
void        il_timeline_view_click              (IlTimelineView *self, double x, double y);

G_END_DECLS
