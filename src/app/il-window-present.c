/* il-window-present.c: the window in a classroom: presentation mode (F11), text zoom (Ctrl + / − / 0) and the light / dark / system style. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "il-window-private.h"

/* Text zoom steps: small enough apart that one press is a small change, up to twice the size. */
static const double zoom_steps[] = { 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0 };

double
il_window_get_text_zoom (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), 1.0);
  return g_settings_get_double (self->settings, "text-zoom");
}

/* The whole window's text follows the zoom through the display's resolution (gtk-xft-dpi):
 * libadwaita sizes its text in points, headings included, so a resolution scales every label,
 * where a CSS font-size on the window would leave the headings as they were. The painter draws
 * in pixels of its own and gets the zoom as its text scale. */
static void
il_window_apply_text_zoom (IlWindow *self)
{
  GtkSettings *gtk_settings = gtk_widget_get_settings (GTK_WIDGET (self));
  double zoom = il_window_get_text_zoom (self);
  int base_dpi = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (gtk_settings), "il-base-dpi"));

  /* The desktop's resolution, kept on the display's settings: a second window must not take the
   * first one's zoomed resolution for the desktop's. */
  if (base_dpi == 0 && zoom == 1.0)
    ;   /* never zoomed: the desktop's resolution stays the desktop's, followed as it changes */
  else if (base_dpi == 0)
    {
      g_object_get (gtk_settings, "gtk-xft-dpi", &base_dpi, NULL);
      /* -1: not set by the desktop, GTK's 96 dots per inch (in 1024ths). */
      if (base_dpi <= 0)
        base_dpi = 96 * 1024;
      g_object_set_data (G_OBJECT (gtk_settings), "il-base-dpi", GINT_TO_POINTER (base_dpi));
    }
  if (base_dpi != 0)
    g_object_set (gtk_settings, "gtk-xft-dpi", (int) lround (base_dpi * zoom), NULL);
  il_timeline_view_set_text_scale (self->timeline, zoom);
  il_sweep_view_set_scale (self->sweep_view, zoom, self->presenting);
  il_window_set_action_enabled (self, "text-zoom-in",
                                zoom < zoom_steps[G_N_ELEMENTS (zoom_steps) - 1]);
  il_window_set_action_enabled (self, "text-zoom-out", zoom > zoom_steps[0]);
  il_window_set_action_enabled (self, "text-zoom-reset", zoom != 1.0);
}

static void
text_zoom_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;
  const char *name = g_action_get_name (G_ACTION (action));
  double zoom = il_window_get_text_zoom (self);
  double next = 1.0;

  /* The next step up or down from where the zoom is (a value set by hand lies between steps). */
  if (g_str_equal (name, "text-zoom-in"))
    {
      next = zoom_steps[G_N_ELEMENTS (zoom_steps) - 1];
      for (guint i = G_N_ELEMENTS (zoom_steps); i-- > 0;)
        if (zoom_steps[i] > zoom + 1e-6)
          next = zoom_steps[i];
    }
  else if (g_str_equal (name, "text-zoom-out"))
    {
      next = zoom_steps[0];
      for (guint i = 0; i < G_N_ELEMENTS (zoom_steps); i++)
        if (zoom_steps[i] < zoom - 1e-6)
          next = zoom_steps[i];
    }
  g_settings_set_double (self->settings, "text-zoom", next);
}

gboolean
il_window_get_presenting (IlWindow *self)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);
  return self->presenting;
}

void
il_window_set_presenting (IlWindow *self, gboolean presenting)
{
  GAction *action;

  g_return_if_fail (IL_IS_WINDOW (self));

  presenting = !!presenting;
  if (self->presenting == presenting)
    return;
  self->presenting = presenting;

  /* Everything but the pictures goes: the side pane with the set-up, the row of view toggles
   * and zoom buttons above the timeline (their keys still work), and the table under the
   * timeline (its paned keeps it while it is out, so the table is back as it was). */
  gtk_widget_set_visible (gtk_widget_get_parent (GTK_WIDGET (self->status_label)), !presenting);
  if (presenting)
    {
      self->pane_before_presenting = adw_flap_get_reveal_flap (self->flap);
      adw_flap_set_reveal_flap (self->flap, FALSE);
      self->presented_paned =
        GTK_PANED (gtk_widget_get_parent (GTK_WIDGET (self->summary_scroller)));
      g_object_ref (self->summary_scroller);
      gtk_paned_set_end_child (self->presented_paned, NULL);
      if (!gtk_window_is_fullscreen (GTK_WINDOW (self)))
        {
          self->fullscreened = TRUE;
          gtk_window_fullscreen (GTK_WINDOW (self));
        }
    }
  else
    {
      adw_flap_set_reveal_flap (self->flap, self->pane_before_presenting);
      if (self->presented_paned != NULL)
        {
          gtk_paned_set_end_child (self->presented_paned, GTK_WIDGET (self->summary_scroller));
          g_object_unref (self->summary_scroller);
          self->presented_paned = NULL;
        }
      if (self->fullscreened)
        gtk_window_unfullscreen (GTK_WINDOW (self));
      self->fullscreened = FALSE;
    }
  il_timeline_view_set_presentation (self->timeline, presenting);
  il_sweep_view_set_scale (self->sweep_view, il_window_get_text_zoom (self), presenting);

  action = g_action_map_lookup_action (G_ACTION_MAP (self), "presentation");
  g_simple_action_set_state (G_SIMPLE_ACTION (action), g_variant_new_boolean (presenting));
}

static void
presentation_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  IlWindow *self = user_data;

  il_window_set_presenting (self, !self->presenting);
}

/* The style: follow the system, or light or dark whatever it says. */
static void
il_window_apply_color_scheme (IlWindow *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme adw = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    adw = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    adw = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), adw);
}

static void
on_settings_changed (GSettings *settings, const char *key, IlWindow *self)
{
  if (g_str_equal (key, "text-zoom"))
    il_window_apply_text_zoom (self);
  else if (g_str_equal (key, "color-scheme"))
    il_window_apply_color_scheme (self);
}

static const GActionEntry entries[] = {
  { .name = "presentation", .activate = presentation_action, .state = "false" },
  { .name = "text-zoom-in", .activate = text_zoom_action },
  { .name = "text-zoom-out", .activate = text_zoom_action },
  { .name = "text-zoom-reset", .activate = text_zoom_action },
};

void
il_window_present_init (IlWindow *self)
{
  g_autoptr(GAction) scheme = g_settings_create_action (self->settings, "color-scheme");

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
  /* win.color-scheme: the main menu's three radio items, kept in GSettings. */
  g_action_map_add_action (G_ACTION_MAP (self), scheme);
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self, 0);
  il_window_apply_color_scheme (self);
  il_window_apply_text_zoom (self);
}

void
il_window_present_dispose (IlWindow *self)
{
  /* The table back in its paned (it is held while out of it), so the template frees it. */
  if (self->presented_paned != NULL)
    {
      gtk_paned_set_end_child (self->presented_paned, GTK_WIDGET (self->summary_scroller));
      g_object_unref (self->summary_scroller);
      self->presented_paned = NULL;
    }
}
