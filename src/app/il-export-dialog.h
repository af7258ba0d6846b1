/* il-export-dialog.h: the export dialog: PNG/SVG/PDF of what is shown, or the trace data. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-window.h"

G_BEGIN_DECLS

#define IL_TYPE_EXPORT_DIALOG (il_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IlExportDialog, il_export_dialog, IL, EXPORT_DIALOG, AdwWindow)

IlExportDialog *il_export_dialog_new (IlWindow *window);
/* The machine name of the chosen format: png, svg, pdf, json, csv, chrome. */
const char     *il_export_dialog_get_format (IlExportDialog *self);
/* The file name suggested for the chosen format ("interleave.png"). */
char           *il_export_dialog_suggest_name (IlExportDialog *self);
/* Picks a size preset: 0 custom, 1 a 16:9 slide (1920 × 1080 at ×2), 2 a 4:3 slide (1440 × 1080
 * at ×2); the size rows (and settings) follow. */
void            il_export_dialog_set_preset   (IlExportDialog *self, guint preset);
/* The folder the file chooser starts in: Pictures for images, Documents for data, else home. */
char           *il_export_dialog_get_folder   (IlExportDialog *self);
/* The same for any file the window writes: @image for pictures (and reports), else data. */
char           *il_export_default_folder      (gboolean image);
/* Points @chooser at il_export_default_folder (@image). */
void            il_export_chooser_start       (GtkFileChooser *chooser, gboolean image);

G_END_DECLS
