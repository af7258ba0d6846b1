/* il-history-row.c: one run of the session in the history list, with its "compare" tick. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-format.h"
#include "il-history-row.h"

struct _IlHistoryRow
{
  AdwActionRow    parent_instance;

  IlRunTrace     *run;
  GtkCheckButton *check;
  GtkButton      *remove;
  guint           number;     /* 0 until set */
  char           *when;       /* "14:05:12" */
};

G_DEFINE_FINAL_TYPE (IlHistoryRow, il_history_row, ADW_TYPE_ACTION_ROW)

enum { PROP_0, PROP_CHECKED, N_PROPS };
static GParamSpec *properties[N_PROPS];

IlRunTrace *
il_history_row_get_run (IlHistoryRow *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ROW (self), NULL);
  return self->run;
}

gboolean
il_history_row_get_checked (IlHistoryRow *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ROW (self), FALSE);
  return gtk_check_button_get_active (self->check);
}

void
il_history_row_set_checked (IlHistoryRow *self, gboolean checked)
{
  g_return_if_fail (IL_IS_HISTORY_ROW (self));
  gtk_check_button_set_active (self->check, checked);
}

void
il_history_row_update (IlHistoryRow *self)
{
  const IlSummary *summary;
  g_autofree char *subtitle = NULL;

  g_return_if_fail (IL_IS_HISTORY_ROW (self));

  summary = il_run_trace_get_summary (self->run);
  if (self->number > 0)
    {
      /* Translators: a history row's title: number, time of day, run name ("#3 · 14:05:12 · 2 processes") */
      g_autofree char *title = g_strdup_printf (_("#%u · %s · %s"), self->number, self->when,
                                                il_run_trace_get_label (self->run));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
    }
  else
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), il_run_trace_get_label (self->run));
  /* A run still recording cannot be removed; the window refuses it too. */
  gtk_widget_set_visible (GTK_WIDGET (self->remove), self->number > 0 &&
                                                     !il_run_trace_get_live (self->run));
  if (il_run_trace_get_live (self->run))
    subtitle = g_strdup (_("running…"));
  else if (summary != NULL)
    {
      g_autofree char *wall = il_clock_format_duration (summary->wall_ns, IL_DURATION_SIGNIFICANT);

      if (isfinite (summary->speedup))
        /* Translators: wall time, average parallelism, speedup of one run */
        subtitle = g_strdup_printf (_("%s · parallelism %.2f · speedup %.2f×"), wall,
                                    summary->avg_parallelism, summary->speedup);
      else
        subtitle = g_strdup_printf (_("%s · parallelism %.2f"), wall, summary->avg_parallelism);
      if (il_run_trace_get_cancelled (self->run))
        {
          char *stopped = g_strdup_printf (_("%s · stopped"), subtitle);
          g_free (subtitle);
          subtitle = stopped;
        }
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle ? subtitle : "");
}

void
il_history_row_set_number (IlHistoryRow *self, guint number, GDateTime *when)
{
  g_autofree char *a11y = NULL;

  g_return_if_fail (IL_IS_HISTORY_ROW (self));
  g_return_if_fail (when != NULL);

  self->number = number;
  g_free (self->when);
  self->when = g_date_time_format (when, "%H:%M:%S");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->remove), "u", number);
  /* Translators: accessible name of a history row's remove button, e.g. "Remove run 3" */
  a11y = g_strdup_printf (_("Remove run %u"), number);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  a11y, -1);
  il_history_row_update (self);
}

guint
il_history_row_get_number (IlHistoryRow *self)
{
  g_return_val_if_fail (IL_IS_HISTORY_ROW (self), 0);
  return self->number;
}

static void
on_check_toggled (IlHistoryRow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CHECKED]);
}

static void
il_history_row_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  IlHistoryRow *self = IL_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_CHECKED:
      g_value_set_boolean (value, il_history_row_get_checked (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_history_row_set_property (GObject *object, guint prop_id, const GValue *value,
                             GParamSpec *pspec)
{
  IlHistoryRow *self = IL_HISTORY_ROW (object);

  switch (prop_id)
    {
    case PROP_CHECKED:
      il_history_row_set_checked (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
il_history_row_finalize (GObject *object)
{
  IlHistoryRow *self = IL_HISTORY_ROW (object);

  g_clear_pointer (&self->run, il_run_trace_unref);
  g_free (self->when);
  G_OBJECT_CLASS (il_history_row_parent_class)->finalize (object);
}

static void
il_history_row_class_init (IlHistoryRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = il_history_row_finalize;
  object_class->get_property = il_history_row_get_property;
  object_class->set_property = il_history_row_set_property;

  properties[PROP_CHECKED] =
    g_param_spec_boolean ("checked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
il_history_row_init (IlHistoryRow *self)
{
  self->check = GTK_CHECK_BUTTON (gtk_check_button_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->check), GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->check), _("Show this run (tick several to compare)"));
  adw_action_row_add_prefix (ADW_ACTION_ROW (self), GTK_WIDGET (self->check));
  self->remove = GTK_BUTTON (gtk_button_new_from_icon_name ("user-trash-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (self->remove), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (self->remove), "flat");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->remove), _("Remove this run from the history"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->remove), "win.remove-run");
  gtk_widget_set_visible (GTK_WIDGET (self->remove), FALSE);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->remove));
  g_signal_connect_object (self->check, "toggled", G_CALLBACK (on_check_toggled), self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (self), TRUE);
}

GtkWidget *
il_history_row_new (IlRunTrace *run)
{
  IlHistoryRow *self = g_object_new (IL_TYPE_HISTORY_ROW, NULL);
  g_autofree char *a11y = NULL;

  self->run = il_run_trace_ref (run);
  a11y = g_strdup_printf (_("Compare %s"), il_run_trace_get_label (run));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->check), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  a11y, -1);
  il_history_row_update (self);
  return GTK_WIDGET (self);
}
