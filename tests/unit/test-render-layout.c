/* test-render-layout.c: the painter's geometry: time <-> x, tick choice and labels, lane layout, hit tests. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "il-clock.h"
#include "il-layout.h"
#include "il-painter.h"
#include "../export/il-test-traces.h"

static void
test_time_scale (void)
{
  IlTimeScale s;

  il_time_scale_init (&s, 1000, 2001000, 100, 1100);
  g_assert_cmpfloat_with_epsilon (il_time_scale_to_x (&s, 1000), 100, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_time_scale_to_x (&s, 2001000), 1100, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_time_scale_to_x (&s, 1001000), 600, 1e-9);
  g_assert_cmpfloat_with_epsilon (il_time_scale_ns_per_x (&s), 2000, 1e-9);

  for (double x = 100; x <= 1100; x += 37.5)
    g_assert_cmpfloat_with_epsilon (il_time_scale_to_x (&s, il_time_scale_to_time (&s, x)), x, 1e-6);

  /* Zoomed far in: less than a nanosecond per pixel still maps both ways. */
  il_time_scale_init (&s, G_GINT64_CONSTANT (5000000000), G_GINT64_CONSTANT (5000000100), 0, 2000);
  g_assert_cmpfloat_with_epsilon (il_time_scale_to_time (&s, 1000), 5000000050.0, 1e-3);

  /* A degenerate range does not divide by zero. */
  il_time_scale_init (&s, 10, 10, 5, 5);
  g_assert_true (isfinite (il_time_scale_to_x (&s, 11)));
}

static gboolean
is_125 (gint64 step)
{
  while (step % 10 == 0)
    step /= 10;
  return step == 1 || step == 2 || step == 5;
}

/* For zooms from a few ns to minutes and widths from a phone to a 4K slide: 1-2-5 steps, labels
 * never overlap, consecutive labels differ, and there are enough ticks to read. */
static void
test_ticks_never_overlap (void)
{
  static const gint64 ranges[][2] = {
    { 0, 50 }, { 0, 999 }, { 0, 1000 }, { 0, 123456 }, { 0, 800000000 }, { 0, 2500000000 },
    { 1234500000, 1234600000 }, { 0, G_GINT64_CONSTANT (120000000000) }, { 7, 9 },
    { 999999000, 1000001000 }, { 0, 430000000 },
  };
  static const double widths[] = { 120, 300, 800, 1500, 3840 };
  const double char_w = 9, gap = 15;

  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    for (guint k = 0; k < G_N_ELEMENTS (widths); k++)
      {
        IlTimeScale s;
        IlTicks t;
        char *prev = NULL;

        il_time_scale_init (&s, ranges[r][0], ranges[r][1], 0, widths[k]);
        il_ticks_choose (&s, char_w, gap, &t);
        g_assert_cmpint (t.step_ns, >, 0);
        g_assert_cmpint (t.n_ticks, >=, 1);

        if (t.n_ticks >= 2)
          {
            double spacing = t.step_ns / il_time_scale_ns_per_x (&s);
            g_assert_true (is_125 (t.step_ns));
            g_assert_cmpfloat (spacing, >=, t.label_w + gap);
          }

        for (guint i = 0; i < t.n_ticks; i++)
          {
            gint64 at = t.first_ns + t.step_ns * (gint64) i;
            char *label = il_ticks_format (&t, at);

            g_assert_cmpint (at, >=, ranges[r][0]);
            g_assert_cmpint (at, <=, ranges[r][1]);
            /* Every label fits the width the step was chosen for. */
            g_assert_cmpfloat (g_utf8_strlen (label, -1) * char_w, <=, t.label_w + 1e-9);
            if (prev != NULL)
              g_assert_cmpstr (prev, !=, label);
            g_free (prev);
            prev = label;
          }
        g_free (prev);

        /* Wide enough for 3 labels: the choice is not lazily coarse. */
        if (widths[k] >= 800 && ranges[r][1] - ranges[r][0] >= 100)
          g_assert_cmpint (t.n_ticks, >=, 3);
      }
}

