/* il-history-row.h: one run of the session in the history list, with its "compare" tick. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_HISTORY_ROW (il_history_row_get_type ())
G_DECLARE_FINAL_TYPE (IlHistoryRow, il_history_row, IL, HISTORY_ROW, AdwActionRow)

/* Properties: "checked" (gboolean): the run is among the shown ones. */
GtkWidget  *il_history_row_new         (IlRunTrace *run);
IlRunTrace *il_history_row_get_run     (IlHistoryRow *self);
gboolean    il_history_row_get_checked (IlHistoryRow *self);
void        il_history_row_set_checked (IlHistoryRow *self, gboolean checked);
/* The row's place in the session ("#3") and the time of day it was added, shown before the
 * run's name so repeated runs of one set-up are told apart. Also names the row's remove button's
 * target (win.remove-run with @number). */
void        il_history_row_set_number  (IlHistoryRow *self, guint number, GDateTime *when);
guint       il_history_row_get_number  (IlHistoryRow *self);
/* Re-reads the run's figures into the subtitle (after it finished or got a speedup). */
void        il_history_row_update      (IlHistoryRow *self);

G_END_DECLS
