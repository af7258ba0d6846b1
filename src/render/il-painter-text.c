/* il-painter-text.c: text and hairlines for both painters: one Pango layout per frame, unhinted metrics. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-painter-private.h"

PangoLayout *
il_text_layout_new (cairo_t *cr)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoContext *context = pango_layout_get_context (layout);
  cairo_font_options_t *fo = cairo_font_options_create ();

  /* Unhinted metrics: text measures the same on screen, in PNG, SVG and PDF at any scale. */
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_SLIGHT);
  cairo_font_options_set_antialias (fo, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options (context, fo);
  pango_layout_context_changed (layout);
  cairo_font_options_destroy (fo);
  return layout;
}

double
il_text_set (PangoLayout *layout, const char *text, double px, gboolean bold, double max_w)
{
  PangoFontDescription *desc = pango_font_description_new ();
  PangoRectangle logical;

  pango_font_description_set_family_static (desc, "Sans");
  pango_font_description_set_absolute_size (desc, px * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  pango_font_description_free (desc);

  pango_layout_set_ellipsize (layout, max_w > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  pango_layout_set_width (layout, max_w > 0 ? (int) (max_w * PANGO_SCALE) : -1);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  return (double) logical.width / PANGO_SCALE;
}

void
il_text_draw (cairo_t *cr, PangoLayout *layout, double x, double cy, IlAlign align, IlRgb color)
{
  PangoRectangle logical;
  double w, h;

  pango_layout_get_extents (layout, NULL, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  if (align == IL_ALIGN_CENTER)
    x -= w / 2;
  else if (align == IL_ALIGN_RIGHT)
    x -= w;

  cairo_save (cr);
  il_rgb_set_source (cr, color);
  cairo_move_to (cr, x - (double) logical.x / PANGO_SCALE, cy - h / 2);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

double
il_device_line_width (cairo_t *cr, double device_px)
{
  double dx = device_px, dy = 0;

  cairo_device_to_user_distance (cr, &dx, &dy);
  return fabs (dx) > 0 ? fabs (dx) : device_px;
}
