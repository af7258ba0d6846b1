/* il-timeline-view.c: the live Gantt timeline widget: the painter inside snapshot(), zoom, pan, hover. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <adwaita.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-format.h"
#include "il-layout.h"
#include "il-timeline-keys.h"
#include "il-timeline-view.h"

/* Narrowest visible range: below a microsecond the clock's own resolution is all one sees. */
#define MIN_RANGE_NS G_GINT64_CONSTANT (1000)
/* Live frames: 8 a second is enough for a picture that grows at its right edge, and leaves the
 * CPU to the run being measured (the window must not disturb what it shows). Measured with
 * bench-window on 2 cores: at 12 a second the window took 8-11 % of a core during lessons
 * 03 and 05, at 8 a second 7-10 %. A run whose workers can keep every core busy gets 4 a
 * second: every frame is then taken from a worker, and a run of two workers on two cores was
 * 2-5 % slower in the window at 8 frames a second, 0-1.6 % with no live frames at all. */
#define LIVE_FRAME_MS 125
#define LIVE_BUSY_FRAME_MS 250
/* While live, the whole picture is painted again this often (legend, labels re-centred);
 * in between only new columns and the headers are. */
#define LIVE_FULL_PAINT_US (2 * G_USEC_PER_SEC)
/* The live headers' "running… so far" is painted four times a second: a header spans the width,
 * so each repaint is a row of tiles to convert and send. */
#define LIVE_HEADER_US (G_USEC_PER_SEC / 4)
/* New lanes of a live run (a traced program's threads as they start) are shown at most this
 * often: each is a whole paint of the live picture. */
#define LIVE_LANES_US (G_USEC_PER_SEC * 3 / 10)
/* The cached picture goes to GTK in tiles: unchanged tiles keep their texture, so only what
 * changed is damaged, rendered and sent to the display. */
#define TILE_PX 128

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
  gboolean        lanes_pending;   /* lanes came too soon after a whole paint: shown later */

  char           *description;     /* the accessible description, kept for tests */
  guint           n_frames;
  guint           n_frames_with_spans;

  /* Live drawing: the picture is kept and only what changed is painted onto it. */
  gint64          live_t1;          /* fitting a live run: the range shown, grown in steps */
  cairo_surface_t *cache;           /* device pixels, or NULL */
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

G_DEFINE_FINAL_TYPE (IlTimelineView, il_timeline_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SHOW_WORKERS,
  PROP_SHOW_CORES,
  PROP_SHOW_STRIP,
  PROP_COLOR_BY_CPU,
  PROP_DARK,
  PROP_FOLLOWING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
tile_free (gpointer data)
{
  if (data != NULL)
    gsk_render_node_unref (data);
}

static void
il_timeline_view_drop_cache (IlTimelineView *self)
{
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  g_clear_pointer (&self->cache_layout, il_layout_free);
  if (self->tiles != NULL)
    g_ptr_array_set_size (self->tiles, 0);
  if (self->cache_runs != NULL)
    g_ptr_array_set_size (self->cache_runs, 0);
  if (self->cache_spans != NULL)
    g_array_set_size (self->cache_spans, 0);
  if (self->cache_load_end != NULL)
    g_array_set_size (self->cache_load_end, 0);
}

/* The same geometry: every row, block and the time scale where they were. Field by field: the
 * rows and blocks have padding, which memcmp() would compare too (built with clang, it differed
 * at every frame, and every live frame was a whole paint). */
static gboolean
il_timeline_view_same_layout (const IlLayout *a, const IlLayout *b)
{
  if (!(a->width == b->width && a->height == b->height && a->lane_x0 == b->lane_x0 &&
        a->lane_x1 == b->lane_x1 && a->legend_h == b->legend_h &&
        a->scale.t0_ns == b->scale.t0_ns && a->scale.t1_ns == b->scale.t1_ns &&
        a->scale.x0 == b->scale.x0 && a->scale.x1 == b->scale.x1 &&
        a->rows->len == b->rows->len && a->blocks->len == b->blocks->len))
    return FALSE;
  for (guint i = 0; i < a->rows->len; i++)
    {
      const IlLayoutRow *p = &g_array_index (a->rows, IlLayoutRow, i);
      const IlLayoutRow *q = &g_array_index (b->rows, IlLayoutRow, i);

      if (p->kind != q->kind || p->run != q->run || p->index != q->index || p->y != q->y ||
          p->h != q->h)
        return FALSE;
    }
  for (guint i = 0; i < a->blocks->len; i++)
    {
      const IlLayoutBlock *p = &g_array_index (a->blocks, IlLayoutBlock, i);
      const IlLayoutBlock *q = &g_array_index (b->blocks, IlLayoutBlock, i);

      if (p->run != q->run || p->y != q->y || p->h != q->h || p->header_y != q->header_y ||
          p->header_h != q->header_h || p->first_row != q->first_row || p->n_rows != q->n_rows ||
          p->n_cpus != q->n_cpus)
        return FALSE;
    }
  return TRUE;
}

/* Can the cached picture be extended, or must it be painted again whole? */
static gboolean
il_timeline_view_cache_matches (IlTimelineView *self, const IlPaintOptions *o, const IlLayout *layout)
{
  const IlPaintOptions *c = &self->cache_options;

  if (self->cache == NULL || self->cache_layout == NULL || o->t1_ns <= o->t0_ns ||
      self->cache_runs->len != self->runs->len)
    return FALSE;
  for (guint i = 0; i < self->runs->len; i++)
    if (g_ptr_array_index (self->runs, i) != g_ptr_array_index (self->cache_runs, i))
      return FALSE;
  return c->theme == o->theme && c->view == o->view && c->color_by_cpu == o->color_by_cpu &&
         c->t0_ns == o->t0_ns && c->t1_ns == o->t1_ns && c->highlight_run == o->highlight_run &&
         c->highlight_task == o->highlight_task && c->scale == o->scale &&
         c->show_header == o->show_header && c->show_legend == o->show_legend &&
         il_timeline_view_same_layout (self->cache_layout, layout);
}

/* Paints the rectangle (user units) of the picture onto the cache and marks its tiles stale. */
static void
il_timeline_view_paint_cache (IlTimelineView *self, const IlPaintOptions *o, double x0, double y0,
                              double x1, double y1)
{
  cairo_t *cr = cairo_create (self->cache);
  double dev = o->scale;
  int tx0, tx1, ty0, ty1;

  cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
  cairo_clip (cr);
  il_painter_draw (cr, self->cache_width, self->cache_height, self->runs, o);
  cairo_destroy (cr);

  tx0 = CLAMP ((int) floor (x0 * dev / TILE_PX), 0, self->tiles_x - 1);
  tx1 = CLAMP ((int) floor ((x1 * dev - 1) / TILE_PX), 0, self->tiles_x - 1);
  ty0 = CLAMP ((int) floor (y0 * dev / TILE_PX), 0, self->tiles_y - 1);
  ty1 = CLAMP ((int) floor ((y1 * dev - 1) / TILE_PX), 0, self->tiles_y - 1);
  for (int ty = ty0; ty <= ty1; ty++)
    for (int tx = tx0; tx <= tx1; tx++)
      {
        gpointer *slot = &g_ptr_array_index (self->tiles, ty * self->tiles_x + tx);
        g_clear_pointer (slot, gsk_render_node_unref);
      }
}

/* The end of @run's other-programs series (it trails the spans by a sampling lag), or 0. */
static gint64
run_load_end (IlRunTrace *run)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);

  return load != NULL ? il_cpu_load_get_end_ns (load) : 0;
}

