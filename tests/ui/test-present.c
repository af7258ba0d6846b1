/* test-present.c: the real window in a classroom (issue 21): presentation mode's lane heights, text zoom, the style switch, slide presets that keep the title, the small things. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>
#include <adwaita.h>
#include <glib/gstdio.h>

#include "il-export-dialog.h"
#include "il-layout.h"
#include "il-painter.h"
#include "il-setup-pane.h"
#include "il-test-util.h"
#include "il-test-window.h"
#include "il-timeline-view.h"
#include "il-window-private.h"

static IlApplication *app;
static IlWindow *window;
static GSettings *settings;
static char *tmpdir;

static void
activate (const char *action, GVariant *param)
{
  g_action_group_activate_action (G_ACTION_GROUP (window), action, param);
  il_test_window_settle (window);
}

/* The golden lesson-01 trace: a sequential run, 2 threads + GIL, 2 processes, on 2 CPUs. */
static void
open_three_runs (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "golden", "lesson-01.interleave.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (il_window_get_shown (window)->len, ==, 3);
  il_test_window_settle (window);
}

/* The timeline's layout as its last frame drew it: @viewport the widget's own height (what is in
 * sight without scrolling), else the whole picture's. */
static IlLayout *
timeline_layout (gboolean viewport)
{
  IlTimelineView *timeline = il_window_get_timeline (window);
  int width = gtk_widget_get_width (GTK_WIDGET (timeline));
  int height = viewport ? gtk_widget_get_height (GTK_WIDGET (timeline))
                        : il_timeline_view_get_content_height (timeline);

  return il_layout_new (width, height, il_timeline_view_get_runs (timeline),
                        il_timeline_view_get_paint_options (timeline));
}

/* The thinnest worker lane of @layout. */
static double
min_worker_h (const IlLayout *layout)
{
  double least = G_MAXDOUBLE;

  for (guint i = 0; i < layout->rows->len; i++)
    {
      const IlLayoutRow *row = &g_array_index (layout->rows, IlLayoutRow, i);

      if (row->kind == IL_ROW_WORKER)
        least = MIN (least, row->h);
    }
  return least;
}

static gboolean
pane_hidden (gpointer data)
{
  return !gtk_widget_get_mapped (GTK_WIDGET (il_window_get_setup_pane (window)));
}

static gboolean
pane_shown (gpointer data)
{
  return gtk_widget_get_mapped (GTK_WIDGET (il_window_get_setup_pane (window)));
}

/* F11, as the application binds it: the one key that toggles presentation mode. */
static void
press_f11 (void)
{
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (GTK_APPLICATION (app), "F11");

  g_assert_nonnull (actions);
  g_assert_cmpstr (actions[0], ==, "win.presentation");
  g_assert_null (actions[1]);
  activate ("presentation", NULL);
}

/* The row of view toggles and zoom buttons above the timeline (the status label's row). */
static GtkWidget *
view_toggles (void)
{
  return gtk_widget_get_parent (GTK_WIDGET (window->status_label));
}

/* F11: the pictures for a projector. The window goes fullscreen (asked of the display: Xvfb has
 * no window manager to grant it, so the request is what is checked there); the set-up chrome
 * (side pane, view toggles, table) goes; three runs at 1280 × 800 keep worker lanes of at least
 * 24 px, in sight without scrolling; F11 again brings all back. */
