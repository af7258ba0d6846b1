/* test-render-stacks.c: a traced Python program's long running stretch is labelled with its function, and only where the samples say so. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-painter.h"
#include "il-trace-stacks.h"

#define W 1200
#define H 400
#define MS 1000000

/* One thread running 0–100 ms, a second waiting for the GIL all along; samples every 5 ms of
 * the first in compute() when @with_samples. */
static IlRunTrace *
make_run (gboolean with_samples, gboolean compute)
{
  g_autoptr(IlRunConfig) config = il_run_config_new ();
  IlRunTrace *run;
  IlSpan span = { .task = -1, .cpu = 0, .state = IL_STATE_RUNNING, .start_ns = 0, .end_ns = 100 * MS };

  config->executor = IL_EXECUTOR_EXTERNAL;
  config->label = g_strdup ("python3 w.py");
  config->workers = 2;
  run = il_run_trace_new (config);
  il_run_trace_set_n_cpus (run, 1);
  il_run_trace_add_process (run, 70, 1, "python3 w.py", "python3");
  il_run_trace_add_worker (run, IL_WORKER_PROCESS, 70, 70, "main");
  il_run_trace_add_worker (run, IL_WORKER_THREAD, 70, 71, "other");
  il_run_trace_append (run, &span);
  span.worker = 1;
  span.cpu = -1;
  span.state = IL_STATE_GIL_WAIT;
  il_run_trace_append (run, &span);
  if (with_samples)
    {
      IlTraceStacks *stacks = il_trace_stacks_new ();
      guint f[2];

      f[0] = il_trace_stacks_intern_frame (stacks, compute ? "compute" : "x", "w.py", 3);
      f[1] = il_trace_stacks_intern_frame (stacks, "<module>", "w.py", 9);
      for (int i = 0; i < 20; i++)
        {
          il_trace_stacks_add_sample (stacks, 70, 70, i * 5 * MS + MS, TRUE, TRUE, f, 2);
          il_trace_stacks_add_sample (stacks, 70, 71, i * 5 * MS + MS, FALSE, FALSE, f + 1, 1);
        }
      il_run_trace_set_stacks (run, stacks);
    }
  il_run_trace_compute_summary (run);
  return run;
}

/* The pixels of @run drawn; free with cairo_surface_destroy. */
static cairo_surface_t *
draw (IlRunTrace *run)
{
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, W, H);
  cairo_t *cr = cairo_create (surface);
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();
  IlPaintOptions o;

  il_paint_options_init (&o);
  g_ptr_array_add (runs, run);
  il_painter_draw (cr, W, H, runs, &o);
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  return surface;
}

/* Rows of pixels that differ between @a and @b, and how many pixels. */
static guint
count_differences (cairo_surface_t *a, cairo_surface_t *b, int *first_row, int *last_row)
{
  int stride = cairo_image_surface_get_stride (a);
  const guint8 *pa = cairo_image_surface_get_data (a), *pb = cairo_image_surface_get_data (b);
  guint n = 0;

  *first_row = -1;
  *last_row = -1;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      if (((const guint32 *) (pa + y * stride))[x] != ((const guint32 *) (pb + y * stride))[x])
        {
          n++;
          if (*first_row < 0)
            *first_row = y;
          *last_row = y;
        }
  return n;
}

static void
test_label (void)
{
  g_autoptr(IlRunTrace) bare = make_run (FALSE, TRUE);
  g_autoptr(IlRunTrace) sampled = make_run (TRUE, TRUE);
  g_autoptr(IlRunTrace) other = make_run (TRUE, FALSE);
  cairo_surface_t *a = draw (bare), *b = draw (sampled), *c = draw (other);
  int first, last;
  guint n;
  IlPaintOptions o;
  IlPaintHit hit;
  g_autoptr(GPtrArray) runs = g_ptr_array_new ();

  /* Only text differs: a few hundred pixels, inside the first lane's rows. */
  n = count_differences (a, b, &first, &last);
  g_test_message ("%u pixels differ in rows %d–%d", n, first, last);
  g_assert_cmpuint (n, >, 50);
  g_assert_cmpuint (n, <, 20000);
  il_paint_options_init (&o);
  g_ptr_array_add (runs, sampled);
  g_assert_true (il_painter_hit_test (W, H, runs, &o, W / 2, (first + last) / 2.0, &hit));
  g_assert_cmpint (hit.worker, ==, 0);
  g_assert_cmpint (hit.span.state, ==, IL_STATE_RUNNING);
  /* Another function, another label. */
  g_assert_cmpuint (count_differences (b, c, &first, &last), >, 0);
  cairo_surface_destroy (a);
  cairo_surface_destroy (b);
  cairo_surface_destroy (c);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/render-stacks/label", test_label);
  return g_test_run ();
}
