/* il-setup-pane.h: the set-up pane: executor, GIL, workers, CPUs and work of the next run. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-run-config.h"

G_BEGIN_DECLS

#define IL_TYPE_SETUP_PANE (il_setup_pane_get_type ())
G_DECLARE_FINAL_TYPE (IlSetupPane, il_setup_pane, IL, SETUP_PANE, GtkBox)

/* Properties: "valid" (gboolean, read-only): whether the current choices make a runnable config.
 * Signals: "changed" () whenever a choice changes. */
IlSetupPane *il_setup_pane_new        (void);
/* A new config from the current choices (valid or not). */
IlRunConfig *il_setup_pane_get_config (IlSetupPane *self);
/* Shows @config's choices (writes them to GSettings, which the pane follows). */
void         il_setup_pane_set_config (IlSetupPane *self, const IlRunConfig *config);
gboolean     il_setup_pane_get_valid  (IlSetupPane *self);
/* The message explaining why the choices are invalid, or NULL. */
const char  *il_setup_pane_get_problem (IlSetupPane *self);

/* The spin button for @field ("workers", "tasks", "task-ms", "switch-interval"), for tests. */
GtkSpinButton *il_setup_pane_get_spin          (IlSetupPane *self, const char *field);
/* The message about typed text that was not taken, or NULL when none is shown. */
const char    *il_setup_pane_get_input_message (IlSetupPane *self);

G_END_DECLS
