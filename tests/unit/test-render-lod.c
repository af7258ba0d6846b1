/* test-render-lod.c: level of detail: summaries are small, incremental, and draw like the exact spans. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <cairo.h>
#include <math.h>
#include <string.h>

#include "il-layout.h"
#include "il-lod.h"
#include "il-painter.h"
#include "../export/il-test-traces.h"

static void
test_summary_size (void)
{
  g_autoptr(IlRunTrace) run = il_test_trace_dense (4, 100000, 2, 1);
  IlLodRun *lod = il_lod_run_ensure (run);
  const IlLodLane *lane = il_lod_run_get_lane (lod, 0);
  gsize bytes = il_lod_run_get_bytes (lod);
  guint n0, n_top;

  g_assert_nonnull (lane);
  g_assert_null (il_lod_run_get_lane (lod, 4));
  g_assert_cmpuint (il_lod_lane_get_n_levels (lane), >=, 10);
  il_lod_lane_get_level (lane, 0, &n0);
  il_lod_lane_get_level (lane, il_lod_lane_get_n_levels (lane) - 1, &n_top);
  g_assert_cmpuint (n_top, <=, 1);
  /* About one level-0 bin per four spans (between 1/8 and 1/4 with power-of-two bins). */
  g_assert_cmpuint (n0, <=, 100000 / 4 + 1);
  g_assert_cmpuint (n0, >=, 100000 / 8);
  /* The summaries stay far below the 8 bytes per span left over from the 24-byte spans. */
  g_assert_cmpfloat ((double) bytes / 400000, <=, 8.0);
  g_test_message ("summary bytes per span: %.2f", (double) bytes / 400000);

  /* Cached on the run: asking again gives the same object without work. */
  g_assert_true (il_lod_run_ensure (run) == lod);
}

/* Level bins agree with the spans: a bin's state shares sum to the bin's coverage. */
static void
test_summary_values (void)
{
  g_autoptr(IlRunTrace) run = il_run_trace_new (NULL);
  g_autoptr(IlLodLane) lod = il_lod_lane_new ();
  const IlLodBin *bins;
  gint64 w;
  guint n;

  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  /* 1 ms running on CPU 1 (task 3), 1 ms gil-wait, 2 ms running on CPU 0 (task 4). */
  {
    IlSpan spans[] = {
      { 0, 1000000, 3, IL_STATE_RUNNING, 0, 1 },
      { 1000000, 2000000, 3, IL_STATE_GIL_WAIT, 0, -1 },
      { 2000000, 4000000, 4, IL_STATE_RUNNING, 0, 0 },
    };
    il_run_trace_append_many (run, spans, 3);
  }
  il_lod_lane_update (lod, il_run_trace_get_lane (run, 0));
  w = il_lod_lane_get_bin_ns (lod);
  g_assert_cmpint (w, >, 0);
  /* Three spans over 4 ms: bins of at least 4 ms × 4 / 3. */
  g_assert_cmpint (w, >=, 4000000 * 4 / 3);

  /* The top level: one bin holding everything: 3/4 running, 1/4 gil-wait, CPU 0 and task 4 ran
   * most. */
  bins = il_lod_lane_get_level (lod, il_lod_lane_get_n_levels (lod) - 1, &n);
  g_assert_cmpuint (n, ==, 1);
  {
    double bin_w = (double) w * (1 << (il_lod_lane_get_n_levels (lod) - 1));
    g_assert_cmpfloat (fabs (bins[0].frac[IL_STATE_RUNNING] - 255 * 3e6 / bin_w), <=, 2);
    g_assert_cmpfloat (fabs (bins[0].frac[IL_STATE_GIL_WAIT] - 255 * 1e6 / bin_w), <=, 2);
  }
  g_assert_cmpuint (bins[0].cpu, ==, 0);
  g_assert_cmpuint (bins[0].task, ==, 4);
}