static void
test_presentation (void)
{
  g_autoptr(IlLayout) before = NULL;
  g_autoptr(IlLayout) shown = NULL;
  g_autoptr(IlLayout) whole = NULL;
  g_autoptr(GVariant) state = NULL;
  g_autoptr(GVariant) state_after = NULL;
  GtkWidget *summary = GTK_WIDGET (il_window_get_summary (window));

  open_three_runs ();
  il_window_show_pane (window, TRUE);
  il_test_wait_for (pane_shown, NULL, 10, "the side pane");
  g_assert_cmpint (gdk_surface_get_width (gtk_native_get_surface (GTK_NATIVE (window))), ==, 1280);
  g_assert_cmpint (gdk_surface_get_height (gtk_native_get_surface (GTK_NATIVE (window))), ==, 800);
  before = timeline_layout (TRUE);
  g_test_message ("not presenting: worker lanes %.0f px, text %.1f px", min_worker_h (before),
                  before->font_px);
  g_assert_true (gtk_widget_get_mapped (summary));
  g_assert_true (gtk_widget_get_mapped (view_toggles ()));
  g_assert_false (window->fullscreened);

  press_f11 ();
  g_assert_true (il_window_get_presenting (window));
  state = g_action_group_get_action_state (G_ACTION_GROUP (window), "presentation");
  g_assert_true (g_variant_get_boolean (state));
  g_assert_true (window->fullscreened);
  g_test_message ("fullscreen asked; the display %s it",
                  gtk_window_is_fullscreen (GTK_WINDOW (window)) ? "granted" : "did not grant");
  il_test_wait_for (pane_hidden, NULL, 10, "the side pane to go");
  g_assert_false (gtk_widget_get_mapped (summary));
  g_assert_false (gtk_widget_get_mapped (view_toggles ()));

  shown = timeline_layout (TRUE);
  whole = timeline_layout (FALSE);
  g_test_message ("presenting in a %d × %d window: worker lanes %.0f px in a %.0f px view "
                  "(picture %.0f px), text %.1f px",
                  gtk_widget_get_width (GTK_WIDGET (window)),
                  gtk_widget_get_height (GTK_WIDGET (window)), min_worker_h (shown), shown->height,
                  whole->height, shown->font_px);
  g_assert_cmpuint (shown->blocks->len, ==, 3);
  g_assert_cmpfloat (min_worker_h (shown), >=, IL_LAYOUT_PRESENT_LANE_H);
  g_assert_cmpfloat (il_layout_min_lane_h (whole), >=, IL_LAYOUT_PRESENT_LANE_H);
  /* In sight as a whole: nothing to scroll to. */
  g_assert_cmpfloat (whole->height, ==, shown->height);
  g_assert_cmpfloat (min_worker_h (shown), >, min_worker_h (before));
  g_assert_cmpfloat (shown->font_px, >, before->font_px * 1.2);
  g_assert_cmpfloat (shown->legend_h, >, before->legend_h);

  press_f11 ();
  g_assert_false (il_window_get_presenting (window));
  state_after = g_action_group_get_action_state (G_ACTION_GROUP (window), "presentation");
  g_assert_false (g_variant_get_boolean (state_after));
  g_assert_false (window->fullscreened);
  g_assert_false (gtk_window_is_fullscreen (GTK_WINDOW (window)));
  il_test_wait_for (pane_shown, NULL, 10, "the side pane back");
  g_assert_true (gtk_widget_get_mapped (summary));
  g_assert_true (gtk_widget_get_mapped (view_toggles ()));
}

/* Whether every run's summary line fits the timeline as it is now. */
static gboolean
headers_fit (void)
{
  IlTimelineView *timeline = il_window_get_timeline (window);

  return il_painter_fit_run_headers (gtk_widget_get_width (GTK_WIDGET (timeline)),
                                     il_timeline_view_get_content_height (timeline),
                                     il_timeline_view_get_runs (timeline),
                                     il_timeline_view_get_paint_options (timeline));
}

/* The tooltip over run @b's header. */
static char *
header_tooltip (guint b)
{
  g_autoptr(IlLayout) layout = timeline_layout (FALSE);
  const IlLayoutBlock *block = &g_array_index (layout->blocks, IlLayoutBlock, b);

  return il_timeline_view_describe_point (il_window_get_timeline (window), layout->width / 2,
                                          block->header_y + block->header_h / 2);
}

/* Three runs at 1280 × 800 beside the side pane, presenting, and zoomed: each run's header line
 * fits whole (what has no room is left out, never cut with "…"), and the tooltip over a header
 * holds all of it. */
