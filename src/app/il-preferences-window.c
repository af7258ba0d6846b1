/* il-preferences-window.c: preferences: capture method, responsiveness, the span cap and timeline colouring, kept in GSettings. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "il-types.h"
#include "il-preferences-window.h"

struct _IlPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  AdwComboRow          *capture_row;
  GtkSwitch            *color_by_cpu_switch;
  GtkSwitch            *responsive_switch;
  GtkSpinButton        *max_spans_spin;
  GtkSpinButton        *lesson_repeat_spin;
  GtkSpinButton        *sweep_repeat_spin;
  AdwEntryRow          *student_name_row;
  AdwEntryRow          *student_id_row;
  AdwEntryRow          *student_group_row;
};

G_DEFINE_FINAL_TYPE (IlPreferencesWindow, il_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* The combo row lists captures in IlCaptureKind order. */
static gboolean
capture_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  IlCaptureKind kind;

  if (!il_capture_from_string (g_variant_get_string (variant, NULL), &kind))
    return FALSE;
  g_value_set_uint (value, kind);
  return TRUE;
}

static GVariant *
capture_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint kind = g_value_get_uint (value);

  return kind < IL_N_CAPTURES ? g_variant_new_string (il_capture_to_string (kind)) : NULL;
}

/* The spin button counts millions of spans; the key counts spans. */
static gboolean
max_spans_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, (double) g_variant_get_uint64 (variant) / 1e6);
  return TRUE;
}

static GVariant *
max_spans_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  double millions = g_value_get_double (value);

  return g_variant_new_uint64 ((guint64) (CLAMP (millions, 0.0, 1000.0) * 1e6 + 0.5));
}

static void
il_preferences_window_dispose (GObject *object)
{
  IlPreferencesWindow *self = IL_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (il_preferences_window_parent_class)->dispose (object);
}

static void
il_preferences_window_class_init (IlPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, capture_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, color_by_cpu_switch);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, responsive_switch);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, max_spans_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, lesson_repeat_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, sweep_repeat_spin);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, student_name_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, student_id_row);
  gtk_widget_class_bind_template_child (widget_class, IlPreferencesWindow, student_group_row);
}

static void
il_preferences_window_init (IlPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind_with_mapping (self->settings, "capture", self->capture_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, capture_get_mapping, capture_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "color-by-cpu", self->color_by_cpu_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "responsive-runs", self->responsive_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind_with_mapping (self->settings, "max-spans", self->max_spans_spin, "value",
                                G_SETTINGS_BIND_DEFAULT, max_spans_get_mapping,
                                max_spans_set_mapping, NULL, NULL);
  g_settings_bind (self->settings, "lesson-repeat", self->lesson_repeat_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "sweep-repeat", self->sweep_repeat_spin, "value",
                   G_SETTINGS_BIND_DEFAULT);
  /* What the lab report's first dialog asked (il-window-report.c). */
  g_settings_bind (self->settings, "student-name", self->student_name_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "student-id", self->student_id_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "student-group", self->student_group_row, "text",
                   G_SETTINGS_BIND_DEFAULT);
}

IlPreferencesWindow *
il_preferences_window_new (GtkWindow *parent)
{
  return g_object_new (IL_TYPE_PREFERENCES_WINDOW, "transient-for", parent, "modal", TRUE, NULL);
}