/* How many spans each lane of the shown runs has, and how far their other-programs series go:
 * what the cache holds. */
static void
il_timeline_view_note_spans (IlTimelineView *self)
{
  g_array_set_size (self->cache_spans, 0);
  g_array_set_size (self->cache_load_end, 0);
  for (guint r = 0; r < self->runs->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (self->runs, r);
      gint64 load_end = run_load_end (run);

      g_array_append_val (self->cache_load_end, load_end);

      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          guint n = il_lane_get_n_spans (il_run_trace_get_lane (run, w));
          g_array_append_val (self->cache_spans, n);
        }
    }
}

/* The earliest start of a span of run @r added since the cache was painted, or G_MAXINT64 when
 * none was: spans of a lane are ordered, so a lane's new spans start at its first new one. A
 * lane that got nothing new needs no repaint, however far back its last span ended. */
static gint64
il_timeline_view_first_new_ns (IlTimelineView *self, guint r)
{
  gint64 first = G_MAXINT64;
  IlRunTrace *run = g_ptr_array_index (self->runs, r);
  gint64 load_before = r < self->cache_load_end->len ? g_array_index (self->cache_load_end, gint64, r) : 0;
  guint k = 0;

  for (guint i = 0; i < r; i++)
    k += il_run_trace_get_n_workers (g_ptr_array_index (self->runs, i));
  /* New rows of other programs' load colour the core lanes from where the series ended. */
  if (run_load_end (run) > load_before)
    first = MIN (first, load_before);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++, k++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint before = k < self->cache_spans->len ? g_array_index (self->cache_spans, guint, k) : 0;

      if (il_lane_get_n_spans (lane) > before)
        first = MIN (first, il_lane_get_span (lane, before)->start_ns);
    }
  return first;
}

enum { HIGHLIGHT_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

static gboolean
il_timeline_view_any_live (IlTimelineView *self)
{
  for (guint i = 0; i < self->runs->len; i++)
    if (il_run_trace_get_live (g_ptr_array_index (self->runs, i)))
      return TRUE;
  return FALSE;
}

gboolean
il_timeline_view_get_live (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return il_timeline_view_any_live (self);
}

static gint64
il_timeline_view_get_extent (IlTimelineView *self)
{
  gint64 end = 0;

  for (guint i = 0; i < self->runs->len; i++)
    end = MAX (end, il_run_trace_get_end_ns (g_ptr_array_index (self->runs, i)));
  return end;
}

/* The smallest of 1, 1.5, 2, 3, 4, 5, 6, 8 × 10^k at or above @ns: a live run's range grows in
 * such steps, so its picture keeps one scale for a while and new columns are only appended. */
static gint64
il_timeline_view_live_step (gint64 ns)
{
  static const double steps[] = { 1, 1.5, 2, 3, 4, 5, 6, 8, 10 };
  double decade = pow (10, floor (log10 ((double) MAX (ns, 1))));

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (steps[i] * decade >= ns)
      return (gint64) (steps[i] * decade);
  return (gint64) (10 * decade);
}

/* How long a live run will take, roughly, from its configuration: its tasks' time over the
 * workers that can run at once; for a traced program, see below. Only the live picture's
 * first scale depends on it, so a rough guess costs at most a repaint. */
static gint64
il_timeline_view_estimate_ns (IlRunTrace *run)
{
  const IlRunConfig *c = il_run_trace_get_config (run);
  guint cpus = c->cpus != NULL && c->cpus->len > 0 ? c->cpus->len : il_cpu_count ();
  guint at_once = MAX (1, MIN (c->workers, c->tasks));
  gboolean waits = c->workload == IL_WORKLOAD_SLEEP || c->workload == IL_WORKLOAD_DISK;

  /* A traced program: as long as it took last time (the window says, IL_TIMELINE_EXPECTED_NS),
   * else a second; each step of a range that grows in doublings is a whole paint. */
  if (c->executor == IL_EXECUTOR_EXTERNAL || c->tasks == 0)
    {
      gint64 *expected = il_run_trace_get_data (run, IL_TIMELINE_EXPECTED_NS);
      return expected != NULL ? *expected : G_GINT64_CONSTANT (1000000000);
    }
  /* Computation runs one at a time under a GIL or on one loop thread, at most one per core. */
  if (c->executor == IL_EXECUTOR_SEQUENTIAL || (!waits && (c->gil || c->executor == IL_EXECUTOR_ASYNC)))
    at_once = 1;
  else if (!waits)
    at_once = MIN (at_once, cpus);
  return (gint64) (c->tasks * c->task_ms * 1e6 / at_once);
}

/* Can a live run's workers keep every core it may use busy (CPU work, no GIL, as many workers
 * as cores)? Then the window's frames come out of the run's time. A traced program: its threads
 * are not known ahead and its tracer already shares the CPUs with it, so yes (measured with
 * bench-window on lessons 08-10: the window took 10-12 % of a core while they ran, the tracer
 * about 4 of it). */
static gboolean
il_timeline_view_fills_cores (IlTimelineView *self)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (self->runs, i);
      const IlRunConfig *c = il_run_trace_get_config (run);
      guint cpus = c->cpus != NULL && c->cpus->len > 0 ? c->cpus->len : il_cpu_count ();