static void
test_headers_fit (void)
{
  g_autofree char *tooltip = NULL;

  open_three_runs ();
  il_window_show_pane (window, TRUE);
  il_test_wait_for (pane_shown, NULL, 10, "the side pane");
  g_assert_true (headers_fit ());
  tooltip = header_tooltip (1);
  g_test_message ("the second run's header in full:\n%s", tooltip);
  g_assert_nonnull (strstr (tooltip, "2 threads + GIL"));
  g_assert_nonnull (strstr (tooltip, "\nother programs took 51 % of the CPUs (892 ms of CPU time)"));
  g_assert_nonnull (strstr (tooltip, "\ncaptured from kernel context switches"));

  activate ("text-zoom-in", NULL);
  activate ("text-zoom-in", NULL);
  g_assert_true (headers_fit ());
  activate ("text-zoom-reset", NULL);

  il_window_set_presenting (window, TRUE);
  il_test_wait_for (pane_hidden, NULL, 10, "the side pane to go");
  g_assert_true (headers_fit ());
  il_window_set_presenting (window, FALSE);
  il_test_wait_for (pane_shown, NULL, 10, "the side pane back");
}

static void
resize (int width, int height)
{
  il_test_window_resize (window, width, height);
  il_test_window_settle (window);
}

/* Presenting in a short window: the lanes keep 24 px and the picture scrolls instead. */
static void
test_presentation_scrolls (void)
{
  g_autoptr(IlLayout) whole = NULL;
  IlTimelineView *timeline = il_window_get_timeline (window);

  open_three_runs ();
  resize (1280, 600);
  il_window_set_presenting (window, TRUE);
  il_test_window_settle (window);
  whole = timeline_layout (FALSE);
  g_test_message ("presenting at 1280 × 600: lanes %.0f px, picture %d px in a %d px view",
                  il_layout_min_lane_h (whole), il_timeline_view_get_content_height (timeline),
                  gtk_widget_get_height (GTK_WIDGET (timeline)));
  g_assert_cmpfloat (il_layout_min_lane_h (whole), >=, IL_LAYOUT_PRESENT_LANE_H);
  g_assert_cmpint (il_timeline_view_get_content_height (timeline), >,
                   gtk_widget_get_height (GTK_WIDGET (timeline)));
  il_window_set_presenting (window, FALSE);
  resize (1280, 800);
}

/* The width of @text set in the window's own font, as its labels are. */
static int
text_width (const char *text)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (window), text);
  int width = 0;

  pango_layout_get_pixel_size (layout, &width, NULL);
  return width;
}

/* Ctrl + / − / 0: the window's words and the timeline's together, remembered. */
static void
test_text_zoom (void)
{
  static const char *const words = "Interleave makes concurrency visible";
  g_autoptr(IlLayout) normal = NULL;
  g_autoptr(IlLayout) larger = NULL;
  g_autoptr(IlLayout) reset = NULL;
  int w_normal, w_larger;

  open_three_runs ();
  activate ("text-zoom-reset", NULL);
  g_assert_cmpfloat (il_window_get_text_zoom (window), ==, 1.0);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "text-zoom-reset"));
  normal = timeline_layout (TRUE);
  w_normal = text_width (words);

  activate ("text-zoom-in", NULL);
  activate ("text-zoom-in", NULL);
  g_assert_cmpfloat (il_window_get_text_zoom (window), ==, 1.25);
  g_assert_cmpfloat (g_settings_get_double (settings, "text-zoom"), ==, 1.25);
  larger = timeline_layout (TRUE);
  w_larger = text_width (words);
  g_test_message ("text %.1f -> %.1f px in the timeline, a line of the window %d -> %d px",
                  normal->font_px, larger->font_px, w_normal, w_larger);
  g_assert_cmpfloat (larger->font_px, >=, normal->font_px * 1.2);
  g_assert_cmpint (w_larger, >=, w_normal * 1.15);

  activate ("text-zoom-out", NULL);
  g_assert_cmpfloat (il_window_get_text_zoom (window), ==, 1.1);
  for (int i = 0; i < 10; i++)
    activate ("text-zoom-out", NULL);
  g_assert_cmpfloat (il_window_get_text_zoom (window), ==, 0.8);
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "text-zoom-out"));

  activate ("text-zoom-reset", NULL);
  reset = timeline_layout (TRUE);
  g_assert_cmpfloat (reset->font_px, ==, normal->font_px);
  g_assert_cmpint (text_width (words), ==, w_normal);
}

