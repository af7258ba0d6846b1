/* il-output-view.c: what each shown traced program printed, its stdout and its stderr apart, as selectable monospace text. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A lesson's answer can point at what the program printed (lesson 10's waits), so the summary
 * shows it under the figures, per run. A text view, not a label: up to 1000 KiB a stream is laid
 * out as it scrolls into view, and it is selected and copied with the keyboard like any text. */
#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "il-output-view.h"

struct _IlOutputView
{
  GtkBox     parent_instance;
  guint      n_runs;    /* shown runs that have output */
  GPtrArray *shown;     /* of IlRunTrace: the runs whose output is shown, to keep a megabyte of
                         * text from being laid out again when the same runs are shown again */
  gboolean   dirty;     /* shown changed since the text was laid out */
};

G_DEFINE_FINAL_TYPE (IlOutputView, il_output_view, GTK_TYPE_BOX)

/* "… 3 000 bytes not kept …", on a line of its own where they were. */
static void
insert_text (GtkTextBuffer *buffer, const char *text, guint64 dropped, gsize dropped_at)
{
  GtkTextIter end;

  gtk_text_buffer_get_end_iter (buffer, &end);
  if (dropped == 0)
    {
      gtk_text_buffer_insert (buffer, &end, text, -1);
      return;
    }
  {
    g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, dropped);
    g_autofree char *note = g_strdup_printf (ngettext ("… %s byte not kept …", "… %s bytes not kept …",
                                                       (gulong) dropped),
                                             count);

    gtk_text_buffer_insert (buffer, &end, text, (int) dropped_at);
    if (dropped_at > 0 && text[dropped_at - 1] != '\n')
      gtk_text_buffer_insert (buffer, &end, "\n", 1);
    gtk_text_buffer_insert_with_tags_by_name (buffer, &end, note, -1, "not-kept", NULL);
    gtk_text_buffer_insert (buffer, &end, "\n", 1);
    gtk_text_buffer_insert (buffer, &end, text + dropped_at, -1);
  }
}

static void
add_stream (IlOutputView *self, IlRunTrace *run, IlOutputStream stream)
{
  guint64 dropped;
  gsize at;
  const char *text = il_run_trace_get_output (run, stream, &dropped, &at);
  GtkWidget *caption, *scroller, *view;
  GtkTextBuffer *buffer;
  GtkTextIter end;
  const char *title = stream == IL_OUTPUT_STDOUT ? _("Standard output") : _("Standard error");

  if (text == NULL)
    return;
  if (*text == '\0')
    {
      /* TRANSLATORS: a program's output stream that said nothing ("Standard error: nothing") */
      g_autofree char *said = g_strdup_printf (_("%s: nothing"), title);

      caption = gtk_label_new (said);
      gtk_label_set_xalign (GTK_LABEL (caption), 0.0);
      gtk_widget_add_css_class (caption, "dim-label");
      gtk_box_append (GTK_BOX (self), caption);
      return;
    }
  caption = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (caption), 0.0);
  gtk_widget_add_css_class (caption, "caption-heading");
  gtk_box_append (GTK_BOX (self), caption);

  buffer = gtk_text_buffer_new (NULL);
  gtk_text_buffer_create_tag (buffer, "not-kept", "style", PANGO_STYLE_ITALIC,
                              "weight", PANGO_WEIGHT_BOLD, NULL);
  insert_text (buffer, text, dropped, at);
  /* A last newline would show as an empty last line. */
  gtk_text_buffer_get_end_iter (buffer, &end);
  if (gtk_text_iter_backward_char (&end) && gtk_text_iter_get_char (&end) == '\n')
    {
      GtkTextIter last;

      gtk_text_buffer_get_end_iter (buffer, &last);
      gtk_text_buffer_delete (buffer, &end, &last);
    }
  view = gtk_text_view_new_with_buffer (buffer);
  g_object_unref (buffer);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  /* Tab leaves it: nothing is typed here. */
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 8);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 4);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 4);
  gtk_widget_add_css_class (view, "program-output");
  gtk_widget_add_css_class (view, stream == IL_OUTPUT_STDOUT ? "stdout" : "stderr");
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);

  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  /* A short text takes the height it needs; a long one a fixed height, since its natural height
   * is known only once all of it is laid out (a megabyte took seconds on a busy machine). */
  if (strlen (text) < 8192)
    {
      gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
      gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 220);
    }
  else
    gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scroller), 220);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), view);
  gtk_box_append (GTK_BOX (self), scroller);
}

