/* fuzz-render.c: libFuzzer harness for drawing: any trace that loads (native or Chrome) draws at any size, zoom, view and theme, and hit-tests, without a crash or a critical. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo.h>
#include <string.h>

#include "il-fuzz.h"
#include "il-painter.h"
#include "il-trace-io.h"

/* The first 8 bytes choose how to draw; the rest is the trace. Sizes stay small enough that one
 * input draws in milliseconds unless the drawing itself scales with what is not visible (lanes
 * off-screen, CPUs of a huge machine), which is what this harness is here to find. */
int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  IlPaintOptions o;
  IlPaintHit hit;
  int width, height;
  gint64 t0, t1;

  il_fuzz_init ();
  if (size < 8)
    return 0;
  trace = il_trace_load_from_data ((const char *) data + 8, size - 8, "fuzz.json", &error);
  if (trace == NULL)
    return 0;

  runs = g_ptr_array_new ();
  for (guint r = 0; r < il_trace_get_n_runs (trace); r++)
    g_ptr_array_add (runs, il_trace_get_run (trace, r));

  width = 64 + data[0] * 6;           /* 64 … 1594 */
  height = 48 + data[1] * 4;          /* 48 … 1068 */
  il_paint_options_init (&o);
  o.view = (IlViewFlags) (1 + data[2] % 7);
  o.theme = data[2] & 0x80 ? IL_THEME_DARK : IL_THEME_LIGHT;
  o.color_by_cpu = (data[2] & 0x40) != 0;
  o.exact = (data[2] & 0x20) != 0;
  o.show_header = (data[3] & 1) == 0;
  o.show_legend = (data[3] & 2) == 0;
  o.scale = data[3] & 4 ? 2.0 : 1.0;
  o.highlight_run = data[3] & 8 ? 0 : -1;
  o.highlight_task = data[3] & 8 ? data[4] : -1;
  /* A zoom window anywhere, from the whole run to a few nanoseconds, or past its end. */
  il_paint_options_get_time_range (&o, runs, &t0, &t1);
  if (data[5] != 0 && t1 > t0)
    {
      gint64 len = MAX ((t1 - t0) >> (data[5] % 40), 1);
      gint64 at = t0 + (gint64) ((double) (t1 - t0) * data[6] / 128.0);

      o.t0_ns = at;
      o.t1_ns = at + len;
    }

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) (width * o.scale),
                                        (int) (height * o.scale));
  cairo_surface_set_device_scale (surface, o.scale, o.scale);
  cr = cairo_create (surface);
  il_painter_draw (cr, width, height, runs, &o);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  for (int i = 0; i < 2; i++)
    il_painter_hit_test (width, height, runs, &o, (i * 37 + data[7]) % width,
                         (i * 53 + data[7]) % height, &hit);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
