/* test-live-stacks.c: lesson 10 run live in the real window: hovering a counting thread's running span while the program still runs names its Python function and file. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <adwaita.h>

#include "il-painter.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"
#include "il-trace-stacks.h"
#include "il-window-private.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;

/* What the test hovers: a running span of a counting thread of a run still live. */
typedef struct
{
  IlRunTrace *run;
  guint       worker;
  IlSpan      span;
} Target;

static gboolean
window_idle (gpointer data)
{
  return !il_window_get_busy (window);
}

/* A live run's counting thread (lane "cpu-0" or "cpu-1": the lesson's program names them) with
 * a running span that ended at least 100 ms before the run's newest span, and a stack sample of
 * its thread near it (the sampler takes one every 5-6 ms; on a loaded machine, at load 6-11, the
 * first spans came before its first sample of the thread, and a tooltip there has no code). The
 * longest such span. */
static gboolean
live_running_span (gpointer data)
{
  Target *target = data;
  GPtrArray *shown = il_window_get_shown (window);

  target->run = NULL;
  for (guint r = 0; r < shown->len; r++)
    {
      IlRunTrace *run = g_ptr_array_index (shown, r);
      gint64 newest = 0, best_len = 0;

      if (!il_run_trace_get_live (run))
        continue;
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          const IlLane *lane = il_run_trace_get_lane (run, w);
          guint n = il_lane_get_n_spans (lane);

          if (n > 0)
            newest = MAX (newest, il_lane_get_span (lane, n - 1)->end_ns);
        }
      for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
        {
          g_autofree char *label = il_painter_worker_label (run, w);
          const IlLane *lane = il_run_trace_get_lane (run, w);

          if (!g_str_has_prefix (label, "cpu-"))
            continue;
          for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
            {
              const IlSpan *s = il_lane_get_span (lane, i);

              IlTraceStacks *stacks = il_run_trace_get_stacks (run);
              IlStackSample sample;

              if (s->state == IL_STATE_RUNNING && s->end_ns - s->start_ns >= 2000000 &&
                  s->end_ns + 100000000 <= newest && s->end_ns - s->start_ns > best_len &&
                  stacks != NULL &&
                  il_trace_stacks_find_worker_sample (stacks, run, w, (s->start_ns + s->end_ns) / 2,
                                                      il_trace_stacks_get_max_gap_ns (stacks), &sample) &&
                  sample.n_frames > 0)
                {
                  best_len = s->end_ns - s->start_ns;
                  target->run = run;
                  target->worker = w;
                  target->span = *s;
                }
            }
        }
      if (target->run != NULL)
        return TRUE;
    }
  return FALSE;
}

/* The tooltip the pointer at the middle of the target span gets: its column, top to bottom,
 * until a point on the target's lane (named "cpu-N in pid …") is found. */
static char *
hover_target (const Target *target)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  int height = gtk_widget_get_height (GTK_WIDGET (timeline));
  g_autofree char *label = il_painter_worker_label (target->run, target->worker);
  g_autofree char *lane = g_strdup_printf ("%s in pid", label);
  gint64 t0, t1, mid = (target->span.start_ns + target->span.end_ns) / 2;
  double x0, x1, x;

  il_timeline_view_get_range (timeline, &t0, &t1, NULL);
  il_painter_get_time_area (width, height, il_timeline_view_get_runs (timeline),
                            il_timeline_view_get_paint_options (timeline), &x0, &x1);
  x = x0 + (double) (mid - t0) / (double) (t1 - t0) * (x1 - x0);
  for (int y = 0; y < height; y++)
    {
      char *tip = il_timeline_view_describe_point (timeline, x, y);

      if (tip != NULL && strstr (tip, lane) != NULL)
        return tip;
      g_free (tip);
    }
  return NULL;
}

static void
test_live_hover (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "10-python-gil-convoy.lesson", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *tip = NULL;
  guint repeat = g_settings_get_uint (settings, "lesson-repeat");
  Target target = { 0 };
  int saved, devnull;

  /* Three rounds: three convoy runs, each live for about half a second, to find a span in. */
  g_settings_set_uint (settings, "lesson-repeat", 3);
  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);
  il_window_set_prediction (window, "longer");
  /* The program prints its result on our stdout, which carries TAP. */
  fflush (stdout);
  saved = dup (STDOUT_FILENO);
  devnull = open ("/dev/null", O_WRONLY | O_CLOEXEC);
  dup2 (devnull, STDOUT_FILENO);
  close (devnull);

  g_action_group_activate_action (G_ACTION_GROUP (window), "run", NULL);
  il_test_wait_for (live_running_span, &target, 120, "a live counting thread's running span");
  /* The picture the pointer is over: laid out and painted as the user sees it. */
  il_test_window_settle (window);
  g_assert_true (live_running_span (&target));
  tip = hover_target (&target);
  /* Still running: this is the live picture, not the finished run's. */
  g_assert_true (il_run_trace_get_live (target.run));
  /* Its status says the threads the timeline shows, from the frame its lanes change on: a
   * frame's live update, then the two read before anything else can run. */
  {
    IlRunTrace *live = il_run_get_trace (window->run);
    g_autofree char *threads = NULL;
    const char *status;

    window->live_ui_due = TRUE;
    il_window_live_before_paint (NULL, window);
    threads = g_strdup_printf ("%u thread", il_run_trace_get_n_workers (live));
    status = gtk_label_get_label (window->status_label);
    g_test_message ("status: %s", status);
    g_assert_nonnull (strstr (status, threads));
  }
  if (g_getenv ("IL_TEST_SHOTS") != NULL)
    {
      AdwStyleManager *manager = adw_style_manager_get_default ();

      il_test_window_shot (GTK_WIDGET (window), "live-stacks-light");
      adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
      il_test_window_shot (GTK_WIDGET (window), "live-stacks-dark");
      adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
    }

  il_test_wait_for (window_idle, NULL, 120, "lesson 10's programs");
  fflush (stdout);
  dup2 (saved, STDOUT_FILENO);
  close (saved);
  g_settings_set_uint (settings, "lesson-repeat", repeat);

  g_assert_nonnull (tip);
  g_test_message ("live tooltip: %s", tip);
  g_assert_nonnull (strstr (tip, "Running"));
  /* The counting thread's code: compute() in the lesson's program, with its file and line, as
   * the innermost function or below it (the span may be where compute() names its OS thread
   * through ctypes first: "CDLL.__init__()  __init__.py:376", then "in compute()  …"). */
  g_assert_nonnull (strstr (tip, "compute()  gil_convoy.py:"));
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus = NULL;
  g_autofree char *python = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_setenv ("LANGUAGE", "C", TRUE);

  python = g_find_program_in_path ("python3");
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }
  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return g_test_run ();
    }

  bus = il_test_dbus_up ();
  settings = g_settings_new (APP_ID);
  window = il_test_window_open (&app);

  g_test_add_func ("/live-stacks/hover", test_live_hover);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  g_test_dbus_stop (bus);
  return ret;
}
