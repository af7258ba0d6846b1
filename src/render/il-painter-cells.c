/* il-painter-cells.c: a lane's columns as cells, drawn as pixels or rectangles; highlight and names on stretches. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "il-cpu-load.h"
#include "il-painter-private.h"

/* Does one task hold (nearly) all the running time of the column? A task cut into short spans
 * by context switches is still one task (summary columns recover its full id, see il-lod.c). */
gboolean
il_paint_column_one_task (const IlColumn *col)
{
  return col->task >= 0 && !col->task_low && col->task_ns >= 0.9 * col->ns[IL_STATE_RUNNING];
}

gboolean
il_paint_column_is_task (const IlColumn *col, int task)
{
  if (task < 0 || col->task < 0 || col->ns[IL_STATE_RUNNING] <= 0)
    return FALSE;
  if (col->task_low)
    return (col->task & 0xff) == (task & 0xff);
  return col->task == task;
}

/* A pixel buffer as wide as the lane area and @h user units high, filled with @bg. */
guint32 *
il_paint_raster_begin (IlPaintFrame *f, double h, IlRgb bg, gboolean fill_bg, int *rows, int *stride)
{
  double dev = f->o->scale;
  int need = MAX (1, (int) round (h * dev));
  guint32 fill = 0xff000000 | il_rgb_pack (bg);
  guint32 *data;

  if (f->raster == NULL || f->raster_h < need)
    {
      g_clear_pointer (&f->raster, cairo_surface_destroy);
      f->raster = cairo_image_surface_create (CAIRO_FORMAT_RGB24, (int) f->n_cols, need);
      f->raster_h = need;
    }
  cairo_surface_flush (f->raster);
  data = (guint32 *) (gpointer) cairo_image_surface_get_data (f->raster);
  *stride = cairo_image_surface_get_stride (f->raster) / 4;
  *rows = need;
  if (fill_bg)
    for (int y = 0; y < need; y++)
      for (guint x = f->c_lo; x < f->c_hi; x++)
        data[y * *stride + x] = fill;
  return data;
}

void
il_paint_raster_end (IlPaintFrame *f, double y, double h)
{
  cairo_t *cr = f->cr;
  cairo_pattern_t *pattern;
  cairo_matrix_t m;
  double dev = f->o->scale;

  cairo_surface_mark_dirty (f->raster);
  cairo_save (cr);
  pattern = cairo_pattern_create_for_surface (f->raster);
  /* One buffer pixel per device pixel: nearest filtering copies, never blurs. */
  cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
  cairo_matrix_init_scale (&m, dev, dev);
  cairo_matrix_translate (&m, -f->layout->lane_x0, -y);
  cairo_pattern_set_matrix (pattern, &m);
  cairo_set_source (cr, pattern);
  cairo_rectangle (cr, f->layout->lane_x0 + f->c_lo * f->col_w, y, (f->c_hi - f->c_lo) * f->col_w, h);
  cairo_fill (cr);
  cairo_pattern_destroy (pattern);
  cairo_restore (cr);
}

/* Core lanes on pixel targets: the band of other programs (steal at its top) over the rows. */
static void
fill_upper_bands (IlPaintFrame *f, const IlPaintCell *cells, guint32 *data, int rows, int stride)
{
  for (guint x = f->c_lo; x < f->c_hi; x++)
    {
      int band = MIN (rows, (int) cells[x].upper_bar), steal = MIN (band, (int) cells[x].steal_bar);

      for (int yy = 0; yy < band; yy++)
        data[yy * stride + x] = 0xff000000 | (yy < steal ? cells[x].upper2 : cells[x].upper);
    }
}

/* Draws runs of equal cells as single rectangles: few drawing operations, and real vector shapes
 * in SVG and PDF. On pixel targets, writes the same cells as pixels. */
