/* bench-render.c: painter figures on a 10 M-span, 16-worker synthetic trace (prints `name: value`). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <glib/gstdio.h>
#include <stdio.h>

#include "il-export.h"

#include "il-layout.h"
#include "il-lod.h"
#include "il-painter.h"
#include "../export/il-test-traces.h"

#define N_WORKERS 16
#define SPANS_PER_LANE 625000   /* × 16 = 10 M */
#define N_FRAMES 7

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Median wall time of N_FRAMES frames: one frame is what a live view pays per redraw. */
static double
frame_ms (cairo_t *cr, GPtrArray *runs, const IlPaintOptions *o)
{
  double ms[N_FRAMES];

  for (guint i = 0; i < N_FRAMES; i++)
    {
      gint64 t0 = g_get_monotonic_time ();
      il_painter_draw (cr, 1920, 1080, runs, o);
      cairo_surface_flush (cairo_get_target (cr));
      ms[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  qsort (ms, N_FRAMES, sizeof (double), cmp_double);
  return ms[N_FRAMES / 2];
}

int
main (int argc, char *argv[])
{
  g_autoptr(IlRunTrace) run = NULL;
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1920, 1080);
  cairo_t *cr = cairo_create (surface);
  IlPaintOptions o;
  IlLodRun *lod;
  gint64 t0, end;
  guint64 n_spans;
  double summary_ms;

  t0 = g_get_monotonic_time ();
  run = il_test_trace_dense (N_WORKERS, SPANS_PER_LANE, 4, 42);
  n_spans = il_run_trace_get_n_spans (run);
  end = il_run_trace_get_end_ns (run);
  printf ("trace_spans: %" G_GUINT64_FORMAT "\n", n_spans);
  printf ("trace_generate_ms: %.1f\n", (g_get_monotonic_time () - t0) / 1000.0);
  g_ptr_array_add (runs, run);

  t0 = g_get_monotonic_time ();
  lod = il_lod_run_ensure (run);
  summary_ms = (g_get_monotonic_time () - t0) / 1000.0;
  printf ("summary_build_ms_10m: %.1f\n", summary_ms);

  printf ("bytes_per_span: %.2f\n",
          (double) (il_run_trace_get_span_bytes (run) + il_lod_run_get_bytes (lod)) / n_spans);
  printf ("summary_bytes_per_span: %.2f\n", (double) il_lod_run_get_bytes (lod) / n_spans);

  il_paint_options_init (&o);
  printf ("frame_ms_10m_full: %.2f\n", frame_ms (cr, runs, &o));

  o.t0_ns = end / 2;
  o.t1_ns = end / 2 + end / 100;
  printf ("frame_ms_10m_mid: %.2f\n", frame_ms (cr, runs, &o));

  o.t0_ns = end / 2;
  o.t1_ns = end / 2 + end / 10000;
  printf ("frame_ms_10m_deep: %.2f\n", frame_ms (cr, runs, &o));

  /* A live run: append 1000 spans per lane, then draw (the summaries fold in only the new ones). */
  {
    IlSpan span = { 0 };
    gint64 t1;
    il_run_trace_set_live (run, TRUE);
    t1 = g_get_monotonic_time ();
    for (guint w = 0; w < N_WORKERS; w++)
      {
        gint64 at = il_lane_get_span (il_run_trace_get_lane (run, w),
                                      il_lane_get_n_spans (il_run_trace_get_lane (run, w)) - 1)->end_ns;
        for (guint i = 0; i < 1000; i++)
          {
            span.start_ns = at;
            span.end_ns = at + 5000;
            span.worker = (guint16) w;
            span.state = i % 2 ? IL_STATE_RUNNING : IL_STATE_READY;
            span.cpu = i % 2 ? 1 : -1;
            span.task = 7;
            il_run_trace_append (run, &span);
            at = span.end_ns;
          }
      }
    il_paint_options_init (&o);
    il_painter_draw (cr, 1920, 1080, runs, &o);
    printf ("live_append_16k_and_frame_ms: %.2f\n", (g_get_monotonic_time () - t1) / 1000.0);
  }

  /* Slide exports of the whole 10 M-span trace: a 3840×2160 PNG and a vector SVG. */
  {
    g_autofree char *png = g_build_filename (g_get_tmp_dir (), "bench-render.png", NULL);
    g_autofree char *svg = g_build_filename (g_get_tmp_dir (), "bench-render.svg", NULL);
    IlExportOptions options;
    GStatBuf st;
    gint64 t1;

    il_run_trace_set_live (run, FALSE);
    il_export_options_init (&options);
    options.scale = 2;
    t1 = g_get_monotonic_time ();
    if (!il_export_runs (runs, &options, IL_IMAGE_PNG, png, NULL))
      g_error ("PNG export failed");
    printf ("export_png_ms_10m_3840x2160: %.1f\n", (g_get_monotonic_time () - t1) / 1000.0);
    options.scale = 1;
    t1 = g_get_monotonic_time ();
    if (!il_export_runs (runs, &options, IL_IMAGE_SVG, svg, NULL))
      g_error ("SVG export failed");
    printf ("export_svg_ms_10m: %.1f\n", (g_get_monotonic_time () - t1) / 1000.0);
    if (g_stat (svg, &st) == 0)
      printf ("export_svg_kb_10m: %.0f\n", st.st_size / 1024.0);
    g_unlink (png);
    g_unlink (svg);
  }

  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return 0;
}
