/* test-render-present.c: the layout for a projector and zoomed text (IlPaintOptions.presentation, .text_scale), without a window. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-layout.h"
#include "il-painter.h"
#include "../export/il-test-traces.h"

/* Lesson 1's three runs on two CPUs: sequential, 2 threads under the GIL, 2 processes. */
static GPtrArray *
three_runs (void)
{
  GPtrArray *runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  g_ptr_array_add (runs, il_test_trace_schedule ("seq", IL_EXECUTOR_SEQUENTIAL, FALSE, 1, 2, 8,
                                                 100000000, 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("gil", IL_EXECUTOR_THREADS, TRUE, 2, 2, 8,
                                                 100000000, 5000000, 0));
  g_ptr_array_add (runs, il_test_trace_schedule ("procs", IL_EXECUTOR_PROCESSES, FALSE, 2, 2, 8,
                                                 100000000, 5000000, 30000000));
  return runs;
}

/* The timeline of a 1280 × 800 window presenting (no side pane, no table): about 1270 × 740. */
static void
test_three_runs_fit (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  g_autoptr(IlLayout) plain = NULL;
  g_autoptr(IlLayout) shown = NULL;
  IlPaintOptions o;

  il_paint_options_init (&o);
  plain = il_layout_new (1270, 740, runs, &o);
  o.presentation = TRUE;
  shown = il_layout_new (1270, 740, runs, &o);
  g_test_message ("lanes %.0f px (not presenting %.0f px), text %.0f px", il_layout_min_lane_h (shown),
                  il_layout_min_lane_h (plain), shown->font_px);
  g_assert_cmpfloat (il_layout_min_lane_h (shown), >=, IL_LAYOUT_PRESENT_LANE_H);
  g_assert_cmpfloat (shown->font_px, ==, IL_LAYOUT_PRESENT_FONT_PX);
  g_assert_cmpfloat (shown->label_font_px, >, plain->label_font_px);
  /* Everything inside the picture: the legend ends above its bottom. */
  g_assert_cmpfloat (shown->legend_y + shown->legend_h, <=, 740);
  g_assert_cmpint (il_layout_min_height (1270, runs, &o), <=, 740);
}

/* Where they cannot fit, the least height keeps them 24 px (the window scrolls), and the text
 * does not grow with the picture's height (it would push the height up again). */
static void
test_least_height (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  IlPaintOptions o;
  int height;

  il_paint_options_init (&o);
  o.presentation = TRUE;
  height = il_layout_min_height (1270, runs, &o);
  for (int h = 300; h <= 1200; h += 150)
    {
      g_autoptr(IlLayout) layout = il_layout_new (1270, MAX (h, height), runs, &o);

      g_assert_cmpfloat (il_layout_min_lane_h (layout), >=, IL_LAYOUT_PRESENT_LANE_H);
      g_assert_cmpfloat (layout->font_px, ==, IL_LAYOUT_PRESENT_FONT_PX);
    }
  /* Zoomed, the lanes' least height grows with the text. */
  o.text_scale = 1.5;
  {
    g_autoptr(IlLayout) layout = il_layout_new (1270, il_layout_min_height (1270, runs, &o), runs, &o);

    g_assert_cmpfloat (il_layout_least_lane_h (&o), ==, IL_LAYOUT_PRESENT_LANE_H * 1.5);
    g_assert_cmpfloat (il_layout_min_lane_h (layout), >=, IL_LAYOUT_PRESENT_LANE_H * 1.5);
    g_assert_cmpfloat (layout->font_px, ==, IL_LAYOUT_PRESENT_FONT_PX * 1.5);
  }
}

/* Text zoom scales every word of the picture; 1 (and 0, unset) leave it as it was. */
static void
test_text_scale (void)
{
  g_autoptr(GPtrArray) runs = three_runs ();
  IlPaintOptions o;
  double base;

  il_paint_options_init (&o);
  {
    g_autoptr(IlLayout) layout = il_layout_new (1280, 720, runs, &o);
    base = layout->font_px;
  }
  o.text_scale = 0;
  {
    g_autoptr(IlLayout) layout = il_layout_new (1280, 720, runs, &o);
    g_assert_cmpfloat (layout->font_px, ==, base);
  }
  o.text_scale = 1.25;
  {
    g_autoptr(IlLayout) layout = il_layout_new (1280, 720, runs, &o);
    g_assert_cmpfloat_with_epsilon (layout->font_px, base * 1.25, 1e-9);
    g_assert_cmpfloat (il_layout_least_lane_h (&o), ==, IL_LAYOUT_MIN_LANE_H * 1.25);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/present/three-runs-fit", test_three_runs_fit);
  g_test_add_func ("/present/least-height", test_least_height);
  g_test_add_func ("/present/text-scale", test_text_scale);
  return g_test_run ();
}
