/* il-painter.c: the one painter: a frame of runs (header, lanes of every kind, axis, legend), and hit tests. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "il-painter.h"
#include "il-painter-private.h"

/* A column touched by more spans than this is read from the summary, not span by span. */
#define MAX_EXACT_SPANS 8

void
il_painter_get_time_area (int                   width,
                          int                   height,
                          GPtrArray            *runs,
                          const IlPaintOptions *o,
                          double               *x0,
                          double               *x1)
{
  g_autoptr(IlLayout) layout = NULL;

  g_return_if_fail (runs != NULL);
  g_return_if_fail (o != NULL);

  layout = il_layout_new (width, height, runs, o);
  if (x0 != NULL)
    *x0 = layout->lane_x0;
  if (x1 != NULL)
    *x1 = layout->lane_x1;
}

char *
il_painter_worker_label (IlRunTrace *run, guint w)
{
  return il_run_trace_get_worker_label (run, w);
}

static gboolean
target_is_vector (cairo_t *cr)
{
  switch (cairo_surface_get_type (cairo_get_target (cr)))
    {
    case CAIRO_SURFACE_TYPE_IMAGE:
    case CAIRO_SURFACE_TYPE_RECORDING:  /* GTK's cairo nodes: replayed onto pixels */
    case CAIRO_SURFACE_TYPE_XLIB:
    case CAIRO_SURFACE_TYPE_XCB:
      return FALSE;
    default:
      return TRUE;
    }
}

static void
draw_run (IlPaintFrame *f, guint r)
{
  IlRunTrace *run = g_ptr_array_index (f->runs, r);
  const IlLayoutBlock *block = &g_array_index (f->layout->blocks, IlLayoutBlock, r);
  guint n_workers = il_run_trace_get_n_workers (run);
  IlLodRun *lod = f->o->exact ? NULL : il_lod_run_ensure (run);
  g_autofree IlColumn **cols = g_new0 (IlColumn *, MAX (n_workers, 1));
  g_autofree IlPaintCell *cells = g_new0 (IlPaintCell, f->n_cols);
  g_autofree GArray **bounds = g_new0 (GArray *, MAX (n_workers, 1));
  g_autofree IlColumn *scratch = NULL;
  g_autofree double *flight = NULL, *running = NULL;
  IlPaintCoreIndex *cores = NULL;
  gboolean any_row = FALSE;
  g_autofree gboolean *drawn = g_new0 (gboolean, MAX (block->n_rows, 1));
  double dev = f->o->scale > 0 ? f->o->scale : 1, free_from = -G_MAXDOUBLE;
  /* Any task change between touching spans counts (a task cut into slivers still ends
   * somewhere); too many of them are dropped when drawing. */
  double min_boundary_ns = 0;

  if (f->o->show_header && il_paint_frame_sees (f, 0, block->header_y, f->layout->width,
                                                 block->header_y + block->header_h))
    il_paint_run_header (f, run, block);

  /* What the clip shows decides what is computed: the columns of each worker lane on screen,
   * and, streamed worker by worker through one buffer, the sums of the core lanes and the strip.
   * Memory and time follow the lanes and pixels shown, not the lanes in the file. */
  for (guint i = 0; i < block->n_rows; i++)
    {
      const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);

      if (!il_paint_frame_sees (f, 0, row->y, f->layout->width, row->y + row->h))
        continue;
      any_row = TRUE;
      /* Lanes squeezed below a pixel each (thousands in one picture) overlap: one per device
       * pixel row is drawn, the others only count in the core lanes and the strip. */
      if (row->y * dev < free_from - 1e-6)
        continue;
      drawn[i] = TRUE;
      free_from = (row->y + row->h) * dev;
      if (f->c_hi <= f->c_lo)
        continue;
      if (row->kind == IL_ROW_WORKER && row->index >= 0 && (guint) row->index < n_workers
          && cols[row->index] == NULL)
        /* Only columns inside the clip are filled (il_lod_lane_columns clears them) and read. */
        cols[row->index] = g_new (IlColumn, f->n_cols);
      else if (row->kind == IL_ROW_CORE && cores == NULL)
        cores = il_paint_core_index_new ((int) r == f->o->highlight_run ? f->o->highlight_task : -1);
      else if (row->kind == IL_ROW_STRIP && flight == NULL)
        {
          flight = g_new0 (double, f->n_cols);
          running = g_new0 (double, f->n_cols);
        }
    }
  /* Nothing of the lanes in the clip (a header repainted alone): no columns to compute. */
  if (!any_row || f->c_hi <= f->c_lo)
    n_workers = 0;

  for (guint w = 0; w < n_workers; w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      gint64 t_end = (gint64) (f->t0 + f->ns_per_col * f->n_cols);
      IlColumn *into = cols[w];
      /* Task boundaries only where spans are wide enough to tell apart: on lanes with few
       * visible spans (every column is then read span by span anyway). */
      gboolean sparse = into != NULL && il_lane_find (lane, t_end) - il_lane_find (lane, (gint64) f->t0)
                                        <= f->n_cols / 4 + 1;

      if (into == NULL)
        {
          if (cores == NULL && flight == NULL)
            continue;
          if (scratch == NULL)
            scratch = g_new (IlColumn, f->n_cols);
          into = scratch;
        }
      bounds[w] = sparse ? g_array_new (FALSE, FALSE, sizeof (double)) : NULL;
      il_lod_lane_columns (lod != NULL ? il_lod_run_get_lane (lod, w) : NULL, lane,
                           f->t0 + f->c_lo * f->ns_per_col, f->ns_per_col, f->c_hi - f->c_lo,
                           f->o->exact ? G_MAXUINT : MAX_EXACT_SPANS, into + f->c_lo, bounds[w],
                           min_boundary_ns);
      if (cores != NULL)
        il_paint_core_index_add (cores, f, w, into);
      if (flight != NULL)
        il_paint_strip_add (f, run, w, into, flight, running);
    }
  if (cores != NULL)
    il_paint_core_index_seal (cores);

  for (guint i = 0; i < block->n_rows; i++)
    {
      const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);

      if (!drawn[i])
        continue;
      /* A process's header line runs across the lanes too: a strip repainted there (the live
       * window) must draw its part of it again. */
      if (il_paint_frame_sees (f, 0, row->y,
                                  row->kind == IL_ROW_PROCESS ? f->layout->width : f->layout->lane_x0,
                                  row->y + row->h))
        il_paint_lane_label (f, run, row);
      if (f->c_hi <= f->c_lo)
        continue;

      switch (row->kind)
        {
        case IL_ROW_WORKER:
          if (row->index >= 0 && (guint) row->index < n_workers && cols[row->index] != NULL)
            il_paint_worker_lane (f, r, cols[row->index], row, bounds[row->index], cells);
          il_paint_lost (f, run, row);
          break;
        case IL_ROW_CORE:
          if (cores != NULL)
            il_paint_core_lane (f, r, run, cores, row, cells);
          il_paint_lost (f, run, row);
          break;
        case IL_ROW_PROCESS:
          break;
        case IL_ROW_COUNTER:
          il_paint_counter_row (f, run, row);
          break;
        case IL_ROW_STRIP:
        default:
          if (flight != NULL)
            il_paint_strip (f, run, flight, running, row);
          break;
        }
    }

  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      g_clear_pointer (&bounds[w], g_array_unref);
      g_free (cols[w]);
    }
  il_paint_core_index_free (cores);
}

