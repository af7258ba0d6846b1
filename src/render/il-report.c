/* il-report.c: a lab report as one PDF: the lesson, the prediction, the answer, every run's picture, the figures, the machine. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/utsname.h>

#include <cairo-pdf.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "il-atomic-file.h"
#include "il-capture-words.h"
#include "il-clock.h"
#include "il-layout.h"
#include "il-painter.h"
#include "il-report.h"

/* Points: A4 is 210 × 297 mm, Letter 8.5 × 11 in. */
#define A4_W 595.28
#define A4_H 841.89
#define LETTER_W 612.0
#define LETTER_H 792.0
#define MARGIN 56.0
/* Pictures are drawn as a 1920 × 1080 slide and scaled onto the page: the same text sizes and
 * line weights as a slide, so the report looks like what was shown in class. */
#define SLIDE_W 1920
#define SLIDE_H 1080

void
il_report_options_init (IlReportOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->view = IL_VIEW_BOTH;
  options->paper = IL_REPORT_PAPER_AUTO;
}

IlReportPaper
il_report_paper_from_locale (void)
{
#ifdef _NL_PAPER_WIDTH
  /* glibc answers from LC_PAPER (once setlocale() has read the environment): 216 × 279 mm is
   * Letter, 210 × 297 mm is A4. */
  int width_mm = (int) (gintptr) nl_langinfo (_NL_PAPER_WIDTH);
  int height_mm = (int) (gintptr) nl_langinfo (_NL_PAPER_HEIGHT);

  if (width_mm == 216 && height_mm == 279)
    return IL_REPORT_PAPER_LETTER;
#endif
  return IL_REPORT_PAPER_A4;
}

static char *
cpu_model (void)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      /* x86 says "model name", ARM "Model" or "CPU part"; the first one names the CPU. */
      if (g_str_has_prefix (lines[i], "model name") || g_str_has_prefix (lines[i], "Model") ||
          g_str_has_prefix (lines[i], "cpu model"))
        {
          const char *colon = strchr (lines[i], ':');

          if (colon != NULL)
            return g_strstrip (g_strdup (colon + 1));
        }
    }
  return NULL;
}

