/* il-painter-workers.c: worker lanes: each column's state, the task's colour, task names and boundaries. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-painter-private.h"

static IlRgb
running_color (IlPaintFrame *f, const IlColumn *col, gboolean dense)
{
  if (f->o->color_by_cpu && col->cpu >= 0)
    return il_palette_cpu_color (f->pal, col->cpu);
  if (f->o->color_by_cpu || (dense && !il_paint_column_one_task (col)))
    return f->pal->states[IL_STATE_RUNNING];
  return il_palette_task_color (f->pal, col->task);
}

/* Running in a dense column: by CPU, the colours of its two busiest CPUs mixed by their time. */
static IlRgb
running_mix (IlPaintFrame *f, const IlColumn *col)
{
  if (f->o->color_by_cpu && col->cpu >= 0)
    {
      IlRgb a = il_palette_cpu_color (f->pal, col->cpu);
      if (col->cpu2 >= 0 && col->cpu2_ns > 0)
        return il_rgb_mix (a, il_palette_cpu_color (f->pal, col->cpu2),
                           col->cpu2_ns / (col->cpu_ns + col->cpu2_ns));
      return a;
    }
  if (!f->o->color_by_cpu && il_paint_column_one_task (col))
    return il_palette_task_color (f->pal, col->task);
  return f->pal->states[IL_STATE_RUNNING];
}

static void
draw_worker_lane_boundaries (IlPaintFrame *f, const IlLayoutRow *row, GArray *boundaries)
{
  cairo_t *cr = f->cr;

  cairo_save (cr);
  il_rgb_set_source (cr, f->pal->separator);
  cairo_set_line_width (cr, MAX (f->hairline, f->layout->font_px * 0.08));
  for (guint b = 0; b < boundaries->len; b++)
    {
      double x = il_time_scale_to_x (&f->layout->scale, g_array_index (boundaries, double, b));
      cairo_move_to (cr, x, row->y);
      cairo_line_to (cr, x, row->y + row->h);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

void
il_paint_worker_lane (IlPaintFrame *f, guint run_index, const IlColumn *cols, const IlLayoutRow *row,
                      GArray *boundaries, IlPaintCell *cells)
{
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  gboolean any_hl = FALSE;
  int hl_task = (int) run_index == f->o->highlight_run ? f->o->highlight_task : -1;

  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      const IlColumn *col = &cols[c];
      IlPaintCell *cell = &cells[c];
      double covered = 0;
      guint dom = 0, other = G_MAXUINT;
      gboolean dense = col->n_spans >= IL_PAINT_DENSE_SPANS;

      for (guint s = 0; s < IL_N_STATES; s++)
        {
          covered += col->ns[s];
          if (col->ns[s] > col->ns[dom])
            dom = s;
          if (s != IL_STATE_RUNNING && col->ns[s] > 0
              && (other == G_MAXUINT || col->ns[s] > col->ns[other]))
            other = s;
        }

      *cell = (IlPaintCell) { .top = G_MAXUINT32 };
      if (covered < 0.5 * f->ns_per_col)
        continue;

      if (dense && other != G_MAXUINT)
        {
          /* Many spans in one column: what an exact drawing blurs together. The running share is
           * a bar from the bottom; above it the other states' colours mixed by their time. */
          double share = col->ns[IL_STATE_RUNNING] / covered;
          IlRgb mix = { 0, 0, 0 };
          double rest = covered - col->ns[IL_STATE_RUNNING];

          for (guint s = 0; s < IL_N_STATES; s++)
            if (s != IL_STATE_RUNNING && col->ns[s] > 0)
              {
                double k = col->ns[s] / rest;
                mix.r += f->pal->states[s].r * k;
                mix.g += f->pal->states[s].g * k;
                mix.b += f->pal->states[s].b * k;
              }
          cell->top = il_rgb_pack (mix);
          cell->bar = (guint16) MIN (round (share * row->h * dev), 65535);
          if (cell->bar > 0)
            cell->bottom = il_rgb_pack (running_mix (f, col));
        }
      else if (dom == IL_STATE_RUNNING)
        cell->top = il_rgb_pack (running_color (f, col, dense));
      else
        cell->top = il_rgb_pack (f->pal->states[dom]);

      if (hl_task >= 0 && il_paint_column_is_task (col, hl_task))
        cell->hl = any_hl = TRUE;
    }

  il_paint_fill_cells (f, cells, row->y, row->h, f->pal->panel);

  {
    g_autofree int *ids = g_new (int, f->n_cols);
    for (guint c = 0; c < f->n_cols; c++)
      ids[c] = -1;
    for (guint c = f->c_lo; c < f->c_hi; c++)
      {
        const IlColumn *col = &cols[c];
        /* Names only on stretches that read as the task running, not on a mix. */
        gboolean run_dom = col->ns[IL_STATE_RUNNING] >= 0.75 * f->ns_per_col;
        ids[c] = run_dom && il_paint_column_one_task (col) ? col->task : -1;
      }
    /* TRANSLATORS: inside a task's stretch of running in a worker lane */
    il_paint_label_segments (f, ids, cells, row->y, row->h, _("task %d"),
                             g_ptr_array_index (f->runs, run_index), NULL,
                             il_paint_live_edge_col (f, g_ptr_array_index (f->runs, run_index)));
  }
  il_paint_stack_labels (f, run_index, cols, row, cells);

  /* On a lane too dense to walk span by span, a task boundary is where neighbouring columns
   * each belong to one task, and to different ones. */
  if (boundaries == NULL)
    {
      g_autoptr(GArray) derived = g_array_new (FALSE, FALSE, sizeof (double));
      int last_task = -1;
      guint last_c = 0;

      for (guint c = f->c_lo; c < f->c_hi; c++)
        {
          const IlColumn *q = &cols[c];
          if (!il_paint_column_one_task (q) || q->ns[IL_STATE_RUNNING] < 0.5 * f->ns_per_col)
            continue;
          /* The column where one task ends and the next begins is mixed: look across up to
           * two such columns and put the line in the middle of them. */
          if (last_task >= 0 && q->task != last_task && c - last_c <= 3)
            {
              double at = f->t0 + (last_c + 1 + (c - last_c - 1) / 2.0) * f->ns_per_col;
              g_array_append_val (derived, at);
            }
          last_task = q->task;
          last_c = c;
        }
      /* Many of them is noise at this zoom, not boundaries anyone can read. */
      if (derived->len > 0 && derived->len <= f->n_cols / 24)
        draw_worker_lane_boundaries (f, row, derived);
    }

  if (boundaries != NULL && boundaries->len > 0 && boundaries->len <= f->n_cols / 24)
    draw_worker_lane_boundaries (f, row, boundaries);

  if (any_hl)
    il_paint_stroke_highlight (f, cells, row->y, row->h);
}
