/* il-painter-header.c: the words above the lanes: the image title, each run's name, configuration and summary. */
/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "il-clock.h"
#include "il-batch.h"
#include "il-cpu-load.h"
#include "il-capture-words.h"
#include "il-painter-private.h"
#include "il-trace-marks.h"

static char *
run_title (IlRunTrace *run)
{
  const char *label = il_run_trace_get_label (run);

  if (label != NULL && *label != '\0')
    return g_strdup (label);
  return il_run_config_get_title (il_run_trace_get_config (run));
}

static char *
derive_title (GPtrArray *runs, const IlPaintOptions *o)
{
  GString *s;

  if (o->title != NULL)
    return g_strdup (o->title);
  if (runs->len == 0)
    return g_strdup (_("No run yet"));

  s = g_string_new (NULL);
  for (guint r = 0; r < runs->len; r++)
    {
      g_autofree char *t = run_title (g_ptr_array_index (runs, r));
      if (r > 0)
        /* TRANSLATORS: between run names in an image title: "4 threads + GIL vs 4 processes" */
        g_string_append (s, _(" vs "));
      g_string_append (s, t);
    }
  return g_string_free (s, FALSE);
}

/* The run's configuration in words. A traced program's thread count is settled when it ends;
 * while it is live, the threads seen so far. */
static char *
painter_describe_config (IlRunTrace *run)
{
  const IlRunConfig *config = il_run_trace_get_config (run);
  g_autoptr(IlRunConfig) seen = NULL;

  if (config->executor != IL_EXECUTOR_EXTERNAL || !il_run_trace_get_live (run))
    return il_run_config_describe (config);
  seen = il_run_config_copy (config);
  seen->workers = il_run_trace_get_n_workers (run);
  return il_run_config_describe (seen);
}

/* The header's warnings when a shown run was disturbed (other programs took CPU time it needed),
 * longest first: the title line shows the longest that fits, so the warning is never cut. */
static GPtrArray *
disturbed_words (GPtrArray *runs)
{
  IlRunTrace *worst = il_cpu_load_find_worst (runs);
  GPtrArray *words;
  g_autofree char *culprit = NULL;
  int share;

  if (worst == NULL)
    return NULL;
  words = g_ptr_array_new_with_free_func (g_free);
  share = (int) round (il_run_trace_get_summary (worst)->other_share * 100);
  culprit = il_cpu_load_describe_culprit (worst);
  if (runs->len == 1)
    {
      if (culprit != NULL)
        g_ptr_array_add (words, g_strdup_printf (_("Disturbed: %s; close it or run again"), culprit));
      g_ptr_array_add (words, g_strdup_printf (_("Disturbed: other programs took %d %% of the CPUs; close them or run again"),
                                               share));
    }
  else
    {
      if (culprit != NULL)
        g_ptr_array_add (words, g_strdup_printf (_("Comparison disturbed: %s during “%s”; close it or run again"),
                                                 culprit, il_run_trace_get_label (worst)));
      g_ptr_array_add (words, g_strdup_printf (_("Comparison disturbed: other programs took %d %% of the CPUs during “%s”; "
                                                 "close them or run again"),
                                               share, il_run_trace_get_label (worst)));
    }
  if (culprit != NULL)
    g_ptr_array_add (words, g_strdup_printf (_("Disturbed: %s"), culprit));
  /* TRANSLATORS: the shortest warning of a disturbed run in an image's title line */
  g_ptr_array_add (words, g_strdup_printf (_("Disturbed: others took %d %%"), share));
  return words;
}

