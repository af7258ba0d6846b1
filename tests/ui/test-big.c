/* test-big.c: the real window with files of any size (issue 18): thousands of threads, thousands of CPUs, every view, zoom, scroll, resize, the lane filter. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-layout.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;
static char *tmpdir;

/* A Chrome trace of @n_threads threads named "worker-N" in one process, a slice or two each. */
static char *
write_chrome (guint n_threads)
{
  g_autofree char *name = g_strdup_printf ("threads-%u.json", n_threads);
  char *path = g_build_filename (tmpdir, name, NULL);
  GString *s = g_string_new ("{\"traceEvents\":[\n");
  g_autoptr(GError) error = NULL;

  for (guint t = 1; t <= n_threads; t++)
    {
      g_string_append_printf (s, "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":%u,"
                              "\"args\":{\"name\":\"worker-%u\"}},\n", t, t);
      g_string_append_printf (s, "{\"ph\":\"X\",\"name\":\"job\",\"pid\":1,\"tid\":%u,"
                              "\"ts\":%u,\"dur\":%u},\n", t, t % 1000, 500 + t % 300);
      if (t % 2 == 0)
        g_string_append_printf (s, "{\"ph\":\"X\",\"name\":\"io\",\"pid\":1,\"tid\":%u,"
                                "\"ts\":%u,\"dur\":200},\n", t, 1500 + t % 700);
    }
  /* No trailing comma: a last metadata event closes the array. */
  g_string_append (s, "{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":1,\"tid\":0,\"args\":{\"name\":\"big\"}}\n]}\n");
  g_file_set_contents (path, s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  g_string_free (s, TRUE);
  return path;
}

/* The golden lesson-01 trace, its machine said to have @cpus CPUs. */
static char *
write_native (guint cpus)
{
  g_autofree char *golden = g_test_build_filename (G_TEST_DIST, "..", "golden", "lesson-01.interleave.json", NULL);
  g_autofree char *name = g_strdup_printf ("cpus-%u.interleave.json", cpus);
  g_autofree char *text = il_test_read_text (golden);
  g_autofree char *with = g_strdup_printf ("\"cpus\" : %u,", cpus);
  char *path = g_build_filename (tmpdir, name, NULL);
  const char *at = strstr (text, "\"cpus\" : 2,");
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (at);
  g_string_append_len (s, text, at - text);
  g_string_append (s, with);
  g_string_append (s, at + strlen ("\"cpus\" : 2,"));
  g_file_set_contents (path, s->str, (gssize) s->len, &error);
  g_assert_no_error (error);
  return path;
}

static GtkAdjustment *
timeline_vadjustment (void)
{
  GtkWidget *scroller = gtk_widget_get_ancestor (GTK_WIDGET (il_window_get_timeline (window)),
                                                 GTK_TYPE_SCROLLED_WINDOW);

  g_assert_nonnull (scroller);
  return gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scroller));
}

/* A frame of the timeline was drawn since @before, and it showed spans. */
static void
assert_painted_at (guint *before, int line)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  guint now;

  g_test_message ("step at line %d", line);
  il_test_window_settle (window);
  now = il_timeline_view_get_n_frames_with_spans (timeline);
  g_assert_cmpuint (now, >, *before);
  *before = now;
}

#define assert_painted(before) assert_painted_at ((before), __LINE__)

static void
resize (int width, int height)
{
  il_test_window_resize (window, width, height);
}

static void
activate (const char *action)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), action, NULL);
}

/* Opens @path and puts the window through what a user does with it: every view, zoom in and
 * out, scroll to the end and back, small and large; after each step the window drew spans. */
static void
exercise (const char *path)
{
  static const char *const views[] = { "show-workers", "show-cores", "show-strip" };
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  IlTimelineView *timeline = il_window_get_timeline (window);
  GtkAdjustment *adj;
  guint frames;

  resize (1280, 800);
  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  il_window_show_pane (window, FALSE);
  frames = il_timeline_view_get_n_frames_with_spans (timeline);
  assert_painted (&frames);

  /* Each view off and on again, alone and together. */
  for (guint v = 0; v < G_N_ELEMENTS (views); v++)
    {
      g_settings_set_boolean (settings, views[v], FALSE);
      il_test_window_settle (window);
      g_settings_set_boolean (settings, views[v], TRUE);
      assert_painted (&frames);
    }
  g_settings_set_boolean (settings, "show-workers", FALSE);
  g_settings_set_boolean (settings, "show-strip", FALSE);
  assert_painted (&frames);
  g_settings_set_boolean (settings, "show-workers", TRUE);
  g_settings_set_boolean (settings, "show-strip", TRUE);

  for (guint i = 0; i < 12; i++)
    {
      activate ("zoom-in");
      if (i % 4 == 3)
        il_test_window_settle (window);
    }
  assert_painted (&frames);
  for (guint i = 0; i < 16; i++)
    activate ("zoom-out");
  assert_painted (&frames);

  /* To the last lane and back. */
  adj = timeline_vadjustment ();
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
  assert_painted (&frames);
  activate ("zoom-in");
  assert_painted (&frames);
  gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj) / 2);
  assert_painted (&frames);
  gtk_adjustment_set_value (adj, 0);
  activate ("zoom-fit");
  assert_painted (&frames);

  /* About the smallest the window gets (its side pane and summary need the height). */
  resize (640, 600);
  assert_painted (&frames);
  gtk_adjustment_set_value (timeline_vadjustment (), gtk_adjustment_get_upper (timeline_vadjustment ()));
  assert_painted (&frames);
  resize (1600, 1000);
  assert_painted (&frames);
  resize (1280, 800);
  assert_painted (&frames);
  /* Each step queued frames: the window is alive and still draws the file. */
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
}