/* The main menu's style: light, dark or the system's, through AdwStyleManager, remembered. */
static void
test_color_scheme (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  IlTimelineView *timeline = il_window_get_timeline (window);

  activate ("color-scheme", g_variant_new_string ("dark"));
  g_assert_cmpstr (g_settings_get_string (settings, "color-scheme"), ==, "dark");
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (manager));
  g_assert_cmpint (il_timeline_view_get_paint_options (timeline)->theme, ==, IL_THEME_DARK);

  activate ("color-scheme", g_variant_new_string ("light"));
  g_assert_false (adw_style_manager_get_dark (manager));
  g_assert_cmpint (il_timeline_view_get_paint_options (timeline)->theme, ==, IL_THEME_LIGHT);

  activate ("color-scheme", g_variant_new_string ("default"));
  g_assert_cmpint (adw_style_manager_get_color_scheme (manager), ==, ADW_COLOR_SCHEME_DEFAULT);
}

/* The first label under @widget showing @text, or NULL. */
static GtkLabel *
find_label (GtkWidget *widget, const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_is_drawable (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return GTK_LABEL (widget);
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found = find_label (c, text);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* With IL_SHOTS_DIR set, @widget as it is on screen into DIR/@name (for looking at). */
static void
save_shot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("IL_SHOTS_DIR");
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  GtkSnapshot *snapshot;

  if (dir == NULL)
    return;
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_build_filename (dir, name, NULL);
  gdk_texture_save_to_png (texture, path);
}

/* Every choice of the executor and workload rows shows at the row's end, where the spin
 * buttons show their numbers: its name whole (not as a subtitle under the title, never cut), the
 * explanation in brackets in the name's tooltip; at normal size and zoomed. */
static void
test_choices_shown (void)
{
  static const char *const workloads[] = { "cpu", "memory", "sleep", "disk", "mixed", "convoy" };
  static const char *const executors[] = { "sequential", "threads", "processes", "async" };
  GtkWidget *pane = GTK_WIDGET (il_window_get_setup_pane (window));

  il_window_show_pane (window, TRUE);
  il_test_wait_for (pane_shown, NULL, 10, "the side pane");
  for (guint i = 0; i < 2 * (G_N_ELEMENTS (workloads) + G_N_ELEMENTS (executors)); i++)
    {
      guint n = G_N_ELEMENTS (workloads) + G_N_ELEMENTS (executors);
      gboolean workload = i % n < G_N_ELEMENTS (workloads);
      const char *name = workload ? workloads[i % n] : executors[i % n - G_N_ELEMENTS (workloads)];
      const char *title;
      g_autofree char *shown = NULL;
      GtkLabel *label;
      graphene_point_t at;
      int text_w = 0;
      IlWorkloadKind work;
      IlExecutorKind executor;

      if (workload)
        {
          g_assert_true (il_workload_from_string (name, &work));
          title = il_workload_get_title (work);
        }
      else
        {
          g_assert_true (il_executor_from_string (name, &executor));
          title = il_executor_get_title (executor);
        }

      /* The second time round, with the text zoomed to 1.5. */
      if (i == n)
        for (guint z = 0; z < 3; z++)
          activate ("text-zoom-in", NULL);
      shown = g_strdup (title);
      if (strstr (shown, " (") != NULL)
        *strstr (shown, " (") = '\0';
      g_settings_set_string (settings, workload ? "workload" : "executor", name);
      il_test_window_settle (window);
      label = find_label (pane, shown);
      g_assert_nonnull (label);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (label)), ==,
                       g_str_equal (shown, title) ? NULL : title);
      /* In one line, all of it in sight. */
      g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (label)), ==, 1);
      pango_layout_get_pixel_size (gtk_label_get_layout (label), &text_w, NULL);
      g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (label)), >=, text_w);
      g_assert_true (gtk_widget_compute_point (GTK_WIDGET (label), pane,
                                               &GRAPHENE_POINT_INIT (gtk_widget_get_width (GTK_WIDGET (label)), 0),
                                               &at));
      g_test_message ("%s: “%s” ends at x = %.0f of %d", name, shown, at.x,
                      gtk_widget_get_width (pane));
      /* At the row's end, as the numbers are (not a subtitle starting at the left). */
      g_assert_cmpfloat (at.x, >, gtk_widget_get_width (pane) * 0.7);
      g_assert_cmpfloat (at.x, <=, gtk_widget_get_width (pane));
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (label)));
      if (g_str_equal (name, "convoy"))
        save_shot (pane, i < n ? "setup-pane-convoy.png" : "setup-pane-convoy-zoomed.png");
    }
  activate ("text-zoom-reset", NULL);
  g_settings_reset (settings, "workload");
  g_settings_reset (settings, "executor");
}

