/* il-test-window.h: the real window for the ui tests and the window benchmark: a private session bus, the application, the window on screen. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "il-application.h"
#include "il-window.h"

G_BEGIN_DECLS

/* A private session bus for GtkApplication to register on (no warning about a missing bus),
 * with DISPLAY kept (g_test_dbus_up() unsets it against D-Bus autolaunch). */
GTestDBus *il_test_dbus_up     (void);
/* A registered, non-unique application in *@app and its window, 1280 × 800, presented. */
IlWindow  *il_test_window_open (IlApplication **app);
/* The work the setup pane describes next (GSettings is what it follows): @workers workers and
 * @tasks tasks of @task_ms. */
void       il_test_window_set_work (GSettings *settings, guint workers, guint tasks, double task_ms);
/* The same, of CPU work on @executor without a GIL, on every CPU. */
void       il_test_window_set_run  (GSettings *settings, const char *executor, guint workers,
                                    guint tasks, double task_ms);
/* Gives @window a new size (hidden and shown again: a mapped window keeps its size) and waits
 * until its surface has it. */
void       il_test_window_resize (IlWindow *window, int width, int height);
/* Lets layout and drawing happen: waits for two frames of @window, then for what they queued. */
void       il_test_window_settle (IlWindow *window);
/* With IL_TEST_SHOTS=DIR, saves what @widget shows (after three frames) as DIR/NAME.png, to look
 * at by eye; does nothing otherwise. */
void       il_test_window_shot   (GtkWidget *widget, const char *name);

G_END_DECLS
