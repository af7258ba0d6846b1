/* il-trace-dialog.h: "Trace a Program": runs a command line as a traced run in the window. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-window.h"

G_BEGIN_DECLS

#define IL_TYPE_TRACE_DIALOG (il_trace_dialog_get_type ())
G_DECLARE_FINAL_TYPE (IlTraceDialog, il_trace_dialog, IL, TRACE_DIALOG, AdwWindow)

IlTraceDialog *il_trace_dialog_new         (IlWindow *window);
/* Fills the command line and folder (tests, and a recent command picked from the list). */
void           il_trace_dialog_set_command (IlTraceDialog *self, const char *command_line,
                                            const char *folder);
/* Splits the command line like a shell would (no shell runs it) and starts the traced run; FALSE
 * and the dialog shows why when the line or folder is not usable. */
gboolean       il_trace_dialog_start       (IlTraceDialog *self);

/* The configuration a command line and folder make: executor external, argv from
 * g_shell_parse_argv(), capture from @capture (self becomes sampled). NULL and an error when the
 * line cannot be split or the program cannot run. */
IlRunConfig   *il_trace_dialog_make_config (const char *command_line, const char *folder,
                                            IlCaptureKind capture, GError **error);

/* The window's status line while a traced program runs: "Tracing · 5 threads in 2 processes",
 * with "Run 1 of 3 · " before it in a batch. */
char          *il_trace_dialog_progress_text (IlRunTrace *trace, guint done, guint total);

G_END_DECLS
