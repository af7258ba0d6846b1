/* test-window.c: the real window under Xvfb, driven through its actions like a user would. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "il-application.h"
#include "il-clock.h"
#include "il-batch.h"
#include "il-painter.h"
#include "il-export-dialog.h"
#include "il-format.h"
#include "il-layout.h"
#include "il-history-row.h"
#include "il-setup-pane.h"
#include "il-summary-view.h"
#include "il-sweep-view.h"
#include "il-timeline-view.h"
#include "il-trace-io.h"
#include "il-window.h"
#include "il-window-private.h"
#include "il-layout.h"
#include "il-task-details.h"
#include "il-timeline-keys.h"
#include "il-test-traces.h"
#include "il-test-util.h"
#include "il-test-window.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;
static char *tmpdir;

static gboolean
not_ticking (gpointer data)
{
  return !il_timeline_view_get_ticking (data);
}

static gboolean
window_idle (gpointer data)
{
  return !il_window_get_busy (window);
}

static gboolean
sweep_done (gpointer data)
{
  return !il_sweep_view_get_running (il_window_get_sweep_view (window));
}

static void
activate (const char *action)
{
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), action));
  g_action_group_activate_action (G_ACTION_GROUP (window), action, NULL);
}

/* Renders @widget as the screen shows it: its pixels (0xAARRGGBB, alpha ignored by the tests)
 * at widget coordinates, *@w by *@h. */
static guint32 *
widget_pixels (GtkWidget *widget, int *w, int *h)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  guint32 *pixels;

  *w = gtk_widget_get_width (widget);
  *h = gtk_widget_get_height (widget);
  g_assert_cmpint (*w, >, 100);
  g_assert_cmpint (*h, >, 100);
  gdk_paintable_snapshot (paintable, snapshot, *w, *h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, *w, *h));
  /* One texture pixel per widget pixel (Xvfb's scale 1): hit tests and pixels line up. */
  g_assert_cmpint (gdk_texture_get_width (texture), ==, *w);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, *h);
  pixels = g_new (guint32, (gsize) *w * *h);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) *w * 4);
  return pixels;
}

/* A running task's colour as a reader sees it (il-palette.c), written out so that a wrong palette
 * fails: even tasks Okabe–Ito blue, odd ones the same blue lightened toward white. */
static guint32
running_colour (IlTheme theme, int task)
{
  static const guint32 light[] = { 0x0072b2, 0x4799c8 };
  static const guint32 dark[] = { 0x3d9fe0, 0x77bce9 };

  return (theme == IL_THEME_DARK ? dark : light)[task & 1];
}

static gboolean
saw_live_frame_cb (gpointer data)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  guint *live_frames = data;

  if (il_timeline_view_get_live (timeline) && il_timeline_view_get_n_frames_with_spans (timeline) > 0)
    (*live_frames)++;
  return !il_window_get_busy (window);
}

/* What the window painted around each run's start (the newest shown run is the one starting). */
typedef struct
{
  IlRunTrace *run;
  gint64      prepared_origin_ns; /* the prepared run's origin: its start sets a new one */
  gint64      first_paint_ns;
  guint       full_before;        /* whole paints at the last frame before the start */
  guint       strips_before;
  gboolean    checked;            /* this run's first strip came */
  guint       n_runs;             /* runs whose first strip came */
  guint       full_to_strip;      /* whole paints from a start to its first strip, all runs */
} PaintWatch;

static void
watch_paint (GdkFrameClock *clock, PaintWatch *w)
{
  GPtrArray *shown = il_window_get_shown (window);
  IlRunTrace *run = shown->len > 0 ? g_ptr_array_index (shown, shown->len - 1) : NULL;
  guint full, strips;

  if (w->first_paint_ns == 0)
    w->first_paint_ns = il_clock_now_ns ();
  if (run == NULL)
    return;
  if (run != w->run)
    {
      w->run = run;
      w->prepared_origin_ns = il_run_trace_get_origin_ns (run);
      w->checked = FALSE;
    }
  il_timeline_view_get_paint_counts (il_window_get_timeline (window), &full, &strips);
  if (il_run_trace_get_origin_ns (run) == w->prepared_origin_ns)
    {
      w->full_before = full;
      w->strips_before = strips;
    }
  else if (!w->checked && strips > w->strips_before)
    {
      w->checked = TRUE;
      w->n_runs++;
      w->full_to_strip += full - w->full_before;
    }
}

