/* il-painter-marks.c: what an imported trace has beyond slices: instant marks, flow arrows, counter tracks. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "il-painter-private.h"
#include "il-trace-marks.h"

/* Instants are small triangles hanging from the top of their lane (process- and global-scope ones
 * from the process header or the run's first lane, with a faint line down the run); at most one
 * per device pixel column and lane is drawn, so a dense stream costs what the screen shows. Flows
 * are thin arrows between the lanes they join. Counters get a track each under the run's lanes:
 * a filled step line, its name and largest value at the left. */

#define MAX_FLOWS_DRAWN 300

static void
triangle (cairo_t *cr, double x, double y, double s)
{
  cairo_move_to (cr, x - s * 0.6, y);
  cairo_line_to (cr, x + s * 0.6, y);
  cairo_line_to (cr, x, y + s);
  cairo_close_path (cr);
}

/* The instants of @slot (a lane, or -1: process and global scope) in sight, on the row at @y. */
static void
draw_instants (IlPaintFrame *f, IlRunTrace *run, int slot, int pid, double y, double h,
               double line_to)
{
  IlLayout *l = f->layout;
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  gint64 t0 = (gint64) floor (il_time_scale_to_time (&l->scale, MAX (f->clip_x0, l->lane_x0) - 4));
  gint64 t1 = (gint64) ceil (il_time_scale_to_time (&l->scale, MIN (f->clip_x1, l->lane_x1) + 4)) + 1;
  double s = MAX (3.0, MIN (h * 0.5, l->font_px * 0.55));
  double last = -G_MAXDOUBLE;
  guint n;
  const IlInstant *const *in = il_run_trace_find_instants (run, slot, t0, t1, &n);

  if (n == 0)
    return;
  cairo_save (f->cr);
  for (guint i = 0; i < n; i++)
    {
      double x = il_time_scale_to_x (&l->scale, (double) in[i]->ts_ns);
      double px = floor (x * dev);

      if (slot < 0 && in[i]->scope == IL_MARK_SCOPE_PROCESS && in[i]->pid != pid && pid != G_MININT)
        continue;
      if (px == last || x < l->lane_x0 || x > l->lane_x1)
        continue;
      last = px;
      triangle (f->cr, x, y, s);
      if (line_to > y)
        {
          cairo_move_to (f->cr, x, y + s);
          cairo_line_to (f->cr, x, line_to);
        }
    }
  il_rgb_set_source (f->cr, f->pal->reference);
  cairo_fill_preserve (f->cr);
  il_rgb_set_source_alpha (f->cr, f->pal->reference, 0.35);
  cairo_set_line_width (f->cr, f->hairline);
  cairo_stroke (f->cr);
  cairo_restore (f->cr);
}

/* The arrow of flow @fl, when both its lanes have rows and it is in sight. */
static gboolean
flow_line (IlPaintFrame *f, const IlFlow *fl, const IlLayoutRow **row_of, guint n_workers,
           double *x0, double *y0, double *x1, double *y1)
{
  IlLayout *l = f->layout;
  const IlLayoutRow *a, *b;

  if (fl->from_worker < 0 || fl->to_worker < 0 || (guint) fl->from_worker >= n_workers ||
      (guint) fl->to_worker >= n_workers || (a = row_of[fl->from_worker]) == NULL ||
      (b = row_of[fl->to_worker]) == NULL)
    return FALSE;
  *x0 = il_time_scale_to_x (&l->scale, (double) fl->from_ns);
  *x1 = il_time_scale_to_x (&l->scale, (double) fl->to_ns);
  *y0 = a->y + a->h / 2;
  *y1 = b->y + b->h / 2;
  return MAX (*x0, *x1) >= MAX (f->clip_x0, l->lane_x0) && MIN (*x0, *x1) <= MIN (f->clip_x1, l->lane_x1) &&
         (*x1 - *x0 >= 1 || fabs (*y1 - *y0) >= 1);
}

