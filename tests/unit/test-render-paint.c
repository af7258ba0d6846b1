/* test-render-paint.c: painter properties a user sees: highlight, themes, views, empty and live runs. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo.h>
#include <math.h>

#include "il-cpu-load.h"
#include "il-layout.h"
#include "il-palette.h"
#include "il-painter.h"
#include "../export/il-test-traces.h"

#define W 1280
#define H 720

/* The palette a reader sees (il-palette.c), written out so that a wrong colour there fails here
 * instead of being compared with itself. Light theme unless named. */
#define LIGHT_BACKGROUND 0xffffff
#define DARK_BACKGROUND  0x1d1d21
#define PANEL            0xf4f4f6
#define IN_FLIGHT        0xf2c46d
#define RUNNING          0x0072b2 /* Okabe–Ito blue: even tasks, CPU 0, worker 0 */
#define RUNNING_ODD      0x4799c8 /* the same 28 % toward white: odd tasks */
#define GIL_WAIT         0xea883b
#define CPU_1            0x009e73
#define OTHER_PROGRAMS   0x5d5d6b

static cairo_surface_t *
draw (GPtrArray *runs, const IlPaintOptions *o)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (surface);

  il_painter_draw (cr, W, H, runs, o);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

static guint32
pixel (cairo_surface_t *s, int x, int y)
{
  guint8 *data = cairo_image_surface_get_data (s);
  return *(guint32 *) (data + y * cairo_image_surface_get_stride (s) + 4 * x) & 0xffffff;
}

/* Clicking a task highlights it: pixels change only in the lanes of that run, only where that
 * task ran, and in its worker's lane as well as in the core lanes. */
static void
test_highlight (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  IlRunTrace *procs = g_ptr_array_index (runs, 1);
  IlTaskRecord *task = il_run_trace_get_task (procs, 2);
  IlPaintOptions o;
  g_autoptr(IlLayout) l = NULL;
  cairo_surface_t *plain, *lit;
  double x_lo, x_hi;
  gboolean in_worker = FALSE, in_core = FALSE;
  guint changed = 0;

  il_paint_options_init (&o);
  l = il_layout_new (W, H, runs, &o);
  plain = draw (runs, &o);
  o.highlight_run = 1;
  o.highlight_task = 2;
  lit = draw (runs, &o);

  g_assert_cmpint (task->worker, ==, 2);
  x_lo = il_time_scale_to_x (&l->scale, 30000000) - 4;
  x_hi = il_time_scale_to_x (&l->scale, (double) task->end_ns) + 4;

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (pixel (plain, x, y) != pixel (lit, x, y))
        {
          const IlLayoutRow *row = il_layout_row_at (l, y);
          changed++;
          g_assert_nonnull (row);
          g_assert_cmpuint (row->run, ==, 1);
          g_assert_cmpint (row->kind, !=, IL_ROW_STRIP);
          if (row->kind == IL_ROW_WORKER)
            {
              g_assert_cmpint (row->index, ==, 2);
              in_worker = TRUE;
            }
          else
            in_core = TRUE;
          g_assert_cmpfloat (x, >=, x_lo);
          g_assert_cmpfloat (x, <=, x_hi);
        }
  g_assert_cmpuint (changed, >, 100);
  g_assert_true (in_worker);
  g_assert_true (in_core);

  cairo_surface_destroy (plain);
  cairo_surface_destroy (lit);
}

static void
test_themes (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  IlPaintOptions o;
  cairo_surface_t *light, *dark;

  il_paint_options_init (&o);
  light = draw (runs, &o);
  o.theme = IL_THEME_DARK;
  dark = draw (runs, &o);

  g_assert_cmphex (pixel (light, 2, 2), ==, LIGHT_BACKGROUND);
  g_assert_cmphex (pixel (dark, 2, 2), ==, DARK_BACKGROUND);
  /* Dark is dark, light is light, over the whole picture. */
  {
    double sum_l = 0, sum_d = 0;
    for (int y = 0; y < H; y += 3)
      for (int x = 0; x < W; x += 3)
        {
          guint32 a = pixel (light, x, y), b = pixel (dark, x, y);
          sum_l += ((a >> 16) & 0xff) + ((a >> 8) & 0xff) + (a & 0xff);
          sum_d += ((b >> 16) & 0xff) + ((b >> 8) & 0xff) + (b & 0xff);
        }
    g_assert_cmpfloat (sum_l, >, 2 * sum_d);
  }
  cairo_surface_destroy (light);
  cairo_surface_destroy (dark);
}

