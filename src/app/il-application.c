/* il-application.c: the Interleave application: windows, files from the file manager, --run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-application.h"
#include "il-lesson.h"
#include "il-preferences-window.h"
#include "il-window.h"

struct _IlApplication
{
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (IlApplication, il_application, ADW_TYPE_APPLICATION)

/* The window of a start: with the session of before (il-window-session.c), kept as it goes. */
static IlWindow *
il_application_new_window (IlApplication *self)
{
  IlWindow *window = il_window_new (ADW_APPLICATION (self));
  g_autoptr(GError) error = NULL;

  if (!il_window_open_session (window, NULL, &error))
    {
      il_window_toast (window, error->message);
      g_printerr ("interleave: %s\n", error->message);
    }
  return window;
}

static IlWindow *
il_application_get_window (IlApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (IL_IS_WINDOW (window))
    return IL_WINDOW (window);
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l; l = l->next)
    if (IL_IS_WINDOW (l->data))
      return l->data;
  return il_application_new_window (self);
}

static void
il_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (il_application_get_window (IL_APPLICATION (app))));
}

static void
il_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  IlWindow *window = il_application_get_window (IL_APPLICATION (app));

  gtk_window_present (GTK_WINDOW (window));
  for (int i = 0; i < n_files; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!il_window_open_file (window, files[i], &error))
        {
          /* No error dialog for a bad file: say it in the window and keep going. */
          il_window_toast (window, error->message);
          g_printerr ("%s\n", error->message);
        }
    }
}

/* --run FILE.lesson becomes an action, so it reaches an already running instance too. */
static int
il_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  g_autofree char *run = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("interleave %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (!g_variant_dict_lookup (options, "run", "^ay", &run))
    return -1;

  file = g_file_new_for_commandline_arg (run);
  path = g_file_get_path (file);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      /* Not a file: a shipped lesson's name, like the CLI takes ("01-gil-vs-processes", "01"). */
      g_free (path);
      if (!(path = il_lesson_find (run, &error)))
        {
          g_printerr ("interleave: %s\n", error->message);
          return 2;
        }
    }
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("interleave: %s\n", error->message);
      return 1;
    }
  /* The student predicts first: the lesson opens with the prediction field focused and runs when
   * Run is pressed. --no-predict (for demonstrations) runs it at once. */
  g_action_group_activate_action (G_ACTION_GROUP (app),
                                  g_variant_dict_contains (options, "no-predict")
                                    ? "run-lesson" : "open-lesson",
                                  g_variant_new_string (path));
  return -1;
}

/* Presents the window with the lesson named by @param open in it; NULL (and a message on stderr)
 * when the lesson cannot be opened. */
static IlWindow *
present_lesson (IlApplication *self, GVariant *param)
{
  IlWindow *window = il_application_get_window (self);
  g_autoptr(GError) error = NULL;

  gtk_window_present (GTK_WINDOW (window));
  if (!il_window_open_lesson (window, g_variant_get_string (param, NULL), &error))
    {
      g_printerr ("%s\n", error->message);
      return NULL;
    }
  return window;
}

static void
run_lesson_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *window = present_lesson (user_data, param);

  /* --no-predict: a demonstration, no prediction asked for. */
  if (window != NULL)
    {
      il_window_set_lab_mode (window, FALSE);
      il_window_run_when_shown (window);
    }
}

static void
open_lesson_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *window = present_lesson (user_data, param);

  /* Opening moves the focus to the prediction field; Run starts it once there is a prediction
   * (lab mode: the student predicts before seeing anything). */
  if (window != NULL)
    {
      il_window_set_lab_mode (window, TRUE);
      il_window_focus_prediction (window);
    }
}

static void
quit_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GApplication *app = user_data;

  /* Close the windows first so their runs are stopped and child processes reaped. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  /* A window that asks about unsaved results stays until answered; its answer closes it, and
   * the application ends with its last window. */
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (IL_IS_WINDOW (l->data))
      return;
  g_application_quit (app);
}

static void
preferences_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));

  gtk_window_present (GTK_WINDOW (il_preferences_window_new (parent)));
}

static void
about_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  static const char *developers[] = { "The Interleave contributors", NULL };

  adw_show_about_window (parent,
                         "application-name", _("Interleave"),
                         "application-icon", APP_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Interleave contributors"),
                         "developers", developers,
                         "comments", _("See concurrency and parallelism in real runs: every worker "
                                       "and every core gets a lane."),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static const GActionEntry app_entries[] = {
  { .name = "quit", .activate = quit_action },
  { .name = "preferences", .activate = preferences_action },
  { .name = "about", .activate = about_action },
  { .name = "run-lesson", .activate = run_lesson_action, .parameter_type = "s" },
  { .name = "open-lesson", .activate = open_lesson_action, .parameter_type = "s" },
};

static void
il_application_startup (GApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.run", { "<Control>r", NULL } },
    { "win.stop", { "Escape", NULL } },
    { "win.export", { "<Control>e", NULL } },
    { "win.open", { "<Control>o", NULL } },
    { "win.trace-program", { "<Control>t", NULL } },
    { "win.save-trace", { "<Control>s", NULL } },
    { "win.find-lanes", { "<Control>f", NULL } },
    { "win.python-functions", { "<Control><Shift>p", NULL } },
    { "win.presentation", { "F11", NULL } },
    { "win.text-zoom-in", { "<Control>plus", "<Control>equal", NULL } },
    { "win.text-zoom-out", { "<Control>minus", "<Control>KP_Subtract", NULL } },
    { "win.text-zoom-reset", { "<Control>0", "<Control>KP_0", NULL } },
    { "window.close", { "<Control>w", NULL } },
  };

  G_APPLICATION_CLASS (il_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_entries, G_N_ELEMENTS (app_entries), app);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (app), accels[i].action, accels[i].accels);
}

static void
il_application_class_init (IlApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = il_application_activate;
  app_class->open = il_application_open;
  app_class->startup = il_application_startup;
  app_class->handle_local_options = il_application_handle_local_options;
}

static void
il_application_init (IlApplication *self)
{
  static const GOptionEntry entries[] = {
    { "run", 'r', 0, G_OPTION_ARG_FILENAME, NULL,
      N_("Open a lesson (a file or a shipped lesson’s name): predict, then press Run"),
      N_("LESSON") },
    { "no-predict", 0, 0, G_OPTION_ARG_NONE, NULL,
      N_("With --run, start the lesson at once without asking for a prediction"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Show the version and exit"), NULL },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_parameter_string (G_APPLICATION (self),
                                                     _("[FILE.lesson|TRACE.json…]"));
}

IlApplication *
il_application_new (void)
{
  return g_object_new (IL_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/io/github/interleave/Interleave",
                       NULL);
}
