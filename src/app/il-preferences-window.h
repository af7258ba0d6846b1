/* il-preferences-window.h: preferences: capture method and timeline colouring, kept in GSettings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IL_TYPE_PREFERENCES_WINDOW (il_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (IlPreferencesWindow, il_preferences_window, IL, PREFERENCES_WINDOW,
                      AdwPreferencesWindow)

IlPreferencesWindow *il_preferences_window_new (GtkWindow *parent);

G_END_DECLS