/* A running span's colour: by task (two shades alternate) or by the CPU it ran on. */
static void
test_running_colors (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_autoptr(IlRunTrace) run = il_run_trace_new (NULL);
  IlSpan spans[] = {
    { 0, 100000000, 0, IL_STATE_RUNNING, 0, 1 },
    { 100000000, 200000000, 1, IL_STATE_RUNNING, 0, 0 },
    { 200000000, 300000000, 1, IL_STATE_GIL_WAIT, 0, -1 },
  };
  g_autoptr(IlLayout) l = NULL;
  IlPaintOptions o;
  cairo_surface_t *s;
  int y;

  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_set_n_cpus (run, 2);
  il_run_trace_append_many (run, spans, G_N_ELEMENTS (spans));
  g_ptr_array_add (runs, il_run_trace_ref (run));

  il_paint_options_init (&o);
  l = il_layout_new (W, H, runs, &o);
  y = (int) (g_array_index (l->rows, IlLayoutRow, 0).y + 3);

#define X_AT(t) ((int) il_time_scale_to_x (&l->scale, (t)))
  s = draw (runs, &o);
  g_assert_cmphex (pixel (s, X_AT (10e6), y), ==, RUNNING);
  g_assert_cmphex (pixel (s, X_AT (110e6), y), ==, RUNNING_ODD);
  g_assert_cmphex (pixel (s, X_AT (210e6), y), ==, GIL_WAIT);
  cairo_surface_destroy (s);

  o.color_by_cpu = TRUE;
  s = draw (runs, &o);
  g_assert_cmphex (pixel (s, X_AT (10e6), y), ==, CPU_1);
  g_assert_cmphex (pixel (s, X_AT (110e6), y), ==, RUNNING);
  cairo_surface_destroy (s);

  /* Core lane 1 holds worker 0's colour in the first 100 ms, and nothing after. */
  {
    const IlLayoutRow *core1 = &g_array_index (l->rows, IlLayoutRow, 2);
    int yc = (int) (core1->y + 3);
    g_assert_cmpint (core1->kind, ==, IL_ROW_CORE);
    g_assert_cmpint (core1->index, ==, 1);
    s = draw (runs, &o);
    g_assert_cmphex (pixel (s, X_AT (10e6), yc), ==, RUNNING);
    g_assert_cmphex (pixel (s, X_AT (150e6), yc), ==, PANEL);
    cairo_surface_destroy (s);
  }
#undef X_AT
}

/* Other programs held core 1 for the whole run while the worker ran on core 0 for its first half:
 * core 1 is drawn as taken by other programs, never idle; core 0 shows the worker in its first
 * half and, in its second, other programs in the top half (50 % of the core) over idle. */
static void
test_other_programs (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_autoptr(IlRunTrace) run = il_run_trace_new (NULL);
  IlSpan spans[] = {
    { 0, 200000000, 0, IL_STATE_RUNNING, 0, 0 },
    { 200000000, 400000000, 0, IL_STATE_READY, 0, -1 },
  };
  IlCpuLoad *load = il_cpu_load_new (IL_CPU_LOAD_INTERVAL_NS);
  g_autoptr(IlLayout) l = NULL;
  const IlLayoutRow *core0 = NULL, *core1 = NULL;
  IlPaintOptions o;
  cairo_surface_t *s;
  guint other_px = 0, n = 0;

  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_set_n_cpus (run, 2);
  il_run_trace_append_many (run, spans, G_N_ELEMENTS (spans));
  for (gint64 t = 0; t < 400000000; t += IL_CPU_LOAD_INTERVAL_NS)
    {
      IlCpuLoadRow busy = { t, t + IL_CPU_LOAD_INTERVAL_NS, IL_CPU_LOAD_INTERVAL_NS, 0 };
      IlCpuLoadRow half = { t, t + IL_CPU_LOAD_INTERVAL_NS, t < 200000000 ? 0 : IL_CPU_LOAD_INTERVAL_NS / 2, 0 };
      g_assert_true (il_cpu_load_append (load, 1, &busy));
      g_assert_true (il_cpu_load_append (load, 0, &half));
    }
  il_run_trace_set_cpu_load (run, load);
  il_run_trace_compute_summary (run);
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (run)->other_share, 0.625, 1e-9);
  /* Its worker waited ready while others held its CPUs: disturbed. */
  g_assert_true (il_run_trace_is_disturbed (run));
  g_ptr_array_add (runs, il_run_trace_ref (run));

  il_paint_options_init (&o);
  l = il_layout_new (W, H, runs, &o);
  for (guint i = 0; i < l->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (l->rows, IlLayoutRow, i);
      if (row->kind == IL_ROW_CORE && row->index == 0)
        core0 = row;
      if (row->kind == IL_ROW_CORE && row->index == 1)
        core1 = row;
    }
  g_assert_nonnull (core0);
  g_assert_nonnull (core1);