void
il_paint_fill_cells (IlPaintFrame *f, const IlPaintCell *cells, double y, double h, IlRgb bg)
{
  cairo_t *cr = f->cr;
  double x0 = f->layout->lane_x0;
  double dev = f->o->scale;
  guint c = 0;

  if (!f->vector)
    {
      int rows, stride;
      guint32 *data = il_paint_raster_begin (f, h, bg, FALSE, &rows, &stride);
      guint32 bg_px = 0xff000000 | il_rgb_pack (bg);
      guint max_bar = 0;

      /* The first row holds every cell's top colour; rows above the tallest bar are copies of
       * it, and only the bars are patched in below. */
      for (guint x = f->c_lo; x < f->c_hi; x++)
        {
          data[x] = cells[x].top != G_MAXUINT32 ? 0xff000000 | cells[x].top : bg_px;
          max_bar = MAX (max_bar, cells[x].bar);
        }
      for (int yy = 1; yy < rows; yy++)
        memcpy (data + yy * stride + f->c_lo, data + f->c_lo, (f->c_hi - f->c_lo) * sizeof (guint32));
      for (int yy = MAX (0, rows - (int) max_bar); yy < rows; yy++)
        {
          guint32 *line = data + yy * stride;
          for (guint x = f->c_lo; x < f->c_hi; x++)
            if (rows - yy <= cells[x].bar)
              line[x] = 0xff000000 | cells[x].bottom;
        }
      fill_upper_bands (f, cells, data, rows, stride);
      il_paint_raster_end (f, y, h);
      return;
    }

  il_rgb_set_source (cr, bg);
  cairo_rectangle (cr, x0, y, f->n_cols * f->col_w, h);
  cairo_fill (cr);

  while (c < f->n_cols)
    {
      guint e = c + 1;
      const IlPaintCell *cell = &cells[c];

      while (e < f->n_cols && cells[e].top == cell->top && cells[e].bottom == cell->bottom
             && cells[e].bar == cell->bar && cells[e].upper_bar == cell->upper_bar
             && cells[e].steal_bar == cell->steal_bar)
        e++;

      if (cell->top != G_MAXUINT32 || cell->bar > 0)
        {
          double xa = x0 + c * f->col_w, xb = x0 + e * f->col_w;
          double bar_h = MIN (h, cell->bar / dev);

          if (cell->top != G_MAXUINT32 && bar_h < h)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->top));
              cairo_rectangle (cr, xa, y, xb - xa, h - bar_h);
              cairo_fill (cr);
            }
          if (bar_h > 0)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->bottom));
              cairo_rectangle (cr, xa, y + h - bar_h, xb - xa, bar_h);
              cairo_fill (cr);
            }
        }
      if (cell->upper_bar > 0)
        {
          double xa = x0 + c * f->col_w, xb = x0 + e * f->col_w;
          double band_h = MIN (h, cell->upper_bar / dev), steal_h = MIN (band_h, cell->steal_bar / dev);

          if (steal_h > 0)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->upper2));
              cairo_rectangle (cr, xa, y, xb - xa, steal_h);
              cairo_fill (cr);
            }
          if (band_h > steal_h)
            {
              il_rgb_set_source (cr, il_rgb_unpack (cell->upper));
              cairo_rectangle (cr, xa, y + steal_h, xb - xa, band_h - steal_h);
              cairo_fill (cr);
            }
        }
      c = e;
    }
}

void
il_paint_stroke_highlight (IlPaintFrame *f, const IlPaintCell *cells, double y, double h)
{
  cairo_t *cr = f->cr;
  double x0 = f->layout->lane_x0;
  double lw = MAX (f->hairline * 2, f->layout->font_px * 0.14);
  guint c = 0;

  cairo_save (cr);
  cairo_set_line_width (cr, lw);
  il_rgb_set_source (cr, f->pal->highlight);
  while (c < f->n_cols)
    {
      guint e;

      if (!cells[c].hl)
        {
          c++;
          continue;
        }
      e = c + 1;
      while (e < f->n_cols && cells[e].hl)
        e++;
      cairo_rectangle (cr, x0 + c * f->col_w + lw / 2, y + lw / 2,
                       MAX ((e - c) * f->col_w - lw, lw), MAX (h - lw, lw));
      cairo_stroke (cr);
      c = e;
    }
  cairo_restore (cr);
}

/* The first column of a live run that may still change: spans come when they end, so a lane's
 * next span starts where its last one ended, and the live window repaints from there. A stretch
 * named left of it stays whole; one named further right would be cut (or named twice) by the
 * strips painted over its end later. */
guint
il_paint_live_edge_col (IlPaintFrame *f, IlRunTrace *run)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  gint64 edge = il_run_trace_get_end_ns (run);
  double x;

  if (!il_run_trace_get_live (run))
    return G_MAXUINT;
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint n = il_lane_get_n_spans (lane);

      edge = MIN (edge, n > 0 ? il_lane_get_span (lane, n - 1)->end_ns : 0);
    }
  if (load != NULL)
    edge = MIN (edge, il_cpu_load_get_end_ns (load));
  x = il_time_scale_to_x (&f->layout->scale, (double) edge);
  return (guint) MAX (0.0, floor ((x - f->layout->lane_x0) / f->col_w) - 2);
}