/* A repeated run's wall time: the median (the run kept) with the range of all, and how many. */
static char *
repeat_wall (IlRunTrace *run, gint64 wall)
{
  const IlRepeat *repeat = il_run_trace_get_repeat (run);
  g_autofree char *median = il_clock_format_duration (wall, IL_DURATION_SIGNIFICANT);
  g_autofree char *lo = NULL, *hi = NULL;

  if (repeat == NULL || !isfinite (repeat->wall_ns[0]) || !isfinite (repeat->wall_ns[1]))
    return g_steal_pointer (&median);
  lo = il_clock_format_duration ((gint64) repeat->wall_ns[0], IL_DURATION_SIGNIFICANT);
  hi = il_clock_format_duration ((gint64) repeat->wall_ns[1], IL_DURATION_SIGNIFICANT);
  /* TRANSLATORS: a run's wall time in an image header: the median of N runs and their range */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s (median of %u, %s–%s)",
                                       "%s (median of %u, %s–%s)", repeat->count),
                          median, repeat->count, lo, hi);
}

/* One figure of a run's summary line, with its " · " before it (but the first). The line drawn
 * keeps what its width has room for: when it needs room at @level or more, a piece goes away
 * (a piece of @level 0 stays always); one with no @whole but a @brief is the short stand-in of
 * the piece before it. The tooltip over the header shows them all whole
 * (il_painter_describe_header()). */
typedef struct
{
  char  *whole;
  char  *brief;
  guint  level;
} SummaryPiece;

/* The levels, in the order the line gives up detail: how it was captured (said in the tooltip
 * and the table), other programs' CPU time (the share stays), a repeat's spread of ratios, an
 * imported file's counts of marks, and last what other programs took at all (the title's
 * warning says it when it matters). */
enum { LEVEL_CAPTURE = 1, LEVEL_OTHER_BRIEF, LEVEL_SPREAD, LEVEL_MARKS, LEVEL_OTHER, N_LEVELS };

static void
summary_piece_clear (gpointer data)
{
  SummaryPiece *piece = data;

  g_free (piece->whole);
  g_free (piece->brief);
}

/* Takes @whole and @brief. */
static void
add_piece (GArray *pieces, guint level, char *whole, char *brief)
{
  SummaryPiece piece = { whole, brief, level };

  g_array_append_val (pieces, piece);
}