static void
compare_lods (const IlLodLane *a, const IlLodLane *b)
{
  g_assert_cmpint (il_lod_lane_get_bin_ns (a), ==, il_lod_lane_get_bin_ns (b));
  g_assert_cmpuint (il_lod_lane_get_n_levels (a), ==, il_lod_lane_get_n_levels (b));
  for (guint k = 0; k < il_lod_lane_get_n_levels (a); k++)
    {
      guint na, nb;
      const IlLodBin *ba = il_lod_lane_get_level (a, k, &na);
      const IlLodBin *bb = il_lod_lane_get_level (b, k, &nb);
      g_assert_cmpuint (na, ==, nb);
      g_assert_cmpmem (ba, na * sizeof (IlLodBin), bb, nb * sizeof (IlLodBin));
    }
}

/* Appending spans in many small batches (a live run) gives the same summary as one pass. */
static void
test_incremental (void)
{
  g_autoptr(IlRunTrace) full = il_test_trace_dense (1, 60000, 2, 3);
  const IlLane *lane = il_run_trace_get_lane (full, 0);
  g_autoptr(IlRunTrace) live = il_run_trace_new (NULL);
  g_autoptr(IlLodLane) once = il_lod_lane_new ();
  IlLodRun *lod;
  guint64 gen = 0;
  guint n = il_lane_get_n_spans (lane);
  guint done = 0, batch = 1;

  il_run_trace_add_worker (live, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_set_live (live, TRUE);
  lod = il_lod_run_ensure (live);
  while (done < n)
    {
      guint m = MIN (batch, n - done);
      for (guint i = 0; i < m; i++)
        il_run_trace_append (live, il_lane_get_span (lane, done + i));
      done += m;
      gen = il_run_trace_get_generation (live);
      g_assert_true (il_lod_run_ensure (live) == lod);
      /* Batches grow like a live run's drains: a few spans, then thousands. */
      batch = MIN (batch * 2 + 1, 5000);
    }
  g_assert_cmpuint (gen, ==, il_run_trace_get_generation (live));

  il_lod_lane_update (once, lane);
  compare_lods (il_lod_run_get_lane (lod, 0), once);
}

/* Column reduction: from the summary vs from every span, the state times agree closely. */
static void
test_columns_match_exact (void)
{
  g_autoptr(IlRunTrace) run = il_test_trace_dense (1, 200000, 2, 5);
  const IlLane *lane = il_run_trace_get_lane (run, 0);
  g_autoptr(IlLodLane) lod = il_lod_lane_new ();
  const guint n_cols = 1500;
  g_autofree IlColumn *fast = g_new (IlColumn, n_cols);
  g_autofree IlColumn *exact = g_new (IlColumn, n_cols);
  gint64 end = il_run_trace_get_end_ns (run);
  double windows[][2] = { { 0, (double) end }, { end * 0.3, end * 0.31 }, { end * 0.5, end * 0.6 } };

  il_lod_lane_update (lod, lane);
  for (guint wi = 0; wi < G_N_ELEMENTS (windows); wi++)
    {
      double p = (windows[wi][1] - windows[wi][0]) / n_cols;
      guint agree = 0, decided = 0;
      double worst = 0;

      il_lod_lane_columns (lod, lane, windows[wi][0], p, n_cols, 8, fast, NULL, 0);
      il_lod_lane_columns (NULL, lane, windows[wi][0], p, n_cols, G_MAXUINT, exact, NULL, 0);
      for (guint c = 0; c < n_cols; c++)
        {
          guint df = 0, de = 0;
          double second = 0;
          for (guint s = 0; s < IL_N_STATES; s++)
            {
              worst = MAX (worst, fabs (fast[c].ns[s] - exact[c].ns[s]) / p);
              if (fast[c].ns[s] > fast[c].ns[df])
                df = s;
              if (exact[c].ns[s] > exact[c].ns[de])
                de = s;
            }
          /* Few spans: counted exactly; many: a lower bound that still says "many". */
          if (exact[c].n_spans <= 8)
            g_assert_cmpuint (fast[c].n_spans, ==, exact[c].n_spans);
          else
            g_assert_cmpuint (fast[c].n_spans, >, 8);
          for (guint s = 0; s < IL_N_STATES; s++)
            if (s != de)
              second = MAX (second, exact[c].ns[s]);
          /* Where the exact answer is clear (a 10 % margin), the summary must find it. */
          if (exact[c].ns[de] - second > 0.1 * p)
            {
              decided++;
              agree += df == de;
            }
        }
      g_test_message ("window %u: worst state-time error %.3f of a column, dominant state agrees "
                      "in %u of %u clear columns", wi, worst, agree, decided);
      /* Summary bins are at most a quarter column: edges misplace at most half a column. */
      g_assert_cmpfloat (worst, <=, 0.5);
      g_assert_cmpuint (decided, >, n_cols / 4);
      g_assert_cmpfloat ((double) agree / decided, >=, 0.97);
    }
}

/* Columns past a lane's last span, after columns the summary answered (dense) at many widths:
 * the switch back to reading spans must not read span n (a real Chromium trace crashed at 9 of 14
 * image widths). Every column past the end is empty and the ones before add up to the lane. */
static void
test_columns_past_the_end (void)
{
  g_autoptr(IlRunTrace) run = il_test_trace_dense (1, 60000, 2, 11);
  const IlLane *lane = il_run_trace_get_lane (run, 0);
  g_autoptr(IlLodLane) lod = il_lod_lane_new ();
  gint64 end = il_run_trace_get_end_ns (run);
  guint n = il_lane_get_n_spans (lane);
  const IlSpan *last;
  const guint widths[] = { 7, 64, 199, 640, 801, 1000, 1280, 1366, 1500, 1920, 2400, 3000, 3840, 4096 };
  const double spans[] = { 1.0, 1.01, 1.3, 2.0, 5.0 };

  il_lane_get_block (lane, n - 1, &last);
  il_lod_lane_update (lod, lane);
  for (guint wi = 0; wi < G_N_ELEMENTS (widths); wi++)
    for (guint si = 0; si < G_N_ELEMENTS (spans); si++)
      {
        guint n_cols = widths[wi];
        g_autofree IlColumn *cols = g_new (IlColumn, n_cols);
        double p = spans[si] * (double) end / n_cols;
        double first_empty = ceil ((double) last->end_ns / p);

        il_lod_lane_columns (lod, lane, 0, p, n_cols, 8, cols, NULL, 0);
        for (guint c = (guint) MIN (first_empty, (double) n_cols); c < n_cols; c++)
          {
            double total = 0;
            for (guint s = 0; s < IL_N_STATES; s++)
              total += cols[c].ns[s];
            g_assert_cmpfloat (total, ==, 0);
            g_assert_cmpuint (cols[c].n_spans, ==, 0);
          }
      }
}

static cairo_surface_t *
render (GPtrArray *runs, gboolean exact, IlTheme theme)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1280, 720);
  cairo_t *cr = cairo_create (surface);
  IlPaintOptions o;

  il_paint_options_init (&o);
  o.exact = exact;
  o.theme = theme;
  il_painter_draw (cr, 1280, 720, runs, &o);
  g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Share of pixels that visibly differ: some channel off by more than 40 of 255. */