/* Arrows only while few are in sight: thousands (a browser's task posts) would hide the lanes;
 * the run's header counts them all, and zooming in shows them. */
static void
draw_flows (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow **row_of, guint n_workers)
{
  IlLayout *l = f->layout;
  guint in_sight = 0;
  double x0, y0, x1, y1;

  for (guint i = 0; i < il_run_trace_get_n_flows (run) && in_sight <= MAX_FLOWS_DRAWN; i++)
    in_sight += flow_line (f, il_run_trace_get_flow (run, i), row_of, n_workers, &x0, &y0, &x1, &y1);
  if (in_sight == 0 || in_sight > MAX_FLOWS_DRAWN)
    return;
  cairo_save (f->cr);
  cairo_rectangle (f->cr, l->lane_x0, l->lanes_y0, l->lane_x1 - l->lane_x0, l->lanes_y1 - l->lanes_y0);
  cairo_clip (f->cr);
  cairo_set_line_width (f->cr, MAX (f->hairline, 0.8));
  il_rgb_set_source_alpha (f->cr, f->pal->text_dim, 0.55);
  for (guint i = 0; i < il_run_trace_get_n_flows (run); i++)
    {
      double ang, s = l->font_px * 0.35;

      if (!flow_line (f, il_run_trace_get_flow (run, i), row_of, n_workers, &x0, &y0, &x1, &y1))
        continue;
      cairo_move_to (f->cr, x0, y0);
      cairo_line_to (f->cr, x1, y1);
      cairo_stroke (f->cr);
      ang = atan2 (y1 - y0, x1 - x0);
      cairo_move_to (f->cr, x1, y1);
      cairo_line_to (f->cr, x1 - s * cos (ang - 0.45), y1 - s * sin (ang - 0.45));
      cairo_line_to (f->cr, x1 - s * cos (ang + 0.45), y1 - s * sin (ang + 0.45));
      cairo_close_path (f->cr);
      cairo_fill (f->cr);
    }
  cairo_restore (f->cr);
}

void
il_paint_marks (IlPaintFrame *f, guint run_index)
{
  IlRunTrace *run = g_ptr_array_index (f->runs, run_index);
  const IlLayoutBlock *block = &g_array_index (f->layout->blocks, IlLayoutBlock, run_index);
  guint n_workers = il_run_trace_get_n_workers (run);
  g_autofree const IlLayoutRow **row_of = NULL;
  const IlLayoutRow *first = NULL, *last = NULL;
  gboolean any_process_row = FALSE;

  if (il_run_trace_get_n_instants (run) == 0 && il_run_trace_get_n_flows (run) == 0)
    return;
  row_of = g_new0 (const IlLayoutRow *, MAX (n_workers, 1));
  for (guint i = 0; i < block->n_rows; i++)
    {
      const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);

      if (row->kind == IL_ROW_PROCESS)
        any_process_row = TRUE;
      if (row->kind != IL_ROW_WORKER || row->index < 0 || (guint) row->index >= n_workers)
        continue;
      if (first == NULL)
        first = row;
      last = row;
      /* A lane may take several rows: its marks go on the first. */
      if (row_of[row->index] == NULL)
        row_of[row->index] = row;
    }
  if (first == NULL)
    return;

  draw_flows (f, run, row_of, n_workers);
  for (guint w = 0; w < n_workers; w++)
    if (row_of[w] != NULL && il_paint_frame_sees (f, f->layout->lane_x0, row_of[w]->y, f->layout->lane_x1,
                                                  row_of[w]->y + row_of[w]->h))
      draw_instants (f, run, (int) w, 0, row_of[w]->y, row_of[w]->h, 0);
  /* Process and global scope: from each process header, or across the run from its top. */
  if (any_process_row)
    for (guint i = 0; i < block->n_rows; i++)
      {
        const IlLayoutRow *row = &g_array_index (f->layout->rows, IlLayoutRow, block->first_row + i);

        if (row->kind == IL_ROW_PROCESS)
          draw_instants (f, run, -1, il_run_trace_get_process (run, (guint) row->index)->pid, row->y,
                         row->h, 0);
      }
  else
    draw_instants (f, run, -1, G_MININT, first->y, first->h, last->y + last->h);
}

