/* il-output-view.h: what each shown traced program printed on stdout and stderr. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-trace.h"

G_BEGIN_DECLS

/* A vertical box: per run with output, a heading, then its stdout and its stderr. */
#define IL_TYPE_OUTPUT_VIEW (il_output_view_get_type ())
G_DECLARE_FINAL_TYPE (IlOutputView, il_output_view, IL, OUTPUT_VIEW, GtkBox)

/* How many of the shown runs have output (0: nothing to show). Made by il-summary-view.ui. */
guint       il_output_view_get_n_runs (IlOutputView *self);
/* Shows the output of those of @runs (of IlRunTrace*) that recorded any; the text is laid out
 * when the view is first on screen. */
void        il_output_view_set_runs   (IlOutputView *self, GPtrArray *runs);

G_END_DECLS
