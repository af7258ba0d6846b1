/* il-timeline-view-paint.c: the timeline's picture: painted at rest, kept and extended in tiles while a run records. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "il-clock.h"
#include "il-cpu-load.h"
#include "il-timeline-keys.h"
#include "il-timeline-view-private.h"

/* While live, the whole picture is painted again this often (legend, labels re-centred);
 * in between only new columns and the headers are. */
#define LIVE_FULL_PAINT_US (2 * G_USEC_PER_SEC)
/* The live headers' "running… so far" is painted four times a second: a header spans the width,
 * so each repaint is a row of tiles to convert and send. */
#define LIVE_HEADER_US (G_USEC_PER_SEC / 4)
/* The cached picture goes to GTK in tiles: unchanged tiles keep their texture, so only what
 * changed is damaged, rendered and sent to the display. */
#define TILE_PX 128

static void
tile_free (gpointer data)
{
  if (data != NULL)
    gsk_render_node_unref (data);
}

void
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
         c->text_scale == o->text_scale && c->presentation == o->presentation &&
         il_timeline_view_same_layout (self->cache_layout, layout);
}

/* Paints the rectangle (user units of the whole picture) onto the cache and marks its tiles
 * stale. */
static void
il_timeline_view_paint_cache (IlTimelineView *self, const IlPaintOptions *o, double x0, double y0,
                              double x1, double y1)
{
  cairo_t *cr = cairo_create (self->cache);
  double dev = o->scale;
  int tx0, tx1, ty0, ty1;

  /* The rectangle is in the picture's units; the cache holds the part the view shows. */
  cairo_translate (cr, 0, -self->cache_scroll_y);
  cairo_rectangle (cr, x0, y0, x1 - x0, y1 - y0);
  cairo_clip (cr);
  il_painter_draw (cr, self->cache_width, self->cache_content_h, self->runs, o);
  cairo_destroy (cr);
  y0 -= self->cache_scroll_y;
  y1 -= self->cache_scroll_y;

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
  int content_h = il_timeline_view_content_height (self);
  int scroll_y = il_timeline_view_scroll_y (self);

  il_timeline_view_paint_options (self, &o);
  o.scale = scale;
  layout = il_layout_new (width, content_h, self->runs, &o);

  /* Scrolled: other lanes are in view, the picture is painted again. */
  if (!il_timeline_view_cache_matches (self, &o, layout) || now - self->cache_full_us > LIVE_FULL_PAINT_US ||
      scroll_y != self->cache_scroll_y)
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
      self->cache_content_h = content_h;
      self->cache_scroll_y = scroll_y;
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
      il_timeline_view_paint_cache (self, &o, 0, scroll_y, width, scroll_y + height);
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
  int content_h, scroll_y;

  if (width <= 0 || height <= 0)
    return;
  content_h = il_timeline_view_content_height (self);
  scroll_y = il_timeline_view_scroll_y (self);

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
      /* The part of the picture in view: the painter computes what the clip shows. */
      cairo_translate (cr, 0, -scroll_y);
      cairo_rectangle (cr, 0, scroll_y, width, height);
      cairo_clip (cr);
      if (self->runs->len > 0)
        il_painter_draw (cr, width, content_h, self->runs, &o);
      cairo_destroy (cr);
    }

  /* The keyboard's focus ring goes over whichever way the frame was painted. */
  if (il_timeline_keys_get_active (widget) && gtk_widget_has_focus (widget))
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
      cairo_translate (cr, 0, -scroll_y);
      il_timeline_keys_draw (widget, cr, width, content_h);
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

void
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

/* Times every frame of the window from its frame clock while the timeline is realized. */
void
il_timeline_view_watch_frame_clock (IlTimelineView *self, gboolean watch)
{
  if (watch)
    {
      self->frame_clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
      self->before_paint_id = g_signal_connect (self->frame_clock, "before-paint",
                                                G_CALLBACK (on_before_paint), self);
      self->after_paint_id = g_signal_connect (self->frame_clock, "after-paint",
                                               G_CALLBACK (on_after_paint), self);
    }
  else if (self->frame_clock != NULL)
    {
      g_clear_signal_handler (&self->before_paint_id, self->frame_clock);
      g_clear_signal_handler (&self->after_paint_id, self->frame_clock);
      self->frame_clock = NULL;
    }
}

void
il_timeline_view_paint_class_init (GtkWidgetClass *widget_class)
{
  widget_class->snapshot = il_timeline_view_snapshot;
}

void
il_timeline_view_paint_init (IlTimelineView *self)
{
  self->live_stats = g_new0 (IlFrameStats, 1);
  self->snapshot_stats = g_new0 (IlFrameStats, 1);
  self->cpu_stats = g_new0 (IlFrameStats, 1);
  self->cache_runs = g_ptr_array_new ();
  self->cache_spans = g_array_new (FALSE, FALSE, sizeof (guint));
  self->cache_load_end = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->tiles = g_ptr_array_new_with_free_func (tile_free);
}

void
il_timeline_view_paint_finalize (IlTimelineView *self)
{
  g_clear_pointer (&self->live_stats, g_free);
  g_clear_pointer (&self->snapshot_stats, g_free);
  g_clear_pointer (&self->cpu_stats, g_free);
  g_clear_pointer (&self->cache_runs, g_ptr_array_unref);
  g_clear_pointer (&self->cache_spans, g_array_unref);
  g_clear_pointer (&self->cache_load_end, g_array_unref);
  g_clear_pointer (&self->tiles, g_ptr_array_unref);
}
