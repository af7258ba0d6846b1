/* bench-big-window.c: how long the real window takes to open and first paint a 65 535-thread Chrome trace, scroll it and filter its lanes. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "il-application.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"
#include "il-window.h"

/* Usage: bench-big-window [N_THREADS] (default 65 535). Prints `name: value` lines; asserts no
 * timing. IL_BENCH_HOLD_S keeps the filtered window on screen that many seconds at the end (for a
 * screenshot). */

static IlWindow *window;

static gboolean
painted_since (gpointer data)
{
  return il_timeline_view_get_n_frames_with_spans (il_window_get_timeline (window)) > *(guint *) data;
}

/* Milliseconds until the timeline draws a frame with spans after @since (what was drawn). */
static double
wait_paint_ms (gint64 begin_us, guint since)
{
  il_test_wait_for (painted_since, &since, 120, "a frame of the timeline");
  return (g_get_monotonic_time () - begin_us) / 1000.0;
}

static char *
write_chrome (const char *dir, guint n_threads)
{
  char *path = g_build_filename (dir, "big.json", NULL);
  GString *s = g_string_new ("{\"traceEvents\":[\n");
  g_autoptr(GError) error = NULL;

  for (guint t = 1; t <= n_threads; t++)
    g_string_append_printf (s, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%u,"
                            "\"args\":{\"name\":\"worker-%u\"}},\n"
                            "{\"ph\":\"X\",\"name\":\"job\",\"pid\":1,\"tid\":%u,\"ts\":%u,\"dur\":%u},\n",
                            t, t, t, t % 1000, 500 + t % 300);
  g_string_append (s, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"big\"}}\n]}\n");
  g_file_set_contents (path, s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  g_string_free (s, TRUE);
  return path;
}

int
main (int argc, char *argv[])
{
  guint n_threads = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 65535;
  g_autofree char *dir = il_test_tmpdir_new ("interleave-bench-big");
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  IlApplication *app;
  IlTimelineView *timeline;
  GtkAdjustment *adj;
  struct rusage usage;
  gint64 begin;
  double open_ms, paint_ms;

  gtk_init ();
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      printf ("skipped: no display\n");
      return 0;
    }
  il_test_dbus_up ();
  window = il_test_window_open (&app);
  il_test_window_settle (window);
  timeline = il_window_get_timeline (window);
  path = write_chrome (dir, n_threads);
  file = g_file_new_for_path (path);

  begin = g_get_monotonic_time ();
  if (!il_window_open_file (window, file, &error))
    g_error ("%s", error->message);
  open_ms = (g_get_monotonic_time () - begin) / 1000.0;
  paint_ms = wait_paint_ms (begin, 0);
  printf ("threads: %u\n", n_threads);
  printf ("open_ms: %.1f\n", open_ms);
  printf ("open_to_first_paint_ms: %.1f\n", paint_ms);
  printf ("content_height_px: %d\n", il_timeline_view_get_content_height (timeline));

  adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (gtk_widget_get_ancestor (GTK_WIDGET (timeline), GTK_TYPE_SCROLLED_WINDOW)));
  begin = g_get_monotonic_time ();
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) / 2);
  printf ("scroll_paint_ms: %.1f\n", wait_paint_ms (begin, il_timeline_view_get_n_frames_with_spans (timeline)));

  begin = g_get_monotonic_time ();
  il_timeline_view_set_lane_filter (timeline, "worker-1234");
  printf ("filter_paint_ms: %.1f\n", wait_paint_ms (begin, il_timeline_view_get_n_frames_with_spans (timeline)));

  getrusage (RUSAGE_SELF, &usage);
  printf ("peak_rss_mb: %.0f\n", usage.ru_maxrss / 1024.0);
  fflush (stdout);

  if (g_getenv ("IL_BENCH_HOLD_S") != NULL)
    {
      gint64 until = g_get_monotonic_time () + atoi (g_getenv ("IL_BENCH_HOLD_S")) * G_USEC_PER_SEC;

      gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (gtk_widget_get_ancestor (il_window_get_lane_filter (window), GTK_TYPE_SEARCH_BAR)), TRUE);
      gtk_editable_set_text (GTK_EDITABLE (il_window_get_lane_filter (window)), "worker-1234");
      il_window_show_pane (window, FALSE);
      while (g_get_monotonic_time () < until)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
    }

  g_unlink (path);
  il_test_remove_tree (dir);
  return 0;
}