static double
differing_fraction (cairo_surface_t *a, cairo_surface_t *b)
{
  int w = cairo_image_surface_get_width (a), h = cairo_image_surface_get_height (a);
  int stride = cairo_image_surface_get_stride (a);
  guint8 *da = cairo_image_surface_get_data (a), *db = cairo_image_surface_get_data (b);
  guint64 differ = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint32 pa = *(guint32 *) (da + y * stride + 4 * x);
        guint32 pb = *(guint32 *) (db + y * stride + 4 * x);
        for (int c = 0; c < 24; c += 8)
          if (ABS ((int) ((pa >> c) & 0xff) - (int) ((pb >> c) & 0xff)) > 40)
            {
              differ++;
              break;
            }
      }
  return (double) differ / ((double) w * h);
}

/* The picture: level-of-detail rendering of a dense trace differs from the exact rendering (every
 * span read for every column) in only a small fraction of pixels; for a trace whose spans are wider
 * than pixels the two are identical. */
static void
test_image_equivalence (void)
{
  g_autoptr(GPtrArray) dense = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  g_autoptr(GPtrArray) coarse = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  cairo_surface_t *a, *b;
  double f;

  g_ptr_array_add (dense, il_test_trace_dense (8, 150000, 2, 11));
  a = render (dense, TRUE, IL_THEME_LIGHT);
  b = render (dense, FALSE, IL_THEME_LIGHT);
  f = differing_fraction (a, b);
  g_test_message ("dense trace: %.3f %% of pixels differ between exact and level of detail", f * 100);
  g_assert_cmpfloat (f, <, 0.015);
  /* …and the test can fail: a different trace differs a lot. */
  {
    g_autoptr(GPtrArray) other = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
    cairo_surface_t *c;
    g_ptr_array_add (other, il_test_trace_dense (8, 150000, 2, 12));
    c = render (other, FALSE, IL_THEME_LIGHT);
    g_assert_cmpfloat (differing_fraction (a, c), >, 0.05);
    cairo_surface_destroy (c);
  }
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);

  g_ptr_array_add (coarse, il_test_trace_schedule ("gil", IL_EXECUTOR_THREADS, TRUE, 4, 2, 8, 100000000,
                                                   5000000, 0));
  a = render (coarse, TRUE, IL_THEME_DARK);
  b = render (coarse, FALSE, IL_THEME_DARK);
  g_assert_cmpfloat (differing_fraction (a, b), ==, 0);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
}