void
il_painter_draw (cairo_t              *cr,
                 int                   width,
                 int                   height,
                 GPtrArray            *runs,
                 const IlPaintOptions *o)
{
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(PangoLayout) text = NULL;
  IlPaintOptions opts;
  IlPaintFrame f = { 0 };
  IlTicks ticks;
  guint max_cpus = 1;
  gboolean any_cores = FALSE;
  double dev;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (runs != NULL);
  g_return_if_fail (o != NULL);

  opts = *o;
  if (!(opts.scale > 0))
    opts.scale = 1;
  dev = opts.scale;

  layout = il_layout_new (width, height, runs, &opts);
  text = il_text_layout_new (cr);

  f.cr = cr;
  f.o = &opts;
  f.pal = il_palette_get (opts.theme);
  f.layout = layout;
  f.text = text;
  f.runs = runs;
  f.hairline = 1.0 / dev;
  f.vector = target_is_vector (cr);
  /* One column per device pixel of the lane area. */
  f.n_cols = (guint) MAX (1, ceil ((layout->lane_x1 - layout->lane_x0) * dev));
  f.col_w = (layout->lane_x1 - layout->lane_x0) / f.n_cols;
  f.ns_per_col = il_time_scale_ns_per_x (&layout->scale) * f.col_w;
  f.t0 = (double) layout->scale.t0_ns;
  cairo_clip_extents (cr, &f.clip_x0, &f.clip_y0, &f.clip_x1, &f.clip_y1);
  f.c_lo = (guint) CLAMP (floor ((f.clip_x0 - layout->lane_x0) / f.col_w), 0, f.n_cols);
  f.c_hi = (guint) CLAMP (ceil ((f.clip_x1 - layout->lane_x0) / f.col_w), f.c_lo, f.n_cols);

  cairo_save (cr);
  il_rgb_set_source (cr, f.pal->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  if (opts.show_header
      && il_paint_frame_sees (&f, 0, layout->title_y, width, layout->title_y + layout->title_h))
    il_paint_title (&f);

  il_ticks_choose (&layout->scale, layout->font_px * 0.85 * 0.62, layout->font_px * 1.5, &ticks);
  il_paint_grid_and_axis (&f, &ticks);

  cairo_save (cr);
  cairo_rectangle (cr, 0, layout->lanes_y0 - layout->font_px * 4, width,
                   layout->lanes_y1 - layout->lanes_y0 + layout->font_px * 4);
  cairo_clip (cr);
  for (guint r = 0; r < runs->len; r++)
    {
      max_cpus = MAX (max_cpus, il_layout_run_n_cpus (g_ptr_array_index (runs, r)));
      any_cores |= il_layout_run_has_cores (g_ptr_array_index (runs, r));
      draw_run (&f, r);
      il_paint_marks (&f, r);
    }
  cairo_restore (cr);

  if (runs->len == 0)
    {
      il_text_set (text, _("No run yet: press Run, or open a lesson"), layout->font_px * 1.2, FALSE, 0);
      il_text_draw (cr, text, width / 2.0, height / 2.0, IL_ALIGN_CENTER, f.pal->text_dim);
    }

  if (opts.show_legend && runs->len > 0
      && il_paint_frame_sees (&f, 0, layout->legend_y, width, layout->legend_y + layout->legend_h))
    il_paint_legend (&f, (opts.view & IL_VIEW_STRIP) != 0 && any_cores, any_cores ? max_cpus : 0);

  cairo_restore (cr);
  g_clear_pointer (&f.raster, cairo_surface_destroy);
}

gboolean
il_painter_hit_test (int                   width,
                     int                   height,
                     GPtrArray            *runs,
                     const IlPaintOptions *o,
                     double                x,
                     double                y,
                     IlPaintHit           *hit)
{
  g_autoptr(IlLayout) layout = NULL;
  const IlLayoutRow *row;
  IlRunTrace *run;
  gint64 t;

  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (o != NULL, FALSE);
  g_return_val_if_fail (hit != NULL, FALSE);

  layout = il_layout_new (width, height, runs, o);
  if (x < layout->lane_x0 || x >= layout->lane_x1)
    return FALSE;
  row = il_layout_row_at (layout, y);
  if (row == NULL)
    return FALSE;

  memset (hit, 0, sizeof *hit);
  hit->run = (int) row->run;
  hit->worker = -1;
  hit->cpu = -1;
  run = g_ptr_array_index (runs, row->run);
  t = (gint64) floor (il_time_scale_to_time (&layout->scale, x));
  hit->t_ns = t;

  if (row->kind == IL_ROW_PROCESS)
    return FALSE;
  if (row->kind == IL_ROW_STRIP)
    {
      hit->in_strip = TRUE;
      hit->span.start_ns = hit->span.end_ns = t;
      hit->span.task = -1;
      hit->span.cpu = -1;
      return TRUE;
    }

  if (row->kind == IL_ROW_WORKER)
    {
      const IlLane *lane = il_run_trace_get_lane (run, (guint) row->index);
      guint i = il_lane_find (lane, t);

      if (i < il_lane_get_n_spans (lane) && il_lane_get_span (lane, i)->start_ns <= t)
        {
          hit->worker = row->index;
          hit->span = *il_lane_get_span (lane, i);
          return TRUE;
        }
      /* Below an imported thread's stack, in a row its nesting does not reach there: the
       * innermost slice open then (the tooltip shows the whole stack). */
      {
        IlSpan stack[256];
        guint n = il_run_trace_get_stack (run, (guint) row->index, t, stack, G_N_ELEMENTS (stack));

        if (n > 0)
          {
            hit->worker = stack[n - 1].worker;
            hit->span = stack[n - 1];
            return TRUE;
          }
      }
      return FALSE;
    }

  /* A core lane: whichever worker was running on that CPU at t. */
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (run, w);
      guint i = il_lane_find (lane, t);

      if (i < il_lane_get_n_spans (lane))
        {
          const IlSpan *s = il_lane_get_span (lane, i);
          if (s->start_ns <= t && s->state == IL_STATE_RUNNING && s->cpu == row->index)
            {
              hit->worker = (int) w;
              hit->cpu = row->index;
              hit->span = *s;
              return TRUE;
            }
        }
    }
  return FALSE;
}
