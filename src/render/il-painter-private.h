/* il-painter-private.h: text and line helpers shared by the timeline and the sweep painters. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <pango/pangocairo.h>
#include "il-palette.h"

G_BEGIN_DECLS

typedef enum
{
  IL_ALIGN_LEFT,
  IL_ALIGN_CENTER,
  IL_ALIGN_RIGHT,
} IlAlign;

/* One PangoLayout reused for every text of a frame (creating one per label costs more). */
PangoLayout *il_text_layout_new  (cairo_t *cr);
/* Sets text and size; @max_w > 0 ellipsizes at the end. Returns the logical width. */
double       il_text_set         (PangoLayout *layout, const char *text, double px, gboolean bold,
                                  double max_w);
/* Draws the layout with its vertical centre at @cy. */
void         il_text_draw        (cairo_t *cr, PangoLayout *layout, double x, double cy,
                                  IlAlign align, IlRgb color);
/* A line that lands on device pixels: @width in device pixels for a crisp hairline. */
double       il_device_line_width (cairo_t *cr, double device_px);

G_END_DECLS
