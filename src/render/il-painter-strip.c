/* il-painter-strip.c: the parallelism strip: workers in flight and running per column, against the core count. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-painter-private.h"

/* The strip's sums of one worker's columns: its running time, and its time holding a task. */
void
il_paint_strip_add (IlPaintFrame *f, IlRunTrace *run, guint worker, const IlColumn *cols,
                    double *flight, double *running)
{
  /* A traced program's helper threads (never a task-like stretch) are not in flight. */
  gboolean helper = il_run_trace_get_worker (run, worker)->helper;

  for (guint c = f->c_lo; c < f->c_hi; c++)
    {
      const IlColumn *col = &cols[c];
      running[c] += col->ns[IL_STATE_RUNNING];
      if (helper)
        {
          flight[c] += col->ns[IL_STATE_RUNNING];
          continue;
        }
      flight[c] += col->ns[IL_STATE_RUNNING] + col->ns[IL_STATE_READY]
                   + col->ns[IL_STATE_GIL_WAIT] + col->ns[IL_STATE_IO_WAIT]
                   + col->ns[IL_STATE_LOCK_WAIT] + col->ns[IL_STATE_LOOP_WAIT];
    }
}

/* The strip: workers in flight (holding a task) and running, averaged per column, as step areas.
 * @flight and @running are the sums of il_paint_strip_add() over every worker; they are scaled
 * here, in place. */
void
il_paint_strip (IlPaintFrame *f, IlRunTrace *run, double *flight, double *running,
                const IlLayoutRow *row)
{
  cairo_t *cr = f->cr;
  guint n_workers = il_run_trace_get_n_workers (run);
  guint n_cpus = il_layout_run_n_cpus (run);
  /* The ceiling is what this run may use: its own CPU set (a one-core run's is 1, whatever the
   * machine has), and an event loop's one thread. */
  gboolean loop = il_layout_run_is_event_loop (run);
  guint ceiling = loop ? 1 : il_layout_run_n_allowed_cpus (run);
  double top = MAX (MAX (n_workers, n_cpus), 1) * 1.1;
  double x0 = f->layout->lane_x0;
  double dev = f->o->scale > 0 ? f->o->scale : 1;
  double y_base = row->y + row->h;
  double ref_y;

  /* Heights snap to device pixels so equal neighbours merge into one step. */
  for (guint k = f->c_lo; k < f->c_hi; k++)
    {
      flight[k] = round (flight[k] / f->ns_per_col / top * row->h * dev) / dev;
      running[k] = round (running[k] / f->ns_per_col / top * row->h * dev) / dev;
    }

  if (!f->vector)
    {
      int rows, stride;
      guint32 *data = il_paint_raster_begin (f, row->h, f->pal->background, TRUE, &rows, &stride);
      guint32 run_px = 0xff000000 | il_rgb_pack (f->pal->running);
      guint32 flight_px = 0xff000000 | il_rgb_pack (f->pal->in_flight);

      for (int yy = 0; yy < rows; yy++)
        {
          guint32 *line = data + yy * stride;
          double from_bottom = (rows - yy) / dev;   /* top edge of this pixel row, from the base */
          for (guint x = f->c_lo; x < f->c_hi; x++)
            {
              if (from_bottom <= running[x] + 1e-9)
                line[x] = run_px;
              else if (from_bottom <= flight[x] + 1e-9)
                line[x] = flight_px;
            }
        }
      il_paint_raster_end (f, row->y, row->h);
    }
  else
    for (guint pass = 0; pass < 2; pass++)
      {
        double *v = pass == 0 ? flight : running;
        guint c = 0;

        cairo_move_to (cr, x0, y_base);
        while (c < f->n_cols)
          {
            guint e = c + 1;
            while (e < f->n_cols && v[e] == v[c])
              e++;
            cairo_line_to (cr, x0 + c * f->col_w, y_base - v[c]);
            cairo_line_to (cr, x0 + e * f->col_w, y_base - v[c]);
            c = e;
          }
        cairo_line_to (cr, x0 + f->n_cols * f->col_w, y_base);
        cairo_close_path (cr);
        il_rgb_set_source (cr, pass == 0 ? f->pal->in_flight : f->pal->running);
        cairo_fill (cr);
      }

  /* A count scale: a faint line at every worker when they are few, numbers for 0 and the top. */
  {
    guint n_lines = MAX (n_workers, n_cpus);
    double px = MIN (f->layout->font_px * 0.7, row->h * 0.3);

    cairo_save (cr);
    cairo_set_line_width (cr, f->hairline);
    il_rgb_set_source_alpha (cr, f->pal->text_dim, 0.35);
    if (n_lines <= 16)
      for (guint k = 1; k <= n_lines; k++)
        {
          double yk = round ((y_base - k / top * row->h) * dev) / dev + f->hairline / 2;
          cairo_move_to (cr, x0, yk);
          cairo_line_to (cr, f->layout->lane_x1, yk);
        }
    cairo_stroke (cr);
    cairo_restore (cr);

    for (guint k = 0; k < 2; k++)
      {
        guint value = k == 0 ? 0 : n_lines;
        g_autofree char *label = g_strdup_printf ("%u", value);
        il_text_set (f->text, label, px, FALSE, 0);
        /* Kept inside the strip's height: "0" sits on the base, the top count under its line. */
        il_text_draw (cr, f->text, x0 - px * 0.4,
                      value == 0 ? y_base - px * 0.6 : MAX (y_base - value / top * row->h, row->y + px * 0.6),
                      IL_ALIGN_RIGHT,
                      f->pal->text_dim);
      }
  }

  /* The core count: running above this line is impossible; in flight above it means waiting. */
  ref_y = round ((y_base - ceiling / top * row->h) * dev) / dev;
  cairo_save (cr);
  il_rgb_set_source (cr, f->pal->reference);
  cairo_set_line_width (cr, MAX (f->hairline * 2, f->layout->font_px * 0.1));
  {
    double dash[] = { f->layout->font_px * 0.5, f->layout->font_px * 0.3 };
    cairo_set_dash (cr, dash, 2, 0);
  }
  cairo_move_to (cr, x0, ref_y);
  cairo_line_to (cr, f->layout->lane_x1, ref_y);
  cairo_stroke (cr);
  cairo_restore (cr);

  {
    g_autofree char *label = loop ? g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u thread", "%u threads", 1), 1)
                                  : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", ceiling),
                                                     ceiling);
    double px = MIN (f->layout->font_px * 0.8, row->h * 0.4);
    double w = il_text_set (f->text, label, px, TRUE, 0);
    double bx = f->layout->lane_x1 - w - px * 0.5;
    double by = ref_y - px * 0.75;

    if (by - px * 0.6 < row->y)
      by = ref_y + px * 0.75;
    il_rgb_set_source_alpha (cr, f->pal->background, 0.85);
    cairo_rectangle (cr, bx - px * 0.25, by - px * 0.65, w + px * 0.5, px * 1.3);
    cairo_fill (cr);
    il_text_draw (cr, f->text, bx, by, IL_ALIGN_LEFT, f->pal->reference);
  }
}