static void
test_tick_units (void)
{
  IlTimeScale s;
  IlTicks t;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  il_time_scale_init (&s, 0, 800000000, 0, 1500);
  il_ticks_choose (&s, 9, 15, &t);
  g_assert_cmpint (t.unit, ==, IL_TIME_UNIT_MS);
  a = il_ticks_format (&t, t.first_ns + t.step_ns);
  g_assert_true (g_str_has_suffix (a, " ms"));
  b = il_ticks_format (&t, 0);
  g_assert_cmpstr (b, ==, "0");

  /* 2.5 s over 1500 x is 600 x a second. The widest label, "2.5 s", is 5 characters of 9 x: 45,
   * plus a gap of 15, so a step needs 60 x: 100 ms (60 x) is the first 1-2-5 step that fits,
   * and its labels need one decimal. */
  il_time_scale_init (&s, 0, 2500000000, 0, 1500);
  il_ticks_choose (&s, 9, 15, &t);
  g_assert_cmpint (t.unit, ==, IL_TIME_UNIT_S);
  g_assert_cmpint (t.step_ns, ==, 100000000);
  g_assert_cmpuint (t.decimals, ==, 1);
  c = il_ticks_format (&t, 1500000000);
  g_assert_cmpstr (c, ==, "1.5 s");

  il_time_scale_init (&s, 0, 40000, 0, 1500);
  il_ticks_choose (&s, 9, 15, &t);
  g_assert_cmpint (t.unit, ==, IL_TIME_UNIT_US);

  /* Zoomed into a long run: no more than three decimals, a smaller unit instead. */
  il_time_scale_init (&s, 1234500000, 1234600000, 0, 1500);
  il_ticks_choose (&s, 9, 15, &t);
  g_assert_cmpuint (t.decimals, <=, 3);
  d = il_ticks_format (&t, t.first_ns);
  g_assert_true (g_str_has_suffix (d, " ms"));

  /* 20 µs at 150 ms: "150.002 ms", not "150002 µs". */
  {
    g_autofree char *z = NULL;
    il_time_scale_init (&s, 150000000, 150020000, 0, 1200);
    il_ticks_choose (&s, 9, 15, &t);
    z = il_ticks_format (&t, 150002000);
    g_assert_cmpstr (z, ==, "150.002 ms");
  }

  il_time_scale_init (&s, 0, 300, 0, 1500);
  il_ticks_choose (&s, 9, 15, &t);
  e = il_ticks_format (&t, t.first_ns + t.step_ns);
  g_assert_true (g_str_has_suffix (e, " ns"));
}