static void
test_threads_3300 (void)
{
  g_autofree char *path = write_chrome (3300);

  exercise (path);
  g_unlink (path);
}

static void
test_threads_65535 (void)
{
  g_autofree char *path = write_chrome (65535);

  exercise (path);
  g_unlink (path);
}

/* Rows of @kind in the timeline's layout. */
static guint
count_rows (IlRowKind kind)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  g_autoptr(IlLayout) layout = il_layout_new (1000, 600, il_timeline_view_get_runs (timeline),
                                              il_timeline_view_get_paint_options (timeline));
  guint n = 0;

  for (guint i = 0; i < layout->rows->len; i++)
    n += g_array_index (layout->rows, IlLayoutRow, i).kind == kind;
  return n;
}

static void
test_cpus (gconstpointer data)
{
  guint cpus = GPOINTER_TO_UINT (data);
  g_autofree char *path = write_native (cpus);
  IlTimelineView *timeline = il_window_get_timeline (window);

  exercise (path);
  /* Every shown run has a lane per CPU; the filter keeps core 7, 70 … 79 and 700 … 799. */
  g_assert_cmpuint (count_rows (IL_ROW_CORE), ==, cpus * il_timeline_view_get_runs (timeline)->len);
  il_timeline_view_set_lane_filter (timeline, "CORE 7");
  il_test_window_settle (window);
  g_assert_cmpuint (count_rows (IL_ROW_CORE), ==, 111 * il_timeline_view_get_runs (timeline)->len);
  g_assert_cmpuint (count_rows (IL_ROW_WORKER), ==, 0);
  il_timeline_view_set_lane_filter (timeline, NULL);
  g_unlink (path);
}

/* The worker lanes the timeline's layout keeps, by name. */
static GPtrArray *
shown_lane_names (void)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  GPtrArray *runs = il_timeline_view_get_runs (timeline);
  g_autoptr(IlLayout) layout = il_layout_new (1000, 600, runs, il_timeline_view_get_paint_options (timeline));
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);

      if (row->kind == IL_ROW_WORKER)
        g_ptr_array_add (names, il_run_trace_get_worker (g_ptr_array_index (runs, row->run), row->index)->name);
    }
  return names;
}

/* Ctrl+F's entry keeps the lanes whose name holds the text, in any case, and only those. */
static void
test_filter (void)
{
  g_autofree char *path = write_chrome (65535);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  IlTimelineView *timeline = il_window_get_timeline (window);
  GtkEditable *entry;
  GPtrArray *names;
  guint frames;

  resize (1280, 800);
  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  names = shown_lane_names ();
  g_assert_cmpuint (names->len, ==, 65535);
  g_ptr_array_unref (names);

  entry = GTK_EDITABLE (il_window_get_lane_filter (window));
  g_assert_nonnull (entry);
  activate ("find-lanes");
  il_test_window_settle (window);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (entry)));
  frames = il_timeline_view_get_n_frames_with_spans (timeline);
  gtk_editable_set_text (entry, "WORKER-1234");
  /* The entry waits for typing to pause before it says the text changed. */
  g_signal_emit_by_name (entry, "search-changed");
  assert_painted (&frames);
  names = shown_lane_names ();
  /* worker-1234 and worker-12340 … worker-12349. */
  g_assert_cmpuint (names->len, ==, 11);
  for (guint i = 0; i < names->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (names, i), "worker-1234"));
  g_ptr_array_unref (names);
  /* The view is as tall as what it keeps: no scrolling through 65 535 lanes' height. */
  g_assert_cmpfloat (gtk_adjustment_get_upper (timeline_vadjustment ()), <, 2000);

  gtk_editable_set_text (entry, "no such lane");
  g_signal_emit_by_name (entry, "search-changed");
  il_test_window_settle (window);
  names = shown_lane_names ();
  g_assert_cmpuint (names->len, ==, 0);
  g_ptr_array_unref (names);

  gtk_editable_set_text (entry, "");
  g_signal_emit_by_name (entry, "search-changed");
  il_test_window_settle (window);
  names = shown_lane_names ();
  g_assert_cmpuint (names->len, ==, 65535);
  g_ptr_array_unref (names);
  g_unlink (path);
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }

  bus = il_test_dbus_up ();
  tmpdir = il_test_tmpdir_new ("interleave-big");
  settings = g_settings_new (APP_ID);
  window = il_test_window_open (&app);

  g_test_add_func ("/big/threads-3300", test_threads_3300);
  g_test_add_func ("/big/threads-65535", test_threads_65535);
  g_test_add_data_func ("/big/cpus-2048", GUINT_TO_POINTER (2048), test_cpus);
  g_test_add_data_func ("/big/cpus-4096", GUINT_TO_POINTER (4096), test_cpus);
  g_test_add_func ("/big/filter", test_filter);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_test_dbus_stop (bus);
  return ret;
}