#define X_AT(t) ((int) il_time_scale_to_x (&l->scale, (t)))
  s = draw (runs, &o);
  for (gint64 t = 5000000; t < 400000000; t += 5000000, n++)
    other_px += pixel (s, X_AT (t), (int) (core1->y + core1->h / 2)) == OTHER_PROGRAMS;
  g_assert_cmpuint (other_px, ==, n);
  g_assert_cmphex (pixel (s, X_AT (20e6), (int) (core0->y + core0->h * 0.9)), ==,
                   RUNNING);
  g_assert_cmphex (pixel (s, X_AT (300e6), (int) (core0->y + core0->h * 0.25)), ==,
                   OTHER_PROGRAMS);
  g_assert_cmphex (pixel (s, X_AT (300e6), (int) (core0->y + core0->h * 0.75)), ==,
                   PANEL);
  cairo_surface_destroy (s);
#undef X_AT
}

static void
test_empty_and_live (void)
{
  g_autoptr(GPtrArray) none = g_ptr_array_new ();
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  IlRunTrace *live = il_run_trace_new (NULL);
  IlPaintOptions o;
  IlPaintHit hit;

  il_paint_options_init (&o);
  cairo_surface_destroy (draw (none, &o));
  g_assert_false (il_painter_hit_test (W, H, none, &o, W / 2.0, H / 2.0, &hit));

  /* A run that has just started: workers, no spans yet; then one span. */
  il_run_trace_set_live (live, TRUE);
  il_run_trace_add_worker (live, IL_WORKER_PROCESS, 0, 0, NULL);
  il_run_trace_add_worker (live, IL_WORKER_PROCESS, 0, 0, NULL);
  g_ptr_array_add (runs, live);
  cairo_surface_destroy (draw (runs, &o));
  {
    IlSpan s = { 0, 1000, -1, IL_STATE_STARTUP, 1, -1 };
    il_run_trace_append (live, &s);
  }
  cairo_surface_destroy (draw (runs, &o));

  /* Views: each alone draws. */
  o.view = IL_VIEW_STRIP;
  cairo_surface_destroy (draw (runs, &o));
  o.view = IL_VIEW_CORES;
  o.show_header = FALSE;
  o.show_legend = FALSE;
  cairo_surface_destroy (draw (runs, &o));
}

/* The GTK widget draws through gtk_snapshot_append_cairo(): into a recording surface replayed
 * later. Lane pixels written into one reused buffer must still come out right there. */
static void
test_recording_surface (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  cairo_rectangle_t extents = { 0, 0, W, H };
  cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, &extents);
  cairo_surface_t *direct, *replayed;
  IlPaintOptions o;
  cairo_t *cr;
  guint differ = 0;

  il_paint_options_init (&o);
  direct = draw (runs, &o);

  cr = cairo_create (recording);
  il_painter_draw (cr, W, H, runs, &o);
  cairo_destroy (cr);

  replayed = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cr = cairo_create (replayed);
  cairo_set_source_surface (cr, recording, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  cairo_surface_flush (replayed);

  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      differ += pixel (direct, x, y) != pixel (replayed, x, y);
  g_assert_cmpuint (differ, ==, 0);

  cairo_surface_destroy (recording);
  cairo_surface_destroy (direct);
  cairo_surface_destroy (replayed);
}

/* Pixels of @rgb in the legend's band (under the axis). */
static guint
count_in_legend (cairo_surface_t *s, const IlLayout *l, guint32 want)
{
  guint n = 0;

  for (int y = (int) l->legend_y; y < (int) (l->legend_y + l->legend_h) && y < H; y++)
    for (int x = 0; x < W; x++)
      n += pixel (s, x, y) == want;
  return n;
}

/* Every view combination explains the colours it draws: the strip alone still shows a swatch for
 * its running part, which the worker lanes otherwise explain. */
static void
test_legend_views (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  static const IlViewFlags views[] = {
    IL_VIEW_STRIP, IL_VIEW_WORKERS, IL_VIEW_CORES | IL_VIEW_STRIP, IL_VIEW_BOTH,
  };

  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      IlPaintOptions o;
      g_autoptr(IlLayout) l = NULL;
      cairo_surface_t *s;

      il_paint_options_init (&o);
      o.view = views[v];
      l = il_layout_new (W, H, runs, &o);
      s = draw (runs, &o);
      g_test_message ("view %d", (int) views[v]);
      if (views[v] & IL_VIEW_STRIP)
        {
          g_assert_cmpuint (count_in_legend (s, l, IN_FLIGHT), >, 20);
          g_assert_cmpuint (count_in_legend (s, l, RUNNING), >, 20);
        }
      if (views[v] & IL_VIEW_WORKERS)
        g_assert_cmpuint (count_in_legend (s, l, GIL_WAIT), >, 20);
      cairo_surface_destroy (s);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/paint/highlight", test_highlight);
  g_test_add_func ("/render/paint/legend-views", test_legend_views);
  g_test_add_func ("/render/paint/themes", test_themes);
  g_test_add_func ("/render/paint/running-colors", test_running_colors);
  g_test_add_func ("/render/paint/other-programs", test_other_programs);
  g_test_add_func ("/render/paint/empty-and-live", test_empty_and_live);
  g_test_add_func ("/render/paint/recording-surface", test_recording_surface);

  return g_test_run ();
}
