/* il-painter-cores.c: core lanes: which worker ran on each CPU, and what other programs and the hypervisor took. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-cpu-load.h"
#include "il-painter-private.h"

/* Core lane k, what the rest of the machine took: other programs' share of each column as a band
 * from the top (steal, the hypervisor's, topmost), the workers' own share as a bar from the bottom.
 * A core held by others is so never drawn idle. Two lookups per column in the run's series. */
static void
core_lane_add_other (IlPaintFrame *f, IlRunTrace *run, const IlLayoutRow *row, guint c, double busy_ns,
                     IlPaintCell *cell)
{
  IlCpuLoad *load = il_run_trace_get_cpu_load (run);
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  double t0 = f->t0 + c * f->ns_per_col;
  double px = row->h * dev, work, other, steal;
  gint64 other_ns, steal_ns;

  if (load == NULL || !il_cpu_load_has_cpu (load, row->index))
    return;
  il_cpu_load_sum_range (load, row->index, (gint64) t0, (gint64) (t0 + f->ns_per_col), &other_ns,
                         &steal_ns);
  work = MIN (busy_ns / f->ns_per_col, 1.0);
  steal = MIN ((double) steal_ns / f->ns_per_col, 1.0);
  other = MIN ((double) other_ns / f->ns_per_col, 1.0 - MIN (work, 1.0 - steal) - steal);
  if (round ((other + steal) * px) < 1)
    return;

  /* The workers' full-height colour becomes a bar as high as their share, under the band. */
  if (cell->top != G_MAXUINT32)
    {
      cell->bottom = cell->top;
      cell->bar = (guint16) MIN (round (work * px), 65535);
      cell->top = G_MAXUINT32;
    }
  cell->upper = il_rgb_pack (f->pal->other_programs);
  cell->upper2 = il_rgb_pack (f->pal->steal);
  cell->upper_bar = (guint16) MIN (round ((MAX (other, 0) + steal) * px), 65535);
  cell->steal_bar = (guint16) MIN (round (steal * px), 65535);
}

/* Core lane k: the running time of every worker whose column ran mostly on k. */
void
il_paint_core_lane (IlPaintFrame *f, guint run_index, IlRunTrace *run, IlColumn *const *cols,
                    const IlLayoutRow *row, IlPaintCell *cells)
{
  g_autofree int *ids = g_new (int, f->n_cols);
  guint n_workers = il_run_trace_get_n_workers (run);
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  int hl_task = (int) run_index == f->o->highlight_run ? f->o->highlight_task : -1;
  gboolean any_hl = FALSE, processes;

  for (guint c = 0; c < f->n_cols; c++)
    ids[c] = -1;
  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      double busy = 0, best = 0;
      int best_worker = -1;
      gboolean dense = FALSE;
      IlRgb mix = { 0, 0, 0 };
      IlPaintCell *cell = &cells[c];

      for (guint w = 0; w < n_workers; w++)
        {
          const IlColumn *col = &cols[w][c];
          double ns = col->cpu == row->index ? col->cpu_ns : col->cpu2 == row->index ? col->cpu2_ns : 0;
          IlRgb wc;

          if (ns <= 0)
            continue;
          busy += ns;
          dense |= col->n_spans >= IL_PAINT_DENSE_SPANS;
          wc = il_palette_worker_color (f->pal, (int) w);
          mix.r += wc.r * ns;
          mix.g += wc.g * ns;
          mix.b += wc.b * ns;
          if (ns > best)
            {
              best = ns;
              best_worker = (int) w;
            }
        }

      cell->top = G_MAXUINT32;
      cell->bottom = 0;
      cell->bar = 0;
      cell->hl = FALSE;
      cell->upper_bar = cell->steal_bar = 0;
      ids[c] = -1;
      if (best_worker < 0)
        {
          core_lane_add_other (f, run, row, c, 0, cell);
          continue;
        }

      if (dense)
        {
          /* Several workers or gaps inside one column: their colours mixed by running time,
           * as high as the core was busy. */
          IlRgb c_mix = { mix.r / busy, mix.g / busy, mix.b / busy };
          double share = MIN (busy / f->ns_per_col, 1.0);
          cell->bottom = il_rgb_pack (c_mix);
          cell->bar = (guint16) MIN (round (share * row->h * dev), 65535);
        }
      else if (busy >= 0.5 * f->ns_per_col)
        cell->top = il_rgb_pack (il_palette_worker_color (f->pal, best_worker));
      /* Named where one worker had the core for most of the column. */
      if (busy >= 0.5 * f->ns_per_col && best >= 0.9 * busy)
        ids[c] = best_worker;
      core_lane_add_other (f, run, row, c, busy, cell);

      if (hl_task >= 0 && il_paint_column_is_task (&cols[best_worker][c], hl_task))
        cell->hl = any_hl = TRUE;
    }

  il_paint_fill_cells (f, cells, row->y, row->h, f->pal->panel);
  processes = n_workers > 0 && il_run_trace_get_worker (run, 0)->kind == IL_WORKER_PROCESS;
  il_paint_label_segments (f, ids, cells, row->y, row->h,
                           /* TRANSLATORS: inside a stretch of a core lane: which worker ran there */
                           processes ? _("process %d") : _("worker %d"),
                           NULL, il_run_trace_get_config (run)->executor == IL_EXECUTOR_EXTERNAL ? run : NULL,
                           il_paint_live_edge_col (f, run));
  if (any_hl)
    il_paint_stroke_highlight (f, cells, row->y, row->h);
}
