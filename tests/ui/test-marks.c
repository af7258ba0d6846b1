/* test-marks.c: the real window with an imported trace's instants, counters and slice arguments: hovering says what the file says. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-painter.h"
#include "il-summary-view.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"

static IlApplication *app;
static IlWindow *window;
static char *tmpdir;

static const char trace[] =
  "{\"traceEvents\":[\n"
  "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":2,\"args\":{\"name\":\"main\"}},\n"
  "{\"ph\":\"X\",\"name\":\"load\",\"cat\":\"io,net\",\"pid\":1,\"tid\":2,\"ts\":100,\"dur\":50,"
  "\"args\":{\"url\":\"a.html\",\"size\":12}},\n"
  "{\"ph\":\"X\",\"name\":\"parse\",\"pid\":1,\"tid\":3,\"ts\":120,\"dur\":50},\n"
  "{\"ph\":\"i\",\"name\":\"click\",\"cat\":\"user\",\"pid\":1,\"tid\":2,\"ts\":160,\"s\":\"t\","
  "\"args\":{\"button\":1}},\n"
  "{\"ph\":\"i\",\"name\":\"vsync\",\"pid\":1,\"tid\":3,\"ts\":130,\"s\":\"g\"},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":100,\"args\":{\"used\":10}},\n"
  "{\"ph\":\"C\",\"name\":\"heap\",\"pid\":1,\"ts\":140,\"args\":{\"used\":15}}\n"
  "]}\n";

/* The first tooltip at time @t_ns (µs from the file's start, 100) holding @part, top to bottom. */
static char *
tooltip_at (gint64 t_us, const char *part)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  int height = gtk_widget_get_height (GTK_WIDGET (timeline));
  gint64 t0, t1;
  double x0, x1, x;

  il_timeline_view_get_range (timeline, &t0, &t1, NULL);
  il_painter_get_time_area (width, height, il_timeline_view_get_runs (timeline),
                            il_timeline_view_get_paint_options (timeline), &x0, &x1);
  x = x0 + (double) ((t_us - 100) * 1000 - t0) / (double) (t1 - t0) * (x1 - x0);
  for (int y = 0; y < height; y++)
    {
      char *tip = il_timeline_view_describe_point (timeline, x, y);

      if (tip != NULL && strstr (tip, part) != NULL)
        return tip;
      g_free (tip);
    }
  g_error ("no tooltip with “%s” at %" G_GINT64_FORMAT " µs", part, t_us);
}

static void
test_tooltips (void)
{
  g_autofree char *path = g_build_filename (tmpdir, "marks.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *slice = NULL, *instant = NULL, *counter = NULL, *global = NULL;

  g_file_set_contents (path, trace, -1, &error);
  g_assert_no_error (error);
  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  il_test_window_settle (window);

  slice = tooltip_at (130, "Task");
  g_test_message ("slice: %s", slice);
  g_assert_nonnull (strstr (slice, "load"));
  g_assert_nonnull (strstr (slice, "Category: io,net"));
  g_assert_nonnull (strstr (slice, "url: a.html\nsize: 12"));

  instant = tooltip_at (160, "Instant");
  g_test_message ("instant: %s", instant);
  g_assert_nonnull (strstr (instant, "Instant: click"));
  g_assert_nonnull (strstr (instant, "Category: user"));
  g_assert_nonnull (strstr (instant, "button: 1"));

  /* A global instant hangs from the run's first lane. */
  global = tooltip_at (130, "Instant");
  g_assert_nonnull (strstr (global, "Instant: vsync"));

  counter = tooltip_at (145, "Counter");
  g_test_message ("counter: %s", counter);
  g_assert_nonnull (strstr (counter, "Counter: heap: used"));
  g_assert_nonnull (strstr (counter, "15 from"));
  /* The summary has no rows for states the file cannot have. */
  {
    IlSummaryView *summary = il_window_get_summary (window);

    g_assert_nonnull (il_summary_view_get_value (summary, "wall", 0));
    g_assert_null (il_summary_view_get_value (summary, "gil-wait", 0));
    g_assert_null (il_summary_view_get_value (summary, "ready", 0));
    g_assert_null (il_summary_view_get_value (summary, "io-wait", 0));
  }
  g_unlink (path);
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }

  bus = il_test_dbus_up ();
  tmpdir = il_test_tmpdir_new ("interleave-marks");
  window = il_test_window_open (&app);

  g_test_add_func ("/marks/tooltips", test_tooltips);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_test_dbus_stop (bus);
  return ret;
}
