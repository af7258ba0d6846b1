/* il-timeline-view-private.h: what the files of the timeline widget share: its instance and their entry points. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-layout.h"
#include "il-timeline-view.h"
#include "il-timing.h"

G_BEGIN_DECLS

/* Narrowest visible range: below a microsecond the clock's own resolution is all one sees. */
#define IL_TIMELINE_MIN_RANGE_NS G_GINT64_CONSTANT (1000)

struct _IlTimelineView
{
  GtkWidget       parent_instance;

  GPtrArray      *runs;            /* of IlRunTrace (owned refs) */
  IlPaintOptions  options;
  gboolean        fit;             /* range follows the longest run (0 … end) */
  gboolean        following;       /* zoomed in while live: the right edge tracks the newest time */
  gboolean        dark_set;        /* "dark" was set explicitly: stop following the style manager */
  gboolean        was_live;

  guint           tick_id;
  guint           tick_ms;          /* its interval: LIVE_FRAME_MS or LIVE_BUSY_FRAME_MS */
  gulong          before_paint_id;
  gulong          after_paint_id;
  GdkFrameClock  *frame_clock;     /* borrowed while realized */
  gint64          paint_begin_us;
  IlFrameStats   *live_stats;       /* heap: the sample buffers are too big for an instance */
  IlFrameStats   *snapshot_stats;
  IlFrameStats   *cpu_stats;        /* thread CPU time per frame: the cost, without preemption */
  gint64          paint_begin_cpu_ns;

  /* gestures: the range when a drag or pinch began */
  gint64          drag_t0, drag_t1;
  gint64          pinch_t0, pinch_t1;
  double          pinch_x;
  double          pointer_x;       /* -1 when the pointer is outside: Ctrl+scroll zooms around it */

  guint           n_lanes;         /* lanes at the last check: a new one may need more height */
  /* GtkScrollable: the view is as tall as its allocation and shows a window of a picture that
   * may be far taller (il_layout_min_height): no widget, node or surface ever gets the size of
   * every lane. */
  GtkAdjustment  *hadj, *vadj;
  GtkScrollablePolicy hpolicy, vpolicy;
  int             min_h_width;     /* the width min_h was found for; -1: find it again */
  int             min_h;
  char           *lane_filter;     /* NULL: every lane; options.lane_filter borrows it */
  gboolean        lanes_pending;   /* lanes came too soon after a whole paint: shown later */

  char           *description;     /* the accessible description, kept for tests */
  guint           n_frames;
  guint           n_frames_with_spans;

  /* Live drawing: the picture is kept and only what changed is painted onto it. */
  gint64          live_t1;          /* fitting a live run: the range shown, grown in steps */
  cairo_surface_t *cache;           /* device pixels of the view, or NULL */
  int             cache_scroll_y;   /* the picture's row at its top */
  int             cache_content_h;  /* the picture's height */
  IlPaintOptions  cache_options;    /* what the cache was painted with (range resolved) */
  GPtrArray      *cache_runs;       /* borrowed pointers: which runs it shows */
  IlLayout       *cache_layout;     /* the geometry it was painted in */
  GArray         *cache_spans;      /* guint per lane of every run: spans painted */
  GArray         *cache_load_end;   /* gint64 per run: the end of its other-programs series painted */
  int             cache_width, cache_height;
  gint64          cache_full_us;    /* when it was last painted whole */
  gint64          cache_headers_us; /* when the live headers were last painted */
  GPtrArray      *tiles;            /* of GskRenderNode or NULL (stale), row-major */
  int             tiles_x, tiles_y;
  guint           n_full_paints;    /* for tests and the benchmark */
  guint           n_strip_paints;
};

/* The range and the live state (il-timeline-view.c) --------------------------------------------- */

gboolean  il_timeline_view_any_live          (IlTimelineView *self);
/* The end of the longest shown run. */
gint64    il_timeline_view_get_extent        (IlTimelineView *self);
/* The options a frame is painted with, its range resolved. */
void      il_timeline_view_paint_options     (IlTimelineView *self, IlPaintOptions *o);
/* The picture's height: the view's, or what its lanes need to keep readable labels. */
int       il_timeline_view_content_height    (IlTimelineView *self);
/* The picture's row at the top of the view (whole pixels: crisp lanes). */
int       il_timeline_view_scroll_y          (IlTimelineView *self);
/* Every change of range goes through here: clamping, fit and following. */
void      il_timeline_view_set_range         (IlTimelineView *self, gint64 t0, gint64 t1);

/* The picture (il-timeline-view-paint.c) -------------------------------------------------------- */

void      il_timeline_view_paint_class_init  (GtkWidgetClass *widget_class);
void      il_timeline_view_paint_init        (IlTimelineView *self);
void      il_timeline_view_paint_finalize    (IlTimelineView *self);
/* Lets the live picture's cache go (at rest, or when the widget goes). */
void      il_timeline_view_drop_cache        (IlTimelineView *self);
/* Times the frames of the window's clock (while realized) or stops. */
void      il_timeline_view_watch_frame_clock (IlTimelineView *self, gboolean watch);
/* IL_DEBUG_TIMING: the live frames' times, printed when a run ends. */
void      il_timeline_view_print_live_stats  (IlTimelineView *self);

/* Pointer, gestures, zoom and pan, tooltips (il-timeline-view-input.c) -------------------------- */

void      il_timeline_view_input_class_init  (GtkWidgetClass *widget_class);
void      il_timeline_view_input_init        (IlTimelineView *self);

G_END_DECLS