static gboolean
sweep_done (gpointer data)
{
  return !il_sweep_view_get_running (il_window_get_sweep_view (window));
}

/* How many pixels of the sweep chart drawn with the view's options are not its background. */
static guint
sweep_ink (const IlSweep *sweep)
{
  IlSweepView *view = il_window_get_sweep_view (window);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 800, 500);
  cairo_t *cr = cairo_create (surface);
  guint32 *data, bg;
  guint ink = 0;
  int stride;

  il_painter_draw_sweep_with (cr, 800, 500, sweep, il_sweep_view_get_paint_options (view));
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  data = (guint32 *) (gpointer) cairo_image_surface_get_data (surface);
  stride = cairo_image_surface_get_stride (surface) / 4;
  bg = data[0] & 0xffffff;
  for (int y = 0; y < 500; y++)
    for (int x = 0; x < 800; x++)
      ink += (data[y * stride + x] & 0xffffff) != bg;
  cairo_surface_destroy (surface);
  return ink;
}

/* The sweep chart follows Ctrl + / − and F11 as the timeline does: its text grows, and with it
 * its lines, points and margins (more of the picture is ink). */
static void
test_sweep_zoom (void)
{
  IlSweepView *view = il_window_get_sweep_view (window);
  g_autoptr(GError) error = NULL;
  const IlSweep *sweep;
  guint ink_normal, ink_zoomed, ink_presenting;
  double px_normal, px_zoomed, px_presenting;

  g_action_group_activate_action (G_ACTION_GROUP (window), "close-lesson", NULL);
  il_test_window_set_run (settings, "threads", 4, 4, 5);
  il_test_window_settle (window);
  il_sweep_view_set_counts (view, "1, 2, 4");
  g_assert_true (il_sweep_view_run (view, &error));
  g_assert_no_error (error);
  il_test_wait_for (sweep_done, NULL, 120, "the sweep");
  sweep = il_sweep_view_get_sweep (view);
  g_assert_nonnull (sweep);
  adw_view_stack_set_visible_child_name (window->view_stack, "sweep");

  activate ("text-zoom-reset", NULL);
  px_normal = il_painter_sweep_text_px (500, il_sweep_view_get_paint_options (view));
  ink_normal = sweep_ink (sweep);
  activate ("text-zoom-in", NULL);
  activate ("text-zoom-in", NULL);
  activate ("text-zoom-in", NULL);
  px_zoomed = il_painter_sweep_text_px (500, il_sweep_view_get_paint_options (view));
  ink_zoomed = sweep_ink (sweep);
  save_shot (GTK_WIDGET (window), "sweep-zoomed.png");
  activate ("color-scheme", g_variant_new_string ("dark"));
  save_shot (GTK_WIDGET (window), "sweep-zoomed-dark.png");
  activate ("color-scheme", g_variant_new_string ("default"));
  activate ("text-zoom-reset", NULL);
  il_window_set_presenting (window, TRUE);
  il_test_window_settle (window);
  px_presenting = il_painter_sweep_text_px (500, il_sweep_view_get_paint_options (view));
  ink_presenting = sweep_ink (sweep);
  il_window_set_presenting (window, FALSE);
  il_test_window_settle (window);
  g_test_message ("sweep chart 800 × 500: text %.1f px, %u ink pixels; zoomed 1.5: %.1f px, %u; "
                  "presenting: %.1f px, %u", px_normal, ink_normal, px_zoomed, ink_zoomed,
                  px_presenting, ink_presenting);
  g_assert_cmpfloat (px_zoomed, >=, px_normal * 1.5 - 1e-9);
  g_assert_cmpfloat (px_presenting, >=, IL_LAYOUT_PRESENT_FONT_PX);
  g_assert_cmpfloat (px_presenting, >, px_normal);
  g_assert_cmpuint (ink_zoomed, >, ink_normal * 11 / 10);
  g_assert_cmpuint (ink_presenting, >, ink_normal);
  adw_view_stack_set_visible_child_name (window->view_stack, "timeline");
}