char *
il_report_describe_machine (void)
{
  g_autofree char *model = cpu_model ();
  struct utsname u;
  guint cores = il_cpu_count ();
  GString *s = g_string_new (model != NULL ? model : _("unknown CPU"));

  g_string_append (s, " · ");
  g_string_append_printf (s, g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", cores), cores);
  if (uname (&u) == 0)
    g_string_append_printf (s, " · %s %s", u.sysname, u.release);
  return g_string_free (s, FALSE);
}

typedef struct
{
  cairo_t     *cr;
  PangoLayout *layout;
  double       page_w;
  double       page_h;
  double       y;          /* where the next block goes */
  guint        page;
} Page;

static double
content_w (Page *p)
{
  return p->page_w - 2 * MARGIN;
}

static void
new_page (Page *p)
{
  cairo_show_page (p->cr);
  p->page++;
  p->y = MARGIN;
}

/* Room for @h more points on this page, or a new page. */
static void
need (Page *p, double h)
{
  if (p->y + h > p->page_h - MARGIN && p->y > MARGIN)
    new_page (p);
}

static void
set_text (Page *p, const char *text, double pt, gboolean bold, double width, gboolean markup)
{
  PangoFontDescription *font = pango_font_description_from_string ("Sans");

  pango_font_description_set_absolute_size (font, pt * PANGO_SCALE);
  pango_font_description_set_weight (font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (p->layout, font);
  pango_font_description_free (font);
  pango_layout_set_width (p->layout, width > 0 ? (int) (width * PANGO_SCALE) : -1);
  pango_layout_set_wrap (p->layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment (p->layout, PANGO_ALIGN_LEFT);
  if (markup)
    pango_layout_set_markup (p->layout, text, -1);
  else
    pango_layout_set_text (p->layout, text, -1);
}

/* A paragraph across the page; breaks to a new page line by line when it does not fit. */
static void
paragraph (Page *p, const char *text, double pt, gboolean bold, double space_after)
{
  PangoLayoutIter *iter;

  set_text (p, text, pt, bold, content_w (p), FALSE);
  iter = pango_layout_get_iter (p->layout);
  do
    {
      PangoLayoutLine *line = pango_layout_iter_get_line_readonly (iter);
      PangoRectangle logical;
      int baseline = pango_layout_iter_get_baseline (iter);
      int top;

      pango_layout_iter_get_line_extents (iter, NULL, &logical);
      top = logical.y;
      need (p, logical.height / (double) PANGO_SCALE);
      cairo_set_source_rgb (p->cr, 0.1, 0.1, 0.12);
      cairo_move_to (p->cr, MARGIN, p->y + (baseline - top) / (double) PANGO_SCALE);
      pango_cairo_show_layout_line (p->cr, line);
      p->y += logical.height / (double) PANGO_SCALE;
    }
  while (pango_layout_iter_next_line (iter));
  pango_layout_iter_free (iter);
  p->y += space_after;
}

static void
heading (Page *p, const char *text)
{
  /* A heading never ends a page: keep room for it and two lines after it. */
  need (p, 13 * 1.4 + 3 * 11 * 1.3);
  paragraph (p, text, 13, TRUE, 4);
}

/* Draws @runs with the one painter as a 1920 × 1080 slide scaled to the page's width. */
static void
picture (Page *p, GPtrArray *runs, const IlReportOptions *o, const char *title)
{
  double w = content_w (p);
  double h = w * SLIDE_H / SLIDE_W;
  IlPaintOptions po;

  need (p, h + 12);
  il_paint_options_init (&po);
  po.theme = IL_THEME_LIGHT;
  po.view = o->view != 0 ? o->view : IL_VIEW_BOTH;
  po.t0_ns = o->t0_ns;
  po.t1_ns = o->t1_ns;
  po.title = title;
  /* Vectors: two columns of detail per slide pixel keep edges sharp when zoomed. */
  po.scale = 2.0;
  cairo_save (p->cr);
  cairo_translate (p->cr, MARGIN, p->y);
  cairo_rectangle (p->cr, 0, 0, w, h);
  cairo_clip (p->cr);
  cairo_scale (p->cr, w / SLIDE_W, h / SLIDE_H);
  il_painter_draw (p->cr, SLIDE_W, SLIDE_H, runs, &po);
  cairo_restore (p->cr);
  /* A thin frame: the slide's background is white like the page. */
  cairo_set_source_rgb (p->cr, 0.8, 0.8, 0.82);
  cairo_set_line_width (p->cr, 0.5);
  cairo_rectangle (p->cr, MARGIN, p->y, w, h);
  cairo_stroke (p->cr);
  p->y += h + 12;
}

static char *
figure (IlRunTrace *run, guint row)
{
  const IlSummary *s = il_run_trace_get_summary (run);

  if (s == NULL)
    return g_strdup ("—");
  switch (row)
    {
    case 0: return il_clock_format_duration (s->wall_ns, IL_DURATION_SIGNIFICANT);
    case 1: return il_clock_format_duration (s->cpu_ns, IL_DURATION_SIGNIFICANT);
    case 2: return g_strdup_printf ("%.2f", s->avg_parallelism);
    case 3: return g_strdup_printf ("%u", s->max_parallelism);
    case 4: return isfinite (s->speedup) ? g_strdup_printf ("%.2f×", s->speedup) : g_strdup ("—");
    case 5: return il_clock_format_duration (s->gil_wait_ns, IL_DURATION_SIGNIFICANT);
    case 6: return il_clock_format_duration (s->io_wait_ns, IL_DURATION_SIGNIFICANT);
    case 7: return il_clock_format_duration (s->ready_ns, IL_DURATION_SIGNIFICANT);
    case 8:
      return isfinite (s->other_share) ? g_strdup_printf ("%.0f %%", s->other_share * 100)
                                       : g_strdup (_("not measured"));
    case 9:
      /* The run's own verdict (il_run_trace_is_disturbed()), so a grader sees which figures
       * other programs spoilt without reading the shares. */
      if (!isfinite (s->other_share))
        return g_strdup (_("not measured"));
      /* Translators: the verdict of the "Disturbed" row of a lab report's table */
      return g_strdup (il_run_trace_is_disturbed (run) ? _("yes") : _("no"));
    default: return NULL;
    }
}

static const char *const figure_names[] = {
  N_("Wall time"), N_("CPU time"), N_("Average parallelism"), N_("Maximum parallelism"),
  N_("Speedup"), N_("GIL wait"), N_("I/O wait"), N_("Ready (waiting for a CPU)"),
  N_("Other programs’ share"), N_("Disturbed"),
};

static double
cell (Page *p, const char *text, double x, double y, double width, gboolean bold, gboolean right)
{
  PangoRectangle logical;

  set_text (p, text, 9, bold, width, FALSE);
  pango_layout_set_alignment (p->layout, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
  pango_layout_get_extents (p->layout, NULL, &logical);
  cairo_set_source_rgb (p->cr, 0.1, 0.1, 0.12);
  cairo_move_to (p->cr, x, y);
  pango_cairo_show_layout (p->cr, p->layout);
  return logical.height / (double) PANGO_SCALE;
}

/* The summary: one row per figure, one column per run (four runs to a table). */
static void
summary_table (Page *p, GPtrArray *runs)
{
  const double name_w = 130;

  for (guint first = 0; first < runs->len; first += 4)
    {
      guint n = MIN (4, runs->len - first);
      double col_w = (content_w (p) - name_w) / 4;
      double header_h = 0;

      need (p, 14 * 12 + 40);
      for (guint c = 0; c < n; c++)
        {
          IlRunTrace *run = g_ptr_array_index (runs, first + c);
          g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));
          const char *label = il_run_trace_get_label (run) ? il_run_trace_get_label (run) : title;

          header_h = MAX (header_h, cell (p, label, MARGIN + name_w + c * col_w + 6, p->y,
                                          col_w - 6, TRUE, TRUE));
        }
      p->y += header_h + 3;
      cairo_set_source_rgb (p->cr, 0.6, 0.6, 0.62);
      cairo_set_line_width (p->cr, 0.5);
      cairo_move_to (p->cr, MARGIN, p->y);
      cairo_line_to (p->cr, MARGIN + content_w (p), p->y);
      cairo_stroke (p->cr);
      p->y += 3;
      for (guint r = 0; r < G_N_ELEMENTS (figure_names); r++)
        {
          double row_h = cell (p, _(figure_names[r]), MARGIN, p->y, name_w, FALSE, FALSE);

          for (guint c = 0; c < n; c++)
            {
              g_autofree char *v = figure (g_ptr_array_index (runs, first + c), r);
              row_h = MAX (row_h, cell (p, v, MARGIN + name_w + c * col_w, p->y, col_w, FALSE,
                                        TRUE));
            }
          p->y += row_h + 2;
        }
      p->y += 12;
    }
}

/* Machine, capture and other programs' share, as the runs recorded them. */
static char *
describe_conditions (GPtrArray *runs)
{
  g_autofree char *machine = il_report_describe_machine ();
  GString *s = g_string_new (NULL);
  IlCaptureKind first = il_run_trace_get_capture (g_ptr_array_index (runs, 0));
  gboolean same = TRUE;
  double worst = NAN;
  const char *worst_run = NULL;

  g_string_append_printf (s, _("Machine: %s."), machine);
  for (guint i = 1; i < runs->len; i++)
    same &= il_run_trace_get_capture (g_ptr_array_index (runs, i)) == first;
  g_string_append (s, "\n");
  if (same)
    g_string_append_printf (s, _("Scheduling recorded from %s."),
                            il_capture_describe (first, IL_CAPTURE_WORDS_REPORT));
  else
    for (guint i = 0; i < runs->len; i++)
      {
        IlRunTrace *run = g_ptr_array_index (runs, i);
        g_autofree char *title = il_run_config_get_title (il_run_trace_get_config (run));

        g_string_append_printf (s, i > 0 ? "; %s: %s" : "%s: %s", title,
                                il_capture_describe (il_run_trace_get_capture (run),
                                                     IL_CAPTURE_WORDS_REPORT));
      }
  for (guint i = 0; i < runs->len; i++)
    {
      IlRunTrace *run = g_ptr_array_index (runs, i);
      const IlSummary *sum = il_run_trace_get_summary (run);

      if (sum != NULL && isfinite (sum->other_share) && !(sum->other_share <= worst))
        {
          worst = sum->other_share;
          worst_run = il_run_trace_get_label (run);
        }
    }
  g_string_append (s, "\n");
  if (isfinite (worst))
    g_string_append_printf (s, _("Other programs took at most %.0f %% of the CPUs during a run (%s)."),
                            worst * 100, worst_run != NULL ? worst_run : "");
  else
    g_string_append (s, _("Other programs’ share of the CPUs was not measured."));
  return g_string_free (s, FALSE);
}

static gboolean
given (const char *text)
{
  return text != NULL && *text != '\0';
}

/* "Student: Ada Lovelace · ID: S-1815 · Group: Lab B": who hands the report in, each part only
 * when given. */
static char *
describe_student (const IlReportOptions *o)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, _("Student: %s"), given (o->student) ? o->student : _("(no name given)"));
  if (given (o->student_id))
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, _("Student ID: %s"), o->student_id);
    }
  if (given (o->group))
    {
      g_string_append (s, " · ");
      g_string_append_printf (s, _("Group: %s"), o->group);
    }
  return g_string_free (s, FALSE);
}