static GArray *
summary_pieces (IlRunTrace *run)
{
  const IlSummary *sum = il_run_trace_get_summary (run);
  GArray *p = g_array_new (FALSE, FALSE, sizeof (SummaryPiece));
  const char *capture = il_capture_describe (il_run_trace_get_capture (run),
                                             IL_CAPTURE_WORDS_HEADER);
  gint64 wall = sum != NULL ? sum->wall_ns : 0;

  g_array_set_clear_func (p, summary_piece_clear);
  if (il_run_trace_get_live (run) || wall <= 0)
    {
      g_autofree char *so_far = il_clock_format_duration (il_run_trace_get_end_ns (run),
                                                          IL_DURATION_SIGNIFICANT);
      if (il_run_trace_get_live (run))
        add_piece (p, 0, g_strdup_printf (_("running… %s so far"), so_far), NULL);
      else
        add_piece (p, 0, g_strdup_printf (_("wall %s"), so_far), NULL);
    }
  else
    {
      g_autofree char *wall_s = repeat_wall (run, wall);
      g_autofree char *cpu_s = il_clock_format_duration (sum->cpu_ns, IL_DURATION_SIGNIFICANT);

      /* An imported trace knows when its slices ran, not whether a CPU ran them. */
      if (!il_layout_run_has_cores (run))
        add_piece (p, 0, g_strdup_printf (_("wall %s · in slices %s · avg slices at once %.2f · max %u"),
                                          wall_s, cpu_s, sum->avg_parallelism, sum->max_parallelism),
                   NULL);
      else
        add_piece (p, 0, g_strdup_printf (_("wall %s · CPU %s · avg parallelism %.2f · max %u"),
                                          wall_s, cpu_s, sum->avg_parallelism, sum->max_parallelism),
                   NULL);
      if (!isnan (sum->speedup) && sum->speedup > 0)
        {
          const IlRepeat *repeat = il_run_trace_get_repeat (run);

          add_piece (p, 0, g_strdup_printf (_(" · speedup %.2f×"), sum->speedup), NULL);
          /* Repeated: the spread of the rounds' paired ratios (each against its own round's
           * baseline), the median above lying inside it. */
          if (repeat != NULL && isfinite (repeat->speedup[0]) && isfinite (repeat->speedup[1]) &&
              repeat->speedup[1] > repeat->speedup[0])
            /* TRANSLATORS: after "speedup 1.90×": the lowest and highest of the rounds' ratios */
            add_piece (p, LEVEL_SPREAD, g_strdup_printf (_(" (%.2f–%.2f×)"), repeat->speedup[0],
                                                         repeat->speedup[1]), NULL);
        }
      if (sum->gil_wait_ns > 0)
        {
          g_autofree char *v = il_clock_format_duration (sum->gil_wait_ns, IL_DURATION_SIGNIFICANT);
          add_piece (p, 0, g_strdup_printf (_(" · GIL wait %s"), v), NULL);
        }
      if (sum->lock_wait_ns > 0)
        {
          g_autofree char *v = il_clock_format_duration (sum->lock_wait_ns, IL_DURATION_SIGNIFICANT);
          add_piece (p, 0, g_strdup_printf (_(" · lock wait %s"), v), NULL);
        }
      if (sum->ready_ns > 0)
        {
          g_autofree char *v = il_clock_format_duration (sum->ready_ns, IL_DURATION_SIGNIFICANT);
          add_piece (p, 0, g_strdup_printf (_(" · ready %s"), v), NULL);
        }
      if (sum->io_wait_ns > 0)
        {
          g_autofree char *v = il_clock_format_duration (sum->io_wait_ns, IL_DURATION_SIGNIFICANT);
          add_piece (p, 0, g_strdup_printf (_(" · I/O wait %s"), v), NULL);
        }
      if (sum->loop_wait_ns > 0)
        {
          g_autofree char *v = il_clock_format_duration (sum->loop_wait_ns, IL_DURATION_SIGNIFICANT);
          add_piece (p, 0, g_strdup_printf (_(" · loop wait %s"), v), NULL);
        }
    }
  if (!il_run_trace_get_live (run) && wall > 0)
    {
      g_autofree char *other = il_cpu_load_describe_run (run);
      if (other != NULL)
        {
          add_piece (p, LEVEL_OTHER_BRIEF, g_strdup_printf (" · %s", other), NULL);
          /* TRANSLATORS: the short form of "other programs took 47 % of the CPUs (…)" in a
           * run's header line when the long one has no room */
          add_piece (p, LEVEL_OTHER, NULL,
                     g_strdup_printf (_(" · other programs %d %%"),
                                      (int) round (sum->other_share * 100)));
        }
    }
  /* An imported file's instants, counters and flows: how many, so none goes unnoticed. */
  if (il_run_trace_get_n_instants (run) > 0)
    add_piece (p, LEVEL_MARKS, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " · %u instant", " · %u instants",
                                                             il_run_trace_get_n_instants (run)),
                                                il_run_trace_get_n_instants (run)), NULL);
  if (il_run_trace_get_n_counters (run) > 0)
    add_piece (p, LEVEL_MARKS, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " · %u counter", " · %u counters",
                                                             il_run_trace_get_n_counters (run)),
                                                il_run_trace_get_n_counters (run)), NULL);
  if (il_run_trace_get_n_flows (run) > 0)
    add_piece (p, LEVEL_MARKS, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, " · %u flow", " · %u flows",
                                                             il_run_trace_get_n_flows (run)),
                                                il_run_trace_get_n_flows (run)), NULL);
  if (il_run_trace_get_cancelled (run))
    add_piece (p, 0, g_strdup (_(" · cancelled")), NULL);
  if (il_run_trace_get_truncated_at_spans (run) > 0)
    add_piece (p, 0, g_strdup_printf (_(" · trace truncated at %" PRIu64 " spans"),
                                      il_run_trace_get_truncated_at_spans (run)), NULL);
  if (capture != NULL)
    {
      const char *brief = il_capture_describe (il_run_trace_get_capture (run),
                                               IL_CAPTURE_WORDS_HEADER_BRIEF);

      add_piece (p, LEVEL_CAPTURE, g_strdup_printf (" · %s", capture), NULL);
      /* An estimate stays said, in brief, down to the narrowest header. */
      if (brief != NULL)
        add_piece (p, N_LEVELS, NULL, g_strdup_printf (" · %s", brief));
    }
  return p;
}

