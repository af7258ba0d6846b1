/* test-stacks.c: the real window with a traced Python program's sampled stacks: tooltips name the function and the GIL's holder, the functions table and its profile export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <glib/gstdio.h>

#include "il-functions-dialog.h"
#include "il-painter.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"
#include "il-trace-stacks.h"

static IlApplication *app;
static IlWindow *window;
static char *tmpdir;

/* The first tooltip at @t_ns holding @part, top to bottom. */
static char *
tooltip_at (gint64 t_ns, const char *part)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  int height = gtk_widget_get_height (GTK_WIDGET (timeline));
  gint64 t0, t1;
  double x0, x1, x;

  il_timeline_view_get_range (timeline, &t0, &t1, NULL);
  il_painter_get_time_area (width, height, il_timeline_view_get_runs (timeline),
                            il_timeline_view_get_paint_options (timeline), &x0, &x1);
  x = x0 + (double) (t_ns - t0) / (double) (t1 - t0) * (x1 - x0);
  for (int y = 0; y < height; y++)
    {
      char *tip = il_timeline_view_describe_point (timeline, x, y);

      if (tip != NULL && strstr (tip, part) != NULL)
        return tip;
      g_free (tip);
    }
  g_error ("no tooltip with “%s” at %" G_GINT64_FORMAT " ns", part, t_ns);
}

/* The middle of the longest span of lane @worker in @state. */
static gint64
longest_span (IlRunTrace *run, guint worker, IlState state)
{
  const IlLane *lane = il_run_trace_get_lane (run, worker);
  gint64 best = -1, best_len = 0;

  for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
    {
      const IlSpan *s = il_lane_get_span (lane, i);

      if (s->state == state && s->end_ns - s->start_ns > best_len)
        {
          best_len = s->end_ns - s->start_ns;
          best = (s->start_ns + s->end_ns) / 2;
        }
    }
  g_assert_cmpint (best, >=, 0);
  return best;
}

static IlFunctionsDialog *
find_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();   /* the toolkit's own */

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (IL_IS_FUNCTIONS_DIALOG (w))
        return IL_FUNCTIONS_DIALOG (w);
    }
  return NULL;
}

static void
test_stacks (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "stacks", "python-stacks.interleave.json", NULL);
  g_autofree char *profile = g_build_filename (tmpdir, "p.speedscope.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autofree char *running = NULL, *waiting = NULL, *holder_frame = NULL, *row = NULL, *text = NULL;
  IlRunTrace *run;
  IlTraceStacks *stacks;
  IlStackSample holder;
  IlFunctionsDialog *dialog;
  gint64 t;

  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "python-functions"));
  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  il_test_window_settle (window);
  run = g_ptr_array_index (il_timeline_view_get_runs (il_window_get_timeline (window)), 0);
  stacks = il_run_trace_get_stacks (run);
  g_assert_nonnull (stacks);

  /* cruncher-0 (lane 1) runs compute() all its life. */
  running = tooltip_at (longest_span (run, 1, IL_STATE_RUNNING), "cruncher-0 in pid");
  g_test_message ("running: %s", running);
  g_assert_nonnull (strstr (running, "compute()  worker.py:6\n  in step()  worker.py:10\n  in run()  threading.py:975"));

  /* Its longest GIL wait while another thread held the GIL says whose code that was. */
  t = -1;
  {
    const IlLane *lane = il_run_trace_get_lane (run, 1);
    gint64 best_len = 0;

    for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
      {
        const IlSpan *s = il_lane_get_span (lane, i);
        gint64 mid = (s->start_ns + s->end_ns) / 2;

        if (s->state == IL_STATE_GIL_WAIT && s->end_ns - s->start_ns > best_len &&
            il_trace_stacks_find_gil_holder (stacks, il_run_trace_get_worker (run, 1)->pid,
                                             il_run_trace_get_worker (run, 1)->tid, mid,
                                             il_trace_stacks_get_max_gap_ns (stacks), &holder))
          {
            best_len = s->end_ns - s->start_ns;
            t = mid;
          }
      }
  }
  g_assert_cmpint (t, >=, 0);
  g_assert_true (il_trace_stacks_find_gil_holder (stacks, il_run_trace_get_worker (run, 1)->pid,
                                                  il_run_trace_get_worker (run, 1)->tid, t,
                                                  il_trace_stacks_get_max_gap_ns (stacks), &holder));
  holder_frame = il_trace_stacks_format_frame (stacks, holder.frames[0]);
  waiting = tooltip_at (t, "cruncher-0 in pid");
  g_test_message ("gil-wait: %s", waiting);
  g_assert_nonnull (strstr (waiting, holder_frame));
  g_assert_true (g_str_has_prefix (holder_frame, "compute()  worker.py:"));

  /* The table, from the action its menu item and shortcut name. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "python-functions"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "python-functions", NULL);
  il_test_window_settle (window);
  dialog = find_dialog ();
  g_assert_nonnull (dialog);
  g_assert_cmpuint (il_functions_dialog_get_n_rows (dialog), ==, 4);
  row = il_functions_dialog_get_row (dialog, 0);
  g_test_message ("row 0: %s", row);
  g_assert_true (g_str_has_prefix (row, "compute()  worker.py:6\t"));
  g_assert_true (il_functions_dialog_save_profile (dialog, profile, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (profile, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\""));
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_unlink (profile);
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
  tmpdir = il_test_tmpdir_new ("interleave-stacks");
  window = il_test_window_open (&app);

  g_test_add_func ("/stacks/window", test_stacks);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_test_dbus_stop (bus);
  return ret;
}
