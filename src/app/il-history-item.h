/* il-history-item.h: one run of the session as an item of the window's history model (its row is made from it). */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>
#include "il-trace.h"

G_BEGIN_DECLS

#define IL_TYPE_HISTORY_ITEM (il_history_item_get_type ())
G_DECLARE_FINAL_TYPE (IlHistoryItem, il_history_item, IL, HISTORY_ITEM, GObject)

/* A run, its place in the session (@number, "#3") and the time it was added. Properties:
 * "checked" (gboolean): the run is among the shown ones; its row's tick is bound to it. */
IlHistoryItem *il_history_item_new         (IlRunTrace *run, guint number, GDateTime *when);
IlRunTrace    *il_history_item_get_run     (IlHistoryItem *self);
guint          il_history_item_get_number  (IlHistoryItem *self);
GDateTime     *il_history_item_get_when    (IlHistoryItem *self);
gboolean       il_history_item_get_checked (IlHistoryItem *self);
void           il_history_item_set_checked (IlHistoryItem *self, gboolean checked);
/* The user wrote the run to a file of theirs (a trace, data export or lab report): closing the
 * window need not ask about it (il-window-session.c). */
gboolean       il_history_item_get_saved   (IlHistoryItem *self);
void           il_history_item_set_saved   (IlHistoryItem *self, gboolean saved);
/* The run's file in the session folder (a base name), NULL until it was written there. */
const char    *il_history_item_get_file    (IlHistoryItem *self);
void           il_history_item_set_file    (IlHistoryItem *self, const char *file);

G_END_DECLS