/* The line as it reads when it needs room at @level (0: all of it). A piece with no whole form
 * is the brief stand-in of the one before it: shown once that one went, until its own @level. */
static char *
summary_at (GArray *pieces, guint level)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < pieces->len; i++)
    {
      const SummaryPiece *piece = &g_array_index (pieces, SummaryPiece, i);

      if (piece->whole == NULL)
        {
          const SummaryPiece *whole = &g_array_index (pieces, SummaryPiece, i - 1);
          if (level >= whole->level && level < piece->level)
            g_string_append (s, piece->brief);
        }
      else if (piece->level == 0 || level < piece->level)
        g_string_append (s, piece->whole);
    }
  return g_string_free (s, FALSE);
}

/* Sets the run's summary in @f's text at @px: the most of it that fits @max_w whole, and only
 * when even the least of it does not, cut at the end. Returns whether it shows whole. */
static gboolean
set_summary (IlPaintFrame *f, IlRunTrace *run, double px, double max_w)
{
  g_autoptr(GArray) pieces = summary_pieces (run);

  for (guint level = 0; level < N_LEVELS; level++)
    {
      g_autofree char *line = summary_at (pieces, level);

      IlTextExtent whole;

      il_text_measure (f->text, line, px, FALSE, -1, &whole);
      if (whole.width <= max_w || level == N_LEVELS - 1)
        {
          il_text_set (f->text, line, px, FALSE, max_w);
          return !pango_layout_is_ellipsized (f->text);
        }
    }
  g_return_val_if_reached (FALSE);
}


/* The image's title whole, never cut (on a slide it is what the room reads first): at @px (1.5 ×
 * the text size for the title) when it fits in @max_w, else smaller down to @least in one line,
 * else in two lines at the largest size that fits the title's height; only words too long even
 * for that are ellipsized. Fills @fit; the text stays set in @text, in two lines when it took
 * them (the caller sets one line back after drawing it). */
static void
fit_title (PangoLayout *text, const char *title, const IlLayout *layout, double px, double least,
           double max_w, IlTitleFit *fit)
{
  double max_h = layout->title_h + round (layout->font_px * 0.4);
  IlTextExtent e;
  gboolean set;

  /* Each size tried is measured (il_text_measure: shaped once per title, size and width, not at
   * every paint); the one taken is then set for drawing. */
  memset (fit, 0, sizeof *fit);
  pango_layout_set_height (text, -1);
  pango_layout_set_wrap (text, PANGO_WRAP_WORD);
  fit->max_width = max_w;
  fit->lines = 1;
  for (fit->px = px; ; fit->px = MAX (least, fit->px * 0.92))
    {
      set = il_text_measure (text, title, fit->px, TRUE, max_w, &e);
      fit->width = e.width;
      if (!e.ellipsized || fit->px <= least)
        break;
    }
  if (e.ellipsized)
    {
      /* Two lines, words kept whole where they can be, the size shrunk until both fit. */
      pango_layout_set_wrap (text, PANGO_WRAP_WORD_CHAR);
      pango_layout_set_height (text, -2);
      for (fit->px = px; ; fit->px *= 0.92)
        {
          set = il_text_measure (text, title, fit->px, TRUE, max_w, &e);
          if ((!e.ellipsized && e.height <= max_h) || fit->px < 6)
            break;
        }
      fit->width = e.width;
      fit->lines = e.lines;
    }
  if (!set)
    il_text_set (text, title, fit->px, TRUE, max_w);
  fit->whole = !e.ellipsized;
}

