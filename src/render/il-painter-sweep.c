/* il-painter-sweep.c: the sweep drawing: speedup per executor vs worker count, ideal line, Amdahl fits. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "il-clock.h"
#include "il-layout.h"
#include "il-painter.h"
#include "il-painter-private.h"

typedef struct
{
  double x0, x1, y0, y1;   /* plot area: y0 top */
  double n_min, n_max;     /* worker counts */
  double s_min, s_max;     /* speedup at the bottom (0 unless log_y) and at the top */
  gboolean log_x;
  gboolean log_y;          /* with log_x: log-log, where the ideal n× is a straight line */
} Plot;

static double
plot_x (const Plot *p, double n)
{
  double a, b, v;

  if (p->log_x)
    {
      a = log2 (p->n_min);
      b = log2 (p->n_max);
      v = log2 (n);
    }
  else
    {
      a = p->n_min;
      b = p->n_max;
      v = n;
    }
  return b > a ? p->x0 + (v - a) / (b - a) * (p->x1 - p->x0) : (p->x0 + p->x1) / 2;
}

static double nice_step (double range, double max_ticks);

static double
plot_y (const Plot *p, double s)
{
  if (p->log_y)
    return p->y1 - (log2 (MAX (s, 1e-9)) - log2 (p->s_min)) / (log2 (p->s_max) - log2 (p->s_min))
                     * (p->y1 - p->y0);
  return p->y1 - s / p->s_max * (p->y1 - p->y0);
}

/* The y grid: on a log axis at powers of two (every other one when they crowd), else at a nice
 * step from 0. */
static void
draw_y_grid (cairo_t *cr, PangoLayout *text, const IlPalette *pal, const Plot *p, double f)
{
  double step = p->log_y ? 2 : nice_step (p->s_max, (p->y1 - p->y0) / (f * 5));
  double s = p->log_y ? p->s_min : 0;

  if (p->log_y && (log2 (p->s_max) - log2 (p->s_min)) * f * 2.5 > p->y1 - p->y0)
    step = 4;
  for (; s <= p->s_max * (1 + 1e-9); s = p->log_y ? s * step : s + step)
    {
      /* Powers of two below 1 need their digits: 0.5×, 0.25×, 0.125×. */
      g_autofree char *label = p->log_y && s < 1 ? g_strdup_printf ("%.3g×", s)
                               : g_strdup_printf (!p->log_y && step < 1 ? "%.1f×" : "%.0f×", s);

      il_rgb_set_source (cr, pal->grid);
      cairo_move_to (cr, p->x0, plot_y (p, s));
      cairo_line_to (cr, p->x1, plot_y (p, s));
      cairo_stroke (cr);
      il_text_set (text, label, f * 0.85, FALSE, 0);
      il_text_draw (cr, text, p->x0 - f * 0.5, plot_y (p, s), IL_ALIGN_RIGHT, pal->text_dim);
    }
}

/* A disturbed point (other programs took CPU time its runs needed): a ring in the warning colour
 * around it, so the eye knows which points not to trust. */
