/* il-functions-dialog.h: the Python functions of the shown runs' sampled stacks: time running, waiting for the GIL, blocked; and their export as a profile. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_FUNCTIONS_DIALOG (il_functions_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IlFunctionsDialog, il_functions_dialog, IL, FUNCTIONS_DIALOG, AdwWindow)

/* A table per run of @runs (of IlRunTrace) that has stacks; runs without are left out. */
IlFunctionsDialog *il_functions_dialog_new        (GtkWindow *parent, GPtrArray *runs);
/* Does any run of @runs have sampled stacks? (the action is enabled only then) */
gboolean           il_functions_dialog_any_stacks (GPtrArray *runs);
/* The number of function rows shown, and row @index's cells ("compute()  worker.py:6", running,
 * GIL wait, blocked) joined by tabs, for tests. Free it. */
guint              il_functions_dialog_get_n_rows (IlFunctionsDialog *self);
char              *il_functions_dialog_get_row    (IlFunctionsDialog *self, guint index);
/* Writes the runs' samples as a speedscope profile to @path (what "Save Profile…" does). */
gboolean           il_functions_dialog_save_profile (IlFunctionsDialog *self, const char *path, GError **error);

G_END_DECLS