/* ------------------------------------------------------------------------------------------------
 * Counter tracks */

static char *
format_value (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%.4g", v));
}

void
il_paint_counter_row (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row)
{
  IlLayout *l = f->layout;
  const IlCounter *c;
  IlRgb color;
  double lo, hi, base, top, x_end;
  guint k = 0;

  if (row->index < 0 || (guint) row->index >= il_run_trace_get_n_counters (run))
    return;
  c = il_run_trace_get_counter (run, (guint) row->index);
  color = il_palette_series_color (f->pal, (guint) row->index);
  lo = MIN (c->min, 0);
  hi = MAX (c->max, 0);
  if (hi <= lo)
    hi = lo + 1;
  base = row->y + row->h;
  top = row->y + MIN (row->h * 0.12, 3);

  if (il_paint_frame_sees (f, l->label_x, row->y, l->lane_x0, row->y + row->h))
    {
      g_autofree char *label = il_run_trace_get_counter_label (run, (guint) row->index);
      g_autofree char *max = format_value (c->max);
      g_autofree char *max_text = g_strdup_printf (_("max %s"), max);
      double px = MIN (l->font_px * 0.8, row->h * 0.4);

      il_text_set (f->text, label, px, FALSE, l->label_w - px);
      il_text_draw (f->cr, f->text, l->label_x, row->y + row->h * 0.3, IL_ALIGN_LEFT, f->pal->text);
      il_text_set (f->text, max_text, px * 0.9, FALSE, l->label_w - px);
      il_text_draw (f->cr, f->text, l->label_x, row->y + row->h * 0.75, IL_ALIGN_LEFT, f->pal->text_dim);
    }
  il_rgb_set_source (f->cr, f->pal->panel);
  cairo_rectangle (f->cr, l->lane_x0, row->y, l->lane_x1 - l->lane_x0, row->h);
  cairo_fill (f->cr);
  if (c->n_points == 0 || f->c_hi <= f->c_lo)
    return;

  /* Column by column of the clip: the values the counter had in it (the one it held at its
   * start, and every point inside), drawn as a bar up to the largest, a line at the last. */
  cairo_save (f->cr);
  cairo_rectangle (f->cr, l->lane_x0, row->y, l->lane_x1 - l->lane_x0, row->h);
  cairo_clip (f->cr);
  {
    double t_lo = f->t0 + f->c_lo * f->ns_per_col;
    guint lo_i = 0, hi_i = c->n_points;

    /* The first point after the clip's start. */
    while (lo_i < hi_i)
      {
        guint mid = lo_i + (hi_i - lo_i) / 2;

        if ((double) c->points[mid].ts_ns <= t_lo)
          lo_i = mid + 1;
        else
          hi_i = mid;
      }
    k = lo_i;
  }
  x_end = il_time_scale_to_x (&l->scale, (double) il_run_trace_get_end_ns (run));
  for (guint col = f->c_lo; col < f->c_hi; col++)
    {
      double c1 = f->t0 + (col + 1) * f->ns_per_col;
      double x = l->lane_x0 + col * f->col_w;
      gboolean any = k > 0;
      double vmax = k > 0 ? c->points[k - 1].value : 0, vlast = vmax;

      if (x > x_end)
        break;
      while (k < c->n_points && (double) c->points[k].ts_ns < c1)
        {
          vlast = c->points[k].value;
          vmax = any ? MAX (vmax, vlast) : vlast;
          any = TRUE;
          k++;
        }
      if (!any)
        continue;
      il_rgb_set_source_alpha (f->cr, color, 0.45);
      cairo_rectangle (f->cr, x, base - (vmax - lo) / (hi - lo) * (base - top), f->col_w,
                       (vmax - lo) / (hi - lo) * (base - top));
      cairo_fill (f->cr);
      il_rgb_set_source (f->cr, color);
      cairo_rectangle (f->cr, x, base - (vlast - lo) / (hi - lo) * (base - top) - f->hairline, f->col_w,
                       MAX (f->hairline * 1.5, 1.0));
      cairo_fill (f->cr);
    }
  cairo_restore (f->cr);
}

