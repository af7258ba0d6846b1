/* il-painter-lost.c: what the kernel's dropped records leave unknown, hatched over worker and core lanes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-painter-private.h"

typedef struct
{
  gint64  from;      /* the end of the last span seen */
  GArray *gaps;      /* of gint64 pairs: [start, end) with no span */
} GapWalk;

static gboolean
gap_walk_span (const IlSpan *span, gpointer data)
{
  GapWalk *w = data;

  if (span->start_ns > w->from)
    {
      gint64 g[2] = { w->from, span->start_ns };
      g_array_append_vals (w->gaps, g, 2);
    }
  w->from = MAX (w->from, span->end_ns);
  return TRUE;
}

static void
hatch (IlPaintFrame *f, const IlLayoutRow *row, gint64 s, gint64 e)
{
  cairo_t *cr = f->cr;
  double x0 = il_time_scale_to_x (&f->layout->scale, (double) s);
  double x1 = il_time_scale_to_x (&f->layout->scale, (double) e);
  double step = MAX (row->h / 3, 4 * f->hairline);

  /* A stretch narrower than a column still shows, as one column. */
  if (x1 - x0 < f->col_w)
    {
      double mid = (x0 + x1) / 2;
      x0 = mid - f->col_w / 2;
      x1 = mid + f->col_w / 2;
    }
  x0 = MAX (x0, f->layout->lane_x0);
  if (x1 <= x0)
    return;
  cairo_save (cr);
  cairo_rectangle (cr, x0, row->y, x1 - x0, row->h);
  cairo_clip (cr);
  il_rgb_set_source (cr, f->pal->panel);
  cairo_paint (cr);
  il_rgb_set_source (cr, f->pal->text_dim);
  cairo_set_line_width (cr, MAX (f->hairline, row->h / 14));
  /* Lines at 45°, laid from a fixed origin so neighbouring stretches' hatches line up. */
  for (double x = floor ((x0 - row->h) / step) * step; x < x1; x += step)
    {
      cairo_move_to (cr, x, row->y + row->h);
      cairo_line_to (cr, x + row->h, row->y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

/* Over a core lane, the stretches its CPU's ring lost; over a worker lane, the parts of every
 * lost stretch where the tracer left it empty (a thread on another CPU was still known). */
void
il_paint_lost (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  guint n;
  const IlLostStretch *lost = il_run_trace_get_lost (run, &n);
  gint64 v0 = (gint64) (f->t0 + f->c_lo * f->ns_per_col);
  gint64 v1 = (gint64) (f->t0 + f->c_hi * f->ns_per_col);

  if (n == 0 || row->index < 0)
    return;
  for (guint i = 0; i < n; i++)
    {
      gint64 s = MAX (lost[i].start_ns, v0 - (gint64) f->ns_per_col);
      gint64 e = MIN (lost[i].end_ns, v1 + (gint64) f->ns_per_col);

      if (e < s)
        continue;
      if (row->kind == IL_ROW_CORE)
        {
          if (lost[i].cpu == row->index)
            hatch (f, row, s, e);
        }
      else if (row->kind == IL_ROW_WORKER && (guint) row->index < il_run_trace_get_n_workers (run))
        {
          const IlLane *lane = il_run_trace_get_lane (run, (guint) row->index);
          g_autoptr(GArray) gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
          GapWalk walk = { s, gaps };
          guint n_spans = il_lane_get_n_spans (lane);

          /* Only within the thread's life: before its first span and after its last it was not
           * there to be unknown. */
          if (n_spans == 0 || il_lane_get_span (lane, 0)->start_ns >= e ||
              il_lane_get_span (lane, n_spans - 1)->end_ns <= s)
            continue;
          il_lane_foreach_in_range (lane, s, e, gap_walk_span, &walk);
          if (walk.from < e && il_lane_get_span (lane, n_spans - 1)->end_ns > e)
            gap_walk_span (&(IlSpan) { .start_ns = e, .end_ns = e }, &walk);
          for (guint g = 0; g + 1 < gaps->len; g += 2)
            hatch (f, row, g_array_index (gaps, gint64, g), g_array_index (gaps, gint64, g + 1));
        }
    }
}