static gboolean
has_output (IlRunTrace *run)
{
  return il_run_trace_get_output (run, IL_OUTPUT_STDOUT, NULL, NULL) != NULL ||
         il_run_trace_get_output (run, IL_OUTPUT_STDERR, NULL, NULL) != NULL;
}

/* Whether @runs are the finished runs shown already, in the same order. */
static gboolean
same_runs (IlOutputView *self, GPtrArray *runs)
{
  guint n = 0;

  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);

      if (il_run_trace_get_live (run))
        return FALSE;
      if (n >= self->shown->len || g_ptr_array_index (self->shown, n) != run)
        return FALSE;
      n++;
    }
  return n == self->shown->len;
}

/* Lays out the kept runs' output: only once it is on screen (the expander open), since a
 * megabyte of text takes a third of a second to put in a buffer. */
static void
build (IlOutputView *self)
{
  GtkWidget *child;
  guint n = 0;

  self->dirty = FALSE;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_box_remove (GTK_BOX (self), child);
  for (guint i = 0; i < self->shown->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (self->shown, i);
      g_autofree char *ending = NULL;
      g_autofree char *title = NULL;
      GtkWidget *heading;

      if (!has_output (run))
        continue;
      ending = il_run_trace_describe_exit (run);
      title = ending != NULL ? g_strdup_printf ("%s — %s", il_run_trace_get_label (run), ending)
                             : g_strdup (il_run_trace_get_label (run));
      heading = gtk_label_new (title);
      gtk_label_set_xalign (GTK_LABEL (heading), 0.0);
      gtk_label_set_wrap (GTK_LABEL (heading), TRUE);
      gtk_widget_add_css_class (heading, "heading");
      if (n++ > 0)
        gtk_widget_set_margin_top (heading, 12);
      gtk_box_append (GTK_BOX (self), heading);
      add_stream (self, run, IL_OUTPUT_STDOUT);
      add_stream (self, run, IL_OUTPUT_STDERR);
    }
}

void
il_output_view_set_runs (IlOutputView *self, GPtrArray *runs)
{
  g_return_if_fail (IL_IS_OUTPUT_VIEW (self));

  if (same_runs (self, runs))
    return;
  g_ptr_array_set_size (self->shown, 0);
  self->n_runs = 0;
  for (guint i = 0; runs != NULL && i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);

      /* A live run has no output yet: shown again once it has ended. */
      if (il_run_trace_get_live (run))
        continue;
      g_ptr_array_add (self->shown, il_run_trace_ref (run));
      self->n_runs += has_output (run);
    }
  self->dirty = TRUE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    build (self);
}

guint
il_output_view_get_n_runs (IlOutputView *self)
{
  g_return_val_if_fail (IL_IS_OUTPUT_VIEW (self), 0);
  return self->n_runs;
}

static void
il_output_view_finalize (GObject *object)
{
  IlOutputView *self = IL_OUTPUT_VIEW (object);

  g_ptr_array_unref (self->shown);
  G_OBJECT_CLASS (il_output_view_parent_class)->finalize (object);
}

static void
il_output_view_map (GtkWidget *widget)
{
  IlOutputView *self = IL_OUTPUT_VIEW (widget);

  GTK_WIDGET_CLASS (il_output_view_parent_class)->map (widget);
  if (self->dirty)
    build (self);
}

static void
il_output_view_class_init (IlOutputViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = il_output_view_finalize;
  GTK_WIDGET_CLASS (klass)->map = il_output_view_map;
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "outputview");
}

static void
il_output_view_init (IlOutputView *self)
{
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 4);
  self->shown = g_ptr_array_new_with_free_func ((GDestroyNotify) il_run_trace_unref);
}