/* The slide presets never cut the title: shrunk or in two lines, it fits the picture's width,
 * in English and in German, and the PNG is written. */
static void
test_slide_presets (void)
{
  static const char *const titles[] = {
    "CPU-bound work: threads under a GIL vs processes",
    "Rechenlast: Threads unter einem GIL vs. Prozesse – und was der Prozessor dabei wirklich tut, "
    "gemessen auf diesem Rechner",
  };
  static const struct { guint preset; int width, height; } presets[] = {
    { 1, 1920, 1080 }, { 2, 1440, 1080 },
  };
  GPtrArray *runs;
  IlExportDialog *dialog;

  open_three_runs ();
  runs = il_window_get_shown (window);
  dialog = il_export_dialog_new (window);
  for (guint p = 0; p < G_N_ELEMENTS (presets); p++)
    {
      g_autofree char *name = g_strdup_printf ("slide-%d.png", presets[p].width);
      g_autofree char *path = g_build_filename (tmpdir, name, NULL);
      g_autoptr(GError) error = NULL;

      g_autofree char *shot = g_strdup_printf ("export-dialog-%d.png", presets[p].width);
      GtkLabel *shown;

      il_export_dialog_set_preset (dialog, presets[p].preset);
      g_assert_cmpint (g_settings_get_int (settings, "export-width"), ==, presets[p].width);
      g_assert_cmpint (g_settings_get_int (settings, "export-height"), ==, presets[p].height);
      /* The preset's name in the row, whole. */
      gtk_window_present (GTK_WINDOW (dialog));
      il_test_window_settle (window);
      il_test_window_settle (window);
      shown = find_label (GTK_WIDGET (dialog), presets[p].preset == 1 ? "Slide 16:9" : "Slide 4:3");
      g_assert_nonnull (shown);
      g_assert_false (pango_layout_is_ellipsized (gtk_label_get_layout (shown)));
      save_shot (GTK_WIDGET (dialog), shot);
      for (guint t = 0; t < G_N_ELEMENTS (titles); t++)
        {
          IlPaintOptions o;
          IlTitleFit fit;

          il_paint_options_init (&o);
          o.title = titles[t];
          g_assert_true (il_painter_fit_title (presets[p].width, presets[p].height, runs, &o, &fit));
          g_test_message ("%d × %d, title %u: %.1f px, %d line(s), %.0f of %.0f px wide",
                          presets[p].width, presets[p].height, t, fit.px, fit.lines, fit.width,
                          fit.max_width);
          g_assert_cmpfloat (fit.width, <=, fit.max_width);
          g_assert_cmpint (fit.lines, <=, 2);
        }
      g_assert_true (il_window_export_to (window, "png", path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Exports start in Pictures (data in Documents), else the home folder: never the folder the
 * program was started from. */
static void
test_export_folder (void)
{
  IlExportDialog *dialog = il_export_dialog_new (window);
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autofree char *folder = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  g_settings_set_string (settings, "export-format", "png");
  folder = il_export_dialog_get_folder (dialog);
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    g_assert_cmpstr (folder, ==, pictures);
  else
    g_assert_cmpstr (folder, ==, g_get_home_dir ());
  g_assert_cmpstr (folder, !=, cwd);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Numbers out of range say what became of them; "1e9" is a number, clamped and said so. */
static void
test_clamping_said (void)
{
  IlSetupPane *pane = il_window_get_setup_pane (window);
  GtkSpinButton *workers = il_setup_pane_get_spin (pane, "workers");
  GtkSpinButton *tasks = il_setup_pane_get_spin (pane, "tasks");
  const char *message;

  g_settings_set_string (settings, "executor", "threads");
  il_test_window_settle (window);
  gtk_editable_set_text (GTK_EDITABLE (workers), "1000");
  gtk_spin_button_update (workers);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (workers), ==, 256);
  message = il_setup_pane_get_input_message (pane);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "at most 256"));
  g_assert_nonnull (strstr (message, "1000"));
  il_test_window_settle (window);
  save_shot (GTK_WIDGET (pane), "setup-pane-clamped.png");

  gtk_editable_set_text (GTK_EDITABLE (tasks), "1e9");
  gtk_spin_button_update (tasks);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (tasks), ==, 100000);
  message = il_setup_pane_get_input_message (pane);
  g_assert_nonnull (message);
  g_assert_nonnull (strstr (message, "1e9"));
  g_assert_nonnull (strstr (message, "100000"));

  gtk_editable_set_text (GTK_EDITABLE (workers), "4");
  gtk_spin_button_update (workers);
  g_assert_null (il_setup_pane_get_input_message (pane));
}

/* The Lessons menu numbers its lessons as their files are numbered. */
static void
test_lessons_numbered (void)
{
  GtkWidget *button = NULL;
  GMenuModel *menu, *section;
  g_autofree char *label = NULL;

  for (GtkWidget *w = GTK_WIDGET (window); w != NULL;)
    {
      if (GTK_IS_MENU_BUTTON (w) && gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (w)) != NULL &&
          g_strcmp0 (gtk_menu_button_get_label (GTK_MENU_BUTTON (w)), "_Lessons") == 0)
        {
          button = w;
          break;
        }
      /* Depth first through the widget tree. */
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != NULL && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w != NULL ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_assert_nonnull (button);
  menu = gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (button));
  section = g_menu_model_get_item_link (menu, 0, G_MENU_LINK_SECTION);
  g_assert_nonnull (section);
  g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_true (g_str_has_prefix (label, "1. "));
  g_object_unref (section);
}