gboolean
il_painter_fit_title (int width, int height, GPtrArray *runs, const IlPaintOptions *o,
                      IlTitleFit *fit)
{
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(PangoLayout) text = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) disturbed = NULL;
  cairo_surface_t *surface;
  cairo_t *cr;
  double avail;

  g_return_val_if_fail (runs != NULL && o != NULL && fit != NULL, FALSE);

  layout = il_layout_new (width, height, runs, o);
  title = derive_title (runs, o);
  disturbed = disturbed_words (runs);
  avail = layout->width - 2 * layout->margin;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  text = il_text_layout_new (cr);
  fit_title (text, title, layout, layout->font_px * 1.5, layout->font_px * 1.1,
             disturbed != NULL ? avail * 0.5 : avail, fit);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return fit->whole;
}

void
il_paint_title (IlPaintFrame *f)
{
  IlLayout *layout = f->layout;
  g_autofree char *title = derive_title (f->runs, f->o);
  g_autoptr(GPtrArray) disturbed = disturbed_words (f->runs);
  double avail = layout->width - 2 * layout->margin;
  IlTitleFit fit;
  double w;

  fit_title (f->text, title, layout, layout->font_px * 1.5, layout->font_px * 1.1,
             disturbed != NULL ? avail * 0.5 : avail, &fit);
  w = fit.width;
  il_text_draw (f->cr, f->text, layout->margin, layout->title_y + layout->title_h / 2, IL_ALIGN_LEFT,
                f->pal->text);
  if (disturbed != NULL)
    {
      /* In the warning colour after the title: the picture says it cannot be trusted, whole too.
       * The longest wording (the culprit named) that fits whole beside the title, in two lines at
       * the text size sooner than in one line of small print; the shortest one else. */
      double room = MAX (1, avail - w - layout->font_px);

      for (guint i = 0; i < disturbed->len; i++)
        {
          fit_title (f->text, disturbed->pdata[i], layout, layout->font_px, layout->font_px, room,
                     &fit);
          if (fit.whole)
            break;
        }
      il_text_draw (f->cr, f->text, layout->margin + w + layout->font_px,
                    layout->title_y + layout->title_h / 2, IL_ALIGN_LEFT, f->pal->reference);
    }
  /* Back to one line for every later text of the frame. */
  pango_layout_set_height (f->text, -1);
  pango_layout_set_wrap (f->text, PANGO_WRAP_WORD);
}

/* The run's name, configuration in words and summary, in one line when the block is compact.
 * Returns whether the summary shows whole. */