static void
test_setup_and_run (void)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  IlSummaryView *summary = il_window_get_summary (window);
  GPtrArray *shown;
  IlRunTrace *run;
  const IlSummary *s;
  const IlRunConfig *config;
  guint live_frames = 0;
  g_autofree char *tooltip = NULL;
  int width, height;

  /* Set up: 2 threads, CPU work, 8 tasks of 100 ms (GSettings is what the pane follows). */
  il_test_window_set_run (settings, "threads", 2, 8, 100);
  il_test_window_settle (window);

  activate ("run");
  g_assert_true (il_window_get_busy (window));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "stop"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  /* The run is shown at once and started only once the window has painted it: laying it out
   * and painting it must not compete with its workers. */
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    PaintWatch watch = { 0 };
    gulong id;

    g_assert_cmpuint (il_window_get_shown (window)->len, ==, 1);
    run = g_ptr_array_index (il_window_get_shown (window), 0);
    g_assert_true (il_run_trace_get_live (run));
    watch.run = run;
    watch.prepared_origin_ns = il_run_trace_get_origin_ns (run);
    id = g_signal_connect (clock, "after-paint", G_CALLBACK (watch_paint), &watch);
    il_test_wait_for (saw_live_frame_cb, &live_frames, 60, "the run to finish");
    g_signal_handler_disconnect (clock, id);
    g_assert_cmpint (watch.first_paint_ns, >, 0);
    g_assert_cmpint (il_run_trace_get_origin_ns (run), >, watch.first_paint_ns);
    /* The picture painted before the start is the one the run goes on in: its range was set
     * when the run was shown, so the first live frame adds columns instead of painting it all
     * again on the run's time (which made two-thread runs 3 % slower in the window). */
    g_test_message ("whole paints from the start to the first strip: %u (%u runs)",
                    watch.full_to_strip, watch.n_runs);
    g_assert_cmpuint (watch.full_to_strip, ==, 0);
  }
  /* The timeline redrew while the run was recording, from its tick callback. */
  g_assert_cmpuint (live_frames, >, 0);
  /* Live frames painted only what changed onto the kept picture, not the whole picture. */
  {
    guint full, strips;

    il_timeline_view_get_paint_counts (timeline, &full, &strips);
    g_test_message ("live paints: %u whole, %u strips", full, strips);
    g_assert_cmpuint (full, >=, 1);
    g_assert_cmpuint (strips, >=, 1);
  }
  il_test_window_settle (window);

  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, 1);
  run = g_ptr_array_index (shown, 0);
  config = il_run_trace_get_config (run);
  g_assert_cmpint (config->executor, ==, IL_EXECUTOR_THREADS);
  g_assert_cmpuint (config->workers, ==, 2);
  g_assert_cmpuint (config->tasks, ==, 8);
  g_assert_false (il_run_trace_get_live (run));
  g_assert_cmpuint (il_run_trace_get_n_tasks (run), ==, 8);
  for (guint i = 0; i < 8; i++)
    g_assert_cmpint (il_run_trace_get_task (run, i)->status, ==, IL_TASK_OK);

  /* The summary shows the run's own numbers. */
  s = il_run_trace_get_summary (run);
  g_assert_nonnull (s);
  g_assert_cmpint (s->wall_ns, >, 0);
  g_assert_cmpint (s->cpu_ns, >, 0);
  g_assert_cmpfloat (s->avg_parallelism, >, 0.0);
  g_assert_cmpfloat (s->avg_parallelism, <=, 2.05);
  g_assert_cmpuint (s->max_parallelism, >=, 1);
  g_assert_cmpuint (s->max_parallelism, <=, 2);
  {
    g_autofree char *wall = il_clock_format_duration (s->wall_ns, IL_DURATION_SIGNIFICANT);
    char buf[32];

    g_assert_cmpstr (il_summary_view_get_value (summary, "wall", 0), ==, wall);
    g_snprintf (buf, sizeof buf, "%.2f", s->avg_parallelism);
    g_assert_cmpstr (il_summary_view_get_value (summary, "avg-parallelism", 0), ==, buf);
    g_snprintf (buf, sizeof buf, "%u", s->max_parallelism);
    g_assert_cmpstr (il_summary_view_get_value (summary, "max-parallelism", 0), ==, buf);
    g_assert_cmpstr (il_summary_view_get_value (summary, "speedup", 0), ==, "not measured");
  }
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "measure-speedup"));

  /* The timeline was drawn, in the palette's colours: in the worker lanes (the core lanes use
   * worker colours, one of them the same blue) the tasks' two running shades cover a good part
   * (the level of detail mixes states only where they share a pixel column). */
  g_assert_cmpuint (il_timeline_view_get_n_frames_with_spans (timeline), >, 0);
  {
    int w, h;
    g_autofree guint32 *pixels = widget_pixels (GTK_WIDGET (timeline), &w, &h);
    const IlPaintOptions *o = il_timeline_view_get_paint_options (timeline);
    g_autoptr(IlLayout) layout = il_layout_new (w, h, il_timeline_view_get_runs (timeline), o);
    guint shade[2] = { 0, 0 }, lanes = 0;

    for (guint r = 0; r < layout->rows->len; r++)
      {
        const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, r);

        if (row->kind != IL_ROW_WORKER)
          continue;
        for (int y = (int) ceil (row->y); y < (int) (row->y + row->h) && y < h; y++, lanes += w)
          for (int x = 0; x < w; x++)
            for (int parity = 0; parity < 2; parity++)
              shade[parity] += (pixels[(gsize) y * w + x] & 0xffffff) == running_colour (o->theme, parity);
      }
    g_test_message ("timeline: %u and %u pixels of the worker lanes' %u in the two running shades",
                    shade[0], shade[1], lanes);
    g_assert_cmpuint (lanes, >, 0);
    g_assert_cmpuint (shade[0], >, lanes / 100);
    g_assert_cmpuint (shade[1], >, lanes / 100);
  }

  /* Hovering a lane says which worker, task, state and CPU. */
  width = gtk_widget_get_width (GTK_WIDGET (timeline));
  height = gtk_widget_get_height (GTK_WIDGET (timeline));
  for (int y = 0; y < height && tooltip == NULL; y += 2)
    {
      tooltip = il_timeline_view_describe_point (timeline, width * 0.3, y);
      if (tooltip != NULL && strstr (tooltip, "Task") == NULL)
        g_clear_pointer (&tooltip, g_free);
    }
  g_assert_nonnull (tooltip);
  g_test_message ("tooltip: %s", tooltip);
  g_assert_nonnull (strstr (tooltip, "Worker"));
  g_assert_nonnull (strstr (tooltip, "lasts"));

  /* Clicking a task highlights it; clicking it again clears the highlight. */
  {
    int hr, ht, found_y = -1;

    for (int y = 0; y < height && found_y < 0; y += 2)
      {
        g_autofree char *text = il_timeline_view_describe_point (timeline, width * 0.3, y);
        if (text != NULL && strstr (text, "Task") != NULL)
          found_y = y;
      }
    g_assert_cmpint (found_y, >=, 0);
    il_timeline_view_click (timeline, width * 0.3, found_y);
    il_timeline_view_get_highlight (timeline, &hr, &ht);
    g_assert_cmpint (hr, ==, 0);
    g_assert_cmpint (ht, >=, 0);
    g_assert_cmpint (ht, <, 8);
    il_timeline_view_click (timeline, width * 0.3, found_y);
    il_timeline_view_get_highlight (timeline, &hr, &ht);
    g_assert_cmpint (ht, ==, -1);
  }

  /* The live redraw stops with the run: at its next frame (LIVE_FRAME_MS, 125 ms, after the last
   * one), which two display frames of settle() may not have reached on a busy machine. */
  il_test_wait_for (not_ticking, timeline, 20, "the live redraw to stop");
  g_assert_false (il_timeline_view_get_ticking (timeline));

  /* Zoom in, out and fit through the window's actions. */
  {
    gint64 t0, t1, f0, f1;
    gboolean fit;

    il_timeline_view_get_range (timeline, &f0, &f1, &fit);
    g_assert_true (fit);
    activate ("zoom-in");
    il_timeline_view_get_range (timeline, &t0, &t1, &fit);
    g_assert_false (fit);
    g_assert_cmpint (t1 - t0, <, (f1 - f0) * 0.7);
    il_timeline_view_pan (timeline, -0.5);
    {
      gint64 p0, p1;
      il_timeline_view_get_range (timeline, &p0, &p1, NULL);
      g_assert_cmpint (p0, <, t0);
      g_assert_cmpint (p1 - p0, ==, t1 - t0);
    }
    activate ("zoom-fit");
    il_timeline_view_get_range (timeline, &t0, &t1, &fit);
    g_assert_true (fit);
  }

  /* Screen readers get the run in words, with its figures. */
  {
    const char *description = il_timeline_view_get_description (timeline);
    g_autofree char *wall = il_clock_format_duration (s->wall_ns, IL_DURATION_SIGNIFICANT);

    g_test_message ("description: %s", description);
    g_assert_nonnull (strstr (description, "wall time"));
    g_assert_nonnull (strstr (description, wall));
  }
}

static gboolean
has_spans (gpointer data)
{
  GPtrArray *shown = il_window_get_shown (window);

  return shown->len > 0 && il_run_trace_get_n_spans (g_ptr_array_index (shown, 0)) > 20;
}

static gboolean
view_caught_up (gpointer data)
{
  IlRunTrace *live = data;
  gint64 t0, t1;

  il_timeline_view_get_range (il_window_get_timeline (window), &t0, &t1, NULL);
  return !il_run_trace_get_live (live) || t1 >= il_run_trace_get_end_ns (live) - (t1 - t0) / 10;
}

/* The live summary's figures are the timeline's: at one moment (no drain between), the table's
 * time so far, CPU time and waits are what the shown run's lanes hold (issue 20). */
static void
check_live_summary (void)
{
  IlRunTrace *live = g_ptr_array_index (il_timeline_view_get_runs (il_window_get_timeline (window)), 0);
  IlSummaryView *summary = il_window_get_summary (window);
  gint64 totals[IL_N_STATES] = { 0 };
  g_autofree char *wall = NULL, *so_far = NULL, *cpu = NULL, *ready = NULL, *gil = NULL;

  if (!il_run_trace_get_live (live))
    return;
  il_summary_view_update_live (summary);
  for (guint w = 0; w < il_run_trace_get_n_workers (live); w++)
    {
      const IlLane *lane = il_run_trace_get_lane (live, w);

      for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
        {
          const IlSpan *sp = il_lane_get_span (lane, i);
          totals[sp->state] += sp->end_ns - sp->start_ns;
        }
    }
  so_far = il_clock_format_duration (il_run_trace_get_end_ns (live), IL_DURATION_SIGNIFICANT);
  wall = g_strdup_printf ("running… %s", so_far);
  cpu = il_clock_format_duration (totals[IL_STATE_RUNNING], IL_DURATION_SIGNIFICANT);
  ready = il_clock_format_duration (totals[IL_STATE_READY], IL_DURATION_SIGNIFICANT);
  gil = il_clock_format_duration (totals[IL_STATE_GIL_WAIT], IL_DURATION_SIGNIFICANT);
  g_test_message ("live: table %s, %s CPU, %s ready; lanes %s, %s, %s",
                  il_summary_view_get_value (summary, "wall", 0),
                  il_summary_view_get_value (summary, "cpu", 0),
                  il_summary_view_get_value (summary, "ready", 0), wall, cpu, ready);
  g_assert_cmpstr (il_summary_view_get_value (summary, "wall", 0), ==, wall);
  g_assert_cmpstr (il_summary_view_get_value (summary, "cpu", 0), ==, cpu);
  g_assert_cmpstr (il_summary_view_get_value (summary, "ready", 0), ==, ready);
  g_assert_cmpstr (il_summary_view_get_value (summary, "gil-wait", 0), ==, gil);
}

