/* il-functions-dialog.c: the Python functions table (per run with sampled stacks) and the "Save Profile…" export. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "il-clock.h"
#include "il-export-dialog.h"
#include "il-functions-dialog.h"
#include "il-trace-stacks.h"

struct _IlFunctionsDialog
{
  AdwWindow     parent_instance;
  GPtrArray    *runs;     /* of IlRunTrace with stacks */
  GPtrArray    *rows;     /* of char*: each row's cells joined by tabs */
  GtkSizeGroup *groups[4];
};

G_DEFINE_FINAL_TYPE (IlFunctionsDialog, il_functions_dialog, ADW_TYPE_WINDOW)

gboolean
il_functions_dialog_any_stacks (GPtrArray *runs)
{
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      IlTraceStacks *stacks = il_run_trace_get_stacks (g_ptr_array_index (runs, i));

      if (stacks != NULL && il_trace_stacks_get_n_samples (stacks) > 0)
        return TRUE;
    }
  return FALSE;
}

/* A row of four cells, each column's width shared through its size group. The function is
 * first: a screen reader says what the times are of before them. */
static GtkWidget *
make_row (IlFunctionsDialog *self, const char *const cells[4], gboolean heading)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  for (guint c = 0; c < 4; c++)
    {
      GtkWidget *label = gtk_label_new (cells[c]);

      gtk_label_set_xalign (GTK_LABEL (label), c == 0 ? 0.0f : 1.0f);
      gtk_label_set_selectable (GTK_LABEL (label), FALSE);
      if (c == 0)
        {
          gtk_widget_set_hexpand (label, TRUE);
          gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
          gtk_widget_set_size_request (label, 260, -1);
        }
      else
        gtk_widget_add_css_class (label, "numeric");
      if (heading)
        gtk_widget_add_css_class (label, "heading");
      gtk_size_group_add_widget (self->groups[c], label);
      gtk_box_append (GTK_BOX (box), label);
    }
  return box;
}

static GtkWidget *
make_table (IlFunctionsDialog *self, IlRunTrace *run)
{
  IlTraceStacks *stacks = il_run_trace_get_stacks (run);
  g_autoptr(GArray) totals = il_trace_stacks_get_function_totals (stacks, run);
  GtkWidget *list = gtk_list_box_new ();
  const char *heads[4] = { _("Function (innermost frame)"), _("Running"), _("GIL wait"), _("Blocked") };
  GtkListBoxRow *head;

  gtk_widget_add_css_class (list, "boxed-list");
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_list_box_append (GTK_LIST_BOX (list), make_row (self, heads, TRUE));
  head = gtk_list_box_get_row_at_index (GTK_LIST_BOX (list), 0);
  gtk_list_box_row_set_activatable (head, FALSE);
  for (guint i = 0; i < totals->len; i++)
    {
      const IlStackFunctionTotal *t = &g_array_index (totals, IlStackFunctionTotal, i);
      g_autofree char *frame = il_trace_stacks_format_frame (stacks, t->frame);
      g_autofree char *running = il_clock_format_duration (t->running_ns, IL_DURATION_SIGNIFICANT);
      g_autofree char *gil = il_clock_format_duration (t->gil_wait_ns, IL_DURATION_SIGNIFICANT);
      g_autofree char *blocked = il_clock_format_duration (t->blocked_ns, IL_DURATION_SIGNIFICANT);
      const char *cells[4] = { frame, running, gil, blocked };
      GtkWidget *row = make_row (self, cells, FALSE);
      IlStackFrame f;

      /* The whole path, which the cell shortens to the file's name. */
      if (il_trace_stacks_get_frame (stacks, t->frame, &f) && *f.file != '\0')
        gtk_widget_set_tooltip_text (row, f.file);
      gtk_list_box_append (GTK_LIST_BOX (list), row);
      g_ptr_array_add (self->rows, g_strjoin ("\t", frame, running, gil, blocked, NULL));
    }
  return list;
}

static void
on_save_response (GtkNativeDialog *chooser, int response, gpointer user_data)
{
  g_autoptr(IlFunctionsDialog) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;
      g_autoptr(GError) error = NULL;

      if (path == NULL || !il_functions_dialog_save_profile (self, path, &error))
        {
          GtkWidget *alert = adw_message_dialog_new (GTK_WINDOW (self), _("The profile was not saved"),
                                                     error != NULL ? error->message
                                                                   : _("Only local files can be written."));

          adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (alert), "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (alert));
        }
    }
  g_object_unref (chooser);
}

