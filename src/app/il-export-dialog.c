/* il-export-dialog.c: the export dialog: PNG/SVG/PDF of what is shown, or the trace data. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-export-dialog.h"
#include "il-window.h"

struct _IlExportDialog
{
  AdwWindow             parent_instance;

  IlWindow             *window;    /* weak: the dialog is transient for it and dies with it */
  GSettings            *settings;

  AdwComboRow          *format_row;
  AdwPreferencesGroup  *image_group;
  GtkAdjustment        *width_adjustment;
  GtkAdjustment        *height_adjustment;
  GtkAdjustment        *scale_adjustment;
  AdwComboRow          *theme_row;
  AdwComboRow          *preset_row;
  GtkButton            *export_button;
};

G_DEFINE_FINAL_TYPE (IlExportDialog, il_export_dialog, ADW_TYPE_WINDOW)

/* In the order of the format row's model. */
static const struct
{
  const char *id;
  const char *extension;
  gboolean    image;
} formats[] = {
  { "png", ".png", TRUE },
  { "svg", ".svg", TRUE },
  { "pdf", ".pdf", TRUE },
  { "json", ".interleave.json", FALSE },
  { "csv", ".csv", FALSE },
  /* Not ".chrome.json": speedscope reads such a name as a CPU profile and fails on a trace. */
  { "chrome", ".trace.json", FALSE },
};

static const char *themes[] = { "light", "dark" };

static gboolean
format_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *id = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_str_equal (formats[i].id, id))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
format_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (formats) ? g_variant_new_string (formats[i].id) : NULL;
}

static gboolean
theme_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_uint (value, g_str_equal (g_variant_get_string (variant, NULL), "dark") ? 1 : 0);
  return TRUE;
}

static GVariant *
theme_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  guint i = g_value_get_uint (value);

  return i < G_N_ELEMENTS (themes) ? g_variant_new_string (themes[i]) : NULL;
}

const char *
il_export_dialog_get_format (IlExportDialog *self)
{
  guint i;

  g_return_val_if_fail (IL_IS_EXPORT_DIALOG (self), NULL);

  i = adw_combo_row_get_selected (self->format_row);
  return formats[MIN (i, G_N_ELEMENTS (formats) - 1)].id;
}

char *
il_export_dialog_suggest_name (IlExportDialog *self)
{
  IlLesson *lesson;
  g_autofree char *base = NULL;
  guint i;

  g_return_val_if_fail (IL_IS_EXPORT_DIALOG (self), NULL);

  i = MIN (adw_combo_row_get_selected (self->format_row), G_N_ELEMENTS (formats) - 1);
  lesson = self->window ? il_window_get_lesson (self->window) : NULL;
  base = g_strdup (lesson != NULL ? il_lesson_get_id (lesson) : "interleave");
  return g_strconcat (base, formats[i].extension, NULL);
}

static void
on_format_changed (IlExportDialog *self)
{
  guint i = MIN (adw_combo_row_get_selected (self->format_row), G_N_ELEMENTS (formats) - 1);

  /* Size, scale and theme only mean something for pictures. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->image_group), formats[i].image);
  /* cairo writes an SVG's text as glyph outlines, never as <text>: said before the file is made,
   * with the format that keeps the words. */
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->format_row),
                               g_str_equal (formats[i].id, "svg")
                                 ? _("Its words are drawn as outlines: a slide program can neither "
                                     "edit nor search them. A PDF keeps them as text.")
                                 : g_str_equal (formats[i].id, "pdf")
                                     ? _("Its words stay text: they can be searched and copied.")
                                     : NULL);
}

static void
on_file_chosen (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  g_autoptr(IlExportDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && self->window != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = g_file_get_path (file);
      g_autoptr(GError) error = NULL;

      if (path == NULL)
        il_window_toast (self->window, _("Only local files can be written."));
      else if (!il_window_export_to (self->window, il_export_dialog_get_format (self), path, &error))
        il_window_toast (self->window, error->message);
      else
        {
          g_autofree char *message = g_strdup_printf (_("Exported to %s"), path);
          il_window_toast (self->window, message);
        }
      gtk_window_destroy (GTK_WINDOW (self));
    }
  g_object_unref (chooser);
}

char *
il_export_default_folder (gboolean image)
{
  /* Pictures go to Pictures, data to Documents, when the user has those folders; else the home
   * folder, never the folder the program happened to start in. */
  const char *dir = g_get_user_special_dir (image ? G_USER_DIRECTORY_PICTURES
                                                  : G_USER_DIRECTORY_DOCUMENTS);

  if (dir != NULL && g_file_test (dir, G_FILE_TEST_IS_DIR))
    return g_strdup (dir);
  return g_strdup (g_get_home_dir ());
}

void
il_export_chooser_start (GtkFileChooser *chooser, gboolean image)
{
  g_autofree char *dir = il_export_default_folder (image);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);

  gtk_file_chooser_set_current_folder (chooser, folder, NULL);
}