static void
test_stop (void)
{
  IlRunTrace *run;
  const char *wall;

  /* 64 tasks of 100 ms on 2 threads would take 3 s; Stop ends it early and keeps what ran. */
  g_settings_set_uint (settings, "tasks", 64);
  il_test_window_settle (window);
  activate ("run");
  il_test_wait_for (has_spans, NULL, 60, "the first spans");
  g_assert_true (il_timeline_view_get_ticking (il_window_get_timeline (window)));
  check_live_summary ();

  /* Zoomed in while live, the view follows the newest time; panning back stops that. */
  {
    IlTimelineView *timeline = il_window_get_timeline (window);
    IlRunTrace *live = g_ptr_array_index (il_window_get_shown (window), 0);
    gint64 t0, t1;
    gboolean fit;

    il_timeline_view_zoom (timeline, 4.0);
    il_timeline_view_get_range (timeline, &t0, &t1, &fit);
    if (!fit && il_run_trace_get_live (live))
      {
        g_assert_true (il_timeline_view_get_following (timeline));
        /* New spans arrive between frames, so the view can lag by a frame or two on a busy
         * machine; following means it keeps catching up with the newest time. */
        il_test_wait_for (view_caught_up, live, 30, "the view to follow the newest time");
        il_timeline_view_pan (timeline, -0.5);
        g_assert_false (il_timeline_view_get_following (timeline));
      }
  }
  activate ("stop");
  il_test_wait_for (window_idle, NULL, 60, "the run to stop");
  run = g_ptr_array_index (il_window_get_shown (window), 0);
  g_assert_true (il_run_trace_get_cancelled (run));
  g_assert_false (il_run_trace_get_live (run));
  g_assert_cmpuint (il_run_trace_get_n_spans (run), >, 0);
  wall = il_summary_view_get_value (il_window_get_summary (window), "wall", 0);
  g_assert_nonnull (wall);
  g_assert_nonnull (strstr (wall, "stopped"));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "measure-speedup"));
  g_settings_set_uint (settings, "tasks", 8);
  il_test_window_settle (window);
}

static void
test_history_compare (void)
{
  GListModel *history = il_window_get_history (window);
  GtkWidget *list, *row;
  guint n_checked = 0;

  /* Ticking a second run in the history stacks both on one time scale. */
  g_assert_cmpuint (g_list_model_get_n_items (history), >=, 2);
  list = gtk_widget_get_first_child (GTK_WIDGET (window));
  (void) list;
  row = NULL;
  {
    /* Find the history rows by walking the widget tree. */
    GPtrArray *stack = g_ptr_array_new ();
    GPtrArray *rows = g_ptr_array_new ();

    g_ptr_array_add (stack, window);
    while (stack->len > 0)
      {
        GtkWidget *w = g_ptr_array_steal_index (stack, stack->len - 1);

        if (IL_IS_HISTORY_ROW (w))
          g_ptr_array_add (rows, w);
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          g_ptr_array_add (stack, c);
      }
    g_assert_cmpuint (rows->len, ==, g_list_model_get_n_items (history));
    for (guint i = 0; i < rows->len; i++)
      if (!il_history_row_get_checked (rows->pdata[i]))
        {
          row = rows->pdata[i];
          break;
        }
    for (guint i = 0; i < rows->len; i++)
      n_checked += il_history_row_get_checked (rows->pdata[i]);
    g_ptr_array_unref (stack);
    g_ptr_array_unref (rows);
  }
  g_assert_nonnull (row);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, n_checked);
  il_history_row_set_checked (IL_HISTORY_ROW (row), TRUE);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, n_checked + 1);
  g_assert_cmpuint (il_timeline_view_get_runs (il_window_get_timeline (window))->len, ==, n_checked + 1);
  g_assert_nonnull (il_summary_view_get_value (il_window_get_summary (window), "wall", n_checked));

  /* Activating a row shows that run alone. */
  g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 1);
  g_assert_true (g_ptr_array_index (il_window_get_shown (window), 0) ==
                 il_history_row_get_run (IL_HISTORY_ROW (row)));
}

static void
test_run_lesson_action (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "04-event-loop.lesson", NULL);
  GPtrArray *shown;

  /* What `interleave --run FILE.lesson` does: open the lesson and run it at once. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "run-lesson", g_variant_new_string (path));
  /* The window is on screen already, so the run starts at once. */
  g_assert_true (il_window_get_busy (window));
  g_assert_nonnull (il_window_get_lesson (window));
  il_test_wait_for (window_idle, NULL, 90, "the lesson's runs");
  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, il_lesson_get_n_runs (il_window_get_lesson (window)));
  /* The lesson has a sequential run: every run got its speedup against it. */
  for (guint i = 0; i < shown->len; i++)
    g_assert_true (isfinite (il_run_trace_get_summary (g_ptr_array_index (shown, i))->speedup));
}

static gboolean
trace_not_live (gpointer data)
{
  return !il_run_trace_get_live (data);
}

static gboolean
window_gone (gpointer data)
{
  return *(gpointer *) data == NULL;
}

static void
test_close_while_running (void)
{
  IlWindow *second = il_window_new (ADW_APPLICATION (app));
  g_autoptr(IlRunTrace) run = NULL;

  /* Closing a window with a run going stops the run; its late callback must not touch the
   * destroyed widgets (fatal-warnings turns any critical into a failure). */
  gtk_window_present (GTK_WINDOW (second));
  g_settings_set_uint (settings, "tasks", 32);
  g_action_group_activate_action (G_ACTION_GROUP (second), "run", NULL);
  g_assert_true (il_window_get_busy (second));
  run = il_run_trace_ref (g_ptr_array_index (il_window_get_shown (second), 0));
  gtk_window_close (GTK_WINDOW (second));
  g_object_add_weak_pointer (G_OBJECT (second), (gpointer *) &second);
  il_test_wait_for (trace_not_live, run, 60, "the stopped run to end");
  g_assert_true (il_run_trace_get_cancelled (run));
  /* The run's callback holds the last reference: the window goes once it has run. */
  il_test_wait_for (window_gone, &second, 60, "the closed window to be finalized");
  g_settings_set_uint (settings, "tasks", 8);
}

static int
thread_nice (int tid)
{
  g_autofree char *path = g_strdup_printf ("/proc/self/task/%d/stat", tid);
  g_autofree char *stat = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return G_MININT;   /* the thread has ended */
  /* Field 19 is the nice value; the name in parentheses may hold spaces, so count after it. */
  after = strrchr (stat, ')');
  fields = g_strsplit (after + 2, " ", -1);
  return atoi (fields[16]);
}