static void
on_save_clicked (GtkButton *button, IlFunctionsDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Save Profile"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "profile.speedscope.json");
  il_export_chooser_start (GTK_FILE_CHOOSER (chooser), FALSE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

gboolean
il_functions_dialog_save_profile (IlFunctionsDialog *self, const char *path, GError **error)
{
  g_autoptr(IlTrace) trace = il_trace_new ();

  g_return_val_if_fail (IL_IS_FUNCTIONS_DIALOG (self), FALSE);
  for (guint i = 0; i < self->runs->len; i++)
    il_trace_add_run (trace, g_ptr_array_index (self->runs, i));
  return il_trace_export_speedscope (trace, path, error);
}

guint
il_functions_dialog_get_n_rows (IlFunctionsDialog *self)
{
  return self->rows->len;
}

char *
il_functions_dialog_get_row (IlFunctionsDialog *self, guint index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);
  return g_strdup (g_ptr_array_index (self->rows, index));
}

static void
il_functions_dialog_finalize (GObject *object)
{
  IlFunctionsDialog *self = IL_FUNCTIONS_DIALOG (object);

  g_ptr_array_unref (self->runs);
  g_ptr_array_unref (self->rows);
  for (guint c = 0; c < G_N_ELEMENTS (self->groups); c++)
    g_object_unref (self->groups[c]);
  G_OBJECT_CLASS (il_functions_dialog_parent_class)->finalize (object);
}

static void
il_functions_dialog_class_init (IlFunctionsDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = il_functions_dialog_finalize;
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
il_functions_dialog_init (IlFunctionsDialog *self)
{
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
  self->rows = g_ptr_array_new_with_free_func (g_free);
  for (guint c = 0; c < G_N_ELEMENTS (self->groups); c++)
    self->groups[c] = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
}

IlFunctionsDialog *
il_functions_dialog_new (GtkWindow *parent, GPtrArray *runs)
{
  IlFunctionsDialog *self = g_object_new (IL_TYPE_FUNCTIONS_DIALOG, "title", _("Python Functions"),
                                          "transient-for", parent, "default-width", 720,
                                          "default-height", 520, NULL);
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *save = gtk_button_new_with_mnemonic (_("Save _Profile…"));
  GtkWidget *scroller = gtk_scrolled_window_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *note;

  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);

      if (il_run_trace_get_stacks (run) != NULL && il_trace_stacks_get_n_samples (il_run_trace_get_stacks (run)) > 0)
        g_ptr_array_add (self->runs, il_run_trace_ref (run));
    }
  gtk_widget_set_tooltip_text (save, _("Save the sampled stacks as a speedscope profile"));
  g_signal_connect (save, "clicked", G_CALLBACK (on_save_clicked), self);
  gtk_widget_set_sensitive (save, self->runs->len > 0);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), save);
  gtk_box_append (GTK_BOX (toolbar), header);

  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);
  gtk_widget_set_margin_top (content, 12);
  gtk_widget_set_margin_bottom (content, 12);
  note = gtk_label_new (_("Time of each function where it was the innermost frame, one sampling interval per "
                          "sample: running when the thread was running or ready, GIL wait when it slept without "
                          "the GIL where its lane shows GIL wait, blocked otherwise."));
  gtk_label_set_wrap (GTK_LABEL (note), TRUE);
  gtk_label_set_xalign (GTK_LABEL (note), 0.0f);
  gtk_widget_add_css_class (note, "dim-label");
  gtk_box_append (GTK_BOX (content), note);
  for (guint i = 0; i < self->runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (self->runs, i);

      if (self->runs->len > 1)
        {
          GtkWidget *title = gtk_label_new (il_run_trace_get_label (run));

          gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
          gtk_widget_add_css_class (title, "heading");
          gtk_box_append (GTK_BOX (content), title);
        }
      gtk_box_append (GTK_BOX (content), make_table (self, run));
    }
  if (self->runs->len == 0)
    gtk_box_append (GTK_BOX (content), gtk_label_new (_("No shown run has sampled Python stacks.")));
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), content);
  gtk_widget_set_vexpand (scroller, TRUE);
  gtk_box_append (GTK_BOX (toolbar), scroller);
  adw_window_set_content (ADW_WINDOW (self), toolbar);
  return self;
}