char *
il_export_dialog_get_folder (IlExportDialog *self)
{
  guint i;

  g_return_val_if_fail (IL_IS_EXPORT_DIALOG (self), NULL);

  i = MIN (adw_combo_row_get_selected (self->format_row), G_N_ELEMENTS (formats) - 1);
  return il_export_default_folder (formats[i].image);
}

static void
on_export_clicked (IlExportDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = il_export_dialog_suggest_name (self);

  chooser = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  {
    guint i = MIN (adw_combo_row_get_selected (self->format_row), G_N_ELEMENTS (formats) - 1);

    il_export_chooser_start (GTK_FILE_CHOOSER (chooser), formats[i].image);
  }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_file_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* Slide presets: the size a projector shows, drawn at twice the pixels so it stays sharp. */
static const struct { int width, height; double scale; } presets[] = {
  { 0, 0, 0 },            /* Custom: leaves the size rows alone */
  { 1920, 1080, 2.0 },    /* 16:9 */
  { 1440, 1080, 2.0 },    /* 4:3 */
};

/* The preset's names are short so the row shows them whole; what they set is said under it. */
static void
il_export_dialog_describe_preset (IlExportDialog *self, guint i)
{
  g_autofree char *text = NULL;

  if (i == 0 || i >= G_N_ELEMENTS (presets))
    text = g_strdup (_("Width, height and scale as set below; a zoomed timeline is exported as it "
                       "is zoomed"));
  else
    /* Translators: under the Slide 16:9 / 4:3 preset: "1920 × 1080 at scale 2: sharp on a
     * projector" */
    text = g_strdup_printf (_("%d × %d at scale %g: sharp on a projector; a zoomed timeline is "
                              "exported as it is zoomed"),
                            presets[i].width, presets[i].height, presets[i].scale);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->preset_row), text);
}

static void
on_preset_selected (IlExportDialog *self)
{
  guint i = adw_combo_row_get_selected (self->preset_row);

  il_export_dialog_describe_preset (self, i);
  if (i == 0 || i >= G_N_ELEMENTS (presets))
    return;
  gtk_adjustment_set_value (self->width_adjustment, presets[i].width);
  gtk_adjustment_set_value (self->height_adjustment, presets[i].height);
  gtk_adjustment_set_value (self->scale_adjustment, presets[i].scale);
}

void
il_export_dialog_set_preset (IlExportDialog *self, guint preset)
{
  g_return_if_fail (IL_IS_EXPORT_DIALOG (self));
  g_return_if_fail (preset < G_N_ELEMENTS (presets));

  adw_combo_row_set_selected (self->preset_row, preset);
}

/* The preset that matches the size rows, or Custom. */
static void
on_size_changed (IlExportDialog *self)
{
  guint match = 0;

  for (guint i = 1; i < G_N_ELEMENTS (presets); i++)
    if (gtk_adjustment_get_value (self->width_adjustment) == presets[i].width &&
        gtk_adjustment_get_value (self->height_adjustment) == presets[i].height &&
        gtk_adjustment_get_value (self->scale_adjustment) == presets[i].scale)
      match = i;
  if (adw_combo_row_get_selected (self->preset_row) != match)
    adw_combo_row_set_selected (self->preset_row, match);
}

static void
il_export_dialog_dispose (GObject *object)
{
  IlExportDialog *self = IL_EXPORT_DIALOG (object);

  g_clear_weak_pointer (&self->window);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), IL_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (il_export_dialog_parent_class)->dispose (object);
}

static void
il_export_dialog_class_init (IlExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = il_export_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/interleave/Interleave/il-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, format_row);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, image_group);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, width_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, height_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, scale_adjustment);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, theme_row);
  gtk_widget_class_bind_template_child (widget_class, IlExportDialog, export_button);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
il_export_dialog_init (IlExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (APP_ID);
  g_settings_bind_with_mapping (self->settings, "export-format", self->format_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, format_get_mapping, format_set_mapping,
                                NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "export-theme", self->theme_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, theme_get_mapping, theme_set_mapping,
                                NULL, NULL);
  g_settings_bind (self->settings, "export-width", self->width_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "export-height", self->height_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "export-scale", self->scale_adjustment, "value",
                   G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->format_row, "notify::selected", G_CALLBACK (on_format_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->export_button, "clicked", G_CALLBACK (on_export_clicked), self,
                           G_CONNECT_SWAPPED);
  on_size_changed (self);
  il_export_dialog_describe_preset (self, adw_combo_row_get_selected (self->preset_row));
  g_signal_connect_object (self->preset_row, "notify::selected", G_CALLBACK (on_preset_selected),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->width_adjustment, "value-changed", G_CALLBACK (on_size_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->height_adjustment, "value-changed", G_CALLBACK (on_size_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->scale_adjustment, "value-changed", G_CALLBACK (on_size_changed),
                           self, G_CONNECT_SWAPPED);
  on_format_changed (self);
}

IlExportDialog *
il_export_dialog_new (IlWindow *window)
{
  IlExportDialog *self = g_object_new (IL_TYPE_EXPORT_DIALOG, "transient-for", window, NULL);

  g_set_weak_pointer (&self->window, window);
  return self;
}