/* A live run: spans appended between frames are drawn on the next frame. */
static void
test_live_redraw (void)
{
  g_autoptr(IlRunTrace) run = il_run_trace_new (NULL);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  cairo_surface_t *before, *after;
  IlPaintOptions o;
  cairo_t *cr;

  il_run_trace_add_worker (run, IL_WORKER_THREAD, 1, 2, NULL);
  il_run_trace_set_live (run, TRUE);
  g_ptr_array_add (runs, run);
  for (guint i = 0; i < 1000; i++)
    {
      IlSpan s = { i * 1000, i * 1000 + 1000, 0, i % 2 ? IL_STATE_RUNNING : IL_STATE_GIL_WAIT, 0, 0 };
      il_run_trace_append (run, &s);
    }
  il_paint_options_init (&o);
  o.t0_ns = 0;
  o.t1_ns = 2000000;
  before = render (runs, FALSE, IL_THEME_LIGHT);
  {
    cairo_surface_t *tmp = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1280, 720);
    cr = cairo_create (tmp);
    il_painter_draw (cr, 1280, 720, runs, &o);
    cairo_destroy (cr);
    cairo_surface_destroy (tmp);
  }
  for (guint i = 1000; i < 2000; i++)
    {
      IlSpan s = { i * 1000, i * 1000 + 1000, 0, IL_STATE_RUNNING, 0, 1 };
      il_run_trace_append (run, &s);
    }
  after = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1280, 720);
  cr = cairo_create (after);
  il_painter_draw (cr, 1280, 720, runs, &o);
  cairo_destroy (cr);
  cairo_surface_flush (after);

  /* Compare the frame after the append with an exact drawing of the same state. */
  o.exact = TRUE;
  {
    cairo_surface_t *ref = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 1280, 720);
    cr = cairo_create (ref);
    il_painter_draw (cr, 1280, 720, runs, &o);
    cairo_destroy (cr);
    cairo_surface_flush (ref);
    g_assert_cmpfloat (differing_fraction (after, ref), <, 0.005);
    cairo_surface_destroy (ref);
  }
  cairo_surface_destroy (before);
  cairo_surface_destroy (after);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/lod/summary-size", test_summary_size);
  g_test_add_func ("/render/lod/summary-values", test_summary_values);
  g_test_add_func ("/render/lod/incremental", test_incremental);
  g_test_add_func ("/render/lod/columns-match-exact", test_columns_match_exact);
  g_test_add_func ("/render/lod/columns-past-the-end", test_columns_past_the_end);
  g_test_add_func ("/render/lod/image-equivalence", test_image_equivalence);
  g_test_add_func ("/render/lod/live-redraw", test_live_redraw);

  return g_test_run ();
}