static void
test_oversubscribed_priority (void)
{
  IlRunTrace *run;
  guint checked = 0;

  /* 8 workers on one core: the window lowers their priority so it keeps drawing. */
  g_settings_set_string (settings, "cpus", "0");
  il_test_window_set_work (settings, 8, 32, 50);
  il_test_window_settle (window);
  activate ("run");
  il_test_wait_for (has_spans, NULL, 60, "the first spans");
  run = g_ptr_array_index (il_window_get_shown (window), 0);
  for (guint w = 0; w < il_run_trace_get_n_workers (run); w++)
    {
      int tid = il_run_trace_get_worker (run, w)->tid;
      int nice = tid > 0 ? thread_nice (tid) : G_MININT;

      if (nice != G_MININT && il_lane_get_n_spans (il_run_trace_get_lane (run, w)) > 0)
        {
          g_assert_cmpint (nice, ==, 19);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >, 0);
  activate ("stop");
  il_test_wait_for (window_idle, NULL, 60, "the run to stop");
  g_settings_set_string (settings, "cpus", "");
  il_test_window_set_work (settings, 2, 8, 100);
  il_test_window_settle (window);
}

/* The max-spans preference caps what a run keeps; the summary says where it was cut. */
static void
test_max_spans (void)
{
  IlRunTrace *run;

  g_settings_set_uint64 (settings, "max-spans", 10);
  il_test_window_set_work (settings, 2, 16, 5);
  il_test_window_settle (window);
  activate ("run");
  il_test_wait_for (window_idle, NULL, 60, "the run to finish");
  run = g_ptr_array_index (il_window_get_shown (window), 0);
  g_assert_cmpuint (il_run_trace_get_n_spans (run), ==, 10);
  g_assert_cmpuint (il_run_trace_get_truncated_at_spans (run), ==, 10);
  for (guint t = 0; t < il_run_trace_get_n_tasks (run); t++)
    g_assert_cmpint (il_run_trace_get_task (run, t)->status, ==, IL_TASK_OK);
  g_settings_reset (settings, "max-spans");
  g_settings_set_uint (settings, "tasks", 8);
  g_settings_set_double (settings, "task-ms", 100);
  il_test_window_settle (window);
}

static void
test_invalid_setup (void)
{
  IlSetupPane *pane = il_window_get_setup_pane (window);

  /* A GIL on processes is explained where it is made, and Run is off until it is fixed. */
  g_settings_set_string (settings, "executor", "processes");
  g_settings_set_boolean (settings, "gil", TRUE);
  il_test_window_settle (window);
  g_assert_false (il_setup_pane_get_valid (pane));
  g_assert_nonnull (il_setup_pane_get_problem (pane));
  g_assert_nonnull (strstr (il_setup_pane_get_problem (pane), "GIL"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));

  g_settings_set_boolean (settings, "gil", FALSE);
  g_settings_set_string (settings, "cpus", "none");
  il_test_window_settle (window);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  g_assert_nonnull (il_setup_pane_get_problem (pane));

  /* One click on a CPU toggle is "one core": the next run is pinned to it. */
  g_settings_set_string (settings, "cpus", "0");
  il_test_window_settle (window);
  {
    g_autoptr(IlRunConfig) config = il_setup_pane_get_config (pane);
    g_assert_true (il_setup_pane_get_valid (pane));
    g_assert_cmpuint (config->cpus->len, ==, 1);
    g_assert_cmpint (g_array_index (config->cpus, int, 0), ==, 0);
  }

  g_settings_set_string (settings, "cpus", "");
  g_settings_set_string (settings, "executor", "threads");
  il_test_window_settle (window);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
}

static void
test_measure_speedup (void)
{
  GPtrArray *shown = il_window_get_shown (window);
  IlRunTrace *run = g_ptr_array_index (shown, 0);
  guint history_before = g_list_model_get_n_items (il_window_get_history (window));
  const IlSummary *s;
  const char *text;

  activate ("measure-speedup");
  il_test_wait_for (window_idle, NULL, 60, "the sequential baseline");

  /* The compared run stays shown; the baseline joins the history. */
  g_assert_cmpuint (shown->len, ==, 1);
  g_assert_true (g_ptr_array_index (shown, 0) == run);
  g_assert_cmpuint (g_list_model_get_n_items (il_window_get_history (window)), ==, history_before + 1);
  s = il_run_trace_get_summary (run);
  g_assert_true (isfinite (s->speedup));
  g_assert_cmpfloat (s->speedup, >, 0.2);
  g_assert_cmpfloat (s->speedup, <, 3.0);
  text = il_summary_view_get_value (il_window_get_summary (window), "speedup", 0);
  g_assert_nonnull (text);
  /* Measured after the run, not with it: the speedup says which baseline it is against. */
  g_assert_true (g_str_has_suffix (text, "× (latest baseline)"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "measure-speedup"));
}

static void
test_lesson (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "03-one-core-vs-two.lesson", NULL);
  g_autoptr(GError) error = NULL;
  IlLesson *lesson;
  GPtrArray *shown;
  const char *answer;

  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);
  lesson = il_window_get_lesson (window);
  g_assert_nonnull (lesson);
  g_assert_cmpuint (il_lesson_get_n_runs (lesson), ==, 2);

  il_window_set_prediction (window, "one core takes twice as long");
  {
    GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (window));
    PaintWatch watch = { 0 };
    gulong id = g_signal_connect (clock, "after-paint", G_CALLBACK (watch_paint), &watch);

    activate ("run");
    il_test_wait_for (window_idle, NULL, 90, "the lesson's runs");
    g_signal_handler_disconnect (clock, id);
    /* Each run of the batch was painted whole before it started, in the range it then ran in:
     * the second run's range came from the tick already running for the first, one tick late,
     * and its first live frame repainted everything on the run's time. */
    g_test_message ("lesson: %u runs, whole paints from a start to its first strip: %u",
                    watch.n_runs, watch.full_to_strip);
    /* The 0.8 s one-core run has live frames however busy the machine; the 0.4 s one may end
     * before its first (4 a second) on a loaded one. */
    g_assert_cmpuint (watch.n_runs, >=, 1);
    g_assert_cmpuint (watch.full_to_strip, ==, 0);
  }
  il_test_window_settle (window);

  /* Run ran every run of the lesson in turn, stacked on one time scale. */
  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, 2);
  for (guint i = 0; i < shown->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (shown, i);
      const IlRunConfig *config = il_run_trace_get_config (run);

      g_assert_false (il_run_trace_get_live (run));
      g_assert_false (il_run_trace_get_cancelled (run));
      g_assert_cmpuint (config->tasks, ==, il_lesson_get_run_config (lesson, i)->tasks);
    }
  /* The one-core run keeps every running span on CPU 0 and never runs two at once. */
  {
    IlRunTrace *one = g_ptr_array_index (shown, 0);

    g_assert_cmpfloat (il_run_trace_get_summary (one)->avg_parallelism, <=, 1.05);
    for (guint w = 0; w < il_run_trace_get_n_workers (one); w++)
      {
        const IlLane *lane = il_run_trace_get_lane (one, w);

        for (guint i = 0; i < il_lane_get_n_spans (lane); i++)
          if (il_lane_get_span (lane, i)->state == IL_STATE_RUNNING)
            g_assert_cmpint (il_lane_get_span (lane, i)->cpu, ==, 0);
      }
  }
  /* The prediction and the lesson's answer are shown beside the result. */
  answer = il_summary_view_get_answer_text (il_window_get_summary (window));
  g_assert_nonnull (strstr (answer, "one core takes twice as long"));
  g_assert_nonnull (strstr (answer, il_lesson_get_answer (lesson)));
  g_assert_nonnull (il_summary_view_get_value (il_window_get_summary (window), "wall", 1));
  /* What other programs took is in the table, and the card says the comparison was disturbed
   * exactly when a run lost more than 10 % of its CPUs (this machine may be busy or not). */
  {
    gboolean disturbed = FALSE;

    for (guint i = 0; i < shown->len; i++)
      {
        disturbed |= il_run_trace_is_disturbed (g_ptr_array_index (shown, i));
        g_assert_nonnull (strstr (il_summary_view_get_value (il_window_get_summary (window), "other", i), "%"));
      }
    g_assert_true ((strstr (answer, "This comparison was disturbed") != NULL) == disturbed);
  }

  /* No sequential run in this lesson: its runs compare with its first run and say so, never
   * with a sequential run measured earlier in the session. */
  {
    IlSummaryView *summary = il_window_get_summary (window);

    g_assert_cmpstr (il_summary_view_get_value (summary, "speedup", 0), ==, "1.00× vs first run");
    g_assert_true (g_str_has_suffix (il_summary_view_get_value (summary, "speedup", 1), "× vs first run"));
    g_assert_cmpstr (il_summary_view_get_value (summary, "efficiency", 1), ==, "—");
    for (guint i = 0; i < shown->len; i++)
      g_assert_false (isfinite (il_run_trace_get_summary (g_ptr_array_index (shown, i))->speedup));
  }

  /* Export Lab Report: one PDF with the lesson and the prediction made before the runs. */
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "export-report"));
  {
    g_autofree char *report = g_build_filename (tmpdir, "report.pdf", NULL);
    g_autofree char *data = NULL;
    g_autofree char *text = NULL;
    g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
    gsize len;

    g_assert_true (il_window_write_report (window, report, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (report, &data, &len, NULL));
    g_assert_true (g_str_has_prefix (data, "%PDF-"));
    if (pdftotext != NULL)
      {
        const char *argv[] = { pdftotext, report, "-", NULL };
        int status;

        g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                     &text, NULL, &status, &error));
        g_assert_no_error (error);
        g_assert_nonnull (strstr (text, "one core takes twice as long"));
        g_assert_nonnull (strstr (text, "One cashier vs two"));
      }
    g_unlink (report);
  }
}

/* With a busy loop pinned to CPU 1 during "one core vs two", the two-core run lost much of core 1
 * to it, and the lesson card says the comparison was disturbed, by how much. */
static void
test_lesson_disturbed (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "03-one-core-vs-two.lesson", NULL);
  const char *hog_path = g_getenv ("IL_CPU_HOG");
  g_autoptr(GSubprocess) hog = NULL;
  g_autoptr(GError) error = NULL;
  IlRunTrace *two;
  const char *answer;

  if (hog_path == NULL || il_cpu_count () < 2)
    {
      g_test_skip ("needs the cpu-hog helper (IL_CPU_HOG) and two CPUs");
      return;
    }
  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);

  hog = il_test_hog_start (hog_path, 1, 60);

  activate ("run");
  il_test_wait_for (window_idle, NULL, 120, "the lesson's runs");
  g_subprocess_force_exit (hog);
  g_subprocess_wait (hog, NULL, NULL);
  il_test_window_settle (window);

  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 2);
  two = g_ptr_array_index (il_window_get_shown (window), 1);
  g_test_message ("two cores: other programs took %.0f %%", il_run_trace_get_summary (two)->other_share * 100);
  g_assert_cmpfloat (il_run_trace_get_summary (two)->other_share, >=, 0.30);
  answer = il_summary_view_get_answer_text (il_window_get_summary (window));
  g_assert_nonnull (strstr (answer, "This comparison was disturbed: other programs took"));
}

