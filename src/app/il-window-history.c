/* il-window-history.c: the session's history: numbered rows, removing one run, clearing all. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-history-row.h"
#include "il-window-private.h"

/* Drops @run from the history and from what is shown; the caller removed its row. */
static void
forget_run (IlWindow *self, IlRunTrace *run)
{
  g_ptr_array_remove (self->shown, run);
  g_ptr_array_remove (self->history, run);
}

static void
reshow (IlWindow *self)
{
  g_autoptr(GPtrArray) shown = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);

  for (guint i = 0; i < self->shown->len; i++)
    g_ptr_array_add (shown, il_run_trace_ref (g_ptr_array_index (self->shown, i)));
  il_window_show_runs (self, shown);
}

gboolean
il_window_remove_run (IlWindow *self, guint number)
{
  g_return_val_if_fail (IL_IS_WINDOW (self), FALSE);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      IlRunTrace *run;

      if (!IL_IS_HISTORY_ROW (child) || il_history_row_get_number (IL_HISTORY_ROW (child)) != number)
        continue;
      run = il_history_row_get_run (IL_HISTORY_ROW (child));
      /* The run going on stays: its row is where its progress shows. */
      if (il_run_trace_get_live (run))
        return FALSE;
      il_run_trace_ref (run);
      gtk_list_box_remove (self->history_list, child);
      forget_run (self, run);
      il_run_trace_unref (run);
      reshow (self);
      return TRUE;
    }
  return FALSE;
}

void
il_window_clear_history (IlWindow *self)
{
  GtkWidget *child;

  g_return_if_fail (IL_IS_WINDOW (self));

  child = gtk_widget_get_first_child (GTK_WIDGET (self->history_list));
  while (child != NULL)
    {
      GtkWidget *next = gtk_widget_get_next_sibling (child);

      if (IL_IS_HISTORY_ROW (child) &&
          !il_run_trace_get_live (il_history_row_get_run (IL_HISTORY_ROW (child))))
        {
          IlRunTrace *run = il_run_trace_ref (il_history_row_get_run (IL_HISTORY_ROW (child)));

          gtk_list_box_remove (self->history_list, child);
          forget_run (self, run);
          il_run_trace_unref (run);
        }
      child = next;
    }
  reshow (self);
}

void
il_window_number_history_row (IlWindow *self, GtkWidget *row)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  il_history_row_set_number (IL_HISTORY_ROW (row), ++self->history_number, now);
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
  il_window_set_action_enabled (self, "clear-history", self->history->len > 0);
  il_window_set_action_enabled (self, "remove-run", TRUE);
}
