/* test-export.c: reference-image tests of the painter, plus checks that SVG and PDF are real vectors. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "il-export.h"
#include "il-layout.h"
#include "il-palette.h"
#include "il-run.h"
#include "il-painter.h"
#include "il-sweep.h"
#include "il-test-traces.h"

/* A pixel differs when a channel is off by more than this (antialiasing noise stays below it). */
#define CHANNEL_TOLERANCE 40
/* A picture matches when at most this share of its pixels differ. */
#define MAX_DIFF_FRACTION 0.004

static GPtrArray *
gil_vs_processes (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  g_ptr_array_add (runs, il_test_trace_schedule ("4 threads + GIL", IL_EXECUTOR_THREADS, TRUE, 4, 2, 8,
                                                 100000000, 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("4 processes", IL_EXECUTOR_PROCESSES, FALSE, 4, 2, 8,
                                                 100000000, 5000000, 30000000));
  return runs;
}

static GPtrArray *
one_vs_two_cores (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  g_ptr_array_add (runs, il_test_trace_schedule ("2 threads on one core", IL_EXECUTOR_THREADS, FALSE, 2,
                                                 1, 4, 100000000, 4000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("2 threads on two cores", IL_EXECUTOR_THREADS, FALSE, 2,
                                                 2, 4, 100000000, 4000000, 0));
  return runs;
}

static GPtrArray *
dense (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_ptr_array_add (runs, il_test_trace_dense (6, 20000, 2, 7));
  return runs;
}

static IlSweep *
sample_sweep (void)
{
  IlSweep *sweep = il_sweep_new ();
  static const guint counts[] = { 1, 2, 4, 8 };
  static const gint64 threads_ns[] = { 800, 420, 400, 405 };
  static const gint64 gil_ns[] = { 800, 810, 815, 830 };
  static const gint64 procs_ns[] = { 830, 440, 430, 445 };
  const gint64 *walls[] = { threads_ns, gil_ns, procs_ns };
  const char *labels[] = { "threads", "threads + GIL", "processes" };

  sweep->baseline_ns = 800000000;
  sweep->title = g_strdup ("CPU work, 8 × 100 ms, 2 cores");
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    g_array_append_val (sweep->worker_counts, counts[i]);
  for (guint k = 0; k < 3; k++)
    {
      IlSweepSeries *series = g_new0 (IlSweepSeries, 1);
      series->label = g_strdup (labels[k]);
      series->config = il_run_config_new ();
      /* Two cores, whatever machine draws the reference. */
      series->config->cpus = g_array_new (FALSE, FALSE, sizeof (int));
      for (int cpu = 0; cpu < 2; cpu++)
        g_array_append_val (series->config->cpus, cpu);
      series->wall_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
        {
          gint64 v = walls[k][i] * 1000000;
          g_array_append_val (series->wall_ns, v);
        }
      g_ptr_array_add (sweep->series, series);
      series->serial_fraction = il_sweep_fit_amdahl (sweep, series);
    }
  return sweep;
}

static char *
out_path (const char *name)
{
  g_mkdir_with_parents (IL_EXPORT_OUTDIR, 0755);
  return g_build_filename (IL_EXPORT_OUTDIR, name, NULL);
}

/* Compares two PNGs; on mismatch leaves the actual image and a diff image (differing pixels red
 * over a faded copy) next to each other in the build folder. */
static void
assert_matches_reference (const char *actual_path, const char *name)
{
  g_autofree char *ref_path = g_build_filename (IL_EXPORT_REFDIR, name, NULL);
  cairo_surface_t *actual = cairo_image_surface_create_from_png (actual_path);
  cairo_surface_t *ref;
  int w, h, sa, sr;
  guint64 differ = 0;
  double fraction;

  if (g_getenv ("IL_UPDATE_REFERENCES") != NULL)
    {
      g_autofree char *contents = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (actual_path, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (ref_path, contents, len, NULL));
      g_test_message ("updated %s", ref_path);
    }

  ref = cairo_image_surface_create_from_png (ref_path);
  g_assert_cmpint (cairo_surface_status (actual), ==, CAIRO_STATUS_SUCCESS);
  if (cairo_surface_status (ref) != CAIRO_STATUS_SUCCESS)
    g_error ("reference image %s is missing (IL_UPDATE_REFERENCES=1 writes it)", ref_path);

  w = cairo_image_surface_get_width (actual);
  h = cairo_image_surface_get_height (actual);
  g_assert_cmpint (w, ==, cairo_image_surface_get_width (ref));
  g_assert_cmpint (h, ==, cairo_image_surface_get_height (ref));

  cairo_surface_flush (actual);
  cairo_surface_flush (ref);
  sa = cairo_image_surface_get_stride (actual);
  sr = cairo_image_surface_get_stride (ref);
  {
    cairo_surface_t *diff = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
    guint8 *da = cairo_image_surface_get_data (actual);
    guint8 *dr = cairo_image_surface_get_data (ref);
    guint8 *dd = cairo_image_surface_get_data (diff);
    int sd = cairo_image_surface_get_stride (diff);

    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        {
          guint32 a = *(guint32 *) (da + y * sa + 4 * x);
          guint32 r = *(guint32 *) (dr + y * sr + 4 * x);
          gboolean bad = FALSE;
          guint32 *out = (guint32 *) (dd + y * sd + 4 * x);

          for (int c = 0; c < 24; c += 8)
            if (ABS ((int) ((a >> c) & 0xff) - (int) ((r >> c) & 0xff)) > CHANNEL_TOLERANCE)
              bad = TRUE;
          if (bad)
            {
              differ++;
              *out = 0xff0000;
            }
          else
            {
              guint g = ((((r >> 16) & 0xff) + ((r >> 8) & 0xff) + (r & 0xff)) / 3) / 4 + 191;
              *out = g << 16 | g << 8 | g;
            }
        }
    cairo_surface_mark_dirty (diff);

    fraction = (double) differ / ((double) w * h);
    g_test_message ("%s: %" G_GUINT64_FORMAT " of %d pixels differ (%.4f%%)", name, differ, w * h,
                    fraction * 100);
    if (fraction > MAX_DIFF_FRACTION)
      {
        g_autofree char *diff_name = g_strconcat ("diff-", name, NULL);
        g_autofree char *diff_path = out_path (diff_name);
        cairo_surface_write_to_png (diff, diff_path);
        g_test_message ("actual: %s, diff: %s", actual_path, diff_path);
      }
    cairo_surface_destroy (diff);
  }

  cairo_surface_destroy (actual);
  cairo_surface_destroy (ref);
  g_assert_cmpfloat (fraction, <=, MAX_DIFF_FRACTION);
}

static void
export_and_compare (GPtrArray *runs, const char *name, IlTheme theme, IlViewFlags view, gboolean by_cpu)
{
  IlExportOptions options;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strconcat (name, ".png", NULL);
  g_autofree char *path = out_path (file);
  const char *preview = g_getenv ("IL_EXPORT_PREVIEW");

  il_export_options_init (&options);
  options.width = 960;
  options.height = 540;
  options.theme = theme;
  options.view = view;
  options.color_by_cpu = by_cpu;
  g_assert_true (il_export_runs (runs, &options, IL_IMAGE_PNG, path, &error));
  g_assert_no_error (error);

  /* IL_EXPORT_PREVIEW=DIR: also the slide-size picture, for looking at by eye. */
  if (preview != NULL)
    {
      g_autofree char *big = g_build_filename (preview, file, NULL);
      options.width = 1920;
      options.height = 1080;
      g_assert_true (il_export_runs (runs, &options, IL_IMAGE_PNG, big, &error));
    }

  assert_matches_reference (path, file);
}

static void
test_gil_vs_processes_light (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  export_and_compare (runs, "gil-vs-processes-light", IL_THEME_LIGHT, IL_VIEW_BOTH, FALSE);
}

static void
test_gil_vs_processes_dark (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  export_and_compare (runs, "gil-vs-processes-dark", IL_THEME_DARK, IL_VIEW_BOTH, FALSE);
}

static void
test_one_vs_two_cores (void)
{
  g_autoptr(GPtrArray) runs = one_vs_two_cores ();
  export_and_compare (runs, "one-vs-two-cores-light", IL_THEME_LIGHT, IL_VIEW_BOTH, TRUE);
}

static void
test_workers_only (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  export_and_compare (runs, "workers-only-light", IL_THEME_LIGHT, IL_VIEW_WORKERS | IL_VIEW_STRIP, FALSE);
}

static void
test_dense (void)
{
  g_autoptr(GPtrArray) runs = dense ();
  export_and_compare (runs, "dense-dark", IL_THEME_DARK, IL_VIEW_BOTH, FALSE);
}

static void
test_sweep (void)
{
  g_autoptr(IlSweep) sweep = sample_sweep ();
  IlExportOptions options;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = out_path ("sweep-light.png");
  const char *preview = g_getenv ("IL_EXPORT_PREVIEW");

  il_export_options_init (&options);
  options.width = 960;
  options.height = 540;
  g_assert_true (il_export_sweep (sweep, &options, IL_IMAGE_PNG, path, &error));
  g_assert_no_error (error);
  if (preview != NULL)
    {
      g_autofree char *big = g_build_filename (preview, "sweep-light.png", NULL);
      options.width = 1920;
      options.height = 1080;
      g_assert_true (il_export_sweep (sweep, &options, IL_IMAGE_PNG, big, &error));
    }
  assert_matches_reference (path, "sweep-light.png");
}

/* A sweep with a failed point and a series without a fit still draws, as vectors too. */
static void
test_sweep_gaps (void)
{
  g_autoptr(IlSweep) sweep = sample_sweep ();
  IlSweepSeries *series = g_ptr_array_index (sweep->series, 1);
  g_autofree char *svg = out_path ("sweep-gaps.svg");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  IlExportOptions options;

  g_array_index (series->wall_ns, gint64, 2) = -1;
  series->serial_fraction = NAN;
  g_assert_true (isnan (il_sweep_get_speedup (sweep, series, 2)));

  il_export_options_init (&options);
  g_assert_true (il_export_sweep (sweep, &options, IL_IMAGE_SVG, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, NULL, NULL));
  g_assert_null (strstr (contents, "<image"));
  g_unlink (svg);

  /* No worker counts at all: a message, not a crash. */
  g_array_set_size (sweep->worker_counts, 0);
  g_assert_true (il_export_sweep (sweep, &options, IL_IMAGE_SVG, svg, &error));
  g_unlink (svg);
}

/* 1920×1080 at scale 2 is a 3840×2160 PNG. */
static void
test_png_scale (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  g_autofree char *path = out_path ("scale2.png");
  g_autoptr(GError) error = NULL;
  IlExportOptions options;
  cairo_surface_t *png;

  il_export_options_init (&options);
  options.scale = 2;
  g_assert_true (il_export_runs (runs, &options, IL_IMAGE_PNG, path, &error));
  g_assert_no_error (error);
  png = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (png), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (png), ==, 3840);
  g_assert_cmpint (cairo_image_surface_get_height (png), ==, 2160);
  cairo_surface_destroy (png);
  g_unlink (path);
}

static void
test_vectors (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  g_autoptr(GPtrArray) dense_runs = dense ();
  g_autofree char *svg = out_path ("vector.svg");
  g_autofree char *pdf = out_path ("vector.pdf");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  IlExportOptions options;
  gsize len;

  il_export_options_init (&options);

  g_assert_true (il_export_runs (runs, &options, IL_IMAGE_SVG, svg, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &contents, &len, NULL));
  g_assert_true (g_str_has_prefix (contents, "<?xml"));
  g_assert_nonnull (strstr (contents, "<svg"));
  g_assert_nonnull (strstr (contents, "width=\"1920"));
  /* Vector: rectangles and glyph outlines, no embedded bitmap. */
  g_assert_null (strstr (contents, "<image"));
  g_assert_nonnull (strstr (contents, "<path"));
  g_clear_pointer (&contents, g_free);

  /* Even a trace far denser than the pixels stays vector (the level of detail draws rectangles). */
  g_assert_true (il_export_runs (dense_runs, &options, IL_IMAGE_SVG, svg, &error));
  g_assert_true (g_file_get_contents (svg, &contents, &len, NULL));
  g_assert_null (strstr (contents, "<image"));
  g_clear_pointer (&contents, g_free);

  g_assert_true (il_export_runs (dense_runs, &options, IL_IMAGE_PDF, pdf, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &contents, &len, NULL));
  g_assert_true (g_str_has_prefix (contents, "%PDF-"));
  g_assert_null (memmem (contents, len, "/Subtype /Image", 15));
  g_assert_nonnull (memmem (contents, len, "/FontFile2", 10));
  g_unlink (svg);
  g_unlink (pdf);
}

static void
test_errors (void)
{
  g_autoptr(GPtrArray) runs = gil_vs_processes ();
  g_autoptr(GError) error = NULL;
  IlExportOptions options;
  IlImageFormat format;

  il_export_options_init (&options);
  g_assert_false (il_export_runs (runs, &options, IL_IMAGE_PDF, "/nonexistent-dir/x.pdf", &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (il_export_runs (runs, &options, IL_IMAGE_PNG, "/nonexistent-dir/x.png", &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_FAILED);
  g_clear_error (&error);

  options.width = 20000;
  options.scale = 2;
  g_assert_false (il_export_runs (runs, &options, IL_IMAGE_PNG, "never.png", &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
  g_assert_false (g_file_test ("never.png", G_FILE_TEST_EXISTS));

  g_assert_true (il_image_format_from_path ("a/b.PNG", &format));
  g_assert_cmpint (format, ==, IL_IMAGE_PNG);
  g_assert_true (il_image_format_from_path ("x.svg", &format));
  g_assert_cmpint (format, ==, IL_IMAGE_SVG);
  g_assert_true (il_image_format_from_path ("x.pdf", &format));
  g_assert_cmpint (format, ==, IL_IMAGE_PDF);
  g_assert_false (il_image_format_from_path ("x.jpeg", &format));
  g_assert_false (il_image_format_from_path ("png", &format));
  g_assert_cmpstr (il_image_format_to_string (IL_IMAGE_SVG), ==, "svg");

  {
    IlTheme theme;
    IlViewFlags view;

    g_assert_true (il_theme_from_string ("dark", &theme));
    g_assert_cmpint (theme, ==, IL_THEME_DARK);
    g_assert_true (il_theme_from_string ("light", &theme));
    g_assert_cmpint (theme, ==, IL_THEME_LIGHT);
    g_assert_false (il_theme_from_string ("blue", &theme));
    g_assert_true (il_view_flags_from_string ("both", &view));
    g_assert_cmpint (view, ==, IL_VIEW_BOTH);
    g_assert_true (il_view_flags_from_string ("cores", &view));
    g_assert_true (view & IL_VIEW_CORES);
    g_assert_false (view & IL_VIEW_WORKERS);
    g_assert_true (il_view_flags_from_string ("workers", &view));
    g_assert_true (view & IL_VIEW_WORKERS);
    g_assert_false (view & IL_VIEW_CORES);
    g_assert_false (il_view_flags_from_string ("all", &view));
  }
}

static IlRunTrace *
real_run (IlExecutorKind executor, gboolean gil)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  g_autoptr(GError) error = NULL;
  IlRunTrace *run;

  config->executor = executor;
  config->gil = gil;
  config->workers = 2;
  config->workload = IL_WORKLOAD_CPU;
  config->tasks = 4;
  config->task_ms = 20;
  run = il_run_sync (config, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run);
  return run;
}

/* Real runs from the engine (not synthetic): the picture shows every worker's work where the
 * trace has it, core lanes are filled where workers ran, and a click on a running span finds it. */
static void
test_real_runs (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_autofree char *png = out_path ("real-runs.png");
  g_autofree char *svg = out_path ("real-runs.svg");
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlLayout) layout = NULL;
  const IlPalette *pal = il_palette_get (IL_THEME_LIGHT);
  IlExportOptions options;
  IlPaintOptions po;
  cairo_surface_t *image;
  gsize len;

  g_ptr_array_add (runs, real_run (IL_EXECUTOR_THREADS, TRUE));
  g_ptr_array_add (runs, real_run (IL_EXECUTOR_PROCESSES, FALSE));

  il_export_options_init (&options);
  options.width = 960;
  options.height = 540;
  g_assert_true (il_export_runs (runs, &options, IL_IMAGE_PNG, png, &error));
  g_assert_no_error (error);
  g_assert_true (il_export_runs (runs, &options, IL_IMAGE_SVG, svg, &error));
  g_assert_true (g_file_get_contents (svg, &contents, &len, NULL));
  g_assert_null (strstr (contents, "<image"));

  image = cairo_image_surface_create_from_png (png);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 960);

  il_paint_options_init (&po);
  layout = il_layout_new (960, 540, runs, &po);
  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);
      IlRunTrace *run = g_ptr_array_index (runs, row->run);
      const IlLane *lane;
      gint64 busy_ns = 0;
      int y = (int) (row->y + row->h / 2), drawn = 0, x0, x1;
      guint8 *data = cairo_image_surface_get_data (image);
      int stride = cairo_image_surface_get_stride (image);

      if (row->kind != IL_ROW_WORKER)
        continue;
      lane = il_run_trace_get_lane (run, (guint) row->index);
      g_assert_cmpuint (il_lane_get_n_spans (lane), >, 0);
      for (guint k = 0; k < il_lane_get_n_spans (lane); k++)
        if (il_lane_get_span (lane, k)->state != IL_STATE_IDLE)
          busy_ns += il_lane_get_span (lane, k)->end_ns - il_lane_get_span (lane, k)->start_ns;

      /* Between the lane's first and last span, the lane is painted (not the empty panel)
       * roughly as much as the worker was not idle. */
      x0 = (int) ceil (il_time_scale_to_x (&layout->scale, il_lane_get_span (lane, 0)->start_ns));
      x1 = (int) il_time_scale_to_x (&layout->scale,
                                     il_lane_get_span (lane, il_lane_get_n_spans (lane) - 1)->end_ns);
      for (int x = x0; x < x1; x++)
        {
          guint32 p = *(guint32 *) (data + y * stride + 4 * x) & 0xffffff;
          drawn += p != il_rgb_pack (pal->panel) && p != il_rgb_pack (pal->states[IL_STATE_IDLE]);
        }
      g_test_message ("run %u worker %d: %d of %d pixels drawn, busy %.0f%% of its extent", row->run,
                      row->index, drawn, x1 - x0,
                      100.0 * busy_ns / (il_lane_get_span (lane, il_lane_get_n_spans (lane) - 1)->end_ns
                                         - il_lane_get_span (lane, 0)->start_ns));
      g_assert_cmpint (x1 - x0, >, 10);
      g_assert_cmpint (drawn, >, (x1 - x0) / 3);

      /* A click in the middle of the lane's longest running span finds a running span. */
      {
        const IlSpan *best = NULL;
        IlPaintHit hit;
        for (guint k = 0; k < il_lane_get_n_spans (lane); k++)
          {
            const IlSpan *sp = il_lane_get_span (lane, k);
            if (sp->state == IL_STATE_RUNNING
                && (best == NULL || sp->end_ns - sp->start_ns > best->end_ns - best->start_ns))
              best = sp;
          }
        g_assert_nonnull (best);
        g_assert_true (il_painter_hit_test (960, 540, runs, &po,
                                            il_time_scale_to_x (&layout->scale, (best->start_ns + best->end_ns) / 2.0),
                                            y, &hit));
        g_assert_cmpint (hit.worker, ==, row->index);
        g_assert_cmpint (hit.span.start_ns, ==, best->start_ns);
      }
    }
  cairo_surface_destroy (image);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/export/gil-vs-processes/light", test_gil_vs_processes_light);
  g_test_add_func ("/export/gil-vs-processes/dark", test_gil_vs_processes_dark);
  g_test_add_func ("/export/one-vs-two-cores", test_one_vs_two_cores);
  g_test_add_func ("/export/workers-only", test_workers_only);
  g_test_add_func ("/export/dense", test_dense);
  g_test_add_func ("/export/sweep", test_sweep);
  g_test_add_func ("/export/sweep-gaps", test_sweep_gaps);
  g_test_add_func ("/export/png-scale", test_png_scale);
  g_test_add_func ("/export/vectors", test_vectors);
  g_test_add_func ("/export/errors", test_errors);
  g_test_add_func ("/export/real-runs", test_real_runs);

  return g_test_run ();
}