/* Efficiency is the speedup per worker: never above 100 % × the cores, whatever ran before. */
static void
assert_efficiencies_sound (void)
{
  IlSummaryView *summary = il_window_get_summary (window);
  GPtrArray *shown = il_window_get_shown (window);

  for (guint i = 0; i < shown->len; i++)
    {
      const char *text = il_summary_view_get_value (summary, "efficiency", i);

      g_test_message ("run %u: speedup %s, efficiency %s", i,
                      il_summary_view_get_value (summary, "speedup", i), text);
      if (g_strcmp0 (text, "—") != 0)
        g_assert_cmpfloat (g_ascii_strtod (text, NULL), <=, 100.0 * g_get_num_processors ());
    }
}

static void
test_lesson_repeat (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "02-io-threads.lesson", NULL);
  g_autoptr(GError) error = NULL;
  IlSummaryView *summary = il_window_get_summary (window);
  guint history_before = g_list_model_get_n_items (il_window_get_history (window));
  GPtrArray *shown;
  IlRunTrace *seq;

  /* Three rounds, alternating: each run shows its median with the range of the three. */
  g_settings_set_uint (settings, "lesson-repeat", 3);
  g_assert_true (il_window_open_lesson (window, path, &error));
  g_assert_no_error (error);
  activate ("run");
  il_test_wait_for (window_idle, NULL, 120, "the lesson's three rounds");
  il_test_window_settle (window);

  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, 2);
  /* Only the runs kept go to the history: one per configuration. */
  g_assert_cmpuint (g_list_model_get_n_items (il_window_get_history (window)), ==, history_before + 2);
  for (guint i = 0; i < shown->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (shown, i);
      const IlRepeat *repeat = il_run_trace_get_repeat (run);
      const char *wall = il_summary_view_get_value (summary, "wall", i);

      g_assert_nonnull (repeat);
      g_assert_cmpuint (repeat->count, ==, 3);
      g_assert_cmpuint (repeat->kept, <, 3);
      g_assert_cmpfloat (repeat->wall_ns[0], <=, il_run_trace_get_summary (run)->wall_ns);
      g_assert_cmpfloat (il_run_trace_get_summary (run)->wall_ns, <=, repeat->wall_ns[1]);
      /* "median (min–max)" */
      g_test_message ("wall: %s", wall);
      g_assert_nonnull (strstr (wall, " ("));
      g_assert_nonnull (strstr (wall, "–"));
    }
  seq = g_ptr_array_index (shown, 0);
  g_assert_cmpint (il_run_trace_get_config (seq)->executor, ==, IL_EXECUTOR_SEQUENTIAL);
  g_assert_cmpfloat (il_run_trace_get_summary (seq)->speedup, ==, 1.0);
  g_assert_true (g_str_has_prefix (il_summary_view_get_value (summary, "speedup", 0), "1.00×"));
  assert_efficiencies_sound ();

  /* Run again, once: the new sequential run is again exactly 1.00×, not a ratio to the first
   * session's baseline, and the threads' speedup comes from this batch's sequential run. */
  g_settings_set_uint (settings, "lesson-repeat", 1);
  activate ("run");
  il_test_wait_for (window_idle, NULL, 120, "the lesson again");
  il_test_window_settle (window);
  shown = il_window_get_shown (window);
  g_assert_cmpuint (shown->len, ==, 2);
  g_assert_null (il_run_trace_get_repeat (g_ptr_array_index (shown, 0)));
  g_assert_cmpfloat (il_run_trace_get_summary (g_ptr_array_index (shown, 0))->speedup, ==, 1.0);
  g_assert_cmpstr (il_summary_view_get_value (summary, "speedup", 0), ==, "1.00×");
  g_assert_cmpfloat_with_epsilon (il_run_trace_get_summary (g_ptr_array_index (shown, 1))->speedup,
                                  (double) il_run_trace_get_summary (g_ptr_array_index (shown, 0))->wall_ns /
                                  il_run_trace_get_summary (g_ptr_array_index (shown, 1))->wall_ns, 1e-9);
  assert_efficiencies_sound ();
}

