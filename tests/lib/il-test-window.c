/* il-test-window.c: the real window for the ui tests and the window benchmark: a private session bus, the application, the window on screen. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-test-util.h"
#include "il-test-window.h"

GTestDBus *
il_test_dbus_up (void)
{
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  GTestDBus *bus = g_test_dbus_new (G_TEST_DBUS_NONE);

  g_test_dbus_up (bus);
  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  return bus;
}

IlWindow *
il_test_window_open (IlApplication **app)
{
  g_autoptr(GError) error = NULL;
  IlWindow *window;

  *app = il_application_new ();
  g_application_set_flags (G_APPLICATION (*app),
                           g_application_get_flags (G_APPLICATION (*app)) | G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (*app), NULL, &error);
  g_assert_no_error (error);
  window = il_window_new (ADW_APPLICATION (*app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static gboolean
count_tick (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

static gboolean
ticked_twice (gpointer data)
{
  return *(guint *) data >= 2;
}

void
il_test_window_settle (IlWindow *window)
{
  guint ticks = 0;
  guint id = gtk_widget_add_tick_callback (GTK_WIDGET (window), count_tick, &ticks, NULL);

  gtk_widget_queue_draw (GTK_WIDGET (window));
  il_test_wait_for (ticked_twice, &ticks, 20, "two frames");
  gtk_widget_remove_tick_callback (GTK_WIDGET (window), id);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct
{
  IlWindow *window;
  int       width, height;
} Size;

static gboolean
window_has_size (gpointer data)
{
  const Size *size = data;
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (size->window));

  /* The surface's size: the window's own is a few pixels less (its resize borders). */
  return surface != NULL && gtk_widget_get_mapped (GTK_WIDGET (size->window)) &&
         gdk_surface_get_width (surface) == size->width &&
         gdk_surface_get_height (surface) == size->height;
}

void
il_test_window_resize (IlWindow *window, int width, int height)
{
  Size size = { window, width, height };

  /* A mapped window keeps its size; shown again, it takes the default size. */
  gtk_widget_set_visible (GTK_WIDGET (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), width, height);
  gtk_window_present (GTK_WINDOW (window));
  il_test_wait_for (window_has_size, &size, 20, "the window's new size");
}

void
il_test_window_set_work (GSettings *settings, guint workers, guint tasks, double task_ms)
{
  g_settings_set_uint (settings, "workers", workers);
  g_settings_set_uint (settings, "tasks", tasks);
  g_settings_set_double (settings, "task-ms", task_ms);
}

void
il_test_window_set_run (GSettings *settings, const char *executor, guint workers, guint tasks,
                        double task_ms)
{
  g_settings_set_string (settings, "executor", executor);
  g_settings_set_boolean (settings, "gil", FALSE);
  g_settings_set_string (settings, "workload", "cpu");
  g_settings_set_string (settings, "cpus", "");
  il_test_window_set_work (settings, workers, tasks, task_ms);
}

static gboolean
frames_done (gpointer data)
{
  return *(guint *) data >= 3;
}

static gboolean
count_frame (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  (*(guint *) data)++;
  return G_SOURCE_CONTINUE;
}

void
il_test_window_shot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("IL_TEST_SHOTS");
  guint frames = 0;
  guint id;
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int w, h;

  if (dir == NULL)
    return;
  id = gtk_widget_add_tick_callback (widget, count_frame, &frames, NULL);
  gtk_widget_queue_draw (widget);
  il_test_wait_for (frames_done, &frames, 20, "frames");
  gtk_widget_remove_tick_callback (widget, id);
  w = gtk_widget_get_width (widget);
  h = gtk_widget_get_height (widget);
  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  path = g_strdup_printf ("%s/%s.png", dir, name);
  gdk_texture_save_to_png (texture, path);
}