      if (il_run_trace_get_live (run) && c->executor == IL_EXECUTOR_EXTERNAL)
        return TRUE;
      if (!il_run_trace_get_live (run) || c->executor == IL_EXECUTOR_SEQUENTIAL || c->executor == IL_EXECUTOR_ASYNC || c->gil ||
          c->workload == IL_WORKLOAD_SLEEP || c->workload == IL_WORKLOAD_DISK)
        continue;
      if (MIN (c->workers, c->tasks) >= cpus)
        return TRUE;
    }
  return FALSE;
}

/* The options a frame is painted with: the range resolved (fitting a live run shows 0 … its
 * live range, which grows in steps rather than with every frame). */
static void
il_timeline_view_paint_options (IlTimelineView *self, IlPaintOptions *o)
{
  *o = self->options;
  if (self->fit)
    {
      o->t0_ns = 0;
      o->t1_ns = self->live_t1 > 0 && il_timeline_view_any_live (self) ? self->live_t1 : 0;
    }
}

void
il_timeline_view_get_range (IlTimelineView *self, gint64 *t0_ns, gint64 *t1_ns, gboolean *fit)
{
  IlPaintOptions o;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_paint_options (self, &o);
  il_paint_options_get_time_range (&o, self->runs, t0_ns, t1_ns);
  if (*t1_ns <= *t0_ns)
    *t1_ns = *t0_ns + MIN_RANGE_NS;
  if (fit)
    *fit = self->fit;
}

static void
il_timeline_view_set_following (IlTimelineView *self, gboolean following)
{
  if (self->following == following)
    return;
  self->following = following;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FOLLOWING]);
}

/* Every change of range goes through here, so clamping and the follow rule live in one place. */
static void
il_timeline_view_set_range (IlTimelineView *self, gint64 t0, gint64 t1)
{
  gint64 extent = MAX (il_timeline_view_get_extent (self), MIN_RANGE_NS);
  gint64 width = MAX (t1 - t0, MIN_RANGE_NS);

  /* Zoomed out to the whole run or further: that is "fit", which also follows a live run. */
  if (width >= extent)
    {
      il_timeline_view_fit (self);
      return;
    }
  t0 = CLAMP (t0, -width / 10, extent - width / 10);
  self->fit = FALSE;
  self->options.t0_ns = t0;
  self->options.t1_ns = t0 + width;
  /* Looking at the newest time keeps following it; scrolling away stops that. */
  il_timeline_view_set_following (self, self->options.t1_ns >= extent - width / 50);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
il_timeline_view_fit (IlTimelineView *self)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  self->fit = TRUE;
  self->options.t0_ns = self->options.t1_ns = 0;
  self->live_t1 = 0;
  il_timeline_view_set_following (self, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_time_area (IlTimelineView *self, double *x0, double *x1)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  IlPaintOptions o;

  il_timeline_view_paint_options (self, &o);
  il_painter_get_time_area (width, height, self->runs, &o, x0, x1);
  if (*x1 - *x0 < 1)
    *x1 = *x0 + 1;
}

void
il_timeline_view_zoom_at (IlTimelineView *self, double factor, double x)
{
  gint64 t0, t1;
  double x0, x1, frac, t, width;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));
  g_return_if_fail (factor > 0);

  il_timeline_view_get_range (self, &t0, &t1, NULL);
  il_timeline_view_time_area (self, &x0, &x1);
  frac = CLAMP ((x - x0) / (x1 - x0), 0.0, 1.0);
  t = t0 + frac * (t1 - t0);
  width = MAX ((t1 - t0) / factor, (double) MIN_RANGE_NS);
  il_timeline_view_set_range (self, (gint64) (t - frac * width), (gint64) (t - frac * width + width));
}

void
il_timeline_view_zoom (IlTimelineView *self, double factor)
{
  double x0, x1;
  gint64 t0, t1;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_time_area (self, &x0, &x1);
  il_timeline_view_get_range (self, &t0, &t1, NULL);
  /* While following a live run, zoom around the newest time so it stays in sight. */
  if (self->following && il_timeline_view_any_live (self))
    il_timeline_view_zoom_at (self, factor, x1);
  else
    il_timeline_view_zoom_at (self, factor, (x0 + x1) / 2);
}

void
il_timeline_view_pan (IlTimelineView *self, double fraction)
{
  gint64 t0, t1;
  gboolean fit;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_get_range (self, &t0, &t1, &fit);
  if (fit)
    return;   /* everything is in sight: there is nowhere to pan to */
  il_timeline_view_set_range (self, t0 + (gint64) (fraction * (t1 - t0)),
                              t1 + (gint64) (fraction * (t1 - t0)));
}

void
il_timeline_view_set_highlight (IlTimelineView *self, int run, int task)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  if (self->options.highlight_run == run && self->options.highlight_task == task)
    return;
  self->options.highlight_run = run;
  self->options.highlight_task = task;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[HIGHLIGHT_CHANGED], 0);
}

void
il_timeline_view_get_highlight (IlTimelineView *self, int *run, int *task)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  *run = self->options.highlight_run;
  *task = self->options.highlight_task;
}

const IlPaintOptions *
il_timeline_view_get_paint_options (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return &self->options;
}

IlViewFlags
il_timeline_view_get_view_flags (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), 0);
  return self->options.view;
}

GPtrArray *
il_timeline_view_get_runs (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->runs;
}

guint
il_timeline_view_get_n_frames (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), 0);
  return self->n_frames;
}

guint
il_timeline_view_get_n_frames_with_spans (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), 0);
  return self->n_frames_with_spans;
}

const IlFrameStats *
il_timeline_view_get_live_frame_stats (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->live_stats;
}

static void
il_timeline_view_update_description (IlTimelineView *self)
{
  GString *s = g_string_new (NULL);

  if (self->runs->len == 0)
    g_string_append (s, _("No run yet. Set up a run and press Run."));
  if (self->runs->len > 1)
    g_string_append_printf (s, ngettext ("%u run stacked on one time scale. ",
                                         "%u runs stacked on one time scale. ",
                                         self->runs->len), self->runs->len);
  for (guint i = 0; i < self->runs->len; i++)
    {
      g_autofree char *text = il_format_run_description (g_ptr_array_index (self->runs, i));

      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, text);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  s->str, -1);
  g_free (self->description);
  self->description = g_string_free (s, FALSE);
}

const char *
il_timeline_view_get_description (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);
  return self->description;
}