static guint32
read_be32 (const guchar *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
test_export (void)
{
  g_autofree char *png = g_build_filename (tmpdir, "lesson.png", NULL);
  g_autofree char *svg = g_build_filename (tmpdir, "lesson.svg", NULL);
  g_autofree char *json = g_build_filename (tmpdir, "lesson.interleave.json", NULL);
  g_autofree char *csv = g_build_filename (tmpdir, "lesson.csv", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(IlTrace) trace = NULL;
  IlExportDialog *dialog;
  gsize len;
  guint history_before;

  /* The dialog remembers its choices in GSettings and suggests a name after the lesson. */
  g_settings_set_string (settings, "export-format", "png");
  dialog = il_export_dialog_new (window);
  g_assert_cmpstr (il_export_dialog_get_format (dialog), ==, "png");
  {
    g_autofree char *name = il_export_dialog_suggest_name (dialog);
    g_assert_cmpstr (name, ==, "03-one-core-vs-two.png");
  }
  gtk_window_destroy (GTK_WINDOW (dialog));

  g_settings_set_int (settings, "export-width", 1000);
  g_settings_set_int (settings, "export-height", 600);
  g_settings_set_double (settings, "export-scale", 2.0);
  g_settings_set_string (settings, "export-theme", "dark");
  g_assert_true (il_window_export_to (window, "png", png, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (png, &data, &len, &error));
  g_assert_cmpuint (len, >, 10000);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  /* IHDR: width and height at the export scale */
  g_assert_cmpuint (read_be32 ((guchar *) data + 16), ==, 2000);
  g_assert_cmpuint (read_be32 ((guchar *) data + 20), ==, 1200);

  /* Zoomed in, the picture shows what is in sight: a different image at the same size. */
  {
    g_autofree char *zoomed = g_build_filename (tmpdir, "zoomed.png", NULL);
    g_autofree char *zdata = NULL;
    gsize zlen;

    il_timeline_view_zoom (il_window_get_timeline (window), 4.0);
    g_assert_true (il_window_export_to (window, "png", zoomed, &error));
    g_assert_no_error (error);
    g_assert_true (g_file_get_contents (zoomed, &zdata, &zlen, &error));
    g_assert_cmpuint (read_be32 ((guchar *) zdata + 16), ==, 2000);
    g_assert_true (zlen != len || memcmp (zdata, data, len) != 0);
    il_timeline_view_fit (il_window_get_timeline (window));
  }
  g_clear_pointer (&data, g_free);

  /* Slide presets set the size rows and the settings behind them. */
  dialog = il_export_dialog_new (window);
  il_export_dialog_set_preset (dialog, 1);
  g_assert_cmpint (g_settings_get_int (settings, "export-width"), ==, 1920);
  g_assert_cmpint (g_settings_get_int (settings, "export-height"), ==, 1080);
  g_assert_cmpfloat (g_settings_get_double (settings, "export-scale"), ==, 2.0);
  il_export_dialog_set_preset (dialog, 2);
  g_assert_cmpint (g_settings_get_int (settings, "export-width"), ==, 1440);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_settings_set_int (settings, "export-width", 1000);
  g_settings_set_int (settings, "export-height", 600);

  g_assert_true (il_window_export_to (window, "svg", svg, &error));
  g_assert_true (g_file_get_contents (svg, &data, &len, &error));
  g_assert_nonnull (strstr (data, "<svg"));
  g_clear_pointer (&data, g_free);

  g_assert_true (il_window_export_to (window, "csv", csv, &error));
  g_assert_true (g_file_get_contents (csv, &data, &len, &error));
  g_assert_true (g_str_has_prefix (data, "run,"));
  g_clear_pointer (&data, g_free);

  /* Saved runs open again into the history and are shown stacked. */
  g_assert_true (il_window_export_to (window, "json", json, &error));
  g_assert_no_error (error);
  trace = il_trace_load (json, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (il_trace_get_n_runs (trace), ==, 2);
  history_before = g_list_model_get_n_items (il_window_get_history (window));
  g_assert_true (il_window_open_trace (window, json, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (il_window_get_history (window)), ==, history_before + 2);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 2);

  /* Its Chrome export opens the same way (Open and a drop both go through open_file), and so
   * does another tool's Chrome trace, shown without core lanes it does not have. */
  {
    g_autofree char *chrome = g_build_filename (g_get_tmp_dir (), "il-test-window.chrome.json", NULL);
    g_autofree char *viz = g_test_build_filename (G_TEST_DIST, "..", "chrome", "viztracer.json", NULL);
    g_autoptr(GFile) chrome_file = g_file_new_for_path (chrome);
    g_autoptr(GFile) viz_file = g_file_new_for_path (viz);
    IlRunTrace *run;

    g_assert_true (il_window_export_to (window, "chrome", chrome, &error));
    g_assert_no_error (error);
    history_before = g_list_model_get_n_items (il_window_get_history (window));
    g_assert_true (il_window_open_file (window, chrome_file, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (il_window_get_history (window)), ==, history_before + 2);
    g_assert_cmpuint (il_window_get_shown (window)->len, ==, 2);
    g_assert_true (il_run_trace_has_cpu_data (g_ptr_array_index (il_window_get_shown (window), 0)));

    g_assert_true (il_window_open_file (window, viz_file, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (il_window_get_shown (window)->len, ==, 1);
    run = g_ptr_array_index (il_window_get_shown (window), 0);
    g_assert_cmpstr (il_run_trace_get_config (run)->source, ==, "chrome-trace");
    g_assert_cmpstr (il_run_trace_get_worker (run, 0)->name, ==, "MainThread");
    g_assert_false (il_layout_run_has_cores (run));
    il_test_window_settle (window);
    /* Hovering a slice names it and its thread, as the file does. */
    {
      IlTimelineView *timeline = il_window_get_timeline (window);
      int width = gtk_widget_get_width (GTK_WIDGET (timeline));
      int height = gtk_widget_get_height (GTK_WIDGET (timeline));
      g_autofree char *tip = NULL;

      for (int y = 0; y < height && tip == NULL; y += 2)
        {
          tip = il_timeline_view_describe_point (timeline, width * 0.6, y);
          if (tip != NULL && strstr (tip, "lock.acquire") == NULL)
            g_clear_pointer (&tip, g_free);
        }
      g_assert_nonnull (tip);
      g_assert_nonnull (strstr (tip, "MainThread"));
      /* And the whole stack there, outermost first, from whichever of its thread's rows. */
      g_assert_nonnull (strstr (tip, "Stack here"));
      g_assert_nonnull (strstr (tip, "\n1. main ("));
      g_assert_true (strstr (tip, "\n1. main (") < strstr (tip, ". lock.acquire ("));
    }
    g_unlink (chrome);
  }

  g_unlink (png);
  g_unlink (svg);
  g_unlink (csv);
  g_unlink (json);
}

static void
test_sweep (void)
{
  IlSweepView *view = il_window_get_sweep_view (window);
  g_autoptr(GError) error = NULL;
  const IlSweep *sweep;

  g_action_group_activate_action (G_ACTION_GROUP (window), "close-lesson", NULL);
  g_settings_set_uint (settings, "tasks", 4);
  g_settings_set_double (settings, "task-ms", 20);
  /* Measured twice, alternating: each point gets the range of its two rounds. */
  g_settings_set_uint (settings, "sweep-repeat", 2);
  il_test_window_settle (window);
  il_sweep_view_set_counts (view, "1, 2");
  g_assert_true (il_sweep_view_run (view, &error));
  g_assert_no_error (error);
  il_test_wait_for (sweep_done, NULL, 120, "the sweep");
  g_settings_set_uint (settings, "sweep-repeat", 1);
  sweep = il_sweep_view_get_sweep (view);
  g_assert_nonnull (sweep);
  g_assert_cmpuint (sweep->worker_counts->len, ==, 2);
  g_assert_cmpuint (sweep->series->len, ==, 3);   /* threads, threads + GIL, processes */
  g_assert_cmpint (sweep->baseline_ns, >, 0);
  g_assert_cmpuint (sweep->repeat, ==, 2);
  for (guint k = 0; k < sweep->series->len; k++)
    {
      const IlSweepSeries *series = g_ptr_array_index (sweep->series, k);

      for (guint i = 0; i < 2; i++)
        {
          double lo = g_array_index (series->speedup_min, double, i);
          double hi = g_array_index (series->speedup_max, double, i);

          g_assert_true (isfinite (lo) && isfinite (hi));
          g_assert_cmpfloat (lo, >, 0);
          g_assert_cmpfloat (lo, <=, hi);
        }
    }
  /* The exported chart has the range bars: drawn with them and without, the pictures differ,
   * and only in narrow columns at the worker counts. */
  {
    cairo_surface_t *with = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 800, 500);
    cairo_surface_t *without = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 800, 500);
    cairo_t *cr;
    guint32 *a, *b;
    guint differ = 0, columns = 0;
    int stride;

    cr = cairo_create (with);
    il_painter_draw_sweep (cr, 800, 500, sweep, IL_THEME_LIGHT);
    cairo_destroy (cr);
    ((IlSweep *) sweep)->repeat = 1;
    cr = cairo_create (without);
    il_painter_draw_sweep (cr, 800, 500, sweep, IL_THEME_LIGHT);
    cairo_destroy (cr);
    ((IlSweep *) sweep)->repeat = 2;
    cairo_surface_flush (with);
    cairo_surface_flush (without);
    a = (guint32 *) (gpointer) cairo_image_surface_get_data (with);
    b = (guint32 *) (gpointer) cairo_image_surface_get_data (without);
    stride = cairo_image_surface_get_stride (with) / 4;
    for (int x = 0; x < 800; x++)
      {
        gboolean col = FALSE;

        for (int y = 0; y < 500; y++)
          if ((a[y * stride + x] & 0xffffff) != (b[y * stride + x] & 0xffffff))
            {
              differ++;
              col = TRUE;
            }
        columns += col;
      }
    g_test_message ("range bars: %u pixels in %u columns", differ, columns);
    g_assert_cmpuint (differ, >, 20);
    /* Two worker counts, caps a few pixels wide: far from the whole width. */
    g_assert_cmpuint (columns, <, 80);
    cairo_surface_destroy (with);
    cairo_surface_destroy (without);
  }

  il_sweep_view_set_counts (view, "1, two");
  g_assert_false (il_sweep_view_run (view, &error));
  g_assert_error (error, IL_ERROR, IL_ERROR_INVALID);
}

/* TRUE when @widget is drawn and lies wholly inside the window (not clipped off its edge). */
static gboolean
shown_in_window (GtkWidget *widget)
{
  graphene_rect_t b;
  int ww = gtk_widget_get_width (GTK_WIDGET (window));
  int wh = gtk_widget_get_height (GTK_WIDGET (window));

  if (!gtk_widget_is_drawable (widget) || !gtk_widget_get_child_visible (widget) ||
      !gtk_widget_compute_bounds (widget, GTK_WIDGET (window), &b))
    return FALSE;
  return b.size.width > 0 && b.size.height > 0 && b.origin.x >= -0.5 && b.origin.y >= -0.5 &&
         b.origin.x + b.size.width <= ww + 0.5 && b.origin.y + b.size.height <= wh + 0.5;
}

/* Whether some widget for @action is on screen in the window; also sets *@ancestors_ok. */
static gboolean
action_shown (GtkWidget *root, const char *action)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_ACTIONABLE (child) &&
          g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0 &&
          shown_in_window (child))
        return TRUE;
      if (action_shown (child, action))
        return TRUE;
    }
  return FALSE;
}

static gboolean
pane_revealed (gpointer data)
{
  return adw_flap_get_reveal_progress (window->flap) >= 1.0;
}

/* Folded: hidden; side by side: shown (the flap never hides there). */
static gboolean
pane_settled (gpointer data)
{
  double p = adw_flap_get_reveal_progress (window->flap);

  return adw_flap_get_folded (window->flap) ? p <= 0.0 : p >= 1.0;
}

static gboolean
window_has_size (gpointer data)
{
  const int *size = data;

  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  /* The surface's size: the window's own is a few pixels less (its resize borders). */
  return surface != NULL && gtk_widget_get_mapped (GTK_WIDGET (window)) &&
         gdk_surface_get_width (surface) == size[0] && gdk_surface_get_height (surface) == size[1];
}

/* At 800×600, 1024×700 and 1280×800, with three stacked runs of eight workers: every action's
 * control is on screen (the side pane folds away, the Export button squeezes to an icon), every
 * lane keeps the height its label needs (the timeline scrolls instead), the summary keeps its
 * first column in sight, and the side pane comes back with its controls. */
static void
test_adaptive (void)
{
  static const int sizes[][2] = { { 800, 600 }, { 1024, 700 }, { 1280, 800 } };
  static const char *const actions[] = {
    "win.run", "win.stop", "win.export", "win.zoom-in", "win.zoom-out", "win.zoom-fit",
    "win.show-workers", "win.show-cores", "win.show-strip",
  };
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  IlTimelineView *timeline = il_window_get_timeline (window);

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *label = g_strdup_printf ("run %u: 8 threads", i + 1);
      g_ptr_array_add (runs, il_test_trace_schedule (label, IL_EXECUTOR_THREADS, i == 0, 8, 2, 16,
                                                     20000000, 5000000, 0));
    }

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      int width, height, min_height;
      g_autoptr(IlLayout) layout = NULL;
      GtkWidget *first_name;

      g_test_message ("%d×%d", sizes[s][0], sizes[s][1]);
      /* A mapped window keeps its size; shown again, it takes the default size. */
      gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
      gtk_window_set_default_size (GTK_WINDOW (window), sizes[s][0], sizes[s][1]);
      gtk_window_present (GTK_WINDOW (window));
      il_test_wait_for (window_has_size, (gpointer) sizes[s], 20, "the window's new size");
      il_window_show_runs (window, runs);
      il_window_show_pane (window, FALSE);
      il_test_wait_for (pane_settled, NULL, 20, "the side pane to fold away");
      /* The header as it is while a run goes on: Stop shows beside Run. */
      gtk_widget_set_visible (GTK_WIDGET (window->stop_button), TRUE);
      il_test_window_settle (window);
      il_test_window_settle (window);

      /* The timeline gets the room when the pane would squeeze it below its minimum. */
      g_assert_true (adw_flap_get_folded (window->flap) == (sizes[s][0] < 900));
      for (guint a = 0; a < G_N_ELEMENTS (actions); a++)
        {
          if (!action_shown (GTK_WIDGET (window), actions[a]))
            g_error ("%d×%d: no control for %s on screen", sizes[s][0], sizes[s][1], actions[a]);
        }
      g_assert_true (shown_in_window (GTK_WIDGET (window->lessons_button)));
      gtk_widget_set_visible (GTK_WIDGET (window->stop_button), FALSE);

      /* Every lane as tall as its label needs; the picture the view scrolls through is at
       * least the height that takes. */
      width = gtk_widget_get_width (GTK_WIDGET (timeline));
      height = il_timeline_view_get_content_height (timeline);
      layout = il_layout_new (width, height, runs, il_timeline_view_get_paint_options (timeline));
      g_assert_cmpfloat (il_layout_min_lane_h (layout), >=, IL_LAYOUT_MIN_LANE_H);
      g_assert_cmpuint (layout->rows->len, ==, 3 * (8 + 2 + 1));
      min_height = il_layout_min_height (width, runs, il_timeline_view_get_paint_options (timeline));
      g_assert_cmpint (height, >=, min_height);
      g_assert_cmpint (min_height, >, 300);

      /* The summary names every run in sight: no first column lost to a scroll position. */
      for (guint r = 0; r < runs->len; r++)
        {
          const char *name = il_run_trace_get_label (g_ptr_array_index (runs, r));

          first_name = NULL;
          for (GtkWidget *cell = gtk_widget_get_first_child (il_summary_view_get_table (window->summary));
               cell != NULL; cell = gtk_widget_get_next_sibling (cell))
            if (GTK_IS_LABEL (cell) && strcmp (gtk_label_get_label (GTK_LABEL (cell)), name) == 0)
              first_name = cell;
          g_assert_nonnull (first_name);
          if (!shown_in_window (first_name))
            g_error ("%d×%d: the summary hides “%s”", sizes[s][0], sizes[s][1], name);
        }

      /* The side pane comes back over (or beside) the timeline with the prediction and set-up. */
      il_window_show_pane (window, TRUE);
      il_test_wait_for (pane_revealed, NULL, 20, "the side pane");
      il_test_window_settle (window);
      g_assert_true (adw_flap_get_reveal_flap (window->flap));
      /* The pane (it scrolls within itself) lies wholly in the window. */
      g_assert_true (shown_in_window (gtk_widget_get_ancestor (GTK_WIDGET (window->setup_pane),
                                                               GTK_TYPE_SCROLLED_WINDOW)));
    }

  /* A highlighted task is told in words under the toolbar: its total and where it went. */
  il_timeline_view_set_highlight (timeline, 0, 0);
  il_test_window_settle (window);
  {
    const char *details = gtk_label_get_label (window->details_label);
    gint64 start, end, totals[IL_N_STATES];
    g_autofree char *took = NULL;

    g_assert_true (il_task_details_totals (g_ptr_array_index (runs, 0), 0, &start, &end, totals));
    took = il_clock_format_duration (end - start, IL_DURATION_SIGNIFICANT);
    g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window->details_label)));
    g_assert_true (g_str_has_prefix (details, "Task 0 of “run 1: 8 threads”: "));
    g_assert_nonnull (strstr (details, took));
    /* Under the GIL the task ran and waited for the lock: both parts are named. */
    g_assert_cmpint (totals[IL_STATE_RUNNING], >, 0);
    g_assert_cmpint (totals[IL_STATE_GIL_WAIT], >, 0);
    g_assert_nonnull (strstr (details, "Running: "));
    g_assert_nonnull (strstr (details, "GIL wait: "));
  }
  il_timeline_view_set_highlight (timeline, -1, -1);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window->details_label)));

  /* By keyboard: Down puts the ring on the first lane and names it with its totals, Right goes
   * to its first task, Enter highlights that task like a click; the accessible label follows. */
  {
    g_autofree char *lane = NULL;
    g_autofree char *task = NULL;
    int run, hl;

    gtk_widget_grab_focus (GTK_WIDGET (timeline));
    il_timeline_keys_move (GTK_WIDGET (timeline), 1, 0);
    lane = il_timeline_keys_describe (GTK_WIDGET (timeline));
    g_assert_nonnull (lane);
    g_assert_true (g_str_has_prefix (lane, "worker 0 of “run 1: 8 threads”: 2 tasks — Running: "));
    il_timeline_keys_move (GTK_WIDGET (timeline), 1, 0);
    g_clear_pointer (&lane, g_free);
    lane = il_timeline_keys_describe (GTK_WIDGET (timeline));
    g_assert_true (g_str_has_prefix (lane, "worker 1 of “run 1: 8 threads”"));
    il_timeline_keys_move (GTK_WIDGET (timeline), 0, 1);
    task = il_timeline_keys_describe (GTK_WIDGET (timeline));
    g_assert_true (g_str_has_prefix (task, "Task 1 of “run 1: 8 threads”: "));
    g_assert_true (il_timeline_keys_activate (GTK_WIDGET (timeline)));
    il_timeline_view_get_highlight (timeline, &run, &hl);
    g_assert_cmpint (run, ==, 0);
    g_assert_cmpint (hl, ==, 1);
    g_assert_true (g_str_has_prefix (gtk_label_get_label (window->details_label), "Task 1 of "));
    /* Core lanes say how long the run's workers used them. */
    il_timeline_keys_move (GTK_WIDGET (timeline), 7, 0);
    g_clear_pointer (&lane, g_free);
    lane = il_timeline_keys_describe (GTK_WIDGET (timeline));
    g_assert_true (g_str_has_prefix (lane, "core 0 of “run 1: 8 threads”: the run’s workers ran on it "));
    il_timeline_view_set_highlight (timeline, -1, -1);
  }

  /* A zoom the user chose survives the same runs shown again (a run ending, a batch going on);
   * other runs start fitted. */
  {
    gint64 t0, t1, z0, z1;
    gboolean fit;
    g_autoptr(GPtrArray) two = g_ptr_array_new ();

    il_timeline_view_zoom (timeline, 4.0);
    il_timeline_view_get_range (timeline, &z0, &z1, &fit);
    g_assert_false (fit);
    il_window_show_runs (window, runs);
    il_timeline_view_get_range (timeline, &t0, &t1, &fit);
    g_assert_false (fit);
    g_assert_cmpint (t0, ==, z0);
    g_assert_cmpint (t1, ==, z1);
    g_ptr_array_add (two, g_ptr_array_index (runs, 1));
    g_ptr_array_add (two, g_ptr_array_index (runs, 2));
    il_window_show_runs (window, two);
    il_timeline_view_get_range (timeline, &t0, &t1, &fit);
    g_assert_true (fit);
  }

  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  il_window_show_pane (window, TRUE);
  {
    g_autoptr(GPtrArray) none = g_ptr_array_new ();
    il_window_show_runs (window, none);
  }
  il_test_window_settle (window);
}

