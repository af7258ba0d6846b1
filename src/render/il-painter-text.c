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
  /* The target's own font options (a PDF's glyph positions are not rounded, an image's are) are
   * merged into the context where they cannot be read back: il_text_measure() keys by them. */
  cairo_surface_get_font_options (cairo_get_target (cr), fo);
  g_object_set_data_full (G_OBJECT (layout), "il-text-target",
                          g_strdup_printf ("%d %lx", (int) cairo_surface_get_type (cairo_get_target (cr)),
                                           cairo_font_options_hash (fo)),
                          g_free);
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

/* Measured texts, by everything that shapes them: the layout's font context (matrix, resolution,
 * font options, font map), its wrap and height, and il_text_set()'s arguments. Shared by every
 * painter of the process (the window's frames, exports in other threads), under a lock; emptied
 * when it grows past MEASURE_MAX (a live run's changing lines are all new). */
#define MEASURE_MAX 4096
static GHashTable *measured;
G_LOCK_DEFINE_STATIC (measured);

static char *
measure_key (PangoLayout *layout, const char *text, double px, gboolean bold, double max_w)
{
  PangoContext *context = pango_layout_get_context (layout);
  const PangoMatrix *m = pango_context_get_matrix (context);
  const cairo_font_options_t *fo = pango_cairo_context_get_font_options (context);
  const char *target = g_object_get_data (G_OBJECT (layout), "il-text-target");
  PangoMatrix identity = PANGO_MATRIX_INIT;

  if (target == NULL)
    return NULL;
  if (m == NULL)
    m = &identity;
  return g_strdup_printf ("%s %p %a %a %a %a %a %lx %d %d %a %d %a|%s", target,
                          (gpointer) pango_context_get_font_map (context), m->xx, m->xy, m->yx, m->yy,
                          pango_cairo_context_get_resolution (context),
                          fo != NULL ? cairo_font_options_hash (fo) : 0UL,
                          (int) pango_layout_get_wrap (layout), pango_layout_get_height (layout), px,
                          bold, max_w, text);
}

gboolean
il_text_measure (PangoLayout *layout, const char *text, double px, gboolean bold, double max_w,
                 IlTextExtent *out)
{
  g_autofree char *key = measure_key (layout, text, px, bold, max_w);
  IlTextExtent *known;
  PangoRectangle logical;

  G_LOCK (measured);
  known = measured != NULL && key != NULL ? g_hash_table_lookup (measured, key) : NULL;
  if (known != NULL)
    *out = *known;
  G_UNLOCK (measured);
  if (known != NULL)
    return FALSE;

  il_text_set (layout, text, px, bold, max_w);
  pango_layout_get_extents (layout, NULL, &logical);
  out->width = (double) logical.width / PANGO_SCALE;
  out->height = (double) logical.height / PANGO_SCALE;
  out->ellipsized = pango_layout_is_ellipsized (layout);
  out->lines = pango_layout_get_line_count (layout);

  if (key == NULL)
    return TRUE;
  G_LOCK (measured);
  if (measured == NULL)
    measured = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (g_hash_table_size (measured) >= MEASURE_MAX)
    g_hash_table_remove_all (measured);
  g_hash_table_replace (measured, g_steal_pointer (&key), g_memdup2 (out, sizeof *out));
  G_UNLOCK (measured);
  return TRUE;
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