static void
test_format_duration (void)
{
  static const struct { gint64 ns; const char *text; } cases[] = {
    { 812000000, "812 ms" }, { 1250000000, "1.25 s" }, { 35200, "35.2 µs" }, { 120, "120 ns" },
    { 0, "0 s" }, { 5000000, "5.00 ms" }, { G_GINT64_CONSTANT (61000000000), "61.0 s" },
  };

  /* The command line's columns and the other-programs sentence keep their own styles. */
  static const struct { gint64 ns; IlDurationStyle style; const char *text; } styled[] = {
    { 812300000, IL_DURATION_FIXED, "812.3 ms" }, { 2270000000, IL_DURATION_FIXED, "2.27 s" },
    { 850000, IL_DURATION_FIXED, "850 µs" }, { 0, IL_DURATION_FIXED, "0.0 ms" },
    { 120400000, IL_DURATION_COARSE, "120 ms" }, { 1250000000, IL_DURATION_COARSE, "1.25 s" },
    { 0, IL_DURATION_COARSE, "0 ms" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = il_clock_format_duration (cases[i].ns, IL_DURATION_SIGNIFICANT);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
  for (guint i = 0; i < G_N_ELEMENTS (styled); i++)
    {
      g_autofree char *text = il_clock_format_duration (styled[i].ns, styled[i].style);
      g_assert_cmpstr (text, ==, styled[i].text);
    }
}

static void
check_geometry (GPtrArray *runs, int width, int height, IlViewFlags view)
{
  IlPaintOptions o;
  g_autoptr(IlLayout) l = NULL;
  double prev_bottom = -1;
  guint expected = 0;

  il_paint_options_init (&o);
  o.view = view;
  l = il_layout_new (width, height, runs, &o);

  g_assert_cmpfloat (l->lane_x0, >, l->label_x + l->label_w);
  g_assert_cmpfloat (l->lane_x0, <, l->lane_x1);
  g_assert_cmpfloat (l->lane_x1, <=, width);
  g_assert_cmpuint (l->blocks->len, ==, runs->len);

  for (guint r = 0; r < runs->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, r);
      if (view & IL_VIEW_WORKERS)
        expected += il_run_trace_get_n_workers (run);
      if (view & IL_VIEW_CORES)
        expected += il_layout_run_n_cpus (run);
      if (view & IL_VIEW_STRIP)
        expected += 1;
    }
  g_assert_cmpuint (l->rows->len, ==, expected);

  /* Rows in order, not overlapping, each with a visible height, inside the image and above the
   * axis and legend. */
  for (guint i = 0; i < l->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (l->rows, IlLayoutRow, i);
      g_assert_cmpfloat (row->h, >, 0);
      g_assert_cmpfloat (row->y, >=, prev_bottom);
      g_assert_cmpfloat (row->y + row->h, <=, l->axis_y);
      g_assert_true (il_layout_row_at (l, row->y + row->h / 2) == row);
      prev_bottom = row->y + row->h;
    }
  g_assert_cmpfloat (l->axis_y + l->axis_h, <=, height);
  if (l->legend_h > 0)
    {
      g_assert_cmpfloat (l->legend_y, >=, l->axis_y + l->axis_h);
      g_assert_cmpfloat (l->legend_y + l->legend_h, <=, height);
    }
  /* Runs stack top to bottom on one time scale. */
  for (guint r = 1; r < l->blocks->len; r++)
    g_assert_cmpfloat (g_array_index (l->blocks, IlLayoutBlock, r).y, >=,
                       g_array_index (l->blocks, IlLayoutBlock, r - 1).y
                       + g_array_index (l->blocks, IlLayoutBlock, r - 1).h);
}

static void
test_lane_geometry (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  check_geometry (runs, 1920, 1080, IL_VIEW_BOTH);
  check_geometry (runs, 960, 540, IL_VIEW_BOTH);
  check_geometry (runs, 1920, 1080, IL_VIEW_WORKERS);
  check_geometry (runs, 1920, 1080, IL_VIEW_CORES | IL_VIEW_STRIP);

  /* 64 workers in a small window: lanes get thin but stay inside. */
  g_ptr_array_add (many, il_test_trace_schedule ("many", IL_EXECUTOR_THREADS, FALSE, 64, 2, 64,
                                                 1000000, 500000, 0));
  check_geometry (many, 800, 500, IL_VIEW_BOTH);
}

/* A lesson's three runs in a small timeline widget: worker lanes stay as tall as most of a core
 * lane (not squashed under fixed core and strip heights), run headers become one line. */
static void
test_small_view_balance (void)
{
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  IlPaintOptions o;
  g_autoptr(IlLayout) small = NULL;
  g_autoptr(IlLayout) slide = NULL;
  double worker_h = 0, core_h = 0;

  g_ptr_array_add (runs, il_test_trace_schedule ("seq", IL_EXECUTOR_SEQUENTIAL, FALSE, 1, 2, 8, 100000000,
                                                 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("gil", IL_EXECUTOR_THREADS, TRUE, 4, 2, 8, 100000000,
                                                 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("procs", IL_EXECUTOR_PROCESSES, FALSE, 4, 2, 8,
                                                 100000000, 5000000, 30000000));
  il_paint_options_init (&o);
  check_geometry (runs, 760, 420, IL_VIEW_BOTH);

  small = il_layout_new (760, 420, runs, &o);
  for (guint i = 0; i < small->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (small->rows, IlLayoutRow, i);
      if (row->kind == IL_ROW_WORKER)
        worker_h = MAX (worker_h, row->h);
      else if (row->kind == IL_ROW_CORE)
        core_h = MAX (core_h, row->h);
    }
  g_assert_cmpfloat (worker_h, >=, 0.6 * core_h);
  g_assert_cmpfloat (worker_h, >=, 4);
  g_assert_cmpfloat (g_array_index (small->blocks, IlLayoutBlock, 0).header_h, <, 2 * small->font_px);

  /* At slide size there is room: two-line headers, lanes at least a text line tall. */
  slide = il_layout_new (1920, 1080, runs, &o);
  g_assert_cmpfloat (g_array_index (slide->blocks, IlLayoutBlock, 0).header_h, >=, 2 * slide->font_px);
  for (guint i = 0; i < slide->rows->len; i++)
    g_assert_cmpfloat (g_array_index (slide->rows, IlLayoutRow, i).h, >=, slide->font_px);
}

static void
test_time_range (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  IlPaintOptions o;
  gint64 t0, t1;
  double x0, x1;

  il_paint_options_init (&o);
  il_paint_options_get_time_range (&o, runs, &t0, &t1);
  g_assert_cmpint (t0, ==, 0);
  /* Fit: the longest run (GIL: 8 × 100 ms one at a time). */
  g_assert_cmpint (t1, ==, MAX (il_run_trace_get_end_ns (g_ptr_array_index (runs, 0)),
                                il_run_trace_get_end_ns (g_ptr_array_index (runs, 1))));
  g_assert_cmpint (t1, ==, 800000000);

  o.t0_ns = 100;
  o.t1_ns = 200;
  il_paint_options_get_time_range (&o, runs, &t0, &t1);
  g_assert_cmpint (t0, ==, 100);
  g_assert_cmpint (t1, ==, 200);

  il_painter_get_time_area (1920, 1080, runs, &o, &x0, &x1);
  g_assert_cmpfloat (x0, >, 0);
  g_assert_cmpfloat (x1, >, x0);
  g_assert_cmpfloat (x1, <=, 1920);
}

static void
test_hit_test (void)
{
  g_autoptr(GPtrArray) runs = il_test_traces_gil_vs_processes ();
  IlRunTrace *gil = g_ptr_array_index (runs, 0);
  IlPaintOptions o;
  g_autoptr(IlLayout) l = NULL;
  IlPaintHit hit;
  const IlSpan *span;
  double x, y = -1;

  il_paint_options_init (&o);
  l = il_layout_new (1920, 1080, runs, &o);

  /* Worker 1 of run 0 at the middle of its 10th span. */
  span = il_lane_get_span (il_run_trace_get_lane (gil, 1), 10);
  x = il_time_scale_to_x (&l->scale, (span->start_ns + span->end_ns) / 2.0);
  for (guint i = 0; i < l->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (l->rows, IlLayoutRow, i);
      if (row->run == 0 && row->kind == IL_ROW_WORKER && row->index == 1)
        y = row->y + row->h / 2;
    }
  g_assert_true (il_painter_hit_test (1920, 1080, runs, &o, x, y, &hit));
  g_assert_cmpint (hit.run, ==, 0);
  g_assert_cmpint (hit.worker, ==, 1);
  g_assert_cmpint (hit.cpu, ==, -1);
  g_assert_false (hit.in_strip);
  g_assert_cmpint (hit.span.start_ns, ==, span->start_ns);
  g_assert_cmpint (hit.span.end_ns, ==, span->end_ns);
  g_assert_cmpint (hit.span.state, ==, span->state);

  /* Outside the lane area (on a label) and between runs: nothing. */
  g_assert_false (il_painter_hit_test (1920, 1080, runs, &o, l->label_x + 2, y, &hit));
  g_assert_false (il_painter_hit_test (1920, 1080, runs, &o, x, 2, &hit));

  /* A core lane reports whichever worker ran on that core then. */
  for (guint i = 0; i < l->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (l->rows, IlLayoutRow, i);
      if (row->run == 1 && row->kind == IL_ROW_CORE && row->index == 0)
        y = row->y + row->h / 2;
    }
  x = il_time_scale_to_x (&l->scale, 100000000 + 2500000);
  g_assert_true (il_painter_hit_test (1920, 1080, runs, &o, x, y, &hit));
  g_assert_cmpint (hit.run, ==, 1);
  g_assert_cmpint (hit.cpu, ==, 0);
  g_assert_cmpint (hit.worker, >=, 0);
  g_assert_cmpint (hit.span.state, ==, IL_STATE_RUNNING);
  g_assert_cmpint (hit.span.cpu, ==, 0);
  g_assert_cmpint (hit.span.start_ns, <=, 102500000);
  g_assert_cmpint (hit.span.end_ns, >, 102500000);

  /* The strip. */
  for (guint i = 0; i < l->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (l->rows, IlLayoutRow, i);
      if (row->run == 1 && row->kind == IL_ROW_STRIP)
        y = row->y + row->h / 2;
    }
  g_assert_true (il_painter_hit_test (1920, 1080, runs, &o, x, y, &hit));
  g_assert_true (hit.in_strip);
  g_assert_cmpint (hit.run, ==, 1);
  g_assert_cmpint (hit.worker, ==, -1);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/render/layout/time-scale", test_time_scale);
  g_test_add_func ("/render/layout/ticks-never-overlap", test_ticks_never_overlap);
  g_test_add_func ("/render/layout/tick-units", test_tick_units);
  g_test_add_func ("/render/layout/format-duration", test_format_duration);
  g_test_add_func ("/render/layout/lane-geometry", test_lane_geometry);
  g_test_add_func ("/render/layout/small-view-balance", test_small_view_balance);
  g_test_add_func ("/render/layout/time-range", test_time_range);
  g_test_add_func ("/render/layout/hit-test", test_hit_test);

  return g_test_run ();
}