static gboolean
prediction_focused (gpointer data)
{
  GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (window));

  return focus != NULL && (focus == data || gtk_widget_is_ancestor (focus, data));
}

/* `interleave --run LESSON` (the app's open-lesson action): the lesson opens with the prediction
 * field focused and nothing runs until Run is pressed. */
static void
test_predict_first (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("IL_LESSONS_DIR"), "02-io-threads.lesson", NULL);

  g_action_group_activate_action (G_ACTION_GROUP (app), "open-lesson", g_variant_new_string (path));
  g_assert_nonnull (il_window_get_lesson (window));
  g_assert_cmpstr (il_lesson_get_id (il_window_get_lesson (window)), ==, "02-io-threads");
  il_test_wait_for (prediction_focused, window->prediction_view, 20, "the prediction field's focus");
  il_test_wait_for (pane_revealed, NULL, 20, "the side pane");
  il_test_window_settle (window);
  g_assert_false (il_window_get_busy (window));
  /* A new lesson starts from an empty view that asks for the prediction. */
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 0);
  g_assert_cmpstr (adw_status_page_get_title (window->empty_page), ==, "Predict First");
  g_assert_true (shown_in_window (GTK_WIDGET (window->prediction_view)));
  /* Lab mode (--run): Run waits for a prediction, white space is none, and the note says so. */
  g_assert_true (il_window_get_lab_mode (window));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  g_assert_nonnull (strstr (gtk_label_get_label (window->prediction_note), "Lab mode"));
  il_window_set_prediction (window, "  \n\t ");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  il_window_set_prediction (window, "The threads overlap their waits,\nso about a quarter of the time.");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "run"));
  g_assert_null (strstr (gtk_label_get_label (window->prediction_note), "Lab mode"));
  il_window_set_lab_mode (window, FALSE);
  activate ("close-lesson");
  /* The prediction was about that lesson: it goes with it. */
  {
    g_autofree char *left = il_window_get_prediction (window);
    g_assert_cmpstr (left, ==, "");
  }
  g_assert_null (il_window_get_lesson (window));
  g_assert_cmpstr (adw_status_page_get_title (window->empty_page), ==, "Make Concurrency Visible");
}