static void
draw_disturbed_rings (cairo_t *cr, const Plot *p, const IlPalette *pal, const IlSweep *sweep,
                      const IlSweepSeries *series, double f, double hair)
{
  cairo_save (cr);
  il_rgb_set_source (cr, pal->reference);
  cairo_set_line_width (cr, MAX (hair * 2, f * 0.14));
  for (guint i = 0; i < sweep->worker_counts->len; i++)
    {
      double sp = il_sweep_get_speedup (sweep, series, i);
      double n = g_array_index (sweep->worker_counts, guint, i);

      if (isnan (sp) || il_sweep_get_disturbed (sweep, series, i) == 0)
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, plot_x (p, n), plot_y (p, sp), f * 0.7, 0, 2 * G_PI);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static double
nice_step (double range, double max_ticks)
{
  double raw = range / MAX (max_ticks, 1);
  double mag = pow (10, floor (log10 (raw)));
  double m = raw / mag;

  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * mag;
}

/* A repeated sweep: at each point, a bar from the lowest to the highest speedup of its rounds,
 * with caps, so noise reads as noise and not as a result. */
static void
draw_range_bars (cairo_t *cr, const Plot *p, const IlSweep *sweep, const IlSweepSeries *series,
                 double f, double hair)
{
  if (sweep->repeat < 2 || series->speedup_min == NULL || series->speedup_max == NULL)
    return;
  cairo_save (cr);
  cairo_set_line_width (cr, MAX (hair * 2, f * 0.1));
  for (guint i = 0; i < series->speedup_min->len && i < sweep->worker_counts->len; i++)
    {
      double lo = g_array_index (series->speedup_min, double, i);
      double hi = g_array_index (series->speedup_max, double, i);
      double x = plot_x (p, g_array_index (sweep->worker_counts, guint, i));
      double cap = f * 0.35;

      if (!isfinite (lo) || !isfinite (hi))
        continue;
      cairo_move_to (cr, x, plot_y (p, lo));
      cairo_line_to (cr, x, plot_y (p, hi));
      cairo_move_to (cr, x - cap, plot_y (p, lo));
      cairo_line_to (cr, x + cap, plot_y (p, lo));
      cairo_move_to (cr, x - cap, plot_y (p, hi));
      cairo_line_to (cr, x + cap, plot_y (p, hi));
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

double
il_painter_sweep_text_px (int height, const IlPaintOptions *o)
{
  double f;

  g_return_val_if_fail (o != NULL, 11.0);

  /* As the timeline's layout sizes its text (il_layout_new()): grown with the picture's height,
   * presenting at least the projector's size (the chart never scrolls, so a tall one keeps its
   * larger text), times the text zoom within the same bounds. */
  f = o->font_px > 0 ? o->font_px : CLAMP (height / 56.0, 11.0, 24.0);
  if (o->presentation && o->font_px <= 0)
    f = MAX (f, IL_LAYOUT_PRESENT_FONT_PX);
  return f * (o->text_scale > 0 ? CLAMP (o->text_scale, 0.5, 4.0) : 1.0);
}

void
il_painter_draw_sweep (cairo_t *cr, int width, int height, const IlSweep *sweep, IlTheme theme)
{
  IlPaintOptions o;

  il_paint_options_init (&o);
  o.theme = theme;
  il_painter_draw_sweep_with (cr, width, height, sweep, &o);
}

/* Every size below (margins, lines, points, dashes) is a multiple of the text size, so the whole
 * chart grows with the zoom. */
void
il_painter_draw_sweep_with (cairo_t *cr, int width, int height, const IlSweep *sweep,
                            const IlPaintOptions *o)
{
  const IlPalette *pal;
  g_autoptr(PangoLayout) text = NULL;
  double f, margin;
  int warning_lines = 1;
  double legend_w = 0, hair, s_low = G_MAXDOUBLE;
  Plot p = { 0 };
  guint n_counts;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (sweep != NULL);
  g_return_if_fail (o != NULL);

  pal = il_palette_get (o->theme);
  f = il_painter_sweep_text_px (height, o);
  margin = round (f * 1.5);

  text = il_text_layout_new (cr);
  hair = il_device_line_width (cr, 1);
  n_counts = sweep->worker_counts != NULL ? sweep->worker_counts->len : 0;

  cairo_save (cr);
  il_rgb_set_source (cr, pal->background);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);

  il_text_set (text, sweep->title != NULL ? sweep->title : _("Speedup against one sequential worker"),
               f * 1.5, TRUE, width - 2 * margin);
  il_text_draw (cr, text, margin, margin + f, IL_ALIGN_LEFT, pal->text);
  /* Under the title in the warning colour: which points not to trust, and who took the CPU. */
  if (il_sweep_is_disturbed (sweep))
    {
      g_autofree char *warning = sweep->culprit != NULL
        /* TRANSLATORS: %s is "firefox-esr took 48 % of a CPU" */
        ? g_strdup_printf (_("Disturbed: %s. Ringed points lost CPU time to other programs; close them and sweep again."),
                           sweep->culprit)
        : g_strdup (_("Disturbed: ringed points lost CPU time to other programs; close them and sweep again."));

      /* In two lines sooner than cut (a zoomed or narrow chart); the plot moves down for it. */
      il_text_set (text, warning, f * 0.95, TRUE, width - 2 * margin);
      pango_layout_set_wrap (text, PANGO_WRAP_WORD);
      pango_layout_set_height (text, -2);
      warning_lines = pango_layout_get_line_count (text);
      il_text_draw (cr, text, margin, margin + f * (2.7 + 0.6 * (warning_lines - 1)), IL_ALIGN_LEFT,
                    pal->reference);
      pango_layout_set_height (text, -1);
    }

  if (n_counts == 0)
    {
      il_text_set (text, _("No worker counts in this sweep"), f * 1.2, FALSE, 0);
      il_text_draw (cr, text, width / 2.0, height / 2.0, IL_ALIGN_CENTER, pal->text_dim);
      cairo_restore (cr);
      return;
    }

  p.n_min = G_MAXDOUBLE;
  p.n_max = 0;
  for (guint i = 0; i < n_counts; i++)
    {
      double n = g_array_index (sweep->worker_counts, guint, i);
      p.n_min = MIN (p.n_min, n);
      p.n_max = MAX (p.n_max, n);
    }
  p.n_min = MAX (p.n_min, 1);
  /* Worker counts double (1, 2, 4, 8 …): a log₂ axis spaces them evenly, so the small counts
   * where the curves part are not crowded into a corner. A narrow range stays linear. */
  p.log_x = p.n_max >= 4 * p.n_min;
  p.s_max = 1;
  for (guint k = 0; k < sweep->series->len; k++)
    {
      const IlSweepSeries *series = g_ptr_array_index (sweep->series, k);
      g_autofree char *label = NULL;
      for (guint i = 0; i < n_counts; i++)
        {
          double s = il_sweep_get_speedup (sweep, series, i);
          double lo = series->speedup_min != NULL && i < series->speedup_min->len
                        ? g_array_index (series->speedup_min, double, i) : NAN;
          if (!isnan (s))
            p.s_max = MAX (p.s_max, s);
          if (!isnan (s) && s > 0)
            s_low = MIN (s_low, s);
          if (isfinite (lo) && lo > 0)
            s_low = MIN (s_low, lo);
        }
      label = isnan (series->serial_fraction)
                ? g_strdup (series->label)
                : g_strdup_printf (_("%s (serial fraction %.2f)"), series->label, series->serial_fraction);
      legend_w = MAX (legend_w, il_text_set (text, label, f * 0.9, FALSE, 0));
    }
  /* Room above the best measured speedup, and the ideal visible for a while before it leaves the
   * top: measured curves must not be squashed to the bottom by the ideal at many workers. */
  p.s_max = MIN (MAX (p.s_max * 1.35, 2.2), MAX (p.n_max * 1.05, 1.5));
  /* Worker counts on a log axis make the speedups log too: the ideal (n workers, n× faster) is
   * then a straight line, and halving reads the same at 2 and at 32 workers. The axis runs
   * between powers of two around the ideal's ends and every measured point. */
  p.log_y = p.log_x;
  if (p.log_y)
    {
      p.s_min = exp2 (floor (log2 (MAX (MIN (MIN (s_low, p.n_min), 1.0) / 1.1, 1.0 / 64))));
      p.s_max = exp2 (ceil (log2 (MAX (p.s_max / 1.35 * 1.15, p.n_max))));
    }

  legend_w = MIN (legend_w + f * 3, width * 0.38);
  p.x0 = margin + f * 3.5;
  p.x1 = width - margin - legend_w - f;
  p.y0 = margin + f * (il_sweep_is_disturbed (sweep) ? 5.6 + 1.2 * (warning_lines - 1) : 4.5);
  p.y1 = height - margin - f * 3.2;

  /* Grid and y labels. */
  cairo_set_line_width (cr, hair);
  draw_y_grid (cr, text, pal, &p, f);
  for (guint i = 0; i < n_counts; i++)
    {
      double n = g_array_index (sweep->worker_counts, guint, i);
      g_autofree char *label = g_strdup_printf ("%g", n);
      il_rgb_set_source (cr, pal->grid);
      cairo_move_to (cr, plot_x (&p, n), p.y0);
      cairo_line_to (cr, plot_x (&p, n), p.y1);
      cairo_stroke (cr);
      il_text_set (text, label, f * 0.85, FALSE, 0);
      il_text_draw (cr, text, plot_x (&p, n), p.y1 + f * 0.9, IL_ALIGN_CENTER, pal->text_dim);
    }
  il_text_set (text, _("workers"), f * 0.9, FALSE, 0);
  il_text_draw (cr, text, (p.x0 + p.x1) / 2, p.y1 + f * 2.2, IL_ALIGN_CENTER, pal->text);
  il_text_set (text, _("speedup"), f * 0.9, FALSE, 0);
  il_text_draw (cr, text, p.x0 - f * 0.5, p.y0 - f * 1.3, IL_ALIGN_LEFT, pal->text);

  /* Curves stay inside the plot. */
  cairo_save (cr);
  cairo_rectangle (cr, p.x0, p.y0, p.x1 - p.x0, p.y1 - p.y0);
  cairo_clip (cr);

  /* The cores: CPU-bound work cannot run faster than on every core at once, whatever the ideal
   * line says past them. The CPU set of the first series, or this machine's CPUs. */
  {
    guint n_cpus = il_cpu_count ();
    if (sweep->series->len > 0)
      {
        const IlSweepSeries *first = g_ptr_array_index (sweep->series, 0);
        if (first->config != NULL && first->config->cpus != NULL && first->config->cpus->len > 0)
          n_cpus = first->config->cpus->len;
      }
    if (n_cpus < p.n_max && n_cpus <= p.s_max)
      {
        g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores",
                                                               n_cpus), n_cpus);
        double dash[] = { f * 0.2, f * 0.3 };
        double w;

        cairo_save (cr);
        cairo_set_dash (cr, dash, 2, 0);
        il_rgb_set_source (cr, pal->reference);
        cairo_set_line_width (cr, MAX (hair * 2, f * 0.1));
        cairo_move_to (cr, p.x0, plot_y (&p, n_cpus));
        cairo_line_to (cr, p.x1, plot_y (&p, n_cpus));
        cairo_stroke (cr);
        cairo_restore (cr);
        w = il_text_set (text, label, f * 0.85, TRUE, 0);
        il_text_draw (cr, text, p.x1 - w - f * 0.4, plot_y (&p, n_cpus) - f * 0.7, IL_ALIGN_LEFT,
                      pal->reference);
      }
  }

  /* The ideal: n workers, n times faster. */
  cairo_save (cr);
  {
    double dash[] = { f * 0.5, f * 0.35 };
    cairo_set_dash (cr, dash, 2, 0);
  }
  il_rgb_set_source (cr, pal->text_dim);
  cairo_set_line_width (cr, MAX (hair * 2, f * 0.1));
  /* Straight on both kinds of axes (log-log or linear-linear): one segment between its ends. */
  cairo_move_to (cr, plot_x (&p, p.n_min), plot_y (&p, p.n_min));
  cairo_line_to (cr, plot_x (&p, p.n_max), plot_y (&p, p.n_max));
  cairo_stroke (cr);
  cairo_restore (cr);

  for (guint k = 0; k < sweep->series->len; k++)
    {
      const IlSweepSeries *series = g_ptr_array_index (sweep->series, k);
      IlRgb color = il_palette_series_color (pal, k);
      gboolean started = FALSE;
      double ly = p.y0 + f * 1.8 * (k + 1);
      g_autofree char *label = NULL;

      /* The Amdahl fit, thin and dashed in the series' colour. */
      if (!isnan (series->serial_fraction))
        {
          double s = series->serial_fraction;
          double dash[] = { f * 0.25, f * 0.25 };

          cairo_save (cr);
          cairo_set_dash (cr, dash, 2, 0);
          il_rgb_set_source_alpha (cr, color, 0.8);
          cairo_set_line_width (cr, MAX (hair * 1.5, f * 0.08));
          for (int i = 0; i <= 64; i++)
            {
              double n = p.log_x ? p.n_min * pow (p.n_max / p.n_min, i / 64.0)
                                 : p.n_min + (p.n_max - p.n_min) * i / 64.0;
              double sp = 1.0 / (s + (1.0 - s) / n);
              if (i == 0)
                cairo_move_to (cr, plot_x (&p, n), plot_y (&p, sp));
              else
                cairo_line_to (cr, plot_x (&p, n), plot_y (&p, sp));
            }
          cairo_stroke (cr);
          cairo_restore (cr);
        }

      il_rgb_set_source (cr, color);
      cairo_set_line_width (cr, MAX (hair * 2, f * 0.16));
      for (guint i = 0; i < n_counts; i++)
        {
          double sp = il_sweep_get_speedup (sweep, series, i);
          double n = g_array_index (sweep->worker_counts, guint, i);
          if (isnan (sp))
            {
              started = FALSE;
              continue;
            }
          if (!started)
            cairo_move_to (cr, plot_x (&p, n), plot_y (&p, sp));
          else
            cairo_line_to (cr, plot_x (&p, n), plot_y (&p, sp));
          started = TRUE;
        }
      cairo_stroke (cr);
      draw_range_bars (cr, &p, sweep, series, f, hair);
      for (guint i = 0; i < n_counts; i++)
        {
          double sp = il_sweep_get_speedup (sweep, series, i);
          double n = g_array_index (sweep->worker_counts, guint, i);
          if (isnan (sp))
            continue;
          cairo_arc (cr, plot_x (&p, n), plot_y (&p, sp), f * 0.32, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      draw_disturbed_rings (cr, &p, pal, sweep, series, f, hair);

      /* Legend entry on the right, outside the plot's clip. */
      cairo_save (cr);
      cairo_reset_clip (cr);
      /* The series' own marks: its line with a point on it. */
      cairo_set_line_width (cr, MAX (hair * 2, f * 0.16));
      cairo_move_to (cr, p.x1 + f * 1.3, ly);
      cairo_line_to (cr, p.x1 + f * 2.3, ly);
      cairo_stroke (cr);
      cairo_arc (cr, p.x1 + f * 1.8, ly, f * 0.32, 0, 2 * G_PI);
      cairo_fill (cr);
      label = isnan (series->serial_fraction)
                ? g_strdup (series->label)
                : g_strdup_printf (_("%s (serial fraction %.2f)"), series->label, series->serial_fraction);
      il_text_set (text, label, f * 0.9, FALSE, width - margin - (p.x1 + f * 2.7));
      il_text_draw (cr, text, p.x1 + f * 2.7, ly, IL_ALIGN_LEFT, pal->text);
      cairo_restore (cr);
    }
  cairo_restore (cr);

  {
    double ly = p.y0 + f * 1.8 * (sweep->series->len + 1);
    double dash[] = { f * 0.5, f * 0.35 };
    cairo_save (cr);
    cairo_set_dash (cr, dash, 2, 0);
    il_rgb_set_source (cr, pal->text_dim);
    cairo_set_line_width (cr, MAX (hair * 2, f * 0.1));
    cairo_move_to (cr, p.x1 + f * 1.5, ly);
    cairo_line_to (cr, p.x1 + f * 2.3, ly);
    cairo_stroke (cr);
    cairo_restore (cr);
    il_text_set (text, _("ideal (n workers, n× faster)"), f * 0.9, FALSE, width - margin - (p.x1 + f * 2.7));
    il_text_draw (cr, text, p.x1 + f * 2.7, ly, IL_ALIGN_LEFT, pal->text_dim);
    /* The fit's sample is drawn with the fit's own dash and weight, so the legend shows the
     * line it names rather than describing it in words. */
    {
      double fit_dash[] = { f * 0.25, f * 0.25 };
      gboolean any_fit = FALSE;

      for (guint k = 0; k < sweep->series->len; k++)
        any_fit |= !isnan (((const IlSweepSeries *) g_ptr_array_index (sweep->series, k))->serial_fraction);
      if (any_fit)
        {
          cairo_save (cr);
          cairo_set_dash (cr, fit_dash, 2, 0);
          il_rgb_set_source_alpha (cr, pal->text_dim, 0.8);
          cairo_set_line_width (cr, MAX (hair * 1.5, f * 0.08));
          cairo_move_to (cr, p.x1 + f * 1.3, ly + f * 1.8);
          cairo_line_to (cr, p.x1 + f * 2.3, ly + f * 1.8);
          cairo_stroke (cr);
          cairo_restore (cr);
          il_text_set (text, _("Amdahl's law fit"), f * 0.9, FALSE,
                       width - margin - (p.x1 + f * 2.7));
          il_text_draw (cr, text, p.x1 + f * 2.7, ly + f * 1.8, IL_ALIGN_LEFT, pal->text_dim);
        }
      /* The ring's sample, when a point carries one. */
      if (il_sweep_is_disturbed (sweep))
        {
          double ry = ly + f * (any_fit ? 3.6 : 1.8);

          cairo_save (cr);
          il_rgb_set_source (cr, pal->reference);
          cairo_set_line_width (cr, MAX (hair * 2, f * 0.14));
          /* The text before left a current point: the ring starts a path of its own. */
          cairo_new_path (cr);
          cairo_arc (cr, p.x1 + f * 1.8, ry, f * 0.7, 0, 2 * G_PI);
          cairo_stroke (cr);
          cairo_restore (cr);
          il_text_set (text, _("disturbed point"), f * 0.9, FALSE, width - margin - (p.x1 + f * 2.7));
          il_text_draw (cr, text, p.x1 + f * 2.7, ry, IL_ALIGN_LEFT, pal->reference);
        }
    }
  }

  cairo_restore (cr);
}
