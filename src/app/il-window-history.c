/* il-window-history.c: the session's history: numbered rows, removing one run, clearing all. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-history-item.h"
#include "il-window-private.h"

static void
reshow (IlWindow *self)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  for (guint i = 0; i < self->shown->len; i++)
    g_ptr_array_add (shown, il_run_trace_ref (g_ptr_array_index (self->shown, i)));
  il_window_show_runs (self, shown);
}

/* Drops history item @index and its run from what is shown; the list box drops its row. */
static void
forget_item (IlWindow *self, guint index)
{
  g_ptr_array_remove (self->shown, il_window_get_history_run (self, index));
  g_list_store_remove (self->history, index);
  /* Its file in the session folder goes with the next save. */
  il_window_session_changed (self);
}

gboolean
il_window_remove_run (IlWindow *self, guint number)
{
  GListModel *history;

  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  history = G_LIST_MODEL (self->history);
  for (guint i = 0; i < g_list_model_get_n_items (history); i++)
    {
      g_autoptr(IlHistoryItem) item = g_list_model_get_item (history, i);

      if (il_history_item_get_number (item) != number)
        continue;
      /* The run going on stays: its row is where its progress shows. */
      if (il_run_trace_get_live (il_history_item_get_run (item)))
        return FALSE;
      forget_item (self, i);
      reshow (self);
      return TRUE;
    }
  return FALSE;
}

void
il_window_clear_history (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->history)); i-- > 0;)
    if (!il_run_trace_get_live (il_window_get_history_run (self, i)))
      forget_item (self, i);
  reshow (self);
}

static void
remove_run_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  il_window_remove_run (user_data, g_variant_get_uint32 (param));
}

static void
clear_history_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  il_window_clear_history (user_data);
}

void
il_window_add_history_actions (IlWindow *self)
{
  static const GActionEntry entries[] = {
    { .name = "remove-run", .activate = remove_run_action, .parameter_type = "u" },
    { .name = "clear-history", .activate = clear_history_action },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

void
il_window_update_history_actions (IlWindow *self, gboolean busy)
{
  il_window_set_action_enabled (self, "clear-history",
                                g_list_model_get_n_items (G_LIST_MODEL (self->history)) > 0);
  il_window_set_action_enabled (self, "remove-run", TRUE);
}