/* Typed numbers are rounded as shown; text is refused with a message where it was typed; the
 * worker count is off for a sequential run. */
static void
test_inputs (void)
{
  IlSetupPane *pane = il_window_get_setup_pane (window);
  GtkSpinButton *workers = il_setup_pane_get_spin (pane, "workers");
  g_autoptr(IlRunConfig) config = NULL;
  GtkWidget *row;

  g_settings_set_string (settings, "executor", "threads");
  il_test_window_settle (window);
  gtk_editable_set_text (GTK_EDITABLE (workers), "3.7");
  gtk_spin_button_update (workers);
  config = il_setup_pane_get_config (pane);
  g_assert_cmpuint (config->workers, ==, 4);
  g_assert_null (il_setup_pane_get_input_message (pane));
  g_clear_pointer (&config, il_run_config_free);

  gtk_editable_set_text (GTK_EDITABLE (workers), "abc");
  gtk_spin_button_update (workers);
  config = il_setup_pane_get_config (pane);
  g_assert_cmpuint (config->workers, ==, 4);
  g_assert_nonnull (il_setup_pane_get_input_message (pane));
  g_assert_nonnull (strstr (il_setup_pane_get_input_message (pane), "“abc” is not a number"));
  g_clear_pointer (&config, il_run_config_free);

  gtk_editable_set_text (GTK_EDITABLE (workers), "2");
  gtk_spin_button_update (workers);
  g_assert_null (il_setup_pane_get_input_message (pane));

  row = gtk_widget_get_ancestor (GTK_WIDGET (workers), ADW_TYPE_ACTION_ROW);
  g_assert_true (gtk_widget_get_sensitive (row));
  g_settings_set_string (settings, "executor", "sequential");
  il_test_window_settle (window);
  g_assert_false (gtk_widget_get_sensitive (row));
  g_settings_set_string (settings, "executor", "threads");
  g_settings_reset (settings, "workers");
  il_test_window_settle (window);
  g_assert_true (gtk_widget_get_sensitive (row));
}

/* History rows are numbered with the time of day; one can be removed, and all cleared. */
static void
test_history_remove (void)
{
  GListModel *history = il_window_get_history (window);
  guint before = g_list_model_get_n_items (history);
  IlRunTrace *first;
  GtkWidget *row;
  const char *title;

  g_assert_cmpuint (before, >=, 2);
  first = il_window_get_history_run (window, 0);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->history_list, 0));
  g_assert_true (IL_IS_HISTORY_ROW (row));
  title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  g_assert_true (g_str_has_prefix (title, "#1 · "));
  g_assert_nonnull (strstr (title, il_run_trace_get_label (first)));
  /* "#1 · 14:05:12 · …" (the dot is two bytes): the time of day between number and name. */
  g_assert_cmpint (title[8], ==, ':');
  g_assert_cmpint (title[11], ==, ':');

  /* Shown, then removed: gone from the history and from the view. */
  {
    g_autoptr(GPtrArray) one = g_ptr_array_new ();
    g_ptr_array_add (one, first);
    il_window_show_runs (window, one);
  }
  g_action_group_activate_action (G_ACTION_GROUP (window), "remove-run", g_variant_new_uint32 (1));
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, before - 1);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 0);
  g_assert_false (il_window_remove_run (window, 1));
  /* Numbers stay with their runs: the next row is still #2. */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (window->history_list, 0));
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "#2 · "));

  activate ("clear-history");
  g_assert_cmpuint (g_list_model_get_n_items (history), ==, 0);
  g_assert_null (gtk_list_box_get_row_at_index (window->history_list, 0));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "clear-history"));
}

/* The app's icon comes from the resource bundle: About shows it when run uninstalled. */
static void
test_icons (void)
{
  GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));
  g_autoptr(GtkIconPaintable) icon = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *uri = NULL;

  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
  g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID "-symbolic"));
  icon = gtk_icon_theme_lookup_icon (theme, APP_ID, NULL, 128, 1, GTK_TEXT_DIR_LTR, 0);
  file = gtk_icon_paintable_get_file (icon);
  uri = g_file_get_uri (file);
  g_assert_true (g_str_has_prefix (uri, "resource:///io/github/interleave/Interleave/icons/"));

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  il_test_window_settle (window);
  {
    GtkWindow *about = NULL;
    GListModel *toplevels = gtk_window_get_toplevels ();   /* not ours to unref */

    for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
      {
        g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);
        if (ADW_IS_ABOUT_WINDOW (w))
          about = GTK_WINDOW (w);
      }
    g_assert_nonnull (about);
    g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (about)), ==, APP_ID);
    gtk_window_destroy (about);
  }
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
  tmpdir = il_test_tmpdir_new ("interleave-ui");
  settings = g_settings_new (APP_ID);
  /* Lessons once per run unless a test asks for repeats: the suite stays quick. */
  g_settings_set_uint (settings, "lesson-repeat", 1);
  window = il_test_window_open (&app);

  g_test_add_func ("/window/setup-and-run", test_setup_and_run);
  g_test_add_func ("/window/invalid-setup", test_invalid_setup);
  g_test_add_func ("/window/measure-speedup", test_measure_speedup);
  g_test_add_func ("/window/stop", test_stop);
  g_test_add_func ("/window/oversubscribed-priority", test_oversubscribed_priority);
  g_test_add_func ("/window/lesson", test_lesson);
  g_test_add_func ("/window/export", test_export);
  g_test_add_func ("/window/history-compare", test_history_compare);
  g_test_add_func ("/window/run-lesson-action", test_run_lesson_action);
  g_test_add_func ("/window/history-remove", test_history_remove);
  g_test_add_func ("/window/sweep", test_sweep);
  g_test_add_func ("/window/icons", test_icons);
  g_test_add_func ("/window/inputs", test_inputs);
  g_test_add_func ("/window/adaptive", test_adaptive);
  g_test_add_func ("/window/predict-first", test_predict_first);
  g_test_add_func ("/window/max-spans", test_max_spans);
  g_test_add_func ("/window/lesson-disturbed", test_lesson_disturbed);
  g_test_add_func ("/window/close-while-running", test_close_while_running);
  g_test_add_func ("/window/lesson-repeat", test_lesson_repeat);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  /* The application keeps its bus connection to the end; stop the daemon without waiting for it. */
  g_test_dbus_stop (bus);
  /* Not unreffed on purpose: finalizing a GTestDBus that was up runs the same check again. */
  return ret;
}