/* Names stretches of equal @ids (-1: none) inside a lane where the text fits: "task 3" on a task's
 * running, "worker 2" on a core, so a slide reads without the legend. Stretches reaching
 * @open_from (il_paint_live_edge_col) are not named yet. */
void
il_paint_label_segments (IlPaintFrame *f, const int *ids, const IlPaintCell *cells, double y, double h,
                         const char *long_fmt, IlRunTrace *tasks_of, IlRunTrace *workers_of,
                         guint open_from)
{
  double px = MIN (f->layout->font_px * 0.72, h * 0.62);
  /* Gaps of nothing-in-particular (a mix, a sliver) up to 2 % of the lane do not split a stretch. */
  guint max_gap = MAX (4, f->n_cols / 50);
  guint c = 0;

  if (px < 7)
    return;
  while (c < f->n_cols)
    {
      guint e = c + 1;
      double w, avail;
      IlTextExtent extent;
      gboolean named;
      g_autofree char *text = NULL;

      if (ids[c] < 0)
        {
          c++;
          continue;
        }
      /* A stretch split by a sliver (a few columns of no one in particular) is still one stretch;
       * another task or worker in between does split it. */
      for (;;)
        {
          guint gap_end;

          while (e < f->n_cols && ids[e] == ids[c])
            e++;
          gap_end = e;
          while (gap_end < f->n_cols && gap_end - e < max_gap && ids[gap_end] < 0)
            gap_end++;
          if (gap_end < f->n_cols && gap_end - e < max_gap && ids[gap_end] == ids[c])
            e = gap_end;
          else
            break;
        }
      avail = (e - c) * f->col_w - px * 0.8;
      /* Not near a live run's edge: a stretch there may still grow, or merge across a gap. */
      if (avail > px * 1.2 && (open_from == G_MAXUINT || e + max_gap < open_from))
        {
          /* An imported trace's slices keep their own names; workers of a traced program are
           * named as on their own lanes. */
          named = tasks_of != NULL && (guint) ids[c] < il_run_trace_get_n_tasks (tasks_of) &&
                  il_run_trace_get_task (tasks_of, (guint) ids[c])->name != NULL;
          if (named)
            text = g_strdup (il_run_trace_get_task (tasks_of, (guint) ids[c])->name);
          else if (workers_of != NULL)
            text = il_painter_worker_label (workers_of, (guint) ids[c]);
          else
            text = g_strdup_printf (long_fmt, ids[c]);
          /* Measured (il_text_measure), and set only when it is drawn. */
          il_text_measure (f->text, text, px, FALSE, 0, &extent);
          w = extent.width;
          /* A slice name that does not fit is left out rather than replaced by a number
           * no one knows. */
          if (w > avail && !named)
            {
              g_free (text);
              text = g_strdup_printf ("%d", ids[c]);
              il_text_measure (f->text, text, px, FALSE, 0, &extent);
              w = extent.width;
            }
          /* Only stretches wholly inside the clip are named: a strip repainted alone (the live
           * window appends columns) must not name a stretch that goes on outside it, or the
           * stretch would be named once per strip. */
          double cx = f->layout->lane_x0 + (c + e) * f->col_w / 2;
          gboolean whole = (c > f->c_lo || f->c_lo == 0) && (e < f->c_hi || f->c_hi == f->n_cols);
          if (w <= avail && whole && cx - w / 2 >= f->clip_x0 && cx + w / 2 <= f->clip_x1)
            {
              const IlPaintCell *mid = &cells[(c + e) / 2];
              IlRgb bg = il_rgb_unpack (mid->top != G_MAXUINT32 ? mid->top : mid->bottom);
              IlRgb ink = il_rgb_luminance (bg) > 0.45 ? (IlRgb) { 0.08, 0.08, 0.1 } : (IlRgb) { 1, 1, 1 };
              il_text_set (f->text, text, px, FALSE, 0);
              il_text_draw (f->cr, f->text, cx, y + h / 2, IL_ALIGN_CENTER, ink);
            }
        }
      c = e;
    }
}