gboolean
il_paint_run_header (IlPaintFrame *f, IlRunTrace *run, const IlLayoutBlock *block)
{
  IlLayout *l = f->layout;
  g_autofree char *title = run_title (run);
  g_autofree char *config = painter_describe_config (run);
  double line = l->font_px * 1.35;
  gboolean whole;
  double w;

  if (block->header_h < l->font_px * 2)
    {
      /* Compact: the run's name and its summary on one line (small views, several runs). */
      w = il_text_set (f->text, title, l->font_px * 1.0, TRUE, l->width * 0.4);
      il_text_draw (f->cr, f->text, l->margin, block->header_y + block->header_h / 2, IL_ALIGN_LEFT,
                    f->pal->text);
      whole = set_summary (f, run, l->font_px * 0.9,
                           MAX (1, l->width - 2 * l->margin - w - l->font_px));
      il_text_draw (f->cr, f->text, l->margin + w + l->font_px, block->header_y + block->header_h / 2,
                    IL_ALIGN_LEFT, f->pal->text_dim);
    }
  else
    {
      /* A single run under a derived title: the big title already names it. */
      if (f->runs->len == 1 && f->o->title == NULL)
        w = -l->font_px;
      else
        {
          w = il_text_set (f->text, title, l->font_px * 1.1, TRUE, l->width - 2 * l->margin);
          il_text_draw (f->cr, f->text, l->margin, block->header_y + line * 0.5, IL_ALIGN_LEFT,
                        f->pal->text);
        }
      /* The configuration in words, unless the run's title already is exactly that. */
      if (g_strcmp0 (title, config) != 0 && l->margin + w + l->font_px < l->width - l->margin)
        {
          il_text_set (f->text, config, l->font_px * 0.95, FALSE,
                       l->width - 2 * l->margin - w - l->font_px);
          il_text_draw (f->cr, f->text, l->margin + w + l->font_px, block->header_y + line * 0.5,
                        IL_ALIGN_LEFT, f->pal->text_dim);
        }
      whole = set_summary (f, run, l->font_px * 0.95, l->width - 2 * l->margin);
      il_text_draw (f->cr, f->text, l->margin, block->header_y + line * 1.55, IL_ALIGN_LEFT,
                    f->pal->text_dim);
    }
  return whole;
}

gboolean
il_painter_fit_run_headers (int width, int height, GPtrArray *runs, const IlPaintOptions *o)
{
  g_autoptr(IlLayout) layout = NULL;
  g_autoptr(PangoLayout) text = NULL;
  IlPaintFrame f = { 0 };
  cairo_surface_t *surface;
  gboolean whole = TRUE;

  g_return_val_if_fail (runs != NULL && o != NULL, FALSE);

  /* The headers set as il_painter_draw() sets them, onto a pixel nobody sees. */
  layout = il_layout_new (width, height, runs, o);
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  f.cr = cairo_create (surface);
  text = il_text_layout_new (f.cr);
  f.o = o;
  f.pal = il_palette_get (o->theme);
  f.layout = layout;
  f.text = text;
  f.runs = runs;
  for (guint b = 0; b < layout->blocks->len; b++)
    {
      const IlLayoutBlock *block = &g_array_index (layout->blocks, IlLayoutBlock, b);

      whole &= il_paint_run_header (&f, g_ptr_array_index (runs, block->run), block);
    }
  cairo_destroy (f.cr);
  cairo_surface_destroy (surface);
  return whole;
}

char *
il_painter_describe_header (int width, int height, GPtrArray *runs, const IlPaintOptions *o,
                            double x, double y)
{
  g_autoptr(IlLayout) layout = NULL;

  g_return_val_if_fail (runs != NULL && o != NULL, NULL);

  layout = il_layout_new (width, height, runs, o);
  if (x < 0 || x >= layout->width)
    return NULL;
  for (guint b = 0; b < layout->blocks->len; b++)
    {
      const IlLayoutBlock *block = &g_array_index (layout->blocks, IlLayoutBlock, b);
      IlRunTrace *run;
      g_autoptr(GArray) pieces = NULL;
      g_autofree char *title = NULL;
      g_autofree char *config = NULL;
      g_autofree char *line = NULL;
      g_auto(GStrv) figures = NULL;
      GString *s;

      if (y < block->header_y || y >= block->header_y + block->header_h)
        continue;
      run = g_ptr_array_index (runs, block->run);
      title = run_title (run);
      config = painter_describe_config (run);
      pieces = summary_pieces (run);
      s = g_string_new (title);
      if (g_strcmp0 (title, config) != 0)
        g_string_append_printf (s, "\n%s", config);
      /* Every figure whole, one to a line. */
      line = summary_at (pieces, 0);
      figures = g_strsplit (line, " · ", -1);
      for (guint i = 0; figures[i] != NULL; i++)
        g_string_append_printf (s, "\n%s", figures[i]);
      return g_string_free (s, FALSE);
    }
  return NULL;
}