static void
il_timeline_view_print_live_stats (IlTimelineView *self)
{
  if (!il_timing_enabled () || self->live_stats->n_frames == 0)
    return;
  printf ("live_frames: %u\n", self->live_stats->n_frames);
  printf ("frame_ms_mean: %.2f\n", self->live_stats->sum_ms / self->live_stats->n_frames);
  printf ("frame_ms_p95: %.2f\n", il_frame_stats_percentile (self->live_stats, 95));
  printf ("frame_ms_max: %.2f\n", self->live_stats->max_ms);
  printf ("frame_cpu_ms_mean: %.2f\n", self->cpu_stats->sum_ms / MAX (self->cpu_stats->n_frames, 1));
  printf ("frame_cpu_ms_p95: %.2f\n", il_frame_stats_percentile (self->cpu_stats, 95));
  if (self->snapshot_stats->n_frames > 0)
    {
      printf ("snapshot_ms_mean: %.2f\n", self->snapshot_stats->sum_ms / self->snapshot_stats->n_frames);
      printf ("snapshot_ms_p95: %.2f\n", il_frame_stats_percentile (self->snapshot_stats, 95));
    }
  fflush (stdout);
}

static void il_timeline_view_check_lanes (IlTimelineView *self);

/* The range of a live picture: fitted, it grows in steps ahead of the newest time; zoomed in
 * and following, it keeps its width and ends at the newest time. */
static void
il_timeline_view_follow_live (IlTimelineView *self)
{
  gboolean live = il_timeline_view_any_live (self);

  if (live && self->fit)
    {
      gint64 extent = il_timeline_view_get_extent (self);

      /* First the estimate of the live runs, then, if they outgrow it, twice their extent:
       * each step repaints the whole picture, so there are few of them. */
      if (self->live_t1 <= 0)
        {
          gint64 guess = 0;

          for (guint i = 0; i < self->runs->len; i++)
            if (il_run_trace_get_live (g_ptr_array_index (self->runs, i)))
              guess = MAX (guess, il_timeline_view_estimate_ns (g_ptr_array_index (self->runs, i)));
          self->live_t1 = il_timeline_view_live_step (MAX (MAX ((gint64) (guess * 1.15), extent),
                                                           G_GINT64_CONSTANT (100000000)));
        }
      else if (extent > self->live_t1)
        self->live_t1 = il_timeline_view_live_step (extent * 2);
    }
  if (live && !self->fit && self->following)
    {
      gint64 extent = il_timeline_view_get_extent (self);
      gint64 width = self->options.t1_ns - self->options.t0_ns;

      self->options.t1_ns = MAX (extent, width);
      self->options.t0_ns = self->options.t1_ns - width;
    }
}

/* Live redraw: LIVE_FRAME_MS apart while a run records, not once per display frame: the eye
 * needs no more, and every frame is CPU taken from the run. The timeout is removed when no
 * shown run is live, so an idle window costs nothing. */
