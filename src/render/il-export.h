/* il-export.h: writing timelines and sweep curves to PNG, SVG and PDF files with the one painter. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <cairo.h>
#include <gio/gio.h>
#include "il-paint-options.h"
#include "il-trace.h"
#include "il-sweep.h"

G_BEGIN_DECLS

typedef enum
{
  IL_IMAGE_PNG,
  IL_IMAGE_SVG,
  IL_IMAGE_PDF,
} IlImageFormat;

typedef struct
{
  int          width;         /* logical size: pixels for PNG (times @scale), points for SVG/PDF */
  int          height;
  double       scale;         /* PNG device scale: 1920×1080 at 2 gives 3840×2160 */
  IlTheme      theme;
  IlViewFlags  view;
  gboolean     color_by_cpu;  /* running coloured by CPU instead of by task */
  const char  *title;         /* NULL: derived from the runs */
  gint64       t0_ns;         /* the time range drawn; t1 <= t0 (the default): the whole runs */
  gint64       t1_ns;
} IlExportOptions;

/* 1920×1080, scale 1, light, both views, running coloured by task, derived title. */
void          il_export_options_init     (IlExportOptions *options);
/* Whether an image of these options can be made (each side 16 to 32767 pixels once scaled);
 * FALSE with an IL_ERROR_INVALID error saying why. Every export checks it first. */
gboolean      il_export_options_check    (const IlExportOptions *options, GError **error);

/* From the file name's extension (.png, .svg, .pdf, any case); FALSE when unknown. */
gboolean      il_image_format_from_path  (const char *path, IlImageFormat *out);
/* "png", "svg", "pdf" */
const char   *il_image_format_to_string  (IlImageFormat format);
gboolean      il_theme_from_string       (const char *str, IlTheme *out);
/* "workers", "cores", "both" (both also shows the parallelism strip) */
gboolean      il_view_flags_from_string  (const char *str, IlViewFlags *out);

/* Draws @runs (GPtrArray of IlRunTrace*) stacked, aligned at zero on one time scale, to a file.
 * SVG and PDF are vector drawings (rectangles and glyph outlines, no embedded bitmap). cairo
 * writes an SVG's words as glyph outlines, never <text>; a PDF keeps them as searchable text. */
gboolean      il_export_runs             (GPtrArray              *runs,
                                          const IlExportOptions  *options,
                                          IlImageFormat           format,
                                          const char             *path,
                                          GError                **error);

/* The sweep drawing: speedup curve per executor vs worker count, ideal line, Amdahl fit. */
gboolean      il_export_sweep            (const IlSweep          *sweep,
                                          const IlExportOptions  *options,
                                          IlImageFormat           format,
                                          const char             *path,
                                          GError                **error);

/* Cairo writes a PNG, SVG or PDF through this into a stream (the export's and the lab report's
 * temporary file); the first error is kept for the message, since cairo itself only knows
 * "error while writing to output stream". */
typedef struct
{
  GOutputStream *stream;
  GError        *error;
} IlCairoSink;

cairo_status_t il_cairo_sink_write (void *closure, const unsigned char *data, unsigned int length);

G_END_DECLS
