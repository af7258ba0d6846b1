/* test-german.c: the window speaks German from the build tree (LANGUAGE=de, no `meson install`; issue 21). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-locale.h"
#include "il-painter.h"
#include "il-window-private.h"
#include "il-test-util.h"
#include "il-test-window.h"

/* Three runs at 1280 × 800 in German (longer words), beside the side pane and presenting: each
 * run's header line fits whole, never cut with "…" (issue 21). */
static void
headers_fit_in_german (IlWindow *window)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "golden", "lesson-01.interleave.json", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  IlTimelineView *timeline = il_window_get_timeline (window);

  g_assert_true (il_window_open_file (window, file, &error));
  g_assert_no_error (error);
  il_window_show_pane (window, TRUE);
  for (int presenting = 0; presenting < 2; presenting++)
    {
      il_window_set_presenting (window, presenting);
      il_test_window_settle (window);
      il_test_window_settle (window);
      g_assert_cmpuint (il_timeline_view_get_runs (timeline)->len, ==, 3);
      g_assert_true (il_painter_fit_run_headers (gtk_widget_get_width (GTK_WIDGET (timeline)),
                                                 il_timeline_view_get_content_height (timeline),
                                                 il_timeline_view_get_runs (timeline),
                                                 il_timeline_view_get_paint_options (timeline)));
    }
  il_window_set_presenting (window, FALSE);
}

/* Run with LANGUAGE=de LANG=C.UTF-8 (tests/ui/meson.build): main() binds the catalogues exactly
 * as the programs' main() does. */
static void
test_window_labels (void)
{
  IlApplication *app = NULL;
  IlWindow *window;

  /* A test program lies in the build tree like ./src/app/interleave: the build tree's catalogues. */
  g_assert_cmpstr (il_locale_get_dir (), ==, IL_BUILD_LOCALEDIR);
  window = il_test_window_open (&app);
  il_test_window_settle (window);
  g_assert_cmpstr (gtk_button_get_label (window->run_button), ==, "_Ausführen");
  g_assert_cmpstr (gtk_menu_button_get_label (window->lessons_button), ==, "_Lektionen");
  g_assert_cmpstr (adw_status_page_get_title (window->empty_page), ==, "Nebenläufigkeit sichtbar machen");
  /* From the code as well as from the .ui file. */
  g_assert_cmpstr (_("There is no run to save."), !=, "There is no run to save.");
  headers_fit_in_german (window);
  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&app);
}

/* An installed program (any other place) reads the installed catalogues only. */
static void
test_installed_elsewhere (void)
{
  g_assert_false (il_locale_exe_in_tree ("/bin/sh", IL_BUILD_ROOT));
  g_assert_true (il_locale_exe_in_tree (NULL, IL_BUILD_ROOT));
}

int
main (int argc, char *argv[])
{
  GTestDBus *bus;
  int ret;

  il_locale_init ();
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display (run under xvfb-run)");
      return g_test_run ();
    }
  bus = il_test_dbus_up ();
  g_test_add_func ("/german/window-labels", test_window_labels);
  g_test_add_func ("/german/installed-elsewhere", test_installed_elsewhere);
  ret = g_test_run ();
  g_test_dbus_stop (bus);
  return ret;
}