static gboolean
il_timeline_view_tick (gpointer user_data)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (user_data);
  GtkWidget *widget = GTK_WIDGET (self);
  gboolean live = il_timeline_view_any_live (self);

  il_timeline_view_follow_live (self);
  /* New lanes wait for their whole paint; until then the picture stays as it is. */
  if (live)
    il_timeline_view_check_lanes (self);
  if (!self->lanes_pending)
    gtk_widget_queue_draw (widget);

  if (!live)
    {
      self->tick_id = 0;
      self->was_live = FALSE;
      self->live_t1 = 0;
      il_timeline_view_update_description (self);
      il_timeline_view_print_live_stats (self);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

/* Asks for a new size when the number of lanes changed (a worker's first span, a view toggle).
 * A traced program's threads appear one by one as it starts, and each new lane means painting
 * the live picture whole: while live, lanes that come within LIVE_LANES_US of the last whole
 * paint wait (lanes_pending, and the live frames with them) and are shown together. */
static void
il_timeline_view_check_lanes (IlTimelineView *self)
{
  guint n = self->options.view;

  for (guint i = 0; i < self->runs->len; i++)
    n += 1000 * il_run_trace_get_n_workers (g_ptr_array_index (self->runs, i)) + 1;
  self->lanes_pending = FALSE;
  if (n == self->n_lanes)
    return;
  if (self->tick_id != 0 && self->cache != NULL &&
      g_get_monotonic_time () - self->cache_full_us < LIVE_LANES_US)
    {
      self->lanes_pending = TRUE;
      return;
    }
  self->n_lanes = n;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

void
il_timeline_view_runs_changed (IlTimelineView *self)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  il_timeline_view_check_lanes (self);
  if (il_timeline_view_any_live (self))
    {
      guint tick_ms = il_timeline_view_fills_cores (self) ? LIVE_BUSY_FRAME_MS : LIVE_FRAME_MS;

      if (!self->was_live)
        {
          self->was_live = TRUE;
          il_frame_stats_reset (self->live_stats);
          il_frame_stats_reset (self->snapshot_stats);
          il_frame_stats_reset (self->cpu_stats);
          il_timeline_view_update_description (self);
        }
      /* A run just added (prepared, not started) gets its range now, not at the next tick: the
       * picture painted before its start must be the one it runs in, or the first live frame
       * paints it all again, on the run's time. */
      il_timeline_view_follow_live (self);
      /* The next run of a lesson may fill the cores where the last did not, or not. */
      if (self->tick_id != 0 && self->tick_ms != tick_ms)
        g_clear_handle_id (&self->tick_id, g_source_remove);
      if (self->tick_id == 0)
        {
          self->tick_ms = tick_ms;
          self->tick_id = g_timeout_add (tick_ms, il_timeline_view_tick, self);
          il_timeline_view_tick (self);
        }
    }
  else if (self->tick_id == 0)
    {
      il_timeline_view_update_description (self);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

void
il_timeline_view_set_runs (IlTimelineView *self, GPtrArray *runs)
{
  gboolean same;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  /* The same runs again, or more of a batch: a zoom the user chose stays (a run ending or the
   * next one of a lesson starting must not throw it away); other runs start fitted. */
  same = runs != NULL && self->runs->len > 0 && runs->len >= self->runs->len;
  for (guint i = 0; same && i < self->runs->len; i++)
    same = g_ptr_array_index (runs, i) == g_ptr_array_index (self->runs, i);

  g_ptr_array_set_size (self->runs, 0);
  if (runs != NULL)
    for (guint i = 0; i < runs->len; i++)
      g_ptr_array_add (self->runs, il_run_trace_ref (g_ptr_array_index (runs, i)));
  if (!same)
    {
      self->options.highlight_run = -1;
      self->options.highlight_task = -1;
    }
  if (!same || self->fit)
    il_timeline_view_fit (self);
  il_timeline_view_runs_changed (self);
}

/* A live frame: the cached picture, extended by the columns that changed since the last frame
 * and the headers (their "running… so far" line); painted whole only when the scale, size,
 * geometry or options changed, and every LIVE_FULL_PAINT_US. Cost follows what changed, not the
 * length of the trace. */
static void
il_timeline_view_snapshot_live (IlTimelineView *self, GtkSnapshot *snapshot, int width, int height)
{
  IlPaintOptions o;
  g_autoptr(IlLayout) layout = NULL;
  gint64 now = g_get_monotonic_time ();
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int dev_w = width * scale, dev_h = height * scale;

  il_timeline_view_paint_options (self, &o);
  o.scale = scale;
  layout = il_layout_new (width, height, self->runs, &o);

  if (!il_timeline_view_cache_matches (self, &o, layout) || now - self->cache_full_us > LIVE_FULL_PAINT_US)
    {
      if (self->cache == NULL || self->cache_width != width || self->cache_height != height ||
          cairo_image_surface_get_width (self->cache) != dev_w)
        {
          g_clear_pointer (&self->cache, cairo_surface_destroy);
          self->cache = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, dev_w, dev_h);
          cairo_surface_set_device_scale (self->cache, scale, scale);
        }
      self->cache_width = width;
      self->cache_height = height;
      self->cache_options = o;
      g_ptr_array_set_size (self->cache_runs, 0);
      for (guint i = 0; i < self->runs->len; i++)
        g_ptr_array_add (self->cache_runs, g_ptr_array_index (self->runs, i));
      g_clear_pointer (&self->cache_layout, il_layout_free);
      self->cache_layout = g_steal_pointer (&layout);
      self->tiles_x = (dev_w + TILE_PX - 1) / TILE_PX;
      self->tiles_y = (dev_h + TILE_PX - 1) / TILE_PX;
      g_ptr_array_set_size (self->tiles, 0);
      g_ptr_array_set_size (self->tiles, self->tiles_x * self->tiles_y);
      il_timeline_view_note_spans (self);
      il_timeline_view_paint_cache (self, &o, 0, 0, width, height);
      self->cache_full_us = self->cache_headers_us = now;
      self->n_full_paints++;
    }
  else
    {
      IlLayout *l = self->cache_layout;
      gboolean painted = FALSE;

      /* Each block's new columns, its rows only: a finished run shown above a live one is not
       * painted again (two blocks' rows cost twice one's). */
      for (guint b = 0; b < l->blocks->len; b++)
        {
          const IlLayoutBlock *block = &g_array_index (l->blocks, IlLayoutBlock, b);
          gint64 first_new = block->run < self->runs->len && block->n_rows > 0
                               ? il_timeline_view_first_new_ns (self, block->run) : G_MAXINT64;
          const IlLayoutRow *top, *bottom;
          double xa, xb;

          if (first_new == G_MAXINT64)
            continue;
          top = &g_array_index (l->rows, IlLayoutRow, block->first_row);
          bottom = &g_array_index (l->rows, IlLayoutRow, block->first_row + block->n_rows - 1);
          /* A column is a device pixel; the one the new spans start in was painted part-filled. */
          xa = MAX (il_time_scale_to_x (&l->scale, (double) first_new) - 2.0 / scale, l->lane_x0);
          xb = MIN (il_time_scale_to_x (&l->scale, (double) il_run_trace_get_end_ns (g_ptr_array_index (self->runs, block->run)))
                    + 2.0 / scale, l->lane_x1);
          if (xb > xa)
            il_timeline_view_paint_cache (self, &o, floor (xa), floor (top->y - 1),
                                          ceil (xb), ceil (bottom->y + bottom->h + 1));
          painted = TRUE;
        }
      if (painted)
        il_timeline_view_note_spans (self);
      if (o.show_header && now - self->cache_headers_us >= LIVE_HEADER_US)
        for (guint b = 0; b < l->blocks->len; b++)
          {
            const IlLayoutBlock *block = &g_array_index (l->blocks, IlLayoutBlock, b);

            if (block->header_h > 0 && il_run_trace_get_live (g_ptr_array_index (self->runs, b)))
              {
                il_timeline_view_paint_cache (self, &o, 0, floor (block->header_y), width,
                                              ceil (block->header_y + block->header_h));
                self->cache_headers_us = now;
              }
          }
      self->n_strip_paints++;
    }

  /* Tiles: a stale one gets a new texture of its pixels; the others are the same objects as in
   * the last frame, so GTK sees them unchanged. */
  cairo_surface_flush (self->cache);
  for (int ty = 0; ty < self->tiles_y; ty++)
    for (int tx = 0; tx < self->tiles_x; tx++)
      {
        gpointer *slot = &g_ptr_array_index (self->tiles, ty * self->tiles_x + tx);
        int px = tx * TILE_PX, py = ty * TILE_PX;
        int tw = MIN (TILE_PX, dev_w - px), th = MIN (TILE_PX, dev_h - py);

        if (*slot == NULL)
          {
            /* A node of its own, drawn once from a copy of the tile's pixels: appended again
             * while unchanged, it is not redrawn (nor converted, nor sent to the display). */
            graphene_rect_t bounds = GRAPHENE_RECT_INIT ((float) px / scale, (float) py / scale,
                                                         (float) tw / scale, (float) th / scale);
            GskRenderNode *node = gsk_cairo_node_new (&bounds);
            cairo_t *cr = gsk_cairo_node_get_draw_context (node);
            /* The tile's own pixels: the node may keep its source, and the cache changes. */
            cairo_surface_t *tile = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, tw, th);
            int stride = cairo_image_surface_get_stride (self->cache);
            int tile_stride = cairo_image_surface_get_stride (tile);
            const guchar *from = cairo_image_surface_get_data (self->cache) + (gsize) py * stride + px * 4;
            guchar *to = cairo_image_surface_get_data (tile);

            for (int y = 0; y < th; y++)
              memcpy (to + (gsize) y * tile_stride, from + (gsize) y * stride, (gsize) tw * 4);
            cairo_surface_mark_dirty (tile);
            cairo_surface_set_device_scale (tile, scale, scale);
            cairo_set_source_surface (cr, tile, bounds.origin.x, bounds.origin.y);
            cairo_pattern_set_filter (cairo_get_source (cr), CAIRO_FILTER_NEAREST);
            cairo_paint (cr);
            cairo_destroy (cr);
            cairo_surface_destroy (tile);
            *slot = node;
          }
        gtk_snapshot_append_node (snapshot, *slot);
      }
}

static void
il_timeline_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gint64 begin = g_get_monotonic_time ();
  guint64 n_spans = 0;

  if (width <= 0 || height <= 0)
    return;

  self->options.scale = gtk_widget_get_scale_factor (widget);
  if (il_timeline_view_any_live (self) && self->runs->len > 0)
    il_timeline_view_snapshot_live (self, snapshot, width, height);
  else
    {
      /* At rest: one paint of everything, straight into GTK's node; the live cache is let go. */
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      IlPaintOptions o;

      il_timeline_view_drop_cache (self);
      il_timeline_view_paint_options (self, &o);
      if (self->runs->len > 0)
        il_painter_draw (cr, width, height, self->runs, &o);
      cairo_destroy (cr);
    }

  /* The keyboard's focus ring goes over whichever way the frame was painted. */
  if (il_timeline_keys_get_active (self) && gtk_widget_has_focus (widget))
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      il_timeline_keys_draw (self, cr, width, height);
      cairo_destroy (cr);
    }

  for (guint i = 0; i < self->runs->len; i++)
    n_spans += il_run_trace_get_n_spans (g_ptr_array_index (self->runs, i));
  self->n_frames++;
  if (n_spans > 0)
    {
      self->n_frames_with_spans++;
      il_timing_first_spans_frame ();
    }
  if (self->was_live)
    il_frame_stats_add (self->snapshot_stats, (g_get_monotonic_time () - begin) / 1000.0);
}

