/* il-painter-stacks.c: a traced Python program's running stretches labelled with the function its sampled stacks were in. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "il-painter-private.h"
#include "il-trace-stacks.h"

/* Most of a stretch's samples must be in one function for it to name the stretch: a label says
 * what the time was spent on, not what one sample happened to catch. */
#define MIN_SHARE 0.5
#define MAX_GAP_COLS 2

/* The stretch's label: "compute()  worker.py:12" where that fits in @avail, else "compute()";
 * NULL when neither does. Measured only (il_text_measure): the caller sets the one it draws. */
static char *
fit_label (IlPaintFrame *f, IlTraceStacks *stacks, guint frame, double px, double avail)
{
  g_autofree char *full = il_trace_stacks_format_frame (stacks, frame);
  const char *gap = strstr (full, "()  ");
  IlTextExtent e;

  il_text_measure (f->text, full, px, FALSE, 0, &e);
  if (e.width <= avail)
    return g_steal_pointer (&full);
  if (gap != NULL)
    {
      char *name = g_strndup (full, (gsize) (gap - full) + 2);

      il_text_measure (f->text, name, px, FALSE, 0, &e);
      if (e.width <= avail)
        return name;
      g_free (name);
    }
  return NULL;
}

void
il_paint_stack_labels (IlPaintFrame *f, guint run_index, const IlColumn *cols, const IlLayoutRow *row,
                       const IlPaintCell *cells)
{
  IlRunTrace *run = g_ptr_array_index (f->runs, run_index);
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  const IlWorkerInfo *info;
  double px = MIN (f->layout->font_px * 0.72, row->h * 0.62);
  guint open_from = il_paint_live_edge_col (f, run);
  guint c = f->c_lo;

  if (stacks == NULL || px < 7 || (guint) row->index >= il_run_trace_get_n_workers (run))
    return;
  info = il_run_trace_get_worker (run, (guint) row->index);
  while (c < f->c_hi)
    {
      guint e = c, quiet = 0, frame;
      double share, avail, cx;
      g_autofree char *text = NULL;

      if (cols[c].ns[IL_STATE_RUNNING] < 0.75 * f->ns_per_col)
        {
          c++;
          continue;
        }
      /* A stretch of running: a column or two of something else (a switch, a sliver of ready)
       * inside it do not end it; more do, so a label never spans waits. */
      for (guint k = c; k < f->c_hi && quiet <= MAX_GAP_COLS; k++)
        {
          if (cols[k].ns[IL_STATE_RUNNING] >= 0.75 * f->ns_per_col)
            {
              e = k + 1;
              quiet = 0;
            }
          else
            quiet++;
        }
      avail = (e - c) * f->col_w - px * 0.8;
      cx = f->layout->lane_x0 + (c + e) * f->col_w / 2;
      if (avail > px * 4 && (open_from == G_MAXUINT || e + MAX_GAP_COLS < open_from) &&
          (c > f->c_lo || f->c_lo == 0) && (e < f->c_hi || f->c_hi == f->n_cols) &&
          (frame = il_trace_stacks_dominant_frame (stacks, info->pid, info->tid, (gint64) (f->t0 + c * f->ns_per_col),
                                                   (gint64) (f->t0 + e * f->ns_per_col), &share)) != G_MAXUINT &&
          share >= MIN_SHARE && (text = fit_label (f, stacks, frame, px, avail)) != NULL)
        {
          const IlPaintCell *mid = &cells[(c + e) / 2];
          IlRgb bg = il_rgb_unpack (mid->top != G_MAXUINT32 ? mid->top : mid->bottom);
          double w = il_text_set (f->text, text, px, FALSE, 0);

          if (cx - w / 2 >= f->clip_x0 && cx + w / 2 <= f->clip_x1)
            il_text_draw (f->cr, f->text, cx, row->y + row->h / 2, IL_ALIGN_CENTER,
                          il_rgb_luminance (bg) > 0.45 ? (IlRgb) { 0.08, 0.08, 0.1 } : (IlRgb) { 1, 1, 1 });
        }
      c = MAX (e, c + 1);
    }
}
