/* il-window-adaptive.c: the window at any size: the folding side pane, focus for predicting first,
 * the scroll positions a new set of runs starts from, and the highlighted task's details. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-task-details.h"
#include "il-window-private.h"

static gboolean
il_window_focus_prediction_idle (gpointer data)
{
  IlWindow *self = data;

  /* Only when the lesson is still open: the user may have closed it meanwhile. */
  if (!self->disposed && self->lesson != NULL && self->run == NULL &&
      gtk_widget_get_visible (GTK_WIDGET (self->lesson_question_box)))
    {
      il_window_show_pane (self, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->prediction_view));
    }
  return G_SOURCE_REMOVE;
}

void
il_window_focus_prediction (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  /* After the Lessons popover has closed and given focus back to its button, not before. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, il_window_focus_prediction_idle, g_object_ref (self),
                   g_object_unref);
}

void
il_window_show_pane (IlWindow *self, gboolean show)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  /* Side by side the pane is always there; folded, it covers the timeline only when asked. */
  if (adw_flap_get_folded (self->flap))
    adw_flap_set_reveal_flap (self->flap, show);
  else
    adw_flap_set_reveal_flap (self->flap, TRUE);
}

void
il_window_reset_scroll (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  /* A new comparison starts at its first column and its first lane, not where the last one
   * was left. */
  gtk_adjustment_set_value (gtk_scrolled_window_get_hadjustment (self->summary_scroller), 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->summary_scroller), 0);
  gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (self->timeline_scroller), 0);
  /* A new set of runs has no highlighted task yet. */
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), FALSE);
}

static gboolean
toggle_pane (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  IlWindow *self = IL_WINDOW (widget);

  adw_flap_set_reveal_flap (self->flap, !adw_flap_get_reveal_flap (self->flap));
  return TRUE;
}

void
il_window_adaptive_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F9, 0, toggle_pane, NULL);
}

static void
on_highlight_changed (IlWindow *self)
{
  GPtrArray *runs = il_timeline_view_get_runs (self->timeline);
  g_autofree char *text = NULL;
  int run, task;

  il_timeline_view_get_highlight (self->timeline, &run, &task);
  if (run >= 0 && (guint) run < runs->len)
    text = il_task_details_describe (g_ptr_array_index (runs, run), task);
  gtk_label_set_label (self->details_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->details_label), text != NULL);
}

void
il_window_update_empty_state (IlWindow *self)
{
  g_return_if_fail (IL_IS_WINDOW (self));

  if (self->lesson != NULL)
    {
      adw_status_page_set_title (self->empty_page, _("Predict First"));
      adw_status_page_set_description (self->empty_page,
                                       _("Read the lesson, write what you expect in the prediction "
                                         "field, then press Run. The runs appear here, one lane "
                                         "per worker and per core."));
    }
  else
    {
      adw_status_page_set_title (self->empty_page, self->empty_title);
      adw_status_page_set_description (self->empty_page, self->empty_description);
    }
}

void
il_window_adaptive_init (IlWindow *self)
{
  /* Nothing shown yet: the empty view gets the whole height, the table comes with the runs. */
  gtk_widget_set_visible (GTK_WIDGET (self->summary_scroller), self->shown->len > 0);
  self->empty_title = g_strdup (adw_status_page_get_title (self->empty_page));
  self->empty_description = g_strdup (adw_status_page_get_description (self->empty_page));
  g_signal_connect_object (self->timeline, "highlight-changed", G_CALLBACK (on_highlight_changed),
                           self, G_CONNECT_SWAPPED);
  /* AdwFlap (not locked) hides the pane when it folds and shows it when it unfolds. */
  g_assert (!adw_flap_get_locked (self->flap));
}
