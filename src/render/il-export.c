/* il-export.c: PNG, SVG and PDF files drawn by the one painter (vectors stay vectors). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>
#include <math.h>

#include "il-atomic-file.h"
#include "il-export.h"
#include "il-painter.h"

/* Cairo image surfaces stop at 32767 pixels a side. */
#define MAX_DEVICE_PX 32767

void
il_export_options_init (IlExportOptions *options)
{
  g_return_if_fail (options != NULL);

  options->width = 1920;
  options->height = 1080;
  options->scale = 1.0;
  options->theme = IL_THEME_LIGHT;
  options->view = IL_VIEW_BOTH;
  options->color_by_cpu = FALSE;
  options->title = NULL;
  options->t0_ns = options->t1_ns = 0;
}

gboolean
il_image_format_from_path (const char *path, IlImageFormat *out)
{
  const char *dot;

  g_return_val_if_fail (path != NULL, FALSE);

  dot = strrchr (path, '.');
  if (dot == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (dot, ".png") == 0)
    *out = IL_IMAGE_PNG;
  else if (g_ascii_strcasecmp (dot, ".svg") == 0)
    *out = IL_IMAGE_SVG;
  else if (g_ascii_strcasecmp (dot, ".pdf") == 0)
    *out = IL_IMAGE_PDF;
  else
    return FALSE;
  return TRUE;
}

const char *
il_image_format_to_string (IlImageFormat format)
{
  switch (format)
    {
    case IL_IMAGE_SVG:
      return "svg";
    case IL_IMAGE_PDF:
      return "pdf";
    case IL_IMAGE_PNG:
    default:
      return "png";
    }
}

gboolean
il_theme_from_string (const char *str, IlTheme *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_strcmp0 (str, "light") == 0)
    *out = IL_THEME_LIGHT;
  else if (g_strcmp0 (str, "dark") == 0)
    *out = IL_THEME_DARK;
  else
    return FALSE;
  return TRUE;
}

gboolean
il_view_flags_from_string (const char *str, IlViewFlags *out)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (g_strcmp0 (str, "workers") == 0)
    *out = IL_VIEW_WORKERS | IL_VIEW_STRIP;
  else if (g_strcmp0 (str, "cores") == 0)
    *out = IL_VIEW_CORES | IL_VIEW_STRIP;
  else if (g_strcmp0 (str, "both") == 0)
    *out = IL_VIEW_BOTH;
  else
    return FALSE;
  return TRUE;
}

gboolean
il_export_options_check (const IlExportOptions *options, GError **error)
{
  if (options->width < 16 || options->height < 16 || !(options->scale > 0)
      || options->width * options->scale > MAX_DEVICE_PX
      || options->height * options->scale > MAX_DEVICE_PX)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("An image of %d × %d at scale %g is not possible: each side must be at least "
                     "16 and at most %d pixels once scaled"),
                   options->width, options->height, options->scale, MAX_DEVICE_PX);
      return FALSE;
    }
  return TRUE;
}

static gboolean
cairo_ok (cairo_status_t status, const char *path, GError **error)
{
  g_autofree char *display = NULL;

  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not write “%s”: %s"), display,
               cairo_status_to_string (status));
  return FALSE;
}

cairo_status_t
il_cairo_sink_write (void *closure, const unsigned char *data, unsigned int length)
{
  IlCairoSink *sink = closure;

  if (sink->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (sink->stream, data, length, NULL, NULL, &sink->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

typedef void (*DrawFunc) (cairo_t *cr, int width, int height, gpointer data, double scale);

/* Every format goes to a temporary file in the destination's folder, renamed into place when
 * complete: a failed or interrupted export never leaves half an image. */
static gboolean
export_with (const IlExportOptions *options, IlImageFormat format, const char *path,
             DrawFunc draw, gpointer data, GError **error)
{
  g_autoptr(IlAtomicFile) file = NULL;
  IlCairoSink sink = { NULL, NULL };
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;

  if (!il_export_options_check (options, error))
    return FALSE;
  if ((file = il_atomic_file_new (path, error)) == NULL)
    return FALSE;
  sink.stream = il_atomic_file_get_stream (file);

  switch (format)
    {
    case IL_IMAGE_SVG:
      surface = cairo_svg_surface_create_for_stream (il_cairo_sink_write, &sink, options->width,
                                                     options->height);
      break;
    case IL_IMAGE_PDF:
      surface = cairo_pdf_surface_create_for_stream (il_cairo_sink_write, &sink, options->width,
                                                     options->height);
      break;
    case IL_IMAGE_PNG:
    default:
      surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24,
                                            (int) ceil (options->width * options->scale),
                                            (int) ceil (options->height * options->scale));
      break;
    }

  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      cr = cairo_create (surface);
      if (format == IL_IMAGE_PNG)
        cairo_scale (cr, options->scale, options->scale);
      /* Vectors get two columns per point: edges stay sharp when the slide is zoomed. */
      draw (cr, options->width, options->height, data,
            format == IL_IMAGE_PNG ? options->scale : 2.0);
      status = cairo_status (cr);
      cairo_destroy (cr);
    }
  if (status == CAIRO_STATUS_SUCCESS)
    {
      if (format == IL_IMAGE_PNG)
        status = cairo_surface_write_to_png_stream (surface, il_cairo_sink_write, &sink);
      else
        {
          cairo_surface_finish (surface);
          status = cairo_surface_status (surface);
        }
    }
  cairo_surface_destroy (surface);

  if (sink.error != NULL)
    {
      g_autofree char *display = g_filename_display_name (path);

      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not write “%s”: %s"), display,
                   sink.error->message);
      g_error_free (sink.error);
      return FALSE;
    }
  if (!cairo_ok (status, path, error))
    return FALSE;
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}

typedef struct
{
  GPtrArray             *runs;
  const IlExportOptions *options;
} RunsData;

static void
draw_runs (cairo_t *cr, int width, int height, gpointer data, double scale)
{
  RunsData *d = data;
  IlPaintOptions o;

  il_paint_options_init (&o);
  o.theme = d->options->theme;
  o.view = d->options->view;
  o.color_by_cpu = d->options->color_by_cpu;
  o.title = d->options->title;
  o.scale = scale;
  /* The zoom the user chose stays in the picture. */
  o.t0_ns = d->options->t0_ns;
  o.t1_ns = d->options->t1_ns;
  il_painter_draw (cr, width, height, d->runs, &o);
}

gboolean
il_export_runs (GPtrArray              *runs,
                const IlExportOptions  *options,
                IlImageFormat           format,
                const char             *path,
                GError                **error)
{
  RunsData d = { runs, options };

  g_return_val_if_fail (runs != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_with (options, format, path, draw_runs, &d, error);
}

typedef struct
{
  const IlSweep         *sweep;
  const IlExportOptions *options;
} SweepData;

static void
draw_sweep (cairo_t *cr, int width, int height, gpointer data, double scale)
{
  SweepData *d = data;
  il_painter_draw_sweep (cr, width, height, d->sweep, d->options->theme);
}

gboolean
il_export_sweep (const IlSweep          *sweep,
                 const IlExportOptions  *options,
                 IlImageFormat           format,
                 const char             *path,
                 GError                **error)
{
  SweepData d = { sweep, options };

  g_return_val_if_fail (sweep != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_with (options, format, path, draw_sweep, &d, error);
}