void
il_timeline_view_get_paint_counts (IlTimelineView *self, guint *full, guint *strips)
{
  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));
  *full = self->n_full_paints;
  *strips = self->n_strip_paints;
}

static void
on_before_paint (GdkFrameClock *clock, IlTimelineView *self)
{
  self->paint_begin_us = g_get_monotonic_time ();
  self->paint_begin_cpu_ns = il_clock_thread_cpu_ns ();
}

/* before-paint … after-paint spans snapshot and rendering of the whole window: the frame time a
 * user feels, not only the painter's share. */
static void
on_after_paint (GdkFrameClock *clock, IlTimelineView *self)
{
  if (self->was_live && self->paint_begin_us != 0)
    {
      il_frame_stats_add (self->live_stats, (g_get_monotonic_time () - self->paint_begin_us) / 1000.0);
      il_frame_stats_add (self->cpu_stats, (il_clock_thread_cpu_ns () - self->paint_begin_cpu_ns) / 1e6);
    }
  self->paint_begin_us = 0;
}

static void
il_timeline_view_realize (GtkWidget *widget)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (widget);

  GTK_WIDGET_CLASS (il_timeline_view_parent_class)->realize (widget);

  self->frame_clock = gtk_widget_get_frame_clock (widget);
  self->before_paint_id = g_signal_connect (self->frame_clock, "before-paint",
                                            G_CALLBACK (on_before_paint), self);
  self->after_paint_id = g_signal_connect (self->frame_clock, "after-paint",
                                           G_CALLBACK (on_after_paint), self);
}

static void
il_timeline_view_unrealize (GtkWidget *widget)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (widget);

  if (self->frame_clock != NULL)
    {
      g_clear_signal_handler (&self->before_paint_id, self->frame_clock);
      g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
      self->frame_clock = NULL;
    }
  GTK_WIDGET_CLASS (il_timeline_view_parent_class)->unrealize (widget);
}

static void
il_timeline_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                          int *minimum, int *natural, int *minimum_baseline, int *natural_baseline)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 320;
      *natural = 960;
    }
  else
    {
      /* Never thinner lanes than a readable label needs: a shorter view scrolls (the window
       * puts the timeline in a GtkScrolledWindow). */
      *minimum = MAX (120, il_layout_min_height (for_size > 0 ? for_size : 960, self->runs,
                                                 &self->options));
      *natural = MAX (*minimum, 560);
    }
}

char *
il_timeline_view_describe_point (IlTimelineView *self, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  IlPaintHit hit;
  IlRunTrace *run;
  GString *s;
  g_autofree char *start = NULL;
  g_autofree char *duration = NULL;

  IlPaintOptions o;

  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), NULL);

  il_timeline_view_paint_options (self, &o);
  if (self->runs->len == 0 ||
      !il_painter_hit_test (width, height, self->runs, &o, x, y, &hit) ||
      hit.run < 0 || (guint) hit.run >= self->runs->len)
    return NULL;
  run = g_ptr_array_index (self->runs, hit.run);
  if (hit.in_strip || hit.worker < 0)
    return NULL;

  s = g_string_new (NULL);
  if ((guint) hit.worker < il_run_trace_get_n_workers (run))
    {
      const IlWorkerInfo *info = il_run_trace_get_worker (run, hit.worker);
      const IlProcessInfo *proc = il_run_trace_find_process (run, info->pid);

      /* A traced program's thread: named as on its lane, with the process it belongs to. */
      if (proc != NULL)
        {
          g_autofree char *name = il_painter_worker_label (run, (guint) hit.worker);
          g_string_append_printf (s, _("%s in pid %d (%s)"), name, proc->pid, proc->name);
        }
      /* An imported trace's lanes are its threads, named as the file names them. */
      else if (il_run_trace_get_config (run)->source != NULL && info->name != NULL)
        g_string_append (s, info->name);
      else if (info->kind == IL_WORKER_PROCESS)
        g_string_append_printf (s, _("Process %u · pid %d"), info->id, info->pid);
      else
        g_string_append_printf (s, _("Worker %u · tid %d"), info->id, info->tid);
    }
  if (hit.span.task >= 0)
    {
      const IlTaskRecord *task = (guint) hit.span.task < il_run_trace_get_n_tasks (run)
                                   ? il_run_trace_get_task (run, (guint) hit.span.task) : NULL;

      g_string_append (s, "\n");
      if (task != NULL && task->name != NULL)
        g_string_append_printf (s, _("Task %d: %s"), (int) hit.span.task, task->name);
      else
        g_string_append_printf (s, _("Task %d"), (int) hit.span.task);
    }
  g_string_append (s, "\n");
  if (hit.span.cpu >= 0)
    g_string_append_printf (s, _("%s on CPU %d"), il_state_get_title (hit.span.state),
                            (int) hit.span.cpu);
  else
    g_string_append (s, il_state_get_title (hit.span.state));
  /* A traced program's wait says what the thread blocked on. */
  {
    const char *why = il_wait_kind_get_title (il_run_trace_get_wait (run, (guint) hit.worker,
                                                                      hit.span.start_ns));
    if (why != NULL)
      g_string_append_printf (s, ": %s", why);
  }
  start = il_format_duration (hit.span.start_ns);
  duration = il_format_duration (hit.span.end_ns - hit.span.start_ns);
  g_string_append (s, "\n");
  g_string_append_printf (s, _("Starts at %s, lasts %s"), start, duration);
  if (self->runs->len > 1)
    {
      g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
      g_string_append (s, "\n");
      g_string_append (s, title);
    }
  return g_string_free (s, FALSE);
}