/* Tab goes by region: the summary table is one stop, none of its cells is. */
static void
test_summary_one_stop (void)
{
  GtkWidget *summary = GTK_WIDGET (il_window_get_summary (window));
  guint labels = 0, stops = 0;

  open_three_runs ();
  for (GtkWidget *w = gtk_widget_get_first_child (summary); w != NULL && w != summary;)
    {
      if (GTK_IS_LABEL (w))
        labels++;
      if (GTK_IS_LABEL (w) && gtk_widget_get_focusable (w) && gtk_widget_is_drawable (w))
        stops++;
      if (GTK_IS_GRID (w) && gtk_widget_is_drawable (w))
        g_assert_true (gtk_widget_get_focusable (w));
      if (gtk_widget_get_first_child (w) != NULL)
        w = gtk_widget_get_first_child (w);
      else
        {
          while (w != summary && gtk_widget_get_next_sibling (w) == NULL)
            w = gtk_widget_get_parent (w);
          w = w != summary ? gtk_widget_get_next_sibling (w) : NULL;
        }
    }
  g_test_message ("%u labels in the summary, %u of them Tab stops", labels, stops);
  g_assert_cmpuint (labels, >, 20);
  /* The answer card's text may be one (it is selectable and long); no cell is. */
  g_assert_cmpuint (stops, <=, 1);
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
  tmpdir = il_test_tmpdir_new ("interleave-present");
  settings = g_settings_new (APP_ID);
  window = il_test_window_open (&app);

  g_test_add_func ("/present/presentation", test_presentation);
  g_test_add_func ("/present/text-zoom", test_text_zoom);
  g_test_add_func ("/present/color-scheme", test_color_scheme);
  g_test_add_func ("/present/slide-presets", test_slide_presets);
  g_test_add_func ("/present/export-folder", test_export_folder);
  g_test_add_func ("/present/clamping-said", test_clamping_said);
  g_test_add_func ("/present/lessons-numbered", test_lessons_numbered);
  g_test_add_func ("/present/summary-one-stop", test_summary_one_stop);
  g_test_add_func ("/present/presentation-scrolls", test_presentation_scrolls);
  g_test_add_func ("/present/headers-fit", test_headers_fit);
  g_test_add_func ("/present/choices-shown", test_choices_shown);
  g_test_add_func ("/present/sweep-zoom", test_sweep_zoom);
  ret = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&settings);
  g_clear_object (&app);
  il_test_remove_tree (tmpdir);
  g_free (tmpdir);
  g_test_dbus_stop (bus);
  return ret;
}
