/* il-output-view.h: what each shown traced program printed on stdout and stderr. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_OUTPUT_VIEW (il_output_view_get_type ())
G_DECLARE_FINAL_TYPE (IlOutputView, il_output_view, IL, OUTPUT_VIEW, GtkBox)

GtkWidget  *il_output_view_new        (void);
/* Shows the output of those of @runs (of IlRunTrace*) that recorded any. */
void        il_output_view_set_runs   (IlOutputView *self, GPtrArray *runs);
/* How many of the shown runs have output (0: nothing to show). */
guint       il_output_view_get_n_runs (IlOutputView *self);

G_END_DECLS