static gboolean
il_timeline_view_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard_mode,
                                 GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  /* From the keyboard, the tooltip tells what the focus ring is on. */
  if (keyboard_mode)
    text = il_timeline_keys_describe (IL_TIMELINE_VIEW (widget));
  else
    text = il_timeline_view_describe_point (IL_TIMELINE_VIEW (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

gboolean
il_timeline_view_get_following (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return self->following;
}

gboolean
il_timeline_view_get_ticking (IlTimelineView *self)
{
  g_return_val_if_fail (IL_IS_TIMELINE_VIEW (self), FALSE);
  return self->tick_id != 0;
}

static void
on_click_released (GtkGestureClick *gesture, int n_press, double x, double y,
                   IlTimelineView *self)
{
  il_timeline_view_click (self, x, y);
}

void
il_timeline_view_click (IlTimelineView *self, double x, double y)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  IlPaintHit hit;
  IlPaintOptions o;

  g_return_if_fail (IL_IS_TIMELINE_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  il_timeline_view_paint_options (self, &o);
  if (self->runs->len > 0 &&
      il_painter_hit_test (width, height, self->runs, &o, x, y, &hit) &&
      !hit.in_strip && hit.span.task >= 0)
    {
      /* Clicking the highlighted task again clears it, like toggling a selection. */
      if (self->options.highlight_run == hit.run && self->options.highlight_task == hit.span.task)
        il_timeline_view_set_highlight (self, -1, -1);
      else
        il_timeline_view_set_highlight (self, hit.run, hit.span.task);
    }
  else
    il_timeline_view_set_highlight (self, -1, -1);
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, IlTimelineView *self)
{
  il_timeline_view_get_range (self, &self->drag_t0, &self->drag_t1, NULL);
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, IlTimelineView *self)
{
  double x0, x1;
  gint64 shift;

  if (fabs (dx) < 3 && self->fit)
    return;   /* a click, not a drag */
  il_timeline_view_time_area (self, &x0, &x1);
  shift = (gint64) (-dx / (x1 - x0) * (self->drag_t1 - self->drag_t0));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  if (!self->fit || shift != 0)
    {
      gint64 width = self->drag_t1 - self->drag_t0;
      gint64 extent = il_timeline_view_get_extent (self);

      /* Dragging a fitted view would only snap back: drag pans once zoomed in. */
      if (width < extent)
        il_timeline_view_set_range (self, self->drag_t0 + shift, self->drag_t1 + shift);
    }
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, IlTimelineView *self)
{
  self->pointer_x = x;
}

static void
on_leave (GtkEventControllerMotion *controller, IlTimelineView *self)
{
  self->pointer_x = -1;
}

/* TRUE when a scrolled window shows only part of the lanes. */
static gboolean
il_timeline_view_scrolls_vertically (IlTimelineView *self)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (self), GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adj;

  if (scroller == NULL)
    return FALSE;
  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
  return gtk_adjustment_get_upper (adj) - gtk_adjustment_get_lower (adj)
         > gtk_adjustment_get_page_size (adj) + 0.5;
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, IlTimelineView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  if (state & GDK_CONTROL_MASK)
    {
      double x = self->pointer_x >= 0 ? self->pointer_x
                 : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double steps = wheel ? dy : dy / 20.0;

      il_timeline_view_zoom_at (self, pow (1.25, -steps), x);
      return TRUE;
    }

  /* Lanes taller than the view scroll with the vertical wheel (the scrolled window around us
   * takes it); otherwise plain scrolling pans time, vertical wheels being the common case. */
  if (fabs (dy) > fabs (dx) && il_timeline_view_scrolls_vertically (self))
    return FALSE;
  {
    double amount = fabs (dx) > fabs (dy) ? dx : dy;
    double x0, x1;

    if (wheel)
      il_timeline_view_pan (self, amount * 0.1);
    else
      {
        il_timeline_view_time_area (self, &x0, &x1);
        il_timeline_view_pan (self, amount / (x1 - x0));
      }
  }
  return TRUE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, IlTimelineView *self)
{
  double y;

  il_timeline_view_get_range (self, &self->pinch_t0, &self->pinch_t1, NULL);
  if (!gtk_gesture_get_bounding_box_center (gesture, &self->pinch_x, &y))
    self->pinch_x = gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, IlTimelineView *self)
{
  double x0, x1, frac, t, width;

  if (scale <= 0)
    return;
  il_timeline_view_time_area (self, &x0, &x1);
  frac = CLAMP ((self->pinch_x - x0) / (x1 - x0), 0.0, 1.0);
  t = self->pinch_t0 + frac * (self->pinch_t1 - self->pinch_t0);
  width = MAX ((self->pinch_t1 - self->pinch_t0) / scale, (double) MIN_RANGE_NS);
  il_timeline_view_set_range (self, (gint64) (t - frac * width), (gint64) (t - frac * width + width));
}

static void
action_zoom (GtkWidget *widget, const char *action_name, GVariant *param)
{
  if (g_str_equal (action_name, "timeline.zoom-in"))
    il_timeline_view_zoom (IL_TIMELINE_VIEW (widget), 1.5);
  else
    il_timeline_view_zoom (IL_TIMELINE_VIEW (widget), 1 / 1.5);
}

static void
action_fit (GtkWidget *widget, const char *action_name, GVariant *param)
{
  il_timeline_view_fit (IL_TIMELINE_VIEW (widget));
}

static void
action_pan (GtkWidget *widget, const char *action_name, GVariant *param)
{
  il_timeline_view_pan (IL_TIMELINE_VIEW (widget), g_variant_get_double (param));
}

static void
on_dark_changed (IlTimelineView *self, GParamSpec *pspec, AdwStyleManager *manager)
{
  if (self->dark_set)
    return;
  self->options.theme = adw_style_manager_get_dark (manager) ? IL_THEME_DARK : IL_THEME_LIGHT;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DARK]);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_set_view_flag (IlTimelineView *self, IlViewFlags flag, gboolean on, guint prop)
{
  IlViewFlags view = on ? (self->options.view | flag) : (self->options.view & ~flag);

  if (view == self->options.view)
    return;
  self->options.view = view;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  il_timeline_view_check_lanes (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
il_timeline_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_WORKERS:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_WORKERS) != 0);
      break;
    case PROP_SHOW_CORES:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_CORES) != 0);
      break;
    case PROP_SHOW_STRIP:
      g_value_set_boolean (value, (self->options.view & IL_VIEW_STRIP) != 0);
      break;
    case PROP_COLOR_BY_CPU:
      g_value_set_boolean (value, self->options.color_by_cpu);
      break;
    case PROP_DARK:
      g_value_set_boolean (value, self->options.theme == IL_THEME_DARK);
      break;
    case PROP_FOLLOWING:
      g_value_set_boolean (value, self->following);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_timeline_view_set_property (GObject *object, guint prop_id, const GValue *value,
                               GParamSpec *pspec)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  switch (prop_id)
    {
    case PROP_SHOW_WORKERS:
      il_timeline_view_set_view_flag (self, IL_VIEW_WORKERS, g_value_get_boolean (value), prop_id);
      break;
    case PROP_SHOW_CORES:
      il_timeline_view_set_view_flag (self, IL_VIEW_CORES, g_value_get_boolean (value), prop_id);
      break;
    case PROP_SHOW_STRIP:
      il_timeline_view_set_view_flag (self, IL_VIEW_STRIP, g_value_get_boolean (value), prop_id);
      break;
    case PROP_COLOR_BY_CPU:
      if (self->options.color_by_cpu != g_value_get_boolean (value))
        {
          self->options.color_by_cpu = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    case PROP_DARK:
      self->dark_set = TRUE;
      if ((self->options.theme == IL_THEME_DARK) != g_value_get_boolean (value))
        {
          self->options.theme = g_value_get_boolean (value) ? IL_THEME_DARK : IL_THEME_LIGHT;
          g_object_notify_by_pspec (object, pspec);
          gtk_widget_queue_draw (GTK_WIDGET (self));
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_timeline_view_dispose (GObject *object)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  g_clear_handle_id (&self->tick_id, g_source_remove);
  il_timeline_view_drop_cache (self);
  if (self->runs != NULL)
    g_ptr_array_set_size (self->runs, 0);

  G_OBJECT_CLASS (il_timeline_view_parent_class)->dispose (object);
}

static void
il_timeline_view_finalize (GObject *object)
{
  IlTimelineView *self = IL_TIMELINE_VIEW (object);

  g_clear_pointer (&self->runs, g_ptr_array_unref);
  g_clear_pointer (&self->live_stats, g_free);
  g_clear_pointer (&self->description, g_free);
  g_clear_pointer (&self->snapshot_stats, g_free);
  g_clear_pointer (&self->cpu_stats, g_free);
  g_clear_pointer (&self->cache_runs, g_ptr_array_unref);
  g_clear_pointer (&self->cache_spans, g_array_unref);
  g_clear_pointer (&self->cache_load_end, g_array_unref);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);

  G_OBJECT_CLASS (il_timeline_view_parent_class)->finalize (object);
}

static void
il_timeline_view_class_init (IlTimelineViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = il_timeline_view_dispose;
  object_class->finalize = il_timeline_view_finalize;
  object_class->get_property = il_timeline_view_get_property;
  object_class->set_property = il_timeline_view_set_property;

  widget_class->snapshot = il_timeline_view_snapshot;
  widget_class->measure = il_timeline_view_measure;

  /* The highlighted task changed (a click, a key): the window shows its details. */
  signals[HIGHLIGHT_CHANGED] = g_signal_new ("highlight-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
  widget_class->realize = il_timeline_view_realize;
  widget_class->unrealize = il_timeline_view_unrealize;
  widget_class->query_tooltip = il_timeline_view_query_tooltip;

  properties[PROP_SHOW_WORKERS] = g_param_spec_boolean ("show-workers", NULL, NULL, TRUE, flags);
  properties[PROP_SHOW_CORES] = g_param_spec_boolean ("show-cores", NULL, NULL, TRUE, flags);
  properties[PROP_SHOW_STRIP] = g_param_spec_boolean ("show-strip", NULL, NULL, TRUE, flags);
  properties[PROP_COLOR_BY_CPU] = g_param_spec_boolean ("color-by-cpu", NULL, NULL, FALSE, flags);
  properties[PROP_DARK] = g_param_spec_boolean ("dark", NULL, NULL, FALSE, flags);
  properties[PROP_FOLLOWING] =
    g_param_spec_boolean ("following", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "timeline.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "timeline.fit", NULL, action_fit);
  gtk_widget_class_install_action (widget_class, "timeline.pan", "d", action_pan);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_SHIFT_MASK, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, 0, "timeline.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, 0, "timeline.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, 0, "timeline.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_0, 0, "timeline.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "timeline.pan", "d", -0.1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "timeline.pan", "d", 0.1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "timeline.pan", "d", -1e6);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_End, 0, "timeline.pan", "d", 1e6);

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
il_timeline_view_init (IlTimelineView *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;
  AdwStyleManager *manager = adw_style_manager_get_default ();

  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  il_timeline_keys_attach (self);
  self->live_stats = g_new0 (IlFrameStats, 1);
  self->snapshot_stats = g_new0 (IlFrameStats, 1);
  self->cpu_stats = g_new0 (IlFrameStats, 1);
  self->cache_runs = g_ptr_array_new ();
  self->cache_spans = g_array_new (FALSE, FALSE, sizeof (guint));
  self->cache_load_end = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->tiles = g_ptr_array_new_with_free_func (tile_free);
  il_paint_options_init (&self->options);
  self->options.highlight_run = -1;
  self->options.highlight_task = -1;
  self->fit = TRUE;
  self->following = TRUE;
  self->options.theme = adw_style_manager_get_dark (manager) ? IL_THEME_DARK : IL_THEME_LIGHT;
  g_signal_connect_object (manager, "notify::dark", G_CALLBACK (on_dark_changed), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Timeline"), -1);
  il_timeline_view_update_description (self);

  gesture = gtk_gesture_click_new ();
  g_signal_connect (gesture, "released", G_CALLBACK (on_click_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  self->pointer_x = -1;
  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (controller, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

GtkWidget *
il_timeline_view_new (void)
{
  return g_object_new (IL_TYPE_TIMELINE_VIEW, NULL);
}