/* ------------------------------------------------------------------------------------------------
 * Hits, for tooltips */

static void
nearest_instant (IlRunTrace *run, int slot, const IlLayout *layout, double x, double slop,
                 double *best, IlPaintMarkHit *hit)
{
  gint64 t0 = (gint64) floor (il_time_scale_to_time (&layout->scale, x - slop));
  gint64 t1 = (gint64) ceil (il_time_scale_to_time (&layout->scale, x + slop)) + 1;
  guint n;
  const IlInstant *const *in = il_run_trace_find_instants (run, slot, t0, t1, &n);

  for (guint i = 0; i < n; i++)
    {
      double d = fabs (il_time_scale_to_x (&layout->scale, (double) in[i]->ts_ns) - x);

      if (d < *best)
        {
          *best = d;
          hit->instant = in[i];
        }
    }
}

gboolean
il_painter_hit_mark (int width, int height, GPtrArray *runs, const IlPaintOptions *o, double x,
                     double y, IlPaintMarkHit *hit)
{
  g_autoptr(IlLayout) layout = NULL;
  const IlLayoutRow *row;
  IlRunTrace *run;
  double slop = 4;

  g_return_val_if_fail (runs != NULL && o != NULL && hit != NULL, FALSE);

  memset (hit, 0, sizeof *hit);
  layout = il_layout_new (width, height, runs, o);
  if (x < layout->lane_x0 - slop || x >= layout->lane_x1 + slop || (row = il_layout_row_at (layout, y)) == NULL)
    return FALSE;
  run = g_ptr_array_index (runs, row->run);
  hit->run = (int) row->run;

  if (row->kind == IL_ROW_COUNTER)
    {
      const IlCounter *c = il_run_trace_get_counter (run, (guint) row->index);
      gint64 t = (gint64) floor (il_time_scale_to_time (&layout->scale, x));
      guint lo = 0, hi = c->n_points;

      while (lo < hi)
        {
          guint mid = lo + (hi - lo) / 2;

          if (c->points[mid].ts_ns <= t)
            lo = mid + 1;
          else
            hi = mid;
        }
      if (lo == 0)
        return FALSE;
      hit->counter = row->index;
      hit->instant = NULL;
      hit->point = &c->points[lo - 1];
      return TRUE;
    }
  /* An instant: the nearest within a few pixels, on the upper half of its lane; process and
   * global ones on a process header, or on the run's first lane when it has none. */
  if ((row->kind == IL_ROW_WORKER || row->kind == IL_ROW_PROCESS) && y < row->y + row->h * 0.6)
    {
      const IlLayoutBlock *block = &g_array_index (layout->blocks, IlLayoutBlock, row->run);
      const IlLayoutRow *first = &g_array_index (layout->rows, IlLayoutRow, block->first_row);
      double best = G_MAXDOUBLE;

      if (row->kind == IL_ROW_WORKER)
        nearest_instant (run, row->index, layout, x, slop, &best, hit);
      if (row->kind == IL_ROW_PROCESS || (row == first && !il_layout_run_has_process_rows (run)))
        nearest_instant (run, -1, layout, x, slop, &best, hit);
      hit->counter = -1;
      return hit->instant != NULL;
    }
  return FALSE;
}