static void
write_report (Page *p, const IlReportOptions *o)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%d %H:%M");
  g_autofree char *conditions = describe_conditions (o->runs);
  g_autofree char *caption = g_strdup_printf (_("Interleave lab report · %s"), date);
  const IlReportLesson *lesson = o->lesson;
  g_autofree char *who = describe_student (o);

  paragraph (p, caption, 9, FALSE, 4);
  paragraph (p, who, 10.5, TRUE, 8);
  paragraph (p, lesson != NULL ? lesson->title : _("Runs compared"), 20, TRUE, 10);
  if (lesson != NULL)
    paragraph (p, lesson->explanation, 10.5, FALSE, 10);

  if (lesson != NULL && lesson->question != NULL)
    {
      heading (p, _("Question"));
      paragraph (p, lesson->question, 10.5, FALSE, 8);
      heading (p, _("My prediction"));
      paragraph (p, o->prediction != NULL && *o->prediction != '\0' ? o->prediction
                                                                    : _("(no prediction)"),
                 10.5, FALSE, 8);
      if (lesson->answer != NULL)
        {
          heading (p, _("What the lesson says"));
          paragraph (p, lesson->answer, 10.5, FALSE, 8);
        }
      /* NULL: no place to write one (the CLI runs and reports at once); "": none written. */
      if (o->reflection != NULL)
        {
          heading (p, _("My reflection"));
          paragraph (p, *o->reflection != '\0' ? o->reflection : _("(no reflection)"),
                     10.5, FALSE, 8);
        }
    }

  heading (p, _("Measured"));
  summary_table (p, o->runs);
  heading (p, _("Machine"));
  paragraph (p, conditions, 10, FALSE, 10);
  if (lesson != NULL && lesson->checksum != NULL)
    {
      /* Which lesson file exactly: a teacher compares the hash with the one handed out. */
      g_autofree char *file = g_strdup_printf (_("Lesson file: %s.lesson, SHA-256 %s"),
                                               lesson->id != NULL ? lesson->id : "?",
                                               lesson->checksum);
      paragraph (p, file, 10, FALSE, 10);
    }

  /* The heading goes with its picture, never alone at the foot of a page. */
  need (p, 13 * 1.6 + content_w (p) * SLIDE_H / SLIDE_W + 12);
  heading (p, o->runs->len > 1 ? _("The runs on one time scale") : _("The run"));
  picture (p, o->runs, o, NULL);
  if (o->runs->len > 1)
    for (guint i = 0; i < o->runs->len; i++)
      {
        g_autoptr(GPtrArray) one = g_ptr_array_new ();

        g_ptr_array_add (one, g_ptr_array_index (o->runs, i));
        picture (p, one, o, NULL);
      }
}

gboolean
il_report_write (const char *path, const IlReportOptions *options, GError **error)
{
  g_autoptr(IlAtomicFile) file = NULL;
  g_autofree char *display = NULL;
  IlCairoSink sink = { NULL, NULL };
  IlReportPaper paper;
  cairo_surface_t *surface;
  cairo_status_t status;
  Page p = { 0 };

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  display = g_filename_display_name (path);
  if (options->runs == NULL || options->runs->len == 0)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_INVALID,
                   _("A lab report needs at least one run: run the lesson first"));
      return FALSE;
    }
  if ((file = il_atomic_file_new (path, error)) == NULL)
    return FALSE;
  sink.stream = il_atomic_file_get_stream (file);

  paper = options->paper == IL_REPORT_PAPER_AUTO ? il_report_paper_from_locale () : options->paper;
  p.page_w = paper == IL_REPORT_PAPER_LETTER ? LETTER_W : A4_W;
  p.page_h = paper == IL_REPORT_PAPER_LETTER ? LETTER_H : A4_H;
  p.y = MARGIN;
  surface = cairo_pdf_surface_create_for_stream (il_cairo_sink_write, &sink, p.page_w, p.page_h);
  if (options->lesson != NULL)
    cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE,
                                    options->lesson->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Interleave");
  p.cr = cairo_create (surface);
  p.layout = pango_cairo_create_layout (p.cr);
  write_report (&p, options);
  cairo_show_page (p.cr);
  g_object_unref (p.layout);
  status = cairo_status (p.cr);
  cairo_destroy (p.cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (sink.error != NULL)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not write “%s”: %s"), display,
                   sink.error->message);
      g_error_free (sink.error);
      return FALSE;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, IL_ERROR, IL_ERROR_FAILED, _("Could not write “%s”: %s"), display,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return il_atomic_file_commit (g_steal_pointer (&file), error);
}
